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

#define HS_WRONG_TYPE "Connection request was for the %s server, but this is the %s server. " \
	"Did you connect to the wrong port number or socket path?"
#define HS_TIMEOUT "Connection request message not received after waiting 3 seconds"
#define HS_BAD_ID "Client identifier must be 16 bytes."

/*
 * The parser's complaint about bytes that are not a valid ConnectionRequest,
 * in the words of the C# protobuf runtime the real server uses.
 */
static const char *
handshake_parse_error(const uint8_t *p, size_t len)
{
	size_t off = 0;
	uint64_t tag, n;
	int k;

	while (off < len) {
		if ((k = krpc_varint_get(p + off, len - off, &tag)) <= 0)
			goto varint;
		off += (size_t)k;
		if ((tag >> 3) == 0)
			return "Protocol message contained an invalid tag (zero).";
		switch (tag & 7) {
		case KRPC_WIRE_VARINT:
			if ((k = krpc_varint_get(p + off, len - off, &n)) <= 0)
				goto varint;
			off += (size_t)k;
			break;
		case KRPC_WIRE_FIXED64:
		case KRPC_WIRE_FIXED32:
			n = (tag & 7) == KRPC_WIRE_FIXED64 ? 8 : 4;
			if (len - off < n)
				goto truncated;
			off += n;
			break;
		case KRPC_WIRE_LEN:
			if ((k = krpc_varint_get(p + off, len - off, &n)) <= 0)
				goto varint;
			off += (size_t)k;
			if (len - off < n)
				goto truncated;
			off += n;
			break;
		default:
			return "Protocol message contained a tag with an invalid wire type.";
		}
	}
	return "Protocol message was malformed.";
varint:
	if (k == 0)
		goto truncated;
	return "CodedInputStream encountered a malformed varint.";
truncated:
	return "While parsing a protocol message, the input ended unexpectedly in the middle of "
	    "a field.  This could mean either that the input has been truncated or that an "
	    "embedded message misreported its own length.";
}

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
	char name[16], message[200];

	if (type == KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC)
		snprintf(name, sizeof name, "rpc");
	else if (type == KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM)
		snprintf(name, sizeof name, "stream");
	else
		snprintf(name, sizeof name, "%d", type);
	snprintf(message, sizeof message, HS_WRONG_TYPE, name,
	    conn_kind(c) == CONN_RPC ? "rpc" : "stream");
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
		    HS_BAD_ID, NULL);
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
	Krpc__Schema__ConnectionRequest *req = NULL;
	uint8_t *body = NULL, *clean;
	size_t len = 0, n = 0;

	if (conn_take(c, &body, &len) != CONN_FRAME_OK) {
		if (util_now() - conn_since(c) >= SIM_HANDSHAKE_TIMEOUT)
			handshake_reply(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT,
			    HS_TIMEOUT, NULL);
		return;
	}
	conn_discard_input(c);	/* bytes after the request are not kept */
	if ((clean = wire_clean(WIRE_CONNECTION_REQUEST, body, len, &n)) != NULL) {
		req = krpc__schema__connection_request__unpack(NULL, n, clean);
		free(clean);
	}
	if (req == NULL) {
		handshake_reply(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE,
		    handshake_parse_error(body, len), NULL);
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
