/*
 * libkrpcmux service model: the answer of KRPC.GetServices as a queryable
 * tree of services, procedures (with parameter types, defaults and
 * nullability), classes, enumerations, exceptions and structures.
 *
 * Ownership: a krpc_services_t owns everything reachable from it; every
 * pointer and string returned by these functions is borrowed and lives as
 * long as the model (for krpc_client_services(), until krpc_client_close()).
 * Thread safety: a model is immutable once built; any number of threads may
 * read it at once.  Index accessors return NULL (or 0, "") when out of range.
 */
#ifndef KRPCMUX_SERVICES_H
#define KRPCMUX_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "value.h"

KRPC_BEGIN_DECLS

typedef struct krpc_services	krpc_services_t;
typedef struct krpc_service	krpc_service_t;
typedef struct krpc_procedure	krpc_procedure_t;
typedef struct krpc_parameter	krpc_parameter_t;
typedef struct krpc_class	krpc_class_t;
typedef struct krpc_enum	krpc_enum_t;
typedef struct krpc_exception	krpc_exception_t;
typedef struct krpc_struct	krpc_struct_t;

/* What a procedure is, from its wire name (PROTOCOL.md 4.1). */
typedef enum krpc_procedure_kind {
	KRPC_PROC_PLAIN,		/* Name */
	KRPC_PROC_GETTER,		/* get_Prop */
	KRPC_PROC_SETTER,		/* set_Prop */
	KRPC_PROC_METHOD,		/* Class_Method (parameter 0 is the instance) */
	KRPC_PROC_STATIC_METHOD,	/* Class_static_Method */
	KRPC_PROC_CLASS_GETTER,		/* Class_get_Prop */
	KRPC_PROC_CLASS_SETTER,		/* Class_set_Prop */
} krpc_procedure_kind_t;

/* ---- The model ------------------------------------------------------ */

/*
 * Builds a model from a serialised krpc.schema.Services message (the bytes
 * of a SERVICES value, or a saved dump).  STRUCT types everywhere in the
 * model are resolved to their fields, defaults are decoded.  On success
 * *out is a new model the caller frees with krpc_services_free().
 */
krpc_code_t		 krpc_services_parse(const void *data, size_t len, krpc_services_t **out);
void			 krpc_services_free(krpc_services_t *);

size_t			 krpc_services_count(const krpc_services_t *);
const krpc_service_t	*krpc_services_at(const krpc_services_t *, size_t i);
/* The service with that name, or NULL. */
const krpc_service_t	*krpc_services_find(const krpc_services_t *, const char *name);
/* The procedure service.procedure (wire name), or NULL. */
const krpc_procedure_t	*krpc_services_procedure(const krpc_services_t *, const char *service,
			    const char *procedure);
/*
 * Fills in the fields of every STRUCT inside t (in place) from the model's
 * structure definitions, so that values of t decode.  KRPC_ERR_NOT_FOUND
 * if a structure is unknown.
 */
krpc_code_t		 krpc_services_resolve(const krpc_services_t *, krpc_type_t *t);

/* ---- Services ------------------------------------------------------- */

const char		*krpc_service_name(const krpc_service_t *);
/* XML documentation (PROTOCOL.md 4.6), "" if none. */
const char		*krpc_service_doc(const krpc_service_t *);
bool			 krpc_service_deprecated(const krpc_service_t *);
const char		*krpc_service_deprecated_reason(const krpc_service_t *);

/* Procedures in server (procedure id) order; lookup by wire name. */
size_t			 krpc_service_procedure_count(const krpc_service_t *);
const krpc_procedure_t	*krpc_service_procedure_at(const krpc_service_t *, size_t i);
const krpc_procedure_t	*krpc_service_procedure(const krpc_service_t *, const char *name);

size_t			 krpc_service_class_count(const krpc_service_t *);
const krpc_class_t	*krpc_service_class_at(const krpc_service_t *, size_t i);
const krpc_class_t	*krpc_service_class(const krpc_service_t *, const char *name);

size_t			 krpc_service_enum_count(const krpc_service_t *);
const krpc_enum_t	*krpc_service_enum_at(const krpc_service_t *, size_t i);
const krpc_enum_t	*krpc_service_enum(const krpc_service_t *, const char *name);

size_t			 krpc_service_exception_count(const krpc_service_t *);
const krpc_exception_t	*krpc_service_exception_at(const krpc_service_t *, size_t i);
const krpc_exception_t	*krpc_service_exception(const krpc_service_t *, const char *name);

size_t			 krpc_service_struct_count(const krpc_service_t *);
const krpc_struct_t	*krpc_service_struct_at(const krpc_service_t *, size_t i);
const krpc_struct_t	*krpc_service_struct(const krpc_service_t *, const char *name);

/* ---- Procedures and parameters -------------------------------------- */

/* The wire name, e.g. "Vessel_get_Name". */
const char		*krpc_procedure_name(const krpc_procedure_t *);
const krpc_service_t	*krpc_procedure_service(const krpc_procedure_t *);
krpc_procedure_kind_t	 krpc_procedure_kind(const krpc_procedure_t *);
/* The class of a class member ("" for service-level procedures). */
const char		*krpc_procedure_class(const krpc_procedure_t *);
/* The member name: "Name", "Prop", "Method" (without class, get_/set_/static_). */
const char		*krpc_procedure_member(const krpc_procedure_t *);
/* The return type, resolved; NULL for a void procedure. */
const krpc_type_t	*krpc_procedure_return_type(const krpc_procedure_t *);
bool			 krpc_procedure_return_nullable(const krpc_procedure_t *);
const char		*krpc_procedure_doc(const krpc_procedure_t *);
bool			 krpc_procedure_deprecated(const krpc_procedure_t *);
const char		*krpc_procedure_deprecated_reason(const krpc_procedure_t *);
/* Game scenes (krpc.schema Procedure.GameScene values); none means every scene. */
size_t			 krpc_procedure_scene_count(const krpc_procedure_t *);
int			 krpc_procedure_scene_at(const krpc_procedure_t *, size_t i);

/* Parameters in position order (position 0 is "this" for class members). */
size_t			 krpc_procedure_param_count(const krpc_procedure_t *);
const krpc_parameter_t	*krpc_procedure_param_at(const krpc_procedure_t *, size_t i);
const krpc_parameter_t	*krpc_procedure_param(const krpc_procedure_t *, const char *name);

const char		*krpc_parameter_name(const krpc_parameter_t *);
size_t			 krpc_parameter_position(const krpc_parameter_t *);
/* The parameter type, resolved. */
const krpc_type_t	*krpc_parameter_type(const krpc_parameter_t *);
bool			 krpc_parameter_nullable(const krpc_parameter_t *);
/*
 * True if the parameter may be omitted (it has a default).  Servers before
 * v0.7 mark this only by a non-empty default_value; both forms are read.
 */
bool			 krpc_parameter_has_default(const krpc_parameter_t *);
bool			 krpc_parameter_default_is_null(const krpc_parameter_t *);
/* The encoded default (possibly zero bytes), or NULL without a default. */
const uint8_t		*krpc_parameter_default_data(const krpc_parameter_t *, size_t *len);
/*
 * The decoded default (a null value for a null default), or NULL without a
 * default or if it does not decode with the parameter type.
 */
const krpc_value_t	*krpc_parameter_default(const krpc_parameter_t *);

/* ---- Classes, exceptions, enumerations, structures ------------------ */

const char		*krpc_class_name(const krpc_class_t *);
const char		*krpc_class_doc(const krpc_class_t *);
bool			 krpc_class_deprecated(const krpc_class_t *);
const char		*krpc_class_deprecated_reason(const krpc_class_t *);

const char		*krpc_exception_name(const krpc_exception_t *);
const char		*krpc_exception_doc(const krpc_exception_t *);
bool			 krpc_exception_deprecated(const krpc_exception_t *);
const char		*krpc_exception_deprecated_reason(const krpc_exception_t *);

const char		*krpc_enum_name(const krpc_enum_t *);
const char		*krpc_enum_doc(const krpc_enum_t *);
bool			 krpc_enum_deprecated(const krpc_enum_t *);
const char		*krpc_enum_deprecated_reason(const krpc_enum_t *);
size_t			 krpc_enum_value_count(const krpc_enum_t *);
const char		*krpc_enum_value_name(const krpc_enum_t *, size_t i);
int32_t			 krpc_enum_value_at(const krpc_enum_t *, size_t i);
const char		*krpc_enum_value_doc(const krpc_enum_t *, size_t i);
/* The value named name: KRPC_OK, or KRPC_ERR_NOT_FOUND. */
krpc_code_t		 krpc_enum_lookup(const krpc_enum_t *, const char *name, int32_t *value);
/* The name of a value, or NULL. */
const char		*krpc_enum_value_name_of(const krpc_enum_t *, int32_t value);

const char		*krpc_struct_name(const krpc_struct_t *);
const char		*krpc_struct_doc(const krpc_struct_t *);
bool			 krpc_struct_deprecated(const krpc_struct_t *);
const char		*krpc_struct_deprecated_reason(const krpc_struct_t *);
/* The STRUCT type with its fields (decodes values of the structure). */
const krpc_type_t	*krpc_struct_type(const krpc_struct_t *);
size_t			 krpc_struct_field_count(const krpc_struct_t *);
const char		*krpc_struct_field_name(const krpc_struct_t *, size_t i);
const krpc_type_t	*krpc_struct_field_type(const krpc_struct_t *, size_t i);
const char		*krpc_struct_field_doc(const krpc_struct_t *, size_t i);
/* The index of a field by name, or -1. */
long			 krpc_struct_field_index(const krpc_struct_t *, const char *name);

KRPC_END_DECLS

#endif
