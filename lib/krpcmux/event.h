/*
 * libkrpcmux events: a boolean stream the server sends "true" on whenever
 * a condition holds (PROTOCOL.md 8.1), from KRPC.AddEvent(expression) or
 * any procedure returning EVENT (e.g. TestService.OnTimer).
 *
 * Ownership: a krpc_event_t is owned by its client; krpc_event_remove()
 * ends it (the handle is then invalid), krpc_client_close() frees it.
 * Thread safety: as for streams (stream.h); callbacks run on the stream
 * thread with no library lock held and may call the library.
 */
#ifndef KRPCMUX_EVENT_H
#define KRPCMUX_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "value.h"
#include "client.h"
#include "stream.h"

KRPC_BEGIN_DECLS

typedef struct krpc_event krpc_event_t;

/* Called each time the event occurs. */
typedef void	(*krpc_event_callback_t)(void *ud);

/*
 * An event that occurs while a KRPC.Expression (an object id from expr.h)
 * is true (KRPC.AddEvent).  Not started.  *out is a new handle.
 */
krpc_code_t	 krpc_event_add(krpc_client_t *, uint64_t expression, krpc_event_t **out);
/*
 * An event returned by a procedure (return type EVENT), e.g.
 * TestService.OnTimer; arguments as for krpc_call().  Not started.
 * Events need the stream connection: KRPC_ERR_NO_STREAM without one (for
 * krpc_event_add() too), KRPC_ERR_IO once it is lost.
 */
krpc_code_t	 krpc_event_call(krpc_client_t *, const char *service, const char *procedure,
		    krpc_value_t *const *args, size_t nargs, krpc_event_t **out);
/* An event from an EVENT value already received (e.g. from krpc_call()). */
krpc_code_t	 krpc_event_from_value(krpc_client_t *, const krpc_value_t *event, krpc_event_t **out);

/* Starts the event (without waiting). */
krpc_code_t	 krpc_event_start(krpc_event_t *);
/* The event's condition: the lock of its stream. */
krpc_code_t	 krpc_event_lock(krpc_event_t *);
void		 krpc_event_unlock(krpc_event_t *);
/* As KRPC_SCOPED_LOCK (stream.h), for "with event.condition:". */
krpc_event_t	*krpc_event_lock_scoped(krpc_event_t *);
void		 krpc_event_unlock_cleanup(krpc_event_t **);
#if defined(__GNUC__) || defined(__clang__)
#define KRPC_SCOPED_EVENT_LOCK __attribute__((cleanup(krpc_event_unlock_cleanup)))
#endif
/*
 * With the lock held: blocks until the event occurs (KRPC_OK), the timeout
 * in seconds passes (KRPC_ERR_TIMEOUT; negative waits forever), or the
 * event is removed or the client closed (KRPC_ERR_CLOSED).  An unstarted
 * event is started first.  An error result of the event's stream is
 * returned as KRPC_ERR_RPC.  KRPC_ERR_ARG if the lock is not held.
 */
krpc_code_t	 krpc_event_wait(krpc_event_t *, double timeout);
/* Registers a callback run each time the event occurs; its tag (> 0), or 0. */
unsigned	 krpc_event_add_callback(krpc_event_t *, krpc_event_callback_t, void *ud);
krpc_code_t	 krpc_event_remove_callback(krpc_event_t *, unsigned tag);
/* Removes the event on the server and wakes its waiters. */
krpc_code_t	 krpc_event_remove(krpc_event_t *);
/* The underlying bool stream (borrowed; valid as long as the event). */
krpc_stream_t	*krpc_event_stream(krpc_event_t *);

/* KRPC_SCOPED_EVENT: an event variable removed at scope exit (GCC, Clang). */
void		 krpc_event_cleanup(krpc_event_t **);
#if defined(__GNUC__) || defined(__clang__)
#define KRPC_SCOPED_EVENT __attribute__((cleanup(krpc_event_cleanup)))
#endif

KRPC_END_DECLS

#endif
