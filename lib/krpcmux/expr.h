/*
 * libkrpcmux expressions: builders over KRPC.Expression (PROTOCOL.md 8.2),
 * for custom events.  Each builder is one call to the server and returns
 * the new expression's object id; expressions are never freed by the
 * server.  Example: "mean altitude > 1000":
 *     krpc_expr_call(c, altitude_call, &a);
 *     krpc_expr_constant_double(c, 1000.0, &k);
 *     krpc_expr_binary(c, KRPC_EXPR_GREATER_THAN, a, k, &cond);
 *     krpc_event_add(c, cond, &event);
 * Thread safety: as for krpc_call().
 */
#ifndef KRPCMUX_EXPR_H
#define KRPCMUX_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "value.h"
#include "client.h"

KRPC_BEGIN_DECLS

/* Operators: binary ones take (arg0, arg1), unary ones (arg). */
typedef enum krpc_expr_op {
	KRPC_EXPR_EQUAL,
	KRPC_EXPR_NOT_EQUAL,
	KRPC_EXPR_GREATER_THAN,
	KRPC_EXPR_GREATER_THAN_OR_EQUAL,
	KRPC_EXPR_LESS_THAN,
	KRPC_EXPR_LESS_THAN_OR_EQUAL,
	KRPC_EXPR_AND,
	KRPC_EXPR_OR,
	KRPC_EXPR_EXCLUSIVE_OR,
	KRPC_EXPR_ADD,
	KRPC_EXPR_SUBTRACT,
	KRPC_EXPR_MULTIPLY,
	KRPC_EXPR_DIVIDE,
	KRPC_EXPR_MODULO,
	KRPC_EXPR_POWER,
	KRPC_EXPR_LEFT_SHIFT,
	KRPC_EXPR_RIGHT_SHIFT,
	KRPC_EXPR_NOT,		/* unary from here on */
	KRPC_EXPR_TO_LIST,
	KRPC_EXPR_TO_SET,
	KRPC_EXPR_COUNT,
	KRPC_EXPR_SUM,
	KRPC_EXPR_MAX,
	KRPC_EXPR_MIN,
	KRPC_EXPR_AVERAGE,
} krpc_expr_op_t;

/* Types for casts (KRPC.Type). */
typedef enum krpc_expr_type {
	KRPC_EXPR_TYPE_DOUBLE,
	KRPC_EXPR_TYPE_FLOAT,
	KRPC_EXPR_TYPE_INT,
	KRPC_EXPR_TYPE_BOOL,
	KRPC_EXPR_TYPE_STRING,
} krpc_expr_type_t;

krpc_code_t	 krpc_expr_constant_double(krpc_client_t *, double, uint64_t *out);
krpc_code_t	 krpc_expr_constant_float(krpc_client_t *, float, uint64_t *out);
krpc_code_t	 krpc_expr_constant_int(krpc_client_t *, int32_t, uint64_t *out);
krpc_code_t	 krpc_expr_constant_bool(krpc_client_t *, bool, uint64_t *out);
krpc_code_t	 krpc_expr_constant_string(krpc_client_t *, const char *, uint64_t *out);
/* An expression evaluating a procedure call (a PROCEDURE_CALL value, krpc_get_call()). */
krpc_code_t	 krpc_expr_call(krpc_client_t *, const krpc_value_t *call, uint64_t *out);
/* A binary operator (KRPC_ERR_ARG for a unary one). */
krpc_code_t	 krpc_expr_binary(krpc_client_t *, krpc_expr_op_t, uint64_t arg0, uint64_t arg1,
		    uint64_t *out);
/* A unary operator (KRPC_EXPR_NOT ... KRPC_EXPR_AVERAGE). */
krpc_code_t	 krpc_expr_unary(krpc_client_t *, krpc_expr_op_t, uint64_t arg, uint64_t *out);
/* The KRPC.Type object for a cast. */
krpc_code_t	 krpc_expr_type(krpc_client_t *, krpc_expr_type_t, uint64_t *out);
/* arg converted to a type (KRPC.Expression.Cast). */
krpc_code_t	 krpc_expr_cast(krpc_client_t *, uint64_t arg, krpc_expr_type_t, uint64_t *out);
/* The wire name of an operator's builder ("Equal"), or NULL. */
const char	*krpc_expr_op_name(krpc_expr_op_t);

KRPC_END_DECLS

#endif
