/*
 * Integration test harness: starts real processes (krpc-sim, krpcmuxd, ...)
 * on temporary ports and Unix sockets, waits for their ready line, kills them
 * on exit (even when the test process itself is killed), and speaks kRPC over
 * real sockets with the codec from lib/.
 *
 * Every function that can fail prints why to stderr and returns NULL or -1,
 * so tests can ck_assert on the result and the log says what went wrong.
 */
#ifndef KRPC_HARNESS_H
#define KRPC_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec.h"

/* ---- Processes ------------------------------------------------------ */

typedef struct th_proc th_proc_t;

/*
 * Starts argv (argv[0] a path; use th_bin() for built programs) with stdout
 * to a file, stderr inherited, and SIGKILL delivered to it if the test
 * process dies.  Waits up to timeout seconds for a stdout line containing
 * ready (NULL: do not wait).  NULL if it exits or times out first.
 */
th_proc_t	*th_spawn(const char *const argv[], const char *ready, double timeout);
pid_t		 th_proc_pid(const th_proc_t *);
/* Everything the process has written to stdout so far (NUL-terminated, static until the next call). */
const char	*th_proc_stdout(th_proc_t *);
/* Waits up to timeout seconds for a stdout line containing text. */
bool		 th_proc_wait_output(th_proc_t *, const char *text, double timeout);
/* Sends a signal. */
void		 th_proc_signal(th_proc_t *, int sig);
/*
 * Waits up to timeout seconds for the process to exit; returns its wait
 * status, or -1 if it is still running (it is then killed).
 */
int		 th_proc_wait(th_proc_t *, double timeout);
/* SIGTERM, wait up to 5 s, SIGKILL if needed, then release. */
void		 th_proc_stop(th_proc_t *);
/* Stops every process this test process started (also run at exit). */
void		 th_cleanup(void);

/* ---- Places --------------------------------------------------------- */

/* A free TCP port on 127.0.0.1 (bound and released: good enough on loopback). */
int		 th_free_port(void);
/* A private temporary directory, removed with its contents at exit. */
const char	*th_tmpdir(void);
/* th_tmpdir()/name, in static storage rotating over 8 slots. */
const char	*th_tmp(const char *name);
/* $top_builddir/rel (or ./rel), in static storage rotating over 8 slots. */
const char	*th_bin(const char *rel);
/* $top_srcdir/rel (or ./rel). */
const char	*th_src(const char *rel);
/* Monotonic seconds. */
double		 th_now(void);
/* Sleeps for seconds. */
void		 th_sleep(double seconds);

/* ---- Raw connections ------------------------------------------------ */

typedef struct th_conn th_conn_t;

th_conn_t	*th_connect_tcp(int port);
/* The same from a given local address (e.g. "127.0.0.2"). */
th_conn_t	*th_connect_tcp_from(const char *source, int port);
/* NULL with errno set if the connection failed. */
th_conn_t	*th_connect_unix(const char *path);
void		 th_conn_close(th_conn_t *);
int		 th_conn_fd(const th_conn_t *);
/* Writes bytes as they are (for malformed input tests). 0 or -1. */
int		 th_send_raw(th_conn_t *, const void *, size_t);
/* Writes one framed message (prefix + body in one write). 0 or -1. */
int		 th_send_frame(th_conn_t *, const void *body, size_t len);
int		 th_send_msg(th_conn_t *, const ProtobufCMessage *);
/*
 * Reads one framed message within timeout seconds.  Returns 1 with the body
 * (valid until the next receive on this connection), 0 on timeout, -1 if
 * the peer closed or sent a bad frame.
 */
int		 th_recv_frame(th_conn_t *, double timeout, const uint8_t **body, size_t *len);
/* True if the peer closes the connection within timeout seconds (data read meanwhile is discarded). */
bool		 th_wait_closed(th_conn_t *, double timeout);
/*
 * Sends a ConnectionRequest and reads the ConnectionResponse (NULL on
 * timeout or close).  Free with krpc__schema__connection_response__free_unpacked.
 */
Krpc__Schema__ConnectionResponse *th_handshake(th_conn_t *, int type, const char *name,
		    const uint8_t *id, size_t idlen, double timeout);

/* ---- Clients -------------------------------------------------------- */

typedef struct th_client {
	th_conn_t	*rpc;
	th_conn_t	*stream;	/* NULL if opened without one */
	uint8_t		 id[16];
} th_client_t;

/* RPC and (if stream_port > 0) stream connections, both handshaken. */
th_client_t	*th_client_tcp(int rpc_port, int stream_port, const char *name);
th_client_t	*th_client_unix(const char *rpc_path, const char *stream_path, const char *name);
void		 th_client_close(th_client_t *);

/*
 * Sends a one-call request and returns the Response (NULL on timeout/close,
 * 10 s).  args are nargs krpc_value_t * (ownership taken; NULL = omitted).
 * Free with krpc__schema__response__free_unpacked.
 */
Krpc__Schema__Response *th_call(th_client_t *, const char *service, const char *procedure,
		    size_t nargs, ...);
Krpc__Schema__Response *th_vcall(th_client_t *, const char *service, const char *procedure,
		    size_t nargs, va_list);
/* Appends one call to a request being built (same argument convention). */
void		 th_request_add(krpc_buf_t *request, const char *service, const char *procedure,
		    size_t nargs, ...);
/* Sends a request built with th_request_add() (no wait). 0 or -1. */
int		 th_send_request(th_client_t *, const krpc_buf_t *request);
/* Reads the next Response (NULL on timeout or close). */
Krpc__Schema__Response *th_recv_response(th_client_t *, double timeout);

/*
 * Calls and decodes the single result with type text (krpc_type_parse()).
 * NULL (with the error printed) if the request or the call failed.
 */
krpc_value_t	*th_call_value(th_client_t *, const char *type, const char *service,
		    const char *procedure, size_t nargs, ...);
/*
 * Calls and returns the call-level (or request-level) error description,
 * malloc'd; NULL if the call succeeded.  *service and *name receive the
 * error's service and name (malloc'd) when not NULL.
 */
char		*th_call_error(th_client_t *, char **service, char **name, const char *svc,
		    const char *procedure, size_t nargs, ...);

/* The tuple (x, y, z) of doubles: a vector or a position. */
krpc_value_t	*th_vec3(double x, double y, double z);
/* A PROCEDURE_CALL value for the call (for AddStream, Expression.Call). */
krpc_value_t	*th_proc_call(const char *service, const char *procedure, size_t nargs, ...);

/* AddStream(call, start) → stream id, or UINT64_MAX on error (printed). Takes ownership of call. */
uint64_t	 th_add_stream(th_client_t *, krpc_value_t *call, bool start);
/* Reads the next StreamUpdate (NULL on timeout/close). Free with krpc__schema__stream_update__free_unpacked. */
Krpc__Schema__StreamUpdate *th_recv_update(th_client_t *, double timeout);
/*
 * Waits up to timeout for an update holding stream id and decodes its value
 * with type text; other updates are skipped.  NULL on timeout.  If the
 * result is an error, returns NULL and copies the description to err (if
 * not NULL, errlen bytes).
 */
krpc_value_t	*th_wait_stream(th_client_t *, uint64_t id, const char *type, double timeout,
		    char *err, size_t errlen);

/* Decodes hex ("0a01") into bytes (static storage, 8 rotating slots of 4 KiB). */
const uint8_t	*th_hex(const char *hex, size_t *len);

#endif
