/*
 * The client-level stream update condition and callbacks: notified once
 * per StreamUpdate the stream thread processes (Python's
 * stream_update_condition, wait_for_stream_update, add_stream_update_callback).
 */
#include "internal.h"

/* Takes the update lock. */
krpc_code_t
krpc_update_lock(krpc_client_t *c)
{
	krpc_code_t rc;

	if (c == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no client");
	if (krpc_cond_held(&c->update))
		return krpc_error_set(KRPC_ERR_ARG, "the update lock is already held by this thread");
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	krpc_cond_lock(&c->update);
	return KRPC_OK;
}

/* Releases the update lock. */
void
krpc_update_unlock(krpc_client_t *c)
{
	if (c == NULL || !krpc_cond_held(&c->update))
		return;
	krpc_cond_unlock(&c->update);
	krpc_client_leave(c);
}

/* Takes the update lock for a KRPC_SCOPED_UPDATE_LOCK variable: the client, or NULL on failure. */
krpc_client_t *
krpc_update_lock_scoped(krpc_client_t *c)
{
	return krpc_update_lock(c) == KRPC_OK ? c : NULL;
}

/* Releases a KRPC_SCOPED_UPDATE_LOCK variable's lock as it goes out of scope. */
void
krpc_update_unlock_cleanup(krpc_client_t **held)
{
	if (held != NULL && *held != NULL)
		krpc_update_unlock(*held);
}

/* Waits for the next processed StreamUpdate (lock held). */
krpc_code_t
krpc_update_wait(krpc_client_t *c, double timeout)
{
	double deadline = krpc_time_deadline(timeout);
	uint64_t gen;
	krpc_code_t rc;
	bool more = true;

	if (c == NULL || !krpc_cond_held(&c->update))
		return krpc_error_set(KRPC_ERR_ARG, "krpc_update_wait() needs the update lock held");
	if ((rc = krpc_client_need_stream(c)) != KRPC_OK)
		return rc;
	if (krpc_client_on_thread(c))
		return krpc_error_set(KRPC_ERR_ARG, "waiting for an update in a callback would block the stream thread");
	gen = c->update_gen;
	for (;;) {
		if (c->update_gen != gen)
			return KRPC_OK;
		if ((rc = krpc_stream_client_dead(c)) != KRPC_OK)
			return rc;
		if (!more)
			return krpc_error_set(KRPC_ERR_TIMEOUT, "no stream update within %g s", timeout);
		more = krpc_cond_wait(&c->update, deadline);
	}
}

/* Registers an update callback; its tag, or 0. */
unsigned
krpc_update_add_callback(krpc_client_t *c, krpc_update_callback_t fn, void *ud)
{
	krpc_callback_t cb = { 0, NULL, NULL, fn, ud };
	bool ok;

	if (c == NULL || fn == NULL) {
		krpc_error_set(KRPC_ERR_ARG, "no client or no callback");
		return 0;
	}
	if (krpc_client_enter(c) != KRPC_OK)
		return 0;
	pthread_mutex_lock(&c->mu);
	cb.tag = krpc_client_tag(c);
	ok = krpc_callbacks_add(&c->update_cbs, &cb);
	pthread_mutex_unlock(&c->mu);
	krpc_client_leave(c);
	if (!ok) {
		krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
		return 0;
	}
	return cb.tag;
}

/* Unregisters an update callback. */
krpc_code_t
krpc_update_remove_callback(krpc_client_t *c, unsigned tag)
{
	krpc_code_t rc;
	bool found;

	if (c == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no client");
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	pthread_mutex_lock(&c->mu);
	found = krpc_callbacks_del(&c->update_cbs, tag);
	pthread_mutex_unlock(&c->mu);
	krpc_client_leave(c);
	return found ? KRPC_OK : krpc_error_set(KRPC_ERR_NOT_FOUND, "no update callback with tag %u", tag);
}
