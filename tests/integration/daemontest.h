/*
 * Helpers shared by the krpcmuxd integration tests: start the game's server
 * (krpc-sim, or kRPC's own TestServer when $KRPC_TEST_SERVER=testserver),
 * start krpcmuxd in front of it on temporary Unix sockets, open clients
 * through the proxy or straight to the server, and read the server's own
 * counters (the proof of deduplication).
 */
#ifndef KRPC_DAEMONTEST_H
#define KRPC_DAEMONTEST_H

#include <stdbool.h>
#include <stdint.h>

#include <check.h>

#include "harness.h"

struct dt {
	th_proc_t	*sim;
	int		 sim_rpc_port;		/* TCP, or 0 when the server uses Unix sockets */
	int		 sim_stream_port;
	char		 sim_rpc_path[256];	/* "" unless Unix */
	char		 sim_stream_path[256];
	th_proc_t	*daemon;
	char		 rpc[256];		/* the proxy's Unix sockets */
	char		 stream[256];
	char		 admin[256];
	int		 rpc_port;		/* the proxy's TCP ports (0: none) */
	int		 stream_port;
	char		 conf[256];		/* a configuration file written for it ("" if none) */
	th_client_t	*direct;		/* a client of the server itself */
	bool		 log_to_stdout;		/* the daemon's log (stderr) joins its stdout */
	int		 fd_limit;		/* > 0: the daemon's RLIMIT_NOFILE (soft and hard) */
};

/*
 * True when this run's server is kRPC's TestServer ($KRPC_TEST_SERVER is
 * "testserver"; unset or "krpc-sim": krpc-sim).  The first call exits 77
 * with a message if the TestServer is wanted but absent, and exits 1 on any
 * other value.
 */
bool		 dt_real(void);
/*
 * Adds test to tc, except against the TestServer, where it prints
 * "SKIP: name: why" instead (for tests that need krpc-sim itself).
 */
#define dt_add_sim_test(tc, test, why) do {				\
	if (!dt_skip_sim_only(#test, why))				\
		tcase_add_test(tc, test);				\
} while (0)
bool		 dt_skip_sim_only(const char *name, const char *why);

/*
 * Starts the server on ephemeral TCP ports (unix: on Unix sockets named
 * prefix-sim-*): krpc-sim, or the TestServer paced at 60 updates a second.
 */
int		 dt_sim_start(struct dt *, const char *prefix, bool unix_sockets);
void		 dt_sim_stop(struct dt *);
/*
 * Starts krpcmuxd in front of the server with Unix sockets prefix-rpc and
 * prefix-stream, an admin socket, a configuration file holding conf (NULL:
 * none) and extra flags; waits for its ready line (wait false: only until its
 * RPC socket listens).  -1 on failure.  $KRPCMUXD_WRAPPER, if set, is a command
 * prefix run before the daemon (e.g. "valgrind --leak-check=full
 * --log-file=/tmp/vg.%p").
 */
int		 dt_daemon_start(struct dt *, const char *prefix, const char *conf,
		    const char *const *extra, bool wait);
void		 dt_daemon_stop(struct dt *);
/* Both. */
int		 dt_start(struct dt *, const char *prefix);
void		 dt_stop(struct dt *);

/* A client through the proxy (stream: with a stream connection). */
th_client_t	*dt_client(struct dt *, const char *name, bool stream);
/* A client of the server directly. */
th_client_t	*dt_direct(struct dt *, const char *name, bool stream);
/*
 * A raw connection to the proxy's RPC or stream socket, or (direct) to the
 * server's, for handshakes compared on both.
 */
th_conn_t	*dt_connect(struct dt *, bool direct, bool stream);

/*
 * A call whose value changes on every server update on both servers, and
 * which the proxy shares between clients: KRPC.GetStatus, whose
 * stream_rpcs_executed counts the server's stream evaluations (so, with it
 * the only stream, it grows by one per update: a missed update shows).
 * TestService.Counter changes every update too, but counts per caller, so
 * its streams are each client's own (krpcmuxd(8), EACH CLIENT'S OWN
 * CONNECTION).
 */
#define DT_TICK_SERVICE		"KRPC"
#define DT_TICK_PROCEDURE	"GetStatus"
#define DT_TICK_NAME		DT_TICK_SERVICE "." DT_TICK_PROCEDURE
/* A PROCEDURE_CALL value of it. */
krpc_value_t	*dt_tick_call(void);
/* AddStream of it through c. */
uint64_t	 dt_add_tick(th_client_t *, bool start);

/* The server's GetStatus.stream_rpcs, asked directly; -1 on error. */
int		 dt_stream_rpcs(struct dt *);
/* Waits until stream_rpcs equals n; false on timeout. */
bool		 dt_wait_stream_rpcs(struct dt *, int n, double timeout);

/* The stream id in a STREAM or EVENT value (freed); UINT64_MAX if none. */
uint64_t	 dt_stream_id(krpc_value_t *, bool event);
/* AddStream through c of service.procedure with values (ownership taken). */
uint64_t	 dt_add(th_client_t *, bool start, const char *service, const char *procedure,
		    size_t nargs, ...);
/* Sends a one-call request with up to two arguments without waiting (ownership taken). */
void		 dt_send(th_client_t *, const char *service, const char *procedure, size_t nargs,
		    krpc_value_t *a0, krpc_value_t *a1);
/* StartStream / RemoveStream / SetStreamRate: true on success. */
bool		 dt_start_stream(th_client_t *, uint64_t id);
bool		 dt_remove_stream(th_client_t *, uint64_t id);
bool		 dt_set_rate(th_client_t *, uint64_t id, float hz);
/* Collects the SINT32 values of stream id for seconds; returns the count (values may be NULL). */
/*
 * Collects the values of a tick stream for seconds: each update's
 * GetStatus.stream_rpcs_executed; returns the count.
 */
int		 dt_collect_ticks(th_client_t *, uint64_t id, double seconds, int32_t *values, int max);
int		 dt_collect_ints(th_client_t *, uint64_t id, double seconds, int32_t *values,
		    int max);
/* Counts updates holding stream id within seconds. */
int		 dt_count_updates(th_client_t *, uint64_t id, double seconds);
/*
 * True once n updates of stream id have come, within timeout seconds: the
 * stream flows (a check of flow, not of rate, so a loaded machine passes).
 */
bool		 dt_flowing(th_client_t *, uint64_t id, int n, double timeout);
/* Throws away the updates already waiting on the stream connection. */
void		 dt_drain(th_client_t *);
/*
 * Throws away every update the proxy wrote to c before its last answer to
 * c.  A drain alone may come too early: the proxy writes an update and an
 * answer in one turn of its loop, to two sockets in no set order.  So one
 * more round trip first (answered in a later turn, after the earlier
 * turn's writes), then a drain.
 */
void		 dt_settle(th_client_t *);
/* True if no update for stream id arrives within seconds. */
bool		 dt_no_update(th_client_t *, uint64_t id, double seconds);

/* Writes text to a file (a configuration for a reload); fails the test if it cannot. */
void		 dt_write_file(const char *path, const char *text);

/* Sends one admin command and returns the answer (malloc'd), or NULL. */
char		*dt_admin(struct dt *, const char *command);
/* A numeric field "name value" of an admin text answer; -1 if absent. */
double		 dt_admin_number(const char *answer, const char *name);

/* Error description of a Response's first result (or request-level), malloc'd; NULL if none. */
char		*dt_error(const Krpc__Schema__Response *, char **service, char **name);

/* Runs a Check suite; the process exit status. */
int		 dt_run(Suite *);

#endif
