/*
 * krpc-sim expression evaluation: runs an expression tree as a client, with
 * .NET semantics for the operators (the builders have checked the operand
 * types; integer arithmetic wraps, division by zero throws) and LINQ
 * semantics for the collection operators.  Work per evaluation is bounded.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

#define EVAL_STEPS_MAX	200000	/* nodes evaluated per expression evaluation */
#define EVAL_PARAMS_MAX	8	/* parameters of a Function */

struct eval_env {
	const char		*name;
	const krpc_value_t	*value;
	const struct eval_env	*next;
};

struct eval_ctx {
	sim_server_t		*s;
	sim_client_t		*client;
	struct sim_err		*err;
	unsigned long		 steps;
};

static krpc_value_t *eval(struct eval_ctx *, const struct expr *, const struct eval_env *);

/* Numeric kinds: how a value's arithmetic is done. */
enum eval_kind {
	EVAL_NONE,
	EVAL_REAL,
	EVAL_SIGNED,
	EVAL_UNSIGNED,
};

/* How values of a type code do arithmetic. */
static enum eval_kind
eval_kind(krpc_type_code_t code)
{
	switch (code) {
	case KRPC_TYPE_DOUBLE: case KRPC_TYPE_FLOAT: return EVAL_REAL;
	case KRPC_TYPE_SINT32: case KRPC_TYPE_SINT64: return EVAL_SIGNED;
	case KRPC_TYPE_UINT32: case KRPC_TYPE_UINT64: return EVAL_UNSIGNED;
	default: return EVAL_NONE;
	}
}

/* A numeric value read as double, int64 and uint64. */
struct eval_num {
	double		 d;
	int64_t		 i;
	uint64_t	 u;
};

/* A numeric value in the three forms arithmetic uses. */
static struct eval_num
eval_num(const krpc_value_t *v)
{
	struct eval_num n = { 0, 0, 0 };
	float f;
	int32_t i32;
	uint32_t u32;

	switch (krpc_value_code(v)) {
	case KRPC_TYPE_DOUBLE: krpc_value_as_double(v, &n.d); break;
	case KRPC_TYPE_FLOAT: krpc_value_as_float(v, &f); n.d = f; break;
	case KRPC_TYPE_SINT32: krpc_value_as_sint32(v, &i32); n.i = i32; break;
	case KRPC_TYPE_SINT64: krpc_value_as_sint64(v, &n.i); break;
	case KRPC_TYPE_UINT32: krpc_value_as_uint32(v, &u32); n.u = u32; break;
	case KRPC_TYPE_UINT64: krpc_value_as_uint64(v, &n.u); break;
	default: break;
	}
	if (eval_kind(krpc_value_code(v)) == EVAL_REAL) {
		n.i = n.d >= -9.2e18 && n.d <= 9.2e18 ? (int64_t)n.d : INT64_MIN;
		n.u = (uint64_t)n.i;
	} else if (eval_kind(krpc_value_code(v)) == EVAL_SIGNED) {
		n.d = (double)n.i;
		n.u = (uint64_t)n.i;
	} else {
		n.d = (double)n.u;
		n.i = (int64_t)n.u;
	}
	return n;
}

/* A value of a numeric code from the field its kind uses (integers wrap). */
static krpc_value_t *
eval_make(krpc_type_code_t code, struct eval_num n)
{
	switch (code) {
	case KRPC_TYPE_DOUBLE: return krpc_value_double(n.d);
	case KRPC_TYPE_FLOAT: return krpc_value_float((float)n.d);
	case KRPC_TYPE_SINT32: return krpc_value_sint32((int32_t)(uint32_t)n.u);
	case KRPC_TYPE_SINT64: return krpc_value_sint64((int64_t)n.u);
	case KRPC_TYPE_UINT32: return krpc_value_uint32((uint32_t)n.u);
	default: return krpc_value_uint64(n.u);
	}
}

/* Sets the evaluation error; returns NULL for convenience. */
static krpc_value_t * __attribute__((format(printf, 4, 5)))
eval_fail(struct eval_ctx *x, const char *service, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = util_vprintf(fmt, ap);
	va_end(ap);
	err_set(x->err, service, name, "%s", msg);
	free(msg);
	return NULL;
}

/* The error for an operator applied to the wrong types. */
static krpc_value_t *
eval_undefined(struct eval_ctx *x, enum expr_op op, const krpc_value_t *a, const krpc_value_t *b)
{
	err_set(x->err, "KRPC", "InvalidOperationException", "The %s operator %s is not defined "
	    "for the types '%s' and '%s'.", b ? "binary" : "unary", expr_op_name(op),
	    eval_dotnet(krpc_value_code(a)), eval_dotnet(b ? krpc_value_code(b) : KRPC_TYPE_NONE));
	return NULL;
}

/* +, -, *, /, % on two values of one numeric type. */
static krpc_value_t *
eval_arith(struct eval_ctx *x, enum expr_op op, const krpc_value_t *a, const krpc_value_t *b)
{
	krpc_type_code_t code = krpc_value_code(a);
	struct eval_num p = eval_num(a), q = eval_num(b), r = { 0, 0, 0 };
	enum eval_kind k = eval_kind(code);

	if (k == EVAL_NONE || krpc_value_code(b) != code)
		return eval_undefined(x, op, a, b);
	if (k == EVAL_REAL) {
		if (code == KRPC_TYPE_FLOAT) {
			float f = (float)p.d, g = (float)q.d;

			r.d = op == EXPR_ADD ? f + g : op == EXPR_SUB ? f - g : op == EXPR_MUL ? f * g :
			    op == EXPR_DIV ? f / g : fmodf(f, g);
		} else
			r.d = op == EXPR_ADD ? p.d + q.d : op == EXPR_SUB ? p.d - q.d :
			    op == EXPR_MUL ? p.d * q.d : op == EXPR_DIV ? p.d / q.d : fmod(p.d, q.d);
		return eval_make(code, r);
	}
	if ((op == EXPR_DIV || op == EXPR_MOD) && q.u == 0)
		return eval_fail(x, "", "", "Attempted to divide by zero.");
	if (op == EXPR_ADD)
		r.u = p.u + q.u;
	else if (op == EXPR_SUB)
		r.u = p.u - q.u;
	else if (op == EXPR_MUL)
		r.u = p.u * q.u;
	else if (k == EVAL_UNSIGNED)
		r.u = op == EXPR_DIV ? p.u / q.u : p.u % q.u;
	else if (q.i == -1)	/* MIN / -1 overflows in .NET; x % -1 is 0 */
		r.u = op == EXPR_MOD ? 0 : 0 - p.u;
	else
		r.u = (uint64_t)(op == EXPR_DIV ? p.i / q.i : p.i % q.i);
	if (op == EXPR_DIV && q.i == -1 && k == EVAL_SIGNED &&
	    ((code == KRPC_TYPE_SINT32 && p.i == INT32_MIN) || p.i == INT64_MIN))
		return eval_fail(x, "", "", "Arithmetic operation resulted in an overflow.");
	return eval_make(code, r);
}

/* Compares two values of one numeric type: <0, 0, >0 (NaN: 2). */
static int
eval_compare_num(const krpc_value_t *a, const krpc_value_t *b)
{
	struct eval_num p = eval_num(a), q = eval_num(b);

	switch (eval_kind(krpc_value_code(a))) {
	case EVAL_REAL: return isnan(p.d) || isnan(q.d) ? 2 : (p.d > q.d) - (p.d < q.d);
	case EVAL_SIGNED: return (p.i > q.i) - (p.i < q.i);
	default: return (p.u > q.u) - (p.u < q.u);
	}
}

/* ==, !=, <, <=, >, >= */
static krpc_value_t *
eval_compare(struct eval_ctx *x, enum expr_op op, const krpc_value_t *a, const krpc_value_t *b)
{
	krpc_type_code_t code = krpc_value_code(a);
	bool num = eval_kind(code) != EVAL_NONE, eq;
	int c;

	if (krpc_value_code(b) != code || (!num && op != EXPR_EQUAL && op != EXPR_NOT_EQUAL))
		return eval_undefined(x, op, a, b);
	if (op == EXPR_EQUAL || op == EXPR_NOT_EQUAL) {
		eq = num ? eval_compare_num(a, b) == 0 : krpc_value_equal(a, b);
		return krpc_value_bool(op == EXPR_EQUAL ? eq : !eq);
	}
	if ((c = eval_compare_num(a, b)) == 2)
		return krpc_value_bool(false);
	return krpc_value_bool(op == EXPR_GREATER ? c > 0 : op == EXPR_GREATER_EQ ? c >= 0 :
	    op == EXPR_LESS ? c < 0 : c <= 0);
}

/* And, Or, ExclusiveOr (logical on bools, bitwise on integers), shifts. */
static krpc_value_t *
eval_bits(struct eval_ctx *x, enum expr_op op, const krpc_value_t *a, const krpc_value_t *b)
{
	krpc_type_code_t code = krpc_value_code(a);
	struct eval_num p = eval_num(a), q = eval_num(b), r = { 0, 0, 0 };
	bool wide = code == KRPC_TYPE_SINT64 || code == KRPC_TYPE_UINT64, u, v;
	unsigned sh;

	if (op == EXPR_SHL || op == EXPR_SHR) {
		if (eval_kind(code) < EVAL_SIGNED || krpc_value_code(b) != KRPC_TYPE_SINT32)
			return eval_undefined(x, op, a, b);
		sh = (unsigned)q.i & (wide ? 63u : 31u);
		if (op == EXPR_SHL)
			r.u = p.u << sh;
		else if (eval_kind(code) == EVAL_SIGNED)
			r.u = (uint64_t)(p.i >> sh);
		else
			r.u = (wide ? p.u : (uint32_t)p.u) >> sh;
		return eval_make(code, r);
	}
	if (krpc_value_code(b) != code)
		return eval_undefined(x, op, a, b);
	if (code == KRPC_TYPE_BOOL) {
		krpc_value_as_bool(a, &u);
		krpc_value_as_bool(b, &v);
		return krpc_value_bool(op == EXPR_AND ? u && v : op == EXPR_OR ? u || v : u != v);
	}
	if (eval_kind(code) < EVAL_SIGNED)
		return eval_undefined(x, op, a, b);
	r.u = op == EXPR_AND ? p.u & q.u : op == EXPR_OR ? p.u | q.u : p.u ^ q.u;
	return eval_make(code, r);
}

/* Converts a numeric value to another numeric type (unchecked, as .NET). */
static krpc_value_t *
eval_convert(const krpc_value_t *v, krpc_type_code_t to)
{
	struct eval_num n = eval_num(v);

	if (eval_kind(krpc_value_code(v)) == EVAL_REAL && eval_kind(to) != EVAL_REAL) {
		if (isnan(n.d) || n.d <= -9.3e18 || n.d >= 9.3e18)
			n.u = to == KRPC_TYPE_SINT32 ? (uint64_t)(int64_t)INT32_MIN : (uint64_t)INT64_MIN;
		else
			n.u = (uint64_t)(int64_t)n.d;
	}
	return eval_make(to, n);
}

/* Evaluates a binary operator node. */
static krpc_value_t *
eval_binary(struct eval_ctx *x, const struct expr *e, const struct eval_env *env)
{
	krpc_value_t *a, *b, *r = NULL;
	struct eval_num n;

	if ((a = eval(x, e->a[0], env)) == NULL)
		return NULL;
	if ((b = eval(x, e->a[1], env)) == NULL) {
		krpc_value_free(a);
		return NULL;
	}
	if (e->op <= EXPR_LESS_EQ)
		r = eval_compare(x, e->op, a, b);
	else if (e->op <= EXPR_XOR || e->op == EXPR_SHL || e->op == EXPR_SHR)
		r = eval_bits(x, e->op, a, b);
	else if (e->op == EXPR_POW) {
		if (eval_kind(krpc_value_code(a)) == EVAL_NONE || eval_kind(krpc_value_code(b)) == EVAL_NONE)
			r = eval_undefined(x, e->op, a, b);
		else {
			n.d = pow(eval_num(a).d, eval_num(b).d);
			krpc_value_t *d = krpc_value_double(n.d);

			r = eval_convert(d, krpc_value_code(a));
			krpc_value_free(d);
		}
	} else
		r = eval_arith(x, e->op, a, b);
	krpc_value_free(a);
	krpc_value_free(b);
	return r;
}

/* Not and Cast. */
static krpc_value_t *
eval_unary(struct eval_ctx *x, const struct expr *e, const struct eval_env *env)
{
	krpc_value_t *a = eval(x, e->a[0], env), *r = NULL;
	krpc_type_code_t code;
	struct eval_num n;
	bool b;

	if (a == NULL)
		return NULL;
	code = krpc_value_code(a);
	if (e->op == EXPR_CAST) {
		if (code == e->type)
			return a;
		if (code == KRPC_TYPE_BOOL && eval_kind(e->type) != EVAL_NONE) {
			krpc_value_as_bool(a, &b);	/* a boolean converts as 0 or 1 */
			krpc_value_free(a);
			a = krpc_value_sint32(b ? 1 : 0);
			code = KRPC_TYPE_SINT32;
		}
		if (eval_kind(code) != EVAL_NONE && eval_kind(e->type) != EVAL_NONE)
			r = eval_convert(a, e->type);
		else
			eval_fail(x, "KRPC", "InvalidOperationException", "No coercion operator is defined "
			    "between types '%s' and '%s'.", eval_dotnet(code), eval_dotnet(e->type));
	} else if (code == KRPC_TYPE_BOOL) {
		krpc_value_as_bool(a, &b);
		r = krpc_value_bool(!b);
	} else if (eval_kind(code) >= EVAL_SIGNED) {
		n = eval_num(a);
		n.u = ~n.u;
		r = eval_make(code, n);
	} else
		eval_undefined(x, e->op, a, NULL);
	krpc_value_free(a);
	return r;
}

/* Calls the procedure of a Call node as the client. */
static krpc_value_t *
eval_call(struct eval_ctx *x, const struct expr *e)
{
	sim_call_t *c = call_new(x->s, x->client, e->spec, true);
	const struct svc_proc *p = call_spec_proc(e->spec);
	krpc_value_t *v = NULL;

	if (call_run(c) == SIM_YIELD)
		err_set(x->err, "KRPC", "InvalidOperationException", "Procedure %s.%s yields, so it "
		    "cannot be evaluated in an expression", p->svc->name, p->p->name);
	else if (call_failed(c))
		err_set(x->err, call_err(c)->service, call_err(c)->name, "%s", call_err(c)->desc);
	else if ((v = krpc_value_clone(call_value(c))) == NULL)
		v = krpc_value_null(krpc_type_code(p->ret));
	call_free(c);
	return v;
}

/* The value bound to a Parameter node. */
static krpc_value_t *
eval_param(struct eval_ctx *x, const struct expr *e, const struct eval_env *env)
{
	for (; env != NULL; env = env->next) {
		if (strcmp(env->name, e->name) == 0)
			return krpc_value_clone(env->value);
	}
	err_set(x->err, "KRPC", "InvalidOperationException", "variable '%s' of type '%s' referenced "
	    "from scope '', but it is not defined", e->name, eval_dotnet(e->type));
	return NULL;
}

/* Applies a Function node to argument values. */
static krpc_value_t *
eval_apply(struct eval_ctx *x, const struct expr *fn, const krpc_value_t *const *args, size_t n,
    const struct eval_env *env)
{
	struct eval_env bind[EVAL_PARAMS_MAX];
	size_t i;

	if (fn->op != EXPR_FUNCTION || fn->nlist != n || n > EVAL_PARAMS_MAX) {
		err_set(x->err, "KRPC", "ArgumentException", "Expected a function of %zu parameter%s",
		    n, n == 1 ? "" : "s");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		bind[i].name = fn->list[i]->name;
		bind[i].value = args[i];
		bind[i].next = i == 0 ? env : &bind[i - 1];
	}
	return eval(x, fn->a[0], n > 0 ? &bind[n - 1] : env);
}

/* Invoke: a Function with its arguments given by name. */
static krpc_value_t *
eval_invoke(struct eval_ctx *x, const struct expr *e, const struct eval_env *env)
{
	const struct expr *fn = e->a[0];
	krpc_value_t *vals[EVAL_PARAMS_MAX] = { NULL }, *r = NULL;
	struct eval_env bind[EVAL_PARAMS_MAX];
	size_t i, n = 0;

	if (fn->op != EXPR_FUNCTION)
		return eval_fail(x, "KRPC", "ArgumentException", "Invoke needs a function");
	for (i = 0; i < e->nlist2 && n < EVAL_PARAMS_MAX; i++, n++) {
		if ((vals[n] = eval(x, e->list2[i], env)) == NULL)
			goto out;
		bind[n].name = e->names[i];
		bind[n].value = vals[n];
		bind[n].next = n == 0 ? env : &bind[n - 1];
	}
	r = eval(x, fn->a[0], n > 0 ? &bind[n - 1] : env);
out:
	for (i = 0; i < n + 1 && i < EVAL_PARAMS_MAX; i++)
		krpc_value_free(vals[i]);
	return r;
}

/* CreateTuple, CreateList, CreateSet, CreateDictionary. */
static krpc_value_t *
eval_create(struct eval_ctx *x, const struct expr *e, const struct eval_env *env)
{
	krpc_value_t *out = krpc_value_collection(e->code), *k, *v;
	size_t i, j;
	bool dup;

	if (e->op == EXPR_DICT && e->nlist != e->nlist2) {
		eval_fail(x, "KRPC", "InvalidOperationException", "Number of keys and values differ");
		goto fail;
	}
	for (i = 0; out != NULL && i < e->nlist; i++) {
		if ((k = eval(x, e->list[i], env)) == NULL)
			goto fail;
		if (e->op == EXPR_DICT) {
			if ((v = eval(x, e->list2[i], env)) == NULL) {
				krpc_value_free(k);
				goto fail;
			}
			krpc_value_put(out, k, v);
			continue;
		}
		for (dup = false, j = 0; e->op == EXPR_SET && j < krpc_value_count(out); j++)
			dup = dup || krpc_value_equal(krpc_value_item(out, j), k);
		if (dup)
			krpc_value_free(k);
		else
			krpc_value_append(out, k);
	}
	return out;
fail:
	krpc_value_free(out);
	return NULL;
}

/* True for LIST and SET values (the sequences LINQ operators take). */
static bool
eval_is_seq(const krpc_value_t *v)
{
	return krpc_value_code(v) == KRPC_TYPE_LIST || krpc_value_code(v) == KRPC_TYPE_SET;
}

/* ToList and ToSet (a set keeps the first of equal items). */
static krpc_value_t *
eval_to(const krpc_value_t *a, krpc_type_code_t code)
{
	krpc_value_t *out = krpc_value_collection(code);
	const krpc_value_t *it;
	size_t i, j;
	bool dup;

	for (i = 0; i < krpc_value_count(a); i++) {
		it = krpc_value_item(a, i);
		for (dup = false, j = 0; code == KRPC_TYPE_SET && j < krpc_value_count(out); j++)
			dup = dup || krpc_value_equal(krpc_value_item(out, j), it);
		if (!dup)
			krpc_value_append(out, krpc_value_clone(it));
	}
	return out;
}

/* Sum, Max, Min and Average of numbers. */
static krpc_value_t *
eval_fold(struct eval_ctx *x, enum expr_op op, const krpc_value_t *a)
{
	size_t i, n = krpc_value_count(a);
	krpc_value_t *acc, *next;
	const krpc_value_t *it;
	struct eval_num sum;

	if (n == 0 && op == EXPR_SUM)
		return krpc_value_sint32(0);
	if (n == 0)
		return eval_fail(x, "KRPC", "InvalidOperationException", "Sequence contains no elements");
	acc = krpc_value_clone(krpc_value_item(a, 0));
	if (eval_kind(krpc_value_code(acc)) == EVAL_NONE) {
		eval_undefined(x, op, acc, NULL);
		krpc_value_free(acc);
		return NULL;
	}
	for (i = 1; acc != NULL && i < n; i++) {
		it = krpc_value_item(a, i);
		if (op == EXPR_SUM || op == EXPR_AVERAGE) {
			next = op == EXPR_SUM ? eval_arith(x, EXPR_ADD, acc, it) : NULL;
			if (op == EXPR_AVERAGE) {
				sum.d = eval_num(acc).d + eval_num(it).d;
				next = krpc_value_double(sum.d);
			}
		} else if (krpc_value_code(it) != krpc_value_code(acc))
			next = eval_undefined(x, op, acc, it);
		else {
			int c = eval_compare_num(it, acc);

			next = krpc_value_clone((op == EXPR_MAX ? c == 1 : c == -1) ? it : acc);
		}
		krpc_value_free(acc);
		acc = next;
	}
	if (acc == NULL || op != EXPR_AVERAGE)
		return acc;
	sum = eval_num(acc);
	krpc_value_free(acc);
	sum.d /= (double)n;
	return krpc_value_code(krpc_value_item(a, 0)) == KRPC_TYPE_FLOAT ?
	    krpc_value_float((float)sum.d) : krpc_value_double(sum.d);
}

/* Get: a list or tuple item by index, or a dictionary value by key. */
static krpc_value_t *
eval_get(struct eval_ctx *x, const krpc_value_t *a, const krpc_value_t *key)
{
	size_t i, n = krpc_value_count(a);
	int32_t idx;
	char *k;

	if (krpc_value_code(a) == KRPC_TYPE_DICTIONARY) {
		for (i = 0; i < n; i++) {
			if (krpc_value_equal(krpc_value_key(a, i), key))
				return krpc_value_clone(krpc_value_val(a, i));
		}
		k = krpc_value_format(key);
		eval_fail(x, "", "", "The given key '%s' was not present in the dictionary.", k ? k : "?");
		free(k);
		return NULL;
	}
	if (krpc_value_as_sint32(key, &idx) != KRPC_OK)
		return eval_fail(x, "KRPC", "ArgumentException", "The index must be a System.Int32");
	if (idx < 0 || (size_t)idx >= n)
		return eval_fail(x, "KRPC", "ArgumentOutOfRangeException", "Index was out of range. "
		    "Must be non-negative and less than the size of the collection.\nParameter name: index");
	return krpc_value_clone(krpc_value_item(a, (size_t)idx));
}

/* Select, Where, All and Any: the function applied to each item. */
static krpc_value_t *
eval_map(struct eval_ctx *x, const struct expr *e, const krpc_value_t *a,
    const struct eval_env *env)
{
	krpc_value_t *out = e->op == EXPR_ALL || e->op == EXPR_ANY ? NULL :
	    krpc_value_collection(KRPC_TYPE_LIST), *r;
	const krpc_value_t *it;
	bool b = false;
	size_t i;

	for (i = 0; i < krpc_value_count(a); i++) {
		it = krpc_value_item(a, i);
		if ((r = eval_apply(x, e->a[1], &it, 1, env)) == NULL)
			goto fail;
		if (e->op == EXPR_SELECT) {
			krpc_value_append(out, r);
			continue;
		}
		if (krpc_value_as_bool(r, &b) != KRPC_OK) {
			krpc_value_free(r);
			eval_fail(x, "KRPC", "ArgumentException", "%s needs a function returning a "
			    "System.Boolean", expr_op_name(e->op));
			goto fail;
		}
		krpc_value_free(r);
		if (e->op == EXPR_WHERE && b)
			krpc_value_append(out, krpc_value_clone(it));
		if ((e->op == EXPR_ALL && !b) || (e->op == EXPR_ANY && b))
			return krpc_value_bool(b);
	}
	return out != NULL ? out : krpc_value_bool(e->op == EXPR_ALL);
fail:
	krpc_value_free(out);
	return NULL;
}

/* Aggregate and AggregateWithSeed. */
static krpc_value_t *
eval_aggregate(struct eval_ctx *x, const struct expr *e, const krpc_value_t *a,
    const struct eval_env *env)
{
	const struct expr *fn = e->op == EXPR_AGGREGATE ? e->a[1] : e->a[2];
	const krpc_value_t *args[2];
	krpc_value_t *acc;
	size_t i = 0;

	if (e->op == EXPR_AGGREGATE_SEED)
		acc = eval(x, e->a[1], env);
	else if (krpc_value_count(a) == 0)
		return eval_fail(x, "KRPC", "InvalidOperationException", "Sequence contains no elements");
	else
		acc = krpc_value_clone(krpc_value_item(a, i++));
	for (; acc != NULL && i < krpc_value_count(a); i++) {
		args[0] = acc;
		args[1] = krpc_value_item(a, i);
		krpc_value_t *next = eval_apply(x, fn, args, 2, env);

		krpc_value_free(acc);
		acc = next;
	}
	return acc;
}

/* Orders two sort keys (numbers, strings, bools). */
static int
eval_key_order(const krpc_value_t *a, const krpc_value_t *b)
{
	const char *s, *t;
	bool u = false, v = false;
	int c;

	if (eval_kind(krpc_value_code(a)) != EVAL_NONE && krpc_value_code(a) == krpc_value_code(b))
		return (c = eval_compare_num(a, b)) == 2 ? 0 : c;
	if ((s = krpc_value_str(a, NULL)) != NULL && (t = krpc_value_str(b, NULL)) != NULL)
		return strcmp(s, t);
	krpc_value_as_bool(a, &u);
	krpc_value_as_bool(b, &v);
	return (int)u - (int)v;
}

/* OrderBy: a list sorted (stably) by the key function. */
static krpc_value_t *
eval_order(struct eval_ctx *x, const struct expr *e, const krpc_value_t *a,
    const struct eval_env *env)
{
	size_t i, j, n = krpc_value_count(a), *ix = util_calloc(n, sizeof *ix), t;
	krpc_value_t **keys = util_calloc(n, sizeof *keys), *out = NULL;
	const krpc_value_t *it;

	for (i = 0; i < n; i++) {
		it = krpc_value_item(a, i);
		ix[i] = i;
		if ((keys[i] = eval_apply(x, e->a[1], &it, 1, env)) == NULL)
			goto out;
	}
	for (i = 1; i < n; i++) {	/* insertion sort: stable, and lists are small */
		for (j = i; j > 0 && eval_key_order(keys[ix[j - 1]], keys[ix[j]]) > 0; j--) {
			t = ix[j];
			ix[j] = ix[j - 1];
			ix[j - 1] = t;
		}
	}
	out = krpc_value_collection(KRPC_TYPE_LIST);
	for (i = 0; i < n; i++)
		krpc_value_append(out, krpc_value_clone(krpc_value_item(a, ix[i])));
out:
	for (i = 0; i < n; i++)
		krpc_value_free(keys[i]);
	free(keys);
	free(ix);
	return out;
}

/* Contains and Concat: a second operand. */
static krpc_value_t *
eval_pair(struct eval_ctx *x, const struct expr *e, const krpc_value_t *a,
    const struct eval_env *env)
{
	krpc_value_t *b = eval(x, e->a[1], env), *out;
	bool found = false;
	size_t i;

	if (b == NULL)
		return NULL;
	if (e->op == EXPR_CONTAINS) {
		for (i = 0; i < krpc_value_count(a) && !found; i++)
			found = krpc_value_code(a) == KRPC_TYPE_DICTIONARY ?
			    krpc_value_equal(krpc_value_key(a, i), b) : krpc_value_equal(krpc_value_item(a, i), b);
		krpc_value_free(b);
		return krpc_value_bool(found);
	}
	if (!eval_is_seq(b)) {
		krpc_value_free(b);
		return eval_fail(x, "KRPC", "ArgumentException", "Concat needs two lists or sets");
	}
	out = eval_to(a, KRPC_TYPE_LIST);
	for (i = 0; i < krpc_value_count(b); i++)
		krpc_value_append(out, krpc_value_clone(krpc_value_item(b, i)));
	krpc_value_free(b);
	return out;
}

/* The operators on collections. */
static krpc_value_t *
eval_seq_op(struct eval_ctx *x, const struct expr *e, const struct eval_env *env)
{
	krpc_value_t *a = eval(x, e->a[0], env), *r = NULL, *k;
	bool dict = a != NULL && krpc_value_code(a) == KRPC_TYPE_DICTIONARY;

	if (a == NULL)
		return NULL;
	if (!eval_is_seq(a) && !(dict && (e->op == EXPR_GET || e->op == EXPR_COUNT ||
	    e->op == EXPR_CONTAINS)) && !(e->op == EXPR_GET && krpc_value_code(a) == KRPC_TYPE_TUPLE)) {
		eval_fail(x, "KRPC", "ArgumentException", "%s needs a collection, not a %s",
		    expr_op_name(e->op), eval_dotnet(krpc_value_code(a)));
		krpc_value_free(a);
		return NULL;
	}
	switch (e->op) {
	case EXPR_TO_LIST: r = eval_to(a, KRPC_TYPE_LIST); break;
	case EXPR_TO_SET: r = eval_to(a, KRPC_TYPE_SET); break;
	case EXPR_COUNT: r = krpc_value_sint32((int32_t)krpc_value_count(a)); break;
	case EXPR_SUM: case EXPR_MAX: case EXPR_MIN: case EXPR_AVERAGE: r = eval_fold(x, e->op, a); break;
	case EXPR_GET:
		if ((k = eval(x, e->a[1], env)) != NULL)
			r = eval_get(x, a, k);
		krpc_value_free(k);
		break;
	case EXPR_SELECT: case EXPR_WHERE: case EXPR_ALL: case EXPR_ANY: r = eval_map(x, e, a, env); break;
	case EXPR_AGGREGATE: case EXPR_AGGREGATE_SEED: r = eval_aggregate(x, e, a, env); break;
	case EXPR_ORDER_BY: r = eval_order(x, e, a, env); break;
	default: r = eval_pair(x, e, a, env); break;
	}
	krpc_value_free(a);
	return r;
}

/* Evaluates one node. */
static krpc_value_t *
eval(struct eval_ctx *x, const struct expr *e, const struct eval_env *env)
{
	if (++x->steps > EVAL_STEPS_MAX)
		return eval_fail(x, "KRPC", "InvalidOperationException",
		    "Expression too expensive to evaluate");
	switch (e->op) {
	case EXPR_CONST_DOUBLE: case EXPR_CONST_FLOAT: case EXPR_CONST_INT: case EXPR_CONST_BOOL:
	case EXPR_CONST_STRING:
		return krpc_value_clone(e->value);
	case EXPR_CALL:
		return eval_call(x, e);
	case EXPR_NOT: case EXPR_CAST:
		return eval_unary(x, e, env);
	case EXPR_PARAM:
		return eval_param(x, e, env);
	case EXPR_FUNCTION:
		return eval_fail(x, "KRPC", "InvalidOperationException",
		    "A function can only be used by Invoke or a collection operator");
	case EXPR_INVOKE:
		return eval_invoke(x, e, env);
	case EXPR_TUPLE: case EXPR_LIST: case EXPR_SET: case EXPR_DICT:
		return eval_create(x, e, env);
	default:
		break;
	}
	if (expr_binary_op(e->op))
		return eval_binary(x, e, env);
	return eval_seq_op(x, e, env);
}

/* ---- public ---------------------------------------------------------- */

/* Evaluates a node as client; NULL with err set. */
krpc_value_t *
eval_node(sim_server_t *s, sim_client_t *client, const struct expr *e, struct sim_err *err)
{
	struct eval_ctx x = { s, client, err, 0 };

	return eval(&x, e, NULL);
}

/* The .NET name of a type code. */
const char *
eval_dotnet(krpc_type_code_t code)
{
	switch (code) {
	case KRPC_TYPE_DOUBLE: return "System.Double";
	case KRPC_TYPE_FLOAT: return "System.Single";
	case KRPC_TYPE_SINT32: return "System.Int32";
	case KRPC_TYPE_SINT64: return "System.Int64";
	case KRPC_TYPE_UINT32: return "System.UInt32";
	case KRPC_TYPE_UINT64: return "System.UInt64";
	case KRPC_TYPE_BOOL: return "System.Boolean";
	case KRPC_TYPE_STRING: return "System.String";
	case KRPC_TYPE_BYTES: return "System.Byte[]";
	case KRPC_TYPE_LIST: return "System.Collections.Generic.IList`1";
	case KRPC_TYPE_SET: return "System.Collections.Generic.HashSet`1";
	case KRPC_TYPE_DICTIONARY: return "System.Collections.Generic.IDictionary`2";
	case KRPC_TYPE_TUPLE: return "System.Tuple";
	case KRPC_TYPE_CLASS: return "KRPC.Service.Object";
	case KRPC_TYPE_ENUMERATION: return "System.Enum";
	default: return "System.Object";
	}
}
