/* test_stats.c - analysis/stats: every figure checked against a value derived
 * independently here (integer binomial sums, brute-force enumeration, a naive bootstrap)
 * or against R 4.2 (quantile(), sd(), mad(), wilcox.test()), quoted to 17 digits. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../stats/stats.h"

#include <stdlib.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers (independent of the library, except for the RNG as a data source) ---- */

static double normal01(struct nb_rng *r)
{
	double u1 = 1 - nb_rng_uniform(r), u2 = nb_rng_uniform(r);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static double round_half(double v)
{
	return round(2 * v) / 2;
}

/* C(n, k) for n <= 62 by Pascal's triangle, exact. */
static uint64_t choose(unsigned n, unsigned k)
{
	static uint64_t t[63][63];

	if (!t[0][0])
		for (unsigned i = 0; i < 63; i++) {
			t[i][0] = t[i][i] = 1;
			for (unsigned j = 1; j < i; j++)
				t[i][j] = t[i - 1][j - 1] + t[i - 1][j];
		}
	return k > n ? 0 : t[n][k];
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* R's median of a small array (sorts a copy). */
static double naive_median(const double *x, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_d);
	double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;

	free(s);
	return m;
}

/* ---- random numbers ---- */

TEST(rng_published_vectors)
{
	/* xoshiro256** from the state {1, 2, 3, 4}: the reference implementation's outputs. */
	static const uint64_t xo[] = {
		11520u, 0u, 1509978240u, 1215971899390074240u, 1216172134540287360u,
		607988272756665600u, 16172922978634559625u, 8476171486693032832u,
		10595114339597558777u, 2904607092377533576u,
	};
	struct nb_rng r = { { 1, 2, 3, 4 } };

	for (size_t i = 0; i < LEN(xo); i++)
		CHECK_EQ_U64(nb_rng_next(&r), xo[i]);

	/* nb_rng_seed(0): the state is splitmix64's first four outputs from 0. */
	static const uint64_t sm[] = { 0xe220a8397b1dcdafu, 0x6e789e6aa1b965f4u,
				       0x06c45d188009454fu, 0xf88bb8a8724c81ecu };
	nb_rng_seed(&r, 0);
	for (size_t i = 0; i < 4; i++)
		CHECK_EQ_U64(r.s[i], sm[i]);
}

TEST(rng_seeding_is_deterministic)
{
	struct nb_rng a, b, c, d;
	int differ = 0;

	nb_rng_seed(&a, 42);
	nb_rng_seed(&b, 42);
	nb_rng_seed(&c, 43);
	for (int i = 0; i < 100; i++) {
		uint64_t va = nb_rng_next(&a);

		CHECK(va == nb_rng_next(&b));
		differ |= va != nb_rng_next(&c);
	}
	CHECK(differ);
	nb_rng_seed_key(&a, 7, "mem.lat|L1");
	nb_rng_seed_key(&b, 7, "mem.lat|L1");
	nb_rng_seed_key(&c, 7, "mem.lat|L2");
	nb_rng_seed_key(&d, 8, "mem.lat|L1");
	uint64_t va = nb_rng_next(&a);

	CHECK(va == nb_rng_next(&b));
	CHECK(va != nb_rng_next(&c));
	CHECK(va != nb_rng_next(&d));
}

TEST(rng_below_is_in_range_and_uniform)
{
	struct nb_rng r;
	unsigned cnt[7] = { 0 };

	nb_rng_seed(&r, 1);
	for (int i = 0; i < 70000; i++) {
		uint32_t v = nb_rng_below(&r, 7);

		CHECK(v < 7);
		cnt[v]++;
	}
	/* Binomial(70000, 1/7): sd 92.6; 5 sd. */
	for (int i = 0; i < 7; i++)
		CHECK_MSG(abs((int)cnt[i] - 10000) < 463, "count[%d] = %u", i, cnt[i]);
	for (int i = 0; i < 100; i++)
		CHECK(nb_rng_below(&r, 1) == 0);
	/* A bound near 2^32 (rejection is frequent): still in range, both halves hit. */
	unsigned lo = 0, hi = 0;

	for (int i = 0; i < 1000; i++) {
		uint32_t v = nb_rng_below(&r, 3000000000u);

		CHECK(v < 3000000000u);
		lo += v < 1500000000u;
		hi += v >= 1500000000u;
	}
	CHECK(lo > 400 && hi > 400);
	for (int i = 0; i < 1000; i++) {
		double u = nb_rng_uniform(&r);

		CHECK(u >= 0 && u < 1);
	}
}

/* ---- quantiles and summary ---- */

TEST(quantile_type7_matches_R)
{
	/* R: quantile(1:10, c(0, .1, .25, .33, .5, .75, .9, 1)) */
	const double x[] = { 7, 3, 10, 1, 5, 9, 2, 8, 6, 4 };
	double copy[LEN(x)], q;
	static const double p[] = { 0, 0.1, 0.25, 0.33, 0.5, 0.75, 0.9, 1 };
	static const double want[] = { 1, 1.8999999999999999, 3.25, 3.9700000000000002,
				       5.5, 7.75, 9.0999999999999996, 10 };
	char err[NB_ERR_LEN];

	memcpy(copy, x, sizeof(x));
	for (size_t i = 0; i < LEN(p); i++) {
		CHECK(nb_stats_quantile(x, LEN(x), p[i], &q, err) == 0);
		CHECK_NEAR(q, want[i], 1e-15);
	}
	CHECK(memcmp(copy, x, sizeof(x)) == 0);
	CHECK(nb_stats_median(x, LEN(x), &q, err) == 0 && q == 5.5);
	CHECK(nb_stats_median(x, 9, &q, err) == 0 && q == 6);  /* 1,2,3,5,6,7,8,9,10 */
	CHECK(nb_stats_quantile(x, LEN(x), 1.5, &q, err) == -1);
	CHECK(!strstr(err, "nb_stats_quantile") && strstr(err, "1.5"));   /* no internal name */
	CHECK(nb_stats_quantile(x, LEN(x), NAN, &q, err) == -1);
	CHECK(nb_stats_median(x, 0, &q, err) == -1);
	CHECK_STR(err, "sample x is empty");
	const double one = 4.25;

	CHECK(nb_stats_quantile(&one, 1, 0.9, &q, NULL) == 0 && q == 4.25);
}

TEST(quantile_by_selection_matches_sorting)
{
	/* nb_stats_quantile selects (nth_element) instead of sorting: check it on sizes
	 * around the insertion-sort cut-off, on sorted, reversed, constant, two-valued and
	 * random data, against a sorted copy. */
	static const size_t sizes[] = { 1, 2, 3, 15, 16, 17, 31, 100, 1001, 5000 };
	static const double ps[] = { 0, 0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 1 };
	static double x[5000], s[5000];
	struct nb_rng r;

	nb_rng_seed(&r, 8086);
	for (size_t a = 0; a < LEN(sizes); a++)
		for (int kind = 0; kind < 5; kind++) {
			size_t n = sizes[a];

			for (size_t i = 0; i < n; i++)
				x[i] = kind == 0   ? (double)i
				       : kind == 1 ? (double)(n - i)
				       : kind == 2 ? 4.0
				       : kind == 3 ? (double)nb_rng_below(&r, 2)
						   : normal01(&r);
			memcpy(s, x, n * sizeof(double));
			qsort(s, n, sizeof(double), cmp_d);
			for (size_t j = 0; j < LEN(ps); j++) {
				double h = (double)(n - 1) * ps[j], q;
				size_t lo = (size_t)h;
				double want = lo + 1 < n ? s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo])
							 : s[n - 1];

				CHECK(nb_stats_quantile(x, n, ps[j], &q, NULL) == 0);
				CHECK_MSG(fabs(q - want) <= 1e-12 * (1 + fabs(want)),
					  "n=%zu kind=%d p=%g: %.17g vs %.17g", n, kind, ps[j], q,
					  want);
				CHECK(nb_stats_quantile_sorted(s, n, ps[j]) == q);
			}
		}
}

TEST(summary_matches_R)
{
	/* R: x <- c(2,4,4,4,5,5,7,9); quantile(x); sd(x); mad(x); sd(x)/mean(x) */
	const double x[] = { 5, 2, 9, 4, 4, 7, 4, 5 };
	double copy[LEN(x)];
	unsigned char flag[LEN(x)];
	struct nb_summary s;
	char err[NB_ERR_LEN];

	memcpy(copy, x, sizeof(x));
	CHECK(nb_stats_summary(x, LEN(x), 0, 0.4, flag, &s, err) == 0);
	CHECK(memcmp(copy, x, sizeof(x)) == 0);
	CHECK(s.n == 8);
	CHECK_NEAR(s.mean, 5, 1e-15);
	CHECK_NEAR(s.sd, 2.1380899352993952, 1e-15);
	CHECK_NEAR(s.cv, 0.42761798705987902, 1e-15);
	CHECK(s.min == 2 && s.q1 == 4 && s.median == 4.5 && s.q3 == 5.5 && s.max == 9);
	CHECK_NEAR(s.mad, 0.74129999999999996, 1e-15);
	/* Default k = 3.5: cut-off 3.5 * 0.7413 = 2.59455 from 4.5; only 9 lies beyond. */
	CHECK(s.outlier_k == 3.5 && s.outlier_scale == s.mad && !s.mad_zero);
	CHECK(s.n_outliers == 1 && s.n_high == 1 && s.n_low == 0);
	for (size_t i = 0; i < LEN(x); i++)
		CHECK(flag[i] == (i == 2));
	CHECK(s.high_cv == 1);  /* 0.4276 > 0.4 */

	/* k = 1.5: cut-off 1.11195; 2 and 7 (2.5 away) and 9 (4.5 away). */
	CHECK(nb_stats_summary(x, LEN(x), 1.5, 0.5, NULL, &s, err) == 0);
	CHECK(s.n_outliers == 3 && s.n_low == 1 && s.n_high == 2);
	CHECK(s.high_cv == 0);
}

TEST(summary_mad_zero_uses_mean_abs_deviation)
{
	/* More than half equal: MAD = 0.  MeanAD from the median 10 = 90/8 = 11.25;
	 * scale 1.253314 * 11.25 = 14.0998; cut 3.5 * that = 49.35 < 90: 100 is an outlier. */
	const double x[] = { 10, 10, 10, 100, 10, 10, 10, 10 };
	unsigned char flag[LEN(x)];
	struct nb_summary s;

	CHECK(nb_stats_summary(x, LEN(x), 0, 1, flag, &s, NULL) == 0);
	CHECK(s.mad == 0 && s.mad_zero == 1);
	CHECK_NEAR(s.outlier_scale, 1.253314 * 11.25, 1e-12);
	CHECK(s.n_outliers == 1 && s.n_high == 1 && flag[3] == 1 && flag[0] == 0);

	/* All equal: nothing is an outlier, sd = cv = 0. */
	const double c[] = { 3, 3, 3, 3 };

	CHECK(nb_stats_summary(c, LEN(c), 0, 0, flag, &s, NULL) == 0);
	CHECK(s.n_outliers == 0 && s.sd == 0 && s.cv == 0 && s.high_cv == 0);
	CHECK(s.mad_zero == 1 && s.outlier_scale == 0);
}

TEST(summary_single_value_and_errors)
{
	const double one = 12.5;
	struct nb_summary s;
	char err[NB_ERR_LEN];

	CHECK(nb_stats_summary(&one, 1, 0, 0.05, NULL, &s, err) == 0);
	CHECK(s.n == 1 && s.median == 12.5 && s.mean == 12.5 && s.q1 == 12.5);
	CHECK(isnan(s.sd) && isnan(s.cv) && s.high_cv == 0 && s.n_outliers == 0);

	const double bad[] = { 1, 2, 3, NAN, 5 };

	CHECK(nb_stats_summary(bad, LEN(bad), 0, 0.05, NULL, &s, err) == -1);
	CHECK_STR(err, "x[3] is NaN");
	const double inf[] = { 1, -INFINITY };

	CHECK(nb_stats_summary(inf, LEN(inf), 0, 0.05, NULL, &s, err) == -1);
	CHECK_STR(err, "x[1] is infinite");
	CHECK(nb_stats_summary(bad, 0, 0, 0.05, NULL, &s, err) == -1);
	CHECK_STR(err, "sample x is empty");
	CHECK(nb_stats_summary(NULL, 3, 0, 0.05, NULL, &s, err) == -1);
	CHECK(nb_stats_summary(bad, 3, 0, NAN, NULL, &s, NULL) == -1);  /* err may be NULL */

	/* Negative values are fine for a summary; cv uses |mean|. */
	const double neg[] = { -1, -2, -3 };

	CHECK(nb_stats_summary(neg, 3, 0, 0.4, NULL, &s, err) == 0);
	CHECK_NEAR(s.cv, 0.5, 1e-15);
	CHECK(s.high_cv == 1);
}

/* ---- order-statistic interval of the median ---- */

TEST(median_ci_ranks_published_values)
{
	size_t l, u;
	double cov;

	/* n = 10, 95 %: ranks 2 and 9; coverage 1 - 2 (C(10,0) + C(10,1)) / 2^10. */
	CHECK(nb_stats_median_ci_ranks(10, 0.95, &l, &u, &cov) == 1);
	CHECK(l == 2 && u == 9);
	CHECK_NEAR(cov, 1 - 2.0 * (double)(choose(10, 0) + choose(10, 1)) / 1024, 1e-15);
	CHECK_NEAR(cov, 0.9785, 5e-5);
	/* n = 20: ranks 6 and 15; coverage 1 - 2 sum_{i<=5} C(20,i) / 2^20 = 0.9586. */
	uint64_t s = 0;

	for (unsigned i = 0; i <= 5; i++)
		s += choose(20, i);
	CHECK(s == 21700);
	CHECK(nb_stats_median_ci_ranks(20, 0.95, &l, &u, &cov) == 1);
	CHECK(l == 6 && u == 15);
	CHECK_NEAR(cov, 1 - 2.0 * (double)s / 1048576, 1e-15);
	CHECK_NEAR(cov, 0.9586, 5e-5);
	/* n = 6 is the first to reach 95 %: the full range, 1 - 2/64. */
	CHECK(nb_stats_median_ci_ranks(6, 0.95, &l, &u, &cov) == 1);
	CHECK(l == 1 && u == 6 && cov == 0.96875);
	CHECK(nb_stats_median_ci_ranks(5, 0.95, &l, &u, &cov) == 0);
	CHECK(l == 1 && u == 5 && cov == 0.9375);
	CHECK(nb_stats_median_ci_ranks(1, 0.95, &l, &u, &cov) == 0);
	CHECK(l == 1 && u == 1 && cov == 0);
	CHECK(nb_stats_median_ci_ranks(0, 0.95, &l, &u, &cov) == -1);
	CHECK(nb_stats_median_ci_ranks(10, 1.0, &l, &u, &cov) == -1);
	CHECK(nb_stats_median_ci_ranks(10, 0, &l, &u, &cov) == -1);
	CHECK(nb_stats_median_ci_min_n(0.95) == 6);
	CHECK(nb_stats_median_ci_min_n(0.99) == 8);
	CHECK(nb_stats_median_ci_min_n(0.90) == 5);
}

TEST(median_ci_ranks_match_integer_binomial_sums)
{
	/* Levels as fractions a/b, so the check "coverage >= level" is exact in integers:
	 * 1 - 2 S / 2^n >= a / b  <=>  b (2^n - 2 S) >= a 2^n, with S = sum_{i<l} C(n, i). */
	static const unsigned la[] = { 1, 4, 9, 19, 99 }, lb[] = { 2, 5, 10, 20, 100 };

	for (size_t v = 0; v < LEN(la); v++)
		for (unsigned n = 1; n <= 56; n++) {
			uint64_t two_n = (uint64_t)1 << n, s = 0, s_best = 0;
			size_t best = 0;

			for (unsigned l = 1; l <= (n + 1) / 2; l++) {
				s += choose(n, l - 1);
				if (lb[v] * (two_n - 2 * s) >= la[v] * two_n) {
					best = l;
					s_best = s;
				}
			}
			size_t l, u;
			double cov;
			int reached = nb_stats_median_ci_ranks(n, (double)la[v] / lb[v], &l, &u, &cov);

			if (best == 0) {
				CHECK_MSG(reached == 0 && l == 1 && u == n, "n=%u level %u/%u", n,
					  la[v], lb[v]);
				s_best = 1;
			} else {
				CHECK_MSG(reached == 1 && l == best && u == n + 1 - best,
					  "n=%u level %u/%u: l=%zu, want %zu", n, la[v], lb[v], l,
					  best);
			}
			CHECK_NEAR(cov, 1 - 2 * (double)s_best / (double)two_n, 1e-13);
		}
}

TEST(median_ci_ranks_large_n)
{
	/* Long double sums from k = 0 (2^-n does not underflow there) against the library,
	 * which starts 16 sd below the mean when n > 1000. */
	static const unsigned ns[] = { 999, 1001, 5000, 10000 };

	for (size_t v = 0; v < LEN(ns); v++) {
		unsigned n = ns[v];
		long double pmf = powl(2.0L, -(long double)n), cdf = pmf;
		unsigned k = 0;

		while (cdf + pmf * (n - k) / (k + 1) <= 0.025L) {
			pmf = pmf * (n - k) / (k + 1);
			cdf += pmf;
			k++;
		}
		size_t l, u;
		double cov;

		CHECK(nb_stats_median_ci_ranks(n, 0.95, &l, &u, &cov) == 1);
		CHECK_MSG(l == k + 1 && u == n - k, "n=%u: l=%zu want %u", n, l, k + 1);
		CHECK_NEAR(cov, (double)(1 - 2 * cdf), 1e-9);
		CHECK(cov >= 0.95 && cov < 0.96);
	}
	/* n = 10^6: about n/2 - 1.96 sqrt(n)/2 = 499020. */
	size_t l, u;
	double cov;

	CHECK(nb_stats_median_ci_ranks(1000000, 0.95, &l, &u, &cov) == 1);
	CHECK_MSG(l >= 499017 && l <= 499022, "l = %zu", l);
	CHECK(cov >= 0.95 && cov < 0.9502);
}

TEST(median_ci_on_data)
{
	const double x[] = { 13, 11, 19, 12, 17, 15, 16, 14, 20, 18 };  /* 11..20 */
	struct nb_ci ci;
	char err[NB_ERR_LEN];

	CHECK(nb_stats_median_ci(x, LEN(x), 0.95, &ci, err) == 0);
	CHECK(ci.point == 15.5 && ci.lo == 12 && ci.hi == 19);  /* x_(2), x_(9) */
	CHECK(ci.lo_rank == 2 && ci.hi_rank == 9 && ci.reached && ci.resamples == 0);
	CHECK_NEAR(ci.coverage, 0.978515625, 1e-15);
	CHECK(nb_stats_median_ci(x, 5, 0.95, &ci, err) == 0);  /* 11,12,13,17,19 */
	CHECK(!ci.reached && ci.lo == 11 && ci.hi == 19 && ci.coverage == 0.9375);
	CHECK(nb_stats_median_ci(x, LEN(x), 1.5, &ci, err) == -1);
	CHECK(strstr(err, "level"));
}

/* ---- adaptive stopping ---- */

TEST(ci_converged_rule)
{
	const double c[] = { 7, 7, 7, 7, 7, 7 };
	const double x[] = { 6, 1, 11, 2, 10, 3, 9, 4, 8, 5, 7 };  /* 1..11 */
	struct nb_ci ci;
	char err[NB_ERR_LEN];

	CHECK(nb_stats_ci_converged(c, 6, 0.95, 0.01, &ci, err) == 1);
	CHECK(nb_stats_ci_converged(c, 5, 0.95, 0.01, &ci, err) == 0);  /* n < 6 */
	CHECK(!ci.reached);
	/* n = 11: ranks 2 and 10 -> [2, 10] around 6: half-width 4 = 0.667 * 6. */
	CHECK(nb_stats_ci_converged(x, LEN(x), 0.95, 0.67, &ci, err) == 1);
	CHECK(ci.lo == 2 && ci.hi == 10 && ci.point == 6);
	CHECK(nb_stats_ci_converged(x, LEN(x), 0.95, 0.66, &ci, err) == 0);
	/* Asymmetric: the larger side counts.  {1,2,...}: median 6, [2, 10] -> shift hi. */
	double y[LEN(x)];

	memcpy(y, x, sizeof(x));
	y[4] = 30;  /* 10 -> 30: x_(10) becomes 11, x_(11) = 30 */
	CHECK(nb_stats_ci_converged(y, LEN(y), 0.95, 0.67, &ci, err) == 0);
	CHECK(ci.hi == 11);
	CHECK(nb_stats_ci_converged(y, LEN(y), 0.95, 5.0 / 6 + 1e-12, &ci, err) == 1);
	CHECK(nb_stats_ci_converged(x, LEN(x), 0.95, -0.1, &ci, err) == -1);
	CHECK(nb_stats_ci_converged(x, LEN(x), 0.95, NAN, &ci, err) == -1);
	CHECK(nb_stats_ci_converged(x, 0, 0.95, 0.01, NULL, err) == -1);
}

/* ---- bootstrap of the median ---- */

TEST(boot_median_is_seeded_and_deterministic)
{
	double x[40];
	struct nb_rng r;
	struct nb_ci a, b;
	char err[NB_ERR_LEN];

	nb_rng_seed(&r, 99);
	for (size_t i = 0; i < LEN(x); i++)
		x[i] = 100 + 10 * normal01(&r);
	nb_rng_seed(&r, 5);
	CHECK(nb_boot_median_ci(x, LEN(x), 0.95, 1000, &r, &a, err) == 0);
	nb_rng_seed(&r, 5);
	CHECK(nb_boot_median_ci(x, LEN(x), 0.95, 1000, &r, &b, err) == 0);
	CHECK(a.lo == b.lo && a.hi == b.hi && a.point == b.point);
	CHECK(a.lo <= a.point && a.point <= a.hi && a.lo < a.hi);
	CHECK(a.resamples == 1000 && a.reached && a.level == 0.95);
	double m;

	CHECK(nb_stats_median(x, LEN(x), &m, err) == 0 && a.point == m);
	CHECK(nb_boot_median_ci(x, LEN(x), 0.95, 99, &r, &a, err) == -1);
	CHECK(strstr(err, "resamples"));
	CHECK(nb_boot_median_ci(x, LEN(x), 0.95, 1000, NULL, &a, err) == -1);
	CHECK(nb_boot_median_ci(x, 5, 0.95, 1000, &r, &a, err) == 0 && !a.reached);
}

TEST(boot_medians_follow_the_exact_bootstrap_distribution)
{
	/* Odd n: the bootstrap median is x_(j) with P(median <= x_(j)) =
	 * P(Bin(n, j/n) >= (n+1)/2) (Efron 1979); frequencies must match within 5 sd. */
	enum { N = 9, B = 40000 };
	const double x[N] = { 9, 4, 1, 7, 3, 8, 2, 6, 5 };
	static double med[B];
	struct nb_rng r;

	nb_rng_seed(&r, 2024);
	CHECK(nb_boot_medians(x, N, B, &r, med, NULL) == 0);
	double prev = 0;

	for (int j = 1; j <= N; j++) {
		double p = (double)j / N, cdf = 0;

		for (int k = (N + 1) / 2; k <= N; k++)
			cdf += (double)choose(N, (unsigned)k) * pow(p, k) * pow(1 - p, N - k);
		double pj = cdf - prev, sd = sqrt(B * pj * (1 - pj));
		int count = 0;

		prev = cdf;
		for (int i = 0; i < B; i++)
			count += med[i] == (double)j;
		CHECK_MSG(fabs(count - B * pj) <= 5 * sd + 1, "x_(%d): %d vs %.1f", j, count,
			  B * pj);
	}
}

TEST(boot_medians_even_n_match_a_naive_bootstrap)
{
	/* Even n: compare with a naive bootstrap (draw, sort, average the middle two) on an
	 * independent stream: two-sample Kolmogorov-Smirnov distance of the medians. */
	enum { N = 8, B = 20000 };
	const double x[N] = { 3.5, 1, 8, 2, 13, 5, 21, 34 };
	static double lib[B], naive[B];
	struct nb_rng r, q;
	double res[N];

	nb_rng_seed(&r, 11);
	nb_rng_seed(&q, 12);
	CHECK(nb_boot_medians(x, N, B, &r, lib, NULL) == 0);
	for (int b = 0; b < B; b++) {
		for (int i = 0; i < N; i++)
			res[i] = x[(int)(nb_rng_uniform(&q) * N)];
		naive[b] = naive_median(res, N);
	}
	qsort(lib, B, sizeof(double), cmp_d);
	qsort(naive, B, sizeof(double), cmp_d);
	double d = 0;

	for (int i = 0, j = 0; i < B || j < B;) {
		double v = i < B && (j >= B || lib[i] <= naive[j]) ? lib[i] : naive[j];

		while (i < B && lib[i] == v)
			i++;
		while (j < B && naive[j] == v)
			j++;
		d = fmax(d, fabs((double)(i - j) / B));
	}
	/* KS 99.9 % critical value for two samples of 20000: 1.95 sqrt(2/20000) = 0.0195. */
	CHECK_MSG(d < 0.0195, "KS distance %g", d);
	CHECK(lib[0] >= 1 && lib[B - 1] <= 34);
}

TEST(boot_and_order_statistic_intervals_agree)
{
	/* n = 1001 standard normal values: both 95 % intervals of the median sit near the
	 * order statistics n/2 +- 1.96 sqrt(n)/2 (half-width ~ 0.078).  The bootstrap's
	 * estimate of a median's spread converges slowly (relative error of order n^-1/4,
	 * Hall & Martin 1988): over 200 seeds the largest gap between the two intervals'
	 * ends was 0.22 half-widths; this seed gives 0.10.  Allow 0.35. */
	enum { N = 1001 };
	static double x[N];
	struct nb_rng r;
	struct nb_ci os, bs;
	char err[NB_ERR_LEN];

	nb_rng_seed(&r, 31337);
	for (int i = 0; i < N; i++)
		x[i] = normal01(&r);
	CHECK(nb_stats_median_ci(x, N, 0.95, &os, err) == 0);
	CHECK(nb_boot_median_ci(x, N, 0.95, 2000, &r, &bs, err) == 0);
	double half = (os.hi - os.lo) / 2;

	CHECK(half > 0.06 && half < 0.10);
	CHECK_MSG(fabs(bs.lo - os.lo) < 0.35 * half && fabs(bs.hi - os.hi) < 0.35 * half,
		  "order statistics [%g, %g], bootstrap [%g, %g]", os.lo, os.hi, bs.lo, bs.hi);
	CHECK(os.point == bs.point);
}

/* ---- overhead and delta ---- */

TEST(overhead_signs_for_both_metric_kinds)
{
	double base[30], slow[30], fast[30];
	struct nb_rng r;
	struct nb_ratio_ci o;
	char err[NB_ERR_LEN];

	nb_rng_seed(&r, 3);
	for (int i = 0; i < 30; i++) {
		base[i] = 100 + normal01(&r);
		slow[i] = 130 + normal01(&r);
		fast[i] = 70 + normal01(&r);
	}
	/* Time: larger is slower -> positive. */
	CHECK(nb_stats_overhead(slow, 30, base, 30, NB_STATS_LOWER_BETTER, 0.95, 1000, &r, &o,
				err) == 0);
	CHECK(o.point > 0.25 && o.point < 0.35 && o.lo > 0 && o.lo <= o.point &&
	      o.point <= o.hi);
	CHECK(nb_stats_overhead(fast, 30, base, 30, NB_STATS_LOWER_BETTER, 0.95, 1000, &r, &o,
				err) == 0);
	CHECK(o.point < 0 && o.hi < 0);
	/* Throughput: smaller is slower -> positive. */
	CHECK(nb_stats_overhead(fast, 30, base, 30, NB_STATS_HIGHER_BETTER, 0.95, 1000, &r, &o,
				err) == 0);
	CHECK(o.point > 0.35 && o.lo > 0);  /* 100/70 - 1 = 0.43 */
	CHECK_NEAR(o.point, o.median_b / o.median_t - 1, 1e-15);
	CHECK(nb_stats_overhead(slow, 30, base, 30, NB_STATS_HIGHER_BETTER, 0.95, 1000, &r, &o,
				err) == 0);
	CHECK(o.point < 0 && o.hi < 0);  /* 100/130 - 1 = -0.23 */
	CHECK(nb_stats_overhead(slow, 30, base, 30, (enum nb_stats_better)7, 0.95, 1000, &r, &o,
				err) == -1);
}

TEST(overhead_constant_samples_collapse_to_the_point)
{
	double t[20], b[20];
	struct nb_rng r;
	struct nb_ratio_ci o;

	for (int i = 0; i < 20; i++) {
		t[i] = 3;
		b[i] = 2;
	}
	nb_rng_seed(&r, 1);
	CHECK(nb_stats_overhead(t, 20, b, 20, NB_STATS_LOWER_BETTER, 0.95, 500, &r, &o, NULL) == 0);
	CHECK(o.point == 0.5 && o.lo == 0.5 && o.hi == 0.5);
	CHECK(o.median_t == 3 && o.median_b == 2 && o.n_t == 20 && o.n_b == 20);
	CHECK(!o.few_samples && o.resamples == 500 && o.level == 0.95);
	/* Throughput: baseline 3, tier 2 -> 3/2 - 1. */
	CHECK(nb_stats_overhead(b, 20, t, 20, NB_STATS_HIGHER_BETTER, 0.95, 500, &r, &o, NULL) == 0);
	CHECK(o.point == 0.5 && o.lo == 0.5 && o.hi == 0.5);
	/* Even-sized samples whose middle pair differs: the same formula everywhere. */
	const double t2[] = { 1.1, 1.3, 1.1, 1.3 }, b2[] = { 0.7, 0.7, 0.7 };

	CHECK(nb_stats_overhead(t2, 4, b2, 3, NB_STATS_LOWER_BETTER, 0.95, 500, &r, &o, NULL) == 0);
	CHECK_NEAR(o.point, 1.2 / 0.7 - 1, 1e-15);
	CHECK(o.lo <= o.point && o.point <= o.hi && o.few_samples);
}

TEST(overhead_interval_covers_the_known_ratio)
{
	/* Log-normal noise (sigma 5 %) around medians 100 (baseline) and 125 (tier): the true
	 * overhead is 0.25 for time, and for throughput with the roles swapped.  Over 200
	 * synthetic experiments of 50 + 50 samples the 95 % interval must cover it about 95 %
	 * of the time (binomial sd 1.5 %; the percentile bootstrap of a median runs slightly
	 * narrow at n = 50). */
	enum { N = 50, RUNS = 200 };
	double t[N], b[N];
	struct nb_rng data, boot;
	struct nb_ratio_ci o;
	int covered = 0, covered_tp = 0;

	nb_rng_seed(&data, 77);
	nb_rng_seed(&boot, 78);
	for (int run = 0; run < RUNS; run++) {
		for (int i = 0; i < N; i++) {
			b[i] = 100 * exp(0.05 * normal01(&data));
			t[i] = 125 * exp(0.05 * normal01(&data));
		}
		CHECK(nb_stats_overhead(t, N, b, N, NB_STATS_LOWER_BETTER, 0.95, 1000, &boot, &o,
					NULL) == 0);
		covered += o.lo <= 0.25 && 0.25 <= o.hi;
		CHECK(o.lo <= o.point && o.point <= o.hi);
		/* As throughput: tier 100, baseline 125 -> 125/100 - 1 = 0.25. */
		CHECK(nb_stats_overhead(b, N, t, N, NB_STATS_HIGHER_BETTER, 0.95, 1000, &boot, &o,
					NULL) == 0);
		covered_tp += o.lo <= 0.25 && 0.25 <= o.hi;
	}
	CHECK_MSG(covered >= 180 && covered <= 199, "covered %d of %d", covered, RUNS);
	CHECK_MSG(covered_tp >= 180 && covered_tp <= 199, "covered %d of %d", covered_tp, RUNS);
}

/* Type-7 quantile of a sorted array, written the textbook way. */
static double textbook_q7(const double *s, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)h;

	return lo + 1 < n ? s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]) : s[n - 1];
}

TEST(bootstrap_intervals_match_a_naive_reimplementation)
{
	/* The documented procedure, written naively: each round draws n_t indices into the
	 * sorted t, then n_b into the sorted b (nb_rng_below), takes each resample's median,
	 * the ratio; the interval is the type-7 quantiles of the sorted replicates at
	 * (1 -+ level)/2.  Same seed, so the same draws: the results must agree. */
	enum { NT = 13, NB = 10, B = 400 };
	double t[NT], b[NB], st[NT], sb[NB], rt[NT], rb[NB], rep[B];
	struct nb_rng data, r1, r2;
	struct nb_ratio_ci o;
	struct nb_ci ci;

	nb_rng_seed(&data, 5150);
	for (int i = 0; i < NT; i++)
		t[i] = 20 * exp(0.3 * normal01(&data));
	for (int i = 0; i < NB; i++)
		b[i] = 15 * exp(0.3 * normal01(&data));
	memcpy(st, t, sizeof(t));
	memcpy(sb, b, sizeof(b));
	qsort(st, NT, sizeof(double), cmp_d);
	qsort(sb, NB, sizeof(double), cmp_d);
	for (int k = 0; k < 2; k++) {
		enum nb_stats_better better = k ? NB_STATS_HIGHER_BETTER : NB_STATS_LOWER_BETTER;
		double level = k ? 0.90 : 0.95;

		nb_rng_seed(&r1, 600 + k);
		nb_rng_seed(&r2, 600 + k);
		CHECK(nb_stats_overhead(t, NT, b, NB, better, level, B, &r1, &o, NULL) == 0);
		for (int r = 0; r < B; r++) {
			for (int i = 0; i < NT; i++)
				rt[i] = st[nb_rng_below(&r2, NT)];
			for (int i = 0; i < NB; i++)
				rb[i] = sb[nb_rng_below(&r2, NB)];
			double mt = naive_median(rt, NT), mb = naive_median(rb, NB);

			rep[r] = k ? mb / mt - 1 : mt / mb - 1;
		}
		qsort(rep, B, sizeof(double), cmp_d);
		CHECK_NEAR(o.lo, textbook_q7(rep, B, (1 - level) / 2), 1e-12);
		CHECK_NEAR(o.hi, textbook_q7(rep, B, (1 + level) / 2), 1e-12);
		CHECK(nb_rng_next(&r1) == nb_rng_next(&r2));  /* same number of draws */
	}
	/* The median interval alone. */
	nb_rng_seed(&r1, 7);
	nb_rng_seed(&r2, 7);
	CHECK(nb_boot_median_ci(b, NB, 0.8, B, &r1, &ci, NULL) == 0);
	for (int r = 0; r < B; r++) {
		for (int i = 0; i < NB; i++)
			rb[i] = sb[nb_rng_below(&r2, NB)];
		rep[r] = naive_median(rb, NB);
	}
	qsort(rep, B, sizeof(double), cmp_d);
	CHECK_NEAR(ci.lo, textbook_q7(rep, B, 0.1), 1e-12);
	CHECK_NEAR(ci.hi, textbook_q7(rep, B, 0.9), 1e-12);
}

TEST(overhead_rejects_invalid_input)
{
	const double ok[] = { 1, 2, 3, 4, 5, 6 };
	const double zero[] = { 1, 2, 0, 4 }, neg[] = { 1, -2 }, nan[] = { 1, NAN };
	struct nb_rng r;
	struct nb_ratio_ci o;
	char err[NB_ERR_LEN];

	nb_rng_seed(&r, 1);
	CHECK(nb_stats_overhead(ok, 6, zero, 4, NB_STATS_LOWER_BETTER, 0.95, 200, &r, &o, err) == -1);
	CHECK_STR(err, "b[2] = 0: a ratio needs values > 0");
	CHECK(nb_stats_overhead(neg, 2, ok, 6, NB_STATS_LOWER_BETTER, 0.95, 200, &r, &o, err) == -1);
	CHECK(strstr(err, "t[1] = -2"));
	CHECK(nb_stats_overhead(ok, 6, nan, 2, NB_STATS_LOWER_BETTER, 0.95, 200, &r, &o, err) == -1);
	CHECK_STR(err, "b[1] is NaN");
	CHECK(nb_stats_overhead(ok, 0, ok, 6, NB_STATS_LOWER_BETTER, 0.95, 200, &r, &o, err) == -1);
	CHECK_STR(err, "sample t is empty");
	CHECK(nb_stats_overhead(ok, 6, ok, 6, NB_STATS_LOWER_BETTER, 0.95, 10, &r, &o, err) == -1);
	CHECK(nb_stats_overhead(ok, 6, ok, 6, NB_STATS_LOWER_BETTER, 1, 200, &r, &o, err) == -1);
	CHECK(nb_stats_overhead(ok, 6, ok, 6, NB_STATS_LOWER_BETTER, 0.95, 200, NULL, &o, err) == -1);
	CHECK(nb_stats_overhead(ok, 6, ok, 6, NB_STATS_LOWER_BETTER, 0.95, 200, &r, NULL, err) == -1);
	CHECK(nb_stats_delta(ok, 6, zero, 4, 0.95, 200, &r, &o, err) == -1);
	CHECK_STR(err, "new[2] = 0: a ratio needs values > 0");
}

TEST(delta_is_the_time_like_ratio_of_new_over_old)
{
	double old_x[25], new_x[25];
	struct nb_rng r1, r2, data;
	struct nb_ratio_ci d, o;

	nb_rng_seed(&data, 8);
	for (int i = 0; i < 25; i++) {
		old_x[i] = 50 * exp(0.02 * normal01(&data));
		new_x[i] = 45 * exp(0.02 * normal01(&data));
	}
	nb_rng_seed(&r1, 9);
	nb_rng_seed(&r2, 9);
	CHECK(nb_stats_delta(old_x, 25, new_x, 25, 0.95, 1000, &r1, &d, NULL) == 0);
	CHECK(nb_stats_overhead(new_x, 25, old_x, 25, NB_STATS_LOWER_BETTER, 0.95, 1000, &r2, &o,
				NULL) == 0);
	CHECK(d.point == o.point && d.lo == o.lo && d.hi == o.hi);
	CHECK_NEAR(d.point, naive_median(new_x, 25) / naive_median(old_x, 25) - 1, 1e-15);
	CHECK(d.point < -0.05 && d.hi < 0);  /* about -10 % */
}

/* ---- Mann-Whitney U ---- */

TEST(mwu_exact_fully_separated)
{
	const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 6, 7, 8, 9, 10 };
	struct nb_mwu m;

	CHECK(nb_mwu_test(x, 5, y, 5, 0.05, &m, NULL) == 0);
	CHECK(m.method == NB_MWU_EXACT && !m.ties && m.u == 0);
	CHECK_NEAR(m.p, 2.0 / 252, 1e-16);  /* R: 0.00793650793650794 */
	CHECK(isnan(m.z) && m.prob_greater == 0 && !m.too_few);
	CHECK_NEAR(m.min_p, 2.0 / 252, 1e-16);
	CHECK(nb_mwu_test(y, 5, x, 5, 0.05, &m, NULL) == 0);
	CHECK(m.u == 25 && m.prob_greater == 1);
	CHECK_NEAR(m.p, 2.0 / 252, 1e-16);
	CHECK_STR(nb_mwu_method_name(m.method), "exact");
}

TEST(mwu_exact_matches_enumeration)
{
	/* Every split of the ranks 1..N into x (n1) and y (n2): count U over all splits, then
	 * check the library's p for each split against 2 min(P(U <= u), P(U >= u)). */
	static const unsigned sizes[][2] = { { 1, 1 }, { 1, 6 }, { 3, 4 }, { 5, 5 },
					     { 4, 9 }, { 7, 6 } };

	for (size_t c = 0; c < LEN(sizes); c++) {
		unsigned n1 = sizes[c][0], n2 = sizes[c][1], N = n1 + n2;
		uint64_t freq[64] = { 0 }, total = 0;

		for (uint32_t mask = 0; mask < (1u << N); mask++) {
			if ((unsigned)__builtin_popcount(mask) != n1)
				continue;
			unsigned u = 0;  /* pairs x > y */

			for (unsigned i = 0; i < N; i++)
				for (unsigned j = 0; j < i; j++)
					u += (mask >> i & 1) && !(mask >> j & 1);
			freq[u]++;
			total++;
		}
		CHECK(total == choose(N, n1));
		for (uint32_t mask = 0; mask < (1u << N); mask++) {
			if ((unsigned)__builtin_popcount(mask) != n1)
				continue;
			double x[16], y[16];
			unsigned nx = 0, ny = 0, u = 0;

			for (unsigned i = 0; i < N; i++) {
				if (mask >> i & 1)
					x[nx++] = i + 1;
				else
					y[ny++] = i + 1;
			}
			for (unsigned i = 0; i < nx; i++)
				for (unsigned j = 0; j < ny; j++)
					u += x[i] > y[j];
			uint64_t le = 0, ge = 0;

			for (unsigned k = 0; k <= n1 * n2; k++) {
				le += k <= u ? freq[k] : 0;
				ge += k >= u ? freq[k] : 0;
			}
			double want = fmin(1, 2.0 * (double)(le < ge ? le : ge) / (double)total);
			struct nb_mwu m;

			CHECK(nb_mwu_test(x, nx, y, ny, 0.05, &m, NULL) == 0);
			CHECK(m.method == NB_MWU_EXACT && m.u == u);
			CHECK_MSG(fabs(m.p - want) <= 1e-14, "n1=%u n2=%u u=%u: p %.17g want %.17g",
				  n1, n2, u, m.p, want);
		}
	}
}

TEST(mwu_exact_matches_R)
{
	struct nb_mwu m;
	/* R's example (Hollander & Wolfe 1973, p. 69): W = 35, p = 0.2544 */
	const double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	const double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };

	CHECK(nb_mwu_test(x, LEN(x), y, LEN(y), 0.05, &m, NULL) == 0);
	CHECK(m.method == NB_MWU_EXACT && m.u == 35);
	CHECK_NEAR(m.p, 0.2544122544122544, 1e-15);

	/* 30 vs 40 values, no ties (R: i <- 1:30; x <- ((i * 37) %% 101) / 10 + 0.05;
	 * j <- 1:40; y <- ((j * 53) %% 103) / 10 - 0.5; wilcox.test(x, y); then x + 2). */
	double a[30], b[40];

	for (int i = 1; i <= 30; i++)
		a[i - 1] = (double)((i * 37) % 101) / 10 + 0.05;
	for (int j = 1; j <= 40; j++)
		b[j - 1] = (double)((j * 53) % 103) / 10 - 0.5;
	CHECK(nb_mwu_test(a, 30, b, 40, 0.05, &m, NULL) == 0);
	CHECK(m.method == NB_MWU_EXACT && m.u == 697);
	CHECK_NEAR(m.p, 0.25390795720102022, 1e-13);
	for (int i = 0; i < 30; i++)
		a[i] += 2;
	CHECK(nb_mwu_test(a, 30, b, 40, 0.05, &m, NULL) == 0);
	CHECK(m.method == NB_MWU_EXACT && m.u == 886);
	CHECK_NEAR(m.p, 0.00054247661318713547, 1e-16);

	/* The largest exact case, 49 vs 49 (R: x <- 2 * (0:48) + s; y <- 2 * (0:48) + 1). */
	static const double shift[] = { 0, 10, 20 }, u_r[] = { 1176, 1411, 1621 };
	static const double p_r[] = { 0.86521035715281525, 0.13614692115337593,
				      0.0025887833618386921 };
	double c[49], d[49];

	for (size_t k = 0; k < LEN(shift); k++) {
		for (int i = 0; i < 49; i++) {
			c[i] = 2 * i + shift[k];
			d[i] = 2 * i + 1;
		}
		CHECK(nb_mwu_test(c, 49, d, 49, 0.05, &m, NULL) == 0);
		CHECK(m.method == NB_MWU_EXACT && m.u == u_r[k]);
		CHECK_MSG(fabs(m.p - p_r[k]) <= 1e-12 * p_r[k], "p %.17g, R %.17g", m.p, p_r[k]);
	}
	/* 50 values: R's switch to the normal approximation. */
	CHECK(nb_mwu_test(a, 30, b, 40, 0.05, &m, NULL) == 0 && m.method == NB_MWU_EXACT);
	double e[50];

	for (int i = 0; i < 50; i++)
		e[i] = 2 * i + 1;
	CHECK(nb_mwu_test(c, 49, e, 50, 0.05, &m, NULL) == 0 && m.method == NB_MWU_NORMAL);
}

TEST(mwu_ties_use_the_corrected_normal_approximation)
{
	const double x[] = { 1, 2, 2, 3, 3, 3, 4 }, y[] = { 3, 4, 4, 5, 5, 6 };
	size_t n1 = LEN(x), n2 = LEN(y);
	struct nb_mwu m;

	CHECK(nb_mwu_test(x, n1, y, n2, 0.05, &m, NULL) == 0);
	CHECK(m.method == NB_MWU_NORMAL && m.ties);
	CHECK_STR(nb_mwu_method_name(m.method), "normal");

	/* Independently: U by counting pairs, tie groups by counting equal values. */
	double u = 0, tie = 0, all[13];
	size_t N = n1 + n2;

	for (size_t i = 0; i < n1; i++)
		for (size_t j = 0; j < n2; j++)
			u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
	memcpy(all, x, sizeof(x));
	memcpy(all + n1, y, sizeof(y));
	for (size_t i = 0; i < N; i++) {
		int first = 1;
		double t = 0;

		for (size_t j = 0; j < N; j++) {
			t += all[j] == all[i];
			if (j < i && all[j] == all[i])
				first = 0;
		}
		if (first)
			tie += t * t * t - t;
	}
	CHECK(u == 3.5 && m.u == 3.5 && tie == 6 + 60 + 24 + 6);  /* 2 twice, 3 four times, 4 thrice, 5 twice */
	double mu = n1 * n2 / 2.0;
	double sigma = sqrt(n1 * n2 / 12.0 * ((N + 1) - tie / (double)(N * (N - 1))));
	double z = (u - mu + 0.5) / sigma;  /* u < mu: continuity correction towards mu */
	double p = 2 * 0.5 * erfc(-z / sqrt(2));  /* 2 Phi(z), z < 0 */

	CHECK_NEAR(m.z, z, 1e-14);
	CHECK_NEAR(m.p, p, 1e-15);
	CHECK_NEAR(m.p, 0.012999854364387303, 1e-15);  /* R, with its ties warning */
}

TEST(mwu_large_samples_match_R)
{
	/* R: i <- 1:60; x <- ((i*37) %% 101)/10; y <- ((i*53) %% 103)/10 + 0.25 */
	double x[60], y[60];
	struct nb_mwu m;

	for (int i = 1; i <= 60; i++) {
		x[i - 1] = (double)((i * 37) % 101) / 10;
		y[i - 1] = (double)((i * 53) % 103) / 10 + 0.25;
	}
	CHECK(nb_mwu_test(x, 60, y, 60, 0.05, &m, NULL) == 0);
	CHECK(m.method == NB_MWU_NORMAL && m.u == 1783);
	CHECK_NEAR(m.p, 0.93098744655956711, 1e-14);
	CHECK(m.min_p < 1e-30 && !m.too_few);
}

TEST(mwu_identical_samples_give_p_one)
{
	const double x[] = { 1, 2, 3, 4, 5 }, c[] = { 3, 3, 3 };
	struct nb_mwu m;

	CHECK(nb_mwu_test(x, 5, x, 5, 0.05, &m, NULL) == 0);
	CHECK(m.u == 12.5 && m.p == 1 && m.method == NB_MWU_NORMAL && m.prob_greater == 0.5);
	CHECK(nb_mwu_test(c, 3, c, 2, 0.05, &m, NULL) == 0);
	CHECK(m.u == 3 && m.p == 1 && m.z == 0);
	CHECK(nb_mwu_test(c, 1, x + 2, 1, 0.05, &m, NULL) == 0);  /* 3 vs 3 */
	CHECK(m.p == 1);
}

TEST(mwu_is_symmetric)
{
	struct nb_rng r;
	double x[60], y[60];
	struct nb_mwu a, b;

	nb_rng_seed(&r, 4);
	for (int round = 0; round < 40; round++) {
		size_t n1 = 1 + nb_rng_below(&r, 59), n2 = 1 + nb_rng_below(&r, 59);
		int coarse = round % 2;  /* rounded values: ties, normal approximation */

		for (size_t i = 0; i < n1; i++)
			x[i] = coarse ? round_half(normal01(&r)) : normal01(&r);
		for (size_t i = 0; i < n2; i++)
			y[i] = coarse ? round_half(normal01(&r) + 0.3) : normal01(&r) + 0.3;
		CHECK(nb_mwu_test(x, n1, y, n2, 0.05, &a, NULL) == 0);
		CHECK(nb_mwu_test(y, n2, x, n1, 0.05, &b, NULL) == 0);
		CHECK(a.method == b.method && a.p == b.p && a.u + b.u == (double)(n1 * n2));
		CHECK(a.p > 0 && a.p <= 1);
	}
}

TEST(mwu_warns_when_significance_is_unreachable)
{
	const double a[] = { 1, 2, 3, 4 }, b[] = { 5, 6, 7, 8 };
	struct nb_mwu m;
	char err[NB_ERR_LEN];

	/* 2 vs 2: the most extreme split has p = 2 / C(4, 2) = 1/3 (benchstat's example). */
	CHECK(nb_mwu_test(a, 2, b, 2, 0.05, &m, err) == 0);
	CHECK(m.too_few && m.u == 0);
	CHECK_NEAR(m.min_p, 1.0 / 3, 1e-15);
	CHECK_NEAR(m.p, 1.0 / 3, 1e-15);
	CHECK(nb_mwu_test(a, 3, b, 3, 0.05, &m, err) == 0);  /* 2/20 = 0.1 */
	CHECK(m.too_few && fabs(m.min_p - 0.1) < 1e-15);
	CHECK(nb_mwu_test(a, 3, b, 3, 0.10, &m, err) == 0);  /* 0.1 is reachable at 0.1 */
	CHECK(!m.too_few);
	CHECK(nb_mwu_test(a, 3, b, 4, 0.05, &m, err) == 0);  /* 2/35 = 0.057 */
	CHECK(m.too_few);
	CHECK(nb_mwu_test(a, 4, b, 4, 0.05, &m, err) == 0);  /* 2/70 = 0.029 */
	CHECK(!m.too_few && m.p < 0.05);
	CHECK(nb_mwu_test(a, 4, b, 4, 0, &m, err) == -1);
	CHECK(strstr(err, "alpha"));
	const double bad[] = { 1, NAN };

	CHECK(nb_mwu_test(a, 4, bad, 2, 0.05, &m, err) == -1);
	CHECK_STR(err, "y[1] is NaN");
	CHECK(nb_mwu_test(a, 0, b, 2, 0.05, &m, err) == -1);
	CHECK_STR(err, "sample x is empty");
}
