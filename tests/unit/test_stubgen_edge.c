/*
 * Unit tests of krpc-stubgen's output without a server: stubs generated at
 * build time from tests/unit/data/stubgen-edge.services (made-up services
 * full of corner cases) must compile, and their get-call builders,
 * structure helpers, default macros and status decoder must produce and
 * read the exact bytes (checked with the protobuf-c schema).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "krpc.pb-c.h"
#include "krpcmux/krpcmux.h"
#include "Edge.h"
#include "Other.h"
#include "Empty.h"

/* The ProcedureCall inside a PROCEDURE_CALL value (freed by the caller). */
static Krpc__Schema__ProcedureCall *
unpack_call(krpc_value_t *call, const char *procedure)
{
	Krpc__Schema__ProcedureCall *pc;
	const uint8_t *data;
	size_t len;

	ck_assert_int_eq(krpc_value_code(call), KRPC_TYPE_PROCEDURE_CALL);
	data = krpc_value_data(call, &len);
	pc = krpc__schema__procedure_call__unpack(NULL, len, data);
	ck_assert_ptr_nonnull(pc);
	ck_assert_str_eq(pc->service, "Edge");
	ck_assert_str_eq(pc->procedure, procedure);
	krpc_value_free(call);
	return pc;
}

/* The argument at position pos, or NULL if it was left out. */
static const Krpc__Schema__Argument *
arg_at(const Krpc__Schema__ProcedureCall *pc, uint32_t pos)
{
	size_t i;

	for (i = 0; i < pc->n_arguments; i++) {
		if (pc->arguments[i]->position == pos)
			return pc->arguments[i];
	}
	return NULL;
}

/* Asserts argument pos holds exactly these bytes (NULL: is null). */
static void
assert_arg(const Krpc__Schema__ProcedureCall *pc, uint32_t pos, const uint8_t *bytes, size_t len)
{
	const Krpc__Schema__Argument *a = arg_at(pc, pos);

	ck_assert_msg(a != NULL, "argument %u missing", pos);
	if (bytes == NULL) {
		ck_assert_msg(a->is_null, "argument %u not null", pos);
		ck_assert_uint_eq(a->value.len, 0);
		return;
	}
	ck_assert_msg(!a->is_null, "argument %u null", pos);
	ck_assert_uint_eq(a->value.len, len);
	ck_assert(len == 0 || memcmp(a->value.data, bytes, len) == 0);
}

START_TEST(test_defaults_left_out)
{
	static const uint8_t neg5[] = { 0x09 }, three[] = { 0x06 }, seven[] = { 0x0e }, yes[] = { 0x01 },
	    c[] = { 0x02, 0xaa, 0xbb }, d[] = { 0x01, 'y' };
	Krpc__Schema__ProcedureCall *pc;
	krpc_value_t *call = NULL;
	int32_t a = 7;
	bool b = true;
	uint32_t pos;

	/* NULL pointers leave defaulted parameters out (the server fills them). */
	ck_assert_int_eq(Edge_NullableDefaults_call(&call, NULL, NULL, NULL, 0, NULL,
	    Edge_NullableDefaults_e_DEFAULT, Edge_NullableDefaults_f_DEFAULT,
	    Edge_NullableDefaults_g_DEFAULT, Edge_NullableDefaults_h_DEFAULT,
	    Edge_NullableDefaults_i_DEFAULT, Edge_NullableDefaults_j_DEFAULT), KRPC_OK);
	pc = unpack_call(call, "NullableDefaults");
	for (pos = 0; pos < 4; pos++)
		ck_assert_msg(arg_at(pc, pos) == NULL, "argument %u sent", pos);
	assert_arg(pc, 4, neg5, 1);
	assert_arg(pc, 5, three, 1);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	/* Given values are sent. */
	ck_assert_int_eq(Edge_NullableDefaults_call(&call, &a, &b, c + 1, 2, "y", Edge_Mode_Off,
	    Edge_Mode_On, 0.0, 0.0f, 0, NULL), KRPC_OK);
	pc = unpack_call(call, "NullableDefaults");
	assert_arg(pc, 0, seven, 1);
	assert_arg(pc, 1, yes, 1);
	assert_arg(pc, 2, c, sizeof c);
	assert_arg(pc, 3, d, sizeof d);
	ck_assert(arg_at(pc, 9) == NULL);	/* j: defaulted string left out */
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
}
END_TEST

START_TEST(test_default_macros)
{
	double g = Edge_NullableDefaults_g_DEFAULT;
	float h = Edge_NullableDefaults_h_DEFAULT;

	ck_assert_int_eq(Edge_NullableDefaults_a_DEFAULT, 7);
	ck_assert_str_eq(Edge_NullableDefaults_d_DEFAULT, "x");
	ck_assert_int_eq(Edge_NullableDefaults_e_DEFAULT, Edge_Mode_Negative);
	ck_assert_int_eq(Edge_NullableDefaults_f_DEFAULT, 3);
	ck_assert(g == 1e300);
	ck_assert(h == 0.0f && signbit(h));
	ck_assert(Edge_NullableDefaults_i_DEFAULT == UINT64_MAX);
	ck_assert_str_eq(Edge_NullableDefaults_j_DEFAULT, "a\"\\\n");
	ck_assert_int_eq(Edge_Foreign_m_DEFAULT, 2);
}
END_TEST

START_TEST(test_nulls)
{
	static const uint8_t five[] = { 0x05 }, ab[] = { 0x02, 'a', 'b' };
	Krpc__Schema__ProcedureCall *pc;
	krpc_value_t *call = NULL, *d = krpc_value_collection(KRPC_TYPE_DICTIONARY);

	/* Non-defaulted NULLs are sent as null (a tuple too), the defaulted list is left out. */
	ck_assert_int_eq(Edge_Values_call(&call, NULL, NULL, NULL, d, NULL), KRPC_OK);
	pc = unpack_call(call, "Values");
	assert_arg(pc, 0, NULL, 0);
	ck_assert(arg_at(pc, 1) == NULL);
	assert_arg(pc, 2, NULL, 0);
	assert_arg(pc, 3, (const uint8_t *)"", 0);	/* an empty dictionary is zero bytes, not null */
	assert_arg(pc, 4, NULL, 0);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	krpc_value_free(d);
	/* The NULL handle is the null object; bytes keep their length. */
	ck_assert_int_eq(Edge_Thing_Method_call(&call, (Edge_Thing){ 5 }, Edge_Thing_NULL, "ab", 2), KRPC_OK);
	pc = unpack_call(call, "Thing_Method");
	assert_arg(pc, 0, five, 1);
	assert_arg(pc, 1, NULL, 0);
	assert_arg(pc, 2, ab, sizeof ab);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
}
END_TEST

START_TEST(test_keywords_and_encodings)
{
	static const uint8_t m1[] = { 0x01 }, s[] = { 0x01, 'k' }, f[] = { 0x01 },
	    dbl[] = { 0, 0, 0, 0, 0, 0, 0xf0, 0x3f }, flt[] = { 0, 0, 0x80, 0xbf }, u[] = { 0xac, 0x02 };
	Krpc__Schema__ProcedureCall *pc;
	krpc_value_t *call = NULL;

	ck_assert_int_eq(Edge_Keywords_call(&call, -1, "k", true, 1.0, -1.0f, 300), KRPC_OK);
	pc = unpack_call(call, "Keywords");
	assert_arg(pc, 0, m1, 1);
	assert_arg(pc, 1, s, sizeof s);
	assert_arg(pc, 2, f, 1);
	assert_arg(pc, 3, dbl, sizeof dbl);
	assert_arg(pc, 4, flt, sizeof flt);
	assert_arg(pc, 5, u, sizeof u);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	ck_assert_int_eq(Edge_Thing_static_Make_call(&call), KRPC_OK);
	pc = unpack_call(call, "Thing_static_Make");
	ck_assert_uint_eq(pc->n_arguments, 0);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
}
END_TEST

/* A Pair: bytes, a string, an enum, another service's handle and structure, a number. */
static Edge_Pair
make_pair(const uint8_t *raw, size_t len, krpc_value_t *box)
{
	return (Edge_Pair){ (uint8_t *)raw, len, "str", Edge_Mode_Negative, { 9 }, box, 77 };
}

START_TEST(test_structures)
{
	static const uint8_t raw[] = { 1, 2, 3 };
	krpc_value_t *box = krpc_value_collection(KRPC_TYPE_STRUCT), *tree = NULL, *list;
	Edge_Pair pair, got;

	ck_assert_int_eq(krpc_value_append(box, krpc_value_sint32(4)), KRPC_OK);
	pair = make_pair(raw, sizeof raw, box);
	/* A C struct to a STRUCT tree and back, member for member. */
	ck_assert_int_eq(Edge_Pair_encode(&pair, &tree), KRPC_OK);
	ck_assert_int_eq(krpc_value_code(tree), KRPC_TYPE_STRUCT);
	ck_assert_uint_eq(krpc_value_count(tree), 6);
	ck_assert_int_eq(Edge_Pair_decode(tree, &got), KRPC_OK);
	ck_assert_uint_eq(got.first_len, 3);
	ck_assert(memcmp(got.first, raw, 3) == 0);
	ck_assert_str_eq(got.out_, "str");
	ck_assert_int_eq(got.mode, Edge_Mode_Negative);
	ck_assert_uint_eq(got.widget.id, 9);
	ck_assert(krpc_value_equal(got.box, box));
	ck_assert_uint_eq(got.first_len_, 77);
	Edge_Pair_free(&got);
	ck_assert_ptr_null(got.first);
	ck_assert_ptr_null(got.box);
	krpc_value_free(tree);
	/* Members are never null: the error says so (recorded, not a stale message). */
	krpc_error_set(KRPC_ERR_IO, "an earlier failure");
	pair.out_ = NULL;
	ck_assert_int_eq(Edge_Pair_encode(&pair, &tree), KRPC_ERR_ARG);
	ck_assert_str_eq(krpc_error_message(), "a string member is NULL");
	ck_assert_ptr_null(tree);
	/* Decoding wants a tuple or structure with enough members. */
	list = krpc_value_collection(KRPC_TYPE_LIST);
	ck_assert_int_eq(Edge_Pair_decode(list, &got), KRPC_ERR_TYPE);
	ck_assert_str_eq(krpc_error_message(), "not a tuple or structure");
	ck_assert_int_eq(Edge_Pair_decode(box, &got), KRPC_ERR_TYPE);	/* one member, not six */
	ck_assert_str_eq(krpc_error_message(), "1 members; expected 6");
	ck_assert_ptr_null(got.first);
	krpc_value_free(list);
	krpc_value_free(box);
}
END_TEST

/* The tuple of every kind of member: encoded, sent, decoded back the same. */
START_TEST(test_tuples)
{
	typedef Edge_Tuple8_Tuple2_double_double_Thing_Mode_value_Pair_bytes_OtherWidget_string nested_t;
	static const uint8_t raw[] = { 1, 2, 3 }, five[] = { 5 };
	krpc_value_t *box = krpc_value_collection(KRPC_TYPE_STRUCT), *list = krpc_value_collection(KRPC_TYPE_LIST);
	krpc_value_t *call = NULL, *tree = NULL, *decoded = NULL;
	Krpc__Schema__ProcedureCall *pc;
	krpc_type_t *type;
	nested_t x, back;
	uint8_t *bytes;
	size_t len;

	krpc_value_append(box, krpc_value_sint32(4));
	krpc_value_append(list, krpc_value_double(0.5));
	x = (nested_t){ { 1.5, -2.5 }, { 11 }, Edge_Mode_On, list, make_pair(raw, 3, box), (uint8_t *)five, 1,
	    Other_Widget_NULL, "s" };
	ck_assert_int_eq(Edge_Nested_call(&call, &x), KRPC_OK);
	pc = unpack_call(call, "Nested");
	/* The argument's bytes are the encoding of the tree the encoder makes. */
	ck_assert_int_eq(Edge_Tuple8_Tuple2_double_double_Thing_Mode_value_Pair_bytes_OtherWidget_string_encode(
	    &x, &tree), KRPC_OK);
	ck_assert_int_eq(krpc_value_encode(tree, &bytes, &len), KRPC_OK);
	assert_arg(pc, 0, bytes, len);
	type = krpc_type_parse("tuple(tuple(double, double), class(Edge.Thing), enum(Edge.Mode), list(double), "
	    "struct(Edge.Pair: bytes, string, enum(Edge.Mode), class(Other.Widget), struct(Other.Box: sint32), "
	    "uint64), bytes, class(Other.Widget), string)", NULL, 0);
	ck_assert_ptr_nonnull(type);
	ck_assert_msg(krpc_value_decode(type, bytes, len, false, &decoded, NULL, 0) == KRPC_OK, "%s",
	    krpc_error_message());
	ck_assert_int_eq(Edge_Tuple8_Tuple2_double_double_Thing_Mode_value_Pair_bytes_OtherWidget_string_decode(
	    decoded, &back), KRPC_OK);
	ck_assert(back.e0.e0 == 1.5 && back.e0.e1 == -2.5);
	ck_assert_uint_eq(back.e1.id, 11);
	ck_assert_int_eq(back.e2, Edge_Mode_On);
	ck_assert(krpc_value_equal(back.e3, list));
	ck_assert_str_eq(back.e4.out_, "str");
	ck_assert_uint_eq(back.e4.widget.id, 9);
	ck_assert(back.e5_len == 1 && back.e5[0] == 5);
	ck_assert_uint_eq(back.e6.id, 0);		/* the null object */
	ck_assert_str_eq(back.e7, "s");
	Edge_Tuple8_Tuple2_double_double_Thing_Mode_value_Pair_bytes_OtherWidget_string_free(&back);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	krpc_value_free(decoded);
	krpc_type_free(type);
	krpc_value_free(tree);
	free(bytes);
	krpc_value_free(list);
	krpc_value_free(box);
}
END_TEST

START_TEST(test_status_decode)
{
	Krpc__Schema__Status msg = KRPC__SCHEMA__STATUS__INIT;
	uint8_t buf[512], extra[] = { 0xc8, 0x06, 0x01, 0xd1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0xda, 0x06, 0x01, 'z' };
	krpc_value_t *v;
	Edge_Status st;
	size_t len;

	msg.version = "1.2.3";
	msg.bytes_read = UINT64_C(1) << 40;
	msg.bytes_written = 12345;
	msg.bytes_read_rate = 1.5f;
	msg.rpcs_executed = 99;
	msg.one_rpc_per_update = true;
	msg.max_time_per_update = 5000;
	msg.recv_timeout = 1000;
	msg.stream_rpcs = 7;
	msg.stream_rpcs_executed = UINT64_C(1) << 33;
	msg.time_per_stream_update = 0.25f;
	len = krpc__schema__status__pack(&msg, buf);
	/* Unknown fields (varint, fixed64, bytes) after the known ones are skipped. */
	memcpy(buf + len, extra, sizeof extra);
	v = krpc_value_message(KRPC_TYPE_STATUS, buf, len + sizeof extra);
	ck_assert_int_eq(Edge_Status_decode(v, &st), KRPC_OK);
	ck_assert_str_eq(st.version, "1.2.3");
	ck_assert(st.bytes_read == UINT64_C(1) << 40);
	ck_assert_uint_eq(st.bytes_written, 12345);
	ck_assert(st.bytes_read_rate == 1.5f);
	ck_assert_uint_eq(st.rpcs_executed, 99);
	ck_assert(st.one_rpc_per_update);
	ck_assert(!st.adaptive_rate_control);
	ck_assert_uint_eq(st.max_time_per_update, 5000);
	ck_assert_uint_eq(st.recv_timeout, 1000);
	ck_assert_uint_eq(st.stream_rpcs, 7);
	ck_assert(st.stream_rpcs_executed == UINT64_C(1) << 33);
	ck_assert(st.time_per_stream_update == 0.25f);
	Edge_Status_free(&st);
	ck_assert_ptr_null(st.version);
	krpc_value_free(v);
	/* Truncated: an error, nothing left allocated. */
	v = krpc_value_message(KRPC_TYPE_STATUS, buf, 4);
	ck_assert_int_eq(Edge_Status_decode(v, &st), KRPC_ERR_MALFORMED);
	ck_assert_ptr_null(st.version);
	krpc_value_free(v);
	/* Empty: all defaults, version "". */
	v = krpc_value_message(KRPC_TYPE_STATUS, "", 0);
	ck_assert_int_eq(Edge_Status_decode(v, &st), KRPC_OK);
	ck_assert_str_eq(st.version, "");
	ck_assert_uint_eq(st.rpcs_executed, 0);
	Edge_Status_free(&st);
	krpc_value_free(v);
	/* Not a status. */
	v = krpc_value_sint32(1);
	ck_assert_int_eq(Edge_Status_decode(v, &st), KRPC_ERR_TYPE);
	krpc_value_free(v);
}
END_TEST

START_TEST(test_foreign_types)
{
	static const uint8_t three[] = { 0x03 }, two[] = { 0x04 };
	Krpc__Schema__ProcedureCall *pc;
	krpc_value_t *call = NULL, *box = krpc_value_collection(KRPC_TYPE_STRUCT);

	krpc_value_append(box, krpc_value_sint32(1));
	ck_assert_int_eq(Edge_Foreign_call(&call, (Other_Widget){ 3 }, Edge_Foreign_m_DEFAULT, box), KRPC_OK);
	pc = unpack_call(call, "Foreign");
	assert_arg(pc, 0, three, 1);
	assert_arg(pc, 1, two, 1);
	ck_assert_ptr_nonnull(arg_at(pc, 2));
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	krpc_value_free(box);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("stubgen_edge");
	TCase *tc = tcase_create("edge");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_defaults_left_out);
	tcase_add_test(tc, test_default_macros);
	tcase_add_test(tc, test_nulls);
	tcase_add_test(tc, test_keywords_and_encodings);
	tcase_add_test(tc, test_structures);
	tcase_add_test(tc, test_tuples);
	tcase_add_test(tc, test_status_decode);
	tcase_add_test(tc, test_foreign_types);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
