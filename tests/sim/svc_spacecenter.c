/*
 * krpc-sim: the SpaceCenter service (placeholder until its tables land).
 */
#include "sim.h"

const struct sim_service sim_service_spacecenter = {
	.name = "SpaceCenter",
	.id = 2,
};
