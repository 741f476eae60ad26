/*
 * Launches the active vessel: full throttle, then the first stage.  Not one
 * of the documentation's examples; the demo (scripts/demo.sh) uses it to
 * give the dashboards something to watch.
 *     vessel = conn.space_center.active_vessel
 *     vessel.control.throttle = 1
 *     vessel.control.activate_next_stage()
 */
#include <stdio.h>

#include "example.h"
#include "SpaceCenter.h"

/* Sets full throttle and stages. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	SpaceCenter_Vessel vessel;
	SpaceCenter_Control control;
	krpc_value_t *created = NULL;

	ex_parse(argc, argv, &opts, "Launches the active vessel (full throttle, next stage).", 0);
	conn = ex_connect(&opts, "launch");
	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_get_Control(conn, vessel, &control));
	EX_CHECK(SpaceCenter_Control_set_Throttle(conn, control, 1.0f));
	EX_CHECK(SpaceCenter_Control_ActivateNextStage(conn, control, &created));
	krpc_value_free(created);
	printf("Launched\n");
	krpc_client_close(conn);
	return 0;
}
