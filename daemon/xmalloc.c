/*
 * Allocation wrappers for the daemon: a long-running proxy cannot do anything
 * sensible without memory, so exhaustion is logged and aborts at once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

/* Allocates size bytes (at least one). */
void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		log_fatal("out of memory allocating %zu bytes", size);
	return p;
}

/* Allocates a zeroed array. */
void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		log_fatal("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

/* Resizes a block. */
void *
xrealloc(void *old, size_t size)
{
	void *p = realloc(old, size ? size : 1);

	if (p == NULL)
		log_fatal("out of memory reallocating %zu bytes", size);
	return p;
}

/* Resizes an array, checking the multiplication. */
void *
xreallocarray(void *old, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		log_fatal("array of %zu x %zu bytes is too large", n, size);
	return xrealloc(old, n * size);
}

/* Copies a string. */
char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

/* Copies at most n bytes of a string, NUL-terminated. */
char *
xstrndup(const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Copies a block. */
void *
xmemdup(const void *src, size_t len)
{
	void *p = xmalloc(len);

	if (len > 0)
		memcpy(p, src, len);
	return p;
}

/* Formats into a new string. */
int
xvasprintf(char **out, const char *fmt, va_list ap)
{
	int n = vasprintf(out, fmt, ap);

	if (n < 0)
		log_fatal("out of memory formatting a string");
	return n;
}

/* Formats into a new string. */
int
xasprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xvasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

/* Aborts if building a codec buffer ran out of memory. */
void
xbuf_check(const krpc_buf_t *b)
{
	if (!krpc_buf_ok(b))
		log_fatal("out of memory building a message");
}
