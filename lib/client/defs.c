/*
 * Definitions of the service model: classes, exceptions, enumerations and
 * structures.  Classes, exceptions and enumerations are the schema
 * messages themselves behind opaque pointers; structures carry their
 * resolved type.
 */
#include <string.h>

#include "internal.h"

/* The schema message behind a class handle. */
static const Krpc__Schema__Class *
defs_class(const krpc_class_t *c)
{
	return (const Krpc__Schema__Class *)(const void *)c;
}

/* The schema message behind an exception handle. */
static const Krpc__Schema__Exception *
defs_exception(const krpc_exception_t *e)
{
	return (const Krpc__Schema__Exception *)(const void *)e;
}

/* The schema message behind an enumeration handle. */
static const Krpc__Schema__Enumeration *
defs_enum(const krpc_enum_t *e)
{
	return (const Krpc__Schema__Enumeration *)(const void *)e;
}

/* Enumeration value i, or NULL. */
static const Krpc__Schema__EnumerationValue *
defs_enum_value(const krpc_enum_t *e, size_t i)
{
	return e != NULL && i < defs_enum(e)->n_values ? defs_enum(e)->values[i] : NULL;
}

/* Structure field i, or NULL. */
static const Krpc__Schema__StructField *
defs_field(const krpc_struct_t *s, size_t i)
{
	return s != NULL && i < s->pb->n_fields ? s->pb->fields[i] : NULL;
}

/* ---- classes -------------------------------------------------------- */

/* The class name. */
const char *
krpc_class_name(const krpc_class_t *c)
{
	return c != NULL ? defs_class(c)->name : "";
}

/* The class documentation. */
const char *
krpc_class_doc(const krpc_class_t *c)
{
	return c != NULL ? defs_class(c)->documentation : "";
}

/* True if the class is deprecated. */
bool
krpc_class_deprecated(const krpc_class_t *c)
{
	return c != NULL && defs_class(c)->deprecated;
}

/* Why the class is deprecated. */
const char *
krpc_class_deprecated_reason(const krpc_class_t *c)
{
	return c != NULL ? defs_class(c)->deprecated_reason : "";
}

/* ---- exceptions ----------------------------------------------------- */

/* The exception name. */
const char *
krpc_exception_name(const krpc_exception_t *e)
{
	return e != NULL ? defs_exception(e)->name : "";
}

/* The exception documentation. */
const char *
krpc_exception_doc(const krpc_exception_t *e)
{
	return e != NULL ? defs_exception(e)->documentation : "";
}

/* True if the exception is deprecated. */
bool
krpc_exception_deprecated(const krpc_exception_t *e)
{
	return e != NULL && defs_exception(e)->deprecated;
}

/* Why the exception is deprecated. */
const char *
krpc_exception_deprecated_reason(const krpc_exception_t *e)
{
	return e != NULL ? defs_exception(e)->deprecated_reason : "";
}

/* ---- enumerations --------------------------------------------------- */

/* The enumeration name. */
const char *
krpc_enum_name(const krpc_enum_t *e)
{
	return e != NULL ? defs_enum(e)->name : "";
}

/* The enumeration documentation. */
const char *
krpc_enum_doc(const krpc_enum_t *e)
{
	return e != NULL ? defs_enum(e)->documentation : "";
}

/* True if the enumeration is deprecated. */
bool
krpc_enum_deprecated(const krpc_enum_t *e)
{
	return e != NULL && defs_enum(e)->deprecated;
}

/* Why the enumeration is deprecated. */
const char *
krpc_enum_deprecated_reason(const krpc_enum_t *e)
{
	return e != NULL ? defs_enum(e)->deprecated_reason : "";
}

/* Number of values. */
size_t
krpc_enum_value_count(const krpc_enum_t *e)
{
	return e != NULL ? defs_enum(e)->n_values : 0;
}

/* The name of value i. */
const char *
krpc_enum_value_name(const krpc_enum_t *e, size_t i)
{
	const Krpc__Schema__EnumerationValue *v = defs_enum_value(e, i);

	return v != NULL ? v->name : "";
}

/* The integer of value i (0 if out of range). */
int32_t
krpc_enum_value_at(const krpc_enum_t *e, size_t i)
{
	const Krpc__Schema__EnumerationValue *v = defs_enum_value(e, i);

	return v != NULL ? v->value : 0;
}

/* The documentation of value i. */
const char *
krpc_enum_value_doc(const krpc_enum_t *e, size_t i)
{
	const Krpc__Schema__EnumerationValue *v = defs_enum_value(e, i);

	return v != NULL ? v->documentation : "";
}

/* The integer of the value named name. */
krpc_code_t
krpc_enum_lookup(const krpc_enum_t *e, const char *name, int32_t *value)
{
	const Krpc__Schema__EnumerationValue *v;
	size_t i;

	for (i = 0; name != NULL && (v = defs_enum_value(e, i)) != NULL; i++) {
		if (strcmp(v->name, name) == 0) {
			if (value != NULL)
				*value = v->value;
			return KRPC_OK;
		}
	}
	return krpc_error_set(KRPC_ERR_NOT_FOUND, "no value %s in enumeration %s",
	    name ? name : "(null)", krpc_enum_name(e));
}

/* The name of an integer value, or NULL. */
const char *
krpc_enum_value_name_of(const krpc_enum_t *e, int32_t value)
{
	const Krpc__Schema__EnumerationValue *v;
	size_t i;

	for (i = 0; (v = defs_enum_value(e, i)) != NULL; i++) {
		if (v->value == value)
			return v->name;
	}
	return NULL;
}

/* ---- structures ----------------------------------------------------- */

/* The structure name. */
const char *
krpc_struct_name(const krpc_struct_t *s)
{
	return s != NULL ? s->pb->name : "";
}

/* The structure documentation. */
const char *
krpc_struct_doc(const krpc_struct_t *s)
{
	return s != NULL ? s->pb->documentation : "";
}

/* True if the structure is deprecated. */
bool
krpc_struct_deprecated(const krpc_struct_t *s)
{
	return s != NULL && s->pb->deprecated;
}

/* Why the structure is deprecated. */
const char *
krpc_struct_deprecated_reason(const krpc_struct_t *s)
{
	return s != NULL ? s->pb->deprecated_reason : "";
}

/* The STRUCT type with fields. */
const krpc_type_t *
krpc_struct_type(const krpc_struct_t *s)
{
	return s != NULL ? s->type : NULL;
}

/* Number of fields. */
size_t
krpc_struct_field_count(const krpc_struct_t *s)
{
	return s != NULL ? s->pb->n_fields : 0;
}

/* The name of field i. */
const char *
krpc_struct_field_name(const krpc_struct_t *s, size_t i)
{
	const Krpc__Schema__StructField *f = defs_field(s, i);

	return f != NULL ? f->name : "";
}

/* The resolved type of field i. */
const krpc_type_t *
krpc_struct_field_type(const krpc_struct_t *s, size_t i)
{
	return s != NULL ? krpc_type_sub(s->type, i) : NULL;
}

/* The documentation of field i. */
const char *
krpc_struct_field_doc(const krpc_struct_t *s, size_t i)
{
	const Krpc__Schema__StructField *f = defs_field(s, i);

	return f != NULL ? f->documentation : "";
}

/* The index of the field named name, or -1. */
long
krpc_struct_field_index(const krpc_struct_t *s, const char *name)
{
	const Krpc__Schema__StructField *f;
	size_t i;

	for (i = 0; name != NULL && (f = defs_field(s, i)) != NULL; i++) {
		if (strcmp(f->name, name) == 0)
			return (long)i;
	}
	return -1;
}
