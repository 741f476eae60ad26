/*
 * A small open-addressing hash map from uint64 ids to pointers: the
 * client's table of live streams, looked up once per streamed result.
 */
#include <stdlib.h>

#include "internal.h"

struct idmap_slot {
	uint64_t	 id;
	void		*ptr;	/* NULL: empty */
};

struct krpc_idmap {
	struct idmap_slot	*slots;
	size_t			 cap;	/* a power of two */
	size_t			 n;
};

/* Spreads an id over the table (a 64-bit finaliser). */
static size_t
idmap_hash(uint64_t id, size_t cap)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id & (cap - 1);
}

/* The slot holding id, or the empty slot where it would go. */
static struct idmap_slot *
idmap_find(const krpc_idmap_t *m, uint64_t id)
{
	size_t i = idmap_hash(id, m->cap);

	while (m->slots[i].ptr != NULL && m->slots[i].id != id)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

/* Doubles the table, reinserting every entry. */
static bool
idmap_grow(krpc_idmap_t *m)
{
	struct idmap_slot *old = m->slots, *s;
	size_t oldcap = m->cap, i;

	if ((m->slots = calloc(oldcap * 2, sizeof *m->slots)) == NULL) {
		m->slots = old;
		return false;
	}
	m->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++) {
		if (old[i].ptr != NULL) {
			s = idmap_find(m, old[i].id);
			*s = old[i];
		}
	}
	free(old);
	return true;
}

/* An empty map. */
krpc_idmap_t *
krpc_idmap_new(void)
{
	krpc_idmap_t *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->cap = 16;
	if ((m->slots = calloc(m->cap, sizeof *m->slots)) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

/* Frees the map (not the pointers it holds). */
void
krpc_idmap_free(krpc_idmap_t *m)
{
	if (m != NULL) {
		free(m->slots);
		free(m);
	}
}

/* The pointer stored for id, or NULL. */
void *
krpc_idmap_get(const krpc_idmap_t *m, uint64_t id)
{
	return idmap_find(m, id)->ptr;
}

/* Stores ptr for id. */
bool
krpc_idmap_put(krpc_idmap_t *m, uint64_t id, void *ptr)
{
	struct idmap_slot *s;

	if ((m->n + 1) * 4 > m->cap * 3 && !idmap_grow(m))
		return false;
	s = idmap_find(m, id);
	if (s->ptr == NULL)
		m->n++;
	s->id = id;
	s->ptr = ptr;
	return true;
}

/* Removes id, moving later entries of its cluster back (no tombstones). */
void
krpc_idmap_del(krpc_idmap_t *m, uint64_t id)
{
	struct idmap_slot *s = idmap_find(m, id);
	size_t i, j, k;

	if (s->ptr == NULL)
		return;
	i = (size_t)(s - m->slots);
	m->slots[i].ptr = NULL;
	m->n--;
	for (j = (i + 1) & (m->cap - 1); m->slots[j].ptr != NULL; j = (j + 1) & (m->cap - 1)) {
		k = idmap_hash(m->slots[j].id, m->cap);
		/* Move j back to i unless its home k lies cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		m->slots[i] = m->slots[j];
		m->slots[j].ptr = NULL;
		i = j;
	}
}
