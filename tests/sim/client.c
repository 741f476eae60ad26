/*
 * krpc-sim clients: one per accepted RPC handshake, with its random 16-byte
 * identifier, name, RPC connection, optional stream connection, streams and
 * the request it has yielded.  A client lives until both connections are gone.
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

struct sim_client {
	sim_server_t		*server;
	unsigned		 number;
	uint8_t			 id[16];
	char			*name;
	conn_t			*rpc;
	conn_t			*stream;
	struct stream_set	*streams;
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
	c->streams = stream_set_new();
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
	stream_set_free(c->streams);
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

/* Binds a stream connection; a second one replaces the first, which is closed. */
void
client_attach_stream(sim_client_t *c, conn_t *stream)
{
	conn_t *old = c->stream;

	c->stream = stream;
	conn_set_client(stream, c);
	if (old != NULL) {
		conn_set_client(old, NULL);
		conn_close(old, false, "replaced by a new stream connection");
	}
}

/* A connection of the client closed: drop what depended on it. */
void
client_conn_lost(sim_client_t *c, conn_t *conn)
{
	if (conn == c->rpc) {
		c->rpc = NULL;
		rpc_req_free(c->pending);	/* the request is dropped; side effects stay */
		c->pending = NULL;
		svc_test_state_client_gone(c->server, c->id);
		services_client_gone(c->server, c);	/* what the game releases */
	}
	if (conn == c->stream) {
		c->stream = NULL;
		stream_set_free(c->streams);	/* a client's streams go with its stream connection */
		c->streams = stream_set_new();
	}
	server_reap_later(c->server);
}

/* True once both connections are gone. */
bool
client_gone(const sim_client_t *c)
{
	return c->rpc == NULL && c->stream == NULL;
}

/* The client's streams and events. */
struct stream_set *
client_streams(sim_client_t *c)
{
	return c->streams;
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
