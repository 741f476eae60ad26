/*
 * krpc-sim reads ConnectionRequest, Request and ProcedureCall bytes as the
 * real server's protobuf runtime does: a field of a known number but an
 * unexpected wire type, and a group, are skipped like unknown fields rather
 * than failing the message.  wire_clean() rewrites a message without them
 * for protobuf-c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"

#define WIRE_GROUP_START	3
#define WIRE_GROUP_END		4
#define WIRE_DEPTH_MAX		64	/* nested groups and messages */

/* The wire type field num of a message must have; -1 for a field it does not have. */
static int
wire_expected(enum wire_msg m, uint64_t num)
{
	switch (m) {
	case WIRE_CONNECTION_REQUEST:
		if (num == 2 || num == 3)
			return KRPC_WIRE_LEN;	/* client_name, client_identifier */
		return num == 1 ? KRPC_WIRE_VARINT : -1;
	case WIRE_REQUEST:
		return num == 1 ? KRPC_WIRE_LEN : -1;
	case WIRE_CALL:
		if (num >= 1 && num <= 3)
			return KRPC_WIRE_LEN;	/* service, procedure, arguments */
		return num == 4 || num == 5 ? KRPC_WIRE_VARINT : -1;
	case WIRE_ARGUMENT:
		if (num == 2)
			return KRPC_WIRE_LEN;	/* value */
		return num == 1 || num == 3 ? KRPC_WIRE_VARINT : -1;
	}
	return -1;
}

/* The message a length-delimited field holds, or -1 for bytes and strings. */
static int
wire_sub(enum wire_msg m, uint64_t num)
{
	if (m == WIRE_REQUEST && num == 1)
		return WIRE_CALL;
	if (m == WIRE_CALL && num == 3)
		return WIRE_ARGUMENT;
	return -1;
}

/* Reads a varint at *off; -1 if the input ends in it or it is malformed. */
static int
wire_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	int k = krpc_varint_get(p + *off, len - *off, v);

	if (k <= 0)
		return -1;
	*off += (size_t)k;
	return 0;
}

/* Skips the value of a field of wire type wt (a group up to its end); -1 if malformed. */
static int
wire_skip(const uint8_t *p, size_t len, size_t *off, int wt, uint64_t num, int depth)
{
	uint64_t v, tag;

	switch (wt) {
	case KRPC_WIRE_VARINT:
		return wire_varint(p, len, off, &v);
	case KRPC_WIRE_FIXED64:
	case KRPC_WIRE_FIXED32:
		v = wt == KRPC_WIRE_FIXED64 ? 8 : 4;
		break;
	case KRPC_WIRE_LEN:
		if (wire_varint(p, len, off, &v) != 0)
			return -1;
		break;
	case WIRE_GROUP_START:
		if (depth >= WIRE_DEPTH_MAX)
			return -1;
		for (;;) {
			if (wire_varint(p, len, off, &tag) != 0 || (tag >> 3) == 0)
				return -1;
			if ((tag & 7) == WIRE_GROUP_END)
				return (tag >> 3) == num ? 0 : -1;
			if (wire_skip(p, len, off, (int)(tag & 7), tag >> 3, depth + 1) != 0)
				return -1;
		}
	default:
		return -1;
	}
	if (v > len - *off)
		return -1;
	*off += (size_t)v;
	return 0;
}

/* Appends the fields of message m that protobuf-c can read; -1 if malformed. */
static int
wire_copy(enum wire_msg m, const uint8_t *p, size_t len, krpc_buf_t *out, int depth)
{
	krpc_buf_t sub = KRPC_BUF_INIT;
	size_t off = 0, at, body;
	uint64_t tag, n;
	int wt;

	while (off < len) {
		at = off;
		if (wire_varint(p, len, &off, &tag) != 0 || (tag >> 3) == 0)
			return -1;
		wt = (int)(tag & 7);
		body = off;
		if (wt == WIRE_GROUP_END || wire_skip(p, len, &off, wt, tag >> 3, depth) != 0)
			return -1;
		if (wire_expected(m, tag >> 3) != wt)
			continue;	/* skipped, as an unknown field */
		if (wt != KRPC_WIRE_LEN || wire_sub(m, tag >> 3) < 0) {
			krpc_buf_append(out, p + at, off - at);
			continue;
		}
		if (depth >= WIRE_DEPTH_MAX || wire_varint(p, len, &body, &n) != 0 ||
		    wire_copy((enum wire_msg)wire_sub(m, tag >> 3), p + body, (size_t)n, &sub,
		    depth + 1) != 0 || !krpc_buf_ok(&sub)) {
			krpc_buf_free(&sub);
			return -1;
		}
		krpc_buf_field_bytes(out, (uint32_t)(tag >> 3), sub.data, sub.len);
		krpc_buf_reset(&sub);
	}
	krpc_buf_free(&sub);
	return 0;
}

/* ---- public ---------------------------------------------------------- */

/*
 * The message without the fields the real server's parser skips (malloc'd,
 * *outlen bytes), or NULL if the bytes are not a valid message.
 */
uint8_t *
wire_clean(enum wire_msg m, const uint8_t *p, size_t len, size_t *outlen)
{
	krpc_buf_t out = KRPC_BUF_INIT;
	uint8_t *copy;

	if (wire_copy(m, p, len, &out, 0) != 0 || !krpc_buf_ok(&out)) {
		krpc_buf_free(&out);
		return NULL;
	}
	copy = util_calloc(1, out.len + 1);
	if (out.len > 0)
		memcpy(copy, out.data, out.len);
	*outlen = out.len;
	krpc_buf_free(&out);
	return copy;
}
