/*
 * The admin socket: a Unix socket (file mode 0600) answering one command per
 * connection (status, clients, streams, upstream, config, stats, reload),
 * as text or, with "json" after the command, as JSON.  krpcmuxctl speaks it.
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

/* Appends text. */
static void
admin_puts(krpc_buf_t *out, const char *s)
{
	krpc_buf_append(out, s, strlen(s));
}

/* One counter as a line or a JSON member. */
static void
admin_stat(const char *name, const char *help, uint64_t value, void *arg)
{
	void **a = arg;

	util_kv_num(a[0], *(bool *)a[1], a[2], name, (double)value);
}

/* status: the overview. */
static void
admin_status(krpc_buf_t *out, bool json)
{
	bool first = true;
	void *arg[3] = { out, &json, &first };

	if (json)
		krpc_buf_byte(out, '{');
	util_kv_str(out, json, &first, "version", PACKAGE_VERSION);
	util_kv_num(out, json, &first, "pid", (double)getpid());
	util_kv_duration(out, json, &first, "uptime", krpc_time_now() - admin_started);
	util_kv_str(out, json, &first, "upstream", upstream_ready() ? "ready" : upstream_why_down());
	util_kv_num(out, json, &first, "clients", (double)client_count());
	util_kv_num(out, json, &first, "streams_shared", (double)streamtab_count(ENTRY_SHARED));
	util_kv_num(out, json, &first, "streams_owned", (double)streamtab_count(ENTRY_OWNED));
	util_kv_num(out, json, &first, "streams_local", (double)streamtab_count(ENTRY_LOCAL));
	util_kv_num(out, json, &first, "subscriptions", (double)streamtab_subs());
	stats_foreach(admin_stat, arg);
	if (json)
		krpc_buf_byte(out, '}');
}

/* stats: the counters alone. */
static void
admin_stats(krpc_buf_t *out, bool json)
{
	bool first = true;
	void *arg[3] = { out, &json, &first };

	if (json)
		krpc_buf_byte(out, '{');
	stats_foreach(admin_stat, arg);
	if (json)
		krpc_buf_byte(out, '}');
}

/* One client as a text line. */
static void
admin_client_text(krpc_buf_t *out, const struct client *c, size_t nsubs)
{
	char line[1024], name[80];

	util_printable(name, sizeof name, c->name);
	snprintf(line, sizeof line, "%llu %s \"%s\" %s pid=%ld streams=%zu queued=%zu "
	    "rpc_output=%zu stream_output=%zu%s\n", (unsigned long long)c->serial,
	    c->transport == PEER_UNIX ? "unix" : "tcp", name, c->address, (long)c->pid, nsubs,
	    c->nrequests, peer_output(c->rpc), c->stream != NULL ? peer_output(c->stream) : 0,
	    c->stream != NULL ? "" : " (no stream connection)");
	admin_puts(out, line);
}

/* One client as a JSON object. */
static void
admin_client_json(krpc_buf_t *out, const struct client *c, size_t nsubs)
{
	bool first = true;

	krpc_buf_byte(out, '{');
	util_kv_num(out, true, &first, "id", (double)c->serial);
	util_kv_str(out, true, &first, "name", c->name);
	util_kv_str(out, true, &first, "transport", c->transport == PEER_UNIX ? "unix" : "tcp");
	util_kv_str(out, true, &first, "address", c->address);
	util_kv_num(out, true, &first, "pid", (double)c->pid);
	util_kv_num(out, true, &first, "streams", (double)nsubs);
	util_kv_num(out, true, &first, "queued", (double)c->nrequests);
	util_kv_num(out, true, &first, "rpc_output", (double)peer_output(c->rpc));
	util_kv_num(out, true, &first, "stream_output",
	    c->stream != NULL ? (double)peer_output(c->stream) : 0);
	util_kv_str(out, true, &first, "stream_connection", c->stream != NULL ? "yes" : "no");
	krpc_buf_byte(out, '}');
}

/* clients: one line or object per connected client. */
static void
admin_clients(krpc_buf_t *out, bool json)
{
	const struct client *c;
	const struct sub *s;
	bool any = false;
	size_t nsubs;

	if (json)
		krpc_buf_byte(out, '[');
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
		if (any)
			krpc_buf_byte(out, ',');
		any = true;
		admin_client_json(out, c, nsubs);
	}
	if (json)
		krpc_buf_byte(out, ']');
}

/* config: every option with its value in force. */
static void
admin_config(krpc_buf_t *out, bool json)
{
	const struct config_option *o;
	char value[4096];
	bool first = true;

	if (json)
		krpc_buf_byte(out, '{');
	for (o = config_options; o->path != NULL; o++) {
		config_format(cfg, o, value, sizeof value);
		util_kv_str(out, json, &first, o->path, value);
	}
	if (json)
		krpc_buf_byte(out, '}');
}

/* Answers one command. */
void
admin_command(const char *cmd, bool json, krpc_buf_t *out)
{
	char why[512];
	bool first = true;

	if (strcmp(cmd, "status") == 0)
		admin_status(out, json);
	else if (strcmp(cmd, "stats") == 0)
		admin_stats(out, json);
	else if (strcmp(cmd, "clients") == 0)
		admin_clients(out, json);
	else if (strcmp(cmd, "streams") == 0)
		streamtab_describe(out, json);
	else if (strcmp(cmd, "upstream") == 0)
		upstream_describe(out, json);
	else if (strcmp(cmd, "config") == 0)
		admin_config(out, json);
	else if (strcmp(cmd, "reload") == 0) {
		bool ok = admin_actions->reload(why, sizeof why);

		if (json)
			krpc_buf_byte(out, '{');
		util_kv_str(out, json, &first, ok ? "ok" : "error", ok ? "configuration reloaded" : why);
		if (json)
			krpc_buf_byte(out, '}');
	} else {
		snprintf(why, sizeof why, "unknown command \"%s\" (status, clients, streams, upstream, "
		    "config, stats, reload)", cmd);
		if (json)
			krpc_buf_byte(out, '{');
		util_kv_str(out, json, &first, "error", why);
		if (json)
			krpc_buf_byte(out, '}');
	}
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
