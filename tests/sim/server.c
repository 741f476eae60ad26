/*
 * krpc-sim server: the event loop and the pacing of updates (60 a second like
 * the game's physics, or back to back), service ticks, the connection and
 * client registries with deferred frees, the KRPC.GetStatus counters, and the
 * sim_server_* API.  What an update does is update.c's.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define SERVER_SPIN	0.001	/* --spin: the last part of a pause spent polling, s */

/* The totals KRPC.GetStatus reports (the rates are update.c's). */
struct server_stats {
	uint64_t	 bytes_read;
	uint64_t	 bytes_written;
	uint64_t	 rpcs;
	uint64_t	 stream_evals;
};

struct sim_server {
	struct sim_options	 opt;
	struct event_base	*base;
	struct event		*sig_term;
	struct event		*sig_int;
	struct event		*update_ev;	/* the next update */
	struct event		*reap_ev;	/* deferred frees */
	struct update		*upd;
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
	bool			 paused;
	struct server_stats	 st;
};

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
			update_client_removed(s->upd, s->clients[i]);
			client_free(s->clients[i]);
		} else
			s->clients[j++] = s->clients[i];
	}
	s->nclients = j;
}

/*
 * Arms the update timer for the due time; with --spin, for a millisecond
 * before it, the rest spent polling the clock as the real server's loop does.
 */
static void
server_arm(sim_server_t *s)
{
	struct timeval tv = { 0, 0 };
	double wait = s->due - krpc_time_now() - (s->opt.spin ? SERVER_SPIN : 0);

	if (wait > 0) {
		tv.tv_sec = (time_t)wait;
		tv.tv_usec = (suseconds_t)((wait - (double)tv.tv_sec) * 1e6);
	}
	evtimer_add(s->update_ev, &tv);
}

/*
 * Schedules the next update: paced, a period after this one was due to
 * start, or at once when this one took longer (no catching up, as the
 * TestServer's loop waits out the rest of a period from each update's start);
 * without pacing, at once.
 */
static void
server_schedule(sim_server_t *s)
{
	double now = krpc_time_now();

	if (s->opt.pacing) {
		s->due += 1.0 / s->opt.rate;
		if (s->due < now)
			s->due = now;
	} else
		s->due = now;
	server_arm(s);
}

/* One server update: deferred frees, service ticks, then update.c's phases. */
static void
server_update_cb(evutil_socket_t fd, short what, void *arg)
{
	sim_server_t *s = arg;
	size_t i;

	if (krpc_time_now() < s->due) {
		server_arm(s);	/* --spin: not yet */
		return;
	}
	server_reap(s);
	for (i = 0; i < services_count(); i++) {
		if (services_at(i)->tick != NULL)
			services_at(i)->tick(s);
	}
	update_begin(s->upd);
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

/* An event base with timers precise to well under a millisecond (as the game's pacing is). */
static struct event_base *
server_base_new(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (cfg == NULL)
		return NULL;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

/* Creates the events; -1 if libevent fails. */
static int
server_events(sim_server_t *s)
{
	s->update_ev = evtimer_new(s->base, server_update_cb, s);
	s->reap_ev = evtimer_new(s->base, server_reap_cb, s);
	s->upd = update_new(s, &s->opt);
	s->sig_term = evsignal_new(s->base, SIGTERM, server_signal_cb, s);
	s->sig_int = evsignal_new(s->base, SIGINT, server_signal_cb, s);
	if (s->update_ev == NULL || s->upd == NULL || s->reap_ev == NULL ||
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
	if ((s->base = server_base_new()) == NULL) {
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
	update_free(s->upd);
	if (s->update_ev) event_free(s->update_ev);
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

/* Registers a new client, which joins the polling order. */
void
server_add_client(sim_server_t *s, sim_client_t *c)
{
	server_push((void ***)&s->clients, &s->nclients, &s->capclients, c);
	update_client_added(s->upd, c);
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
	update_arrived(s->upd);
}

/* Answers the handshakes waiting on connections of a kind (a phase's start). */
void
server_handshakes(sim_server_t *s, enum conn_kind kind)
{
	size_t i;

	for (i = 0; i < s->nconns; i++) {
		if (conn_kind(s->conns[i]) == kind && conn_state(s->conns[i]) == CONN_HANDSHAKE)
			handshake_process(s, s->conns[i]);
	}
}

/* The totals: bytes read and written, requests run, stream evaluations. */
void
server_counts(const sim_server_t *s, uint64_t out[4])
{
	out[0] = s->st.bytes_read;
	out[1] = s->st.bytes_written;
	out[2] = s->st.rpcs;
	out[3] = s->st.stream_evals;
}

/* An update has ended: count it and schedule the next. */
void
server_update_done(sim_server_t *s)
{
	s->updates++;
	server_schedule(s);
}

/* A client's RPC connection closed: it leaves the polling order. */
void
server_client_rpc_lost(sim_server_t *s, sim_client_t *c)
{
	update_client_removed(s->upd, c);
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
	size_t i, j, streams = 0;
	struct stream_set *set;
	uint8_t *p;

	for (i = 0; i < s->nclients; i++) {
		for (j = 0; j < client_nsconns(s->clients[i]); j++) {
			client_sconn(s->clients[i], j, &set);
			streams += stream_set_count(set);
		}
	}
	update_status(s->upd, &st);
	st.version = (char *)SIM_VERSION;
	st.bytes_read = s->st.bytes_read;
	st.bytes_written = s->st.bytes_written;
	st.rpcs_executed = s->st.rpcs;
	st.stream_rpcs = (uint32_t)streams;
	st.stream_rpcs_executed = s->st.stream_evals;
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
