/*
 * krpcmuxd integration tests, part 3: the upstream side.  Yielding calls on
 * slow lanes while other clients are served, the game's server going away
 * and coming back, clients waiting for it, and a client that stops reading
 * its stream socket while others keep up.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemontest.h"

#define TS "TestService"

static struct dt d;

static void
setup(void)
{
	ck_assert_int_eq(dt_start(&d, "up"), 0);
}

static void
teardown(void)
{
	dt_stop(&d);
}

/* Sends a one-call request without waiting for its response. */
static void
send_call(th_client_t *c, const char *service, const char *procedure, krpc_value_t *arg1,
    krpc_value_t *arg2)
{
	krpc_buf_t req = KRPC_BUF_INIT;

	if (arg2 != NULL)
		th_request_add(&req, service, procedure, 2, arg1, arg2);
	else if (arg1 != NULL)
		th_request_add(&req, service, procedure, 1, arg1);
	else
		th_request_add(&req, service, procedure, 0);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
}

/* True if a response is already waiting (no wait). */
static bool
response_waiting(th_client_t *c)
{
	const uint8_t *body;
	size_t len;

	return th_recv_frame(c->rpc, 0.0, &body, &len) == 1;
}

/* The SINT32 result of the next response. */
static int32_t
recv_sint32(th_client_t *c, double timeout)
{
	Krpc__Schema__Response *r = th_recv_response(c, timeout);
	krpc_type_t *t = krpc_type_new(KRPC_TYPE_SINT32);
	krpc_value_t *v = NULL;
	int32_t x = INT32_MIN;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert(krpc_msg_result_value(r->results[0], t, &v, NULL, 0) == KRPC_OK);
	krpc_value_as_sint32(v, &x);
	krpc_value_free(v);
	krpc_type_free(t);
	krpc__schema__response__free_unpacked(r, NULL);
	return x;
}

/* One client's yielding call does not hold the others up. */
START_TEST(test_yielding_call)
{
	th_client_t *a = dt_client(&d, "yielder", false), *b = dt_client(&d, "busy", true);
	krpc_value_t *v;
	char *stats;
	int i;

	ck_assert(a && b);
	send_call(a, TS, "BlockingProcedure", krpc_value_sint32(120), NULL);	/* two seconds */
	for (i = 0; i < 20; i++) {
		v = th_call_value(b, "string", TS, "Int32ToString", 1, krpc_value_sint32(i));
		ck_assert_ptr_nonnull(v);
		krpc_value_free(v);
	}
	ck_assert(dt_add_tick(b, true) != UINT64_MAX);
	ck_assert(!response_waiting(a));	/* b was served while a's call still ran */
	ck_assert_int_eq(recv_sint32(a, 10.0), 7260);
	stats = dt_admin(&d, "stats");
	ck_assert_ptr_nonnull(stats);
	ck_assert_msg(dt_admin_number(stats, "upstream_slow_requests") >= 1, "%s", stats);
	free(stats);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* A client's requests keep their order across a slow lane. */
START_TEST(test_yielding_order)
{
	th_client_t *a = dt_client(&d, "ordered", false);
	krpc_buf_t r1 = KRPC_BUF_INIT, r2 = KRPC_BUF_INIT, all = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;

	ck_assert_ptr_nonnull(a);
	th_request_add(&r1, TS, "BlockingProcedure", 1, krpc_value_sint32(20));
	th_request_add(&r2, TS, "Int32ToString", 1, krpc_value_sint32(99));
	krpc_frame_append(&all, r1.data, r1.len);
	krpc_frame_append(&all, r2.data, r2.len);
	ck_assert_int_eq(th_send_raw(a->rpc, all.data, all.len), 0);
	ck_assert_int_eq(recv_sint32(a, 10.0), 210);
	r = th_recv_response(a, 10.0);
	ck_assert_ptr_nonnull(r);
	ck_assert(memcmp(r->results[0]->value.data, "\x02" "99", 3) == 0);
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_buf_free(&r1);
	krpc_buf_free(&r2);
	krpc_buf_free(&all);
	th_client_close(a);
}
END_TEST

/* SpaceCenter.WarpTo yields until the game time passes; others go on meanwhile. */
START_TEST(test_warp_to)
{
	th_client_t *a = dt_client(&d, "warper", false), *b = dt_client(&d, "other", false);
	krpc_value_t *v;
	double ut, after;
	Krpc__Schema__Response *r;

	ck_assert(a && b);
	v = th_call_value(a, "double", "SpaceCenter", "get_UT", 0);
	ck_assert_ptr_nonnull(v);
	krpc_value_as_double(v, &ut);
	krpc_value_free(v);
	send_call(a, "SpaceCenter", "WarpTo", krpc_value_double(ut + 3600), NULL);
	v = th_call_value(b, "string", TS, "Int32ToString", 1, krpc_value_sint32(1));
	ck_assert_ptr_nonnull(v);
	krpc_value_free(v);
	r = th_recv_response(a, 20.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_ptr_null(r->results[0]->error);
	krpc__schema__response__free_unpacked(r, NULL);
	v = th_call_value(b, "double", "SpaceCenter", "get_UT", 0);
	krpc_value_as_double(v, &after);
	krpc_value_free(v);
	ck_assert(after >= ut + 3600);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* Reads a ConnectionResponse sent earlier. */
static Krpc__Schema__ConnectionResponse *
recv_handshake(th_conn_t *c, double timeout)
{
	const uint8_t *body;
	size_t len;

	if (th_recv_frame(c, timeout, &body, &len) != 1)
		return NULL;
	return krpc__schema__connection_response__unpack(NULL, len, body);
}

/* Sends an RPC ConnectionRequest without waiting. */
static th_conn_t *
start_handshake(struct dt *t, const char *name)
{
	Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	th_conn_t *c = th_connect_unix(t->rpc);

	ck_assert_ptr_nonnull(c);
	req.client_name = (char *)name;
	ck_assert_int_eq(th_send_msg(c, &req.base), 0);
	return c;
}

/* The server dies: requests fail with a clear error, clients are closed, the proxy reconnects. */
START_TEST(test_upstream_restart)
{
	struct dt t;
	th_client_t *a, *b, *c;
	th_conn_t *waiting;
	Krpc__Schema__Response *r;
	Krpc__Schema__ConnectionResponse *cr;
	char *up;
	uint64_t sid;

	memset(&t, 0, sizeof t);
	ck_assert_int_eq(dt_sim_start(&t, "restart", true), 0);
	ck_assert_int_eq(dt_daemon_start(&t, "restart",
	    "upstream = { wait = 15.0; retry_min = 0.05; retry_max = 0.2; };\n", NULL, true), 0);
	a = dt_client(&t, "victim", true);
	b = dt_client(&t, "idle", true);
	ck_assert(a && b);
	sid = dt_add_tick(b, true);
	ck_assert(sid != UINT64_MAX);
	send_call(a, TS, "BlockingProcedure", krpc_value_sint32(-1), NULL);	/* never returns */
	send_call(b, TS, "BlockingProcedure", krpc_value_sint32(-1), krpc_value_sint32(0));
	th_sleep(0.2);
	th_proc_signal(t.sim, SIGKILL);
	th_proc_wait(t.sim, 5.0);
	th_proc_stop(t.sim);
	t.sim = NULL;
	th_client_close(t.direct);
	t.direct = NULL;
	r = th_recv_response(a, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_msg(strncmp(r->error->description,
	    "krpcmuxd: lost the connection to the game's kRPC server", 55) == 0, "%s",
	    r->error->description);
	krpc__schema__response__free_unpacked(r, NULL);
	ck_assert(th_wait_closed(a->rpc, 5.0));
	ck_assert(th_wait_closed(b->stream, 5.0));
	th_client_close(a);
	th_client_close(b);

	/* a new client waits for the server, which comes back */
	waiting = start_handshake(&t, "patient");
	th_sleep(0.3);
	ck_assert_int_eq(dt_sim_start(&t, "restart", true), 0);
	cr = recv_handshake(waiting, 10.0);
	ck_assert_ptr_nonnull(cr);
	ck_assert_int_eq(cr->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK);
	ck_assert_uint_eq(cr->client_identifier.len, 16);
	krpc__schema__connection_response__free_unpacked(cr, NULL);
	th_conn_close(waiting);
	c = dt_client(&t, "after", true);
	ck_assert_ptr_nonnull(c);
	sid = dt_add_tick(c, true);
	ck_assert(dt_flowing(c, sid, 6, 5.0));
	ck_assert_int_eq(dt_stream_rpcs(&t), 1);
	up = dt_admin(&t, "upstream");
	ck_assert_ptr_nonnull(up);
	ck_assert_msg(dt_admin_number(up, "sessions") == 2, "%s", up);
	free(up);
	th_client_close(c);
	dt_stop(&t);
}
END_TEST

/* No server at all: a new client is refused after upstream.wait with a clear message. */
START_TEST(test_upstream_unreachable)
{
	struct dt t;
	th_conn_t *c;
	Krpc__Schema__ConnectionResponse *cr;
	th_client_t *late;
	double start;

	memset(&t, 0, sizeof t);
	snprintf(t.sim_rpc_path, sizeof t.sim_rpc_path, "%s", th_tmp("absent-sim-rpc"));
	snprintf(t.sim_stream_path, sizeof t.sim_stream_path, "%s", th_tmp("absent-sim-stream"));
	ck_assert_int_eq(dt_daemon_start(&t, "absent",
	    "upstream = { wait = 1.0; retry_min = 0.05; retry_max = 0.2; };\n", NULL, false), 0);
	start = th_now();
	c = start_handshake(&t, "hopeful");
	cr = recv_handshake(c, 5.0);
	ck_assert_ptr_nonnull(cr);
	ck_assert(th_now() - start >= 0.9);
	ck_assert_int_eq(cr->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT);
	ck_assert_msg(strncmp(cr->message, "krpcmuxd: the game's kRPC server is not reachable (",
	    51) == 0, "%s", cr->message);
	krpc__schema__connection_response__free_unpacked(cr, NULL);
	ck_assert(th_wait_closed(c, 5.0));
	th_conn_close(c);
	/* the server starts later: the proxy finds it and says so */
	ck_assert_int_eq(dt_sim_start(&t, "absent", true), 0);
	ck_assert(th_proc_wait_output(t.daemon, "krpcmuxd: listening", 10.0));
	late = dt_client(&t, "late", false);
	ck_assert_ptr_nonnull(late);
	th_client_close(late);
	dt_stop(&t);
}
END_TEST

/* A value of client name's line in the admin "clients" answer. */
static double
client_field(struct dt *t, const char *name, const char *field)
{
	char *all = dt_admin(t, "clients"), *line, *p, quoted[64];
	double v = -1;

	ck_assert_ptr_nonnull(all);
	snprintf(quoted, sizeof quoted, "\"%s\"", name);
	for (line = all; line != NULL && *line != '\0'; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		if (p != NULL)
			*p = '\0';
		if (strstr(line, quoted) != NULL && strstr(line, field) != NULL)
			v = atof(strstr(line, field) + strlen(field));
	}
	free(all);
	return v;
}

/* A client that stops reading its streams: bounded memory, conflation, nobody else slowed. */
START_TEST(test_slow_reader)
{
	enum { BIG = 16384, MAX = 256 };
	struct dt t;
	th_client_t *slow, *fast;
	char *big[2], *stats;
	int32_t ticks[MAX], tick_fast;
	double out;
	uint64_t tick_slow_id, tick_fast_id;
	int i, n;
	krpc_value_t *v;

	t = d;		/* a daemon of its own in front of the shared server */
	t.sim = NULL;
	t.daemon = NULL;
	t.direct = NULL;
	ck_assert_int_eq(dt_daemon_start(&t, "slowpoke",
	    "limits = { output_high_watermark = 65536; output_low_watermark = 16384; };\n", NULL,
	    true), 0);
	slow = dt_client(&t, "slow", true);
	fast = dt_client(&t, "fast", true);
	ck_assert(slow && fast);
	for (i = 0; i < 2; i++) {
		big[i] = malloc(BIG + 1);
		memset(big[i], 'a' + i, BIG);
		big[i][BIG] = '\0';
		/* CounterStruct(id) changes on every update and carries its 16 KiB id */
		ck_assert(dt_add(slow, true, TS, "CounterStruct", 1, krpc_value_string(big[i])) !=
		    UINT64_MAX);
		ck_assert(dt_add(fast, true, TS, "CounterStruct", 1, krpc_value_string(big[i])) !=
		    UINT64_MAX);
	}
	/* Counter advances by one per update in each client's own stream: a miss shows */
	tick_slow_id = dt_add(slow, true, TS, "Counter", 1, krpc_value_string("tick"));
	tick_fast_id = dt_add(fast, true, TS, "Counter", 1, krpc_value_string("tick"));
	/* the fast client reads everything for 3 s: every change of the tick arrives */
	n = dt_collect_ints(fast, tick_fast_id, 3.0, ticks, MAX);
	ck_assert_int_ge(n, 100);
	for (i = 1; i < n && i < MAX; i++)
		ck_assert_msg(ticks[i] == ticks[i - 1] + 1, "fast client missed updates: %d -> %d",
		    ticks[i - 1], ticks[i]);
	tick_fast = ticks[(n < MAX ? n : MAX) - 1];
	/* the slow client's queue in the proxy stayed bounded */
	out = client_field(&t, "slow", "stream_output=");
	ck_assert_msg(out >= 0 && out <= 65536 + 2 * (2 * BIG + 1024), "slow client's queue: %.0f", out);
	stats = dt_admin(&t, "stats");
	ck_assert_msg(dt_admin_number(stats, "values_conflated") > 0, "%s", stats);
	free(stats);
	/* when it reads again it soon gets current values, not a backlog of seconds */
	n = 0;
	for (double end = th_now() + 5.0; th_now() < end;) {
		v = th_wait_stream(slow, tick_slow_id, "sint32", end - th_now(), NULL, 0);
		if (v == NULL)
			break;
		krpc_value_as_sint32(v, &ticks[0]);
		krpc_value_free(v);
		if (ticks[0] >= tick_fast)
			break;
	}
	ck_assert_msg(ticks[0] >= tick_fast, "slow client still behind: %d < %d", ticks[0], tick_fast);
	for (i = 0; i < 2; i++)
		free(big[i]);
	th_client_close(slow);
	th_client_close(fast);
	dt_daemon_stop(&t);
}
END_TEST

static Suite *
upstream_suite(void)
{
	Suite *s = suite_create("krpcmuxd upstream");
	TCase *tc = tcase_create("one server");
	TCase *own = tcase_create("servers of their own");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_yielding_call);
	tcase_add_test(tc, test_yielding_order);
	dt_add_sim_test(tc, test_warp_to, "SpaceCenter.WarpTo: the TestServer has no SpaceCenter "
	    "(test_yielding_call covers a yielding call there)");
	tcase_add_test(tc, test_slow_reader);
	suite_add_tcase(s, tc);
	tcase_set_timeout(own, 40);
	tcase_add_test(own, test_upstream_restart);
	tcase_add_test(own, test_upstream_unreachable);
	suite_add_tcase(s, own);
	return s;
}

int
main(void)
{
	return dt_run(upstream_suite());
}
