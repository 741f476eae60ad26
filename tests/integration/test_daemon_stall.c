/*
 * krpcmuxd integration tests, part 12: a server that stops answering
 * (issue 12).  The server is stopped with SIGSTOP, its connections stay
 * open: after upstream.stall_timeout of silence with a call waiting, the
 * call fails with a clear error, clients are closed, and once the server
 * runs again the proxy is back.  A yielding call that lasts longer than the
 * timeout is not a stall: the proxy's probe (on a slow lane's call), or the
 * stream updates (on the primary, with no slow lane), show the server
 * alive.  Run against krpc-sim and, as a .real test, kRPC's TestServer.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemontest.h"

#define STALL_CONF	"upstream = { stall_timeout = 2.0; retry_min = 0.1; retry_max = 0.5; };\n"
/* BlockingProcedure(n) yields n updates: at 60 Hz, 300 take 5 s, over twice the timeout. */
#define BLOCK_N		300

static struct dt d;

static void
setup(void)
{
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(dt_sim_start(&d, "stall", false), 0);
	d.log_to_stdout = true;
}

static void
teardown(void)
{
	dt_stop(&d);
}

/* A counter of the stats command. */
static double
counter(struct dt *t, const char *name)
{
	char *a = dt_admin(t, "stats");
	double v = a != NULL ? dt_admin_number(a, name) : -1;

	free(a);
	return v;
}

/* Sends BlockingProcedure(n, 0) without waiting. */
static void
send_block(th_client_t *c, int n)
{
	dt_send(c, "TestService", "BlockingProcedure", 2, krpc_value_sint32(n), krpc_value_sint32(0));
}

/* Reads BlockingProcedure's answer: n(n+1)/2, else fails. */
static void
expect_block(th_client_t *c, int n, double timeout)
{
	Krpc__Schema__Response *r = th_recv_response(c, timeout);
	krpc_value_t *v = NULL;
	krpc_type_t *t;
	int32_t sum = 0;

	ck_assert_msg(r != NULL, "no answer to BlockingProcedure(%d)", n);
	ck_assert_msg(r->error == NULL && r->n_results == 1 && r->results[0]->error == NULL,
	    "BlockingProcedure failed: %s", r->error ? r->error->description :
	    r->results[0]->error ? r->results[0]->error->description : "?");
	t = krpc_type_new(KRPC_TYPE_SINT32);
	ck_assert_int_eq(krpc_value_decode(t, r->results[0]->value.data, r->results[0]->value.len,
	    false, &v, NULL, 0), KRPC_OK);
	ck_assert_int_eq(krpc_value_as_sint32(v, &sum), KRPC_OK);
	ck_assert_int_eq(sum, n * (n + 1) / 2);
	krpc_value_free(v);
	krpc_type_free(t);
	krpc__schema__response__free_unpacked(r, NULL);
}

/*
 * SIGSTOP: the waiting call fails with "lost the connection ... stopped
 * answering", the clients are closed; after SIGCONT a new client is served
 * in a new session.  The time from the call to its error is printed.
 */
START_TEST(test_stopped_server)
{
	th_client_t *a, *b, *c = NULL;
	Krpc__Schema__Response *r;
	char *err;
	double t0, took;
	int i;

	ck_assert_int_eq(dt_daemon_start(&d, "stall", STALL_CONF, NULL, true), 0);
	ck_assert_ptr_nonnull(a = dt_client(&d, "watcher", true));
	ck_assert_ptr_nonnull(b = dt_client(&d, "caller", false));
	ck_assert(dt_flowing(a, dt_add_tick(a, true), 3, 5.0));
	th_proc_signal(d.sim, SIGSTOP);
	t0 = th_now();
	dt_send(b, "TestService", "Int32ToString", 1, krpc_value_sint32(1), NULL);
	r = th_recv_response(b, 15.0);
	took = th_now() - t0;
	ck_assert_msg(r != NULL, "no answer %.1f s after the server stopped", took);
	err = dt_error(r, NULL, NULL);
	krpc__schema__response__free_unpacked(r, NULL);
	ck_assert_msg(err != NULL && strstr(err, "krpcmuxd: lost the connection to the game's kRPC "
	    "server (the server stopped answering: nothing for 2 s with") == err, "error: %s",
	    err ? err : "(none)");
	fprintf(stderr, "stall: stopped server detected after %.2f s (upstream.stall_timeout 2): "
	    "%s\n", took, err);
	free(err);
	ck_assert(th_wait_closed(a->rpc, 5.0));
	ck_assert(th_wait_closed(b->rpc, 5.0));
	ck_assert(th_proc_wait_output(d.daemon, "session lost: the server stopped answering", 5.0));
	ck_assert_int_eq(counter(&d, "upstream_stalls"), 1);
	th_proc_signal(d.sim, SIGCONT);
	for (i = 0; i < 100 && c == NULL; i++) {
		if ((c = dt_client(&d, "after", false)) == NULL)
			th_sleep(0.1);
	}
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(r = th_call(c, "TestService", "Int32ToString", 1, krpc_value_sint32(2)));
	ck_assert(r->error == NULL && r->n_results == 1 && r->results[0]->error == NULL);
	krpc__schema__response__free_unpacked(r, NULL);
	ck_assert_int_eq(dt_admin_number(err = dt_admin(&d, "upstream"), "sessions"), 2);
	free(err);
	th_client_close(a);
	th_client_close(b);
	th_client_close(c);
	dt_daemon_stop(&d);
}
END_TEST

/*
 * A yielding call on a slow lane, more than twice the timeout long, with
 * nothing else going on: the proxy probes the silent server, which
 * answers, and the call completes.
 */
START_TEST(test_yield_on_slow_lane)
{
	th_client_t *c;

	ck_assert_int_eq(dt_daemon_start(&d, "yield", STALL_CONF, NULL, true), 0);
	ck_assert_ptr_nonnull(c = dt_client(&d, "patient", false));
	send_block(c, BLOCK_N);
	expect_block(c, BLOCK_N, 30.0);
	ck_assert_int_eq(counter(&d, "upstream_stalls"), 0);
	ck_assert_int_gt(counter(&d, "upstream_probes"), 0);
	th_client_close(c);
	dt_daemon_stop(&d);
}
END_TEST

/*
 * With no slow lane (upstream.slow_lanes 0) the yielding call holds the
 * primary, and no probe can pass it: the stream updates another client
 * receives meanwhile show the server alive.
 */
START_TEST(test_yield_on_primary)
{
	th_client_t *c, *w;

	ck_assert_int_eq(dt_daemon_start(&d, "primary", "upstream = { stall_timeout = 2.0; "
	    "slow_lanes = 0; };\n", NULL, true), 0);
	ck_assert_ptr_nonnull(w = dt_client(&d, "watcher", true));
	ck_assert_ptr_nonnull(c = dt_client(&d, "patient", false));
	ck_assert(dt_flowing(w, dt_add_tick(w, true), 3, 5.0));
	send_block(c, BLOCK_N);
	expect_block(c, BLOCK_N, 30.0);
	ck_assert_int_eq(counter(&d, "upstream_stalls"), 0);
	th_client_close(c);
	th_client_close(w);
	dt_daemon_stop(&d);
}
END_TEST

static Suite *
stall_suite(void)
{
	Suite *s = suite_create("krpcmuxd stalls");
	TCase *tc = tcase_create("stall");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stopped_server);
	tcase_add_test(tc, test_yield_on_slow_lane);
	tcase_add_test(tc, test_yield_on_primary);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(stall_suite());
}
