/* table_counters.c - the counter columns of the table (--counters, table.h): per tier,
 * the derived metrics (derived.h) that its samples have inputs for, each cell the median
 * over the case's samples of every sample's own figure; exits/op one figure per visit,
 * with the exit reason that has the most exits.  Rendering: table_format.c, table_json.c. */
#include "report_text.h"
#include "../common/err.h"
#include "table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_METRICS 64             /* metrics of one sample (nb_derive_all) */

struct nb_ctr_cell *nb_table_ctr_cell(const struct nb_table *t, size_t row, size_t col)
{
	return &t->ctr_cells[row * t->n_ctr_cols + col];
}

/* ---- one cell ----------------------------------------------------------------------- */

/* Which samples enter a figure, into used (room for c->n): every sample for the
 * counters.  For exits one sample per visit (the samples of a visit carry the same
 * count), and no first visit when a later visit was counted: a first visit's count
 * includes the calibration.  Returns whether that was so (later visits only). */
static int mark_used(const struct nb_rs_case *c, int exits, unsigned char *used)
{
	int later = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct nb_derive_in *in = &c->samples[i].in;

		used[i] = 1;
		later |= exits && in->exits_state == NB_EXITS_COUNTED && !in->exits_first_visit;
		for (size_t j = 0; exits && c->samples[i].visit && j < i && used[i]; j++)
			used[i] = c->samples[j].visit != c->samples[i].visit;
	}
	for (size_t i = 0; i < c->n && later; i++)
		used[i] &= !c->samples[i].in.exits_first_visit;
	return later;
}

/* The median over the used samples of `metric` into cell, v the room (c->n); the
 * number of figures, or 0 with the first sample's reason in why. */
static size_t metric_median(const struct nb_rs_case *c, const char *metric, const unsigned char *used,
			    struct nb_ctr_cell *cell, double *v, char *why, size_t len)
{
	char err[NB_ERR_LEN];
	struct nb_metric m;
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (!used[i])
			continue;
		if (nb_derive_metric(&c->samples[i].in, metric, &m)) {
			if (!cell->n_na++)
				snprintf(why, len, "%s", m.why);
			continue;
		}
		v[n++] = m.value;
		cell->estimated |= m.estimated;
	}
	if (n && nb_stats_median(v, n, &cell->median, err)) {
		snprintf(why, len, "%s", err);
		cell->n_na += n;
		n = 0;
	}
	return n;
}

struct reason_total {
	const char *name;
	double count;
};

/* The exit reason with the most exits over the used visits, and its exits per op. */
static void main_reason(const struct nb_rs_case *c, const unsigned char *used,
			struct nb_ctr_cell *cell, double *v)
{
	struct reason_total *tot = NULL, *p;
	size_t n_tot = 0, best = 0;
	char name[NB_METRIC_NAME], why[NB_METRIC_WHY];
	struct nb_ctr_cell r = { 0 };

	for (size_t i = 0; i < c->n; i++)
		for (int k = 0; used[i] && k < c->samples[i].in.nreasons; k++) {
			const struct nb_exit_reason *e = &c->samples[i].in.reasons[k];
			size_t j = 0;

			while (j < n_tot && strcmp(tot[j].name, e->name) != 0)
				j++;
			if (j == n_tot) {
				if (!(p = realloc(tot, (n_tot + 1) * sizeof(*tot))))
					goto out;
				tot = p;
				tot[n_tot++] = (struct reason_total){ e->name, 0 };
			}
			tot[j].count += e->count;
			best = tot[j].count > tot[best].count ? j : best;
		}
	if (!n_tot || !(tot[best].count > 0))
		goto out;
	snprintf(name, sizeof(name), "exits_per_op[%s]", tot[best].name);
	if (metric_median(c, name, used, &r, v, why, sizeof(why))) {
		cell->reason = tot[best].name;
		cell->reason_median = r.median;
	}
out:
	free(tot);
}

int nb_ctr_cell_compute(const struct nb_rs_case *c, const char *metric, struct nb_ctr_cell *cell,
			char *why, size_t len)
{
	int exits = strncmp(metric, "exits_per_op", 12) == 0, later;
	double *v = calloc(c->n ? c->n : 1, sizeof(double));
	unsigned char *used = calloc(c->n ? c->n : 1, 1);

	memset(cell, 0, sizeof(*cell));
	cell->median = cell->reason_median = NAN;
	cell->state = NB_CELL_NA;
	snprintf(why, len, "no samples");
	if (!v || !used) {
		snprintf(why, len, "out of memory");
		free(v);
		free(used);
		return -1;
	}
	later = mark_used(c, exits, used);
	cell->n = metric_median(c, metric, used, cell, v, why, len);
	if (cell->n) {
		cell->state = NB_CELL_OK;
		cell->first_visits = exits && !later;
		if (strcmp(metric, "exits_per_op") == 0)
			main_reason(c, used, cell, v);
	}
	free(v);
	free(used);
	return cell->n ? 0 : -1;
}

const char *nb_ctr_cell_text(const struct nb_ctr_cell *cell, char *buf, size_t len)
{
	char v[NB_NUM], r[NB_NUM];
	size_t used;

	nb_fmt_count(cell->median, v, sizeof(v));
	used = (size_t)snprintf(buf, len, "%s", v);
	if (cell->reason && used < len) {
		nb_fmt_count(cell->reason_median, r, sizeof(r));
		used += (size_t)snprintf(buf + used, len - used, " (%s %s)", cell->reason, r);
	}
	if (cell->estimated && used < len)
		snprintf(buf + used, len - used, " (est.)");
	return buf;
}

/* ---- columns ------------------------------------------------------------------------ */

/* Column order: exits/op first (what the exits cost), then IPC, misses per 1k
 * instructions, page-walk shares, faults/op, context switches/op. */
static int metric_rank(const char *m)
{
	static const char *const order[] = { "exits_per_op", "ipc", "_pki", "walk_share",
					     "faults_per_op", "cs_per_op" };
	size_t n = strlen(m);

	for (int i = 0; i < 6; i++) {
		size_t l = strlen(order[i]);

		if (order[i][0] == '_' ? n > l && strcmp(m + n - l, order[i]) == 0
				       : strncmp(m, order[i], l) == 0)
			return i;
	}
	return 6;
}

struct tier_metric {
	size_t tier;
	char name[NB_METRIC_NAME];
};

static int has_metric(const struct tier_metric *tm, size_t n, long tier, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if ((tier < 0 || tm[i].tier == (size_t)tier) && strcmp(tm[i].name, name) == 0)
			return 1;
	return 0;
}

/* Every (tier, metric) that some sample of the tier has inputs for, in order of first
 * appearance; -1 when out of memory. */
static long collect(const struct nb_table *t, struct tier_metric **out)
{
	struct nb_metric *m = calloc(MAX_METRICS, sizeof(*m));
	struct tier_metric *tm = NULL, *p;
	size_t n = 0;

	if (!m)
		return -1;
	for (size_t col = 0; col < t->n_cols; col++) {
		const struct nb_rs_tier *tr = &t->rs->tiers[t->cols[col].tier];

		if (t->cols[col].kind == NB_COL_STEP)
			continue;
		for (size_t k = 0; k < tr->n_cases; k++)
			for (size_t s = 0; s < tr->cases[k].n; s++) {
				int nm = nb_derive_all(&tr->cases[k].samples[s].in, m, MAX_METRICS);

				for (int i = 0; i < nm; i++) {
					if (has_metric(tm, n, (long)t->cols[col].tier, m[i].name))
						continue;
					if (!(p = realloc(tm, (n + 1) * sizeof(*tm)))) {
						free(tm);
						free(m);
						return -1;
					}
					tm = p;
					tm[n].tier = t->cols[col].tier;
					snprintf(tm[n++].name, NB_METRIC_NAME, "%s", m[i].name);
				}
			}
	}
	free(m);
	*out = tm;
	return (long)n;
}

static int add_ctr_col(struct nb_table *t, size_t tier, const char *metric)
{
	struct nb_ctr_col *p = realloc(t->ctr_cols, (t->n_ctr_cols + 1) * sizeof(*p));

	if (!p)
		return -1;
	t->ctr_cols = p;
	p += t->n_ctr_cols++;
	memset(p, 0, sizeof(*p));
	p->tier = tier;
	snprintf(p->metric, sizeof(p->metric), "%s", metric);
	nb_metric_title(metric, p->title, sizeof(p->title));
	snprintf(p->label, sizeof(p->label), "%.80s %.46s", nb_table_tier_label(t, tier), p->title);
	p->with_reason = strcmp(metric, "exits_per_op") == 0;
	return 0;
}

/* Metric by metric (in rank order, then as they first appear), a column per tier that
 * has it, tiers in the order of the table's columns. */
static int build_columns(struct nb_table *t)
{
	struct tier_metric *tm = NULL;
	long n = collect(t, &tm);
	int rc = n < 0 ? -1 : 0;

	for (int rank = 0; rank <= 6 && rc == 0; rank++)
		for (long i = 0; i < n && rc == 0; i++) {
			if (metric_rank(tm[i].name) != rank || has_metric(tm, (size_t)i, -1, tm[i].name))
				continue;
			for (size_t col = 0; col < t->n_cols && rc == 0; col++)
				if (t->cols[col].kind != NB_COL_STEP &&
				    has_metric(tm, (size_t)n, (long)t->cols[col].tier, tm[i].name))
					rc = add_ctr_col(t, t->cols[col].tier, tm[i].name);
		}
	free(tm);
	return rc;
}

/* ---- cells and remarks -------------------------------------------------------------- */

static void fill(struct nb_table *t, size_t r, size_t col)
{
	const struct nb_ctr_col *cc = &t->ctr_cols[col];
	const struct nb_table_row *row = &t->rows[r];
	struct nb_ctr_cell *cell = nb_table_ctr_cell(t, r, col);
	const struct nb_rs_case *c = nb_rs_find_case(&t->rs->tiers[cc->tier], row->key);
	char buf[NB_ERR_LEN];

	memset(cell, 0, sizeof(*cell));
	cell->median = cell->reason_median = NAN;
	if (!c) {
		cell->state = NB_CELL_ABSENT;
		return;
	}
	cell->state = NB_CELL_NA;
	/* The same text as the overhead or baseline cell's note: one footnote for both. */
	if (nb_rs_case_problem(c, buf, sizeof(buf)))
		cell->note = nb_table_note(t, "%s on %s%s: %s", row->key, cc->tier == t->base ? "the baseline " : "",
					   nb_table_tier_label(t, cc->tier), buf);
	/* The column names the tier and metric: the reason alone, shared where it recurs. */
	else if (nb_ctr_cell_compute(c, cc->metric, cell, buf, sizeof(buf)))
		cell->note = nb_table_note(t, "%s", buf);
	else if (cell->first_visits)
		cell->note = nb_table_note(t, "exits/op of first visits only, whose count includes the "
					   "calibration of the operation count: an over-estimate");
}

static int any_col(const struct nb_table *t, int rank)
{
	for (size_t c = 0; c < t->n_ctr_cols; c++)
		if (metric_rank(t->ctr_cols[c].metric) == rank)
			return 1;
	return 0;
}

/* How the columns present are computed, in one footnote. */
static void remark_method(struct nb_table *t)
{
	int est = 0;

	for (size_t i = 0; i < t->n_rows * t->n_ctr_cols; i++)
		est |= t->ctr_cells[i].state == NB_CELL_OK && t->ctr_cells[i].estimated;
	nb_table_remark(t, NB_REM_COUNTERS, "Counter columns: the median over the case's samples of "
			"each sample's figure, per operation of the workload%s%s%s%s.%s",
			any_col(t, 1) ? "; IPC: instructions / cycles" : "",
			any_col(t, 2) ? "; per 1k instr: misses per 1000 instructions" : "",
			any_col(t, 3) ? "; share of cycles: page-walk cycles / cycles" : "",
			est ? "; (est.): an input was multiplexed, its count scaled" : "",
			!any_col(t, 0) ? "" : " exits/op: the VM exits that the parent tier counted over a "
			"whole visit (the warm-up and every repetition, and the start of the workload "
			"process where the visit started one), over the visit's operations, so it includes "
			"a fixed cost per visit; one figure per visit, first visits left out where later "
			"ones were counted (their count includes the start and the calibration); in "
			"brackets the exit reason with the most exits and its exits/op.");
}

int nb_table_build_counters(struct nb_table *t)
{
	if (build_columns(t) ||
	    !(t->ctr_cells = calloc(t->n_rows * t->n_ctr_cols + 1, sizeof(*t->ctr_cells))))
		return -1;
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_ctr_cols; c++)
			fill(t, r, c);
	if (!t->n_ctr_cols) {
		nb_table_remark(t, NB_REM_COUNTERS, "Counter columns: none, no tier recorded perf "
				"counters (the campaign's \"events\") or VM exits (a tier's \"count_exits\").");
		return 0;
	}
	remark_method(t);
	return 0;
}
