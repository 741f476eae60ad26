/*
 * krpcmuxd integration tests, part 1: handshakes exactly as the server does
 * them, calls answered by the proxy per client, pipelined and multi-call
 * requests, malformed clients, and the listener lifecycle (stale sockets,
 * live servers, SIGTERM, TCP) against real krpcmuxd processes in front of
 * krpc-sim or kRPC's TestServer (daemontest.h).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemontest.h"

#define WRONG_RPC "Connection request was for the stream server, but this is the rpc server. " \
	"Did you connect to the wrong port number or socket path?"
#define WRONG_STREAM "Connection request was for the rpc server, but this is the stream server. " \
	"Did you connect to the wrong port number or socket path?"
#define TIMEOUT_TEXT "Connection request message not received after waiting 3 seconds"
#define NO_STREAM "No stream client is connected for this RPC client"

static struct dt d;
static struct dt server;	/* the lifecycle tests' server (no daemon) */

static void
setup(void)
{
	ck_assert_int_eq(dt_start(&d, "basic"), 0);
}

static void
teardown(void)
{
	dt_stop(&d);
}

static void
setup_server(void)
{
	memset(&server, 0, sizeof server);
	ck_assert_int_eq(dt_sim_start(&server, "life", false), 0);
}

static void
teardown_server(void)
{
	dt_sim_stop(&server);
}

/* A fresh test state in front of the lifecycle tests' server. */
static void
own_daemon(struct dt *t)
{
	*t = server;
	t->sim = NULL;
	t->direct = NULL;
}

/* ---- handshakes -------------------------------------------------------- */

/* Each client gets its own 16-byte id and name, answered by the proxy. */
START_TEST(test_client_ids)
{
	th_client_t *a = dt_client(&d, "alpha", true), *b = dt_client(&d, "", false);
	krpc_value_t *v;
	const uint8_t *p;
	size_t len;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert(memcmp(a->id, b->id, 16) != 0);
	v = th_call_value(a, "bytes", "KRPC", "GetClientID", 0);
	ck_assert_ptr_nonnull(v);
	p = krpc_value_data(v, &len);
	ck_assert_uint_eq(len, 16);
	ck_assert(memcmp(p, a->id, 16) == 0);
	krpc_value_free(v);
	v = th_call_value(b, "bytes", "KRPC", "GetClientID", 0);
	p = krpc_value_data(v, &len);
	ck_assert(len == 16 && memcmp(p, b->id, 16) == 0);
	krpc_value_free(v);
	v = th_call_value(a, "string", "KRPC", "GetClientName", 0);
	ck_assert_str_eq(krpc_value_str(v, NULL), "alpha");
	krpc_value_free(v);
	v = th_call_value(b, "string", "KRPC", "GetClientName", 0);
	ck_assert_str_eq(krpc_value_str(v, NULL), "");
	krpc_value_free(v);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* Who answers a handshake: the proxy, then the server itself; both must answer alike. */
static const char *const who[2] = { "krpcmuxd", "the server" };

/* Checks a refused handshake on the proxy (direct: on the server): status, exact message, close. */
static void
expect_refusal(bool direct, bool stream, int type, const uint8_t *id, size_t idlen, int status,
    const char *message)
{
	th_conn_t *c = dt_connect(&d, direct, stream);
	Krpc__Schema__ConnectionResponse *r;

	ck_assert_ptr_nonnull(c);
	r = th_handshake(c, type, "x", id, idlen, 5.0);
	ck_assert_msg(r != NULL, "%s: no answer", who[direct]);
	ck_assert_msg((int)r->status == status, "%s: status %d", who[direct], r->status);
	ck_assert_msg(strcmp(r->message, message) == 0, "%s: \"%s\"", who[direct], r->message);
	ck_assert_uint_eq(r->client_identifier.len, 0);
	krpc__schema__connection_response__free_unpacked(r, NULL);
	ck_assert_msg(th_wait_closed(c, 5.0), "%s kept the connection", who[direct]);
	th_conn_close(c);
}

START_TEST(test_wrong_type_rpc)
{
	int direct;

	for (direct = 0; direct < 2; direct++)
		expect_refusal(direct, false, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM, NULL, 0,
		    KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__WRONG_TYPE, WRONG_RPC);
}
END_TEST

START_TEST(test_wrong_type_stream)
{
	int direct;

	for (direct = 0; direct < 2; direct++)
		expect_refusal(direct, true, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, NULL, 0,
		    KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__WRONG_TYPE, WRONG_STREAM);
}
END_TEST

START_TEST(test_identifier_length)
{
	static const uint8_t id[5] = { 1, 2, 3, 4, 5 };
	int direct;

	for (direct = 0; direct < 2; direct++)
		expect_refusal(direct, true, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM, id, 5,
		    KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE,
		    "Client identifier must be 16 bytes.");
}
END_TEST

/* A well-formed but unknown identifier: closed without any response. */
START_TEST(test_unknown_identifier)
{
	Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	th_client_t *a;
	th_conn_t *c;
	uint8_t id[16];
	const uint8_t *body;
	size_t len;
	int direct;

	for (direct = 0; direct < 2; direct++) {
		a = direct ? dt_direct(&d, "a", false) : dt_client(&d, "a", false);
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(c = dt_connect(&d, direct, true));
		memcpy(id, a->id, 16);
		id[0] ^= 0xff;
		req.type = KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM;
		req.client_identifier.data = id;
		req.client_identifier.len = 16;
		ck_assert_int_eq(th_send_msg(c, &req.base), 0);
		ck_assert_msg(th_recv_frame(c, 5.0, &body, &len) == -1, "%s answered", who[direct]);
		th_conn_close(c);
		th_client_close(a);
	}
}
END_TEST

/* Not protobuf: MALFORMED_MESSAGE with the parser's complaint. */
START_TEST(test_malformed_request)
{
	Krpc__Schema__ConnectionResponse *r;
	const uint8_t *body;
	size_t len;
	th_conn_t *c;
	int direct;

	for (direct = 0; direct < 2; direct++) {
		ck_assert_ptr_nonnull(c = dt_connect(&d, direct, false));
		ck_assert_int_eq(th_send_frame(c, "\x0a\x05\x01", 3), 0);	/* truncated field */
		ck_assert_msg(th_recv_frame(c, 5.0, &body, &len) == 1, "%s: no answer", who[direct]);
		r = krpc__schema__connection_response__unpack(NULL, len, body);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(r->status == KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE,
		    "%s: status %d", who[direct], r->status);
		ck_assert(strlen(r->message) > 0);
		krpc__schema__connection_response__free_unpacked(r, NULL);
		ck_assert_msg(th_wait_closed(c, 5.0), "%s kept the connection", who[direct]);
		th_conn_close(c);
	}
}
END_TEST

/* Silence, and separately a malformed prefix: TIMEOUT after 3 s, from the proxy as from the server. */
START_TEST(test_handshake_timeout)
{
	Krpc__Schema__ConnectionResponse *r;
	const uint8_t *body;
	double start = th_now();
	th_conn_t *c[4];
	size_t len;
	int i;

	for (i = 0; i < 4; i++) {	/* quiet and bad, on the proxy and on the server at once */
		ck_assert_ptr_nonnull(c[i] = dt_connect(&d, i >= 2, i % 2 == 1));
		if (i % 2 == 1)
			ck_assert_int_eq(th_send_raw(c[i], "\xff\xff\xff\xff\xff\xff", 6), 0);
	}
	for (i = 0; i < 4; i++) {
		ck_assert_msg(th_recv_frame(c[i], 6.0, &body, &len) == 1, "%s: no answer to %s",
		    who[i >= 2], i % 2 ? "a bad prefix" : "silence");
		ck_assert(th_now() - start > 2.5);
		r = krpc__schema__connection_response__unpack(NULL, len, body);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT);
		ck_assert_msg(strcmp(r->message, TIMEOUT_TEXT) == 0, "%s: \"%s\"", who[i >= 2], r->message);
		krpc__schema__connection_response__free_unpacked(r, NULL);
		ck_assert(th_wait_closed(c[i], 5.0));
		th_conn_close(c[i]);
	}
}
END_TEST

/* ---- calls ------------------------------------------------------------- */

/*
 * get_Clients lists the proxy's clients: id, name, address (the socket
 * path).  A client sees its own identifier; the others' are stand-ins, 16
 * bytes each, so that it cannot present them on a stream connection.
 */
START_TEST(test_get_clients)
{
	th_client_t *a = dt_client(&d, "alpha", false), *b = dt_client(&d, "beta", false);
	krpc_value_t *v;
	const krpc_value_t *t;
	bool seen_a = false, seen_b = false;
	const uint8_t *id;
	size_t i, len, n = 0;
	double end;

	v = th_call_value(a, "list(tuple(bytes, string, string))", "KRPC", "get_Clients", 0);
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < krpc_value_count(v); i++) {
		t = krpc_value_item(v, i);
		id = krpc_value_data(krpc_value_item(t, 0), &len);
		ck_assert_uint_eq(len, 16);
		ck_assert_str_eq(krpc_value_str(krpc_value_item(t, 2), NULL), d.rpc);
		ck_assert_msg(memcmp(id, b->id, 16) != 0, "another client's identifier is shown");
		if (memcmp(id, a->id, 16) == 0) {
			ck_assert_str_eq(krpc_value_str(krpc_value_item(t, 1), NULL), "alpha");
			seen_a = true;
		} else if (strcmp(krpc_value_str(krpc_value_item(t, 1), NULL), "beta") == 0)
			seen_b = true;
	}
	ck_assert(seen_a && seen_b);
	krpc_value_free(v);
	th_client_close(b);
	for (end = th_now() + 5; th_now() < end; th_sleep(0.02)) {
		v = th_call_value(a, "list(tuple(bytes, string, string))", "KRPC", "get_Clients", 0);
		ck_assert_ptr_nonnull(v);
		n = 0;
		for (i = 0; i < krpc_value_count(v); i++) {
			id = krpc_value_data(krpc_value_item(krpc_value_item(v, i), 0), &len);
			n += memcmp(id, b->id, 16) == 0;
		}
		krpc_value_free(v);
		if (n == 0)
			break;
	}
	ck_assert_uint_eq(n, 0);
	th_client_close(a);
}
END_TEST

/* Calls by numeric ids are intercepted too (KRPC 1, GetClientID 1, GetClientName 2). */
START_TEST(test_numeric_ids)
{
	th_client_t *a = dt_client(&d, "numeric", false);
	Krpc__Schema__ProcedureCall pc = KRPC__SCHEMA__PROCEDURE_CALL__INIT;
	Krpc__Schema__Response *r;
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;
	size_t len;
	uint32_t proc;

	ck_assert_ptr_nonnull(a);
	for (proc = 1; proc <= 2; proc++) {
		pc.service_id = 1;
		pc.procedure_id = proc;
		krpc_buf_reset(&call);
		krpc_buf_reset(&req);
		len = krpc__schema__procedure_call__get_packed_size(&pc);
		ck_assert(krpc_buf_reserve(&call, len));
		call.len = krpc__schema__procedure_call__pack(&pc, call.data);
		krpc_msg_request_add(&req, call.data, call.len);
		ck_assert_int_eq(th_send_request(a, &req), 0);
		r = th_recv_response(a, 5.0);
		ck_assert_ptr_nonnull(r);
		ck_assert_uint_eq(r->n_results, 1);
		ck_assert_ptr_null(r->results[0]->error);
		if (proc == 1) {
			ck_assert_uint_eq(r->results[0]->value.len, 17);
			ck_assert(memcmp(r->results[0]->value.data + 1, a->id, 16) == 0);
		} else
			ck_assert(memcmp(r->results[0]->value.data, "\x07numeric", 8) == 0);
		krpc__schema__response__free_unpacked(r, NULL);
	}
	krpc_buf_free(&call);
	krpc_buf_free(&req);
	th_client_close(a);
}
END_TEST

/* Fifty requests in one write come back in order. */
START_TEST(test_pipelined)
{
	th_client_t *a = dt_client(&d, "pipeline", false);
	krpc_buf_t req = KRPC_BUF_INIT, all = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	char want[16];
	int i;

	ck_assert_ptr_nonnull(a);
	for (i = 0; i < 50; i++) {
		krpc_buf_reset(&req);
		if (i % 5 == 4)
			th_request_add(&req, "KRPC", "GetClientName", 0);
		else
			th_request_add(&req, "TestService", "Int32ToString", 1, krpc_value_sint32(i));
		krpc_frame_append(&all, req.data, req.len);
	}
	ck_assert(krpc_buf_ok(&all));
	ck_assert_int_eq(th_send_raw(a->rpc, all.data, all.len), 0);
	for (i = 0; i < 50; i++) {
		r = th_recv_response(a, 10.0);
		ck_assert_ptr_nonnull(r);
		ck_assert_ptr_null(r->error);
		ck_assert_uint_eq(r->n_results, 1);
		if (i % 5 == 4)
			ck_assert(memcmp(r->results[0]->value.data, "\x08pipeline", 9) == 0);
		else {
			snprintf(want, sizeof want, "%d", i);
			ck_assert_uint_eq(r->results[0]->value.len, strlen(want) + 1);
			ck_assert(memcmp(r->results[0]->value.data + 1, want, strlen(want)) == 0);
		}
		krpc__schema__response__free_unpacked(r, NULL);
	}
	krpc_buf_free(&req);
	krpc_buf_free(&all);
	th_client_close(a);
}
END_TEST

/* Thousands of requests in one burst: the proxy stops reading at its queue limit, then resumes. */
START_TEST(test_pipeline_backpressure)
{
	enum { N = 3000 };
	th_client_t *a = dt_client(&d, "flood", false);
	krpc_buf_t req = KRPC_BUF_INIT, all = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	char want[16];
	int i, bad = -1;

	ck_assert_ptr_nonnull(a);
	for (i = 0; i < N; i++) {
		krpc_buf_reset(&req);
		th_request_add(&req, "TestService", "Int32ToString", 1, krpc_value_sint32(i));
		krpc_frame_append(&all, req.data, req.len);
	}
	ck_assert(krpc_buf_ok(&all));
	ck_assert_int_eq(th_send_raw(a->rpc, all.data, all.len), 0);
	for (i = 0; i < N && bad < 0; i++) {	/* Check's asserts are slow: one at the end */
		if ((r = th_recv_response(a, 10.0)) == NULL)
			break;
		snprintf(want, sizeof want, "%d", i);
		if (r->n_results != 1 || r->results[0]->value.len != strlen(want) + 1 ||
		    memcmp(r->results[0]->value.data + 1, want, strlen(want)) != 0)
			bad = i;
		krpc__schema__response__free_unpacked(r, NULL);
	}
	ck_assert_msg(bad < 0 && i == N, "response %d of %d wrong or missing", bad < 0 ? i : bad, N);
	krpc_buf_free(&req);
	krpc_buf_free(&all);
	th_client_close(a);
}
END_TEST

/* One request mixing forwarded and intercepted calls: results merged in order. */
START_TEST(test_multicall_mixed)
{
	th_client_t *a = dt_client(&d, "mixed", true);
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	uint64_t sid;

	ck_assert_ptr_nonnull(a);
	th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float(2.5f));
	th_request_add(&req, "KRPC", "GetClientID", 0);
	th_request_add(&req, "TestService", "Int32ToString", 1, krpc_value_sint32(42));
	th_request_add(&req, "KRPC", "AddStream", 2,
	    th_proc_call("TestService", "Int32ToString", 1, krpc_value_sint32(7)), krpc_value_bool(true));
	th_request_add(&req, "TestService", "ThrowArgumentException", 0);
	th_request_add(&req, "KRPC", "GetClientName", 0);
	th_request_add(&req, "TestService", "BoolToString", 1, krpc_value_bool(true));
	ck_assert_int_eq(th_send_request(a, &req), 0);
	r = th_recv_response(a, 10.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 7);
	ck_assert(memcmp(r->results[0]->value.data, "\x03" "2.5", 4) == 0);
	ck_assert(r->results[1]->value.len == 17 && memcmp(r->results[1]->value.data + 1, a->id, 16) == 0);
	ck_assert(memcmp(r->results[2]->value.data, "\x02" "42", 3) == 0);
	ck_assert_ptr_null(r->results[3]->error);
	ck_assert_ptr_nonnull(r->results[4]->error);
	ck_assert_str_eq(r->results[4]->error->description, "Invalid argument");
	ck_assert_str_eq(r->results[4]->error->name, "ArgumentException");
	ck_assert(memcmp(r->results[5]->value.data, "\x05mixed", 6) == 0);
	ck_assert(memcmp(r->results[6]->value.data, "\x04True", 5) == 0);
	{
		Krpc__Schema__Stream *s = krpc__schema__stream__unpack(NULL, r->results[3]->value.len,
		    r->results[3]->value.data);

		ck_assert_ptr_nonnull(s);
		sid = s->id;
		krpc__schema__stream__free_unpacked(s, NULL);
	}
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_value_free(th_wait_stream(a, sid, "string", 5.0, NULL, 0));
	ck_assert(dt_remove_stream(a, sid));
	krpc_buf_free(&req);
	th_client_close(a);
}
END_TEST

/* A request-level error in a forwarded part fails the whole request, and the connection goes on. */
START_TEST(test_multicall_request_error)
{
	th_client_t *a = dt_client(&d, "reqerr", false);
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	krpc_value_t *v;

	ck_assert_ptr_nonnull(a);
	th_request_add(&req, "KRPC", "GetClientID", 0);
	th_request_add(&req, "TestService", "EchoTestObject", 1, krpc_value_object(1000000));
	ck_assert_int_eq(th_send_request(a, &req), 0);
	r = th_recv_response(a, 10.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_str_eq(r->error->description, "Instance not found");
	ck_assert_str_eq(r->error->service, "KRPC");
	ck_assert_str_eq(r->error->name, "ArgumentException");
	ck_assert_uint_eq(r->n_results, 0);
	krpc__schema__response__free_unpacked(r, NULL);
	v = th_call_value(a, "string", "TestService", "Int32ToString", 1, krpc_value_sint32(5));
	ck_assert_str_eq(krpc_value_str(v, NULL), "5");
	krpc_value_free(v);
	krpc_buf_free(&req);
	th_client_close(a);
}
END_TEST

/* Unknown names get the server's own words; an empty request an empty response. */
START_TEST(test_passthrough_errors)
{
	th_client_t *a = dt_client(&d, "errors", false);
	krpc_buf_t empty = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	char *e;

	ck_assert_ptr_nonnull(a);
	e = th_call_error(a, NULL, NULL, "NoSuchService", "Foo", 0);
	ck_assert_str_eq(e, "Service \"NoSuchService\" not found");
	free(e);
	e = th_call_error(a, NULL, NULL, "TestService", "NoSuchProcedure", 0);
	ck_assert_str_eq(e, "Procedure \"NoSuchProcedure\" not found, in service \"TestService\"");
	free(e);
	krpc_buf_byte(&empty, 0);
	empty.len = 0;
	ck_assert_int_eq(th_send_request(a, &empty), 0);
	r = th_recv_response(a, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 0);
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_buf_free(&empty);
	th_client_close(a);
}
END_TEST

/* Without a stream connection the stream procedures fail as on the server. */
START_TEST(test_no_stream_connection)
{
	th_client_t *a = dt_client(&d, "nostream", false);
	char *e, *svc, *name;

	ck_assert_ptr_nonnull(a);
	e = th_call_error(a, &svc, &name, "KRPC", "AddStream", 2,
	    th_proc_call("KRPC", "GetStatus", 0), krpc_value_bool(true));
	ck_assert_str_eq(e, NO_STREAM);
	ck_assert_str_eq(svc, "KRPC");
	ck_assert_str_eq(name, "InvalidOperationException");
	free(e);
	free(svc);
	free(name);
	e = th_call_error(a, NULL, NULL, "KRPC", "StartStream", 1, krpc_value_uint64(0));
	ck_assert_str_eq(e, NO_STREAM);
	free(e);
	e = th_call_error(a, NULL, NULL, "TestService", "OnTimer", 1, krpc_value_uint32(100));
	ck_assert_str_eq(e, NO_STREAM);
	free(e);
	th_client_close(a);
}
END_TEST

/*
 * Garbage from one client drops that client only.  The third client's
 * request is well-formed down to its call, which names a plain forwarded
 * procedure, but its Argument is not valid protobuf (a truncated varint):
 * the server would close the shared upstream connection for it, so it must
 * never be forwarded.
 */
START_TEST(test_malformed_client)
{
	static const uint8_t bad_arg[] = "\x0a\x20" "\x0a\x0bTestService" "\x12\x0dInt32ToString"
	    "\x1a\x02\x08\x80";
	th_client_t *bad = dt_client(&d, "bad", true), *bad2 = dt_client(&d, "bad2", false);
	th_client_t *bad3 = dt_client(&d, "bad3", false);
	th_client_t *good = dt_client(&d, "good", true);
	krpc_value_t *v;
	uint64_t sid;

	ck_assert(bad && bad2 && bad3 && good);
	sid = dt_add_tick(good, true);
	ck_assert(sid != UINT64_MAX);
	ck_assert_int_eq(th_send_frame(bad->rpc, "\x0a\x07\x0a\x05", 4), 0);	/* not a Request */
	ck_assert(th_wait_closed(bad->rpc, 5.0));
	ck_assert_int_eq(th_send_raw(bad2->rpc, "\xff\xff\xff\xff\xff\xff", 6), 0);	/* bad prefix */
	ck_assert(th_wait_closed(bad2->rpc, 5.0));
	ck_assert_int_eq(th_send_frame(bad3->rpc, bad_arg, sizeof bad_arg - 1), 0);
	ck_assert(th_wait_closed(bad3->rpc, 5.0));
	ck_assert(dt_flowing(good, sid, 6, 5.0));
	v = th_call_value(good, "string", "TestService", "Int32ToString", 1, krpc_value_sint32(9));
	ck_assert_str_eq(krpc_value_str(v, NULL), "9");
	krpc_value_free(v);
	th_client_close(bad);
	th_client_close(bad2);
	th_client_close(bad3);
	th_client_close(good);
}
END_TEST

/* ---- lifecycle (own processes) ---------------------------------------- */

/* Runs krpcmuxd -t with arguments; returns its exit status and first stderr line. */
static int
run_check(const char *const *args, char *line, size_t linelen)
{
	const char *argv[24];
	int pipefd[2], status, n = 0, i;
	pid_t pid;
	ssize_t got;

	argv[n++] = th_bin("daemon/krpcmuxd");
	argv[n++] = "-t";
	for (i = 0; args[i] != NULL && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	ck_assert_int_eq(pipe(pipefd), 0);
	if ((pid = fork()) == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	got = read(pipefd[0], line, linelen - 1);
	line[got > 0 ? got : 0] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Writes a configuration file. */
static const char *
write_conf(const char *name, const char *text)
{
	static char slots[8][256];	/* th_tmp's slots rotate too fast for this test */
	static int next;
	char *path = slots[next++ % 8];
	FILE *f;

	snprintf(path, sizeof slots[0], "%s", th_tmp(name));
	f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* -t: exit 0 with one line, or 1 with one line naming the option. */
START_TEST(test_config_check)
{
	char line[1024];
	const char *good = write_conf("good.conf", "upstream = { rpc_port = 1234; wait = 2.5; };\n"
	    "listen = { rpc_path = \"/tmp/x-rpc\"; stream_path = \"/tmp/x-stream\"; };\n");
	const char *badtype = write_conf("badtype.conf", "upstream = { rpc_port = \"many\"; };\n");
	const char *unknown = write_conf("unknown.conf", "\n\nlisten = { rpc_pth = \"/tmp/a\"; };\n");
	const char *syntax = write_conf("syntax.conf", "upstream = { rpc_port = 5 \n");
	const char *range = write_conf("range.conf", "limits = { max_clients = 0; };\n");
	const char *a1[] = { "-c", good, NULL };
	const char *a2[] = { "-c", badtype, NULL };
	const char *a3[] = { "-c", unknown, NULL };
	const char *a4[] = { "-c", syntax, NULL };
	const char *a5[] = { "-c", range, NULL };
	const char *a6[] = { "-c", good, "--rpc-port", "70000", NULL };
	const char *a7[] = { "-c", good, "--log-level", "chatty", NULL };
	const char *a8[] = { "-c", "/nonexistent/missing.conf", NULL };
	const char *a9[] = { "-c", good, "--upstream-rpc-path", "/tmp/x-rpc", "--upstream-stream-path",
	    "/tmp/y", NULL };
	const char *a10[] = { "-c", good, "--bogus", NULL };

	ck_assert_int_eq(run_check(a1, line, sizeof line), 0);
	ck_assert_ptr_nonnull(strstr(line, "is valid"));
	ck_assert_int_eq(run_check(a2, line, sizeof line), 1);
	ck_assert_ptr_nonnull(strstr(line, "badtype.conf:1: upstream.rpc_port: must be an integer"));
	ck_assert_int_eq(run_check(a3, line, sizeof line), 1);
	ck_assert_ptr_nonnull(strstr(line, "unknown.conf:3: listen.rpc_pth: unknown option"));
	ck_assert_int_eq(run_check(a4, line, sizeof line), 1);
	ck_assert_ptr_nonnull(strstr(line, "syntax error"));
	ck_assert_int_eq(run_check(a5, line, sizeof line), 1);
	ck_assert_ptr_nonnull(strstr(line, "limits.max_clients: must be between 1 and"));
	ck_assert_int_eq(run_check(a6, line, sizeof line), 1);
	ck_assert_str_eq(line, "krpcmuxd: --rpc-port: must be between 0 and 65535\n");
	ck_assert_int_eq(run_check(a7, line, sizeof line), 1);
	ck_assert_ptr_nonnull(strstr(line, "--log-level: \"chatty\" is not one of"));
	ck_assert_int_eq(run_check(a8, line, sizeof line), 1);
	ck_assert_ptr_nonnull(strstr(line, "missing.conf: cannot read the file"));
	ck_assert_int_eq(run_check(a9, line, sizeof line), 1);
	ck_assert_ptr_nonnull(strstr(line, "must not listen on the server's own socket path"));
	ck_assert_int_eq(run_check(a10, line, sizeof line), 1);
	ck_assert_ptr_nonnull(strstr(line, "--bogus: unknown option"));
	/* each answer is one line */
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
}
END_TEST

/* SIGTERM: exit 0 and the socket files are gone. */
START_TEST(test_sigterm_removes_sockets)
{
	struct dt t;
	struct stat st;
	int status;

	own_daemon(&t);
	ck_assert_int_eq(dt_daemon_start(&t, "term", NULL, NULL, true), 0);
	ck_assert_int_eq(stat(t.rpc, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	th_proc_signal(t.daemon, SIGTERM);
	status = th_proc_wait(t.daemon, 10.0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_ne(stat(t.rpc, &st), 0);
	ck_assert_int_ne(stat(t.stream, &st), 0);
	ck_assert_int_ne(stat(t.admin, &st), 0);
	dt_daemon_stop(&t);
}
END_TEST

/* Binds a Unix socket at path and closes it without unlinking: a stale file. */
static int
unix_listen(const char *path, bool keep)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	if (!keep) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A stale socket file is replaced; a live server or a file with content is refused. */
START_TEST(test_stale_and_live_sockets)
{
	struct dt t;
	th_client_t *c;
	FILE *f;
	int fd, status;

	own_daemon(&t);
	unix_listen(th_tmp("stale-rpc"), false);
	unix_listen(th_tmp("stale-stream"), false);
	ck_assert_int_eq(dt_daemon_start(&t, "stale", NULL, NULL, true), 0);
	c = dt_client(&t, "after-stale", true);
	ck_assert_ptr_nonnull(c);
	th_client_close(c);
	dt_daemon_stop(&t);

	fd = unix_listen(th_tmp("live-rpc"), true);
	ck_assert_int_ne(dt_daemon_start(&t, "live", NULL, NULL, true), 0);
	close(fd);
	unlink(th_tmp("live-rpc"));

	f = fopen(th_tmp("file-rpc"), "w");
	fputs("not a socket", f);
	fclose(f);
	t.daemon = NULL;
	{
		const char *argv[] = { th_bin("daemon/krpcmuxd"), "-f", "-c", t.conf,
		    "--rpc-path", th_tmp("file-rpc"), "--stream-path", th_tmp("file-stream"),
		    "--admin-path", "", NULL };
		th_proc_t *p = th_spawn(argv, NULL, 0);

		status = th_proc_wait(p, 10.0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
		th_proc_stop(p);
	}
	dt_daemon_stop(&t);
}
END_TEST

/* TCP listeners: the ready line names them, clients work, get_Clients shows the IP. */
START_TEST(test_tcp_listener)
{
	struct dt t;
	char rpc[16], stream[16], want[64];
	const char *extra[] = { "--rpc-port", rpc, "--stream-port", stream, NULL };
	th_client_t *c;
	krpc_value_t *v;
	const krpc_value_t *item;

	own_daemon(&t);
	snprintf(rpc, sizeof rpc, "%d", th_free_port());
	snprintf(stream, sizeof stream, "%d", th_free_port());
	ck_assert_int_eq(dt_daemon_start(&t, "tcp", NULL, extra, true), 0);
	snprintf(want, sizeof want, "rpc=127.0.0.1:%s stream=127.0.0.1:%s", rpc, stream);
	ck_assert(th_proc_wait_output(t.daemon, want, 5.0));
	c = th_client_tcp(atoi(rpc), atoi(stream), "tcp-client");
	ck_assert_ptr_nonnull(c);
	v = th_call_value(c, "list(tuple(bytes, string, string))", "KRPC", "get_Clients", 0);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(krpc_value_count(v), 1);
	item = krpc_value_item(v, 0);
	ck_assert_str_eq(krpc_value_str(krpc_value_item(item, 1), NULL), "tcp-client");
	ck_assert_str_eq(krpc_value_str(krpc_value_item(item, 2), NULL), "127.0.0.1");
	krpc_value_free(v);
	th_client_close(c);
	dt_daemon_stop(&t);
}
END_TEST

static Suite *
basic_suite(void)
{
	Suite *s = suite_create("krpcmuxd basics");
	TCase *tc = tcase_create("handshakes and calls");
	TCase *life = tcase_create("lifecycle");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_client_ids);
	tcase_add_test(tc, test_wrong_type_rpc);
	tcase_add_test(tc, test_wrong_type_stream);
	tcase_add_test(tc, test_identifier_length);
	tcase_add_test(tc, test_unknown_identifier);
	tcase_add_test(tc, test_malformed_request);
	tcase_add_test(tc, test_handshake_timeout);
	tcase_add_test(tc, test_get_clients);
	tcase_add_test(tc, test_numeric_ids);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_pipeline_backpressure);
	tcase_add_test(tc, test_multicall_mixed);
	tcase_add_test(tc, test_multicall_request_error);
	tcase_add_test(tc, test_passthrough_errors);
	tcase_add_test(tc, test_no_stream_connection);
	tcase_add_test(tc, test_malformed_client);
	suite_add_tcase(s, tc);

	tcase_add_unchecked_fixture(life, setup_server, teardown_server);
	tcase_set_timeout(life, 40);
	tcase_add_test(life, test_config_check);
	tcase_add_test(life, test_sigterm_removes_sockets);
	tcase_add_test(life, test_stale_and_live_sockets);
	tcase_add_test(life, test_tcp_listener);
	suite_add_tcase(s, life);
	return s;
}

int
main(void)
{
	return dt_run(basic_suite());
}
