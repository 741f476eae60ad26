/*
 * krpcmuxd integration tests, part 6: the daemon as a systemd service.
 * Socket activation through systemd-socket-activate: named descriptors in
 * any order, Unix and TCP.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemontest.h"

static struct dt sim;		/* one server for every test */

static void
setup(void)
{
	memset(&sim, 0, sizeof sim);
	ck_assert_int_eq(dt_sim_start(&sim, "svc", false), 0);
}

static void
teardown(void)
{
	dt_sim_stop(&sim);
}

/* systemd-socket-activate's path, or NULL (the test then skips). */
static const char *
socket_activate(void)
{
	static const char *const paths[] = { "/usr/bin/systemd-socket-activate",
	    "/bin/systemd-socket-activate", "/usr/lib/systemd/systemd-socket-activate" };
	size_t i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	}
	return NULL;
}

/* Waits for a socket file. */
static bool
wait_file(const char *path, double timeout)
{
	struct stat st;
	double end = th_now() + timeout;

	while (stat(path, &st) != 0 && th_now() < end)
		th_sleep(0.02);
	return stat(path, &st) == 0;
}

/*
 * Real socket activation: systemd-socket-activate holds Unix and TCP
 * sockets, stream ones first, named by --fdname (LISTEN_FDNAMES), and
 * starts the daemon on the first connection; clients of both transports
 * are served, and the files stay (they are systemd's).
 */
START_TEST(test_activation_named)
{
	const char *sa = socket_activate(), *argv[32];
	char rpc[256], stream[256], l[4][300], up_rpc[16], up_stream[16], admin[256];
	th_client_t *u, *tcp = NULL;
	th_proc_t *p = NULL;
	int try, rport = 0, sport = 0, n, status;
	struct stat st;
	uint64_t id;

	if (sa == NULL) {
		fprintf(stderr, "SKIP: test_activation_named: systemd-socket-activate is not installed\n");
		return;
	}
	snprintf(rpc, sizeof rpc, "%s", th_tmp("sa-rpc"));
	snprintf(stream, sizeof stream, "%s", th_tmp("sa-stream"));
	snprintf(admin, sizeof admin, "%s", th_tmp("sa-admin"));
	snprintf(up_rpc, sizeof up_rpc, "%d", sim.sim_rpc_port);
	snprintf(up_stream, sizeof up_stream, "%d", sim.sim_stream_port);
	for (try = 0; try < 5 && p == NULL; try++) {	/* a free port may be taken meanwhile */
		rport = th_free_port();
		sport = th_free_port();
		/* the rpc file, bound last, shows that every socket is there */
		snprintf(l[0], sizeof l[0], "--listen=%s", stream);
		snprintf(l[1], sizeof l[1], "--listen=127.0.0.1:%d", sport);
		snprintf(l[2], sizeof l[2], "--listen=127.0.0.1:%d", rport);
		snprintf(l[3], sizeof l[3], "--listen=%s", rpc);
		n = 0;
		argv[n++] = sa;
		argv[n++] = l[0];
		argv[n++] = l[1];
		argv[n++] = l[2];
		argv[n++] = l[3];
		argv[n++] = "--fdname=stream:stream:rpc:rpc";
		argv[n++] = th_bin("daemon/krpcmuxd");
		argv[n++] = "-f";
		argv[n++] = "-c";
		argv[n++] = "/dev/null";
		argv[n++] = "--upstream-rpc-port";
		argv[n++] = up_rpc;
		argv[n++] = "--upstream-stream-port";
		argv[n++] = up_stream;
		argv[n++] = "--admin-path";
		argv[n++] = admin;
		argv[n] = NULL;
		unlink(rpc);
		unlink(stream);
		p = th_spawn(argv, NULL, 0);
		ck_assert_ptr_nonnull(p);
		if (!wait_file(rpc, 5.0)) {
			th_proc_stop(p);
			p = NULL;
		}
	}
	ck_assert_ptr_nonnull(p);
	ck_assert_int_ne(stat(admin, &st), 0);		/* not started yet: on the first connection */
	ck_assert_ptr_nonnull(u = th_client_unix(rpc, stream, "activated-unix"));
	ck_assert(th_proc_wait_output(p, "krpcmuxd: listening rpc=", 10.0));
	ck_assert_msg(strstr(th_proc_stdout(p), rpc) != NULL && strstr(th_proc_stdout(p), stream) != NULL,
	    "%s", th_proc_stdout(p));
	ck_assert(dt_add_tick(u, true) != UINT64_MAX);
	ck_assert_ptr_nonnull(tcp = th_client_tcp(rport, sport, "activated-tcp"));
	ck_assert_msg(strstr(th_proc_stdout(p), "rpc=127.0.0.1:") != NULL, "%s", th_proc_stdout(p));
	ck_assert((id = dt_add_tick(tcp, true)) != UINT64_MAX);
	ck_assert(dt_flowing(tcp, id, 2, 10.0));
	th_client_close(u);
	th_client_close(tcp);
	th_proc_signal(p, SIGTERM);
	status = th_proc_wait(p, 10.0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	ck_assert_int_eq(stat(rpc, &st), 0);		/* systemd's files, not the daemon's */
	ck_assert_int_eq(stat(stream, &st), 0);
	ck_assert_int_ne(stat(admin, &st), 0);		/* the daemon's own */
	th_proc_stop(p);
}
END_TEST

/* A descriptor named neither rpc nor stream: the daemon says which and exits 1. */
START_TEST(test_activation_bad_name)
{
	const char *sa = socket_activate(), *argv[16];
	char rpc[256], stream[256], l[2][300];
	th_conn_t *conn;
	th_proc_t *p;
	int n = 0, status;

	if (sa == NULL) {
		fprintf(stderr, "SKIP: test_activation_bad_name: systemd-socket-activate is not installed\n");
		return;
	}
	snprintf(rpc, sizeof rpc, "%s", th_tmp("sab-rpc"));
	snprintf(stream, sizeof stream, "%s", th_tmp("sab-stream"));
	snprintf(l[0], sizeof l[0], "--listen=%s", rpc);
	snprintf(l[1], sizeof l[1], "--listen=%s", stream);
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = "exec \"$0\" \"$@\" 2>&1";
	argv[n++] = sa;
	argv[n++] = l[0];
	argv[n++] = l[1];
	argv[n++] = "--fdname=rpc:streams";
	argv[n++] = th_bin("daemon/krpcmuxd");
	argv[n++] = "-f";
	argv[n++] = "-c";
	argv[n++] = "/dev/null";
	argv[n++] = "--admin-path";
	argv[n++] = "";
	argv[n] = NULL;
	ck_assert_ptr_nonnull(p = th_spawn(argv, NULL, 0));
	ck_assert(wait_file(stream, 5.0));
	ck_assert_ptr_nonnull(conn = th_connect_unix(rpc));
	status = th_proc_wait(p, 10.0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d", status);
	ck_assert_msg(strstr(th_proc_stdout(p), "socket 4 is named \"streams\", neither \"rpc\" nor "
	    "\"stream\" (FileDescriptorName=)") != NULL, "%s", th_proc_stdout(p));
	th_conn_close(conn);
	th_proc_stop(p);
}
END_TEST

static Suite *
service_suite(void)
{
	Suite *s = suite_create("krpcmuxd as a service");
	TCase *tc = tcase_create("service");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_activation_named);
	tcase_add_test(tc, test_activation_bad_name);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(service_suite());
}
