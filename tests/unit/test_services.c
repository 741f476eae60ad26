/*
 * Unit tests for the libkrpcmux service model: a real GetServices answer
 * captured from krpc-sim (tests/unit/data/services-sim.bin: KRPC,
 * TestService, Benchmark, SpaceCenter) and hand-built Services messages for
 * the edge cases (old-style defaults, struct cycles, bad types).
 * The capture is the SERVICES value of krpc_call(c, "KRPC", "GetServices",
 * NULL, 0, "services", &v) written out with krpc_value_data().
 */
#include <math.h>

#include "unit.h"
#include "internal.h"

/* The captured dump, read once per test process. */
static uint8_t *dump;
static size_t dumplen;

static void
load_dump(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/tests/unit/data/services-sim.bin", top ? top : ".");
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	ck_assert_int_gt(n, 0);
	dump = malloc((size_t)n);
	ck_assert_ptr_nonnull(dump);
	ck_assert_uint_eq(fread(dump, 1, (size_t)n, f), (size_t)n);
	dumplen = (size_t)n;
	fclose(f);
}

static krpc_services_t *
model(void)
{
	krpc_services_t *m = NULL;

	if (dump == NULL)
		load_dump();
	ck_assert_msg(krpc_services_parse(dump, dumplen, &m) == KRPC_OK, "%s", krpc_error_message());
	return m;
}

static const krpc_procedure_t *
proc(const krpc_services_t *m, const char *svc, const char *name)
{
	const krpc_procedure_t *p = krpc_services_procedure(m, svc, name);

	ck_assert_msg(p != NULL, "%s.%s not found", svc, name);
	return p;
}

/* The text form of a type, compared with want. */
static void
type_is(const krpc_type_t *t, const char *want)
{
	char *s;

	ck_assert_ptr_nonnull(t);
	s = krpc_type_format(t);
	ck_assert_str_eq(s, want);
	free(s);
}

START_TEST(test_service_list)
{
	krpc_services_t *m = model();
	const char *names[] = { "KRPC", "TestService", "Benchmark", "SpaceCenter" };
	const krpc_service_t *s;
	size_t i;

	for (i = 0; i < 4; i++)
		ck_assert_msg(krpc_services_find(m, names[i]) != NULL, "no service %s", names[i]);
	ck_assert_ptr_null(krpc_services_find(m, "NoSuchService"));
	ck_assert_ptr_null(krpc_services_find(m, NULL));
	ck_assert_ptr_null(krpc_services_at(m, krpc_services_count(m)));
	s = krpc_services_find(m, "TestService");
	ck_assert_str_eq(krpc_service_name(s), "TestService");
	ck_assert_uint_eq(krpc_service_procedure_count(s), 82);
	ck_assert_str_eq(krpc_service_doc(s),
	    "<doc>\n<summary>\nService documentation string.\n</summary>\n</doc>");
	ck_assert(!krpc_service_deprecated(s));
	ck_assert_uint_eq(krpc_service_procedure_count(krpc_services_find(m, "KRPC")), 69);
	/* Procedures keep the server's (id) order; lookups find every one of them. */
	ck_assert_str_eq(krpc_procedure_name(krpc_service_procedure_at(s, 0)), "FloatToString");
	ck_assert_str_eq(krpc_procedure_name(krpc_service_procedure_at(s, 81)),
	    "DeprecatedClass_DeprecatedMethod");
	for (i = 0; i < krpc_service_procedure_count(s); i++)
		ck_assert_ptr_eq(krpc_service_procedure(s, krpc_procedure_name(krpc_service_procedure_at(s, i))),
		    krpc_service_procedure_at(s, i));
	ck_assert_ptr_null(krpc_service_procedure(s, "NoSuchProcedure"));
	krpc_services_free(m);
}
END_TEST

START_TEST(test_procedure_kinds)
{
	static const struct {
		const char		*name;
		krpc_procedure_kind_t	 kind;
		const char		*cls;
		const char		*member;
	} cases[] = {
		{ "FloatToString", KRPC_PROC_PLAIN, "", "FloatToString" },
		{ "get_StringProperty", KRPC_PROC_GETTER, "", "StringProperty" },
		{ "set_StringProperty", KRPC_PROC_SETTER, "", "StringProperty" },
		{ "TestClass_GetValue", KRPC_PROC_METHOD, "TestClass", "GetValue" },
		{ "TestClass_static_StaticMethod", KRPC_PROC_STATIC_METHOD, "TestClass", "StaticMethod" },
		{ "TestClass_get_IntProperty", KRPC_PROC_CLASS_GETTER, "TestClass", "IntProperty" },
		{ "TestClass_set_IntProperty", KRPC_PROC_CLASS_SETTER, "TestClass", "IntProperty" },
	};
	krpc_services_t *m = model();
	const krpc_procedure_t *p;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p = proc(m, "TestService", cases[i].name);
		ck_assert_int_eq(krpc_procedure_kind(p), cases[i].kind);
		ck_assert_str_eq(krpc_procedure_class(p), cases[i].cls);
		ck_assert_str_eq(krpc_procedure_member(p), cases[i].member);
		ck_assert_str_eq(krpc_service_name(krpc_procedure_service(p)), "TestService");
	}
	p = proc(m, "TestService", "TestClass_GetValue");
	ck_assert_str_eq(krpc_parameter_name(krpc_procedure_param_at(p, 0)), "this");
	type_is(krpc_parameter_type(krpc_procedure_param_at(p, 0)), "class(TestService.TestClass)");
	krpc_services_free(m);
}
END_TEST

START_TEST(test_parameters_and_defaults)
{
	krpc_services_t *m = model();
	const krpc_procedure_t *p = proc(m, "TestService", "OptionalArguments");
	const krpc_parameter_t *x, *y, *obj;
	const uint8_t *data;
	size_t len;

	ck_assert_uint_eq(krpc_procedure_param_count(p), 4);
	type_is(krpc_procedure_return_type(p), "string");
	ck_assert(!krpc_procedure_return_nullable(p));
	x = krpc_procedure_param(p, "x");
	ck_assert(!krpc_parameter_has_default(x));
	ck_assert_ptr_null(krpc_parameter_default(x));
	ck_assert_ptr_null(krpc_parameter_default_data(x, &len));
	y = krpc_procedure_param(p, "y");
	ck_assert_uint_eq(krpc_parameter_position(y), 1);
	ck_assert(krpc_parameter_has_default(y));
	ck_assert_str_eq(krpc_value_str(krpc_parameter_default(y), NULL), "foo");
	data = krpc_parameter_default_data(y, &len);
	ck_assert_str_eq(unit_tohex(data, len), "03666f6f");
	obj = krpc_procedure_param(p, "obj");
	ck_assert(krpc_parameter_nullable(obj));
	ck_assert(krpc_parameter_default_is_null(obj));
	ck_assert(krpc_value_is_null(krpc_parameter_default(obj)));
	ck_assert_ptr_null(krpc_procedure_param(p, "nope"));

	/* A zero-length default is still a default (an empty list). */
	p = proc(m, "TestService", "EmptyListDefault");
	y = krpc_procedure_param_at(p, 0);
	ck_assert(krpc_parameter_has_default(y));
	ck_assert_ptr_nonnull(krpc_parameter_default_data(y, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(krpc_value_count(krpc_parameter_default(y)), 0);

	/* Special doubles: NaN and the infinities decode. */
	p = proc(m, "TestService", "DoubleSpecialDefaults");
	{
		double d;

		ck_assert_int_eq(krpc_value_as_double(krpc_parameter_default(krpc_procedure_param_at(p, 0)), &d), KRPC_OK);
		ck_assert(isnan(d));
		ck_assert_int_eq(krpc_value_as_double(krpc_parameter_default(krpc_procedure_param_at(p, 2)), &d), KRPC_OK);
		ck_assert(isinf(d) && d < 0);
	}
	/* Void procedures have no return type. */
	ck_assert_ptr_null(krpc_procedure_return_type(proc(m, "TestService", "set_StringProperty")));
	ck_assert(krpc_procedure_return_nullable(proc(m, "TestService", "EchoTestObject")));
	krpc_services_free(m);
}
END_TEST

START_TEST(test_structs_resolved)
{
	krpc_services_t *m = model();
	const krpc_service_t *s = krpc_services_find(m, "TestService");
	const krpc_struct_t *st = krpc_service_struct(s, "TestStruct");
	const krpc_procedure_t *p;
	const krpc_value_t *def;
	int32_t i;

	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(krpc_struct_field_count(st), 4);
	ck_assert_str_eq(krpc_struct_field_name(st, 1), "StringField");
	ck_assert_int_eq(krpc_struct_field_index(st, "ListField"), 3);
	ck_assert_int_eq(krpc_struct_field_index(st, "Nope"), -1);
	type_is(krpc_struct_field_type(st, 2), "enum(TestService.TestEnum)");
	type_is(krpc_struct_type(st),
	    "struct(TestService.TestStruct: sint32, string, enum(TestService.TestEnum), list(sint32))");
	/* Parameter, return and nested field types carry their fields. */
	p = proc(m, "TestService", "NestedStructEcho");
	type_is(krpc_procedure_return_type(p),
	    "struct(TestService.TestNestedStruct: struct(TestService.TestStruct: sint32, string, "
	    "enum(TestService.TestEnum), list(sint32)), class(TestService.TestClass), string)");
	p = proc(m, "TestService", "IncrementListOfStructs");
	ck_assert_uint_eq(krpc_type_count(krpc_type_sub(krpc_parameter_type(krpc_procedure_param_at(p, 0)), 0)), 4);
	/* Struct defaults decode through the resolved type. */
	def = krpc_parameter_default(krpc_procedure_param_at(proc(m, "TestService", "StructDefault"), 0));
	ck_assert_ptr_nonnull(def);
	ck_assert_int_eq(krpc_value_as_sint32(krpc_value_item(def, 0), &i), KRPC_OK);
	ck_assert_int_eq(i, 42);
	ck_assert_str_eq(krpc_value_str(krpc_value_item(def, 1), NULL), "jeb");
	ck_assert_uint_eq(krpc_value_count(krpc_value_item(def, 3)), 3);
	/* Deprecation of structs and fields. */
	st = krpc_service_struct(s, "DeprecatedStruct");
	ck_assert(krpc_struct_deprecated(st));
	ck_assert_str_eq(krpc_struct_deprecated_reason(st), "Use <see cref=\"T:TestService.TestStruct\" /> instead.");
	krpc_services_free(m);
}
END_TEST

START_TEST(test_resolve_user_types)
{
	krpc_services_t *m = model();
	krpc_type_t *t = krpc_type_parse("list(struct(TestService.TestStruct))", NULL, 0);

	ck_assert(krpc_services_unresolved(t));
	ck_assert_int_eq(krpc_services_resolve(m, t), KRPC_OK);
	ck_assert(!krpc_services_unresolved(t));
	ck_assert_uint_eq(krpc_type_count(krpc_type_sub(t, 0)), 4);
	krpc_type_free(t);
	t = krpc_type_parse("struct(TestService.NoSuchStruct)", NULL, 0);
	ck_assert_int_eq(krpc_services_resolve(m, t), KRPC_ERR_NOT_FOUND);
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_NOT_FOUND);
	krpc_type_free(t);
	ck_assert_int_eq(krpc_services_resolve(m, NULL), KRPC_ERR_ARG);
	krpc_services_free(m);
}
END_TEST

START_TEST(test_definitions)
{
	krpc_services_t *m = model();
	const krpc_service_t *s = krpc_services_find(m, "TestService");
	const krpc_enum_t *e = krpc_service_enum(s, "TestEnum");
	const krpc_class_t *c;
	const krpc_exception_t *x;
	int32_t v = -1;

	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(krpc_enum_value_count(e), 3);
	ck_assert_str_eq(krpc_enum_value_name(e, 2), "ValueC");
	ck_assert_int_eq(krpc_enum_value_at(e, 2), 2);
	ck_assert_str_eq(krpc_enum_value_doc(e, 0),
	    "<doc>\n<summary>\nEnum ValueA documentation string.\n</summary>\n</doc>");
	ck_assert_int_eq(krpc_enum_lookup(e, "ValueB", &v), KRPC_OK);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(krpc_enum_lookup(e, "ValueZ", &v), KRPC_ERR_NOT_FOUND);
	ck_assert_str_eq(krpc_enum_value_name_of(e, 0), "ValueA");
	ck_assert_ptr_null(krpc_enum_value_name_of(e, 7));
	ck_assert_str_eq(krpc_enum_value_name(e, 3), "");
	ck_assert(krpc_enum_deprecated(krpc_service_enum(s, "DeprecatedEnum")));

	c = krpc_service_class(s, "TestClass");
	ck_assert_str_eq(krpc_class_name(c), "TestClass");
	ck_assert_str_eq(krpc_class_doc(c), "<doc>\n<summary>\nClass documentation string.\n</summary>\n</doc>");
	ck_assert(!krpc_class_deprecated(c));
	c = krpc_service_class(s, "DeprecatedClass");
	ck_assert(krpc_class_deprecated(c));
	ck_assert_str_eq(krpc_class_deprecated_reason(c), "Use <see cref=\"T:TestService.TestClass\" /> instead.");
	ck_assert_uint_eq(krpc_service_class_count(s), 2);

	x = krpc_service_exception(s, "CustomException");
	ck_assert_str_eq(krpc_exception_name(x), "CustomException");
	ck_assert(!krpc_exception_deprecated(x));
	x = krpc_service_exception(s, "DeprecatedException");
	ck_assert_str_eq(krpc_exception_deprecated_reason(x), "Use CustomException instead.");
	ck_assert_uint_eq(krpc_service_exception_count(krpc_services_find(m, "KRPC")), 5);
	ck_assert_ptr_nonnull(krpc_service_enum(krpc_services_find(m, "KRPC"), "GameScene"));
	ck_assert_ptr_nonnull(krpc_service_class(krpc_services_find(m, "KRPC"), "Expression"));
	krpc_services_free(m);
}
END_TEST

/* ---- hand-built messages -------------------------------------------- */

/* Packs a one-service Services message around procs and structs. */
static krpc_services_t *
build(Krpc__Schema__Procedure **procs, size_t nprocs, Krpc__Schema__Struct **structs,
    size_t nstructs, krpc_code_t want)
{
	Krpc__Schema__Services all = KRPC__SCHEMA__SERVICES__INIT;
	Krpc__Schema__Service svc = KRPC__SCHEMA__SERVICE__INIT, *svcs[1] = { &svc };
	krpc_services_t *m = NULL;
	uint8_t *buf;
	size_t len;

	svc.name = "Svc";
	svc.n_procedures = nprocs;
	svc.procedures = procs;
	svc.n_structs = nstructs;
	svc.structs = structs;
	all.n_services = 1;
	all.services = svcs;
	len = krpc__schema__services__get_packed_size(&all);
	buf = malloc(len + 1);
	ck_assert_ptr_nonnull(buf);
	krpc__schema__services__pack(&all, buf);
	ck_assert_int_eq(krpc_services_parse(buf, len, &m), want);
	free(buf);
	return m;
}

START_TEST(test_old_style_default)
{
	Krpc__Schema__Type t = KRPC__SCHEMA__TYPE__INIT;
	Krpc__Schema__Parameter a = KRPC__SCHEMA__PARAMETER__INIT, *as[1] = { &a };
	Krpc__Schema__Procedure p = KRPC__SCHEMA__PROCEDURE__INIT, *ps[1] = { &p };
	uint8_t def[] = { 0x54 };	/* sint32 42, without has_default_value (v0.5/v0.6) */
	krpc_services_t *m;
	int32_t i;

	t.code = KRPC__SCHEMA__TYPE__TYPE_CODE__SINT32;
	a.name = "n";
	a.type = &t;
	a.default_value.data = def;
	a.default_value.len = 1;
	p.name = "Old";
	p.n_parameters = 1;
	p.parameters = as;
	m = build(ps, 1, NULL, 0, KRPC_OK);
	ck_assert(krpc_parameter_has_default(krpc_procedure_param_at(krpc_services_procedure(m, "Svc", "Old"), 0)));
	ck_assert_int_eq(krpc_value_as_sint32(krpc_parameter_default(krpc_procedure_param_at(
	    krpc_services_procedure(m, "Svc", "Old"), 0)), &i), KRPC_OK);
	ck_assert_int_eq(i, 42);
	ck_assert_ptr_null(krpc_procedure_return_type(krpc_services_procedure(m, "Svc", "Old")));
	krpc_services_free(m);
}
END_TEST

START_TEST(test_struct_cycle_rejected)
{
	Krpc__Schema__Type self = KRPC__SCHEMA__TYPE__INIT;
	Krpc__Schema__StructField f = KRPC__SCHEMA__STRUCT_FIELD__INIT, *fs[1] = { &f };
	Krpc__Schema__Struct s = KRPC__SCHEMA__STRUCT__INIT, *ss[1] = { &s };

	self.code = KRPC__SCHEMA__TYPE__TYPE_CODE__STRUCT;
	self.service = "Svc";
	self.name = "Loop";
	f.name = "me";
	f.type = &self;
	s.name = "Loop";
	s.n_fields = 1;
	s.fields = fs;
	ck_assert_ptr_null(build(NULL, 0, ss, 1, KRPC_ERR_MALFORMED));
	ck_assert_int_eq(krpc_error_code(), KRPC_ERR_MALFORMED);
}
END_TEST

START_TEST(test_bad_types_rejected)
{
	Krpc__Schema__Type bad = KRPC__SCHEMA__TYPE__INIT;
	Krpc__Schema__Parameter a = KRPC__SCHEMA__PARAMETER__INIT, *as[1] = { &a };
	Krpc__Schema__Procedure p = KRPC__SCHEMA__PROCEDURE__INIT, *ps[1] = { &p };

	p.name = "Bad";
	p.n_parameters = 1;
	p.parameters = as;
	a.name = "x";		/* no type at all */
	ck_assert_ptr_null(build(ps, 1, NULL, 0, KRPC_ERR_MALFORMED));
	bad.code = (Krpc__Schema__Type__TypeCode)77;	/* no such type code */
	a.type = &bad;
	ck_assert_ptr_null(build(ps, 1, NULL, 0, KRPC_ERR_MALFORMED));
	bad.code = KRPC__SCHEMA__TYPE__TYPE_CODE__STRUCT;	/* unknown structure */
	bad.service = "Svc";
	bad.name = "Missing";
	ck_assert_ptr_null(build(ps, 1, NULL, 0, KRPC_ERR_NOT_FOUND));
}
END_TEST

START_TEST(test_malformed_and_empty)
{
	static const uint8_t junk[] = { 0x0a, 0x05, 0x01 };
	krpc_services_t *m = (krpc_services_t *)1;

	ck_assert_int_eq(krpc_services_parse(junk, sizeof junk, &m), KRPC_ERR_MALFORMED);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(krpc_services_parse(junk, 0, &m), KRPC_OK);
	ck_assert_uint_eq(krpc_services_count(m), 0);
	ck_assert_ptr_null(krpc_services_procedure(m, "KRPC", "GetStatus"));
	krpc_services_free(m);
	krpc_services_free(NULL);
	/* Accessors tolerate NULL. */
	ck_assert_str_eq(krpc_service_name(NULL), "");
	ck_assert_uint_eq(krpc_procedure_param_count(NULL), 0);
	ck_assert_ptr_null(krpc_parameter_type(NULL));
	ck_assert_uint_eq(krpc_enum_value_count(NULL), 0);
	ck_assert_uint_eq(krpc_struct_field_count(NULL), 0);
}
END_TEST

static Suite *
services_suite(void)
{
	Suite *s = suite_create("services");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_service_list);
	tcase_add_test(tc, test_procedure_kinds);
	tcase_add_test(tc, test_parameters_and_defaults);
	tcase_add_test(tc, test_structs_resolved);
	tcase_add_test(tc, test_resolve_user_types);
	tcase_add_test(tc, test_definitions);
	tcase_add_test(tc, test_old_style_default);
	tcase_add_test(tc, test_struct_cycle_rejected);
	tcase_add_test(tc, test_bad_types_rejected);
	tcase_add_test(tc, test_malformed_and_empty);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(services_suite());
}
