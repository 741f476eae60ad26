/*
 * Integration tests of krpc-sim's TestService and Benchmark services through
 * a real krpc-sim over TCP: what the kRPC client test suites check
 * (TESTSERVICE.md section 7), with the exact texts.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svctest.h"

#define STRUCT_T "struct(TestService.TestStruct: sint32, string, enum(TestService.TestEnum), list(sint32))"

/* ---- Helpers ---------------------------------------------------------- */

/* A TestStruct value. */
static krpc_value_t *
test_struct(int32_t i, const char *s, int32_t e, krpc_value_t *list)
{
	krpc_value_t *v = krpc_value_collection(KRPC_TYPE_STRUCT);

	ck_assert(krpc_value_append(v, krpc_value_sint32(i)) == KRPC_OK);
	ck_assert(krpc_value_append(v, krpc_value_string(s)) == KRPC_OK);
	ck_assert(krpc_value_append(v, krpc_value_enum(e)) == KRPC_OK);
	ck_assert(krpc_value_append(v, list) == KRPC_OK);
	return v;
}

/* Checks a TestStruct's IntField, StringField and EnumField. */
static void
check_struct(const krpc_value_t *v, int32_t i, const char *s, int32_t e)
{
	int32_t x;

	ck_assert_uint_ge(krpc_value_count(v), 4);
	ck_assert(krpc_value_as_sint32(krpc_value_item(v, 0), &x) == KRPC_OK);
	ck_assert_int_eq(x, i);
	ck_assert_str_eq(krpc_value_str(krpc_value_item(v, 1), NULL), s);
	ck_assert(krpc_value_as_enum(krpc_value_item(v, 2), &x) == KRPC_OK);
	ck_assert_int_eq(x, e);
}

/* Calls a procedure returning EVENT and returns the event's stream id. */
static uint64_t
call_event(th_client_t *c, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	uint64_t id;
	va_list ap;

	va_start(ap, n);
	v = svt_vcall_ok(c, "event", TS, proc, n, ap);
	va_end(ap);
	id = svt_stream_id(v, KRPC_TYPE_EVENT);
	krpc_value_free(v);
	return id;
}

/* The service description named name in a Services message, or NULL. */
static const Krpc__Schema__Service *
find_service(const Krpc__Schema__Services *all, const char *name)
{
	size_t i;

	for (i = 0; i < all->n_services; i++) {
		if (strcmp(all->services[i]->name, name) == 0)
			return all->services[i];
	}
	return NULL;
}

/* The procedure named name in a service description (NULL if absent). */
static const Krpc__Schema__Procedure *
find_proc(const Krpc__Schema__Service *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_procedures; i++) {
		if (strcmp(s->procedures[i]->name, name) == 0)
			return s->procedures[i];
	}
	return NULL;
}

/* KRPC.GetServices, unpacked (free with krpc__schema__services__free_unpacked). */
static Krpc__Schema__Services *
get_services(th_client_t *c)
{
	krpc_value_t *v = svt_call_ok(c, "services", "KRPC", "GetServices", 0);
	Krpc__Schema__Services *all;
	const uint8_t *data;
	size_t len = 0;

	data = krpc_value_data(v, &len);
	all = krpc__schema__services__unpack(NULL, len, data);
	ck_assert_msg(all != NULL, "GetServices: bad message");
	krpc_value_free(v);
	return all;
}

/* The documentation string of a summary text. */
static const char *
doc(const char *text)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "<doc>\n<summary>\n%s\n</summary>\n</doc>", text);
	return buf;
}

/* Hex of bytes (static storage). */
static const char *
hex(const uint8_t *p, size_t len)
{
	static char buf[256];
	size_t i;

	for (i = 0; i < len && i < 120; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	buf[2 * i] = '\0';
	return buf;
}

/* ---- TestService: values ---------------------------------------------- */

START_TEST(test_value_conversions)
{
	th_client_t *c = svt_cli();
	struct svt_err e;

	svt_expect_str(c, "3.14159", TS, "FloatToString", 1, krpc_value_float(3.14159f));
	svt_expect_str(c, "42", TS, "FloatToString", 1, krpc_value_float(42));
	svt_expect_str(c, "0.123", TS, "FloatToString", 1, krpc_value_float(0.123f));
	svt_expect_str(c, "-0.5", TS, "FloatToString", 1, krpc_value_float(-0.5f));
	svt_expect_str(c, "1E+20", TS, "FloatToString", 1, krpc_value_float(1e20f));
	svt_expect_str(c, "NaN", TS, "FloatToString", 1, krpc_value_float(NAN));
	svt_expect_str(c, "3.14159", TS, "DoubleToString", 1, krpc_value_double(3.14159));
	svt_expect_str(c, "0.30000000000000004", TS, "DoubleToString", 1, krpc_value_double(0.1 + 0.2));
	svt_expect_str(c, "1E-05", TS, "DoubleToString", 1, krpc_value_double(1e-5));
	svt_expect_str(c, "-Infinity", TS, "DoubleToString", 1, krpc_value_double(-INFINITY));
	svt_expect_str(c, "42", TS, "Int32ToString", 1, krpc_value_sint32(42));
	svt_expect_str(c, "-2147483648", TS, "Int32ToString", 1, krpc_value_sint32(INT32_MIN));
	svt_expect_str(c, "123456789000", TS, "Int64ToString", 1, krpc_value_sint64(123456789000LL));
	svt_expect_str(c, "True", TS, "BoolToString", 1, krpc_value_bool(true));
	svt_expect_str(c, "False", TS, "BoolToString", 1, krpc_value_bool(false));
	ck_assert_int_eq(svt_call_int(c, "sint32", TS, "StringToInt32", 1, krpc_value_string("12345")),
	    12345);
	ck_assert_int_eq(svt_call_int(c, "sint32", TS, "StringToInt32", 1, krpc_value_string(" -42 ")),
	    -42);
	svt_call_err(&e, c, TS, "StringToInt32", 1, krpc_value_string("foo"));
	svt_check_err(&e, "", "", NULL);
	ck_assert(!e.request_level);
	svt_call_err(&e, c, TS, "StringToInt32", 1, krpc_value_string("99999999999"));
	svt_check_err(&e, "", "", NULL);
	svt_expect_str(c, "deadbeef", TS, "BytesToHexString", 1,
	    krpc_value_bytes("\xde\xad\xbe\xef", 4));
	svt_expect_str(c, "", TS, "BytesToHexString", 1, krpc_value_bytes("", 0));
	svt_expect_str(c, "3.14159", TS, "AddMultipleValues", 3, krpc_value_float(0.14159f),
	    krpc_value_sint32(1), krpc_value_sint64(2));
	svt_expect_str(c, "6", TS, "AddMultipleValues", 3, krpc_value_float(1), krpc_value_sint32(2),
	    krpc_value_sint64(3));
	th_client_close(c);
}
END_TEST

START_TEST(test_optional_arguments)
{
	th_client_t *c = svt_cli();
	uint64_t bob = svt_call_obj(c, "class(TestService.TestClass)", TS, "CreateTestObject", 1,
	    krpc_value_string("bob"));
	struct svt_err e;

	svt_expect_str(c, "jebfoobarnull", TS, "OptionalArguments", 1, krpc_value_string("jeb"));
	svt_expect_str(c, "jebabnull", TS, "OptionalArguments", 3, krpc_value_string("jeb"),
	    krpc_value_string("a"), krpc_value_string("b"));
	svt_expect_str(c, "jebfoobarbob", TS, "OptionalArguments", 4, krpc_value_string("jeb"), NULL,
	    NULL, krpc_value_object(bob));
	svt_expect_str(c, "jebfoobarnull", TS, "OptionalArguments", 4, krpc_value_string("jeb"), NULL,
	    NULL, krpc_value_null(KRPC_TYPE_CLASS));
	svt_expect_str(c, "jebfoozbob", TS, "TestClass_OptionalArguments", 5, krpc_value_object(bob),
	    krpc_value_string("jeb"), NULL, krpc_value_string("z"), krpc_value_object(bob));
	svt_expect_str(c, "jeb", TS, "TestClass_static_StaticMethod", 0);
	svt_expect_str(c, "jebbobbill", TS, "TestClass_static_StaticMethod", 2,
	    krpc_value_string("bob"), krpc_value_string("bill"));
	ck_assert_int_eq(svt_call_int(c, "enum(TestService.TestEnum)", TS, "EnumDefaultArg", 0), 2);
	svt_call_err(&e, c, TS, "OptionalArguments", 0);
	svt_check_err(&e, "", "", "Argument not specified for parameter x in TestService.OptionalArguments");
	th_client_close(c);
}
END_TEST

START_TEST(test_nullable)
{
	th_client_t *c = svt_cli();
	krpc_value_t *v;
	struct svt_err e;

	svt_expect_null(c, "string", TS, "EchoNullableString", 1, krpc_value_null(KRPC_TYPE_STRING));
	svt_expect_str(c, "x", TS, "EchoNullableString", 1, krpc_value_string("x"));
	svt_expect_null(c, "list(sint32)", TS, "EchoNullableList", 1, krpc_value_null(KRPC_TYPE_LIST));
	v = svt_call_ok(c, "list(sint32)", TS, "EchoNullableList", 1, svt_ints(KRPC_TYPE_LIST, 2, 1, 2));
	svt_check_ints(v, 2, 1, 2);
	krpc_value_free(v);
	svt_expect_null(c, "sint32", TS, "EchoNullableInt", 1, krpc_value_null(KRPC_TYPE_SINT32));
	ck_assert_int_eq(svt_call_int(c, "sint32", TS, "EchoNullableInt", 1, krpc_value_sint32(-7)), -7);
	svt_expect_null(c, NULL, TS, "EchoTestObject", 1, krpc_value_null(KRPC_TYPE_CLASS));
	svt_expect_null(c, NULL, TS, "StructEchoNullable", 1, krpc_value_null(KRPC_TYPE_STRUCT));
	svt_expect_null(c, NULL, TS, "TestClass_static_StaticNullableObject", 1,
	    krpc_value_null(KRPC_TYPE_CLASS));

	svt_call_err(&e, c, TS, "NotNullableObject", 1, krpc_value_null(KRPC_TYPE_CLASS));
	svt_check_err(&e, "", "", "Incorrect argument type for parameter value in "
	    "TestService.NotNullableObject. Expected an argument of type "
	    "TestServer.TestService+TestClass, got null");
	svt_call_err(&e, c, TS, "ReturnNullWhenNotAllowed", 0);
	svt_check_err(&e, "", "", "Incorrect value returned by TestService.ReturnNullWhenNotAllowed. "
	    "Expected a non-null value of type TestServer.TestService+TestClass, got null, but the "
	    "procedure is not marked as nullable.");
	svt_call_err(&e, c, TS, "IncrementList", 1, krpc_value_null(KRPC_TYPE_LIST));
	svt_check_err(&e, "", "", NULL);
	ck_assert_msg(strncmp(e.desc, "Incorrect argument type for parameter l in "
	    "TestService.IncrementList. Expected an argument of type ", 96) == 0, "%s", e.desc);
	svt_call_err(&e, c, TS, "StructEcho", 1, krpc_value_null(KRPC_TYPE_STRUCT));
	svt_check_err(&e, "", "", NULL);
	th_client_close(c);
}
END_TEST

/* ---- TestService: collections, structures, enumerations ---------------- */

START_TEST(test_collections)
{
	th_client_t *c = svt_cli();
	krpc_value_t *v, *d, *t, *nested;
	int32_t x;
	int64_t y;
	bool b;

	v = svt_call_ok(c, "list(sint32)", TS, "IncrementList", 1, svt_ints(KRPC_TYPE_LIST, 3, 0, 1, 2));
	svt_check_ints(v, 3, 1, 2, 3);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(sint32)", TS, "IncrementList", 1, krpc_value_collection(KRPC_TYPE_LIST));
	ck_assert_uint_eq(krpc_value_count(v), 0);
	krpc_value_free(v);
	v = svt_call_ok(c, "set(sint32)", TS, "IncrementSet", 1, svt_ints(KRPC_TYPE_SET, 3, 5, 1, 2));
	ck_assert_uint_eq(krpc_value_count(v), 3);
	krpc_value_free(v);

	d = krpc_value_collection(KRPC_TYPE_DICTIONARY);
	ck_assert(krpc_value_put(d, krpc_value_string("a"), krpc_value_sint32(0)) == KRPC_OK);
	ck_assert(krpc_value_put(d, krpc_value_string("b"), krpc_value_sint32(1)) == KRPC_OK);
	v = svt_call_ok(c, "dict(string, sint32)", TS, "IncrementDictionary", 1, d);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	ck_assert_str_eq(krpc_value_str(krpc_value_key(v, 0), NULL), "a");
	ck_assert(krpc_value_as_sint32(krpc_value_val(v, 0), &x) == KRPC_OK);
	ck_assert_int_eq(x, 1);
	ck_assert(krpc_value_as_sint32(krpc_value_val(v, 1), &x) == KRPC_OK);
	ck_assert_int_eq(x, 2);
	krpc_value_free(v);

	t = krpc_value_collection(KRPC_TYPE_TUPLE);
	ck_assert(krpc_value_append(t, krpc_value_sint32(1)) == KRPC_OK);
	ck_assert(krpc_value_append(t, krpc_value_sint64(2)) == KRPC_OK);
	v = svt_call_ok(c, "tuple(sint32, sint64)", TS, "IncrementTuple", 1, t);
	ck_assert(krpc_value_as_sint32(krpc_value_item(v, 0), &x) == KRPC_OK);
	ck_assert(krpc_value_as_sint64(krpc_value_item(v, 1), &y) == KRPC_OK);
	ck_assert_int_eq(x, 2);
	ck_assert_int_eq(y, 3);
	krpc_value_free(v);

	nested = krpc_value_collection(KRPC_TYPE_DICTIONARY);
	ck_assert(krpc_value_put(nested, krpc_value_string("a"), svt_ints(KRPC_TYPE_LIST, 2, 0, 1)) ==
	    KRPC_OK);
	ck_assert(krpc_value_put(nested, krpc_value_string("b"),
	    krpc_value_collection(KRPC_TYPE_LIST)) == KRPC_OK);
	v = svt_call_ok(c, "dict(string, list(sint32))", TS, "IncrementNestedCollection", 1, nested);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	svt_check_ints(krpc_value_val(v, 0), 2, 1, 2);
	ck_assert_uint_eq(krpc_value_count(krpc_value_val(v, 1)), 0);
	krpc_value_free(v);

	/* Defaults of every collection kind, omitted. */
	v = svt_call_ok(c, "tuple(sint32, bool)", TS, "TupleDefault", 0);
	ck_assert(krpc_value_as_sint32(krpc_value_item(v, 0), &x) == KRPC_OK);
	ck_assert(krpc_value_as_bool(krpc_value_item(v, 1), &b) == KRPC_OK);
	ck_assert(x == 1 && !b);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(sint32)", TS, "ListDefault", 0);
	svt_check_ints(v, 3, 1, 2, 3);
	krpc_value_free(v);
	v = svt_call_ok(c, "set(sint32)", TS, "SetDefault", 0);
	svt_check_ints(v, 3, 1, 2, 3);
	krpc_value_free(v);
	v = svt_call_ok(c, "dict(sint32, bool)", TS, "DictionaryDefault", 0);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	ck_assert(krpc_value_as_sint32(krpc_value_key(v, 1), &x) == KRPC_OK && x == 2);
	ck_assert(krpc_value_as_bool(krpc_value_val(v, 1), &b) == KRPC_OK && b);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(enum(TestService.TestEnum))", TS, "EnumListDefault", 0);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	ck_assert(krpc_value_as_enum(krpc_value_item(v, 1), &x) == KRPC_OK && x == 2);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(string)", TS, "EmptyListDefault", 0);
	ck_assert_uint_eq(krpc_value_count(v), 0);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(sint32)", TS, "ListDefault", 1, svt_ints(KRPC_TYPE_LIST, 1, 9));
	svt_check_ints(v, 1, 9);
	krpc_value_free(v);
	th_client_close(c);
}
END_TEST

START_TEST(test_structs_and_enums)
{
	th_client_t *c = svt_cli();
	krpc_value_t *v, *l, *n;
	uint64_t obj, got;
	int32_t x;

	v = svt_call_ok(c, STRUCT_T, TS, "StructEcho", 1,
	    test_struct(7, "jeb", 2, svt_ints(KRPC_TYPE_LIST, 2, 4, 5)));
	check_struct(v, 7, "jeb", 2);
	svt_check_ints(krpc_value_item(v, 3), 2, 4, 5);
	krpc_value_free(v);
	v = svt_call_ok(c, STRUCT_T, TS, "StructDefault", 0);
	check_struct(v, 42, "jeb", 1);
	svt_check_ints(krpc_value_item(v, 3), 3, 1, 2, 3);
	krpc_value_free(v);
	v = svt_call_ok(c, STRUCT_T, TS, "StructEchoNullable", 1,
	    test_struct(1, "", 0, krpc_value_collection(KRPC_TYPE_LIST)));
	check_struct(v, 1, "", 0);
	krpc_value_free(v);

	l = krpc_value_collection(KRPC_TYPE_LIST);
	ck_assert(krpc_value_append(l, test_struct(1, "a", 0, svt_ints(KRPC_TYPE_LIST, 1, 10))) == KRPC_OK);
	ck_assert(krpc_value_append(l, test_struct(-1, "b", 2, krpc_value_collection(KRPC_TYPE_LIST))) ==
	    KRPC_OK);
	v = svt_call_ok(c, "list(" STRUCT_T ")", TS, "IncrementListOfStructs", 1, l);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	check_struct(krpc_value_item(v, 0), 2, "a", 0);
	svt_check_ints(krpc_value_item(krpc_value_item(v, 0), 3), 1, 10);
	check_struct(krpc_value_item(v, 1), 0, "b", 2);
	krpc_value_free(v);

	obj = svt_call_obj(c, "class(TestService.TestClass)", TS, "CreateTestObject", 1,
	    krpc_value_string("nested"));
	n = krpc_value_collection(KRPC_TYPE_STRUCT);
	ck_assert(krpc_value_append(n, test_struct(3, "in", 1, svt_ints(KRPC_TYPE_LIST, 1, 1))) ==
	    KRPC_OK);
	ck_assert(krpc_value_append(n, krpc_value_object(obj)) == KRPC_OK);
	ck_assert(krpc_value_append(n, krpc_value_string("out")) == KRPC_OK);
	v = svt_call_ok(c, "struct(TestService.TestNestedStruct: " STRUCT_T ", class(TestService.TestClass), "
	    "string)", TS, "NestedStructEcho", 1, n);
	check_struct(krpc_value_item(v, 0), 3, "in", 1);
	ck_assert(krpc_value_as_object(krpc_value_item(v, 1), &got) == KRPC_OK);
	ck_assert_uint_eq(got, obj);
	ck_assert_str_eq(krpc_value_str(krpc_value_item(v, 2), NULL), "out");
	krpc_value_free(v);

	ck_assert_int_eq(svt_call_int(c, "enum(TestService.TestEnum)", TS, "EnumReturn", 0), 1);
	ck_assert_int_eq(svt_call_int(c, "enum(TestService.TestEnum)", TS, "EnumEcho", 1,
	    krpc_value_enum(0)), 0);
	ck_assert_int_eq(svt_call_int(c, "enum(TestService.TestEnum)", TS, "EnumEcho", 1,
	    krpc_value_enum(2)), 2);
	x = svt_call_int(c, "enum(TestService.TestEnum)", TS, "EnumEcho", 1, krpc_value_enum(9));
	ck_assert_int_eq(x, 9);
	ck_assert_int_eq(svt_call_int(c, "enum(TestService.TestEnum)", TS, "EnumDefaultArg", 1,
	    krpc_value_enum(0)), 0);
	th_client_close(c);
}
END_TEST

/* ---- TestService: exceptions and special defaults ---------------------- */

START_TEST(test_exceptions)
{
	th_client_t *c = svt_cli();
	struct svt_err e;

	svt_call_err(&e, c, TS, "ThrowInvalidOperationException", 0);
	svt_check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");
	ck_assert(!e.request_level);
	svt_call_err(&e, c, TS, "ThrowArgumentException", 0);
	svt_check_err(&e, "KRPC", "ArgumentException", "Invalid argument");
	svt_call_err(&e, c, TS, "ThrowArgumentNullException", 1, krpc_value_string(""));
	svt_check_err(&e, "KRPC", "ArgumentNullException", "Value cannot be null. (Parameter 'foo')");
	svt_call_err(&e, c, TS, "ThrowArgumentOutOfRangeException", 1, krpc_value_sint32(0));
	svt_check_err(&e, "KRPC", "ArgumentOutOfRangeException",
	    "Specified argument was out of the range of valid values. (Parameter 'foo')");
	svt_call_err(&e, c, TS, "ThrowCustomException", 0);
	svt_check_err(&e, "TestService", "CustomException", "A custom kRPC exception");
	svt_call_err(&e, c, TS, "Counter", 2, krpc_value_string("div"), krpc_value_sint32(0));
	svt_check_err(&e, "", "", "Attempted to divide by zero.");
	/* The counter moved anyway (C#: ++ before /). */
	ck_assert_int_eq(svt_call_int(c, "sint32", TS, "Counter", 1, krpc_value_string("div")), 2);
	th_client_close(c);
}
END_TEST

/* Sends n ThrowXLater calls in one request and checks that all return 0. */
static void
later_batch(th_client_t *c, const char *proc, int n)
{
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	krpc_type_t *t = krpc_type_new(KRPC_TYPE_SINT32);
	krpc_value_t *v;
	int32_t x;
	int i;

	for (i = 0; i < n; i++)
		th_request_add(&req, TS, proc, 0);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
	r = th_recv_response(c, 10.0);
	ck_assert_msg(r != NULL && r->error == NULL, "%s batch failed", proc);
	ck_assert_uint_eq(r->n_results, (size_t)n);
	for (i = 0; i < n; i++) {
		ck_assert_msg(krpc_msg_result_value(r->results[i], t, &v, NULL, 0) == KRPC_OK,
		    "%s call %d failed", proc, i);
		ck_assert(krpc_value_as_sint32(v, &x) == KRPC_OK && x == 0);
		krpc_value_free(v);
	}
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_type_free(t);
}

START_TEST(test_later_exceptions)
{
	th_client_t *c = svt_cli(), *c2 = svt_cli();
	struct svt_err e;

	/* A fresh server: 101 calls return 0, then every call fails. */
	later_batch(c, "ThrowInvalidOperationExceptionLater", 100);
	ck_assert_int_eq(svt_call_int(c2, "sint32", TS, "ThrowInvalidOperationExceptionLater", 0), 0);
	svt_call_err(&e, c, TS, "ThrowInvalidOperationExceptionLater", 0);
	svt_check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");
	svt_call_err(&e, c2, TS, "ThrowInvalidOperationExceptionLater", 0);
	svt_check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");
	svt_call_void(c2, TS, "ResetInvalidOperationExceptionLater", 0);
	later_batch(c, "ThrowInvalidOperationExceptionLater", 101);
	svt_call_err(&e, c, TS, "ThrowInvalidOperationExceptionLater", 0);
	svt_check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");

	/* The custom one has its own counter. */
	svt_call_void(c, TS, "ResetCustomExceptionLater", 0);
	later_batch(c, "ThrowCustomExceptionLater", 101);
	svt_call_err(&e, c, TS, "ThrowCustomExceptionLater", 0);
	svt_check_err(&e, "TestService", "CustomException", "A custom kRPC exception");
	svt_call_void(c, TS, "ResetCustomExceptionLater", 0);
	ck_assert_int_eq(svt_call_int(c, "sint32", TS, "ThrowCustomExceptionLater", 0), 0);
	svt_call_err(&e, c, TS, "ThrowInvalidOperationExceptionLater", 0);
	svt_check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

START_TEST(test_special_defaults)
{
	th_client_t *c = svt_cli();
	krpc_value_t *v;
	double d;
	float f;
	int64_t i64;
	uint32_t u32;
	uint64_t u64;

	v = svt_call_ok(c, "list(double)", TS, "DoubleSpecialDefaults", 0);
	ck_assert_uint_eq(krpc_value_count(v), 5);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 0), &d) == KRPC_OK && isnan(d));
	ck_assert(krpc_value_as_double(krpc_value_item(v, 1), &d) == KRPC_OK && isinf(d) && d > 0);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 2), &d) == KRPC_OK && isinf(d) && d < 0);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 3), &d) == KRPC_OK && d == 1.7976931348623157e308);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 4), &d) == KRPC_OK && d == -1.7976931348623157e308);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(double)", TS, "DoubleSpecialDefaults", 2, krpc_value_double(1.5), NULL);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 0), &d) == KRPC_OK && d == 1.5);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(float)", TS, "FloatSpecialDefaults", 0);
	ck_assert_uint_eq(krpc_value_count(v), 6);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 0), &f) == KRPC_OK && isnan(f));
	ck_assert(krpc_value_as_float(krpc_value_item(v, 1), &f) == KRPC_OK && isinf(f) && f > 0);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 2), &f) == KRPC_OK && isinf(f) && f < 0);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 3), &f) == KRPC_OK && f == 3.4028235e38f);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 4), &f) == KRPC_OK && f == -3.4028235e38f);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 5), &f) == KRPC_OK && f == 0.1f);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(sint32)", TS, "Int32SpecialDefaults", 0);
	svt_check_ints(v, 2, INT32_MAX, INT32_MIN);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(sint64)", TS, "Int64SpecialDefaults", 0);
	ck_assert(krpc_value_as_sint64(krpc_value_item(v, 0), &i64) == KRPC_OK && i64 == INT64_MAX);
	ck_assert(krpc_value_as_sint64(krpc_value_item(v, 1), &i64) == KRPC_OK && i64 == INT64_MIN);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(uint32)", TS, "Uint32SpecialDefaults", 0);
	ck_assert(krpc_value_as_uint32(krpc_value_item(v, 0), &u32) == KRPC_OK && u32 == UINT32_MAX);
	krpc_value_free(v);
	v = svt_call_ok(c, "list(uint64)", TS, "Uint64SpecialDefaults", 0);
	ck_assert(krpc_value_as_uint64(krpc_value_item(v, 0), &u64) == KRPC_OK && u64 == UINT64_MAX);
	krpc_value_free(v);
	svt_expect_str(c, "3.14159", TS, "DeprecatedProcedure", 1, krpc_value_float(3.14159f));
	svt_expect_str(c, "2", TS, "DeprecatedProcedureNoMessage", 1, krpc_value_float(2));
	th_client_close(c);
}
END_TEST

/* ---- TestService: per-client counters --------------------------------- */

START_TEST(test_counter_per_client)
{
	th_client_t *a = svt_cli(), *b = svt_cli();
	krpc_value_t *v;
	uint64_t id;
	int32_t last = 0, x;
	int i;

	ck_assert_int_eq(svt_call_int(a, "sint32", TS, "Counter", 0), 1);
	ck_assert_int_eq(svt_call_int(a, "sint32", TS, "Counter", 0), 2);
	ck_assert_int_eq(svt_call_int(a, "sint32", TS, "Counter", 1, krpc_value_string("")), 3);
	ck_assert_int_eq(svt_call_int(a, "sint32", TS, "Counter", 1, krpc_value_string("x")), 1);
	ck_assert_int_eq(svt_call_int(b, "sint32", TS, "Counter", 0), 1);
	ck_assert_int_eq(svt_call_int(b, "sint32", TS, "Counter", 1, krpc_value_string("x")), 1);
	ck_assert_int_eq(svt_call_int(a, "sint32", TS, "Counter", 2, krpc_value_string("x"),
	    krpc_value_sint32(2)), 1);
	ck_assert_int_eq(svt_call_int(a, "sint32", TS, "Counter", 2, krpc_value_string("x"),
	    krpc_value_sint32(-1)), -3);

	/* CounterStruct shares the counter of Counter(id). */
	v = svt_call_ok(a, STRUCT_T, TS, "CounterStruct", 1, krpc_value_string("x"));
	check_struct(v, 4, "x", 0);
	ck_assert_uint_eq(krpc_value_count(krpc_value_item(v, 3)), 0);
	krpc_value_free(v);
	v = svt_call_ok(b, STRUCT_T, TS, "CounterStruct", 0);
	check_struct(v, 2, "", 0);
	krpc_value_free(v);

	/* A stream evaluates as its owner, once per update, and changes every update. */
	id = th_add_stream(a, th_proc_call(TS, "Counter", 1, krpc_value_string("s")), true);
	ck_assert(id != UINT64_MAX);
	for (i = 0; i < 5; i++) {
		v = th_wait_stream(a, id, "sint32", 5.0, NULL, 0);
		ck_assert_msg(v != NULL, "no counter stream value");
		ck_assert(krpc_value_as_sint32(v, &x) == KRPC_OK);
		ck_assert_int_gt(x, last);
		last = x;
		krpc_value_free(v);
	}
	ck_assert_int_gt(svt_call_int(a, "sint32", TS, "Counter", 1, krpc_value_string("s")), last);
	ck_assert_int_eq(svt_call_int(b, "sint32", TS, "Counter", 1, krpc_value_string("s")), 1);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* ---- TestService: objects --------------------------------------------- */

#define TC "class(TestService.TestClass)"

START_TEST(test_objects)
{
	th_client_t *c = svt_cli(), *c2 = svt_cli();
	uint64_t jeb, jeb2, bill, renamed, x;
	krpc_value_t *l;
	struct svt_err e;

	jeb = svt_call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("jeb"));
	ck_assert_uint_gt(jeb, 0);
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("jeb")), jeb);
	ck_assert_uint_eq(svt_call_obj(c2, TC, TS, "CreateTestObject", 1, krpc_value_string("jeb")), jeb);
	bill = svt_call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("bill"));
	ck_assert_uint_ne(bill, jeb);
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "EchoTestObject", 1, krpc_value_object(jeb)), jeb);
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "NotNullableObject", 1, krpc_value_object(bill)), bill);
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "TestClass_EchoNullableObject", 2,
	    krpc_value_object(jeb), krpc_value_object(bill)), bill);
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "TestClass_EchoNullableObject", 2,
	    krpc_value_object(jeb), krpc_value_null(KRPC_TYPE_CLASS)), 0);
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "TestClass_static_StaticNullableObject", 1,
	    krpc_value_object(bill)), bill);

	svt_expect_str(c, "value=jeb", TS, "TestClass_GetValue", 1, krpc_value_object(jeb));
	svt_expect_str(c, "jeb3.14159", TS, "TestClass_FloatToString", 2, krpc_value_object(jeb),
	    krpc_value_float(3.14159f));
	svt_expect_str(c, "jebbill", TS, "TestClass_ObjectToString", 2, krpc_value_object(jeb),
	    krpc_value_object(bill));
	svt_expect_str(c, "jebnull", TS, "TestClass_ObjectToString", 2, krpc_value_object(jeb),
	    krpc_value_null(KRPC_TYPE_CLASS));

	/* Per-object properties, seen by every client. */
	ck_assert_int_eq(svt_call_int(c, "sint32", TS, "TestClass_get_IntProperty", 1,
	    krpc_value_object(jeb)), 0);
	svt_call_void(c, TS, "TestClass_set_IntProperty", 2, krpc_value_object(jeb), krpc_value_sint32(1234));
	ck_assert_int_eq(svt_call_int(c2, "sint32", TS, "TestClass_get_IntProperty", 1,
	    krpc_value_object(jeb)), 1234);
	ck_assert_int_eq(svt_call_int(c2, "sint32", TS, "TestClass_get_IntProperty", 1,
	    krpc_value_object(bill)), 0);
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "TestClass_get_ObjectProperty", 1,
	    krpc_value_object(jeb)), 0);
	svt_call_void(c, TS, "TestClass_set_ObjectProperty", 2, krpc_value_object(jeb),
	    krpc_value_object(bill));
	ck_assert_uint_eq(svt_call_obj(c2, TC, TS, "TestClass_get_ObjectProperty", 1,
	    krpc_value_object(jeb)), bill);
	svt_call_void(c, TS, "TestClass_set_ObjectProperty", 2, krpc_value_object(jeb),
	    krpc_value_null(KRPC_TYPE_CLASS));
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "TestClass_get_ObjectProperty", 1,
	    krpc_value_object(jeb)), 0);

	/* Lists of objects. */
	l = krpc_value_collection(KRPC_TYPE_LIST);
	ck_assert(krpc_value_append(l, krpc_value_object(bill)) == KRPC_OK);
	l = svt_call_ok(c, "list(" TC ")", TS, "AddToObjectList", 2, l, krpc_value_string("jeb"));
	ck_assert_uint_eq(krpc_value_count(l), 2);
	ck_assert(krpc_value_as_object(krpc_value_item(l, 0), &x) == KRPC_OK && x == bill);
	ck_assert(krpc_value_as_object(krpc_value_item(l, 1), &x) == KRPC_OK && x == jeb);
	krpc_value_free(l);

	/* Renaming keeps the id; the old value then names a new object. */
	svt_call_void(c, TS, "TestClass_set_StringPropertyPrivateGet", 2, krpc_value_object(bill),
	    krpc_value_string("bob"));
	svt_expect_str(c, "bob", TS, "TestClass_get_StringPropertyPrivateSet", 1, krpc_value_object(bill));
	svt_expect_str(c2, "value=bob", TS, "TestClass_GetValue", 1, krpc_value_object(bill));
	renamed = svt_call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("bill"));
	ck_assert_uint_ne(renamed, bill);
	ck_assert_uint_ne(renamed, jeb);
	jeb2 = svt_call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("jeb"));
	ck_assert_uint_eq(jeb2, jeb);

	/* Unknown ids fail the request; the connection stays usable. */
	svt_call_err(&e, c, TS, "TestClass_GetValue", 1, krpc_value_object(1000000));
	svt_check_err(&e, "KRPC", "ArgumentException", "Instance not found");
	ck_assert(e.request_level);
	svt_call_err(&e, c, TS, "EchoTestObject", 1, krpc_value_object(1000000));
	svt_check_err(&e, "KRPC", "ArgumentException", "Instance not found");
	ck_assert(e.request_level);
	svt_call_err(&e, c, TS, "DeprecatedClass_DeprecatedMethod", 1, krpc_value_object(1000000));
	ck_assert(e.request_level);
	svt_expect_str(c, "value=jeb", TS, "TestClass_GetValue", 1, krpc_value_object(jeb));
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

/* ---- TestService: service properties ---------------------------------- */

START_TEST(test_properties)
{
	th_client_t *c = svt_cli(), *c2 = svt_cli();
	static const char odd[] = "a\r\nb\tc\x01\x7f \xc3\xa9";
	uint64_t obj;
	struct svt_err e;

	/* Fresh server: string properties are null, so the getters fail. */
	svt_call_err(&e, c, TS, "get_StringProperty", 0);
	svt_check_err(&e, "", "", "Incorrect value returned by TestService.get_StringProperty. Expected "
	    "a non-null value of type System.String, got null, but the procedure is not marked as "
	    "nullable.");
	svt_call_err(&e, c, TS, "get_DeprecatedProperty", 0);
	svt_check_err(&e, "", "", NULL);
	svt_call_err(&e, c, TS, "set_StringProperty", 1, krpc_value_null(KRPC_TYPE_STRING));
	svt_check_err(&e, "", "", "Incorrect argument type for parameter value in "
	    "TestService.set_StringProperty. Expected an argument of type System.String, got null");
	svt_call_void(c, TS, "set_StringProperty", 1, krpc_value_string("foo"));
	svt_expect_str(c2, "foo", TS, "get_StringProperty", 0);
	svt_call_void(c, TS, "set_StringProperty", 1, krpc_value_string(odd));
	svt_expect_str(c2, odd, TS, "get_StringProperty", 0);
	svt_call_void(c, TS, "set_StringProperty", 1, krpc_value_string(""));
	svt_expect_str(c, "", TS, "get_StringProperty", 0);
	svt_call_void(c, TS, "set_DeprecatedProperty", 1, krpc_value_string("old"));
	svt_expect_str(c, "old", TS, "get_DeprecatedProperty", 0);
	svt_call_void(c, TS, "set_StringPropertyPrivateGet", 1, krpc_value_string("hidden"));
	svt_expect_str(c, "foo", TS, "get_StringPropertyPrivateSet", 0);
	svt_call_err(&e, c, TS, "get_StringPropertyPrivateGet", 0);
	svt_check_err(&e, "", "", "Procedure \"get_StringPropertyPrivateGet\" not found, in service "
	    "\"TestService\"");

	/* Object properties. */
	obj = svt_call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("prop"));
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "get_ObjectProperty", 0), 0);
	svt_call_void(c, TS, "set_ObjectProperty", 1, krpc_value_object(obj));
	ck_assert_uint_eq(svt_call_obj(c2, TC, TS, "get_ObjectProperty", 0), obj);
	svt_call_void(c, TS, "set_ObjectProperty", 1, krpc_value_null(KRPC_TYPE_CLASS));
	ck_assert_uint_eq(svt_call_obj(c2, TC, TS, "get_ObjectProperty", 0), 0);
	ck_assert_uint_eq(svt_call_obj(c, TC, TS, "get_NullableObject", 0), 0);
	svt_call_err(&e, c, TS, "set_NullableObject", 1, krpc_value_null(KRPC_TYPE_CLASS));
	svt_check_err(&e, "KRPC", "ArgumentNullException", "Value cannot be null. (Parameter 'value')");
	svt_call_void(c, TS, "set_NullableObject", 1, krpc_value_object(obj));
	ck_assert_uint_eq(svt_call_obj(c2, TC, TS, "get_NullableObject", 0), obj);
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

/* ---- TestService: events and yielding --------------------------------- */

START_TEST(test_on_timer)
{
	th_client_t *c = svt_cli(), *norpc = svt_cli_rpc_only();
	uint64_t id, id2, id3;
	double t0, t, first = 0;
	struct svt_err e;
	int fired = 0;

	/* OnTimer(200): fires once after ~0.2 s (clients accept 0.15–2 s). */
	t0 = th_now();
	id = call_event(c, "OnTimer", 1, krpc_value_uint32(200));
	svt_call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	ck_assert_msg(svt_wait_true(c, id, 3.0), "OnTimer(200) did not fire");
	t = th_now() - t0;
	ck_assert_msg(t >= 0.15 && t <= 2.0, "OnTimer(200) fired after %.3f s", t);
	ck_assert_msg(!svt_wait_true(c, id, 0.6), "OnTimer(200) fired twice");

	/* OnTimer(200, 5): five triggers about 0.2 s apart, then nothing. */
	id2 = call_event(c, "OnTimer", 2, krpc_value_uint32(200), krpc_value_uint32(5));
	ck_assert_uint_ne(id2, id);
	svt_call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id2));
	while (fired < 5 && svt_wait_true(c, id2, 3.0)) {
		if (fired++ == 0)
			first = th_now();
	}
	ck_assert_int_eq(fired, 5);
	t = th_now() - first;
	ck_assert_msg(t >= 0.5 && t <= 3.0, "4 periods of 0.2 s took %.3f s", t);
	ck_assert_msg(!svt_wait_true(c, id2, 0.6), "OnTimer(200, 5) fired a sixth time");

	/* OnTimer(1000) has not fired within 0.1 s. */
	id3 = call_event(c, "OnTimer", 1, krpc_value_uint32(1000));
	svt_call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id3));
	ck_assert_msg(!svt_wait_true(c, id3, 0.1), "OnTimer(1000) fired within 0.1 s");
	ck_assert_msg(svt_wait_true(c, id3, 3.0), "OnTimer(1000) did not fire");

	/* OnTimerUsingLambda: once, after the time. */
	t0 = th_now();
	id = call_event(c, "OnTimerUsingLambda", 1, krpc_value_uint32(200));
	svt_call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	ck_assert_msg(svt_wait_true(c, id, 3.0), "OnTimerUsingLambda(200) did not fire");
	t = th_now() - t0;
	ck_assert_msg(t >= 0.15 && t <= 2.0, "OnTimerUsingLambda(200) fired after %.3f s", t);
	ck_assert_msg(!svt_wait_true(c, id, 0.5), "OnTimerUsingLambda fired twice");

	/* A firing before StartStream is sent when the stream starts. */
	id = call_event(c, "OnTimer", 1, krpc_value_uint32(100));
	th_sleep(0.4);
	t0 = th_now();
	svt_call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	ck_assert_msg(svt_wait_true(c, id, 1.0), "early OnTimer firing lost");
	ck_assert_msg(th_now() - t0 < 0.5, "early firing sent late");

	/* Events need a stream connection. */
	svt_call_err(&e, norpc, TS, "OnTimer", 1, krpc_value_uint32(100));
	svt_check_err(&e, "KRPC", "InvalidOperationException",
	    "No stream client is connected for this RPC client");
	svt_call_err(&e, norpc, TS, "OnTimerUsingLambda", 1, krpc_value_uint32(100));
	svt_check_err(&e, "KRPC", "InvalidOperationException",
	    "No stream client is connected for this RPC client");
	th_client_close(c);
	th_client_close(norpc);
}
END_TEST

START_TEST(test_blocking_procedure)
{
	th_client_t *c = svt_cli();
	krpc_value_t *v;
	uint64_t id;
	int32_t x;

	ck_assert_int_eq(svt_call_int(c, "sint32", TS, "BlockingProcedure", 1, krpc_value_sint32(0)), 0);
	ck_assert_int_eq(svt_call_int(c, "sint32", TS, "BlockingProcedure", 1, krpc_value_sint32(10)), 55);
	ck_assert_int_eq(svt_call_int(c, "sint32", TS, "BlockingProcedure", 2, krpc_value_sint32(5),
	    krpc_value_sint32(100)), 115);
	/* As a stream: 55, sent once although the call is re-run. */
	id = th_add_stream(c, th_proc_call(TS, "BlockingProcedure", 1, krpc_value_sint32(10)), true);
	ck_assert(id != UINT64_MAX);
	v = th_wait_stream(c, id, "sint32", 5.0, NULL, 0);
	ck_assert_msg(v != NULL, "no BlockingProcedure stream value");
	ck_assert(krpc_value_as_sint32(v, &x) == KRPC_OK);
	ck_assert_int_eq(x, 55);
	krpc_value_free(v);
	ck_assert_msg(th_wait_stream(c, id, "sint32", 0.6, NULL, 0) == NULL,
	    "an unchanged BlockingProcedure stream was sent again");
	th_client_close(c);
}
END_TEST

/* ---- TestService: the service description ----------------------------- */

/* Checks a parameter's name, flags and default (hex; NULL: no default). */
static void
check_param(const Krpc__Schema__Procedure *p, size_t i, const char *name, bool nullable,
    const char *def, bool def_null)
{
	const Krpc__Schema__Parameter *q;

	ck_assert_msg(i < p->n_parameters, "%s has no parameter %zu", p->name, i);
	q = p->parameters[i];
	ck_assert_str_eq(q->name, name);
	ck_assert_msg(q->nullable == nullable, "%s.%s nullable", p->name, name);
	ck_assert_msg(q->has_default_value == (def != NULL || def_null), "%s.%s has_default_value",
	    p->name, name);
	ck_assert_msg(q->default_value_is_null == def_null, "%s.%s default_value_is_null", p->name,
	    name);
	if (def != NULL)
		ck_assert_str_eq(hex(q->default_value.data, q->default_value.len), def);
	else
		ck_assert_uint_eq(q->default_value.len, 0);
}

START_TEST(test_services_description)
{
	static const char *const some[][2] = {
		{ "0", "FloatToString" }, { "8", "CreateTestObject" }, { "15", "OptionalArguments" },
		{ "25", "BlockingProcedure" }, { "38", "Counter" }, { "48", "OnTimer" },
		{ "52", "DoubleSpecialDefaults" }, { "58", "get_StringProperty" },
		{ "68", "TestClass_GetValue" }, { "81", "DeprecatedClass_DeprecatedMethod" },
	};
	th_client_t *c = svt_cli();
	Krpc__Schema__Services *all = get_services(c);
	const Krpc__Schema__Service *s, *b, *sc;
	const Krpc__Schema__Procedure *p;
	size_t i;

	ck_assert_ptr_nonnull(find_service(all, "KRPC"));
	s = find_service(all, "TestService");
	b = find_service(all, "Benchmark");
	sc = find_service(all, "SpaceCenter");
	ck_assert(s != NULL && b != NULL && sc != NULL);
	ck_assert_uint_eq(all->n_services, 4);

	ck_assert_str_eq(s->documentation, doc("Service documentation string."));
	ck_assert(!s->deprecated);
	ck_assert_uint_eq(s->n_procedures, 82);
	for (i = 0; i < sizeof(some) / sizeof(some[0]); i++)
		ck_assert_str_eq(s->procedures[atoi(some[i][0])]->name, some[i][1]);
	for (i = 0; i < s->n_procedures; i++)
		ck_assert_uint_eq(s->procedures[i]->n_game_scenes, 0);

	p = find_proc(s, "FloatToString");
	ck_assert_str_eq(p->documentation, doc("Procedure documentation string."));
	ck_assert(p->return_type != NULL && p->return_type->code == KRPC__SCHEMA__TYPE__TYPE_CODE__STRING);
	check_param(p, 0, "value", false, NULL, false);
	ck_assert_int_eq(p->parameters[0]->type->code, KRPC__SCHEMA__TYPE__TYPE_CODE__FLOAT);
	p = find_proc(s, "OptionalArguments");
	check_param(p, 0, "x", false, NULL, false);
	check_param(p, 1, "y", false, "03666f6f", false);
	check_param(p, 2, "z", false, "03626172", false);
	check_param(p, 3, "obj", true, NULL, true);
	p = find_proc(s, "EmptyListDefault");
	ck_assert(p->parameters[0]->has_default_value && p->parameters[0]->default_value.len == 0);
	p = find_proc(s, "StructDefault");
	check_param(p, 0, "x", false, "0a01540a04036a65620a01020a090a01020a01040a0106", false);
	ck_assert_int_eq(p->return_type->code, KRPC__SCHEMA__TYPE__TYPE_CODE__STRUCT);
	ck_assert_str_eq(p->return_type->service, "TestService");
	ck_assert_str_eq(p->return_type->name, "TestStruct");
	p = find_proc(s, "DoubleSpecialDefaults");
	ck_assert_str_eq(p->documentation, doc("Procedure whose defaults are the special values of double."));
	check_param(p, 1, "infinity", false, "000000000000f07f", false);
	check_param(p, 4, "lowest", false, "ffffffffffffefff", false);
	p = find_proc(s, "FloatSpecialDefaults");
	ck_assert_str_eq(p->documentation, doc("Procedure whose defaults are the special values of "
	    "float, plus a finite fraction\nthat no float can hold exactly."));
	check_param(p, 5, "fraction", false, "cdcccc3d", false);
	p = find_proc(s, "CounterStruct");
	ck_assert_str_eq(p->documentation, doc("Returns a struct whose IntField counts the number of "
	    "times it has been called,\nso that a stream on it changes on every update."));
	p = find_proc(s, "EchoTestObject");
	ck_assert(p->return_is_nullable);
	check_param(p, 0, "value", true, NULL, false);
	ck_assert_str_eq(p->parameters[0]->type->name, "TestClass");
	p = find_proc(s, "ResetCustomExceptionLater");
	ck_assert_ptr_null(p->return_type);
	p = find_proc(s, "DeprecatedProcedure");
	ck_assert(p->deprecated);
	ck_assert_str_eq(p->deprecated_reason, "Use <see cref=\"M:TestService.FloatToString\" /> instead.");
	p = find_proc(s, "DeprecatedProcedureNoMessage");
	ck_assert(p->deprecated);
	ck_assert_str_eq(p->deprecated_reason, "");
	p = find_proc(s, "set_DeprecatedProperty");
	ck_assert(p->deprecated);
	ck_assert_str_eq(p->documentation, doc("Deprecated property documentation string."));
	p = find_proc(s, "TestClass_get_IntProperty");
	ck_assert_str_eq(p->documentation, doc("Property documentation string."));
	check_param(p, 0, "this", false, NULL, false);
	ck_assert_ptr_null(find_proc(s, "get_StringPropertyPrivateGet"));

	ck_assert_uint_eq(s->n_classes, 2);
	ck_assert_str_eq(s->classes[0]->name, "TestClass");
	ck_assert_str_eq(s->classes[0]->documentation, doc("Class documentation string."));
	ck_assert(s->classes[1]->deprecated);
	ck_assert_str_eq(s->classes[1]->deprecated_reason, "Use <see cref=\"T:TestService.TestClass\" /> instead.");
	ck_assert_uint_eq(s->n_enumerations, 2);
	ck_assert_str_eq(s->enumerations[0]->name, "TestEnum");
	ck_assert_uint_eq(s->enumerations[0]->n_values, 3);
	ck_assert_str_eq(s->enumerations[0]->values[2]->name, "ValueC");
	ck_assert_int_eq(s->enumerations[0]->values[2]->value, 2);
	ck_assert_str_eq(s->enumerations[0]->values[1]->documentation, doc("Enum ValueB documentation string."));
	ck_assert(s->enumerations[1]->values[1]->deprecated);
	ck_assert_str_eq(s->enumerations[1]->values[1]->deprecated_reason,
	    "Use <see cref=\"M:TestService.DeprecatedEnum.ValueA\" /> instead.");
	ck_assert_uint_eq(s->n_structs, 3);
	ck_assert_str_eq(s->structs[0]->name, "TestStruct");
	ck_assert_uint_eq(s->structs[0]->n_fields, 4);
	ck_assert_str_eq(s->structs[0]->fields[3]->name, "ListField");
	ck_assert_str_eq(s->structs[0]->fields[0]->documentation, doc("Struct IntField documentation string."));
	ck_assert(s->structs[2]->fields[1]->deprecated);
	ck_assert_uint_eq(s->n_exceptions, 2);
	ck_assert_str_eq(s->exceptions[0]->name, "CustomException");
	ck_assert_str_eq(s->exceptions[0]->documentation, "");
	ck_assert(s->exceptions[1]->deprecated);
	ck_assert_str_eq(s->exceptions[1]->deprecated_reason, "Use CustomException instead.");

	/* Benchmark: one procedure; SpaceCenter: Flight-only procedures. */
	ck_assert_uint_eq(b->n_procedures, 1);
	ck_assert_str_eq(b->procedures[0]->name, "Call");
	ck_assert_int_eq(b->procedures[0]->parameters[0]->type->code,
	    KRPC__SCHEMA__TYPE__TYPE_CODE__PROCEDURE_CALL);
	ck_assert_int_eq(b->procedures[0]->return_type->code, KRPC__SCHEMA__TYPE__TYPE_CODE__DICTIONARY);
	ck_assert_ptr_nonnull(strstr(b->documentation, "Server-side benchmarking."));
	ck_assert_uint_ge(sc->n_procedures, 20);
	for (i = 0; i < sc->n_procedures; i++) {
		ck_assert_uint_eq(sc->procedures[i]->n_game_scenes, 1);
		ck_assert_int_eq(sc->procedures[i]->game_scenes[0], 1);
	}
	p = find_proc(sc, "Vessel_Flight");
	check_param(p, 1, "referenceFrame", true, NULL, true);
	p = find_proc(sc, "WarpTo");
	check_param(p, 1, "maxRailsRate", false, "0050c347", false);
	check_param(p, 2, "maxPhysicsRate", false, "00000040", false);
	ck_assert(find_proc(sc, "get_ActiveVessel")->return_is_nullable);
	krpc__schema__services__free_unpacked(all, NULL);
	th_client_close(c);
}
END_TEST

/* Calls a procedure by numeric ids with one argument; returns the Response. */
static Krpc__Schema__Response *
call_by_id(th_client_t *c, uint32_t service_id, uint32_t procedure_id, const krpc_value_t *arg)
{
	Krpc__Schema__ProcedureCall pc = KRPC__SCHEMA__PROCEDURE_CALL__INIT;
	Krpc__Schema__Argument a = KRPC__SCHEMA__ARGUMENT__INIT, *args[1] = { &a };
	krpc_buf_t val = KRPC_BUF_INIT, call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;

	pc.service_id = service_id;
	pc.procedure_id = procedure_id;
	if (arg != NULL) {
		krpc_value_write(arg, &val);
		a.value.data = val.data;
		a.value.len = val.len;
		pc.n_arguments = 1;
		pc.arguments = args;
	}
	ck_assert(krpc_buf_reserve(&call, krpc__schema__procedure_call__get_packed_size(&pc)));
	call.len = krpc__schema__procedure_call__pack(&pc, call.data);
	krpc_msg_request_add(&req, call.data, call.len);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&val);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
	return th_recv_response(c, 10.0);
}

START_TEST(test_procedure_ids)
{
	th_client_t *c = svt_cli();
	Krpc__Schema__Response *r;
	krpc_value_t *arg = krpc_value_sint32(42), *v;
	krpc_type_t *t = krpc_type_new(KRPC_TYPE_STRING);

	/* Id 3 is Int32ToString, id 69 TestClass_GetValue (TESTSERVICE.md). */
	r = call_by_id(c, 9999, 3, arg);
	ck_assert(r != NULL && r->error == NULL && r->n_results == 1);
	ck_assert(krpc_msg_result_value(r->results[0], t, &v, NULL, 0) == KRPC_OK);
	ck_assert_str_eq(krpc_value_str(v, NULL), "42");
	krpc_value_free(v);
	krpc__schema__response__free_unpacked(r, NULL);
	r = call_by_id(c, 9999, 62, NULL);
	ck_assert(r != NULL && r->error == NULL && r->n_results == 1);
	ck_assert(krpc_msg_result_value(r->results[0], t, &v, NULL, 0) == KRPC_OK);
	ck_assert_str_eq(krpc_value_str(v, NULL), "foo");
	krpc_value_free(v);
	krpc__schema__response__free_unpacked(r, NULL);
	r = call_by_id(c, 9999, 83, NULL);
	ck_assert(r != NULL && r->n_results == 1 && r->results[0]->error != NULL);
	ck_assert_str_eq(r->results[0]->error->description, "Procedure with id 83 not found");
	krpc__schema__response__free_unpacked(r, NULL);
	r = call_by_id(c, 9998, 1, NULL);
	ck_assert(r != NULL && r->n_results == 1 && r->results[0]->error != NULL);
	ck_assert_str_eq(r->results[0]->error->description,
	    "Argument not specified for parameter call in Benchmark.Call");
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_value_free(arg);
	krpc_type_free(t);
	th_client_close(c);
}
END_TEST

/* ---- Benchmark -------------------------------------------------------- */

START_TEST(test_benchmark)
{
	th_client_t *c = svt_cli();
	krpc_value_t *v;
	struct svt_err e;
	double x, iterations = -1, ns = -1, zeros = 0;
	const char *k;
	size_t i;

	v = svt_call_ok(c, "dict(string, double)", "Benchmark", "Call", 2,
	    th_proc_call(TS, "Int32ToString", 1, krpc_value_sint32(42)), krpc_value_uint32(500));
	ck_assert_uint_eq(krpc_value_count(v), 6);
	for (i = 0; i < krpc_value_count(v); i++) {
		k = krpc_value_str(krpc_value_key(v, i), NULL);
		ck_assert(krpc_value_as_double(krpc_value_val(v, i), &x) == KRPC_OK);
		if (strcmp(k, "iterations") == 0)
			iterations = x;
		else if (strcmp(k, "nanoseconds_per_operation") == 0)
			ns = x;
		else if (strcmp(k, "seconds") == 0)
			ck_assert(x >= 0);
		else if (strcmp(k, "bytes_per_operation") == 0 || strcmp(k, "collections") == 0 ||
		    strcmp(k, "exact_allocations") == 0)
			zeros += x == 0;
		else
			ck_abort_msg("unexpected key %s", k);
	}
	ck_assert(iterations == 500);
	ck_assert(ns > 0);
	ck_assert(zeros == 3);
	krpc_value_free(v);

	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call("Nope", "Nothing", 0),
	    krpc_value_uint32(10));
	svt_check_err(&e, "", "", "Service \"Nope\" not found");
	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "Nothing", 0), krpc_value_uint32(10));
	svt_check_err(&e, "", "", "Procedure \"Nothing\" not found, in service \"TestService\"");
	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "ThrowInvalidOperationException", 0),
	    krpc_value_uint32(10));
	svt_check_err(&e, "KRPC", "ArgumentException",
	    "Call to TestService.ThrowInvalidOperationException failed: Invalid operation");
	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "BlockingProcedure", 1,
	    krpc_value_sint32(3)), krpc_value_uint32(10));
	svt_check_err(&e, "KRPC", "ArgumentException", "Procedure TestService.BlockingProcedure yields, "
	    "so it spans several updates and cannot be benchmarked in a loop");
	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "Int32ToString", 1,
	    krpc_value_sint32(1)), krpc_value_uint32(0));
	svt_check_err(&e, "KRPC", "ArgumentException",
	    "Iterations must be at least one (Parameter 'iterations')");
	/* The probe runs as the caller: a Counter call advances the caller's counter. */
	v = svt_call_ok(c, "dict(string, double)", "Benchmark", "Call", 2,
	    th_proc_call(TS, "Counter", 1, krpc_value_string("bench")), krpc_value_uint32(10));
	krpc_value_free(v);
	ck_assert_int_gt(svt_call_int(c, "sint32", TS, "Counter", 1, krpc_value_string("bench")), 11);
	th_client_close(c);
}
END_TEST

/* ---- Suite ------------------------------------------------------------ */

int
main(void)
{
	Suite *s = suite_create("sim_services");
	TCase *tc;

	tc = svt_tcase(s, "testservice", svt_setup, 60);
	tcase_add_test(tc, test_properties);	/* first: checks the initial state */
	tcase_add_test(tc, test_later_exceptions);
	tcase_add_test(tc, test_value_conversions);
	tcase_add_test(tc, test_optional_arguments);
	tcase_add_test(tc, test_nullable);
	tcase_add_test(tc, test_collections);
	tcase_add_test(tc, test_structs_and_enums);
	tcase_add_test(tc, test_exceptions);
	tcase_add_test(tc, test_special_defaults);
	tcase_add_test(tc, test_counter_per_client);
	tcase_add_test(tc, test_objects);
	tcase_add_test(tc, test_on_timer);
	tcase_add_test(tc, test_blocking_procedure);
	tcase_add_test(tc, test_services_description);
	tcase_add_test(tc, test_procedure_ids);
	tcase_add_test(tc, test_benchmark);

	return svt_run(s);
}
