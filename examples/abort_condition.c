/*
 * Stream conditions (kRPC Python client documentation): wait until the
 * abort action group is on, holding the stream's condition so that no
 * update is missed between reading the value and waiting.
 *     control = conn.space_center.active_vessel.control
 *     abort = conn.add_stream(getattr, control, 'abort')
 *     with abort.condition:
 *         while not abort():
 *             abort.wait()
 */
#include "example.h"
#include "SpaceCenter.h"

/* Waits for abort inside the condition's scope. */
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
	{
		/* with abort.condition: (released however the block is left) */
		KRPC_SCOPED_LOCK krpc_stream_t *held = krpc_stream_lock_scoped(abort_stream);

		EX_CHECK(held != NULL ? KRPC_OK : krpc_error_code());
		for (;;) {
			EX_CHECK(krpc_stream_get_bool(abort_stream, &abort_on));
			if (abort_on)
				break;
			EX_CHECK(krpc_stream_wait(abort_stream, -1));
		}
	}	/* the condition is released here */
	EX_CHECK(krpc_stream_remove(abort_stream));
	krpc_client_close(conn);
	return 0;
}
