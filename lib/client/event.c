/*
 * Events: a boolean stream registered by KRPC.AddEvent or by a procedure
 * returning EVENT.  An event handle is its stream handle under another
 * type, so it shares the stream's lifetime, lock and callbacks; waits and
 * callbacks count only the "true" results (occurrences).
 */
#include <stdlib.h>

#include "internal.h"

/* The stream behind an event handle (the same object). */
static krpc_stream_t *
event_stream(krpc_event_t *e)
{
	return (krpc_stream_t *)(void *)e;
}

/* An event from an EVENT value. */
krpc_code_t
krpc_event_from_value(krpc_client_t *c, const krpc_value_t *event, krpc_event_t **out)
{
	Krpc__Schema__Event *msg;
	krpc_stream_t *s = NULL;
	const uint8_t *data;
	uint64_t id;
	size_t len;
	krpc_code_t rc;

	if (out != NULL)
		*out = NULL;
	if (c == NULL || out == NULL || event == NULL || krpc_value_code(event) != KRPC_TYPE_EVENT ||
	    krpc_value_is_null(event))
		return krpc_error_set(KRPC_ERR_ARG, "no client, no place for the event or not an event");
	if ((rc = krpc_client_need_stream(c)) != KRPC_OK)
		return rc;
	data = krpc_value_data(event, &len);
	if ((msg = krpc__schema__event__unpack(NULL, len, data)) == NULL)
		return krpc_error_set(KRPC_ERR_PROTOCOL, "malformed Event message");
	id = msg->stream != NULL ? msg->stream->id : 0;	/* stream 0 is (near) empty */
	krpc__schema__event__free_unpacked(msg, NULL);
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	rc = krpc_stream_register(c, id, krpc_type_new(KRPC_TYPE_BOOL), true, &s);
	krpc_client_leave(c);
	*out = (krpc_event_t *)(void *)s;
	return rc;
}

/* An event from a procedure returning EVENT. */
krpc_code_t
krpc_event_call(krpc_client_t *c, const char *service, const char *procedure,
    krpc_value_t *const *args, size_t nargs, krpc_event_t **out)
{
	krpc_value_t *v;
	krpc_code_t rc;

	if (out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no place for the event");
	*out = NULL;
	/* Said locally, as for streams: the server would refuse it with KRPC_ERR_RPC. */
	if (c != NULL && (rc = krpc_client_need_stream(c)) != KRPC_OK)
		return rc;
	if ((rc = krpc_call(c, service, procedure, args, nargs, "event", &v)) != KRPC_OK)
		return rc;
	rc = krpc_event_from_value(c, v, out);
	krpc_value_free(v);
	return rc;
}

/* An event occurring while an expression is true. */
krpc_code_t
krpc_event_add(krpc_client_t *c, uint64_t expression, krpc_event_t **out)
{
	krpc_value_t *arg[1];
	krpc_code_t rc;

	if ((arg[0] = krpc_value_object(expression)) == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	rc = krpc_event_call(c, "KRPC", "AddEvent", arg, 1, out);
	krpc_value_free(arg[0]);
	return rc;
}

/* Starts the event. */
krpc_code_t
krpc_event_start(krpc_event_t *e)
{
	return krpc_stream_start(event_stream(e), false);
}

/* Takes the event's lock. */
krpc_code_t
krpc_event_lock(krpc_event_t *e)
{
	return krpc_stream_lock(event_stream(e));
}

/* Releases the event's lock. */
void
krpc_event_unlock(krpc_event_t *e)
{
	krpc_stream_unlock(event_stream(e));
}

/* Takes the lock for a KRPC_SCOPED_EVENT_LOCK variable: the event, or NULL on failure. */
krpc_event_t *
krpc_event_lock_scoped(krpc_event_t *e)
{
	return krpc_event_lock(e) == KRPC_OK ? e : NULL;
}

/* Releases a KRPC_SCOPED_EVENT_LOCK variable's lock as it goes out of scope. */
void
krpc_event_unlock_cleanup(krpc_event_t **held)
{
	if (held != NULL && *held != NULL)
		krpc_event_unlock(*held);
}

/* Waits until the event occurs (lock held). */
krpc_code_t
krpc_event_wait(krpc_event_t *e, double timeout)
{
	krpc_stream_t *s = event_stream(e);
	krpc_code_t rc;

	if (s == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no event");
	if ((rc = krpc_client_enter(s->c)) != KRPC_OK)
		return rc;
	rc = krpc_stream_wait_for(s, timeout, true);
	krpc_client_leave(s->c);
	return rc;
}

/* Registers a callback run at each occurrence. */
unsigned
krpc_event_add_callback(krpc_event_t *e, krpc_event_callback_t fn, void *ud)
{
	krpc_callback_t cb = { 0, NULL, fn, NULL, ud };

	if (fn == NULL) {
		krpc_error_set(KRPC_ERR_ARG, "no callback");
		return 0;
	}
	return krpc_stream_callback_add(event_stream(e), &cb);
}

/* Unregisters a callback. */
krpc_code_t
krpc_event_remove_callback(krpc_event_t *e, unsigned tag)
{
	return krpc_stream_remove_callback(event_stream(e), tag);
}

/* Removes the event. */
krpc_code_t
krpc_event_remove(krpc_event_t *e)
{
	return krpc_stream_remove(event_stream(e));
}

/* The underlying bool stream. */
krpc_stream_t *
krpc_event_stream(krpc_event_t *e)
{
	return event_stream(e);
}

/* Removes a scoped event. */
void
krpc_event_cleanup(krpc_event_t **ep)
{
	if (ep != NULL && *ep != NULL) {
		krpc_event_remove(*ep);
		*ep = NULL;
	}
}
