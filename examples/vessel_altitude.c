/*
 * Interacting with the server (kRPC Python client documentation): name the
 * active vessel and print its altitude above sea level.
 *     vessel = conn.space_center.active_vessel
 *     vessel.name = "My Vessel"
 *     flight_info = vessel.flight()
 *     print(flight_info.mean_altitude)
 */
#include <stdio.h>

#include "example.h"
#include "SpaceCenter.h"

/* Names the vessel and prints its altitude. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	SpaceCenter_Vessel vessel;
	SpaceCenter_Flight flight_info;
	double mean_altitude;
	char buf[64];

	ex_parse(argc, argv, &opts, "Names the active vessel and prints its mean altitude.", 0);
	conn = ex_connect(&opts, NULL);
	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_set_Name(conn, vessel, "My Vessel"));
	/* vessel.flight(): the reference frame parameter left at its default (null). */
	EX_CHECK(SpaceCenter_Vessel_Flight(conn, vessel, SpaceCenter_Vessel_Flight_referenceFrame_DEFAULT,
	    &flight_info));
	EX_CHECK(SpaceCenter_Flight_get_MeanAltitude(conn, flight_info, &mean_altitude));
	printf("%s\n", ex_repr_double(mean_altitude, buf, sizeof buf));
	krpc_client_close(conn);
	return 0;
}
