/*
 * krpc-sim server: the event loop and the paced update loop (service ticks,
 * handshakes, the RPC phase with its time budget and receive wait, then the
 * stream phase), the connection and client registries with deferred frees,
 * the KRPC.GetStatus counters, and the sim_server_* API.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define SERVER_BUDGET		0.005	/* max_time_per_update: RPC time per update, s */
#define SERVER_RECV_TIMEOUT	0.001	/* recv_timeout: wait for more requests, s */
#define SERVER_EMA		0.25f	/* weight of a new sample in the status averages */

struct server_stats {
	uint64_t	 bytes_read;
	uint64_t	 bytes_written;
	uint64_t	 rpcs;
	uint64_t	 stream_evals;
	uint64_t	 prev[4];	/* the four totals at the previous refresh */
	double		 prev_time;
	float		 read_rate;
	float		 written_rate;
	float		 rpc_rate;
	float		 stream_rate;
	float		 time_rpc;
	float		 time_poll;
	float		 time_exec;
	float		 time_stream;
};

struct sim_server {
	struct sim_options	 opt;
	struct event_base	*base;
	struct event		*sig_term;
	struct event		*sig_int;
	struct event		*update_ev;	/* the next update */
	struct event		*wait_ev;	/* the RPC phase's wait for more requests */
	struct event		*reap_ev;	/* deferred frees */
	listener_t		*listeners[2];
	size_t			 nlisteners;
	conn_t			**conns;	/* accept order: the RPC phase's polling order */
	size_t			 nconns;
	size_t			 capconns;
	sim_client_t		**clients;
	size_t			 nclients;
	size_t			 capclients;
	struct object_store	*objects;
	bool			 services_up;
	uint64_t		 updates;
	uint64_t		 next_stream_id;
	double			 due;		/* when the next update should start */
	bool			 in_rpc;	/* the RPC phase is waiting for requests */
	double			 rpc_start;
	double			 rpc_last;	/* last request executed */
	double			 exec;		/* seconds executing requests this update */
	bool			 paused;
	struct server_stats	 st;
};

static void server_update_end(sim_server_t *);

/* The exponential moving average step. */
static float
server_ema(float old, double sample)
{
	return old * (1.0f - SERVER_EMA) + (float)sample * SERVER_EMA;
}

/* Frees dead connections and clients with no connection left. */
static void
server_reap(sim_server_t *s)
{
	size_t i, j;

	for (i = j = 0; i < s->nconns; i++) {
		if (conn_state(s->conns[i]) == CONN_DEAD)
			conn_free(s->conns[i]);
		else
			s->conns[j++] = s->conns[i];
	}
	s->nconns = j;
	for (i = j = 0; i < s->nclients; i++) {
		if (client_gone(s->clients[i])) {
			server_log(s, "client %u: gone", client_number(s->clients[i]));
			client_free(s->clients[i]);
		} else
			s->clients[j++] = s->clients[i];
	}
	s->nclients = j;
}

/* True once the RPC phase has used its time budget. */
static bool
server_budget_spent(const sim_server_t *s)
{
	return krpc_time_now() - s->rpc_start >= SERVER_BUDGET;
}

/* Polls the RPC connections in turn, one request each per pass. */
static size_t
server_rpc_passes(sim_server_t *s)
{
	size_t i, n, total = 0;
	sim_client_t *client;
	uint8_t *body;
	size_t len;
	double t;

	do {
		n = 0;
		for (i = 0; i < s->nconns && !server_budget_spent(s); i++) {
			conn_t *c = s->conns[i];

			if (conn_kind(c) != CONN_RPC || conn_state(c) != CONN_READY ||
			    (client = conn_client(c)) == NULL || client_pending(client) != NULL ||
			    conn_backlogged(c))
				continue;	/* a peer that does not read its responses waits */
			switch (conn_take(c, &body, &len)) {
			case CONN_FRAME_NONE:
				continue;
			case CONN_FRAME_BAD:
				conn_close(c, false, "malformed length prefix");
				continue;
			case CONN_FRAME_OK:
				break;
			}
			t = krpc_time_now();
			if (!rpc_execute(s, client, body, len))
				conn_close(c, false, "malformed request");
			s->exec += krpc_time_now() - t;
			free(body);
			n++;
		}
		total += n;
	} while (n > 0 && !server_budget_spent(s));
	return total;
}

/* Waits (in the event loop) for more requests, or ends the RPC phase. */
static void
server_rpc_wait(sim_server_t *s)
{
	double now = krpc_time_now(), left = SERVER_RECV_TIMEOUT - (now - s->rpc_last);
	struct timeval tv;

	if (left > SERVER_BUDGET - (now - s->rpc_start))
		left = SERVER_BUDGET - (now - s->rpc_start);
	if (left <= 0) {
		server_update_end(s);
		return;
	}
	tv.tv_sec = 0;
	tv.tv_usec = (suseconds_t)(left * 1e6) + 1;
	evtimer_add(s->wait_ev, &tv);
}

/* More requests arrived or the receive wait ran out. */
static void
server_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	sim_server_t *s = arg;

	if (!s->in_rpc)
		return;
	if (server_rpc_passes(s) > 0)
		s->rpc_last = krpc_time_now();
	server_rpc_wait(s);
}

/* Schedules the next update (paced, or at once without pacing). */
static void
server_schedule(sim_server_t *s)
{
	struct timeval tv = { 0, 0 };
	double now = krpc_time_now(), period, wait;

	if (s->opt.pacing) {
		period = 1.0 / s->opt.rate;
		s->due += period;
		if (s->due < now - period)
			s->due = now;	/* fell behind: carry on without a burst */
		if ((wait = s->due - now) > 0) {
			tv.tv_sec = (time_t)wait;
			tv.tv_usec = (suseconds_t)((wait - (double)tv.tv_sec) * 1e6);
		}
	}
	evtimer_add(s->update_ev, &tv);
}

/* Refreshes the rates and times of the status. */
static void
server_stats_refresh(sim_server_t *s, double now, double rpc_time, double stream_time)
{
	struct server_stats *st = &s->st;
	uint64_t cur[4] = { st->bytes_read, st->bytes_written, st->rpcs, st->stream_evals };
	double dt = now - st->prev_time;

	if (dt > 0) {
		st->read_rate = server_ema(st->read_rate, (double)(cur[0] - st->prev[0]) / dt);
		st->written_rate = server_ema(st->written_rate, (double)(cur[1] - st->prev[1]) / dt);
		st->rpc_rate = server_ema(st->rpc_rate, (double)(cur[2] - st->prev[2]) / dt);
		st->stream_rate = server_ema(st->stream_rate, (double)(cur[3] - st->prev[3]) / dt);
	}
	st->time_rpc = server_ema(st->time_rpc, rpc_time);
	st->time_exec = server_ema(st->time_exec, s->exec);
	st->time_poll = server_ema(st->time_poll, rpc_time > s->exec ? rpc_time - s->exec : 0);
	st->time_stream = server_ema(st->time_stream, stream_time);
	memcpy(st->prev, cur, sizeof cur);
	st->prev_time = now;
}

/* Ends the RPC phase, runs the stream phase, schedules the next update. */
static void
server_update_end(sim_server_t *s)
{
	double t0 = krpc_time_now(), t1;
	sim_client_t *c;
	size_t i;

	s->in_rpc = false;
	event_del(s->wait_ev);
	for (i = 0; i < s->nclients; i++) {
		c = s->clients[i];
		stream_reap(c);
		stream_poll(s, c);
		/*
		 * The game blocks on a stream connection that is not read; the
		 * sim holds back only that client's streams until it reads again.
		 */
		if (client_rpc(c) != NULL && client_stream(c) != NULL &&
		    !conn_backlogged(client_stream(c)))
			stream_phase(s, c, t0);
	}
	t1 = krpc_time_now();
	server_stats_refresh(s, t1, t0 - s->rpc_start, t1 - t0);
	s->updates++;
	server_schedule(s);
}

/* One server update. */
static void
server_update_cb(evutil_socket_t fd, short what, void *arg)
{
	sim_server_t *s = arg;
	size_t i;

	server_reap(s);
	for (i = 0; i < services_count(); i++) {
		if (services_at(i)->tick != NULL)
			services_at(i)->tick(s);
	}
	for (i = 0; i < s->nconns; i++) {
		if (conn_state(s->conns[i]) == CONN_HANDSHAKE)
			handshake_process(s, s->conns[i]);
	}
	s->rpc_start = krpc_time_now();
	s->exec = 0;
	for (i = 0; i < s->nclients; i++) {
		if (client_pending(s->clients[i]) != NULL)
			rpc_resume(s, s->clients[i]);
	}
	s->exec = krpc_time_now() - s->rpc_start;
	server_rpc_passes(s);
	if (!s->opt.pacing) {
		server_update_end(s);
		return;
	}
	s->in_rpc = true;
	s->rpc_last = krpc_time_now();
	server_rpc_wait(s);
}

/* Deferred frees. */
static void
server_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	server_reap(arg);
}

/* SIGTERM or SIGINT: leave the loop. */
static void
server_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	sim_server_t *s = arg;

	server_log(s, "%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	event_base_loopbreak(s->base);
}

/* Appends p to a growable pointer array. */
static void
server_push(void ***v, size_t *n, size_t *cap, void *p)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = util_reallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = p;
}

/* Creates the events; -1 if libevent fails. */
static int
server_events(sim_server_t *s)
{
	s->update_ev = evtimer_new(s->base, server_update_cb, s);
	s->wait_ev = evtimer_new(s->base, server_wait_cb, s);
	s->reap_ev = evtimer_new(s->base, server_reap_cb, s);
	s->sig_term = evsignal_new(s->base, SIGTERM, server_signal_cb, s);
	s->sig_int = evsignal_new(s->base, SIGINT, server_signal_cb, s);
	if (s->update_ev == NULL || s->wait_ev == NULL || s->reap_ev == NULL ||
	    s->sig_term == NULL || s->sig_int == NULL || evsignal_add(s->sig_term, NULL) != 0 ||
	    evsignal_add(s->sig_int, NULL) != 0) {
		fputs("krpc-sim: cannot set up the event loop\n", stderr);
		return -1;
	}
	return 0;
}

/* Opens the listeners the options ask for. */
static int
server_listen(sim_server_t *s)
{
	const struct sim_options *o = &s->opt;
	listener_t *l;

	if (o->tcp) {
		if ((l = listener_tcp(s, o->bind, o->rpc_port, o->stream_port)) == NULL)
			return -1;
		s->listeners[s->nlisteners++] = l;
	}
	if (o->rpc_path != NULL) {
		if ((l = listener_unix(s, o->rpc_path, o->stream_path)) == NULL)
			return -1;
		s->listeners[s->nlisteners++] = l;
	}
	return 0;
}

/* ---- public ---------------------------------------------------------- */

/* A server with its listeners open; NULL with an error line printed. */
sim_server_t *
server_new(const struct sim_options *opt)
{
	sim_server_t *s = util_calloc(1, sizeof *s);
	char why[512];
	size_t i;

	s->opt = *opt;
	s->objects = object_store_new();
	signal(SIGPIPE, SIG_IGN);
	if ((s->base = event_base_new()) == NULL) {
		fputs("krpc-sim: cannot create the event loop\n", stderr);
		goto fail;
	}
	if (services_init(why, sizeof why) != 0) {
		fprintf(stderr, "krpc-sim: bad service table: %s\n", why);
		goto fail;
	}
	if (server_events(s) != 0 || server_listen(s) != 0)
		goto fail;
	s->services_up = true;
	for (i = 0; i < services_count(); i++) {
		if (services_at(i)->init != NULL)
			services_at(i)->init(s);
	}
	return s;
fail:
	server_free(s);
	return NULL;
}

/* Prints the ready lines and runs until SIGTERM or SIGINT. */
int
server_run(sim_server_t *s)
{
	struct timeval now = { 0, 0 };
	size_t i;

	for (i = 0; i < s->nlisteners; i++)
		printf("krpc-sim: listening %s\n", listener_describe(s->listeners[i]));
	fflush(stdout);
	s->due = krpc_time_now();
	s->st.prev_time = s->due;
	evtimer_add(s->update_ev, &now);
	if (event_base_dispatch(s->base) == -1) {
		fputs("krpc-sim: event loop failed\n", stderr);
		return 1;
	}
	return 0;
}

/* Closes everything: connections, clients, listeners, services. */
void
server_free(sim_server_t *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nconns; i++)
		conn_free(s->conns[i]);
	for (i = 0; i < s->nclients; i++)
		client_free(s->clients[i]);
	for (i = 0; i < s->nlisteners; i++)
		listener_free(s->listeners[i]);
	for (i = 0; s->services_up && i < services_count(); i++) {
		if (services_at(i)->fini != NULL)
			services_at(i)->fini(s);
	}
	object_store_free(s->objects);
	services_fini();
	if (s->update_ev) event_free(s->update_ev);
	if (s->wait_ev) event_free(s->wait_ev);
	if (s->reap_ev) event_free(s->reap_ev);
	if (s->sig_term) event_free(s->sig_term);
	if (s->sig_int) event_free(s->sig_int);
	if (s->base) event_base_free(s->base);
	free(s->conns);
	free(s->clients);
	free(s);
}

/* The event base everything runs on. */
struct event_base *
server_base(sim_server_t *s)
{
	return s->base;
}

/* A log line on stderr (not with --quiet). */
void
server_log(sim_server_t *s, const char *fmt, ...)
{
	va_list ap;

	if (s->opt.quiet)
		return;
	fputs("krpc-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Registers a new connection (polled in accept order). */
void
server_add_conn(sim_server_t *s, conn_t *c)
{
	server_push((void ***)&s->conns, &s->nconns, &s->capconns, c);
}

/* Registers a new client. */
void
server_add_client(sim_server_t *s, sim_client_t *c)
{
	server_push((void ***)&s->clients, &s->nclients, &s->capclients, c);
}

/* Frees dead things once the current callback has returned. */
void
server_reap_later(sim_server_t *s)
{
	if (s->reap_ev != NULL)
		event_active(s->reap_ev, EV_TIMEOUT, 0);
}

/* A ready RPC connection received bytes: serve it if the RPC phase waits. */
void
server_rpc_arrived(sim_server_t *s)
{
	if (s->in_rpc)
		event_active(s->wait_ev, EV_TIMEOUT, 0);
}

/* Counts bytes received (Status.bytes_read). */
void
server_count_read(sim_server_t *s, size_t n)
{
	s->st.bytes_read += n;
}

/* Counts bytes sent (Status.bytes_written). */
void
server_count_written(sim_server_t *s, size_t n)
{
	s->st.bytes_written += n;
}

/* Counts stream evaluations (Status.stream_rpcs_executed). */
void
server_count_stream_evals(sim_server_t *s, uint64_t n)
{
	s->st.stream_evals += n;
}

/* Counts an executed request (Status.rpcs_executed). */
void
server_count_rpc(sim_server_t *s)
{
	s->st.rpcs++;
}

/* The next id of the server-wide stream counter (from 0). */
uint64_t
server_next_stream_id(sim_server_t *s)
{
	return s->next_stream_id++;
}

/* The client with a live RPC connection and that id, or NULL. */
sim_client_t *
server_find_client(sim_server_t *s, const uint8_t *id)
{
	size_t i;

	for (i = 0; i < s->nclients; i++) {
		if (client_rpc(s->clients[i]) != NULL &&
		    memcmp(sim_client_id(s->clients[i]), id, 16) == 0)
			return s->clients[i];
	}
	return NULL;
}

/* The number of clients (with an RPC or stream connection left). */
size_t
server_nclients(const sim_server_t *s)
{
	return s->nclients;
}

/* Client i, or NULL. */
sim_client_t *
server_client(const sim_server_t *s, size_t i)
{
	return i < s->nclients ? s->clients[i] : NULL;
}

/* The object store. */
struct object_store *
server_objects(sim_server_t *s)
{
	return s->objects;
}

/* Appends the encoded krpc.schema.Status. */
void
server_status(sim_server_t *s, krpc_buf_t *out)
{
	Krpc__Schema__Status st = KRPC__SCHEMA__STATUS__INIT;
	size_t i, streams = 0;
	uint8_t *p;

	for (i = 0; i < s->nclients; i++)
		streams += stream_set_count(client_streams(s->clients[i]));
	st.version = (char *)SIM_VERSION;
	st.bytes_read = s->st.bytes_read;
	st.bytes_written = s->st.bytes_written;
	st.bytes_read_rate = s->st.read_rate;
	st.bytes_written_rate = s->st.written_rate;
	st.rpcs_executed = s->st.rpcs;
	st.rpc_rate = s->st.rpc_rate;
	st.one_rpc_per_update = false;
	st.max_time_per_update = (uint32_t)(SERVER_BUDGET * 1e6);
	st.adaptive_rate_control = true;
	st.blocking_recv = true;
	st.recv_timeout = (uint32_t)(SERVER_RECV_TIMEOUT * 1e6);
	st.time_per_rpc_update = s->st.time_rpc;
	st.poll_time_per_rpc_update = s->st.time_poll;
	st.exec_time_per_rpc_update = s->st.time_exec;
	st.stream_rpcs = (uint32_t)streams;
	st.stream_rpcs_executed = s->st.stream_evals;
	st.stream_rpc_rate = s->st.stream_rate;
	st.time_per_stream_update = s->st.time_stream;
	if (!krpc_buf_reserve(out, krpc__schema__status__get_packed_size(&st)))
		return;
	p = out->data + out->len;
	out->len += krpc__schema__status__pack(&st, p);
}

/* KRPC.Paused. */
bool
server_paused(const sim_server_t *s)
{
	return s->paused;
}

/* Sets KRPC.Paused. */
void
server_set_paused(sim_server_t *s, bool paused)
{
	s->paused = paused;
}

/* ---- the sim.h API --------------------------------------------------- */

/* Updates completed since start. */
uint64_t
sim_server_updates(const sim_server_t *s)
{
	return s->updates;
}

/* Nominal updates per second. */
double
sim_server_rate(const sim_server_t *s)
{
	return s->opt.rate;
}

/* Monotonic seconds. */
double
sim_server_now(const sim_server_t *s)
{
	return krpc_time_now();
}

/* The game scene (--game-scene). */
int
sim_server_scene(const sim_server_t *s)
{
	return s->opt.scene;
}
