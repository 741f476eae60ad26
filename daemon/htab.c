/*
 * A small chained hash table from byte-string keys to pointers: schema
 * names, stream keys, upstream and downstream stream ids, client ids.
 * Keys are copied; values are borrowed.  Clients choose many of the keys
 * (a stream key is their call's bytes), so the hash is keyed with a random
 * per-process secret: nobody outside can make keys that share a bucket.
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

/* The secret key of the hash; zero until the first table (or a test) sets it. */
static uint64_t	htab_key[2];
static bool	htab_keyed;

#define HTAB_ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

/* One SipRound over the four state words. */
static void
htab_sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = HTAB_ROTL(v[1], 13) ^ v[0];
	v[0] = HTAB_ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = HTAB_ROTL(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = HTAB_ROTL(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = HTAB_ROTL(v[1], 17) ^ v[2];
	v[2] = HTAB_ROTL(v[2], 32);
}

/* Absorbs one 64-bit message word with c rounds. */
static void
htab_sipword(uint64_t v[4], uint64_t m, int c)
{
	v[3] ^= m;
	while (c-- > 0)
		htab_sipround(v);
	v[0] ^= m;
}

/*
 * SipHash-c-d of key under a 128-bit secret: the keyed hash designed
 * against hash flooding.  The tables use SipHash-1-3, the variant Python's
 * and Rust's use.  A seeded FNV-1a would not do: its low bits, which pick
 * the bucket, depend only on the seed's low bits.  Cost: about 16 ns for an
 * 8-byte key and 30 ns for 40 bytes, against FNV-1a's 3 and 24 ns, at most
 * a few lookups per message the proxy handles.
 */
uint64_t
htab_siphash(const uint64_t secret[2], int c, int d, const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t v[4], last = (uint64_t)len << 56;
	size_t i, whole = len & ~(size_t)7;

	v[0] = secret[0] ^ 0x736f6d6570736575ULL;
	v[1] = secret[1] ^ 0x646f72616e646f6dULL;
	v[2] = secret[0] ^ 0x6c7967656e657261ULL;
	v[3] = secret[1] ^ 0x7465646279746573ULL;
	for (i = 0; i < whole; i += 8)
		htab_sipword(v, krpc_get_le64(p + i), c);
	for (i = whole; i < len; i++)
		last |= (uint64_t)p[i] << (8 * (i - whole));
	htab_sipword(v, last, c);
	v[2] ^= 0xff;
	while (d-- > 0)
		htab_sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Sets the secret of the hash (tests); only before the first table is made. */
void
htab_seed(const uint8_t secret[16])
{
	htab_key[0] = krpc_get_le64(secret);
	htab_key[1] = krpc_get_le64(secret + 8);
	htab_keyed = true;
}

/* The hash of a key under the process's secret. */
uint64_t
htab_hash(const void *key, size_t len)
{
	return htab_siphash(htab_key, 1, 3, key, len);
}

/* Creates an empty table. */
struct htab *
htab_new(void)
{
	struct htab *h = xcalloc(1, sizeof *h);
	uint8_t secret[16];

	if (!htab_keyed) {
		util_random(secret, sizeof secret);
		htab_seed(secret);
	}
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
