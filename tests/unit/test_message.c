/*
 * Unit tests for kRPC message helpers: calls and requests written by hand
 * must parse as the schema says, responses and updates must be read (or
 * refused), and the canonical call key must make equal calls equal.
 */
#include "unit.h"

/* Builds a call from args, unpacks it with protobuf-c, and returns it. */
static Krpc__Schema__ProcedureCall *
roundtrip_call(const char *service, const char *procedure, const krpc_msg_arg_t *args, size_t n)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	Krpc__Schema__ProcedureCall *c;

	krpc_msg_call(&b, service, procedure, args, n);
	ck_assert(krpc_buf_ok(&b));
	c = krpc_msg_call_read(b.data, b.len, NULL, 0);
	ck_assert_ptr_nonnull(c);
	krpc_buf_free(&b);
	return c;
}

/* The canonical key of a call given as args, as hex (static). */
static const char *
key_of(const char *service, const char *procedure, const krpc_msg_arg_t *args, size_t n,
    krpc_msg_key_fn fn)
{
	static char out[8][1024];
	static int next;
	Krpc__Schema__ProcedureCall *c = roundtrip_call(service, procedure, args, n);
	krpc_buf_t k = KRPC_BUF_INIT;
	char *s = out[next++ % 8];

	krpc_msg_call_key(&k, c, fn, NULL);
	ck_assert(krpc_buf_ok(&k));
	snprintf(s, sizeof out[0], "%s", unit_tohex(k.data, k.len));
	krpc_buf_free(&k);
	krpc__schema__procedure_call__free_unpacked(c, NULL);
	return s;
}

START_TEST(test_call_encoding)
{
	krpc_msg_arg_t args[3] = {
		{ 0, (const uint8_t *)"\x03jeb", 4, false },
		{ 3, NULL, 0, true },
		{ 1, (const uint8_t *)"\x00", 1, false },
	};
	Krpc__Schema__ProcedureCall *c = roundtrip_call("TestService", "OptionalArguments", args, 3);
	krpc_buf_t b = KRPC_BUF_INIT;

	ck_assert_str_eq(c->service, "TestService");
	ck_assert_str_eq(c->procedure, "OptionalArguments");
	ck_assert_uint_eq(c->n_arguments, 3);
	ck_assert_uint_eq(c->arguments[0]->position, 0);
	ck_assert_uint_eq(c->arguments[0]->value.len, 4);
	ck_assert_uint_eq(c->arguments[1]->position, 3);
	ck_assert(c->arguments[1]->is_null);
	ck_assert_uint_eq(c->arguments[1]->value.len, 0);
	ck_assert_uint_eq(c->arguments[2]->value.len, 1);
	krpc__schema__procedure_call__free_unpacked(c, NULL);

	/* The exact bytes of a small call: KRPC.GetStatus has no arguments. */
	krpc_msg_call(&b, "KRPC", "GetStatus", NULL, 0);
	ck_assert_str_eq(unit_tohex(b.data, b.len), "0a044b525043" "1209476574537461747573");
	krpc_buf_free(&b);
}
END_TEST

START_TEST(test_call_values_and_request)
{
	krpc_value_t *args[3] = { krpc_value_string("jeb"), NULL, krpc_value_null(KRPC_TYPE_CLASS) };
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;
	Krpc__Schema__Request *r;
	size_t i;

	krpc_msg_call_values(&call, "TestService", "OptionalArguments",
	    (const krpc_value_t *const *)args, 3);
	krpc_msg_request_add(&req, call.data, call.len);
	krpc_msg_request_add(&req, call.data, call.len);
	ck_assert(krpc_buf_ok(&req));
	r = krpc_msg_request_read(req.data, req.len, NULL, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->n_calls, 2);
	/* NULL entries are omitted; positions follow the array index. */
	ck_assert_uint_eq(r->calls[1]->n_arguments, 2);
	ck_assert_uint_eq(r->calls[1]->arguments[0]->position, 0);
	ck_assert_str_eq(unit_tohex(r->calls[1]->arguments[0]->value.data,
	    r->calls[1]->arguments[0]->value.len), "036a6562");
	ck_assert_uint_eq(r->calls[1]->arguments[1]->position, 2);
	ck_assert(r->calls[1]->arguments[1]->is_null);
	krpc__schema__request__free_unpacked(r, NULL);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
	for (i = 0; i < 3; i++)
		krpc_value_free(args[i]);
}
END_TEST

START_TEST(test_response_reading)
{
	Krpc__Schema__Response resp = KRPC__SCHEMA__RESPONSE__INIT;
	Krpc__Schema__ProcedureResult ok = KRPC__SCHEMA__PROCEDURE_RESULT__INIT,
	    bad = KRPC__SCHEMA__PROCEDURE_RESULT__INIT, *results[2] = { &ok, &bad };
	Krpc__Schema__Error err = KRPC__SCHEMA__ERROR__INIT;
	Krpc__Schema__Response *r;
	krpc_type_t *t = krpc_type_parse("string", NULL, 0);
	krpc_value_t *v;
	uint8_t buf[256];
	size_t len;
	char why[128];

	ok.value.data = (uint8_t *)"\x02hi";
	ok.value.len = 3;
	err.service = "KRPC";
	err.name = "InvalidOperationException";
	err.description = "Invalid operation";
	bad.error = &err;
	resp.results = results;
	resp.n_results = 2;
	len = krpc__schema__response__pack(&resp, buf);
	r = krpc_msg_response_read(buf, len, why, sizeof why);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 2);
	ck_assert_int_eq(krpc_msg_result_value(r->results[0], t, &v, why, sizeof why), KRPC_OK);
	ck_assert_str_eq(krpc_value_str(v, NULL), "hi");
	krpc_value_free(v);
	ck_assert_int_eq(krpc_msg_result_value(r->results[1], t, &v, why, sizeof why), KRPC_ERR_RPC);
	ck_assert_ptr_null(v);
	ck_assert_str_eq(why, "Invalid operation");
	ck_assert(krpc_msg_error_set(r->results[1]->error));
	/* A void result with no type: success and no value. */
	ck_assert_int_eq(krpc_msg_result_value(r->results[0], NULL, &v, why, sizeof why), KRPC_OK);
	ck_assert_ptr_null(v);
	krpc__schema__response__free_unpacked(r, NULL);

	/* Not protobuf: refused with a reason. */
	why[0] = '\0';
	ck_assert_ptr_null(krpc_msg_response_read((const uint8_t *)"\x0a\x05\x01", 3, why, sizeof why));
	ck_assert_str_eq(why, "malformed Response message (3 bytes)");
	ck_assert_ptr_null(krpc_msg_update_read((const uint8_t *)"\xff", 1, why, sizeof why));
	ck_assert_str_eq(why, "malformed StreamUpdate message (1 bytes)");
	krpc_type_free(t);
}
END_TEST

START_TEST(test_update_reading)
{
	size_t len;
	/* StreamUpdate{results=[{id=0, result={value=01}}, {id=7, result={is_null}}]} */
	const uint8_t *p = unit_hex("0a05" "1203" "120101" "0a06" "0807" "12021801", &len);
	Krpc__Schema__StreamUpdate *u = krpc_msg_update_read(p, len, NULL, 0);

	ck_assert_ptr_nonnull(u);
	ck_assert_uint_eq(u->n_results, 2);
	ck_assert_uint_eq(u->results[0]->id, 0);
	ck_assert_uint_eq(u->results[0]->result->value.len, 1);
	ck_assert_uint_eq(u->results[1]->id, 7);
	ck_assert(u->results[1]->result->is_null);
	krpc__schema__stream_update__free_unpacked(u, NULL);
}
END_TEST

static krpc_key_arg_t
drop_defaults(void *ud, const Krpc__Schema__ProcedureCall *c, const Krpc__Schema__Argument *a)
{
	/* As the proxy does for OptionalArguments(x, y = "foo", z = "bar", obj = null). */
	if (a->position >= 4)
		return KRPC_KEY_DROP;
	if (a->position == 1 && a->value.len == 4 && memcmp(a->value.data, "\x03" "foo", 4) == 0)
		return KRPC_KEY_DROP;
	if (a->position == 3 && a->is_null)
		return KRPC_KEY_DROP;
	return KRPC_KEY_KEEP;
}

START_TEST(test_call_key)
{
	const krpc_msg_arg_t x = { 0, (const uint8_t *)"\x03jeb", 4, false };
	const krpc_msg_arg_t y_foo = { 1, (const uint8_t *)"\x03" "foo", 4, false };
	const krpc_msg_arg_t y_baz = { 1, (const uint8_t *)"\x03" "baz", 4, false };
	const krpc_msg_arg_t obj_null = { 3, NULL, 0, true };
	const krpc_msg_arg_t obj_zero = { 3, (const uint8_t *)"\x00", 1, false };
	const krpc_msg_arg_t extra = { 9, (const uint8_t *)"\x01", 1, false };
	krpc_msg_arg_t a[4];
	const char *k1, *k2;

	/* Order of arguments on the wire does not matter. */
	a[0] = x; a[1] = y_baz;
	k1 = key_of("TestService", "OptionalArguments", a, 2, NULL);
	a[0] = y_baz; a[1] = x;
	k2 = key_of("TestService", "OptionalArguments", a, 2, NULL);
	ck_assert_str_eq(k1, k2);
	/* Different values, procedures or services differ. */
	a[0] = x; a[1] = y_foo;
	k2 = key_of("TestService", "OptionalArguments", a, 2, NULL);
	ck_assert_str_ne(k1, k2);
	k2 = key_of("TestService", "OptionalArgument", a, 2, NULL);
	ck_assert_str_ne(k1, k2);
	/* A repeated position: the last one wins. */
	a[0] = x; a[1] = y_foo; a[2] = y_baz;
	k2 = key_of("TestService", "OptionalArguments", a, 3, NULL);
	a[0] = x; a[1] = y_baz;
	k1 = key_of("TestService", "OptionalArguments", a, 2, NULL);
	ck_assert_str_eq(k1, k2);
	/* Null is not the same as an empty or zero value. */
	a[0] = obj_null;
	k1 = key_of("TestService", "EchoTestObject", a, 1, NULL);
	a[0] = obj_zero;
	k2 = key_of("TestService", "EchoTestObject", a, 1, NULL);
	ck_assert_str_ne(k1, k2);
	/* With the hook: f(x) == f(x, y = default, obj = null, extra position). */
	a[0] = x;
	k1 = key_of("TestService", "OptionalArguments", a, 1, drop_defaults);
	a[0] = obj_null; a[1] = y_foo; a[2] = x; a[3] = extra;
	k2 = key_of("TestService", "OptionalArguments", a, 4, drop_defaults);
	ck_assert_str_eq(k1, k2);
	a[0] = x; a[1] = y_baz;
	k2 = key_of("TestService", "OptionalArguments", a, 2, drop_defaults);
	ck_assert_str_ne(k1, k2);
	/* The exact layout: names, then position, null flag, length, bytes. */
	a[0] = x;
	ck_assert_str_eq(key_of("S", "P", a, 1, NULL), "000153" "000150" "00" "00" "04" "036a6562");
}
END_TEST

START_TEST(test_call_key_ids)
{
	Krpc__Schema__ProcedureCall c = KRPC__SCHEMA__PROCEDURE_CALL__INIT;
	krpc_buf_t k = KRPC_BUF_INIT;

	/* Calls by numeric id key on the ids, not on the (empty) names. */
	c.service_id = 9999;
	c.procedure_id = 39;
	krpc_msg_call_key(&k, &c, NULL, NULL);
	ck_assert_str_eq(unit_tohex(k.data, k.len), "018f4e" "0127");
	krpc_buf_free(&k);
}
END_TEST

static Suite *
message_suite(void)
{
	Suite *s = suite_create("message");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_call_encoding);
	tcase_add_test(tc, test_call_values_and_request);
	tcase_add_test(tc, test_response_reading);
	tcase_add_test(tc, test_update_reading);
	tcase_add_test(tc, test_call_key);
	tcase_add_test(tc, test_call_key_ids);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(message_suite());
}
