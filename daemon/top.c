/*
 * krpcmuxctl top: a live view of a running krpcmuxd, refreshed every
 * interval: the upstream session, the clients with their calls and values
 * per second, the stream table with subscribers and values per second.  It
 * asks the admin socket's JSON answers (status, upstream, clients, streams)
 * each time and turns counters into rates.  On a terminal it redraws in
 * place with plain ANSI sequences and quits on q or Ctrl-C, putting the
 * terminal back; elsewhere (or with -n/--once) it prints plain frames.
 */
#include "config.h"

#include <sys/ioctl.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl.h"
#include "krpcmuxd.h"

/* One look at the daemon. */
struct top_sample {
	bool			 ok;
	char			 why[256];
	double			 at;		/* monotonic seconds */
	struct json_object	*status, *upstream, *clients, *streams;
	size_t			 nstatus, nupstream, nclients, nstreams;
};

/* The terminal, while the view owns it. */
static struct {
	bool		 screen;	/* stdout is a terminal: redraw in place */
	bool		 keys;		/* stdin is a terminal in raw mode */
	bool		 reading;	/* keys are read (until the terminal hangs up) */
	struct termios	 saved;
} top_tty;

static volatile sig_atomic_t top_stop;

/* SIGINT, SIGTERM, SIGHUP: leave the loop, which restores the terminal. */
static void
top_signal(int sig)
{
	top_stop = 1;
}

/* Asks one command as JSON and parses it; false with why in s. */
static bool
top_fetch(const char *path, const char *cmd, struct top_sample *s, struct json_object **objs,
    size_t *n)
{
	krpc_buf_t out = KRPC_BUF_INIT;
	bool ok;

	ok = ctl_ask(path, cmd, true, &out, s->why, sizeof s->why);
	if (ok && ctl_is_error(out.data, out.len)) {
		snprintf(s->why, sizeof s->why, "krpcmuxd answered %s with an error", cmd);
		ok = false;
	}
	if (ok)
		ok = json_parse((const char *)out.data, out.len, objs, n, s->why, sizeof s->why);
	krpc_buf_free(&out);
	return ok;
}

/* Frees a sample's answers. */
static void
top_sample_free(struct top_sample *s)
{
	json_free(s->status, s->nstatus);
	json_free(s->upstream, s->nupstream);
	json_free(s->clients, s->nclients);
	json_free(s->streams, s->nstreams);
	memset(s, 0, sizeof *s);
}

/* Takes a sample: four questions; s->ok false with s->why if one failed. */
static void
top_sample_take(const char *path, struct top_sample *s)
{
	memset(s, 0, sizeof *s);
	s->at = krpc_time_now();
	s->ok = top_fetch(path, "status", s, &s->status, &s->nstatus) && s->nstatus == 1 &&
	    top_fetch(path, "upstream", s, &s->upstream, &s->nupstream) && s->nupstream == 1 &&
	    top_fetch(path, "clients", s, &s->clients, &s->nclients) &&
	    top_fetch(path, "streams", s, &s->streams, &s->nstreams);
}

/* The per-second rate of counter key of the object with id in list, from prev to cur (-1: unknown). */
static double
top_rate(const struct json_object *cur, const struct json_object *prev, size_t nprev,
    const char *key, double dt)
{
	double id = json_num(cur, "id", -1);
	size_t i;

	for (i = 0; i < nprev && dt > 0; i++) {
		if (json_num(&prev[i], "id", -2) == id)
			return (json_num(cur, key, 0) - json_num(&prev[i], key, 0)) / dt;
	}
	return -1;
}

/* A rate as text: one decimal, "-" when unknown. */
static const char *
top_rate_text(char *buf, size_t len, double rate)
{
	if (rate < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", rate);
	return buf;
}

/* Text from the daemon made safe for a terminal (control bytes become '?'), cut to width bytes. */
static const char *
top_safe(char *buf, size_t len, const char *s, size_t width)
{
	size_t n;

	util_printable(buf, len, s != NULL ? s : "");
	if ((n = strlen(buf)) > width) {
		n = width;
		while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
			n--;	/* not inside a UTF-8 sequence */
		buf[n] = '\0';
	}
	return buf;
}

/* The two header lines: the daemon and its upstream, then the totals. */
static void
top_header(krpc_buf_t *f, const struct top_sample *s, const struct top_sample *prev)
{
	const struct json_object *st = s->status, *up = s->upstream;
	double dt = prev->ok ? s->at - prev->at : 0;
	char a[64], b[64], up_text[200], state[64], uptime[64];

	report_duration_text(uptime, sizeof uptime, json_num(st, "uptime", 0));
	top_safe(state, sizeof state, json_get(up, "state"), 40);
	if (strcmp(state, "ready") == 0)
		snprintf(up_text, sizeof up_text, "ready, %s, server %s, %.0f in flight",
		    top_safe(a, sizeof a, json_get(up, "target"), 60),
		    top_safe(b, sizeof b, json_get(up, "version"), 20), json_num(up, "in_flight", 0));
	else
		snprintf(up_text, sizeof up_text, "%s (%s)", state,
		    top_safe(a, sizeof a, json_get(up, "why"), 60));
	krpc_buf_printf(f, "krpcmuxd %s, pid %.0f, up %s   upstream %s\n",
	    top_safe(b, sizeof b, json_get(st, "version"), 20), json_num(st, "pid", 0), uptime,
	    up_text);
	krpc_buf_printf(f, "clients %.0f   streams %.0f shared %.0f owned %.0f local   "
	    "subscriptions %.0f   calls/s %s   values/s %s\n\n", json_num(st, "clients", 0),
	    json_num(st, "streams_shared", 0), json_num(st, "streams_owned", 0),
	    json_num(st, "streams_local", 0), json_num(st, "subscriptions", 0),
	    top_rate_text(a, sizeof a, dt > 0 ? (json_num(st, "calls", 0) -
	    json_num(prev->status, "calls", 0)) / dt : -1),
	    top_rate_text(b, sizeof b, dt > 0 ? (json_num(st, "values_sent", 0) -
	    json_num(prev->status, "values_sent", 0)) / dt : -1));
}

/* The client table. */
static void
top_clients(krpc_buf_t *f, const struct top_sample *s, const struct top_sample *prev)
{
	double dt = s->at - prev->at;
	char name[64], tr[16], a[32], b[32];
	const struct json_object *c;
	size_t i;

	krpc_buf_printf(f, "%6s %-24s %-5s %7s %7s %9s %9s %6s\n", "CLIENT", "NAME", "VIA", "PID",
	    "STREAMS", "CALLS/S", "VALUES/S", "QUEUED");
	for (i = 0; i < s->nclients; i++) {
		c = &s->clients[i];
		krpc_buf_printf(f, "%6.0f %-24s %-5s %7.0f %7.0f %9s %9s %6.0f\n",
		    json_num(c, "id", 0), top_safe(name, sizeof name, json_get(c, "name"), 24),
		    top_safe(tr, sizeof tr, json_get(c, "transport"), 5), json_num(c, "pid", 0),
		    json_num(c, "streams", 0),
		    top_rate_text(a, sizeof a, top_rate(c, prev->clients, prev->nclients, "calls", dt)),
		    top_rate_text(b, sizeof b, top_rate(c, prev->clients, prev->nclients, "values", dt)),
		    json_num(c, "queued", 0));
	}
	krpc_buf_byte(f, '\n');
}

/* The stream table. */
static void
top_streams(krpc_buf_t *f, const struct top_sample *s, const struct top_sample *prev)
{
	double dt = s->at - prev->at;
	char call[96], kind[16], state[16], a[32];
	const struct json_object *e;
	size_t i;

	krpc_buf_printf(f, "%6s %-44s %-6s %-6s %5s %9s\n", "STREAM", "CALL", "KIND", "STATE",
	    "SUBS", "VALUES/S");
	for (i = 0; i < s->nstreams; i++) {
		e = &s->streams[i];
		krpc_buf_printf(f, "%6.0f %-44s %-6s %-6s %5.0f %9s\n", json_num(e, "id", 0),
		    top_safe(call, sizeof call, json_get(e, "call"), 44),
		    top_safe(kind, sizeof kind, json_get(e, "kind"), 6),
		    top_safe(state, sizeof state, json_get(e, "state"), 6),
		    json_num(e, "subscribers", 0),
		    top_rate_text(a, sizeof a, top_rate(e, prev->streams, prev->nstreams, "values", dt)));
	}
}

/* Builds one frame of text. */
static void
top_frame(krpc_buf_t *f, const struct top_sample *s, const struct top_sample *prev)
{
	if (!s->ok) {
		krpc_buf_printf(f, "krpcmuxctl top: %s\n", s->why);
		return;
	}
	top_header(f, s, prev);
	top_clients(f, s, prev);
	top_streams(f, s, prev);
	xbuf_check(f);
}

/* Writes a frame: in place on a terminal (cut to its size), else plainly with a blank line after. */
static void
top_show(const krpc_buf_t *f)
{
	struct winsize ws = { 0, 0, 0, 0 };
	const char *p = (const char *)f->data, *end = p + f->len, *nl;
	size_t row = 0, len;

	if (!top_tty.screen) {
		fwrite(f->data, 1, f->len, stdout);
		fputs("\n", stdout);
		fflush(stdout);
		return;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0)
		ws.ws_row = 24, ws.ws_col = 80;
	fputs("\033[H", stdout);
	for (; p < end && row + 1 < ws.ws_row; p = nl + 1, row++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p) < ws.ws_col ? (size_t)(nl - p) : ws.ws_col;
		fwrite(p, 1, len, stdout);
		fputs("\033[K\r\n", stdout);
	}
	fputs("\033[J", stdout);
	fflush(stdout);
}

/* Takes the terminal: alternate screen, no cursor, keys unbuffered; signals end the view. */
static void
top_tty_open(void)
{
	struct sigaction sa;
	struct termios raw;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = top_signal;	/* no SA_RESTART: the wait returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	top_tty.screen = isatty(STDOUT_FILENO);
	if (top_tty.screen)
		fputs("\033[?1049h\033[?25l\033[H\033[J", stdout);
	if (top_tty.screen && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &top_tty.saved) == 0) {
		raw = top_tty.saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		top_tty.keys = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
		top_tty.reading = top_tty.keys;
	}
	fflush(stdout);
}

/* Gives the terminal back as it was. */
static void
top_tty_close(void)
{
	if (top_tty.keys)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &top_tty.saved);
	if (top_tty.screen)
		fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
}

/* Waits until the deadline; false if the view should end (q, Ctrl-C, a signal). */
static bool
top_wait(double until)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	double left;
	ssize_t n;
	char key;

	while (!top_stop && (left = until - krpc_time_now()) > 0) {
		if (poll(&pfd, top_tty.reading ? 1 : 0, (int)(left * 1000) + 1) <= 0)
			continue;
		if ((n = read(STDIN_FILENO, &key, 1)) == 1 && (key == 'q' || key == 'Q'))
			return false;
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			top_tty.reading = false;	/* hung up: stop polling a dead descriptor */
	}
	return !top_stop;
}

/* Runs the view. */
int
top_run(const struct top_options *o)
{
	struct top_sample prev, cur;
	krpc_buf_t frame = KRPC_BUF_INIT;
	long shown = 0;
	int rc = 0;

	top_tty_open();
	top_sample_take(o->path, &prev);
	if (!prev.ok && !top_tty.screen) {
		fprintf(stderr, "krpcmuxctl: %s\n", prev.why);
		top_sample_free(&prev);
		top_tty_close();
		return 2;
	}
	while (top_wait(prev.at + o->interval)) {
		top_sample_take(o->path, &cur);
		if (!cur.ok && !top_tty.screen) {
			fprintf(stderr, "krpcmuxctl: %s\n", cur.why);
			rc = 2;
			top_sample_free(&cur);
			break;
		}
		krpc_buf_reset(&frame);
		top_frame(&frame, &cur, &prev);
		top_show(&frame);
		top_sample_free(&prev);
		prev = cur;
		if (o->count > 0 && ++shown >= o->count)
			break;
	}
	top_sample_free(&prev);
	krpc_buf_free(&frame);
	top_tty_close();
	return rc;
}
