/*
 * Time for the client library: the monotonic clock, deadlines from
 * timeouts in seconds (negative = forever), and condition waits on them.
 */
#include <errno.h>
#include <math.h>
#include <time.h>

#include "internal.h"

/* The deadline of a timeout starting now. */
double
krpc_time_deadline(double timeout)
{
	if (timeout < 0 || isnan(timeout))
		return INFINITY;
	return krpc_time_now() + timeout;
}

/* Milliseconds to the deadline for poll(), rounded up. */
int
krpc_time_poll_ms(double deadline)
{
	double left;

	if (isinf(deadline))
		return -1;
	left = deadline - krpc_time_now();
	if (left <= 0)
		return 0;
	if (left > 86400.0)
		return 86400 * 1000;
	return (int)ceil(left * 1000.0);
}

/* A condition variable timed on the monotonic clock. */
int
krpc_time_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t attr;
	int rc;

	if ((rc = pthread_condattr_init(&attr)) != 0)
		return rc;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	rc = pthread_cond_init(cv, &attr);
	pthread_condattr_destroy(&attr);
	return rc;
}

/* One wait on cv until signalled or the deadline; false once it has passed. */
bool
krpc_time_cond_wait(pthread_cond_t *cv, pthread_mutex_t *mu, double deadline)
{
	struct timespec ts;
	double whole;

	if (isinf(deadline)) {
		pthread_cond_wait(cv, mu);
		return true;
	}
	if (krpc_time_now() >= deadline)
		return false;
	ts.tv_nsec = (long)(modf(deadline, &whole) * 1e9);
	ts.tv_sec = (time_t)whole;
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	if (pthread_cond_timedwait(cv, mu, &ts) == ETIMEDOUT)
		return krpc_time_now() < deadline;
	return true;
}
