/*
 * krpc-sim service descriptions: builds the krpc.schema.Services message that
 * KRPC.GetServices returns, from the service tables (documentation wrapping,
 * parameter flags and defaults, nullability, scenes, deprecation, structs).
 * Built once at start; every temporary lives in an arena freed after packing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Everything allocated while building, freed together. */
struct schema_arena {
	void	**v;
	size_t	  n;
	size_t	  cap;
	Krpc__Schema__Type **types;
	size_t	  ntypes;
	char	 *why;
	size_t	  whylen;
	bool	  failed;
};

/* Registers p with the arena and returns it. */
static void *
schema_keep(struct schema_arena *a, void *p)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->v = util_reallocarray(a->v, a->cap, sizeof *a->v);
	}
	a->v[a->n++] = p;
	return p;
}

/* A zeroed array owned by the arena. */
static void *
schema_alloc(struct schema_arena *a, size_t n, size_t size)
{
	return schema_keep(a, util_calloc(n, size));
}

/* A string for a message field (never NULL; the text is not copied). */
static char *
schema_str(const char *s)
{
	return (char *)(s ? s : "");
}

/* The documentation field for a summary text (PROTOCOL.md 4.6). */
static char *
schema_doc(struct schema_arena *a, const char *text)
{
	if (text == NULL || *text == '\0')
		return (char *)"";
	if (strncmp(text, "<doc>", 5) == 0)
		return (char *)text;
	return schema_keep(a, util_printf("<doc>\n<summary>\n%s\n</summary>\n</doc>", text));
}

/* The schema Type of a type text, owned by the arena. */
static Krpc__Schema__Type *
schema_type(struct schema_arena *a, const char *text)
{
	char why[256];
	krpc_type_t *t = services_type(text, why, sizeof why);
	Krpc__Schema__Type *pb;

	if (t == NULL || (pb = krpc_type_to_pb(t)) == NULL) {
		snprintf(a->why, a->whylen, "type %s: %s", text, t ? "out of memory" : why);
		krpc_type_free(t);
		a->failed = true;
		return NULL;
	}
	krpc_type_free(t);
	a->types = util_reallocarray(a->types, a->ntypes + 1, sizeof *a->types);
	a->types[a->ntypes++] = pb;
	return pb;
}

/* Decodes a hex default into arena bytes. */
static ProtobufCBinaryData
schema_hex(struct schema_arena *a, const char *hex)
{
	ProtobufCBinaryData d = { 0, NULL };
	size_t n = hex ? strlen(hex) / 2 : 0, i;
	unsigned int byte;

	if (n == 0)
		return d;
	d.data = schema_alloc(a, n, 1);
	for (i = 0; i < n && sscanf(hex + 2 * i, "%2x", &byte) == 1; i++)
		d.data[i] = (uint8_t)byte;
	d.len = i;
	return d;
}

/* One Parameter. */
static Krpc__Schema__Parameter *
schema_param(struct schema_arena *a, const struct sim_param *pa)
{
	Krpc__Schema__Parameter *m = schema_alloc(a, 1, sizeof *m);

	krpc__schema__parameter__init(m);
	m->name = schema_str(pa->name);
	m->type = schema_type(a, pa->type);
	m->nullable = (pa->flags & (SIM_NULLABLE | SIM_DEFAULT_NULL)) != 0;
	m->has_default_value = (pa->flags & (SIM_DEFAULT | SIM_DEFAULT_NULL)) != 0;
	m->default_value_is_null = (pa->flags & SIM_DEFAULT_NULL) != 0;
	if ((pa->flags & SIM_DEFAULT) && !(pa->flags & SIM_DEFAULT_NULL))
		m->default_value = schema_hex(a, pa->def);
	return m;
}

/* One Procedure. */
static Krpc__Schema__Procedure *
schema_proc(struct schema_arena *a, const struct sim_proc *p)
{
	Krpc__Schema__Procedure *m = schema_alloc(a, 1, sizeof *m);
	size_t k, n = 0;

	krpc__schema__procedure__init(m);
	m->name = schema_str(p->name);
	while (n < SIM_PARAMS_MAX && p->params[n].name != NULL)
		n++;
	m->n_parameters = n;
	m->parameters = schema_alloc(a, n, sizeof *m->parameters);
	for (k = 0; k < n; k++)
		m->parameters[k] = schema_param(a, &p->params[k]);
	if (p->ret != NULL)
		m->return_type = schema_type(a, p->ret);
	m->return_is_nullable = (p->flags & SIM_RET_NULLABLE) != 0;
	m->documentation = schema_doc(a, p->doc);
	if (p->flags & SIM_FLIGHT) {
		m->n_game_scenes = 1;
		m->game_scenes = schema_alloc(a, 1, sizeof *m->game_scenes);
		m->game_scenes[0] = KRPC__SCHEMA__PROCEDURE__GAME_SCENE__FLIGHT;
	}
	m->deprecated = (p->flags & SIM_DEPRECATED) != 0;
	m->deprecated_reason = schema_str(m->deprecated ? p->reason : NULL);
	return m;
}

/* One Class. */
static Krpc__Schema__Class *
schema_class(struct schema_arena *a, const struct sim_class *c)
{
	Krpc__Schema__Class *m = schema_alloc(a, 1, sizeof *m);

	krpc__schema__class__init(m);
	m->name = schema_str(c->name);
	m->documentation = schema_doc(a, c->doc);
	m->deprecated = (c->flags & SIM_DEPRECATED) != 0;
	m->deprecated_reason = schema_str(m->deprecated ? c->reason : NULL);
	return m;
}

/* One Enumeration with its values. */
static Krpc__Schema__Enumeration *
schema_enum(struct schema_arena *a, const struct sim_enum *e)
{
	Krpc__Schema__Enumeration *m = schema_alloc(a, 1, sizeof *m);
	Krpc__Schema__EnumerationValue *v;
	size_t i, n = 0;

	krpc__schema__enumeration__init(m);
	m->name = schema_str(e->name);
	m->documentation = schema_doc(a, e->doc);
	m->deprecated = (e->flags & SIM_DEPRECATED) != 0;
	m->deprecated_reason = schema_str(m->deprecated ? e->reason : NULL);
	while (n < SIM_VALUES_MAX && e->values[n].name != NULL)
		n++;
	m->n_values = n;
	m->values = schema_alloc(a, n, sizeof *m->values);
	for (i = 0; i < n; i++) {
		v = m->values[i] = schema_alloc(a, 1, sizeof *v);
		krpc__schema__enumeration_value__init(v);
		v->name = schema_str(e->values[i].name);
		v->value = e->values[i].value;
		v->documentation = schema_doc(a, e->values[i].doc);
		v->deprecated = (e->values[i].flags & SIM_DEPRECATED) != 0;
		v->deprecated_reason = schema_str(v->deprecated ? e->values[i].reason : NULL);
	}
	return m;
}

/* One Struct with its fields. */
static Krpc__Schema__Struct *
schema_struct(struct schema_arena *a, const struct sim_struct *s)
{
	Krpc__Schema__Struct *m = schema_alloc(a, 1, sizeof *m);
	Krpc__Schema__StructField *f;
	size_t i, n = 0;

	krpc__schema__struct__init(m);
	m->name = schema_str(s->name);
	m->documentation = schema_doc(a, s->doc);
	m->deprecated = (s->flags & SIM_DEPRECATED) != 0;
	m->deprecated_reason = schema_str(m->deprecated ? s->reason : NULL);
	while (n < SIM_FIELDS_MAX && s->fields[n].name != NULL)
		n++;
	m->n_fields = n;
	m->fields = schema_alloc(a, n, sizeof *m->fields);
	for (i = 0; i < n; i++) {
		f = m->fields[i] = schema_alloc(a, 1, sizeof *f);
		krpc__schema__struct_field__init(f);
		f->name = schema_str(s->fields[i].name);
		f->type = schema_type(a, s->fields[i].type);
		f->documentation = schema_doc(a, s->fields[i].doc);
		f->deprecated = (s->fields[i].flags & SIM_DEPRECATED) != 0;
		f->deprecated_reason = schema_str(f->deprecated ? s->fields[i].reason : NULL);
	}
	return m;
}

/* One Exception. */
static Krpc__Schema__Exception *
schema_exception(struct schema_arena *a, const struct sim_exception *e)
{
	Krpc__Schema__Exception *m = schema_alloc(a, 1, sizeof *m);

	krpc__schema__exception__init(m);
	m->name = schema_str(e->name);
	m->documentation = schema_doc(a, e->doc);
	m->deprecated = (e->flags & SIM_DEPRECATED) != 0;
	m->deprecated_reason = schema_str(m->deprecated ? e->reason : NULL);
	return m;
}

/* One Service with all its members. */
static Krpc__Schema__Service *
schema_service(struct schema_arena *a, const struct sim_service *svc)
{
	Krpc__Schema__Service *m = schema_alloc(a, 1, sizeof *m);
	size_t i;

	krpc__schema__service__init(m);
	m->name = schema_str(svc->name);
	m->documentation = schema_doc(a, svc->doc);
	m->n_procedures = svc->nprocs;
	m->procedures = schema_alloc(a, svc->nprocs, sizeof *m->procedures);
	for (i = 0; i < svc->nprocs; i++)
		m->procedures[i] = schema_proc(a, &svc->procs[i]);
	m->n_classes = svc->nclasses;
	m->classes = schema_alloc(a, svc->nclasses, sizeof *m->classes);
	for (i = 0; i < svc->nclasses; i++)
		m->classes[i] = schema_class(a, &svc->classes[i]);
	m->n_enumerations = svc->nenums;
	m->enumerations = schema_alloc(a, svc->nenums, sizeof *m->enumerations);
	for (i = 0; i < svc->nenums; i++)
		m->enumerations[i] = schema_enum(a, &svc->enums[i]);
	m->n_exceptions = svc->nexceptions;
	m->exceptions = schema_alloc(a, svc->nexceptions, sizeof *m->exceptions);
	for (i = 0; i < svc->nexceptions; i++)
		m->exceptions[i] = schema_exception(a, &svc->exceptions[i]);
	m->n_structs = svc->nstructs;
	m->structs = schema_alloc(a, svc->nstructs, sizeof *m->structs);
	for (i = 0; i < svc->nstructs; i++)
		m->structs[i] = schema_struct(a, &svc->structs[i]);
	return m;
}

/* Builds and packs the Services message (malloc'd); NULL with a reason. */
uint8_t *
schema_build(size_t *len, char *why, size_t whylen)
{
	struct schema_arena a = { .why = why, .whylen = whylen };
	Krpc__Schema__Services all = KRPC__SCHEMA__SERVICES__INIT;
	uint8_t *out = NULL;
	size_t i;

	all.n_services = services_count();
	all.services = schema_alloc(&a, all.n_services, sizeof *all.services);
	for (i = 0; i < all.n_services; i++)
		all.services[i] = schema_service(&a, services_at(i));
	if (!a.failed) {
		*len = krpc__schema__services__get_packed_size(&all);
		out = util_calloc(1, *len);
		krpc__schema__services__pack(&all, out);
	}
	for (i = 0; i < a.ntypes; i++)
		krpc_type_pb_free(a.types[i]);
	free(a.types);
	for (i = 0; i < a.n; i++)
		free(a.v[i]);
	free(a.v);
	return out;
}
