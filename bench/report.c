/*
 * The benchmark's report: the machine, the latency and fan-out tables, the
 * ratios and whether the targets are met, as aligned text for the terminal
 * or as Markdown to paste into docs/benchmarks.md.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define REPORT_COLS	14
#define REPORT_CELL	40
#define REPORT_ROWS	64

/* Target for fan-out: 1000 clients "well under one core", taken as under half a core. */
#define REPORT_FANOUT_CLIENTS	1000
#define REPORT_FANOUT_CORES	0.5

struct report_table {
	size_t	 ncols;
	size_t	 nrows;
	char	 head[REPORT_COLS][REPORT_CELL];
	char	 cell[REPORT_ROWS][REPORT_COLS][REPORT_CELL];
	bool	 right[REPORT_COLS];	/* numbers are right-aligned in text */
};

/* Formats a number with a given precision, "-" for NaN. */
static const char *
report_num(char *buf, size_t len, double v, int prec)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", prec, v);
	return buf;
}

/* Adds a column. */
static void
report_col(struct report_table *t, const char *head, bool right)
{
	if (t->ncols == REPORT_COLS)
		return;
	snprintf(t->head[t->ncols], REPORT_CELL, "%s", head);
	t->right[t->ncols++] = right;
}

/* Sets a cell of the last row (row added with report_row). */
static void
report_set(struct report_table *t, size_t col, const char *text)
{
	if (t->nrows > 0 && col < t->ncols)
		snprintf(t->cell[t->nrows - 1][col], REPORT_CELL, "%s", text);
}

/* Sets a numeric cell of the last row. */
static void
report_setn(struct report_table *t, size_t col, double v, int prec)
{
	char buf[REPORT_CELL];

	report_set(t, col, report_num(buf, sizeof buf, v, prec));
}

/* Starts a row; false if the table is full. */
static bool
report_row(struct report_table *t)
{
	if (t->nrows == REPORT_ROWS)
		return false;
	memset(t->cell[t->nrows++], 0, sizeof t->cell[0]);
	return true;
}

/* Writes a table, aligned (text) or as a Markdown pipe table. */
static void
report_table_write(FILE *f, const struct report_table *t, bool md)
{
	size_t w[REPORT_COLS] = { 0 }, r, c;

	for (c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->head[c]);
		for (r = 0; r < t->nrows; r++)
			if (strlen(t->cell[r][c]) > w[c])
				w[c] = strlen(t->cell[r][c]);
	}
	for (c = 0; c < t->ncols; c++) {
		if (md)
			fprintf(f, "| %s ", t->head[c]);
		else
			fprintf(f, t->right[c] ? "%*s  " : "%-*s  ", (int)w[c], t->head[c]);
	}
	fputs(md ? "|\n" : "\n", f);
	for (c = 0; c < t->ncols; c++)
		fputs(md ? (t->right[c] ? "|---:" : "|---") : "", f);
	if (md)
		fputs("|\n", f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (md)
				fprintf(f, "| %s ", t->cell[r][c]);
			else
				fprintf(f, t->right[c] ? "%*s  " : "%-*s  ", (int)w[c], t->cell[r][c]);
		}
		fputs(md ? "|\n" : "\n", f);
	}
}

/* Writes a heading. */
static void
report_heading(FILE *f, bool md, const char *text)
{
	if (md)
		fprintf(f, "\n### %s\n\n", text);
	else
		fprintf(f, "\n== %s ==\n", text);
}

/* The machine section. */
static void
report_machine(FILE *f, const struct report *r, bool md)
{
	const struct machine *m = &r->machine;
	const char *b = md ? "- " : "  ";
	size_t i;

	report_heading(f, md, "Machine");
	fprintf(f, "%sCPU: %s, %d cores online, %s memory\n", b, m->cpu, m->cores, m->memory);
	fprintf(f, "%sKernel: %s\n", b, m->kernel);
	fprintf(f, "%sLoad averages (1, 5, 15 min): %s before, %s after\n", b, m->load_before,
	    m->load_after);
	fprintf(f, "%sDate: %s\n", b, m->date);
	fprintf(f, "%sPriority (nice) of the benchmark and every process it started: %d\n", b, m->nice);
	if (m->realtime > 0)
		fprintf(f, "%sScheduling: SCHED_FIFO at priority %d (other load ran only while the "
		    "benchmark's processes waited)\n", b, m->realtime);
	if (procs_daemon_realtime() > 0)
		fprintf(f, "%skrpcmuxd alone under SCHED_FIFO at priority %d\n", b,
		    procs_daemon_realtime());
	if (procs_conf_name() != NULL)
		fprintf(f, "%skrpcmuxd configuration: %s\n", b, procs_conf_name());
	for (i = 0; i < r->nconc && strstr(r->conc[i].server, "--spin") == NULL; i++)
		continue;
	if (i < r->nconc)
		fprintf(f, "%skrpc-sim --spin: %s\n", b, procs_sim_spin_args());
}

/* The latency table. */
static void
report_latency(FILE *f, const struct report *r, bool md)
{
	static struct report_table t;
	const struct lat_row *l;
	size_t i;

	memset(&t, 0, sizeof t);
	report_heading(f, md, "Round-trip latency (krpc-sim --no-pacing), microseconds");
	fprintf(f, "%d round%s of %zu sequential calls of each procedure on each path, one connection "
	    "per path, the paths taking turns every %d calls; each figure is its median over the "
	    "rounds.\n\n", r->lat_rounds, r->lat_rounds == 1 ? "" : "s", r->calls, RUN_LAT_BLOCK);
	report_col(&t, "Call", false);
	report_col(&t, "Path", false);
	report_col(&t, "Median", true);
	report_col(&t, "p99", true);
	report_col(&t, "Added (median)", true);
	report_col(&t, "Added (p99)", true);
	report_col(&t, "Added / socat's", true);
	report_col(&t, "Forwarder CPU µs/call", true);
	for (i = 0; i < r->nlat && report_row(&t); i++) {
		l = &r->lat[i];
		report_set(&t, 0, l->proc);
		report_set(&t, 1, l->path);
		report_setn(&t, 2, l->median_us, 1);
		report_setn(&t, 3, l->p99_us, 1);
		report_setn(&t, 4, l->added_us, 1);
		report_setn(&t, 5, l->added_p99_us, 1);
		report_setn(&t, 6, l->vs_socat, 2);
		report_setn(&t, 7, l->cpu_us, 1);
	}
	report_table_write(f, &t, md);
}

static void	report_fanout_failed(FILE *, const struct report *, const char *, bool);

/* The fan-out tables, one per suite. */
static void
report_fanout(FILE *f, const struct report *r, bool md)
{
	static struct report_table t;
	const struct fanout_result *x;
	char head[256];
	size_t i = 0;

	while (i < r->nfan) {
		const char *suite = r->fan[i].suite;

		memset(&t, 0, sizeof t);
		snprintf(head, sizeof head, "Stream fan-out (%s)", suite);
		report_heading(f, md, head);
		fprintf(f, "%d round%s of a %.1f s window per row; each figure is its median over the "
		    "rounds (server streams and anomalies: the highest). CPU in %% of one core; "
		    "values counted over all of a client's streams.\n\n", r->fan_rounds,
		    r->fan_rounds == 1 ? "" : "s", r->window);
		report_col(&t, "Clients", true);
		report_col(&t, "Path", false);
		report_col(&t, "Values/s", true);
		report_col(&t, "Per client/s", true);
		report_col(&t, "Slowest/s", true);
		report_col(&t, "Proxy CPU %", true);
		report_col(&t, "Proxy µs/value", true);
		report_col(&t, "Server streams", true);
		report_col(&t, "Server evals/s", true);
		report_col(&t, "Server CPU %", true);
		report_col(&t, "Clients' CPU %", true);
		report_col(&t, "Spread ms (med)", true);
		report_col(&t, "Spread ms (p99)", true);
		report_col(&t, "Anomalies", true);
		for (; i < r->nfan && r->fan[i].suite == suite && report_row(&t); i++) {
			x = &r->fan[i].r;
			report_setn(&t, 0, (double)x->clients, 0);
			report_set(&t, 1, r->fan[i].path);
			report_setn(&t, 2, x->values_per_s, 0);
			report_setn(&t, 3, x->per_client_per_s, 1);
			report_setn(&t, 4, x->min_client_per_s, 1);
			report_setn(&t, 5, x->proxy_cpu * 100, 1);
			report_setn(&t, 6, x->proxy_us_per_value, 2);
			report_setn(&t, 7, (double)x->stream_rpcs, 0);
			report_setn(&t, 8, x->evals_per_s, 0);
			report_setn(&t, 9, x->sim_cpu * 100, 1);
			report_setn(&t, 10, x->gen_cpu * 100, 1);
			report_setn(&t, 11, x->spread_med_ms, 2);
			report_setn(&t, 12, x->spread_p99_ms, 2);
			report_setn(&t, 13, (double)x->anomalies, 0);
		}
		report_table_write(f, &t, md);
		report_fanout_failed(f, r, suite, md);
	}
}

/* Says which rows of a suite's table had runs that failed ("-": every round did). */
static void
report_fanout_failed(FILE *f, const struct report *r, const char *suite, bool md)
{
	const struct fan_row *row;
	size_t i, n = 0;

	for (i = 0; i < r->nfan; i++) {
		row = &r->fan[i];
		if (row->suite != suite || row->r.failed == 0)
			continue;
		if (n++ == 0 && md)
			fputc('\n', f);	/* a list, not a row of the table */
		fprintf(f, "%s%zu clients, %s: %d of %d run%s failed (the server stopped answering "
		    "or a client could not connect); the figures are those of the other rounds.\n",
		    md ? "- " : "  ", row->r.clients, row->path, row->r.failed, r->fan_rounds,
		    r->fan_rounds == 1 ? "" : "s");
	}
	if (n > 0)
		fputc('\n', f);
}

/* The concurrent-call tables, one per server. */
static void
report_concurrent(FILE *f, const struct report *r, bool md)
{
	static struct report_table t;
	const struct conc_row *c;
	char head[160];
	size_t i = 0;

	while (i < r->nconc) {
		const char *server = r->conc[i].server;

		memset(&t, 0, sizeof t);
		snprintf(head, sizeof head, "Concurrent calls (TestService.FloatToString; %s)", server);
		report_heading(f, md, head);
		fprintf(f, "N client processes, one RPC connection each, calling in a loop; %d round%s "
		    "of a %.1f s window per row, the paths taking turns; each figure is its median over "
		    "the rounds, \"x direct\" and \"p99 added\" are taken within a round.\n\n",
		    r->conc_rounds, r->conc_rounds == 1 ? "" : "s", r->conc_window);
		report_col(&t, "Clients", true);
		report_col(&t, "Path", false);
		report_col(&t, "Calls/s", true);
		report_col(&t, "x direct", true);
		report_col(&t, "p50 µs", true);
		report_col(&t, "p99 µs", true);
		report_col(&t, "p99 added µs", true);
		for (; i < r->nconc && r->conc[i].server == server && report_row(&t); i++) {
			c = &r->conc[i];
			report_setn(&t, 0, (double)c->clients, 0);
			report_set(&t, 1, c->path);
			report_setn(&t, 2, c->calls_per_s, 0);
			report_setn(&t, 3, c->proxy ? c->ratio : NAN, 2);
			report_setn(&t, 4, c->p50_us, 0);
			report_setn(&t, 5, c->p99_us, 0);
			report_setn(&t, 6, c->proxy ? c->p99_added_us : NAN, 0);
		}
		report_table_write(f, &t, md);
	}
}

/* The direct row of a server at a client count, or NULL. */
static const struct conc_row *
report_conc_direct(const struct report *r, int server, size_t clients)
{
	size_t i;

	for (i = 0; i < r->nconc; i++) {
		if (!r->conc[i].proxy && r->conc[i].clients == clients &&
		    strcmp(r->conc[i].server, crun_server_names[server]) == 0)
			return &r->conc[i];
	}
	return NULL;
}

/* One row of krpc-sim over the TestServer; false if the table is full. */
static bool
report_sim_row(struct report_table *t, const struct conc_row *s, const struct conc_row *ts)
{
	double q[3] = { s->calls_per_s / ts->calls_per_s, s->p50_us / ts->p50_us,
		s->p99_us / ts->p99_us };
	bool near = true;
	int k;

	if (!report_row(t))
		return false;
	report_set(t, 0, s->server);
	report_setn(t, 1, (double)s->clients, 0);
	for (k = 0; k < 3; k++) {
		report_setn(t, 2 + (size_t)k, q[k], 2);
		near = near && q[k] >= 0.75 && q[k] <= 1.25;
	}
	report_set(t, 5, near ? "yes" : "no");
	return true;
}

/*
 * krpc-sim against kRPC's TestServer, paced as it is: each krpc-sim's direct
 * calls/s, p50 and p99 over the TestServer's (ratios of the medians), and
 * whether all three are within 25%, which krpc-sim's update loop aims at.
 */
static void
report_sim_vs_ts(FILE *f, const struct report *r, bool md)
{
	static struct report_table t;
	const struct conc_row *s, *ts;
	size_t i;
	int ref;

	memset(&t, 0, sizeof t);
	report_col(&t, "krpc-sim", false);
	report_col(&t, "Clients", true);
	report_col(&t, "Calls/s x", true);
	report_col(&t, "p50 x", true);
	report_col(&t, "p99 x", true);
	report_col(&t, "Within 25%", false);
	for (i = 0; i < r->nconc; i++) {
		s = &r->conc[i];
		if (s->proxy || strncmp(s->server, "krpc-sim", 8) != 0)
			continue;
		ref = strstr(s->server, "unpaced") != NULL ? CRUN_TS_UNPACED : CRUN_TS_PACED;
		if ((ts = report_conc_direct(r, ref, s->clients)) != NULL && !report_sim_row(&t, s, ts))
			break;
	}
	if (t.nrows == 0)
		return;
	report_heading(f, md, "krpc-sim over kRPC's TestServer (concurrent calls, direct)");
	fprintf(f, "Each krpc-sim's median over the TestServer's median, paced against paced and "
	    "unpaced against unpaced (1.00: the same).\n\n");
	report_table_write(f, &t, md);
}

/*
 * The concurrent-call targets, per server and path: calls/s at least
 * direct's at every client count (0.95 with one client), p99 at most 1 ms
 * above direct's.
 */
static void
report_concurrent_target(FILE *f, const struct report *r, const char *b)
{
	const struct conc_row *c;
	bool ok;
	size_t i;
	int s;

	for (i = 0; i < r->nconc; i++) {
		c = &r->conc[i];
		if (!c->proxy || c->control)
			continue;
		ok = c->ratio >= (c->clients == 1 ? 0.95 : 1.0) && c->p99_added_us <= 1000;
		fprintf(f, "%sConcurrent calls, %s, %zu client%s via %s: %.2f x direct, p99 %+.0f µs: "
		    "%s.\n", b, c->server, c->clients, c->clients == 1 ? "" : "s", c->path, c->ratio,
		    c->p99_added_us, ok ? "target met" : "target NOT met");
	}
	for (s = 0; s < CRUN_NSERVERS; s++)
		if (r->conc_missing & (1u << s))
			fprintf(f, "%sConcurrent calls, %s: not run (kRPC's TestServer is not installed "
			    "here).\n", b, crun_server_names[s]);
}

/*
 * The latency target: the proxy adds no more than socat.  Met if every
 * proxy row's ratio is at most 1; "within noise" if a row is above 1 but
 * at or below it in some round; not met if a row is above 1 in every round.
 */
static void
report_latency_target(FILE *f, const struct report *r, bool md)
{
	const char *b = md ? "- " : "  ", *sub = md ? "  - " : "    ";
	const struct lat_row *l;
	bool any = false, above = false, always = false;
	size_t i;

	for (i = 0; i < r->nlat; i++) {
		l = &r->lat[i];
		if (isnan(l->vs_socat))
			continue;
		if (!any)
			fprintf(f, "%sLatency added by krpcmuxd relative to socat's (1 = the same; "
			    "lowest and highest round in brackets):\n", b);
		any = true;
		fprintf(f, "%s%s via %s: %.2f (%.2f-%.2f)\n", sub, l->proc, l->path, l->vs_socat,
		    l->vs_socat_min, l->vs_socat_max);
		above |= l->vs_socat > 1.0;
		always |= l->vs_socat_min > 1.0;
	}
	if (!any) {
		fprintf(f, "%sLatency: no socat comparison in this run.\n", b);
		return;
	}
	fprintf(f, "%sLatency target (the proxy adds no more than socat): %s.\n", b,
	    !above ? "met" : !always ? "not met on every row, but within the round-to-round noise" :
	    "NOT met");
}

/* The fan-out targets: 1000 clients under half a core, one server stream per distinct call whatever N. */
static void
report_fanout_target(FILE *f, const struct report *r, const char *b)
{
	const struct fanout_result *x;
	bool one = true, seen = false;
	unsigned want;
	size_t i;

	for (i = 0; i < r->nfan; i++) {
		x = &r->fan[i].r;
		if (!r->fan[i].proxy || x->failed == r->fan_rounds)
			continue;
		want = r->fan[i].set == FANSET_FLIGHT10 ? FANSET_MAX : 1;
		if (x->stream_rpcs != want)
			one = false;
		if (x->clients != REPORT_FANOUT_CLIENTS)
			continue;
		seen = true;
		if (r->fan[i].set == FANSET_FLIGHT10) {
			fprintf(f, "%sFan-out, ten streams per client: %zu clients via %s cost the proxy "
			    "%.1f%% of one core (%.2f µs per delivered value)%s.\n", b, x->clients,
			    r->fan[i].path, x->proxy_cpu * 100, x->proxy_us_per_value,
			    strstr(r->fan[i].path, "Unix") == NULL ? "" : x->proxy_cpu < 0.10 ?
			    ": under 10%, target met" : ": target (under 10% over Unix) NOT met");
			if (!isnan(r->fan[i].floor))
				fprintf(f, "%sThe floor: a process doing nothing but write one %.0f-byte "
				    "message to each of %zu Unix sockets 60 times a second uses %.1f%% of "
				    "one core, %.2f µs per message; the proxy used %.2f µs per message it "
				    "sent (%.0f a second), %.2f times the floor.\n", b, x->update_bytes,
				    x->clients, r->fan[i].floor * 100, r->fan[i].floor * 1e6 /
				    ((double)x->clients * 60), x->proxy_cpu * 1e6 /
				    (x->values_per_s / FANSET_MAX), x->values_per_s / FANSET_MAX,
				    x->proxy_cpu / (x->values_per_s / FANSET_MAX) /
				    (r->fan[i].floor / ((double)x->clients * 60)));
			continue;
		}
		fprintf(f, "%sFan-out (%s): %zu clients via %s cost the proxy %.1f%% of one core "
		    "(%.2f µs per delivered value): %s.\n", b, fanset_names[r->fan[i].set], x->clients,
		    r->fan[i].path, x->proxy_cpu * 100, x->proxy_us_per_value,
		    x->proxy_cpu < REPORT_FANOUT_CORES ? "well under one core, target met" :
		    x->proxy_cpu < 1.0 ? "under one core but not well under (half a core or more)" :
		    "target NOT met");
	}
	if (!seen)
		fprintf(f, "%sFan-out: no run with %d clients.\n", b, REPORT_FANOUT_CLIENTS);
	if (r->fan_missing & (1u << FANSET_STATUS))
		fprintf(f, "%sFan-out from kRPC's TestServer: not run (it is not installed here).\n", b);
	fprintf(f, "%sDeduplication: the server held %s through the proxy, whatever the number "
	    "of clients.\n", b, one ? "one stream per distinct call" :
	    "MORE streams than distinct calls in some runs");
}

/* Writes the tables, the ratios and the targets. */
void
report_write(FILE *f, const struct report *r, bool md)
{
	const char *b = md ? "- " : "  ";

	report_machine(f, r, md);
	if (r->nlat > 0)
		report_latency(f, r, md);
	if (r->nfan > 0)
		report_fanout(f, r, md);
	if (r->nconc > 0) {
		report_concurrent(f, r, md);
		report_sim_vs_ts(f, r, md);
	}
	report_heading(f, md, "Targets");
	if (r->nlat > 0)
		report_latency_target(f, r, md);
	if (r->nfan > 0)
		report_fanout_target(f, r, b);
	if (r->nconc > 0 || r->conc_missing != 0)
		report_concurrent_target(f, r, b);
}
