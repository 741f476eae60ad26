/*
 * Unit tests of krpcmuxd's stream table and fan-out: deduplication, waiters,
 * subscriber ids, refcounted removal, upstream rate = highest subscriber
 * rate (0 wins), errors, revived ids, and per-client delivery with local
 * throttling and conflation.  The upstream is a recorder standing in for
 * upstream_call1(); clients' stream connections are real socket pairs.
 */
#include <sys/socket.h>

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krpcmuxd.h"

/* ---- what krpcmuxd's main.c provides ------------------------------------ */

struct event_base *ev_base;

static struct client_list test_clients = TAILQ_HEAD_INITIALIZER(test_clients);

/* The clients get_Clients lists: none of the fakes registers. */
static const struct client_list *
test_client_all(void)
{
	return &test_clients;
}

static const struct streamtab_sources test_sources = { test_client_all };

/* ---- a recording upstream -------------------------------------------------- */

struct sent {
	char		 proc[32];
	uint64_t	 id;
	float		 rate;
	bool		 has_rate;
	upstream_cb	 cb;
	void		*arg;
	bool		 done;
};

static struct sent	sent[64];
static int		nsent;
static char		dummy_upcall;

/* Records one call (a serialised KRPC ProcedureCall, as upstream_call1() takes). */
static struct upcall *
record(enum upstream_lane lane, const void *call, size_t len, upstream_cb cb, void *arg)
{
	Krpc__Schema__ProcedureCall *pc = krpc__schema__procedure_call__unpack(NULL, len, call);
	struct sent *s = &sent[nsent++];
	size_t i;
	uint32_t bits;

	ck_assert_ptr_nonnull(pc);
	ck_assert_str_eq(pc->service, "KRPC");
	ck_assert_int_eq(lane, UPSTREAM_PRIMARY);	/* the stream-owning connection */
	memset(s, 0, sizeof *s);
	snprintf(s->proc, sizeof s->proc, "%s", pc->procedure);
	for (i = 0; i < pc->n_arguments; i++) {
		Krpc__Schema__Argument *a = pc->arguments[i];

		if (a->position == 0 && strcmp(s->proc, "AddStream") != 0)
			krpc_varint_get(a->value.data, a->value.len, &s->id);
		if (a->position == 1 && strcmp(s->proc, "SetStreamRate") == 0) {
			bits = krpc_get_le32(a->value.data);
			memcpy(&s->rate, &bits, 4);
			s->has_rate = true;
		}
		if (a->position == 1 && strcmp(s->proc, "AddStream") == 0)
			ck_assert(a->value.len == 1 && a->value.data[0] == 0);	/* start = false */
	}
	s->cb = cb;
	s->arg = arg;
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
	return (struct upcall *)&dummy_upcall;
}

/* Completes recorded request i with a Response holding one result. */
static void
complete(int i, const void *result, size_t len)
{
	krpc_buf_t resp = KRPC_BUF_INIT;

	krpc_buf_field_bytes(&resp, 2, result, len);
	sent[i].done = true;
	sent[i].cb(sent[i].arg, resp.data, resp.len, NULL);
	krpc_buf_free(&resp);
}

/* Completes an AddStream with Stream{id}. */
static void
complete_stream(int i, uint64_t id)
{
	krpc_buf_t v = KRPC_BUF_INIT, r = KRPC_BUF_INIT;

	wire_stream(&v, id);
	krpc_buf_field_bytes(&r, 2, v.data, v.len);
	complete(i, r.data, r.len);
	krpc_buf_free(&v);
	krpc_buf_free(&r);
}

/* The index of the only request sent since mark with that procedure, or -1. */
static int
find_sent(int mark, const char *proc)
{
	int i, found = -1;

	for (i = mark; i < nsent; i++) {
		if (strcmp(sent[i].proc, proc) == 0) {
			ck_assert_msg(found == -1, "%s sent twice", proc);
			found = i;
		}
	}
	return found;
}

/* ---- clients with real stream sockets ----------------------------------- */

struct fake {
	struct client	 c;
	int		 other;		/* the client's end of the stream socket */
	krpc_framer_t	*fr;
};

static void
fake_dispatch(struct peer *p, const uint8_t *msg, size_t len, void *arg)
{
	if (msg == NULL)
		peer_close(p, false);
}

/* As client.c does: a drained stream connection releases what conflation held. */
static void
fake_drained(struct peer *p, void *arg)
{
	struct fake *f = arg;

	fanout_drained(&f->c);
}

static const struct peer_ops fake_ops = { fake_dispatch, NULL, fake_drained, NULL, NULL };

static struct fake *
fake_new(const char *name)
{
	struct fake *f = calloc(1, sizeof *f);
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	TAILQ_INIT(&f->c.requests);
	TAILQ_INIT(&f->c.subs);
	TAILQ_INIT(&f->c.pending);
	f->c.state = CLIENT_READY;
	f->c.name = xstrdup(name);
	f->c.address = xstrdup("test");
	f->c.prefix = xstrdup(name);
	f->c.stream = peer_new(sv[0], PEER_UNIX, name, 1 << 20, &fake_ops, f);
	peer_set_state(f->c.stream, PEER_READY);
	f->other = sv[1];
	fcntl(f->other, F_SETFL, O_NONBLOCK);
	f->fr = krpc_framer_new(64 << 20);
	return f;
}

static void
fake_free(struct fake *f)
{
	streamtab_client_gone(&f->c);
	fanout_client_gone(&f->c);
	peer_close(f->c.stream, false);
	close(f->other);
	krpc_framer_free(f->fr);
	free(f->c.name);
	free(f->c.address);
	free(f->c.prefix);
	free(f);
}

/* Runs the event loop for a while (writes, timers). */
static void
spin(double seconds)
{
	double end = krpc_time_now() + seconds;

	do
		event_base_loop(ev_base, EVLOOP_NONBLOCK);
	while (krpc_time_now() < end && (usleep(1000), true));
}

/*
 * The next StreamUpdate on a fake client's socket: its results as id and
 * value pairs (value is the result's value bytes as a string, "ERR" for an
 * error).  Returns the count, or 0 if nothing arrives within timeout.
 */
static int
next_update(struct fake *f, double timeout, uint64_t *ids, char values[][64], int max)
{
	double end = krpc_time_now() + timeout;
	Krpc__Schema__StreamUpdate *u;
	const uint8_t *body;
	uint8_t buf[65536];
	size_t len, i;
	ssize_t n;
	int count = 0;

	for (;;) {
		if (krpc_framer_next(f->fr, &body, &len) == KRPC_FRAME_OK)
			break;
		spin(0.001);
		if ((n = read(f->other, buf, sizeof buf)) > 0)
			krpc_framer_feed(f->fr, buf, (size_t)n);
		else if (krpc_time_now() > end)
			return 0;
	}
	u = krpc__schema__stream_update__unpack(NULL, len, body);
	ck_assert_ptr_nonnull(u);
	ck_assert_uint_gt(u->n_results, 0);	/* never an empty update */
	for (i = 0; i < u->n_results && count < max; i++, count++) {
		ids[count] = u->results[i]->id;
		if (u->results[i]->result->error != NULL)
			snprintf(values[count], 64, "ERR %s", u->results[i]->result->error->description);
		else
			snprintf(values[count], 64, "%.*s", (int)u->results[i]->result->value.len,
			    (const char *)u->results[i]->result->value.data);
	}
	krpc__schema__stream_update__free_unpacked(u, NULL);
	return count;
}

/* Sends an upstream StreamUpdate with one value (or error) per id. */
static void
upstream_update(size_t n, const uint64_t *upids, const char *const *values)
{
	krpc_buf_t u = KRPC_BUF_INIT, r = KRPC_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		krpc_buf_reset(&r);
		if (strncmp(values[i], "ERR ", 4) == 0)
			wire_result_error(&r, "KRPC", "InvalidOperationException", values[i] + 4);
		else
			wire_result_value(&r, values[i], strlen(values[i]));
		wire_stream_result(&u, upids[i], r.data, r.len);
	}
	streamtab_update(u.data, u.len);
	krpc_buf_free(&u);
	krpc_buf_free(&r);
}

/* ---- fixture --------------------------------------------------------------- */

/* A request parked on an AddStream; like the router, it subscribes when woken. */
struct waiter {
	struct streamtab_wait	 w;
	struct client		*client;
	int			 calls;
	struct entry		*entry;
	struct sub		*sub;
	bool			 call_error;
};

static void
waiter_fn(void *arg, const struct streamtab_result *res)
{
	struct waiter *w = arg;

	w->calls++;
	w->entry = res->entry;
	w->call_error = res->call_error != NULL;
	if (res->entry != NULL && w->client != NULL)
		w->sub = streamtab_subscribe(w->client, res->entry);
}

/* Parks a waiter for client c (NULL: none) on e. */
static void
park(struct waiter *w, struct entry *e, struct fake *f)
{
	memset(w, 0, sizeof *w);
	w->client = f != NULL ? &f->c : NULL;
	w->w.fn = waiter_fn;
	w->w.arg = w;
	streamtab_wait(e, &w->w);
}

static void
setup(void)
{
	char why[256];

	ev_base = event_base_new();
	defer_init();
	streamtab_init(&test_sources);
	streamtab_set_sender(record);
	cfg = config_load(NULL, true, NULL, 0, why, sizeof why);
	ck_assert_ptr_nonnull(cfg);
	nsent = 0;
}

static void
teardown(void)
{
	int i;

	/* answer the management calls nobody answered (their records are freed then) */
	for (i = 0; i < nsent; i++) {
		if (!sent[i].done && strcmp(sent[i].proc, "AddStream") != 0)
			sent[i].cb(sent[i].arg, NULL, 0, "the test is over");
	}
	streamtab_reset();
	defer_flush();
	config_free(cfg);
	cfg = NULL;
	event_base_free(ev_base);
	ev_base = NULL;
}

/* Adds a shared entry for key, completes its AddStream with upid, subscribes f. */
static struct sub *
add_live(const char *key, uint64_t upid, struct fake *f)
{
	struct entry *e = streamtab_add((const uint8_t *)key, strlen(key), key,
	    (const uint8_t *)"\x0a\x01x", 3);
	struct waiter w;
	int i = nsent - 1;

	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(sent[i].proc, "AddStream");
	park(&w, e, f);
	complete_stream(i, upid);
	ck_assert_int_eq(w.calls, 1);
	ck_assert_ptr_nonnull(w.sub);
	return w.sub;
}

/* ---- tests ------------------------------------------------------------------ */

/* Two requests for one key: one AddStream upstream, both woken with the entry. */
START_TEST(test_dedup_waiters)
{
	struct waiter w1, w2;
	struct fake *a = fake_new("a"), *b = fake_new("b");
	struct entry *e;

	ck_assert_ptr_null(streamtab_lookup((const uint8_t *)"k", 1));
	e = streamtab_add((const uint8_t *)"k", 1, "T.k", (const uint8_t *)"\x0a\x01x", 3);
	ck_assert_ptr_eq(streamtab_lookup((const uint8_t *)"k", 1), e);
	ck_assert_int_eq(e->state, ENTRY_ADDING);
	park(&w1, e, a);
	park(&w2, e, b);
	ck_assert_int_eq(nsent, 1);
	complete_stream(0, 42);
	ck_assert(w1.calls == 1 && w2.calls == 1 && w1.entry == e && w2.entry == e);
	ck_assert_int_eq(e->state, ENTRY_LIVE);
	ck_assert_ptr_eq(streamtab_by_upid(42), e);
	ck_assert(w1.sub->id != w2.sub->id);
	ck_assert_ptr_eq(streamtab_find(&a->c, w1.sub->id), w1.sub);
	ck_assert_ptr_null(streamtab_find(&b->c, w1.sub->id));	/* another client's id */
	ck_assert_ptr_eq(streamtab_client_sub(&b->c, e), w2.sub);
	ck_assert_int_eq(nsent, 1);	/* no StartStream or SetStreamRate yet */
	fake_free(a);
	fake_free(b);
}
END_TEST

/* Removal upstream only when the last subscriber goes. */
START_TEST(test_refcount_removal)
{
	struct fake *a = fake_new("a"), *b = fake_new("b");
	struct sub *sa = add_live("r", 7, a), *sb = streamtab_subscribe(&b->c, sa->entry);
	struct entry *e = sa->entry;
	int mark = nsent, i;

	streamtab_unsubscribe(sa);
	ck_assert_int_eq(find_sent(mark, "RemoveStream"), -1);
	ck_assert_ptr_eq(streamtab_lookup((const uint8_t *)"r", 1), e);
	streamtab_unsubscribe(sb);
	ck_assert_int_ge(i = find_sent(mark, "RemoveStream"), 0);
	ck_assert_uint_eq(sent[i].id, 7);
	ck_assert_ptr_null(streamtab_lookup((const uint8_t *)"r", 1));
	ck_assert_ptr_null(streamtab_by_upid(7));
	fake_free(a);
	fake_free(b);
}
END_TEST

/* A waiter that leaves before the AddStream answer: the stream is removed at once. */
START_TEST(test_waiter_cancel)
{
	struct waiter w;
	struct entry *e = streamtab_add((const uint8_t *)"c", 1, "T.c", (const uint8_t *)"\x0a\x01x", 3);

	park(&w, e, NULL);
	streamtab_wait_cancel(&w.w);
	complete_stream(0, 9);
	ck_assert_int_eq(w.calls, 0);
	ck_assert_int_ge(find_sent(1, "RemoveStream"), 0);
	ck_assert_ptr_null(streamtab_lookup((const uint8_t *)"c", 1));
	ck_assert_ptr_null(streamtab_by_upid(9));
}
END_TEST

/* StartStream goes upstream once; later starts get the cached value at once. */
START_TEST(test_start_and_cache)
{
	struct fake *a = fake_new("a"), *b = fake_new("b");
	struct sub *sa = add_live("s", 3, a), *sb = streamtab_subscribe(&b->c, sa->entry);
	uint64_t ids[4], up = 3;
	char vals[4][64];
	const char *v1[] = { "one" };
	int mark = nsent;

	streamtab_start(sa);
	ck_assert_int_ge(find_sent(mark, "StartStream"), 0);
	ck_assert_uint_eq(sent[find_sent(mark, "StartStream")].id, 3);
	upstream_update(1, &up, v1);
	ck_assert_int_eq(next_update(a, 1.0, ids, vals, 4), 1);
	ck_assert_uint_eq(ids[0], sa->id);
	ck_assert_str_eq(vals[0], "one");
	ck_assert_int_eq(next_update(b, 0.1, ids, vals, 4), 0);	/* not started */
	mark = nsent;
	streamtab_start(sb);
	ck_assert_int_eq(find_sent(mark, "StartStream"), -1);
	ck_assert_int_eq(next_update(b, 1.0, ids, vals, 4), 1);
	ck_assert_uint_eq(ids[0], sb->id);
	ck_assert_str_eq(vals[0], "one");
	/* a repeated start re-sends to that subscriber only */
	streamtab_start(sb);
	ck_assert_int_eq(next_update(b, 1.0, ids, vals, 4), 1);
	ck_assert_int_eq(next_update(a, 0.1, ids, vals, 4), 0);
	fake_free(a);
	fake_free(b);
}
END_TEST

/* The upstream rate is the highest subscriber rate, and 0 (unlimited) wins. */
START_TEST(test_rates)
{
	struct fake *a = fake_new("a"), *b = fake_new("b");
	struct sub *sa = add_live("rate", 11, a), *sb;
	int mark, i;

	mark = nsent;
	streamtab_set_rate(sa, 5);
	ck_assert_int_ge(i = find_sent(mark, "SetStreamRate"), 0);
	ck_assert(sent[i].id == 11 && sent[i].rate == 5);
	mark = nsent;
	sb = streamtab_subscribe(&b->c, sa->entry);	/* default rate 0: unlimited wins */
	ck_assert_int_ge(i = find_sent(mark, "SetStreamRate"), 0);
	ck_assert(sent[i].rate == 0);
	mark = nsent;
	streamtab_set_rate(sb, 20);
	ck_assert_int_ge(i = find_sent(mark, "SetStreamRate"), 0);
	ck_assert(sent[i].rate == 20);
	mark = nsent;
	streamtab_set_rate(sa, 10);	/* still below 20: nothing upstream */
	ck_assert_int_eq(find_sent(mark, "SetStreamRate"), -1);
	streamtab_unsubscribe(sb);
	ck_assert_int_ge(i = find_sent(mark, "SetStreamRate"), 0);
	ck_assert(sent[i].rate == 10);
	fake_free(a);
	fake_free(b);
}
END_TEST

/* An error reaches started subscribers now, unstarted ones on start; the entry is gone. */
START_TEST(test_error_fanout)
{
	struct fake *a = fake_new("a"), *b = fake_new("b");
	struct sub *sa = add_live("err", 5, a), *sb = streamtab_subscribe(&b->c, sa->entry);
	const char *v[] = { "ERR boom" };
	uint64_t ids[4], up = 5;
	char vals[4][64];
	int mark;

	streamtab_start(sa);
	upstream_update(1, &up, v);
	ck_assert_int_eq(next_update(a, 1.0, ids, vals, 4), 1);
	ck_assert_str_eq(vals[0], "ERR boom");
	ck_assert_ptr_null(streamtab_lookup((const uint8_t *)"err", 3));
	ck_assert_ptr_null(streamtab_by_upid(5));
	ck_assert_int_eq(next_update(b, 0.1, ids, vals, 4), 0);
	streamtab_start(sb);
	ck_assert_int_eq(next_update(b, 1.0, ids, vals, 4), 1);
	ck_assert_uint_eq(ids[0], sb->id);
	ck_assert_str_eq(vals[0], "ERR boom");
	/* the server already removed it: nothing is sent when the subscribers leave */
	mark = nsent;
	streamtab_unsubscribe(sa);
	streamtab_unsubscribe(sb);
	ck_assert_int_eq(find_sent(mark, "RemoveStream"), -1);
	fake_free(a);
	fake_free(b);
}
END_TEST

/* An AddStream that fails: every waiter gets the call's error; nothing stays. */
START_TEST(test_add_error)
{
	struct waiter w;
	struct fake *a = fake_new("a");
	struct entry *e = streamtab_add((const uint8_t *)"bad", 3, "T.bad", (const uint8_t *)"\x0a\x01x", 3);
	krpc_buf_t r = KRPC_BUF_INIT;

	park(&w, e, a);
	wire_result_error(&r, NULL, NULL, "Procedure not found");
	complete(0, r.data, r.len);
	ck_assert(w.calls == 1 && w.entry == NULL && w.sub == NULL && w.call_error);
	ck_assert_ptr_null(streamtab_lookup((const uint8_t *)"bad", 3));
	krpc_buf_free(&r);
	fake_free(a);
}
END_TEST

/* The server calls two keys equal: they share an entry.  A revived id's rate is re-sent. */
START_TEST(test_merge_and_revival)
{
	struct fake *a = fake_new("a"), *b = fake_new("b");
	struct sub *s1 = add_live("one", 4, a), *s2 = add_live("two", 4, b);
	int mark;

	ck_assert_ptr_eq(s2->entry, s1->entry);
	ck_assert_uint_eq(s1->entry->nsubs, 2);
	streamtab_unsubscribe(s1);
	streamtab_unsubscribe(s2);
	ck_assert_ptr_null(streamtab_by_upid(4));
	/* a cancelled removal hands the same id back: its state upstream is unknown */
	mark = nsent;
	s1 = add_live("one", 4, a);
	ck_assert_int_ge(find_sent(mark, "SetStreamRate"), 0);
	streamtab_start(s1);
	ck_assert_int_ge(find_sent(mark, "StartStream"), 0);
	fake_free(a);
	fake_free(b);
}
END_TEST

/* Local throttling: a 4 Hz subscriber gets the newest value when its window opens. */
START_TEST(test_throttle)
{
	struct fake *a = fake_new("a"), *b = fake_new("b");
	struct sub *sa = add_live("t", 8, a), *sb = streamtab_subscribe(&b->c, sa->entry);
	const char *v1[] = { "v1" }, *v2[] = { "v2" }, *v3[] = { "v3" };
	uint64_t ids[4], up = 8;
	char vals[4][64];
	double t0;

	streamtab_set_rate(sa, 4);
	streamtab_start(sa);
	streamtab_start(sb);
	spin(0.3);	/* let a's first window open */
	upstream_update(1, &up, v1);
	upstream_update(1, &up, v2);
	upstream_update(1, &up, v3);
	ck_assert_int_eq(next_update(b, 1.0, ids, vals, 4), 1);
	ck_assert_str_eq(vals[0], "v1");
	ck_assert_int_eq(next_update(b, 1.0, ids, vals, 4), 1);
	ck_assert_int_eq(next_update(b, 1.0, ids, vals, 4), 1);
	ck_assert_str_eq(vals[0], "v3");
	t0 = krpc_time_now();
	ck_assert_int_eq(next_update(a, 1.0, ids, vals, 4), 1);
	ck_assert_str_eq(vals[0], "v1");
	ck_assert_int_eq(next_update(a, 1.0, ids, vals, 4), 1);
	ck_assert_str_eq(vals[0], "v3");	/* v2 was replaced while held */
	ck_assert(krpc_time_now() - t0 > 0.15);
	ck_assert_int_eq(next_update(a, 0.4, ids, vals, 4), 0);
	fake_free(a);
	fake_free(b);
}
END_TEST

/*
 * A rate so low that its window opens only in 1e24 s: the value is held, and
 * the event loop stays idle (the timer's delay overflowed time_t and fired
 * at once, over and over: one pass of the loop never ended).
 */
START_TEST(test_tiny_rate)
{
	struct fake *a = fake_new("a");
	struct sub *sa = add_live("tiny", 9, a);
	const char *v1[] = { "v1" };
	uint64_t ids[4], up = 9;
	char vals[4][64];

	streamtab_set_rate(sa, 1e-24f);
	streamtab_start(sa);
	upstream_update(1, &up, v1);	/* held: its window is far away */
	spin(0.2);
	ck_assert_int_eq(next_update(a, 0.3, ids, vals, 4), 0);
	fake_free(a);
}
END_TEST

/* A client that does not read: its queue stops at the high watermark; it gets the newest values later. */
START_TEST(test_conflation)
{
	struct fake *slow = fake_new("slow"), *fast = fake_new("fast");
	struct sub *ss = add_live("big", 6, slow), *sf = streamtab_subscribe(&fast->c, ss->entry);
	char value[2048], last[64];
	const char *vp[1] = { value };
	uint64_t ids[4], up = 6;
	char vals[4][64];
	int i, n;

	cfg->limits_output_high = 8192;
	cfg->limits_output_low = 1024;
	streamtab_start(ss);
	streamtab_start(sf);
	memset(value, 'x', sizeof value - 1);
	value[sizeof value - 1] = '\0';
	for (i = 0; i < 2000; i++) {
		snprintf(value, sizeof value, "%06d", i);
		value[6] = 'x';
		upstream_update(1, &up, vp);
		spin(0);
		if (i % 50 == 0) {	/* the fast client keeps up */
			while (next_update(fast, 0.01, ids, vals, 4) > 0)
				;
		}
		ck_assert_uint_le(peer_output(slow->c.stream), 8192 + 4096);
	}
	ck_assert_uint_gt(stats.values_conflated, 0);
	/* the slow client reads at last: the stream ends with the newest value */
	last[0] = '\0';
	while ((n = next_update(slow, 0.3, ids, vals, 4)) > 0)
		snprintf(last, sizeof last, "%.6s", vals[0]);
	ck_assert_str_eq(last, "001999");
	fake_free(slow);
	fake_free(fast);
}
END_TEST

/* Events and local streams are one client's own. */
START_TEST(test_owned_and_local)
{
	struct fake *a = fake_new("a");
	struct entry *ev = streamtab_owned(&a->c, 30, "KRPC.AddEvent");
	struct entry *loc = streamtab_local(&a->c, SCHEMA_CLIENT_NAME, "KRPC.GetClientName");
	struct sub *se = streamtab_subscribe(&a->c, ev), *sl = streamtab_subscribe(&a->c, loc);
	const char *v[] = { "\x01" };
	uint64_t ids[4], up = 30;
	char vals[4][64];
	int mark = nsent;

	ck_assert(se->started);	/* the server starts and paces events */
	ck_assert_ptr_eq(streamtab_by_upid(30), ev);
	upstream_update(1, &up, v);
	ck_assert_int_eq(next_update(a, 1.0, ids, vals, 4), 1);
	ck_assert_uint_eq(ids[0], se->id);
	streamtab_start(sl);
	ck_assert_int_eq(next_update(a, 1.0, ids, vals, 4), 1);
	ck_assert_uint_eq(ids[0], sl->id);
	ck_assert_str_eq(vals[0], "\x01" "a");
	ck_assert_int_eq(nsent, mark);	/* the local stream costs the server nothing */
	fake_free(a);
}
END_TEST

static Suite *
streamtab_suite(void)
{
	Suite *s = suite_create("streamtab");
	TCase *tc = tcase_create("table");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_dedup_waiters);
	tcase_add_test(tc, test_refcount_removal);
	tcase_add_test(tc, test_waiter_cancel);
	tcase_add_test(tc, test_start_and_cache);
	tcase_add_test(tc, test_rates);
	tcase_add_test(tc, test_error_fanout);
	tcase_add_test(tc, test_add_error);
	tcase_add_test(tc, test_merge_and_revival);
	tcase_add_test(tc, test_throttle);
	tcase_add_test(tc, test_tiny_rate);
	tcase_add_test(tc, test_conflation);
	tcase_add_test(tc, test_owned_and_local);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(streamtab_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
