/*
 * krpcmux-bench, the benchmark behind `make bench`: declarations shared by
 * its modules (one section per file, each file's functions prefixed by its
 * name).  The load is generated with the wire codec from lib/ directly.
 */
#ifndef KRPCMUX_BENCH_H
#define KRPCMUX_BENCH_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"

/* Where benchmark clients connect: TCP ports on 127.0.0.1, or Unix sockets. */
struct target {
	char	 name[32];	/* "direct", "krpcmuxd-unix", ... */
	int	 rpc_port;	/* TCP if > 0 */
	int	 stream_port;
	char	 rpc_path[108];
	char	 stream_path[108];
};

#define BENCH_ROUNDS_MAX	16
#define RUN_LAT_BLOCK		100	/* latency calls on one path before the next one's turn */
#define BENCH_SIZES_MAX		8	/* client counts in a list */

/* What a benchmark run does (main.c reads it from the command line). */
struct options {
	int		 rounds;	/* fan-out rounds */
	int		 lat_rounds;	/* latency rounds */
	size_t		 calls;		/* timed latency calls per run */
	size_t		 warmup_calls;
	double		 window;	/* fan-out measurement window, seconds */
	double		 warmup;	/* fan-out seconds before the window */
	size_t		 clients[BENCH_SIZES_MAX];	/* fan-out client counts through the proxy */
	size_t		 nclients;
	size_t		 tcp[BENCH_SIZES_MAX];	/* through the proxy's TCP ports */
	size_t		 ntcp;
	size_t		 direct[BENCH_SIZES_MAX];	/* and straight to the server */
	size_t		 ndirect;
	size_t		 fan10[BENCH_SIZES_MAX];	/* ten-stream clients, on every path */
	size_t		 nfan10;
	unsigned	 fansets;	/* 1 << FANSET_* of the fan-out suites to run */
	const char	*socat;		/* NULL: no socat comparison */
	bool		 latency;
	bool		 fanout;
	bool		 concurrent;
	size_t		 conc[BENCH_SIZES_MAX];	/* concurrent clients per run */
	size_t		 nconc;
	int		 conc_rounds;
	double		 conc_window;	/* seconds timed per run */
	double		 conc_warmup;
	unsigned	 servers;	/* 1 << CRUN_* of the servers to run it against */
	unsigned	 conc_paths;	/* 1 << path of the paths to measure (direct always) */
	int		 nice;		/* priority to run at (root: below 0 keeps other load off) */
	int		 realtime;	/* SCHED_FIFO priority (root), 0 for none */
	FILE		*raw;		/* one line per run, tab-separated; NULL: none */
};

/* The servers the concurrent-call benchmark runs against. */
enum crun_server {
	CRUN_TS_PACED,		/* kRPC's TestServer, 60 updates/s like the game */
	CRUN_TS_UNPACED,
	CRUN_SIM_PACED,		/* krpc-sim */
	CRUN_SIM_UNPACED,
	CRUN_SIMSPIN_PACED,	/* krpc-sim --spin --call-cost N: the TestServer's CPU use */
	CRUN_SIMSPIN_UNPACED,
	CRUN_NSERVERS
};

/* The servers run unless --servers names others: all of them. */
#define CRUN_DEFAULT_SERVERS	((1u << CRUN_NSERVERS) - 1)

/* ---- run.c: the two benchmarks, rounds and medians --------------------- */

struct report;

/* Runs the latency benchmark into the report; -1 if a run failed. */
int		 run_latency(const struct options *, struct report *);
/* Runs the fan-out benchmark into the report; -1 if a run failed. */
int		 run_fanout(const struct options *, struct report *);
/* Frees what the runs added to the report. */
void		 run_free(struct report *);

/* ---- net.c: blocking kRPC connections on the codec --------------------- */

struct net_conn;

/* Connects the RPC (stream false) or stream socket of a target; NULL with a message on stderr. */
struct net_conn	*net_open(const struct target *, bool stream);
void		 net_close(struct net_conn *);
int		 net_fd(const struct net_conn *);
/* Writes all the bytes (one write in practice). 0 or -1. */
int		 net_send(struct net_conn *, const void *, size_t);
/*
 * Reads one whole frame, blocking up to the socket's receive timeout
 * (NET_TIMEOUT).  1 with the body (valid until the next read), -1 on
 * timeout, close or a bad frame.
 */
int		 net_recv(struct net_conn *, const uint8_t **body, size_t *len);
/* Non-blocking mode for fan-out: reads what is there. >0 bytes, 0 nothing, -1 closed. */
int		 net_fill(struct net_conn *);
/* The next frame already read: 1 with it, 0 if none is complete, -1 if the bytes are bad. */
int		 net_next(struct net_conn *, const uint8_t **body, size_t *len);
/* Makes the socket non-blocking. */
int		 net_nonblock(struct net_conn *);
/* An RPC connection to a target, handshake done; NULL with a message on stderr. */
struct net_conn	*net_client(const struct target *, const char *name);
/* Appends a framed ConnectionRequest (id: 16 bytes for STREAM, else NULL). */
void		 net_hello(krpc_buf_t *, bool stream, const char *name, const uint8_t *id);
/* Reads the ConnectionResponse; 0 with the 16-byte id, -1 with a message on stderr. */
int		 net_hello_reply(struct net_conn *, uint8_t id[16]);
/* Appends a framed Request holding one call. */
void		 net_request(krpc_buf_t *, const char *service, const char *procedure,
		    const krpc_msg_arg_t *, size_t nargs);
/*
 * Reads a Response to a one-call request: 0 with the result's value (valid
 * until the next read; absent for void), -1 with why (the error's text).
 */
int		 net_result(const uint8_t *, size_t, const uint8_t **value, size_t *len,
		    char *why, size_t whylen);
/* Reads a ProcedureResult (as net_result). */
int		 net_value(const uint8_t *, size_t, const uint8_t **value, size_t *len,
		    char *why, size_t whylen);
/* Sends a framed request and reads its result (as net_result). */
int		 net_call(struct net_conn *, const krpc_buf_t *request, const uint8_t **value,
		    size_t *len, char *why, size_t whylen);

#define NET_TIMEOUT	10	/* seconds any single read may block */

/* ---- status.c: the server's KRPC.GetStatus, asked directly ------------- */

struct status {
	uint32_t	 stream_rpcs;		/* streams registered now */
	uint64_t	 stream_rpcs_executed;	/* total stream evaluations */
	uint64_t	 rpcs_executed;
	double		 when;			/* monotonic time the answer arrived */
};

/* Calls GetStatus over an open RPC connection. 0 or -1 (message on stderr). */
int		 status_get(struct net_conn *, struct status *);

/* ---- stats.c: order statistics ----------------------------------------- */

/* Sorts in place; the q-quantile (0..1) of n samples by nearest rank. */
void		 stats_sort(double *, size_t);
double		 stats_quantile(const double *sorted, size_t n, double q);
/* The median of n values (copied and sorted; NaNs ignored); NaN if none. */
double		 stats_median(const double *, size_t n);

/* ---- procs.c: the processes under test --------------------------------- */

struct procs;

/*
 * Starts krpc-sim on free TCP ports (paced at 60 Hz, or not; spin: with
 * --spin --call-cost N, using the CPU as the TestServer does).  NULL on failure.
 */
struct procs	*procs_sim(bool pacing, bool spin);
/* Starts kRPC's TestServer on free TCP ports instead (paced or not). NULL on failure or absence. */
struct procs	*procs_testserver(bool pacing);
/* Starts krpcmuxd in front of the simulator: Unix sockets, and TCP if tcp. -1 on failure. */
int		 procs_daemon(struct procs *, bool tcp);
/* krpcmuxd reads this configuration file (NULL: the defaults). */
void		 procs_use_conf(const char *);
const char	*procs_conf_name(void);
/* krpcmuxd alone runs under SCHED_FIFO at this priority (0: as everything else). */
void		 procs_use_daemon_realtime(int);
/* krpc-sim --spin's --call-cost, microseconds (default 25). */
void		 procs_use_sim_call_cost(int);
/* krpc-sim --spin's imitated collector: a pause of us microseconds every n requests (n 0: none). */
void		 procs_use_sim_gc(int n, int us);
/* The options krpc-sim --spin runs with ("--spin --call-cost 10 ..."). */
const char	*procs_sim_spin_args(void);
int		 procs_daemon_realtime(void);
/* Starts socat forwarding a free TCP port to the simulator's RPC port. -1 on failure. */
int		 procs_socat(struct procs *, const char *socat);
/* Stops everything that was started and frees. */
void		 procs_stop(struct procs *);
/* The targets: the simulator itself, the proxy's sockets, socat. false if not running. */
bool		 procs_direct(const struct procs *, struct target *);
bool		 procs_proxy_unix(const struct procs *, struct target *);
bool		 procs_proxy_tcp(const struct procs *, struct target *);
bool		 procs_socat_target(const struct procs *, struct target *);
pid_t		 procs_sim_pid(const struct procs *);
pid_t		 procs_daemon_pid(const struct procs *);
pid_t		 procs_socat_pid(const struct procs *);
/* The most recently started child of a process (socat forks one per connection); 0 if none. */
pid_t		 procs_child(pid_t);
/* CPU seconds a process (all its threads) has used, to the nanosecond; -1 if unknown. */
double		 procs_cpu(pid_t);
/* The same from /proc/PID/stat's utime + stime (clock ticks, usually 10 ms); -1 if unknown. */
double		 procs_cpu_stat(pid_t);

/* ---- latency.c: sequential round trips --------------------------------- */

enum latency_proc {
	LATENCY_GETSTATUS,
	LATENCY_FLOATTOSTRING,
	LATENCY_NPROCS
};

struct latency_result {
	size_t	 calls;
	double	 median_us;
	double	 p99_us;
	double	 mean_us;
	double	 min_us;
	double	 max_us;
	double	 cpu_us;	/* the forwarder's CPU per timed call; NaN if none */
};

/* The process in the path between client and server, if any. */
struct latency_forwarder {
	pid_t	 pid;		/* 0: none (direct) */
	bool	 child;		/* it forks a child per connection that does the work */
};

struct latency_conn;

/* "KRPC.GetStatus" or "TestService.FloatToString". */
const char	*latency_proc_name(enum latency_proc);
/* A client on a fresh RPC connection (handshake done); NULL on failure. */
struct latency_conn *latency_open(const struct target *, const struct latency_forwarder *);
void		 latency_close(struct latency_conn *);
/*
 * Makes n calls one after the other, storing each round trip in us[]
 * (microseconds; NULL: untimed warm-up) and adding the forwarder's CPU
 * seconds over them to *cpu (if not NULL).  -1 on failure.
 */
int		 latency_calls(struct latency_conn *, enum latency_proc, size_t n, double *us,
		    double *cpu);
/* One timed call: its round trip in microseconds, or -1 (printed). */
double		 latency_one(struct latency_conn *, enum latency_proc);
/* Median, p99 and so on of n round trips (sorted in place). */
void		 latency_summary(double *us, size_t n, struct latency_result *);

/* ---- fanout.c: many clients sharing one stream ------------------------- */

/* ---- fanset.c: what fan-out clients subscribe to ----------------------- */

enum fanset_kind {
	FANSET_UT,		/* krpc-sim's SpaceCenter.get_UT */
	FANSET_STATUS,		/* KRPC.GetStatus, any server */
	FANSET_FLIGHT10,	/* ten krpc-sim flight values of a launched rocket */
	FANSET_N
};

#define FANSET_MAX	10

struct fanset {
	enum fanset_kind kind;
	krpc_buf_t	 call[FANSET_MAX];	/* serialised ProcedureCalls */
	size_t		 n;
};

extern const char *const fanset_names[FANSET_N];	/* "ut", "status", "flight10" */

/* Prepares a set's calls; c: a direct connection to the server (flight10 launches). -1 on failure. */
int		 fanset_prepare(struct fanset *, enum fanset_kind, struct net_conn *c);
void		 fanset_free(struct fanset *);
/*
 * Checks the value of the set's stream i: false if malformed.  *x is a
 * number that grows every update when *tracked (the first stream).
 */
bool		 fanset_value(const struct fanset *, size_t i, const uint8_t *v, size_t len,
		    double *x, bool *tracked);

struct fanout_params {
	const struct fanset	*set;		/* what every client subscribes to */
	const struct target	*target;	/* where the clients connect */
	const struct target	*server;	/* the simulator, asked for its status */
	pid_t			 proxy_pid;	/* 0 when the clients talk to the server */
	pid_t			 sim_pid;
	size_t			 clients;
	double			 warmup;	/* seconds before the window */
	double			 window;	/* seconds measured */
};

struct fanout_result {
	size_t		 clients;
	double		 seconds;		/* actual window */
	uint64_t	 values;		/* stream values received, all clients */
	double		 values_per_s;
	double		 per_client_per_s;	/* mean */
	double		 min_client_per_s;	/* the slowest client */
	double		 proxy_cpu;		/* cores (CPU seconds per second); NaN direct */
	double		 proxy_us_per_value;	/* proxy CPU per delivered value; NaN direct */
	double		 proxy_cpu_stat;	/* proxy_cpu from /proc/PID/stat, a cross-check */
	double		 sim_cpu;		/* cores */
	double		 gen_cpu;		/* this program's own CPU, cores */
	uint32_t	 stream_rpcs;		/* streams the server holds, during the window */
	double		 evals_per_s;		/* server stream evaluations per second */
	double		 spread_med_ms;		/* first to last client reading a value; NaN for 1 client */
	double		 spread_p99_ms;
	uint64_t	 anomalies;		/* errors, unknown ids, values not increasing */
	double		 update_bytes;		/* mean body of one client's StreamUpdate */
	int		 failed;		/* runs that failed (a row: of its rounds) */
};

/* One run: connect the clients, subscribe, measure, disconnect. -1 on failure. */
int		 fanout_run(const struct fanout_params *, struct fanout_result *);

/* ---- floor.c: what the kernel alone costs fan-out ------------------------ */

/*
 * A child writing a len-byte message to each of n Unix sockets 60 times a
 * second, read here with epoll: its CPU over the window, in cores (NaN on
 * failure).
 */
double		 floor_run(size_t clients, size_t len, double warmup, double window);

/* ---- concurrent.c: many clients calling at once ------------------------ */

struct conc_params {
	const struct target	*target;
	pid_t			 proxy_pid;	/* its CPU is measured; 0: none */
	size_t			 clients;
	double			 warmup;	/* seconds of calls before the window */
	double			 window;	/* seconds timed */
};

struct conc_result {
	size_t		 clients;
	uint64_t	 calls;		/* timed calls, all clients */
	double		 calls_per_s;
	double		 p50_us;	/* round trips, all clients together */
	double		 p99_us;
	double		 proxy_cpu;	/* cores; NaN without a proxy */
};

/* One run: N client processes calling FloatToString for the window. -1 on failure. */
int		 conc_run(const struct conc_params *, struct conc_result *);

/* ---- crun.c: the concurrent-call benchmark's rounds ----------------- */

extern const char *const crun_server_names[CRUN_NSERVERS];
extern const char *const crun_path_keys[4];	/* "direct", "unix", "tcp", "socat" */
extern const char *const crun_server_keys[CRUN_NSERVERS];	/* "testserver", "sim-unpaced", ... */

/* Runs the concurrent-call benchmark into the report; -1 if a run failed. */
int		 run_concurrent(const struct options *, struct report *);

/* ---- machine.c: what the figures were measured on ---------------------- */

struct machine {
	char	 cpu[128];
	int	 cores;		/* online */
	char	 kernel[256];
	char	 load_before[64];	/* /proc/loadavg's three averages */
	char	 load_after[64];
	char	 date[32];	/* UTC */
	char	 memory[32];
	int	 nice;		/* the benchmark's scheduling priority (its processes inherit it) */
	int	 realtime;	/* its SCHED_FIFO priority, 0 if it runs normally */
};

void		 machine_read(struct machine *);
/* The load averages now. */
void		 machine_load(char *, size_t);

/* ---- report.c: tables as text and Markdown ----------------------------- */

struct lat_row {
	const char	*proc;
	const char	*path;
	double		 median_us;	/* median over rounds */
	double		 p99_us;
	double		 added_us;	/* median - direct's median in the same round; NaN direct */
	double		 added_p99_us;	/* p99 - direct's p99 in the same round */
	double		 vs_socat;	/* added / socat's added in the same round; NaN if not the proxy */
	double		 vs_socat_min;	/* that ratio's lowest and highest round */
	double		 vs_socat_max;
	double		 cpu_us;	/* the forwarder's CPU per call; NaN direct */
};

struct fan_row {
	const char		*suite;	/* the suite's title */
	int			 set;	/* FANSET_* */
	double			 floor;	/* Unix, ten streams: floor_run()'s cores, median; NaN if none */
	const char		*path;	/* "krpcmuxd (Unix)", ... */
	bool			 proxy;	/* through krpcmuxd */
	struct fanout_result	 r;	/* each field the median over rounds */
};

struct conc_row {
	const char	*server;	/* crun_server_names[] */
	const char	*path;
	bool		 proxy;
	bool		 control;	/* socat: a comparison, not held to the targets */
	size_t		 clients;
	double		 calls_per_s;	/* medians over rounds */
	double		 p50_us;
	double		 p99_us;
	double		 ratio;		/* calls/s over direct's, same round; median */
	double		 p99_added_us;	/* p99 minus direct's, same round; median */
};

struct report {
	struct machine	 machine;
	int		 lat_rounds;
	int		 fan_rounds;
	size_t		 calls;
	double		 window;
	bool		 socat;
	struct lat_row	*lat;
	size_t		 nlat;
	struct fan_row	*fan;
	size_t		 nfan;
	struct conc_row	*conc;
	size_t		 nconc;
	int		 conc_rounds;
	double		 conc_window;
	unsigned	 conc_missing;	/* 1 << CRUN_* of servers that were not there */
	unsigned	 fan_missing;	/* 1 << FANSET_* of suites not run (no TestServer) */
};

/* Writes the tables, the ratios and the targets, as text or Markdown. */
void		 report_write(FILE *, const struct report *, bool markdown);

#endif
