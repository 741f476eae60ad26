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
#define EXPR_FUNC_MAX	16	/* parameters of a Function (Func<T1..T16, TResult>) */

/* The kinds of .NET static types (xtype.c); the enumerable ones are contiguous. */
enum xtype_kind {
	XT_PRIM,		/* System.Double ... System.String, System.Byte[] (code says which) */
	XT_ENUM,		/* a service enumeration (a value type) */
	XT_STRUCT,		/* a service structure (a value type) */
	XT_CLASS,		/* a service class (a reference type) */
	XT_OTHER,		/* a message type (Status, Services...) */
	XT_NULLABLE,		/* Nullable<args[0]> */
	XT_TUPLE,		/* Tuple<args...> */
	XT_FUNC,		/* Func<args..., result> (a Function node) */
	XT_LIST,		/* List<args[0]> (CreateList, ToList) */
	XT_ILIST,		/* IList<args[0]> (a procedure's list) */
	XT_SET,			/* HashSet<args[0]> */
	XT_DICT,		/* Dictionary<args[0], args[1]> (CreateDictionary) */
	XT_IDICT,		/* IDictionary<args[0], args[1]> (a procedure's dictionary) */
	XT_ENUMERABLE,		/* IEnumerable<args[0]> (Select, Where, Concat) */
	XT_ORDERED,		/* IOrderedEnumerable<args[0]> (OrderBy) */
};

/* A .NET static type: its kind, the krpc code its values have, its name or arguments. */
struct xtype {
	enum xtype_kind		 kind;
	krpc_type_code_t	 code;
	char			*name;		/* XT_ENUM, XT_STRUCT, XT_CLASS, XT_OTHER */
	struct xtype		**args;
	size_t			 nargs;
};

struct xtype	*xtype_prim(krpc_type_code_t);
struct xtype	*xtype_generic(enum xtype_kind, size_t n, struct xtype **args);
struct xtype	*xtype_of(enum xtype_kind, struct xtype *arg);
struct xtype	*xtype_from_krpc(const krpc_type_t *, bool nullable);
struct xtype	*xtype_clone(const struct xtype *);
void		 xtype_free(struct xtype *);
bool		 xtype_equal(const struct xtype *, const struct xtype *);
/* Names: in full (Type.ToString), as a signature shows them, and short (Type.Name). */
const char	*xtype_name(const struct xtype *);
const char	*xtype_sig(const struct xtype *);
const char	*xtype_short(const struct xtype *);
bool		 xtype_is_numeric(const struct xtype *);
bool		 xtype_is_integer(const struct xtype *);
bool		 xtype_is_value(const struct xtype *);
bool		 xtype_is_enumerable(const struct xtype *);
const struct xtype *xtype_first_arg(const struct xtype *);
bool		 xtype_has_count(const struct xtype *);
bool		 xtype_is_sequence_of(const struct xtype *, const struct xtype *elem);
bool		 xtype_has_fold(const struct xtype *elem);
bool		 xtype_has_indexer(const struct xtype *);

/* True for the builders with two Expr operands arg0, arg1 (Equal ... RightShift, not Not). */
static inline bool
expr_binary_op(enum expr_op op)
{
	return (op >= EXPR_EQUAL && op <= EXPR_XOR) || (op >= EXPR_ADD && op <= EXPR_SHR);
}

struct expr {
	enum expr_op		 op;
	krpc_type_code_t	 code;		/* the krpc code of its values (xt's), NONE for functions */
	struct xtype		*xt;		/* its .NET static type */
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

/* ---- exprseq.c: the builders of and on collections ---------------------- */

/* Fills a node of a collection builder (CreateTuple ... Any); false with the error set. */
bool		 exprseq_build(sim_call_t *, struct expr *);
/* Sets an error with a .NET exception's name and text (expr.c). */
void		 expr_fail(sim_call_t *, const char *exception, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* The nodes named by a LIST or SET argument; false with the error set (expr.c). */
bool		 expr_arg_list(sim_call_t *, size_t i, struct expr ***out, size_t *n);

#endif
