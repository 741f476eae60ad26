/*
 * krpc-sim: the TestService service (placeholder until its tables land).
 */
#include "sim.h"

const struct sim_service sim_service_test = {
	.name = "TestService",
	.id = 9999,
};
