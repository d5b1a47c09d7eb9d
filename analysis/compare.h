/* compare.h - `nestbench compare BASE NEW`: a calibrated regression gate, workload by
 * workload and tier by tier.  Δ is the relative change of the medians with a bootstrap
 * interval, p the two-sided Mann-Whitney U test adjusted over all cells (Holm by
 * default); each cell is decided by verdict.h as regression, improvement, no change or
 * inconclusive, and a cell is inconclusive whatever its samples say when the files
 * cannot be compared there (binary, tier nature or environment changed, tier or case
 * missing).  Samples are also read in their measurement order for a regime shift or a
 * drift, which is flagged.  Rendering: compare_format.c; rule: analysis/README.md.
 */
#ifndef NB_COMPARE_H
#define NB_COMPARE_H

#include "resultset.h"
#include "../common/err.h"
#include "verdict.h"
#include "../stats/stats.h"

#include <stdint.h>
#include <stdio.h>

/* ---- data types --------------------------------------------------------------------- */

#define NB_COMPARE_THRESHOLD NB_GATE_THRESHOLD
#define NB_COMPARE_ALPHA NB_GATE_ALPHA

/* Exit statuses of `nestbench compare`. */
enum nb_compare_status {
	NB_CMP_OK = 0,                 /* no regression */
	NB_CMP_REGRESSION = 1,
	NB_CMP_BAD_INPUT = 2,
	NB_CMP_INCONCLUSIVE = 3,       /* setup problems, or (--strict) any inconclusive cell */
};

struct nb_compare_opts {
	struct nb_gate_opts g;     /* threshold, alpha, power, level, resamples, correction */
	uint64_t seed;
	int strict;                /* an inconclusive cell of any kind fails the gate */
};

/* A measurement-order finding on one side of a row. */
struct nb_series_flag {
	int shift, drift;          /* flagged */
	struct nb_shift s;
	struct nb_drift d;
};

struct nb_compare_row {
	const char *tier;          /* borrowed from the result set */
	const struct nb_rs_case *old_c, *new_c; /* either may be NULL (missing on one side) */
	struct nb_gate_cell g;     /* statistics and decision */
	struct nb_series_flag old_f, new_f;
};

/* Per tier: the geometric mean of the cells' ratios, turned so that positive is worse
 * for every metric (a time's new/old, a throughput's old/new). */
struct nb_compare_geomean {
	const char *tier;
	double worse;              /* exp(mean(log worse-ratio)) - 1 */
	size_t n;
};

/* Per tier pair: what makes the whole tier incomparable (environment, nature). */
struct nb_compare_tier {
	const char *tier;
	char note[NB_GATE_WHY];    /* "" when comparable and nothing to say */
	int setup;                 /* the note makes every cell of the tier inconclusive */
};

struct nb_compare {
	const struct nb_resultset *rs;   /* files[0] = BASE, files[1] = NEW */
	struct nb_compare_opts o;
	struct nb_compare_row *rows;
	size_t n_rows;
	size_t n_regressions, n_improvements, n_same, n_inconclusive, n_setup, n_na, n_compared;
	size_t m;                  /* cells in the p-value adjustment */
	size_t n_flagged;          /* rows with a shift or drift on either side */
	struct nb_compare_geomean *geo;
	size_t n_geo;
	struct nb_compare_tier *tiers;
	size_t n_tiers;
	char binary[NB_GATE_WHY];  /* "" or why the nestbench-work binaries differ */
	int canary_seen;           /* some tier pair had canaries on both sides */
};

enum nb_compare_format { NB_CMP_MD, NB_CMP_JSON };

/* ---- prototypes --------------------------------------------------------------------- */

void nb_compare_opts_default(struct nb_compare_opts *o);
/* Compare the two files of rs; 0, or -1 with err (nothing in common, no samples). */
int nb_compare_build(struct nb_compare *c, const struct nb_resultset *rs,
		     const struct nb_compare_opts *o, char err[NB_ERR_LEN]);
void nb_compare_free(struct nb_compare *c);
/* The row's key, family, unit and direction (from whichever side has the case). */
const struct nb_rs_case *nb_compare_case(const struct nb_compare_row *r);
/* The exit status the comparison calls for (NB_CMP_OK, _REGRESSION or _INCONCLUSIVE). */
enum nb_compare_status nb_compare_status(const struct nb_compare *c);

int nb_compare_format_parse(const char *s, enum nb_compare_format *f);
int nb_compare_write(const struct nb_compare *c, enum nb_compare_format f, FILE *out,
		     char err[NB_ERR_LEN]);

#endif
