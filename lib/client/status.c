/*
 * The server's status (KRPC.GetStatus) decoded into krpc_status_t, for
 * users and for the generated stubs' <Service>_Status.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Copies the message's fields into the C struct; false on out-of-memory. */
static bool
status_fill(krpc_status_t *out, const Krpc__Schema__Status *st)
{
	if ((out->version = strdup(st->version != NULL ? st->version : "")) == NULL)
		return false;
	out->bytes_read = st->bytes_read;
	out->bytes_written = st->bytes_written;
	out->bytes_read_rate = st->bytes_read_rate;
	out->bytes_written_rate = st->bytes_written_rate;
	out->rpcs_executed = st->rpcs_executed;
	out->rpc_rate = st->rpc_rate;
	out->one_rpc_per_update = st->one_rpc_per_update;
	out->max_time_per_update = st->max_time_per_update;
	out->adaptive_rate_control = st->adaptive_rate_control;
	out->blocking_recv = st->blocking_recv;
	out->recv_timeout = st->recv_timeout;
	out->time_per_rpc_update = st->time_per_rpc_update;
	out->poll_time_per_rpc_update = st->poll_time_per_rpc_update;
	out->exec_time_per_rpc_update = st->exec_time_per_rpc_update;
	out->stream_rpcs = st->stream_rpcs;
	out->stream_rpcs_executed = st->stream_rpcs_executed;
	out->stream_rpc_rate = st->stream_rpc_rate;
	out->time_per_stream_update = st->time_per_stream_update;
	return true;
}

/* Decodes a STATUS value. */
krpc_code_t
krpc_status_decode(const krpc_value_t *v, krpc_status_t *out)
{
	Krpc__Schema__Status *st;
	const uint8_t *data;
	size_t len;
	bool ok;

	if (out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no place for the status");
	memset(out, 0, sizeof *out);
	if (v == NULL || krpc_value_code(v) != KRPC_TYPE_STATUS || (data = krpc_value_data(v, &len)) == NULL)
		return krpc_error_set(KRPC_ERR_TYPE, "not a STATUS value");
	if ((st = krpc__schema__status__unpack(NULL, len, data)) == NULL)
		return krpc_error_set(KRPC_ERR_MALFORMED, "malformed Status message (%zu bytes)", len);
	ok = status_fill(out, st);
	krpc__schema__status__free_unpacked(st, NULL);
	if (!ok) {
		krpc_status_free(out);
		return krpc_error_set(KRPC_ERR_NOMEM, "out of memory");
	}
	return KRPC_OK;
}

/* Frees what a decoded status holds. */
void
krpc_status_free(krpc_status_t *st)
{
	if (st == NULL)
		return;
	free(st->version);
	st->version = NULL;
}

/* Calls KRPC.GetStatus. */
krpc_code_t
krpc_client_status(krpc_client_t *c, krpc_status_t *out)
{
	krpc_value_t *v = NULL;
	krpc_code_t rc;

	if (out == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no place for the status");
	memset(out, 0, sizeof *out);
	if (c == NULL)
		return krpc_error_set(KRPC_ERR_ARG, "no client");
	if ((rc = krpc_client_enter(c)) != KRPC_OK)
		return rc;
	rc = krpc_call_simple(c, "KRPC", "GetStatus", 0, NULL, NULL, NULL, "status", &v);
	krpc_client_leave(c);
	if (rc == KRPC_OK)
		rc = krpc_status_decode(v, out);
	krpc_value_free(v);
	return rc;
}
