/*
 * krpcmuxd integration tests, part 6: the proxy obligations of PROTOCOL.md
 * section 12 checked byte for byte against a mock server: stream ids
 * rewritten at all four points, dedup keys, the upstream rate as subscribers
 * come and go, one update per client, split requests (order, lanes,
 * request-level errors), late responses, the stream procedures without a
 * stream connection, the tick holder's yielding call.  Upstream loss is in
 * test_daemon_mock.
 */
#include <sys/socket.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mocktest.h"

#define NO_STREAM "No stream client is connected for this RPC client"

/* ---- helpers ------------------------------------------------------------ */

/* A PROCEDURE_CALL value: TestService.FloatToString(x). */
static krpc_value_t *
float_call(float x)
{
	return th_proc_call("TestService", "FloatToString", 1, krpc_value_float(x));
}

/* AddStream of FloatToString(x), a call new to the proxy: it goes upstream and gets upid. */
static uint64_t
add_new(struct mock *m, th_client_t *c, float x, bool start, uint64_t upid)
{
	krpc_value_t *cv = float_call(x);
	const uint8_t *cb;
	size_t cl;
	uint64_t id;

	cb = krpc_value_data(cv, &cl);
	dt_send(c, "KRPC", "AddStream", 2, krpc_value_clone(cv), krpc_value_bool(start));
	mock_expect_add(m, cb, cl, upid);
	id = mock_stream_id_of(th_recv_response(c, 5.0));
	if (start)
		mock_expect_manage(m, "StartStream", upid);
	krpc_value_free(cv);
	return id;
}

/* Keeps a response in *keep and returns it (to free it after reading it). */
static Krpc__Schema__Response *
th_keep(Krpc__Schema__Response *r, Krpc__Schema__Response **keep)
{
	ck_assert_ptr_nonnull(r);
	*keep = r;
	return r;
}

/* Expects KRPC.SetStreamRate(upid, a rate) and answers it with a call-level error. */
static void
mock_expect_rate_error(struct mock *m, uint64_t upid, const char *description)
{
	Krpc__Schema__Request *r = mock_expect_request(m->rpc);
	uint64_t id = UINT64_MAX;

	ck_assert(r != NULL && r->n_calls == 1 && strcmp(r->calls[0]->procedure, "SetStreamRate") == 0);
	ck_assert_uint_eq(r->calls[0]->n_arguments, 2);
	krpc_varint_get(r->calls[0]->arguments[0]->value.data, r->calls[0]->arguments[0]->value.len, &id);
	ck_assert_uint_eq(id, upid);
	ck_assert_uint_eq(r->calls[0]->arguments[1]->value.len, 4);
	krpc__schema__request__free_unpacked(r, NULL);
	mock_respond_call_error(m->rpc, "", "", description);
}

/* The next update of a client: asserts it holds exactly n results; returns it. */
static Krpc__Schema__StreamUpdate *
one_update(th_client_t *c, size_t n)
{
	Krpc__Schema__StreamUpdate *u = th_recv_update(c, 5.0);

	ck_assert_ptr_nonnull(u);
	ck_assert_uint_eq(u->n_results, n);
	return u;
}

/* True if result i of u is stream id carrying value (len bytes). */
static bool
has_result(const Krpc__Schema__StreamUpdate *u, size_t i, uint64_t id, const char *value,
    size_t len)
{
	const Krpc__Schema__ProcedureResult *r = u->results[i]->result;

	return u->results[i]->id == id && r != NULL && r->value.len == len &&
	    memcmp(r->value.data, value, len) == 0;
}

/* True if no update reaches c within seconds. */
static bool
no_update(th_client_t *c, double seconds)
{
	Krpc__Schema__StreamUpdate *u = th_recv_update(c, seconds);

	if (u == NULL)
		return true;
	krpc__schema__stream_update__free_unpacked(u, NULL);
	return false;
}

/* A numeric admin field, polled until it equals want. */
static bool
admin_reaches(struct dt *t, const char *command, const char *field, double want)
{
	double end = th_now() + 5.0;
	char *a;
	double v;

	do {
		a = dt_admin(t, command);
		v = a != NULL ? dt_admin_number(a, field) : -1;
		free(a);
		if (v == want)
			return true;
		th_sleep(0.02);
	} while (th_now() < end);
	return false;
}

/* ---- ids ---------------------------------------------------------------- */

/*
 * Stream ids are the proxy's at all four points: AddStream results, Event
 * results, the id argument of StartStream/SetStreamRate/RemoveStream (here
 * an event's, which is forwarded), and StreamResult ids.
 */
START_TEST(test_ids_rewritten)
{
	struct mock m;
	th_client_t *a, *b;
	Krpc__Schema__StreamUpdate *u;
	Krpc__Schema__Response *r;
	uint64_t ia, ib;
	char want[128], *e;

	mock_start(&m, "ids", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "a", true));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "b", true));
	ia = add_new(&m, a, 1, false, 40);
	ck_assert(ia != 40);
	ck_assert(dt_start_stream(a, ia));
	mock_expect_manage(&m, "StartStream", 40);
	mock_update(m.stream, 1, (uint64_t)40, "\x01" "1", (size_t)2);
	u = one_update(a, 1);
	ck_assert(has_result(u, 0, ia, "\x01" "1", 2));
	krpc__schema__stream_update__free_unpacked(u, NULL);

	/* an event: its id is mapped, its management calls forwarded with the server's id */
	dt_send(b, "TestService", "OnTimer", 1, krpc_value_uint32(100), NULL);
	mock_expect_call(m.rpc, "OnTimer");
	mock_respond_value(m.rpc, "\x0a\x02\x08\x29", 4);	/* Event{Stream{41}} */
	ib = mock_event_id_of(th_recv_response(b, 5.0));
	ck_assert(ib != 41 && ib != ia);
	dt_send(b, "KRPC", "StartStream", 1, krpc_value_uint64(ib), NULL);
	mock_expect_manage(&m, "StartStream", 41);
	krpc__schema__response__free_unpacked(th_recv_response(b, 5.0), NULL);
	dt_send(b, "KRPC", "SetStreamRate", 2, krpc_value_uint64(ib), krpc_value_float(2.5f));
	mock_expect_rate(&m, 41, 2.5f);
	krpc__schema__response__free_unpacked(th_recv_response(b, 5.0), NULL);
	mock_update(m.stream, 1, (uint64_t)41, "\x01", (size_t)1);
	u = one_update(b, 1);
	ck_assert(has_result(u, 0, ib, "\x01", 1));
	krpc__schema__stream_update__free_unpacked(u, NULL);
	ck_assert(no_update(a, 0.2));	/* the owner's alone */
	dt_send(b, "KRPC", "RemoveStream", 1, krpc_value_uint64(ib), NULL);
	mock_expect_manage(&m, "RemoveStream", 41);
	krpc__schema__response__free_unpacked(th_recv_response(b, 5.0), NULL);
	ck_assert(mock_quiet(m.rpc, 0.2));
	/* an event the server removed after firing: its answer quotes the client's id */
	dt_send(b, "TestService", "OnTimer", 1, krpc_value_uint32(100), NULL);
	mock_expect_call(m.rpc, "OnTimer");
	mock_respond_value(m.rpc, "\x0a\x02\x08\x2a", 4);	/* Event{Stream{42}} */
	ib = mock_event_id_of(th_recv_response(b, 5.0));
	dt_send(b, "KRPC", "SetStreamRate", 2, krpc_value_uint64(ib), krpc_value_float(1));
	mock_expect_rate_error(&m, 42, "The given key '42' was not present in the dictionary.");
	e = dt_error(th_keep(th_recv_response(b, 5.0), &r), NULL, NULL);
	snprintf(want, sizeof want, "The given key '%llu' was not present in the dictionary.",
	    (unsigned long long)ib);
	ck_assert_str_eq(e, want);
	free(e);
	krpc__schema__response__free_unpacked(r, NULL);
	th_client_close(a);
	th_client_close(b);
	mock_stop(&m);
}
END_TEST

/* One argument of a hand-built call. */
struct arg {
	uint32_t	 position;
	bool		 is_null;
	const char	*value;
	size_t		 len;
};

/* A PROCEDURE_CALL value built by hand: by names, or by numeric ids when service_id > 0. */
static krpc_value_t *
raw_call(const char *service, const char *procedure, uint32_t service_id, uint32_t procedure_id,
    size_t n, const struct arg *a)
{
	Krpc__Schema__ProcedureCall pc = KRPC__SCHEMA__PROCEDURE_CALL__INIT;
	Krpc__Schema__Argument args[4], *argp[4];
	size_t i, len;
	uint8_t *buf;
	krpc_value_t *v;

	ck_assert_uint_le(n, 4);
	for (i = 0; i < n; i++) {
		krpc__schema__argument__init(&args[i]);
		args[i].position = a[i].position;
		args[i].is_null = a[i].is_null;
		args[i].value.data = (uint8_t *)a[i].value;
		args[i].value.len = a[i].len;
		argp[i] = &args[i];
	}
	if (service_id > 0) {
		pc.service_id = service_id;
		pc.procedure_id = procedure_id;
	} else {
		pc.service = (char *)service;
		pc.procedure = (char *)procedure;
	}
	pc.arguments = argp;
	pc.n_arguments = n;
	len = krpc__schema__procedure_call__get_packed_size(&pc);
	buf = malloc(len + 1);
	krpc__schema__procedure_call__pack(&pc, buf);
	v = krpc_value_message(KRPC_TYPE_PROCEDURE_CALL, buf, len);
	free(buf);
	return v;
}

/* TestService.OptionalArguments with hand-built arguments. */
static krpc_value_t *
optional(size_t n, const struct arg *a)
{
	return raw_call("TestService", "OptionalArguments", 0, 0, n, a);
}

#define JEB	{ 0, false, "\x03jeb", 4 }

/*
 * Dedup keys: omitted and explicit defaults, a null default given as is_null
 * or as object id 0, positions past the parameters, argument order, a
 * repeated position (the last wins), calls by numeric ids (the AddStream
 * too): one upstream stream.  Other values are other streams.
 */
START_TEST(test_dedup_keys)
{
	static const struct arg jeb[] = { JEB }, jebfoo[] = { JEB, { 1, false, "\x03" "foo", 4 } },
	    jebnull[] = { JEB, { 2, true, NULL, 0 } }, jeb0[] = { JEB, { 2, false, "\x00", 1 } },
	    foojeb[] = { { 1, false, "\x03" "foo", 4 }, JEB },
	    bobjeb[] = { { 0, false, "\x03" "bob", 4 }, JEB },
	    jebz[] = { JEB, { 9, false, "\x03zzz", 4 } },
	    jebbar[] = { JEB, { 1, false, "\x03" "bar", 4 } }, jebobj[] = { JEB, { 2, false, "\x05", 1 } };
	struct mock m;
	th_client_t *a;
	krpc_value_t *first, *same[7], *addv;
	const uint8_t *cb;
	krpc_buf_t req = KRPC_BUF_INIT;
	struct arg add[2];
	const uint8_t *ab;
	uint64_t id0, id;
	size_t cl, al, i;

	mock_start(&m, "dedup", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "keys", true));
	first = optional(1, jeb);
	cb = krpc_value_data(first, &cl);
	dt_send(a, "KRPC", "AddStream", 2, krpc_value_clone(first), krpc_value_bool(false));
	mock_expect_add(&m, cb, cl, 50);
	id0 = mock_stream_id_of(th_recv_response(a, 5.0));
	same[0] = optional(2, jebfoo);
	same[1] = optional(2, jebnull);
	same[2] = optional(2, jeb0);
	same[3] = optional(2, foojeb);
	same[4] = optional(2, bobjeb);
	same[5] = optional(2, jebz);
	same[6] = raw_call(NULL, NULL, MOCK_TS_ID, MOCK_OPTIONAL_ID, 1, jeb);
	for (i = 0; i < 7; i++) {
		id = th_add_stream(a, same[i], false);
		ck_assert_msg(id == id0, "form %zu: id %llu, not %llu", i, (unsigned long long)id,
		    (unsigned long long)id0);
	}
	/* AddStream itself by numeric ids (KRPC 1, AddStream 5) */
	add[0] = (struct arg){ 0, false, (const char *)cb, cl };
	add[1] = (struct arg){ 1, false, "\x00", 1 };
	addv = raw_call(NULL, NULL, 1, 5, 2, add);
	ab = krpc_value_data(addv, &al);
	krpc_msg_request_add(&req, ab, al);
	ck_assert_int_eq(th_send_request(a, &req), 0);
	ck_assert_uint_eq(mock_stream_id_of(th_recv_response(a, 5.0)), id0);
	ck_assert(mock_quiet(m.rpc, 0.2));	/* nothing went upstream */
	/* other values are other streams */
	krpc_value_free(first);
	first = optional(2, jebbar);
	cb = krpc_value_data(first, &cl);
	dt_send(a, "KRPC", "AddStream", 2, krpc_value_clone(first), krpc_value_bool(false));
	mock_expect_add(&m, cb, cl, 51);
	ck_assert(mock_stream_id_of(th_recv_response(a, 5.0)) != id0);
	krpc_value_free(first);
	first = optional(2, jebobj);
	cb = krpc_value_data(first, &cl);
	dt_send(a, "KRPC", "AddStream", 2, krpc_value_clone(first), krpc_value_bool(false));
	mock_expect_add(&m, cb, cl, 52);
	ck_assert(mock_stream_id_of(th_recv_response(a, 5.0)) != id0);
	krpc_value_free(first);
	krpc_value_free(addv);
	krpc_buf_free(&req);
	th_client_close(a);
	mock_stop(&m);
}
END_TEST

/* ---- rates and fan-out ------------------------------------------------------ */

/* The upstream rate is the highest any subscriber asked for (0 wins), sent as it changes. */
START_TEST(test_rate_recompute)
{
	struct mock m;
	th_client_t *a, *b, *c;
	uint64_t ia, ib, ic;

	mock_start(&m, "rates", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "a", true));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "b", true));
	ck_assert_ptr_nonnull(c = dt_client(&m.t, "c", true));
	ia = add_new(&m, a, 3, true, 60);
	ck_assert(dt_set_rate(a, ia, 5));
	mock_expect_rate(&m, 60, 5);
	ib = th_add_stream(b, float_call(3), true);	/* unlimited by default: 0 wins */
	mock_expect_rate(&m, 60, 0);
	ck_assert(dt_set_rate(b, ib, 10));
	mock_expect_rate(&m, 60, 10);
	ic = th_add_stream(c, float_call(3), true);
	mock_expect_rate(&m, 60, 0);
	ck_assert(dt_set_rate(c, ic, 1));
	mock_expect_rate(&m, 60, 10);
	ck_assert(dt_set_rate(c, ic, 1));	/* no change: nothing sent */
	ck_assert(mock_quiet(m.rpc, 0.2));
	th_client_close(b);			/* the fastest leaves */
	mock_expect_rate(&m, 60, 5);
	ck_assert(dt_set_rate(a, ia, 2));
	mock_expect_rate(&m, 60, 2);
	ck_assert(dt_remove_stream(a, ia));
	mock_expect_rate(&m, 60, 1);
	ck_assert(dt_remove_stream(c, ic));
	mock_expect_manage(&m, "RemoveStream", 60);
	ck_assert(mock_quiet(m.rpc, 0.2));
	th_client_close(a);
	th_client_close(c);
	mock_stop(&m);
}
END_TEST

/*
 * One upstream update gives each client at most one update, holding only
 * its started streams, never an empty one; StartStream sends the cached
 * value to that subscriber alone, each time it is called.
 */
START_TEST(test_fanout_once)
{
	struct mock m;
	th_client_t *a, *b;
	Krpc__Schema__StreamUpdate *u;
	uint64_t ia1, ia2, ia3, ib3;

	mock_start(&m, "fanout", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "a", true));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "b", true));
	ia1 = add_new(&m, a, 1, true, 70);
	ia2 = add_new(&m, a, 2, true, 71);
	ia3 = add_new(&m, a, 3, false, 72);
	ib3 = th_add_stream(b, float_call(3), false);
	ck_assert(ib3 != ia3 && ib3 != UINT64_MAX);
	mock_update(m.stream, 3, (uint64_t)70, "\x01" "1", (size_t)2, (uint64_t)71, "\x01" "2",
	    (size_t)2, (uint64_t)72, "\x01" "3", (size_t)2);
	u = one_update(a, 2);
	ck_assert(has_result(u, 0, ia1, "\x01" "1", 2) && has_result(u, 1, ia2, "\x01" "2", 2));
	krpc__schema__stream_update__free_unpacked(u, NULL);
	ck_assert(no_update(a, 0.2));
	ck_assert(no_update(b, 0.1));		/* nothing started: nothing, not an empty update */
	ck_assert(dt_start_stream(b, ib3));
	mock_expect_manage(&m, "StartStream", 72);
	u = one_update(b, 1);
	ck_assert(has_result(u, 0, ib3, "\x01" "3", 2));
	krpc__schema__stream_update__free_unpacked(u, NULL);
	ck_assert(no_update(a, 0.2));
	ck_assert(dt_start_stream(a, ia3));	/* started upstream already: nothing goes up */
	u = one_update(a, 1);
	ck_assert(has_result(u, 0, ia3, "\x01" "3", 2));
	krpc__schema__stream_update__free_unpacked(u, NULL);
	ck_assert(dt_start_stream(b, ib3));	/* again: re-sent to b alone */
	u = one_update(b, 1);
	ck_assert(has_result(u, 0, ib3, "\x01" "3", 2));
	krpc__schema__stream_update__free_unpacked(u, NULL);
	ck_assert(no_update(a, 0.2));
	ck_assert(mock_quiet(m.rpc, 0.1));
	th_client_close(a);
	th_client_close(b);
	mock_stop(&m);
}
END_TEST

/* ---- requests ---------------------------------------------------------------- */

/*
 * A client that leaves with a request in flight: the proxy cannot tell a
 * closed connection from one that only shut its writing, so it keeps the
 * client until the answer came (and is written, or fails to be), then it is
 * gone; nobody else's answer is affected.
 */
START_TEST(test_late_response)
{
	struct mock m;
	th_client_t *a, *b;
	Krpc__Schema__Response *r;

	mock_start(&m, "late", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "leaver", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "stayer", false));
	dt_send(a, "TestService", "FloatToString", 1, krpc_value_float(1), NULL);
	krpc__schema__request__free_unpacked(mock_expect_request(m.rpc), NULL);
	th_client_close(a);
	dt_send(b, "TestService", "FloatToString", 1, krpc_value_float(2), NULL);
	krpc__schema__request__free_unpacked(mock_expect_request(m.rpc), NULL);
	ck_assert(admin_reaches(&m.t, "status", "clients", 2));	/* a waits for its answer */
	mock_respond_value(m.rpc, "\x01" "1", 2);
	mock_respond_value(m.rpc, "\x01" "2", 2);
	r = th_recv_response(b, 5.0);
	ck_assert(r != NULL && r->n_results == 1 && r->results[0]->value.len == 2 &&
	    r->results[0]->value.data[1] == '2');
	krpc__schema__response__free_unpacked(r, NULL);
	ck_assert(admin_reaches(&m.t, "status", "clients", 1));
	th_client_close(b);
	mock_stop(&m);
}
END_TEST

/*
 * A split request whose forwarded part fails at request level: the client
 * gets exactly the server's error, and the stream its AddStream created is
 * undone (the client never learnt its id); a stream it already had stays.
 */
START_TEST(test_split_request_error)
{
	struct mock m;
	th_client_t *a;
	krpc_buf_t req = KRPC_BUF_INIT;
	krpc_value_t *cv = float_call(8);
	Krpc__Schema__Response *r;
	const uint8_t *cb;
	size_t cl;
	uint64_t old;

	mock_start(&m, "spliterr", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "split", true));
	old = add_new(&m, a, 1, true, 80);
	cb = krpc_value_data(cv, &cl);
	th_request_add(&req, "KRPC", "AddStream", 2, float_call(1), krpc_value_bool(true));
	th_request_add(&req, "KRPC", "AddStream", 2, krpc_value_clone(cv), krpc_value_bool(true));
	th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float(1));
	th_request_add(&req, "KRPC", "GetClientID", 0);
	ck_assert_int_eq(th_send_request(a, &req), 0);
	mock_expect_add(&m, cb, cl, 81);
	mock_expect_manage(&m, "StartStream", 81);
	krpc__schema__request__free_unpacked(mock_expect_request(m.rpc), NULL);
	mock_respond_error(m.rpc, "KRPC", "ArgumentException", "Instance not found");
	r = th_recv_response(a, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_str_eq(r->error->service, "KRPC");
	ck_assert_str_eq(r->error->name, "ArgumentException");
	ck_assert_str_eq(r->error->description, "Instance not found");
	ck_assert_uint_eq(r->n_results, 0);
	krpc__schema__response__free_unpacked(r, NULL);
	mock_expect_manage(&m, "RemoveStream", 81);	/* undone: it had no other subscriber */
	ck_assert(mock_quiet(m.rpc, 0.2));		/* the older stream stays */
	ck_assert(admin_reaches(&m.t, "status", "subscriptions", 1));
	ck_assert(dt_start_stream(a, old));
	krpc_value_free(cv);
	krpc_buf_free(&req);
	th_client_close(a);
	mock_stop(&m);
}
END_TEST

/*
 * A request mixing intercepted, forwarded and slow-lane calls: each run goes
 * to its connection in turn and the results come back merged in order; the
 * client's next request waits for it, another client's does not.
 */
START_TEST(test_split_lanes)
{
	struct mock m;
	th_client_t *a, *b;
	struct mock_conn *lane;
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;

	mock_start(&m, "lanes", "upstream = { slow_lanes = 1; };\n");
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "mixer", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "other", false));
	th_request_add(&req, "KRPC", "GetClientName", 0);
	th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float(1));
	th_request_add(&req, "TestService", "BlockingProcedure", 1, krpc_value_sint32(5));
	th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float(2));
	th_request_add(&req, "KRPC", "GetClientID", 0);
	ck_assert_int_eq(th_send_request(a, &req), 0);
	dt_send(a, "TestService", "FloatToString", 1, krpc_value_float(3), NULL);
	mock_expect_call(m.rpc, "FloatToString");
	mock_respond_value(m.rpc, "\x01" "1", 2);
	lane = mock_accept_lane(&m);
	mock_expect_call(lane, "BlockingProcedure");
	/* meanwhile: another client is served, this client's next request waits */
	dt_send(b, "TestService", "FloatToString", 1, krpc_value_float(9), NULL);
	mock_expect_call(m.rpc, "FloatToString");
	mock_respond_value(m.rpc, "\x01" "9", 2);
	krpc__schema__response__free_unpacked(th_recv_response(b, 5.0), NULL);
	ck_assert(mock_quiet(m.rpc, 0.2));
	mock_respond_value(lane, "\x0a", 1);		/* sint32 5 */
	mock_expect_call(m.rpc, "FloatToString");
	mock_respond_value(m.rpc, "\x01" "2", 2);
	r = th_recv_response(a, 5.0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 5);
	ck_assert(r->results[0]->value.len == 6 && memcmp(r->results[0]->value.data, "\x05mixer", 6) == 0);
	ck_assert(r->results[1]->value.len == 2 && r->results[1]->value.data[1] == '1');
	ck_assert(r->results[2]->value.len == 1 && r->results[2]->value.data[0] == 0x0a);
	ck_assert(r->results[3]->value.len == 2 && r->results[3]->value.data[1] == '2');
	ck_assert(r->results[4]->value.len == 17 && memcmp(r->results[4]->value.data + 1, a->id, 16) == 0);
	krpc__schema__response__free_unpacked(r, NULL);
	mock_expect_call(m.rpc, "FloatToString");	/* the next request only now */
	mock_respond_value(m.rpc, "\x01" "3", 2);
	r = th_recv_response(a, 5.0);
	ck_assert(r != NULL && r->n_results == 1 && r->results[0]->value.data[1] == '3');
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_buf_free(&req);
	th_client_close(a);
	th_client_close(b);
	mock_close(lane);
	mock_stop(&m);
}
END_TEST

/* Without a stream connection every stream and event procedure fails as on the server; nothing goes up. */
START_TEST(test_no_stream_connection)
{
	struct mock m;
	th_client_t *a;
	char *e, *svc, *name;
	int i;

	mock_start(&m, "nostream", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "rpc-only", false));
	for (i = 0; i < 6; i++) {
		switch (i) {
		case 0:
			e = th_call_error(a, &svc, &name, "KRPC", "AddStream", 2, float_call(1),
			    krpc_value_bool(true));
			break;
		case 1:
			e = th_call_error(a, &svc, &name, "KRPC", "StartStream", 1, krpc_value_uint64(0));
			break;
		case 2:
			e = th_call_error(a, &svc, &name, "KRPC", "SetStreamRate", 2, krpc_value_uint64(0),
			    krpc_value_float(1));
			break;
		case 3:
			e = th_call_error(a, &svc, &name, "KRPC", "RemoveStream", 1, krpc_value_uint64(0));
			break;
		case 4:
			e = th_call_error(a, &svc, &name, "KRPC", "AddEvent", 1, krpc_value_object(1));
			break;
		default:
			e = th_call_error(a, &svc, &name, "TestService", "OnTimer", 1, krpc_value_uint32(5));
			break;
		}
		ck_assert_msg(e != NULL && strcmp(e, NO_STREAM) == 0, "call %d: %s", i, e);
		ck_assert_str_eq(svc, "KRPC");
		ck_assert_str_eq(name, "InvalidOperationException");
		free(e);
		free(svc);
		free(name);
	}
	ck_assert(mock_quiet(m.rpc, 0.2));
	th_client_close(a);
	mock_stop(&m);
}
END_TEST

/* The tick holder's yielding call: the proxy releases the tick upstream first, as the server would. */
START_TEST(test_tick_and_slow_lane)
{
	struct mock m;
	th_client_t *a;
	struct mock_conn *lane;

	mock_start(&m, "tickslow", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "holder", false));
	dt_send(a, "KRPC", "HoldTick", 0, NULL, NULL);
	mock_expect_plain(&m, "HoldTick");
	krpc__schema__response__free_unpacked(th_recv_response(a, 5.0), NULL);
	dt_send(a, "TestService", "BlockingProcedure", 1, krpc_value_sint32(1), NULL);
	mock_expect_plain(&m, "ReleaseTick");
	lane = mock_accept_lane(&m);
	mock_expect_call(lane, "BlockingProcedure");
	mock_respond_value(lane, "\x02", 1);
	krpc__schema__response__free_unpacked(th_recv_response(a, 5.0), NULL);
	th_client_close(a);
	ck_assert(mock_quiet(m.rpc, 0.2));	/* released already: nothing more on exit */
	mock_close(lane);
	mock_stop(&m);
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite *s = suite_create("krpcmuxd proxy obligations");
	TCase *tc = tcase_create("obligations");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ids_rewritten);
	tcase_add_test(tc, test_dedup_keys);
	tcase_add_test(tc, test_rate_recompute);
	tcase_add_test(tc, test_fanout_once);
	tcase_add_test(tc, test_late_response);
	tcase_add_test(tc, test_split_request_error);
	tcase_add_test(tc, test_split_lanes);
	tcase_add_test(tc, test_no_stream_connection);
	tcase_add_test(tc, test_tick_and_slow_lane);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(proxy_suite());
}
