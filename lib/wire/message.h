/*
 * Building and reading kRPC messages: ProcedureCall and Request bytes from
 * names and values, Response and StreamUpdate parsing, result decoding, and
 * the canonical key of a call that the proxy deduplicates streams by.
 */
#ifndef KRPCMUX_MESSAGE_H
#define KRPCMUX_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "krpc.pb-c.h"
#include "buf.h"
#include "krpcmux/value.h"

/* One argument of a call, as its encoded bytes. */
typedef struct krpc_msg_arg {
	uint32_t	 position;
	const uint8_t	*value;
	size_t		 len;
	bool		 is_null;
} krpc_msg_arg_t;

/* Appends a serialised ProcedureCall (no frame). */
void	 krpc_msg_call(krpc_buf_t *, const char *service, const char *procedure,
	    const krpc_msg_arg_t *args, size_t nargs);
/*
 * Appends a serialised ProcedureCall whose argument i is args[i]; NULL
 * entries are left out, so the server uses the parameter's default.
 */
void	 krpc_msg_call_values(krpc_buf_t *, const char *service, const char *procedure,
	    const krpc_value_t *const *args, size_t nargs);
/* Appends one serialised ProcedureCall to a Request being built. */
void	 krpc_msg_request_add(krpc_buf_t *request, const uint8_t *call, size_t len);

/* Unpacks a message; NULL with a reason if the bytes are not valid protobuf. */
Krpc__Schema__Response		*krpc_msg_response_read(const uint8_t *, size_t, char *why, size_t whylen);
Krpc__Schema__StreamUpdate	*krpc_msg_update_read(const uint8_t *, size_t, char *why, size_t whylen);
Krpc__Schema__Request		*krpc_msg_request_read(const uint8_t *, size_t, char *why, size_t whylen);
Krpc__Schema__ProcedureCall	*krpc_msg_call_read(const uint8_t *, size_t, char *why, size_t whylen);

/*
 * Decodes a result's value with the given type.  KRPC_ERR_RPC if the result
 * carries an error (its description goes to why); a void result decodes as
 * NULL with KRPC_OK when t is NULL.
 */
krpc_code_t krpc_msg_result_value(const Krpc__Schema__ProcedureResult *, const krpc_type_t *t,
	    krpc_value_t **out, char *why, size_t whylen);
/* True if the Error is set and says something (service, name or description). */
bool	 krpc_msg_error_set(const Krpc__Schema__Error *);

/*
 * The canonical key hook: asked about each argument (after duplicates are
 * resolved, last wins), it says whether the argument belongs in the key.
 * The proxy drops positions beyond the parameter count and arguments equal
 * to their parameter's default, so f() and f(x = default) share a key;
 * KRPC_KEY_NULL keeps an argument as a null (an object id 0 means null).
 */
typedef enum krpc_key_arg {
	KRPC_KEY_KEEP,
	KRPC_KEY_DROP,
	KRPC_KEY_NULL,
} krpc_key_arg_t;

typedef krpc_key_arg_t (*krpc_msg_key_fn)(void *ud, const Krpc__Schema__ProcedureCall *,
	    const Krpc__Schema__Argument *);

/*
 * Appends the canonical key of a call: service and procedure (by name, or by
 * numeric id when the call uses ids), then the kept arguments sorted by
 * position.  Equal calls give equal bytes.  fn may be NULL (keep all).
 */
void	 krpc_msg_call_key(krpc_buf_t *, const Krpc__Schema__ProcedureCall *,
	    krpc_msg_key_fn fn, void *ud);

#endif
