/*
 * The admin socket: a Unix socket (file mode 0600) answering one command per
 * connection (status, clients, streams, upstream, config, stats, metrics,
 * reload), as text or, with "json" after the command, as JSON.  krpcmuxctl speaks it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "krpcmuxd.h"

#define ADMIN_TIMEOUT	5
#define ADMIN_LINE_MAX	256

/* One admin connection: reads a line, writes the answer, closes. */
struct admin_conn {
	struct bufferevent		*bev;
	TAILQ_ENTRY(admin_conn)		 link;
};

static struct evconnlistener	*admin_listener;
static struct event		*admin_resume;	/* ends a pause after EMFILE */
static char			*admin_path;
static dev_t			 admin_dev;	/* the socket file created: removed only if still it */
static ino_t			 admin_ino;
static double			 admin_started;
static const struct admin_actions *admin_actions;
static TAILQ_HEAD(, admin_conn)	 admin_conns = TAILQ_HEAD_INITIALIZER(admin_conns);

/* One counter as a line or a JSON member. */
static void
admin_stat(const char *name, const char *help, uint64_t value, void *arg)
{
	report_uint(arg, name, value);
}

/* status: the overview. */
static void
admin_status(krpc_buf_t *out, bool json)
{
	struct report r;

	report_begin(&r, out, json);
	report_str(&r, "version", PACKAGE_VERSION);
	report_int(&r, "pid", (int64_t)getpid());
	report_duration(&r, "uptime", krpc_time_now() - admin_started);
	report_str(&r, "upstream", upstream_ready() ? "ready" : upstream_why_down());
	report_uint(&r, "clients", client_count());
	report_uint(&r, "streams_shared", streamtab_count(ENTRY_SHARED));
	report_uint(&r, "streams_owned", streamtab_count(ENTRY_OWNED));
	report_uint(&r, "streams_local", streamtab_count(ENTRY_LOCAL));
	report_uint(&r, "subscriptions", streamtab_subs());
	stats_foreach(admin_stat, &r);
	report_end(&r);
}

/* stats: the counters alone. */
static void
admin_stats(krpc_buf_t *out, bool json)
{
	struct report r;

	report_begin(&r, out, json);
	stats_foreach(admin_stat, &r);
	report_end(&r);
}

/* metrics: Prometheus text exposition (metrics.c); it has no JSON form. */
static void
admin_metrics(krpc_buf_t *out, bool json)
{
	struct report r;

	if (!json) {
		metrics_write(out, krpc_time_now() - admin_started);
		return;
	}
	report_begin(&r, out, true);
	report_str(&r, "error", "metrics has no JSON form: it is Prometheus text");
	report_end(&r);
}

/* Opens a JSON list item: '[' before the first, ',' between. */
static void
admin_item(krpc_buf_t *out, bool *any)
{
	krpc_buf_byte(out, *any ? ',' : '[');
	*any = true;
}

/* Closes a JSON list ("[]" if it had no item). */
static void
admin_list_end(krpc_buf_t *out, bool any)
{
	if (!any)
		krpc_buf_byte(out, '[');
	krpc_buf_byte(out, ']');
}

/* One client as a text line. */
static void
admin_client_text(krpc_buf_t *out, const struct client *c, size_t nsubs)
{
	char name[80];

	util_printable(name, sizeof name, c->name);
	krpc_buf_printf(out, "%llu %s \"%s\" %s pid=%ld streams=%zu calls=%llu values=%llu "
	    "queued=%zu holds=%zu rpc_output=%zu stream_output=%zu%s\n",
	    (unsigned long long)c->serial, c->transport == PEER_UNIX ? "unix" : "tcp", name,
	    c->address, (long)c->pid, nsubs, (unsigned long long)c->calls,
	    (unsigned long long)c->values, c->nrequests, ledger_count(c), peer_output(c->rpc),
	    c->stream != NULL ? peer_output(c->stream) : 0,
	    c->stream != NULL ? "" : " (no stream connection)");
}

/* One client as a JSON object. */
static void
admin_client_json(krpc_buf_t *out, const struct client *c, size_t nsubs)
{
	struct report r;

	report_begin(&r, out, true);
	report_uint(&r, "id", c->serial);
	report_str(&r, "name", c->name);
	report_str(&r, "transport", c->transport == PEER_UNIX ? "unix" : "tcp");
	report_str(&r, "address", c->address);
	report_int(&r, "pid", (int64_t)c->pid);
	report_uint(&r, "streams", nsubs);
	report_uint(&r, "calls", c->calls);
	report_uint(&r, "values", c->values);
	report_uint(&r, "queued", c->nrequests);
	report_uint(&r, "holds", ledger_count(c));
	report_uint(&r, "rpc_output", peer_output(c->rpc));
	report_uint(&r, "stream_output", c->stream != NULL ? peer_output(c->stream) : 0);
	report_str(&r, "stream_connection", c->stream != NULL ? "yes" : "no");
	report_end(&r);
}

/* clients: one line or object per connected client. */
static void
admin_clients(krpc_buf_t *out, bool json)
{
	const struct client *c;
	const struct sub *s;
	bool any = false;
	size_t nsubs;

	TAILQ_FOREACH(c, client_all(), link) {
		if (c->state != CLIENT_READY || c->dead)
			continue;
		nsubs = 0;
		TAILQ_FOREACH(s, &c->subs, client_link)
			nsubs++;
		if (!json) {
			admin_client_text(out, c, nsubs);
			continue;
		}
		admin_item(out, &any);
		admin_client_json(out, c, nsubs);
	}
	if (json)
		admin_list_end(out, any);
}

/* streams: one line or object per stream table entry. */
static void
admin_streams(krpc_buf_t *out, bool json)
{
	static const char *const kinds[] = { "shared", "owned", "local" };
	static const char *const states[] = { "adding", "live", "failed" };
	const struct entry *e;
	struct report r;
	bool any = false;
	double rate;

	for (e = streamtab_first(); e != NULL; e = streamtab_next(e)) {
		rate = e->up_rate_known ? e->up_rate : -1.0;
		if (!json) {
			krpc_buf_printf(out, "%-40s %-6s %-6s upstream=%llu subscribers=%zu values=%llu "
			    "rate=%g%s\n", e->label, kinds[e->kind], states[e->state],
			    (unsigned long long)e->upid, e->nsubs, (unsigned long long)e->values, rate,
			    e->up_started ? " started" : "");
			continue;
		}
		admin_item(out, &any);
		report_begin(&r, out, true);
		report_uint(&r, "id", e->serial);
		report_str(&r, "call", e->label);
		report_str(&r, "kind", kinds[e->kind]);
		report_str(&r, "state", states[e->state]);
		report_uint(&r, "upstream_id", e->upid);
		report_uint(&r, "subscribers", e->nsubs);
		report_uint(&r, "values", e->values);
		report_num(&r, "rate", rate);
		report_str(&r, "started", e->up_started ? "yes" : "no");
		report_end(&r);
	}
	if (json)
		admin_list_end(out, any);
}

/* upstream: the session. */
static void
admin_upstream(krpc_buf_t *out, bool json)
{
	struct upstream_snapshot u;
	struct report r;

	upstream_snapshot(&u);
	report_begin(&r, out, json);
	report_str(&r, "state", u.state);
	report_str(&r, "target", u.target);
	report_str(&r, "version", u.version);
	report_str(&r, "pipelining", u.pipelining ? "yes" : "no");
	report_uint(&r, "sessions", u.sessions);
	report_duration(&r, "connected_for", u.connected_for);
	report_uint(&r, "slow_lanes", u.slow_lanes);
	report_uint(&r, "in_flight", u.in_flight);
	report_str(&r, "last_failure", u.last_failure);
	report_str(&r, "why", u.why[0] != '\0' || json ? u.why : "none");
	report_end(&r);
}

/* config: every option with its value in force. */
static void
admin_config(krpc_buf_t *out, bool json)
{
	const struct config_option *o;
	char value[4096];
	struct report r;

	report_begin(&r, out, json);
	for (o = config_options; o->path != NULL; o++) {
		config_format(cfg, o, value, sizeof value);
		report_str(&r, o->path, value);
	}
	report_end(&r);
}

/* reload: the configuration file again, as SIGHUP does. */
static void
admin_reload(krpc_buf_t *out, bool json)
{
	struct report r;
	char why[512];
	bool ok = admin_actions->reload(why, sizeof why);

	report_begin(&r, out, json);
	report_str(&r, ok ? "ok" : "error", ok ? "configuration reloaded" : why);
	report_end(&r);
}

/* The commands, from the one list in krpcmuxd.h. */
static const struct admin_command {
	const char	*name;
	void		(*handler)(krpc_buf_t *, bool json);
	const char	*help;
} admin_commands[] = {
#define ADMIN_ENTRY(name, help)	{ #name, admin_##name, help },
	ADMIN_COMMANDS(ADMIN_ENTRY)
#undef ADMIN_ENTRY
};
#define ADMIN_NCOMMANDS	(sizeof admin_commands / sizeof admin_commands[0])

/* An unknown command: the error names every command the table has. */
static void
admin_unknown(krpc_buf_t *out, bool json, const char *cmd)
{
	char why[512];
	struct report r;
	size_t i, n;

	n = (size_t)snprintf(why, sizeof why, "unknown command \"%s\" (", cmd);
	for (i = 0; i < ADMIN_NCOMMANDS && n < sizeof why; i++)
		n += (size_t)snprintf(why + n, sizeof why - n, "%s%s", i > 0 ? ", " : "",
		    admin_commands[i].name);
	if (n < sizeof why)
		snprintf(why + n, sizeof why - n, ")");
	report_begin(&r, out, json);
	report_str(&r, "error", why);
	report_end(&r);
}

/* Answers one command. */
void
admin_command(const char *cmd, bool json, krpc_buf_t *out)
{
	size_t i;

	for (i = 0; i < ADMIN_NCOMMANDS && strcmp(cmd, admin_commands[i].name) != 0; i++)
		continue;
	if (i < ADMIN_NCOMMANDS)
		admin_commands[i].handler(out, json);
	else
		admin_unknown(out, json, cmd);
	if (json)
		krpc_buf_byte(out, '\n');
	xbuf_check(out);
}

/* Frees an admin connection (libevent allows this inside its callbacks). */
static void
admin_conn_free(struct admin_conn *ac)
{
	TAILQ_REMOVE(&admin_conns, ac, link);
	bufferevent_free(ac->bev);
	free(ac);
}

/* Closes an admin connection once its answer is written. */
static void
admin_write_cb(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		admin_conn_free(arg);
}

/* Errors and timeouts end the connection. */
static void
admin_event_cb(struct bufferevent *bev, short what, void *arg)
{
	admin_conn_free(arg);
}

/* Reads the command line and answers it. */
static void
admin_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	krpc_buf_t out = KRPC_BUF_INIT;
	char *line, *sp;
	bool json = false;
	size_t n;

	if ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_ANY)) == NULL) {
		if (evbuffer_get_length(in) > ADMIN_LINE_MAX)
			admin_conn_free(arg);
		return;
	}
	if ((sp = strchr(line, ' ')) != NULL) {
		*sp++ = '\0';
		json = strstr(sp, "json") != NULL;
	}
	admin_command(line, json, &out);
	free(line);
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, admin_write_cb, admin_event_cb, arg);
	bufferevent_write(bev, out.data, out.len);
	krpc_buf_free(&out);
}

/* A new admin connection. */
static void
admin_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
    void *arg)
{
	struct admin_conn *ac;
	struct timeval tv = { ADMIN_TIMEOUT, 0 };

	evutil_make_socket_nonblocking(fd);
	ac = xcalloc(1, sizeof *ac);
	if ((ac->bev = bufferevent_socket_new(ev_base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		free(ac);
		return;
	}
	TAILQ_INSERT_TAIL(&admin_conns, ac, link);
	bufferevent_setcb(ac->bev, admin_read_cb, NULL, admin_event_cb, ac);
	bufferevent_set_timeouts(ac->bev, &tv, &tv);
	bufferevent_enable(ac->bev, EV_READ | EV_WRITE);
}

/* The pause after running out of descriptors is over. */
static void
admin_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	if (admin_listener != NULL)
		evconnlistener_enable(admin_listener);
}

/* accept() failed: out of descriptors, stop for a second rather than spin. */
static void
admin_error_cb(struct evconnlistener *l, void *arg)
{
	struct timeval tv = { 1, 0 };
	int err = EVUTIL_SOCKET_ERROR();

	log_warn(NULL, "accept on the admin socket: %s", evutil_socket_error_to_string(err));
	evconnlistener_disable(l);
	evtimer_add(admin_resume, &tv);
}

/* Opens the admin socket (admin.path; "" disables it); actions serve reload. */
bool
admin_open(const struct config *c, const struct admin_actions *actions, char *why,
    size_t whylen)
{
	int fd;

	admin_started = krpc_time_now();
	admin_actions = actions;
	if (*c->admin_path == '\0')
		return true;
	if ((fd = listener_unix_socket(c->admin_path, 0600, why, whylen)) == -1)
		return false;
	evutil_make_socket_nonblocking(fd);
	admin_listener = evconnlistener_new(ev_base, admin_accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (admin_listener == NULL) {
		snprintf(why, whylen, "admin.path: cannot listen on %s", c->admin_path);
		close(fd);
		unlink(c->admin_path);
		return false;
	}
	if ((admin_resume = evtimer_new(ev_base, admin_resume_cb, NULL)) == NULL)
		log_fatal("cannot create a timer");
	evconnlistener_set_error_cb(admin_listener, admin_error_cb);
	admin_path = xstrdup(c->admin_path);
	listener_identify(admin_path, &admin_dev, &admin_ino);
	return true;
}

/* Closes the admin socket and its connections, and removes its file. */
void
admin_close(void)
{
	while (!TAILQ_EMPTY(&admin_conns))
		admin_conn_free(TAILQ_FIRST(&admin_conns));
	if (admin_listener != NULL)
		evconnlistener_free(admin_listener);
	admin_listener = NULL;
	if (admin_resume != NULL)
		event_free(admin_resume);
	admin_resume = NULL;
	if (admin_path != NULL)
		listener_unlink(admin_path, admin_dev, admin_ino);
	free(admin_path);
	admin_path = NULL;
}
