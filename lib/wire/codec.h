/*
 * The krpcmux wire codec, internal umbrella header: framing, values and
 * types, messages.  Shared by the daemon, the simulator and the library;
 * so are the few server-side pieces the daemon and the simulator both need
 * (lenient reading, handshake texts, listening sockets).
 */
#ifndef KRPCMUX_CODEC_H
#define KRPCMUX_CODEC_H

#include "krpc.pb-c.h"
#include "buf.h"
#include "frame.h"
#include "message.h"
#include "lenient.h"
#include "handshake.h"
#include "listen.h"
#include "krpcmux/value.h"

/*
 * Reports the failure of a public value or type function and returns code.
 * Inside libkrpcmux it records the error in the caller's per-thread error
 * state, as every libkrpcmux function does (lib/client/error.c defines it);
 * elsewhere (krpcmuxd, krpc-sim) the codec's weak definition only returns.
 */
krpc_code_t		 krpc_wire_fail(krpc_code_t code, const char *fmt, ...)
			    __attribute__((format(printf, 2, 3), visibility("hidden")));

/* Appends the bare encoding of a value (a null value appends nothing). */
void			 krpc_value_write(const krpc_value_t *, krpc_buf_t *);
/* Schema Type conversions; STRUCT fields are not carried (see type.c). */
krpc_type_t		*krpc_type_from_pb(const Krpc__Schema__Type *);
Krpc__Schema__Type	*krpc_type_to_pb(const krpc_type_t *);
void			 krpc_type_pb_free(Krpc__Schema__Type *);
/* Monotonic seconds (util.c). */
double			 krpc_time_now(void);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* libFuzzer builds (make fuzz) only: added to krpc_time_now(), so harnesses skip waits. */
extern double		 krpc_time_skew;
#endif

#endif
