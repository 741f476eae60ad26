/*
 * Concurrent calls: N client processes, each with its own RPC connection,
 * call TestService.FloatToString in a loop, every call after the previous
 * answer, for a fixed window.  This is how several scripts load a server;
 * the figure is calls per second over all clients, with the p50 and p99 of
 * the round trips.  Each client is a separate process (as scripts are), so
 * the load generator's own scheduling is the operating system's.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "harness.h"

/* Round trips one client keeps (more calls are counted, not kept). */
#define CONC_SAMPLES_MAX	200000

/* What every client process shares with the parent. */
struct conc_shared {
	double		 start;		/* monotonic seconds the warm-up starts */
	double		 warmup;
	double		 window;
	struct conc_slot {
		uint64_t calls;		/* timed calls made */
		uint64_t kept;		/* round trips stored */
		int	 failed;
	} slot[];
};

/* Monotonic seconds. */
static double
conc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The round-trip array of client i. */
static float *
conc_samples(struct conc_shared *sh, size_t clients, size_t i)
{
	float *base = (float *)((char *)sh + sizeof *sh + clients * sizeof sh->slot[0]);

	return base + i * CONC_SAMPLES_MAX;
}

/* Sleeps until a monotonic time. */
static void
conc_sleep_until(double t)
{
	double d = t - conc_now();

	if (d > 0)
		th_sleep(d);
}

/*
 * One client process: connects, reports ready, waits for the start, calls
 * until the window closes, storing the timed round trips.  Never returns.
 */
static void __attribute__((noreturn))
conc_client(const struct conc_params *p, struct conc_shared *sh, size_t i, int ready, int go)
{
	struct conc_slot *s = &sh->slot[i];
	float *us = conc_samples(sh, p->clients, i);
	struct latency_conn *lc;
	double t0, t, warm_end, end;
	char c = 'r';

	if ((lc = latency_open(p->target, NULL)) == NULL) {
		s->failed = 1;
		c = 'f';
	}
	if (write(ready, &c, 1) != 1 || s->failed)
		_exit(1);
	(void)read(go, &c, 1);		/* EOF: the parent closed it, all start */
	warm_end = sh->start + sh->warmup;
	end = warm_end + sh->window;
	for (t0 = conc_now(); t0 < end; t0 = conc_now()) {
		if ((t = latency_one(lc, LATENCY_FLOATTOSTRING)) < 0) {
			s->failed = 1;
			break;
		}
		if (t0 < warm_end || t0 + t / 1e6 > end)
			continue;
		if (s->kept < CONC_SAMPLES_MAX)
			us[s->kept++] = (float)t;
		s->calls++;
	}
	latency_close(lc);
	_exit(s->failed ? 1 : 0);
}

/* Forks the clients; each writes one byte to ready once connected. */
static int
conc_fork(const struct conc_params *p, struct conc_shared *sh, pid_t *pids, int ready[2],
    int go[2])
{
	size_t i;

	for (i = 0; i < p->clients; i++) {
		if ((pids[i] = fork()) == -1) {
			perror("krpcmux-bench: fork");
			return -1;
		}
		if (pids[i] == 0) {
			close(ready[0]);
			close(go[1]);
			conc_client(p, sh, i, ready[1], go[0]);
		}
	}
	return 0;
}

/* Waits for every client's ready byte; -1 if one failed to connect. */
static int
conc_wait_ready(size_t clients, int fd)
{
	size_t got = 0, bad = 0;
	char c;

	while (got < clients) {
		ssize_t n = read(fd, &c, 1);

		if (n == -1 && errno == EINTR)
			continue;
		if (n != 1)
			return -1;
		got++;
		bad += c != 'r';
	}
	return bad == 0 ? 0 : -1;
}

/* Sums the clients' figures into the result; -1 if any client failed. */
static int
conc_collect(const struct conc_params *p, struct conc_shared *sh, struct conc_result *r)
{
	size_t i, j, n = 0, total = 0;
	double *all;
	int rc = 0;

	for (i = 0; i < p->clients; i++)
		total += sh->slot[i].kept;
	if ((all = malloc((total + 1) * sizeof *all)) == NULL)
		return -1;
	for (i = 0; i < p->clients; i++) {
		float *us = conc_samples(sh, p->clients, i);

		if (sh->slot[i].failed)
			rc = -1;
		r->calls += sh->slot[i].calls;
		for (j = 0; j < sh->slot[i].kept; j++)
			all[n++] = us[j];
	}
	stats_sort(all, n);
	r->calls_per_s = (double)r->calls / sh->window;
	r->p50_us = stats_quantile(all, n, 0.5);
	r->p99_us = stats_quantile(all, n, 0.99);
	free(all);
	return rc;
}

/* Reaps the clients (killing any that outlive the window by far). */
static void
conc_reap(pid_t *pids, size_t n, double deadline)
{
	size_t i, left = n;
	int status;

	while (left > 0) {
		for (i = 0; i < n; i++) {
			if (pids[i] > 0 && waitpid(pids[i], &status, WNOHANG) == pids[i]) {
				pids[i] = 0;
				left--;
			}
		}
		if (left == 0)
			break;
		if (conc_now() > deadline)
			for (i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
		th_sleep(0.005);
	}
}

/* One run of N clients on a target. */
int
conc_run(const struct conc_params *p, struct conc_result *r)
{
	size_t size = sizeof(struct conc_shared) + p->clients * sizeof(struct conc_slot) +
	    p->clients * CONC_SAMPLES_MAX * sizeof(float);
	struct conc_shared *sh;
	int ready[2], go[2], rc = -1;
	double cpu0, cpu1;
	pid_t *pids;

	memset(r, 0, sizeof *r);
	r->clients = p->clients;
	r->proxy_cpu = NAN;
	sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || (pids = calloc(p->clients, sizeof *pids)) == NULL)
		return -1;
	sh->warmup = p->warmup;
	sh->window = p->window;
	if (pipe(ready) != 0 || pipe(go) != 0)
		goto out;
	fflush(NULL);
	if (conc_fork(p, sh, pids, ready, go) != 0)
		goto kill;
	close(ready[1]);
	close(go[0]);
	if (conc_wait_ready(p->clients, ready[0]) != 0) {
		fprintf(stderr, "krpcmux-bench: a concurrent client could not connect to %s\n",
		    p->target->name);
		goto kill;
	}
	sh->start = conc_now() + 0.05;
	close(go[1]);
	go[1] = -1;
	conc_sleep_until(sh->start + sh->warmup);
	cpu0 = p->proxy_pid > 0 ? procs_cpu(p->proxy_pid) : -1;
	conc_sleep_until(sh->start + sh->warmup + sh->window);
	cpu1 = p->proxy_pid > 0 ? procs_cpu(p->proxy_pid) : -1;
	if (cpu0 >= 0 && cpu1 >= 0)
		r->proxy_cpu = (cpu1 - cpu0) / sh->window;
	conc_reap(pids, p->clients, conc_now() + NET_TIMEOUT + 5);
	rc = conc_collect(p, sh, r);
	if (rc != 0)
		fprintf(stderr, "krpcmux-bench: a concurrent client failed on %s\n", p->target->name);
	goto out_pipes;
kill:
	if (go[1] != -1)
		close(go[1]);
	go[1] = -1;
	conc_reap(pids, p->clients, conc_now());
out_pipes:
	close(ready[0]);
	if (go[1] != -1)
		close(go[1]);
out:
	free(pids);
	munmap(sh, size);
	return rc;
}
