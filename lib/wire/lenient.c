/*
 * Client messages read as leniently as the kRPC server reads them.  The
 * server parses with Google.Protobuf (C#), which skips a field of a known
 * number but an unexpected wire type, and any group, like an unknown field;
 * protobuf-c refuses both.  This walker accepts what the server accepts,
 * rewrites it for protobuf-c, and words a refusal as the server's runtime
 * does (the text of a handshake's MALFORMED_MESSAGE).  The rules and texts
 * were checked against kRPC's TestServer (Google.Protobuf 3.21).
 */
#include <string.h>

#include "codec.h"

#define LENIENT_GROUP_START	3
#define LENIENT_GROUP_END	4
/*
 * Levels of nesting, messages and groups together, the server accepts:
 * Google.Protobuf refuses to enter a message or a group once 100 levels are
 * open (its default recursion limit; older releases used 64).  Measured on
 * kRPC's TestServer: a ConnectionRequest holding 100 nested groups is
 * served and one holding 101 refused; inside a ProcedureCall (one level
 * down) 99 pass, inside an Argument (two down) 98.  The proxy's reader
 * stopped at 32 and the simulator's at 64 before both became this one.
 */
#define LENIENT_DEPTH_MAX	100

static const char lenient_truncated[] = "While parsing a protocol message, the input ended "
    "unexpectedly in the middle of a field.  This could mean either that the input has been "
    "truncated or that an embedded message misreported its own length.";
static const char lenient_bad_varint[] = "CodedInputStream encountered a malformed varint.";
static const char lenient_zero_tag[] = "Protocol message contained an invalid tag (zero).";
static const char lenient_bad_wire[] =
    "Protocol message contained a tag with an invalid wire type.";
static const char lenient_negative[] = "CodedInputStream encountered an embedded string or "
    "message which claimed to have negative size.";
static const char lenient_stray_end[] = "Merge an unknown field of end-group tag, indicating "
    "that the corresponding start-group was missing.";
static const char lenient_end_mismatch[] =
    "Protocol message end-group tag did not match expected tag.";
static const char lenient_too_deep[] = "Protocol message had too many levels of nesting.  "
    "May be malicious.  Use CodedInputStream.SetRecursionLimit() to increase the depth limit.";
/* For bytes the walker takes but protobuf-c still refuses (out of memory). */
static const char lenient_invalid[] = "Protocol message contained an invalid field.";

static const ProtobufCMessageDescriptor *const lenient_descriptors[] = {
	[KRPC_LENIENT_CONNECTION_REQUEST] = &krpc__schema__connection_request__descriptor,
	[KRPC_LENIENT_REQUEST] = &krpc__schema__request__descriptor,
	[KRPC_LENIENT_CALL] = &krpc__schema__procedure_call__descriptor,
	[KRPC_LENIENT_ARGUMENT] = &krpc__schema__argument__descriptor,
	[KRPC_LENIENT_ITEMS] = &krpc__schema__list__descriptor,
	[KRPC_LENIENT_DICTIONARY] = &krpc__schema__dictionary__descriptor,
	[KRPC_LENIENT_DICTIONARY_ENTRY] = &krpc__schema__dictionary_entry__descriptor,
};

/* A cursor over the body of one message, and where a refusal's text goes. */
struct lenient {
	const uint8_t	 *p;
	size_t		  len;
	size_t		  off;
	const char	**why;
};

static bool	lenient_skip(struct lenient *, uint32_t, int);

/* The wire type field f of a shape has; -1 for a field the shape does not have. */
static int
lenient_field_type(enum krpc_lenient_shape shape, uint32_t f)
{
	switch (shape) {
	case KRPC_LENIENT_CONNECTION_REQUEST:	/* type, client_name, client_identifier */
		return f == 1 ? KRPC_WIRE_VARINT : f == 2 || f == 3 ? KRPC_WIRE_LEN : -1;
	case KRPC_LENIENT_REQUEST:		/* calls */
		return f == 1 ? KRPC_WIRE_LEN : -1;
	case KRPC_LENIENT_CALL:	/* service, procedure, arguments, service_id, procedure_id */
		return f >= 1 && f <= 3 ? KRPC_WIRE_LEN : f == 4 || f == 5 ? KRPC_WIRE_VARINT : -1;
	case KRPC_LENIENT_ARGUMENT:		/* position, value, is_null */
		return f == 2 ? KRPC_WIRE_LEN : f == 1 || f == 3 ? KRPC_WIRE_VARINT : -1;
	case KRPC_LENIENT_ITEMS:		/* items */
	case KRPC_LENIENT_DICTIONARY:		/* entries */
		return f == 1 ? KRPC_WIRE_LEN : -1;
	case KRPC_LENIENT_DICTIONARY_ENTRY:	/* key, value */
		return f == 1 || f == 2 ? KRPC_WIRE_LEN : -1;
	}
	return -1;
}

/* The shape of a message field, or -1 for scalars, strings and bytes. */
static int
lenient_field_shape(enum krpc_lenient_shape shape, uint32_t f)
{
	if (shape == KRPC_LENIENT_REQUEST && f == 1)
		return KRPC_LENIENT_CALL;
	if (shape == KRPC_LENIENT_CALL && f == 3)
		return KRPC_LENIENT_ARGUMENT;
	if (shape == KRPC_LENIENT_DICTIONARY && f == 1)
		return KRPC_LENIENT_DICTIONARY_ENTRY;
	return -1;
}

/* Records why the server would refuse the bytes; always false. */
static bool
lenient_fail(struct lenient *r, const char *why)
{
	*r->why = why;
	return false;
}

/* Reads a varint as the runtime does: at most ten bytes, bits past 64 dropped. */
static bool
lenient_varint(struct lenient *r, uint64_t *v)
{
	unsigned i;
	uint8_t b;

	*v = 0;
	for (i = 0; i < 10; i++) {
		if (r->off >= r->len)
			return lenient_fail(r, lenient_truncated);
		b = r->p[r->off++];
		*v |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0)
			return true;
	}
	return lenient_fail(r, lenient_bad_varint);
}

/* Reads a tag, kept to 32 bits as the runtime keeps it; field number 0 is refused. */
static bool
lenient_tag(struct lenient *r, uint32_t *tag)
{
	uint64_t v;

	if (!lenient_varint(r, &v))
		return false;
	*tag = (uint32_t)v;
	if (*tag >> 3 == 0)
		return lenient_fail(r, lenient_zero_tag);
	return true;
}

/* Reads a length (an int32 to the runtime) whose bytes must all be there. */
static bool
lenient_length(struct lenient *r, size_t *n)
{
	uint64_t v;

	if (!lenient_varint(r, &v))
		return false;
	if ((uint32_t)v > INT32_MAX)
		return lenient_fail(r, lenient_negative);
	if ((uint32_t)v > r->len - r->off)
		return lenient_fail(r, lenient_truncated);
	*n = (uint32_t)v;
	return true;
}

/* Skips a group up to its end tag; depth is the number of levels open around it. */
static bool
lenient_skip_group(struct lenient *r, uint32_t tag, int depth)
{
	uint32_t inner;

	if (depth >= LENIENT_DEPTH_MAX)
		return lenient_fail(r, lenient_too_deep);
	while (r->off < r->len) {
		if (!lenient_tag(r, &inner))
			return false;
		if ((inner & 7) == LENIENT_GROUP_END)
			return inner >> 3 == tag >> 3 || lenient_fail(r, lenient_end_mismatch);
		if (!lenient_skip(r, inner, depth + 1))
			return false;
	}
	return lenient_fail(r, lenient_end_mismatch);	/* the input ended inside */
}

/* Skips the value of the field whose tag was just read. */
static bool
lenient_skip(struct lenient *r, uint32_t tag, int depth)
{
	uint64_t v;
	size_t n;

	switch (tag & 7) {
	case KRPC_WIRE_VARINT:
		return lenient_varint(r, &v);
	case KRPC_WIRE_FIXED64:
	case KRPC_WIRE_FIXED32:
		n = (tag & 7) == KRPC_WIRE_FIXED64 ? 8 : 4;
		if (n > r->len - r->off)
			return lenient_fail(r, lenient_truncated);
		break;
	case KRPC_WIRE_LEN:
		if (!lenient_length(r, &n))
			return false;
		break;
	case LENIENT_GROUP_START:
		return lenient_skip_group(r, tag, depth);
	case LENIENT_GROUP_END:
		return lenient_fail(r, lenient_stray_end);
	default:
		return lenient_fail(r, lenient_bad_wire);
	}
	r->off += n;
	return true;
}

static bool	lenient_copy(enum krpc_lenient_shape, struct lenient *, krpc_buf_t *, int);

/*
 * Appends a length-delimited field the shape has, already skipped from body
 * to r->off: bytes and strings as they are, a message cleaned in turn.
 */
static bool
lenient_copy_len(enum krpc_lenient_shape shape, struct lenient *r, size_t body, uint32_t f,
    krpc_buf_t *out, int depth)
{
	struct lenient sub = { r->p, r->off, body, r->why };
	krpc_buf_t inner = KRPC_BUF_INIT;
	int s = lenient_field_shape(shape, f);
	uint64_t n;
	bool ok;

	lenient_varint(&sub, &n);	/* the length, checked by lenient_skip() */
	if (s < 0) {
		krpc_buf_field_bytes(out, f, r->p + sub.off, r->off - sub.off);
		return true;
	}
	if (depth >= LENIENT_DEPTH_MAX)
		return lenient_fail(r, lenient_too_deep);
	sub = (struct lenient){ r->p + sub.off, r->off - sub.off, 0, r->why };
	if ((ok = lenient_copy((enum krpc_lenient_shape)s, &sub, &inner, depth + 1)))
		krpc_buf_field_bytes(out, f, inner.data, inner.len);
	if (!krpc_buf_ok(&inner))
		out->failed = true;
	krpc_buf_free(&inner);
	return ok;
}

/* Appends the fields of one message that a strict parser takes, tags made canonical. */
static bool
lenient_copy(enum krpc_lenient_shape shape, struct lenient *r, krpc_buf_t *out, int depth)
{
	uint32_t tag;
	size_t body;

	while (r->off < r->len) {
		if (!lenient_tag(r, &tag))
			return false;
		body = r->off;
		if (!lenient_skip(r, tag, depth))
			return false;
		if (lenient_field_type(shape, tag >> 3) != (int)(tag & 7))
			continue;	/* skipped, like an unknown field */
		if ((tag & 7) == KRPC_WIRE_LEN) {
			if (!lenient_copy_len(shape, r, body, tag >> 3, out, depth))
				return false;
			continue;
		}
		krpc_buf_tag(out, tag >> 3, (int)(tag & 7));
		krpc_buf_append(out, r->p + body, r->off - body);
	}
	return true;
}

/*
 * Whether protobuf-c kept a field of m, or of a message inside it, as
 * unknown.  Such a message is read again through the walker: protobuf-c
 * reads an over-long tag (five bytes and more) as another field than the
 * server, which keeps a tag's low 32 bits.  Ordinary messages have none.
 */
static bool
lenient_unknown(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const ProtobufCFieldDescriptor *f;
	ProtobufCMessage *const *sub;
	size_t i, j, n;

	if (m->n_unknown_fields > 0)
		return true;
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		sub = (ProtobufCMessage *const *)((const char *)m + f->offset);
		n = 1;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)((const char *)m + f->quantifier_offset);
			sub = *(ProtobufCMessage *const *const *)sub;
		}
		for (j = 0; j < n; j++) {
			if (sub[j] != NULL && lenient_unknown(sub[j]))
				return true;
		}
	}
	return false;
}

/* ---- public -------------------------------------------------------------- */

/* Appends the message as a strict parser can read it; false with the server's words if malformed. */
bool
krpc_lenient_clean(enum krpc_lenient_shape shape, const uint8_t *p, size_t len, krpc_buf_t *out,
    const char **why)
{
	const char *reason = lenient_invalid;
	struct lenient r = { p, len, 0, &reason };
	bool ok = lenient_copy(shape, &r, out, 0);

	if (!ok && why != NULL)
		*why = reason;
	return ok;
}

/*
 * The message as the server reads it; NULL with the server's words if
 * malformed.  protobuf-c reads it first: only bytes it refuses, or reads
 * with unknown fields, go through the walker.
 */
ProtobufCMessage *
krpc_lenient_read(enum krpc_lenient_shape shape, const uint8_t *p, size_t len, const char **why)
{
	const ProtobufCMessageDescriptor *d = lenient_descriptors[shape];
	ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, len, p);
	krpc_buf_t clean = KRPC_BUF_INIT;
	const char *reason = lenient_invalid;

	if (m != NULL && lenient_unknown(m)) {
		protobuf_c_message_free_unpacked(m, NULL);
		m = NULL;
	}
	if (m == NULL && krpc_lenient_clean(shape, p, len, &clean, &reason) && krpc_buf_ok(&clean))
		m = protobuf_c_message_unpack(d, NULL, clean.len, clean.len > 0 ? clean.data : p);
	krpc_buf_free(&clean);
	if (m == NULL && why != NULL)
		*why = reason;
	return m;
}

/* A varint from the front of a value's bytes. */
bool
krpc_lenient_varint(const uint8_t *p, size_t len, uint64_t *v, const char **why)
{
	const char *reason = lenient_invalid;
	struct lenient r = { p, len, 0, &reason };
	bool ok = lenient_varint(&r, v);

	if (!ok && why != NULL)
		*why = reason;
	return ok;
}

/* Whether len bytes hold a fixed-size value of n bytes. */
bool
krpc_lenient_fixed(size_t len, size_t n, const char **why)
{
	if (len >= n)
		return true;
	if (why != NULL)
		*why = lenient_truncated;
	return false;
}

/* A length and its bytes from the front of a value's bytes. */
bool
krpc_lenient_bytes(const uint8_t *p, size_t len, const uint8_t **data, size_t *n,
    const char **why)
{
	const char *reason = lenient_invalid;
	struct lenient r = { p, len, 0, &reason };
	bool ok = lenient_length(&r, n);

	if (ok)
		*data = p + r.off;
	else if (why != NULL)
		*why = reason;
	return ok;
}
