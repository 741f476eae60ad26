/*
 * krpc-stubgen C types: how each kRPC type is written in the generated C
 * (kinds, type names, constructors and readers of the library's values,
 * type texts for krpc_call() and literals for parameter defaults).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

static const struct {
	krpc_type_code_t	 code;
	ctype_kind_t		 kind;
	const char		*cname;
	const char		*macro;
} ctype_table[] = {
	{ KRPC_TYPE_DOUBLE, CT_DOUBLE, "double", "KRPC_TYPE_DOUBLE" },
	{ KRPC_TYPE_FLOAT, CT_FLOAT, "float", "KRPC_TYPE_FLOAT" },
	{ KRPC_TYPE_SINT32, CT_SINT32, "int32_t", "KRPC_TYPE_SINT32" },
	{ KRPC_TYPE_SINT64, CT_SINT64, "int64_t", "KRPC_TYPE_SINT64" },
	{ KRPC_TYPE_UINT32, CT_UINT32, "uint32_t", "KRPC_TYPE_UINT32" },
	{ KRPC_TYPE_UINT64, CT_UINT64, "uint64_t", "KRPC_TYPE_UINT64" },
	{ KRPC_TYPE_BOOL, CT_BOOL, "bool", "KRPC_TYPE_BOOL" },
	{ KRPC_TYPE_STRING, CT_STRING, "char", "KRPC_TYPE_STRING" },
	{ KRPC_TYPE_BYTES, CT_BYTES, "uint8_t", "KRPC_TYPE_BYTES" },
	{ KRPC_TYPE_CLASS, CT_CLASS, "uint64_t", "KRPC_TYPE_CLASS" },
	{ KRPC_TYPE_ENUMERATION, CT_ENUM, "int32_t", "KRPC_TYPE_ENUMERATION" },
	{ KRPC_TYPE_STRUCT, CT_RECORD, "krpc_value_t", "KRPC_TYPE_STRUCT" },
	{ KRPC_TYPE_EVENT, CT_EVENT, "krpc_event_t", "KRPC_TYPE_EVENT" },
	{ KRPC_TYPE_PROCEDURE_CALL, CT_VALUE, "krpc_value_t", "KRPC_TYPE_PROCEDURE_CALL" },
	{ KRPC_TYPE_STREAM, CT_VALUE, "krpc_value_t", "KRPC_TYPE_STREAM" },
	{ KRPC_TYPE_STATUS, CT_STATUS, "krpc_value_t", "KRPC_TYPE_STATUS" },
	{ KRPC_TYPE_SERVICES, CT_VALUE, "krpc_value_t", "KRPC_TYPE_SERVICES" },
	{ KRPC_TYPE_TUPLE, CT_RECORD, "krpc_value_t", "KRPC_TYPE_TUPLE" },
	{ KRPC_TYPE_LIST, CT_VALUE, "krpc_value_t", "KRPC_TYPE_LIST" },
	{ KRPC_TYPE_SET, CT_VALUE, "krpc_value_t", "KRPC_TYPE_SET" },
	{ KRPC_TYPE_DICTIONARY, CT_VALUE, "krpc_value_t", "KRPC_TYPE_DICTIONARY" },
};
#define CTYPE_N (sizeof ctype_table / sizeof ctype_table[0])

/* The table row of a code, or -1. */
static int
ctype_row(krpc_type_code_t code)
{
	size_t i;

	for (i = 0; i < CTYPE_N; i++) {
		if (ctype_table[i].code == code)
			return (int)i;
	}
	return -1;
}

/* The kind of a type. */
ctype_kind_t
ctype_kind(const krpc_type_t *t)
{
	int i;

	if (t == NULL)
		return CT_VOID;
	i = ctype_row(krpc_type_code(t));
	return i < 0 ? CT_VALUE : ctype_table[i].kind;
}

/* True for kinds passed by value. */
bool
ctype_is_scalar(ctype_kind_t k)
{
	return k >= CT_DOUBLE && k <= CT_CLASS;
}

/* The C type of a value. */
char *
ctype_name(arena_t *a, const char *svc, const krpc_type_t *t)
{
	krpc_type_code_t code = krpc_type_code(t);
	int i = ctype_row(code);

	if (code == KRPC_TYPE_CLASS)	/* typed handles, this service's or another's */
		return arena_printf(a, "%s_%s", krpc_type_service(t), krpc_type_name(t));
	if ((code == KRPC_TYPE_ENUMERATION || code == KRPC_TYPE_STRUCT) &&
	    strcmp(krpc_type_service(t), svc) == 0)
		return arena_printf(a, "%s_%s", svc, krpc_type_name(t));
	if (code == KRPC_TYPE_STATUS)
		return arena_printf(a, "%s_Status", svc);
	return arena_strdup(a, i < 0 ? "krpc_value_t" : ctype_table[i].cname);
}

/* The KRPC_TYPE_* constant of a code. */
const char *
ctype_code_macro(krpc_type_code_t code)
{
	int i = ctype_row(code);

	return i < 0 ? "KRPC_TYPE_NONE" : ctype_table[i].macro;
}

/* Suffix of krpc_value_<x>() and krpc_value_as_<x>(). */
const char *
ctype_value_fn(ctype_kind_t k)
{
	static const char *const fns[] = {
		[CT_DOUBLE] = "double", [CT_FLOAT] = "float", [CT_SINT32] = "sint32",
		[CT_SINT64] = "sint64", [CT_UINT32] = "uint32", [CT_UINT64] = "uint64",
		[CT_BOOL] = "bool", [CT_ENUM] = "enum", [CT_CLASS] = "object",
		[CT_STRING] = "string", [CT_BYTES] = "bytes",
	};

	return (size_t)k < sizeof fns / sizeof fns[0] && fns[k] != NULL ? fns[k] : "value";
}

/* The type text for krpc_call(). */
char *
ctype_text(arena_t *a, const krpc_type_t *t)
{
	char *s, *copy;

	if (t == NULL)
		return arena_strdup(a, "");
	if ((s = krpc_type_format(t)) == NULL) {
		fputs(STUBGEN_NAME ": out of memory\n", stderr);
		exit(2);
	}
	copy = arena_strdup(a, s);
	free(s);
	return copy;
}

/* Appends t in the type text form, structures by name only. */
static void
ctype_short(text_t *out, const krpc_type_t *t)
{
	static const char *const words[][2] = {
		{ "DOUBLE", "double" }, { "FLOAT", "float" }, { "SINT32", "sint32" },
		{ "SINT64", "sint64" }, { "UINT32", "uint32" }, { "UINT64", "uint64" },
		{ "BOOL", "bool" }, { "STRING", "string" }, { "BYTES", "bytes" }, { "CLASS", "class" },
		{ "ENUMERATION", "enum" }, { "STRUCT", "struct" }, { "EVENT", "event" },
		{ "PROCEDURE_CALL", "procedure_call" }, { "STREAM", "stream" }, { "STATUS", "status" },
		{ "SERVICES", "services" }, { "TUPLE", "tuple" }, { "LIST", "list" }, { "SET", "set" },
		{ "DICTIONARY", "dict" },
	};
	const char *name = krpc_type_code_name(krpc_type_code(t)), *word = "none";
	size_t i;

	for (i = 0; name != NULL && i < sizeof words / sizeof words[0]; i++) {
		if (strcmp(words[i][0], name) == 0)
			word = words[i][1];
	}
	text_puts(out, word);
	if (*krpc_type_service(t) != '\0') {
		text_printf(out, "(%s.%s)", krpc_type_service(t), krpc_type_name(t));
		return;
	}
	if (krpc_type_code(t) < KRPC_TYPE_TUPLE)
		return;
	text_putc(out, '(');
	for (i = 0; i < krpc_type_count(t); i++) {
		text_puts(out, i > 0 ? ", " : "");
		ctype_short(out, krpc_type_sub(t, i));
	}
	text_putc(out, ')');
}

/* The type text of t for comments. */
char *
ctype_display(arena_t *a, const krpc_type_t *t)
{
	text_t out = TEXT_INIT;
	char *s;

	if (t == NULL)
		return arena_strdup(a, "void");
	ctype_short(&out, t);
	s = arena_strdup(a, text_str(&out));
	text_free(&out);
	return s;
}

/* The shortest literal that reads back as d (floats with an "f"), in fixed notation when short. */
static char *
ctype_float_literal(arena_t *a, double d, bool single, bool *needs_math)
{
	char buf[400];
	int prec, exp;

	if (isnan(d) || isinf(d)) {
		*needs_math = true;
		return arena_strdup(a, isnan(d) ? "NAN" : d > 0 ? "INFINITY" : "-INFINITY");
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
		if (single ? strtof(buf, NULL) == (float)d : strtod(buf, NULL) == d)
			break;
	}
	snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
	exp = atoi(strchr(buf, 'e') + 1);
	if (exp >= -4 && exp < 16)	/* as Python's repr() does */
		snprintf(buf, sizeof buf, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
	if (strpbrk(buf, ".e") == NULL)
		strcat(buf, ".0");
	return arena_printf(a, "%s%s", buf, single ? "f" : "");
}

/* A C string literal. */
char *
ctype_c_string(arena_t *a, const char *s, size_t len)
{
	text_t t = TEXT_INIT;
	unsigned char c;
	size_t i;
	char *lit;

	text_putc(&t, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\' || c == '?')
			text_printf(&t, "\\%c", c);
		else if (c == '\n')
			text_puts(&t, "\\n");
		else if (c < 0x20 || c >= 0x7f)
			text_printf(&t, "\\%03o", c);
		else
			text_putc(&t, (char)c);
	}
	text_putc(&t, '"');
	lit = arena_strdup(a, text_str(&t));
	text_free(&t);
	return lit;
}

/* The literal of an enumeration default: the constant's name if known. */
static char *
ctype_enum_literal(arena_t *a, const krpc_services_t *m, const char *svc, const krpc_type_t *t,
    int32_t v)
{
	const krpc_service_t *s = krpc_services_find(m, svc);
	const krpc_enum_t *e = s != NULL ? krpc_service_enum(s, krpc_type_name(t)) : NULL;
	const char *name = e != NULL ? krpc_enum_value_name_of(e, v) : NULL;

	if (strcmp(krpc_type_service(t), svc) != 0)
		return arena_printf(a, "%" PRId32, v);
	if (name != NULL)
		return arena_printf(a, "%s_%s_%s", svc, krpc_type_name(t), name);
	return arena_printf(a, "((%s_%s)%" PRId32 ")", svc, krpc_type_name(t), v);
}

/* The literal of a default (see stubgen.h). */
char *
ctype_default_literal(arena_t *a, const krpc_services_t *m, const char *svc,
    const krpc_parameter_t *p, bool *needs_math)
{
	const krpc_type_t *t = krpc_parameter_type(p);
	const krpc_value_t *v = krpc_parameter_default(p);
	double d;
	float f;
	int32_t i32;
	int64_t i64;
	uint32_t u32;
	uint64_t u64;
	bool b;
	const char *s;
	size_t len;

	if (!krpc_parameter_has_default(p) || v == NULL)
		return NULL;
	if (krpc_value_is_null(v))
		return ctype_kind(t) == CT_CLASS ? arena_printf(a, "%s_NULL", ctype_name(a, svc, t)) : NULL;
	switch (ctype_kind(t)) {
	case CT_DOUBLE:
		return krpc_value_as_double(v, &d) ? NULL : ctype_float_literal(a, d, false, needs_math);
	case CT_FLOAT:
		return krpc_value_as_float(v, &f) ? NULL : ctype_float_literal(a, f, true, needs_math);
	case CT_SINT32:
		if (krpc_value_as_sint32(v, &i32))
			return NULL;
		return i32 == INT32_MIN ? arena_strdup(a, "INT32_MIN") : arena_printf(a, "%" PRId32, i32);
	case CT_SINT64:
		if (krpc_value_as_sint64(v, &i64))
			return NULL;
		return i64 == INT64_MIN ? arena_strdup(a, "INT64_MIN") :
		    arena_printf(a, "INT64_C(%" PRId64 ")", i64);
	case CT_UINT32:
		return krpc_value_as_uint32(v, &u32) ? NULL : arena_printf(a, "%" PRIu32 "u", u32);
	case CT_UINT64:
		return krpc_value_as_uint64(v, &u64) ? NULL : arena_printf(a, "UINT64_C(%" PRIu64 ")", u64);
	case CT_BOOL:
		return krpc_value_as_bool(v, &b) ? NULL : arena_strdup(a, b ? "true" : "false");
	case CT_ENUM:
		return krpc_value_as_enum(v, &i32) ? NULL : ctype_enum_literal(a, m, svc, t, i32);
	case CT_CLASS:
		return krpc_value_as_object(v, &u64) ? NULL : arena_printf(a, "((%s){ UINT64_C(%" PRIu64 ") })",
		    ctype_name(a, svc, t), u64);
	case CT_STRING:
		return (s = krpc_value_str(v, &len)) == NULL ? NULL : ctype_c_string(a, s, len);
	default:
		return NULL;
	}
}
