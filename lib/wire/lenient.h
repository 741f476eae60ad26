/*
 * Client messages read the way the kRPC server reads them (lenient.c):
 * krpcmuxd and krpc-sim both accept exactly what the server accepts, and
 * refuse the rest in the server's words.
 */
#ifndef KRPCMUX_LENIENT_H
#define KRPCMUX_LENIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "buf.h"

/* The client messages a server reads, each with the wire types of its fields. */
enum krpc_lenient_shape {
	KRPC_LENIENT_CONNECTION_REQUEST,
	KRPC_LENIENT_REQUEST,
	KRPC_LENIENT_CALL,		/* a ProcedureCall */
	KRPC_LENIENT_ARGUMENT,
	KRPC_LENIENT_ITEMS,		/* a List, Set or Tuple value (read as a List) */
	KRPC_LENIENT_DICTIONARY,	/* a Dictionary value */
	KRPC_LENIENT_DICTIONARY_ENTRY,
};

/*
 * Appends the message without what the server's protobuf runtime skips
 * (fields of a known number but another wire type, groups), with canonical
 * tags and lengths, so that a strict parser (protobuf-c) reads it.  False if
 * the server would refuse the bytes; *why (if not NULL) then holds the
 * runtime's complaint (static text).  Out of memory leaves out failed.
 */
bool			 krpc_lenient_clean(enum krpc_lenient_shape, const uint8_t *, size_t,
			    krpc_buf_t *out, const char **why);
/*
 * The message unpacked by protobuf-c as the server reads it: strictly when
 * that works and leaves no unknown fields (the common case costs nothing
 * more), else from the cleaned bytes.  NULL if malformed, with *why (if not NULL) as above.  The caller
 * frees it with protobuf_c_message_free_unpacked() or the type's own free.
 */
ProtobufCMessage	*krpc_lenient_read(enum krpc_lenient_shape, const uint8_t *, size_t,
			    const char **why);

/*
 * A scalar value read from the front of its bytes as the server's runtime
 * reads an argument (the rest is ignored): a varint of at most ten bytes, a
 * fixed-size value of n bytes, or a length and that many bytes (*data
 * borrowed).  False with the runtime's complaint in *why (if not NULL).
 */
bool			 krpc_lenient_varint(const uint8_t *, size_t, uint64_t *, const char **why);
bool			 krpc_lenient_fixed(size_t len, size_t n, const char **why);
bool			 krpc_lenient_bytes(const uint8_t *, size_t, const uint8_t **data, size_t *n,
			    const char **why);

#endif
