/*
 * krpc-sim streams and events (PROTOCOL.md 7 and 8.1): each client's streams
 * in add order, procedure-call streams shared for equal calls, expression
 * events, events polled from services (OnTimer), rates, removal, and the
 * stream phase that sends one StreamUpdate per client with what changed.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

enum stream_kind {
	STREAM_CALL,		/* a procedure call */
	STREAM_EXPR,		/* KRPC.AddEvent on an expression */
	STREAM_POLL,		/* an event polled from a service (sim_event_new) */
};

struct stream {
	uint64_t		 id;
	enum stream_kind	 kind;
	struct call_spec	*spec;		/* STREAM_CALL */
	sim_call_t		*yielded;	/* STREAM_CALL: evaluation spanning updates */
	uint64_t		 expr;		/* STREAM_EXPR: expression object id */
	sim_event_poll_fn	 poll;		/* STREAM_POLL */
	void			*ud;
	void			(*free_fn)(void *);
	bool			 fired;		/* STREAM_POLL: fired since last sent */
	bool			 fired_last;	/* STREAM_POLL: that firing was the last */
	bool			 started;
	bool			 changed;	/* send the value next time */
	bool			 removing;	/* RemoveStream: gone at the next phase */
	bool			 dead;		/* error or last firing sent: gone after this phase */
	bool			 has_value;
	bool			 event_true;	/* the value is an event's true, reset once sent */
	float			 rate;
	double			 last;		/* start or last rate-limited evaluation */
	krpc_buf_t		 value;		/* encoded ProcedureResult */
};

struct stream_set {
	struct stream	**v;
	size_t		  n;
	size_t		  cap;
};

/* A new stream of a kind with the next global id, appended to set. */
static struct stream *
stream_new(sim_server_t *s, struct stream_set *set, enum stream_kind kind)
{
	struct stream *st = util_calloc(1, sizeof *st);

	st->id = server_next_stream_id(s);
	st->kind = kind;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 8;
		set->v = util_reallocarray(set->v, set->cap, sizeof *set->v);
	}
	set->v[set->n++] = st;
	return st;
}

/* Frees one stream. */
static void
stream_free(struct stream *st)
{
	call_free(st->yielded);
	call_spec_free(st->spec);
	if (st->free_fn != NULL)
		st->free_fn(st->ud);
	krpc_buf_free(&st->value);
	free(st);
}

/*
 * The stream with id, or NULL.  A stream whose removal was asked for still
 * exists until the next stream phase, as on the real server.
 */
static struct stream *
stream_find(struct stream_set *set, uint64_t id)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		if (set->v[i]->id == id && !set->v[i]->dead)
			return set->v[i];
	}
	return NULL;
}

/* Drops the streams for which the flag at offset says so. */
static void
stream_sweep(struct stream_set *set, bool removing, bool dead)
{
	size_t i, j = 0;

	for (i = 0; i < set->n; i++) {
		if ((removing && set->v[i]->removing) || (dead && set->v[i]->dead))
			stream_free(set->v[i]);
		else
			set->v[j++] = set->v[i];
	}
	set->n = j;
}

/* Stores an encoded bool result as the stream's value. */
static void
stream_set_bool(struct stream *st, bool v)
{
	static const uint8_t enc_true[] = { 0x12, 0x01, 0x01 }, enc_false[] = { 0x12, 0x01, 0x00 };

	krpc_buf_reset(&st->value);
	krpc_buf_append(&st->value, v ? enc_true : enc_false, 3);
	st->has_value = true;
}

/* Stores a new result; marks the stream changed if it differs. */
static void
stream_store(struct stream *st, const krpc_buf_t *res, bool error)
{
	if (!st->has_value || error || res->len != st->value.len ||
	    (res->len > 0 && memcmp(res->data, st->value.data, res->len) != 0))
		st->changed = true;
	krpc_buf_reset(&st->value);
	krpc_buf_append(&st->value, res->data, res->len);
	st->has_value = true;
	if (error)
		st->dead = true;
}

/* One evaluation of a procedure-call stream. */
static void
stream_eval_call(sim_server_t *s, sim_client_t *client, struct stream *st)
{
	krpc_buf_t res = KRPC_BUF_INIT;
	sim_call_t *c = st->yielded;

	if (c == NULL)
		c = call_new(s, client, st->spec, true);
	st->yielded = NULL;
	if (call_run(c) == SIM_YIELD) {
		st->yielded = c;	/* keeps its previous value; resumes at its next evaluation */
		return;
	}
	call_result_write(c, &res);
	stream_store(st, &res, call_failed(c));
	krpc_buf_free(&res);
	call_free(c);
}

/* One evaluation of an expression event: true is sent, false is not. */
static void
stream_eval_expr(sim_server_t *s, sim_client_t *client, struct stream *st)
{
	struct sim_err err = { NULL, NULL, NULL, NULL };
	krpc_buf_t res = KRPC_BUF_INIT, e = KRPC_BUF_INIT;
	krpc_value_t *v = expr_eval(s, client, st->expr, &err);
	bool b = false;

	if (v != NULL && krpc_value_as_bool(v, &b) != KRPC_OK)
		err_set(&err, "", "", "The event's expression did not produce a boolean value");
	if (err.desc != NULL) {
		err_write(&err, &e);
		krpc_buf_field_bytes(&res, 1, e.data, e.len);
		stream_store(st, &res, true);
	} else if (b) {
		stream_set_bool(st, true);
		st->changed = st->event_true = true;
	}
	krpc_value_free(v);
	err_clear(&err);
	krpc_buf_free(&res);
	krpc_buf_free(&e);
}

/* One evaluation of a polled event: sends true if it fired. */
static void
stream_eval_poll(struct stream *st)
{
	if (!st->fired)
		return;
	st->fired = false;
	stream_set_bool(st, true);
	st->changed = st->event_true = true;
	if (st->fired_last)
		st->dead = true;
}

/*
 * True if the rate holds st back: as the real server's stopwatch, whole
 * milliseconds since the start or the last rate-limited evaluation, compared
 * with 1000/rate.
 */
static bool
stream_held(const struct stream *st, double now)
{
	return st->rate > 0 && floor((now - st->last) * 1000.0) < (double)(1000.0f / st->rate);
}

/* Evaluates st if started and its rate allows; true if it was evaluated. */
static bool
stream_eval(sim_server_t *s, sim_client_t *client, struct stream *st, double now)
{
	if (!st->started)
		return false;
	if (stream_held(st, now))
		return false;	/* a yielded evaluation resumes at the rate too */
	if (st->rate > 0)
		st->last = now;	/* at rate 0 the timer keeps running from the start */
	switch (st->kind) {
	case STREAM_CALL:
		stream_eval_call(s, client, st);
		break;
	case STREAM_EXPR:
		stream_eval_expr(s, client, st);
		break;
	case STREAM_POLL:
		stream_eval_poll(st);
		break;
	}
	return true;
}

/* Appends a StreamResult for st to the update being built. */
static void
stream_write_result(krpc_buf_t *upd, struct stream *st)
{
	krpc_buf_t r = KRPC_BUF_INIT;

	if (st->id != 0)
		krpc_buf_field_varint(&r, 1, st->id);
	krpc_buf_field_bytes(&r, 2, st->value.data, st->value.len);
	krpc_buf_field_bytes(upd, 1, r.data, r.len);
	if (!krpc_buf_ok(&r))
		upd->failed = true;
	krpc_buf_free(&r);
}

/* ---- public ---------------------------------------------------------- */

/* An empty set of streams. */
struct stream_set *
stream_set_new(void)
{
	return util_calloc(1, sizeof(struct stream_set));
}

/* Frees a set and all its streams. */
void
stream_set_free(struct stream_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		stream_free(set->v[i]);
	free(set->v);
	free(set);
}

/* Streams registered (a removal asked for counts until it is done). */
size_t
stream_set_count(const struct stream_set *set)
{
	size_t i, n = 0;

	for (i = 0; set != NULL && i < set->n; i++) {
		if (!set->v[i]->dead)
			n++;
	}
	return n;
}

/* Registers a procedure-call stream, or finds the equal one (takes spec). */
uint64_t
stream_add(sim_server_t *s, sim_client_t *client, struct call_spec *spec)
{
	struct stream_set *set = client_streams(client);
	struct stream *st;
	size_t i;

	for (i = 0; i < set->n; i++) {
		st = set->v[i];
		if (st->kind == STREAM_CALL && !st->dead && call_spec_equal(st->spec, spec)) {
			st->removing = false;	/* an equal AddStream cancels a pending removal */
			call_spec_free(spec);
			return st->id;
		}
	}
	st = stream_new(s, set, STREAM_CALL);
	st->spec = spec;
	return st->id;
}

/* Registers a new event on an expression (never shared). */
uint64_t
stream_add_expr(sim_server_t *s, sim_client_t *client, uint64_t expr)
{
	struct stream *st = stream_new(s, client_streams(client), STREAM_EXPR);

	st->expr = expr;
	return st->id;
}

/* StartStream: false if there is no such stream. */
bool
stream_start(sim_client_t *client, uint64_t id)
{
	struct stream *st = stream_find(client_streams(client), id);

	if (st == NULL)
		return false;
	if (!st->started)
		st->last = krpc_time_now();	/* a second start does not restart the rate timer */
	st->started = true;
	if (st->has_value)
		st->changed = true;	/* the current value is sent again */
	return true;
}

/* SetStreamRate: false if there is no such stream. */
bool
stream_set_rate(sim_client_t *client, uint64_t id, float rate)
{
	struct stream *st = stream_find(client_streams(client), id);

	if (st == NULL)
		return false;
	st->rate = rate > 0 ? rate : 0;
	return true;
}

/* RemoveStream: unknown ids are ignored. */
void
stream_remove(sim_client_t *client, uint64_t id)
{
	struct stream *st = stream_find(client_streams(client), id);

	if (st != NULL)
		st->removing = true;
}

/* Drops the streams whose removal was asked for. */
void
stream_reap(struct stream_set *set)
{
	stream_sweep(set, true, false);
}

/* Polls a set's service events (every update, started or not). */
void
stream_poll(sim_server_t *s, struct stream_set *set)
{
	struct stream *st;
	sim_fire_t f;
	size_t i;

	for (i = 0; i < set->n; i++) {
		st = set->v[i];
		if (st->kind != STREAM_POLL || st->fired_last || st->removing || st->dead)
			continue;
		f = st->poll(st->ud, s, st->started);
		if (f == SIM_FIRE || f == SIM_FIRE_LAST)
			st->fired = true;
		if (f == SIM_FIRE_LAST)
			st->fired_last = true;
	}
}

/* The stream phase for one stream connection's set: evaluate, then one StreamUpdate. */
void
stream_phase(sim_server_t *s, sim_client_t *client, struct stream_set *set, conn_t *conn,
    double now)
{
	krpc_buf_t upd = KRPC_BUF_INIT;
	struct stream *st;
	uint64_t evals = 0;
	size_t i, n = 0;

	for (i = 0; i < set->n; i++) {
		st = set->v[i];
		if (st->removing || st->dead)
			continue;
		if (stream_eval(s, client, st, now))
			evals++;
		if (!st->started || !st->changed)
			continue;
		stream_write_result(&upd, st);
		st->changed = false;
		n++;
		if (st->event_true) {
			stream_set_bool(st, false);	/* reset without sending */
			st->event_true = false;
		}
	}
	server_count_stream_evals(s, evals);
	if (n > 0 && krpc_buf_ok(&upd))
		conn_send(conn, upd.data, upd.len);
	krpc_buf_free(&upd);
	stream_sweep(set, false, true);
}

/* The encoded STREAM or EVENT message for a stream id. */
krpc_value_t *
stream_value(krpc_type_code_t code, uint64_t id)
{
	krpc_buf_t b = KRPC_BUF_INIT, ev = KRPC_BUF_INIT;
	krpc_value_t *v;

	if (id != 0)
		krpc_buf_field_varint(&b, 1, id);
	if (code == KRPC_TYPE_EVENT) {
		krpc_buf_field_bytes(&ev, 1, b.data, b.len);
		v = krpc_value_message(code, ev.data, ev.len);
	} else
		v = krpc_value_message(code, b.data, b.len);
	krpc_buf_free(&b);
	krpc_buf_free(&ev);
	return v;
}

/* ---- the sim.h API ---------------------------------------------------- */

/* Registers an event polled from a service (TestService.OnTimer). */
krpc_value_t *
sim_event_new(sim_call_t *c, sim_event_poll_fn poll, void *ud, void (*free_fn)(void *))
{
	sim_client_t *client = sim_call_client(c);
	struct stream *st;

	if (client == NULL || client_stream(client) == NULL) {
		sim_error(c, "KRPC", "InvalidOperationException",
		    "No stream client is connected for this RPC client");
		if (free_fn != NULL)
			free_fn(ud);
		return NULL;
	}
	st = stream_new(sim_call_server(c), client_streams(client), STREAM_POLL);
	st->poll = poll;
	st->ud = ud;
	st->free_fn = free_fn;
	return stream_value(KRPC_TYPE_EVENT, st->id);
}
