/*
 * krpc-sim's update loop and stream connections as the real server's
 * (Core.Update): adaptive rate control and its settings, a second stream
 * connection with a client's identifier, errors' stack traces, the
 * server answering more requests per update than a poll round holds, and
 * the collector pauses --gc-every imitates.  The
 * conformance test compares all of this with kRPC's TestServer; these hold
 * without it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simtest.h"

static struct simtest sim;	/* paced, as the game */
static struct simtest unpaced;	/* --no-pacing */
static struct simtest gc;	/* --no-pacing, a 1 s collection every 3 requests */

#define GC_PAUSE 1.0	/* --gc-pause of gc, s */

#define NO_STREAM "No stream client is connected for this RPC client"

/* A client of a server, asserted. */
static th_client_t *
client_of(const struct simtest *t, const char *name, bool stream)
{
	th_client_t *c = simtest_client(t, name, stream);

	ck_assert_msg(c != NULL, "cannot connect to krpc-sim");
	return c;
}

/* KRPC.GetStatus's max_time_per_update and adaptive_rate_control. */
static uint32_t
max_time(th_client_t *c, bool *adaptive)
{
	Krpc__Schema__Status *st = simtest_status(c);
	uint32_t v;

	ck_assert_ptr_nonnull(st);
	v = st->max_time_per_update;
	*adaptive = st->adaptive_rate_control;
	ck_assert(st->blocking_recv && st->recv_timeout == 1000 && !st->one_rpc_per_update);
	krpc__schema__status__free_unpacked(st, NULL);
	return v;
}

/* Paced, adaptive rate control is on: an idle server's budget goes to 10000 us. */
START_TEST(test_adaptive_idle)
{
	th_client_t *c = client_of(&sim, "arc-idle", false);
	double end = th_now() + 5.0;
	bool adaptive = false;
	uint32_t v = 0;

	/* an update that ran late takes 100 us off; the next on time puts 10000 back */
	while (th_now() < end && (v = max_time(c, &adaptive)) != 10000)
		th_sleep(0.05);
	ck_assert(adaptive);
	ck_assert_uint_eq(v, 10000);
	th_client_close(c);
}
END_TEST

/* Unpaced, the control is off and the budget stays at the server's 5000 us. */
START_TEST(test_adaptive_off_unpaced)
{
	th_client_t *c = client_of(&unpaced, "arc-unpaced", false);
	bool adaptive = true;
	int i;

	for (i = 0; i < 5; i++) {
		ck_assert_uint_eq(max_time(c, &adaptive), 5000);
		ck_assert(!adaptive);
		th_sleep(0.02);
	}
	th_client_close(c);
}
END_TEST

/* The next update on a raw stream connection holding stream id; NULL on timeout. */
static Krpc__Schema__StreamResult *
raw_update(th_conn_t *conn, uint64_t id, double timeout, Krpc__Schema__StreamUpdate **u)
{
	double end = th_now() + timeout;
	const uint8_t *body;
	size_t len, i;

	while (th_now() < end) {
		if (th_recv_frame(conn, end - th_now(), &body, &len) != 1)
			return NULL;
		ck_assert_ptr_nonnull(*u = krpc__schema__stream_update__unpack(NULL, len, body));
		for (i = 0; i < (*u)->n_results; i++) {
			if ((*u)->results[i]->id == id)
				return (*u)->results[i];
		}
		krpc__schema__stream_update__free_unpacked(*u, NULL);
	}
	return NULL;
}

/*
 * A second stream connection with the client's identifier is accepted: new
 * streams go to it, the first stays open and keeps sending its own streams.
 */
START_TEST(test_second_stream_connection)
{
	th_client_t *c = client_of(&sim, "two-streams", true);
	Krpc__Schema__ConnectionResponse *r;
	Krpc__Schema__StreamUpdate *u = NULL;
	uint64_t counter, other;
	krpc_value_t *v;
	th_conn_t *second;
	char *desc;

	counter = th_add_stream(c, th_proc_call("TestService", "Counter", 1,
	    krpc_value_string("two-streams")), true);
	ck_assert_ptr_nonnull(v = th_wait_stream(c, counter, "sint32", 5.0, NULL, 0));
	krpc_value_free(v);
	ck_assert_ptr_nonnull(second = th_connect_tcp(sim.stream_port));
	ck_assert_ptr_nonnull(r = th_handshake(second, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM,
	    NULL, c->id, 16, 5.0));
	ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK);
	krpc__schema__connection_response__free_unpacked(r, NULL);
	other = th_add_stream(c, th_proc_call("TestService", "FloatToString", 1,
	    krpc_value_float(4.5f)), true);
	ck_assert_ptr_nonnull(raw_update(second, other, 5.0, &u));
	krpc__schema__stream_update__free_unpacked(u, NULL);
	/* the first connection is open and its counter still counts */
	ck_assert(!th_wait_closed(c->stream, 0.1));
	ck_assert_ptr_nonnull(v = th_wait_stream(c, counter, "sint32", 5.0, NULL, 0));
	krpc_value_free(v);
	/* its streams are the first connection's: the current one does not know them */
	ck_assert_ptr_nonnull(desc = th_call_error(c, NULL, NULL, "KRPC", "StartStream", 1,
	    krpc_value_uint64(counter)));
	ck_assert_str_eq(desc, "Stream does not exist with this id");
	free(desc);
	th_conn_close(second);
	th_client_close(c);
}
END_TEST

/*
 * When either of two stream connections closes (here the first, while the
 * second is the current one), the client has no stream connection.
 */
START_TEST(test_stream_connection_closed)
{
	th_client_t *c = client_of(&sim, "closed-stream", true);
	Krpc__Schema__ConnectionResponse *r;
	double end = th_now() + 5.0;
	th_conn_t *second;
	char *desc = NULL;

	ck_assert_ptr_nonnull(second = th_connect_tcp(sim.stream_port));
	ck_assert_ptr_nonnull(r = th_handshake(second, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM,
	    NULL, c->id, 16, 5.0));
	krpc__schema__connection_response__free_unpacked(r, NULL);
	th_conn_close(c->stream);
	c->stream = NULL;
	while (th_now() < end) {
		free(desc);
		desc = th_call_error(c, NULL, NULL, "KRPC", "AddStream", 1,
		    th_proc_call("TestService", "FloatToString", 1, krpc_value_float(5.5f)));
		if (desc != NULL)
			break;
		th_sleep(0.05);
	}
	ck_assert_ptr_nonnull(desc);
	ck_assert_str_eq(desc, NO_STREAM);
	free(desc);
	th_conn_close(second);
	th_client_close(c);
}
END_TEST

/* Every error carries a stack trace, as the server's exceptions do. */
START_TEST(test_error_traces)
{
	static const char *const procs[] = { "ThrowArgumentException", "Nope", "FloatToString" };
	th_client_t *c = client_of(&sim, "traces", false);
	Krpc__Schema__Response *r;
	size_t i;

	for (i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(r = th_call(c, "TestService", procs[i], 0));
		ck_assert_uint_eq(r->n_results, 1);
		ck_assert_ptr_nonnull(r->results[0]->error);
		ck_assert_msg(r->results[0]->error->stack_trace != NULL &&
		    strstr(r->results[0]->error->stack_trace, "  at ") == r->results[0]->error->stack_trace,
		    "%s: no stack trace", procs[i]);
		krpc__schema__response__free_unpacked(r, NULL);
	}
	/* a request-level error (a value that does not decode) too */
	ck_assert_ptr_nonnull(r = th_call(c, "TestService", "FloatToString", 1,
	    krpc_value_bytes("\x01", 1)));
	ck_assert_ptr_nonnull(r->error);
	ck_assert_str_eq(r->error->description, "While parsing a protocol message, the input ended "
	    "unexpectedly in the middle of a field.  This could mean either that the input has "
	    "been truncated or that an embedded message misreported its own length.");
	ck_assert(r->error->stack_trace != NULL && r->error->stack_trace[0] != '\0');
	krpc__schema__response__free_unpacked(r, NULL);
	th_client_close(c);
}
END_TEST

/*
 * Pipelined requests are served one per poll round, each round waiting for
 * more: 50 of them come back in order well within a few updates.
 */
START_TEST(test_pipelined_in_order)
{
	th_client_t *c = client_of(&sim, "pipeline", false);
	krpc_type_t *type = krpc_type_parse("sint32", NULL, 0);
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	krpc_value_t *v;
	int32_t n;
	int i;

	th_request_add(&req, "TestService", "Counter", 1, krpc_value_string("pipeline"));
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
	for (i = 1; i <= 50; i++) {
		ck_assert_ptr_nonnull(r = th_recv_response(c, 5.0));
		ck_assert_uint_eq(r->n_results, 1);
		ck_assert_int_eq(krpc_value_decode(type, r->results[0]->value.data,
		    r->results[0]->value.len, false, &v, NULL, 0), KRPC_OK);
		ck_assert(krpc_value_as_sint32(v, &n) == KRPC_OK && n == i);
		krpc_value_free(v);
		krpc__schema__response__free_unpacked(r, NULL);
	}
	krpc_type_free(type);
	th_client_close(c);
}
END_TEST

/*
 * --gc-every 3 --gc-pause 1000000: of six calls one after the other, two
 * (three apart) wait the whole second before their answer; the rest do not.
 */
START_TEST(test_gc_imitation)
{
	th_client_t *c = client_of(&gc, "gc", false);
	Krpc__Schema__Response *r;
	int i, slow[6], nslow = 0;
	double t0;

	for (i = 0; i < 6; i++) {
		t0 = th_now();
		ck_assert_ptr_nonnull(r = th_call(c, "KRPC", "GetClientID", 0));
		ck_assert_ptr_null(r->error);
		krpc__schema__response__free_unpacked(r, NULL);
		if (th_now() - t0 >= GC_PAUSE)
			slow[nslow++] = i;
	}
	ck_assert_int_eq(nslow, 2);
	ck_assert_int_eq(slow[1] - slow[0], 3);
	th_client_close(c);
}
END_TEST

static Suite *
update_suite(void)
{
	Suite *s = suite_create("krpc-sim update loop");
	TCase *t = tcase_create("update");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, test_adaptive_idle);
	tcase_add_test(t, test_adaptive_off_unpaced);
	tcase_add_test(t, test_second_stream_connection);
	tcase_add_test(t, test_stream_connection_closed);
	tcase_add_test(t, test_error_traces);
	tcase_add_test(t, test_pipelined_in_order);
	tcase_add_test(t, test_gc_imitation);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	static const char *const unpaced_args[] = { "--no-pacing", NULL };
	static const char *const gc_args[] = { "--no-pacing", "--gc-every", "3", "--gc-pause",
	    "1000000", NULL };
	SRunner *sr;
	int failed;

	if (simtest_start(&sim, NULL, NULL) != 0 ||
	    simtest_start(&unpaced, NULL, unpaced_args) != 0 ||
	    simtest_start(&gc, NULL, gc_args) != 0) {
		th_cleanup();
		return 1;
	}
	sr = srunner_create(update_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	simtest_stop(&sim);
	simtest_stop(&unpaced);
	simtest_stop(&gc);
	th_cleanup();
	return failed == 0 ? 0 : 1;
}
