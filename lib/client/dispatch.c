/*
 * The stream thread: reads StreamUpdate messages from the stream
 * connection, stores each result in its stream (waking waiters), signals
 * the client-level update condition, then runs callbacks with no library
 * lock held.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* One stream's share of an update, kept until its callbacks have run. */
struct delivery {
	krpc_stream_t	*s;
	krpc_value_t	*value;		/* a copy for callbacks; NULL for an error */
	bool		 is_true;	/* an event that occurred */
	krpc_callback_t	*cbs;
	size_t		 ncbs;
};

/* Decodes a result for s: a value, or a saved error. */
static void
dispatch_decode(krpc_stream_t *s, const Krpc__Schema__ProcedureResult *r, krpc_value_t **value,
    krpc_fault_t **fault)
{
	char why[256];

	*value = NULL;
	*fault = NULL;
	if (r != NULL && r->error != NULL) {
		*fault = krpc_error_fault_rpc(r->error);
		return;
	}
	why[0] = '\0';
	if (krpc_value_decode(s->type, r ? r->value.data : NULL, r ? r->value.len : 0,
	    r ? r->is_null : false, value, why, sizeof why) != KRPC_OK) {
		*value = NULL;
		*fault = krpc_error_fault(KRPC_ERR_MALFORMED, why);
	}
}

/* Stores one result in its stream and prepares its callbacks. */
static void
dispatch_store(krpc_stream_t *s, const Krpc__Schema__ProcedureResult *r, struct delivery *d)
{
	krpc_value_t *value;
	krpc_fault_t *fault;
	bool b = false;

	dispatch_decode(s, r, &value, &fault);
	d->s = s;
	d->is_true = s->is_event && value != NULL && krpc_value_as_bool(value, &b) == KRPC_OK && b;
	d->value = value != NULL ? krpc_value_clone(value) : NULL;
	krpc_cond_lock(&s->cond);
	krpc_value_free(s->value);
	krpc_error_fault_free(s->fault);
	s->value = value;
	s->fault = fault != NULL || value != NULL ? fault :
	    krpc_error_fault(KRPC_ERR_NOMEM, "out of memory");
	s->has_result = true;
	s->when = krpc_time_now();
	s->gen++;
	if (d->is_true)
		s->trues++;
	d->cbs = krpc_callbacks_copy(&s->cbs, &d->ncbs);
	krpc_cond_broadcast(&s->cond);
	krpc_cond_unlock(&s->cond);
}

/* True if callback tag is still registered on a live stream. */
static bool
dispatch_still_wanted(krpc_stream_t *s, unsigned tag)
{
	bool yes;

	krpc_cond_lock(&s->cond);
	yes = !__atomic_load_n(&s->removed, __ATOMIC_ACQUIRE) && krpc_callbacks_has(&s->cbs, tag);
	krpc_cond_unlock(&s->cond);
	return yes && !krpc_client_closing(s->c);
}

/* Runs one stream's callbacks. */
static void
dispatch_run_stream(const struct delivery *d)
{
	const krpc_callback_t *cb;
	size_t i;

	for (i = 0; i < d->ncbs; i++) {
		cb = &d->cbs[i];
		if (cb->event_fn != NULL && !d->is_true)
			continue;
		if (!dispatch_still_wanted(d->s, cb->tag))
			continue;
		if (cb->event_fn != NULL)
			cb->event_fn(cb->ud);
		else
			cb->stream_fn(d->s, d->value, cb->ud);
	}
}

/* Runs the client-level update callbacks. */
static void
dispatch_run_updates(krpc_client_t *c)
{
	krpc_callback_t *cbs;
	size_t n, i;
	bool wanted;

	pthread_mutex_lock(&c->mu);
	cbs = krpc_callbacks_copy(&c->update_cbs, &n);
	pthread_mutex_unlock(&c->mu);
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&c->mu);
		wanted = krpc_callbacks_has(&c->update_cbs, cbs[i].tag) && !krpc_client_closing(c);
		pthread_mutex_unlock(&c->mu);
		if (wanted)
			cbs[i].update_fn(c, cbs[i].ud);
	}
	free(cbs);
}

/* Processes one StreamUpdate. */
static void
dispatch_update(krpc_client_t *c, const Krpc__Schema__StreamUpdate *u)
{
	struct delivery *d;
	krpc_stream_t *s;
	size_t i, n = 0;

	if ((d = calloc(u->n_results + 1, sizeof *d)) == NULL)
		return;		/* out of memory: this update is lost */
	for (i = 0; i < u->n_results; i++) {
		if ((s = krpc_stream_ref(c, u->results[i]->id)) == NULL)
			continue;	/* removed, or never ours: ignored */
		dispatch_store(s, u->results[i]->result, &d[n++]);
	}
	krpc_cond_lock(&c->update);
	c->update_gen++;
	krpc_cond_broadcast(&c->update);
	krpc_cond_unlock(&c->update);
	for (i = 0; i < n; i++)
		dispatch_run_stream(&d[i]);
	if (!krpc_client_closing(c))
		dispatch_run_updates(c);
	for (i = 0; i < n; i++) {
		krpc_value_free(d[i].value);
		free(d[i].cbs);
		krpc_stream_unref(d[i].s);
	}
	free(d);
}

/* The stream thread. */
void *
krpc_dispatch_main(void *arg)
{
	krpc_client_t *c = arg;
	Krpc__Schema__StreamUpdate *u;
	const uint8_t *body;
	size_t len;

	for (;;) {
		if (krpc_conn_recv(c->stream, INFINITY, &body, &len) != KRPC_OK)
			break;
		if ((u = krpc_msg_update_read(body, len, NULL, 0)) == NULL)
			break;		/* protocol error: the connection is unusable */
		dispatch_update(c, u);
		krpc__schema__stream_update__free_unpacked(u, NULL);
		if (krpc_client_closing(c))
			break;
	}
	if (!krpc_client_closing(c)) {
		__atomic_store_n(&c->stream_lost, true, __ATOMIC_RELEASE);
		krpc_stream_wake_all(c);
	}
	krpc_client_thread_exit(c);
	return NULL;
}
