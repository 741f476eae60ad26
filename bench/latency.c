/*
 * Round-trip latency: a client on its own RPC connection sends the same
 * request over and over, each after the previous answer, and times every
 * round trip from the write to the last byte of the response.  The CPU
 * time of the process forwarding the connection is read around the calls.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

/* FloatToString's argument and the answer the server must give for it. */
#define LATENCY_FLOAT		3.14159f
#define LATENCY_FLOAT_TEXT	"3.14159"

struct latency_conn {
	struct net_conn	*c;
	const char	*name;		/* the target's */
	pid_t		 forwarder;	/* 0: none */
	krpc_buf_t	 req[LATENCY_NPROCS];
};

/* Monotonic microseconds. */
static double
latency_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Builds the framed request of a benchmarked call. */
static void
latency_request(krpc_buf_t *req, enum latency_proc p)
{
	float f = LATENCY_FLOAT;
	uint32_t bits;
	uint8_t le[4];
	krpc_msg_arg_t arg;

	if (p == LATENCY_GETSTATUS) {
		net_request(req, "KRPC", "GetStatus", NULL, 0);
		return;
	}
	memcpy(&bits, &f, sizeof bits);
	krpc_put_le32(le, bits);
	arg = (krpc_msg_arg_t){ .position = 0, .value = le, .len = sizeof le };
	net_request(req, "TestService", "FloatToString", &arg, 1);
}

/* True if a result is what the call must return. */
static bool
latency_check(enum latency_proc p, const uint8_t *v, size_t len)
{
	size_t tl = strlen(LATENCY_FLOAT_TEXT);

	if (p == LATENCY_GETSTATUS)
		return v != NULL && len > 0;
	return v != NULL && len == tl + 1 && v[0] == tl && memcmp(v + 1, LATENCY_FLOAT_TEXT, tl) == 0;
}

/* One call; its round trip in microseconds, or -1. */
static double
latency_call(struct latency_conn *lc, enum latency_proc p)
{
	const krpc_buf_t *req = &lc->req[p];
	const uint8_t *body, *v;
	double t0, t1;
	char why[256];
	size_t len, vlen;

	t0 = latency_now_us();
	if (net_send(lc->c, req->data, req->len) != 0 || net_recv(lc->c, &body, &len) != 1)
		return -1;
	t1 = latency_now_us();
	if (net_result(body, len, &v, &vlen, why, sizeof why) != 0) {
		fprintf(stderr, "krpcmux-bench: %s via %s: %s\n", latency_proc_name(p), lc->name, why);
		return -1;
	}
	if (!latency_check(p, v, vlen)) {
		fprintf(stderr, "krpcmux-bench: %s via %s: unexpected result\n", latency_proc_name(p),
		    lc->name);
		return -1;
	}
	return t1 - t0;
}

/* One timed call: its round trip in microseconds, or -1. */
double
latency_one(struct latency_conn *lc, enum latency_proc p)
{
	return latency_call(lc, p);
}

/* "Service.Procedure" of a benchmarked call. */
const char *
latency_proc_name(enum latency_proc p)
{
	return p == LATENCY_GETSTATUS ? "KRPC.GetStatus" : "TestService.FloatToString";
}

/* A client on a fresh RPC connection. */
struct latency_conn *
latency_open(const struct target *t, const struct latency_forwarder *fw)
{
	krpc_buf_t hello = KRPC_BUF_INIT;
	struct latency_conn *lc;
	uint8_t id[16];
	int p, rc;

	if ((lc = calloc(1, sizeof *lc)) == NULL)
		return NULL;
	lc->name = t->name;
	for (p = 0; p < LATENCY_NPROCS; p++) {
		latency_request(&lc->req[p], p);
		if (!krpc_buf_ok(&lc->req[p]))
			goto fail;
	}
	if ((lc->c = net_open(t, false)) == NULL)
		goto fail;
	net_hello(&hello, false, "krpcmux-bench latency", NULL);
	rc = krpc_buf_ok(&hello) ? net_send(lc->c, hello.data, hello.len) : -1;
	krpc_buf_free(&hello);
	if (rc != 0 || net_hello_reply(lc->c, id) != 0)
		goto fail;
	/* socat forks a child per connection: now that it answered, that child exists. */
	if (fw != NULL && fw->pid > 0)
		lc->forwarder = fw->child ? procs_child(fw->pid) : fw->pid;
	return lc;
fail:
	fprintf(stderr, "krpcmux-bench: cannot open a latency client on %s\n", t->name);
	latency_close(lc);
	return NULL;
}

/* Closes and frees. */
void
latency_close(struct latency_conn *lc)
{
	int p;

	if (lc == NULL)
		return;
	net_close(lc->c);
	for (p = 0; p < LATENCY_NPROCS; p++)
		krpc_buf_free(&lc->req[p]);
	free(lc);
}

/* Makes n calls one after the other, timing each. */
int
latency_calls(struct latency_conn *lc, enum latency_proc p, size_t n, double *us, double *cpu)
{
	double t, cpu0 = -1, cpu1 = -1;
	size_t i;

	if (cpu != NULL && lc->forwarder > 0)
		cpu0 = procs_cpu(lc->forwarder);
	for (i = 0; i < n; i++) {
		if ((t = latency_call(lc, p)) < 0)
			return -1;
		if (us != NULL)
			us[i] = t;
	}
	if (cpu0 >= 0)
		cpu1 = procs_cpu(lc->forwarder);
	if (cpu != NULL)
		*cpu += cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : NAN;
	return 0;
}

/* Median, p99 and so on of n round trips. */
void
latency_summary(double *us, size_t n, struct latency_result *out)
{
	double sum = 0;
	size_t i;

	stats_sort(us, n);
	for (i = 0; i < n; i++)
		sum += us[i];
	out->calls = n;
	out->median_us = stats_quantile(us, n, 0.5);
	out->p99_us = stats_quantile(us, n, 0.99);
	out->mean_us = n > 0 ? sum / (double)n : NAN;
	out->min_us = n > 0 ? us[0] : NAN;
	out->max_us = n > 0 ? us[n - 1] : NAN;
}
