/*
 * libkrpcmux error details.  Every library function that fails returns a
 * krpc_code_t and records why in a per-thread error state, like errno: read
 * it right after the failing call, in the same thread.
 *
 * KRPC_ERR_RPC means the server answered the call with an error; its
 * service ("KRPC", "TestService", or "" for plain errors), exception name
 * and description are available separately, so a caller can tell
 * KRPC.InvalidOperationException from TestService.CustomException.  Every
 * other code is a library error (I/O, protocol, timeout, ...).
 *
 * Ownership: the strings are borrowed and stay valid until the next library
 * call that fails in the same thread.  Thread safety: each thread sees only
 * its own errors; all functions may be called from any thread.
 */
#ifndef KRPCMUX_ERROR_H
#define KRPCMUX_ERROR_H

#include "common.h"

KRPC_BEGIN_DECLS

/* The code of this thread's last error (KRPC_OK if none was ever recorded). */
krpc_code_t	 krpc_error_code(void);
/*
 * A one-line description of the last error: for KRPC_ERR_RPC
 * "Service.Name: description" (or the description alone for plain
 * errors); for a refused handshake "STATUS: server message".  Never NULL.
 */
const char	*krpc_error_message(void);
/* KRPC_ERR_RPC: the service declaring the exception ("" for plain errors). */
const char	*krpc_error_service(void);
/* KRPC_ERR_RPC: the exception type name, e.g. "InvalidOperationException" ("" if plain). */
const char	*krpc_error_name(void);
/*
 * The server's text: the error description for KRPC_ERR_RPC, the
 * handshake message for KRPC_ERR_HANDSHAKE; otherwise the same as
 * krpc_error_message().  Never NULL.
 */
const char	*krpc_error_description(void);
/* KRPC_ERR_RPC: the server's stack trace ("" when it sent none). */
const char	*krpc_error_stack_trace(void);

/*
 * Records an error for this thread as the library records its own, for
 * code built on the library (generated stubs, wrappers): the code, and a
 * printf-style message (NULL: krpc_code_str(code)) that becomes
 * krpc_error_message() and krpc_error_description(); service, name and
 * stack trace become "".  Returns code, so that
 *     return krpc_error_set(KRPC_ERR_TYPE, "not a vessel: %s", what);
 * records and returns at once.  krpc_error_set(KRPC_OK, NULL) clears it.
 */
krpc_code_t	 krpc_error_set(krpc_code_t code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
		    __attribute__((format(printf, 2, 3)))
#endif
		    ;

KRPC_END_DECLS

#endif
