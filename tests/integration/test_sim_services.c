/*
 * Integration tests of krpc-sim's TestService, Benchmark and SpaceCenter
 * services through a real krpc-sim over TCP: what the kRPC client test
 * suites check (TESTSERVICE.md section 7) and the SpaceCenter flight model.
 */
#include <sys/wait.h>

#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define TS	"TestService"
#define SC	"SpaceCenter"
#define STRUCT_T "struct(TestService.TestStruct: sint32, string, enum(TestService.TestEnum), list(sint32))"

/* The krpc-sim of the running test case. */
static th_proc_t	*sim;
static int		 rpc_port = -1, stream_port = -1;
static int		 sim_unclean;	/* servers that did not exit cleanly */

/* ---- Server and clients ----------------------------------------------- */

/* Starts krpc-sim on ephemeral ports with up to two extra arguments. */
static void
sim_start(const char *a1, const char *a2)
{
	const char *argv[10];
	const char *out, *p;
	int n = 0;

	argv[n++] = th_bin("tests/sim/krpc-sim");
	argv[n++] = "--rpc-port";
	argv[n++] = "0";
	argv[n++] = "--stream-port";
	argv[n++] = "0";
	if (a1 != NULL)
		argv[n++] = a1;
	if (a2 != NULL)
		argv[n++] = a2;
	argv[n] = NULL;
	rpc_port = stream_port = -1;
	if ((sim = th_spawn(argv, "krpc-sim: listening", 20.0)) == NULL)
		return;
	out = th_proc_stdout(sim);
	if ((p = strstr(out, "rpc=")) == NULL ||
	    sscanf(p, "rpc=%*[^:]:%d stream=%*[^:]:%d", &rpc_port, &stream_port) != 2)
		fprintf(stderr, "test: cannot read the ports from: %s\n", out);
}

/* Unchecked fixtures: a fresh server per test case (default scene, space-center scene). */
static void
setup_sim(void)
{
	sim_start(NULL, NULL);
}

static void
setup_sim_space_center(void)
{
	sim_start("--game-scene", "space-center");
}

/* Stops the server; an unclean exit (a crash, a sanitizer report) fails the run. */
static void
teardown_sim(void)
{
	int status;

	if (sim == NULL)
		return;
	th_proc_signal(sim, SIGTERM);
	status = th_proc_wait(sim, 10.0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "test: krpc-sim exited uncleanly (wait status %#x)\n", status);
		sim_unclean++;
	}
	th_proc_stop(sim);
	sim = NULL;
}

/* A client with RPC and stream connections. */
static th_client_t *
cli(void)
{
	th_client_t *c;

	ck_assert_msg(rpc_port > 0, "krpc-sim did not start");
	c = th_client_tcp(rpc_port, stream_port, "sim-services");
	ck_assert_msg(c != NULL, "cannot connect to krpc-sim");
	return c;
}

/* A client without a stream connection. */
static th_client_t *
cli_rpc_only(void)
{
	th_client_t *c;

	ck_assert_msg(rpc_port > 0, "krpc-sim did not start");
	c = th_client_tcp(rpc_port, 0, "sim-services-rpc");
	ck_assert_msg(c != NULL, "cannot connect to krpc-sim");
	return c;
}

/* ---- Calls ------------------------------------------------------------ */

/* An error as a test sees it. */
struct err {
	char	service[64];
	char	name[64];
	char	desc[1024];
	bool	request_level;
};

/*
 * Calls and decodes the single result with type (NULL: void, returns
 * NULL); fails the test if the request or the call failed.
 */
static krpc_value_t *
vcall_ok(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n,
    va_list ap)
{
	Krpc__Schema__Response *r = th_vcall(c, svc, proc, n, ap);
	krpc_type_t *t = NULL;
	krpc_value_t *v = NULL;
	char why[512] = "";

	ck_assert_msg(r != NULL, "%s.%s: no response", svc, proc);
	ck_assert_msg(r->error == NULL, "%s.%s: request error: %s", svc, proc,
	    r->error != NULL ? r->error->description : "");
	ck_assert_msg(r->n_results == 1, "%s.%s: %zu results", svc, proc, r->n_results);
	ck_assert_msg(r->results[0]->error == NULL, "%s.%s: error: %s", svc, proc,
	    r->results[0]->error != NULL ? r->results[0]->error->description : "");
	if (type != NULL) {
		t = krpc_type_parse(type, why, sizeof(why));
		ck_assert_msg(t != NULL, "bad type %s: %s", type, why);
		ck_assert_msg(krpc_msg_result_value(r->results[0], t, &v, why, sizeof(why)) == KRPC_OK,
		    "%s.%s: cannot decode: %s", svc, proc, why);
		krpc_type_free(t);
	} else {
		ck_assert_msg(r->results[0]->value.len == 0 && !r->results[0]->is_null,
		    "%s.%s: a void procedure returned a value", svc, proc);
	}
	krpc__schema__response__free_unpacked(r, NULL);
	return v;
}

static krpc_value_t *
call_ok(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	va_list ap;

	va_start(ap, n);
	v = vcall_ok(c, type, svc, proc, n, ap);
	va_end(ap);
	return v;
}

/* Calls a void procedure; fails the test on error. */
static void
call_void(th_client_t *c, const char *svc, const char *proc, size_t n, ...)
{
	va_list ap;

	va_start(ap, n);
	vcall_ok(c, NULL, svc, proc, n, ap);
	va_end(ap);
}

/* Calls expecting a string result equal to want. */
static void
expect_str(th_client_t *c, const char *want, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	const char *s;
	size_t len = 0;
	va_list ap;

	va_start(ap, n);
	v = vcall_ok(c, "string", svc, proc, n, ap);
	va_end(ap);
	s = krpc_value_str(v, &len);
	ck_assert_msg(s != NULL, "%s.%s: null string", svc, proc);
	ck_assert_msg(len == strlen(want) && memcmp(s, want, len) == 0,
	    "%s.%s: got \"%s\", want \"%s\"", svc, proc, s, want);
	krpc_value_free(v);
}

/* Calls expecting a sint32 (or enumeration, with type) result. */
static int32_t
call_int(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	int32_t x = 0;
	va_list ap;

	va_start(ap, n);
	v = vcall_ok(c, type, svc, proc, n, ap);
	va_end(ap);
	ck_assert_msg(krpc_value_as_sint32(v, &x) == KRPC_OK, "%s.%s: not an int", svc, proc);
	krpc_value_free(v);
	return x;
}

/* Calls expecting a double result. */
static double
call_double(th_client_t *c, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	double x = 0;
	va_list ap;

	va_start(ap, n);
	v = vcall_ok(c, "double", svc, proc, n, ap);
	va_end(ap);
	ck_assert_msg(krpc_value_as_double(v, &x) == KRPC_OK, "%s.%s: not a double", svc, proc);
	krpc_value_free(v);
	return x;
}

/* Calls expecting an object (type: the CLASS type text); 0 for null. */
static uint64_t
call_obj(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	uint64_t id = 0;
	va_list ap;

	va_start(ap, n);
	v = vcall_ok(c, type, svc, proc, n, ap);
	va_end(ap);
	if (!krpc_value_is_null(v))
		ck_assert_msg(krpc_value_as_object(v, &id) == KRPC_OK, "%s.%s: not an object", svc, proc);
	krpc_value_free(v);
	return id;
}

/* Calls expecting a null result of type. */
static void
expect_null(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n, ...)
{
	Krpc__Schema__Response *r;
	va_list ap;

	va_start(ap, n);
	r = th_vcall(c, svc, proc, n, ap);
	va_end(ap);
	ck_assert_msg(r != NULL && r->error == NULL && r->n_results == 1, "%s.%s failed", svc, proc);
	ck_assert_msg(r->results[0]->error == NULL, "%s.%s: %s", svc, proc,
	    r->results[0]->error != NULL ? r->results[0]->error->description : "");
	ck_assert_msg(r->results[0]->is_null && r->results[0]->value.len == 0,
	    "%s.%s: not null", svc, proc);
	krpc__schema__response__free_unpacked(r, NULL);
	(void)type;
}

/* Calls expecting an error (call-level or request-level) and copies it. */
static void
call_err(struct err *e, th_client_t *c, const char *svc, const char *proc, size_t n, ...)
{
	Krpc__Schema__Response *r;
	const Krpc__Schema__Error *x = NULL;
	va_list ap;

	va_start(ap, n);
	r = th_vcall(c, svc, proc, n, ap);
	va_end(ap);
	ck_assert_msg(r != NULL, "%s.%s: no response", svc, proc);
	memset(e, 0, sizeof(*e));
	if (r->error != NULL) {
		x = r->error;
		e->request_level = true;
		ck_assert_msg(r->n_results == 0, "request error with results");
	} else if (r->n_results == 1)
		x = r->results[0]->error;
	ck_assert_msg(x != NULL, "%s.%s: succeeded, an error was expected", svc, proc);
	snprintf(e->service, sizeof(e->service), "%s", x->service);
	snprintf(e->name, sizeof(e->name), "%s", x->name);
	snprintf(e->desc, sizeof(e->desc), "%s", x->description);
	krpc__schema__response__free_unpacked(r, NULL);
}

/* Checks an error's service, name and description (NULL: not checked). */
static void
check_err(const struct err *e, const char *service, const char *name, const char *desc)
{
	ck_assert_str_eq(e->service, service);
	ck_assert_str_eq(e->name, name);
	if (desc != NULL)
		ck_assert_str_eq(e->desc, desc);
}

/* ---- Values ----------------------------------------------------------- */

/* A LIST or SET of n sint32 values. */
static krpc_value_t *
ints(krpc_type_code_t code, size_t n, ...)
{
	krpc_value_t *l = krpc_value_collection(code);
	va_list ap;
	size_t i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		ck_assert(krpc_value_append(l, krpc_value_sint32(va_arg(ap, int32_t))) == KRPC_OK);
	va_end(ap);
	return l;
}

/* Checks that v is a collection of n sint32 values equal to the arguments. */
static void
check_ints(const krpc_value_t *v, size_t n, ...)
{
	va_list ap;
	int32_t x;
	size_t i;

	ck_assert_uint_eq(krpc_value_count(v), n);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		ck_assert(krpc_value_as_sint32(krpc_value_item(v, i), &x) == KRPC_OK);
		ck_assert_int_eq(x, va_arg(ap, int32_t));
	}
	va_end(ap);
}

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

/* The stream id inside an EVENT or STREAM value. */
static uint64_t
stream_id_of(const krpc_value_t *v, krpc_type_code_t code)
{
	const uint8_t *data;
	size_t len = 0;
	uint64_t id = UINT64_MAX;

	data = krpc_value_data(v, &len);
	if (code == KRPC_TYPE_EVENT) {
		Krpc__Schema__Event *e = krpc__schema__event__unpack(NULL, len, data);

		ck_assert_msg(e != NULL, "bad Event message");
		id = e->stream != NULL ? e->stream->id : 0;
		krpc__schema__event__free_unpacked(e, NULL);
	} else {
		Krpc__Schema__Stream *s = krpc__schema__stream__unpack(NULL, len, data);

		ck_assert_msg(s != NULL, "bad Stream message");
		id = s->id;
		krpc__schema__stream__free_unpacked(s, NULL);
	}
	return id;
}

/* Calls a procedure returning EVENT and returns the event's stream id. */
static uint64_t
call_event(th_client_t *c, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	uint64_t id;
	va_list ap;

	va_start(ap, n);
	v = vcall_ok(c, "event", TS, proc, n, ap);
	va_end(ap);
	id = stream_id_of(v, KRPC_TYPE_EVENT);
	krpc_value_free(v);
	return id;
}

/* Waits up to timeout for a true value of stream id; false on timeout. */
static bool
wait_true(th_client_t *c, uint64_t id, double timeout)
{
	krpc_value_t *v = th_wait_stream(c, id, "bool", timeout, NULL, 0);
	bool b = false;

	if (v == NULL)
		return false;
	ck_assert(krpc_value_as_bool(v, &b) == KRPC_OK);
	krpc_value_free(v);
	ck_assert_msg(b, "an event sent false");
	return true;
}

/* Reads the next value of stream id as a double, within timeout. */
static double
stream_double(th_client_t *c, uint64_t id, double timeout)
{
	krpc_value_t *v = th_wait_stream(c, id, "double", timeout, NULL, 0);
	double x = 0;

	ck_assert_msg(v != NULL, "no value on stream %llu", (unsigned long long)id);
	ck_assert(krpc_value_as_double(v, &x) == KRPC_OK);
	krpc_value_free(v);
	return x;
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
	krpc_value_t *v = call_ok(c, "services", "KRPC", "GetServices", 0);
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
	th_client_t *c = cli();
	struct err e;

	expect_str(c, "3.14159", TS, "FloatToString", 1, krpc_value_float(3.14159f));
	expect_str(c, "42", TS, "FloatToString", 1, krpc_value_float(42));
	expect_str(c, "0.123", TS, "FloatToString", 1, krpc_value_float(0.123f));
	expect_str(c, "-0.5", TS, "FloatToString", 1, krpc_value_float(-0.5f));
	expect_str(c, "1E+20", TS, "FloatToString", 1, krpc_value_float(1e20f));
	expect_str(c, "NaN", TS, "FloatToString", 1, krpc_value_float(NAN));
	expect_str(c, "3.14159", TS, "DoubleToString", 1, krpc_value_double(3.14159));
	expect_str(c, "0.30000000000000004", TS, "DoubleToString", 1, krpc_value_double(0.1 + 0.2));
	expect_str(c, "1E-05", TS, "DoubleToString", 1, krpc_value_double(1e-5));
	expect_str(c, "-Infinity", TS, "DoubleToString", 1, krpc_value_double(-INFINITY));
	expect_str(c, "42", TS, "Int32ToString", 1, krpc_value_sint32(42));
	expect_str(c, "-2147483648", TS, "Int32ToString", 1, krpc_value_sint32(INT32_MIN));
	expect_str(c, "123456789000", TS, "Int64ToString", 1, krpc_value_sint64(123456789000LL));
	expect_str(c, "True", TS, "BoolToString", 1, krpc_value_bool(true));
	expect_str(c, "False", TS, "BoolToString", 1, krpc_value_bool(false));
	ck_assert_int_eq(call_int(c, "sint32", TS, "StringToInt32", 1, krpc_value_string("12345")),
	    12345);
	ck_assert_int_eq(call_int(c, "sint32", TS, "StringToInt32", 1, krpc_value_string(" -42 ")),
	    -42);
	call_err(&e, c, TS, "StringToInt32", 1, krpc_value_string("foo"));
	check_err(&e, "", "", NULL);
	ck_assert(!e.request_level);
	call_err(&e, c, TS, "StringToInt32", 1, krpc_value_string("99999999999"));
	check_err(&e, "", "", NULL);
	expect_str(c, "deadbeef", TS, "BytesToHexString", 1,
	    krpc_value_bytes("\xde\xad\xbe\xef", 4));
	expect_str(c, "", TS, "BytesToHexString", 1, krpc_value_bytes("", 0));
	expect_str(c, "3.14159", TS, "AddMultipleValues", 3, krpc_value_float(0.14159f),
	    krpc_value_sint32(1), krpc_value_sint64(2));
	expect_str(c, "6", TS, "AddMultipleValues", 3, krpc_value_float(1), krpc_value_sint32(2),
	    krpc_value_sint64(3));
	th_client_close(c);
}
END_TEST

START_TEST(test_optional_arguments)
{
	th_client_t *c = cli();
	uint64_t bob = call_obj(c, "class(TestService.TestClass)", TS, "CreateTestObject", 1,
	    krpc_value_string("bob"));
	struct err e;

	expect_str(c, "jebfoobarnull", TS, "OptionalArguments", 1, krpc_value_string("jeb"));
	expect_str(c, "jebabnull", TS, "OptionalArguments", 3, krpc_value_string("jeb"),
	    krpc_value_string("a"), krpc_value_string("b"));
	expect_str(c, "jebfoobarbob", TS, "OptionalArguments", 4, krpc_value_string("jeb"), NULL,
	    NULL, krpc_value_object(bob));
	expect_str(c, "jebfoobarnull", TS, "OptionalArguments", 4, krpc_value_string("jeb"), NULL,
	    NULL, krpc_value_null(KRPC_TYPE_CLASS));
	expect_str(c, "jebfoozbob", TS, "TestClass_OptionalArguments", 5, krpc_value_object(bob),
	    krpc_value_string("jeb"), NULL, krpc_value_string("z"), krpc_value_object(bob));
	expect_str(c, "jeb", TS, "TestClass_static_StaticMethod", 0);
	expect_str(c, "jebbobbill", TS, "TestClass_static_StaticMethod", 2,
	    krpc_value_string("bob"), krpc_value_string("bill"));
	ck_assert_int_eq(call_int(c, "enum(TestService.TestEnum)", TS, "EnumDefaultArg", 0), 2);
	call_err(&e, c, TS, "OptionalArguments", 0);
	check_err(&e, "", "", "Argument not specified for parameter x in TestService.OptionalArguments");
	th_client_close(c);
}
END_TEST

START_TEST(test_nullable)
{
	th_client_t *c = cli();
	krpc_value_t *v;
	struct err e;

	expect_null(c, "string", TS, "EchoNullableString", 1, krpc_value_null(KRPC_TYPE_STRING));
	expect_str(c, "x", TS, "EchoNullableString", 1, krpc_value_string("x"));
	expect_null(c, "list(sint32)", TS, "EchoNullableList", 1, krpc_value_null(KRPC_TYPE_LIST));
	v = call_ok(c, "list(sint32)", TS, "EchoNullableList", 1, ints(KRPC_TYPE_LIST, 2, 1, 2));
	check_ints(v, 2, 1, 2);
	krpc_value_free(v);
	expect_null(c, "sint32", TS, "EchoNullableInt", 1, krpc_value_null(KRPC_TYPE_SINT32));
	ck_assert_int_eq(call_int(c, "sint32", TS, "EchoNullableInt", 1, krpc_value_sint32(-7)), -7);
	expect_null(c, NULL, TS, "EchoTestObject", 1, krpc_value_null(KRPC_TYPE_CLASS));
	expect_null(c, NULL, TS, "StructEchoNullable", 1, krpc_value_null(KRPC_TYPE_STRUCT));
	expect_null(c, NULL, TS, "TestClass_static_StaticNullableObject", 1,
	    krpc_value_null(KRPC_TYPE_CLASS));

	call_err(&e, c, TS, "NotNullableObject", 1, krpc_value_null(KRPC_TYPE_CLASS));
	check_err(&e, "", "", "Incorrect argument type for parameter value in "
	    "TestService.NotNullableObject. Expected an argument of type "
	    "TestServer.TestService+TestClass, got null");
	call_err(&e, c, TS, "ReturnNullWhenNotAllowed", 0);
	check_err(&e, "", "", "Incorrect value returned by TestService.ReturnNullWhenNotAllowed. "
	    "Expected a non-null value of type TestServer.TestService+TestClass, got null, but the "
	    "procedure is not marked as nullable.");
	call_err(&e, c, TS, "IncrementList", 1, krpc_value_null(KRPC_TYPE_LIST));
	check_err(&e, "", "", NULL);
	ck_assert_msg(strncmp(e.desc, "Incorrect argument type for parameter l in "
	    "TestService.IncrementList. Expected an argument of type ", 96) == 0, "%s", e.desc);
	call_err(&e, c, TS, "StructEcho", 1, krpc_value_null(KRPC_TYPE_STRUCT));
	check_err(&e, "", "", NULL);
	th_client_close(c);
}
END_TEST

/* ---- TestService: collections, structures, enumerations ---------------- */

START_TEST(test_collections)
{
	th_client_t *c = cli();
	krpc_value_t *v, *d, *t, *nested;
	int32_t x;
	int64_t y;
	bool b;

	v = call_ok(c, "list(sint32)", TS, "IncrementList", 1, ints(KRPC_TYPE_LIST, 3, 0, 1, 2));
	check_ints(v, 3, 1, 2, 3);
	krpc_value_free(v);
	v = call_ok(c, "list(sint32)", TS, "IncrementList", 1, krpc_value_collection(KRPC_TYPE_LIST));
	ck_assert_uint_eq(krpc_value_count(v), 0);
	krpc_value_free(v);
	v = call_ok(c, "set(sint32)", TS, "IncrementSet", 1, ints(KRPC_TYPE_SET, 3, 5, 1, 2));
	ck_assert_uint_eq(krpc_value_count(v), 3);
	krpc_value_free(v);

	d = krpc_value_collection(KRPC_TYPE_DICTIONARY);
	ck_assert(krpc_value_put(d, krpc_value_string("a"), krpc_value_sint32(0)) == KRPC_OK);
	ck_assert(krpc_value_put(d, krpc_value_string("b"), krpc_value_sint32(1)) == KRPC_OK);
	v = call_ok(c, "dict(string, sint32)", TS, "IncrementDictionary", 1, d);
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
	v = call_ok(c, "tuple(sint32, sint64)", TS, "IncrementTuple", 1, t);
	ck_assert(krpc_value_as_sint32(krpc_value_item(v, 0), &x) == KRPC_OK);
	ck_assert(krpc_value_as_sint64(krpc_value_item(v, 1), &y) == KRPC_OK);
	ck_assert_int_eq(x, 2);
	ck_assert_int_eq(y, 3);
	krpc_value_free(v);

	nested = krpc_value_collection(KRPC_TYPE_DICTIONARY);
	ck_assert(krpc_value_put(nested, krpc_value_string("a"), ints(KRPC_TYPE_LIST, 2, 0, 1)) ==
	    KRPC_OK);
	ck_assert(krpc_value_put(nested, krpc_value_string("b"),
	    krpc_value_collection(KRPC_TYPE_LIST)) == KRPC_OK);
	v = call_ok(c, "dict(string, list(sint32))", TS, "IncrementNestedCollection", 1, nested);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	check_ints(krpc_value_val(v, 0), 2, 1, 2);
	ck_assert_uint_eq(krpc_value_count(krpc_value_val(v, 1)), 0);
	krpc_value_free(v);

	/* Defaults of every collection kind, omitted. */
	v = call_ok(c, "tuple(sint32, bool)", TS, "TupleDefault", 0);
	ck_assert(krpc_value_as_sint32(krpc_value_item(v, 0), &x) == KRPC_OK);
	ck_assert(krpc_value_as_bool(krpc_value_item(v, 1), &b) == KRPC_OK);
	ck_assert(x == 1 && !b);
	krpc_value_free(v);
	v = call_ok(c, "list(sint32)", TS, "ListDefault", 0);
	check_ints(v, 3, 1, 2, 3);
	krpc_value_free(v);
	v = call_ok(c, "set(sint32)", TS, "SetDefault", 0);
	check_ints(v, 3, 1, 2, 3);
	krpc_value_free(v);
	v = call_ok(c, "dict(sint32, bool)", TS, "DictionaryDefault", 0);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	ck_assert(krpc_value_as_sint32(krpc_value_key(v, 1), &x) == KRPC_OK && x == 2);
	ck_assert(krpc_value_as_bool(krpc_value_val(v, 1), &b) == KRPC_OK && b);
	krpc_value_free(v);
	v = call_ok(c, "list(enum(TestService.TestEnum))", TS, "EnumListDefault", 0);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	ck_assert(krpc_value_as_enum(krpc_value_item(v, 1), &x) == KRPC_OK && x == 2);
	krpc_value_free(v);
	v = call_ok(c, "list(string)", TS, "EmptyListDefault", 0);
	ck_assert_uint_eq(krpc_value_count(v), 0);
	krpc_value_free(v);
	v = call_ok(c, "list(sint32)", TS, "ListDefault", 1, ints(KRPC_TYPE_LIST, 1, 9));
	check_ints(v, 1, 9);
	krpc_value_free(v);
	th_client_close(c);
}
END_TEST

START_TEST(test_structs_and_enums)
{
	th_client_t *c = cli();
	krpc_value_t *v, *l, *n;
	uint64_t obj, got;
	int32_t x;

	v = call_ok(c, STRUCT_T, TS, "StructEcho", 1,
	    test_struct(7, "jeb", 2, ints(KRPC_TYPE_LIST, 2, 4, 5)));
	check_struct(v, 7, "jeb", 2);
	check_ints(krpc_value_item(v, 3), 2, 4, 5);
	krpc_value_free(v);
	v = call_ok(c, STRUCT_T, TS, "StructDefault", 0);
	check_struct(v, 42, "jeb", 1);
	check_ints(krpc_value_item(v, 3), 3, 1, 2, 3);
	krpc_value_free(v);
	v = call_ok(c, STRUCT_T, TS, "StructEchoNullable", 1,
	    test_struct(1, "", 0, krpc_value_collection(KRPC_TYPE_LIST)));
	check_struct(v, 1, "", 0);
	krpc_value_free(v);

	l = krpc_value_collection(KRPC_TYPE_LIST);
	ck_assert(krpc_value_append(l, test_struct(1, "a", 0, ints(KRPC_TYPE_LIST, 1, 10))) == KRPC_OK);
	ck_assert(krpc_value_append(l, test_struct(-1, "b", 2, krpc_value_collection(KRPC_TYPE_LIST))) ==
	    KRPC_OK);
	v = call_ok(c, "list(" STRUCT_T ")", TS, "IncrementListOfStructs", 1, l);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	check_struct(krpc_value_item(v, 0), 2, "a", 0);
	check_ints(krpc_value_item(krpc_value_item(v, 0), 3), 1, 10);
	check_struct(krpc_value_item(v, 1), 0, "b", 2);
	krpc_value_free(v);

	obj = call_obj(c, "class(TestService.TestClass)", TS, "CreateTestObject", 1,
	    krpc_value_string("nested"));
	n = krpc_value_collection(KRPC_TYPE_STRUCT);
	ck_assert(krpc_value_append(n, test_struct(3, "in", 1, ints(KRPC_TYPE_LIST, 1, 1))) ==
	    KRPC_OK);
	ck_assert(krpc_value_append(n, krpc_value_object(obj)) == KRPC_OK);
	ck_assert(krpc_value_append(n, krpc_value_string("out")) == KRPC_OK);
	v = call_ok(c, "struct(TestService.TestNestedStruct: " STRUCT_T ", class(TestService.TestClass), "
	    "string)", TS, "NestedStructEcho", 1, n);
	check_struct(krpc_value_item(v, 0), 3, "in", 1);
	ck_assert(krpc_value_as_object(krpc_value_item(v, 1), &got) == KRPC_OK);
	ck_assert_uint_eq(got, obj);
	ck_assert_str_eq(krpc_value_str(krpc_value_item(v, 2), NULL), "out");
	krpc_value_free(v);

	ck_assert_int_eq(call_int(c, "enum(TestService.TestEnum)", TS, "EnumReturn", 0), 1);
	ck_assert_int_eq(call_int(c, "enum(TestService.TestEnum)", TS, "EnumEcho", 1,
	    krpc_value_enum(0)), 0);
	ck_assert_int_eq(call_int(c, "enum(TestService.TestEnum)", TS, "EnumEcho", 1,
	    krpc_value_enum(2)), 2);
	x = call_int(c, "enum(TestService.TestEnum)", TS, "EnumEcho", 1, krpc_value_enum(9));
	ck_assert_int_eq(x, 9);
	ck_assert_int_eq(call_int(c, "enum(TestService.TestEnum)", TS, "EnumDefaultArg", 1,
	    krpc_value_enum(0)), 0);
	th_client_close(c);
}
END_TEST

/* ---- TestService: exceptions and special defaults ---------------------- */

START_TEST(test_exceptions)
{
	th_client_t *c = cli();
	struct err e;

	call_err(&e, c, TS, "ThrowInvalidOperationException", 0);
	check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");
	ck_assert(!e.request_level);
	call_err(&e, c, TS, "ThrowArgumentException", 0);
	check_err(&e, "KRPC", "ArgumentException", "Invalid argument");
	call_err(&e, c, TS, "ThrowArgumentNullException", 1, krpc_value_string(""));
	check_err(&e, "KRPC", "ArgumentNullException", "Value cannot be null. (Parameter 'foo')");
	call_err(&e, c, TS, "ThrowArgumentOutOfRangeException", 1, krpc_value_sint32(0));
	check_err(&e, "KRPC", "ArgumentOutOfRangeException",
	    "Specified argument was out of the range of valid values. (Parameter 'foo')");
	call_err(&e, c, TS, "ThrowCustomException", 0);
	check_err(&e, "TestService", "CustomException", "A custom kRPC exception");
	call_err(&e, c, TS, "Counter", 2, krpc_value_string("div"), krpc_value_sint32(0));
	check_err(&e, "", "", "Attempted to divide by zero.");
	/* The counter moved anyway (C#: ++ before /). */
	ck_assert_int_eq(call_int(c, "sint32", TS, "Counter", 1, krpc_value_string("div")), 2);
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
	th_client_t *c = cli(), *c2 = cli();
	struct err e;

	/* A fresh server: 101 calls return 0, then every call fails. */
	later_batch(c, "ThrowInvalidOperationExceptionLater", 100);
	ck_assert_int_eq(call_int(c2, "sint32", TS, "ThrowInvalidOperationExceptionLater", 0), 0);
	call_err(&e, c, TS, "ThrowInvalidOperationExceptionLater", 0);
	check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");
	call_err(&e, c2, TS, "ThrowInvalidOperationExceptionLater", 0);
	check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");
	call_void(c2, TS, "ResetInvalidOperationExceptionLater", 0);
	later_batch(c, "ThrowInvalidOperationExceptionLater", 101);
	call_err(&e, c, TS, "ThrowInvalidOperationExceptionLater", 0);
	check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");

	/* The custom one has its own counter. */
	call_void(c, TS, "ResetCustomExceptionLater", 0);
	later_batch(c, "ThrowCustomExceptionLater", 101);
	call_err(&e, c, TS, "ThrowCustomExceptionLater", 0);
	check_err(&e, "TestService", "CustomException", "A custom kRPC exception");
	call_void(c, TS, "ResetCustomExceptionLater", 0);
	ck_assert_int_eq(call_int(c, "sint32", TS, "ThrowCustomExceptionLater", 0), 0);
	call_err(&e, c, TS, "ThrowInvalidOperationExceptionLater", 0);
	check_err(&e, "KRPC", "InvalidOperationException", "Invalid operation");
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

START_TEST(test_special_defaults)
{
	th_client_t *c = cli();
	krpc_value_t *v;
	double d;
	float f;
	int64_t i64;
	uint32_t u32;
	uint64_t u64;

	v = call_ok(c, "list(double)", TS, "DoubleSpecialDefaults", 0);
	ck_assert_uint_eq(krpc_value_count(v), 5);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 0), &d) == KRPC_OK && isnan(d));
	ck_assert(krpc_value_as_double(krpc_value_item(v, 1), &d) == KRPC_OK && isinf(d) && d > 0);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 2), &d) == KRPC_OK && isinf(d) && d < 0);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 3), &d) == KRPC_OK && d == 1.7976931348623157e308);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 4), &d) == KRPC_OK && d == -1.7976931348623157e308);
	krpc_value_free(v);
	v = call_ok(c, "list(double)", TS, "DoubleSpecialDefaults", 2, krpc_value_double(1.5), NULL);
	ck_assert(krpc_value_as_double(krpc_value_item(v, 0), &d) == KRPC_OK && d == 1.5);
	krpc_value_free(v);
	v = call_ok(c, "list(float)", TS, "FloatSpecialDefaults", 0);
	ck_assert_uint_eq(krpc_value_count(v), 6);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 0), &f) == KRPC_OK && isnan(f));
	ck_assert(krpc_value_as_float(krpc_value_item(v, 1), &f) == KRPC_OK && isinf(f) && f > 0);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 2), &f) == KRPC_OK && isinf(f) && f < 0);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 3), &f) == KRPC_OK && f == 3.4028235e38f);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 4), &f) == KRPC_OK && f == -3.4028235e38f);
	ck_assert(krpc_value_as_float(krpc_value_item(v, 5), &f) == KRPC_OK && f == 0.1f);
	krpc_value_free(v);
	v = call_ok(c, "list(sint32)", TS, "Int32SpecialDefaults", 0);
	check_ints(v, 2, INT32_MAX, INT32_MIN);
	krpc_value_free(v);
	v = call_ok(c, "list(sint64)", TS, "Int64SpecialDefaults", 0);
	ck_assert(krpc_value_as_sint64(krpc_value_item(v, 0), &i64) == KRPC_OK && i64 == INT64_MAX);
	ck_assert(krpc_value_as_sint64(krpc_value_item(v, 1), &i64) == KRPC_OK && i64 == INT64_MIN);
	krpc_value_free(v);
	v = call_ok(c, "list(uint32)", TS, "Uint32SpecialDefaults", 0);
	ck_assert(krpc_value_as_uint32(krpc_value_item(v, 0), &u32) == KRPC_OK && u32 == UINT32_MAX);
	krpc_value_free(v);
	v = call_ok(c, "list(uint64)", TS, "Uint64SpecialDefaults", 0);
	ck_assert(krpc_value_as_uint64(krpc_value_item(v, 0), &u64) == KRPC_OK && u64 == UINT64_MAX);
	krpc_value_free(v);
	expect_str(c, "3.14159", TS, "DeprecatedProcedure", 1, krpc_value_float(3.14159f));
	expect_str(c, "2", TS, "DeprecatedProcedureNoMessage", 1, krpc_value_float(2));
	th_client_close(c);
}
END_TEST

/* ---- TestService: per-client counters --------------------------------- */

START_TEST(test_counter_per_client)
{
	th_client_t *a = cli(), *b = cli();
	krpc_value_t *v;
	uint64_t id;
	int32_t last = 0, x;
	int i;

	ck_assert_int_eq(call_int(a, "sint32", TS, "Counter", 0), 1);
	ck_assert_int_eq(call_int(a, "sint32", TS, "Counter", 0), 2);
	ck_assert_int_eq(call_int(a, "sint32", TS, "Counter", 1, krpc_value_string("")), 3);
	ck_assert_int_eq(call_int(a, "sint32", TS, "Counter", 1, krpc_value_string("x")), 1);
	ck_assert_int_eq(call_int(b, "sint32", TS, "Counter", 0), 1);
	ck_assert_int_eq(call_int(b, "sint32", TS, "Counter", 1, krpc_value_string("x")), 1);
	ck_assert_int_eq(call_int(a, "sint32", TS, "Counter", 2, krpc_value_string("x"),
	    krpc_value_sint32(2)), 1);
	ck_assert_int_eq(call_int(a, "sint32", TS, "Counter", 2, krpc_value_string("x"),
	    krpc_value_sint32(-1)), -3);

	/* CounterStruct shares the counter of Counter(id). */
	v = call_ok(a, STRUCT_T, TS, "CounterStruct", 1, krpc_value_string("x"));
	check_struct(v, 4, "x", 0);
	ck_assert_uint_eq(krpc_value_count(krpc_value_item(v, 3)), 0);
	krpc_value_free(v);
	v = call_ok(b, STRUCT_T, TS, "CounterStruct", 0);
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
	ck_assert_int_gt(call_int(a, "sint32", TS, "Counter", 1, krpc_value_string("s")), last);
	ck_assert_int_eq(call_int(b, "sint32", TS, "Counter", 1, krpc_value_string("s")), 1);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* ---- TestService: objects --------------------------------------------- */

#define TC "class(TestService.TestClass)"

START_TEST(test_objects)
{
	th_client_t *c = cli(), *c2 = cli();
	uint64_t jeb, jeb2, bill, renamed, x;
	krpc_value_t *l;
	struct err e;

	jeb = call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("jeb"));
	ck_assert_uint_gt(jeb, 0);
	ck_assert_uint_eq(call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("jeb")), jeb);
	ck_assert_uint_eq(call_obj(c2, TC, TS, "CreateTestObject", 1, krpc_value_string("jeb")), jeb);
	bill = call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("bill"));
	ck_assert_uint_ne(bill, jeb);
	ck_assert_uint_eq(call_obj(c, TC, TS, "EchoTestObject", 1, krpc_value_object(jeb)), jeb);
	ck_assert_uint_eq(call_obj(c, TC, TS, "NotNullableObject", 1, krpc_value_object(bill)), bill);
	ck_assert_uint_eq(call_obj(c, TC, TS, "TestClass_EchoNullableObject", 2,
	    krpc_value_object(jeb), krpc_value_object(bill)), bill);
	ck_assert_uint_eq(call_obj(c, TC, TS, "TestClass_EchoNullableObject", 2,
	    krpc_value_object(jeb), krpc_value_null(KRPC_TYPE_CLASS)), 0);
	ck_assert_uint_eq(call_obj(c, TC, TS, "TestClass_static_StaticNullableObject", 1,
	    krpc_value_object(bill)), bill);

	expect_str(c, "value=jeb", TS, "TestClass_GetValue", 1, krpc_value_object(jeb));
	expect_str(c, "jeb3.14159", TS, "TestClass_FloatToString", 2, krpc_value_object(jeb),
	    krpc_value_float(3.14159f));
	expect_str(c, "jebbill", TS, "TestClass_ObjectToString", 2, krpc_value_object(jeb),
	    krpc_value_object(bill));
	expect_str(c, "jebnull", TS, "TestClass_ObjectToString", 2, krpc_value_object(jeb),
	    krpc_value_null(KRPC_TYPE_CLASS));

	/* Per-object properties, seen by every client. */
	ck_assert_int_eq(call_int(c, "sint32", TS, "TestClass_get_IntProperty", 1,
	    krpc_value_object(jeb)), 0);
	call_void(c, TS, "TestClass_set_IntProperty", 2, krpc_value_object(jeb), krpc_value_sint32(1234));
	ck_assert_int_eq(call_int(c2, "sint32", TS, "TestClass_get_IntProperty", 1,
	    krpc_value_object(jeb)), 1234);
	ck_assert_int_eq(call_int(c2, "sint32", TS, "TestClass_get_IntProperty", 1,
	    krpc_value_object(bill)), 0);
	ck_assert_uint_eq(call_obj(c, TC, TS, "TestClass_get_ObjectProperty", 1,
	    krpc_value_object(jeb)), 0);
	call_void(c, TS, "TestClass_set_ObjectProperty", 2, krpc_value_object(jeb),
	    krpc_value_object(bill));
	ck_assert_uint_eq(call_obj(c2, TC, TS, "TestClass_get_ObjectProperty", 1,
	    krpc_value_object(jeb)), bill);
	call_void(c, TS, "TestClass_set_ObjectProperty", 2, krpc_value_object(jeb),
	    krpc_value_null(KRPC_TYPE_CLASS));
	ck_assert_uint_eq(call_obj(c, TC, TS, "TestClass_get_ObjectProperty", 1,
	    krpc_value_object(jeb)), 0);

	/* Lists of objects. */
	l = krpc_value_collection(KRPC_TYPE_LIST);
	ck_assert(krpc_value_append(l, krpc_value_object(bill)) == KRPC_OK);
	l = call_ok(c, "list(" TC ")", TS, "AddToObjectList", 2, l, krpc_value_string("jeb"));
	ck_assert_uint_eq(krpc_value_count(l), 2);
	ck_assert(krpc_value_as_object(krpc_value_item(l, 0), &x) == KRPC_OK && x == bill);
	ck_assert(krpc_value_as_object(krpc_value_item(l, 1), &x) == KRPC_OK && x == jeb);
	krpc_value_free(l);

	/* Renaming keeps the id; the old value then names a new object. */
	call_void(c, TS, "TestClass_set_StringPropertyPrivateGet", 2, krpc_value_object(bill),
	    krpc_value_string("bob"));
	expect_str(c, "bob", TS, "TestClass_get_StringPropertyPrivateSet", 1, krpc_value_object(bill));
	expect_str(c2, "value=bob", TS, "TestClass_GetValue", 1, krpc_value_object(bill));
	renamed = call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("bill"));
	ck_assert_uint_ne(renamed, bill);
	ck_assert_uint_ne(renamed, jeb);
	jeb2 = call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("jeb"));
	ck_assert_uint_eq(jeb2, jeb);

	/* Unknown ids fail the request; the connection stays usable. */
	call_err(&e, c, TS, "TestClass_GetValue", 1, krpc_value_object(1000000));
	check_err(&e, "KRPC", "ArgumentException", "Instance not found");
	ck_assert(e.request_level);
	call_err(&e, c, TS, "EchoTestObject", 1, krpc_value_object(1000000));
	check_err(&e, "KRPC", "ArgumentException", "Instance not found");
	ck_assert(e.request_level);
	call_err(&e, c, TS, "DeprecatedClass_DeprecatedMethod", 1, krpc_value_object(1000000));
	ck_assert(e.request_level);
	expect_str(c, "value=jeb", TS, "TestClass_GetValue", 1, krpc_value_object(jeb));
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

/* ---- TestService: service properties ---------------------------------- */

START_TEST(test_properties)
{
	th_client_t *c = cli(), *c2 = cli();
	static const char odd[] = "a\r\nb\tc\x01\x7f \xc3\xa9";
	uint64_t obj;
	struct err e;

	/* Fresh server: string properties are null, so the getters fail. */
	call_err(&e, c, TS, "get_StringProperty", 0);
	check_err(&e, "", "", "Incorrect value returned by TestService.get_StringProperty. Expected "
	    "a non-null value of type System.String, got null, but the procedure is not marked as "
	    "nullable.");
	call_err(&e, c, TS, "get_DeprecatedProperty", 0);
	check_err(&e, "", "", NULL);
	call_err(&e, c, TS, "set_StringProperty", 1, krpc_value_null(KRPC_TYPE_STRING));
	check_err(&e, "", "", "Incorrect argument type for parameter value in "
	    "TestService.set_StringProperty. Expected an argument of type System.String, got null");
	call_void(c, TS, "set_StringProperty", 1, krpc_value_string("foo"));
	expect_str(c2, "foo", TS, "get_StringProperty", 0);
	call_void(c, TS, "set_StringProperty", 1, krpc_value_string(odd));
	expect_str(c2, odd, TS, "get_StringProperty", 0);
	call_void(c, TS, "set_StringProperty", 1, krpc_value_string(""));
	expect_str(c, "", TS, "get_StringProperty", 0);
	call_void(c, TS, "set_DeprecatedProperty", 1, krpc_value_string("old"));
	expect_str(c, "old", TS, "get_DeprecatedProperty", 0);
	call_void(c, TS, "set_StringPropertyPrivateGet", 1, krpc_value_string("hidden"));
	expect_str(c, "foo", TS, "get_StringPropertyPrivateSet", 0);
	call_err(&e, c, TS, "get_StringPropertyPrivateGet", 0);
	check_err(&e, "", "", "Procedure \"get_StringPropertyPrivateGet\" not found, in service "
	    "\"TestService\"");

	/* Object properties. */
	obj = call_obj(c, TC, TS, "CreateTestObject", 1, krpc_value_string("prop"));
	ck_assert_uint_eq(call_obj(c, TC, TS, "get_ObjectProperty", 0), 0);
	call_void(c, TS, "set_ObjectProperty", 1, krpc_value_object(obj));
	ck_assert_uint_eq(call_obj(c2, TC, TS, "get_ObjectProperty", 0), obj);
	call_void(c, TS, "set_ObjectProperty", 1, krpc_value_null(KRPC_TYPE_CLASS));
	ck_assert_uint_eq(call_obj(c2, TC, TS, "get_ObjectProperty", 0), 0);
	ck_assert_uint_eq(call_obj(c, TC, TS, "get_NullableObject", 0), 0);
	call_err(&e, c, TS, "set_NullableObject", 1, krpc_value_null(KRPC_TYPE_CLASS));
	check_err(&e, "KRPC", "ArgumentNullException", "Value cannot be null. (Parameter 'value')");
	call_void(c, TS, "set_NullableObject", 1, krpc_value_object(obj));
	ck_assert_uint_eq(call_obj(c2, TC, TS, "get_NullableObject", 0), obj);
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

/* ---- TestService: events and yielding --------------------------------- */

START_TEST(test_on_timer)
{
	th_client_t *c = cli(), *norpc = cli_rpc_only();
	uint64_t id, id2, id3;
	double t0, t, first = 0;
	struct err e;
	int fired = 0;

	/* OnTimer(200): fires once after ~0.2 s (clients accept 0.15–2 s). */
	t0 = th_now();
	id = call_event(c, "OnTimer", 1, krpc_value_uint32(200));
	call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	ck_assert_msg(wait_true(c, id, 3.0), "OnTimer(200) did not fire");
	t = th_now() - t0;
	ck_assert_msg(t >= 0.15 && t <= 2.0, "OnTimer(200) fired after %.3f s", t);
	ck_assert_msg(!wait_true(c, id, 0.6), "OnTimer(200) fired twice");

	/* OnTimer(200, 5): five triggers about 0.2 s apart, then nothing. */
	id2 = call_event(c, "OnTimer", 2, krpc_value_uint32(200), krpc_value_uint32(5));
	ck_assert_uint_ne(id2, id);
	call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id2));
	while (fired < 5 && wait_true(c, id2, 3.0)) {
		if (fired++ == 0)
			first = th_now();
	}
	ck_assert_int_eq(fired, 5);
	t = th_now() - first;
	ck_assert_msg(t >= 0.5 && t <= 3.0, "4 periods of 0.2 s took %.3f s", t);
	ck_assert_msg(!wait_true(c, id2, 0.6), "OnTimer(200, 5) fired a sixth time");

	/* OnTimer(1000) has not fired within 0.1 s. */
	id3 = call_event(c, "OnTimer", 1, krpc_value_uint32(1000));
	call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id3));
	ck_assert_msg(!wait_true(c, id3, 0.1), "OnTimer(1000) fired within 0.1 s");
	ck_assert_msg(wait_true(c, id3, 3.0), "OnTimer(1000) did not fire");

	/* OnTimerUsingLambda: once, after the time. */
	t0 = th_now();
	id = call_event(c, "OnTimerUsingLambda", 1, krpc_value_uint32(200));
	call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	ck_assert_msg(wait_true(c, id, 3.0), "OnTimerUsingLambda(200) did not fire");
	t = th_now() - t0;
	ck_assert_msg(t >= 0.15 && t <= 2.0, "OnTimerUsingLambda(200) fired after %.3f s", t);
	ck_assert_msg(!wait_true(c, id, 0.5), "OnTimerUsingLambda fired twice");

	/* A firing before StartStream is sent when the stream starts. */
	id = call_event(c, "OnTimer", 1, krpc_value_uint32(100));
	th_sleep(0.4);
	t0 = th_now();
	call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	ck_assert_msg(wait_true(c, id, 1.0), "early OnTimer firing lost");
	ck_assert_msg(th_now() - t0 < 0.5, "early firing sent late");

	/* Events need a stream connection. */
	call_err(&e, norpc, TS, "OnTimer", 1, krpc_value_uint32(100));
	check_err(&e, "KRPC", "InvalidOperationException",
	    "No stream client is connected for this RPC client");
	call_err(&e, norpc, TS, "OnTimerUsingLambda", 1, krpc_value_uint32(100));
	check_err(&e, "KRPC", "InvalidOperationException",
	    "No stream client is connected for this RPC client");
	th_client_close(c);
	th_client_close(norpc);
}
END_TEST

START_TEST(test_blocking_procedure)
{
	th_client_t *c = cli();
	krpc_value_t *v;
	uint64_t id;
	int32_t x;

	ck_assert_int_eq(call_int(c, "sint32", TS, "BlockingProcedure", 1, krpc_value_sint32(0)), 0);
	ck_assert_int_eq(call_int(c, "sint32", TS, "BlockingProcedure", 1, krpc_value_sint32(10)), 55);
	ck_assert_int_eq(call_int(c, "sint32", TS, "BlockingProcedure", 2, krpc_value_sint32(5),
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
	th_client_t *c = cli();
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
	th_client_t *c = cli();
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
	th_client_t *c = cli();
	krpc_value_t *v;
	struct err e;
	double x, iterations = -1, ns = -1, zeros = 0;
	const char *k;
	size_t i;

	v = call_ok(c, "dict(string, double)", "Benchmark", "Call", 2,
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

	call_err(&e, c, "Benchmark", "Call", 2, th_proc_call("Nope", "Nothing", 0),
	    krpc_value_uint32(10));
	check_err(&e, "", "", "Service \"Nope\" not found");
	call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "Nothing", 0), krpc_value_uint32(10));
	check_err(&e, "", "", "Procedure \"Nothing\" not found, in service \"TestService\"");
	call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "ThrowInvalidOperationException", 0),
	    krpc_value_uint32(10));
	check_err(&e, "KRPC", "ArgumentException",
	    "Call to TestService.ThrowInvalidOperationException failed: Invalid operation");
	call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "BlockingProcedure", 1,
	    krpc_value_sint32(3)), krpc_value_uint32(10));
	check_err(&e, "KRPC", "ArgumentException", "Procedure TestService.BlockingProcedure yields, "
	    "so it spans several updates and cannot be benchmarked in a loop");
	call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "Int32ToString", 1,
	    krpc_value_sint32(1)), krpc_value_uint32(0));
	check_err(&e, "KRPC", "ArgumentException",
	    "Iterations must be at least one (Parameter 'iterations')");
	/* The probe runs as the caller: a Counter call advances the caller's counter. */
	v = call_ok(c, "dict(string, double)", "Benchmark", "Call", 2,
	    th_proc_call(TS, "Counter", 1, krpc_value_string("bench")), krpc_value_uint32(10));
	krpc_value_free(v);
	ck_assert_int_gt(call_int(c, "sint32", TS, "Counter", 1, krpc_value_string("bench")), 11);
	th_client_close(c);
}
END_TEST

/* ---- SpaceCenter ------------------------------------------------------ */

#define VESSEL	"class(SpaceCenter.Vessel)"
#define FRAME	"class(SpaceCenter.ReferenceFrame)"
#define FLIGHT	"class(SpaceCenter.Flight)"
#define CONTROL	"class(SpaceCenter.Control)"

/* The objects a script reaches from the active vessel. */
struct scene {
	uint64_t	vessel, orbit, body, body_frame, flight, body_flight, control;
};

/* Walks vessel → orbit → body → frame, flight() and control as the docs' examples do. */
static void
scene_get(th_client_t *c, struct scene *s)
{
	s->vessel = call_obj(c, VESSEL, SC, "get_ActiveVessel", 0);
	ck_assert_uint_gt(s->vessel, 0);
	s->orbit = call_obj(c, "class(SpaceCenter.Orbit)", SC, "Vessel_get_Orbit", 1,
	    krpc_value_object(s->vessel));
	s->body = call_obj(c, "class(SpaceCenter.CelestialBody)", SC, "Orbit_get_Body", 1,
	    krpc_value_object(s->orbit));
	s->body_frame = call_obj(c, FRAME, SC, "CelestialBody_get_ReferenceFrame", 1,
	    krpc_value_object(s->body));
	s->flight = call_obj(c, FLIGHT, SC, "Vessel_Flight", 1, krpc_value_object(s->vessel));
	s->body_flight = call_obj(c, FLIGHT, SC, "Vessel_Flight", 2, krpc_value_object(s->vessel),
	    krpc_value_object(s->body_frame));
	s->control = call_obj(c, CONTROL, SC, "Vessel_get_Control", 1, krpc_value_object(s->vessel));
}

/* Vessel.Position(frame) as three doubles. */
static void
position(th_client_t *c, const struct scene *s, uint64_t frame, double xyz[3])
{
	krpc_value_t *v = call_ok(c, "tuple(double, double, double)", SC, "Vessel_Position", 2,
	    krpc_value_object(s->vessel), krpc_value_object(frame));
	int i;

	ck_assert_uint_eq(krpc_value_count(v), 3);
	for (i = 0; i < 3; i++)
		ck_assert(krpc_value_as_double(krpc_value_item(v, (size_t)i), &xyz[i]) == KRPC_OK);
	krpc_value_free(v);
}

START_TEST(test_sc_objects_and_pad)
{
	th_client_t *c = cli(), *c2 = cli();
	struct scene s, s2;
	uint64_t vframe, sframe;
	double xyz[3], alt;
	krpc_value_t *v;
	float f;
	int i;

	scene_get(c, &s);
	scene_get(c2, &s2);
	ck_assert(memcmp(&s, &s2, sizeof(s)) == 0);	/* objects shared by value */
	ck_assert_uint_ne(s.flight, s.body_flight);
	sframe = call_obj(c, FRAME, SC, "Vessel_get_SurfaceReferenceFrame", 1, krpc_value_object(s.vessel));
	vframe = call_obj(c, FRAME, SC, "Vessel_get_ReferenceFrame", 1, krpc_value_object(s.vessel));
	ck_assert(sframe != vframe && sframe != s.body_frame);
	ck_assert_uint_eq(call_obj(c, FLIGHT, SC, "Vessel_Flight", 2, krpc_value_object(s.vessel),
	    krpc_value_object(sframe)), s.flight);
	ck_assert_uint_eq(call_obj(c, FLIGHT, SC, "Vessel_Flight", 2, krpc_value_object(s.vessel),
	    krpc_value_null(KRPC_TYPE_CLASS)), s.flight);

	/* Names. */
	expect_str(c, "Kerbin", SC, "CelestialBody_get_Name", 1, krpc_value_object(s.body));
	v = call_ok(c, "string", SC, "Vessel_get_Name", 1, krpc_value_object(s.vessel));
	ck_assert_uint_gt(strlen(krpc_value_str(v, NULL)), 0);
	krpc_value_free(v);
	call_void(c, SC, "Vessel_set_Name", 2, krpc_value_object(s.vessel), krpc_value_string("My Vessel"));
	expect_str(c2, "My Vessel", SC, "Vessel_get_Name", 1, krpc_value_object(s.vessel));
	call_void(c, SC, "set_ActiveVessel", 1, krpc_value_object(s.vessel));
	ck_assert_uint_eq(call_obj(c, VESSEL, SC, "get_ActiveVessel", 0), s.vessel);

	/* On the pad. */
	alt = call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight));
	ck_assert_msg(alt > 60 && alt < 80, "pad altitude %f", alt);
	ck_assert(call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.body_flight)) == alt);
	ck_assert(call_double(c, SC, "Flight_get_SurfaceAltitude", 1, krpc_value_object(s.flight)) < alt);
	ck_assert(call_double(c, SC, "Flight_get_Speed", 1, krpc_value_object(s.body_flight)) == 0);
	ck_assert(call_double(c, SC, "Flight_get_VerticalSpeed", 1, krpc_value_object(s.body_flight)) == 0);
	th_sleep(0.2);
	ck_assert(call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight)) == alt);
	for (i = 0; i < 20; i++) {	/* the docs' loop over vessel.position(body frame) */
		position(c, &s, s.body_frame, xyz);
		ck_assert(xyz[0] == 0 && xyz[2] == 0);
		ck_assert_msg(fabs(xyz[1] - (600000 + alt)) < 1e-6, "position %f", xyz[1]);
	}
	position(c, &s, vframe, xyz);
	ck_assert(xyz[0] == 0 && xyz[1] == 0 && xyz[2] == 0);

	/* Throttle clamping; abort is only a flag. */
	call_void(c, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(1.5f));
	v = call_ok(c, "float", SC, "Control_get_Throttle", 1, krpc_value_object(s.control));
	ck_assert(krpc_value_as_float(v, &f) == KRPC_OK && f == 1.0f);
	krpc_value_free(v);
	call_void(c, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(-2));
	v = call_ok(c, "float", SC, "Control_get_Throttle", 1, krpc_value_object(s.control));
	ck_assert(krpc_value_as_float(v, &f) == KRPC_OK && f == 0.0f);
	krpc_value_free(v);
	call_void(c, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(0.25f));
	v = call_ok(c, "float", SC, "Control_get_Throttle", 1, krpc_value_object(s.control));
	ck_assert(krpc_value_as_float(v, &f) == KRPC_OK && f == 0.25f);
	krpc_value_free(v);
	ck_assert(call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight)) == alt);
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

START_TEST(test_sc_abort_stream)
{
	th_client_t *c = cli(), *c2 = cli();
	struct scene s;
	krpc_value_t *v;
	uint64_t id;
	bool b = true;

	scene_get(c, &s);
	/* with abort.condition: wait until another client sets the flag. */
	id = th_add_stream(c, th_proc_call(SC, "Control_get_Abort", 1, krpc_value_object(s.control)), true);
	ck_assert(id != UINT64_MAX);
	v = th_wait_stream(c, id, "bool", 5.0, NULL, 0);
	ck_assert(v != NULL && krpc_value_as_bool(v, &b) == KRPC_OK && !b);
	krpc_value_free(v);
	call_void(c2, SC, "Control_set_Abort", 2, krpc_value_object(s.control), krpc_value_bool(true));
	v = th_wait_stream(c, id, "bool", 5.0, NULL, 0);
	ck_assert(v != NULL && krpc_value_as_bool(v, &b) == KRPC_OK && b);
	krpc_value_free(v);
	v = call_ok(c, "bool", SC, "Control_get_Abort", 1, krpc_value_object(s.control));
	ck_assert(krpc_value_as_bool(v, &b) == KRPC_OK && b);
	krpc_value_free(v);
	th_client_close(c);
	th_client_close(c2);
}
END_TEST

START_TEST(test_sc_launch)
{
	th_client_t *c = cli();
	struct scene s;
	krpc_value_t *expr, *v;
	uint64_t ev, alt_id, pos_id, ut_id;
	double t0, t, ut0, ut, alt, prev, xyz[3];
	int i;

	scene_get(c, &s);
	/* The custom event of the docs: mean_altitude > 1000. */
	v = call_ok(c, "class(KRPC.Expression)", "KRPC", "Expression_static_Call", 1,
	    th_proc_call(SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight)));
	expr = call_ok(c, "class(KRPC.Expression)", "KRPC", "Expression_static_GreaterThan", 2, v,
	    call_ok(c, "class(KRPC.Expression)", "KRPC", "Expression_static_ConstantDouble", 1,
	    krpc_value_double(1000)));
	v = call_ok(c, "event", "KRPC", "AddEvent", 1, expr);
	ev = stream_id_of(v, KRPC_TYPE_EVENT);
	krpc_value_free(v);
	call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(ev));
	alt_id = th_add_stream(c, th_proc_call(SC, "Flight_get_MeanAltitude", 1,
	    krpc_value_object(s.flight)), true);
	pos_id = th_add_stream(c, th_proc_call(SC, "Vessel_Position", 2, krpc_value_object(s.vessel),
	    krpc_value_object(s.body_frame)), true);
	ut_id = th_add_stream(c, th_proc_call(SC, "get_UT", 0), false);
	ck_assert(alt_id != UINT64_MAX && pos_id != UINT64_MAX && ut_id != UINT64_MAX);
	ck_assert_msg(!wait_true(c, ev, 0.3), "the altitude event fired on the pad");

	/* Launch: throttle 1, then stage. */
	ut0 = call_double(c, SC, "get_UT", 0);
	call_void(c, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(1));
	v = call_ok(c, "list(" VESSEL ")", SC, "Control_ActivateNextStage", 1, krpc_value_object(s.control));
	ck_assert_uint_eq(krpc_value_count(v), 0);
	krpc_value_free(v);
	t0 = th_now();
	ck_assert_msg(wait_true(c, ev, 20.0), "altitude never passed 1000 m");
	t = th_now() - t0;
	ut = call_double(c, SC, "get_UT", 0);
	alt = call_double(c, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight));
	ck_assert_msg(alt > 1000, "event fired at %f m", alt);
	ck_assert_msg(t > 4 && t < 15, "1000 m reached %.1f s after launch", t);
	ck_assert_msg(ut - ut0 > 5 && ut - ut0 < 15, "UT advanced %.2f s", ut - ut0);
	ck_assert(call_double(c, SC, "Flight_get_VerticalSpeed", 1, krpc_value_object(s.body_flight)) > 0);
	ck_assert(call_double(c, SC, "Flight_get_Speed", 1, krpc_value_object(s.body_flight)) > 0);
	ck_assert(call_double(c, SC, "Flight_get_VerticalSpeed", 1, krpc_value_object(s.flight)) == 0);
	position(c, &s, s.body_frame, xyz);
	ck_assert(xyz[1] > 600000 + 1000);

	/* Streams keep changing while the vessel climbs. */
	prev = stream_double(c, alt_id, 2.0);
	for (i = 0; i < 5; i++) {
		alt = stream_double(c, alt_id, 2.0);
		ck_assert_msg(alt > prev, "altitude stream %f after %f", alt, prev);
		prev = alt;
	}
	call_void(c, "KRPC", "StartStream", 1, krpc_value_uint64(ut_id));
	ut0 = stream_double(c, ut_id, 2.0);
	ck_assert(stream_double(c, ut_id, 2.0) > ut0);
	th_client_close(c);
}
END_TEST

START_TEST(test_sc_warp)
{
	th_client_t *c = cli(), *c2 = cli();
	struct scene s;
	krpc_buf_t req = KRPC_BUF_INIT;
	double ut0, ut, t0, alt;

	scene_get(c, &s);
	/* Warp an hour: UT jumps there in bounded wall time, never below the target. */
	ut0 = call_double(c, SC, "get_UT", 0);
	t0 = th_now();
	call_void(c, SC, "WarpTo", 1, krpc_value_double(ut0 + 3600));
	ut = call_double(c, SC, "get_UT", 0);
	ck_assert_msg(th_now() - t0 < 10, "WarpTo(+1 h) took %.1f s", th_now() - t0);
	ck_assert_msg(ut >= ut0 + 3600 && ut < ut0 + 3601, "UT %f after warping to %f", ut, ut0 + 3600);

	/* WarpTo a past time still takes an update; another connection is served meanwhile. */
	call_void(c, SC, "WarpTo", 3, krpc_value_double(0), krpc_value_float(10), krpc_value_float(1));
	ck_assert(call_double(c, SC, "get_UT", 0) > ut);

	/* While one connection waits in a long warp, another keeps getting answers. */
	ut0 = call_double(c, SC, "get_UT", 0);
	th_request_add(&req, SC, "WarpTo", 3, krpc_value_double(ut0 + 1e6), krpc_value_float(10),
	    krpc_value_float(2));
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
	ck_assert_int_eq(call_int(c2, "sint32", TS, "BlockingProcedure", 1, krpc_value_sint32(3)), 6);
	ut = call_double(c2, SC, "get_UT", 0);
	ck_assert_msg(ut > ut0 && ut < ut0 + 100, "UT %f during a 10x warp from %f", ut, ut0);

	/* Launched during a warp, the vessel flies and falls back to the pad. */
	th_client_close(c);	/* drops the waiting call, which stops the warp */
	call_void(c2, SC, "Control_set_Throttle", 2, krpc_value_object(s.control), krpc_value_float(1));
	krpc_value_free(call_ok(c2, "list(" VESSEL ")", SC, "Control_ActivateNextStage", 1,
	    krpc_value_object(s.control)));
	ut0 = call_double(c2, SC, "get_UT", 0);
	call_void(c2, SC, "WarpTo", 2, krpc_value_double(ut0 + 30), krpc_value_float(100000));
	alt = call_double(c2, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight));
	ck_assert_msg(alt > 5000, "altitude %f 30 s after launch", alt);
	ut0 = call_double(c2, SC, "get_UT", 0);
	call_void(c2, SC, "WarpTo", 2, krpc_value_double(ut0 + 3600), krpc_value_float(100000));
	alt = call_double(c2, SC, "Flight_get_MeanAltitude", 1, krpc_value_object(s.flight));
	ck_assert_msg(alt > 60 && alt < 80, "altitude %f an hour after launch", alt);
	ck_assert(call_double(c2, SC, "Flight_get_Speed", 1, krpc_value_object(s.body_flight)) == 0);
	th_client_close(c2);
}
END_TEST

START_TEST(test_sc_scene_restriction)
{
	th_client_t *c = cli();
	struct err e;

	call_err(&e, c, SC, "get_ActiveVessel", 0);
	check_err(&e, "", "", "Procedure not available in game scene 'SpaceCenter'");
	ck_assert(!e.request_level);
	call_err(&e, c, SC, "get_UT", 0);
	check_err(&e, "", "", "Procedure not available in game scene 'SpaceCenter'");
	ck_assert_int_eq(call_int(c, "enum(KRPC.GameScene)", "KRPC", "get_GameScene", 0), 0);
	expect_str(c, "42", TS, "Int32ToString", 1, krpc_value_sint32(42));
	th_client_close(c);
}
END_TEST

START_TEST(test_sc_flight_scene)
{
	th_client_t *c = cli();

	ck_assert_int_eq(call_int(c, "enum(KRPC.GameScene)", "KRPC", "get_GameScene", 0), 1);
	ck_assert_uint_gt(call_obj(c, VESSEL, SC, "get_ActiveVessel", 0), 0);
	th_client_close(c);
}
END_TEST

/* ---- Suite ------------------------------------------------------------ */

/* A test case with its own krpc-sim. */
static TCase *
tcase(Suite *s, const char *name, void (*setup)(void), double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, setup, teardown_sim);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

int
main(void)
{
	Suite *s = suite_create("sim_services");
	SRunner *sr;
	TCase *tc;
	int failed;

	tc = tcase(s, "testservice", setup_sim, 60);
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

	tc = tcase(s, "spacecenter", setup_sim, 60);
	tcase_add_test(tc, test_sc_flight_scene);
	tcase_add_test(tc, test_sc_objects_and_pad);
	tcase_add_test(tc, test_sc_abort_stream);
	tc = tcase(s, "spacecenter-launch", setup_sim, 60);
	tcase_add_test(tc, test_sc_launch);
	tc = tcase(s, "spacecenter-warp", setup_sim, 60);
	tcase_add_test(tc, test_sc_warp);
	tc = tcase(s, "spacecenter-scene", setup_sim_space_center, 30);
	tcase_add_test(tc, test_sc_scene_restriction);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	th_cleanup();
	return failed == 0 && sim_unclean == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
