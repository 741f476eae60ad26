/*
 * Unit tests for kRPC values and types: encode/decode vectors for every type
 * code (PROTOCOL.md section 5 and the defaults of TESTSERVICE.md), round
 * trips of extremes, and malformed input of every kind.
 */
#include <math.h>

#include "unit.h"

/* Parses a type text, failing the test if it does not parse. */
static krpc_type_t *
T(const char *text)
{
	char why[128] = "";
	krpc_type_t *t = krpc_type_parse(text, why, sizeof why);

	ck_assert_msg(t != NULL, "type %s: %s", text, why);
	return t;
}

/* Encodes v (taking it) and compares with hex, then decodes and compares values. */
static void
check_vector(const char *type, krpc_value_t *v, const char *hex)
{
	krpc_type_t *t = T(type);
	krpc_value_t *back = NULL;
	uint8_t *out;
	size_t len;
	char why[128] = "";

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(krpc_value_encode(v, &out, &len), KRPC_OK);
	ck_assert_msg(strcmp(unit_tohex(out, len), hex) == 0, "%s encodes as %s, expected %s",
	    type, unit_tohex(out, len), hex);
	ck_assert_msg(krpc_value_decode(t, out, len, false, &back, why, sizeof why) == KRPC_OK,
	    "%s: %s", type, why);
	ck_assert_msg(krpc_value_equal(v, back), "%s does not round-trip", type);
	free(out);
	krpc_value_free(back);
	krpc_value_free(v);
	krpc_type_free(t);
}

/* Decodes hex with type, expecting failure with code (and reason text if given). */
static void
check_bad(const char *type, const char *hex, krpc_code_t code, const char *reason)
{
	krpc_type_t *t = T(type);
	krpc_value_t *v = (krpc_value_t *)1;
	size_t len;
	const uint8_t *p = unit_hex(hex, &len);
	char why[256] = "";

	ck_assert_int_eq(krpc_value_decode(t, p, len, false, &v, why, sizeof why), code);
	ck_assert_ptr_null(v);
	ck_assert_msg(why[0] != '\0', "no reason for %s %s", type, hex);
	if (reason != NULL)
		ck_assert_str_eq(why, reason);
	krpc_type_free(t);
}

/* Decodes hex with type (must succeed); the caller frees the value. */
static krpc_value_t *
decode_ok(const char *type, const char *hex)
{
	krpc_type_t *t = T(type);
	krpc_value_t *v = NULL;
	size_t len;
	const uint8_t *p = unit_hex(hex, &len);
	char why[256] = "";

	ck_assert_msg(krpc_value_decode(t, p, len, false, &v, why, sizeof why) == KRPC_OK,
	    "%s %s: %s", type, hex, why);
	krpc_type_free(t);
	return v;
}

START_TEST(test_scalars)
{
	check_vector("double", krpc_value_double(3.14159), "6e861bf0f9210940");
	check_vector("double", krpc_value_double(INFINITY), "000000000000f07f");
	check_vector("double", krpc_value_double(-INFINITY), "000000000000f0ff");
	check_vector("double", krpc_value_double(1.7976931348623157e308), "ffffffffffffef7f");
	check_vector("double", krpc_value_double(-1.7976931348623157e308), "ffffffffffffefff");
	check_vector("double", krpc_value_double(-0.0), "0000000000000080");
	check_vector("float", krpc_value_float(INFINITY), "0000807f");
	check_vector("float", krpc_value_float(-INFINITY), "000080ff");
	check_vector("float", krpc_value_float(3.4028235e38f), "ffff7f7f");
	check_vector("float", krpc_value_float(0.1f), "cdcccc3d");
	check_vector("sint32", krpc_value_sint32(0), "00");
	check_vector("sint32", krpc_value_sint32(42), "54");
	check_vector("sint32", krpc_value_sint32(300), "d804");
	check_vector("sint32", krpc_value_sint32(-1), "01");
	check_vector("sint32", krpc_value_sint32(INT32_MAX), "feffffff0f");
	check_vector("sint32", krpc_value_sint32(INT32_MIN), "ffffffff0f");
	check_vector("sint64", krpc_value_sint64(123456789000LL), "90e8c8e99707");
	check_vector("sint64", krpc_value_sint64(INT64_MAX), "feffffffffffffffff01");
	check_vector("sint64", krpc_value_sint64(INT64_MIN), "ffffffffffffffffff01");
	check_vector("uint32", krpc_value_uint32(UINT32_MAX), "ffffffff0f");
	check_vector("uint32", krpc_value_uint32(1), "01");
	check_vector("uint64", krpc_value_uint64(UINT64_MAX), "ffffffffffffffffff01");
	check_vector("uint64", krpc_value_uint64(0), "00");
	check_vector("bool", krpc_value_bool(true), "01");
	check_vector("bool", krpc_value_bool(false), "00");
	check_vector("class(TestService.TestClass)", krpc_value_object(1), "01");
	check_vector("class(TestService.TestClass)", krpc_value_object(1000000), "c0843d");
	check_vector("enum(TestService.TestEnum)", krpc_value_enum(2), "04");
	check_vector("enum(TestService.TestEnum)", krpc_value_enum(-3), "05");
}
END_TEST

START_TEST(test_nan)
{
	krpc_type_t *t = T("double"), *tf = T("float");
	krpc_value_t *v = NULL;
	size_t len;
	const uint8_t *p = unit_hex("000000000000f87f", &len);
	uint8_t *out;
	double d = 0;
	float f = 0;

	ck_assert_int_eq(krpc_value_decode(t, p, len, false, &v, NULL, 0), KRPC_OK);
	ck_assert_int_eq(krpc_value_as_double(v, &d), KRPC_OK);
	ck_assert(isnan(d));
	/* NaN keeps its bits through a round trip. */
	ck_assert_int_eq(krpc_value_encode(v, &out, &len), KRPC_OK);
	ck_assert_str_eq(unit_tohex(out, len), "000000000000f87f");
	free(out);
	krpc_value_free(v);
	p = unit_hex("0100c07f", &len);	/* a signalling-style payload */
	ck_assert_int_eq(krpc_value_decode(tf, p, len, false, &v, NULL, 0), KRPC_OK);
	ck_assert_int_eq(krpc_value_as_float(v, &f), KRPC_OK);
	ck_assert(isnan(f));
	ck_assert_int_eq(krpc_value_encode(v, &out, &len), KRPC_OK);
	ck_assert_str_eq(unit_tohex(out, len), "0100c07f");
	free(out);
	krpc_value_free(v);
	krpc_type_free(t);
	krpc_type_free(tf);
}
END_TEST

START_TEST(test_strings)
{
	static const char rocket[] = "Jebediah K\xc3\xa9rman \xf0\x9f\x9a\x80";
	krpc_value_t *v;
	size_t len;

	check_vector("string", krpc_value_string("testing"), "0774657374696e67");
	check_vector("string", krpc_value_string(""), "00");
	check_vector("string", krpc_value_string(rocket),
	    "154a65626564696168204bc3a9726d616e20f09f9a80");
	check_vector("string", krpc_value_string_n("a\0b", 3), "03610062");
	check_vector("bytes", krpc_value_bytes("\xde\xad\xbe\xef", 4), "04deadbeef");
	check_vector("bytes", krpc_value_bytes(NULL, 0), "00");
	/* A string decodes NUL-terminated with its true length. */
	v = decode_ok("string", "03610062");
	ck_assert_uint_eq(krpc_value_str(v, &len)[1], 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_ptr_nonnull(krpc_value_data(v, NULL));	/* strings are byte values too */
	krpc_value_free(v);
	/* 200-byte string: two-byte length. */
	{
		char big[201];

		memset(big, 'x', 200);
		big[200] = '\0';
		v = krpc_value_string(big);
		{
			uint8_t *out;

			ck_assert_int_eq(krpc_value_encode(v, &out, &len), KRPC_OK);
			ck_assert_uint_eq(len, 202);
			ck_assert_str_eq(unit_tohex(out, 2), "c801");
			free(out);
		}
		krpc_value_free(v);
	}
}
END_TEST

START_TEST(test_collections)
{
	krpc_value_t *v, *inner;

	v = krpc_value_collection(KRPC_TYPE_LIST);
	ck_assert_int_eq(krpc_value_append(v, krpc_value_uint32(1)), KRPC_OK);
	check_vector("list(uint32)", v, "0a0101");

	v = krpc_value_collection(KRPC_TYPE_LIST);
	krpc_value_append(v, krpc_value_sint32(1));
	krpc_value_append(v, krpc_value_sint32(2));
	krpc_value_append(v, krpc_value_sint32(3));
	check_vector("list(sint32)", v, "0a01020a01040a0106");

	v = krpc_value_collection(KRPC_TYPE_SET);
	krpc_value_append(v, krpc_value_sint32(1));
	krpc_value_append(v, krpc_value_sint32(2));
	krpc_value_append(v, krpc_value_sint32(3));
	check_vector("set(sint32)", v, "0a01020a01040a0106");

	v = krpc_value_collection(KRPC_TYPE_TUPLE);
	krpc_value_append(v, krpc_value_sint32(1));
	krpc_value_append(v, krpc_value_bool(false));
	check_vector("tuple(sint32, bool)", v, "0a01020a0100");

	v = krpc_value_collection(KRPC_TYPE_DICTIONARY);
	ck_assert_int_eq(krpc_value_put(v, krpc_value_sint32(1), krpc_value_bool(false)), KRPC_OK);
	ck_assert_int_eq(krpc_value_put(v, krpc_value_sint32(2), krpc_value_bool(true)), KRPC_OK);
	ck_assert_uint_eq(krpc_value_count(v), 2);
	check_vector("dict(sint32, bool)", v, "0a060a01021201000a060a0104120101");

	v = krpc_value_collection(KRPC_TYPE_LIST);
	krpc_value_append(v, krpc_value_enum(1));
	krpc_value_append(v, krpc_value_enum(2));
	check_vector("list(enum(TestService.TestEnum))", v, "0a01020a0104");

	/* Empty collections are zero bytes. */
	check_vector("list(string)", krpc_value_collection(KRPC_TYPE_LIST), "");
	check_vector("dict(string, string)", krpc_value_collection(KRPC_TYPE_DICTIONARY), "");

	/* Nested: {"a": [1, 2], "": []}. */
	v = krpc_value_collection(KRPC_TYPE_DICTIONARY);
	inner = krpc_value_collection(KRPC_TYPE_LIST);
	krpc_value_append(inner, krpc_value_sint32(1));
	krpc_value_append(inner, krpc_value_sint32(2));
	krpc_value_put(v, krpc_value_string("a"), inner);
	krpc_value_put(v, krpc_value_string(""), krpc_value_collection(KRPC_TYPE_LIST));
	check_vector("dict(string, list(sint32))", v,
	    "0a0c0a0201611206" "0a01020a0104" "0a050a010012" "00");

	/* Tuple of 64-bit extremes inside a list. */
	v = krpc_value_collection(KRPC_TYPE_LIST);
	inner = krpc_value_collection(KRPC_TYPE_TUPLE);
	krpc_value_append(inner, krpc_value_sint32(INT32_MIN));
	krpc_value_append(inner, krpc_value_sint64(INT64_MIN));
	krpc_value_append(v, inner);
	check_vector("list(tuple(sint32, sint64))", v,
	    "0a130a05ffffffff0f0a0affffffffffffffffff01");
}
END_TEST

START_TEST(test_structs)
{
	static const char *ts = "struct(TestService.TestStruct: sint32, string, "
	    "enum(TestService.TestEnum), list(sint32))";
	krpc_value_t *v, *list, *more;
	const krpc_value_t *item;
	int32_t i;

	/* TestService.StructDefault's default value. */
	v = krpc_value_collection(KRPC_TYPE_STRUCT);
	krpc_value_append(v, krpc_value_sint32(42));
	krpc_value_append(v, krpc_value_string("jeb"));
	krpc_value_append(v, krpc_value_enum(1));
	list = krpc_value_collection(KRPC_TYPE_LIST);
	krpc_value_append(list, krpc_value_sint32(1));
	krpc_value_append(list, krpc_value_sint32(2));
	krpc_value_append(list, krpc_value_sint32(3));
	krpc_value_append(v, list);
	check_vector(ts, v, "0a01540a04036a65620a01020a090a01020a01040a0106");

	/* Extra trailing fields from a newer server are ignored. */
	more = decode_ok(ts, "0a01540a04036a65620a01020a090a01020a01040a0106" "0a0101");
	ck_assert_uint_eq(krpc_value_count(more), 4);
	item = krpc_value_item(more, 0);
	ck_assert_int_eq(krpc_value_as_sint32(item, &i), KRPC_OK);
	ck_assert_int_eq(i, 42);
	krpc_value_free(more);

	/* Fewer fields is an error with the server's text. */
	check_bad(ts, "0a01540a04036a6562", KRPC_ERR_MALFORMED,
	    "Value for TestService.TestStruct has 2 fields; expected at least 4");
	/* A struct whose fields are unknown cannot be decoded. */
	check_bad("struct(TestService.TestStruct)", "0a0154", KRPC_ERR_TYPE, NULL);
}
END_TEST

START_TEST(test_messages_and_null)
{
	krpc_type_t *t = T("string");
	krpc_value_t *v = NULL;
	uint8_t *out;
	size_t len;

	check_vector("procedure_call", krpc_value_message(KRPC_TYPE_PROCEDURE_CALL, "\x0a\x04KRPC", 6),
	    "0a044b525043");
	check_vector("stream", krpc_value_message(KRPC_TYPE_STREAM, "", 0), "");
	check_vector("event", krpc_value_message(KRPC_TYPE_EVENT, "\x0a\x02\x08\x05", 4), "0a020805");
	ck_assert_ptr_null(krpc_value_message(KRPC_TYPE_STRING, "x", 1));

	/* is_null decodes to null whatever the bytes; null encodes as nothing. */
	ck_assert_int_eq(krpc_value_decode(t, "junk", 4, true, &v, NULL, 0), KRPC_OK);
	ck_assert(krpc_value_is_null(v));
	ck_assert_int_eq(krpc_value_code(v), KRPC_TYPE_STRING);
	ck_assert_ptr_null(krpc_value_str(v, NULL));
	ck_assert_int_eq(krpc_value_encode(v, &out, &len), KRPC_OK);
	ck_assert_uint_eq(len, 0);
	free(out);
	krpc_value_free(v);
	/* An empty value without is_null is a real empty string... */
	ck_assert_int_eq(krpc_value_decode(t, "\x00", 1, false, &v, NULL, 0), KRPC_OK);
	ck_assert(!krpc_value_is_null(v));
	ck_assert_str_eq(krpc_value_str(v, NULL), "");
	krpc_value_free(v);
	/* ...and zero bytes are not a string at all. */
	check_bad("string", "", KRPC_ERR_MALFORMED, NULL);
	krpc_type_free(t);
}
END_TEST

START_TEST(test_malformed)
{
	check_bad("sint32", "", KRPC_ERR_MALFORMED, "malformed SINT32 value (0 bytes)");
	check_bad("sint32", "80", KRPC_ERR_MALFORMED, NULL);		/* truncated varint */
	check_bad("sint32", "0101", KRPC_ERR_MALFORMED, NULL);		/* trailing byte */
	check_bad("sint32", "8080808010", KRPC_ERR_MALFORMED, NULL);	/* over 32 bits */
	check_bad("uint32", "ffffffff1f", KRPC_ERR_MALFORMED, NULL);
	check_bad("uint64", "ffffffffffffffffff02", KRPC_ERR_MALFORMED, NULL); /* 65 bits */
	check_bad("uint64", "ffffffffffffffffffff01", KRPC_ERR_MALFORMED, NULL); /* 11 bytes */
	check_bad("double", "00000000000000", KRPC_ERR_MALFORMED, "malformed DOUBLE value (7 bytes)");
	check_bad("double", "000000000000000000", KRPC_ERR_MALFORMED, NULL);
	check_bad("float", "000000", KRPC_ERR_MALFORMED, NULL);
	check_bad("string", "05616263", KRPC_ERR_MALFORMED, NULL);	/* length past the end */
	check_bad("string", "0161ff", KRPC_ERR_MALFORMED, NULL);	/* bytes after the string */
	check_bad("bytes", "ffffffffffffffffff01", KRPC_ERR_MALFORMED, NULL);
	check_bad("list(sint32)", "0a05", KRPC_ERR_MALFORMED, NULL);	/* item past the end */
	check_bad("list(sint32)", "0801", KRPC_ERR_MALFORMED, NULL);	/* field 1 as a varint */
	check_bad("list(sint32)", "0b", KRPC_ERR_MALFORMED, NULL);	/* group wire type */
	check_bad("list(sint32)", "0a0180", KRPC_ERR_MALFORMED, NULL);	/* bad item inside */
	check_bad("list(sint32)", "00", KRPC_ERR_MALFORMED, NULL);	/* field number 0 */
	check_bad("tuple(sint32, bool)", "0a0102", KRPC_ERR_MALFORMED,
	    "tuple has 1 items; expected 2");
	check_bad("tuple(sint32)", "0a01020a0104", KRPC_ERR_MALFORMED, NULL);
	check_bad("dict(sint32, bool)", "0a030a0102", KRPC_ERR_MALFORMED, NULL); /* entry too short */
	check_bad("dict(sint32, bool)", "0a020801", KRPC_ERR_MALFORMED, NULL);	/* key as varint */
	check_bad("dict(sint32, bool)", "0a00", KRPC_ERR_MALFORMED, NULL);	/* empty key bytes */
}
END_TEST

START_TEST(test_unknown_fields_skipped)
{
	krpc_value_t *v;
	int32_t i;

	/* Field 2 (varint), 3 (fixed64) and 4 (fixed32) around one item. */
	v = decode_ok("list(sint32)", "1001" "0a0154" "190000000000000000" "2500000000");
	ck_assert_uint_eq(krpc_value_count(v), 1);
	ck_assert_int_eq(krpc_value_as_sint32(krpc_value_item(v, 0), &i), KRPC_OK);
	ck_assert_int_eq(i, 42);
	krpc_value_free(v);
}
END_TEST

START_TEST(test_random_bytes)
{
	static const char *types[] = {
		"double", "sint32", "uint64", "bool", "string", "bytes", "list(string)",
		"dict(string, list(sint32))", "tuple(sint32, sint64, double)",
		"set(tuple(string, bool))", "list(list(list(uint32)))",
		"struct(S.T: sint32, string, list(float))",
	};
	unsigned seed = 42;
	uint8_t junk[64];
	size_t i, k, len;
	krpc_type_t *t;
	krpc_value_t *v;
	krpc_code_t rc;

	for (k = 0; k < sizeof types / sizeof types[0]; k++) {
		t = T(types[k]);
		for (i = 0; i < 20000; i++) {
			size_t j;

			seed = seed * 1103515245u + 12345u;
			len = (seed >> 16) % sizeof junk;
			for (j = 0; j < len; j++) {
				seed = seed * 1103515245u + 12345u;
				junk[j] = (uint8_t)(seed >> 16);
				/* Bias towards field 1 length-delimited keys so collections go deep. */
				if ((seed & 0x700) == 0)
					junk[j] = 0x0a;
			}
			v = NULL;
			rc = krpc_value_decode(t, junk, len, false, &v, NULL, 0);
			if ((rc == KRPC_OK) != (v != NULL))
				ck_abort_msg("result and value disagree for %s", types[k]);
			krpc_value_free(v);
		}
		krpc_type_free(t);
	}
}
END_TEST

START_TEST(test_deep_nesting)
{
	char text[4096] = "";
	char why[128];
	int i;

	for (i = 0; i < 40; i++)
		strcat(text, "list(");
	strcat(text, "sint32");
	for (i = 0; i < 40; i++)
		strcat(text, ")");
	ck_assert_ptr_null(krpc_type_parse(text, why, sizeof why));
	ck_assert_str_eq(why, "type nested too deeply");
}
END_TEST

START_TEST(test_type_text)
{
	static const char *ok[] = {
		"double", "float", "sint32", "sint64", "uint32", "uint64", "bool", "string", "bytes",
		"class(SpaceCenter.Vessel)", "enum(KRPC.GameScene)", "struct(TestService.TestStruct)",
		"struct(S.T: sint32, list(string))", "procedure_call", "stream", "event", "status",
		"services", "tuple(double, double, double)", "list(class(SpaceCenter.Vessel))",
		"set(sint32)", "dict(string, tuple(sint32, sint64))",
	};
	static const struct { const char *text, *why; } bad[] = {
		{ "", "unknown type \"\"" },
		{ "int", "unknown type \"int\"" },
		{ "list(sint32", "expected ')' at \"\"" },
		{ "list(sint32, bool)", "LIST takes 1 type, not 2" },
		{ "dict(string)", "DICTIONARY takes 2 types, not 1" },
		{ "tuple()", "tuple needs at least one item type" },
		{ "class(Vessel)", "expected Service.Name at \"Vessel)\"" },
		{ "class(A.B.C)", "expected Service.Name at \"A.B.C)\"" },
		{ "sint32 x", "unexpected \"x\" after the type" },
		{ "none", "unknown type \"none\"" },
	};
	char why[128], *s;
	krpc_type_t *t, *u;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		t = T(ok[i]);
		s = krpc_type_format(t);
		ck_assert_str_eq(s, ok[i]);
		u = T(s);
		ck_assert(krpc_type_equal(t, u));
		free(s);
		krpc_type_free(u);
		u = krpc_type_clone(t);
		ck_assert(krpc_type_equal(t, u));
		krpc_type_free(u);
		krpc_type_free(t);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		ck_assert_ptr_null(krpc_type_parse(bad[i].text, why, sizeof why));
		ck_assert_str_eq(why, bad[i].why);
	}
	t = T(" dict ( string , list ( sint32 ) ) ");
	ck_assert_int_eq(krpc_type_code(t), KRPC_TYPE_DICTIONARY);
	ck_assert_uint_eq(krpc_type_count(t), 2);
	ck_assert_int_eq(krpc_type_code(krpc_type_sub(t, 1)), KRPC_TYPE_LIST);
	ck_assert_ptr_null(krpc_type_sub(t, 2));
	krpc_type_free(t);
	t = T("class(SpaceCenter.Vessel)");
	ck_assert_str_eq(krpc_type_service(t), "SpaceCenter");
	ck_assert_str_eq(krpc_type_name(t), "Vessel");
	krpc_type_free(t);
	ck_assert_str_eq(krpc_type_code_name(KRPC_TYPE_PROCEDURE_CALL), "PROCEDURE_CALL");
	ck_assert_ptr_null(krpc_type_code_name((krpc_type_code_t)42));
	ck_assert(!krpc_type_code_valid(42));
	ck_assert(krpc_type_code_valid(303));
}
END_TEST

START_TEST(test_type_pb)
{
	krpc_type_t *t = T("dict(string, list(class(SpaceCenter.Vessel)))"), *back;
	Krpc__Schema__Type *pb = krpc_type_to_pb(t);

	ck_assert_ptr_nonnull(pb);
	ck_assert_int_eq(pb->code, KRPC__SCHEMA__TYPE__TYPE_CODE__DICTIONARY);
	ck_assert_uint_eq(pb->n_types, 2);
	ck_assert_str_eq(pb->types[1]->types[0]->service, "SpaceCenter");
	back = krpc_type_from_pb(pb);
	ck_assert(krpc_type_equal(t, back));
	krpc_type_pb_free(pb);
	krpc_type_free(back);
	krpc_type_free(t);
	/* Struct references travel without fields. */
	t = T("struct(S.T: sint32)");
	pb = krpc_type_to_pb(t);
	ck_assert_uint_eq(pb->n_types, 0);
	krpc_type_pb_free(pb);
	krpc_type_free(t);
	/* Unknown codes are refused. */
	{
		Krpc__Schema__Type bad = KRPC__SCHEMA__TYPE__INIT;

		bad.code = (Krpc__Schema__Type__TypeCode)77;
		ck_assert_ptr_null(krpc_type_from_pb(&bad));
	}
}
END_TEST

START_TEST(test_accessors)
{
	krpc_value_t *v = krpc_value_sint32(7), *d, *c;
	int32_t i;
	int64_t l;
	uint64_t u;
	char *s;

	ck_assert_int_eq(krpc_value_as_sint32(v, &i), KRPC_OK);
	ck_assert_int_eq(i, 7);
	ck_assert_int_eq(krpc_value_as_sint64(v, &l), KRPC_ERR_TYPE);
	ck_assert_int_eq(krpc_value_append(v, krpc_value_bool(true)), KRPC_ERR_TYPE);
	krpc_value_free(v);
	v = krpc_value_object(9);
	ck_assert_int_eq(krpc_value_as_uint64(v, &u), KRPC_OK);
	ck_assert_int_eq(krpc_value_as_object(v, &u), KRPC_OK);
	ck_assert_uint_eq(u, 9);
	krpc_value_free(v);
	v = krpc_value_null(KRPC_TYPE_CLASS);
	ck_assert_int_eq(krpc_value_as_object(v, &u), KRPC_ERR_TYPE);
	krpc_value_free(v);

	d = krpc_value_collection(KRPC_TYPE_DICTIONARY);
	ck_assert_int_eq(krpc_value_append(d, krpc_value_bool(true)), KRPC_ERR_TYPE);
	krpc_value_put(d, krpc_value_string("k"), krpc_value_double(0.5));
	ck_assert_ptr_null(krpc_value_item(d, 0));
	ck_assert_str_eq(krpc_value_str(krpc_value_key(d, 0), NULL), "k");
	ck_assert_ptr_null(krpc_value_val(d, 1));
	c = krpc_value_clone(d);
	ck_assert(krpc_value_equal(c, d));
	s = krpc_value_format(c);
	ck_assert_str_eq(s, "{\"k\": 0.5}");
	free(s);
	krpc_value_free(c);
	krpc_value_put(d, krpc_value_string("z"), krpc_value_null(KRPC_TYPE_STRING));
	s = krpc_value_format(d);
	ck_assert_str_eq(s, "{\"k\": 0.5, \"z\": null}");
	free(s);
	krpc_value_free(d);
	/* Strings render escaped; UTF-8 passes through. */
	v = krpc_value_string("a\"b\\c\nd\x01\xc3\xa9");
	s = krpc_value_format(v);
	ck_assert_str_eq(s, "\"a\\\"b\\\\c\\nd\\x01\xc3\xa9\"");
	free(s);
	krpc_value_free(v);
	/* Equality distinguishes codes, nullness and contents. */
	v = krpc_value_sint32(1);
	c = krpc_value_sint64(1);
	ck_assert(!krpc_value_equal(v, c));
	krpc_value_free(c);
	c = krpc_value_null(KRPC_TYPE_SINT32);
	ck_assert(!krpc_value_equal(v, c));
	krpc_value_free(c);
	krpc_value_free(v);
}
END_TEST

START_TEST(test_null_safety)
{
	char *s;

	/* Accessors given NULL answer instead of crashing (the library never aborts). */
	ck_assert_int_eq(krpc_value_code(NULL), KRPC_TYPE_NONE);
	ck_assert(krpc_value_is_null(NULL));
	ck_assert_uint_eq(krpc_value_count(NULL), 0);
	ck_assert_ptr_null(krpc_value_item(NULL, 0));
	ck_assert_ptr_null(krpc_value_str(NULL, NULL));
	ck_assert(krpc_value_equal(NULL, NULL));
	ck_assert_ptr_null(krpc_value_clone(NULL));
	s = krpc_value_format(NULL);
	ck_assert_str_eq(s, "(none)");
	free(s);
	ck_assert_int_eq(krpc_type_code(NULL), KRPC_TYPE_NONE);
	ck_assert_str_eq(krpc_type_service(NULL), "");
	ck_assert_uint_eq(krpc_type_count(NULL), 0);
	ck_assert_ptr_null(krpc_type_format(NULL));
	krpc_value_free(NULL);
	krpc_type_free(NULL);
}
END_TEST

static Suite *
value_suite(void)
{
	Suite *s = suite_create("value");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_nan);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_collections);
	tcase_add_test(tc, test_structs);
	tcase_add_test(tc, test_messages_and_null);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_unknown_fields_skipped);
	tcase_add_test(tc, test_random_bytes);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_type_text);
	tcase_add_test(tc, test_type_pb);
	tcase_add_test(tc, test_accessors);
	tcase_add_test(tc, test_null_safety);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(value_suite());
}
