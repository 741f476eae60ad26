/*
 * krpcmuxd under fuzz (fuzzd.h): the fake game server and the fakes of
 * upstream.c and session.c it stands behind, socket pairs for every
 * connection, and the helpers the harnesses share.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "fuzzd.h"

#ifndef FUZZ_DATA
#define FUZZ_DATA	"tests/fuzz"
#endif

/* Requests the fake server remembers per lane; calls remembered per request. */
#define FZ_PENDING	128
#define FZ_CALLS	8

struct event_base *ev_base;

/*
 * An event at the lowest of three priorities: libevent runs it only in a
 * loop pass that had no other event to run, so it ending its pass tells
 * fz_run() the daemon has nothing left to do.
 */
static struct event *fz_idle_ev;
static bool fz_idle;

/*
 * Where the harness reads what it throws away: static, because a 64 KiB
 * array on the stack costs AddressSanitizer 8 KiB of shadow writes per call.
 */
static uint8_t fz_scratch[65536];

struct fz_req {
	size_t		 ncalls;
	char		 procs[FZ_CALLS][24];	/* procedure names, to answer in kind */
};

static struct {
	bool		 ready;
	struct lane_caps caps;
	struct lane	*lanes[FZ_LANES];
	int		 far[FZ_LANES];		/* the server's ends of the lanes */
	krpc_buf_t	 in[FZ_LANES];		/* bytes read from the proxy, not yet whole */
	struct fz_req	 reqs[FZ_LANES][FZ_PENDING];
	size_t		 head[FZ_LANES], n[FZ_LANES];
	struct peer	*stream;		/* the proxy's upstream stream connection */
	int		 stream_far;
	char		 session;		/* what clients' c->session points at */
	uint64_t	 ids[8];		/* stream ids seen in Responses, a ring */
	size_t		 nids;
} fz;

/* ---- the fakes of upstream.c and session.c ---------------------------------- */

bool
upstream_ready(void)
{
	return fz.ready;
}

const char *
upstream_why_down(void)
{
	return "the fuzz input took the game away";
}

const struct lane_caps *
upstream_caps(void)
{
	return &fz.caps;
}

struct upcall *
upstream_call(enum upstream_lane which, const void *req, size_t len, upstream_cb cb, void *arg)
{
	if (!fz.ready)
		return NULL;
	stats_inc(upstream_requests);
	return lane_submit(fz.lanes[which == UPSTREAM_SLOW ? FZ_SLOW : FZ_PRIMARY], req, len, cb, arg);
}

struct upcall *
upstream_call1(enum upstream_lane which, const void *call, size_t len, upstream_cb cb, void *arg)
{
	krpc_buf_t req = KRPC_BUF_INIT;
	struct upcall *u;

	krpc_msg_request_add(&req, call, len);
	xbuf_check(&req);
	u = upstream_call(which, req.data, req.len, cb, arg);
	krpc_buf_free(&req);
	return u;
}

void
session_init(const struct session_events *events)
{
	(void)events;
}

struct upcall *
session_call(struct client *c, const void *req, size_t len, upstream_cb cb, void *arg,
    const char **why)
{
	if (!fz.ready) {
		*why = "krpcmuxd: could not open this client's own connection to the game's kRPC "
		    "server (fuzz)";
		return NULL;
	}
	c->session = (struct session *)&fz.session;
	return lane_submit(fz.lanes[FZ_OWN], req, len, cb, arg);
}

bool
session_active(const struct client *c)
{
	return c->session != NULL;
}

void
session_client_gone(struct client *c)
{
	c->session = NULL;	/* its requests on the shared fake lane become orphans */
}

/* ---- main.c's wiring ------------------------------------------------------------ */

static const struct streamtab_sources fz_sources = { client_all };
static const struct router_events fz_router_events = { client_check_output };
static const struct intercept_events fz_intercept_events = { router_resume };

/* Reads a whole file (the cached GetServices). */
static uint8_t *
fz_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		fprintf(stderr, "fuzzd: cannot read %s\n", path);
		abort();
	}
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

/* Ran in a loop pass with nothing else to do. */
static void
fz_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fz_idle = true;
}

/* Sets the daemon up once. */
void
fz_init(void)
{
	char why[512];
	uint8_t *services;
	size_t len;

	if (ev_base != NULL)
		return;
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_LEVEL_ERROR);
	if ((ev_base = event_base_new()) == NULL || event_base_priority_init(ev_base, 3) != 0 ||
	    (fz_idle_ev = event_new(ev_base, -1, 0, fz_idle_cb, NULL)) == NULL ||
	    event_priority_set(fz_idle_ev, 2) != 0 ||
	    (cfg = config_load(NULL, true, NULL, 0, why, sizeof why)) == NULL)
		abort();
	/* small limits, so that inputs reach them */
	cfg->limits_client_streams = 6;
	cfg->limits_client_calls = 12;
	cfg->limits_client_requests = 6;
	cfg->limits_clients_per_user = 5;
	cfg->limits_output_high = 8192;
	cfg->limits_output_low = 2048;
	cfg->limits_max_message_size = 65536;
	cfg->upstream_batch_calls = 8;
	defer_init();
	streamtab_init(&fz_sources);
	router_init(&fz_router_events);
	intercept_init(&fz_intercept_events);
	services = fz_slurp(FUZZ_DATA "/services.bin", &len);
	if (!schema_load(services, len, why, sizeof why)) {
		fprintf(stderr, "fuzzd: services.bin: %s\n", why);
		abort();
	}
	schema_set_slow(cfg);
	free(services);
}

/* ---- the fake server's side ----------------------------------------------------- */

/* A socket pair: the proxy's end in *mine, the far end (non-blocking) returned. */
static int
fz_pair(int *mine)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	*mine = sv[0];
	return sv[1];
}

/* The proxy's lane connection delivered a message (NULL: gone). */
static void
fz_lane_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	if (msg == NULL || !lane_response(arg, msg, len))
		fz_lost();
}

/* The proxy's upstream stream connection delivered a StreamUpdate (NULL: gone). */
static void
fz_stream_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	if (msg == NULL)
		fz_lost();
	else
		streamtab_update(msg, len);
}

static const struct peer_ops fz_lane_ops = { fz_lane_dispatch, NULL, NULL, NULL, NULL };
static const struct peer_ops fz_stream_ops = { fz_stream_dispatch, NULL, NULL, NULL, NULL };

/* Starts an input. */
void
fz_begin(bool ready, bool batching)
{
	struct peer *p;
	int i, mine;

	fz.caps.serial = false;
	fz.caps.batching = batching;
	for (i = 0; i < FZ_LANES; i++) {
		fz.lanes[i] = lane_new(i, &fz.caps);
		fz.far[i] = fz_pair(&mine);
		p = peer_new(mine, PEER_UNIX, "fuzz upstream", KRPC_FRAME_LEN_LIMIT, &fz_lane_ops,
		    fz.lanes[i]);
		peer_set_state(p, PEER_READY);
		lane_attach(fz.lanes[i], p);
		lane_ready(fz.lanes[i]);
		krpc_buf_reset(&fz.in[i]);
		fz.head[i] = fz.n[i] = 0;
	}
	fz.stream_far = fz_pair(&mine);
	fz.stream = peer_new(mine, PEER_UNIX, "fuzz upstream stream", KRPC_FRAME_LEN_LIMIT,
	    &fz_stream_ops, NULL);
	peer_set_state(fz.stream, PEER_READY);
	fz.ready = ready;
	fz.nids = 0;
}

/* The game goes away, as upstream_fail() and main.c's lost callback do it. */
void
fz_lost(void)
{
	int i;

	if (!fz.ready)
		return;
	fz.ready = false;
	for (i = 0; i < FZ_LANES; i++) {
		lane_fail(fz.lanes[i], "krpcmuxd: lost the connection to the game's kRPC server "
		    "(fuzz)");
		if (lane_peer(fz.lanes[i]) != NULL)
			peer_close(lane_peer(fz.lanes[i]), false);
		lane_attach(fz.lanes[i], NULL);
	}
	if (fz.stream != NULL)
		peer_close(fz.stream, false);
	fz.stream = NULL;
	client_upstream_lost("fuzz");
	streamtab_reset();
}

/* The game is there (again): waiting handshakes are answered (its lanes stay as they are). */
void
fz_set_ready(void)
{
	if (fz.ready)
		return;
	fz.ready = true;
	client_upstream_ready();
}

/* Ends an input: every client, lane and peer closed and freed. */
void
fz_end(void)
{
	int i;

	fz.ready = true;	/* so that fz_lost() runs its course */
	fz_lost();
	client_close_all();
	streamtab_reset();
	peer_close_all();
	defer_flush();
	for (i = 0; i < FZ_LANES; i++) {
		lane_free(fz.lanes[i]);
		if (fz.far[i] >= 0)
			close(fz.far[i]);
		krpc_buf_free(&fz.in[i]);
	}
	close(fz.stream_far);
	event_base_loop(ev_base, EVLOOP_NONBLOCK);
}

/*
 * Runs the event loop until a pass finds nothing to do (reads, the writes
 * they queue, deferred frees), at most FZ_PASSES passes: most operations
 * need two or three, and an empty pass costs an epoll_wait() (the fixed
 * four passes this replaced were a third of all system calls).
 */
#define FZ_PASSES	8

void
fz_run(void)
{
	int i;

	fz_idle = false;
	for (i = 0; i < FZ_PASSES && !fz_idle; i++) {
		event_active(fz_idle_ev, 0, 0);	/* nothing if still active */
		event_base_loop(ev_base, EVLOOP_NONBLOCK);
	}
}

/*
 * Lets time pass.  Under libFuzzer (make fuzz) the clock moves instead of
 * the harness sleeping, and every client's armed rate timer fires now, as it
 * would have by then; elsewhere it sleeps.
 */
void
fz_time_passes(double seconds)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	struct client *c;

	krpc_time_skew += seconds;
	TAILQ_FOREACH(c, client_all(), link) {
		if (c->fan_timer != NULL && evtimer_pending(c->fan_timer, NULL))
			event_active(c->fan_timer, EV_TIMEOUT, 1);
	}
#else
	usleep((useconds_t)(seconds * 1e6));
#endif
}

/* ---- input ------------------------------------------------------------------------- */

uint8_t
fz_byte(struct fz_input *in)
{
	uint8_t b;

	if (in->len == 0)
		return 0;
	b = *in->p++;
	in->len--;
	return b;
}

size_t
fz_chunk(struct fz_input *in, const uint8_t **data, size_t max)
{
	size_t n = fz_byte(in);

	if (n > max)
		n = max;
	if (n > in->len)
		n = in->len;
	*data = in->p;
	in->p += n;
	in->len -= n;
	return n;
}

/* ---- sockets --------------------------------------------------------------------------- */

int
fz_accept(bool stream)
{
	int mine, far = fz_pair(&mine);

	client_accept(mine, stream ? LISTEN_STREAM : LISTEN_RPC, PEER_UNIX, "/fuzz/rpc");
	return far;
}

void
fz_write(int fd, const void *p, size_t len)
{
	if (fd >= 0 && len > 0 && write(fd, p, len) < 0 && errno != EAGAIN)
		return;		/* closed by the proxy: what the input wanted to see */
}

void
fz_send(int fd, const void *body, size_t len)
{
	krpc_buf_t b = KRPC_BUF_INIT;

	krpc_frame_append(&b, body, len);
	fz_write(fd, b.data, b.len);
	krpc_buf_free(&b);
}

/*
 * A read that fills less than the buffer took all the socket held: nothing
 * else writes to it while the harness reads, so the next read() would only
 * say EAGAIN (one system call saved per read; they dominate the run time).
 */
bool
fz_drain(int fd)
{
	ssize_t n;

	while ((n = read(fd, fz_scratch, sizeof fz_scratch)) == (ssize_t)sizeof fz_scratch)
		;
	return n != 0;
}

/* Reads one framed message from a far end after the loop ran; NULL if none. */
static void *
fz_recv_msg(int fd, const ProtobufCMessageDescriptor *desc)
{
	uint8_t buf[4096];
	size_t body, prefix;
	ssize_t n = read(fd, buf, sizeof buf);

	if (n <= 0 || krpc_frame_prefix(buf, (size_t)n, sizeof buf, &body, &prefix) != KRPC_FRAME_OK ||
	    prefix + body > (size_t)n)
		return NULL;
	return protobuf_c_message_unpack(desc, NULL, body, buf + prefix);
}

/* Sends a ConnectionRequest and reads the answer. */
static Krpc__Schema__ConnectionResponse *
fz_hello(int fd, bool stream, const char *name, const uint8_t *id)
{
	Krpc__Schema__ConnectionRequest r = KRPC__SCHEMA__CONNECTION_REQUEST__INIT;
	uint8_t buf[512];
	size_t len;

	r.type = stream ? KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__STREAM :
	    KRPC__SCHEMA__CONNECTION_REQUEST__TYPE__RPC;
	r.client_name = (char *)name;
	if (id != NULL) {
		r.client_identifier.data = (uint8_t *)id;
		r.client_identifier.len = 16;
	}
	len = krpc__schema__connection_request__pack(&r, buf);
	fz_send(fd, buf, len);
	fz_run();
	return fz_recv_msg(fd, &krpc__schema__connection_response__descriptor);
}

bool
fz_connect(struct fz_client *c, bool stream, const char *name)
{
	Krpc__Schema__ConnectionResponse *r;

	memset(c, 0, sizeof *c);
	c->stream = -1;
	c->reading = true;
	c->rpc = fz_accept(false);
	r = fz_hello(c->rpc, false, name, NULL);
	c->ready = r != NULL && r->status == 0 && r->client_identifier.len == 16;
	if (c->ready)
		memcpy(c->id, r->client_identifier.data, 16);
	if (r != NULL)
		krpc__schema__connection_response__free_unpacked(r, NULL);
	if (!c->ready || !stream)
		return c->ready;
	c->stream = fz_accept(true);
	if ((r = fz_hello(c->stream, true, "", c->id)) != NULL)
		krpc__schema__connection_response__free_unpacked(r, NULL);
	return true;
}

/* Hands each whole message buffered in b to each(), and keeps the rest. */
static void
fz_frames(krpc_buf_t *b, void (*each)(const uint8_t *, size_t, void *), void *arg)
{
	size_t body, prefix, off = 0;

	xbuf_check(b);
	if (b->len == 0)
		return;
	while (krpc_frame_prefix(b->data + off, b->len - off, KRPC_FRAME_LEN_LIMIT, &body,
	    &prefix) == KRPC_FRAME_OK && off + prefix + body <= b->len) {
		each(b->data + off + prefix, body, arg);
		off += prefix + body;
	}
	memmove(b->data, b->data + off, b->len - off);
	b->len -= off;
}

/* Remembers the id of a value that reads as a Stream or an Event. */
static void
fz_note_id(const uint8_t *p, size_t len)
{
	krpc_pbr_t r = { p, len, 0 };
	krpc_pbr_field_t f;
	uint64_t id;

	if (krpc_pbr_next(&r, &f) != 1)
		return;
	if (f.number == 1 && f.wire == KRPC_WIRE_VARINT)
		id = f.varint;
	else if (f.number == 1 && f.wire == KRPC_WIRE_LEN && wire_stream_id(f.data, f.len, &id))
		;
	else
		return;
	fz.ids[fz.nids++ % 8] = id;
}

/* Remembers the ids a Response's values carry. */
static void
fz_note_response(const uint8_t *p, size_t len, void *arg)
{
	krpc_pbr_t r = { p, len, 0 }, q;
	krpc_pbr_field_t f, g;

	(void)arg;
	while (krpc_pbr_next(&r, &f) == 1) {
		if (f.number != 2 || f.wire != KRPC_WIRE_LEN)
			continue;
		q = (krpc_pbr_t){ f.data, f.len, 0 };
		while (krpc_pbr_next(&q, &g) == 1) {
			if (g.number == 2 && g.wire == KRPC_WIRE_LEN)
				fz_note_id(g.data, g.len);
		}
	}
}

/* Reads a client's RPC connection: false once closed. */
static bool
fz_read_client(struct fz_client *c)
{
	ssize_t n;

	do {
		if ((n = read(c->rpc, fz_scratch, sizeof fz_scratch)) > 0)
			krpc_buf_append(&c->in, fz_scratch, (size_t)n);
	} while (n == (ssize_t)sizeof fz_scratch);	/* a short read took all (fz_drain) */
	fz_frames(&c->in, fz_note_response, NULL);
	return n != 0;
}

/* A stream id for an argument: one the proxy gave out, or a small number. */
uint64_t
fz_id(struct fz_input *in)
{
	uint8_t b = fz_byte(in);

	if (fz.nids > 0 && (b & 1))
		return fz.ids[(b >> 1) % (fz.nids < 8 ? fz.nids : 8)];
	return b % 12;
}

void
fz_clients_poll(struct fz_client *c, size_t n)
{
	struct pollfd p[2 * FZ_CLIENTS];
	size_t i;

	/* one poll() for every client instead of a read() per connection that has nothing */
	if (n > FZ_CLIENTS)
		n = FZ_CLIENTS;
	for (i = 0; i < n; i++) {
		p[2 * i] = (struct pollfd){ c[i].reading ? c[i].rpc : -1, POLLIN, 0 };
		p[2 * i + 1] = (struct pollfd){ c[i].reading ? c[i].stream : -1, POLLIN, 0 };
	}
	if (poll(p, 2 * n, 0) <= 0)
		return;
	for (i = 0; i < n; i++) {
		if (p[2 * i].revents != 0 && !fz_read_client(&c[i]))
			fz_client_close(&c[i]);
		if (c[i].stream >= 0 && p[2 * i + 1].revents != 0 && !fz_drain(c[i].stream)) {
			close(c[i].stream);
			c[i].stream = -1;
		}
	}
}

void
fz_client_close(struct fz_client *c)
{
	if (c->rpc >= 0)
		close(c->rpc);
	if (c->stream >= 0)
		close(c->stream);
	c->rpc = c->stream = -1;
	c->ready = false;
	krpc_buf_free(&c->in);
}

/* ---- requests ------------------------------------------------------------------------- */

static const struct {
	const char	*service;
	const char	*procedure;
} fz_procs[] = {
	{ "KRPC", "AddStream" },		/* shared streams; its call comes from the input */
	{ "KRPC", "StartStream" },
	{ "KRPC", "SetStreamRate" },
	{ "KRPC", "RemoveStream" },
	{ "KRPC", "GetClientID" },		/* answered by the proxy */
	{ "KRPC", "GetClientName" },
	{ "KRPC", "get_Clients" },
	{ "KRPC", "GetStatus" },		/* forwarded */
	{ "KRPC", "AddEvent" },			/* owned */
	{ "KRPC", "Expression_static_Call" },	/* takes a call */
	{ "TestService", "Int32ToString" },
	{ "TestService", "BlockingProcedure" },	/* slow lane */
	{ "TestService", "Counter" },		/* the client's own session */
	{ "TestService", "OnTimer" },		/* an event */
	{ "Benchmark", "Call" },		/* takes a call */
	{ "NoSuchService", "Nothing" },		/* unknown: forwarded */
};

/* One argument: a nested call, a small stream id, or bytes from the input. */
static void
fz_arg(krpc_buf_t *b, struct fz_input *in, int depth)
{
	krpc_buf_t arg = KRPC_BUF_INIT, value = KRPC_BUF_INIT;
	uint8_t kind = fz_byte(in), idv[KRPC_VARINT64_MAX];
	const uint8_t *data;
	size_t len;

	krpc_buf_field_varint(&arg, 1, kind & 3);		/* position */
	if ((kind & 0x30) == 0x00 && depth < 2) {
		fz_call(&value, in);				/* a PROCEDURE_CALL */
		krpc_buf_field_bytes(&arg, 2, value.data, value.len);
	} else if ((kind & 0x30) == 0x10) {
		len = krpc_varint_put(idv, fz_id(in));
		krpc_buf_field_bytes(&arg, 2, idv, len);
	} else {
		len = fz_chunk(in, &data, 64);
		krpc_buf_field_bytes(&arg, 2, data, len);
	}
	if (kind & 0x40)
		krpc_buf_field_varint(&arg, 3, 1);		/* is_null */
	krpc_buf_field_bytes(b, 3, arg.data, arg.len);
	krpc_buf_free(&arg);
	krpc_buf_free(&value);
}

/* A ProcedureCall into b (bare, not a Request field). */
static void
fz_call_at(krpc_buf_t *b, struct fz_input *in, int depth)
{
	uint8_t which = fz_byte(in), nargs = fz_byte(in);
	size_t i, n = sizeof fz_procs / sizeof fz_procs[0];
	const char *svc = fz_procs[which % n].service, *proc = fz_procs[which % n].procedure;

	if (which & 0x80) {			/* numeric ids instead of names */
		krpc_buf_field_varint(b, 4, fz_byte(in) % 6);
		krpc_buf_field_varint(b, 5, fz_byte(in));
	} else {
		krpc_buf_field_bytes(b, 1, svc, strlen(svc));
		krpc_buf_field_bytes(b, 2, proc, strlen(proc));
	}
	for (i = 0; i < (size_t)(nargs % 4); i++)
		fz_arg(b, in, depth + 1);
	/* mostly a real one (not deeper: an input's end reads as zeros, AddStream's own number) */
	if (strcmp(proc, "AddStream") == 0 && nargs % 4 == 0 && depth < 2) {
		krpc_buf_t nested = KRPC_BUF_INIT, arg = KRPC_BUF_INIT;

		fz_call_at(&nested, in, depth + 1);
		krpc_buf_field_varint(&arg, 1, 0);
		krpc_buf_field_bytes(&arg, 2, nested.data, nested.len);
		krpc_buf_field_bytes(b, 3, arg.data, arg.len);
		krpc_buf_free(&nested);
		krpc_buf_free(&arg);
	}
	xbuf_check(b);
}

void
fz_call(krpc_buf_t *request, struct fz_input *in)
{
	krpc_buf_t call = KRPC_BUF_INIT;

	fz_call_at(&call, in, 0);
	krpc_buf_field_bytes(request, 1, call.data, call.len);
	xbuf_check(request);
	krpc_buf_free(&call);
}

/* ---- the fake server's answers --------------------------------------------------------- */

/* Remembers one request the proxy sent on a lane: its calls' procedures. */
static void
fz_note(const uint8_t *msg, size_t len, void *arg)
{
	enum fz_lane l = *(enum fz_lane *)arg;
	struct fz_req *q;
	krpc_pbr_t r = { msg, len, 0 }, c;
	krpc_pbr_field_t f, g;

	if (fz.n[l] == FZ_PENDING)
		return;
	q = &fz.reqs[l][(fz.head[l] + fz.n[l]++) % FZ_PENDING];
	memset(q, 0, sizeof *q);
	while (krpc_pbr_next(&r, &f) == 1) {
		if (f.number != 1 || f.wire != KRPC_WIRE_LEN)
			continue;
		c = (krpc_pbr_t){ f.data, f.len, 0 };
		while (q->ncalls < FZ_CALLS && krpc_pbr_next(&c, &g) == 1) {
			if (g.number == 2 && g.wire == KRPC_WIRE_LEN)
				snprintf(q->procs[q->ncalls], sizeof q->procs[0], "%.*s", (int)g.len,
				    (const char *)g.data);
		}
		q->ncalls++;
	}
}

/* Reads what the proxy wrote on a lane; whole requests are remembered. */
static void
fz_read_lane(enum fz_lane l)
{
	ssize_t n;

	do {
		if ((n = read(fz.far[l], fz_scratch, sizeof fz_scratch)) > 0)
			krpc_buf_append(&fz.in[l], fz_scratch, (size_t)n);
	} while (n == (ssize_t)sizeof fz_scratch);	/* a short read took all (fz_drain) */
	fz_frames(&fz.in[l], fz_note, &l);
}

/* One result, in kind with the procedure it answers unless the input says otherwise. */
static void
fz_result(krpc_buf_t *resp, const char *proc, struct fz_input *in)
{
	krpc_buf_t v = KRPC_BUF_INIT, r = KRPC_BUF_INIT;
	uint8_t mode = fz_byte(in), id = (uint8_t)(1 + fz_byte(in) % 8);
	const uint8_t *data;
	size_t len;

	if ((mode & 3) == 3)
		wire_result_error(&r, "KRPC", "InvalidOperationException", "fuzz");
	else if (strcmp(proc, "AddStream") == 0 && (mode & 3) != 2) {
		wire_stream(&v, id);
		wire_result_value(&r, v.data, v.len);
	} else if ((strcmp(proc, "AddEvent") == 0 || strcmp(proc, "OnTimer") == 0) &&
	    (mode & 3) != 2) {
		wire_event(&v, id);
		wire_result_value(&r, v.data, v.len);
	} else {
		len = fz_chunk(in, &data, 32);
		wire_result_value(&r, data, len);
	}
	krpc_buf_field_bytes(resp, 2, r.data, r.len);
	krpc_buf_free(&v);
	krpc_buf_free(&r);
}

void
fz_answer(enum fz_lane l, struct fz_input *in)
{
	krpc_buf_t resp = KRPC_BUF_INIT, e = KRPC_BUF_INIT;
	uint8_t mode = fz_byte(in);
	struct fz_req *q;
	const uint8_t *data;
	size_t i, n, len;

	if (fz.far[l] < 0)
		return;
	fz_read_lane(l);
	if (fz.n[l] == 0 && (mode & 7) != 6)
		return;
	q = &fz.reqs[l][fz.head[l]];
	n = q->ncalls;
	switch (mode & 7) {
	case 4:		/* a request-level error; decoding failures get a batch sent again */
		wire_error(&e, "", "", "fuzz");
		if (mode & 8)
			krpc_buf_field_bytes(&e, 4, "at KRPC.Server.ProtocolBuffers.RPCStream.Read", 45);
		wire_response_error(&resp, e.data, e.len);
		break;
	case 5:		/* one result too many or too few */
		n = (mode & 8) && n > 0 ? n - 1 : n + 1;
		/* fall through */
	default:
		for (i = 0; i < n; i++)
			fz_result(&resp, i < FZ_CALLS ? q->procs[i] : "", in);
		break;
	case 6:		/* bytes that are no Response */
		len = fz_chunk(in, &data, 64);
		krpc_buf_append(&resp, data, len);
		break;
	case 7:		/* the connection breaks */
		close(fz.far[l]);
		fz.far[l] = -1;
		break;
	}
	xbuf_check(&resp);
	if ((mode & 7) != 7)
		fz_send(fz.far[l], resp.data, resp.len);
	if (fz.n[l] > 0) {
		fz.head[l] = (fz.head[l] + 1) % FZ_PENDING;
		fz.n[l]--;
	}
	krpc_buf_free(&resp);
	krpc_buf_free(&e);
}

void
fz_update(struct fz_input *in)
{
	krpc_buf_t u = KRPC_BUF_INIT, r = KRPC_BUF_INIT;
	uint8_t n = fz_byte(in) % 5, i, id;
	const uint8_t *data;
	size_t len;

	for (i = 0; i < n; i++) {
		id = fz_byte(in);
		krpc_buf_reset(&r);
		if (id & 0x80)
			wire_result_error(&r, "", "", "fuzz");
		else {
			len = fz_chunk(in, &data, 24);
			wire_result_value(&r, data, len);
		}
		xbuf_check(&r);
		wire_stream_result(&u, id % 10, r.data, r.len);
	}
	xbuf_check(&u);
	fz_send(fz.stream_far, u.data, u.len);
	krpc_buf_free(&u);
	krpc_buf_free(&r);
}
