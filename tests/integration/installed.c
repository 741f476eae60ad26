/*
 * A program outside the tree, as a user writes one: test_install.sh copies
 * it next to the SpaceCenter stubs it generated with the installed
 * krpc-stubgen and builds it with pkg-config against the installed
 * libkrpcmux and libkrpcmux-stubs.  Usage: prog ADDRESS RPC_PORT STREAM_PORT
 * (a krpc-sim); exits 0 if every check holds, else prints the first failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <krpcmux/krpcmux.h>
#include <krpcmux/KRPC.h>
#include <krpcmux/TestService.h>
#include "SpaceCenter.h"

/* Exits with the library's message unless rc is KRPC_OK. */
static void
check(krpc_code_t rc, const char *what)
{
	if (rc == KRPC_OK)
		return;
	fprintf(stderr, "installed: %s: %s (%s)\n", what, krpc_code_str(rc), krpc_error_message());
	exit(1);
}

/* Exits with a message unless ok. */
static void
expect(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "installed: %s\n", what);
	exit(1);
}

/* The installed KRPC and TestService stubs: status, typed handles, tuples, structures. */
static void
test_service_stubs(krpc_client_t *c)
{
	KRPC_Status status;
	TestService_TestClass obj = TestService_TestClass_NULL;
	TestService_Tuple2_sint32_sint64 t = { 1, 2 }, back;
	TestService_TestStruct st;
	char *s = NULL;

	check(KRPC_GetStatus(c, &status), "KRPC_GetStatus");
	expect(strcmp(status.version, "0.7.0") == 0, "the server's version");
	KRPC_Status_free(&status);
	check(TestService_CreateTestObject(c, "installed", &obj), "CreateTestObject");
	expect(obj.id != 0, "a handle");
	check(TestService_TestClass_GetValue(c, obj, &s), "TestClass_GetValue");
	expect(strcmp(s, "value=installed") == 0, "the object's value");
	free(s);
	check(TestService_IncrementTuple(c, &t, &back), "IncrementTuple");
	expect(back.e0 == 2 && back.e1 == 3, "the tuple");
	check(TestService_StructDefault(c, NULL, &st), "StructDefault");
	expect(strcmp(st.StringField, "jeb") == 0, "the structure");
	TestService_TestStruct_free(&st);
}

/* Stubs generated for another service, a stream read under a scoped lock, the status. */
static void
test_generated_stubs(krpc_client_t *c)
{
	SpaceCenter_Vessel vessel;
	SpaceCenter_Orbit orbit;
	SpaceCenter_CelestialBody body;
	SpaceCenter_ReferenceFrame frame;
	SpaceCenter_Tuple3_double_double_double pos;
	krpc_stream_t *s;
	krpc_status_t st;
	double age = -1;

	check(SpaceCenter_get_ActiveVessel(c, &vessel), "get_ActiveVessel");
	check(SpaceCenter_Vessel_get_Orbit(c, vessel, &orbit), "get_Orbit");
	check(SpaceCenter_Orbit_get_Body(c, orbit, &body), "get_Body");
	check(SpaceCenter_CelestialBody_get_ReferenceFrame(c, body, &frame), "get_ReferenceFrame");
	check(SpaceCenter_Vessel_Position_stream(c, &s, vessel, frame), "Position_stream");
	{
		KRPC_SCOPED_LOCK krpc_stream_t *held = krpc_stream_lock_scoped(s);

		expect(held != NULL, "locking the stream");
		check(SpaceCenter_Tuple3_double_double_double_stream_get(s, &pos), "reading the position");
		check(krpc_stream_age(s, &age), "the value's age");
	}
	expect(pos.e1 > 600000.0 && age >= 0, "the position on the pad");
	check(krpc_stream_remove(s), "removing the stream");
	check(krpc_client_status(c, &st), "krpc_client_status");
	expect(st.rpcs_executed > 0, "the status counters");
	krpc_status_free(&st);
}

int
main(int argc, char **argv)
{
	krpc_client_t *c = NULL;
	krpc_value_t *v;
	double d;

	if (argc != 4) {
		fprintf(stderr, "usage: %s ADDRESS RPC_PORT STREAM_PORT\n", argv[0]);
		return 2;
	}
	check(krpc_connect(&c, "installed", argv[1], atoi(argv[2]), atoi(argv[3])), "connecting");
	test_service_stubs(c);
	test_generated_stubs(c);
	/* The value functions of the shared library record their failures too. */
	v = krpc_value_string("x");
	expect(krpc_value_as_double(v, &d) == KRPC_ERR_TYPE, "a typed read of a string");
	expect(strcmp(krpc_error_message(), "a STRING value read as double") == 0, krpc_error_message());
	krpc_value_free(v);
	krpc_client_close(c);
	return 0;
}
