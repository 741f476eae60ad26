/*
 * krpcmuxctl: asks a running krpcmuxd through its admin socket and prints
 * the answer.  One command per run; exit 0 on success, 1 if the daemon
 * reports an error, 2 if it cannot be reached.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krpcmuxd.h"

/* The admin socket's commands and their help, from the list krpcmuxd's admin.c uses. */
static const struct {
	const char	*name;
	const char	*help;
} krpcmuxctl_commands[] = {
#define KRPCMUXCTL_ENTRY(name, help)	{ #name, help },
	ADMIN_COMMANDS(KRPCMUXCTL_ENTRY)
#undef KRPCMUXCTL_ENTRY
	{ NULL, NULL },
};

/* Prints the usage, the commands' list and help made from the table. */
static void
krpcmuxctl_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: krpcmuxctl [--admin-path P] ");
	for (i = 0; krpcmuxctl_commands[i].name != NULL; i++)
		fprintf(f, "%s%s", i > 0 ? "|" : "", krpcmuxctl_commands[i].name);
	fprintf(f, " [--json]\n\n"
	    "Asks a running krpcmuxd through its admin socket (default $XDG_RUNTIME_DIR/krpcmux/admin,\n"
	    "else /tmp/krpcmux-USER/admin; krpcmuxd's admin.path).  See krpcmuxd(8).\n\n");
	for (i = 0; krpcmuxctl_commands[i].name != NULL; i++)
		fprintf(f, "  %-10s %s\n", krpcmuxctl_commands[i].name, krpcmuxctl_commands[i].help);
}

/* True for a known command. */
static bool
krpcmuxctl_known(const char *cmd)
{
	size_t i;

	for (i = 0; krpcmuxctl_commands[i].name != NULL; i++) {
		if (strcmp(cmd, krpcmuxctl_commands[i].name) == 0)
			return true;
	}
	return false;
}

/* Connects to the admin socket; -1 with a message printed. */
static int
krpcmuxctl_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "krpcmuxctl: %s: path too long\n", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "krpcmuxctl: socket: %s\n", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		fprintf(stderr, "krpcmuxctl: cannot reach krpcmuxd at %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends the command and copies the answer to stdout; 0, 1 (daemon error) or 2. */
static int
krpcmuxctl_ask(int fd, const char *cmd, bool json)
{
	char line[64], buf[8192];
	ssize_t n;
	bool first = true, error = false;

	snprintf(line, sizeof line, "%s%s\n", cmd, json ? " json" : "");
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		fprintf(stderr, "krpcmuxctl: write: %s\n", strerror(errno));
		return 2;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		if (first)
			error = strncmp(buf, "error ", 6) == 0 || strncmp(buf, "{\"error\"", 8) == 0;
		first = false;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	if (n < 0) {
		fprintf(stderr, "krpcmuxctl: read: %s\n", strerror(errno));
		return 2;
	}
	return error ? 1 : 0;
}

/* Parses the command line into *path, *cmd and *json; exits on --help, --version and errors. */
static void
krpcmuxctl_args(int argc, char **argv, char **path, const char **cmd, bool *json)
{
	static const struct option opts[] = {
		{ "admin-path", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "a:jhV", opts, NULL)) != -1) {
		if (ch == 'a') {
			free(*path);
			*path = xstrdup(optarg);
		} else if (ch == 'j')
			*json = true;
		else if (ch == 'h' || ch == 'V') {
			if (ch == 'h')
				krpcmuxctl_usage(stdout);
			else
				printf("krpcmuxctl %s\n", PACKAGE_VERSION);
			free(*path);
			exit(0);
		} else {
			krpcmuxctl_usage(stderr);
			free(*path);
			exit(2);
		}
	}
	for (; optind < argc; optind++) {
		if (strcmp(argv[optind], "--json") == 0 || strcmp(argv[optind], "json") == 0)
			*json = true;
		else if (*cmd == NULL)
			*cmd = argv[optind];
		else
			*cmd = "";	/* two commands: a usage error */
	}
}

/* krpcmuxctl: see krpcmuxctl_usage() and krpcmuxd(8). */
int
main(int argc, char **argv)
{
	char *path = NULL, why[256];
	const char *cmd = NULL;
	bool json = false;
	int fd, rc;

	krpcmuxctl_args(argc, argv, &path, &cmd, &json);
	if (cmd == NULL || !krpcmuxctl_known(cmd)) {
		if (cmd != NULL && *cmd != '\0')
			fprintf(stderr, "krpcmuxctl: unknown command \"%s\"\n", cmd);
		krpcmuxctl_usage(stderr);
		free(path);
		return 2;
	}
	if (path == NULL && (path = util_runtime_path("krpcmux", "admin", why, sizeof why)) == NULL) {
		fprintf(stderr, "krpcmuxctl: %s\n", why);
		return 2;
	}
	fd = krpcmuxctl_connect(path);
	free(path);
	if (fd == -1)
		return 2;
	rc = krpcmuxctl_ask(fd, cmd, json);
	close(fd);
	return rc;
}
