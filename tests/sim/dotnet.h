/*
 * krpc-sim: numbers as text the way the .NET runtime behind the real kRPC
 * server writes and reads them (invariant culture), for TestService.
 */
#ifndef KRPC_SIM_DOTNET_H
#define KRPC_SIM_DOTNET_H

#include <stddef.h>
#include <stdint.h>

/* Longest text dotnet_float()/dotnet_double() write, NUL included. */
#define DOTNET_NUM_MAX	32

/* Results of dotnet_parse_int32(). */
typedef enum dotnet_parse {
	DOTNET_PARSE_OK,
	DOTNET_PARSE_FORMAT,	/* not [ws][sign]digits[ws] */
	DOTNET_PARSE_OVERFLOW,	/* well formed but outside Int32 */
} dotnet_parse_t;

/* Float.ToString(InvariantCulture) on mono: seven significant digits. */
void		dotnet_float(float, char out[DOTNET_NUM_MAX]);
/* Double.ToString(InvariantCulture) on mono: fifteen significant digits. */
void		dotnet_double(double, char out[DOTNET_NUM_MAX]);
/*
 * Encoding.UTF8.GetString of len bytes as mono's (.NET Framework's) decoder
 * does it: each malformed sequence becomes one U+FFFD.  Returns malloc'd
 * UTF-8 (NUL-terminated, *outlen bytes), or NULL if out of memory.
 */
char		*dotnet_utf8(const uint8_t *, size_t len, size_t *outlen);
/* Convert.ToInt32(string) of len bytes. */
dotnet_parse_t	dotnet_parse_int32(const char *, size_t len, int32_t *out);

#endif
