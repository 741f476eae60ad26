/*
 * One blocking client socket (TCP or Unix) speaking framed kRPC messages:
 * connecting with a time limit, handshakes, whole-frame writes and
 * deadline-bounded reads.  The library's only socket code.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define CONN_READ_CHUNK	65536

struct krpc_conn {
	int		 fd;
	krpc_framer_t	*framer;
	char		 peer[128];	/* for error messages */
};

static const char *const conn_status_names[] = {
	"OK", "MALFORMED_MESSAGE", "TIMEOUT", "WRONG_TYPE",
};

/* A connection object around a connected socket. */
static krpc_conn_t *
conn_new(int fd, const char *peer)
{
	krpc_conn_t *conn = calloc(1, sizeof *conn);

	if (conn == NULL || (conn->framer = krpc_framer_new(KRPC_MSG_MAX)) == NULL) {
		free(conn);
		return NULL;
	}
	conn->fd = fd;
	snprintf(conn->peer, sizeof conn->peer, "%s", peer);
	return conn;
}

/* Connects fd to addr, waiting at most until deadline; 0 or an errno. */
static int
conn_connect_fd(int fd, const struct sockaddr *addr, socklen_t len, double deadline)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	int flags, err = 0, n;
	socklen_t elen = sizeof err;

	if ((flags = fcntl(fd, F_GETFL)) == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return errno;
	if (connect(fd, addr, len) == -1) {
		if (errno != EINPROGRESS && errno != EAGAIN)
			return errno;
		do
			n = poll(&pfd, 1, krpc_time_poll_ms(deadline));
		while (n == -1 && errno == EINTR);
		if (n == -1)
			return errno;
		if (n == 0)
			return ETIMEDOUT;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
			return errno;
		if (err != 0)
			return err;
	}
	if (fcntl(fd, F_SETFL, flags) == -1)
		return errno;
	return 0;
}

/* Connects to one resolved TCP address. */
static int
conn_try_addr(const struct addrinfo *ai, double deadline, int *fdp)
{
	int fd, one = 1, err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return errno;
	if ((err = conn_connect_fd(fd, ai->ai_addr, ai->ai_addrlen, deadline)) != 0) {
		close(fd);
		return err;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	*fdp = fd;
	return 0;
}

/* Connects over TCP. */
krpc_code_t
krpc_conn_tcp(const char *address, int port, double timeout, krpc_conn_t **out)
{
	struct addrinfo hints, *res = NULL, *ai;
	double deadline = krpc_time_deadline(timeout);
	char service[16], peer[128];
	int fd = -1, err = ECONNREFUSED, gai;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof service, "%d", port);
	snprintf(peer, sizeof peer, "%s port %d", address, port);
	if ((gai = getaddrinfo(address, service, &hints, &res)) != 0)
		return krpc_error_set(KRPC_ERR_IO, "cannot resolve %s: %s", address, gai_strerror(gai));
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		err = conn_try_addr(ai, deadline, &fd);
	freeaddrinfo(res);
	if (fd == -1) {
		if (err == ETIMEDOUT)
			return krpc_error_set(KRPC_ERR_TIMEOUT, "connecting to %s timed out", peer);
		return krpc_error_set(KRPC_ERR_IO, "cannot connect to %s: %s", peer, strerror(err));
	}
	if ((*out = conn_new(fd, peer)) == NULL) {
		close(fd);
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	}
	return KRPC_OK;
}

/* Connects to a Unix socket. */
krpc_code_t
krpc_conn_unix(const char *path, double timeout, krpc_conn_t **out)
{
	struct sockaddr_un sun;
	int fd, err;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return krpc_error_set(KRPC_ERR_ARG, "socket path too long: %s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return krpc_error_set(KRPC_ERR_IO, "socket: %s", strerror(errno));
	err = conn_connect_fd(fd, (struct sockaddr *)&sun, sizeof sun, krpc_time_deadline(timeout));
	if (err != 0) {
		close(fd);
		if (err == ETIMEDOUT)
			return krpc_error_set(KRPC_ERR_TIMEOUT, "connecting to %s timed out", path);
		return krpc_error_set(KRPC_ERR_IO, "cannot connect to %s: %s", path, strerror(err));
	}
	if ((*out = conn_new(fd, path)) == NULL) {
		close(fd);
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	}
	return KRPC_OK;
}

/* Writes one whole frame. */
krpc_code_t
krpc_conn_send(krpc_conn_t *conn, const void *body, size_t len)
{
	krpc_buf_t frame = KRPC_BUF_INIT;
	size_t off = 0;
	ssize_t n;

	krpc_frame_append(&frame, body, len);
	if (!krpc_buf_ok(&frame)) {
		krpc_buf_free(&frame);
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	}
	while (off < frame.len) {
		n = send(conn->fd, frame.data + off, frame.len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			krpc_buf_free(&frame);
			return krpc_error_set(KRPC_ERR_IO, "write to %s failed: %s", conn->peer,
			    n == 0 ? "nothing written" : strerror(errno));
		}
		off += (size_t)n;
	}
	krpc_buf_free(&frame);
	return KRPC_OK;
}

/* Reads more bytes into the framer, waiting until the deadline. */
static krpc_code_t
conn_fill(krpc_conn_t *conn, double deadline)
{
	struct pollfd pfd = { conn->fd, POLLIN, 0 };
	uint8_t chunk[CONN_READ_CHUNK];
	ssize_t n;
	int rc;

	do
		rc = poll(&pfd, 1, krpc_time_poll_ms(deadline));
	while (rc == -1 && errno == EINTR);
	if (rc == -1)
		return krpc_error_set(KRPC_ERR_IO, "poll: %s", strerror(errno));
	if (rc == 0)
		return krpc_error_set(KRPC_ERR_TIMEOUT, "no answer from %s in time", conn->peer);
	do
		n = recv(conn->fd, chunk, sizeof chunk, 0);
	while (n == -1 && errno == EINTR);
	if (n == 0)
		return krpc_error_set(KRPC_ERR_IO, "connection to %s closed by the server", conn->peer);
	if (n < 0)
		return krpc_error_set(KRPC_ERR_IO, "read from %s failed: %s", conn->peer, strerror(errno));
	if (!krpc_framer_feed(conn->framer, chunk, (size_t)n))
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	return KRPC_OK;
}

/* Reads the next frame. */
krpc_code_t
krpc_conn_recv(krpc_conn_t *conn, double deadline, const uint8_t **body, size_t *len)
{
	krpc_frame_rc_t frc;
	krpc_code_t rc;

	for (;;) {
		frc = krpc_framer_next(conn->framer, body, len);
		if (frc == KRPC_FRAME_OK)
			return KRPC_OK;
		if (frc != KRPC_FRAME_NEED_MORE)
			return krpc_error_set(KRPC_ERR_PROTOCOL, "bad frame from %s: %s", conn->peer,
			    krpc_frame_rc_str(frc));
		if ((rc = conn_fill(conn, deadline)) != KRPC_OK)
			return rc;
	}
}

/* Interprets a ConnectionResponse. */
static krpc_code_t
conn_handshake_answer(krpc_conn_t *conn, const uint8_t *body, size_t len, uint8_t out_id[16])
{
	Krpc__Schema__ConnectionResponse *resp;
	krpc_code_t rc = KRPC_OK;
	unsigned status;

	resp = krpc__schema__connection_response__unpack(NULL, len, body);
	if (resp == NULL)
		return krpc_error_set(KRPC_ERR_PROTOCOL, "malformed ConnectionResponse from %s", conn->peer);
	status = (unsigned)resp->status;
	if (status != KRPC__SCHEMA__CONNECTION_RESPONSE__STATUS__OK)
		rc = krpc_proxy_refusal(status < 4 ? conn_status_names[status] : "UNKNOWN",
		    resp->message ? resp->message : "");
	else if (resp->client_identifier.len != 16)
		rc = krpc_error_set(KRPC_ERR_PROTOCOL, "%s sent a %zu-byte client identifier",
		    conn->peer, resp->client_identifier.len);
	else
		memcpy(out_id, resp->client_identifier.data, 16);
	krpc__schema__connection_response__free_unpacked(resp, NULL);
	return rc;
}

/* Runs a handshake. */
krpc_code_t
krpc_conn_handshake(krpc_conn_t *conn, int type, const char *name, const uint8_t *id,
    double timeout, uint8_t out_id[16])
{
	Krpc__Schema__ConnectionRequest req = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	krpc_buf_t body = KRPC_BUF_INIT;
	const uint8_t *ans;
	size_t anslen;
	krpc_code_t rc;

	req.type = (Krpc__Schema__ConnectionRequest__Type)type;
	req.client_name = (char *)(name != NULL ? name : "");
	if (id != NULL) {
		req.client_identifier.data = (uint8_t *)id;
		req.client_identifier.len = 16;
	}
	if (!krpc_buf_reserve(&body, krpc__schema__connection_request__get_packed_size(&req)))
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	body.len = krpc__schema__connection_request__pack(&req, body.data);
	rc = krpc_conn_send(conn, body.data, body.len);
	krpc_buf_free(&body);
	if (rc != KRPC_OK)
		return rc;
	rc = krpc_conn_recv(conn, krpc_time_deadline(timeout), &ans, &anslen);
	if (rc == KRPC_ERR_IO)
		return krpc_error_set(KRPC_ERR_HANDSHAKE,
		    "%s closed the connection without answering the %s handshake", conn->peer,
		    type == 0 ? "RPC" : "stream");
	if (rc != KRPC_OK)
		return rc;
	return conn_handshake_answer(conn, ans, anslen, out_id);
}

/* Wakes threads blocked on the socket. */
void
krpc_conn_shutdown(krpc_conn_t *conn)
{
	if (conn != NULL)
		shutdown(conn->fd, SHUT_RDWR);
}

/* Closes the socket and frees the connection. */
void
krpc_conn_free(krpc_conn_t *conn)
{
	if (conn == NULL)
		return;
	close(conn->fd);
	krpc_framer_free(conn->framer);
	free(conn);
}
