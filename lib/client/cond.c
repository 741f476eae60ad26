/*
 * Condition locks that know their holder (krpc_cond_t), so that a public
 * function can tell whether its caller already holds a stream's or the
 * client's update lock, and the small callback arrays kept beside them.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* One byte per thread whose address identifies the thread. */
static __thread char cond_token;

/* This thread's holder token. */
const void *
krpc_cond_self(void)
{
	return &cond_token;
}

/* Initialises a lock and its condition on the monotonic clock. */
int
krpc_cond_init(krpc_cond_t *k)
{
	int rc;

	k->holder = NULL;
	if ((rc = pthread_mutex_init(&k->mu, NULL)) != 0)
		return rc;
	return krpc_time_cond_init(&k->cv);
}

/* Destroys a lock and its condition. */
void
krpc_cond_destroy(krpc_cond_t *k)
{
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
}

/* True if this thread holds the lock (only the holder can see itself there). */
bool
krpc_cond_held(const krpc_cond_t *k)
{
	return __atomic_load_n(&k->holder, __ATOMIC_RELAXED) == krpc_cond_self();
}

/* Takes the lock and records this thread as its holder. */
void
krpc_cond_lock(krpc_cond_t *k)
{
	pthread_mutex_lock(&k->mu);
	__atomic_store_n(&k->holder, krpc_cond_self(), __ATOMIC_RELAXED);
}

/* Clears the holder and releases the lock. */
void
krpc_cond_unlock(krpc_cond_t *k)
{
	__atomic_store_n(&k->holder, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&k->mu);
}

/* One wait, the lock held; false once the deadline has passed. */
bool
krpc_cond_wait(krpc_cond_t *k, double deadline)
{
	bool more;

	__atomic_store_n(&k->holder, NULL, __ATOMIC_RELAXED);
	more = krpc_time_cond_wait(&k->cv, &k->mu, deadline);
	__atomic_store_n(&k->holder, krpc_cond_self(), __ATOMIC_RELAXED);
	return more;
}

/* Wakes every waiter. */
void
krpc_cond_broadcast(krpc_cond_t *k)
{
	pthread_cond_broadcast(&k->cv);
}

/* ---- callback arrays ------------------------------------------------ */

/* Appends a callback. */
bool
krpc_callbacks_add(krpc_callbacks_t *a, const krpc_callback_t *cb)
{
	krpc_callback_t *v;
	size_t cap;

	if (a->n == a->cap) {
		cap = a->cap ? a->cap * 2 : 4;
		if ((v = realloc(a->v, cap * sizeof *v)) == NULL)
			return false;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = *cb;
	return true;
}

/* Removes the callback with tag, keeping the order of the others. */
bool
krpc_callbacks_del(krpc_callbacks_t *a, unsigned tag)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].tag == tag) {
			memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof a->v[0]);
			a->n--;
			return true;
		}
	}
	return false;
}

/* True if a callback with tag is registered. */
bool
krpc_callbacks_has(const krpc_callbacks_t *a, unsigned tag)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].tag == tag)
			return true;
	}
	return false;
}

/* A copy of the array for running callbacks without the lock. */
krpc_callback_t *
krpc_callbacks_copy(const krpc_callbacks_t *a, size_t *n)
{
	krpc_callback_t *v;

	*n = 0;
	if (a->n == 0 || (v = malloc(a->n * sizeof *v)) == NULL)
		return NULL;
	memcpy(v, a->v, a->n * sizeof *v);
	*n = a->n;
	return v;
}

/* Frees the array. */
void
krpc_callbacks_free(krpc_callbacks_t *a)
{
	free(a->v);
	memset(a, 0, sizeof *a);
}
