/*
 * krpc-sim expression builders (KRPC.Expression_static_*, KRPC.Type_static_*):
 * each call checks its operands the way .NET expression trees do, builds an
 * immutable node with its static type, and stores it as a new remote object.
 */
#include "config.h"

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
	free(e->name);
	for (i = 0; e->names != NULL && i < e->nlist2; i++)
		free(e->names[i]);
	free(e->names);
	free(e->list);
	free(e->list2);
	free(e);
}

/* True for the numeric type codes. */
static bool
expr_numeric(krpc_type_code_t code)
{
	return code == KRPC_TYPE_DOUBLE || code == KRPC_TYPE_FLOAT || code == KRPC_TYPE_SINT32 ||
	    code == KRPC_TYPE_SINT64 || code == KRPC_TYPE_UINT32 || code == KRPC_TYPE_UINT64;
}

/* True for the integer type codes. */
static bool
expr_integer(krpc_type_code_t code)
{
	return expr_numeric(code) && code != KRPC_TYPE_DOUBLE && code != KRPC_TYPE_FLOAT;
}

/* Stores a finished node and returns it to the caller. */
static sim_rc_t
expr_return(sim_call_t *c, struct expr *e)
{
	size_t i;

	for (i = 0; i < EXPR_ARGS_MAX; i++) {
		if (e->a[i] != NULL && e->a[i]->depth + 1 > e->depth)
			e->depth = e->a[i]->depth + 1;
	}
	for (i = 0; i < e->nlist; i++) {
		if (e->list[i]->depth + 1 > e->depth)
			e->depth = e->list[i]->depth + 1;
	}
	for (i = 0; i < e->nlist2; i++) {
		if (e->list2[i]->depth + 1 > e->depth)
			e->depth = e->list2[i]->depth + 1;
	}
	if (e->depth > EXPR_DEPTH_MAX) {
		sim_error(c, "KRPC", "ArgumentException", "Expression nested too deeply");
		expr_free(e);
		return SIM_DONE;
	}
	sim_return(c, krpc_value_object(object_add_owned(sim_call_server(c), "KRPC", "Expression",
	    e, expr_free)));
	return SIM_DONE;
}

/* The nodes named by a LIST or SET argument; false with the error set. */
static bool
expr_arg_list(sim_call_t *c, size_t i, struct expr ***out, size_t *n)
{
	const krpc_value_t *v = sim_arg(c, i);
	uint64_t id;
	size_t k;

	*n = krpc_value_count(v);
	*out = util_calloc(*n, sizeof **out);
	for (k = 0; k < *n; k++) {
		if (krpc_value_as_object(krpc_value_item(v, k), &id) != KRPC_OK ||
		    ((*out)[k] = expr_get(sim_call_server(c), id)) == NULL) {
			sim_error(c, "KRPC", "ArgumentNullException",
			    "Value cannot be null.\nParameter name: %s", "expression");
			return false;
		}
	}
	return true;
}

/* Checks a binary operator's operand types; sets the node's type. */
static bool
expr_binary(sim_call_t *c, struct expr *e)
{
	krpc_type_code_t x = e->a[0]->code, y = e->a[1]->code;
	bool known = x != KRPC_TYPE_NONE && y != KRPC_TYPE_NONE, ok = true;

	if (known && x != y && eval_promotes(e->op) && expr_numeric(x) && expr_numeric(y)) {
		if ((x = y = eval_common(x, y)) == KRPC_TYPE_NONE) {
			sim_error(c, "KRPC", "InvalidOperationException", "No implicit conversion between "
			    "%s and %s. Use a cast to convert one of the operands.",
			    eval_dotnet(e->a[0]->code), eval_dotnet(e->a[1]->code));
			return false;
		}
	}
	switch (e->op) {
	case EXPR_EQUAL: case EXPR_NOT_EQUAL:
		ok = !known || x == y;
		break;
	case EXPR_GREATER: case EXPR_GREATER_EQ: case EXPR_LESS: case EXPR_LESS_EQ:
		ok = known ? x == y && expr_numeric(x) : expr_numeric(x) || expr_numeric(y);
		break;
	case EXPR_AND: case EXPR_OR: case EXPR_XOR:
		ok = (!known || x == y) && (x == KRPC_TYPE_BOOL || expr_integer(x) ||
		    y == KRPC_TYPE_BOOL || expr_integer(y));
		break;
	case EXPR_SHL: case EXPR_SHR:
		ok = (x == KRPC_TYPE_NONE || expr_integer(x)) && (y == KRPC_TYPE_NONE || y == KRPC_TYPE_SINT32);
		break;
	case EXPR_POW:
		ok = (x == KRPC_TYPE_NONE || expr_numeric(x)) && (y == KRPC_TYPE_NONE || expr_numeric(y));
		break;
	default:	/* Add, Subtract, Multiply, Divide, Modulo */
		ok = known ? x == y && expr_numeric(x) : expr_numeric(x) || expr_numeric(y);
		break;
	}
	if (!ok && !known && x == KRPC_TYPE_NONE && y == KRPC_TYPE_NONE)
		ok = true;	/* nothing known yet: checked when evaluated */
	e->code = e->op <= EXPR_LESS_EQ ? KRPC_TYPE_BOOL : e->op == EXPR_POW || e->op == EXPR_SHL ||
	    e->op == EXPR_SHR ? e->a[0]->code : x != KRPC_TYPE_NONE ? x : y;
	if (!ok)
		sim_error(c, "KRPC", "InvalidOperationException", "The binary operator %s is not "
		    "defined for the types '%s' and '%s'.", expr_names[e->op],
		    eval_dotnet(e->a[0]->code), eval_dotnet(e->a[1]->code));
	return ok;
}

/* Constants: the value as given. */
static bool
expr_build_const(sim_call_t *c, struct expr *e)
{
	e->value = krpc_value_clone(sim_arg(c, 0));
	e->code = krpc_value_code(e->value);
	return true;
}

/* Call: a procedure call that returns a value. */
static bool
expr_build_call(sim_call_t *c, struct expr *e)
{
	struct sim_err err = { NULL, NULL, NULL, NULL };
	const uint8_t *data;
	size_t len = 0;

	data = krpc_value_data(sim_arg(c, 0), &len);
	if (call_spec_parse(sim_call_server(c), data ? data : (const uint8_t *)"", len, &e->spec,
	    &err) != CALL_OK) {
		call_set_err(c, &err);
		err_clear(&err);
		return false;
	}
	if (call_spec_proc(e->spec)->ret == NULL) {
		sim_error(c, "KRPC", "InvalidOperationException",
		    "Cannot use a procedure that does not return a value.");
		return false;
	}
	if (call_spec_check(sim_call_server(c), e->spec, &err) != 0) {	/* arguments are filled at build time */
		call_set_err(c, &err);
		err_clear(&err);
		return false;
	}
	e->code = krpc_type_code(call_spec_proc(e->spec)->ret);
	return true;
}

/* Cast and Parameter: an operand or name, and a KRPC.Type. */
static bool
expr_build_typed(sim_call_t *c, struct expr *e)
{
	struct expr_type *t = sim_arg_data(c, 1);
	krpc_type_code_t from;

	e->type = e->code = t->code;
	if (e->op == EXPR_PARAM) {
		e->name = util_strdup(sim_arg_str(c, 0, NULL));
		return true;
	}
	e->a[0] = sim_arg_data(c, 0);
	from = e->a[0]->code;
	if (from == KRPC_TYPE_NONE || from == t->code || (expr_numeric(from) && expr_numeric(t->code)))
		return true;
	sim_error(c, "KRPC", "InvalidOperationException", "No coercion operator is defined between "
	    "types '%s' and '%s'.", eval_dotnet(from), eval_dotnet(t->code));
	return false;
}

/* Function: a parameter list and a body. */
static bool
expr_build_function(sim_call_t *c, struct expr *e)
{
	size_t i;

	if (!expr_arg_list(c, 0, &e->list, &e->nlist))
		return false;
	for (i = 0; i < e->nlist; i++) {
		if (e->list[i]->op != EXPR_PARAM) {
			sim_error(c, "KRPC", "ArgumentException",
			    "The parameters of a function must be Parameter expressions");
			return false;
		}
	}
	e->a[0] = sim_arg_data(c, 1);
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
	e->code = e->a[0]->op == EXPR_FUNCTION && e->a[0]->a[0] ? e->a[0]->a[0]->code : KRPC_TYPE_NONE;
	e->nlist2 = krpc_value_count(d);
	e->list2 = util_calloc(e->nlist2, sizeof *e->list2);
	e->names = util_calloc(e->nlist2, sizeof *e->names);
	for (i = 0; i < e->nlist2; i++) {
		e->names[i] = util_strdup(krpc_value_str(krpc_value_key(d, i), NULL));
		if (krpc_value_as_object(krpc_value_val(d, i), &id) != KRPC_OK ||
		    (e->list2[i] = expr_get(sim_call_server(c), id)) == NULL) {
			sim_error(c, "KRPC", "ArgumentNullException",
			    "Value cannot be null.\nParameter name: args");
			return false;
		}
	}
	return true;
}

/* CreateTuple, CreateList, CreateSet, CreateDictionary. */
static bool
expr_build_collection(sim_call_t *c, struct expr *e)
{
	static const krpc_type_code_t codes[] = { KRPC_TYPE_TUPLE, KRPC_TYPE_LIST, KRPC_TYPE_SET,
	    KRPC_TYPE_DICTIONARY };

	e->code = codes[e->op - EXPR_TUPLE];
	if (!expr_arg_list(c, 0, &e->list, &e->nlist))
		return false;
	if (e->op != EXPR_DICT)
		return true;
	if (!expr_arg_list(c, 1, &e->list2, &e->nlist2))
		return false;
	if (e->nlist != e->nlist2) {
		sim_error(c, "KRPC", "ArgumentException",
		    "The number of keys and values of a dictionary must be equal");
		return false;
	}
	return true;
}

/* The operators on collections and the rest: Expr operands only. */
static bool
expr_build_operands(sim_call_t *c, struct expr *e, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < EXPR_ARGS_MAX; i++)
		e->a[i] = sim_arg_data(c, i);
	switch (e->op) {
	case EXPR_NOT: e->code = e->a[0]->code; break;
	case EXPR_TO_LIST: case EXPR_SELECT: case EXPR_WHERE: case EXPR_CONCAT: case EXPR_ORDER_BY:
		e->code = KRPC_TYPE_LIST;
		break;
	case EXPR_TO_SET: e->code = KRPC_TYPE_SET; break;
	case EXPR_COUNT: e->code = KRPC_TYPE_SINT32; break;
	case EXPR_CONTAINS: case EXPR_ALL: case EXPR_ANY: e->code = KRPC_TYPE_BOOL; break;
	default: e->code = KRPC_TYPE_NONE; break;
	}
	if (e->op == EXPR_NOT && e->code != KRPC_TYPE_NONE && e->code != KRPC_TYPE_BOOL &&
	    !expr_integer(e->code)) {
		sim_error(c, "KRPC", "InvalidOperationException", "The unary operator Not is not "
		    "defined for the type '%s'.", eval_dotnet(e->code));
		return false;
	}
	return true;
}

/* Fills the node for its builder; false with the call's error set. */
static bool
expr_fill(sim_call_t *c, struct expr *e)
{
	switch (e->op) {
	case EXPR_CONST_DOUBLE: case EXPR_CONST_FLOAT: case EXPR_CONST_INT: case EXPR_CONST_BOOL:
	case EXPR_CONST_STRING:
		return expr_build_const(c, e);
	case EXPR_CALL:
		return expr_build_call(c, e);
	case EXPR_CAST: case EXPR_PARAM:
		return expr_build_typed(c, e);
	case EXPR_FUNCTION:
		return expr_build_function(c, e);
	case EXPR_INVOKE:
		return expr_build_invoke(c, e);
	case EXPR_TUPLE: case EXPR_LIST: case EXPR_SET: case EXPR_DICT:
		return expr_build_collection(c, e);
	case EXPR_AGGREGATE_SEED:
		return expr_build_operands(c, e, 3);
	case EXPR_NOT: case EXPR_TO_LIST: case EXPR_TO_SET: case EXPR_COUNT: case EXPR_SUM:
	case EXPR_MAX: case EXPR_MIN: case EXPR_AVERAGE:
		return expr_build_operands(c, e, 1);
	default:
		break;
	}
	if (expr_binary_op(e->op)) {
		e->a[0] = sim_arg_data(c, 0);
		e->a[1] = sim_arg_data(c, 1);
		return expr_binary(c, e);
	}
	return expr_build_operands(c, e, 2);
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

/* The static type of expression id (KRPC_TYPE_NONE if unknown). */
krpc_type_code_t
expr_code(sim_server_t *s, uint64_t id)
{
	struct expr *e = expr_get(s, id);

	return e != NULL ? e->code : KRPC_TYPE_NONE;
}
