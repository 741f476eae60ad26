/*
 * Requests from clients: forwarded whole when every call passes through,
 * otherwise run call by call, intercepting the stream, event, client and
 * tick procedures and sending runs of plain calls upstream as one request,
 * with the results merged back in order.  Each client's responses leave in
 * the order of its requests.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* The server's tick hold timeout (kRPC PR #1070): a hold older than this has lapsed. */
#define ROUTER_TICK_TIMEOUT	1.0

static const char router_no_stream[] = "No stream client is connected for this RPC client";

enum call_kind {
	CALL_FORWARD,		/* sent upstream unchanged */
	CALL_SLOW,		/* sent upstream unchanged over a slow lane */
	CALL_OWNED,		/* sent upstream; its STREAM or EVENT result is mapped */
	CALL_LOCAL,		/* answered, or rewritten and sent, when reached */
	CALL_ADD_STREAM,	/* shared through the stream table */
};

enum step {
	STEP_DONE,		/* the call has its result */
	STEP_FORWARD,		/* send the rewritten call (rcall.fwd) upstream */
	STEP_WAIT,		/* parked; resumed by a callback */
	STEP_FAILED,		/* the whole request failed (response set) */
};

struct rcall {
	Krpc__Schema__ProcedureCall	*pc;
	const struct schema_proc	*proc;
	enum call_kind			 kind;
	krpc_buf_t			 fwd;		/* rewritten call, sent instead */
	krpc_buf_t			 result;	/* ProcedureResult bytes */
	bool				 probe;		/* fwd asks about ROUTER_PROBE_ID */
	uint64_t			 probe_id;	/* the id the client named */
};

/* An id the server never issues: asking about it gets the server's "unknown id" answer. */
#define ROUTER_PROBE_ID		UINT64_MAX
#define ROUTER_PROBE_TEXT	"18446744073709551615"

enum rreq_state {
	RREQ_QUEUED,
	RREQ_RUNNING,
	RREQ_DONE,
};

struct rreq {
	TAILQ_ENTRY(rreq)	 link;
	struct client		*client;	/* NULL once orphaned (client gone) */
	enum rreq_state		 state;
	bool			 simple;	/* forwarded whole, unchanged */
	bool			 barrier;	/* later requests of the client wait for it */
	enum upstream_lane	 lane;
	uint8_t			*raw;		/* simple: the request bytes until sent */
	size_t			 rawlen;
	Krpc__Schema__Request	*req;		/* stepped: the parsed request */
	struct rcall		*calls;
	size_t			 ncalls;
	size_t			 next;		/* next call to run */
	size_t			 batch, nbatch;	/* calls of the upstream request in flight */
	unsigned		 steps;
	bool			 upstream;	/* an upstream request is in flight */
	bool			 waiting;	/* parked on an AddStream */
	bool			 add_start;
	struct streamtab_wait	 wait;
	krpc_buf_t		 response;
};

static struct client	*router_holder;		/* the client holding the tick */
static double		 router_hold_since;

static void	router_run(struct rreq *);

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

/* Encodes a Response holding a request-level error. */
void
router_error_response(krpc_buf_t *b, const char *service, const char *name,
    const char *description)
{
	krpc_buf_t e = KRPC_BUF_INIT;

	wire_error(&e, service, name, description);
	xbuf_check(&e);
	wire_response_error(b, e.data, e.len);
	krpc_buf_free(&e);
}

/* Fails the whole request with a request-level error. */
static void
router_fail(struct rreq *r, const char *description)
{
	krpc_buf_reset(&r->response);
	router_error_response(&r->response, NULL, NULL, description);
	xbuf_check(&r->response);
	r->state = RREQ_DONE;
}

/* Fails the request because the upstream is not connected. */
static void
router_fail_down(struct rreq *r)
{
	char desc[512];

	snprintf(desc, sizeof desc, "krpcmuxd: the game's kRPC server is not connected (%s)",
	    upstream_why_down());
	router_fail(r, desc);
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

/* Serialises a parsed call. */
static void
router_pack_call(const Krpc__Schema__ProcedureCall *pc, krpc_buf_t *b)
{
	size_t len = krpc__schema__procedure_call__get_packed_size(pc);

	if (!krpc_buf_reserve(b, b->len + len))
		log_fatal("out of memory packing a call");
	b->len += krpc__schema__procedure_call__pack(pc, b->data + b->len);
}

/* The argument at a position (the last one wins), or NULL. */
static const Krpc__Schema__Argument *
router_arg(const Krpc__Schema__ProcedureCall *pc, uint32_t position)
{
	const Krpc__Schema__Argument *a = NULL;
	size_t i;

	for (i = 0; i < pc->n_arguments; i++) {
		if (pc->arguments[i]->position == position)
			a = pc->arguments[i];
	}
	return a;
}

/* Reads a UINT64 or BOOL argument. */
static bool
router_arg_varint(const Krpc__Schema__Argument *a, uint64_t *v)
{
	return a != NULL && !a->is_null && krpc_varint_get(a->value.data, a->value.len, v) > 0;
}

/* Reads a FLOAT argument. */
static bool
router_arg_float(const Krpc__Schema__Argument *a, float *v)
{
	uint32_t bits;

	if (a == NULL || a->is_null || a->value.len != 4)
		return false;
	bits = krpc_get_le32(a->value.data);
	memcpy(v, &bits, sizeof *v);
	return true;
}

/* Classifies a call by the procedure it names. */
static enum call_kind
router_classify(const Krpc__Schema__ProcedureCall *pc, const struct schema_proc **procp)
{
	const struct schema_proc *sp = schema_lookup(pc);

	*procp = sp;
	if (sp == NULL)
		return CALL_FORWARD;	/* unknown: the server words the error */
	switch (sp->kind) {
	case SCHEMA_PLAIN:
		return sp->slow ? CALL_SLOW : CALL_FORWARD;
	case SCHEMA_OWNED:
		return CALL_OWNED;
	case SCHEMA_ADD_STREAM:
		return CALL_ADD_STREAM;
	default:
		return CALL_LOCAL;
	}
}

/* Sends ReleaseTick upstream for the holder (it left, or went to a slow lane). */
static void
router_release_tick(void)
{
	krpc_buf_t call = KRPC_BUF_INIT;

	router_holder = NULL;
	wire_call(&call, "KRPC", "ReleaseTick", NULL, 0);
	xbuf_check(&call);
	upstream_call1(UPSTREAM_PRIMARY, call.data, call.len, NULL, NULL);
	krpc_buf_free(&call);
}

/* The lane a forwarded call travels on. */
static enum upstream_lane
router_lane(const struct rcall *rc)
{
	return rc->kind == CALL_SLOW && rc->fwd.len == 0 ? UPSTREAM_SLOW : UPSTREAM_PRIMARY;
}

/* True for calls sent upstream as they are. */
static bool
router_forwardable(const struct rreq *r, const struct rcall *rc)
{
	if (rc->fwd.len != 0)
		return false;
	if (rc->kind == CALL_OWNED)
		return r->client != NULL && r->client->stream != NULL;
	return rc->kind == CALL_FORWARD || rc->kind == CALL_SLOW;
}

/* Maps the stream or event id in an OWNED call's result to a new client id. */
static void
router_owned_result(struct rreq *r, struct rcall *rc, const uint8_t *p, size_t len)
{
	struct wire_slice value;
	krpc_buf_t v = KRPC_BUF_INIT;
	struct entry *e;
	struct sub *s;
	uint64_t upid;
	bool is_error, event = rc->proc->returns_event, ok;
	char label[256];

	ok = wire_result_parse(p, len, &is_error, &value) && !is_error && value.data != NULL &&
	    (event ? wire_event_id(value.data, value.len, &upid) :
	    wire_stream_id(value.data, value.len, &upid));
	if (!ok) {
		krpc_buf_append(&rc->result, p, len);	/* an error: pass it on */
		return;
	}
	if (r->client == NULL) {
		/* Nobody will ever start or remove it. */
		krpc_buf_t call = KRPC_BUF_INIT;
		uint8_t idv[KRPC_VARINT64_MAX];
		krpc_msg_arg_t a = { 0, idv, krpc_varint_put(idv, upid), false };

		wire_call(&call, "KRPC", "RemoveStream", &a, 1);
		upstream_call1(UPSTREAM_PRIMARY, call.data, call.len, NULL, NULL);
		krpc_buf_free(&call);
		return;
	}
	e = streamtab_by_upid(upid);
	if (e != NULL && e->kind == ENTRY_OWNED && e->owner == r->client && e->nsubs > 0)
		s = TAILQ_FIRST(&e->subs);
	else {
		snprintf(label, sizeof label, "%s.%s", rc->proc->service, rc->proc->name);
		s = streamtab_subscribe(r->client, streamtab_owned(r->client, upid, label));
	}
	if (event)
		wire_event(&v, s->id);
	else
		wire_stream(&v, s->id);
	xbuf_check(&v);
	wire_result_value(&rc->result, v.data, v.len);
	krpc_buf_free(&v);
}

/*
 * The server's answer about the probe id, as it would have answered about
 * the client's id: texts that quote the id (.NET's KeyNotFoundException)
 * get the client's id back.
 */
static void
router_probe_result(struct rcall *rc, const uint8_t *p, size_t len)
{
	Krpc__Schema__ProcedureResult *pr = krpc__schema__procedure_result__unpack(NULL, len, p);
	krpc_buf_t desc = KRPC_BUF_INIT;
	char id[32], *at, *text, *old;

	if (pr == NULL || pr->error == NULL ||
	    strstr(pr->error->description, ROUTER_PROBE_TEXT) == NULL) {
		krpc_buf_append(&rc->result, p, len);
		if (pr != NULL)
			krpc__schema__procedure_result__free_unpacked(pr, NULL);
		return;
	}
	snprintf(id, sizeof id, "%llu", (unsigned long long)rc->probe_id);
	for (text = pr->error->description; (at = strstr(text, ROUTER_PROBE_TEXT)) != NULL;
	    text = at + strlen(ROUTER_PROBE_TEXT)) {
		krpc_buf_append(&desc, text, (size_t)(at - text));
		krpc_buf_append(&desc, id, strlen(id));
	}
	krpc_buf_append(&desc, text, strlen(text) + 1);
	xbuf_check(&desc);
	old = pr->error->description;
	pr->error->description = (char *)desc.data;
	if (!krpc_buf_reserve(&rc->result, krpc__schema__procedure_result__get_packed_size(pr)))
		log_fatal("out of memory");
	rc->result.len = krpc__schema__procedure_result__pack(pr, rc->result.data);
	pr->error->description = old;
	krpc__schema__procedure_result__free_unpacked(pr, NULL);
	krpc_buf_free(&desc);
}

/* Stores one upstream result of a batch. */
static void
router_batch_result(struct rreq *r, struct rcall *rc, const struct wire_slice *res)
{
	struct wire_slice value;
	bool is_error = true;

	krpc_buf_reset(&rc->result);
	if (rc->kind == CALL_OWNED && rc->fwd.len == 0) {
		router_owned_result(r, rc, res->data, res->len);
		return;
	}
	if (rc->probe) {
		router_probe_result(rc, res->data, res->len);
		return;
	}
	krpc_buf_append(&rc->result, res->data, res->len);
	if (rc->proc != NULL && rc->proc->kind == SCHEMA_HOLD_TICK &&
	    wire_result_parse(res->data, res->len, &is_error, &value) && !is_error) {
		if (r->client == NULL)
			router_release_tick();	/* nobody is left to release it */
		else {
			router_holder = r->client;
			router_hold_since = util_now();
		}
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
		router_fail(r, failure);
	else if (err.data != NULL) {
		krpc_buf_reset(&r->response);
		wire_response_error(&r->response, err.data, err.len);
		xbuf_check(&r->response);
		r->state = RREQ_DONE;
	} else {
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
	enum upstream_lane lane = router_lane(first);
	size_t end = r->next + 1, i;

	if (router_forwardable(r, first)) {
		while (end < r->ncalls && router_forwardable(r, &r->calls[end]) &&
		    router_lane(&r->calls[end]) == lane)
			end++;
	}
	for (i = r->next; i < end; i++) {
		krpc_buf_reset(&call);
		if (r->calls[i].fwd.len > 0)
			krpc_buf_append(&call, r->calls[i].fwd.data, r->calls[i].fwd.len);
		else
			router_pack_call(r->calls[i].pc, &call);
		xbuf_check(&call);
		krpc_msg_request_add(&req, call.data, call.len);
	}
	xbuf_check(&req);
	if (lane == UPSTREAM_SLOW && router_holder == r->client)
		router_release_tick();
	r->batch = r->next;
	r->nbatch = end - r->next;
	r->steps++;
	if (upstream_call(lane, req.data, req.len, router_batch_cb, r) == NULL)
		router_fail_down(r);
	else
		r->upstream = true;
	krpc_buf_free(&req);
	krpc_buf_free(&call);
}

/* Rewrites a stream call for upstream: KRPC.<proc>(id[, rate]). */
static void
router_rewrite(struct rcall *rc, uint64_t upid, const Krpc__Schema__Argument *rate)
{
	uint8_t idv[KRPC_VARINT64_MAX];
	krpc_msg_arg_t a[2] = { { 0, idv, krpc_varint_put(idv, upid), false } };

	if (rate != NULL) {
		a[1].position = 1;
		a[1].value = rate->value.data;
		a[1].len = rate->value.len;
		a[1].is_null = rate->is_null;
	}
	krpc_buf_reset(&rc->fwd);
	wire_call(&rc->fwd, "KRPC", rc->proc->name, a, rate != NULL ? 2 : 1);
	xbuf_check(&rc->fwd);
}

/* Sends the call as the client wrote it, so the server words the error. */
static enum step
router_forward_original(struct rcall *rc)
{
	krpc_buf_reset(&rc->fwd);
	router_pack_call(rc->pc, &rc->fwd);
	xbuf_check(&rc->fwd);
	return STEP_FORWARD;
}

/* StartStream, SetStreamRate, RemoveStream. */
static enum step
router_stream_op(struct rreq *r, struct rcall *rc)
{
	struct client *c = r->client;
	const Krpc__Schema__Argument *rate = NULL;
	enum schema_kind kind = rc->proc->kind;
	struct sub *s;
	uint64_t id;
	float hz = 0;

	if (c->stream == NULL) {
		wire_result_error(&rc->result, "KRPC", "InvalidOperationException", router_no_stream);
		return STEP_DONE;
	}
	if (kind == SCHEMA_SET_RATE && !router_arg_float(rate = router_arg(rc->pc, 1), &hz))
		return router_forward_original(rc);
	if (!router_arg_varint(router_arg(rc->pc, 0), &id))
		return router_forward_original(rc);
	s = streamtab_find(c, id);
	if (s != NULL && s->entry->state == ENTRY_FAILED && kind != SCHEMA_REMOVE_STREAM &&
	    (s->started || kind == SCHEMA_SET_RATE))
		s = NULL;	/* the server removed it after its error */
	if (s == NULL) {
		if (kind == SCHEMA_REMOVE_STREAM)
			return STEP_DONE;	/* unknown id: silent success */
		/* An id the server never issued gets its exact "unknown" answer. */
		router_rewrite(rc, ROUTER_PROBE_ID, rate);
		rc->probe = true;
		rc->probe_id = id;
		return STEP_FORWARD;
	}
	if (s->entry->kind == ENTRY_OWNED) {
		router_rewrite(rc, s->entry->upid, rate);
		if (kind == SCHEMA_REMOVE_STREAM) {
			streamtab_forget_upstream(s->entry);
			streamtab_unsubscribe(s);
		}
		return STEP_FORWARD;
	}
	if (kind == SCHEMA_START_STREAM)
		streamtab_start(s);
	else if (kind == SCHEMA_SET_RATE)
		streamtab_set_rate(s, hz);
	else
		streamtab_unsubscribe(s);
	return STEP_DONE;
}

/* HoldTick and ReleaseTick (PROTOCOL.md 12, item 17). */
static enum step
router_tick(struct rreq *r, struct rcall *rc)
{
	if (rc->proc->kind == SCHEMA_RELEASE_TICK) {
		if (router_holder != r->client)
			return STEP_DONE;	/* a non-holder's release does nothing */
		router_holder = NULL;
		return router_forward_original(rc);
	}
	if (router_holder != NULL && router_holder != r->client &&
	    util_now() - router_hold_since < ROUTER_TICK_TIMEOUT) {
		wire_result_error(&rc->result, "KRPC", "InvalidOperationException",
		    "Another client is holding the tick");
		return STEP_DONE;
	}
	return router_forward_original(rc);
}

/* A call the proxy answers or rewrites. */
static enum step
router_local(struct rreq *r, struct rcall *rc)
{
	switch (rc->proc->kind) {
	case SCHEMA_CLIENT_ID:
	case SCHEMA_CLIENT_NAME:
	case SCHEMA_CLIENTS:
		streamtab_local_value(r->client, rc->proc->kind, &rc->result);
		xbuf_check(&rc->result);
		return STEP_DONE;
	case SCHEMA_START_STREAM:
	case SCHEMA_SET_RATE:
	case SCHEMA_REMOVE_STREAM:
		return router_stream_op(r, rc);
	case SCHEMA_HOLD_TICK:
	case SCHEMA_RELEASE_TICK:
		return router_tick(r, rc);
	case SCHEMA_OWNED:
		/* Events need the caller's stream connection, not just the proxy's. */
		wire_result_error(&rc->result, "KRPC", "InvalidOperationException", router_no_stream);
		return STEP_DONE;
	default:
		return router_forward_original(rc);
	}
}

/* Gives the client its subscription to a live entry, starting it if asked. */
static void
router_add_finish(struct rreq *r, struct rcall *rc, struct entry *e, bool start)
{
	krpc_buf_t v = KRPC_BUF_INIT;
	struct sub *s = streamtab_client_sub(r->client, e);

	if (s == NULL) {
		s = streamtab_subscribe(r->client, e);
		if (e->nsubs > 1)
			stats_inc(streams_shared);
	}
	if (start)
		streamtab_start(s);
	wire_stream(&v, s->id);
	xbuf_check(&v);
	krpc_buf_reset(&rc->result);
	wire_result_value(&rc->result, v.data, v.len);
	xbuf_check(&rc->result);
	krpc_buf_free(&v);
}

/* An AddStream this request waited for completed. */
static void
router_add_cb(void *arg, const struct streamtab_result *res)
{
	struct rreq *r = arg;
	struct client *c = r->client;
	struct rcall *rc = &r->calls[r->next];

	r->waiting = false;
	if (res->entry != NULL)
		router_add_finish(r, rc, res->entry, r->add_start);
	else if (res->call_error != NULL)
		krpc_buf_append(&rc->result, res->call_error, res->call_error_len);
	else if (res->req_error != NULL) {
		krpc_buf_reset(&r->response);
		wire_response_error(&r->response, res->req_error, res->req_error_len);
		xbuf_check(&r->response);
		r->state = RREQ_DONE;
	} else
		router_fail(r, res->failure);
	if (r->state != RREQ_DONE) {
		r->next++;
		router_run(r);
	}
	router_pump(c);
}

/* A stream of GetClientID, GetClientName or get_Clients: served per client. */
static void
router_add_local(struct rreq *r, struct rcall *rc, const struct schema_proc *sp, bool start)
{
	struct sub *s;
	char label[256];

	TAILQ_FOREACH(s, &r->client->subs, client_link) {
		if (s->entry->kind == ENTRY_LOCAL && s->entry->local == sp->kind)
			break;
	}
	if (s == NULL) {
		snprintf(label, sizeof label, "%s.%s", sp->service, sp->name);
		streamtab_subscribe(r->client, streamtab_local(r->client, sp->kind, label));
	}
	TAILQ_FOREACH(s, &r->client->subs, client_link) {
		if (s->entry->kind == ENTRY_LOCAL && s->entry->local == sp->kind)
			break;
	}
	router_add_finish(r, rc, s->entry, start);
}

/* AddStream: share an upstream stream, or create it. */
static enum step
router_add_stream(struct rreq *r, struct rcall *rc)
{
	const Krpc__Schema__Argument *call = router_arg(rc->pc, 0), *start = router_arg(rc->pc, 1);
	Krpc__Schema__ProcedureCall *nested;
	const struct schema_proc *sp = NULL;
	krpc_buf_t key = KRPC_BUF_INIT;
	struct entry *e;
	uint64_t v = 1;
	char label[256] = "(undecodable call)";

	if (r->client->stream == NULL) {
		wire_result_error(&rc->result, "KRPC", "InvalidOperationException", router_no_stream);
		return STEP_DONE;
	}
	if (call == NULL || call->is_null || (start != NULL && !router_arg_varint(start, &v)))
		return router_forward_original(rc);
	stats_inc(streams_added);
	nested = krpc_msg_call_read(call->value.data, call->value.len, NULL, 0);
	if (nested != NULL && (sp = schema_lookup(nested)) != NULL &&
	    (sp->kind == SCHEMA_CLIENT_ID || sp->kind == SCHEMA_CLIENT_NAME ||
	    sp->kind == SCHEMA_CLIENTS)) {
		krpc__schema__procedure_call__free_unpacked(nested, NULL);
		router_add_local(r, rc, sp, v != 0);
		return STEP_DONE;
	}
	if (nested != NULL) {
		schema_call_key(&key, nested);
		snprintf(label, sizeof label, "%s.%s", sp ? sp->service : nested->service,
		    sp ? sp->name : nested->procedure);
		krpc__schema__procedure_call__free_unpacked(nested, NULL);
	} else {
		krpc_buf_byte(&key, 0xff);	/* never equal to a parsed call's key */
		krpc_buf_append(&key, call->value.data, call->value.len);
	}
	xbuf_check(&key);
	e = streamtab_lookup(key.data, key.len);
	if (e != NULL && e->state == ENTRY_LIVE) {
		krpc_buf_free(&key);
		router_add_finish(r, rc, e, v != 0);
		return STEP_DONE;
	}
	if (e == NULL && (!upstream_ready() || (e = streamtab_add(key.data, key.len, label,
	    call->value.data, call->value.len)) == NULL)) {
		krpc_buf_free(&key);
		router_fail_down(r);
		return STEP_FAILED;
	}
	krpc_buf_free(&key);
	r->add_start = v != 0;
	r->waiting = true;
	r->wait.fn = router_add_cb;
	r->wait.arg = r;
	r->steps++;
	streamtab_wait(e, &r->wait);
	return STEP_WAIT;
}

/* Runs calls until one needs the upstream, or all have results. */
static void
router_run(struct rreq *r)
{
	struct rcall *rc;
	enum step st;

	while (r->state != RREQ_DONE && r->next < r->ncalls) {
		rc = &r->calls[r->next];
		if (router_forwardable(r, rc)) {
			router_send_batch(r);
			return;
		}
		if (rc->kind == CALL_ADD_STREAM)
			st = router_add_stream(r, rc);
		else {
			stats_inc(calls_local);
			st = router_local(r, rc);
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
		router_fail(r, failure);
	else if (TAILQ_FIRST(&c->requests) == r) {
		/* The usual case: nothing earlier is pending, so no copy. */
		TAILQ_REMOVE(&c->requests, r, link);
		c->nrequests--;
		client_send_response(c, resp, len);
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
	if (r->lane == UPSTREAM_SLOW && router_holder == r->client)
		router_release_tick();
	if (upstream_call(r->lane, r->raw, r->rawlen, router_simple_cb, r) == NULL)
		router_fail_down(r);
	else
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
		TAILQ_REMOVE(&c->requests, r, link);
		c->nrequests--;
		client_send_response(c, r->response.data, r->response.len);
		router_free(r);
	}
	client_check_output(c);
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
	bool busy = false;

	if (c == NULL || c->dead)
		return;
	TAILQ_FOREACH(r, &c->requests, link) {
		if (r->state == RREQ_DONE)
			continue;
		if (r->state == RREQ_QUEUED) {
			if (r->barrier && busy)
				break;
			router_start(r);
			if (r->state == RREQ_DONE)
				continue;
		}
		if (r->barrier)
			break;
		busy = true;
	}
	router_flush(c);
}

/* A Request from a ready client. */
void
router_request(struct client *c, const uint8_t *msg, size_t len)
{
	Krpc__Schema__Request *req = krpc__schema__request__unpack(NULL, len, msg);
	struct rreq *r;
	bool simple, slow = false;
	size_t i;

	if (req == NULL) {
		stats_inc(clients_dropped);
		client_lost(c, "malformed request (not a valid Request message); dropping the client");
		return;
	}
	stats_inc(requests);
	stats_add(calls, req->n_calls);
	r = xcalloc(1, sizeof *r);
	r->client = c;
	r->ncalls = req->n_calls;
	r->calls = xcalloc(r->ncalls, sizeof *r->calls);
	simple = r->ncalls > 0;
	for (i = 0; i < r->ncalls; i++) {
		r->calls[i].pc = req->calls[i];
		r->calls[i].kind = router_classify(req->calls[i], &r->calls[i].proc);
		if (r->calls[i].kind == CALL_SLOW)
			slow = true;
		else if (r->calls[i].kind != CALL_FORWARD)
			simple = false;
	}
	if (simple) {
		r->simple = true;
		r->raw = xmemdup(msg, len);
		r->rawlen = len;
		r->lane = slow ? UPSTREAM_SLOW : UPSTREAM_PRIMARY;
		r->barrier = slow;
		free(r->calls);
		r->calls = NULL;
		r->ncalls = 0;
		krpc__schema__request__free_unpacked(req, NULL);
	} else {
		r->req = req;
		r->barrier = true;
	}
	TAILQ_INSERT_TAIL(&c->requests, r, link);
	c->nrequests++;
	router_pump(c);
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
	router_tick_client_gone(c);
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
		router_fail(r, description);
	}
	router_flush(c);
}

/* The tick holder left: release the tick upstream. */
void
router_tick_client_gone(struct client *c)
{
	if (router_holder == c)
		router_release_tick();
}
