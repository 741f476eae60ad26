/*
 * krpc-sim small helpers: allocation wrappers that end the process on
 * out-of-memory (a test server has no better recovery).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

/* Reports out-of-memory and exits. */
static void
util_oom(void)
{
	fputs("krpc-sim: out of memory\n", stderr);
	abort();
}

/* calloc that never returns NULL. */
void *
util_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		util_oom();
	return p;
}

/* realloc of n items that never returns NULL. */
void *
util_reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		util_oom();
	if ((p = realloc(p, n * size > 0 ? n * size : 1)) == NULL)
		util_oom();
	return p;
}

/* strdup that never returns NULL (NULL gives ""). */
char *
util_strdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (d == NULL)
		util_oom();
	return d;
}

/* strndup that never returns NULL. */
char *
util_strndup(const char *s, size_t n)
{
	char *d = util_calloc(1, n + 1);

	memcpy(d, s, n);
	return d;
}

/* A malloc'd formatted string. */
char *
util_vprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) == -1)
		util_oom();
	return s;
}

/* A malloc'd formatted string. */
char *
util_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = util_vprintf(fmt, ap);
	va_end(ap);
	return s;
}
