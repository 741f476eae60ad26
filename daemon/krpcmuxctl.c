/*
 * krpcmuxctl: asks a running krpcmuxd through its admin socket and prints
 * the answer, or shows a live view of it (top.c).  One command per run;
 * exit 0 on success, 1 if the daemon reports an error, 2 if it cannot be
 * reached or the command line is wrong.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "krpcmuxd.h"

/* The admin socket's commands and their help, from the list krpcmuxd's admin.c uses. */
static const struct krpcmuxctl_command {
	const char	*name;
	const char	*help;
} krpcmuxctl_commands[] = {
#define KRPCMUXCTL_ENTRY(name, help)	{ #name, help },
	ADMIN_COMMANDS(KRPCMUXCTL_ENTRY)
#undef KRPCMUXCTL_ENTRY
	{ NULL, NULL },
};

/* The commands krpcmuxctl runs itself, on top of the admin socket's. */
static const struct krpcmuxctl_command krpcmuxctl_local[] = {
	{ "top", "a live view refreshed every second (q or Ctrl-C quits; --once, -n COUNT)" },
	{ NULL, NULL },
};

/* What the command line asks. */
struct krpcmuxctl_args {
	char		*path;
	const char	*cmd;
	bool		 json;
	long		 count;		/* top: frames, 0 for no end */
};

/* Prints the usage, the commands' list and help made from the tables. */
static void
krpcmuxctl_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: krpcmuxctl [--admin-path P] ");
	for (i = 0; krpcmuxctl_commands[i].name != NULL; i++)
		fprintf(f, "%s%s", i > 0 ? "|" : "", krpcmuxctl_commands[i].name);
	fprintf(f, " [--json]\n"
	    "       krpcmuxctl [--admin-path P] top [--once | -n COUNT]\n\n"
	    "Asks a running krpcmuxd through its admin socket (default $XDG_RUNTIME_DIR/krpcmux/admin,\n"
	    "else /tmp/krpcmux-USER/admin; krpcmuxd's admin.path).  See krpcmuxctl(1).\n\n");
	for (i = 0; krpcmuxctl_commands[i].name != NULL; i++)
		fprintf(f, "  %-10s %s\n", krpcmuxctl_commands[i].name, krpcmuxctl_commands[i].help);
	for (i = 0; krpcmuxctl_local[i].name != NULL; i++)
		fprintf(f, "  %-10s %s\n", krpcmuxctl_local[i].name, krpcmuxctl_local[i].help);
}

/* True if cmd is in the table. */
static bool
krpcmuxctl_in(const struct krpcmuxctl_command *table, const char *cmd)
{
	size_t i;

	for (i = 0; table[i].name != NULL; i++) {
		if (strcmp(cmd, table[i].name) == 0)
			return true;
	}
	return false;
}

/* Asks the command and copies the answer to stdout; 0, 1 (daemon error) or 2. */
static int
krpcmuxctl_ask(const char *path, const char *cmd, bool json)
{
	krpc_buf_t out = KRPC_BUF_INIT;
	char why[512];
	int rc;

	if (!ctl_ask(path, cmd, json, &out, why, sizeof why)) {
		fprintf(stderr, "krpcmuxctl: %s\n", why);
		krpc_buf_free(&out);
		return 2;
	}
	fwrite(out.data, 1, out.len, stdout);
	rc = ctl_is_error(out.data, out.len) ? 1 : 0;
	krpc_buf_free(&out);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "krpcmuxctl: standard output: %s\n", strerror(errno));
		return 2;
	}
	return rc;
}

/* Parses -n's COUNT: a whole number of frames, at least 1. */
static long
krpcmuxctl_count(const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || n < 1) {
		fprintf(stderr, "krpcmuxctl: -n %s: a count of 1 or more was expected\n", arg);
		exit(2);
	}
	return n;
}

/* Exits after --help or --version. */
static void
krpcmuxctl_exit_info(int ch, struct krpcmuxctl_args *a)
{
	if (ch == 'h')
		krpcmuxctl_usage(stdout);
	else
		printf("krpcmuxctl %s\n", PACKAGE_VERSION);
	free(a->path);
	exit(0);
}

/* Parses the command line into a; exits on --help, --version and errors. */
static void
krpcmuxctl_args(int argc, char **argv, struct krpcmuxctl_args *a)
{
	static const struct option opts[] = {
		{ "admin-path", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "once", no_argument, NULL, '1' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "a:jn:hV", opts, NULL)) != -1) {
		if (ch == 'a') {
			free(a->path);
			a->path = xstrdup(optarg);
		} else if (ch == 'j')
			a->json = true;
		else if (ch == '1' || ch == 'n')
			a->count = ch == '1' ? 1 : krpcmuxctl_count(optarg);
		else if (ch == 'h' || ch == 'V')
			krpcmuxctl_exit_info(ch, a);
		else {
			krpcmuxctl_usage(stderr);
			free(a->path);
			exit(2);
		}
	}
	for (; optind < argc; optind++) {
		if (strcmp(argv[optind], "--json") == 0 || strcmp(argv[optind], "json") == 0)
			a->json = true;
		else if (a->cmd == NULL)
			a->cmd = argv[optind];
		else
			a->cmd = "";	/* two commands: a usage error */
	}
}

/* A usage error, or NULL: an unknown command, or options that do not go with it. */
static const char *
krpcmuxctl_misuse(const struct krpcmuxctl_args *a)
{
	bool top;

	if (a->cmd == NULL || *a->cmd == '\0')
		return "";
	top = krpcmuxctl_in(krpcmuxctl_local, a->cmd);
	if (!top && !krpcmuxctl_in(krpcmuxctl_commands, a->cmd))
		return "unknown command";
	if (top && a->json)
		return "top has no --json (the commands it reads have)";
	if (!top && a->count > 0)
		return "--once and -n go with top only";
	return NULL;
}

/* krpcmuxctl: see krpcmuxctl_usage() and krpcmuxctl(1). */
int
main(int argc, char **argv)
{
	struct krpcmuxctl_args a = { NULL, NULL, false, 0 };
	struct top_options t;
	const char *misuse;
	char why[256];
	int rc;

	krpcmuxctl_args(argc, argv, &a);
	if ((misuse = krpcmuxctl_misuse(&a)) != NULL) {
		if (*misuse != '\0')
			fprintf(stderr, "krpcmuxctl: %s: %s\n", a.cmd, misuse);
		krpcmuxctl_usage(stderr);
		free(a.path);
		return 2;
	}
	if (a.path == NULL &&
	    (a.path = util_runtime_path("krpcmux", "admin", why, sizeof why)) == NULL) {
		fprintf(stderr, "krpcmuxctl: %s\n", why);
		return 2;
	}
	if (strcmp(a.cmd, "top") == 0) {
		t.path = a.path;
		t.count = a.count;
		t.interval = 1.0;
		rc = top_run(&t);
	} else
		rc = krpcmuxctl_ask(a.path, a.cmd, a.json);
	free(a.path);
	return rc;
}
