/*
 * krpc-sim: protobuf bytes read the way the real server's C# protobuf runtime
 * (Google.Protobuf 3.21 under mono) reads them, with its exception texts:
 * varints of up to ten bytes (cut to 32 bits where the field is 32-bit),
 * lengths that are negative or run past the end, tags of field 0, wire types
 * 6 and 7, unknown fields and groups skipped, end-group tags that do not
 * match.  Argument values (decode.c) and nested procedure calls use it.
 */
#include "config.h"

#include <string.h>

#include "core.h"

#define PBIN_START_GROUP	3
#define PBIN_END_GROUP		4
#define PBIN_RECURSION_LIMIT	100	/* CodedInputStream's default */

/* The runtime's messages (InvalidProtocolBufferException). */
const char pbin_truncated[] = "While parsing a protocol message, the input ended unexpectedly "
    "in the middle of a field.  This could mean either that the input has been truncated or "
    "that an embedded message misreported its own length.";
static const char pbin_malformed_varint[] = "CodedInputStream encountered a malformed varint.";
static const char pbin_invalid_tag[] = "Protocol message contained an invalid tag (zero).";
static const char pbin_invalid_wire_type[] =
    "Protocol message contained a tag with an invalid wire type.";
static const char pbin_negative_size[] = "CodedInputStream encountered an embedded string or "
    "message which claimed to have negative size.";
static const char pbin_end_tag[] = "Protocol message end-group tag did not match expected tag.";
static const char pbin_end_without_start[] = "Merge an unknown field of end-group tag, "
    "indicating that the corresponding start-group was missing.";
static const char pbin_recursion[] = "Protocol message had too many levels of nesting.  May be "
    "malicious.  Use CodedInputStream.SetRecursionLimit() to increase the depth limit.";

/* Fails the read with a message; -1. */
static int
pbin_fail(struct pbin *in, const char *msg)
{
	if (in->err == NULL)
		in->err = msg;
	return -1;
}

/* A reader over len bytes at p. */
void
pbin_init(struct pbin *in, const uint8_t *p, size_t len)
{
	in->p = p;
	in->len = len;
	in->off = 0;
	in->err = NULL;
	in->depth = 0;
}

/* True when every byte has been read. */
bool
pbin_at_end(const struct pbin *in)
{
	return in->off >= in->len;
}

/* ReadRawVarint64: at most ten bytes; bits past 64 are dropped. */
int
pbin_varint64(struct pbin *in, uint64_t *v)
{
	uint64_t r = 0;
	int i;

	for (i = 0; i < 10; i++) {
		if (in->off >= in->len)
			return pbin_fail(in, pbin_truncated);
		r |= (uint64_t)(in->p[in->off] & 0x7f) << (7 * i);
		if ((in->p[in->off++] & 0x80) == 0) {
			*v = r;
			return 0;
		}
	}
	return pbin_fail(in, pbin_malformed_varint);
}

/* ReadRawVarint32: the same bytes as a 64-bit varint, cut to 32 bits. */
int
pbin_varint32(struct pbin *in, uint32_t *v)
{
	uint64_t r;

	if (pbin_varint64(in, &r) != 0)
		return -1;
	*v = (uint32_t)r;
	return 0;
}

/* n little-endian bytes (a fixed32 or fixed64 field). */
int
pbin_fixed(struct pbin *in, size_t n, uint8_t *out)
{
	if (in->len - in->off < n)
		return pbin_fail(in, pbin_truncated);
	memcpy(out, in->p + in->off, n);
	in->off += n;
	return 0;
}

/* A length-delimited value: its length as a C# int, then its bytes (borrowed). */
int
pbin_bytes(struct pbin *in, const uint8_t **p, size_t *len)
{
	uint32_t n;

	if (pbin_varint32(in, &n) != 0)
		return -1;
	if ((int32_t)n < 0)
		return pbin_fail(in, pbin_negative_size);
	if (in->len - in->off < n)
		return pbin_fail(in, pbin_truncated);
	*p = in->p + in->off;
	*len = n;
	in->off += n;
	return 0;
}

/* ReadTag: 0 at the end; a tag of field 0 is an error. */
int
pbin_tag(struct pbin *in, uint32_t *tag)
{
	*tag = 0;
	if (pbin_at_end(in))
		return 0;
	if (pbin_varint32(in, tag) != 0)
		return -1;
	if ((*tag >> 3) == 0)
		return pbin_fail(in, pbin_invalid_tag);
	return 0;
}

/*
 * Skips the value of an unknown field of tag (UnknownFieldSet.MergeFieldFrom).
 * Returns 1 for an end-group tag, which the caller ends a group on.
 */
static int
pbin_skip(struct pbin *in, uint32_t tag)
{
	uint8_t fixed[8];
	const uint8_t *p;
	uint64_t v;
	size_t n;

	switch (tag & 7) {
	case KRPC_WIRE_VARINT:
		return pbin_varint64(in, &v);
	case KRPC_WIRE_FIXED64:
	case KRPC_WIRE_FIXED32:
		return pbin_fixed(in, (tag & 7) == KRPC_WIRE_FIXED64 ? 8 : 4, fixed);
	case KRPC_WIRE_LEN:
		return pbin_bytes(in, &p, &n);
	case PBIN_START_GROUP:
		return pbin_group(in, tag >> 3);
	case PBIN_END_GROUP:
		return 1;
	default:
		return pbin_fail(in, pbin_invalid_wire_type);
	}
}

/* Skips a group of field num up to its end-group tag (ReadGroup). */
int
pbin_group(struct pbin *in, uint32_t num)
{
	uint32_t tag;
	int rc = 0;

	if (in->depth >= PBIN_RECURSION_LIMIT)
		return pbin_fail(in, pbin_recursion);
	in->depth++;
	for (;;) {
		if (pbin_tag(in, &tag) != 0)
			return -1;
		if (tag == 0 || (rc = pbin_skip(in, tag)) != 0)
			break;
	}
	in->depth--;
	if (rc < 0)
		return -1;
	if (tag != ((num << 3) | PBIN_END_GROUP))
		return pbin_fail(in, pbin_end_tag);
	return 0;
}

/*
 * Reads a message to its end: each field whose tag is in tags (wire type
 * included, so a known number with another wire type is an unknown field) is
 * handed to fn, which reads its value; the others are skipped.
 */
int
pbin_message(struct pbin *in, const uint32_t *tags, size_t ntags, pbin_field_fn fn, void *ud)
{
	uint32_t tag;
	size_t i;
	int rc;

	for (;;) {
		if (pbin_tag(in, &tag) != 0)
			return -1;
		if (tag == 0)
			return 0;
		for (i = 0; i < ntags && tags[i] != tag; i++)
			continue;
		if (i < ntags)
			rc = fn(ud, tag, in);
		else if ((rc = pbin_skip(in, tag)) > 0)
			return pbin_fail(in, pbin_end_without_start);
		if (rc != 0)
			return pbin_fail(in, pbin_truncated);	/* fn failed without a message */
	}
}

/* An embedded message's bytes as a reader of their own (ReadMessage's limit). */
int
pbin_sub(struct pbin *in, struct pbin *sub)
{
	const uint8_t *p;
	size_t n;

	if (in->depth >= PBIN_RECURSION_LIMIT)
		return pbin_fail(in, pbin_recursion);
	if (pbin_bytes(in, &p, &n) != 0)
		return -1;
	pbin_init(sub, p, n);
	sub->depth = in->depth + 1;
	return 0;
}
