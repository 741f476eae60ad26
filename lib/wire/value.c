/*
 * kRPC values: construction, inspection, equality, copying and freeing.
 * The binary encoding is in value_codec.c, the text form in value_text.c.
 */
#include <stdlib.h>
#include <string.h>

#include "value_impl.h"

/* A new non-null value of the given type with zero contents. */
krpc_value_t *
value_new(krpc_type_code_t code)
{
	krpc_value_t *v = calloc(1, sizeof *v);

	if (v != NULL)
		v->code = code;
	return v;
}

/* A value holding a copy of len bytes (plus a NUL for strings). */
krpc_value_t *
value_new_bytes(krpc_type_code_t code, const void *p, size_t len)
{
	krpc_value_t *v = value_new(code);

	if (v == NULL)
		return NULL;
	if (len == SIZE_MAX || (v->u.bytes.data = malloc(len + 1)) == NULL) {
		free(v);
		return NULL;
	}
	if (len > 0)
		memcpy(v->u.bytes.data, p, len);
	v->u.bytes.data[len] = '\0';
	v->u.bytes.len = len;
	return v;
}

/* Appends an item slot to a collection; takes ownership of item. */
krpc_code_t
value_push(krpc_value_t *v, krpc_value_t *item)
{
	krpc_value_t **items;

	if (item == NULL)
		return KRPC_ERR_NOMEM;
	if (v->u.coll.n == v->u.coll.cap) {
		size_t cap = v->u.coll.cap ? v->u.coll.cap * 2 : 4;

		items = realloc(v->u.coll.items, cap * sizeof *items);
		if (items == NULL) {
			krpc_value_free(item);
			return KRPC_ERR_NOMEM;
		}
		v->u.coll.items = items;
		v->u.coll.cap = cap;
	}
	v->u.coll.items[v->u.coll.n++] = item;
	return KRPC_OK;
}

/* ---- public: construction ------------------------------------------- */

krpc_value_t *
krpc_value_double(double d)
{
	krpc_value_t *v = value_new(KRPC_TYPE_DOUBLE);

	if (v)
		v->u.d = d;
	return v;
}

krpc_value_t *
krpc_value_float(float f)
{
	krpc_value_t *v = value_new(KRPC_TYPE_FLOAT);

	if (v)
		v->u.f = f;
	return v;
}

krpc_value_t *
krpc_value_sint32(int32_t i)
{
	krpc_value_t *v = value_new(KRPC_TYPE_SINT32);

	if (v)
		v->u.i = i;
	return v;
}

krpc_value_t *
krpc_value_sint64(int64_t i)
{
	krpc_value_t *v = value_new(KRPC_TYPE_SINT64);

	if (v)
		v->u.i = i;
	return v;
}

krpc_value_t *
krpc_value_uint32(uint32_t u)
{
	krpc_value_t *v = value_new(KRPC_TYPE_UINT32);

	if (v)
		v->u.u = u;
	return v;
}

krpc_value_t *
krpc_value_uint64(uint64_t u)
{
	krpc_value_t *v = value_new(KRPC_TYPE_UINT64);

	if (v)
		v->u.u = u;
	return v;
}

krpc_value_t *
krpc_value_bool(bool b)
{
	krpc_value_t *v = value_new(KRPC_TYPE_BOOL);

	if (v)
		v->u.b = b;
	return v;
}

krpc_value_t *
krpc_value_string(const char *s)
{
	return s ? value_new_bytes(KRPC_TYPE_STRING, s, strlen(s)) : NULL;
}

krpc_value_t *
krpc_value_string_n(const char *s, size_t len)
{
	return (s || len == 0) ? value_new_bytes(KRPC_TYPE_STRING, s, len) : NULL;
}

krpc_value_t *
krpc_value_bytes(const void *p, size_t len)
{
	return (p || len == 0) ? value_new_bytes(KRPC_TYPE_BYTES, p, len) : NULL;
}

krpc_value_t *
krpc_value_object(uint64_t id)
{
	krpc_value_t *v = value_new(KRPC_TYPE_CLASS);

	if (v)
		v->u.u = id;
	return v;
}

krpc_value_t *
krpc_value_enum(int32_t e)
{
	krpc_value_t *v = value_new(KRPC_TYPE_ENUMERATION);

	if (v)
		v->u.i = e;
	return v;
}

krpc_value_t *
krpc_value_message(krpc_type_code_t code, const void *p, size_t len)
{
	if (!value_is_bytes(code) || code == KRPC_TYPE_STRING || code == KRPC_TYPE_BYTES)
		return NULL;
	return (p || len == 0) ? value_new_bytes(code, p, len) : NULL;
}

krpc_value_t *
krpc_value_collection(krpc_type_code_t code)
{
	return value_is_coll(code) ? value_new(code) : NULL;
}

krpc_value_t *
krpc_value_null(krpc_type_code_t code)
{
	krpc_value_t *v = value_new(code);

	if (v)
		v->null = true;
	return v;
}

krpc_code_t
krpc_value_append(krpc_value_t *v, krpc_value_t *item)
{
	if (v == NULL || !value_is_coll(v->code) || v->code == KRPC_TYPE_DICTIONARY || v->null) {
		krpc_value_free(item);
		return krpc_wire_fail(KRPC_ERR_TYPE, "cannot append to a %s value",
		    v == NULL ? "missing" : v->null ? "null" : krpc_type_code_name(v->code));
	}
	if (value_push(v, item) != KRPC_OK)
		return krpc_wire_fail(KRPC_ERR_NOMEM, "out of memory");
	return KRPC_OK;
}

krpc_code_t
krpc_value_put(krpc_value_t *v, krpc_value_t *key, krpc_value_t *val)
{
	krpc_code_t rc;

	if (v == NULL || v->code != KRPC_TYPE_DICTIONARY || v->null || key == NULL || val == NULL) {
		krpc_value_free(key);
		krpc_value_free(val);
		if (key == NULL || val == NULL)
			return krpc_wire_fail(KRPC_ERR_NOMEM, "out of memory");
		return krpc_wire_fail(KRPC_ERR_TYPE, "not a DICTIONARY value to put an entry in");
	}
	if ((rc = value_push(v, key)) != KRPC_OK) {
		krpc_value_free(val);
		return krpc_wire_fail(rc, "out of memory");
	}
	if ((rc = value_push(v, val)) != KRPC_OK) {
		krpc_value_free(v->u.coll.items[--v->u.coll.n]);
		return krpc_wire_fail(rc, "out of memory");
	}
	return KRPC_OK;
}

/* ---- public: inspection --------------------------------------------- */

/* The value's type code (KRPC_TYPE_NONE for NULL). */
krpc_type_code_t
krpc_value_code(const krpc_value_t *v)
{
	return v ? v->code : KRPC_TYPE_NONE;
}

/* True for a null value (and for NULL). */
bool
krpc_value_is_null(const krpc_value_t *v)
{
	return v == NULL || v->null;
}

/* KRPC_ERR_TYPE for a typed read of v that does not fit, recorded. */
static krpc_code_t
value_as_fail(const krpc_value_t *v, const char *want)
{
	return krpc_wire_fail(KRPC_ERR_TYPE, "a %s value read as %s", v == NULL ? "missing" :
	    v->null ? "null" : krpc_type_code_name(v->code), want);
}

#define VALUE_AS(fn, ctype, ok, expr)				\
krpc_code_t							\
fn(const krpc_value_t *v, ctype *out)				\
{								\
	if (v == NULL || v->null || !(ok))			\
		return value_as_fail(v, #ctype);		\
	*out = (ctype)(expr);					\
	return KRPC_OK;						\
}

VALUE_AS(krpc_value_as_double, double, v->code == KRPC_TYPE_DOUBLE, v->u.d)
VALUE_AS(krpc_value_as_float, float, v->code == KRPC_TYPE_FLOAT, v->u.f)
VALUE_AS(krpc_value_as_sint32, int32_t,
    v->code == KRPC_TYPE_SINT32 || v->code == KRPC_TYPE_ENUMERATION, v->u.i)
VALUE_AS(krpc_value_as_sint64, int64_t, v->code == KRPC_TYPE_SINT64, v->u.i)
VALUE_AS(krpc_value_as_uint32, uint32_t, v->code == KRPC_TYPE_UINT32, v->u.u)
VALUE_AS(krpc_value_as_uint64, uint64_t,
    v->code == KRPC_TYPE_UINT64 || v->code == KRPC_TYPE_CLASS, v->u.u)
VALUE_AS(krpc_value_as_bool, bool, v->code == KRPC_TYPE_BOOL, v->u.b)
VALUE_AS(krpc_value_as_object, uint64_t, v->code == KRPC_TYPE_CLASS, v->u.u)
VALUE_AS(krpc_value_as_enum, int32_t, v->code == KRPC_TYPE_ENUMERATION, v->u.i)

const char *
krpc_value_str(const krpc_value_t *v, size_t *len)
{
	if (v == NULL || v->null || v->code != KRPC_TYPE_STRING)
		return NULL;
	if (len)
		*len = v->u.bytes.len;
	return (const char *)v->u.bytes.data;
}

const uint8_t *
krpc_value_data(const krpc_value_t *v, size_t *len)
{
	if (v == NULL || v->null || !value_is_bytes(v->code))
		return NULL;
	if (len)
		*len = v->u.bytes.len;
	return v->u.bytes.data;
}

size_t
krpc_value_count(const krpc_value_t *v)
{
	if (v == NULL || v->null || !value_is_coll(v->code))
		return 0;
	return v->code == KRPC_TYPE_DICTIONARY ? v->u.coll.n / 2 : v->u.coll.n;
}

const krpc_value_t *
krpc_value_item(const krpc_value_t *v, size_t i)
{
	if (v == NULL || v->code == KRPC_TYPE_DICTIONARY || i >= krpc_value_count(v))
		return NULL;
	return v->u.coll.items[i];
}

const krpc_value_t *
krpc_value_key(const krpc_value_t *v, size_t i)
{
	if (v == NULL || v->code != KRPC_TYPE_DICTIONARY || i >= krpc_value_count(v))
		return NULL;
	return v->u.coll.items[2 * i];
}

const krpc_value_t *
krpc_value_val(const krpc_value_t *v, size_t i)
{
	if (v == NULL || v->code != KRPC_TYPE_DICTIONARY || i >= krpc_value_count(v))
		return NULL;
	return v->u.coll.items[2 * i + 1];
}

bool
krpc_value_equal(const krpc_value_t *a, const krpc_value_t *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->code != b->code || a->null != b->null)
		return false;
	if (a->null)
		return true;
	if (value_is_bytes(a->code))
		return a->u.bytes.len == b->u.bytes.len &&
		    (a->u.bytes.len == 0 || memcmp(a->u.bytes.data, b->u.bytes.data, a->u.bytes.len) == 0);
	if (value_is_coll(a->code)) {
		if (a->u.coll.n != b->u.coll.n)
			return false;
		for (i = 0; i < a->u.coll.n; i++) {
			if (!krpc_value_equal(a->u.coll.items[i], b->u.coll.items[i]))
				return false;
		}
		return true;
	}
	switch (a->code) {
	case KRPC_TYPE_DOUBLE: return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0 || a->u.d == b->u.d;
	case KRPC_TYPE_FLOAT: return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0 || a->u.f == b->u.f;
	case KRPC_TYPE_BOOL: return a->u.b == b->u.b;
	case KRPC_TYPE_SINT32:
	case KRPC_TYPE_SINT64:
	case KRPC_TYPE_ENUMERATION: return a->u.i == b->u.i;
	default: return a->u.u == b->u.u;
	}
}

krpc_value_t *
krpc_value_clone(const krpc_value_t *v)
{
	krpc_value_t *c;
	size_t i;

	if (v == NULL)
		return NULL;
	if (v->null)
		return krpc_value_null(v->code);
	if (value_is_bytes(v->code))
		return value_new_bytes(v->code, v->u.bytes.data, v->u.bytes.len);
	if ((c = value_new(v->code)) == NULL)
		return NULL;
	if (!value_is_coll(v->code)) {
		c->u = v->u;
		return c;
	}
	for (i = 0; i < v->u.coll.n; i++) {
		if (value_push(c, krpc_value_clone(v->u.coll.items[i])) != KRPC_OK) {
			krpc_value_free(c);
			return NULL;
		}
	}
	return c;
}

void
krpc_value_free(krpc_value_t *v)
{
	size_t i;

	if (v == NULL)
		return;
	if (value_is_bytes(v->code))
		free(v->u.bytes.data);
	else if (value_is_coll(v->code)) {
		for (i = 0; i < v->u.coll.n; i++)
			krpc_value_free(v->u.coll.items[i]);
		free(v->u.coll.items);
	}
	free(v);
}
