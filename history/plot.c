/* plot.c - `nestbench history plot`: a trend chart per case, in the style of
 * `nestbench plot` (analysis/plot.c): a gnuplot script reading a data file by relative
 * name, rendered to PNG and PDF.  Per tier, the median and its interval per run, a gap
 * where the series is split (check.h: a break), and each change point `history check`
 * finds as a dashed vertical line with its size. */
#include "check.h"
#include "store.h"
#include "../analysis/gnuplot.h"
#include "../common/err.h"
#include "../common/files.h"
#include "../common/proc.h"
#include "../common/units.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TIERS 64

/* The tier palette by level, as `nestbench plot` colours tiers in level order. */
static const char *level_colour(int level)
{
	return nb_gp_colour((size_t)(level < 0 ? 0 : level));
}

/* ---- the x axis --------------------------------------------------------------------- */

struct plot_opts {
	const char *db, *out, *tier, *x_label;  /* x_label: NULL = run time */
	uint64_t seed;
};

/* The runs that hold the case, in run order: a run's place on a label axis. */
struct order {
	long long *run;
	size_t n, cap;
};

static int order_add(const struct nb_hist_point *p, void *vctx)
{
	struct order *o = vctx;

	if (o->n && o->run[o->n - 1] == p->run)
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		long long *v = realloc(o->run, cap * sizeof(*v));

		if (!v)
			return -1;
		o->run = v;
		o->cap = cap;
	}
	o->run[o->n++] = p->run;
	return 0;
}

static double order_of(const struct order *o, long long run)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->run[i] == run)
			return (double)i;
	return NAN;
}

/* Seconds since 1970 of "2026-11-20T10:00:00Z" (fractions ignored); NaN if not one. */
static double epoch_of(const char *iso)
{
	struct tm tm = { 0 };
	const char *end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);

	return end ? (double)timegm(&tm) : NAN;
}

/* The tic text of a run on a label axis: the label's value, or "-". */
static void label_value(const char *labels, const char *key, char *buf, size_t len)
{
	char pat[160];
	const char *p;

	snprintf(buf, len, "-");
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	if ((p = strstr(labels, pat)))
		snprintf(buf, len, "%.*s", (int)strcspn(p + strlen(pat), "\""), p + strlen(pat));
}

/* ---- one chart ---------------------------------------------------------------------- */

struct chart {
	const struct plot_opts *o;
	const struct order *order;
	FILE *dat, *gp;
	char name[256];
	int levels[MAX_TIERS];
	char *tiers[MAX_TIERS];
	size_t n_tiers, n_points, n_cps;
	int bad_time;
	char unit[64], better[16];
};

static double point_x(struct chart *c, const struct nb_hc_point *p)
{
	double x = c->o->x_label ? order_of(c->order, p->run) : epoch_of(p->time);

	c->bad_time |= !isfinite(x);
	return x;
}

/* A dashed line between the last run before a change and the first after, its size
 * at the top. */
static void mark_change(struct chart *c, const struct nb_hc_series *s,
			const struct nb_changepoint *cp)
{
	double x = (point_x(c, &s->pts[cp->index - 1]) + point_x(c, &s->pts[cp->index])) / 2;
	const char *col = level_colour(s->level);
	char text[96];

	fprintf(c->gp, "set arrow from %.10g, graph 0 to %.10g, graph 1 nohead dt 2 lw 1.5 "
		"lc rgb '%s'\n", x, x, col);
	if (isfinite(cp->rel))
		snprintf(text, sizeof(text), "%s %+.1f %%", s->tier, 100 * cp->rel);
	else
		snprintf(text, sizeof(text), "%s change", s->tier);
	fprintf(c->gp, "set label %zu ", 10 + c->n_cps++);
	nb_gp_str(c->gp, text);
	fprintf(c->gp, " at %.10g, graph %.3f left offset 0.4,0 tc rgb '%s' font ',9'\n", x,
		0.96 - 0.05 * (double)(c->n_cps % 4), col);
}

static int chart_series(const struct nb_hc_series *s, void *vctx)
{
	struct chart *c = vctx;
	size_t b = 0;

	if (c->n_tiers == MAX_TIERS || s->n == 0)
		return 0;
	if (!(c->tiers[c->n_tiers] = strdup(s->tier)))
		return -1;
	c->levels[c->n_tiers++] = s->level;
	snprintf(c->unit, sizeof(c->unit), "%s", s->unit);
	snprintf(c->better, sizeof(c->better), "%s", s->better);
	fprintf(c->dat, "%s# tier %s (level %d): x, median, interval low, high, time, x tic\n",
		c->n_tiers > 1 ? "\n\n" : "", s->tier, s->level);
	for (size_t i = 0; i < s->n; i++) {
		const struct nb_hc_point *p = &s->pts[i];
		char tic[128];

		if (b < s->n_breaks && s->breaks[b].index == i) {
			fprintf(c->dat, "\n# split: %s\n", s->breaks[b++].why);
		}
		if (c->o->x_label)
			label_value(p->labels, c->o->x_label, tic, sizeof(tic));
		else
			snprintf(tic, sizeof(tic), "%s", p->time);
		nb_gp_dat_num(c->dat, point_x(c, p));
		nb_gp_dat_num(c->dat, p->median);
		nb_gp_dat_num(c->dat, p->lo);
		nb_gp_dat_num(c->dat, p->hi);
		nb_gp_dat_str(c->dat, p->time);
		nb_gp_dat_str(c->dat, tic);
		fputc('\n', c->dat);
		c->n_points++;
	}
	for (int i = 0; i < s->n_cps; i++)
		mark_change(c, s, &s->cps[i]);
	return 0;
}

static void gp_terminal(FILE *f, const char *name, const char *format)
{
	if (strcmp(format, "pdf") == 0)
		fputs("set terminal pdfcairo size 9.60in,5.40in noenhanced font 'sans,8'\n", f);
	else
		fputs("set terminal pngcairo size 960,540 noenhanced font 'sans,10'\n", f);
	fprintf(f, "set output '%s.%s'\n", name, format);
}

static void gp_head(FILE *f, const char *name, const char *case_key)
{
	fprintf(f, "# %s.gp - nestbench history plot: %s over runs.\n# Restyle freely, then: "
		"gnuplot %s.gp\n", name, case_key, name);
	gp_terminal(f, name, "png");
	fputs("set datafile missing 'NaN'\nset grid ytics lc rgb '#d0d0d0'\n"
	      "set border 3\nset tics nomirror\nset tmargin 4\nset bmargin 6\n", f);
}

/* Axes, title, note and the plot command, after the change points' arrows. */
static void gp_plot(const struct chart *c, const char *case_key)
{
	FILE *f = c->gp;
	char title[1200];

	snprintf(title, sizeof(title), "%s (%s, %s is better)", case_key, c->unit, c->better);
	fputs("set label 2 ", f);
	nb_gp_str(f, title);
	fputs(" at screen 0.5, screen 0.965 center font ',12'\nset label 1 ", f);
	nb_gp_str(f, "median and its 95 % interval per run; gaps: the tier or the binary changed; "
		  "dashed: change points (E-divisive, p <= 0.05) with their size");
	fputs(" at screen 0.99, screen 0.015 right font ',8'\n", f);
	fputs("set key inside top left vertical reverse Left samplen 3\nset ylabel ", f);
	nb_gp_str(f, c->unit);
	if (c->o->x_label) {
		fputs("\nset xtics rotate by -30\nset xlabel ", f);
		nb_gp_str(f, c->o->x_label);
		fputs("\nset offsets 0.5, 0.5, 0, 0\n", f);
	} else {
		fputs("\nset xdata time\nset timefmt '%s'\nset format x '%Y-%m-%d %H:%M'\nset xtics rotate by -30\n"
		      "set bmargin 8\nset rmargin 10\n"
		      "set xlabel 'run start (UTC)'\nset offsets graph 0.03, graph 0.03, 0, 0\n", f);
	}
	fputs("plot", f);
	for (size_t i = 0; i < c->n_tiers; i++) {
		fprintf(f, "%s '%s.dat' index %zu using 1:2:3:4%s with yerrorlines pt 7 ps 0.6 "
			"lc rgb '%s' title ", i ? ", \\\n    " : "", c->name, i,
			c->o->x_label ? ":xtic(6)" : "", level_colour(c->levels[i]));
		nb_gp_str(f, c->tiers[i]);
	}
	fputs("\n", f);
	gp_terminal(f, c->name, "pdf");
	fputs("replot\n", f);
}

/* ---- files and gnuplot -------------------------------------------------------------- */

/* A file stem from a case key: "mem.lat size=64M" -> "mem.lat_size-64M". */
static void stem_of(const char *key, char *buf, size_t len)
{
	size_t i = 0;

	for (; *key && i + 1 < len; key++)
		buf[i++] = *key == '=' ? '-' : strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", *key) ? *key : '_';
	buf[i] = '\0';
}




/* gnuplot -e "cd 'DIR'" DIR/NAME.gp, so the script's relative names resolve. */
static int run_gnuplot(const char *dir, const char *name, char err[NB_ERR_LEN])
{
	char gnuplot[PATH_MAX];

	if (nb_gp_find(gnuplot, sizeof(gnuplot)))
		return nb_err(err, "gnuplot is not installed (not on PATH): install it with apt-get "
			      "install gnuplot-nox, then run this again; the scripts and data are in %s",
			      dir);
	return nb_gp_run(gnuplot, dir, name, err);
}

/* The chart's two files, filled by the series walk; 0, or -1 with err. */
static int write_chart(struct nb_hist *h, struct chart *c, const char *dir, const char *key,
		       char err[NB_ERR_LEN])
{
	char dpath[PATH_MAX], gpath[PATH_MAX];
	int rc;

	if (!(c->dat = nb_gp_open(dir, c->name, "dat", dpath, err)))
		return -1;
	if (!(c->gp = nb_gp_open(dir, c->name, "gp", gpath, err))) {
		fclose(c->dat);
		return -1;
	}
	gp_head(c->gp, c->name, key);
	rc = nb_hc_each_series(h, key, c->o->tier, c->o->seed, chart_series, c, err);
	if (rc == 0 && c->bad_time)
		rc = nb_err(err, "a run of %s has a start time that is not an ISO 8601 UTC time: "
			    "draw it against a label with --x label:KEY", key);
	if (rc == 0 && c->n_points == 0)
		rc = nb_err(err, "%s: no run has a median to draw (see `nestbench history show`)",
			    key);
	if (rc == 0)
		gp_plot(c, key);
	if ((nb_gp_close(c->dat, dpath, err) | nb_gp_close(c->gp, gpath, err)) && rc == 0)
		rc = -1;
	return rc;
}

static int plot_case(struct nb_hist *h, const struct plot_opts *o, const char *dir,
		     const char *name, char err[NB_ERR_LEN])
{
	char key[1024];
	struct order order = { 0 };
	struct chart c = { .o = o, .order = &order };
	int rc;

	if (nb_hist_resolve_case(h, name, o->tier, key, sizeof(key), err))
		return -1;
	if (o->x_label && nb_hist_points(h, key, o->tier, 1, order_add, &order, err)) {
		free(order.run);
		return -1;
	}
	stem_of(key, c.name, sizeof(c.name));
	rc = write_chart(h, &c, dir, key, err);
	for (size_t i = 0; i < c.n_tiers; i++)
		free(c.tiers[i]);
	free(order.run);
	if (rc)
		return rc;
	if (run_gnuplot(dir, c.name, err))
		return -2;
	printf("%s/%s.png\n%s/%s.pdf\n", dir, c.name, dir, c.name);
	return 0;
}

/* ---- options ------------------------------------------------------------------------ */

static const char plot_usage[] =
	"usage: nestbench history plot [--db PATH] [--out DIR] [--tier T] [--x label:KEY]\n"
	"                              [--seed N] CASE...\n"
	"\n"
	"A trend chart per case: per tier the median and its 95 % interval per run, gaps\n"
	"where the tier or the binary changed, and the change points `history check` finds\n"
	"(dashed, with their size).  Writes NAME.gp, NAME.dat, NAME.png and NAME.pdf per case\n"
	"(NAME: the case key, '=' as '-'); edit NAME.gp and run `gnuplot NAME.gp` there.\n"
	"\n"
	"  --out DIR       where (default: history-plots/ beside the database)\n"
	"  --tier T        only this tier\n"
	"  --x label:KEY   runs in order, each named by its label KEY (e.g. label:commit);\n"
	"                  default: the run's start time on a time axis\n"
	"  --seed N        the change points' seed (as history check's)\n"
	"\n"
	"Exit status: 0 written, 2 a problem the user can fix (no database, unknown case or\n"
	"tier, a directory that cannot be written, gnuplot missing: the scripts and data stay).\n";

static int plot_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "nestbench history plot: %s%s\n(nestbench history plot --help "
		"describes the options)\n", what, arg);
	return 2;
}

static int parse_plot(int argc, char **argv, struct plot_opts *o)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },  { "out", required_argument, NULL, 'o' },
		{ "tier", required_argument, NULL, 't' }, { "x", required_argument, NULL, 'x' },
		{ "seed", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'o': o->out = optarg; break;
		case 't': o->tier = optarg; break;
		case 'x':
			if (strcmp(optarg, "time") == 0)
				o->x_label = NULL;
			else if (strncmp(optarg, "label:", 6) == 0 && optarg[6] && !strpbrk(optarg + 6, "\"\\"))
				o->x_label = optarg + 6;
			else
				return plot_usage_error("--x is time or label:KEY (e.g. label:commit), "
							"not ", optarg);
			break;
		case 's':
			if (nb_parse_u64(optarg, &o->seed))
				return plot_usage_error("--seed takes a whole number: ", optarg);
			break;
		case 'h': fputs(plot_usage, stdout); return 0;
		default: fputs(plot_usage, stderr); return 2;
		}
	}
	if (optind >= argc)
		return plot_usage_error("give the cases to draw (a case key in quotes, or a "
					"workload)", "");
	return -1;
}

/* --out, else history-plots/ beside the database; created. */
static int plot_dir(const struct plot_opts *o, char *dir, size_t len)
{
	const char *slash = strrchr(o->db, '/');

	if (o->out)
		snprintf(dir, len, "%s", o->out);
	else if (nb_hist_is_pg(o->db))   /* a server: nothing to be beside */
		snprintf(dir, len, "history-plots");
	else
		snprintf(dir, len, "%.*shistory-plots", slash ? (int)(slash - o->db + 1) : 0, o->db);
	if (nb_mkdirs(dir) || access(dir, W_OK)) {
		fprintf(stderr, "nestbench history plot: cannot create the chart directory %s: %s: "
			"choose another with --out DIR\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int nb_hist_plot_cmd(int argc, char **argv, const char *db)
{
	struct plot_opts o = { .db = db, .seed = NB_HIST_CHECK_SEED };
	char err[NB_ERR_LEN], dir[PATH_MAX], abs[PATH_MAX];
	struct nb_hist *h;
	int rc = parse_plot(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (!(h = nb_hist_open(o.db, 0, err))) {
		fprintf(stderr, "nestbench history plot: %s\n", err);
		return 2;
	}
	rc = 0;
	if (plot_dir(&o, dir, sizeof(dir)) || !realpath(dir, abs))
		rc = 2;
	for (int i = optind; i < argc && rc == 0; i++)
		if (plot_case(h, &o, abs, argv[i], err)) {
			fprintf(stderr, "nestbench history plot: %s\n", err);
			rc = 2;
		}
	nb_hist_close(h);
	return rc;
}
