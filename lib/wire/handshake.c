/*
 * The kRPC server's texts for refused handshakes, in one place so that the
 * proxy and the simulator refuse a client exactly as the server does.
 */
#include <stdio.h>

#include "codec.h"

const char krpc_handshake_timeout[] =
    "Connection request message not received after waiting 3 seconds";
const char krpc_handshake_bad_id[] = "Client identifier must be 16 bytes.";

/* A ConnectionRequest type as the server prints it: "rpc", "stream", or the number. */
static void
handshake_type_name(char *out, size_t len, int type)
{
	if (type == KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC)
		snprintf(out, len, "rpc");
	else if (type == KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM)
		snprintf(out, len, "stream");
	else
		snprintf(out, len, "%d", type);
}

/* WRONG_TYPE's text for a request of one type sent to the server of another. */
void
krpc_handshake_wrong_type(char *out, size_t len, int requested, int server)
{
	char asked[16], here[16];

	handshake_type_name(asked, sizeof asked, requested);
	handshake_type_name(here, sizeof here, server);
	snprintf(out, len, "Connection request was for the %s server, but this is the %s server. "
	    "Did you connect to the wrong port number or socket path?", asked, here);
}
