/*
 * Small helpers shared by everything that links the codec: result code
 * descriptions, the monotonic clock, and the default (silent) failure
 * report of the codec's public functions.
 */
#include <time.h>

#include "codec.h"

/* Without libkrpcmux's error state, a failure is only its code. */
__attribute__((weak)) krpc_code_t
krpc_wire_fail(krpc_code_t code, const char *fmt, ...)
{
	(void)fmt;
	return code;
}

/* A short English description of a result code. */
const char *
krpc_code_str(krpc_code_t code)
{
	switch (code) {
	case KRPC_OK: return "success";
	case KRPC_ERR_NOMEM: return "out of memory";
	case KRPC_ERR_ARG: return "invalid argument";
	case KRPC_ERR_TYPE: return "type mismatch";
	case KRPC_ERR_MALFORMED: return "malformed data";
	case KRPC_ERR_IO: return "input/output error";
	case KRPC_ERR_PROTOCOL: return "protocol error";
	case KRPC_ERR_HANDSHAKE: return "connection refused by the server";
	case KRPC_ERR_TIMEOUT: return "timed out";
	case KRPC_ERR_RPC: return "the server reported an error";
	case KRPC_ERR_NO_VALUE: return "no value yet";
	case KRPC_ERR_CLOSED: return "closed";
	case KRPC_ERR_NOT_FOUND: return "not found";
	case KRPC_ERR_NO_STREAM: return "no stream connection";
	}
	return "unknown error";
}

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* libFuzzer builds only: seconds a harness let pass without sleeping. */
double krpc_time_skew;
#endif

/* Monotonic seconds. */
double
krpc_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + krpc_time_skew;
#else
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
#endif
}
