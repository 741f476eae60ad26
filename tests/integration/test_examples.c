/*
 * Runs every example (examples/) against krpc-sim, through krpcmuxd when
 * the daemon is built (else directly), with bounded counts, drives the game
 * from a separate client where an example waits for something (abort, the
 * launch), and checks what each example prints.
 */
#include <sys/wait.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "krpcmux/krpcmux.h"
#include <krpcmux/KRPC.h>
#include "SpaceCenter.h"

/* Where the examples connect: the proxy, or the simulator without it. */
static struct {
	th_proc_t	*sim;
	th_proc_t	*daemon;
	char		 sim_rpc[256];
	char		 sim_stream[256];
	int		 sim_rpc_port;
	int		 sim_stream_port;
	char		 rpc[256];		/* Unix sockets the examples use */
	char		 stream[256];
	int		 rpc_port;		/* TCP ports the examples use */
	int		 stream_port;
	unsigned	 idle_streams;		/* stream_rpcs with no example running */
} ex;

/* Asserts a library call succeeded. */
#define OK(expr) do {								\
	krpc_code_t ok_rc_ = (expr);						\
	ck_assert_msg(ok_rc_ == KRPC_OK, "%s: %s", #expr, krpc_error_message());	\
} while (0)

/* Starts krpc-sim on ephemeral TCP ports and temporary Unix sockets. */
static bool
ex_start_sim(void)
{
	const char *argv[12], *p;
	int n = 0;

	snprintf(ex.sim_rpc, sizeof ex.sim_rpc, "%s", th_tmp("sim-rpc"));
	snprintf(ex.sim_stream, sizeof ex.sim_stream, "%s", th_tmp("sim-stream"));
	argv[n++] = th_bin("tests/sim/krpc-sim");
	argv[n++] = "--rpc-port";
	argv[n++] = "0";
	argv[n++] = "--stream-port";
	argv[n++] = "0";
	argv[n++] = "--rpc-path";
	argv[n++] = ex.sim_rpc;
	argv[n++] = "--stream-path";
	argv[n++] = ex.sim_stream;
	argv[n++] = "--quiet";
	argv[n] = NULL;
	if ((ex.sim = th_spawn(argv, "krpc-sim: listening", 20.0)) == NULL ||
	    !th_proc_wait_output(ex.sim, "stream=/", 10.0) ||
	    !th_proc_wait_output(ex.sim, "stream=127.0.0.1:", 10.0))
		return false;
	p = strstr(th_proc_stdout(ex.sim), "rpc=127.0.0.1:");
	return p != NULL && sscanf(p, "rpc=127.0.0.1:%d stream=127.0.0.1:%d", &ex.sim_rpc_port,
	    &ex.sim_stream_port) == 2;
}

/* Starts krpcmuxd in front of the simulator, listening on Unix sockets and TCP. */
static bool
ex_start_daemon(void)
{
	const char *argv[24];
	char rpcport[16], streamport[16];
	FILE *f;
	int n = 0;

	snprintf(ex.rpc, sizeof ex.rpc, "%s", th_tmp("rpc"));
	snprintf(ex.stream, sizeof ex.stream, "%s", th_tmp("stream"));
	ex.rpc_port = th_free_port();
	ex.stream_port = th_free_port();
	snprintf(rpcport, sizeof rpcport, "%d", ex.rpc_port);
	snprintf(streamport, sizeof streamport, "%d", ex.stream_port);
	if ((f = fopen(th_tmp("krpcmuxd.conf"), "w")) == NULL)
		return false;
	fputs("# the examples' test: everything on the command line\n", f);
	fclose(f);
	argv[n++] = th_bin("daemon/krpcmuxd");
	argv[n++] = "-f";
	argv[n++] = "-c";
	argv[n++] = th_tmp("krpcmuxd.conf");
	argv[n++] = "--upstream-rpc-path";
	argv[n++] = ex.sim_rpc;
	argv[n++] = "--upstream-stream-path";
	argv[n++] = ex.sim_stream;
	argv[n++] = "--rpc-path";
	argv[n++] = ex.rpc;
	argv[n++] = "--stream-path";
	argv[n++] = ex.stream;
	argv[n++] = "--rpc-port";
	argv[n++] = rpcport;
	argv[n++] = "--stream-port";
	argv[n++] = streamport;
	argv[n++] = "--admin-path";
	argv[n++] = th_tmp("admin");
	argv[n++] = "--log-level";
	argv[n++] = "warn";
	argv[n] = NULL;
	return (ex.daemon = th_spawn(argv, "krpcmuxd: listening", 20.0)) != NULL;
}

/* The GetStatus counters of the server behind the examples. */
static void
ex_status(krpc_client_t *c, unsigned *streams, uint64_t *executed)
{
	KRPC_Status st;

	OK(KRPC_GetStatus(c, &st));
	*streams = st.stream_rpcs;
	if (executed != NULL)
		*executed = st.stream_rpcs_executed;
	KRPC_Status_free(&st);
}

/* A client driving the game, connected where the examples connect. */
static krpc_client_t *
ex_driver(void)
{
	krpc_client_t *c = NULL;

	OK(krpc_connect_local(&c, "test_examples driver", ex.rpc, ex.stream));
	return c;
}

/* Unchecked fixture: the simulator, and krpcmuxd in front of it when built. */
static void
ex_setup(void)
{
	krpc_client_t *c;

	memset(&ex, 0, sizeof ex);
	if (!ex_start_sim()) {
		fprintf(stderr, "test_examples: krpc-sim did not start\n");
		return;
	}
	if (access(th_bin("daemon/krpcmuxd"), X_OK) == 0) {
		if (!ex_start_daemon())
			fprintf(stderr, "test_examples: krpcmuxd did not start\n");
		else
			fprintf(stderr, "test_examples: examples run through krpcmuxd\n");
	} else {
		fprintf(stderr, "test_examples: no daemon/krpcmuxd: examples run against krpc-sim\n");
		snprintf(ex.rpc, sizeof ex.rpc, "%s", ex.sim_rpc);
		snprintf(ex.stream, sizeof ex.stream, "%s", ex.sim_stream);
		ex.rpc_port = ex.sim_rpc_port;
		ex.stream_port = ex.sim_stream_port;
	}
	/* Streams the server holds with no example running (none expected). */
	if (krpc_connect_local(&c, "test_examples setup", ex.rpc, ex.stream) == KRPC_OK) {
		KRPC_Status st;

		if (KRPC_GetStatus(c, &st) == KRPC_OK)
			ex.idle_streams = st.stream_rpcs;
		KRPC_Status_free(&st);
		krpc_client_close(c);
	}
}

/* Unchecked fixture: stops what ex_setup() started. */
static void
ex_teardown(void)
{
	th_proc_stop(ex.daemon);
	th_proc_stop(ex.sim);
	ex.daemon = ex.sim = NULL;
}

/* Starts an example on the Unix sockets (tcp: on the TCP ports instead), with extra arguments. */
static th_proc_t *
ex_run(const char *name, bool tcp, const char *const *extra)
{
	const char *argv[16];
	char path[64], rpcport[16], streamport[16];
	th_proc_t *p;
	int n = 0;

	ck_assert_msg(ex.sim != NULL && (ex.daemon != NULL || strcmp(ex.rpc, ex.sim_rpc) == 0),
	    "the servers did not start");
	snprintf(path, sizeof path, "examples/%s", name);
	argv[n++] = th_bin(path);
	if (tcp) {
		snprintf(rpcport, sizeof rpcport, "%d", ex.rpc_port);
		snprintf(streamport, sizeof streamport, "%d", ex.stream_port);
		argv[n++] = "--address";
		argv[n++] = "127.0.0.1";
		argv[n++] = "--rpc-port";
		argv[n++] = rpcport;
		argv[n++] = "--stream-port";
		argv[n++] = streamport;
	} else {
		argv[n++] = "--rpc-path";
		argv[n++] = ex.rpc;
		argv[n++] = "--stream-path";
		argv[n++] = ex.stream;
	}
	while (extra != NULL && *extra != NULL && n < 15)
		argv[n++] = *extra++;
	argv[n] = NULL;
	p = th_spawn(argv, NULL, 0);
	ck_assert_msg(p != NULL, "cannot start %s", name);
	return p;
}

/* Waits for an example to exit successfully; its output (malloc'd). */
static char *
ex_finish(th_proc_t *p, const char *name, double timeout)
{
	int status = th_proc_wait(p, timeout);
	char *out = strdup(th_proc_stdout(p));

	ck_assert_msg(status != -1, "%s did not finish in %.0f s; it printed: %s", name, timeout, out);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s failed (wait status %#x); it printed: %s", name, status, out);
	th_proc_stop(p);
	return out;
}

/* Runs an example to completion; its output (malloc'd). */
static char *
ex_output(const char *name, bool tcp, const char *const *extra)
{
	return ex_finish(ex_run(name, tcp, extra), name, 30.0);
}

/* The server's version, as the examples should print it. */
static char *
ex_version(void)
{
	krpc_client_t *c = ex_driver();
	KRPC_Status st;
	char *v;

	OK(KRPC_GetStatus(c, &st));
	v = malloc(strlen(st.version) + 2);
	sprintf(v, "%s\n", st.version);
	KRPC_Status_free(&st);
	krpc_client_close(c);
	return v;
}

/* Checks lines of "(x, y, z)" positions on the pad (y is Kerbin's radius plus the altitude). */
static void
ex_check_positions(const char *out, int lines)
{
	const char *p = out;
	double x, y, z;
	int n = 0, used;

	while (*p != '\0') {
		ck_assert_msg(sscanf(p, "(%lf, %lf, %lf)%n", &x, &y, &z, &used) == 3 && p[used] == '\n',
		    "not a position line: %s", p);
		ck_assert_msg(y > 600000.0 && y < 601000.0, "position off the pad: %s", p);
		p += used + 1;
		n++;
	}
	ck_assert_int_eq(n, lines);
}

/* Checks lines of altitudes as Python prints floats ("70.0"). */
static void
ex_check_altitudes(const char *out, int lines)
{
	const char *p = out;
	char *end;
	double alt;
	int n = 0;

	while (*p != '\0') {
		alt = strtod(p, &end);
		ck_assert_msg(end != p && *end == '\n' && strchr(p, '.') < end, "not a float line: %s", p);
		ck_assert_msg(alt > 0 && alt < 1000, "altitude off the pad: %s", p);
		p = end + 1;
		n++;
	}
	ck_assert_int_eq(n, lines);
}

/* The active vessel's controls. */
static SpaceCenter_Control
ex_control(krpc_client_t *c)
{
	SpaceCenter_Vessel vessel;
	SpaceCenter_Control control;

	OK(SpaceCenter_get_ActiveVessel(c, &vessel));
	OK(SpaceCenter_Vessel_get_Control(c, vessel, &control));
	return control;
}

/*
 * Waits until no example's stream is left on the server (removals finish
 * asynchronously), then sets abort.
 */
static void
ex_prepare_abort(krpc_client_t *c, bool on)
{
	double end = th_now() + 15.0;
	unsigned streams;

	for (ex_status(c, &streams, NULL); streams > ex.idle_streams; ex_status(c, &streams, NULL)) {
		ck_assert_msg(th_now() < end, "%u streams still registered", streams);
		th_sleep(0.02);
	}
	OK(SpaceCenter_Control_set_Abort(c, ex_control(c), on));
}

/*
 * Waits until an example's stream (or event) is registered and has been
 * evaluated at least twice, so that the example is reading or waiting.
 */
static void
ex_wait_stream_running(krpc_client_t *c, th_proc_t *p)
{
	double end = th_now() + 15.0;
	unsigned streams = 0;
	uint64_t executed = 0, first = 0;

	for (;;) {
		ck_assert_msg(th_now() < end, "the example's stream never ran; it printed: %s",
		    th_proc_stdout(p));
		ex_status(c, &streams, &executed);
		if (streams > ex.idle_streams && first == 0)
			first = executed + 1;
		if (first != 0 && executed >= first + 1)
			return;
		th_sleep(0.02);
	}
}

START_TEST(test_connect)
{
	char *version = ex_version(), *out;

	out = ex_output("connect", false, NULL);
	ck_assert_str_eq(out, version);
	free(out);
	out = ex_output("connect", true, NULL);
	ck_assert_str_eq(out, version);
	free(out);
	free(version);
}
END_TEST

START_TEST(test_connect_remote)
{
	static const char *const name[] = { "--name", "remote example", NULL };
	char *version = ex_version(), *out;

	out = ex_output("connect_remote", true, NULL);
	ck_assert_str_eq(out, version);
	free(out);
	out = ex_output("connect_remote", false, name);
	ck_assert_str_eq(out, version);
	free(out);
	free(version);
}
END_TEST

START_TEST(test_vessel_altitude)
{
	krpc_client_t *c;
	SpaceCenter_Vessel vessel;
	char *out = ex_output("vessel_altitude", false, NULL), *name = NULL;

	ex_check_altitudes(out, 1);
	free(out);
	c = ex_driver();
	OK(SpaceCenter_get_ActiveVessel(c, &vessel));
	OK(SpaceCenter_Vessel_get_Name(c, vessel, &name));
	ck_assert_str_eq(name, "My Vessel");
	free(name);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_positions)
{
	static const char *const three[] = { "--count", "3", NULL };
	static const char *const names[] = { "position_loop", "position_stream", "position_scoped" };
	size_t i;
	char *out;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		out = ex_output(names[i], false, three);
		ex_check_positions(out, 3);
		free(out);
	}
	out = ex_output("position_stream", true, three);
	ex_check_positions(out, 3);
	free(out);
}
END_TEST

START_TEST(test_altitude_stream)
{
	static const char *const five[] = { "-n", "5", NULL };
	char *out = ex_output("altitude_stream", false, five);

	ex_check_altitudes(out, 5);
	free(out);
}
END_TEST

START_TEST(test_status)
{
	char *out = ex_output("status", false, NULL), *version = ex_version();
	static const char *const fields[] = { "rpcs_executed: ", "stream_rpcs: ",
	    "stream_rpcs_executed: ", "bytes_read: ", "bytes_written: " };
	unsigned long long n;
	const char *p;
	size_t i;

	ck_assert_msg(strncmp(out, "version: ", 9) == 0 && strncmp(out + 9, version, strlen(version)) == 0,
	    "%s", out);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		ck_assert_msg((p = strstr(out, fields[i])) != NULL, "no %s in %s", fields[i], out);
		ck_assert_int_eq(sscanf(p + strlen(fields[i]), "%llu", &n), 1);
	}
	ck_assert_int_eq(sscanf(strstr(out, "rpcs_executed: ") + 15, "%llu", &n), 1);
	ck_assert_uint_gt(n, 0);
	free(version);
	free(out);
}
END_TEST

/* Examples 8 and 9: they wait for abort and print nothing. */
static void
ex_abort_wait(const char *name)
{
	krpc_client_t *c = ex_driver();
	th_proc_t *p;
	char *out;

	ex_prepare_abort(c, false);
	p = ex_run(name, false, NULL);
	ex_wait_stream_running(c, p);
	OK(SpaceCenter_Control_set_Abort(c, ex_control(c), true));
	out = ex_finish(p, name, 15.0);
	ck_assert_str_eq(out, "");
	free(out);
	krpc_client_close(c);
}

START_TEST(test_abort_condition)
{
	ex_abort_wait("abort_condition");
}
END_TEST

START_TEST(test_abort_acquire)
{
	ex_abort_wait("abort_acquire");
}
END_TEST

START_TEST(test_abort_callbacks)
{
	static const char *const four[] = { "--count", "4", NULL };
	krpc_client_t *c = ex_driver();
	th_proc_t *p;
	char *out;

	ex_prepare_abort(c, false);
	p = ex_run("abort_callbacks", false, four);
	ck_assert(th_proc_wait_output(p, "Abort 2 called with a value of False\n", 15.0));
	OK(SpaceCenter_Control_set_Abort(c, ex_control(c), true));
	out = ex_finish(p, "abort_callbacks", 15.0);
	ck_assert_str_eq(out,
	    "Abort 1 called with a value of False\n"
	    "Abort 2 called with a value of False\n"
	    "Abort 1 called with a value of True\n"
	    "Abort 2 called with a value of True\n");
	free(out);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_altitude_event)
{
	krpc_client_t *c = ex_driver();
	SpaceCenter_Control control = ex_control(c);
	th_proc_t *p;
	char *out;

	ex_prepare_abort(c, false);
	p = ex_run("altitude_event", false, NULL);
	ex_wait_stream_running(c, p);
	ck_assert_str_eq(th_proc_stdout(p), "");	/* still on the pad */
	/* Launch: full throttle, then the first stage. */
	OK(SpaceCenter_Control_set_Throttle(c, control, 1.0f));
	OK(SpaceCenter_Control_ActivateNextStage(c, control, NULL));
	out = ex_finish(p, "altitude_event", 40.0);
	ck_assert_str_eq(out, "Altitude reached 1000m\n");
	free(out);
	krpc_client_close(c);
}
END_TEST

START_TEST(test_dashboard)
{
	static const char *const args[] = { "--seconds", "2", "--rate", "10", "--name", "dash", NULL };
	char *out = ex_output("dashboard", false, args);
	double ut, alt, vs;
	char abort_on[8];
	unsigned long updates;
	const char *p = out;
	int second, used, n = 0;

	while (*p != '\0') {
		ck_assert_msg(sscanf(p, "t=%ds ut=%lf alt=%lfm vs=%lfm/s abort=%7s updates=%lu%n",
		    &second, &ut, &alt, &vs, abort_on, &updates, &used) == 6 && p[used] == '\n',
		    "not a dashboard line: %s", p);
		ck_assert_int_eq(second, n + 1);
		ck_assert_msg(alt > 1000.0 && vs > 0.0, "not climbing after the launch: %s", p);
		ck_assert_str_eq(abort_on, "no");
		ck_assert_uint_gt(updates, 0);
		p += used + 1;
		n++;
	}
	ck_assert_int_eq(n, 2);
	free(out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("examples");
	TCase *tc = tcase_create("examples");
	SRunner *sr;
	int failed;

	/* One server for all: the tests run in this order and share the game's state. */
	tcase_add_unchecked_fixture(tc, ex_setup, ex_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_connect);
	tcase_add_test(tc, test_connect_remote);
	tcase_add_test(tc, test_vessel_altitude);
	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_altitude_stream);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_abort_condition);
	tcase_add_test(tc, test_abort_acquire);
	tcase_add_test(tc, test_abort_callbacks);
	tcase_add_test(tc, test_altitude_event);
	tcase_add_test(tc, test_dashboard);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
