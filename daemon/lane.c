/*
 * A lane: one upstream RPC connection's requests.  Requests wait in a queue
 * until the connection's handshake is done (and, to a server before v0.6,
 * until the one in flight is answered), then go out in order; responses
 * come back in the same order and complete the oldest request.  On a v0.7
 * server the requests that queue while two Requests are in flight go out
 * as one batched Request (batch.c), answered in one poll round.  The
 * primary connection, the slow lanes and the clients' own sessions are all
 * lanes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* Writes in flight on a connection while requests are being batched. */
#define LANE_BATCH_DEPTH	2
/* What a request counts against upstream.batch_calls: its calls, at least 1. */
#define LANE_WEIGHT(u)		((u)->ncalls > 0 ? (u)->ncalls : 1)
/* The most bytes of requests joined into one batch. */
#define LANE_BATCH_BYTES	(1024 * 1024)

struct upcall {
	TAILQ_ENTRY(upcall)	 link;
	upstream_cb		 cb;
	void			*arg;
	uint8_t			*body;		/* while queued, and while in a batch */
	size_t			 len;
	size_t			 ncalls;	/* calls in the request */
	size_t			 nparts;	/* first of a write: requests in it; else 0 */
	bool			 alone;		/* sent again on its own after a failed batch */
};

TAILQ_HEAD(upcall_list, upcall);

struct lane {
	int			 index;
	const struct lane_caps	*caps;
	struct peer		*peer;
	bool			 ready;
	struct upcall_list	 queue;		/* not written yet */
	struct upcall_list	 inflight;	/* written; responses come in this order */
	size_t			 nqueue;
	size_t			 ninflight;
	size_t			 nwrites;	/* Requests written and not answered */
};

/*
 * What the stall watch reads (stall.c): the requests in flight on every
 * lane, and when the server last sent anything on any connection.
 */
static struct {
	size_t	 inflight;
	double	 heard;		/* monotonic seconds */
} lane_all;

/* Counts requests written (n > 0) or answered or failed (n < 0). */
static void
lane_count(struct lane *l, long n)
{
	if (lane_all.inflight == 0 && n > 0)
		lane_all.heard = krpc_time_now();	/* the silence counts from the first wait */
	l->ninflight = (size_t)((long)l->ninflight + n);
	lane_all.inflight = (size_t)((long)lane_all.inflight + n);
}

/* True if requests may be joined on this lane. */
static bool
lane_batching(const struct lane *l)
{
	return l->caps->batching && cfg->upstream_batch_calls > 1;
}

/* True if the lane may write another Request now. */
static bool
lane_writable(const struct lane *l)
{
	if (!l->ready)
		return false;
	if (l->caps->serial)
		return l->ninflight == 0;
	return !lane_batching(l) || l->nwrites < LANE_BATCH_DEPTH;
}

/* Writes a request alone. */
static void
lane_write(struct lane *l, struct upcall *u, const void *req, size_t len)
{
	peer_send(l->peer, req, len);
	u->nparts = 1;
	TAILQ_INSERT_TAIL(&l->inflight, u, link);
	lane_count(l, 1);
	l->nwrites++;
}

/*
 * Writes the queue's first request, joined with the ones after it up to the
 * configured number of calls: one Request upstream, answered by one
 * Response that lane_response() cuts up again.  The parts keep their bytes
 * until then, in case the batch must be sent again piecemeal.
 */
static void
lane_write_batch(struct lane *l)
{
	struct upcall *u = TAILQ_FIRST(&l->queue), *first = u;
	krpc_buf_t b = KRPC_BUF_INIT;
	size_t calls = 0, n = 0;

	while (u != NULL && (n == 0 || (!u->alone && calls + LANE_WEIGHT(u) <=
	    (size_t)cfg->upstream_batch_calls && b.len + u->len <= LANE_BATCH_BYTES))) {
		krpc_buf_append(&b, u->body, u->len);
		calls += LANE_WEIGHT(u);
		n++;
		TAILQ_REMOVE(&l->queue, u, link);
		l->nqueue--;
		TAILQ_INSERT_TAIL(&l->inflight, u, link);
		lane_count(l, 1);
		if (first->alone)
			break;
		u = TAILQ_FIRST(&l->queue);
	}
	xbuf_check(&b);
	peer_send(l->peer, b.data, b.len);
	krpc_buf_free(&b);
	first->nparts = n;
	l->nwrites++;
	if (n > 1) {
		stats_inc(upstream_batches);
		stats_add(upstream_batched_requests, n);
	} else {
		free(first->body);
		first->body = NULL;
	}
}

/* Sends queued requests while the lane takes them (joined when batching). */
static void
lane_flush(struct lane *l)
{
	struct upcall *u;

	while (lane_writable(l) && (u = TAILQ_FIRST(&l->queue)) != NULL) {
		if (lane_batching(l)) {
			lane_write_batch(l);
			continue;
		}
		TAILQ_REMOVE(&l->queue, u, link);
		l->nqueue--;
		lane_write(l, u, u->body, u->len);
		free(u->body);
		u->body = NULL;
	}
}

/* Queues a request (its bytes copied). */
static void
lane_enqueue(struct lane *l, struct upcall *u, const void *req, size_t len)
{
	u->body = xmemdup(req, len);
	u->len = len;
	TAILQ_INSERT_TAIL(&l->queue, u, link);
	l->nqueue++;
}

/* Completes one request and frees it. */
static void
lane_complete(struct upcall *u, const uint8_t *msg, size_t len)
{
	if (u->cb != NULL)
		u->cb(u->arg, msg, len, NULL);
	free(u->body);
	free(u);
}

/*
 * A batch failed at request level while decoding: no call ran, so its parts
 * go back to the head of the queue, in order, each to be sent on its own.
 */
static void
lane_batch_retry(struct lane *l, struct upcall **parts, size_t n)
{
	size_t i;

	stats_inc(upstream_batch_retries);
	for (i = n; i-- > 0;) {
		parts[i]->alone = true;
		parts[i]->nparts = 0;
		TAILQ_INSERT_HEAD(&l->queue, parts[i], link);
		l->nqueue++;
	}
}

/*
 * The Response to a write of n requests, cut into each one's slice: false
 * if it is malformed.  A batch that failed to decode goes back to the queue
 * (*retried); a batch whose calls ran and then failed at request level (a
 * yielding call threw after yielding) gives every part the error.
 */
static bool
lane_cut(struct lane *l, struct upcall **parts, size_t n, const uint8_t *msg, size_t len,
    struct wire_slice *slice, bool *retried)
{
	size_t counts[n], i;

	*retried = false;
	if (n == 1) {
		slice[0] = (struct wire_slice){ msg, len };
		return true;
	}
	for (i = 0; i < n; i++)
		counts[i] = parts[i]->ncalls;
	switch (batch_split(msg, len, counts, n, slice)) {
	case BATCH_OK:
		return true;
	case BATCH_ERROR:
		if (batch_decode_error(msg, len)) {
			lane_batch_retry(l, parts, n);
			*retried = true;
		}
		for (i = 0; i < n; i++)
			slice[i] = (struct wire_slice){ msg, len };
		return true;
	default:
		return false;
	}
}

/* Takes the oldest write's n requests off the in-flight list. */
static void
lane_take(struct lane *l, struct upcall **parts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		parts[i] = TAILQ_FIRST(&l->inflight);
		TAILQ_REMOVE(&l->inflight, parts[i], link);
		lane_count(l, -1);
	}
	l->nwrites--;
}

/* A new lane (no connection yet); caps are the server's, shared by the session's lanes. */
struct lane *
lane_new(int index, const struct lane_caps *caps)
{
	struct lane *l = xcalloc(1, sizeof *l);

	l->index = index;
	l->caps = caps;
	TAILQ_INIT(&l->queue);
	TAILQ_INIT(&l->inflight);
	return l;
}

/* Frees a lane that holds no request (lane_fail() first). */
void
lane_free(struct lane *l)
{
	free(l);
}

/* The lane's connection. */
void
lane_attach(struct lane *l, struct peer *p)
{
	l->peer = p;
}

struct peer *
lane_peer(const struct lane *l)
{
	return l->peer;
}

int
lane_index(const struct lane *l)
{
	return l->index;
}

/* The handshake is done: what waited goes out. */
void
lane_ready(struct lane *l)
{
	l->ready = true;
	lane_flush(l);
}

bool
lane_is_ready(const struct lane *l)
{
	return l->ready;
}

/* Requests queued or in flight. */
size_t
lane_load(const struct lane *l)
{
	return l->nqueue + l->ninflight;
}

size_t
lane_in_flight(const struct lane *l)
{
	return l->ninflight;
}

/* Sends a serialised Request now, or queues it; cb runs exactly once. */
struct upcall *
lane_submit(struct lane *l, const void *req, size_t len, upstream_cb cb, void *arg)
{
	struct upcall *u = xcalloc(1, sizeof *u);

	u->cb = cb;
	u->arg = arg;
	u->ncalls = batch_calls(req, len);
	if (lane_writable(l) && TAILQ_EMPTY(&l->queue))
		lane_write(l, u, req, len);
	else
		lane_enqueue(l, u, req, len);
	return u;
}

/*
 * A response: completes the oldest write's request or requests; false if
 * nothing was in flight or the response is malformed (the connection is
 * then of no further use).  The server gets the queued requests before the
 * answers go out to the clients: handing a batch's answers to many clients
 * takes the proxy a while, and the server ends its polling for this update
 * if nothing arrives within its receive timeout (1 ms by default).
 */
bool
lane_response(struct lane *l, const uint8_t *msg, size_t len)
{
	struct upcall *u = TAILQ_FIRST(&l->inflight);
	size_t n = u != NULL ? (u->nparts > 0 ? u->nparts : 1) : 0, i;
	struct upcall *parts[n + 1];
	struct wire_slice slice[n + 1];
	bool retried = false;

	lane_heard();
	if (u == NULL || l->ninflight < n)
		return false;
	lane_take(l, parts, n);
	if (!lane_cut(l, parts, n, msg, len, slice, &retried)) {
		for (i = 0; i < n; i++) {
			if (parts[i]->cb != NULL)
				parts[i]->cb(parts[i]->arg, NULL, 0, "krpcmuxd: the game's kRPC server "
				    "answered a batch of requests with a malformed response");
			parts[i]->cb = NULL;
			lane_complete(parts[i], NULL, 0);
		}
		return false;
	}
	lane_flush(l);
	for (i = 0; i < n && !retried; i++)
		lane_complete(parts[i], slice[i].data, slice[i].len);
	return true;
}

/* Fails every request of the lane with a request-level error text; the lane is not ready. */
void
lane_fail(struct lane *l, const char *desc)
{
	struct upcall *u;

	l->ready = false;
	while ((u = TAILQ_FIRST(&l->inflight)) != NULL || (u = TAILQ_FIRST(&l->queue)) != NULL) {
		if (u == TAILQ_FIRST(&l->inflight)) {
			TAILQ_REMOVE(&l->inflight, u, link);
			lane_count(l, -1);
		} else {
			TAILQ_REMOVE(&l->queue, u, link);
			l->nqueue--;
		}
		if (u->cb != NULL)
			u->cb(u->arg, NULL, 0, desc);
		free(u->body);
		free(u);
	}
	l->nwrites = 0;
}

/* Moves the requests that never went out to another lane, in order. */
void
lane_requeue(struct lane *from, struct lane *to)
{
	struct upcall *u;

	while ((u = TAILQ_FIRST(&from->queue)) != NULL) {
		TAILQ_REMOVE(&from->queue, u, link);
		from->nqueue--;
		u->alone = false;
		if (lane_writable(to) && TAILQ_EMPTY(&to->queue)) {
			lane_write(to, u, u->body, u->len);
			free(u->body);
			u->body = NULL;
		} else {
			TAILQ_INSERT_TAIL(&to->queue, u, link);
			to->nqueue++;
		}
	}
}

/* The server sent something, on any of its connections: the stall watch's sign of life. */
void
lane_heard(void)
{
	lane_all.heard = krpc_time_now();
}

/*
 * Requests in flight on every lane (the primary, the slow lanes, clients'
 * own sessions), and in *silent the seconds since the server last sent
 * anything while some were.
 */
size_t
lane_waiting(double *silent)
{
	*silent = lane_all.inflight > 0 ? krpc_time_now() - lane_all.heard : 0;
	return lane_all.inflight;
}
