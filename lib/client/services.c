/*
 * The service model: builds a queryable tree from a GetServices message,
 * resolves STRUCT types to their fields, and looks services and procedures
 * up by name.  Procedure and definition accessors are in procedure.c and
 * defs.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Deepest struct-in-struct nesting resolved (deeper means a cycle). */
#define SERVICES_DEPTH_MAX 16

/* The schema definition of structure service.name, or NULL. */
static const Krpc__Schema__Struct *
services_find_struct(const krpc_services_t *m, const char *service, const char *name)
{
	const Krpc__Schema__Service *svc;
	size_t i, j;

	for (i = 0; i < m->pb->n_services; i++) {
		svc = m->pb->services[i];
		if (strcmp(svc->name, service) != 0)
			continue;
		for (j = 0; j < svc->n_structs; j++) {
			if (strcmp(svc->structs[j]->name, name) == 0)
				return svc->structs[j];
		}
	}
	return NULL;
}

static krpc_code_t services_resolve_depth(const krpc_services_t *, krpc_type_t *, int);

/* Adds the fields of struct type t (which has none yet). */
static krpc_code_t
services_fill_struct(const krpc_services_t *m, krpc_type_t *t, int depth)
{
	const Krpc__Schema__Struct *def;
	krpc_type_t *ft;
	krpc_code_t rc;
	size_t i;

	def = services_find_struct(m, krpc_type_service(t), krpc_type_name(t));
	if (def == NULL)
		return krpc_error_set(KRPC_ERR_NOT_FOUND, "unknown structure %s.%s",
		    krpc_type_service(t), krpc_type_name(t));
	for (i = 0; i < def->n_fields; i++) {
		if (def->fields[i]->type == NULL ||
		    (ft = krpc_type_from_pb(def->fields[i]->type)) == NULL)
			return krpc_error_set(KRPC_ERR_MALFORMED, "bad type of field %s of %s.%s",
			    def->fields[i]->name, krpc_type_service(t), krpc_type_name(t));
		if ((rc = services_resolve_depth(m, ft, depth + 1)) != KRPC_OK) {
			krpc_type_free(ft);
			return rc;
		}
		if (krpc_type_add(t, ft) != KRPC_OK)
			return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	}
	return KRPC_OK;
}

/* Resolves every field-less STRUCT inside t. */
static krpc_code_t
services_resolve_depth(const krpc_services_t *m, krpc_type_t *t, int depth)
{
	krpc_code_t rc;
	size_t i;

	if (depth > SERVICES_DEPTH_MAX)
		return krpc_error_set(KRPC_ERR_MALFORMED, "structures nested too deeply (a cycle?)");
	if (krpc_type_code(t) == KRPC_TYPE_STRUCT && krpc_type_count(t) == 0)
		return services_fill_struct(m, t, depth);
	for (i = 0; i < krpc_type_count(t); i++) {
		/* Sub-types are owned by t: resolving them in place is safe. */
		rc = services_resolve_depth(m, (krpc_type_t *)krpc_type_sub(t, i), depth + 1);
		if (rc != KRPC_OK)
			return rc;
	}
	return KRPC_OK;
}

/* A schema type converted and resolved. */
krpc_code_t
krpc_services_type(const krpc_services_t *m, const Krpc__Schema__Type *pb, krpc_type_t **out)
{
	krpc_code_t rc;

	*out = NULL;
	if (pb == NULL || (*out = krpc_type_from_pb(pb)) == NULL)
		return krpc_error_set(KRPC_ERR_MALFORMED, "missing or invalid type in the service description");
	if ((rc = services_resolve_depth(m, *out, 0)) != KRPC_OK) {
		krpc_type_free(*out);
		*out = NULL;
	}
	return rc;
}

/* True if t holds a STRUCT without fields. */
bool
krpc_services_unresolved(const krpc_type_t *t)
{
	size_t i;

	if (krpc_type_code(t) == KRPC_TYPE_STRUCT && krpc_type_count(t) == 0)
		return true;
	for (i = 0; i < krpc_type_count(t); i++) {
		if (krpc_services_unresolved(krpc_type_sub(t, i)))
			return true;
	}
	return false;
}

/* Orders procedures by wire name (qsort). */
static int
services_cmp_proc(const void *a, const void *b)
{
	const krpc_procedure_t *pa = *(const krpc_procedure_t *const *)a;
	const krpc_procedure_t *pb = *(const krpc_procedure_t *const *)b;

	return strcmp(pa->pb->name, pb->pb->name);
}

/* Builds one service's structures, procedures and name index. */
static krpc_code_t
services_build(krpc_services_t *m, krpc_service_t *s, const Krpc__Schema__Service *pb)
{
	krpc_code_t rc;
	size_t i;

	s->pb = pb;
	s->procs = calloc(pb->n_procedures + 1, sizeof *s->procs);
	s->sorted = calloc(pb->n_procedures + 1, sizeof *s->sorted);
	s->structs = calloc(pb->n_structs + 1, sizeof *s->structs);
	if (s->procs == NULL || s->sorted == NULL || s->structs == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	for (i = 0; i < pb->n_structs; i++) {
		s->structs[i].pb = pb->structs[i];
		s->structs[i].type = krpc_type_named(KRPC_TYPE_STRUCT, pb->name, pb->structs[i]->name);
		if (s->structs[i].type == NULL)
			return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
		if ((rc = services_fill_struct(m, s->structs[i].type, 0)) != KRPC_OK)
			return rc;
	}
	for (i = 0; i < pb->n_procedures; i++) {
		if ((rc = krpc_procedure_init(&s->procs[i], m, s, pb->procedures[i])) != KRPC_OK)
			return rc;
		s->sorted[i] = &s->procs[i];
	}
	qsort(s->sorted, pb->n_procedures, sizeof *s->sorted, services_cmp_proc);
	return KRPC_OK;
}

/* Frees one service's derived data. */
static void
services_service_free(krpc_service_t *s)
{
	size_t i;

	if (s->pb == NULL)
		return;
	for (i = 0; s->procs != NULL && i < s->pb->n_procedures; i++)
		krpc_procedure_fini(&s->procs[i]);
	for (i = 0; s->structs != NULL && i < s->pb->n_structs; i++)
		krpc_type_free(s->structs[i].type);
	free(s->procs);
	free(s->sorted);
	free(s->structs);
}

/* Builds a model from Services bytes. */
krpc_code_t
krpc_services_parse(const void *data, size_t len, krpc_services_t **out)
{
	krpc_services_t *m;
	krpc_code_t rc = KRPC_OK;
	size_t i;

	if (out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no place for the model");
	*out = NULL;
	if ((m = calloc(1, sizeof *m)) == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	m->pb = krpc__schema__services__unpack(NULL, len, data);
	if (m->pb == NULL) {
		free(m);
		return krpc_error_set(KRPC_ERR_MALFORMED, "malformed Services message (%zu bytes)", len);
	}
	m->svcs = calloc(m->pb->n_services + 1, sizeof *m->svcs);
	if (m->svcs == NULL)
		rc = krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	/* n counts every service started, so a partly built one is freed too. */
	for (i = 0; rc == KRPC_OK && i < m->pb->n_services; i++, m->n++)
		rc = services_build(m, &m->svcs[i], m->pb->services[i]);
	if (rc != KRPC_OK) {
		krpc_services_free(m);
		return rc;
	}
	*out = m;
	return KRPC_OK;
}

/* Frees a model. */
void
krpc_services_free(krpc_services_t *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		services_service_free(&m->svcs[i]);
	free(m->svcs);
	krpc__schema__services__free_unpacked(m->pb, NULL);
	free(m);
}

/* Number of services. */
size_t
krpc_services_count(const krpc_services_t *m)
{
	return m != NULL ? m->n : 0;
}

/* Service i. */
const krpc_service_t *
krpc_services_at(const krpc_services_t *m, size_t i)
{
	return m != NULL && i < m->n ? &m->svcs[i] : NULL;
}

/* The service named name. */
const krpc_service_t *
krpc_services_find(const krpc_services_t *m, const char *name)
{
	size_t i;

	for (i = 0; m != NULL && name != NULL && i < m->n; i++) {
		if (strcmp(m->svcs[i].pb->name, name) == 0)
			return &m->svcs[i];
	}
	return NULL;
}

/* The procedure service.procedure. */
const krpc_procedure_t *
krpc_services_procedure(const krpc_services_t *m, const char *service, const char *procedure)
{
	return krpc_service_procedure(krpc_services_find(m, service), procedure);
}

/* Fills in the struct fields inside t. */
krpc_code_t
krpc_services_resolve(const krpc_services_t *m, krpc_type_t *t)
{
	if (m == NULL || t == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no model or no type");
	return services_resolve_depth(m, t, 0);
}

/* ---- services ------------------------------------------------------- */

/* The service's name. */
const char *
krpc_service_name(const krpc_service_t *s)
{
	return s != NULL ? s->pb->name : "";
}

/* The service's documentation. */
const char *
krpc_service_doc(const krpc_service_t *s)
{
	return s != NULL ? s->pb->documentation : "";
}

/* True if the service is deprecated. */
bool
krpc_service_deprecated(const krpc_service_t *s)
{
	return s != NULL && s->pb->deprecated;
}

/* Why the service is deprecated. */
const char *
krpc_service_deprecated_reason(const krpc_service_t *s)
{
	return s != NULL ? s->pb->deprecated_reason : "";
}

/* Number of procedures. */
size_t
krpc_service_procedure_count(const krpc_service_t *s)
{
	return s != NULL ? s->pb->n_procedures : 0;
}

/* Procedure i in server order. */
const krpc_procedure_t *
krpc_service_procedure_at(const krpc_service_t *s, size_t i)
{
	return s != NULL && i < s->pb->n_procedures ? &s->procs[i] : NULL;
}

/* Compares a name with a procedure (bsearch). */
static int
services_key_cmp(const void *key, const void *elt)
{
	return strcmp(key, (*(const krpc_procedure_t *const *)elt)->pb->name);
}

/* The procedure with a wire name. */
const krpc_procedure_t *
krpc_service_procedure(const krpc_service_t *s, const char *name)
{
	const krpc_procedure_t *const *p;

	if (s == NULL || name == NULL)
		return NULL;
	p = bsearch(name, s->sorted, s->pb->n_procedures, sizeof *s->sorted, services_key_cmp);
	return p != NULL ? *p : NULL;
}

/* Number of classes. */
size_t
krpc_service_class_count(const krpc_service_t *s)
{
	return s != NULL ? s->pb->n_classes : 0;
}

/* Class i. */
const krpc_class_t *
krpc_service_class_at(const krpc_service_t *s, size_t i)
{
	return s != NULL && i < s->pb->n_classes ? (const krpc_class_t *)s->pb->classes[i] : NULL;
}

/* The class named name. */
const krpc_class_t *
krpc_service_class(const krpc_service_t *s, const char *name)
{
	size_t i;

	for (i = 0; s != NULL && name != NULL && i < s->pb->n_classes; i++) {
		if (strcmp(s->pb->classes[i]->name, name) == 0)
			return (const krpc_class_t *)s->pb->classes[i];
	}
	return NULL;
}

/* Number of enumerations. */
size_t
krpc_service_enum_count(const krpc_service_t *s)
{
	return s != NULL ? s->pb->n_enumerations : 0;
}

/* Enumeration i. */
const krpc_enum_t *
krpc_service_enum_at(const krpc_service_t *s, size_t i)
{
	return s != NULL && i < s->pb->n_enumerations ? (const krpc_enum_t *)s->pb->enumerations[i] : NULL;
}

/* The enumeration named name. */
const krpc_enum_t *
krpc_service_enum(const krpc_service_t *s, const char *name)
{
	size_t i;

	for (i = 0; s != NULL && name != NULL && i < s->pb->n_enumerations; i++) {
		if (strcmp(s->pb->enumerations[i]->name, name) == 0)
			return (const krpc_enum_t *)s->pb->enumerations[i];
	}
	return NULL;
}

/* Number of exceptions. */
size_t
krpc_service_exception_count(const krpc_service_t *s)
{
	return s != NULL ? s->pb->n_exceptions : 0;
}

/* Exception i. */
const krpc_exception_t *
krpc_service_exception_at(const krpc_service_t *s, size_t i)
{
	return s != NULL && i < s->pb->n_exceptions ? (const krpc_exception_t *)s->pb->exceptions[i] : NULL;
}

/* The exception named name. */
const krpc_exception_t *
krpc_service_exception(const krpc_service_t *s, const char *name)
{
	size_t i;

	for (i = 0; s != NULL && name != NULL && i < s->pb->n_exceptions; i++) {
		if (strcmp(s->pb->exceptions[i]->name, name) == 0)
			return (const krpc_exception_t *)s->pb->exceptions[i];
	}
	return NULL;
}

/* Number of structures. */
size_t
krpc_service_struct_count(const krpc_service_t *s)
{
	return s != NULL ? s->pb->n_structs : 0;
}

/* Structure i. */
const krpc_struct_t *
krpc_service_struct_at(const krpc_service_t *s, size_t i)
{
	return s != NULL && i < s->pb->n_structs ? &s->structs[i] : NULL;
}

/* The structure named name. */
const krpc_struct_t *
krpc_service_struct(const krpc_service_t *s, const char *name)
{
	size_t i;

	for (i = 0; s != NULL && name != NULL && i < s->pb->n_structs; i++) {
		if (strcmp(s->pb->structs[i]->name, name) == 0)
			return &s->structs[i];
	}
	return NULL;
}
