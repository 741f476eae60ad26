/*
 * Integration tests of libkrpcmux events and expressions against a real
 * server: the Counter-based expression event of TESTSERVICE.md 7.9,
 * TestService.OnTimer (waits, timeouts, repeated firings, callbacks),
 * removal waking waiters, the underlying stream, and the builders.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libtest.h"

#define TS "TestService"

/* Equal(Multiply(ConstantInt(2), ConstantInt(10)), Call(Counter(id))). */
static uint64_t
counter_expression(krpc_client_t *c, const char *id)
{
	krpc_value_t *args[1] = { krpc_value_string(id) }, *call = NULL;
	uint64_t two, ten, product, counter, eq;

	LT_OK(krpc_get_call(c, TS, "Counter", args, 1, &call));
	krpc_value_free(args[0]);
	LT_OK(krpc_expr_constant_int(c, 2, &two));
	LT_OK(krpc_expr_constant_int(c, 10, &ten));
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_MULTIPLY, two, ten, &product));
	LT_OK(krpc_expr_call(c, call, &counter));
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_EQUAL, product, counter, &eq));
	krpc_value_free(call);
	ck_assert(two != ten && ten != product && product != counter && counter != eq);
	return eq;
}

START_TEST(test_expression_event)
{
	krpc_client_t *c = lt_client("expr-event");
	krpc_event_t *e = NULL;
	krpc_value_t *v;
	int32_t n;
	bool b = false;

	LT_OK(krpc_event_add(c, counter_expression(c, lt_id("evt")), &e));
	LT_OK(krpc_event_lock(e));
	LT_OK(krpc_event_wait(e, 10));		/* starts it, then waits for the 20th evaluation */
	krpc_event_unlock(e);
	LT_OK(krpc_stream_get_bool(krpc_event_stream(e), &b));
	ck_assert(b);
	LT_OK(krpc_event_remove(e));
	v = lt_call(c, TS, "Counter", "sint32", 1, krpc_value_string(lt_id("evt")));
	LT_OK(krpc_value_as_sint32(v, &n));
	ck_assert_int_ge(n, 21);
	krpc_value_free(v);
	krpc_client_close(c);
}
END_TEST

/* An OnTimer event (milliseconds, repeats). */
static krpc_event_t *
timer_event(krpc_client_t *c, uint32_t ms, uint32_t repeats)
{
	krpc_value_t *args[2] = { krpc_value_uint32(ms), krpc_value_uint32(repeats) };
	krpc_event_t *e = NULL;

	LT_OK(krpc_event_call(c, TS, "OnTimer", args, 2, &e));
	krpc_value_free(args[0]);
	krpc_value_free(args[1]);
	return e;
}

START_TEST(test_timer_event_wait_and_timeout)
{
	krpc_client_t *c = lt_client("timer");
	krpc_event_t *slow = timer_event(c, 1000, 1), *fast = timer_event(c, 200, 1);
	krpc_value_t *v = NULL;
	double t0 = th_now();

	LT_OK(krpc_event_lock(slow));
	LT_FAILS(krpc_event_wait(slow, 0.1), KRPC_ERR_TIMEOUT);	/* not within 0.1 s */
	krpc_event_unlock(slow);
	LT_OK(krpc_event_lock(fast));
	LT_OK(krpc_event_wait(fast, 5));
	krpc_event_unlock(fast);
	ck_assert(th_now() - t0 >= 0.15);
	LT_FAILS(krpc_event_wait(fast, 1), KRPC_ERR_ARG);		/* lock not held */
	/* An EVENT value from a plain call makes an event too. */
	LT_OK(krpc_invoke(c, &v, TS, "OnTimer", 1, (uint32_t)100));
	ck_assert_int_eq(krpc_value_code(v), KRPC_TYPE_EVENT);
	LT_OK(krpc_event_from_value(c, v, &slow));
	krpc_value_free(v);
	LT_OK(krpc_event_lock(slow));
	LT_OK(krpc_event_wait(slow, 5));
	krpc_event_unlock(slow);
	krpc_client_close(c);
}
END_TEST

static void
count_event(void *ud)
{
	lt_count_add(ud, 1);
}

START_TEST(test_timer_event_callbacks)
{
	krpc_client_t *c = lt_client("timer-cb");
	krpc_event_t *e = timer_event(c, 200, 5);
	struct lt_count a, b;
	unsigned ta, tb;

	lt_count_init(&a);
	lt_count_init(&b);
	ta = krpc_event_add_callback(e, count_event, &a);
	tb = krpc_event_add_callback(e, count_event, &b);
	ck_assert_uint_gt(ta, 0);
	ck_assert_uint_gt(tb, 0);
	LT_OK(krpc_event_start(e));
	ck_assert(lt_count_wait(&a, 2, 10));
	LT_OK(krpc_event_remove_callback(e, ta));
	ck_assert(lt_count_wait(&b, 5, 10));		/* five firings */
	ck_assert_int_lt(lt_count_get(&a), 5);		/* a stopped when removed */
	ck_assert_uint_eq(krpc_event_add_callback(e, NULL, NULL), 0);
	krpc_client_close(c);
}
END_TEST

struct event_waiter {
	krpc_event_t	*e;
	struct lt_count	*ready;
	krpc_code_t	 rc;
};

static void *
event_waiter_main(void *arg)
{
	struct event_waiter *w = arg;

	if ((w->rc = krpc_event_lock(w->e)) == KRPC_OK) {
		lt_count_add(w->ready, 1);
		w->rc = krpc_event_wait(w->e, 30);
		krpc_event_unlock(w->e);
	} else {
		lt_count_add(w->ready, 1);
	}
	return NULL;
}

START_TEST(test_remove_wakes_event_waiters)
{
	krpc_client_t *c = lt_client("event-remove");
	struct event_waiter w[2];
	struct lt_count ready;
	krpc_event_t *e = NULL;
	pthread_t t[2];
	uint64_t f;
	int i;

	LT_OK(krpc_expr_constant_bool(c, false, &f));	/* never occurs */
	LT_OK(krpc_event_add(c, f, &e));
	lt_count_init(&ready);
	for (i = 0; i < 2; i++) {
		w[i] = (struct event_waiter){ e, &ready, KRPC_OK };
		ck_assert_int_eq(pthread_create(&t[i], NULL, event_waiter_main, &w[i]), 0);
	}
	ck_assert(lt_count_wait(&ready, 2, 10));
	LT_OK(krpc_event_remove(e));
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].rc, KRPC_ERR_CLOSED);
	}
	krpc_client_close(c);
}
END_TEST

/* An event on expr must occur within a few seconds. */
static void
occurs(krpc_client_t *c, uint64_t expr, const char *what)
{
	KRPC_SCOPED_EVENT krpc_event_t *e = NULL;
	krpc_code_t rc;

	LT_OK(krpc_event_add(c, expr, &e));
	LT_OK(krpc_event_lock(e));
	rc = krpc_event_wait(e, 5);
	krpc_event_unlock(e);
	ck_assert_msg(rc == KRPC_OK, "%s did not occur: %s", what, krpc_error_message());
}

START_TEST(test_expression_builders)
{
	krpc_client_t *c = lt_client("builders");
	uint64_t d1, d2, f1, i3, t, s1, s2, gt, sum, cast, eq, not_, and_, tmp;
	krpc_value_t *args[1], *call;

	LT_OK(krpc_expr_constant_double(c, 2.5, &d1));
	LT_OK(krpc_expr_constant_double(c, 1.0, &d2));
	LT_OK(krpc_expr_constant_float(c, 1.5f, &f1));
	LT_OK(krpc_expr_constant_int(c, 3, &i3));
	LT_OK(krpc_expr_constant_bool(c, true, &t));
	LT_OK(krpc_expr_constant_string(c, "abc", &s1));
	LT_OK(krpc_expr_constant_string(c, "abc", &s2));
	ck_assert(s1 != s2);				/* every node is a new object */
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_GREATER_THAN, d1, d2, &gt));
	occurs(c, gt, "2.5 > 1.0");
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_ADD, d1, d2, &sum));
	LT_OK(krpc_expr_constant_double(c, 3.5, &tmp));
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_EQUAL, sum, tmp, &eq));
	occurs(c, eq, "2.5 + 1.0 == 3.5");
	LT_OK(krpc_expr_cast(c, i3, KRPC_EXPR_TYPE_DOUBLE, &cast));
	LT_OK(krpc_expr_constant_double(c, 3.0, &tmp));
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_EQUAL, cast, tmp, &eq));
	occurs(c, eq, "(double)3 == 3.0");
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_EQUAL, s1, s2, &eq));
	occurs(c, eq, "\"abc\" == \"abc\"");
	LT_OK(krpc_expr_constant_bool(c, false, &tmp));
	LT_OK(krpc_expr_unary(c, KRPC_EXPR_NOT, tmp, &not_));
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_AND, not_, t, &and_));
	occurs(c, and_, "!false && true");
	LT_OK(krpc_expr_constant_float(c, 2.5f, &tmp));
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_LESS_THAN, f1, tmp, &tmp));
	occurs(c, tmp, "1.5f < 2.5f");
	/*
	 * A Call node.  Its call must not fail: kRPC's TestServer dies of an
	 * event whose expression throws (KRPC.Paused does there, having no game).
	 */
	args[0] = krpc_value_bool(false);
	LT_OK(krpc_get_call(c, TS, "BoolToString", args, 1, &call));
	krpc_value_free(args[0]);
	LT_OK(krpc_expr_call(c, call, &tmp));
	LT_OK(krpc_expr_constant_string(c, "False", &s1));
	LT_OK(krpc_expr_binary(c, KRPC_EXPR_EQUAL, tmp, s1, &eq));
	occurs(c, eq, "BoolToString(false) == \"False\"");
	krpc_value_free(call);
	/* Arity is checked locally; a void procedure is refused by the server. */
	LT_FAILS(krpc_expr_binary(c, KRPC_EXPR_NOT, t, t, &tmp), KRPC_ERR_ARG);
	LT_FAILS(krpc_expr_unary(c, KRPC_EXPR_ADD, t, &tmp), KRPC_ERR_ARG);
	LT_FAILS(krpc_expr_call(c, NULL, &tmp), KRPC_ERR_ARG);
	LT_OK(krpc_get_call(c, TS, "ResetCustomExceptionLater", NULL, 0, &call));
	LT_FAILS(krpc_expr_call(c, call, &tmp), KRPC_ERR_RPC);
	ck_assert_str_eq(krpc_error_description(), "Cannot use a procedure that does not return a value.");
	krpc_value_free(call);
	ck_assert_str_eq(krpc_expr_op_name(KRPC_EXPR_GREATER_THAN_OR_EQUAL), "GreaterThanOrEqual");
	ck_assert_ptr_null(krpc_expr_op_name((krpc_expr_op_t)99));
	krpc_client_close(c);
}
END_TEST

static Suite *
event_suite(void)
{
	Suite *s = suite_create("client-event");
	TCase *tc = tcase_create("events");

	lt_tcase(tc, 60);
	tcase_add_test(tc, test_expression_event);
	tcase_add_test(tc, test_timer_event_wait_and_timeout);
	tcase_add_test(tc, test_timer_event_callbacks);
	tcase_add_test(tc, test_remove_wakes_event_waiters);
	tcase_add_test(tc, test_expression_builders);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(event_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
