/*
 * krpcmux-bench: the command line, the descriptor limit, and the report
 * written at the end (text on stdout, Markdown and raw lines on request).
 */
#include "config.h"

#include <sys/resource.h>

#include <errno.h>
#include <sched.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"

static const char main_usage_text[] =
"usage: krpcmux-bench [options]\n"
"\n"
"Benchmarks krpcmuxd against krpc-sim on this machine (loopback, temporary\n"
"ports and sockets) and prints the figures: round-trip latency direct, through\n"
"krpcmuxd (Unix and TCP) and through socat; stream fan-out to many clients.\n"
"The programs are found under $top_builddir (default: the current directory).\n"
"\n"
"  --quick              one round, fewer calls, shorter windows\n"
"  --rounds N           rounds of each benchmark; each figure is the median over\n"
"                       them (default: 5 of latency, 3 of fan-out)\n"
"  --latency-rounds N   rounds of the latency benchmark alone\n"
"  --calls N            timed calls per latency run (default 10000)\n"
"  --warmup-calls N     untimed calls first (default 500)\n"
"  --window S           fan-out measurement window, seconds (default 5)\n"
"  --warmup S           fan-out seconds before the window (default 1)\n"
"  --clients LIST       fan-out client counts through krpcmuxd's Unix sockets\n"
"                       (default 1,10,100,1000)\n"
"  --tcp-clients LIST   and through its TCP ports (default 1000; \"\" for none)\n"
"  --direct-clients LIST  and straight to the server (default 1,10,100,1000; \"\" for none)\n"
"  --fanout-sets LIST   fan-out suites, of ut (krpc-sim's UT), status (GetStatus\n"
"                       from kRPC's TestServer, where installed) and flight10 (ten\n"
"                       streams per client); default all three\n"
"  --fan10-clients LIST  client counts of the ten-stream suite, on every path\n"
"                       (default 1000)\n"
"  --socat PATH         socat for the comparison (default socat; \"\" to skip it)\n"
"  --conc-paths LIST    paths of the concurrent-call benchmark besides direct, of\n"
"                       unix, tcp, socat (default all three)\n"
"  --sim-call-cost US   per-request cost of the sim-spin servers, microseconds\n"
"                       (default 10)\n"
"  --sim-gc N,US        the sim-spin servers stop for US microseconds every N\n"
"                       requests, as mono's collector stops the TestServer\n"
"                       (default 1500,600; none: never)\n"
"  --daemon-realtime N  run krpcmuxd alone under SCHED_FIFO at priority N, 1..99\n"
"                       (root), as its systemd unit's CPUSchedulingPolicy=fifo does\n"
"  --daemon-conf FILE   krpcmuxd's configuration file (default: every option at its\n"
"                       default; the listening and upstream addresses are the\n"
"                       benchmark's own either way)\n"
"  --concurrent LIST    concurrent-call client counts (default 1,4,16,64)\n"
"  --conc-rounds N      rounds of the concurrent-call benchmark (default 3)\n"
"  --conc-window S      seconds timed per concurrent run (default 3)\n"
"  --servers LIST       servers for the concurrent-call benchmark, of testserver,\n"
"                       testserver-unpaced, sim, sim-unpaced, sim-spin,\n"
"                       sim-spin-unpaced (default all six; kRPC's TestServer and\n"
"                       the sim-spin pair only where the TestServer is installed,\n"
"                       see README); sim-spin is krpc-sim --spin --call-cost N with\n"
"                       an imitated collector (--sim-call-cost, --sim-gc), timed\n"
"                       on the direct path only, to compare with the TestServer\n"
"  --no-latency         skip the latency benchmark\n"
"  --no-fanout          skip the fan-out benchmark\n"
"  --no-concurrent      skip the concurrent-call benchmark\n"
"  --nice N             run everything at this priority, -20..19 (default -10: the\n"
"                       servers, krpcmuxd and the clients all inherit it, so other\n"
"                       load on the machine disturbs the figures less; needs root,\n"
"                       otherwise the priority stays as it is)\n"
"  --realtime N         run everything under SCHED_FIFO at priority N, 1..99 (needs\n"
"                       root): other load on the machine then runs only while the\n"
"                       benchmark's processes wait, the way to measure on a busy\n"
"                       machine; the kernel still keeps 5% of each second for others\n"
"  --markdown FILE      also write the report as Markdown\n"
"  --raw FILE           also write one tab-separated line per run\n"
"  -h, --help           this text\n";

enum {
	OPT_QUICK = 256,
	OPT_ROUNDS,
	OPT_LAT_ROUNDS,
	OPT_CALLS,
	OPT_WARMUP_CALLS,
	OPT_WINDOW,
	OPT_WARMUP,
	OPT_CLIENTS,
	OPT_TCP,
	OPT_DIRECT,
	OPT_SOCAT,
	OPT_NO_LATENCY,
	OPT_NO_FANOUT,
	OPT_CONC,
	OPT_CONC_ROUNDS,
	OPT_CONC_WINDOW,
	OPT_SERVERS,
	OPT_NO_CONC,
	OPT_NICE,
	OPT_REALTIME,
	OPT_DAEMON_CONF,
	OPT_DAEMON_RT,
	OPT_CONC_PATHS,
	OPT_SIM_COST,
	OPT_SIM_GC,
	OPT_FANSETS,
	OPT_FAN10,
	OPT_MARKDOWN,
	OPT_RAW,
};

static const struct option main_longopts[] = {
	{ "quick", no_argument, NULL, OPT_QUICK },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "latency-rounds", required_argument, NULL, OPT_LAT_ROUNDS },
	{ "calls", required_argument, NULL, OPT_CALLS },
	{ "warmup-calls", required_argument, NULL, OPT_WARMUP_CALLS },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "clients", required_argument, NULL, OPT_CLIENTS },
	{ "tcp-clients", required_argument, NULL, OPT_TCP },
	{ "direct-clients", required_argument, NULL, OPT_DIRECT },
	{ "socat", required_argument, NULL, OPT_SOCAT },
	{ "no-latency", no_argument, NULL, OPT_NO_LATENCY },
	{ "no-fanout", no_argument, NULL, OPT_NO_FANOUT },
	{ "concurrent", required_argument, NULL, OPT_CONC },
	{ "conc-rounds", required_argument, NULL, OPT_CONC_ROUNDS },
	{ "conc-window", required_argument, NULL, OPT_CONC_WINDOW },
	{ "servers", required_argument, NULL, OPT_SERVERS },
	{ "no-concurrent", no_argument, NULL, OPT_NO_CONC },
	{ "nice", required_argument, NULL, OPT_NICE },
	{ "realtime", required_argument, NULL, OPT_REALTIME },
	{ "daemon-conf", required_argument, NULL, OPT_DAEMON_CONF },
	{ "daemon-realtime", required_argument, NULL, OPT_DAEMON_RT },
	{ "conc-paths", required_argument, NULL, OPT_CONC_PATHS },
	{ "sim-call-cost", required_argument, NULL, OPT_SIM_COST },
	{ "sim-gc", required_argument, NULL, OPT_SIM_GC },
	{ "fanout-sets", required_argument, NULL, OPT_FANSETS },
	{ "fan10-clients", required_argument, NULL, OPT_FAN10 },
	{ "markdown", required_argument, NULL, OPT_MARKDOWN },
	{ "raw", required_argument, NULL, OPT_RAW },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Prints a one-line error and exits 2. */
static void __attribute__((noreturn, format(printf, 1, 2)))
main_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("krpcmux-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	exit(2);
}

/* A positive integer option. */
static size_t
main_count(const char *opt, const char *arg, size_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || *end != '\0' || end == arg || v < 1 || v > max)
		main_fail("--%s: expected a whole number from 1 to %zu, got \"%s\"", opt, max, arg);
	return (size_t)v;
}

/* --sim-gc N,US: the sim-spin servers' imitated collector. */
static void
main_sim_gc(const char *arg)
{
	char buf[64], *us;

	if (strcmp(arg, "none") == 0) {
		procs_use_sim_gc(0, 0);
		return;
	}
	snprintf(buf, sizeof buf, "%s", arg);
	if ((us = strchr(buf, ',')) == NULL)
		main_fail("--sim-gc: expected N,US (requests between pauses, microseconds), got \"%s\"",
		    arg);
	*us++ = '\0';
	procs_use_sim_gc((int)main_count("sim-gc", buf, 1000000000),
	    (int)main_count("sim-gc", us, 1000000));
}

/* A positive number of seconds. */
static double
main_seconds(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (*end != '\0' || end == arg || !(v > 0 && v <= 3600))
		main_fail("--%s: expected seconds (0 to 3600), got \"%s\"", opt, arg);
	return v;
}

/* A comma-separated list of client counts ("" is an empty list). */
static size_t
main_list(const char *opt, const char *arg, size_t *out)
{
	char buf[256], *tok, *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof buf, "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (n == BENCH_SIZES_MAX)
			main_fail("--%s: at most %d counts", opt, BENCH_SIZES_MAX);
		out[n++] = main_count(opt, tok, 100000);
	}
	return n;
}

/* Switches to SCHED_FIFO at a priority (0: stays as it is); children inherit it. */
static void
main_realtime(int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	if (prio > 0 && sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
		fprintf(stderr, "krpcmux-bench: cannot run under SCHED_FIFO at %d (%s): "
		    "running at normal scheduling\n", prio, strerror(errno));
}

/* A priority from -20 to 19. */
static int
main_nice(const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end != '\0' || end == arg || v < -20 || v > 19)
		main_fail("--nice: expected a whole number from -20 to 19, got \"%s\"", arg);
	return (int)v;
}

/* A comma-separated list of names out of names[n], as a bit set (1 << index). */
static unsigned
main_names(const char *opt, const char *arg, const char *const *names, int n)
{
	char buf[256], *tok, *save = NULL;
	unsigned set = 0;
	int i;

	snprintf(buf, sizeof buf, "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n && strcmp(tok, names[i]) != 0; i++)
			;
		if (i == n)
			main_fail("--%s: unknown name \"%s\" (see --help)", opt, tok);
		set |= 1u << i;
	}
	return set;
}

/* The defaults, and the quick preset. */
static void
main_defaults(struct options *o, bool quick)
{
	static const size_t sizes[] = { 1, 10, 100, 1000 };
	static const size_t csizes[] = { 1, 4, 16, 64 };

	memset(o, 0, sizeof *o);
	o->rounds = quick ? 1 : 3;
	o->lat_rounds = quick ? 1 : 5;
	o->calls = quick ? 2000 : 10000;
	o->warmup_calls = quick ? 200 : 500;
	o->window = quick ? 2.0 : 5.0;
	o->warmup = quick ? 0.5 : 1.0;
	memcpy(o->clients, sizes, sizeof sizes);
	o->nclients = 4;
	o->tcp[0] = 1000;
	o->ntcp = 1;
	memcpy(o->direct, sizes, sizeof sizes);
	o->ndirect = 4;
	o->socat = "socat";
	o->conc_paths = 0xf;	/* direct, unix, tcp, socat */
	o->latency = o->fanout = o->concurrent = true;
	memcpy(o->conc, csizes, sizeof csizes);
	o->nconc = quick ? 2 : 4;
	o->conc_rounds = quick ? 1 : 3;
	o->conc_window = quick ? 1.0 : 3.0;
	o->conc_warmup = quick ? 0.2 : 0.5;
	o->servers = CRUN_DEFAULT_SERVERS;
	o->nice = -10;
	o->fansets = (1u << FANSET_N) - 1;
	o->fan10[0] = quick ? 100 : 1000;
	o->nfan10 = 1;
}

/* Opens an output file or fails. */
static FILE *
main_open(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		main_fail("%s: %s", path, strerror(errno));
	return f;
}

/* Parses the command line (--quick first, so later options refine it). */
static void
main_parse(int argc, char **argv, struct options *o, const char **markdown, const char **raw)
{
	int c, i;
	bool quick = false;

	for (i = 1; i < argc; i++)
		quick |= strcmp(argv[i], "--quick") == 0;
	main_defaults(o, quick);
	while ((c = getopt_long(argc, argv, "h", main_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_QUICK: break;
		case OPT_ROUNDS:
			o->rounds = o->lat_rounds = (int)main_count("rounds", optarg, BENCH_ROUNDS_MAX);
			break;
		case OPT_LAT_ROUNDS:
			o->lat_rounds = (int)main_count("latency-rounds", optarg, BENCH_ROUNDS_MAX);
			break;
		case OPT_CALLS: o->calls = main_count("calls", optarg, 10000000); break;
		case OPT_WARMUP_CALLS: o->warmup_calls = main_count("warmup-calls", optarg, 10000000); break;
		case OPT_WINDOW: o->window = main_seconds("window", optarg); break;
		case OPT_WARMUP: o->warmup = main_seconds("warmup", optarg); break;
		case OPT_CLIENTS: o->nclients = main_list("clients", optarg, o->clients); break;
		case OPT_TCP: o->ntcp = main_list("tcp-clients", optarg, o->tcp); break;
		case OPT_DIRECT: o->ndirect = main_list("direct-clients", optarg, o->direct); break;
		case OPT_SOCAT: o->socat = *optarg != '\0' ? optarg : NULL; break;
		case OPT_NO_LATENCY: o->latency = false; break;
		case OPT_NO_FANOUT: o->fanout = false; break;
		case OPT_CONC: o->nconc = main_list("concurrent", optarg, o->conc); break;
		case OPT_CONC_ROUNDS:
			o->conc_rounds = (int)main_count("conc-rounds", optarg, BENCH_ROUNDS_MAX);
			break;
		case OPT_CONC_WINDOW: o->conc_window = main_seconds("conc-window", optarg); break;
		case OPT_SERVERS: o->servers = main_names("servers", optarg, crun_server_keys, CRUN_NSERVERS); break;
		case OPT_NO_CONC: o->concurrent = false; break;
		case OPT_NICE: o->nice = main_nice(optarg); break;
		case OPT_REALTIME: o->realtime = (int)main_count("realtime", optarg, 99); break;
		case OPT_FANSETS: o->fansets = main_names("fanout-sets", optarg, fanset_names, FANSET_N); break;
		case OPT_FAN10: o->nfan10 = main_list("fan10-clients", optarg, o->fan10); break;
		case OPT_MARKDOWN: *markdown = optarg; break;
		case OPT_RAW: *raw = optarg; break;
		case OPT_DAEMON_CONF: procs_use_conf(optarg); break;
		case OPT_CONC_PATHS:
			o->conc_paths = main_names("conc-paths", optarg, crun_path_keys, 4) | 1u;
			break;
		case OPT_SIM_COST:
			procs_use_sim_call_cost((int)main_count("sim-call-cost", optarg, 1000000));
			break;
		case OPT_SIM_GC: main_sim_gc(optarg); break;
		case OPT_DAEMON_RT:
			procs_use_daemon_realtime((int)main_count("daemon-realtime", optarg, 99));
			break;
		case 'h': fputs(main_usage_text, stdout); exit(0);
		default: fputs(main_usage_text, stderr); exit(2);
		}
	}
	if (optind < argc)
		main_fail("unexpected argument \"%s\"", argv[optind]);
}

/*
 * Raises the soft descriptor limit to the hard one: 1000 clients take two
 * sockets each here, and krpc-sim (which inherits the limit) as many.
 */
static void
main_rlimit(size_t clients)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 2 * clients + 64)
		main_fail("%zu clients need %zu descriptors; the limit is %llu (ulimit -Hn)", clients,
		    2 * clients + 64, (unsigned long long)rl.rlim_cur);
}

/* The largest client count asked for. */
static size_t
main_max_clients(const struct options *o)
{
	size_t i, m = 0;

	for (i = 0; i < o->nclients; i++)
		m = o->clients[i] > m ? o->clients[i] : m;
	for (i = 0; i < o->ntcp; i++)
		m = o->tcp[i] > m ? o->tcp[i] : m;
	for (i = 0; i < o->ndirect; i++)
		m = o->direct[i] > m ? o->direct[i] : m;
	for (i = 0; i < o->nfan10; i++)
		m = o->fan10[i] > m ? o->fan10[i] : m;
	return o->fanout ? m : 0;
}

/* Runs the benchmarks asked for and writes the report. */
int
main(int argc, char **argv)
{
	static struct report rep;
	struct options o;
	const char *markdown = NULL, *raw = NULL;
	FILE *md = NULL;
	int rc = 0;

	main_parse(argc, argv, &o, &markdown, &raw);
	main_rlimit(main_max_clients(&o));
	if (markdown != NULL)
		md = main_open(markdown);
	if (raw != NULL) {
		o.raw = main_open(raw);
		fputs("# latency\tround\tcall\tpath\tcalls\tmedian_us\tp99_us\tmean_us\tmin_us\tmax_us\tcpu_us\n"
		    "# fanout\tround\tpath\tclients\tseconds\tvalues\tvalues_per_s\tper_client_per_s"
		    "\tmin_client_per_s\tproxy_cpu\tproxy_us_per_value\tsim_cpu\tgen_cpu\tstream_rpcs"
		    "\tevals_per_s\tspread_med_ms\tspread_p99_ms\tanomalies\tproxy_cpu_stat\tset\n"
		    "# concurrent\tserver\tround\tpath\tclients\tcalls\tcalls_per_s\tp50_us\tp99_us"
		    "\tproxy_cpu\n", o.raw);
	}
	/* Processes started from here inherit the priority; without root it stays as it was. */
	errno = 0;
	if (setpriority(PRIO_PROCESS, 0, o.nice) != 0)
		fprintf(stderr, "krpcmux-bench: cannot run at priority %d (%s); running at %d\n", o.nice,
		    strerror(errno), getpriority(PRIO_PROCESS, 0));
	main_realtime(o.realtime);
	machine_read(&rep.machine);
	rep.machine.nice = getpriority(PRIO_PROCESS, 0);
	rep.machine.realtime = sched_getscheduler(0) == SCHED_FIFO ? o.realtime : 0;
	if (o.latency && run_latency(&o, &rep) != 0)
		rc = 1;
	if (rc == 0 && o.fanout && run_fanout(&o, &rep) != 0)
		rc = 1;
	if (rc == 0 && o.concurrent && run_concurrent(&o, &rep) != 0)
		rc = 1;
	machine_load(rep.machine.load_after, sizeof rep.machine.load_after);
	if (rc == 0) {
		report_write(stdout, &rep, false);
		if (md != NULL)
			report_write(md, &rep, true);
	}
	if (md != NULL && fclose(md) != 0)
		rc = 1;
	if (o.raw != NULL && fclose(o.raw) != 0)
		rc = 1;
	run_free(&rep);
	th_cleanup();
	return rc;
}
