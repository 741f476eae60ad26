/*
 * Helpers of the libkrpcmux integration tests: the server under test
 * (krpc-sim started per test case, or endpoints from the environment),
 * connections, calls with assertions, and a counting rendezvous.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libtest.h"
#include "testserver.h"

struct lt_target lt;
static th_proc_t *lt_sim;

/* Parses "unix:PATH" or "HOST:PORT" into the target; false if malformed. */
static bool
lt_parse_endpoint(const char *s, bool stream)
{
	const char *colon;

	if (strncmp(s, "unix:", 5) == 0) {
		snprintf(stream ? lt.stream_path : lt.rpc_path, sizeof lt.rpc_path, "%s", s + 5);
		lt.local = true;
		return true;
	}
	if ((colon = strrchr(s, ':')) == NULL || colon == s)
		return false;
	snprintf(lt.host, sizeof lt.host, "%.*s", (int)(colon - s), s);
	*(stream ? &lt.stream_port : &lt.rpc_port) = atoi(colon + 1);
	lt.tcp = true;
	return true;
}

/* Reads the endpoints from the environment; false if none is given. */
static bool
lt_from_env(void)
{
	const char *rpc = getenv("KRPC_TEST_RPC"), *stream = getenv("KRPC_TEST_STREAM");

	const char *excl = getenv("KRPC_TEST_EXCLUSIVE");

	if (rpc == NULL || *rpc == '\0')
		return false;
	size_t n;

	lt.external = true;
	lt.exclusive = excl != NULL && strcmp(excl, "1") == 0;
	if (!lt_parse_endpoint(rpc, false) || stream == NULL || !lt_parse_endpoint(stream, true))
		fprintf(stderr, "libtest: bad KRPC_TEST_RPC/KRPC_TEST_STREAM (HOST:PORT or unix:PATH)\n");
	/* Sockets at DIR/krpc/rpc and DIR/krpc/stream are the default paths for XDG_RUNTIME_DIR=DIR. */
	n = strlen(lt.rpc_path);
	if (lt.local && n > 9 && strcmp(lt.rpc_path + n - 9, "/krpc/rpc") == 0 &&
	    strncmp(lt.stream_path, lt.rpc_path, n - 3) == 0 && strcmp(lt.stream_path + n - 3, "stream") == 0)
		snprintf(lt.runtime_dir, sizeof lt.runtime_dir, "%.*s", (int)(n - 9), lt.rpc_path);
	return true;
}

/* Starts krpc-sim on ephemeral TCP ports and Unix sockets under th_tmpdir()/krpc. */
static void
lt_spawn_sim(void)
{
	const char *argv[12], *out, *p;
	int n = 0;

	snprintf(lt.runtime_dir, sizeof lt.runtime_dir, "%s", th_tmpdir());
	snprintf(lt.rpc_path, sizeof lt.rpc_path, "%s/krpc/rpc", lt.runtime_dir);
	snprintf(lt.stream_path, sizeof lt.stream_path, "%s/krpc/stream", lt.runtime_dir);
	mkdir(th_tmp("krpc"), 0700);
	argv[n++] = th_bin("tests/sim/krpc-sim");
	argv[n++] = "--rpc-port";
	argv[n++] = "0";
	argv[n++] = "--stream-port";
	argv[n++] = "0";
	argv[n++] = "--rpc-path";
	argv[n++] = lt.rpc_path;
	argv[n++] = "--stream-path";
	argv[n++] = lt.stream_path;
	argv[n++] = "--quiet";
	argv[n] = NULL;
	if ((lt_sim = th_spawn(argv, "krpc-sim: listening", 20.0)) == NULL ||
	    !th_proc_wait_output(lt_sim, "stream=/", 10.0) ||
	    !th_proc_wait_output(lt_sim, "stream=127.0.0.1:", 10.0))
		return;
	out = th_proc_stdout(lt_sim);
	if ((p = strstr(out, "rpc=127.0.0.1:")) == NULL ||
	    sscanf(p, "rpc=127.0.0.1:%d stream=127.0.0.1:%d", &lt.rpc_port, &lt.stream_port) != 2) {
		fprintf(stderr, "libtest: cannot read the ports from: %s\n", out);
		return;
	}
	snprintf(lt.host, sizeof lt.host, "127.0.0.1");
	lt.tcp = lt.local = true;
}

/* Starts krpc-sim or the TestServer for one test. */
void
lt_own_start(struct lt_own *own)
{
	const char *argv[] = { th_bin("tests/sim/krpc-sim"), "--rpc-port", "0", "--stream-port", "0",
	    "--quiet", NULL };
	const char *kind = getenv("KRPC_TEST_SERVER"), *p;
	struct testserver ts;

	memset(own, 0, sizeof *own);
	if (kind != NULL && strcmp(kind, "testserver") == 0) {
		ck_assert_msg(ts_start(&ts, true) == 0, "the TestServer did not start");
		own->proc = ts.proc;
		own->rpc_port = ts.rpc_port;
		own->stream_port = ts.stream_port;
		return;
	}
	own->proc = th_spawn(argv, "krpc-sim: listening", 20);
	ck_assert_ptr_nonnull(own->proc);
	p = strstr(th_proc_stdout(own->proc), "rpc=");
	ck_assert(p != NULL && sscanf(p, "rpc=127.0.0.1:%d stream=127.0.0.1:%d", &own->rpc_port,
	    &own->stream_port) == 2);
}

/* True once something accepts TCP connections on the loopback port (within timeout s). */
static bool
lt_wait_port(int port, double timeout)
{
	struct sockaddr_in sin;
	double end = th_now() + timeout;
	int fd, rc;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	do {
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			return false;
		rc = connect(fd, (struct sockaddr *)&sin, sizeof sin);
		close(fd);
		if (rc == 0)
			return true;
		th_sleep(0.05);
	} while (th_now() < end);
	return false;
}

/* Starts krpcmuxd in front of an upstream server. */
void
lt_own_proxy(struct lt_own *proxy, const struct lt_own *upstream, const char *conf)
{
	char up_rpc[16], up_stream[16], rpc[16], stream[16], path[64];
	const char *argv[24];
	FILE *f;
	int n = 0;

	memset(proxy, 0, sizeof *proxy);
	proxy->rpc_port = th_free_port();
	while ((proxy->stream_port = th_free_port()) == proxy->rpc_port)
		;
	snprintf(up_rpc, sizeof up_rpc, "%d", upstream->rpc_port);
	snprintf(up_stream, sizeof up_stream, "%d", upstream->stream_port);
	snprintf(rpc, sizeof rpc, "%d", proxy->rpc_port);
	snprintf(stream, sizeof stream, "%d", proxy->stream_port);
	snprintf(path, sizeof path, "krpcmuxd-%d.conf", proxy->rpc_port);
	ck_assert_ptr_nonnull(f = fopen(th_tmp(path), "w"));
	fputs(conf != NULL ? conf : "# nothing\n", f);
	fclose(f);
	argv[n++] = th_bin("daemon/krpcmuxd");
	argv[n++] = "-f";
	argv[n++] = "-c";
	argv[n++] = th_tmp(path);
	argv[n++] = "--upstream-rpc-port";
	argv[n++] = up_rpc;
	argv[n++] = "--upstream-stream-port";
	argv[n++] = up_stream;
	argv[n++] = "--rpc-port";
	argv[n++] = rpc;
	argv[n++] = "--stream-port";
	argv[n++] = stream;
	argv[n++] = "--rpc-path";
	argv[n++] = "";
	argv[n++] = "--stream-path";
	argv[n++] = "";
	argv[n++] = "--admin-path";
	argv[n++] = "";
	argv[n++] = "--log-level";
	argv[n++] = "warn";
	argv[n] = NULL;
	ck_assert_ptr_nonnull(proxy->proc = th_spawn(argv, NULL, 0));
	ck_assert_msg(lt_wait_port(proxy->rpc_port, 20), "krpcmuxd does not listen");
}

bool
lt_server_exclusive(void)
{
	return !lt.external || lt.exclusive;
}

/* Unchecked fixture: the server under test. */
void
lt_start(void)
{
	memset(&lt, 0, sizeof lt);
	if (!lt_from_env())
		lt_spawn_sim();
}

/* Unchecked fixture: stops krpc-sim; an unclean exit is reported. */
void
lt_stop(void)
{
	int status;

	if (lt_sim == NULL)
		return;
	th_proc_signal(lt_sim, SIGTERM);
	status = th_proc_wait(lt_sim, 10.0);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "libtest: krpc-sim exited uncleanly (wait status %#x)\n", status);
	lt_sim = NULL;
}

void
lt_tcase(TCase *tc, double timeout)
{
	tcase_add_unchecked_fixture(tc, lt_start, lt_stop);
	tcase_set_timeout(tc, timeout);
}

/* Connects to the server under test (TCP if known, else Unix). */
static krpc_client_t *
lt_connect(const char *name, bool stream)
{
	krpc_client_t *c = NULL;
	krpc_code_t rc;

	ck_assert_msg(lt.tcp || lt.local, "no server under test");
	if (lt.tcp)
		rc = krpc_connect(&c, name, lt.host, lt.rpc_port, stream ? lt.stream_port : KRPC_NO_STREAM);
	else
		rc = krpc_connect_local(&c, name, lt.rpc_path, stream ? lt.stream_path : KRPC_NO_STREAM_PATH);
	ck_assert_msg(rc == KRPC_OK, "connect: %s", krpc_error_message());
	return c;
}

krpc_client_t *
lt_client(const char *name)
{
	return lt_connect(name, true);
}

krpc_client_t *
lt_client_nostream(const char *name)
{
	return lt_connect(name, false);
}

/* Calls with owned value arguments; asserts success. */
static krpc_value_t *
lt_vcall(krpc_client_t *c, const char *service, const char *procedure, const char *ret,
    size_t nargs, va_list ap)
{
	krpc_value_t *args[8] = { NULL }, *v = NULL;
	krpc_code_t rc;
	size_t i;

	ck_assert_uint_le(nargs, 8);
	for (i = 0; i < nargs; i++)
		args[i] = va_arg(ap, krpc_value_t *);
	rc = krpc_call(c, service, procedure, args, nargs, ret, &v);
	for (i = 0; i < nargs; i++)
		krpc_value_free(args[i]);
	ck_assert_msg(rc == KRPC_OK, "%s.%s: %s", service, procedure, krpc_error_message());
	return v;
}

krpc_value_t *
lt_call(krpc_client_t *c, const char *service, const char *procedure, const char *ret,
    size_t nargs, ...)
{
	krpc_value_t *v;
	va_list ap;

	va_start(ap, nargs);
	v = lt_vcall(c, service, procedure, ret, nargs, ap);
	va_end(ap);
	return v;
}

char *
lt_call_str(krpc_client_t *c, const char *service, const char *procedure, size_t nargs, ...)
{
	krpc_value_t *v;
	char *s;
	va_list ap;

	va_start(ap, nargs);
	v = lt_vcall(c, service, procedure, "string", nargs, ap);
	va_end(ap);
	ck_assert_ptr_nonnull(krpc_value_str(v, NULL));
	s = strdup(krpc_value_str(v, NULL));
	krpc_value_free(v);
	return s;
}

const char *
lt_id(const char *base)
{
	static char slots[8][128];
	static long stamp;
	static int next;
	char *out = slots[next++ % 8];

	if (stamp == 0)
		stamp = (long)time(NULL);
	snprintf(out, sizeof slots[0], "%s-%ld-%ld", base, (long)getpid(), stamp);
	return out;
}

char *
lt_fmt(const krpc_value_t *v)
{
	return v != NULL ? krpc_value_format(v) : strdup("(none)");
}

/* KRPC.GetStatus().stream_rpcs. */
unsigned
lt_stream_count(krpc_client_t *c)
{
	krpc_value_t *v = lt_call(c, "KRPC", "GetStatus", "status", 0);
	Krpc__Schema__Status *st;
	const uint8_t *data;
	size_t len;
	unsigned n;

	data = krpc_value_data(v, &len);
	st = krpc__schema__status__unpack(NULL, len, data);
	ck_assert_ptr_nonnull(st);
	n = st->stream_rpcs;
	krpc__schema__status__free_unpacked(st, NULL);
	krpc_value_free(v);
	return n;
}

void
lt_count_init(struct lt_count *k)
{
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	k->n = 0;
}

void
lt_count_add(struct lt_count *k, int d)
{
	pthread_mutex_lock(&k->mu);
	k->n += d;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

int
lt_count_get(struct lt_count *k)
{
	int n;

	pthread_mutex_lock(&k->mu);
	n = k->n;
	pthread_mutex_unlock(&k->mu);
	return n;
}

bool
lt_count_wait(struct lt_count *k, int want, double timeout)
{
	struct timespec ts;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)timeout;
	ts.tv_nsec += (long)((timeout - (double)(time_t)timeout) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&k->mu);
	while (k->n < want && pthread_cond_timedwait(&k->cv, &k->mu, &ts) == 0)
		;
	ok = k->n >= want;
	pthread_mutex_unlock(&k->mu);
	return ok;
}
