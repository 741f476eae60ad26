/*
 * krpcmuxd integration tests, part 4: a mock upstream.  The test itself
 * plays the game's kRPC server on two Unix sockets and asserts the exact
 * bytes the proxy sends: the handshakes first and nothing before their
 * responses, whole frames per write, plain requests forwarded unchanged,
 * AddStream sent once for many subscribers, RemoveStream only for the last.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemontest.h"

struct mock_conn {
	int		 fd;
	krpc_framer_t	*fr;
	bool		 split;		/* a read ended inside a frame */
};

struct mock {
	int			 lrpc, lstream;
	struct mock_conn	*rpc, *stream;
	uint8_t			 id[16];
	struct dt		 t;
};

static const uint8_t MOCK_ID[16] = "0123456789abcdef";

/* ---- the mock server's plumbing ---------------------------------------- */

static int
mock_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	unlink(path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	return fd;
}

static struct mock_conn *
mock_accept(int lfd, double timeout)
{
	struct pollfd pfd = { lfd, POLLIN, 0 };
	struct mock_conn *c;
	int fd;

	if (poll(&pfd, 1, (int)(timeout * 1000)) != 1 || (fd = accept(lfd, NULL, NULL)) == -1)
		return NULL;
	c = calloc(1, sizeof *c);
	c->fd = fd;
	c->fr = krpc_framer_new(64 << 20);
	return c;
}

static void
mock_close(struct mock_conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	krpc_framer_free(c->fr);
	free(c);
}

/* The next frame within timeout: 1, 0 on timeout, -1 when closed. */
static int
mock_recv(struct mock_conn *c, double timeout, const uint8_t **body, size_t *len)
{
	static uint8_t buf[1 << 20];
	double end = th_now() + timeout;
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	krpc_frame_rc_t rc;
	ssize_t n;

	for (;;) {
		rc = krpc_framer_next(c->fr, body, len);
		if (rc == KRPC_FRAME_OK)
			return 1;
		if (rc != KRPC_FRAME_NEED_MORE)
			return -1;
		if (poll(&pfd, 1, (int)((end - th_now()) * 1000) + 1) != 1)
			return 0;
		if ((n = recv(c->fd, buf, sizeof buf, 0)) <= 0)
			return -1;
		krpc_framer_feed(c->fr, buf, (size_t)n);
		/* everything read must be whole frames: each frame went out in one write */
		{
			krpc_framer_t *probe = krpc_framer_new(64 << 20);
			const uint8_t *b;
			size_t l;

			krpc_framer_feed(probe, buf, (size_t)n);
			while (krpc_framer_next(probe, &b, &l) == KRPC_FRAME_OK)
				;
			if (krpc_framer_pending(probe) != 0)
				c->split = true;
			krpc_framer_free(probe);
		}
		if (th_now() > end)
			end = th_now();
	}
}

/* True if nothing arrives within seconds. */
static bool
mock_quiet(struct mock_conn *c, double seconds)
{
	const uint8_t *body;
	size_t len;

	return mock_recv(c, seconds, &body, &len) == 0;
}

static void
mock_send(struct mock_conn *c, const ProtobufCMessage *m)
{
	krpc_buf_t b = KRPC_BUF_INIT;

	krpc_frame_pack(&b, m);
	ck_assert(krpc_buf_ok(&b));
	ck_assert_int_eq(send(c->fd, b.data, b.len, MSG_NOSIGNAL), (ssize_t)b.len);
	krpc_buf_free(&b);
}

/* Hex of bytes (static, for messages). */
static const char *
hex(const uint8_t *p, size_t len)
{
	static char out[4096];
	size_t i;

	for (i = 0; i < len && i < 2000; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * i] = '\0';
	return out;
}

/* Reads a frame and asserts it equals want. */
static void
expect_bytes(struct mock_conn *c, const uint8_t *want, size_t wantlen, const char *what)
{
	const uint8_t *body;
	size_t len;

	ck_assert_msg(mock_recv(c, 5.0, &body, &len) == 1, "no %s", what);
	ck_assert_msg(len == wantlen && memcmp(body, want, len) == 0, "%s: got %s", what,
	    hex(body, len));
}

/* ---- the services the mock offers -------------------------------------- */

static Krpc__Schema__Type *
type(int code)
{
	Krpc__Schema__Type *t = calloc(1, sizeof *t);

	krpc__schema__type__init(t);
	t->code = (Krpc__Schema__Type__TypeCode)code;
	return t;
}

static Krpc__Schema__Parameter *
param(const char *name, int code, const char *def, size_t deflen)
{
	Krpc__Schema__Parameter *p = calloc(1, sizeof *p);

	krpc__schema__parameter__init(p);
	p->name = (char *)name;
	p->type = type(code);
	if (def != NULL) {
		p->has_default_value = true;
		p->default_value.data = (uint8_t *)def;
		p->default_value.len = deflen;
	}
	return p;
}

static Krpc__Schema__Procedure *
proc(const char *name, int ret, size_t n, ...)
{
	Krpc__Schema__Procedure *p = calloc(1, sizeof *p);
	va_list ap;
	size_t i;

	krpc__schema__procedure__init(p);
	p->name = (char *)name;
	if (ret != 0)
		p->return_type = type(ret);
	p->n_parameters = n;
	p->parameters = calloc(n ? n : 1, sizeof *p->parameters);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		p->parameters[i] = va_arg(ap, Krpc__Schema__Parameter *);
	va_end(ap);
	return p;
}

/* The serialised Services message: a small KRPC and TestService. */
static krpc_buf_t
services(void)
{
	Krpc__Schema__Procedure *krpc[] = {
		proc("GetClientID", KRPC_TYPE_BYTES, 0),
		proc("GetClientName", KRPC_TYPE_STRING, 0),
		proc("GetStatus", KRPC_TYPE_STATUS, 0),
		proc("GetServices", KRPC_TYPE_SERVICES, 0),
		proc("AddStream", KRPC_TYPE_STREAM, 2, param("call", KRPC_TYPE_PROCEDURE_CALL, NULL, 0),
		    param("start", KRPC_TYPE_BOOL, "\x01", 1)),
		proc("StartStream", 0, 1, param("id", KRPC_TYPE_UINT64, NULL, 0)),
		proc("SetStreamRate", 0, 2, param("id", KRPC_TYPE_UINT64, NULL, 0),
		    param("rate", KRPC_TYPE_FLOAT, NULL, 0)),
		proc("RemoveStream", 0, 1, param("id", KRPC_TYPE_UINT64, NULL, 0)),
		proc("AddEvent", KRPC_TYPE_EVENT, 1, param("expression", KRPC_TYPE_CLASS, NULL, 0)),
		proc("get_Clients", KRPC_TYPE_LIST, 0),
		proc("HoldTick", 0, 0),
		proc("ReleaseTick", 0, 0),
	};
	Krpc__Schema__Procedure *test[] = {
		proc("FloatToString", KRPC_TYPE_STRING, 1, param("value", KRPC_TYPE_FLOAT, NULL, 0)),
		proc("OptionalArguments", KRPC_TYPE_STRING, 2, param("x", KRPC_TYPE_STRING, NULL, 0),
		    param("y", KRPC_TYPE_STRING, "\x03" "foo", 4)),
		proc("BlockingProcedure", KRPC_TYPE_SINT32, 1, param("n", KRPC_TYPE_SINT32, NULL, 0)),
	};
	Krpc__Schema__Service s[2], *ss[2] = { &s[0], &s[1] };
	Krpc__Schema__Services all = KRPC__SCHEMA__SERVICES__INIT;
	krpc_buf_t b = KRPC_BUF_INIT;
	size_t i, j, len;

	krpc__schema__service__init(&s[0]);
	krpc__schema__service__init(&s[1]);
	s[0].name = "KRPC";
	s[0].procedures = krpc;
	s[0].n_procedures = sizeof krpc / sizeof krpc[0];
	s[1].name = "TestService";
	s[1].procedures = test;
	s[1].n_procedures = sizeof test / sizeof test[0];
	all.services = ss;
	all.n_services = 2;
	len = krpc__schema__services__get_packed_size(&all);
	krpc_buf_reserve(&b, len);
	b.len = krpc__schema__services__pack(&all, b.data);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < s[i].n_procedures; j++) {
			Krpc__Schema__Procedure *p = s[i].procedures[j];
			size_t k;

			for (k = 0; k < p->n_parameters; k++) {
				free(p->parameters[k]->type);
				free(p->parameters[k]);
			}
			free(p->parameters);
			free(p->return_type);
			free(p);
		}
	}
	return b;
}

/* Sends a Response with one result holding value (NULL: void). */
static void
respond_value(struct mock_conn *c, const void *value, size_t len)
{
	Krpc__Schema__Response r = KRPC__SCHEMA__RESPONSE__INIT;
	Krpc__Schema__ProcedureResult pr = KRPC__SCHEMA__PROCEDURE_RESULT__INIT, *prs[1] = { &pr };

	if (value != NULL) {
		pr.value.data = (uint8_t *)value;
		pr.value.len = len;
	}
	r.results = prs;
	r.n_results = 1;
	mock_send(c, &r.base);
}

/* Reads a Request and returns it unpacked. */
static Krpc__Schema__Request *
expect_request(struct mock_conn *c)
{
	const uint8_t *body;
	size_t len;

	ck_assert_int_eq(mock_recv(c, 5.0, &body, &len), 1);
	return krpc__schema__request__unpack(NULL, len, body);
}

/* Starts the proxy against the mock and serves its session setup, checking every byte. */
static void
mock_start_version(struct mock *m, const char *prefix, const char *conf, const char *version)
{
	Krpc__Schema__ConnectionResponse ok = KRPC__SCHEMA__CONNECTION_RESPONSE__INIT;
	krpc_buf_t want = KRPC_BUF_INIT, call = KRPC_BUF_INIT, svc;
	char name[64];

	memset(m, 0, sizeof *m);
	snprintf(name, sizeof name, "%s-up-rpc", prefix);
	snprintf(m->t.sim_rpc_path, sizeof m->t.sim_rpc_path, "%s", th_tmp(name));
	snprintf(name, sizeof name, "%s-up-stream", prefix);
	snprintf(m->t.sim_stream_path, sizeof m->t.sim_stream_path, "%s", th_tmp(name));
	m->lrpc = mock_listen(m->t.sim_rpc_path);
	m->lstream = mock_listen(m->t.sim_stream_path);
	ck_assert_int_eq(dt_daemon_start(&m->t, prefix, conf, NULL, false), 0);
	memcpy(m->id, MOCK_ID, 16);

	/* RPC handshake: ConnectionRequest{client_name = "krpcmuxd"}, then silence */
	ck_assert_ptr_nonnull(m->rpc = mock_accept(m->lrpc, 5.0));
	expect_bytes(m->rpc, (const uint8_t *)"\x12\x08krpcmuxd", 10, "RPC ConnectionRequest");
	ck_assert(mock_quiet(m->rpc, 0.2));
	ok.client_identifier.data = m->id;
	ok.client_identifier.len = 16;
	mock_send(m->rpc, &ok.base);

	/* stream handshake: ConnectionRequest{type = STREAM, client_identifier}, then silence */
	ck_assert_ptr_nonnull(m->stream = mock_accept(m->lstream, 5.0));
	krpc_buf_append(&want, "\x08\x01\x1a\x10", 4);
	krpc_buf_append(&want, m->id, 16);
	expect_bytes(m->stream, want.data, want.len, "stream ConnectionRequest");
	ck_assert(mock_quiet(m->stream, 0.1));
	ck_assert(mock_quiet(m->rpc, 0.1));
	mock_send(m->stream, &ok.base);

	/* then exactly one request: GetServices */
	krpc_buf_reset(&want);
	krpc_msg_call(&call, "KRPC", "GetServices", NULL, 0);
	krpc_msg_request_add(&want, call.data, call.len);
	expect_bytes(m->rpc, want.data, want.len, "GetServices request");
	svc = services();
	respond_value(m->rpc, svc.data, svc.len);

	/* then GetStatus, for the server's version */
	krpc_buf_reset(&want);
	krpc_buf_reset(&call);
	krpc_msg_call(&call, "KRPC", "GetStatus", NULL, 0);
	krpc_msg_request_add(&want, call.data, call.len);
	expect_bytes(m->rpc, want.data, want.len, "GetStatus request");
	krpc_buf_reset(&svc);
	krpc_buf_field_bytes(&svc, 1, version, strlen(version));
	respond_value(m->rpc, svc.data, svc.len);
	ck_assert(th_proc_wait_output(m->t.daemon, "krpcmuxd: listening", 5.0));
	krpc_buf_free(&svc);
	krpc_buf_free(&want);
	krpc_buf_free(&call);
}

static void
mock_start(struct mock *m, const char *prefix, const char *conf)
{
	mock_start_version(m, prefix, conf, "0.7.0");
}

static void
mock_stop(struct mock *m)
{
	dt_daemon_stop(&m->t);
	ck_assert_msg(m->rpc == NULL || !m->rpc->split, "a frame was split across writes");
	mock_close(m->rpc);
	mock_close(m->stream);
	close(m->lrpc);
	close(m->lstream);
}

/* ---- tests --------------------------------------------------------------- */

/* The session setup alone (every byte is checked in mock_start). */
START_TEST(test_mock_session)
{
	struct mock m;

	mock_start(&m, "session", NULL);
	ck_assert(mock_quiet(m.rpc, 0.3));	/* nothing else until a client asks */
	mock_stop(&m);
}
END_TEST

/* A plain request reaches the server byte for byte, and its response comes back as is. */
START_TEST(test_mock_unchanged)
{
	struct mock m;
	th_client_t *a;
	/* a valid Request with fields in unusual order: procedure before service */
	static const uint8_t req[] = "\x0a\x1c\x12\x0d" "FloatToString" "\x0a\x0b" "TestService";
	static const uint8_t resp[] = "\x12\x06\x12\x04\x03" "1.5";
	const uint8_t *body;
	size_t len;

	mock_start(&m, "unchanged", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "plain", false));
	ck_assert_int_eq(th_send_frame(a->rpc, req, sizeof req - 1), 0);
	expect_bytes(m.rpc, req, sizeof req - 1, "forwarded request");
	ck_assert_int_eq(send(m.rpc->fd, "\x08", 1, 0), 1);
	ck_assert_int_eq(send(m.rpc->fd, resp, sizeof resp - 1, 0), (ssize_t)(sizeof resp - 1));
	ck_assert_int_eq(th_recv_frame(a->rpc, 5.0, &body, &len), 1);
	ck_assert_msg(len == sizeof resp - 1 && memcmp(body, resp, len) == 0, "%s", hex(body, len));
	th_client_close(a);
	mock_stop(&m);
}
END_TEST

/* Pipelined requests of a client go upstream without waiting; answers return in order. */
START_TEST(test_mock_pipelined)
{
	struct mock m;
	th_client_t *a;
	krpc_buf_t req = KRPC_BUF_INIT, all = KRPC_BUF_INIT;
	Krpc__Schema__Request *r;
	Krpc__Schema__Response *resp;
	char v[8];
	int i;

	mock_start(&m, "pipe", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "pipe", false));
	for (i = 0; i < 3; i++) {
		krpc_buf_reset(&req);
		th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float((float)i));
		krpc_frame_append(&all, req.data, req.len);
	}
	ck_assert_int_eq(th_send_raw(a->rpc, all.data, all.len), 0);
	for (i = 0; i < 3; i++) {	/* all three arrive before any answer */
		r = expect_request(m.rpc);
		ck_assert_ptr_nonnull(r);
		ck_assert_uint_eq(r->n_calls, 1);
		ck_assert_str_eq(r->calls[0]->procedure, "FloatToString");
		krpc__schema__request__free_unpacked(r, NULL);
	}
	for (i = 0; i < 3; i++) {
		snprintf(v, sizeof v, "\x01%d", i);
		respond_value(m.rpc, v, 2);
	}
	for (i = 0; i < 3; i++) {
		resp = th_recv_response(a, 5.0);
		ck_assert_ptr_nonnull(resp);
		ck_assert_uint_eq(resp->results[0]->value.len, 2);
		ck_assert_int_eq(resp->results[0]->value.data[1], '0' + i);
		krpc__schema__response__free_unpacked(resp, NULL);
	}
	krpc_buf_free(&req);
	krpc_buf_free(&all);
	th_client_close(a);
	mock_stop(&m);
}
END_TEST

/* A v0.5.4 server cannot take pipelined requests: the proxy sends one at a time. */
START_TEST(test_mock_serial)
{
	struct mock m;
	th_client_t *a, *b;
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Request *r;
	Krpc__Schema__Response *resp;
	int i;

	mock_start_version(&m, "serial", NULL, "0.5.4");
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "a", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "b", false));
	th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float(1));
	ck_assert_int_eq(th_send_request(a, &req), 0);
	ck_assert_int_eq(th_send_request(b, &req), 0);
	ck_assert_int_eq(th_send_request(a, &req), 0);
	for (i = 0; i < 3; i++) {
		r = expect_request(m.rpc);	/* exactly one at a time */
		ck_assert_ptr_nonnull(r);
		krpc__schema__request__free_unpacked(r, NULL);
		ck_assert(mock_quiet(m.rpc, 0.15));
		respond_value(m.rpc, "\x01" "1", 2);
	}
	for (i = 0; i < 3; i++) {
		resp = th_recv_response(i == 1 ? b : a, 5.0);
		ck_assert_ptr_nonnull(resp);
		krpc__schema__response__free_unpacked(resp, NULL);
	}
	krpc_buf_free(&req);
	th_client_close(a);
	th_client_close(b);
	mock_stop(&m);
}
END_TEST

/* The Stream id a response carries (the response is freed). */
static uint64_t
stream_id_of(Krpc__Schema__Response *r)
{
	Krpc__Schema__Stream *s;
	uint64_t id;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_ptr_null(r->results[0]->error);
	s = krpc__schema__stream__unpack(NULL, r->results[0]->value.len, r->results[0]->value.data);
	ck_assert_ptr_nonnull(s);
	id = s->id;
	krpc__schema__stream__free_unpacked(s, NULL);
	krpc__schema__response__free_unpacked(r, NULL);
	return id;
}

/* Reads a one-call management request KRPC.<proc>(upstream id 7) and answers it. */
static void
expect_manage(struct mock *m, const char *procname)
{
	krpc_buf_t want = KRPC_BUF_INIT, call = KRPC_BUF_INIT;
	krpc_msg_arg_t arg = { 0, (const uint8_t *)"\x07", 1, false };

	krpc_msg_call(&call, "KRPC", procname, &arg, 1);
	krpc_msg_request_add(&want, call.data, call.len);
	expect_bytes(m->rpc, want.data, want.len, procname);
	respond_value(m->rpc, NULL, 0);
	krpc_buf_free(&want);
	krpc_buf_free(&call);
}

/* Two subscribers: AddStream and StartStream go upstream once, RemoveStream after the last. */
START_TEST(test_mock_addstream_once)
{
	struct mock m;
	th_client_t *a, *b;
	krpc_buf_t call = KRPC_BUF_INIT, req = KRPC_BUF_INIT, want = KRPC_BUF_INIT;
	krpc_value_t *cv;
	krpc_msg_arg_t args[2];
	const uint8_t *cb;
	size_t cl;
	uint64_t ia, ib;
	Krpc__Schema__StreamUpdate up = KRPC__SCHEMA__STREAM_UPDATE__INIT;
	Krpc__Schema__StreamResult sr = KRPC__SCHEMA__STREAM_RESULT__INIT, *srs[1] = { &sr };
	Krpc__Schema__ProcedureResult pr = KRPC__SCHEMA__PROCEDURE_RESULT__INIT;
	Krpc__Schema__StreamUpdate *u;
	th_client_t *who[2];
	uint64_t ids[2];
	int i;

	mock_start(&m, "once", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "first", true));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "second", true));
	cv = th_proc_call("TestService", "FloatToString", 1, krpc_value_float(1));
	cb = krpc_value_data(cv, &cl);
	th_request_add(&req, "KRPC", "AddStream", 2, krpc_value_clone(cv), krpc_value_bool(true));
	ck_assert_int_eq(th_send_request(a, &req), 0);
	/* upstream: AddStream(the same call bytes, start = false), exactly */
	args[0] = (krpc_msg_arg_t){ 0, cb, cl, false };
	args[1] = (krpc_msg_arg_t){ 1, (const uint8_t *)"\x00", 1, false };
	krpc_msg_call(&call, "KRPC", "AddStream", args, 2);
	krpc_msg_request_add(&want, call.data, call.len);
	expect_bytes(m.rpc, want.data, want.len, "AddStream");
	respond_value(m.rpc, "\x08\x07", 2);	/* Stream{id = 7} */
	ia = stream_id_of(th_recv_response(a, 5.0));
	expect_manage(&m, "StartStream");
	/* the second subscriber costs the server nothing */
	ib = th_add_stream(b, krpc_value_clone(cv), true);
	ck_assert(ib != UINT64_MAX && ib != ia);
	ck_assert(mock_quiet(m.rpc, 0.3));
	/* one upstream update reaches both, each under its own id */
	pr.value.data = (uint8_t *)"\x01" "1";
	pr.value.len = 2;
	sr.id = 7;
	sr.result = &pr;
	up.results = srs;
	up.n_results = 1;
	mock_send(m.stream, &up.base);
	who[0] = a;
	who[1] = b;
	ids[0] = ia;
	ids[1] = ib;
	for (i = 0; i < 2; i++) {
		u = th_recv_update(who[i], 5.0);
		ck_assert_ptr_nonnull(u);
		ck_assert_uint_eq(u->n_results, 1);
		ck_assert_uint_eq(u->results[0]->id, ids[i]);
		ck_assert(u->results[0]->result->value.len == 2 &&
		    memcmp(u->results[0]->result->value.data, "\x01" "1", 2) == 0);
		krpc__schema__stream_update__free_unpacked(u, NULL);
	}
	/* an update for an id the proxy does not know is ignored */
	sr.id = 99;
	mock_send(m.stream, &up.base);
	ck_assert(dt_no_update(a, ia, 0.2));
	/* removal: nothing upstream for the first, RemoveStream(7) for the last */
	ck_assert(dt_remove_stream(a, ia));
	ck_assert(mock_quiet(m.rpc, 0.3));
	ck_assert(dt_remove_stream(b, ib));
	expect_manage(&m, "RemoveStream");
	krpc_value_free(cv);
	krpc_buf_free(&call);
	krpc_buf_free(&req);
	krpc_buf_free(&want);
	th_client_close(a);
	th_client_close(b);
	mock_stop(&m);
}
END_TEST

/* The server goes away mid-request: the client gets a request-level error; the proxy reconnects. */
START_TEST(test_mock_loss)
{
	struct mock m;
	th_client_t *a;
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Request *r;
	Krpc__Schema__Response *resp;
	Krpc__Schema__ConnectionResponse ok = KRPC__SCHEMA__CONNECTION_RESPONSE__INIT;
	struct mock_conn *again;

	mock_start(&m, "loss", "upstream = { slow_lanes = 0; retry_min = 0.05; retry_max = 0.1; };\n");
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "stranded", false));
	th_request_add(&req, "TestService", "BlockingProcedure", 1, krpc_value_sint32(100));
	ck_assert_int_eq(th_send_request(a, &req), 0);
	r = expect_request(m.rpc);	/* slow_lanes = 0: on the primary connection */
	ck_assert_str_eq(r->calls[0]->procedure, "BlockingProcedure");
	krpc__schema__request__free_unpacked(r, NULL);
	mock_close(m.rpc);
	m.rpc = NULL;
	resp = th_recv_response(a, 5.0);
	ck_assert_ptr_nonnull(resp);
	ck_assert_ptr_nonnull(resp->error);
	ck_assert_msg(strstr(resp->error->description,
	    "krpcmuxd: lost the connection to the game's kRPC server") != NULL, "%s",
	    resp->error->description);
	krpc__schema__response__free_unpacked(resp, NULL);
	ck_assert(th_wait_closed(a->rpc, 5.0));
	th_client_close(a);
	/* it comes back: a new handshake, as the first time */
	ck_assert_ptr_nonnull(again = mock_accept(m.lrpc, 5.0));
	expect_bytes(again, (const uint8_t *)"\x12\x08krpcmuxd", 10, "second RPC ConnectionRequest");
	ok.client_identifier.data = m.id;
	ok.client_identifier.len = 16;
	mock_send(again, &ok.base);
	m.rpc = again;
	mock_close(m.stream);
	ck_assert_ptr_nonnull(m.stream = mock_accept(m.lstream, 5.0));
	krpc_buf_free(&req);
	mock_stop(&m);
}
END_TEST

/* Expects exactly KRPC.<proc>() with no arguments and answers it. */
static void
expect_plain(struct mock *m, const char *procname)
{
	krpc_buf_t want = KRPC_BUF_INIT, call = KRPC_BUF_INIT;

	krpc_msg_call(&call, "KRPC", procname, NULL, 0);
	krpc_msg_request_add(&want, call.data, call.len);
	expect_bytes(m->rpc, want.data, want.len, procname);
	respond_value(m->rpc, NULL, 0);
	krpc_buf_free(&want);
	krpc_buf_free(&call);
}

/* Tick holding (PROTOCOL.md 12.17): one downstream holder; its release or exit releases upstream. */
START_TEST(test_mock_tick)
{
	struct mock m;
	th_client_t *a, *b;
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	char *e, *svc, *name;

	mock_start(&m, "tick", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "holder", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "other", false));
	th_request_add(&req, "KRPC", "HoldTick", 0);
	ck_assert_int_eq(th_send_request(a, &req), 0);
	expect_plain(&m, "HoldTick");
	r = th_recv_response(a, 5.0);
	ck_assert(r != NULL && r->error == NULL && r->results[0]->error == NULL);
	krpc__schema__response__free_unpacked(r, NULL);
	/* another client is refused by the proxy itself */
	e = th_call_error(b, &svc, &name, "KRPC", "HoldTick", 0);
	ck_assert_str_eq(e, "Another client is holding the tick");
	ck_assert_str_eq(svc, "KRPC");
	ck_assert_str_eq(name, "InvalidOperationException");
	free(e);
	free(svc);
	free(name);
	/* a non-holder's release does nothing */
	ck_assert_ptr_null(th_call_error(b, NULL, NULL, "KRPC", "ReleaseTick", 0));
	ck_assert(mock_quiet(m.rpc, 0.2));
	/* the holder's release goes upstream */
	krpc_buf_reset(&req);
	th_request_add(&req, "KRPC", "ReleaseTick", 0);
	ck_assert_int_eq(th_send_request(a, &req), 0);
	expect_plain(&m, "ReleaseTick");
	krpc__schema__response__free_unpacked(th_recv_response(a, 5.0), NULL);
	/* hold again, then leave: the proxy releases on the holder's behalf */
	krpc_buf_reset(&req);
	th_request_add(&req, "KRPC", "HoldTick", 0);
	ck_assert_int_eq(th_send_request(b, &req), 0);
	expect_plain(&m, "HoldTick");
	krpc__schema__response__free_unpacked(th_recv_response(b, 5.0), NULL);
	th_client_close(b);
	expect_plain(&m, "ReleaseTick");
	krpc_buf_free(&req);
	th_client_close(a);
	mock_stop(&m);
}
END_TEST

static Suite *
mock_suite(void)
{
	Suite *s = suite_create("krpcmuxd against a mock server");
	TCase *tc = tcase_create("mock");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_mock_session);
	tcase_add_test(tc, test_mock_unchanged);
	tcase_add_test(tc, test_mock_pipelined);
	tcase_add_test(tc, test_mock_serial);
	tcase_add_test(tc, test_mock_addstream_once);
	tcase_add_test(tc, test_mock_loss);
	tcase_add_test(tc, test_mock_tick);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(mock_suite());
}
