/* table.h - the overhead table behind `nestbench table` (and the charts of `nestbench
 * plot`): rows are workloads grouped by family, columns are the baseline's median and
 * each tier's overhead over the baseline or over the tier one level below it, cells hold
 * the bootstrap interval or say why there is none.  Rendering: table_format.c.
 *
 * Column kinds are open: the counter columns (--counters: per-op figures of the perf
 * counters and of the VM exits the parent tier counted, derived.h) have their own
 * columns and cells beside the overhead ones, which they leave unchanged.
 */
#ifndef NB_TABLE_H
#define NB_TABLE_H

#include "derived.h"
#include "../common/err.h"
#include "resultset.h"
#include "../stats/stats.h"

#include <stdint.h>
#include <stdio.h>

/* ---- constants ---------------------------------------------------------------------- */

#define NB_REPORT_SEED 1           /* default bootstrap seed: tables reproduce bit for bit */
#define NB_REPORT_RESAMPLES 2000   /* default bootstrap resamples */
#define NB_REPORT_LEVEL 0.95
#define NB_REPORT_CV_HIGH 0.10     /* a sample whose CV exceeds this gets a footnote */
#define NB_LABEL 128

/* ---- data types --------------------------------------------------------------------- */

struct nb_table_opts {
	const char *baseline;      /* "TIER" or "FILE:TIER"; NULL: the first level-0 tier */
	double level;              /* of every interval */
	unsigned resamples;
	uint64_t seed;             /* each cell's stream: nb_rng_seed_key(seed, cell identity) */
	double cv_high;
	int counters;              /* add the counter columns */
};

enum nb_col_kind {
	NB_COL_BASELINE = 0,       /* the baseline's median, in the row's unit */
	NB_COL_OVERHEAD = 1,       /* a tier over the baseline */
	NB_COL_STEP = 2,           /* a tier over the tier one level below it in its file */
};

struct nb_table_col {
	enum nb_col_kind kind;
	char label[NB_LABEL];      /* "KVM L1", "KVM L2/L1", "bare metal L0" */
	size_t tier;               /* the tier measured */
	size_t ref;                /* what it is measured against (itself for the baseline) */
};

enum nb_cell_state {
	NB_CELL_OK = 0,
	NB_CELL_NA = 1,            /* the case exists but no figure can be computed: `note` */
	NB_CELL_ABSENT = 2,        /* the tier's campaign did not have this workload */
};

struct nb_table_cell {
	enum nb_cell_state state;
	struct nb_ratio_ci r;      /* overhead/step; baseline: median_b and n_b only */
	double cv;                 /* CV of the measured tier's sample (NaN if none) */
	size_t outliers;           /* of the measured tier's sample (NB_STATS_OUTLIER_K MADs) */
	int no_ratio;              /* a VM-exit workload over a reference that takes no exit:
				    * the ratio is the exit's cost, not an overhead; kept out
				    * of the "all workloads" summary */
	int unstable;              /* the measured sample shifts level or drifts in seq order */
	size_t note;               /* NA: 1-based index into notes */
};

struct nb_table_row {
	const char *key, *family, *workload, *unit; /* borrowed from the result set */
	enum nb_stats_better better;
};

/* Free-text lines below a table.  Kinds let each format place and style them. */
enum nb_remark_kind {
	NB_REM_METHOD,             /* how cells are computed, the seed */
	NB_REM_BASELINE,           /* how the baseline was chosen */
	NB_REM_FILES,              /* [n] = path (campaign, start) */
	NB_REM_WORK,               /* nestbench-work sha256, or the warning that they differ */
	NB_REM_ENV,                /* one tier's environment */
	NB_REM_TIER,               /* a tier without a column, and why */
	NB_REM_FEW,                /* cells marked as having too few samples */
	NB_REM_CV,                 /* high variation */
	NB_REM_ABSENT,             /* what "–" means */
	NB_REM_COUNTERS,           /* how the counter columns are computed, their markers */
	NB_REM_OUTLIERS,           /* cells whose measured sample has outliers (kept) */
	NB_REM_NO_RATIO,           /* cells left out of the summary: no meaningful ratio */
	NB_REM_SERIES,             /* samples that shift level or drift in measurement order */
};

struct nb_remark {
	enum nb_remark_kind kind;
	char *text;
};

/* A counter column: one derived metric (derived.h) on one tier. */
struct nb_ctr_col {
	size_t tier;
	char metric[NB_METRIC_NAME];   /* "exits_per_op", "faults_per_op", "ipc", ... */
	char title[NB_METRIC_NAME + 24]; /* "exits/op" (nb_metric_title) */
	char label[NB_LABEL];          /* "KVM L2 exits/op" */
	int with_reason;               /* exits/op: its cells name the main exit reason */
};

/* The median over a case's samples of one metric, each sample's own ratio.  For
 * exits/op one figure per visit (its samples share the count), later visits only where
 * there are any: a first visit's exits include the calibration. */
struct nb_ctr_cell {
	enum nb_cell_state state;  /* OK; NA: note; ABSENT: the tier has no such case */
	double median;
	size_t n;                  /* samples (exits: visits) in the median */
	size_t n_na;               /* samples (visits) considered that had no figure */
	int estimated;             /* an input was multiplexed (scaled) */
	int first_visits;          /* exits: only first visits had counts (calibration included) */
	const char *reason;        /* exits: the reason with the most exits (borrowed), or NULL */
	double reason_median;      /* its exits per op, median over the same visits */
	size_t note;               /* NA, or OK from first visits only: 1-based, into notes */
};

/* The "paper summary": per family and column, the geometric mean of the cells' ratios. */
struct nb_table_summary {
	const char *family;        /* NULL: all workloads */
	double *mean;              /* per column: exp(mean(log(1 + overhead))) - 1; NaN: none */
	size_t *n;                 /* per column: the workloads in that mean */
};

struct nb_table {
	const struct nb_resultset *rs;
	struct nb_table_opts o;
	size_t base;               /* the baseline tier */
	struct nb_table_col *cols;
	size_t n_cols;
	struct nb_table_row *rows;
	size_t n_rows;
	struct nb_table_cell *cells;  /* n_rows x n_cols, row-major */
	char **notes;              /* numbered footnotes of NA cells */
	size_t n_notes;
	struct nb_remark *remarks;
	size_t n_remarks;
	struct nb_table_summary *summary; /* one per family present, then all */
	size_t n_summary;
	size_t n_common;           /* the most common sample size of the computed cells */
	int n_uniform;             /* every computed cell rests on n_common samples per side */
	struct nb_ctr_col *ctr_cols;  /* opts.counters: metric by metric, tiers in column order */
	size_t n_ctr_cols;
	struct nb_ctr_cell *ctr_cells; /* n_rows x n_ctr_cols, row-major */
	/* per tier of rs: the campaign_seq from which its canary's first level shift holds
	 * (0: none; -1: a shift in a file without campaign_seq) and that canary's index */
	struct nb_table_canary {
		int at;
		size_t which;
	} *canary;
};

enum nb_table_format { NB_FMT_MD, NB_FMT_LATEX, NB_FMT_CSV, NB_FMT_JSON, NB_FMT_LONG_CSV,
		       NB_FMT_LONG_JSON };

/* ---- prototypes --------------------------------------------------------------------- */

void nb_table_opts_default(struct nb_table_opts *o);
/* Build the table; 0, or -1 with err (a user error: unknown baseline, nothing in
 * common, no samples) saying what to do. */
int nb_table_build(struct nb_table *t, const struct nb_resultset *rs,
		   const struct nb_table_opts *o, char err[NB_ERR_LEN]);
void nb_table_free(struct nb_table *t);
struct nb_table_cell *nb_table_cell(const struct nb_table *t, size_t row, size_t col);
struct nb_ctr_cell *nb_table_ctr_cell(const struct nb_table *t, size_t row, size_t col);

/* One counter cell of a case with samples: 0 with the figures, or -1 with why none of
 * its samples has the metric (that of the first, e.g. "cycles unsupported on this tier:
 * ...").  The case's status is the caller's to check. */
int nb_ctr_cell_compute(const struct nb_rs_case *c, const char *metric, struct nb_ctr_cell *cell,
			char *why, size_t len);
/* "2.300", "2.300 (cpuid 1.141)" for exits, " (est.)" when estimated; the markers are
 * the formats'. */
const char *nb_ctr_cell_text(const struct nb_ctr_cell *cell, char *buf, size_t len);

/* For the parts of the model in other files (table_counters.c): a numbered footnote
 * (equal texts share a number; 0 when out of memory), a remark, and the label of a
 * tier's column. */
size_t nb_table_note(struct nb_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nb_table_remark(struct nb_table *t, enum nb_remark_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *nb_table_tier_label(const struct nb_table *t, size_t tier);
/* Add the counter columns and cells (table_counters.c); -1 when out of memory. */
int nb_table_build_counters(struct nb_table *t);

/* Families in report order (cpu, mem, pf, io, exit, ctl, then others by name). */
int nb_family_rank(const char *family);
/* "CPU", "memory", "page faults", "I/O", "VM exits", "controls", or the family itself. */
const char *nb_family_title(const char *family);

/* Parse "md", "latex", "csv", "json", "long-csv" or "long-json"; -1 when unknown. */
int nb_table_format_parse(const char *s, enum nb_table_format *f);
/* Write the table in a format; 0, or -1 with err on a write error. */
int nb_table_write(const struct nb_table *t, enum nb_table_format f, FILE *out,
		   char err[NB_ERR_LEN]);
/* The JSON form (table_json.c): schema "nestbench-table", version 1. */
int nb_table_write_json(const struct nb_table *t, FILE *out, char err[NB_ERR_LEN]);

/* LaTeX for a paper (table_latex.c): the layout, the width the floats must fit (tier
 * columns that do not fit go to further floats), and where the notes go. */
enum nb_tex_layout {
	NB_TEX_OVERHEAD,           /* each tier's overhead with its interval (default) */
	NB_TEX_ABSOLUTE,           /* each tier's median, its overhead over the level below
				    * and over the baseline, geometric means per family */
};
enum nb_tex_width { NB_TEX_PAGE, NB_TEX_COLUMN };   /* table* 516 pt, table 252 pt */
struct nb_tex_opts {
	enum nb_tex_layout layout;
	enum nb_tex_width width;
	FILE *notes;               /* NULL: the notes follow the floats as ordinary text */
};
void nb_tex_opts_default(struct nb_tex_opts *o);
/* "overhead" or "absolute"; "page" or "column"; -1 when unknown. */
int nb_tex_layout_parse(const char *s, enum nb_tex_layout *l);
int nb_tex_width_parse(const char *s, enum nb_tex_width *w);
/* o NULL: the defaults.  0, or -1 with err (out of memory, the notes not written). */
int nb_table_write_latex(const struct nb_table *t, const struct nb_tex_opts *o, FILE *out,
			 char err[NB_ERR_LEN]);
/* The long (tidy) form (table_long.c): a row per case, column and reference, as CSV or
 * as JSON (schema "nestbench-long", version 1); -1 with err when out of memory. */
int nb_table_write_long(const struct nb_table *t, int json, FILE *out, char err[NB_ERR_LEN]);

#endif
