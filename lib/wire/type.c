/*
 * kRPC types: the type tree that drives value decoding, its text form
 * ("list(tuple(sint32, string))") and conversions to and from the schema.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* Deepest nesting accepted when parsing or converting types. */
#define TYPE_DEPTH_MAX 32

struct krpc_type {
	krpc_type_code_t	  code;
	char			 *service;
	char			 *name;
	size_t			  n;
	krpc_type_t		**types;
};

static const struct {
	krpc_type_code_t	 code;
	const char		*schema;	/* krpc.schema.Type.TypeCode name */
	const char		*text;		/* krpc_type_parse() keyword */
} type_names[] = {
	{ KRPC_TYPE_NONE, "NONE", "none" },
	{ KRPC_TYPE_DOUBLE, "DOUBLE", "double" },
	{ KRPC_TYPE_FLOAT, "FLOAT", "float" },
	{ KRPC_TYPE_SINT32, "SINT32", "sint32" },
	{ KRPC_TYPE_SINT64, "SINT64", "sint64" },
	{ KRPC_TYPE_UINT32, "UINT32", "uint32" },
	{ KRPC_TYPE_UINT64, "UINT64", "uint64" },
	{ KRPC_TYPE_BOOL, "BOOL", "bool" },
	{ KRPC_TYPE_STRING, "STRING", "string" },
	{ KRPC_TYPE_BYTES, "BYTES", "bytes" },
	{ KRPC_TYPE_CLASS, "CLASS", "class" },
	{ KRPC_TYPE_ENUMERATION, "ENUMERATION", "enum" },
	{ KRPC_TYPE_STRUCT, "STRUCT", "struct" },
	{ KRPC_TYPE_EVENT, "EVENT", "event" },
	{ KRPC_TYPE_PROCEDURE_CALL, "PROCEDURE_CALL", "procedure_call" },
	{ KRPC_TYPE_STREAM, "STREAM", "stream" },
	{ KRPC_TYPE_STATUS, "STATUS", "status" },
	{ KRPC_TYPE_SERVICES, "SERVICES", "services" },
	{ KRPC_TYPE_TUPLE, "TUPLE", "tuple" },
	{ KRPC_TYPE_LIST, "LIST", "list" },
	{ KRPC_TYPE_SET, "SET", "set" },
	{ KRPC_TYPE_DICTIONARY, "DICTIONARY", "dict" },
};
#define N_TYPE_NAMES (sizeof type_names / sizeof type_names[0])

/* Text parser state. */
struct type_parser {
	const char	*p;
	char		*why;
	size_t		 whylen;
};

static void type_why(struct type_parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Records why parsing failed. */
static void
type_why(struct type_parser *tp, const char *fmt, ...)
{
	va_list ap;

	if (tp->why == NULL || tp->whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(tp->why, tp->whylen, fmt, ap);
	va_end(ap);
}

static void
type_skip_space(struct type_parser *tp)
{
	while (isspace((unsigned char)*tp->p))
		tp->p++;
}

/* Reads a run of identifier characters (letters, digits, '_', '.'). */
static size_t
type_word(struct type_parser *tp, const char **start)
{
	size_t n = 0;

	type_skip_space(tp);
	*start = tp->p;
	while (isalnum((unsigned char)tp->p[n]) || tp->p[n] == '_' || tp->p[n] == '.')
		n++;
	tp->p += n;
	return n;
}

static bool
type_expect(struct type_parser *tp, char c)
{
	type_skip_space(tp);
	if (*tp->p != c) {
		type_why(tp, "expected '%c' at \"%.20s\"", c, tp->p);
		return false;
	}
	tp->p++;
	return true;
}

/* Splits "Service.Name" into a named type of the given code. */
static krpc_type_t *
type_parse_named(struct type_parser *tp, krpc_type_code_t code)
{
	const char *w, *dot;
	size_t n;
	char *service, *name;
	krpc_type_t *t;

	n = type_word(tp, &w);
	dot = memchr(w, '.', n);
	if (dot == NULL || dot == w || dot == w + n - 1 || memchr(dot + 1, '.', (size_t)(w + n - dot - 1))) {
		type_why(tp, "expected Service.Name at \"%.20s\"", w);
		return NULL;
	}
	service = strndup(w, (size_t)(dot - w));
	name = strndup(dot + 1, (size_t)(w + n - dot - 1));
	t = (service && name) ? krpc_type_named(code, service, name) : NULL;
	free(service);
	free(name);
	if (t == NULL)
		type_why(tp, "out of memory");
	return t;
}

static krpc_type_t *type_parse_one(struct type_parser *, int);

/* Parses "t, t, ..." up to the closing ')' into t's sub-types. */
static bool
type_parse_list(struct type_parser *tp, krpc_type_t *t, int depth)
{
	krpc_type_t *sub;

	type_skip_space(tp);
	if (*tp->p == ')')
		return true;
	for (;;) {
		if ((sub = type_parse_one(tp, depth + 1)) == NULL)
			return false;
		if (krpc_type_add(t, sub) != KRPC_OK) {
			type_why(tp, "out of memory");
			return false;
		}
		type_skip_space(tp);
		if (*tp->p != ',')
			return true;
		tp->p++;
	}
}

/* Checks the number of sub-types a collection code needs. */
static bool
type_check_arity(struct type_parser *tp, const krpc_type_t *t)
{
	size_t want = 0;

	switch (t->code) {
	case KRPC_TYPE_LIST:
	case KRPC_TYPE_SET:
		want = 1;
		break;
	case KRPC_TYPE_DICTIONARY:
		want = 2;
		break;
	case KRPC_TYPE_TUPLE:
		if (t->n == 0) {
			type_why(tp, "tuple needs at least one item type");
			return false;
		}
		return true;
	default:
		return true;
	}
	if (t->n != want) {
		type_why(tp, "%s takes %zu type%s, not %zu",
		    krpc_type_code_name(t->code), want, want == 1 ? "" : "s", t->n);
		return false;
	}
	return true;
}

static krpc_type_t *
type_parse_one(struct type_parser *tp, int depth)
{
	const char *w;
	size_t n, i;
	krpc_type_t *t = NULL;
	krpc_type_code_t code;

	if (depth > TYPE_DEPTH_MAX) {
		type_why(tp, "type nested too deeply");
		return NULL;
	}
	n = type_word(tp, &w);
	for (i = 0; i < N_TYPE_NAMES; i++) {
		if (strlen(type_names[i].text) == n && strncmp(type_names[i].text, w, n) == 0)
			break;
	}
	if (n == 0 || i == N_TYPE_NAMES || type_names[i].code == KRPC_TYPE_NONE) {
		type_why(tp, "unknown type \"%.*s\"", (int)(n ? n : 1), n ? w : tp->p);
		return NULL;
	}
	code = type_names[i].code;
	switch (code) {
	case KRPC_TYPE_CLASS:
	case KRPC_TYPE_ENUMERATION:
	case KRPC_TYPE_STRUCT:
		if (!type_expect(tp, '(') || (t = type_parse_named(tp, code)) == NULL)
			return NULL;
		type_skip_space(tp);
		if (code == KRPC_TYPE_STRUCT && *tp->p == ':') {
			tp->p++;
			if (!type_parse_list(tp, t, depth))
				goto fail;
		}
		if (!type_expect(tp, ')'))
			goto fail;
		return t;
	case KRPC_TYPE_TUPLE:
	case KRPC_TYPE_LIST:
	case KRPC_TYPE_SET:
	case KRPC_TYPE_DICTIONARY:
		if ((t = krpc_type_new(code)) == NULL) {
			type_why(tp, "out of memory");
			return NULL;
		}
		if (!type_expect(tp, '(') || !type_parse_list(tp, t, depth) ||
		    !type_expect(tp, ')') || !type_check_arity(tp, t))
			goto fail;
		return t;
	default:
		if ((t = krpc_type_new(code)) == NULL)
			type_why(tp, "out of memory");
		return t;
	}
fail:
	krpc_type_free(t);
	return NULL;
}

/* Appends the text form of t to b. */
static void
type_write(const krpc_type_t *t, krpc_buf_t *b)
{
	const char *kw = "none";
	size_t i;

	for (i = 0; i < N_TYPE_NAMES; i++) {
		if (type_names[i].code == t->code)
			kw = type_names[i].text;
	}
	krpc_buf_append(b, kw, strlen(kw));
	if (t->service != NULL) {
		krpc_buf_byte(b, '(');
		krpc_buf_append(b, t->service, strlen(t->service));
		krpc_buf_byte(b, '.');
		krpc_buf_append(b, t->name, strlen(t->name));
		if (t->n > 0)
			krpc_buf_append(b, ": ", 2);
	} else if (t->n > 0 || t->code >= KRPC_TYPE_TUPLE)
		krpc_buf_byte(b, '(');
	for (i = 0; i < t->n; i++) {
		if (i > 0)
			krpc_buf_append(b, ", ", 2);
		type_write(t->types[i], b);
	}
	if (t->service != NULL || t->n > 0 || t->code >= KRPC_TYPE_TUPLE)
		krpc_buf_byte(b, ')');
}

static krpc_type_t *
type_from_pb(const Krpc__Schema__Type *pb, int depth)
{
	krpc_type_t *t;
	size_t i;

	if (depth > TYPE_DEPTH_MAX || !krpc_type_code_valid((int)pb->code))
		return NULL;
	if ((int)pb->code == KRPC_TYPE_CLASS || (int)pb->code == KRPC_TYPE_ENUMERATION ||
	    (int)pb->code == KRPC_TYPE_STRUCT)
		t = krpc_type_named((krpc_type_code_t)pb->code, pb->service, pb->name);
	else
		t = krpc_type_new((krpc_type_code_t)pb->code);
	if (t == NULL)
		return NULL;
	for (i = 0; i < pb->n_types; i++) {
		krpc_type_t *sub = type_from_pb(pb->types[i], depth + 1);

		if (sub == NULL || krpc_type_add(t, sub) != KRPC_OK) {
			krpc_type_free(t);
			return NULL;
		}
	}
	return t;
}

/* Schema name of a type code, or NULL. */
const char *
krpc_type_code_name(krpc_type_code_t code)
{
	size_t i;

	for (i = 0; i < N_TYPE_NAMES; i++) {
		if (type_names[i].code == code)
			return type_names[i].schema;
	}
	return NULL;
}

/* True if code is one of the schema's type codes. */
bool
krpc_type_code_valid(int code)
{
	size_t i;

	for (i = 0; i < N_TYPE_NAMES; i++) {
		if ((int)type_names[i].code == code)
			return true;
	}
	return false;
}

/* A new type without service, name or sub-types. */
krpc_type_t *
krpc_type_new(krpc_type_code_t code)
{
	krpc_type_t *t = calloc(1, sizeof *t);

	if (t != NULL)
		t->code = code;
	return t;
}

/* A new CLASS, ENUMERATION or STRUCT type. */
krpc_type_t *
krpc_type_named(krpc_type_code_t code, const char *service, const char *name)
{
	krpc_type_t *t = krpc_type_new(code);

	if (t == NULL)
		return NULL;
	t->service = strdup(service ? service : "");
	t->name = strdup(name ? name : "");
	if (t->service == NULL || t->name == NULL) {
		krpc_type_free(t);
		return NULL;
	}
	return t;
}

/* Appends a sub-type, taking ownership. */
krpc_code_t
krpc_type_add(krpc_type_t *t, krpc_type_t *sub)
{
	krpc_type_t **types;

	if (t == NULL || sub == NULL) {
		krpc_type_free(sub);
		if (t == NULL)
			return krpc_wire_fail(KRPC_ERR_ARG, "no type to add a sub-type to");
		return krpc_wire_fail(KRPC_ERR_NOMEM, "out of memory");
	}
	types = realloc(t->types, (t->n + 1) * sizeof *types);
	if (types == NULL) {
		krpc_type_free(sub);
		return krpc_wire_fail(KRPC_ERR_NOMEM, "out of memory");
	}
	t->types = types;
	t->types[t->n++] = sub;
	return KRPC_OK;
}

/* Parses a type's text form. */
krpc_type_t *
krpc_type_parse(const char *text, char *why, size_t whylen)
{
	struct type_parser tp = { text ? text : "", why, whylen };
	krpc_type_t *t;

	if ((t = type_parse_one(&tp, 0)) == NULL)
		return NULL;
	type_skip_space(&tp);
	if (*tp.p != '\0') {
		type_why(&tp, "unexpected \"%.20s\" after the type", tp.p);
		krpc_type_free(t);
		return NULL;
	}
	return t;
}

/* The text form of a type, malloc'd. */
char *
krpc_type_format(const krpc_type_t *t)
{
	krpc_buf_t b = KRPC_BUF_INIT;
	size_t len;
	char *s;

	if (t == NULL)
		return NULL;
	type_write(t, &b);
	krpc_buf_byte(&b, '\0');
	s = (char *)krpc_buf_steal(&b, &len);
	return s;
}

/* A deep copy. */
krpc_type_t *
krpc_type_clone(const krpc_type_t *t)
{
	krpc_type_t *c;
	size_t i;

	if (t == NULL)
		return NULL;
	c = t->service ? krpc_type_named(t->code, t->service, t->name) : krpc_type_new(t->code);
	for (i = 0; c != NULL && i < t->n; i++) {
		if (krpc_type_add(c, krpc_type_clone(t->types[i])) != KRPC_OK) {
			krpc_type_free(c);
			return NULL;
		}
	}
	return c;
}

/* Structural equality (struct field lists included). */
bool
krpc_type_equal(const krpc_type_t *a, const krpc_type_t *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->code != b->code || a->n != b->n)
		return false;
	if (strcmp(krpc_type_service(a), krpc_type_service(b)) != 0 ||
	    strcmp(krpc_type_name(a), krpc_type_name(b)) != 0)
		return false;
	for (i = 0; i < a->n; i++) {
		if (!krpc_type_equal(a->types[i], b->types[i]))
			return false;
	}
	return true;
}

/* Frees a type and its sub-types. */
void
krpc_type_free(krpc_type_t *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		krpc_type_free(t->types[i]);
	free(t->types);
	free(t->service);
	free(t->name);
	free(t);
}

/* The type's code (KRPC_TYPE_NONE for NULL). */
krpc_type_code_t
krpc_type_code(const krpc_type_t *t)
{
	return t ? t->code : KRPC_TYPE_NONE;
}

/* The service of a named type, else "". */
const char *
krpc_type_service(const krpc_type_t *t)
{
	return t && t->service ? t->service : "";
}

/* The name of a named type, else "". */
const char *
krpc_type_name(const krpc_type_t *t)
{
	return t && t->name ? t->name : "";
}

/* Number of sub-types (0 for NULL). */
size_t
krpc_type_count(const krpc_type_t *t)
{
	return t ? t->n : 0;
}

/* Sub-type i, or NULL. */
const krpc_type_t *
krpc_type_sub(const krpc_type_t *t, size_t i)
{
	return t && i < t->n ? t->types[i] : NULL;
}

/*
 * Converts a schema Type.  STRUCT types come back without their fields: the
 * caller resolves them from the service's struct definitions.  NULL if the
 * type has an unknown code, nests too deeply, or memory runs out.
 */
krpc_type_t *
krpc_type_from_pb(const Krpc__Schema__Type *pb)
{
	return type_from_pb(pb, 0);
}

/*
 * Writes a type into a schema Type (malloc'd parts, freed with
 * krpc_type_pb_free()).  STRUCT types are written without their fields, as
 * the server describes them.
 */
Krpc__Schema__Type *
krpc_type_to_pb(const krpc_type_t *t)
{
	Krpc__Schema__Type *pb = malloc(sizeof *pb);
	size_t i, n = t->code == KRPC_TYPE_STRUCT ? 0 : t->n;

	if (pb == NULL)
		return NULL;
	krpc__schema__type__init(pb);
	pb->code = (Krpc__Schema__Type__TypeCode)t->code;
	if (t->service != NULL) {
		pb->service = strdup(t->service);
		pb->name = strdup(t->name);
	}
	pb->types = n ? calloc(n, sizeof *pb->types) : NULL;
	pb->n_types = pb->types ? n : 0;
	for (i = 0; i < pb->n_types; i++)
		pb->types[i] = krpc_type_to_pb(t->types[i]);
	if ((t->service != NULL && (pb->service == NULL || pb->name == NULL)) ||
	    (n > 0 && pb->types == NULL))
		goto fail;
	for (i = 0; i < pb->n_types; i++) {
		if (pb->types[i] == NULL)
			goto fail;
	}
	return pb;
fail:
	krpc_type_pb_free(pb);
	return NULL;
}

/* Frees a schema Type made by krpc_type_to_pb(). */
void
krpc_type_pb_free(Krpc__Schema__Type *pb)
{
	size_t i;

	if (pb == NULL)
		return;
	for (i = 0; i < pb->n_types; i++)
		krpc_type_pb_free(pb->types[i]);
	free(pb->types);
	if (pb->service != protobuf_c_empty_string)
		free(pb->service);
	if (pb->name != protobuf_c_empty_string)
		free(pb->name);
	free(pb);
}
