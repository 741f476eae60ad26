/*
 * krpcmuxd integration tests, part 4: a mock upstream.  The test itself
 * plays the game's kRPC server on two Unix sockets and asserts the exact
 * bytes the proxy sends: the handshakes first and nothing before their
 * responses, whole frames per write, plain requests forwarded unchanged,
 * AddStream sent once for many subscribers, RemoveStream only for the last,
 * and the server lost at every stage (requests in flight, queued, on a slow
 * lane, during the handshake) with the reconnection backoff.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mocktest.h"

#define LOST "krpcmuxd: lost the connection to the game's kRPC server"

/* ---- tests --------------------------------------------------------------- */

/* The session setup alone (every byte is checked in mock_start). */
START_TEST(test_mock_session)
{
	struct mock m;

	mock_start(&m, "session", NULL);
	ck_assert(mock_quiet(m.rpc, 0.3));	/* nothing else until a client asks */
	mock_stop(&m);
}
END_TEST

/* A plain request reaches the server byte for byte, and its response comes back as is. */
START_TEST(test_mock_unchanged)
{
	struct mock m;
	th_client_t *a;
	/* a valid Request with fields in unusual order: procedure before service */
	static const uint8_t req[] = "\x0a\x1c\x12\x0d" "FloatToString" "\x0a\x0b" "TestService";
	static const uint8_t resp[] = "\x12\x06\x12\x04\x03" "1.5";
	const uint8_t *body;
	size_t len;

	mock_start(&m, "unchanged", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "plain", false));
	ck_assert_int_eq(th_send_frame(a->rpc, req, sizeof req - 1), 0);
	mock_expect_bytes(m.rpc, req, sizeof req - 1, "forwarded request");
	ck_assert_int_eq(send(m.rpc->fd, "\x08", 1, 0), 1);
	ck_assert_int_eq(send(m.rpc->fd, resp, sizeof resp - 1, 0), (ssize_t)(sizeof resp - 1));
	ck_assert_int_eq(th_recv_frame(a->rpc, 5.0, &body, &len), 1);
	ck_assert_msg(len == sizeof resp - 1 && memcmp(body, resp, len) == 0, "%s", mock_hex(body, len));
	th_client_close(a);
	mock_stop(&m);
}
END_TEST

/*
 * Pipelined requests: two go upstream at once (the server takes one per
 * poll round, so the next is always waiting there); what arrives meanwhile
 * goes as one batched Request when an answer frees a place, and the
 * batch's one Response is cut back into each request's own, in order.
 */
START_TEST(test_mock_pipelined)
{
	struct mock m;
	th_client_t *a;
	krpc_buf_t req = KRPC_BUF_INIT, all = KRPC_BUF_INIT;
	Krpc__Schema__Response *resp;
	int i;

	mock_start(&m, "pipe", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "pipe", false));
	for (i = 0; i < 5; i++) {
		krpc_buf_reset(&req);
		th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float((float)i));
		krpc_frame_append(&all, req.data, req.len);
	}
	ck_assert_int_eq(th_send_raw(a->rpc, all.data, all.len), 0);
	mock_expect_floats(&m, 1);
	mock_expect_floats(&m, 1);
	ck_assert(mock_quiet(m.rpc, 0.3));	/* the other three wait for a place */
	mock_respond_floats(&m, 0, 1);
	mock_expect_floats(&m, 3);			/* joined into one Request */
	mock_respond_floats(&m, 1, 1);
	mock_respond_floats(&m, 2, 3);
	for (i = 0; i < 5; i++) {
		resp = th_recv_response(a, 5.0);
		ck_assert_ptr_nonnull(resp);
		ck_assert_uint_eq(resp->n_results, 1);
		ck_assert_uint_eq(resp->results[0]->value.len, 2);
		ck_assert_int_eq(resp->results[0]->value.data[1], '0' + i);
		krpc__schema__response__free_unpacked(resp, NULL);
	}
	krpc_buf_free(&req);
	krpc_buf_free(&all);
	th_client_close(a);
	mock_stop(&m);
}
END_TEST

/* A v0.5.4 server cannot take pipelined requests: the proxy sends one at a time. */
START_TEST(test_mock_serial)
{
	struct mock m;
	th_client_t *a, *b;
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Request *r;
	Krpc__Schema__Response *resp;
	int i;

	mock_start_version(&m, "serial", NULL, "0.5.4");
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "a", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "b", false));
	th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float(1));
	ck_assert_int_eq(th_send_request(a, &req), 0);
	ck_assert_int_eq(th_send_request(b, &req), 0);
	ck_assert_int_eq(th_send_request(a, &req), 0);
	for (i = 0; i < 3; i++) {
		r = mock_expect_request(m.rpc);	/* exactly one at a time */
		ck_assert_ptr_nonnull(r);
		krpc__schema__request__free_unpacked(r, NULL);
		ck_assert(mock_quiet(m.rpc, 0.15));
		mock_respond_value(m.rpc, "\x01" "1", 2);
	}
	for (i = 0; i < 3; i++) {
		resp = th_recv_response(i == 1 ? b : a, 5.0);
		ck_assert_ptr_nonnull(resp);
		krpc__schema__response__free_unpacked(resp, NULL);
	}
	krpc_buf_free(&req);
	th_client_close(a);
	th_client_close(b);
	mock_stop(&m);
}
END_TEST

/* Two subscribers: AddStream and StartStream go upstream once, RemoveStream after the last. */
START_TEST(test_mock_addstream_once)
{
	struct mock m;
	th_client_t *a, *b;
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT, want = KRPC_BUF_INIT;
	krpc_value_t *cv;
	krpc_msg_arg_t args[2];
	const uint8_t *cb;
	size_t cl;
	uint64_t ia, ib;
	Krpc__Schema__StreamUpdate up = KRPC__SCHEMA__STREAM_UPDATE__INIT;
	Krpc__Schema__StreamResult sr = KRPC__SCHEMA__STREAM_RESULT__INIT, *srs[1] = { &sr };
	Krpc__Schema__ProcedureResult pr = KRPC__SCHEMA__PROCEDURE_RESULT__INIT;
	Krpc__Schema__StreamUpdate *u;
	th_client_t *who[2];
	uint64_t ids[2];
	int i;

	mock_start(&m, "once", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "first", true));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "second", true));
	cv = th_proc_call("TestService", "FloatToString", 1, krpc_value_float(1));
	cb = krpc_value_data(cv, &cl);
	th_request_add(&req, "KRPC", "AddStream", 2, krpc_value_clone(cv), krpc_value_bool(true));
	ck_assert_int_eq(th_send_request(a, &req), 0);
	/* upstream: AddStream(the same call bytes, start = false), exactly */
	args[0] = (krpc_msg_arg_t){ 0, cb, cl, false };
	args[1] = (krpc_msg_arg_t){ 1, (const uint8_t *)"\x00", 1, false };
	krpc_msg_call(&call, "KRPC", "AddStream", args, 2);
	krpc_msg_request_add(&want, call.data, call.len);
	mock_expect_bytes(m.rpc, want.data, want.len, "AddStream");
	mock_respond_value(m.rpc, "\x08\x07", 2);	/* Stream{id = 7} */
	ia = mock_stream_id_of(th_recv_response(a, 5.0));
	mock_expect_manage(&m, "StartStream", 7);
	/* the second subscriber costs the server nothing */
	ib = th_add_stream(b, krpc_value_clone(cv), true);
	ck_assert(ib != UINT64_MAX && ib != ia);
	ck_assert(mock_quiet(m.rpc, 0.3));
	/* one upstream update reaches both, each under its own id */
	pr.value.data = (uint8_t *)"\x01" "1";
	pr.value.len = 2;
	sr.id = 7;
	sr.result = &pr;
	up.results = srs;
	up.n_results = 1;
	mock_send(m.stream, &up.base);
	who[0] = a;
	who[1] = b;
	ids[0] = ia;
	ids[1] = ib;
	for (i = 0; i < 2; i++) {
		u = th_recv_update(who[i], 5.0);
		ck_assert_ptr_nonnull(u);
		ck_assert_uint_eq(u->n_results, 1);
		ck_assert_uint_eq(u->results[0]->id, ids[i]);
		ck_assert(u->results[0]->result->value.len == 2 &&
		    memcmp(u->results[0]->result->value.data, "\x01" "1", 2) == 0);
		krpc__schema__stream_update__free_unpacked(u, NULL);
	}
	/* an update for an id the proxy does not know is ignored */
	sr.id = 99;
	mock_send(m.stream, &up.base);
	ck_assert(dt_no_update(a, ia, 0.2));
	/* removal: nothing upstream for the first, RemoveStream(7) for the last */
	ck_assert(dt_remove_stream(a, ia));
	ck_assert(mock_quiet(m.rpc, 0.3));
	ck_assert(dt_remove_stream(b, ib));
	mock_expect_manage(&m, "RemoveStream", 7);
	krpc_value_free(cv);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
	krpc_buf_free(&want);
	th_client_close(a);
	th_client_close(b);
	mock_stop(&m);
}
END_TEST

/* The server goes away mid-request: the client gets a request-level error; the proxy reconnects. */
START_TEST(test_mock_loss)
{
	struct mock m;
	th_client_t *a;
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Request *r;
	Krpc__Schema__Response *resp;
	Krpc__Schema__ConnectionResponse ok = KRPC__SCHEMA__CONNECTION_RESPONSE__INIT;
	struct mock_conn *again;

	mock_start(&m, "loss", "upstream = { slow_lanes = 0; retry_min = 0.05; retry_max = 0.1; };\n");
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "stranded", false));
	th_request_add(&req, "TestService", "BlockingProcedure", 1, krpc_value_sint32(100));
	ck_assert_int_eq(th_send_request(a, &req), 0);
	r = mock_expect_request(m.rpc);	/* slow_lanes = 0: on the primary connection */
	ck_assert_str_eq(r->calls[0]->procedure, "BlockingProcedure");
	krpc__schema__request__free_unpacked(r, NULL);
	mock_close(m.rpc);
	m.rpc = NULL;
	resp = th_recv_response(a, 5.0);
	ck_assert_ptr_nonnull(resp);
	ck_assert_ptr_nonnull(resp->error);
	ck_assert_msg(strstr(resp->error->description,
	    "krpcmuxd: lost the connection to the game's kRPC server") != NULL, "%s",
	    resp->error->description);
	krpc__schema__response__free_unpacked(resp, NULL);
	ck_assert(th_wait_closed(a->rpc, 5.0));
	th_client_close(a);
	/* it comes back: a new handshake, as the first time */
	ck_assert_ptr_nonnull(again = mock_accept(m.lrpc, 5.0));
	mock_expect_bytes(again, (const uint8_t *)"\x12\x08krpcmuxd", 10, "second RPC ConnectionRequest");
	ok.client_identifier.data = m.id;
	ok.client_identifier.len = 16;
	mock_send(again, &ok.base);
	m.rpc = again;
	mock_close(m.stream);
	ck_assert_ptr_nonnull(m.stream = mock_accept(m.lstream, 5.0));
	krpc_buf_free(&req);
	mock_stop(&m);
}
END_TEST

/* Tick holding (PROTOCOL.md 12.17): one downstream holder; its release or exit releases upstream. */
START_TEST(test_mock_tick)
{
	struct mock m;
	th_client_t *a, *b;
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	char *e, *svc, *name;

	mock_start(&m, "tick", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "holder", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "other", false));
	th_request_add(&req, "KRPC", "HoldTick", 0);
	ck_assert_int_eq(th_send_request(a, &req), 0);
	mock_expect_plain(&m, "HoldTick");
	r = th_recv_response(a, 5.0);
	ck_assert(r != NULL && r->error == NULL && r->results[0]->error == NULL);
	krpc__schema__response__free_unpacked(r, NULL);
	/* another client is refused by the proxy itself */
	e = th_call_error(b, &svc, &name, "KRPC", "HoldTick", 0);
	ck_assert_str_eq(e, "Another client is holding the tick");
	ck_assert_str_eq(svc, "KRPC");
	ck_assert_str_eq(name, "InvalidOperationException");
	free(e);
	free(svc);
	free(name);
	/* a non-holder's release does nothing */
	ck_assert_ptr_null(th_call_error(b, NULL, NULL, "KRPC", "ReleaseTick", 0));
	ck_assert(mock_quiet(m.rpc, 0.2));
	/* the holder's release goes upstream */
	krpc_buf_reset(&req);
	th_request_add(&req, "KRPC", "ReleaseTick", 0);
	ck_assert_int_eq(th_send_request(a, &req), 0);
	mock_expect_plain(&m, "ReleaseTick");
	krpc__schema__response__free_unpacked(th_recv_response(a, 5.0), NULL);
	/* hold again, then leave: the proxy releases on the holder's behalf */
	krpc_buf_reset(&req);
	th_request_add(&req, "KRPC", "HoldTick", 0);
	ck_assert_int_eq(th_send_request(b, &req), 0);
	mock_expect_plain(&m, "HoldTick");
	krpc__schema__response__free_unpacked(th_recv_response(b, 5.0), NULL);
	th_client_close(b);
	mock_expect_plain(&m, "ReleaseTick");
	krpc_buf_free(&req);
	th_client_close(a);
	mock_stop(&m);
}
END_TEST

/* ---- upstream loss ------------------------------------------------------------ */

/* Reads one response and asserts it is the request-level loss error. */
static void
expect_lost(th_client_t *c)
{
	Krpc__Schema__Response *r = th_recv_response(c, 5.0);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_msg(strncmp(r->error->description, LOST, strlen(LOST)) == 0, "%s",
	    r->error->description);
	ck_assert_uint_eq(r->n_results, 0);
	krpc__schema__response__free_unpacked(r, NULL);
}

/*
 * The server goes away with requests in flight on the primary, queued on a
 * slow lane still in its handshake, queued behind a client's barrier, and
 * waiting for an AddStream: each fails with the loss error, every client is
 * closed, the lane too, and the proxy connects again.
 */
START_TEST(test_loss_everywhere)
{
	struct mock m;
	th_client_t *a, *b, *c;
	struct mock_conn *lane;
	krpc_value_t *cv = th_proc_call("TestService", "FloatToString", 1, krpc_value_float(4));
	const uint8_t *body;
	size_t len;

	mock_start(&m, "lossall", "upstream = { slow_lanes = 1; retry_min = 0.05; retry_max = 0.1; };\n");
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "lane", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "primary", false));
	ck_assert_ptr_nonnull(c = dt_client(&m.t, "adder", true));
	dt_send(a, "TestService", "BlockingProcedure", 1, krpc_value_sint32(5), NULL);
	dt_send(a, "TestService", "FloatToString", 1, krpc_value_float(7), NULL);
	ck_assert_ptr_nonnull(lane = mock_accept(m.lrpc, 5.0));	/* its handshake is never answered */
	dt_send(b, "TestService", "FloatToString", 1, krpc_value_float(1), NULL);
	dt_send(b, "TestService", "FloatToString", 1, krpc_value_float(2), NULL);
	mock_expect_call(m.rpc, "FloatToString");
	mock_expect_call(m.rpc, "FloatToString");
	dt_send(c, "KRPC", "AddStream", 2, krpc_value_clone(cv), krpc_value_bool(true));
	ck_assert(mock_quiet(m.rpc, 0.2));	/* two Requests in flight: it waits in the queue */
	mock_close(m.rpc);
	m.rpc = NULL;
	expect_lost(a);
	expect_lost(a);
	expect_lost(b);
	expect_lost(b);
	expect_lost(c);
	ck_assert(th_wait_closed(a->rpc, 5.0) && th_wait_closed(b->rpc, 5.0));
	ck_assert(th_wait_closed(c->rpc, 5.0) && th_wait_closed(c->stream, 5.0));
	ck_assert_int_eq(mock_recv(lane, 5.0, &body, &len), 1);	/* its ConnectionRequest */
	ck_assert_int_eq(mock_recv(lane, 5.0, &body, &len), -1);	/* then closed */
	mock_close(lane);
	th_client_close(a);
	th_client_close(b);
	th_client_close(c);
	mock_close(m.stream);
	m.stream = NULL;
	mock_serve_session(&m, "0.7.0");		/* a new session, from the start */
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "after", false));
	th_client_close(a);
	krpc_value_free(cv);
	mock_stop(&m);
}
END_TEST

/* The delays of the "retrying in D s" lines of a log, up to max. */
static int
retry_delays(const char *log, double *d, int max)
{
	const char *p = log;
	int n = 0;

	while (n < max && (p = strstr(p, "; retrying in ")) != NULL) {
		p += strlen("; retrying in ");
		d[n++] = atof(p);
	}
	return n;
}

/*
 * The server closes during the handshake, then refuses connections: the
 * proxy retries with doubling delays (jitter x0.5-1) up to retry_max; a
 * client that arrived meanwhile is served once a session is up.
 */
START_TEST(test_handshake_loss_and_backoff)
{
	struct mock m;
	struct mock_conn *c;
	th_conn_t *waiting;
	Krpc__Schema__ConnectionRequest hello = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	Krpc__Schema__ConnectionResponse *cr;
	const uint8_t *body;
	double d[16], want, end;
	size_t len;
	int i, n;

	mock_listen_pair(&m, "backoff");
	m.t.log_to_stdout = true;
	ck_assert_int_eq(dt_daemon_start(&m.t, "backoff",
	    "upstream = { wait = 20; retry_min = 0.02; retry_max = 0.16; };\n", NULL, false), 0);
	ck_assert_ptr_nonnull(c = mock_accept(m.lrpc, 5.0));
	ck_assert_int_eq(mock_recv(c, 5.0, &body, &len), 1);	/* its ConnectionRequest */
	waiting = th_connect_unix(m.t.rpc);
	hello.client_name = "patient";
	ck_assert_int_eq(th_send_msg(waiting, &hello.base), 0);
	mock_close(c);					/* lost during the handshake */
	close(m.lrpc);					/* then nothing answers */
	unlink(m.t.sim_rpc_path);
	for (end = th_now() + 5.0; (n = retry_delays(th_proc_stdout(m.t.daemon), d, 16)) < 6 &&
	    th_now() < end; th_sleep(0.02))
		;
	ck_assert_int_ge(n, 6);
	for (i = 0; i < n; i++) {
		want = 0.02 * (1 << (i < 4 ? i : 4));
		if (want > 0.16)
			want = 0.16;
		ck_assert_msg(d[i] >= want * 0.5 - 0.006 && d[i] <= want + 0.006,
		    "delay %d is %.3f s, expected %.3f..%.3f", i, d[i], want * 0.5, want);
	}
	m.lrpc = mock_listen(m.t.sim_rpc_path);		/* the server is back */
	mock_serve_session(&m, "0.7.0");
	cr = NULL;
	ck_assert_int_eq(th_recv_frame(waiting, 10.0, &body, &len), 1);
	cr = krpc__schema__connection_response__unpack(NULL, len, body);
	ck_assert_ptr_nonnull(cr);
	ck_assert_int_eq(cr->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK);
	krpc__schema__connection_response__free_unpacked(cr, NULL);
	th_conn_close(waiting);
	mock_stop(&m);
}
END_TEST

static Suite *
mock_suite(void)
{
	Suite *s = suite_create("krpcmuxd against a mock server");
	TCase *tc = tcase_create("mock");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_mock_session);
	tcase_add_test(tc, test_mock_unchanged);
	tcase_add_test(tc, test_mock_pipelined);
	tcase_add_test(tc, test_mock_serial);
	tcase_add_test(tc, test_mock_addstream_once);
	tcase_add_test(tc, test_mock_loss);
	tcase_add_test(tc, test_mock_tick);
	tcase_add_test(tc, test_loss_everywhere);
	tcase_add_test(tc, test_handshake_loss_and_backoff);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(mock_suite());
}
