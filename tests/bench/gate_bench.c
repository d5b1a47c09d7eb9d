/* gate_bench.c - a benchmark, not a test: the false-alarm rate and the power of the
 * gate of `nestbench compare` (analysis/verdict.h, the same rule and correction) on
 * real repeated samples of this machine.
 *
 *   gate-bench RUN.json...   (two or more runs of one campaign, tests/bench/gate_campaign.json)
 *
 * A/A within runs: each case's samples split at random into two halves, BASE and NEW,
 * the gate run over all cells of the run (Holm); a trial with any regression is a false
 * alarm.  Power: the same halves with NEW of one workload made 10 % worse (times x 1.1,
 * throughputs / 1.1); caught when that cell is a regression, excused when it is
 * inconclusive (its minimum detectable effect is printed), missed otherwise.
 * A/A between runs: every pair of runs compared whole, as `nestbench compare` does
 * (no canary: this shows what the canary is for).  Targets: false alarms <= 5 %;
 * caught or excused >= 90 %. */
#include "../../analysis/compare.h"
#include "../../common/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRIALS 200
#define SLOWDOWN 1.10

struct cell {
	const struct nb_rs_case *c;
	double *a, *b;             /* the halves */
	size_t na, nb;
	struct nb_gate_cell g;
};

/* Split x at random into a (first half of a shuffle) and b. */
static void split(const struct nb_rs_case *k, struct nb_rng *r, struct cell *c)
{
	double *x = malloc(k->n * sizeof(*x));

	memcpy(x, k->values, k->n * sizeof(*x));
	for (size_t i = k->n - 1; i > 0; i--) {
		size_t j = nb_rng_below(r, (uint32_t)(i + 1));
		double t = x[i];

		x[i] = x[j];
		x[j] = t;
	}
	c->na = k->n / 2;
	c->nb = k->n - c->na;
	memcpy(c->a, x, c->na * sizeof(*x));
	memcpy(c->b, x + c->na, c->nb * sizeof(*x));
	free(x);
}

struct tally {
	size_t trials, false_alarms, caught, excused, missed;
	double mde_sum;
	size_t mde_n;
};

/* One trial over the cells of a tier: victim < n gets the slowdown.  Returns the
 * number of regressions among the other cells. */
static size_t trial(struct cell *cells, size_t n, size_t victim, const struct nb_gate_opts *o,
		    struct nb_rng *r, struct tally *t)
{
	struct nb_gate_cell **p = calloc(n, sizeof(*p));
	size_t m = 0, fa = 0;

	for (size_t i = 0; i < n; i++) {
		split(cells[i].c, r, &cells[i]);
		if (i == victim)
			for (size_t j = 0; j < cells[i].nb; j++)
				cells[i].b[j] = cells[i].c->better == NB_STATS_HIGHER_BETTER ?
						cells[i].b[j] / SLOWDOWN : cells[i].b[j] * SLOWDOWN;
		if (nb_gate_measure(cells[i].a, cells[i].na, cells[i].b, cells[i].nb, cells[i].c->better,
				    o, r, &cells[i].g, NULL) == 0)
			p[m++] = &cells[i].g;
	}
	nb_gate_adjust(p, m, o);
	for (size_t i = 0; i < m; i++)
		nb_gate_decide(p[i], o);
	for (size_t i = 0; i < n; i++) {
		if (i != victim) {
			fa += cells[i].g.measured && cells[i].g.dec == NB_D_REGRESSION;
			continue;
		}
		if (cells[i].g.dec == NB_D_REGRESSION)
			t->caught++;
		else if (cells[i].g.dec == NB_D_INCONCLUSIVE) {
			t->excused++;
			if (isfinite(cells[i].g.mde)) {
				t->mde_sum += cells[i].g.mde;
				t->mde_n++;
			}
		} else
			t->missed++;
	}
	free(p);
	return fa;
}

static void within_runs(const struct nb_resultset *rs, const struct nb_gate_opts *o)
{
	struct tally aa = { 0 }, pw = { 0 };
	struct nb_rng r;

	nb_rng_seed(&r, 2026);
	for (size_t ti = 0; ti < rs->n_tiers; ti++) {
		const struct nb_rs_tier *t = &rs->tiers[ti];
		struct cell *cells = calloc(t->n_cases, sizeof(*cells));
		size_t n = 0;

		for (size_t k = 0; k < t->n_cases; k++) {
			char buf[256];

			if (nb_rs_case_problem(&t->cases[k], buf, sizeof(buf)) || t->cases[k].n < 6)
				continue;
			cells[n].c = &t->cases[k];
			cells[n].a = malloc(t->cases[k].n * sizeof(double));
			cells[n].b = malloc(t->cases[k].n * sizeof(double));
			n++;
		}
		for (size_t i = 0; n && i < TRIALS / rs->n_files + 1; i++) {
			aa.trials++;
			aa.false_alarms += trial(cells, n, (size_t)-1, o, &r, &aa) > 0;
			pw.trials++;
			trial(cells, n, i % n, o, &r, &pw);
		}
		for (size_t i = 0; i < n; i++) {
			free(cells[i].a);
			free(cells[i].b);
		}
		free(cells);
	}
	printf("A/A within runs (random halves, all cells of a run gated together, %s): "
	       "false alarms in %zu of %zu trials = %.1f %% (target <= 5 %%)\n",
	       nb_padj_name(o->correction), aa.false_alarms, aa.trials,
	       100.0 * (double)aa.false_alarms / (double)aa.trials);
	printf("power against a %.0f %% slowdown of one workload: caught %zu, inconclusive %zu "
	       "(mean minimum detectable effect %.1f %%), missed %zu of %zu = %.1f %% caught or "
	       "reported inconclusive (target >= 90 %%)\n", (SLOWDOWN - 1) * 100, pw.caught,
	       pw.excused, pw.mde_n ? 100 * pw.mde_sum / (double)pw.mde_n : NAN, pw.missed,
	       pw.trials, 100.0 * (double)(pw.caught + pw.excused) / (double)pw.trials);
}

/* The rule compare used before the gate: raw p < alpha and the point worse than the
 * threshold, per cell, no correction, no interval, no canary. */
static size_t naive_alarms(const struct nb_compare *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_rows; i++) {
		const struct nb_gate_cell *g = &c->rows[i].g;

		n += g->measured && g->mwu.p < c->o.g.alpha && g->worse > c->o.g.threshold;
	}
	return n;
}

static void between_runs(char **paths, int n, const struct nb_compare_opts *o)
{
	size_t pairs = 0, alarms = 0, inconclusive = 0, regressions = 0, cells = 0, old_rule = 0;

	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			struct nb_resultset rs = { 0 };
			struct nb_compare c;
			char err[NB_ERR_LEN];

			if (nb_rs_add_file(&rs, paths[i], err) || nb_rs_add_file(&rs, paths[j], err) ||
			    nb_compare_build(&c, &rs, o, err)) {
				fprintf(stderr, "gate-bench: %s\n", err);
				nb_rs_free(&rs);
				continue;
			}
			pairs++;
			alarms += c.n_regressions > 0;
			inconclusive += nb_compare_status(&c) == NB_CMP_INCONCLUSIVE;
			regressions += c.n_regressions;
			cells += c.n_compared;
			old_rule += naive_alarms(&c);
			nb_compare_free(&c);
			nb_rs_free(&rs);
		}
	printf("A/A between runs (whole files, as nestbench compare): %zu of %zu pairs flagged a "
	       "regression (%zu of %zu cells), %zu inconclusive; the rule before the gate (raw p, "
	       "point beyond the threshold) would have flagged %zu cells\n", alarms, pairs,
	       regressions, cells, inconclusive, old_rule);
}

int main(int argc, char **argv)
{
	struct nb_resultset rs = { 0 };
	struct nb_compare_opts o;
	char err[NB_ERR_LEN];

	if (argc < 3) {
		fprintf(stderr, "usage: gate-bench RUN.json RUN.json...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (nb_rs_add_file(&rs, argv[i], err)) {
			fprintf(stderr, "gate-bench: %s\n", err);
			return 2;
		}
	nb_compare_opts_default(&o);
	o.g.resamples = 1000;
	printf("gate: threshold %g %%, alpha %g (%s), power %g, %g %% intervals, %u resamples\n",
	       o.g.threshold * 100, o.g.alpha, nb_padj_name(o.g.correction), o.g.power,
	       o.g.level * 100, o.g.resamples);
	within_runs(&rs, &o.g);
	between_runs(argv + 1, argc - 1, &o);
	nb_rs_free(&rs);
	return 0;
}
