/*
 * A mock kRPC server for the krpcmuxd tests (see mocktest.h): its plumbing,
 * the services it lists, and the exact requests it expects from the proxy.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mocktest.h"

static const uint8_t MOCK_ID[16] = "0123456789abcdef";

/* ---- plumbing ---------------------------------------------------------- */

/* Listens on a Unix socket path. */
int
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

/* Accepts one connection within timeout. */
struct mock_conn *
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

/* Closes a connection. */
void
mock_close(struct mock_conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	krpc_framer_free(c->fr);
	free(c);
}

/* The next frame within timeout: 1, 0 on timeout, -1 when closed. */
int
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
bool
mock_quiet(struct mock_conn *c, double seconds)
{
	const uint8_t *body;
	size_t len;

	return mock_recv(c, seconds, &body, &len) == 0;
}

/* Sends a message as one frame. */
void
mock_send(struct mock_conn *c, const ProtobufCMessage *m)
{
	krpc_buf_t b = KRPC_BUF_INIT;

	krpc_frame_pack(&b, m);
	ck_assert(krpc_buf_ok(&b));
	ck_assert_int_eq(send(c->fd, b.data, b.len, MSG_NOSIGNAL), (ssize_t)b.len);
	krpc_buf_free(&b);
}

/* Hex of bytes (static, for messages). */
const char *
mock_hex(const uint8_t *p, size_t len)
{
	static char out[4096];
	size_t i;

	for (i = 0; i < len && i < 2000; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * i] = '\0';
	return out;
}

/* Reads a frame and asserts it equals want. */
void
mock_expect_bytes(struct mock_conn *c, const uint8_t *want, size_t wantlen, const char *what)
{
	const uint8_t *body;
	size_t len;

	ck_assert_msg(mock_recv(c, 5.0, &body, &len) == 1, "no %s", what);
	ck_assert_msg(len == wantlen && memcmp(body, want, len) == 0, "%s: got %s", what,
	    mock_hex(body, len));
}

/* ---- the services the mock offers -------------------------------------- */

/* A type of a code. */
static Krpc__Schema__Type *
type(int code)
{
	Krpc__Schema__Type *t = calloc(1, sizeof *t);

	krpc__schema__type__init(t);
	t->code = (Krpc__Schema__Type__TypeCode)code;
	return t;
}

/* A parameter, with a default value if def is not NULL. */
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

/* A nullable parameter whose default is null (PROTOCOL.md 4.3). */
static Krpc__Schema__Parameter *
param_null(const char *name, int code)
{
	Krpc__Schema__Parameter *p = param(name, code, NULL, 0);

	p->has_default_value = true;
	p->default_value_is_null = true;
	p->nullable = true;
	return p;
}

/* A procedure with n parameters (varargs) returning ret (0: void). */
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
mock_services(void)
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
		proc("OptionalArguments", KRPC_TYPE_STRING, 3, param("x", KRPC_TYPE_STRING, NULL, 0),
		    param("y", KRPC_TYPE_STRING, "\x03" "foo", 4), param_null("obj", KRPC_TYPE_CLASS)),
		proc("BlockingProcedure", KRPC_TYPE_SINT32, 1, param("n", KRPC_TYPE_SINT32, NULL, 0)),
		proc("OnTimer", KRPC_TYPE_EVENT, 1, param("ms", KRPC_TYPE_UINT32, NULL, 0)),
		proc("StreamOf", KRPC_TYPE_STREAM, 1, param("x", KRPC_TYPE_SINT32, NULL, 0)),
	};
	/* What the ledger's part rules need (ResourceTransfer has no Remove here). */
	Krpc__Schema__Procedure *sc[] = {
		proc("Part_AddForce", KRPC_TYPE_CLASS, 4, param("this", KRPC_TYPE_CLASS, NULL, 0),
		    param("force", KRPC_TYPE_TUPLE, NULL, 0), param("position", KRPC_TYPE_TUPLE, NULL, 0),
		    param("referenceFrame", KRPC_TYPE_CLASS, NULL, 0)),
		proc("Part_set_Highlighted", 0, 2, param("this", KRPC_TYPE_CLASS, NULL, 0),
		    param("value", KRPC_TYPE_BOOL, NULL, 0)),
		proc("Force_Remove", 0, 1, param("this", KRPC_TYPE_CLASS, NULL, 0)),
		proc("RCS_set_InputOverride", 0, 2, param("this", KRPC_TYPE_CLASS, NULL, 0),
		    param("value", KRPC_TYPE_BOOL, NULL, 0)),
		proc("RCS_set_RotationOverride", 0, 2, param("this", KRPC_TYPE_CLASS, NULL, 0),
		    param("value", KRPC_TYPE_TUPLE, NULL, 0)),
		proc("Orbit_static_CreateFromPositionAndVelocity", KRPC_TYPE_CLASS, 1,
		    param("body", KRPC_TYPE_CLASS, NULL, 0)),
		proc("Orbit_Remove", 0, 1, param("this", KRPC_TYPE_CLASS, NULL, 0)),
		proc("ResourceTransfer_static_Start", KRPC_TYPE_CLASS, 1,
		    param("fromPart", KRPC_TYPE_CLASS, NULL, 0)),
	};
	Krpc__Schema__Service s[3], *ss[3] = { &s[0], &s[1], &s[2] };
	Krpc__Schema__Services all = KRPC__SCHEMA__SERVICES__INIT;
	krpc_buf_t b = KRPC_BUF_INIT;
	size_t i, j, len;

	krpc__schema__service__init(&s[0]);
	krpc__schema__service__init(&s[1]);
	krpc__schema__service__init(&s[2]);
	s[0].name = "KRPC";
	s[0].procedures = krpc;
	s[0].n_procedures = sizeof krpc / sizeof krpc[0];
	s[1].name = "TestService";
	s[1].procedures = test;
	s[1].n_procedures = sizeof test / sizeof test[0];
	s[2].name = "SpaceCenter";
	s[2].procedures = sc;
	s[2].n_procedures = sizeof sc / sizeof sc[0];
	all.services = ss;
	all.n_services = 3;
	len = krpc__schema__services__get_packed_size(&all);
	krpc_buf_reserve(&b, len);
	b.len = krpc__schema__services__pack(&all, b.data);
	for (i = 0; i < 3; i++) {
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

/* Reads a one-call request upstream and asserts its procedure. */
void
mock_expect_call(struct mock_conn *c, const char *procedure)
{
	Krpc__Schema__Request *r = mock_expect_request(c);

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->n_calls, 1);
	ck_assert_str_eq(r->calls[0]->procedure, procedure);
	krpc__schema__request__free_unpacked(r, NULL);
}

/* Sends a Response with one result holding value (NULL: void). */
void
mock_respond_value(struct mock_conn *c, const void *value, size_t len)
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
Krpc__Schema__Request *
mock_expect_request(struct mock_conn *c)
{
	const uint8_t *body;
	size_t len;

	ck_assert_int_eq(mock_recv(c, 5.0, &body, &len), 1);
	return krpc__schema__request__unpack(NULL, len, body);
}

/* Opens the mock's listening sockets (prefix-up-rpc, prefix-up-stream). */
void
mock_listen_pair(struct mock *m, const char *prefix)
{
	char name[64];

	memset(m, 0, sizeof *m);
	snprintf(name, sizeof name, "%s-up-rpc", prefix);
	snprintf(m->t.sim_rpc_path, sizeof m->t.sim_rpc_path, "%s", th_tmp(name));
	snprintf(name, sizeof name, "%s-up-stream", prefix);
	snprintf(m->t.sim_stream_path, sizeof m->t.sim_stream_path, "%s", th_tmp(name));
	m->lrpc = mock_listen(m->t.sim_rpc_path);
	m->lstream = mock_listen(m->t.sim_stream_path);
	memcpy(m->id, MOCK_ID, 16);
}

/* Expects a one-call request KRPC.<proc>() and answers it with value. */
static void
mock_answer_plain(struct mock_conn *c, const char *proc, const void *value, size_t len)
{
	krpc_buf_t want = KRPC_BUF_INIT, call = KRPC_BUF_INIT;

	krpc_msg_call(&call, "KRPC", proc, NULL, 0);
	krpc_msg_request_add(&want, call.data, call.len);
	mock_expect_bytes(c, want.data, want.len, proc);
	mock_respond_value(c, value, len);
	krpc_buf_free(&want);
	krpc_buf_free(&call);
}

/* Serves one session setup of the proxy, checking every byte it sends. */
void
mock_serve_session(struct mock *m, const char *version)
{
	Krpc__Schema__ConnectionResponse ok = KRPC__SCHEMA__CONNECTION_RESPONSE__INIT;
	static const uint8_t stream_id[16] = "streamSTREAMstrm";
	krpc_buf_t want = KRPC_BUF_INIT, svc;

	/* RPC handshake: ConnectionRequest{client_name = "krpcmuxd"}, then silence */
	ck_assert_ptr_nonnull(m->rpc = mock_accept(m->lrpc, 5.0));
	mock_expect_bytes(m->rpc, (const uint8_t *)"\x12\x08krpcmuxd", 10, "RPC ConnectionRequest");
	ck_assert(mock_quiet(m->rpc, 0.2));
	ok.client_identifier.data = m->id;
	ok.client_identifier.len = 16;
	mock_send(m->rpc, &ok.base);

	/* stream handshake: ConnectionRequest{type = STREAM, client_identifier}, then silence */
	ck_assert_ptr_nonnull(m->stream = mock_accept(m->lstream, 5.0));
	krpc_buf_append(&want, "\x08\x01\x1a\x10", 4);
	krpc_buf_append(&want, m->id, 16);
	mock_expect_bytes(m->stream, want.data, want.len, "stream ConnectionRequest");
	ck_assert(mock_quiet(m->stream, 0.1));
	ck_assert(mock_quiet(m->rpc, 0.1));
	/* as the real server does: the stream connection's own identifier, not an echo */
	ok.client_identifier.data = (uint8_t *)stream_id;
	mock_send(m->stream, &ok.base);

	/* then exactly one request, GetServices, then GetStatus for the server's version */
	svc = mock_services();
	mock_answer_plain(m->rpc, "GetServices", svc.data, svc.len);
	krpc_buf_reset(&svc);
	krpc_buf_field_bytes(&svc, 1, version, strlen(version));
	mock_answer_plain(m->rpc, "GetStatus", svc.data, svc.len);
	krpc_buf_free(&svc);
	krpc_buf_free(&want);
}

/* Starts the proxy against the mock and serves its session setup, checking every byte. */
void
mock_start_version(struct mock *m, const char *prefix, const char *conf, const char *version)
{
	mock_listen_pair(m, prefix);
	ck_assert_int_eq(dt_daemon_start(&m->t, prefix, conf, NULL, false), 0);
	mock_serve_session(m, version);
	ck_assert(th_proc_wait_output(m->t.daemon, "krpcmuxd: listening", 5.0));
}

/* Starts the proxy against a v0.7.0 mock. */
void
mock_start(struct mock *m, const char *prefix, const char *conf)
{
	mock_start_version(m, prefix, conf, "0.7.0");
}

/* Stops the proxy and closes the mock. */
void
mock_stop(struct mock *m)
{
	dt_daemon_stop(&m->t);
	ck_assert_msg(m->rpc == NULL || !m->rpc->split, "a frame was split across writes");
	mock_close(m->rpc);
	mock_close(m->stream);
	close(m->lrpc);
	close(m->lstream);
}


/* ---- responses and updates ----------------------------------------------- */

/* Expects a Request of n FloatToString calls upstream. */
void
mock_expect_floats(struct mock *m, size_t n)
{
	Krpc__Schema__Request *r = mock_expect_request(m->rpc);
	size_t i;

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->n_calls, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(r->calls[i]->procedure, "FloatToString");
	krpc__schema__request__free_unpacked(r, NULL);
}

/* Answers a Request of n calls with the texts "0", "1", ... from first. */
void
mock_respond_floats(struct mock *m, int first, size_t n)
{
	Krpc__Schema__Response resp = KRPC__SCHEMA__RESPONSE__INIT;
	Krpc__Schema__ProcedureResult res[8], *rp[8];
	char v[8][4];
	size_t i;

	for (i = 0; i < n; i++) {
		krpc__schema__procedure_result__init(&res[i]);
		snprintf(v[i], sizeof v[i], "\x01%d", first + (int)i);
		res[i].value.data = (uint8_t *)v[i];
		res[i].value.len = 2;
		rp[i] = &res[i];
	}
	resp.n_results = n;
	resp.results = rp;
	mock_send(m->rpc, &resp.base);
}

/* Sends a Response with a request-level error. */
void
mock_respond_error(struct mock_conn *c, const char *service, const char *name,
    const char *description)
{
	Krpc__Schema__Response r = KRPC__SCHEMA__RESPONSE__INIT;
	Krpc__Schema__Error e = KRPC__SCHEMA__ERROR__INIT;

	e.service = (char *)service;
	e.name = (char *)name;
	e.description = (char *)description;
	r.error = &e;
	mock_send(c, &r.base);
}

/* Sends a Response with one result holding a call-level error. */
void
mock_respond_call_error(struct mock_conn *c, const char *service, const char *name,
    const char *description)
{
	Krpc__Schema__Response r = KRPC__SCHEMA__RESPONSE__INIT;
	Krpc__Schema__ProcedureResult pr = KRPC__SCHEMA__PROCEDURE_RESULT__INIT, *prs[1] = { &pr };
	Krpc__Schema__Error e = KRPC__SCHEMA__ERROR__INIT;

	e.service = (char *)service;
	e.name = (char *)name;
	e.description = (char *)description;
	pr.error = &e;
	r.results = prs;
	r.n_results = 1;
	mock_send(c, &r.base);
}

/* Sends one StreamUpdate: n times (uint64_t upstream id, const char *value, size_t len). */
void
mock_update(struct mock_conn *c, size_t n, ...)
{
	Krpc__Schema__StreamUpdate up = KRPC__SCHEMA__STREAM_UPDATE__INIT;
	Krpc__Schema__StreamResult sr[8], *srs[8];
	Krpc__Schema__ProcedureResult pr[8];
	va_list ap;
	size_t i;

	ck_assert_uint_le(n, 8);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		krpc__schema__stream_result__init(&sr[i]);
		krpc__schema__procedure_result__init(&pr[i]);
		sr[i].id = va_arg(ap, uint64_t);
		pr[i].value.data = (uint8_t *)va_arg(ap, const char *);
		pr[i].value.len = va_arg(ap, size_t);
		sr[i].result = &pr[i];
		srs[i] = &sr[i];
	}
	va_end(ap);
	up.results = srs;
	up.n_results = n;
	mock_send(c, &up.base);
}

/* Serves the RPC handshake of a slow lane the proxy opens. */
struct mock_conn *
mock_accept_lane(struct mock *m)
{
	Krpc__Schema__ConnectionResponse ok = KRPC__SCHEMA__CONNECTION_RESPONSE__INIT;
	static const uint8_t lane_id[16] = "laneLANElaneLANE";
	struct mock_conn *c = mock_accept(m->lrpc, 5.0);

	ck_assert_ptr_nonnull(c);
	mock_expect_bytes(c, (const uint8_t *)"\x12\x08krpcmuxd", 10, "slow lane ConnectionRequest");
	ck_assert(mock_quiet(c, 0.1));
	ok.client_identifier.data = (uint8_t *)lane_id;
	ok.client_identifier.len = 16;
	mock_send(c, &ok.base);
	return c;
}

/* ---- what the proxy sends ------------------------------------------------- */

/* The Stream id a one-call response carries (the response is freed). */
uint64_t
mock_stream_id_of(Krpc__Schema__Response *r)
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

/* The stream id inside the Event a one-call response carries (freed). */
uint64_t
mock_event_id_of(Krpc__Schema__Response *r)
{
	Krpc__Schema__Event *e;
	uint64_t id;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_ptr_null(r->results[0]->error);
	e = krpc__schema__event__unpack(NULL, r->results[0]->value.len, r->results[0]->value.data);
	ck_assert_ptr_nonnull(e);
	id = e->stream != NULL ? e->stream->id : 0;
	krpc__schema__event__free_unpacked(e, NULL);
	krpc__schema__response__free_unpacked(r, NULL);
	return id;
}

/* Expects a one-call request KRPC.<proc>(args) exactly and answers it (void). */
static void
mock_expect_krpc(struct mock *m, const char *proc, const krpc_msg_arg_t *args, size_t nargs)
{
	krpc_buf_t want = KRPC_BUF_INIT, call = KRPC_BUF_INIT;

	krpc_msg_call(&call, "KRPC", proc, args, nargs);
	krpc_msg_request_add(&want, call.data, call.len);
	mock_expect_bytes(m->rpc, want.data, want.len, proc);
	mock_respond_value(m->rpc, NULL, 0);
	krpc_buf_free(&want);
	krpc_buf_free(&call);
}

/* Expects exactly KRPC.<proc>(upid) and answers it. */
void
mock_expect_manage(struct mock *m, const char *proc, uint64_t upid)
{
	uint8_t idv[KRPC_VARINT64_MAX];
	krpc_msg_arg_t arg = { 0, idv, krpc_varint_put(idv, upid), false };

	mock_expect_krpc(m, proc, &arg, 1);
}

/* Expects exactly KRPC.SetStreamRate(upid, rate) and answers it. */
void
mock_expect_rate(struct mock *m, uint64_t upid, float rate)
{
	uint8_t idv[KRPC_VARINT64_MAX], ratev[4];
	krpc_msg_arg_t args[2] = {
		{ 0, idv, krpc_varint_put(idv, upid), false },
		{ 1, ratev, 4, false },
	};
	uint32_t bits;

	memcpy(&bits, &rate, 4);
	krpc_put_le32(ratev, bits);
	mock_expect_krpc(m, "SetStreamRate", args, 2);
}

/* Expects exactly KRPC.<proc>() and answers it. */
void
mock_expect_plain(struct mock *m, const char *proc)
{
	mock_expect_krpc(m, proc, NULL, 0);
}

/* Expects KRPC.AddStream(call, start = false) exactly and answers Stream{upid}. */
void
mock_expect_add(struct mock *m, const uint8_t *call, size_t calllen, uint64_t upid)
{
	krpc_buf_t want = KRPC_BUF_INIT, req = KRPC_BUF_INIT, v = KRPC_BUF_INIT;
	krpc_msg_arg_t args[2] = {
		{ 0, call, calllen, false },
		{ 1, (const uint8_t *)"\x00", 1, false },
	};

	krpc_msg_call(&want, "KRPC", "AddStream", args, 2);
	krpc_msg_request_add(&req, want.data, want.len);
	mock_expect_bytes(m->rpc, req.data, req.len, "AddStream");
	if (upid != 0)
		krpc_buf_field_varint(&v, 1, upid);
	mock_respond_value(m->rpc, v.len > 0 ? v.data : (const uint8_t *)"", v.len);
	krpc_buf_free(&want);
	krpc_buf_free(&req);
	krpc_buf_free(&v);
}
