/*
 * krpcmuxd integration tests, part 11: bounds on what a client may do, and
 * who may connect (issue 12).  The handshake and half-message timeouts,
 * streams per client, calls per client, requests per client, connections
 * per user; the access lists, with a second user (a child process that
 * drops root's privileges for nobody's) and a second loopback address.
 * Each refusal must be an error the client reads, a log line and a counter.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemontest.h"

#define NOBODY	65534		/* uid and gid of "nobody" and "nogroup" */

static struct dt d;		/* a daemon with small limits, its log on stdout */

static void
setup(void)
{
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(dt_sim_start(&d, "limits", false), 0);
	d.log_to_stdout = true;
	ck_assert_int_eq(dt_daemon_start(&d, "limits", "limits = { handshake_timeout = 1.5; "
	    "message_timeout = 1.0; client_streams = 3; client_calls = 10; client_requests = 8; "
	    "clients_per_user = 6; };\n", NULL, true), 0);
}

static void
teardown(void)
{
	dt_stop(&d);
}

/* ---- helpers ------------------------------------------------------------ */

/* A counter of the stats command. */
static double
counter(struct dt *t, const char *name)
{
	char *a = dt_admin(t, "stats");
	double v = a != NULL ? dt_admin_number(a, name) : -1;

	free(a);
	return v;
}

/* Waits for the daemon's log to hold text. */
static bool
logged(struct dt *t, const char *text)
{
	return th_proc_wait_output(t->daemon, text, 5.0);
}

/* The error of a response (request- or first call-level), malloc'd, or NULL. */
static char *
error_of(Krpc__Schema__Response *r)
{
	char *e = r != NULL ? dt_error(r, NULL, NULL) : NULL;

	if (r != NULL)
		krpc__schema__response__free_unpacked(r, NULL);
	return e;
}

/* True if the response's result i is the string s. */
static bool
result_is(const Krpc__Schema__Response *r, size_t i, const char *s)
{
	const Krpc__Schema__ProcedureResult *pr;

	if (r == NULL || r->error != NULL || i >= r->n_results)
		return false;
	pr = r->results[i];
	return pr->error == NULL && pr->value.len == strlen(s) + 1 &&
	    memcmp(pr->value.data + 1, s, strlen(s)) == 0;
}

/* A request of n calls of Int32ToString(first + i). */
static void
int_calls(krpc_buf_t *req, int first, int n)
{
	int i;

	krpc_buf_reset(req);
	for (i = 0; i < n; i++)
		th_request_add(req, "TestService", "Int32ToString", 1, krpc_value_sint32(first + i));
}

/* ---- timeouts ------------------------------------------------------------- */

/*
 * limits.handshake_timeout: a silent connection is answered with the
 * server's TIMEOUT text naming the configured seconds, on both sockets.
 */
START_TEST(test_handshake_timeout)
{
	Krpc__Schema__ConnectionResponse *r;
	double before = counter(&d, "handshake_timeouts");
	const uint8_t *body;
	th_conn_t *c[2];
	size_t len;
	int i;

	c[0] = th_connect_unix(d.rpc);
	c[1] = th_connect_unix(d.stream);
	ck_assert(c[0] != NULL && c[1] != NULL);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(th_recv_frame(c[i], 6.0, &body, &len), 1);
		r = krpc__schema__connection_response__unpack(NULL, len, body);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT);
		ck_assert_str_eq(r->message, "Connection request message not received after waiting "
		    "1.5 seconds");
		krpc__schema__connection_response__free_unpacked(r, NULL);
		ck_assert(th_wait_closed(c[i], 5.0));
		th_conn_close(c[i]);
	}
	ck_assert_int_eq(counter(&d, "handshake_timeouts"), before + 2);
}
END_TEST

/*
 * limits.message_timeout: a client that sends half a request and stops is
 * dropped (log line, counter); one that sends a request slowly, a few bytes
 * at a time for longer than the timeout, is served; others never notice.
 */
START_TEST(test_message_timeout)
{
	th_client_t *half = dt_client(&d, "half", true), *slow = dt_client(&d, "slow", false);
	th_client_t *other = dt_client(&d, "other", false);
	double before = counter(&d, "message_timeouts");
	krpc_buf_t req = KRPC_BUF_INIT, framed = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	size_t i;

	ck_assert(half != NULL && slow != NULL && other != NULL);
	int_calls(&req, 7, 1);
	krpc_frame_append(&framed, req.data, req.len);
	ck_assert_int_eq(th_send_raw(half->rpc, framed.data, framed.len - 3), 0);
	for (i = 0; i < framed.len; i++) {	/* about 2.5 s, longer than the timeout */
		ck_assert_int_eq(th_send_raw(slow->rpc, framed.data + i, 1), 0);
		th_sleep(2.5 / (double)framed.len);
	}
	ck_assert_ptr_nonnull(r = th_recv_response(slow, 5.0));
	ck_assert(result_is(r, 0, "7"));
	krpc__schema__response__free_unpacked(r, NULL);
	ck_assert(th_wait_closed(half->rpc, 5.0));
	ck_assert(th_wait_closed(half->stream, 5.0));
	ck_assert(logged(&d, "of a message and nothing more for 1 s"));
	ck_assert_int_eq(counter(&d, "message_timeouts"), before + 1);
	ck_assert_ptr_nonnull(r = th_call(other, "TestService", "Int32ToString", 1,
	    krpc_value_sint32(3)));
	ck_assert(result_is(r, 0, "3"));
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_buf_free(&req);
	krpc_buf_free(&framed);
	th_client_close(half);
	th_client_close(slow);
	th_client_close(other);
}
END_TEST

/* ---- limits ------------------------------------------------------------------ */

/* AddStream of Int32ToString(n) through c: the stream id, or UINT64_MAX with the error in *err. */
static uint64_t
add_int_stream(th_client_t *c, int n, char **err)
{
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	Krpc__Schema__Stream *s;
	uint64_t id = UINT64_MAX;

	*err = NULL;
	th_request_add(&req, "KRPC", "AddStream", 2, th_proc_call("TestService", "Int32ToString", 1,
	    krpc_value_sint32(n)), krpc_value_bool(false));
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
	r = th_recv_response(c, 5.0);
	ck_assert_ptr_nonnull(r);
	if ((*err = dt_error(r, NULL, NULL)) == NULL &&
	    (s = krpc__schema__stream__unpack(NULL, r->results[0]->value.len,
	    r->results[0]->value.data)) != NULL) {
		id = s->id;
		krpc__schema__stream__free_unpacked(s, NULL);
	}
	krpc__schema__response__free_unpacked(r, NULL);
	return id;
}

/*
 * limits.client_streams: the fourth stream is refused with a call-level
 * error, the other calls of its request run; an AddStream the client
 * already holds, and other clients, are not affected; an event counts too;
 * once a stream is removed another fits.
 */
START_TEST(test_client_streams)
{
	th_client_t *c = dt_client(&d, "hoarder", true), *o = dt_client(&d, "other", true);
	double before = counter(&d, "streams_over_limit");
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	uint64_t id[4];
	char *err;
	int i;

	ck_assert(c != NULL && o != NULL);
	for (i = 0; i < 3; i++) {
		id[i] = add_int_stream(c, i, &err);
		ck_assert_msg(id[i] != UINT64_MAX, "stream %d: %s", i, err);
	}
	ck_assert_uint_eq(add_int_stream(c, 1, &err), id[1]);	/* held already: no new stream */
	ck_assert_uint_eq(add_int_stream(c, 3, &err), UINT64_MAX);
	ck_assert_str_eq(err, "krpcmuxd: this client holds 3 streams and events, the most "
	    "limits.client_streams allows; remove one first");
	free(err);
	err = th_call_error(c, NULL, NULL, "TestService", "OnTimer", 1, krpc_value_uint32(100000));
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, "limits.client_streams"));
	free(err);
	/* a request mixing a refused AddStream with a plain call: the plain call runs */
	th_request_add(&req, "KRPC", "AddStream", 2, th_proc_call("TestService", "Int32ToString", 1,
	    krpc_value_sint32(9)), krpc_value_bool(false));
	th_request_add(&req, "TestService", "Int32ToString", 1, krpc_value_sint32(5));
	ck_assert_int_eq(th_send_request(c, &req), 0);
	r = th_recv_response(c, 5.0);
	ck_assert(r != NULL && r->error == NULL && r->n_results == 2);
	ck_assert(r->results[0]->error != NULL && result_is(r, 1, "5"));
	krpc__schema__response__free_unpacked(r, NULL);
	ck_assert(add_int_stream(o, 3, &err) != UINT64_MAX);	/* another client: its own count */
	ck_assert(dt_remove_stream(c, id[0]));
	id[3] = add_int_stream(c, 3, &err);
	ck_assert_msg(id[3] != UINT64_MAX, "after a removal: %s", err);
	ck_assert(logged(&d, "refused a stream: it holds 3 (limits.client_streams)"));
	ck_assert_int_eq(counter(&d, "streams_over_limit"), before + 3);
	krpc_buf_free(&req);
	th_client_close(c);
	th_client_close(o);
}
END_TEST

/*
 * limits.client_calls: a request of 11 calls is refused in its turn with a
 * request-level error (requests around it are answered, in order); requests
 * of 6 calls, which cannot run two at once, all get their answers.
 */
START_TEST(test_client_calls)
{
	th_client_t *c = dt_client(&d, "batcher", false);
	double before = counter(&d, "requests_over_call_limit");
	krpc_buf_t req = KRPC_BUF_INIT;
	char want[16], *err;
	Krpc__Schema__Response *r;
	int i;

	ck_assert_ptr_nonnull(c);
	int_calls(&req, 0, 10);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	int_calls(&req, 0, 11);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	int_calls(&req, 20, 2);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	r = th_recv_response(c, 5.0);
	ck_assert(r != NULL && r->n_results == 10 && result_is(r, 9, "9"));
	krpc__schema__response__free_unpacked(r, NULL);
	err = error_of(th_recv_response(c, 5.0));
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, "krpcmuxd: a request of 11 calls is more than one client may run at "
	    "once (limits.client_calls is 10); send fewer calls per request");
	free(err);
	r = th_recv_response(c, 5.0);
	ck_assert(r != NULL && result_is(r, 1, "21"));
	krpc__schema__response__free_unpacked(r, NULL);
	for (i = 0; i < 20; i++) {
		int_calls(&req, i * 6, 6);
		ck_assert_int_eq(th_send_request(c, &req), 0);
	}
	for (i = 0; i < 20; i++) {
		r = th_recv_response(c, 5.0);
		snprintf(want, sizeof want, "%d", i * 6 + 5);
		ck_assert_msg(r != NULL && r->n_results == 6 && result_is(r, 5, want), "answer %d", i);
		krpc__schema__response__free_unpacked(r, NULL);
	}
	ck_assert(logged(&d, "refused a request of 11 calls (limits.client_calls)"));
	ck_assert_int_eq(counter(&d, "requests_over_call_limit"), before + 1);
	krpc_buf_free(&req);
	th_client_close(c);
}
END_TEST

/*
 * limits.client_requests: 200 requests pipelined at once, 8 may wait
 * unanswered: the proxy stops reading, nothing is lost or reordered, the
 * log says so once and the counter counts.
 */
START_TEST(test_client_requests)
{
	enum { N = 200 };
	th_client_t *c = dt_client(&d, "pipeliner", false);
	double before = counter(&d, "clients_throttled");
	krpc_buf_t req = KRPC_BUF_INIT, all = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	char want[16];
	int i;

	ck_assert_ptr_nonnull(c);
	for (i = 0; i < N; i++) {
		int_calls(&req, i, 1);
		krpc_frame_append(&all, req.data, req.len);
	}
	ck_assert_int_eq(th_send_raw(c->rpc, all.data, all.len), 0);
	for (i = 0; i < N; i++) {
		r = th_recv_response(c, 5.0);
		snprintf(want, sizeof want, "%d", i);
		ck_assert_msg(result_is(r, 0, want), "answer %d", i);
		krpc__schema__response__free_unpacked(r, NULL);
	}
	ck_assert(logged(&d, "requests unanswered (limits.client_requests): reading no more from "
	    "it until answers go out"));
	ck_assert_int_gt(counter(&d, "clients_throttled"), before);
	krpc_buf_free(&req);
	krpc_buf_free(&all);
	th_client_close(c);
}
END_TEST

/*
 * limits.clients_per_user: six clients of this user are served, the
 * seventh is refused with a TIMEOUT saying why; once one leaves, another
 * gets in.
 */
START_TEST(test_clients_per_user)
{
	th_client_t *c[6], *late;
	Krpc__Schema__ConnectionResponse *cr;
	double before = counter(&d, "clients_over_user_limit");
	char want[160];
	th_conn_t *extra;
	int i;

	for (i = 0; i < 6; i++)
		ck_assert_ptr_nonnull(c[i] = dt_client(&d, "many", false));
	ck_assert_ptr_nonnull(extra = th_connect_unix(d.rpc));
	cr = th_handshake(extra, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, "seventh", NULL, 0, 5.0);
	ck_assert_ptr_nonnull(cr);
	ck_assert_int_eq(cr->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT);
	snprintf(want, sizeof want, "krpcmuxd: too many connections from user %lu "
	    "(limits.clients_per_user is 6); try again later", (unsigned long)geteuid());
	ck_assert_str_eq(cr->message, want);
	krpc__schema__connection_response__free_unpacked(cr, NULL);
	ck_assert(th_wait_closed(extra, 5.0));
	th_conn_close(extra);
	ck_assert(logged(&d, "(limits.clients_per_user is 6)"));
	ck_assert_int_eq(counter(&d, "clients_over_user_limit"), before + 1);
	th_client_close(c[0]);
	for (i = 0; i < 50 && (late = dt_client(&d, "late", false)) == NULL; i++)
		th_sleep(0.1);	/* the proxy notices the close a moment later */
	ck_assert_ptr_nonnull(late);
	th_client_close(late);
	for (i = 1; i < 6; i++)
		th_client_close(c[i]);
}
END_TEST

/* ---- access ---------------------------------------------------------------- */

/* Connects to a Unix socket; on failure writes "connect: <error>" to f. */
static th_conn_t *
connect_unix(const char *path, FILE *f)
{
	th_conn_t *c = th_connect_unix(path);

	if (c == NULL)
		fprintf(f, "connect: %s", strerror(errno));	/* th_connect_unix() keeps errno */
	return c;
}

/*
 * Runs, as user uid (a forked child that drops root's privileges), an RPC
 * handshake on rpc, then with its identifier a stream handshake on stream
 * (if the first succeeded), then a call; writes what happened into out:
 * "connect: <error>", or "rpc <status> <message>; stream <status> <message>;
 * call <result>".  Returns false if the child did not run.
 */
static bool
as_user(uid_t uid, gid_t gid, const char *rpc, const char *stream, char *out, size_t outlen)
{
	int fds[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(fds) != 0 || (pid = fork()) == -1)
		return false;
	if (pid == 0) {
		th_client_t c = { NULL, NULL, { 0 } };
		Krpc__Schema__ConnectionResponse *r;
		krpc_value_t *v;
		FILE *f = fdopen(fds[1], "w");

		close(fds[0]);
		if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
			fprintf(f, "cannot become user %lu: %s", (unsigned long)uid, strerror(errno));
			fclose(f);
			_exit(1);
		}
		if ((c.rpc = connect_unix(rpc, f)) == NULL) {
			fclose(f);
			_exit(0);
		}
		r = th_handshake(c.rpc, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, "second user",
		    NULL, 0, 5.0);
		fprintf(f, "rpc %d %s", r ? (int)r->status : -1, r ? r->message : "(none)");
		if (r == NULL || r->status != 0) {
			fclose(f);
			_exit(0);
		}
		memcpy(c.id, r->client_identifier.data, 16);
		c.stream = connect_unix(stream, f);
		r = c.stream ? th_handshake(c.stream, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM,
		    "", c.id, 16, 5.0) : NULL;
		fprintf(f, "; stream %d %s", r ? (int)r->status : -1, r ? r->message : "(none)");
		v = th_call_value(&c, "string", "TestService", "Int32ToString", 1,
		    krpc_value_sint32(65));
		fprintf(f, "; call %s", v ? krpc_value_str(v, NULL) : "(failed)");
		fclose(f);
		_exit(0);
	}
	close(fds[1]);
	while (got < (ssize_t)outlen - 1 && (n = read(fds[0], out + got, outlen - 1 - (size_t)got)) > 0)
		got += n;
	out[got > 0 ? got : 0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Writes a configuration file and reloads the daemon with it. */
static void
reload(struct dt *t, const char *conf)
{
	FILE *f = fopen(t->conf, "w");
	char *a;

	ck_assert_ptr_nonnull(f);
	fputs(conf, f);
	fclose(f);
	a = dt_admin(t, "reload");
	ck_assert_msg(a != NULL && strstr(a, "reloaded") != NULL, "reload: %s", a ? a : "(none)");
	free(a);
}

/* A directory under /tmp that another user may enter (the test's own is private). */
static void
open_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/krpcmux-access-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
}

/*
 * A second user (nobody): the default socket mode keeps it out; with the
 * sockets open to all, the default lists deny it on both sockets with a
 * handshake error saying so (logged, counted) while root is served; named
 * in access.users, or its group in access.groups, it is served.
 */
START_TEST(test_second_user)
{
	struct dt t = d;
	char dir[64], rpc[96], stream[96], out[1024], want[256];
	const char *extra[] = { "--rpc-path", rpc, "--stream-path", stream, NULL };
	double before;

	if (geteuid() != 0) {
		printf("SKIP: test_second_user: needs root to run a client as another user\n");
		return;
	}
	open_dir(dir, sizeof dir);
	snprintf(rpc, sizeof rpc, "%s/rpc", dir);
	snprintf(stream, sizeof stream, "%s/stream", dir);
	t.daemon = NULL;
	t.direct = NULL;
	t.log_to_stdout = true;
	ck_assert_int_eq(dt_daemon_start(&t, "access", NULL, extra, true), 0);
	ck_assert(as_user(NOBODY, NOBODY, rpc, stream, out, sizeof out));
	ck_assert_msg(strcmp(out, "connect: Permission denied") == 0, "mode 0600: %s", out);
	dt_daemon_stop(&t);	/* the mode applies when the sockets are made */
	ck_assert_int_eq(dt_daemon_start(&t, "access", "listen = { socket_mode = \"0666\"; };\n",
	    extra, true), 0);
	before = counter(&t, "clients_denied");
	ck_assert(as_user(NOBODY, NOBODY, rpc, stream, out, sizeof out));
	snprintf(want, sizeof want, "rpc 2 krpcmuxd: access denied: user %d", NOBODY);
	ck_assert_msg(strncmp(out, want, strlen(want)) == 0 &&
	    strstr(out, "may not use this proxy (access.users, access.groups)") != NULL, "%s", out);
	ck_assert(th_proc_wait_output(t.daemon, "access denied: user 65534", 5.0));
	ck_assert_int_eq(counter(&t, "clients_denied"), before + 1);
	reload(&t, "listen = { socket_mode = \"0666\"; };\naccess = { users = [\"65534\"]; };\n");
	ck_assert(as_user(NOBODY, NOBODY, rpc, stream, out, sizeof out));
	ck_assert_msg(strcmp(out, "rpc 0 ; stream 0 ; call 65") == 0, "access.users: %s", out);
	reload(&t, "listen = { socket_mode = \"0666\"; };\naccess = { groups = [\"65534\"]; };\n");
	ck_assert(as_user(NOBODY, NOBODY, rpc, stream, out, sizeof out));
	ck_assert_msg(strcmp(out, "rpc 0 ; stream 0 ; call 65") == 0, "access.groups: %s", out);
	dt_daemon_stop(&t);
	rmdir(dir);
}
END_TEST

/*
 * The stream socket checks its peers too: once nobody is no longer allowed
 * (a reload), its connection there is refused with the same words,
 * whatever it sends.
 */
START_TEST(test_denied_stream)
{
	struct dt t = d;
	char dir[64], rpc[96], stream[96], out[1024];
	const char *extra[] = { "--rpc-path", rpc, "--stream-path", stream, NULL };

	if (geteuid() != 0) {
		printf("SKIP: test_denied_stream: needs root to run a client as another user\n");
		return;
	}
	open_dir(dir, sizeof dir);
	snprintf(rpc, sizeof rpc, "%s/rpc", dir);
	snprintf(stream, sizeof stream, "%s/stream", dir);
	t.daemon = NULL;
	t.direct = NULL;
	t.log_to_stdout = true;
	/* the RPC socket open to nobody through access.users, the stream side then reloaded shut */
	ck_assert_int_eq(dt_daemon_start(&t, "denied", "listen = { socket_mode = \"0666\"; };\n"
	    "access = { users = [\"65534\"]; };\n", extra, true), 0);
	ck_assert(as_user(NOBODY, NOBODY, rpc, stream, out, sizeof out));
	ck_assert_msg(strcmp(out, "rpc 0 ; stream 0 ; call 65") == 0, "%s", out);
	reload(&t, "listen = { socket_mode = \"0666\"; };\n");
	ck_assert(as_user(NOBODY, NOBODY, stream, stream, out, sizeof out));
	ck_assert_msg(strstr(out, "rpc 2 krpcmuxd: access denied: user 65534") == out, "%s", out);
	dt_daemon_stop(&t);
	rmdir(dir);
}
END_TEST

/*
 * access.addresses over TCP: a client from 127.0.0.2 is refused when only
 * 127.0.0.1 is allowed, while 127.0.0.1 is served; by default every
 * loopback address is.
 */
START_TEST(test_tcp_addresses)
{
	struct dt t = d;
	char rpc[16], stream[16];
	const char *extra[] = { "--rpc-port", rpc, "--stream-port", stream, NULL };
	Krpc__Schema__ConnectionResponse *cr;
	th_client_t *ok;
	th_conn_t *c;

	snprintf(rpc, sizeof rpc, "%d", th_free_port());
	snprintf(stream, sizeof stream, "%d", th_free_port());
	t.daemon = NULL;
	t.direct = NULL;
	t.log_to_stdout = true;
	ck_assert_int_eq(dt_daemon_start(&t, "tcpacl", "access = { addresses = [\"127.0.0.1/32\"]; };\n",
	    extra, true), 0);
	ck_assert_ptr_nonnull(c = th_connect_tcp_from("127.0.0.2", atoi(rpc)));
	cr = th_handshake(c, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, "far", NULL, 0, 5.0);
	ck_assert_ptr_nonnull(cr);
	ck_assert_int_eq(cr->status, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT);
	ck_assert_str_eq(cr->message, "krpcmuxd: access denied: address 127.0.0.2 may not use this "
	    "proxy (access.addresses)");
	krpc__schema__connection_response__free_unpacked(cr, NULL);
	th_conn_close(c);
	ck_assert_ptr_nonnull(ok = th_client_tcp(atoi(rpc), atoi(stream), "near"));
	th_client_close(ok);
	reload(&t, "# defaults\n");
	ck_assert_ptr_nonnull(c = th_connect_tcp_from("127.0.0.2", atoi(rpc)));
	cr = th_handshake(c, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, "far", NULL, 0, 5.0);
	ck_assert(cr != NULL && cr->status == KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK);
	krpc__schema__connection_response__free_unpacked(cr, NULL);
	th_conn_close(c);
	dt_daemon_stop(&t);
}
END_TEST

/* Bad lists fail the load with the option named: an unknown user, a bad network. */
START_TEST(test_bad_lists)
{
	struct dt t = d;

	t.daemon = NULL;
	t.direct = NULL;
	t.log_to_stdout = true;
	ck_assert_int_eq(dt_daemon_start(&t, "badlist", NULL, NULL, true), 0);
	{
		FILE *f = fopen(t.conf, "w");
		char *a;

		fputs("access = { users = [\"no-such-user-krpcmux\"]; };\n", f);
		fclose(f);
		a = dt_admin(&t, "reload");
		ck_assert_ptr_nonnull(a);
		ck_assert_msg(strstr(a, "access.users: there is no user \"no-such-user-krpcmux\"") != NULL,
		    "%s", a);
		free(a);
		f = fopen(t.conf, "w");
		fputs("access = { addresses = [\"10.0.0.0/33\"]; };\n", f);
		fclose(f);
		a = dt_admin(&t, "reload");
		ck_assert_ptr_nonnull(a);
		ck_assert_msg(strstr(a, "access.addresses: \"10.0.0.0/33\" is not an address") != NULL,
		    "%s", a);
		free(a);
	}
	dt_daemon_stop(&t);
}
END_TEST

static Suite *
limits_suite(void)
{
	Suite *s = suite_create("krpcmuxd limits and access");
	TCase *tc = tcase_create("limits");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 40);
	tcase_add_test(tc, test_handshake_timeout);
	tcase_add_test(tc, test_message_timeout);
	tcase_add_test(tc, test_client_streams);
	tcase_add_test(tc, test_client_calls);
	tcase_add_test(tc, test_client_requests);
	tcase_add_test(tc, test_clients_per_user);
	tcase_add_test(tc, test_second_user);
	tcase_add_test(tc, test_denied_stream);
	tcase_add_test(tc, test_tcp_addresses);
	tcase_add_test(tc, test_bad_lists);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(limits_suite());
}
