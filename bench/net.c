/*
 * Blocking kRPC connections for the benchmark clients, straight on the wire
 * codec: one socket and one framer each, requests built once and re-sent,
 * responses parsed by hand so a timed call costs little besides its syscalls.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define NET_FRAME_MAX	(64u << 20)

struct net_conn {
	int		 fd;
	krpc_framer_t	*framer;
};

/* Connects a TCP socket to 127.0.0.1:port; -1 on failure. */
static int
net_tcp(int port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		fprintf(stderr, "krpcmux-bench: connect 127.0.0.1:%d: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Connects a Unix socket; -1 on failure. */
static int
net_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof sun.sun_path)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "krpcmux-bench: connect %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Copies an Error's description into why. */
static void
net_error_text(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;

	snprintf(why, whylen, "error (no description)");
	while (krpc_pbr_next(&r, &f) == 1) {
		if (f.number == 3 && f.wire == KRPC_WIRE_LEN)
			snprintf(why, whylen, "%.*s", (int)f.len, (const char *)f.data);
	}
}

/* Connects the RPC or stream socket of a target. */
struct net_conn *
net_open(const struct target *t, bool stream)
{
	struct timeval tv = { NET_TIMEOUT, 0 };
	struct net_conn *c;
	int fd;

	if (t->rpc_port > 0)
		fd = net_tcp(stream ? t->stream_port : t->rpc_port);
	else
		fd = net_unix(stream ? t->stream_path : t->rpc_path);
	if (fd == -1)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if ((c = calloc(1, sizeof *c)) == NULL || (c->framer = krpc_framer_new(NET_FRAME_MAX)) == NULL) {
		free(c);
		close(fd);
		return NULL;
	}
	c->fd = fd;
	return c;
}

/* Closes and frees. */
void
net_close(struct net_conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	krpc_framer_free(c->framer);
	free(c);
}

/* The socket. */
int
net_fd(const struct net_conn *c)
{
	return c->fd;
}

/* Writes all the bytes. */
int
net_send(struct net_conn *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	ssize_t n;

	while (len > 0) {
		if ((n = send(c->fd, p, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "krpcmux-bench: send: %s\n", strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The next frame already buffered. */
int
net_next(struct net_conn *c, const uint8_t **body, size_t *len)
{
	krpc_frame_rc_t rc = krpc_framer_next(c->framer, body, len);

	if (rc == KRPC_FRAME_OK)
		return 1;
	if (rc == KRPC_FRAME_NEED_MORE)
		return 0;
	fprintf(stderr, "krpcmux-bench: bad frame: %s\n", krpc_frame_rc_str(rc));
	return -1;
}

/* Reads what the socket holds. */
int
net_fill(struct net_conn *c)
{
	uint8_t buf[65536];
	ssize_t n;

	for (;;) {
		n = read(c->fd, buf, sizeof buf);
		if (n > 0)
			return krpc_framer_feed(c->framer, buf, (size_t)n) ? (int)n : -1;
		if (n == 0)
			return -1;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
}

/* Reads one whole frame, blocking. */
int
net_recv(struct net_conn *c, const uint8_t **body, size_t *len)
{
	int rc, n;

	while ((rc = net_next(c, body, len)) == 0) {
		if ((n = net_fill(c)) == 0) {
			fprintf(stderr, "krpcmux-bench: no answer within %d s\n", NET_TIMEOUT);
			return -1;
		}
		if (n < 0) {
			fprintf(stderr, "krpcmux-bench: connection closed\n");
			return -1;
		}
	}
	return rc;
}

/* Makes the socket non-blocking. */
int
net_nonblock(struct net_conn *c)
{
	int fl = fcntl(c->fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(c->fd, F_SETFL, fl | O_NONBLOCK);
}

/* Appends a framed ConnectionRequest. */
void
net_hello(krpc_buf_t *out, bool stream, const char *name, const uint8_t *id)
{
	Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;

	req.type = stream ? KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM :
	    KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC;
	req.client_name = (char *)(name != NULL ? name : "");
	if (id != NULL) {
		req.client_identifier.data = (uint8_t *)id;
		req.client_identifier.len = 16;
	}
	krpc_frame_pack(out, &req.base);
}

/* Reads the ConnectionResponse. */
int
net_hello_reply(struct net_conn *c, uint8_t id[16])
{
	Krpc__Schema__ConnectionResponse *r;
	const uint8_t *body;
	size_t len;
	int rc = -1;

	if (net_recv(c, &body, &len) != 1)
		return -1;
	if ((r = krpc__schema__connection_response__unpack(NULL, len, body)) == NULL) {
		fprintf(stderr, "krpcmux-bench: bad ConnectionResponse\n");
		return -1;
	}
	if (r->status != KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK)
		fprintf(stderr, "krpcmux-bench: handshake refused: %s\n", r->message);
	else if (r->client_identifier.len != 16)
		fprintf(stderr, "krpcmux-bench: client identifier of %zu bytes\n",
		    r->client_identifier.len);
	else {
		memcpy(id, r->client_identifier.data, 16);
		rc = 0;
	}
	krpc__schema__connection_response__free_unpacked(r, NULL);
	return rc;
}

/* An RPC connection to a target, handshake done. */
struct net_conn *
net_client(const struct target *t, const char *name)
{
	krpc_buf_t hello = KRPC_BUF_INIT;
	struct net_conn *c;
	uint8_t id[16];
	int rc;

	if ((c = net_open(t, false)) == NULL)
		return NULL;
	net_hello(&hello, false, name, NULL);
	rc = krpc_buf_ok(&hello) ? net_send(c, hello.data, hello.len) : -1;
	krpc_buf_free(&hello);
	if (rc != 0 || net_hello_reply(c, id) != 0) {
		net_close(c);
		return NULL;
	}
	return c;
}

/* Appends a framed one-call Request. */
void
net_request(krpc_buf_t *out, const char *service, const char *procedure,
    const krpc_msg_arg_t *args, size_t nargs)
{
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT;

	krpc_msg_call(&call, service, procedure, args, nargs);
	krpc_msg_request_add(&req, call.data, call.len);
	krpc_frame_append(out, req.data, req.len);
	if (!krpc_buf_ok(&call) || !krpc_buf_ok(&req))
		out->failed = true;
	krpc_buf_free(&call);
	krpc_buf_free(&req);
}

/* Reads a ProcedureResult's value, or its error. */
int
net_value(const uint8_t *p, size_t len, const uint8_t **value, size_t *vlen,
    char *why, size_t whylen)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	int rc;

	*value = NULL;
	*vlen = 0;
	while ((rc = krpc_pbr_next(&r, &f)) == 1) {
		if (f.wire != KRPC_WIRE_LEN)
			continue;
		if (f.number == 1) {
			net_error_text(f.data, f.len, why, whylen);
			return -1;
		}
		if (f.number == 2) {
			*value = f.data;
			*vlen = f.len;
		}
	}
	if (rc < 0)
		snprintf(why, whylen, "malformed ProcedureResult");
	return rc;
}

/* Reads a Response to a one-call request. */
int
net_result(const uint8_t *p, size_t len, const uint8_t **value, size_t *vlen, char *why,
    size_t whylen)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	int rc;

	while ((rc = krpc_pbr_next(&r, &f)) == 1) {
		if (f.wire != KRPC_WIRE_LEN)
			continue;
		if (f.number == 1) {
			net_error_text(f.data, f.len, why, whylen);
			return -1;
		}
		if (f.number == 2)
			return net_value(f.data, f.len, value, vlen, why, whylen);
	}
	snprintf(why, whylen, rc < 0 ? "malformed Response" : "Response without a result");
	return -1;
}

/* Sends a request and reads its result. */
int
net_call(struct net_conn *c, const krpc_buf_t *req, const uint8_t **value, size_t *vlen,
    char *why, size_t whylen)
{
	const uint8_t *body;
	size_t len;

	if (net_send(c, req->data, req->len) != 0 || net_recv(c, &body, &len) != 1) {
		snprintf(why, whylen, "no response");
		return -1;
	}
	return net_result(body, len, value, vlen, why, whylen);
}
