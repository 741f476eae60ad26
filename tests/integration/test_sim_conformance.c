/*
 * krpc-sim against the real kRPC server, for the behaviours a review found
 * different: the checks AddStream and Expression.Call make on the call they
 * are given, the order in which errors are reported, streams waiting for
 * removal, SetStreamRate's timer, handshake texts and KRPC documentation.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simtest.h"

#define TS "TestService"
#define NO_STREAM "No stream client is connected for this RPC client"

static struct simtest sim;	/* the default server (Flight scene) */
static struct simtest scene;	/* --game-scene spacecenter */
static struct simtest slow;	/* --update-rate 20 */

/* A client of a server, asserted. */
static th_client_t *
client_of(const struct simtest *t, const char *name, bool stream)
{
	th_client_t *c = simtest_client(t, name, stream);

	ck_assert_msg(c != NULL, "cannot connect to krpc-sim");
	return c;
}

/* Asserts an error's service, name and description. */
static void
check_error(char *desc, char *service, char *name, const char *esvc, const char *ename,
    const char *text)
{
	ck_assert_msg(desc != NULL, "the call did not fail (expected \"%s\")", text);
	ck_assert_str_eq(desc, text);
	ck_assert_str_eq(service ? service : "", esvc);
	ck_assert_str_eq(name ? name : "", ename);
	free(desc);
	free(service);
	free(name);
}

/* KRPC.GetStatus().stream_rpcs. */
static uint32_t
stream_rpcs(th_client_t *c)
{
	Krpc__Schema__Status *st = simtest_status(c);
	uint32_t n;

	ck_assert_ptr_nonnull(st);
	n = st->stream_rpcs;
	krpc__schema__status__free_unpacked(st, NULL);
	return n;
}

/* Calls a void procedure, asserting success. */
static void
call_void(th_client_t *c, const char *svc, const char *proc, krpc_value_t *a0, krpc_value_t *a1)
{
	krpc_value_t *v = a1 ? th_call_value(c, NULL, svc, proc, 2, a0, a1) :
	    th_call_value(c, NULL, svc, proc, 1, a0);

	ck_assert_msg(v != NULL, "%s.%s failed", svc, proc);
	krpc_value_free(v);
}

/* ---- the call given to AddStream and Expression.Call ------------------- */

/* AddStream resolves the call and fills its arguments at once, as the real server does. */
START_TEST(test_add_stream_checks_arguments)
{
	th_client_t *c = client_of(&sim, "addstream-args", true);
	char *svc = NULL, *name = NULL, *desc;
	uint32_t before = stream_rpcs(c);

	desc = th_call_error(c, &svc, &name, "KRPC", "AddStream", 1,
	    th_proc_call(TS, "FloatToString", 0));
	check_error(desc, svc, name, "", "",
	    "Argument not specified for parameter value in TestService.FloatToString");
	svc = name = NULL;
	desc = th_call_error(c, &svc, &name, "KRPC", "AddStream", 1,
	    th_proc_call(TS, "NotNullableObject", 1, krpc_value_null(KRPC_TYPE_CLASS)));
	check_error(desc, svc, name, "", "", "Incorrect argument type for parameter value in "
	    "TestService.NotNullableObject. Expected an argument of type "
	    "TestServer.TestService+TestClass, got null");
	ck_assert_uint_eq(stream_rpcs(c), before);	/* no stream was registered */
	th_client_close(c);
}
END_TEST

/* The call is checked before the caller's stream connection is. */
START_TEST(test_add_stream_error_order)
{
	th_client_t *c = client_of(&sim, "addstream-order", false);
	char *svc = NULL, *name = NULL, *desc;

	desc = th_call_error(c, &svc, &name, "KRPC", "AddStream", 1,
	    th_proc_call(TS, "ResetCustomExceptionLater", 0));
	check_error(desc, svc, name, "KRPC", "InvalidOperationException",
	    "Cannot create a stream for a procedure that does not return a value.");
	svc = name = NULL;
	desc = th_call_error(c, &svc, &name, "KRPC", "AddStream", 1, th_proc_call(TS, "Nope", 0));
	check_error(desc, svc, name, "", "", "Procedure \"Nope\" not found, in service \"TestService\"");
	svc = name = NULL;
	desc = th_call_error(c, &svc, &name, "KRPC", "AddStream", 1,
	    th_proc_call(TS, "FloatToString", 0));
	check_error(desc, svc, name, "", "",
	    "Argument not specified for parameter value in TestService.FloatToString");
	svc = name = NULL;
	desc = th_call_error(c, &svc, &name, "KRPC", "AddStream", 1,
	    th_proc_call(TS, "FloatToString", 1, krpc_value_float(1)));
	check_error(desc, svc, name, "KRPC", "InvalidOperationException", NO_STREAM);
	th_client_close(c);
}
END_TEST

/* Expression.Call fills the call's arguments when the expression is built. */
START_TEST(test_expression_call_checks_arguments)
{
	th_client_t *c = client_of(&sim, "exprcall-args", true);
	char *svc = NULL, *name = NULL, *desc;

	desc = th_call_error(c, &svc, &name, "KRPC", "Expression_static_Call", 1,
	    th_proc_call(TS, "Int32ToString", 0));
	check_error(desc, svc, name, "", "",
	    "Argument not specified for parameter value in TestService.Int32ToString");
	svc = name = NULL;
	desc = th_call_error(c, &svc, &name, "KRPC", "Expression_static_Call", 1,
	    th_proc_call(TS, "EchoNullableList", 0));
	check_error(desc, svc, name, "", "",
	    "Argument not specified for parameter l in TestService.EchoNullableList");
	th_client_close(c);
}
END_TEST

/* AddEvent compiles the expression before it registers the event. */
START_TEST(test_add_event_type_before_stream)
{
	th_client_t *c = client_of(&sim, "addevent-order", false);
	char *svc = NULL, *name = NULL, *desc;
	uint64_t expr;

	expr = simtest_object(th_call_value(c, "class(KRPC.Expression)", "KRPC",
	    "Expression_static_ConstantInt", 1, krpc_value_sint32(1)));
	ck_assert(expr != 0);
	desc = th_call_error(c, &svc, &name, "KRPC", "AddEvent", 1, krpc_value_object(expr));
	check_error(desc, svc, name, "KRPC", "ArgumentException",
	    "Expression of type 'System.Int32' cannot be used for return type 'System.Boolean'");
	th_client_close(c);
}
END_TEST

/*
 * OnTimer registers its event before it makes the timer (so a 0 ms timer
 * leaves a registered event behind); OnTimerUsingLambda makes the timer first.
 */
START_TEST(test_on_timer_error_order)
{
	th_client_t *c = client_of(&sim, "ontimer-nostream", false);
	th_client_t *s = client_of(&sim, "ontimer-stream", true);
	char *svc = NULL, *name = NULL, *desc;
	uint32_t before;

	desc = th_call_error(c, &svc, &name, TS, "OnTimer", 1, krpc_value_uint32(0));
	check_error(desc, svc, name, "KRPC", "InvalidOperationException", NO_STREAM);
	svc = name = NULL;
	desc = th_call_error(c, &svc, &name, TS, "OnTimerUsingLambda", 1, krpc_value_uint32(0));
	check_error(desc, svc, name, "KRPC", "ArgumentException",
	    "Invalid value '0' for parameter 'interval'.");
	before = stream_rpcs(s);
	svc = name = NULL;
	desc = th_call_error(s, &svc, &name, TS, "OnTimer", 1, krpc_value_uint32(0));
	check_error(desc, svc, name, "KRPC", "ArgumentException",
	    "Invalid value '0' for parameter 'interval'.");
	ck_assert_uint_eq(stream_rpcs(s), before + 1);
	th_client_close(c);
	th_client_close(s);
}
END_TEST

/* ---- streams waiting for removal, SetStreamRate ------------------------ */

/*
 * A removed stream exists until the next stream phase: StartStream and
 * SetStreamRate still work on it and GetStatus still counts it.
 */
START_TEST(test_pending_removal)
{
	th_client_t *c = client_of(&sim, "pending-removal", true);
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	Krpc__Schema__Status *st;
	char *svc = NULL, *name = NULL, *desc;
	uint32_t before;
	uint64_t id;

	id = th_add_stream(c, th_proc_call(TS, "Int32ToString", 1, krpc_value_sint32(4242)), false);
	ck_assert(id != UINT64_MAX);
	before = stream_rpcs(c);
	th_request_add(&req, "KRPC", "RemoveStream", 1, krpc_value_uint64(id));
	th_request_add(&req, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	th_request_add(&req, "KRPC", "SetStreamRate", 2, krpc_value_uint64(id), krpc_value_float(5));
	th_request_add(&req, "KRPC", "GetStatus", 0);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
	ck_assert_ptr_nonnull(r = th_recv_response(c, 5.0));
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 4);
	ck_assert_msg(r->results[1]->error == NULL, "StartStream failed: %s",
	    r->results[1]->error ? r->results[1]->error->description : "");
	ck_assert_msg(r->results[2]->error == NULL, "SetStreamRate failed: %s",
	    r->results[2]->error ? r->results[2]->error->description : "");
	ck_assert_ptr_null(r->results[3]->error);
	st = krpc__schema__status__unpack(NULL, r->results[3]->value.len, r->results[3]->value.data);
	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(st->stream_rpcs, before);
	krpc__schema__status__free_unpacked(st, NULL);
	krpc__schema__response__free_unpacked(r, NULL);
	th_sleep(0.1);	/* several updates: the removal is done */
	ck_assert_uint_eq(stream_rpcs(c), before - 1);
	desc = th_call_error(c, &svc, &name, "KRPC", "StartStream", 1, krpc_value_uint64(id));
	check_error(desc, svc, name, "KRPC", "InvalidOperationException",
	    "Stream does not exist with this id");
	th_client_close(c);
}
END_TEST

/* SetStreamRate of an unknown id fails as the real server's dictionary lookup does. */
START_TEST(test_set_stream_rate_unknown)
{
	th_client_t *c = client_of(&sim, "rate-unknown", true);
	char *svc = NULL, *name = NULL, *desc;

	desc = th_call_error(c, &svc, &name, "KRPC", "SetStreamRate", 2,
	    krpc_value_uint64(987654321), krpc_value_float(1));
	check_error(desc, svc, name, "", "",
	    "The given key '987654321' was not present in the dictionary.");
	th_client_close(c);
}
END_TEST

/* The SINT32 value of a result (asserted). */
static int32_t
result_int(const Krpc__Schema__ProcedureResult *res)
{
	krpc_type_t *t = krpc_type_parse("sint32", NULL, 0);
	krpc_value_t *v = NULL;
	int32_t n = 0;

	ck_assert(krpc_msg_result_value(res, t, &v, NULL, 0) == KRPC_OK);
	ck_assert(krpc_value_as_sint32(v, &n) == KRPC_OK);
	krpc_value_free(v);
	krpc_type_free(t);
	return n;
}

/* The next Counter value of stream id, its receive time in *at; -1 on timeout. */
static int32_t
next_count(th_client_t *c, uint64_t id, double timeout, double *at)
{
	krpc_value_t *v = th_wait_stream(c, id, "sint32", timeout, NULL, 0);
	int32_t n = -1;

	*at = th_now();
	if (v != NULL)
		krpc_value_as_sint32(v, &n);
	krpc_value_free(v);
	return n;
}

/*
 * A stream with rate r is evaluated only once 1000/r whole milliseconds
 * have passed: at 20 updates per second (50 ms apart), a 19.8 Hz stream
 * (50.5 ms) is evaluated every second update, about 10 times a second.
 */
START_TEST(test_rate_never_early)
{
	th_client_t *c = client_of(&slow, "rate-early", true);
	double t0, t1, t;
	int32_t n0, n1, n;
	uint64_t id;

	id = th_add_stream(c, th_proc_call(TS, "Counter", 1, krpc_value_string("early")), false);
	ck_assert(id != UINT64_MAX);
	call_void(c, "KRPC", "SetStreamRate", krpc_value_uint64(id), krpc_value_float(19.8f));
	call_void(c, "KRPC", "StartStream", krpc_value_uint64(id), NULL);
	ck_assert_int_gt(n0 = next_count(c, id, 5.0, &t0), 0);
	n1 = n0;
	t1 = t0;
	while (th_now() - t0 < 1.5) {
		if ((n = next_count(c, id, 1.0, &t)) < 0)
			break;
		n1 = n;
		t1 = t;
	}
	ck_assert_int_gt(n1, n0);
	ck_assert_msg(n1 - n0 <= (int32_t)((t1 - t0) * 15),
	    "%d evaluations in %.3f s at 19.8 Hz, 20 updates a second", n1 - n0, t1 - t0);
	th_client_close(c);
}
END_TEST

/*
 * The rate timer runs from StartStream and is restarted only by
 * rate-limited evaluations: after a while at rate 0, a new rate of 1 Hz
 * evaluates at once; a second StartStream does not restart the timer.
 */
START_TEST(test_rate_timer)
{
	th_client_t *c = client_of(&sim, "rate-timer", true);
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	double t0, t1, t2;
	int32_t now, n0, n1, n2;
	uint64_t id;

	id = th_add_stream(c, th_proc_call(TS, "Counter", 1, krpc_value_string("timer")), true);
	ck_assert(id != UINT64_MAX);
	ck_assert_int_gt(next_count(c, id, 5.0, &t0), 0);
	th_sleep(1.2);
	/* in one update: rate 1 Hz, then the counter as it stands */
	th_request_add(&req, "KRPC", "SetStreamRate", 2, krpc_value_uint64(id), krpc_value_float(1));
	th_request_add(&req, TS, "Counter", 1, krpc_value_string("timer"));
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
	ck_assert_ptr_nonnull(r = th_recv_response(c, 5.0));
	t0 = th_now();
	ck_assert(r->error == NULL && r->n_results == 2 && r->results[0]->error == NULL &&
	    r->results[1]->error == NULL);
	now = result_int(r->results[1]);
	krpc__schema__response__free_unpacked(r, NULL);
	/* skip the values sent before the rate applied */
	do
		n0 = next_count(c, id, 5.0, &t1);
	while (n0 > 0 && n0 <= now);
	ck_assert_int_eq(n0, now + 1);
	ck_assert_msg(t1 - t0 < 0.5, "first value at 1 Hz came after %.3f s", t1 - t0);
	/* evaluated at t1; StartStream again at t1 + 0.5 re-sends, next value at t1 + 1 */
	th_sleep(0.5);
	call_void(c, "KRPC", "StartStream", krpc_value_uint64(id), NULL);
	ck_assert_int_eq(n1 = next_count(c, id, 5.0, &t2), n0);
	ck_assert_int_eq(n2 = next_count(c, id, 5.0, &t2), n1 + 1);
	ck_assert_msg(t2 - t1 < 1.3, "next value %.3f s after the last evaluation", t2 - t1);
	th_client_close(c);
}
END_TEST

/* ---- parsing --------------------------------------------------------- */

/*
 * The real server's protobuf runtime skips a field of a known number but an
 * unexpected wire type, and groups, like unknown fields: a ConnectionRequest
 * or Request carrying them is served, not treated as malformed.  So is a
 * ProcedureCall argument.
 */
START_TEST(test_lenient_fields)
{
	th_client_t *c = client_of(&sim, "lenient", true);
	static const uint8_t req[] = {
		0x08, 0x01,				/* calls as a varint */
		0x1b, 0x08, 0x05, 0x1c,			/* a group */
		0x0a, 0x16,				/* calls: */
		0x0a, 0x04, 'K', 'R', 'P', 'C',		/*   service */
		0x12, 0x0b, 'G', 'e', 't', 'C', 'l', 'i', 'e', 'n', 't', 'I', 'D',
		0x22, 0x01, 0x07,			/*   service_id as bytes */
	};
	static const uint8_t call[] = {
		0x0a, 0x0b, 'T', 'e', 's', 't', 'S', 'e', 'r', 'v', 'i', 'c', 'e',
		0x12, 0x0d, 'I', 'n', 't', '3', '2', 'T', 'o', 'S', 't', 'r', 'i', 'n', 'g',
		0x1a, 0x08,				/* arguments: */
		0x0d, 0x09, 0x00, 0x00, 0x00,		/*   position as fixed32 */
		0x12, 0x01, 0x54,			/*   value: 42 */
	};
	static const uint8_t hello[] = {
		0x0a, 0x01, 0x00,			/* type as bytes */
		0x12, 0x03, 'a', 'b', 'c',		/* client_name */
	};
	Krpc__Schema__ConnectionResponse *hr;
	Krpc__Schema__Response *r;
	const uint8_t *body;
	th_conn_t *conn;
	krpc_value_t *v;
	uint64_t id;
	size_t len;

	ck_assert_ptr_nonnull(conn = th_connect_tcp(sim.rpc_port));
	ck_assert_int_eq(th_send_frame(conn, hello, sizeof hello), 0);
	ck_assert_int_eq(th_recv_frame(conn, 5.0, &body, &len), 1);
	hr = krpc__schema__connection_response__unpack(NULL, len, body);
	ck_assert_ptr_nonnull(hr);
	ck_assert_int_eq(hr->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK);
	ck_assert_uint_eq(hr->client_identifier.len, 16);
	krpc__schema__connection_response__free_unpacked(hr, NULL);
	th_conn_close(conn);
	ck_assert_int_eq(th_send_frame(c->rpc, req, sizeof req), 0);
	ck_assert_ptr_nonnull(r = th_recv_response(c, 5.0));
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 1);
	ck_assert_ptr_null(r->results[0]->error);
	ck_assert_uint_eq(r->results[0]->value.len, 17);
	ck_assert_mem_eq(r->results[0]->value.data + 1, c->id, 16);
	krpc__schema__response__free_unpacked(r, NULL);
	id = th_add_stream(c, krpc_value_message(KRPC_TYPE_PROCEDURE_CALL, call, sizeof call), true);
	ck_assert(id != UINT64_MAX);
	v = th_wait_stream(c, id, "string", 5.0, NULL, 0);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(krpc_value_str(v, NULL), "42");
	krpc_value_free(v);
	th_client_close(c);
}
END_TEST

/* ---- handshakes, scenes, documentation -------------------------------- */

/* An unknown connection type is named by its number, as .NET prints an unknown enum value. */
START_TEST(test_handshake_unknown_type)
{
	static const char *const want[2] = {
		"Connection request was for the 7 server, but this is the rpc server. "
		"Did you connect to the wrong port number or socket path?",
		"Connection request was for the 7 server, but this is the stream server. "
		"Did you connect to the wrong port number or socket path?",
	};
	Krpc__Schema__ConnectionResponse *r;
	th_conn_t *conn;
	int i;

	for (i = 0; i < 2; i++) {
		conn = th_connect_tcp(i == 0 ? sim.rpc_port : sim.stream_port);
		ck_assert_ptr_nonnull(conn);
		r = th_handshake(conn, 7, "unknown-type", NULL, 0, 5.0);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__WRONG_TYPE);
		ck_assert_str_eq(r->message, want[i]);
		krpc__schema__connection_response__free_unpacked(r, NULL);
		ck_assert(th_wait_closed(conn, 5.0));
		th_conn_close(conn);
	}
}
END_TEST

/* Argument errors come before the scene check (SetArguments runs first on the real server). */
START_TEST(test_argument_errors_before_scene)
{
	th_client_t *c = client_of(&scene, "scene-args", true);
	char *svc = NULL, *name = NULL, *desc;

	desc = th_call_error(c, &svc, &name, "SpaceCenter", "Vessel_get_Name", 0);
	check_error(desc, svc, name, "", "",
	    "Argument not specified for parameter this in SpaceCenter.Vessel_get_Name");
	svc = name = NULL;
	desc = th_call_error(c, &svc, &name, "SpaceCenter", "get_UT", 0);
	check_error(desc, svc, name, "", "", "Procedure not available in game scene 'SpaceCenter'");
	th_client_close(c);
}
END_TEST

/* The documentation of a KRPC procedure or enumeration in GetServices (malloc'd). */
static char *
krpc_doc(th_client_t *c, const char *proc, const char *enumeration, int value)
{
	krpc_value_t *v = th_call_value(c, "services", "KRPC", "GetServices", 0);
	Krpc__Schema__Services *all;
	Krpc__Schema__Service *svc;
	const uint8_t *data;
	char *doc = NULL;
	size_t len, i, j;

	ck_assert_ptr_nonnull(v);
	data = krpc_value_data(v, &len);
	ck_assert_ptr_nonnull(all = krpc__schema__services__unpack(NULL, len, data));
	krpc_value_free(v);
	for (i = 0; i < all->n_services && doc == NULL; i++) {
		svc = all->services[i];
		if (strcmp(svc->name, "KRPC") != 0)
			continue;
		for (j = 0; proc != NULL && j < svc->n_procedures; j++) {
			if (strcmp(svc->procedures[j]->name, proc) == 0)
				doc = strdup(svc->procedures[j]->documentation);
		}
		for (j = 0; enumeration != NULL && j < svc->n_enumerations; j++) {
			if (strcmp(svc->enumerations[j]->name, enumeration) != 0)
				continue;
			if (value < 0)
				doc = strdup(svc->enumerations[j]->documentation);
			else if ((size_t)value < svc->enumerations[j]->n_values)
				doc = strdup(svc->enumerations[j]->values[value]->documentation);
		}
	}
	krpc__schema__services__free_unpacked(all, NULL);
	ck_assert_msg(doc != NULL, "KRPC.%s not found", proc ? proc : enumeration);
	return doc;
}

/* Asserts one KRPC documentation string. */
static void
check_doc(th_client_t *c, const char *proc, const char *enumeration, int value, const char *text)
{
	char *doc = krpc_doc(c, proc, enumeration, value);
	char want[2048];

	snprintf(want, sizeof want, "<doc>\n<summary>\n%s\n</summary>\n</doc>", text);
	ck_assert_str_eq(doc, want);
	free(doc);
}

/* KRPC's documentation is the real server's: summaries only, and the v0.7 GameScene texts. */
START_TEST(test_krpc_documentation)
{
	th_client_t *c = client_of(&sim, "krpc-docs", false);
	const char *scene_doc = "The current game scene. Setting this switches the game to the given\n"
	    "scene, or opens/closes the corresponding facility for the pseudo-scenes.\n"
	    "Scene changes happen asynchronously: setting this property returns\n"
	    "immediately, and clients should poll it until it reports the requested\n"
	    "scene. Setting it to <see cref=\"M:KRPC.GameScene.Flight\" /> resumes the save's\n"
	    "active vessel, and fails if there is none.";

	check_doc(c, "AddStream", NULL, 0, "Add a streaming request and return its identifier.");
	check_doc(c, "StartStream", NULL, 0, "Start a previously added streaming request.");
	check_doc(c, "SetStreamRate", NULL, 0, "Set the update rate for a stream in Hz.");
	check_doc(c, "RemoveStream", NULL, 0, "Remove a streaming request.");
	check_doc(c, "AddEvent", NULL, 0, "Create an event from a server side expression.");
	check_doc(c, "get_GameScene", NULL, 0, scene_doc);
	check_doc(c, "set_GameScene", NULL, 0, scene_doc);
	check_doc(c, "get_CurrentGameScene", NULL, 0, "Get the current game scene.");
	check_doc(c, NULL, "GameScene", -1, "The game scene. See <see cref=\"M:KRPC.GameScene\" />.");
	check_doc(c, NULL, "GameScene", 6, "The astronaut complex. This is a pseudo-scene, shown "
	    "when the\nastronaut complex facility is open within the space center scene.");
	check_doc(c, NULL, "GameScene", 7, "Mission control. This is a pseudo-scene, shown when "
	    "the\nmission control facility is open within the space center scene.");
	check_doc(c, NULL, "GameScene", 8, "Research and development. This is a pseudo-scene, "
	    "shown when the\nresearch and development facility is open within the space center "
	    "scene.");
	check_doc(c, NULL, "GameScene", 9, "The administration facility. This is a pseudo-scene, "
	    "shown when the\nadministration facility is open within the space center scene.");
	th_client_close(c);
}
END_TEST

/* --help and krpc-sim(1) name every option and list the known differences. */
START_TEST(test_help_and_man_page)
{
	static const char *const opts[] = { "--bind", "--rpc-port", "--stream-port",
	    "--rpc-path", "--stream-path", "--update-rate", "--no-pacing", "--call-cost", "--spin",
	    "--gc-every", "--gc-pause", "--game-scene", "--quiet", "--help", "--version" };
	static const char *const man_opts[] = { "\\-\\-bind", "\\-\\-rpc\\-port",
	    "\\-\\-stream\\-port", "\\-\\-rpc\\-path", "\\-\\-stream\\-path",
	    "\\-\\-update\\-rate", "\\-\\-no\\-pacing", "\\-\\-call\\-cost", "\\-\\-spin",
	    "\\-\\-gc\\-every", "\\-\\-gc\\-pause", "\\-\\-game\\-scene", "\\-\\-quiet", "\\-\\-help", "\\-\\-version" };
	const char *argv[] = { th_bin("tests/sim/krpc-sim"), "--help", NULL };
	th_proc_t *p = th_spawn(argv, NULL, 0);
	char man[65536];
	const char *help;
	size_t i, n;
	FILE *f;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(th_proc_wait(p, 10.0), 0);
	help = th_proc_stdout(p);
	for (i = 0; i < sizeof opts / sizeof opts[0]; i++)
		ck_assert_msg(strstr(help, opts[i]) != NULL, "--help does not mention %s", opts[i]);
	ck_assert_ptr_nonnull(strstr(help, "Known differences from the game's kRPC server"));
	ck_assert_ptr_nonnull(f = fopen(th_src("docs/krpc-sim.1"), "r"));
	n = fread(man, 1, sizeof man - 1, f);
	fclose(f);
	man[n] = '\0';
	for (i = 0; i < sizeof man_opts / sizeof man_opts[0]; i++)
		ck_assert_msg(strstr(man, man_opts[i]) != NULL, "krpc-sim(1) does not mention %s",
		    opts[i]);
	ck_assert_ptr_nonnull(strstr(man, ".SH DIFFERENCES FROM THE GAME'S SERVER"));
	ck_assert_ptr_nonnull(strstr(man, ".SH DIFFERENCES FROM THE KRPC TEST SERVER"));
	th_proc_stop(p);
}
END_TEST

static Suite *
conformance_suite(void)
{
	Suite *s = suite_create("krpc-sim conformance");
	TCase *calls = tcase_create("calls"), *streams = tcase_create("streams");
	TCase *misc = tcase_create("misc");

	tcase_set_timeout(calls, 30);
	tcase_add_test(calls, test_add_stream_checks_arguments);
	tcase_add_test(calls, test_add_stream_error_order);
	tcase_add_test(calls, test_expression_call_checks_arguments);
	tcase_add_test(calls, test_add_event_type_before_stream);
	tcase_add_test(calls, test_on_timer_error_order);
	suite_add_tcase(s, calls);
	tcase_set_timeout(streams, 30);
	tcase_add_test(streams, test_pending_removal);
	tcase_add_test(streams, test_set_stream_rate_unknown);
	tcase_add_test(streams, test_rate_never_early);
	tcase_add_test(streams, test_rate_timer);
	suite_add_tcase(s, streams);
	tcase_set_timeout(misc, 30);
	tcase_add_test(misc, test_handshake_unknown_type);
	tcase_add_test(misc, test_argument_errors_before_scene);
	tcase_add_test(misc, test_krpc_documentation);
	tcase_add_test(misc, test_help_and_man_page);
	tcase_add_test(misc, test_lenient_fields);
	suite_add_tcase(s, misc);
	return s;
}

int
main(void)
{
	static const char *const scene_args[] = { "--game-scene", "spacecenter", NULL };
	static const char *const slow_args[] = { "--update-rate", "20", NULL };
	SRunner *sr;
	int failed;

	if (simtest_start(&sim, NULL, NULL) != 0 || simtest_start(&scene, NULL, scene_args) != 0 ||
	    simtest_start(&slow, NULL, slow_args) != 0) {
		th_cleanup();
		return 1;
	}
	sr = srunner_create(conformance_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	simtest_stop(&sim);
	simtest_stop(&scene);
	simtest_stop(&slow);
	th_cleanup();
	return failed == 0 ? 0 : 1;
}
