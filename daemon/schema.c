/*
 * The upstream session's GetServices, cached: which procedures the proxy
 * intercepts, which return streams or events, the parameters whose defaults
 * normalise stream keys, and numeric service and procedure ids.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* Service ids are not in GetServices (PROTOCOL.md 4.2). */
static const struct {
	uint32_t	 id;
	const char	*name;
} schema_service_ids[] = {
	{ 1, "KRPC" }, { 2, "SpaceCenter" }, { 3, "Drawing" }, { 4, "InfernalRobotics" },
	{ 5, "KerbalAlarmClock" }, { 6, "RemoteTech" }, { 7, "UI" }, { 12, "Debug" },
	{ 9998, "Benchmark" }, { 9999, "TestService" },
};

/* The KRPC procedures the proxy answers or rewrites. */
static const struct {
	const char		*name;
	enum schema_kind	 kind;
} schema_krpc[] = {
	{ "GetClientID", SCHEMA_CLIENT_ID },
	{ "GetClientName", SCHEMA_CLIENT_NAME },
	{ "get_Clients", SCHEMA_CLIENTS },
	{ "AddStream", SCHEMA_ADD_STREAM },
	{ "StartStream", SCHEMA_START_STREAM },
	{ "SetStreamRate", SCHEMA_SET_RATE },
	{ "RemoveStream", SCHEMA_REMOVE_STREAM },
	{ "AddEvent", SCHEMA_OWNED },
	{ "HoldTick", SCHEMA_HOLD_TICK },
	{ "ReleaseTick", SCHEMA_RELEASE_TICK },
};

static Krpc__Schema__Services	*schema_services;
static struct htab		*schema_procs;		/* "Service.Procedure" → schema_proc */
static struct schema_proc	*schema_all;
static size_t			 schema_nall;

/* The name of a service id, or NULL. */
static const char *
schema_service_name(uint32_t id)
{
	size_t i;

	for (i = 0; i < sizeof schema_service_ids / sizeof schema_service_ids[0]; i++) {
		if (schema_service_ids[i].id == id)
			return schema_service_ids[i].name;
	}
	return NULL;
}

/* Classifies one procedure. */
static enum schema_kind
schema_classify(const char *service, const Krpc__Schema__Procedure *p, bool *event)
{
	size_t i;
	int code = p->return_type != NULL ? (int)p->return_type->code : 0;

	*event = code == KRPC_TYPE_EVENT;
	if (strcmp(service, "KRPC") == 0) {
		for (i = 0; i < sizeof schema_krpc / sizeof schema_krpc[0]; i++) {
			if (strcmp(p->name, schema_krpc[i].name) == 0)
				return schema_krpc[i].kind;
		}
	}
	if (code == KRPC_TYPE_EVENT || code == KRPC_TYPE_STREAM)
		return SCHEMA_OWNED;
	return SCHEMA_PLAIN;
}

/* True if one of the procedure's parameters is a PROCEDURE_CALL. */
static bool
schema_takes_call(const Krpc__Schema__Procedure *p)
{
	size_t i;

	for (i = 0; i < p->n_parameters; i++) {
		if (p->parameters[i]->type != NULL &&
		    (int)p->parameters[i]->type->code == KRPC_TYPE_PROCEDURE_CALL)
			return true;
	}
	return false;
}

/*
 * The ledger's rule for a procedure, or NULL: none, the procedure runs on
 * its caller's own session (the game tracks it there), or the server lacks
 * the procedure that would give it back.
 */
static const struct rule *
schema_rule(const struct schema_proc *sp)
{
	const struct rule *r = rules_find(sp->service, sp->name);

	if (r == NULL || r->kind == RULE_CALLER || sp->isolated || sp->kind != SCHEMA_PLAIN)
		return NULL;
	if (r->release != NULL && schema_find(sp->service, r->release) == NULL)
		return NULL;
	return r;
}

/* Marks what the configuration and the rules say of every procedure. */
static void
schema_mark(const struct config *c)
{
	size_t i;

	for (i = 0; i < schema_nall; i++) {
		schema_all[i].slow = c != NULL && config_is_slow(c, schema_all[i].service,
		    schema_all[i].name);
		schema_all[i].isolated = c != NULL && schema_all[i].kind == SCHEMA_PLAIN &&
		    rules_isolated(c, schema_all[i].service, schema_all[i].name);
	}
	for (i = 0; i < schema_nall; i++)
		schema_all[i].rule = schema_rule(&schema_all[i]);
}

/* Indexes every procedure of the loaded services. */
static void
schema_index(void)
{
	const Krpc__Schema__Service *s;
	struct schema_proc *sp;
	char key[512];
	size_t i, j, n = 0;

	for (i = 0; i < schema_services->n_services; i++)
		n += schema_services->services[i]->n_procedures;
	schema_all = xcalloc(n, sizeof *schema_all);
	schema_procs = htab_new();
	for (i = 0; i < schema_services->n_services; i++) {
		s = schema_services->services[i];
		for (j = 0; j < s->n_procedures; j++) {
			sp = &schema_all[schema_nall++];
			sp->service = s->name;
			sp->name = s->procedures[j]->name;
			sp->desc = s->procedures[j];
			sp->kind = schema_classify(s->name, sp->desc, &sp->returns_event);
			sp->takes_call = schema_takes_call(sp->desc);
			snprintf(key, sizeof key, "%s.%s", s->name, sp->name);
			htab_put(schema_procs, key, strlen(key), sp);
		}
	}
	schema_mark(cfg);
}

/* Loads a Services message. */
bool
schema_load(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	schema_reset();
	schema_services = krpc__schema__services__unpack(NULL, len, p);
	if (schema_services == NULL) {
		snprintf(why, whylen, "GetServices returned a malformed Services message");
		return false;
	}
	schema_index();
	if (schema_find("KRPC", "AddStream") == NULL) {
		snprintf(why, whylen, "GetServices does not list KRPC.AddStream");
		schema_reset();
		return false;
	}
	return true;
}

/* Forgets the cached services. */
void
schema_reset(void)
{
	if (schema_services != NULL)
		krpc__schema__services__free_unpacked(schema_services, NULL);
	schema_services = NULL;
	htab_free(schema_procs);
	schema_procs = NULL;
	free(schema_all);
	schema_all = NULL;
	schema_nall = 0;
}

/* True while a GetServices is cached. */
bool
schema_loaded(void)
{
	return schema_services != NULL;
}

/* The number of procedures cached. */
size_t
schema_count(void)
{
	return schema_nall;
}

/*
 * The procedure named service.procedure, from names that need not be
 * NUL-terminated, or NULL.  On every forwarded call's path: the key is built
 * with two copies, not a formatted print.
 */
const struct schema_proc *
schema_find_n(const char *service, size_t slen, const char *procedure, size_t plen)
{
	char key[512];

	if (schema_procs == NULL || slen + plen + 1 > sizeof key)
		return NULL;
	memcpy(key, service, slen);
	key[slen] = '.';
	memcpy(key + slen + 1, procedure, plen);
	return htab_get(schema_procs, key, slen + 1 + plen);
}

/* The procedure named service.procedure, or NULL. */
const struct schema_proc *
schema_find(const char *service, const char *procedure)
{
	return schema_find_n(service, strlen(service), procedure, strlen(procedure));
}

/* The service message named name, or NULL. */
static const Krpc__Schema__Service *
schema_service(const char *name)
{
	size_t i;

	for (i = 0; schema_services != NULL && i < schema_services->n_services; i++) {
		if (strcmp(schema_services->services[i]->name, name) == 0)
			return schema_services->services[i];
	}
	return NULL;
}

/* The procedure a call names, by name or by numeric ids. */
const struct schema_proc *
schema_lookup(const Krpc__Schema__ProcedureCall *c)
{
	const Krpc__Schema__Service *s;
	const char *service = c->service;

	if (c->service_id > 0 && (service = schema_service_name(c->service_id)) == NULL)
		return NULL;
	if (c->procedure_id == 0)
		return schema_find(service, c->procedure);
	if ((s = schema_service(service)) == NULL || c->procedure_id > s->n_procedures)
		return NULL;
	return schema_find(service, s->procedures[c->procedure_id - 1]->name);
}

/* True for a CLASS argument holding object id 0, which the server decodes as null (PROTOCOL.md 4.4). */
static bool
schema_null_object(const Krpc__Schema__Parameter *p, const Krpc__Schema__Argument *a)
{
	return !a->is_null && p->type != NULL && p->type->code == KRPC__SCHEMA__TYPE__TYPE_CODE__CLASS &&
	    a->value.len == 1 && a->value.data[0] == 0;
}

/*
 * Keeps an argument in the key unless it is beyond the parameters or equals
 * its default; an object id 0 counts as null.
 */
static krpc_key_arg_t
schema_key_arg(void *ud, const Krpc__Schema__ProcedureCall *c, const Krpc__Schema__Argument *a)
{
	const struct schema_proc *sp = ud;
	const Krpc__Schema__Parameter *p;
	bool null;

	if (sp == NULL)
		return KRPC_KEY_KEEP;
	if (a->position >= sp->desc->n_parameters)
		return KRPC_KEY_DROP;
	p = sp->desc->parameters[a->position];
	null = a->is_null || schema_null_object(p, a);
	if (p->has_default_value && p->default_value_is_null)
		return null ? KRPC_KEY_DROP : KRPC_KEY_KEEP;
	if (!p->has_default_value && p->default_value.len == 0)
		return null ? KRPC_KEY_NULL : KRPC_KEY_KEEP;	/* required */
	if (a->is_null || a->value.len != p->default_value.len)
		return null ? KRPC_KEY_NULL : KRPC_KEY_KEEP;
	if (a->value.len > 0 && memcmp(a->value.data, p->default_value.data, a->value.len) != 0)
		return KRPC_KEY_KEEP;
	return KRPC_KEY_DROP;
}

/* Appends the canonical key of a call: names always, defaults normalised. */
void
schema_call_key(krpc_buf_t *b, const Krpc__Schema__ProcedureCall *c)
{
	const struct schema_proc *sp = schema_lookup(c);
	Krpc__Schema__ProcedureCall named;

	if (sp == NULL) {
		krpc_msg_call_key(b, c, NULL, NULL);
		return;
	}
	named = *c;
	named.service = (char *)sp->service;
	named.procedure = (char *)sp->name;
	named.service_id = 0;
	named.procedure_id = 0;
	krpc_msg_call_key(b, &named, schema_key_arg, (void *)sp);
}

/* The argument at a position (the last one wins), or NULL. */
const Krpc__Schema__Argument *
schema_arg(const Krpc__Schema__ProcedureCall *pc, uint32_t position)
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
bool
schema_arg_varint(const Krpc__Schema__Argument *a, uint64_t *v)
{
	return a != NULL && !a->is_null && krpc_varint_get(a->value.data, a->value.len, v) > 0;
}

/* Marks the procedures of the slow-lane list, those tied to their caller, and the ledger's. */
void
schema_set_slow(const struct config *c)
{
	schema_mark(c);
}

/* Deepest nesting of calls in calls the proxy follows; deeper is refused. */
#define SCHEMA_NEST_MAX	8

/* True for the kinds the proxy answers per client, which AddStream may stream. */
static bool
schema_local_kind(enum schema_kind kind)
{
	return kind == SCHEMA_CLIENT_ID || kind == SCHEMA_CLIENT_NAME || kind == SCHEMA_CLIENTS;
}

static bool schema_nested_check(const Krpc__Schema__ProcedureCall *, int, char *, size_t, bool *);

/* Checks one nested call found in argument position pos of outer. */
static bool
schema_nested_one(const struct schema_proc *outer, const Krpc__Schema__Argument *a, int depth,
    char *why, size_t whylen, bool *isolated)
{
	Krpc__Schema__ProcedureCall *in;
	const struct schema_proc *sp;
	bool ok = true;

	in = (Krpc__Schema__ProcedureCall *)krpc_lenient_read(KRPC_LENIENT_CALL, a->value.data,
	    a->value.len, NULL);
	if (in == NULL)
		return true;	/* the server cannot read it either, and says so */
	sp = schema_lookup(in);
	if (sp != NULL && sp->isolated)
		*isolated = true;
	if (sp != NULL && sp->kind != SCHEMA_PLAIN &&
	    !(outer->kind == SCHEMA_ADD_STREAM && depth == 0 && schema_local_kind(sp->kind))) {
		snprintf(why, whylen, "krpcmuxd does not pass %s.%s on as a procedure call: the server "
		    "would run it for the proxy's shared connection, not for this client",
		    sp->service, sp->name);
		ok = false;
	} else if (sp != NULL && sp->takes_call)
		ok = schema_nested_check(in, depth + 1, why, whylen, isolated);
	krpc__schema__procedure_call__free_unpacked(in, NULL);
	return ok;
}

/* Checks the PROCEDURE_CALL arguments of a call, recursively. */
static bool
schema_nested_check(const Krpc__Schema__ProcedureCall *pc, int depth, char *why, size_t whylen,
    bool *isolated)
{
	const struct schema_proc *sp = schema_lookup(pc);
	const Krpc__Schema__Procedure *desc;
	const Krpc__Schema__Argument *a;
	size_t i;

	if (sp == NULL || !sp->takes_call)
		return true;
	if (depth >= SCHEMA_NEST_MAX) {
		snprintf(why, whylen, "krpcmuxd does not follow procedure calls nested over %d deep",
		    SCHEMA_NEST_MAX);
		return false;
	}
	desc = sp->desc;
	for (i = 0; i < pc->n_arguments; i++) {
		a = pc->arguments[i];
		if (a->is_null || a->position >= desc->n_parameters ||
		    desc->parameters[a->position]->type == NULL ||
		    (int)desc->parameters[a->position]->type->code != KRPC_TYPE_PROCEDURE_CALL)
			continue;
		if (!schema_nested_one(sp, a, depth, why, whylen, isolated))
			return false;
	}
	return true;
}

/* Checks the calls nested in a call's PROCEDURE_CALL arguments. */
bool
schema_nested_ok(const Krpc__Schema__ProcedureCall *pc, char *why, size_t whylen, bool *isolated)
{
	*isolated = false;
	return schema_nested_check(pc, 0, why, whylen, isolated);
}
