/* table.h - the overhead table behind `nestbench table` (and the charts of `nestbench
 * plot`): rows are workloads grouped by family, columns are the baseline's median and
 * each tier's overhead over the baseline or over the tier one level below it, cells hold
 * the bootstrap interval or say why there is none.  Rendering: table_format.c.
 *
 * Column kinds are open: a later kind (perf counters, issue 7) adds its own cells
 * without changing the existing ones.
 */
#ifndef NB_TABLE_H
#define NB_TABLE_H

#include "resultset.h"
#include "stats.h"

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
};

struct nb_remark {
	enum nb_remark_kind kind;
	char *text;
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
};

enum nb_table_format { NB_FMT_MD, NB_FMT_LATEX, NB_FMT_CSV, NB_FMT_JSON };

/* ---- prototypes --------------------------------------------------------------------- */

void nb_table_opts_default(struct nb_table_opts *o);
/* Build the table; 0, or -1 with err (a user error: unknown baseline, nothing in
 * common, no samples) saying what to do. */
int nb_table_build(struct nb_table *t, const struct nb_resultset *rs,
		   const struct nb_table_opts *o, char *err);
void nb_table_free(struct nb_table *t);
struct nb_table_cell *nb_table_cell(const struct nb_table *t, size_t row, size_t col);

/* Families in report order (cpu, mem, pf, io, exit, ctl, then others by name). */
int nb_family_rank(const char *family);
/* "CPU", "memory", "page faults", "I/O", "VM exits", "controls", or the family itself. */
const char *nb_family_title(const char *family);

/* Parse "md", "latex", "csv" or "json"; -1 when unknown. */
int nb_table_format_parse(const char *s, enum nb_table_format *f);
/* Write the table in a format; 0, or -1 with err on a write error. */
int nb_table_write(const struct nb_table *t, enum nb_table_format f, FILE *out, char *err);
/* The JSON form (table_json.c): schema "nestbench-table", version 1. */
int nb_table_write_json(const struct nb_table *t, FILE *out, char *err);

#endif
