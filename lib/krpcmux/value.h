/*
 * libkrpcmux values and types: the kRPC value encoding (PROTOCOL.md section 5)
 * as a small tree of opaque values, with types that drive decoding.
 *
 * Ownership: every function returning a krpc_value_t * or krpc_type_t *
 * returns a new object the caller frees with krpc_value_free() or
 * krpc_type_free(), unless it says "borrowed".  Functions taking an item to
 * add to a collection take ownership of it, even when they fail.
 * Thread safety: values and types are plain data; distinct objects may be
 * used from different threads, one object from one thread at a time.
 */
#ifndef KRPCMUX_VALUE_H
#define KRPCMUX_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

KRPC_BEGIN_DECLS

/* kRPC type codes (krpc.schema.Type.TypeCode). */
typedef enum krpc_type_code {
	KRPC_TYPE_NONE = 0,
	KRPC_TYPE_DOUBLE = 1,
	KRPC_TYPE_FLOAT = 2,
	KRPC_TYPE_SINT32 = 3,
	KRPC_TYPE_SINT64 = 4,
	KRPC_TYPE_UINT32 = 5,
	KRPC_TYPE_UINT64 = 6,
	KRPC_TYPE_BOOL = 7,
	KRPC_TYPE_STRING = 8,
	KRPC_TYPE_BYTES = 9,
	KRPC_TYPE_CLASS = 100,
	KRPC_TYPE_ENUMERATION = 101,
	KRPC_TYPE_STRUCT = 102,
	KRPC_TYPE_EVENT = 200,
	KRPC_TYPE_PROCEDURE_CALL = 201,
	KRPC_TYPE_STREAM = 202,
	KRPC_TYPE_STATUS = 203,
	KRPC_TYPE_SERVICES = 204,
	KRPC_TYPE_TUPLE = 300,
	KRPC_TYPE_LIST = 301,
	KRPC_TYPE_SET = 302,
	KRPC_TYPE_DICTIONARY = 303,
} krpc_type_code_t;

typedef struct krpc_type krpc_type_t;
typedef struct krpc_value krpc_value_t;

/* ---- Types ---------------------------------------------------------- */

/* The code's upper-case schema name ("DOUBLE", "LIST"), or NULL if unknown. */
const char	*krpc_type_code_name(krpc_type_code_t);
/* True for a code defined by the schema. */
bool		 krpc_type_code_valid(int);

/* A type with no service, name or sub-types (scalars, messages, empty collections). */
krpc_type_t	*krpc_type_new(krpc_type_code_t);
/* A CLASS, ENUMERATION or STRUCT type. */
krpc_type_t	*krpc_type_named(krpc_type_code_t, const char *service, const char *name);
/*
 * Appends a sub-type (takes ownership): the item type of LIST and SET, key
 * then value of DICTIONARY, the items of TUPLE, the fields of a STRUCT (whose
 * field types are needed to decode it).
 */
krpc_code_t	 krpc_type_add(krpc_type_t *, krpc_type_t *sub);
/*
 * Parses a type written as text:
 *   double float sint32 sint64 uint32 uint64 bool string bytes
 *   event procedure_call stream status services
 *   class(Svc.Name) enum(Svc.Name) struct(Svc.Name) struct(Svc.Name: t, ...)
 *   tuple(t, ...) list(t) set(t) dict(k, v)
 * Returns NULL on error with a reason in why (if not NULL).
 */
krpc_type_t	*krpc_type_parse(const char *text, char *why, size_t whylen);
/* The text form of a type (malloc'd, caller frees); NULL on out-of-memory. */
char		*krpc_type_format(const krpc_type_t *);
krpc_type_t	*krpc_type_clone(const krpc_type_t *);
bool		 krpc_type_equal(const krpc_type_t *, const krpc_type_t *);
void		 krpc_type_free(krpc_type_t *);

krpc_type_code_t krpc_type_code(const krpc_type_t *);
/* Borrowed; "" for types without a service or name. */
const char	*krpc_type_service(const krpc_type_t *);
const char	*krpc_type_name(const krpc_type_t *);
size_t		 krpc_type_count(const krpc_type_t *);
/* Borrowed sub-type i, or NULL if out of range. */
const krpc_type_t *krpc_type_sub(const krpc_type_t *, size_t i);

/* ---- Values: construction ------------------------------------------- */

krpc_value_t	*krpc_value_double(double);
krpc_value_t	*krpc_value_float(float);
krpc_value_t	*krpc_value_sint32(int32_t);
krpc_value_t	*krpc_value_sint64(int64_t);
krpc_value_t	*krpc_value_uint32(uint32_t);
krpc_value_t	*krpc_value_uint64(uint64_t);
krpc_value_t	*krpc_value_bool(bool);
/* A STRING from a NUL-terminated C string (copied). */
krpc_value_t	*krpc_value_string(const char *);
/* A STRING of len bytes (copied; may contain NULs). */
krpc_value_t	*krpc_value_string_n(const char *, size_t len);
krpc_value_t	*krpc_value_bytes(const void *, size_t len);
/* A CLASS value: a remote object id (0 is the null object). */
krpc_value_t	*krpc_value_object(uint64_t id);
krpc_value_t	*krpc_value_enum(int32_t);
/*
 * A message-typed value (PROCEDURE_CALL, STREAM, EVENT, STATUS, SERVICES)
 * holding the serialised message bytes (copied).
 */
krpc_value_t	*krpc_value_message(krpc_type_code_t, const void *, size_t len);
/* An empty TUPLE, LIST, SET, STRUCT or DICTIONARY. */
krpc_value_t	*krpc_value_collection(krpc_type_code_t);
/* The null value of a type code (is_null on the wire). */
krpc_value_t	*krpc_value_null(krpc_type_code_t);
/* Appends an item to a TUPLE, LIST, SET or STRUCT (takes ownership). */
krpc_code_t	 krpc_value_append(krpc_value_t *, krpc_value_t *item);
/* Adds an entry to a DICTIONARY (takes ownership of both). */
krpc_code_t	 krpc_value_put(krpc_value_t *dict, krpc_value_t *key, krpc_value_t *val);

/* ---- Values: inspection --------------------------------------------- */

krpc_type_code_t krpc_value_code(const krpc_value_t *);
bool		 krpc_value_is_null(const krpc_value_t *);
/*
 * Typed reads: KRPC_ERR_TYPE if the value has another code or is null.
 * as_sint32 also reads ENUMERATION; as_uint64 also reads CLASS ids.
 */
krpc_code_t	 krpc_value_as_double(const krpc_value_t *, double *);
krpc_code_t	 krpc_value_as_float(const krpc_value_t *, float *);
krpc_code_t	 krpc_value_as_sint32(const krpc_value_t *, int32_t *);
krpc_code_t	 krpc_value_as_sint64(const krpc_value_t *, int64_t *);
krpc_code_t	 krpc_value_as_uint32(const krpc_value_t *, uint32_t *);
krpc_code_t	 krpc_value_as_uint64(const krpc_value_t *, uint64_t *);
krpc_code_t	 krpc_value_as_bool(const krpc_value_t *, bool *);
krpc_code_t	 krpc_value_as_object(const krpc_value_t *, uint64_t *);
krpc_code_t	 krpc_value_as_enum(const krpc_value_t *, int32_t *);
/*
 * STRING, BYTES and message values: borrowed pointer and length.  A STRING's
 * bytes are always followed by a NUL (not counted in len).  NULL if the value
 * is of another kind or null.
 */
const char	*krpc_value_str(const krpc_value_t *, size_t *len);
const uint8_t	*krpc_value_data(const krpc_value_t *, size_t *len);
/* Items of a TUPLE, LIST, SET, STRUCT, or entries of a DICTIONARY. */
size_t		 krpc_value_count(const krpc_value_t *);
/* Borrowed item i of a TUPLE, LIST, SET or STRUCT; NULL if out of range. */
const krpc_value_t *krpc_value_item(const krpc_value_t *, size_t i);
/* Borrowed key or value of dictionary entry i; NULL if out of range. */
const krpc_value_t *krpc_value_key(const krpc_value_t *, size_t i);
const krpc_value_t *krpc_value_val(const krpc_value_t *, size_t i);

/* Deep equality (NaN equals a NaN of the same bits; sets and dicts in order). */
bool		 krpc_value_equal(const krpc_value_t *, const krpc_value_t *);
krpc_value_t	*krpc_value_clone(const krpc_value_t *);
void		 krpc_value_free(krpc_value_t *);
/* A human-readable rendering (malloc'd, caller frees), for logs and examples. */
char		*krpc_value_format(const krpc_value_t *);

/* ---- Encoding ------------------------------------------------------- */

/*
 * Encodes one bare value (no tag, no outer length) as PROTOCOL.md section 5
 * says.  On success *out is malloc'd (caller frees).  A null value encodes
 * as zero bytes: nullness travels in the is_null flag beside the bytes.
 */
krpc_code_t	 krpc_value_encode(const krpc_value_t *, uint8_t **out, size_t *len);
/*
 * Decodes one bare value of the given type.  is_null decodes to the null
 * value of the type, whatever the bytes.  Malformed input gives
 * KRPC_ERR_MALFORMED and a reason in why (if not NULL).
 */
krpc_code_t	 krpc_value_decode(const krpc_type_t *, const void *, size_t len,
		    bool is_null, krpc_value_t **out, char *why, size_t whylen);

KRPC_END_DECLS

#endif
