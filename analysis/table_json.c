/* table_json.c - the overhead table as JSON ("schema": "nestbench-table", version 1):
 * every figure of the text formats at full precision, with its unit in its key, plus
 * the environment of each column's tier.  Described in analysis/README.md. */
#include "report_json.h"
#include "../common/err.h"
#include "table.h"
#include "../common/records.h"

#include <cjson/cJSON.h>
#include <string.h>

static const char *const kind_names[] = { "baseline", "overhead", "step" };
static const char *const state_names[] = { "ok", "n/a", "absent" };
static const char *const remark_names[] = { "method", "baseline", "files", "work", "environment",
					     "tier", "few_samples", "high_cv", "absent", "counters",
					     "outliers", "no_ratio", "series" };

static void add_str_or_null(cJSON *o, const char *name, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, name, s);
	else
		cJSON_AddNullToObject(o, name);
}

static cJSON *tier_ref(const struct nb_table *t, size_t tier)
{
	const struct nb_rs_tier *tr = &t->rs->tiers[tier];
	cJSON *o = cJSON_CreateObject();
	char file[24];

	snprintf(file, sizeof(file), "F%zu", tr->file + 1);
	cJSON_AddStringToObject(o, "file", file);
	cJSON_AddStringToObject(o, "tier", tr->name);
	cJSON_AddNumberToObject(o, "level", tr->level);
	return o;
}

static cJSON *env_json(const struct nb_rs_env *e)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "hypervisor", e->hypervisor);
	cJSON_AddStringToObject(o, "nature", e->nature);
	add_str_or_null(o, "accelerator", e->accelerator);
	add_str_or_null(o, "kernel", e->kernel);
	add_str_or_null(o, "cpu", e->cpu);
	if (e->vcpus >= 0)
		cJSON_AddNumberToObject(o, "vcpus", e->vcpus);
	else
		cJSON_AddNullToObject(o, "vcpus");
	add_str_or_null(o, "warning", e->warning);
	return o;
}

static cJSON *columns_json(const struct nb_table *t)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t c = 0; c < t->n_cols; c++) {
		const struct nb_table_col *col = &t->cols[c];
		cJSON *o = tier_ref(t, col->tier);

		cJSON_AddStringToObject(o, "label", col->label);
		cJSON_AddStringToObject(o, "kind", kind_names[col->kind]);
		if (col->kind != NB_COL_BASELINE)
			cJSON_AddItemToObject(o, "reference", tier_ref(t, col->ref));
		if (col->kind != NB_COL_STEP)
			cJSON_AddItemToObject(o, "environment", env_json(&t->rs->tiers[col->tier].env));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* A note of a cell (n/a, or a figure with a caveat): its number and text. */
static void note_json(const struct nb_table *t, cJSON *o, size_t note)
{
	cJSON_AddNumberToObject(o, "note", (double)note);
	add_str_or_null(o, "reason", note ? t->notes[note - 1] : NULL);
}

static cJSON *cell_json(const struct nb_table *t, size_t r, size_t c)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "state", state_names[cell->state]);
	if (cell->state == NB_CELL_NA)
		note_json(t, o, cell->note);
	if (cell->state != NB_CELL_OK)
		return o;
	if (t->cols[c].kind == NB_COL_BASELINE) {
		cJSON_AddNumberToObject(o, "median", cell->r.median_b);
		cJSON_AddNumberToObject(o, "n", (double)cell->r.n_b);
	} else {
		cJSON_AddNumberToObject(o, "overhead_pct", cell->r.point * 100);
		cJSON_AddNumberToObject(o, "ci_lo_pct", cell->r.lo * 100);
		cJSON_AddNumberToObject(o, "ci_hi_pct", cell->r.hi * 100);
		cJSON_AddNumberToObject(o, "median", cell->r.median_t);
		cJSON_AddNumberToObject(o, "median_reference", cell->r.median_b);
		cJSON_AddNumberToObject(o, "n", (double)cell->r.n_t);
		cJSON_AddNumberToObject(o, "n_reference", (double)cell->r.n_b);
		cJSON_AddBoolToObject(o, "few_samples", cell->r.few_samples);
		cJSON_AddBoolToObject(o, "no_ratio", cell->no_ratio);
		cJSON_AddBoolToObject(o, "unstable", cell->unstable);
	}
	cJSON_AddNumberToObject(o, "cv", cell->cv);
	cJSON_AddNumberToObject(o, "outliers", (double)cell->outliers);
	return o;
}

static cJSON *ctr_columns_json(const struct nb_table *t)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t c = 0; c < t->n_ctr_cols; c++) {
		const struct nb_ctr_col *col = &t->ctr_cols[c];
		cJSON *o = tier_ref(t, col->tier);

		cJSON_AddStringToObject(o, "label", col->label);
		cJSON_AddStringToObject(o, "metric", col->metric);
		cJSON_AddStringToObject(o, "title", col->title);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *ctr_cell_json(const struct nb_table *t, size_t r, size_t c)
{
	const struct nb_ctr_cell *cell = nb_table_ctr_cell(t, r, c);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "state", state_names[cell->state]);
	if (cell->state == NB_CELL_ABSENT)
		return o;
	if (cell->note)
		note_json(t, o, cell->note);
	if (cell->state != NB_CELL_OK)
		return o;
	cJSON_AddNumberToObject(o, "median", cell->median);
	cJSON_AddNumberToObject(o, "n", (double)cell->n);
	cJSON_AddNumberToObject(o, "n_na", (double)cell->n_na);
	cJSON_AddBoolToObject(o, "estimated", cell->estimated);
	if (t->ctr_cols[c].with_reason) {
		cJSON_AddBoolToObject(o, "first_visits_only", cell->first_visits);
		if (cell->reason) {
			cJSON *top = cJSON_AddObjectToObject(o, "top_reason");

			cJSON_AddStringToObject(top, "name", cell->reason);
			cJSON_AddNumberToObject(top, "per_op", cell->reason_median);
		} else {
			cJSON_AddNullToObject(o, "top_reason");
		}
	}
	return o;
}

static cJSON *rows_json(const struct nb_table *t)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t r = 0; r < t->n_rows; r++) {
		const struct nb_table_row *row = &t->rows[r];
		cJSON *o = cJSON_CreateObject(), *cells = cJSON_CreateArray();

		cJSON_AddStringToObject(o, "key", row->key);
		cJSON_AddStringToObject(o, "workload", row->workload);
		cJSON_AddStringToObject(o, "family", row->family);
		cJSON_AddStringToObject(o, "unit", row->unit);
		cJSON_AddStringToObject(o, "better", row->better == NB_STATS_HIGHER_BETTER ? NB_BETTER_HIGHER : NB_BETTER_LOWER);
		for (size_t c = 0; c < t->n_cols; c++)
			cJSON_AddItemToArray(cells, cell_json(t, r, c));
		cJSON_AddItemToObject(o, "cells", cells);
		if (t->o.counters) {
			cJSON *ctr = cJSON_AddArrayToObject(o, "counters");

			for (size_t c = 0; c < t->n_ctr_cols; c++)
				cJSON_AddItemToArray(ctr, ctr_cell_json(t, r, c));
		}
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *summary_json(const struct nb_table *t)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < t->n_summary; i++) {
		const struct nb_table_summary *s = &t->summary[i];
		cJSON *o = cJSON_CreateObject(), *means = cJSON_CreateArray();

		add_str_or_null(o, "family", s->family);
		for (size_t c = 1; c < t->n_cols; c++) {
			cJSON *m = cJSON_CreateObject();

			cJSON_AddStringToObject(m, "label", t->cols[c].label);
			cJSON_AddNumberToObject(m, "geomean_overhead_pct", s->mean[c] * 100);
			cJSON_AddNumberToObject(m, "n", (double)s->n[c]);
			cJSON_AddItemToArray(means, m);
		}
		cJSON_AddItemToObject(o, "columns", means);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

cJSON *nb_json_file(const struct nb_rs_file *f)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "path", f->path);
	cJSON_AddStringToObject(o, "campaign", f->campaign);
	cJSON_AddStringToObject(o, "started_utc", f->started);
	cJSON_AddStringToObject(o, "work_sha256", f->work_sha256);
	return o;
}

int nb_json_print(cJSON *doc, FILE *out, const char *what, char err[NB_ERR_LEN])
{
	char *s = cJSON_Print(doc);

	cJSON_Delete(doc);
	if (!s) {
		return nb_err(err, "out of memory writing %s as JSON", what);
	}
	fputs(s, out);
	fputc('\n', out);
	cJSON_free(s);
	return 0;
}

static cJSON *files_json(const struct nb_resultset *rs)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t f = 0; f < rs->n_files; f++) {
		cJSON *o = nb_json_file(&rs->files[f]);
		char id[24];

		snprintf(id, sizeof(id), "F%zu", f + 1);
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *notes_json(const struct nb_table *t)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < t->n_notes; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(t->notes[i]));
	return a;
}

static cJSON *remarks_json(const struct nb_table *t)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < t->n_remarks; i++) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddStringToObject(r, "kind", remark_names[t->remarks[i].kind]);
		cJSON_AddStringToObject(r, "text", t->remarks[i].text);
		cJSON_AddItemToArray(a, r);
	}
	return a;
}

int nb_table_write_json(const struct nb_table *t, FILE *out, char err[NB_ERR_LEN])
{
	cJSON *doc = cJSON_CreateObject();
	char seed[24];

	cJSON_AddStringToObject(doc, "schema", "nestbench-table");
	cJSON_AddNumberToObject(doc, "schema_version", 1);
	cJSON_AddNumberToObject(doc, "level", t->o.level);
	cJSON_AddNumberToObject(doc, "resamples", t->o.resamples);
	/* The seed as a string: a JSON double cannot hold every 64-bit value. */
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)t->o.seed);
	cJSON_AddStringToObject(doc, "seed", seed);
	cJSON_AddItemToObject(doc, "files", files_json(t->rs));
	cJSON_AddItemToObject(doc, "columns", columns_json(t));
	if (t->o.counters)
		cJSON_AddItemToObject(doc, "counter_columns", ctr_columns_json(t));
	cJSON_AddItemToObject(doc, "rows", rows_json(t));
	cJSON_AddItemToObject(doc, "summary", summary_json(t));
	cJSON_AddItemToObject(doc, "notes", notes_json(t));
	cJSON_AddItemToObject(doc, "remarks", remarks_json(t));
	return nb_json_print(doc, out, "the table", err);
}
