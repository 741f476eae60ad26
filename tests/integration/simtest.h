/*
 * Helpers shared by the krpc-sim integration tests: start a krpc-sim on
 * ephemeral TCP ports (and temporary Unix sockets), open clients on it, and
 * read the values kRPC tests keep needing (object ids, stream ids, status).
 */
#ifndef KRPC_SIMTEST_H
#define KRPC_SIMTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

struct simtest {
	th_proc_t	*proc;
	int		 rpc_port;
	int		 stream_port;
	char		 rpc_path[256];		/* "" without Unix sockets */
	char		 stream_path[256];
};

/*
 * Starts krpc-sim (--rpc-port 0 --stream-port 0 --quiet, plus Unix sockets
 * named prefix-rpc and prefix-stream in the test directory if prefix is not
 * NULL, plus extra arguments) and reads the real ports from its ready line.
 * -1 on failure (printed).
 */
int		 simtest_start(struct simtest *, const char *prefix, const char *const *extra);
void		 simtest_stop(struct simtest *);
/* A TCP client with (stream true) or without a stream connection; NULL on failure. */
th_client_t	*simtest_client(const struct simtest *, const char *name, bool stream);

/* The object id in a CLASS value (freed); 0 if v is NULL or not an object. */
uint64_t	 simtest_object(krpc_value_t *v);
/* The stream id in a STREAM or EVENT value (freed); UINT64_MAX if none. */
uint64_t	 simtest_stream_id(krpc_value_t *v, bool event);
/* KRPC.GetStatus, unpacked (free with krpc__schema__status__free_unpacked); NULL on error. */
Krpc__Schema__Status *simtest_status(th_client_t *);
/* Sends a Request of one ProcedureCall given by numeric ids; returns the Response. */
Krpc__Schema__Response *simtest_call_ids(th_client_t *, uint32_t service_id, uint32_t procedure_id);
/* Counts updates carrying stream id within seconds (other ids are ignored). */
int		 simtest_count_updates(th_client_t *, uint64_t id, double seconds);

#endif
