/* table_long.c - the overhead table as tidy data (`--format long-csv` and `long-json`):
 * one row per workload case, tier column and reference, each figure in a column of its
 * own, so that read_csv and read.csv load it with no option and a plot or a model
 * groups by tier, level or nature without parsing column names.  The columns and what
 * an empty field means: analysis/README.md, "Long formats". */
#include "report_json.h"
#include "report_text.h"
#include "../common/err.h"
#include "../common/records.h"
#include "table.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The columns, in their order; a row's fields are indexed by them. */
enum long_col {
	L_WORKLOAD, L_CASE, L_PARAMS, L_FAMILY, L_UNIT, L_BETTER, L_TIER, L_TIER_NAME, L_FILE,
	L_LEVEL, L_NATURE, L_ACCELERATOR, L_REFERENCE, L_KIND, L_MEDIAN, L_N, L_MEDIAN_REF,
	L_N_REF, L_OVERHEAD, L_CI_LO, L_CI_HI, L_RATIO, L_CV, L_OUTLIERS, L_FEW, L_HIGH_CV,
	L_NO_RATIO, L_UNSTABLE, L_STATE, L_NOTE, L_N_COLS
};

static const char *const long_names[L_N_COLS] = {
	[L_WORKLOAD] = "workload", [L_CASE] = "case", [L_PARAMS] = "params",
	[L_FAMILY] = "family", [L_UNIT] = "unit", [L_BETTER] = "better", [L_TIER] = "tier",
	[L_TIER_NAME] = "tier_name", [L_FILE] = "file", [L_LEVEL] = "level",
	[L_NATURE] = "nature", [L_ACCELERATOR] = "accelerator", [L_REFERENCE] = "reference",
	[L_KIND] = "kind", [L_MEDIAN] = "median", [L_N] = "n",
	[L_MEDIAN_REF] = "median_reference", [L_N_REF] = "n_reference",
	[L_OVERHEAD] = "overhead_pct", [L_CI_LO] = "ci_lo_pct", [L_CI_HI] = "ci_hi_pct",
	[L_RATIO] = "ratio", [L_CV] = "cv", [L_OUTLIERS] = "outliers",
	[L_FEW] = "few_samples", [L_HIGH_CV] = "high_cv", [L_NO_RATIO] = "no_ratio",
	[L_UNSTABLE] = "unstable", [L_STATE] = "state", [L_NOTE] = "note",
};

static const char *const kind_names[] = { "baseline", "overhead", "step" };
static const char *const state_names[] = { "ok", "n/a", "absent" };

/* A field: missing (empty in CSV, null in JSON), text, a number, a count or a flag. */
enum field_kind { FK_NONE = 0, FK_TEXT, FK_NUM, FK_COUNT, FK_FLAG };

struct field {
	enum field_kind kind;
	const char *text;          /* FK_TEXT, borrowed */
	double num;                /* FK_NUM, FK_COUNT, FK_FLAG (0 or 1) */
};

struct long_row {
	struct field f[L_N_COLS];
};

/* ---- one row ------------------------------------------------------------------------ */

static void set_text(struct long_row *lr, enum long_col c, const char *s)
{
	if (s)
		lr->f[c] = (struct field){ FK_TEXT, s, 0 };
}

/* A figure to 15 significant digits, beyond any measurement's precision: 10, not the
 * arithmetic's 10.000000000000009, in both forms.  NaN or infinite stays missing, never
 * a number that was not measured. */
static void set_num(struct long_row *lr, enum long_col c, double v)
{
	char buf[NB_NUM];

	if (!isfinite(v))
		return;
	snprintf(buf, sizeof(buf), "%.15g", v);
	lr->f[c] = (struct field){ FK_NUM, NULL, strtod(buf, NULL) };
}

static void set_count(struct long_row *lr, enum long_col c, double n)
{
	lr->f[c] = (struct field){ FK_COUNT, NULL, n };
}

static void set_flag(struct long_row *lr, enum long_col c, int on)
{
	lr->f[c] = (struct field){ FK_FLAG, NULL, on != 0 };
}

/* The case behind a table row, from the first column's tier that has it: its
 * parameters are in its key, so every tier's are the same. */
static const struct nb_rs_case *row_case(const struct nb_table *t, size_t r)
{
	for (size_t c = 0; c < t->n_cols; c++) {
		const struct nb_rs_case *k = nb_rs_find_case(&t->rs->tiers[t->cols[c].tier],
							     t->rows[r].key);

		if (k)
			return k;
	}
	return NULL;
}

/* "k=v;k=v" in the file's order, "" without parameters; NULL when out of memory. */
static char *params_text(const struct nb_rs_case *k)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	for (size_t i = 0; k && i < k->n_params; i++)
		fprintf(m, "%s%s=%s", i ? ";" : "", k->params[i].name, k->params[i].value);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* What the row is about: the case, the measured tier and its reference. */
static void fill_identity(const struct nb_table *t, size_t r, size_t c, const char *params,
			  struct long_row *lr)
{
	const struct nb_table_row *row = &t->rows[r];
	const struct nb_table_col *col = &t->cols[c];
	const struct nb_rs_tier *tr = &t->rs->tiers[col->tier];

	set_text(lr, L_WORKLOAD, row->workload);
	set_text(lr, L_CASE, row->key);
	set_text(lr, L_PARAMS, params);
	set_text(lr, L_FAMILY, row->family);
	set_text(lr, L_UNIT, row->unit);
	set_text(lr, L_BETTER, row->better == NB_STATS_HIGHER_BETTER ? NB_BETTER_HIGHER : NB_BETTER_LOWER);
	set_text(lr, L_TIER, col->label);
	set_text(lr, L_TIER_NAME, tr->name);
	set_text(lr, L_FILE, t->rs->files[tr->file].path);
	set_count(lr, L_LEVEL, tr->level);
	set_text(lr, L_NATURE, tr->env.nature);
	set_text(lr, L_ACCELERATOR, tr->env.accelerator);
	set_text(lr, L_REFERENCE, nb_table_tier_label(t, col->ref));
	set_text(lr, L_KIND, kind_names[col->kind]);
}

/* Whether the measured sample shifts level or drifts: 1, 0, or -1 when it was not
 * tested.  The table tests it in the tier's overhead column; a step measures the same
 * sample, so it reads the answer there; the baseline's sample is not tested. */
static int sample_unstable(const struct nb_table *t, size_t r, size_t c)
{
	const struct nb_table_col *col = &t->cols[c];

	if (col->kind == NB_COL_BASELINE)
		return -1;
	for (size_t i = 0; i < t->n_cols; i++) {
		const struct nb_table_cell *o = nb_table_cell(t, r, i);

		if (t->cols[i].kind == NB_COL_OVERHEAD && t->cols[i].tier == col->tier)
			return o->state == NB_CELL_OK ? o->unstable != 0 : -1;
	}
	return -1;
}

/* The baseline is its own reference: its median on both sides, and no overhead. */
static void fill_baseline(const struct nb_table *t, const struct nb_table_cell *cell,
			  struct long_row *lr)
{
	set_num(lr, L_MEDIAN, cell->r.median_b);
	set_count(lr, L_N, (double)cell->r.n_b);
	set_num(lr, L_MEDIAN_REF, cell->r.median_b);
	set_count(lr, L_N_REF, (double)cell->r.n_b);
	set_flag(lr, L_FEW, cell->r.n_b < nb_stats_median_ci_min_n(t->o.level));
}

static void fill_ratio(const struct nb_table_cell *cell, struct long_row *lr)
{
	const struct nb_ratio_ci *r = &cell->r;

	set_num(lr, L_MEDIAN, r->median_t);
	set_count(lr, L_N, (double)r->n_t);
	set_num(lr, L_MEDIAN_REF, r->median_b);
	set_count(lr, L_N_REF, (double)r->n_b);
	set_num(lr, L_OVERHEAD, r->point * 100);
	set_num(lr, L_CI_LO, r->lo * 100);
	set_num(lr, L_CI_HI, r->hi * 100);
	set_num(lr, L_RATIO, 1 + r->point);
	set_flag(lr, L_FEW, r->few_samples);
	set_flag(lr, L_NO_RATIO, cell->no_ratio);
}

/* The cell's state and figures; a cell without figures keeps them all missing. */
static void fill_figures(const struct nb_table *t, size_t r, size_t c, struct long_row *lr)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);
	int unstable;

	set_text(lr, L_STATE, state_names[cell->state]);
	if (cell->state == NB_CELL_NA && cell->note)
		set_text(lr, L_NOTE, t->notes[cell->note - 1]);
	if (cell->state != NB_CELL_OK)
		return;
	if (t->cols[c].kind == NB_COL_BASELINE)
		fill_baseline(t, cell, lr);
	else
		fill_ratio(cell, lr);
	set_num(lr, L_CV, cell->cv);
	if (isfinite(cell->cv))
		set_flag(lr, L_HIGH_CV, cell->cv > t->o.cv_high);
	set_count(lr, L_OUTLIERS, (double)cell->outliers);
	if ((unstable = sample_unstable(t, r, c)) >= 0)
		set_flag(lr, L_UNSTABLE, unstable);
}

static void build_row(const struct nb_table *t, size_t r, size_t c, const char *params,
		      struct long_row *lr)
{
	memset(lr, 0, sizeof(*lr));
	fill_identity(t, r, c, params, lr);
	fill_figures(t, r, c, lr);
}

/* ---- CSV ---------------------------------------------------------------------------- */


/* A text field on one line: a reader needs no multi-line support. */
static void put_one_line(FILE *out, const char *s)
{
	char *copy;

	if (!strpbrk(s, "\r\n") || !(copy = strdup(s))) {
		nb_put_csv(out, s);   /* out of memory: still valid RFC 4180, quoted */
		return;
	}
	for (char *p = copy; (p = strpbrk(p, "\r\n")); p++)
		*p = ' ';
	nb_put_csv(out, copy);
	free(copy);
}

static void csv_field(const struct field *f, FILE *out)
{
	switch (f->kind) {
	case FK_NONE:
		break;
	case FK_TEXT:
		put_one_line(out, f->text);
		break;
	case FK_NUM:   /* set_num rounded it: %.15g prints it as cJSON does */
		fprintf(out, "%.15g", f->num);
		break;
	case FK_COUNT:
		fprintf(out, "%.0f", f->num);
		break;
	case FK_FLAG:
		fputc(f->num != 0 ? '1' : '0', out);
		break;
	}
}

static void csv_row(const struct long_row *lr, FILE *out)
{
	for (size_t i = 0; i < L_N_COLS; i++) {
		if (i)
			fputc(',', out);
		csv_field(&lr->f[i], out);
	}
	fputc('\n', out);
}

/* ---- JSON --------------------------------------------------------------------------- */

static cJSON *json_field(const struct field *f)
{
	cJSON *s;

	switch (f->kind) {
	case FK_TEXT:
		if ((s = cJSON_CreateString(f->text)))
			for (char *p = s->valuestring; (p = strpbrk(p, "\r\n")); p++)
				*p = ' ';
		return s;
	case FK_NUM:
	case FK_COUNT:
		return cJSON_CreateNumber(f->num);
	case FK_FLAG:
		return cJSON_CreateBool(f->num != 0);
	case FK_NONE:
		break;
	}
	return cJSON_CreateNull();
}

static cJSON *json_row(const struct long_row *lr)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; o && i < L_N_COLS; i++)
		cJSON_AddItemToObject(o, long_names[i], json_field(&lr->f[i]));
	return o;
}

/* ---- the writer --------------------------------------------------------------------- */

/* Every row through `csv` or into the JSON array `rows`, the table's rows in order and,
 * within one, its columns in order. */
static int write_rows(const struct nb_table *t, FILE *csv, cJSON *rows, char err[NB_ERR_LEN])
{
	struct long_row lr;

	for (size_t r = 0; r < t->n_rows; r++) {
		char *params = params_text(row_case(t, r));

		if (!params)
			return nb_err(err, "out of memory writing the long table");
		for (size_t c = 0; c < t->n_cols; c++) {
			build_row(t, r, c, params, &lr);
			if (csv) {
				csv_row(&lr, csv);
			} else if (!cJSON_AddItemToArray(rows, json_row(&lr))) {
				free(params);
				return nb_err(err, "out of memory writing the long table");
			}
		}
		free(params);
	}
	return 0;
}

static int write_long_json(const struct nb_table *t, FILE *out, char err[NB_ERR_LEN])
{
	cJSON *doc = cJSON_CreateObject(), *rows = NULL;

	if (doc) {
		cJSON_AddStringToObject(doc, "schema", "nestbench-long");
		cJSON_AddNumberToObject(doc, "version", 1);
		rows = cJSON_AddArrayToObject(doc, "rows");
	}
	if (!rows) {
		cJSON_Delete(doc);
		return nb_err(err, "out of memory writing the long table");
	}
	if (write_rows(t, NULL, rows, err)) {
		cJSON_Delete(doc);
		return -1;
	}
	return nb_json_print(doc, out, "the long table", err);
}

int nb_table_write_long(const struct nb_table *t, int json, FILE *out, char err[NB_ERR_LEN])
{
	if (json)
		return write_long_json(t, out, err);
	nb_put_joined(out, nb_put_csv, ",", long_names, L_N_COLS);
	fputc('\n', out);
	return write_rows(t, out, NULL, err);
}
