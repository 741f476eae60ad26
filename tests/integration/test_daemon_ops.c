/*
 * krpcmuxd integration tests, part 5: operating the daemon.  SIGHUP reloads
 * (a bad file changes nothing), the admin socket, daemon mode (the command
 * returns once ready) and the client limit.  Systemd's side (notifications,
 * socket activation) is test_daemon_service.c.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemontest.h"

static struct dt sim;		/* one server for every test (krpc-sim or the TestServer) */
static char detached_pidfile[256];

static void
setup(void)
{
	memset(&sim, 0, sizeof sim);
	ck_assert_int_eq(dt_sim_start(&sim, "ops", false), 0);
	snprintf(detached_pidfile, sizeof detached_pidfile, "%s", th_tmp("detached.pid"));
}

/* Also kills a detached daemon a failed test may have left behind. */
static void
teardown(void)
{
	FILE *f = fopen(detached_pidfile, "r");
	long pid;

	if (f != NULL) {
		if (fscanf(f, "%ld", &pid) == 1 && pid > 1)
			kill((pid_t)pid, SIGKILL);
		fclose(f);
		unlink(detached_pidfile);
	}
	dt_sim_stop(&sim);
}

/* A daemon in front of the shared server. */
static void
start_daemon(struct dt *t, const char *prefix, const char *conf, const char *const *extra)
{
	*t = sim;
	t->sim = NULL;
	t->direct = NULL;
	ck_assert_int_eq(dt_daemon_start(t, prefix, conf, extra, true), 0);
}

/* Polls the admin socket until its answer to command contains text. */
static bool
admin_wait(struct dt *t, const char *command, const char *text, double timeout)
{
	double end = th_now() + timeout;
	char *a;
	bool found;

	do {
		a = dt_admin(t, command);
		found = a != NULL && strstr(a, text) != NULL;
		free(a);
		if (found)
			return true;
		th_sleep(0.02);
	} while (th_now() < end);
	return false;
}

/* SIGHUP: reloadable options change, the others wait for a restart, a bad file changes nothing. */
START_TEST(test_reload)
{
	struct dt t;
	th_client_t *c;
	char *a;

	start_daemon(&t, "reload", "upstream = { wait = 5.0; };\n", NULL);
	ck_assert(admin_wait(&t, "config", "upstream.wait 5\n", 2.0));
	dt_write_file(t.conf, "upstream = { wait = 7.5; rpc_port = 1234; };\nlog = { level = \"debug\"; };\n");
	th_proc_signal(t.daemon, SIGHUP);
	ck_assert(admin_wait(&t, "config", "upstream.wait 7.5\n", 5.0));
	a = dt_admin(&t, "config");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(strstr(a, "log.level debug\n"));
	ck_assert_ptr_null(strstr(a, "upstream.rpc_port 1234\n"));	/* needs a restart */
	free(a);
	dt_write_file(t.conf, "upstream = { wait = ;\n");
	th_proc_signal(t.daemon, SIGHUP);
	th_sleep(0.3);
	ck_assert(admin_wait(&t, "config", "upstream.wait 7.5\n", 1.0));
	a = dt_admin(&t, "reload");
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(strncmp(a, "error ", 6) == 0 && strstr(a, "syntax error") != NULL, "%s", a);
	free(a);
	dt_write_file(t.conf, "upstream = { wait = 2.0; };\n");
	a = dt_admin(&t, "reload json");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a, "{\"ok\":\"configuration reloaded\"}\n");
	free(a);
	ck_assert(admin_wait(&t, "config", "upstream.wait 2\n", 1.0));
	c = dt_client(&t, "still-there", false);	/* the session survived all that */
	ck_assert_ptr_nonnull(c);
	th_client_close(c);
	dt_daemon_stop(&t);
}
END_TEST

/*
 * What the man page calls reloadable takes effect on SIGHUP: the client
 * limit for the next connection, the slow lanes for the next yielding call.
 */
START_TEST(test_reload_applies)
{
	struct dt t;
	th_client_t *a, *b, *c;
	th_conn_t *extra;
	krpc_value_t *v;

	start_daemon(&t, "reapply", NULL, NULL);
	ck_assert_ptr_nonnull(a = dt_client(&t, "first", false));
	ck_assert_ptr_nonnull(b = dt_client(&t, "second", false));
	dt_write_file(t.conf, "limits = { max_clients = 2; };\nupstream = { slow_lanes = 0; };\n");
	th_proc_signal(t.daemon, SIGHUP);
	ck_assert(admin_wait(&t, "config", "limits.max_clients 2\n", 5.0));
	ck_assert_ptr_nonnull(extra = th_connect_unix(t.rpc));
	ck_assert(th_wait_closed(extra, 5.0));	/* refused: the limit is 2 now */
	th_conn_close(extra);
	v = th_call_value(a, "sint32", "TestService", "BlockingProcedure", 1, krpc_value_sint32(2));
	ck_assert_ptr_nonnull(v);
	krpc_value_free(v);
	ck_assert(admin_wait(&t, "stats", "\nupstream_slow_requests 0\n", 1.0));
	ck_assert(admin_wait(&t, "upstream", "\nslow_lanes 0\n", 1.0));
	dt_write_file(t.conf, "limits = { max_clients = 3; };\n");
	th_proc_signal(t.daemon, SIGHUP);
	ck_assert(admin_wait(&t, "config", "limits.max_clients 3\n", 5.0));
	ck_assert_ptr_nonnull(c = dt_client(&t, "third", false));
	v = th_call_value(c, "sint32", "TestService", "BlockingProcedure", 1, krpc_value_sint32(2));
	ck_assert_ptr_nonnull(v);
	krpc_value_free(v);
	ck_assert(admin_wait(&t, "stats", "\nupstream_slow_requests 1\n", 1.0));
	th_client_close(a);
	th_client_close(b);
	th_client_close(c);
	dt_daemon_stop(&t);
}
END_TEST

/* Runs krpcmuxctl; returns its exit status and its output (static). */
static int
ctl(const char *admin, const char *cmd, const char *flag, const char **output)
{
	static char out[8192];
	int pipefd[2], status;
	ssize_t n, got = 0;
	char bin[512];
	pid_t pid;

	snprintf(bin, sizeof bin, "%s", th_bin("daemon/krpcmuxctl"));
	ck_assert_int_eq(pipe(pipefd), 0);
	if ((pid = fork()) == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		execl(bin, bin, "--admin-path", admin, cmd, flag, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + got, sizeof out - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	*output = out;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * True if no object of a JSON text repeats a key (the admin answers are flat
 * objects or arrays of them); prints the first repeat.
 */
static bool
json_keys_unique(const char *j)
{
	char keys[128][64];
	int nkeys = 0, depth = 0, i;
	const char *p, *start;
	size_t len;

	for (p = j; *p != '\0'; p++) {
		if (*p == '{') {
			depth++;
			nkeys = 0;
		} else if (*p == '}')
			depth--;
		if (*p != '"')
			continue;
		for (start = ++p; *p != '\0' && *p != '"'; p++)
			p += *p == '\\' && p[1] != '\0';
		len = (size_t)(p - start);
		if (p[0] != '"' || p[1] != ':' || depth != 1 || len >= sizeof keys[0] || nkeys == 128)
			continue;
		for (i = 0; i < nkeys; i++) {
			if (strncmp(keys[i], start, len) == 0 && keys[i][len] == '\0') {
				fprintf(stderr, "ops: key \"%s\" twice in %s\n", keys[i], j);
				return false;
			}
		}
		memcpy(keys[nkeys], start, len);
		keys[nkeys++][len] = '\0';
	}
	return depth == 0;
}

/* True if text is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
static bool
utf8_valid(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	unsigned cp, n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		n = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc0 ? 1 : 0;
		if (n == 0 || *p > 0xf4)
			return false;
		cp = *p++ & (0x3f >> n);
		for (i = 0; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3f);
		}
		if (cp < (n == 1 ? 0x80u : n == 2 ? 0x800u : 0x10000u) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

/*
 * Every JSON answer parses as objects without repeated keys; durations are
 * whole; a client name that is not UTF-8 and an infinite stream rate still
 * give valid JSON.
 */
START_TEST(test_admin_json)
{
	static const char *const cmds[] = { "status json", "stats json", "clients json",
	    "streams json", "upstream json", "config json" };
	struct dt t;
	th_client_t *c, *bad;
	uint64_t id;
	char *a;
	size_t i;

	start_daemon(&t, "json", NULL, NULL);
	c = dt_client(&t, "json \"quoted\"\n", true);
	ck_assert((id = dt_add_tick(c, true)) != UINT64_MAX);
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		a = dt_admin(&t, cmds[i]);
		ck_assert_ptr_nonnull(a);
		ck_assert_msg(json_keys_unique(a), "%s: %s", cmds[i], a);
		free(a);
	}
	a = dt_admin(&t, "status json");
	ck_assert_msg(strstr(a, "\"uptime\":0,") != NULL || strstr(a, "\"uptime\":1,") != NULL, "%s", a);
	ck_assert_msg(strstr(a, "\"streams_shared\":1,") != NULL &&
	    strstr(a, "\"add_stream_calls\":1,") != NULL, "%s", a);
	free(a);
	a = dt_admin(&t, "status");
	ck_assert_msg(strstr(a, "\nuptime 0s\n") != NULL || strstr(a, "\nuptime 1s\n") != NULL, "%s", a);
	free(a);
	a = dt_admin(&t, "clients");	/* the name's control bytes do not break the line */
	ck_assert_msg(strstr(a, "\"json \"quoted\"?\" ") != NULL && strchr(a, '\n') == a + strlen(a) - 1,
	    "%s", a);
	free(a);
	/* a name that is not UTF-8, an infinite rate: the JSON stays valid */
	bad = dt_client(&t, "bad \xff\xfe \xc3\x28 \xed\xa0\x80 \x7f end", true);
	ck_assert(dt_set_rate(c, id, INFINITY));
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		a = dt_admin(&t, cmds[i]);
		ck_assert_ptr_nonnull(a);
		ck_assert_msg(json_keys_unique(a), "%s: %s", cmds[i], a);
		ck_assert_msg(utf8_valid(a), "%s: not UTF-8: %s", cmds[i], a);
		ck_assert_msg(strstr(a, ":inf") == NULL && strstr(a, ":-inf") == NULL &&
		    strstr(a, ":nan") == NULL && strstr(a, ":-nan") == NULL, "%s: %s", cmds[i], a);
		free(a);
	}
	a = dt_admin(&t, "clients json");
	ck_assert_msg(strstr(a, "\"name\":\"bad \\ufffd\\ufffd \\ufffd( \\ufffd\\ufffd\\ufffd "
	    "\\u007f end\"") != NULL, "%s", a);
	free(a);
	a = dt_admin(&t, "streams json");
	ck_assert_msg(strstr(a, "\"rate\":null") != NULL, "%s", a);
	free(a);
	a = dt_admin(&t, "streams");
	ck_assert_msg(strstr(a, " rate=inf started\n") != NULL, "%s", a);
	free(a);
	th_client_close(bad);
	th_client_close(c);
	dt_daemon_stop(&t);
}
END_TEST

/* The admin socket's commands, as text and JSON, directly and through krpcmuxctl. */
START_TEST(test_admin)
{
	struct dt t;
	th_client_t *c;
	const char *out;
	char *a;

	start_daemon(&t, "admin", NULL, NULL);
	c = dt_client(&t, "observed", true);
	ck_assert(dt_add_tick(c, true) != UINT64_MAX);
	a = dt_admin(&t, "status");
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(dt_admin_number(a, "clients") == 1 && dt_admin_number(a, "streams_shared") == 1 &&
	    dt_admin_number(a, "subscriptions") == 1 && dt_admin_number(a, "upstream_sessions") == 1,
	    "%s", a);
	ck_assert_ptr_nonnull(strstr(a, "upstream ready\n"));
	free(a);
	a = dt_admin(&t, "clients json");
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(a[0] == '[' && strstr(a, "\"name\":\"observed\"") != NULL &&
	    strstr(a, "\"streams\":1") != NULL, "%s", a);
	free(a);
	a = dt_admin(&t, "streams");
	ck_assert_msg(a != NULL && strstr(a, DT_TICK_NAME) != NULL &&
	    strstr(a, "subscribers=1") != NULL, "%s", a);
	free(a);
	a = dt_admin(&t, "upstream json");
	ck_assert_msg(a != NULL && strstr(a, "\"state\":\"ready\"") != NULL, "%s", a);
	free(a);
	a = dt_admin(&t, "frobnicate");
	ck_assert_msg(a != NULL && strncmp(a, "error unknown command", 21) == 0, "%s", a);
	free(a);
	ck_assert_int_eq(ctl(t.admin, "clients", NULL, &out), 0);
	ck_assert_msg(strstr(out, "\"observed\"") != NULL, "%s", out);
	ck_assert_int_eq(ctl(t.admin, "streams", "--json", &out), 0);
	ck_assert_msg(out[0] == '[' && strstr(out, "\"call\":\"" DT_TICK_NAME "\"") != NULL, "%s", out);
	ck_assert_int_eq(ctl(t.admin, "bogus", NULL, &out), 2);
	ck_assert_int_eq(ctl(th_tmp("no-such-admin"), "status", NULL, &out), 2);
	ck_assert_ptr_nonnull(strstr(out, "cannot reach krpcmuxd"));
	th_client_close(c);
	dt_daemon_stop(&t);
}
END_TEST

/* Without -f: the command prints the ready line and exits 0; the daemon runs on. */
START_TEST(test_daemon_mode)
{
	struct dt t;
	char rpc[16], stream[16], *a;
	const char *argv[16];
	th_proc_t *p;
	th_client_t *c;
	struct stat st;
	pid_t pid;
	FILE *f;
	int status, i;

	t = sim;
	snprintf(rpc, sizeof rpc, "%d", sim.sim_rpc_port);
	snprintf(stream, sizeof stream, "%d", sim.sim_stream_port);
	snprintf(t.rpc, sizeof t.rpc, "%s", th_tmp("bg-rpc"));
	snprintf(t.stream, sizeof t.stream, "%s", th_tmp("bg-stream"));
	snprintf(t.admin, sizeof t.admin, "%s", th_tmp("bg-admin"));
	dt_write_file(th_tmp("bg.conf"), "# defaults\n");
	i = 0;
	argv[i++] = th_bin("daemon/krpcmuxd");
	argv[i++] = "-c";
	argv[i++] = th_tmp("bg.conf");
	argv[i++] = "--upstream-rpc-port";
	argv[i++] = rpc;
	argv[i++] = "--upstream-stream-port";
	argv[i++] = stream;
	argv[i++] = "--rpc-path";
	argv[i++] = t.rpc;
	argv[i++] = "--stream-path";
	argv[i++] = t.stream;
	argv[i++] = "--admin-path";
	argv[i++] = t.admin;
	argv[i] = NULL;
	p = th_spawn(argv, "krpcmuxd: listening", 10.0);
	ck_assert_ptr_nonnull(p);
	status = th_proc_wait(p, 5.0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	th_proc_stop(p);
	a = dt_admin(&t, "status");
	ck_assert_ptr_nonnull(a);
	pid = (pid_t)dt_admin_number(a, "pid");
	free(a);
	ck_assert_int_gt(pid, 1);
	f = fopen(detached_pidfile, "w");
	fprintf(f, "%ld\n", (long)pid);
	fclose(f);
	c = dt_client(&t, "to-the-daemon", false);
	ck_assert_ptr_nonnull(c);
	th_client_close(c);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	for (i = 0; i < 500 && (stat(t.rpc, &st) == 0 || kill(pid, 0) == 0); i++)
		th_sleep(0.01);
	ck_assert_int_ne(stat(t.rpc, &st), 0);
	ck_assert_int_ne(kill(pid, 0), 0);
	unlink(detached_pidfile);
}
END_TEST

/* limits.max_clients: the next connection is closed at once; a free slot serves again. */
START_TEST(test_max_clients)
{
	struct dt t;
	th_client_t *a, *b, *c;
	th_conn_t *extra;

	start_daemon(&t, "limit", "limits = { max_clients = 2; };\n", NULL);
	a = dt_client(&t, "one", false);
	b = dt_client(&t, "two", false);
	ck_assert(a && b);
	extra = th_connect_unix(t.rpc);
	ck_assert_ptr_nonnull(extra);
	ck_assert(th_wait_closed(extra, 5.0));
	th_conn_close(extra);
	th_client_close(a);
	ck_assert(admin_wait(&t, "status", "\nclients 1\n", 5.0));
	c = dt_client(&t, "three", false);
	ck_assert_ptr_nonnull(c);
	th_client_close(b);
	th_client_close(c);
	dt_daemon_stop(&t);
}
END_TEST

static Suite *
ops_suite(void)
{
	Suite *s = suite_create("krpcmuxd operations");
	TCase *tc = tcase_create("operations");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_reload_applies);
	tcase_add_test(tc, test_admin);
	tcase_add_test(tc, test_admin_json);
	tcase_add_test(tc, test_daemon_mode);
	tcase_add_test(tc, test_max_clients);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(ops_suite());
}
