/*
 * Stream conditions with explicit acquire and release (kRPC Python client
 * documentation): the same wait for abort as abort_condition.c.
 *     abort = conn.add_stream(getattr, control, 'abort')
 *     abort.acquire()
 *     while not abort():
 *         abort.wait()
 *     abort.release()
 */
#include "example.h"
#include "SpaceCenter.h"

/* Waits for abort, acquiring and releasing the condition by hand. */
int
main(int argc, char **argv)
{
	struct ex_opts opts;
	krpc_client_t *conn;
	SpaceCenter_Vessel vessel;
	SpaceCenter_Control control;
	krpc_stream_t *abort_stream;
	bool abort_on = false;

	ex_parse(argc, argv, &opts, "Waits until the active vessel's abort is set.", 0);
	conn = ex_connect(&opts, NULL);
	EX_CHECK(SpaceCenter_get_ActiveVessel(conn, &vessel));
	EX_CHECK(SpaceCenter_Vessel_get_Control(conn, vessel, &control));
	EX_CHECK(SpaceCenter_Control_get_Abort_stream(conn, &abort_stream, control));
	EX_CHECK(krpc_stream_lock(abort_stream));		/* abort.acquire() */
	for (;;) {
		EX_CHECK(krpc_stream_get_bool(abort_stream, &abort_on));
		if (abort_on)
			break;
		EX_CHECK(krpc_stream_wait(abort_stream, -1));	/* abort.wait() */
	}
	krpc_stream_unlock(abort_stream);			/* abort.release() */
	EX_CHECK(krpc_stream_remove(abort_stream));
	krpc_client_close(conn);
	return 0;
}
