/*
 * Connecting to the server (kRPC Python client documentation): connect
 * with the defaults and print the server's version.
 *     conn = krpc.connect()
 *     print(conn.krpc.get_status().version)
 */
#include <stdio.h>

#include "example.h"
#include <krpcmux/KRPC.h>

/* Connects with the defaults and prints the version. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	KRPC_Status status;

	ex_parse(argc, argv, &opts, "Connects to a kRPC server and prints its version.", 0);
	conn = ex_connect(&opts, NULL);
	EX_CHECK(KRPC_GetStatus(conn, &status));
	printf("%s\n", status.version);
	KRPC_Status_free(&status);
	krpc_client_close(conn);
	return 0;
}
