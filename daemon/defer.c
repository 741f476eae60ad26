/*
 * Deferred frees: an object is never freed inside its own callback.  Owners
 * mark it dead and queue its free here; the queue runs from an event that
 * fires after the current callback returns.
 */
#include "config.h"

#include <stdlib.h>

#include "krpcmuxd.h"

struct deferred {
	void		(*fn)(void *);
	void		*ptr;
};

static struct deferred	*defer_list;
static size_t		 defer_len, defer_cap;
static struct event	*defer_ev;

/* Runs the queue (also the event callback). */
static void
defer_run(evutil_socket_t fd, short what, void *arg)
{
	struct deferred d;
	size_t i;

	/* Frees may queue further frees: run until the queue stays empty. */
	for (i = 0; i < defer_len; i++) {
		d = defer_list[i];
		d.fn(d.ptr);
	}
	defer_len = 0;
}

/* Creates the event that runs the queue. */
void
defer_init(void)
{
	if (defer_ev == NULL)
		defer_ev = event_new(ev_base, -1, 0, defer_run, NULL);
	if (defer_ev == NULL)
		log_fatal("cannot create the deferred-free event");
}

/* Queues fn(ptr) for after the current callback. */
void
defer_free(void (*fn)(void *), void *ptr)
{
	if (defer_len == defer_cap) {
		defer_cap = defer_cap ? defer_cap * 2 : 64;
		defer_list = xreallocarray(defer_list, defer_cap, sizeof *defer_list);
	}
	defer_list[defer_len].fn = fn;
	defer_list[defer_len].ptr = ptr;
	defer_len++;
	if (defer_ev != NULL)
		event_active(defer_ev, 0, 0);
}

/* Runs everything queued now; releases the queue (shutdown). */
void
defer_flush(void)
{
	defer_run(-1, 0, NULL);
	free(defer_list);
	defer_list = NULL;
	defer_cap = 0;
	if (defer_ev != NULL)
		event_free(defer_ev);
	defer_ev = NULL;
}
