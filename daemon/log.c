/*
 * Levelled logging (error, warn, info, debug), always on, to stderr (the
 * journal adds timestamps under systemd) or to syslog.  Each line may name
 * the connection it concerns: "client 12 (unix, pid 4711, "telemetry")".
 * libevent's own messages come through here too, prefixed "libevent".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <event2/event.h>

#include "krpcmuxd.h"

static enum log_level	 log_level = LOG_LEVEL_INFO;
static bool		 log_syslog;

static const char *const log_names[] = { "error", "warn", "info", "debug" };

/* A message of libevent's (it must not call libevent back): logged at its severity. */
static void
log_libevent(int severity, const char *msg)
{
	enum log_level level = LOG_LEVEL_DEBUG;

	if (severity == EVENT_LOG_MSG)
		level = LOG_LEVEL_INFO;
	else if (severity == EVENT_LOG_WARN)
		level = LOG_LEVEL_WARN;
	else if (severity >= EVENT_LOG_ERR)
		level = LOG_LEVEL_ERROR;
	log_msg(level, "libevent", "%s", msg);
}

/* Starts logging to stderr or syslog, libevent's messages included. */
void
log_open(bool use_syslog)
{
	event_set_log_callback(log_libevent);
	if (use_syslog && !log_syslog)
		openlog("krpcmuxd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!use_syslog && log_syslog)
		closelog();
	log_syslog = use_syslog;
}

/* Stops logging to syslog. */
void
log_close(void)
{
	if (log_syslog)
		closelog();
	log_syslog = false;
}

/* Sets the most verbose level written. */
void
log_set_level(enum log_level level)
{
	log_level = level;
}

/* The level in force. */
enum log_level
log_get_level(void)
{
	return log_level;
}

/* True if lines of that level are written. */
bool
log_enabled(enum log_level level)
{
	return level <= log_level;
}

/* Parses a level name. */
bool
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof log_names / sizeof log_names[0]; i++) {
		if (strcmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	if (strcmp(s, "warning") == 0) {
		*out = LOG_LEVEL_WARN;
		return true;
	}
	return false;
}

/* The name of a level. */
const char *
log_level_name(enum log_level level)
{
	if ((size_t)level >= sizeof log_names / sizeof log_names[0])
		return "?";
	return log_names[level];
}

/* Writes one line. */
void
log_vmsg(enum log_level level, const char *prefix, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[2048];
	int n = 0;

	if (!log_enabled(level))
		return;
	if (prefix != NULL)
		n = snprintf(line, sizeof line, "%s: ", prefix);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	if (log_syslog)
		syslog(prio[level], "%s", line);
	else
		fprintf(stderr, "krpcmuxd: %s: %s\n", log_names[level], line);
}

/* Writes one line. */
void
log_msg(enum log_level level, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, prefix, fmt, ap);
	va_end(ap);
}

/*
 * Writes one line unless the rate wrote one within interval seconds; the
 * lines held back are counted, and the next line written says how many.
 * For what a peer can make happen as often as it likes (refusals).
 */
void
log_rated(struct log_rate *rate, double interval, enum log_level level, const char *prefix,
    const char *fmt, ...)
{
	double now = krpc_time_now();
	char text[1024];
	va_list ap;

	if (rate->last > 0 && now - rate->last < interval) {
		rate->held++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (rate->held > 0)
		log_msg(level, prefix, "%s (and %lu more like it in the last %.0f s)", text,
		    rate->held, now - rate->last);
	else
		log_msg(level, prefix, "%s", text);
	rate->last = now;
	rate->held = 0;
}

/* Logs an error and aborts. */
void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, "fatal", fmt, ap);
	va_end(ap);
	abort();
}
