/*
 * Integration tests of the surface krpc-sim's services present to clients:
 * the GetServices description of TestService, Benchmark and SpaceCenter
 * (names, order, types, defaults, nullability, documentation, deprecation,
 * scenes), calls by numeric id, and Benchmark.Call with its errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svctest.h"

/* ---- Helpers ---------------------------------------------------------- */

/* The service description named name in a Services message, or NULL. */
static const Krpc__Schema__Service *
find_service(const Krpc__Schema__Services *all, const char *name)
{
	size_t i;

	for (i = 0; i < all->n_services; i++) {
		if (strcmp(all->services[i]->name, name) == 0)
			return all->services[i];
	}
	return NULL;
}

/* The procedure named name in a service description (NULL if absent). */
static const Krpc__Schema__Procedure *
find_proc(const Krpc__Schema__Service *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_procedures; i++) {
		if (strcmp(s->procedures[i]->name, name) == 0)
			return s->procedures[i];
	}
	return NULL;
}

/* KRPC.GetServices, unpacked (free with krpc__schema__services__free_unpacked). */
static Krpc__Schema__Services *
get_services(th_client_t *c)
{
	krpc_value_t *v = svt_call_ok(c, "services", "KRPC", "GetServices", 0);
	Krpc__Schema__Services *all;
	const uint8_t *data;
	size_t len = 0;

	data = krpc_value_data(v, &len);
	all = krpc__schema__services__unpack(NULL, len, data);
	ck_assert_msg(all != NULL, "GetServices: bad message");
	krpc_value_free(v);
	return all;
}

/* The documentation string of a summary text. */
static const char *
doc(const char *text)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "<doc>\n<summary>\n%s\n</summary>\n</doc>", text);
	return buf;
}

/* Hex of bytes (static storage). */
static const char *
hex(const uint8_t *p, size_t len)
{
	static char buf[256];
	size_t i;

	for (i = 0; i < len && i < 120; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	buf[2 * i] = '\0';
	return buf;
}

/* ---- The service descriptions ----------------------------------------- */

/* Checks a parameter's name, flags and default (hex; NULL: no default). */
static void
check_param(const Krpc__Schema__Procedure *p, size_t i, const char *name, bool nullable,
    const char *def, bool def_null)
{
	const Krpc__Schema__Parameter *q;

	ck_assert_msg(i < p->n_parameters, "%s has no parameter %zu", p->name, i);
	q = p->parameters[i];
	ck_assert_str_eq(q->name, name);
	ck_assert_msg(q->nullable == nullable, "%s.%s nullable", p->name, name);
	ck_assert_msg(q->has_default_value == (def != NULL || def_null), "%s.%s has_default_value",
	    p->name, name);
	ck_assert_msg(q->default_value_is_null == def_null, "%s.%s default_value_is_null", p->name,
	    name);
	if (def != NULL)
		ck_assert_str_eq(hex(q->default_value.data, q->default_value.len), def);
	else
		ck_assert_uint_eq(q->default_value.len, 0);
}

START_TEST(test_services_description)
{
	static const char *const some[][2] = {
		{ "0", "FloatToString" }, { "8", "CreateTestObject" }, { "15", "OptionalArguments" },
		{ "25", "BlockingProcedure" }, { "38", "Counter" }, { "48", "OnTimer" },
		{ "52", "DoubleSpecialDefaults" }, { "58", "get_StringProperty" },
		{ "68", "TestClass_GetValue" }, { "81", "DeprecatedClass_DeprecatedMethod" },
	};
	th_client_t *c = svt_cli();
	Krpc__Schema__Services *all = get_services(c);
	const Krpc__Schema__Service *s, *b, *sc;
	const Krpc__Schema__Procedure *p;
	size_t i;

	ck_assert_ptr_nonnull(find_service(all, "KRPC"));
	s = find_service(all, "TestService");
	b = find_service(all, "Benchmark");
	sc = find_service(all, "SpaceCenter");
	ck_assert(s != NULL && b != NULL && sc != NULL);
	ck_assert_uint_eq(all->n_services, 6);	/* and the sim's own Drawing and UI */

	ck_assert_str_eq(s->documentation, doc("Service documentation string."));
	ck_assert(!s->deprecated);
	ck_assert_uint_eq(s->n_procedures, 82);
	for (i = 0; i < sizeof(some) / sizeof(some[0]); i++)
		ck_assert_str_eq(s->procedures[atoi(some[i][0])]->name, some[i][1]);
	for (i = 0; i < s->n_procedures; i++)
		ck_assert_uint_eq(s->procedures[i]->n_game_scenes, 0);

	p = find_proc(s, "FloatToString");
	ck_assert_str_eq(p->documentation, doc("Procedure documentation string."));
	ck_assert(p->return_type != NULL && p->return_type->code == KRPC__SCHEMA__TYPE__TYPE_CODE__STRING);
	check_param(p, 0, "value", false, NULL, false);
	ck_assert_int_eq(p->parameters[0]->type->code, KRPC__SCHEMA__TYPE__TYPE_CODE__FLOAT);
	p = find_proc(s, "OptionalArguments");
	check_param(p, 0, "x", false, NULL, false);
	check_param(p, 1, "y", false, "03666f6f", false);
	check_param(p, 2, "z", false, "03626172", false);
	check_param(p, 3, "obj", true, NULL, true);
	p = find_proc(s, "EmptyListDefault");
	ck_assert(p->parameters[0]->has_default_value && p->parameters[0]->default_value.len == 0);
	p = find_proc(s, "StructDefault");
	check_param(p, 0, "x", false, "0a01540a04036a65620a01020a090a01020a01040a0106", false);
	ck_assert_int_eq(p->return_type->code, KRPC__SCHEMA__TYPE__TYPE_CODE__STRUCT);
	ck_assert_str_eq(p->return_type->service, "TestService");
	ck_assert_str_eq(p->return_type->name, "TestStruct");
	p = find_proc(s, "DoubleSpecialDefaults");
	ck_assert_str_eq(p->documentation, doc("Procedure whose defaults are the special values of double."));
	check_param(p, 1, "infinity", false, "000000000000f07f", false);
	check_param(p, 4, "lowest", false, "ffffffffffffefff", false);
	p = find_proc(s, "FloatSpecialDefaults");
	ck_assert_str_eq(p->documentation, doc("Procedure whose defaults are the special values of "
	    "float, plus a finite fraction\nthat no float can hold exactly."));
	check_param(p, 5, "fraction", false, "cdcccc3d", false);
	p = find_proc(s, "CounterStruct");
	ck_assert_str_eq(p->documentation, doc("Returns a struct whose IntField counts the number of "
	    "times it has been called,\nso that a stream on it changes on every update."));
	p = find_proc(s, "EchoTestObject");
	ck_assert(p->return_is_nullable);
	check_param(p, 0, "value", true, NULL, false);
	ck_assert_str_eq(p->parameters[0]->type->name, "TestClass");
	p = find_proc(s, "ResetCustomExceptionLater");
	ck_assert_ptr_null(p->return_type);
	p = find_proc(s, "DeprecatedProcedure");
	ck_assert(p->deprecated);
	ck_assert_str_eq(p->deprecated_reason, "Use <see cref=\"M:TestService.FloatToString\" /> instead.");
	p = find_proc(s, "DeprecatedProcedureNoMessage");
	ck_assert(p->deprecated);
	ck_assert_str_eq(p->deprecated_reason, "");
	p = find_proc(s, "set_DeprecatedProperty");
	ck_assert(p->deprecated);
	ck_assert_str_eq(p->documentation, doc("Deprecated property documentation string."));
	p = find_proc(s, "TestClass_get_IntProperty");
	ck_assert_str_eq(p->documentation, doc("Property documentation string."));
	check_param(p, 0, "this", false, NULL, false);
	ck_assert_ptr_null(find_proc(s, "get_StringPropertyPrivateGet"));

	ck_assert_uint_eq(s->n_classes, 2);
	ck_assert_str_eq(s->classes[0]->name, "TestClass");
	ck_assert_str_eq(s->classes[0]->documentation, doc("Class documentation string."));
	ck_assert(s->classes[1]->deprecated);
	ck_assert_str_eq(s->classes[1]->deprecated_reason, "Use <see cref=\"T:TestService.TestClass\" /> instead.");
	ck_assert_uint_eq(s->n_enumerations, 2);
	ck_assert_str_eq(s->enumerations[0]->name, "TestEnum");
	ck_assert_uint_eq(s->enumerations[0]->n_values, 3);
	ck_assert_str_eq(s->enumerations[0]->values[2]->name, "ValueC");
	ck_assert_int_eq(s->enumerations[0]->values[2]->value, 2);
	ck_assert_str_eq(s->enumerations[0]->values[1]->documentation, doc("Enum ValueB documentation string."));
	ck_assert(s->enumerations[1]->values[1]->deprecated);
	ck_assert_str_eq(s->enumerations[1]->values[1]->deprecated_reason,
	    "Use <see cref=\"M:TestService.DeprecatedEnum.ValueA\" /> instead.");
	ck_assert_uint_eq(s->n_structs, 3);
	ck_assert_str_eq(s->structs[0]->name, "TestStruct");
	ck_assert_uint_eq(s->structs[0]->n_fields, 4);
	ck_assert_str_eq(s->structs[0]->fields[3]->name, "ListField");
	ck_assert_str_eq(s->structs[0]->fields[0]->documentation, doc("Struct IntField documentation string."));
	ck_assert(s->structs[2]->fields[1]->deprecated);
	ck_assert_uint_eq(s->n_exceptions, 2);
	ck_assert_str_eq(s->exceptions[0]->name, "CustomException");
	ck_assert_str_eq(s->exceptions[0]->documentation, "");
	ck_assert(s->exceptions[1]->deprecated);
	ck_assert_str_eq(s->exceptions[1]->deprecated_reason, "Use CustomException instead.");

	/* Benchmark: one procedure; SpaceCenter: Flight-only procedures. */
	ck_assert_uint_eq(b->n_procedures, 1);
	ck_assert_str_eq(b->procedures[0]->name, "Call");
	ck_assert_int_eq(b->procedures[0]->parameters[0]->type->code,
	    KRPC__SCHEMA__TYPE__TYPE_CODE__PROCEDURE_CALL);
	ck_assert_int_eq(b->procedures[0]->return_type->code, KRPC__SCHEMA__TYPE__TYPE_CODE__DICTIONARY);
	ck_assert_ptr_nonnull(strstr(b->documentation, "Server-side benchmarking."));
	ck_assert_uint_ge(sc->n_procedures, 20);
	for (i = 0; i < sc->n_procedures; i++) {
		ck_assert_uint_eq(sc->procedures[i]->n_game_scenes, 1);
		ck_assert_int_eq(sc->procedures[i]->game_scenes[0], 1);
	}
	p = find_proc(sc, "Vessel_Flight");
	check_param(p, 1, "referenceFrame", true, NULL, true);
	p = find_proc(sc, "WarpTo");
	check_param(p, 1, "maxRailsRate", false, "0050c347", false);
	check_param(p, 2, "maxPhysicsRate", false, "00000040", false);
	ck_assert(find_proc(sc, "get_ActiveVessel")->return_is_nullable);
	krpc__schema__services__free_unpacked(all, NULL);
	th_client_close(c);
}
END_TEST

/* Calls a procedure by numeric ids with one argument; returns the Response. */
static Krpc__Schema__Response *
call_by_id(th_client_t *c, uint32_t service_id, uint32_t procedure_id, const krpc_value_t *arg)
{
	Krpc__Schema__ProcedureCall pc = KRPC__SCHEMA__PROCEDURE_CALL__INIT;
	Krpc__Schema__Argument a = KRPC__SCHEMA__ARGUMENT__INIT, *args[1] = { &a };
	krpc_buf_t val = KRPC_BUF_INIT, call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;

	pc.service_id = service_id;
	pc.procedure_id = procedure_id;
	if (arg != NULL) {
		krpc_value_write(arg, &val);
		a.value.data = val.data;
		a.value.len = val.len;
		pc.n_arguments = 1;
		pc.arguments = args;
	}
	ck_assert(krpc_buf_reserve(&call, krpc__schema__procedure_call__get_packed_size(&pc)));
	call.len = krpc__schema__procedure_call__pack(&pc, call.data);
	krpc_msg_request_add(&req, call.data, call.len);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&val);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
	return th_recv_response(c, 10.0);
}

START_TEST(test_procedure_ids)
{
	th_client_t *c = svt_cli();
	Krpc__Schema__Response *r;
	krpc_value_t *arg = krpc_value_sint32(42), *v;
	krpc_type_t *t = krpc_type_new(KRPC_TYPE_STRING);

	/* Id 3 is Int32ToString, id 69 TestClass_GetValue (TESTSERVICE.md). */
	r = call_by_id(c, 9999, 3, arg);
	ck_assert(r != NULL && r->error == NULL && r->n_results == 1);
	ck_assert(krpc_msg_result_value(r->results[0], t, &v, NULL, 0) == KRPC_OK);
	ck_assert_str_eq(krpc_value_str(v, NULL), "42");
	krpc_value_free(v);
	krpc__schema__response__free_unpacked(r, NULL);
	r = call_by_id(c, 9999, 62, NULL);
	ck_assert(r != NULL && r->error == NULL && r->n_results == 1);
	ck_assert(krpc_msg_result_value(r->results[0], t, &v, NULL, 0) == KRPC_OK);
	ck_assert_str_eq(krpc_value_str(v, NULL), "foo");
	krpc_value_free(v);
	krpc__schema__response__free_unpacked(r, NULL);
	r = call_by_id(c, 9999, 83, NULL);
	ck_assert(r != NULL && r->n_results == 1 && r->results[0]->error != NULL);
	ck_assert_str_eq(r->results[0]->error->description, "Procedure with id 83 not found");
	krpc__schema__response__free_unpacked(r, NULL);
	r = call_by_id(c, 9998, 1, NULL);
	ck_assert(r != NULL && r->n_results == 1 && r->results[0]->error != NULL);
	ck_assert_str_eq(r->results[0]->error->description,
	    "Argument not specified for parameter call in Benchmark.Call");
	krpc__schema__response__free_unpacked(r, NULL);
	krpc_value_free(arg);
	krpc_type_free(t);
	th_client_close(c);
}
END_TEST

/* ---- Benchmark -------------------------------------------------------- */

START_TEST(test_benchmark)
{
	th_client_t *c = svt_cli();
	krpc_value_t *v;
	struct svt_err e;
	double x, iterations = -1, ns = -1, zeros = 0;
	const char *k;
	size_t i;

	v = svt_call_ok(c, "dict(string, double)", "Benchmark", "Call", 2,
	    th_proc_call(TS, "Int32ToString", 1, krpc_value_sint32(42)), krpc_value_uint32(500));
	ck_assert_uint_eq(krpc_value_count(v), 6);
	for (i = 0; i < krpc_value_count(v); i++) {
		k = krpc_value_str(krpc_value_key(v, i), NULL);
		ck_assert(krpc_value_as_double(krpc_value_val(v, i), &x) == KRPC_OK);
		if (strcmp(k, "iterations") == 0)
			iterations = x;
		else if (strcmp(k, "nanoseconds_per_operation") == 0)
			ns = x;
		else if (strcmp(k, "seconds") == 0)
			ck_assert(x >= 0);
		else if (strcmp(k, "bytes_per_operation") == 0 || strcmp(k, "collections") == 0 ||
		    strcmp(k, "exact_allocations") == 0)
			zeros += x == 0;
		else
			ck_abort_msg("unexpected key %s", k);
	}
	ck_assert(iterations == 500);
	ck_assert(ns > 0);
	ck_assert(zeros == 3);
	krpc_value_free(v);

	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call("Nope", "Nothing", 0),
	    krpc_value_uint32(10));
	svt_check_err(&e, "", "", "Service \"Nope\" not found");
	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "Nothing", 0), krpc_value_uint32(10));
	svt_check_err(&e, "", "", "Procedure \"Nothing\" not found, in service \"TestService\"");
	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "ThrowInvalidOperationException", 0),
	    krpc_value_uint32(10));
	svt_check_err(&e, "KRPC", "ArgumentException",
	    "Call to TestService.ThrowInvalidOperationException failed: Invalid operation");
	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "BlockingProcedure", 1,
	    krpc_value_sint32(3)), krpc_value_uint32(10));
	svt_check_err(&e, "KRPC", "ArgumentException", "Procedure TestService.BlockingProcedure yields, "
	    "so it spans several updates and cannot be benchmarked in a loop");
	svt_call_err(&e, c, "Benchmark", "Call", 2, th_proc_call(TS, "Int32ToString", 1,
	    krpc_value_sint32(1)), krpc_value_uint32(0));
	svt_check_err(&e, "KRPC", "ArgumentException",
	    "Iterations must be at least one\nParameter name: iterations");
	/* The probe runs as the caller: a Counter call advances the caller's counter. */
	v = svt_call_ok(c, "dict(string, double)", "Benchmark", "Call", 2,
	    th_proc_call(TS, "Counter", 1, krpc_value_string("bench")), krpc_value_uint32(10));
	krpc_value_free(v);
	ck_assert_int_gt(svt_call_int(c, "sint32", TS, "Counter", 1, krpc_value_string("bench")), 11);
	th_client_close(c);
}
END_TEST

/* ---- Suite ------------------------------------------------------------ */

int
main(void)
{
	Suite *s = suite_create("sim_surface");
	TCase *tc;

	tc = svt_tcase(s, "surface", svt_setup, 60);
	tcase_add_test(tc, test_services_description);
	tcase_add_test(tc, test_procedure_ids);
	tcase_add_test(tc, test_benchmark);
	return svt_run(s);
}
