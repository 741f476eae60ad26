/*
 * Order statistics for the benchmark: quantiles of one run's samples and
 * the median over rounds that every reported figure is.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* qsort comparison of doubles. */
static int
stats_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts in place. */
void
stats_sort(double *v, size_t n)
{
	qsort(v, n, sizeof *v, stats_cmp);
}

/* The q-quantile by nearest rank (the smallest sample with at least q of them at or below it). */
double
stats_quantile(const double *sorted, size_t n, double q)
{
	size_t rank;

	if (n == 0)
		return NAN;
	rank = (size_t)ceil(q * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* The median of the values that are not NaN (the mean of the middle two for an even count). */
double
stats_median(const double *v, size_t n)
{
	double *w, m;
	size_t i, k = 0;

	if ((w = calloc(n + 1, sizeof *w)) == NULL)
		return NAN;
	for (i = 0; i < n; i++) {
		if (!isnan(v[i]))
			w[k++] = v[i];
	}
	if (k == 0) {
		free(w);
		return NAN;
	}
	stats_sort(w, k);
	m = k % 2 ? w[k / 2] : (w[k / 2 - 1] + w[k / 2]) / 2;
	free(w);
	return m;
}
