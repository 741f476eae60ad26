/*
 * krpc-sim expressions (KRPC.Expression, PROTOCOL.md 8.2): the node shared by
 * the builders (expr.c) and the evaluator (eval.c).  Nodes are remote objects
 * of class KRPC.Expression, immutable once built, kept until the server stops;
 * a node points at the nodes it was built from.
 */
#ifndef KRPC_SIM_EXPR_H
#define KRPC_SIM_EXPR_H

#include "core.h"

/* The builders in the real server's declaration order (KRPC.Expression_static_<Name>). */
#define EXPR_OPS(X)							\
	X(CONST_DOUBLE, ConstantDouble)	X(CONST_FLOAT, ConstantFloat)	\
	X(CONST_INT, ConstantInt)	X(CONST_BOOL, ConstantBool)	\
	X(CONST_STRING, ConstantString)	X(CALL, Call)			\
	X(EQUAL, Equal)			X(NOT_EQUAL, NotEqual)		\
	X(GREATER, GreaterThan)		X(GREATER_EQ, GreaterThanOrEqual) \
	X(LESS, LessThan)		X(LESS_EQ, LessThanOrEqual)	\
	X(AND, And)			X(OR, Or)			\
	X(XOR, ExclusiveOr)		X(NOT, Not)			\
	X(ADD, Add)			X(SUB, Subtract)		\
	X(MUL, Multiply)		X(DIV, Divide)			\
	X(MOD, Modulo)			X(POW, Power)			\
	X(SHL, LeftShift)		X(SHR, RightShift)		\
	X(CAST, Cast)			X(PARAM, Parameter)		\
	X(FUNCTION, Function)		X(INVOKE, Invoke)		\
	X(TUPLE, CreateTuple)		X(LIST, CreateList)		\
	X(SET, CreateSet)		X(DICT, CreateDictionary)	\
	X(TO_LIST, ToList)		X(TO_SET, ToSet)		\
	X(GET, Get)			X(COUNT, Count)			\
	X(SUM, Sum)			X(MAX, Max)			\
	X(MIN, Min)			X(AVERAGE, Average)		\
	X(SELECT, Select)		X(WHERE, Where)			\
	X(CONTAINS, Contains)		X(AGGREGATE, Aggregate)		\
	X(AGGREGATE_SEED, AggregateWithSeed) X(CONCAT, Concat)		\
	X(ORDER_BY, OrderBy)		X(ALL, All)			\
	X(ANY, Any)

#define EXPR_ENUM(op, name) EXPR_##op,
enum expr_op {
	EXPR_OPS(EXPR_ENUM)
	EXPR_NOPS
};
#undef EXPR_ENUM

#define EXPR_ARGS_MAX	3

/* True for the builders with two Expr operands arg0, arg1 (Equal ... RightShift, not Not). */
static inline bool
expr_binary_op(enum expr_op op)
{
	return (op >= EXPR_EQUAL && op <= EXPR_XOR) || (op >= EXPR_ADD && op <= EXPR_SHR);
}

struct expr {
	enum expr_op		 op;
	krpc_type_code_t	 code;		/* static result type, NONE if unknown */
	unsigned		 depth;
	krpc_value_t		*value;		/* constants */
	struct call_spec	*spec;		/* Call */
	char			*name;		/* Parameter */
	krpc_type_code_t	 type;		/* Parameter, Cast: the KRPC.Type */
	struct expr		*a[EXPR_ARGS_MAX];	/* Expr operands in parameter order */
	struct expr		**list;		/* LIST<Expr> operand (Function: parameters) */
	size_t			 nlist;
	struct expr		**list2;	/* CreateDictionary values, Invoke arguments */
	char			**names;	/* Invoke argument names */
	size_t			 nlist2;
};

/* The wire name of a builder ("ConstantInt"). */
const char	*expr_op_name(enum expr_op);
/* The node with object id, or NULL. */
struct expr	*expr_get(sim_server_t *, uint64_t id);

/* Evaluates a node as client (eval.c); NULL with err set. */
krpc_value_t	*eval_node(sim_server_t *, sim_client_t *, const struct expr *, struct sim_err *);
/* The .NET name of a type code (eval.c, for error texts). */
const char	*eval_dotnet(krpc_type_code_t);
/*
 * The type two different numeric operands are promoted to (C#'s binary
 * numeric promotion, as the real server does); KRPC_TYPE_NONE when there is
 * no implicit conversion (UInt64 with a signed type).
 */
krpc_type_code_t eval_common(krpc_type_code_t, krpc_type_code_t);
/* True for the binary operators whose numeric operands are promoted. */
bool		 eval_promotes(enum expr_op);

#endif
