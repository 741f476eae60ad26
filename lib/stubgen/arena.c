/*
 * krpc-stubgen memory: an arena that frees a whole service model at once,
 * and allocation wrappers that end the program on out-of-memory (a
 * command-line tool has nothing better to do).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubgen.h"

struct arena_block {
	struct arena_block	*next;
	max_align_t		 data[];
};

struct arena {
	struct arena_block	*blocks;
};

/* Reports out-of-memory and exits. */
static void
arena_oom(void)
{
	fputs(STUBGEN_NAME ": out of memory\n", stderr);
	exit(2);
}

/* malloc that never returns NULL. */
void *
xmalloc(size_t n)
{
	void *p = malloc(n > 0 ? n : 1);

	if (p == NULL)
		arena_oom();
	return p;
}

/* realloc that never returns NULL. */
void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n > 0 ? n : 1)) == NULL)
		arena_oom();
	return p;
}

/* strdup that never returns NULL. */
char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

/* A new, empty arena. */
arena_t *
arena_new(void)
{
	arena_t *a = xmalloc(sizeof *a);

	a->blocks = NULL;
	return a;
}

/* Frees the arena and everything allocated from it. */
void
arena_free(arena_t *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

/* n zeroed bytes living as long as the arena. */
void *
arena_alloc(arena_t *a, size_t n)
{
	struct arena_block *b = xmalloc(sizeof *b + n);

	memset(b->data, 0, n);
	b->next = a->blocks;
	a->blocks = b;
	return b->data;
}

/* A copy of s in the arena. */
char *
arena_strdup(arena_t *a, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(arena_alloc(a, n), s, n);
}

/* A formatted string in the arena. */
char *
arena_printf(arena_t *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		arena_oom();
	s = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}
