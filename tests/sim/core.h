/*
 * krpc-sim internals: what the core modules (server, listener, conn,
 * handshake, client, rpc, call, services, stream, object, expr, wire) offer
 * each other.  Services see only sim.h; svc_krpc.c also uses this header.
 */
#ifndef KRPC_SIM_CORE_H
#define KRPC_SIM_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "sim.h"

#define SIM_VERSION		"0.7.0"		/* Status.version: the kRPC line krpc-sim imitates */
#define SIM_HANDSHAKE_TIMEOUT	3.0		/* seconds (PROTOCOL.md 3.1) */
#define SIM_FRAME_MAX		(64u << 20)	/* largest message accepted */
#define SIM_READ_HIGH		(4u << 20)	/* RPC input buffered before reading pauses */
#define SIM_WRITE_HIGH		(4u << 20)	/* output queued before a peer counts as not reading */

/* Game scenes (krpc.schema.Procedure.GameScene numbering). */
#define SIM_SCENE_SPACE_CENTER	0
#define SIM_SCENE_FLIGHT	1

/* Command-line settings. */
struct sim_options {
	const char	*bind;
	int		 rpc_port;
	int		 stream_port;
	bool		 tcp;
	const char	*rpc_path;
	const char	*stream_path;
	double		 rate;
	bool		 pacing;
	double		 call_cost;	/* least time a request takes to execute (--call-cost), s */
	bool		 spin;		/* wait by polling (--spin), as the real server does */
	unsigned long	 gc_every;	/* requests between imitated collections (--gc-every), 0: none */
	double		 gc_pause;	/* how long one stops the server (--gc-pause), s */
	bool		 gc_pause_set;
	bool		 quiet;
	int		 scene;
};

/* An error: service and name empty for plain errors; trace NULL until set. */
struct sim_err {
	char	*service;
	char	*name;
	char	*desc;
	char	*trace;		/* Error.stack_trace: Mono-style frames (err_trace) */
};

typedef struct conn conn_t;
typedef struct listener listener_t;
struct stream_set;
struct rpc_req;
struct call_spec;

/* ---- server.c -------------------------------------------------------- */

sim_server_t		*server_new(const struct sim_options *);
int			 server_run(sim_server_t *);
void			 server_free(sim_server_t *);
struct event_base	*server_base(sim_server_t *);
void			 server_log(sim_server_t *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
void			 server_add_conn(sim_server_t *, conn_t *);
void			 server_add_client(sim_server_t *, sim_client_t *);
void			 server_reap_later(sim_server_t *);
void			 server_rpc_arrived(sim_server_t *);
void			 server_counts(const sim_server_t *, uint64_t out[4]);
void			 server_update_done(sim_server_t *);
void			 server_client_rpc_lost(sim_server_t *, sim_client_t *);
void			 server_count_read(sim_server_t *, size_t);
void			 server_count_written(sim_server_t *, size_t);
void			 server_count_stream_evals(sim_server_t *, uint64_t);
void			 server_count_rpc(sim_server_t *);
uint64_t		 server_next_stream_id(sim_server_t *);
sim_client_t		*server_find_client(sim_server_t *, const uint8_t *id);
size_t			 server_nclients(const sim_server_t *);
sim_client_t		*server_client(const sim_server_t *, size_t i);
struct object_store	*server_objects(sim_server_t *);
void			 server_status(sim_server_t *, krpc_buf_t *);
bool			 server_paused(const sim_server_t *);
void			 server_set_paused(sim_server_t *, bool);

/* ---- update.c -------------------------------------------------------- */

struct update	*update_new(sim_server_t *, const struct sim_options *);
void		 update_free(struct update *);
void		 update_begin(struct update *);
void		 update_arrived(struct update *);
void		 update_client_added(struct update *, sim_client_t *);
void		 update_client_removed(struct update *, sim_client_t *);
void		 update_status(const struct update *, Krpc__Schema__Status *);

/* ---- listener.c ------------------------------------------------------ */

/* Opens an RPC/stream listener pair; NULL with an error line printed. */
listener_t	*listener_tcp(sim_server_t *, const char *bind, int rpc_port, int stream_port);
listener_t	*listener_unix(sim_server_t *, const char *rpc_path, const char *stream_path);
/* "rpc=ADDR stream=ADDR" of the pair (static storage). */
const char	*listener_describe(const listener_t *);
void		 listener_free(listener_t *);

/* ---- conn.c ---------------------------------------------------------- */

enum conn_kind {
	CONN_RPC,
	CONN_STREAM,
};

enum conn_state {
	CONN_HANDSHAKE,		/* waiting for the ConnectionRequest */
	CONN_READY,		/* handshake done */
	CONN_CLOSING,		/* flushing a last message, then closed */
	CONN_DEAD,		/* closed; freed by the next reap */
};

/* Result of taking a frame from a connection's input. */
enum conn_frame {
	CONN_FRAME_NONE,	/* no whole message yet */
	CONN_FRAME_OK,
	CONN_FRAME_BAD,		/* malformed or oversized length prefix */
};

conn_t		*conn_new(sim_server_t *, int fd, enum conn_kind, const char *addr);
void		 conn_free(conn_t *);
enum conn_kind	 conn_kind(const conn_t *);
enum conn_state	 conn_state(const conn_t *);
void		 conn_set_state(conn_t *, enum conn_state, const char *why);
unsigned	 conn_number(const conn_t *);
const char	*conn_addr(const conn_t *);
double		 conn_since(const conn_t *);
sim_client_t	*conn_client(const conn_t *);
void		 conn_set_client(conn_t *, sim_client_t *);
enum conn_frame	 conn_take(conn_t *, uint8_t **body, size_t *len);
void		 conn_discard_input(conn_t *);
void		 conn_send(conn_t *, const void *body, size_t len);
void		 conn_send_msg(conn_t *, const ProtobufCMessage *);
void		 conn_close(conn_t *, bool flush, const char *why);
/* True while the peer is not reading: more than SIM_WRITE_HIGH bytes wait to be sent. */
bool		 conn_backlogged(const conn_t *);

/* Answers the handshakes waiting on connections of a kind (server.c). */
void		 server_handshakes(sim_server_t *, enum conn_kind);

/* ---- handshake.c ----------------------------------------------------- */

/* Processes a connection in CONN_HANDSHAKE (once per update). */
void		 handshake_process(sim_server_t *, conn_t *);

/* ---- client.c -------------------------------------------------------- */

/* Random bytes for identifiers (aborts when the system has no source). */
void		 client_random(uint8_t *id, size_t len);
sim_client_t	*client_new(sim_server_t *, conn_t *rpc, const char *name, size_t namelen);
void		 client_free(sim_client_t *);
unsigned	 client_number(const sim_client_t *);
conn_t		*client_rpc(const sim_client_t *);
conn_t		*client_stream(const sim_client_t *);
void		 client_attach_stream(sim_client_t *, conn_t *);
void		 client_conn_lost(sim_client_t *, conn_t *);
bool		 client_gone(const sim_client_t *);
struct stream_set *client_streams(sim_client_t *);
size_t		 client_nsconns(const sim_client_t *);
conn_t		*client_sconn(const sim_client_t *, size_t i, struct stream_set **);
struct rpc_req	*client_pending(const sim_client_t *);
void		 client_set_pending(sim_client_t *, struct rpc_req *);

/* ---- rpc.c ----------------------------------------------------------- */

/* Decodes a Request (answering request-level errors); NULL if none to run. */
struct rpc_req	*rpc_decode(sim_server_t *, sim_client_t *, const uint8_t *, size_t, bool *fatal);
/* Runs a decoded request, or resumes the client's yielded one (NULL). */
void		 rpc_execute(sim_server_t *, sim_client_t *, struct rpc_req *);
void		 rpc_req_free(struct rpc_req *);

/* ---- services.c ------------------------------------------------------ */

/* A procedure with its types resolved and defaults decoded. */
struct svc_proc {
	const struct sim_service	*svc;
	const struct sim_proc		*p;
	uint32_t			 id;
	size_t				 nparams;
	krpc_type_t			*ptype[SIM_PARAMS_MAX];
	krpc_value_t			*pdef[SIM_PARAMS_MAX];	/* NULL: no default */
	krpc_type_t			*ret;			/* NULL: void */
	bool				 comparable;		/* streams on it can be shared */
};

int		 services_init(char *why, size_t whylen);
void		 services_fini(void);
const struct sim_service *services_by_name(const char *);
const struct sim_service *services_by_id(uint32_t);
size_t		 services_count(void);
const struct sim_service *services_at(size_t);
/* A client's RPC connection closed: every service's client_gone hook. */
void		 services_client_gone(sim_server_t *, sim_client_t *);
const struct svc_proc *services_proc(const struct sim_service *, const char *name);
const struct svc_proc *services_proc_by_id(const struct sim_service *, uint32_t id);
const struct sim_struct *services_struct(const char *service, const char *name);
/* A type from its text, with STRUCT fields filled in; NULL if invalid. */
krpc_type_t	*services_type(const char *text, char *why, size_t whylen);
/* The .NET name of a type (static storage until the next call). */
const char	*services_dotnet(const krpc_type_t *);
const char	*services_class_dotnet(const char *service, const char *cls);
/* The encoded krpc.schema.Services message. */
const uint8_t	*services_schema(size_t *len);
/* A scene's name in the KRPC.GameScene enumeration ("Flight"), and back. */
const char	*services_scene_name(int scene);
int		 services_scene_parse(const char *);

/* ---- schema.c -------------------------------------------------------- */

/* Packs the Services message from the tables (malloc'd); NULL with a reason. */
uint8_t		*schema_build(size_t *len, char *why, size_t whylen);

/* ---- call.c ---------------------------------------------------------- */

/* How a ProcedureCall came out of resolution and decoding. */
enum call_rc {
	CALL_OK,		/* resolved, arguments decoded */
	CALL_UNRESOLVED,	/* call-level: unknown service or procedure (err set) */
	CALL_BAD_ARGS,		/* request-level: an argument did not decode (err set) */
};

enum call_rc	 call_spec_new(sim_server_t *, const Krpc__Schema__ProcedureCall *,
		    struct call_spec **, struct sim_err *);
enum call_rc	 call_spec_parse(sim_server_t *, const uint8_t *, size_t,
		    struct call_spec **, struct sim_err *);
void		 call_spec_free(struct call_spec *);
/* Sets the trace of a procedure a handler could not resolve (call.c explains). */
void		 call_trace_nested(struct sim_err *, const char *ctor, const char *handler,
		    bool static_method);
const struct svc_proc *call_spec_proc(const struct call_spec *);
/* Checks every argument is given (or defaulted) and null only where allowed; -1 with err set. */
int		 call_spec_check(sim_server_t *, const struct call_spec *, struct sim_err *);
/* True if two specs are the same call for stream sharing. */
bool		 call_spec_equal(const struct call_spec *, const struct call_spec *);

sim_call_t	*call_new(sim_server_t *, sim_client_t *, const struct call_spec *, bool streaming);
void		 call_free(sim_call_t *);
/* Runs (or re-runs after SIM_YIELD) the call. */
sim_rc_t	 call_run(sim_call_t *);
bool		 call_failed(const sim_call_t *);
const struct sim_err *call_err(const sim_call_t *);
/* The result value (borrowed; NULL for void or error). */
const krpc_value_t *call_value(const sim_call_t *);
/* Appends the encoded ProcedureResult. */
void		 call_result_write(const sim_call_t *, krpc_buf_t *);
/* Sets an error from a struct sim_err (copied). */
void		 call_set_err(sim_call_t *, const struct sim_err *);


/* ---- decode.c ------------------------------------------------------- */

/* Decodes an argument value as the server does; -1 with a request-level error. */
int		 decode_value(sim_server_t *, const krpc_type_t *, const uint8_t *, size_t,
		    krpc_value_t **, struct sim_err *);

/* ---- err.c ----------------------------------------------------------- */

void		 err_set(struct sim_err *, const char *service, const char *name, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
void		 err_trace(struct sim_err *, const char *frame, ...) __attribute__((sentinel));
void		 err_trace_outer(struct sim_err *, const char *frame, ...) __attribute__((sentinel));
void		 err_copy(struct sim_err *dst, const struct sim_err *src);
void		 err_clear(struct sim_err *);
void		 err_write(const struct sim_err *, krpc_buf_t *);

/* ---- stream.c -------------------------------------------------------- */

struct stream_set *stream_set_new(void);
void		 stream_set_free(struct stream_set *);
size_t		 stream_set_count(const struct stream_set *);
/* Registers (or finds) a procedure-call stream; takes ownership of spec. */
uint64_t	 stream_add(sim_server_t *, sim_client_t *, struct call_spec *);
/* Registers an expression event on expression object id. */
uint64_t	 stream_add_expr(sim_server_t *, sim_client_t *, uint64_t expr);
bool		 stream_start(sim_client_t *, uint64_t id);
bool		 stream_set_rate(sim_client_t *, uint64_t id, float rate);
void		 stream_remove(sim_client_t *, uint64_t id);
/* The stream phase for one stream connection (called only with a live RPC connection). */
void		 stream_phase(sim_server_t *, sim_client_t *, struct stream_set *, conn_t *,
		    double now);
/* Drops streams marked for removal (start of a stream phase). */
void		 stream_reap(struct stream_set *);
/* Polls a set's service events (each update, started or not). */
void		 stream_poll(sim_server_t *, struct stream_set *);
/* The encoded EVENT (or STREAM) message for an id. */
krpc_value_t	*stream_value(krpc_type_code_t, uint64_t id);

/* ---- object.c -------------------------------------------------------- */

struct object_store *object_store_new(void);
void		 object_store_free(struct object_store *);
/* Stores data with a function that frees it with the store. */
uint64_t	 object_add_owned(sim_server_t *, const char *service, const char *cls, void *data,
		    void (*free_fn)(void *));
/* Checks an id from a request: 0 if fine, else sets err (request-level). */
int		 object_check(sim_server_t *, uint64_t id, const char *service, const char *cls,
		    struct sim_err *);
/* The .NET name of an object's class (static storage). */
const char	*object_dotnet(sim_server_t *, uint64_t id);

/* ---- expr.c ---------------------------------------------------------- */

/* Runs Expression builder op (enum expr_op) / a Type helper for a call. */
sim_rc_t	 expr_build(sim_call_t *, int op);
sim_rc_t	 expr_type_build(sim_call_t *, krpc_type_code_t);
/* Evaluates expression id as client; the value (owned) or NULL with err set. */
krpc_value_t	*expr_eval(sim_server_t *, sim_client_t *, uint64_t id, struct sim_err *);
/* Compiles expression id for an event (a boolean, no free parameter); -1 with the error set. */
int		 expr_check_event(sim_call_t *, uint64_t id);

/* ---- util.c ---------------------------------------------------------- */

/* Allocation that cannot fail: out of memory ends the process with a message. */
void		*util_calloc(size_t, size_t);
void		*util_reallocarray(void *, size_t, size_t);
char		*util_strdup(const char *);
char		*util_strndup(const char *, size_t);
char		*util_printf(const char *, ...) __attribute__((format(printf, 1, 2)));
char		*util_vprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

#endif
