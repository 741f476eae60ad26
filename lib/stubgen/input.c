/*
 * krpc-stubgen input: the serialised krpc.schema.Services message, read
 * from a running server (KRPC.GetServices over TCP or a Unix socket,
 * through libkrpcmux) or from a file saved earlier.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

/* Prints the library's last error. */
static void
input_error(const char *what)
{
	fprintf(stderr, STUBGEN_NAME ": %s: %s\n", what, krpc_error_message());
}

/* Connects with the options given on the command line (no stream connection). */
static krpc_client_t *
input_connect(const input_opts_t *opts)
{
	krpc_options_t *o;
	krpc_client_t *c = NULL;
	krpc_code_t rc;

	if ((o = krpc_options_new()) == NULL) {
		fputs(STUBGEN_NAME ": out of memory\n", stderr);
		return NULL;
	}
	rc = krpc_options_set_name(o, opts->name);
	if (rc == KRPC_OK && opts->rpc_path != NULL)
		rc = krpc_options_set_local(o, opts->rpc_path, KRPC_NO_STREAM_PATH);
	else if (rc == KRPC_OK)
		rc = krpc_options_set_tcp(o, opts->address, opts->rpc_port, KRPC_NO_STREAM);
	if (rc == KRPC_OK && opts->timeout >= 0)
		rc = krpc_options_set_connect_timeout(o, opts->timeout);
	if (rc == KRPC_OK && opts->timeout >= 0)
		rc = krpc_options_set_call_timeout(o, opts->timeout);
	if (rc == KRPC_OK)
		rc = krpc_connect_options(&c, o);
	if (rc != KRPC_OK)
		input_error("cannot connect to the server");
	krpc_options_free(o);
	return c;
}

/* KRPC.GetServices from a server. */
int
input_from_server(const input_opts_t *opts, uint8_t **data, size_t *len)
{
	krpc_client_t *c;
	krpc_value_t *v = NULL;
	const uint8_t *p;
	int ret = -1;

	if ((c = input_connect(opts)) == NULL)
		return -1;
	if (krpc_call(c, "KRPC", "GetServices", NULL, 0, "services", &v) != KRPC_OK)
		input_error("KRPC.GetServices failed");
	else if ((p = krpc_value_data(v, len)) == NULL)
		fputs(STUBGEN_NAME ": KRPC.GetServices returned no services\n", stderr);
	else {
		*data = xmalloc(*len);
		memcpy(*data, p, *len);
		ret = 0;
	}
	krpc_value_free(v);
	krpc_client_close(c);
	return ret;
}

/* A saved dump. */
int
input_from_dump(const char *path, uint8_t **data, size_t *len)
{
	return (*data = text_read_file(path, len)) != NULL ? 0 : -1;
}
