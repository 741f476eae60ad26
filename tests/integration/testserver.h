/*
 * kRPC's own TestServer (the real server core, run with mono) as a server
 * for integration tests and benchmarks.  It lives outside the project, in
 * $KRPC_TESTSERVER or else $top_srcdir/../shared/krpc-testserver; a user's
 * clone has none, so every test that needs it skips (exit 77) with a
 * message when it is absent.
 */
#ifndef KRPC_TESTSERVER_H
#define KRPC_TESTSERVER_H

#include <stdbool.h>

#include "harness.h"

/* Exit status that makes automake report a test as skipped. */
#define TS_SKIP	77

struct testserver {
	th_proc_t	*proc;
	int		 rpc_port;		/* 0 on Unix sockets */
	int		 stream_port;
	char		 rpc_path[256];		/* "" on TCP */
	char		 stream_path[256];
	bool		 paced;
};

/*
 * The TestServer's folder, or NULL when it (or mono) is missing; why is
 * written to *why (static text) when why is not NULL.
 */
const char	*ts_dir(const char **why);
/*
 * Starts the TestServer on free loopback TCP ports, paced at 60 updates a
 * second like the game (paced) or running its update loop back to back, and
 * waits until it listens.  -1 on failure (printed), including absence.
 */
int		 ts_start(struct testserver *, bool paced);
/*
 * The same on Unix sockets (the server's --type=localsocket, which has no
 * TCP listeners); the paths must not exist yet.
 */
int		 ts_start_unix(struct testserver *, bool paced, const char *rpc_path,
		    const char *stream_path);
void		 ts_stop(struct testserver *);
/*
 * For a test program that only makes sense with the TestServer: returns if
 * it is there, else prints "SKIP: <what>: <why>" and exits with TS_SKIP.
 */
void		 ts_require(const char *what);

#endif
