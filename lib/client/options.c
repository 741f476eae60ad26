/*
 * Connection options (krpc_options_t): transport, addresses or socket
 * paths, client name and time limits, given to krpc_connect_options().
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Replaces *dst with a copy of src (NULL stays NULL). */
static krpc_code_t
options_str(char **dst, const char *src)
{
	char *copy = NULL;

	if (src != NULL && (copy = strdup(src)) == NULL)
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	free(*dst);
	*dst = copy;
	return KRPC_OK;
}

/* Checks a port number (KRPC_NO_STREAM allowed for streams). */
static krpc_code_t
options_check_port(int port, bool stream)
{
	if (port < 0 && !(stream && port == KRPC_NO_STREAM))
		return krpc_error_set(KRPC_ERR_ARG, "bad port %d", port);
	if (port > 65535)
		return krpc_error_set(KRPC_ERR_ARG, "bad port %d", port);
	return KRPC_OK;
}

/* New options with the defaults of krpc_connect(). */
krpc_options_t *
krpc_options_new(void)
{
	krpc_options_t *o = calloc(1, sizeof *o);

	if (o == NULL) {
		krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
		return NULL;
	}
	o->connect_timeout = -1;
	o->call_timeout = -1;
	return o;
}

/* Frees options. */
void
krpc_options_free(krpc_options_t *o)
{
	if (o == NULL)
		return;
	free(o->name);
	free(o->address);
	free(o->rpc_path);
	free(o->stream_path);
	free(o);
}

/* Sets the client name. */
krpc_code_t
krpc_options_set_name(krpc_options_t *o, const char *name)
{
	if (o == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no options");
	return options_str(&o->name, name);
}

/* Chooses TCP with an address and ports. */
krpc_code_t
krpc_options_set_tcp(krpc_options_t *o, const char *address, int rpc_port, int stream_port)
{
	krpc_code_t rc;

	if (o == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no options");
	if ((rc = options_check_port(rpc_port, false)) != KRPC_OK ||
	    (rc = options_check_port(stream_port, true)) != KRPC_OK)
		return rc;
	if ((rc = options_str(&o->address, address)) != KRPC_OK)
		return rc;
	o->local = false;
	o->rpc_port = rpc_port;
	o->stream_port = stream_port;
	return KRPC_OK;
}

/* Chooses Unix sockets. */
krpc_code_t
krpc_options_set_local(krpc_options_t *o, const char *rpc_path, const char *stream_path)
{
	krpc_code_t rc;

	if (o == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no options");
	if ((rc = options_str(&o->rpc_path, rpc_path)) != KRPC_OK ||
	    (rc = options_str(&o->stream_path, stream_path)) != KRPC_OK)
		return rc;
	o->local = true;
	return KRPC_OK;
}

/* Sets the limit for connecting and handshakes. */
krpc_code_t
krpc_options_set_connect_timeout(krpc_options_t *o, double seconds)
{
	if (o == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no options");
	o->connect_timeout = seconds;
	return KRPC_OK;
}

/* Sets the limit for each call's response. */
krpc_code_t
krpc_options_set_call_timeout(krpc_options_t *o, double seconds)
{
	if (o == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no options");
	o->call_timeout = seconds;
	return KRPC_OK;
}
