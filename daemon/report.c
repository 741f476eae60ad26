/*
 * The admin answers' writer: a record of named values as "name value" text
 * lines or as the members of a JSON object.  The JSON is always valid:
 * integers are printed exactly (64-bit counters included), a number that is
 * not finite is null, and strings are valid UTF-8 with every control byte
 * escaped (client names are bytes a client chose).
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "krpcmuxd.h"

/* Appends text. */
static void
report_puts(krpc_buf_t *b, const char *s)
{
	krpc_buf_append(b, s, strlen(s));
}

/*
 * The length of the valid UTF-8 sequence at p (at most len bytes), or 0 if
 * p does not start one: no overlong forms, no surrogates, nothing past
 * U+10FFFF.
 */
static size_t
report_utf8_len(const uint8_t *p, size_t len)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (p[0] == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90;	/* overlong */
	else if (p[0] == 0xf4)
		hi = 0x8f;	/* past U+10FFFF */
	if (len < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return n;
}

/* Appends s as a JSON string: valid UTF-8 (a bad byte becomes U+FFFD), controls escaped. */
void
report_json_string(krpc_buf_t *b, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t len = strlen(s), n;
	char esc[8];

	krpc_buf_byte(b, '"');
	while (len > 0) {
		if ((n = report_utf8_len(p, len)) == 0) {
			report_puts(b, "\\ufffd");
			n = 1;
		} else if (*p == '"' || *p == '\\') {
			krpc_buf_byte(b, '\\');
			krpc_buf_byte(b, *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)*p);
			report_puts(b, esc);
		} else
			krpc_buf_append(b, p, n);
		p += n;
		len -= n;
	}
	krpc_buf_byte(b, '"');
}

/* Starts a record; a JSON one opens an object. */
void
report_begin(struct report *r, krpc_buf_t *out, bool json)
{
	r->out = out;
	r->json = json;
	r->first = true;
	if (json)
		krpc_buf_byte(out, '{');
}

/* Ends a record; a JSON one closes its object. */
void
report_end(struct report *r)
{
	if (r->json)
		krpc_buf_byte(r->out, '}');
}

/* Starts a member: "name " as text, "name": (after a comma) in JSON. */
static void
report_key(struct report *r, const char *key)
{
	if (!r->json) {
		report_puts(r->out, key);
		krpc_buf_byte(r->out, ' ');
		return;
	}
	if (!r->first)
		krpc_buf_byte(r->out, ',');
	r->first = false;
	report_json_string(r->out, key);
	krpc_buf_byte(r->out, ':');
}

/* Writes a value already in its final form (a number, or a JSON literal). */
static void
report_raw(struct report *r, const char *key, const char *value)
{
	report_key(r, key);
	report_puts(r->out, value);
	if (!r->json)
		krpc_buf_byte(r->out, '\n');
}

/* A string member. */
void
report_str(struct report *r, const char *key, const char *value)
{
	if (r->json) {
		report_key(r, key);
		report_json_string(r->out, value);
		return;
	}
	report_raw(r, key, value);
}

/* An unsigned integer member, every digit kept. */
void
report_uint(struct report *r, const char *key, uint64_t value)
{
	char num[32];

	snprintf(num, sizeof num, "%" PRIu64, value);
	report_raw(r, key, num);
}

/* A signed integer member, every digit kept. */
void
report_int(struct report *r, const char *key, int64_t value)
{
	char num[32];

	snprintf(num, sizeof num, "%" PRId64, value);
	report_raw(r, key, num);
}

/* A real number member: 15 significant digits; not finite, it is null in JSON ("inf" as text). */
void
report_num(struct report *r, const char *key, double value)
{
	char num[64];

	if (r->json && !isfinite(value)) {
		report_raw(r, key, "null");
		return;
	}
	snprintf(num, sizeof num, "%.15g", value);
	report_raw(r, key, num);
}

/* Writes a duration as "3d 4h 5m 6s" (leading zero units left out). */
void
report_duration_text(char *out, size_t len, double seconds)
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

/* A duration member: whole seconds in JSON, "1h 2m 3s" as text. */
void
report_duration(struct report *r, const char *key, double seconds)
{
	char text[64];

	if (r->json) {
		report_uint(r, key, seconds > 0 ? (uint64_t)floor(seconds) : 0);
		return;
	}
	report_duration_text(text, sizeof text, seconds);
	report_str(r, key, text);
}
