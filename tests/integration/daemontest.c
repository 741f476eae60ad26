/*
 * Helpers shared by the krpcmuxd integration tests (see daemontest.h).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemontest.h"
#include "testserver.h"

/* Which server this run uses, read once from the environment. */
bool
dt_real(void)
{
	static int real = -1;
	const char *up;

	if (real >= 0)
		return real;
	up = getenv("KRPC_TEST_SERVER");
	if (up == NULL || *up == '\0' || strcmp(up, "krpc-sim") == 0)
		real = 0;
	else if (strcmp(up, "testserver") == 0) {
		ts_require("krpcmuxd against kRPC's TestServer");
		real = 1;
	} else {
		fprintf(stderr, "daemontest: KRPC_TEST_SERVER=%s: must be krpc-sim or testserver\n",
		    up);
		exit(1);
	}
	return real;
}

/* Says why a krpc-sim test does not run against the TestServer. */
bool
dt_skip_sim_only(const char *name, const char *why)
{
	if (!dt_real())
		return false;
	printf("SKIP: %s: %s\n", name, why);
	fflush(stdout);
	return true;
}

/* Names the server's Unix sockets prefix-sim-rpc and prefix-sim-stream. */
static void
dt_sim_paths(struct dt *t, const char *prefix)
{
	char name[128];

	snprintf(name, sizeof name, "%s-sim-rpc", prefix);
	snprintf(t->sim_rpc_path, sizeof t->sim_rpc_path, "%s", th_tmp(name));
	snprintf(name, sizeof name, "%s-sim-stream", prefix);
	snprintf(t->sim_stream_path, sizeof t->sim_stream_path, "%s", th_tmp(name));
}

/* Starts kRPC's TestServer, paced like the game, in place of the simulator. */
static int
dt_testserver_start(struct dt *t, const char *prefix, bool unix_sockets)
{
	struct testserver ts;
	int rc;

	if (unix_sockets) {
		dt_sim_paths(t, prefix);
		/* a server killed earlier in the test leaves its socket files; it refuses them */
		unlink(t->sim_rpc_path);
		unlink(t->sim_stream_path);
		rc = ts_start_unix(&ts, true, t->sim_rpc_path, t->sim_stream_path);
	} else
		rc = ts_start(&ts, true);
	t->sim = ts.proc;
	t->sim_rpc_port = ts.rpc_port;
	t->sim_stream_port = ts.stream_port;
	return rc;
}

/* Starts the simulator (or the TestServer). */
int
dt_sim_start(struct dt *t, const char *prefix, bool unix_sockets)
{
	const char *argv[16], *out, *line;
	int n = 0;

	if (dt_real())
		return dt_testserver_start(t, prefix, unix_sockets);
	argv[n++] = th_bin("tests/sim/krpc-sim");
	argv[n++] = "--quiet";
	if (unix_sockets) {
		dt_sim_paths(t, prefix);
		argv[n++] = "--rpc-path";
		argv[n++] = t->sim_rpc_path;
		argv[n++] = "--stream-path";
		argv[n++] = t->sim_stream_path;
	} else {
		argv[n++] = "--rpc-port";
		argv[n++] = "0";
		argv[n++] = "--stream-port";
		argv[n++] = "0";
	}
	argv[n] = NULL;
	if ((t->sim = th_spawn(argv, "krpc-sim: listening", 10.0)) == NULL)
		return -1;
	if (unix_sockets)
		return 0;
	out = th_proc_stdout(t->sim);
	if ((line = strstr(out, "rpc=127.0.0.1:")) == NULL ||
	    sscanf(line, "rpc=127.0.0.1:%d stream=127.0.0.1:%d", &t->sim_rpc_port,
	    &t->sim_stream_port) != 2) {
		fprintf(stderr, "daemontest: no ports in krpc-sim's ready line: %s\n", out);
		dt_sim_stop(t);
		return -1;
	}
	return 0;
}

/* Stops the simulator (and forgets the direct client). */
void
dt_sim_stop(struct dt *t)
{
	th_client_close(t->direct);
	t->direct = NULL;
	th_proc_stop(t->sim);
	t->sim = NULL;
}

/* True if a Unix socket bound at path listens (Linux: /proc/net/unix, flag __SO_ACCEPTCON). */
static bool
dt_listening(const char *path)
{
	char line[512], *p;
	unsigned long flags;
	size_t len = strlen(path);
	bool found = false;
	FILE *f;

	if ((f = fopen("/proc/net/unix", "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		p = strchr(line, ':');
		if (p == NULL || strlen(line) < len || strcmp(line + strlen(line) - len, path) != 0 ||
		    sscanf(p + 1, "%*x %*x %lx", &flags) != 1)
			continue;
		found = (flags & 0x10000) != 0;
	}
	fclose(f);
	return found;
}

/*
 * Waits for a Unix socket to listen: its file appears at bind(), a moment
 * before listen(), and a connection in between is refused.
 */
static bool
dt_wait_listening(const char *path, double timeout)
{
	double end = th_now() + timeout;

	while (th_now() < end) {
		if (dt_listening(path))
			return true;
		th_sleep(0.01);
	}
	return false;
}

/* Starts the proxy. */
int
dt_daemon_start(struct dt *t, const char *prefix, const char *conf, const char *const *extra,
    bool wait)
{
	const char *argv[48], *wrap = getenv("KRPCMUXD_WRAPPER");
	char name[128], rpcport[16], streamport[16], shell[512], limit[32];
	FILE *f;
	int n = 0, i;

	snprintf(name, sizeof name, "%s-rpc", prefix);
	snprintf(t->rpc, sizeof t->rpc, "%s", th_tmp(name));
	snprintf(name, sizeof name, "%s-stream", prefix);
	snprintf(t->stream, sizeof t->stream, "%s", th_tmp(name));
	snprintf(name, sizeof name, "%s-admin", prefix);
	snprintf(t->admin, sizeof t->admin, "%s", th_tmp(name));
	snprintf(name, sizeof name, "%s.conf", prefix);
	snprintf(t->conf, sizeof t->conf, "%s", th_tmp(name));
	if ((f = fopen(t->conf, "w")) == NULL)
		return -1;
	fputs(conf != NULL ? conf : "# no settings\n", f);
	fclose(f);
	if (t->log_to_stdout || t->fd_limit > 0 || wrap != NULL) {
		/* a shell sets the limit (soft and hard) and replaces itself with the daemon */
		snprintf(limit, sizeof limit, "ulimit -n %d && ", t->fd_limit);
		snprintf(shell, sizeof shell, "%sexec %s \"$0\" \"$@\"%s", t->fd_limit > 0 ? limit : "",
		    wrap != NULL ? wrap : "", t->log_to_stdout ? " 2>&1" : "");
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = shell;
	}
	argv[n++] = th_bin("daemon/krpcmuxd");
	argv[n++] = "-f";
	argv[n++] = "-c";
	argv[n++] = t->conf;
	if (t->sim_rpc_path[0] != '\0') {
		argv[n++] = "--upstream-rpc-path";
		argv[n++] = t->sim_rpc_path;
		argv[n++] = "--upstream-stream-path";
		argv[n++] = t->sim_stream_path;
	} else {
		snprintf(rpcport, sizeof rpcport, "%d", t->sim_rpc_port);
		snprintf(streamport, sizeof streamport, "%d", t->sim_stream_port);
		argv[n++] = "--upstream-rpc-port";
		argv[n++] = rpcport;
		argv[n++] = "--upstream-stream-port";
		argv[n++] = streamport;
	}
	argv[n++] = "--rpc-path";
	argv[n++] = t->rpc;
	argv[n++] = "--stream-path";
	argv[n++] = t->stream;
	argv[n++] = "--admin-path";
	argv[n++] = t->admin;
	for (i = 0; extra != NULL && extra[i] != NULL && n < 47; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	t->daemon = th_spawn(argv, wait ? "krpcmuxd: listening" : NULL, 15.0);
	if (t->daemon == NULL)
		return -1;
	if (!wait && !dt_wait_listening(t->rpc, 10.0)) {
		fprintf(stderr, "daemontest: %s did not listen\n", t->rpc);
		dt_daemon_stop(t);
		return -1;
	}
	return 0;
}

/* Stops the proxy; a sanitizer's report in a log sent to stdout is shown. */
void
dt_daemon_stop(struct dt *t)
{
	const char *out;

	if (t->daemon != NULL && t->log_to_stdout) {
		th_proc_signal(t->daemon, SIGTERM);
		th_proc_wait(t->daemon, 10.0);
		out = th_proc_stdout(t->daemon);
		if (strstr(out, "Sanitizer") != NULL || strstr(out, "runtime error") != NULL)
			fprintf(stderr, "daemontest: the daemon's log:\n%s\n", out);
	}
	th_proc_stop(t->daemon);
	t->daemon = NULL;
}

/* Starts the simulator and the proxy. */
int
dt_start(struct dt *t, const char *prefix)
{
	memset(t, 0, sizeof *t);
	if (dt_sim_start(t, prefix, false) != 0)
		return -1;
	if (dt_daemon_start(t, prefix, NULL, NULL, true) != 0) {
		dt_sim_stop(t);
		return -1;
	}
	return 0;
}

/* Stops both. */
void
dt_stop(struct dt *t)
{
	dt_daemon_stop(t);
	dt_sim_stop(t);
}

/* A client through the proxy. */
th_client_t *
dt_client(struct dt *t, const char *name, bool stream)
{
	return th_client_unix(t->rpc, stream ? t->stream : NULL, name);
}

/* A client of the server. */
th_client_t *
dt_direct(struct dt *t, const char *name, bool stream)
{
	if (t->sim_rpc_path[0] != '\0')
		return th_client_unix(t->sim_rpc_path, stream ? t->sim_stream_path : NULL, name);
	return th_client_tcp(t->sim_rpc_port, stream ? t->sim_stream_port : 0, name);
}

/* A raw connection to the proxy or the server. */
th_conn_t *
dt_connect(struct dt *t, bool direct, bool stream)
{
	if (!direct)
		return th_connect_unix(stream ? t->stream : t->rpc);
	if (t->sim_rpc_path[0] != '\0')
		return th_connect_unix(stream ? t->sim_stream_path : t->sim_rpc_path);
	return th_connect_tcp(stream ? t->sim_stream_port : t->sim_rpc_port);
}

/* KRPC.GetStatus as a PROCEDURE_CALL value. */
krpc_value_t *
dt_tick_call(void)
{
	return th_proc_call(DT_TICK_SERVICE, DT_TICK_PROCEDURE, 0);
}

/* A stream of the tick. */
uint64_t
dt_add_tick(th_client_t *c, bool start)
{
	return th_add_stream(c, dt_tick_call(), start);
}

/* The server's count of registered streams. */
int
dt_stream_rpcs(struct dt *t)
{
	krpc_value_t *v;
	Krpc__Schema__Status *st;
	const uint8_t *data;
	size_t len;
	int n = -1;

	if (t->direct == NULL && (t->direct = dt_direct(t, "daemontest", false)) == NULL)
		return -1;
	if ((v = th_call_value(t->direct, "status", "KRPC", "GetStatus", 0)) == NULL)
		return -1;
	data = krpc_value_data(v, &len);
	if ((st = krpc__schema__status__unpack(NULL, len, data)) != NULL) {
		n = (int)st->stream_rpcs;
		krpc__schema__status__free_unpacked(st, NULL);
	}
	krpc_value_free(v);
	return n;
}

/* Waits for stream_rpcs to reach n. */
bool
dt_wait_stream_rpcs(struct dt *t, int n, double timeout)
{
	double end = th_now() + timeout;
	int got = -1;

	while (th_now() < end) {
		if ((got = dt_stream_rpcs(t)) == n)
			return true;
		th_sleep(0.02);
	}
	fprintf(stderr, "daemontest: stream_rpcs is %d, expected %d\n", got, n);
	return false;
}

/* The stream id of a STREAM or EVENT value. */
uint64_t
dt_stream_id(krpc_value_t *v, bool event)
{
	Krpc__Schema__Stream *s;
	Krpc__Schema__Event *e;
	const uint8_t *data;
	uint64_t id = UINT64_MAX;
	size_t len = 0;

	if (v == NULL)
		return id;
	data = krpc_value_data(v, &len);
	if (event && (e = krpc__schema__event__unpack(NULL, len, data)) != NULL) {
		id = e->stream != NULL ? e->stream->id : 0;
		krpc__schema__event__free_unpacked(e, NULL);
	} else if (!event && (s = krpc__schema__stream__unpack(NULL, len, data)) != NULL) {
		id = s->id;
		krpc__schema__stream__free_unpacked(s, NULL);
	}
	krpc_value_free(v);
	return id;
}

/* AddStream of a call built from values. */
uint64_t
dt_add(th_client_t *c, bool start, const char *service, const char *procedure, size_t nargs, ...)
{
	krpc_value_t *args[8] = { NULL }, *call;
	krpc_buf_t b = KRPC_BUF_INIT;
	va_list ap;
	size_t i;

	va_start(ap, nargs);
	for (i = 0; i < nargs && i < 8; i++)
		args[i] = va_arg(ap, krpc_value_t *);
	va_end(ap);
	krpc_msg_call_values(&b, service, procedure, (const krpc_value_t *const *)args, nargs);
	for (i = 0; i < nargs && i < 8; i++)
		krpc_value_free(args[i]);
	call = krpc_buf_ok(&b) ? krpc_value_message(KRPC_TYPE_PROCEDURE_CALL, b.data, b.len) : NULL;
	krpc_buf_free(&b);
	return call != NULL ? th_add_stream(c, call, start) : UINT64_MAX;
}

/* Sends a one-call request without waiting (values: ownership taken). */
void
dt_send(th_client_t *c, const char *service, const char *procedure, size_t nargs,
    krpc_value_t *a0, krpc_value_t *a1)
{
	krpc_buf_t req = KRPC_BUF_INIT;

	if (nargs == 2)
		th_request_add(&req, service, procedure, 2, a0, a1);
	else if (nargs == 1)
		th_request_add(&req, service, procedure, 1, a0);
	else
		th_request_add(&req, service, procedure, 0);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
}

/* True if a one-call Response succeeded. */
static bool
dt_ok(Krpc__Schema__Response *r)
{
	bool ok = r != NULL && r->error == NULL && r->n_results == 1 && r->results[0]->error == NULL;

	if (r != NULL && !ok)
		fprintf(stderr, "daemontest: call failed: %s\n", r->error ? r->error->description :
		    r->n_results == 1 && r->results[0]->error ? r->results[0]->error->description :
		    "wrong result count");
	if (r != NULL)
		krpc__schema__response__free_unpacked(r, NULL);
	return ok;
}

bool
dt_start_stream(th_client_t *c, uint64_t id)
{
	return dt_ok(th_call(c, "KRPC", "StartStream", 1, krpc_value_uint64(id)));
}

bool
dt_remove_stream(th_client_t *c, uint64_t id)
{
	return dt_ok(th_call(c, "KRPC", "RemoveStream", 1, krpc_value_uint64(id)));
}

bool
dt_set_rate(th_client_t *c, uint64_t id, float hz)
{
	return dt_ok(th_call(c, "KRPC", "SetStreamRate", 2, krpc_value_uint64(id),
	    krpc_value_float(hz)));
}

/*
 * Reads updates for seconds, or until stop (> 0) results of stream id have
 * come; counts those results and keeps their SINT32 values.
 */
/* A tick's number: the stream_rpcs_executed of a GetStatus result (-1 if unreadable). */
static int32_t
dt_tick_number(const krpc_value_t *v)
{
	Krpc__Schema__Status *st;
	const uint8_t *data;
	size_t len;
	int32_t n = -1;

	data = krpc_value_data(v, &len);
	if ((st = krpc__schema__status__unpack(NULL, len, data)) != NULL) {
		n = (int32_t)st->stream_rpcs_executed;
		krpc__schema__status__free_unpacked(st, NULL);
	}
	return n;
}

static int
dt_scan(th_client_t *c, uint64_t id, double seconds, int32_t *values, int max, int stop)
{
	double end = th_now() + seconds;
	Krpc__Schema__StreamUpdate *u;
	krpc_type_t *t = krpc_type_new(max < 0 ? KRPC_TYPE_STATUS : KRPC_TYPE_SINT32);
	krpc_value_t *v;
	int n = 0;
	size_t i;

	if (max < 0)
		max = -max;	/* ticks: read as GetStatus results */
	while (th_now() < end && (stop <= 0 || n < stop)) {
		if ((u = th_recv_update(c, end - th_now())) == NULL)
			break;
		for (i = 0; i < u->n_results; i++) {
			if (u->results[i]->id != id)
				continue;
			if (values != NULL && n < max && krpc_msg_result_value(u->results[i]->result, t,
			    &v, NULL, 0) == KRPC_OK) {
				if (krpc_value_code(v) == KRPC_TYPE_STATUS)
					values[n] = dt_tick_number(v);
				else
					krpc_value_as_sint32(v, &values[n]);
				krpc_value_free(v);
			}
			n++;
		}
		krpc__schema__stream_update__free_unpacked(u, NULL);
	}
	krpc_type_free(t);
	return n;
}

int
dt_collect_ints(th_client_t *c, uint64_t id, double seconds, int32_t *values, int max)
{
	return dt_scan(c, id, seconds, values, max, 0);
}

int
dt_collect_ticks(th_client_t *c, uint64_t id, double seconds, int32_t *values, int max)
{
	return dt_scan(c, id, seconds, values, -max, 0);
}

int
dt_count_updates(th_client_t *c, uint64_t id, double seconds)
{
	return dt_scan(c, id, seconds, NULL, 0, 0);
}

/* Waits for n updates of a stream; says how many came if fewer. */
bool
dt_flowing(th_client_t *c, uint64_t id, int n, double timeout)
{
	int got = dt_scan(c, id, timeout, NULL, 0, n);

	if (got < n)
		fprintf(stderr, "daemontest: %d updates of stream %llu in %.1f s, expected %d\n", got,
		    (unsigned long long)id, timeout, n);
	return got >= n;
}

bool
dt_no_update(th_client_t *c, uint64_t id, double seconds)
{
	return dt_scan(c, id, seconds, NULL, 0, 0) == 0;
}

/* Discards what is already waiting on the stream connection. */
void
dt_drain(th_client_t *c)
{
	Krpc__Schema__StreamUpdate *u;

	while ((u = th_recv_update(c, 0.0)) != NULL)
		krpc__schema__stream_update__free_unpacked(u, NULL);
}

/* A round trip to the proxy, then a drain. */
void
dt_settle(th_client_t *c)
{
	krpc_value_free(th_call_value(c, "bytes", "KRPC", "GetClientID", 0));
	dt_drain(c);
}

/* One admin command. */
char *
dt_admin(struct dt *t, const char *command)
{
	struct sockaddr_un sun;
	krpc_buf_t out = KRPC_BUF_INIT;
	char buf[4096];
	ssize_t n;
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return NULL;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(t->admin) >= sizeof sun.sun_path) {
		close(fd);
		return NULL;
	}
	memcpy(sun.sun_path, t->admin, strlen(t->admin) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0 ||
	    write(fd, command, strlen(command)) < 0 || write(fd, "\n", 1) != 1) {
		close(fd);
		return NULL;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		krpc_buf_append(&out, buf, (size_t)n);
	close(fd);
	krpc_buf_byte(&out, '\0');
	if (!krpc_buf_ok(&out)) {
		krpc_buf_free(&out);
		return NULL;
	}
	return (char *)out.data;
}

/* Writes text to a file (a configuration for a reload); fails the test if it cannot. */
void
dt_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A "name value" line of an admin answer. */
double
dt_admin_number(const char *answer, const char *name)
{
	size_t len = strlen(name);
	const char *p = answer;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, len) == 0 && p[len] == ' ')
			return atof(p + len + 1);
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return -1;
}

/* The error of a Response. */
char *
dt_error(const Krpc__Schema__Response *r, char **service, char **name)
{
	const Krpc__Schema__Error *e = NULL;

	if (r == NULL)
		return NULL;
	if (r->error != NULL)
		e = r->error;
	else if (r->n_results > 0 && r->results[0]->error != NULL)
		e = r->results[0]->error;
	if (e == NULL)
		return NULL;
	if (service != NULL)
		*service = strdup(e->service);
	if (name != NULL)
		*name = strdup(e->name);
	return strdup(e->description);
}

/* Runs a suite (forking per test) and returns the exit status. */
int
dt_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	th_cleanup();
	return failed == 0 ? 0 : 1;
}
