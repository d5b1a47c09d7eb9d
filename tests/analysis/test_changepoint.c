/* test_changepoint.c - stats/changepoint.c: the E-divisive statistic against the direct
 * sums over all pairs, shifts of known size and place found where they are (one and
 * two), stationary series not flagged more often than the level allows, breaks that
 * keep detection from comparing across them, and degenerate inputs. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../stats/stats.h"

#include <math.h>
#include <stdlib.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CAP 64

static double gauss(struct nb_rng *r)
{
	double u1 = 1 - nb_rng_uniform(r), u2 = nb_rng_uniform(r);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run's value: the median of `reps` samples of `level` with Gaussian noise of
 * relative sd `noise` (a campaign runs at least 6 repetitions per case). */
static double run_median(double level, double noise, int reps, struct nb_rng *r)
{
	double s[16];

	for (int j = 0; j < reps; j++)
		s[j] = level * (1 + noise * gauss(r));
	qsort(s, (size_t)reps, sizeof(*s), cmp_d);
	return reps % 2 ? s[reps / 2] : (s[reps / 2 - 1] + s[reps / 2]) / 2;
}

/* Q(m) written out over all pairs, O(n^2) per split. */
static double direct_q(const double *x, size_t n, size_t m)
{
	double b = 0, w = 0, v = 0, dm = (double)m, dk = (double)(n - m);

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			double d = fabs(x[i] - x[j]);

			if (j < m)
				w += d;
			else if (i >= m)
				v += d;
			else
				b += d;
		}
	return dm * dk / (dm + dk) *
	       (2 * b / (dm * dk) - w / (dm * (dm - 1) / 2) - v / (dk * (dk - 1) / 2));
}

/* The least-squares change point (the Gaussian maximum-likelihood one): the split
 * that maximises m k / n (mean before - mean after)^2. */
static size_t least_squares_split(const double *x, size_t n, size_t min_seg)
{
	double tot = 0, c = 0, best = -1;
	size_t at = 0;

	for (size_t i = 0; i < n; i++)
		tot += x[i];
	for (size_t m = 1; m + min_seg <= n; m++) {
		c += x[m - 1];
		if (m < min_seg)
			continue;
		double dm = (double)m, dk = (double)(n - m), g = c / dm - (tot - c) / dk;

		if (dm * dk * g * g > best) {
			best = dm * dk * g * g;
			at = m;
		}
	}
	return at;
}

static int near(size_t a, size_t b, size_t tol)
{
	return (a > b ? a - b : b - a) <= tol;
}

TEST(changepoint_statistic_is_the_energy_distance)
{
	struct nb_rng r;
	struct nb_changepoint cp[CAP];
	double x[24], tmp[24];
	size_t at = 0;
	double best = -INFINITY;

	nb_rng_seed(&r, 5);
	for (size_t i = 0; i < LEN(x); i++)   /* +20 % from run 10, 2 % noise, some ties */
		x[i] = round((i < 10 ? 100 : 120) * (1 + 0.02 * gauss(&r)));
	for (size_t m = NB_CP_MIN_SEG; m + NB_CP_MIN_SEG <= LEN(x); m++) {
		double q = direct_q(x, LEN(x), m);

		if (q > best) {
			best = q;
			at = m;
		}
	}
	CHECK_EQ_U64(at, 10);
	CHECK(nb_changepoints(x, LEN(x), NULL, 0, NULL, &r, cp, CAP, NULL) == 1);
	CHECK_EQ_U64(cp[0].index, 10);
	CHECK_NEAR(cp[0].stat, best, 1e-9 * best);
	/* No permutation reaches a clean split: p = 1 / (1 + 199), all 199 drawn. */
	CHECK_NEAR(cp[0].p, 1.0 / 200, 1e-15);
	CHECK_EQ_U64(cp[0].perms, NB_CP_PERMS);
	CHECK(cp[0].start == 0 && cp[0].end == LEN(x) && cp[0].order == 1);
	double mb = 0, ma = 0;

	for (size_t i = 0; i < LEN(x); i++)
		*(i < 10 ? &mb : &ma) += x[i];
	CHECK_NEAR(cp[0].mean_before, mb / 10, 1e-9);
	CHECK_NEAR(cp[0].mean_after, ma / 14, 1e-9);
	memcpy(tmp, x, sizeof(x));
	qsort(tmp, 10, sizeof(*tmp), cmp_d);
	qsort(tmp + 10, 14, sizeof(*tmp), cmp_d);
	CHECK_NEAR(cp[0].median_before, (tmp[4] + tmp[5]) / 2, 0);
	CHECK_NEAR(cp[0].median_after, (tmp[16] + tmp[17]) / 2, 0);
	CHECK_NEAR(cp[0].rel, cp[0].median_after / cp[0].median_before - 1, 1e-15);
	CHECK_MSG(cp[0].lo <= cp[0].rel && cp[0].rel <= cp[0].hi && cp[0].lo > 0.1 &&
		  cp[0].hi < 0.3, "rel %g [%g, %g]", cp[0].rel, cp[0].lo, cp[0].hi);
	CHECK_NEAR(cp[0].level, NB_CP_LEVEL, 0);
}

TEST(changepoint_5pc_shift_found_within_one_run)
{
	struct nb_rng r;
	struct nb_changepoint cp[CAP];
	double x[60];
	int located = 0, covered = 0, extra = 0;

	nb_rng_seed(&r, 16);
	/* 100 series of 40-60 runs, each run the median of 6 samples with 3 % noise, +5 %
	 * from a run drawn in [15, n - 15]. */
	for (int t = 0; t < 100; t++) {
		size_t n = 40 + nb_rng_below(&r, 21), k = 15 + nb_rng_below(&r, (uint32_t)(n - 29));
		int hit = 0;

		for (size_t i = 0; i < n; i++)
			x[i] = run_median(i < k ? 100 : 105, 0.03, 6, &r);
		int m = nb_changepoints(x, n, NULL, 0, NULL, &r, cp, CAP, NULL);

		CHECK(m >= 0);
		for (int i = 0; i < m; i++)
			if (!hit && near(cp[i].index, k, 1)) {
				hit = 1;
				covered += cp[i].lo <= 0.05 && 0.05 <= cp[i].hi;
			}
		located += hit;
		extra += m - hit;
	}
	printf("    5 %% shift, runs of 6 samples with 3 %% noise: %d of 100 within one run "
	       "(interval covers +5 %%: %d), %d other change points\n", located, covered, extra);
	CHECK_MSG(located >= 95, "%d of 100 located within one run", located);
	CHECK_MSG(covered >= 80, "%d of %d intervals cover the true +5 %%", covered, located);
	CHECK_MSG(extra <= 15, "%d change points where there was none", extra);
}

TEST(changepoint_5pc_shift_in_3pc_run_noise_as_well_as_least_squares)
{
	struct nb_rng r;
	struct nb_changepoint cp[CAP];
	double x[60];
	int detected = 0, located = 0, ls_located = 0;

	nb_rng_seed(&r, 17);
	/* The runs' values themselves with 3 % noise: the shift is 1.67 sd, and no estimator
	 * places it within one run 95 % of the time (least squares, the Gaussian maximum
	 * likelihood split, does so about 3 times in 4).  E-divisive must detect it (a
	 * change within 5 runs: 95 % measured over 2000 series) and place it about as well
	 * as least squares on the same series. */
	for (int t = 0; t < 200; t++) {
		size_t n = 40 + nb_rng_below(&r, 21), k = 15 + nb_rng_below(&r, (uint32_t)(n - 29));
		int hit = 0, any = 0;

		for (size_t i = 0; i < n; i++)
			x[i] = (i < k ? 100 : 105) * (1 + 0.03 * gauss(&r));
		int m = nb_changepoints(x, n, NULL, 0, NULL, &r, cp, CAP, NULL);

		CHECK(m >= 0);
		for (int i = 0; i < m; i++) {
			hit |= near(cp[i].index, k, 1);
			any |= near(cp[i].index, k, 5);
		}
		located += hit;
		detected += any;
		ls_located += near(least_squares_split(x, n, NB_CP_MIN_SEG), k, 1);
	}
	printf("    5 %% shift in 3 %% run noise: detected %d of 200, within one run %d "
	       "(least squares: %d)\n", detected, located, ls_located);
	CHECK_MSG(detected >= 180, "%d of 200 detected", detected);
	CHECK_MSG(located >= ls_located - 20, "within one run: %d, least squares %d", located,
		  ls_located);
}

TEST(changepoint_two_shifts_both_found)
{
	struct nb_rng r;
	struct nb_changepoint cp[CAP];
	double x[60];
	int both = 0;

	nb_rng_seed(&r, 18);
	/* +5 % at run 20, then -5 % of that at run 40. */
	for (int t = 0; t < 100; t++) {
		for (size_t i = 0; i < LEN(x); i++)
			x[i] = run_median(i < 20 ? 100 : i < 40 ? 105 : 99.75, 0.03, 6, &r);
		int m = nb_changepoints(x, LEN(x), NULL, 0, NULL, &r, cp, CAP, NULL), a = 0, b = 0;

		CHECK(m >= 0);
		for (int i = 0; i < m; i++) {
			a |= near(cp[i].index, 20, 1);
			b |= near(cp[i].index, 40, 1);
		}
		both += a && b;
		if (t == 0) {   /* sorted, each bounded by its neighbour */
			CHECK(m >= 2 && cp[0].index < cp[1].index);
			CHECK(cp[0].start == 0 && cp[0].end == cp[1].index &&
			      cp[1].start == cp[0].index);
			CHECK_MSG(cp[0].rel > 0 && cp[1].rel < 0, "%g %g", cp[0].rel, cp[1].rel);
		}
	}
	printf("    two 5 %% shifts in 60 runs: both within one run in %d of 100\n", both);
	CHECK_MSG(both >= 85, "both found in %d of 100", both);
	/* cap = 1 keeps the strongest split: +30 % at 40 over +5 % at 20. */
	for (size_t i = 0; i < LEN(x); i++)
		x[i] = run_median(i < 20 ? 100 : i < 40 ? 105 : 136.5, 0.03, 6, &r);
	CHECK(nb_changepoints(x, LEN(x), NULL, 0, NULL, &r, cp, 1, NULL) == 1);
	CHECK_EQ_U64(cp[0].index, 40);
}

TEST(changepoint_stationary_false_alarms)
{
	struct nb_rng r;
	struct nb_changepoint cp[CAP];
	double x[30];
	int alarms = 0, flagged = 0;

	nb_rng_seed(&r, 19);
	/* 100 stationary series of 30 runs at alpha 0.05: the first test's p is calibrated,
	 * so about 5 series are flagged; more than 12 would mean it is not (binomial tail
	 * ~ 0.002).  Target: at most one false change point per 100 runs (30 of 3000). */
	for (int t = 0; t < 100; t++) {
		for (size_t i = 0; i < LEN(x); i++)
			x[i] = 100 * (1 + 0.03 * gauss(&r));
		int m = nb_changepoints(x, LEN(x), NULL, 0, NULL, &r, cp, CAP, NULL);

		CHECK(m >= 0);
		alarms += m;
		flagged += m > 0;
	}
	printf("    stationary: %d false change points in 3000 runs (%.2f per 100), %d of 100 "
	       "series flagged\n", alarms, alarms / 30.0, flagged);
	CHECK_MSG(alarms <= 30, "%d false change points in 3000 runs", alarms);
	CHECK_MSG(flagged <= 12, "%d of 100 stationary series flagged", flagged);
}

TEST(changepoint_breaks_are_not_crossed)
{
	struct nb_rng r;
	struct nb_changepoint cp[CAP];
	double x[70];
	char err[NB_ERR_LEN] = "";
	const size_t at30[] = { 30 }, at40[] = { 0, 40, 40, 70 };
	const size_t bad[] = { 40, 30 }, far[] = { 71 };

	nb_rng_seed(&r, 20);
	/* A 10 % step exactly at a break: found without the break, not with it. */
	for (size_t i = 0; i < 60; i++)
		x[i] = (i < 30 ? 100 : 110) * (1 + 0.01 * gauss(&r));
	CHECK(nb_changepoints(x, 60, NULL, 0, NULL, &r, cp, CAP, NULL) == 1 && cp[0].index == 30);
	CHECK(nb_changepoints(x, 60, at30, 1, NULL, &r, cp, CAP, err) == 0);
	/* A change at 20 inside the first piece: its "after" segment ends at the break, not
	 * in the second piece (another level); the second piece's own change, 15 runs after
	 * the break, is measured from the break.  Breaks at 0 and n and repeated are ignored. */
	for (size_t i = 0; i < 70; i++)
		x[i] = (i < 20 ? 100 : i < 40 ? 110 : i < 55 ? 200 : 180) * (1 + 0.01 * gauss(&r));
	CHECK(nb_changepoints(x, 70, at40, LEN(at40), NULL, &r, cp, CAP, err) == 2);
	CHECK(cp[0].index == 20 && cp[0].start == 0 && cp[0].end == 40);
	CHECK(cp[1].index == 55 && cp[1].start == 40 && cp[1].end == 70);
	CHECK_NEAR(cp[0].median_after, 110, 3);
	CHECK_NEAR(cp[1].rel, -0.1, 0.02);
	/* Breaks out of order or beyond the series: refused, with the fix. */
	CHECK(nb_changepoints(x, 70, bad, 2, NULL, &r, cp, CAP, err) == -1);
	CHECK_MSG(strstr(err, "in order") && !strstr(err, "nb_"), "%s", err);
	CHECK(nb_changepoints(x, 70, far, 1, NULL, &r, cp, CAP, err) == -1 && strstr(err, "71"));
}

TEST(changepoint_degenerate_inputs)
{
	struct nb_rng r;
	struct nb_changepoint cp[CAP];
	double x[40], c[40];
	char err[NB_ERR_LEN] = "";
	struct nb_cp_opts o = { 0 };

	nb_rng_seed(&r, 21);
	for (size_t i = 0; i < LEN(x); i++) {
		x[i] = (i < 20 ? 100 : 150) * (1 + 0.01 * gauss(&r));
		c[i] = 42;
	}
	/* Too short to have min_seg runs on each side: no change point, no error. */
	CHECK(nb_changepoints(x + 16, 2 * NB_CP_MIN_SEG - 1, NULL, 0, NULL, &r, cp, CAP,
			      err) == 0);
	CHECK(nb_changepoints(x, 0, NULL, 0, NULL, &r, cp, CAP, err) == 0);
	/* Constant: nothing to find. */
	CHECK(nb_changepoints(c, LEN(c), NULL, 0, NULL, &r, cp, CAP, err) == 0);
	/* NaN or infinite: refused, naming the run and the fix, no function name. */
	x[3] = NAN;
	CHECK(nb_changepoints(x, LEN(x), NULL, 0, NULL, &r, cp, CAP, err) == -1);
	CHECK_MSG(strstr(err, "run 3") && strstr(err, "NaN") && strstr(err, "leave out") &&
		  !strstr(err, "nb_") && !strstr(err, "changepoints"), "%s", err);
	x[3] = INFINITY;
	CHECK(nb_changepoints(x, LEN(x), NULL, 0, NULL, &r, cp, CAP, err) == -1);
	x[3] = 100;
	/* Settings out of range, no generator. */
	o.alpha = 1.5;
	CHECK(nb_changepoints(x, LEN(x), NULL, 0, &o, &r, cp, CAP, err) == -1);
	CHECK_MSG(strstr(err, "(0, 1)") && !strstr(err, "nb_"), "%s", err);
	o = (struct nb_cp_opts){ .perms = 10 };
	CHECK(nb_changepoints(x, LEN(x), NULL, 0, &o, &r, cp, CAP, err) == -1);
	CHECK_MSG(strstr(err, "19") && !strstr(err, "nb_"), "%s", err);
	CHECK(nb_changepoints(x, LEN(x), NULL, 0, NULL, NULL, cp, CAP, err) == -1);
	/* Values <= 0: the change is found, its ratio has no interval. */
	for (size_t i = 0; i < LEN(x); i++)
		c[i] = x[i] - 100;
	CHECK(nb_changepoints(c, LEN(c), NULL, 0, NULL, &r, cp, CAP, err) == 1);
	CHECK(cp[0].index == 20 && isnan(cp[0].lo) && isnan(cp[0].hi));
	CHECK_NEAR(cp[0].median_after - cp[0].median_before, 50, 3);
}

TEST(changepoint_seeded_and_early_stop)
{
	struct nb_rng r1, r2;
	struct nb_changepoint a[CAP], b[CAP];
	struct nb_cp_opts full = { .exceed = NB_CP_PERMS + 1 };
	double x[50];
	int ma, mb, same = 0;

	nb_rng_seed(&r1, 22);
	for (size_t i = 0; i < LEN(x); i++)
		x[i] = (i < 25 ? 100 : 106) * (1 + 0.02 * gauss(&r1));
	/* The same seed gives the same answer, bit for bit. */
	nb_rng_seed(&r1, 99);
	nb_rng_seed(&r2, 99);
	ma = nb_changepoints(x, LEN(x), NULL, 0, NULL, &r1, a, CAP, NULL);
	mb = nb_changepoints(x, LEN(x), NULL, 0, NULL, &r2, b, CAP, NULL);
	CHECK(ma >= 1 && ma == mb);
	for (int i = 0; i < ma; i++)
		CHECK(a[i].index == b[i].index && a[i].p == b[i].p && a[i].lo == b[i].lo);
	/* Stopping at 5 exceedances changes no decision on stationary series here, and a
	 * test stopped early has p = 5 / permutations drawn. */
	for (int t = 0; t < 100; t++) {
		for (size_t i = 0; i < LEN(x); i++)
			x[i] = 100 * (1 + 0.02 * gauss(&r1));
		nb_rng_seed(&r2, (uint64_t)t);
		ma = nb_changepoints(x, LEN(x), NULL, 0, NULL, &r2, a, CAP, NULL);
		nb_rng_seed(&r2, (uint64_t)t);
		mb = nb_changepoints(x, LEN(x), NULL, 0, &full, &r2, b, CAP, NULL);
		same += (ma == 0) == (mb == 0);
		for (int i = 0; i < ma; i++)
			if (a[i].perms < NB_CP_PERMS)
				CHECK_NEAR(a[i].p, (double)NB_CP_EXCEED / a[i].perms, 1e-15);
	}
	printf("    early stop: %d of 100 stationary series decided alike with and without "
	       "it\n", same);
	CHECK_MSG(same >= 95, "%d of 100 decided alike", same);
}
