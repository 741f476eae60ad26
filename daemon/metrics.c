/*
 * The daemon's state as Prometheus text exposition (format 0.0.4), for the
 * admin command "metrics" and node_exporter's textfile collector: gauges of
 * what is connected now, every counter of STATS_COUNTERS as a _total, and
 * the request latency histogram.  Reads the modules below; nothing calls up.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "krpcmuxd.h"

#define METRICS_PREFIX	"krpcmux_"

/* Appends text with the characters the format escapes: backslash, newline and, in labels, '"'. */
static void
metrics_escaped(krpc_buf_t *out, const char *s, bool label)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			krpc_buf_append(out, "\\\\", 2);
		else if (*s == '\n')
			krpc_buf_append(out, "\\n", 2);
		else if (*s == '"' && label)
			krpc_buf_append(out, "\\\"", 2);
		else
			krpc_buf_byte(out, (uint8_t)*s);
	}
}

/* The # HELP and # TYPE lines of a metric family. */
static void
metrics_family(krpc_buf_t *out, const char *name, const char *type, const char *help)
{
	krpc_buf_printf(out, "# HELP " METRICS_PREFIX "%s ", name);
	metrics_escaped(out, help, false);
	krpc_buf_printf(out, "\n# TYPE " METRICS_PREFIX "%s %s\n", name, type);
}

/* One sample with an optional label (label NULL: none). */
static void
metrics_sample(krpc_buf_t *out, const char *name, const char *label, const char *lvalue,
    const char *value)
{
	krpc_buf_printf(out, METRICS_PREFIX "%s", name);
	if (label != NULL) {
		krpc_buf_printf(out, "{%s=\"", label);
		metrics_escaped(out, lvalue, true);
		krpc_buf_append(out, "\"}", 2);
	}
	krpc_buf_printf(out, " %s\n", value);
}

/* A family of one unlabelled integer sample. */
static void
metrics_uint(krpc_buf_t *out, const char *name, const char *type, const char *help,
    uint64_t value)
{
	char num[32];

	snprintf(num, sizeof num, "%" PRIu64, value);
	metrics_family(out, name, type, help);
	metrics_sample(out, name, NULL, NULL, num);
}

/* A family of one unlabelled real gauge. */
static void
metrics_real(krpc_buf_t *out, const char *name, const char *help, double value)
{
	char num[64];

	snprintf(num, sizeof num, "%.17g", value);
	metrics_family(out, name, "gauge", help);
	metrics_sample(out, name, NULL, NULL, num);
}

/* One counter of STATS_COUNTERS as NAME_total. */
static void
metrics_counter(const char *name, const char *help, uint64_t value, void *arg)
{
	char full[96];

	snprintf(full, sizeof full, "%s_total", name);
	metrics_uint(arg, full, "counter", help, value);
}

/* The stream table by kind. */
static void
metrics_streams(krpc_buf_t *out)
{
	static const char *const kinds[] = { "shared", "owned", "local" };
	static const enum entry_kind values[] = { ENTRY_SHARED, ENTRY_OWNED, ENTRY_LOCAL };
	char num[32];
	size_t i;

	metrics_family(out, "streams", "gauge", "Stream table entries by kind: shared (AddStream "
	    "deduplicated across clients), owned (one client's), local (answered by the proxy).");
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		snprintf(num, sizeof num, "%zu", streamtab_count(values[i]));
		metrics_sample(out, "streams", "kind", kinds[i], num);
	}
	metrics_uint(out, "subscriptions", "gauge", "Clients' subscriptions to stream table entries.",
	    streamtab_subs());
}

/* The upstream session: up, its state as a set of 0/1 series, its gauges. */
static void
metrics_upstream(krpc_buf_t *out)
{
	struct upstream_snapshot u;
	const char *name;
	size_t i;

	upstream_snapshot(&u);
	metrics_uint(out, "upstream_up", "gauge", "1 if the session with the game's kRPC server is "
	    "ready, else 0.", upstream_ready() ? 1 : 0);
	metrics_family(out, "upstream_state", "gauge", "The upstream session's state: 1 for the "
	    "current one.");
	for (i = 0; (name = upstream_state_name(i)) != NULL; i++)
		metrics_sample(out, "upstream_state", "state", name, strcmp(name, u.state) == 0 ? "1" : "0");
	metrics_real(out, "upstream_connected_seconds", "Seconds the current session has been "
	    "ready (0 when it is not).", u.connected_for);
	metrics_uint(out, "upstream_in_flight", "gauge", "Requests sent upstream and not yet "
	    "answered, every lane.", u.in_flight);
	metrics_uint(out, "upstream_slow_lanes", "gauge", "Slow lanes open.", u.slow_lanes);
}

/* The latency histogram: cumulative buckets, +Inf, sum and count. */
static void
metrics_latency(krpc_buf_t *out)
{
	static const char *const name = "request_duration_seconds";
	uint64_t cumulative = 0;
	char le[32], num[64];
	size_t i;

	metrics_family(out, name, "histogram", "Seconds from a client's request arriving to its "
	    "response being written, per request (a request carries one or more calls).");
	for (i = 0; i < STATS_LATENCY_BUCKETS; i++) {
		cumulative += stats_latency.counts[i];
		snprintf(le, sizeof le, "%g", stats_latency_bounds[i]);
		snprintf(num, sizeof num, "%" PRIu64, cumulative);
		krpc_buf_printf(out, METRICS_PREFIX "%s_bucket{le=\"%s\"} %s\n", name, le, num);
	}
	krpc_buf_printf(out, METRICS_PREFIX "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name,
	    stats_latency.count);
	krpc_buf_printf(out, METRICS_PREFIX "%s_sum %.17g\n", name, stats_latency.sum);
	krpc_buf_printf(out, METRICS_PREFIX "%s_count %" PRIu64 "\n", name, stats_latency.count);
}

/* Writes every metric; uptime in seconds. */
void
metrics_write(krpc_buf_t *out, double uptime)
{
	metrics_family(out, "build_info", "gauge", "Always 1; the version is a label.");
	metrics_sample(out, "build_info", "version", PACKAGE_VERSION, "1");
	metrics_real(out, "uptime_seconds", "Seconds since krpcmuxd started.", uptime);
	metrics_uint(out, "clients", "gauge", "Clients connected and past their handshake.",
	    client_count());
	metrics_streams(out);
	metrics_upstream(out);
	stats_foreach(metrics_counter, out);
	metrics_latency(out);
	xbuf_check(out);
}
