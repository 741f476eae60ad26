/*
 * Requests from clients: forwarded whole when every call passes through,
 * otherwise run call by call (intercept.c handles the calls the proxy
 * answers or rewrites), sending runs of plain calls upstream as one request
 * and merging the results back in order.  Each client's responses leave in
 * the order of its requests.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* Requests of one client running at once (pipelined upstream). */
#define ROUTER_INFLIGHT_MAX	64

static const struct router_events *router_events;	/* the client layer, above */

/* Writes a request's framed response on the client's RPC connection, timing the request. */
static void
router_respond(struct client *c, const struct rreq *r, const void *p, size_t len)
{
	if (c->dead)
		return;
	peer_send(c->rpc, p, len);
	stats_observe_latency(krpc_time_now() - r->arrived);
}

/* Frees a request. */
static void
router_free(struct rreq *r)
{
	size_t i;

	for (i = 0; i < r->ncalls; i++) {
		krpc_buf_free(&r->calls[i].fwd);
		krpc_buf_free(&r->calls[i].result);
	}
	free(r->calls);
	if (r->req != NULL)
		krpc__schema__request__free_unpacked(r->req, NULL);
	free(r->raw);
	krpc_buf_free(&r->response);
	free(r);
}

/* Assembles the Response from the calls' results. */
static void
router_complete(struct rreq *r)
{
	size_t i;

	krpc_buf_reset(&r->response);
	for (i = 0; i < r->ncalls; i++)
		krpc_buf_field_bytes(&r->response, 2, r->calls[i].result.data, r->calls[i].result.len);
	xbuf_check(&r->response);
	if (r->steps > 1)
		stats_inc(requests_split);
	r->state = RREQ_DONE;
}

/* Classifies a call by the procedure it names (NULL: unknown). */
static enum call_kind
router_kind(const struct schema_proc *sp)
{
	if (sp == NULL)
		return CALL_FORWARD;	/* unknown: the server words the error */
	switch (sp->kind) {
	case SCHEMA_PLAIN:
		if (sp->isolated)
			return CALL_OWN;
		if (sp->rule != NULL)	/* the ledger notes it, or decides it first */
			return rules_decide(sp->rule) ? CALL_LOCAL : CALL_NOTED;
		return sp->slow ? CALL_SLOW : CALL_FORWARD;
	case SCHEMA_OWNED:
		return CALL_OWNED;
	case SCHEMA_ADD_STREAM:
		return CALL_ADD_STREAM;
	default:
		return CALL_LOCAL;
	}
}

/*
 * Classifies a parsed call by the procedure it names.  A call whose
 * PROCEDURE_CALL arguments nest a procedure the proxy intercepts is refused
 * here, with its error result ready: the server would run the nested call
 * as the proxy's connection (Benchmark.Call(RemoveStream(id)) would remove
 * another client's stream; a stream of AddEvent would create events nobody
 * removes).
 */
static enum call_kind
router_classify(const Krpc__Schema__ProcedureCall *pc, const struct schema_proc **procp,
    krpc_buf_t *result)
{
	enum call_kind kind;
	bool isolated = false;
	char why[512];

	*procp = schema_lookup(pc);
	if (*procp != NULL && (*procp)->takes_call && !schema_nested_ok(pc, why, sizeof why,
	    &isolated)) {
		wire_result_error(result, "KRPC", "InvalidOperationException", why);
		xbuf_check(result);
		return CALL_REFUSED;
	}
	kind = router_kind(*procp);
	/* A call that runs a call tied to the caller runs it for this client (Benchmark.Call). */
	return isolated && (kind == CALL_FORWARD || kind == CALL_SLOW) ? CALL_OWN : kind;
}

/*
 * Checks an Argument message field by field: the fields the server reads
 * have their expected wire types.
 */
static bool
router_scan_arg(const uint8_t *p, size_t len)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	int more;

	while ((more = krpc_pbr_next(&r, &f)) == 1) {
		if ((f.number == 1 || f.number == 3) && f.wire != KRPC_WIRE_VARINT)
			return false;
		if (f.number == 2 && f.wire != KRPC_WIRE_LEN)
			return false;
	}
	return more == 0;
}

/*
 * Scans one ProcedureCall without unpacking it: its kind by service and
 * procedure name.  False if the call must be parsed in full (numeric ids,
 * fields of unexpected wire types, malformed bytes).
 */
static bool
router_scan_call(const uint8_t *p, size_t len, enum call_kind *kind)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	const struct schema_proc *sp;
	const char *svc = "", *proc = "";
	size_t slen = 0, plen = 0;
	int more;

	while ((more = krpc_pbr_next(&r, &f)) == 1) {
		if (f.number == 4 || f.number == 5)
			return false;	/* calls by numeric id take the full path */
		if (f.number > 3)
			continue;
		if (f.wire != KRPC_WIRE_LEN)
			return false;
		if (f.number == 1) {
			svc = (const char *)f.data;
			slen = f.len;
		} else if (f.number == 2) {
			proc = (const char *)f.data;
			plen = f.len;
		} else if (!router_scan_arg(f.data, f.len))
			return false;
	}
	if (more != 0)
		return false;
	sp = schema_find_n(svc, slen, proc, plen);
	if (sp != NULL && sp->takes_call)
		return false;	/* its nested calls are checked by the full parse */
	*kind = router_kind(sp);
	return true;
}

/*
 * The fast path for the common request: scans it without unpacking (no
 * allocation) and says whether every call is one the proxy forwards as it
 * is, so that the bytes can go upstream unchanged.  The scan checks the
 * message's structure down to the arguments, so nothing the server would
 * treat as fatal reaches the shared connection.  False when the full parse
 * must decide (an intercepted call, an empty request, anything unusual).
 */
static bool
router_scan(const uint8_t *msg, size_t len, size_t *ncalls, enum upstream_lane *lane)
{
	krpc_pbr_t r = { msg, len, 0 };
	krpc_pbr_field_t f;
	enum call_kind kind;
	bool slow = false, own = false;
	int more;

	*ncalls = 0;
	while ((more = krpc_pbr_next(&r, &f)) == 1) {
		if (f.number != 1)
			continue;
		if (f.wire != KRPC_WIRE_LEN || !router_scan_call(f.data, f.len, &kind))
			return false;
		if (kind == CALL_SLOW)
			slow = true;
		else if (kind == CALL_OWN)
			own = true;
		else if (kind != CALL_FORWARD)
			return false;
		(*ncalls)++;
	}
	*lane = own ? UPSTREAM_OWN : slow ? UPSTREAM_SLOW : UPSTREAM_PRIMARY;
	return more == 0 && *ncalls > 0;
}

/*
 * The lane a forwarded call travels on: the client's own session for calls
 * tied to the caller (and, once it has one, for its events), a slow lane
 * for yielding calls, else the primary.
 */
static enum upstream_lane
router_lane(const struct rreq *r, const struct rcall *rc)
{
	if (rc->own || rc->kind == CALL_OWN ||
	    (rc->kind == CALL_OWNED && r->client != NULL && session_active(r->client)))
		return UPSTREAM_OWN;
	return rc->kind == CALL_SLOW && rc->fwd.len == 0 ? UPSTREAM_SLOW : UPSTREAM_PRIMARY;
}

/* Sends a Request upstream on a lane for r; false (r failed) if it cannot go. */
static bool
router_upstream(struct rreq *r, enum upstream_lane lane, const void *req, size_t len,
    upstream_cb cb)
{
	const char *why = NULL;

	if (lane == UPSTREAM_OWN) {
		if (session_call(r->client, req, len, cb, r, &why) != NULL)
			return true;
		rreq_fail(r, why);
		return false;
	}
	if (upstream_call(lane, req, len, cb, r) != NULL)
		return true;
	rreq_fail_down(r);
	return false;
}

/* True for calls sent upstream as they are. */
static bool
router_forwardable(const struct rreq *r, const struct rcall *rc)
{
	if (rc->fwd.len != 0)
		return false;
	if (rc->kind == CALL_OWNED)
		return r->client != NULL && r->client->stream != NULL;
	return rc->kind == CALL_FORWARD || rc->kind == CALL_SLOW || rc->kind == CALL_OWN ||
	    rc->kind == CALL_NOTED;
}

/*
 * Stores one upstream result of a batch (intercepted calls get theirs
 * mapped), and tells the ledger what a call with an ownership rule did,
 * even for a client that has gone (it gives that back at once).
 */
static void
router_batch_result(struct rreq *r, struct rcall *rc, const struct wire_slice *res)
{
	if (rc->proc != NULL && rc->proc->rule != NULL && !rc->own)
		ledger_result(r->client, rc->proc->rule, rc->pc, res->data, res->len);
	krpc_buf_reset(&rc->result);
	if ((rc->kind == CALL_OWNED && rc->fwd.len == 0) || rc->own_add)
		intercept_owned_result(r, rc, res->data, res->len);
	else if (rc->probe)
		intercept_probe_result(rc, res->data, res->len);
	else {
		krpc_buf_append(&rc->result, res->data, res->len);
		if (rc->proc != NULL && rc->proc->kind == SCHEMA_HOLD_TICK)
			intercept_hold_result(r, res->data, res->len);
	}
}

/* An upstream response for a batch of calls. */
static void
router_batch_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	struct rreq *r = arg;
	struct client *c = r->client;
	struct wire_slice err, *res;
	size_t i, n = 0;

	r->upstream = false;
	res = xcalloc(r->nbatch, sizeof *res);
	if (failure == NULL && (!wire_response_split(resp, len, &err, res, r->nbatch, &n) ||
	    (err.data == NULL && n != r->nbatch)))
		failure = "krpcmuxd: the server sent a malformed response";
	if (failure == NULL && err.data == NULL) {
		for (i = 0; i < n; i++)
			router_batch_result(r, &r->calls[r->batch + i], &res[i]);
	}
	free(res);
	if (r->client == NULL) {
		stats_inc(late_responses);
		router_free(r);
		return;
	}
	if (failure != NULL)
		rreq_fail(r, failure);
	else if (err.data != NULL)
		rreq_fail_error(r, err.data, err.len);
	else {
		r->next = r->batch + r->nbatch;
		router_run(r);
	}
	router_pump(c);
}

/* Sends the upstream request for the calls from r->next on. */
static void
router_send_batch(struct rreq *r)
{
	krpc_buf_t req = KRPC_BUF_INIT, call = KRPC_BUF_INIT;
	struct rcall *first = &r->calls[r->next];
	enum upstream_lane lane = router_lane(r, first);
	size_t end = r->next + 1, i, owned;

	if (router_forwardable(r, first)) {
		owned = first->kind == CALL_OWNED;
		while (end < r->ncalls && router_forwardable(r, &r->calls[end]) &&
		    router_lane(r, &r->calls[end]) == lane) {
			/* each call that adds a stream or event must fit limits.client_streams */
			if (r->calls[end].kind == CALL_OWNED && r->client != NULL &&
			    r->client->nsubs + ++owned > (size_t)cfg->limits_client_streams)
				break;
			end++;
		}
	}
	for (i = r->next; i < end; i++) {
		r->calls[i].own = lane == UPSTREAM_OWN;	/* its STREAM or EVENT lives there */
		krpc_buf_reset(&call);
		if (r->calls[i].fwd.len > 0)
			krpc_buf_append(&call, r->calls[i].fwd.data, r->calls[i].fwd.len);
		else
			rreq_pack_call(r->calls[i].pc, &call);
		xbuf_check(&call);
		krpc_msg_request_add(&req, call.data, call.len);
	}
	xbuf_check(&req);
	if (lane == UPSTREAM_SLOW && intercept_holds_tick(r->client))
		intercept_release_tick();	/* as the server would on a yielding call */
	r->batch = r->next;
	r->nbatch = end - r->next;
	r->steps++;
	if (router_upstream(r, lane, req.data, req.len, router_batch_cb))
		r->upstream = true;
	krpc_buf_free(&req);
	krpc_buf_free(&call);
}

/* Runs calls until one needs the upstream, or all have results. */
void
router_run(struct rreq *r)
{
	struct rcall *rc;
	enum step st;

	while (r->state != RREQ_DONE && r->next < r->ncalls) {
		rc = &r->calls[r->next];
		if (rc->kind == CALL_OWNED && rc->fwd.len == 0 && r->client != NULL &&
		    !limits_streams_ok(r->client, 1, &rc->result)) {
			r->next++;	/* the call's error is its result */
			continue;
		}
		if (router_forwardable(r, rc)) {
			router_send_batch(r);
			return;
		}
		if (rc->kind == CALL_REFUSED)
			st = STEP_DONE;
		else if (rc->kind == CALL_ADD_STREAM)
			st = intercept_add_stream(r, rc);
		else {
			stats_inc(calls_local);
			st = intercept_local(r, rc);
		}
		if (st == STEP_FORWARD) {
			router_send_batch(r);
			return;
		}
		if (st != STEP_DONE)
			return;
		r->next++;
	}
	if (r->state != RREQ_DONE)
		router_complete(r);
}

/*
 * A call the request was parked on has its result, or failed the request:
 * carry on.  An orphan (its client left while it waited upstream) is freed.
 */
void
router_resume(struct rreq *r)
{
	struct client *c = r->client;

	if (c == NULL) {
		stats_inc(late_responses);
		router_free(r);
		return;
	}
	if (r->state != RREQ_DONE) {
		r->next++;
		router_run(r);
	}
	router_pump(c);
}

/* Takes a request off its client's queue. */
static void
router_dequeue(struct client *c, struct rreq *r)
{
	TAILQ_REMOVE(&c->requests, r, link);
	c->nrequests--;
	c->request_bytes -= r->size;
}

/* A request forwarded whole came back. */
static void
router_simple_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	struct rreq *r = arg;
	struct client *c = r->client;

	r->upstream = false;
	if (c == NULL) {
		stats_inc(late_responses);
		router_free(r);
		return;
	}
	if (failure != NULL)
		rreq_fail(r, failure);
	else if (TAILQ_FIRST(&c->requests) == r) {
		/* The usual case: nothing earlier is pending, so no copy. */
		router_dequeue(c, r);
		router_respond(c, r, resp, len);
		router_free(r);
	} else {
		krpc_buf_append(&r->response, resp, len);
		xbuf_check(&r->response);
		r->state = RREQ_DONE;
	}
	router_pump(c);
}

/* Starts a queued request. */
static void
router_start(struct rreq *r)
{
	r->state = RREQ_RUNNING;
	if (!r->simple) {
		router_run(r);
		return;
	}
	if (r->lane == UPSTREAM_SLOW && intercept_holds_tick(r->client))
		intercept_release_tick();
	if (router_upstream(r, r->lane, r->raw, r->rawlen, router_simple_cb))
		r->upstream = true;
	free(r->raw);
	r->raw = NULL;
}

/* Writes the responses at the head of the queue that are complete. */
static void
router_flush(struct client *c)
{
	struct rreq *r;

	while ((r = TAILQ_FIRST(&c->requests)) != NULL && r->state == RREQ_DONE) {
		router_dequeue(c, r);
		router_respond(c, r, r->response.data, r->response.len);
		router_free(r);
	}
	router_events->output(c);
}

/*
 * True if another request of the client may start: the session is up (one
 * ending fails what is queued with its own words), fewer than
 * ROUTER_INFLIGHT_MAX run, their calls with its own (calls) stay within
 * limits.client_calls, and the responses it has not read stay under the
 * high watermark.  So a client pipelining big answers it never reads costs
 * at most the watermark plus ROUTER_INFLIGHT_MAX responses.
 */
static bool
router_may_start(const struct client *c, unsigned running, size_t calls)
{
	return upstream_ready() && running < ROUTER_INFLIGHT_MAX &&
	    (running == 0 || calls <= (size_t)cfg->limits_client_calls) &&
	    peer_output(c->rpc) <= (size_t)cfg->limits_output_high;
}

/*
 * Starts what may start and writes what is complete.  Plain requests on the
 * primary connection pipeline; a request that is stepped or goes to a slow
 * lane waits for everything before it, and everything after waits for it.
 */
void
router_pump(struct client *c)
{
	struct rreq *r;
	unsigned running = 0;
	size_t calls = 0;

	if (c == NULL || c->dead)
		return;
	TAILQ_FOREACH(r, &c->requests, link) {
		if (r->state == RREQ_DONE)
			continue;
		if (r->state == RREQ_QUEUED) {
			if ((r->barrier && running > 0) ||
			    !router_may_start(c, running, calls + r->weight))
				break;
			router_start(r);
			if (r->state == RREQ_DONE)
				continue;
		}
		if (r->barrier)
			break;
		running++;
		calls += r->weight;
	}
	router_flush(c);
}

/*
 * Makes r a request forwarded whole: its bytes go upstream unchanged.  One
 * bound for a slow lane or the client's own session is a barrier, so the
 * client's order holds across connections.
 */
static void
router_make_simple(struct rreq *r, const uint8_t *msg, size_t len, enum upstream_lane lane)
{
	r->simple = true;
	r->raw = xmemdup(msg, len);
	r->rawlen = len;
	r->lane = lane;
	r->barrier = lane != UPSTREAM_PRIMARY;
}

/*
 * A request parsed in full (*ncalls calls): forwarded whole if it turns out
 * simple, else run call by call.
 */
static struct rreq *
router_parsed(const uint8_t *msg, size_t len, size_t *ncalls)
{
	Krpc__Schema__Request *req = (Krpc__Schema__Request *)krpc_lenient_read(
	    KRPC_LENIENT_REQUEST, msg, len, NULL);
	enum upstream_lane lane = UPSTREAM_PRIMARY;
	struct rreq *r;
	bool simple;
	size_t i;

	if (req == NULL)
		return NULL;
	*ncalls = req->n_calls;
	r = xcalloc(1, sizeof *r);
	r->ncalls = req->n_calls;
	r->weight = req->n_calls;
	r->calls = xcalloc(r->ncalls, sizeof *r->calls);
	simple = r->ncalls > 0;
	for (i = 0; i < r->ncalls; i++) {
		r->calls[i].pc = req->calls[i];
		r->calls[i].kind = router_classify(req->calls[i], &r->calls[i].proc,
		    &r->calls[i].result);
		if (r->calls[i].kind == CALL_SLOW && lane == UPSTREAM_PRIMARY)
			lane = UPSTREAM_SLOW;
		else if (r->calls[i].kind == CALL_OWN)
			lane = UPSTREAM_OWN;
		else if (r->calls[i].kind != CALL_FORWARD && r->calls[i].kind != CALL_SLOW)
			simple = false;
	}
	if (!simple) {
		r->req = req;
		r->barrier = true;
		return r;
	}
	router_make_simple(r, msg, len, lane);
	free(r->calls);
	r->calls = NULL;
	r->ncalls = 0;
	krpc__schema__request__free_unpacked(req, NULL);
	return r;
}

/* A Request from a ready client; false if it is not a valid Request (nothing was queued). */
bool
router_request(struct client *c, const uint8_t *msg, size_t len)
{
	enum upstream_lane lane;
	struct rreq *r;
	size_t ncalls;
	char refusal[256];

	if (router_scan(msg, len, &ncalls, &lane)) {
		r = xcalloc(1, sizeof *r);
		router_make_simple(r, msg, len, lane);
		r->weight = ncalls;
	} else if ((r = router_parsed(msg, len, &ncalls)) == NULL)
		return false;
	stats_inc(requests);
	stats_add(calls, ncalls);
	c->calls += ncalls;
	r->arrived = krpc_time_now();
	r->client = c;
	r->size = len;
	if (limits_calls_refusal(c, r->weight, refusal, sizeof refusal) != NULL)
		rreq_fail(r, refusal);	/* answered in its turn, never run */
	TAILQ_INSERT_TAIL(&c->requests, r, link);
	c->nrequests++;
	c->request_bytes += len;
	router_pump(c);
	return true;
}

/* True if one of the client's requests goes, or went, over a slow lane (it may yield for long). */
bool
router_yielding(const struct client *c)
{
	const struct rreq *r;

	TAILQ_FOREACH(r, &c->requests, link) {
		if (r->lane == UPSTREAM_SLOW)
			return true;
	}
	return false;
}

/* Cancels a client's requests; those waiting for the upstream become orphans. */
void
router_client_gone(struct client *c)
{
	struct rreq *r;

	while ((r = TAILQ_FIRST(&c->requests)) != NULL) {
		TAILQ_REMOVE(&c->requests, r, link);
		if (r->waiting)
			streamtab_wait_cancel(&r->wait);
		if (r->upstream)
			r->client = NULL;	/* freed when its response arrives */
		else
			router_free(r);
	}
	c->nrequests = 0;
	c->request_bytes = 0;
	intercept_tick_gone(c);
}

/* Fails every request of a client that is not complete or in flight. */
void
router_fail_all(struct client *c, const char *description)
{
	struct rreq *r;

	TAILQ_FOREACH(r, &c->requests, link) {
		if (r->state == RREQ_DONE || r->upstream)
			continue;
		if (r->waiting) {
			streamtab_wait_cancel(&r->wait);
			r->waiting = false;
		}
		rreq_fail(r, description);
	}
	router_flush(c);
}

/*
 * Shutdown: writes, in order, every pending request's answer: its response
 * if complete, else a request-level error (in flight upstream too: the
 * client is dropped next, which orphans those, and their answers are
 * thrown away when they come).
 */
void
router_fail_pending(struct client *c, const char *description)
{
	krpc_buf_t error = KRPC_BUF_INIT;
	struct rreq *r;

	rreq_error_response(&error, NULL, NULL, description);
	xbuf_check(&error);
	TAILQ_FOREACH(r, &c->requests, link) {
		if (r->state == RREQ_DONE)
			router_respond(c, r, r->response.data, r->response.len);
		else
			router_respond(c, r, error.data, error.len);
	}
	krpc_buf_free(&error);
}

/* Registers what the router tells the client layer above it. */
void
router_init(const struct router_events *events)
{
	router_events = events;
}
