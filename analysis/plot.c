/* plot.c - the charts of `nestbench plot` (plot.h).  Each chart is a gnuplot script
 * that reads a whitespace-separated data file by relative name, so a user can edit
 * the script and rerun `gnuplot NAME.gp` in the directory. */
#include "plot.h"
#include "../common/err.h"
#include "gnuplot.h"
#include "report_text.h"
#include "../common/files.h"
#include "../common/proc.h"
#include "../common/units.h"
#include "../common/utf8.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIZES 64               /* distinct working-set sizes on the mem.lat axis */

struct chart {
	const char *name;          /* file stem: NAME.gp, NAME.dat, NAME.<format> */
	int width, height;         /* pixels (pdf: hundredths of an inch) */
};

/* ---- small helpers ------------------------------------------------------------------ */

/* The value of parameter `name` in a case key ("mem.lat size=64M thp=0"); 1 if found. */
static int key_param(const char *key, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);

	for (const char *p = strchr(key, ' '); p; p = strchr(p + 1, ' '))
		if (strncmp(p + 1, name, nl) == 0 && p[1 + nl] == '=') {
			snprintf(out, len, "%.*s", (int)strcspn(p + 2 + nl, " "), p + 2 + nl);
			return 1;
		}
	return 0;
}

/* Does parameter token `tok` ("size=64M") take another value (or none) in some other
 * row of the same workload?  Constant parameters are left out of chart labels. */
static int param_varies(const struct nb_table *t, const char *workload, const char *tok)
{
	size_t nl = strcspn(tok, "=");
	char name[64], v[128], mine[128];

	snprintf(name, sizeof(name), "%.*s", (int)(nl < 63 ? nl : 63), tok);
	snprintf(mine, sizeof(mine), "%.*s", (int)strcspn(tok + nl + 1, " "), tok + nl + 1);
	for (size_t r = 0; r < t->n_rows; r++)
		if (strcmp(t->rows[r].workload, workload) == 0 &&
		    (!key_param(t->rows[r].key, name, v, sizeof(v)) || strcmp(v, mine) != 0))
			return 1;
	return 0;
}

/* The workload and the parameters that vary among its rows, without `skip`
 * ("mem.lat thp=1"); the whole key when it has no workload prefix. */
static void short_label(const struct nb_table *t, size_t r, const char *skip, char *buf,
			size_t len)
{
	const char *key = t->rows[r].key, *p = strchr(key, ' ');
	size_t used = (size_t)snprintf(buf, len, "%.*s", (int)(p ? (size_t)(p - key) : strlen(key)), key);

	for (; p && used < len; p = strchr(p + 1, ' ')) {
		size_t tl = strcspn(p + 1, " ");

		if (skip && strncmp(p + 1, skip, strlen(skip)) == 0)
			continue;
		if (param_varies(t, t->rows[r].workload, p + 1))
			used += (size_t)snprintf(buf + used, len - used, " %.*s", (int)tl, p + 1);
	}
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int nb_plot_formats_ok(const char *s)
{
	static const char *const ok[] = { "png", "svg", "pdf" };

	for (;;) {
		size_t n = strcspn(s, ","), i;

		for (i = 0; i < 3 && !(n == 3 && strncmp(s, ok[i], 3) == 0); i++)
			;
		if (i == 3)
			return 0;
		if (!s[n])
			return 1;
		s += n + 1;
	}
}

/* The terminal and output of one format (cairo's PDF embeds its fonts). */
static void gp_terminal(FILE *f, const struct chart *c, const char *format, size_t len)
{
	if (len == 3 && strncmp(format, "svg", 3) == 0)
		fprintf(f, "set terminal svg size %d,%d dynamic noenhanced font 'sans,11' background '#ffffff'\n",
			c->width, c->height);
	else if (len == 3 && strncmp(format, "pdf", 3) == 0)
		fprintf(f, "set terminal pdfcairo size %.2fin,%.2fin noenhanced font 'sans,8'\n",
			c->width / 100.0, c->height / 100.0);
	else
		fprintf(f, "set terminal pngcairo size %d,%d noenhanced font 'sans,10'\n", c->width,
			c->height);
	fprintf(f, "set output '%s.%.*s'\n", c->name, (int)len, format);
}

/* Terminal, output and the settings every chart shares: the first of the formats
 * ("png,pdf": the others are drawn again at the end, gp_tail). */
static void gp_head(FILE *f, const struct chart *c, const char *formats, const char *what)
{
	fprintf(f, "# %s.gp - nestbench plot: %s.\n# Restyle freely, then: gnuplot %s.gp\n",
		c->name, what, c->name);
	gp_terminal(f, c, formats, strcspn(formats, ","));
	fputs("set datafile missing 'NaN'\nset grid ytics lc rgb '#d0d0d0'\n"
	      "set border 3\nset tics nomirror\n", f);
}

static void gp_tail(FILE *f, const struct chart *c, const char *formats)
{
	for (const char *p = strchr(formats, ','); p; p = strchr(p + 1, ',')) {
		gp_terminal(f, c, p + 1, strcspn(p + 1, ","));
		fputs("replot\n", f);
	}
}

/* Title and note above the plot, and (for bar charts) a one-line key between them:
 * gnuplot's own title would sit on top of an outside key. */
static void gp_frame(FILE *f, const char *title, const char *errbars, int key_on_top)
{
	fprintf(f, "set tmargin %d\nset label 2 ", key_on_top ? 6 : 4);
	nb_gp_str(f, title);
	fputs(" at screen 0.5, screen 0.972 center font ',12'\nset label 1 ", f);
	nb_gp_str(f, errbars);
	fputs(" at screen 0.99, screen 0.015 right font ',8'\n", f);
	if (key_on_top)
		fputs("set key at screen 0.5, screen 0.925 center center horizontal reverse Left samplen 2\n", f);
	else
		fputs("set key inside top left vertical reverse Left samplen 3\n", f);
}

/* Columns that are a tier against the baseline (the bars and lines of the charts). */
static int is_tier_col(const struct nb_table *t, size_t c)
{
	return t->cols[c].kind != NB_COL_STEP;
}

/* One colour per tier column in every chart of a report (Okabe-Ito: told apart with
 * the common colour-vision deficiencies), by the column's place among the tier columns:
 * the baseline keeps the first, and the overhead chart, which has no baseline bar,
 * does not shift the others. */
static const char *tier_colour(const struct nb_table *t, size_t c)
{
	size_t k = 0;

	for (size_t i = 0; i < c; i++)
		k += is_tier_col(t, i);
	return nb_gp_colour(k);
}

/* Why column c's tier takes no VM exit (bare metal, or QEMU's TCG, which runs cpuid
 * and port I/O inline), or NULL: its exit.* bars cost no exit. */
static const char *no_exit_tier(const struct nb_table *t, size_t c)
{
	const struct nb_rs_env *e = &t->rs->tiers[t->cols[c].tier].env;

	if (e->bare_metal)
		return "bare metal";
	if (e->accelerator && strcmp(e->accelerator, "tcg") == 0)
		return "TCG emulates, no exit";
	return NULL;
}

/* ---- clustered bars ----------------------------------------------------------------- */

/* A clustered bar chart drawn as boxes at explicit positions: gnuplot's histogram
 * style shifts the next block after a row without any value, and stops on a series
 * without one.  Rows of one family sit together; families are named on the top axis. */
struct bar_chart {
	const char *name;          /* the data file's stem */
	int (*row)(const struct nb_table *t, size_t r);
	int (*series)(const struct nb_table *t, size_t c);
	/* value, interval low and high of row r in column c; 0 when there is none */
	int (*bar)(const struct nb_table *t, size_t r, size_t c, double v[3]);
	void (*label)(const struct nb_table *t, size_t r, char *buf, size_t len);
	const char *empty;         /* appended to the label of a row without any bar */
	/* title, axis labels and scales before the plot command */
	void (*head)(const struct nb_table *t, FILE *gp);
	/* optional: a text written above the bar of row r in column c; 0 when none */
	int (*tag)(const struct nb_table *t, size_t r, size_t c, char *buf, size_t len);
	/* bars rise (or fall) from 1 on a log axis (a ratio), else from the axis */
	int from_one;
	/* optional: why a series is drawn apart (hatched, said in its title), or NULL */
	const char *(*apart)(const struct nb_table *t, size_t c);
};

/* Data columns per series: value, interval low and high, the tag if any, and the
 * mark ("n/a" where the series has no bar on the row, else ""). */
static int bar_fields(const struct bar_chart *b)
{
	return b->tag ? 5 : 4;
}

/* The row's tic label, saying so when no series has a bar there. */
static void bar_label(const struct nb_table *t, const struct bar_chart *b, size_t r, char *buf,
		      size_t len)
{
	double v[3];
	int any = 0;
	size_t n;

	for (size_t c = 0; c < t->n_cols && !any; c++)
		any = b->series(t, c) && b->bar(t, r, c, v);
	b->label(t, r, buf, len);
	n = strlen(buf);
	if (!any)
		snprintf(buf + n, len - n, "%s", b->empty);
}

/* Each chosen row's x position (-1: not drawn), one empty slot between families;
 * returns the last position + 1. */
static double bar_positions(const struct nb_table *t, const struct bar_chart *b, double *pos)
{
	double x = 0;
	const char *fam = NULL;

	for (size_t r = 0; r < t->n_rows; r++) {
		pos[r] = -1;
		if (!b->row(t, r))
			continue;
		if (fam && strcmp(fam, t->rows[r].family) != 0)
			x += 1;
		fam = t->rows[r].family;
		pos[r] = x++;
	}
	return x;
}

static void bars_dat(const struct nb_table *t, const struct bar_chart *b, const double *pos,
		     FILE *f)
{
	char label[320], tag[NB_LABEL];
	double v[3];

	fprintf(f, "# x position, label, then per series: value, interval low, interval high%s, "
		"\"n/a\" where it has none\n", b->tag ? ", the text above the bar" : "");
	for (size_t r = 0; r < t->n_rows; r++) {
		if (pos[r] < 0)
			continue;
		bar_label(t, b, r, label, sizeof(label));
		fprintf(f, "%g", pos[r]);
		nb_gp_dat_str(f, label);
		for (size_t c = 0; c < t->n_cols; c++) {
			int has;

			if (!b->series(t, c))
				continue;
			if (!(has = b->bar(t, r, c, v)))
				v[0] = v[1] = v[2] = NAN;
			nb_gp_dat_num(f, v[0]);
			nb_gp_dat_num(f, v[1]);
			nb_gp_dat_num(f, v[2]);
			if (b->tag) {
				nb_gp_dat_str(f, has && b->tag(t, r, c, tag, sizeof(tag)) ? tag : "");
			}
			nb_gp_dat_str(f, has ? "" : "n/a");
		}
		fputc('\n', f);
	}
}

/* Family names centred over their rows on the top axis, dotted lines between them. */
static void bars_families(const struct nb_table *t, const double *pos, double end, FILE *f)
{
	size_t first = SIZE_MAX, last = 0, n = 0;

	fprintf(f, "set x2range [-0.7:%g]\nset x2tics scale 0 (", end - 0.3);
	for (size_t r = 0; r <= t->n_rows; r++) {
		if (r < t->n_rows && pos[r] < 0)
			continue;
		if (first != SIZE_MAX &&
		    (r == t->n_rows || strcmp(t->rows[r].family, t->rows[first].family) != 0)) {
			fputs(n++ ? ", " : "", f);
			nb_gp_str(f, nb_family_title(t->rows[first].family));
			fprintf(f, " %g", (pos[first] + pos[last]) / 2);
			first = SIZE_MAX;
		}
		if (r < t->n_rows) {
			first = first == SIZE_MAX ? r : first;
			last = r;
		}
	}
	fputs(")\n", f);
	/* The empty slot before a family's first row holds the separator. */
	last = SIZE_MAX;
	for (size_t r = 0; r < t->n_rows; r++) {
		if (pos[r] < 0)
			continue;
		if (last != SIZE_MAX && strcmp(t->rows[last].family, t->rows[r].family) != 0)
			fprintf(f, "set arrow from first %g, graph 0 to first %g, graph 1 nohead dt 3 "
				"lc rgb '#909090'\n", pos[r] - 1, pos[r] - 1);
		last = r;
	}
}

/* Why the bars marked n/a have no figure: the table's notes of those cells (each note
 * once, at most two, clipped to fit a narrow chart, the rest counted), in small type at
 * the chart's bottom left; `nestbench table` gives them whole. */
static void bars_na_note(const struct nb_table *t, const struct bar_chart *b, FILE *f)
{
	size_t seen[2] = { 0 }, n = 0, more = 0;
	double v[3];

	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols; c++) {
			const struct nb_table_cell *cell = nb_table_cell(t, r, c);
			size_t i;

			if (!b->row(t, r) || !b->series(t, c) || b->bar(t, r, c, v) ||
			    cell->state != NB_CELL_NA || !cell->note || cell->note > t->n_notes)
				continue;
			for (i = 0; i < n && seen[i] != cell->note; i++)
				;
			if (i < n)
				continue;
			if (n == 2) {
				more++;
				continue;
			}
			seen[n++] = cell->note;
		}
	if (!n)
		return;
	fputs("set label 3 ", f);
	char text[2 * 80 + 96] = "n/a: ";
	for (size_t i = 0; i < n; i++) {
		const char *note = t->notes[seen[i] - 1];
		char clipped[72];
		size_t used = strlen(text);
		/* clipped on a character boundary: notes may hold µ or × */
		snprintf(text + used, sizeof(text) - used, "%s%s%s", i ? "; " : "",
			 nb_utf8_clip(clipped, sizeof(clipped), note, 66), strlen(note) > 66 ? "..." : "");
	}
	if (more) {
		size_t used = strlen(text);
		snprintf(text + used, sizeof(text) - used, "; %zu more (nestbench table says each)", more);
	}
	nb_gp_str(f, text);
	fputs(" at screen 0.01, screen 0.045 left font ',7' tc rgb '#505050'\n", f);
}

/* Tic labels, family names on the top axis with dotted separators, and the plot: boxes,
 * then the intervals as capped vectors (yerrorbars would punch a hole at the value). */
static void bars_gp(const struct nb_table *t, const struct bar_chart *b, const double *pos,
		    double end, FILE *f)
{
	char label[320];
	size_t n = 0;

	fputs("set xtics (", f);
	for (size_t r = 0; r < t->n_rows; r++)
		if (pos[r] >= 0) {
			bar_label(t, b, r, label, sizeof(label));
			fputs(n++ ? ", " : "", f);
			nb_gp_str(f, label);
			fprintf(f, " %g", pos[r]);
		}
	fprintf(f, ")\nset xrange [-0.7:%g]\n", end - 0.3);
	bars_families(t, pos, end, f);
	bars_na_note(t, b, f);
	n = 0;
	for (size_t c = 0; c < t->n_cols; c++)
		n += b->series(t, c) != 0;
	fprintf(f, "array titles[%zu] = [", n);
	for (size_t c = 0, i = 0; c < t->n_cols; c++)
		if (b->series(t, c)) {
			char title[NB_LABEL + 64];
			const char *why = b->apart ? b->apart(t, c) : NULL;

			snprintf(title, sizeof(title), "%s%s%s%s", t->cols[c].label, why ? " (" : "",
				 why ? why : "", why ? ")" : "");
			fputs(i++ ? ", " : "", f);
			nb_gp_str(f, title);
		}
	fputs("]\narray colours[", f);
	fprintf(f, "%zu] = [", n);
	for (size_t c = 0, i = 0; c < t->n_cols; c++)
		if (b->series(t, c))
			fprintf(f, "%s'%s'", i++ ? ", " : "", tier_colour(t, c));
	/* Series k's value is in column nf * (k - 1) + 3, then its interval low and high. */
	fprintf(f, "]\nnb = %zu\nnf = %d\nbw = 0.8 / nb\nset boxwidth bw absolute\n"
		"set style fill solid 0.85 border -1\n"
		"x(k) = $1 + (k - (nb + 1) / 2.0) * bw\n"
		"v(k) = nf * (k - 1) + 3\n"
		"lo1(y) = y < 1 ? y : 1\nhi1(y) = y > 1 ? y : 1\nplot", n, bar_fields(b));
	for (size_t c = 0, k = 1; c < t->n_cols; c++) {
		if (!b->series(t, c))
			continue;
		/* A tier drawn apart (no VM exit) is hatched, the others solid. */
		const char *fill = b->apart && b->apart(t, c) ? "fs pattern 4 border -1" : "fs solid 0.85 border -1";
		if (b->from_one)
			fprintf(f, "%s '%s.dat' using (x(%zu)):(column(v(%zu))):(x(%zu) - bw / 2):"
				"(x(%zu) + bw / 2):(lo1(column(v(%zu)))):(hi1(column(v(%zu)))) with "
				"boxxyerror %s lc rgb colours[%zu] title titles[%zu]", k > 1 ? ", \\\n    " : "",
				b->name, k, k, k, k, k, k, fill, k, k);
		else
			fprintf(f, "%s '%s.dat' using (x(%zu)):(column(v(%zu))) with boxes %s "
				"lc rgb colours[%zu] title titles[%zu]", k > 1 ? ", \\\n    " : "",
				b->name, k, k, fill, k, k);
		k++;
	}
	fprintf(f, ", \\\n     for [k=1:nb] '%s.dat' using (x(k)):(column(v(k) + 1)):"
		"(0):(column(v(k) + 2) - column(v(k) + 1)) with vectors heads size screen 0.004,90 "
		"lc rgb 'black' notitle", b->name);
	/* Tags stand upright just above the interval's top (log axes: a factor). */
	if (b->tag)
		fprintf(f, ", \\\n     for [k=1:nb] '%s.dat' using (x(k)):(column(v(k) + 2) * 1.3):"
			"(stringcolumn(v(k) + 3)) with labels rotate by 90 left font ',8' notitle",
			b->name);
	/* "n/a" where a tier has no figure for the row (skipped, failed, not in its file). */
	fprintf(f, ", \\\n     for [k=1:nb] '%s.dat' using (x(k)):(na_y):(stringcolumn(v(k) + nf - 1)) "
		"with labels rotate by 90 left font ',7' tc rgb '#707070' notitle", b->name);
	fputc('\n', f);
}

/* ---- chart 1: overhead per workload ------------------------------------------------- */

static int overhead_row(const struct nb_table *t, size_t r)
{
	return strcmp(t->rows[r].family, "exit") != 0;
}

static int overhead_series(const struct nb_table *t, size_t c)
{
	return t->cols[c].kind == NB_COL_OVERHEAD;
}

static int overhead_bar(const struct nb_table *t, size_t r, size_t c, double v[3])
{
	const struct nb_table_cell *cell = nb_table_cell(t, r, c);

	if (cell->state != NB_CELL_OK)
		return 0;
	/* The slowdown factor (1 + overhead, > 1 slower for times and throughputs alike),
	 * drawn on a log axis: +5 % and ×50 both readable on one chart. */
	v[0] = 1 + cell->r.point;
	v[1] = 1 + cell->r.lo;
	v[2] = 1 + cell->r.hi;
	return v[1] > 0 && v[0] > 0;
}

static void overhead_label(const struct nb_table *t, size_t r, char *buf, size_t len)
{
	short_label(t, r, NULL, buf, len);
}

/* The smallest interval low and largest high of the bars (ratios). */
static void overhead_span(const struct nb_table *t, double *lo, double *hi)
{
	double v[3];

	*lo = *hi = 1;
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols; c++)
			if (overhead_row(t, r) && overhead_series(t, c) && overhead_bar(t, r, c, v)) {
				*lo = v[1] < *lo ? v[1] : *lo;
				*hi = v[2] > *hi ? v[2] : *hi;
			}
}

/* Tics on the slowdown axis: ×1 and the small steps near it, then powers of two, each
 * with its percentage ("×2 (+100 %)"); below 1, speed-ups ("×0.5 (−50 %)"). */
static void overhead_tics(FILE *f, double lo, double hi)
{
	static const double near[] = { 1.05, 1.1, 1.25, 1.5 };
	int n = 0;

	fputs("set ytics (", f);
	for (double y = 1; y >= lo / 2 && y > 1e-9; y /= 2)
		fprintf(f, "%s'×%g (%+.0f %%%%)' %g", n++ ? ", " : "", y, (y - 1) * 100, y);
	for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++)
		if (near[i] * 8 > hi)   /* near ×1 only where the axis is short enough to see them */
			fprintf(f, ", '×%g (%+.0f %%%%)' %g", near[i], (near[i] - 1) * 100, near[i]);
	for (double y = 2; y <= hi * 2; y *= 2)
		fprintf(f, ", '×%g (%+.0f %%%%)' %g", y, (y - 1) * 100, y);
	fputs(")\n", f);
}

static void overhead_head(const struct nb_table *t, FILE *f)
{
	char title[NB_LABEL + 80];
	double lo, hi;

	snprintf(title, sizeof(title), "Slowdown over the baseline %s per workload (VM exits: exits chart)",
		 t->cols[0].label);
	gp_frame(f, title, "error bars: 95 % bootstrap confidence interval; log scale: ×2 is as tall "
		 "as ×1 to ×2", 1);
	overhead_span(t, &lo, &hi);
	fprintf(f, "set ylabel 'slowdown (median ratio, log scale; above ×1 = slower)'\n"
		"set logscale y 2\nset yrange [%g:%g]\nna_y = 1.0\n"
		"set xtics rotate by 40 right font ',9'\n"
		"set arrow from graph 0, first 1 to graph 1, first 1 nohead lt -1\n",
		lo / 1.15, hi * 1.15);
	overhead_tics(f, lo, hi);
}

static const struct bar_chart overhead_chart = { "overhead", overhead_row, overhead_series,
						 overhead_bar, overhead_label, ": n/a",
						 overhead_head, NULL, 1, NULL };

static size_t overhead_cols(const struct nb_table *t)
{
	size_t n = 0;

	for (size_t c = 0; c < t->n_cols; c++)
		n += t->cols[c].kind == NB_COL_OVERHEAD;
	return n;
}

static size_t overhead_rows(const struct nb_table *t)
{
	size_t n = 0;

	for (size_t r = 0; r < t->n_rows; r++)
		n += overhead_row(t, r);
	return n;
}

/* The median and interval of a row on a column's tier; 0 when there is none. */
static int tier_median(const struct nb_table *t, size_t r, size_t c, struct nb_ci *ci)
{
	const struct nb_rs_case *k = nb_rs_find_case(&t->rs->tiers[t->cols[c].tier], t->rows[r].key);
	char why[NB_ERR_LEN];

	if (!k || nb_rs_case_problem(k, why, sizeof(why)) ||
	    nb_stats_median_ci(k->values, k->n, t->o.level, ci, NULL)) {
		ci->point = ci->lo = ci->hi = NAN;
		return 0;
	}
	return 1;
}

/* ---- chart 2: the mem.lat curve ----------------------------------------------------- */

struct lat_series {
	size_t col;                /* the tier's column */
	char rest[128];            /* the other varying parameters ("thp=1"), "" if none */
};

static int is_lat_row(const struct nb_table *t, size_t r, uint64_t *size)
{
	char v[64];

	return strcmp(t->rows[r].workload, "mem.lat") == 0 &&
	       key_param(t->rows[r].key, "size", v, sizeof(v)) && nb_parse_size(v, size) == 0;
}

/* The row's varying parameters other than the size: the series it belongs to. */
static void lat_rest(const struct nb_table *t, size_t r, char *buf, size_t len)
{
	char l[256];
	const char *sp;

	short_label(t, r, "size=", l, sizeof(l));
	sp = strchr(l, ' ');
	snprintf(buf, len, "%s", sp ? sp + 1 : "");
}

static size_t lat_rests(const struct nb_table *t, char rests[][128], size_t max)
{
	size_t n = 0;
	uint64_t sz;
	char rest[128];

	for (size_t r = 0; r < t->n_rows; r++) {
		size_t i;

		if (!is_lat_row(t, r, &sz))
			continue;
		lat_rest(t, r, rest, sizeof(rest));
		for (i = 0; i < n && strcmp(rests[i], rest); i++)
			;
		if (i == n && n < max)
			snprintf(rests[n++], 128, "%s", rest);
	}
	return n;
}

/* One block per series: size, median, CI low, CI high, sorted by size.  Returns the
 * number of points written. */
static size_t lat_block(const struct nb_table *t, size_t col, const char *rest, FILE *f)
{
	struct nb_ci ci;
	uint64_t last = 0, sz, next;
	size_t n = 0;
	char r_rest[128];

	/* Selection by increasing size: a handful of rows, no sort needed. */
	for (;;) {
		long pick = -1;

		next = UINT64_MAX;
		for (size_t r = 0; r < t->n_rows; r++) {
			if (!is_lat_row(t, r, &sz) || sz <= last || sz >= next)
				continue;
			lat_rest(t, r, r_rest, sizeof(r_rest));
			if (strcmp(r_rest, rest) == 0) {
				next = sz;
				pick = (long)r;
			}
		}
		if (pick < 0)
			break;
		last = next;
		if (!tier_median(t, (size_t)pick, col, &ci))
			continue;
		fprintf(f, "%llu", (unsigned long long)next);
		nb_gp_dat_num(f, ci.point);
		nb_gp_dat_num(f, ci.lo);
		nb_gp_dat_num(f, ci.hi);
		fputc('\n', f);
		n++;
	}
	return n;
}

static void lat_xtics(const struct nb_table *t, FILE *f)
{
	uint64_t sizes[MAX_SIZES], sz;
	size_t n = 0;
	char txt[32];

	for (size_t r = 0; r < t->n_rows; r++) {
		size_t i;

		if (!is_lat_row(t, r, &sz))
			continue;
		for (i = 0; i < n && sizes[i] != sz; i++)
			;
		if (i == n && n < MAX_SIZES)
			sizes[n++] = sz;
	}
	uint64_t lo = UINT64_MAX, hi = 0;

	fputs("set xtics (", f);
	for (size_t i = 0; i < n; i++) {
		nb_format_size(sizes[i], txt, sizeof(txt));
		fprintf(f, "%s'%s' %llu", i ? ", " : "", txt, (unsigned long long)sizes[i]);
		lo = sizes[i] < lo ? sizes[i] : lo;
		hi = sizes[i] > hi ? sizes[i] : hi;
	}
	/* Half a step of margin on a log axis, so the end labels are drawn. */
	fprintf(f, ")\nset xrange [%llu:%llu]\n", (unsigned long long)(lo / 2 ? lo / 2 : 1),
		(unsigned long long)hi * 2);
}

/* Returns the number of series drawn (0: no mem.lat sample on any tier). */
static size_t mem_lat_files(const struct nb_table *t, FILE *dat, FILE *gp)
{
	char rests[8][128];
	size_t n_rest = lat_rests(t, rests, 8), block = 0, tier_i = 0, n_series = 0, drawn = 0;

	for (size_t c = 0; c < t->n_cols; c++)
		n_series += is_tier_col(t, c) ? n_rest : 0;

	fputs("# mem.lat: per series (two blank lines apart), working-set bytes, median ns/load, "
	      "CI low, CI high\n", dat);
	gp_frame(gp, "mem.lat: latency of dependent loads against the working-set size",
		 "error bars: 95 % confidence interval of the median", 0);
	fputs("set xlabel 'working-set size (bytes, log scale)'\n"
	      "set ylabel 'ns per load (median, log scale)'\nset logscale xy 2\n"
	      "set grid xtics ytics lc rgb '#d0d0d0'\n", gp);
	lat_xtics(t, gp);
	fputs("plot", gp);
	for (size_t c = 0; c < t->n_cols; c++) {
		if (!is_tier_col(t, c))
			continue;
		tier_i++;
		for (size_t s = 0; s < n_rest; s++) {
			char title[NB_LABEL + 140];

			fprintf(dat, "%s# %s %s\n", block ? "\n\n" : "", t->cols[c].label, rests[s]);
			if (!lat_block(t, c, rests[s], dat)) {
				fputs("NaN NaN NaN NaN\n", dat);   /* keeps the block numbering */
				block++;
				continue;
			}
			snprintf(title, sizeof(title), "%s%s%s", t->cols[c].label, rests[s][0] ? " " : "",
				 rests[s]);
			/* Series side by side (a few hundredths of an octave) so their error
			 * bars do not hide each other. */
			fprintf(gp, "%s \\\n  'mem_lat.dat' index %zu using ($1*2**(%.3f)):2:3:4 with "
				"yerrorlines lw 2 pt 7 ps 0.8 lc rgb '%s' dt %zu title ", drawn++ ? "," : "", block,
				((double)block - (double)(n_series - 1) / 2) * 0.04, tier_colour(t, c), s + 1);
			nb_gp_str(gp, title);
			block++;
		}
	}
	fputc('\n', gp);
	return drawn;
}

static size_t lat_rows(const struct nb_table *t)
{
	size_t n = 0;
	uint64_t sz;

	for (size_t r = 0; r < t->n_rows; r++)
		n += is_lat_row(t, r, &sz);
	return n;
}

/* ---- chart 3: exit and control costs ------------------------------------------------ */

static int exit_row(const struct nb_table *t, size_t r)
{
	return strcmp(t->rows[r].family, "exit") == 0 || strcmp(t->rows[r].family, "ctl") == 0;
}

static int exits_bar(const struct nb_table *t, size_t r, size_t c, double v[3])
{
	struct nb_ci ci;

	if (!tier_median(t, r, c, &ci))
		return 0;
	v[0] = ci.point;
	v[1] = ci.lo;
	v[2] = ci.hi;
	return 1;
}

static void exits_label(const struct nb_table *t, size_t r, char *buf, size_t len)
{
	char label[256];

	short_label(t, r, NULL, label, sizeof(label));
	snprintf(buf, len, "%s (%s)", label, t->rows[r].unit);
}

/* The exits/op that column c's tier has on row r (counted by its parent), or NULL. */
static const struct nb_ctr_cell *exits_per_op(const struct nb_table *t, size_t r, size_t c)
{
	for (size_t k = 0; k < t->n_ctr_cols; k++)
		if (t->ctr_cols[k].tier == t->cols[c].tier && t->ctr_cols[k].with_reason)
			return nb_table_ctr_cell(t, r, k)->state == NB_CELL_OK ? nb_table_ctr_cell(t, r, k) : NULL;
	return NULL;
}

static int exits_tag(const struct nb_table *t, size_t r, size_t c, char *buf, size_t len)
{
	const struct nb_ctr_cell *cell = exits_per_op(t, r, c);
	char v[NB_NUM];

	if (!cell)
		return 0;
	nb_fmt_count(cell->median, v, sizeof(v));
	snprintf(buf, len, "%s exits/op", v);
	return 1;
}

static void exits_head(const struct nb_table *t, FILE *f)
{
	int tags = 0;

	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols && exit_row(t, r); c++)
			tags |= is_tier_col(t, c) && exits_per_op(t, r, c) != NULL;
	gp_frame(f, "Cost of VM exits (exit.*) and of operations that need none (ctl.*), per tier",
		 tags ? "error bars: 95 % confidence interval of the median; above a bar: VM exits per "
			"operation counted by the parent tier (median over visits)"
		      : "error bars: 95 % confidence interval of the median", 1);
	/* 10, 100, 1k, 10k ...: no exponent notation on the axis people read first; room
	 * above the bars for their exits/op.  The axis starts at the decade below the
	 * cheapest interval, not at an arbitrary floor with empty decades. */
	double lo = INFINITY, v[3], floor10;
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols; c++)
			if (exit_row(t, r) && is_tier_col(t, c) && exits_bar(t, r, c, v) && v[1] > 0 &&
			    v[1] < lo)
				lo = v[1];
	floor10 = isfinite(lo) ? pow(10, floor(log10(lo))) : 1;
	fprintf(f, "set ylabel 'ns per operation (median, log scale)'\nset logscale y\n"
		"set yrange [%g:*]\nna_y = %g\n"
		"set format y '%%.0s%%c'\nset xtics rotate by 30 right\n%s", floor10, floor10 * 1.3,
		tags ? "set offsets 0, 0, graph 0.25, 0\n" : "");
}

static const struct bar_chart exits_chart = { "exits", exit_row, is_tier_col, exits_bar,
					      exits_label, ": not measured", exits_head, exits_tag,
					      0, no_exit_tier };

static size_t exit_rows(const struct nb_table *t)
{
	size_t n = 0;

	for (size_t r = 0; r < t->n_rows; r++)
		n += exit_row(t, r);
	return n;
}

/* ---- running gnuplot ---------------------------------------------------------------- */

/* ---- the charts --------------------------------------------------------------------- */

void nb_plot_default_dir(const struct nb_resultset *rs, char *buf, size_t len)
{
	const char *path = rs->files[0].path, *base = nb_rs_basename(path);
	size_t stem = strlen(base);

	if (stem > 5 && strcmp(base + stem - 5, ".json") == 0)
		stem -= 5;
	snprintf(buf, len, "%.*splots/%.*s", (int)(base - path), path, (int)stem, base);
}

typedef int (*chart_fn)(const struct nb_table *t, FILE *dat, FILE *gp);

static int bars_files(const struct nb_table *t, const struct bar_chart *b, FILE *dat, FILE *gp)
{
	double *pos = calloc(t->n_rows + 1, sizeof(double)), end;

	if (!pos)
		return -1;
	end = bar_positions(t, b, pos);
	bars_dat(t, b, pos, dat);
	b->head(t, gp);
	bars_gp(t, b, pos, end, gp);
	free(pos);
	return 0;
}

static int chart_overhead(const struct nb_table *t, FILE *dat, FILE *gp)
{
	return bars_files(t, &overhead_chart, dat, gp);
}

static int chart_mem_lat(const struct nb_table *t, FILE *dat, FILE *gp)
{
	return mem_lat_files(t, dat, gp) ? 0 : -1;
}

static int chart_exits(const struct nb_table *t, FILE *dat, FILE *gp)
{
	return bars_files(t, &exits_chart, dat, gp);
}

static int write_chart(const struct nb_table *t, const struct chart *c, const char *dir,
		       const char *format, const char *what, chart_fn fn, char err[NB_ERR_LEN])
{
	char dpath[PATH_MAX], gpath[PATH_MAX];
	FILE *dat = nb_gp_open(dir, c->name, "dat", dpath, err), *gp;
	int rc;

	if (!dat)
		return -1;
	if (!(gp = nb_gp_open(dir, c->name, "gp", gpath, err))) {
		fclose(dat);
		return -1;
	}
	gp_head(gp, c, format, what);
	rc = fn(t, dat, gp);
	gp_tail(gp, c, format);
	if (nb_gp_close(dat, dpath, err) | nb_gp_close(gp, gpath, err))
		return -1;
	return rc < 0 ? 1 : 0;
}

int nb_plot_write(const struct nb_table *t, const struct nb_plot_opts *o, FILE *paths,
		  char err[NB_ERR_LEN])
{
	const char *format = o->format ? o->format : "png,pdf";
	char dir[PATH_MAX], abs[PATH_MAX], gnuplot[PATH_MAX], img[PATH_MAX + 16];
	size_t nb = overhead_cols(t), nt = t->n_cols - nb;
	struct chart charts[3] = {
		{ "overhead", clampi(260 + (int)overhead_rows(t) * ((int)nb * 12 + 16), 900, 4000), 650 },
		{ "mem_lat", 960, 620 },
		{ "exits", clampi(300 + (int)exit_rows(t) * ((int)nt * 22 + 30), 800, 2400), 560 },
	};
	const char *what[3] = { "overhead per workload", "mem.lat curve", "exit and ctl costs" };
	chart_fn fns[3] = { chart_overhead, chart_mem_lat, chart_exits };
	int want[3] = { nb && overhead_rows(t), lat_rows(t) > 0, exit_rows(t) > 0 };
	const char *skip[3] = { "no overhead chart: it needs a second tier besides the baseline",
				"no mem.lat chart: the files have no mem.lat cases",
				"no exits chart: the files have no exit.* or ctl.* cases" };
	int written[3] = { 0 }, have_gp;

	if (o->out_dir)
		snprintf(dir, sizeof(dir), "%s", o->out_dir);
	else
		nb_plot_default_dir(t->rs, dir, sizeof(dir));
	if (nb_mkdirs(dir) || access(dir, W_OK) || !realpath(dir, abs)) {
		return nb_err(err, "cannot create the chart directory %s: %s: choose another with "
			 "--out DIR", dir, strerror(errno));
	}
	for (int i = 0; i < 3; i++) {
		int rc = want[i] ? write_chart(t, &charts[i], dir, format, what[i], fns[i], err) : 1;

		if (rc < 0)
			return -1;
		written[i] = rc == 0;
		if (!written[i])
			fprintf(stderr, "nestbench plot: %s\n", skip[i]);
	}
	if (!written[0] && !written[1] && !written[2]) {
		return nb_err(err, "nothing to chart in these files (see above): give files with "
			 "several tiers, or with mem.lat, exit.* or ctl.* cases");
	}
	have_gp = nb_gp_find(gnuplot, sizeof(gnuplot)) == 0;
	if (!have_gp) {
		snprintf(err, NB_ERR_LEN, "gnuplot is not installed (not on PATH): install it with "
			 "apt-get install gnuplot-nox, then run this again; the scripts and data are in %s",
			 dir);
		return -2;
	}
	for (int i = 0; i < 3; i++) {
		if (!written[i])
			continue;
		if (nb_gp_run(gnuplot, abs, charts[i].name, err))
			return -2;
		for (const char *f = format; *f; f += strcspn(f, ",") + (f[strcspn(f, ",")] == ',')) {
			snprintf(img, sizeof(img), "%s/%s.%.*s", dir, charts[i].name,
				 (int)strcspn(f, ","), f);
			fprintf(paths, "%s\n", img);
		}
	}
	return 0;
}
