/*
 * krpcmuxd integration tests, part 2: streams and events through the proxy.
 * Deduplication is proven by asking the server (krpc-sim or kRPC's
 * TestServer) directly how many streams it has registered
 * (GetStatus.stream_rpcs): one upstream stream for N clients.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemontest.h"

#define TS "TestService"

static struct dt d;

static void
setup(void)
{
	ck_assert_int_eq(dt_start(&d, "streams"), 0);
}

static void
teardown(void)
{
	dt_stop(&d);
}

/* Every test starts and ends with no stream registered upstream. */
static void
clean_start(void)
{
	ck_assert(dt_wait_stream_rpcs(&d, 0, 5.0));
}

/* Waits for an update of stream id carrying an error; its description goes to err. */
static bool
wait_error(th_client_t *c, uint64_t id, double timeout, char *err, size_t errlen)
{
	double end = th_now() + timeout;
	Krpc__Schema__StreamUpdate *u;
	bool found = false;
	size_t i;

	while (!found && th_now() < end && (u = th_recv_update(c, end - th_now())) != NULL) {
		for (i = 0; i < u->n_results; i++) {
			if (u->results[i]->id == id && u->results[i]->result != NULL &&
			    u->results[i]->result->error != NULL) {
				snprintf(err, errlen, "%s", u->results[i]->result->error->description);
				found = true;
			}
		}
		krpc__schema__stream_update__free_unpacked(u, NULL);
	}
	return found;
}

/* A string-valued stream's next value (malloc'd), or NULL. */
static char *
next_string(th_client_t *c, uint64_t id, double timeout)
{
	krpc_value_t *v = th_wait_stream(c, id, "string", timeout, NULL, 0);
	char *s = v != NULL ? strdup(krpc_value_str(v, NULL)) : NULL;

	krpc_value_free(v);
	return s;
}

/* N clients share one upstream stream; each receives every change under its own id. */
START_TEST(test_shared_stream)
{
	enum { N = 8, MAX = 64 };
	th_client_t *c[N];
	uint64_t id[N];
	int32_t v[N][MAX];
	int n[N], i, j;
	char name[16];

	clean_start();
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof name, "share%d", i);
		ck_assert_ptr_nonnull(c[i] = dt_client(&d, name, true));
		id[i] = dt_add_tick(c[i], true);
		ck_assert(id[i] != UINT64_MAX);
		for (j = 0; j < i; j++)
			ck_assert(id[i] != id[j]);
	}
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	for (i = 0; i < N; i++) {
		n[i] = dt_collect_ticks(c[i], id[i], 0.5, v[i], MAX);
		ck_assert_int_ge(n[i], 10);
		/* consecutive updates: one stream evaluated per update, so no change was missed */
		for (j = 1; j < n[i] && j < MAX; j++)
			ck_assert_msg(v[i][j] == v[i][j - 1] + 1, "client %d: %d then %d", i,
			    v[i][j - 1], v[i][j]);
	}
	for (i = 0; i < N; i++)
		th_client_close(c[i]);
	ck_assert(dt_wait_stream_rpcs(&d, 0, 5.0));
}
END_TEST

/* A late subscriber to an unchanging value gets it at once from the cache. */
START_TEST(test_late_subscriber)
{
	th_client_t *a = dt_client(&d, "early", true), *b = dt_client(&d, "late", true);
	uint64_t ia, ib;
	char *s;

	clean_start();
	ia = dt_add(a, true, TS, "Int32ToString", 1, krpc_value_sint32(77));
	s = next_string(a, ia, 5.0);
	ck_assert_str_eq(s, "77");
	free(s);
	ck_assert(dt_no_update(a, ia, 0.2));	/* the server sends changes only */
	ib = dt_add(b, true, TS, "Int32ToString", 1, krpc_value_sint32(77));
	ck_assert(ib != ia);
	s = next_string(b, ib, 1.0);
	ck_assert_str_eq(s, "77");
	free(s);
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	/* a repeated StartStream re-sends the value to that subscriber */
	ck_assert(dt_start_stream(b, ib));
	s = next_string(b, ib, 1.0);
	ck_assert_str_eq(s, "77");
	free(s);
	ck_assert(dt_no_update(a, ia, 0.2));
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* f(x) and f(x, defaults given explicitly) are one stream upstream. */
START_TEST(test_defaults_normalised)
{
	th_client_t *a = dt_client(&d, "short", true), *b = dt_client(&d, "long", true);
	uint64_t ia, ib;
	char *s;

	clean_start();
	ia = dt_add(a, true, TS, "OptionalArguments", 1, krpc_value_string("jeb"));
	ib = dt_add(b, true, TS, "OptionalArguments", 4, krpc_value_string("jeb"),
	    krpc_value_string("foo"), krpc_value_string("bar"), krpc_value_null(KRPC_TYPE_CLASS));
	ck_assert(ia != UINT64_MAX && ib != UINT64_MAX);
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	s = next_string(a, ia, 5.0);
	ck_assert_str_eq(s, "jebfoobarnull");
	free(s);
	s = next_string(b, ib, 5.0);
	ck_assert_str_eq(s, "jebfoobarnull");
	free(s);
	/* a different argument is a different stream */
	ck_assert(dt_add(b, true, TS, "OptionalArguments", 2, krpc_value_string("jeb"),
	    krpc_value_string("x")) != UINT64_MAX);
	ck_assert_int_eq(dt_stream_rpcs(&d), 2);
	/* the same call twice from one client: the same id */
	ck_assert_uint_eq(dt_add(a, false, TS, "OptionalArguments", 1, krpc_value_string("jeb")), ia);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* One client removing a shared stream does not disturb the others; the last removes it upstream. */
START_TEST(test_remove_one)
{
	th_client_t *a = dt_client(&d, "a", true), *b = dt_client(&d, "b", true);
	uint64_t ia, ib;

	clean_start();
	ia = dt_add_tick(a, true);
	ib = dt_add_tick(b, true);
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	ck_assert(dt_remove_stream(a, ia));
	/*
	 * Updates the proxy wrote to a's stream connection before it answered
	 * the removal may still be unread there, or even still on their way
	 * (two sockets, no order between them): they are thrown away; nothing
	 * may come after.
	 */
	dt_settle(a);
	ck_assert(dt_flowing(b, ib, 11, 5.0));
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	ck_assert(dt_no_update(a, ia, 0.2));
	ck_assert(dt_remove_stream(b, ib));
	ck_assert(dt_wait_stream_rpcs(&d, 0, 5.0));
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* Another client's stream ids are unknown, with exactly the server's answers. */
START_TEST(test_foreign_ids)
{
	th_client_t *a = dt_client(&d, "owner", true), *b = dt_client(&d, "intruder", true);
	th_client_t *direct = dt_direct(&d, "reference", true);
	char *want[2], *wsvc[2], *wname[2], *got, *svc, *name;
	uint64_t ia;
	int i;

	clean_start();
	ck_assert_ptr_nonnull(direct);
	ia = dt_add_tick(a, true);
	/* what the server itself says to a client that does not own that id */
	want[0] = th_call_error(direct, &wsvc[0], &wname[0], "KRPC", "StartStream", 1,
	    krpc_value_uint64(ia));
	want[1] = th_call_error(direct, &wsvc[1], &wname[1], "KRPC", "SetStreamRate", 2,
	    krpc_value_uint64(ia), krpc_value_float(1));
	ck_assert(want[0] != NULL && want[1] != NULL);
	for (i = 0; i < 2; i++) {
		if (i == 0)
			got = th_call_error(b, &svc, &name, "KRPC", "StartStream", 1, krpc_value_uint64(ia));
		else
			got = th_call_error(b, &svc, &name, "KRPC", "SetStreamRate", 2,
			    krpc_value_uint64(ia), krpc_value_float(1));
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want[i]);
		ck_assert_str_eq(svc, wsvc[i]);
		ck_assert_str_eq(name, wname[i]);
		free(got);
		free(svc);
		free(name);
		free(want[i]);
		free(wsvc[i]);
		free(wname[i]);
	}
	/* RemoveStream of an unknown id is a silent success, and changes nothing */
	ck_assert(dt_remove_stream(b, ia));
	ck_assert(dt_flowing(a, ia, 6, 5.0));
	ck_assert(dt_no_update(b, ia, 0.1));
	th_client_close(direct);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* service.procedure(0) as a PROCEDURE_CALL with a trailing field 4 of wire type 2. */
static krpc_value_t *
odd_call(const char *service, const char *procedure)
{
	krpc_value_t *v = th_proc_call(service, procedure, 1, krpc_value_uint64(0)), *odd;
	krpc_buf_t b = KRPC_BUF_INIT;
	size_t len;
	const uint8_t *p = krpc_value_data(v, &len);

	krpc_buf_append(&b, p, len);
	krpc_buf_append(&b, "\x22\x00", 2);
	odd = krpc_value_message(KRPC_TYPE_PROCEDURE_CALL, b.data, b.len);
	krpc_buf_free(&b);
	krpc_value_free(v);
	return odd;
}

/* Expects a call-level refusal of a nested call naming inner. */
static void
expect_refused(th_client_t *c, const char *inner, const char *service, const char *procedure,
    size_t nargs, krpc_value_t *a0, krpc_value_t *a1)
{
	char *desc, *svc = NULL, *name = NULL, want[128];

	desc = nargs == 1 ? th_call_error(c, &svc, &name, service, procedure, 1, a0) :
	    th_call_error(c, &svc, &name, service, procedure, 2, a0, a1);
	ck_assert_msg(desc != NULL, "%s.%s nesting %s was not refused", service, procedure, inner);
	snprintf(want, sizeof want, "krpcmuxd does not pass %s on as a procedure call", inner);
	ck_assert_msg(strncmp(desc, want, strlen(want)) == 0, "%s", desc);
	ck_assert_str_eq(svc, "KRPC");
	ck_assert_str_eq(name, "InvalidOperationException");
	free(desc);
	free(svc);
	free(name);
}

/*
 * A call passed as a PROCEDURE_CALL argument runs on the proxy's shared
 * connection, as the proxy: nesting a procedure the proxy intercepts is
 * refused, so no client can remove or start another client's upstream
 * stream that way (Benchmark.Call(RemoveStream(id))), nor leave upstream
 * streams or events the proxy does not know (a stream of OnTimer), at any
 * depth.  Plain nested calls still go through.
 */
START_TEST(test_nested_calls)
{
	th_client_t *a = dt_client(&d, "owner", true), *b = dt_client(&d, "intruder", true);
	char *desc;
	uint64_t ia;

	clean_start();
	ia = dt_add_tick(a, true);
	ck_assert(ia != UINT64_MAX);
	expect_refused(b, "KRPC.RemoveStream", "Benchmark", "Call", 2,
	    th_proc_call("KRPC", "RemoveStream", 1, krpc_value_uint64(0)), krpc_value_uint32(1));
	expect_refused(b, "KRPC.StartStream", "KRPC", "Expression_static_Call", 1,
	    th_proc_call("KRPC", "StartStream", 1, krpc_value_uint64(0)), NULL);
	expect_refused(b, "TestService.OnTimer", "KRPC", "AddStream", 2,
	    th_proc_call("TestService", "OnTimer", 1, krpc_value_uint32(1000)), krpc_value_bool(true));
	expect_refused(b, "KRPC.SetStreamRate", "KRPC", "AddStream", 2,
	    th_proc_call("Benchmark", "Call", 2,
	    th_proc_call("KRPC", "SetStreamRate", 2, krpc_value_uint64(0), krpc_value_float(1)),
	    krpc_value_uint32(1)), krpc_value_bool(true));
	/*
	 * The same call with a field the server skips but protobuf-c refuses
	 * (service_id as a length-delimited field): still read, still refused.
	 */
	expect_refused(b, "KRPC.RemoveStream", "Benchmark", "Call", 2, odd_call("KRPC", "RemoveStream"),
	    krpc_value_uint32(1));
	/* Plain nested calls are not affected. */
	desc = th_call_error(b, NULL, NULL, "Benchmark", "Call", 2,
	    th_proc_call("TestService", "FloatToString", 1, krpc_value_float(1.5f)),
	    krpc_value_uint32(1));
	ck_assert_msg(desc == NULL, "%s", desc);
	desc = th_call_error(b, NULL, NULL, "KRPC", "Expression_static_Call", 1, dt_tick_call());
	ck_assert_msg(desc == NULL, "%s", desc);
	/* The owner's stream kept flowing and is still the only one upstream. */
	ck_assert(dt_flowing(a, ia, 6, 5.0));
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* Each subscriber gets its own rate; the upstream runs at the fastest. */
START_TEST(test_rates)
{
	th_client_t *slow = dt_client(&d, "slow", true), *fast = dt_client(&d, "fast", true);
	uint64_t is, iff;
	int ns, nf;
	char *streams;

	clean_start();
	is = dt_add_tick(slow, false);
	ck_assert(dt_set_rate(slow, is, 5));
	ck_assert(dt_start_stream(slow, is));
	iff = dt_add_tick(fast, true);
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	dt_drain(slow);
	ns = dt_count_updates(slow, is, 2.0);
	dt_drain(fast);
	nf = dt_count_updates(fast, iff, 1.0);
	ck_assert_msg(ns >= 6 && ns <= 14, "5 Hz subscriber got %d updates in 2 s", ns);
	ck_assert_msg(nf >= 40, "unlimited subscriber got %d updates in 1 s", nf);
	/* the fast one leaves: the upstream drops to 5 Hz, the slow one keeps its pace */
	ck_assert(dt_remove_stream(fast, iff));
	th_sleep(0.2);
	streams = dt_admin(&d, "streams");
	ck_assert_ptr_nonnull(streams);
	ck_assert_msg(strstr(streams, "rate=5 ") != NULL, "%s", streams);
	free(streams);
	dt_drain(slow);
	ns = dt_count_updates(slow, is, 2.0);
	ck_assert_msg(ns >= 6 && ns <= 14, "5 Hz subscriber got %d updates in 2 s", ns);
	th_client_close(slow);
	th_client_close(fast);
}
END_TEST

/* A stream error reaches every subscriber (unstarted ones on StartStream); the entry is gone. */
START_TEST(test_error_fanout)
{
	th_client_t *a = dt_client(&d, "erra", true), *b = dt_client(&d, "errb", true);
	th_client_t *c = dt_client(&d, "errc", true);
	uint64_t ia, ib, ic, again;
	char err[256];
	krpc_value_t *v;

	clean_start();
	v = th_call_value(a, NULL, TS, "ResetInvalidOperationExceptionLater", 0);
	ck_assert_ptr_nonnull(v);
	krpc_value_free(v);
	ia = dt_add(a, true, TS, "ThrowInvalidOperationExceptionLater", 0);
	ib = dt_add(b, true, TS, "ThrowInvalidOperationExceptionLater", 0);
	ic = dt_add(c, false, TS, "ThrowInvalidOperationExceptionLater", 0);
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	ck_assert(wait_error(a, ia, 10.0, err, sizeof err));
	ck_assert_str_eq(err, "Invalid operation");
	ck_assert(wait_error(b, ib, 5.0, err, sizeof err));
	ck_assert_str_eq(err, "Invalid operation");
	ck_assert(dt_wait_stream_rpcs(&d, 0, 5.0));	/* the server removed it */
	ck_assert(dt_start_stream(c, ic));
	ck_assert(wait_error(c, ic, 2.0, err, sizeof err));
	ck_assert_str_eq(err, "Invalid operation");
	/* the next AddStream creates a fresh upstream stream (which fails again at once) */
	again = dt_add(a, true, TS, "ThrowInvalidOperationExceptionLater", 0);
	ck_assert(again != ia && again != UINT64_MAX);
	ck_assert(wait_error(a, again, 5.0, err, sizeof err));
	ck_assert(dt_wait_stream_rpcs(&d, 0, 5.0));
	th_client_close(a);
	th_client_close(b);
	th_client_close(c);
}
END_TEST

/* Clients that vanish: their streams go upstream once nobody uses them. */
START_TEST(test_disconnect_cleanup)
{
	th_client_t *a = dt_client(&d, "gone1", true), *b = dt_client(&d, "gone2", true);
	th_client_t *c = dt_client(&d, "stays", true);
	uint64_t ic;

	clean_start();
	dt_add_tick(a, true);
	dt_add(a, true, TS, "Int32ToString", 1, krpc_value_sint32(1));
	dt_add_tick(b, true);
	dt_add(b, false, TS, "Int32ToString", 1, krpc_value_sint32(2));
	ic = dt_add(c, true, TS, "Int32ToString", 1, krpc_value_sint32(2));
	ck_assert_int_eq(dt_stream_rpcs(&d), 3);
	th_client_close(a);	/* Int32ToString(1) was a's alone */
	ck_assert(dt_wait_stream_rpcs(&d, 2, 5.0));
	th_client_close(b);	/* the tick was shared by a and b */
	ck_assert(dt_wait_stream_rpcs(&d, 1, 5.0));
	ck_assert(dt_remove_stream(c, ic));
	ck_assert(dt_wait_stream_rpcs(&d, 0, 5.0));
	th_client_close(c);
}
END_TEST

/* Closing only the stream connection drops the client's streams; its RPC side goes on. */
START_TEST(test_stream_connection_closed)
{
	th_client_t *a = dt_client(&d, "halfway", true);
	krpc_value_t *v;
	char *e;

	clean_start();
	dt_add_tick(a, true);
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	th_conn_close(a->stream);
	a->stream = NULL;
	ck_assert(dt_wait_stream_rpcs(&d, 0, 5.0));
	v = th_call_value(a, "string", TS, "Int32ToString", 1, krpc_value_sint32(3));
	ck_assert_str_eq(krpc_value_str(v, NULL), "3");
	krpc_value_free(v);
	e = th_call_error(a, NULL, NULL, "KRPC", "AddStream", 2, dt_tick_call(), krpc_value_bool(true));
	ck_assert_str_eq(e, "No stream client is connected for this RPC client");
	free(e);
	th_client_close(a);
}
END_TEST

/* Events are the owner's alone. */
START_TEST(test_events_owner_only)
{
	th_client_t *a = dt_client(&d, "evowner", true), *b = dt_client(&d, "evother", true);
	krpc_value_t *v;
	uint64_t ev, e1, e2, x;
	bool fired;
	char *e;

	clean_start();
	v = th_call_value(a, "event", TS, "OnTimer", 2, krpc_value_uint32(200), krpc_value_uint32(0));
	ev = dt_stream_id(v, true);
	ck_assert(ev != UINT64_MAX);
	ck_assert_int_eq(dt_stream_rpcs(&d), 1);
	e = th_call_error(b, NULL, NULL, "KRPC", "StartStream", 1, krpc_value_uint64(ev));
	ck_assert_str_eq(e, "Stream does not exist with this id");
	free(e);
	ck_assert(dt_start_stream(a, ev));
	v = th_wait_stream(a, ev, "bool", 3.0, NULL, 0);
	ck_assert_ptr_nonnull(v);
	ck_assert(krpc_value_as_bool(v, &fired) == KRPC_OK && fired);
	krpc_value_free(v);
	ck_assert(dt_no_update(b, ev, 0.5));
	/* AddEvent from an expression: never deduplicated, each call a new event */
	v = th_call_value(a, "class(KRPC.Expression)", "KRPC", "Expression_static_ConstantBool", 1,
	    krpc_value_bool(true));
	ck_assert_ptr_nonnull(v);
	ck_assert(krpc_value_as_object(v, &x) == KRPC_OK);
	krpc_value_free(v);
	e1 = dt_stream_id(th_call_value(a, "event", "KRPC", "AddEvent", 1, krpc_value_object(x)), true);
	e2 = dt_stream_id(th_call_value(b, "event", "KRPC", "AddEvent", 1, krpc_value_object(x)), true);
	ck_assert(e1 != UINT64_MAX && e2 != UINT64_MAX && e1 != e2);
	ck_assert_int_eq(dt_stream_rpcs(&d), 3);
	ck_assert(dt_start_stream(b, e2));
	ck_assert(dt_flowing(b, e2, 6, 5.0));
	ck_assert(dt_no_update(a, e1, 0.2));	/* not started: nothing */
	ck_assert(dt_remove_stream(a, ev));
	ck_assert(dt_remove_stream(a, e1));
	ck_assert(dt_remove_stream(b, e2));
	ck_assert(dt_wait_stream_rpcs(&d, 0, 5.0));
	th_client_close(a);
	th_client_close(b);
}
END_TEST

/* Streams of GetClientID, GetClientName and get_Clients are served per client by the proxy. */
START_TEST(test_local_streams)
{
	th_client_t *a = dt_client(&d, "watcher", true), *late;
	krpc_value_t *v;
	const uint8_t *p;
	uint64_t iid, iname, iclients;
	size_t len, n;

	clean_start();
	iid = dt_add(a, true, "KRPC", "GetClientID", 0);
	iname = dt_add(a, false, "KRPC", "GetClientName", 0);
	iclients = dt_add(a, false, "KRPC", "get_Clients", 0);
	ck_assert(iid != UINT64_MAX && iname != UINT64_MAX && iclients != UINT64_MAX);
	ck_assert_int_eq(dt_stream_rpcs(&d), 0);
	v = th_wait_stream(a, iid, "bytes", 2.0, NULL, 0);
	ck_assert_ptr_nonnull(v);
	p = krpc_value_data(v, &len);
	ck_assert(len == 16 && memcmp(p, a->id, 16) == 0);
	krpc_value_free(v);
	ck_assert(dt_start_stream(a, iname));
	v = th_wait_stream(a, iname, "string", 2.0, NULL, 0);
	ck_assert_str_eq(krpc_value_str(v, NULL), "watcher");
	krpc_value_free(v);
	ck_assert(dt_start_stream(a, iclients));
	v = th_wait_stream(a, iclients, "list(tuple(bytes, string, string))", 2.0, NULL, 0);
	ck_assert_ptr_nonnull(v);
	n = krpc_value_count(v);
	krpc_value_free(v);
	late = dt_client(&d, "newcomer", false);
	v = th_wait_stream(a, iclients, "list(tuple(bytes, string, string))", 2.0, NULL, 0);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(krpc_value_count(v), n + 1);
	krpc_value_free(v);
	th_client_close(late);
	th_client_close(a);
}
END_TEST

static Suite *
streams_suite(void)
{
	Suite *s = suite_create("krpcmuxd streams");
	TCase *tc = tcase_create("streams");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_shared_stream);
	tcase_add_test(tc, test_late_subscriber);
	tcase_add_test(tc, test_defaults_normalised);
	tcase_add_test(tc, test_remove_one);
	tcase_add_test(tc, test_foreign_ids);
	tcase_add_test(tc, test_nested_calls);
	tcase_add_test(tc, test_rates);
	tcase_add_test(tc, test_error_fanout);
	tcase_add_test(tc, test_disconnect_cleanup);
	tcase_add_test(tc, test_stream_connection_closed);
	tcase_add_test(tc, test_events_owner_only);
	tcase_add_test(tc, test_local_streams);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(streams_suite());
}
