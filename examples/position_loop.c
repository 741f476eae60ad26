/*
 * Streams, before streams (kRPC Python client documentation): print the
 * vessel's position in the frame of the body it orbits, one RPC per line.
 *     vessel = conn.space_center.active_vessel
 *     refframe = vessel.orbit.body.reference_frame
 *     while True:
 *         print(vessel.position(refframe))
 */
#include "example.h"
#include "SpaceCenter.h"

/* Prints the position --count times, one call each. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	SpaceCenter_Vessel vessel;
	SpaceCenter_Orbit orbit;
	SpaceCenter_CelestialBody body;
	SpaceCenter_ReferenceFrame refframe;
	SpaceCenter_Tuple3_double_double_double position;	/* a C struct: e0, e1, e2 */
	long i;

	ex_parse(argc, argv, &opts, "Prints the active vessel's position, calling for each line.",
	    EX_OPT_COUNT);
	conn = ex_connect(&opts, NULL);
	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_get_Orbit(conn, vessel, &orbit));
	EX_CHECK(SpaceCenter_Orbit_get_Body(conn, orbit, &body));
	EX_CHECK(SpaceCenter_CelestialBody_get_ReferenceFrame(conn, body, &refframe));
	for (i = 0; ex_more(&opts, i); i++) {
		EX_CHECK(SpaceCenter_Vessel_Position(conn, vessel, refframe, &position));
		ex_print_xyz(position.e0, position.e1, position.e2);	/* "(x, y, z)" */
	}
	krpc_client_close(conn);
	return 0;
}
