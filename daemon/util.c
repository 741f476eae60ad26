/*
 * Small helpers the daemon's modules share: random bytes for client ids and
 * backoff jitter, and the kRPC default socket path (the monotonic clock is
 * the codec's krpc_time_now()).
 */
#include "config.h"

#include <sys/random.h>
#include <sys/time.h>

#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "krpcmuxd.h"

/* A xorshift generator, seeded once, for when getrandom() is unavailable. */
static uint64_t
util_prng(void)
{
	static uint64_t s;

	if (s == 0)
		s = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(krpc_time_now() * 1e9);
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

/* Fills buf with random bytes. */
void
util_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = getrandom(p, len, GRND_NONBLOCK);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	while (len > 0) {
		*p++ = (uint8_t)util_prng();
		len--;
	}
}

/* A uniform random double in [0, 1). */
double
util_random_unit(void)
{
	uint64_t v;

	util_random(&v, sizeof v);
	return (double)(v >> 11) / 9007199254740992.0;
}

/*
 * A timeval for a delay in seconds, at most UTIL_DELAY_MAX: a longer one (a
 * stream rate of 1e-24 Hz asks for 1e24 s) would overflow time_t, and the
 * timer would fire at once, again and again.
 */
struct timeval
util_timeval(double seconds)
{
	struct timeval tv;

	if (!(seconds > 0))
		seconds = 0;	/* NaN too */
	if (seconds > UTIL_DELAY_MAX)
		seconds = UTIL_DELAY_MAX;
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	return tv;
}

/*
 * A per-user runtime path: $XDG_RUNTIME_DIR/dir/name, else /tmp/dir-USER/name
 * with USER from the account database (dir "krpc" gives the kRPC default
 * local socket paths of PROTOCOL.md 3.3).
 */
char *
util_runtime_path(const char *dir, const char *name, char *why, size_t whylen)
{
	char path[1024];

	if (!krpc_local_path(dir, name, path, sizeof path, why, whylen))
		return NULL;
	return xstrdup(path);
}

/* Copies text for a log line or a text listing: control bytes become '?', long text is cut. */
void
util_printable(char *out, size_t len, const char *text)
{
	size_t i;

	for (i = 0; len > 0 && i < len - 1 && text[i] != '\0'; i++)
		out[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
	if (len > 0)
		out[i] = '\0';
}
