/*
 * krpc-sim: the KRPC core service (PROTOCOL.md section 10): client identity,
 * status, service descriptions, streams and events, connected clients, game
 * scene and pause, and the Expression and Type builders (69 procedures).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "expr.h"

#define EXPR_T		"class(KRPC.Expression)"
#define TYPE_T		"class(KRPC.Type)"
#define SCENE_T		"enum(KRPC.GameScene)"
#define NO_STREAM	"No stream client is connected for this RPC client"
#define SCENE_DOC	"The current game scene. Setting this switches the game to the given\n" \
	"scene, or opens/closes the corresponding facility for the pseudo-scenes.\n" \
	"Scene changes happen asynchronously: setting this property returns\n" \
	"immediately, and clients should poll it until it reports the requested\n" \
	"scene. Setting it to <see cref=\"M:KRPC.GameScene.Flight\" /> resumes the save's\n" \
	"active vessel, and fails if there is none."

/* True if the caller has a stream connection; else sets the error. */
static bool
krpc_need_stream(sim_call_t *c)
{
	sim_client_t *client = sim_call_client(c);

	if (client != NULL && client_stream(client) != NULL)
		return true;
	sim_error(c, "KRPC", "InvalidOperationException", NO_STREAM);
	return false;
}

/* ---- identity, status, services ------------------------------------- */

/* GetClientID: the caller's 16-byte id. */
static sim_rc_t
krpc_get_client_id(sim_call_t *c)
{
	sim_return(c, krpc_value_bytes(sim_client_id(sim_call_client(c)), 16));
	return SIM_DONE;
}

/* GetClientName: the caller's name. */
static sim_rc_t
krpc_get_client_name(sim_call_t *c)
{
	sim_return(c, krpc_value_string(sim_client_name(sim_call_client(c))));
	return SIM_DONE;
}

/* GetStatus: the server's counters and settings. */
static sim_rc_t
krpc_get_status(sim_call_t *c)
{
	krpc_buf_t b = KRPC_BUF_INIT;

	server_status(sim_call_server(c), &b);
	sim_return(c, krpc_value_message(KRPC_TYPE_STATUS, b.data, b.len));
	krpc_buf_free(&b);
	return SIM_DONE;
}

/* GetServices: every service offered. */
static sim_rc_t
krpc_get_services(sim_call_t *c)
{
	const uint8_t *p;
	size_t len;

	p = services_schema(&len);
	sim_return(c, krpc_value_message(KRPC_TYPE_SERVICES, p, len));
	return SIM_DONE;
}

/* get_Clients: id, name and address of each RPC connection. */
static sim_rc_t
krpc_get_clients(sim_call_t *c)
{
	sim_server_t *s = sim_call_server(c);
	krpc_value_t *list = krpc_value_collection(KRPC_TYPE_LIST), *t;
	sim_client_t *client;
	size_t i;

	for (i = 0; i < server_nclients(s); i++) {
		client = server_client(s, i);
		if (client_rpc(client) == NULL)
			continue;
		t = krpc_value_collection(KRPC_TYPE_TUPLE);
		krpc_value_append(t, krpc_value_bytes(sim_client_id(client), 16));
		krpc_value_append(t, krpc_value_string(sim_client_name(client)));
		krpc_value_append(t, krpc_value_string(conn_addr(client_rpc(client))));
		krpc_value_append(list, t);
	}
	sim_return(c, list);
	return SIM_DONE;
}

/* ---- streams and events ---------------------------------------------- */

/*
 * AddStream: registers (or finds) a stream of a call, started unless asked
 * not to.  As on the real server, the call is resolved and its arguments
 * filled and checked before the caller's stream connection is looked at.
 */
static sim_rc_t
krpc_add_stream(sim_call_t *c)
{
	struct sim_err err = { NULL, NULL, NULL, NULL };
	struct call_spec *spec;
	const uint8_t *data;
	enum call_rc rc;
	size_t len = 0;
	uint64_t id;

	data = krpc_value_data(sim_arg(c, 0), &len);
	rc = call_spec_parse(sim_call_server(c), data ? data : (const uint8_t *)"", len, &spec, &err);
	if (rc == CALL_UNRESOLVED)
		call_trace_nested(&err, "KRPC.Service.ProcedureCallStream..ctor "
		    "(KRPC.Service.Messages.ProcedureCall call)", "KRPC.Service.KRPC.KRPC.AddStream "
		    "(KRPC.Service.Messages.ProcedureCall call, System.Boolean start)", false);
	if (rc != CALL_OK)
		goto fail;
	if (call_spec_proc(spec)->ret == NULL) {
		call_spec_free(spec);
		sim_error(c, "KRPC", "InvalidOperationException",
		    "Cannot create a stream for a procedure that does not return a value.");
		return SIM_DONE;
	}
	if (call_spec_check(sim_call_server(c), spec, &err) != 0) {
		call_spec_free(spec);
		goto fail;
	}
	if (!krpc_need_stream(c)) {
		call_spec_free(spec);
		return SIM_DONE;
	}
	id = stream_add(sim_call_server(c), sim_call_client(c), spec);
	if (sim_arg_bool(c, 1))
		stream_start(sim_call_client(c), id);
	sim_return(c, stream_value(KRPC_TYPE_STREAM, id));
	return SIM_DONE;
fail:
	call_set_err(c, &err);
	err_clear(&err);
	return SIM_DONE;
}

/* StartStream: starts a stream (resending its value). */
static sim_rc_t
krpc_start_stream(sim_call_t *c)
{
	if (krpc_need_stream(c) && !stream_start(sim_call_client(c), sim_arg_ulong(c, 0)))
		sim_error(c, "KRPC", "InvalidOperationException", "Stream does not exist with this id");
	return SIM_DONE;
}

/*
 * SetStreamRate: evaluations per second (0: every update).  The real server
 * indexes its dictionary of streams without a check, so an unknown id fails
 * with .NET's KeyNotFoundException text.
 */
static sim_rc_t
krpc_set_stream_rate(sim_call_t *c)
{
	uint64_t id = sim_arg_ulong(c, 0);

	if (krpc_need_stream(c) && !stream_set_rate(sim_call_client(c), id, sim_arg_float(c, 1)))
		sim_error(c, NULL, NULL, "The given key '%" PRIu64 "' was not present in the "
		    "dictionary.", id);
	return SIM_DONE;
}

/* RemoveStream: unknown ids are ignored. */
static sim_rc_t
krpc_remove_stream(sim_call_t *c)
{
	if (krpc_need_stream(c))
		stream_remove(sim_call_client(c), sim_arg_ulong(c, 0));
	return SIM_DONE;
}

/* AddEvent: a new event on a boolean expression. */
static sim_rc_t
krpc_add_event(sim_call_t *c)
{
	uint64_t expr = sim_arg_object(c, 0), id;

	/* the real server compiles the expression before it registers the event */
	if (expr_check_event(c, expr) != 0)
		return SIM_DONE;
	if (!krpc_need_stream(c))
		return SIM_DONE;
	id = stream_add_expr(sim_call_server(c), sim_call_client(c), expr);
	sim_return(c, stream_value(KRPC_TYPE_EVENT, id));
	return SIM_DONE;
}

/* ---- scene and pause ------------------------------------------------- */

/* get_GameScene (and the deprecated get_CurrentGameScene). */
static sim_rc_t
krpc_get_game_scene(sim_call_t *c)
{
	sim_return(c, krpc_value_enum(sim_server_scene(sim_call_server(c))));
	return SIM_DONE;
}

/* set_GameScene: not supported without the game. */
static sim_rc_t
krpc_set_game_scene(sim_call_t *c)
{
	sim_error(c, "KRPC", "InvalidOperationException",
	    "Changing the game scene is not supported by this server");
	return SIM_DONE;
}

/* get_Paused. */
static sim_rc_t
krpc_get_paused(sim_call_t *c)
{
	sim_return(c, krpc_value_bool(server_paused(sim_call_server(c))));
	return SIM_DONE;
}

/* set_Paused: shows or hides the (imaginary) pause menu. */
static sim_rc_t
krpc_set_paused(sim_call_t *c)
{
	server_set_paused(sim_call_server(c), sim_arg_bool(c, 0));
	return SIM_DONE;
}

/* ---- Expression and Type builders ------------------------------------ */

/* Expression_static_<Name>: builds a node (expr.c). */
#define KRPC_EXPR_FN(op, name)					\
static sim_rc_t							\
krpc_expr_##op(sim_call_t *c)					\
{								\
	return expr_build(c, EXPR_##op);			\
}
EXPR_OPS(KRPC_EXPR_FN)
#undef KRPC_EXPR_FN

/* Type_static_<Name>: a new KRPC.Type object. */
#define KRPC_TYPE_FN(fn, code)					\
static sim_rc_t							\
fn(sim_call_t *c)						\
{								\
	return expr_type_build(c, code);			\
}
KRPC_TYPE_FN(krpc_type_double, KRPC_TYPE_DOUBLE)
KRPC_TYPE_FN(krpc_type_float, KRPC_TYPE_FLOAT)
KRPC_TYPE_FN(krpc_type_int, KRPC_TYPE_SINT32)
KRPC_TYPE_FN(krpc_type_bool, KRPC_TYPE_BOOL)
KRPC_TYPE_FN(krpc_type_string, KRPC_TYPE_STRING)
#undef KRPC_TYPE_FN

/* ---- the tables ------------------------------------------------------ */

#define NOPARAMS		{ { NULL, NULL, 0, NULL } }
#define P1(n1, t1)		{ { n1, t1, 0, NULL } }
#define P2(n1, t1, n2, t2)	{ { n1, t1, 0, NULL }, { n2, t2, 0, NULL } }
#define P3(n1, t1, n2, t2, n3, t3) \
	{ { n1, t1, 0, NULL }, { n2, t2, 0, NULL }, { n3, t3, 0, NULL } }
#define BUILDER(op, name, doc, params) \
	{ "Expression_static_" #name, krpc_expr_##op, EXPR_T, 0, doc, NULL, params }
#define BINARY(op, name, doc) BUILDER(op, name, doc, P2("arg0", EXPR_T, "arg1", EXPR_T))
#define UNARY(op, name, doc) BUILDER(op, name, doc, P1("arg", EXPR_T))
#define TYPEFN(fn, name, doc) { "Type_static_" #name, fn, TYPE_T, 0, doc, NULL, NOPARAMS }

static const struct sim_proc krpc_procs[] = {
	{ "GetClientID", krpc_get_client_id, "bytes", 0,
	    "Returns the identifier for the current client.", NULL, NOPARAMS },
	{ "GetClientName", krpc_get_client_name, "string", 0,
	    "Returns the name of the current client.\nThis is an empty string if the client has no name.",
	    NULL, NOPARAMS },
	{ "GetStatus", krpc_get_status, "status", 0,
	    "Returns some information about the server, such as the version.", NULL, NOPARAMS },
	{ "GetServices", krpc_get_services, "services", 0,
	    "Returns information on all services, procedures, classes, properties etc. provided by the server.\n"
	    "Can be used by client libraries to automatically create functionality such as stubs.",
	    NULL, NOPARAMS },
	{ "AddStream", krpc_add_stream, "stream", 0,
	    "Add a streaming request and return its identifier.", NULL,
	    { { "call", "procedure_call", 0, NULL }, { "start", "bool", SIM_DEFAULT, "01" } } },
	{ "StartStream", krpc_start_stream, NULL, 0, "Start a previously added streaming request.",
	    NULL, P1("id", "uint64") },
	{ "SetStreamRate", krpc_set_stream_rate, NULL, 0, "Set the update rate for a stream in Hz.",
	    NULL, P2("id", "uint64", "rate", "float") },
	{ "RemoveStream", krpc_remove_stream, NULL, 0, "Remove a streaming request.", NULL,
	    P1("id", "uint64") },
	{ "AddEvent", krpc_add_event, "event", 0, "Create an event from a server side expression.",
	    NULL, P1("expression", EXPR_T) },
	{ "get_Clients", krpc_get_clients, "list(tuple(bytes, string, string))", 0,
	    "A list of RPC clients that are currently connected to the server.\n"
	    "Each entry in the list is a clients identifier, name and address.", NULL, NOPARAMS },
	{ "get_GameScene", krpc_get_game_scene, SCENE_T, 0, SCENE_DOC, NULL, NOPARAMS },
	{ "set_GameScene", krpc_set_game_scene, NULL, 0, SCENE_DOC, NULL, P1("value", SCENE_T) },
	{ "get_CurrentGameScene", krpc_get_game_scene, SCENE_T, SIM_DEPRECATED,
	    "Get the current game scene.", "Use <see cref=\"M:KRPC.GameScene\" /> instead.",
	    NOPARAMS },
	{ "get_Paused", krpc_get_paused, "bool", 0, "Whether the game is paused.", NULL, NOPARAMS },
	{ "set_Paused", krpc_set_paused, NULL, 0, "Whether the game is paused.", NULL,
	    P1("value", "bool") },
	BUILDER(CONST_DOUBLE, ConstantDouble, "A constant value of double precision floating point type.",
	    P1("value", "double")),
	BUILDER(CONST_FLOAT, ConstantFloat, "A constant value of single precision floating point type.",
	    P1("value", "float")),
	BUILDER(CONST_INT, ConstantInt, "A constant value of integer type.", P1("value", "sint32")),
	BUILDER(CONST_BOOL, ConstantBool, "A constant value of boolean type.", P1("value", "bool")),
	BUILDER(CONST_STRING, ConstantString, "A constant value of string type.", P1("value", "string")),
	BUILDER(CALL, Call, "An RPC call.", P1("call", "procedure_call")),
	BINARY(EQUAL, Equal, "Equality comparison."),
	BINARY(NOT_EQUAL, NotEqual, "Inequality comparison."),
	BINARY(GREATER, GreaterThan, "Greater than numerical comparison."),
	BINARY(GREATER_EQ, GreaterThanOrEqual, "Greater than or equal numerical comparison."),
	BINARY(LESS, LessThan, "Less than numerical comparison."),
	BINARY(LESS_EQ, LessThanOrEqual, "Less than or equal numerical comparison."),
	BINARY(AND, And, "Boolean and operator."),
	BINARY(OR, Or, "Boolean or operator."),
	BINARY(XOR, ExclusiveOr, "Boolean exclusive-or operator."),
	UNARY(NOT, Not, "Boolean negation operator."),
	BINARY(ADD, Add, "Numerical addition."),
	BINARY(SUB, Subtract, "Numerical subtraction."),
	BINARY(MUL, Multiply, "Numerical multiplication."),
	BINARY(DIV, Divide, "Numerical division."),
	BINARY(MOD, Modulo, "Numerical modulo operator."),
	BINARY(POW, Power, "Numerical power operator."),
	BINARY(SHL, LeftShift, "Bitwise left shift."),
	BINARY(SHR, RightShift, "Bitwise right shift."),
	BUILDER(CAST, Cast, "Perform a cast to the given type.", P2("arg", EXPR_T, "type", TYPE_T)),
	BUILDER(PARAM, Parameter, "A named parameter of the given type.",
	    P2("name", "string", "type", TYPE_T)),
	BUILDER(FUNCTION, Function, "A function.",
	    P2("parameters", "list(" EXPR_T ")", "body", EXPR_T)),
	BUILDER(INVOKE, Invoke, "A function call.",
	    P2("function", EXPR_T, "args", "dict(string, " EXPR_T ")")),
	BUILDER(TUPLE, CreateTuple, "Construct a tuple.", P1("elements", "list(" EXPR_T ")")),
	BUILDER(LIST, CreateList, "Construct a list.", P1("values", "list(" EXPR_T ")")),
	BUILDER(SET, CreateSet, "Construct a set.", P1("values", "set(" EXPR_T ")")),
	BUILDER(DICT, CreateDictionary, "Construct a dictionary, from a list of corresponding keys and values.",
	    P2("keys", "list(" EXPR_T ")", "values", "list(" EXPR_T ")")),
	UNARY(TO_LIST, ToList, "Convert a collection to a list."),
	UNARY(TO_SET, ToSet, "Convert a collection to a set."),
	BUILDER(GET, Get, "Access an element in a tuple, list or dictionary.",
	    P2("arg", EXPR_T, "index", EXPR_T)),
	UNARY(COUNT, Count, "Number of elements in a collection."),
	UNARY(SUM, Sum, "Sum all elements of a collection."),
	UNARY(MAX, Max, "Maximum of all elements in a collection."),
	UNARY(MIN, Min, "Minimum of all elements in a collection."),
	UNARY(AVERAGE, Average, "Average of all elements in a collection."),
	BUILDER(SELECT, Select, "Run a function on every element in the collection.",
	    P2("arg", EXPR_T, "func", EXPR_T)),
	BUILDER(WHERE, Where, "Run a function on every element in the collection.",
	    P2("arg", EXPR_T, "func", EXPR_T)),
	BUILDER(CONTAINS, Contains, "Determine if a collection contains a value.",
	    P2("arg", EXPR_T, "value", EXPR_T)),
	BUILDER(AGGREGATE, Aggregate, "Applies an accumulator function over a sequence.",
	    P2("arg", EXPR_T, "func", EXPR_T)),
	BUILDER(AGGREGATE_SEED, AggregateWithSeed,
	    "Applies an accumulator function over a sequence, with a given seed.",
	    P3("arg", EXPR_T, "seed", EXPR_T, "func", EXPR_T)),
	BUILDER(CONCAT, Concat, "Concatenate two sequences.", P2("arg1", EXPR_T, "arg2", EXPR_T)),
	BUILDER(ORDER_BY, OrderBy, "Order a collection using a key function.",
	    P2("arg", EXPR_T, "key", EXPR_T)),
	BUILDER(ALL, All, "Determine whether all items in a collection satisfy a boolean predicate.",
	    P2("arg", EXPR_T, "predicate", EXPR_T)),
	BUILDER(ANY, Any, "Determine whether any item in a collection satisfies a boolean predicate.",
	    P2("arg", EXPR_T, "predicate", EXPR_T)),
	TYPEFN(krpc_type_double, Double, "Double type."),
	TYPEFN(krpc_type_float, Float, "Float type."),
	TYPEFN(krpc_type_int, Int, "Int type."),
	TYPEFN(krpc_type_bool, Bool, "Bool type."),
	TYPEFN(krpc_type_string, String, "String type."),
};

static const struct sim_class krpc_classes[] = {
	{ "Expression", "KRPC.Service.KRPC.Expression", "A server side expression.", 0, NULL },
	{ "Type", "KRPC.Service.KRPC.Type", "A type that can be used in server side expressions.",
	    0, NULL },
};

static const struct sim_enum krpc_enums[] = {
	{ "GameScene", "The game scene. See <see cref=\"M:KRPC.GameScene\" />.", 0, NULL, {
		{ "SpaceCenter", 0, "The game scene showing the Kerbal Space Center buildings.", 0, NULL },
		{ "Flight", 1, "The game scene showing a vessel in flight (or on the launchpad/runway).",
		    0, NULL },
		{ "TrackingStation", 2, "The tracking station.", 0, NULL },
		{ "EditorVAB", 3, "The Vehicle Assembly Building.", 0, NULL },
		{ "EditorSPH", 4, "The Space Plane Hangar.", 0, NULL },
		{ "MissionBuilder", 5, "The mission builder.", 0, NULL },
		{ "AstronautComplex", 6, "The astronaut complex. This is a pseudo-scene, shown when the\n"
		    "astronaut complex facility is open within the space center scene.", 0, NULL },
		{ "MissionControl", 7, "Mission control. This is a pseudo-scene, shown when the\n"
		    "mission control facility is open within the space center scene.", 0, NULL },
		{ "ResearchAndDevelopment", 8, "Research and development. This is a pseudo-scene, "
		    "shown when the\nresearch and development facility is open within the space "
		    "center scene.", 0, NULL },
		{ "Administration", 9, "The administration facility. This is a pseudo-scene, shown "
		    "when the\nadministration facility is open within the space center scene.", 0,
		    NULL },
	} },
};

static const struct sim_exception krpc_exceptions[] = {
	{ "InvalidOperationException", "A method call was made to a method that is invalid\n"
	    "given the current state of the object.", 0, NULL },
	{ "ArgumentOutOfRangeException", "The value of an argument is outside the allowable range of\n"
	    "values as defined by the invoked method.", 0, NULL },
	{ "ArgumentException", "A method was invoked where at least one of the passed arguments does not\n"
	    "meet the parameter specification of the method.", 0, NULL },
	{ "ObjectDestroyedException", "An object has been destroyed (for example a vessel exploded)\n"
	    "and can no longer be used.", 0, NULL },
	{ "ArgumentNullException", "A null reference was passed to a method that does not accept it as a\n"
	    "valid argument.", 0, NULL },
};

#define NELEM(a) (sizeof (a) / sizeof (a)[0])

const struct sim_service sim_service_krpc = {
	.name = "KRPC",
	.id = 1,
	.doc = "Main kRPC service, used by clients to interact with basic server functionality.",
	.procs = krpc_procs,
	.nprocs = NELEM(krpc_procs),
	.classes = krpc_classes,
	.nclasses = NELEM(krpc_classes),
	.enums = krpc_enums,
	.nenums = NELEM(krpc_enums),
	.exceptions = krpc_exceptions,
	.nexceptions = NELEM(krpc_exceptions),
};
