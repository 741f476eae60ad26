/*
 * krpc-sim protocol and core behaviour over real sockets: handshakes, calls
 * and errors, pipelining, multi-call requests, yielding calls, the object
 * store, Unix socket listeners, the command line and GetServices.  Streams,
 * events and counters are in test_sim_stream.c.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simtest.h"

#define WRONG_RPC "Connection request was for the stream server, but this is the rpc server. " \
	"Did you connect to the wrong port number or socket path?"
#define WRONG_STREAM "Connection request was for the rpc server, but this is the stream server. " \
	"Did you connect to the wrong port number or socket path?"
#define TIMEOUT_TEXT "Connection request message not received after waiting 3 seconds"

static struct simtest sim;	/* started once, in the parent, before the tests fork */

/* A client on the shared server, asserted. */
static th_client_t *
client(const char *name, bool stream)
{
	th_client_t *c = simtest_client(&sim, name, stream);

	ck_assert_msg(c != NULL, "cannot connect to krpc-sim");
	return c;
}

/* Asserts a call fails with exactly that error. */
static void
assert_error(th_client_t *c, const char *esvc, const char *ename, const char *text,
    const char *svc, const char *proc, size_t nargs, krpc_value_t *arg)
{
	char *service = NULL, *name = NULL, *desc;

	desc = nargs ? th_call_error(c, &service, &name, svc, proc, 1, arg) :
	    th_call_error(c, &service, &name, svc, proc, 0);
	ck_assert_msg(desc != NULL, "%s.%s did not fail", svc, proc);
	ck_assert_str_eq(desc, text);
	ck_assert_str_eq(service, esvc);
	ck_assert_str_eq(name, ename);
	free(desc);
	free(service);
	free(name);
}

/* The string a call returns (asserted); caller frees. */
static char *
call_str(th_client_t *c, const char *svc, const char *proc, krpc_value_t *arg)
{
	krpc_value_t *v = arg ? th_call_value(c, "string", svc, proc, 1, arg) :
	    th_call_value(c, "string", svc, proc, 0);
	char *s;

	ck_assert_msg(v != NULL, "%s.%s failed", svc, proc);
	s = strdup(krpc_value_str(v, NULL));
	krpc_value_free(v);
	return s;
}

/* ---- handshakes ------------------------------------------------------ */

START_TEST(test_handshake_ok)
{
	th_client_t *c = client("hs-ok", true);
	krpc_value_t *v = th_call_value(c, "bytes", "KRPC", "GetClientID", 0);
	const uint8_t *id;
	size_t len;
	char *name;

	ck_assert_ptr_nonnull(v);
	id = krpc_value_data(v, &len);
	ck_assert_uint_eq(len, 16);
	ck_assert_mem_eq(id, c->id, 16);
	krpc_value_free(v);
	name = call_str(c, "KRPC", "GetClientName", NULL);
	ck_assert_str_eq(name, "hs-ok");
	free(name);
	th_client_close(c);
}
END_TEST

START_TEST(test_handshake_wrong_type)
{
	th_conn_t *rpc = th_connect_tcp(sim.rpc_port), *stream;
	Krpc__Schema__ConnectionResponse *r;

	r = th_handshake(rpc, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM, "x", NULL, 0, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__WRONG_TYPE);
	ck_assert_str_eq(r->message, WRONG_RPC);
	krpc__schema__connection_response__free_unpacked(r, NULL);
	ck_assert(th_wait_closed(rpc, 2.0));
	/* opened only now: one opened at the start could reach the 3 s handshake timeout on a busy machine */
	stream = th_connect_tcp(sim.stream_port);
	r = th_handshake(stream, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, "x", NULL, 0, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__WRONG_TYPE);
	ck_assert_str_eq(r->message, WRONG_STREAM);
	krpc__schema__connection_response__free_unpacked(r, NULL);
	ck_assert(th_wait_closed(stream, 2.0));
	th_conn_close(rpc);
	th_conn_close(stream);
}
END_TEST

START_TEST(test_handshake_identifier)
{
	th_client_t *c = client("hs-id", false);
	th_conn_t *s = th_connect_tcp(sim.stream_port);
	Krpc__Schema__ConnectionResponse *r;
	uint8_t unknown[16];
	const uint8_t *body;
	size_t len;

	/* wrong length: MALFORMED_MESSAGE with the exact text */
	r = th_handshake(s, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM, NULL, c->id, 15, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE);
	ck_assert_str_eq(r->message, "Client identifier must be 16 bytes.");
	krpc__schema__connection_response__free_unpacked(r, NULL);
	th_conn_close(s);
	/* 16 bytes nobody owns: closed without a response */
	memcpy(unknown, c->id, 16);
	unknown[0] ^= 0xff;
	s = th_connect_tcp(sim.stream_port);
	ck_assert_ptr_null(th_handshake(s, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM, NULL,
	    unknown, 16, 3.0));
	ck_assert_int_eq(th_recv_frame(s, 0.5, &body, &len), -1);
	th_conn_close(s);
	th_client_close(c);
}
END_TEST

START_TEST(test_handshake_malformed)
{
	static const uint8_t truncated[] = { 0x03, 0x12, 0x05, 'a' };	/* a string cut short */
	th_conn_t *c = th_connect_tcp(sim.rpc_port);
	Krpc__Schema__ConnectionResponse *r;
	const uint8_t *body;
	size_t len;

	ck_assert_int_eq(th_send_raw(c, truncated, sizeof truncated), 0);
	ck_assert_int_eq(th_recv_frame(c, 5.0, &body, &len), 1);
	r = krpc__schema__connection_response__unpack(NULL, len, body);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE);
	ck_assert(strstr(r->message, "ended unexpectedly") != NULL);
	krpc__schema__connection_response__free_unpacked(r, NULL);
	ck_assert(th_wait_closed(c, 2.0));
	th_conn_close(c);
}
END_TEST

/* Expects the TIMEOUT response about 3 s after connecting. */
static void
expect_timeout(th_conn_t *c, double start)
{
	Krpc__Schema__ConnectionResponse *r;
	const uint8_t *body;
	size_t len;

	ck_assert_int_eq(th_recv_frame(c, 6.0, &body, &len), 1);
	ck_assert(th_now() - start >= 2.9);
	r = krpc__schema__connection_response__unpack(NULL, len, body);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT);
	ck_assert_str_eq(r->message, TIMEOUT_TEXT);
	krpc__schema__connection_response__free_unpacked(r, NULL);
	ck_assert(th_wait_closed(c, 2.0));
}

START_TEST(test_handshake_timeout)
{
	static const uint8_t bad_prefix[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	double start = th_now();
	th_conn_t *silent = th_connect_tcp(sim.rpc_port), *bad = th_connect_tcp(sim.stream_port);

	ck_assert_int_eq(th_send_raw(bad, bad_prefix, sizeof bad_prefix), 0);
	expect_timeout(silent, start);	/* silence counts */
	expect_timeout(bad, start);	/* so does a malformed prefix */
	th_conn_close(silent);
	th_conn_close(bad);
}
END_TEST

START_TEST(test_handshake_discards_trailing)
{
	Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	th_client_t c = { NULL, NULL, { 0 } };
	krpc_buf_t b = KRPC_BUF_INIT, call = KRPC_BUF_INIT;
	Krpc__Schema__ConnectionResponse *r;
	const uint8_t *body;
	size_t len;
	char *name;

	c.rpc = th_connect_tcp(sim.rpc_port);
	req.client_name = (char *)"eager";
	krpc_frame_pack(&b, &req.base);
	th_request_add(&call, "KRPC", "GetClientName", 0);
	krpc_frame_append(&b, call.data, call.len);	/* a request before the response: lost */
	ck_assert_int_eq(th_send_raw(c.rpc, b.data, b.len), 0);
	ck_assert_int_eq(th_recv_frame(c.rpc, 5.0, &body, &len), 1);
	r = krpc__schema__connection_response__unpack(NULL, len, body);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK);
	krpc__schema__connection_response__free_unpacked(r, NULL);
	ck_assert_int_eq(th_recv_frame(c.rpc, 0.3, &body, &len), 0);
	name = call_str(&c, "KRPC", "GetClientName", NULL);
	ck_assert_str_eq(name, "eager");
	free(name);
	krpc_buf_free(&b);
	krpc_buf_free(&call);
	th_conn_close(c.rpc);
}
END_TEST

/* ---- calls and errors ------------------------------------------------ */

START_TEST(test_call_ids)
{
	th_client_t *c = client("by-id", false);
	Krpc__Schema__Response *r;

	r = simtest_call_ids(c, 1, 2);	/* KRPC.GetClientName */
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->n_results, 1);
	ck_assert_ptr_null(r->results[0]->error);
	ck_assert_uint_eq(r->results[0]->value.len, 6);
	ck_assert_mem_eq(r->results[0]->value.data, "\x05" "by-id", 6);
	krpc__schema__response__free_unpacked(r, NULL);
	r = simtest_call_ids(c, 77, 1);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->results[0]->error->description, "Service with id 77 not found");
	krpc__schema__response__free_unpacked(r, NULL);
	r = simtest_call_ids(c, 9999, 999);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->results[0]->error->description, "Procedure with id 999 not found");
	krpc__schema__response__free_unpacked(r, NULL);
	th_client_close(c);
}
END_TEST

START_TEST(test_call_errors)
{
	th_client_t *c = client("errors", false);

	assert_error(c, "", "", "Service \"Nope\" not found", "Nope", "GetStatus", 0, NULL);
	assert_error(c, "", "", "Procedure \"Nope\" not found, in service \"KRPC\"", "KRPC", "Nope",
	    0, NULL);
	assert_error(c, "", "", "Argument not specified for parameter value in "
	    "TestService.FloatToString", "TestService", "FloatToString", 0, NULL);
	assert_error(c, "", "", "Incorrect argument type for parameter value in "
	    "TestService.NotNullableObject. Expected an argument of type "
	    "TestServer.TestService+TestClass, got null", "TestService", "NotNullableObject", 1,
	    krpc_value_null(KRPC_TYPE_CLASS));
	assert_error(c, "", "", "Incorrect value returned by TestService.ReturnNullWhenNotAllowed. "
	    "Expected a non-null value of type TestServer.TestService+TestClass, got null, but the "
	    "procedure is not marked as nullable.", "TestService", "ReturnNullWhenNotAllowed", 0, NULL);
	assert_error(c, "KRPC", "InvalidOperationException",
	    "Changing the game scene is not supported by this server", "KRPC", "set_GameScene", 1,
	    krpc_value_enum(0));
	assert_error(c, "TestService", "CustomException", "A custom kRPC exception", "TestService",
	    "ThrowCustomException", 0, NULL);
	th_client_close(c);
}
END_TEST

START_TEST(test_call_defaults)
{
	th_client_t *c = client("defaults", false);
	char *s;

	s = call_str(c, "TestService", "OptionalArguments", krpc_value_string("jeb"));
	ck_assert_str_eq(s, "jebfoobarnull");
	free(s);
	s = call_str(c, "TestService", "Int32ToString", krpc_value_sint32(-42));
	ck_assert_str_eq(s, "-42");
	free(s);
	th_client_close(c);
}
END_TEST

START_TEST(test_multi_call)
{
	th_client_t *c = client("multi", false);
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;

	th_request_add(&req, "KRPC", "GetClientName", 0);
	th_request_add(&req, "KRPC", "NoSuchThing", 0);
	th_request_add(&req, "TestService", "Int32ToString", 1, krpc_value_sint32(42));
	ck_assert_int_eq(th_send_request(c, &req), 0);
	r = th_recv_response(c, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 3);
	ck_assert_ptr_null(r->results[0]->error);
	ck_assert_mem_eq(r->results[0]->value.data, "\x05multi", 6);
	ck_assert_ptr_nonnull(r->results[1]->error);
	ck_assert_str_eq(r->results[1]->error->description,
	    "Procedure \"NoSuchThing\" not found, in service \"KRPC\"");
	ck_assert_ptr_null(r->results[2]->error);
	ck_assert_mem_eq(r->results[2]->value.data, "\x02" "42", 3);
	krpc__schema__response__free_unpacked(r, NULL);
	/* a call that yields holds back the rest of its request, which then completes */
	krpc_buf_reset(&req);
	th_request_add(&req, "KRPC", "GetClientName", 0);
	th_request_add(&req, "TestService", "BlockingProcedure", 1, krpc_value_sint32(5));
	th_request_add(&req, "TestService", "Int32ToString", 1, krpc_value_sint32(7));
	ck_assert_int_eq(th_send_request(c, &req), 0);
	r = th_recv_response(c, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->n_results, 3);
	ck_assert_mem_eq(r->results[0]->value.data, "\x05multi", 6);
	ck_assert_mem_eq(r->results[1]->value.data, "\x1e", 1);	/* 15 */
	ck_assert_mem_eq(r->results[2]->value.data, "\x01" "7", 2);
	krpc__schema__response__free_unpacked(r, NULL);
	/* an empty request gets an empty response */
	krpc_buf_reset(&req);
	ck_assert_int_eq(th_send_frame(c->rpc, "", 0), 0);
	r = th_recv_response(c, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 0);
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_buf_free(&req);
	th_client_close(c);
}
END_TEST

/*
 * An argument that does not decode fails its whole request, with a trace
 * ending in RPCStream.Read as the real server's does (it decodes a request
 * when it reads it): krpcmuxd tells a batch that failed to decode by that
 * frame, and sends its parts again one by one.
 */
START_TEST(test_bad_argument_trace)
{
	static const uint8_t cut[] = { 0x80 };	/* a varint cut short */
	th_client_t *c = client("badarg", false);
	krpc_msg_arg_t arg = { 0, cut, sizeof cut, false };
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	const char *trace;

	krpc_msg_call(&call, "TestService", "Int32ToString", &arg, 1);
	krpc_msg_request_add(&req, call.data, call.len);
	th_request_add(&req, "TestService", "Int32ToString", 1, krpc_value_sint32(7));
	ck_assert_int_eq(th_send_request(c, &req), 0);
	r = th_recv_response(c, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_uint_eq(r->n_results, 0);
	ck_assert(strstr(r->error->description, "ended unexpectedly") != NULL);
	trace = strrchr(r->error->stack_trace, '\n');
	ck_assert_ptr_nonnull(trace);
	ck_assert(strncmp(trace, "\n  at KRPC.Server.ProtocolBuffers.RPCStream.Read (", 50) == 0);
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
	th_client_close(c);
}
END_TEST

START_TEST(test_pipelining)
{
	th_client_t *c = client("pipeline", false);
	krpc_buf_t all = KRPC_BUF_INIT, req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	char want[16];
	int i;

	for (i = 0; i < 30; i++) {
		krpc_buf_reset(&req);
		th_request_add(&req, "TestService", "Int32ToString", 1, krpc_value_sint32(i));
		krpc_frame_append(&all, req.data, req.len);
	}
	ck_assert_int_eq(th_send_raw(c->rpc, all.data, all.len), 0);	/* one write */
	for (i = 0; i < 30; i++) {
		r = th_recv_response(c, 5.0);
		ck_assert_ptr_nonnull(r);
		ck_assert_uint_eq(r->n_results, 1);
		snprintf(want, sizeof want, "%d", i);
		ck_assert_uint_eq(r->results[0]->value.len, strlen(want) + 1);
		ck_assert_mem_eq(r->results[0]->value.data + 1, want, strlen(want));
		krpc__schema__response__free_unpacked(r, NULL);
	}
	krpc_buf_free(&all);
	krpc_buf_free(&req);
	th_client_close(c);
}
END_TEST

START_TEST(test_yield_holds_only_its_connection)
{
	th_client_t *slow = client("slow", false), *fast = client("fast", false);
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	double start;
	char *name;
	int i;

	/* BlockingProcedure(60) answers 60 updates (about 1 s) later; GetClientName
	 * pipelined behind it on the same connection must wait for it */
	th_request_add(&req, "TestService", "BlockingProcedure", 1, krpc_value_sint32(60));
	ck_assert_int_eq(th_send_request(slow, &req), 0);
	krpc_buf_reset(&req);
	th_request_add(&req, "KRPC", "GetClientName", 0);
	ck_assert_int_eq(th_send_request(slow, &req), 0);
	start = th_now();
	for (i = 0; i < 10; i++) {
		name = call_str(fast, "KRPC", "GetClientName", NULL);
		ck_assert_str_eq(name, "fast");
		free(name);
	}
	ck_assert_msg(th_now() - start < 0.9, "the other connection was held back");
	r = th_recv_response(slow, 10.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->results[0]->error);
	ck_assert_mem_eq(r->results[0]->value.data, "\xcc\x1c", 2);	/* 1830 */
	krpc__schema__response__free_unpacked(r, NULL);
	ck_assert(th_now() - start >= 0.5);
	r = th_recv_response(slow, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_mem_eq(r->results[0]->value.data, "\x04slow", 5);
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_buf_free(&req);
	th_client_close(slow);
	th_client_close(fast);
}
END_TEST

START_TEST(test_object_store)
{
	th_client_t *a = client("objects-a", false), *b = client("objects-b", false);
	uint64_t jeb, jeb2, bob;
	Krpc__Schema__Response *r;
	char *s;

	jeb = simtest_object(th_call_value(a, "class(TestService.TestClass)", "TestService",
	    "CreateTestObject", 1, krpc_value_string("store-jeb")));
	jeb2 = simtest_object(th_call_value(b, "class(TestService.TestClass)", "TestService",
	    "CreateTestObject", 1, krpc_value_string("store-jeb")));
	bob = simtest_object(th_call_value(a, "class(TestService.TestClass)", "TestService",
	    "CreateTestObject", 1, krpc_value_string("store-bob")));
	ck_assert_uint_ge(jeb, 1);
	ck_assert_uint_eq(jeb, jeb2);	/* equal objects share an id, for every client */
	ck_assert_uint_ne(jeb, bob);
	s = call_str(b, "TestService", "TestClass_GetValue", krpc_value_object(jeb));
	ck_assert_str_eq(s, "value=store-jeb");
	free(s);
	/* an unknown id is a request-level error, and the connection goes on */
	r = th_call(a, "TestService", "EchoTestObject", 1, krpc_value_object(1000000));
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_uint_eq(r->n_results, 0);
	ck_assert_str_eq(r->error->service, "KRPC");
	ck_assert_str_eq(r->error->name, "ArgumentException");
	ck_assert_str_eq(r->error->description, "Instance not found");
	krpc__schema__response__free_unpacked(r, NULL);
	s = call_str(a, "TestService", "TestClass_GetValue", krpc_value_object(bob));
	ck_assert_str_eq(s, "value=store-bob");
	free(s);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

START_TEST(test_request_level_error_fails_whole_request)
{
	th_client_t *c = client("reqlevel", false);
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;

	th_request_add(&req, "KRPC", "GetClientName", 0);
	th_request_add(&req, "TestService", "TestClass_GetValue", 1, krpc_value_object(999999));
	ck_assert_int_eq(th_send_request(c, &req), 0);
	r = th_recv_response(c, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_str_eq(r->error->description, "Instance not found");
	ck_assert_uint_eq(r->n_results, 0);
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_buf_free(&req);
	th_client_close(c);
}
END_TEST

START_TEST(test_malformed_closes_only_that_connection)
{
	static const uint8_t garbage[] = { 0x04, 0x0a, 0xff, 0xff, 0xff };	/* not a Request */
	static const uint8_t bad_prefix[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	th_client_t *bad = client("bad", false), *bad2 = client("bad2", false);
	th_client_t *good = client("good", true);
	char *name;

	ck_assert_int_eq(th_send_raw(bad->rpc, garbage, sizeof garbage), 0);
	ck_assert_int_eq(th_send_raw(bad2->rpc, bad_prefix, sizeof bad_prefix), 0);
	ck_assert(th_wait_closed(bad->rpc, 3.0));
	ck_assert(th_wait_closed(bad2->rpc, 3.0));
	name = call_str(good, "KRPC", "GetClientName", NULL);
	ck_assert_str_eq(name, "good");
	free(name);
	th_client_close(bad);
	th_client_close(bad2);
	th_client_close(good);
}
END_TEST

START_TEST(test_scene_pause_clients)
{
	th_client_t *a = client("scene-a", false), *b = client("scene-b", true);
	krpc_value_t *v;
	int32_t scene = -1;
	bool paused = true, seen_a = false, seen_b = false;
	size_t i;

	v = th_call_value(a, "enum(KRPC.GameScene)", "KRPC", "get_GameScene", 0);
	ck_assert_int_eq(krpc_value_as_enum(v, &scene), KRPC_OK);
	ck_assert_int_eq(scene, 1);	/* Flight by default */
	krpc_value_free(v);
	v = th_call_value(a, "bool", "KRPC", "get_Paused", 0);
	ck_assert_int_eq(krpc_value_as_bool(v, &paused), KRPC_OK);
	ck_assert(!paused);
	krpc_value_free(v);
	krpc_value_free(th_call_value(a, NULL, "KRPC", "set_Paused", 1, krpc_value_bool(true)));
	v = th_call_value(b, "bool", "KRPC", "get_Paused", 0);
	ck_assert_int_eq(krpc_value_as_bool(v, &paused), KRPC_OK);
	ck_assert(paused);
	krpc_value_free(v);
	krpc_value_free(th_call_value(a, NULL, "KRPC", "set_Paused", 1, krpc_value_bool(false)));
	v = th_call_value(a, "list(tuple(bytes, string, string))", "KRPC", "get_Clients", 0);
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < krpc_value_count(v); i++) {
		const krpc_value_t *t = krpc_value_item(v, i);
		const char *name = krpc_value_str(krpc_value_item(t, 1), NULL);

		ck_assert_str_eq(krpc_value_str(krpc_value_item(t, 2), NULL), "127.0.0.1");
		seen_a = seen_a || strcmp(name, "scene-a") == 0;
		seen_b = seen_b || strcmp(name, "scene-b") == 0;
	}
	ck_assert(seen_a && seen_b);
	krpc_value_free(v);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* ---- GetServices ----------------------------------------------------- */

/* The procedure called name in service s, asserted. */
static const Krpc__Schema__Procedure *
find_proc(const Krpc__Schema__Service *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_procedures; i++) {
		if (strcmp(s->procedures[i]->name, name) == 0)
			return s->procedures[i];
	}
	ck_abort_msg("no procedure %s.%s", s->name, name);
	return NULL;
}

START_TEST(test_get_services)
{
	static const char *const names[] = { "KRPC", "SpaceCenter", "TestService", "Benchmark",
	    "Drawing", "UI" };
	th_client_t *c = client("services", false);
	krpc_value_t *v = th_call_value(c, "services", "KRPC", "GetServices", 0);
	const Krpc__Schema__Procedure *p;
	const Krpc__Schema__Service *k, *t;
	Krpc__Schema__Services *all;
	const uint8_t *data;
	size_t len, i;

	ck_assert_ptr_nonnull(v);
	data = krpc_value_data(v, &len);
	all = krpc__schema__services__unpack(NULL, len, data);
	ck_assert_ptr_nonnull(all);
	ck_assert_uint_eq(all->n_services, 6);
	for (i = 0; i < 6; i++)
		ck_assert_str_eq(all->services[i]->name, names[i]);
	k = all->services[0];
	t = all->services[2];
	ck_assert_uint_eq(k->n_procedures, 69);
	ck_assert_uint_eq(k->n_classes, 2);
	ck_assert_uint_eq(k->n_enumerations, 1);
	ck_assert_uint_eq(k->enumerations[0]->n_values, 10);
	ck_assert_uint_eq(k->n_exceptions, 5);
	ck_assert_uint_eq(t->n_procedures, 82);
	ck_assert_str_eq(t->documentation,
	    "<doc>\n<summary>\nService documentation string.\n</summary>\n</doc>");
	p = find_proc(k, "GetClientID");
	ck_assert_str_eq(p->documentation,
	    "<doc>\n<summary>\nReturns the identifier for the current client.\n</summary>\n</doc>");
	ck_assert_int_eq(p->return_type->code, KRPC__SCHEMA__TYPE__TYPE_CODE__BYTES);
	p = find_proc(k, "AddStream");
	ck_assert_uint_eq(p->n_parameters, 2);
	ck_assert_str_eq(p->parameters[1]->name, "start");
	ck_assert(p->parameters[1]->has_default_value);
	ck_assert_uint_eq(p->parameters[1]->default_value.len, 1);
	ck_assert_uint_eq(p->parameters[1]->default_value.data[0], 1);
	ck_assert(!p->parameters[0]->has_default_value);
	ck_assert_int_eq(p->parameters[0]->type->code, KRPC__SCHEMA__TYPE__TYPE_CODE__PROCEDURE_CALL);
	ck_assert_ptr_null(find_proc(k, "StartStream")->return_type);	/* void */
	p = find_proc(k, "get_CurrentGameScene");
	ck_assert(p->deprecated);
	ck_assert_str_eq(p->deprecated_reason, "Use <see cref=\"M:KRPC.GameScene\" /> instead.");
	ck_assert_uint_eq(p->n_game_scenes, 0);
	p = find_proc(t, "OptionalArguments");
	ck_assert(p->parameters[3]->nullable && p->parameters[3]->has_default_value &&
	    p->parameters[3]->default_value_is_null && p->parameters[3]->default_value.len == 0);
	ck_assert_mem_eq(p->parameters[1]->default_value.data, "\x03" "foo", 4);
	p = find_proc(t, "EmptyListDefault");
	ck_assert(p->parameters[0]->has_default_value && p->parameters[0]->default_value.len == 0);
	p = find_proc(t, "EchoTestObject");
	ck_assert(p->return_is_nullable && p->parameters[0]->nullable);
	p = find_proc(k, "Expression_static_Equal");
	ck_assert_int_eq(p->return_type->code, KRPC__SCHEMA__TYPE__TYPE_CODE__CLASS);
	ck_assert_str_eq(p->return_type->service, "KRPC");
	ck_assert_str_eq(p->return_type->name, "Expression");
	ck_assert_uint_eq(t->n_structs, 3);
	krpc__schema__services__free_unpacked(all, NULL);
	krpc_value_free(v);
	th_client_close(c);
}
END_TEST

/* ---- Unix sockets and the command line ------------------------------- */

START_TEST(test_unix_clients)
{
	th_client_t *c = th_client_unix(sim.rpc_path, sim.stream_path, "local");
	krpc_value_t *v;
	bool found = false;
	size_t i;

	ck_assert_ptr_nonnull(c);
	v = th_call_value(c, "list(tuple(bytes, string, string))", "KRPC", "get_Clients", 0);
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < krpc_value_count(v); i++) {
		const krpc_value_t *t = krpc_value_item(v, i);

		if (strcmp(krpc_value_str(krpc_value_item(t, 1), NULL), "local") == 0) {
			ck_assert_str_eq(krpc_value_str(krpc_value_item(t, 2), NULL), sim.rpc_path);
			found = true;
		}
	}
	ck_assert(found);
	krpc_value_free(v);
	th_client_close(c);
}
END_TEST

/* Runs krpc-sim with args; returns its exit status (waits up to 5 s). */
static int
run_sim(const char *const *args)
{
	const char *argv[16];
	th_proc_t *p;
	int n = 0, st;

	argv[n++] = th_bin("tests/sim/krpc-sim");
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	p = th_spawn(argv, NULL, 0);
	ck_assert_ptr_nonnull(p);
	st = th_proc_wait(p, 5.0);
	th_proc_stop(p);
	return st;
}

START_TEST(test_unix_rules)
{
	char rpc[256], stream[256], other[256], bin[512], longpath[160];
	const char *argv[] = { bin, "--rpc-path", rpc, "--stream-path", stream, "--quiet", NULL };
	struct sockaddr_un sun;
	struct stat st;
	th_proc_t *p, *q;
	FILE *f;
	int fd;

	/* th_tmp() and th_bin() rotate static slots: keep copies */
	snprintf(rpc, sizeof rpc, "%s", th_tmp("rules/sub/rpc"));
	snprintf(stream, sizeof stream, "%s", th_tmp("rules/sub/stream"));
	snprintf(other, sizeof other, "%s", th_tmp("other-stream"));
	snprintf(bin, sizeof bin, "%s", th_bin("tests/sim/krpc-sim"));
	/* a stale socket (bound, nobody listening) is replaced; parents are created */
	mkdir(th_tmp("rules"), 0700);
	mkdir(th_tmp("rules/sub"), 0700);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, rpc);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	close(fd);
	p = th_spawn(argv, "listening", 10.0);
	ck_assert_ptr_nonnull(p);
	ck_assert(strstr(th_proc_stdout(p), "127.0.0.1") == NULL);	/* paths only: no TCP */
	/* a live server on the path: the second one refuses to start */
	ck_assert_int_eq(run_sim((const char *[]){ "--rpc-path", rpc, "--stream-path", other,
	    "--quiet", NULL }), 1 << 8);
	th_proc_signal(p, SIGTERM);
	ck_assert_int_eq(th_proc_wait(p, 5.0), 0);
	th_proc_stop(p);
	ck_assert_int_ne(stat(rpc, &st), 0);	/* removed on stop */
	ck_assert_int_ne(stat(stream, &st), 0);
	/* a regular file with content is not removed */
	f = fopen(rpc, "w");
	fputs("data", f);
	fclose(f);
	ck_assert_int_eq(run_sim((const char *[]){ "--rpc-path", rpc, "--stream-path", stream,
	    "--quiet", NULL }), 1 << 8);
	ck_assert_int_eq(stat(rpc, &st), 0);
	unlink(rpc);
	/* over 100 bytes */
	memset(longpath, 'x', sizeof longpath);
	longpath[0] = '/';
	longpath[101] = '\0';
	ck_assert_int_eq(run_sim((const char *[]){ "--rpc-path", longpath, "--stream-path", stream,
	    "--quiet", NULL }), 1 << 8);
	/* an empty regular file at the path is stale too */
	fclose(fopen(rpc, "w"));
	q = th_spawn(argv, "listening", 10.0);
	ck_assert_ptr_nonnull(q);
	th_proc_stop(q);
	/* missing parent directories are created */
	snprintf(rpc, sizeof rpc, "%s", th_tmp("fresh/a/rpc"));
	snprintf(stream, sizeof stream, "%s", th_tmp("fresh/a/stream"));
	q = th_spawn(argv, "listening", 10.0);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(stat(rpc, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	th_proc_stop(q);
}
END_TEST

START_TEST(test_command_line)
{
	const char *help[] = { th_bin("tests/sim/krpc-sim"), "--help", NULL };
	char port[16];
	th_proc_t *p;

	p = th_spawn(help, "--no-pacing", 5.0);
	ck_assert_ptr_nonnull(p);
	ck_assert(strstr(th_proc_stdout(p), "--update-rate HZ") != NULL);
	ck_assert_int_eq(th_proc_wait(p, 5.0), 0);
	th_proc_stop(p);
	ck_assert_int_eq(run_sim((const char *[]){ "--version", NULL }), 0);
	ck_assert_int_eq(run_sim((const char *[]){ "--bogus", NULL }), 1 << 8);
	ck_assert_int_eq(run_sim((const char *[]){ "--rpc-path", "/tmp/x", NULL }), 1 << 8);
	ck_assert_int_eq(run_sim((const char *[]){ "--rpc-port", "70000", NULL }), 1 << 8);
	ck_assert_int_eq(run_sim((const char *[]){ "--update-rate", "0", NULL }), 1 << 8);
	ck_assert_int_eq(run_sim((const char *[]){ "--game-scene", "nowhere", NULL }), 1 << 8);
	ck_assert_int_eq(run_sim((const char *[]){ "--bind", "256.1.1.1", NULL }), 1 << 8);
	/* a port in use: one error line, exit 1 */
	snprintf(port, sizeof port, "%d", sim.rpc_port);
	ck_assert_int_eq(run_sim((const char *[]){ "--rpc-port", port, "--stream-port", "0",
	    "--quiet", NULL }), 1 << 8);
}
END_TEST

START_TEST(test_game_scene_option)
{
	struct simtest t;
	const char *extra[] = { "--game-scene", "spacecenter", NULL };
	th_client_t *c;
	krpc_value_t *v;
	int32_t scene = -1;
	char *desc;

	ck_assert_int_eq(simtest_start(&t, NULL, extra), 0);
	c = simtest_client(&t, "scene", false);
	ck_assert_ptr_nonnull(c);
	v = th_call_value(c, "enum(KRPC.GameScene)", "KRPC", "get_GameScene", 0);
	ck_assert_int_eq(krpc_value_as_enum(v, &scene), KRPC_OK);
	ck_assert_int_eq(scene, 0);
	krpc_value_free(v);
	desc = th_call_error(c, NULL, NULL, "SpaceCenter", "get_UT", 0);
	ck_assert_ptr_nonnull(desc);
	ck_assert_str_eq(desc, "Procedure not available in game scene 'SpaceCenter'");
	free(desc);
	th_client_close(c);
	th_proc_signal(t.proc, SIGINT);
	ck_assert_int_eq(th_proc_wait(t.proc, 5.0), 0);	/* clean exit on SIGINT */
	simtest_stop(&t);
}
END_TEST

/* ---- suite ----------------------------------------------------------- */

static Suite *
sim_suite(void)
{
	Suite *s = suite_create("krpc-sim");
	TCase *hs = tcase_create("handshake"), *calls = tcase_create("calls");
	TCase *misc = tcase_create("services and listeners");

	tcase_set_timeout(hs, 30);
	tcase_add_test(hs, test_handshake_ok);
	tcase_add_test(hs, test_handshake_wrong_type);
	tcase_add_test(hs, test_handshake_identifier);
	tcase_add_test(hs, test_handshake_malformed);
	tcase_add_test(hs, test_handshake_timeout);
	tcase_add_test(hs, test_handshake_discards_trailing);
	suite_add_tcase(s, hs);
	tcase_set_timeout(calls, 30);
	tcase_add_test(calls, test_call_ids);
	tcase_add_test(calls, test_call_errors);
	tcase_add_test(calls, test_call_defaults);
	tcase_add_test(calls, test_multi_call);
	tcase_add_test(calls, test_bad_argument_trace);
	tcase_add_test(calls, test_pipelining);
	tcase_add_test(calls, test_yield_holds_only_its_connection);
	tcase_add_test(calls, test_object_store);
	tcase_add_test(calls, test_request_level_error_fails_whole_request);
	tcase_add_test(calls, test_malformed_closes_only_that_connection);
	tcase_add_test(calls, test_scene_pause_clients);
	suite_add_tcase(s, calls);
	tcase_set_timeout(misc, 30);
	tcase_add_test(misc, test_get_services);
	tcase_add_test(misc, test_unix_clients);
	tcase_add_test(misc, test_unix_rules);
	tcase_add_test(misc, test_command_line);
	tcase_add_test(misc, test_game_scene_option);
	suite_add_tcase(s, misc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (simtest_start(&sim, "main", NULL) != 0)
		return 1;
	sr = srunner_create(sim_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	simtest_stop(&sim);
	th_cleanup();
	return failed == 0 ? 0 : 1;
}
