/*
 * krpc-sim listeners: an RPC/stream pair on TCP (any bind address, port 0
 * for an ephemeral port) or on Unix sockets with the rules of PROTOCOL.md
 * 3.3 (parent directory created, stale sockets replaced, live ones refused,
 * 100-byte limit, files removed on stop).  Accepted sockets become conns.
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

/* Describes the bound address of a TCP listener ("127.0.0.1:50000"). */
static void
listener_tcp_describe(struct listener_side *side)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (getsockname(evconnlistener_get_fd(side->ev), (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		port = ntohs(s6->sin6_port);
		snprintf(side->desc, sizeof side->desc, "[%s]:%d", host, port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		port = ntohs(s4->sin_port);
		snprintf(side->desc, sizeof side->desc, "%s:%d", host, port);
	}
}

/* Binds one TCP listener; -1 with an error line. */
static int
listener_tcp_side(listener_t *l, struct listener_side *side, const char *bind, int port)
{
	struct addrinfo hints, *res = NULL;
	char service[16];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(service, sizeof service, "%d", port);
	if ((rc = getaddrinfo(bind, service, &hints, &res)) != 0) {
		fprintf(stderr, "krpc-sim: cannot resolve bind address %s: %s\n", bind, gai_strerror(rc));
		return -1;
	}
	side->ev = evconnlistener_new_bind(server_base(l->server), listener_accept, side,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, -1,
	    res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (side->ev == NULL) {
		fprintf(stderr, "krpc-sim: cannot listen on %s port %d: %s\n", bind, port,
		    strerror(errno));
		return -1;
	}
	listener_tcp_describe(side);
	return 0;
}

/* Creates the directories above path that do not exist (mode 0700). */
static int
listener_mkdirs(const char *path)
{
	char *dir = util_strdup(path), *p;
	int rc = 0;

	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "krpc-sim: cannot create directory %s: %s\n", dir, strerror(errno));
			rc = -1;
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

/* Deals with a file already at path (PROTOCOL.md 3.3); -1 with an error line. */
static int
listener_unix_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc, err;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : (fprintf(stderr, "krpc-sim: %s: %s\n", path,
		    strerror(errno)), -1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	err = errno;
	close(fd);
	if (rc == 0) {
		fprintf(stderr, "krpc-sim: another server is listening on %s\n", path);
		return -1;
	}
	if (err != ECONNREFUSED) {
		fprintf(stderr, "krpc-sim: cannot use %s: %s\n", path, strerror(err));
		return -1;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		fprintf(stderr, "krpc-sim: %s is a regular file with content, not a socket\n", path);
		return -1;
	}
	if (unlink(path) != 0) {
		fprintf(stderr, "krpc-sim: cannot remove stale %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Binds one Unix socket listener; -1 with an error line. */
static int
listener_unix_side(listener_t *l, struct listener_side *side, const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) > SIM_UNIX_PATH_MAX || strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "krpc-sim: socket path is longer than %d bytes: %s\n",
		    SIM_UNIX_PATH_MAX, path);
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if (listener_mkdirs(path) != 0 || listener_unix_stale(path, &sun) != 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0 || listen(fd, 128) != 0) {
		fprintf(stderr, "krpc-sim: cannot listen on %s: %s\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	side->path = util_strdup(path);
	snprintf(side->desc, sizeof side->desc, "%s", path);
	side->ev = evconnlistener_new(server_base(l->server), listener_accept, side,
	    LEV_OPT_CLOSE_ON_FREE, 0, fd);
	if (side->ev == NULL) {
		close(fd);
		return -1;
	}
	return 0;
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
