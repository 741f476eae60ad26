/*
 * A client's own upstream session: an RPC connection and a stream
 * connection to the game opened for one client, lazily, the first time it
 * makes a call the game ties to its caller (rules.c).  Those calls, the
 * streams of them and, from then on, the client's events run there, so the
 * game counts, owns and releases them for that client alone, exactly as if
 * the script had its own connection; when the client leaves, the session
 * closes and the game itself releases what it held.  Each session is a
 * client of the game, which may ask its player to allow it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

enum session_state {
	SESSION_RPC,		/* RPC connection connecting or handshaking */
	SESSION_STREAM,		/* stream connection connecting or handshaking */
	SESSION_READY,
	SESSION_FAILED,		/* could not open: calls fail with why */
};

struct session {
	struct client		*client;
	enum session_state	 state;
	struct lane		*lane;
	struct peer		*stream;
	uint8_t			 id[16];	/* the game's id for the session's RPC connection */
	char			 name[160];
	char			 why[384];	/* SESSION_FAILED: the request-level error text */
};

static const struct session_events *session_events;	/* the layers above */

static void	session_rpc_dispatch(struct peer *, const uint8_t *, size_t, void *);
static void	session_rpc_connected(struct peer *, void *);
static void	session_stream_dispatch(struct peer *, const uint8_t *, size_t, void *);
static void	session_stream_connected(struct peer *, void *);
static void	session_timeout(struct peer *, void *);

static const struct peer_ops session_rpc_ops = {
	session_rpc_dispatch, session_rpc_connected, NULL, session_timeout, NULL,
};
static const struct peer_ops session_stream_ops = {
	session_stream_dispatch, session_stream_connected, NULL, session_timeout, NULL,
};

/* Closes the session's connections. */
static void
session_close(struct session *s)
{
	if (lane_peer(s->lane) != NULL)
		peer_close(lane_peer(s->lane), false);
	lane_attach(s->lane, NULL);
	if (s->stream != NULL)
		peer_close(s->stream, false);
	s->stream = NULL;
}

/*
 * The session could not be opened or was lost.  Before it was ready, the
 * calls that waited fail and so will later ones; once ready, the game has
 * dropped what it held for the client (its counts, its objects), which a
 * script on its own connection would see as its connection closing: the
 * client is closed too.
 */
static void
session_fail(struct session *s, const char *why)
{
	bool was_ready = s->state == SESSION_READY;

	if (s->state == SESSION_FAILED)
		return;
	snprintf(s->why, sizeof s->why, "krpcmuxd: %s this client's own connection to the game's "
	    "kRPC server (%s)", was_ready ? "lost" : "could not open", why);
	log_warn(s->client->prefix, "%s", s->why + strlen("krpcmuxd: "));
	s->state = SESSION_FAILED;
	session_close(s);
	lane_fail(s->lane, s->why);
	if (was_ready)
		session_events->lost(s->client, "its own connection to the game was lost");
}

/* The RPC connection is open: introduce it under the client's name. */
static void
session_rpc_connected(struct peer *p, void *arg)
{
	struct session *s = arg;

	upstream_hello(p, false, s->name, NULL);
}

/* The stream connection is open: bind it to the session's RPC connection. */
static void
session_stream_connected(struct peer *p, void *arg)
{
	struct session *s = arg;

	upstream_hello(p, true, NULL, s->id);
}

/* A connect took longer than upstream.connect_timeout. */
static void
session_timeout(struct peer *p, void *arg)
{
	session_fail(arg, "connect timed out");
}

/* The RPC handshake succeeded: open the stream connection. */
static void
session_rpc_ready(struct session *s)
{
	char why[256];

	s->state = SESSION_STREAM;
	s->stream = upstream_dial(true, "session stream", &session_stream_ops, s, why, sizeof why);
	if (s->stream == NULL)
		session_fail(s, why);
}

/* Messages on the RPC connection: the handshake's answer, then responses. */
static void
session_rpc_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	struct session *s = arg;
	char why[256];

	if (msg == NULL) {
		snprintf(why, sizeof why, "rpc connection: %s", peer_reason(p));
		session_fail(s, why);
		return;
	}
	if (s->state == SESSION_RPC) {
		lane_heard();
		if (!upstream_hello_reply(msg, len, s->id, why, sizeof why)) {
			session_fail(s, why);
			return;
		}
		peer_set_state(p, PEER_READY);
		session_rpc_ready(s);
		return;
	}
	if (!lane_is_ready(s->lane) || !lane_response(s->lane, msg, len))
		session_fail(s, "unexpected message on the rpc connection");
}

/* Messages on the stream connection: the handshake's answer, then stream updates. */
static void
session_stream_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	struct session *s = arg;
	char why[256];

	if (msg == NULL) {
		snprintf(why, sizeof why, "stream connection: %s", peer_reason(p));
		session_fail(s, why);
		return;
	}
	if (s->state == SESSION_STREAM) {
		if (!upstream_hello_reply(msg, len, NULL, why, sizeof why)) {
			session_fail(s, why);
			return;
		}
		peer_set_state(p, PEER_READY);
		s->state = SESSION_READY;
		log_info(s->client->prefix, "own connection to the game open");
		lane_ready(s->lane);
		return;
	}
	lane_heard();
	log_debug(s->client->prefix, "stream update of %zu bytes on its own connection", len);
	if (s->state == SESSION_READY)
		session_events->update(msg, len);	/* stream ids are unique in the server */
}

/* Opens a client's session. */
static struct session *
session_open(struct client *c)
{
	struct session *s = xcalloc(1, sizeof *s);
	char why[256];

	s->client = c;
	s->lane = lane_new(0, upstream_caps());
	s->state = SESSION_RPC;
	snprintf(s->name, sizeof s->name, "%s (through krpcmuxd)",
	    c->name != NULL && *c->name != '\0' ? c->name : "a script");
	stats_inc(sessions_opened);
	log_info(c->prefix, "opening its own connection to the game for calls tied to the caller");
	lane_attach(s->lane, upstream_dial(false, "session rpc", &session_rpc_ops, s, why, sizeof why));
	if (lane_peer(s->lane) == NULL)
		session_fail(s, why);
	return s;
}

/*
 * Sends a serialised Request over the client's own session, opening it
 * first if need be; cb runs exactly once.  NULL with why if the session
 * could not be opened.
 */
struct upcall *
session_call(struct client *c, const void *req, size_t len, upstream_cb cb, void *arg,
    const char **why)
{
	if (c->session == NULL)
		c->session = session_open(c);
	if (c->session->state == SESSION_FAILED) {
		*why = c->session->why;
		return NULL;
	}
	stats_inc(session_requests);
	return lane_submit(c->session->lane, req, len, cb, arg);
}

/* True once the client has a session (its events then run there). */
bool
session_active(const struct client *c)
{
	return c->session != NULL && c->session->state != SESSION_FAILED;
}

/* Frees a session (deferred: it may be inside one of its own callbacks). */
static void
session_free(void *ptr)
{
	struct session *s = ptr;

	lane_free(s->lane);
	free(s);
}

/* The client left: its session closes, and the game releases what it held for it. */
void
session_client_gone(struct client *c)
{
	struct session *s = c->session;

	if (s == NULL)
		return;
	c->session = NULL;
	if (s->state != SESSION_FAILED) {
		s->state = SESSION_FAILED;
		session_close(s);
		lane_fail(s->lane, "krpcmuxd: the client left");
	}
	defer_free(session_free, s);
}

/* Registers what sessions tell the layers above them. */
void
session_init(const struct session_events *events)
{
	session_events = events;
}
