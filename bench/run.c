/*
 * The two benchmarks: the processes each needs, the order of the runs
 * (interleaved, so drift on a busy machine hits every path alike), one raw
 * line per run, and the medians over rounds that go into the report.
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

	if ((p = procs_sim(false)) == NULL || procs_daemon(p, true) != 0)
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

/* ---- fan-out ------------------------------------------------------------ */

/* Where fan-out clients connect, in run order for one client count. */
enum run_fan_path {
	RUN_FAN_UNIX,		/* krpcmuxd's Unix sockets */
	RUN_FAN_TCP,		/* krpcmuxd's TCP ports */
	RUN_FAN_DIRECT,		/* krpc-sim's TCP ports */
	RUN_FAN_NPATHS
};

static const char *const run_fan_names[RUN_FAN_NPATHS] = {
	"krpcmuxd (Unix)", "krpcmuxd (TCP)", "direct (TCP)"
};
static const char *const run_fan_raw_names[RUN_FAN_NPATHS] = {
	"krpcmuxd-unix", "krpcmuxd-tcp", "direct"
};

/* One fan-out configuration: a client count and a path. */
struct run_fan {
	size_t			 clients;
	enum run_fan_path	 path;
};

/* The client counts asked for on a path. */
static const size_t *
run_fan_list(const struct options *o, enum run_fan_path path, size_t *n)
{
	*n = path == RUN_FAN_UNIX ? o->nclients : path == RUN_FAN_TCP ? o->ntcp : o->ndirect;
	return path == RUN_FAN_UNIX ? o->clients : path == RUN_FAN_TCP ? o->tcp : o->direct;
}

/* The configurations in run order: by client count, then by path. */
static size_t
run_fan_configs(const struct options *o, struct run_fan *out)
{
	const size_t *v;
	size_t n = 0, c, next, i, k;
	int path;

	for (c = 0;; c = next) {
		next = SIZE_MAX;
		for (path = 0; path < RUN_FAN_NPATHS; path++) {
			v = run_fan_list(o, path, &k);
			for (i = 0; i < k; i++)
				if (v[i] > c && v[i] < next)
					next = v[i];
		}
		if (next == SIZE_MAX)
			return n;
		for (path = 0; path < RUN_FAN_NPATHS; path++) {
			v = run_fan_list(o, path, &k);
			for (i = 0; i < k && v[i] != next; i++)
				;
			if (i < k)
				out[n++] = (struct run_fan){ next, path };
		}
	}
}

/* Writes a raw line for a fan-out run. */
static void
run_fan_raw(const struct options *o, int round, enum run_fan_path path,
    const struct fanout_result *x)
{
	if (o->raw == NULL)
		return;
	fprintf(o->raw, "fanout\t%d\t%s\t%zu\t%.3f\t%llu\t%.1f\t%.2f\t%.2f\t%.4f\t%.3f\t%.4f\t%.4f\t%u"
	    "\t%.1f\t%.3f\t%.3f\t%llu\t%.4f\n", round, run_fan_raw_names[path], x->clients,
	    x->seconds, (unsigned long long)x->values, x->values_per_s, x->per_client_per_s,
	    x->min_client_per_s, x->proxy_cpu, x->proxy_us_per_value, x->sim_cpu, x->gen_cpu,
	    x->stream_rpcs, x->evals_per_s, x->spread_med_ms, x->spread_p99_ms,
	    (unsigned long long)x->anomalies, x->proxy_cpu_stat);
	fflush(o->raw);
}

/* Medians over rounds of every figure; the worst of the stream count and the anomalies. */
static void
run_fan_row(int rounds, const struct fanout_result *v, struct fanout_result *out)
{
	double a[BENCH_ROUNDS_MAX];
	int r;

#define RUN_MEDIAN(field) do {						\
	for (r = 0; r < rounds; r++)					\
		a[r] = (double)v[r].field;				\
	out->field = stats_median(a, (size_t)rounds);			\
} while (0)
	memset(out, 0, sizeof *out);
	out->clients = v[0].clients;
	RUN_MEDIAN(seconds);
	RUN_MEDIAN(values_per_s);
	RUN_MEDIAN(per_client_per_s);
	RUN_MEDIAN(min_client_per_s);
	RUN_MEDIAN(proxy_cpu);
	RUN_MEDIAN(proxy_us_per_value);
	RUN_MEDIAN(proxy_cpu_stat);
	RUN_MEDIAN(sim_cpu);
	RUN_MEDIAN(gen_cpu);
	RUN_MEDIAN(evals_per_s);
	RUN_MEDIAN(spread_med_ms);
	RUN_MEDIAN(spread_p99_ms);
#undef RUN_MEDIAN
	for (r = 0; r < rounds; r++) {
		out->values += v[r].values;
		if (v[r].stream_rpcs > out->stream_rpcs)
			out->stream_rpcs = v[r].stream_rpcs;
		if (v[r].anomalies > out->anomalies)
			out->anomalies = v[r].anomalies;
	}
}

/* Runs one fan-out configuration. */
static int
run_fan_one(const struct options *o, const struct procs *p, const struct run_fan *cfg,
    struct fanout_result *out)
{
	struct target t[RUN_FAN_NPATHS];
	struct fanout_params fp;

	procs_proxy_unix(p, &t[RUN_FAN_UNIX]);
	procs_proxy_tcp(p, &t[RUN_FAN_TCP]);
	procs_direct(p, &t[RUN_FAN_DIRECT]);
	fp = (struct fanout_params){
		.target = &t[cfg->path],
		.server = &t[RUN_FAN_DIRECT],
		.proxy_pid = cfg->path == RUN_FAN_DIRECT ? 0 : procs_daemon_pid(p),
		.sim_pid = procs_sim_pid(p),
		.clients = cfg->clients,
		.warmup = o->warmup,
		.window = o->window,
	};
	return fanout_run(&fp, out);
}

/* Runs the fan-out benchmark into the report. */
int
run_fanout(const struct options *o, struct report *rep)
{
	struct run_fan cfg[RUN_FAN_NPATHS * BENCH_SIZES_MAX];
	struct fanout_result *res = NULL, v[BENCH_ROUNDS_MAX];
	struct procs *p = NULL;
	size_t n, i;
	int r, rc = -1;

	n = run_fan_configs(o, cfg);
	if ((res = calloc((size_t)o->rounds * n + 1, sizeof *res)) == NULL ||
	    (rep->fan = calloc(n + 1, sizeof *rep->fan)) == NULL ||
	    (p = procs_sim(true)) == NULL || procs_daemon(p, o->ntcp > 0) != 0)
		goto done;
	for (r = 0; r < o->rounds; r++) {
		for (i = 0; i < n; i++) {
			fprintf(stderr, "krpcmux-bench: fan-out round %d/%d: %zu client%s, %s\n", r + 1,
			    o->rounds, cfg[i].clients, cfg[i].clients == 1 ? "" : "s",
			    run_fan_names[cfg[i].path]);
			if (run_fan_one(o, p, &cfg[i], &res[(size_t)r * n + i]) != 0)
				goto done;
			run_fan_raw(o, r, cfg[i].path, &res[(size_t)r * n + i]);
		}
	}
	for (i = 0; i < n; i++) {
		for (r = 0; r < o->rounds; r++)
			v[r] = res[(size_t)r * n + i];
		rep->fan[rep->nfan].path = run_fan_names[cfg[i].path];
		rep->fan[rep->nfan].proxy = cfg[i].path != RUN_FAN_DIRECT;
		run_fan_row(o->rounds, v, &rep->fan[rep->nfan++].r);
	}
	rep->window = o->window;
	rep->fan_rounds = o->rounds;
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
