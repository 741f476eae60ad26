/*
 * libkrpcmux streams: the latest value of a procedure call, updated by the
 * server (PROTOCOL.md section 7) and read by a background thread that owns
 * the stream connection.  Also the client-level "stream update" condition
 * and callbacks.
 *
 * Ownership: a krpc_stream_t is owned by its client.  Adding the same call
 * twice gives the same handle with a second reference; each
 * krpc_stream_remove() drops one, and the last removes the stream on the
 * server.  A handle must not be used after the caller's last remove, nor
 * after krpc_client_close().
 * Thread safety: every function may be called from any thread.  A stream
 * has one lock ("condition"): krpc_stream_lock()/krpc_stream_unlock();
 * reads and starts work with or without the caller holding it;
 * krpc_stream_wait() requires it.
 * Callbacks run on the stream thread with no library lock held; they may
 * call the library (including removing their own stream) but should return
 * quickly: no other update is processed meanwhile.  In a callback, calls
 * that would wait for stream data (a wait, a read or start that waits for
 * a first value) fail with KRPC_ERR_ARG instead of deadlocking.
 */
#ifndef KRPCMUX_STREAM_H
#define KRPCMUX_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "value.h"
#include "client.h"

KRPC_BEGIN_DECLS

typedef struct krpc_stream krpc_stream_t;

/*
 * Called with each new result: value is borrowed for the duration of the
 * call, and NULL when the result is an error (krpc_stream_get() inside the
 * callback returns that error).
 */
typedef void	(*krpc_stream_callback_t)(krpc_stream_t *, const krpc_value_t *value, void *ud);
/* Called once per StreamUpdate message the client processes. */
typedef void	(*krpc_update_callback_t)(krpc_client_t *, void *ud);

/*
 * Adds a stream of service.procedure(args) (KRPC.AddStream; arguments and
 * ret exactly as for krpc_call(), so ret NULL checks the call against the
 * service model).  The stream is not started: start it, or read it (which
 * starts it and waits for the first value).  Adding a call already
 * streamed returns the same handle.  KRPC_ERR_NO_STREAM for a client
 * connected without a stream connection, KRPC_ERR_IO once it lost it.
 */
krpc_code_t	 krpc_stream_add(krpc_client_t *, const char *service, const char *procedure,
		    krpc_value_t *const *args, size_t nargs, const char *ret, krpc_stream_t **out);
/*
 * Adds a stream of a PROCEDURE_CALL value (krpc_get_call()).  ret as for
 * krpc_call(); NULL looks the procedure up in the service model.
 */
krpc_code_t	 krpc_stream_add_call(krpc_client_t *, const krpc_value_t *call, const char *ret,
		    krpc_stream_t **out);
/* krpc_stream_add() with C arguments converted as krpc_invoke() does. */
krpc_code_t	 krpc_stream_invoke(krpc_client_t *, krpc_stream_t **out, const char *service,
		    const char *procedure, size_t nargs, ...);
/*
 * Drops one reference; the last one removes the stream on the server
 * (KRPC.RemoveStream) and wakes its waiters (they get KRPC_ERR_CLOSED).
 */
krpc_code_t	 krpc_stream_remove(krpc_stream_t *);

/* Starts the stream; with wait, blocks until its first value (or error). */
krpc_code_t	 krpc_stream_start(krpc_stream_t *, bool wait);
/* The update rate in Hz (0: every server update). */
float		 krpc_stream_rate(krpc_stream_t *);
krpc_code_t	 krpc_stream_set_rate(krpc_stream_t *, float hz);
/* The server's stream id. */
uint64_t	 krpc_stream_id(const krpc_stream_t *);
krpc_client_t	*krpc_stream_client(const krpc_stream_t *);

/*
 * The latest value: *out is a new value the caller frees.  An unstarted
 * stream is started and the first value awaited.  KRPC_ERR_NO_VALUE if the
 * stream was started without waiting and nothing arrived yet; KRPC_ERR_RPC
 * (details in error.h) if the streamed call failed; KRPC_ERR_CLOSED once
 * removed or closed; KRPC_ERR_IO once the client has lost its stream
 * connection (the server or krpcmuxd went away): the last value is no
 * longer current, and is not returned.  A read that succeeds returns the
 * current value: the server sends a value only when it changes.
 */
krpc_code_t	 krpc_stream_get(krpc_stream_t *, krpc_value_t **out);
/*
 * Seconds since the stream's latest result arrived (KRPC_ERR_NO_VALUE if
 * none yet).  The server sends a value only when it changes, so this is how
 * long the value has been unchanged, not a measure of staleness: while
 * reads succeed the value is current.  For the age of the value a read
 * returned, read both under the stream's lock.
 */
krpc_code_t	 krpc_stream_age(krpc_stream_t *, double *age);
/* Typed reads of the latest value (KRPC_ERR_TYPE if it has another type or is null). */
krpc_code_t	 krpc_stream_get_double(krpc_stream_t *, double *);
krpc_code_t	 krpc_stream_get_float(krpc_stream_t *, float *);
krpc_code_t	 krpc_stream_get_sint32(krpc_stream_t *, int32_t *);
krpc_code_t	 krpc_stream_get_sint64(krpc_stream_t *, int64_t *);
krpc_code_t	 krpc_stream_get_uint32(krpc_stream_t *, uint32_t *);
krpc_code_t	 krpc_stream_get_uint64(krpc_stream_t *, uint64_t *);
krpc_code_t	 krpc_stream_get_bool(krpc_stream_t *, bool *);
/* A CLASS value's object id (0 for null). */
krpc_code_t	 krpc_stream_get_object(krpc_stream_t *, uint64_t *);
krpc_code_t	 krpc_stream_get_enum(krpc_stream_t *, int32_t *);
/* A STRING as a new NUL-terminated copy the caller frees (NULL for null). */
krpc_code_t	 krpc_stream_get_string(krpc_stream_t *, char **);

/*
 * The stream's condition.  Lock, check the value, then krpc_stream_wait():
 * no update can slip in between.  Unlock when done.  Locks of different
 * streams are independent.
 */
krpc_code_t	 krpc_stream_lock(krpc_stream_t *);
void		 krpc_stream_unlock(krpc_stream_t *);
/*
 * Python's "with stream.condition:" (GCC and Clang): a variable declared
 * KRPC_SCOPED_LOCK holds the lock taken by krpc_stream_lock_scoped() until
 * its block is left, however it is left (return, break, goto):
 *     {
 *         KRPC_SCOPED_LOCK krpc_stream_t *held = krpc_stream_lock_scoped(abort);
 *         bool on = false;
 *
 *         if (held == NULL)
 *             return krpc_error_code();
 *         while (krpc_stream_get_bool(abort, &on) == KRPC_OK && !on)
 *             if (krpc_stream_wait(abort, -1) != KRPC_OK)
 *                 return krpc_error_code();
 *     }
 * krpc_stream_lock_scoped() returns the stream locked, or NULL with the
 * error of krpc_stream_lock() recorded (then nothing is unlocked).
 */
krpc_stream_t	*krpc_stream_lock_scoped(krpc_stream_t *);
void		 krpc_stream_unlock_cleanup(krpc_stream_t **);
#if defined(__GNUC__) || defined(__clang__)
#define KRPC_SCOPED_LOCK __attribute__((cleanup(krpc_stream_unlock_cleanup)))
#endif
/*
 * With the lock held: blocks until the next result arrives (KRPC_OK), the
 * timeout in seconds passes (KRPC_ERR_TIMEOUT; negative waits forever),
 * the stream is removed or the client closed (KRPC_ERR_CLOSED), or the
 * stream connection fails (KRPC_ERR_IO).  An unstarted stream is started
 * (without waiting for its value).  KRPC_ERR_ARG if the lock is not held.
 */
krpc_code_t	 krpc_stream_wait(krpc_stream_t *, double timeout);

/*
 * Registers a callback for each new result; returns its tag (> 0), or 0 on
 * failure.  A callback registered before krpc_stream_start() sees the
 * first value.
 */
unsigned	 krpc_stream_add_callback(krpc_stream_t *, krpc_stream_callback_t, void *ud);
/* Unregisters; once this returns the callback is not called again (unless running now). */
krpc_code_t	 krpc_stream_remove_callback(krpc_stream_t *, unsigned tag);

/*
 * Scoped streams.  A variable declared KRPC_SCOPED_STREAM is removed when
 * it goes out of scope (GCC and Clang):
 *     KRPC_SCOPED_STREAM krpc_stream_t *alt = NULL;
 *     krpc_stream_add(c, ..., &alt);
 * krpc_with_stream() adds the stream, runs fn with it and removes it,
 * returning fn's result (or the error from adding).
 */
void		 krpc_stream_cleanup(krpc_stream_t **);
#if defined(__GNUC__) || defined(__clang__)
#define KRPC_SCOPED_STREAM __attribute__((cleanup(krpc_stream_cleanup)))
#endif
krpc_code_t	 krpc_with_stream(krpc_client_t *, const char *service, const char *procedure,
		    krpc_value_t *const *args, size_t nargs, const char *ret,
		    krpc_code_t (*fn)(krpc_stream_t *, void *), void *ud);

/* ---- Client-level stream updates ------------------------------------ */

/* The stream update condition of the client. */
krpc_code_t	 krpc_update_lock(krpc_client_t *);
void		 krpc_update_unlock(krpc_client_t *);
/* As KRPC_SCOPED_LOCK, for the update condition ("with conn.stream_update_condition:"). */
krpc_client_t	*krpc_update_lock_scoped(krpc_client_t *);
void		 krpc_update_unlock_cleanup(krpc_client_t **);
#if defined(__GNUC__) || defined(__clang__)
#define KRPC_SCOPED_UPDATE_LOCK __attribute__((cleanup(krpc_update_unlock_cleanup)))
#endif
/*
 * With the update lock held: blocks until the client processes its next
 * StreamUpdate (KRPC_OK), or the timeout passes (KRPC_ERR_TIMEOUT; negative
 * waits forever), or the client closes (KRPC_ERR_CLOSED) or loses its
 * stream connection (KRPC_ERR_IO).  KRPC_ERR_ARG if the lock is not held,
 * KRPC_ERR_NO_STREAM if the client has no stream connection.
 */
krpc_code_t	 krpc_update_wait(krpc_client_t *, double timeout);
/* Registers a callback run once per processed StreamUpdate; its tag, or 0. */
unsigned	 krpc_update_add_callback(krpc_client_t *, krpc_update_callback_t, void *ud);
krpc_code_t	 krpc_update_remove_callback(krpc_client_t *, unsigned tag);

KRPC_END_DECLS

#endif
