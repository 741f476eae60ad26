/*
 * The floor under fan-out: what the kernel alone costs a process that
 * writes one message to each of N Unix-socket clients per server update.
 * A child process does nothing but that (one sendmsg() of a prefix and a
 * body per client, 60 times a second) while this process reads every
 * message with epoll, as the fan-out clients do; the child's CPU time over
 * the window is the floor any fan-out over Unix sockets pays.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
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

#define FLOOR_RATE	60

/* The writer: one message to every socket per update until the deadline. */
static void __attribute__((noreturn))
floor_writer(const int *fds, size_t n, size_t len, double until)
{
	uint8_t prefix[KRPC_VARINT64_MAX], *body = calloc(1, len);
	struct iovec iov[2];
	struct msghdr mh;
	struct timespec next;
	size_t i;

	if (body == NULL)
		_exit(1);
	iov[0] = (struct iovec){ prefix, krpc_varint_put(prefix, len) };
	iov[1] = (struct iovec){ body, len };
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (th_now() < until) {
		for (i = 0; i < n; i++)
			(void)sendmsg(fds[i], &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		next.tv_nsec += 1000000000L / FLOOR_RATE;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	_exit(0);
}

/* Reads whatever arrived on the sockets until the deadline. */
static void
floor_read(int ep, double until)
{
	struct epoll_event ev[256];
	char buf[65536];
	double now;
	int k, i;

	while ((now = th_now()) < until) {
		k = epoll_wait(ep, ev, 256, (int)((until - now) * 1e3) + 1);
		for (i = 0; i < k; i++)
			while (read(ev[i].data.fd, buf, sizeof buf) > 0)
				;
	}
}

/* Creates n socket pairs: readers (non-blocking, watched by ep) and writers. */
static int
floor_pairs(size_t n, int *rd, int *wr, int ep)
{
	struct epoll_event ev;
	int sv[2];
	size_t i;

	for (i = 0; i < n; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
			return -1;
		rd[i] = sv[0];
		wr[i] = sv[1];
		ev.events = EPOLLIN;
		ev.data.fd = rd[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, rd[i], &ev) != 0)
			return -1;
	}
	return 0;
}

/* One floor run: the writer's CPU over the window, in cores; NaN on failure. */
double
floor_run(size_t clients, size_t len, double warmup, double window)
{
	int *rd = calloc(clients, sizeof *rd), *wr = calloc(clients, sizeof *wr), ep = -1;
	double start, cpu0, cpu1, out = NAN;
	pid_t pid = -1;
	size_t i;

	if (rd == NULL || wr == NULL || (ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		goto done;
	memset(rd, -1, clients * sizeof *rd);
	memset(wr, -1, clients * sizeof *wr);
	if (floor_pairs(clients, rd, wr, ep) != 0)
		goto done;
	start = th_now();
	fflush(NULL);
	if ((pid = fork()) == 0)
		floor_writer(wr, clients, len, start + warmup + window + 0.5);
	if (pid == -1)
		goto done;
	floor_read(ep, start + warmup);
	cpu0 = procs_cpu(pid);
	floor_read(ep, start + warmup + window);
	cpu1 = procs_cpu(pid);
	if (cpu0 >= 0 && cpu1 >= 0)
		out = (cpu1 - cpu0) / window;
done:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	for (i = 0; rd != NULL && wr != NULL && i < clients; i++) {
		if (rd[i] != -1)
			close(rd[i]);
		if (wr[i] != -1)
			close(wr[i]);
	}
	if (ep != -1)
		close(ep);
	free(rd);
	free(wr);
	return out;
}
