/*
 * The concurrent-call benchmark's rounds: in each round, each server in turn
 * (krpc-sim or kRPC's TestServer, paced like the game or not) is started
 * with a krpcmuxd in front of it, then for each client count the three paths
 * run in rotating order, so drift on a busy machine falls on every path and
 * server alike; medians over the rounds, and each path's ratio to direct
 * taken within a round.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "testserver.h"

enum crun_path {
	CRUN_DIRECT,
	CRUN_MUX_UNIX,
	CRUN_MUX_TCP,
	CRUN_SOCAT,	/* a plain forwarder, one upstream connection per client */
	CRUN_NPATHS
};

const char *const crun_path_keys[4] = { "direct", "unix", "tcp", "socat" };
static const char *const crun_path_names[CRUN_NPATHS] = {
	"direct (TCP)", "krpcmuxd (Unix)", "krpcmuxd (TCP)", "socat (TCP)"
};
static const char *const crun_raw_paths[CRUN_NPATHS] = {
	"direct", "krpcmuxd-unix", "krpcmuxd-tcp", "socat-tcp"
};

const char *const crun_server_names[CRUN_NSERVERS] = {
	"TestServer, paced", "TestServer, unpaced", "krpc-sim, paced", "krpc-sim, unpaced",
	"krpc-sim --spin, paced", "krpc-sim --spin, unpaced"
};
const char *const crun_server_keys[CRUN_NSERVERS] = {
	"testserver", "testserver-unpaced", "sim", "sim-unpaced", "sim-spin", "sim-spin-unpaced"
};

/* True for the krpc-sim --spin pair. */
static bool
crun_spins(int server)
{
	return server == CRUN_SIMSPIN_PACED || server == CRUN_SIMSPIN_UNPACED;
}

/*
 * Starts a server of the kind and krpcmuxd (Unix and TCP) in front of it,
 * and socat if it is wanted (without it the socat path is left out).
 */
static struct procs *
crun_procs(const struct options *o, int server)
{
	bool paced = server == CRUN_TS_PACED || server == CRUN_SIM_PACED ||
	    server == CRUN_SIMSPIN_PACED;
	struct procs *p;

	p = server == CRUN_TS_PACED || server == CRUN_TS_UNPACED ? procs_testserver(paced) :
	    procs_sim(paced, crun_spins(server));
	if (p == NULL || procs_daemon(p, true) != 0) {
		procs_stop(p);
		return NULL;
	}
	if (o->socat != NULL && (o->conc_paths & (1u << CRUN_SOCAT)) != 0 &&
	    procs_socat(p, o->socat) != 0)
		fprintf(stderr, "krpcmux-bench: socat did not start: no socat row\n");
	return p;
}

/*
 * True if the path runs: direct always, the others if asked for, socat's
 * only where it started; krpc-sim --spin's only direct (it is there to be
 * compared with the TestServer, not to carry the proxy).
 */
static bool
crun_has_path(const struct options *o, const struct procs *p, int server, int path)
{
	if (path != CRUN_DIRECT && crun_spins(server))
		return false;
	if (path != CRUN_DIRECT && (o->conc_paths & (1u << path)) == 0)
		return false;
	return path != CRUN_SOCAT || procs_socat_pid(p) != 0;
}

/* The target of a path. */
static void
crun_target(const struct procs *p, int path, struct target *t)
{
	if (path == CRUN_DIRECT)
		procs_direct(p, t);
	else if (path == CRUN_MUX_UNIX)
		procs_proxy_unix(p, t);
	else if (path == CRUN_MUX_TCP)
		procs_proxy_tcp(p, t);
	else
		procs_socat_target(p, t);
}

/* Writes a raw line for a run. */
static void
crun_raw(const struct options *o, int server, int round, int path, const struct conc_result *x)
{
	if (o->raw == NULL)
		return;
	fprintf(o->raw, "concurrent\t%s\t%d\t%s\t%zu\t%llu\t%.1f\t%.1f\t%.1f\t%.4f\n",
	    crun_server_keys[server], round, crun_raw_paths[path], x->clients,
	    (unsigned long long)x->calls, x->calls_per_s, x->p50_us, x->p99_us, x->proxy_cpu);
	fflush(o->raw);
}

/* Index of a result: [round][size][path]. */
static size_t
crun_index(const struct options *o, int round, size_t size, int path)
{
	return ((size_t)round * o->nconc + size) * CRUN_NPATHS + (size_t)path;
}

/* One round: every client count, the paths in an order rotating with the round and count. */
static int
crun_round(const struct options *o, const struct procs *p, int server, int round,
    struct conc_result *res)
{
	struct conc_params cp;
	struct target t;
	size_t s;
	int k, path;

	for (s = 0; s < o->nconc; s++) {
		for (k = 0; k < CRUN_NPATHS; k++) {
			path = (int)(((size_t)round + s + (size_t)k) % CRUN_NPATHS);
			if (!crun_has_path(o, p, server, path))
				continue;
			crun_target(p, path, &t);
			cp = (struct conc_params){
				.target = &t,
				/* socat forks a child per connection: no one process to time */
				.proxy_pid = path == CRUN_DIRECT || path == CRUN_SOCAT ? 0 :
				    procs_daemon_pid(p),
				.clients = o->conc[s],
				.warmup = o->conc_warmup,
				.window = o->conc_window,
			};
			fprintf(stderr, "krpcmux-bench: concurrent calls, %s, round %d/%d: %zu client%s, "
			    "%s\n", crun_server_names[server], round + 1, o->conc_rounds, o->conc[s],
			    o->conc[s] == 1 ? "" : "s", crun_path_names[path]);
			if (conc_run(&cp, &res[crun_index(o, round, s, path)]) != 0)
				return -1;
			crun_raw(o, server, round, path, &res[crun_index(o, round, s, path)]);
		}
	}
	return 0;
}

/* True if a path ran at a client count in every round (socat's only where it started). */
static bool
crun_ran(const struct options *o, const struct conc_result *res, size_t s, int path)
{
	int r;

	for (r = 0; r < o->conc_rounds; r++) {
		if (res[crun_index(o, r, s, path)].clients == 0)
			return false;
	}
	return true;
}

/* The report rows of one server: medians over rounds, ratios to direct within a round. */
static void
crun_rows(const struct options *o, int server, const struct conc_result *res,
    struct report *rep)
{
	double v[4][BENCH_ROUNDS_MAX];
	const struct conc_result *x, *d;
	struct conc_row *row;
	size_t s;
	int path, r;

	for (s = 0; s < o->nconc; s++) {
		for (path = 0; path < CRUN_NPATHS; path++) {
			if (!crun_ran(o, res, s, path))
				continue;
			for (r = 0; r < o->conc_rounds; r++) {
				x = &res[crun_index(o, r, s, path)];
				d = &res[crun_index(o, r, s, CRUN_DIRECT)];
				v[0][r] = x->calls_per_s;
				v[1][r] = x->p50_us;
				v[2][r] = x->p99_us;
				v[3][r] = x->calls_per_s / d->calls_per_s;
			}
			row = &rep->conc[rep->nconc++];
			row->server = crun_server_names[server];
			row->path = crun_path_names[path];
			row->proxy = path != CRUN_DIRECT;
			row->control = path == CRUN_SOCAT;
			row->clients = o->conc[s];
			row->calls_per_s = stats_median(v[0], (size_t)o->conc_rounds);
			row->p50_us = stats_median(v[1], (size_t)o->conc_rounds);
			row->p99_us = stats_median(v[2], (size_t)o->conc_rounds);
			row->ratio = stats_median(v[3], (size_t)o->conc_rounds);
			for (r = 0; r < o->conc_rounds; r++) {
				x = &res[crun_index(o, r, s, path)];
				d = &res[crun_index(o, r, s, CRUN_DIRECT)];
				v[0][r] = x->p99_us - d->p99_us;
			}
			row->p99_added_us = stats_median(v[0], (size_t)o->conc_rounds);
		}
	}
}

/* One round against one server, started for it and stopped after. */
static int
crun_server_round(const struct options *o, int server, int round, struct conc_result *res)
{
	struct procs *p = crun_procs(o, server);
	int rc = p != NULL ? crun_round(o, p, server, round, res) : -1;

	procs_stop(p);
	return rc;
}

/* The results of the servers to run (NULL for the others); missing TestServers noted. */
static int
crun_alloc(const struct options *o, struct report *rep, struct conc_result **res)
{
	int server;

	for (server = 0; server < CRUN_NSERVERS; server++) {
		if ((o->servers & (1u << server)) == 0)
			continue;
		if ((server == CRUN_TS_PACED || server == CRUN_TS_UNPACED) && ts_dir(NULL) == NULL) {
			rep->conc_missing |= 1u << server;
			continue;
		}
		/* by default the spinning krpc-sim only runs to be compared with the TestServer */
		if (crun_spins(server) && o->servers == CRUN_DEFAULT_SERVERS && ts_dir(NULL) == NULL)
			continue;
		res[server] = calloc((size_t)o->conc_rounds * o->nconc * CRUN_NPATHS, sizeof **res);
		if (res[server] == NULL)
			return -1;
	}
	return 0;
}

/*
 * Runs the concurrent-call benchmark into the report.  Round by round, each
 * server in turn is started, measured and stopped, so that load from
 * elsewhere on the machine falls on every server alike and the servers'
 * figures compare side by side.
 */
int
run_concurrent(const struct options *o, struct report *rep)
{
	struct conc_result *res[CRUN_NSERVERS] = { NULL };
	int server, r, rc = -1;

	rep->conc = calloc(CRUN_NSERVERS * o->nconc * CRUN_NPATHS + 1, sizeof *rep->conc);
	if (rep->conc == NULL)
		return -1;
	rep->conc_rounds = o->conc_rounds;
	rep->conc_window = o->conc_window;
	if (crun_alloc(o, rep, res) != 0)
		goto done;
	for (r = 0; r < o->conc_rounds; r++) {
		for (server = 0; server < CRUN_NSERVERS; server++) {
			if (res[server] != NULL && crun_server_round(o, server, r, res[server]) != 0)
				goto done;
		}
	}
	for (server = 0; server < CRUN_NSERVERS; server++) {
		if (res[server] != NULL)
			crun_rows(o, server, res[server], rep);
	}
	rc = 0;
done:
	for (server = 0; server < CRUN_NSERVERS; server++)
		free(res[server]);
	return rc;
}
