/*
 * libkrpcmux client: connecting to a kRPC server (or krpcmuxd) over TCP or
 * Unix sockets, calling procedures by name, and service discovery.
 *
 * Thread safety: a krpc_client_t may be used by any number of threads at
 * once; requests are serialised on the one RPC connection and answered in
 * order.  krpc_options_t is a plain object for one thread at a time.
 * Ownership: documented per function; "borrowed" results live as long as
 * the client.  Errors: see error.h.
 */
#ifndef KRPCMUX_CLIENT_H
#define KRPCMUX_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "value.h"
#include "services.h"

KRPC_BEGIN_DECLS

typedef struct krpc_client	krpc_client_t;
typedef struct krpc_options	krpc_options_t;

#define KRPC_DEFAULT_ADDRESS		"127.0.0.1"
#define KRPC_DEFAULT_RPC_PORT		50000
#define KRPC_DEFAULT_STREAM_PORT	50001
/* stream_port for krpc_connect(): open no stream connection. */
#define KRPC_NO_STREAM			(-1)
/* stream_path for krpc_connect_local(): open no stream connection. */
#define KRPC_NO_STREAM_PATH		""

/* ---- Connecting ----------------------------------------------------- */

/*
 * Connects over TCP and runs both handshakes.  name is shown by the server
 * (NULL or "" for none); address NULL means KRPC_DEFAULT_ADDRESS (names and
 * IPv6 addresses work); a port of 0 means the default port; stream_port
 * KRPC_NO_STREAM opens no stream connection (streams and events are then
 * unavailable).  Waits for the handshakes without a time limit (the game
 * may be asking its player); use krpc_connect_options() for a timeout.
 * On success *out is a new client the caller closes with krpc_client_close().
 * A refused handshake is KRPC_ERR_HANDSHAKE with the server's message.
 */
krpc_code_t	 krpc_connect(krpc_client_t **out, const char *name, const char *address,
		    int rpc_port, int stream_port);
/*
 * Connects over Unix sockets.  NULL paths mean the kRPC default local
 * socket paths (krpc_default_socket_path()); stream_path
 * KRPC_NO_STREAM_PATH opens no stream connection.
 */
krpc_code_t	 krpc_connect_local(krpc_client_t **out, const char *name, const char *rpc_path,
		    const char *stream_path);
/*
 * The kRPC default local socket path for which ("rpc" or "stream"), as the
 * server computes it: $XDG_RUNTIME_DIR/krpc/<which> if that variable is set
 * and non-empty, else <tmp>/krpc-<user>/<which>, <tmp> being the first of
 * $TMPDIR, $TMP, $TEMP that is set and non-empty (else /tmp) and <user>
 * $USER (else the name from the account database).
 * KRPC_ERR_NOT_FOUND if the user is unknown, KRPC_ERR_ARG if buf is too small.
 */
krpc_code_t	 krpc_default_socket_path(const char *which, char *buf, size_t len);

/* Connection options: defaults are those of krpc_connect(NULL, NULL, 0, 0). */
krpc_options_t	*krpc_options_new(void);
void		 krpc_options_free(krpc_options_t *);
krpc_code_t	 krpc_options_set_name(krpc_options_t *, const char *name);
/* TCP (the default transport); arguments as for krpc_connect(). */
krpc_code_t	 krpc_options_set_tcp(krpc_options_t *, const char *address, int rpc_port,
		    int stream_port);
/* Unix sockets; arguments as for krpc_connect_local(). */
krpc_code_t	 krpc_options_set_local(krpc_options_t *, const char *rpc_path, const char *stream_path);
/* Limit for connecting and each handshake, in seconds (negative: none, the default). */
krpc_code_t	 krpc_options_set_connect_timeout(krpc_options_t *, double seconds);
/*
 * Limit for each call's response, in seconds (negative: none, the
 * default).  A call that times out fails with KRPC_ERR_TIMEOUT; its late
 * response is read and dropped by the next call.
 */
krpc_code_t	 krpc_options_set_call_timeout(krpc_options_t *, double seconds);
/* Connects with options (the options may be freed afterwards). */
krpc_code_t	 krpc_connect_options(krpc_client_t **out, const krpc_options_t *);

/*
 * Closes the client: stops the stream thread, wakes every thread waiting
 * on it or on one of its streams and events (they get KRPC_ERR_CLOSED),
 * waits for those threads to leave the library, then frees the client and
 * every stream and event handle.  Callable from any thread, including a
 * stream callback, but not by a thread holding one of the client's locks.
 * No thread may start using the client or its handles once close begins.
 * NULL is ignored.
 */
void		 krpc_client_close(krpc_client_t *);
/* The 16-byte client identifier the server assigned (borrowed). */
const uint8_t	*krpc_client_id(const krpc_client_t *);
/* The name given at connection ("" if none; borrowed). */
const char	*krpc_client_name(const krpc_client_t *);
/* True if the client has a stream connection. */
bool		 krpc_client_has_stream(const krpc_client_t *);

/* ---- Calls ---------------------------------------------------------- */

/*
 * Calls service.procedure (wire name, PROTOCOL.md 4.1).
 *
 * args[i] is the argument for parameter position i (for class members,
 * position 0 is the object); a NULL entry leaves the argument out, so the
 * server uses the parameter's default; krpc_value_null() sends a null.
 * Remote objects are krpc_value_object(id).  The values are borrowed.
 *
 * ret is the return type in krpc_type_parse() text ("double",
 * "class(SpaceCenter.Vessel)", "list(tuple(double, double))", or "" for a
 * void procedure); a "struct(S.N)" without fields is resolved through the
 * service model.  With ret NULL the procedure is looked up in the service
 * model (fetched on first use): the call is checked (KRPC_ERR_NOT_FOUND for
 * an unknown procedure, KRPC_ERR_ARG/KRPC_ERR_TYPE for bad arguments),
 * numbers are converted to the parameter types when they fit, and the
 * declared return type is used.
 *
 * On success *result (if result is not NULL) is a new value the caller
 * frees, or NULL for a void procedure.  A server error is KRPC_ERR_RPC
 * with its service, name and description in error.h.
 */
krpc_code_t	 krpc_call(krpc_client_t *, const char *service, const char *procedure,
		    krpc_value_t *const *args, size_t nargs, const char *ret, krpc_value_t **result);
/*
 * The call as a PROCEDURE_CALL value, without running it (for
 * KRPC.AddStream, expressions, Benchmark.Call).  With a client the call is
 * checked and converted against the service model as krpc_call() does with
 * ret NULL; with client NULL it is encoded as given.  *out is a new value.
 */
krpc_code_t	 krpc_get_call(krpc_client_t *, const char *service, const char *procedure,
		    krpc_value_t *const *args, size_t nargs, krpc_value_t **out);

/*
 * Calls with C arguments converted by the parameter types of the service
 * model (the procedure must exist).  nargs arguments follow, for positions
 * 0 .. nargs-1; later parameters are left out (server defaults).  Each
 * argument is passed as:
 *   DOUBLE, FLOAT            double (write 1.0, not 1)
 *   SINT32, ENUMERATION      int32_t
 *   SINT64                   int64_t
 *   UINT32                   uint32_t
 *   UINT64, CLASS            uint64_t (a CLASS 0 is the null object)
 *   BOOL                     int (0 or 1)
 *   STRING                   const char * (NULL is null)
 *   anything else            const krpc_value_t * (borrowed; NULL is null)
 * *result as for krpc_call() (result may be NULL).
 */
krpc_code_t	 krpc_invoke(krpc_client_t *, krpc_value_t **result, const char *service,
		    const char *procedure, size_t nargs, ...);
/* krpc_get_call() with arguments as for krpc_invoke(). */
krpc_code_t	 krpc_invoke_get_call(krpc_client_t *, krpc_value_t **out, const char *service,
		    const char *procedure, size_t nargs, ...);

/* ---- Service discovery ---------------------------------------------- */

/*
 * The service model from KRPC.GetServices, fetched on first use and kept
 * until the client closes.  *out is borrowed.
 */
krpc_code_t	 krpc_client_services(krpc_client_t *, const krpc_services_t **out);

KRPC_END_DECLS

#endif
