/*
 * The daemon's counters.  The list lives once, as STATS_COUNTERS in
 * krpcmuxd.h; it expands to the struct, this walk and the documentation.
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
