/*
 * Procedures and parameters of the service model: what a wire name means
 * (PROTOCOL.md 4.1), resolved parameter and return types, and decoded
 * defaults (both the v0.7 flags and the older non-empty-default form).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* True if s starts with prefix. */
static bool
proc_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Splits the wire name into kind, class and member. */
static krpc_code_t
proc_parse_name(krpc_procedure_t *p)
{
	const char *name = p->pb->name, *us = strchr(name, '_'), *rest;

	p->kind = KRPC_PROC_PLAIN;
	p->member = name;
	if (us != NULL && (proc_prefix(name, "get_") || proc_prefix(name, "set_"))) {
		p->kind = name[0] == 'g' ? KRPC_PROC_GETTER : KRPC_PROC_SETTER;
		p->member = name + 4;
	} else if (us != NULL) {
		rest = us + 1;
		if (proc_prefix(rest, "get_") || proc_prefix(rest, "set_")) {
			p->kind = rest[0] == 'g' ? KRPC_PROC_CLASS_GETTER : KRPC_PROC_CLASS_SETTER;
			p->member = rest + 4;
		} else if (proc_prefix(rest, "static_")) {
			p->kind = KRPC_PROC_STATIC_METHOD;
			p->member = rest + 7;
		} else {
			p->kind = KRPC_PROC_METHOD;
			p->member = rest;
		}
		p->class_name = strndup(name, (size_t)(us - name));
	}
	if (p->class_name == NULL)
		p->class_name = strdup("");
	if (p->class_name == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	return KRPC_OK;
}

/* Builds parameter i: type, default flags and decoded default. */
static krpc_code_t
proc_param_init(krpc_parameter_t *a, const krpc_services_t *m, const Krpc__Schema__Parameter *pb,
    size_t position)
{
	krpc_code_t rc;

	a->pb = pb;
	a->position = position;
	if ((rc = krpc_services_type(m, pb->type, &a->type)) != KRPC_OK)
		return rc;
	a->has_default = pb->has_default_value || pb->default_value_is_null || pb->default_value.len > 0;
	if (!a->has_default)
		return KRPC_OK;
	if (pb->default_value_is_null)
		a->def = krpc_value_null(krpc_type_code(a->type));
	else if (krpc_value_decode(a->type, pb->default_value.data, pb->default_value.len, false,
	    &a->def, NULL, 0) != KRPC_OK)
		a->def = NULL;	/* undecodable: the raw bytes stay available */
	return KRPC_OK;
}

/* Builds a procedure's derived data. */
krpc_code_t
krpc_procedure_init(krpc_procedure_t *p, const krpc_services_t *m, const krpc_service_t *s,
    const Krpc__Schema__Procedure *pb)
{
	krpc_code_t rc;
	size_t i;

	p->pb = pb;
	p->service = s;
	if ((rc = proc_parse_name(p)) != KRPC_OK)
		return rc;
	if (pb->return_type != NULL && pb->return_type->code != KRPC__SCHEMA__TYPE__TYPE_CODE__NONE &&
	    (rc = krpc_services_type(m, pb->return_type, &p->ret)) != KRPC_OK)
		return rc;
	if ((p->params = calloc(pb->n_parameters + 1, sizeof *p->params)) == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	for (i = 0; i < pb->n_parameters; i++, p->nparams++) {
		if ((rc = proc_param_init(&p->params[i], m, pb->parameters[i], i)) != KRPC_OK) {
			p->nparams++;
			return rc;
		}
	}
	return KRPC_OK;
}

/* Frees a procedure's derived data. */
void
krpc_procedure_fini(krpc_procedure_t *p)
{
	size_t i;

	for (i = 0; i < p->nparams; i++) {
		krpc_type_free(p->params[i].type);
		krpc_value_free(p->params[i].def);
	}
	free(p->params);
	krpc_type_free(p->ret);
	free(p->class_name);
}

/* ---- procedures ----------------------------------------------------- */

/* The wire name. */
const char *
krpc_procedure_name(const krpc_procedure_t *p)
{
	return p != NULL ? p->pb->name : "";
}

/* The service the procedure belongs to. */
const krpc_service_t *
krpc_procedure_service(const krpc_procedure_t *p)
{
	return p != NULL ? p->service : NULL;
}

/* What the procedure is. */
krpc_procedure_kind_t
krpc_procedure_kind(const krpc_procedure_t *p)
{
	return p != NULL ? p->kind : KRPC_PROC_PLAIN;
}

/* The class of a class member, or "". */
const char *
krpc_procedure_class(const krpc_procedure_t *p)
{
	return p != NULL ? p->class_name : "";
}

/* The member name without class and prefixes. */
const char *
krpc_procedure_member(const krpc_procedure_t *p)
{
	return p != NULL ? p->member : "";
}

/* The resolved return type, NULL for void. */
const krpc_type_t *
krpc_procedure_return_type(const krpc_procedure_t *p)
{
	return p != NULL ? p->ret : NULL;
}

/* True if the procedure may return null. */
bool
krpc_procedure_return_nullable(const krpc_procedure_t *p)
{
	return p != NULL && p->pb->return_is_nullable;
}

/* The procedure's documentation. */
const char *
krpc_procedure_doc(const krpc_procedure_t *p)
{
	return p != NULL ? p->pb->documentation : "";
}

/* True if deprecated. */
bool
krpc_procedure_deprecated(const krpc_procedure_t *p)
{
	return p != NULL && p->pb->deprecated;
}

/* Why deprecated. */
const char *
krpc_procedure_deprecated_reason(const krpc_procedure_t *p)
{
	return p != NULL ? p->pb->deprecated_reason : "";
}

/* Number of game scenes listed (0: all). */
size_t
krpc_procedure_scene_count(const krpc_procedure_t *p)
{
	return p != NULL ? p->pb->n_game_scenes : 0;
}

/* Game scene i, or -1. */
int
krpc_procedure_scene_at(const krpc_procedure_t *p, size_t i)
{
	return p != NULL && i < p->pb->n_game_scenes ? (int)p->pb->game_scenes[i] : -1;
}

/* Number of parameters. */
size_t
krpc_procedure_param_count(const krpc_procedure_t *p)
{
	return p != NULL ? p->nparams : 0;
}

/* Parameter i. */
const krpc_parameter_t *
krpc_procedure_param_at(const krpc_procedure_t *p, size_t i)
{
	return p != NULL && i < p->nparams ? &p->params[i] : NULL;
}

/* The parameter named name. */
const krpc_parameter_t *
krpc_procedure_param(const krpc_procedure_t *p, const char *name)
{
	size_t i;

	for (i = 0; p != NULL && name != NULL && i < p->nparams; i++) {
		if (strcmp(p->params[i].pb->name, name) == 0)
			return &p->params[i];
	}
	return NULL;
}

/* ---- parameters ----------------------------------------------------- */

/* The parameter's name. */
const char *
krpc_parameter_name(const krpc_parameter_t *a)
{
	return a != NULL ? a->pb->name : "";
}

/* The parameter's position. */
size_t
krpc_parameter_position(const krpc_parameter_t *a)
{
	return a != NULL ? a->position : 0;
}

/* The resolved parameter type. */
const krpc_type_t *
krpc_parameter_type(const krpc_parameter_t *a)
{
	return a != NULL ? a->type : NULL;
}

/* True if null is allowed. */
bool
krpc_parameter_nullable(const krpc_parameter_t *a)
{
	return a != NULL && (a->pb->nullable || a->pb->default_value_is_null);
}

/* True if the parameter has a default. */
bool
krpc_parameter_has_default(const krpc_parameter_t *a)
{
	return a != NULL && a->has_default;
}

/* True if the default is null. */
bool
krpc_parameter_default_is_null(const krpc_parameter_t *a)
{
	return a != NULL && a->pb->default_value_is_null;
}

/* The encoded default. */
const uint8_t *
krpc_parameter_default_data(const krpc_parameter_t *a, size_t *len)
{
	static const uint8_t empty[1];

	if (len != NULL)
		*len = 0;
	if (a == NULL || !a->has_default)
		return NULL;
	if (len != NULL)
		*len = a->pb->default_value.len;
	return a->pb->default_value.len > 0 ? a->pb->default_value.data : empty;
}

/* The decoded default. */
const krpc_value_t *
krpc_parameter_default(const krpc_parameter_t *a)
{
	return a != NULL ? a->def : NULL;
}
