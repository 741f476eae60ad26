/*
 * libkrpcmux internals shared by the client modules (error state, sockets,
 * the client and stream objects, the id map).  Never installed; every
 * declaration here is hidden from the shared library's symbol table.
 */
#ifndef KRPCMUX_INTERNAL_H
#define KRPCMUX_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "krpcmux/krpcmux.h"

#define KRPC_INTERNAL __attribute__((visibility("hidden")))
#define KRPC_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Largest message the library accepts from a server. */
#define KRPC_MSG_MAX	((size_t)256 << 20)

/* ---- error.c: the per-thread error state, and saved errors ---------- */

/* A saved error (a stream's failed result), raised again on each read. */
typedef struct krpc_fault krpc_fault_t;

/* Records a library error for this thread (krpc_error_set() is public, in error.h). */
krpc_code_t	 krpc_error_setv(krpc_code_t, const char *fmt, va_list) KRPC_INTERNAL KRPC_PRINTF(2, 0);
/* Records a server error (KRPC_ERR_RPC); returns KRPC_ERR_RPC. */
krpc_code_t	 krpc_error_set_rpc(const Krpc__Schema__Error *) KRPC_INTERNAL;
/* Records a refused handshake with the server's status and message. */
krpc_code_t	 krpc_error_set_handshake(const char *status, const char *message) KRPC_INTERNAL;
/* A saved copy of a server error, or of a library error; NULL on out-of-memory. */
krpc_fault_t	*krpc_error_fault_rpc(const Krpc__Schema__Error *) KRPC_INTERNAL;
krpc_fault_t	*krpc_error_fault(krpc_code_t, const char *message) KRPC_INTERNAL;
/* Records a saved error for this thread; returns its code. */
krpc_code_t	 krpc_error_raise(const krpc_fault_t *) KRPC_INTERNAL;
void		 krpc_error_fault_free(krpc_fault_t *) KRPC_INTERNAL;

/* ---- proxy.c: krpcmuxd's own failures under the codes of direct ones ---- */

/* Records a server error (request-level or a call's); returns its code. */
krpc_code_t	 krpc_proxy_error(const Krpc__Schema__Error *) KRPC_INTERNAL;
/* Records a refused handshake; returns its code. */
krpc_code_t	 krpc_proxy_refusal(const char *status, const char *message) KRPC_INTERNAL;

/* ---- time.c: monotonic clock and deadlines -------------------------- */

/* krpc_time_now(), the monotonic clock, is in the codec (codec.h). */
/* now + timeout, or +infinity for a negative timeout. */
double		 krpc_time_deadline(double timeout) KRPC_INTERNAL;
/* Milliseconds left until a deadline for poll() (-1 = forever, >= 0). */
int		 krpc_time_poll_ms(double deadline) KRPC_INTERNAL;
/*
 * Waits on a condition variable (created with krpc_time_cond_init) until
 * signalled or the deadline passes; false once the deadline has passed.
 */
bool		 krpc_time_cond_wait(pthread_cond_t *, pthread_mutex_t *, double deadline) KRPC_INTERNAL;
/* Initialises a condition variable on the monotonic clock. */
int		 krpc_time_cond_init(pthread_cond_t *) KRPC_INTERNAL;

/* ---- conn.c: one blocking socket speaking framed messages ----------- */

typedef struct krpc_conn krpc_conn_t;

krpc_code_t	 krpc_conn_tcp(const char *address, int port, double timeout, krpc_conn_t **) KRPC_INTERNAL;
krpc_code_t	 krpc_conn_unix(const char *path, double timeout, krpc_conn_t **) KRPC_INTERNAL;
/* Writes one framed message (prefix and body in one write). */
krpc_code_t	 krpc_conn_send(krpc_conn_t *, const void *body, size_t len) KRPC_INTERNAL;
/* Reads the next framed message; the body stays valid until the next receive. */
krpc_code_t	 krpc_conn_recv(krpc_conn_t *, double deadline, const uint8_t **body, size_t *len) KRPC_INTERNAL;
/*
 * Runs a connection handshake (PROTOCOL.md 3.1/3.2).  type is 0 (RPC) or 1
 * (STREAM); id is the 16-byte identifier for STREAM; the server's
 * identifier is copied to out_id.
 */
krpc_code_t	 krpc_conn_handshake(krpc_conn_t *, int type, const char *name, const uint8_t *id,
		    double timeout, uint8_t out_id[16]) KRPC_INTERNAL;
/* Wakes any thread blocked on the socket (both directions shut down). */
void		 krpc_conn_shutdown(krpc_conn_t *) KRPC_INTERNAL;
void		 krpc_conn_free(krpc_conn_t *) KRPC_INTERNAL;

/* ---- idmap.c: uint64 id -> pointer hash map ------------------------- */

typedef struct krpc_idmap krpc_idmap_t;

krpc_idmap_t	*krpc_idmap_new(void) KRPC_INTERNAL;
void		 krpc_idmap_free(krpc_idmap_t *) KRPC_INTERNAL;
void		*krpc_idmap_get(const krpc_idmap_t *, uint64_t id) KRPC_INTERNAL;
/* Sets (replaces) the entry for id; false on out-of-memory. */
bool		 krpc_idmap_put(krpc_idmap_t *, uint64_t id, void *) KRPC_INTERNAL;
void		 krpc_idmap_del(krpc_idmap_t *, uint64_t id) KRPC_INTERNAL;

/* ---- options.c ------------------------------------------------------ */

struct krpc_options {
	char	*name;
	bool	 local;		/* Unix sockets instead of TCP */
	char	*address;	/* TCP; NULL: KRPC_DEFAULT_ADDRESS */
	int	 rpc_port;	/* 0: default */
	int	 stream_port;	/* 0: default; KRPC_NO_STREAM: none */
	char	*rpc_path;	/* Unix; NULL: default path */
	char	*stream_path;	/* NULL: default path; "": none */
	double	 connect_timeout;
	double	 call_timeout;
};

/* ---- the client (client.c) ------------------------------------------ */

typedef enum krpc_client_state {
	KRPC_CLIENT_OPEN,	/* calls and streams work */
	KRPC_CLIENT_CLOSING,	/* krpc_client_close() has begun: everything fails CLOSED */
} krpc_client_state_t;

/* A registered callback (streams, events, client-level updates). */
typedef struct krpc_callback {
	unsigned		 tag;
	krpc_stream_callback_t	 stream_fn;
	krpc_event_callback_t	 event_fn;
	krpc_update_callback_t	 update_fn;
	void			*ud;
} krpc_callback_t;

/* A growable array of callbacks. */
typedef struct krpc_callbacks {
	krpc_callback_t	*v;
	size_t		 n;
	size_t		 cap;
} krpc_callbacks_t;

/* A lock whose holder is known, so the library can tell "the caller holds it". */
typedef struct krpc_cond {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	const void	*holder;	/* atomic: the holding thread's token, or NULL */
} krpc_cond_t;

struct krpc_client {
	char			*name;
	uint8_t			 id[16];
	double			 call_timeout;

	/* The RPC connection: one request at a time, under rpc_mu. */
	pthread_mutex_t		 rpc_mu;
	krpc_conn_t		*rpc;
	unsigned		 rpc_skip;	/* responses of timed-out calls still to come */
	bool			 rpc_broken;	/* I/O or protocol failure: no more calls */

	/* The stream connection and its reader thread (none if stream == NULL). */
	krpc_conn_t		*stream;
	pthread_t		 thread;
	bool			 thread_started;

	/* Guards everything below, and every stream's refs/adds. */
	pthread_mutex_t		 mu;
	pthread_cond_t		 idle;		/* users dropped to zero while closing */
	int			 state;		/* krpc_client_state_t, atomic */
	bool			 stream_lost;	/* atomic: the stream connection failed */
	bool			 free_on_exit;	/* closed from a callback: the thread frees */
	unsigned		 users;		/* calls in progress and locks held */
	unsigned		 next_tag;
	krpc_idmap_t		*streams;	/* server stream id -> live stream */
	struct krpc_stream	*all;		/* every stream object not yet freed */
	krpc_callbacks_t	 update_cbs;

	/* The client-level stream update condition. */
	krpc_cond_t		 update;
	uint64_t		 update_gen;	/* StreamUpdates processed (under update.mu) */

	/* The service model, fetched on first use. */
	pthread_mutex_t		 model_mu;
	krpc_services_t		*model;
};

/* Marks the start of a public call on c: fails CLOSED once closing began. */
krpc_code_t	 krpc_client_enter(krpc_client_t *) KRPC_INTERNAL;
/* Marks its end (wakes a pending close). */
void		 krpc_client_leave(krpc_client_t *) KRPC_INTERNAL;
bool		 krpc_client_closing(const krpc_client_t *) KRPC_INTERNAL;
/*
 * KRPC_ERR_NO_STREAM if the client was connected without a stream
 * connection, KRPC_ERR_IO if it lost it (recorded), else KRPC_OK.
 */
krpc_code_t	 krpc_client_need_stream(const krpc_client_t *) KRPC_INTERNAL;
/* True if the caller is the client's stream thread (running a callback). */
bool		 krpc_client_on_thread(const krpc_client_t *) KRPC_INTERNAL;
/* The stream thread's last act: frees the client if it was closed from a callback. */
void		 krpc_client_thread_exit(krpc_client_t *) KRPC_INTERNAL;
/* A fresh callback tag (under c->mu). */
unsigned	 krpc_client_tag(krpc_client_t *) KRPC_INTERNAL;

/* This thread's token for krpc_cond_t.holder. */
const void	*krpc_cond_self(void) KRPC_INTERNAL;
int		 krpc_cond_init(krpc_cond_t *) KRPC_INTERNAL;
void		 krpc_cond_destroy(krpc_cond_t *) KRPC_INTERNAL;
/* True if this thread holds the lock. */
bool		 krpc_cond_held(const krpc_cond_t *) KRPC_INTERNAL;
void		 krpc_cond_lock(krpc_cond_t *) KRPC_INTERNAL;
void		 krpc_cond_unlock(krpc_cond_t *) KRPC_INTERNAL;
/* Waits (the caller holds the lock); false once the deadline has passed. */
bool		 krpc_cond_wait(krpc_cond_t *, double deadline) KRPC_INTERNAL;
void		 krpc_cond_broadcast(krpc_cond_t *) KRPC_INTERNAL;

/* Appends a callback; false on out-of-memory. */
bool		 krpc_callbacks_add(krpc_callbacks_t *, const krpc_callback_t *) KRPC_INTERNAL;
/* Removes the callback with tag; false if there is none. */
bool		 krpc_callbacks_del(krpc_callbacks_t *, unsigned tag) KRPC_INTERNAL;
bool		 krpc_callbacks_has(const krpc_callbacks_t *, unsigned tag) KRPC_INTERNAL;
/* A malloc'd copy of the array (NULL when empty or out of memory). */
krpc_callback_t	*krpc_callbacks_copy(const krpc_callbacks_t *, size_t *n) KRPC_INTERNAL;
void		 krpc_callbacks_free(krpc_callbacks_t *) KRPC_INTERNAL;

/* ---- call.c: requests on the RPC connection ------------------------- */

/*
 * A prepared call: the serialised ProcedureCall and the type its result
 * decodes with (NULL for void).
 */
typedef struct krpc_prepared {
	krpc_buf_t	 call;
	krpc_type_t	*ret;
} krpc_prepared_t;

/*
 * Prepares a call.  With ret text, arguments go as given and the type is
 * parsed (structs resolved through the service model when needed); with
 * ret NULL the procedure is looked up in the model, the arguments checked
 * and converted against its parameters, and its return type used.
 */
krpc_code_t	 krpc_call_prepare(krpc_client_t *, const char *service, const char *procedure,
		    krpc_value_t *const *args, size_t nargs, const char *ret, krpc_prepared_t *) KRPC_INTERNAL;
void		 krpc_call_prepared_free(krpc_prepared_t *) KRPC_INTERNAL;
/* Parses a return type text ("" is void: NULL), resolving structs via the model. */
krpc_code_t	 krpc_call_parse_type(krpc_client_t *, const char *text, krpc_type_t **) KRPC_INTERNAL;
/* Looks service.procedure up in the client's model (errors worded as the server's). */
krpc_code_t	 krpc_call_lookup(krpc_client_t *, const char *service, const char *procedure,
		    const krpc_procedure_t **) KRPC_INTERNAL;
/* Runs one serialised ProcedureCall and decodes its result with t (NULL: ignore it). */
krpc_code_t	 krpc_call_run(krpc_client_t *, const uint8_t *call, size_t len, const krpc_type_t *t,
		    krpc_value_t **result) KRPC_INTERNAL;
/*
 * A call with up to three arguments (ownership taken; a NULL among the
 * first nargs means out-of-memory), its result decoded with type text.
 */
krpc_code_t	 krpc_call_simple(krpc_client_t *, const char *service, const char *procedure,
		    size_t nargs, krpc_value_t *arg0, krpc_value_t *arg1, krpc_value_t *arg2,
		    const char *ret, krpc_value_t **result) KRPC_INTERNAL;

/* ---- services.c, procedure.c, defs.c: the service model ------------- */

struct krpc_parameter {
	const Krpc__Schema__Parameter	*pb;
	size_t				 position;
	krpc_type_t			*type;		/* resolved */
	bool				 has_default;
	krpc_value_t			*def;		/* decoded default, or NULL */
};

struct krpc_procedure {
	const Krpc__Schema__Procedure	*pb;
	const krpc_service_t		*service;
	krpc_procedure_kind_t		 kind;
	char				*class_name;	/* "" for service-level procedures */
	const char			*member;	/* points into pb->name */
	krpc_type_t			*ret;		/* resolved; NULL for void */
	krpc_parameter_t		*params;
	size_t				 nparams;
};

struct krpc_struct {
	const Krpc__Schema__Struct	*pb;
	krpc_type_t			*type;		/* STRUCT with its fields */
};

struct krpc_service {
	const Krpc__Schema__Service	*pb;
	krpc_procedure_t		*procs;		/* pb order */
	const krpc_procedure_t		**sorted;	/* by name, for bsearch */
	krpc_struct_t			*structs;
};

struct krpc_services {
	Krpc__Schema__Services		*pb;
	krpc_service_t			*svcs;
	size_t				 n;
};

/* True if t contains a STRUCT type whose fields are not filled in. */
bool		 krpc_services_unresolved(const krpc_type_t *) KRPC_INTERNAL;
/* Builds a procedure's derived data (kind, names, types, defaults). */
krpc_code_t	 krpc_procedure_init(krpc_procedure_t *, const krpc_services_t *,
		    const krpc_service_t *, const Krpc__Schema__Procedure *) KRPC_INTERNAL;
void		 krpc_procedure_fini(krpc_procedure_t *) KRPC_INTERNAL;
/* A type from the schema, structs resolved through the model. */
krpc_code_t	 krpc_services_type(const krpc_services_t *, const Krpc__Schema__Type *,
		    krpc_type_t **) KRPC_INTERNAL;

/* ---- invoke.c ------------------------------------------------------- */

/*
 * Checks args against a procedure's parameters and returns converted
 * copies (numbers converted where the value fits, tuples made structs...).
 * The caller frees the copies with krpc_invoke_free_args().
 */
krpc_code_t	 krpc_invoke_check(const krpc_procedure_t *, krpc_value_t *const *args, size_t nargs,
		    krpc_value_t ***out) KRPC_INTERNAL;
void		 krpc_invoke_free_args(krpc_value_t **, size_t) KRPC_INTERNAL;
/*
 * Builds argument values from C varargs by the parameter types of
 * service.procedure (see krpc_invoke()); free with krpc_invoke_free_args().
 */
krpc_code_t	 krpc_invoke_values(krpc_client_t *, const char *service, const char *procedure,
		    size_t nargs, va_list, krpc_value_t ***out) KRPC_INTERNAL;

/* ---- stream.c / dispatch.c ------------------------------------------ */

struct krpc_stream {
	krpc_client_t		*c;
	uint64_t		 id;
	krpc_type_t		*type;		/* immutable after creation */
	bool			 is_event;
	struct krpc_stream	*prev, *next;	/* c->all, under c->mu */
	unsigned		 refs;		/* in-flight uses and held locks, under c->mu */
	unsigned		 adds;		/* user references (krpc_stream_add), under c->mu */

	/* The condition, and the state below guarded by its lock. */
	krpc_cond_t		 cond;
	bool			 started;
	bool			 removed;	/* atomic: removed by the user */
	float			 rate;
	uint64_t		 gen;		/* results received */
	uint64_t		 trues;		/* true results received (events) */
	bool			 has_result;
	double			 when;		/* krpc_time_now() when the latest result came */
	krpc_value_t		*value;		/* the latest value, or NULL */
	krpc_fault_t		*fault;		/* the latest error, or NULL */
	krpc_callbacks_t	 cbs;
};

/*
 * Creates (or finds, taking another user reference) the stream object for
 * a server stream id.  ret is the value type (ownership taken).
 */
krpc_code_t	 krpc_stream_register(krpc_client_t *, uint64_t id, krpc_type_t *ret, bool is_event,
		    krpc_stream_t **) KRPC_INTERNAL;
/* Takes and drops an internal reference (c->mu must not be held). */
krpc_stream_t	*krpc_stream_ref(krpc_client_t *, uint64_t id) KRPC_INTERNAL;
void		 krpc_stream_unref(krpc_stream_t *) KRPC_INTERNAL;
/* Frees every stream object (the client is closing, nobody uses them). */
void		 krpc_stream_free_all(krpc_client_t *) KRPC_INTERNAL;
/* Wakes every waiter on every stream and the update condition. */
void		 krpc_stream_wake_all(krpc_client_t *) KRPC_INTERNAL;
/* Why waiting on c cannot go on: CLOSED, IO (stream lost), or OK. */
krpc_code_t	 krpc_stream_client_dead(krpc_client_t *) KRPC_INTERNAL;

/* Waits for the next result, or with event for the next true (lock held). */
krpc_code_t	 krpc_stream_wait_for(krpc_stream_t *, double timeout, bool event) KRPC_INTERNAL;
/* Registers a callback record (its tag is filled in); the tag, or 0. */
unsigned	 krpc_stream_callback_add(krpc_stream_t *, krpc_callback_t *) KRPC_INTERNAL;

/* The reader thread's body (dispatch.c). */
void		*krpc_dispatch_main(void *) KRPC_INTERNAL;

#endif
