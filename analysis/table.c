/* table.c - the overhead table model (table.h): choose the baseline, name the columns,
 * match the workloads, compute every cell with its own seeded bootstrap stream, and
 * collect the footnotes that keep the figures honest. */
#include "table.h"
#include "../common/err.h"
#include "report_text.h"
#include "verdict.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 12                /* entries named in one few-samples or CV footnote */

/* ---- families ----------------------------------------------------------------------- */

static const char *const family_order[] = { "cpu", "mem", "pf", "io", "exit", "ctl" };
static const char *const family_titles[] = { "CPU", "memory", "page faults", "I/O",
					     "VM exits", "controls" };
#define N_FAMILIES (sizeof(family_order) / sizeof(family_order[0]))

int nb_family_rank(const char *family)
{
	for (size_t i = 0; i < N_FAMILIES; i++)
		if (strcmp(family, family_order[i]) == 0)
			return (int)i;
	return (int)N_FAMILIES;
}

const char *nb_family_title(const char *family)
{
	int r = nb_family_rank(family);

	return r < (int)N_FAMILIES ? family_titles[r] : family;
}

/* ---- notes and remarks -------------------------------------------------------------- */

size_t nb_table_note(struct nb_table *t, const char *fmt, ...)
{
	char *s, **p;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return 0;
	for (size_t i = 0; i < t->n_notes; i++)
		if (strcmp(t->notes[i], s) == 0) {
			free(s);
			return i + 1;
		}
	if (!(p = realloc(t->notes, (t->n_notes + 1) * sizeof(*p)))) {
		free(s);
		return 0;
	}
	t->notes = p;
	t->notes[t->n_notes++] = s;
	return t->n_notes;
}

void nb_table_remark(struct nb_table *t, enum nb_remark_kind kind, const char *fmt, ...)
{
	struct nb_remark *p;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s || !(p = realloc(t->remarks, (t->n_remarks + 1) * sizeof(*p)))) {
		free(s);
		return;
	}
	t->remarks = p;
	t->remarks[t->n_remarks].kind = kind;
	t->remarks[t->n_remarks++].text = s;
}

/* ---- baseline and columns ----------------------------------------------------------- */

void nb_table_opts_default(struct nb_table_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->level = NB_REPORT_LEVEL;
	o->resamples = NB_REPORT_RESAMPLES;
	o->seed = NB_REPORT_SEED;
	o->cv_high = NB_REPORT_CV_HIGH;
}

static long default_baseline(const struct nb_resultset *rs, size_t *n_level0, char err[NB_ERR_LEN])
{
	long first = -1;

	*n_level0 = 0;
	for (size_t i = 0; i < rs->n_tiers; i++)
		if (rs->tiers[i].level == 0 && (*n_level0)++ == 0)
			first = (long)i;
	if (first < 0)
		snprintf(err, NB_ERR_LEN, "no level-0 tier in the files given to serve as the baseline: "
			 "name one with --baseline TIER or --baseline FILE:TIER");
	return first;
}

/* The hypervisor a tier's column is named after: a level-0 tier's own, otherwise the
 * one its file's lowest guest level runs under (the platform being measured, e.g.
 * Hyper-V for an L2 that runs KVM inside a Hyper-V guest). */
static const char *column_hypervisor(const struct nb_resultset *rs, const struct nb_rs_tier *t)
{
	const struct nb_rs_file *f = &rs->files[t->file];
	const struct nb_rs_tier *outer = t;

	if (t->level == 0)
		return t->env.hypervisor;
	for (size_t i = f->first_tier; i < f->first_tier + f->n_tiers; i++)
		if (rs->tiers[i].level >= 1 && rs->tiers[i].level < outer->level)
			outer = &rs->tiers[i];
	return outer->env.hypervisor;
}

/* A tier whose campaign label the evidence contradicts says so in its column's name:
 * " (NOT Hyper-V as labelled)", or, when the column is named after the platform
 * beneath it, " (labelled Hyper-V, is KVM)"; "" otherwise. */
static void label_mark(const struct nb_resultset *rs, const struct nb_rs_tier *tr, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!tr->env.labelled)
		return;
	if (strcmp(column_hypervisor(rs, tr), tr->env.hypervisor) == 0)
		snprintf(buf, len, " (NOT %.40s as labelled)", tr->env.labelled);
	else
		snprintf(buf, len, " (labelled %.40s, is %.40s)", tr->env.labelled, tr->env.hypervisor);
}

/* "KVM L1"; the same name twice gets the tier name (same file) or the file (F2).
 * Collisions are judged on the plain names, before any is extended. */
static int name_columns(struct nb_table *t)
{
	const struct nb_resultset *rs = t->rs;
	char (*plain)[NB_LABEL] = calloc(t->n_cols, NB_LABEL);

	if (!plain)
		return -1;
	for (size_t i = 0; i < t->n_cols; i++) {
		const struct nb_rs_tier *tr = &rs->tiers[t->cols[i].tier];
		char mark[NB_LABEL];

		label_mark(rs, tr, mark, sizeof(mark));
		snprintf(plain[i], NB_LABEL, "%.60s L%d%s", column_hypervisor(rs, tr), tr->level, mark);
	}
	for (size_t i = 0; i < t->n_cols; i++) {
		int same_file = 0, other_file = 0;
		const struct nb_rs_tier *a = &rs->tiers[t->cols[i].tier];
		char named[NB_LABEL];

		for (size_t j = 0; j < t->n_cols; j++) {
			const struct nb_rs_tier *b = &rs->tiers[t->cols[j].tier];

			/* A step column shares its tier's name until it is renamed. */
			if (t->cols[j].tier == t->cols[i].tier || strcmp(plain[i], plain[j]) != 0)
				continue;
			same_file |= a->file == b->file;
			other_file |= a->file != b->file;
		}
		snprintf(named, sizeof(named), "%s", plain[i]);
		if (same_file)
			snprintf(named, sizeof(named), "%.60s (%.50s)", plain[i], a->name);
		snprintf(t->cols[i].label, NB_LABEL, "%.110s", named);
		if (other_file)
			snprintf(t->cols[i].label, NB_LABEL, "%.110s F%zu", named, a->file + 1);
	}
	free(plain);
	return 0;
}

const char *nb_table_tier_label(const struct nb_table *t, size_t tier)
{
	for (size_t i = 0; i < t->n_cols; i++)
		if (t->cols[i].tier == tier && t->cols[i].kind != NB_COL_STEP)
			return t->cols[i].label;
	return t->rs->tiers[tier].name;
}

/* The tier one level below in the same file: the one it is relayed through when that
 * fits, else the only one at that level; -1 when there is none or it is ambiguous. */
static long parent_tier(const struct nb_resultset *rs, size_t tier)
{
	const struct nb_rs_tier *t = &rs->tiers[tier];
	const struct nb_rs_file *f = &rs->files[t->file];
	long only = -1;
	size_t n = 0;

	for (size_t i = f->first_tier; i < f->first_tier + f->n_tiers; i++) {
		const struct nb_rs_tier *p = &rs->tiers[i];

		if (p->level != t->level - 1)
			continue;
		if (t->via[0] && strcmp(p->name, t->via) == 0)
			return (long)i;
		only = (long)i;
		n++;
	}
	return n == 1 ? only : -1;
}

static int add_col(struct nb_table *t, enum nb_col_kind kind, size_t tier, size_t ref)
{
	struct nb_table_col *p = realloc(t->cols, (t->n_cols + 1) * sizeof(*p));

	if (!p)
		return -1;
	t->cols = p;
	memset(&p[t->n_cols], 0, sizeof(*p));
	p[t->n_cols].kind = kind;
	p[t->n_cols].tier = tier;
	p[t->n_cols++].ref = ref;
	return 0;
}

/* A file's tiers with cases, lowest level first, in file order within a level. */
static size_t tiers_by_level(const struct nb_resultset *rs, size_t file, size_t *out)
{
	const struct nb_rs_file *f = &rs->files[file];
	size_t n = 0;

	for (size_t i = f->first_tier; i < f->first_tier + f->n_tiers; i++) {
		size_t j;

		if (!rs->tiers[i].n_cases)
			continue;
		/* Insertion sort: a handful of tiers. */
		for (j = n++; j > 0 && rs->tiers[out[j - 1]].level > rs->tiers[i].level; j--)
			out[j] = out[j - 1];
		out[j] = i;
	}
	return n;
}

static int build_columns(struct nb_table *t)
{
	const struct nb_resultset *rs = t->rs;
	size_t *order = calloc(rs->n_tiers ? rs->n_tiers : 1, sizeof(*order));

	if (!order || add_col(t, NB_COL_BASELINE, t->base, t->base))
		goto oom;
	for (size_t f = 0; f < rs->n_files; f++) {
		size_t n = tiers_by_level(rs, f, order);

		for (size_t i = 0; i < n; i++)
			if (order[i] != t->base && add_col(t, NB_COL_OVERHEAD, order[i], t->base))
				goto oom;
		for (size_t i = 0; i < n; i++) {
			long p = parent_tier(rs, order[i]);

			/* Over the baseline itself, a step would repeat the overhead column. */
			if (order[i] != t->base && p >= 0 && (size_t)p != t->base && rs->tiers[p].n_cases &&
			    add_col(t, NB_COL_STEP, order[i], (size_t)p))
				goto oom;
		}
	}
	free(order);
	if (name_columns(t))
		return -1;
	for (size_t i = 0; i < t->n_cols; i++)
		if (t->cols[i].kind == NB_COL_STEP) {
			char own[NB_LABEL], mark[NB_LABEL];
			size_t n, m;

			/* "KVM L2/L1", the tier's mark (if any) after the step. */
			snprintf(own, sizeof(own), "%s", nb_table_tier_label(t, t->cols[i].tier));
			label_mark(rs, &rs->tiers[t->cols[i].tier], mark, sizeof(mark));
			n = strlen(own);
			m = strlen(mark);
			if (m && n >= m && strcmp(own + n - m, mark) == 0)
				own[n - m] = '\0';
			else
				mark[0] = '\0';
			snprintf(t->cols[i].label, NB_LABEL, "%.80s/L%d%s", own, rs->tiers[t->cols[i].ref].level,
				 mark);
		}
	return 0;
oom:
	free(order);
	return -1;
}

/* ---- rows --------------------------------------------------------------------------- */

struct row_seq {
	struct nb_table_row row;
	size_t seq;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row_seq *x = a, *y = b;
	int rx = nb_family_rank(x->row.family), ry = nb_family_rank(y->row.family), c;

	if (rx != ry)
		return rx - ry;
	if ((c = strcmp(x->row.family, y->row.family)) != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int has_row(const struct row_seq *r, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].row.key, key) == 0)
			return 1;
	return 0;
}

/* Every workload of the baseline and of the columns' tiers, in family order and, within
 * a family, in the order the files list them. */
static int build_rows(struct nb_table *t)
{
	const struct nb_resultset *rs = t->rs;
	size_t cap = 0, n = 0;
	struct row_seq *r;

	for (size_t i = 0; i < t->n_cols; i++)
		cap += rs->tiers[t->cols[i].tier].n_cases;
	if (!(r = calloc(cap ? cap : 1, sizeof(*r))))
		return -1;
	for (size_t i = 0; i < t->n_cols; i++) {
		const struct nb_rs_tier *tr = &rs->tiers[t->cols[i].tier];

		for (size_t c = 0; c < tr->n_cases; c++) {
			const struct nb_rs_case *k = &tr->cases[c];

			if (has_row(r, n, k->key))
				continue;
			r[n].row = (struct nb_table_row){ k->key, k->family, k->workload, k->unit, k->better };
			r[n].seq = n;
			n++;
		}
	}
	qsort(r, n, sizeof(*r), row_cmp);
	if (!(t->rows = calloc(n ? n : 1, sizeof(*t->rows)))) {
		free(r);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		t->rows[i] = r[i].row;
	t->n_rows = n;
	free(r);
	return 0;
}

/* ---- cells -------------------------------------------------------------------------- */

struct nb_table_cell *nb_table_cell(const struct nb_table *t, size_t row, size_t col)
{
	return &t->cells[row * t->n_cols + col];
}

/* The CV and the outlier count of the measured sample. */
static void sample_spread(const struct nb_rs_case *c, struct nb_table_cell *cell)
{
	struct nb_summary s;

	if (nb_stats_summary(c->values, c->n, 0, INFINITY, NULL, &s, NULL))
		return;
	cell->cv = s.cv;
	cell->outliers = s.n_outliers;
}

/* The first canary shift of a tier: the campaign_seq from which the new level holds
 * and the canary's index, or 0 when none (-1: the file has no campaign_seq).  Found
 * once per tier (canary_shifts), then read by every cell of the tier. */
static int canary_shift_seq(const struct nb_table *t, const struct nb_rs_tier *tier, size_t *which)
{
	for (size_t i = 0; i < tier->n_canary; i++) {
		const struct nb_rs_canary *k = &tier->canary[i];
		struct nb_shift sh;
		struct nb_rng rng;
		char key[NB_ERR_LEN];

		snprintf(key, sizeof(key), "canary|%s|%s", tier->name, k->workload);
		nb_rng_seed_key(&rng, t->o.seed, key);
		if (nb_shift_test(k->values, k->n, NB_SERIES_MIN_SEG, NB_SERIES_PERMS, NB_SERIES_ALPHA,
				  &rng, &sh, NULL) == 0 && sh.shift && fabs(sh.rel) >= NB_SERIES_MIN_REL) {
			*which = i;
			return k->seqs[sh.split] > 0 ? k->seqs[sh.split] : -1;
		}
	}
	return 0;
}

static int canary_shifts(struct nb_table *t)
{
	if (!(t->canary = calloc(t->rs->n_tiers + 1, sizeof(*t->canary))))
		return -1;
	for (size_t i = 0; i < t->rs->n_tiers; i++)
		t->canary[i].at = canary_shift_seq(t, &t->rs->tiers[i], &t->canary[i].which);
	return 0;
}

/* The case's samples were measured on both sides of campaign_seq `at`. */
static int spans_seq(const struct nb_rs_case *c, int at)
{
	int before = 0, after = 0;

	for (size_t i = 0; i < c->n; i++) {
		before |= c->samples[i].campaign_seq > 0 && c->samples[i].campaign_seq < at;
		after |= c->samples[i].campaign_seq >= at;
	}
	return before && after;
}

/* The sample in measurement order (seq, then file order) shifts level or drifts, or
 * straddles a shift of its tier's canary. */
static int sample_unstable(const struct nb_table *t, size_t tier, const struct nb_rs_case *c,
			   const char *id)
{
	int at = t->canary[tier].at;

	if (at > 0 && spans_seq(c, at))
		return 1;
	double *x;
	struct nb_shift sh;
	struct nb_drift dr;
	struct nb_rng rng;
	char key[NB_ERR_LEN * 2];
	int bad = 0;

	if (c->n < NB_SERIES_MIN_N || !(x = malloc(c->n * sizeof(*x))))
		return 0;
	/* Insertion by seq keeps equal seqs (samples of one visit) in file order. */
	for (size_t i = 0, k; i < c->n; i++) {
		for (k = i; k > 0 && c->samples[k - 1].seq > c->samples[i].seq; k--)
			;
		memmove(x + k + 1, x + k, (i - k) * sizeof(*x));
		x[k] = c->values[i];
	}
	snprintf(key, sizeof(key), "series|%s|%s", id, c->key);
	nb_rng_seed_key(&rng, t->o.seed, key);
	if (nb_shift_test(x, c->n, NB_SERIES_MIN_SEG, NB_SERIES_PERMS, NB_SERIES_ALPHA, &rng, &sh,
			  NULL) == 0 && sh.shift && fabs(sh.rel) >= NB_SERIES_MIN_REL)
		bad = 1;
	if (nb_drift_test(x, c->n, NB_SERIES_ALPHA, &dr, NULL) == 0 && dr.drift &&
	    fabs(dr.rel) >= NB_SERIES_MIN_REL)
		bad = 1;
	free(x);
	return bad;
}

static void na(struct nb_table_cell *cell, size_t note)
{
	cell->state = NB_CELL_NA;
	cell->note = note;
}

static void fill_baseline(struct nb_table *t, const struct nb_table_row *row,
			  struct nb_table_cell *cell)
{
	const struct nb_rs_case *c = nb_rs_find_case(&t->rs->tiers[t->base], row->key);
	char buf[NB_ERR_LEN], err[NB_ERR_LEN];

	if (!c) {
		cell->state = NB_CELL_ABSENT;
		return;
	}
	if (nb_rs_case_problem(c, buf, sizeof(buf))) {
		na(cell, nb_table_note(t, "%s on the baseline %s: %s", row->key, t->cols[0].label, buf));
		return;
	}
	if (nb_stats_median(c->values, c->n, &cell->r.median_b, err)) {
		na(cell, nb_table_note(t, "%s on the baseline %s: %s", row->key, t->cols[0].label, err));
		return;
	}
	cell->r.n_b = c->n;
	cell->r.point = cell->r.median_b;
	sample_spread(c, cell);
}

/* Why tier `tc` cannot be set against reference `rc` ("" when it can). */
static size_t ratio_problem(struct nb_table *t, const struct nb_table_col *col,
			    const struct nb_table_row *row, const struct nb_rs_case *tc,
			    const struct nb_rs_case *rc)
{
	const char *ref = col->ref == t->base ? "the baseline " : "";
	const char *rl = nb_table_tier_label(t, col->ref), *tl = nb_table_tier_label(t, col->tier);
	char buf[NB_ERR_LEN];

	if (nb_rs_case_problem(tc, buf, sizeof(buf)))
		return nb_table_note(t, "%s on %s: %s", row->key, tl, buf);
	if (!rc)
		return nb_table_note(t, "%s: not measured on %s%s (not in its campaign)", row->key, ref, rl);
	if (nb_rs_case_problem(rc, buf, sizeof(buf)))
		return nb_table_note(t, "%s on %s%s: %s", row->key, ref, rl, buf);
	if (strcmp(tc->unit, rc->unit) != 0 || tc->better != rc->better)
		return nb_table_note(t, "%s: %s on %s but %s on %s%s: not comparable", row->key, tc->unit,
				tl, rc->unit, ref, rl);
	return 0;
}

static void fill_ratio(struct nb_table *t, const struct nb_table_col *col,
		       const struct nb_table_row *row, struct nb_table_cell *cell)
{
	const struct nb_resultset *rs = t->rs;
	const struct nb_rs_case *tc = nb_rs_find_case(&rs->tiers[col->tier], row->key);
	const struct nb_rs_case *rc = nb_rs_find_case(&rs->tiers[col->ref], row->key);
	char id_t[NB_ERR_LEN / 2], id_r[NB_ERR_LEN / 2], key[NB_ERR_LEN * 2], err[NB_ERR_LEN];
	struct nb_rng rng;
	size_t note;

	if (!tc) {
		cell->state = NB_CELL_ABSENT;
		return;
	}
	if ((note = ratio_problem(t, col, row, tc, rc))) {
		na(cell, note);
		return;
	}
	/* The stream depends on the cell's identity only: reproducible in any order. */
	nb_rs_tier_id(rs, &rs->tiers[col->tier], id_t, sizeof(id_t));
	nb_rs_tier_id(rs, &rs->tiers[col->ref], id_r, sizeof(id_r));
	snprintf(key, sizeof(key), "ratio|%s|%s|%s", id_t, id_r, row->key);
	nb_rng_seed_key(&rng, t->o.seed, key);
	if (nb_stats_overhead(tc->values, tc->n, rc->values, rc->n, tc->better, t->o.level,
			      t->o.resamples, &rng, &cell->r, err)) {
		na(cell, nb_table_note(t, "%s on %s: %s", row->key, nb_table_tier_label(t, col->tier), err));
		return;
	}
	sample_spread(tc, cell);
	cell->no_ratio = strcmp(row->family, "exit") == 0 && rs->tiers[col->ref].env.bare_metal;
	cell->unstable = col->kind == NB_COL_OVERHEAD &&
			 sample_unstable(t, col->tier, tc, id_t);
}

static int build_cells(struct nb_table *t)
{
	if (!(t->cells = calloc(t->n_rows * t->n_cols + 1, sizeof(*t->cells))))
		return -1;
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols; c++) {
			struct nb_table_cell *cell = nb_table_cell(t, r, c);

			cell->cv = NAN;
			if (t->cols[c].kind == NB_COL_BASELINE)
				fill_baseline(t, &t->rows[r], cell);
			else
				fill_ratio(t, &t->cols[c], &t->rows[r], cell);
		}
	return 0;
}

/* ---- paper summary ------------------------------------------------------------------ */

/* Geometric mean of the ratios 1 + overhead over a family's computed cells, minus 1:
 * the mean that treats +100 % and -50 % as opposites and composes across levels. */
static void summarise(const struct nb_table *t, const char *family, struct nb_table_summary *s)
{
	s->family = family;
	for (size_t c = 0; c < t->n_cols; c++) {
		double sum = 0;
		size_t n = 0;

		for (size_t r = 0; r < t->n_rows && t->cols[c].kind != NB_COL_BASELINE; r++) {
			const struct nb_table_cell *cell = nb_table_cell(t, r, c);

			if (cell->state != NB_CELL_OK || (family && strcmp(t->rows[r].family, family)) ||
			    (!family && cell->no_ratio))
				continue;
			sum += log1p(cell->r.point);
			n++;
		}
		s->n[c] = n;
		s->mean[c] = n ? expm1(sum / (double)n) : NAN;
	}
}

static int build_summary(struct nb_table *t)
{
	size_t n = 0;

	if (!(t->summary = calloc(t->n_rows + 1, sizeof(*t->summary))))
		return -1;
	for (size_t r = 0; r <= t->n_rows; r++) {
		const char *fam = r < t->n_rows ? t->rows[r].family : NULL;

		if (fam && n && strcmp(t->summary[n - 1].family, fam) == 0)
			continue;
		t->summary[n].mean = calloc(t->n_cols, sizeof(double));
		t->summary[n].n = calloc(t->n_cols, sizeof(size_t));
		if (!t->summary[n].mean || !t->summary[n].n)
			return -1;
		summarise(t, fam, &t->summary[n++]);
		t->n_summary = n;
	}
	return 0;
}

/* ---- remarks ------------------------------------------------------------------------ */

static void remark_method(struct nb_table *t, int chosen, size_t n_level0)
{
	const struct nb_rs_tier *b = &t->rs->tiers[t->base];

	if (t->n_cols == 1) {
		nb_table_remark(t, NB_REM_METHOD, "Cells: the median of each case's samples (type 7).");
	} else {
		nb_table_remark(t, NB_REM_METHOD,
			   "Cells: overhead in %% from the medians, positive = slower: t/b - 1 for "
			   "times (lower is better), b/t - 1 for throughputs (higher is better), from "
			   "+100 %% on as the ratio ×(1 + overhead); [low, high] is the %g %% "
			   "percentile-bootstrap interval as it is, asymmetric where it is (%u resamples, "
			   "seed %llu: --seed %llu reproduces it). \"X/Ln\" columns: a tier over the "
			   "tier one level below it in the same file.", t->o.level * 100, t->o.resamples,
			   (unsigned long long)t->o.seed, (unsigned long long)t->o.seed);
	}
	nb_table_remark(t, NB_REM_BASELINE, "Baseline: %s = tier %s of F%zu%s.", t->cols[0].label, b->name,
		   b->file + 1, chosen ? "" : n_level0 > 1
		   ? ", the first of several level-0 tiers (choose with --baseline FILE:TIER)"
		   : ", the level-0 tier");
}

static void remark_files(struct nb_table *t)
{
	const struct nb_resultset *rs = t->rs;
	int differ = 0;

	for (size_t f = 0; f < rs->n_files; f++) {
		nb_table_remark(t, NB_REM_FILES, "F%zu = %s: campaign %s, started %s.", f + 1,
			   rs->files[f].path, rs->files[f].campaign, rs->files[f].started);
		differ |= strcmp(rs->files[f].work_sha256, rs->files[0].work_sha256) != 0;
	}
	if (!differ) {
		nb_table_remark(t, NB_REM_WORK, "nestbench-work sha256 %s%s.", rs->files[0].work_sha256,
			   rs->n_files > 1 ? " in every file" : "");
		return;
	}
	char *list = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&list, &len);

	if (!m)
		return;
	for (size_t f = 0; f < rs->n_files; f++)
		fprintf(m, "%sF%zu %s", f ? ", " : "", f + 1,
			rs->files[f].work_sha256[0] ? rs->files[f].work_sha256 : "(none recorded)");
	fclose(m);
	nb_table_remark(t, NB_REM_WORK, "WARNING: the files ran different nestbench-work binaries, so a "
		   "difference may be the code's, not the platform's: sha256 %s.", list);
	free(list);
}

/* "; accelerator not reported" for a guest nobody said how it runs: a known
 * accelerator is already in the nature; bare metal has none to report. */
static const char *accel_text(const struct nb_rs_env *e, char *buf, size_t len)
{
	if (e->bare_metal || e->accelerator)
		return "";
	snprintf(buf, len, "; accelerator not reported");
	return buf;
}

static void remark_env(struct nb_table *t)
{
	for (size_t c = 0; c < t->n_cols; c++) {
		const struct nb_table_col *col = &t->cols[c];
		const struct nb_rs_tier *tr = &t->rs->tiers[col->tier];
		const struct nb_rs_env *e = &tr->env;
		char vcpus[32] = "vCPUs unknown", acc[160];

		if (col->kind == NB_COL_STEP)
			continue;
		if (e->vcpus >= 0)
			snprintf(vcpus, sizeof(vcpus), "%d vCPU%s", e->vcpus, e->vcpus == 1 ? "" : "s");
		nb_table_remark(t, NB_REM_ENV, "%s: tier %s of F%zu, level %d: %s%s; "
			   "kernel %s; CPU %s; %s%s%s%s%s%s.", col->label, tr->name, tr->file + 1, tr->level,
			   e->nature, accel_text(e, acc, sizeof(acc)),
			   e->kernel ? e->kernel : "unknown", e->cpu ? e->cpu : "unknown", vcpus,
			   e->exits_counted_by ? "; its VM exits were counted by " : "",
			   e->exits_counted_by ? e->exits_counted_by : "",
			   e->exits_counted_by ? " while it was measured, which makes each exit dearer "
						 "(configs/README.md, count_exits)" : "",
			   e->warning ? "; WARNING: " : "", e->warning ? e->warning : "");
	}
	for (size_t i = 0; i < t->rs->n_tiers; i++) {
		const struct nb_rs_tier *tr = &t->rs->tiers[i];

		if (!tr->n_cases)
			nb_table_remark(t, NB_REM_TIER, "Tier %s of F%zu has no measured cases (status %s%s%s).",
				   tr->name, tr->file + 1, tr->status, tr->error ? ": " : "",
				   tr->error ? tr->error : "");
	}
}

/* "label: key (detail), key (detail); label: ..." for the cells that pass `pick`, at
 * most LIST_MAX named. */
static void remark_list(struct nb_table *t, enum nb_remark_kind kind, const char *head,
			int (*pick)(const struct nb_table *, size_t, size_t, char *, size_t))
{
	char *buf = NULL, item[NB_ERR_LEN];
	size_t len = 0, n = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	for (size_t c = 0; c < t->n_cols; c++) {
		size_t in_col = 0;

		for (size_t r = 0; r < t->n_rows; r++) {
			if (!pick(t, r, c, item, sizeof(item)))
				continue;
			if (n++ >= LIST_MAX)
				continue;
			if (!in_col++)
				fprintf(m, "%s%s: ", n > 1 ? "; " : "", t->cols[c].label);
			else
				fputs(", ", m);
			fprintf(m, "%s (%s)", t->rows[r].key, item);
		}
	}
	if (n > LIST_MAX)
		fprintf(m, "; and %zu more", n - LIST_MAX);
	fclose(m);
	if (n)
		nb_table_remark(t, kind, "%s %s.", head, buf);
	free(buf);
}

static int pick_few(const struct nb_table *t, size_t r, size_t c, char *buf, size_t len)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);

	if (t->cols[c].kind == NB_COL_BASELINE || cell->state != NB_CELL_OK || !cell->r.few_samples)
		return 0;
	snprintf(buf, len, "n = %zu vs %zu", cell->r.n_t, cell->r.n_b);
	return 1;
}

static int pick_cv(const struct nb_table *t, size_t r, size_t c, char *buf, size_t len)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);

	if (t->cols[c].kind == NB_COL_STEP || cell->state != NB_CELL_OK || !(cell->cv > t->o.cv_high))
		return 0;
	snprintf(buf, len, "CV %.0f %%", cell->cv * 100);
	return 1;
}

static int pick_outliers(const struct nb_table *t, size_t r, size_t c, char *buf, size_t len)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);
	size_t n = t->cols[c].kind == NB_COL_BASELINE ? cell->r.n_b : cell->r.n_t;

	if (t->cols[c].kind == NB_COL_STEP || cell->state != NB_CELL_OK || !cell->outliers)
		return 0;
	snprintf(buf, len, "%zu of %zu", cell->outliers, n);
	return 1;
}

static int pick_no_ratio(const struct nb_table *t, size_t r, size_t c, char *buf, size_t len)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);

	if (cell->state != NB_CELL_OK || !cell->no_ratio)
		return 0;
	nb_fmt_ratio_ci(&cell->r, buf, len);
	return 1;
}

static int pick_unstable(const struct nb_table *t, size_t r, size_t c, char *buf, size_t len)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);

	if (cell->state != NB_CELL_OK || !cell->unstable)
		return 0;
	snprintf(buf, len, "n = %zu", cell->r.n_t);
	return 1;
}

/* The most common sample size over the computed cells (both sides), and whether every
 * one has it: then the caption says n once, else cells that differ say theirs. */
static void common_n(struct nb_table *t)
{
	size_t best = 0, best_count = 0;

	t->n_uniform = 1;
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++) {
		size_t n = t->cells[i].r.n_b, count = 0;

		if (t->cells[i].state != NB_CELL_OK)
			continue;
		for (size_t j = 0; j < t->n_rows * t->n_cols; j++)
			count += t->cells[j].state == NB_CELL_OK && t->cells[j].r.n_b == n;
		if (count > best_count) {
			best_count = count;
			best = n;
		}
	}
	t->n_common = best;
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols; c++) {
			const struct nb_table_cell *cell = nb_table_cell(t, r, c);

			if (cell->state == NB_CELL_OK && (cell->r.n_b != best ||
			    (t->cols[c].kind != NB_COL_BASELINE && cell->r.n_t != best)))
				t->n_uniform = 0;
		}
}

/* A tier whose canary (the short fixed workload measured every round) shifts level
 * during the run: the machine changed under every case measured across that round.
 * Needs 2 x NB_SERIES_MIN_SEG rounds; fewer cannot show a shift. */
static void remark_canary(struct nb_table *t, size_t k)
{
	const struct nb_rs_tier *tier = &t->rs->tiers[k];
	size_t i = t->canary[k].which;

	if (t->canary[k].at == 0)
		return;
	nb_table_remark(t, NB_REM_SERIES, "⚠ Tier %s's canary %s shifted level during the run "
			"(permutation test of the best split of its %zu rounds, p < %g): the machine "
			"changed; cells of that tier measured on both sides of the shift are marked "
			"with the samples that shift.", tier->name, tier->canary[i].workload,
			tier->canary[i].n, NB_SERIES_ALPHA);
}

static void remark_cells(struct nb_table *t)
{
	char head[160];
	int absent = 0;

	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		absent |= t->cells[i].state == NB_CELL_ABSENT;
	if (absent)
		nb_table_remark(t, NB_REM_ABSENT, "–: the workload is not in that tier's campaign.");
	snprintf(head, sizeof(head), "†: too few samples for a %g %% interval (at least %zu "
		 "per sample are needed), read as indicative only:", t->o.level * 100,
		 nb_stats_median_ci_min_n(t->o.level));
	remark_list(t, NB_REM_FEW, head, pick_few);
	snprintf(head, sizeof(head), "High variation (coefficient of variation above %g %%): "
		 "repeat or stabilise the machine before trusting these:", t->o.cv_high * 100);
	remark_list(t, NB_REM_CV, head, pick_cv);
	snprintf(head, sizeof(head), "Outliers (more than %g MADs from the median; kept in every "
		 "figure):", NB_STATS_OUTLIER_K);
	remark_list(t, NB_REM_OUTLIERS, head, pick_outliers);
	remark_list(t, NB_REM_NO_RATIO, "Left out of the \"all workloads\" summary: VM-exit "
		    "workloads over a bare-metal reference, which takes no VM exit, so the ratio is "
		    "the exit's cost rather than an overhead:", pick_no_ratio);
	remark_list(t, NB_REM_SERIES, "⚠ Samples that shift level or drift in measurement order "
		    "(permutation test of the best split, Mann-Kendall; p < 0.01, 2 % or more): "
		    "the machine changed during the run, their medians mix its states:", pick_unstable);
	for (size_t c = 0; c < t->n_cols; c++)
		if (c == 0 || t->cols[c].tier != t->cols[c - 1].tier)
			remark_canary(t, t->cols[c].tier);
}

/* ---- checks a user must hear about -------------------------------------------------- */

static int first_note_of(const struct nb_table *t, size_t col)
{
	for (size_t r = 0; r < t->n_rows; r++)
		if (nb_table_cell(t, r, col)->state == NB_CELL_NA)
			return (int)nb_table_cell(t, r, col)->note;
	return 0;
}

/* Nothing in common with the baseline, or nothing computable at all: exit status 2. */
static int check_usable(const struct nb_table *t, char err[NB_ERR_LEN])
{
	size_t ok = 0, common = 0, ratio_cols = t->n_cols - 1;
	int note;

	for (size_t c = 1; c < t->n_cols; c++)
		for (size_t r = 0; r < t->n_rows; r++) {
			const struct nb_table_cell *cell = nb_table_cell(t, r, c);

			ok += cell->state == NB_CELL_OK;
			common += cell->state != NB_CELL_ABSENT &&
				  nb_rs_find_case(&t->rs->tiers[t->cols[c].ref], t->rows[r].key);
		}
	if (ratio_cols && !common) {
		return nb_err(err, "no workload in common between the baseline %s and the other "
			 "tiers (cases are matched by their key, e.g. \"mem.lat size=64M stride=64 thp=0\"): "
			 "give files of campaigns with the same workloads, or another --baseline",
			 t->cols[0].label);
	}
	if (ratio_cols && !ok) {
		note = first_note_of(t, 1);
		return nb_err(err, "no overhead could be computed (e.g. %s): every case lacks samples "
			 "on a tier or on the baseline; finish the campaign (nestbench run --resume FILE) "
			 "or choose another --baseline", note ? t->notes[note - 1] : "no samples");
	}
	for (size_t r = 0; r < t->n_rows && !ratio_cols; r++)
		ok += nb_table_cell(t, r, 0)->state == NB_CELL_OK;
	if (!ratio_cols && !ok) {
		return nb_err(err, "the baseline %s has no samples (e.g. %s): finish the campaign "
			 "(nestbench run --resume FILE)", t->cols[0].label,
			 t->n_notes ? t->notes[0] : "no cases");
	}
	return 0;
}

/* ---- building ----------------------------------------------------------------------- */

int nb_table_build(struct nb_table *t, const struct nb_resultset *rs,
		   const struct nb_table_opts *o, char err[NB_ERR_LEN])
{
	size_t n_level0 = 0;
	long base;

	memset(t, 0, sizeof(*t));
	t->rs = rs;
	t->o = *o;
	base = o->baseline ? nb_rs_find_tier(rs, o->baseline, err) : default_baseline(rs, &n_level0, err);
	if (base < 0)
		return -1;
	t->base = (size_t)base;
	if (!rs->tiers[base].n_cases) {
		return nb_err(err, "the baseline tier %s of %s has no cases (status %s%s%s): "
			 "choose another with --baseline FILE:TIER", rs->tiers[base].name,
			 rs->files[rs->tiers[base].file].path, rs->tiers[base].status,
			 rs->tiers[base].error ? ": " : "", rs->tiers[base].error ? rs->tiers[base].error : "");
	}
	if (canary_shifts(t) || build_columns(t) || build_rows(t) || build_cells(t) ||
	    build_summary(t)) {
		return nb_err(err, "out of memory building the table");
	}
	if (check_usable(t, err))
		return -1;
	remark_method(t, o->baseline != NULL, n_level0);
	remark_files(t);
	remark_env(t);
	common_n(t);
	remark_cells(t);
	if (o->counters && nb_table_build_counters(t)) {
		return nb_err(err, "out of memory building the counter columns");
	}
	return 0;
}

void nb_table_free(struct nb_table *t)
{
	for (size_t i = 0; i < t->n_notes; i++)
		free(t->notes[i]);
	for (size_t i = 0; i < t->n_remarks; i++)
		free(t->remarks[i].text);
	for (size_t i = 0; i < t->n_summary; i++) {
		free(t->summary[i].mean);
		free(t->summary[i].n);
	}
	free(t->notes);
	free(t->remarks);
	free(t->summary);
	free(t->cols);
	free(t->rows);
	free(t->cells);
	free(t->ctr_cols);
	free(t->ctr_cells);
	free(t->canary);
	memset(t, 0, sizeof(*t));
}
