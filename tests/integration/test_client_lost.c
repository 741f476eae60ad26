/*
 * Integration tests of libkrpcmux when the server goes away, directly and
 * through krpcmuxd in front of it: the same failure gives the same code
 * both ways (one error model), a dead client's streams say so instead of
 * returning their last value (freshness), and a client without a stream
 * connection gets KRPC_ERR_NO_STREAM for streams and events both ways.
 * Each test starts servers of its own (krpc-sim, or kRPC's TestServer with
 * KRPC_TEST_SERVER=testserver) and kills them.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libtest.h"

#define TS "TestService"

/* A stream of TestService.Counter: it changes every update. */
static krpc_stream_t *
counter_stream(krpc_client_t *c, const char *id)
{
	krpc_value_t *args[1] = { krpc_value_string(lt_id(id)) };
	krpc_stream_t *s = NULL;

	LT_OK(krpc_stream_add(c, TS, "Counter", args, 1, "sint32", &s));
	krpc_value_free(args[0]);
	return s;
}

/* A thread waiting on a stream's condition until it fails. */
struct waiter {
	krpc_stream_t	*s;
	struct lt_count	*ready;
	krpc_code_t	 rc;
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;

	if ((w->rc = krpc_stream_lock(w->s)) != KRPC_OK) {
		lt_count_add(w->ready, 1);
		return NULL;
	}
	lt_count_add(w->ready, 1);
	while ((w->rc = krpc_stream_wait(w->s, 30)) == KRPC_OK)
		;
	krpc_stream_unlock(w->s);
	return NULL;
}

/* A thread whose call is in flight when the server goes away. */
struct caller {
	krpc_client_t	*c;
	struct lt_count	*ready;
	krpc_code_t	 rc;
};

static void *
caller_main(void *arg)
{
	struct caller *k = arg;
	/* 600 updates of yielding: ten seconds at the game's pace, far past the kill. */
	krpc_value_t *args[1] = { krpc_value_sint32(600) };

	lt_count_add(k->ready, 1);
	k->rc = krpc_call(k->c, TS, "BlockingProcedure", args, 1, "sint32", NULL);
	krpc_value_free(args[0]);
	return NULL;
}

/*
 * Connects to rpc_port/stream_port, streams, then kills victim (the server,
 * directly or behind the proxy) and checks what every kind of use returns.
 */
static void
lost_check(const char *what, int rpc_port, int stream_port, th_proc_t *victim)
{
	struct lt_count ready;
	struct waiter w;
	struct caller k;
	krpc_client_t *c;
	krpc_stream_t *s, *t, *u = NULL;
	pthread_t wt, kt;
	double age = -1;
	int32_t n;

	LT_OK(krpc_connect(&c, what, "127.0.0.1", rpc_port, stream_port));
	s = counter_stream(c, "lost");
	t = counter_stream(c, "never-started");
	LT_OK(krpc_stream_get_sint32(s, &n));
	LT_OK(krpc_stream_age(s, &age));
	ck_assert_msg(age >= 0 && age < 10, "%s: age %g", what, age);
	LT_FAILS(krpc_stream_age(t, &age), KRPC_ERR_NO_VALUE);
	lt_count_init(&ready);
	w = (struct waiter){ s, &ready, KRPC_OK };
	k = (struct caller){ c, &ready, KRPC_OK };
	ck_assert_int_eq(pthread_create(&wt, NULL, waiter_main, &w), 0);
	ck_assert_int_eq(pthread_create(&kt, NULL, caller_main, &k), 0);
	ck_assert(lt_count_wait(&ready, 2, 10));
	th_sleep(0.3);				/* the blocking call goes out */
	th_proc_signal(victim, SIGKILL);	/* the game crashes */
	pthread_join(wt, NULL);
	pthread_join(kt, NULL);
	ck_assert_msg(w.rc == KRPC_ERR_IO, "%s: waiter got %s", what, krpc_code_str(w.rc));
	ck_assert_msg(k.rc == KRPC_ERR_IO, "%s: call in flight got %s", what, krpc_code_str(k.rc));
	LT_FAILS(krpc_call(c, "KRPC", "GetClientName", NULL, 0, "string", NULL), KRPC_ERR_IO);
	LT_FAILS(krpc_stream_start(t, true), KRPC_ERR_IO);
	/* The last value is kept but no longer current: reading it says so. */
	LT_FAILS(krpc_stream_get_sint32(s, &n), KRPC_ERR_IO);
	LT_OK(krpc_stream_age(s, &age));
	LT_FAILS(krpc_stream_add(c, TS, "Counter", NULL, 0, "sint32", &u), KRPC_ERR_IO);
	ck_assert_ptr_null(u);
	krpc_client_close(c);
}

START_TEST(test_server_lost_direct)
{
	struct lt_own server;

	lt_own_start(&server);
	lost_check("direct", server.rpc_port, server.stream_port, server.proc);
	th_proc_stop(server.proc);
}
END_TEST

START_TEST(test_server_lost_through_krpcmuxd)
{
	struct lt_own server, proxy;

	lt_own_start(&server);
	lt_own_proxy(&proxy, &server, NULL);
	lost_check("through krpcmuxd", proxy.rpc_port, proxy.stream_port, server.proc);
	ck_assert_msg(th_proc_wait(proxy.proc, 0.1) == -1, "krpcmuxd died with its upstream");
	th_proc_stop(proxy.proc);
	th_proc_stop(server.proc);
}
END_TEST

/* No server at all: connecting fails with KRPC_ERR_IO, directly and through krpcmuxd. */
START_TEST(test_no_server)
{
	struct lt_own nobody = { NULL, th_free_port(), th_free_port() }, proxy;
	krpc_client_t *c = NULL;

	LT_FAILS(krpc_connect(&c, "direct", "127.0.0.1", nobody.rpc_port, nobody.stream_port),
	    KRPC_ERR_IO);
	lt_own_proxy(&proxy, &nobody, "upstream: { wait = 0.3; };\n");
	LT_FAILS(krpc_connect(&c, "through krpcmuxd", "127.0.0.1", proxy.rpc_port, proxy.stream_port),
	    KRPC_ERR_IO);
	ck_assert_msg(strstr(krpc_error_message(), "not reachable") != NULL, "%s", krpc_error_message());
	ck_assert_ptr_null(c);
	th_proc_stop(proxy.proc);
}
END_TEST

/* Streams and events of a client without a stream connection: KRPC_ERR_NO_STREAM. */
static void
no_stream_check(const char *what, int rpc_port)
{
	krpc_client_t *c;
	krpc_stream_t *s = NULL;
	krpc_event_t *e = NULL;
	krpc_value_t *args[1] = { krpc_value_uint32(100) };
	uint64_t t;

	LT_OK(krpc_connect(&c, what, "127.0.0.1", rpc_port, KRPC_NO_STREAM));
	LT_FAILS(krpc_stream_add(c, TS, "Counter", NULL, 0, "sint32", &s), KRPC_ERR_NO_STREAM);
	ck_assert_ptr_null(s);
	LT_FAILS(krpc_event_call(c, TS, "OnTimer", args, 1, &e), KRPC_ERR_NO_STREAM);
	LT_OK(krpc_expr_constant_bool(c, true, &t));
	LT_FAILS(krpc_event_add(c, t, &e), KRPC_ERR_NO_STREAM);
	ck_assert_ptr_null(e);
	LT_OK(krpc_update_lock(c));
	LT_FAILS(krpc_update_wait(c, 0), KRPC_ERR_NO_STREAM);
	krpc_update_unlock(c);
	krpc_value_free(args[0]);
	krpc_client_close(c);
}

START_TEST(test_no_stream_connection)
{
	struct lt_own server, proxy;

	lt_own_start(&server);
	lt_own_proxy(&proxy, &server, NULL);
	no_stream_check("direct", server.rpc_port);
	no_stream_check("through krpcmuxd", proxy.rpc_port);
	th_proc_stop(proxy.proc);
	th_proc_stop(server.proc);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("client-lost");
	TCase *tc = tcase_create("lost");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_server_lost_direct);
	tcase_add_test(tc, test_server_lost_through_krpcmuxd);
	tcase_add_test(tc, test_no_server);
	tcase_add_test(tc, test_no_stream_connection);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
