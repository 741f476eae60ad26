/*
 * The calls the proxy answers or rewrites instead of forwarding them as they
 * are: the client's identity, the stream procedures (shared through the
 * stream table, or mapped for events), and tick holding (PROTOCOL.md 12).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* The server's tick hold timeout (kRPC PR #1070): a hold older than this has lapsed. */
#define INTERCEPT_TICK_TIMEOUT	1.0
/* An id the server never issues: asking about it gets the server's "unknown id" answer. */
#define INTERCEPT_PROBE_ID	UINT64_MAX

static const char intercept_no_stream[] = "No stream client is connected for this RPC client";

static const struct intercept_events *intercept_events;	/* the router, above */
static struct client	*intercept_holder;	/* the client holding the tick */
static double		 intercept_hold_since;

/* Reads a FLOAT argument. */
static bool
intercept_arg_float(const Krpc__Schema__Argument *a, float *v)
{
	uint32_t bits;

	if (a == NULL || a->is_null || a->value.len != 4)
		return false;
	bits = krpc_get_le32(a->value.data);
	memcpy(v, &bits, sizeof *v);
	return true;
}

/* Sends ReleaseTick upstream for the holder (it left, or went to a slow lane). */
void
intercept_release_tick(void)
{
	krpc_buf_t call = KRPC_BUF_INIT;

	intercept_holder = NULL;
	wire_call(&call, "KRPC", "ReleaseTick", NULL, 0);
	xbuf_check(&call);
	upstream_call1(UPSTREAM_PRIMARY, call.data, call.len, NULL, NULL);
	krpc_buf_free(&call);
}

/* Maps the stream or event id in an OWNED call's result to a new client id. */
void
intercept_owned_result(struct rreq *r, struct rcall *rc, const uint8_t *p, size_t len)
{
	struct wire_slice value;
	krpc_buf_t v = KRPC_BUF_INIT;
	struct entry *e;
	struct sub *s;
	uint64_t upid;
	bool is_error, event = rc->proc->returns_event, ok;
	char label[256];

	/* A Stream of id 0 is empty bytes, so an absent value is id 0 (PROTOCOL.md 5). */
	ok = wire_result_parse(p, len, &is_error, &value) && !is_error &&
	    (event ? wire_event_id(value.data, value.len, &upid) :
	    wire_stream_id(value.data, value.len, &upid));
	if (!ok) {
		krpc_buf_append(&rc->result, p, len);	/* an error: pass it on */
		return;
	}
	if (r->client == NULL && rc->own)
		return;		/* its session closed with the client: the game removed it */
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
		e = streamtab_owned(r->client, upid, label);
		e->isolated = rc->own;
		s = streamtab_subscribe(r->client, e);
		rc->created = true;
		rc->created_id = s->id;
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
 * The server's answer to a call sent with another id than the client's (an
 * id it never issued, or an event's upstream id), as it would have answered
 * about the client's id: texts that quote the id (.NET's
 * KeyNotFoundException) get the client's id back.
 */
void
intercept_probe_result(struct rcall *rc, const uint8_t *p, size_t len)
{
	Krpc__Schema__ProcedureResult *pr = krpc__schema__procedure_result__unpack(NULL, len, p);
	krpc_buf_t desc = KRPC_BUF_INIT;
	char id[40], *at, *text, *old;
	bool quoted = rc->probe_text[0] == '\'';

	if (pr == NULL || pr->error == NULL || strstr(pr->error->description, rc->probe_text) == NULL) {
		krpc_buf_append(&rc->result, p, len);
		if (pr != NULL)
			krpc__schema__procedure_result__free_unpacked(pr, NULL);
		return;
	}
	snprintf(id, sizeof id, quoted ? "'%llu'" : "%llu", (unsigned long long)rc->probe_id);
	for (text = pr->error->description; (at = strstr(text, rc->probe_text)) != NULL;
	    text = at + strlen(rc->probe_text)) {
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

/* Rewrites a stream call for upstream: KRPC.<proc>(id[, rate]). */
static void
intercept_rewrite(struct rcall *rc, uint64_t upid, const Krpc__Schema__Argument *rate)
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
intercept_forward_original(struct rcall *rc)
{
	krpc_buf_reset(&rc->fwd);
	rreq_pack_call(rc->pc, &rc->fwd);
	xbuf_check(&rc->fwd);
	return STEP_FORWARD;
}

/* Sends the call with upid instead of the client's id; answers quoting upid get the client's. */
static enum step
intercept_forward_as(struct rcall *rc, uint64_t client_id, uint64_t upid,
    const Krpc__Schema__Argument *rate)
{
	intercept_rewrite(rc, upid, rate);
	rc->probe = true;
	rc->probe_id = client_id;
	/* the never-issued id is unique as it is; a small one only in quotes */
	snprintf(rc->probe_text, sizeof rc->probe_text, upid == INTERCEPT_PROBE_ID ? "%llu" : "'%llu'",
	    (unsigned long long)upid);
	return STEP_FORWARD;
}

/* StartStream, SetStreamRate, RemoveStream. */
static enum step
intercept_stream_op(struct rreq *r, struct rcall *rc)
{
	struct client *c = r->client;
	const Krpc__Schema__Argument *rate = NULL;
	enum schema_kind kind = rc->proc->kind;
	struct sub *s;
	uint64_t id, upid;
	float hz = 0;

	if (c->stream == NULL) {
		wire_result_error(&rc->result, "KRPC", "InvalidOperationException", intercept_no_stream);
		return STEP_DONE;
	}
	if (kind == SCHEMA_SET_RATE && !intercept_arg_float(rate = schema_arg(rc->pc, 1), &hz))
		return intercept_forward_original(rc);
	if (!schema_arg_varint(schema_arg(rc->pc, 0), &id))
		return intercept_forward_original(rc);
	s = streamtab_find(c, id);
	if (s != NULL && s->entry->state == ENTRY_FAILED && kind != SCHEMA_REMOVE_STREAM &&
	    (s->started || kind == SCHEMA_SET_RATE))
		s = NULL;	/* the server removed it after its error */
	if (s == NULL) {
		if (kind == SCHEMA_REMOVE_STREAM)
			return STEP_DONE;	/* unknown id: silent success */
		/* An id the server never issued gets its exact "unknown" answer. */
		return intercept_forward_as(rc, id, INTERCEPT_PROBE_ID, rate);
	}
	if (s->entry->kind == ENTRY_OWNED) {
		upid = s->entry->upid;
		rc->own = s->entry->isolated;	/* managed where it lives */
		if (kind == SCHEMA_REMOVE_STREAM) {
			streamtab_forget_upstream(s->entry);
			streamtab_unsubscribe(s);
		}
		return intercept_forward_as(rc, id, upid, rate);
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
intercept_tick(struct rreq *r, struct rcall *rc)
{
	if (rc->proc->kind == SCHEMA_RELEASE_TICK) {
		if (intercept_holder != r->client)
			return STEP_DONE;	/* a non-holder's release does nothing */
		intercept_holder = NULL;
		return intercept_forward_original(rc);
	}
	if (intercept_holder != NULL && intercept_holder != r->client &&
	    krpc_time_now() - intercept_hold_since < INTERCEPT_TICK_TIMEOUT) {
		wire_result_error(&rc->result, "KRPC", "InvalidOperationException",
		    "Another client is holding the tick");
		return STEP_DONE;
	}
	return intercept_forward_original(rc);
}

/* The client's objects are gone upstream (or that failed): its Clear(clientOnly) is answered. */
static void
intercept_clear_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	struct rreq *r = arg;

	r->upstream = false;
	if (r->client != NULL) {
		if (failure != NULL)
			rreq_fail(r, failure);
		/* else: a void result, as the game's Clear gives, whatever was gone already */
	}
	intercept_events->resume(r);
}

/*
 * A call with a ledger rule the proxy decides first: Clear(clientOnly =
 * true) removes the caller's objects only (through the shared connection,
 * the game would remove every client's), and a Remove of another client's
 * object is refused as the game refuses it.
 */
static enum step
intercept_ledger_call(struct rreq *r, struct rcall *rc)
{
	const struct rule *rule = rc->proc->rule;
	const char *refusal;

	if (rule->kind == RULE_CLEAR && ledger_client_only(rc->pc)) {
		switch (ledger_clear(r->client, rule, intercept_clear_cb, r)) {
		case LEDGER_NONE:
			return STEP_DONE;	/* nothing of its own: a void result */
		case LEDGER_DOWN:
			rreq_fail_down(r);
			return STEP_FAILED;
		case LEDGER_SENT:
			r->upstream = true;
			r->steps++;
			return STEP_WAIT;
		}
	}
	if ((refusal = ledger_refusal(r->client, rule, rc->pc)) != NULL) {
		stats_inc(ledger_refused);
		wire_result_error(&rc->result, "KRPC", "ArgumentException", refusal);
		xbuf_check(&rc->result);
		return STEP_DONE;
	}
	return intercept_forward_original(rc);
}

/* A call the proxy answers or rewrites. */
enum step
intercept_local(struct rreq *r, struct rcall *rc)
{
	if (rc->proc->rule != NULL)
		return intercept_ledger_call(r, rc);
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
		return intercept_stream_op(r, rc);
	case SCHEMA_HOLD_TICK:
	case SCHEMA_RELEASE_TICK:
		return intercept_tick(r, rc);
	case SCHEMA_OWNED:
		/* Events need the caller's stream connection, not just the proxy's. */
		wire_result_error(&rc->result, "KRPC", "InvalidOperationException", intercept_no_stream);
		return STEP_DONE;
	default:
		return intercept_forward_original(rc);
	}
}

/* Gives the client its subscription to a live entry, starting it if asked. */
static void
intercept_add_finish(struct rreq *r, struct rcall *rc, struct entry *e, bool start)
{
	krpc_buf_t v = KRPC_BUF_INIT;
	struct sub *s = streamtab_client_sub(r->client, e);

	if (s == NULL) {
		s = streamtab_subscribe(r->client, e);
		rc->created = true;
		rc->created_id = s->id;
		if (e->nsubs > 1)
			stats_inc(add_stream_shared);
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
intercept_add_cb(void *arg, const struct streamtab_result *res)
{
	struct rreq *r = arg;
	struct rcall *rc = &r->calls[r->next];

	r->waiting = false;
	if (res->entry != NULL)
		intercept_add_finish(r, rc, res->entry, r->add_start);
	else if (res->call_error != NULL)
		krpc_buf_append(&rc->result, res->call_error, res->call_error_len);
	else if (res->req_error != NULL)
		rreq_fail_error(r, res->req_error, res->req_error_len);
	else
		rreq_fail(r, res->failure);
	intercept_events->resume(r);
}

/* A stream of GetClientID, GetClientName or get_Clients: served per client. */
static void
intercept_add_local(struct rreq *r, struct rcall *rc, const struct schema_proc *sp, bool start)
{
	struct entry *e = NULL;
	struct sub *s;
	char label[256];

	TAILQ_FOREACH(s, &r->client->subs, client_link) {
		if (s->entry->kind == ENTRY_LOCAL && s->entry->local == sp->kind) {
			e = s->entry;
			break;
		}
	}
	if (e == NULL) {
		if (!limits_streams_ok(r->client, 1, &rc->result))
			return;
		snprintf(label, sizeof label, "%s.%s", sp->service, sp->name);
		e = streamtab_local(r->client, sp->kind, label);
	}
	intercept_add_finish(r, rc, e, start);
}

/*
 * The dedup key and log label of the call given to AddStream; the procedure
 * it names if the proxy answers it itself (GetClientID...), else NULL.
 * *isolated: the call (or a call nested in it) is tied to its caller.
 */
static const struct schema_proc *
intercept_stream_key(const Krpc__Schema__Argument *call, krpc_buf_t *key, char *label,
    size_t labellen, bool *isolated)
{
	Krpc__Schema__ProcedureCall *nested = (Krpc__Schema__ProcedureCall *)krpc_lenient_read(
	    KRPC_LENIENT_CALL, call->value.data, call->value.len, NULL);
	const struct schema_proc *sp = nested != NULL ? schema_lookup(nested) : NULL;
	char why[8];

	*isolated = false;
	if (sp != NULL && sp->takes_call)
		(void)schema_nested_ok(nested, why, sizeof why, isolated);
	*isolated = *isolated || (sp != NULL && sp->isolated);

	if (sp != NULL && (sp->kind == SCHEMA_CLIENT_ID || sp->kind == SCHEMA_CLIENT_NAME ||
	    sp->kind == SCHEMA_CLIENTS)) {
		krpc__schema__procedure_call__free_unpacked(nested, NULL);
		return sp;
	}
	if (nested != NULL) {
		schema_call_key(key, nested);
		snprintf(label, labellen, "%s.%s", sp ? sp->service : nested->service,
		    sp ? sp->name : nested->procedure);
		krpc__schema__procedure_call__free_unpacked(nested, NULL);
	} else {
		krpc_buf_byte(key, 0xff);	/* never equal to a parsed call's key */
		krpc_buf_append(key, call->value.data, call->value.len);
		snprintf(label, labellen, "(undecodable call)");
	}
	xbuf_check(key);
	return NULL;
}

/* Parks the request on an entry whose AddStream is in flight. */
static enum step
intercept_add_wait(struct rreq *r, struct entry *e, bool start)
{
	r->add_start = start;
	r->waiting = true;
	r->wait.fn = intercept_add_cb;
	r->wait.arg = r;
	r->steps++;
	streamtab_wait(e, &r->wait);
	return STEP_WAIT;
}

/* AddStream: share an upstream stream, or create it. */
enum step
intercept_add_stream(struct rreq *r, struct rcall *rc)
{
	const Krpc__Schema__Argument *call = schema_arg(rc->pc, 0), *start = schema_arg(rc->pc, 1);
	const struct schema_proc *local;
	krpc_buf_t key = KRPC_BUF_INIT;
	struct entry *e;
	uint64_t v = 1;
	char label[256];
	bool isolated;

	if (r->client->stream == NULL) {
		wire_result_error(&rc->result, "KRPC", "InvalidOperationException", intercept_no_stream);
		return STEP_DONE;
	}
	if (call == NULL || call->is_null || (start != NULL && !schema_arg_varint(start, &v)))
		return intercept_forward_original(rc);	/* the server words the error */
	stats_inc(add_stream_calls);
	if ((local = intercept_stream_key(call, &key, label, sizeof label, &isolated)) != NULL) {
		intercept_add_local(r, rc, local, v != 0);
		return STEP_DONE;
	}
	e = isolated ? NULL : streamtab_lookup(key.data, key.len);
	if ((e == NULL || streamtab_client_sub(r->client, e) == NULL) &&
	    !limits_streams_ok(r->client, 1, &rc->result)) {
		krpc_buf_free(&key);
		return STEP_DONE;
	}
	if (isolated) {
		/* Its value depends on the caller: the client's own stream, on its own session. */
		krpc_buf_free(&key);
		rc->own = rc->own_add = true;
		return intercept_forward_original(rc);
	}
	if (e == NULL && upstream_ready())
		e = streamtab_add(key.data, key.len, label, call->value.data, call->value.len);
	krpc_buf_free(&key);
	if (e == NULL) {
		rreq_fail_down(r);
		return STEP_FAILED;
	}
	if (e->state != ENTRY_LIVE)
		return intercept_add_wait(r, e, v != 0);
	intercept_add_finish(r, rc, e, v != 0);
	return STEP_DONE;
}

/* The tick holder left: release the tick upstream. */
void
intercept_tick_gone(struct client *c)
{
	if (intercept_holder == c)
		intercept_release_tick();
}

/* A HoldTick result: success makes the client the holder (or is undone if it left). */
void
intercept_hold_result(struct rreq *r, const uint8_t *p, size_t len)
{
	struct wire_slice value;
	bool is_error = true;

	if (!wire_result_parse(p, len, &is_error, &value) || is_error)
		return;
	if (r->client == NULL) {
		intercept_release_tick();	/* nobody is left to release it */
		return;
	}
	intercept_holder = r->client;
	intercept_hold_since = krpc_time_now();
}

/* True if the client holds the tick. */
bool
intercept_holds_tick(const struct client *c)
{
	return c != NULL && intercept_holder == c;
}

/* Registers the router's continuation for requests parked on an AddStream. */
void
intercept_init(const struct intercept_events *events)
{
	intercept_events = events;
}
