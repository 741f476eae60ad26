/*
 * The server's own view of the load: KRPC.GetStatus asked over a direct
 * connection to krpc-sim, for its stream count and evaluation total.
 */
#include "config.h"

#include "bench.h"
#include "harness.h"

/* Calls GetStatus over an open RPC connection. */
int
status_get(struct net_conn *c, struct status *st)
{
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Status *s;
	const uint8_t *value;
	char why[256] = "out of memory";
	size_t len;
	int rc;

	net_request(&req, "KRPC", "GetStatus", NULL, 0);
	rc = krpc_buf_ok(&req) ? net_call(c, &req, &value, &len, why, sizeof why) : -1;
	krpc_buf_free(&req);
	if (rc != 0) {
		fprintf(stderr, "krpcmux-bench: KRPC.GetStatus: %s\n", why);
		return -1;
	}
	st->when = th_now();
	if ((s = krpc__schema__status__unpack(NULL, len, value)) == NULL) {
		fprintf(stderr, "krpcmux-bench: KRPC.GetStatus: bad Status\n");
		return -1;
	}
	st->stream_rpcs = s->stream_rpcs;
	st->stream_rpcs_executed = s->stream_rpcs_executed;
	st->rpcs_executed = s->rpcs_executed;
	krpc__schema__status__free_unpacked(s, NULL);
	return 0;
}
