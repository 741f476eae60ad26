/*
 * Helpers shared by the integration tests of krpc-sim's services: a fresh
 * krpc-sim per test case on ephemeral ports, and calls that check their
 * results with Check's assertions (see svctest.h).
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svctest.h"

static th_proc_t	*sim;
static int		 rpc_port = -1, stream_port = -1;
static int		 sim_unclean;	/* servers that did not exit cleanly */

/* ---- Server and clients ----------------------------------------------- */

/*
 * Puts the words of $KRPC_SIM_WRAPPER (e.g. "valgrind --leak-check=full")
 * at the start of argv, at most max of them, so that every krpc-sim the
 * tests start runs under that tool; returns how many.
 */
static int
svt_wrapper(const char **argv, int max)
{
	static char words[512];
	const char *env = getenv("KRPC_SIM_WRAPPER");
	char *w, *save = NULL;
	int n = 0;

	if (env == NULL || *env == '\0')
		return 0;
	snprintf(words, sizeof words, "%s", env);
	for (w = strtok_r(words, " ", &save); w != NULL && n < max; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	return n;
}

/* Starts krpc-sim on ephemeral ports with up to two extra arguments. */
static void
svt_start(const char *a1, const char *a2)
{
	const char *argv[20];
	const char *out, *p;
	int n = 0;

	n = svt_wrapper(argv, 8);
	argv[n++] = th_bin("tests/sim/krpc-sim");
	argv[n++] = "--rpc-port";
	argv[n++] = "0";
	argv[n++] = "--stream-port";
	argv[n++] = "0";
	if (a1 != NULL)
		argv[n++] = a1;
	if (a2 != NULL)
		argv[n++] = a2;
	argv[n] = NULL;
	rpc_port = stream_port = -1;
	if ((sim = th_spawn(argv, "krpc-sim: listening",
	    getenv("KRPC_SIM_WRAPPER") ? 120.0 : 20.0)) == NULL)
		return;
	out = th_proc_stdout(sim);
	if ((p = strstr(out, "rpc=")) == NULL ||
	    sscanf(p, "rpc=%*[^:]:%d stream=%*[^:]:%d", &rpc_port, &stream_port) != 2)
		fprintf(stderr, "test: cannot read the ports from: %s\n", out);
}

/* Unchecked fixture: a fresh krpc-sim for the test case. */
void
svt_setup(void)
{
	svt_start(NULL, NULL);
}

/* Unchecked fixture: a fresh krpc-sim in the SpaceCenter scene. */
void
svt_setup_space_center(void)
{
	svt_start("--game-scene", "space-center");
}

/* Stops the server; an unclean exit (a crash, a sanitizer report) fails the run. */
void
svt_teardown(void)
{
	int status;

	if (sim == NULL)
		return;
	th_proc_signal(sim, SIGTERM);
	status = th_proc_wait(sim, 10.0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "test: krpc-sim exited uncleanly (wait status %#x)\n", status);
		sim_unclean++;
	}
	th_proc_stop(sim);
	sim = NULL;
}

/* A client with RPC and stream connections. */
th_client_t *
svt_cli(void)
{
	th_client_t *c;

	ck_assert_msg(rpc_port > 0, "krpc-sim did not start");
	c = th_client_tcp(rpc_port, stream_port, "sim-services");
	ck_assert_msg(c != NULL, "cannot connect to krpc-sim");
	return c;
}

/* A client without a stream connection. */
th_client_t *
svt_cli_rpc_only(void)
{
	th_client_t *c;

	ck_assert_msg(rpc_port > 0, "krpc-sim did not start");
	c = th_client_tcp(rpc_port, 0, "sim-services-rpc");
	ck_assert_msg(c != NULL, "cannot connect to krpc-sim");
	return c;
}

/* ---- Calls ------------------------------------------------------------ */

/*
 * Calls and decodes the single result with type (NULL: void, returns
 * NULL); fails the test if the request or the call failed.
 */
krpc_value_t *
svt_vcall_ok(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n,
    va_list ap)
{
	Krpc__Schema__Response *r = th_vcall(c, svc, proc, n, ap);
	krpc_type_t *t = NULL;
	krpc_value_t *v = NULL;
	char why[512] = "";

	ck_assert_msg(r != NULL, "%s.%s: no response", svc, proc);
	ck_assert_msg(r->error == NULL, "%s.%s: request error: %s", svc, proc,
	    r->error != NULL ? r->error->description : "");
	ck_assert_msg(r->n_results == 1, "%s.%s: %zu results", svc, proc, r->n_results);
	ck_assert_msg(r->results[0]->error == NULL, "%s.%s: error: %s", svc, proc,
	    r->results[0]->error != NULL ? r->results[0]->error->description : "");
	if (type != NULL) {
		t = krpc_type_parse(type, why, sizeof(why));
		ck_assert_msg(t != NULL, "bad type %s: %s", type, why);
		ck_assert_msg(krpc_msg_result_value(r->results[0], t, &v, why, sizeof(why)) == KRPC_OK,
		    "%s.%s: cannot decode: %s", svc, proc, why);
		krpc_type_free(t);
	} else {
		ck_assert_msg(r->results[0]->value.len == 0 && !r->results[0]->is_null,
		    "%s.%s: a void procedure returned a value", svc, proc);
	}
	krpc__schema__response__free_unpacked(r, NULL);
	return v;
}

krpc_value_t *
svt_call_ok(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	va_list ap;

	va_start(ap, n);
	v = svt_vcall_ok(c, type, svc, proc, n, ap);
	va_end(ap);
	return v;
}

/* Calls a void procedure; fails the test on error. */
void
svt_call_void(th_client_t *c, const char *svc, const char *proc, size_t n, ...)
{
	va_list ap;

	va_start(ap, n);
	svt_vcall_ok(c, NULL, svc, proc, n, ap);
	va_end(ap);
}

/* Calls expecting a string result equal to want. */
void
svt_expect_str(th_client_t *c, const char *want, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	const char *s;
	size_t len = 0;
	va_list ap;

	va_start(ap, n);
	v = svt_vcall_ok(c, "string", svc, proc, n, ap);
	va_end(ap);
	s = krpc_value_str(v, &len);
	ck_assert_msg(s != NULL, "%s.%s: null string", svc, proc);
	ck_assert_msg(len == strlen(want) && memcmp(s, want, len) == 0,
	    "%s.%s: got \"%s\", want \"%s\"", svc, proc, s, want);
	krpc_value_free(v);
}

/* Calls expecting a sint32 (or enumeration, with type) result. */
int32_t
svt_call_int(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	int32_t x = 0;
	va_list ap;

	va_start(ap, n);
	v = svt_vcall_ok(c, type, svc, proc, n, ap);
	va_end(ap);
	ck_assert_msg(krpc_value_as_sint32(v, &x) == KRPC_OK, "%s.%s: not an int", svc, proc);
	krpc_value_free(v);
	return x;
}

/* Calls expecting a double result. */
double
svt_call_double(th_client_t *c, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	double x = 0;
	va_list ap;

	va_start(ap, n);
	v = svt_vcall_ok(c, "double", svc, proc, n, ap);
	va_end(ap);
	ck_assert_msg(krpc_value_as_double(v, &x) == KRPC_OK, "%s.%s: not a double", svc, proc);
	krpc_value_free(v);
	return x;
}

/* Calls expecting an object (type: the CLASS type text); 0 for null. */
uint64_t
svt_call_obj(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n, ...)
{
	krpc_value_t *v;
	uint64_t id = 0;
	va_list ap;

	va_start(ap, n);
	v = svt_vcall_ok(c, type, svc, proc, n, ap);
	va_end(ap);
	if (!krpc_value_is_null(v))
		ck_assert_msg(krpc_value_as_object(v, &id) == KRPC_OK, "%s.%s: not an object", svc, proc);
	krpc_value_free(v);
	return id;
}

/* Calls expecting a null result of type. */
void
svt_expect_null(th_client_t *c, const char *type, const char *svc, const char *proc, size_t n, ...)
{
	Krpc__Schema__Response *r;
	va_list ap;

	va_start(ap, n);
	r = th_vcall(c, svc, proc, n, ap);
	va_end(ap);
	ck_assert_msg(r != NULL && r->error == NULL && r->n_results == 1, "%s.%s failed", svc, proc);
	ck_assert_msg(r->results[0]->error == NULL, "%s.%s: %s", svc, proc,
	    r->results[0]->error != NULL ? r->results[0]->error->description : "");
	ck_assert_msg(r->results[0]->is_null && r->results[0]->value.len == 0,
	    "%s.%s: not null", svc, proc);
	krpc__schema__response__free_unpacked(r, NULL);
	(void)type;
}

/* Calls expecting an error (call-level or request-level) and copies it. */
void
svt_call_err(struct svt_err *e, th_client_t *c, const char *svc, const char *proc, size_t n, ...)
{
	Krpc__Schema__Response *r;
	const Krpc__Schema__Error *x = NULL;
	va_list ap;

	va_start(ap, n);
	r = th_vcall(c, svc, proc, n, ap);
	va_end(ap);
	ck_assert_msg(r != NULL, "%s.%s: no response", svc, proc);
	memset(e, 0, sizeof(*e));
	if (r->error != NULL) {
		x = r->error;
		e->request_level = true;
		ck_assert_msg(r->n_results == 0, "request error with results");
	} else if (r->n_results == 1)
		x = r->results[0]->error;
	ck_assert_msg(x != NULL, "%s.%s: succeeded, an error was expected", svc, proc);
	snprintf(e->service, sizeof(e->service), "%s", x->service);
	snprintf(e->name, sizeof(e->name), "%s", x->name);
	snprintf(e->desc, sizeof(e->desc), "%s", x->description);
	krpc__schema__response__free_unpacked(r, NULL);
}

/* Checks an error's service, name and description (NULL: not checked). */
void
svt_check_err(const struct svt_err *e, const char *service, const char *name, const char *desc)
{
	ck_assert_str_eq(e->service, service);
	ck_assert_str_eq(e->name, name);
	if (desc != NULL)
		ck_assert_str_eq(e->desc, desc);
}


/* ---- Values and streams ----------------------------------------------- */

/* A LIST or SET of n sint32 values. */
krpc_value_t *
svt_ints(krpc_type_code_t code, size_t n, ...)
{
	krpc_value_t *l = krpc_value_collection(code);
	va_list ap;
	size_t i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		ck_assert(krpc_value_append(l, krpc_value_sint32(va_arg(ap, int32_t))) == KRPC_OK);
	va_end(ap);
	return l;
}

/* Checks that v is a collection of n sint32 values equal to the arguments. */
void
svt_check_ints(const krpc_value_t *v, size_t n, ...)
{
	va_list ap;
	int32_t x;
	size_t i;

	ck_assert_uint_eq(krpc_value_count(v), n);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		ck_assert(krpc_value_as_sint32(krpc_value_item(v, i), &x) == KRPC_OK);
		ck_assert_int_eq(x, va_arg(ap, int32_t));
	}
	va_end(ap);
}

/* The stream id inside an EVENT or STREAM value. */
uint64_t
svt_stream_id(const krpc_value_t *v, krpc_type_code_t code)
{
	const uint8_t *data;
	size_t len = 0;
	uint64_t id = UINT64_MAX;

	data = krpc_value_data(v, &len);
	if (code == KRPC_TYPE_EVENT) {
		Krpc__Schema__Event *e = krpc__schema__event__unpack(NULL, len, data);

		ck_assert_msg(e != NULL, "bad Event message");
		id = e->stream != NULL ? e->stream->id : 0;
		krpc__schema__event__free_unpacked(e, NULL);
	} else {
		Krpc__Schema__Stream *s = krpc__schema__stream__unpack(NULL, len, data);

		ck_assert_msg(s != NULL, "bad Stream message");
		id = s->id;
		krpc__schema__stream__free_unpacked(s, NULL);
	}
	return id;
}

/* Waits up to timeout for a true value of stream id; false on timeout. */
bool
svt_wait_true(th_client_t *c, uint64_t id, double timeout)
{
	krpc_value_t *v = th_wait_stream(c, id, "bool", timeout, NULL, 0);
	bool b = false;

	if (v == NULL)
		return false;
	ck_assert(krpc_value_as_bool(v, &b) == KRPC_OK);
	krpc_value_free(v);
	ck_assert_msg(b, "an event sent false");
	return true;
}

/* Reads the next value of stream id as a double, within timeout. */
double
svt_stream_double(th_client_t *c, uint64_t id, double timeout)
{
	krpc_value_t *v = th_wait_stream(c, id, "double", timeout, NULL, 0);
	double x = 0;

	ck_assert_msg(v != NULL, "no value on stream %llu", (unsigned long long)id);
	ck_assert(krpc_value_as_double(v, &x) == KRPC_OK);
	krpc_value_free(v);
	return x;
}

/* ---- Suites ----------------------------------------------------------- */

/* A test case with its own krpc-sim. */
TCase *
svt_tcase(Suite *s, const char *name, void (*setup)(void), double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, setup, svt_teardown);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

/* Runs a suite; fails if a test failed or a krpc-sim did not exit cleanly. */
int
svt_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	th_cleanup();
	return failed == 0 && sim_unclean == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
