/*
 * Unit tests for the libkrpcmux modules that need no server: the id map,
 * the per-thread error state, default socket paths, options, argument
 * checking and conversion against the service model, calls encoded
 * without a client, holder-aware locks and callback arrays.
 */
#include <pthread.h>
#include <pwd.h>
#include <unistd.h>

#include "unit.h"
#include "internal.h"

/* ---- id map --------------------------------------------------------- */

START_TEST(test_idmap_against_reference)
{
	enum { N = 3000 };
	static char present[N];
	krpc_idmap_t *m = krpc_idmap_new();
	uint64_t x = 12345;
	size_t i, k, bad = 0;

	ck_assert_ptr_nonnull(m);
	/* Random puts and deletes of ids with colliding low bits, checked against an array. */
	for (i = 0; i < 20000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (size_t)(x >> 33) % N;
		if ((x >> 20) % 3 == 0) {
			krpc_idmap_del(m, (uint64_t)k << 32);
			present[k] = 0;
		} else {
			ck_assert(krpc_idmap_put(m, (uint64_t)k << 32, &present[k]));
			present[k] = 1;
		}
	}
	for (k = 0; k < N; k++) {
		void *want = present[k] ? &present[k] : NULL;

		if (krpc_idmap_get(m, (uint64_t)k << 32) != want)
			bad++;
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_ptr_null(krpc_idmap_get(m, 1));
	krpc_idmap_free(m);
}
END_TEST

START_TEST(test_idmap_replace_and_zero)
{
	krpc_idmap_t *m = krpc_idmap_new();
	int a, b;

	ck_assert(krpc_idmap_put(m, 0, &a));	/* stream id 0 is valid */
	ck_assert_ptr_eq(krpc_idmap_get(m, 0), &a);
	ck_assert(krpc_idmap_put(m, 0, &b));
	ck_assert_ptr_eq(krpc_idmap_get(m, 0), &b);
	krpc_idmap_del(m, 0);
	krpc_idmap_del(m, 0);
	ck_assert_ptr_null(krpc_idmap_get(m, 0));
	krpc_idmap_free(m);
}
END_TEST

/* ---- errors --------------------------------------------------------- */

static void *
error_thread(void *arg)
{
	(void)arg;
	krpc_error_set(KRPC_ERR_TIMEOUT, "thread timeout %d", 7);
	return strcmp(krpc_error_message(), "thread timeout 7") == 0 ? arg : NULL;
}

START_TEST(test_errors_per_thread)
{
	Krpc__Schema__Error e = KRPC__SCHEMA__ERROR__INIT;
	static int token;
	pthread_t t;
	void *ok = NULL;

	e.service = "TestService";
	e.name = "CustomException";
	e.description = "A custom kRPC exception";
	e.stack_trace = "at somewhere";
	ck_assert_int_eq(krpc_error_set_rpc(&e), KRPC_ERR_RPC);
	ck_assert_int_eq(pthread_create(&t, NULL, error_thread, &token), 0);
	ck_assert_int_eq(pthread_join(t, &ok), 0);
	ck_assert_ptr_eq(ok, &token);
	/* The other thread's error did not touch this thread's. */
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_RPC);
	ck_assert_str_eq(krpc_error_service(), "TestService");
	ck_assert_str_eq(krpc_error_name(), "CustomException");
	ck_assert_str_eq(krpc_error_description(), "A custom kRPC exception");
	ck_assert_str_eq(krpc_error_stack_trace(), "at somewhere");
	ck_assert_str_eq(krpc_error_message(), "TestService.CustomException: A custom kRPC exception");

	/* A plain error has no service or name. */
	e.service = "";
	e.name = "";
	e.description = "Attempted to divide by zero.";
	krpc_error_set_rpc(&e);
	ck_assert_str_eq(krpc_error_message(), "Attempted to divide by zero.");
	ck_assert_str_eq(krpc_error_service(), "");

	/* Library errors clear the server fields. */
	krpc_error_set(KRPC_ERR_IO, "lost %s", "it");
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_IO);
	ck_assert_str_eq(krpc_error_message(), "lost it");
	ck_assert_str_eq(krpc_error_description(), "lost it");
	ck_assert_str_eq(krpc_error_name(), "");
	ck_assert_str_eq(krpc_error_stack_trace(), "");

	krpc_error_set_handshake("WRONG_TYPE", "Connection request was for the stream server");
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_HANDSHAKE);
	ck_assert_str_eq(krpc_error_description(), "Connection request was for the stream server");
	ck_assert_str_eq(krpc_error_message(), "WRONG_TYPE: Connection request was for the stream server");
}
END_TEST

START_TEST(test_saved_faults)
{
	Krpc__Schema__Error e = KRPC__SCHEMA__ERROR__INIT;
	krpc_fault_t *f;

	e.service = "KRPC";
	e.name = "InvalidOperationException";
	e.description = "Invalid operation";
	f = krpc_error_fault_rpc(&e);
	ck_assert_ptr_nonnull(f);
	krpc_error_set(KRPC_ERR_IO, "something else");
	/* Raised twice: each read of a failed stream sees the same error. */
	ck_assert_int_eq(krpc_error_raise(f), KRPC_ERR_RPC);
	ck_assert_int_eq(krpc_error_raise(f), KRPC_ERR_RPC);
	ck_assert_str_eq(krpc_error_name(), "InvalidOperationException");
	ck_assert_str_eq(krpc_error_description(), "Invalid operation");
	krpc_error_fault_free(f);
	f = krpc_error_fault(KRPC_ERR_MALFORMED, "bad bytes");
	ck_assert_int_eq(krpc_error_raise(f), KRPC_ERR_MALFORMED);
	ck_assert_str_eq(krpc_error_message(), "bad bytes");
	krpc_error_fault_free(f);
	ck_assert_str_eq(krpc_code_str(KRPC_ERR_NO_VALUE), "no value yet");
	ck_assert_str_eq(krpc_code_str(KRPC_ERR_NO_STREAM), "no stream connection");
}
END_TEST

/* krpc_error_set() as stubs and users call it: returns its code, NULL means the code's text, OK clears. */
START_TEST(test_public_error_set)
{
	Krpc__Schema__Error e = KRPC__SCHEMA__ERROR__INIT;

	e.service = "KRPC";
	e.name = "InvalidOperationException";
	e.description = "before";
	krpc_error_set_rpc(&e);
	ck_assert_int_eq(krpc_error_set(KRPC_ERR_TYPE, "not a %s", "vessel"), KRPC_ERR_TYPE);
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_TYPE);
	ck_assert_str_eq(krpc_error_message(), "not a vessel");
	ck_assert_str_eq(krpc_error_service(), "");
	ck_assert_str_eq(krpc_error_name(), "");
	ck_assert_int_eq(krpc_error_set(KRPC_ERR_NOMEM, NULL), KRPC_ERR_NOMEM);
	ck_assert_str_eq(krpc_error_message(), "out of memory");
	ck_assert_int_eq(krpc_error_set(KRPC_OK, NULL), KRPC_OK);
	ck_assert_int_eq(krpc_error_code(), KRPC_OK);
	ck_assert_str_eq(krpc_error_message(), "");
}
END_TEST

/* The value functions record their failures too (the codec's report hook, see codec.h). */
START_TEST(test_value_errors_recorded)
{
	krpc_value_t *s = krpc_value_string("x"), *v = NULL;
	krpc_type_t *t = krpc_type_new(KRPC_TYPE_DOUBLE);
	double d;

	krpc_error_set(KRPC_ERR_IO, "an earlier failure");
	ck_assert_int_eq(krpc_value_as_double(s, &d), KRPC_ERR_TYPE);
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_TYPE);
	ck_assert_str_eq(krpc_error_message(), "a STRING value read as double");
	ck_assert_int_eq(krpc_value_decode(t, "\x01", 1, false, &v, NULL, 0), KRPC_ERR_MALFORMED);
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_MALFORMED);
	ck_assert_msg(strstr(krpc_error_message(), "DOUBLE") != NULL, "%s", krpc_error_message());
	ck_assert_int_eq(krpc_value_append(s, krpc_value_double(1)), KRPC_ERR_TYPE);
	ck_assert_str_eq(krpc_error_message(), "cannot append to a STRING value");
	ck_assert_int_eq(krpc_type_add(NULL, NULL), KRPC_ERR_ARG);
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_ARG);
	krpc_type_free(t);
	krpc_value_free(s);
}
END_TEST

/* ---- default socket paths ------------------------------------------- */

START_TEST(test_default_socket_path)
{
	struct passwd *pw = getpwuid(geteuid());
	char buf[256], want[256], tiny[8];

	ck_assert_ptr_nonnull(pw);
	unsetenv("TMPDIR");
	unsetenv("TMP");
	unsetenv("TEMP");
	unsetenv("USER");
	setenv("XDG_RUNTIME_DIR", "/run/user/4242", 1);
	ck_assert_int_eq(krpc_default_socket_path("rpc", buf, sizeof buf), KRPC_OK);
	ck_assert_str_eq(buf, "/run/user/4242/krpc/rpc");
	setenv("XDG_RUNTIME_DIR", "", 1);	/* empty counts as unset */
	ck_assert_int_eq(krpc_default_socket_path("stream", buf, sizeof buf), KRPC_OK);
	snprintf(want, sizeof want, "/tmp/krpc-%s/stream", pw->pw_name);	/* the account's name */
	ck_assert_str_eq(buf, want);
	/* As the server on mono: $USER, and the temporary directory $TMPDIR, $TMP or $TEMP. */
	unsetenv("XDG_RUNTIME_DIR");
	setenv("USER", "kerbal", 1);
	setenv("TEMP", "/t3", 1);
	ck_assert_int_eq(krpc_default_socket_path("rpc", buf, sizeof buf), KRPC_OK);
	ck_assert_str_eq(buf, "/t3/krpc-kerbal/rpc");
	setenv("TMP", "/t2/", 1);
	ck_assert_int_eq(krpc_default_socket_path("rpc", buf, sizeof buf), KRPC_OK);
	ck_assert_str_eq(buf, "/t2/krpc-kerbal/rpc");
	setenv("TMPDIR", "/elsewhere", 1);
	ck_assert_int_eq(krpc_default_socket_path("rpc", buf, sizeof buf), KRPC_OK);
	ck_assert_str_eq(buf, "/elsewhere/krpc-kerbal/rpc");
	ck_assert_int_eq(krpc_default_socket_path("rpc", tiny, sizeof tiny), KRPC_ERR_ARG);
	ck_assert_int_eq(krpc_default_socket_path(NULL, buf, sizeof buf), KRPC_ERR_ARG);
	unsetenv("TMPDIR");
	unsetenv("TMP");
	unsetenv("TEMP");
}
END_TEST

/* ---- options -------------------------------------------------------- */

START_TEST(test_options)
{
	krpc_options_t *o = krpc_options_new();

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(krpc_options_set_tcp(o, "localhost", 70000, 0), KRPC_ERR_ARG);
	ck_assert_int_eq(krpc_options_set_tcp(o, "localhost", -1, 0), KRPC_ERR_ARG);
	ck_assert_int_eq(krpc_options_set_tcp(o, "localhost", 1, -2), KRPC_ERR_ARG);
	ck_assert_int_eq(krpc_options_set_tcp(o, "localhost", 1, KRPC_NO_STREAM), KRPC_OK);
	ck_assert(!o->local);
	ck_assert_int_eq(o->stream_port, KRPC_NO_STREAM);
	ck_assert_int_eq(krpc_options_set_local(o, "/tmp/a", KRPC_NO_STREAM_PATH), KRPC_OK);
	ck_assert(o->local);
	ck_assert_str_eq(o->stream_path, "");
	ck_assert_int_eq(krpc_options_set_name(o, "n"), KRPC_OK);
	ck_assert_int_eq(krpc_options_set_connect_timeout(o, 1.5), KRPC_OK);
	ck_assert_int_eq(krpc_options_set_call_timeout(o, 2.5), KRPC_OK);
	ck_assert(o->connect_timeout == 1.5 && o->call_timeout == 2.5);
	ck_assert_int_eq(krpc_options_set_name(NULL, "n"), KRPC_ERR_ARG);
	krpc_options_free(o);
	krpc_options_free(NULL);
	ck_assert_int_eq(krpc_connect_options(NULL, NULL), KRPC_ERR_ARG);
	krpc_client_close(NULL);
}
END_TEST

/* ---- argument checking ---------------------------------------------- */

static krpc_services_t *
load_model(void)
{
	const char *top = getenv("top_srcdir");
	krpc_services_t *m = NULL;
	char path[4096];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/tests/unit/data/services-sim.bin", top ? top : ".");
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	ck_assert_int_eq(krpc_services_parse(buf, (size_t)n, &m), KRPC_OK);
	free(buf);
	return m;
}

/* Checks one argument list; returns the code and leaves the converted values in *out. */
static krpc_code_t
check(const krpc_services_t *m, const char *proc, krpc_value_t **args, size_t n, krpc_value_t ***out)
{
	return krpc_invoke_check(krpc_services_procedure(m, "TestService", proc), args, n, out);
}

START_TEST(test_invoke_conversions)
{
	krpc_services_t *m = load_model();
	krpc_value_t *args[4] = { NULL }, **out = NULL;
	double d;
	float f;
	uint32_t u;

	/* An integer for a double parameter becomes a double. */
	args[0] = krpc_value_sint32(3);
	ck_assert_int_eq(check(m, "DoubleToString", args, 1, &out), KRPC_OK);
	ck_assert_int_eq(krpc_value_code(out[0]), KRPC_TYPE_DOUBLE);
	ck_assert_int_eq(krpc_value_as_double(out[0], &d), KRPC_OK);
	ck_assert(d == 3.0);
	krpc_invoke_free_args(out, 1);
	/* A double for a float parameter becomes a float. */
	krpc_value_free(args[0]);
	args[0] = krpc_value_double(0.5);
	ck_assert_int_eq(check(m, "FloatToString", args, 1, &out), KRPC_OK);
	ck_assert_int_eq(krpc_value_as_float(out[0], &f), KRPC_OK);
	ck_assert(f == 0.5f);
	krpc_invoke_free_args(out, 1);
	/* A double for an integer parameter is refused. */
	ck_assert_int_eq(check(m, "Int32ToString", args, 1, &out), KRPC_ERR_TYPE);
	ck_assert_ptr_null(out);
	/* Integers convert when they fit. */
	krpc_value_free(args[0]);
	args[0] = krpc_value_sint64(4294967295LL);
	ck_assert_int_eq(check(m, "Uint32SpecialDefaults", args, 1, &out), KRPC_OK);
	ck_assert_int_eq(krpc_value_as_uint32(out[0], &u), KRPC_OK);
	ck_assert_uint_eq(u, 4294967295U);
	krpc_invoke_free_args(out, 1);
	ck_assert_int_eq(check(m, "Int32ToString", args, 1, &out), KRPC_ERR_TYPE);
	krpc_value_free(args[0]);
	args[0] = krpc_value_sint32(-1);
	ck_assert_int_eq(check(m, "Uint32SpecialDefaults", args, 1, &out), KRPC_ERR_TYPE);
	/* Strings are strings. */
	krpc_value_free(args[0]);
	args[0] = krpc_value_string("12");
	ck_assert_int_eq(check(m, "Int32ToString", args, 1, &out), KRPC_ERR_TYPE);
	ck_assert_msg(strstr(krpc_error_message(), "argument value of TestService.Int32ToString") != NULL,
	    "%s", krpc_error_message());
	krpc_value_free(args[0]);
	krpc_services_free(m);
}
END_TEST

START_TEST(test_invoke_collections_and_nulls)
{
	krpc_services_t *m = load_model();
	krpc_value_t *args[5] = { NULL }, **out = NULL, *list, *tuple;
	int32_t i;

	/* list(sint32) from sint64 items: converted item by item. */
	list = krpc_value_collection(KRPC_TYPE_LIST);
	krpc_value_append(list, krpc_value_sint64(1));
	krpc_value_append(list, krpc_value_sint64(2));
	args[0] = list;
	ck_assert_int_eq(check(m, "IncrementList", args, 1, &out), KRPC_OK);
	ck_assert_int_eq(krpc_value_code(krpc_value_item(out[0], 1)), KRPC_TYPE_SINT32);
	krpc_invoke_free_args(out, 1);
	/* A list where a set is expected is refused. */
	ck_assert_int_eq(check(m, "IncrementSet", args, 1, &out), KRPC_ERR_TYPE);
	krpc_value_free(list);
	/* A tuple of the right shape stands for a struct. */
	tuple = krpc_value_collection(KRPC_TYPE_TUPLE);
	krpc_value_append(tuple, krpc_value_sint32(7));
	krpc_value_append(tuple, krpc_value_string("s"));
	krpc_value_append(tuple, krpc_value_sint32(2));		/* enum given as an int */
	krpc_value_append(tuple, krpc_value_collection(KRPC_TYPE_LIST));
	args[0] = tuple;
	ck_assert_int_eq(check(m, "StructEcho", args, 1, &out), KRPC_OK);
	ck_assert_int_eq(krpc_value_code(out[0]), KRPC_TYPE_STRUCT);
	ck_assert_int_eq(krpc_value_code(krpc_value_item(out[0], 2)), KRPC_TYPE_ENUMERATION);
	ck_assert_int_eq(krpc_value_as_enum(krpc_value_item(out[0], 2), &i), KRPC_OK);
	ck_assert_int_eq(i, 2);
	krpc_invoke_free_args(out, 1);
	/* Wrong field count is refused. */
	krpc_value_append(tuple, krpc_value_sint32(9));
	ck_assert_int_eq(check(m, "StructEcho", args, 1, &out), KRPC_ERR_TYPE);
	krpc_value_free(tuple);
	/* Nulls pass (the server judges nullability); omitted (NULL) entries stay omitted. */
	args[0] = krpc_value_string("jeb");
	args[3] = krpc_value_null(KRPC_TYPE_CLASS);
	ck_assert_int_eq(check(m, "OptionalArguments", args, 4, &out), KRPC_OK);
	ck_assert_ptr_null(out[1]);
	ck_assert_ptr_null(out[2]);
	ck_assert(krpc_value_is_null(out[3]));
	krpc_invoke_free_args(out, 4);
	/* Objects accept uint64 ids, not other numbers. */
	krpc_value_free(args[3]);
	args[3] = krpc_value_uint64(5);
	ck_assert_int_eq(check(m, "OptionalArguments", args, 4, &out), KRPC_OK);
	ck_assert_int_eq(krpc_value_code(out[3]), KRPC_TYPE_CLASS);
	krpc_invoke_free_args(out, 4);
	krpc_value_free(args[3]);
	args[3] = krpc_value_sint32(5);
	ck_assert_int_eq(check(m, "OptionalArguments", args, 4, &out), KRPC_ERR_TYPE);
	/* Too many arguments. */
	args[4] = krpc_value_string("extra");
	ck_assert_int_eq(check(m, "OptionalArguments", args, 5, &out), KRPC_ERR_ARG);
	krpc_value_free(args[0]);
	krpc_value_free(args[3]);
	krpc_value_free(args[4]);
	krpc_services_free(m);
}
END_TEST

/* ---- calls encoded without a client --------------------------------- */

START_TEST(test_get_call_without_client)
{
	krpc_value_t *args[3] = { krpc_value_string("jeb"), NULL, krpc_value_null(KRPC_TYPE_STRING) };
	krpc_value_t *call = NULL;
	Krpc__Schema__ProcedureCall *pc;
	const uint8_t *data;
	size_t len;

	ck_assert_int_eq(krpc_get_call(NULL, "TestService", "OptionalArguments", args, 3, &call), KRPC_OK);
	ck_assert_int_eq(krpc_value_code(call), KRPC_TYPE_PROCEDURE_CALL);
	data = krpc_value_data(call, &len);
	pc = krpc_msg_call_read(data, len, NULL, 0);
	ck_assert_ptr_nonnull(pc);
	ck_assert_str_eq(pc->service, "TestService");
	ck_assert_str_eq(pc->procedure, "OptionalArguments");
	ck_assert_uint_eq(pc->n_arguments, 2);		/* position 1 left out */
	ck_assert_uint_eq(pc->arguments[0]->position, 0);
	ck_assert_str_eq(unit_tohex(pc->arguments[0]->value.data, pc->arguments[0]->value.len), "036a6562");
	ck_assert_uint_eq(pc->arguments[1]->position, 2);
	ck_assert(pc->arguments[1]->is_null);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	krpc_value_free(call);
	ck_assert_int_eq(krpc_get_call(NULL, NULL, "X", NULL, 0, &call), KRPC_ERR_ARG);
	ck_assert_int_eq(krpc_call(NULL, "KRPC", "GetStatus", NULL, 0, NULL, NULL), KRPC_ERR_ARG);
	krpc_value_free(args[0]);
	krpc_value_free(args[2]);
}
END_TEST

/* ---- locks and callbacks -------------------------------------------- */

struct held_probe {
	krpc_cond_t	*k;
	bool		 seen;
};

static void *
held_thread(void *arg)
{
	struct held_probe *p = arg;

	p->seen = krpc_cond_held(p->k);
	return NULL;
}

START_TEST(test_cond_holder)
{
	struct held_probe p;
	krpc_cond_t k;
	pthread_t t;
	double t0;

	ck_assert_int_eq(krpc_cond_init(&k), 0);
	ck_assert(!krpc_cond_held(&k));
	krpc_cond_lock(&k);
	ck_assert(krpc_cond_held(&k));
	p.k = &k;
	p.seen = true;
	pthread_create(&t, NULL, held_thread, &p);
	pthread_join(t, NULL);
	ck_assert(!p.seen);		/* only the holder sees itself */
	t0 = krpc_time_now();
	ck_assert(!krpc_cond_wait(&k, krpc_time_deadline(0.05)) || !krpc_cond_wait(&k, krpc_time_deadline(0.05)));
	ck_assert(krpc_time_now() - t0 >= 0.04);
	ck_assert(krpc_cond_held(&k));	/* held again after the wait */
	krpc_cond_unlock(&k);
	ck_assert(!krpc_cond_held(&k));
	krpc_cond_destroy(&k);
	ck_assert_int_eq(krpc_time_poll_ms(krpc_time_deadline(-1)), -1);
	ck_assert_int_eq(krpc_time_poll_ms(krpc_time_now() - 1), 0);
}
END_TEST

START_TEST(test_callback_array)
{
	krpc_callbacks_t a = { NULL, 0, 0 };
	krpc_callback_t cb = { 0, NULL, NULL, NULL, NULL }, *copy;
	size_t n;
	unsigned i;

	for (i = 1; i <= 10; i++) {
		cb.tag = i;
		ck_assert(krpc_callbacks_add(&a, &cb));
	}
	ck_assert(krpc_callbacks_del(&a, 3));
	ck_assert(!krpc_callbacks_del(&a, 3));
	ck_assert(!krpc_callbacks_has(&a, 3));
	ck_assert(krpc_callbacks_has(&a, 10));
	copy = krpc_callbacks_copy(&a, &n);
	ck_assert_uint_eq(n, 9);
	ck_assert_uint_eq(copy[2].tag, 4);	/* order kept */
	free(copy);
	krpc_callbacks_free(&a);
	ck_assert_ptr_null(krpc_callbacks_copy(&a, &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

static Suite *
libclient_suite(void)
{
	Suite *s = suite_create("libclient");
	TCase *tc = tcase_create("units");

	tcase_add_test(tc, test_idmap_against_reference);
	tcase_add_test(tc, test_idmap_replace_and_zero);
	tcase_add_test(tc, test_errors_per_thread);
	tcase_add_test(tc, test_saved_faults);
	tcase_add_test(tc, test_public_error_set);
	tcase_add_test(tc, test_value_errors_recorded);
	tcase_add_test(tc, test_default_socket_path);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_invoke_conversions);
	tcase_add_test(tc, test_invoke_collections_and_nulls);
	tcase_add_test(tc, test_get_call_without_client);
	tcase_add_test(tc, test_cond_holder);
	tcase_add_test(tc, test_callback_array);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(libclient_suite());
}
