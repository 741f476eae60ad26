/*
 * krpcmuxd's batching and its keeping the server polling, against the mock
 * server (which sees every byte the proxy sends): several clients' requests
 * joined into one upstream Request and the Response cut back into theirs; a
 * batch that fails to decode sent again piecemeal so only the guilty part
 * fails; an error from calls that ran given to every part; the batch size
 * limit.
 */
#include <check.h>
#include <string.h>

#include "mocktest.h"

/* Sends FloatToString(i) from a client. */
static void
send_float(th_client_t *c, int i)
{
	dt_send(c, "TestService", "FloatToString", 1, krpc_value_float((float)i), NULL);
}

/* Reads a client's next response and asserts its one result is the text of digit. */
static void
expect_digit(th_client_t *c, int digit)
{
	Krpc__Schema__Response *r = th_recv_response(c, 5.0);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 1);
	ck_assert_uint_eq(r->results[0]->value.len, 2);
	ck_assert_int_eq(r->results[0]->value.data[1], '0' + digit);
	krpc__schema__response__free_unpacked(r, NULL);
}

/* Sends a request-level error with a stack trace. */
static void
respond_error_trace(struct mock *m, const char *description, const char *trace)
{
	Krpc__Schema__Response r = KRPC__SCHEMA__RESPONSE__INIT;
	Krpc__Schema__Error e = KRPC__SCHEMA__ERROR__INIT;

	e.service = (char *)"KRPC";
	e.name = (char *)"ArgumentException";
	e.description = (char *)description;
	e.stack_trace = (char *)trace;
	r.error = &e;
	mock_send(m->rpc, &r.base);
}

/* Reads a client's next response and asserts a request-level error with description. */
static void
expect_request_error(th_client_t *c, const char *description)
{
	Krpc__Schema__Response *r = th_recv_response(c, 5.0);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_str_eq(r->error->description, description);
	ck_assert_uint_eq(r->n_results, 0);
	krpc__schema__response__free_unpacked(r, NULL);
}

/* Fills the proxy's two places upstream with a's requests, so b's and c's queue. */
static void
fill_pipeline(struct mock *m, th_client_t *a)
{
	send_float(a, 0);
	send_float(a, 1);
	mock_expect_floats(m, 1);
	mock_expect_floats(m, 1);
}

/* Answers a's two requests; the queued batch goes up on the first answer. */
static void
drain_pipeline(struct mock *m, th_client_t *a, size_t batch)
{
	mock_respond_floats(m, 0, 1);
	mock_expect_floats(m, batch);
	mock_respond_floats(m, 1, 1);
	expect_digit(a, 0);
	expect_digit(a, 1);
}

/*
 * Starts the proxy with clients a, b and c, and has b's and c's requests 2
 * and 3 sent upstream as one batch (a's two fill the pipeline first).
 */
static void
batch_of_two(struct mock *m, const char *prefix, th_client_t **a, th_client_t **b,
    th_client_t **c)
{
	mock_start(m, prefix, NULL);
	ck_assert_ptr_nonnull(*a = dt_client(&m->t, "a", false));
	ck_assert_ptr_nonnull(*b = dt_client(&m->t, "b", false));
	ck_assert_ptr_nonnull(*c = dt_client(&m->t, "c", false));
	fill_pipeline(m, *a);
	send_float(*b, 2);
	send_float(*c, 3);
	ck_assert(mock_quiet(m->rpc, 0.3));
	drain_pipeline(m, *a, 2);
}

/*
 * Requests of several clients queued while the upstream is busy go up as
 * one Request; a client's multi-call request stays whole inside it, and
 * each client gets exactly its own results.
 */
START_TEST(test_batch_clients)
{
	struct mock m;
	th_client_t *a, *b, *c;
	krpc_buf_t req = KRPC_BUF_INIT;
	Krpc__Schema__Response *r;

	mock_start(&m, "clients", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "a", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "b", false));
	ck_assert_ptr_nonnull(c = dt_client(&m.t, "c", false));
	fill_pipeline(&m, a);
	th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float(2));
	th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float(3));
	th_request_add(&req, "TestService", "FloatToString", 1, krpc_value_float(4));
	ck_assert_int_eq(th_send_request(b, &req), 0);
	send_float(c, 5);
	ck_assert(mock_quiet(m.rpc, 0.3));
	drain_pipeline(&m, a, 4);
	mock_respond_floats(&m, 2, 4);
	ck_assert_ptr_nonnull(r = th_recv_response(b, 5.0));
	ck_assert_uint_eq(r->n_results, 3);
	ck_assert_int_eq(r->results[0]->value.data[1], '2');
	ck_assert_int_eq(r->results[2]->value.data[1], '4');
	krpc__schema__response__free_unpacked(r, NULL);
	expect_digit(c, 5);
	krpc_buf_free(&req);
	th_client_close(a);
	th_client_close(b);
	th_client_close(c);
	mock_stop(&m);
}
END_TEST

/*
 * A batch that fails to decode (the server's stack trace runs through its
 * RPC stream's Read: no call ran) is sent again one request at a time, so
 * only the client whose request is at fault gets the error.
 */
START_TEST(test_batch_decode_error)
{
	struct mock m;
	th_client_t *a, *b, *c;

	batch_of_two(&m, "decode", &a, &b, &c);
	respond_error_trace(&m, "Instance not found", "  at KRPC.Service.ObjectStore.GetInstance\n"
	    "  at KRPC.Server.ProtocolBuffers.RPCStream.Read (KRPC.Service.Messages.Request& request)");
	mock_expect_floats(&m, 1);		/* b's, alone */
	mock_expect_floats(&m, 1);		/* c's, alone */
	respond_error_trace(&m, "Instance not found", "  at KRPC.Server.ProtocolBuffers.RPCStream.Read");
	mock_respond_floats(&m, 3, 1);
	expect_request_error(b, "Instance not found");
	expect_digit(c, 3);
	ck_assert(th_wait_closed(b->rpc, 0.2) == false);	/* both carry on */
	send_float(b, 4);
	mock_expect_floats(&m, 1);
	mock_respond_floats(&m, 4, 1);
	expect_digit(b, 4);
	th_client_close(a);
	th_client_close(b);
	th_client_close(c);
	mock_stop(&m);
}
END_TEST

/*
 * A request-level error whose trace shows the calls ran (a yielding call
 * threw after yielding) is not sent again: every part of the batch gets it.
 */
START_TEST(test_batch_run_error)
{
	struct mock m;
	th_client_t *a, *b, *c;

	batch_of_two(&m, "runerr", &a, &b, &c);
	respond_error_trace(&m, "it broke", "  at TestServer.TestService.Something ()");
	expect_request_error(b, "it broke");
	expect_request_error(c, "it broke");
	ck_assert(mock_quiet(m.rpc, 0.3));	/* nothing sent again */
	th_client_close(a);
	th_client_close(b);
	th_client_close(c);
	mock_stop(&m);
}
END_TEST

/* upstream.batch_calls bounds the calls joined into one Request; 1 turns batching off. */
START_TEST(test_batch_limit)
{
	struct mock m;
	th_client_t *a, *b;
	int i;

	mock_start(&m, "limit", "upstream = { batch_calls = 2; };\n");
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "a", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "b", false));
	fill_pipeline(&m, a);
	for (i = 2; i < 7; i++)
		send_float(b, i);
	ck_assert(mock_quiet(m.rpc, 0.3));
	drain_pipeline(&m, a, 2);		/* 2 and 3 */
	mock_expect_floats(&m, 2);		/* 4 and 5 */
	mock_respond_floats(&m, 2, 2);
	mock_expect_floats(&m, 1);		/* 6 */
	mock_respond_floats(&m, 4, 2);
	mock_respond_floats(&m, 6, 1);
	for (i = 2; i < 7; i++)
		expect_digit(b, i);
	th_client_close(a);
	th_client_close(b);
	mock_stop(&m);
}
END_TEST

static Suite *
batch_suite(void)
{
	Suite *s = suite_create("krpcmuxd batching, against a mock server");
	TCase *tc = tcase_create("batch");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_batch_clients);
	tcase_add_test(tc, test_batch_decode_error);
	tcase_add_test(tc, test_batch_run_error);
	tcase_add_test(tc, test_batch_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return dt_run(batch_suite());
}
