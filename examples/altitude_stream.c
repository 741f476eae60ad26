/*
 * Streams of properties (kRPC Python client documentation): a stream of
 * the flight's mean altitude, the C form of Python's getattr stream.
 *     altitude = conn.add_stream(getattr, vessel.flight(), 'mean_altitude')
 *     while True:
 *         print(altitude())
 */
#include <stdio.h>

#include "example.h"
#include "SpaceCenter.h"

/* Prints the altitude stream --count times. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	SpaceCenter_Vessel vessel;
	SpaceCenter_Flight flight;
	krpc_stream_t *altitude;
	double value;
	char buf[64];
	long i;

	ex_parse(argc, argv, &opts, "Prints the active vessel's mean altitude from a stream.",
	    EX_OPT_COUNT);
	conn = ex_connect(&opts, NULL);
	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_Flight(conn, vessel, SpaceCenter_Vessel_Flight_referenceFrame_DEFAULT,
	    &flight));
	/* A property getter is a procedure like any other (Flight_get_MeanAltitude). */
	EX_CHECK(SpaceCenter_Flight_get_MeanAltitude_stream(conn, &altitude, flight));
	for (i = 0; ex_more(&opts, i); i++) {
		EX_CHECK(krpc_stream_get_double(altitude, &value));
		printf("%s\n", ex_repr_double(value, buf, sizeof buf));
	}
	EX_CHECK(krpc_stream_remove(altitude));
	krpc_client_close(conn);
	return 0;
}
