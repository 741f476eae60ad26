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

/* A timeval for a delay in seconds. */
struct timeval
util_timeval(double seconds)
{
	struct timeval tv;

	if (seconds < 0)
		seconds = 0;
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

/* Appends s as a JSON string literal. */
void
util_json_string(krpc_buf_t *b, const char *s)
{
	char esc[8];

	krpc_buf_byte(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			krpc_buf_byte(b, '\\');
			krpc_buf_byte(b, (uint8_t)*s);
		} else if ((unsigned char)*s < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)(unsigned char)*s);
			krpc_buf_append(b, esc, strlen(esc));
		} else
			krpc_buf_byte(b, (uint8_t)*s);
	}
	krpc_buf_byte(b, '"');
}

/* Appends a text line "key value" or a JSON member "key":"value". */
void
util_kv_str(krpc_buf_t *b, bool json, bool *first, const char *key, const char *value)
{
	if (!json) {
		krpc_buf_append(b, key, strlen(key));
		krpc_buf_byte(b, ' ');
		krpc_buf_append(b, value, strlen(value));
		krpc_buf_byte(b, '\n');
		return;
	}
	if (!*first)
		krpc_buf_byte(b, ',');
	*first = false;
	util_json_string(b, key);
	krpc_buf_byte(b, ':');
	util_json_string(b, value);
}

/* Appends a text line "key number" or a JSON member "key":number. */
void
util_kv_num(krpc_buf_t *b, bool json, bool *first, const char *key, double value)
{
	char num[64];

	snprintf(num, sizeof num, "%.15g", value);
	if (!json) {
		util_kv_str(b, false, first, key, num);
		return;
	}
	if (!*first)
		krpc_buf_byte(b, ',');
	*first = false;
	util_json_string(b, key);
	krpc_buf_byte(b, ':');
	krpc_buf_append(b, num, strlen(num));
}

/* Writes a duration as "3d 4h 5m 6s", without the leading zero units. */
void
util_duration(char *out, size_t len, double seconds)
{
	unsigned long long t = seconds > 0 ? (unsigned long long)seconds : 0;
	unsigned long long d = t / 86400, h = t / 3600 % 24, m = t / 60 % 60, s = t % 60;

	if (d > 0)
		snprintf(out, len, "%llud %lluh %llum %llus", d, h, m, s);
	else if (h > 0)
		snprintf(out, len, "%lluh %llum %llus", h, m, s);
	else if (m > 0)
		snprintf(out, len, "%llum %llus", m, s);
	else
		snprintf(out, len, "%llus", s);
}

/* Appends a duration: whole seconds in JSON, "1h 2m 3s" as text. */
void
util_kv_duration(krpc_buf_t *b, bool json, bool *first, const char *key, double seconds)
{
	char text[64];

	if (json) {
		util_kv_num(b, true, first, key, floor(seconds > 0 ? seconds : 0));
		return;
	}
	util_duration(text, sizeof text, seconds);
	util_kv_str(b, false, first, key, text);
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
