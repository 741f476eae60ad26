/*
 * krpc-sim under random input: handshakes, frames and Requests made from a
 * seeded generator (the same bytes on every run) over real sockets.  The
 * server must answer every well-formed Request, close (never crash on)
 * malformed ones, and keep serving another client throughout.
 */
#include <sys/wait.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simtest.h"

#define FUZZ_CONNS	40	/* connections of each kind */
#define FUZZ_PIPELINE	20	/* random Requests per well-formed connection */
#define FUZZ_NAMES_MAX	512

static struct simtest sim;
static uint64_t fuzz_state;

/* Every procedure krpc-sim offers that answers within one update, by service. */
static struct {
	char	service[32];
	char	procedure[64];
} fuzz_names[FUZZ_NAMES_MAX];
static size_t fuzz_nnames;

/* The next number of the generator (xorshift64). */
static uint64_t
fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return fuzz_state;
}

/* A number below n. */
static size_t
fuzz_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(fuzz_next() % n);
}

/* len random bytes into p. */
static void
fuzz_bytes(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)fuzz_next();
}

/* True for procedures that yield (they would hold back the pipelined Requests) or loop. */
static bool
fuzz_excluded(const char *service, const char *procedure)
{
	static const char *const slow[] = { "BlockingProcedure", "WarpTo", "set_ActiveVessel",
	    "Control_ActivateNextStage", "Call" };
	size_t i;

	for (i = 0; i < sizeof slow / sizeof slow[0]; i++) {
		if (strcmp(procedure, slow[i]) == 0 && (strcmp(procedure, "Call") != 0 ||
		    strcmp(service, "Benchmark") == 0))
			return true;
	}
	return false;
}

/* Reads the procedure names from GetServices. */
static void
fuzz_load_names(th_client_t *c)
{
	krpc_value_t *v = th_call_value(c, "services", "KRPC", "GetServices", 0);
	Krpc__Schema__Services *all;
	const uint8_t *data;
	size_t len, i, j;

	ck_assert_ptr_nonnull(v);
	data = krpc_value_data(v, &len);
	ck_assert_ptr_nonnull(all = krpc__schema__services__unpack(NULL, len, data));
	krpc_value_free(v);
	for (i = 0; i < all->n_services; i++) {
		for (j = 0; j < all->services[i]->n_procedures && fuzz_nnames < FUZZ_NAMES_MAX; j++) {
			const char *svc = all->services[i]->name, *proc = all->services[i]->procedures[j]->name;

			if (fuzz_excluded(svc, proc))
				continue;
			snprintf(fuzz_names[fuzz_nnames].service, sizeof fuzz_names[0].service, "%s", svc);
			snprintf(fuzz_names[fuzz_nnames].procedure, sizeof fuzz_names[0].procedure, "%s",
			    proc);
			fuzz_nnames++;
		}
	}
	krpc__schema__services__free_unpacked(all, NULL);
	ck_assert_uint_gt(fuzz_nnames, 100);
}

/* Fills a ProcedureCall with a known or made-up procedure and random arguments. */
static void
fuzz_call(Krpc__Schema__ProcedureCall *pc, Krpc__Schema__Argument *args,
    Krpc__Schema__Argument **argp, uint8_t (*vals)[12])
{
	static const uint32_t ids[] = { 0, 0, 0, 1, 2, 9998, 9999, 77 };
	size_t k = fuzz_below(fuzz_nnames), i;

	krpc__schema__procedure_call__init(pc);
	pc->service = fuzz_names[k].service;
	pc->procedure = fuzz_names[k].procedure;
	if (fuzz_below(8) == 0)
		pc->procedure = (char *)"NoSuchProcedure";
	if (fuzz_below(10) == 0) {
		pc->service_id = ids[fuzz_below(sizeof ids / sizeof ids[0])];
		pc->procedure_id = (uint32_t)fuzz_below(100);
	}
	pc->n_arguments = fuzz_below(5);
	pc->arguments = argp;
	for (i = 0; i < pc->n_arguments; i++) {
		krpc__schema__argument__init(&args[i]);
		args[i].position = (uint32_t)fuzz_below(6);
		args[i].is_null = fuzz_below(6) == 0;
		args[i].value.len = fuzz_below(13);
		args[i].value.data = vals[i];
		fuzz_bytes(vals[i], args[i].value.len);
		if (args[i].value.len > 0 && fuzz_below(2) == 0)
			vals[i][0] = (uint8_t)(args[i].value.len - 1);	/* a plausible string length */
		argp[i] = &args[i];
	}
}

/* Appends one framed Request of one to three random calls. */
static void
fuzz_request(krpc_buf_t *out)
{
	Krpc__Schema__Request req = KRPC__SCHEMA__REQUEST__INIT;
	Krpc__Schema__ProcedureCall pcs[3], *pcp[3];
	Krpc__Schema__Argument args[3][4], *argp[3][4];
	uint8_t vals[3][4][12];
	size_t i;

	req.n_calls = 1 + fuzz_below(3);
	req.calls = pcp;
	for (i = 0; i < req.n_calls; i++) {
		fuzz_call(&pcs[i], args[i], argp[i], vals[i]);
		pcp[i] = &pcs[i];
	}
	krpc_frame_pack(out, &req.base);
}

/* A client on the fuzzed server, asserted. */
static th_client_t *
client(const char *name, bool stream)
{
	th_client_t *c = simtest_client(&sim, name, stream);

	ck_assert_msg(c != NULL, "cannot connect to krpc-sim");
	return c;
}

/* Asserts the server still answers a well-behaved client. */
static void
fuzz_alive(th_client_t *control)
{
	krpc_value_t *v = th_call_value(control, "bytes", "KRPC", "GetClientID", 0);

	ck_assert_msg(v != NULL, "krpc-sim stopped answering");
	krpc_value_free(v);
}

/* Well-formed Requests of random calls, pipelined: every one is answered, in order. */
START_TEST(test_fuzz_requests)
{
	th_client_t *control = client("fuzz-control", true), *c;
	krpc_buf_t b = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;
	int i, j;

	fuzz_state = 0x9e3779b97f4a7c15ull;
	fuzz_load_names(control);
	for (i = 0; i < FUZZ_CONNS; i++) {
		c = client("fuzz-requests", i % 2 == 0);
		krpc_buf_reset(&b);
		for (j = 0; j < FUZZ_PIPELINE; j++)
			fuzz_request(&b);
		ck_assert(krpc_buf_ok(&b));
		ck_assert_int_eq(th_send_raw(c->rpc, b.data, b.len), 0);
		for (j = 0; j < FUZZ_PIPELINE; j++) {
			r = th_recv_response(c, 10.0);
			ck_assert_msg(r != NULL, "connection %d: no response to request %d", i, j);
			krpc__schema__response__free_unpacked(r, NULL);
		}
		fuzz_alive(c);
		th_client_close(c);
		if (i % 10 == 9)
			fuzz_alive(control);
	}
	krpc_buf_free(&b);
	th_client_close(control);
}
END_TEST

/* Random bytes after a good handshake: frames with random bodies, bad prefixes, garbage. */
START_TEST(test_fuzz_frames)
{
	th_client_t *control = client("fuzz-control2", false), *c;
	uint8_t body[256];
	krpc_buf_t b = KRPC_BUF_INIT;
	const uint8_t *reply;
	size_t len;
	int i;

	fuzz_state = 0x243f6a8885a308d3ull;
	for (i = 0; i < FUZZ_CONNS; i++) {
		c = client("fuzz-frames", i % 3 == 0);
		krpc_buf_reset(&b);
		len = fuzz_below(sizeof body);
		fuzz_bytes(body, len);
		switch (i % 3) {
		case 0: krpc_frame_append(&b, body, len); break;		/* random body */
		case 1: krpc_buf_append(&b, body, len); break;		/* raw garbage */
		default:
			memset(body, 0xff, 6);					/* bad prefix */
			krpc_buf_append(&b, body, 6 + fuzz_below(4));
			break;
		}
		ck_assert_int_eq(th_send_raw(c->rpc, b.data, b.len), 0);
		/* a response, a request-level error, or the connection closed: never a hang up */
		while (th_recv_frame(c->rpc, 0.05, &reply, &len) == 1)
			;
		th_client_close(c);
		if (i % 10 == 9)
			fuzz_alive(control);
	}
	fuzz_alive(control);
	krpc_buf_free(&b);
	th_client_close(control);
}
END_TEST

/* Random ConnectionRequests on both ports; the control client is served meanwhile. */
START_TEST(test_fuzz_handshakes)
{
	th_client_t *control = client("fuzz-control3", false);
	uint8_t body[64];
	krpc_buf_t b = KRPC_BUF_INIT;
	const uint8_t *reply;
	th_conn_t *conn;
	size_t len;
	int i;

	fuzz_state = 0x13198a2e03707344ull;
	for (i = 0; i < FUZZ_CONNS; i++) {
		conn = th_connect_tcp(i % 2 == 0 ? sim.rpc_port : sim.stream_port);
		ck_assert_ptr_nonnull(conn);
		krpc_buf_reset(&b);
		len = fuzz_below(sizeof body);
		fuzz_bytes(body, len);
		if (i % 4 < 2)
			krpc_frame_append(&b, body, len);
		else
			krpc_buf_append(&b, body, len);
		if (b.len > 0)
			ck_assert_int_eq(th_send_raw(conn, b.data, b.len), 0);
		(void)th_recv_frame(conn, 0.05, &reply, &len);
		th_conn_close(conn);
		if (i % 10 == 9)
			fuzz_alive(control);
	}
	fuzz_alive(control);
	krpc_buf_free(&b);
	th_client_close(control);
}
END_TEST

static Suite *
fuzz_suite(void)
{
	Suite *s = suite_create("krpc-sim fuzz");
	TCase *tc = tcase_create("fuzz");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fuzz_requests);
	tcase_add_test(tc, test_fuzz_frames);
	tcase_add_test(tc, test_fuzz_handshakes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed, status;

	if (simtest_start(&sim, NULL, NULL) != 0) {
		th_cleanup();
		return 1;
	}
	sr = srunner_create(fuzz_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* the server survived all of it and exits cleanly on SIGTERM (sanitizers: no leak) */
	th_proc_signal(sim.proc, SIGTERM);
	status = th_proc_wait(sim.proc, 10.0);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "test_sim_fuzz: krpc-sim did not exit cleanly (status %d)\n", status);
		failed++;
	}
	simtest_stop(&sim);
	th_cleanup();
	return failed == 0 ? 0 : 1;
}
