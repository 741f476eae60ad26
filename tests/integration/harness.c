/*
 * Integration test harness (see harness.h): processes with guaranteed
 * cleanup, temporary places, and a small blocking kRPC client on the codec.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define TH_PROCS_MAX	64
#define TH_CALL_TIMEOUT	10.0

struct th_proc {
	pid_t	 pid;
	char	 out_path[512];
	char	*out;		/* last read of the stdout file */
	bool	 reaped;
	int	 status;
};

struct th_conn {
	int		 fd;
	krpc_framer_t	*framer;
};

static th_proc_t	*th_procs[TH_PROCS_MAX];
static char		 th_dir[256];
static pid_t		 th_owner;	/* process that created th_dir and the procs */

/* ---- helpers ------------------------------------------------------------ */

double
th_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
th_sleep(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static const char *
th_slot(const char *a, const char *b)
{
	static char slots[8][1024];
	static int next;
	char *s = slots[next++ % 8];

	snprintf(s, sizeof slots[0], "%s/%s", a, b);
	return s;
}

const char *
th_bin(const char *rel)
{
	const char *top = getenv("top_builddir");

	return th_slot(top && *top ? top : ".", rel);
}

const char *
th_src(const char *rel)
{
	const char *top = getenv("top_srcdir");

	return th_slot(top && *top ? top : ".", rel);
}

static void
th_rmtree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[1024];
	struct stat st;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			th_rmtree(sub);
		else
			unlink(sub);
	}
	closedir(d);
	rmdir(path);
}

static void
th_atexit(void)
{
	th_cleanup();
	if (th_dir[0] != '\0' && getpid() == th_owner) {
		th_rmtree(th_dir);
		th_dir[0] = '\0';
	}
}

static void
th_on_signal(int sig)
{
	th_atexit();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
th_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	th_owner = getpid();
	atexit(th_atexit);
	signal(SIGTERM, th_on_signal);
	signal(SIGINT, th_on_signal);
	signal(SIGHUP, th_on_signal);
	signal(SIGPIPE, SIG_IGN);
}

const char *
th_tmpdir(void)
{
	th_init();
	if (th_dir[0] == '\0') {
		snprintf(th_dir, sizeof th_dir, "/tmp/krpcmux-test.XXXXXX");
		if (mkdtemp(th_dir) == NULL) {
			perror("harness: mkdtemp");
			abort();
		}
		th_owner = getpid();
	}
	return th_dir;
}

const char *
th_tmp(const char *name)
{
	return th_slot(th_tmpdir(), name);
}

int
th_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* ---- processes -------------------------------------------------------- */

th_proc_t *
th_spawn(const char *const argv[], const char *ready, double timeout)
{
	static int seq;
	th_proc_t *p;
	pid_t parent = getpid();
	int fd, i;

	th_init();
	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	snprintf(p->out_path, sizeof p->out_path, "%s/proc%d-%d.out", th_tmpdir(), (int)parent, seq++);
	if ((fd = open(p->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		perror("harness: open stdout file");
		free(p);
		return NULL;
	}
	p->pid = fork();
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(fd, STDOUT_FILENO);
		close(fd);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "harness: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	if (p->pid == -1) {
		perror("harness: fork");
		free(p);
		return NULL;
	}
	for (i = 0; i < TH_PROCS_MAX && th_procs[i] != NULL; i++)
		;
	if (i < TH_PROCS_MAX)
		th_procs[i] = p;
	if (ready != NULL && !th_proc_wait_output(p, ready, timeout)) {
		fprintf(stderr, "harness: %s did not print \"%s\" within %.1f s; stdout was:\n%s\n",
		    argv[0], ready, timeout, th_proc_stdout(p));
		th_proc_stop(p);
		return NULL;
	}
	return p;
}

pid_t
th_proc_pid(const th_proc_t *p)
{
	return p->pid;
}

const char *
th_proc_stdout(th_proc_t *p)
{
	FILE *f = fopen(p->out_path, "r");
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap);
	size_t got;

	if (buf == NULL)
		return "";
	while (f != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	free(p->out);
	p->out = buf;
	return buf;
}

static bool
th_proc_alive(th_proc_t *p)
{
	if (p->reaped)
		return false;
	if (waitpid(p->pid, &p->status, WNOHANG) == p->pid) {
		p->reaped = true;
		return false;
	}
	return true;
}

bool
th_proc_wait_output(th_proc_t *p, const char *text, double timeout)
{
	double end = th_now() + timeout;

	for (;;) {
		if (strstr(th_proc_stdout(p), text) != NULL)
			return true;
		if (!th_proc_alive(p) || th_now() > end)
			return strstr(th_proc_stdout(p), text) != NULL;
		th_sleep(0.01);
	}
}

void
th_proc_signal(th_proc_t *p, int sig)
{
	if (!p->reaped)
		kill(p->pid, sig);
}

int
th_proc_wait(th_proc_t *p, double timeout)
{
	double end = th_now() + timeout;

	while (th_proc_alive(p)) {
		if (th_now() > end) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &p->status, 0);
			p->reaped = true;
			return -1;
		}
		th_sleep(0.01);
	}
	return p->status;
}

void
th_proc_stop(th_proc_t *p)
{
	int i;

	if (p == NULL)
		return;
	if (th_proc_alive(p)) {
		kill(p->pid, SIGTERM);
		th_proc_wait(p, 5.0);
	}
	for (i = 0; i < TH_PROCS_MAX; i++) {
		if (th_procs[i] == p)
			th_procs[i] = NULL;
	}
	free(p->out);
	free(p);
}

void
th_cleanup(void)
{
	int i;

	for (i = 0; i < TH_PROCS_MAX; i++) {
		th_proc_t *p = th_procs[i];

		if (p == NULL)
			continue;
		/* A forked test child must not kill what its parent started. */
		if (getpid() != th_owner)
			continue;
		th_proc_stop(p);
	}
}

/* ---- connections ------------------------------------------------------ */

static th_conn_t *
th_conn_new(int fd)
{
	th_conn_t *c = calloc(1, sizeof *c);

	if (c == NULL || (c->framer = krpc_framer_new(64 << 20)) == NULL) {
		free(c);
		close(fd);
		return NULL;
	}
	c->fd = fd;
	return c;
}

th_conn_t *
th_connect_tcp(int port)
{
	return th_connect_tcp_from(NULL, port);
}

th_conn_t *
th_connect_tcp_from(const char *source, int port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	th_init();
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return NULL;
	memset(&sin, 0, sizeof sin);
	if (source != NULL) {
		sin.sin_family = AF_INET;
		if (inet_pton(AF_INET, source, &sin.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
			fprintf(stderr, "harness: bind %s: %s\n", source, strerror(errno));
			close(fd);
			return NULL;
		}
		memset(&sin, 0, sizeof sin);
	}
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		fprintf(stderr, "harness: connect 127.0.0.1:%d: %s\n", port, strerror(errno));
		close(fd);
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return th_conn_new(fd);
}

th_conn_t *
th_connect_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd, err;

	th_init();
	if (strlen(path) >= sizeof sun.sun_path)
		return NULL;
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return NULL;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		err = errno;
		fprintf(stderr, "harness: connect %s: %s\n", path, strerror(err));
		close(fd);
		errno = err;	/* the caller may say why */
		return NULL;
	}
	return th_conn_new(fd);
}

void
th_conn_close(th_conn_t *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	krpc_framer_free(c->framer);
	free(c);
}

int
th_conn_fd(const th_conn_t *c)
{
	return c->fd;
}

int
th_send_raw(th_conn_t *c, const void *p, size_t len)
{
	const uint8_t *b = p;
	ssize_t n;

	while (len > 0) {
		n = send(c->fd, b, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

int
th_send_frame(th_conn_t *c, const void *body, size_t len)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	int rc;

	krpc_frame_append(&b, body, len);
	rc = krpc_buf_ok(&b) ? th_send_raw(c, b.data, b.len) : -1;
	krpc_buf_free(&b);
	return rc;
}

int
th_send_msg(th_conn_t *c, const ProtobufCMessage *m)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	int rc;

	krpc_frame_pack(&b, m);
	rc = krpc_buf_ok(&b) ? th_send_raw(c, b.data, b.len) : -1;
	krpc_buf_free(&b);
	return rc;
}

/* Reads what is available within timeout into the framer: 1 data, 0 timeout, -1 closed. */
static int
th_fill(th_conn_t *c, double timeout)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	uint8_t buf[65536];
	ssize_t n;
	int ms = timeout <= 0 ? 0 : (int)(timeout * 1000) + 1;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = recv(c->fd, buf, sizeof buf, 0);
	if (n <= 0)
		return -1;
	return krpc_framer_feed(c->framer, buf, (size_t)n) ? 1 : -1;
}

int
th_recv_frame(th_conn_t *c, double timeout, const uint8_t **body, size_t *len)
{
	double end = th_now() + timeout;
	krpc_frame_rc_t rc;
	int got;

	for (;;) {
		rc = krpc_framer_next(c->framer, body, len);
		if (rc == KRPC_FRAME_OK)
			return 1;
		if (rc != KRPC_FRAME_NEED_MORE) {
			fprintf(stderr, "harness: bad frame: %s\n", krpc_frame_rc_str(rc));
			return -1;
		}
		got = th_fill(c, end - th_now());
		if (got <= 0)
			return got;
	}
}

bool
th_wait_closed(th_conn_t *c, double timeout)
{
	double end = th_now() + timeout;
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	uint8_t buf[4096];
	ssize_t n;

	while (th_now() < end) {
		if (poll(&pfd, 1, (int)((end - th_now()) * 1000) + 1) <= 0)
			continue;
		n = recv(c->fd, buf, sizeof buf, 0);
		if (n <= 0)
			return true;
	}
	return false;
}

Krpc__Schema__ConnectionResponse *
th_handshake(th_conn_t *c, int type, const char *name, const uint8_t *id, size_t idlen,
    double timeout)
{
	Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	const uint8_t *body;
	size_t len;

	req.type = (Krpc__Schema__ConnectionRequest__Type)type;
	req.client_name = (char *)(name ? name : "");
	req.client_identifier.data = (uint8_t *)id;
	req.client_identifier.len = idlen;
	if (th_send_msg(c, &req.base) != 0)
		return NULL;
	if (th_recv_frame(c, timeout, &body, &len) != 1)
		return NULL;
	return krpc__schema__connection_response__unpack(NULL, len, body);
}

/* ---- clients ---------------------------------------------------------- */

/* Handshakes rpc as a new client; takes ownership of rpc. */
static th_client_t *
th_client_rpc(th_conn_t *rpc, const char *name)
{
	th_client_t *c;
	Krpc__Schema__ConnectionResponse *r;

	if (rpc == NULL)
		return NULL;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		th_conn_close(rpc);
		return NULL;
	}
	c->rpc = rpc;
	r = th_handshake(rpc, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, name, NULL, 0, TH_CALL_TIMEOUT);
	if (r == NULL || r->status != 0 || r->client_identifier.len != 16) {
		fprintf(stderr, "harness: RPC handshake failed: %s\n", r ? r->message : "no response");
		if (r)
			krpc__schema__connection_response__free_unpacked(r, NULL);
		th_client_close(c);
		return NULL;
	}
	memcpy(c->id, r->client_identifier.data, 16);
	krpc__schema__connection_response__free_unpacked(r, NULL);
	return c;
}

/* Handshakes stream for c; takes ownership of stream; closes c on failure. */
static th_client_t *
th_client_stream(th_client_t *c, th_conn_t *stream)
{
	Krpc__Schema__ConnectionResponse *r;

	if (c == NULL) {
		th_conn_close(stream);
		return NULL;
	}
	if ((c->stream = stream) == NULL) {
		th_client_close(c);
		return NULL;
	}
	r = th_handshake(stream, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM, NULL, c->id, 16,
	    TH_CALL_TIMEOUT);
	if (r == NULL || r->status != 0) {
		fprintf(stderr, "harness: stream handshake failed: %s\n", r ? r->message : "no response");
		if (r)
			krpc__schema__connection_response__free_unpacked(r, NULL);
		th_client_close(c);
		return NULL;
	}
	krpc__schema__connection_response__free_unpacked(r, NULL);
	return c;
}

th_client_t *
th_client_tcp(int rpc_port, int stream_port, const char *name)
{
	th_client_t *c = th_client_rpc(th_connect_tcp(rpc_port), name);

	if (c == NULL || stream_port <= 0)
		return c;
	return th_client_stream(c, th_connect_tcp(stream_port));
}

th_client_t *
th_client_unix(const char *rpc_path, const char *stream_path, const char *name)
{
	th_client_t *c = th_client_rpc(th_connect_unix(rpc_path), name);

	if (c == NULL || stream_path == NULL)
		return c;
	return th_client_stream(c, th_connect_unix(stream_path));
}

void
th_client_close(th_client_t *c)
{
	if (c == NULL)
		return;
	th_conn_close(c->rpc);
	th_conn_close(c->stream);
	free(c);
}

/* Appends a ProcedureCall of nargs values (ownership taken) to b. */
static void
th_write_call(krpc_buf_t *b, const char *service, const char *procedure, size_t nargs, va_list ap)
{
	krpc_value_t **args = calloc(nargs ? nargs : 1, sizeof *args);
	size_t i;

	for (i = 0; i < nargs; i++) {
		krpc_value_t *v = va_arg(ap, krpc_value_t *);

		if (args != NULL)
			args[i] = v;
		else
			krpc_value_free(v);
	}
	if (args == NULL) {
		b->failed = true;
		return;
	}
	krpc_msg_call_values(b, service, procedure, (const krpc_value_t *const *)args, nargs);
	for (i = 0; i < nargs; i++)
		krpc_value_free(args[i]);
	free(args);
}

void
th_request_add(krpc_buf_t *req, const char *service, const char *procedure, size_t nargs, ...)
{
	krpc_buf_t call = KRPC_BUF_INIT;
	va_list ap;

	va_start(ap, nargs);
	th_write_call(&call, service, procedure, nargs, ap);
	va_end(ap);
	if (!krpc_buf_ok(&call))
		req->failed = true;
	krpc_msg_request_add(req, call.data, call.len);
	krpc_buf_free(&call);
}

int
th_send_request(th_client_t *c, const krpc_buf_t *req)
{
	if (!krpc_buf_ok(req))
		return -1;
	return th_send_frame(c->rpc, req->data, req->len);
}

Krpc__Schema__Response *
th_recv_response(th_client_t *c, double timeout)
{
	const uint8_t *body;
	size_t len;
	Krpc__Schema__Response *r;
	char why[128];

	if (th_recv_frame(c->rpc, timeout, &body, &len) != 1) {
		fprintf(stderr, "harness: no response within %.1f s\n", timeout);
		return NULL;
	}
	if ((r = krpc_msg_response_read(body, len, why, sizeof why)) == NULL)
		fprintf(stderr, "harness: %s\n", why);
	return r;
}

Krpc__Schema__Response *
th_vcall(th_client_t *c, const char *service, const char *procedure, size_t nargs, va_list ap)
{
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;
	int rc;

	th_write_call(&call, service, procedure, nargs, ap);
	krpc_msg_request_add(&req, call.data, call.len);
	if (!krpc_buf_ok(&call))
		req.failed = true;
	rc = th_send_request(c, &req);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
	return rc == 0 ? th_recv_response(c, TH_CALL_TIMEOUT) : NULL;
}

Krpc__Schema__Response *
th_call(th_client_t *c, const char *service, const char *procedure, size_t nargs, ...)
{
	Krpc__Schema__Response *r;
	va_list ap;

	va_start(ap, nargs);
	r = th_vcall(c, service, procedure, nargs, ap);
	va_end(ap);
	return r;
}

krpc_value_t *
th_call_value(th_client_t *c, const char *type, const char *service, const char *procedure,
    size_t nargs, ...)
{
	Krpc__Schema__Response *r;
	krpc_type_t *t = NULL;
	krpc_value_t *v = NULL;
	char why[512] = "";
	va_list ap;

	va_start(ap, nargs);
	r = th_vcall(c, service, procedure, nargs, ap);
	va_end(ap);
	if (r == NULL)
		return NULL;
	if (r->error != NULL || r->n_results != 1) {
		fprintf(stderr, "harness: %s.%s: request failed: %s\n", service, procedure,
		    r->error ? r->error->description : "wrong number of results");
		goto out;
	}
	if (type != NULL && (t = krpc_type_parse(type, why, sizeof why)) == NULL) {
		fprintf(stderr, "harness: bad type %s: %s\n", type, why);
		goto out;
	}
	if (krpc_msg_result_value(r->results[0], t, &v, why, sizeof why) != KRPC_OK)
		fprintf(stderr, "harness: %s.%s: %s\n", service, procedure, why);
	if (v == NULL && t == NULL && r->results[0]->error == NULL)
		v = krpc_value_null(KRPC_TYPE_NONE);	/* void: a non-NULL marker of success */
out:
	krpc_type_free(t);
	krpc__schema__response__free_unpacked(r, NULL);
	return v;
}

char *
th_call_error(th_client_t *c, char **service, char **name, const char *svc,
    const char *procedure, size_t nargs, ...)
{
	Krpc__Schema__Response *r;
	const Krpc__Schema__Error *e = NULL;
	char *desc = NULL;
	va_list ap;

	if (service)
		*service = NULL;
	if (name)
		*name = NULL;
	va_start(ap, nargs);
	r = th_vcall(c, svc, procedure, nargs, ap);
	va_end(ap);
	if (r == NULL)
		return NULL;
	if (r->error != NULL)
		e = r->error;
	else if (r->n_results > 0 && r->results[0]->error != NULL)
		e = r->results[0]->error;
	if (e != NULL) {
		desc = strdup(e->description);
		if (service)
			*service = strdup(e->service);
		if (name)
			*name = strdup(e->name);
	}
	krpc__schema__response__free_unpacked(r, NULL);
	return desc;
}

/* The tuple (x, y, z) of doubles. */
krpc_value_t *
th_vec3(double x, double y, double z)
{
	krpc_value_t *t = krpc_value_collection(KRPC_TYPE_TUPLE);

	krpc_value_append(t, krpc_value_double(x));
	krpc_value_append(t, krpc_value_double(y));
	krpc_value_append(t, krpc_value_double(z));
	return t;
}

krpc_value_t *
th_proc_call(const char *service, const char *procedure, size_t nargs, ...)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	krpc_value_t *v;
	va_list ap;

	va_start(ap, nargs);
	th_write_call(&b, service, procedure, nargs, ap);
	va_end(ap);
	v = krpc_buf_ok(&b) ? krpc_value_message(KRPC_TYPE_PROCEDURE_CALL, b.data, b.len) : NULL;
	krpc_buf_free(&b);
	return v;
}

uint64_t
th_add_stream(th_client_t *c, krpc_value_t *call, bool start)
{
	krpc_value_t *v;
	Krpc__Schema__Stream *s;
	const uint8_t *data;
	size_t len;
	uint64_t id = UINT64_MAX;

	v = th_call_value(c, "stream", "KRPC", "AddStream", 2, call, krpc_value_bool(start));
	if (v == NULL)
		return UINT64_MAX;
	data = krpc_value_data(v, &len);
	if ((s = krpc__schema__stream__unpack(NULL, len, data)) != NULL) {
		id = s->id;
		krpc__schema__stream__free_unpacked(s, NULL);
	}
	krpc_value_free(v);
	return id;
}

Krpc__Schema__StreamUpdate *
th_recv_update(th_client_t *c, double timeout)
{
	const uint8_t *body;
	size_t len;
	char why[128];
	Krpc__Schema__StreamUpdate *u;

	if (c->stream == NULL || th_recv_frame(c->stream, timeout, &body, &len) != 1)
		return NULL;
	if ((u = krpc_msg_update_read(body, len, why, sizeof why)) == NULL)
		fprintf(stderr, "harness: %s\n", why);
	return u;
}

krpc_value_t *
th_wait_stream(th_client_t *c, uint64_t id, const char *type, double timeout, char *err,
    size_t errlen)
{
	double end = th_now() + timeout;
	krpc_type_t *t;
	krpc_value_t *v = NULL;
	char why[512];
	size_t i;
	bool found = false;

	if ((t = krpc_type_parse(type, why, sizeof why)) == NULL) {
		fprintf(stderr, "harness: bad type %s: %s\n", type, why);
		return NULL;
	}
	while (!found && th_now() < end) {
		Krpc__Schema__StreamUpdate *u = th_recv_update(c, end - th_now());

		if (u == NULL)
			break;
		for (i = 0; i < u->n_results; i++) {
			const Krpc__Schema__StreamResult *r = u->results[i];

			if (r->id != id || found || r->result == NULL)
				continue;
			found = true;
			if (krpc_msg_result_value(r->result, t, &v, why, sizeof why) != KRPC_OK &&
			    err != NULL && errlen > 0)
				snprintf(err, errlen, "%s", why);
		}
		krpc__schema__stream_update__free_unpacked(u, NULL);
	}
	krpc_type_free(t);
	return v;
}

const uint8_t *
th_hex(const char *hex, size_t *len)
{
	static uint8_t slots[8][4096];
	static int next;
	uint8_t *out = slots[next++ % 8];
	size_t n = 0;
	unsigned int byte;

	while (hex[0] != '\0' && hex[1] != '\0' && n < sizeof slots[0]) {
		if (sscanf(hex, "%2x", &byte) != 1)
			break;
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	*len = n;
	return out;
}
