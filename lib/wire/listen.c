/*
 * Listening sockets shared by krpcmuxd and krpc-sim: Unix sockets handled
 * as a kRPC server handles its local sockets (PROTOCOL.md 3.3: parent
 * directories created, stale sockets replaced, live ones and files with
 * content refused, 100-byte paths), TCP on any address, and their labels.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"

/* The first of the environment variables that is set and not empty, or fallback. */
static const char *
listen_env(const char *const *names, const char *fallback)
{
	const char *v;

	for (; *names != NULL; names++)
		if ((v = getenv(*names)) != NULL && *v != '\0')
			return v;
	return fallback;
}

/*
 * The default path of a local socket, as kRPC's server computes it (its
 * LocalSocketServer.DefaultPath, measured on mono): $XDG_RUNTIME_DIR/<dir>/
 * <name>, else <temporary directory>/<dir>-<user>/<name>, where the
 * temporary directory is .NET's Path.GetTempPath() ($TMPDIR, $TMP, $TEMP,
 * else /tmp) and the user Environment.UserName ($USER, else the account
 * database).  dir "krpc" gives the game's own default.
 */
bool
krpc_local_path(const char *dir, const char *name, char *buf, size_t len, char *why, size_t whylen)
{
	static const char *const xdg[] = { "XDG_RUNTIME_DIR", NULL };
	static const char *const tmp[] = { "TMPDIR", "TMP", "TEMP", NULL };
	static const char *const user[] = { "USER", NULL };
	const char *run = listen_env(xdg, NULL), *who = listen_env(user, NULL), *t;
	struct passwd pw, *res = NULL;
	char pwbuf[4096];
	int n, err = 0;

	if (run != NULL)
		n = snprintf(buf, len, "%s/%s/%s", run, dir, name);
	else {
		if (who == NULL && (err = getpwuid_r(geteuid(), &pw, pwbuf, sizeof pwbuf, &res)) == 0 &&
		    res != NULL)
			who = pw.pw_name;
		if (who == NULL) {
			snprintf(why, whylen, "cannot find the name of user %ld for the default socket "
			    "path%s%s", (long)geteuid(), err ? ": " : "", err ? strerror(err) : "");
			return false;
		}
		t = listen_env(tmp, "/tmp");
		n = snprintf(buf, len, "%s%s%s-%s/%s", t, t[strlen(t) - 1] == '/' ? "" : "/", dir, who,
		    name);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(why, whylen, "the default socket path does not fit %zu bytes", len);
		return false;
	}
	return true;
}

/* Fills a Unix socket address; false if the path does not fit. */
static bool
listen_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun->sun_path)
		return false;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return true;
}

/* Creates the parent directories of a socket path (mode 0700). */
bool
krpc_listen_mkdirs(const char *path, char *why, size_t whylen)
{
	char *dir = strdup(path), *p;
	bool ok = true;

	if (dir == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	for (p = dir + 1; ok && (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			snprintf(why, whylen, "cannot create directory %s: %s", dir, strerror(errno));
			ok = false;
		}
		*p = '/';
	}
	free(dir);
	return ok;
}

/* Whether a server answers at a Unix socket address: 1 yes, 0 no, -1 error (errno). */
static int
listen_live(const struct sockaddr_un *sun)
{
	int fd, rc, err;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	err = errno;
	close(fd);
	errno = err;
	if (rc == 0)
		return 1;
	return err == ECONNREFUSED ? 0 : -1;
}

/* Makes way for a socket at path; a stale socket or an empty file is removed. */
bool
krpc_listen_clear(const char *path, bool *removed, char *why, size_t whylen)
{
	struct sockaddr_un sun;
	struct stat st;
	int live;

	*removed = false;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!listen_sun(&sun, path)) {
		snprintf(why, whylen, "socket path %s is too long", path);
		return false;
	}
	if ((live = listen_live(&sun)) != 0) {
		if (live > 0)
			snprintf(why, whylen, "%s: another server is listening on this socket", path);
		else
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		snprintf(why, whylen, "%s: is a regular file with content, not a stale socket", path);
		return false;
	}
	if (unlink(path) != 0) {
		snprintf(why, whylen, "cannot remove stale socket %s: %s", path, strerror(errno));
		return false;
	}
	*removed = true;
	return true;
}

/* Binds fd at sun's path with a file mode (-1: the umask's). */
static bool
listen_bind_mode(int fd, const struct sockaddr_un *sun, int mode)
{
	mode_t old = 0;
	int rc;

	if (mode >= 0)
		old = umask((mode_t)(~mode & 0777));
	rc = bind(fd, (const struct sockaddr *)sun, sizeof *sun);
	if (mode >= 0)
		umask(old);
	return rc == 0;
}

/* A listening Unix socket at path; -1 with why. */
int
krpc_listen_unix(const char *path, int mode, bool *removed, char *why, size_t whylen)
{
	struct sockaddr_un sun;
	int fd;

	*removed = false;
	if (strlen(path) > KRPC_LISTEN_PATH_MAX || !listen_sun(&sun, path)) {
		snprintf(why, whylen, "socket path %s is longer than %d bytes", path,
		    KRPC_LISTEN_PATH_MAX);
		return -1;
	}
	if (!krpc_listen_mkdirs(path, why, whylen) || !krpc_listen_clear(path, removed, why, whylen))
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -1;
	}
	if (!listen_bind_mode(fd, &sun, mode)) {
		snprintf(why, whylen, "bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if ((mode >= 0 && chmod(path, (mode_t)mode) != 0) || listen(fd, SOMAXCONN) != 0) {
		snprintf(why, whylen, "listen %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* A listening TCP socket; -1 with why. */
int
krpc_listen_tcp(const char *address, int port, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL;
	char service[16];
	int fd, one = 1, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(service, sizeof service, "%d", port);
	if ((rc = getaddrinfo(address, service, &hints, &res)) != 0 || res == NULL) {
		snprintf(why, whylen, "cannot resolve %s: %s", address,
		    rc != 0 ? gai_strerror(rc) : "no address");
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
		snprintf(why, whylen, "listen on %s port %d: %s", address, port, strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Writes the bound address of a listening socket ("?" if unknown). */
void
krpc_listen_label(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char ip[INET6_ADDRSTRLEN] = "?";

	snprintf(out, len, "?");
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof ip);
		snprintf(out, len, "%s:%d", ip, ntohs(((struct sockaddr_in *)&ss)->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof ip);
		snprintf(out, len, "[%s]:%d", ip, ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	} else if (ss.ss_family == AF_UNIX)
		snprintf(out, len, "%s", ((struct sockaddr_un *)&ss)->sun_path);
}
