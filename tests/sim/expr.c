/*
 * krpc-sim expression builders (KRPC.Expression_static_*, KRPC.Type_static_*):
 * each call checks its operands as the real server's System.Linq.Expressions
 * does, by their .NET static types (xtype.c), refusing with the same
 * exceptions and texts, builds an immutable node, and stores it as a new
 * remote object.  The builders of and on collections are in exprseq.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

#define EXPR_DEPTH_MAX 200	/* deepest expression tree accepted */

/* A KRPC.Type object. */
struct expr_type {
	krpc_type_code_t code;
};

#define EXPR_NAME(op, name) #name,
static const char *const expr_names[] = {
	EXPR_OPS(EXPR_NAME)
};
#undef EXPR_NAME

/* Frees a node (the nodes it points at are objects of their own). */
static void
expr_free(void *p)
{
	struct expr *e = p;
	size_t i;

	krpc_value_free(e->value);
	call_spec_free(e->spec);
	xtype_free(e->xt);
	free(e->name);
	for (i = 0; e->names != NULL && i < e->nlist2; i++)
		free(e->names[i]);
	free(e->names);
	free(e->list);
	free(e->list2);
	free(e);
}

/* The depth of a node from its operands'. */
static unsigned
expr_depth(const struct expr *e)
{
	unsigned d = 0;
	size_t i;

	for (i = 0; i < EXPR_ARGS_MAX; i++) {
		if (e->a[i] != NULL && e->a[i]->depth + 1 > d)
			d = e->a[i]->depth + 1;
	}
	for (i = 0; i < e->nlist; i++) {
		if (e->list[i]->depth + 1 > d)
			d = e->list[i]->depth + 1;
	}
	for (i = 0; i < e->nlist2; i++) {
		if (e->list2[i]->depth + 1 > d)
			d = e->list2[i]->depth + 1;
	}
	return d;
}

/* Stores a finished node and returns it to the caller. */
static sim_rc_t
expr_return(sim_call_t *c, struct expr *e)
{
	e->depth = expr_depth(e);
	if (e->depth > EXPR_DEPTH_MAX) {
		sim_error(c, "KRPC", "ArgumentException", "Expression nested too deeply");
		expr_free(e);
		return SIM_DONE;
	}
	e->code = e->xt->kind == XT_FUNC ? KRPC_TYPE_NONE : e->xt->code;
	sim_return(c, krpc_value_object(object_add_owned(sim_call_server(c), "KRPC", "Expression",
	    e, expr_free)));
	return SIM_DONE;
}

/* ---- shared with exprseq.c ------------------------------------------------- */

/*
 * Sets an error with a .NET exception: KRPC's own exceptions carry the KRPC
 * service (the server maps them), the others are plain errors.
 */
void
expr_fail(sim_call_t *c, const char *exception, const char *fmt, ...)
{
	bool krpc = strcmp(exception, "InvalidOperationException") == 0 ||
	    strcmp(exception, "ArgumentException") == 0 ||
	    strcmp(exception, "ArgumentNullException") == 0 ||
	    strcmp(exception, "ArgumentOutOfRangeException") == 0;
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = util_vprintf(fmt, ap);
	va_end(ap);
	sim_error(c, krpc ? "KRPC" : NULL, krpc ? exception : NULL, "%s", msg);
	free(msg);
}

/*
 * The nodes named by a LIST or SET argument; false with the error set.  A
 * null among them faults the server's reading of their types.
 */
bool
expr_arg_list(sim_call_t *c, size_t i, struct expr ***out, size_t *n)
{
	const krpc_value_t *v = sim_arg(c, i);
	uint64_t id;
	size_t k;

	*n = krpc_value_count(v);
	*out = util_calloc(*n + 1, sizeof **out);
	for (k = 0; k < *n; k++) {
		if (krpc_value_as_object(krpc_value_item(v, k), &id) != KRPC_OK ||
		    ((*out)[k] = expr_get(sim_call_server(c), id)) == NULL) {
			expr_fail(c, "NullReferenceException",
			    "Object reference not set to an instance of an object");
			return false;
		}
	}
	return true;
}

/* ---- conversions and operators ------------------------------------------------ */

/*
 * True if Expression.Convert(x, to) is accepted: the same type, a Nullable<T>
 * to its T, a number, boolean or enumeration to a number or enumeration, or
 * an interface to a value type (unboxing).
 */
static bool
expr_convertible(const struct xtype *x, const struct xtype *to)
{
	bool from_num = xtype_is_numeric(x) || x->kind == XT_ENUM ||
	    (x->kind == XT_PRIM && x->code == KRPC_TYPE_BOOL);

	if (xtype_equal(x, to) || (x->kind == XT_NULLABLE && xtype_equal(x->args[0], to)))
		return true;
	if (from_num && (xtype_is_numeric(to) || to->kind == XT_ENUM))
		return true;
	return (x->kind == XT_ILIST || x->kind == XT_IDICT || x->kind == XT_ENUMERABLE) &&
	    xtype_is_value(to);
}

/* A conversion's error if there is one; true if it is accepted. */
static bool
expr_convert_ok(sim_call_t *c, const struct xtype *x, const struct xtype *to)
{
	if (expr_convertible(x, to))
		return true;
	expr_fail(c, "InvalidOperationException", "No coercion operator is defined between types "
	    "'%s' and '%s'.", xtype_name(x), xtype_name(to));
	return false;
}

/* True if a binary operator is defined for operands of types x and y. */
static bool
expr_binary_defined(enum expr_op op, const struct xtype *x, const struct xtype *y)
{
	if (op == EXPR_SHL || op == EXPR_SHR)
		return xtype_is_integer(x) && y->kind == XT_PRIM && y->code == KRPC_TYPE_SINT32;
	if (!xtype_equal(x, y))
		return false;
	switch (op) {
	case EXPR_EQUAL: case EXPR_NOT_EQUAL:
		return x->kind != XT_STRUCT;	/* value structures have no == */
	case EXPR_AND: case EXPR_OR: case EXPR_XOR:
		return xtype_is_integer(x) || (x->kind == XT_PRIM && x->code == KRPC_TYPE_BOOL);
	default:	/* comparisons and arithmetic */
		return xtype_is_numeric(x);
	}
}

/* Equal ... RightShift: operand types checked, the result's type set. */
static bool
expr_binary(sim_call_t *c, struct expr *e)
{
	const struct xtype *x = e->a[0]->xt, *y = e->a[1]->xt;
	struct xtype *dbl;
	bool ok;

	if (e->op == EXPR_POW) {
		/* both operands converted to double, the result back to arg0's type */
		dbl = xtype_prim(KRPC_TYPE_DOUBLE);
		ok = expr_convert_ok(c, x, dbl) && expr_convert_ok(c, y, dbl) &&
		    expr_convert_ok(c, dbl, x);
		xtype_free(dbl);
		e->xt = ok ? xtype_clone(x) : NULL;
		return ok;
	}
	if (!expr_binary_defined(e->op, x, y)) {
		expr_fail(c, "InvalidOperationException", "The binary operator %s is not defined for "
		    "the types '%s' and '%s'.", expr_names[e->op], xtype_name(x), xtype_name(y));
		return false;
	}
	e->xt = e->op <= EXPR_LESS_EQ ? xtype_prim(KRPC_TYPE_BOOL) : xtype_clone(x);
	return true;
}

/* Not: a boolean or an integer. */
static bool
expr_not(sim_call_t *c, struct expr *e)
{
	const struct xtype *x = e->a[0]->xt;

	if (!xtype_is_integer(x) && !(x->kind == XT_PRIM && x->code == KRPC_TYPE_BOOL)) {
		expr_fail(c, "InvalidOperationException", "The unary operator Not is not defined for "
		    "the type '%s'.", xtype_name(x));
		return false;
	}
	e->xt = xtype_clone(x);
	return true;
}

/* ---- the other builders ------------------------------------------------------- */

/* Call: a procedure call that returns a value, its arguments filled now. */
static bool
expr_build_call(sim_call_t *c, struct expr *e)
{
	struct sim_err err = { NULL, NULL, NULL, NULL };
	const struct svc_proc *p;
	const uint8_t *data;
	enum call_rc rc;
	size_t len = 0;

	data = krpc_value_data(sim_arg(c, 0), &len);
	if ((rc = call_spec_parse(sim_call_server(c), data ? data : (const uint8_t *)"", len,
	    &e->spec, &err)) != CALL_OK) {
		if (rc == CALL_UNRESOLVED)
			call_trace_nested(&err, NULL, "KRPC.Service.KRPC.Expression.Call "
			    "(KRPC.Service.Messages.ProcedureCall call)", true);
		call_set_err(c, &err);
		err_clear(&err);
		return false;
	}
	p = call_spec_proc(e->spec);
	if (p->ret == NULL) {
		expr_fail(c, "InvalidOperationException",
		    "Cannot use a procedure that does not return a value.");
		return false;
	}
	if (call_spec_check(sim_call_server(c), e->spec, &err) != 0) {
		call_set_err(c, &err);
		err_clear(&err);
		return false;
	}
	/* a value type that may be null is read as Nullable<T> */
	e->xt = xtype_from_krpc(p->ret, (p->p->flags & SIM_RET_NULLABLE) != 0);
	return true;
}

/* Cast and Parameter: an operand or a name, and a KRPC.Type. */
static bool
expr_build_typed(sim_call_t *c, struct expr *e)
{
	struct expr_type *t = sim_arg_data(c, 1);
	struct xtype *to = xtype_prim(t->code);

	e->type = t->code;
	if (e->op == EXPR_PARAM) {
		e->name = util_strdup(sim_arg_str(c, 0, NULL));
		e->xt = to;
		return true;
	}
	e->a[0] = sim_arg_data(c, 0);
	if (!expr_convert_ok(c, e->a[0]->xt, to)) {
		xtype_free(to);
		return false;
	}
	e->xt = to;
	return true;
}

/* Function: distinct Parameter nodes and a body; a Func<parameters..., body>. */
static bool
expr_build_function(sim_call_t *c, struct expr *e)
{
	struct xtype *args[EXPR_FUNC_MAX + 1];
	size_t i, j;

	if (!expr_arg_list(c, 0, &e->list, &e->nlist))
		return false;
	for (i = 0; i < e->nlist; i++) {
		if (e->list[i]->op != EXPR_PARAM) {
			expr_fail(c, "InvalidCastException", "Specified cast is not valid.");
			return false;
		}
		for (j = 0; j < i; j++) {
			if (e->list[j] != e->list[i])
				continue;
			expr_fail(c, "ArgumentException", "Found duplicate parameter '%s'. Each "
			    "ParameterExpression in the list must be a unique object.\nParameter name: "
			    "parameters[%zu]", e->list[i]->name, i);
			return false;
		}
	}
	if (e->nlist > EXPR_FUNC_MAX) {
		expr_fail(c, "ArgumentException", "Incorrect number of parameters supplied for lambda "
		    "declaration");
		return false;
	}
	e->a[0] = sim_arg_data(c, 1);
	for (i = 0; i < e->nlist; i++)
		args[i] = xtype_clone(e->list[i]->xt);
	args[i] = xtype_clone(e->a[0]->xt);
	e->xt = xtype_generic(XT_FUNC, e->nlist + 1, args);
	return true;
}

/* The argument of an Invoke named name, or -1. */
static long
expr_invoke_arg(const struct expr *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nlist2; i++) {
		if (strcmp(e->names[i], name) == 0)
			return (long)i;
	}
	return -1;
}

/* Invoke's checks, in the server's order: a function, its names, their number, their types. */
static bool
expr_invoke_check(sim_call_t *c, struct expr *e)
{
	const struct expr *fn = e->a[0];
	long k;
	size_t i;

	if (fn->op != EXPR_FUNCTION) {
		expr_fail(c, "InvalidCastException", "Specified cast is not valid.");
		return false;
	}
	for (i = 0; i < fn->nlist; i++) {
		if ((k = expr_invoke_arg(e, fn->list[i]->name)) < 0) {
			expr_fail(c, "KeyNotFoundException", "The given key '%s' was not present in the "
			    "dictionary.", fn->list[i]->name);
			return false;
		}
		if (i >= e->nlist2) {
			expr_fail(c, "IndexOutOfRangeException", "Index was outside the bounds of the "
			    "array.");
			return false;
		}
	}
	if (e->nlist2 != fn->nlist) {
		expr_fail(c, "InvalidOperationException",
		    "Incorrect number of arguments supplied for lambda invocation");
		return false;
	}
	for (i = 0; i < fn->nlist; i++) {
		k = expr_invoke_arg(e, fn->list[i]->name);
		if (xtype_equal(e->list2[k]->xt, fn->list[i]->xt))
			continue;
		expr_fail(c, "ArgumentException", "Expression of type '%s' cannot be used for parameter "
		    "of type '%s'\nParameter name: arg%zu", xtype_name(e->list2[k]->xt),
		    xtype_name(fn->list[i]->xt), i);
		return false;
	}
	return true;
}

/* Invoke: a function and its arguments by parameter name. */
static bool
expr_build_invoke(sim_call_t *c, struct expr *e)
{
	const krpc_value_t *d = sim_arg(c, 1);
	uint64_t id;
	size_t i;

	e->a[0] = sim_arg_data(c, 0);
	e->nlist2 = krpc_value_count(d);
	e->list2 = util_calloc(e->nlist2 + 1, sizeof *e->list2);
	e->names = util_calloc(e->nlist2 + 1, sizeof *e->names);
	for (i = 0; i < e->nlist2; i++) {
		e->names[i] = util_strdup(krpc_value_str(krpc_value_key(d, i), NULL));
		if (krpc_value_as_object(krpc_value_val(d, i), &id) != KRPC_OK ||
		    (e->list2[i] = expr_get(sim_call_server(c), id)) == NULL) {
			expr_fail(c, "NullReferenceException",
			    "Object reference not set to an instance of an object");
			return false;
		}
	}
	if (!expr_invoke_check(c, e))
		return false;
	e->xt = xtype_clone(e->a[0]->xt->args[e->a[0]->xt->nargs - 1]);
	return true;
}

/* Fills the node for its builder; false with the call's error set. */
static bool
expr_fill(sim_call_t *c, struct expr *e)
{
	switch (e->op) {
	case EXPR_CONST_DOUBLE: case EXPR_CONST_FLOAT: case EXPR_CONST_INT: case EXPR_CONST_BOOL:
	case EXPR_CONST_STRING:
		e->value = krpc_value_clone(sim_arg(c, 0));
		e->xt = xtype_prim(krpc_value_code(e->value));
		return true;
	case EXPR_CALL:
		return expr_build_call(c, e);
	case EXPR_CAST: case EXPR_PARAM:
		return expr_build_typed(c, e);
	case EXPR_FUNCTION:
		return expr_build_function(c, e);
	case EXPR_INVOKE:
		return expr_build_invoke(c, e);
	case EXPR_NOT:
		e->a[0] = sim_arg_data(c, 0);
		return expr_not(c, e);
	default:
		break;
	}
	if (expr_binary_op(e->op)) {
		e->a[0] = sim_arg_data(c, 0);
		e->a[1] = sim_arg_data(c, 1);
		return expr_binary(c, e);
	}
	return exprseq_build(c, e);
}

/* ---- compiling an event's expression -------------------------------------------- */

/* The functions around a node, innermost first. */
struct expr_scope {
	const struct expr		*fn;
	const struct expr_scope		*up;
};

/* True if a function around binds parameter p (the very node: .NET binds by object). */
static bool
expr_in_scope(const struct expr *p, const struct expr_scope *s)
{
	size_t i;

	for (; s != NULL; s = s->up) {
		for (i = 0; i < s->fn->nlist; i++) {
			if (s->fn->list[i] == p)
				return true;
		}
	}
	return false;
}

/* A parameter the tree uses outside any function that binds it, or NULL. */
static const struct expr *
expr_unbound(const struct expr *e, const struct expr_scope *s)
{
	struct expr_scope inner = { e, s };
	const struct expr *u;
	size_t i;

	if (e->op == EXPR_PARAM)
		return expr_in_scope(e, s) ? NULL : e;
	if (e->op == EXPR_FUNCTION)
		s = &inner;
	for (i = 0; i < EXPR_ARGS_MAX; i++) {
		if (e->a[i] != NULL && (u = expr_unbound(e->a[i], s)) != NULL)
			return u;
	}
	for (i = 0; e->op != EXPR_FUNCTION && i < e->nlist; i++) {
		if ((u = expr_unbound(e->list[i], s)) != NULL)
			return u;
	}
	for (i = 0; i < e->nlist2; i++) {
		if ((u = expr_unbound(e->list2[i], s)) != NULL)
			return u;
	}
	return NULL;
}

/* ---- public ---------------------------------------------------------- */

/* The wire name of a builder. */
const char *
expr_op_name(enum expr_op op)
{
	return op < EXPR_NOPS ? expr_names[op] : "?";
}

/* The node with object id, or NULL. */
struct expr *
expr_get(sim_server_t *s, uint64_t id)
{
	return sim_object_get(s, id, "KRPC", "Expression");
}

/* Runs builder op for a KRPC.Expression_static_* call. */
sim_rc_t
expr_build(sim_call_t *c, int op)
{
	struct expr *e = util_calloc(1, sizeof *e);

	e->op = (enum expr_op)op;
	if (!expr_fill(c, e)) {
		expr_free(e);
		return SIM_DONE;
	}
	return expr_return(c, e);
}

/* Runs a KRPC.Type_static_* call: a new Type object. */
sim_rc_t
expr_type_build(sim_call_t *c, krpc_type_code_t code)
{
	struct expr_type *t = util_calloc(1, sizeof *t);

	t->code = code;
	sim_return(c, krpc_value_object(object_add_owned(sim_call_server(c), "KRPC", "Type", t,
	    free)));
	return SIM_DONE;
}

/* Evaluates expression object id as client. */
krpc_value_t *
expr_eval(sim_server_t *s, sim_client_t *client, uint64_t id, struct sim_err *err)
{
	struct expr *e = expr_get(s, id);

	if (e == NULL) {
		err_set(err, "KRPC", "ArgumentException", "Instance not found");
		return NULL;
	}
	return eval_node(s, client, e, err);
}

/*
 * Compiles expression id for an event as the server does (a lambda
 * returning a boolean): -1 with the call's error set if it cannot be.
 */
int
expr_check_event(sim_call_t *c, uint64_t id)
{
	const struct expr *e = expr_get(sim_call_server(c), id), *u;

	if (e == NULL)
		return 0;
	if (e->xt->kind != XT_PRIM || e->xt->code != KRPC_TYPE_BOOL) {
		expr_fail(c, "ArgumentException", "Expression of type '%s' cannot be used for return "
		    "type 'System.Boolean'", xtype_name(e->xt));
		return -1;
	}
	if ((u = expr_unbound(e, NULL)) == NULL)
		return 0;
	expr_fail(c, "InvalidOperationException", "variable '%s' of type '%s' referenced from scope "
	    "'', but it is not defined", u->name, xtype_name(u->xt));
	return -1;
}
