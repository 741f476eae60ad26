/*
 * Streams, scoped (kRPC Python client documentation): the stream is removed
 * when the block that holds it ends, like Python's "with".
 *     refframe = vessel.orbit.body.reference_frame
 *     with conn.stream(vessel.position, refframe) as position:
 *         while True:
 *             print(position())
 */
#include "example.h"
#include "SpaceCenter.h"

/* Prints the position --count times from a scoped stream. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	SpaceCenter_Vessel vessel;
	SpaceCenter_Orbit orbit;
	SpaceCenter_CelestialBody body;
	SpaceCenter_ReferenceFrame refframe;
	SpaceCenter_Tuple3_double_double_double value;
	long i;

	ex_parse(argc, argv, &opts, "Prints the active vessel's position from a scoped stream.",
	    EX_OPT_COUNT);
	conn = ex_connect(&opts, NULL);
	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_get_Orbit(conn, vessel, &orbit));
	EX_CHECK(SpaceCenter_Orbit_get_Body(conn, orbit, &body));
	EX_CHECK(SpaceCenter_CelestialBody_get_ReferenceFrame(conn, body, &refframe));
	{
		/* with conn.stream(vessel.position, refframe) as position: */
		KRPC_SCOPED_STREAM krpc_stream_t *position = NULL;

		EX_CHECK(SpaceCenter_Vessel_Position_stream(conn, &position, vessel, refframe));
		for (i = 0; ex_more(&opts, i); i++) {
			EX_CHECK(SpaceCenter_Tuple3_double_double_double_stream_get(position, &value));
			ex_print_xyz(value.e0, value.e1, value.e2);
		}
	}	/* position is removed here */
	krpc_client_close(conn);
	return 0;
}
