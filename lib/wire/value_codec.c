/*
 * The bare-value encoding of kRPC values, PROTOCOL.md section 5: scalars,
 * strings, objects, enums, messages, and collections as
 * Tuple/List/Set/Dictionary messages, read as leniently as protobuf reads.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value_impl.h"

/* Deepest nesting the encoder and decoder accept. */
#define VALUE_DEPTH_MAX 32

static void value_why(char *, size_t, const char *, ...) __attribute__((format(printf, 3, 4)));

/* Records why decoding failed. */
static void
value_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* ---- encoding ------------------------------------------------------- */

static void value_write_depth(const krpc_value_t *, krpc_buf_t *, int);

/* Writes a collection as a Tuple/List/Set (field 1 items) or Dictionary. */
static void
value_write_coll(const krpc_value_t *v, krpc_buf_t *b, int depth)
{
	krpc_buf_t item = KRPC_BUF_INIT, entry = KRPC_BUF_INIT;
	size_t i;

	if (v->code != KRPC_TYPE_DICTIONARY) {
		for (i = 0; i < v->u.coll.n; i++) {
			krpc_buf_reset(&item);
			value_write_depth(v->u.coll.items[i], &item, depth + 1);
			if (!krpc_buf_ok(&item))
				b->failed = true;
			krpc_buf_field_bytes(b, 1, item.data, item.len);
		}
		krpc_buf_free(&item);
		return;
	}
	for (i = 0; i + 1 < v->u.coll.n; i += 2) {
		krpc_buf_reset(&entry);
		krpc_buf_reset(&item);
		value_write_depth(v->u.coll.items[i], &item, depth + 1);
		krpc_buf_field_bytes(&entry, 1, item.data, item.len);
		if (!krpc_buf_ok(&item))
			b->failed = true;
		krpc_buf_reset(&item);
		value_write_depth(v->u.coll.items[i + 1], &item, depth + 1);
		krpc_buf_field_bytes(&entry, 2, item.data, item.len);
		if (!krpc_buf_ok(&item) || !krpc_buf_ok(&entry))
			b->failed = true;
		krpc_buf_field_bytes(b, 1, entry.data, entry.len);
	}
	krpc_buf_free(&item);
	krpc_buf_free(&entry);
}

static void
value_write_depth(const krpc_value_t *v, krpc_buf_t *b, int depth)
{
	uint8_t fixed[8];
	uint64_t bits64;
	uint32_t bits32;

	if (depth > VALUE_DEPTH_MAX) {
		b->failed = true;
		return;
	}
	if (v->null)
		return;
	switch (v->code) {
	case KRPC_TYPE_DOUBLE:
		memcpy(&bits64, &v->u.d, 8);
		krpc_put_le64(fixed, bits64);
		krpc_buf_append(b, fixed, 8);
		break;
	case KRPC_TYPE_FLOAT:
		memcpy(&bits32, &v->u.f, 4);
		krpc_put_le32(fixed, bits32);
		krpc_buf_append(b, fixed, 4);
		break;
	case KRPC_TYPE_SINT32:
	case KRPC_TYPE_ENUMERATION:
		krpc_buf_varint(b, krpc_zigzag32((int32_t)v->u.i));
		break;
	case KRPC_TYPE_SINT64:
		krpc_buf_varint(b, krpc_zigzag64(v->u.i));
		break;
	case KRPC_TYPE_UINT32:
	case KRPC_TYPE_UINT64:
	case KRPC_TYPE_CLASS:
		krpc_buf_varint(b, v->u.u);
		break;
	case KRPC_TYPE_BOOL:
		krpc_buf_byte(b, v->u.b ? 1 : 0);
		break;
	case KRPC_TYPE_STRING:
	case KRPC_TYPE_BYTES:
		krpc_buf_varint(b, v->u.bytes.len);
		krpc_buf_append(b, v->u.bytes.data, v->u.bytes.len);
		break;
	case KRPC_TYPE_EVENT:
	case KRPC_TYPE_PROCEDURE_CALL:
	case KRPC_TYPE_STREAM:
	case KRPC_TYPE_STATUS:
	case KRPC_TYPE_SERVICES:
		krpc_buf_append(b, v->u.bytes.data, v->u.bytes.len);
		break;
	case KRPC_TYPE_TUPLE:
	case KRPC_TYPE_LIST:
	case KRPC_TYPE_SET:
	case KRPC_TYPE_STRUCT:
	case KRPC_TYPE_DICTIONARY:
		value_write_coll(v, b, depth);
		break;
	default:
		b->failed = true;	/* NONE has no encoding */
		break;
	}
}

/* ---- decoding ------------------------------------------------------- */

struct value_reader {
	char	*why;
	size_t	 whylen;
};

static krpc_code_t value_read(struct value_reader *, const krpc_type_t *,
    const uint8_t *, size_t, krpc_value_t **, int);

/* Reads a varint that must fill the whole input. */
static krpc_code_t
value_read_varint(struct value_reader *r, const krpc_type_t *t, const uint8_t *p,
    size_t len, uint64_t max, uint64_t *out)
{
	int n = krpc_varint_get(p, len, out);

	if (n <= 0 || (size_t)n != len || *out > max) {
		value_why(r->why, r->whylen, "malformed %s value (%zu bytes)",
		    krpc_type_code_name(krpc_type_code(t)), len);
		return KRPC_ERR_MALFORMED;
	}
	return KRPC_OK;
}

/* Reads a Tuple/List/Set message into v using item type(s). */
static krpc_code_t
value_read_items(struct value_reader *r, const krpc_type_t *t, const uint8_t *p,
    size_t len, krpc_value_t *v, int depth)
{
	krpc_pbr_t pr = { p, len, 0 };
	krpc_pbr_field_t f;
	const krpc_type_t *it;
	krpc_value_t *item;
	krpc_code_t rc;
	int more;

	while ((more = krpc_pbr_next(&pr, &f)) == 1) {
		if (f.number != 1)
			continue;	/* unknown field: skipped, as protobuf does */
		if (f.wire != KRPC_WIRE_LEN)
			goto malformed;
		if (v->code == KRPC_TYPE_LIST || v->code == KRPC_TYPE_SET)
			it = krpc_type_sub(t, 0);
		else
			it = krpc_type_sub(t, v->u.coll.n);
		if (it == NULL) {
			if (v->code == KRPC_TYPE_STRUCT)
				continue;	/* fields appended by a newer server */
			value_why(r->why, r->whylen, "tuple has more than %zu items",
			    krpc_type_count(t));
			return KRPC_ERR_MALFORMED;
		}
		if ((rc = value_read(r, it, f.data, f.len, &item, depth + 1)) != KRPC_OK)
			return rc;
		if ((rc = value_push(v, item)) != KRPC_OK)
			return rc;
	}
	if (more < 0)
		goto malformed;
	if ((v->code == KRPC_TYPE_TUPLE || v->code == KRPC_TYPE_STRUCT) &&
	    v->u.coll.n < krpc_type_count(t)) {
		if (v->code == KRPC_TYPE_STRUCT)
			value_why(r->why, r->whylen, "Value for %s.%s has %zu fields; expected at least %zu",
			    krpc_type_service(t), krpc_type_name(t), v->u.coll.n, krpc_type_count(t));
		else
			value_why(r->why, r->whylen, "tuple has %zu items; expected %zu",
			    v->u.coll.n, krpc_type_count(t));
		return KRPC_ERR_MALFORMED;
	}
	return KRPC_OK;
malformed:
	value_why(r->why, r->whylen, "malformed %s message", krpc_type_code_name(v->code));
	return KRPC_ERR_MALFORMED;
}

/* Reads a Dictionary message into v. */
static krpc_code_t
value_read_dict(struct value_reader *r, const krpc_type_t *t, const uint8_t *p,
    size_t len, krpc_value_t *v, int depth)
{
	krpc_pbr_t pr = { p, len, 0 }, er;
	krpc_pbr_field_t f, ef;
	const uint8_t *kv[2];
	size_t kvlen[2];
	krpc_value_t *item;
	krpc_code_t rc;
	int more, i;

	while ((more = krpc_pbr_next(&pr, &f)) == 1) {
		if (f.number != 1)
			continue;
		if (f.wire != KRPC_WIRE_LEN)
			goto malformed;
		kv[0] = kv[1] = f.data;
		kvlen[0] = kvlen[1] = 0;	/* absent key/value: empty bytes */
		er = (krpc_pbr_t){ f.data, f.len, 0 };
		while ((more = krpc_pbr_next(&er, &ef)) == 1) {
			if (ef.number != 1 && ef.number != 2)
				continue;
			if (ef.wire != KRPC_WIRE_LEN)
				goto malformed;
			kv[ef.number - 1] = ef.data;
			kvlen[ef.number - 1] = ef.len;
		}
		if (more < 0)
			goto malformed;
		for (i = 0; i < 2; i++) {
			rc = value_read(r, krpc_type_sub(t, (size_t)i), kv[i], kvlen[i], &item, depth + 1);
			if (rc != KRPC_OK)
				return rc;
			if ((rc = value_push(v, item)) != KRPC_OK)
				return rc;
		}
	}
	if (more < 0)
		goto malformed;
	return KRPC_OK;
malformed:
	value_why(r->why, r->whylen, "malformed DICTIONARY message");
	return KRPC_ERR_MALFORMED;
}

static krpc_code_t
value_read_coll(struct value_reader *r, const krpc_type_t *t, const uint8_t *p,
    size_t len, krpc_value_t **out, int depth)
{
	krpc_type_code_t code = krpc_type_code(t);
	krpc_value_t *v;
	krpc_code_t rc;

	if ((code == KRPC_TYPE_LIST || code == KRPC_TYPE_SET) && krpc_type_count(t) != 1)
		goto badtype;
	if (code == KRPC_TYPE_DICTIONARY && krpc_type_count(t) != 2)
		goto badtype;
	if ((code == KRPC_TYPE_TUPLE || code == KRPC_TYPE_STRUCT) && krpc_type_count(t) == 0)
		goto badtype;
	if ((v = value_new(code)) == NULL)
		return KRPC_ERR_NOMEM;
	if (code == KRPC_TYPE_DICTIONARY)
		rc = value_read_dict(r, t, p, len, v, depth);
	else
		rc = value_read_items(r, t, p, len, v, depth);
	if (rc != KRPC_OK) {
		krpc_value_free(v);
		return rc;
	}
	*out = v;
	return KRPC_OK;
badtype:
	if (code == KRPC_TYPE_STRUCT)
		value_why(r->why, r->whylen, "the fields of struct %s.%s are not known",
		    krpc_type_service(t), krpc_type_name(t));
	else
		value_why(r->why, r->whylen, "%s type without its item types", krpc_type_code_name(code));
	return KRPC_ERR_TYPE;
}

/* Reads a scalar whose encoding is a varint. */
static krpc_code_t
value_read_scalar(struct value_reader *r, const krpc_type_t *t, const uint8_t *p,
    size_t len, krpc_value_t *v)
{
	uint64_t u;
	krpc_code_t rc;

	switch (v->code) {
	case KRPC_TYPE_SINT32:
	case KRPC_TYPE_ENUMERATION:
		rc = value_read_varint(r, t, p, len, UINT32_MAX, &u);
		v->u.i = krpc_unzigzag32((uint32_t)u);
		return rc;
	case KRPC_TYPE_SINT64:
		rc = value_read_varint(r, t, p, len, UINT64_MAX, &u);
		v->u.i = krpc_unzigzag64(u);
		return rc;
	case KRPC_TYPE_UINT32:
		return value_read_varint(r, t, p, len, UINT32_MAX, &v->u.u);
	case KRPC_TYPE_UINT64:
	case KRPC_TYPE_CLASS:
		return value_read_varint(r, t, p, len, UINT64_MAX, &v->u.u);
	case KRPC_TYPE_BOOL:
		rc = value_read_varint(r, t, p, len, UINT64_MAX, &u);
		v->u.b = u != 0;
		return rc;
	case KRPC_TYPE_DOUBLE:
	case KRPC_TYPE_FLOAT:
		if (len != (v->code == KRPC_TYPE_DOUBLE ? 8u : 4u)) {
			value_why(r->why, r->whylen, "malformed %s value (%zu bytes)",
			    krpc_type_code_name(v->code), len);
			return KRPC_ERR_MALFORMED;
		}
		if (v->code == KRPC_TYPE_DOUBLE) {
			u = krpc_get_le64(p);
			memcpy(&v->u.d, &u, 8);
		} else {
			uint32_t bits = krpc_get_le32(p);

			memcpy(&v->u.f, &bits, 4);
		}
		return KRPC_OK;
	default:
		value_why(r->why, r->whylen, "cannot decode a value of type %s",
		    krpc_type_code_name(v->code) ? krpc_type_code_name(v->code) : "unknown");
		return KRPC_ERR_TYPE;
	}
}

static krpc_code_t
value_read(struct value_reader *r, const krpc_type_t *t, const uint8_t *p, size_t len,
    krpc_value_t **out, int depth)
{
	krpc_type_code_t code;
	krpc_value_t *v;
	krpc_code_t rc;
	uint64_t slen;
	int n;

	if (t == NULL) {
		value_why(r->why, r->whylen, "no type to decode with");
		return KRPC_ERR_TYPE;
	}
	if (depth > VALUE_DEPTH_MAX) {
		value_why(r->why, r->whylen, "value nested too deeply");
		return KRPC_ERR_MALFORMED;
	}
	code = krpc_type_code(t);
	if (value_is_coll(code))
		return value_read_coll(r, t, p, len, out, depth);
	if (code == KRPC_TYPE_STRING || code == KRPC_TYPE_BYTES) {
		n = krpc_varint_get(p, len, &slen);
		if (n <= 0 || slen != len - (size_t)n) {
			value_why(r->why, r->whylen, "malformed %s value (%zu bytes)",
			    krpc_type_code_name(code), len);
			return KRPC_ERR_MALFORMED;
		}
		*out = value_new_bytes(code, p + n, (size_t)slen);
		return *out ? KRPC_OK : KRPC_ERR_NOMEM;
	}
	if (value_is_bytes(code)) {
		*out = value_new_bytes(code, p, len);
		return *out ? KRPC_OK : KRPC_ERR_NOMEM;
	}
	if ((v = value_new(code)) == NULL)
		return KRPC_ERR_NOMEM;
	if ((rc = value_read_scalar(r, t, p, len, v)) != KRPC_OK) {
		free(v);
		return rc;
	}
	*out = v;
	return KRPC_OK;
}

/* ---- public: encoding ----------------------------------------------- */

/* Appends the bare encoding of v to b (internal form of krpc_value_encode). */
void
krpc_value_write(const krpc_value_t *v, krpc_buf_t *b)
{
	value_write_depth(v, b, 0);
}

krpc_code_t
krpc_value_encode(const krpc_value_t *v, uint8_t **out, size_t *len)
{
	krpc_buf_t b = KRPC_BUF_INIT;

	if (v == NULL || out == NULL || len == NULL)
		return krpc_wire_fail(KRPC_ERR_ARG, "no value or no place for its bytes");
	if (!v->null && v->code == KRPC_TYPE_NONE)
		return krpc_wire_fail(KRPC_ERR_TYPE, "a value without a type cannot be encoded");
	krpc_value_write(v, &b);
	if ((*out = krpc_buf_steal(&b, len)) == NULL)
		return krpc_wire_fail(KRPC_ERR_NOMEM, "out of memory");
	return KRPC_OK;
}

krpc_code_t
krpc_value_decode(const krpc_type_t *t, const void *p, size_t len, bool is_null,
    krpc_value_t **out, char *why, size_t whylen)
{
	char reason[256] = "";
	struct value_reader r = { reason, sizeof reason };
	krpc_code_t rc;

	if (t == NULL || out == NULL || (p == NULL && len > 0))
		return krpc_wire_fail(KRPC_ERR_ARG, "no type, no place for the value or no bytes");
	*out = NULL;
	if (is_null) {
		if ((*out = krpc_value_null(krpc_type_code(t))) == NULL)
			return krpc_wire_fail(KRPC_ERR_NOMEM, "out of memory");
		return KRPC_OK;
	}
	if ((rc = value_read(&r, t, p ? p : (const uint8_t *)"", len, out, 0)) == KRPC_OK)
		return KRPC_OK;
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", reason);
	return krpc_wire_fail(rc, "%s", *reason != '\0' ? reason : krpc_code_str(rc));
}
