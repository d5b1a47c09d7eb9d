/* stats.c - sample summaries, median intervals, overhead bootstrap, Mann-Whitney U.
 * The methods, their definitions and references are in analysis/README.md. */
#include "stats.h"
#include "../common/err.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors and allocation ------------------------------------------------------- */

static int fail(char err[NB_ERR_LEN], const char *fn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char err[NB_ERR_LEN], const char *fn, const char *fmt, ...)
{
	va_list ap;
	int len;

	/* fn names the function for a debugger's eye only: messages reach users (a table's
	 * notes), who need what was wrong, not where. */
	(void)fn;
	if (!err)
		return -1;
	len = 0;
	va_start(ap, fmt);
	vsnprintf(err + len, NB_ERR_LEN - (size_t)len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Memory for `count` items of `size` bytes, or NULL with err on overflow/out of memory. */
static void *alloc_array(size_t count, size_t size, const char *fn, char err[NB_ERR_LEN])
{
	void *p;

	if (count == 0)
		count = 1;
	if (count > SIZE_MAX / size) {
		fail(err, fn, "%zu items are too many to allocate", count);
		return NULL;
	}
	p = malloc(count * size);
	if (!p)
		fail(err, fn, "out of memory for %zu items: %s", count, strerror(errno));
	return p;
}

/* A sample must be non-empty, not NULL, and finite; `positive` also requires x > 0. */
static int check_sample(const double *x, size_t n, const char *name, int positive,
			const char *fn, char err[NB_ERR_LEN])
{
	if (n == 0)
		return fail(err, fn, "sample %s is empty", name);
	if (!x)
		return fail(err, fn, "sample %s is NULL", name);
	for (size_t i = 0; i < n; i++) {
		if (isnan(x[i]))
			return fail(err, fn, "%s[%zu] is NaN", name, i);
		if (isinf(x[i]))
			return fail(err, fn, "%s[%zu] is infinite", name, i);
		if (positive && !(x[i] > 0))
			return fail(err, fn, "%s[%zu] = %g: a ratio needs values > 0", name, i,
				    x[i]);
	}
	return 0;
}

static int check_level(double level, const char *fn, char err[NB_ERR_LEN])
{
	if (!(level > 0 && level <= 1 - 1e-9))
		return fail(err, fn, "level %g is not in (0, 1 - 1e-9]", level);
	return 0;
}

/* ---- sorting and selection -------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void sort_doubles(double *v, size_t n)
{
	if (n < 2)
		return;
	if (n <= 24) {  /* insertion sort: small samples are the common case */
		for (size_t i = 1; i < n; i++) {
			double t = v[i];
			size_t j = i;

			while (j > 0 && v[j - 1] > t) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = t;
		}
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
}

/* Rearrange v so that v[k] is the value of rank k (0-based), everything before it is
 * <= v[k] and everything after is >= v[k] (nth_element).  Hoare partitioning with a
 * median-of-three pivot; falls back to sorting the range if it ever degenerates. */
static void select_k(double *v, size_t n, size_t k)
{
	size_t l = 0, r = n - 1;
	int rounds = 0;

	while (r > l) {
		if (r - l < 16 || ++rounds > 64) {
			sort_doubles(v + l, r - l + 1);
			return;
		}
		size_t m = l + (r - l) / 2;
		double t;
#define SWAP(a, b) (t = v[a], v[a] = v[b], v[b] = t)
		if (v[m] < v[l])
			SWAP(m, l);
		if (v[r] < v[l])
			SWAP(r, l);
		if (v[r] < v[m])
			SWAP(r, m);
		double pivot = v[m];
		size_t i = l, j = r;

		/* v[l] <= pivot <= v[r] stop both scans inside [l, r]. */
		for (;;) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i >= j)
				break;
			SWAP(i, j);
			i++;
			j--;
		}
#undef SWAP
		/* Now [l, j] <= pivot and [j + 1, r] >= pivot. */
		if (k <= j)
			r = j;
		else
			l = j + 1;
	}
}

/* Type-7 interpolation between the values at 0-based ranks lo and lo + 1, as R does. */
static double interp7(double a, double b, double h)
{
	if (h <= 0 || a == b)
		return a;
	return (1 - h) * a + h * b;
}

double nb_stats_quantile_sorted(const double *s, size_t n, double p)
{
	if (p < 0)
		p = 0;
	if (p > 1)
		p = 1;
	double idx = (double)(n - 1) * p;
	size_t lo = (size_t)floor(idx);

	if (lo >= n - 1)
		return s[n - 1];
	return interp7(s[lo], s[lo + 1], idx - (double)lo);
}

/* The same quantile by selection; reorders v. */
static double quantile_select(double *v, size_t n, double p)
{
	double idx = (double)(n - 1) * p;
	size_t lo = (size_t)floor(idx);

	if (lo >= n - 1) {
		select_k(v, n, n - 1);
		return v[n - 1];
	}
	select_k(v, n, lo);
	double a = v[lo], b = v[lo + 1];

	for (size_t i = lo + 2; i < n; i++)  /* rank lo + 1 is the minimum of the rest */
		if (v[i] < b)
			b = v[i];
	return interp7(a, b, idx - (double)lo);
}

static double median_sorted(const double *s, size_t n)
{
	return nb_stats_quantile_sorted(s, n, 0.5);
}

/* A sorted copy of x (checked), or NULL with err. */
static double *sorted_copy(const double *x, size_t n, const char *name, int positive,
			   const char *fn, char err[NB_ERR_LEN])
{
	if (check_sample(x, n, name, positive, fn, err))
		return NULL;
	double *s = alloc_array(n, sizeof(*s), fn, err);

	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof(*s));
	sort_doubles(s, n);
	return s;
}

static int quantile_checked(const double *x, size_t n, double p, double *out,
			    const char *fn, char err[NB_ERR_LEN])
{
	if (!out)
		return fail(err, fn, "no output");
	if (!(p >= 0 && p <= 1))
		return fail(err, fn, "probability %g is not in [0, 1]", p);
	if (check_sample(x, n, "x", 0, fn, err))
		return -1;
	double *v = alloc_array(n, sizeof(*v), fn, err);

	if (!v)
		return -1;
	memcpy(v, x, n * sizeof(*v));
	*out = quantile_select(v, n, p);
	free(v);
	return 0;
}

int nb_stats_quantile(const double *x, size_t n, double p, double *out, char err[NB_ERR_LEN])
{
	return quantile_checked(x, n, p, out, "nb_stats_quantile", err);
}

int nb_stats_median(const double *x, size_t n, double *out, char err[NB_ERR_LEN])
{
	return quantile_checked(x, n, 0.5, out, "nb_stats_median", err);
}

/* ---- random numbers ---------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void nb_rng_seed(struct nb_rng *r, uint64_t seed)
{
	uint64_t sm = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&sm);
}

void nb_rng_seed_key(struct nb_rng *r, uint64_t seed, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;  /* FNV-1a, 64 bits */
	uint64_t sm = seed;

	for (const unsigned char *p = (const unsigned char *)(key ? key : ""); *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	nb_rng_seed(r, splitmix64(&sm) ^ h);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t nb_rng_next(struct nb_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double nb_rng_uniform(struct nb_rng *r)
{
	return (double)(nb_rng_next(r) >> 11) * 0x1.0p-53;
}

uint32_t nb_rng_below(struct nb_rng *r, uint32_t n)
{
	uint64_t m = (nb_rng_next(r) >> 32) * (uint64_t)n;
	uint32_t low = (uint32_t)m;

	if (low < n) {
		uint32_t threshold = (uint32_t)(-n) % n;  /* 2^32 mod n */

		while (low < threshold) {
			m = (nb_rng_next(r) >> 32) * (uint64_t)n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

/* ---- summary ------------------------------------------------------------------------ */

int nb_stats_summary(const double *x, size_t n, double outlier_k, double cv_threshold,
		     unsigned char *is_outlier, struct nb_summary *out, char err[NB_ERR_LEN])
{
	static const char fn[] = "nb_stats_summary";

	if (!out)
		return fail(err, fn, "no output");
	if (isnan(outlier_k) || isnan(cv_threshold))
		return fail(err, fn, "outlier_k and cv_threshold must be numbers");
	double *s = sorted_copy(x, n, "x", 0, fn, err);

	if (!s)
		return -1;
	double *dev = alloc_array(n, sizeof(*dev), fn, err);

	if (!dev) {
		free(s);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->q1 = nb_stats_quantile_sorted(s, n, 0.25);
	out->median = median_sorted(s, n);
	out->q3 = nb_stats_quantile_sorted(s, n, 0.75);

	/* Mean and sd: two passes over the sorted copy (summing in increasing order), the
	 * second with the correction term that cancels the mean's rounding error. */
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += s[i];
	out->mean = sum / (double)n;
	if (n < 2) {
		out->sd = NAN;
		out->cv = NAN;
	} else {
		double ss = 0, comp = 0;

		for (size_t i = 0; i < n; i++) {
			double d = s[i] - out->mean;

			ss += d * d;
			comp += d;
		}
		ss -= comp * comp / (double)n;
		out->sd = ss > 0 ? sqrt(ss / (double)(n - 1)) : 0;
		if (out->sd == 0)
			out->cv = 0;
		else if (out->mean == 0)
			out->cv = INFINITY;
		else
			out->cv = out->sd / fabs(out->mean);
	}
	out->cv_threshold = cv_threshold;
	out->high_cv = !isnan(out->cv) && out->cv > cv_threshold;

	/* MAD: the median of |x - median|, scaled to estimate sigma. */
	double med = out->median, absdev_sum = 0;

	for (size_t i = 0; i < n; i++) {
		dev[i] = fabs(s[i] - med);
		absdev_sum += dev[i];
	}
	sort_doubles(dev, n);
	out->mad = NB_STATS_MAD_SCALE * median_sorted(dev, n);

	out->outlier_k = outlier_k > 0 ? outlier_k : NB_STATS_OUTLIER_K;
	if (out->mad > 0) {
		out->outlier_scale = out->mad;
	} else {
		out->mad_zero = 1;
		out->outlier_scale = NB_STATS_MEANAD_SCALE * (absdev_sum / (double)n);
	}
	double cut = out->outlier_k * out->outlier_scale;

	for (size_t i = 0; i < n; i++) {
		int o = out->outlier_scale > 0 && fabs(x[i] - med) > cut;

		if (o) {
			out->n_outliers++;
			if (x[i] < med)
				out->n_low++;
			else
				out->n_high++;
		}
		if (is_outlier)
			is_outlier[i] = (unsigned char)o;
	}
	free(dev);
	free(s);
	return 0;
}

/* ---- order-statistic interval of the median ------------------------------------------ */

int nb_stats_median_ci_ranks(size_t n, double level, size_t *lo_rank, size_t *hi_rank,
			     double *coverage)
{
	if (n == 0 || !(level > 0 && level <= 1 - 1e-9))
		return -1;

	/* The interval [x_(l), x_(n+1-l)] misses the median when fewer than l values lie
	 * below it or fewer than l above: coverage = 1 - 2 P(X <= l - 1), X ~ Bin(n, 1/2).
	 * Walk k = l - 1 upwards with pmf = P(X = k), cdf = P(X <= k).  For n <= 1000 the
	 * walk starts at k = 0 with pmf 2^-n (exact); above, 16 standard deviations below
	 * the mean (pmf from lgamma), where the mass left out is below 1e-50. */
	double tail = (1 - level) / 2 * (1 + 1e-9);  /* allowance for rounding only */
	double nd = (double)n, pmf;
	size_t k = 0, lmax = (n + 1) / 2;  /* l <= n + 1 - l */

	if (n > 1000) {
		k = (size_t)floor(nd / 2 - 8 * sqrt(nd));
		pmf = exp(lgamma(nd + 1) - lgamma((double)k + 1) - lgamma(nd - (double)k + 1) -
			  nd * M_LN2);
	} else {
		pmf = ldexp(1.0, -(int)n);
	}
	double cdf = pmf;
	int reached = cdf <= tail;

	/* Narrow the interval (l = k + 2) while it still reaches the level. */
	while (reached && k + 2 <= lmax) {
		double next_pmf = pmf * (double)(n - k) / (double)(k + 1);

		if (!(cdf + next_pmf <= tail))
			break;
		k++;
		pmf = next_pmf;
		cdf += next_pmf;
	}
	/* Not reached (only possible when k = 0): the full range, l = 1. */
	if (lo_rank)
		*lo_rank = k + 1;
	if (hi_rank)
		*hi_rank = n - k;
	if (coverage)
		*coverage = 1 - 2 * cdf;
	return reached;
}

size_t nb_stats_median_ci_min_n(double level)
{
	size_t n = 1;

	if (!(level > 0 && level <= 1 - 1e-9))
		return 0;
	while (nb_stats_median_ci_ranks(n, level, NULL, NULL, NULL) != 1)
		n++;
	return n;
}

/* Order-statistic interval from a sorted sample. */
static void median_ci_sorted(const double *s, size_t n, double level, struct nb_ci *out)
{
	size_t l, u;
	double cov;
	int reached = nb_stats_median_ci_ranks(n, level, &l, &u, &cov);

	memset(out, 0, sizeof(*out));
	out->point = median_sorted(s, n);
	out->lo = s[l - 1];
	out->hi = s[u - 1];
	out->level = level;
	out->coverage = cov;
	out->lo_rank = l;
	out->hi_rank = u;
	out->reached = reached == 1;
}

int nb_stats_median_ci(const double *x, size_t n, double level, struct nb_ci *out,
		       char err[NB_ERR_LEN])
{
	static const char fn[] = "nb_stats_median_ci";

	if (!out)
		return fail(err, fn, "no output");
	if (check_level(level, fn, err))
		return -1;
	double *s = sorted_copy(x, n, "x", 0, fn, err);

	if (!s)
		return -1;
	median_ci_sorted(s, n, level, out);
	free(s);
	return 0;
}

int nb_stats_ci_converged(const double *x, size_t n, double level, double target_rel,
			  struct nb_ci *ci, char err[NB_ERR_LEN])
{
	static const char fn[] = "nb_stats_ci_converged";
	struct nb_ci c;

	if (!(target_rel >= 0) || isinf(target_rel))
		return fail(err, fn, "target %g is not a finite number >= 0", target_rel);
	if (check_level(level, fn, err))
		return -1;
	double *s = sorted_copy(x, n, "x", 0, fn, err);

	if (!s)
		return -1;
	median_ci_sorted(s, n, level, &c);
	free(s);
	if (ci)
		*ci = c;
	if (!c.reached)
		return 0;
	double half = fmax(c.point - c.lo, c.hi - c.point);

	return half <= target_rel * fabs(c.point);
}

/* ---- bootstrap -------------------------------------------------------------------- */

/* The median of one resample (with replacement) of the sorted sample s: count how many
 * times each index is drawn, then walk the counts to the middle rank(s).  O(n) per
 * resample, no sorting: the resample's order statistics are s at the drawn indices. */
static double boot_median_once(const double *s, size_t n, uint32_t *cnt,
			       struct nb_rng *rng)
{
	size_t k1 = (n - 1) / 2, k2 = n / 2;  /* 0-based middle ranks (equal for odd n) */
	size_t cum = 0, j = 0;

	memset(cnt, 0, n * sizeof(*cnt));
	for (size_t i = 0; i < n; i++)
		cnt[nb_rng_below(rng, (uint32_t)n)]++;
	while (cum + cnt[j] <= k1)
		cum += cnt[j++];
	double a = s[j];

	if (k2 == k1 || cum + cnt[j] > k2)  /* both middle ranks fall on index j */
		return a;
	j++;
	while (cnt[j] == 0)
		j++;
	return interp7(a, s[j], 0.5);
}

static int check_boot(size_t n, unsigned resamples, struct nb_rng *rng, const char *fn,
		      char err[NB_ERR_LEN])
{
	if (!rng)
		return fail(err, fn, "no random number generator");
	if (resamples < NB_BOOT_MIN_RESAMPLES)
		return fail(err, fn, "%u resamples: at least %d are needed", resamples,
			    NB_BOOT_MIN_RESAMPLES);
	if (n > UINT32_MAX)
		return fail(err, fn, "%zu values: the bootstrap takes at most 2^32 - 1", n);
	return 0;
}

int nb_boot_medians(const double *x, size_t n, unsigned resamples, struct nb_rng *rng,
		    double *out, char err[NB_ERR_LEN])
{
	static const char fn[] = "nb_boot_medians";

	if (!out)
		return fail(err, fn, "no output");
	if (check_boot(n, resamples, rng, fn, err))
		return -1;
	double *s = sorted_copy(x, n, "x", 0, fn, err);

	if (!s)
		return -1;
	uint32_t *cnt = alloc_array(n, sizeof(*cnt), fn, err);

	if (!cnt) {
		free(s);
		return -1;
	}
	for (unsigned r = 0; r < resamples; r++)
		out[r] = boot_median_once(s, n, cnt, rng);
	free(cnt);
	free(s);
	return 0;
}

int nb_boot_median_ci(const double *x, size_t n, double level, unsigned resamples,
		      struct nb_rng *rng, struct nb_ci *out, char err[NB_ERR_LEN])
{
	static const char fn[] = "nb_boot_median_ci";

	if (!out)
		return fail(err, fn, "no output");
	if (check_level(level, fn, err) || check_boot(n, resamples, rng, fn, err))
		return -1;
	double *s = sorted_copy(x, n, "x", 0, fn, err);

	if (!s)
		return -1;
	double *rep = alloc_array(resamples, sizeof(*rep), fn, err);
	uint32_t *cnt = rep ? alloc_array(n, sizeof(*cnt), fn, err) : NULL;

	if (!cnt) {
		free(rep);
		free(s);
		return -1;
	}
	for (unsigned r = 0; r < resamples; r++)
		rep[r] = boot_median_once(s, n, cnt, rng);
	memset(out, 0, sizeof(*out));
	out->point = median_sorted(s, n);
	out->lo = quantile_select(rep, resamples, (1 - level) / 2);
	out->hi = quantile_select(rep, resamples, (1 + level) / 2);
	out->level = level;
	out->coverage = level;
	out->reached = n >= nb_stats_median_ci_min_n(level);
	out->resamples = resamples;
	free(cnt);
	free(rep);
	free(s);
	return 0;
}

/* ---- overhead and delta ------------------------------------------------------------ */

/* num/den - 1 for the ratio of medians; one expression for the point and every
 * resample, so constant samples give an interval that is exactly the point. */
static double rel(double num, double den)
{
	return num / den - 1;
}

/* Median ratio of t over b with its percentile bootstrap interval.  invert: 0 gives
 * med(t)/med(b) - 1 (time-like overhead), 1 gives med(b)/med(t) - 1 (throughput), -1 is
 * the delta (as 0, but the samples are called "new" and "old" in messages). */
static int ratio_ci(const double *t, size_t n_t, const double *b, size_t n_b, int invert,
		    double level, unsigned resamples, struct nb_rng *rng,
		    struct nb_ratio_ci *out, const char *fn, char err[NB_ERR_LEN])
{
	if (!out)
		return fail(err, fn, "no output");
	if (check_level(level, fn, err) || check_boot(n_t > n_b ? n_t : n_b, resamples, rng,
						      fn, err))
		return -1;
	const char *tn = invert < 0 ? "new" : "t", *bn = invert < 0 ? "old" : "b";
	double *st = sorted_copy(t, n_t, tn, 1, fn, err);

	if (!st)
		return -1;
	double *sb = sorted_copy(b, n_b, bn, 1, fn, err);
	double *rep = sb ? alloc_array(resamples, sizeof(*rep), fn, err) : NULL;
	uint32_t *cnt = rep ? alloc_array(n_t > n_b ? n_t : n_b, sizeof(*cnt), fn, err) : NULL;

	if (!cnt) {
		free(rep);
		free(sb);
		free(st);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->median_t = median_sorted(st, n_t);
	out->median_b = median_sorted(sb, n_b);
	out->point = invert > 0 ? rel(out->median_b, out->median_t)
				: rel(out->median_t, out->median_b);
	for (unsigned r = 0; r < resamples; r++) {
		double mt = boot_median_once(st, n_t, cnt, rng);
		double mb = boot_median_once(sb, n_b, cnt, rng);

		rep[r] = invert > 0 ? rel(mb, mt) : rel(mt, mb);
	}
	out->lo = quantile_select(rep, resamples, (1 - level) / 2);
	out->hi = quantile_select(rep, resamples, (1 + level) / 2);
	out->level = level;
	out->resamples = resamples;
	out->n_t = n_t;
	out->n_b = n_b;
	out->few_samples = (n_t < n_b ? n_t : n_b) < nb_stats_median_ci_min_n(level);
	free(cnt);
	free(rep);
	free(sb);
	free(st);
	return 0;
}

int nb_stats_overhead(const double *t, size_t n_t, const double *b, size_t n_b,
		      enum nb_stats_better better, double level, unsigned resamples,
		      struct nb_rng *rng, struct nb_ratio_ci *out, char err[NB_ERR_LEN])
{
	static const char fn[] = "nb_stats_overhead";

	if (better != NB_STATS_LOWER_BETTER && better != NB_STATS_HIGHER_BETTER)
		return fail(err, fn, "unknown metric direction %d", (int)better);
	return ratio_ci(t, n_t, b, n_b, better == NB_STATS_HIGHER_BETTER, level, resamples, rng,
			out, fn, err);
}

int nb_stats_delta(const double *old_x, size_t n_old, const double *new_x, size_t n_new,
		   double level, unsigned resamples, struct nb_rng *rng,
		   struct nb_ratio_ci *out, char err[NB_ERR_LEN])
{
	return ratio_ci(new_x, n_new, old_x, n_old, -1, level, resamples, rng, out,
			"nb_stats_delta", err);
}

/* ---- Mann-Whitney U --------------------------------------------------------------- */

const char *nb_mwu_method_name(enum nb_mwu_method m)
{
	return m == NB_MWU_EXACT ? "exact" : "normal";
}

/* P(U <= u) under H0 for sizes m, n without ties: the number of arrangements with
 * U <= u over C(m + n, m).  The counts are the coefficients of the Gaussian binomial
 * [m + n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i), built one factor at a
 * time and truncated at q^u (all that the tail needs). */
static double mwu_exact_cdf(size_t m, size_t n, size_t u, double *c)
{
	if (m > n) {
		size_t t = m;

		m = n;
		n = t;
	}
	memset(c, 0, (u + 1) * sizeof(*c));
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		size_t a = n + i;

		for (size_t k = u; k >= a && k <= u; k--)  /* times (1 - q^a) */
			c[k] -= c[k - a];
		for (size_t k = i; k <= u; k++)            /* divided by (1 - q^i) */
			c[k] += c[k - i];
	}
	double tail = 0, total = 1;

	for (size_t k = 0; k <= u; k++)
		tail += c[k];
	for (size_t i = 1; i <= m; i++)  /* C(m + n, m), exact while below 2^53 */
		total = total * (double)(n + i) / (double)i;
	return tail / total;
}

static double binom_coef(size_t n, size_t k)
{
	double c = 1;

	if (k > n - k)
		k = n - k;
	for (size_t i = 1; i <= k; i++)
		c = c * (double)(n - k + i) / (double)i;
	return c;
}

int nb_mwu_test(const double *x, size_t n1, const double *y, size_t n2, double alpha,
		struct nb_mwu *out, char err[NB_ERR_LEN])
{
	static const char fn[] = "nb_mwu_test";

	if (!out)
		return fail(err, fn, "no output");
	if (!(alpha > 0 && alpha < 1))
		return fail(err, fn, "alpha %g is not in (0, 1)", alpha);
	double *sx = sorted_copy(x, n1, "x", 0, fn, err);

	if (!sx)
		return -1;
	double *sy = sorted_copy(y, n2, "y", 0, fn, err);

	if (!sy) {
		free(sx);
		return -1;
	}

	/* Merge the sorted samples; each run of equal values gets the mean of its ranks.
	 * rank_sum_x and the tie term sum(t^3 - t) are exact in doubles (half-integers). */
	double rank_sum_x = 0, tie_term = 0;
	size_t i = 0, j = 0, rank = 1;  /* rank of the next value */
	int ties = 0;

	while (i < n1 || j < n2) {
		double v = i < n1 && (j >= n2 || sx[i] <= sy[j]) ? sx[i] : sy[j];
		size_t cx = 0, cy = 0;

		while (i < n1 && sx[i] == v) {
			i++;
			cx++;
		}
		while (j < n2 && sy[j] == v) {
			j++;
			cy++;
		}
		double t = (double)(cx + cy);
		double mid = (double)rank + (t - 1) / 2;

		rank_sum_x += (double)cx * mid;
		if (cx + cy > 1) {
			ties = 1;
			tie_term += t * t * t - t;
		}
		rank += cx + cy;
	}
	free(sx);
	free(sy);

	double d1 = (double)n1, d2 = (double)n2, mn = d1 * d2, nn = d1 + d2;

	memset(out, 0, sizeof(*out));
	out->n1 = n1;
	out->n2 = n2;
	out->u = rank_sum_x - d1 * (d1 + 1) / 2;
	out->prob_greater = out->u / mn;
	out->ties = ties;
	out->alpha = alpha;
	out->min_p = fmin(1, 2 / binom_coef(n1 + n2, n1));
	out->too_few = out->min_p > alpha;

	if (!ties && n1 < 50 && n2 < 50) {
		/* As R: p = 2 P(U <= min(u, mn - u)), by the symmetry of U's distribution. */
		size_t umin = (size_t)fmin(out->u, mn - out->u);
		double *c = alloc_array(umin + 1, sizeof(*c), fn, err);

		if (!c)
			return -1;
		out->method = NB_MWU_EXACT;
		out->z = NAN;
		out->p = fmin(1, 2 * mwu_exact_cdf(n1, n2, umin, c));
		free(c);
		return 0;
	}

	/* Normal approximation, as R's wilcox.test(correct = TRUE). */
	double dz = out->u - mn / 2;
	double sigma = sqrt(mn / 12 * ((nn + 1) - tie_term / (nn * (nn - 1))));

	out->method = NB_MWU_NORMAL;
	if (!(sigma > 0)) {  /* every value equal: no evidence of any difference */
		out->z = 0;
		out->p = 1;
		return 0;
	}
	double corr = dz > 0 ? 0.5 : dz < 0 ? -0.5 : 0;

	out->z = (dz - corr) / sigma;
	out->p = fmin(1, erfc(fabs(out->z) / M_SQRT2));
	return 0;
}
