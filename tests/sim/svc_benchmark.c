/*
 * krpc-sim: the Benchmark service (id 9998, TESTSERVICE.md section 6): runs a
 * procedure call through the server's call path many times and reports what
 * one call cost.  A C server has no garbage collector or allocation counter,
 * so those figures are 0.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define SVC_BENCH_WARMUP_CALLS	2000
#define SVC_BENCH_WARMUP_SECS	0.05

/* Monotonic seconds with nanosecond resolution. */
static double
svc_bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The services whose names id-based calls resolve through. */
static const struct sim_service *const svc_bench_services[] = {
	&sim_service_krpc, &sim_service_spacecenter, &sim_service_test, &sim_service_benchmark,
};

/* "<Service>.<Procedure>" of a call, by name or through the tables by id. */
static void
svc_bench_name(const krpc_value_t *call, char *out, size_t len)
{
	const Krpc__Schema__ProcedureCall *pc;
	const struct sim_service *svc = NULL;
	const char *sname, *pname;
	const uint8_t *data;
	size_t n = 0, i;

	data = krpc_value_data(call, &n);
	if ((pc = krpc_msg_call_read(data, n, NULL, 0)) == NULL) {
		snprintf(out, len, "?.?");
		return;
	}
	sname = pc->service != NULL ? pc->service : "";
	pname = pc->procedure != NULL ? pc->procedure : "";
	for (i = 0; i < sizeof(svc_bench_services) / sizeof(svc_bench_services[0]); i++) {
		if (pc->service_id > 0 ? svc_bench_services[i]->id == pc->service_id :
		    strcmp(svc_bench_services[i]->name, sname) == 0)
			svc = svc_bench_services[i];
	}
	if (svc != NULL)
		sname = svc->name;
	if (svc != NULL && pc->procedure_id > 0 && pc->procedure_id <= svc->nprocs)
		pname = svc->procs[pc->procedure_id - 1].name;
	snprintf(out, len, "%s.%s", sname, pname);
	krpc__schema__procedure_call__free_unpacked((Krpc__Schema__ProcedureCall *)pc, NULL);
}

/* Copies an error of a result to the call (plain when it has no service). */
static void
svc_bench_copy_error(sim_call_t *c, const Krpc__Schema__ProcedureResult *r)
{
	const Krpc__Schema__Error *e = r != NULL ? r->error : NULL;

	if (e == NULL) {
		sim_error(c, NULL, NULL, "Procedure call failed");
		return;
	}
	sim_error(c, e->service != NULL && *e->service ? e->service : NULL,
	    e->name != NULL && *e->name ? e->name : NULL, "%s",
	    e->description != NULL ? e->description : "");
}

/* Runs the call once and encodes its result into scratch, as a response would. */
static void
svc_bench_once(sim_call_t *c, const krpc_value_t *call, krpc_buf_t *scratch)
{
	Krpc__Schema__ProcedureResult *r = NULL;
	size_t n;

	sim_invoke(c, call, &r);
	if (r != NULL) {
		n = krpc__schema__procedure_result__get_packed_size(r);
		krpc_buf_reset(scratch);
		if (krpc_buf_reserve(scratch, n))
			krpc__schema__procedure_result__pack(r, scratch->data);
	}
	sim_result_free(r);
}

/* Adds key: value to the result dictionary; false on out-of-memory. */
static bool
svc_bench_put(krpc_value_t *d, const char *key, double value)
{
	return krpc_value_put(d, krpc_value_string(key), krpc_value_double(value)) == KRPC_OK;
}

/*
 * Runs the call once as a probe and checks that it can be benchmarked;
 * false with the call's error set if not.
 */
static bool
svc_bench_probe(sim_call_t *c, const krpc_value_t *call, uint32_t iterations)
{
	Krpc__Schema__ProcedureResult *r = NULL;
	sim_invoke_rc_t rc = sim_invoke(c, call, &r);
	char name[256];
	bool ok = false;

	if (rc == SIM_INVOKE_UNRESOLVED) {
		svc_bench_copy_error(c, r);
		goto out;
	}
	svc_bench_name(call, name, sizeof(name));
	if (rc == SIM_INVOKE_DONE && r != NULL && krpc_msg_error_set(r->error))
		sim_error(c, "KRPC", "ArgumentException", "Call to %s failed: %s", name,
		    r->error->description != NULL ? r->error->description : "");
	else if (rc == SIM_INVOKE_YIELDED)
		sim_error(c, "KRPC", "ArgumentException", "Procedure %s yields, so it spans several "
		    "updates and cannot be benchmarked in a loop", name);
	else if (iterations == 0)
		sim_error(c, "KRPC", "ArgumentException",
		    "Iterations must be at least one\nParameter name: iterations");
	else
		ok = true;
out:
	sim_result_free(r);
	return ok;
}

/* The result dictionary for iterations calls that took secs; NULL on out-of-memory. */
static krpc_value_t *
svc_bench_result(uint32_t iterations, double secs)
{
	krpc_value_t *d = krpc_value_collection(KRPC_TYPE_DICTIONARY);

	if (d == NULL || !svc_bench_put(d, "iterations", iterations) ||
	    !svc_bench_put(d, "seconds", secs) ||
	    !svc_bench_put(d, "nanoseconds_per_operation", secs * 1e9 / iterations) ||
	    !svc_bench_put(d, "bytes_per_operation", 0) || !svc_bench_put(d, "collections", 0) ||
	    !svc_bench_put(d, "exact_allocations", 0)) {
		krpc_value_free(d);
		return NULL;
	}
	return d;
}

/* Call(call, iterations): probe, check, warm up, then time the iterations. */
static sim_rc_t
svc_bench_call(sim_call_t *c)
{
	const krpc_value_t *call = sim_arg(c, 0);
	uint32_t iterations = sim_arg_uint(c, 1), i;
	krpc_buf_t scratch = KRPC_BUF_INIT;
	krpc_value_t *d;
	double t0, secs;

	if (!svc_bench_probe(c, call, iterations))
		return SIM_DONE;
	t0 = svc_bench_now();
	for (i = 0; i < SVC_BENCH_WARMUP_CALLS && svc_bench_now() - t0 < SVC_BENCH_WARMUP_SECS; i++)
		svc_bench_once(c, call, &scratch);
	t0 = svc_bench_now();
	for (i = 0; i < iterations; i++)
		svc_bench_once(c, call, &scratch);
	secs = svc_bench_now() - t0;
	krpc_buf_free(&scratch);
	if ((d = svc_bench_result(iterations, secs)) == NULL)
		sim_error(c, NULL, NULL, "Out of memory");
	else
		sim_return(c, d);
	return SIM_DONE;
}

static const struct sim_proc svc_bench_procs[] = {
	{ .name = "Call", .fn = svc_bench_call, .ret = "dict(string, double)",
	  .doc = "<doc>\n<summary>\n"
	      "Run a procedure call through the server's call path the given number of times, and\n"
	      "return what one call cost: nanoseconds, bytes allocated, and the number of garbage\n"
	      "collections that happened while it ran.\n"
	      "</summary>\n"
	      "<param name=\"call\">The procedure call to make. Any procedure of any service.</param>\n"
	      "<param name=\"iterations\">Number of times to make the call.</param>\n"
	      "</doc>",
	  .params = { { "call", "procedure_call", 0, NULL }, { "iterations", "uint32", 0, NULL } } },
};

const struct sim_service sim_service_benchmark = {
	.name = "Benchmark",
	.id = 9998,
	.doc = "Server-side benchmarking. A service that both the test server and the game can\n"
	    "load, to measure what a procedure call costs inside the server, without the\n"
	    "network or a client in the way.",
	.procs = svc_bench_procs,
	.nprocs = sizeof(svc_bench_procs) / sizeof(svc_bench_procs[0]),
};
