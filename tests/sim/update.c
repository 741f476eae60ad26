/*
 * krpc-sim's server update, as the real server's Core.Update runs it: the
 * RPC phase (new RPC handshakes, then rounds of polling, each taking at most
 * one request from every connection not already busy, executing what was
 * taken, waiting for more up to RecvTimeout, until nothing more comes or
 * MaxTimePerUpdate is spent; what yielded, or did not get its turn, runs
 * first next update), then the stream phase (new stream handshakes, stream
 * removals, evaluations, one StreamUpdate per stream connection), then the
 * statistics and adaptive rate control.  The waits return to the event loop.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define UPDATE_MAX_TIME		5000	/* MaxTimePerUpdate at start, us */
#define UPDATE_RECV_TIMEOUT	1000	/* RecvTimeout, us */
#define UPDATE_EMA_LIFETIME	0.25	/* the statistics' moving averages, s */
#define UPDATE_TARGET_RATE	59.0	/* adaptive rate control's target update rate */

/* Work for the RPC phase: a request taken from a client, or its yielded one (req NULL). */
struct update_cont {
	sim_client_t	*client;
	struct rpc_req	*req;
};

struct update_list {
	struct update_cont	*v;
	size_t			 n;
	size_t			 cap;
};

/* A moving average over time (ExponentialMovingAverage). */
struct update_ema {
	double	value;
	double	last;
};

enum update_phase {
	UPDATE_IDLE,		/* between updates */
	UPDATE_POLLING,		/* the RPC phase waits for requests */
};

struct update {
	sim_server_t		*server;
	bool			 adaptive;
	double			 call_cost;	/* least time a request takes to execute, s */
	bool			 spin;		/* wait by polling, as the server's loop does */
	unsigned long		 gc_every;	/* requests between imitated collections, 0: none */
	double			 gc_pause;	/* how long one stops the server, s */
	unsigned long		 gc_count;	/* requests since the last one */
	uint32_t		 max_time;	/* MaxTimePerUpdate, us */
	enum update_phase	 phase;
	struct update_list	 conts;		/* to run this round (rpcContinuations) */
	struct update_list	 yielded;	/* to run first next update */
	sim_client_t		**sched;	/* the RPC clients in polling order */
	size_t			 nsched;
	size_t			 sched_cap;
	size_t			 sched_next;	/* RoundRobinScheduler's "next" item */
	struct event		*wait_ev;
	double			 rpc_start;
	double			 poll_start;
	double			 poll_time;
	double			 exec_time;
	double			 last_end;	/* when the previous update ended */
	double			 stream_start;
	uint64_t		 start_counts[4];
	struct update_ema	 ema[10];
};

/* The statistics' moving averages, in Status field order. */
enum update_stat {
	STAT_READ_RATE, STAT_WRITTEN_RATE, STAT_RPC_RATE, STAT_TIME_RPC, STAT_TIME_POLL,
	STAT_TIME_EXEC, STAT_STREAM_RATE, STAT_TIME_STREAM,
};

static void update_poll(struct update *);
static void update_streams(sim_server_t *, double);
static void update_finish(struct update *);

/* ---- helpers ------------------------------------------------------------ */

/* Adds a sample to a moving average with a mean lifetime of a quarter second. */
static void
update_ema(struct update_ema *e, double sample, double now)
{
	double alpha = 1.0 - exp(-(now - e->last) / UPDATE_EMA_LIFETIME);

	e->last = now;
	e->value = alpha * sample + (1.0 - alpha) * e->value;
}

/* Appends work to a list. */
static void
update_push(struct update_list *l, sim_client_t *client, struct rpc_req *req)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = util_reallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n].client = client;
	l->v[l->n++].req = req;
}

/* True if the client has work in a list. */
static bool
update_listed(const struct update_list *l, const sim_client_t *client)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].client == client)
			return true;
	}
	return false;
}

/* True once the RPC phase has spent MaxTimePerUpdate. */
static bool
update_spent(const struct update *u)
{
	return (krpc_time_now() - u->rpc_start) * 1e6 > u->max_time;
}

/* ---- the RPC phase ------------------------------------------------------- */

/* Takes one request from a client's connection, if a whole one is there. */
static void
update_take(struct update *u, sim_client_t *client)
{
	conn_t *c = client_rpc(client);
	struct rpc_req *req;
	uint8_t *body;
	size_t len;
	bool fatal;

	if (c == NULL || conn_state(c) != CONN_READY || conn_backlogged(c))
		return;	/* a peer that does not read its responses waits */
	switch (conn_take(c, &body, &len)) {
	case CONN_FRAME_NONE:
		return;
	case CONN_FRAME_BAD:
		conn_close(c, false, "malformed length prefix");
		return;
	case CONN_FRAME_OK:
		break;
	}
	req = rpc_decode(u->server, client, body, len, &fatal);
	free(body);
	if (fatal)
		conn_close(c, false, "malformed request");
	else if (req != NULL)
		update_push(&u->conts, client, req);
}

/* One round of polling (PollRequests): one request at most from each client not busy. */
static void
update_poll_round(struct update *u)
{
	size_t i;

	for (i = 0; i < u->nsched; i++) {
		if (!update_listed(&u->conts, u->sched[i]) && !update_listed(&u->yielded, u->sched[i]))
			update_take(u, u->sched[i]);
	}
}

/* Ends the RPC phase: what yielded runs first next update; then the stream phase. */
static void
update_rpc_end(struct update *u)
{
	struct update_list tmp = u->conts;
	double now = krpc_time_now();

	u->phase = UPDATE_IDLE;
	event_del(u->wait_ev);
	u->conts = u->yielded;
	u->yielded = tmp;
	u->yielded.n = 0;
	update_ema(&u->ema[STAT_TIME_RPC], now - u->rpc_start, now);
	update_ema(&u->ema[STAT_TIME_POLL], u->poll_time, now);
	update_ema(&u->ema[STAT_TIME_EXEC], u->exec_time, now);
	u->stream_start = now;
	update_streams(u->server, now);
	update_finish(u);
}

/* Keeps the CPU busy for t seconds (none: no clock read either). */
static void
update_busy(double t)
{
	double until;

	if (t <= 0)
		return;
	until = krpc_time_now() + t;
	while (krpc_time_now() < until)
		continue;
}

/*
 * Runs one request (or resumes a yielded one).  With --call-cost the request
 * first takes that long, as the real server's runtime spends time on one
 * before its response goes out; with --gc-every, every so many requests the
 * server first stops for --gc-pause, as a runtime's stop-the-world collection
 * stops it when the requests' garbage has filled its young generation.
 */
static void
update_execute(struct update *u, struct update_cont *w)
{
	if (u->gc_every > 0 && ++u->gc_count >= u->gc_every) {
		u->gc_count = 0;
		update_busy(u->gc_pause);
	}
	update_busy(u->call_cost);
	rpc_execute(u->server, w->client, w->req);
}

/* Runs the round's work (the "execute RPCs" loop), then polls again. */
static void
update_exec(struct update *u)
{
	double t0 = krpc_time_now();
	struct update_cont *w;
	size_t i;

	for (i = 0; i < u->conts.n; i++) {
		w = &u->conts.v[i];
		if (client_rpc(w->client) == NULL) {
			rpc_req_free(w->req);	/* the client has gone */
			continue;
		}
		if (update_spent(u)) {
			update_push(&u->yielded, w->client, w->req);	/* its turn comes next update */
			continue;
		}
		update_execute(u, w);
		if (client_pending(w->client) != NULL)
			update_push(&u->yielded, w->client, NULL);
	}
	u->conts.n = 0;
	u->exec_time += krpc_time_now() - t0;
	if (update_spent(u))
		update_rpc_end(u);
	else
		update_poll(u);
}

/* Polls until a request is taken, or RecvTimeout or MaxTimePerUpdate runs out. */
static void
update_poll_wait(struct update *u)
{
	double now = krpc_time_now(), left, spend;
	struct timeval tv;

	update_poll_round(u);
	left = UPDATE_RECV_TIMEOUT / 1e6 - (now - u->poll_start);
	spend = u->max_time / 1e6 - (now - u->rpc_start);
	if (u->conts.n > 0 || left < 0 || spend < 0) {
		u->phase = UPDATE_IDLE;
		event_del(u->wait_ev);
		u->poll_time += krpc_time_now() - u->poll_start;
		if (u->conts.n == 0)
			update_rpc_end(u);
		else
			update_exec(u);
		return;
	}
	left = left < spend ? left : spend;
	tv.tv_sec = 0;
	tv.tv_usec = u->spin ? 0 : (suseconds_t)(left * 1e6) + 1;	/* spinning polls again at once */
	u->phase = UPDATE_POLLING;
	evtimer_add(u->wait_ev, &tv);
}

/* Starts a poll (the "poll for RPCs" loop). */
static void
update_poll(struct update *u)
{
	u->poll_start = krpc_time_now();
	update_poll_wait(u);
}

/* The receive wait ran out. */
static void
update_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct update *u = arg;

	if (u->phase == UPDATE_POLLING)
		update_poll_wait(u);
}

/* ---- the stream phase and the end of an update -------------------------- */

/*
 * The stream phase (StreamServerUpdate): new stream handshakes, streams whose
 * removal was asked for dropped, then every stream connection of a client
 * with an RPC connection evaluates its started streams and gets one
 * StreamUpdate with what changed.
 */
static void
update_streams(sim_server_t *s, double now)
{
	struct stream_set *set;
	sim_client_t *c;
	size_t i, j;
	conn_t *sc;

	server_handshakes(s, CONN_STREAM);
	for (i = 0; (c = server_client(s, i)) != NULL; i++) {
		for (j = 0; j < client_nsconns(c); j++) {
			client_sconn(c, j, &set);
			stream_reap(set);
		}
	}
	for (i = 0; (c = server_client(s, i)) != NULL; i++) {
		for (j = 0; j < client_nsconns(c); j++) {
			sc = client_sconn(c, j, &set);
			stream_poll(s, set);
			/*
			 * The game blocks on a stream connection that is not read; the
			 * sim holds back only that connection's streams until it reads.
			 */
			if (client_rpc(c) != NULL && !conn_backlogged(sc))
				stream_phase(s, c, set, sc, now);
		}
	}
}

/*
 * The end of Core.Update: rates over the update's interval, and adaptive rate
 * control (MaxTimePerUpdate down 100 us when the update was slower than 59 a
 * second, else to 10000 us when little time went into executing requests, or
 * up 100 us to at most 25000 us).
 */
static void
update_finish(struct update *u)
{
	double now = krpc_time_now(), dt = now - u->last_end;
	uint64_t cur[4];
	size_t k;
	static const enum update_stat rate[4] = {
		STAT_READ_RATE, STAT_WRITTEN_RATE, STAT_RPC_RATE, STAT_STREAM_RATE,
	};

	server_counts(u->server, cur);
	update_ema(&u->ema[STAT_TIME_STREAM], now - u->stream_start, now);
	for (k = 0; k < 4 && dt > 0; k++)
		update_ema(&u->ema[rate[k]], (double)(cur[k] - u->start_counts[k]) / dt, now);
	u->last_end = now;
	if (u->adaptive) {
		if (dt > 1.0 / UPDATE_TARGET_RATE) {
			if (u->max_time > 1000)
				u->max_time -= 100;
		} else if (u->ema[STAT_TIME_EXEC].value < 0.001)
			u->max_time = 10000;
		else if (u->max_time < 25000)
			u->max_time += 100;
	}
	server_update_done(u->server);
}

/* ---- public ---------------------------------------------------------------- */

/*
 * The update state of a server with options o: pacing turns adaptive rate
 * control on; call_cost is the least time a request takes to execute (0: as
 * fast as krpc-sim goes; the real server's mono runtime takes some 20 to
 * 50 us); spin makes the RPC phase's waits poll without sleeping, using the
 * CPU as the real server's loop does; gc_every and gc_pause imitate a
 * collector's pauses.
 */
struct update *
update_new(sim_server_t *s, const struct sim_options *o)
{
	struct update *u = util_calloc(1, sizeof *u);
	size_t k;

	u->server = s;
	u->adaptive = o->pacing;
	u->spin = o->spin;
	u->call_cost = o->call_cost;
	u->gc_every = o->gc_every;
	u->gc_pause = o->gc_pause;
	u->max_time = UPDATE_MAX_TIME;
	u->wait_ev = evtimer_new(server_base(s), update_wait_cb, u);
	u->last_end = krpc_time_now();
	for (k = 0; k < sizeof u->ema / sizeof u->ema[0]; k++)
		u->ema[k].last = u->last_end;
	if (u->wait_ev == NULL) {
		free(u);
		return NULL;
	}
	return u;
}

/* Frees the update state and the work it holds. */
void
update_free(struct update *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->conts.n; i++)
		rpc_req_free(u->conts.v[i].req);
	for (i = 0; i < u->yielded.n; i++)
		rpc_req_free(u->yielded.v[i].req);
	free(u->conts.v);
	free(u->yielded.v);
	free(u->sched);
	event_free(u->wait_ev);
	free(u);
}

/* Starts an update: the RPC phase's handshakes, then its first poll. */
void
update_begin(struct update *u)
{
	u->rpc_start = krpc_time_now();
	u->poll_time = u->exec_time = 0;
	server_counts(u->server, u->start_counts);
	server_handshakes(u->server, CONN_RPC);
	update_poll(u);
}

/* Bytes arrived on an RPC connection: a waiting poll looks again. */
void
update_arrived(struct update *u)
{
	if (u->phase == UPDATE_POLLING)
		event_active(u->wait_ev, EV_TIMEOUT, 0);
}

/* A client completed its RPC handshake: it joins the polling order before "next". */
void
update_client_added(struct update *u, sim_client_t *c)
{
	if (u->nsched == u->sched_cap) {
		u->sched_cap = u->sched_cap ? u->sched_cap * 2 : 16;
		u->sched = util_reallocarray(u->sched, u->sched_cap, sizeof *u->sched);
	}
	if (u->nsched == 0) {
		u->sched[0] = c;
		u->nsched = 1;
		u->sched_next = 0;
		return;
	}
	memmove(&u->sched[u->sched_next + 1], &u->sched[u->sched_next],
	    (u->nsched - u->sched_next) * sizeof *u->sched);
	u->sched[u->sched_next++] = c;
	u->nsched++;
}

/* A client is going away: out of the polling order and of any work list. */
void
update_client_removed(struct update *u, sim_client_t *c)
{
	struct update_list *l[2] = { &u->conts, &u->yielded };
	size_t i, j, k;

	for (i = 0; i < u->nsched && u->sched[i] != c; i++)
		continue;
	if (i < u->nsched) {
		if (i == u->sched_next && u->nsched > 1)
			u->sched_next = (u->sched_next + 1) % u->nsched;	/* Advance() */
		memmove(&u->sched[i], &u->sched[i + 1], (u->nsched - i - 1) * sizeof *u->sched);
		u->nsched--;
		if (i < u->sched_next)
			u->sched_next--;
		if (u->sched_next >= u->nsched)
			u->sched_next = 0;
	}
	for (k = 0; k < 2; k++) {
		for (i = j = 0; i < l[k]->n; i++) {
			if (l[k]->v[i].client == c)
				rpc_req_free(l[k]->v[i].req);
			else
				l[k]->v[j++] = l[k]->v[i];
		}
		l[k]->n = j;
	}
}

/* Fills the settings and moving averages of a KRPC.GetStatus answer. */
void
update_status(const struct update *u, Krpc__Schema__Status *st)
{
	st->bytes_read_rate = (float)u->ema[STAT_READ_RATE].value;
	st->bytes_written_rate = (float)u->ema[STAT_WRITTEN_RATE].value;
	st->rpc_rate = (float)u->ema[STAT_RPC_RATE].value;
	st->one_rpc_per_update = false;
	st->max_time_per_update = u->max_time;
	st->adaptive_rate_control = u->adaptive;
	st->blocking_recv = true;
	st->recv_timeout = UPDATE_RECV_TIMEOUT;
	st->time_per_rpc_update = (float)u->ema[STAT_TIME_RPC].value;
	st->poll_time_per_rpc_update = (float)u->ema[STAT_TIME_POLL].value;
	st->exec_time_per_rpc_update = (float)u->ema[STAT_TIME_EXEC].value;
	st->stream_rpc_rate = (float)u->ema[STAT_STREAM_RATE].value;
	st->time_per_stream_update = (float)u->ema[STAT_TIME_STREAM].value;
}
