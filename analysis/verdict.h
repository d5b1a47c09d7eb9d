/* verdict.h - the calibrated gate behind `nestbench compare`: one cell (a workload on a
 * tier, BASE against NEW) measured, its p-value adjusted with the others', then decided
 * as regression, improvement, no change or inconclusive (with why).  Pure: arrays in,
 * decision out, so the benchmark (tests/bench/gate_bench.c) runs the very same rule.
 * The rule and its reasons: analysis/README.md, "The gate".
 */
#ifndef NB_VERDICT_H
#define NB_VERDICT_H

#include "../stats/stats.h"
#include "../common/err.h"

#include <stddef.h>

#define NB_GATE_THRESHOLD 0.05  /* a regression is worse by more than 5 % (whole interval) */
#define NB_GATE_ALPHA 0.05      /* family-wise (Holm) or false-discovery (BH) level */
#define NB_GATE_POWER 0.80      /* of the minimum detectable effect */
#define NB_GATE_WHY 256

/* The machine's other load during a cell's samples (samples[].interference: stolen
 * plus other busy CPU, in % of the tier's CPUs) differing between the files by this
 * many points or more, with p < alpha, makes the cell inconclusive (environment). */
#define NB_INTERFERENCE_MIN_PTS 10.0

struct nb_gate_opts {
	double threshold;           /* fraction of the BASE median */
	double alpha;
	double power;
	double level;               /* of the Δ interval */
	unsigned resamples;
	enum nb_padj correction;
};

enum nb_decision {
	NB_D_NO_CHANGE = 0,
	NB_D_IMPROVEMENT = 1,
	NB_D_REGRESSION = 2,
	NB_D_INCONCLUSIVE = 3,
	NB_D_NA = 4,                /* nothing to compare and nothing missing (skipped in both) */
};

/* Why a cell is inconclusive: power (more samples would settle it; fails only with
 * --strict) or setup (the two files cannot be compared there; fails the gate). */
enum nb_why_class { NB_WHY_NONE = 0, NB_WHY_POWER = 1, NB_WHY_SETUP = 2 };

struct nb_gate_cell {
	int measured;               /* the statistics below were computed */
	struct nb_ci old_ci, new_ci;   /* order-statistic intervals of the medians */
	struct nb_ratio_ci d;       /* median(new) / median(old) - 1, bootstrap interval */
	struct nb_mwu mwu;
	size_t old_outliers, new_outliers;
	double p_adj;               /* after the correction over all measured cells */
	double mde;                 /* minimum detectable effect at alpha / m, fraction */
	size_t m;                   /* cells in the correction */
	double worse_lo, worse, worse_hi; /* Δ turned so that positive = worse */
	enum nb_decision dec;
	enum nb_why_class why_class;
	char why[NB_GATE_WHY];      /* inconclusive, n/a: why; no change: "slower, within ..." */
};

void nb_gate_opts_default(struct nb_gate_opts *o);
const char *nb_decision_name(enum nb_decision d);   /* "no_change", "regression", ... */

/* The statistics of one cell; 0, or -1 with err (invalid samples). */
int nb_gate_measure(const double *old_x, size_t n_old, const double *new_x, size_t n_new,
		    enum nb_stats_better better, const struct nb_gate_opts *o, struct nb_rng *rng,
		    struct nb_gate_cell *c, char err[NB_ERR_LEN]);
/* Adjust the p-values of the measured cells together (o->correction) and set each
 * one's p_adj, m and mde; -1 out of memory. */
int nb_gate_adjust(struct nb_gate_cell *const *cells, size_t n, const struct nb_gate_opts *o);
/* Decide a measured cell from its adjusted p-value and interval. */
void nb_gate_decide(struct nb_gate_cell *c, const struct nb_gate_opts *o);
/* Mark a cell inconclusive (or n/a) for a reason found outside its samples. */
void nb_gate_set(struct nb_gate_cell *c, enum nb_decision d, enum nb_why_class k,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
