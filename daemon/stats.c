/*
 * The daemon's counters.  The list lives once, as STATS_COUNTERS in
 * krpcmuxd.h; it expands to the struct, this walk and the documentation.
 * Also the request latency histogram the metrics export.
 */
#include "config.h"

#include "krpcmuxd.h"

struct stats stats;

/* Calls fn for each counter in declaration order. */
void
stats_foreach(void (*fn)(const char *, const char *, uint64_t, void *), void *arg)
{
#define STATS_CALL(name, help) fn(#name, help, stats.name, arg);
	STATS_COUNTERS(STATS_CALL)
#undef STATS_CALL
}

/* Upper bounds of the latency buckets, in seconds: 100 us to 10 s. */
const double stats_latency_bounds[STATS_LATENCY_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10,
};

struct stats_latency stats_latency;

/* Records one request's latency: a few comparisons, no allocation. */
void
stats_observe_latency(double seconds)
{
	size_t i;

	if (seconds < 0)
		seconds = 0;
	for (i = 0; i < STATS_LATENCY_BUCKETS && seconds > stats_latency_bounds[i]; i++)
		continue;
	stats_latency.counts[i]++;
	stats_latency.count++;
	stats_latency.sum += seconds;
}
