/*
 * The processes under test: krpc-sim, krpcmuxd in front of it and socat as
 * the yardstick, started on free ports and temporary sockets through the
 * integration harness (which kills them if the benchmark dies), and their
 * CPU time.
 */
#include "config.h"

#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "harness.h"
#include "testserver.h"

struct procs {
	th_proc_t	*sim;		/* krpc-sim, or kRPC's TestServer */
	struct testserver ts;
	th_proc_t	*daemon;
	th_proc_t	*socat;
	int		 sim_rpc;
	int		 sim_stream;
	char		 rpc_path[108];		/* the proxy's Unix sockets */
	char		 stream_path[108];
	int		 proxy_rpc;		/* the proxy's TCP ports, 0 if none */
	int		 proxy_stream;
	int		 socat_port;
};

/* The --call-cost krpc-sim --spin runs with (--sim-call-cost). */
static char procs_call_cost[16] = "10";

/* Sets the per-request cost, in microseconds, krpc-sim --spin runs with. */
void
procs_use_sim_call_cost(int us)
{
	snprintf(procs_call_cost, sizeof procs_call_cost, "%d", us);
}

/* The imitated collector krpc-sim --spin runs with (--sim-gc), "" for none. */
static char procs_gc_every[16] = "1500", procs_gc_pause[16] = "600";

/* Makes krpc-sim --spin stop for us microseconds every n requests (n 0: never). */
void
procs_use_sim_gc(int n, int us)
{
	procs_gc_every[0] = procs_gc_pause[0] = '\0';
	if (n > 0) {
		snprintf(procs_gc_every, sizeof procs_gc_every, "%d", n);
		snprintf(procs_gc_pause, sizeof procs_gc_pause, "%d", us);
	}
}

/* The options krpc-sim --spin runs with, for the report. */
const char *
procs_sim_spin_args(void)
{
	static char text[96];

	if (procs_gc_every[0] == '\0')
		snprintf(text, sizeof text, "--spin --call-cost %s", procs_call_cost);
	else
		snprintf(text, sizeof text, "--spin --call-cost %s --gc-every %s --gc-pause %s",
		    procs_call_cost, procs_gc_every, procs_gc_pause);
	return text;
}

/* Starts krpc-sim on free TCP ports (paced or not; spin: busy like the TestServer). */
struct procs *
procs_sim(bool pacing, bool spin)
{
	const char *argv[16], *line;
	struct procs *p;
	int n = 0;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	argv[n++] = th_bin("tests/sim/krpc-sim");
	argv[n++] = "--quiet";
	argv[n++] = "--rpc-port";
	argv[n++] = "0";
	argv[n++] = "--stream-port";
	argv[n++] = "0";
	if (!pacing)
		argv[n++] = "--no-pacing";
	if (spin) {
		argv[n++] = "--spin";
		argv[n++] = "--call-cost";
		argv[n++] = procs_call_cost;
		if (procs_gc_every[0] != '\0') {
			argv[n++] = "--gc-every";
			argv[n++] = procs_gc_every;
			argv[n++] = "--gc-pause";
			argv[n++] = procs_gc_pause;
		}
	}
	argv[n] = NULL;
	if ((p->sim = th_spawn(argv, "krpc-sim: listening", 10.0)) == NULL)
		goto fail;
	line = strstr(th_proc_stdout(p->sim), "rpc=127.0.0.1:");
	if (line == NULL || sscanf(line, "rpc=127.0.0.1:%d stream=127.0.0.1:%d", &p->sim_rpc,
	    &p->sim_stream) != 2) {
		fprintf(stderr, "krpcmux-bench: no ports in krpc-sim's ready line\n");
		goto fail;
	}
	return p;
fail:
	procs_stop(p);
	return NULL;
}

/* Starts kRPC's TestServer on free TCP ports (paced at 60 Hz, or not). */
struct procs *
procs_testserver(bool pacing)
{
	struct procs *p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	if (ts_start(&p->ts, pacing) != 0) {
		free(p);
		return NULL;
	}
	p->sim = p->ts.proc;
	p->sim_rpc = p->ts.rpc_port;
	p->sim_stream = p->ts.stream_port;
	return p;
}

/* The user's configuration for krpcmuxd (--daemon-conf), or NULL. */
static const char *procs_user_conf;
/* SCHED_FIFO priority of krpcmuxd alone (--daemon-realtime), 0 for none. */
static int procs_daemon_fifo;

/* Writes the proxy's (empty) configuration file, or takes the user's; its path, or NULL. */
static const char *
procs_conf(void)
{
	const char *path = th_tmp("krpcmuxd-bench.conf");
	FILE *f;

	if (procs_user_conf != NULL)
		return procs_user_conf;
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "krpcmux-bench: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	fputs("# krpcmux-bench: every option at its default, the flags set the rest\n", f);
	fclose(f);
	return path;
}

/* Makes krpcmuxd read the user's configuration file instead of the defaults. */
void
procs_use_conf(const char *path)
{
	procs_user_conf = path;
}

/* Runs krpcmuxd alone under SCHED_FIFO at this priority (0: as everything else). */
void
procs_use_daemon_realtime(int prio)
{
	procs_daemon_fifo = prio;
}

/* krpcmuxd's own SCHED_FIFO priority, for the report (0: none). */
int
procs_daemon_realtime(void)
{
	return procs_daemon_fifo;
}

/* Puts the started krpcmuxd under SCHED_FIFO if it was asked for; false if that failed. */
static bool
procs_daemon_sched(const struct procs *p)
{
	struct sched_param sp = { .sched_priority = procs_daemon_fifo };

	if (procs_daemon_fifo <= 0)
		return true;
	if (sched_setscheduler(th_proc_pid(p->daemon), SCHED_FIFO, &sp) == 0)
		return true;
	fprintf(stderr, "krpcmux-bench: cannot run krpcmuxd under SCHED_FIFO %d: %s\n",
	    procs_daemon_fifo, strerror(errno));
	return false;
}

/* The configuration krpcmuxd reads, for the report: NULL for the defaults. */
const char *
procs_conf_name(void)
{
	return procs_user_conf;
}

/* Starts krpcmuxd in front of the simulator. */
int
procs_daemon(struct procs *p, bool tcp)
{
	static int seq;
	const char *argv[32], *conf;
	char up_rpc[16], up_stream[16], rpc[16], stream[16], name[32], want[48];
	int n = 0;

	if ((conf = procs_conf()) == NULL)
		return -1;
	snprintf(name, sizeof name, "mux%d-rpc", seq);
	snprintf(p->rpc_path, sizeof p->rpc_path, "%s", th_tmp(name));
	snprintf(name, sizeof name, "mux%d-stream", seq++);
	snprintf(p->stream_path, sizeof p->stream_path, "%s", th_tmp(name));
	snprintf(up_rpc, sizeof up_rpc, "%d", p->sim_rpc);
	snprintf(up_stream, sizeof up_stream, "%d", p->sim_stream);
	argv[n++] = th_bin("daemon/krpcmuxd");
	argv[n++] = "-f";
	argv[n++] = "-c";
	argv[n++] = conf;
	argv[n++] = "--log-level";
	argv[n++] = "warn";
	argv[n++] = "--admin-path";
	argv[n++] = "";
	argv[n++] = "--upstream-rpc-port";
	argv[n++] = up_rpc;
	argv[n++] = "--upstream-stream-port";
	argv[n++] = up_stream;
	argv[n++] = "--rpc-path";
	argv[n++] = p->rpc_path;
	argv[n++] = "--stream-path";
	argv[n++] = p->stream_path;
	if (tcp) {
		p->proxy_rpc = th_free_port();
		p->proxy_stream = th_free_port();
		snprintf(rpc, sizeof rpc, "%d", p->proxy_rpc);
		snprintf(stream, sizeof stream, "%d", p->proxy_stream);
		argv[n++] = "--rpc-port";
		argv[n++] = rpc;
		argv[n++] = "--stream-port";
		argv[n++] = stream;
	}
	argv[n] = NULL;
	if ((p->daemon = th_spawn(argv, "krpcmuxd: listening", 15.0)) == NULL || !procs_daemon_sched(p))
		return -1;
	snprintf(want, sizeof want, "rpc=127.0.0.1:%d", p->proxy_rpc);
	if (tcp && !th_proc_wait_output(p->daemon, want, 5.0)) {
		fprintf(stderr, "krpcmux-bench: krpcmuxd did not open its TCP ports\n");
		return -1;
	}
	return 0;
}

/* Starts socat forwarding a free TCP port to the simulator's RPC port. */
int
procs_socat(struct procs *p, const char *socat)
{
	char cmd[512];
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };

	/* socat logs to stderr: its "listening on" notice is the ready line. */
	p->socat_port = th_free_port();
	snprintf(cmd, sizeof cmd, "exec '%s' -d -d TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork,nodelay "
	    "TCP:127.0.0.1:%d,nodelay 2>&1", socat, p->socat_port, p->sim_rpc);
	if ((p->socat = th_spawn(argv, "listening on", 10.0)) == NULL) {
		p->socat_port = 0;
		return -1;
	}
	return 0;
}

/* Stops everything that was started. */
void
procs_stop(struct procs *p)
{
	if (p == NULL)
		return;
	th_proc_stop(p->socat);
	th_proc_stop(p->daemon);
	th_proc_stop(p->sim);
	free(p);
}

/* Fills a TCP target. */
static bool
procs_tcp(struct target *t, const char *name, int rpc, int stream)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", name);
	t->rpc_port = rpc;
	t->stream_port = stream;
	return rpc > 0;
}

/* The simulator itself. */
bool
procs_direct(const struct procs *p, struct target *t)
{
	return procs_tcp(t, "direct", p->sim_rpc, p->sim_stream);
}

/* The proxy's Unix sockets. */
bool
procs_proxy_unix(const struct procs *p, struct target *t)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "krpcmuxd-unix");
	snprintf(t->rpc_path, sizeof t->rpc_path, "%s", p->rpc_path);
	snprintf(t->stream_path, sizeof t->stream_path, "%s", p->stream_path);
	return p->daemon != NULL;
}

/* The proxy's TCP ports. */
bool
procs_proxy_tcp(const struct procs *p, struct target *t)
{
	return procs_tcp(t, "krpcmuxd-tcp", p->proxy_rpc, p->proxy_stream) && p->daemon != NULL;
}

/* socat's port (RPC only). */
bool
procs_socat_target(const struct procs *p, struct target *t)
{
	return procs_tcp(t, "socat-tcp", p->socat_port, 0) && p->socat != NULL;
}

/* The simulator's process id. */
pid_t
procs_sim_pid(const struct procs *p)
{
	return p->sim != NULL ? th_proc_pid(p->sim) : 0;
}

/* The proxy's process id (0 if not started). */
pid_t
procs_daemon_pid(const struct procs *p)
{
	return p->daemon != NULL ? th_proc_pid(p->daemon) : 0;
}

/* socat's listening process id (0 if not started). */
pid_t
procs_socat_pid(const struct procs *p)
{
	return p->socat != NULL ? th_proc_pid(p->socat) : 0;
}

/* The most recently started child of a process; 0 if none. */
pid_t
procs_child(pid_t parent)
{
	char path[300], buf[1024], *p;
	unsigned long long start, best_start = 0;
	struct dirent *e;
	pid_t best = 0;
	FILE *f;
	DIR *d;
	size_t n;
	int ppid;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* After the command name: state (3), ppid (4), ..., starttime (22). */
		if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2, "%*c %d %*s %*s %*s %*s %*s %*s "
		    "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu", &ppid, &start) != 2)
			continue;
		if (ppid == (int)parent && start >= best_start) {
			best = (pid_t)atoi(e->d_name);
			best_start = start;
		}
	}
	closedir(d);
	return best;
}

/* utime + stime from /proc/PID/stat, in seconds (clock-tick resolution). */
double
procs_cpu_stat(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the command name (which may hold spaces): state is field 3, utime 14. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * CPU seconds a process has used: its CPU-time clock (the scheduler's
 * nanosecond total that utime + stime are sampled from), else /proc.
 */
double
procs_cpu(pid_t pid)
{
	struct timespec ts;
	clockid_t clk;

	if (clock_getcpuclockid(pid, &clk) == 0 && clock_gettime(clk, &ts) == 0)
		return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return procs_cpu_stat(pid);
}
