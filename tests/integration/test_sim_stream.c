/*
 * krpc-sim streams, events, expressions and the GetStatus counters over real
 * sockets (PROTOCOL.md 7, 8 and TESTSERVICE.md 4, 7.7-7.9): sharing of equal
 * streams, first values, StartStream resends, rates, errors that remove a
 * stream, removal, expression events, OnTimer, and exact counters.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simtest.h"

#define EXPR "class(KRPC.Expression)"

static struct simtest sim;	/* started once, in the parent, before the tests fork */

/* A client with a stream connection, asserted. */
static th_client_t *
client(const char *name)
{
	th_client_t *c = simtest_client(&sim, name, true);

	ck_assert_msg(c != NULL, "cannot connect to krpc-sim");
	return c;
}

/* AddStream, asserted. */
static uint64_t
add_stream(th_client_t *c, krpc_value_t *call, bool start)
{
	uint64_t id = th_add_stream(c, call, start);

	ck_assert_msg(id != UINT64_MAX, "AddStream failed");
	return id;
}

/* A call of a void KRPC stream procedure taking a stream id, asserted. */
static void
stream_op(th_client_t *c, const char *proc, uint64_t id)
{
	krpc_value_t *v = th_call_value(c, NULL, "KRPC", proc, 1, krpc_value_uint64(id));

	ck_assert_msg(v != NULL, "KRPC.%s failed", proc);
	krpc_value_free(v);
}

/* Expression builders with one or two arguments: the new node's id. */
static uint64_t
expr1(th_client_t *c, const char *builder, krpc_value_t *a)
{
	char proc[64];
	uint64_t id;

	snprintf(proc, sizeof proc, "Expression_static_%s", builder);
	id = simtest_object(th_call_value(c, EXPR, "KRPC", proc, 1, a));
	ck_assert_msg(id != 0, "%s failed", proc);
	return id;
}

static uint64_t
expr2(th_client_t *c, const char *builder, krpc_value_t *a, krpc_value_t *b)
{
	char proc[64];
	uint64_t id;

	snprintf(proc, sizeof proc, "Expression_static_%s", builder);
	id = simtest_object(th_call_value(c, EXPR, "KRPC", proc, 2, a, b));
	ck_assert_msg(id != 0, "%s failed", proc);
	return id;
}

/* A LIST value of expression object ids. */
static krpc_value_t *
expr_list(size_t n, const uint64_t *ids)
{
	krpc_value_t *l = krpc_value_collection(KRPC_TYPE_LIST);
	size_t i;

	for (i = 0; i < n; i++)
		krpc_value_append(l, krpc_value_object(ids[i]));
	return l;
}

/* AddEvent on an expression, started: the event's stream id. */
static uint64_t
add_event(th_client_t *c, uint64_t expr)
{
	uint64_t id = simtest_stream_id(th_call_value(c, "event", "KRPC", "AddEvent", 1,
	    krpc_value_object(expr)), true);

	ck_assert_msg(id != UINT64_MAX, "AddEvent failed");
	stream_op(c, "StartStream", id);
	return id;
}

/* Waits for a stream's next value as a bool; -1 on timeout, -2 on an error result. */
static int
next_bool(th_client_t *c, uint64_t id, double timeout, char *err, size_t errlen)
{
	krpc_value_t *v;
	bool b = false;

	err[0] = '\0';
	v = th_wait_stream(c, id, "bool", timeout, err, errlen);
	if (v == NULL)
		return err[0] != '\0' ? -2 : -1;
	krpc_value_as_bool(v, &b);
	krpc_value_free(v);
	return b;
}

/* The next sint32 value of a stream, asserted. */
static int32_t
next_int(th_client_t *c, uint64_t id)
{
	krpc_value_t *v = th_wait_stream(c, id, "sint32", 5.0, NULL, 0);
	int32_t i = 0;

	ck_assert_msg(v != NULL, "no value for stream %llu", (unsigned long long)id);
	krpc_value_as_sint32(v, &i);
	krpc_value_free(v);
	return i;
}

/* ---- streams --------------------------------------------------------- */

START_TEST(test_stream_sharing_and_ids)
{
	th_client_t *a = client("ids-a"), *b = client("ids-b");
	uint64_t x, y, z, w, o;

	x = add_stream(a, th_proc_call("TestService", "Counter", 1, krpc_value_string("share")), false);
	y = add_stream(a, th_proc_call("TestService", "Counter", 2, krpc_value_string("share"),
	    krpc_value_sint32(1)), false);	/* the default given explicitly: the same call */
	z = add_stream(a, th_proc_call("TestService", "Counter", 1, krpc_value_string("other")), false);
	w = add_stream(a, th_proc_call("TestService", "IncrementList", 1,
	    krpc_value_collection(KRPC_TYPE_LIST)), false);
	o = add_stream(b, th_proc_call("TestService", "Counter", 1, krpc_value_string("share")), false);
	ck_assert_uint_eq(x, y);
	ck_assert_uint_ne(x, z);
	/* lists compare by reference: never the same stream */
	ck_assert_uint_ne(w, add_stream(a, th_proc_call("TestService", "IncrementList", 1,
	    krpc_value_collection(KRPC_TYPE_LIST)), false));
	/* streams are per client; ids come from one server-wide counter */
	ck_assert_uint_ne(o, x);
	ck_assert_uint_gt(o, w);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

START_TEST(test_stream_first_value_once)
{
	th_client_t *c = client("first");
	Krpc__Schema__StreamUpdate *u;
	uint64_t id, nul;
	int n;

	/* an unchanging value is sent once */
	id = add_stream(c, th_proc_call("TestService", "StructDefault", 0), true);
	n = simtest_count_updates(c, id, 0.5);
	ck_assert_int_eq(n, 1);
	/* a null first value is sent too, as is_null */
	nul = add_stream(c, th_proc_call("TestService", "EchoTestObject", 1,
	    krpc_value_null(KRPC_TYPE_CLASS)), true);
	u = th_recv_update(c, 5.0);
	ck_assert_ptr_nonnull(u);
	ck_assert_uint_eq(u->n_results, 1);	/* only what changed */
	ck_assert_uint_eq(u->results[0]->id, nul);
	ck_assert(u->results[0]->result->is_null);
	krpc__schema__stream_update__free_unpacked(u, NULL);
	th_client_close(c);
}
END_TEST

START_TEST(test_stream_start_resend)
{
	th_client_t *c = client("resend");
	uint64_t id;
	krpc_value_t *v;
	int n;

	id = add_stream(c, th_proc_call("TestService", "get_StringPropertyPrivateSet", 0), false);
	ck_assert_int_eq(simtest_count_updates(c, id, 0.3), 0);	/* not started: nothing */
	stream_op(c, "StartStream", id);
	v = th_wait_stream(c, id, "string", 5.0, NULL, 0);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(krpc_value_str(v, NULL), "foo");
	krpc_value_free(v);
	ck_assert_int_eq(simtest_count_updates(c, id, 0.2), 0);	/* unchanged: not sent again */
	stream_op(c, "StartStream", id);	/* ... unless started again */
	n = simtest_count_updates(c, id, 0.3);
	ck_assert_int_eq(n, 1);
	/* and AddStream of the same call with start = true restarts it too */
	ck_assert_uint_eq(add_stream(c, th_proc_call("TestService", "get_StringPropertyPrivateSet", 0),
	    true), id);
	ck_assert_int_eq(simtest_count_updates(c, id, 0.3), 1);
	th_client_close(c);
}
END_TEST

START_TEST(test_stream_rate)
{
	th_client_t *c = client("rate");
	uint64_t fast, slow;
	int nfast, nslow;
	Krpc__Schema__StreamUpdate *u;
	double end;
	size_t i;

	fast = add_stream(c, th_proc_call("TestService", "Counter", 1, krpc_value_string("r0")), true);
	slow = add_stream(c, th_proc_call("TestService", "Counter", 1, krpc_value_string("r5")), false);
	krpc_value_free(th_call_value(c, NULL, "KRPC", "SetStreamRate", 2, krpc_value_uint64(slow),
	    krpc_value_float(5.0f)));
	stream_op(c, "StartStream", slow);
	nfast = nslow = 0;
	for (end = th_now() + 1.0; th_now() < end;) {
		if ((u = th_recv_update(c, end - th_now())) == NULL)
			break;
		for (i = 0; i < u->n_results; i++) {
			nfast += u->results[i]->id == fast;
			nslow += u->results[i]->id == slow;
		}
		krpc__schema__stream_update__free_unpacked(u, NULL);
	}
	/* 5 Hz gives about 5 values a second, every update about 60 */
	ck_assert_msg(nslow >= 3 && nslow <= 7, "%d values at 5 Hz", nslow);
	ck_assert_msg(nfast >= 25, "%d values at rate 0", nfast);
	th_client_close(c);
}
END_TEST

START_TEST(test_stream_error_removes)
{
	th_client_t *c = client("error");
	char err[256], *desc;
	uint64_t id, again;

	id = add_stream(c, th_proc_call("TestService", "ThrowInvalidOperationException", 0), true);
	ck_assert_int_eq(next_bool(c, id, 5.0, err, sizeof err), -2);
	ck_assert_str_eq(err, "Invalid operation");
	ck_assert_int_eq(simtest_count_updates(c, id, 0.3), 0);	/* sent once */
	desc = th_call_error(c, NULL, NULL, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	ck_assert_ptr_nonnull(desc);
	ck_assert_str_eq(desc, "Stream does not exist with this id");
	free(desc);
	stream_op(c, "RemoveStream", id);	/* a no-op now */
	again = add_stream(c, th_proc_call("TestService", "ThrowInvalidOperationException", 0), false);
	ck_assert_uint_ne(again, id);	/* a new stream */
	th_client_close(c);
}
END_TEST

START_TEST(test_stream_error_later)
{
	th_client_t *c = client("later");
	char err[256];
	uint64_t id;

	krpc_value_free(th_call_value(c, NULL, "TestService", "ResetInvalidOperationExceptionLater", 0));
	id = add_stream(c, th_proc_call("TestService", "ThrowInvalidOperationExceptionLater", 0), true);
	ck_assert_int_eq(next_int(c, id), 0);
	err[0] = '\0';
	ck_assert_ptr_null(th_wait_stream(c, id, "sint32", 6.0, err, sizeof err));
	ck_assert_str_eq(err, "Invalid operation");
	krpc_value_free(th_call_value(c, NULL, "TestService", "ResetInvalidOperationExceptionLater", 0));
	th_client_close(c);
}
END_TEST

START_TEST(test_stream_remove_and_refusals)
{
	th_client_t *c = client("remove"), *nostream = simtest_client(&sim, "nostream", false);
	char *desc, *svc = NULL, *name = NULL;
	uint64_t id;

	id = add_stream(c, th_proc_call("TestService", "Counter", 1, krpc_value_string("rm")), true);
	ck_assert_int_ge(next_int(c, id), 1);
	stream_op(c, "RemoveStream", id);
	th_sleep(0.1);
	while (th_recv_update(c, 0.05) != NULL)	/* an update already written may still come */
		;
	ck_assert_int_eq(simtest_count_updates(c, id, 0.3), 0);
	stream_op(c, "RemoveStream", 123456789);	/* unknown: ignored */
	desc = th_call_error(c, &svc, &name, "KRPC", "AddStream", 1,
	    th_proc_call("TestService", "ResetCustomExceptionLater", 0));
	ck_assert_ptr_nonnull(desc);
	ck_assert_str_eq(desc, "Cannot create a stream for a procedure that does not return a value.");
	ck_assert_str_eq(name, "InvalidOperationException");
	free(desc);
	free(svc);
	free(name);
	ck_assert_ptr_nonnull(nostream);
	desc = th_call_error(nostream, &svc, &name, "KRPC", "AddStream", 1,
	    th_proc_call("TestService", "Counter", 0));
	ck_assert_ptr_nonnull(desc);
	ck_assert_str_eq(desc, "No stream client is connected for this RPC client");
	ck_assert_str_eq(svc, "KRPC");
	ck_assert_str_eq(name, "InvalidOperationException");
	free(desc);
	free(svc);
	free(name);
	th_client_close(c);
	th_client_close(nostream);
}
END_TEST

START_TEST(test_stream_yielding)
{
	th_client_t *c = client("blocking");
	uint64_t id;

	id = add_stream(c, th_proc_call("TestService", "BlockingProcedure", 1, krpc_value_sint32(10)),
	    true);
	ck_assert_int_eq(next_int(c, id), 55);
	ck_assert_int_eq(simtest_count_updates(c, id, 0.6), 0);	/* 55 again: not resent */
	th_client_close(c);
}
END_TEST

/* ---- events and expressions ------------------------------------------ */

START_TEST(test_event_counter_expression)
{
	th_client_t *c = client("event");
	krpc_value_t *v;
	uint64_t two, ten, mul, call, eq, ev;
	int32_t n = 0;
	char err[128];

	/* Equal(Multiply(ConstantInt(2), ConstantInt(10)), Call(Counter("ev"))) */
	two = expr1(c, "ConstantInt", krpc_value_sint32(2));
	ten = expr1(c, "ConstantInt", krpc_value_sint32(10));
	mul = expr2(c, "Multiply", krpc_value_object(two), krpc_value_object(ten));
	call = expr1(c, "Call", th_proc_call("TestService", "Counter", 1, krpc_value_string("ev")));
	eq = expr2(c, "Equal", krpc_value_object(mul), krpc_value_object(call));
	ev = add_event(c, eq);
	ck_assert_int_eq(next_bool(c, ev, 5.0, err, sizeof err), 1);
	v = th_call_value(c, "sint32", "TestService", "Counter", 1, krpc_value_string("ev"));
	ck_assert_int_eq(krpc_value_as_sint32(v, &n), KRPC_OK);
	ck_assert_int_ge(n, 21);
	krpc_value_free(v);
	th_client_close(c);
}
END_TEST

START_TEST(test_event_ontimer)
{
	th_client_t *c = client("timer");
	char err[128], *desc;
	double start = th_now(), last;
	uint64_t id;
	int i;

	id = simtest_stream_id(th_call_value(c, "event", "TestService", "OnTimer", 2,
	    krpc_value_uint32(200), krpc_value_uint32(3)), true);
	ck_assert_uint_ne(id, UINT64_MAX);
	stream_op(c, "StartStream", id);
	for (i = 0, last = start; i < 3; i++) {
		ck_assert_int_eq(next_bool(c, id, 3.0, err, sizeof err), 1);
		ck_assert(th_now() - last >= 0.1);
		last = th_now();
	}
	ck_assert_int_eq(simtest_count_updates(c, id, 0.5), 0);
	desc = th_call_error(c, NULL, NULL, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	ck_assert_ptr_nonnull(desc);	/* removed after its last firing */
	free(desc);
	th_client_close(c);
}
END_TEST

/* Asserts an event on expression e fires (want 1) or stays silent (want 0). */
static void
assert_event(th_client_t *c, uint64_t e, int want)
{
	char err[256];
	int got = next_bool(c, add_event(c, e), want ? 5.0 : 0.3, err, sizeof err);

	ck_assert_msg(want ? got == 1 : got == -1, "event: got %d (%s), want %d", got, err, want);
}

START_TEST(test_expressions)
{
	th_client_t *c = client("expr");
	uint64_t one, two, three, five, x1, x2, px, py, pa, pb, list, fn, e;
	uint64_t ids[3];
	char err[256], *desc, *name = NULL;

	one = expr1(c, "ConstantInt", krpc_value_sint32(1));
	two = expr1(c, "ConstantInt", krpc_value_sint32(2));
	three = expr1(c, "ConstantInt", krpc_value_sint32(3));
	five = expr1(c, "ConstantInt", krpc_value_sint32(5));
	/* arithmetic and comparison */
	e = expr2(c, "Add", krpc_value_object(two), krpc_value_object(three));
	assert_event(c, expr2(c, "Equal", krpc_value_object(e), krpc_value_object(five)), 1);
	x1 = expr1(c, "ConstantDouble", krpc_value_double(1.5));
	x2 = expr1(c, "ConstantDouble", krpc_value_double(2.5));
	assert_event(c, expr2(c, "GreaterThan", krpc_value_object(x1), krpc_value_object(x2)), 0);
	assert_event(c, expr2(c, "LessThan", krpc_value_object(x1), krpc_value_object(x2)), 1);
	/* mixed numeric operands are not promoted (as on the real server): cast one */
	desc = th_call_error(c, NULL, NULL, "KRPC", "Expression_static_Add", 2,
	    krpc_value_object(one), krpc_value_object(x1));
	ck_assert_ptr_nonnull(desc);
	ck_assert_str_eq(desc, "The binary operator Add is not defined for the types "
	    "'System.Int32' and 'System.Double'.");
	free(desc);
	pb = simtest_object(th_call_value(c, "class(KRPC.Type)", "KRPC", "Type_static_Double", 0));
	e = expr2(c, "Add", krpc_value_object(expr2(c, "Cast", krpc_value_object(one),
	    krpc_value_object(pb))), krpc_value_object(x1));
	assert_event(c, expr2(c, "Equal", krpc_value_object(e), krpc_value_object(x2)), 1);
	/* Cast(2.5, Int) == 2 */
	pa = simtest_object(th_call_value(c, "class(KRPC.Type)", "KRPC", "Type_static_Int", 0));
	e = expr2(c, "Cast", krpc_value_object(x2), krpc_value_object(pa));
	assert_event(c, expr2(c, "Equal", krpc_value_object(e), krpc_value_object(two)), 1);
	/* collections: Count([1, 2, 3]) == 3, Aggregate(+) == 6 > 5, Any(x > 2) */
	ids[0] = one, ids[1] = two, ids[2] = three;
	list = expr1(c, "CreateList", expr_list(3, ids));
	e = expr1(c, "Count", krpc_value_object(list));
	assert_event(c, expr2(c, "Equal", krpc_value_object(e), krpc_value_object(three)), 1);
	px = expr2(c, "Parameter", krpc_value_string("x"), krpc_value_object(pa));
	py = expr2(c, "Parameter", krpc_value_string("y"), krpc_value_object(pa));
	ids[0] = px, ids[1] = py;
	e = expr2(c, "Add", krpc_value_object(px), krpc_value_object(py));
	fn = expr2(c, "Function", expr_list(2, ids), krpc_value_object(e));
	e = expr2(c, "Aggregate", krpc_value_object(list), krpc_value_object(fn));
	assert_event(c, expr2(c, "GreaterThan", krpc_value_object(e), krpc_value_object(five)), 1);
	fn = expr2(c, "Function", expr_list(1, &px), krpc_value_object(expr2(c, "GreaterThan",
	    krpc_value_object(px), krpc_value_object(two))));
	assert_event(c, expr2(c, "Any", krpc_value_object(list), krpc_value_object(fn)), 1);
	assert_event(c, expr2(c, "All", krpc_value_object(list), krpc_value_object(fn)), 0);
	/* type errors when building, and non-boolean events */
	desc = th_call_error(c, NULL, &name, "KRPC", "Expression_static_Add", 2,
	    krpc_value_object(one), krpc_value_object(expr1(c, "ConstantString",
	    krpc_value_string("1"))));
	ck_assert_ptr_nonnull(desc);
	ck_assert_str_eq(desc, "The binary operator Add is not defined for the types "
	    "'System.Int32' and 'System.String'.");
	ck_assert_str_eq(name, "InvalidOperationException");
	free(desc);
	free(name);
	desc = th_call_error(c, NULL, NULL, "KRPC", "AddEvent", 1, krpc_value_object(one));
	ck_assert_ptr_nonnull(desc);
	ck_assert_str_eq(desc, "Expression of type 'System.Int32' cannot be used for return type "
	    "'System.Boolean'");
	free(desc);
	desc = th_call_error(c, NULL, NULL, "KRPC", "Expression_static_Call", 1,
	    th_proc_call("TestService", "ResetCustomExceptionLater", 0));
	ck_assert_ptr_nonnull(desc);
	ck_assert_str_eq(desc, "Cannot use a procedure that does not return a value.");
	free(desc);
	/* an evaluation error is sent once and the event goes */
	pb = expr2(c, "Divide", krpc_value_object(one), krpc_value_object(
	    expr1(c, "ConstantInt", krpc_value_sint32(0))));
	e = add_event(c, expr2(c, "Equal", krpc_value_object(pb), krpc_value_object(one)));
	ck_assert_int_eq(next_bool(c, e, 5.0, err, sizeof err), -2);
	ck_assert_str_eq(err, "Attempted to divide by zero.");
	th_client_close(c);
}
END_TEST

/* Shorthands for test_expression_operators (c is the test's client). */
#define I(v)		expr1(c, "ConstantInt", krpc_value_sint32(v))
#define D(v)		expr1(c, "ConstantDouble", krpc_value_double(v))
#define OP1(name, a)	expr1(c, name, krpc_value_object(a))
#define OP2(name, a, b)	expr2(c, name, krpc_value_object(a), krpc_value_object(b))
#define EQ(a, b)	OP2("Equal", a, b)

/* A Function of one parameter x (an Int) with a body built from x. */
static uint64_t
fn1(th_client_t *c, uint64_t x, uint64_t body)
{
	return expr2(c, "Function", expr_list(1, &x), krpc_value_object(body));
}

START_TEST(test_expression_operators)
{
	th_client_t *c = client("operators");
	uint64_t list, ids[3], x, y, t_int, t_double, fn, dict, seed;
	krpc_value_t *args;
	size_t i;
	uint64_t checks[32];
	size_t n = 0;

	t_int = simtest_object(th_call_value(c, "class(KRPC.Type)", "KRPC", "Type_static_Int", 0));
	t_double = simtest_object(th_call_value(c, "class(KRPC.Type)", "KRPC", "Type_static_Double", 0));
	ids[0] = I(1), ids[1] = I(2), ids[2] = I(3);
	list = expr1(c, "CreateList", expr_list(3, ids));
	x = expr2(c, "Parameter", krpc_value_string("x"), krpc_value_object(t_int));
	y = expr2(c, "Parameter", krpc_value_string("y"), krpc_value_object(t_int));
	/* aggregates over [1, 2, 3] */
	checks[n++] = EQ(OP1("Sum", list), I(6));
	checks[n++] = EQ(OP1("Max", list), I(3));
	checks[n++] = EQ(OP1("Min", list), I(1));
	checks[n++] = EQ(OP1("Average", list), D(2.0));
	checks[n++] = OP2("Contains", list, I(2));
	/* Concat, Where and OrderBy give sequences without Count or an indexer, as on the server */
	checks[n++] = EQ(OP1("Sum", OP2("Concat", list, list)), I(12));
	checks[n++] = EQ(OP1("Count", OP1("ToSet", OP2("Concat", list, list))), I(3));
	checks[n++] = EQ(OP2("Get", list, I(0)), I(1));
	/* functions */
	checks[n++] = EQ(OP2("Get", OP1("ToList", OP2("OrderBy", list, fn1(c, x, OP2("Subtract",
	    I(0), x)))), I(0)), I(3));
	checks[n++] = EQ(OP1("Count", OP1("ToList", OP2("Where", list, fn1(c, x, OP2("GreaterThan",
	    x, I(1)))))), I(2));
	checks[n++] = EQ(OP1("Sum", OP2("Select", list, fn1(c, x, OP2("Multiply", x, x)))), I(14));
	ids[0] = x, ids[1] = y;
	fn = expr2(c, "Function", expr_list(2, ids), krpc_value_object(OP2("Add", x, y)));
	seed = I(10);
	checks[n++] = EQ(simtest_object(th_call_value(c, EXPR, "KRPC",
	    "Expression_static_AggregateWithSeed", 3, krpc_value_object(list), krpc_value_object(seed),
	    krpc_value_object(fn))), I(16));
	args = krpc_value_collection(KRPC_TYPE_DICTIONARY);
	krpc_value_put(args, krpc_value_string("x"), krpc_value_object(I(21)));
	checks[n++] = EQ(expr2(c, "Invoke", krpc_value_object(fn1(c, x, OP2("Multiply", x, I(2)))),
	    args), I(42));
	ids[0] = I(1), ids[1] = I(2);
	ids[2] = I(4);
	dict = expr2(c, "CreateDictionary", expr_list(2, ids), expr_list(2, &ids[1]));
	checks[n++] = EQ(OP2("Get", dict, I(2)), I(4));
	/* arithmetic, bits, logic, casts */
	checks[n++] = EQ(OP2("Power", I(2), I(10)), I(1024));
	checks[n++] = EQ(OP2("LeftShift", I(1), I(4)), I(16));
	checks[n++] = EQ(OP2("RightShift", I(-16), I(2)), I(-4));
	checks[n++] = EQ(OP2("Modulo", I(7), I(3)), I(1));
	checks[n++] = EQ(OP2("Divide", I(7), I(2)), I(3));
	checks[n++] = EQ(OP2("Divide", D(7), D(2)), D(3.5));
	checks[n++] = OP1("Not", EQ(I(1), I(2)));
	checks[n++] = OP2("ExclusiveOr", EQ(I(1), I(1)), EQ(I(1), I(2)));
	checks[n++] = OP2("And", OP2("NotEqual", I(1), I(2)), OP2("LessThanOrEqual", I(2), I(2)));
	checks[n++] = EQ(OP2("Cast", I(7), t_double), D(7.0));
	checks[n++] = EQ(expr1(c, "Call", th_proc_call("TestService", "Int32ToString", 1,
	    krpc_value_sint32(42))), expr1(c, "ConstantString", krpc_value_string("42")));
	checks[n++] = EQ(OP2("Add", expr1(c, "ConstantFloat", krpc_value_float(0.5f)),
	    expr1(c, "ConstantFloat", krpc_value_float(0.25f))),
	    expr1(c, "ConstantFloat", krpc_value_float(0.75f)));
	for (i = 0; i < n; i++) {
		char err[256];
		int got = next_bool(c, add_event(c, checks[i]), 5.0, err, sizeof err);

		ck_assert_msg(got == 1, "check %zu: got %d (%s)", i, got, err);
	}
	th_client_close(c);
}
END_TEST

/* ---- counters -------------------------------------------------------- */

START_TEST(test_status_counters)
{
	th_client_t *c = client("status"), *other = client("status-other");
	Krpc__Schema__Status *s0, *s1, *s2;
	uint64_t b;
	double end;
	int i;

	th_sleep(0.1);	/* earlier tests' connections are closed by now */
	s0 = simtest_status(c);
	ck_assert_ptr_nonnull(s0);
	ck_assert_uint_gt(s0->bytes_read, 0);
	ck_assert_uint_gt(s0->bytes_written, 0);
	for (i = 0; i < 4; i++)
		krpc_value_free(th_call_value(c, "string", "KRPC", "GetClientName", 0));
	add_stream(other, th_proc_call("TestService", "Counter", 1, krpc_value_string("s1")), true);
	b = add_stream(other, th_proc_call("TestService", "Counter", 1, krpc_value_string("s2")), false);
	s1 = simtest_status(c);
	ck_assert_ptr_nonnull(s1);
	/* GetStatus + 4 calls + 2 AddStream: 7 requests since s0 was read */
	ck_assert_uint_eq(s1->rpcs_executed - s0->rpcs_executed, 7);
	ck_assert_uint_eq(s1->stream_rpcs, s0->stream_rpcs + 2);	/* registered, started or not */
	ck_assert_uint_gt(s1->bytes_read, s0->bytes_read);
	th_sleep(0.3);
	s2 = simtest_status(c);
	ck_assert_ptr_nonnull(s2);
	/* only the started stream is evaluated: about one evaluation per update */
	ck_assert_uint_ge(s2->stream_rpcs_executed - s1->stream_rpcs_executed, 5);
	ck_assert_uint_le(s2->stream_rpcs_executed - s1->stream_rpcs_executed, 40);
	krpc__schema__status__free_unpacked(s2, NULL);
	/*
	 * a removal counts once done, at the start of the next stream phase (as
	 * on the real server); a closed stream connection takes the rest
	 */
	stream_op(other, "RemoveStream", b);
	for (end = th_now() + 1.0; th_now() < end; th_sleep(0.02)) {
		s2 = simtest_status(c);
		i = s2->stream_rpcs == s0->stream_rpcs + 1;
		krpc__schema__status__free_unpacked(s2, NULL);
		if (i)
			break;
	}
	ck_assert_msg(i, "the removed stream stayed registered");
	th_client_close(other);
	for (end = th_now() + 3.0; th_now() < end; th_sleep(0.05)) {
		s2 = simtest_status(c);
		i = s2->stream_rpcs == s0->stream_rpcs;
		krpc__schema__status__free_unpacked(s2, NULL);
		if (i)
			break;
	}
	ck_assert_msg(i, "streams stayed registered after the client left");
	krpc__schema__status__free_unpacked(s0, NULL);
	krpc__schema__status__free_unpacked(s1, NULL);
	th_client_close(c);
}
END_TEST

/* ---- suite ----------------------------------------------------------- */

static Suite *
stream_suite(void)
{
	Suite *s = suite_create("krpc-sim streams");
	TCase *st = tcase_create("streams"), *ev = tcase_create("events"), *ct = tcase_create("status");

	tcase_set_timeout(st, 30);
	tcase_add_test(st, test_stream_sharing_and_ids);
	tcase_add_test(st, test_stream_first_value_once);
	tcase_add_test(st, test_stream_start_resend);
	tcase_add_test(st, test_stream_rate);
	tcase_add_test(st, test_stream_error_removes);
	tcase_add_test(st, test_stream_error_later);
	tcase_add_test(st, test_stream_remove_and_refusals);
	tcase_add_test(st, test_stream_yielding);
	suite_add_tcase(s, st);
	tcase_set_timeout(ev, 30);
	tcase_add_test(ev, test_event_counter_expression);
	tcase_add_test(ev, test_event_ontimer);
	tcase_add_test(ev, test_expressions);
	tcase_add_test(ev, test_expression_operators);
	suite_add_tcase(s, ev);
	tcase_set_timeout(ct, 30);
	tcase_add_test(ct, test_status_counters);
	suite_add_tcase(s, ct);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (simtest_start(&sim, NULL, NULL) != 0)
		return 1;
	sr = srunner_create(stream_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	simtest_stop(&sim);
	th_cleanup();
	return failed == 0 ? 0 : 1;
}
