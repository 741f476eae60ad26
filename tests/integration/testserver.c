/*
 * kRPC's TestServer for tests and benchmarks (see testserver.h): where it
 * is, starting it on free ports, and skipping cleanly when it is absent.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testserver.h"

/* Seconds mono takes to load the server (about 1 s here; generous under valgrind or load). */
#define TS_START_TIMEOUT	60.0

/* The first executable "mono" on $PATH, or NULL. */
static const char *
ts_mono(void)
{
	static char found[1024];
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	if (found[0] != '\0')
		return found;
	if ((copy = strdup(path != NULL && *path != '\0' ? path : "/usr/bin:/bin")) == NULL)
		return NULL;
	for (dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		snprintf(found, sizeof found, "%s/mono", dir);
		if (access(found, X_OK) == 0)
			break;
		found[0] = '\0';
	}
	free(copy);
	return found[0] != '\0' ? found : NULL;
}

const char *
ts_dir(const char **why)
{
	static char dir[1024];
	const char *env = getenv("KRPC_TESTSERVER");
	char exe[1100];

	if (env != NULL && *env != '\0')
		snprintf(dir, sizeof dir, "%s", env);
	else
		snprintf(dir, sizeof dir, "%s", th_src("../shared/krpc-testserver"));
	snprintf(exe, sizeof exe, "%s/TestServer.exe", dir);
	if (access(exe, R_OK) != 0) {
		if (why != NULL)
			*why = "kRPC's TestServer is not here (set KRPC_TESTSERVER to its folder, "
			    "or put it at ../shared/krpc-testserver beside the source tree)";
		return NULL;
	}
	if (ts_mono() == NULL) {
		if (why != NULL)
			*why = "mono is not installed (scripts/deps.sh installs it when the "
			    "TestServer is present)";
		return NULL;
	}
	return dir;
}

void
ts_require(const char *what)
{
	const char *why = NULL;

	if (ts_dir(&why) != NULL)
		return;
	printf("SKIP: %s: %s\n", what, why);
	fflush(stdout);
	exit(TS_SKIP);
}

/* Runs the TestServer with the listener arguments given and waits for its ready line. */
static int
ts_spawn(struct testserver *ts, bool paced, const char *a1, const char *a2, const char *a3)
{
	const char *why = NULL, *dir = ts_dir(&why);
	const char *argv[8];
	char exe[1100];
	int n = 0;

	if (dir == NULL) {
		fprintf(stderr, "testserver: %s\n", why);
		return -1;
	}
	ts->paced = paced;
	snprintf(exe, sizeof exe, "%s/TestServer.exe", dir);
	argv[n++] = ts_mono();
	argv[n++] = exe;
	argv[n++] = a1;
	argv[n++] = a2;
	if (a3 != NULL)
		argv[n++] = a3;
	if (!paced)
		argv[n++] = "--no-frame-pacing";
	argv[n] = NULL;
	/* Its log goes to stdout; "Server started successfully" follows the listeners. */
	if ((ts->proc = th_spawn(argv, "Server started successfully", TS_START_TIMEOUT)) == NULL)
		return -1;
	return 0;
}

int
ts_start(struct testserver *ts, bool paced)
{
	char rpc[32], stream[32];

	memset(ts, 0, sizeof *ts);
	ts->rpc_port = th_free_port();
	ts->stream_port = th_free_port();
	while (ts->stream_port == ts->rpc_port)
		ts->stream_port = th_free_port();
	snprintf(rpc, sizeof rpc, "--rpc-port=%d", ts->rpc_port);
	snprintf(stream, sizeof stream, "--stream-port=%d", ts->stream_port);
	return ts_spawn(ts, paced, rpc, stream, NULL);
}

int
ts_start_unix(struct testserver *ts, bool paced, const char *rpc_path, const char *stream_path)
{
	char rpc[300], stream[300];

	memset(ts, 0, sizeof *ts);
	snprintf(ts->rpc_path, sizeof ts->rpc_path, "%s", rpc_path);
	snprintf(ts->stream_path, sizeof ts->stream_path, "%s", stream_path);
	snprintf(rpc, sizeof rpc, "--rpc-path=%s", rpc_path);
	snprintf(stream, sizeof stream, "--stream-path=%s", stream_path);
	return ts_spawn(ts, paced, "--type=localsocket", rpc, stream);
}

void
ts_stop(struct testserver *ts)
{
	if (ts->proc != NULL)
		th_proc_stop(ts->proc);
	ts->proc = NULL;
}
