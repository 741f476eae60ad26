/*
 * Listening sockets for the two servers of the project, krpcmuxd and
 * krpc-sim (listen.c).  Each call returns a listening descriptor (blocking,
 * close-on-exec) or -1 with a reason in why; the caller owns the socket.
 */
#ifndef KRPCMUX_LISTEN_H
#define KRPCMUX_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

/* Longest Unix socket path a kRPC server accepts (PROTOCOL.md 3.3). */
#define KRPC_LISTEN_PATH_MAX	100

/*
 * Makes way for a Unix socket at path as a kRPC server does: nothing there,
 * or a stale socket or empty file (removed, *removed set), is fine; a live
 * server or a file with content is refused with a reason.
 */
bool	 krpc_listen_clear(const char *path, bool *removed, char *why, size_t whylen);
/*
 * The default path of a local socket as kRPC's server computes it:
 * $XDG_RUNTIME_DIR/<dir>/<name>, else <tmp>/<dir>-<user>/<name> (<tmp>:
 * $TMPDIR, $TMP, $TEMP or /tmp; <user>: $USER or the account's name).
 * false with why.
 */
bool	 krpc_local_path(const char *dir, const char *name, char *buf, size_t len, char *why,
	    size_t whylen);
/* Creates the parent directories of a socket path that are missing (mode 0700). */
bool	 krpc_listen_mkdirs(const char *path, char *why, size_t whylen);
/*
 * A Unix socket listening at path: parent directories created (mode 0700),
 * the path cleared as above, the file given mode (-1: as the umask gives).
 */
int	 krpc_listen_unix(const char *path, int mode, bool *removed, char *why, size_t whylen);
/* A TCP socket listening on address (a name or literal) and port (0: any free port). */
int	 krpc_listen_tcp(const char *address, int port, char *why, size_t whylen);
/* The bound address of a socket: "127.0.0.1:50000", "[::1]:50000", or the path. */
void	 krpc_listen_label(int fd, char *out, size_t len);

#endif
