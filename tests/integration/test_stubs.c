/*
 * Integration tests of krpc-stubgen's output: the installed stubs of KRPC,
 * TestService and Benchmark (libkrpcmux-stubs), called against krpc-sim (every kind of parameter and result,
 * nulls, defaults, structures, collections, events, streams, get-calls,
 * errors, the decoded status).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libtest.h"
#include <krpcmux/KRPC.h>
#include <krpcmux/TestService.h>
#include <krpcmux/Benchmark.h>

/* Asserts a stub call succeeded. */
#define OK(expr) LT_OK(expr)

/* A list of sint32 values (a new tree). */
static krpc_value_t *
int_list(size_t n, const int32_t *v)
{
	krpc_value_t *l = krpc_value_collection(KRPC_TYPE_LIST);
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(krpc_value_append(l, krpc_value_sint32(v[i])), KRPC_OK);
	return l;
}

/* Item i of a collection as an int32_t. */
static int32_t
item_int(const krpc_value_t *v, size_t i)
{
	int32_t x = -1;

	ck_assert_int_eq(krpc_value_as_sint32(krpc_value_item(v, i), &x), KRPC_OK);
	return x;
}

START_TEST(test_scalars_and_strings)
{
	krpc_client_t *c = lt_client("stubs");
	static const uint8_t bytes[] = { 0xde, 0xad, 0xbe, 0xef };
	char *s = NULL;
	int32_t i = 0;

	OK(TestService_FloatToString(c, 3.14159f, &s));
	ck_assert_str_eq(s, "3.14159");
	free(s);
	OK(TestService_DoubleToString(c, 3.14159, &s));
	ck_assert_str_eq(s, "3.14159");
	free(s);
	OK(TestService_Int64ToString(c, INT64_C(123456789000), &s));
	ck_assert_str_eq(s, "123456789000");
	free(s);
	OK(TestService_BoolToString(c, true, &s));
	ck_assert_str_eq(s, "True");
	free(s);
	OK(TestService_StringToInt32(c, " 12345", &i));
	ck_assert_int_eq(i, 12345);
	OK(TestService_BytesToHexString(c, bytes, sizeof bytes, &s));
	ck_assert_str_eq(s, "deadbeef");
	free(s);
	OK(TestService_AddMultipleValues(c, 0.14159f, 1, 2, &s));
	ck_assert_str_eq(s, "3.14159");
	free(s);
	/* A result nobody wants is fine. */
	OK(TestService_Int32ToString(c, 42, NULL));
	krpc_client_close(c);
}
END_TEST

START_TEST(test_objects_and_nulls)
{
	krpc_client_t *c = lt_client("stubs");
	TestService_TestClass jeb = TestService_TestClass_NULL, bob = TestService_TestClass_NULL;
	TestService_TestClass o = { 99 };
	TestService_TestStruct st = { 1, NULL, TestService_TestEnum_ValueA, NULL };
	char *s = NULL;
	int32_t n = 0, seven = 7;
	bool null = false;
	krpc_value_t *v = (krpc_value_t *)1;

	OK(TestService_CreateTestObject(c, "jeb", &jeb));
	OK(TestService_CreateTestObject(c, "bob", &bob));
	ck_assert_uint_ne(jeb.id, 0);
	ck_assert_uint_ne(jeb.id, bob.id);
	OK(TestService_TestClass_GetValue(c, jeb, &s));
	ck_assert_str_eq(s, "value=jeb");
	free(s);
	OK(TestService_TestClass_ObjectToString(c, bob, TestService_TestClass_NULL, &s));
	ck_assert_str_eq(s, "bobnull");
	free(s);
	OK(TestService_TestClass_set_IntProperty(c, bob, 17));
	OK(TestService_TestClass_get_IntProperty(c, bob, &n));
	ck_assert_int_eq(n, 17);
	/* The NULL handle (id 0) is the null object, both ways. */
	OK(TestService_EchoTestObject(c, TestService_TestClass_NULL, &o));
	ck_assert_uint_eq(o.id, 0);
	OK(TestService_TestClass_static_StaticNullableObject(c, jeb, &o));
	ck_assert_uint_eq(o.id, jeb.id);
	LT_FAILS(TestService_NotNullableObject(c, TestService_TestClass_NULL, &o), KRPC_ERR_RPC);
	ck_assert_ptr_nonnull(strstr(krpc_error_description(), "got null"));
	LT_FAILS(TestService_ReturnNullWhenNotAllowed(c, &o), KRPC_ERR_RPC);
	ck_assert_uint_eq(o.id, 0);
	/* Nullable strings, numbers and values: NULL sends null, null comes back as NULL. */
	OK(TestService_EchoNullableString(c, NULL, &s));
	ck_assert_ptr_null(s);
	OK(TestService_EchoNullableString(c, "x", &s));
	ck_assert_str_eq(s, "x");
	free(s);
	OK(TestService_EchoNullableInt(c, NULL, &n, &null));
	ck_assert(null);
	ck_assert_int_eq(n, 0);
	OK(TestService_EchoNullableInt(c, &seven, &n, &null));
	ck_assert(!null);
	ck_assert_int_eq(n, 7);
	OK(TestService_EchoNullableList(c, NULL, &v));
	ck_assert_ptr_null(v);
	OK(TestService_StructEchoNullable(c, NULL, &st, &null));
	ck_assert(null);
	ck_assert_int_eq(st.IntField, 0);		/* null: zeroed */
	krpc_client_close(c);
}
END_TEST

START_TEST(test_defaults)
{
	krpc_client_t *c = lt_client("stubs");
	TestService_TestClass obj = TestService_TestClass_NULL;
	TestService_TestEnum e = TestService_TestEnum_ValueA;
	TestService_TestStruct st;
	TestService_Tuple2_sint32_bool tuple;
	krpc_value_t *v = NULL;
	char *s = NULL;
	double d;

	/* NULL leaves a defaulted string out; the macros send the same defaults. */
	OK(TestService_OptionalArguments(c, "jeb", NULL, NULL, TestService_TestClass_NULL, &s));
	ck_assert_str_eq(s, "jebfoobarnull");
	free(s);
	OK(TestService_OptionalArguments(c, "jeb", TestService_OptionalArguments_y_DEFAULT,
	    TestService_OptionalArguments_z_DEFAULT, TestService_OptionalArguments_obj_DEFAULT, &s));
	ck_assert_str_eq(s, "jebfoobarnull");
	free(s);
	OK(TestService_CreateTestObject(c, "bill", &obj));
	OK(TestService_TestClass_OptionalArguments(c, obj, "a", "b", NULL, obj, &s));
	ck_assert_str_eq(s, "abbarbill");
	free(s);
	OK(TestService_EnumDefaultArg(c, TestService_EnumDefaultArg_x_DEFAULT, &e));
	ck_assert_int_eq(e, TestService_TestEnum_ValueC);
	OK(TestService_Counter(c, lt_id("stubs"), TestService_Counter_divisor_DEFAULT, NULL));
	/* Value defaults: NULL leaves them out. */
	OK(TestService_ListDefault(c, NULL, &v));
	ck_assert_uint_eq(krpc_value_count(v), 3);
	ck_assert_int_eq(item_int(v, 2), 3);
	krpc_value_free(v);
	OK(TestService_EmptyListDefault(c, NULL, &v));
	ck_assert_uint_eq(krpc_value_count(v), 0);
	krpc_value_free(v);
	OK(TestService_StructDefault(c, NULL, &st));
	ck_assert_str_eq(st.StringField, "jeb");
	TestService_TestStruct_free(&st);
	ck_assert_ptr_null(st.StringField);
	OK(TestService_TupleDefault(c, NULL, &tuple));
	ck_assert_int_eq(tuple.e0, 1);
	ck_assert(!tuple.e1);
	TestService_Tuple2_sint32_bool_free(&tuple);
	/* Special values survive the macros. */
	OK(TestService_DoubleSpecialDefaults(c, TestService_DoubleSpecialDefaults_nan_DEFAULT,
	    TestService_DoubleSpecialDefaults_infinity_DEFAULT,
	    TestService_DoubleSpecialDefaults_negativeInfinity_DEFAULT,
	    TestService_DoubleSpecialDefaults_maximum_DEFAULT,
	    TestService_DoubleSpecialDefaults_lowest_DEFAULT, &v));
	ck_assert_uint_eq(krpc_value_count(v), 5);
	OK(krpc_value_as_double(krpc_value_item(v, 0), &d));
	ck_assert(isnan(d));
	OK(krpc_value_as_double(krpc_value_item(v, 2), &d));
	ck_assert(isinf(d) && d < 0);
	OK(krpc_value_as_double(krpc_value_item(v, 4), &d));
	ck_assert(d == -1.7976931348623157e308);
	krpc_value_free(v);
	OK(TestService_Int64SpecialDefaults(c, TestService_Int64SpecialDefaults_maximum_DEFAULT,
	    TestService_Int64SpecialDefaults_minimum_DEFAULT, &v));
	krpc_value_free(v);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_enums_structs_collections)
{
	krpc_client_t *c = lt_client("stubs");
	static const int32_t one_two[] = { 1, 2 };
	TestService_TestStruct st, back;
	TestService_TestNestedStruct nest, nest_back;
	TestService_Tuple2_sint32_sint64 t = { 1, 2 }, t_back;
	TestService_TestEnum e = TestService_TestEnum_ValueA;
	TestService_TestClass obj = TestService_TestClass_NULL;
	krpc_value_t *l, *v = NULL;

	OK(TestService_EnumReturn(c, &e));
	ck_assert_int_eq(e, TestService_TestEnum_ValueB);
	OK(TestService_EnumEcho(c, TestService_TestEnum_ValueC, &e));
	ck_assert_int_eq(e, TestService_TestEnum_ValueC);
	/* A structure is a C struct, echoed member for member. */
	st = (TestService_TestStruct){ 42, "jeb", TestService_TestEnum_ValueB, int_list(2, one_two) };
	OK(TestService_StructEcho(c, &st, &back));
	ck_assert_int_eq(back.IntField, 42);
	ck_assert_str_eq(back.StringField, "jeb");
	ck_assert_int_eq(back.EnumField, TestService_TestEnum_ValueB);
	ck_assert(krpc_value_equal(back.ListField, st.ListField));
	ck_assert_int_eq(item_int(back.ListField, 1), 2);
	TestService_TestStruct_free(&back);
	/* Members are never null: a NULL string is refused before anything is sent. */
	st.StringField = NULL;
	LT_FAILS(TestService_StructEcho(c, &st, &back), KRPC_ERR_ARG);
	ck_assert_str_eq(krpc_error_message(), "a string member is NULL");
	st.StringField = "jeb";
	/* Nested, with an object inside; the encoded tree is what the server gets. */
	OK(TestService_CreateTestObject(c, "nested", &obj));
	nest = (TestService_TestNestedStruct){ st, obj, "outer" };
	OK(TestService_NestedStructEcho(c, &nest, &nest_back));
	ck_assert_uint_eq(nest_back.ObjectField.id, obj.id);
	ck_assert_str_eq(nest_back.StructField.StringField, "jeb");
	ck_assert_str_eq(nest_back.StringField, "outer");
	TestService_TestNestedStruct_free(&nest_back);
	ck_assert_ptr_null(nest_back.StringField);
	OK(TestService_TestNestedStruct_encode(&nest, &v));
	ck_assert_int_eq(krpc_value_code(v), KRPC_TYPE_STRUCT);
	ck_assert_uint_eq(krpc_value_count(v), 3);
	OK(TestService_TestNestedStruct_decode(v, &nest_back));
	ck_assert_str_eq(nest_back.StructField.StringField, "jeb");
	TestService_TestNestedStruct_free(&nest_back);
	krpc_value_free(v);
	/* Decoding a value of another shape says why. */
	v = krpc_value_sint32(1);
	LT_FAILS(TestService_TestStruct_decode(v, &back), KRPC_ERR_TYPE);
	ck_assert_str_eq(krpc_error_message(), "not a tuple or structure");
	krpc_value_free(v);
	TestService_TestStruct_free(&back);
	krpc_value_free(st.ListField);
	/* Tuples are C structs too. */
	OK(TestService_IncrementTuple(c, &t, &t_back));
	ck_assert_int_eq(t_back.e0, 2);
	ck_assert_int_eq(t_back.e1, 3);
	/* Other collections are value trees in and out. */
	l = int_list(2, one_two);
	OK(TestService_IncrementList(c, l, &v));
	ck_assert_int_eq(item_int(v, 0), 2);
	krpc_value_free(v);
	krpc_value_free(l);
	/* A non-nullable collection left NULL is sent as null and refused. */
	LT_FAILS(TestService_IncrementList(c, NULL, &v), KRPC_ERR_RPC);
	ck_assert_ptr_null(v);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_errors)
{
	krpc_client_t *c = lt_client("stubs");
	int32_t n = 5;

	LT_FAILS(TestService_ThrowCustomException(c, &n), KRPC_ERR_RPC);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(krpc_error_service(), "TestService");
	ck_assert_str_eq(krpc_error_name(), "CustomException");
	ck_assert_str_eq(krpc_error_description(), "A custom kRPC exception");
	LT_FAILS(TestService_ThrowArgumentException(c, &n), KRPC_ERR_RPC);
	ck_assert_str_eq(krpc_error_service(), "KRPC");
	ck_assert_str_eq(krpc_error_name(), "ArgumentException");
	LT_FAILS(TestService_StringToInt32(c, "x", &n), KRPC_ERR_RPC);
	ck_assert_str_eq(krpc_error_service(), "");
	krpc_client_close(c);
}
END_TEST

START_TEST(test_streams_events_calls)
{
	krpc_client_t *c = lt_client("stubs");
	krpc_stream_t *st = NULL, *st2 = NULL;
	krpc_event_t *ev = NULL;
	krpc_value_t *call = NULL, *costs = NULL;
	TestService_TestClass obj = TestService_TestClass_NULL;
	TestService_Tuple2_sint32_sint64 tuple = { 7, 9 }, back;
	char *s = NULL;
	int32_t n = 0;

	/* A stream of a method: the same call gives the same stream. */
	OK(TestService_CreateTestObject(c, "streamed", &obj));
	OK(TestService_TestClass_set_IntProperty(c, obj, 5));
	OK(TestService_TestClass_get_IntProperty_stream(c, &st, obj));
	OK(TestService_TestClass_get_IntProperty_stream(c, &st2, obj));
	ck_assert_ptr_eq(st, st2);
	OK(krpc_stream_get_sint32(st, &n));
	ck_assert_int_eq(n, 5);
	OK(krpc_stream_remove(st2));
	OK(krpc_stream_remove(st));
	/* A stream of a tuple, read into its C struct. */
	OK(TestService_IncrementTuple_stream(c, &st, &tuple));
	OK(TestService_Tuple2_sint32_sint64_stream_get(st, &back));
	ck_assert_int_eq(back.e0, 8);
	ck_assert_int_eq(back.e1, 10);
	OK(krpc_stream_remove(st));
	OK(TestService_Int32ToString_stream(c, &st, 42));
	OK(krpc_stream_get_string(st, &s));
	ck_assert_str_eq(s, "42");
	free(s);
	OK(krpc_stream_remove(st));
	/* An event from a procedure returning EVENT. */
	OK(TestService_OnTimer(c, 50, TestService_OnTimer_repeats_DEFAULT, &ev));
	OK(krpc_event_lock(ev));
	OK(krpc_event_wait(ev, 10.0));
	krpc_event_unlock(ev);
	OK(krpc_event_remove(ev));
	/* A get-call, run by the server through Benchmark.Call. */
	OK(TestService_Int32ToString_call(&call, 7));
	ck_assert_int_eq(krpc_value_code(call), KRPC_TYPE_PROCEDURE_CALL);
	OK(Benchmark_Call(c, call, 3, &costs));
	ck_assert_int_eq(krpc_value_code(costs), KRPC_TYPE_DICTIONARY);
	ck_assert_uint_gt(krpc_value_count(costs), 0);
	krpc_value_free(costs);
	/* ...and through a stream of the call value. */
	OK(krpc_stream_add_call(c, call, "string", &st));
	OK(krpc_stream_get_string(st, &s));
	ck_assert_str_eq(s, "7");
	free(s);
	OK(krpc_stream_remove(st));
	krpc_value_free(call);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_krpc_stubs)
{
	krpc_client_t *c = lt_client("stubs-krpc");
	KRPC_Status status;
	KRPC_GameScene scene = KRPC_GameScene_SpaceCenter;
	KRPC_Expression a = KRPC_Expression_NULL, b = KRPC_Expression_NULL, eq = KRPC_Expression_NULL;
	krpc_value_t *call = NULL, *v = NULL;
	krpc_stream_t *st = NULL;
	krpc_event_t *ev = NULL;
	uint8_t *id = NULL;
	size_t len = 0;
	char *name = NULL;
	int32_t n;

	OK(KRPC_GetClientID(c, &id, &len));
	ck_assert_uint_eq(len, 16);
	ck_assert(memcmp(id, krpc_client_id(c), 16) == 0);
	free(id);
	OK(KRPC_GetClientName(c, &name));
	ck_assert_str_eq(name, "stubs-krpc");
	free(name);
	/* The stub decodes the scene the generic call reads (krpc-sim: Flight, TestServer: SpaceCenter). */
	OK(KRPC_get_GameScene(c, &scene));
	v = lt_call(c, "KRPC", "get_GameScene", "enum(KRPC.GameScene)", 0);
	OK(krpc_value_as_enum(v, &n));
	ck_assert_int_eq(scene, n);
	krpc_value_free(v);
	v = NULL;
	/* The status, decoded from a call and from a stream. */
	OK(KRPC_GetStatus(c, &status));
	ck_assert_ptr_nonnull(status.version);
	ck_assert_str_ne(status.version, "");
	ck_assert_uint_gt(status.rpcs_executed, 0);
	ck_assert_uint_gt(status.bytes_read, 0);
	KRPC_Status_free(&status);
	OK(KRPC_GetStatus_stream(c, &st));
	OK(krpc_stream_get(st, &v));
	OK(KRPC_Status_decode(v, &status));
	ck_assert_uint_ge(status.stream_rpcs, 1);
	KRPC_Status_free(&status);
	krpc_value_free(v);
	OK(krpc_stream_remove(st));
	LT_FAILS(KRPC_Status_decode(NULL, &status), KRPC_ERR_TYPE);
	/* An event from expressions built with the stubs: Int32ToString(1) == "1". */
	OK(TestService_Int32ToString_call(&call, 1));
	OK(KRPC_Expression_static_Call(c, call, &a));
	OK(KRPC_Expression_static_ConstantString(c, "1", &b));
	OK(KRPC_Expression_static_Equal(c, a, b, &eq));
	OK(KRPC_AddEvent(c, eq, &ev));
	OK(krpc_event_lock(ev));
	OK(krpc_event_wait(ev, 10.0));
	krpc_event_unlock(ev);
	OK(krpc_event_remove(ev));
	krpc_value_free(call);
	krpc_client_close(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("stubs");
	TCase *tc = tcase_create("generated");
	SRunner *sr;
	int failed;

	lt_tcase(tc, 60);
	tcase_add_test(tc, test_scalars_and_strings);
	tcase_add_test(tc, test_objects_and_nulls);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_enums_structs_collections);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_streams_events_calls);
	tcase_add_test(tc, test_krpc_stubs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
