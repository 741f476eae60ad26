/*
 * krpcmuxctl's side of the admin socket: connect, send one command line,
 * read the answer until the daemon closes the connection.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

/* The longest wait for the daemon's answer, in milliseconds. */
#define CTL_TIMEOUT_MS	10000

/* Connects to the admin socket; -1 with why. */
static int
ctl_connect(const char *path, char *why, size_t whylen)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(why, whylen, "%s: path too long", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		snprintf(why, whylen, "cannot reach krpcmuxd at %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads until end of file into out; false with why (an error or the timeout). */
static bool
ctl_read_all(int fd, krpc_buf_t *out, char *why, size_t whylen)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[8192];
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, CTL_TIMEOUT_MS) == 0) {
			snprintf(why, whylen, "krpcmuxd did not answer within %d s", CTL_TIMEOUT_MS / 1000);
			return false;
		}
		if ((n = read(fd, buf, sizeof buf)) == 0)
			return true;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "read: %s", strerror(errno));
			return false;
		}
		krpc_buf_append(out, buf, (size_t)n);
	}
}

/* Asks one command; the answer is appended to out. */
bool
ctl_ask(const char *path, const char *cmd, bool json, krpc_buf_t *out, char *why, size_t whylen)
{
	char line[64];
	bool ok;
	int fd;

	snprintf(line, sizeof line, "%s%s\n", cmd, json ? " json" : "");
	if ((fd = ctl_connect(path, why, whylen)) == -1)
		return false;
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		snprintf(why, whylen, "write: %s", strerror(errno));
		close(fd);
		return false;
	}
	ok = ctl_read_all(fd, out, why, whylen);
	close(fd);
	if (ok && !krpc_buf_ok(out)) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	return ok;
}

/* True if an answer is the daemon's error. */
bool
ctl_is_error(const uint8_t *answer, size_t len)
{
	return (len >= 6 && memcmp(answer, "error ", 6) == 0) ||
	    (len >= 8 && memcmp(answer, "{\"error\"", 8) == 0);
}
