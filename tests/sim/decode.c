/*
 * krpc-sim: argument values read as the real server reads them (kRPC's
 * Encoder.Decode on Google's C# protobuf runtime, lib/wire/lenient.c): a scalar from the
 * front of the bytes with the rest ignored; text with malformed UTF-8
 * replaced; a collection parsed as its message first and its items decoded
 * after; sets without repeats; a repeated dictionary key keeping its place
 * and the last value; tuples and structures needing their items and ignoring
 * more; object ids looked up.  Every error is a request-level one with the
 * server's text.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "dotnet.h"

/* Where a value sits, for the texts of an object of the wrong class. */
enum decode_in {
	DECODE_TOP,		/* an argument: the argument checks report it (call level) */
	DECODE_GENERIC,		/* a list item or dictionary value: IList.Add's text */
	DECODE_KEY,		/* a dictionary key */
	DECODE_CONVERT,		/* a set item, tuple item or struct field: reflection's text */
};

/*
 * The items of a List, Set, Tuple or Dictionary message (a dictionary's
 * keys and values alternating), pointing into the unpacked message.
 */
struct decode_items {
	ProtobufCMessage	*msg;
	ProtobufCBinaryData	*v;
	size_t			 n;
};

struct decode_ctx {
	sim_server_t	*server;
	struct sim_err	*err;
};

static int decode_any(struct decode_ctx *, const krpc_type_t *, const uint8_t *, size_t,
    enum decode_in, krpc_value_t **);

/* A request-level error in the runtime's words (a plain error); -1. */
static int
decode_fail(struct decode_ctx *x, const char *msg)
{
	err_set(x->err, "", "", "%s", msg);
	err_trace(x->err, "KRPC.Server.ProtocolBuffers.Encoder.Decode (Google.Protobuf.ByteString "
	    "value, System.Type type)", NULL);
	return -1;
}

/* Reads a collection message; -1 with the runtime's complaint as the error. */
static int
decode_items(struct decode_ctx *x, krpc_type_code_t code, const uint8_t *p, size_t len,
    struct decode_items *it)
{
	const Krpc__Schema__Dictionary *d;
	const Krpc__Schema__List *l;
	const char *why = NULL;
	size_t i;

	it->msg = krpc_lenient_read(code == KRPC_TYPE_DICTIONARY ? KRPC_LENIENT_DICTIONARY :
	    KRPC_LENIENT_ITEMS, p, len, &why);
	if (it->msg == NULL)
		return decode_fail(x, why);
	if (code != KRPC_TYPE_DICTIONARY) {
		l = (const Krpc__Schema__List *)it->msg;
		it->v = l->items;
		it->n = l->n_items;
		return 0;
	}
	d = (const Krpc__Schema__Dictionary *)it->msg;
	it->n = 2 * d->n_entries;
	it->v = util_calloc(it->n + 1, sizeof *it->v);
	for (i = 0; i < d->n_entries; i++) {
		it->v[2 * i] = d->entries[i]->key;
		it->v[2 * i + 1] = d->entries[i]->value;
	}
	return 0;
}

/* Frees what decode_items() made. */
static void
decode_items_free(struct decode_items *it)
{
	if (it->msg != NULL && it->msg->descriptor == &krpc__schema__dictionary__descriptor)
		free(it->v);
	if (it->msg != NULL)
		protobuf_c_message_free_unpacked(it->msg, NULL);
}

/* ---- scalars ------------------------------------------------------------ */

/* A varint-encoded scalar of code; NULL with *why set. */
static krpc_value_t *
decode_varint(krpc_type_code_t code, const uint8_t *p, size_t len, const char **why)
{
	uint64_t v;
	uint32_t w;

	if (!krpc_lenient_varint(p, len, &v, why))
		return NULL;
	w = (uint32_t)v;	/* a 32-bit field keeps the low bits of up to ten bytes */
	switch (code) {
	case KRPC_TYPE_BOOL: return krpc_value_bool(v != 0);
	case KRPC_TYPE_UINT64: return krpc_value_uint64(v);
	case KRPC_TYPE_SINT64: return krpc_value_sint64((int64_t)(v >> 1) ^ -(int64_t)(v & 1));
	case KRPC_TYPE_UINT32: return krpc_value_uint32(w);
	case KRPC_TYPE_ENUMERATION: return krpc_value_enum((int32_t)(w >> 1) ^ -(int32_t)(w & 1));
	default: return krpc_value_sint32((int32_t)(w >> 1) ^ -(int32_t)(w & 1));
	}
}

/* A double, float, string or bytes value; NULL with *why set. */
static krpc_value_t *
decode_fixed_or_bytes(krpc_type_code_t code, const uint8_t *p, size_t len, const char **why)
{
	const uint8_t *data;
	krpc_value_t *v;
	char *text;
	double d;
	size_t n;
	float f;

	if (code == KRPC_TYPE_DOUBLE || code == KRPC_TYPE_FLOAT) {
		n = code == KRPC_TYPE_DOUBLE ? 8 : 4;
		if (!krpc_lenient_fixed(len, n, why))
			return NULL;
		if (n == 8) {
			memcpy(&d, p, 8);
			return krpc_value_double(d);
		}
		memcpy(&f, p, 4);
		return krpc_value_float(f);
	}
	if (!krpc_lenient_bytes(p, len, &data, &n, why))
		return NULL;
	if (code == KRPC_TYPE_BYTES)
		return krpc_value_bytes(data, n);
	if ((text = dotnet_utf8(data, n, &n)) == NULL)
		return NULL;
	v = krpc_value_string_n(text, n);
	free(text);
	return v;
}

/* A scalar (everything but objects and collections) from the front of the bytes. */
static int
decode_scalar(struct decode_ctx *x, krpc_type_code_t code, const uint8_t *p, size_t len,
    krpc_value_t **out)
{
	const char *why = NULL;

	switch (code) {
	case KRPC_TYPE_DOUBLE:
	case KRPC_TYPE_FLOAT:
	case KRPC_TYPE_STRING:
	case KRPC_TYPE_BYTES:
		*out = decode_fixed_or_bytes(code, p, len, &why);
		break;
	default:
		*out = decode_varint(code, p, len, &why);
		break;
	}
	if (*out != NULL)
		return 0;
	return decode_fail(x, why != NULL ? why : "Out of memory");
}

/* ---- objects ------------------------------------------------------------ */

/* An object of the wrong class inside a collection or structure; -1. */
static int
decode_wrong_class(struct decode_ctx *x, const krpc_type_t *t, uint64_t id, enum decode_in in)
{
	char have[256], want[256];

	snprintf(have, sizeof have, "%s", object_dotnet(x->server, id));
	snprintf(want, sizeof want, "%s", services_dotnet(t));
	if (in == DECODE_CONVERT)
		err_set(x->err, "KRPC", "ArgumentException",
		    "Object of type '%s' cannot be converted to type '%s'.", have, want);
	else
		err_set(x->err, "KRPC", "ArgumentException", "The value \"%s\" is not of type \"%s\" "
		    "and cannot be used in this generic collection.\nParameter name: %s", have, want,
		    in == DECODE_KEY ? "key" : "value");
	err_trace(x->err, "System.Collections.Generic.List`1[T].System.Collections.IList.Add "
	    "(System.Object item)", "KRPC.Server.ProtocolBuffers.Encoder.Decode "
	    "(Google.Protobuf.ByteString value, System.Type type)", NULL);
	return -1;
}

/* An object id, looked up (0 is null); a wrong class fails only inside collections. */
static int
decode_object(struct decode_ctx *x, const krpc_type_t *t, const uint8_t *p, size_t len,
    enum decode_in in, krpc_value_t **out)
{
	const char *why = NULL;
	uint64_t id;

	if (!krpc_lenient_varint(p, len, &id, &why))
		return decode_fail(x, why);
	if (id == 0) {
		*out = krpc_value_null(KRPC_TYPE_CLASS);
		return 0;
	}
	if (object_check(x->server, id, NULL, NULL, x->err) != 0)
		return -1;
	if (in != DECODE_TOP && object_check(x->server, id, krpc_type_service(t),
	    krpc_type_name(t), NULL) != 0)
		return decode_wrong_class(x, t, id, in);
	*out = krpc_value_object(id);
	return 0;
}

/* ---- collections -------------------------------------------------------- */

/* Decodes items[from..] as a list, set or tuple of the types sub(i). */
static int
decode_seq(struct decode_ctx *x, const krpc_type_t *t, const struct decode_items *it,
    size_t n, krpc_value_t **out)
{
	krpc_type_code_t code = krpc_type_code(t);
	enum decode_in in = code == KRPC_TYPE_LIST ? DECODE_GENERIC : DECODE_CONVERT;
	krpc_value_t *v = krpc_value_collection(code), *item;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (decode_any(x, krpc_type_sub(t, code == KRPC_TYPE_LIST || code == KRPC_TYPE_SET ?
		    0 : i), it->v[i].data, it->v[i].len, in, &item) != 0) {
			krpc_value_free(v);
			return -1;
		}
		for (j = 0; code == KRPC_TYPE_SET && j < krpc_value_count(v); j++) {
			if (krpc_value_equal(krpc_value_item(v, j), item))
				break;
		}
		if (code == KRPC_TYPE_SET && j < krpc_value_count(v))
			krpc_value_free(item);	/* a HashSet keeps one */
		else
			krpc_value_append(v, item);
	}
	*out = v;
	return 0;
}

/* Decodes dictionary entries: a repeated key keeps its place, with the last value. */
static int
decode_dict(struct decode_ctx *x, const krpc_type_t *t, const struct decode_items *it,
    krpc_value_t **out)
{
	size_t i, j, n = 0, npairs = it->n / 2;
	krpc_value_t **keys = util_calloc(npairs + 1, sizeof *keys);
	krpc_value_t **vals = util_calloc(npairs + 1, sizeof *vals);
	int rc = 0;

	for (i = 0; i < npairs && rc == 0; i++) {
		if (decode_any(x, krpc_type_sub(t, 0), it->v[2 * i].data, it->v[2 * i].len,
		    DECODE_KEY, &keys[n]) != 0 || decode_any(x, krpc_type_sub(t, 1),
		    it->v[2 * i + 1].data, it->v[2 * i + 1].len, DECODE_GENERIC, &vals[n]) != 0) {
			rc = -1;
			n++;
			break;
		}
		for (j = 0; j < n && !krpc_value_equal(keys[j], keys[n]); j++)
			continue;
		if (j == n) {
			n++;
			continue;
		}
		krpc_value_free(vals[j]);
		vals[j] = vals[n];
		krpc_value_free(keys[n]);
		keys[n] = vals[n] = NULL;
	}
	*out = rc == 0 ? krpc_value_collection(KRPC_TYPE_DICTIONARY) : NULL;
	for (i = 0; i < n; i++) {
		if (*out != NULL)
			krpc_value_put(*out, keys[i], vals[i]);
		else {
			krpc_value_free(keys[i]);
			krpc_value_free(vals[i]);
		}
	}
	free(keys);
	free(vals);
	return rc;
}

/* A structure: enough fields, and none of its objects null. */
static int
decode_struct(struct decode_ctx *x, const krpc_type_t *t, const struct decode_items *it,
    krpc_value_t **out)
{
	const struct sim_struct *def = services_struct(krpc_type_service(t), krpc_type_name(t));
	size_t i, n = krpc_type_count(t);

	if (it->n < n) {
		err_set(x->err, "KRPC", "ArgumentException",
		    "Value for %s has %zu fields; expected at least %zu", krpc_type_name(t), it->n, n);
		return -1;
	}
	if (decode_seq(x, t, it, n, out) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!krpc_value_is_null(krpc_value_item(*out, i)))
			continue;
		err_set(x->err, "KRPC", "ArgumentException", "Field %s of %s is null; struct fields "
		    "cannot be null", def != NULL ? def->fields[i].name : "?", krpc_type_name(t));
		krpc_value_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* A list, set, tuple, dictionary or structure: its message, then its items. */
static int
decode_collection(struct decode_ctx *x, const krpc_type_t *t, const uint8_t *p, size_t len,
    krpc_value_t **out)
{
	struct decode_items it = { NULL, NULL, 0 };
	krpc_type_code_t code = krpc_type_code(t);
	int rc;

	if (decode_items(x, code, p, len, &it) != 0)
		return -1;
	if (code == KRPC_TYPE_DICTIONARY)
		rc = decode_dict(x, t, &it, out);
	else if (code == KRPC_TYPE_STRUCT)
		rc = decode_struct(x, t, &it, out);
	else if (code != KRPC_TYPE_TUPLE || it.n >= krpc_type_count(t))
		rc = decode_seq(x, t, &it, code == KRPC_TYPE_TUPLE ? krpc_type_count(t) : it.n, out);
	else if ((rc = decode_seq(x, t, &it, it.n, out)) == 0) {
		/* the items there decode first, then the server indexes past the end */
		krpc_value_free(*out);
		*out = NULL;
		err_set(x->err, "KRPC", "ArgumentOutOfRangeException", "Specified argument was out "
		    "of the range of valid values.\nParameter name: index");
		rc = -1;
	}
	decode_items_free(&it);
	return rc;
}

/* ---- procedure calls ---------------------------------------------------- */

/* A PROCEDURE_CALL value: read as a message here, resolved by the caller. */
static int
decode_call(struct decode_ctx *x, const uint8_t *p, size_t len, krpc_value_t **out)
{
	const char *why = NULL;
	ProtobufCMessage *m = krpc_lenient_read(KRPC_LENIENT_CALL, p, len, &why);

	if (m == NULL)
		return decode_fail(x, why);
	protobuf_c_message_free_unpacked(m, NULL);
	*out = krpc_value_message(KRPC_TYPE_PROCEDURE_CALL, p, len);
	return 0;
}

/* Decodes a value of any parameter type. */
static int
decode_any(struct decode_ctx *x, const krpc_type_t *t, const uint8_t *p, size_t len,
    enum decode_in in, krpc_value_t **out)
{
	*out = NULL;
	switch (krpc_type_code(t)) {
	case KRPC_TYPE_CLASS:
		return decode_object(x, t, p, len, in, out);
	case KRPC_TYPE_LIST:
	case KRPC_TYPE_SET:
	case KRPC_TYPE_TUPLE:
	case KRPC_TYPE_DICTIONARY:
	case KRPC_TYPE_STRUCT:
		return decode_collection(x, t, p, len, out);
	case KRPC_TYPE_PROCEDURE_CALL:
		return decode_call(x, p, len, out);
	default:
		return decode_scalar(x, krpc_type_code(t), p, len, out);
	}
}

/* ---- public -------------------------------------------------------------- */

/*
 * Decodes an argument of type t from its bytes as the server does; -1 with a
 * request-level error in err.  An object of another class than t's is kept
 * (the argument checks report it), except inside a collection or structure.
 */
int
decode_value(sim_server_t *s, const krpc_type_t *t, const uint8_t *p, size_t len,
    krpc_value_t **out, struct sim_err *err)
{
	struct decode_ctx x = { s, err };

	if (decode_any(&x, t, p != NULL ? p : (const uint8_t *)"", len, DECODE_TOP, out) == 0)
		return 0;
	if (err->trace == NULL)
		err_trace(err, "KRPC.Server.ProtocolBuffers.Encoder.Decode (Google.Protobuf."
		    "ByteString value, System.Type type)", NULL);
	return -1;
}
