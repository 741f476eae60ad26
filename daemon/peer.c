/*
 * The one connection abstraction of the daemon: a socket in a bufferevent,
 * kRPC framing on its input, one contiguous frame per message on its output,
 * a timer, an explicit state, and a dispatch callback (NULL = peer gone).
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "krpcmuxd.h"

/* How long a closing peer may take to flush its output. */
#define PEER_FLUSH_TIMEOUT	5.0

struct peer {
	TAILQ_ENTRY(peer)	 link;		/* all peers not yet freed */
	struct bufferevent	*bev;		/* output, connect and error events */
	struct event		*rd;		/* input: read by peer_read_ready() */
	struct evbuffer		*in;		/* bytes read, not yet dispatched */
	enum peer_state		 state;
	enum peer_transport	 transport;
	char			*name;
	size_t			 max;		/* largest message accepted */
	const struct peer_ops	*ops;
	void			*arg;
	struct event		*timer;
	struct event		*kick;		/* re-reads buffered input after a resume */
	struct event		*idle;		/* a message left half sent (message_timeout) */
	double			 message_timeout; /* seconds; 0: none */
	double			 partial_since;	/* when the half message last grew */
	bool			 idle_armed;
	bool			 paused;
	bool			 discard;
	bool			 drop;		/* drop what is buffered after this message */
	bool			 want_drain;
	size_t			 drain_low;
	bool			 gone;		/* dispatch(NULL) delivered */
	bool			 read_eof;	/* ops->eof delivered: reads no more */
	bool			 bad_frame;	/* gone because of a malformed or oversize frame */
	bool			 timed_out;	/* gone because a message stayed half sent */
	bool			 count_unread;	/* counts what it leaves unread (peer_count_unread) */
	char			 reason[256];
};

static size_t	peer_live;	/* peers not yet freed */
static TAILQ_HEAD(, peer) peer_all = TAILQ_HEAD_INITIALIZER(peer_all);

static const char *const peer_state_names[] = {
	"connecting", "handshake", "ready", "closing", "dead",
};

/* Bytes one read asks for (a message larger than this takes several reads). */
#define PEER_READ_CHUNK	16384
/* Reads peer_pull() makes at most. */
#define PEER_PULL_READS	8

static void	peer_process(struct peer *);
static void	peer_reading(struct peer *, bool);

/*
 * Counts the bytes a client's connection still holds as it closes: sent by
 * the client, never parsed by the proxy (still in the socket, or read and
 * not yet dispatched).  Requests among them get no answer, and the client
 * a connection reset: this is how many such closes there were.
 */
static void
peer_note_unread(struct peer *p)
{
	evutil_socket_t fd = p->bev != NULL ? bufferevent_getfd(p->bev) : -1;
	int queued = 0;
	size_t n = p->in != NULL ? evbuffer_get_length(p->in) : 0;

	if (fd >= 0) {
		/* on a Unix socket the client's writes fail from here on: none slips in uncounted */
		(void)shutdown(fd, SHUT_RD);
		if (ioctl(fd, FIONREAD, &queued) == 0 && queued > 0)
			n += (size_t)queued;
	}
	if (n == 0)
		return;
	stats_inc(closed_unread);
	stats.closed_unread_bytes += n;
}

/* Frees a dead peer (deferred). */
static void
peer_free(void *ptr)
{
	struct peer *p = ptr;

	if (p->count_unread)
		peer_note_unread(p);	/* before the bufferevent closes the socket */
	if (p->rd != NULL)
		event_free(p->rd);	/* before the bufferevent closes the socket */
	if (p->in != NULL)
		evbuffer_free(p->in);
	if (p->bev != NULL)
		bufferevent_free(p->bev);
	if (p->timer != NULL)
		event_free(p->timer);
	if (p->kick != NULL)
		event_free(p->kick);
	if (p->idle != NULL)
		event_free(p->idle);
	free(p->name);
	TAILQ_REMOVE(&peer_all, p, link);
	free(p);
	peer_live--;
}

/* Closes for good: no more callbacks, freed after this iteration. */
static void
peer_finish(struct peer *p)
{
	if (p->state == PEER_DEAD)
		return;
	peer_set_state(p, PEER_DEAD);
	peer_reading(p, false);
	bufferevent_disable(p->bev, EV_READ | EV_WRITE);
	bufferevent_setcb(p->bev, NULL, NULL, NULL, NULL);
	evtimer_del(p->timer);
	event_del(p->kick);
	if (p->idle != NULL)
		evtimer_del(p->idle);
	defer_free(peer_free, p);
}

/* Tells the owner the peer is gone, once. */
static void
peer_report_gone(struct peer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
peer_report_gone(struct peer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->gone || p->state == PEER_DEAD)
		return;
	p->gone = true;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof p->reason, fmt, ap);
	va_end(ap);
	peer_reading(p, false);
	bufferevent_disable(p->bev, EV_READ | EV_WRITE);
	if (p->state == PEER_CLOSING) {
		peer_finish(p);
		return;
	}
	p->ops->dispatch(p, NULL, 0, p->arg);
}

/* Bad framing: a handshake ignores the rest (the timer answers); afterwards the peer is gone. */
static void
peer_bad_input(struct peer *p, krpc_frame_rc_t rc)
{
	if (p->state == PEER_HANDSHAKE) {
		log_debug(p->name, "%s during the handshake; ignoring input", krpc_frame_rc_str(rc));
		p->discard = true;
		evbuffer_drain(p->in, evbuffer_get_length(p->in));
		return;
	}
	p->bad_frame = true;
	if (rc == KRPC_FRAME_TOO_LARGE)
		peer_report_gone(p, "message larger than %zu bytes", p->max);
	else
		peer_report_gone(p, "%s", krpc_frame_rc_str(rc));
}

/* Hands every whole buffered message to the owner. */
static void
peer_process(struct peer *p)
{
	struct evbuffer *in = p->in;
	size_t avail, n, body, prefix;
	krpc_frame_rc_t rc;
	uint8_t *b;

	while (p->state != PEER_DEAD && p->state != PEER_CLOSING && !p->gone && !p->paused) {
		avail = evbuffer_get_length(in);
		if (p->discard) {
			evbuffer_drain(in, avail);
			return;
		}
		if (avail == 0)
			return;
		n = avail < KRPC_FRAME_PREFIX_MAX ? avail : KRPC_FRAME_PREFIX_MAX;
		b = evbuffer_pullup(in, (ev_ssize_t)n);
		rc = krpc_frame_prefix(b, n, p->max, &body, &prefix);
		if (rc == KRPC_FRAME_NEED_MORE)
			return;
		if (rc != KRPC_FRAME_OK) {
			peer_bad_input(p, rc);
			return;
		}
		if (avail < prefix + body)
			return;
		b = evbuffer_pullup(in, (ev_ssize_t)(prefix + body));
		p->ops->dispatch(p, b + prefix, body, p->arg);
		evbuffer_drain(in, prefix + body);
		if (p->drop) {
			p->drop = false;
			evbuffer_drain(in, evbuffer_get_length(in));
		}
	}
}

/*
 * Watches what the input holds after dispatching: a message begun and not
 * finished starts (or, having grown, restarts) the message timeout; none
 * stops it.  Only a ready peer that is read is watched: a paused peer's
 * input waits for the proxy, not for the other side.
 */
static void
peer_watch_partial(struct peer *p, bool grew)
{
	struct timeval tv;
	bool partial = evbuffer_get_length(p->in) > 0 && !p->paused && !p->discard &&
	    p->state == PEER_READY && !p->gone;

	if (p->message_timeout <= 0)
		return;
	if (!partial) {
		if (p->idle_armed)
			evtimer_del(p->idle);
		p->idle_armed = false;
		return;
	}
	if (grew || !p->idle_armed)
		p->partial_since = krpc_time_now();
	if (!p->idle_armed) {
		tv = util_timeval(p->message_timeout);
		evtimer_add(p->idle, &tv);
		p->idle_armed = true;
	}
}

/* The message timeout fired: gone if the half message did not grow meanwhile, else re-armed. */
static void
peer_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = arg;
	double left = p->partial_since + p->message_timeout - krpc_time_now();
	struct timeval tv;

	p->idle_armed = false;
	if (evbuffer_get_length(p->in) == 0 || p->paused || p->state != PEER_READY)
		return;
	if (left > 0.001) {
		tv = util_timeval(left);
		evtimer_add(p->idle, &tv);
		p->idle_armed = true;
		return;
	}
	p->timed_out = true;
	peer_report_gone(p, "sent %zu bytes of a message and nothing more for %g s",
	    evbuffer_get_length(p->in), p->message_timeout);
}

/*
 * One read() straight into the input buffer, then every whole message is
 * dispatched; the read's result.  Reading here rather than through the
 * bufferevent saves the ioctl(FIONREAD) libevent makes before each read: one
 * system call per message and direction on the forwarding path.  (The
 * bufferevent's own input buffer is frozen outside its callbacks, so the
 * peer keeps its own.)
 */
static ssize_t
peer_read_once(struct peer *p, evutil_socket_t fd)
{
	struct evbuffer *in = p->in;
	struct evbuffer_iovec v;
	ssize_t n;

	if (evbuffer_reserve_space(in, PEER_READ_CHUNK, &v, 1) < 1)
		log_fatal("out of memory reading from a connection");
	n = read(fd, v.iov_base, v.iov_len);
	if (n > 0) {
		v.iov_len = (size_t)n;
		evbuffer_commit_space(in, &v, 1);
		peer_process(p);
		peer_watch_partial(p, true);
	} else if (n == 0 && p->ops->eof != NULL && p->state != PEER_HANDSHAKE) {
		p->read_eof = true;
		peer_reading(p, false);
		p->ops->eof(p, p->arg);
	} else if (n == 0)
		peer_report_gone(p, "connection closed by the other side");
	else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		peer_report_gone(p, "%s", strerror(errno));
	return n;
}

/* The socket is readable. */
static void
peer_read_ready(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	peer_read_once(arg, fd);
}

/*
 * Reads and dispatches what the socket holds now, without waiting, as if
 * it had become readable (at most PEER_PULL_READS reads): so that requests
 * a client sent just before the proxy closes its connection are answered
 * rather than dropped unread.  Nothing happens to a peer that is not read.
 */
void
peer_pull(struct peer *p)
{
	evutil_socket_t fd = bufferevent_getfd(p->bev);
	int i;

	for (i = 0; i < PEER_PULL_READS; i++) {
		if (p->state != PEER_READY || p->gone || p->paused || p->read_eof || p->discard)
			return;
		if (peer_read_once(p, fd) <= 0)
			return;
	}
}

/* Starts or stops reading the socket (the read event exists once the socket does). */
static void
peer_reading(struct peer *p, bool on)
{
	evutil_socket_t fd = bufferevent_getfd(p->bev);

	if (p->rd == NULL && on && fd >= 0) {
		if ((p->rd = event_new(ev_base, fd, EV_READ | EV_PERSIST, peer_read_ready, p)) == NULL)
			log_fatal("cannot create a read event");
	}
	if (p->rd == NULL)
		return;
	if (on && !p->read_eof)
		event_add(p->rd, NULL);
	else
		event_del(p->rd);
}

/* Output fell to the low watermark. */
static void
peer_write_cb(struct bufferevent *bev, void *arg)
{
	struct peer *p = arg;
	size_t len = evbuffer_get_length(bufferevent_get_output(bev));

	if (p->state == PEER_CLOSING) {
		if (len == 0)
			peer_finish(p);
		return;
	}
	if (p->want_drain && len <= p->drain_low) {
		p->want_drain = false;
		if (p->ops->drained != NULL)
			p->ops->drained(p, p->arg);
	}
}

/* Connected, end of file or error. */
static void
peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct peer *p = arg;
	int one = 1, err;

	if (what & BEV_EVENT_CONNECTED) {
		if (p->transport == PEER_TCP)
			setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (!p->paused)
			peer_reading(p, true);
		if (p->ops->connected != NULL)
			p->ops->connected(p, p->arg);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		peer_report_gone(p, "connection closed by the other side");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		err = EVUTIL_SOCKET_ERROR();
		if (p->state == PEER_CONNECTING)
			peer_report_gone(p, "connect: %s", evutil_socket_error_to_string(err));
		else
			peer_report_gone(p, "%s", err ? evutil_socket_error_to_string(err) :
			    "connection error");
	}
}

/* The single timer fired. */
static void
peer_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = arg;

	if (p->state == PEER_CLOSING) {
		log_debug(p->name, "output not flushed in time; closing");
		peer_finish(p);
		return;
	}
	if (p->ops->timeout != NULL && !p->gone)
		p->ops->timeout(p, p->arg);
}

/* Input held back while paused is processed after a resume. */
static void
peer_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	peer_process(arg);
	peer_watch_partial(arg, false);
}

/* Allocates a peer around a bufferevent. */
static struct peer *
peer_alloc(struct bufferevent *bev, enum peer_transport transport, const char *name,
    size_t max, const struct peer_ops *ops, void *arg)
{
	struct peer *p = xcalloc(1, sizeof *p);

	peer_live++;
	TAILQ_INSERT_TAIL(&peer_all, p, link);
	p->bev = bev;
	p->transport = transport;
	p->name = xstrdup(name);
	p->max = max;
	p->ops = ops;
	p->arg = arg;
	p->timer = evtimer_new(ev_base, peer_timer_cb, p);
	p->kick = event_new(ev_base, -1, 0, peer_kick_cb, p);
	p->in = evbuffer_new();
	if (p->timer == NULL || p->kick == NULL || p->in == NULL)
		log_fatal("cannot create peer events");
	bufferevent_setcb(bev, NULL, peer_write_cb, peer_event_cb, p);
	return p;
}

/* Wraps an accepted or connected socket. */
struct peer *
peer_new(int fd, enum peer_transport transport, const char *name, size_t max,
    const struct peer_ops *ops, void *arg)
{
	struct bufferevent *bev;
	struct peer *p;
	int one = 1;

	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	if (transport == PEER_TCP)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if ((bev = bufferevent_socket_new(ev_base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		log_fatal("cannot create a bufferevent");
	p = peer_alloc(bev, transport, name, max, ops, arg);
	p->state = PEER_HANDSHAKE;
	bufferevent_enable(bev, EV_WRITE);
	peer_reading(p, true);
	return p;
}

/* Fills a socket address for a TCP host and port or a Unix path. */
static int
peer_address(const char *address, int port, const char *path, struct sockaddr_storage *ss,
    socklen_t *sslen, char *why, size_t whylen)
{
	struct evutil_addrinfo hints, *res = NULL;
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	char service[16];
	int rc;

	memset(ss, 0, sizeof *ss);
	if (path != NULL) {
		if (strlen(path) >= sizeof sun->sun_path) {
			snprintf(why, whylen, "socket path %s is too long", path);
			return -1;
		}
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, path);
		*sslen = sizeof *sun;
		return 0;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_NUMERICSERV | EVUTIL_AI_ADDRCONFIG;
	snprintf(service, sizeof service, "%d", port);
	if ((rc = evutil_getaddrinfo(address, service, &hints, &res)) != 0 || res == NULL) {
		snprintf(why, whylen, "cannot resolve %s: %s", address, evutil_gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = (socklen_t)res->ai_addrlen;
	evutil_freeaddrinfo(res);
	return 0;
}

/* Starts an outgoing connection. */
struct peer *
peer_connect(const char *address, int port, const char *path, const char *name, size_t max,
    const struct peer_ops *ops, void *arg, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct bufferevent *bev;
	struct peer *p;

	if (peer_address(address, port, path, &ss, &sslen, why, whylen) != 0)
		return NULL;
	if ((bev = bufferevent_socket_new(ev_base, -1, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		log_fatal("cannot create a bufferevent");
	p = peer_alloc(bev, path != NULL ? PEER_UNIX : PEER_TCP, name, max, ops, arg);
	p->state = PEER_CONNECTING;
	if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss, (int)sslen) != 0) {
		snprintf(why, whylen, "connect: %s", strerror(errno));
		p->gone = true;
		peer_finish(p);
		return NULL;
	}
	bufferevent_enable(bev, EV_WRITE);	/* reading starts once connected */
	return p;
}

/* Changes the state, logging the transition. */
void
peer_set_state(struct peer *p, enum peer_state state)
{
	if (p->state == state)
		return;
	log_debug(p->name, "connection %s -> %s", peer_state_names[p->state], peer_state_names[state]);
	p->state = state;
}

/* The state. */
enum peer_state
peer_state(const struct peer *p)
{
	return p->state;
}

/* A state's name for logs. */
const char *
peer_state_name(enum peer_state s)
{
	return peer_state_names[s];
}

/* Renames the peer in log lines. */
void
peer_set_name(struct peer *p, const char *name)
{
	free(p->name);
	p->name = xstrdup(name);
}

/* The name its log lines carry. */
const char *
peer_name(const struct peer *p)
{
	return p->name;
}

/* Hands the callbacks to another owner. */
void
peer_set_callbacks(struct peer *p, const struct peer_ops *ops, void *arg)
{
	p->ops = ops;
	p->arg = arg;
}

/*
 * Writes a frame straight to the socket when nothing is queued: one system
 * call instead of arming a write event (the fan-out to many clients lives
 * on this).  Returns the bytes written; the caller queues the rest.
 */
static size_t
peer_write_now(struct peer *p, const uint8_t *prefix, size_t n, const void *body, size_t len)
{
	struct iovec iov[2] = { { (void *)prefix, n }, { (void *)body, len } };
	struct msghdr msg;
	ssize_t done;

	if (p->state == PEER_CONNECTING || evbuffer_get_length(bufferevent_get_output(p->bev)) > 0)
		return 0;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	do
		done = sendmsg(bufferevent_getfd(p->bev), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (done == -1 && errno == EINTR);
	return done > 0 ? (size_t)done : 0;	/* errors surface through the bufferevent */
}

/* Sends one frame: prefix and body in one write, or contiguously in the output. */
void
peer_send(struct peer *p, const void *body, size_t len)
{
	struct evbuffer *out;
	uint8_t prefix[KRPC_VARINT64_MAX];
	size_t n, done;

	if (p->state == PEER_DEAD || p->state == PEER_CLOSING || p->gone)
		return;
	out = bufferevent_get_output(p->bev);
	n = krpc_varint_put(prefix, len);
	done = peer_write_now(p, prefix, n, body, len);
	if (done == n + len)
		return;
	if (done >= n) {
		body = (const uint8_t *)body + (done - n);
		len -= done - n;
		n = 0;
	} else if (done > 0) {
		memmove(prefix, prefix + done, n - done);
		n -= done;
	}
	if (evbuffer_expand(out, n + len) != 0 || evbuffer_add(out, prefix, n) != 0 ||
	    evbuffer_add(out, body, len) != 0)
		log_fatal("out of memory queueing %zu bytes", n + len);
}

/* Sends a packed protobuf message as one frame. */
void
peer_send_msg(struct peer *p, const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = xmalloc(len);

	protobuf_c_message_pack(m, buf);
	peer_send(p, buf, len);
	free(buf);
}

/* Bytes waiting to be written. */
size_t
peer_output(const struct peer *p)
{
	return evbuffer_get_length(bufferevent_get_output(p->bev));
}

/* Asks for one drained() callback once the output is at most low bytes. */
void
peer_want_drain(struct peer *p, size_t low)
{
	p->want_drain = true;
	p->drain_low = low;
	bufferevent_setwatermark(p->bev, EV_WRITE, low, 0);
	if (peer_output(p) <= low)
		peer_write_cb(p->bev, p);
}

/* Stops or resumes handing messages over. */
void
peer_pause(struct peer *p, bool paused)
{
	if (p->paused == paused || p->state == PEER_DEAD)
		return;
	p->paused = paused;
	if (paused)
		peer_reading(p, false);
	else {
		if (p->state != PEER_CONNECTING && p->state != PEER_CLOSING && !p->gone)
			peer_reading(p, true);
		event_active(p->kick, 0, 0);
	}
}

/* Throws input away from now on (or stops doing so). */
void
peer_discard(struct peer *p, bool discard)
{
	p->discard = discard;
}

/* Drops whatever follows the message being dispatched in the input buffer. */
void
peer_drop_input(struct peer *p)
{
	p->drop = true;
}

/*
 * Drops the peer if it leaves a message half sent, nothing more arriving,
 * for seconds (0: never); watched while it is ready and read.
 */
void
peer_set_message_timeout(struct peer *p, double seconds)
{
	p->message_timeout = seconds;
	if (seconds > 0 && p->idle == NULL && (p->idle = evtimer_new(ev_base, peer_idle_cb, p)) == NULL)
		log_fatal("cannot create a peer timer");
	if (p->idle != NULL && p->idle_armed && seconds <= 0) {
		evtimer_del(p->idle);
		p->idle_armed = false;
	}
}

/* Arms or disarms the timer. */
void
peer_set_timer(struct peer *p, double seconds)
{
	struct timeval tv;

	if (seconds <= 0) {
		evtimer_del(p->timer);
		return;
	}
	tv = util_timeval(seconds);
	evtimer_add(p->timer, &tv);
}

/* Counts what the peer leaves unread when it closes (stats closed_unread). */
void
peer_count_unread(struct peer *p)
{
	p->count_unread = true;
}

/* Closes now, or after flushing the output for a bounded time. */
void
peer_close(struct peer *p, bool flush)
{
	struct timeval tv;

	if (p->state == PEER_DEAD || p->state == PEER_CLOSING)
		return;
	if (!flush || p->gone || peer_output(p) == 0) {
		peer_finish(p);
		return;
	}
	peer_set_state(p, PEER_CLOSING);
	peer_reading(p, false);
	bufferevent_setwatermark(p->bev, EV_WRITE, 0, 0);
	event_del(p->kick);
	tv = util_timeval(PEER_FLUSH_TIMEOUT);
	evtimer_add(p->timer, &tv);
}

/* Why the peer went away. */
const char *
peer_reason(const struct peer *p)
{
	return p->reason[0] != '\0' ? p->reason : "closed";
}

/* True if the peer went away because it sent a malformed or oversize frame. */
bool
peer_bad_frame(const struct peer *p)
{
	return p->bad_frame;
}

/* True if the peer went away because a message stayed half sent (peer_set_message_timeout()). */
bool
peer_timed_out(const struct peer *p)
{
	return p->timed_out;
}

/* The socket. */
int
peer_fd(const struct peer *p)
{
	return bufferevent_getfd(p->bev);
}

/* Peers not yet freed (shutdown waits for them to flush). */
size_t
peer_count(void)
{
	return peer_live;
}

/* Closes every peer still open or flushing (exit: nothing may outlive the loop). */
void
peer_close_all(void)
{
	struct peer *p;

	TAILQ_FOREACH(p, &peer_all, link) {
		if (p->state != PEER_DEAD)
			peer_finish(p);
	}
}
