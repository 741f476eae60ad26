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

#endif
