/*
 * Length-prefixed framing of kRPC messages: prefix parsing, frame encoding,
 * and an incremental decoder that accepts input in chunks of any size.
 */
#include <stdlib.h>
#include <string.h>

#include "frame.h"

struct krpc_framer {
	krpc_buf_t	 in;
	size_t		 start;		/* first byte not yet returned */
	size_t		 max;
	krpc_frame_rc_t	 error;		/* sticky once set */
};

const char *
krpc_frame_rc_str(krpc_frame_rc_t rc)
{
	switch (rc) {
	case KRPC_FRAME_OK: return "ok";
	case KRPC_FRAME_NEED_MORE: return "incomplete message";
	case KRPC_FRAME_BAD_PREFIX: return "malformed length prefix";
	case KRPC_FRAME_TOO_LARGE: return "message larger than the maximum";
	}
	return "unknown framing result";
}

/* Parses a length prefix. */
krpc_frame_rc_t
krpc_frame_prefix(const uint8_t *p, size_t avail, size_t max, size_t *body_len,
    size_t *prefix_len)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < KRPC_FRAME_PREFIX_MAX; i++) {
		if (i == avail)
			return KRPC_FRAME_NEED_MORE;
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0)
			break;
	}
	if (i == KRPC_FRAME_PREFIX_MAX || v > KRPC_FRAME_LEN_LIMIT)
		return KRPC_FRAME_BAD_PREFIX;
	if (v > max)
		return KRPC_FRAME_TOO_LARGE;
	*body_len = (size_t)v;
	*prefix_len = i + 1;
	return KRPC_FRAME_OK;
}

/* Appends a frame holding body. */
void
krpc_frame_append(krpc_buf_t *b, const void *body, size_t len)
{
	if (!krpc_buf_reserve(b, KRPC_FRAME_PREFIX_MAX + len))
		return;
	krpc_buf_varint(b, len);
	krpc_buf_append(b, body, len);
}

/* Appends a frame holding a packed protobuf message, packed in place. */
void
krpc_frame_pack(krpc_buf_t *b, const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);

	if (len > KRPC_FRAME_LEN_LIMIT || !krpc_buf_reserve(b, KRPC_FRAME_PREFIX_MAX + len)) {
		b->failed = true;
		return;
	}
	krpc_buf_varint(b, len);
	b->len += protobuf_c_message_pack(msg, b->data + b->len);
}

krpc_framer_t *
krpc_framer_new(size_t max)
{
	krpc_framer_t *f = calloc(1, sizeof *f);

	if (f != NULL)
		f->max = max < KRPC_FRAME_LEN_LIMIT ? max : KRPC_FRAME_LEN_LIMIT;
	return f;
}

void
krpc_framer_free(krpc_framer_t *f)
{
	if (f == NULL)
		return;
	krpc_buf_free(&f->in);
	free(f);
}

/* Buffers a chunk, first dropping what was already returned. */
bool
krpc_framer_feed(krpc_framer_t *f, const void *p, size_t len)
{
	if (len == 0)
		return true;
	/* Compact when half the buffer is spent or room is short: amortised O(1) per byte. */
	if (f->start > 0 && (f->start >= f->in.len / 2 || f->in.cap - f->in.len < len)) {
		memmove(f->in.data, f->in.data + f->start, f->in.len - f->start);
		f->in.len -= f->start;
		f->start = 0;
	}
	if (!krpc_buf_reserve(&f->in, len)) {
		f->in.failed = false;	/* the chunk is lost, the buffer is intact */
		return false;
	}
	krpc_buf_append(&f->in, p, len);
	return true;
}

/* Returns the next whole message, if any. */
krpc_frame_rc_t
krpc_framer_next(krpc_framer_t *f, const uint8_t **body, size_t *len)
{
	size_t avail = f->in.len - f->start, blen, plen;
	krpc_frame_rc_t rc;

	if (f->error != KRPC_FRAME_OK)
		return f->error;
	if (avail == 0)
		return KRPC_FRAME_NEED_MORE;
	rc = krpc_frame_prefix(f->in.data + f->start, avail, f->max, &blen, &plen);
	if (rc == KRPC_FRAME_BAD_PREFIX || rc == KRPC_FRAME_TOO_LARGE)
		f->error = rc;
	if (rc != KRPC_FRAME_OK)
		return rc;
	if (avail - plen < blen)
		return KRPC_FRAME_NEED_MORE;
	*body = f->in.data + f->start + plen;
	*len = blen;
	f->start += plen + blen;
	return KRPC_FRAME_OK;
}

size_t
krpc_framer_pending(const krpc_framer_t *f)
{
	return f->in.len - f->start;
}
