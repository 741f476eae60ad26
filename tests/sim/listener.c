/*
 * krpc-sim listeners: an RPC/stream pair on TCP (any bind address, port 0
 * for an ephemeral port) or on Unix sockets with the rules of PROTOCOL.md
 * 3.3 (parent directory created, stale sockets replaced, live ones refused,
 * 100-byte limit, files removed on stop; krpc_listen_*() in lib/wire/,
 * shared with krpcmuxd).  Accepted sockets become conns.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "core.h"

struct listener_side {
	listener_t		*l;
	enum conn_kind		 kind;
	struct evconnlistener	*ev;
	char			*path;		/* Unix socket path, removed on free */
	char			 desc[160];	/* "127.0.0.1:50000" or the path */
};

struct listener {
	sim_server_t		*server;
	bool			 is_unix;
	struct listener_side	 side[2];	/* CONN_RPC, CONN_STREAM */
};

/* A new accepted socket. */
static void
listener_accept(struct evconnlistener *ev, evutil_socket_t fd, struct sockaddr *sa, int salen,
    void *arg)
{
	struct listener_side *side = arg;
	char addr[INET6_ADDRSTRLEN] = "?";
	int one = 1;

	evutil_make_socket_nonblocking(fd);
	if (side->l->is_unix) {
		conn_new(side->l->server, fd, side->kind, side->path);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof addr);
	conn_new(side->l->server, fd, side->kind, addr);
}

/* Wraps a listening socket (or reports why there is none); -1 with an error line. */
static int
listener_side_wrap(listener_t *l, struct listener_side *side, int fd, const char *why)
{
	if (fd == -1) {
		fprintf(stderr, "krpc-sim: %s\n", why);
		return -1;
	}
	krpc_listen_label(fd, side->desc, sizeof side->desc);
	evutil_make_socket_nonblocking(fd);
	side->ev = evconnlistener_new(server_base(l->server), listener_accept, side,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (side->ev == NULL) {
		fprintf(stderr, "krpc-sim: cannot listen on %s: %s\n", side->desc, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

/* Binds one TCP listener; -1 with an error line. */
static int
listener_tcp_side(listener_t *l, struct listener_side *side, const char *bind, int port)
{
	char why[300];

	return listener_side_wrap(l, side, krpc_listen_tcp(bind, port, why, sizeof why), why);
}

/* Binds one Unix socket listener; -1 with an error line. */
static int
listener_unix_side(listener_t *l, struct listener_side *side, const char *path)
{
	char why[300];
	bool removed;
	int fd = krpc_listen_unix(path, -1, &removed, why, sizeof why);

	if (fd != -1)
		side->path = util_strdup(path);
	return listener_side_wrap(l, side, fd, why);
}

/* A pair with its sides' back pointers set. */
static listener_t *
listener_alloc(sim_server_t *s, bool is_unix)
{
	listener_t *l = util_calloc(1, sizeof *l);
	int i;

	l->server = s;
	l->is_unix = is_unix;
	for (i = 0; i < 2; i++) {
		l->side[i].l = l;
		l->side[i].kind = i == 0 ? CONN_RPC : CONN_STREAM;
	}
	return l;
}

/* ---- public ---------------------------------------------------------- */

/* Opens the TCP pair; NULL with an error line printed. */
listener_t *
listener_tcp(sim_server_t *s, const char *bind, int rpc_port, int stream_port)
{
	listener_t *l = listener_alloc(s, false);

	if (listener_tcp_side(l, &l->side[0], bind, rpc_port) != 0 ||
	    listener_tcp_side(l, &l->side[1], bind, stream_port) != 0) {
		listener_free(l);
		return NULL;
	}
	return l;
}

/* Opens the Unix socket pair; NULL with an error line printed. */
listener_t *
listener_unix(sim_server_t *s, const char *rpc_path, const char *stream_path)
{
	listener_t *l = listener_alloc(s, true);

	if (strcmp(rpc_path, stream_path) == 0) {
		fprintf(stderr, "krpc-sim: the RPC and stream socket paths must differ\n");
		listener_free(l);
		return NULL;
	}
	if (listener_unix_side(l, &l->side[0], rpc_path) != 0 ||
	    listener_unix_side(l, &l->side[1], stream_path) != 0) {
		listener_free(l);
		return NULL;
	}
	return l;
}

/* "rpc=ADDR stream=ADDR" (static storage). */
const char *
listener_describe(const listener_t *l)
{
	static char out[400];

	snprintf(out, sizeof out, "rpc=%s stream=%s", l->side[0].desc, l->side[1].desc);
	return out;
}

/* Closes the pair and removes its socket files. */
void
listener_free(listener_t *l)
{
	int i;

	if (l == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if (l->side[i].ev != NULL)
			evconnlistener_free(l->side[i].ev);
		if (l->side[i].path != NULL) {
			unlink(l->side[i].path);
			free(l->side[i].path);
		}
	}
	free(l);
}
