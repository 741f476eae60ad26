/*
 * Reads the admin socket's JSON answers back for krpcmuxctl top: one flat
 * object or an array of flat objects (report.c writes nothing nested).
 * Strict: anything else is an error naming the offset.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "krpcmuxd.h"

struct json_reader {
	const char	*p, *end, *start;
	char		*why;
	size_t		 whylen;
};

/* Records an error at the current offset; always false. */
static bool
json_fail(struct json_reader *r, const char *what)
{
	snprintf(r->why, r->whylen, "bad JSON at byte %zu: %s", (size_t)(r->p - r->start), what);
	return false;
}

/* Skips white space. */
static void
json_space(struct json_reader *r)
{
	while (r->p < r->end && strchr(" \t\r\n", *r->p) != NULL)
		r->p++;
}

/* Consumes c (after white space); false if it is not next. */
static bool
json_expect(struct json_reader *r, char c)
{
	json_space(r);
	if (r->p >= r->end || *r->p != c)
		return false;
	r->p++;
	return true;
}

/* Appends code point cp as UTF-8. */
static void
json_utf8(krpc_buf_t *b, unsigned long cp)
{
	if (cp < 0x80)
		krpc_buf_byte(b, (uint8_t)cp);
	else if (cp < 0x800) {
		krpc_buf_byte(b, (uint8_t)(0xc0 | cp >> 6));
		krpc_buf_byte(b, (uint8_t)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		krpc_buf_byte(b, (uint8_t)(0xe0 | cp >> 12));
		krpc_buf_byte(b, (uint8_t)(0x80 | (cp >> 6 & 0x3f)));
		krpc_buf_byte(b, (uint8_t)(0x80 | (cp & 0x3f)));
	} else {
		krpc_buf_byte(b, (uint8_t)(0xf0 | cp >> 18));
		krpc_buf_byte(b, (uint8_t)(0x80 | (cp >> 12 & 0x3f)));
		krpc_buf_byte(b, (uint8_t)(0x80 | (cp >> 6 & 0x3f)));
		krpc_buf_byte(b, (uint8_t)(0x80 | (cp & 0x3f)));
	}
}

/* Reads the four hex digits of a \u escape. */
static bool
json_hex4(struct json_reader *r, unsigned long *cp)
{
	char hex[5];
	char *end;

	if (r->end - r->p < 4)
		return false;
	memcpy(hex, r->p, 4);
	hex[4] = '\0';
	*cp = strtoul(hex, &end, 16);
	r->p += 4;
	return end == hex + 4;
}

/* One escape after the backslash; a surrogate pair joins into one code point. */
static bool
json_escape(struct json_reader *r, krpc_buf_t *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned long cp, lo;
	const char *e;

	if (r->p >= r->end)
		return json_fail(r, "unfinished escape");
	if ((e = strchr(from, *r->p)) != NULL && *r->p != '\0') {
		krpc_buf_byte(b, (uint8_t)to[e - from]);
		r->p++;
		return true;
	}
	if (*r->p++ != 'u' || !json_hex4(r, &cp))
		return json_fail(r, "bad escape");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u')
			return json_fail(r, "lone surrogate");
		r->p += 2;
		if (!json_hex4(r, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return json_fail(r, "bad surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff)
		return json_fail(r, "lone surrogate");
	json_utf8(b, cp);
	return true;
}

/* A string (the opening quote next); *out is allocated. */
static bool
json_string(struct json_reader *r, char **out)
{
	krpc_buf_t b = KRPC_BUF_INIT;

	if (!json_expect(r, '"'))
		return json_fail(r, "a string was expected");
	while (r->p < r->end && *r->p != '"') {
		if ((unsigned char)*r->p < 0x20) {
			krpc_buf_free(&b);
			return json_fail(r, "control character in a string");
		}
		if (*r->p == '\\') {
			r->p++;
			if (!json_escape(r, &b)) {
				krpc_buf_free(&b);
				return false;
			}
		} else
			krpc_buf_byte(&b, (uint8_t)*r->p++);
	}
	if (r->p >= r->end) {
		krpc_buf_free(&b);
		return json_fail(r, "unterminated string");
	}
	r->p++;
	krpc_buf_byte(&b, '\0');
	xbuf_check(&b);
	*out = (char *)b.data;
	return true;
}

/* A number, true, false or null, kept as its text (null: NULL). */
static bool
json_scalar(struct json_reader *r, char **out)
{
	const char *s;
	char *end;

	json_space(r);
	s = r->p;
	if (r->end - s >= 4 && memcmp(s, "null", 4) == 0) {
		r->p += 4;
		*out = NULL;
		return true;
	}
	while (r->p < r->end && strchr("+-.0123456789eEtruefals", *r->p) != NULL)
		r->p++;
	if (r->p == s)
		return json_fail(r, "a value was expected (nothing nested is read)");
	*out = xstrndup(s, (size_t)(r->p - s));
	if (strcmp(*out, "true") != 0 && strcmp(*out, "false") != 0) {
		(void)strtod(*out, &end);
		if (*end != '\0') {
			free(*out);
			return json_fail(r, "not a number");
		}
	}
	return true;
}

/* One "key": value member into o. */
static bool
json_member(struct json_reader *r, struct json_object *o)
{
	struct json_member m = { NULL, NULL };

	if (!json_string(r, &m.key))
		return false;
	if (!json_expect(r, ':')) {
		free(m.key);
		return json_fail(r, "':' was expected");
	}
	json_space(r);
	if (!(r->p < r->end && *r->p == '"' ? json_string(r, &m.value) : json_scalar(r, &m.value))) {
		free(m.key);
		return false;
	}
	o->members = xreallocarray(o->members, o->n + 1, sizeof *o->members);
	o->members[o->n++] = m;
	return true;
}

/* One flat object (the '{' next). */
static bool
json_object(struct json_reader *r, struct json_object *o)
{
	if (!json_expect(r, '{'))
		return json_fail(r, "an object was expected");
	if (json_expect(r, '}'))
		return true;
	do {
		if (!json_member(r, o))
			return false;
	} while (json_expect(r, ','));
	if (!json_expect(r, '}'))
		return json_fail(r, "',' or '}' was expected");
	return true;
}

/* The objects of an array (the '[' consumed). */
static bool
json_array(struct json_reader *r, struct json_object **objs, size_t *n)
{
	if (json_expect(r, ']'))
		return true;
	do {
		*objs = xreallocarray(*objs, *n + 1, sizeof **objs);
		memset(&(*objs)[*n], 0, sizeof **objs);
		(*n)++;
		if (!json_object(r, &(*objs)[*n - 1]))
			return false;
	} while (json_expect(r, ','));
	if (!json_expect(r, ']'))
		return json_fail(r, "',' or ']' was expected");
	return true;
}

/* Parses one flat object or an array of them. */
bool
json_parse(const char *text, size_t len, struct json_object **objs, size_t *n, char *why,
    size_t whylen)
{
	struct json_reader r = { text, text + len, text, why, whylen };
	bool ok;

	*objs = NULL;
	*n = 0;
	if (json_expect(&r, '['))
		ok = json_array(&r, objs, n);
	else {
		*objs = xcalloc(1, sizeof **objs);
		*n = 1;
		ok = json_object(&r, *objs);
	}
	json_space(&r);
	if (ok && r.p != r.end)
		ok = json_fail(&r, "text after the value");
	if (!ok) {
		json_free(*objs, *n);
		*objs = NULL;
		*n = 0;
	}
	return ok;
}

/* Frees what json_parse() returned. */
void
json_free(struct json_object *objs, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < objs[i].n; j++) {
			free(objs[i].members[j].key);
			free(objs[i].members[j].value);
		}
		free(objs[i].members);
	}
	free(objs);
}

/* A member's value, NULL if absent or null. */
const char *
json_get(const struct json_object *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		if (strcmp(o->members[i].key, key) == 0)
			return o->members[i].value;
	}
	return NULL;
}

/* A member as a number, def if absent, null or not a number. */
double
json_num(const struct json_object *o, const char *key, double def)
{
	const char *v = json_get(o, key);
	char *end;
	double d;

	if (v == NULL)
		return def;
	d = strtod(v, &end);
	return end != v && *end == '\0' ? d : def;
}
