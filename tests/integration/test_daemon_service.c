/*
 * krpcmuxd integration tests, part 6: the daemon as a systemd service.
 * A real datagram socket stands in for systemd's notification socket: the
 * watchdog pings come from the event loop (and stop while it is held up),
 * STATUS= says clients, streams and the game's state, a reload says
 * RELOADING=1 then READY=1 (a broken file changes nothing and says why).
 * A graceful stop answers the calls in flight (or fails them after
 * limits.stop_timeout) and removes the socket files; a second signal is
 * immediate.  Socket activation through systemd-socket-activate: named
 * descriptors in any order, Unix and TCP.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcntl.h>
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

/* A daemon in front of the shared server, its log (stderr) on its stdout. */
static void
start_daemon(struct dt *t, const char *prefix, const char *conf)
{
	*t = sim;
	t->sim = NULL;
	t->direct = NULL;
	t->log_to_stdout = true;
	ck_assert_int_eq(dt_daemon_start(t, prefix, conf, NULL, true), 0);
}

/* A Unix socket of type (SOCK_DGRAM, SOCK_STREAM) bound at path. */
static int
bound_socket(const char *path, int type)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, type, 0);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	return fd;
}

/* A datagram socket standing in for systemd's $NOTIFY_SOCKET. */
static int
notify_socket(const char *path)
{
	return bound_socket(path, SOCK_DGRAM);
}

/* The next notification within timeout seconds (static buffer), or NULL. */
static const char *
next_notification(int fd, double timeout)
{
	static char buf[2048];
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&pfd, 1, (int)(timeout * 1000)) != 1 || (n = recv(fd, buf, sizeof buf - 1, 0)) <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* Waits for a notification containing text; returns it (static), or NULL. */
static const char *
notified(int fd, const char *text, double timeout)
{
	double end = th_now() + timeout;
	const char *msg;

	while (th_now() < end && (msg = next_notification(fd, end - th_now())) != NULL) {
		if (strstr(msg, text) != NULL)
			return msg;
	}
	return NULL;
}

/* Throws away the notifications already waiting. */
static void
drain_notifications(int fd)
{
	while (next_notification(fd, 0) != NULL)
		;
}

/* CLOCK_MONOTONIC in microseconds, the clock of MONOTONIC_USEC=. */
static unsigned long long
monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
}

/*
 * Pings come from the event loop: steadily while it turns, none while a
 * callback holds it up (the test hook) or the process is stopped, and
 * again after.  STATUS= follows the clients and streams.
 */
START_TEST(test_watchdog)
{
	const char *path = th_tmp("wd-notify"), *msg;
	double last, gap = 0, end;
	th_client_t *c;
	struct dt t;
	int fd = notify_socket(path), pings;

	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "400000", 1);		/* pings every 0.1 s */
	setenv("KRPCMUXD_TEST_STALL", "1.5", 1);
	start_daemon(&t, "wd", NULL);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("KRPCMUXD_TEST_STALL");
	ck_assert_ptr_nonnull(notified(fd, "READY=1", 5.0));
	ck_assert_ptr_nonnull(msg = notified(fd, "STATUS=0 clients, 0 streams shared, 0 owned, "
	    "0 subscriptions; game ready at 127.0.0.1:", 5.0));
	for (pings = 0, end = th_now() + 5; pings < 5 && th_now() < end; pings++)
		ck_assert_ptr_nonnull(notified(fd, "WATCHDOG=1", 2.0));
	ck_assert_ptr_nonnull(c = dt_client(&t, "watched", true));
	ck_assert(dt_add_tick(c, true) != UINT64_MAX);
	ck_assert_ptr_nonnull(notified(fd, "STATUS=1 clients, 1 streams shared, 0 owned, "
	    "1 subscriptions; game ready", 5.0));

	/* held up in a callback for 1.5 s: no ping meanwhile, pings after */
	drain_notifications(fd);
	th_proc_signal(t.daemon, SIGUSR2);
	last = th_now();
	for (end = th_now() + 4; th_now() < end; ) {
		if ((msg = notified(fd, "WATCHDOG=1", end - th_now())) == NULL)
			break;
		if (th_now() - last > gap)
			gap = th_now() - last;
		last = th_now();
	}
	ck_assert_msg(gap >= 1.2, "the longest gap between pings was %.2f s", gap);
	ck_assert_ptr_nonnull(strstr(th_proc_stdout(t.daemon), "test hook: holding the event loop"));

	/* a stopped process sends nothing */
	th_proc_signal(t.daemon, SIGSTOP);
	th_sleep(0.2);
	drain_notifications(fd);
	ck_assert_ptr_null(next_notification(fd, 1.0));
	th_proc_signal(t.daemon, SIGCONT);
	ck_assert_ptr_nonnull(notified(fd, "WATCHDOG=1", 2.0));
	ck_assert_ptr_nonnull(notified(fd, "WATCHDOG=1", 2.0));
	ck_assert_ptr_nonnull(strstr(th_proc_stdout(t.daemon), "the event loop was held up for"));
	th_client_close(c);
	dt_daemon_stop(&t);
	close(fd);
}
END_TEST

/* Without WATCHDOG_USEC no ping; STATUS= says the game is not there while it is not. */
START_TEST(test_status_no_watchdog)
{
	const char *path = th_tmp("st-notify"), *msg;
	struct dt t;
	double end;
	int fd = notify_socket(path);

	memset(&t, 0, sizeof t);
	t.sim_rpc_port = t.sim_stream_port = th_free_port();	/* nobody there */
	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(dt_daemon_start(&t, "nowd", NULL, NULL, false), 0);
	unsetenv("NOTIFY_SOCKET");
	ck_assert_ptr_nonnull(msg = notified(fd, "READY=1", 5.0));
	ck_assert_ptr_nonnull(msg = notified(fd, "Connection refused)", 5.0));
	ck_assert_msg(strstr(msg, "STATUS=0 clients, 0 streams shared, 0 owned, 0 subscriptions; "
	    "game down at 127.0.0.1:") != NULL, "%s", msg);
	for (end = th_now() + 1.5; th_now() < end; )
		ck_assert_ptr_null(notified(fd, "WATCHDOG=1", end - th_now()));
	dt_daemon_stop(&t);
	close(fd);
}
END_TEST

/* Waits for a RELOADING=1 then a READY=1; checks MONOTONIC_USEC= against the test's clock. */
static const char *
expect_reload(int fd, unsigned long long before)
{
	const char *msg = notified(fd, "RELOADING=1", 5.0), *p;
	unsigned long long at;

	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(p = strstr(msg, "MONOTONIC_USEC="));
	at = strtoull(p + strlen("MONOTONIC_USEC="), NULL, 10);
	ck_assert_msg(at >= before && at <= monotonic_usec(), "MONOTONIC_USEC=%llu, sent at %llu",
	    at, before);
	ck_assert_ptr_nonnull(msg = next_notification(fd, 5.0));
	ck_assert_msg(strncmp(msg, "READY=1\n", 8) == 0, "after RELOADING=1: %s", msg);
	return msg;
}

/* SIGHUP: RELOADING=1 with MONOTONIC_USEC=, READY=1; a broken file changes nothing, says why. */
START_TEST(test_reload_notify)
{
	const char *path = th_tmp("re-notify"), *msg;
	unsigned long long before;
	struct dt t;
	char *a;
	int fd = notify_socket(path);

	setenv("NOTIFY_SOCKET", path, 1);
	start_daemon(&t, "renotify", "upstream = { wait = 5.0; };\n");
	unsetenv("NOTIFY_SOCKET");
	ck_assert_ptr_nonnull(notified(fd, "READY=1", 5.0));
	dt_write_file(t.conf, "upstream = { wait = 6.0; };\n");
	before = monotonic_usec();
	th_proc_signal(t.daemon, SIGHUP);
	msg = expect_reload(fd, before);
	ck_assert_msg(strstr(msg, "reload failed") == NULL, "%s", msg);
	a = dt_admin(&t, "config");
	ck_assert_msg(a != NULL && strstr(a, "upstream.wait 6\n") != NULL, "%s", a);
	free(a);

	dt_write_file(t.conf, "upstream = { wait = ;\n");
	before = monotonic_usec();
	th_proc_signal(t.daemon, SIGHUP);
	msg = expect_reload(fd, before);
	ck_assert_msg(strstr(msg, "STATUS=") != NULL &&
	    strstr(msg, "; reload failed, previous configuration kept: ") != NULL &&
	    strstr(msg, "syntax error") != NULL, "%s", msg);
	ck_assert(th_proc_wait_output(t.daemon, "reload failed, keeping the current configuration", 2.0));
	a = dt_admin(&t, "config");
	ck_assert_msg(a != NULL && strstr(a, "upstream.wait 6\n") != NULL, "%s", a);
	free(a);

	/* the admin's reload says the same, and a good file clears the failure */
	dt_write_file(t.conf, "upstream = { wait = 7.0; };\n");
	a = dt_admin(&t, "reload");
	ck_assert_msg(a != NULL && strncmp(a, "ok", 2) == 0, "%s", a);
	free(a);
	msg = expect_reload(fd, 0);
	ck_assert_msg(strstr(msg, "reload failed") == NULL, "%s", msg);
	dt_daemon_stop(&t);
	close(fd);
}
END_TEST

/* The int32 of a one-call Response (sint32, zigzag); fails the test on an error. */
static int32_t
response_sint32(Krpc__Schema__Response *r)
{
	uint64_t v = 0;
	size_t i;

	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->error == NULL && r->n_results == 1 && r->results[0]->error == NULL,
	    "the call failed");
	for (i = 0; i < r->results[0]->value.len && i < 10; i++) {
		v |= (uint64_t)(r->results[0]->value.data[i] & 0x7f) << (7 * i);
		if ((r->results[0]->value.data[i] & 0x80) == 0)
			break;
	}
	krpc__schema__response__free_unpacked(r, NULL);
	return (int32_t)((v >> 1) ^ (~(v & 1) + 1));
}

/* True if none of the daemon's socket files is left. */
static bool
sockets_gone(const struct dt *t)
{
	struct stat st;

	return stat(t->rpc, &st) != 0 && stat(t->stream, &st) != 0 && stat(t->admin, &st) != 0;
}

/* Sends TestService.BlockingProcedure(n): it returns after n server updates. */
static th_client_t *
blocking_call(struct dt *t, int n)
{
	th_client_t *c = dt_client(t, "blocked", true);

	ck_assert_ptr_nonnull(c);
	dt_send(c, "TestService", "BlockingProcedure", 1, krpc_value_sint32(n), NULL);
	th_sleep(0.2);		/* read by the proxy and sent upstream */
	return c;
}

/* SIGTERM with a call in flight: the socket files go at once, the call is answered, then exit 0. */
START_TEST(test_stop_answers)
{
	th_client_t *c, *idle;
	struct dt t;
	int status;

	start_daemon(&t, "stopans", "limits = { stop_timeout = 60.0; };\n");
	ck_assert_ptr_nonnull(idle = dt_client(&t, "idle", true));
	c = blocking_call(&t, 90);		/* 1.5 s at 60 updates a second */
	th_proc_signal(t.daemon, SIGTERM);
	ck_assert(th_wait_closed(idle->rpc, 5.0));	/* nothing in flight: closed at once */
	ck_assert(sockets_gone(&t));
	ck_assert_int_eq(kill(th_proc_pid(t.daemon), 0), 0);	/* still answering */
	ck_assert_int_eq(response_sint32(th_recv_response(c, 30.0)), 90 * 91 / 2);
	ck_assert(th_wait_closed(c->rpc, 5.0));
	status = th_proc_wait(t.daemon, 10.0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	ck_assert(th_proc_wait_output(t.daemon, "answering its 1 requests first", 0.1));
	ck_assert(th_proc_wait_output(t.daemon, "\"blocked\"): disconnected: the proxy is shutting "
	    "down (after its answers)", 0.1));
	th_client_close(idle);
	th_client_close(c);
	dt_daemon_stop(&t);
}
END_TEST

/* A call that outlasts limits.stop_timeout fails with a clear error; the daemon exits 0. */
START_TEST(test_stop_timeout)
{
	Krpc__Schema__Response *r;
	th_client_t *c;
	struct dt t;
	char *desc;
	int status;

	start_daemon(&t, "stopto", "limits = { stop_timeout = 0.5; };\n");
	c = blocking_call(&t, 1000000);
	th_proc_signal(t.daemon, SIGTERM);
	ck_assert_ptr_nonnull(r = th_recv_response(c, 10.0));
	desc = dt_error(r, NULL, NULL);
	ck_assert_msg(desc != NULL && strstr(desc, "krpcmuxd: shutting down; the call did not "
	    "complete within 0.5 s (limits.stop_timeout)") != NULL, "%s", desc ? desc : "(no error)");
	free(desc);
	krpc__schema__response__free_unpacked(r, NULL);
	status = th_proc_wait(t.daemon, 10.0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	ck_assert(sockets_gone(&t));
	th_client_close(c);
	dt_daemon_stop(&t);
}
END_TEST

/* A second SIGTERM does not wait for the call (limits.stop_timeout is a minute). */
START_TEST(test_stop_second_signal)
{
	const char *path = th_tmp("stop2-notify");
	th_client_t *c;
	struct dt t;
	int status, fd = notify_socket(path);

	setenv("NOTIFY_SOCKET", path, 1);
	start_daemon(&t, "stop2", "limits = { stop_timeout = 60.0; };\n");
	unsetenv("NOTIFY_SOCKET");
	c = blocking_call(&t, 1000000);
	th_proc_signal(t.daemon, SIGTERM);
	ck_assert_ptr_nonnull(notified(fd, "STOPPING=1\nSTATUS=stopping: 1 clients,", 5.0));
	ck_assert(sockets_gone(&t));
	th_proc_signal(t.daemon, SIGINT);
	status = th_proc_wait(t.daemon, 10.0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	ck_assert(th_proc_wait_output(t.daemon, "second signal: exiting now", 0.1));
	ck_assert(th_wait_closed(c->rpc, 5.0));
	th_client_close(c);
	dt_daemon_stop(&t);
	close(fd);
}
END_TEST

/* sd_notify: READY=1 once listening, STOPPING=1 on the way out. */
START_TEST(test_systemd_notify)
{
	struct dt t;
	const char *path = th_tmp("notify");
	int fd = notify_socket(path);

	setenv("NOTIFY_SOCKET", path, 1);
	start_daemon(&t, "notify", NULL);
	unsetenv("NOTIFY_SOCKET");
	ck_assert_ptr_nonnull(notified(fd, "READY=1", 5.0));
	th_proc_signal(t.daemon, SIGTERM);
	ck_assert_ptr_nonnull(notified(fd, "STOPPING=1", 5.0));
	dt_daemon_stop(&t);
	close(fd);
}
END_TEST

/* A listening Unix socket at path. */
static int
unix_listener(const char *path)
{
	int fd = bound_socket(path, SOCK_STREAM);

	ck_assert_int_eq(listen(fd, 8), 0);
	return fd;
}

/* Socket activation: the daemon uses the sockets it is given and leaves their files alone. */
START_TEST(test_socket_activation)
{
	char rpc[256], stream[256], out[256], bin[512];
	char rport[16], sport[16], pidtext[16], text[512] = "";
	int lr, ls, fd, status;
	th_client_t *c;
	struct stat st;
	double end;
	pid_t pid;

	snprintf(rpc, sizeof rpc, "%s", th_tmp("act-rpc"));	/* th_tmp's slots rotate */
	snprintf(stream, sizeof stream, "%s", th_tmp("act-stream"));
	snprintf(out, sizeof out, "%s", th_tmp("act.out"));
	snprintf(bin, sizeof bin, "%s", th_bin("daemon/krpcmuxd"));
	lr = unix_listener(rpc);
	ls = unix_listener(stream);
	snprintf(rport, sizeof rport, "%d", sim.sim_rpc_port);
	snprintf(sport, sizeof sport, "%d", sim.sim_stream_port);
	if ((pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, STDOUT_FILENO);
		dup2(lr, 3);
		dup2(ls, 4);
		snprintf(pidtext, sizeof pidtext, "%ld", (long)getpid());
		setenv("LISTEN_PID", pidtext, 1);
		setenv("LISTEN_FDS", "2", 1);
		setenv("LISTEN_FDNAMES", "rpc:stream", 1);
		execl(bin, bin, "-f", "-c", "/dev/null", "--upstream-rpc-port", rport,
		    "--upstream-stream-port", sport, "--admin-path", "", (char *)NULL);
		_exit(127);
	}
	close(lr);
	close(ls);
	for (end = th_now() + 10; th_now() < end && strstr(text, "listening") == NULL; th_sleep(0.02)) {
		FILE *f = fopen(out, "r");

		if (f != NULL) {
			text[fread(text, 1, sizeof text - 1, f)] = '\0';
			fclose(f);
		}
	}
	ck_assert_msg(strstr(text, "krpcmuxd: listening rpc=") != NULL, "%s", text);
	ck_assert_msg(strstr(text, rpc) != NULL && strstr(text, stream) != NULL, "%s", text);
	c = th_client_unix(rpc, stream, "activated");
	ck_assert_ptr_nonnull(c);
	ck_assert(dt_add_tick(c, true) != UINT64_MAX);
	th_client_close(c);
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(stat(rpc, &st), 0);	/* systemd's files, not the daemon's */
	ck_assert_int_eq(stat(stream, &st), 0);
}
END_TEST

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
	tcase_add_test(tc, test_watchdog);
	tcase_add_test(tc, test_status_no_watchdog);
	tcase_add_test(tc, test_reload_notify);
	tcase_add_test(tc, test_stop_answers);
	tcase_add_test(tc, test_stop_timeout);
	tcase_add_test(tc, test_stop_second_signal);
	tcase_add_test(tc, test_systemd_notify);
	tcase_add_test(tc, test_socket_activation);
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
