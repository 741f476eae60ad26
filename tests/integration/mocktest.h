/*
 * A mock kRPC server for the krpcmuxd tests: the test plays the game's server
 * on two Unix sockets, serves the proxy's session setup checking every byte,
 * and asserts the exact requests the proxy sends upstream afterwards.
 */
#ifndef KRPC_MOCKTEST_H
#define KRPC_MOCKTEST_H

#include "daemontest.h"

/* One connection the proxy opened to the mock. */
struct mock_conn {
	int		 fd;
	krpc_framer_t	*fr;
	bool		 split;		/* a read ended inside a frame */
};

/* The mock server and the proxy in front of it. */
struct mock {
	int			 lrpc, lstream;	/* listening sockets */
	struct mock_conn	*rpc, *stream;	/* the proxy's primary pair */
	uint8_t			 id[16];	/* the client id the mock issued */
	struct dt		 t;		/* the proxy (t.daemon) and its sockets */
};

/*
 * The services the mock lists, in procedure-id order (ids count from 1):
 * KRPC: GetClientID, GetClientName, GetStatus, GetServices, AddStream,
 *   StartStream, SetStreamRate, RemoveStream, AddEvent, get_Clients,
 *   HoldTick, ReleaseTick.
 * TestService (9999): FloatToString(value: FLOAT) 1, OptionalArguments(x,
 *   y = "foo", obj: TestClass? = null) 2, BlockingProcedure(n) 3 (in the
 *   proxy's default slow list), OnTimer(ms) -> EVENT 4, StreamOf(x) ->
 *   STREAM 5.
 * SpaceCenter: Part_AddForce(this, force, position, referenceFrame) -> CLASS,
 *   Part_set_Highlighted(this, value), Force_Remove(this),
 *   RCS_set_InputOverride(this, value), RCS_set_RotationOverride(this, value),
 *   Orbit_static_CreateFromPositionAndVelocity(body) -> CLASS, Orbit_Remove(this),
 *   ResourceTransfer_static_Start(fromPart) -> CLASS (no ResourceTransfer_Remove).
 */
#define MOCK_TS_ID		9999
#define MOCK_OPTIONAL_ID	2

/* Listens on a Unix socket path. */
int		 mock_listen(const char *path);
/* Accepts one connection within timeout; NULL if none came. */
struct mock_conn *mock_accept(int lfd, double timeout);
void		 mock_close(struct mock_conn *);
/* The next frame within timeout: 1, 0 on timeout, -1 when closed. */
int		 mock_recv(struct mock_conn *, double timeout, const uint8_t **body, size_t *len);
/* True if nothing arrives within seconds. */
bool		 mock_quiet(struct mock_conn *, double seconds);
/* Sends a message as one frame. */
void		 mock_send(struct mock_conn *, const ProtobufCMessage *);
/* Hex of bytes (a static buffer, for messages). */
const char	*mock_hex(const uint8_t *, size_t);
/* Reads a frame and asserts it equals want. */
void		 mock_expect_bytes(struct mock_conn *, const uint8_t *want, size_t wantlen,
		    const char *what);
/* Reads a Request and returns it unpacked (asserts one came). */
Krpc__Schema__Request *mock_expect_request(struct mock_conn *);
/* Reads a one-call request and asserts its procedure. */
void		 mock_expect_call(struct mock_conn *, const char *procedure);
/* Sends a Response with one result holding value (NULL: void). */
void		 mock_respond_value(struct mock_conn *, const void *value, size_t len);
/* Reads a Request and asserts it holds n FloatToString calls. */
void		 mock_expect_floats(struct mock *, size_t n);
/* Answers with n results, the texts "<first>", "<first+1>", ... (one digit each). */
void		 mock_respond_floats(struct mock *, int first, size_t n);
/* Sends a Response with a request-level error. */
void		 mock_respond_error(struct mock_conn *, const char *service, const char *name,
		    const char *description);
/* Sends a Response with one result holding a call-level error. */
void		 mock_respond_call_error(struct mock_conn *, const char *service, const char *name,
		    const char *description);
/* Sends a StreamUpdate: n pairs of (upstream id, value bytes) as varargs uint64_t, const char *, size_t. */
void		 mock_update(struct mock_conn *, size_t n, ...);

/* Opens the mock's listening sockets (paths in m->t.sim_*_path). */
void		 mock_listen_pair(struct mock *, const char *prefix);
/* Serves one session setup of the proxy (both handshakes, GetServices, GetStatus). */
void		 mock_serve_session(struct mock *, const char *version);
/* Starts the proxy against the mock and serves its session setup (server version given). */
void		 mock_start_version(struct mock *, const char *prefix, const char *conf,
		    const char *version);
/* The same for a v0.7.0 server. */
void		 mock_start(struct mock *, const char *prefix, const char *conf);
/* Stops the proxy and closes the mock (asserts no frame was split across writes). */
void		 mock_stop(struct mock *);
/* Serves the handshake of a slow lane the proxy opens; returns its connection. */
struct mock_conn *mock_accept_lane(struct mock *);

/* The Stream id a one-call response carries (the response is freed). */
uint64_t	 mock_stream_id_of(Krpc__Schema__Response *);
/* The stream id inside the Event a one-call response carries (freed). */
uint64_t	 mock_event_id_of(Krpc__Schema__Response *);
/* Expects exactly KRPC.<proc>(upid) and answers it with success. */
void		 mock_expect_manage(struct mock *, const char *proc, uint64_t upid);
/* Expects exactly KRPC.SetStreamRate(upid, rate) and answers it. */
void		 mock_expect_rate(struct mock *, uint64_t upid, float rate);
/* Expects exactly KRPC.<proc>() and answers it with success. */
void		 mock_expect_plain(struct mock *, const char *proc);
/* Expects KRPC.AddStream(call, start = false) exactly and answers Stream{upid}. */
void		 mock_expect_add(struct mock *, const uint8_t *call, size_t calllen, uint64_t upid);

#endif
