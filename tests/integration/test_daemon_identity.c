/*
 * krpcmuxd gives each client its own identity where the game keys state on
 * the caller (issue 17): calls tied to the caller (TestService.Counter and
 * CounterStruct, and what upstream.isolate names) run on the client's own
 * upstream session, so counts are per client and start afresh for a new
 * client, as they would on its own connection; their streams are never
 * shared; the session closes with the client.  Against krpc-sim, which
 * counts per caller like the real server, and against kRPC's TestServer
 * itself (daemontest.h).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "daemontest.h"

/* Counter(id) through c: its value, or -1. */
static int
counter(th_client_t *c, const char *id)
{
	krpc_value_t *v = th_call_value(c, "sint32", "TestService", "Counter", 1,
	    krpc_value_string(id));
	int32_t n = -1;

	if (v != NULL && krpc_value_as_sint32(v, &n) != KRPC_OK)
		n = -1;
	krpc_value_free(v);
	return n;
}

/* The names in the simulator's get_Clients, asked directly, joined by '|'. */
static char *
server_clients(struct dt *t)
{
	krpc_value_t *v;
	char *out = calloc(1, 4096);
	size_t i;

	if (t->direct == NULL)
		t->direct = dt_direct(t, "observer", false);
	ck_assert_ptr_nonnull(t->direct);
	v = th_call_value(t->direct, "list(tuple(bytes, string, string))", "KRPC", "get_Clients", 0);

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < krpc_value_count(v); i++) {
		strncat(out, krpc_value_str(krpc_value_item(krpc_value_item(v, i), 1), NULL),
		    4000 - strlen(out));
		strcat(out, "|");
	}
	krpc_value_free(v);
	return out;
}

/* Runs the scenario: two clients count, each on its own, from 1. */
static void
scenario(struct dt *t, int round)
{
	th_client_t *x = dt_client(t, "x", false), *y = dt_client(t, "y", false);

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	ck_assert_msg(counter(x, "") == 1 && counter(x, "") == 2 && counter(x, "") == 3,
	    "round %d: x does not count 1, 2, 3", round);
	ck_assert_msg(counter(y, "") == 1 && counter(y, "") == 2, "round %d: y shares x's count",
	    round);
	ck_assert_int_eq(counter(x, "other"), 1);	/* per id too */
	ck_assert_int_eq(counter(x, ""), 4);
	th_client_close(x);
	th_client_close(y);
}

/* The same scenario twice through one proxy gives the same answers. */
START_TEST(test_counter_per_client)
{
	struct dt t;

	ck_assert_int_eq(dt_start(&t, "count"), 0);
	scenario(&t, 1);
	scenario(&t, 2);
	dt_stop(&t);
}
END_TEST

/* Collects up to n values of a sint32 stream. */
static int
collect(th_client_t *c, uint64_t id, int32_t *out, int n)
{
	krpc_value_t *v;
	int k = 0;

	while (k < n && (v = th_wait_stream(c, id, "sint32", 5.0, NULL, 0)) != NULL) {
		if (krpc_value_as_sint32(v, &out[k]) == KRPC_OK)
			k++;
		krpc_value_free(v);
	}
	return k;
}

/* Streams of Counter are each client's own: never shared, each counting from 1. */
START_TEST(test_counter_streams_not_shared)
{
	struct dt t;
	th_client_t *x, *y;
	uint64_t sx, sy;
	int32_t vx[5], vy[5];
	int i;

	ck_assert_int_eq(dt_start(&t, "cstream"), 0);
	ck_assert_ptr_nonnull(x = dt_client(&t, "x", true));
	ck_assert_ptr_nonnull(y = dt_client(&t, "y", true));
	sx = dt_add(x, true, "TestService", "Counter", 1, krpc_value_string("s"));
	sy = dt_add(y, true, "TestService", "Counter", 1, krpc_value_string("s"));
	ck_assert(sx != UINT64_MAX && sy != UINT64_MAX);
	ck_assert(dt_wait_stream_rpcs(&t, 2, 5.0));	/* two server streams, not one shared */
	ck_assert_int_eq(collect(x, sx, vx, 5), 5);
	ck_assert_int_eq(collect(y, sy, vy, 5), 5);
	for (i = 1; i < 5; i++) {
		ck_assert_int_gt(vx[i], vx[i - 1]);
		ck_assert_int_gt(vy[i], vy[i - 1]);
	}
	ck_assert_int_le(vy[0], 3);	/* y's own count, not x's */
	ck_assert(dt_remove_stream(x, sx));
	ck_assert(dt_wait_stream_rpcs(&t, 1, 5.0));
	th_client_close(x);
	th_client_close(y);
	ck_assert(dt_wait_stream_rpcs(&t, 0, 5.0));
	dt_stop(&t);
}
END_TEST

/*
 * A client's own session is a client of the game, named after it, and
 * closes when the client leaves; plain calls never open one.
 */
START_TEST(test_session_lifetime)
{
	struct dt t;
	th_client_t *x;
	char *names, *a;

	ck_assert_int_eq(dt_start(&t, "life"), 0);
	ck_assert_ptr_nonnull(x = dt_client(&t, "gauge", false));
	ck_assert_ptr_null(th_call_error(x, NULL, NULL, "TestService", "FloatToString", 1,
	    krpc_value_float(1)));
	names = server_clients(&t);
	ck_assert_msg(strstr(names, "gauge") == NULL, "a plain call opened a session: %s", names);
	free(names);
	ck_assert_int_eq(counter(x, ""), 1);
	names = server_clients(&t);
	ck_assert_msg(strstr(names, "gauge (through krpcmuxd)") != NULL, "no session: %s", names);
	free(names);
	ck_assert_ptr_nonnull(a = dt_admin(&t, "stats"));
	ck_assert_int_eq((int)dt_admin_number(a, "sessions_opened"), 1);
	free(a);
	th_client_close(x);
	th_sleep(0.3);
	names = server_clients(&t);
	ck_assert_msg(strstr(names, "gauge") == NULL, "the session outlived its client: %s", names);
	free(names);
	dt_stop(&t);
}
END_TEST

/* upstream.isolate puts a whole service's calls (or one procedure's) on each client's session. */
START_TEST(test_isolate_option)
{
	struct dt t;
	th_client_t *x;
	char *names;

	memset(&t, 0, sizeof t);
	ck_assert_int_eq(dt_sim_start(&t, "iso", false), 0);
	ck_assert_int_eq(dt_daemon_start(&t, "iso", "upstream = { isolate = [\"TestService\"]; };\n",
	    NULL, true), 0);
	ck_assert_ptr_nonnull(x = dt_client(&t, "iso-client", false));
	ck_assert_ptr_null(th_call_error(x, NULL, NULL, "TestService", "FloatToString", 1,
	    krpc_value_float(2)));
	names = server_clients(&t);
	ck_assert_msg(strstr(names, "iso-client (through krpcmuxd)") != NULL, "no session: %s", names);
	free(names);
	th_client_close(x);
	dt_stop(&t);
}
END_TEST

/* A call passed as an argument that is tied to the caller runs for the client too. */
START_TEST(test_nested_caller_call)
{
	struct dt t;
	th_client_t *x, *y;
	krpc_value_t *v;

	ck_assert_int_eq(dt_start(&t, "nested"), 0);
	ck_assert_ptr_nonnull(x = dt_client(&t, "x", false));
	ck_assert_ptr_nonnull(y = dt_client(&t, "y", false));
	ck_assert_int_eq(counter(x, "n"), 1);
	v = th_call_value(y, "dict(string, double)", "Benchmark", "Call", 2, th_proc_call(
	    "TestService", "Counter", 1, krpc_value_string("n")), krpc_value_sint32(1));
	ck_assert_ptr_nonnull(v);
	krpc_value_free(v);
	ck_assert_int_ge(counter(y, "n"), 2);	/* the nested calls counted for y */
	ck_assert_int_eq(counter(x, "n"), 2);	/* and not for x */
	th_client_close(x);
	th_client_close(y);
	dt_stop(&t);
}
END_TEST

static Suite *
identity_suite(void)
{
	Suite *s = suite_create("krpcmuxd: per-client identity");
	TCase *tc = tcase_create("identity");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_counter_per_client);
	tcase_add_test(tc, test_counter_streams_not_shared);
	tcase_add_test(tc, test_session_lifetime);
	tcase_add_test(tc, test_isolate_option);
	tcase_add_test(tc, test_nested_caller_call);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(identity_suite());
}
