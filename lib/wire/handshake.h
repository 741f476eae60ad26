/*
 * The kRPC server's words for the handshakes it refuses (PROTOCOL.md 3),
 * shared by krpcmuxd and krpc-sim; a malformed request's text comes from
 * krpc_lenient_read().
 */
#ifndef KRPCMUX_HANDSHAKE_H
#define KRPCMUX_HANDSHAKE_H

#include <stddef.h>

/* TIMEOUT: no ConnectionRequest within 3 seconds. */
extern const char	 krpc_handshake_timeout[];
/* MALFORMED_MESSAGE: a stream request whose client identifier is not 16 bytes. */
extern const char	 krpc_handshake_bad_id[];
/*
 * WRONG_TYPE: a request of type `requested` (a ConnectionRequest type, any
 * int a client sent) reached the server of type `server`; the text goes to
 * out (len bytes).  Names are "rpc" and "stream", other values their number.
 */
void			 krpc_handshake_wrong_type(char *out, size_t len, int requested, int server);

#endif
