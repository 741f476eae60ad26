/*
 * Stream fan-out: N clients (RPC and stream connections each) subscribe to
 * the same changing value, SpaceCenter.get_UT, and one epoll loop counts
 * what they receive while the CPU time of the proxy and of the server and
 * the server's own stream count and evaluations are read around a window.
 */
#include "config.h"

#include <sys/epoll.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "harness.h"

#define FANOUT_RING	512	/* distinct values tracked for the spread */
#define FANOUT_LOOKBACK	64	/* how far back a value is looked for */
#define FANOUT_EVENTS	256

struct fanout_client {
	struct net_conn	*rpc;
	struct net_conn	*stream;
	uint8_t		 id[16];
	uint64_t	 stream_id;
	uint64_t	 count;		/* values received in the window */
	double		 last;		/* the last value, NaN before the first */
};

/* One value (one server update) as the clients read it during the window. */
struct fanout_value {
	uint64_t	 bits;
	double		 first;
	double		 last;
	size_t		 count;
	bool		 used;
};

struct fanout {
	const struct fanout_params	*p;
	struct fanout_client		*c;
	size_t				 n;
	int				 ep;
	bool				 counting;
	uint64_t			 anomalies;
	struct fanout_value		 ring[FANOUT_RING];
	size_t				 ring_next;
	double				*spread;	/* ms, values every client read */
	size_t				 nspread;
	size_t				 capspread;
};

/* ---- the spread: first to last client reading the same value ---------- */

/* Closes a tracked value: its spread counts if every client read it. */
static void
fanout_value_close(struct fanout *f, struct fanout_value *v)
{
	double *s;

	if (!v->used || v->count != f->n)
		goto done;
	if (f->nspread == f->capspread) {
		f->capspread = f->capspread ? 2 * f->capspread : 256;
		if ((s = realloc(f->spread, f->capspread * sizeof *s)) == NULL) {
			f->capspread = f->nspread;
			goto done;
		}
		f->spread = s;
	}
	f->spread[f->nspread++] = (v->last - v->first) * 1e3;
done:
	v->used = false;
}

/* Records that a client read a value at time now. */
static void
fanout_value_seen(struct fanout *f, uint64_t bits, double now)
{
	struct fanout_value *v;
	size_t i, k;

	for (i = 1; i <= FANOUT_LOOKBACK; i++) {
		k = (f->ring_next + FANOUT_RING - i) % FANOUT_RING;
		v = &f->ring[k];
		if (v->used && v->bits == bits) {
			v->last = now;
			v->count++;
			return;
		}
	}
	v = &f->ring[f->ring_next];
	fanout_value_close(f, v);
	*v = (struct fanout_value){ .bits = bits, .first = now, .last = now, .count = 1, .used = true };
	f->ring_next = (f->ring_next + 1) % FANOUT_RING;
}

/* ---- reading the stream connections ----------------------------------- */

/* One StreamResult of client c. */
static void
fanout_result(struct fanout *f, struct fanout_client *c, const uint8_t *p, size_t len, double now)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t fld;
	const uint8_t *v = NULL;
	char why[128];
	uint64_t id = 0, bits;
	size_t vlen = 0;
	double d;
	int rc = 0;

	while (krpc_pbr_next(&r, &fld) == 1) {
		if (fld.number == 1 && fld.wire == KRPC_WIRE_VARINT)
			id = fld.varint;
		else if (fld.number == 2 && fld.wire == KRPC_WIRE_LEN)
			rc = net_value(fld.data, fld.len, &v, &vlen, why, sizeof why);
	}
	if (rc != 0 || id != c->stream_id || v == NULL || vlen != 8) {
		f->anomalies++;
		return;
	}
	bits = krpc_get_le64(v);
	memcpy(&d, &bits, sizeof d);
	if (!isnan(c->last) && !(d > c->last))
		f->anomalies++;
	c->last = d;
	if (!f->counting)
		return;
	c->count++;
	fanout_value_seen(f, bits, now);
}

/* One StreamUpdate of client c. */
static void
fanout_update(struct fanout *f, struct fanout_client *c, const uint8_t *p, size_t len, double now)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t fld;
	int rc;

	while ((rc = krpc_pbr_next(&r, &fld)) == 1) {
		if (fld.number == 1 && fld.wire == KRPC_WIRE_LEN)
			fanout_result(f, c, fld.data, fld.len, now);
	}
	if (rc < 0)
		f->anomalies++;
}

/* Reads what client i's stream connection holds; -1 if it closed. */
static int
fanout_read(struct fanout *f, size_t i)
{
	struct fanout_client *c = &f->c[i];
	const uint8_t *body;
	size_t len;
	double now;
	int rc;

	if (net_fill(c->stream) < 0) {
		fprintf(stderr, "krpcmux-bench: client %zu: stream connection closed\n", i);
		return -1;
	}
	now = th_now();
	while ((rc = net_next(c->stream, &body, &len)) == 1)
		fanout_update(f, c, body, len, now);
	return rc;
}

/* Serves the stream connections until a deadline. */
static int
fanout_loop(struct fanout *f, double until)
{
	struct epoll_event ev[FANOUT_EVENTS];
	double now;
	int n, i;

	while ((now = th_now()) < until) {
		n = epoll_wait(f->ep, ev, FANOUT_EVENTS, (int)((until - now) * 1e3) + 1);
		for (i = 0; i < n; i++) {
			if (fanout_read(f, (size_t)ev[i].data.u64) < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * Reads everything already waiting, without blocking: what arrived while
 * the benchmark was busy elsewhere (asking the server's status) belongs
 * before the window, not in it.
 */
static int
fanout_drain(struct fanout *f)
{
	struct epoll_event ev[FANOUT_EVENTS];
	int n, i, rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		if ((n = epoll_wait(f->ep, ev, FANOUT_EVENTS, 0)) <= 0)
			return n;
		for (i = 0; i < n; i++) {
			if (fanout_read(f, (size_t)ev[i].data.u64) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- setting the clients up ------------------------------------------- */

/* Sends one framed message to every client's RPC (stream false) or stream connection. */
static int
fanout_send_all(struct fanout *f, bool stream, const krpc_buf_t *msg)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (net_send(stream ? f->c[i].stream : f->c[i].rpc, msg->data, msg->len) != 0)
			return -1;
	}
	return 0;
}

/* Opens every RPC connection, then every stream connection, handshakes pipelined. */
static int
fanout_connect(struct fanout *f)
{
	krpc_buf_t hello = KRPC_BUF_INIT;
	uint8_t id[16];
	size_t i;

	for (i = 0; i < f->n; i++) {
		if ((f->c[i].rpc = net_open(f->p->target, false)) == NULL)
			return -1;
		krpc_buf_reset(&hello);
		net_hello(&hello, false, "krpcmux-bench fanout", NULL);
		if (!krpc_buf_ok(&hello) || net_send(f->c[i].rpc, hello.data, hello.len) != 0)
			goto fail;
	}
	for (i = 0; i < f->n; i++) {
		if (net_hello_reply(f->c[i].rpc, f->c[i].id) != 0)
			goto fail;
	}
	for (i = 0; i < f->n; i++) {
		if ((f->c[i].stream = net_open(f->p->target, true)) == NULL)
			goto fail;
		krpc_buf_reset(&hello);
		net_hello(&hello, true, NULL, f->c[i].id);
		if (!krpc_buf_ok(&hello) || net_send(f->c[i].stream, hello.data, hello.len) != 0)
			goto fail;
	}
	/* The answer carries the stream connection's own identifier (no echo): only OK matters. */
	for (i = 0; i < f->n; i++) {
		if (net_hello_reply(f->c[i].stream, id) != 0)
			goto fail;
	}
	krpc_buf_free(&hello);
	return 0;
fail:
	krpc_buf_free(&hello);
	return -1;
}

/* Reads a Stream message's id (field 1; absent means 0). */
static int
fanout_stream_id(const uint8_t *p, size_t len, uint64_t *id)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	int rc;

	*id = 0;
	while ((rc = krpc_pbr_next(&r, &f)) == 1) {
		if (f.number == 1 && f.wire == KRPC_WIRE_VARINT)
			*id = f.varint;
	}
	return rc;
}

/* Every client asks for AddStream(SpaceCenter.get_UT, start = true), pipelined. */
static int
fanout_subscribe(struct fanout *f)
{
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;
	static const uint8_t yes = 1;
	krpc_msg_arg_t args[2];
	const uint8_t *body, *v;
	char why[256];
	size_t i, len, vlen;
	int rc = -1;

	krpc_msg_call(&call, "SpaceCenter", "get_UT", NULL, 0);
	args[0] = (krpc_msg_arg_t){ .position = 0, .value = call.data, .len = call.len };
	args[1] = (krpc_msg_arg_t){ .position = 1, .value = &yes, .len = 1 };
	net_request(&req, "KRPC", "AddStream", args, 2);
	if (!krpc_buf_ok(&call) || !krpc_buf_ok(&req) || fanout_send_all(f, false, &req) != 0)
		goto done;
	for (i = 0; i < f->n; i++) {
		if (net_recv(f->c[i].rpc, &body, &len) != 1)
			goto done;
		if (net_result(body, len, &v, &vlen, why, sizeof why) != 0) {
			fprintf(stderr, "krpcmux-bench: AddStream: %s\n", why);
			goto done;
		}
		if (fanout_stream_id(v, vlen, &f->c[i].stream_id) != 0)
			goto done;
	}
	rc = 0;
done:
	krpc_buf_free(&call);
	krpc_buf_free(&req);
	return rc;
}

/* Puts every stream connection in the epoll set. */
static int
fanout_watch(struct fanout *f)
{
	struct epoll_event ev;
	size_t i;

	if ((f->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	for (i = 0; i < f->n; i++) {
		ev.events = EPOLLIN;
		ev.data.u64 = i;
		if (net_nonblock(f->c[i].stream) != 0 ||
		    epoll_ctl(f->ep, EPOLL_CTL_ADD, net_fd(f->c[i].stream), &ev) != 0)
			return -1;
	}
	return 0;
}

/* Closes every client, then waits for the server to drop their streams. */
static void
fanout_teardown(struct fanout *f, struct net_conn *server)
{
	struct status st;
	double end = th_now() + 5.0;
	size_t i;

	for (i = 0; i < f->n; i++) {
		net_close(f->c[i].stream);
		net_close(f->c[i].rpc);
	}
	if (f->ep != -1)
		close(f->ep);
	while (server != NULL && status_get(server, &st) == 0 && st.stream_rpcs > 0) {
		if (th_now() > end) {
			fprintf(stderr, "krpcmux-bench: the server still has %u streams 5 s after the "
			    "clients left\n", st.stream_rpcs);
			break;
		}
		th_sleep(0.02);
	}
}

/* ---- the measurement -------------------------------------------------- */

/* CPU seconds of this process. */
static double
fanout_self_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What is read at each end of the window. */
struct fanout_mark {
	struct status	 st;
	double		 t;
	double		 proxy;
	double		 proxy_stat;
	double		 sim;
	double		 self;
};

/*
 * Reads the clocks, and the server's status: first at the start (then
 * drains what arrived meanwhile), last at the end.
 */
static int
fanout_mark(struct fanout *f, struct net_conn *server, bool start, struct fanout_mark *m)
{
	if (start && (status_get(server, &m->st) != 0 || fanout_drain(f) != 0))
		return -1;
	m->t = th_now();
	m->proxy = f->p->proxy_pid > 0 ? procs_cpu(f->p->proxy_pid) : NAN;
	m->proxy_stat = f->p->proxy_pid > 0 ? procs_cpu_stat(f->p->proxy_pid) : NAN;
	m->sim = procs_cpu(f->p->sim_pid);
	m->self = fanout_self_cpu();
	if (!start && status_get(server, &m->st) != 0)
		return -1;
	return 0;
}

/* Turns the two marks and the counts into the result. */
static void
fanout_result_fill(struct fanout *f, const struct fanout_mark *a, const struct fanout_mark *b,
    struct fanout_result *out)
{
	double dt = b->t - a->t, rate, min = INFINITY;
	size_t i;

	memset(out, 0, sizeof *out);
	out->clients = f->n;
	out->seconds = dt;
	for (i = 0; i < f->n; i++) {
		out->values += f->c[i].count;
		rate = (double)f->c[i].count / dt;
		if (rate < min)
			min = rate;
	}
	out->values_per_s = (double)out->values / dt;
	out->per_client_per_s = out->values_per_s / (double)f->n;
	out->min_client_per_s = min;
	out->proxy_cpu = (b->proxy - a->proxy) / dt;
	out->proxy_us_per_value = out->values > 0 ? (b->proxy - a->proxy) * 1e6 / (double)out->values : NAN;
	out->proxy_cpu_stat = (b->proxy_stat - a->proxy_stat) / dt;
	out->sim_cpu = (b->sim - a->sim) / dt;
	out->gen_cpu = (b->self - a->self) / dt;
	out->stream_rpcs = b->st.stream_rpcs;
	out->evals_per_s = (double)(b->st.stream_rpcs_executed - a->st.stream_rpcs_executed) /
	    (b->st.when - a->st.when);
	for (i = 0; i < FANOUT_RING; i++)
		fanout_value_close(f, &f->ring[i]);
	stats_sort(f->spread, f->nspread);
	out->spread_med_ms = f->n > 1 ? stats_quantile(f->spread, f->nspread, 0.5) : NAN;
	out->spread_p99_ms = f->n > 1 ? stats_quantile(f->spread, f->nspread, 0.99) : NAN;
	out->anomalies = f->anomalies;
}

/* Connects the status client to the server. */
static struct net_conn *
fanout_server(const struct target *t)
{
	krpc_buf_t hello = KRPC_BUF_INIT;
	struct net_conn *c;
	uint8_t id[16];
	int rc;

	if ((c = net_open(t, false)) == NULL)
		return NULL;
	net_hello(&hello, false, "krpcmux-bench status", NULL);
	rc = krpc_buf_ok(&hello) ? net_send(c, hello.data, hello.len) : -1;
	krpc_buf_free(&hello);
	if (rc != 0 || net_hello_reply(c, id) != 0) {
		net_close(c);
		return NULL;
	}
	return c;
}

/* One run: connect the clients, subscribe, measure, disconnect. */
int
fanout_run(const struct fanout_params *p, struct fanout_result *out)
{
	struct fanout *f;
	struct net_conn *server = NULL;
	struct fanout_mark a, b;
	size_t i;
	int rc = -1;

	if ((f = calloc(1, sizeof *f)) == NULL || (f->c = calloc(p->clients, sizeof *f->c)) == NULL) {
		free(f);
		return -1;
	}
	f->p = p;
	f->n = p->clients;
	f->ep = -1;
	for (i = 0; i < f->n; i++)
		f->c[i].last = NAN;
	if ((server = fanout_server(p->server)) == NULL || fanout_connect(f) != 0 ||
	    fanout_subscribe(f) != 0 || fanout_watch(f) != 0)
		goto done;
	if (fanout_loop(f, th_now() + p->warmup) != 0 || fanout_mark(f, server, true, &a) != 0)
		goto done;
	f->counting = true;
	if (fanout_loop(f, a.t + p->window) != 0)
		goto done;
	f->counting = false;
	if (fanout_mark(f, server, false, &b) != 0)
		goto done;
	fanout_result_fill(f, &a, &b, out);
	rc = 0;
done:
	if (rc != 0)
		fprintf(stderr, "krpcmux-bench: fan-out run with %zu clients on %s failed\n",
		    p->clients, p->target->name);
	fanout_teardown(f, server);
	net_close(server);
	free(f->spread);
	free(f->c);
	free(f);
	return rc;
}
