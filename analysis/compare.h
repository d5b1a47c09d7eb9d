/* compare.h - `nestbench compare BASE NEW`: benchstat-style verdicts per workload and
 * tier for CI gating.  Δ is the relative change of the medians with a bootstrap
 * interval, p the two-sided Mann-Whitney U test; a regression is a significant change in
 * the worse direction of the metric beyond a threshold.  Rendering: compare_format.c.
 */
#ifndef NB_COMPARE_H
#define NB_COMPARE_H

#include "resultset.h"
#include "../stats/stats.h"

#include <stdint.h>
#include <stdio.h>

/* ---- data types --------------------------------------------------------------------- */

#define NB_COMPARE_THRESHOLD 0.05  /* default: a regression is worse by more than 5 % */
#define NB_COMPARE_ALPHA 0.05

struct nb_compare_opts {
	double threshold;          /* fraction of the BASE median */
	double alpha;              /* significance level of the Mann-Whitney test */
	double level;              /* of the intervals */
	unsigned resamples;
	uint64_t seed;
};

enum nb_verdict {
	NB_V_SAME = 0,             /* p >= alpha: "~" */
	NB_V_BETTER = 1,           /* significant, better in the metric's direction */
	NB_V_WORSE = 2,            /* significant, worse, but within the threshold */
	NB_V_REGRESSION = 3,       /* significant, worse by more than the threshold */
	NB_V_TOO_FEW = 4,          /* these sample sizes can never reach alpha */
	NB_V_NA = 5,               /* not compared: `why` */
};

struct nb_compare_row {
	const char *tier;          /* borrowed from the result set */
	const struct nb_rs_case *old_c, *new_c; /* either may be NULL (missing on one side) */
	struct nb_ci old_ci, new_ci;  /* order-statistic intervals of the medians */
	struct nb_ratio_ci d;      /* median(new) / median(old) - 1 */
	struct nb_mwu mwu;
	enum nb_verdict v;
	char *why;                 /* NB_V_NA: what is missing */
};

/* Per tier, benchstat's summary line: the geometric mean of the compared ratios. */
struct nb_compare_geomean {
	const char *tier;
	double delta;              /* exp(mean(log(new/old))) - 1 */
	size_t n;
};

struct nb_compare {
	const struct nb_resultset *rs;   /* files[0] = BASE, files[1] = NEW */
	struct nb_compare_opts o;
	struct nb_compare_row *rows;
	size_t n_rows;
	size_t n_regressions, n_compared;
	struct nb_compare_geomean *geo;
	size_t n_geo;
};

enum nb_compare_format { NB_CMP_MD, NB_CMP_JSON };

/* ---- prototypes --------------------------------------------------------------------- */

void nb_compare_opts_default(struct nb_compare_opts *o);
/* Compare the two files of rs; 0, or -1 with err (nothing in common, no samples). */
int nb_compare_build(struct nb_compare *c, const struct nb_resultset *rs,
		     const struct nb_compare_opts *o, char *err);
void nb_compare_free(struct nb_compare *c);
/* The row's key, family, unit and direction (from whichever side has the case). */
const struct nb_rs_case *nb_compare_case(const struct nb_compare_row *r);
const char *nb_verdict_name(enum nb_verdict v);

int nb_compare_format_parse(const char *s, enum nb_compare_format *f);
int nb_compare_write(const struct nb_compare *c, enum nb_compare_format f, FILE *out, char *err);

#endif
