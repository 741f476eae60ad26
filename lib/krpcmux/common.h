/*
 * libkrpcmux: definitions shared by every public header (result codes,
 * version macros, the C++ guard helpers).
 */
#ifndef KRPCMUX_COMMON_H
#define KRPCMUX_COMMON_H

#ifdef __cplusplus
#define KRPC_BEGIN_DECLS extern "C" {
#define KRPC_END_DECLS }
#else
#define KRPC_BEGIN_DECLS
#define KRPC_END_DECLS
#endif

#define KRPCMUX_VERSION_MAJOR 0
#define KRPCMUX_VERSION_MINOR 1
#define KRPCMUX_VERSION_PATCH 0
#define KRPCMUX_VERSION_STRING "0.1.0"

KRPC_BEGIN_DECLS

/*
 * Result of a library call.  KRPC_OK is zero; everything else is an error
 * whose detail is in this thread's error state (error.h).  The same failure
 * gives the same code whether the server is the game or krpcmuxd in front
 * of it; libkrpcmux(3) says when each code occurs.  Values never change
 * (new codes are added at the end).
 */
typedef enum krpc_code {
	KRPC_OK = 0,
	KRPC_ERR_NOMEM,		/* out of memory */
	KRPC_ERR_ARG,		/* bad argument from the caller */
	KRPC_ERR_TYPE,		/* value or type mismatch */
	KRPC_ERR_MALFORMED,	/* bytes that do not decode */
	KRPC_ERR_IO,		/* socket error, or the connection to the server lost */
	KRPC_ERR_PROTOCOL,	/* the peer broke the kRPC protocol */
	KRPC_ERR_HANDSHAKE,	/* the server refused the connection */
	KRPC_ERR_TIMEOUT,	/* a wait ran out of time */
	KRPC_ERR_RPC,		/* the server reported an error for the call */
	KRPC_ERR_NO_VALUE,	/* a stream has no value yet */
	KRPC_ERR_CLOSED,	/* the client, stream or event was closed or removed */
	KRPC_ERR_NOT_FOUND,	/* no such service, procedure or member */
	KRPC_ERR_NO_STREAM,	/* streams and events need a stream connection the client lacks */
} krpc_code_t;

/* A short English description of a result code (static storage). */
const char *krpc_code_str(krpc_code_t code);

KRPC_END_DECLS

#endif
