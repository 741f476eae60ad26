/*
 * Streams (kRPC Python client documentation): the position loop, reading a
 * stream that the server updates instead of calling each time.
 *     refframe = vessel.orbit.body.reference_frame
 *     position = conn.add_stream(vessel.position, refframe)
 *     while True:
 *         print(position())
 */
#include "example.h"
#include "SpaceCenter.h"

/* Prints the position --count times from a stream. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	SpaceCenter_Vessel vessel;
	SpaceCenter_Orbit orbit;
	SpaceCenter_CelestialBody body;
	SpaceCenter_ReferenceFrame refframe;
	krpc_stream_t *position;
	SpaceCenter_Tuple3_double_double_double value;
	long i;

	ex_parse(argc, argv, &opts, "Prints the active vessel's position from a stream.",
	    EX_OPT_COUNT);
	conn = ex_connect(&opts, NULL);
	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_get_Orbit(conn, vessel, &orbit));
	EX_CHECK(SpaceCenter_Orbit_get_Body(conn, orbit, &body));
	EX_CHECK(SpaceCenter_CelestialBody_get_ReferenceFrame(conn, body, &refframe));
	EX_CHECK(SpaceCenter_Vessel_Position_stream(conn, &position, vessel, refframe));
	for (i = 0; ex_more(&opts, i); i++) {
		/* The first read starts the stream and waits for its first value. */
		EX_CHECK(SpaceCenter_Tuple3_double_double_double_stream_get(position, &value));
		ex_print_xyz(value.e0, value.e1, value.e2);
	}
	EX_CHECK(krpc_stream_remove(position));
	krpc_client_close(conn);
	return 0;
}
