/*
 * krpc-sim: the Benchmark service (placeholder until its tables land).
 */
#include "sim.h"

const struct sim_service sim_service_benchmark = {
	.name = "Benchmark",
	.id = 9998,
};
