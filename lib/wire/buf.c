/*
 * Byte buffers and hand-written protobuf wire primitives shared by the codec,
 * the daemon, the simulator and the client library.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Makes room for n more bytes; false (and the buffer failed) on out-of-memory. */
bool
krpc_buf_reserve(krpc_buf_t *b, size_t n)
{
	size_t cap;
	uint8_t *data;

	if (b->failed)
		return false;
	if (b->cap - b->len >= n)
		return true;
	if (n > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return false;
	}
	cap = b->cap ? b->cap : 64;
	while (cap - b->len < n)
		cap *= 2;
	data = realloc(b->data, cap);
	if (data == NULL) {
		b->failed = true;
		return false;
	}
	b->data = data;
	b->cap = cap;
	return true;
}

/* Appends formatted text, without the terminating NUL. */
void
krpc_buf_printf(krpc_buf_t *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!krpc_buf_reserve(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Appends n bytes. */
void
krpc_buf_append(krpc_buf_t *b, const void *p, size_t n)
{
	if (n == 0 || !krpc_buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* Appends one byte. */
void
krpc_buf_byte(krpc_buf_t *b, uint8_t c)
{
	if (!krpc_buf_reserve(b, 1))
		return;
	b->data[b->len++] = c;
}

/* Appends a varint. */
void
krpc_buf_varint(krpc_buf_t *b, uint64_t v)
{
	if (!krpc_buf_reserve(b, KRPC_VARINT64_MAX))
		return;
	b->len += krpc_varint_put(b->data + b->len, v);
}

/* Appends a field key (number and wire type). */
void
krpc_buf_tag(krpc_buf_t *b, uint32_t number, int wire)
{
	krpc_buf_varint(b, ((uint64_t)number << 3) | (uint64_t)wire);
}

/* Appends a length-delimited field. */
void
krpc_buf_field_bytes(krpc_buf_t *b, uint32_t number, const void *p, size_t n)
{
	krpc_buf_tag(b, number, KRPC_WIRE_LEN);
	krpc_buf_varint(b, n);
	krpc_buf_append(b, p, n);
}

/* Appends a varint field. */
void
krpc_buf_field_varint(krpc_buf_t *b, uint32_t number, uint64_t v)
{
	krpc_buf_tag(b, number, KRPC_WIRE_VARINT);
	krpc_buf_varint(b, v);
}

/* Empties the buffer, keeping its memory, and clears a failure. */
void
krpc_buf_reset(krpc_buf_t *b)
{
	b->len = 0;
	b->failed = false;
}

/* Releases the buffer's memory. */
void
krpc_buf_free(krpc_buf_t *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

/* Hands the contents to the caller (to free()) and empties the buffer. */
uint8_t *
krpc_buf_steal(krpc_buf_t *b, size_t *len)
{
	uint8_t *data = b->data;

	if (b->failed) {
		krpc_buf_free(b);
		*len = 0;
		return NULL;
	}
	if (data == NULL)
		data = malloc(1);
	*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return data;
}

/* Reads the next field of a message. */
int
krpc_pbr_next(krpc_pbr_t *r, krpc_pbr_field_t *f)
{
	uint64_t key, v;
	size_t left;
	int n;

	if (r->off >= r->len)
		return 0;
	n = krpc_varint_get(r->p + r->off, r->len - r->off, &key);
	if (n <= 0 || key >> 3 == 0 || key >> 3 > UINT32_MAX)
		return -1;
	r->off += (size_t)n;
	left = r->len - r->off;
	f->number = (uint32_t)(key >> 3);
	f->wire = (int)(key & 7);
	f->data = r->p + r->off;
	f->varint = 0;
	switch (f->wire) {
	case KRPC_WIRE_VARINT:
		n = krpc_varint_get(r->p + r->off, left, &f->varint);
		if (n <= 0)
			return -1;
		f->len = (size_t)n;
		break;
	case KRPC_WIRE_FIXED64:
		f->len = 8;
		break;
	case KRPC_WIRE_FIXED32:
		f->len = 4;
		break;
	case KRPC_WIRE_LEN:
		n = krpc_varint_get(r->p + r->off, left, &v);
		if (n <= 0 || v > left - (size_t)n)
			return -1;
		r->off += (size_t)n;
		f->data = r->p + r->off;
		f->len = (size_t)v;
		break;
	default:
		return -1;	/* groups (3, 4) and reserved types */
	}
	if (f->len > r->len - r->off)
		return -1;
	r->off += f->len;
	return 1;
}
