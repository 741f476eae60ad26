/*
 * Integration tests of libkrpcmux streams against a real server: adding
 * (shared handles), starting, rates, typed reads, errors, conditions and
 * their timeouts, several waiters, callbacks (before start, removing their
 * own stream, calling the library), removal and close waking waiters,
 * scoped streams and locks, and the client-level update condition.
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libtest.h"

#define TS "TestService"

/* A stream of TestService.Counter(id): changes every update it is evaluated. */
static krpc_stream_t *
counter_stream(krpc_client_t *c, const char *id)
{
	krpc_value_t *args[1] = { krpc_value_string(lt_id(id)) };
	krpc_stream_t *s = NULL;

	LT_OK(krpc_stream_add(c, TS, "Counter", args, 1, "sint32", &s));
	krpc_value_free(args[0]);
	return s;
}

/* A stream whose value never changes after the first. */
static krpc_stream_t *
constant_stream(krpc_client_t *c)
{
	krpc_stream_t *s = NULL;

	LT_OK(krpc_stream_add(c, TS, "StructDefault", NULL, 0, NULL, &s));
	return s;
}

START_TEST(test_read_starts_and_waits)
{
	krpc_client_t *c = lt_client("read");
	krpc_stream_t *s = counter_stream(c, "read");
	int32_t a = 0, b = 0;

	LT_OK(krpc_stream_get_sint32(s, &a));		/* not started: starts and waits */
	ck_assert_int_ge(a, 1);
	LT_OK(krpc_stream_lock(s));
	LT_OK(krpc_stream_wait(s, 5));
	LT_OK(krpc_stream_get_sint32(s, &b));		/* reading with the lock held */
	krpc_stream_unlock(s);
	ck_assert_int_gt(b, a);
	ck_assert_uint_eq(krpc_stream_id(s), krpc_stream_id(s));
	ck_assert_ptr_eq(krpc_stream_client(s), c);
	LT_OK(krpc_stream_remove(s));
	krpc_client_close(c);
}
END_TEST

START_TEST(test_same_call_same_stream)
{
	krpc_client_t *c = lt_client("same");
	krpc_stream_t *a = counter_stream(c, "same"), *b = counter_stream(c, "same");
	krpc_stream_t *other = counter_stream(c, "other");
	int32_t n;

	ck_assert_ptr_eq(a, b);
	ck_assert_ptr_ne(a, other);
	LT_OK(krpc_stream_remove(b));		/* one reference left: still alive */
	LT_OK(krpc_stream_get_sint32(a, &n));
	ck_assert_int_ge(n, 1);
	LT_OK(krpc_stream_remove(a));
	LT_OK(krpc_stream_remove(other));
	krpc_client_close(c);
}
END_TEST

START_TEST(test_start_without_wait_has_no_value)
{
	krpc_client_t *c = lt_client("nowait");
	krpc_stream_t *s = counter_stream(c, "nowait");
	krpc_value_t *v = (krpc_value_t *)1;

	/* At 1 Hz the first value comes a second after the start. */
	LT_OK(krpc_stream_set_rate(s, 1));
	ck_assert(krpc_stream_rate(s) == 1.0f);
	LT_OK(krpc_stream_start(s, false));
	LT_FAILS(krpc_stream_get(s, &v), KRPC_ERR_NO_VALUE);
	ck_assert_ptr_null(v);
	LT_OK(krpc_stream_lock(s));
	LT_OK(krpc_stream_wait(s, 5));
	krpc_stream_unlock(s);
	LT_OK(krpc_stream_get(s, &v));
	ck_assert_int_eq(krpc_value_code(v), KRPC_TYPE_SINT32);
	krpc_value_free(v);
	LT_OK(krpc_stream_start(s, true));	/* already has a value: returns at once */
	krpc_client_close(c);
}
END_TEST

START_TEST(test_rate_limits_updates)
{
	krpc_client_t *c = lt_client("rate");
	krpc_stream_t *s = counter_stream(c, "rate");
	int32_t prev = 0, n = 0, i;
	double t0;

	LT_OK(krpc_stream_set_rate(s, 5));
	LT_OK(krpc_stream_start(s, true));
	LT_OK(krpc_stream_get_sint32(s, &prev));
	LT_OK(krpc_stream_lock(s));
	t0 = th_now();
	/* Each update is one evaluation: consecutive values, about 5 per second. */
	for (i = 0; i < 4; i++) {
		LT_OK(krpc_stream_wait(s, 3));
		LT_OK(krpc_stream_get_sint32(s, &n));
		ck_assert_int_eq(n, prev + 1);
		prev = n;
	}
	krpc_stream_unlock(s);
	ck_assert_msg(th_now() - t0 > 0.4, "4 updates at 5 Hz took only %.3f s", th_now() - t0);
	LT_OK(krpc_stream_set_rate(s, 0));
	ck_assert(krpc_stream_rate(s) == 0.0f);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_streamed_error_returned_on_read)
{
	krpc_client_t *c = lt_client("error");
	krpc_stream_t *s = NULL;
	int32_t n;
	int i;

	LT_OK(krpc_stream_add(c, TS, "ThrowInvalidOperationException", NULL, 0, NULL, &s));
	for (i = 0; i < 2; i++) {	/* every read returns the error */
		LT_FAILS(krpc_stream_get_sint32(s, &n), KRPC_ERR_RPC);
		ck_assert_str_eq(krpc_error_service(), "KRPC");
		ck_assert_str_eq(krpc_error_name(), "InvalidOperationException");
		ck_assert_str_eq(krpc_error_description(), "Invalid operation");
	}
	LT_OK(krpc_stream_remove(s));	/* removing a failed stream is harmless */
	krpc_client_close(c);
}
END_TEST

START_TEST(test_wait_timeout)
{
	krpc_client_t *c = lt_client("timeout");
	krpc_stream_t *s = constant_stream(c);
	krpc_value_t *v;
	double t0;

	LT_OK(krpc_stream_get(s, &v));
	krpc_value_free(v);
	LT_FAILS(krpc_stream_wait(s, 0.1), KRPC_ERR_ARG);	/* lock not held */
	LT_OK(krpc_stream_lock(s));
	LT_FAILS(krpc_stream_lock(s), KRPC_ERR_ARG);		/* not recursive */
	t0 = th_now();
	LT_FAILS(krpc_stream_wait(s, 0.3), KRPC_ERR_TIMEOUT);
	ck_assert(th_now() - t0 >= 0.29);
	LT_FAILS(krpc_stream_wait(s, 0), KRPC_ERR_TIMEOUT);
	krpc_stream_unlock(s);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_wait_starts_unstarted)
{
	krpc_client_t *c = lt_client("wait-start");
	krpc_stream_t *s = counter_stream(c, "ws");
	int32_t n = 0;

	LT_OK(krpc_stream_lock(s));
	LT_OK(krpc_stream_wait(s, 5));		/* started by the wait, then the first value */
	LT_OK(krpc_stream_get_sint32(s, &n));
	krpc_stream_unlock(s);
	ck_assert_int_ge(n, 1);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_typed_reads)
{
	krpc_client_t *c = lt_client("typed");
	krpc_value_t *args[1];
	krpc_stream_t *s, *prev;
	krpc_event_t *e;
	uint64_t obj = 99;
	char *str = NULL;
	double d;
	bool b;

	args[0] = krpc_value_sint32(42);
	LT_OK(krpc_stream_add(c, TS, "Int32ToString", args, 1, "string", &s));
	krpc_value_free(args[0]);
	LT_OK(krpc_stream_get_string(s, &str));
	ck_assert_str_eq(str, "42");
	free(str);
	LT_FAILS(krpc_stream_get_double(s, &d), KRPC_ERR_TYPE);
	/* A null result is a value: the null object. */
	args[0] = krpc_value_null(KRPC_TYPE_CLASS);
	LT_OK(krpc_stream_add(c, TS, "EchoTestObject", args, 1, NULL, &s));
	krpc_value_free(args[0]);
	LT_OK(krpc_stream_get_object(s, &obj));
	ck_assert_uint_eq(obj, 0);
	/* A bool stream: an event's (KRPC.Paused would do in the game, not on the TestServer). */
	LT_OK(krpc_expr_constant_bool(c, true, &obj));
	LT_OK(krpc_event_add(c, obj, &e));
	LT_OK(krpc_stream_get_bool(krpc_event_stream(e), &b));
	ck_assert(b);
	/* Streams of calls given as values, typed by the model or by the caller. */
	LT_OK(krpc_invoke_get_call(c, &args[0], TS, "Int32ToString", 1, 7));
	LT_OK(krpc_stream_add_call(c, args[0], NULL, &s));
	LT_OK(krpc_stream_get_string(s, &str));
	ck_assert_str_eq(str, "7");
	free(str);
	prev = s;
	LT_OK(krpc_stream_add_call(c, args[0], "string", &s));
	ck_assert_ptr_eq(s, prev);		/* the same call: the same handle */
	LT_OK(krpc_stream_remove(s));
	krpc_value_free(args[0]);
	LT_OK(krpc_stream_invoke(c, &s, TS, "FloatToString", 1, 0.5));
	LT_OK(krpc_stream_get_string(s, &str));
	ck_assert_str_eq(str, "0.5");
	free(str);
	LT_FAILS(krpc_stream_add(c, TS, "ResetCustomExceptionLater", NULL, 0, NULL, &s), KRPC_ERR_ARG);
	krpc_client_close(c);		/* frees every remaining stream */
}
END_TEST

/* ---- several threads ------------------------------------------------ */

struct waiter {
	krpc_stream_t	*s;
	struct lt_count	*ready;
	double		 timeout;
	krpc_code_t	 rc;
	int		 loops;		/* wait until failure, counting successes */
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->rc = krpc_stream_lock(w->s);
	if (w->rc != KRPC_OK) {
		lt_count_add(w->ready, 1);
		return NULL;
	}
	lt_count_add(w->ready, 1);
	do {
		w->rc = krpc_stream_wait(w->s, w->timeout);
	} while (w->rc == KRPC_OK && --w->loops > 0);
	krpc_stream_unlock(w->s);
	return NULL;
}

START_TEST(test_several_waiters)
{
	enum { NW = 4 };
	krpc_client_t *c = lt_client("waiters");
	krpc_stream_t *s = counter_stream(c, "waiters");
	struct lt_count ready;
	struct waiter w[NW];
	pthread_t t[NW];
	int i;

	lt_count_init(&ready);
	for (i = 0; i < NW; i++) {
		w[i] = (struct waiter){ s, &ready, 10, KRPC_ERR_IO, 3 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, waiter_main, &w[i]), 0);
	}
	ck_assert(lt_count_wait(&ready, NW, 10));
	for (i = 0; i < NW; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(w[i].rc == KRPC_OK, "waiter %d: %s", i, krpc_code_str(w[i].rc));
	}
	krpc_client_close(c);
}
END_TEST

START_TEST(test_remove_wakes_waiters)
{
	krpc_client_t *c = lt_client("remove-wakes");
	krpc_stream_t *s = constant_stream(c);
	struct lt_count ready;
	struct waiter w;
	krpc_value_t *v;
	pthread_t t;
	double t0;

	LT_OK(krpc_stream_get(s, &v));		/* the value never changes again */
	krpc_value_free(v);
	lt_count_init(&ready);
	w = (struct waiter){ s, &ready, 30, KRPC_OK, 1000 };
	ck_assert_int_eq(pthread_create(&t, NULL, waiter_main, &w), 0);
	ck_assert(lt_count_wait(&ready, 1, 10));
	t0 = th_now();
	LT_OK(krpc_stream_remove(s));
	pthread_join(t, NULL);
	ck_assert_int_eq(w.rc, KRPC_ERR_CLOSED);
	ck_assert(th_now() - t0 < 10);
	krpc_client_close(c);
}
END_TEST

struct update_waiter {
	krpc_client_t	*c;
	struct lt_count	*ready;
	krpc_code_t	 rc;
};

static void *
update_waiter_main(void *arg)
{
	struct update_waiter *u = arg;

	u->rc = krpc_update_lock(u->c);
	lt_count_add(u->ready, 1);
	if (u->rc != KRPC_OK)
		return NULL;
	while ((u->rc = krpc_update_wait(u->c, 60)) == KRPC_OK)
		;
	krpc_update_unlock(u->c);
	return NULL;
}

START_TEST(test_close_wakes_everyone)
{
	krpc_client_t *c = lt_client("close-wakes");
	krpc_stream_t *a = constant_stream(c), *b = counter_stream(c, "close");
	struct lt_count ready;
	struct waiter w[3];
	struct update_waiter u;
	pthread_t t[4];
	krpc_value_t *v;
	int i;

	LT_OK(krpc_stream_get(a, &v));
	krpc_value_free(v);
	lt_count_init(&ready);
	w[0] = (struct waiter){ a, &ready, -1, KRPC_OK, 1 << 30 };	/* forever */
	w[1] = (struct waiter){ a, &ready, -1, KRPC_OK, 1 << 30 };
	w[2] = (struct waiter){ b, &ready, -1, KRPC_OK, 1 << 30 };
	u = (struct update_waiter){ c, &ready, KRPC_OK };
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, waiter_main, &w[i]), 0);
	ck_assert_int_eq(pthread_create(&t[3], NULL, update_waiter_main, &u), 0);
	ck_assert(lt_count_wait(&ready, 4, 10));
	krpc_client_close(c);		/* returns once every waiter has left */
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].rc, KRPC_ERR_CLOSED);
	}
	pthread_join(t[3], NULL);
	ck_assert_int_eq(u.rc, KRPC_ERR_CLOSED);
}
END_TEST

/* ---- callbacks ------------------------------------------------------ */

struct seen {
	struct lt_count	 calls;
	int32_t		 first;
	int32_t		 last;
	bool		 errors;
	krpc_client_t	*c;
	krpc_code_t	 inner;		/* result of a library call made inside */
	int		 remove_at;	/* remove the stream at this call (0: never) */
};

static void
record(krpc_stream_t *s, const krpc_value_t *v, void *ud)
{
	struct seen *k = ud;
	int32_t n = -1;

	if (v == NULL || krpc_value_as_sint32(v, &n) != KRPC_OK)
		k->errors = true;
	if (lt_count_get(&k->calls) == 0)
		k->first = n;
	k->last = n;
	if (k->c != NULL) {
		krpc_value_t *args[1] = { krpc_value_sint32(n) }, *r = NULL;

		k->inner = krpc_call(k->c, TS, "Int32ToString", args, 1, "string", &r);
		krpc_value_free(args[0]);
		krpc_value_free(r);
	}
	if (k->remove_at > 0 && lt_count_get(&k->calls) + 1 == k->remove_at)
		k->inner = krpc_stream_remove(s);
	lt_count_add(&k->calls, 1);
}

START_TEST(test_callbacks_before_start)
{
	krpc_client_t *c = lt_client("callbacks");
	krpc_stream_t *s = counter_stream(c, "cb");
	struct seen a, b;
	unsigned ta, tb;
	int before;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	lt_count_init(&a.calls);
	lt_count_init(&b.calls);
	ta = krpc_stream_add_callback(s, record, &a);
	tb = krpc_stream_add_callback(s, record, &b);
	ck_assert_uint_gt(ta, 0);
	ck_assert_uint_ne(ta, tb);
	LT_OK(krpc_stream_start(s, false));
	ck_assert(lt_count_wait(&a.calls, 3, 10));
	ck_assert(lt_count_wait(&b.calls, 3, 10));
	ck_assert_int_eq(a.first, 1);		/* the first value was not missed */
	ck_assert_int_eq(b.first, 1);
	ck_assert(!a.errors && !b.errors);
	LT_OK(krpc_stream_remove_callback(s, ta));
	LT_FAILS(krpc_stream_remove_callback(s, ta), KRPC_ERR_NOT_FOUND);
	/* A call of a already running finishes before b's of the same update. */
	ck_assert(lt_count_wait(&b.calls, lt_count_get(&b.calls) + 2, 10));
	before = lt_count_get(&a.calls);
	ck_assert(lt_count_wait(&b.calls, lt_count_get(&b.calls) + 3, 10));
	ck_assert_int_eq(lt_count_get(&a.calls), before);	/* removed: not called again */
	ck_assert_uint_eq(krpc_stream_add_callback(s, NULL, NULL), 0);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_callback_calls_library_and_removes_stream)
{
	krpc_client_t *c = lt_client("cb-remove");
	krpc_stream_t *s = counter_stream(c, "cb-remove");
	struct lt_count ready;
	struct waiter w;
	struct seen k;
	pthread_t t;

	memset(&k, 0, sizeof k);
	lt_count_init(&k.calls);
	k.c = c;
	k.remove_at = 3;
	krpc_stream_add_callback(s, record, &k);
	lt_count_init(&ready);
	w = (struct waiter){ s, &ready, 30, KRPC_OK, 1000 };
	ck_assert_int_eq(pthread_create(&t, NULL, waiter_main, &w), 0);	/* starts it by waiting */
	pthread_join(t, NULL);
	ck_assert_int_eq(w.rc, KRPC_ERR_CLOSED);	/* the callback removed the stream */
	ck_assert(lt_count_wait(&k.calls, 3, 10));
	ck_assert_int_eq(lt_count_get(&k.calls), 3);	/* and was not called again */
	ck_assert_int_eq(k.inner, KRPC_OK);
	ck_assert(!k.errors);
	/* The client is fine: the same call streams again. */
	s = counter_stream(c, "cb-remove");
	ck_assert_int_eq(krpc_stream_start(s, true), KRPC_OK);
	krpc_client_close(c);
}
END_TEST

static void
close_from_callback(krpc_stream_t *s, const krpc_value_t *v, void *ud)
{
	struct lt_count *done = ud;

	(void)v;
	krpc_client_close(krpc_stream_client(s));
	lt_count_add(done, 1);
}

START_TEST(test_close_from_callback)
{
	krpc_client_t *c = lt_client("cb-close");
	krpc_stream_t *s = counter_stream(c, "cb-close");
	struct lt_count done;

	lt_count_init(&done);
	krpc_stream_add_callback(s, close_from_callback, &done);
	LT_OK(krpc_stream_start(s, false));
	ck_assert(lt_count_wait(&done, 1, 10));	/* the thread frees the client as it ends */
}
END_TEST

struct blocker {
	krpc_stream_t	*other;		/* an unstarted stream */
	krpc_code_t	 read, wait, update;
	struct lt_count	 done;
};

/* Tries, on the stream thread, everything that would wait for stream data. */
static void
try_to_block(krpc_stream_t *s, const krpc_value_t *v, void *ud)
{
	struct blocker *b = ud;
	krpc_value_t *got = NULL;

	(void)v;
	if (lt_count_get(&b->done) > 0)
		return;
	b->read = krpc_stream_get(b->other, &got);
	krpc_value_free(got);
	if (krpc_stream_lock(s) == KRPC_OK) {
		b->wait = krpc_stream_wait(s, 5);
		krpc_stream_unlock(s);
	}
	if (krpc_update_lock(krpc_stream_client(s)) == KRPC_OK) {
		b->update = krpc_update_wait(krpc_stream_client(s), 5);
		krpc_update_unlock(krpc_stream_client(s));
	}
	lt_count_add(&b->done, 1);
}

START_TEST(test_callback_cannot_block_the_thread)
{
	krpc_client_t *c = lt_client("cb-block");
	krpc_stream_t *s = counter_stream(c, "cb-block");
	struct blocker b;
	int32_t n;

	memset(&b, 0, sizeof b);
	lt_count_init(&b.done);
	b.other = counter_stream(c, "cb-block-other");
	krpc_stream_add_callback(s, try_to_block, &b);
	LT_OK(krpc_stream_start(s, false));
	ck_assert(lt_count_wait(&b.done, 1, 10));
	/* Refused at once instead of deadlocking the thread that would deliver. */
	ck_assert_int_eq(b.read, KRPC_ERR_ARG);
	ck_assert_int_eq(b.wait, KRPC_ERR_ARG);
	ck_assert_int_eq(b.update, KRPC_ERR_ARG);
	LT_OK(krpc_stream_get_sint32(b.other, &n));	/* fine outside a callback */
	krpc_client_close(c);
}
END_TEST

/* ---- client-level updates, scoped streams ---------------------------- */

static void
count_update(krpc_client_t *c, void *ud)
{
	(void)c;
	lt_count_add(ud, 1);
}

START_TEST(test_update_condition_and_callbacks)
{
	krpc_client_t *c = lt_client("updates");
	krpc_stream_t *s = counter_stream(c, "updates");
	struct lt_count n;
	unsigned tag;
	int before;

	lt_count_init(&n);
	tag = krpc_update_add_callback(c, count_update, &n);
	ck_assert_uint_gt(tag, 0);
	LT_FAILS(krpc_update_wait(c, 1), KRPC_ERR_ARG);	/* lock not held */
	LT_OK(krpc_update_lock(c));
	LT_OK(krpc_stream_start(s, false));
	LT_OK(krpc_update_wait(c, 5));
	LT_OK(krpc_update_wait(c, 5));
	krpc_update_unlock(c);
	ck_assert(lt_count_wait(&n, 2, 10));
	LT_OK(krpc_update_remove_callback(c, tag));
	LT_FAILS(krpc_update_remove_callback(c, tag), KRPC_ERR_NOT_FOUND);
	before = lt_count_get(&n);
	LT_OK(krpc_stream_remove(s));
	s = counter_stream(c, "updates-2");
	LT_OK(krpc_stream_start(s, true));
	LT_OK(krpc_update_lock(c));
	LT_OK(krpc_update_wait(c, 5));
	krpc_update_unlock(c);
	ck_assert_int_eq(lt_count_get(&n), before);
	/* Timeout with nothing streamed. */
	LT_OK(krpc_stream_remove(s));
	krpc_client_close(c);
}
END_TEST

/* Waits until the server counts want streams (removal happens at the next update). */
static bool
stream_count_becomes(krpc_client_t *c, unsigned want)
{
	double deadline = th_now() + 5;

	while (th_now() < deadline) {
		if (lt_stream_count(c) == want)
			return true;
	}
	return false;
}

static krpc_code_t
read_in_scope(krpc_stream_t *s, void *ud)
{
	return krpc_stream_get_sint32(s, ud);
}

START_TEST(test_scoped_streams)
{
	krpc_client_t *c;
	krpc_value_t *args[1];
	unsigned base = 0;
	int32_t n = 0;

	if (!lt_server_exclusive())
		return;		/* stream counts are the whole server's */
	c = lt_client("scoped");
	/* Earlier tests' streams go away with their clients, through a proxy a little later. */
	ck_assert(stream_count_becomes(c, base));
	{
		KRPC_SCOPED_STREAM krpc_stream_t *s = counter_stream(c, "scoped");

		LT_OK(krpc_stream_get_sint32(s, &n));
		ck_assert_uint_eq(lt_stream_count(c), base + 1);
	}
	ck_assert(stream_count_becomes(c, base));
	args[0] = krpc_value_string(lt_id("with"));
	LT_OK(krpc_with_stream(c, TS, "Counter", args, 1, "sint32", read_in_scope, &n));
	krpc_value_free(args[0]);
	ck_assert_int_ge(n, 1);
	ck_assert(stream_count_becomes(c, base));
	krpc_client_close(c);
}
END_TEST

/* "with stream.condition:" left by an early return: KRPC_SCOPED_LOCK unlocks. */
static int
scoped_return(krpc_stream_t *s, int32_t *n)
{
	KRPC_SCOPED_LOCK krpc_stream_t *held = krpc_stream_lock_scoped(s);

	if (held == NULL)
		return -1;
	LT_OK(krpc_stream_wait(held, 5));	/* needs the lock */
	LT_OK(krpc_stream_get_sint32(held, n));
	if (*n > 0)
		return 1;
	return 0;
}

static void *
lock_unlock_main(void *arg)
{
	krpc_stream_t *s = arg;

	if (krpc_stream_lock(s) == KRPC_OK)
		krpc_stream_unlock(s);
	return NULL;
}

/* Asserts that this thread does not hold s's lock and another thread can take it. */
static void
assert_unlocked(krpc_stream_t *s)
{
	pthread_t t;

	LT_FAILS(krpc_stream_wait(s, 0), KRPC_ERR_ARG);	/* not held here */
	ck_assert_int_eq(pthread_create(&t, NULL, lock_unlock_main, s), 0);
	pthread_join(t, NULL);				/* would hang if still locked */
}

START_TEST(test_scoped_locks)
{
	krpc_client_t *c = lt_client("scoped-locks");
	krpc_stream_t *s = counter_stream(c, "scoped-locks");
	krpc_event_t *e;
	uint64_t t;
	int32_t n = 0;
	int i;

	ck_assert_int_eq(scoped_return(s, &n), 1);
	ck_assert_int_gt(n, 0);
	assert_unlocked(s);
	for (i = 0; i < 3; i++) {
		KRPC_SCOPED_LOCK krpc_stream_t *held = krpc_stream_lock_scoped(s);

		ck_assert_ptr_eq(held, s);
		if (i == 1)
			break;		/* leaves the scope: unlocked */
	}
	ck_assert_int_eq(i, 1);
	assert_unlocked(s);
	{
		KRPC_SCOPED_LOCK krpc_stream_t *held = krpc_stream_lock_scoped(NULL);

		ck_assert_ptr_null(held);	/* failed: nothing to unlock */
		ck_assert_int_eq(krpc_error_code(), KRPC_ERR_ARG);
	}
	/* The same for events and for the update condition. */
	LT_OK(krpc_expr_constant_bool(c, true, &t));
	LT_OK(krpc_event_add(c, t, &e));
	for (i = 0; i < 2; i++) {
		KRPC_SCOPED_EVENT_LOCK krpc_event_t *held = krpc_event_lock_scoped(e);

		ck_assert_ptr_eq(held, e);
		if (i == 0)
			LT_OK(krpc_event_wait(held, 5));	/* its one occurrence */
	}
	assert_unlocked(krpc_event_stream(e));
	for (i = 0; i < 2; i++) {
		KRPC_SCOPED_UPDATE_LOCK krpc_client_t *held = krpc_update_lock_scoped(c);

		ck_assert_ptr_eq(held, c);
		LT_OK(krpc_update_wait(held, 5));
	}
	LT_FAILS(krpc_update_wait(c, 0), KRPC_ERR_ARG);	/* released */
	krpc_client_close(c);
}
END_TEST

static Suite *
stream_suite(void)
{
	Suite *s = suite_create("client-stream");
	TCase *tc = tcase_create("streams");

	lt_tcase(tc, 60);
	tcase_add_test(tc, test_read_starts_and_waits);
	tcase_add_test(tc, test_same_call_same_stream);
	tcase_add_test(tc, test_start_without_wait_has_no_value);
	tcase_add_test(tc, test_rate_limits_updates);
	tcase_add_test(tc, test_streamed_error_returned_on_read);
	tcase_add_test(tc, test_wait_timeout);
	tcase_add_test(tc, test_wait_starts_unstarted);
	tcase_add_test(tc, test_typed_reads);
	tcase_add_test(tc, test_several_waiters);
	tcase_add_test(tc, test_remove_wakes_waiters);
	tcase_add_test(tc, test_close_wakes_everyone);
	tcase_add_test(tc, test_callbacks_before_start);
	tcase_add_test(tc, test_callback_calls_library_and_removes_stream);
	tcase_add_test(tc, test_close_from_callback);
	tcase_add_test(tc, test_callback_cannot_block_the_thread);
	tcase_add_test(tc, test_update_condition_and_callbacks);
	tcase_add_test(tc, test_scoped_streams);
	tcase_add_test(tc, test_scoped_locks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(stream_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
