/*
 * What the service manager hears from a running daemon: STATUS= lines
 * (clients, streams, the game's connection, a failed reload), WATCHDOG=1
 * pings sent by the event loop's own turns, and the reload and stop
 * notifications.  Messages go out through systemd.c.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "krpcmuxd.h"

/* Longest time between two STATUS= checks. */
#define SERVICE_TICK	1.0

static struct {
	struct event	*tick;		/* a timer in the event loop: pings and STATUS= */
	struct event	*stall;		/* the test hook's signal (KRPCMUXD_TEST_STALL) */
	double		 interval;	/* seconds between ticks */
	double		 last;		/* when the last tick ran */
	bool		 watchdog;	/* the manager asked for pings (WATCHDOG_USEC) */
	bool		 stopping;
	char		 status[768];	/* the STATUS= text last sent */
	char		 reload_error[512];	/* why the last reload failed; "" once one works */
} svc;

/* The watchdog interval systemd asked for, in seconds; 0 for none. */
static double
service_watchdog_interval(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	double v;

	if (usec == NULL || (pid != NULL && atol(pid) != (long)getpid()))
		return 0;
	v = atof(usec) / 1e6;
	return v > 0 ? v : 0;
}

/* The STATUS= text: clients, streams, the game's connection, a failed reload. */
static void
service_status_text(char *buf, size_t len)
{
	struct upstream_snapshot u;
	int n;

	upstream_snapshot(&u);
	n = snprintf(buf, len, "%s%zu clients, %zu streams shared, %zu owned, %zu subscriptions; ",
	    svc.stopping ? "stopping: " : "", client_count(), streamtab_count(ENTRY_SHARED),
	    streamtab_count(ENTRY_OWNED), streamtab_subs());
	if (n < 0 || (size_t)n >= len)
		return;
	if (upstream_ready())
		n += snprintf(buf + n, len - (size_t)n, "game ready at %s (kRPC %s)", u.target,
		    u.version);
	else
		n += snprintf(buf + n, len - (size_t)n, "game %s at %s%s%s%s", u.state, u.target,
		    *u.why != '\0' ? " (" : "", u.why, *u.why != '\0' ? ")" : "");
	if (*svc.reload_error != '\0' && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; reload failed, previous configuration kept: %s",
		    svc.reload_error);
}

/* Sends extra (may be "") with a STATUS= line if the text changed (always with force). */
static void
service_send(const char *extra, bool force)
{
	char text[sizeof svc.status], msg[sizeof text + 256];

	service_status_text(text, sizeof text);
	if (!force && strcmp(text, svc.status) == 0) {
		if (*extra != '\0')
			systemd_notify(extra);
		return;
	}
	snprintf(svc.status, sizeof svc.status, "%s", text);
	snprintf(msg, sizeof msg, "%s%sSTATUS=%s", extra, *extra != '\0' ? "\n" : "", text);
	systemd_notify(msg);
}

/*
 * A turn of the event loop reached this timer, so the loop is not stuck:
 * ping the watchdog, refresh STATUS=.  A loop blocked in a callback runs
 * no timer, pings nothing, and systemd restarts the daemon.
 */
static void
service_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	double now = krpc_time_now(), late = now - svc.last - svc.interval;

	if (svc.last > 0 && late > svc.interval + 1.0)
		log_warn(NULL, "the event loop was held up for %.1f s", late + svc.interval);
	svc.last = now;
	service_send(svc.watchdog ? "WATCHDOG=1" : "", false);
}

/* The test hook: the loop sleeps in a callback, as if a bug held it up. */
static void
service_stall_cb(evutil_socket_t fd, short what, void *arg)
{
	double seconds = atof(getenv("KRPCMUXD_TEST_STALL"));
	struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };

	log_warn(NULL, "test hook: holding the event loop up for %g s", seconds);
	while (nanosleep(&ts, &ts) != 0)
		;
}

/*
 * Starts the tick when a service manager listens ($NOTIFY_SOCKET): every
 * quarter of WatchdogSec= (so three pings may be late before it expires),
 * at most SERVICE_TICK apart.  $KRPCMUXD_TEST_STALL (seconds) installs the
 * test hook on SIGUSR2.
 */
void
service_init(void)
{
	const char *notify = getenv("NOTIFY_SOCKET"), *stall = getenv("KRPCMUXD_TEST_STALL");
	double wd = service_watchdog_interval();
	struct timeval tv;

	if (stall != NULL && atof(stall) > 0) {
		svc.stall = evsignal_new(ev_base, SIGUSR2, service_stall_cb, NULL);
		if (svc.stall == NULL || evsignal_add(svc.stall, NULL) != 0)
			log_fatal("cannot install the test hook");
	}
	if (notify == NULL || *notify == '\0')
		return;
	svc.watchdog = wd > 0;
	svc.interval = svc.watchdog && wd / 4 < SERVICE_TICK ? wd / 4 : SERVICE_TICK;
	if (svc.watchdog)
		log_info(NULL, "systemd watchdog: %g s, pinged every %g s from the event loop", wd,
		    svc.interval);
	tv = util_timeval(svc.interval);
	if ((svc.tick = event_new(ev_base, -1, EV_PERSIST, service_tick_cb, NULL)) == NULL ||
	    event_add(svc.tick, &tv) != 0)
		log_fatal("cannot create the service timer");
}

/* The listeners are open: READY=1 (and a first ping). */
void
service_ready(void)
{
	service_send(svc.watchdog ? "READY=1\nWATCHDOG=1" : "READY=1", true);
}

/* Something STATUS= shows changed (the game's connection): say so now. */
void
service_update(void)
{
	service_send("", false);
}

/* A reload starts: RELOADING=1 with the monotonic time systemd compares. */
void
service_reloading(void)
{
	struct timespec ts;
	char msg[96];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	systemd_notify(msg);
}

/* A reload ended (why: NULL if it worked): READY=1, and STATUS= says why it failed. */
void
service_reloaded(const char *why)
{
	snprintf(svc.reload_error, sizeof svc.reload_error, "%s", why != NULL ? why : "");
	service_send("READY=1", true);
}

/* The graceful stop began: STOPPING=1. */
void
service_stopping(void)
{
	svc.stopping = true;
	service_send("STOPPING=1", true);
}

/* Frees the timers. */
void
service_close(void)
{
	if (svc.tick != NULL)
		event_free(svc.tick);
	if (svc.stall != NULL)
		event_free(svc.stall);
	svc.tick = NULL;
	svc.stall = NULL;
}
