/* table_format.c - the overhead table as Markdown (a GitHub table) and CSV (one row per
 * workload, notes as trailing `#` lines).  LaTeX: table_latex.c; JSON: table_json.c.
 * Each writer walks the same model, so every format shows the same figures, markers and
 * footnotes. */
#include "report_text.h"
#include "../common/err.h"
#include "table.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int nb_table_format_parse(const char *s, enum nb_table_format *f)
{
	static const char *const names[] = {
		[NB_FMT_MD] = "md", [NB_FMT_LATEX] = "latex", [NB_FMT_CSV] = "csv",
		[NB_FMT_JSON] = "json", [NB_FMT_LONG_CSV] = "long-csv",
		[NB_FMT_LONG_JSON] = "long-json",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && strcmp(s, names[i]) == 0) {
			*f = (enum nb_table_format)i;
			return 0;
		}
	if (strcmp(s, "markdown") == 0 || strcmp(s, "tex") == 0) {
		*f = s[0] == 'm' ? NB_FMT_MD : NB_FMT_LATEX;
		return 0;
	}
	return -1;
}

static int has_ratios(const struct nb_table *t)
{
	return t->n_cols > 1;
}

/* Point and interval of a computed ratio cell, as printed: "+10.0" and "[+8.9, +11.1]",
 * or "×5446" and "[×5300, ×5600]" from 2x on. */
static void ratio_text(const struct nb_table_cell *c, char *pt, char *iv)
{
	char lo[NB_NUM], hi[NB_NUM];
	struct nb_ratio_ci r = c->r;

	nb_fmt_ratio(r.point, pt, NB_NUM);
	if (r.point >= 1) {   /* the whole interval in the point's form */
		nb_fmt_ratio_ci(&r, iv, NB_NUM * 3);
		memmove(iv, strchr(iv, '['), strlen(strchr(iv, '[')) + 1);
		return;
	}
	nb_fmt_pct(r.lo, lo, sizeof(lo));
	nb_fmt_pct(r.hi, hi, sizeof(hi));
	snprintf(iv, NB_NUM * 3, "[%s, %s]", lo, hi);
}

/* " (n 3 vs 7)" where a cell's samples differ from the caption's n; "" otherwise. */
static void n_text(const struct nb_table *t, const struct nb_table_cell *c, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!t->n_uniform && (c->r.n_t != t->n_common || c->r.n_b != t->n_common))
		snprintf(buf, len, " (n %zu vs %zu)", c->r.n_t, c->r.n_b);
}

/* The caption's word on n: "n = 7 samples per tier and workload" or "... unless shown". */
static void n_caption(const struct nb_table *t, char *buf, size_t len)
{
	if (!t->n_common)
		buf[0] = '\0';
	else
		snprintf(buf, len, "; n = %zu samples per tier and workload%s", t->n_common,
			 t->n_uniform ? "" : " unless a cell shows its own (n tier vs reference)");
}

/* The numbered notes, then the remarks, one per line: note_fmt takes the number. */
static void put_footnotes(const struct nb_table *t, FILE *out, void (*put)(FILE *, const char *),
			  const char *note_fmt, const char *remark_prefix, const char *eol)
{
	for (size_t i = 0; i < t->n_notes; i++) {
		fprintf(out, note_fmt, i + 1);
		put(out, t->notes[i]);
		fputs(eol, out);
	}
	for (size_t i = 0; i < t->n_remarks; i++) {
		fputs(remark_prefix, out);
		put(out, t->remarks[i].text);
		fputs(eol, out);
	}
}

/* ---- Markdown ----------------------------------------------------------------------- */

static void md_cell(const struct nb_table *t, size_t r, size_t c, FILE *out)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);
	char pt[NB_NUM], iv[NB_NUM * 3], n[NB_NUM];

	if (cell->state == NB_CELL_ABSENT) {
		fputs(" – |", out);
	} else if (cell->state == NB_CELL_NA) {
		fprintf(out, cell->note ? " n/a [%zu] |" : " n/a |", cell->note);
	} else if (t->cols[c].kind == NB_COL_BASELINE) {
		nb_fmt_value(cell->r.median_b, pt, sizeof(pt));
		if (!t->n_uniform && cell->r.n_b != t->n_common)
			fprintf(out, " %s (n %zu) |", pt, cell->r.n_b);
		else
			fprintf(out, " %s |", pt);
	} else {
		ratio_text(cell, pt, iv);
		n_text(t, cell, n, sizeof(n));
		fprintf(out, " %s %s%s%s%s |", pt, iv, n, cell->r.few_samples ? " †" : "",
			cell->unstable ? " ⚠" : "");
	}
}

/* One cell of a table's body, in one format. */
typedef void (*cell_fn)(const struct nb_table *t, size_t r, size_t c, FILE *out);

static int family_starts(const struct nb_table *t, size_t r)
{
	return r == 0 || strcmp(t->rows[r].family, t->rows[r - 1].family) != 0;
}

/* The body: a bold family line where the family changes, then per workload its key
 * (and unit) and a cell per column. */
static void md_body(const struct nb_table *t, int with_unit, size_t n_cols, cell_fn cell, FILE *out)
{
	for (size_t r = 0; r < t->n_rows; r++) {
		const char *lead[] = { t->rows[r].key, t->rows[r].unit };

		if (family_starts(t, r)) {
			fputs("| **", out);
			nb_put_md(out, nb_family_title(t->rows[r].family));
			fputs("** |", out);
			for (size_t c = 0; c < n_cols + (size_t)with_unit; c++)
				fputs(" |", out);
			fputc('\n', out);
		}
		fputs("| ", out);
		nb_put_joined(out, nb_put_md, " | ", lead, with_unit ? 2 : 1);
		fputs(" |", out);
		for (size_t c = 0; c < n_cols; c++)
			cell(t, r, c, out);
		fputc('\n', out);
	}
}

static void md_main(const struct nb_table *t, FILE *out)
{
	fputs("| Workload | Unit |", out);
	for (size_t c = 0; c < t->n_cols; c++) {
		fputc(' ', out);
		nb_put_md(out, t->cols[c].label);
		fputs(c == 0 ? " median |" : " |", out);
	}
	fputs("\n| :--- | :--- |", out);
	for (size_t c = 0; c < t->n_cols; c++)
		fputs(" ---: |", out);
	fputc('\n', out);
	md_body(t, 1, t->n_cols, md_cell, out);
}

static void md_ctr_cell(const struct nb_table *t, size_t r, size_t c, FILE *out)
{
	const struct nb_ctr_cell *cell = nb_table_ctr_cell(t, r, c);
	char buf[NB_LABEL];

	if (cell->state == NB_CELL_ABSENT) {
		fputs(" – |", out);
		return;
	}
	fputc(' ', out);
	nb_put_md(out, cell->state == NB_CELL_OK ? nb_ctr_cell_text(cell, buf, sizeof(buf)) : "n/a");
	fprintf(out, cell->note ? " [%zu] |" : " |", cell->note);
}

/* The counter table's heading between head and tail; 0 (and a line that says so) when
 * the files have no counter to show. */
static int ctr_heading(const struct nb_table *t, const char *head, const char *tail, FILE *out)
{
	fprintf(out, "%sthe median over the samples of each sample's figure; exits/op (VM exits "
		"counted by the parent tier) over the visits, with the exit reason that has the most "
		"exits.%s", head, tail);
	if (!t->n_ctr_cols)
		fputs("No counters in these files.\n", out);
	return t->n_ctr_cols > 0;
}

static void md_counters(const struct nb_table *t, FILE *out)
{
	if (!ctr_heading(t, "\n**Counters per operation**: ", " How they are computed: see the notes.\n\n", out))
		return;
	fputs("| Workload |", out);
	for (size_t c = 0; c < t->n_ctr_cols; c++) {
		fputc(' ', out);
		nb_put_md(out, t->ctr_cols[c].label);
		fputs(" |", out);
	}
	fputs("\n| :--- |", out);
	for (size_t c = 0; c < t->n_ctr_cols; c++)
		fputs(" ---: |", out);
	fputc('\n', out);
	md_body(t, 0, t->n_ctr_cols, md_ctr_cell, out);
}

static int any_no_ratio(const struct nb_table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		if (t->cells[i].state == NB_CELL_OK && t->cells[i].no_ratio)
			return 1;
	return 0;
}

/* What the "all workloads" row's name adds when cells without a meaningful ratio are
 * left out of it, in every format. */
static const char *all_note(const struct nb_table *t)
{
	return any_no_ratio(t) ? " (VM exits over bare metal left out)" : "";
}

static void md_summary(const struct nb_table *t, FILE *out)
{
	char pt[NB_NUM];

	fputs("\n**Paper summary**: mean overhead per family, in % — the geometric mean of the "
	      "per-workload ratios (1 + overhead), minus 1; n = workloads in the mean.\n\n| Family |", out);
	for (size_t c = 1; c < t->n_cols; c++) {
		fputc(' ', out);
		nb_put_md(out, t->cols[c].label);
		fputs(" |", out);
	}
	fputs("\n| :--- |", out);
	for (size_t c = 1; c < t->n_cols; c++)
		fputs(" ---: |", out);
	fputc('\n', out);
	for (size_t i = 0; i < t->n_summary; i++) {
		const struct nb_table_summary *s = &t->summary[i];

		if (s->family)
			fprintf(out, "| %s |", nb_family_title(s->family));
		else
			fprintf(out, "| **all workloads**%s |", all_note(t));
		for (size_t c = 1; c < t->n_cols; c++) {
			nb_fmt_ratio(s->mean[c], pt, sizeof(pt));
			if (s->n[c])
				fprintf(out, " %s (n = %zu) |", pt, s->n[c]);
			else
				fputs(" – |", out);
		}
		fputc('\n', out);
	}
}

static void md_write(const struct nb_table *t, FILE *out)
{
	if (has_ratios(t)) {
		fputs("Overhead over the baseline **", out);
		nb_put_md(out, t->cols[0].label);
		char nc[NB_NUM * 3];

		n_caption(t, nc, sizeof(nc));
		fprintf(out, "** in %% (positive = slower; from +100 %% on as a ratio, ×2.00 = twice "
			"as slow) [the %g %% confidence interval]; the baseline's own median in the "
			"row's unit%s.\n\n", t->o.level * 100, nc);
	} else {
		fputs("Medians of **", out);
		nb_put_md(out, t->cols[0].label);
		fputs("** (no other tier to compare with).\n\n", out);
	}
	md_main(t, out);
	if (t->o.counters)
		md_counters(t, out);
	if (has_ratios(t))
		md_summary(t, out);
	fputs("\n", out);
	put_footnotes(t, out, nb_put_md, "- [%zu] ", "- ", "\n");
}

/* ---- CSV ---------------------------------------------------------------------------- */

/* The fields of each tier column: its figures, then what a reader needs to weigh them
 * (the sample sizes, outliers, whether the ratio is an overhead at all, a sample that
 * moved).  Those come after `notes`, so that every older column keeps its place. */
static const char *const csv_base_figs[] = { "median", "n" };
static const char *const csv_ratio_figs[] = { "overhead %", "ci lo %", "ci hi %" };
static const char *const csv_base_extra[] = { "outliers" };
static const char *const csv_ratio_extra[] = { "n", "n reference", "outliers", "no ratio", "unstable" };
#define CSV_N(a) (sizeof(a) / sizeof((a)[0]))

/* "LABEL FIELD" for every tier column: `base` for the baseline's, `ratio` for the others. */
static void csv_col_heads(const struct nb_table *t, const char *const *base, size_t n_base,
			  const char *const *ratio, size_t n_ratio, FILE *out)
{
	char h[NB_LABEL + 32];

	for (size_t c = 0; c < t->n_cols; c++)
		for (size_t i = 0; i < (c == 0 ? n_base : n_ratio); i++) {
			snprintf(h, sizeof(h), "%s %s", t->cols[c].label, c == 0 ? base[i] : ratio[i]);
			fputc(',', out);
			nb_put_csv(out, h);
		}
}

static void csv_header(const struct nb_table *t, FILE *out)
{
	char h[NB_LABEL + 32];

	fputs("family,workload,key,unit,better", out);
	csv_col_heads(t, csv_base_figs, CSV_N(csv_base_figs), csv_ratio_figs, CSV_N(csv_ratio_figs), out);
	/* A counter column; exits/op also with its main reason and that reason's exits/op. */
	for (size_t c = 0; c < t->n_ctr_cols; c++) {
		fputc(',', out);
		nb_put_csv(out, t->ctr_cols[c].label);
		for (int i = 0; i < 2 && t->ctr_cols[c].with_reason; i++) {
			snprintf(h, sizeof(h), "%s %s", t->ctr_cols[c].label, i ? "reason per op" : "reason");
			fputc(',', out);
			nb_put_csv(out, h);
		}
	}
	fputs(",notes", out);
	csv_col_heads(t, csv_base_extra, CSV_N(csv_base_extra), csv_ratio_extra, CSV_N(csv_ratio_extra), out);
	fputc('\n', out);
}

/* k fields of a cell without figures: "n/a" (see the notes) or empty (absent). */
static void csv_no_figures(const struct nb_table_cell *cell, size_t k, FILE *out)
{
	for (size_t i = 0; i < k; i++)
		fputs(cell->state == NB_CELL_NA ? ",n/a" : ",", out);
}

static void csv_cell(const struct nb_table *t, size_t r, size_t c, FILE *out)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);

	if (cell->state != NB_CELL_OK)
		csv_no_figures(cell, c == 0 ? CSV_N(csv_base_figs) : CSV_N(csv_ratio_figs), out);
	else if (c == 0)
		fprintf(out, ",%.10g,%zu", cell->r.median_b, cell->r.n_b);
	else
		fprintf(out, ",%.4f,%.4f,%.4f", cell->r.point * 100, cell->r.lo * 100, cell->r.hi * 100);
}

/* The cell's csv_*_extra fields; flags as 1 or 0. */
static void csv_cell_extra(const struct nb_table *t, size_t r, size_t c, FILE *out)
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);

	if (cell->state != NB_CELL_OK)
		csv_no_figures(cell, c == 0 ? CSV_N(csv_base_extra) : CSV_N(csv_ratio_extra), out);
	else if (c == 0)
		fprintf(out, ",%zu", cell->outliers);
	else
		fprintf(out, ",%zu,%zu,%zu,%d,%d", cell->r.n_t, cell->r.n_b, cell->outliers,
			cell->no_ratio != 0, cell->unstable != 0);
}

static void csv_ctr_cell(const struct nb_table *t, size_t r, size_t c, FILE *out)
{
	const struct nb_ctr_cell *cell = nb_table_ctr_cell(t, r, c);
	const char *empty = cell->state == NB_CELL_NA ? ",n/a" : ",";

	if (cell->state != NB_CELL_OK)
		fputs(empty, out);
	else
		fprintf(out, ",%.6g", cell->median);
	if (!t->ctr_cols[c].with_reason)
		return;
	if (cell->state == NB_CELL_OK && cell->reason) {
		fputc(',', out);
		nb_put_csv(out, cell->reason);
		fprintf(out, ",%.6g", cell->reason_median);
	} else {
		fputs(empty, out);
		fputs(empty, out);
	}
}

/* "[k] text" the first time the row meets note k. */
static void csv_note(const struct nb_table *t, size_t note, size_t *seen, size_t *n_seen,
		     const char **sep, FILE *m)
{
	for (size_t i = 0; i < *n_seen; i++)
		if (seen[i] == note)
			return;
	seen[(*n_seen)++] = note;
	fprintf(m, "%s[%zu] %s", *sep, note, t->notes[note - 1]);
	*sep = "; ";
}

/* The row's footnotes and markers, in one field. */
static void csv_notes(const struct nb_table *t, size_t r, FILE *out)
{
	char *buf = NULL;
	size_t len = 0, n_seen = 0, *seen = calloc(t->n_cols + t->n_ctr_cols + 1, sizeof(size_t));
	FILE *m = seen ? open_memstream(&buf, &len) : NULL;
	const char *sep = "";

	if (!m) {
		free(seen);
		return;
	}
	for (size_t c = 0; c < t->n_cols; c++) {
		const struct nb_table_cell *cell = nb_table_cell(t, r, c);

		if (cell->state == NB_CELL_NA && cell->note) {
			csv_note(t, cell->note, seen, &n_seen, &sep, m);
		} else if (cell->state == NB_CELL_OK && c && cell->r.few_samples) {
			fprintf(m, "%s%s: too few samples", sep, t->cols[c].label);
			sep = "; ";
		}
	}
	for (size_t c = 0; c < t->n_ctr_cols; c++) {
		const struct nb_ctr_cell *cell = nb_table_ctr_cell(t, r, c);

		if (cell->note)
			csv_note(t, cell->note, seen, &n_seen, &sep, m);
		if (cell->state == NB_CELL_OK && cell->estimated) {
			fprintf(m, "%s%s: estimated (multiplexed)", sep, t->ctr_cols[c].label);
			sep = "; ";
		}
	}
	fclose(m);
	fputc(',', out);
	nb_put_csv(out, buf ? buf : "");
	free(buf);
	free(seen);
}

static void csv_write(const struct nb_table *t, FILE *out)
{
	char pt[NB_NUM];

	csv_header(t, out);
	for (size_t r = 0; r < t->n_rows; r++) {
		const struct nb_table_row *row = &t->rows[r];
		const char *lead[] = { row->family, row->workload, row->key, row->unit };

		nb_put_joined(out, nb_put_csv, ",", lead, 4);
		fputs(row->better == NB_STATS_HIGHER_BETTER ? ",higher" : ",lower", out);
		for (size_t c = 0; c < t->n_cols; c++)
			csv_cell(t, r, c, out);
		for (size_t c = 0; c < t->n_ctr_cols; c++)
			csv_ctr_cell(t, r, c, out);
		csv_notes(t, r, out);
		for (size_t c = 0; c < t->n_cols; c++)
			csv_cell_extra(t, r, c, out);
		fputc('\n', out);
	}
	/* Footnotes as comment lines after the data (pandas: comment='#'). */
	for (size_t i = 0; i < t->n_summary && has_ratios(t); i++) {
		if (t->summary[i].family)
			fprintf(out, "# mean overhead (geometric), %s:", nb_family_title(t->summary[i].family));
		else
			fprintf(out, "# mean overhead (geometric), all workloads%s:", all_note(t));
		for (size_t c = 1; c < t->n_cols; c++) {
			nb_fmt_pct(t->summary[i].mean[c], pt, sizeof(pt));
			if (t->summary[i].n[c])
				fprintf(out, " %s %s %% (n = %zu)", t->cols[c].label, pt, t->summary[i].n[c]);
			else
				fprintf(out, " %s –", t->cols[c].label);
			fputs(c + 1 < t->n_cols ? ";" : "", out);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < t->n_remarks; i++)
		fprintf(out, "# %s\n", t->remarks[i].text);
}

/* ---- dispatch ----------------------------------------------------------------------- */

int nb_table_write(const struct nb_table *t, enum nb_table_format f, FILE *out,
		   char err[NB_ERR_LEN])
{
	switch (f) {
	case NB_FMT_MD: md_write(t, out); break;
	case NB_FMT_LATEX:   /* table_latex.c, with its default layout and width */
		if (nb_table_write_latex(t, NULL, out, err))
			return -1;
		break;
	case NB_FMT_CSV: csv_write(t, out); break;
	case NB_FMT_JSON:
		if (nb_table_write_json(t, out, err))
			return -1;
		break;
	case NB_FMT_LONG_CSV:
	case NB_FMT_LONG_JSON:   /* table_long.c */
		if (nb_table_write_long(t, f == NB_FMT_LONG_JSON, out, err))
			return -1;
		break;
	}
	if (fflush(out) || ferror(out)) {
		return nb_err(err, "cannot write the table: %s", strerror(errno ? errno : EIO));
	}
	return 0;
}
