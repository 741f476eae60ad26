/*
 * The two systemd interfaces the daemon uses, without libsystemd: readiness
 * and status notifications on $NOTIFY_SOCKET, and sockets passed by socket
 * activation ($LISTEN_PID, $LISTEN_FDS, $LISTEN_FDNAMES).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krpcmuxd.h"

/* Sends a notification if the service manager asked for them. */
void
systemd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	if (path == NULL || *path == '\0' || strlen(path) >= sizeof sun.sun_path)
		return;
	if (*path != '/' && *path != '@')
		return;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if (*path == '@')
		sun.sun_path[0] = '\0';		/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0)
		log_debug(NULL, "sd_notify: cannot send \"%s\"", state);
	close(fd);
}

/* The sockets systemd passed to this process (fds from 3); names from LISTEN_FDNAMES. */
int
systemd_listen_fds(char ***names)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *fdnames = getenv("LISTEN_FDNAMES");
	char *copy, *rest, *tok;
	int n, i;

	*names = NULL;
	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid())
		return 0;
	if ((n = atoi(fds)) <= 0)
		return 0;
	for (i = 0; i < n; i++)
		fcntl(3 + i, F_SETFD, FD_CLOEXEC);
	if (fdnames != NULL) {
		*names = xcalloc((size_t)n + 1, sizeof **names);
		rest = copy = xstrdup(fdnames);	/* strsep, not strtok: "a::b" names three */
		for (i = 0; i < n && (tok = strsep(&rest, ":")) != NULL; i++)
			(*names)[i] = xstrdup(tok);
		free(copy);
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return n;
}
