/*
 * krpc-sim: the interface between the server core (connections, update loop,
 * request execution, streams, events, object store) and the services it
 * offers (KRPC, TestService, Benchmark, SpaceCenter).  A service is a table
 * of procedures and definitions plus optional init/tick/fini hooks; the core
 * builds GetServices from the tables and decodes every argument before a
 * handler runs.
 */
#ifndef KRPC_SIM_H
#define KRPC_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"

typedef struct sim_server sim_server_t;
typedef struct sim_client sim_client_t;
typedef struct sim_call sim_call_t;

/* What a handler did: finished (result or error set), or yields to the next update. */
typedef enum sim_rc {
	SIM_DONE,
	SIM_YIELD,
} sim_rc_t;

typedef sim_rc_t (*sim_fn_t)(sim_call_t *);

/* ---- Service tables ------------------------------------------------- */

#define SIM_PARAMS_MAX	8
#define SIM_VALUES_MAX	16
#define SIM_FIELDS_MAX	8

/* Flags of parameters, procedures and definitions. */
#define SIM_NULLABLE		0x01	/* parameter may be null */
#define SIM_DEFAULT		0x02	/* parameter has a default: def is its encoding in hex ("" = zero-length) */
#define SIM_DEFAULT_NULL	0x04	/* parameter's default is null (implies SIM_NULLABLE) */
#define SIM_RET_NULLABLE	0x08	/* procedure may return null */
#define SIM_DEPRECATED		0x10	/* deprecated; the reason may be NULL (empty) */
#define SIM_FLIGHT		0x20	/* procedure available only in the Flight scene */

/*
 * Types are krpc_type_parse() text: "sint32", "list(string)",
 * "class(TestService.TestClass)", "enum(TestService.TestEnum)",
 * "struct(TestService.TestStruct)" (the core fills struct fields in from the
 * service's struct table), "dict(string, list(sint32))", "procedure_call",
 * "event", "stream", "status", "services".
 *
 * Documentation: the summary TEXT; the core writes it as
 * "<doc>\n<summary>\nTEXT\n</summary>\n</doc>".  A doc that starts with
 * "<doc>" is used verbatim.  NULL means empty documentation.
 */
struct sim_param {
	const char	*name;
	const char	*type;
	unsigned	 flags;
	const char	*def;		/* hex of the encoded default, with SIM_DEFAULT */
};

struct sim_proc {
	const char		*name;		/* wire name, e.g. "TestClass_get_IntProperty" */
	sim_fn_t		 fn;
	const char		*ret;		/* return type; NULL for void */
	unsigned		 flags;
	const char		*doc;
	const char		*reason;	/* deprecation reason */
	struct sim_param	 params[SIM_PARAMS_MAX];	/* ends at the first NULL name */
};

struct sim_class {
	const char	*name;
	const char	*dotnet;	/* .NET type name used in error texts */
	const char	*doc;
	unsigned	 flags;
	const char	*reason;
};

struct sim_enum_value {
	const char	*name;
	int32_t		 value;
	const char	*doc;
	unsigned	 flags;
	const char	*reason;
};

struct sim_enum {
	const char		*name;
	const char		*doc;
	unsigned		 flags;
	const char		*reason;
	struct sim_enum_value	 values[SIM_VALUES_MAX];	/* ends at the first NULL name */
};

struct sim_field {
	const char	*name;
	const char	*type;
	const char	*doc;
	unsigned	 flags;
	const char	*reason;
};

struct sim_struct {
	const char		*name;
	const char		*dotnet;
	const char		*doc;
	unsigned		 flags;
	const char		*reason;
	struct sim_field	 fields[SIM_FIELDS_MAX];	/* ends at the first NULL name */
};

struct sim_exception {
	const char	*name;
	const char	*doc;
	unsigned	 flags;
	const char	*reason;
};

struct sim_service {
	const char			*name;
	uint32_t			 id;		/* numeric service id (PROTOCOL.md 4.2) */
	const char			*doc;
	const struct sim_proc		*procs;		/* in procedure-id order: id = index + 1 */
	size_t				 nprocs;
	const struct sim_class		*classes;
	size_t				 nclasses;
	const struct sim_enum		*enums;
	size_t				 nenums;
	const struct sim_struct		*structs;
	size_t				 nstructs;
	const struct sim_exception	*exceptions;
	size_t				 nexceptions;
	void				(*init)(sim_server_t *);
	void				(*tick)(sim_server_t *);	/* each update, before the RPC phase */
	void				(*fini)(sim_server_t *);
	/*
	 * Optional: a client's RPC connection closed.  What the service holds
	 * for that client (kRPC's client-owned state: drawings, UI objects,
	 * the auto-pilot it engaged, control inputs) is released, as the game
	 * does when a client disconnects.
	 */
	void				(*client_gone)(sim_server_t *, sim_client_t *);
};

/* The services; the core lists them in this order. */
extern const struct sim_service sim_service_krpc;		/* svc_krpc.c */
extern const struct sim_service sim_service_spacecenter;	/* svc_spacecenter.c */
extern const struct sim_service sim_service_drawing;		/* svc_drawing.c */
extern const struct sim_service sim_service_ui;		/* svc_ui.c */
extern const struct sim_service sim_service_test;		/* svc_test.c */
extern const struct sim_service sim_service_benchmark;		/* svc_benchmark.c */

/* ---- Calls: arguments ----------------------------------------------- */

/*
 * Argument i (0-based, the instance is 0 for class members), decoded with
 * the parameter's type, defaults filled in, nulls checked against the table.
 * Borrowed: valid until the handler returns SIM_DONE.  A null argument is a
 * krpc value with krpc_value_is_null() true.
 */
const krpc_value_t	*sim_arg(sim_call_t *, size_t i);
double			 sim_arg_double(sim_call_t *, size_t i);
float			 sim_arg_float(sim_call_t *, size_t i);
int32_t			 sim_arg_int(sim_call_t *, size_t i);	/* SINT32 and ENUMERATION */
int64_t			 sim_arg_long(sim_call_t *, size_t i);
uint32_t		 sim_arg_uint(sim_call_t *, size_t i);
uint64_t		 sim_arg_ulong(sim_call_t *, size_t i);
bool			 sim_arg_bool(sim_call_t *, size_t i);
/* NUL-terminated string argument; NULL if null.  len may be NULL. */
const char		*sim_arg_str(sim_call_t *, size_t i, size_t *len);
/* Object id of a CLASS argument; 0 if null. */
uint64_t		 sim_arg_object(sim_call_t *, size_t i);
/* The stored data of a CLASS argument (the core checked the id exists); NULL if null. */
void			*sim_arg_data(sim_call_t *, size_t i);

/* ---- Calls: results ------------------------------------------------- */

/* Sets the result (takes ownership).  Not calling it means a void result. */
void	 sim_return(sim_call_t *, krpc_value_t *);
/*
 * Sets a call-level error.  service and name NULL give a plain error;
 * ("KRPC", "InvalidOperationException") and the like give typed ones.
 */
void	 sim_error(sim_call_t *, const char *service, const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* ---- Calls: context ------------------------------------------------- */

/*
 * A zeroed block of size bytes that survives SIM_YIELD: the same block on
 * every re-run of this call, freed after SIM_DONE.  Handlers that yield keep
 * their progress here.
 */
void		*sim_call_state(sim_call_t *, size_t size);
/* True on the first run of a call (false on re-runs after SIM_YIELD). */
bool		 sim_call_first(sim_call_t *);
/* The client the call runs as (for streams and events: their owner). */
sim_client_t	*sim_call_client(sim_call_t *);
sim_server_t	*sim_call_server(sim_call_t *);
/* True when evaluated for a stream or an expression rather than an RPC. */
bool		 sim_call_streaming(sim_call_t *);

/* The client's 16-byte identifier and its name. */
const uint8_t	*sim_client_id(const sim_client_t *);
const char	*sim_client_name(const sim_client_t *);

/* ---- Server --------------------------------------------------------- */

/* Updates completed since start. */
uint64_t	 sim_server_updates(const sim_server_t *);
/* Nominal updates per second (--update-rate; 60 by default). */
double		 sim_server_rate(const sim_server_t *);
/* Monotonic wall-clock seconds. */
double		 sim_server_now(const sim_server_t *);
/* The game scene (krpc.schema.Procedure.GameScene numbering). */
int		 sim_server_scene(const sim_server_t *);

/*
 * The object store (PROTOCOL.md section 9): one per server, ids from 1.
 * Services find-or-add: sim_object_find() returns the id of a stored object
 * of that class for which match(data, key) is true, else 0; sim_object_add()
 * stores data (owned by the service) under a new id.
 */
uint64_t	 sim_object_find(sim_server_t *, const char *service, const char *cls,
		    bool (*match)(const void *data, const void *key), const void *key);
uint64_t	 sim_object_add(sim_server_t *, const char *service, const char *cls, void *data);
/* The data of object id if it is of that class, else NULL. */
void		*sim_object_get(sim_server_t *, uint64_t id, const char *service, const char *cls);
/*
 * Destroys object id (the game object behind it is gone): passing it to a
 * procedure afterwards fails with KRPC.ObjectDestroyedException, and
 * sim_object_find() and sim_object_get() no longer see it.  Its data stays
 * the service's to free.
 */
void		 sim_object_remove(sim_server_t *, uint64_t id);

/* ---- Events from procedures (TestService.OnTimer) ------------------- */

typedef enum sim_fire {
	SIM_FIRE_NONE,		/* nothing this update */
	SIM_FIRE,		/* the event's value becomes true */
	SIM_FIRE_LAST,		/* true, and the stream is removed once that true is sent */
} sim_fire_t;

/*
 * Polled once per stream phase for the life of the event, started or not;
 * started says whether the client has started it.
 */
typedef sim_fire_t (*sim_event_poll_fn)(void *ud, sim_server_t *, bool started);

/*
 * Registers a new event stream for the call's client and returns the EVENT
 * value to return (pass it to sim_return()).  Takes ownership of ud (freed
 * with free_fn when the event goes).  If the client has no stream
 * connection, sets the call's error and returns NULL.
 */
krpc_value_t	*sim_event_new(sim_call_t *, sim_event_poll_fn, void *ud, void (*free_fn)(void *));

/* ---- Running a call from a handler (Benchmark.Call) ---------------- */

typedef enum sim_invoke_rc {
	SIM_INVOKE_DONE,	/* ran to completion: result holds a value or an error */
	SIM_INVOKE_YIELDED,	/* the procedure yielded on its first run */
	SIM_INVOKE_UNRESOLVED,	/* unknown service or procedure: result holds the error */
} sim_invoke_rc_t;

/*
 * Runs a PROCEDURE_CALL value once as c's client, decoding its arguments as
 * a request would.  *result is always set; free it with sim_result_free().
 */
sim_invoke_rc_t	 sim_invoke(sim_call_t *c, const krpc_value_t *call,
		    Krpc__Schema__ProcedureResult **result);
void		 sim_result_free(Krpc__Schema__ProcedureResult *);

/* ---- Additions by the services' author ----------------------------- */

/*
 * TestService keeps Counter state per client, keyed by the 16-byte client
 * id (TESTSERVICE.md section 3).  The core calls this once per client that
 * is gone for good: after its RPC connection has closed and nothing will
 * run as that client again (no request, stream or event evaluation; e.g.
 * just before it frees the client), so that the service forgets that state
 * and a long-running sim does not grow with every client that ever
 * connected.  Defined in svc_test_state.c.  Without the call the state is
 * only freed at exit.
 */
void		 svc_test_state_client_gone(sim_server_t *, const uint8_t id[16]);

#endif
