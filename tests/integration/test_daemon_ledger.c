/*
 * krpcmuxd's ownership ledger against a mock upstream, for the rules
 * krpc-sim does not model (parts): the exact calls the proxy sends to give
 * back what a leaving client took (a highlight switched off, an override
 * its commander held switched off, orbits and forces removed newest first),
 * nothing for what another client took over or removed, nothing for a rule
 * whose releasing procedure the server lacks, and an answer that comes after
 * its client left given back at once.  The differential test of the other
 * rules is test_daemon_own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mocktest.h"

#define SC	"SpaceCenter"

/* Sends one SpaceCenter call through c without waiting, with the first n of a0 and a1. */
static void
send_call(th_client_t *c, const char *procedure, size_t n, krpc_value_t *a0, krpc_value_t *a1)
{
	krpc_buf_t req = KRPC_BUF_INIT;

	ck_assert_uint_le(n, 2);
	th_request_add(&req, SC, procedure, n, a0, a1);
	ck_assert_int_eq(th_send_request(c, &req), 0);
	krpc_buf_free(&req);
}

/* The client's answer, which must be a success. */
static void
answered(th_client_t *c)
{
	Krpc__Schema__Response *r = th_recv_response(c, 5.0);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(r->error);
	ck_assert_uint_eq(r->n_results, 1);
	ck_assert_ptr_null(r->results[0]->error);
	krpc__schema__response__free_unpacked(r, NULL);
}

/* The game answers the call it got with an object id (0: void). */
static void
game_answers(struct mock *m, const char *procedure, uint64_t id)
{
	uint8_t v[KRPC_VARINT64_MAX];

	mock_expect_call(m->rpc, procedure);
	mock_respond_value(m->rpc, id != 0 ? v : NULL, id != 0 ? krpc_varint_put(v, id) : 0);
}

/* A client's call that takes something, answered by the game with id (0: void). */
static void
take(struct mock *m, th_client_t *c, const char *procedure, krpc_value_t *a0, krpc_value_t *a1,
    uint64_t id)
{
	send_call(c, procedure, a1 != NULL ? 2 : 1, a0, a1);
	game_answers(m, procedure, id);
	answered(c);
}

/* A releasing call the proxy must send: procedure(obj[, false]). */
struct release {
	const char	*procedure;
	uint64_t	 obj;
	bool		 off;		/* a second argument, false */
};

/* Checks one call against what is wanted. */
static void
check_release(const Krpc__Schema__ProcedureCall *pc, const struct release *want)
{
	uint8_t v[KRPC_VARINT64_MAX];
	size_t len = krpc_varint_put(v, want->obj);

	ck_assert_str_eq(pc->service, SC);
	ck_assert_str_eq(pc->procedure, want->procedure);
	ck_assert_uint_eq(pc->n_arguments, want->off ? 2 : 1);
	ck_assert_uint_eq(pc->arguments[0]->position, 0);
	ck_assert_msg(pc->arguments[0]->value.len == len &&
	    memcmp(pc->arguments[0]->value.data, v, len) == 0, "%s: object %s", want->procedure,
	    mock_hex(pc->arguments[0]->value.data, pc->arguments[0]->value.len));
	if (want->off) {
		ck_assert_uint_eq(pc->arguments[1]->position, 1);
		ck_assert_uint_eq(pc->arguments[1]->value.len, 1);
		ck_assert_int_eq(pc->arguments[1]->value.data[0], 0);
	}
}

/*
 * The game gets exactly these calls, in this order (in one Request or
 * several: each is a request of its own, which the lane may batch), then
 * nothing more; every Request is answered with void results.
 */
static void
expect_releases(struct mock *m, const struct release *want, size_t n)
{
	Krpc__Schema__Response resp = KRPC__SCHEMA__RESPONSE__INIT;
	Krpc__Schema__ProcedureResult pr = KRPC__SCHEMA__PROCEDURE_RESULT__INIT, *prs[16];
	Krpc__Schema__Request *r;
	size_t got = 0, i;

	for (i = 0; i < 16; i++)
		prs[i] = &pr;
	while (got < n) {
		r = mock_expect_request(m->rpc);
		ck_assert_ptr_nonnull(r);
		ck_assert_uint_le(got + r->n_calls, n);
		for (i = 0; i < r->n_calls; i++)
			check_release(r->calls[i], &want[got + i]);
		got += r->n_calls;
		resp.results = prs;
		resp.n_results = r->n_calls;
		mock_send(m->rpc, &resp.base);
		krpc__schema__request__free_unpacked(r, NULL);
	}
	ck_assert(mock_quiet(m->rpc, 0.3));
}

/* The holds= of the named client's line in the admin clients listing (-1: no such line). */
static int
holds(struct dt *t, const char *name)
{
	char *out = dt_admin(t, "clients"), want[64], *line, *p;
	int n = -1;

	ck_assert_ptr_nonnull(out);
	snprintf(want, sizeof want, " \"%s\" ", name);
	for (line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if (strstr(line, want) != NULL && (p = strstr(line, " holds=")) != NULL)
			n = atoi(p + strlen(" holds="));
	}
	free(out);
	return n;
}

/* A leaving client's highlight, override and objects go back; another's override stays its own. */
START_TEST(test_ledger_parts)
{
	static const struct release a_left[] = {
		{ "Part_set_Highlighted", 5, true },	/* overrides and highlights first */
		{ "Orbit_Remove", 43, false },		/* then objects, newest first */
		{ "Force_Remove", 42, false },
	};
	static const struct release b_left[] = { { "RCS_set_InputOverride", 7, true } };
	struct mock m;
	th_client_t *a, *b;
	char *stats;

	mock_start(&m, "parts", NULL);
	ck_assert_ptr_nonnull(a = dt_client(&m.t, "a", false));
	ck_assert_ptr_nonnull(b = dt_client(&m.t, "b", false));
	send_call(a, "Part_AddForce", 0, NULL, NULL);	/* no arguments: only the result matters */
	game_answers(&m, "Part_AddForce", 42);
	answered(a);
	take(&m, a, "Part_set_Highlighted", krpc_value_object(5), krpc_value_bool(true), 0);
	take(&m, a, "RCS_set_InputOverride", krpc_value_object(7), krpc_value_bool(true), 0);
	take(&m, a, "Orbit_static_CreateFromPositionAndVelocity", krpc_value_object(3), NULL, 43);
	/* no ResourceTransfer_Remove on this server: a transfer is not noted */
	take(&m, a, "ResourceTransfer_static_Start", krpc_value_object(5), NULL, 46);
	/* b commands a's override: the game makes it b's */
	take(&m, b, "RCS_set_RotationOverride", krpc_value_object(7), th_vec3(1, 0, 0), 0);
	ck_assert_int_eq(holds(&m.t, "a"), 3);		/* the force, the highlight, the orbit */
	ck_assert_int_eq(holds(&m.t, "b"), 1);		/* the override */

	th_client_close(a);
	expect_releases(&m, a_left, 3);
	th_client_close(b);
	expect_releases(&m, b_left, 1);

	stats = dt_admin(&m.t, "stats");
	ck_assert_ptr_nonnull(stats);
	ck_assert_int_eq((int)dt_admin_number(stats, "ledger_taken"), 4);
	ck_assert_int_eq((int)dt_admin_number(stats, "ledger_released"), 4);
	free(stats);
	mock_stop(&m);
}
END_TEST

/* A force whose answer comes after its client left is removed at once. */
START_TEST(test_ledger_orphan)
{
	static const struct release removed[] = { { "Force_Remove", 44, false } };
	uint8_t v[KRPC_VARINT64_MAX];
	struct mock m;
	th_client_t *c;

	mock_start(&m, "orphan", NULL);
	ck_assert_ptr_nonnull(c = dt_client(&m.t, "c", false));
	send_call(c, "Part_AddForce", 0, NULL, NULL);
	mock_expect_call(m.rpc, "Part_AddForce");
	th_client_close(c);
	ck_assert(mock_quiet(m.rpc, 0.3));	/* it had nothing yet */
	mock_respond_value(m.rpc, v, krpc_varint_put(v, 44));
	expect_releases(&m, removed, 1);
	mock_stop(&m);
}
END_TEST

/* What another client removed, or highlighted off, is not given back again. */
START_TEST(test_ledger_forgets)
{
	struct mock m;
	th_client_t *d, *e;

	mock_start(&m, "forget", NULL);
	ck_assert_ptr_nonnull(d = dt_client(&m.t, "d", false));
	ck_assert_ptr_nonnull(e = dt_client(&m.t, "e", false));
	send_call(d, "Part_AddForce", 0, NULL, NULL);
	game_answers(&m, "Part_AddForce", 45);
	answered(d);
	take(&m, d, "Part_set_Highlighted", krpc_value_object(5), krpc_value_bool(true), 0);
	take(&m, e, "Force_Remove", krpc_value_object(45), NULL, 0);	/* anyone may */
	take(&m, e, "Part_set_Highlighted", krpc_value_object(5), krpc_value_bool(false), 0);
	th_client_close(d);
	ck_assert(mock_quiet(m.rpc, 0.5));
	th_client_close(e);
	ck_assert(mock_quiet(m.rpc, 0.3));
	mock_stop(&m);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("daemon_ledger");
	TCase *tc = tcase_create("ledger");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ledger_parts);
	tcase_add_test(tc, test_ledger_orphan);
	tcase_add_test(tc, test_ledger_forgets);
	suite_add_tcase(s, tc);
	return dt_run(s);
}
