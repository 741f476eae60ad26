/*
 * kRPC framing (PROTOCOL.md section 1): every message travels as a varint
 * length prefix (at most five bytes, value a non-negative int32) followed by
 * that many bytes of protobuf.  No I/O here: the daemon parses prefixes in
 * its own buffers, the client library and the tests use the incremental
 * decoder.
 */
#ifndef KRPCMUX_FRAME_H
#define KRPCMUX_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "buf.h"

#define KRPC_FRAME_PREFIX_MAX	5
#define KRPC_FRAME_LEN_LIMIT	((size_t)INT32_MAX)

typedef enum krpc_frame_rc {
	KRPC_FRAME_OK = 0,	/* a whole message is available */
	KRPC_FRAME_NEED_MORE,	/* the input ends inside a prefix or body */
	KRPC_FRAME_BAD_PREFIX,	/* over five bytes, or not a non-negative int32 */
	KRPC_FRAME_TOO_LARGE,	/* the prefix announces more than the maximum */
} krpc_frame_rc_t;

/* A short description of a framing result (static storage). */
const char	*krpc_frame_rc_str(krpc_frame_rc_t);

/*
 * Parses a length prefix at p[0..avail).  On KRPC_FRAME_OK sets the body
 * length and the prefix length; the body may still be incomplete (the caller
 * compares avail with prefix + body).  max is the largest body accepted.
 */
krpc_frame_rc_t	 krpc_frame_prefix(const uint8_t *p, size_t avail, size_t max,
		    size_t *body_len, size_t *prefix_len);
/* Appends prefix and body as one contiguous frame. */
void		 krpc_frame_append(krpc_buf_t *, const void *body, size_t len);
/* Appends a protobuf message as one contiguous frame. */
void		 krpc_frame_pack(krpc_buf_t *, const ProtobufCMessage *);

/*
 * The incremental decoder: feed it chunks of any size, take whole messages
 * out.  Once it has reported an error it keeps reporting it.
 */
typedef struct krpc_framer krpc_framer_t;

krpc_framer_t	*krpc_framer_new(size_t max);
void		 krpc_framer_free(krpc_framer_t *);
/* Buffers a chunk; false on out-of-memory (the chunk is not kept). */
bool		 krpc_framer_feed(krpc_framer_t *, const void *, size_t);
/*
 * The next whole message: its body stays valid until the next call on the
 * framer.  NEED_MORE when none is complete; an error when the stream is bad.
 */
krpc_frame_rc_t	 krpc_framer_next(krpc_framer_t *, const uint8_t **body, size_t *len);
/* Bytes buffered but not yet returned. */
size_t		 krpc_framer_pending(const krpc_framer_t *);

#endif
