/*
 * krpc-sim: the TestService service (id 9999) of TESTSERVICE.md, exactly as
 * the kRPC test server offers it: the tables GetServices is built from, and
 * the handlers that keep no state (the stateful ones are in svc_test_state.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dotnet.h"
#include "svc_test.h"

/* ---- Helpers ---------------------------------------------------------- */

/* Sets v as the result, or an out-of-memory error if v is NULL. */
sim_rc_t
svc_test_ret(sim_call_t *c, krpc_value_t *v)
{
	if (v == NULL)
		sim_error(c, NULL, NULL, "Out of memory");
	else
		sim_return(c, v);
	return SIM_DONE;
}

/* Appends item (owned) to *coll; on failure frees *coll and sets it to NULL. */
static void
svc_test_append(krpc_value_t **coll, krpc_value_t *item)
{
	if (krpc_value_append(*coll, item) == KRPC_OK)
		return;
	krpc_value_free(*coll);
	*coll = NULL;
}

/*
 * A copy of v with every integer leaf plus one (dictionary keys unchanged),
 * wrapping like C# unchecked arithmetic.  NULL on out-of-memory.
 */
static krpc_value_t *
svc_test_inc(const krpc_value_t *v)
{
	krpc_type_code_t code = krpc_value_code(v);
	krpc_value_t *out;
	int32_t i32;
	int64_t i64;
	size_t i;

	if (code == KRPC_TYPE_SINT32 && krpc_value_as_sint32(v, &i32) == KRPC_OK)
		return krpc_value_sint32((int32_t)((uint32_t)i32 + 1));
	if (code == KRPC_TYPE_SINT64 && krpc_value_as_sint64(v, &i64) == KRPC_OK)
		return krpc_value_sint64((int64_t)((uint64_t)i64 + 1));
	if (code == KRPC_TYPE_LIST || code == KRPC_TYPE_SET || code == KRPC_TYPE_TUPLE) {
		out = krpc_value_collection(code);
		for (i = 0; i < krpc_value_count(v) && out != NULL; i++)
			svc_test_append(&out, svc_test_inc(krpc_value_item(v, i)));
		return out;
	}
	if (code == KRPC_TYPE_DICTIONARY) {
		out = krpc_value_collection(code);
		for (i = 0; i < krpc_value_count(v) && out != NULL; i++) {
			if (krpc_value_put(out, krpc_value_clone(krpc_value_key(v, i)),
			    svc_test_inc(krpc_value_val(v, i))) != KRPC_OK) {
				krpc_value_free(out);
				out = NULL;
			}
		}
		return out;
	}
	return krpc_value_clone(v);
}

/* Returns a copy of argument i. */
static sim_rc_t
svc_test_echo_arg(sim_call_t *c, size_t i)
{
	return svc_test_ret(c, krpc_value_clone(sim_arg(c, i)));
}

/* Returns the first n arguments as a list. */
static sim_rc_t
svc_test_args_list(sim_call_t *c, size_t n)
{
	krpc_value_t *l = krpc_value_collection(KRPC_TYPE_LIST);
	size_t i;

	for (i = 0; i < n && l != NULL; i++)
		svc_test_append(&l, krpc_value_clone(sim_arg(c, i)));
	return svc_test_ret(c, l);
}

/* Returns text as a STRING. */
static sim_rc_t
svc_test_ret_str(sim_call_t *c, const char *text)
{
	return svc_test_ret(c, krpc_value_string(text));
}

/* ---- Handlers: values ------------------------------------------------- */

/* Echo of argument 0 (EchoTestObject, EnumEcho, StructEcho, ListDefault...). */
static sim_rc_t
svc_test_echo(sim_call_t *c)
{
	return svc_test_echo_arg(c, 0);
}

/* Echo of argument 1 (TestClass_EchoNullableObject). */
static sim_rc_t
svc_test_echo1(sim_call_t *c)
{
	return svc_test_echo_arg(c, 1);
}

/* FloatToString and the deprecated procedures that behave like it. */
static sim_rc_t
svc_test_float_to_string(sim_call_t *c)
{
	char text[DOTNET_NUM_MAX];

	dotnet_float(sim_arg_float(c, 0), text);
	return svc_test_ret_str(c, text);
}

/* DoubleToString. */
static sim_rc_t
svc_test_double_to_string(sim_call_t *c)
{
	char text[DOTNET_NUM_MAX];

	dotnet_double(sim_arg_double(c, 0), text);
	return svc_test_ret_str(c, text);
}

/* Int32ToString. */
static sim_rc_t
svc_test_int32_to_string(sim_call_t *c)
{
	char text[16];

	snprintf(text, sizeof(text), "%" PRId32, sim_arg_int(c, 0));
	return svc_test_ret_str(c, text);
}

/* Int64ToString. */
static sim_rc_t
svc_test_int64_to_string(sim_call_t *c)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, sim_arg_long(c, 0));
	return svc_test_ret_str(c, text);
}

/* BoolToString. */
static sim_rc_t
svc_test_bool_to_string(sim_call_t *c)
{
	return svc_test_ret_str(c, sim_arg_bool(c, 0) ? "True" : "False");
}

/* StringToInt32: Convert.ToInt32 with its exception texts. */
static sim_rc_t
svc_test_string_to_int32(sim_call_t *c)
{
	size_t len = 0;
	const char *s = sim_arg_str(c, 0, &len);
	int32_t v = 0;

	switch (dotnet_parse_int32(s, len, &v)) {
	case DOTNET_PARSE_OK:
		return svc_test_ret(c, krpc_value_sint32(v));
	case DOTNET_PARSE_OVERFLOW:
		sim_error(c, NULL, NULL, "Value was either too large or too small for an Int32.");
		break;
	default:
		sim_error(c, NULL, NULL, "Input string was not in a correct format.");
		break;
	}
	return SIM_DONE;
}

/* BytesToHexString: lower-case hex without separators. */
static sim_rc_t
svc_test_bytes_to_hex(sim_call_t *c)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0, i;
	const uint8_t *data = krpc_value_data(sim_arg(c, 0), &len);
	krpc_buf_t b = KRPC_BUF_INIT;
	krpc_value_t *v;

	for (i = 0; i < len; i++) {
		krpc_buf_byte(&b, (uint8_t)hex[data[i] >> 4]);
		krpc_buf_byte(&b, (uint8_t)hex[data[i] & 15]);
	}
	v = krpc_buf_ok(&b) ? krpc_value_string_n((const char *)b.data, b.len) : NULL;
	krpc_buf_free(&b);
	return svc_test_ret(c, v);
}

/* AddMultipleValues: x + y + z in single precision, as C# float arithmetic. */
static sim_rc_t
svc_test_add_multiple(sim_call_t *c)
{
	volatile float sum = sim_arg_float(c, 0);
	char text[DOTNET_NUM_MAX];

	sum = sum + (float)sim_arg_int(c, 1);
	sum = sum + (float)sim_arg_long(c, 2);
	dotnet_float(sum, text);
	return svc_test_ret_str(c, text);
}

/* ReturnNullWhenNotAllowed: null from a non-nullable procedure (the core rejects it). */
static sim_rc_t
svc_test_return_null(sim_call_t *c)
{
	return svc_test_ret(c, krpc_value_null(KRPC_TYPE_CLASS));
}

/* ---- Handlers: enumerations, structures, collections ------------------ */

/* EnumReturn: ValueB. */
static sim_rc_t
svc_test_enum_return(sim_call_t *c)
{
	return svc_test_ret(c, krpc_value_enum(1));
}

/* IncrementListOfStructs: IntField + 1 in each struct, the other fields as given. */
static sim_rc_t
svc_test_inc_structs(sim_call_t *c)
{
	const krpc_value_t *l = sim_arg(c, 0), *s;
	krpc_value_t *out = krpc_value_collection(KRPC_TYPE_LIST), *ns;
	size_t i, j;

	for (i = 0; i < krpc_value_count(l) && out != NULL; i++) {
		s = krpc_value_item(l, i);
		ns = krpc_value_collection(KRPC_TYPE_STRUCT);
		for (j = 0; j < krpc_value_count(s) && ns != NULL; j++) {
			svc_test_append(&ns, j == 0 ? svc_test_inc(krpc_value_item(s, j)) :
			    krpc_value_clone(krpc_value_item(s, j)));
		}
		svc_test_append(&out, ns);
	}
	return svc_test_ret(c, out);
}

/* IncrementList, IncrementDictionary, IncrementSet, IncrementTuple, IncrementNestedCollection. */
static sim_rc_t
svc_test_increment(sim_call_t *c)
{
	return svc_test_ret(c, svc_test_inc(sim_arg(c, 0)));
}

/* Progress of a BlockingProcedure call across updates. */
struct svc_test_block {
	int32_t		n;
	uint32_t	sum;
};

/* BlockingProcedure: one step per update, sum + n(n+1)/2 after n updates. */
static sim_rc_t
svc_test_blocking(sim_call_t *c)
{
	struct svc_test_block *st = sim_call_state(c, sizeof(*st));

	if (st == NULL)
		return svc_test_ret(c, NULL);
	if (sim_call_first(c)) {
		st->n = sim_arg_int(c, 0);
		st->sum = (uint32_t)sim_arg_int(c, 1);
	}
	if (st->n == 0)
		return svc_test_ret(c, krpc_value_sint32((int32_t)st->sum));
	if (st->n > 0) {
		st->sum += (uint32_t)st->n;
		st->n--;
	}
	return SIM_YIELD;
}

/* ---- Handlers: exceptions, special defaults, odds and ends ------------ */

/* ThrowInvalidOperationException. */
static sim_rc_t
svc_test_throw_invalid_op(sim_call_t *c)
{
	sim_error(c, "KRPC", "InvalidOperationException", "Invalid operation");
	return SIM_DONE;
}

/* ThrowArgumentException. */
static sim_rc_t
svc_test_throw_argument(sim_call_t *c)
{
	sim_error(c, "KRPC", "ArgumentException", "Invalid argument");
	return SIM_DONE;
}

/* ThrowArgumentNullException. */
static sim_rc_t
svc_test_throw_argument_null(sim_call_t *c)
{
	sim_error(c, "KRPC", "ArgumentNullException", "Value cannot be null.\nParameter name: foo");
	return SIM_DONE;
}

/* ThrowArgumentOutOfRangeException. */
static sim_rc_t
svc_test_throw_out_of_range(sim_call_t *c)
{
	sim_error(c, "KRPC", "ArgumentOutOfRangeException",
	    "Specified argument was out of the range of valid values.\nParameter name: foo");
	return SIM_DONE;
}

/* ThrowCustomException. */
static sim_rc_t
svc_test_throw_custom(sim_call_t *c)
{
	sim_error(c, "TestService", "CustomException", "A custom kRPC exception");
	return SIM_DONE;
}

/* DoubleSpecialDefaults: its five arguments. */
static sim_rc_t
svc_test_args5(sim_call_t *c)
{
	return svc_test_args_list(c, 5);
}

/* FloatSpecialDefaults: its six arguments. */
static sim_rc_t
svc_test_args6(sim_call_t *c)
{
	return svc_test_args_list(c, 6);
}

/* Int32SpecialDefaults, Int64SpecialDefaults: both arguments. */
static sim_rc_t
svc_test_args2(sim_call_t *c)
{
	return svc_test_args_list(c, 2);
}

/* Uint32SpecialDefaults, Uint64SpecialDefaults: the argument. */
static sim_rc_t
svc_test_args1(sim_call_t *c)
{
	return svc_test_args_list(c, 1);
}

/* get_StringPropertyPrivateSet: always "foo". */
static sim_rc_t
svc_test_private_set(sim_call_t *c)
{
	return svc_test_ret_str(c, "foo");
}

/* TestClass_static_StaticMethod: "jeb" + a + b. */
static sim_rc_t
svc_test_static_method(sim_call_t *c)
{
	size_t la = 0, lb = 0;
	const char *a = sim_arg_str(c, 0, &la), *b = sim_arg_str(c, 1, &lb);
	krpc_buf_t s = KRPC_BUF_INIT;
	krpc_value_t *v;

	krpc_buf_append(&s, "jeb", 3);
	krpc_buf_append(&s, a, la);
	krpc_buf_append(&s, b, lb);
	v = krpc_buf_ok(&s) ? krpc_value_string_n((const char *)s.data, s.len) : NULL;
	krpc_buf_free(&s);
	return svc_test_ret(c, v);
}

/* DeprecatedClass_DeprecatedMethod: "value". */
static sim_rc_t
svc_test_deprecated_method(sim_call_t *c)
{
	return svc_test_ret_str(c, "value");
}

/* ---- Tables ----------------------------------------------------------- */

#define TC	SVC_TEST_CLASS
#define TE	SVC_TEST_ENUM
#define TS	SVC_TEST_STRUCT

/* Parameters: plain, nullable, with a default (hex), with a null default. */
#define P(n, t)		{ (n), (t), 0, NULL }
#define PN(n, t)	{ (n), (t), SIM_NULLABLE, NULL }
#define PD(n, t, h)	{ (n), (t), SIM_DEFAULT, (h) }
#define PDN(n, t)	{ (n), (t), SIM_NULLABLE | SIM_DEFAULT_NULL, NULL }
#define THIS		P("this", TC)

#define DOC_PROPERTY	"Property documentation string."
#define DOC_DEPRECATED_PROPERTY	"Deprecated property documentation string."
#define WHY_DEPRECATED_PROPERTY	"Use <see cref=\"M:TestService.StringProperty\" /> instead."

static const struct sim_proc svc_test_procs[] = {
	/* 2.1 Values and objects */
	{ .name = "FloatToString", .fn = svc_test_float_to_string, .ret = "string",
	  .doc = "Procedure documentation string.", .params = { P("value", "float") } },
	{ .name = "DoubleToString", .fn = svc_test_double_to_string, .ret = "string",
	  .params = { P("value", "double") } },
	{ .name = "Int32ToString", .fn = svc_test_int32_to_string, .ret = "string",
	  .params = { P("value", "sint32") } },
	{ .name = "Int64ToString", .fn = svc_test_int64_to_string, .ret = "string",
	  .params = { P("value", "sint64") } },
	{ .name = "BoolToString", .fn = svc_test_bool_to_string, .ret = "string",
	  .params = { P("value", "bool") } },
	{ .name = "StringToInt32", .fn = svc_test_string_to_int32, .ret = "sint32",
	  .params = { P("value", "string") } },
	{ .name = "BytesToHexString", .fn = svc_test_bytes_to_hex, .ret = "string",
	  .params = { P("value", "bytes") } },
	{ .name = "AddMultipleValues", .fn = svc_test_add_multiple, .ret = "string",
	  .params = { P("x", "float"), P("y", "sint32"), P("z", "sint64") } },
	{ .name = "CreateTestObject", .fn = svc_test_state_CreateTestObject, .ret = TC,
	  .params = { P("value", "string") } },
	{ .name = "EchoTestObject", .fn = svc_test_echo, .ret = TC, .flags = SIM_RET_NULLABLE,
	  .params = { PN("value", TC) } },
	{ .name = "ReturnNullWhenNotAllowed", .fn = svc_test_return_null, .ret = TC },
	{ .name = "NotNullableObject", .fn = svc_test_echo, .ret = TC,
	  .params = { P("value", TC) } },
	{ .name = "EchoNullableString", .fn = svc_test_echo, .ret = "string",
	  .flags = SIM_RET_NULLABLE, .params = { PN("value", "string") } },
	{ .name = "EchoNullableList", .fn = svc_test_echo, .ret = "list(sint32)",
	  .flags = SIM_RET_NULLABLE, .params = { PN("l", "list(sint32)") } },
	{ .name = "EchoNullableInt", .fn = svc_test_echo, .ret = "sint32",
	  .flags = SIM_RET_NULLABLE, .params = { PN("value", "sint32") } },
	{ .name = "OptionalArguments", .fn = svc_test_state_OptionalArguments, .ret = "string",
	  .params = { P("x", "string"), PD("y", "string", "03666f6f"),
	      PD("z", "string", "03626172"), PDN("obj", TC) } },

	/* 2.2 Enumerations, structures, collections, defaults */
	{ .name = "EnumReturn", .fn = svc_test_enum_return, .ret = TE },
	{ .name = "EnumEcho", .fn = svc_test_echo, .ret = TE, .params = { P("x", TE) } },
	{ .name = "EnumDefaultArg", .fn = svc_test_echo, .ret = TE,
	  .params = { PD("x", TE, "04") } },
	{ .name = "StructEcho", .fn = svc_test_echo, .ret = TS, .params = { P("x", TS) } },
	{ .name = "NestedStructEcho", .fn = svc_test_echo,
	  .ret = "struct(TestService.TestNestedStruct)",
	  .params = { P("x", "struct(TestService.TestNestedStruct)") } },
	{ .name = "IncrementListOfStructs", .fn = svc_test_inc_structs, .ret = "list(" TS ")",
	  .params = { P("l", "list(" TS ")") } },
	{ .name = "StructDefault", .fn = svc_test_echo, .ret = TS,
	  .params = { PD("x", TS, "0a01540a04036a65620a01020a090a01020a01040a0106") } },
	{ .name = "StructEchoNullable", .fn = svc_test_echo, .ret = TS,
	  .flags = SIM_RET_NULLABLE, .params = { PN("x", TS) } },
	{ .name = "CounterStruct", .fn = svc_test_state_CounterStruct, .ret = TS,
	  .doc = "Returns a struct whose IntField counts the number of times it has been called,\n"
	      "so that a stream on it changes on every update.",
	  .params = { PD("id", "string", "00") } },
	{ .name = "BlockingProcedure", .fn = svc_test_blocking, .ret = "sint32",
	  .params = { P("n", "sint32"), PD("sum", "sint32", "00") } },
	{ .name = "IncrementList", .fn = svc_test_increment, .ret = "list(sint32)",
	  .params = { P("l", "list(sint32)") } },
	{ .name = "IncrementDictionary", .fn = svc_test_increment, .ret = "dict(string, sint32)",
	  .params = { P("d", "dict(string, sint32)") } },
	{ .name = "IncrementSet", .fn = svc_test_increment, .ret = "set(sint32)",
	  .params = { P("h", "set(sint32)") } },
	{ .name = "IncrementTuple", .fn = svc_test_increment, .ret = "tuple(sint32, sint64)",
	  .params = { P("t", "tuple(sint32, sint64)") } },
	{ .name = "IncrementNestedCollection", .fn = svc_test_increment,
	  .ret = "dict(string, list(sint32))",
	  .params = { P("d", "dict(string, list(sint32))") } },
	{ .name = "TupleDefault", .fn = svc_test_echo, .ret = "tuple(sint32, bool)",
	  .params = { PD("x", "tuple(sint32, bool)", "0a01020a0100") } },
	{ .name = "ListDefault", .fn = svc_test_echo, .ret = "list(sint32)",
	  .params = { PD("x", "list(sint32)", "0a01020a01040a0106") } },
	{ .name = "SetDefault", .fn = svc_test_echo, .ret = "set(sint32)",
	  .params = { PD("x", "set(sint32)", "0a01020a01040a0106") } },
	{ .name = "DictionaryDefault", .fn = svc_test_echo, .ret = "dict(sint32, bool)",
	  .params = { PD("x", "dict(sint32, bool)", "0a060a01021201000a060a0104120101") } },
	{ .name = "EnumListDefault", .fn = svc_test_echo, .ret = "list(" TE ")",
	  .params = { PD("x", "list(" TE ")", "0a01020a0104") } },
	{ .name = "EmptyListDefault", .fn = svc_test_echo, .ret = "list(string)",
	  .params = { PD("x", "list(string)", "") } },
	{ .name = "AddToObjectList", .fn = svc_test_state_AddToObjectList, .ret = "list(" TC ")",
	  .params = { P("l", "list(" TC ")"), P("value", "string") } },
	{ .name = "Counter", .fn = svc_test_state_Counter, .ret = "sint32",
	  .params = { PD("id", "string", "00"), PD("divisor", "sint32", "02") } },

	/* 2.3 Exceptions, events, deprecated members, special defaults */
	{ .name = "ThrowInvalidOperationException", .fn = svc_test_throw_invalid_op,
	  .ret = "sint32" },
	{ .name = "ResetInvalidOperationExceptionLater",
	  .fn = svc_test_state_ResetInvalidOperationExceptionLater },
	{ .name = "ThrowInvalidOperationExceptionLater",
	  .fn = svc_test_state_ThrowInvalidOperationExceptionLater, .ret = "sint32" },
	{ .name = "ThrowArgumentException", .fn = svc_test_throw_argument, .ret = "sint32" },
	{ .name = "ThrowArgumentNullException", .fn = svc_test_throw_argument_null,
	  .ret = "sint32", .params = { P("foo", "string") } },
	{ .name = "ThrowArgumentOutOfRangeException", .fn = svc_test_throw_out_of_range,
	  .ret = "sint32", .params = { P("foo", "sint32") } },
	{ .name = "ThrowCustomException", .fn = svc_test_throw_custom, .ret = "sint32" },
	{ .name = "ResetCustomExceptionLater", .fn = svc_test_state_ResetCustomExceptionLater },
	{ .name = "ThrowCustomExceptionLater", .fn = svc_test_state_ThrowCustomExceptionLater,
	  .ret = "sint32" },
	{ .name = "OnTimer", .fn = svc_test_state_OnTimer, .ret = "event",
	  .params = { P("milliseconds", "uint32"), PD("repeats", "uint32", "01") } },
	{ .name = "OnTimerUsingLambda", .fn = svc_test_state_OnTimerUsingLambda, .ret = "event",
	  .params = { P("milliseconds", "uint32") } },
	{ .name = "DeprecatedProcedure", .fn = svc_test_float_to_string, .ret = "string",
	  .flags = SIM_DEPRECATED, .doc = "Deprecated procedure documentation string.",
	  .reason = "Use <see cref=\"M:TestService.FloatToString\" /> instead.",
	  .params = { P("value", "float") } },
	{ .name = "DeprecatedProcedureNoMessage", .fn = svc_test_float_to_string,
	  .ret = "string", .flags = SIM_DEPRECATED,
	  .doc = "Deprecated procedure with no reason documentation string.",
	  .params = { P("value", "float") } },
	{ .name = "DoubleSpecialDefaults", .fn = svc_test_args5, .ret = "list(double)",
	  .doc = "Procedure whose defaults are the special values of double.",
	  .params = { PD("nan", "double", "000000000000f8ff"),
	      PD("infinity", "double", "000000000000f07f"),
	      PD("negativeInfinity", "double", "000000000000f0ff"),
	      PD("maximum", "double", "ffffffffffffef7f"),
	      PD("lowest", "double", "ffffffffffffefff") } },
	{ .name = "FloatSpecialDefaults", .fn = svc_test_args6, .ret = "list(float)",
	  .doc = "Procedure whose defaults are the special values of float, plus a finite fraction\n"
	      "that no float can hold exactly.",
	  .params = { PD("nan", "float", "0000c0ff"), PD("infinity", "float", "0000807f"),
	      PD("negativeInfinity", "float", "000080ff"), PD("maximum", "float", "ffff7f7f"),
	      PD("lowest", "float", "ffff7fff"), PD("fraction", "float", "cdcccc3d") } },
	{ .name = "Int32SpecialDefaults", .fn = svc_test_args2, .ret = "list(sint32)",
	  .doc = "Procedure whose defaults are the extremes of int.",
	  .params = { PD("maximum", "sint32", "feffffff0f"),
	      PD("minimum", "sint32", "ffffffff0f") } },
	{ .name = "Int64SpecialDefaults", .fn = svc_test_args2, .ret = "list(sint64)",
	  .doc = "Procedure whose defaults are the extremes of long.",
	  .params = { PD("maximum", "sint64", "feffffffffffffffff01"),
	      PD("minimum", "sint64", "ffffffffffffffffff01") } },
	{ .name = "Uint32SpecialDefaults", .fn = svc_test_args1, .ret = "list(uint32)",
	  .doc = "Procedure whose default is the largest uint.",
	  .params = { PD("maximum", "uint32", "ffffffff0f") } },
	{ .name = "Uint64SpecialDefaults", .fn = svc_test_args1, .ret = "list(uint64)",
	  .doc = "Procedure whose default is the largest ulong.",
	  .params = { PD("maximum", "uint64", "ffffffffffffffffff01") } },

	/* 2.4 Service properties */
	{ .name = "get_StringProperty", .fn = svc_test_state_get_StringProperty,
	  .ret = "string", .doc = DOC_PROPERTY },
	{ .name = "set_StringProperty", .fn = svc_test_state_set_StringProperty,
	  .doc = DOC_PROPERTY, .params = { P("value", "string") } },
	{ .name = "set_StringPropertyPrivateGet", .fn = svc_test_state_set_StringPropertyPrivateGet,
	  .params = { P("value", "string") } },
	{ .name = "get_StringPropertyPrivateSet", .fn = svc_test_private_set, .ret = "string" },
	{ .name = "get_ObjectProperty", .fn = svc_test_state_get_ObjectProperty, .ret = TC,
	  .flags = SIM_RET_NULLABLE },
	{ .name = "set_ObjectProperty", .fn = svc_test_state_set_ObjectProperty,
	  .params = { PN("value", TC) } },
	{ .name = "get_NullableObject", .fn = svc_test_state_get_NullableObject, .ret = TC,
	  .flags = SIM_RET_NULLABLE },
	{ .name = "set_NullableObject", .fn = svc_test_state_set_NullableObject,
	  .params = { PN("value", TC) } },
	{ .name = "get_DeprecatedProperty", .fn = svc_test_state_get_DeprecatedProperty,
	  .ret = "string", .flags = SIM_DEPRECATED, .doc = DOC_DEPRECATED_PROPERTY,
	  .reason = WHY_DEPRECATED_PROPERTY },
	{ .name = "set_DeprecatedProperty", .fn = svc_test_state_set_DeprecatedProperty,
	  .flags = SIM_DEPRECATED, .doc = DOC_DEPRECATED_PROPERTY,
	  .reason = WHY_DEPRECATED_PROPERTY, .params = { P("value", "string") } },

	/* 2.5 Class TestClass and class DeprecatedClass */
	{ .name = "TestClass_GetValue", .fn = svc_test_state_GetValue, .ret = "string",
	  .doc = "Method documentation string.", .params = { THIS } },
	{ .name = "TestClass_FloatToString", .fn = svc_test_state_FloatToString, .ret = "string",
	  .params = { THIS, P("x", "float") } },
	{ .name = "TestClass_ObjectToString", .fn = svc_test_state_ObjectToString,
	  .ret = "string", .params = { THIS, PN("other", TC) } },
	{ .name = "TestClass_EchoNullableObject", .fn = svc_test_echo1, .ret = TC,
	  .flags = SIM_RET_NULLABLE, .params = { THIS, PN("value", TC) } },
	{ .name = "TestClass_OptionalArguments", .fn = svc_test_state_ClassOptionalArguments,
	  .ret = "string", .params = { THIS, P("x", "string"), PD("y", "string", "03666f6f"),
	      PD("z", "string", "03626172"), PDN("obj", TC) } },
	{ .name = "TestClass_static_StaticMethod", .fn = svc_test_static_method, .ret = "string",
	  .params = { PD("a", "string", "00"), PD("b", "string", "00") } },
	{ .name = "TestClass_static_StaticNullableObject", .fn = svc_test_echo, .ret = TC,
	  .flags = SIM_RET_NULLABLE, .params = { PN("value", TC) } },
	{ .name = "TestClass_get_IntProperty", .fn = svc_test_state_get_IntProperty,
	  .ret = "sint32", .doc = DOC_PROPERTY, .params = { THIS } },
	{ .name = "TestClass_set_IntProperty", .fn = svc_test_state_set_IntProperty,
	  .doc = DOC_PROPERTY, .params = { THIS, P("value", "sint32") } },
	{ .name = "TestClass_get_ObjectProperty", .fn = svc_test_state_get_ClassObjectProperty,
	  .ret = TC, .flags = SIM_RET_NULLABLE, .params = { THIS } },
	{ .name = "TestClass_set_ObjectProperty", .fn = svc_test_state_set_ClassObjectProperty,
	  .params = { THIS, PN("value", TC) } },
	{ .name = "TestClass_set_StringPropertyPrivateGet", .fn = svc_test_state_set_Value,
	  .params = { THIS, P("value", "string") } },
	{ .name = "TestClass_get_StringPropertyPrivateSet", .fn = svc_test_state_get_Value,
	  .ret = "string", .params = { THIS } },
	{ .name = "DeprecatedClass_DeprecatedMethod", .fn = svc_test_deprecated_method,
	  .ret = "string", .flags = SIM_DEPRECATED,
	  .doc = "Deprecated method documentation string.",
	  .reason = "Use <see cref=\"M:TestService.TestClass.GetValue\" /> instead.",
	  .params = { P("this", "class(TestService.DeprecatedClass)") } },
};

static const struct sim_class svc_test_classes[] = {
	{ .name = "TestClass", .dotnet = "TestServer.TestService+TestClass",
	  .doc = "Class documentation string." },
	{ .name = "DeprecatedClass", .dotnet = "TestServer.TestService+DeprecatedClass",
	  .doc = "Deprecated class documentation string.", .flags = SIM_DEPRECATED,
	  .reason = "Use <see cref=\"T:TestService.TestClass\" /> instead." },
};

static const struct sim_enum svc_test_enums[] = {
	{ .name = "TestEnum", .doc = "Enum documentation string.", .values = {
	    { .name = "ValueA", .value = 0, .doc = "Enum ValueA documentation string." },
	    { .name = "ValueB", .value = 1, .doc = "Enum ValueB documentation string." },
	    { .name = "ValueC", .value = 2, .doc = "Enum ValueC documentation string." } } },
	{ .name = "DeprecatedEnum", .doc = "Deprecated enum documentation string.",
	  .flags = SIM_DEPRECATED, .reason = "Use <see cref=\"T:TestService.TestEnum\" /> instead.",
	  .values = {
	    { .name = "ValueA", .value = 0, .doc = "Deprecated enum ValueA documentation string." },
	    { .name = "ValueB", .value = 1, .doc = "Deprecated enum ValueB documentation string.",
	      .flags = SIM_DEPRECATED,
	      .reason = "Use <see cref=\"M:TestService.DeprecatedEnum.ValueA\" /> instead." } } },
};

static const struct sim_struct svc_test_structs[] = {
	{ .name = "TestStruct", .dotnet = "TestServer.TestService+TestStruct",
	  .doc = "Struct documentation string.", .fields = {
	    { .name = "IntField", .type = "sint32", .doc = "Struct IntField documentation string." },
	    { .name = "StringField", .type = "string" },
	    { .name = "EnumField", .type = TE },
	    { .name = "ListField", .type = "list(sint32)" } } },
	{ .name = "TestNestedStruct", .dotnet = "TestServer.TestService+TestNestedStruct",
	  .doc = "Nested struct documentation string.", .fields = {
	    { .name = "StructField", .type = TS },
	    { .name = "ObjectField", .type = TC },
	    { .name = "StringField", .type = "string" } } },
	{ .name = "DeprecatedStruct", .dotnet = "TestServer.TestService+DeprecatedStruct",
	  .doc = "Deprecated struct documentation string.", .flags = SIM_DEPRECATED,
	  .reason = "Use <see cref=\"T:TestService.TestStruct\" /> instead.", .fields = {
	    { .name = "Value", .type = "sint32", .doc = "Deprecated struct Value documentation string." },
	    { .name = "OldValue", .type = "sint32",
	      .doc = "Deprecated struct OldValue documentation string.", .flags = SIM_DEPRECATED,
	      .reason = "Use <see cref=\"M:TestService.DeprecatedStruct.Value\" /> instead." } } },
};

static const struct sim_exception svc_test_exceptions[] = {
	{ .name = "CustomException" },
	{ .name = "DeprecatedException", .doc = "Deprecated exception documentation string.",
	  .flags = SIM_DEPRECATED, .reason = "Use CustomException instead." },
};

#define NELEMS(a)	(sizeof(a) / sizeof((a)[0]))

_Static_assert(NELEMS(svc_test_procs) == 82, "TestService has 82 procedures");

const struct sim_service sim_service_test = {
	.name = "TestService",
	.id = 9999,
	.doc = "Service documentation string.",
	.procs = svc_test_procs,
	.nprocs = NELEMS(svc_test_procs),
	.classes = svc_test_classes,
	.nclasses = NELEMS(svc_test_classes),
	.enums = svc_test_enums,
	.nenums = NELEMS(svc_test_enums),
	.structs = svc_test_structs,
	.nstructs = NELEMS(svc_test_structs),
	.exceptions = svc_test_exceptions,
	.nexceptions = NELEMS(svc_test_exceptions),
	.init = svc_test_state_init,
	.fini = svc_test_state_fini,
};
