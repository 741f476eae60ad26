/*
 * The stream table: one entry per distinct stream call (canonical key with
 * defaults normalised), shared by every client that adds it, with the
 * upstream id, the subscribers and their rates, and the last value; plus
 * owner-only entries for events and the streams the proxy serves itself.
 * Upstream StreamUpdates land here and go on to fanout.c per subscriber.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* Upstream stream management calls sent by the table itself. */
struct streamtab_call {
	char		 proc[16];
	uint64_t	 upid;
};

static TAILQ_HEAD(, entry) streamtab_entries = TAILQ_HEAD_INITIALIZER(streamtab_entries);
static struct htab	*streamtab_by_key;	/* SHARED entries, ADDING or LIVE */
static struct htab	*streamtab_by_up;	/* upstream id → SHARED or OWNED entry */
static struct htab	*streamtab_by_id;	/* downstream id → sub */
static uint64_t		 streamtab_next_id;	/* downstream ids: never reused */
static uint64_t		 streamtab_max_upid;	/* highest upstream id seen this session */
static bool		 streamtab_any_upid;
static size_t		 streamtab_nsubs;
static const struct streamtab_sources *streamtab_sources;	/* what the layers above own */

/* How the table's own upstream calls leave (the unit test replaces it). */
static streamtab_sender	 streamtab_send = upstream_call1;

static void	streamtab_maybe_free(struct entry *);

/* Logs the failure of a management call. */
static void
streamtab_call_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	struct streamtab_call *sc = arg;
	struct wire_slice err, res;
	bool is_error = false;
	size_t n = 0;

	if (failure != NULL)
		log_debug("upstream", "%s(%llu): %s", sc->proc, (unsigned long long)sc->upid, failure);
	else if (!wire_response_split(resp, len, &err, &res, 1, &n) || err.data != NULL || n != 1 ||
	    !wire_result_parse(res.data, res.len, &is_error, &err) || is_error)
		log_warn("upstream", "%s(%llu) failed", sc->proc, (unsigned long long)sc->upid);
	free(sc);
}

/* Sends KRPC.<proc>(upid[, rate]) upstream on the stream-owning connection. */
static void
streamtab_manage(const char *proc, uint64_t upid, const float *rate)
{
	struct streamtab_call *sc = xcalloc(1, sizeof *sc);
	krpc_buf_t call = KRPC_BUF_INIT;
	uint8_t idv[KRPC_VARINT64_MAX], ratev[4];
	krpc_msg_arg_t args[2];
	uint32_t bits;

	snprintf(sc->proc, sizeof sc->proc, "%s", proc);
	sc->upid = upid;
	args[0].position = 0;
	args[0].value = idv;
	args[0].len = krpc_varint_put(idv, upid);
	args[0].is_null = false;
	if (rate != NULL) {
		memcpy(&bits, rate, sizeof bits);
		krpc_put_le32(ratev, bits);
		args[1].position = 1;
		args[1].value = ratev;
		args[1].len = sizeof ratev;
		args[1].is_null = false;
	}
	wire_call(&call, "KRPC", proc, args, rate != NULL ? 2 : 1);
	xbuf_check(&call);
	log_debug("upstream", "%s(%llu%s)", proc, (unsigned long long)upid, rate ? ", rate" : "");
	if (streamtab_send(UPSTREAM_PRIMARY, call.data, call.len, streamtab_call_cb, sc) == NULL)
		free(sc);
	krpc_buf_free(&call);
}

/* Replaces how management calls are sent (tests); NULL restores upstream_call1(). */
void
streamtab_set_sender(streamtab_sender fn)
{
	streamtab_send = fn != NULL ? fn : upstream_call1;
}

/* Creates the tables; sources give what the table reads from the layers above. */
void
streamtab_init(const struct streamtab_sources *sources)
{
	streamtab_sources = sources;
	if (streamtab_by_key != NULL)
		return;
	streamtab_by_key = htab_new();
	streamtab_by_up = htab_new();
	streamtab_by_id = htab_new();
}

/* Allocates an entry. */
static struct entry *
streamtab_entry_new(enum entry_kind kind, const char *label)
{
	static uint64_t serial;
	struct entry *e = xcalloc(1, sizeof *e);

	e->serial = ++serial;
	e->kind = kind;
	e->label = xstrdup(label);
	TAILQ_INIT(&e->subs);
	TAILQ_INIT(&e->waiters);
	TAILQ_INSERT_TAIL(&streamtab_entries, e, link);
	return e;
}

/* Indexes an entry under its upstream id. */
static void
streamtab_index_up(struct entry *e, uint64_t upid)
{
	e->upid = upid;
	e->indexed = true;
	htab_put(streamtab_by_up, &upid, sizeof upid, e);
	if (!streamtab_any_upid || upid > streamtab_max_upid)
		streamtab_max_upid = upid;
	streamtab_any_upid = true;
}

/* The server no longer has the entry's stream. */
void
streamtab_forget_upstream(struct entry *e)
{
	if (e->indexed)
		htab_del_value(streamtab_by_up, &e->upid, sizeof e->upid, e);
	e->indexed = false;
	if (e->kind == ENTRY_SHARED && e->key != NULL)
		htab_del_value(streamtab_by_key, e->key, e->keylen, e);
	e->state = ENTRY_FAILED;
}

/* Frees an entry nobody uses, removing its stream upstream. */
static void
streamtab_maybe_free(struct entry *e)
{
	if (e->hold > 0 || e->nsubs > 0 || !TAILQ_EMPTY(&e->waiters) || e->state == ENTRY_ADDING)
		return;
	if (e->state == ENTRY_LIVE && e->kind != ENTRY_LOCAL) {
		log_debug(NULL, "stream %s (upstream %llu): last subscriber gone, removing",
		    e->label, (unsigned long long)e->upid);
		streamtab_manage("RemoveStream", e->upid, NULL);
	}
	streamtab_forget_upstream(e);
	TAILQ_REMOVE(&streamtab_entries, e, link);
	krpc_buf_free(&e->value);
	free(e->key);
	free(e->label);
	free(e);
}

/* Sends SetStreamRate upstream if the highest subscriber rate changed. */
static void
streamtab_update_rate(struct entry *e)
{
	struct sub *s;
	float rate = 0;
	bool unlimited = false;

	if (e->kind != ENTRY_SHARED || e->state != ENTRY_LIVE || e->nsubs == 0)
		return;
	/* Most subscribers take every update: then 0 wins without a walk over them all. */
	unlimited = e->nunlimited > 0;
	TAILQ_FOREACH(s, &e->subs, entry_link) {
		if (unlimited)
			break;
		if (s->rate > rate)
			rate = s->rate;
	}
	if (unlimited)
		rate = 0;
	if (e->up_rate_known && e->up_rate == rate)
		return;
	e->up_rate = rate;
	e->up_rate_known = true;
	streamtab_manage("SetStreamRate", e->upid, &rate);
}

/* Forgets every entry and subscription (the upstream session ended). */
void
streamtab_reset(void)
{
	struct entry *e;
	struct sub *s;

	while ((e = TAILQ_FIRST(&streamtab_entries)) != NULL) {
		while ((s = TAILQ_FIRST(&e->subs)) != NULL) {
			fanout_forget(s);
			TAILQ_REMOVE(&s->client->subs, s, client_link);
			s->client->nsubs--;
			TAILQ_REMOVE(&e->subs, s, entry_link);
			free(s);
		}
		e->nsubs = 0;
		e->state = ENTRY_FAILED;
		TAILQ_INIT(&e->waiters);
		e->hold = 0;
		streamtab_maybe_free(e);
	}
	if (streamtab_by_key != NULL) {
		htab_clear(streamtab_by_key);
		htab_clear(streamtab_by_up);
		htab_clear(streamtab_by_id);
	}
	streamtab_nsubs = 0;
	streamtab_any_upid = false;
	streamtab_max_upid = 0;
}

/* The shared entry for a key. */
struct entry *
streamtab_lookup(const uint8_t *key, size_t keylen)
{
	return htab_get(streamtab_by_key, key, keylen);
}

/* Wakes the requests parked on an entry. */
static void
streamtab_wake(struct entry *e, const struct streamtab_result *res)
{
	struct streamtab_wait *w;

	e->hold++;
	while ((w = TAILQ_FIRST(&e->waiters)) != NULL) {
		TAILQ_REMOVE(&e->waiters, w, link);
		w->entry = NULL;
		w->fn(w->arg, res);
	}
	e->hold--;
	streamtab_update_rate(e);
	streamtab_maybe_free(e);
}

/* Reads an AddStream response into res (errors, failures); the stream id on success. */
static bool
streamtab_added_read(const uint8_t *resp, size_t len, struct streamtab_result *res,
    uint64_t *upid)
{
	struct wire_slice err, result, value;
	bool is_error = false;
	size_t n = 0;

	if (res->failure != NULL)
		return false;
	if (!wire_response_split(resp, len, &err, &result, 1, &n) || (err.data == NULL && n != 1) ||
	    (n == 1 && !wire_result_parse(result.data, result.len, &is_error, &value)))
		res->failure = "krpcmuxd: the server sent a malformed AddStream response";
	else if (err.data != NULL) {
		res->req_error = err.data;
		res->req_error_len = err.len;
	} else if (is_error) {
		res->call_error = result.data;
		res->call_error_len = result.len;
	} else if (!wire_stream_id(value.data, value.len, upid))
		res->failure = "krpcmuxd: the server sent a malformed Stream";
	return res->failure == NULL && res->req_error == NULL && res->call_error == NULL;
}

/* The server called the entry's call equal to another entry's: its waiters share that one. */
static void
streamtab_merge(struct entry *e, struct entry *other, struct streamtab_result *res)
{
	e->state = ENTRY_FAILED;
	res->entry = other;
	other->hold++;
	streamtab_wake(e, res);
	other->hold--;
	streamtab_update_rate(other);
	streamtab_maybe_free(other);
}

/* Completes an AddStream sent for a new entry. */
static void
streamtab_added_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	struct entry *e = arg, *other;
	struct streamtab_result res = { NULL, NULL, 0, NULL, 0, failure };
	uint64_t upid = 0;

	htab_del_value(streamtab_by_key, e->key, e->keylen, e);
	if (!streamtab_added_read(resp, len, &res, &upid)) {
		e->state = ENTRY_FAILED;
		streamtab_wake(e, &res);
		return;
	}
	if ((other = htab_get(streamtab_by_up, &upid, sizeof upid)) != NULL &&
	    other->kind == ENTRY_SHARED && other->state == ENTRY_LIVE) {
		streamtab_merge(e, other, &res);
		return;
	}
	/* an id seen before with no entry: a cancelled removal, its upstream state unknown */
	e->up_rate_known = !(streamtab_any_upid && upid <= streamtab_max_upid);
	e->up_rate = 0;
	e->state = ENTRY_LIVE;
	htab_put(streamtab_by_key, e->key, e->keylen, e);
	streamtab_index_up(e, upid);
	log_debug(NULL, "stream %s: upstream id %llu", e->label, (unsigned long long)upid);
	res.entry = e;
	streamtab_wake(e, &res);
}

/* Creates an entry for a new key and sends AddStream(call, start=false) upstream. */
struct entry *
streamtab_add(const uint8_t *key, size_t keylen, const char *label, const uint8_t *call,
    size_t calllen)
{
	struct entry *e = streamtab_entry_new(ENTRY_SHARED, label);
	krpc_buf_t req = KRPC_BUF_INIT;
	krpc_msg_arg_t args[2];
	static const uint8_t no = 0;

	e->key = xmemdup(key, keylen);
	e->keylen = keylen;
	e->state = ENTRY_ADDING;
	htab_put(streamtab_by_key, key, keylen, e);
	args[0].position = 0;
	args[0].value = call;
	args[0].len = calllen;
	args[0].is_null = false;
	args[1].position = 1;
	args[1].value = &no;
	args[1].len = 1;
	args[1].is_null = false;
	wire_call(&req, "KRPC", "AddStream", args, 2);
	xbuf_check(&req);
	stats_inc(add_stream_upstream);
	if (streamtab_send(UPSTREAM_PRIMARY, req.data, req.len, streamtab_added_cb, e) == NULL) {
		e->state = ENTRY_FAILED;
		streamtab_maybe_free(e);	/* no upstream: nothing to wait for */
		e = NULL;
	}
	krpc_buf_free(&req);
	return e;
}

/* Parks a request on an ADDING entry until its AddStream completes. */
void
streamtab_wait(struct entry *e, struct streamtab_wait *w)
{
	w->entry = e;
	TAILQ_INSERT_TAIL(&e->waiters, w, link);
}

/* Unparks a request (its client went away). */
void
streamtab_wait_cancel(struct streamtab_wait *w)
{
	struct entry *e = w->entry;

	if (e == NULL)
		return;
	TAILQ_REMOVE(&e->waiters, w, link);
	w->entry = NULL;
	streamtab_maybe_free(e);
}

/* An entry for an event or stream one client owns. */
struct entry *
streamtab_owned(struct client *c, uint64_t upid, const char *label)
{
	struct entry *e = streamtab_entry_new(ENTRY_OWNED, label);

	e->owner = c;
	e->state = ENTRY_LIVE;
	e->up_started = true;
	streamtab_index_up(e, upid);
	return e;
}

/* An entry for a stream the proxy answers itself. */
struct entry *
streamtab_local(struct client *c, enum schema_kind kind, const char *label)
{
	struct entry *e = streamtab_entry_new(ENTRY_LOCAL, label);

	e->owner = c;
	e->local = kind;
	e->state = ENTRY_LIVE;
	return e;
}

/* The client's subscription to an entry. */
struct sub *
streamtab_client_sub(struct client *c, struct entry *e)
{
	struct sub *s;

	TAILQ_FOREACH(s, &e->subs, entry_link) {
		if (s->client == c)
			return s;
	}
	return NULL;
}

/* Subscribes a client under a new downstream id. */
struct sub *
streamtab_subscribe(struct client *c, struct entry *e)
{
	struct sub *s = xcalloc(1, sizeof *s);

	s->id = streamtab_next_id++;
	s->client = c;
	s->entry = e;
	s->started = e->kind == ENTRY_OWNED;	/* the server starts and paces events */
	TAILQ_INSERT_TAIL(&c->subs, s, client_link);
	c->nsubs++;
	TAILQ_INSERT_TAIL(&e->subs, s, entry_link);
	e->nsubs++;
	e->nunlimited++;		/* a new subscription takes every update */
	streamtab_nsubs++;
	htab_put(streamtab_by_id, &s->id, sizeof s->id, s);
	if (e->hold == 0)
		streamtab_update_rate(e);
	return s;
}

/* A client's stream id; another client's ids are not found. */
struct sub *
streamtab_find(struct client *c, uint64_t id)
{
	struct sub *s = htab_get(streamtab_by_id, &id, sizeof id);

	return s != NULL && s->client == c ? s : NULL;
}

/* StartStream: start upstream if needed, send the cached value to this subscriber. */
void
streamtab_start(struct sub *s)
{
	struct entry *e = s->entry;

	s->started = true;
	s->last_sent = krpc_time_now();
	if (e->kind == ENTRY_LOCAL) {
		krpc_buf_reset(&e->value);
		streamtab_local_value(e->owner, e->local, &e->value);
		xbuf_check(&e->value);
		e->has_value = true;
	} else if (e->state == ENTRY_LIVE && !e->up_started) {
		e->up_started = true;
		streamtab_manage("StartStream", e->upid, NULL);
	}
	if (e->has_value)
		fanout_send_now(s);
}

/* SetStreamRate for a subscriber. */
void
streamtab_set_rate(struct sub *s, float rate)
{
	s->entry->nunlimited -= s->rate == 0;
	s->rate = rate > 0 && !isnan(rate) ? rate : 0;
	s->entry->nunlimited += s->rate == 0;
	streamtab_update_rate(s->entry);
}

/* Removes a subscription. */
void
streamtab_unsubscribe(struct sub *s)
{
	struct entry *e = s->entry;

	fanout_forget(s);
	htab_del_value(streamtab_by_id, &s->id, sizeof s->id, s);
	TAILQ_REMOVE(&s->client->subs, s, client_link);
	s->client->nsubs--;
	TAILQ_REMOVE(&e->subs, s, entry_link);
	e->nsubs--;
	e->nunlimited -= s->rate == 0;
	streamtab_nsubs--;
	free(s);
	streamtab_update_rate(e);
	streamtab_maybe_free(e);
}

/* Drops every subscription of a client. */
void
streamtab_client_gone(struct client *c)
{
	struct sub *s;

	while ((s = TAILQ_FIRST(&c->subs)) != NULL)
		streamtab_unsubscribe(s);
}

/* The entry behind an upstream id. */
struct entry *
streamtab_by_upid(uint64_t upid)
{
	return htab_get(streamtab_by_up, &upid, sizeof upid);
}

/* Stores a value from upstream. */
void
streamtab_store(struct entry *e, const uint8_t *p, size_t len, bool is_error)
{
	krpc_buf_reset(&e->value);
	krpc_buf_append(&e->value, p, len);
	xbuf_check(&e->value);
	e->has_value = true;
	e->is_error = is_error;
	e->values++;
}

/* A StreamUpdate from upstream: store each value, offer it to the subscribers. */
void
streamtab_update(const uint8_t *msg, size_t len)
{
	krpc_pbr_t r = { msg, len, 0 }, sr;
	krpc_pbr_field_t f, g;
	struct wire_slice result, value;
	struct entry *e;
	struct sub *s;
	uint64_t id;
	bool is_error;
	double now = krpc_time_now();	/* one clock reading for the whole update */

	stats_inc(upstream_updates);
	while (krpc_pbr_next(&r, &f) == 1) {
		if (f.number != 1 || f.wire != KRPC_WIRE_LEN)
			continue;
		sr = (krpc_pbr_t){ f.data, f.len, 0 };
		id = 0;
		result.data = NULL;
		result.len = 0;
		while (krpc_pbr_next(&sr, &g) == 1) {
			if (g.number == 1 && g.wire == KRPC_WIRE_VARINT)
				id = g.varint;
			else if (g.number == 2 && g.wire == KRPC_WIRE_LEN) {
				result.data = g.data;
				result.len = g.len;
			}
		}
		if ((e = streamtab_by_upid(id)) == NULL)
			continue;	/* removed meanwhile: ignore (PROTOCOL.md 7) */
		if (!wire_result_parse(result.data, result.len, &is_error, &value))
			continue;
		streamtab_store(e, result.data, result.len, is_error);
		TAILQ_FOREACH(s, &e->subs, entry_link) {
			if (s->started)
				fanout_offer(s, now);
		}
		if (is_error) {
			log_debug(NULL, "stream %s (upstream %llu) failed; the server removed it",
			    e->label, (unsigned long long)id);
			streamtab_forget_upstream(e);
		}
	}
	fanout_flush();
}

/* Appends a STRING or BYTES value encoding. */
static void
streamtab_put_bytes(krpc_buf_t *b, const void *p, size_t len)
{
	krpc_buf_varint(b, len);
	krpc_buf_append(b, p, len);
}

/* The ProcedureResult of GetClientID, GetClientName or get_Clients for a client. */
void
streamtab_local_value(struct client *c, enum schema_kind kind, krpc_buf_t *out)
{
	krpc_buf_t v = KRPC_BUF_INIT, list = KRPC_BUF_INIT, tuple = KRPC_BUF_INIT, item = KRPC_BUF_INIT;
	const struct client *o;

	if (kind == SCHEMA_CLIENT_ID)
		streamtab_put_bytes(&v, c->id, sizeof c->id);
	else if (kind == SCHEMA_CLIENT_NAME)
		streamtab_put_bytes(&v, c->name, strlen(c->name));
	else {
		TAILQ_FOREACH(o, streamtab_sources->clients(), link) {
			if (o->state != CLIENT_READY || o->dead)
				continue;
			krpc_buf_reset(&tuple);
			krpc_buf_reset(&item);
			/* Another client's id would let this one take over its stream connection. */
			streamtab_put_bytes(&item, o == c ? o->id : o->public_id, sizeof o->id);
			krpc_buf_field_bytes(&tuple, 1, item.data, item.len);
			krpc_buf_reset(&item);
			streamtab_put_bytes(&item, o->name, strlen(o->name));
			krpc_buf_field_bytes(&tuple, 1, item.data, item.len);
			krpc_buf_reset(&item);
			streamtab_put_bytes(&item, o->address, strlen(o->address));
			krpc_buf_field_bytes(&tuple, 1, item.data, item.len);
			xbuf_check(&tuple);
			krpc_buf_field_bytes(&list, 1, tuple.data, tuple.len);
		}
		xbuf_check(&list);
		krpc_buf_append(&v, list.data, list.len);
	}
	xbuf_check(&v);
	/* A zero-length value is still a value (an empty list): field present. */
	krpc_buf_field_bytes(out, 2, v.data, v.len);
	krpc_buf_free(&v);
	krpc_buf_free(&list);
	krpc_buf_free(&tuple);
	krpc_buf_free(&item);
}

/* Recomputes get_Clients streams after a client came or went. */
void
streamtab_refresh_local(void)
{
	krpc_buf_t v = KRPC_BUF_INIT;
	struct entry *e;
	struct sub *s;

	TAILQ_FOREACH(e, &streamtab_entries, link) {
		if (e->kind != ENTRY_LOCAL || e->local != SCHEMA_CLIENTS || !e->has_value)
			continue;
		krpc_buf_reset(&v);
		streamtab_local_value(e->owner, e->local, &v);
		xbuf_check(&v);
		if (v.len == e->value.len && memcmp(v.data, e->value.data, v.len) == 0)
			continue;
		streamtab_store(e, v.data, v.len, false);
		TAILQ_FOREACH(s, &e->subs, entry_link) {
			if (s->started)
				fanout_offer(s, krpc_time_now());
		}
	}
	krpc_buf_free(&v);
	fanout_flush();
}

/* Counts entries of a kind. */
size_t
streamtab_count(enum entry_kind kind)
{
	struct entry *e;
	size_t n = 0;

	TAILQ_FOREACH(e, &streamtab_entries, link) {
		if (e->kind == kind)
			n++;
	}
	return n;
}

/* Counts subscriptions. */
size_t
streamtab_subs(void)
{
	return streamtab_nsubs;
}

/* The first entry in creation order (admin listings), or NULL. */
const struct entry *
streamtab_first(void)
{
	return TAILQ_FIRST(&streamtab_entries);
}

/* The entry after e in creation order, or NULL. */
const struct entry *
streamtab_next(const struct entry *e)
{
	return TAILQ_NEXT(e, link);
}
