/*
 * The upstream session: the primary RPC connection and the stream connection
 * bound to it, both handshaken before clients are served, GetServices fetched
 * once, lazily opened slow lanes for yielding calls (each RPC connection's
 * requests are a lane, lane.c), and reconnection with exponential backoff
 * and jitter.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

#define UPSTREAM_LANES_MAX	16
/* After a slow lane fails to open, yielding calls use the primary this long. */
#define UPSTREAM_LANE_BACKOFF	30.0

enum upstream_state {
	UPSTREAM_DOWN,		/* waiting to reconnect */
	UPSTREAM_CONNECTING,	/* primary RPC connection opening */
	UPSTREAM_RPC_HANDSHAKE,
	UPSTREAM_STREAM_CONNECTING,
	UPSTREAM_STREAM_HANDSHAKE,
	UPSTREAM_SERVICES,	/* fetching GetServices */
	UPSTREAM_READY,
	UPSTREAM_STOPPED,
};

static const char *const upstream_state_names[] = {
	"down", "connecting", "rpc handshake", "stream connecting", "stream handshake",
	"fetching services", "ready", "stopped",
};

/* Why a session ended or never began: shared by logs and the admin output. */
enum upstream_failure {
	UPF_NONE,
	UPF_CONNECT,		/* connect() failed */
	UPF_TIMEOUT,		/* connect() took too long */
	UPF_CLOSED,		/* the server closed a connection or it broke */
	UPF_REFUSED,		/* a handshake answered something other than OK */
	UPF_PROTOCOL,		/* unexpected or malformed messages */
	UPF_SERVICES,		/* GetServices failed */
	UPF_STALLED,		/* it sent nothing for upstream.stall_timeout while requests waited */
	UPF_STOPPED,		/* the proxy is shutting down */
};

static const char *const upstream_failure_names[] = {
	"none", "connect failed", "connect timed out", "connection lost", "handshake refused",
	"protocol error", "GetServices failed", "stopped answering", "proxy stopping",
};

static struct {
	enum upstream_state	 state;
	struct lane		*primary;
	struct peer		*stream;
	struct lane		*slow[UPSTREAM_LANES_MAX];
	int			 nslow;
	uint8_t			 id[16];
	struct event		*retry;
	unsigned		 attempt;
	enum upstream_failure	 failure;
	char			 why[384];
	char			 target[256];
	double			 lanes_disabled_until;
	uint64_t		 sessions;
	double			 since;
	char			 version[32];	/* GetStatus().version of this session */
	struct lane_caps	 caps;		/* what the server can take (its version) */
	bool			 probing;	/* a stall probe is in flight */
	const struct upstream_events *events;	/* the layers above, told of the session */
} up;

static void	upstream_primary_dispatch(struct peer *, const uint8_t *, size_t, void *);
static void	upstream_primary_connected(struct peer *, void *);
static void	upstream_stream_dispatch(struct peer *, const uint8_t *, size_t, void *);
static void	upstream_stream_connected(struct peer *, void *);
static void	upstream_lane_dispatch(struct peer *, const uint8_t *, size_t, void *);
static void	upstream_lane_connected(struct peer *, void *);
static void	upstream_connect_timeout(struct peer *, void *);

static const struct peer_ops upstream_primary_ops = {
	upstream_primary_dispatch, upstream_primary_connected, NULL, upstream_connect_timeout, NULL,
};
static const struct peer_ops upstream_stream_ops = {
	upstream_stream_dispatch, upstream_stream_connected, NULL, upstream_connect_timeout, NULL,
};
static const struct peer_ops upstream_lane_ops = {
	upstream_lane_dispatch, upstream_lane_connected, NULL, upstream_connect_timeout, NULL,
};

/* Changes the session state, logging the transition. */
static void
upstream_set_state(enum upstream_state state)
{
	log_debug("upstream", "%s -> %s", upstream_state_names[up.state], upstream_state_names[state]);
	up.state = state;
}

/* True when the upstream is a pair of Unix sockets. */
static bool
upstream_unix(void)
{
	return *cfg->upstream_rpc_path != '\0';
}

/* Opens one connection to the server (RPC or stream side); NULL with why. */
struct peer *
upstream_dial(bool stream, const char *name, const struct peer_ops *ops, void *arg,
    char *why, size_t whylen)
{
	struct peer *p;

	if (upstream_unix())
		p = peer_connect(NULL, 0, stream ? cfg->upstream_stream_path : cfg->upstream_rpc_path,
		    name, KRPC_FRAME_LEN_LIMIT, ops, arg, why, whylen);
	else
		p = peer_connect(cfg->upstream_address,
		    stream ? cfg->upstream_stream_port : cfg->upstream_rpc_port, NULL, name,
		    KRPC_FRAME_LEN_LIMIT, ops, arg, why, whylen);
	if (p != NULL)
		peer_set_timer(p, cfg->upstream_connect_timeout);
	return p;
}

/* Sends a ConnectionRequest: an RPC one under name, or a stream one for id. */
void
upstream_hello(struct peer *p, bool stream, const char *name, const uint8_t *id)
{
	Krpc__Schema__ConnectionRequest r = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;

	r.type = stream ? KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM :
	    KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC;
	r.client_name = stream ? (char *)"" : (char *)name;
	if (stream) {
		r.client_identifier.data = (uint8_t *)id;
		r.client_identifier.len = 16;
	}
	peer_set_timer(p, 0);	/* the game may ask its player: no handshake timeout */
	peer_set_state(p, PEER_HANDSHAKE);
	peer_send_msg(p, &r.base);
}

/* Sends the proxy's own ConnectionRequest. */
static void
upstream_send_request(struct peer *p, bool stream)
{
	upstream_hello(p, stream, cfg->upstream_client_name, up.id);
}

/* Reads a ConnectionResponse; false with why unless it is OK (id: the 16 bytes it carries). */
bool
upstream_hello_reply(const uint8_t *msg, size_t len, uint8_t *id, char *why, size_t whylen)
{
	Krpc__Schema__ConnectionResponse *r;
	bool ok;

	if ((r = krpc__schema__connection_response__unpack(NULL, len, msg)) == NULL) {
		snprintf(why, whylen, "malformed ConnectionResponse");
		return false;
	}
	ok = r->status == KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK &&
	    r->client_identifier.len == 16;
	if (!ok)
		snprintf(why, whylen, "handshake refused (status %d): %s", (int)r->status,
		    *r->message ? r->message : "no message");
	else if (id != NULL)
		memcpy(id, r->client_identifier.data, 16);
	krpc__schema__connection_response__free_unpacked(r, NULL);
	return ok;
}

/* Closes and frees a slow lane; its queued requests move to another lane or fail. */
static void
upstream_lane_drop(struct lane *l, const char *why)
{
	char desc[512];
	int i;

	for (i = 0; i < up.nslow && up.slow[i] != l; i++)
		;
	if (i < up.nslow)
		memmove(&up.slow[i], &up.slow[i + 1], (size_t)(up.nslow - i - 1) * sizeof up.slow[0]);
	up.nslow--;
	if (!lane_is_ready(l) && up.state == UPSTREAM_READY) {
		/* It never opened (the player may have denied it): use the primary for a while. */
		log_warn("upstream", "slow lane %d could not open (%s); yielding calls use the "
		    "primary connection for %.0f s", lane_index(l), why, UPSTREAM_LANE_BACKOFF);
		up.lanes_disabled_until = krpc_time_now() + UPSTREAM_LANE_BACKOFF;
		lane_requeue(l, up.primary);
	} else if (lane_is_ready(l) && up.state != UPSTREAM_STOPPED)
		log_warn("upstream", "slow lane %d lost: %s", lane_index(l), why);
	snprintf(desc, sizeof desc, "krpcmuxd: lost the connection to the game's kRPC server (%s)",
	    why);
	lane_fail(l, desc);
	if (lane_peer(l) != NULL)
		peer_close(lane_peer(l), false);
	lane_free(l);
}

/* Schedules the next connection attempt with exponential backoff and jitter. */
static void
upstream_schedule(void)
{
	double delay = cfg->upstream_retry_min * pow(2, up.attempt < 30 ? up.attempt : 30);
	struct timeval tv;

	if (delay > cfg->upstream_retry_max)
		delay = cfg->upstream_retry_max;
	delay *= 0.5 + 0.5 * util_random_unit();
	up.attempt++;
	tv = util_timeval(delay);
	evtimer_add(up.retry, &tv);
	log_msg(up.attempt <= 1 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, "upstream",
	    "%s: %s; retrying in %.2f s", up.target, up.why, delay);
}

/* Ends the session: fail what is in flight, close clients, reconnect later. */
static void
upstream_fail(enum upstream_failure failure, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
upstream_fail(enum upstream_failure failure, const char *fmt, ...)
{
	bool was_ready = up.state == UPSTREAM_READY;
	char desc[512];
	va_list ap;

	if (up.state == UPSTREAM_DOWN || up.state == UPSTREAM_STOPPED)
		return;
	va_start(ap, fmt);
	vsnprintf(up.why, sizeof up.why, fmt, ap);
	va_end(ap);
	up.failure = failure;
	stats_inc(upstream_failures);
	upstream_set_state(failure == UPF_STOPPED ? UPSTREAM_STOPPED : UPSTREAM_DOWN);
	if (was_ready && failure == UPF_STOPPED)
		log_info("upstream", "closing the session");
	else if (was_ready)
		log_error("upstream", "session lost: %s (%s)", up.why, upstream_failure_names[failure]);
	snprintf(desc, sizeof desc, "krpcmuxd: lost the connection to the game's kRPC server (%s)",
	    up.why);
	while (up.nslow > 0)
		upstream_lane_drop(up.slow[0], up.why);
	lane_fail(up.primary, desc);
	if (lane_peer(up.primary) != NULL)
		peer_close(lane_peer(up.primary), false);
	lane_attach(up.primary, NULL);
	if (up.stream != NULL)
		peer_close(up.stream, false);
	up.stream = NULL;
	if (was_ready)
		up.events->lost(up.why);
	schema_reset();
	if (failure != UPF_STOPPED)
		upstream_schedule();
}

/* Opens the primary connection. */
static void
upstream_connect(void)
{
	char why[256];

	up.caps.serial = false;
	up.caps.batching = false;
	up.version[0] = '\0';
	upstream_set_state(UPSTREAM_CONNECTING);
	lane_attach(up.primary, upstream_dial(false, "upstream rpc", &upstream_primary_ops, NULL,
	    why, sizeof why));
	if (lane_peer(up.primary) == NULL)
		upstream_fail(UPF_CONNECT, "%s", why);
}

/* The reconnection timer fired. */
static void
upstream_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	if (up.state == UPSTREAM_DOWN) {
		stats_inc(upstream_reconnects);
		upstream_connect();
	}
}

/* A connect took longer than upstream.connect_timeout. */
static void
upstream_connect_timeout(struct peer *p, void *arg)
{
	if (arg != NULL) {
		upstream_lane_drop(arg, "connect timed out");
		return;
	}
	upstream_fail(UPF_TIMEOUT, "connect timed out after %g s", cfg->upstream_connect_timeout);
}

/* The primary connection is open: send its handshake. */
static void
upstream_primary_connected(struct peer *p, void *arg)
{
	upstream_set_state(UPSTREAM_RPC_HANDSHAKE);
	upstream_send_request(p, false);
}

/* The stream connection is open: send its handshake with our id. */
static void
upstream_stream_connected(struct peer *p, void *arg)
{
	upstream_set_state(UPSTREAM_STREAM_HANDSHAKE);
	upstream_send_request(p, true);
}

/* The session is established: clients may be served. */
static void
upstream_session_ready(void)
{
	upstream_set_state(UPSTREAM_READY);
	peer_set_state(lane_peer(up.primary), PEER_READY);
	peer_set_state(up.stream, PEER_READY);
	up.attempt = 0;
	up.failure = UPF_NONE;
	up.why[0] = '\0';
	up.sessions++;
	up.since = krpc_time_now();
	up.lanes_disabled_until = 0;
	stats_inc(upstream_sessions);
	log_info("upstream", "connected to %s as \"%s\" (server %s, %zu procedures%s)", up.target,
	    cfg->upstream_client_name, up.version, schema_count(),
	    up.caps.serial ? ", one request at a time" : "");
	up.events->ready();
}

/* The value of a one-call Response; false if it failed or is malformed. */
static bool
upstream_result(const uint8_t *resp, size_t len, struct wire_slice *value)
{
	struct wire_slice err, res;
	bool is_error = true;
	size_t n = 0;

	return wire_response_split(resp, len, &err, &res, 1, &n) && err.data == NULL && n == 1 &&
	    wire_result_parse(res.data, res.len, &is_error, value) && !is_error;
}

/* GetStatus answered: servers before v0.6 take one request at a time (PROTOCOL.md 6.2). */
static void
upstream_status_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	struct wire_slice value;
	krpc_pbr_t r;
	krpc_pbr_field_t f;
	int major = 0, minor = 0;

	if (failure != NULL)
		return;
	snprintf(up.version, sizeof up.version, "of unknown version");
	if (upstream_result(resp, len, &value)) {
		r = (krpc_pbr_t){ value.data, value.len, 0 };
		while (krpc_pbr_next(&r, &f) == 1) {
			if (f.number == 1 && f.wire == KRPC_WIRE_LEN)
				snprintf(up.version, sizeof up.version, "%.*s", (int)f.len,
				    (const char *)f.data);
		}
	}
	up.caps.serial = sscanf(up.version, "%d.%d", &major, &minor) == 2 && major == 0 && minor < 6;
	/* Only v0.7 servers survive a request that fails to decode (PROTOCOL.md 11). */
	up.caps.batching = sscanf(up.version, "%d.%d", &major, &minor) == 2 &&
	    (major > 0 || minor >= 7);
	upstream_session_ready();
}

/* GetServices answered: cache it, then ask for the server's version. */
static void
upstream_services_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	struct wire_slice value;
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;
	char why[256] = "malformed response";

	if (failure != NULL)
		return;	/* the session already ended */
	if (!upstream_result(resp, len, &value) || !schema_load(value.data, value.len, why, sizeof why)) {
		upstream_fail(UPF_SERVICES, "GetServices: %s", why);
		return;
	}
	wire_call(&call, "KRPC", "GetStatus", NULL, 0);
	krpc_msg_request_add(&req, call.data, call.len);
	xbuf_check(&req);
	lane_submit(up.primary, req.data, req.len, upstream_status_cb, NULL);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
}

/* The stream handshake finished: fetch GetServices over the primary. */
static void
upstream_stream_ready(void)
{
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;

	upstream_set_state(UPSTREAM_SERVICES);
	lane_ready(up.primary);
	wire_call(&call, "KRPC", "GetServices", NULL, 0);
	krpc_msg_request_add(&req, call.data, call.len);
	xbuf_check(&req);
	lane_submit(up.primary, req.data, req.len, upstream_services_cb, NULL);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
}

/* Messages on the primary connection. */
static void
upstream_primary_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	char why[256];

	if (msg == NULL) {
		upstream_fail(up.state == UPSTREAM_CONNECTING ? UPF_CONNECT : UPF_CLOSED,
		    "rpc connection: %s", peer_reason(p));
		return;
	}
	if (up.state == UPSTREAM_RPC_HANDSHAKE) {
		if (!upstream_hello_reply(msg, len, up.id, why, sizeof why)) {
			upstream_fail(UPF_REFUSED, "rpc %s", why);
			return;
		}
		upstream_set_state(UPSTREAM_STREAM_CONNECTING);
		up.stream = upstream_dial(true, "upstream stream", &upstream_stream_ops, NULL, why,
		    sizeof why);
		if (up.stream == NULL)
			upstream_fail(UPF_CONNECT, "stream connection: %s", why);
		return;
	}
	if (!lane_is_ready(up.primary) || !lane_response(up.primary, msg, len))
		upstream_fail(UPF_PROTOCOL, "unexpected message on the rpc connection");
}

/* Messages on the stream connection. */
static void
upstream_stream_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	char why[256];

	if (msg == NULL) {
		upstream_fail(UPF_CLOSED, "stream connection: %s", peer_reason(p));
		return;
	}
	if (up.state == UPSTREAM_STREAM_HANDSHAKE) {
		if (!upstream_hello_reply(msg, len, NULL, why, sizeof why)) {
			upstream_fail(UPF_REFUSED, "stream %s", why);
			return;
		}
		upstream_stream_ready();
		return;
	}
	lane_heard();
	if (up.state == UPSTREAM_READY || up.state == UPSTREAM_SERVICES)
		up.events->update(msg, len);
}

/* A slow lane connected: handshake as an RPC client. */
static void
upstream_lane_connected(struct peer *p, void *arg)
{
	upstream_send_request(p, false);
}

/* Messages on a slow lane. */
static void
upstream_lane_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	struct lane *l = arg;
	char why[256];

	if (msg == NULL) {
		snprintf(why, sizeof why, "%s", peer_reason(p));
		upstream_lane_drop(l, why);
		return;
	}
	if (!lane_is_ready(l)) {
		lane_heard();
		if (!upstream_hello_reply(msg, len, NULL, why, sizeof why)) {
			upstream_lane_drop(l, why);
			return;
		}
		peer_set_state(p, PEER_READY);
		log_info("upstream", "slow lane %d open", lane_index(l));
		lane_ready(l);
		return;
	}
	if (!lane_response(l, msg, len))
		upstream_lane_drop(l, "unexpected message");
}

/* Opens a new slow lane; NULL if it cannot. */
static struct lane *
upstream_lane_open(void)
{
	char name[64], why[256];
	int index = 1, i;
	struct lane *l;

	for (i = 0; i < up.nslow; i++) {
		if (lane_index(up.slow[i]) >= index)
			index = lane_index(up.slow[i]) + 1;
	}
	l = lane_new(index, &up.caps);
	snprintf(name, sizeof name, "upstream slow lane %d", index);
	lane_attach(l, upstream_dial(false, name, &upstream_lane_ops, l, why, sizeof why));
	if (lane_peer(l) == NULL) {
		log_warn("upstream", "cannot open a slow lane: %s", why);
		up.lanes_disabled_until = krpc_time_now() + UPSTREAM_LANE_BACKOFF;
		lane_free(l);
		return NULL;
	}
	up.slow[up.nslow++] = l;
	return l;
}

/* The connection a request goes on. */
static struct lane *
upstream_pick(enum upstream_lane which)
{
	struct lane *l, *best = NULL;
	int i;

	if (which == UPSTREAM_PRIMARY || cfg->upstream_slow_lanes == 0 ||
	    krpc_time_now() < up.lanes_disabled_until)
		return up.primary;
	for (i = 0; i < up.nslow; i++) {
		l = up.slow[i];
		if (lane_load(l) == 0)
			return l;
		if (best == NULL || lane_load(l) < lane_load(best))
			best = l;
	}
	if (up.nslow < cfg->upstream_slow_lanes && up.nslow < UPSTREAM_LANES_MAX &&
	    (l = upstream_lane_open()) != NULL)
		return l;
	return best != NULL ? best : up.primary;
}

/* Sends a serialised Request upstream. */
struct upcall *
upstream_call(enum upstream_lane which, const void *req, size_t len, upstream_cb cb, void *arg)
{
	struct lane *l;

	if (up.state != UPSTREAM_READY)
		return NULL;
	l = upstream_pick(which);
	stats_inc(upstream_requests);
	if (l != up.primary)
		stats_inc(upstream_slow_requests);
	return lane_submit(l, req, len, cb, arg);
}

/* Sends one serialised ProcedureCall as a Request. */
struct upcall *
upstream_call1(enum upstream_lane which, const void *call, size_t len, upstream_cb cb, void *arg)
{
	krpc_buf_t req = KRPC_BUF_INIT;
	struct upcall *u;

	krpc_msg_request_add(&req, call, len);
	xbuf_check(&req);
	u = upstream_call(which, req.data, req.len, cb, arg);
	krpc_buf_free(&req);
	return u;
}

/* A stall probe came back (or failed with the session). */
static void
upstream_probe_cb(void *arg, const uint8_t *resp, size_t len, const char *failure)
{
	up.probing = false;
}

/*
 * The server has been silent while requests wait: asks it something cheap
 * (KRPC.GetStatus) on a connection with nothing in flight, whose answer
 * tells a long yielding call (the server answers others meanwhile) from a
 * stopped server (stall.c).  A connection busy with a call would queue the
 * probe behind it, so: the primary if idle, else an idle slow lane, else a
 * new slow lane if one may open (its handshake's answer counts too).
 */
void
upstream_probe(void)
{
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;
	struct lane *l = NULL;
	int i;

	if (up.state != UPSTREAM_READY || up.probing)
		return;
	if (lane_in_flight(up.primary) == 0)
		l = up.primary;
	for (i = 0; l == NULL && i < up.nslow; i++) {
		if (lane_is_ready(up.slow[i]) && lane_load(up.slow[i]) == 0)
			l = up.slow[i];
	}
	if (l == NULL && up.nslow < cfg->upstream_slow_lanes && up.nslow < UPSTREAM_LANES_MAX &&
	    krpc_time_now() >= up.lanes_disabled_until)
		l = upstream_lane_open();
	if (l == NULL)
		return;		/* every connection is busy: only the silence can tell */
	up.probing = true;
	stats_inc(upstream_probes);
	log_debug("upstream", "server silent with requests waiting: probing it");
	wire_call(&call, "KRPC", "GetStatus", NULL, 0);
	krpc_msg_request_add(&req, call.data, call.len);
	xbuf_check(&req);
	lane_submit(l, req.data, req.len, upstream_probe_cb, NULL);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
}

/* The server sent nothing for silent seconds while waiting requests went unanswered: lost. */
void
upstream_stalled(double silent, size_t waiting)
{
	stats_inc(upstream_stalls);
	upstream_fail(UPF_STALLED, "the server stopped answering: nothing for %.0f s with %zu "
	    "request%s waiting", silent, waiting, waiting == 1 ? "" : "s");
}

/* Prepares the session state; events tell the layers above what happens to it. */
void
upstream_init(const struct upstream_events *events)
{
	memset(&up, 0, sizeof up);
	up.events = events;
	up.primary = lane_new(0, &up.caps);
	up.state = UPSTREAM_DOWN;
	snprintf(up.why, sizeof up.why, "not connected yet");
	if ((up.retry = evtimer_new(ev_base, upstream_retry_cb, NULL)) == NULL)
		log_fatal("cannot create the reconnection timer");
}

/* Starts connecting. */
void
upstream_start(void)
{
	if (upstream_unix())
		snprintf(up.target, sizeof up.target, "%s + %s", cfg->upstream_rpc_path,
		    cfg->upstream_stream_path);
	else
		snprintf(up.target, sizeof up.target, "%s:%d/%d", cfg->upstream_address,
		    cfg->upstream_rpc_port, cfg->upstream_stream_port);
	upstream_connect();
}

/* Closes the session for good (shutdown). */
void
upstream_stop(void)
{
	if (up.state != UPSTREAM_DOWN && up.state != UPSTREAM_STOPPED)
		upstream_fail(UPF_STOPPED, "the proxy is shutting down");
	up.state = UPSTREAM_STOPPED;
	if (up.retry != NULL)
		event_free(up.retry);
	up.retry = NULL;
}

/* What the server can take (its version): for lanes opened beside the session's. */
const struct lane_caps *
upstream_caps(void)
{
	return &up.caps;
}

/* True while the session is established (clients are served). */
bool
upstream_ready(void)
{
	return up.state == UPSTREAM_READY;
}

/* Why the upstream is not ready. */
const char *
upstream_why_down(void)
{
	if (up.state == UPSTREAM_READY)
		return "connected";
	if (up.state == UPSTREAM_RPC_HANDSHAKE)
		return "waiting for the game to accept the proxy's connection";
	if (up.state != UPSTREAM_DOWN || up.why[0] == '\0')
		return upstream_state_names[up.state];
	return up.why;
}

/* Applies reloaded settings: fewer slow lanes close the extra idle ones. */
void
upstream_reconfigure(void)
{
	int i;

	for (i = up.nslow - 1; i >= 0 && up.nslow > cfg->upstream_slow_lanes; i--) {
		if (lane_load(up.slow[i]) == 0)
			upstream_lane_drop(up.slow[i], "closed by a configuration reload");
	}
	schema_set_slow(cfg);
}

/* The name of state i, in order ("down" first); NULL past the last (metrics list them all). */
const char *
upstream_state_name(size_t i)
{
	if (i >= sizeof upstream_state_names / sizeof upstream_state_names[0])
		return NULL;
	return upstream_state_names[i];
}

/* What the admin reports of the session now (its strings live until the session changes). */
void
upstream_snapshot(struct upstream_snapshot *u)
{
	int i, inflight = (int)lane_in_flight(up.primary);

	for (i = 0; i < up.nslow; i++)
		inflight += (int)lane_in_flight(up.slow[i]);
	u->state = upstream_state_names[up.state];
	u->target = up.target;
	u->version = up.version;
	u->pipelining = !up.caps.serial;
	u->sessions = up.sessions;
	u->connected_for = up.state == UPSTREAM_READY ? krpc_time_now() - up.since : 0.0;
	u->slow_lanes = (unsigned)up.nslow;
	u->in_flight = (unsigned)inflight;
	u->last_failure = upstream_failure_names[up.failure];
	u->why = up.why;
}
