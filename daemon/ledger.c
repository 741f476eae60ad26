/*
 * The ownership ledger: what each client took through the shared upstream
 * connection that the game would give back when that client disconnects
 * (rules.c says which calls take what).  The game sees one caller, the
 * proxy, which never leaves; so the router and the intercepts report each
 * such call's result here, and when a client leaves the ledger sends the
 * releasing calls upstream in the game's order: auto-pilots disengaged,
 * overrides and highlights switched off, control inputs zeroed once no
 * input-setting client is left, objects removed newest first.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* One thing a client took. */
struct ledger_rec {
	TAILQ_ENTRY(ledger_rec)	 link;		/* its owner's, in the order taken */
	struct ledger		*owner;
	const struct rule	*rule;
	uint64_t		 object;
	bool			 indexed;	/* in ledger_index (one owner per object) */
};

struct ledger {
	TAILQ_HEAD(ledger_recs_head, ledger_rec) recs;
	size_t			 nrecs;
	bool			 inputs;	/* it set a control input */
	TAILQ_ENTRY(ledger)	 link;		/* every ledger */
};

/* A control input some client set: zeroed once no input-setting client is left. */
struct ledger_input {
	uint64_t		 control;
	const struct rule	*rule;
};

/* An auto-pilot and the surface frame its reset restores. */
struct ledger_frame {
	uint64_t		 autopilot;
	uint64_t		 frame;		/* 0 until the game answered */
};

/*
 * Releasing calls being built, each a Request of its own: an object may be
 * gone already (inside a removed canvas), and the server refuses a whole
 * Request naming a destroyed object, so none may hold up another.
 */
struct ledger_out {
	krpc_buf_t		*reqs;
	size_t			 n;
};

/* Releasing calls in flight: their answers are logged, cb runs after the last. */
struct ledger_batch {
	char			*who;
	size_t			 pending;
	char			*failure;	/* the first connection-level failure */
	upstream_cb		 cb;
	void			*arg;
};

#define LEDGER_KEY_MAX	256

static TAILQ_HEAD(, ledger)	 ledger_all = TAILQ_HEAD_INITIALIZER(ledger_all);
static struct htab		*ledger_index;	/* service, procedure, object → rec */
static struct ledger_input	*ledger_inputs;
static size_t			 ledger_ninputs;
static size_t			 ledger_setters;	/* clients here that set inputs */
static struct ledger_frame	*ledger_frames;
static size_t			 ledger_nframes;

/* ---- records ---------------------------------------------------------- */

/* The index key of an object under a service's procedure. */
static size_t
ledger_key(uint8_t *key, const char *service, const char *procedure, uint64_t object)
{
	int n = snprintf((char *)key, LEDGER_KEY_MAX - 8, "%s.%s", service, procedure);

	if (n < 0 || n > LEDGER_KEY_MAX - 9)
		n = LEDGER_KEY_MAX - 9;
	memcpy(key + n + 1, &object, sizeof object);
	return (size_t)n + 1 + sizeof object;
}

/* The record of an object under a service's procedure, or NULL. */
static struct ledger_rec *
ledger_find(const char *service, const char *procedure, uint64_t object)
{
	uint8_t key[LEDGER_KEY_MAX];

	if (ledger_index == NULL)
		return NULL;
	return htab_get(ledger_index, key, ledger_key(key, service, procedure, object));
}

/* A new empty ledger. */
static struct ledger *
ledger_new(void)
{
	struct ledger *l = xcalloc(1, sizeof *l);

	TAILQ_INIT(&l->recs);
	TAILQ_INSERT_TAIL(&ledger_all, l, link);
	return l;
}

/* The client's ledger, made on first use. */
static struct ledger *
ledger_of(struct client *c)
{
	if (c->ledger == NULL)
		c->ledger = ledger_new();
	return c->ledger;
}

/* Records that l took object under a rule; indexed under procedure (NULL: not). */
static void
ledger_add(struct ledger *l, const struct rule *rule, uint64_t object, const char *procedure)
{
	struct ledger_rec *rec = xcalloc(1, sizeof *rec);
	uint8_t key[LEDGER_KEY_MAX];

	rec->owner = l;
	rec->rule = rule;
	rec->object = object;
	TAILQ_INSERT_TAIL(&l->recs, rec, link);
	l->nrecs++;
	if (procedure != NULL) {
		if (ledger_index == NULL)
			ledger_index = htab_new();
		htab_put(ledger_index, key, ledger_key(key, rule->service, procedure, object), rec);
		rec->indexed = true;
	}
	stats_inc(ledger_taken);
}

/* Forgets a record. */
static void
ledger_drop(struct ledger_rec *rec)
{
	uint8_t key[LEDGER_KEY_MAX];
	const char *procedure = rec->rule->kind == RULE_OVERRIDE ? rec->rule->procedure :
	    rec->rule->release;

	if (rec->indexed)
		htab_del_value(ledger_index, key, ledger_key(key, rec->rule->service, procedure,
		    rec->object), rec);
	TAILQ_REMOVE(&rec->owner->recs, rec, link);
	rec->owner->nrecs--;
	free(rec);
}

/* Hands a record to another owner (the game re-tags it with the latest caller). */
static void
ledger_move(struct ledger_rec *rec, struct ledger *to)
{
	TAILQ_REMOVE(&rec->owner->recs, rec, link);
	rec->owner->nrecs--;
	rec->owner = to;
	TAILQ_INSERT_TAIL(&to->recs, rec, link);
	to->nrecs++;
}

/* Forgets a ledger and everything in it. */
static void
ledger_free(struct ledger *l)
{
	struct ledger_rec *rec;

	while ((rec = TAILQ_FIRST(&l->recs)) != NULL)
		ledger_drop(rec);
	TAILQ_REMOVE(&ledger_all, l, link);
	free(l);
}

/* ---- building releasing calls ----------------------------------------- */

/* Adds a call of service.procedure with args, as a Request of its own, if the server has it. */
static size_t
ledger_call(struct ledger_out *out, const char *service, const char *procedure,
    const krpc_msg_arg_t *a, size_t n)
{
	krpc_buf_t call = KRPC_BUF_INIT, empty = KRPC_BUF_INIT;

	if (schema_find(service, procedure) == NULL)
		return 0;
	wire_call(&call, service, procedure, a, n);
	xbuf_check(&call);
	out->reqs = xreallocarray(out->reqs, out->n + 1, sizeof *out->reqs);
	out->reqs[out->n] = empty;
	krpc_msg_request_add(&out->reqs[out->n], call.data, call.len);
	xbuf_check(&out->reqs[out->n]);
	out->n++;
	krpc_buf_free(&call);
	return 1;
}

/* Frees the calls built. */
static void
ledger_out_free(struct ledger_out *out)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		krpc_buf_free(&out->reqs[i]);
	free(out->reqs);
	out->reqs = NULL;
	out->n = 0;
}

/* An object argument at a position (buf holds its bytes). */
static krpc_msg_arg_t
ledger_arg_object(uint8_t buf[KRPC_VARINT64_MAX], uint32_t position, uint64_t id)
{
	krpc_msg_arg_t a = { position, buf, krpc_varint_put(buf, id), false };

	return a;
}

/* A FLOAT argument at position 1 (buf holds its bytes). */
static krpc_msg_arg_t
ledger_arg_float(uint8_t buf[4], float f)
{
	krpc_msg_arg_t a = { 1, buf, 4, false };
	uint32_t bits;

	memcpy(&bits, &f, sizeof bits);
	krpc_put_le32(buf, bits);
	return a;
}

/* Appends setter(object, value) for a FLOAT property. */
static size_t
ledger_set_float(struct ledger_out *out, const char *service, const char *setter, uint64_t object,
    float value)
{
	uint8_t ob[KRPC_VARINT64_MAX], fb[4];
	krpc_msg_arg_t a[2] = { ledger_arg_object(ob, 0, object), ledger_arg_float(fb, value) };

	return ledger_call(out, service, setter, a, 2);
}

/* Appends setter(object, false) (an override or a highlight switched off). */
static size_t
ledger_set_false(struct ledger_out *out, const char *service, const char *setter, uint64_t object)
{
	uint8_t ob[KRPC_VARINT64_MAX], no = 0;
	krpc_msg_arg_t a[2] = { ledger_arg_object(ob, 0, object), { 1, &no, 1, false } };

	return ledger_call(out, service, setter, a, 2);
}

/* Appends procedure(object). */
static size_t
ledger_call_on(struct ledger_out *out, const char *service, const char *procedure, uint64_t object)
{
	uint8_t ob[KRPC_VARINT64_MAX];
	krpc_msg_arg_t a = ledger_arg_object(ob, 0, object);

	return ledger_call(out, service, procedure, &a, 1);
}

/* The surface frame an auto-pilot's reset restores (0: not known). */
static uint64_t
ledger_frame_of(uint64_t autopilot)
{
	size_t i;

	for (i = 0; i < ledger_nframes; i++) {
		if (ledger_frames[i].autopilot == autopilot)
			return ledger_frames[i].frame;
	}
	return 0;
}

/*
 * An auto-pilot whose engager left, as the game resets it: the vessel's
 * surface frame, target pitch and heading 0, no target roll, disengaged.
 */
static size_t
ledger_release_autopilot(struct ledger_out *out, const struct ledger_rec *rec)
{
	const char *svc = rec->rule->service;
	uint64_t ap = rec->object, frame = ledger_frame_of(ap);
	uint8_t ob[KRPC_VARINT64_MAX], fb[KRPC_VARINT64_MAX];
	krpc_msg_arg_t a[2] = { ledger_arg_object(ob, 0, ap), ledger_arg_object(fb, 1, frame) };
	size_t n = 0;

	if (frame != 0)
		n += ledger_call(out, svc, "AutoPilot_set_ReferenceFrame", a, 2);
	n += ledger_set_float(out, svc, "AutoPilot_set_TargetPitch", ap, 0);
	n += ledger_set_float(out, svc, "AutoPilot_set_TargetHeading", ap, 0);
	n += ledger_set_float(out, svc, "AutoPilot_set_TargetRoll", ap, NAN);
	return n + ledger_call_on(out, svc, rec->rule->release, ap);
}

/* Appends the calls that give back one record. */
static size_t
ledger_release(struct ledger_out *out, const struct ledger_rec *rec)
{
	const struct rule *r = rec->rule;

	switch (r->kind) {
	case RULE_ENGAGE:
		return ledger_release_autopilot(out, rec);
	case RULE_OVERRIDE:
	case RULE_MARK:
		return ledger_set_false(out, r->service, r->procedure, rec->object);
	case RULE_CREATES:
		return ledger_call_on(out, r->service, r->release, rec->object);
	default:
		return 0;
	}
}

/* Appends the releases of l's records of a kind (and ext, if not its own kind), newest first. */
static size_t
ledger_release_kind(struct ledger_out *out, struct ledger *l, enum rule_kind kind, enum rule_kind ext)
{
	struct ledger_rec *rec;
	size_t n = 0;

	TAILQ_FOREACH_REVERSE(rec, &l->recs, ledger_recs_head, link) {
		if (rec->rule->kind == kind || rec->rule->kind == ext)
			n += ledger_release(out, rec);
	}
	return n;
}

/* An input setter left: once none is left, every input set is zeroed (not the throttle). */
static size_t
ledger_inputs_leave(struct ledger_out *out, struct ledger *l)
{
	size_t i, n = 0;

	if (!l->inputs)
		return 0;
	l->inputs = false;
	if (--ledger_setters > 0)
		return 0;
	for (i = 0; i < ledger_ninputs; i++)
		n += ledger_set_float(out, ledger_inputs[i].rule->service,
		    ledger_inputs[i].rule->procedure, ledger_inputs[i].control, 0);
	free(ledger_inputs);
	ledger_inputs = NULL;
	ledger_ninputs = 0;
	return n;
}

/* ---- sending ----------------------------------------------------------- */

/* One releasing call answered: a failure is logged (an object may be gone already). */
static void
ledger_sent_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	struct ledger_batch *b = arg;
	struct wire_slice err, res, value;
	bool is_error = false;
	size_t n = 0;

	if (failure != NULL && b->failure == NULL)
		b->failure = xstrdup(failure);
	else if (failure == NULL && (!wire_response_split(resp, len, &err, &res, 1, &n) ||
	    err.data != NULL || n != 1 || !wire_result_parse(res.data, res.len, &is_error, &value) ||
	    is_error))
		log_debug(b->who, "giving back: a call failed (what it names is gone already?)");
	if (--b->pending > 0)
		return;
	if (b->failure != NULL)
		log_warn(b->who, "giving back what it held failed: %s", b->failure);
	if (b->cb != NULL)
		b->cb(b->arg, (const uint8_t *)"", 0, b->failure);
	free(b->failure);
	free(b->who);
	free(b);
}

/* Sends the releasing calls upstream, each as its own Request; cb (may be NULL) runs after the last. */
static enum ledger_sent
ledger_send(const struct ledger_out *out, const char *who, upstream_cb cb, void *arg)
{
	struct ledger_batch *b;
	size_t i;

	if (out->n == 0)
		return LEDGER_NONE;
	if (!upstream_ready())
		return LEDGER_DOWN;	/* with the connection, the game released it all */
	b = xcalloc(1, sizeof *b);
	b->who = xstrdup(who != NULL ? who : "ledger");
	b->pending = out->n;
	b->cb = cb;
	b->arg = arg;
	for (i = 0; i < out->n; i++) {
		if (upstream_call(UPSTREAM_PRIMARY, out->reqs[i].data, out->reqs[i].len,
		    ledger_sent_cb, b) == NULL)
			ledger_sent_cb(b, NULL, 0, "krpcmuxd: the game's kRPC server is not connected");
	}
	stats_add(ledger_released, out->n);
	return LEDGER_SENT;
}

/* Gives back everything in l, in the game's order, and forgets l. */
static void
ledger_give_back(struct ledger *l, const char *who)
{
	struct ledger_out out = { NULL, 0 };
	size_t n;

	ledger_release_kind(&out, l, RULE_ENGAGE, RULE_ENGAGE);
	ledger_release_kind(&out, l, RULE_OVERRIDE, RULE_MARK);
	ledger_inputs_leave(&out, l);
	ledger_release_kind(&out, l, RULE_CREATES, RULE_CREATES);
	ledger_free(l);
	n = out.n;
	if (ledger_send(&out, who, NULL, NULL) == LEDGER_SENT)
		log_info(who, "giving back what it held: %zu call%s to the game", n, n == 1 ? "" : "s");
	ledger_out_free(&out);
}

/* ---- noting what calls took -------------------------------------------- */

/* The game's answer to the surface frame of an auto-pilot's vessel. */
static void
ledger_frame_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	uint64_t *ap = arg, frame = 0;
	struct wire_slice err, res, value;
	size_t i, n = 0;
	bool is_error = true;

	if (failure == NULL && wire_response_split(resp, len, &err, &res, 1, &n) &&
	    err.data == NULL && n == 1 && wire_result_parse(res.data, res.len, &is_error, &value) &&
	    !is_error && value.len > 0)
		(void)krpc_varint_get(value.data, value.len, &frame);
	for (i = 0; i < ledger_nframes; i++) {
		if (ledger_frames[i].autopilot == *ap)
			ledger_frames[i].frame = frame;
	}
	free(ap);
}

/* Asks the game once for the surface frame of an auto-pilot's vessel (release names the getter). */
static void
ledger_frame_learn(const struct rule *r, uint64_t autopilot, uint64_t vessel)
{
	struct ledger_out out = { NULL, 0 };
	uint64_t *arg;
	size_t i;

	for (i = 0; i < ledger_nframes; i++) {
		if (ledger_frames[i].autopilot == autopilot)
			return;
	}
	if (autopilot == 0 || vessel == 0 || ledger_call_on(&out, r->service, r->release, vessel) == 0)
		goto out;
	ledger_frames = xreallocarray(ledger_frames, ledger_nframes + 1, sizeof *ledger_frames);
	ledger_frames[ledger_nframes].autopilot = autopilot;
	ledger_frames[ledger_nframes++].frame = 0;
	arg = xmemdup(&autopilot, sizeof autopilot);
	if (upstream_call(UPSTREAM_PRIMARY, out.reqs[0].data, out.reqs[0].len, ledger_frame_cb,
	    arg) == NULL)
		free(arg);
out:
	ledger_out_free(&out);
}

/* l set a control input (or the throttle): it counts among the input setters. */
static void
ledger_take_inputs(struct ledger *l, const struct rule *r, uint64_t control)
{
	size_t i;

	if (!l->inputs) {
		l->inputs = true;
		ledger_setters++;
		stats_inc(ledger_taken);
	}
	if (r->kind != RULE_INPUT)
		return;
	for (i = 0; i < ledger_ninputs; i++) {
		if (ledger_inputs[i].control == control && ledger_inputs[i].rule == r)
			return;
	}
	ledger_inputs = xreallocarray(ledger_inputs, ledger_ninputs + 1, sizeof *ledger_inputs);
	ledger_inputs[ledger_ninputs].control = control;
	ledger_inputs[ledger_ninputs++].rule = r;
}

/* Forgets the objects of a service that a Clear() removed, whoever made them. */
static void
ledger_cleared(const char *service)
{
	struct ledger_rec *rec, *next;
	struct ledger *l;

	TAILQ_FOREACH(l, &ledger_all, link) {
		for (rec = TAILQ_FIRST(&l->recs); rec != NULL; rec = next) {
			next = TAILQ_NEXT(rec, link);
			if (rec->rule->kind == RULE_CREATES && strcmp(rec->rule->service, service) == 0)
				ledger_drop(rec);
		}
	}
}

/* A highlight: true marks the object for l (once); false unmarks it for everyone. */
static void
ledger_mark(struct ledger *l, const struct rule *r, uint64_t object, bool on)
{
	struct ledger_rec *rec, *next;
	struct ledger *o;

	TAILQ_FOREACH(o, &ledger_all, link) {
		for (rec = TAILQ_FIRST(&o->recs); rec != NULL; rec = next) {
			next = TAILQ_NEXT(rec, link);
			if (rec->rule != r || rec->object != object)
				continue;
			if (on && o == l)
				return;		/* already l's */
			if (!on)
				ledger_drop(rec);
		}
	}
	if (on)
		ledger_add(l, r, object, NULL);
}

/* An engagement or an override: l's now, whoever held it (or l's anew). */
static void
ledger_own(struct ledger *l, const struct rule *r, uint64_t object, const char *procedure)
{
	struct ledger_rec *rec = ledger_find(r->service, procedure, object);

	if (rec != NULL)
		ledger_move(rec, l);
	else
		ledger_add(l, r, object, procedure);
}

/* Notes what a successful call took or gave up: obj its instance, res its result. */
static void
ledger_note(struct ledger *l, const struct rule *r, const Krpc__Schema__ProcedureCall *pc,
    uint64_t obj, uint64_t res)
{
	struct ledger_rec *rec;
	uint64_t on = 0;

	switch (r->kind) {
	case RULE_CREATES:
		if (res != 0)
			ledger_add(l, r, res, r->release);
		break;
	case RULE_REMOVES:
	case RULE_DISENGAGE:
		if ((rec = ledger_find(r->service, r->procedure, obj)) != NULL)
			ledger_drop(rec);
		break;
	case RULE_CLEAR:
		ledger_cleared(r->service);	/* clientOnly never gets here */
		break;
	case RULE_AUTOPILOT:
		ledger_frame_learn(r, res, obj);
		break;
	case RULE_ENGAGE:
		ledger_own(l, r, obj, r->release);
		break;
	case RULE_INPUT:
	case RULE_THROTTLE:
		ledger_take_inputs(l, r, obj);
		break;
	case RULE_OVERRIDE:
		(void)schema_arg_varint(schema_arg(pc, 1), &on);
		if (on)
			ledger_own(l, r, obj, r->procedure);
		else if ((rec = ledger_find(r->service, r->procedure, obj)) != NULL)
			ledger_drop(rec);
		break;
	case RULE_RETAG:
		if ((rec = ledger_find(r->service, r->release, obj)) != NULL)
			ledger_move(rec, l);
		break;
	case RULE_MARK:
		(void)schema_arg_varint(schema_arg(pc, 1), &on);
		ledger_mark(l, r, obj, on != 0);
		break;
	case RULE_CALLER:
		break;
	}
}

/* ---- the interface ------------------------------------------------------ */

/* A call's result: what it took is noted (given back at once if its client left). */
void
ledger_result(struct client *c, const struct rule *r, const Krpc__Schema__ProcedureCall *pc,
    const uint8_t *p, size_t len)
{
	struct wire_slice value;
	uint64_t obj = 0, res = 0;
	struct ledger *l;
	bool is_error;

	if (!wire_result_parse(p, len, &is_error, &value) || is_error)
		return;
	if (value.len > 0)
		(void)krpc_varint_get(value.data, value.len, &res);
	(void)schema_arg_varint(schema_arg(pc, 0), &obj);
	l = c != NULL ? ledger_of(c) : ledger_new();
	ledger_note(l, r, pc, obj, res);
	if (c == NULL)
		ledger_give_back(l, "(a client that left)");
}

/* Another client's object, for a Remove the game refuses to any but the owner. */
const char *
ledger_refusal(const struct client *c, const struct rule *r, const Krpc__Schema__ProcedureCall *pc)
{
	struct ledger_rec *rec;
	uint64_t obj = 0;

	if (r->kind != RULE_REMOVES || r->text == NULL ||
	    !schema_arg_varint(schema_arg(pc, 0), &obj))
		return NULL;
	rec = ledger_find(r->service, r->procedure, obj);
	return rec != NULL && rec->owner != c->ledger ? r->text : NULL;
}

/* True if a Clear call's clientOnly argument is true. */
bool
ledger_client_only(const Krpc__Schema__ProcedureCall *pc)
{
	uint64_t v = 0;

	return schema_arg_varint(schema_arg(pc, 0), &v) && v != 0;
}

/* Clear(clientOnly = true): removes the client's objects of the service, newest first. */
enum ledger_sent
ledger_clear(struct client *c, const struct rule *r, upstream_cb cb, void *arg)
{
	struct ledger_out out = { NULL, 0 };
	struct ledger_rec *rec, *prev;
	enum ledger_sent sent;

	if (c->ledger == NULL)
		return LEDGER_NONE;
	for (rec = TAILQ_LAST(&c->ledger->recs, ledger_recs_head); rec != NULL; rec = prev) {
		prev = TAILQ_PREV(rec, ledger_recs_head, link);
		if (rec->rule->kind != RULE_CREATES || strcmp(rec->rule->service, r->service) != 0)
			continue;
		ledger_release(&out, rec);
		ledger_drop(rec);
	}
	log_debug(c->prefix, "Clear(clientOnly): removing %zu of its objects", out.n);
	sent = ledger_send(&out, c->prefix, cb, arg);
	ledger_out_free(&out);
	return sent;
}

/* The client left: what it held goes back to the game. */
void
ledger_client_gone(struct client *c)
{
	if (c->ledger == NULL)
		return;
	ledger_give_back(c->ledger, c->prefix);
	c->ledger = NULL;
}

/* The upstream session ended, and the game released everything with it. */
void
ledger_reset(void)
{
	struct ledger_rec *rec;
	struct ledger *l;

	TAILQ_FOREACH(l, &ledger_all, link) {
		while ((rec = TAILQ_FIRST(&l->recs)) != NULL)
			ledger_drop(rec);
		l->inputs = false;
	}
	if (ledger_index != NULL)
		htab_clear(ledger_index);
	free(ledger_inputs);
	ledger_inputs = NULL;
	ledger_ninputs = ledger_setters = 0;
	free(ledger_frames);
	ledger_frames = NULL;
	ledger_nframes = 0;
}

/* Things the client holds (its control inputs count as one). */
size_t
ledger_count(const struct client *c)
{
	return c->ledger != NULL ? c->ledger->nrecs + c->ledger->inputs : 0;
}
