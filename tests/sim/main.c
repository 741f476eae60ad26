/*
 * krpc-sim: a game-less kRPC server for tests and demos.  This file reads the
 * command line (the contract in DESIGN.md), then starts the server.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const char main_usage[] =
"Usage: krpc-sim [OPTION]...\n"
"A kRPC server without the game: speaks the kRPC protocol (v0.7 line) and\n"
"offers the services KRPC, SpaceCenter (a small flight model), TestService\n"
"and Benchmark, and small Drawing and UI services, for testing kRPC clients\n"
"and proxies.  What a client owns (its drawings and UI objects, the auto-pilot\n"
"it engaged, control inputs) is released when it disconnects, as in the game.\n"
"\n"
"Listeners (TCP and Unix sockets may be used together):\n"
"  --bind ADDR          TCP address to listen on (default 127.0.0.1)\n"
"  --rpc-port N         TCP port of the RPC server (default 50000; 0 = any free)\n"
"  --stream-port N      TCP port of the stream server (default 50001; 0 = any free)\n"
"  --rpc-path P         Unix socket of the RPC server\n"
"  --stream-path P      Unix socket of the stream server (needed with --rpc-path)\n"
"  Without any of these, TCP on 127.0.0.1:50000/50001.  With only the two\n"
"  paths, no TCP listener is opened.  Socket paths: at most 100 bytes; the\n"
"  parent directory is created, a stale socket replaced, and the file\n"
"  removed on exit.\n"
"\n"
"Server:\n"
"  --update-rate HZ     server updates per second (default 60): each update\n"
"                       runs the RPCs, then evaluates the streams\n"
"  --no-pacing          run updates back to back (benchmarks); adaptive rate\n"
"                       control is off then, as on kRPC's TestServer\n"
"  --call-cost US       each request takes at least US microseconds to execute\n"
"                       (default 0; the real server's runtime takes 20 to 50)\n"
"  --spin               wait by polling instead of sleeping, using the CPU as\n"
"                       the real server does (for timing comparisons)\n"
"  --gc-every N         imitate a garbage collector: every N requests the\n"
"  --gc-pause US        server stops for US microseconds (default: never)\n"
"  --game-scene NAME    scene reported by KRPC.get_GameScene: flight (default)\n"
"                       or spacecenter; SpaceCenter procedures need flight\n"
"  --quiet              no log lines on stderr\n"
"  --help               show this help and exit\n"
"  --version            show the version and exit\n"
"\n"
"When every listener is open, one line per RPC/stream pair goes to stdout:\n"
"  krpc-sim: listening rpc=127.0.0.1:50000 stream=127.0.0.1:50001\n"
"SIGTERM or SIGINT stops the server cleanly.\n"
"\n"
"Flight model (SpaceCenter): one vessel on Kerbin's launch pad; the first\n"
"Control.ActivateNextStage launches it, thrust (scaled by the throttle)\n"
"lifts it straight up until the fuel runs out, then it coasts and falls back\n"
"to the pad.  Universal time advances 1/rate seconds per update.  See\n"
"krpc-sim(1) for the details.\n"
"\n"
"Known differences from the game's kRPC server (see krpc-sim(1)):\n"
"  - every RPC connection is accepted (no approval dialog)\n"
"  - a client that stops reading holds back only itself, never the server\n"
"  - messages over 64 MiB close the connection\n"
"  - a procedure that yields cannot be evaluated inside an expression\n"
"  - where the server fails on an exception of its own (an event whose\n"
"    expression throws, a null object inside a result's collection, a stream\n"
"    of KRPC.AddStream), krpc-sim answers\n"
"and from kRPC's TestServer (the conformance test compares them): the\n"
"default game scene is Flight (use --game-scene spacecenter), KRPC.Paused\n"
"works, GetServices lists KRPC first.\n";

enum {
	OPT_BIND = 256,
	OPT_RPC_PORT,
	OPT_STREAM_PORT,
	OPT_RPC_PATH,
	OPT_STREAM_PATH,
	OPT_RATE,
	OPT_NO_PACING,
	OPT_CALL_COST,
	OPT_SPIN,
	OPT_GC_EVERY,
	OPT_GC_PAUSE,
	OPT_QUIET,
	OPT_SCENE,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option main_options[] = {
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "rpc-port", required_argument, NULL, OPT_RPC_PORT },
	{ "stream-port", required_argument, NULL, OPT_STREAM_PORT },
	{ "rpc-path", required_argument, NULL, OPT_RPC_PATH },
	{ "stream-path", required_argument, NULL, OPT_STREAM_PATH },
	{ "update-rate", required_argument, NULL, OPT_RATE },
	{ "no-pacing", no_argument, NULL, OPT_NO_PACING },
	{ "call-cost", required_argument, NULL, OPT_CALL_COST },
	{ "spin", no_argument, NULL, OPT_SPIN },
	{ "gc-every", required_argument, NULL, OPT_GC_EVERY },
	{ "gc-pause", required_argument, NULL, OPT_GC_PAUSE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "game-scene", required_argument, NULL, OPT_SCENE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Prints one error line (with a hint at --help) and exits 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
main_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("krpc-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see krpc-sim --help)\n", stderr);
	exit(1);
}

/* A TCP port number (0 allowed). */
static int
main_port(const char *opt, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > 65535)
		main_fail("%s: not a port number: '%s'", opt, arg);
	return (int)v;
}

/* A number for option opt within (lo, hi] (lo too if closed); exits with what it must be. */
static double
main_number(const char *opt, const char *arg, double lo, double hi, bool closed, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(closed ? v >= lo : v > lo) || !(v <= hi))
		main_fail("%s: not %s: '%s'", opt, what, arg);
	return v;
}

/* A number of requests, 1 to 10^9. */
static unsigned long
main_count(const char *opt, const char *arg)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v < 1 || v > 1000000000)
		main_fail("%s: not a count between 1 and 1000000000: '%s'", opt, arg);
	return v;
}

/* A game scene by name (or number). */
static int
main_scene(const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);
	int scene;

	if (end != arg && *end == '\0' && v >= 0 && v <= 9)
		return (int)v;
	if ((scene = services_scene_parse(arg)) < 0)
		main_fail("--game-scene: unknown scene '%s' (flight, spacecenter, ...)", arg);
	return scene;
}

/* Fills o from the command line; exits on errors, --help and --version. */
static void
main_parse(int argc, char **argv, struct sim_options *o)
{
	bool tcp_asked = false;
	int c;

	opterr = 0;	/* one error line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, ":", main_options, NULL)) != -1) {
		switch (c) {
		case OPT_BIND: o->bind = optarg; tcp_asked = true; break;
		case OPT_RPC_PORT: o->rpc_port = main_port("--rpc-port", optarg); tcp_asked = true; break;
		case OPT_STREAM_PORT:
			o->stream_port = main_port("--stream-port", optarg);
			tcp_asked = true;
			break;
		case OPT_RPC_PATH: o->rpc_path = optarg; break;
		case OPT_STREAM_PATH: o->stream_path = optarg; break;
		case OPT_RATE:
			o->rate = main_number("--update-rate", optarg, 0, 100000, false,
			    "a rate between 0 and 100000 Hz");
			break;
		case OPT_NO_PACING: o->pacing = false; break;
		case OPT_CALL_COST:
			o->call_cost = main_number("--call-cost", optarg, 0, 1e6, true,
			    "a time between 0 and 1000000 us") / 1e6;
			break;
		case OPT_SPIN: o->spin = true; break;
		case OPT_GC_EVERY:
			o->gc_every = main_count("--gc-every", optarg);
			break;
		case OPT_GC_PAUSE:
			o->gc_pause = main_number("--gc-pause", optarg, 0, 1e6, true,
			    "a time between 0 and 1000000 us") / 1e6;
			o->gc_pause_set = true;
			break;
		case OPT_QUIET: o->quiet = true; break;
		case OPT_SCENE: o->scene = main_scene(optarg); break;
		case OPT_HELP: fputs(main_usage, stdout); exit(0);
		case OPT_VERSION:
			printf("krpc-sim (%s) %s, kRPC server %s\n", PACKAGE_NAME, PACKAGE_VERSION,
			    SIM_VERSION);
			exit(0);
		case ':':
			main_fail("%s needs an argument", argv[optind - 1]);
		default:
			main_fail("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		main_fail("unexpected argument '%s'", argv[optind]);
	if ((o->rpc_path == NULL) != (o->stream_path == NULL))
		main_fail("--rpc-path and --stream-path go together");
	if ((o->gc_every > 0) != o->gc_pause_set)
		main_fail("--gc-every and --gc-pause go together");
	if (o->rpc_path != NULL && o->rpc_path[0] == '\0')
		main_fail("--rpc-path: empty path");
	if (o->stream_path != NULL && o->stream_path[0] == '\0')
		main_fail("--stream-path: empty path");
	o->tcp = tcp_asked || o->rpc_path == NULL;
	if (o->tcp && o->rpc_port == o->stream_port && o->rpc_port != 0)
		main_fail("--rpc-port and --stream-port must differ");
}

/* Parses the command line, then runs the server until a signal. */
int
main(int argc, char **argv)
{
	struct sim_options o = {
		.bind = "127.0.0.1",
		.rpc_port = 50000,
		.stream_port = 50001,
		.rate = 60.0,
		.pacing = true,
		.scene = SIM_SCENE_FLIGHT,
	};
	sim_server_t *s;
	int rc;

	main_parse(argc, argv, &o);
	if ((s = server_new(&o)) == NULL)
		return 1;
	rc = server_run(s);
	server_free(s);
	return rc;
}
