/*
 * The representation of a kRPC value, private to the value files of the
 * codec: the model (value.c), the binary encoding (value_codec.c) and the
 * text form (value_text.c).
 */
#ifndef KRPCMUX_VALUE_IMPL_H
#define KRPCMUX_VALUE_IMPL_H

#include "codec.h"

struct krpc_value {
	krpc_type_code_t	 code;
	bool			 null;
	union {
		double		 d;
		float		 f;
		int64_t		 i;	/* SINT32, SINT64, ENUMERATION */
		uint64_t	 u;	/* UINT32, UINT64, CLASS */
		bool		 b;
		struct {
			uint8_t	*data;	/* STRING (NUL-terminated), BYTES, messages */
			size_t	 len;
		} bytes;
		struct {
			krpc_value_t	**items;	/* dictionaries: key, value, key, ... */
			size_t		  n;		/* items (2 per dictionary entry) */
			size_t		  cap;
		} coll;
	} u;
};

/* True for the types held as one byte string (strings, bytes, messages). */
static inline bool
value_is_bytes(krpc_type_code_t code)
{
	switch (code) {
	case KRPC_TYPE_STRING:
	case KRPC_TYPE_BYTES:
	case KRPC_TYPE_EVENT:
	case KRPC_TYPE_PROCEDURE_CALL:
	case KRPC_TYPE_STREAM:
	case KRPC_TYPE_STATUS:
	case KRPC_TYPE_SERVICES:
		return true;
	default:
		return false;
	}
}

/* True for the types held as a list of items (collections and structs). */
static inline bool
value_is_coll(krpc_type_code_t code)
{
	return code == KRPC_TYPE_TUPLE || code == KRPC_TYPE_LIST || code == KRPC_TYPE_SET ||
	    code == KRPC_TYPE_STRUCT || code == KRPC_TYPE_DICTIONARY;
}

/* A new non-null value of the given type with zero contents. */
krpc_value_t	*value_new(krpc_type_code_t);
/* A value holding a copy of len bytes (plus a NUL for strings). */
krpc_value_t	*value_new_bytes(krpc_type_code_t, const void *, size_t);
/* Appends an item slot to a collection; takes ownership of item. */
krpc_code_t	 value_push(krpc_value_t *, krpc_value_t *);

#endif
