/*
 * The client's life cycle: connecting (TCP or Unix, both handshakes, the
 * stream thread), the count of threads inside the library that close waits
 * for, and closing.
 */
#include <sys/types.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Opens the RPC connection and runs its handshake. */
static krpc_code_t
client_open_rpc(krpc_client_t *c, const krpc_options_t *o)
{
	char path[256];
	krpc_code_t rc;

	if (o->local) {
		if (o->rpc_path == NULL &&
		    (rc = krpc_default_socket_path("rpc", path, sizeof path)) != KRPC_OK)
			return rc;
		rc = krpc_conn_unix(o->rpc_path ? o->rpc_path : path, o->connect_timeout, &c->rpc);
	} else {
		rc = krpc_conn_tcp(o->address ? o->address : KRPC_DEFAULT_ADDRESS,
		    o->rpc_port ? o->rpc_port : KRPC_DEFAULT_RPC_PORT, o->connect_timeout, &c->rpc);
	}
	if (rc != KRPC_OK)
		return rc;
	return krpc_conn_handshake(c->rpc, 0, c->name, NULL, o->connect_timeout, c->id);
}

/* Opens the stream connection (if wanted) and runs its handshake. */
static krpc_code_t
client_open_stream(krpc_client_t *c, const krpc_options_t *o)
{
	uint8_t stream_id[16];
	char path[256];
	krpc_code_t rc;

	if (o->local) {
		if (o->stream_path != NULL && *o->stream_path == '\0')
			return KRPC_OK;
		if (o->stream_path == NULL &&
		    (rc = krpc_default_socket_path("stream", path, sizeof path)) != KRPC_OK)
			return rc;
		rc = krpc_conn_unix(o->stream_path ? o->stream_path : path, o->connect_timeout, &c->stream);
	} else {
		if (o->stream_port == KRPC_NO_STREAM)
			return KRPC_OK;
		rc = krpc_conn_tcp(o->address ? o->address : KRPC_DEFAULT_ADDRESS,
		    o->stream_port ? o->stream_port : KRPC_DEFAULT_STREAM_PORT, o->connect_timeout,
		    &c->stream);
	}
	if (rc != KRPC_OK)
		return rc;
	/*
	 * The real server answers with the stream connection's own new
	 * identifier, not the one sent (kRPC's StreamServer): only the
	 * status matters.
	 */
	return krpc_conn_handshake(c->stream, 1, c->name, c->id, o->connect_timeout, stream_id);
}

/* Starts the reader thread with every signal blocked (signals belong to the application). */
static krpc_code_t
client_start_thread(krpc_client_t *c)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	c->thread_started = true;	/* before the thread runs: it reads this */
	err = pthread_create(&c->thread, NULL, krpc_dispatch_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		c->thread_started = false;
		return krpc_error_set(KRPC_ERR_NOMEM, "cannot start the stream thread: %s", strerror(err));
	}
	return KRPC_OK;
}

/* Frees everything the client owns (no other thread uses it any more). */
static void
client_free(krpc_client_t *c)
{
	krpc_stream_free_all(c);
	krpc_idmap_free(c->streams);
	krpc_callbacks_free(&c->update_cbs);
	krpc_services_free(c->model);
	krpc_conn_free(c->rpc);
	krpc_conn_free(c->stream);
	krpc_cond_destroy(&c->update);
	pthread_mutex_destroy(&c->model_mu);
	pthread_cond_destroy(&c->idle);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->rpc_mu);
	free(c->name);
	free(c);
}

/* A client with its locks and tables, not connected. */
static krpc_client_t *
client_new(const krpc_options_t *o)
{
	krpc_client_t *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	pthread_mutex_init(&c->rpc_mu, NULL);
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->model_mu, NULL);
	krpc_time_cond_init(&c->idle);
	krpc_cond_init(&c->update);
	c->call_timeout = o->call_timeout;
	c->name = strdup(o->name ? o->name : "");
	c->streams = krpc_idmap_new();
	if (c->name == NULL || c->streams == NULL) {
		client_free(c);
		return NULL;
	}
	return c;
}

/* Connects with options. */
krpc_code_t
krpc_connect_options(krpc_client_t **out, const krpc_options_t *o)
{
	krpc_client_t *c;
	krpc_code_t rc;

	if (out == NULL || o == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no options or no place for the client");
	*out = NULL;
	if ((c = client_new(o)) == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	if ((rc = client_open_rpc(c, o)) != KRPC_OK ||
	    (rc = client_open_stream(c, o)) != KRPC_OK ||
	    (c->stream != NULL && (rc = client_start_thread(c)) != KRPC_OK)) {
		client_free(c);
		return rc;
	}
	*out = c;
	return KRPC_OK;
}

/* Connects over TCP. */
krpc_code_t
krpc_connect(krpc_client_t **out, const char *name, const char *address, int rpc_port,
    int stream_port)
{
	krpc_options_t *o = krpc_options_new();
	krpc_code_t rc;

	if (o == NULL)
		return KRPC_ERR_NOMEM;
	if ((rc = krpc_options_set_name(o, name)) == KRPC_OK &&
	    (rc = krpc_options_set_tcp(o, address, rpc_port, stream_port)) == KRPC_OK)
		rc = krpc_connect_options(out, o);
	krpc_options_free(o);
	return rc;
}

/* Connects over Unix sockets. */
krpc_code_t
krpc_connect_local(krpc_client_t **out, const char *name, const char *rpc_path,
    const char *stream_path)
{
	krpc_options_t *o = krpc_options_new();
	krpc_code_t rc;

	if (o == NULL)
		return KRPC_ERR_NOMEM;
	if ((rc = krpc_options_set_name(o, name)) == KRPC_OK &&
	    (rc = krpc_options_set_local(o, rpc_path, stream_path)) == KRPC_OK)
		rc = krpc_connect_options(out, o);
	krpc_options_free(o);
	return rc;
}

/* The kRPC default local socket path, as the server computes it (krpc_local_path()). */
krpc_code_t
krpc_default_socket_path(const char *which, char *buf, size_t len)
{
	char why[256];

	if (which == NULL || buf == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no socket name or buffer");
	if (!krpc_local_path("krpc", which, buf, len, why, sizeof why))
		return krpc_error_set(strstr(why, "does not fit") != NULL ? KRPC_ERR_ARG :
		    KRPC_ERR_NOT_FOUND, "%s", why);
	return KRPC_OK;
}

/* Enters a public call. */
krpc_code_t
krpc_client_enter(krpc_client_t *c)
{
	pthread_mutex_lock(&c->mu);
	if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == KRPC_CLIENT_CLOSING) {
		pthread_mutex_unlock(&c->mu);
		return krpc_error_set(KRPC_ERR_CLOSED, "the client is closed");
	}
	c->users++;
	pthread_mutex_unlock(&c->mu);
	return KRPC_OK;
}

/* Leaves a public call. */
void
krpc_client_leave(krpc_client_t *c)
{
	pthread_mutex_lock(&c->mu);
	if (--c->users == 0 && __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == KRPC_CLIENT_CLOSING)
		pthread_cond_broadcast(&c->idle);
	pthread_mutex_unlock(&c->mu);
}

/* True once krpc_client_close() has begun. */
bool
krpc_client_closing(const krpc_client_t *c)
{
	return __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == KRPC_CLIENT_CLOSING;
}

/* Streams and events need the stream connection, alive. */
krpc_code_t
krpc_client_need_stream(const krpc_client_t *c)
{
	if (c->stream == NULL)
		return krpc_error_set(KRPC_ERR_NO_STREAM,
		    "the client was connected without a stream connection");
	if (__atomic_load_n(&c->stream_lost, __ATOMIC_ACQUIRE))
		return krpc_error_set(KRPC_ERR_IO, "the stream connection was lost");
	return KRPC_OK;
}

/* True if the caller is the client's stream thread (a callback). */
bool
krpc_client_on_thread(const krpc_client_t *c)
{
	return c->thread_started && pthread_equal(pthread_self(), c->thread);
}

/* A fresh callback tag; c->mu held. */
unsigned
krpc_client_tag(krpc_client_t *c)
{
	if (++c->next_tag == 0)
		c->next_tag = 1;
	return c->next_tag;
}

/* Closes the client. */
void
krpc_client_close(krpc_client_t *c)
{
	bool self;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	if (krpc_client_closing(c)) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	__atomic_store_n(&c->state, KRPC_CLIENT_CLOSING, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&c->mu);
	krpc_conn_shutdown(c->rpc);
	krpc_conn_shutdown(c->stream);
	krpc_stream_wake_all(c);
	pthread_mutex_lock(&c->mu);
	while (c->users > 0)
		pthread_cond_wait(&c->idle, &c->mu);
	self = krpc_client_on_thread(c);
	c->free_on_exit = self;
	pthread_mutex_unlock(&c->mu);
	if (self) {
		pthread_detach(c->thread);	/* the thread frees the client when it ends */
		return;
	}
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	client_free(c);
}

/* Called by the stream thread as it ends: frees the client if closed from a callback. */
void
krpc_client_thread_exit(krpc_client_t *c)
{
	bool free_it;

	pthread_mutex_lock(&c->mu);
	free_it = c->free_on_exit;
	pthread_mutex_unlock(&c->mu);
	if (free_it)
		client_free(c);
}

/* The client's identifier. */
const uint8_t *
krpc_client_id(const krpc_client_t *c)
{
	return c->id;
}

/* The client's name. */
const char *
krpc_client_name(const krpc_client_t *c)
{
	return c->name;
}

/* True if the client has a stream connection. */
bool
krpc_client_has_stream(const krpc_client_t *c)
{
	return c->stream != NULL;
}

/* The service model, fetched with KRPC.GetServices on first use. */
krpc_code_t
krpc_client_services(krpc_client_t *c, const krpc_services_t **out)
{
	krpc_value_t *v = NULL;
	const uint8_t *data;
	size_t len;
	krpc_code_t rc;

	if (c == NULL || out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no client or no place for the model");
	*out = NULL;
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	pthread_mutex_lock(&c->model_mu);
	if (c->model == NULL) {
		rc = krpc_call_simple(c, "KRPC", "GetServices", 0, NULL, NULL, NULL, "services", &v);
		if (rc == KRPC_OK) {
			data = krpc_value_data(v, &len);
			rc = krpc_services_parse(data, len, &c->model);
		}
		krpc_value_free(v);
	}
	*out = c->model;
	pthread_mutex_unlock(&c->model_mu);
	krpc_client_leave(c);
	return rc;
}
