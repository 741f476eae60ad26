/*
 * krpc-stubgen text: a growable buffer the emitters print into, and the
 * file helpers (write only when the contents change, read a whole file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stubgen.h"

/* Makes room for n more bytes and the NUL. */
static void
text_reserve(text_t *t, size_t n)
{
	size_t cap = t->cap > 0 ? t->cap : 256;

	if (t->len + n + 1 <= t->cap)
		return;
	while (cap < t->len + n + 1)
		cap *= 2;
	t->s = xrealloc(t->s, cap);
	t->cap = cap;
}

/* Appends a string. */
void
text_puts(text_t *t, const char *s)
{
	size_t n = strlen(s);

	text_reserve(t, n);
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

/* Appends one character. */
void
text_putc(text_t *t, char c)
{
	text_reserve(t, 1);
	t->s[t->len++] = c;
	t->s[t->len] = '\0';
}

/* Appends formatted text. */
void
text_vprintf(text_t *t, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n <= 0)
		return;
	text_reserve(t, (size_t)n);
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
	t->len += (size_t)n;
}

/* Appends formatted text. */
void
text_printf(text_t *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vprintf(t, fmt, ap);
	va_end(ap);
}

/* The contents, NUL-terminated. */
const char *
text_str(text_t *t)
{
	text_reserve(t, 0);
	t->s[t->len] = '\0';
	return t->s;
}

/* Releases the buffer (it may be used again). */
void
text_free(text_t *t)
{
	free(t->s);
	t->s = NULL;
	t->len = t->cap = 0;
}

/* Reads a whole file. */
uint8_t *
text_read_file(const char *path, size_t *len)
{
	FILE *f;
	uint8_t *data = NULL;
	size_t cap = 0, n = 0, got;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, STUBGEN_NAME ": %s: %s\n", path, strerror(errno));
		return NULL;
	}
	do {
		if (n == cap)
			data = xrealloc(data, cap = cap ? cap * 2 : 65536);
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		fprintf(stderr, STUBGEN_NAME ": %s: read error\n", path);
		free(data);
		data = NULL;
	}
	fclose(f);
	*len = n;
	return data;
}

/* True if path holds exactly data. */
static bool
text_same_file(const char *path, const void *data, size_t len)
{
	FILE *f;
	uint8_t *old;
	size_t oldlen;
	bool same;

	if ((f = fopen(path, "rb")) == NULL)
		return false;
	fclose(f);
	if ((old = text_read_file(path, &oldlen)) == NULL)
		return false;
	same = oldlen == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

/* Writes a file through a temporary name, unless unchanged. */
int
text_write_file(const char *path, const void *data, size_t len)
{
	char *tmp;
	FILE *f;
	int ok;

	if (text_same_file(path, data, len))
		return 0;
	tmp = xmalloc(strlen(path) + 32);
	sprintf(tmp, "%s.tmp%ld", path, (long)getpid());
	if ((f = fopen(tmp, "wb")) == NULL) {
		fprintf(stderr, STUBGEN_NAME ": %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, STUBGEN_NAME ": cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 1;
}
