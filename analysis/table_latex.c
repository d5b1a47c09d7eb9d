/* table_latex.c - the table as LaTeX for a paper: booktabs rules, siunitx S columns for
 * the medians, right-aligned columns for the overheads, in floats that fit a column
 * (about 252 pt, `table`) or the page (about 516 pt, `table*`).
 *
 * Two layouts: *overhead* (the default: each tier column an overhead with its interval)
 * and *absolute* (each tier's median, then its overhead over the tier below and over
 * the baseline, as in the NestCloud and Turtles papers).  Rows carry short labels
 * ("mem.lat 64M"), a legend in the notes gives the full keys.  The widths of the columns
 * are estimated from their text at \footnotesize in a 10 pt class; columns that do not
 * fit are split into further floats that repeat the label columns, rows that would make
 * a float taller than a plain article's page into further floats down.  Everything that is
 * not a figure (environment, hashes, paths, reasons) goes to the notes: a file of their
 * own (--notes), or ordinary text after the floats, never inside one. */
#include "report_text.h"
#include "../common/err.h"
#include "table.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What a 10 pt class sets (IEEE, ACM, USENIX): the table's text is \footnotesize,
 * intervals and counts \scriptsize. */
#define FOOT_PT 8.0
#define SCRIPT_PT 7.0
#define SEP_PT 3.0                 /* \tabcolsep inside the floats */
#define THIN_PT 1.67               /* \, */
#define MARK_PT 5.0                /* a superscript dagger or note number */
#define COLUMN_PT 252.0
#define PAGE_PT 516.0
#define SAFETY 1.10                /* glyph widths are estimates: keep 10 % spare */
#define LINE_PT 9.5                /* a row at \footnotesize */
#define FAMILY_PT 13.5             /* a family's line and the space above it */
#define HEAD_PT 130.0              /* a float's caption, headings and rules, at most */
#define FLOAT_PT 540.0             /* the tallest float: a plain article is 550 pt high */
#define SHORT_LEN 160
#define HEAD_LINES 6

/* ---- options ------------------------------------------------------------------------ */

void nb_tex_opts_default(struct nb_tex_opts *o)
{
	o->layout = NB_TEX_OVERHEAD;
	o->width = NB_TEX_PAGE;
	o->notes = NULL;
}

int nb_tex_layout_parse(const char *s, enum nb_tex_layout *l)
{
	if (strcmp(s, "overhead") == 0)
		*l = NB_TEX_OVERHEAD;
	else if (strcmp(s, "absolute") == 0)
		*l = NB_TEX_ABSOLUTE;
	else
		return -1;
	return 0;
}

int nb_tex_width_parse(const char *s, enum nb_tex_width *w)
{
	if (strcmp(s, "page") == 0)
		*w = NB_TEX_PAGE;
	else if (strcmp(s, "column") == 0)
		*w = NB_TEX_COLUMN;
	else
		return -1;
	return 0;
}

/* ---- width estimates ---------------------------------------------------------------- */

/* A roman glyph's width in em (Computer Modern, rounded up). */
static double em_of(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return 0.5;
	if (strchr(".,:;()[]/!'|iljtfr", ch))
		return 0.39;
	if (strchr("+=<>", ch))
		return 0.78;
	if (ch == ' ' || ch == '-')
		return 0.34;
	if (ch == 'm' || ch == 'w')
		return 0.84;
	if (ch == 'M' || ch == 'W')
		return 1.03;
	if (ch >= 'A' && ch <= 'Z')
		return 0.76;
	return 0.53;
}

/* The width in pt of text (UTF-8, unescaped) at a size, roman or typewriter. */
static double text_pt(const char *s, double size, int tt)
{
	double em = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		em += tt ? 0.525 : *p >= 0x80 ? 0.78 : em_of(*p);
	}
	return em * size;
}

static double max2(double a, double b)
{
	return a > b ? a : b;
}

/* The widest word of a heading: the least a column under it can be. */
static double word_pt(const char *s)
{
	char w[NB_LABEL];
	double best = 0;

	while (*s) {
		size_t n = strcspn(s, " ");

		snprintf(w, sizeof(w), "%.*s", (int)(n < sizeof(w) ? n : sizeof(w) - 1), s);
		best = max2(best, text_pt(w, FOOT_PT, 0));
		s += n + (s[n] == ' ');
	}
	return best;
}

/* A heading in lines no wider than `pt` (a wider word alone on its line): "QEMU TCG
 * L2/L1" over a narrow column is "QEMU TCG" above "L2/L1".  `extra`, if any, is a line
 * of its own below. */
struct head {
	char line[HEAD_LINES][NB_LABEL];
	size_t n;
};

static void head_wrap(const char *s, const char *extra, double pt, struct head *h)
{
	h->n = 0;
	h->line[0][0] = '\0';
	while (*s) {
		size_t n = strcspn(s, " "), k = h->n ? h->n - 1 : 0;
		char cand[NB_LABEL];

		snprintf(cand, sizeof(cand), "%s%s%.*s", h->n ? h->line[k] : "", h->n ? " " : "",
			 (int)(n < 100 ? n : 100), s);
		if (h->n && (text_pt(cand, FOOT_PT, 0) <= pt || h->n == (size_t)(HEAD_LINES - (extra != NULL))))
			snprintf(h->line[k], NB_LABEL, "%s", cand);
		else
			snprintf(h->line[h->n++], NB_LABEL, "%.*s", (int)(n < 100 ? n : 100), s);
		s += n + (s[n] == ' ');
	}
	if (extra && h->n < HEAD_LINES)
		snprintf(h->line[h->n++], NB_LABEL, "%s", extra);
}

/* One line as it is, several as a small bottom-aligned tabular (no package needed);
 * `brace` for an S column's heading. */
static void head_put(const struct head *h, int brace, FILE *out)
{
	if (brace)
		fputc('{', out);
	if (h->n > 1)
		fputs("\\begin{tabular}[b]{@{}c@{}}", out);
	for (size_t i = 0; i < h->n; i++) {
		if (i)
			fputs("\\\\", out);
		nb_put_tex(out, h->line[i]);
	}
	if (h->n > 1)
		fputs("\\end{tabular}", out);
	if (brace)
		fputc('}', out);
}

/* Split groups of columns into tables: each group g is w[g] pt wide (its separations
 * included), every table starts with `lead` pt of label columns.  Writes each table's
 * first group to start[]; returns the number of tables. */
static size_t chunk(const double *w, size_t n, double lead, double width, size_t *start)
{
	size_t k = 0;
	double used = 0;

	for (size_t g = 0; g < n; g++) {
		if (g == 0 || used + w[g] > width) {
			start[k++] = g;
			used = lead;
		}
		used += w[g];
	}
	start[k] = n;
	return k;
}

/* What a float of groups a to b leaves spare, per group, in content pt: headings may
 * take it rather than wrap word by word. */
static double chunk_extra(const double *w, size_t a, size_t b, double lead, double width)
{
	double used = lead;

	for (size_t g = a; g < b; g++)
		used += w[g];
	return used < width && b > a ? (width - used) / (double)(b - a) / SAFETY : 0;
}

/* A column of content `pt` wide: its share of the table, separations included. */
static double col_pt(double pt)
{
	return pt * SAFETY + 2 * SEP_PT;
}

/* ---- cell texts --------------------------------------------------------------------- */

/* An interval as it is, in the point's form: "[8.9, 11.1]" (no "+": the point carries
 * the sign; negative ends keep theirs) or "[×5300, ×5600]", and the cell's n where it
 * differs from the caption's. */
static void iv_text(const struct nb_table *t, const struct nb_table_cell *c, char *buf, size_t len)
{
	char lo[NB_NUM], hi[NB_NUM], all[NB_NUM * 3], n[NB_NUM] = "";

	if (!t->n_uniform && (c->r.n_t != t->n_common || c->r.n_b != t->n_common))
		snprintf(n, sizeof(n), " (n %zu vs %zu)", c->r.n_t, c->r.n_b);
	if (isfinite(c->r.point) && c->r.point >= 1) {
		nb_fmt_ratio_ci(&c->r, all, sizeof(all));
		snprintf(buf, len, "%s%s", strchr(all, '[') ? strchr(all, '[') : all, n);
		return;
	}
	nb_fmt_pct(c->r.lo, lo, sizeof(lo));
	nb_fmt_pct(c->r.hi, hi, sizeof(hi));
	snprintf(buf, len, "[%s, %s]%s", lo + (lo[0] == '+'), hi + (hi[0] == '+'), n);
}

static int has_mark(const struct nb_table_cell *c)
{
	return c->state == NB_CELL_OK && (c->r.few_samples || c->unstable);
}

/* † too few samples, a bold ! a sample that shifts or drifts; `rlap`: without width,
 * so that the points stay aligned. */
static void put_mark(const struct nb_table_cell *c, int rlap, FILE *out)
{
	if (!has_mark(c))
		return;
	fputs(rlap ? "\\rlap{\\textsuperscript{" : "\\textsuperscript{", out);
	fprintf(out, "%s%s}", c->r.few_samples ? "\\textdagger" : "", c->unstable ? "\\textbf{!}" : "");
	if (rlap)
		fputc('}', out);
}

/* The right end of a tabular whose last column may carry a mark without width: the
 * column separation stays, so that the mark stays inside the rules. */
static const char *right_end(const struct nb_table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		if (has_mark(&t->cells[i]))
			return "}";
	return "@{}}";
}

/* "n/a" with its note's number, "--" for a workload the tier did not have; braced for
 * an S column. */
static void put_missing(int state_absent, size_t note, int brace, FILE *out)
{
	fputs(brace ? "{" : "", out);
	if (state_absent)
		fputs("--", out);
	else
		fprintf(out, note ? "n/a\\textsuperscript{%zu}" : "n/a", note);
	fputs(brace ? "}" : "", out);
}

static double missing_pt(const struct nb_table_cell *c)
{
	return c->state == NB_CELL_ABSENT ? text_pt("--", FOOT_PT, 0) :
		text_pt("n/a", FOOT_PT, 0) + (c->note ? MARK_PT : 0);
}

/* siunitx's table-format for a column of printed numbers: integer and decimal digits. */
struct numfmt {
	int sign, ints, decs;
};

static void numfmt_add(struct numfmt *f, const char *s)
{
	const char *d = s + (*s == '+' || *s == '-');
	int ints = (int)strcspn(d, "."), decs = d[ints] == '.' ? (int)strlen(d + ints + 1) : 0;

	f->sign |= d != s;
	f->ints = ints > f->ints ? ints : f->ints;
	f->decs = decs > f->decs ? decs : f->decs;
}

static void numfmt_put(const struct numfmt *f, FILE *out)
{
	fprintf(out, "S[table-format=%s%d.%d%s]", f->sign ? "+" : "", f->ints ? f->ints : 1, f->decs,
		f->sign ? ",retain-explicit-plus" : "");
}

/* The width siunitx reserves for the format. */
static double numfmt_pt(const struct numfmt *f)
{
	return ((f->ints ? f->ints : 1) + f->decs) * 0.5 * FOOT_PT + (f->decs ? 0.28 * FOOT_PT : 0) +
		(f->sign ? 0.78 * FOOT_PT : 0);
}

/* A figure in the ratio form, "×5446" (nb_fmt_ratio), rather than a percentage. */
static int is_times(const char *s)
{
	return strncmp(s, "\xc3\x97", 2) == 0;
}

/* ---- the writer's state ------------------------------------------------------------- */

struct tex {
	const struct nb_table *t;
	struct nb_tex_opts o;
	FILE *out;
	double width;              /* what each float's tabular must fit, pt */
	const char *env;           /* "table" or "table*" */
	char (*label)[SHORT_LEN];  /* each row's short label */
	double label_pt;           /* the widest label (and "Workload"), typewriter */
	double unit_pt;
	double fam_pt;             /* the widest family name (and "all workloads") */
	double extra;              /* the float being written: spare pt per column group */
	size_t *rstart, n_rparts;  /* the rows of each float down the page (plan_rows) */
	size_t r0, r1;             /* the float being written: its rows */
	size_t n_floats;
};

static int family_starts(const struct nb_table *t, size_t r)
{
	return r == 0 || strcmp(t->rows[r].family, t->rows[r - 1].family) != 0;
}

static int any_no_ratio(const struct nb_table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		if (t->cells[i].state == NB_CELL_OK && t->cells[i].no_ratio)
			return 1;
	return 0;
}

/* ---- short row labels --------------------------------------------------------------- */

/* The row's case in the first tier that has it: its parameters. */
static const struct nb_rs_case *row_case(const struct nb_table *t, size_t r)
{
	for (size_t i = 0; i < t->rs->n_tiers; i++) {
		const struct nb_rs_case *c = nb_rs_find_case(&t->rs->tiers[i], t->rows[r].key);

		if (c)
			return c;
	}
	return NULL;
}

/* Whether another row of the same workload has another value for the parameter, or
 * none.  Result files keep the expanded parameters, not the workload's defaults: a
 * parameter the same in every case of a workload tells a reader nothing. */
static int param_varies(const struct nb_table *t, const struct nb_rs_case **cs, size_t r,
			const char *name, const char *value)
{
	for (size_t i = 0; i < t->n_rows; i++) {
		const char *v;

		if (i == r || !cs[i] || strcmp(t->rows[i].workload, t->rows[r].workload) != 0)
			continue;
		v = nb_rs_param(cs[i], name);
		if (!v || strcmp(v, value) != 0)
			return 1;
	}
	return 0;
}

/* "mem.lat 64M": the workload and the parameters that vary, a lone one by its value
 * unless that is a bare number ("exit.timer ns=50000"), several as name=value. */
static void short_label(const struct nb_table *t, const struct nb_rs_case **cs, size_t r,
			char *buf, size_t len)
{
	const struct nb_rs_case *c = cs[r];
	size_t k = 0, used;

	if (!c) {
		snprintf(buf, len, "%s", t->rows[r].key);
		return;
	}
	for (size_t i = 0; i < c->n_params; i++)
		k += (size_t)param_varies(t, cs, r, c->params[i].name, c->params[i].value);
	used = (size_t)snprintf(buf, len, "%s", t->rows[r].workload);
	for (size_t i = 0; i < c->n_params && used < len; i++) {
		const struct nb_rs_param *p = &c->params[i];
		int bare = k == 1 && strspn(p->value, "0123456789") != strlen(p->value);

		if (param_varies(t, cs, r, p->name, p->value))
			used += (size_t)snprintf(buf + used, len - used, bare ? " %s" : " %s=%s",
						 bare ? p->value : p->name, p->value);
	}
}

/* Every row's short label; two rows with the same one keep their keys. */
static int make_labels(struct tex *x)
{
	const struct nb_table *t = x->t;
	const struct nb_rs_case **cs = calloc(t->n_rows + 1, sizeof(*cs));

	x->label = calloc(t->n_rows + 1, sizeof(*x->label));
	if (!cs || !x->label) {
		free(cs);
		return -1;
	}
	for (size_t r = 0; r < t->n_rows; r++)
		cs[r] = row_case(t, r);
	for (size_t r = 0; r < t->n_rows; r++)
		short_label(t, cs, r, x->label[r], SHORT_LEN);
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t i = r + 1; i < t->n_rows; i++)
			if (strcmp(x->label[r], x->label[i]) == 0) {
				snprintf(x->label[r], SHORT_LEN, "%s", t->rows[r].key);
				snprintf(x->label[i], SHORT_LEN, "%s", t->rows[i].key);
			}
	free(cs);
	x->label_pt = text_pt("Workload", FOOT_PT, 0);
	x->unit_pt = text_pt("Unit", FOOT_PT, 0);
	x->fam_pt = text_pt("all workloads", FOOT_PT, 0);
	for (size_t r = 0; r < t->n_rows; r++) {
		x->label_pt = max2(x->label_pt, text_pt(x->label[r], FOOT_PT, 1));
		x->unit_pt = max2(x->unit_pt, text_pt(t->rows[r].unit, FOOT_PT, 0));
		x->fam_pt = max2(x->fam_pt, text_pt(nb_family_title(t->rows[r].family), FOOT_PT, 0));
	}
	return 0;
}

/* ---- floats ------------------------------------------------------------------------- */

static void float_begin(struct tex *x)
{
	fprintf(x->out, "\\begin{%s}[tbp]\n\\centering\n\\footnotesize\n\\setlength\\tabcolsep{%gpt}\n",
		x->env, SEP_PT);
}

/* \label{tab:nestbench}, then tab:nestbench-2 ... for every further float; then a
 * small skip, as the caption is above the table and the standard classes put no space
 * below a caption (its last line would touch the top rule). */
static void float_label(struct tex *x)
{
	if (x->n_floats++)
		fprintf(x->out, "\\label{tab:nestbench-%zu}\n\\smallskip\n", x->n_floats);
	else
		fputs("\\label{tab:nestbench}\n\\smallskip\n", x->out);
}

static void float_end(struct tex *x)
{
	fprintf(x->out, "\\end{%s}\n", x->env);
}

/* The italic line of a family, `width` columns wide. */
static void family_line(struct tex *x, size_t r, size_t width)
{
	fprintf(x->out, "%s\\multicolumn{%zu}{@{}l}{\\textit{", r != x->r0 ? "\\addlinespace\n" : "", width);
	nb_put_tex(x->out, nb_family_title(x->t->rows[r].family));
	fputs("}} \\\\\n", x->out);
}

static void row_label(struct tex *x, size_t r)
{
	fputs("\\texttt{", x->out);
	nb_put_tex(x->out, x->label[r]);
	fputc('}', x->out);
}

/* "n = 7 samples per tier and workload" for the captions. */
static void n_caption(const struct nb_table *t, int per_cell, FILE *out)
{
	if (!t->n_common)
		return;
	fprintf(out, "; $n = %zu$ samples per tier and workload", t->n_common);
	if (!t->n_uniform)
		fputs(per_cell ? " unless a cell shows its own (n tier vs reference)" :
		      " for most cells (each cell's n: -{}-layout overhead)", out);
}

/* "Table~\ref{tab:nestbench}, continued" for the floats after the first. */
static void caption_continued(struct tex *x, size_t part, size_t parts)
{
	fprintf(x->out, "\\caption{Table~\\ref{tab:nestbench}, continued (%zu of %zu).}\n", part + 1, parts);
}

/* Which rows go in which float down the page, so that no float is taller than a plain
 * article's text: each row `row` pt high, each float `fixed` pt more.  A float ends
 * before a family where that leaves it at least half full. */
static int plan_rows(struct tex *x, double row, double fixed)
{
	const struct nb_table *t = x->t;
	double h = fixed;
	size_t fam = 0;

	free(x->rstart);
	if (!(x->rstart = calloc(t->n_rows + 2, sizeof(size_t))))
		return -1;
	x->n_rparts = 1;
	for (size_t r = 0, r0 = 0; r < t->n_rows; r++) {
		double add = row + (family_starts(t, r) || r == r0 ? FAMILY_PT : 0);

		if (r > r0 && h + add > FLOAT_PT) {
			r0 = fam > r0 && fam - r0 >= (r - r0) / 2 ? fam : r;
			x->rstart[x->n_rparts++] = r0;
			h = fixed;
			for (size_t i = r0; i < r; i++)
				h += row + (family_starts(t, i) || i == r0 ? FAMILY_PT : 0);
			add = row + (family_starts(t, r) || r == r0 ? FAMILY_PT : 0);
		}
		if (family_starts(t, r))
			fam = r;
		h += add;
	}
	x->rstart[x->n_rparts] = t->n_rows;
	return 0;
}

static void rows_of(struct tex *x, size_t part)
{
	x->r0 = x->rstart[part];
	x->r1 = x->rstart[part + 1];
}

/* ---- overhead layout ---------------------------------------------------------------- */

/* The overhead columns: beside (point, then its interval in small type) or under (the
 * interval on a line of its own below the point: narrower, twice the lines). */
struct ovl {
	int under;
	double *w;                 /* per column: its width, separations included */
	struct numfmt base_fmt;
	size_t *start, n_parts;
};

static double ratio_col_content(const struct tex *x, size_t c, int under)
{
	const struct nb_table *t = x->t;
	double pt_w = 0, iv_w = 0, mark = 0, other = 0;
	char pt[NB_NUM], iv[NB_NUM * 4];

	for (size_t r = 0; r < t->n_rows; r++) {
		const struct nb_table_cell *cell = nb_table_cell(t, r, c);

		if (cell->state != NB_CELL_OK) {
			other = max2(other, missing_pt(cell));
			continue;
		}
		nb_fmt_ratio(cell->r.point, pt, sizeof(pt));
		iv_text(t, cell, iv, sizeof(iv));
		pt_w = max2(pt_w, text_pt(pt, FOOT_PT, 0));
		iv_w = max2(iv_w, text_pt(iv, SCRIPT_PT, 0));
		if (has_mark(cell))
			mark = MARK_PT;
	}
	return max2(max2(under ? max2(pt_w, iv_w) : pt_w + THIN_PT + iv_w + mark, other),
		    word_pt(t->cols[c].label));
}

/* The baseline's column: the medians in an S column, the unit beside. */
static double base_col_content(const struct tex *x, struct numfmt *f)
{
	const struct nb_table *t = x->t;
	double other = 0;
	char pt[NB_NUM];

	*f = (struct numfmt){ 0, 1, 1 };
	for (size_t r = 0; r < t->n_rows; r++) {
		const struct nb_table_cell *cell = nb_table_cell(t, r, 0);

		if (cell->state != NB_CELL_OK) {
			other = max2(other, missing_pt(cell));
			continue;
		}
		nb_fmt_value(cell->r.median_b, pt, sizeof(pt));
		numfmt_add(f, pt);
	}
	return max2(max2(numfmt_pt(f), other), max2(word_pt(t->cols[0].label), text_pt("median", FOOT_PT, 0)));
}

/* Both arrangements, and the one with fewer tables (beside when equal). */
static int ovl_plan(const struct tex *x, struct ovl *p)
{
	const struct nb_table *t = x->t;
	size_t *start_b = calloc(t->n_cols + 1, sizeof(size_t)), n_b;
	double *w_b = calloc(t->n_cols, sizeof(double));

	p->w = calloc(t->n_cols, sizeof(double));
	p->start = calloc(t->n_cols + 1, sizeof(size_t));
	if (!start_b || !w_b || !p->w || !p->start) {
		free(start_b);
		free(w_b);
		return -1;
	}
	p->w[0] = w_b[0] = col_pt(base_col_content(x, &p->base_fmt)) + col_pt(x->unit_pt);
	for (size_t c = 1; c < t->n_cols; c++) {
		w_b[c] = col_pt(ratio_col_content(x, c, 0));
		p->w[c] = col_pt(ratio_col_content(x, c, 1));
	}
	n_b = chunk(w_b, t->n_cols, x->label_pt * SAFETY, x->width, start_b);
	p->n_parts = chunk(p->w, t->n_cols, x->label_pt * SAFETY, x->width, p->start);
	p->under = p->n_parts < n_b;
	if (!p->under) {
		memcpy(p->w, w_b, t->n_cols * sizeof(double));
		memcpy(p->start, start_b, (t->n_cols + 1) * sizeof(size_t));
		p->n_parts = n_b;
	}
	free(start_b);
	free(w_b);
	return 0;
}

/* The caption of a table of one tier: medians only, no overhead. */
static void medians_caption(struct tex *x)
{
	fputs("\\caption{Medians of ", x->out);
	nb_put_tex(x->out, x->t->cols[0].label);
	fputs(" in each row's unit.}\n", x->out);
}

static void ovl_caption(struct tex *x, const struct ovl *p)
{
	const struct nb_table *t = x->t;
	FILE *out = x->out;

	if (t->n_cols < 2) {
		medians_caption(x);
		return;
	}
	fputs("\\caption{Overhead over ", out);
	nb_put_tex(out, t->cols[0].label);
	fprintf(out, " in \\%% (positive = slower; from +100\\,\\%% on as a ratio $\\times N$), "
		"with the %g\\,\\%% confidence interval %s; the baseline's median in the row's unit",
		t->o.level * 100, p->under ? "below it" : "beside it");
	n_caption(t, 1, out);
	fputs(". n/a$^k$, \\textdagger: see the notes.}\n", out);
}

static void ovl_colspec(struct tex *x, const struct ovl *p, size_t a, size_t b)
{
	fputs("\\begin{tabular}{@{}l", x->out);
	if (a == 0) {
		fputs("l", x->out);
		numfmt_put(&p->base_fmt, x->out);
	}
	for (size_t c = a ? a : 1; c < b; c++)
		fputs(p->under ? "r" : "r@{\\,}l", x->out);
	fputs(p->under ? right_end(x->t) : "@{}}", x->out);
	fputs("\n\\toprule\n", x->out);
}

static void ovl_header(struct tex *x, const struct ovl *p, size_t a, size_t b)
{
	const struct nb_table *t = x->t;
	struct head h;

	fputs("Workload", x->out);
	if (a == 0) {
		head_wrap(t->cols[0].label, "median", (p->w[0] - 4 * SEP_PT) / SAFETY - x->unit_pt + x->extra, &h);
		fputs(" & Unit & ", x->out);
		head_put(&h, 1, x->out);
	}
	for (size_t c = a ? a : 1; c < b; c++) {
		head_wrap(t->cols[c].label, NULL, (p->w[c] - 2 * SEP_PT) / SAFETY + x->extra, &h);
		fprintf(x->out, " & \\multicolumn{%d}{c}{", p->under ? 1 : 2);
		head_put(&h, 0, x->out);
		fputc('}', x->out);
	}
	fputs(" \\\\\n\\midrule\n", x->out);
}

static void ovl_base_cell(struct tex *x, size_t r)
{
	const struct nb_table_cell *cell = nb_table_cell(x->t, r, 0);
	char pt[NB_NUM];

	fputs(" & ", x->out);
	nb_put_tex(x->out, x->t->rows[r].unit);
	fputs(" & ", x->out);
	if (cell->state != NB_CELL_OK) {
		put_missing(cell->state == NB_CELL_ABSENT, cell->note, 1, x->out);
		return;
	}
	nb_fmt_value(cell->r.median_b, pt, sizeof(pt));
	fputs(pt, x->out);
}

/* A ratio cell: beside, "point & {\scriptsize interval}marks"; under, "point" now and
 * the interval on the second line (ovl_interval). */
static void ovl_cell(struct tex *x, const struct ovl *p, size_t r, size_t c)
{
	const struct nb_table_cell *cell = nb_table_cell(x->t, r, c);
	char pt[NB_NUM], iv[NB_NUM * 4];

	fputs(" & ", x->out);
	if (cell->state != NB_CELL_OK) {
		if (!p->under)
			fputs("\\multicolumn{2}{c}{", x->out);
		put_missing(cell->state == NB_CELL_ABSENT, cell->note, 0, x->out);
		fputs(p->under ? "" : "}", x->out);
		return;
	}
	nb_fmt_ratio(cell->r.point, pt, sizeof(pt));
	nb_put_tex(x->out, pt);
	if (p->under) {
		put_mark(cell, 1, x->out);
		return;
	}
	iv_text(x->t, cell, iv, sizeof(iv));
	fputs(" & {\\scriptsize ", x->out);
	nb_put_tex(x->out, iv);
	fputc('}', x->out);
	put_mark(cell, 0, x->out);
}

/* Under: the second line of a row, the intervals below their points. */
static void ovl_interval(struct tex *x, size_t r, size_t a, size_t b)
{
	char iv[NB_NUM * 4];
	int any = 0;

	for (size_t c = a ? a : 1; c < b; c++)
		any |= nb_table_cell(x->t, r, c)->state == NB_CELL_OK;
	if (!any)
		return;
	fputs(a == 0 ? " & &" : "", x->out);
	for (size_t c = a ? a : 1; c < b; c++) {
		const struct nb_table_cell *cell = nb_table_cell(x->t, r, c);

		fputs(" & ", x->out);
		if (cell->state != NB_CELL_OK)
			continue;
		iv_text(x->t, cell, iv, sizeof(iv));
		fputs("{\\scriptsize ", x->out);
		nb_put_tex(x->out, iv);
		fputc('}', x->out);
	}
	fputs(" \\\\[1pt]\n", x->out);
}

static void ovl_part(struct tex *x, const struct ovl *p, size_t part, size_t k, size_t total)
{
	const struct nb_table *t = x->t;
	size_t a = p->start[part], b = p->start[part + 1];
	size_t width = 1 + (a == 0 ? 2 : 0) + (b - (a ? a : 1)) * (p->under ? 1 : 2);

	x->extra = chunk_extra(p->w, a, b, x->label_pt * SAFETY, x->width);
	float_begin(x);
	if (k == 0)
		ovl_caption(x, p);
	else
		caption_continued(x, k, total);
	float_label(x);
	ovl_colspec(x, p, a, b);
	ovl_header(x, p, a, b);
	for (size_t r = x->r0; r < x->r1; r++) {
		if (family_starts(t, r) || r == x->r0)
			family_line(x, r, width);
		row_label(x, r);
		if (a == 0)
			ovl_base_cell(x, r);
		for (size_t c = a ? a : 1; c < b; c++)
			ovl_cell(x, p, r, c);
		fputs(" \\\\\n", x->out);
		if (p->under)
			ovl_interval(x, r, a, b);
	}
	fputs("\\bottomrule\n\\end{tabular}\n", x->out);
	float_end(x);
}

/* ---- the family summary of the overhead layout: a float of its own ------------------ */

static double sum_col_content(const struct tex *x, size_t c, int *times, struct numfmt *f)
{
	const struct nb_table *t = x->t;
	double pt_w = 0, n_w = 0;
	char pt[NB_NUM], n[NB_NUM];

	*times = 0;
	*f = (struct numfmt){ 1, 1, 1 };
	for (size_t i = 0; i < t->n_summary; i++) {
		if (!t->summary[i].n[c])
			continue;
		nb_fmt_ratio(t->summary[i].mean[c], pt, sizeof(pt));
		snprintf(n, sizeof(n), "(%zu)", t->summary[i].n[c]);
		pt_w = max2(pt_w, text_pt(pt, FOOT_PT, 0));
		n_w = max2(n_w, text_pt(n, SCRIPT_PT, 0));
		if (is_times(pt))
			*times = 1;
		else
			numfmt_add(f, pt);
	}
	if (!*times)
		pt_w = max2(pt_w, numfmt_pt(f));
	return max2(pt_w + THIN_PT + n_w, word_pt(t->cols[c].label));
}

static void sum_part(struct tex *x, const double *w, size_t a, size_t b, size_t part, size_t parts)
{
	const struct nb_table *t = x->t;
	struct head h;
	char pt[NB_NUM];

	float_begin(x);
	if (part == 0) {
		fputs("\\caption{Mean overhead over ", x->out);
		nb_put_tex(x->out, t->cols[0].label);
		fputs(" per family, in \\% (from +100\\,\\% on as a ratio $\\times N$): the geometric mean "
		      "of the per-workload ratios $1 + \\mathit{overhead}$, minus 1, over the workloads with "
		      "a figure (their number in parentheses)", x->out);
		if (any_no_ratio(t))
			fputs("; all workloads leaves out VM exits over bare metal, whose ratio is the "
			      "exit's cost rather than an overhead", x->out);
		fputs(".}\n", x->out);
	} else {
		fprintf(x->out, "\\caption{Mean overhead per family, continued (%zu of %zu).}\n", part + 1, parts);
	}
	float_label(x);
	fputs("\\begin{tabular}{@{}l", x->out);
	for (size_t c = a; c < b; c++) {
		struct numfmt f;
		int times;

		sum_col_content(x, c, &times, &f);
		if (times)   /* "×5446" is text to siunitx: right aligned, as the cells */
			fputs("r", x->out);
		else
			numfmt_put(&f, x->out);
		fputs("@{\\,}l", x->out);
	}
	fputs("@{}}\n\\toprule\nFamily", x->out);
	for (size_t c = a; c < b; c++) {
		head_wrap(t->cols[c].label, NULL, (w[c - 1] - 2 * SEP_PT) / SAFETY + x->extra, &h);
		fputs(" & \\multicolumn{2}{c}{", x->out);
		head_put(&h, 0, x->out);
		fputc('}', x->out);
	}
	fputs(" \\\\\n\\midrule\n", x->out);
	for (size_t i = 0; i < t->n_summary; i++) {
		const struct nb_table_summary *s = &t->summary[i];

		if (s->family)
			nb_put_tex(x->out, nb_family_title(s->family));
		else
			fputs("\\midrule\nall workloads", x->out);
		for (size_t c = a; c < b; c++) {
			if (!s->n[c]) {
				fputs(" & \\multicolumn{2}{c}{--}", x->out);
				continue;
			}
			nb_fmt_ratio(s->mean[c], pt, sizeof(pt));
			fputs(" & ", x->out);
			nb_put_tex(x->out, pt);
			fprintf(x->out, " & {\\scriptsize (%zu)}", s->n[c]);
		}
		fputs(" \\\\\n", x->out);
	}
	fputs("\\bottomrule\n\\end{tabular}\n", x->out);
	float_end(x);
}

static int ovl_summary(struct tex *x)
{
	const struct nb_table *t = x->t;
	size_t n = t->n_cols - 1, *start = calloc(n + 1, sizeof(size_t)), parts;
	double *w = calloc(n, sizeof(double));

	if (!start || !w) {
		free(start);
		free(w);
		return -1;
	}
	for (size_t c = 1; c < t->n_cols; c++) {
		struct numfmt f;
		int times;

		w[c - 1] = col_pt(sum_col_content(x, c, &times, &f));
	}
	parts = chunk(w, n, x->fam_pt * SAFETY, x->width, start);
	for (size_t i = 0; i < parts; i++) {
		x->extra = chunk_extra(w, start[i], start[i + 1], x->fam_pt * SAFETY, x->width);
		sum_part(x, w, start[i] + 1, start[i + 1] + 1, i, parts);
	}
	free(start);
	free(w);
	return 0;
}

static int ovl_write(struct tex *x)
{
	struct ovl p = { 0 };

	if (ovl_plan(x, &p) || plan_rows(x, p.under ? 2 * LINE_PT + 1 : LINE_PT, HEAD_PT)) {
		free(p.w);
		free(p.start);
		return -1;
	}
	for (size_t i = 0; i < p.n_parts; i++)
		for (size_t j = 0; j < x->n_rparts; j++) {
			rows_of(x, j);
			ovl_part(x, &p, i, i * x->n_rparts + j, p.n_parts * x->n_rparts);
		}
	free(p.w);
	free(p.start);
	return x->t->n_cols > 1 ? ovl_summary(x) : 0;
}

/* ---- absolute layout ---------------------------------------------------------------- */

/* A tier's group of columns: its median, its overhead over the tier below (a step
 * column, where there is one) and over the baseline.  Group 0 is the baseline's median. */
struct agroup {
	size_t over;               /* the overhead column (0: the baseline's group) */
	size_t step;               /* its step column, or 0: none */
	double w[3];               /* its columns' content widths: median, step, overhead */
	double width;              /* the group's, separations included */
};

static size_t step_of(const struct nb_table *t, size_t c)
{
	for (size_t s = 1; s < t->n_cols; s++)
		if (t->cols[s].kind == NB_COL_STEP && t->cols[s].tier == t->cols[c].tier)
			return s;
	return 0;
}

/* The tier's median in column c: the baseline's own, or the measured tier's. */
static double abs_value(const struct nb_table_cell *cell, size_t c)
{
	return c == 0 ? cell->r.median_b : cell->r.median_t;
}

/* The width of column c's cells at \footnotesize, at least that of its heading: each
 * computed cell as `text` writes it, the others as missing_pt says. */
static double col_content(const struct nb_table *t, size_t c, const char *heading,
			  void (*text)(const struct nb_table_cell *cell, size_t c, char *buf,
				       size_t len))
{
	double w = text_pt(heading, FOOT_PT, 0);
	char pt[NB_NUM];

	for (size_t r = 0; r < t->n_rows; r++) {
		const struct nb_table_cell *cell = nb_table_cell(t, r, c);

		if (cell->state != NB_CELL_OK) {
			w = max2(w, missing_pt(cell));
			continue;
		}
		text(cell, c, pt, sizeof(pt));
		w = max2(w, text_pt(pt, FOOT_PT, 0));
	}
	return w;
}

static void value_text(const struct nb_table_cell *cell, size_t c, char *buf, size_t len)
{
	nb_fmt_value(abs_value(cell, c), buf, len);
}

static void point_text(const struct nb_table_cell *cell, size_t c, char *buf, size_t len)
{
	(void)c;
	nb_fmt_ratio(cell->r.point, buf, len);
}

static double value_col_content(const struct nb_table *t, size_t c)
{
	return col_content(t, c, "median", value_text);
}

/* A ratio column's points (with the summary's geometric means below them). */
static double point_col_content(const struct nb_table *t, size_t c)
{
	double w = col_content(t, c, "vs base", point_text);
	char pt[NB_NUM];

	for (size_t i = 0; i < t->n_summary; i++) {
		nb_fmt_ratio(t->summary[i].mean[c], pt, sizeof(pt));
		w = max2(w, text_pt(pt, FOOT_PT, 0));
	}
	return w;
}

static size_t abs_groups(const struct nb_table *t, struct agroup *g)
{
	size_t n = 0;

	for (size_t c = 0; c < t->n_cols; c++) {
		struct agroup *a = &g[n];
		double sum = 0, word;
		size_t k = 0;

		if (c && t->cols[c].kind != NB_COL_OVERHEAD)
			continue;
		*a = (struct agroup){ c, c ? step_of(t, c) : 0, { 0, 0, 0 }, 0 };
		a->w[0] = value_col_content(t, c);
		if (a->step)
			a->w[1] = point_col_content(t, a->step);
		if (c)
			a->w[2] = point_col_content(t, c);
		for (int i = 0; i < 3; i++)
			if (a->w[i] > 0) {
				sum += col_pt(a->w[i]);
				k++;
			}
		/* The tier's name above its columns: widen the last one for a long word. */
		word = word_pt(t->cols[c].label) * SAFETY + 2 * SEP_PT * (double)k;
		a->width = max2(sum, word);
		n++;
	}
	return n;
}

static size_t group_cols(const struct agroup *g)
{
	return 1 + (g->step != 0) + (g->over != 0);
}

static void abs_caption(struct tex *x)
{
	const struct nb_table *t = x->t;
	FILE *out = x->out;

	if (t->n_cols < 2) {
		medians_caption(x);
		return;
	}
	fputs("\\caption{Median of each workload in its unit on the baseline ", out);
	nb_put_tex(out, t->cols[0].label);
	fputs(" and on each tier, with the tier's overhead in \\% (positive = slower; from "
	      "+100\\,\\% on as a ratio $\\times N$) over the tier one level below (vs L$k$) and "
	      "over the baseline (vs base)", out);
	n_caption(t, 0, out);
	fputs(". Geometric mean: per family, that of the per-workload ratios "
	      "$1 + \\mathit{overhead}$, minus 1, over the workloads with a figure", out);
	if (any_no_ratio(t))
		fputs(" (all workloads without VM exits over bare metal, whose ratio is the exit's "
		      "cost rather than an overhead)", out);
	fputs(". Intervals: -{}-layout overhead. n/a$^k$, \\textdagger: see the notes.}\n", out);
}

static void abs_header(struct tex *x, const struct agroup *g, size_t a, size_t b)
{
	const struct nb_table *t = x->t;
	size_t col = 3;
	struct head h;

	fputs("\\begin{tabular}{@{}ll", x->out);
	for (size_t i = a; i < b; i++)
		for (size_t k = 0; k < group_cols(&g[i]); k++)
			fputs("r", x->out);
	fputs(right_end(t), x->out);
	fputs("\n\\toprule\n & ", x->out);
	for (size_t i = a; i < b; i++) {
		head_wrap(t->cols[g[i].over].label, NULL,
			  (g[i].width - 2 * SEP_PT * (double)group_cols(&g[i])) / SAFETY + x->extra, &h);
		fprintf(x->out, " & \\multicolumn{%zu}{c}{", group_cols(&g[i]));
		head_put(&h, 0, x->out);
		fputc('}', x->out);
	}
	fputs(" \\\\\n", x->out);
	for (size_t i = a; i < b; i++) {
		fprintf(x->out, "\\cmidrule(lr){%zu-%zu}", col, col + group_cols(&g[i]) - 1);
		col += group_cols(&g[i]);
	}
	fputs("\nWorkload & Unit", x->out);
	for (size_t i = a; i < b; i++) {
		fputs(" & median", x->out);
		if (g[i].step)
			fprintf(x->out, " & vs L%d", t->rs->tiers[t->cols[g[i].step].ref].level);
		if (g[i].over)
			fputs(" & vs base", x->out);
	}
	fputs(" \\\\\n\\midrule\n", x->out);
}

/* A ratio's point with its marks, or why there is none. */
static void abs_point(struct tex *x, size_t r, size_t c)
{
	const struct nb_table_cell *cell = nb_table_cell(x->t, r, c);
	char pt[NB_NUM];

	fputs(" & ", x->out);
	if (cell->state != NB_CELL_OK) {
		put_missing(cell->state == NB_CELL_ABSENT, cell->note, 0, x->out);
		return;
	}
	nb_fmt_ratio(cell->r.point, pt, sizeof(pt));
	nb_put_tex(x->out, pt);
	put_mark(cell, 1, x->out);
}

static void abs_row(struct tex *x, const struct agroup *g, size_t a, size_t b, size_t r)
{
	char pt[NB_NUM];

	row_label(x, r);
	fputs(" & ", x->out);
	nb_put_tex(x->out, x->t->rows[r].unit);
	for (size_t i = a; i < b; i++) {
		const struct nb_table_cell *cell = nb_table_cell(x->t, r, g[i].over);

		fputs(" & ", x->out);
		if (cell->state == NB_CELL_OK) {
			nb_fmt_value(abs_value(cell, g[i].over), pt, sizeof(pt));
			fputs(pt, x->out);
		} else {
			put_missing(cell->state == NB_CELL_ABSENT, cell->note, 0, x->out);
		}
		if (g[i].step)
			abs_point(x, r, g[i].step);
		if (g[i].over)
			abs_point(x, r, g[i].over);
	}
	fputs(" \\\\\n", x->out);
}

/* The geometric means per family below the workloads, in the ratio columns. */
static void abs_summary(struct tex *x, const struct agroup *g, size_t a, size_t b, size_t width)
{
	const struct nb_table *t = x->t;
	char pt[NB_NUM];

	fprintf(x->out, "\\midrule\n\\multicolumn{%zu}{@{}l}{\\textit{geometric mean}} \\\\\n", width);
	for (size_t i = 0; i < t->n_summary; i++) {
		const struct nb_table_summary *s = &t->summary[i];

		nb_put_tex(x->out, s->family ? nb_family_title(s->family) : "all workloads");
		fputs(" &", x->out);
		for (size_t k = a; k < b; k++) {
			size_t cols[2] = { g[k].step, g[k].over };

			fputs(" &", x->out);
			for (int j = 0; j < 2; j++) {
				if (!cols[j])
					continue;
				fputs(" & ", x->out);
				if (!s->n[cols[j]]) {
					fputs("--", x->out);
					continue;
				}
				nb_fmt_ratio(s->mean[cols[j]], pt, sizeof(pt));
				nb_put_tex(x->out, pt);
			}
		}
		fputs(" \\\\\n", x->out);
	}
}

/* One float: the groups a to b, the rows x->r0 to x->r1 (and the geometric means
 * below the last rows); k of total floats. */
static void abs_part(struct tex *x, const struct agroup *g, size_t a, size_t b, size_t k,
		     size_t total)
{
	const struct nb_table *t = x->t;
	size_t width = 2;

	for (size_t i = a; i < b; i++)
		width += group_cols(&g[i]);
	float_begin(x);
	if (k == 0)
		abs_caption(x);
	else
		caption_continued(x, k, total);
	float_label(x);
	abs_header(x, g, a, b);
	for (size_t r = x->r0; r < x->r1; r++) {
		if (family_starts(t, r) || r == x->r0)
			family_line(x, r, width);
		abs_row(x, g, a, b, r);
	}
	if (t->n_cols > 1 && x->r1 == t->n_rows)
		abs_summary(x, g, a, b, width);
	fputs("\\bottomrule\n\\end{tabular}\n", x->out);
	float_end(x);
}

static int abs_write(struct tex *x)
{
	const struct nb_table *t = x->t;
	struct agroup *g = calloc(t->n_cols, sizeof(*g));
	double *w = calloc(t->n_cols, sizeof(double));
	size_t *start = calloc(t->n_cols + 1, sizeof(size_t)), n, parts;
	double lead = max2(x->label_pt, x->fam_pt) * SAFETY + col_pt(x->unit_pt);
	/* the geometric means' rows go below the last rows: keep room for them */
	double fixed = HEAD_PT + FAMILY_PT + LINE_PT * (double)t->n_summary;

	if (!g || !w || !start || plan_rows(x, LINE_PT, fixed)) {
		free(g);
		free(w);
		free(start);
		return -1;
	}
	n = abs_groups(t, g);
	for (size_t i = 0; i < n; i++)
		w[i] = g[i].width;
	parts = chunk(w, n, lead, x->width, start);
	for (size_t p = 0; p < parts; p++) {
		x->extra = chunk_extra(w, start[p], start[p + 1], lead, x->width);
		for (size_t j = 0; j < x->n_rparts; j++) {
			rows_of(x, j);
			abs_part(x, g, start[p], start[p + 1], p * x->n_rparts + j, parts * x->n_rparts);
		}
	}
	free(g);
	free(w);
	free(start);
	return 0;
}

/* ---- counter columns (--counters): floats of their own ------------------------------ */

static double ctr_col_content(const struct nb_table *t, size_t c)
{
	double w = max2(word_pt(nb_table_tier_label(t, t->ctr_cols[c].tier)), word_pt(t->ctr_cols[c].title));
	char buf[NB_LABEL];

	for (size_t r = 0; r < t->n_rows; r++) {
		const struct nb_ctr_cell *cell = nb_table_ctr_cell(t, r, c);

		if (cell->state == NB_CELL_OK)
			w = max2(w, text_pt(nb_ctr_cell_text(cell, buf, sizeof(buf)), FOOT_PT, 0) +
				 (cell->note ? MARK_PT : 0));
		else
			w = max2(w, text_pt("n/a", FOOT_PT, 0) + MARK_PT);
	}
	return w;
}

/* The columns from c (before b) that show the same metric (they are adjacent). */
static size_t same_metric(const struct nb_table *t, size_t c, size_t b)
{
	size_t n = 1;

	while (c + n < b && strcmp(t->ctr_cols[c + n].metric, t->ctr_cols[c].metric) == 0)
		n++;
	return n;
}

static void ctr_cell(struct tex *x, size_t r, size_t c)
{
	const struct nb_ctr_cell *cell = nb_table_ctr_cell(x->t, r, c);
	char buf[NB_LABEL];

	fputs(" & ", x->out);
	if (cell->state == NB_CELL_ABSENT) {
		fputs("--", x->out);
		return;
	}
	nb_put_tex(x->out, cell->state == NB_CELL_OK ? nb_ctr_cell_text(cell, buf, sizeof(buf)) : "n/a");
	if (cell->note)
		fprintf(x->out, "\\textsuperscript{%zu}", cell->note);
}

static void ctr_header(struct tex *x, const double *w, size_t a, size_t b)
{
	const struct nb_table *t = x->t;
	struct head h;

	fputs("\\begin{tabular}{@{}l", x->out);
	for (size_t c = a; c < b; c++)
		fputs("r", x->out);
	fputs("@{}}\n\\toprule\n", x->out);
	for (size_t c = a, n; c < b; c += n) {
		double span = 0;

		n = same_metric(t, c, b);
		for (size_t i = c; i < c + n; i++)
			span += w[i];
		head_wrap(t->ctr_cols[c].title, NULL, (span - 2 * SEP_PT) / SAFETY + x->extra * (double)n, &h);
		fprintf(x->out, " & \\multicolumn{%zu}{c}{", n);
		head_put(&h, 0, x->out);
		fputc('}', x->out);
	}
	fputs(" \\\\\n", x->out);
	for (size_t c = a, n; c < b; c += n) {
		n = same_metric(t, c, b);
		fprintf(x->out, "\\cmidrule(lr){%zu-%zu}", c - a + 2, c - a + n + 1);
	}
	fputs("\nWorkload", x->out);
	for (size_t c = a; c < b; c++) {
		head_wrap(nb_table_tier_label(t, t->ctr_cols[c].tier), NULL, (w[c] - 2 * SEP_PT) / SAFETY + x->extra, &h);
		fputs(" & ", x->out);
		head_put(&h, 0, x->out);
	}
	fputs(" \\\\\n\\midrule\n", x->out);
}

/* One float: the counter columns a to b, the rows x->r0 to x->r1; k of total. */
static void ctr_part(struct tex *x, const double *w, size_t a, size_t b, size_t k, size_t total)
{
	float_begin(x);
	if (k == 0)
		fputs("\\caption{Counters per operation on each tier: the median over the samples "
		      "of each sample's figure; exits/op, the VM exits counted by the parent tier over "
		      "the visits, with the exit reason that has the most exits. n/a$^k$, (est.): see "
		      "the notes.}\n", x->out);
	else
		fprintf(x->out, "\\caption{Counters per operation, continued (%zu of %zu).}\n", k + 1, total);
	float_label(x);
	ctr_header(x, w, a, b);
	for (size_t r = x->r0; r < x->r1; r++) {
		if (family_starts(x->t, r) || r == x->r0)
			family_line(x, r, 1 + b - a);
		row_label(x, r);
		for (size_t c = a; c < b; c++)
			ctr_cell(x, r, c);
		fputs(" \\\\\n", x->out);
	}
	fputs("\\bottomrule\n\\end{tabular}\n", x->out);
	float_end(x);
}

static int ctr_write(struct tex *x)
{
	const struct nb_table *t = x->t;
	size_t *start = calloc(t->n_ctr_cols + 1, sizeof(size_t)), parts;
	double *w = calloc(t->n_ctr_cols + 1, sizeof(double));

	if (!start || !w || plan_rows(x, LINE_PT, HEAD_PT)) {
		free(start);
		free(w);
		return -1;
	}
	for (size_t c = 0; c < t->n_ctr_cols; c++)
		w[c] = col_pt(ctr_col_content(t, c));
	parts = chunk(w, t->n_ctr_cols, x->label_pt * SAFETY, x->width, start);
	for (size_t p = 0; p < parts; p++) {
		x->extra = chunk_extra(w, start[p], start[p + 1], x->label_pt * SAFETY, x->width);
		for (size_t j = 0; j < x->n_rparts; j++) {
			rows_of(x, j);
			ctr_part(x, w, start[p], start[p + 1], p * x->n_rparts + j, parts * x->n_rparts);
		}
	}
	free(start);
	free(w);
	return 0;
}

/* ---- the notes: ordinary text, never inside a float --------------------------------- */

/* "Workloads: mem.lat 64M = mem.lat size=64M stride=64 thp=0; ...", for the labels that
 * are not the key. */
static void notes_legend(const struct tex *x, FILE *out)
{
	const char *sep = "Workloads: ";

	for (size_t r = 0; r < x->t->n_rows; r++) {
		if (strcmp(x->label[r], x->t->rows[r].key) == 0)
			continue;
		fputs(sep, out);
		fputs("\\texttt{", out);
		nb_put_tex(out, x->label[r]);
		fputs("} = \\texttt{", out);
		nb_put_tex(out, x->t->rows[r].key);
		fputc('}', out);
		sep = "; ";
	}
	if (sep[0] == ';')
		fputs(".\\par\n", out);
}

static void notes_write(const struct tex *x, FILE *out)
{
	const struct nb_table *t = x->t;

	fputs("% nestbench table notes (the legend of the row labels, n/a reasons, environment,\n"
	      "% method): \\input where the paper keeps such notes.\n"
	      "\\par\\begingroup\\footnotesize\\raggedright\\setlength\\parindent{0pt}\\setlength\\parskip{2pt}\n", out);
	notes_legend(x, out);
	if (t->o.counters) {
		fputs("Counters per operation: the median over the samples of each sample's figure; "
		      "exits/op (VM exits counted by the parent tier) over the visits, with the exit "
		      "reason that has the most exits.", out);
		fputs(t->n_ctr_cols ? "\\par\n" : " No counters in these files.\\par\n", out);
	}
	for (size_t i = 0; i < t->n_notes; i++) {
		fprintf(out, "\\textsuperscript{%zu}~", i + 1);
		nb_put_tex_breakable(out, t->notes[i]);
		fputs("\\par\n", out);
	}
	for (size_t i = 0; i < t->n_remarks; i++) {
		nb_put_tex_breakable(out, t->remarks[i].text);
		fputs("\\par\n", out);
	}
	fputs("\\endgroup\n", out);
}

/* ---- the whole ---------------------------------------------------------------------- */

int nb_table_write_latex(const struct nb_table *t, const struct nb_tex_opts *o, FILE *out,
			 char err[NB_ERR_LEN])
{
	struct tex x = { 0 };
	int rc;

	x.t = t;
	if (o)
		x.o = *o;
	else
		nb_tex_opts_default(&x.o);
	x.out = out;
	x.width = x.o.width == NB_TEX_COLUMN ? COLUMN_PT : PAGE_PT;
	x.env = x.o.width == NB_TEX_COLUMN ? "table" : "table*";
	if (make_labels(&x)) {
		free(x.label);
		return nb_err(err, "out of memory writing the LaTeX table");
	}
	fprintf(out, "%% nestbench table (%s layout, %s width: %g pt): needs \\usepackage{booktabs} "
		"and \\usepackage{siunitx}.\n", x.o.layout == NB_TEX_ABSOLUTE ? "absolute" : "overhead",
		x.o.width == NB_TEX_COLUMN ? "column" : "page", x.width);
	rc = x.o.layout == NB_TEX_ABSOLUTE ? abs_write(&x) : ovl_write(&x);
	if (!rc && t->o.counters && t->n_ctr_cols)
		rc = ctr_write(&x);
	if (!rc)
		notes_write(&x, x.o.notes ? x.o.notes : out);
	free(x.label);
	free(x.rstart);
	if (rc)
		return nb_err(err, "out of memory writing the LaTeX table");
	if (x.o.notes && (fflush(x.o.notes) || ferror(x.o.notes)))
		return nb_err(err, "cannot write the notes: %s", strerror(errno ? errno : EIO));
	return 0;
}
