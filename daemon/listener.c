/*
 * Downstream listening sockets: Unix RPC and stream sockets handled like a
 * kRPC server handles its local sockets (PROTOCOL.md 3.3), optional TCP
 * ports, or sockets handed over by systemd.  Accepted sockets go to client.c.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "krpcmuxd.h"

#define LISTENER_MAX	8
/* How long accepting stops when the process is out of descriptors. */
#define LISTENER_PAUSE	1.0

struct listener {
	struct evconnlistener	*evl;
	enum listen_kind	 kind;
	enum peer_transport	 transport;
	char			*path;		/* Unix: the socket file */
	bool			 owned;		/* we created the file: remove it at exit */
	dev_t			 dev;		/* owned: the file we created (unlinked only if */
	ino_t			 ino;		/* it is still there, never another's) */
	char			 label[160];	/* path or address:port, for the ready line */
};

static struct listener	*listeners[LISTENER_MAX];
static size_t		 nlisteners;
static struct event	*listener_resume;	/* ends a pause after EMFILE */

/* Accepts a connection and hands it to client.c. */
static void
listener_accept_cb(struct evconnlistener *evl, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct listener *l = arg;
	char ip[INET6_ADDRSTRLEN] = "";
	const char *address = ip;

	if (l->transport == PEER_UNIX)
		address = listener_rpc_path() != NULL ? listener_rpc_path() : l->label;
	else if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, ip, sizeof ip);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof ip);
	client_accept(fd, l->kind, l->transport, address);
}

/* The pause after running out of descriptors is over. */
static void
listener_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	listener_pause(false);
}

/*
 * accept() failed.  Out of descriptors (or memory), the pending connection
 * stays in the backlog and the socket stays readable: accepting stops for
 * a while instead of spinning (one log line per pause).
 */
static void
listener_error_cb(struct evconnlistener *evl, void *arg)
{
	struct listener *l = arg;
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv = util_timeval(LISTENER_PAUSE);

	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) {
		log_warn(NULL, "accept on %s: %s", l->label, evutil_socket_error_to_string(err));
		return;
	}
	log_warn(NULL, "accept on %s: %s; not accepting for %g s", l->label,
	    evutil_socket_error_to_string(err), LISTENER_PAUSE);
	listener_pause(true);
	if (listener_resume == NULL &&
	    (listener_resume = evtimer_new(ev_base, listener_resume_cb, NULL)) == NULL)
		log_fatal("cannot create a timer");
	evtimer_add(listener_resume, &tv);
}

/* Wraps a listening socket. */
static bool
listener_add(int fd, enum listen_kind kind, enum peer_transport transport, const char *path,
    bool owned, const char *label, char *why, size_t whylen)
{
	struct listener *l;

	if (nlisteners == LISTENER_MAX) {
		snprintf(why, whylen, "too many listening sockets");
		close(fd);
		return false;
	}
	l = xcalloc(1, sizeof *l);
	l->kind = kind;
	l->transport = transport;
	l->path = path != NULL ? xstrdup(path) : NULL;
	l->owned = owned;
	if (owned)
		listener_identify(path, &l->dev, &l->ino);
	snprintf(l->label, sizeof l->label, "%s", label);
	evutil_make_socket_nonblocking(fd);
	l->evl = evconnlistener_new(ev_base, listener_accept_cb, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (l->evl == NULL) {
		snprintf(why, whylen, "%s: cannot listen", label);
		close(fd);
		free(l->path);
		free(l);
		return false;
	}
	evconnlistener_set_error_cb(l->evl, listener_error_cb);
	listeners[nlisteners++] = l;
	return true;
}

/*
 * Whether the directory a socket goes in is safe: owned by the daemon's
 * user or root, and writable by nobody else unless sticky (as /tmp is),
 * since whoever can write there can put a socket of their own in place
 * of the daemon's (the /tmp/krpc-$USER fallback makes that reachable on a
 * machine shared with other users).  false with why.
 */
static bool
listener_dir_safe(const char *path, char *why, size_t whylen)
{
	char dir[512], *slash;
	struct stat st;

	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (lstat(dir, &st) != 0) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode))
		snprintf(why, whylen, "%s is not a directory", dir);
	else if (st.st_uid != geteuid() && st.st_uid != 0)
		snprintf(why, whylen, "the socket directory %s belongs to another user (uid %ld): it "
		    "could replace the proxy's socket; remove it, or choose another path", dir,
		    (long)st.st_uid);
	else if ((st.st_mode & 022) != 0 && (st.st_mode & S_ISVTX) == 0)
		snprintf(why, whylen, "the socket directory %s is writable by other users (mode %04o): "
		    "they could replace the proxy's socket; chmod go-w it, or choose another path", dir,
		    (unsigned)(st.st_mode & 07777));
	else
		return true;
	return false;
}

/* The device and inode of the file at path (zero if none). */
void
listener_identify(const char *path, dev_t *dev, ino_t *ino)
{
	struct stat st;

	*dev = 0;
	*ino = 0;
	if (lstat(path, &st) == 0) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
}

/* Removes a socket file if it is still the one created (dev, ino), not a stranger's. */
void
listener_unlink(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return;
	if (st.st_dev != dev || st.st_ino != ino || !S_ISSOCK(st.st_mode)) {
		log_warn(NULL, "%s is no longer the socket the proxy created: leaving it", path);
		return;
	}
	unlink(path);
}

/* Creates, binds and listens on a Unix socket with a file mode; -1 with why. */
int
listener_unix_socket(const char *path, int mode, char *why, size_t whylen)
{
	bool removed;
	int fd;

	if (!krpc_listen_mkdirs(path, why, whylen) || !listener_dir_safe(path, why, whylen))
		return -1;
	if ((fd = krpc_listen_unix(path, mode, &removed, why, whylen)) == -1)
		return -1;
	if (removed)
		log_info(NULL, "removed stale socket %s", path);
	return fd;
}

/* Opens a Unix listener with the configured mode. */
static bool
listener_unix(const char *path, enum listen_kind kind, int mode, char *why, size_t whylen)
{
	int fd = listener_unix_socket(path, mode, why, whylen);

	if (fd == -1)
		return false;
	return listener_add(fd, kind, PEER_UNIX, path, true, path, why, whylen);
}

/* Opens a TCP listening socket. */
static bool
listener_tcp(const char *address, int port, enum listen_kind kind, char *why, size_t whylen)
{
	char label[160];
	int fd;

	if ((fd = krpc_listen_tcp(address, port, why, whylen)) == -1)
		return false;
	krpc_listen_label(fd, label, sizeof label);
	if (strncmp(label, "127.", 4) != 0 && strncmp(label, "[::1]", 5) != 0)
		log_warn(NULL, "listening on %s: scripts on other machines can connect (krpcmuxd has "
		    "no authentication); prefer loopback and a forwarded port", label);
	return listener_add(fd, kind, PEER_TCP, NULL, false, label, why, whylen);
}

/*
 * The kind of socket fd i of n from systemd: by its name (FileDescriptorName=
 * rpc or stream), or, when none is named so (an older single socket unit),
 * by its place: RPC, stream, RPC, stream...  -1 with why for a name that is
 * neither while others are.
 */
static int
listener_systemd_kind(int i, char **names, int n, char *why, size_t whylen)
{
	bool named = false;
	int j;

	for (j = 0; names != NULL && j < n && names[j] != NULL && !named; j++)
		named = strcmp(names[j], "rpc") == 0 || strcmp(names[j], "stream") == 0;
	if (!named)
		return i % 2 == 0 ? LISTEN_RPC : LISTEN_STREAM;
	if (names[i] != NULL && strcmp(names[i], "rpc") == 0)
		return LISTEN_RPC;
	if (names[i] != NULL && strcmp(names[i], "stream") == 0)
		return LISTEN_STREAM;
	snprintf(why, whylen, "socket activation: socket %d is named \"%s\", neither \"rpc\" nor "
	    "\"stream\" (FileDescriptorName=)", 3 + i, names[i] != NULL ? names[i] : "");
	return -1;
}

/* Every transport with an RPC listener has a stream listener, and the other way round. */
static bool
listener_paired(char *why, size_t whylen)
{
	size_t counts[2][2] = { { 0, 0 }, { 0, 0 } }, i;
	int t;

	for (i = 0; i < nlisteners; i++)
		counts[listeners[i]->transport][listeners[i]->kind]++;
	for (t = PEER_TCP; t <= PEER_UNIX; t++) {
		if ((counts[t][LISTEN_RPC] == 0) == (counts[t][LISTEN_STREAM] == 0))
			continue;
		snprintf(why, whylen, "socket activation: a %s %s socket without a %s one",
		    t == PEER_UNIX ? "Unix" : "TCP", counts[t][LISTEN_RPC] ? "RPC" : "stream",
		    counts[t][LISTEN_RPC] ? "stream" : "RPC");
		return false;
	}
	return true;
}

/* Adopts the sockets passed by systemd (LISTEN_FDS), Unix or TCP, by name or place. */
static bool
listener_systemd(int n, char **names, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char label[160];
	int i, fd, kind;
	bool unix_socket;

	for (i = 0; i < n; i++) {
		fd = 3 + i;
		if ((kind = listener_systemd_kind(i, names, n, why, whylen)) == -1)
			return false;
		sslen = sizeof ss;
		if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
			snprintf(why, whylen, "socket %d from systemd: %s", fd, strerror(errno));
			return false;
		}
		unix_socket = ss.ss_family == AF_UNIX;
		krpc_listen_label(fd, label, sizeof label);
		if (!listener_add(fd, (enum listen_kind)kind, unix_socket ? PEER_UNIX : PEER_TCP,
		    unix_socket ? label : NULL, false, label, why, whylen))
			return false;
	}
	return listener_paired(why, whylen);
}

/* Opens every configured listener. */
bool
listener_open_all(const struct config *c, char *why, size_t whylen)
{
	char **names = NULL;
	int n, i;
	bool ok;

	if ((n = systemd_listen_fds(&names)) > 0) {
		ok = listener_systemd(n, names, why, whylen);
		if (!ok)
			listener_close_all();
		for (i = 0; names != NULL && i < n; i++)
			free(names[i]);
		free(names);
		return ok;
	}
	if (*c->listen_rpc_path != '\0' &&
	    (!listener_unix(c->listen_rpc_path, LISTEN_RPC, c->listen_socket_mode, why, whylen) ||
	    !listener_unix(c->listen_stream_path, LISTEN_STREAM, c->listen_socket_mode, why, whylen)))
		goto fail;
	if (c->listen_rpc_port != 0 &&
	    (!listener_tcp(c->listen_address, c->listen_rpc_port, LISTEN_RPC, why, whylen) ||
	    !listener_tcp(c->listen_address, c->listen_stream_port, LISTEN_STREAM, why, whylen)))
		goto fail;
	return true;
fail:
	listener_close_all();
	return false;
}

/* Closes the listeners and removes our socket files. */
void
listener_close_all(void)
{
	size_t i;
	struct listener *l;

	for (i = 0; i < nlisteners; i++) {
		l = listeners[i];
		evconnlistener_free(l->evl);
		if (l->owned && l->path != NULL)
			listener_unlink(l->path, l->dev, l->ino);
		free(l->path);
		free(l);
		listeners[i] = NULL;
	}
	nlisteners = 0;
	if (listener_resume != NULL)
		event_free(listener_resume);
	listener_resume = NULL;
}

/* Stops or resumes accepting (out of descriptors). */
void
listener_pause(bool paused)
{
	size_t i;

	for (i = 0; i < nlisteners; i++) {
		if (paused)
			evconnlistener_disable(listeners[i]->evl);
		else
			evconnlistener_enable(listeners[i]->evl);
	}
}

/* Prints one ready line per pair of RPC and stream listeners. */
void
listener_print_ready(FILE *f)
{
	size_t i, j;

	for (i = 0; i < nlisteners; i++) {
		if (listeners[i]->kind != LISTEN_RPC)
			continue;
		for (j = 0; j < nlisteners; j++) {
			if (listeners[j]->kind == LISTEN_STREAM &&
			    listeners[j]->transport == listeners[i]->transport)
				break;
		}
		fprintf(f, "krpcmuxd: listening rpc=%s stream=%s\n", listeners[i]->label,
		    j < nlisteners ? listeners[j]->label : "none");
	}
	fflush(f);
}

/* The RPC Unix socket path (the address get_Clients reports for local clients). */
const char *
listener_rpc_path(void)
{
	size_t i;

	for (i = 0; i < nlisteners; i++) {
		if (listeners[i]->kind == LISTEN_RPC && listeners[i]->transport == PEER_UNIX)
			return listeners[i]->label;
	}
	return NULL;
}
