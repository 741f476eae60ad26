/*
 * krpc-sim expression builders of and on collections (CreateTuple ... Any):
 * each checks its operands as the real server does, with its reflection's
 * outcomes (a type with no Count property, an Enumerable method not found, an
 * argument of the wrong type for the generic method it picked) and texts,
 * and gives the node its .NET static type.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

#define EXPRSEQ_TUPLE_MAX	8	/* Tuple.Create's largest overload */
#define IENUM			"System.Collections.Generic.IEnumerable`1"

/*
 * The type of a collection's items as the server reads it (the first
 * generic argument: a dictionary's keys); NULL with the error set.
 */
static const struct xtype *
exprseq_value_type(sim_call_t *c, const struct expr *arg)
{
	const struct xtype *t;

	if (!xtype_is_enumerable(arg->xt)) {
		expr_fail(c, "InvalidOperationException", "Expected an enumerable collection type");
		return NULL;
	}
	if ((t = xtype_first_arg(arg->xt)) == NULL)
		expr_fail(c, "IndexOutOfRangeException", "Index was outside the bounds of the array.");
	return t;
}

/* An argument that does not fit the generic method picked for it; false. */
static bool
exprseq_bad_arg(sim_call_t *c, const struct xtype *have, const char *want, const char *method,
    int pos)
{
	expr_fail(c, "ArgumentException", "Expression of type '%s' cannot be used for parameter of "
	    "type '%s' of method '%s'\nParameter name: arg%d", xtype_name(have), want, method, pos);
	return false;
}

/* Checks that arg can be passed as IEnumerable<t> to a method; false with the error set. */
static bool
exprseq_needs_seq(sim_call_t *c, const struct xtype *arg, const struct xtype *t,
    const char *method)
{
	char want[512];

	if (xtype_is_sequence_of(arg, t))
		return true;
	snprintf(want, sizeof want, IENUM "[%s]", xtype_name(t));
	return exprseq_bad_arg(c, arg, want, method, 0);
}

/* Checks that f is a Func<p..., r> (CheckIsFunction); false with the error set. */
static bool
exprseq_needs_func(sim_call_t *c, const struct xtype *f, size_t np, const struct xtype *p0,
    const struct xtype *p1, const struct xtype *r)
{
	bool ok = f->kind == XT_FUNC && f->nargs == np + 1 && xtype_equal(f->args[0], p0) &&
	    (np < 2 || xtype_equal(f->args[1], p1)) && xtype_equal(f->args[np], r);

	if (ok)
		return true;
	if (np == 1)
		expr_fail(c, "InvalidOperationException", "Expected a function taking one argument of "
		    "type %s, with return type %s", xtype_name(p0), xtype_name(r));
	else
		expr_fail(c, "InvalidOperationException", "Expected a function taking two arguments "
		    "of type %s and %s, with return type %s", xtype_name(p0), xtype_name(p1),
		    xtype_name(r));
	return false;
}

/* ---- creating collections -------------------------------------------------------- */

/* The type of a list of values for an array of their first one's type; NULL with the error. */
static struct xtype *
exprseq_array_type(sim_call_t *c, struct expr *const *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (xtype_equal(v[i]->xt, v[0]->xt))
			continue;
		expr_fail(c, "InvalidOperationException", "An expression of type '%s' cannot be used to "
		    "initialize an array of type '%s'", xtype_name(v[i]->xt), xtype_name(v[0]->xt));
		return NULL;
	}
	return xtype_clone(v[0]->xt);
}

/* CreateTuple: a Tuple.Create overload of as many items (1 to 8). */
static bool
exprseq_tuple(sim_call_t *c, struct expr *e)
{
	struct xtype *args[EXPRSEQ_TUPLE_MAX];
	size_t i;

	if (!expr_arg_list(c, 0, &e->list, &e->nlist))
		return false;
	if (e->nlist == 0 || e->nlist > EXPRSEQ_TUPLE_MAX) {
		expr_fail(c, "InvalidOperationException", "Sequence contains no matching element");
		return false;
	}
	for (i = 0; i < e->nlist; i++)
		args[i] = xtype_clone(e->list[i]->xt);
	e->xt = xtype_generic(XT_TUPLE, e->nlist, args);
	return true;
}

/* CreateList and CreateSet: values of one type, at least one. */
static bool
exprseq_list(sim_call_t *c, struct expr *e)
{
	struct xtype *t;

	if (!expr_arg_list(c, 0, &e->list, &e->nlist))
		return false;
	if (e->nlist == 0) {
		expr_fail(c, "InvalidOperationException", "Sequence contains no elements");
		return false;
	}
	if ((t = exprseq_array_type(c, e->list, e->nlist)) == NULL)
		return false;
	e->xt = xtype_of(e->op == EXPR_LIST ? XT_LIST : XT_SET, t);
	return true;
}

/* CreateDictionary: keys of one type and values of one type (their counts checked later). */
static bool
exprseq_dict(sim_call_t *c, struct expr *e)
{
	struct xtype *kv[2];

	if (!expr_arg_list(c, 0, &e->list, &e->nlist) ||
	    !expr_arg_list(c, 1, &e->list2, &e->nlist2))
		return false;
	if (e->nlist == 0 || e->nlist2 == 0) {
		expr_fail(c, "InvalidOperationException", "Sequence contains no elements");
		return false;
	}
	if ((kv[0] = exprseq_array_type(c, e->list, e->nlist)) == NULL)
		return false;
	if ((kv[1] = exprseq_array_type(c, e->list2, e->nlist2)) == NULL) {
		xtype_free(kv[0]);
		return false;
	}
	e->xt = xtype_generic(XT_DICT, 2, kv);
	return true;
}

/* ---- operators on one collection --------------------------------------------------- */

/* ToList and ToSet: a List<T> or HashSet<T> of the items. */
static bool
exprseq_to(sim_call_t *c, struct expr *e)
{
	const struct xtype *t = exprseq_value_type(c, e->a[0]);
	char method[1024], ts[256];

	if (t == NULL)
		return false;
	snprintf(ts, sizeof ts, "%s", xtype_name(t));
	snprintf(method, sizeof method, "System.Collections.Generic.List`1[%s] ToList[%s](" IENUM
	    "[%s])", ts, xtype_short(t), ts);
	if (e->op == EXPR_TO_LIST && !exprseq_needs_seq(c, e->a[0]->xt, t, method))
		return false;
	if (e->op == EXPR_TO_SET && !xtype_is_sequence_of(e->a[0]->xt, t)) {
		/* HashSet<T>'s constructor taking an IEnumerable<T> */
		expr_fail(c, "ArgumentException", "Expression of type '%s' cannot be used for "
		    "constructor parameter of type '" IENUM "[%s]'\nParameter name: arguments[0]",
		    xtype_name(e->a[0]->xt), ts);
		return false;
	}
	e->xt = xtype_of(e->op == EXPR_TO_LIST ? XT_LIST : XT_SET, xtype_clone(t));
	return true;
}

/* Count: the type's own Count property. */
static bool
exprseq_count(sim_call_t *c, struct expr *e)
{
	if (!xtype_is_enumerable(e->a[0]->xt)) {
		expr_fail(c, "InvalidOperationException", "Expected an enumerable collection type");
		return false;
	}
	if (!xtype_has_count(e->a[0]->xt)) {
		expr_fail(c, "ArgumentNullException", "Value cannot be null.\nParameter name: property");
		return false;
	}
	e->xt = xtype_prim(KRPC_TYPE_SINT32);
	return true;
}

/* Sum, Max, Min, Average: an Enumerable overload for a sequence of int, long, float or double. */
static bool
exprseq_fold(sim_call_t *c, struct expr *e)
{
	const struct xtype *x = e->a[0]->xt, *t = xtype_first_arg(x);

	if (!xtype_is_enumerable(x)) {
		expr_fail(c, "InvalidOperationException", "Expected an enumerable collection type");
		return false;
	}
	if (!xtype_has_fold(t) || !xtype_is_sequence_of(x, t)) {
		expr_fail(c, "ArgumentNullException", "Value cannot be null.\nParameter name: method");
		return false;
	}
	if (e->op == EXPR_AVERAGE && t->code != KRPC_TYPE_FLOAT)
		e->xt = xtype_prim(KRPC_TYPE_DOUBLE);
	else
		e->xt = xtype_clone(t);
	return true;
}

/* Get on a tuple: an index that compiles as an int and names an item. */
static bool
exprseq_get_tuple(sim_call_t *c, struct expr *e)
{
	const struct xtype *x = e->a[0]->xt;
	struct sim_err err = { NULL, NULL, NULL, NULL };
	krpc_value_t *v;
	int32_t idx = -1;

	if (e->a[1]->xt->kind != XT_PRIM || e->a[1]->xt->code != KRPC_TYPE_SINT32) {
		expr_fail(c, "ArgumentException", "Expression of type '%s' cannot be used for return "
		    "type 'System.Int32'", xtype_name(e->a[1]->xt));
		return false;
	}
	/* the server runs the index expression now */
	if ((v = eval_node(sim_call_server(c), sim_call_client(c), e->a[1], &err)) == NULL) {
		call_set_err(c, &err);
		err_clear(&err);
		return false;
	}
	krpc_value_as_sint32(v, &idx);
	krpc_value_free(v);
	if (idx < 0 || (size_t)idx >= x->nargs) {
		expr_fail(c, "ArgumentOutOfRangeException", "index");
		return false;
	}
	e->xt = xtype_clone(x->args[idx]);
	return true;
}

/* Get: a tuple's item, or the indexer (get_Item) of a list or dictionary. */
static bool
exprseq_get(sim_call_t *c, struct expr *e)
{
	const struct xtype *x = e->a[0]->xt, *val;
	struct xtype *key;
	char method[512], r[256];
	bool ok;

	if (x->kind == XT_TUPLE)
		return exprseq_get_tuple(c, e);
	if (!xtype_has_indexer(x)) {
		expr_fail(c, "ArgumentNullException", "Value cannot be null.\nParameter name: method");
		return false;
	}
	/* a list's indexer takes an int, a dictionary's a key */
	key = x->kind == XT_DICT || x->kind == XT_IDICT ? xtype_clone(x->args[0]) :
	    xtype_prim(KRPC_TYPE_SINT32);
	val = x->kind == XT_DICT || x->kind == XT_IDICT ? x->args[1] : x->args[0];
	if ((ok = xtype_equal(e->a[1]->xt, key)))
		e->xt = xtype_clone(val);
	else {
		snprintf(r, sizeof r, "%s", xtype_sig(val));
		snprintf(method, sizeof method, "%s get_Item(%s)", r, xtype_sig(key));
		exprseq_bad_arg(c, e->a[1]->xt, xtype_name(key), method, 0);
	}
	xtype_free(key);
	return ok;
}

/* Contains: a sequence of T and a T. */
static bool
exprseq_contains(sim_call_t *c, struct expr *e)
{
	const struct xtype *t = exprseq_value_type(c, e->a[0]);
	char method[1024], ts[256];

	if (t == NULL)
		return false;
	snprintf(ts, sizeof ts, "%s", xtype_name(t));
	snprintf(method, sizeof method, "Boolean Contains[%s](" IENUM "[%s], %s)", xtype_short(t),
	    ts, xtype_sig(t));
	if (!exprseq_needs_seq(c, e->a[0]->xt, t, method))
		return false;
	if (!xtype_equal(e->a[1]->xt, t))
		return exprseq_bad_arg(c, e->a[1]->xt, ts, method, 1);
	e->xt = xtype_prim(KRPC_TYPE_BOOL);
	return true;
}

/* ---- operators with a function -------------------------------------------------------- */

/* Select, Where, All, Any: a function of one item. */
static bool
exprseq_map(sim_call_t *c, struct expr *e)
{
	const struct xtype *s = exprseq_value_type(c, e->a[0]), *f = e->a[1]->xt, *r;
	struct xtype *b = xtype_prim(KRPC_TYPE_BOOL);
	bool ok = false;

	if (s == NULL)
		goto out;
	if (e->op == EXPR_SELECT && (f->kind == XT_PRIM || f->nargs < 2)) {
		expr_fail(c, "IndexOutOfRangeException", "Index was outside the bounds of the array.");
		goto out;
	}
	r = e->op == EXPR_SELECT ? f->args[1] : b;
	if (!exprseq_needs_func(c, f, 1, s, NULL, r))
		goto out;
	if (e->op == EXPR_SELECT)
		e->xt = xtype_of(XT_ENUMERABLE, xtype_clone(r));
	else if (e->op == EXPR_WHERE)
		e->xt = xtype_of(XT_ENUMERABLE, xtype_clone(s));
	else
		e->xt = xtype_prim(KRPC_TYPE_BOOL);
	ok = true;
out:
	xtype_free(b);
	return ok;
}

/* Aggregate (Func<T, T, T>) and AggregateWithSeed (Func<A, T, A>, A the seed's type). */
static bool
exprseq_aggregate(sim_call_t *c, struct expr *e)
{
	const struct xtype *s = exprseq_value_type(c, e->a[0]), *a, *f;

	if (s == NULL)
		return false;
	a = e->op == EXPR_AGGREGATE ? s : e->a[1]->xt;
	f = e->op == EXPR_AGGREGATE ? e->a[1]->xt : e->a[2]->xt;
	if (!exprseq_needs_func(c, f, 2, a, s, a))
		return false;
	e->xt = xtype_clone(a);
	return true;
}

/* Concat: two sequences of one item type. */
static bool
exprseq_concat(sim_call_t *c, struct expr *e)
{
	const struct xtype *s1 = exprseq_value_type(c, e->a[0]), *s2;
	char method[1024], ts[256];

	if (s1 == NULL || (s2 = exprseq_value_type(c, e->a[1])) == NULL)
		return false;
	if (!xtype_equal(s1, s2)) {
		expr_fail(c, "InvalidOperationException",
		    "Cannot concatenate sequences with different value types");
		return false;
	}
	snprintf(ts, sizeof ts, "%s", xtype_name(s1));
	snprintf(method, sizeof method, IENUM "[%s] Concat[%s](" IENUM "[%s], " IENUM "[%s])", ts,
	    xtype_short(s1), ts, ts);
	if (!exprseq_needs_seq(c, e->a[0]->xt, s1, method))
		return false;
	if (!xtype_is_sequence_of(e->a[1]->xt, s1)) {
		snprintf(ts, sizeof ts, IENUM "[%s]", xtype_name(s1));
		return exprseq_bad_arg(c, e->a[1]->xt, ts, method, 1);
	}
	e->xt = xtype_of(XT_ENUMERABLE, xtype_clone(s1));
	return true;
}

/* OrderBy: a key function of one item; an IOrderedEnumerable (no indexer, no Count). */
static bool
exprseq_order_by(sim_call_t *c, struct expr *e)
{
	const struct xtype *s = exprseq_value_type(c, e->a[0]), *f = e->a[1]->xt;

	if (s == NULL)
		return false;
	if (f->kind == XT_PRIM || f->nargs < 2) {
		expr_fail(c, "IndexOutOfRangeException", "Index was outside the bounds of the array.");
		return false;
	}
	if (!exprseq_needs_func(c, f, 1, s, NULL, f->args[1]))
		return false;
	e->xt = xtype_of(XT_ORDERED, xtype_clone(s));
	return true;
}

/* ---- public ------------------------------------------------------------------------- */

/* Fills a node of a collection builder; false with the call's error set. */
bool
exprseq_build(sim_call_t *c, struct expr *e)
{
	size_t i;

	switch (e->op) {
	case EXPR_TUPLE: return exprseq_tuple(c, e);
	case EXPR_LIST: case EXPR_SET: return exprseq_list(c, e);
	case EXPR_DICT: return exprseq_dict(c, e);
	default: break;
	}
	for (i = 0; i < EXPR_ARGS_MAX; i++)
		e->a[i] = sim_arg_data(c, i);	/* NULL past the builder's parameters */
	switch (e->op) {
	case EXPR_TO_LIST: case EXPR_TO_SET: return exprseq_to(c, e);
	case EXPR_COUNT: return exprseq_count(c, e);
	case EXPR_SUM: case EXPR_MAX: case EXPR_MIN: case EXPR_AVERAGE: return exprseq_fold(c, e);
	case EXPR_GET: return exprseq_get(c, e);
	case EXPR_CONTAINS: return exprseq_contains(c, e);
	case EXPR_SELECT: case EXPR_WHERE: case EXPR_ALL: case EXPR_ANY: return exprseq_map(c, e);
	case EXPR_AGGREGATE: case EXPR_AGGREGATE_SEED: return exprseq_aggregate(c, e);
	case EXPR_CONCAT: return exprseq_concat(c, e);
	default: return exprseq_order_by(c, e);
	}
}
