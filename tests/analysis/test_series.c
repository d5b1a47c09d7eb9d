/* test_series.c - stats/gate.c and stats/series.c: p-value adjustment against values
 * worked out by hand from R's p.adjust definitions, the normal quantile, the minimum
 * detectable effect, and the regime-shift and drift tests on synthetic series (a true
 * shift or trend found, stationary noise not flagged more often than alpha allows). */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../stats/stats.h"

#include <math.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static double gauss(struct nb_rng *r)
{
	double u1 = 1 - nb_rng_uniform(r), u2 = nb_rng_uniform(r);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

TEST(p_adjust_holm_and_bh)
{
	/* Sorted: .005 .01 .03 .04.  Holm: 4(.005) = .02, 3(.01) = .03, 2(.03) = .06,
	 * 1(.04) = .04 -> cummax .06.  BH: 4/1 .005 = .02, 4/2 .01 = .02, 4/3 .03 = .04,
	 * 4/4 .04 = .04 -> cummin from the top. */
	const double p[] = { 0.01, 0.04, 0.03, 0.005 };
	const double holm[] = { 0.03, 0.06, 0.06, 0.02 }, bh[] = { 0.02, 0.04, 0.04, 0.02 };
	double out[4];
	enum nb_padj m;

	CHECK(nb_p_adjust(p, 4, NB_PADJ_HOLM, out, NULL) == 0);
	for (size_t i = 0; i < 4; i++)
		CHECK_NEAR(out[i], holm[i], 1e-15);
	CHECK(nb_p_adjust(p, 4, NB_PADJ_BH, out, NULL) == 0);
	for (size_t i = 0; i < 4; i++)
		CHECK_NEAR(out[i], bh[i], 1e-15);
	CHECK(nb_p_adjust(p, 4, NB_PADJ_NONE, out, NULL) == 0);
	CHECK_NEAR(out[1], 0.04, 0);
	/* Capped at 1. */
	const double big[] = { 0.5, 0.6 };
	CHECK(nb_p_adjust(big, 2, NB_PADJ_HOLM, out, NULL) == 0);
	CHECK_NEAR(out[0], 1, 0);
	const double bad[] = { 0.5, 1.5 };
	char err[NB_ERR_LEN] = "";
	CHECK(nb_p_adjust(bad, 2, NB_PADJ_BH, out, err) == -1 && strstr(err, "p[1]"));
	CHECK(nb_padj_parse("fdr", &m) == 0 && m == NB_PADJ_BH);
	CHECK(nb_padj_parse("holm", &m) == 0 && m == NB_PADJ_HOLM);
	CHECK(nb_padj_parse("bonferroni", &m) == -1);
}

TEST(norm_quantile_and_mde)
{
	struct nb_ratio_ci d = { 0 };

	CHECK_NEAR(nb_stats_norm_quantile(0.975), 1.959963984540054, 1e-12);
	CHECK_NEAR(nb_stats_norm_quantile(0.8), 0.8416212335729143, 1e-12);
	CHECK_NEAR(nb_stats_norm_quantile(0.5), 0, 1e-12);
	/* A 95 % interval 2 x 1.96 x 1 % wide: SE 1 %, MDE at alpha .05 and power .8 =
	 * (1.96 + 0.84) %. */
	d.level = 0.95;
	d.lo = -0.01 * 1.959963984540054;
	d.hi = 0.01 * 1.959963984540054;
	CHECK_NEAR(nb_stats_mde(&d, 0.05, 0.8), 0.01 * (1.959963984540054 + 0.8416212335729143), 1e-12);
	d.hi = INFINITY;
	CHECK(isinf(nb_stats_mde(&d, 0.05, 0.8)));
}

TEST(shift_found_in_a_series_with_two_regimes)
{
	struct nb_rng r;
	struct nb_shift s;
	double x[40];

	nb_rng_seed(&r, 7);
	for (size_t i = 0; i < LEN(x); i++)   /* 1 % noise, +10 % from the 25th value on */
		x[i] = (i < 25 ? 100 : 110) * (1 + 0.01 * gauss(&r));
	CHECK(nb_shift_test(x, LEN(x), 3, 999, 0.01, &r, &s, NULL) == 0);
	CHECK_MSG(s.shift && s.p < 0.01, "p = %g", s.p);
	CHECK_EQ_U64(s.split, 25);
	CHECK_NEAR(s.rel, 0.10, 0.02);
}

TEST(shift_not_found_in_stationary_series)
{
	struct nb_rng r;
	struct nb_shift s;
	double x[40];
	int flagged = 0;

	nb_rng_seed(&r, 11);
	/* 200 stationary series at alpha = 0.05: the permutation p-value is calibrated, so
	 * about 10 are flagged; more than 20 would mean it is not (binomial tail < 1e-3). */
	for (int t = 0; t < 200; t++) {
		for (size_t i = 0; i < LEN(x); i++)
			x[i] = 100 * (1 + 0.01 * gauss(&r));
		CHECK(nb_shift_test(x, LEN(x), 3, 199, 0.05, &r, &s, NULL) == 0);
		flagged += s.shift;
	}
	CHECK_MSG(flagged <= 20, "%d of 200 stationary series flagged", flagged);
	/* Too short to split: no evidence. */
	CHECK(nb_shift_test(x, 5, 3, 199, 0.05, &r, &s, NULL) == 0 && s.p == 1 && !s.shift);
}

TEST(drift_found_and_not)
{
	struct nb_rng r;
	struct nb_drift d;
	double x[30];
	int flagged = 0;

	nb_rng_seed(&r, 3);
	for (size_t i = 0; i < LEN(x); i++)   /* +0.5 % per sample, 1 % noise */
		x[i] = 100 * (1 + 0.005 * (double)i + 0.01 * gauss(&r));
	CHECK(nb_drift_test(x, LEN(x), 0.01, &d, NULL) == 0);
	CHECK_MSG(d.drift && d.tau > 0.5, "p = %g tau = %g", d.p, d.tau);
	CHECK_NEAR(d.slope, 0.5, 0.15);
	CHECK_NEAR(d.rel, 0.5 * 29 / 107.0, 0.05);
	/* A strictly increasing series of 10: S = 45, var = 10 9 25 / 18 = 125,
	 * z = 44 / sqrt(125). */
	double up[10];
	for (size_t i = 0; i < 10; i++)
		up[i] = (double)i;
	CHECK(nb_drift_test(up, 10, 0.05, &d, NULL) == 0);
	CHECK_NEAR(d.s, 45, 0);
	CHECK_NEAR(d.z, 44 / sqrt(125), 1e-12);
	CHECK_NEAR(d.p, erfc(44 / sqrt(125) / M_SQRT2), 1e-12);
	for (int t = 0; t < 200; t++) {
		for (size_t i = 0; i < LEN(x); i++)
			x[i] = 100 * (1 + 0.01 * gauss(&r));
		CHECK(nb_drift_test(x, LEN(x), 0.05, &d, NULL) == 0);
		flagged += d.drift;
	}
	CHECK_MSG(flagged <= 20, "%d of 200 stationary series flagged", flagged);
	/* Constant: no drift, no division by zero. */
	double c[8] = { 5, 5, 5, 5, 5, 5, 5, 5 };
	CHECK(nb_drift_test(c, 8, 0.05, &d, NULL) == 0 && !d.drift && d.p == 1);
}
