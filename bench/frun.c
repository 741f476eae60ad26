/*
 * The fan-out benchmark's runs, in suites: one stream of krpc-sim's UT; one
 * stream of KRPC.GetStatus from kRPC's TestServer (where it is installed);
 * ten streams per client of a rocket in flight on krpc-sim, with a fresh
 * simulator for every run (the flight would end otherwise).  Within a
 * suite, configurations run by client count, then by path, one raw line
 * each; the rows are medians over the rounds.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "testserver.h"

/* Where fan-out clients connect. */
enum frun_path {
	FRUN_UNIX,		/* krpcmuxd's Unix sockets */
	FRUN_TCP,		/* krpcmuxd's TCP ports */
	FRUN_DIRECT,		/* the server's TCP ports */
	FRUN_NPATHS
};

static const char *const frun_names[FRUN_NPATHS] = {
	"krpcmuxd (Unix)", "krpcmuxd (TCP)", "direct (TCP)"
};
static const char *const frun_raw_names[FRUN_NPATHS] = {
	"krpcmuxd-unix", "krpcmuxd-tcp", "direct"
};

/* One suite: a set of streams on a server. */
struct frun_suite {
	enum fanset_kind	 kind;
	bool			 testserver;	/* kRPC's TestServer, else krpc-sim */
	bool			 fresh;		/* a new server and proxy for every run */
	const char		*title;
};

static const struct frun_suite frun_suites[FANSET_N] = {
	{ FANSET_UT, false, false, "SpaceCenter.get_UT, krpc-sim at 60 updates/s" },
	{ FANSET_STATUS, true, false, "KRPC.GetStatus, kRPC's TestServer at 60 updates/s" },
	{ FANSET_FLIGHT10, false, true,
	    "ten streams per client: a rocket's UT, position and flight values, krpc-sim at 60 updates/s" },
};

/* One configuration: a client count and a path. */
struct frun_cfg {
	size_t		 clients;
	enum frun_path	 path;
};

/* The client counts asked for on a path of a suite. */
static const size_t *
frun_list(const struct options *o, enum fanset_kind kind, enum frun_path path, size_t *n)
{
	if (kind == FANSET_FLIGHT10) {
		*n = o->nfan10;
		return o->fan10;
	}
	*n = path == FRUN_UNIX ? o->nclients : path == FRUN_TCP ? o->ntcp : o->ndirect;
	return path == FRUN_UNIX ? o->clients : path == FRUN_TCP ? o->tcp : o->direct;
}

/* A suite's configurations in run order: by client count, then by path. */
static size_t
frun_configs(const struct options *o, enum fanset_kind kind, struct frun_cfg *out)
{
	const size_t *v;
	size_t n = 0, c, next, i, k;
	int path;

	for (c = 0;; c = next) {
		next = SIZE_MAX;
		for (path = 0; path < FRUN_NPATHS; path++) {
			v = frun_list(o, kind, path, &k);
			for (i = 0; i < k; i++)
				if (v[i] > c && v[i] < next)
					next = v[i];
		}
		if (next == SIZE_MAX)
			return n;
		for (path = 0; path < FRUN_NPATHS; path++) {
			v = frun_list(o, kind, path, &k);
			for (i = 0; i < k && v[i] != next; i++)
				;
			if (i < k)
				out[n++] = (struct frun_cfg){ next, path };
		}
	}
}

/* Writes a raw line for a run. */
static void
frun_raw(const struct options *o, enum fanset_kind kind, int round, enum frun_path path,
    const struct fanout_result *x)
{
	if (o->raw == NULL)
		return;
	fprintf(o->raw, "fanout\t%d\t%s\t%zu\t%.3f\t%llu\t%.1f\t%.2f\t%.2f\t%.4f\t%.3f\t%.4f\t%.4f\t%u"
	    "\t%.1f\t%.3f\t%.3f\t%llu\t%.4f\t%s\n", round, frun_raw_names[path], x->clients,
	    x->seconds, (unsigned long long)x->values, x->values_per_s, x->per_client_per_s,
	    x->min_client_per_s, x->proxy_cpu, x->proxy_us_per_value, x->sim_cpu, x->gen_cpu,
	    x->stream_rpcs, x->evals_per_s, x->spread_med_ms, x->spread_p99_ms,
	    (unsigned long long)x->anomalies, x->proxy_cpu_stat, fanset_names[kind]);
	fflush(o->raw);
}

/* Medians over rounds of every figure; the worst of the stream count and the anomalies. */
static void
frun_row(int rounds, const struct fanout_result *v, struct fanout_result *out)
{
	double a[BENCH_ROUNDS_MAX];
	int r, n;

	/* Rounds that failed have no figures: the medians are over the others. */
#define FRUN_MEDIAN(field) do {						\
	for (r = n = 0; r < rounds; r++)				\
		if (!v[r].failed)					\
			a[n++] = (double)v[r].field;			\
	out->field = n > 0 ? stats_median(a, (size_t)n) : NAN;		\
} while (0)
	memset(out, 0, sizeof *out);
	out->clients = v[0].clients;
	for (r = 0; r < rounds; r++)
		out->failed += v[r].failed;
	FRUN_MEDIAN(seconds);
	FRUN_MEDIAN(values_per_s);
	FRUN_MEDIAN(per_client_per_s);
	FRUN_MEDIAN(min_client_per_s);
	FRUN_MEDIAN(proxy_cpu);
	FRUN_MEDIAN(proxy_us_per_value);
	FRUN_MEDIAN(proxy_cpu_stat);
	FRUN_MEDIAN(sim_cpu);
	FRUN_MEDIAN(gen_cpu);
	FRUN_MEDIAN(evals_per_s);
	FRUN_MEDIAN(spread_med_ms);
	FRUN_MEDIAN(spread_p99_ms);
	FRUN_MEDIAN(update_bytes);
#undef FRUN_MEDIAN
	for (r = 0; r < rounds; r++) {
		out->values += v[r].values;
		if (v[r].stream_rpcs > out->stream_rpcs)
			out->stream_rpcs = v[r].stream_rpcs;
		if (v[r].anomalies > out->anomalies)
			out->anomalies = v[r].anomalies;
	}
}

/* Starts the suite's server (paced) and krpcmuxd in front of it. */
static struct procs *
frun_procs(const struct frun_suite *s, bool tcp)
{
	struct procs *p = s->testserver ? procs_testserver(true) : procs_sim(true, false);

	if (p != NULL && procs_daemon(p, tcp) != 0) {
		procs_stop(p);
		return NULL;
	}
	return p;
}

/* Runs one configuration on running processes, preparing the set (a launch for flight10). */
static int
frun_one(const struct options *o, const struct procs *p, const struct frun_suite *s,
    const struct frun_cfg *cfg, struct fanout_result *out)
{
	struct target t[FRUN_NPATHS];
	struct fanout_params fp;
	struct fanset set;
	struct net_conn *c;
	int rc;

	procs_proxy_unix(p, &t[FRUN_UNIX]);
	procs_proxy_tcp(p, &t[FRUN_TCP]);
	procs_direct(p, &t[FRUN_DIRECT]);
	if ((c = net_client(&t[FRUN_DIRECT], "krpcmux-bench setup")) == NULL)
		return -1;
	rc = fanset_prepare(&set, s->kind, c);
	net_close(c);
	if (rc != 0)
		return -1;
	fp = (struct fanout_params){
		.set = &set,
		.target = &t[cfg->path],
		.server = &t[FRUN_DIRECT],
		.proxy_pid = cfg->path == FRUN_DIRECT ? 0 : procs_daemon_pid(p),
		.sim_pid = procs_sim_pid(p),
		.clients = cfg->clients,
		.warmup = o->warmup,
		.window = o->window,
	};
	rc = fanout_run(&fp, out);
	fanset_free(&set);
	return rc;
}

/*
 * A run that failed (a server that stopped answering with many direct
 * clients, say) is a finding, not the end of the benchmark: it is counted
 * and reported, and the rounds go on.
 */
static void
frun_failed(struct fanout_result *x, size_t clients)
{
	memset(x, 0, sizeof *x);
	x->clients = clients;
	x->failed = 1;
	fprintf(stderr, "krpcmux-bench: the run failed: reported as failed, the processes "
	    "start afresh\n");
}

/* Runs every configuration of a suite, round after round. */
static int
frun_rounds(const struct options *o, const struct frun_suite *s, const struct frun_cfg *cfg,
    size_t n, struct fanout_result *res)
{
	struct procs *p = NULL;
	size_t i;
	int r, rc = -1;

	for (r = 0; r < o->rounds; r++) {
		for (i = 0; i < n; i++) {
			fprintf(stderr, "krpcmux-bench: fan-out (%s) round %d/%d: %zu client%s, %s\n",
			    fanset_names[s->kind], r + 1, o->rounds, cfg[i].clients,
			    cfg[i].clients == 1 ? "" : "s", frun_names[cfg[i].path]);
			if (p == NULL && (p = frun_procs(s, true)) == NULL)
				goto done;
			if (frun_one(o, p, s, &cfg[i], &res[(size_t)r * n + i]) != 0) {
				frun_failed(&res[(size_t)r * n + i], cfg[i].clients);
				procs_stop(p);	/* a server that could not keep up starts afresh */
				p = NULL;
				continue;
			}
			frun_raw(o, s->kind, r, cfg[i].path, &res[(size_t)r * n + i]);
			if (s->fresh) {
				procs_stop(p);
				p = NULL;
			}
		}
	}
	rc = 0;
done:
	procs_stop(p);
	return rc;
}

/*
 * The floor under a ten-stream Unix row: the same number of clients, the
 * same mean message size, written by a process that does nothing else; the
 * median over the rounds.
 */
static double
frun_floor(const struct options *o, size_t clients, double bytes)
{
	double v[BENCH_ROUNDS_MAX];
	int r;

	if (isnan(bytes))
		return NAN;
	for (r = 0; r < o->rounds; r++) {
		fprintf(stderr, "krpcmux-bench: fan-out floor round %d/%d: %zu Unix clients, %.0f-byte "
		    "messages\n", r + 1, o->rounds, clients, bytes);
		v[r] = floor_run(clients, (size_t)(bytes + 0.5), o->warmup, o->window);
		if (o->raw != NULL)
			fprintf(o->raw, "floor\t%d\t%zu\t%.0f\t%.4f\n", r, clients, bytes, v[r]);
	}
	return stats_median(v, (size_t)o->rounds);
}

/* Runs one suite into the report. */
static int
frun_suite(const struct options *o, const struct frun_suite *s, struct report *rep)
{
	struct frun_cfg cfg[FRUN_NPATHS * BENCH_SIZES_MAX];
	struct fanout_result *res, v[BENCH_ROUNDS_MAX];
	struct fan_row *row;
	size_t n, i;
	int r;

	if (s->testserver && ts_dir(NULL) == NULL) {
		rep->fan_missing |= 1u << s->kind;
		return 0;
	}
	n = frun_configs(o, s->kind, cfg);
	if ((res = calloc((size_t)o->rounds * n + 1, sizeof *res)) == NULL)
		return -1;
	if (frun_rounds(o, s, cfg, n, res) != 0) {
		free(res);
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (r = 0; r < o->rounds; r++)
			v[r] = res[(size_t)r * n + i];
		row = &rep->fan[rep->nfan++];
		row->path = frun_names[cfg[i].path];
		row->suite = s->title;
		row->set = s->kind;
		row->proxy = cfg[i].path != FRUN_DIRECT;
		frun_row(o->rounds, v, &row->r);
		row->floor = s->kind == FANSET_FLIGHT10 && cfg[i].path == FRUN_UNIX ?
		    frun_floor(o, row->r.clients, row->r.update_bytes) : NAN;
	}
	free(res);
	return 0;
}

/* Runs the fan-out benchmark into the report. */
int
run_fanout(const struct options *o, struct report *rep)
{
	int k;

	if ((rep->fan = calloc(FANSET_N * FRUN_NPATHS * BENCH_SIZES_MAX + 1, sizeof *rep->fan)) == NULL)
		return -1;
	rep->window = o->window;
	rep->fan_rounds = o->rounds;
	for (k = 0; k < FANSET_N; k++) {
		if ((o->fansets & (1u << k)) != 0 && frun_suite(o, &frun_suites[k], rep) != 0)
			return -1;
	}
	return 0;
}
