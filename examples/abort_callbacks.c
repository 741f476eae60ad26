/*
 * Stream callbacks (kRPC Python client documentation): two functions
 * called with each new value of the abort stream, on the library's stream
 * thread.
 *     abort = conn.add_stream(getattr, control, 'abort')
 *     def check_abort1(x):
 *         print('Abort 1 called with a value of', x)
 *     def check_abort2(x):
 *         print('Abort 2 called with a value of', x)
 *     abort.add_callback(check_abort1)
 *     abort.add_callback(check_abort2)
 *     abort.start()
 *     while True:
 *         pass
 * Instead of spinning, the main thread sleeps until --count calls happened.
 */
#include <pthread.h>
#include <stdio.h>

#include "example.h"
#include "SpaceCenter.h"

/* How many callbacks ran, for the main thread. */
struct calls {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	long		 n;
};

/* Counts one call and wakes the main thread. */
static void
calls_add(struct calls *calls)
{
	pthread_mutex_lock(&calls->mu);
	calls->n++;
	pthread_cond_signal(&calls->cv);
	pthread_mutex_unlock(&calls->mu);
}

/* Prints the value (NULL when the streamed call failed). */
static void
check_abort1(krpc_stream_t *stream, const krpc_value_t *x, void *ud)
{
	char buf[64];

	printf("Abort 1 called with a value of %s\n", ex_format(x, buf, sizeof buf));
	calls_add(ud);
}

/* The second callback. */
static void
check_abort2(krpc_stream_t *stream, const krpc_value_t *x, void *ud)
{
	char buf[64];

	printf("Abort 2 called with a value of %s\n", ex_format(x, buf, sizeof buf));
	calls_add(ud);
}

/* Registers the callbacks, starts the stream and waits for --count calls. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	struct calls calls = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
	krpc_client_t *conn;
	SpaceCenter_Vessel vessel;
	SpaceCenter_Control control;
	krpc_stream_t *abort_stream;

	ex_parse(argc, argv, &opts, "Prints each new value of the abort stream, twice, from callbacks.",
	    EX_OPT_COUNT);
	conn = ex_connect(&opts, NULL);
	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_get_Control(conn, vessel, &control));
	EX_CHECK(SpaceCenter_Control_get_Abort_stream(conn, &abort_stream, control));
	if (krpc_stream_add_callback(abort_stream, check_abort1, &calls) == 0 ||
	    krpc_stream_add_callback(abort_stream, check_abort2, &calls) == 0)
		ex_check(krpc_error_code() != KRPC_OK ? krpc_error_code() : KRPC_ERR_ARG,
		    "adding the callbacks");
	EX_CHECK(krpc_stream_start(abort_stream, false));
	/* Keep the program running... */
	pthread_mutex_lock(&calls.mu);
	while (ex_more(&opts, calls.n))
		pthread_cond_wait(&calls.cv, &calls.mu);
	pthread_mutex_unlock(&calls.mu);
	EX_CHECK(krpc_stream_remove(abort_stream));
	krpc_client_close(conn);
	return 0;
}
