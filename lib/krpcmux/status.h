/*
 * libkrpcmux server status: KRPC.GetStatus decoded into a C struct (the
 * krpc.schema.Status message, PROTOCOL.md section 2), from a call or from a
 * STATUS value such as a stream's.
 *
 * Ownership: the struct is the caller's; krpc_status_free() frees what the
 * library allocated in it (the version string).  A later libkrpcmux may
 * add fields at the end, as the protocol adds them to the message.
 * Thread safety: as for krpc_call().
 */
#ifndef KRPCMUX_STATUS_H
#define KRPCMUX_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "value.h"
#include "client.h"

KRPC_BEGIN_DECLS

/* The server's status; rates and times are moving averages over updates. */
typedef struct krpc_status {
	char		*version;		/* "x.y.z" (malloc'd, never NULL once decoded) */
	uint64_t	 bytes_read;		/* totals over all clients */
	uint64_t	 bytes_written;
	float		 bytes_read_rate;	/* bytes per second */
	float		 bytes_written_rate;
	uint64_t	 rpcs_executed;		/* requests executed */
	float		 rpc_rate;		/* requests per second */
	bool		 one_rpc_per_update;
	uint32_t	 max_time_per_update;	/* microseconds */
	bool		 adaptive_rate_control;
	bool		 blocking_recv;
	uint32_t	 recv_timeout;		/* microseconds */
	float		 time_per_rpc_update;	/* seconds */
	float		 poll_time_per_rpc_update;
	float		 exec_time_per_rpc_update;
	uint32_t	 stream_rpcs;		/* streams registered now */
	uint64_t	 stream_rpcs_executed;	/* stream evaluations */
	float		 stream_rpc_rate;	/* stream evaluations per second */
	float		 time_per_stream_update; /* seconds */
} krpc_status_t;

/* Calls KRPC.GetStatus; free *out with krpc_status_free(). */
krpc_code_t	 krpc_client_status(krpc_client_t *, krpc_status_t *out);
/*
 * Decodes a STATUS value (a GetStatus result or stream value).
 * KRPC_ERR_TYPE if it is not one (or null), KRPC_ERR_MALFORMED if its bytes
 * do not decode; *out is zeroed on failure.
 */
krpc_code_t	 krpc_status_decode(const krpc_value_t *, krpc_status_t *out);
/* Frees what a decoded status holds (not the struct); NULL is ignored. */
void		 krpc_status_free(krpc_status_t *);

KRPC_END_DECLS

#endif
