/*
 * For test_error_exit.sh: leaves errors recorded in the main thread and in
 * a thread that has ended, then exits.  Under valgrind no byte of the
 * per-thread error strings may remain, not even "still reachable": the
 * main thread's are freed at exit, the thread's when it ends.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "krpcmux/krpcmux.h"

/* A thread that records an error and ends. */
static void *
error_thread(void *arg)
{
	krpc_error_set(KRPC_ERR_TIMEOUT, "in a thread: %s", "timed out");
	return arg;
}

int
main(void)
{
	krpc_client_t *c = NULL;
	pthread_t t;

	if (pthread_create(&t, NULL, error_thread, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 2;
	/* A library failure (no server at this path), then one set by the program. */
	if (krpc_connect_local(&c, "x", "/nonexistent/krpcmux/rpc", KRPC_NO_STREAM_PATH) != KRPC_ERR_IO)
		return 2;
	krpc_error_set(KRPC_ERR_ARG, "left recorded at exit: %s", krpc_error_message());
	printf("%s\n", krpc_error_message());
	return strncmp(krpc_error_message(), "left recorded", 13) == 0 ? 0 : 2;
}
