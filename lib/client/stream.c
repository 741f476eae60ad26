/*
 * Streams: handles shared by every add of the same server stream, their
 * life cycle (references, removal, deferred free), starting, rates, reads
 * of the latest value, the per-stream condition and callbacks.  The stream
 * thread that fills them in is dispatch.c.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Frees a stream object (c->mu held, or the client is being freed). */
static void
stream_free(krpc_stream_t *s)
{
	krpc_client_t *c = s->c;

	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		c->all = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	if (krpc_idmap_get(c->streams, s->id) == s)
		krpc_idmap_del(c->streams, s->id);
	krpc_type_free(s->type);
	krpc_value_free(s->value);
	krpc_error_fault_free(s->fault);
	krpc_callbacks_free(&s->cbs);
	krpc_cond_destroy(&s->cond);
	free(s);
}

/* A new stream object, linked into the client (c->mu held). */
static krpc_stream_t *
stream_new(krpc_client_t *c, uint64_t id, krpc_type_t *type, bool is_event)
{
	krpc_stream_t *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	if (krpc_cond_init(&s->cond) != 0) {
		free(s);
		return NULL;
	}
	s->c = c;
	s->id = id;
	s->type = type;
	s->is_event = is_event;
	s->adds = 1;
	if (!krpc_idmap_put(c->streams, id, s)) {
		krpc_cond_destroy(&s->cond);
		free(s);
		return NULL;
	}
	s->next = c->all;
	if (c->all != NULL)
		c->all->prev = s;
	c->all = s;
	return s;
}

/* Registers a server stream id, sharing the handle of a live stream. */
krpc_code_t
krpc_stream_register(krpc_client_t *c, uint64_t id, krpc_type_t *ret, bool is_event,
    krpc_stream_t **out)
{
	krpc_stream_t *s;

	pthread_mutex_lock(&c->mu);
	s = krpc_idmap_get(c->streams, id);
	if (s != NULL && !is_event && !s->is_event) {
		s->adds++;
		krpc_type_free(ret);
	} else if ((s = stream_new(c, id, ret, is_event)) == NULL) {
		krpc_type_free(ret);
	}
	pthread_mutex_unlock(&c->mu);
	*out = s;
	return s != NULL ? KRPC_OK : krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
}

/* The live stream with id, with an internal reference; NULL if none. */
krpc_stream_t *
krpc_stream_ref(krpc_client_t *c, uint64_t id)
{
	krpc_stream_t *s;

	pthread_mutex_lock(&c->mu);
	if ((s = krpc_idmap_get(c->streams, id)) != NULL)
		s->refs++;
	pthread_mutex_unlock(&c->mu);
	return s;
}

/* Drops an internal reference; frees a removed stream nobody uses. */
void
krpc_stream_unref(krpc_stream_t *s)
{
	krpc_client_t *c = s->c;

	pthread_mutex_lock(&c->mu);
	if (--s->refs == 0 && s->adds == 0)
		stream_free(s);
	pthread_mutex_unlock(&c->mu);
}

/* Frees every stream (client teardown). */
void
krpc_stream_free_all(krpc_client_t *c)
{
	while (c->all != NULL)
		stream_free(c->all);
}

/* Wakes every waiter of the client. */
void
krpc_stream_wake_all(krpc_client_t *c)
{
	krpc_stream_t **v = NULL, *s;
	size_t n = 0, i;

	pthread_mutex_lock(&c->mu);
	for (s = c->all; s != NULL; s = s->next)
		n++;
	if (n > 0 && (v = calloc(n, sizeof *v)) != NULL) {
		for (i = 0, s = c->all; s != NULL; s = s->next, i++) {
			s->refs++;
			v[i] = s;
		}
	}
	pthread_mutex_unlock(&c->mu);
	for (i = 0; v != NULL && i < n; i++) {
		krpc_cond_lock(&v[i]->cond);
		krpc_cond_broadcast(&v[i]->cond);
		krpc_cond_unlock(&v[i]->cond);
		krpc_stream_unref(v[i]);
	}
	free(v);
	krpc_cond_lock(&c->update);
	krpc_cond_broadcast(&c->update);
	krpc_cond_unlock(&c->update);
}

/* Why waiting cannot go on. */
krpc_code_t
krpc_stream_client_dead(krpc_client_t *c)
{
	if (krpc_client_closing(c))
		return krpc_error_set(KRPC_ERR_CLOSED, "the client is closed");
	if (__atomic_load_n(&c->stream_lost, __ATOMIC_ACQUIRE))
		return krpc_error_set(KRPC_ERR_IO, "the stream connection was lost");
	return KRPC_OK;
}

/* Why waiting on s cannot go on (its lock held): removed, closed, lost, or OK. */
static krpc_code_t
stream_dead(krpc_stream_t *s)
{
	if (__atomic_load_n(&s->removed, __ATOMIC_ACQUIRE))
		return krpc_error_set(KRPC_ERR_CLOSED, "the stream was removed");
	return krpc_stream_client_dead(s->c);
}

/* Enters a public call on s: the client and an internal reference. */
static krpc_code_t
stream_enter(krpc_stream_t *s)
{
	krpc_code_t rc;

	if (s == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no stream");
	if ((rc = krpc_client_enter(s->c)) != KRPC_OK)
		return rc;
	pthread_mutex_lock(&s->c->mu);
	s->refs++;
	pthread_mutex_unlock(&s->c->mu);
	return KRPC_OK;
}

/* Ends a public call on s. */
static void
stream_leave(krpc_stream_t *s)
{
	krpc_client_t *c = s->c;

	krpc_stream_unref(s);
	krpc_client_leave(c);
}

/* Locks s unless the caller holds it; returns whether it locked. */
static bool
stream_lock_if(krpc_stream_t *s)
{
	if (krpc_cond_held(&s->cond))
		return false;
	krpc_cond_lock(&s->cond);
	return true;
}

/* Refuses to block the stream thread (a callback waiting for stream data). */
static krpc_code_t
stream_may_block(krpc_stream_t *s)
{
	if (krpc_client_on_thread(s->c))
		return krpc_error_set(KRPC_ERR_ARG,
		    "waiting for stream data in a callback would block the stream thread");
	return KRPC_OK;
}

/*
 * Sends StartStream once; with wait, waits for a result.  The lock is
 * held; with own (the library took it, not the caller) it is released
 * during the call so that the stream thread keeps delivering.
 */
static krpc_code_t
stream_start_locked(krpc_stream_t *s, bool wait, bool own)
{
	krpc_code_t rc;

	if ((rc = stream_dead(s)) != KRPC_OK)
		return rc;
	if (wait && !s->has_result && (rc = stream_may_block(s)) != KRPC_OK)
		return rc;
	if (!s->started) {
		s->started = true;
		if (own)
			krpc_cond_unlock(&s->cond);
		rc = krpc_call_simple(s->c, "KRPC", "StartStream", 1, krpc_value_uint64(s->id), NULL, NULL,
		    "", NULL);
		if (own)
			krpc_cond_lock(&s->cond);
		if (rc != KRPC_OK) {
			s->started = false;
			return rc;
		}
	}
	while (wait && !s->has_result) {
		if ((rc = stream_dead(s)) != KRPC_OK)
			return rc;
		krpc_cond_wait(&s->cond, krpc_time_deadline(-1));
	}
	return KRPC_OK;
}

/* Adds a stream of a serialised call (ret owned). */
static krpc_code_t
stream_add_bytes(krpc_client_t *c, const uint8_t *call, size_t len, krpc_type_t *ret,
    krpc_stream_t **out)
{
	Krpc__Schema__Stream *msg;
	krpc_value_t *v = NULL;
	const uint8_t *data;
	size_t dlen;
	krpc_code_t rc;

	if ((rc = krpc_client_need_stream(c)) == KRPC_OK && ret == NULL)
		rc = krpc_error_set(KRPC_ERR_ARG, "cannot stream a procedure that returns nothing");
	if (rc == KRPC_OK)
		rc = krpc_call_simple(c, "KRPC", "AddStream", 2,
		    krpc_value_message(KRPC_TYPE_PROCEDURE_CALL, call, len), krpc_value_bool(false), NULL,
		    "stream", &v);
	if (rc != KRPC_OK) {
		krpc_type_free(ret);
		return rc;
	}
	data = krpc_value_data(v, &dlen);
	msg = krpc__schema__stream__unpack(NULL, dlen, data);
	krpc_value_free(v);
	if (msg == NULL) {
		krpc_type_free(ret);
		return krpc_error_set(KRPC_ERR_PROTOCOL, "malformed Stream message from AddStream");
	}
	rc = krpc_stream_register(c, msg->id, ret, false, out);
	krpc__schema__stream__free_unpacked(msg, NULL);
	return rc;
}

/* Adds a stream of a call by name. */
krpc_code_t
krpc_stream_add(krpc_client_t *c, const char *service, const char *procedure,
    krpc_value_t *const *args, size_t nargs, const char *ret, krpc_stream_t **out)
{
	krpc_prepared_t p;
	krpc_code_t rc;

	if (c == NULL || out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no client or no place for the stream");
	*out = NULL;
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	if ((rc = krpc_call_prepare(c, service, procedure, args, nargs, ret, &p)) == KRPC_OK) {
		rc = stream_add_bytes(c, p.call.data, p.call.len, p.ret, out);
		p.ret = NULL;	/* taken */
		krpc_call_prepared_free(&p);
	}
	krpc_client_leave(c);
	return rc;
}

/* The return type of a serialised call, from the service model. */
static krpc_code_t
stream_call_type(krpc_client_t *c, const uint8_t *call, size_t len, krpc_type_t **out)
{
	Krpc__Schema__ProcedureCall *pc;
	const krpc_procedure_t *proc;
	krpc_code_t rc;

	*out = NULL;
	if ((pc = krpc_msg_call_read(call, len, NULL, 0)) == NULL)
		return krpc_error_set(KRPC_ERR_MALFORMED, "malformed PROCEDURE_CALL value");
	rc = krpc_call_lookup(c, pc->service, pc->procedure, &proc);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	if (rc != KRPC_OK)
		return rc;
	if (krpc_procedure_return_type(proc) == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "cannot stream a procedure that returns nothing");
	if ((*out = krpc_type_clone(krpc_procedure_return_type(proc))) == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	return KRPC_OK;
}

/* Adds a stream of a PROCEDURE_CALL value. */
krpc_code_t
krpc_stream_add_call(krpc_client_t *c, const krpc_value_t *call, const char *ret,
    krpc_stream_t **out)
{
	const uint8_t *data;
	size_t len;
	krpc_type_t *t = NULL;
	krpc_code_t rc;

	if (c == NULL || out == NULL || call == NULL || krpc_value_code(call) != KRPC_TYPE_PROCEDURE_CALL)
		return krpc_error_set(KRPC_ERR_ARG, "no client, no place for the stream or not a call");
	*out = NULL;
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	data = krpc_value_data(call, &len);
	if (ret == NULL) {
		rc = stream_call_type(c, data, len, &t);
	} else {
		rc = krpc_call_parse_type(c, ret, &t);
	}
	if (rc == KRPC_OK)
		rc = stream_add_bytes(c, data, len, t, out);
	krpc_client_leave(c);
	return rc;
}

/* Adds a stream with C arguments. */
krpc_code_t
krpc_stream_invoke(krpc_client_t *c, krpc_stream_t **out, const char *service,
    const char *procedure, size_t nargs, ...)
{
	krpc_value_t **vals;
	krpc_code_t rc;
	va_list ap;

	if (c == NULL || out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no client or no place for the stream");
	*out = NULL;
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	va_start(ap, nargs);
	rc = krpc_invoke_values(c, service, procedure, nargs, ap, &vals);
	va_end(ap);
	if (rc == KRPC_OK) {
		rc = krpc_stream_add(c, service, procedure, vals, nargs, NULL, out);
		krpc_invoke_free_args(vals, nargs);
	}
	krpc_client_leave(c);
	return rc;
}

/* Drops a user reference; the last removes the stream. */
krpc_code_t
krpc_stream_remove(krpc_stream_t *s)
{
	krpc_client_t *c;
	krpc_code_t rc;
	bool last, locked;

	if ((rc = stream_enter(s)) != KRPC_OK)
		return rc;
	c = s->c;
	pthread_mutex_lock(&c->mu);
	if (s->adds == 0) {
		pthread_mutex_unlock(&c->mu);
		stream_leave(s);
		return krpc_error_set(KRPC_ERR_CLOSED, "the stream was already removed");
	}
	last = --s->adds == 0;
	if (last) {
		if (krpc_idmap_get(c->streams, s->id) == s)
			krpc_idmap_del(c->streams, s->id);
		__atomic_store_n(&s->removed, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&c->mu);
	if (last) {
		locked = stream_lock_if(s);
		krpc_cond_broadcast(&s->cond);
		if (locked)
			krpc_cond_unlock(&s->cond);
		rc = krpc_call_simple(c, "KRPC", "RemoveStream", 1, krpc_value_uint64(s->id), NULL, NULL,
		    "", NULL);
	}
	stream_leave(s);
	return rc;
}

/* Starts the stream. */
krpc_code_t
krpc_stream_start(krpc_stream_t *s, bool wait)
{
	krpc_code_t rc;
	bool locked;

	if ((rc = stream_enter(s)) != KRPC_OK)
		return rc;
	locked = stream_lock_if(s);
	rc = stream_start_locked(s, wait, locked);
	if (locked)
		krpc_cond_unlock(&s->cond);
	stream_leave(s);
	return rc;
}

/* The update rate. */
float
krpc_stream_rate(krpc_stream_t *s)
{
	float rate;
	bool locked;

	if (s == NULL)
		return 0;
	locked = stream_lock_if(s);
	rate = s->rate;
	if (locked)
		krpc_cond_unlock(&s->cond);
	return rate;
}

/* Sets the update rate (KRPC.SetStreamRate). */
krpc_code_t
krpc_stream_set_rate(krpc_stream_t *s, float hz)
{
	krpc_code_t rc;
	bool locked;

	if ((rc = stream_enter(s)) != KRPC_OK)
		return rc;
	rc = krpc_call_simple(s->c, "KRPC", "SetStreamRate", 2, krpc_value_uint64(s->id),
	    krpc_value_float(hz), NULL, "", NULL);
	if (rc == KRPC_OK) {
		locked = stream_lock_if(s);
		s->rate = hz;
		if (locked)
			krpc_cond_unlock(&s->cond);
	}
	stream_leave(s);
	return rc;
}

/* The server's stream id. */
uint64_t
krpc_stream_id(const krpc_stream_t *s)
{
	return s != NULL ? s->id : 0;
}

/* The client owning the stream. */
krpc_client_t *
krpc_stream_client(const krpc_stream_t *s)
{
	return s != NULL ? s->c : NULL;
}

/* The latest value (lock held, by the library if own): starts an unstarted stream and waits. */
static krpc_code_t
stream_read_locked(krpc_stream_t *s, krpc_value_t **out, bool own)
{
	krpc_code_t rc;

	if (!s->started && (rc = stream_start_locked(s, true, own)) != KRPC_OK)
		return rc;
	/* A value kept from a connection since lost is not current: say so (KRPC_ERR_IO). */
	if ((rc = stream_dead(s)) != KRPC_OK)
		return rc;
	if (!s->has_result)
		return krpc_error_set(KRPC_ERR_NO_VALUE, "the stream has no value yet");
	if (s->fault != NULL)
		return krpc_error_raise(s->fault);
	if ((*out = krpc_value_clone(s->value)) == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	return KRPC_OK;
}

/* The latest value. */
krpc_code_t
krpc_stream_get(krpc_stream_t *s, krpc_value_t **out)
{
	krpc_code_t rc;
	bool locked;

	if (out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no place for the value");
	*out = NULL;
	if ((rc = stream_enter(s)) != KRPC_OK)
		return rc;
	locked = stream_lock_if(s);
	rc = stream_read_locked(s, out, locked);
	if (locked)
		krpc_cond_unlock(&s->cond);
	stream_leave(s);
	return rc;
}

/* Seconds since the latest result arrived. */
krpc_code_t
krpc_stream_age(krpc_stream_t *s, double *age)
{
	krpc_code_t rc;
	bool locked;

	if (age == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no place for the age");
	*age = -1;
	if ((rc = stream_enter(s)) != KRPC_OK)
		return rc;
	locked = stream_lock_if(s);
	if (s->has_result)
		*age = krpc_time_now() - s->when;
	else
		rc = krpc_error_set(KRPC_ERR_NO_VALUE, "the stream has no value yet");
	if (locked)
		krpc_cond_unlock(&s->cond);
	stream_leave(s);
	return rc;
}

/* Reads the latest value and converts it with a typed accessor. */
#define STREAM_GETTER(fn, ctype, as)					\
krpc_code_t								\
fn(krpc_stream_t *s, ctype *out)					\
{									\
	krpc_value_t *v;						\
	krpc_code_t rc;							\
									\
	if ((rc = krpc_stream_get(s, &v)) != KRPC_OK)			\
		return rc;						\
	if ((rc = as(v, out)) != KRPC_OK)				\
		krpc_error_set(rc, "the stream's value is a %s",	\
		    krpc_type_code_name(krpc_value_code(v)));		\
	krpc_value_free(v);						\
	return rc;							\
}

STREAM_GETTER(krpc_stream_get_double, double, krpc_value_as_double)
STREAM_GETTER(krpc_stream_get_float, float, krpc_value_as_float)
STREAM_GETTER(krpc_stream_get_sint32, int32_t, krpc_value_as_sint32)
STREAM_GETTER(krpc_stream_get_sint64, int64_t, krpc_value_as_sint64)
STREAM_GETTER(krpc_stream_get_uint32, uint32_t, krpc_value_as_uint32)
STREAM_GETTER(krpc_stream_get_uint64, uint64_t, krpc_value_as_uint64)
STREAM_GETTER(krpc_stream_get_bool, bool, krpc_value_as_bool)
STREAM_GETTER(krpc_stream_get_enum, int32_t, krpc_value_as_enum)

/* A CLASS value's object id (0 for null). */
krpc_code_t
krpc_stream_get_object(krpc_stream_t *s, uint64_t *out)
{
	krpc_value_t *v;
	krpc_code_t rc;

	if ((rc = krpc_stream_get(s, &v)) != KRPC_OK)
		return rc;
	*out = 0;
	if (krpc_value_code(v) != KRPC_TYPE_CLASS)
		rc = krpc_error_set(KRPC_ERR_TYPE, "the stream's value is not an object");
	else if (!krpc_value_is_null(v))
		rc = krpc_value_as_object(v, out);
	krpc_value_free(v);
	return rc;
}

/* A STRING value as a new C string (NULL for null). */
krpc_code_t
krpc_stream_get_string(krpc_stream_t *s, char **out)
{
	krpc_value_t *v;
	const char *str;
	krpc_code_t rc;

	if ((rc = krpc_stream_get(s, &v)) != KRPC_OK)
		return rc;
	*out = NULL;
	if (krpc_value_code(v) != KRPC_TYPE_STRING)
		rc = krpc_error_set(KRPC_ERR_TYPE, "the stream's value is not a string");
	else if ((str = krpc_value_str(v, NULL)) != NULL && (*out = strdup(str)) == NULL)
		rc = krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	krpc_value_free(v);
	return rc;
}

/* Takes the stream's lock. */
krpc_code_t
krpc_stream_lock(krpc_stream_t *s)
{
	krpc_code_t rc;

	if (s != NULL && krpc_cond_held(&s->cond))
		return krpc_error_set(KRPC_ERR_ARG, "the stream's lock is already held by this thread");
	if ((rc = stream_enter(s)) != KRPC_OK)
		return rc;
	krpc_cond_lock(&s->cond);
	return KRPC_OK;
}

/* Releases the stream's lock. */
void
krpc_stream_unlock(krpc_stream_t *s)
{
	if (s == NULL || !krpc_cond_held(&s->cond))
		return;
	krpc_cond_unlock(&s->cond);
	stream_leave(s);
}

/* Takes the lock for a KRPC_SCOPED_LOCK variable: the stream, or NULL on failure. */
krpc_stream_t *
krpc_stream_lock_scoped(krpc_stream_t *s)
{
	return krpc_stream_lock(s) == KRPC_OK ? s : NULL;
}

/* Releases a KRPC_SCOPED_LOCK variable's lock as it goes out of scope. */
void
krpc_stream_unlock_cleanup(krpc_stream_t **held)
{
	if (held != NULL && *held != NULL)
		krpc_stream_unlock(*held);
}

/* Waits for the next result, or the next "true" of an event (lock held). */
krpc_code_t
krpc_stream_wait_for(krpc_stream_t *s, double timeout, bool event)
{
	double deadline = krpc_time_deadline(timeout);
	uint64_t gen, trues;
	krpc_code_t rc;
	bool more = true;

	if (s == NULL || !krpc_cond_held(&s->cond))
		return krpc_error_set(KRPC_ERR_ARG, "waiting needs the lock held");
	if ((rc = stream_may_block(s)) != KRPC_OK || (rc = stream_start_locked(s, false, false)) != KRPC_OK)
		return rc;
	gen = s->gen;
	trues = s->trues;
	for (;;) {
		if (event && s->gen != gen && s->fault != NULL)
			return krpc_error_raise(s->fault);
		if (event ? s->trues != trues : s->gen != gen)
			return KRPC_OK;
		gen = s->gen;
		if ((rc = stream_dead(s)) != KRPC_OK)
			return rc;
		if (!more)
			return krpc_error_set(KRPC_ERR_TIMEOUT, "no update within %g s", timeout);
		more = krpc_cond_wait(&s->cond, deadline);
	}
}

/* Waits for the next result (lock held). */
krpc_code_t
krpc_stream_wait(krpc_stream_t *s, double timeout)
{
	krpc_code_t rc;

	if (s == NULL || !krpc_cond_held(&s->cond))
		return krpc_error_set(KRPC_ERR_ARG, "krpc_stream_wait() needs the stream's lock held");
	if ((rc = stream_enter(s)) != KRPC_OK)
		return rc;
	rc = krpc_stream_wait_for(s, timeout, false);
	stream_leave(s);
	return rc;
}

/* Registers a callback record; its tag, or 0. */
unsigned
krpc_stream_callback_add(krpc_stream_t *s, krpc_callback_t *cb)
{
	bool locked, ok;

	if (stream_enter(s) != KRPC_OK)
		return 0;
	pthread_mutex_lock(&s->c->mu);
	cb->tag = krpc_client_tag(s->c);
	pthread_mutex_unlock(&s->c->mu);
	locked = stream_lock_if(s);
	ok = krpc_callbacks_add(&s->cbs, cb);
	if (locked)
		krpc_cond_unlock(&s->cond);
	stream_leave(s);
	if (!ok) {
		krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
		return 0;
	}
	return cb->tag;
}

/* Registers a callback for each result. */
unsigned
krpc_stream_add_callback(krpc_stream_t *s, krpc_stream_callback_t fn, void *ud)
{
	krpc_callback_t cb = { 0, fn, NULL, NULL, ud };

	if (fn == NULL) {
		krpc_error_set(KRPC_ERR_ARG, "no callback");
		return 0;
	}
	return krpc_stream_callback_add(s, &cb);
}

/* Unregisters a callback. */
krpc_code_t
krpc_stream_remove_callback(krpc_stream_t *s, unsigned tag)
{
	krpc_code_t rc;
	bool locked, found;

	if ((rc = stream_enter(s)) != KRPC_OK)
		return rc;
	locked = stream_lock_if(s);
	found = krpc_callbacks_del(&s->cbs, tag);
	if (locked)
		krpc_cond_unlock(&s->cond);
	stream_leave(s);
	return found ? KRPC_OK : krpc_error_set(KRPC_ERR_NOT_FOUND, "no callback with tag %u", tag);
}

/* Removes a scoped stream. */
void
krpc_stream_cleanup(krpc_stream_t **sp)
{
	if (sp != NULL && *sp != NULL) {
		krpc_stream_remove(*sp);
		*sp = NULL;
	}
}

/* Adds a stream, runs fn with it, removes it. */
krpc_code_t
krpc_with_stream(krpc_client_t *c, const char *service, const char *procedure,
    krpc_value_t *const *args, size_t nargs, const char *ret,
    krpc_code_t (*fn)(krpc_stream_t *, void *), void *ud)
{
	krpc_stream_t *s;
	krpc_code_t rc;

	if (fn == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no function");
	if ((rc = krpc_stream_add(c, service, procedure, args, nargs, ret, &s)) != KRPC_OK)
		return rc;
	rc = fn(s, ud);
	krpc_stream_remove(s);
	return rc;
}
