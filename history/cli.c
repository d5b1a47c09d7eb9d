/* cli.c - `nestbench history`: the options, the text, JSON and CSV it prints, and exit
 * statuses.  The store and every figure in it: store.c. */
#include "cli.h"
#include "check.h"
#include "store.h"
#include "../common/err.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DB "results/history.sqlite"

static const char usage[] =
	"usage: nestbench history add [--db PATH] [--label KEY=VALUE]... RESULT-FILE...\n"
	"       nestbench history list [--db PATH]\n"
	"       nestbench history show CASE [--tier TIER] [--json] [--db PATH]\n"
	"       nestbench history export --csv [--wide] [--db PATH]\n"
	"       nestbench history check [--db PATH] [--threshold PCT] [--last N] [--tier T]\n"
	"                               [--case KEY] [--format md|json] [--seed N]\n"
	"       nestbench history plot [--db PATH] [--out DIR] [--tier T] [--x label:KEY] CASE...\n"
	"\n"
	"The result history: result files imported into one SQLite database, a run per\n"
	"file, so a case can be followed across runs (nightly builds, kernel or QEMU\n"
	"versions).  Every case is stored with its samples, median and 95 % interval of the\n"
	"median, computed as `nestbench table` computes them.  Schema: history/README.md.\n"
	"\n"
	"  add      import result files (any schema version); a file already stored (the\n"
	"           same bytes) is not stored again.  A file that is not a result file is\n"
	"           skipped with a message, the others are imported (exit status 2)\n"
	"  list     the runs: start time, campaign, status, labels and tiers\n"
	"  show     one case over time: per tier, per run its n, median and interval.  CASE\n"
	"           is a case key (\"mem.lat size=64M stride=64 thp=0\", in quotes) or a\n"
	"           workload with a single case (\"cpu.int\")\n"
	"  export   CSV on stdout: a row per run, tier and case with the run's time and\n"
	"           labels as columns; --wide: a row per run with a column TIER/CASE per\n"
	"           series (its median), the shape change-point tools such as Apache Otava\n"
	"           read (time column \"time\", labels as attributes)\n"
	"  check    change points of every series (E-divisive means), each a regression,\n"
	"           an improvement or below --threshold; exit 1 on a regression in the\n"
	"           newest --last runs, 3 when every series is too short (check --help)\n"
	"  plot     a trend chart per case: median and interval per run, change points\n"
	"           marked (gnuplot script, data, PNG and PDF; plot --help)\n"
	"\n"
	"Options:\n"
	"      --db PATH         the database (default: $NESTBENCH_HISTORY, else\n"
	"                        " DEFAULT_DB "); add creates it\n"
	"      --label KEY=VALUE add: a label of the runs imported (repeatable), e.g.\n"
	"                        --label kernel=6.8 --label commit=abc123; KEY is letters,\n"
	"                        digits, '_', '-' and '.'\n"
	"      --tier TIER       show: only this tier\n"
	"      --json            show: the series as JSON, every figure at full precision\n"
	"      --csv             export: CSV (the only format)\n"
	"      --wide            export: one row per run\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 done, 2 a problem the user can fix (a file that is not a result\n"
	"file, a database that cannot be opened or written, an unknown case or option).\n";

/* The long export's own columns: a label may not be called like one of them. */
static const char *const long_cols[] = {
	"run", "time", "campaign", "tier", "level", "identity", "hypervisor", "accelerator",
	"workload", "case", "unit", "better", "status", "n", "median", "ci_lo", "ci_hi",
	"ci_level", "ci_reached", "note", NULL
};

struct opts {
	const char *db, *tier;
	int json, csv, wide;
	struct nb_hist_label *labels;
	size_t nlabels;
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("nestbench history: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n(nestbench history --help describes the commands)\n", stderr);
	return 2;
}

/* ---- labels ------------------------------------------------------------------------- */

static int label_key_ok(const char *k, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", k[i]))
			return 0;
	for (size_t i = 0; long_cols[i]; i++)
		if (strlen(long_cols[i]) == len && strncmp(long_cols[i], k, len) == 0)
			return 0;
	return 1;
}

/* KEY=VALUE into o->labels (pointers into arg); -1 with a message on stderr. */
static int add_label(struct opts *o, char *arg)
{
	char *eq = strchr(arg, '=');
	struct nb_hist_label *l;

	if (!eq || !label_key_ok(arg, (size_t)(eq - arg)) || strpbrk(eq + 1, "\n\r")) {
		fprintf(stderr, "nestbench history: --label %s: give KEY=VALUE, KEY of letters, "
			"digits, '_', '-', '.' and not one of the export's columns (time, run, "
			"campaign, tier, case, median, ...), VALUE on one line\n", arg);
		return -1;
	}
	*eq = '\0';
	for (size_t i = 0; i < o->nlabels; i++)
		if (strcmp(o->labels[i].key, arg) == 0) {
			fprintf(stderr, "nestbench history: --label %s given twice: give each key "
				"once\n", arg);
			return -1;
		}
	if (!(l = realloc(o->labels, (o->nlabels + 1) * sizeof(*l))))
		return -1;
	o->labels = l;
	l[o->nlabels].key = arg;
	l[o->nlabels++].value = eq + 1;
	return 0;
}

/* A run's labels (JSON object text) as "k=v, k=v", or "-". */
static void labels_text(const char *json, char *buf, size_t len)
{
	cJSON *o = cJSON_Parse(json ? json : "{}"), *it;
	size_t used = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, o)
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", used ? ", " : "",
						 it->string, cJSON_IsString(it) ? it->valuestring : "");
	cJSON_Delete(o);
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* ---- add ---------------------------------------------------------------------------- */

static int cmd_add(struct opts *o, int nfiles, char **files)
{
	char err[NB_ERR_LEN];
	struct nb_hist *h;
	int status = 0;

	if (nfiles < 1)
		return usage_error("add: give the result files to import%s", "");
	if (!(h = nb_hist_open(o->db, 1, err))) {
		fprintf(stderr, "nestbench history: %s\n", err);
		return 2;
	}
	for (int i = 0; i < nfiles; i++) {
		struct nb_hist_added a;

		if (nb_hist_add(h, files[i], o->labels, o->nlabels, &a, err)) {
			fprintf(stderr, "nestbench history: %s\n", err);
			status = 2;
		} else if (a.already) {
			printf("%s: already stored as run %lld (labels unchanged)\n", files[i], a.run);
		} else {
			printf("%s: stored as run %lld (campaign %s, started %s, %d tiers, %d cases)\n",
			       files[i], a.run, a.campaign, a.started, a.tiers, a.cases);
			if (a.other_version)
				printf("  note: run %lld is another version of the same run (same "
				       "campaign and start: resumed or still running)\n", a.other_version);
		}
	}
	nb_hist_close(h);
	return status;
}

/* ---- list --------------------------------------------------------------------------- */

struct list_ctx {
	int pass;                  /* 0: measure the columns, 1: print */
	int w[4];                  /* run, campaign, status, labels */
	int n;
};

static int list_run(const struct nb_hist_run *r, void *vctx)
{
	struct list_ctx *c = vctx;
	char id[32], labels[1024];
	int len[4];

	snprintf(id, sizeof(id), "%lld", r->id);
	labels_text(r->labels, labels, sizeof(labels));
	len[0] = (int)strlen(id);
	len[1] = (int)strlen(r->campaign);
	len[2] = (int)strlen(r->status);
	len[3] = (int)strlen(labels);
	if (c->pass == 0) {
		for (int i = 0; i < 4; i++)
			c->w[i] = len[i] > c->w[i] ? len[i] : c->w[i];
		c->n++;
		return 0;
	}
	printf("%-*s  %-20s  %-*s  %-*s  %-*s  %s\n", c->w[0], id, r->started, c->w[1],
	       r->campaign, c->w[2], r->status, c->w[3], labels, r->tiers);
	return 0;
}

static int cmd_list(struct opts *o)
{
	struct list_ctx c = { .w = { 3, 8, 6, 6 } };
	char err[NB_ERR_LEN];
	struct nb_hist *h = nb_hist_open(o->db, 0, err);
	int rc = 0;

	if (!h || nb_hist_runs(h, list_run, &c, err)) {
		fprintf(stderr, "nestbench history: %s\n", err);
		nb_hist_close(h);
		return 2;
	}
	if (c.n == 0) {
		char shown[1024];
		nb_hist_shown(o->db, shown, sizeof(shown));
		printf("no runs in the history %s: import result files with `nestbench history "
		       "add`\n", shown);
	} else {
		printf("%-*s  %-20s  %-*s  %-*s  %-*s  %s\n", c.w[0], "run", "started (UTC)", c.w[1],
		       "campaign", c.w[2], "status", c.w[3], "labels", "tiers");
		c.pass = 1;
		if (nb_hist_runs(h, list_run, &c, err)) {
			fprintf(stderr, "nestbench history: %s\n", err);
			rc = 2;
		}
	}
	nb_hist_close(h);
	return rc;
}

/* ---- show --------------------------------------------------------------------------- */

struct show_ctx {
	char tier[256], identity[256];
	int any, few;
	cJSON *json;               /* --json: the array being built */
};

static void show_head(struct show_ctx *c, const struct nb_hist_point *p)
{
	if (!c->any)
		printf("%s (workload %s; %s, %s is better)\n", p->case_key, p->workload, p->unit,
		       p->better);
	printf("\ntier %s (level %d, %s)\n", p->tier, p->level, p->identity);
	printf("%-5s  %-20s  %-16s  %4s  %12s  %-29s  %s\n", "run", "started (UTC)", "campaign",
	       "n", "median", "95 % interval of the median", "labels");
	snprintf(c->tier, sizeof(c->tier), "%s", p->tier);
	snprintf(c->identity, sizeof(c->identity), "%s", p->identity);
}

static cJSON *point_json(const struct nb_hist_point *p)
{
	cJSON *o = cJSON_CreateObject(), *labels = cJSON_Parse(p->labels ? p->labels : "{}");

	cJSON_AddNumberToObject(o, "run", (double)p->run);
	cJSON_AddStringToObject(o, "time", p->started);
	cJSON_AddStringToObject(o, "campaign", p->campaign);
	cJSON_AddItemToObject(o, "labels", labels ? labels : cJSON_CreateObject());
	cJSON_AddStringToObject(o, "tier", p->tier);
	cJSON_AddNumberToObject(o, "level", p->level);
	cJSON_AddStringToObject(o, "identity", p->identity);
	cJSON_AddStringToObject(o, "case", p->case_key);
	cJSON_AddStringToObject(o, "workload", p->workload);
	cJSON_AddStringToObject(o, "unit", p->unit);
	cJSON_AddStringToObject(o, "better", p->better);
	cJSON_AddStringToObject(o, "status", p->status);
	cJSON_AddNumberToObject(o, "n", (double)p->n);
	if (p->has_median) {
		cJSON_AddNumberToObject(o, "median", p->median);
		cJSON_AddNumberToObject(o, "ci_lo", p->ci_lo);
		cJSON_AddNumberToObject(o, "ci_hi", p->ci_hi);
	} else {
		cJSON_AddNullToObject(o, "median");
		cJSON_AddNullToObject(o, "ci_lo");
		cJSON_AddNullToObject(o, "ci_hi");
	}
	cJSON_AddNumberToObject(o, "ci_level", p->ci_level);
	cJSON_AddBoolToObject(o, "ci_reached", p->ci_reached);
	if (p->note)
		cJSON_AddStringToObject(o, "note", p->note);
	else
		cJSON_AddNullToObject(o, "note");
	return o;
}

static int show_point(const struct nb_hist_point *p, void *vctx)
{
	struct show_ctx *c = vctx;
	char labels[1024], ival[64] = "", med[32] = "";

	if (c->json) {
		cJSON_AddItemToArray(c->json, point_json(p));
		return 0;
	}
	if (!c->any || strcmp(c->tier, p->tier) != 0)
		show_head(c, p);
	c->any = 1;
	labels_text(p->labels, labels, sizeof(labels));
	if (p->has_median) {
		snprintf(med, sizeof(med), "%.6g", p->median);
		snprintf(ival, sizeof(ival), "[%.6g, %.6g]%s", p->ci_lo, p->ci_hi,
			 p->ci_reached ? "" : " *");
	}
	c->few |= p->has_median && !p->ci_reached;
	printf("%-5lld  %-20s  %-16s  %4lld  %12s  %-29s  %s\n", p->run, p->started, p->campaign,
	       p->n, med, ival, labels);
	if (!p->has_median)
		printf("       n/a: %s\n", p->note ? p->note : "no median");
	if (strcmp(c->identity, p->identity) != 0) {
		printf("       the tier is now %s (it was %s)\n", p->identity, c->identity);
		snprintf(c->identity, sizeof(c->identity), "%s", p->identity);
	}
	return 0;
}

static int cmd_show(struct opts *o, int nargs, char **args)
{
	struct show_ctx c = { .any = 0 };
	char err[NB_ERR_LEN], key[1024];
	struct nb_hist *h;
	int rc = 0;

	if (nargs != 1)
		return usage_error("show: give exactly one CASE (a case key in quotes, or a "
				   "workload)%s", "");
	if (!(h = nb_hist_open(o->db, 0, err)) ||
	    nb_hist_resolve_case(h, args[0], o->tier, key, sizeof(key), err)) {
		fprintf(stderr, "nestbench history: %s\n", err);
		nb_hist_close(h);
		return 2;
	}
	c.json = o->json ? cJSON_CreateArray() : NULL;
	if (nb_hist_points(h, key, o->tier, 0, show_point, &c, err)) {
		fprintf(stderr, "nestbench history: %s\n", err);
		rc = 2;
	} else if (c.json) {
		char *s = cJSON_Print(c.json);

		printf("%s\n", s ? s : "[]");
		free(s);
	} else if (c.few) {
		printf("\n* fewer samples than a 95 %% interval of the median needs (6): the "
		       "interval is the whole range of the samples\n");
	}
	cJSON_Delete(c.json);
	nb_hist_close(h);
	return rc;
}

/* ---- export ------------------------------------------------------------------------- */

/* A CSV field (RFC 4180): quoted when it holds a comma, quote, line break or outer
 * space, so Python's csv module and R's read.csv read it back with default options. */
static void csv_field(const char *s, int first)
{
	if (!first)
		putchar(',');
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!s[0] || s[strlen(s) - 1] != ' ')) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/* A number in the fewest digits that read back exactly (as cJSON writes them); empty
 * when absent. */
static void csv_num(double x, int has)
{
	char buf[32];

	putchar(',');
	if (!has || !isfinite(x))
		return;
	snprintf(buf, sizeof(buf), "%.15g", x);
	if (strtod(buf, NULL) != x)
		snprintf(buf, sizeof(buf), "%.17g", x);
	fputs(buf, stdout);
}

struct export_ctx {
	cJSON *keys;               /* the label columns (JSON array of strings) */
	long long run;             /* the run whose labels are parsed in `labels` */
	cJSON *labels;
	/* --wide */
	char **cols;               /* "TIER/CASE", sorted */
	size_t ncols;
	double *row;               /* the current run's medians per column (NaN: none) */
	char *time, *campaign, *row_labels;
	int pass;
};

static void free_export(struct export_ctx *c)
{
	cJSON_Delete(c->keys);
	cJSON_Delete(c->labels);
	for (size_t i = 0; i < c->ncols; i++)
		free(c->cols[i]);
	free(c->cols);
	free(c->row);
	free(c->time);
	free(c->campaign);
	free(c->row_labels);
}

/* The label columns' values for a run (labels: its JSON object text). */
static void label_fields(struct export_ctx *c, long long run, const char *labels)
{
	const cJSON *k;

	if (!c->labels || c->run != run) {
		cJSON_Delete(c->labels);
		c->labels = cJSON_Parse(labels ? labels : "{}");
		c->run = run;
	}
	cJSON_ArrayForEach(k, c->keys) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->labels, k->valuestring);

		csv_field(cJSON_IsString(v) ? v->valuestring : "", 0);
	}
}

static void long_header(struct export_ctx *c)
{
	const cJSON *k;

	csv_field("run", 1);
	csv_field("time", 0);
	csv_field("campaign", 0);
	cJSON_ArrayForEach(k, c->keys)
		csv_field(k->valuestring, 0);
	for (size_t i = 3; long_cols[i]; i++)
		csv_field(long_cols[i], 0);
	putchar('\n');
}

static int long_row(const struct nb_hist_point *p, void *vctx)
{
	struct export_ctx *c = vctx;
	char num[32];

	printf("%lld", p->run);
	csv_field(p->started, 0);
	csv_field(p->campaign, 0);
	label_fields(c, p->run, p->labels);
	csv_field(p->tier, 0);
	snprintf(num, sizeof(num), "%d", p->level);
	csv_field(num, 0);
	csv_field(p->identity, 0);
	csv_field(p->hypervisor, 0);
	csv_field(p->accelerator ? p->accelerator : "", 0);
	csv_field(p->workload, 0);
	csv_field(p->case_key, 0);
	csv_field(p->unit, 0);
	csv_field(p->better, 0);
	csv_field(p->status, 0);
	snprintf(num, sizeof(num), "%lld", p->n);
	csv_field(num, 0);
	csv_num(p->median, p->has_median);
	csv_num(p->ci_lo, p->has_median);
	csv_num(p->ci_hi, p->has_median);
	csv_num(p->ci_level, 1);
	csv_field(p->ci_reached ? "1" : "0", 0);
	csv_field(p->note ? p->note : "", 0);
	putchar('\n');
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Pass 0: the columns, every tier/case with a median somewhere. */
static int wide_collect(struct export_ctx *c, const char *col)
{
	char **p;

	for (size_t i = 0; i < c->ncols; i++)
		if (strcmp(c->cols[i], col) == 0)
			return 0;
	if (!(p = realloc(c->cols, (c->ncols + 1) * sizeof(*p))))
		return -1;
	c->cols = p;
	if (!(p[c->ncols] = strdup(col)))
		return -1;
	c->ncols++;
	return 0;
}

static void wide_flush(struct export_ctx *c)
{
	if (!c->time)
		return;
	csv_field(c->time, 1);
	printf(",%lld", c->run);
	csv_field(c->campaign, 0);
	label_fields(c, c->run, c->row_labels);
	for (size_t i = 0; i < c->ncols; i++)
		csv_num(c->row[i], !isnan(c->row[i]));
	putchar('\n');
}

static int wide_point(const struct nb_hist_point *p, void *vctx)
{
	struct export_ctx *c = vctx;
	char col[1024];
	char **hit, *key = col;

	snprintf(col, sizeof(col), "%s/%s", p->tier, p->case_key);
	if (c->pass == 0)
		return p->has_median ? wide_collect(c, col) : 0;
	if (!c->time || c->run != p->run) {
		wide_flush(c);
		free(c->time);
		free(c->campaign);
		free(c->row_labels);
		c->time = strdup(p->started);
		c->campaign = strdup(p->campaign);
		c->row_labels = strdup(p->labels ? p->labels : "{}");
		if (!c->time || !c->campaign || !c->row_labels)
			return -1;
		c->run = p->run;
		for (size_t i = 0; i < c->ncols; i++)
			c->row[i] = NAN;
	}
	hit = bsearch(&key, c->cols, c->ncols, sizeof(*c->cols), cmp_str);
	if (hit && p->has_median)
		c->row[hit - c->cols] = p->median;
	return 0;
}

static int export_wide(struct nb_hist *h, struct export_ctx *c, char err[NB_ERR_LEN])
{
	const cJSON *k;

	if (nb_hist_points(h, NULL, NULL, 1, wide_point, c, err))
		return -1;
	qsort(c->cols, c->ncols, sizeof(*c->cols), cmp_str);
	if (!(c->row = calloc(c->ncols ? c->ncols : 1, sizeof(*c->row))))
		return nb_err(err, "out of memory");
	csv_field("time", 1);
	csv_field("run", 0);
	csv_field("campaign", 0);
	cJSON_ArrayForEach(k, c->keys)
		csv_field(k->valuestring, 0);
	for (size_t i = 0; i < c->ncols; i++)
		csv_field(c->cols[i], 0);
	putchar('\n');
	c->pass = 1;
	c->run = 0;
	if (nb_hist_points(h, NULL, NULL, 1, wide_point, c, err))
		return -1;
	wide_flush(c);
	return 0;
}

static int cmd_export(struct opts *o, int nargs)
{
	struct export_ctx c = { .run = 0 };
	char err[NB_ERR_LEN], *keys = NULL;
	struct nb_hist *h;
	int rc = -1;

	if (!o->csv || nargs)
		return usage_error("export: give --csv (and --wide for a row per run), no other "
				   "arguments%s", "");
	if (!(h = nb_hist_open(o->db, 0, err)) || !(keys = nb_hist_label_keys(h, err)) ||
	    !(c.keys = cJSON_Parse(keys)))
		goto out;
	if (o->wide)
		rc = export_wide(h, &c, err);
	else {
		long_header(&c);
		rc = nb_hist_points(h, NULL, NULL, 1, long_row, &c, err);
	}
out:
	if (rc)
		fprintf(stderr, "nestbench history: %s\n", err);
	free(keys);
	free_export(&c);
	nb_hist_close(h);
	return rc ? 2 : 0;
}

/* ---- the command -------------------------------------------------------------------- */

int nb_cmd_history(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },   { "label", required_argument, NULL, 'l' },
		{ "tier", required_argument, NULL, 't' }, { "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },        { "wide", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },       { 0 }
	};
	const char *env = getenv("NESTBENCH_HISTORY"), *sub;
	struct opts o = { .db = env && env[0] ? env : DEFAULT_DB };
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "check") == 0)
		return nb_hist_check_cmd(argc, argv, o.db);
	if (strcmp(sub, "plot") == 0)
		return nb_hist_plot_cmd(argc, argv, o.db);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db = optarg; break;
		case 'l':
			if (add_label(&o, optarg)) {
				free(o.labels);
				return 2;
			}
			break;
		case 't': o.tier = optarg; break;
		case 'j': o.json = 1; break;
		case 'c': o.csv = 1; break;
		case 'w': o.wide = 1; break;
		case 'h': fputs(usage, stdout); free(o.labels); return 0;
		default: fputs(usage, stderr); free(o.labels); return 2;
		}
	}
	if (o.nlabels && strcmp(sub, "add") != 0)
		rc = usage_error("--label is for `history add`%s", "");
	else if (strcmp(sub, "add") == 0)
		rc = cmd_add(&o, argc - optind, argv + optind);
	else if (strcmp(sub, "list") == 0)
		rc = argc - optind ? usage_error("list takes no arguments%s", "") : cmd_list(&o);
	else if (strcmp(sub, "show") == 0)
		rc = cmd_show(&o, argc - optind, argv + optind);
	else if (strcmp(sub, "export") == 0)
		rc = cmd_export(&o, argc - optind);
	else
		rc = usage_error("unknown action '%s' (add, list, show, export, check or plot)", sub);
	free(o.labels);
	return rc;
}
