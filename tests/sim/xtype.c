/*
 * krpc-sim: the .NET static types of expressions.  The real server builds
 * KRPC.Expression trees with System.Linq.Expressions and looks members up by
 * reflection, so which operations it accepts, and the words it refuses the
 * rest with, follow from the .NET type of each node: List<T> has a Count
 * property where IList<T> (what a procedure returns) declares none, a
 * Dictionary's enumerable value type is its key type, a string is enumerable
 * but has no generic argument.  This file models those types.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

/* A new type of a kind with n generic arguments (owned). */
static struct xtype *
xtype_new(enum xtype_kind kind, krpc_type_code_t code, size_t n, ...)
{
	struct xtype *t = util_calloc(1, sizeof *t);
	va_list ap;
	size_t i;

	t->kind = kind;
	t->code = code;
	t->nargs = n;
	t->args = n > 0 ? util_calloc(n, sizeof *t->args) : NULL;
	va_start(ap, n);
	for (i = 0; i < n; i++)
		t->args[i] = va_arg(ap, struct xtype *);
	va_end(ap);
	return t;
}

/* A primitive (System.Int32 ... System.String) of a krpc type code. */
struct xtype *
xtype_prim(krpc_type_code_t code)
{
	return xtype_new(XT_PRIM, code, 0);
}

/* A generic type of a kind over the arguments (taken). */
struct xtype *
xtype_generic(enum xtype_kind kind, size_t n, struct xtype **args)
{
	static const krpc_type_code_t codes[] = {
		[XT_LIST] = KRPC_TYPE_LIST, [XT_ILIST] = KRPC_TYPE_LIST,
		[XT_ENUMERABLE] = KRPC_TYPE_LIST, [XT_ORDERED] = KRPC_TYPE_LIST,
		[XT_SET] = KRPC_TYPE_SET,
		[XT_DICT] = KRPC_TYPE_DICTIONARY, [XT_IDICT] = KRPC_TYPE_DICTIONARY,
		[XT_TUPLE] = KRPC_TYPE_TUPLE, [XT_FUNC] = KRPC_TYPE_NONE,
		[XT_NULLABLE] = KRPC_TYPE_NONE,
	};
	struct xtype *t = xtype_new(kind, codes[kind], 0);
	size_t i;

	t->nargs = n;
	t->args = util_calloc(n > 0 ? n : 1, sizeof *t->args);
	for (i = 0; i < n; i++)
		t->args[i] = args[i];
	if (kind == XT_NULLABLE)
		t->code = args[0]->code;
	return t;
}

/* A generic type with one argument (taken). */
struct xtype *
xtype_of(enum xtype_kind kind, struct xtype *arg)
{
	return xtype_generic(kind, 1, &arg);
}

/* A deep copy (NULL stays NULL). */
struct xtype *
xtype_clone(const struct xtype *t)
{
	struct xtype *c;
	size_t i;

	if (t == NULL)
		return NULL;
	c = xtype_new(t->kind, t->code, 0);
	c->name = t->name != NULL ? util_strdup(t->name) : NULL;
	c->nargs = t->nargs;
	c->args = t->nargs > 0 ? util_calloc(t->nargs, sizeof *c->args) : NULL;
	for (i = 0; i < t->nargs; i++)
		c->args[i] = xtype_clone(t->args[i]);
	return c;
}

/* Frees a type and its arguments. */
void
xtype_free(struct xtype *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nargs; i++)
		xtype_free(t->args[i]);
	free(t->args);
	free(t->name);
	free(t);
}

/* True if two types are the same .NET type. */
bool
xtype_equal(const struct xtype *a, const struct xtype *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->kind != b->kind || a->code != b->code || a->nargs != b->nargs ||
	    (a->name != NULL) != (b->name != NULL) || (a->name && strcmp(a->name, b->name) != 0))
		return false;
	for (i = 0; i < a->nargs; i++) {
		if (!xtype_equal(a->args[i], b->args[i]))
			return false;
	}
	return true;
}

/* The type a procedure returning t gives an expression (nullable: may return null). */
struct xtype *
xtype_from_krpc(const krpc_type_t *t, bool nullable)
{
	krpc_type_code_t code = krpc_type_code(t);
	struct xtype *x, *args[8];
	size_t i, n = krpc_type_count(t);

	switch (code) {
	case KRPC_TYPE_LIST: case KRPC_TYPE_SET:
		return xtype_of(code == KRPC_TYPE_LIST ? XT_ILIST : XT_SET,
		    xtype_from_krpc(krpc_type_sub(t, 0), false));
	case KRPC_TYPE_DICTIONARY:
		args[0] = xtype_from_krpc(krpc_type_sub(t, 0), false);
		args[1] = xtype_from_krpc(krpc_type_sub(t, 1), false);
		return xtype_generic(XT_IDICT, 2, args);
	case KRPC_TYPE_TUPLE:
		for (i = 0; i < n && i < 8; i++)
			args[i] = xtype_from_krpc(krpc_type_sub(t, i), false);
		return xtype_generic(XT_TUPLE, i, args);
	case KRPC_TYPE_CLASS: case KRPC_TYPE_ENUMERATION: case KRPC_TYPE_STRUCT:
		x = xtype_new(code == KRPC_TYPE_CLASS ? XT_CLASS : code == KRPC_TYPE_STRUCT ?
		    XT_STRUCT : XT_ENUM, code, 0);
		x->name = util_strdup(services_dotnet(t));
		break;
	case KRPC_TYPE_STRING: case KRPC_TYPE_BYTES: case KRPC_TYPE_DOUBLE: case KRPC_TYPE_FLOAT:
	case KRPC_TYPE_SINT32: case KRPC_TYPE_SINT64: case KRPC_TYPE_UINT32: case KRPC_TYPE_UINT64:
	case KRPC_TYPE_BOOL:
		x = xtype_prim(code);
		break;
	default:
		x = xtype_new(XT_OTHER, code, 0);
		x->name = util_strdup(services_dotnet(t));
		break;
	}
	return nullable && xtype_is_value(x) ? xtype_of(XT_NULLABLE, x) : x;
}

/* ---- names ---------------------------------------------------------------- */

/* The short name of a primitive (Type.Name). */
static const char *
xtype_prim_name(krpc_type_code_t code)
{
	switch (code) {
	case KRPC_TYPE_DOUBLE: return "Double";
	case KRPC_TYPE_FLOAT: return "Single";
	case KRPC_TYPE_SINT32: return "Int32";
	case KRPC_TYPE_SINT64: return "Int64";
	case KRPC_TYPE_UINT32: return "UInt32";
	case KRPC_TYPE_UINT64: return "UInt64";
	case KRPC_TYPE_BOOL: return "Boolean";
	case KRPC_TYPE_STRING: return "String";
	case KRPC_TYPE_BYTES: return "Byte[]";
	default: return "Object";
	}
}

/* The generic type definition's full name ("System.Collections.Generic.List`1"). */
static const char *
xtype_generic_name(const struct xtype *t)
{
	static char tuple[32];

	switch (t->kind) {
	case XT_LIST: return "System.Collections.Generic.List`1";
	case XT_ILIST: return "System.Collections.Generic.IList`1";
	case XT_SET: return "System.Collections.Generic.HashSet`1";
	case XT_DICT: return "System.Collections.Generic.Dictionary`2";
	case XT_IDICT: return "System.Collections.Generic.IDictionary`2";
	case XT_ENUMERABLE: return "System.Collections.Generic.IEnumerable`1";
	case XT_ORDERED: return "System.Linq.IOrderedEnumerable`1";
	case XT_NULLABLE: return "System.Nullable`1";
	case XT_FUNC:
		snprintf(tuple, sizeof tuple, "System.Func`%zu", t->nargs);
		return tuple;
	default:
		snprintf(tuple, sizeof tuple, "System.Tuple`%zu", t->nargs);
		return tuple;
	}
}

/* Appends the full name (Type.ToString()). */
static void
xtype_write(const struct xtype *t, krpc_buf_t *b)
{
	const char *s;
	size_t i;

	if (t->kind == XT_PRIM) {
		krpc_buf_append(b, "System.", 7);
		s = xtype_prim_name(t->code);
	} else if (t->name != NULL)
		s = t->name;
	else {
		s = xtype_generic_name(t);
		krpc_buf_append(b, s, strlen(s));
		krpc_buf_byte(b, '[');
		for (i = 0; i < t->nargs; i++) {
			if (i > 0)
				krpc_buf_byte(b, ',');
			xtype_write(t->args[i], b);
		}
		s = "]";
	}
	krpc_buf_append(b, s, strlen(s));
}

/* The full .NET name, in one of four rotating static buffers. */
const char *
xtype_name(const struct xtype *t)
{
	static char out[4][512];
	static unsigned k;
	krpc_buf_t b = KRPC_BUF_INIT;
	char *o = out[k++ % 4];

	xtype_write(t, &b);
	snprintf(o, sizeof out[0], "%.*s", krpc_buf_ok(&b) ? (int)b.len : 0, (const char *)b.data);
	krpc_buf_free(&b);
	return o;
}

/* The name as a method signature shows it: primitives short, others in full. */
const char *
xtype_sig(const struct xtype *t)
{
	return t->kind == XT_PRIM && t->code != KRPC_TYPE_STRING && t->code != KRPC_TYPE_BYTES ?
	    xtype_prim_name(t->code) : xtype_name(t);
}

/* Type.Name: the short name ("Int32", "String", "List`1"). */
const char *
xtype_short(const struct xtype *t)
{
	const char *n;

	if (t->kind == XT_PRIM)
		return xtype_prim_name(t->code);
	n = t->name != NULL ? t->name : xtype_generic_name(t);
	return strrchr(n, '.') != NULL ? strrchr(n, '.') + 1 : n;
}

/* ---- what reflection finds ------------------------------------------------ */

/* True for the numeric primitives. */
bool
xtype_is_numeric(const struct xtype *t)
{
	return t != NULL && t->kind == XT_PRIM && t->code != KRPC_TYPE_BOOL &&
	    t->code != KRPC_TYPE_STRING && t->code != KRPC_TYPE_BYTES;
}

/* True for the integer primitives. */
bool
xtype_is_integer(const struct xtype *t)
{
	return xtype_is_numeric(t) && t->code != KRPC_TYPE_DOUBLE && t->code != KRPC_TYPE_FLOAT;
}

/* True for value types (numbers, booleans, enumerations, structures, Nullable). */
bool
xtype_is_value(const struct xtype *t)
{
	return (t->kind == XT_PRIM && t->code != KRPC_TYPE_STRING && t->code != KRPC_TYPE_BYTES) ||
	    t->kind == XT_ENUM || t->kind == XT_STRUCT || t->kind == XT_NULLABLE;
}

/* True if the type implements IEnumerable (strings and byte arrays do). */
bool
xtype_is_enumerable(const struct xtype *t)
{
	return (t->kind >= XT_LIST && t->kind <= XT_ORDERED) ||
	    (t->kind == XT_PRIM && (t->code == KRPC_TYPE_STRING || t->code == KRPC_TYPE_BYTES));
}

/* Type.GetGenericArguments()[0], or NULL when there is none. */
const struct xtype *
xtype_first_arg(const struct xtype *t)
{
	return t->kind != XT_PRIM && t->nargs > 0 ? t->args[0] : NULL;
}

/* True if the type has a Count property of its own (interfaces declare none). */
bool
xtype_has_count(const struct xtype *t)
{
	return t->kind == XT_LIST || t->kind == XT_SET || t->kind == XT_DICT;
}

/* True if a value of t can be passed as IEnumerable<elem>. */
bool
xtype_is_sequence_of(const struct xtype *t, const struct xtype *elem)
{
	return (t->kind == XT_LIST || t->kind == XT_ILIST || t->kind == XT_SET ||
	    t->kind == XT_ENUMERABLE || t->kind == XT_ORDERED) && xtype_equal(t->args[0], elem);
}

/* True if Enumerable has a Sum/Max/Min/Average overload for a sequence of elem. */
bool
xtype_has_fold(const struct xtype *elem)
{
	return elem != NULL && elem->kind == XT_PRIM && (elem->code == KRPC_TYPE_SINT32 ||
	    elem->code == KRPC_TYPE_SINT64 || elem->code == KRPC_TYPE_FLOAT ||
	    elem->code == KRPC_TYPE_DOUBLE);
}

/* True if the type has an indexer (a get_Item method). */
bool
xtype_has_indexer(const struct xtype *t)
{
	return t->kind == XT_LIST || t->kind == XT_ILIST || t->kind == XT_DICT || t->kind == XT_IDICT;
}
