/* changepoint_bench.c - a benchmark, not a test: the time of change-point detection
 * (stats/changepoint.c, default settings) on series of 1000 runs, the size `history
 * check` meets, and what that makes of its 30 workloads x 3 tiers x 1000 runs.
 *
 *   changepoint-bench [N [SERIES]]     (defaults: 1000 runs, 90 series per kind)
 *
 * Series: per-run values with 1 % Gaussian noise, stationary, with one +5 % shift, and
 * with six shifts of +-5 % (every ~140 runs); each kind timed over SERIES seeded series,
 * best of three rounds.  Prints the time per series, the change points found and the
 * permutations of the kept splits, and the estimate for a whole check (a third of the
 * series of each kind, and the worst case: all with six shifts). */
#include "../../stats/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define KINDS 3

static const char *const kind_name[KINDS] = { "stationary", "one shift", "six shifts" };

static double gauss(struct nb_rng *r)
{
	double u1 = 1 - nb_rng_uniform(r), u2 = nb_rng_uniform(r);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static void make_series(int kind, double *x, size_t n, struct nb_rng *r)
{
	for (size_t i = 0; i < n; i++) {
		double level = 100;

		if (kind == 1 && i >= n / 2)
			level = 105;
		if (kind == 2)
			level = (i * 7 / n) % 2 ? 105 : 100;
		x[i] = level * (1 + 0.01 * gauss(r));
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	size_t series = argc > 2 ? strtoul(argv[2], NULL, 10) : 90;
	double *x = malloc(n * sizeof(*x)), per[KINDS];
	struct nb_changepoint *cp = malloc((n / NB_CP_MIN_SEG + 1) * sizeof(*cp));
	char err[NB_ERR_LEN];

	if (!x || !cp || n < 2 || series < 1) {
		fprintf(stderr, "usage: changepoint-bench [RUNS >= 2 [SERIES >= 1]]\n");
		return 2;
	}
	printf("change-point detection: E-divisive means, alpha %.2f, <= %d permutations "
	       "(stop at %d exceedances), min segment %d, %d bootstrap resamples per change\n",
	       NB_CP_ALPHA, NB_CP_PERMS, NB_CP_EXCEED, NB_CP_MIN_SEG, NB_CP_RESAMPLES);
	for (int k = 0; k < KINDS; k++) {
		double best = INFINITY;
		size_t found = 0;
		unsigned long perms = 0;

		for (int round = 0; round < 3; round++) {
			struct nb_rng data, rng;
			double t0;

			nb_rng_seed(&data, 1000 + (uint64_t)k);
			nb_rng_seed(&rng, 7);
			found = 0;
			perms = 0;
			t0 = now();
			for (size_t s = 0; s < series; s++) {
				make_series(k, x, n, &data);
				int m = nb_changepoints(x, n, NULL, 0, NULL, &rng, cp,
							n / NB_CP_MIN_SEG + 1, err);

				if (m < 0) {
					fprintf(stderr, "changepoint-bench: %s\n", err);
					return 1;
				}
				found += (size_t)m;
				for (int i = 0; i < m; i++)
					perms += cp[i].perms;
			}
			double t = now() - t0;   /* data generation included: < 1 % */

			if (t < best)
				best = t;
		}
		per[k] = best / (double)series;
		printf("  %-10s  %zu runs: %8.2f ms per series  (%.2f change points, %.0f "
		       "permutations of kept splits per series)\n", kind_name[k], n,
		       per[k] * 1e3, (double)found / (double)series,
		       (double)perms / (double)series);
	}
	printf("history check estimate, 30 workloads x 3 tiers x %zu runs: %.2f s (a third of "
	       "each kind), %.2f s (all with six shifts)\n", n, 30.0 * (per[0] + per[1] + per[2]),
	       90.0 * per[2]);
	free(x);
	free(cp);
	return 0;
}
