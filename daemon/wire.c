/*
 * The few kRPC message shapes the daemon reads and writes by hand, without
 * unpacking: Response results and errors, ProcedureResult, Stream and Event
 * ids, Error.  Hot paths (fan-out, forwarding) stay allocation-free.
 */
#include "config.h"

#include <string.h>

#include "krpcmuxd.h"

/* Splits a Response into its request-level error and its results. */
bool
wire_response_split(const uint8_t *p, size_t len, struct wire_slice *error,
    struct wire_slice *results, size_t max, size_t *n)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	int rc;

	error->data = NULL;
	error->len = 0;
	*n = 0;
	while ((rc = krpc_pbr_next(&r, &f)) == 1) {
		if (f.wire != KRPC_WIRE_LEN)
			continue;
		if (f.number == 1) {
			error->data = f.data;
			error->len = f.len;
		} else if (f.number == 2) {
			if (*n == max)
				return false;
			results[*n].data = f.data;
			results[*n].len = f.len;
			(*n)++;
		}
	}
	return rc == 0;
}

/* Reads a ProcedureResult: whether it holds an error, and its value. */
bool
wire_result_parse(const uint8_t *p, size_t len, bool *is_error, struct wire_slice *value)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	int rc;

	*is_error = false;
	value->data = NULL;
	value->len = 0;
	while ((rc = krpc_pbr_next(&r, &f)) == 1) {
		if (f.number == 1 && f.wire == KRPC_WIRE_LEN)
			*is_error = true;
		else if (f.number == 2 && f.wire == KRPC_WIRE_LEN) {
			value->data = f.data;
			value->len = f.len;
		}
	}
	return rc == 0;
}

/* Reads the id of a Stream message. */
bool
wire_stream_id(const uint8_t *p, size_t len, uint64_t *id)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	int rc;

	*id = 0;
	while ((rc = krpc_pbr_next(&r, &f)) == 1) {
		if (f.number == 1 && f.wire == KRPC_WIRE_VARINT)
			*id = f.varint;
	}
	return rc == 0;
}

/* Reads the stream id inside an Event message. */
bool
wire_event_id(const uint8_t *p, size_t len, uint64_t *id)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	int rc;

	*id = 0;
	while ((rc = krpc_pbr_next(&r, &f)) == 1) {
		if (f.number == 1 && f.wire == KRPC_WIRE_LEN && !wire_stream_id(f.data, f.len, id))
			return false;
	}
	return rc == 0;
}

/* Appends a Stream message. */
void
wire_stream(krpc_buf_t *b, uint64_t id)
{
	if (id != 0)
		krpc_buf_field_varint(b, 1, id);
}

/* Appends an Event message. */
void
wire_event(krpc_buf_t *b, uint64_t id)
{
	krpc_buf_t s = KRPC_BUF_INIT;

	wire_stream(&s, id);
	xbuf_check(&s);
	krpc_buf_field_bytes(b, 1, s.data, s.len);
	krpc_buf_free(&s);
}

/* Appends an Error message. */
void
wire_error(krpc_buf_t *b, const char *service, const char *name, const char *description)
{
	if (service != NULL && *service != '\0')
		krpc_buf_field_bytes(b, 1, service, strlen(service));
	if (name != NULL && *name != '\0')
		krpc_buf_field_bytes(b, 2, name, strlen(name));
	if (description != NULL && *description != '\0')
		krpc_buf_field_bytes(b, 3, description, strlen(description));
}

/* Appends a ProcedureResult holding an error. */
void
wire_result_error(krpc_buf_t *b, const char *service, const char *name, const char *description)
{
	krpc_buf_t e = KRPC_BUF_INIT;

	wire_error(&e, service, name, description);
	xbuf_check(&e);
	krpc_buf_field_bytes(b, 1, e.data, e.len);
	krpc_buf_free(&e);
}

/* Appends a ProcedureResult holding a value (NULL: void). */
void
wire_result_value(krpc_buf_t *b, const void *value, size_t len)
{
	if (value != NULL)
		krpc_buf_field_bytes(b, 2, value, len);
}

/* Appends a Response whose request-level error is the given Error bytes. */
void
wire_response_error(krpc_buf_t *b, const uint8_t *error, size_t len)
{
	krpc_buf_field_bytes(b, 1, error, len);
}

/* Appends a serialised one-argument-per-entry call. */
void
wire_call(krpc_buf_t *b, const char *service, const char *procedure,
    const krpc_msg_arg_t *args, size_t nargs)
{
	krpc_msg_call(b, service, procedure, args, nargs);
}

/*
 * Appends a StreamResult (as field 1 of a StreamUpdate being built).  On
 * the fan-out path, once per value and client: one reservation, then the
 * bytes written in place.
 */
void
wire_stream_result(krpc_buf_t *b, uint64_t id, const uint8_t *result, size_t len)
{
	size_t inner = (id != 0 ? 1 + krpc_varint_size(id) : 0) + 1 + krpc_varint_size(len) + len;
	uint8_t *p;

	if (!krpc_buf_reserve(b, b->len + 1 + KRPC_VARINT64_MAX + inner)) {
		krpc_buf_tag(b, 1, KRPC_WIRE_LEN);	/* fails too: the buffer records it */
		return;
	}
	p = b->data + b->len;
	*p++ = 0x0a;			/* field 1, length-delimited */
	p += krpc_varint_put(p, inner);
	if (id != 0) {
		*p++ = 0x08;		/* id: field 1, varint */
		p += krpc_varint_put(p, id);
	}
	*p++ = 0x12;			/* result: field 2, length-delimited */
	p += krpc_varint_put(p, len);
	if (len > 0)
		memcpy(p, result, len);
	b->len = (size_t)(p - b->data) + len;
}
