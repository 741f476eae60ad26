/*
 * Custom events (kRPC Python client documentation): an event that occurs
 * when the mean altitude exceeds 1000 m, evaluated by the server.
 *     flight = vessel.flight()
 *     mean_altitude = conn.get_call(getattr, flight, 'mean_altitude')
 *     expr = conn.krpc.Expression.greater_than(
 *         conn.krpc.Expression.call(mean_altitude),
 *         conn.krpc.Expression.constant_double(1000))
 *     event = conn.krpc.add_event(expr)
 *     with event.condition:
 *         event.wait()
 *         print('Altitude reached 1000m')
 * The expression is built with libkrpcmux's expression API; the KRPC stubs
 * (KRPC_Expression_static_GreaterThan() and so on) work the same way.
 */
#include <stdio.h>

#include "example.h"
#include "SpaceCenter.h"

/* Builds the expression, adds the event and waits for it. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	SpaceCenter_Vessel vessel;
	SpaceCenter_Flight flight;
	krpc_value_t *mean_altitude;
	uint64_t call, thousand, expr;
	krpc_event_t *event;

	ex_parse(argc, argv, &opts, "Waits until the active vessel is above 1000 m.", 0);
	conn = ex_connect(&opts, NULL);
	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_Flight(conn, vessel, SpaceCenter_Vessel_Flight_referenceFrame_DEFAULT,
	    &flight));
	/* The call as a message the server can evaluate, without running it here. */
	EX_CHECK(SpaceCenter_Flight_get_MeanAltitude_call(&mean_altitude, flight));
	EX_CHECK(krpc_expr_call(conn, mean_altitude, &call));
	EX_CHECK(krpc_expr_constant_double(conn, 1000.0, &thousand));
	EX_CHECK(krpc_expr_binary(conn, KRPC_EXPR_GREATER_THAN, call, thousand, &expr));
	krpc_value_free(mean_altitude);
	EX_CHECK(krpc_event_add(conn, expr, &event));
	{
		/* with event.condition: */
		KRPC_SCOPED_EVENT_LOCK krpc_event_t *held = krpc_event_lock_scoped(event);

		EX_CHECK(held != NULL ? KRPC_OK : krpc_error_code());
		EX_CHECK(krpc_event_wait(event, -1));
		printf("Altitude reached 1000m\n");
	}
	EX_CHECK(krpc_event_remove(event));
	krpc_client_close(conn);
	return 0;
}
