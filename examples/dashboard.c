/*
 * Demo client: streams a few flight values (mean altitude, vertical speed,
 * universal time, abort) at a given rate and prints one compact line per
 * second.  Several dashboards through krpcmuxd share one set of upstream
 * streams.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "example.h"
#include "SpaceCenter.h"

struct dashboard {
	krpc_stream_t	*altitude;
	krpc_stream_t	*vertical_speed;
	krpc_stream_t	*ut;
	krpc_stream_t	*abort_on;
};

/* Counts the stream updates the client receives. */
static void
count_update(krpc_client_t *client, void *ud)
{
	__atomic_add_fetch((unsigned long *)ud, 1, __ATOMIC_RELAXED);
}

/* Adds the streams and sets their rate. */
static void
dashboard_streams(krpc_client_t *conn, struct dashboard *d, float rate)
{
	SpaceCenter_Vessel vessel;
	SpaceCenter_Flight flight;
	SpaceCenter_Control control;
	SpaceCenter_CelestialBody body;
	SpaceCenter_Orbit orbit;
	SpaceCenter_ReferenceFrame frame;
	krpc_stream_t *all[4];
	size_t i;

	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_get_Orbit(conn, vessel, &orbit));
	EX_CHECK(SpaceCenter_Orbit_get_Body(conn, orbit, &body));
	EX_CHECK(SpaceCenter_CelestialBody_get_ReferenceFrame(conn, body, &frame));
	/* Vertical speed relative to the body, not to the vessel's own surface frame. */
	EX_CHECK(SpaceCenter_Vessel_Flight(conn, vessel, frame, &flight));
	EX_CHECK(SpaceCenter_Vessel_get_Control(conn, vessel, &control));
	EX_CHECK(SpaceCenter_Flight_get_MeanAltitude_stream(conn, &d->altitude, flight));
	EX_CHECK(SpaceCenter_Flight_get_VerticalSpeed_stream(conn, &d->vertical_speed, flight));
	EX_CHECK(SpaceCenter_get_UT_stream(conn, &d->ut));
	EX_CHECK(SpaceCenter_Control_get_Abort_stream(conn, &d->abort_on, control));
	all[0] = d->altitude, all[1] = d->vertical_speed, all[2] = d->ut, all[3] = d->abort_on;
	for (i = 0; i < 4; i++) {
		EX_CHECK(krpc_stream_set_rate(all[i], rate));
		EX_CHECK(krpc_stream_start(all[i], true));
	}
}

/* Prints one line. */
static void
dashboard_line(struct dashboard *d, long second, unsigned long updates)
{
	double alt = 0, vs = 0, ut = 0;
	bool abort_on = false;

	EX_CHECK(krpc_stream_get_double(d->altitude, &alt));
	EX_CHECK(krpc_stream_get_double(d->vertical_speed, &vs));
	EX_CHECK(krpc_stream_get_double(d->ut, &ut));
	EX_CHECK(krpc_stream_get_bool(d->abort_on, &abort_on));
	printf("t=%lds ut=%.2f alt=%.1fm vs=%.1fm/s abort=%s updates=%lu\n", second, ut, alt, vs,
	    abort_on ? "yes" : "no", updates);
}

/* Prints one line per second for --seconds seconds. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	struct dashboard d;
	krpc_client_t *conn;
	struct timespec next;
	unsigned long updates = 0;
	long second;

	ex_parse(argc, argv, &opts,
	    "Streams mean altitude, vertical speed, UT and abort; prints a line per second.",
	    EX_OPT_SECONDS | EX_OPT_RATE);
	conn = ex_connect(&opts, "dashboard");
	if (krpc_update_add_callback(conn, count_update, &updates) == 0)
		ex_check(krpc_error_code() != KRPC_OK ? krpc_error_code() : KRPC_ERR_ARG,
		    "adding the update callback");
	dashboard_streams(conn, &d, opts.rate);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (second = 1; opts.seconds < 0 || second <= (long)opts.seconds; second++) {
		next.tv_sec++;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		dashboard_line(&d, second, __atomic_load_n(&updates, __ATOMIC_RELAXED));
	}
	krpc_client_close(conn);	/* removes the streams with the connection */
	return 0;
}
