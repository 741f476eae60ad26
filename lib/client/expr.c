/*
 * The expression builder: one call per node to the static builders of
 * KRPC.Expression and KRPC.Type (PROTOCOL.md 8.2), returning object ids.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define EXPR_CLASS	"class(KRPC.Expression)"

static const struct {
	const char	*name;
	int		 arity;
} expr_ops[] = {
	[KRPC_EXPR_EQUAL] = { "Equal", 2 },
	[KRPC_EXPR_NOT_EQUAL] = { "NotEqual", 2 },
	[KRPC_EXPR_GREATER_THAN] = { "GreaterThan", 2 },
	[KRPC_EXPR_GREATER_THAN_OR_EQUAL] = { "GreaterThanOrEqual", 2 },
	[KRPC_EXPR_LESS_THAN] = { "LessThan", 2 },
	[KRPC_EXPR_LESS_THAN_OR_EQUAL] = { "LessThanOrEqual", 2 },
	[KRPC_EXPR_AND] = { "And", 2 },
	[KRPC_EXPR_OR] = { "Or", 2 },
	[KRPC_EXPR_EXCLUSIVE_OR] = { "ExclusiveOr", 2 },
	[KRPC_EXPR_ADD] = { "Add", 2 },
	[KRPC_EXPR_SUBTRACT] = { "Subtract", 2 },
	[KRPC_EXPR_MULTIPLY] = { "Multiply", 2 },
	[KRPC_EXPR_DIVIDE] = { "Divide", 2 },
	[KRPC_EXPR_MODULO] = { "Modulo", 2 },
	[KRPC_EXPR_POWER] = { "Power", 2 },
	[KRPC_EXPR_LEFT_SHIFT] = { "LeftShift", 2 },
	[KRPC_EXPR_RIGHT_SHIFT] = { "RightShift", 2 },
	[KRPC_EXPR_NOT] = { "Not", 1 },
	[KRPC_EXPR_TO_LIST] = { "ToList", 1 },
	[KRPC_EXPR_TO_SET] = { "ToSet", 1 },
	[KRPC_EXPR_COUNT] = { "Count", 1 },
	[KRPC_EXPR_SUM] = { "Sum", 1 },
	[KRPC_EXPR_MAX] = { "Max", 1 },
	[KRPC_EXPR_MIN] = { "Min", 1 },
	[KRPC_EXPR_AVERAGE] = { "Average", 1 },
};
#define EXPR_NOPS (sizeof expr_ops / sizeof expr_ops[0])

static const char *const expr_types[] = {
	[KRPC_EXPR_TYPE_DOUBLE] = "Type_static_Double",
	[KRPC_EXPR_TYPE_FLOAT] = "Type_static_Float",
	[KRPC_EXPR_TYPE_INT] = "Type_static_Int",
	[KRPC_EXPR_TYPE_BOOL] = "Type_static_Bool",
	[KRPC_EXPR_TYPE_STRING] = "Type_static_String",
};

/* Calls a KRPC builder with owned arguments and returns the object id. */
static krpc_code_t
expr_build(krpc_client_t *c, const char *procedure, const char *ret, size_t nargs,
    krpc_value_t *a0, krpc_value_t *a1, uint64_t *out)
{
	krpc_value_t *v = NULL;
	krpc_code_t rc;

	if (c == NULL || out == NULL) {
		krpc_value_free(a0);
		krpc_value_free(a1);
		return krpc_error_set(KRPC_ERR_ARG, "no client or no place for the result");
	}
	*out = 0;
	if ((rc = krpc_client_enter(c)) != KRPC_OK) {
		krpc_value_free(a0);
		krpc_value_free(a1);
		return rc;
	}
	rc = krpc_call_simple(c, "KRPC", procedure, nargs, a0, a1, NULL, ret, &v);
	if (rc == KRPC_OK && krpc_value_as_object(v, out) != KRPC_OK)
		rc = krpc_error_set(KRPC_ERR_PROTOCOL, "%s returned a null object", procedure);
	krpc_value_free(v);
	krpc_client_leave(c);
	return rc;
}

/* The wire name of an operator's builder. */
const char *
krpc_expr_op_name(krpc_expr_op_t op)
{
	return (size_t)op < EXPR_NOPS ? expr_ops[op].name : NULL;
}

/* A double constant. */
krpc_code_t
krpc_expr_constant_double(krpc_client_t *c, double d, uint64_t *out)
{
	return expr_build(c, "Expression_static_ConstantDouble", EXPR_CLASS, 1, krpc_value_double(d), NULL, out);
}

/* A float constant. */
krpc_code_t
krpc_expr_constant_float(krpc_client_t *c, float f, uint64_t *out)
{
	return expr_build(c, "Expression_static_ConstantFloat", EXPR_CLASS, 1, krpc_value_float(f), NULL, out);
}

/* An int constant. */
krpc_code_t
krpc_expr_constant_int(krpc_client_t *c, int32_t i, uint64_t *out)
{
	return expr_build(c, "Expression_static_ConstantInt", EXPR_CLASS, 1, krpc_value_sint32(i), NULL, out);
}

/* A bool constant. */
krpc_code_t
krpc_expr_constant_bool(krpc_client_t *c, bool b, uint64_t *out)
{
	return expr_build(c, "Expression_static_ConstantBool", EXPR_CLASS, 1, krpc_value_bool(b), NULL, out);
}

/* A string constant. */
krpc_code_t
krpc_expr_constant_string(krpc_client_t *c, const char *s, uint64_t *out)
{
	if (s == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no string");
	return expr_build(c, "Expression_static_ConstantString", EXPR_CLASS, 1, krpc_value_string(s), NULL, out);
}

/* An expression evaluating a procedure call. */
krpc_code_t
krpc_expr_call(krpc_client_t *c, const krpc_value_t *call, uint64_t *out)
{
	if (call == NULL || krpc_value_code(call) != KRPC_TYPE_PROCEDURE_CALL || krpc_value_is_null(call))
		return krpc_error_set(KRPC_ERR_ARG, "not a PROCEDURE_CALL value");
	return expr_build(c, "Expression_static_Call", EXPR_CLASS, 1, krpc_value_clone(call), NULL, out);
}

/* Builds the name "Expression_static_<Op>" into buf. */
static const char *
expr_proc_name(krpc_expr_op_t op, int arity, char *buf, size_t len)
{
	if ((size_t)op >= EXPR_NOPS || expr_ops[op].arity != arity)
		return NULL;
	snprintf(buf, len, "Expression_static_%s", expr_ops[op].name);
	return buf;
}

/* A binary operator node. */
krpc_code_t
krpc_expr_binary(krpc_client_t *c, krpc_expr_op_t op, uint64_t arg0, uint64_t arg1, uint64_t *out)
{
	char name[64];

	if (expr_proc_name(op, 2, name, sizeof name) == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "operator %d is not binary", (int)op);
	return expr_build(c, name, EXPR_CLASS, 2, krpc_value_object(arg0), krpc_value_object(arg1), out);
}

/* A unary operator node. */
krpc_code_t
krpc_expr_unary(krpc_client_t *c, krpc_expr_op_t op, uint64_t arg, uint64_t *out)
{
	char name[64];

	if (expr_proc_name(op, 1, name, sizeof name) == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "operator %d is not unary", (int)op);
	return expr_build(c, name, EXPR_CLASS, 1, krpc_value_object(arg), NULL, out);
}

/* The KRPC.Type object of a cast type. */
krpc_code_t
krpc_expr_type(krpc_client_t *c, krpc_expr_type_t type, uint64_t *out)
{
	if ((size_t)type >= sizeof expr_types / sizeof expr_types[0])
		return krpc_error_set(KRPC_ERR_ARG, "unknown expression type %d", (int)type);
	return expr_build(c, expr_types[type], "class(KRPC.Type)", 0, NULL, NULL, out);
}

/* arg cast to a type. */
krpc_code_t
krpc_expr_cast(krpc_client_t *c, uint64_t arg, krpc_expr_type_t type, uint64_t *out)
{
	uint64_t t;
	krpc_code_t rc;

	if ((rc = krpc_expr_type(c, type, &t)) != KRPC_OK)
		return rc;
	return expr_build(c, "Expression_static_Cast", EXPR_CLASS, 2, krpc_value_object(arg),
	    krpc_value_object(t), out);
}
