/*
 * Demo client: prints the KRPC.GetStatus counters of whatever server it is
 * pointed at (the game, krpc-sim or krpcmuxd, which passes the upstream
 * server's through), to show how much work the proxy saved the server.
 */
#include <inttypes.h>
#include <stdio.h>

#include "example.h"
#include <krpcmux/KRPC.h>

/* Prints the status counters. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	KRPC_Status st;

	ex_parse(argc, argv, &opts, "Prints a kRPC server's status counters, one \"name: value\" per line.",
	    0);
	conn = ex_connect(&opts, "status");
	EX_CHECK(KRPC_GetStatus(conn, &st));
	printf("version: %s\n", st.version);
	printf("rpcs_executed: %" PRIu64 "\n", st.rpcs_executed);
	printf("rpc_rate: %.1f\n", (double)st.rpc_rate);
	printf("stream_rpcs: %" PRIu32 "\n", st.stream_rpcs);
	printf("stream_rpcs_executed: %" PRIu64 "\n", st.stream_rpcs_executed);
	printf("stream_rpc_rate: %.1f\n", (double)st.stream_rpc_rate);
	printf("bytes_read: %" PRIu64 "\n", st.bytes_read);
	printf("bytes_written: %" PRIu64 "\n", st.bytes_written);
	KRPC_Status_free(&st);
	krpc_client_close(conn);
	return 0;
}
