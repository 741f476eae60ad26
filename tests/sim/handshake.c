/*
 * krpc-sim handshakes (PROTOCOL.md 3.1 and 3.2): once per update, each new
 * connection's ConnectionRequest is checked and answered with the exact
 * statuses and texts of the real server, or times out after 3 seconds.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Answers with a status, then closes unless the status is OK. */
static void
handshake_reply(conn_t *c, Krpc__Schema__ConnectionResponse__Status status, const char *message,
    const uint8_t *id)
{
	Krpc__Schema__ConnectionResponse r = KRPC__SCHEMA__CONNECTION_RESPONSE__INIT;

	r.status = status;
	r.message = (char *)(message ? message : "");
	if (id != NULL) {
		r.client_identifier.data = (uint8_t *)id;
		r.client_identifier.len = 16;
	}
	conn_send_msg(c, &r.base);
	if (status != KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK)
		conn_close(c, true, message);
}

/*
 * WRONG_TYPE for a request of another type than this server's.  The real
 * server names the requested type as .NET prints the enum value: "rpc",
 * "stream", or the number of a value the enumeration does not have.
 */
static void
handshake_wrong_type(conn_t *c, int type)
{
	int here = conn_kind(c) == CONN_RPC ? KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC :
	    KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM;
	char message[200];

	krpc_handshake_wrong_type(message, sizeof message, type, here);
	handshake_reply(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__WRONG_TYPE, message, NULL);
}

/* An RPC connection's request. */
static void
handshake_rpc(sim_server_t *s, conn_t *c, const Krpc__Schema__ConnectionRequest *req)
{
	sim_client_t *client;

	if (req->type != KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC) {
		handshake_wrong_type(c, (int)req->type);
		return;
	}
	client = client_new(s, c, req->client_name, strlen(req->client_name));
	handshake_reply(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK, NULL, sim_client_id(client));
	conn_set_state(c, CONN_READY, NULL);
	server_log(s, "client %u (\"%s\") on connection %u", client_number(client),
	    sim_client_name(client), conn_number(c));
}

/* A stream connection's request. */
static void
handshake_stream(sim_server_t *s, conn_t *c, const Krpc__Schema__ConnectionRequest *req)
{
	sim_client_t *client;
	uint8_t conn_id[16];

	if (req->type != KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM) {
		handshake_wrong_type(c, (int)req->type);
		return;
	}
	if (req->client_identifier.len != 16) {
		handshake_reply(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE,
		    krpc_handshake_bad_id, NULL);
		return;
	}
	if ((client = server_find_client(s, req->client_identifier.data)) == NULL) {
		conn_close(c, false, "unknown client identifier");	/* no response */
		return;
	}
	client_attach_stream(client, c);
	/* Like the real server: the stream connection's own new identifier, not an echo. */
	client_random(conn_id, sizeof conn_id);
	handshake_reply(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK, NULL, conn_id);
	conn_set_state(c, CONN_READY, NULL);
	server_log(s, "client %u: stream connection %u", client_number(client), conn_number(c));
}

/* Processes a connection waiting for its ConnectionRequest. */
void
handshake_process(sim_server_t *s, conn_t *c)
{
	Krpc__Schema__ConnectionRequest *req;
	uint8_t *body = NULL;
	const char *why;
	size_t len = 0;

	if (conn_take(c, &body, &len) != CONN_FRAME_OK) {
		if (krpc_time_now() - conn_since(c) >= SIM_HANDSHAKE_TIMEOUT)
			handshake_reply(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT,
			    krpc_handshake_timeout, NULL);
		return;
	}
	conn_discard_input(c);	/* bytes after the request are not kept */
	req = (Krpc__Schema__ConnectionRequest *)krpc_lenient_read(KRPC_LENIENT_CONNECTION_REQUEST,
	    body, len, &why);
	if (req == NULL) {
		handshake_reply(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE, why,
		    NULL);
		free(body);
		return;
	}
	if (conn_kind(c) == CONN_RPC)
		handshake_rpc(s, c, req);
	else
		handshake_stream(s, c, req);
	krpc__schema__connection_request__free_unpacked(req, NULL);
	free(body);
}
