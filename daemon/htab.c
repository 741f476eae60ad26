/*
 * A small chained hash table from byte-string keys to pointers: schema
 * names, stream keys, upstream and downstream stream ids, client ids.
 * Keys are copied; values are borrowed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

struct htab_node {
	struct htab_node	*next;
	uint64_t		 hash;
	void			*value;
	size_t			 len;
	uint8_t			 key[];
};

struct htab {
	struct htab_node	**slots;
	size_t			 nslots;
	size_t			 count;
};

/* FNV-1a, 64 bits. */
static uint64_t
htab_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Creates an empty table. */
struct htab *
htab_new(void)
{
	struct htab *h = xcalloc(1, sizeof *h);

	h->nslots = 16;
	h->slots = xcalloc(h->nslots, sizeof *h->slots);
	return h;
}

/* Removes every node (values are not freed). */
void
htab_clear(struct htab *h)
{
	struct htab_node *n, *next;
	size_t i;

	for (i = 0; i < h->nslots; i++) {
		for (n = h->slots[i]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
		h->slots[i] = NULL;
	}
	h->count = 0;
}

/* Frees the table (values are not freed). */
void
htab_free(struct htab *h)
{
	if (h == NULL)
		return;
	htab_clear(h);
	free(h->slots);
	free(h);
}

/* Finds the link pointing at key's node. */
static struct htab_node **
htab_link(struct htab *h, const void *key, size_t len, uint64_t hash)
{
	struct htab_node **l = &h->slots[hash & (h->nslots - 1)];

	for (; *l != NULL; l = &(*l)->next) {
		if ((*l)->hash == hash && (*l)->len == len && memcmp((*l)->key, key, len) == 0)
			break;
	}
	return l;
}

/* Doubles the slot array. */
static void
htab_grow(struct htab *h)
{
	struct htab_node **old = h->slots, *n, *next;
	size_t i, oldn = h->nslots;

	h->nslots *= 2;
	h->slots = xcalloc(h->nslots, sizeof *h->slots);
	for (i = 0; i < oldn; i++) {
		for (n = old[i]; n != NULL; n = next) {
			next = n->next;
			n->next = h->slots[n->hash & (h->nslots - 1)];
			h->slots[n->hash & (h->nslots - 1)] = n;
		}
	}
	free(old);
}

/* The value under key, or NULL. */
void *
htab_get(struct htab *h, const void *key, size_t len)
{
	struct htab_node *n = *htab_link(h, key, len, htab_hash(key, len));

	return n != NULL ? n->value : NULL;
}

/* Sets the value under key (replacing any). */
void
htab_put(struct htab *h, const void *key, size_t len, void *value)
{
	uint64_t hash = htab_hash(key, len);
	struct htab_node **l = htab_link(h, key, len, hash), *n;

	if (*l != NULL) {
		(*l)->value = value;
		return;
	}
	n = xmalloc(sizeof *n + len);
	n->next = NULL;
	n->hash = hash;
	n->value = value;
	n->len = len;
	memcpy(n->key, key, len);
	*l = n;
	if (++h->count > h->nslots)
		htab_grow(h);
}

/* Removes key; returns its value or NULL. */
void *
htab_del(struct htab *h, const void *key, size_t len)
{
	struct htab_node **l = htab_link(h, key, len, htab_hash(key, len)), *n = *l;
	void *value;

	if (n == NULL)
		return NULL;
	*l = n->next;
	value = n->value;
	free(n);
	h->count--;
	return value;
}

/* Removes key only if it maps to value. */
void
htab_del_value(struct htab *h, const void *key, size_t len, void *value)
{
	if (htab_get(h, key, len) == value)
		htab_del(h, key, len);
}

/* Number of keys. */
size_t
htab_count(const struct htab *h)
{
	return h->count;
}
