/*
 * The stall watch: a server that stops answering (a stopped or wedged
 * process, a dead link the kernel has not noticed) would leave every
 * waiting call hanging forever.  Anything the server sends on any of its
 * connections is a sign of life; when requests wait and nothing came for a
 * quarter of upstream.stall_timeout, the server is asked something cheap
 * on an idle connection, so that one long yielding call, during which the
 * server answers others, is not mistaken for a stall; after the whole
 * timeout of silence the session is treated as lost.
 */
#include "config.h"

#include "krpcmuxd.h"

/* The longest gap between two looks (the timeout's quarter when shorter). */
#define STALL_TICK_MAX	1.0

static struct event	*stall_timer;

/* Schedules the next look. */
static void
stall_arm(void)
{
	double t = cfg->upstream_stall_timeout / 4;
	struct timeval tv = util_timeval(t > 0 && t < STALL_TICK_MAX ? t : STALL_TICK_MAX);

	evtimer_add(stall_timer, &tv);
}

/* Looks at the silence: probes, or declares the server lost. */
static void
stall_tick(evutil_socket_t fd, short what, void *arg)
{
	double timeout = cfg->upstream_stall_timeout, silent;
	size_t waiting = lane_waiting(&silent);

	stall_arm();
	if (timeout <= 0 || waiting == 0)
		return;
	if (silent >= timeout)
		upstream_stalled(silent, waiting);
	else if (silent >= timeout / 4)
		upstream_probe();
}

/* Starts watching (once the event loop exists). */
void
stall_start(void)
{
	if (stall_timer == NULL && (stall_timer = evtimer_new(ev_base, stall_tick, NULL)) == NULL)
		log_fatal("cannot create the stall watch's timer");
	stall_arm();
}

/* Stops watching (shutdown). */
void
stall_stop(void)
{
	if (stall_timer != NULL)
		event_free(stall_timer);
	stall_timer = NULL;
}
