/*
 * krpc-sim connections: the one abstraction over a socket.  Owns the
 * bufferevent, counts bytes both ways, hands out whole frames when the update
 * loop asks (requests wait in the input buffer: that is the request queue),
 * writes whole frames, and moves through explicit states with logging.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "core.h"

struct conn {
	sim_server_t		*server;
	struct bufferevent	*bev;
	enum conn_kind		 kind;
	enum conn_state		 state;
	unsigned		 number;
	char			*addr;
	double			 since;
	sim_client_t		*client;
	size_t			 high;		/* current read high-water mark */
};

static const char *const conn_state_names[] = {
	"handshake", "ready", "closing", "dead",
};

/* Counts bytes arriving in the input buffer. */
static void
conn_count_in(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	conn_t *c = arg;

	if (info->n_added > 0)
		server_count_read(c->server, info->n_added);
}

/* Counts bytes leaving the output buffer for the socket. */
static void
conn_count_out(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	conn_t *c = arg;

	if (info->n_deleted > 0)
		server_count_written(c->server, info->n_deleted);
}

/* Input arrived. */
static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	conn_t *c = arg;

	if (c->state == CONN_READY && c->kind == CONN_RPC) {
		server_rpc_arrived(c->server);
		return;
	}
	if (c->state != CONN_HANDSHAKE)
		conn_discard_input(c);	/* stream connections are never read after the handshake */
}

/* Output drained: a closing connection is done. */
static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	conn_t *c = arg;

	if (c->state == CONN_CLOSING)
		conn_set_state(c, CONN_DEAD, "closed after its last message");
}

/* End of file or a socket error. */
static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	conn_t *c = arg;

	if (what & BEV_EVENT_EOF)
		conn_close(c, false, "closed by the peer");
	else if (what & BEV_EVENT_ERROR)
		conn_close(c, false, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* Sets the read high-water mark. */
static void
conn_set_high(conn_t *c, size_t high)
{
	if (c->high == high)
		return;
	c->high = high;
	bufferevent_setwatermark(c->bev, EV_READ, 0, high);
}

/*
 * Moves bytes between the socket and a buffer at once, as the real server
 * does (it asks the socket whether a request is there, and its writes
 * block): reads what the socket holds into the input, or writes what the
 * output holds.  libevent's bufferevent keeps the input's end and the
 * output's front for itself; they are unfrozen for the moment, as its own
 * callbacks do.  The event loop still sees the end of the stream and writes
 * what the socket does not take now.
 */
static void
conn_io_now(conn_t *c, bool write)
{
	evutil_socket_t fd = bufferevent_getfd(c->bev);
	struct evbuffer *b = write ? bufferevent_get_output(c->bev) : bufferevent_get_input(c->bev);

	if (fd < 0)
		return;
	evbuffer_unfreeze(b, write);
	if (write)
		(void)evbuffer_write(b, fd);
	while (!write && evbuffer_get_length(b) < c->high && evbuffer_read(b, fd, 65536) > 0)
		continue;
	evbuffer_freeze(b, write);
}

/* ---- public ---------------------------------------------------------- */

/* A connection on an accepted socket; NULL (socket closed) on failure. */
conn_t *
conn_new(sim_server_t *s, int fd, enum conn_kind kind, const char *addr)
{
	static unsigned next = 1;
	conn_t *c = util_calloc(1, sizeof *c);

	c->bev = bufferevent_socket_new(server_base(s), fd,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		free(c);
		return NULL;
	}
	c->server = s;
	c->kind = kind;
	c->state = CONN_HANDSHAKE;
	c->number = next++;
	c->addr = util_strdup(addr);
	c->since = krpc_time_now();
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	evbuffer_add_cb(bufferevent_get_input(c->bev), conn_count_in, c);
	evbuffer_add_cb(bufferevent_get_output(c->bev), conn_count_out, c);
	conn_set_high(c, SIM_READ_HIGH);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	server_log(s, "connection %u (%s, %s): accepted", c->number,
	    kind == CONN_RPC ? "rpc" : "stream", c->addr);
	server_add_conn(s, c);
	return c;
}

/* Frees a connection (closing its socket). */
void
conn_free(conn_t *c)
{
	if (c == NULL)
		return;
	if (c->client != NULL)
		client_conn_lost(c->client, c);
	evbuffer_remove_cb(bufferevent_get_input(c->bev), conn_count_in, c);
	evbuffer_remove_cb(bufferevent_get_output(c->bev), conn_count_out, c);
	bufferevent_free(c->bev);
	free(c->addr);
	free(c);
}

/* RPC or stream connection. */
enum conn_kind
conn_kind(const conn_t *c)
{
	return c->kind;
}

/* The connection's state. */
enum conn_state
conn_state(const conn_t *c)
{
	return c->state;
}

/* Changes state, logging why; a dead connection leaves its client. */
void
conn_set_state(conn_t *c, enum conn_state st, const char *why)
{
	sim_client_t *client = c->client;

	if (c->state == st || c->state == CONN_DEAD)
		return;
	server_log(c->server, "connection %u (%s, %s): %s -> %s%s%s", c->number,
	    c->kind == CONN_RPC ? "rpc" : "stream", c->addr, conn_state_names[c->state],
	    conn_state_names[st], why ? ": " : "", why ? why : "");
	c->state = st;
	if (st != CONN_DEAD)
		return;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	c->client = NULL;
	if (client != NULL)
		client_conn_lost(client, c);
	server_reap_later(c->server);
}

/* The connection's number in logs. */
unsigned
conn_number(const conn_t *c)
{
	return c->number;
}

/* The peer IP address, or the socket path. */
const char *
conn_addr(const conn_t *c)
{
	return c->addr;
}

/* When the connection was accepted. */
double
conn_since(const conn_t *c)
{
	return c->since;
}

/* The client the connection belongs to, or NULL. */
sim_client_t *
conn_client(const conn_t *c)
{
	return c->client;
}

/* Binds the connection to a client (NULL: unbinds). */
void
conn_set_client(conn_t *c, sim_client_t *client)
{
	c->client = client;
}

/* Takes the next whole message from the input (body malloc'd). */
enum conn_frame
conn_take(conn_t *c, uint8_t **body, size_t *len)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t avail, blen, plen, head;
	const uint8_t *p;

	conn_io_now(c, false);
	if ((avail = evbuffer_get_length(in)) == 0)
		return CONN_FRAME_NONE;
	head = avail < KRPC_FRAME_PREFIX_MAX ? avail : KRPC_FRAME_PREFIX_MAX;
	if ((p = evbuffer_pullup(in, (ssize_t)head)) == NULL)
		return CONN_FRAME_NONE;
	switch (krpc_frame_prefix(p, head, SIM_FRAME_MAX, &blen, &plen)) {
	case KRPC_FRAME_OK:
		break;
	case KRPC_FRAME_NEED_MORE:
		return CONN_FRAME_NONE;
	default:
		return CONN_FRAME_BAD;
	}
	if (avail < plen + blen) {
		/* let a message larger than the usual buffer arrive whole */
		conn_set_high(c, plen + blen > SIM_READ_HIGH ? plen + blen : SIM_READ_HIGH);
		return CONN_FRAME_NONE;
	}
	*body = util_calloc(1, blen + 1);
	evbuffer_drain(in, plen);
	evbuffer_remove(in, *body, blen);
	*len = blen;
	conn_set_high(c, SIM_READ_HIGH);
	return CONN_FRAME_OK;
}

/* Throws away everything received so far. */
void
conn_discard_input(conn_t *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	evbuffer_drain(in, evbuffer_get_length(in));
}

/* Writes one frame (prefix and body together). */
void
conn_send(conn_t *c, const void *body, size_t len)
{
	krpc_buf_t b = KRPC_BUF_INIT;

	if (c->state != CONN_READY && c->state != CONN_HANDSHAKE)
		return;
	krpc_frame_append(&b, body, len);
	if (krpc_buf_ok(&b)) {
		bufferevent_write(c->bev, b.data, b.len);
		conn_io_now(c, true);
	}
	krpc_buf_free(&b);
}

/* Writes one protobuf message as a frame. */
void
conn_send_msg(conn_t *c, const ProtobufCMessage *m)
{
	krpc_buf_t b = KRPC_BUF_INIT;

	if (c->state != CONN_READY && c->state != CONN_HANDSHAKE)
		return;
	krpc_frame_pack(&b, m);
	if (krpc_buf_ok(&b)) {
		bufferevent_write(c->bev, b.data, b.len);
		conn_io_now(c, true);
	}
	krpc_buf_free(&b);
}

/* Closes: at once, or (flush) once what was written has gone out. */
void
conn_close(conn_t *c, bool flush, const char *why)
{
	if (c->state == CONN_DEAD)
		return;
	if (flush && evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
		bufferevent_disable(c->bev, EV_READ);
		conn_set_state(c, CONN_CLOSING, why);
		return;
	}
	conn_set_state(c, CONN_DEAD, why);
}

/* True while more than SIM_WRITE_HIGH bytes wait to be sent. */
bool
conn_backlogged(const conn_t *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev)) > SIM_WRITE_HIGH;
}
