/*
 * Connecting with a name, an address and ports (kRPC Python client
 * documentation), then printing the server's version:
 *     conn = krpc.connect(name='My Example Program', address='192.168.1.10',
 *                         rpc_port=1000, stream_port=1001)
 *     print(conn.krpc.get_status().version)
 * The address and ports come from the command line (defaults 127.0.0.1,
 * 50000 and 50001, so that it runs against a local server); --rpc-path and
 * --stream-path connect over Unix sockets, as krpc.connect_local() does.
 */
#include <stdio.h>

#include "example.h"
#include <krpcmux/KRPC.h>

/* Connects with a name, an address and ports, and prints the version. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn = NULL;
	const char *name;
	KRPC_Status status;
	krpc_code_t rc;

	ex_parse(argc, argv, &opts,
	    "Connects to a kRPC server with a name, an address and ports, and prints its version\n"
	    "(e.g. --address 192.168.1.10 --rpc-port 1000 --stream-port 1001).", 0);
	name = opts.name != NULL ? opts.name : "My Example Program";
	if (opts.rpc_path != NULL)
		rc = krpc_connect_local(&conn, name, opts.rpc_path, opts.stream_path);
	else
		rc = krpc_connect(&conn, name, opts.address, opts.rpc_port, opts.stream_port);
	if (rc != KRPC_OK) {
		fprintf(stderr, "connect_remote: cannot connect: %s\n", krpc_error_message());
		return 1;
	}
	EX_CHECK(KRPC_GetStatus(conn, &status));
	printf("%s\n", status.version);
	KRPC_Status_free(&status);
	krpc_client_close(conn);
	return 0;
}
