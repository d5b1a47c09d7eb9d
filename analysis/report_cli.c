/* report_cli.c - `nestbench table`, `nestbench plot` and `nestbench compare`: options,
 * loading the result files, and exit statuses.  The work is in table.c, plot.c and
 * compare.c. */
#include "report.h"
#include "../common/err.h"
#include "compare.h"
#include "plot.h"
#include "table.h"
#include "../common/records.h"
#include "../common/units.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_table[] =
	"usage: nestbench table [OPTIONS] RESULT-FILE...\n"
	"\n"
	"Turns result files into an overhead table: a row per workload (grouped by family),\n"
	"the baseline's median, and per tier the overhead in % over the baseline with its\n"
	"confidence interval, then the level-to-level steps (L2 over L1), the mean overhead\n"
	"per family, and footnotes: each tier's environment (what it really is: bare metal,\n"
	"KVM, TCG ...), the workload binary's sha256, what was skipped and why.  With several\n"
	"files (a campaign per hypervisor, a bare-metal run) the columns are hypervisor x\n"
	"level (\"KVM L1\"), matched by the workload key.  Method: analysis/README.md.\n"
	"\n"
	"Options:\n"
	"  -b, --baseline TIER   the tier the others are set against: TIER, or FILE:TIER when\n"
	"                        several files have it (default: the first level-0 tier)\n"
	"  -f, --format FMT      md (default), latex (booktabs + siunitx), csv or json: a row\n"
	"                        per workload; long-csv or long-json: tidy data, a row per\n"
	"                        workload, tier column and reference with plain columns\n"
	"                        (median, n, overhead, interval, nature, flags), for\n"
	"                        read_csv or read.csv with no options\n"
	"  -c, --counters        add per-operation counter columns per tier: VM exits/op\n"
	"                        counted by the parent tier (with the main exit reason),\n"
	"                        faults/op, context switches/op, IPC, misses per 1k\n"
	"                        instructions, where the files recorded their inputs; n/a\n"
	"                        with a footnote where a tier could not count them\n"
	"      --layout L        latex: overhead (default: each tier's overhead with its\n"
	"                        interval) or absolute (each tier's median and its overhead\n"
	"                        over the level below and over the baseline)\n"
	"      --width W         latex: page (default: table* of 516 pt) or column (table of\n"
	"                        252 pt); tier columns that do not fit go to further tables\n"
	"      --notes FILE      latex: the notes (row labels, n/a reasons, environment,\n"
	"                        method) to FILE rather than after the tables\n"
	"      --level L         confidence level of the intervals (default 0.95)\n"
	"      --resamples N     bootstrap resamples per cell (default 2000)\n"
	"      --seed S          bootstrap seed (default 1): the same seed, the same table\n"
	"  -h, --help            this help\n";

static const char usage_plot[] =
	"usage: nestbench plot [OPTIONS] RESULT-FILE...\n"
	"\n"
	"Draws three charts with gnuplot (apt-get install gnuplot-nox): overhead.FMT, the\n"
	"overhead in % per workload and tier with 95 % error bars (VM exits excepted);\n"
	"mem_lat.FMT, ns per load against the working-set size, a line per tier; exits.FMT,\n"
	"the exit.* and ctl.* costs per tier on a log scale, with the VM exits per operation\n"
	"above the bars of tiers whose exits were counted.  Each chart's script (.gp) and\n"
	"data (.dat) stay beside it: edit the script and run `gnuplot NAME.gp` there.\n"
	"Prints the path of each chart written.\n"
	"\n"
	"Options:\n"
	"  -o, --out DIR         where to write (default: plots/NAME beside the first file,\n"
	"                        NAME its file name without .json: results/plots/NAME/)\n"
	"  -f, --format FMT      png, svg or pdf, or several: png,pdf (the default)\n"
	"  -b, --baseline TIER   as for nestbench table (default: the first level-0 tier)\n"
	"      --level L, --resamples N, --seed S\n"
	"                        as for nestbench table\n"
	"  -h, --help            this help\n";

static const char usage_compare[] =
	"usage: nestbench compare [OPTIONS] BASE NEW\n"
	"\n"
	"A regression gate: compares two result files of the same campaign workload by\n"
	"workload and tier by tier and decides each cell: regression, improvement, no change\n"
	"or inconclusive (saying why: too few samples for the threshold, with the minimum\n"
	"detectable effect; the nestbench-work binary, a tier's nature or the environment\n"
	"(the canary, or the machine's other load during the samples) changed; a tier or\n"
	"case missing).  Each cell shows both medians with n and\n"
	"outliers, the change with its confidence interval as it is, and the Mann-Whitney\n"
	"p-value adjusted over all cells.  A regression is significant after adjustment and\n"
	"worse by more than the threshold over its whole interval.  Samples that shift level\n"
	"or drift in measurement order are flagged.  The Markdown suits a CI job summary or\n"
	"a pull-request comment.  Method: analysis/README.md, \"The gate\".\n"
	"\n"
	"Options:\n"
	"  -t, --threshold PCT   a regression is worse by more than PCT % (default 5)\n"
	"  -a, --alpha A         significance level after adjustment (default 0.05)\n"
	"      --correction M    holm (default: family-wise error), bh (false discovery\n"
	"                        rate, Benjamini-Hochberg) or none\n"
	"      --power P         power of the minimum detectable effect (default 0.8)\n"
	"      --strict          any inconclusive cell fails the gate (exit 3)\n"
	"  -f, --format FMT      md (default) or json\n"
	"      --level L, --resamples N, --seed S\n"
	"                        as for nestbench table\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 no regression; 1 a regression (named in the output and on stderr);\n"
	"2 bad input; 3 inconclusive: the files cannot be compared somewhere (binary, tier\n"
	"nature or environment changed, tier or case missing) or no cell could be decided,\n"
	"and with --strict any inconclusive cell.\n";

/* ---- options shared by the three commands ------------------------------------------- */

enum { OPT_LEVEL = 256, OPT_RESAMPLES, OPT_SEED, OPT_CORRECTION, OPT_POWER, OPT_STRICT,
       OPT_LAYOUT, OPT_WIDTH, OPT_NOTES };

struct common {
	const char *cmd;           /* "table", ... for messages */
	const char *usage;
	double level;
	unsigned resamples;
	uint64_t seed;
};

static int bad(const struct common *c, const char *fmt, const char *arg)
{
	fprintf(stderr, "nestbench %s: ", c->cmd);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static int parse_fraction(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0 && v < 1))
		return -1;
	*out = v;
	return 0;
}

/* --level, --resamples, --seed: 0 handled, -1 not one of them, 2 bad value. */
static int common_opt(struct common *c, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case OPT_LEVEL:
		if (parse_fraction(arg, &c->level))
			return bad(c, "--level %s: give a confidence level between 0 and 1, e.g. 0.95", arg);
		return 0;
	case OPT_RESAMPLES:
		if (nb_parse_u64(arg, &v) || v < NB_BOOT_MIN_RESAMPLES || v > 10000000)
			return bad(c, "--resamples %s: give a count from 100 to 10000000 (default 2000)", arg);
		c->resamples = (unsigned)v;
		return 0;
	case OPT_SEED:
		if (nb_parse_u64(arg, &v))
			return bad(c, "--seed %s: give an unsigned integer (decimal or 0x hex)", arg);
		c->seed = v;
		return 0;
	}
	return -1;
}

static void common_init(struct common *c, const char *cmd, const char *usage)
{
	c->cmd = cmd;
	c->usage = usage;
	c->level = NB_REPORT_LEVEL;
	c->resamples = NB_REPORT_RESAMPLES;
	c->seed = NB_REPORT_SEED;
}

static int load_files(const struct common *c, struct nb_resultset *rs, char **paths, int n)
{
	char err[NB_ERR_LEN];

	for (int i = 0; i < n; i++)
		if (nb_rs_add_file(rs, paths[i], err)) {
			fprintf(stderr, "nestbench %s: %s\n", c->cmd, err);
			return -1;
		}
	return 0;
}

/* The warnings of a table that must not scroll by unseen in a file. */
static void warn_remarks(const struct nb_table *t, const char *cmd)
{
	for (size_t i = 0; i < t->n_remarks; i++)
		if (t->remarks[i].kind == NB_REM_WORK && strncmp(t->remarks[i].text, "WARNING", 7) == 0) {
			fprintf(stderr, "nestbench %s: warning: the files ran different nestbench-work "
				"binaries (see the footnotes)\n", cmd);
			return;
		}
}

/* Load the files and build their table; on failure the message is printed and
 * nothing is left to free. */
static int build_table(const struct common *c, const char *baseline, int counters,
		       struct nb_resultset *rs, char **paths, int n, struct nb_table *t)
{
	struct nb_table_opts o;
	char err[NB_ERR_LEN];

	if (n < 1) {
		fprintf(stderr, "nestbench %s: give one or more result files (results/*.json)\n%s",
			c->cmd, c->usage);
		return -1;
	}
	if (load_files(c, rs, paths, n)) {
		nb_rs_free(rs);
		return -1;
	}
	nb_table_opts_default(&o);
	o.baseline = baseline;
	o.level = c->level;
	o.resamples = c->resamples;
	o.seed = c->seed;
	o.counters = counters;
	if (nb_table_build(t, rs, &o, err)) {
		fprintf(stderr, "nestbench %s: %s\n", c->cmd, err);
		nb_table_free(t);
		nb_rs_free(rs);
		return -1;
	}
	warn_remarks(t, c->cmd);
	return 0;
}

/* ---- table -------------------------------------------------------------------------- */

static const struct option table_opts[] = {
	{ "baseline", required_argument, NULL, 'b' }, { "format", required_argument, NULL, 'f' },
	{ "counters", no_argument, NULL, 'c' }, { "level", required_argument, NULL, OPT_LEVEL },
	{ "layout", required_argument, NULL, OPT_LAYOUT }, { "width", required_argument, NULL, OPT_WIDTH },
	{ "notes", required_argument, NULL, OPT_NOTES },
	{ "resamples", required_argument, NULL, OPT_RESAMPLES },
	{ "seed", required_argument, NULL, OPT_SEED }, { "help", no_argument, NULL, 'h' }, { 0 }
};

/* --layout, --width, --notes (for -f latex): 0 handled, -1 not one of them, 2 bad value;
 * *given names the last one given. */
static int tex_opt(const struct common *c, struct nb_tex_opts *xo, const char **notes,
		   const char **given, int opt, const char *arg)
{
	switch (opt) {
	case OPT_LAYOUT:
		*given = "--layout";
		return nb_tex_layout_parse(arg, &xo->layout) ?
			bad(c, "--layout %s: choose overhead or absolute", arg) : 0;
	case OPT_WIDTH:
		*given = "--width";
		return nb_tex_width_parse(arg, &xo->width) ?
			bad(c, "--width %s: choose page (516 pt) or column (252 pt)", arg) : 0;
	case OPT_NOTES:
		*given = "--notes";
		*notes = arg;
		return 0;
	}
	return -1;
}

/* -f latex with its options; the notes file is opened only once the table is built. */
static int write_latex(const struct nb_table *t, struct nb_tex_opts *xo, const char *notes,
		       char err[NB_ERR_LEN])
{
	FILE *f = NULL;
	int rc;

	if (notes && !(f = fopen(notes, "w")))
		return nb_err(err, "cannot write --notes %s: %s (give a path in a writable directory)",
			      notes, strerror(errno));
	xo->notes = f;
	rc = nb_table_write_latex(t, xo, stdout, err);
	if (!rc && (fflush(stdout) || ferror(stdout)))
		rc = nb_err(err, "cannot write the table: %s", strerror(errno ? errno : EIO));
	if (f && fclose(f) && !rc)
		rc = nb_err(err, "cannot write --notes %s: %s", notes, strerror(errno));
	return rc;
}

int nb_cmd_table(int argc, char **argv)
{
	struct common c;
	enum nb_table_format fmt = NB_FMT_MD;
	struct nb_tex_opts xo;
	const char *baseline = NULL, *notes = NULL, *tex_given = NULL;
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	char err[NB_ERR_LEN];
	int opt, rc, counters = 0;

	common_init(&c, "table", usage_table);
	nb_tex_opts_default(&xo);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "b:f:ch", table_opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_table, stdout);
			return 0;
		}
		if (opt == 'b')
			baseline = optarg;
		else if (opt == 'c')
			counters = 1;
		else if (opt == 'f' && nb_table_format_parse(optarg, &fmt))
			return bad(&c, "--format %s: choose md, latex, csv or json (a row per workload), "
				   "or long-csv or long-json (a row per workload and tier)", optarg);
		else if (opt != 'f' && (rc = tex_opt(&c, &xo, &notes, &tex_given, opt, optarg)) != 0 &&
			 (rc > 0 || (rc = common_opt(&c, opt, optarg)) != 0))
			return rc > 0 ? rc : (fputs(usage_table, stderr), 2);
	}
	if (tex_given && fmt != NB_FMT_LATEX)
		return bad(&c, "%s is for --format latex: add -f latex, or leave it out (the other "
			   "formats keep their notes with the table)", tex_given);
	if (build_table(&c, baseline, counters, &rs, argv + optind, argc - optind, &t))
		return 2;
	rc = fmt == NB_FMT_LATEX ? write_latex(&t, &xo, notes, err) : nb_table_write(&t, fmt, stdout, err);
	rc = rc ? (fprintf(stderr, "nestbench table: %s\n", err), 2) : 0;
	nb_table_free(&t);
	nb_rs_free(&rs);
	return rc;
}

/* ---- plot --------------------------------------------------------------------------- */

static const struct option plot_opts[] = {
	{ "out", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'f' },
	{ "baseline", required_argument, NULL, 'b' }, { "level", required_argument, NULL, OPT_LEVEL },
	{ "resamples", required_argument, NULL, OPT_RESAMPLES },
	{ "seed", required_argument, NULL, OPT_SEED }, { "help", no_argument, NULL, 'h' }, { 0 }
};

int nb_cmd_plot(int argc, char **argv)
{
	struct common c;
	struct nb_plot_opts po = { NULL, NULL };   /* NULL: png and pdf */
	const char *baseline = NULL;
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	char err[NB_ERR_LEN] = "";
	int opt, rc;

	common_init(&c, "plot", usage_plot);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:f:b:h", plot_opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_plot, stdout);
			return 0;
		}
		if (opt == 'o')
			po.out_dir = optarg;
		else if (opt == 'b')
			baseline = optarg;
		else if (opt == 'f' && !nb_plot_formats_ok(optarg))
			return bad(&c, "--format %s: choose png, svg or pdf, or several with commas "
				   "(png,pdf)", optarg);
		else if (opt == 'f')
			po.format = optarg;
		else if ((rc = common_opt(&c, opt, optarg)) != 0)
			return rc > 0 ? rc : (fputs(usage_plot, stderr), 2);
	}
	/* The exits chart labels its bars with the exits/op of the counter columns. */
	if (build_table(&c, baseline, 1, &rs, argv + optind, argc - optind, &t))
		return 2;
	rc = nb_plot_write(&t, &po, stdout, err);
	if (rc)
		fprintf(stderr, "nestbench plot: %s\n", err);
	nb_table_free(&t);
	nb_rs_free(&rs);
	return rc ? 2 : 0;
}

/* ---- compare ------------------------------------------------------------------------ */

static const struct option compare_opts[] = {
	{ "threshold", required_argument, NULL, 't' }, { "alpha", required_argument, NULL, 'a' },
	{ "correction", required_argument, NULL, OPT_CORRECTION },
	{ "power", required_argument, NULL, OPT_POWER }, { "strict", no_argument, NULL, OPT_STRICT },
	{ "format", required_argument, NULL, 'f' }, { "level", required_argument, NULL, OPT_LEVEL },
	{ "resamples", required_argument, NULL, OPT_RESAMPLES },
	{ "seed", required_argument, NULL, OPT_SEED }, { "help", no_argument, NULL, 'h' }, { 0 }
};

/* "5" or "5%": a percentage from 0 up. */
static int parse_pct(const char *s, double *frac)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || (*end && strcmp(end, "%")) || !(v >= 0) || !isfinite(v))
		return -1;
	*frac = v / 100;
	return 0;
}

/* Name each regression, and why the gate is inconclusive, on stderr too: a CI log shows
 * it even when stdout is a file. */
static void log_outcome(const struct nb_compare *cmp)
{
	enum nb_compare_status st = nb_compare_status(cmp);

	for (size_t i = 0; i < cmp->n_rows; i++) {
		const struct nb_compare_row *r = &cmp->rows[i];

		if (r->g.dec == NB_D_REGRESSION)
			fprintf(stderr, "nestbench compare: regression: %s on %s: %+.1f %% [%+.1f, %+.1f] in "
				"%s, %s is better (p = %.3g, adjusted %.3g)\n", r->old_c->key, r->tier,
				r->g.d.point * 100, r->g.d.lo * 100, r->g.d.hi * 100, r->old_c->unit,
				r->old_c->better == NB_STATS_HIGHER_BETTER ? NB_BETTER_HIGHER : NB_BETTER_LOWER,
				r->g.mwu.p, r->g.p_adj);
		else if (st == NB_CMP_INCONCLUSIVE && r->g.dec == NB_D_INCONCLUSIVE &&
			 (cmp->o.strict || r->g.why_class == NB_WHY_SETUP))
			fprintf(stderr, "nestbench compare: inconclusive: %s on %s: %s\n",
				nb_compare_case(r)->key, r->tier, r->g.why);
	}
	if (st == NB_CMP_INCONCLUSIVE && !cmp->n_inconclusive)
		fprintf(stderr, "nestbench compare: inconclusive: no cell could be decided\n");
	else if (st == NB_CMP_OK && cmp->n_inconclusive)
		fprintf(stderr, "nestbench compare: warning: %zu cell%s inconclusive for lack of samples "
			"(see the table; --strict makes this a failure)\n", cmp->n_inconclusive,
			cmp->n_inconclusive == 1 ? "" : "s");
}

/* --correction, --power, --strict: 0 handled, -1 not one of them, 2 bad value. */
static int gate_opt(const struct common *c, struct nb_compare_opts *co, int opt, const char *arg)
{
	switch (opt) {
	case OPT_CORRECTION:
		if (nb_padj_parse(arg, &co->g.correction))
			return bad(c, "--correction %s: choose holm, bh or none", arg);
		return 0;
	case OPT_POWER:
		if (parse_fraction(arg, &co->g.power))
			return bad(c, "--power %s: give a probability between 0 and 1, e.g. 0.8", arg);
		return 0;
	case OPT_STRICT:
		co->strict = 1;
		return 0;
	}
	return -1;
}

int nb_cmd_compare(int argc, char **argv)
{
	struct common c;
	struct nb_compare_opts co;
	enum nb_compare_format fmt = NB_CMP_MD;
	struct nb_resultset rs = { 0 };
	struct nb_compare cmp;
	char err[NB_ERR_LEN];
	int opt, rc;

	common_init(&c, "compare", usage_compare);
	nb_compare_opts_default(&co);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "t:a:f:h", compare_opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_compare, stdout);
			return 0;
		}
		if (opt == 't' && parse_pct(optarg, &co.g.threshold))
			return bad(&c, "--threshold %s: give a percentage such as 5 (a regression is worse "
				   "by more than that)", optarg);
		else if (opt == 'a' && parse_fraction(optarg, &co.g.alpha))
			return bad(&c, "--alpha %s: give a significance level between 0 and 1, e.g. 0.05", optarg);
		else if (opt == 'f' && nb_compare_format_parse(optarg, &fmt))
			return bad(&c, "--format %s: choose md or json", optarg);
		else if (opt != 't' && opt != 'a' && opt != 'f' && (rc = gate_opt(&c, &co, opt, optarg)) != 0 &&
			 (rc > 0 || (rc = common_opt(&c, opt, optarg)) != 0))
			return rc > 0 ? rc : (fputs(usage_compare, stderr), 2);
	}
	if (argc - optind != 2) {
		fprintf(stderr, "nestbench compare: give exactly two result files, BASE then NEW\n%s",
			usage_compare);
		return 2;
	}
	co.g.level = c.level;
	co.g.resamples = c.resamples;
	co.seed = c.seed;
	if (load_files(&c, &rs, argv + optind, 2)) {
		nb_rs_free(&rs);
		return 2;
	}
	if (nb_compare_build(&cmp, &rs, &co, err)) {
		fprintf(stderr, "nestbench compare: %s\n", err);
		nb_compare_free(&cmp);
		nb_rs_free(&rs);
		return 2;
	}
	if (nb_compare_write(&cmp, fmt, stdout, err)) {
		fprintf(stderr, "nestbench compare: %s\n", err);
		rc = 2;
	} else {
		log_outcome(&cmp);
		rc = (int)nb_compare_status(&cmp);
	}
	nb_compare_free(&cmp);
	nb_rs_free(&rs);
	return rc;
}
