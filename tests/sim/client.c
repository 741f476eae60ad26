/*
 * krpc-sim clients: one per accepted RPC handshake, with its random 16-byte
 * identifier, name, RPC connection, stream connections (each with its own
 * streams) and the request it has yielded.  As on the real server, a second
 * stream connection with the same identifier is accepted and becomes the
 * client's current one (new streams go to it) while the first stays open
 * with its streams; when either closes, the client has no current stream
 * connection until another connects.  A client lives until every
 * connection is gone.
 */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

/* A stream connection and the streams added while it was the current one. */
struct client_sconn {
	conn_t			*conn;
	struct stream_set	*streams;
};

struct sim_client {
	sim_server_t		*server;
	unsigned		 number;
	uint8_t			 id[16];
	char			*name;
	conn_t			*rpc;
	conn_t			*stream;	/* the current stream connection, or NULL */
	struct client_sconn	*sconns;	/* every open stream connection, oldest first */
	size_t			 nsconns;
	struct stream_set	*none;		/* the (empty) streams without a current one */
	struct rpc_req		*pending;	/* yielded request, resumed each update */
};

/* Fills id with random bytes (getrandom, else /dev/urandom). */
void
client_random(uint8_t *id, size_t len)
{
	ssize_t n;
	int fd;

	do
		n = getrandom(id, len, 0);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)len)
		return;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, id, len);
		close(fd);
		if (n == (ssize_t)len)
			return;
	}
	fputs("krpc-sim: no source of random client identifiers\n", stderr);
	abort();
}

/* A new client for an RPC connection that completed its handshake. */
sim_client_t *
client_new(sim_server_t *s, conn_t *rpc, const char *name, size_t namelen)
{
	static unsigned next = 1;
	sim_client_t *c = util_calloc(1, sizeof *c);

	c->server = s;
	c->number = next++;
	do
		client_random(c->id, sizeof c->id);
	while (server_find_client(s, c->id) != NULL);
	c->name = util_strndup(name ? name : "", name ? namelen : 0);
	c->rpc = rpc;
	c->none = stream_set_new();
	conn_set_client(rpc, c);
	server_add_client(s, c);
	return c;
}

/* Frees a client (its connections must be gone or freed separately). */
void
client_free(sim_client_t *c)
{
	if (c == NULL)
		return;
	rpc_req_free(c->pending);
	while (c->nsconns > 0)
		stream_set_free(c->sconns[--c->nsconns].streams);
	free(c->sconns);
	stream_set_free(c->none);
	free(c->name);
	free(c);
}

/* The client's number in logs. */
unsigned
client_number(const sim_client_t *c)
{
	return c->number;
}

/* The RPC connection, NULL once closed. */
conn_t *
client_rpc(const sim_client_t *c)
{
	return c->rpc;
}

/* The stream connection, or NULL. */
conn_t *
client_stream(const sim_client_t *c)
{
	return c->stream;
}

/* Binds a stream connection, which becomes the current one; earlier ones stay open. */
void
client_attach_stream(sim_client_t *c, conn_t *stream)
{
	c->sconns = util_reallocarray(c->sconns, c->nsconns + 1, sizeof *c->sconns);
	c->sconns[c->nsconns].conn = stream;
	c->sconns[c->nsconns++].streams = stream_set_new();
	c->stream = stream;
	conn_set_client(stream, c);
}

/* A connection of the client closed: drop what depended on it. */
void
client_conn_lost(sim_client_t *c, conn_t *conn)
{
	size_t i;

	if (conn == c->rpc) {
		c->rpc = NULL;
		rpc_req_free(c->pending);	/* the request is dropped; side effects stay */
		c->pending = NULL;
		server_client_rpc_lost(c->server, c);
		svc_test_state_client_gone(c->server, c->id);
		services_client_gone(c->server, c);	/* what the game releases */
	}
	for (i = 0; i < c->nsconns; i++) {
		if (c->sconns[i].conn != conn)
			continue;
		stream_set_free(c->sconns[i].streams);	/* its streams go with it */
		memmove(&c->sconns[i], &c->sconns[i + 1], (c->nsconns - i - 1) * sizeof *c->sconns);
		c->nsconns--;
		c->stream = NULL;	/* the server forgets the client's stream connection */
		break;
	}
	server_reap_later(c->server);
}

/* True once every connection is gone. */
bool
client_gone(const sim_client_t *c)
{
	return c->rpc == NULL && c->nsconns == 0;
}

/* The streams of the current stream connection (an empty set without one). */
struct stream_set *
client_streams(sim_client_t *c)
{
	size_t i;

	for (i = 0; c->stream != NULL && i < c->nsconns; i++) {
		if (c->sconns[i].conn == c->stream)
			return c->sconns[i].streams;
	}
	return c->none;
}

/* The number of open stream connections. */
size_t
client_nsconns(const sim_client_t *c)
{
	return c->nsconns;
}

/* Stream connection i (oldest first) and its streams. */
conn_t *
client_sconn(const sim_client_t *c, size_t i, struct stream_set **streams)
{
	*streams = c->sconns[i].streams;
	return c->sconns[i].conn;
}

/* The yielded request being resumed each update, or NULL. */
struct rpc_req *
client_pending(const sim_client_t *c)
{
	return c->pending;
}

/* Sets (or clears) the yielded request. */
void
client_set_pending(sim_client_t *c, struct rpc_req *r)
{
	c->pending = r;
}

/* ---- the sim.h API --------------------------------------------------- */

/* The client's 16-byte identifier. */
const uint8_t *
sim_client_id(const sim_client_t *c)
{
	return c->id;
}

/* The client_name of its handshake. */
const char *
sim_client_name(const sim_client_t *c)
{
	return c->name;
}
