/*
 * The handshake answers of krpc-sim and krpcmuxd compared byte for byte
 * with kRPC's own server (its TestServer when present; else with the bytes
 * it was measured to send): an RPC handshake gets the client's new
 * identifier, and a stream handshake gets the stream connection's own new
 * identifier, never an echo of the one sent.  Each answer is one field,
 * client_identifier (tag 0x1a, 16 bytes): status OK and the empty message
 * are not on the wire.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemontest.h"
#include "testserver.h"

/* A server under comparison: TCP ports, or (port 0) Unix socket paths. */
struct hs_server {
	const char	*what;
	int		 rpc_port;
	int		 stream_port;
	const char	*rpc_path;
	const char	*stream_path;
	bool		 proxy;		/* krpcmuxd: refuses a second stream connection */
};

/* What a server answered. */
struct hs_answers {
	uint8_t		 rpc_id[16];
	uint8_t		 stream_id[16];
	uint8_t		 second_id[16];	/* a second stream connection with the same identifier */
};

/* Opens a connection to the RPC or the stream server of srv. */
static th_conn_t *
hs_open(const struct hs_server *srv, bool stream)
{
	th_conn_t *c;

	if (srv->rpc_port != 0)
		c = th_connect_tcp(stream ? srv->stream_port : srv->rpc_port);
	else
		c = th_connect_unix(stream ? srv->stream_path : srv->rpc_path);
	ck_assert_msg(c != NULL, "%s: cannot connect", srv->what);
	return c;
}

/*
 * Sends a ConnectionRequest and checks the answer is exactly one 16-byte
 * client_identifier field, which it copies to id.
 */
static void
hs_exchange(const struct hs_server *srv, th_conn_t *c, int type, const uint8_t *sent, uint8_t id[16])
{
	Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	const uint8_t *body;
	size_t len;

	req.type = (Krpc__Schema__ConnectionRequest__Type)type;
	req.client_name = (char *)(sent == NULL ? "handshake-test" : "");
	if (sent != NULL) {
		req.client_identifier.data = (uint8_t *)sent;
		req.client_identifier.len = 16;
	}
	ck_assert_int_eq(th_send_msg(c, &req.base), 0);
	ck_assert_msg(th_recv_frame(c, 10.0, &body, &len) == 1, "%s: no answer", srv->what);
	ck_assert_msg(len == 18 && body[0] == 0x1a && body[1] == 0x10,
	    "%s: the %s answer is %zu bytes, not client_identifier alone", srv->what,
	    type == 0 ? "RPC" : "stream", len);
	memcpy(id, body + 2, 16);
}

/* Runs the three handshakes against srv. */
static void
hs_collect(const struct hs_server *srv, struct hs_answers *a)
{
	th_conn_t *rpc = hs_open(srv, false), *stream, *second;

	hs_exchange(srv, rpc, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC, NULL, a->rpc_id);
	stream = hs_open(srv, true);
	hs_exchange(srv, stream, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM, a->rpc_id, a->stream_id);
	second = hs_open(srv, true);
	if (srv->proxy) {
		/*
		 * The server answers a second stream connection for the same client
		 * and feeds the newest; the proxy closes it unanswered, as for an
		 * unknown identifier, so that nobody can take a client's updates over.
		 */
		Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;

		req.type = KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM;
		req.client_identifier.data = a->rpc_id;
		req.client_identifier.len = 16;
		ck_assert_int_eq(th_send_msg(second, &req.base), 0);
		ck_assert_msg(th_wait_closed(second, 5.0), "%s answered a second stream connection",
		    srv->what);
		memset(a->second_id, 0xee, sizeof a->second_id);
	} else
		hs_exchange(srv, second, KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM, a->rpc_id,
		    a->second_id);
	th_conn_close(second);
	th_conn_close(stream);
	th_conn_close(rpc);
}

/* The answers kRPC's server gives: every identifier new, none an echo. */
static void
hs_check(const struct hs_server *srv)
{
	struct hs_answers a;

	hs_collect(srv, &a);
	ck_assert_msg(memcmp(a.stream_id, a.rpc_id, 16) != 0,
	    "%s echoes the identifier in the stream handshake", srv->what);
	ck_assert_msg(memcmp(a.second_id, a.rpc_id, 16) != 0 && memcmp(a.second_id, a.stream_id, 16) != 0,
	    "%s gives a second stream connection an identifier it used before", srv->what);
}

/* krpc-sim, and krpcmuxd in front of it. */
START_TEST(test_sim_and_proxy)
{
	static const struct dt zero;
	struct dt t = zero;
	struct hs_server sim, mux;

	ck_assert_int_eq(dt_start(&t, "hs"), 0);
	sim = (struct hs_server){ "krpc-sim", t.sim_rpc_port, t.sim_stream_port, NULL, NULL, false };
	mux = (struct hs_server){ "krpcmuxd", 0, 0, t.rpc, t.stream, true };
	hs_check(&sim);
	hs_check(&mux);
	dt_stop(&t);
}
END_TEST

/* kRPC's TestServer itself, and krpcmuxd in front of it. */
START_TEST(test_real_server_and_proxy)
{
	static const struct dt zero;
	struct dt t = zero;
	struct testserver ts;
	struct hs_server real, mux;

	if (ts_dir(NULL) == NULL) {
		fprintf(stderr, "test_handshake: no TestServer: krpc-sim and krpcmuxd were compared "
		    "with the answers it was measured to give\n");
		return;
	}
	ck_assert_int_eq(ts_start(&ts, true), 0);
	t.sim_rpc_port = ts.rpc_port;
	t.sim_stream_port = ts.stream_port;
	ck_assert_int_eq(dt_daemon_start(&t, "hs-real", NULL, NULL, true), 0);
	real = (struct hs_server){ "kRPC's TestServer", ts.rpc_port, ts.stream_port, NULL, NULL,
	    false };
	mux = (struct hs_server){ "krpcmuxd in front of the TestServer", 0, 0, t.rpc, t.stream,
	    true };
	hs_check(&real);
	hs_check(&mux);
	dt_daemon_stop(&t);
	ts_stop(&ts);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("handshake");
	TCase *tc = tcase_create("answers");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sim_and_proxy);
	tcase_add_test(tc, test_real_server_and_proxy);
	suite_add_tcase(s, tc);
	return dt_run(s);
}
