/*
 * Downstream clients: the RPC and stream handshakes exactly as a kRPC server
 * performs them (PROTOCOL.md 3), proxy-issued identifiers, the registry of
 * live clients, backpressure on their RPC output, and their teardown.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krpcmuxd.h"

/* Connections refused (denied, over a limit) kept long enough to be told so; more are closed. */
#define CLIENT_REFUSING_MAX		16

/* A stream connection before its handshake binds it to a client. */
struct shake {
	struct peer		*peer;
	char			*prefix;
	enum peer_transport	 transport;
	char			*address;	/* TCP: the peer's IP */
	uid_t			 uid;		/* Unix: SO_PEERCRED (has_cred) */
	bool			 has_cred;
	char			*refusal;	/* denied: answered with this instead */
	TAILQ_ENTRY(shake)	 link;
};

static struct client_list	 clients = TAILQ_HEAD_INITIALIZER(clients);
static TAILQ_HEAD(, shake)	 shakes = TAILQ_HEAD_INITIALIZER(shakes);
static struct htab		*clients_by_id;
static uint64_t			 client_serial;
static size_t			 client_n, shake_n, client_ready_n;
static size_t			 client_refusing_n;	/* clients and shakes being refused */
static bool			 client_stopping;	/* client_drain_all() ran: nobody is read again */

static void	client_rpc_dispatch(struct peer *, const uint8_t *, size_t, void *);
static void	client_rpc_drained(struct peer *, void *);
static void	client_rpc_timeout(struct peer *, void *);
static void	client_stream_dispatch(struct peer *, const uint8_t *, size_t, void *);
static void	client_stream_drained(struct peer *, void *);
static void	client_shake_dispatch(struct peer *, const uint8_t *, size_t, void *);
static void	client_shake_timeout(struct peer *, void *);

static void	client_rpc_eof(struct peer *, void *);

static const struct peer_ops client_rpc_ops = {
	client_rpc_dispatch, NULL, client_rpc_drained, client_rpc_timeout, client_rpc_eof,
};
static const struct peer_ops client_stream_ops = {
	client_stream_dispatch, NULL, client_stream_drained, NULL, NULL,
};
static const struct peer_ops client_shake_ops = {
	client_shake_dispatch, NULL, NULL, client_shake_timeout, NULL,
};

/* A ConnectionRequest read as the server reads it; NULL with the server's complaint in *why. */
static Krpc__Schema__ConnectionRequest *
client_read_request(const uint8_t *msg, size_t len, const char **why)
{
	return (Krpc__Schema__ConnectionRequest *)krpc_lenient_read(KRPC_LENIENT_CONNECTION_REQUEST,
	    msg, len, why);
}

/* Sends a ConnectionResponse. */
static void
client_respond(struct peer *p, int status, const char *message, const uint8_t *id)
{
	Krpc__Schema__ConnectionResponse r = KRPC__SCHEMA__CONNECTION_RESPONSE__INIT;

	r.status = (Krpc__Schema__ConnectionResponse__Status)status;
	r.message = (char *)(message != NULL ? message : "");
	if (id != NULL) {
		r.client_identifier.data = (uint8_t *)id;
		r.client_identifier.len = 16;
	}
	peer_send_msg(p, &r.base);
}

/* Sets the log prefix: client 12 (unix, pid 4711, "telemetry"). */
static void
client_set_prefix(struct client *c)
{
	char who[160], name[80];

	if (c->transport == PEER_UNIX && c->pid > 0)
		snprintf(who, sizeof who, "unix, pid %ld", (long)c->pid);
	else if (c->transport == PEER_UNIX)
		snprintf(who, sizeof who, "unix");
	else
		snprintf(who, sizeof who, "tcp %s", c->address);
	free(c->prefix);
	if (c->name != NULL) {
		util_printable(name, sizeof name, c->name);	/* a name must not forge log lines */
		xasprintf(&c->prefix, "client %llu (%s, \"%s\")", (unsigned long long)c->serial, who,
		    name);
	}
	else
		xasprintf(&c->prefix, "client %llu (%s)", (unsigned long long)c->serial, who);
	peer_set_name(c->rpc, c->prefix);
}

/* Changes a client's state, logging the transition. */
static void
client_set_state(struct client *c, enum client_state state)
{
	static const char *const names[] = { "handshake", "waiting", "ready", "closing" };

	log_debug(c->prefix, "client state %s -> %s", names[c->state], names[state]);
	if (state == CLIENT_READY && c->state != CLIENT_READY)
		client_ready_n++;
	else if (state != CLIENT_READY && c->state == CLIENT_READY)
		client_ready_n--;
	c->state = state;
}

/* Frees a client (deferred). */
static void
client_free(void *ptr)
{
	struct client *c = ptr;

	free(c->name);
	free(c->address);
	free(c->prefix);
	free(c->refusal);
	free(c);
}

/* Tears a client down; with flush, responses already queued are written first. */
static void
client_drop(struct client *c, const char *reason, bool flush)
{
	bool was_ready = c->state == CLIENT_READY;

	if (c->dead)
		return;
	c->dead = true;
	if (was_ready)
		log_info(c->prefix, "disconnected: %s", reason);
	else
		log_debug(c->prefix, "closed during the handshake: %s", reason);
	if (was_ready)
		htab_del_value(clients_by_id, c->id, sizeof c->id, c);
	if (c->refusal != NULL)
		client_refusing_n--;
	limits_user_leave(c);
	client_set_state(c, CLIENT_CLOSING);
	router_client_gone(c);
	ledger_client_gone(c);		/* after its requests: theirs were sent first */
	streamtab_client_gone(c);
	fanout_client_gone(c);
	session_client_gone(c);
	if (c->stream != NULL)
		peer_close(c->stream, flush);
	c->stream = NULL;
	peer_close(c->rpc, flush);
	TAILQ_REMOVE(&clients, c, link);
	client_n--;
	defer_free(client_free, c);
	if (was_ready)
		streamtab_refresh_local();
}

/* Drops a client (protocol error or its RPC connection closed). */
void
client_lost(struct client *c, const char *reason)
{
	client_drop(c, reason, false);
}

/* Completes the RPC handshake: a fresh 16-byte id, then OK. */
static void
client_welcome(struct client *c)
{
	do
		util_random(c->id, sizeof c->id);
	while (htab_get(clients_by_id, c->id, sizeof c->id) != NULL);
	util_random(c->public_id, sizeof c->public_id);
	htab_put(clients_by_id, c->id, sizeof c->id, c);
	peer_set_timer(c->rpc, 0);
	client_set_state(c, CLIENT_READY);
	peer_set_state(c->rpc, PEER_READY);
	peer_set_message_timeout(c->rpc, cfg->limits_message_timeout);
	client_respond(c->rpc, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK, NULL, c->id);
	peer_discard(c->rpc, false);
	stats_inc(clients_accepted);
	log_info(c->prefix, "connected");
	streamtab_refresh_local();
}

/* The server's words for a handshake that never came, with the configured wait. */
static const char *
client_timeout_text(char *buf, size_t len)
{
	double t = cfg->limits_handshake_timeout;

	snprintf(buf, len, "Connection request message not received after waiting %g second%s", t,
	    t == 1 ? "" : "s");
	return buf;
}

/* Refuses a handshake with a status and message, then closes. */
static void
client_refuse(struct client *c, int status, const char *message)
{
	stats_inc(handshakes_failed);
	log_info(c->prefix, "handshake refused: %s", message);
	client_respond(c->rpc, status, message, NULL);
	client_drop(c, message, true);
}

/* The RPC ConnectionRequest. */
static void
client_handshake(struct client *c, const uint8_t *msg, size_t len)
{
	Krpc__Schema__ConnectionRequest *req;
	const char *why;
	char wrong[256];

	if ((req = client_read_request(msg, len, &why)) == NULL) {
		client_refuse(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE, why);
		return;
	}
	if (req->type != KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC) {
		krpc_handshake_wrong_type(wrong, sizeof wrong, (int)req->type,
		    KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC);
		krpc__schema__connection_request__free_unpacked(req, NULL);
		client_refuse(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__WRONG_TYPE, wrong);
		return;
	}
	c->name = xstrdup(req->client_name);
	krpc__schema__connection_request__free_unpacked(req, NULL);
	client_set_prefix(c);
	peer_drop_input(c->rpc);	/* what followed the request is discarded */
	if (c->refusal != NULL) {
		client_refuse(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT, c->refusal);
		return;
	}
	if (upstream_ready()) {
		client_welcome(c);
		return;
	}
	peer_discard(c->rpc, true);
	client_set_state(c, CLIENT_WAITING);
	if (cfg->upstream_wait <= 0) {
		client_rpc_timeout(c->rpc, c);
		return;
	}
	log_info(c->prefix, "waiting up to %g s for the game's kRPC server", cfg->upstream_wait);
	peer_set_timer(c->rpc, cfg->upstream_wait);
}

/* Messages on a client's RPC connection. */
static void
client_rpc_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	struct client *c = arg;

	if (msg == NULL) {
		if (peer_timed_out(p))
			stats_inc(message_timeouts);
		else if (peer_bad_frame(p))
			stats_inc(clients_dropped);
		client_lost(c, peer_reason(p));
		return;
	}
	if (c->state == CLIENT_HANDSHAKE)
		client_handshake(c, msg, len);
	else if (c->state == CLIENT_READY && !router_request(c, msg, len)) {
		stats_inc(clients_dropped);
		client_lost(c, "malformed request (not a valid Request message); dropping the client");
	}
}

/*
 * The client shut its writing down: a script that sends its last request
 * and closes its side still gets the answers, as from the server, which
 * runs what it read before noticing the end; then the client is closed.
 */
static void
client_rpc_eof(struct peer *p, void *arg)
{
	struct client *c = arg;

	if (c->state != CLIENT_READY || c->nrequests == 0 || router_yielding(c)) {
		/* A yielding call may never end: the server would drop it with the client. */
		client_lost(c, "connection closed by the other side");
		return;
	}
	log_debug(c->prefix, "closed its side: answering its %zu requests first", c->nrequests);
	c->half_closed = true;
}

/* The handshake timed out, or the upstream did not come in time. */
static void
client_rpc_timeout(struct peer *p, void *arg)
{
	struct client *c = arg;
	char msg[512];

	if (c->state == CLIENT_HANDSHAKE) {
		stats_inc(handshake_timeouts);
		client_refuse(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT,
		    client_timeout_text(msg, sizeof msg));
		return;
	}
	if (c->state == CLIENT_WAITING) {
		stats_inc(clients_refused);
		snprintf(msg, sizeof msg, "krpcmuxd: the game's kRPC server is not reachable (%s)",
		    upstream_why_down());
		client_refuse(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT, msg);
	}
}

/* The RPC output drained below the low watermark: requests held back may start. */
static void
client_rpc_drained(struct peer *p, void *arg)
{
	router_pump(arg);	/* it ends with router_events.output: client_check_output() */
}

/*
 * The client has limits.client_requests requests unanswered: its reading
 * stops until answers go out (nothing is refused: its further requests wait
 * in its socket, as they would at a server busy with them).  Said once per
 * client, counted each time.
 */
static void
client_throttled(struct client *c)
{
	stats_inc(clients_throttled);
	if (c->throttle_logged)
		return;
	c->throttle_logged = true;
	log_info(c->prefix, "%zu requests unanswered (limits.client_requests): reading no more "
	    "from it until answers go out", c->nrequests);
}

/*
 * Stops reading a client whose output or request queue (count or bytes) is
 * too long, and resumes once they are short again.  A drain callback is asked for only
 * while the output is above the low mark, so it never fires at once.
 */
void
client_check_output(struct client *c)
{
	size_t out, low = (size_t)cfg->limits_output_low;
	bool over, full;

	if (c->dead || c->state != CLIENT_READY)
		return;
	if (c->half_closed && c->nrequests == 0) {
		client_drop(c, client_stopping ? "the proxy is shutting down (after its answers)" :
		    "connection closed by the other side (after its answers)", true);
		return;
	}
	out = peer_output(c->rpc);
	full = c->nrequests >= (size_t)cfg->limits_client_requests;
	over = out > (size_t)cfg->limits_output_high || full ||
	    c->request_bytes > (size_t)cfg->limits_output_high;
	if (over && !c->paused) {
		log_debug(c->prefix, "backlog (%zu bytes out, %zu requests of %zu bytes in): "
		    "pausing input", out, c->nrequests, c->request_bytes);
		if (full)
			client_throttled(c);
		c->paused = true;
		peer_pause(c->rpc, true);
	} else if (!over && c->paused && out <= low && !client_stopping) {
		c->paused = false;
		peer_pause(c->rpc, false);
	}
	if (c->paused && out > low)
		peer_want_drain(c->rpc, low);
}

/* The client's stream connection: input is ignored; a close drops its streams. */
static void
client_stream_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	struct client *c = arg;

	if (msg != NULL)
		return;
	log_info(c->prefix, "stream connection closed: %s", peer_reason(p));
	peer_close(p, false);
	c->stream = NULL;
	streamtab_client_gone(c);
	fanout_client_gone(c);
	c->fan_blocked = false;
}

/* The client's stream output drained. */
static void
client_stream_drained(struct peer *p, void *arg)
{
	fanout_drained(arg);
}

/* Frees a stream handshake record (deferred). */
static void
client_shake_free(void *ptr)
{
	struct shake *s = ptr;

	free(s->prefix);
	free(s->address);
	free(s->refusal);
	free(s);
}

/* Ends a stream handshake record; the peer is closed unless handed over. */
static void
client_shake_end(struct shake *s, bool close_peer, bool flush)
{
	TAILQ_REMOVE(&shakes, s, link);
	shake_n--;
	if (s->refusal != NULL)
		client_refusing_n--;
	if (close_peer)
		peer_close(s->peer, flush);
	defer_free(client_shake_free, s);
}

/*
 * Whether a stream connection may bind to a client: the client has none
 * (a second would take over its updates; the real server keeps feeding
 * both, which no client relies on), and it comes from the same peer as the
 * client's RPC connection: the same user on a Unix socket, the same address
 * over TCP.  A client that learnt another's identifier cannot take its
 * stream over.  NULL if it may, else why not (for the log).
 */
static const char *
client_stream_refusal(const struct shake *s, const struct client *c)
{
	if (c->stream != NULL)
		return "the client already has a stream connection";
	if (s->transport != c->transport)
		return "it is not on the same kind of socket as the client's RPC connection";
	if (s->transport == PEER_UNIX && (!s->has_cred || !c->has_cred || s->uid != c->uid))
		return "it comes from another user than the client's RPC connection";
	if (s->transport == PEER_TCP && strcmp(s->address, c->address) != 0)
		return "it comes from another address than the client's RPC connection";
	return NULL;
}

/* Binds a stream connection to its client. */
static void
client_bind_stream(struct shake *s, struct client *c)
{
	char name[512];
	struct peer *p = s->peer;
	uint8_t conn_id[16];

	client_shake_end(s, false, false);
	c->stream = p;
	snprintf(name, sizeof name, "%s stream", c->prefix);
	peer_set_name(p, name);
	peer_set_callbacks(p, &client_stream_ops, c);
	peer_set_timer(p, 0);
	peer_set_state(p, PEER_READY);
	/* As the real server answers: the stream connection's own new identifier, not an echo. */
	util_random(conn_id, sizeof conn_id);
	client_respond(p, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK, NULL, conn_id);
	peer_discard(p, true);	/* the stream connection is never read after the handshake */
	log_info(c->prefix, "stream connection bound");
}

/* The stream ConnectionRequest. */
static void
client_shake_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	struct shake *s = arg;
	Krpc__Schema__ConnectionRequest *req;
	struct client *c = NULL;
	const char *refusal = NULL;
	char wrong[256];
	int status = 0;

	if (msg == NULL) {
		client_shake_end(s, true, false);
		return;
	}
	if (s->refusal != NULL) {
		client_respond(p, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT, s->refusal, NULL);
		client_shake_end(s, true, true);
		return;
	}
	if ((req = client_read_request(msg, len, &refusal)) == NULL)
		status = KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE;
	else if (req->type != KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM) {
		status = KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__WRONG_TYPE;
		krpc_handshake_wrong_type(wrong, sizeof wrong, (int)req->type,
		    KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM);
		refusal = wrong;
	} else if (req->client_identifier.len != 16) {
		status = KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__MALFORMED_MESSAGE;
		refusal = krpc_handshake_bad_id;
	} else
		c = htab_get(clients_by_id, req->client_identifier.data, 16);
	if (req != NULL)
		krpc__schema__connection_request__free_unpacked(req, NULL);
	if (refusal != NULL) {
		stats_inc(handshakes_failed);
		log_info(s->prefix, "stream handshake refused: %s", refusal);
		client_respond(p, status, refusal, NULL);
		client_shake_end(s, true, true);
	} else if (c == NULL || c->state != CLIENT_READY) {
		stats_inc(handshakes_failed);
		log_info(s->prefix, "stream handshake for an unknown client id: closing");
		client_shake_end(s, true, false);
	} else if ((refusal = client_stream_refusal(s, c)) != NULL) {
		/* Closed without an answer, as the server treats an identifier it does not know. */
		stats_inc(handshakes_failed);
		stats_inc(streams_refused);
		log_warn(s->prefix, "stream handshake for %s refused: %s", c->prefix, refusal);
		client_shake_end(s, true, false);
	} else {
		peer_drop_input(p);
		client_bind_stream(s, c);
	}
}

/* A stream handshake that never came. */
static void
client_shake_timeout(struct peer *p, void *arg)
{
	struct shake *s = arg;
	char text[128];

	stats_inc(handshakes_failed);
	stats_inc(handshake_timeouts);
	log_info(s->prefix, "stream handshake timed out");
	client_respond(p, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT,
	    s->refusal != NULL ? s->refusal : client_timeout_text(text, sizeof text), NULL);
	client_shake_end(s, true, true);
}

/* The peer's user on a Unix socket; false if unknown. */
static bool
client_peer_uid(int fd, enum peer_transport transport, uid_t *uid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (transport != PEER_UNIX || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return false;
	*uid = cred.uid;
	if (pid != NULL)
		*pid = cred.pid;
	return true;
}

/* Log lines about denied peers, who can connect as often as they like. */
static struct log_rate	 client_log_denied;

/* Whether a peer may connect (access.c): NULL if so, else the refusal (malloc'd), counted. */
static char *
client_denied(int fd, enum peer_transport transport, const char *address)
{
	char text[512];
	const char *why = access_check(cfg->access, fd, transport, address, text, sizeof text);

	if (why == NULL)
		return NULL;
	stats_inc(clients_denied);
	log_rated(&client_log_denied, 1.0, LOG_LEVEL_WARN, NULL, "%s",
	    why + strlen("krpcmuxd: "));
	return xstrdup(why);
}

/* Accepts a stream connection: its handshake names the client. */
static void
client_accept_stream(int fd, enum peer_transport transport, const char *address)
{
	struct shake *s;
	char *denied = NULL;

	if (shake_n >= (size_t)cfg->limits_max_clients ||
	    ((denied = client_denied(fd, transport, address)) != NULL &&
	    client_refusing_n >= CLIENT_REFUSING_MAX)) {
		if (denied == NULL) {
			log_warn(NULL, "too many pending stream connections: refusing one");
			stats_inc(clients_refused);
		}
		free(denied);
		close(fd);
		return;
	}
	s = xcalloc(1, sizeof *s);
	s->transport = transport;
	s->address = xstrdup(address);
	s->has_cred = client_peer_uid(fd, transport, &s->uid, NULL);
	if ((s->refusal = denied) != NULL)
		client_refusing_n++;
	xasprintf(&s->prefix, "stream connection %llu (%s)", (unsigned long long)++client_serial,
	    transport == PEER_UNIX ? "unix" : address);
	s->peer = peer_new(fd, transport, s->prefix, 4096, &client_shake_ops, s);
	peer_set_timer(s->peer, cfg->limits_handshake_timeout);
	TAILQ_INSERT_TAIL(&shakes, s, link);
	shake_n++;
}

/*
 * Why a new RPC connection is refused, if it is (malloc'd): denied by the
 * access lists, over limits.max_clients (or what the descriptors hold), or
 * over limits.clients_per_user.  The client is counted against its user
 * either way (limits_user_leave() at its teardown).
 */
static char *
client_refusal(struct client *c, int fd)
{
	char *denied = client_denied(fd, c->transport, c->address);
	bool user_ok = limits_user_join(c);

	if (denied != NULL)
		return denied;
	if (client_n > limits_max_clients()) {
		stats_inc(clients_refused);
		log_warn(NULL, "%s", limits_clients_refusal() + strlen("krpcmuxd: "));
		return xstrdup(limits_clients_refusal());
	}
	return user_ok ? NULL : limits_user_refusal(c);
}

/* Takes an accepted socket. */
void
client_accept(int fd, enum listen_kind kind, enum peer_transport transport, const char *address)
{
	struct client *c;
	char *refusal;

	if (clients_by_id == NULL)
		clients_by_id = htab_new();
	if (kind == LISTEN_STREAM) {
		client_accept_stream(fd, transport, address);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->serial = ++client_serial;
	c->transport = transport;
	c->address = xstrdup(address);
	c->has_cred = client_peer_uid(fd, transport, &c->uid, &c->pid);
	TAILQ_INIT(&c->requests);
	TAILQ_INIT(&c->subs);
	TAILQ_INIT(&c->pending);
	c->rpc = peer_new(fd, transport, "client", (size_t)cfg->limits_max_message_size,
	    &client_rpc_ops, c);
	peer_count_unread(c->rpc);
	client_set_prefix(c);
	TAILQ_INSERT_TAIL(&clients, c, link);
	client_n++;
	if ((refusal = client_refusal(c, fd)) != NULL && client_refusing_n >= CLIENT_REFUSING_MAX) {
		/* So many refusals under way that this one is not even told. */
		free(refusal);
		client_drop(c, "refused at once: too many refusals under way", false);
		return;
	}
	if ((c->refusal = refusal) != NULL)
		client_refusing_n++;
	peer_set_timer(c->rpc, cfg->limits_handshake_timeout);
	log_debug(c->prefix, "accepted");
}

/* Every client, in connection order (check state == CLIENT_READY). */
const struct client_list *
client_all(void)
{
	return &clients;
}

/* Clients past their handshake. */
size_t
client_count(void)
{
	return client_ready_n;
}

/* The upstream is ready: welcome the clients that waited for it. */
void
client_upstream_ready(void)
{
	struct client *c, *next;

	for (c = TAILQ_FIRST(&clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->state == CLIENT_WAITING && !c->dead)
			client_welcome(c);
	}
}

/*
 * The upstream session ended: reads what each ready client has sent by now,
 * fails that and everything pending with the loss error, and closes it.
 */
void
client_upstream_lost(const char *reason)
{
	struct client *c, *next;
	char desc[512];

	snprintf(desc, sizeof desc, "krpcmuxd: lost the connection to the game's kRPC server (%s)",
	    reason);
	for (c = TAILQ_FIRST(&clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->state != CLIENT_READY || c->dead)
			continue;
		peer_pull(c->rpc);	/* requests sent just now get the error too */
		if (c->dead)
			continue;
		router_fail_all(c, desc);
		client_drop(c, "the upstream session ended", true);
	}
}

/* Shutdown: answers every ready client's pending requests (desc: the error) and closes it. */
void
client_fail_all(const char *desc)
{
	struct client *c, *next;

	for (c = TAILQ_FIRST(&clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->state != CLIENT_READY || c->dead)
			continue;
		log_warn(c->prefix, "shutting down: failing its %zu requests", c->nrequests);
		router_fail_pending(c, desc);
		client_drop(c, "the proxy is shutting down", true);
	}
}

/*
 * Shutdown: no client is read any more (a request sent now gets no answer,
 * as from a server that stopped); each is closed once the requests it sent
 * before are answered and written, like a client that shut its side.
 * Handshakes are refused or closed.
 */
void
client_drain_all(void)
{
	struct client *c, *next;
	struct shake *s;

	client_stopping = true;
	while ((s = TAILQ_FIRST(&shakes)) != NULL)
		client_shake_end(s, true, false);
	for (c = TAILQ_FIRST(&clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->dead)
			continue;
		if (c->state == CLIENT_WAITING)
			client_refuse(c, KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__TIMEOUT,
			    "krpcmuxd: the proxy is shutting down");
		else if (c->state != CLIENT_READY)
			client_drop(c, "the proxy is shutting down", false);
		else {
			if (c->nrequests > 0)
				log_info(c->prefix, "shutting down: answering its %zu requests first",
				    c->nrequests);
			peer_pause(c->rpc, true);
			c->paused = true;
			c->half_closed = true;
			client_check_output(c);
		}
	}
}


/* Closes every client and pending stream connection (shutdown). */
void
client_close_all(void)
{
	struct client *c;
	struct shake *s;

	while ((c = TAILQ_FIRST(&clients)) != NULL)
		client_drop(c, "the proxy is shutting down", true);
	while ((s = TAILQ_FIRST(&shakes)) != NULL)
		client_shake_end(s, true, false);
	htab_free(clients_by_id);
	clients_by_id = NULL;
}
