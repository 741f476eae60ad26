/*
 * The latency benchmark: the processes it needs, the order of the runs
 * (interleaved, so drift on a busy machine hits every path alike), one raw
 * line per run, and the medians over rounds that go into the report; and
 * freeing what every benchmark added to the report.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum run_path {
	RUN_DIRECT,
	RUN_MUX_UNIX,
	RUN_MUX_TCP,
	RUN_SOCAT,
	RUN_NPATHS
};

static const char *const run_path_names[RUN_NPATHS] = {
	"direct (TCP)", "krpcmuxd (Unix)", "krpcmuxd (TCP)", "socat (TCP)"
};

/* ---- latency ------------------------------------------------------------ */

/* Index of a latency result: [round][procedure][path]. */
static size_t
run_lat_index(int round, int proc, int path)
{
	return ((size_t)round * LATENCY_NPROCS + (size_t)proc) * RUN_NPATHS + (size_t)path;
}

/* Writes a raw line for a latency run. */
static void
run_lat_raw(const struct options *o, int round, int proc, int path, const struct latency_result *x)
{
	if (o->raw == NULL)
		return;
	fprintf(o->raw, "latency\t%d\t%s\t%s\t%zu\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", round,
	    latency_proc_name((enum latency_proc)proc), run_path_names[path], x->calls, x->median_us,
	    x->p99_us, x->mean_us, x->min_us, x->max_us, x->cpu_us);
	fflush(o->raw);
}

/* Median over rounds of one figure of one (procedure, path). */
static double
run_lat_median(const struct options *o, const struct latency_result *res, int proc, int path,
    size_t offset)
{
	double v[BENCH_ROUNDS_MAX];
	int r;

	for (r = 0; r < o->lat_rounds; r++)
		memcpy(&v[r], (const char *)&res[run_lat_index(r, proc, path)] + offset, sizeof v[r]);
	return stats_median(v, (size_t)o->lat_rounds);
}

/*
 * A path's added latency over direct in each round (median and p99) and
 * its ratio to socat's in the same round: the rounds pair up measurements
 * taken in the same stretch of time.
 */
static void
run_lat_pairs(const struct options *o, const struct latency_result *res, int proc, int path,
    bool socat, double *add, double *addp, double *ratio)
{
	const struct latency_result *x, *d, *s;
	bool mux = path == RUN_MUX_UNIX || path == RUN_MUX_TCP;
	int r;

	for (r = 0; r < o->lat_rounds; r++) {
		x = &res[run_lat_index(r, proc, path)];
		d = &res[run_lat_index(r, proc, RUN_DIRECT)];
		s = &res[run_lat_index(r, proc, RUN_SOCAT)];
		add[r] = path == RUN_DIRECT ? NAN : x->median_us - d->median_us;
		addp[r] = path == RUN_DIRECT ? NAN : x->p99_us - d->p99_us;
		ratio[r] = mux && socat ? add[r] / (s->median_us - d->median_us) : NAN;
	}
}

/* The smallest and largest of n values (NaN if any is NaN). */
static void
run_range(const double *v, int n, double *lo, double *hi)
{
	int i;

	*lo = *hi = n > 0 ? v[0] : NAN;
	for (i = 1; i < n; i++) {
		if (isnan(v[i]) || v[i] < *lo)
			*lo = isnan(*lo) ? *lo : v[i];
		if (isnan(v[i]) || v[i] > *hi)
			*hi = isnan(*hi) ? *hi : v[i];
	}
}

/*
 * The report rows of one procedure: each figure is its own median over
 * the rounds, the added latency and the ratio to socat's included.
 */
static void
run_lat_rows(const struct options *o, const struct latency_result *res, int proc, bool socat,
    struct report *rep)
{
	double add[BENCH_ROUNDS_MAX], addp[BENCH_ROUNDS_MAX], ratio[BENCH_ROUNDS_MAX];
	size_t n = (size_t)o->lat_rounds;
	struct lat_row *row;
	int path;

	for (path = 0; path < RUN_NPATHS; path++) {
		if (path == RUN_SOCAT && !socat)
			continue;
		row = &rep->lat[rep->nlat++];
		row->proc = latency_proc_name((enum latency_proc)proc);
		row->path = run_path_names[path];
		row->median_us = run_lat_median(o, res, proc, path, offsetof(struct latency_result, median_us));
		row->p99_us = run_lat_median(o, res, proc, path, offsetof(struct latency_result, p99_us));
		row->cpu_us = run_lat_median(o, res, proc, path, offsetof(struct latency_result, cpu_us));
		run_lat_pairs(o, res, proc, path, socat, add, addp, ratio);
		row->added_us = stats_median(add, n);
		row->added_p99_us = stats_median(addp, n);
		row->vs_socat = stats_median(ratio, n);
		run_range(ratio, o->lat_rounds, &row->vs_socat_min, &row->vs_socat_max);
	}
}

/* Starts krpc-sim without pacing, krpcmuxd (Unix and TCP) and socat in front of it. */
static struct procs *
run_lat_procs(const struct options *o, struct target t[RUN_NPATHS],
    struct latency_forwarder fw[RUN_NPATHS], bool *socat)
{
	struct procs *p;

	if ((p = procs_sim(false, false)) == NULL || procs_daemon(p, true) != 0)
		goto fail;
	*socat = o->socat != NULL;
	if (*socat && procs_socat(p, o->socat) != 0)
		goto fail;
	procs_direct(p, &t[RUN_DIRECT]);
	procs_proxy_unix(p, &t[RUN_MUX_UNIX]);
	procs_proxy_tcp(p, &t[RUN_MUX_TCP]);
	procs_socat_target(p, &t[RUN_SOCAT]);
	memset(fw, 0, RUN_NPATHS * sizeof *fw);
	fw[RUN_MUX_UNIX].pid = fw[RUN_MUX_TCP].pid = procs_daemon_pid(p);
	fw[RUN_SOCAT] = (struct latency_forwarder){ procs_socat_pid(p), true };
	return p;
fail:
	procs_stop(p);
	return NULL;
}

/* One latency round's clients and samples, per procedure and path. */
struct run_lat_round {
	struct latency_conn	*conn[RUN_NPATHS];
	double			*us[LATENCY_NPROCS][RUN_NPATHS];
	double			 cpu[LATENCY_NPROCS][RUN_NPATHS];
	size_t			 done[LATENCY_NPROCS][RUN_NPATHS];
};

/* Frees a round. */
static void
run_lat_round_free(struct run_lat_round *rr)
{
	int proc, path;

	for (path = 0; path < RUN_NPATHS; path++) {
		latency_close(rr->conn[path]);
		for (proc = 0; proc < LATENCY_NPROCS; proc++)
			free(rr->us[proc][path]);
	}
	memset(rr, 0, sizeof *rr);
}

/* Opens one client per path, warms each up on every procedure. */
static int
run_lat_round_open(const struct options *o, const struct target *t,
    const struct latency_forwarder *fw, int npaths, struct run_lat_round *rr)
{
	int proc, path;

	memset(rr, 0, sizeof *rr);
	for (path = 0; path < npaths; path++) {
		if ((rr->conn[path] = latency_open(&t[path], &fw[path])) == NULL)
			return -1;
		for (proc = 0; proc < LATENCY_NPROCS; proc++) {
			if ((rr->us[proc][path] = calloc(o->calls, sizeof(double))) == NULL ||
			    latency_calls(rr->conn[path], proc, o->warmup_calls, NULL, NULL) != 0)
				return -1;
		}
	}
	return 0;
}

/*
 * One round: every (procedure, path) gets its calls in blocks of
 * RUN_LAT_BLOCK, taken in turn (the path order rotating from block to
 * block), so a burst of load from elsewhere on the machine falls on every
 * path alike instead of on whichever ran at that moment.
 */
static int
run_lat_round(const struct options *o, const struct target *t, const struct latency_forwarder *fw,
    int npaths, int round, struct latency_result *res)
{
	struct run_lat_round rr;
	size_t block, n, *done;
	int proc, k, path, rc = -1;

	if (run_lat_round_open(o, t, fw, npaths, &rr) != 0)
		goto done;
	for (block = 0; block * RUN_LAT_BLOCK < o->calls; block++) {
		for (proc = 0; proc < LATENCY_NPROCS; proc++) {
			for (k = 0; k < npaths; k++) {
				path = (int)((block + (size_t)k) % (size_t)npaths);
				done = &rr.done[proc][path];
				n = o->calls - *done < RUN_LAT_BLOCK ? o->calls - *done : RUN_LAT_BLOCK;
				if (latency_calls(rr.conn[path], proc, n, rr.us[proc][path] + *done,
				    &rr.cpu[proc][path]) != 0)
					goto done;
				*done += n;
			}
		}
	}
	for (proc = 0; proc < LATENCY_NPROCS; proc++) {
		for (path = 0; path < npaths; path++) {
			latency_summary(rr.us[proc][path], o->calls, &res[run_lat_index(round, proc, path)]);
			res[run_lat_index(round, proc, path)].cpu_us = rr.cpu[proc][path] * 1e6 /
			    (double)o->calls;
			run_lat_raw(o, round, proc, path, &res[run_lat_index(round, proc, path)]);
		}
	}
	rc = 0;
done:
	run_lat_round_free(&rr);
	return rc;
}

/* Runs the latency benchmark into the report. */
int
run_latency(const struct options *o, struct report *rep)
{
	struct target t[RUN_NPATHS];
	struct latency_forwarder fw[RUN_NPATHS];
	struct latency_result *res;
	struct procs *p = NULL;
	bool socat = false;
	int r, proc, rc = -1;

	if ((res = calloc((size_t)o->lat_rounds * LATENCY_NPROCS * RUN_NPATHS, sizeof *res)) == NULL ||
	    (rep->lat = calloc(LATENCY_NPROCS * RUN_NPATHS, sizeof *rep->lat)) == NULL ||
	    (p = run_lat_procs(o, t, fw, &socat)) == NULL)
		goto done;
	for (r = 0; r < o->lat_rounds; r++) {
		fprintf(stderr, "krpcmux-bench: latency round %d/%d: %zu calls of each procedure on "
		    "each path\n", r + 1, o->lat_rounds, o->calls);
		if (run_lat_round(o, t, fw, socat ? RUN_NPATHS : RUN_SOCAT, r, res) != 0)
			goto done;
	}
	for (proc = 0; proc < LATENCY_NPROCS; proc++)
		run_lat_rows(o, res, proc, socat, rep);
	rep->calls = o->calls;
	rep->lat_rounds = o->lat_rounds;
	rep->socat = socat;
	rc = 0;
done:
	procs_stop(p);
	free(res);
	return rc;
}

/* Frees what the runs added to the report. */
void
run_free(struct report *rep)
{
	free(rep->lat);
	free(rep->fan);
	free(rep->conc);
	rep->lat = NULL;
	rep->fan = NULL;
	rep->conc = NULL;
}
