/* stats.h - the statistics behind nestbench's tables and verdicts: sample summaries,
 * confidence intervals of the median, overhead ratios with bootstrap intervals, the
 * Mann-Whitney U test, and the adaptive-stopping rule.  Methods and references:
 * analysis/README.md.
 *
 * Conventions (every function):
 *   - inputs are `const double *x, size_t n` and are never modified (copied, then sorted);
 *   - 0 on success (or the documented non-negative result), -1 on invalid input or
 *     out of memory, with a message in `err` (NB_ERR_LEN bytes; may be NULL) naming
 *     the function and the problem: empty sample, NULL pointer, a value that is NaN or
 *     infinite (and its index), a value <= 0 where a ratio needs positive values, a level
 *     outside (0, 1), too few resamples;
 *   - no global state: randomness comes from a struct nb_rng the caller seeds, so a
 *     recorded seed reproduces every bootstrap interval bit for bit on any platform;
 *   - relative quantities (overhead, delta) are fractions: 0.05 means +5 %.
 */
#ifndef NB_STATS_H
#define NB_STATS_H

#include "../common/err.h"

#include <stddef.h>
#include <stdint.h>

/* ---- constants --------------------------------------------------------------------- */

#define NB_STATS_OUTLIER_K 3.5       /* Iglewicz & Hoaglin's modified z-score cut-off */
#define NB_STATS_MAD_SCALE 1.4826    /* MAD -> sigma for normal data (R's mad() constant) */
#define NB_STATS_MEANAD_SCALE 1.253314 /* mean |x - median| -> sigma, when MAD = 0 */
#define NB_BOOT_MIN_RESAMPLES 100    /* fewer resamples are refused */

/* ---- random numbers: xoshiro256** seeded by splitmix64 ------------------------------ */

struct nb_rng {
	uint64_t s[4];
};

/* Seed: the four state words are the first four outputs of splitmix64(seed). */
void nb_rng_seed(struct nb_rng *r, uint64_t seed);
/* Seed from a campaign seed and a key (e.g. "file|workload|tier"), so that each cell's
 * interval depends on its own identity, not on which cells were processed before it. */
void nb_rng_seed_key(struct nb_rng *r, uint64_t seed, const char *key);
uint64_t nb_rng_next(struct nb_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double nb_rng_uniform(struct nb_rng *r);
/* Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject on 32 bits);
 * n >= 1.  Uses one nb_rng_next() per draw except on the rare rejection. */
uint32_t nb_rng_below(struct nb_rng *r, uint32_t n);

/* ---- quantiles and the summary of one sample ---------------------------------------- */

/* Quantile of a sorted sample, Hyndman & Fan type 7 (R's default, NumPy's "linear"):
 * h = (n - 1) p, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]), computed as
 * R computes it.  Requires n >= 1 and 0 <= p <= 1 (p is clamped); no checks. */
double nb_stats_quantile_sorted(const double *sorted, size_t n, double p);
/* The same on an unsorted sample, with input checks. */
int nb_stats_quantile(const double *x, size_t n, double p, double *out, char err[NB_ERR_LEN]);
int nb_stats_median(const double *x, size_t n, double *out, char err[NB_ERR_LEN]);

struct nb_summary {
	size_t n;
	double mean;
	double sd;              /* sample standard deviation (divisor n - 1); NaN when n = 1 */
	double cv;              /* sd / |mean|; 0 when sd = 0; +inf when mean = 0 < sd; NaN n = 1 */
	double min, q1, median, q3, max;   /* type-7 quantiles 0, .25, .5, .75, 1 */
	double mad;             /* NB_STATS_MAD_SCALE * median(|x - median|) */
	/* Outliers: |x - median| > outlier_k * outlier_scale, where outlier_scale is mad, or,
	 * when mad = 0 (more than half the values equal), NB_STATS_MEANAD_SCALE * mean
	 * |x - median| (then mad_zero = 1); when both are 0 nothing is an outlier. */
	double outlier_k;
	double outlier_scale;
	int mad_zero;
	size_t n_outliers, n_low, n_high;  /* n_low: below the median; n_high: above */
	double cv_threshold;
	int high_cv;            /* cv > cv_threshold (never for NaN cv) */
};

/* Summarise x.  outlier_k <= 0 selects NB_STATS_OUTLIER_K.  is_outlier, when not NULL,
 * receives n flags (1 = outlier) in the order of x. */
int nb_stats_summary(const double *x, size_t n, double outlier_k, double cv_threshold,
		     unsigned char *is_outlier, struct nb_summary *out, char err[NB_ERR_LEN]);

/* ---- confidence interval of the median ---------------------------------------------- */

struct nb_ci {
	double point;           /* the estimate: the sample median (type 7) */
	double lo, hi;
	double level;           /* requested, e.g. 0.95 */
	double coverage;        /* achieved: exact for order statistics; = level for bootstrap */
	size_t lo_rank, hi_rank;/* 1-based ranks of lo and hi (order statistics); 0 bootstrap */
	int reached;            /* coverage >= level; 0 means the full range was returned */
	unsigned resamples;     /* bootstrap only; 0 for order statistics */
};

/* Ranks of the distribution-free interval [x_(l), x_(u)], u = n + 1 - l: the narrowest
 * such interval whose coverage 1 - 2 P(Bin(n, 1/2) <= l - 1) is >= level.  Returns 1
 * when the level is reached; 0 when n is too small (then l = 1, u = n, the full range,
 * and coverage is that of the full range); -1 for n = 0 or a level outside (0, 1). */
int nb_stats_median_ci_ranks(size_t n, double level, size_t *lo_rank, size_t *hi_rank,
			     double *coverage);
/* Smallest n for which the order-statistic interval reaches level (6 for 0.95). */
size_t nb_stats_median_ci_min_n(double level);
/* The order-statistic interval of the median of x (reached = 0: full range). */
int nb_stats_median_ci(const double *x, size_t n, double level, struct nb_ci *out,
		       char err[NB_ERR_LEN]);

/* Percentile bootstrap: `resamples` medians of resamples of x (with replacement, seeded
 * by rng); lo and hi are their type-7 quantiles at (1 - level)/2 and (1 + level)/2.
 * reached = n >= nb_stats_median_ci_min_n(level): with fewer samples the percentile
 * interval of a median is too narrow to be trusted. */
int nb_boot_median_ci(const double *x, size_t n, double level, unsigned resamples,
		      struct nb_rng *rng, struct nb_ci *out, char err[NB_ERR_LEN]);
/* The bootstrap medians themselves (out has `resamples` slots), same draws as above. */
int nb_boot_medians(const double *x, size_t n, unsigned resamples, struct nb_rng *rng,
		    double *out, char err[NB_ERR_LEN]);

/* ---- overhead and relative difference ----------------------------------------------- */

enum nb_stats_better {
	NB_STATS_LOWER_BETTER = 0,  /* time-like: ns/op, latency */
	NB_STATS_HIGHER_BETTER = 1, /* throughput: GB/s, ops/s */
};

struct nb_ratio_ci {
	double point;            /* fraction; for overhead, positive = the tier is slower */
	double lo, hi;           /* percentile bootstrap interval of the same quantity */
	double median_t, median_b; /* tier (or new) and baseline (or old) medians */
	double level;
	unsigned resamples;
	size_t n_t, n_b;
	/* min(n_t, n_b) < nb_stats_median_ci_min_n(level): say "too few samples". */
	int few_samples;
};

/* Overhead of tier t over baseline b from their medians:
 *   NB_STATS_LOWER_BETTER:  median(t) / median(b) - 1
 *   NB_STATS_HIGHER_BETTER: median(b) / median(t) - 1
 * so a positive overhead always means the tier is slower.  The interval resamples both
 * samples independently (t then b in each round).  All values must be finite and > 0. */
int nb_stats_overhead(const double *t, size_t n_t, const double *b, size_t n_b,
		      enum nb_stats_better better, double level, unsigned resamples,
		      struct nb_rng *rng, struct nb_ratio_ci *out, char err[NB_ERR_LEN]);

/* Relative difference of the medians for compare: median(new) / median(old) - 1, with
 * the same bootstrap (new in the role of t, old in the role of b).  The sign is that of
 * the metric's change; whether it is a regression depends on the metric's `better`. */
int nb_stats_delta(const double *old_x, size_t n_old, const double *new_x, size_t n_new,
		   double level, unsigned resamples, struct nb_rng *rng,
		   struct nb_ratio_ci *out, char err[NB_ERR_LEN]);

/* ---- Mann-Whitney U test (two-sided) ------------------------------------------------- */

enum nb_mwu_method {
	NB_MWU_EXACT = 0,        /* no ties and n1, n2 < 50: exact null distribution */
	NB_MWU_NORMAL = 1,       /* normal approximation, tie and continuity corrected */
};

struct nb_mwu {
	size_t n1, n2;
	double u;                /* U of the first sample: #(x > y) + #(x = y)/2 (R's W) */
	double p;                /* two-sided p-value, as R's wilcox.test(x, y) */
	double z;                /* the corrected normal deviate; NaN for the exact method */
	double prob_greater;     /* u / (n1 n2): P(X > Y) + P(X = Y)/2 */
	enum nb_mwu_method method;
	int ties;                /* some value occurs more than once in x and y together */
	double min_p;            /* smallest two-sided p these sizes allow: 2 / C(n1+n2, n1) */
	double alpha;
	int too_few;             /* min_p > alpha: can never be significant (benchstat) */
};

int nb_mwu_test(const double *x, size_t n1, const double *y, size_t n2, double alpha,
		struct nb_mwu *out, char err[NB_ERR_LEN]);
const char *nb_mwu_method_name(enum nb_mwu_method m);

/* ---- adaptive stopping -------------------------------------------------------------- */

/* 1 when the order-statistic interval of the median at `level` reaches the level and
 * max(median - lo, hi - median) <= target_rel * |median|; 0 when not (or when n is too
 * small to reach the level); -1 on invalid input.  ci, when not NULL, receives the
 * interval. */
int nb_stats_ci_converged(const double *x, size_t n, double level, double target_rel,
			  struct nb_ci *ci, char err[NB_ERR_LEN]);

/* ---- many cells: multiplicity, power (gate.c) ---------------------------------------- */

enum nb_padj {
	NB_PADJ_HOLM = 0,        /* Holm's step-down: family-wise error rate <= alpha */
	NB_PADJ_BH = 1,          /* Benjamini-Hochberg: false discovery rate <= alpha */
	NB_PADJ_NONE = 2,
};

const char *nb_padj_name(enum nb_padj m);          /* "holm", "bh", "none" */
int nb_padj_parse(const char *s, enum nb_padj *m); /* also "fdr" for bh; -1 unknown */
/* Adjusted p-values, as R's p.adjust(p, "holm" / "BH" / "none"), into out (m slots, in
 * the order of p).  -1 with err on a p outside [0, 1]. */
int nb_p_adjust(const double *p, size_t m, enum nb_padj method, double *out, char err[NB_ERR_LEN]);
/* The standard normal quantile (inverse CDF); -inf, +inf at 0 and 1. */
double nb_stats_norm_quantile(double q);
/* Minimum detectable effect of a relative change: (z(1 - alpha/2) + z(power)) SE, the
 * standard error SE read off the Δ interval as its width / (2 z((1 + level)/2)).  The
 * change a two-sided test at alpha detects with probability `power` at these sample
 * sizes and this noise; +inf when the interval is not finite. */
double nb_stats_mde(const struct nb_ratio_ci *d, double alpha, double power);

/* ---- one sample in measurement order (series.c) ------------------------------------ */

/* A sample read in measurement order is flagged (table, compare, the stopping rule)
 * when its regime-shift or drift test gives p < NB_SERIES_ALPHA and the level moves by
 * NB_SERIES_MIN_REL or more; series shorter than NB_SERIES_MIN_N are not tested. */
#define NB_SERIES_ALPHA 0.01
#define NB_SERIES_MIN_REL 0.02
#define NB_SERIES_MIN_N 8
#define NB_SERIES_PERMS 199
#define NB_SERIES_MIN_SEG 3

/* Regime shift: the series as two segments x[0 .. split-1], x[split .. n-1] at the best
 * split.  Statistic: max over splits k (min_seg <= k <= n - min_seg) of the standardised
 * Wilcoxon rank-sum |U_k - k(n-k)/2| / sqrt(k(n-k)(n+1)/12) (Pettitt's test in its
 * standardised form); p-value: the share of `perms` random permutations of the series
 * whose maximum is at least as large ((1 + #) / (1 + perms)), so the max over splits is
 * calibrated.  Series shorter than 2 min_seg: p = 1. */
struct nb_shift {
	size_t n, split;
	double stat, p, alpha;
	double before, after;    /* medians of the two segments */
	double rel;              /* after / before - 1 */
	unsigned perms;
	int shift;               /* p < alpha */
};
int nb_shift_test(const double *x, size_t n, size_t min_seg, unsigned perms, double alpha,
		  struct nb_rng *rng, struct nb_shift *out, char err[NB_ERR_LEN]);

/* Drift: the Mann-Kendall trend test of the values against their position (S = sum of
 * sign(x_j - x_i), i < j; tie-corrected variance; normal deviate with continuity
 * correction; two-sided p) and the Theil-Sen slope (median of pairwise slopes).  rel:
 * slope (n - 1) / |median|, the change across the whole series as a share of the median.
 * Series of fewer than 4 values: p = 1. */
struct nb_drift {
	size_t n;
	double s, tau, z, p, alpha;
	double slope, rel;
	int drift;               /* p < alpha */
};
int nb_drift_test(const double *x, size_t n, double alpha, struct nb_drift *out,
		  char err[NB_ERR_LEN]);

/* ---- change points over a series of runs (changepoint.c) ---------------------------- */

/* E-divisive means (Matteson & James 2014, with alpha = 1, the variant performance-CI
 * tools apply to one value per run): hierarchical binary segmentation by the energy
 * distance between the segments before and after a split, each split tested by a
 * permutation test.  Methods: analysis/README.md, "Change points over runs". */
#define NB_CP_ALPHA 0.05        /* a split is kept when its p <= alpha */
#define NB_CP_PERMS 199         /* permutations per test, at most */
#define NB_CP_EXCEED 5          /* stop a test at this many exceedances (Besag-Clifford) */
#define NB_CP_MIN_SEG 4         /* runs on each side of a change, at least */
#define NB_CP_LEVEL 0.95
#define NB_CP_RESAMPLES 1000    /* bootstrap resamples of each change's size */

/* Settings; a zero field selects its NB_CP_ default (so `{ 0 }` is the default). */
struct nb_cp_opts {
	double alpha;
	unsigned perms;         /* >= 19 */
	unsigned exceed;        /* >= 1; perms + 1 disables the early stop */
	size_t min_seg;         /* >= 2 */
	double level;           /* of the interval of each change's size */
	unsigned resamples;     /* >= NB_BOOT_MIN_RESAMPLES */
};

/* One change point.  before = x[start .. index-1], after = x[index .. end-1]: the
 * segments between this change and its neighbours (or the piece's ends). */
struct nb_changepoint {
	size_t index;           /* the first run after the change */
	size_t start, end;
	size_t order;           /* 1 = found first (the strongest split of its piece) */
	double stat;            /* the split's energy statistic Q */
	double p;               /* permutation p-value of the test that kept the split */
	unsigned perms;         /* permutations that test ran */
	double mean_before, mean_after, median_before, median_after;
	/* median_after / median_before - 1 and its percentile bootstrap interval
	 * (nb_stats_delta of the two segments); the interval is NaN when a segment has a
	 * value <= 0, rel too when median_before = 0. */
	double rel, lo, hi, level;
};

/* Change points of x[0 .. n-1] (one value per run, in run order), sorted by index, into
 * out (cap slots; n / min_seg always suffices; with fewer, the first `cap` found are
 * kept: pieces in run order, each piece's strongest splits first).  breaks: n_breaks
 * run indexes, non-decreasing, where a new piece begins (the tier's nature or the
 * binary changed): each piece is segmented on its own and no change is reported at a
 * break; 0, n and repeats are ignored; breaks may be NULL when n_breaks = 0.  The
 * permutations and the bootstrap draw from rng.  Returns the number of change points
 * (0 for a series or piece shorter than 2 min_seg, or constant); -1 with err on a NaN
 * or infinite value, bad breaks or settings, or out of memory. */
int nb_changepoints(const double *x, size_t n, const size_t *breaks, size_t n_breaks,
		    const struct nb_cp_opts *opts, struct nb_rng *rng,
		    struct nb_changepoint *out, size_t cap, char err[NB_ERR_LEN]);

#endif
