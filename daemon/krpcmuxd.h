/*
 * krpcmuxd, the kRPC multiplexing proxy: declarations shared by its modules.
 * One section per file; each file's functions carry the file name as prefix.
 * Structures live here only when several modules truly share them.
 */
#ifndef KRPCMUXD_H
#define KRPCMUXD_H

#include <sys/types.h>
#include <sys/queue.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "codec.h"

struct client;
struct entry;
struct ledger;
struct peer;
struct rreq;
struct sub;
struct upcall;

/* The event loop, owned by main.c. */
extern struct event_base *ev_base;

/* ---- xmalloc.c: allocation that logs and aborts on exhaustion ------- */

void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
void		*xmemdup(const void *, size_t);
int		 xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));
int		 xvasprintf(char **, const char *, va_list) __attribute__((format(printf, 2, 0)));
/* Aborts if a codec buffer ran out of memory while being built. */
void		 xbuf_check(const krpc_buf_t *);

/* ---- util.c: randomness, small helpers (the clock: krpc_time_now()) -- */

/* Fills a buffer with random bytes (getrandom, falling back to a PRNG). */
void		 util_random(void *, size_t);
/* A uniform random double in [0, 1). */
double		 util_random_unit(void);
/* Copies text without control bytes (they become '?'), cut to fit: client names in logs. */
void		 util_printable(char *, size_t, const char *);
/* A timeval for a delay in seconds. */
#define UTIL_DELAY_MAX	(365.0 * 86400)	/* a timer's longest delay: a year */
struct timeval	 util_timeval(double);
/* $XDG_RUNTIME_DIR/dir/name or /tmp/dir-USER/name; NULL with why on failure. */
char		*util_runtime_path(const char *dir, const char *name, char *why, size_t whylen);

/* ---- htab.c: byte-string keyed hash table ---------------------------- */

struct htab;

/* A new table; the first one draws the process's random hash secret. */
struct htab	*htab_new(void);
void		 htab_free(struct htab *);
void		 htab_clear(struct htab *);
void		*htab_get(struct htab *, const void *key, size_t len);
void		 htab_put(struct htab *, const void *key, size_t len, void *value);
void		*htab_del(struct htab *, const void *key, size_t len);
void		 htab_del_value(struct htab *, const void *key, size_t len, void *value);
size_t		 htab_count(const struct htab *);
/* The keyed hash the tables use, its secret (tests set a known one), and SipHash-c-d itself. */
uint64_t	 htab_hash(const void *key, size_t len);
void		 htab_seed(const uint8_t secret[16]);
uint64_t	 htab_siphash(const uint64_t secret[2], int c, int d, const void *key, size_t len);

/* ---- wire.c: message shapes read and written by hand ------------------ */

struct wire_slice {
	const uint8_t	*data;
	size_t		 len;
};

/* Splits a Response (error: data NULL if none); false if malformed or over max results. */
bool		 wire_response_split(const uint8_t *, size_t, struct wire_slice *error,
		    struct wire_slice *results, size_t max, size_t *n);
bool		 wire_result_parse(const uint8_t *, size_t, bool *is_error, struct wire_slice *value);
bool		 wire_stream_id(const uint8_t *, size_t, uint64_t *);
bool		 wire_event_id(const uint8_t *, size_t, uint64_t *);
void		 wire_stream(krpc_buf_t *, uint64_t id);
void		 wire_event(krpc_buf_t *, uint64_t id);
void		 wire_error(krpc_buf_t *, const char *service, const char *name, const char *description);
void		 wire_result_error(krpc_buf_t *, const char *service, const char *name,
		    const char *description);
void		 wire_result_value(krpc_buf_t *, const void *value, size_t len);
void		 wire_response_error(krpc_buf_t *, const uint8_t *error, size_t len);
void		 wire_call(krpc_buf_t *, const char *service, const char *procedure,
		    const krpc_msg_arg_t *args, size_t nargs);
void		 wire_stream_result(krpc_buf_t *, uint64_t id, const uint8_t *result, size_t len);

/* ---- log.c: levelled logging to stderr or syslog -------------------- */

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void		 log_open(bool use_syslog);
void		 log_close(void);
void		 log_set_level(enum log_level);
enum log_level	 log_get_level(void);
bool		 log_enabled(enum log_level);
/* Parses "error", "warn", "info" or "debug". */
bool		 log_level_parse(const char *, enum log_level *);
const char	*log_level_name(enum log_level);
/* One line at level; prefix names the connection it concerns (NULL: none). */
void		 log_msg(enum log_level, const char *prefix, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 log_vmsg(enum log_level, const char *prefix, const char *fmt, va_list)
		    __attribute__((format(printf, 3, 0)));
void		 log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* A line that a peer can cause at will: at most one per interval, the others counted. */
struct log_rate {
	double		 last;		/* when a line was last written */
	unsigned long	 held;		/* lines held back since */
};
void		 log_rated(struct log_rate *, double interval, enum log_level, const char *prefix,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define log_error(p, ...)	log_msg(LOG_LEVEL_ERROR, p, __VA_ARGS__)
#define log_warn(p, ...)	log_msg(LOG_LEVEL_WARN, p, __VA_ARGS__)
#define log_info(p, ...)	log_msg(LOG_LEVEL_INFO, p, __VA_ARGS__)
#define log_debug(p, ...) do {						\
	if (log_enabled(LOG_LEVEL_DEBUG))				\
		log_msg(LOG_LEVEL_DEBUG, p, __VA_ARGS__);		\
} while (0)

/* ---- defer.c: frees run after the current event callback ------------ */

void		 defer_init(void);
/* Calls fn(ptr) once the event loop has left the current callback. */
void		 defer_free(void (*fn)(void *), void *ptr);
/* Runs everything pending now (shutdown). */
void		 defer_flush(void);

/* ---- stats.c: counters, declared once -------------------------------- */

#define STATS_COUNTERS(X)						\
	X(clients_accepted, "downstream RPC connections accepted")	\
	X(clients_refused, "connections refused (client limit, game not reachable in time)") \
	X(clients_dropped, "clients dropped for a malformed request or frame") \
	X(handshakes_failed, "downstream handshakes that failed")	\
	X(requests, "requests received from clients")			\
	X(calls, "procedure calls received from clients")		\
	X(calls_local, "calls the proxy answered itself")		\
	X(requests_split, "requests split into several steps")		\
	X(upstream_requests, "requests sent upstream")			\
	X(upstream_slow_requests, "requests sent over a slow lane")	\
	X(upstream_batches, "upstream Requests joining several requests") \
	X(upstream_batched_requests, "requests sent upstream inside such a batch") \
	X(upstream_batch_retries, "batches that failed to decode upstream and were sent again piecemeal") \
	X(streams_refused, "stream connections refused: a second one, or from another peer than the client") \
	X(sessions_opened, "clients' own upstream sessions opened (calls tied to the caller)") \
	X(session_requests, "requests sent over a client's own session") \
	X(ledger_taken, "things clients took that the game gives back to a leaving client (ledger)") \
	X(ledger_released, "calls sent to give back what clients that left or cleared had taken") \
	X(ledger_refused, "Removes of another client's object refused as the game would") \
	X(upstream_sessions, "upstream sessions established")		\
	X(upstream_failures, "upstream connections lost or refused")	\
	X(upstream_reconnects, "connection attempts to the server after a failure (with backoff)") \
	X(upstream_updates, "stream updates received from upstream")	\
	X(add_stream_calls, "AddStream calls from clients")		\
	X(add_stream_shared, "AddStream calls served by an existing upstream stream") \
	X(add_stream_upstream, "AddStream calls sent upstream (new upstream streams)") \
	X(updates_sent, "stream updates sent to clients")		\
	X(values_sent, "stream values sent to clients")			\
	X(values_conflated, "values held back for a slow or rate-limited client") \
	X(late_responses, "upstream responses discarded (client gone)") \
	X(clients_denied, "connections refused by access.users, access.groups or access.addresses") \
	X(clients_over_user_limit, "connections refused over limits.clients_per_user") \
	X(handshake_timeouts, "connections that sent no whole ConnectionRequest within limits.handshake_timeout") \
	X(message_timeouts, "clients dropped for leaving a message half sent for limits.message_timeout") \
	X(streams_over_limit, "calls refused for adding a stream or event over limits.client_streams") \
	X(requests_over_call_limit, "requests refused for holding more calls than limits.client_calls") \
	X(clients_throttled, "times a client's reading stopped at limits.client_requests unanswered requests") \
	X(upstream_probes, "probes (KRPC.GetStatus) sent to a silent server while requests waited") \
	X(upstream_stalls, "upstream sessions ended because the server sent nothing for upstream.stall_timeout") \
	X(closed_unread, "client connections closed holding bytes the proxy never parsed (sent as it closed them)") \
	X(closed_unread_bytes, "bytes those connections held unread")

struct stats {
#define STATS_FIELD(name, help) uint64_t name;
	STATS_COUNTERS(STATS_FIELD)
#undef STATS_FIELD
};

extern struct stats stats;

#define stats_inc(name)		(stats.name++)
#define stats_add(name, n)	(stats.name += (n))

/* Calls fn for each counter, in declaration order. */
void		 stats_foreach(void (*fn)(const char *name, const char *help, uint64_t value, void *),
		    void *);

/*
 * The request latency histogram: seconds from a client's request arriving to
 * its response being written.  counts[i] holds the observations in
 * (bounds[i-1], bounds[i]]; counts[STATS_LATENCY_BUCKETS] those above the
 * last bound.
 */
#define STATS_LATENCY_BUCKETS	14
struct stats_latency {
	uint64_t	 counts[STATS_LATENCY_BUCKETS + 1];
	uint64_t	 count;
	double		 sum;
};

extern const double stats_latency_bounds[STATS_LATENCY_BUCKETS];
extern struct stats_latency stats_latency;

/* Records one request's latency in seconds. */
void		 stats_observe_latency(double seconds);

/* ---- config.c: the option table, the file and the flags ------------- */

struct config {
	char		*upstream_address;
	int		 upstream_rpc_port;
	int		 upstream_stream_port;
	char		*upstream_rpc_path;
	char		*upstream_stream_path;
	char		*upstream_client_name;
	double		 upstream_wait;
	double		 upstream_connect_timeout;
	double		 upstream_retry_min;
	double		 upstream_retry_max;
	double		 upstream_stall_timeout;
	int		 upstream_slow_lanes;
	int		 upstream_batch_calls;
	char		**upstream_slow_procedures;	/* NULL-terminated */
	char		**upstream_isolate;		/* NULL-terminated */
	char		*listen_rpc_path;
	char		*listen_stream_path;
	int		 listen_socket_mode;
	char		*listen_address;
	int		 listen_rpc_port;
	int		 listen_stream_port;
	int		 limits_max_clients;
	int		 limits_max_message_size;
	int		 limits_output_high;
	int		 limits_output_low;
	double		 limits_stop_timeout;
	double		 limits_handshake_timeout;
	double		 limits_message_timeout;
	int		 limits_client_streams;
	int		 limits_client_calls;
	int		 limits_client_requests;
	int		 limits_clients_per_user;
	char		**access_users;		/* NULL-terminated */
	char		**access_groups;
	char		**access_addresses;
	struct access	*access;		/* the lists resolved (access.c) */
	int		 log_level;		/* enum log_level */
	bool		 log_syslog;
	char		*admin_path;
};

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_DOUBLE,
	CONFIG_BOOL,
	CONFIG_MODE,		/* octal file mode written as a string, "0600" */
	CONFIG_LEVEL,		/* a log level name */
	CONFIG_LIST,		/* a list of strings */
};

struct config_option {
	const char		*path;		/* "upstream.rpc_port" */
	const char		*flag;		/* "upstream-rpc-port", or NULL */
	enum config_type	 type;
	const char		*def;		/* default as text (lists: comma-separated) */
	double			 min, max;	/* CONFIG_INT and CONFIG_DOUBLE */
	bool			 reloadable;
	size_t			 offset;	/* into struct config */
	const char		*help;
};

/* The option table, terminated by a NULL path. */
extern const struct config_option config_options[];

/* The configuration in force; swapped whole on reload. */
extern struct config *cfg;

/* A flag given on the command line, applied over the file. */
struct config_flag {
	const struct config_option	*option;
	char				*value;
};

/*
 * Reads file (NULL: defaults only; missing_ok: a missing file is fine), then
 * applies flags.  NULL with a one-line reason in why on any error.
 */
struct config	*config_load(const char *file, bool missing_ok, const struct config_flag *flags,
		    size_t nflags, char *why, size_t whylen);
void		 config_free(struct config *);
/* The option a command-line flag names (without "--"), or NULL. */
const struct config_option *config_find_flag(const char *flag);
const struct config_option *config_find(const char *path);
/* Writes the value of an option as text (for -t, the admin socket and logs). */
void		 config_format(const struct config *, const struct config_option *, char *, size_t);
/* True if a and b differ in the option. */
bool		 config_differs(const struct config *, const struct config *, const struct config_option *);
/* Gives to the value of an option in from (reload keeps non-reloadable options). */
void		 config_swap_option(struct config *to, struct config *from, const struct config_option *);
/* True if the procedure ("Service.Procedure") is in the slow-lane list. */
bool		 config_is_slow(const struct config *, const char *service, const char *procedure);

/* ---- peer.c: one framed kRPC connection ------------------------------ */

enum peer_state {
	PEER_CONNECTING,	/* outgoing connect in progress */
	PEER_HANDSHAKE,		/* waiting for the ConnectionRequest/Response */
	PEER_READY,		/* handshake done, messages flow */
	PEER_CLOSING,		/* flushing output, then closed */
	PEER_DEAD,		/* closed; freed after this loop iteration */
};

enum peer_transport {
	PEER_TCP,
	PEER_UNIX,
};

struct peer_ops {
	/* A whole message; msg NULL means the peer is gone (peer_reason() says why). */
	void	(*dispatch)(struct peer *, const uint8_t *msg, size_t len, void *arg);
	/* Optional: an outgoing connection completed. */
	void	(*connected)(struct peer *, void *arg);
	/* Optional: output fell to the low watermark after peer_want_drain(). */
	void	(*drained)(struct peer *, void *arg);
	/* Optional: the timer set with peer_set_timer() fired. */
	void	(*timeout)(struct peer *, void *arg);
	/*
	 * Optional: the other side shut its writing down (end of file).  With
	 * it, the peer stays open for writing and reads no more; without it,
	 * the end of file makes the peer gone.
	 */
	void	(*eof)(struct peer *, void *arg);
};

/* Wraps an accepted or connected socket. name prefixes its log lines. */
struct peer	*peer_new(int fd, enum peer_transport, const char *name, size_t max_message,
		    const struct peer_ops *, void *arg);
/* Starts an outgoing connection (state CONNECTING); NULL with why on immediate failure. */
struct peer	*peer_connect(const char *address, int port, const char *path, const char *name,
		    size_t max_message, const struct peer_ops *, void *arg, char *why, size_t whylen);
/* Changes the state, logging the transition. */
void		 peer_set_state(struct peer *, enum peer_state);
enum peer_state	 peer_state(const struct peer *);
const char	*peer_state_name(enum peer_state);
/* Renames the peer in its log lines. */
void		 peer_set_name(struct peer *, const char *);
const char	*peer_name(const struct peer *);
/* Changes who receives the callbacks. */
void		 peer_set_callbacks(struct peer *, const struct peer_ops *, void *arg);
/* Sends one framed message: prefix and body contiguous, in one write. */
void		 peer_send(struct peer *, const void *body, size_t len);
/* Sends a packed protobuf message as one frame. */
void		 peer_send_msg(struct peer *, const ProtobufCMessage *);
/* Bytes waiting to be written. */
size_t		 peer_output(const struct peer *);
/* Asks for one drained() callback when the output falls to low bytes. */
void		 peer_want_drain(struct peer *, size_t low);
/* Stops or resumes handing messages over (backpressure). */
void		 peer_pause(struct peer *, bool);
/* Throws input away until further notice (handshake rules). */
void		 peer_discard(struct peer *, bool);
/* From a dispatch callback: drops the input that followed the message. */
void		 peer_drop_input(struct peer *);
/* Reads and dispatches what the socket holds now, without waiting. */
void		 peer_pull(struct peer *);
/* Drops the peer if a message stays half sent, nothing more arriving, for seconds (0: never). */
void		 peer_set_message_timeout(struct peer *, double seconds);
/* Arms (seconds > 0) or disarms (0) the single timer. */
void		 peer_set_timer(struct peer *, double seconds);
/* Counts the bytes it leaves unread when it closes in stats (closed_unread, _bytes). */
void		 peer_count_unread(struct peer *);
/* Closes now, or once the output is written (bounded wait) when flush is true. */
void		 peer_close(struct peer *, bool flush);
/* Why the peer went away (valid in the dispatch(NULL) callback). */
const char	*peer_reason(const struct peer *);
/* True if the peer went away because it sent a malformed or oversize frame. */
bool		 peer_bad_frame(const struct peer *);
/* True if it went away because a message stayed half sent for the message timeout. */
bool		 peer_timed_out(const struct peer *);
int		 peer_fd(const struct peer *);
/* Peers not yet freed. */
size_t		 peer_count(void);
/* Closes every peer at once (exit). */
void		 peer_close_all(void);

/* ---- listener.c: downstream sockets ---------------------------------- */

enum listen_kind {
	LISTEN_RPC,
	LISTEN_STREAM,
};

/* Opens every configured listener (or adopts systemd's); false with why. */
bool		 listener_open_all(const struct config *, char *why, size_t whylen);
/* Closes the listeners and removes the socket files the daemon created. */
void		 listener_close_all(void);
/* Stops or resumes accepting (out of descriptors: see listener_error_cb). */
void		 listener_pause(bool);
/* Writes the ready line(s): "krpcmuxd: listening rpc=... stream=...". */
void		 listener_print_ready(FILE *);
/* The Unix socket paths in use (NULL if none): for get_Clients addresses. */
const char	*listener_rpc_path(void);
/* Creates the directories, checks the path, binds and listens; -1 with why. */
/* The device and inode of the file at path (zero if none). */
void		 listener_identify(const char *path, dev_t *, ino_t *);
/* Removes a socket file only if it is still the one created (dev, ino). */
void		 listener_unlink(const char *path, dev_t, ino_t);
int		 listener_unix_socket(const char *path, int mode, char *why, size_t whylen);

/* ---- access.c: who may connect ---------------------------------------- */

/* Resolves a configuration's access lists (names to ids); NULL with why. */
struct access	*access_parse(const struct config *, char *why, size_t whylen);
void		 access_free(struct access *);
/*
 * Whether a peer may connect (Unix: its user and groups; TCP: its address):
 * NULL if it may, else the handshake refusal saying why, written into buf.
 */
const char	*access_check(const struct access *, int fd, enum peer_transport,
		    const char *address, char *buf, size_t len);

/* ---- client.c: downstream clients ------------------------------------ */

enum client_state {
	CLIENT_HANDSHAKE,	/* waiting for the RPC ConnectionRequest */
	CLIENT_WAITING,		/* request received, waiting for the upstream */
	CLIENT_READY,
	CLIENT_CLOSING,
};

TAILQ_HEAD(rreq_list, rreq);
TAILQ_HEAD(sub_list, sub);

struct client {
	uint64_t		 serial;	/* "client 12" */
	enum client_state	 state;
	struct peer		*rpc;
	struct peer		*stream;	/* NULL until a stream connection is bound */
	uint8_t			 id[16];
	char			*name;		/* client_name from the handshake */
	char			*address;	/* get_Clients address: socket path or peer IP */
	enum peer_transport	 transport;
	pid_t			 pid;		/* Unix peers: SO_PEERCRED, else 0 */
	uid_t			 uid;		/* Unix peers: SO_PEERCRED (has_cred) */
	bool			 has_cred;
	uint8_t			 public_id[16];	/* what get_Clients shows other clients */
	char			*refusal;	/* answered to its handshake instead (denied, over a limit) */
	bool			 half_closed;	/* it shut its writing: close once answered */
	char			*prefix;	/* log prefix */
	struct event		*wait_timer;	/* CLIENT_WAITING deadline */

	struct rreq_list	 requests;	/* FIFO: responses leave in this order */
	size_t			 nrequests;
	size_t			 request_bytes;	/* their sizes: read, not yet answered */
	bool			 paused;	/* reading stopped: output over the high mark */
	bool			 throttle_logged; /* its limits.client_requests pause was logged */

	struct session		*session;	/* its own upstream session, once it needs one */
	struct ledger		*ledger;	/* what it took for the game to give back */
	struct sub_list		 subs;		/* all its streams and events */
	size_t			 nsubs;		/* limits.client_streams */
	struct sub_list		 pending;	/* fanout: values held back */
	uint64_t		 calls;		/* calls it sent (admin listings, rates) */
	uint64_t		 values;	/* stream values sent to it */
	struct event		*fan_timer;	/* fanout: next rate window */
	krpc_buf_t		 fan_out;	/* fanout: StreamUpdate being built */
	bool			 fan_dirty;	/* fanout: on the dirty list */
	bool			 fan_blocked;	/* fanout: stream output over the high mark */
	TAILQ_ENTRY(client)	 fan_link;

	TAILQ_ENTRY(client)	 link;
	bool			 dead;
};

TAILQ_HEAD(client_list, client);

/* Takes an accepted socket from a listener. address: socket path or peer IP. */
void		 client_accept(int fd, enum listen_kind, enum peer_transport, const char *address);
/* The live clients (READY), in connection order. */
const struct client_list *client_all(void);
size_t		 client_count(void);
/* The upstream session is ready: answer the handshakes that waited. */
void		 client_upstream_ready(void);
/* The upstream session is gone: fail everything, close every client. */
void		 client_upstream_lost(const char *reason);
/* Drops a client (protocol error or its RPC connection closed). */
void		 client_lost(struct client *, const char *reason);
/* Closes every client (shutdown). */
void		 client_close_all(void);
/*
 * Shutdown: reads no client any more and closes each once its requests are
 * answered and written; handshakes are refused.  The clients still waiting
 * for answers then count in client_count().
 */
void		 client_drain_all(void);
/* Shutdown: answers every ready client's pending requests (desc: the error) and closes it. */
void		 client_fail_all(const char *desc);
/* Pauses or resumes reading a client by its output and queued requests (router_events.output). */
void		 client_check_output(struct client *);

/* ---- limits.c: what one client or one user may hold ------------------- */

/*
 * Counts a new client against its user (Unix) or address (TCP) until
 * limits_user_leave(): false if that makes more than limits.clients_per_user.
 */
bool		 limits_user_join(const struct client *);
void		 limits_user_leave(const struct client *);
/* The handshake refusal for a client over limits.clients_per_user (malloc'd; counted, logged). */
char		*limits_user_refusal(const struct client *);
/* True if the client may hold adding more streams; else result is the call's error. */
bool		 limits_streams_ok(const struct client *, size_t adding, krpc_buf_t *result);
/* NULL if a request of ncalls may run, else its request-level error (into buf). */
const char	*limits_calls_refusal(const struct client *, size_t ncalls, char *buf, size_t len);
/* How many clients the descriptor limit holds (SIZE_MAX: no bound). */
void		 limits_set_fd_cap(size_t);
/* The most clients served: limits.max_clients, or what the descriptor limit holds if fewer. */
size_t		 limits_max_clients(void);
/* The handshake refusal for a client over limits_max_clients() (static storage). */
const char	*limits_clients_refusal(void);

/* ---- schema.c: the cached GetServices -------------------------------- */

enum schema_kind {
	SCHEMA_PLAIN,		/* forwarded as it is */
	SCHEMA_CLIENT_ID,	/* KRPC.GetClientID */
	SCHEMA_CLIENT_NAME,	/* KRPC.GetClientName */
	SCHEMA_CLIENTS,		/* KRPC.get_Clients */
	SCHEMA_ADD_STREAM,	/* KRPC.AddStream */
	SCHEMA_START_STREAM,	/* KRPC.StartStream */
	SCHEMA_SET_RATE,	/* KRPC.SetStreamRate */
	SCHEMA_REMOVE_STREAM,	/* KRPC.RemoveStream */
	SCHEMA_OWNED,		/* returns STREAM or EVENT (AddEvent, OnTimer...) */
	SCHEMA_HOLD_TICK,	/* KRPC.HoldTick */
	SCHEMA_RELEASE_TICK,	/* KRPC.ReleaseTick */
};

struct schema_proc {
	const char			*service;
	const char			*name;
	const Krpc__Schema__Procedure	*desc;
	enum schema_kind		 kind;
	bool				 returns_event;	/* EVENT rather than STREAM */
	bool				 slow;		/* known to yield: slow lane */
	bool				 isolated;	/* tied to its caller: the client's own session */
	const struct rule		*rule;		/* the ledger's rule (shared connection only) */
	bool				 takes_call;	/* has a PROCEDURE_CALL parameter */
};

/* Loads a GetServices result (the bare Services message); false with why. */
bool		 schema_load(const uint8_t *, size_t, char *why, size_t whylen);
void		 schema_reset(void);
bool		 schema_loaded(void);
/* The procedure a call names, by name or numeric ids; NULL if unknown. */
const struct schema_proc *schema_lookup(const Krpc__Schema__ProcedureCall *);
const struct schema_proc *schema_find(const char *service, const char *procedure);
/*
 * Checks the calls nested in a call's PROCEDURE_CALL arguments, at any
 * depth: false (with why) if one names a procedure the proxy intercepts,
 * which the server would run as the proxy's shared connection.  *isolated
 * is set if one names a procedure tied to its caller.
 */
bool		 schema_nested_ok(const Krpc__Schema__ProcedureCall *, char *why, size_t whylen,
		    bool *isolated);
const struct schema_proc *schema_find_n(const char *service, size_t slen, const char *procedure,
		    size_t plen);
/* The argument at a position (the last one wins), or NULL. */
const Krpc__Schema__Argument *schema_arg(const Krpc__Schema__ProcedureCall *, uint32_t position);
/* Reads a UINT64 or BOOL argument (an object id, a flag); false if absent, null or malformed. */
bool		 schema_arg_varint(const Krpc__Schema__Argument *, uint64_t *);
/* Appends the canonical dedup key of a call (defaults normalised). */
void		 schema_call_key(krpc_buf_t *, const Krpc__Schema__ProcedureCall *);
size_t		 schema_count(void);
/* Marks the procedures of the slow-lane list and the isolated ones (after a reload). */
void		 schema_set_slow(const struct config *);

/* ---- batch.c: several requests as one upstream Request ---------------- */

enum batch_split {
	BATCH_OK,		/* every part's results found */
	BATCH_ERROR,		/* a request-level error answered the whole batch */
	BATCH_BAD,		/* malformed, or not the number of results sent */
};

/* Calls in a serialised Request. */
size_t		 batch_calls(const uint8_t *, size_t);
/* Cuts a batch's Response into nparts Responses of counts[i] results each. */
enum batch_split batch_split(const uint8_t *, size_t, const size_t *counts, size_t nparts,
		    struct wire_slice *parts);
/* True if a request-level error came from decoding the request (no call ran). */
bool		 batch_decode_error(const uint8_t *, size_t);

/* ---- upstream.c: the connection pair to the kRPC server -------------- */

enum upstream_lane {
	UPSTREAM_PRIMARY,	/* the stream-owning connection */
	UPSTREAM_SLOW,		/* a slow lane if configured, else the primary */
	UPSTREAM_OWN,		/* the client's own session (session.c) */
};

/*
 * Completion of an upstream request: resp is the Response body, or NULL with
 * failure saying what went wrong (the request-level error text to give).
 */
typedef void (*upstream_cb)(void *arg, const uint8_t *resp, size_t len, const char *failure);

/*
 * What the session tells the layers above it; upstream.c calls nothing
 * above itself.  main.c registers one set with upstream_init(), which must
 * outlive the session.  Each callback runs inside upstream.c's own event
 * handling: it may call upstream_* functions but must not free the session.
 */
struct upstream_events {
	/* The session is up (handshakes done, GetServices cached): clients may be served. */
	void	(*ready)(void);
	/*
	 * A ready session is gone (reason, for logs and clients): every upstream
	 * stream id is void.  In-flight calls have already failed back to their
	 * callers; reconnection is scheduled after this returns.
	 */
	void	(*lost)(const char *reason);
	/* A StreamUpdate arrived on the stream connection (the message body). */
	void	(*update)(const uint8_t *msg, size_t len);
};

void		 upstream_init(const struct upstream_events *);
void		 upstream_start(void);
void		 upstream_stop(void);
bool		 upstream_ready(void);
/* Why the upstream is not ready (for clients kept waiting). */
const char	*upstream_why_down(void);
/* Sends a serialised Request upstream; cb runs exactly once. */
struct upcall	*upstream_call(enum upstream_lane, const void *req, size_t len, upstream_cb, void *arg);
/* Sends one call (a serialised ProcedureCall) as a Request; cb may be NULL (errors logged). */
struct upcall	*upstream_call1(enum upstream_lane, const void *call, size_t len, upstream_cb, void *arg);
/* Opens one connection to the server (RPC or stream side); NULL with why. */
struct peer	*upstream_dial(bool stream, const char *name, const struct peer_ops *, void *arg,
		    char *why, size_t whylen);
/* Sends a ConnectionRequest: an RPC one under name, or a stream one for id (16 bytes). */
void		 upstream_hello(struct peer *, bool stream, const char *name, const uint8_t *id);
/* Reads a ConnectionResponse: false with why unless OK; id (if not NULL) gets its 16 bytes. */
bool		 upstream_hello_reply(const uint8_t *, size_t, uint8_t *id, char *why, size_t whylen);
/* What the server can take (its version). */
const struct lane_caps *upstream_caps(void);
/* Applies reloadable settings (slow lanes). */
void		 upstream_reconfigure(void);
/* The session as the admin reports it (upstream_snapshot()); strings owned by upstream.c. */
struct upstream_snapshot {
	const char	*state;		/* "down", "connecting", ..., "ready", "stopped" */
	const char	*target;	/* "address:rpc/stream", or the two socket paths */
	const char	*version;	/* the server's, "" before the first session */
	bool		 pipelining;	/* requests sent without waiting for answers */
	uint64_t	 sessions;	/* sessions established since the start */
	double		 connected_for;	/* seconds; 0 unless ready */
	unsigned	 slow_lanes;	/* slow lanes open */
	unsigned	 in_flight;	/* requests sent and not answered, every lane */
	const char	*last_failure;	/* "none", "connect failed", ... */
	const char	*why;		/* the last failure's words, "" if none */
};

void		 upstream_snapshot(struct upstream_snapshot *);
/* The state names a snapshot may give, in order; NULL past the last. */
const char	*upstream_state_name(size_t);
/* Asks a silent server something cheap on an idle connection (the stall watch). */
void		 upstream_probe(void);
/* The server sent nothing for silent seconds while waiting requests waited: the session is lost. */
void		 upstream_stalled(double silent, size_t waiting);

/* ---- stall.c: a server that stops answering ------------------------------ */

/* Starts watching the upstream for silence while requests wait (upstream.stall_timeout). */
void		 stall_start(void);
void		 stall_stop(void);

/* ---- rules.c: what the game ties to the calling client ---------------- */

/*
 * What a call of the procedure takes for its caller, and so what the ledger
 * does with it.  "obj" is the call's argument 0 (the instance), "result"
 * the object it returns; release and text are the rule's fields.
 */
enum rule_kind {
	RULE_CALLER,		/* its value or effect depends on the caller: own session */
	RULE_CREATES,		/* result is the caller's; release(result) removes it */
	RULE_REMOVES,		/* removes obj; with text, another client's obj is refused */
	RULE_CLEAR,		/* Clear(clientOnly): the caller's objects of the service, or all */
	RULE_AUTOPILOT,		/* result is obj's auto-pilot; release(obj) its surface frame */
	RULE_ENGAGE,		/* obj is the caller's until another engages or it disengages */
	RULE_DISENGAGE,		/* obj is nobody's */
	RULE_INPUT,		/* a control input: the setter with 0 once no input setter is left */
	RULE_THROTTLE,		/* counts the caller among the input setters; never cleared */
	RULE_OVERRIDE,		/* setter(obj, bool): true makes obj's override the caller's */
	RULE_RETAG,		/* commands obj's override (release: its setter): now the caller's */
	RULE_MARK,		/* setter(obj, bool): true marks obj for the caller (several may) */
};

struct rule {
	const char	*service;
	const char	*procedure;
	enum rule_kind	 kind;
	const char	*release;	/* the procedure that gives it back (see the kinds) */
	const char	*text;		/* RULE_REMOVES: the game's refusal of another's object */
};

/* The rule for a procedure, or NULL. */
const struct rule *rules_find(const char *service, const char *procedure);
/* True if the proxy decides the call before sending it (Clear, refusing Removes). */
bool		 rules_decide(const struct rule *);
/* True if the procedure's calls run on the calling client's own session. */
bool		 rules_isolated(const struct config *, const char *service, const char *procedure);

/* ---- ledger.c: what each client took, given back when it leaves ------ */

/*
 * A client's result of a call with a ledger rule (ProcedureResult bytes;
 * an error records nothing).  client NULL: the caller left before the
 * answer came, and what it took is given back at once.
 */
void		 ledger_result(struct client *, const struct rule *,
		    const Krpc__Schema__ProcedureCall *, const uint8_t *, size_t);
/* The refusal text if the call (a Remove) names another client's object, else NULL. */
const char	*ledger_refusal(const struct client *, const struct rule *,
		    const Krpc__Schema__ProcedureCall *);
/* True if a Clear call asks for the caller's objects only. */
bool		 ledger_client_only(const Krpc__Schema__ProcedureCall *);
/*
 * Clear(clientOnly = true): removes the client's objects of the rule's
 * service upstream; cb runs once they are gone.  LEDGER_NONE: it had none
 * (cb never runs); LEDGER_DOWN: the upstream is not connected.
 */
enum ledger_sent {
	LEDGER_SENT,
	LEDGER_NONE,
	LEDGER_DOWN,
};
enum ledger_sent ledger_clear(struct client *, const struct rule *, upstream_cb, void *);
/* The client left: what it held is given back upstream, in the game's order. */
void		 ledger_client_gone(struct client *);
/* The upstream session ended: the game released everything with it. */
void		 ledger_reset(void);
/* Things the client holds that the ledger gives back when it leaves (its inputs count as one). */
size_t		 ledger_count(const struct client *);

/* ---- session.c: a client's own upstream session -------------------------- */

/*
 * What a client's own session tells the layers above it (session.c calls
 * nothing above itself); main.c registers it with session_init().
 */
struct session_events {
	/* A ready session was lost: the client goes too (reason for its log line). */
	void	(*lost)(struct client *, const char *reason);
	/* A StreamUpdate arrived on the session's stream connection. */
	void	(*update)(const uint8_t *msg, size_t len);
};

void		 session_init(const struct session_events *);

/* Sends a Request over the client's own session (opened if need be); NULL with why. */
struct upcall	*session_call(struct client *, const void *req, size_t len, upstream_cb, void *arg,
		    const char **why);
/* True once the client has a session that did not fail. */
bool		 session_active(const struct client *);
/* The client left: its session closes (the game releases what it held). */
void		 session_client_gone(struct client *);

/* ---- lane.c: one upstream RPC connection's requests -------------------- */

/* What the server can take, known once its version is: shared by a session's lanes. */
struct lane_caps {
	bool	 serial;	/* before v0.6: one request at a time per connection */
	bool	 batching;	/* v0.7 on: requests may be joined (PROTOCOL.md 12.18) */
};

struct lane	*lane_new(int index, const struct lane_caps *);
void		 lane_free(struct lane *);
void		 lane_attach(struct lane *, struct peer *);
struct peer	*lane_peer(const struct lane *);
int		 lane_index(const struct lane *);
/* The handshake is done: queued requests go out. */
void		 lane_ready(struct lane *);
bool		 lane_is_ready(const struct lane *);
/* Requests queued or in flight; in flight. */
size_t		 lane_load(const struct lane *);
size_t		 lane_in_flight(const struct lane *);
/* Sends a serialised Request now or queues it; cb runs exactly once. */
struct upcall	*lane_submit(struct lane *, const void *req, size_t len, upstream_cb, void *arg);
/* A response: completes the oldest write; false if unexpected or malformed. */
bool		 lane_response(struct lane *, const uint8_t *, size_t);
/* Fails every request with a request-level error text; the lane is not ready after. */
void		 lane_fail(struct lane *, const char *desc);
/* Moves the requests not yet written to another lane, in order. */
void		 lane_requeue(struct lane *from, struct lane *to);
/* The server sent something on one of its connections (lane_response() says so itself). */
void		 lane_heard(void);
/* Requests in flight on every lane; *silent: seconds since the server last sent anything. */
size_t		 lane_waiting(double *silent);

/* ---- streamtab.c: the shared stream table ---------------------------- */

enum entry_kind {
	ENTRY_SHARED,		/* an AddStream call, deduplicated across clients */
	ENTRY_OWNED,		/* an event or stream from another procedure: owner only */
	ENTRY_LOCAL,		/* a stream of a call the proxy answers itself */
};

enum entry_state {
	ENTRY_ADDING,		/* AddStream in flight upstream */
	ENTRY_LIVE,		/* registered upstream (or local) */
	ENTRY_FAILED,		/* the stream reported an error and is gone upstream */
};

/* Why an AddStream completed: what to tell each waiting request. */
struct streamtab_result {
	struct entry	*entry;		/* the entry on success */
	const uint8_t	*call_error;	/* ProcedureResult carrying a call-level error */
	size_t		 call_error_len;
	const uint8_t	*req_error;	/* Error message of a request-level failure */
	size_t		 req_error_len;
	const char	*failure;	/* upstream failure text */
};

/* A request parked until an AddStream completes. */
struct streamtab_wait {
	TAILQ_ENTRY(streamtab_wait)	 link;
	struct entry			*entry;
	void				(*fn)(void *, const struct streamtab_result *);
	void				*arg;
};

struct entry {
	uint64_t		 serial;	/* names it in admin listings */
	enum entry_kind		 kind;
	enum entry_state	 state;
	uint8_t			*key;		/* canonical key (SHARED) */
	size_t			 keylen;
	char			*label;		/* "TestService.Counter" for logs */
	uint64_t		 upid;		/* upstream stream id (SHARED, OWNED) */
	bool			 indexed;	/* in the upstream id index */
	bool			 up_started;
	bool			 up_rate_known;
	float			 up_rate;
	enum schema_kind	 local;		/* ENTRY_LOCAL: which call */
	struct client		*owner;		/* OWNED and LOCAL */
	bool			 isolated;	/* OWNED: on the owner's own session */

	krpc_buf_t		 value;		/* last ProcedureResult bytes */
	uint64_t		 values;	/* values stored (admin listings, rates) */
	bool			 has_value;
	bool			 is_error;

	struct sub_list		 subs;
	size_t			 nsubs;
	size_t			 nunlimited;	/* subscribers at rate 0 (every update) */
	unsigned		 hold;		/* pinned while its waiters run */
	TAILQ_HEAD(, streamtab_wait) waiters;
	TAILQ_ENTRY(entry)	 link;		/* all entries */
};

struct sub {
	uint64_t		 id;		/* the client's stream id */
	struct client		*client;
	struct entry		*entry;
	bool			 started;
	float			 rate;		/* Hz; 0 = every update */
	double			 last_sent;	/* monotonic seconds */
	bool			 pending;	/* fanout: a newer value is held back */
	TAILQ_ENTRY(sub)	 client_link;
	TAILQ_ENTRY(sub)	 entry_link;
	TAILQ_ENTRY(sub)	 pending_link;
};

/*
 * What the stream table reads from the layers above it (it calls nothing
 * above itself); main.c registers it with streamtab_init().
 */
struct streamtab_sources {
	/* The live clients, for the value of get_Clients streams (client_all()). */
	const struct client_list *(*clients)(void);
};

void		 streamtab_init(const struct streamtab_sources *);
/* How the table sends AddStream and the management calls: upstream_call1 unless a test says otherwise. */
typedef struct upcall *(*streamtab_sender)(enum upstream_lane, const void *, size_t, upstream_cb, void *);
void		 streamtab_set_sender(streamtab_sender);
/* Forgets everything (upstream session gone). */
void		 streamtab_reset(void);
/* The shared entry for a canonical key, or NULL. */
struct entry	*streamtab_lookup(const uint8_t *key, size_t keylen);
/*
 * Starts an AddStream for a new key: creates the ADDING entry and sends
 * AddStream(call, start=false) upstream.  call: serialised ProcedureCall.
 * NULL if it cannot be sent.
 */
struct entry	*streamtab_add(const uint8_t *key, size_t keylen, const char *label,
		    const uint8_t *call, size_t calllen);
/* Parks a request on an ADDING entry. */
void		 streamtab_wait(struct entry *, struct streamtab_wait *);
void		 streamtab_wait_cancel(struct streamtab_wait *);
/* An entry for a stream or event owned by one client (upstream id known). */
struct entry	*streamtab_owned(struct client *, uint64_t upid, const char *label);
/* An entry for a stream the proxy serves itself. */
struct entry	*streamtab_local(struct client *, enum schema_kind, const char *label);
/* The client's subscription to an entry, or NULL. */
struct sub	*streamtab_client_sub(struct client *, struct entry *);
/* Subscribes a client (new downstream id). */
struct sub	*streamtab_subscribe(struct client *, struct entry *);
/* Looks up a client's stream id (another client's ids are not found). */
struct sub	*streamtab_find(struct client *, uint64_t id);
/* StartStream for a subscriber of a SHARED or LOCAL entry. */
void		 streamtab_start(struct sub *);
/* SetStreamRate for a subscriber of a SHARED or LOCAL entry. */
void		 streamtab_set_rate(struct sub *, float);
/* RemoveStream, or the client went away. */
void		 streamtab_unsubscribe(struct sub *);
/* Drops every subscription of a client (its stream connection closed). */
void		 streamtab_client_gone(struct client *);
/* An upstream stream result for upid; false if the id is unknown. */
struct entry	*streamtab_by_upid(uint64_t upid);
/* Stores a new value (ProcedureResult bytes) from upstream. */
void		 streamtab_store(struct entry *, const uint8_t *, size_t, bool is_error);
/* A StreamUpdate from upstream: each value stored and offered to its subscribers. */
void		 streamtab_update(const uint8_t *, size_t);
/* The server no longer has the entry's stream (it failed, or its owner removed it). */
void		 streamtab_forget_upstream(struct entry *);
/* Recomputes the local streams (get_Clients changed). */
void		 streamtab_refresh_local(void);
/* The local value of a proxy-answered call for a client (ProcedureResult bytes). */
void		 streamtab_local_value(struct client *, enum schema_kind, krpc_buf_t *);
/* Counts for status output. */
size_t		 streamtab_count(enum entry_kind);
size_t		 streamtab_subs(void);
/* The entries in creation order, for admin listings: first, then next until NULL. */
const struct entry *streamtab_first(void);
const struct entry *streamtab_next(const struct entry *);

/* ---- fanout.c: stream updates to clients ----------------------------- */

/* Sends an entry's current value to one subscriber now (StartStream). */
void		 fanout_send_now(struct sub *);
/* Offers an entry's new value to one subscriber (batched until fanout_flush). */
void		 fanout_offer(struct sub *, double now);
/* Sends what fanout_offer() batched. */
void		 fanout_flush(void);
/* A subscription is going away: forget held values. */
void		 fanout_forget(struct sub *);
/* A client is going away. */
void		 fanout_client_gone(struct client *);
/* The client's stream output drained: send what conflation held back. */
void		 fanout_drained(struct client *);

/* ---- router.c: requests ---------------------------------------------- */

/* A request's state, shared by router.c (its life) and intercept.c (its intercepted calls). */
enum call_kind {
	CALL_FORWARD,		/* sent upstream unchanged */
	CALL_SLOW,		/* sent upstream unchanged over a slow lane */
	CALL_OWN,		/* sent upstream unchanged over the client's own session */
	CALL_NOTED,		/* sent upstream unchanged; the ledger notes its result */
	CALL_OWNED,		/* sent upstream; its STREAM or EVENT result is mapped */
	CALL_LOCAL,		/* answered, or rewritten and sent, when reached */
	CALL_ADD_STREAM,	/* shared through the stream table */
	CALL_REFUSED,		/* answered with the error already in rcall.result */
};

enum step {
	STEP_DONE,		/* the call has its result */
	STEP_FORWARD,		/* send the rewritten call (rcall.fwd) upstream */
	STEP_WAIT,		/* parked; resumed by a callback */
	STEP_FAILED,		/* the whole request failed (response set) */
};

struct rcall {
	Krpc__Schema__ProcedureCall	*pc;
	const struct schema_proc	*proc;
	enum call_kind			 kind;
	krpc_buf_t			 fwd;		/* rewritten call, sent instead */
	krpc_buf_t			 result;	/* ProcedureResult bytes */
	bool				 probe;		/* fwd names an id the client did not name: */
	uint64_t			 probe_id;	/* the id the client named */
	char				 probe_text[32]; /* how an error text quotes fwd's id */
	bool				 created;	/* the call subscribed the client anew: */
	uint64_t			 created_id;	/* its stream id, undone if the request fails */
	bool				 own;		/* goes over the client's own session */
	bool				 own_add;	/* an AddStream sent there: its result is mapped */
};

enum rreq_state {
	RREQ_QUEUED,
	RREQ_RUNNING,
	RREQ_DONE,
};

struct rreq {
	TAILQ_ENTRY(rreq)	 link;
	struct client		*client;	/* NULL once orphaned (client gone) */
	enum rreq_state		 state;
	double			 arrived;	/* monotonic seconds: the latency histogram */
	bool			 simple;	/* forwarded whole, unchanged */
	bool			 barrier;	/* later requests of the client wait for it */
	enum upstream_lane	 lane;
	uint8_t			*raw;		/* simple: the request bytes until sent */
	size_t			 rawlen;
	size_t			 size;		/* the request's size (client's request_bytes) */
	size_t			 weight;	/* its calls, against limits.client_calls */
	Krpc__Schema__Request	*req;		/* stepped: the parsed request */
	struct rcall		*calls;
	size_t			 ncalls;
	size_t			 next;		/* next call to run */
	size_t			 batch, nbatch;	/* calls of the upstream request in flight */
	unsigned		 steps;
	bool			 upstream;	/* an upstream request is in flight */
	bool			 waiting;	/* parked on an AddStream */
	bool			 add_start;
	struct streamtab_wait	 wait;
	krpc_buf_t		 response;
};

/*
 * What the router tells the client layer above it; main.c registers it with
 * router_init() before any client is served.
 */
struct router_events {
	/*
	 * Responses were written to the client, or its queue shrank: its
	 * backpressure may change.  Runs at the end of every router_pump().
	 */
	void	(*output)(struct client *);
};

void		 router_init(const struct router_events *);
/* A Request from a READY client; false if it is not a valid Request (the caller drops it). */
bool		 router_request(struct client *, const uint8_t *, size_t);
/* Cancels a client's requests (client gone). */
/* True if a request of the client is bound for a slow lane (it may yield for long). */
bool		 router_yielding(const struct client *);
void		 router_client_gone(struct client *);
/* Fails every queued request of a client with a request-level error. */
void		 router_fail_all(struct client *, const char *);
/*
 * Shutdown: writes, in order, every pending request's answer: its response
 * if complete, else a request-level error, in flight upstream or not.  The
 * client must be dropped next (its requests in flight become orphans).
 */
void		 router_fail_pending(struct client *, const char *);
/* Writes completed responses in order and starts what may start. */
void		 router_pump(struct client *);
/* Runs a request's calls until one needs the upstream, or all have results. */
void		 router_run(struct rreq *);
/* The call a request was parked on (STEP_WAIT) is done: carry on (intercept_events.resume). */
void		 router_resume(struct rreq *);

/* ---- rreq.c: a request as the router and the intercepts handle it ------ */

/* Fails the whole request with a request-level error (undoing its new subscriptions). */
void		 rreq_fail(struct rreq *, const char *description);
/* Fails the request with the Error an upstream Response carried. */
void		 rreq_fail_error(struct rreq *, const uint8_t *error, size_t len);
/* Fails the request because the upstream is not connected. */
void		 rreq_fail_down(struct rreq *);
/* Appends a parsed call, serialised. */
void		 rreq_pack_call(const Krpc__Schema__ProcedureCall *, krpc_buf_t *);
/* Encodes a request-level error Response. */
void		 rreq_error_response(krpc_buf_t *, const char *service, const char *name,
		    const char *description);

/* ---- intercept.c: the calls the proxy answers or rewrites ------------- */

/*
 * What the intercepts tell the router above them; main.c registers the
 * router's functions with intercept_init() before any request runs.
 */
struct intercept_events {
	/*
	 * A request parked on a call (STEP_WAIT) may go on: the call has its
	 * result, or the request failed as a whole (its response is set).
	 */
	void	(*resume)(struct rreq *);
};

void		 intercept_init(const struct intercept_events *);

/* GetClientID, GetClientName, get_Clients, StartStream, SetStreamRate, RemoveStream, ticks. */
enum step	 intercept_local(struct rreq *, struct rcall *);
/* AddStream: shares an upstream stream or creates it (may park the request). */
enum step	 intercept_add_stream(struct rreq *, struct rcall *);
/* An OWNED call's upstream result: maps its stream or event id to a new client id. */
void		 intercept_owned_result(struct rreq *, struct rcall *, const uint8_t *, size_t);
/* The answer to a call sent with another id than the client's, with the client's id put back. */
void		 intercept_probe_result(struct rcall *, const uint8_t *, size_t);
/* A HoldTick result: success makes the client the holder. */
void		 intercept_hold_result(struct rreq *, const uint8_t *, size_t);
/* True if the client holds the tick. */
bool		 intercept_holds_tick(const struct client *);
/* Sends ReleaseTick upstream for the holder. */
void		 intercept_release_tick(void);
/* A client went away: release the tick if it held it. */
void		 intercept_tick_gone(struct client *);

/* ---- report.c: the admin answers' text and JSON writer ---------------- */

/* One record: "name value" lines, or the members of one JSON object. */
struct report {
	krpc_buf_t	*out;
	bool		 json;
	bool		 first;		/* no member written yet (JSON commas) */
};

/* Starts a record into out (JSON: '{'); report_end() closes it ('}'). */
void		 report_begin(struct report *, krpc_buf_t *out, bool json);
void		 report_end(struct report *);
/* Members: a string, an integer (exact), a real (JSON null if not finite), a duration. */
void		 report_str(struct report *, const char *key, const char *value);
void		 report_uint(struct report *, const char *key, uint64_t);
void		 report_int(struct report *, const char *key, int64_t);
void		 report_num(struct report *, const char *key, double);
void		 report_duration(struct report *, const char *key, double seconds);
/* Appends a JSON string: valid UTF-8 (bad bytes become U+FFFD), controls escaped. */
void		 report_json_string(krpc_buf_t *, const char *);
/* Writes a duration as "3d 4h 5m 6s" (leading zero units left out). */
void		 report_duration_text(char *, size_t, double seconds);

/* ---- metrics.c: Prometheus text exposition ----------------------------- */

/* Appends every metric in text format 0.0.4; uptime in seconds. */
void		 metrics_write(krpc_buf_t *, double uptime);

/* ---- admin.c: the admin socket --------------------------------------- */

/*
 * The admin commands, in the order they are listed: name and one line of
 * help.  admin.c builds its dispatch table from this list (command NAME is
 * handled by admin_NAME()), and krpcmuxctl its command check and --help.
 */
#define ADMIN_COMMANDS(X)						\
	X(status, "the overview: version, uptime, upstream, clients, streams, counters") \
	X(clients, "one line per connected client")			\
	X(streams, "one line per stream table entry")			\
	X(upstream, "the session with the game's kRPC server")		\
	X(config, "every option with its value in force")		\
	X(stats, "the counters alone")					\
	X(metrics, "everything as Prometheus text (no JSON form)")	\
	X(reload, "read the configuration file again, as SIGHUP does")

/*
 * What admin commands may ask of the program around them; main.c fills it
 * and it must outlive the admin socket.
 */
struct admin_actions {
	/* Reloads the configuration as SIGHUP does; false with why (nothing changed). */
	bool	(*reload)(char *why, size_t whylen);
};

bool		 admin_open(const struct config *, const struct admin_actions *, char *why,
		    size_t whylen);
void		 admin_close(void);
/* Answers one admin command into out (text or JSON). */
void		 admin_command(const char *cmd, bool json, krpc_buf_t *out);

/* ---- systemd.c: readiness and socket activation without libsystemd -- */

/* Sends a notification ("READY=1", "STATUS=...", "STOPPING=1") if NOTIFY_SOCKET is set. */
void		 systemd_notify(const char *);
/* Sockets passed by systemd for this process: count, first fd 3; names if given. */
int		 systemd_listen_fds(char ***names);

/*
 * ---- service.c: what the service manager hears while the daemon runs ---
 * Above the counters' owners (client, streamtab, upstream) and systemd.c;
 * only main.c calls it.  Without $NOTIFY_SOCKET every call sends nothing.
 */

/* Reads $WATCHDOG_USEC and starts the loop's tick (after the event base exists). */
void		 service_init(void);
/* READY=1 with the first STATUS= (and ping). */
void		 service_ready(void);
/* STATUS= again if its text changed. */
void		 service_update(void);
/* RELOADING=1 with MONOTONIC_USEC=, before a reload. */
void		 service_reloading(void);
/* READY=1 after a reload; why (NULL if it worked) stays in STATUS= until one works. */
void		 service_reloaded(const char *why);
/* STOPPING=1; STATUS= says "stopping". */
void		 service_stopping(void);
void		 service_close(void);

/*
 * ---- main.c -----------------------------------------------------------
 * main.c is the top: it calls down into every layer and exports nothing but
 * ev_base.  The layers below reach it only through what it registers:
 * struct upstream_events (upstream_init) and struct admin_actions
 * (admin_open).
 */

#endif
