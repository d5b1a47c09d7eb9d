/* series.c - tests on one sample read in its measurement order: a regime shift (the
 * series is two stationary segments with different levels) and a monotone drift.
 * Methods: analysis/README.md, "Regimes and drift". */
#include "stats.h"
#include "../common/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int series_fail(char err[NB_ERR_LEN], const char *fn, const char *what)
{
	if (err)
		snprintf(err, NB_ERR_LEN, "%s", what);   /* fn: for a debugger's eye only */
	(void)fn;
	return -1;
}

static int check_series(const double *x, size_t n, const char *fn, char err[NB_ERR_LEN])
{
	if (n && !x)
		return series_fail(err, fn, "sample is NULL");
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return series_fail(err, fn, "a value is NaN or infinite");
	return 0;
}

struct idx_val {
	double v;
	size_t i;
};

static int cmp_iv(const void *a, const void *b)
{
	const struct idx_val *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

/* Mid-ranks (1-based, ties share their mean rank) of x into rank; -1 out of memory. */
static int midranks(const double *x, size_t n, double *rank)
{
	struct idx_val *iv = malloc((n ? n : 1) * sizeof(*iv));

	if (!iv)
		return -1;
	for (size_t i = 0; i < n; i++)
		iv[i] = (struct idx_val){ x[i], i };
	qsort(iv, n, sizeof(*iv), cmp_iv);
	for (size_t a = 0; a < n;) {
		size_t b = a;

		while (b + 1 < n && iv[b + 1].v == iv[a].v)
			b++;
		for (size_t k = a; k <= b; k++)
			rank[iv[k].i] = (double)(a + b) / 2 + 1;
		a = b + 1;
	}
	free(iv);
	return 0;
}

/* The largest standardised rank-sum statistic over the splits k = min_seg .. n - min_seg
 * (the first segment is x[0 .. k-1]); *at receives the best k. */
static double max_split_z(const double *rank, size_t n, size_t min_seg, size_t *at)
{
	double best = -1, sum = 0, dn = (double)n;

	for (size_t k = 1; k + min_seg <= n; k++) {
		sum += rank[k - 1];
		if (k < min_seg)
			continue;
		double dk = (double)k, u = sum - dk * (dk + 1) / 2, m = dk * (dn - dk);
		double z = fabs(u - m / 2) / sqrt(m * (dn + 1) / 12);

		if (z > best) {
			best = z;
			if (at)
				*at = k;
		}
	}
	return best;
}

static double median_of(const double *x, size_t n, double *tmp)
{
	memcpy(tmp, x, n * sizeof(*x));
	for (size_t i = 1; i < n; i++)   /* insertion sort: segments are short */
		for (size_t j = i; j > 0 && tmp[j - 1] > tmp[j]; j--) {
			double t = tmp[j];

			tmp[j] = tmp[j - 1];
			tmp[j - 1] = t;
		}
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

int nb_shift_test(const double *x, size_t n, size_t min_seg, unsigned perms, double alpha,
		  struct nb_rng *rng, struct nb_shift *out, char err[NB_ERR_LEN])
{
	static const char fn[] = "nb_shift_test";
	double *rank, *tmp;
	size_t ge = 0;

	if (!out || !rng)
		return series_fail(err, fn, "no output or random generator");
	if (check_series(x, n, fn, err))
		return -1;
	if (!(alpha > 0 && alpha < 1) || perms < 19)
		return series_fail(err, fn, "alpha must be in (0, 1) and perms at least 19");
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->p = 1;
	out->perms = perms;
	out->alpha = alpha;
	if (min_seg < 2)
		min_seg = 2;
	if (n < 2 * min_seg)
		return 0;   /* too short to split: no evidence */
	rank = malloc(n * sizeof(*rank));
	tmp = malloc(n * sizeof(*tmp));
	if (!rank || !tmp || midranks(x, n, rank)) {
		free(rank);
		free(tmp);
		return series_fail(err, fn, "out of memory");
	}
	out->stat = max_split_z(rank, n, min_seg, &out->split);
	out->before = median_of(x, out->split, tmp);
	out->after = median_of(x + out->split, n - out->split, tmp);
	out->rel = out->before != 0 ? out->after / out->before - 1 : NAN;
	for (unsigned p = 0; p < perms; p++) {
		for (size_t i = n - 1; i > 0; i--) {   /* Fisher-Yates */
			size_t j = nb_rng_below(rng, (uint32_t)(i + 1));
			double t = rank[i];

			rank[i] = rank[j];
			rank[j] = t;
		}
		ge += max_split_z(rank, n, min_seg, NULL) >= out->stat - 1e-12;
	}
	out->p = (double)(ge + 1) / (double)(perms + 1);
	out->shift = out->p < alpha;
	free(rank);
	free(tmp);
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int nb_drift_test(const double *x, size_t n, double alpha, struct nb_drift *out,
		  char err[NB_ERR_LEN])
{
	static const char fn[] = "nb_drift_test";
	double s = 0, var, *slopes, *tmp, tie = 0, med;
	size_t ns = 0;

	if (!out)
		return series_fail(err, fn, "no output");
	if (check_series(x, n, fn, err))
		return -1;
	if (!(alpha > 0 && alpha < 1))
		return series_fail(err, fn, "alpha must be in (0, 1)");
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->p = 1;
	out->alpha = alpha;
	if (n < 4)
		return 0;
	slopes = malloc(n * (n - 1) / 2 * sizeof(*slopes));
	tmp = malloc(n * sizeof(*tmp));
	if (!slopes || !tmp) {
		free(slopes);
		free(tmp);
		return series_fail(err, fn, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			s += (x[j] > x[i]) - (x[j] < x[i]);
			slopes[ns++] = (x[j] - x[i]) / (double)(j - i);
		}
	/* Mann-Kendall variance with the correction for tied values. */
	memcpy(tmp, x, n * sizeof(*x));
	qsort(tmp, n, sizeof(*tmp), cmp_d);
	for (size_t a = 0; a < n;) {
		size_t b = a;

		while (b + 1 < n && tmp[b + 1] == tmp[a])
			b++;
		double t = (double)(b - a + 1);

		tie += t * (t - 1) * (2 * t + 5);
		a = b + 1;
	}
	med = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
	double dn = (double)n;

	var = (dn * (dn - 1) * (2 * dn + 5) - tie) / 18;
	out->s = s;
	out->tau = s / (dn * (dn - 1) / 2);
	out->z = var > 0 ? (s - (s > 0 ? 1 : s < 0 ? -1 : 0)) / sqrt(var) : 0;
	out->p = fmin(1, erfc(fabs(out->z) / M_SQRT2));
	if (nb_stats_median(slopes, ns, &out->slope, NULL))   /* selection, not a sort */
		out->slope = NAN;
	out->rel = med != 0 ? out->slope * (dn - 1) / fabs(med) : NAN;
	out->drift = out->p < alpha;
	free(slopes);
	free(tmp);
	return 0;
}
