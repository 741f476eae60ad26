/*
 * Calls checked against the service model: arguments conformed to the
 * parameter types (numbers converted when they fit, tuples taken as
 * structures), and C varargs turned into values by those types
 * (krpc_invoke and friends).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define INVOKE_DEPTH_MAX 32

/* A number read from a value: signed, unsigned or floating. */
struct invoke_num {
	enum { NUM_SIGNED, NUM_UNSIGNED, NUM_FLOAT } kind;
	int64_t		 i;
	uint64_t	 u;
	double		 d;
};

/* True for the codes that convert as numbers (ids and enums included). */
static bool
invoke_is_number(krpc_type_code_t code)
{
	switch (code) {
	case KRPC_TYPE_DOUBLE: case KRPC_TYPE_FLOAT:
	case KRPC_TYPE_SINT32: case KRPC_TYPE_SINT64:
	case KRPC_TYPE_UINT32: case KRPC_TYPE_UINT64:
	case KRPC_TYPE_ENUMERATION: case KRPC_TYPE_CLASS:
		return true;
	default:
		return false;
	}
}

/* Reads any numeric value. */
static void
invoke_read_num(const krpc_value_t *v, struct invoke_num *n)
{
	float f;
	int32_t i32;
	uint32_t u32;

	memset(n, 0, sizeof *n);
	switch (krpc_value_code(v)) {
	case KRPC_TYPE_DOUBLE:
		n->kind = NUM_FLOAT;
		krpc_value_as_double(v, &n->d);
		break;
	case KRPC_TYPE_FLOAT:
		n->kind = NUM_FLOAT;
		krpc_value_as_float(v, &f);
		n->d = f;
		break;
	case KRPC_TYPE_SINT32:
	case KRPC_TYPE_ENUMERATION:
		krpc_value_as_sint32(v, &i32);
		n->i = i32;
		break;
	case KRPC_TYPE_SINT64:
		krpc_value_as_sint64(v, &n->i);
		break;
	case KRPC_TYPE_UINT32:
		n->kind = NUM_UNSIGNED;
		krpc_value_as_uint32(v, &u32);
		n->u = u32;
		break;
	default:	/* UINT64, CLASS */
		n->kind = NUM_UNSIGNED;
		krpc_value_as_uint64(v, &n->u);
		break;
	}
}

/* True if the number is an integer in [lo, hi] (hi as unsigned); its value in *out. */
static bool
invoke_int_in(const struct invoke_num *n, int64_t lo, uint64_t hi, int64_t *s, uint64_t *u)
{
	if (n->kind == NUM_FLOAT)
		return false;
	if (n->kind == NUM_SIGNED) {
		if (n->i < lo || (n->i >= 0 && (uint64_t)n->i > hi))
			return false;
		*s = n->i;
		*u = (uint64_t)n->i;
		return true;
	}
	if (n->u > hi)
		return false;
	*s = (int64_t)n->u;
	*u = n->u;
	return true;
}

/* A number converted to the type code tc, or NULL if it does not fit. */
static krpc_value_t *
invoke_number(const krpc_value_t *v, krpc_type_code_t tc, bool *fits)
{
	struct invoke_num n;
	int64_t s = 0;
	uint64_t u = 0;
	double d;

	invoke_read_num(v, &n);
	d = n.kind == NUM_FLOAT ? n.d : n.kind == NUM_SIGNED ? (double)n.i : (double)n.u;
	*fits = true;
	switch (tc) {
	case KRPC_TYPE_DOUBLE:
		return krpc_value_double(d);
	case KRPC_TYPE_FLOAT:
		return krpc_value_float((float)d);
	case KRPC_TYPE_SINT32:
	case KRPC_TYPE_ENUMERATION:
		if ((*fits = invoke_int_in(&n, INT32_MIN, INT32_MAX, &s, &u)))
			return tc == KRPC_TYPE_SINT32 ? krpc_value_sint32((int32_t)s) : krpc_value_enum((int32_t)s);
		return NULL;
	case KRPC_TYPE_SINT64:
		if ((*fits = invoke_int_in(&n, INT64_MIN, INT64_MAX, &s, &u)))
			return krpc_value_sint64(s);
		return NULL;
	case KRPC_TYPE_UINT32:
		if ((*fits = invoke_int_in(&n, 0, UINT32_MAX, &s, &u)))
			return krpc_value_uint32((uint32_t)u);
		return NULL;
	default:	/* UINT64, CLASS */
		if ((*fits = invoke_int_in(&n, 0, UINT64_MAX, &s, &u)))
			return tc == KRPC_TYPE_UINT64 ? krpc_value_uint64(u) : krpc_value_object(u);
		return NULL;
	}
}

/* Objects convert only to and from UINT64 (ids); other numbers are not objects. */
static bool
invoke_object_ok(krpc_type_code_t tc, krpc_type_code_t vc)
{
	if ((tc == KRPC_TYPE_CLASS) == (vc == KRPC_TYPE_CLASS))
		return true;
	return tc == KRPC_TYPE_UINT64 || vc == KRPC_TYPE_UINT64;
}

struct invoke_ctx {
	const krpc_procedure_t	*proc;
	const char		*param;
};

/* Records a type mismatch of an argument. */
static krpc_code_t
invoke_mismatch(const struct invoke_ctx *x, const krpc_type_t *t, const krpc_value_t *v)
{
	char *want = krpc_type_format(t);
	const char *got = krpc_type_code_name(krpc_value_code(v));
	krpc_code_t rc;

	rc = krpc_error_set(KRPC_ERR_TYPE, "argument %s of %s.%s: expected %s, got %s%s", x->param,
	    krpc_service_name(krpc_procedure_service(x->proc)), krpc_procedure_name(x->proc),
	    want ? want : "?", got ? got : "?",
	    invoke_is_number(krpc_value_code(v)) ? " (out of range or not convertible)" : "");
	free(want);
	return rc;
}

static krpc_code_t invoke_conform(const struct invoke_ctx *, const krpc_type_t *, const krpc_value_t *,
    krpc_value_t **, int);

/* Conforms the items of a TUPLE, LIST, SET, STRUCT or DICTIONARY. */
static krpc_code_t
invoke_conform_items(const struct invoke_ctx *x, const krpc_type_t *t, const krpc_value_t *v,
    krpc_value_t *out, int depth)
{
	krpc_type_code_t tc = krpc_type_code(t);
	const krpc_type_t *it;
	krpc_value_t *k, *item;
	krpc_code_t rc;
	size_t i, n = krpc_value_count(v);

	for (i = 0; i < n; i++) {
		if (tc == KRPC_TYPE_DICTIONARY) {
			if ((rc = invoke_conform(x, krpc_type_sub(t, 0), krpc_value_key(v, i), &k, depth + 1)) != KRPC_OK)
				return rc;
			if ((rc = invoke_conform(x, krpc_type_sub(t, 1), krpc_value_val(v, i), &item, depth + 1)) != KRPC_OK) {
				krpc_value_free(k);
				return rc;
			}
			rc = krpc_value_put(out, k, item);
		} else {
			it = krpc_type_sub(t, tc == KRPC_TYPE_LIST || tc == KRPC_TYPE_SET ? 0 : i);
			if ((rc = invoke_conform(x, it, krpc_value_item(v, i), &item, depth + 1)) != KRPC_OK)
				return rc;
			rc = krpc_value_append(out, item);
		}
		if (rc != KRPC_OK)
			return krpc_error_set(rc, "out of memory");
	}
	return KRPC_OK;
}

/* True if a value of code vc can stand for a collection type t. */
static bool
invoke_coll_fits(const krpc_type_t *t, const krpc_value_t *v)
{
	krpc_type_code_t tc = krpc_type_code(t), vc = krpc_value_code(v);

	if (tc == KRPC_TYPE_STRUCT)
		return (vc == KRPC_TYPE_STRUCT || vc == KRPC_TYPE_TUPLE) &&
		    krpc_value_count(v) == krpc_type_count(t);
	if (tc == KRPC_TYPE_TUPLE)
		return vc == tc && krpc_value_count(v) == krpc_type_count(t);
	return vc == tc;
}

/* A copy of v conformed to type t. */
static krpc_code_t
invoke_conform(const struct invoke_ctx *x, const krpc_type_t *t, const krpc_value_t *v,
    krpc_value_t **out, int depth)
{
	krpc_type_code_t tc = krpc_type_code(t), vc = krpc_value_code(v);
	krpc_code_t rc;
	bool fits = false;

	*out = NULL;
	if (t == NULL || depth > INVOKE_DEPTH_MAX)
		return krpc_error_set(KRPC_ERR_TYPE, "argument %s: value nested too deeply", x->param);
	if (krpc_value_is_null(v))
		*out = krpc_value_null(tc);	/* the server judges nullability */
	else if (tc == vc && !krpc_type_count(t))
		*out = krpc_value_clone(v);
	else if (invoke_is_number(tc) && invoke_is_number(vc)) {
		if (!invoke_object_ok(tc, vc))
			return invoke_mismatch(x, t, v);
		if ((*out = invoke_number(v, tc, &fits)) == NULL && !fits)
			return invoke_mismatch(x, t, v);
	} else if (tc == KRPC_TYPE_STRUCT && krpc_type_count(t) == 0 &&
	    (vc == KRPC_TYPE_STRUCT || vc == KRPC_TYPE_TUPLE))
		*out = krpc_value_clone(v);	/* fields unknown: sent as given */
	else if (tc == KRPC_TYPE_TUPLE || tc == KRPC_TYPE_LIST || tc == KRPC_TYPE_SET ||
	    tc == KRPC_TYPE_STRUCT || tc == KRPC_TYPE_DICTIONARY) {
		if (!invoke_coll_fits(t, v))
			return invoke_mismatch(x, t, v);
		if ((*out = krpc_value_collection(tc)) == NULL)
			return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
		if ((rc = invoke_conform_items(x, t, v, *out, depth)) != KRPC_OK) {
			krpc_value_free(*out);
			*out = NULL;
			return rc;
		}
	} else if (tc == vc)
		*out = krpc_value_clone(v);
	else
		return invoke_mismatch(x, t, v);
	return *out != NULL ? KRPC_OK : krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
}

/* Checks and converts the arguments of a call. */
krpc_code_t
krpc_invoke_check(const krpc_procedure_t *proc, krpc_value_t *const *args, size_t nargs,
    krpc_value_t ***out)
{
	struct invoke_ctx x = { proc, NULL };
	krpc_value_t **conv;
	krpc_code_t rc;
	size_t i, n = krpc_procedure_param_count(proc);

	*out = NULL;
	for (i = n; i < nargs; i++) {
		if (args[i] != NULL)
			return krpc_error_set(KRPC_ERR_ARG, "%s.%s takes %zu arguments, got one at position %zu",
			    krpc_service_name(krpc_procedure_service(proc)), krpc_procedure_name(proc), n, i);
	}
	if ((conv = calloc(nargs + 1, sizeof *conv)) == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	for (i = 0; i < nargs && i < n; i++) {
		if (args[i] == NULL)
			continue;
		x.param = krpc_parameter_name(krpc_procedure_param_at(proc, i));
		rc = invoke_conform(&x, krpc_parameter_type(krpc_procedure_param_at(proc, i)), args[i],
		    &conv[i], 0);
		if (rc != KRPC_OK) {
			krpc_invoke_free_args(conv, nargs);
			return rc;
		}
	}
	*out = conv;
	return KRPC_OK;
}

/* Frees an argument array and its values. */
void
krpc_invoke_free_args(krpc_value_t **args, size_t n)
{
	size_t i;

	if (args == NULL)
		return;
	for (i = 0; i < n; i++)
		krpc_value_free(args[i]);
	free(args);
}

/* One C vararg converted by a parameter type (see krpc_invoke()). */
static krpc_value_t *
invoke_vararg(krpc_type_code_t code, va_list *ap)
{
	const krpc_value_t *v;
	const char *s;

	switch (code) {
	case KRPC_TYPE_DOUBLE: return krpc_value_double(va_arg(*ap, double));
	case KRPC_TYPE_FLOAT: return krpc_value_float((float)va_arg(*ap, double));
	case KRPC_TYPE_SINT32: return krpc_value_sint32(va_arg(*ap, int32_t));
	case KRPC_TYPE_ENUMERATION: return krpc_value_enum(va_arg(*ap, int32_t));
	case KRPC_TYPE_SINT64: return krpc_value_sint64(va_arg(*ap, int64_t));
	case KRPC_TYPE_UINT32: return krpc_value_uint32(va_arg(*ap, uint32_t));
	case KRPC_TYPE_UINT64: return krpc_value_uint64(va_arg(*ap, uint64_t));
	case KRPC_TYPE_CLASS: return krpc_value_object(va_arg(*ap, uint64_t));
	case KRPC_TYPE_BOOL: return krpc_value_bool(va_arg(*ap, int) != 0);
	case KRPC_TYPE_STRING:
		s = va_arg(*ap, const char *);
		return s != NULL ? krpc_value_string(s) : krpc_value_null(code);
	default:
		v = va_arg(*ap, const krpc_value_t *);
		return v != NULL ? krpc_value_clone(v) : krpc_value_null(code);
	}
}

/* Argument values from C varargs. */
krpc_code_t
krpc_invoke_values(krpc_client_t *c, const char *service, const char *procedure, size_t nargs,
    va_list ap, krpc_value_t ***out)
{
	const krpc_procedure_t *proc;
	krpc_value_t **vals;
	krpc_code_t rc;
	va_list aq;
	size_t i;

	*out = NULL;
	if (service == NULL || procedure == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no service or procedure");
	if ((rc = krpc_call_lookup(c, service, procedure, &proc)) != KRPC_OK)
		return rc;
	if (nargs > krpc_procedure_param_count(proc))
		return krpc_error_set(KRPC_ERR_ARG, "%s.%s takes %zu arguments, got %zu", service, procedure,
		    krpc_procedure_param_count(proc), nargs);
	if ((vals = calloc(nargs + 1, sizeof *vals)) == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	va_copy(aq, ap);
	for (i = 0; i < nargs; i++) {
		vals[i] = invoke_vararg(krpc_type_code(krpc_parameter_type(krpc_procedure_param_at(proc, i))), &aq);
		if (vals[i] == NULL) {
			va_end(aq);
			krpc_invoke_free_args(vals, nargs);
			return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
		}
	}
	va_end(aq);
	*out = vals;
	return KRPC_OK;
}

/* Calls with C arguments converted by the parameter types. */
krpc_code_t
krpc_invoke(krpc_client_t *c, krpc_value_t **result, const char *service, const char *procedure,
    size_t nargs, ...)
{
	krpc_value_t **vals;
	krpc_code_t rc;
	va_list ap;

	if (result != NULL)
		*result = NULL;
	if (c == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no client");
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	va_start(ap, nargs);
	rc = krpc_invoke_values(c, service, procedure, nargs, ap, &vals);
	va_end(ap);
	if (rc == KRPC_OK) {
		rc = krpc_call(c, service, procedure, vals, nargs, NULL, result);
		krpc_invoke_free_args(vals, nargs);
	}
	krpc_client_leave(c);
	return rc;
}

/* A PROCEDURE_CALL value with C arguments converted by the parameter types. */
krpc_code_t
krpc_invoke_get_call(krpc_client_t *c, krpc_value_t **out, const char *service,
    const char *procedure, size_t nargs, ...)
{
	krpc_value_t **vals;
	krpc_code_t rc;
	va_list ap;

	if (out != NULL)
		*out = NULL;
	if (c == NULL || out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no client or no place for the call");
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	va_start(ap, nargs);
	rc = krpc_invoke_values(c, service, procedure, nargs, ap, &vals);
	va_end(ap);
	if (rc == KRPC_OK) {
		rc = krpc_get_call(c, service, procedure, vals, nargs, out);
		krpc_invoke_free_args(vals, nargs);
	}
	krpc_client_leave(c);
	return rc;
}
