/*
 * Growable byte buffer and the protobuf wire primitives (varints, zigzag, tags)
 * that the codec writes and reads by hand.  Internal to krpcmux.
 */
#ifndef KRPCMUX_BUF_H
#define KRPCMUX_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A byte buffer.  Appends never fail loudly: on out-of-memory the buffer
 * becomes "failed", later appends do nothing, and the owner checks
 * krpc_buf_ok() once at the end.  Zero-initialisation gives an empty buffer.
 */
typedef struct krpc_buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
	bool	 failed;
} krpc_buf_t;

#define KRPC_BUF_INIT { NULL, 0, 0, false }

/* Protobuf wire types used by the kRPC messages. */
enum {
	KRPC_WIRE_VARINT = 0,
	KRPC_WIRE_FIXED64 = 1,
	KRPC_WIRE_LEN = 2,
	KRPC_WIRE_FIXED32 = 5,
};

/* Longest varint encodings. */
#define KRPC_VARINT64_MAX 10
#define KRPC_VARINT32_MAX 5

bool	 krpc_buf_reserve(krpc_buf_t *, size_t);
void	 krpc_buf_append(krpc_buf_t *, const void *, size_t);
void	 krpc_buf_byte(krpc_buf_t *, uint8_t);
/* Appends formatted text (no NUL). */
void	 krpc_buf_printf(krpc_buf_t *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 krpc_buf_varint(krpc_buf_t *, uint64_t);
void	 krpc_buf_tag(krpc_buf_t *, uint32_t, int);
void	 krpc_buf_field_bytes(krpc_buf_t *, uint32_t, const void *, size_t);
void	 krpc_buf_field_varint(krpc_buf_t *, uint32_t, uint64_t);
void	 krpc_buf_reset(krpc_buf_t *);
void	 krpc_buf_free(krpc_buf_t *);
uint8_t	*krpc_buf_steal(krpc_buf_t *, size_t *);

/* True unless an append ran out of memory. */
static inline bool
krpc_buf_ok(const krpc_buf_t *b)
{
	return !b->failed;
}

/* ZigZag mapping of signed integers (PROTOCOL.md section 5). */
static inline uint64_t
krpc_zigzag64(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
krpc_unzigzag64(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline uint32_t
krpc_zigzag32(int32_t v)
{
	return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
}

static inline int32_t
krpc_unzigzag32(uint32_t v)
{
	return (int32_t)(v >> 1) ^ -(int32_t)(v & 1);
}

/* Little-endian fixed-width integers (DOUBLE and FLOAT travel as these bits). */
static inline void
krpc_put_le64(uint8_t *out, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

static inline void
krpc_put_le32(uint8_t *out, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t
krpc_get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint32_t
krpc_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bytes a varint encoding of v takes. */
static inline size_t
krpc_varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Writes v as a varint into out (room for KRPC_VARINT64_MAX); returns its length. */
static inline size_t
krpc_varint_put(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

/*
 * Reads a 64-bit varint from p[0..avail).  Returns the bytes used, 0 if the
 * input ends inside the varint, or -1 if it is malformed (over ten bytes, or
 * a tenth byte carrying bits beyond 64).
 */
static inline int
krpc_varint_get(const uint8_t *p, size_t avail, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < avail && i < KRPC_VARINT64_MAX; i++) {
		uint8_t b = p[i];

		if (i == KRPC_VARINT64_MAX - 1 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			*out = v;
			return (int)i + 1;
		}
	}
	return i == KRPC_VARINT64_MAX ? -1 : 0;
}

/*
 * A cursor over a protobuf message, for the few messages the codec parses by
 * hand (collections).  Fields are visited in wire order.
 */
typedef struct krpc_pbr {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
} krpc_pbr_t;

typedef struct krpc_pbr_field {
	uint32_t	 number;
	int		 wire;
	uint64_t	 varint;	/* KRPC_WIRE_VARINT */
	const uint8_t	*data;		/* KRPC_WIRE_LEN, FIXED32, FIXED64 */
	size_t		 len;
} krpc_pbr_field_t;

/* Returns 1 with the next field, 0 at the end, -1 on malformed input. */
int	 krpc_pbr_next(krpc_pbr_t *, krpc_pbr_field_t *);

#endif
