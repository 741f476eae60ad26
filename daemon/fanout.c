/*
 * Fan-out: the values streamtab.c offers during one upstream StreamUpdate
 * become at most one StreamUpdate per client, holding only its started
 * streams under its own ids.  Rate-limited subscribers and clients whose
 * stream socket is backed up get the newest value later (conflation);
 * memory per client stays bounded.  Nothing here calls the stream table.
 */
#include "config.h"

#include <stdlib.h>

#include "krpcmuxd.h"

/* Clients with a StreamUpdate being built during this upstream update. */
static TAILQ_HEAD(, client) fanout_dirty = TAILQ_HEAD_INITIALIZER(fanout_dirty);

static void	fanout_release(struct client *);

/* True once a rate-limited subscriber may receive again. */
static bool
fanout_window_open(const struct sub *s, double now, double *at)
{
	double interval, slack;

	*at = now;
	if (s->rate <= 0)
		return true;
	interval = 1.0 / s->rate;
	/* Upstream updates arrive with jitter: accept a value slightly early. */
	slack = interval / 4 < 0.008 ? interval / 4 : 0.008;
	*at = s->last_sent + interval - slack;
	return now >= *at;
}

/* Adds a subscriber's current value to its client's update. */
static void
fanout_append(struct client *c, struct sub *s, double now)
{
	struct entry *e = s->entry;

	wire_stream_result(&c->fan_out, s->id, e->value.data, e->value.len);
	s->last_sent = now;
	stats_inc(values_sent);
	c->values++;
	if (!c->fan_dirty) {
		c->fan_dirty = true;
		TAILQ_INSERT_TAIL(&fanout_dirty, c, fan_link);
	}
}

/* Holds a subscriber's value back until its window opens or the client drains. */
static void
fanout_hold(struct client *c, struct sub *s)
{
	stats_inc(values_conflated);
	if (s->pending)
		return;
	s->pending = true;
	TAILQ_INSERT_TAIL(&c->pending, s, pending_link);
}

/* The rate timer fired. */
static void
fanout_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	fanout_release(arg);
}

/* Arms the client's timer for the earliest rate window among held values. */
static void
fanout_arm(struct client *c, double now)
{
	struct sub *s;
	struct timeval tv;
	double at, first = -1;

	if (c->fan_blocked)
		return;
	TAILQ_FOREACH(s, &c->pending, pending_link) {
		if (fanout_window_open(s, now, &at))
			at = now;
		if (first < 0 || at < first)
			first = at;
	}
	if (first < 0)
		return;
	if (c->fan_timer == NULL && (c->fan_timer = evtimer_new(ev_base, fanout_timer_cb, c)) == NULL)
		log_fatal("cannot create a timer");
	tv = util_timeval(first - now);
	evtimer_add(c->fan_timer, &tv);
}

/* Sends the client's update, if any, and watches its stream output. */
static void
fanout_send(struct client *c)
{
	if (c->fan_dirty) {
		TAILQ_REMOVE(&fanout_dirty, c, fan_link);
		c->fan_dirty = false;
	}
	if (c->fan_out.len == 0)
		return;
	xbuf_check(&c->fan_out);
	if (c->stream != NULL) {
		peer_send(c->stream, c->fan_out.data, c->fan_out.len);
		stats_inc(updates_sent);
		if (peer_output(c->stream) > (size_t)cfg->limits_output_high) {
			log_debug(c->prefix, "stream output backed up (%zu bytes): conflating",
			    peer_output(c->stream));
			c->fan_blocked = true;
			peer_want_drain(c->stream, (size_t)cfg->limits_output_low);
		}
	}
	krpc_buf_reset(&c->fan_out);
}

/* Sends held values whose windows are open. */
static void
fanout_release(struct client *c)
{
	struct sub *s, *next;
	double now = krpc_time_now(), at;

	for (s = TAILQ_FIRST(&c->pending); s != NULL && !c->fan_blocked; s = next) {
		next = TAILQ_NEXT(s, pending_link);
		if (!fanout_window_open(s, now, &at))
			continue;
		TAILQ_REMOVE(&c->pending, s, pending_link);
		s->pending = false;
		fanout_append(c, s, now);
	}
	fanout_send(c);
	fanout_arm(c, now);
}

/* Offers an entry's new value to one started subscriber; now: the update's time. */
void
fanout_offer(struct sub *s, double now)
{
	struct client *c = s->client;
	double at;

	if (c->stream == NULL || c->dead)
		return;
	if (s->pending) {
		stats_inc(values_conflated);	/* the newer value replaces the held one */
		return;
	}
	if (c->fan_blocked) {
		fanout_hold(c, s);
		return;
	}
	if (!fanout_window_open(s, now, &at)) {
		fanout_hold(c, s);
		fanout_arm(c, now);
		return;
	}
	fanout_append(c, s, now);
}

/* Sends every update built since the last flush. */
void
fanout_flush(void)
{
	struct client *c;

	while ((c = TAILQ_FIRST(&fanout_dirty)) != NULL)
		fanout_send(c);
}

/* Sends an entry's current value to one subscriber now (StartStream). */
void
fanout_send_now(struct sub *s)
{
	struct client *c = s->client;

	if (c->stream == NULL || c->dead)
		return;
	if (c->fan_blocked) {
		fanout_hold(c, s);
		return;
	}
	if (s->pending) {
		TAILQ_REMOVE(&c->pending, s, pending_link);
		s->pending = false;
	}
	fanout_append(c, s, krpc_time_now());
	fanout_send(c);
}

/* Forgets a subscription's held value. */
void
fanout_forget(struct sub *s)
{
	if (!s->pending)
		return;
	TAILQ_REMOVE(&s->client->pending, s, pending_link);
	s->pending = false;
}

/* Releases a client's fan-out state. */
void
fanout_client_gone(struct client *c)
{
	struct sub *s;

	if (c->fan_dirty) {
		TAILQ_REMOVE(&fanout_dirty, c, fan_link);
		c->fan_dirty = false;
	}
	while ((s = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, s, pending_link);
		s->pending = false;
	}
	if (c->fan_timer != NULL)
		event_free(c->fan_timer);
	c->fan_timer = NULL;
	krpc_buf_free(&c->fan_out);
}

/* The client's stream output drained: send what was held back. */
void
fanout_drained(struct client *c)
{
	log_debug(c->prefix, "stream output drained");
	c->fan_blocked = false;
	fanout_release(c);
}
