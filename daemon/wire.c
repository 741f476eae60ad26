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

/* Appends a StreamResult (as field 1 of a StreamUpdate being built). */
void
wire_stream_result(krpc_buf_t *b, uint64_t id, const uint8_t *result, size_t len)
{
	size_t inner = (id != 0 ? 1 + krpc_varint_size(id) : 0) + 1 + krpc_varint_size(len) + len;

	krpc_buf_tag(b, 1, KRPC_WIRE_LEN);
	krpc_buf_varint(b, inner);
	if (id != 0)
		krpc_buf_field_varint(b, 1, id);
	krpc_buf_field_bytes(b, 2, result, len);
}

/* ---- lenient reading ------------------------------------------------------- */

#define WIRE_GROUP_START	3
#define WIRE_GROUP_END		4
#define WIRE_NEST_MAX		32

/* The wire type a field of a shape has; -1 for a field the shape does not have. */
static int
wire_field_type(enum wire_shape shape, uint64_t field)
{
	switch (shape) {
	case WIRE_CONNECTION_REQUEST:	/* type, client_name, client_identifier */
		return field == 1 ? KRPC_WIRE_VARINT : field == 2 || field == 3 ? KRPC_WIRE_LEN : -1;
	case WIRE_REQUEST:		/* calls */
		return field == 1 ? KRPC_WIRE_LEN : -1;
	case WIRE_CALL:			/* service, procedure, arguments, service_id, procedure_id */
		return field >= 1 && field <= 3 ? KRPC_WIRE_LEN : field == 4 || field == 5 ?
		    KRPC_WIRE_VARINT : -1;
	case WIRE_ARGUMENT:		/* position, value, is_null */
		return field == 2 ? KRPC_WIRE_LEN : field == 1 || field == 3 ? KRPC_WIRE_VARINT : -1;
	}
	return -1;
}

/* The shape of a message field, or -1 for scalars, strings and bytes. */
static int
wire_field_shape(enum wire_shape shape, uint64_t field)
{
	if (shape == WIRE_REQUEST && field == 1)
		return WIRE_CALL;
	if (shape == WIRE_CALL && field == 3)
		return WIRE_ARGUMENT;
	return -1;
}

/* Reads a tag or a varint at *off. */
static bool
wire_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	int n = krpc_varint_get(p + *off, len - *off, v);

	if (n <= 0)
		return false;
	*off += (size_t)n;
	return true;
}

/* Skips the value of a field (a group up to its end tag); false if malformed. */
static bool
wire_skip(const uint8_t *p, size_t len, size_t *off, int type, uint64_t field, int depth)
{
	uint64_t v, tag;

	if (type == KRPC_WIRE_VARINT)
		return wire_varint(p, len, off, &v);
	if (type == WIRE_GROUP_START) {
		while (depth < WIRE_NEST_MAX && wire_varint(p, len, off, &tag) && tag >> 3 != 0) {
			if ((tag & 7) == WIRE_GROUP_END)
				return tag >> 3 == field;
			if (!wire_skip(p, len, off, (int)(tag & 7), tag >> 3, depth + 1))
				return false;
		}
		return false;
	}
	if (type == KRPC_WIRE_FIXED64 || type == KRPC_WIRE_FIXED32)
		v = type == KRPC_WIRE_FIXED64 ? 8 : 4;
	else if (type != KRPC_WIRE_LEN || !wire_varint(p, len, off, &v))
		return false;
	if (v > len - *off)
		return false;
	*off += (size_t)v;
	return true;
}

/* Copies the fields of a message that a strict parser takes; false if malformed. */
static bool
wire_copy(enum wire_shape shape, const uint8_t *p, size_t len, krpc_buf_t *out, int depth)
{
	size_t off = 0, at, body;
	uint64_t tag, n;
	krpc_buf_t sub = KRPC_BUF_INIT;
	int type, inner;
	bool ok = true;

	while (ok && off < len) {
		at = off;
		if (!wire_varint(p, len, &off, &tag) || tag >> 3 == 0 || (tag & 7) == WIRE_GROUP_END) {
			ok = false;
			break;
		}
		type = (int)(tag & 7);
		body = off;
		if (!wire_skip(p, len, &off, type, tag >> 3, depth))
			ok = false;
		else if (wire_field_type(shape, tag >> 3) != type)
			continue;	/* skipped like an unknown field */
		else if ((inner = wire_field_shape(shape, tag >> 3)) < 0)
			krpc_buf_append(out, p + at, off - at);
		else if (depth >= WIRE_NEST_MAX || !wire_varint(p, len, &body, &n) ||
		    !wire_copy((enum wire_shape)inner, p + body, (size_t)n, &sub, depth + 1))
			ok = false;
		else {
			krpc_buf_field_bytes(out, (uint32_t)(tag >> 3), sub.data, sub.len);
			krpc_buf_reset(&sub);
		}
	}
	krpc_buf_free(&sub);
	return ok;
}

/*
 * The message without what the server's protobuf runtime skips: fields of a
 * known number but another wire type, and groups (PROTOCOL.md 2).  Strict
 * parsers (protobuf-c) reject them.  False if the bytes are malformed.
 */
bool
wire_clean(enum wire_shape shape, const uint8_t *p, size_t len, krpc_buf_t *out)
{
	bool ok = wire_copy(shape, p, len, out, 0);

	xbuf_check(out);
	return ok;
}

/* A nested ProcedureCall read as the server's parser reads it; NULL if malformed. */
Krpc__Schema__ProcedureCall *
wire_read_call(const uint8_t *p, size_t len)
{
	Krpc__Schema__ProcedureCall *pc = krpc_msg_call_read(p, len, NULL, 0);
	krpc_buf_t clean = KRPC_BUF_INIT;

	if (pc == NULL && wire_clean(WIRE_CALL, p, len, &clean))
		pc = krpc_msg_call_read(clean.len > 0 ? clean.data : p, clean.len, NULL, 0);
	krpc_buf_free(&clean);
	return pc;
}
