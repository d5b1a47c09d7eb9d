/* check.c - `nestbench history check`: the change points of every series of the history
 * (check.h), each judged against a threshold in the case's own direction, and an exit
 * status a CI job can act on.  The series walk is shared with plot.c. */
#include "check.h"
#include "store.h"
#include "../common/err.h"
#include "../common/units.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the runs: file and binary per run id ------------------------------------------- */

struct run_info {
	long long id;
	char *file, *work;
};

struct runs {
	struct run_info *v;
	size_t n, cap;
};

static int runs_add(const struct nb_hist_run *r, void *vctx)
{
	struct runs *rs = vctx;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 64;
		struct run_info *v = realloc(rs->v, cap * sizeof(*v));

		if (!v)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n].id = r->id;
	rs->v[rs->n].file = strdup(r->path ? r->path : "");
	rs->v[rs->n].work = strdup(r->work_sha256 ? r->work_sha256 : "");
	rs->n++;
	return rs->v[rs->n - 1].file && rs->v[rs->n - 1].work ? 0 : -1;
}

static int cmp_run(const void *a, const void *b)
{
	long long x = ((const struct run_info *)a)->id, y = ((const struct run_info *)b)->id;

	return (x > y) - (x < y);
}

static void runs_free(struct runs *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].file);
		free(rs->v[i].work);
	}
	free(rs->v);
}

static const struct run_info *run_find(const struct runs *rs, long long id)
{
	struct run_info key = { .id = id };

	return bsearch(&key, rs->v, rs->n, sizeof(*rs->v), cmp_run);
}

/* ---- a series ----------------------------------------------------------------------- */

static void series_clear(struct nb_hc_series *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct nb_hc_point *p = &s->pts[i];

		free(p->time);
		free(p->labels);
		free(p->file);
		free(p->identity);
		free(p->work);
	}
	free(s->pts);
	free(s->breaks);
	free(s->cps);
	free(s->tier);
	free(s->case_key);
	free(s->unit);
	free(s->better);
	memset(s, 0, sizeof(*s));
}

static int series_start(struct nb_hc_series *s, const struct nb_hist_point *p)
{
	s->tier = strdup(p->tier);
	s->case_key = strdup(p->case_key);
	s->unit = strdup(p->unit ? p->unit : "");
	s->better = strdup(p->better ? p->better : "lower");
	s->level = p->level;
	return s->tier && s->case_key && s->unit && s->better ? 0 : -1;
}

static int series_push(struct nb_hc_series *s, const struct nb_hist_point *p,
		       const struct runs *rs)
{
	const struct run_info *ri = run_find(rs, p->run);
	struct nb_hc_point *q;

	if (!p->has_median || !isfinite(p->median)) {
		s->skipped++;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 32;

		if (!(q = realloc(s->pts, cap * sizeof(*q))))
			return -1;
		s->pts = q;
		s->cap = cap;
	}
	q = &s->pts[s->n++];
	q->run = p->run;
	q->median = p->median;
	q->lo = p->ci_lo;
	q->hi = p->ci_hi;
	q->time = strdup(p->started);
	q->labels = strdup(p->labels ? p->labels : "{}");
	q->identity = strdup(p->identity ? p->identity : "unknown");
	q->file = strdup(ri ? ri->file : "");
	q->work = strdup(ri ? ri->work : "");
	return q->time && q->labels && q->identity && q->file && q->work ? 0 : -1;
}

/* Breaks: where the tier's identity or the binary differs from the run before. */
static int series_breaks(struct nb_hc_series *s)
{
	size_t start = 0;

	if (s->n > 1 && !(s->breaks = calloc(s->n, sizeof(*s->breaks))))
		return -1;
	for (size_t i = 1; i < s->n; i++) {
		const struct nb_hc_point *a = &s->pts[i - 1], *b = &s->pts[i];
		struct nb_hc_break *k = &s->breaks[s->n_breaks];

		if (strcmp(a->identity, b->identity) != 0)
			snprintf(k->why, sizeof(k->why), "the tier is now %s (it was %s)",
				 b->identity, a->identity);
		else if (strcmp(a->work, b->work) != 0)
			snprintf(k->why, sizeof(k->why), "another nestbench-work binary (sha256 "
				 "%.12s, it was %.12s)", b->work, a->work);
		else
			continue;
		k->index = i;
		s->n_breaks++;
		s->longest = i - start > s->longest ? i - start : s->longest;
		start = i;
	}
	s->longest = s->n - start > s->longest ? s->n - start : s->longest;
	return 0;
}

size_t nb_hc_runs_needed(void)
{
	return 2 * NB_CP_MIN_SEG;
}

/* Breaks and change points of a collected series. */
static int series_analyse(struct nb_hc_series *s, uint64_t seed, char err[NB_ERR_LEN])
{
	size_t *at = NULL, cap;
	double *x;
	struct nb_rng rng;
	char key[1024];
	struct nb_cp_opts opts = { 0 };

	if (series_breaks(s))
		return nb_err(err, "out of memory");
	s->checked = s->longest >= nb_hc_runs_needed();
	if (!s->checked)
		return 0;
	cap = s->n / NB_CP_MIN_SEG + 1;
	x = malloc(s->n * sizeof(*x));
	at = malloc((s->n_breaks + 1) * sizeof(*at));
	s->cps = calloc(cap, sizeof(*s->cps));
	if (!x || !at || !s->cps) {
		free(x);
		free(at);
		return nb_err(err, "out of memory");
	}
	for (size_t i = 0; i < s->n; i++)
		x[i] = s->pts[i].median;
	for (size_t i = 0; i < s->n_breaks; i++)
		at[i] = s->breaks[i].index;
	snprintf(key, sizeof(key), "%s/%s", s->tier, s->case_key);
	nb_rng_seed_key(&rng, seed, key);
	s->n_cps = nb_changepoints(x, s->n, at, s->n_breaks, &opts, &rng, s->cps, cap, err);
	free(x);
	free(at);
	return s->n_cps < 0 ? -1 : 0;
}

/* ---- the walk ----------------------------------------------------------------------- */

struct walk {
	struct runs runs;
	struct nb_hc_series cur;
	uint64_t seed;
	nb_hc_series_cb cb;
	void *ctx;
	char *err;
	int failed;                   /* err is set */
};

static int walk_flush(struct walk *w)
{
	int rc = 0;

	if (w->cur.tier) {
		if (series_analyse(&w->cur, w->seed, w->err)) {
			w->failed = 1;
			rc = -1;
		} else {
			rc = w->cb(&w->cur, w->ctx);
		}
	}
	series_clear(&w->cur);
	return rc;
}

static int walk_point(const struct nb_hist_point *p, void *vctx)
{
	struct walk *w = vctx;
	int rc;

	if (!w->cur.tier || strcmp(w->cur.tier, p->tier) != 0 ||
	    strcmp(w->cur.case_key, p->case_key) != 0) {
		if ((rc = walk_flush(w)))
			return rc;
		if (series_start(&w->cur, p)) {
			w->failed = 1;
			return nb_err(w->err, "out of memory");
		}
	}
	if (series_push(&w->cur, p, &w->runs)) {
		w->failed = 1;
		return nb_err(w->err, "out of memory");
	}
	return 0;
}

int nb_hc_each_series(struct nb_hist *h, const char *case_key, const char *tier,
		      uint64_t seed, nb_hc_series_cb cb, void *ctx, char err[NB_ERR_LEN])
{
	struct walk w = { .seed = seed, .cb = cb, .ctx = ctx, .err = err };
	int rc;

	if ((rc = nb_hist_runs(h, runs_add, &w.runs, err)) != 0) {
		runs_free(&w.runs);
		return rc < 0 ? -1 : nb_err(err, "out of memory");
	}
	qsort(w.runs.v, w.runs.n, sizeof(*w.runs.v), cmp_run);
	rc = nb_hist_points(h, case_key, tier, 0, walk_point, &w, err);
	if (rc == 0)
		rc = walk_flush(&w);
	series_clear(&w.cur);
	runs_free(&w.runs);
	if (rc && !w.failed && rc != -1)
		return rc;            /* the caller's callback stopped the walk */
	return rc ? -1 : 0;
}

/* ---- history check ------------------------------------------------------------------ */

struct check_opts {
	const char *db, *tier, *case_name;
	double threshold;             /* percent */
	size_t last;
	uint64_t seed;
	int json;
};

struct report {
	const struct check_opts *o;
	cJSON *changes, *breaks, *short_series;
	size_t series, checked, regressions;
	size_t longest;               /* the longest piece of any series */
};

/* regression / improvement / below threshold: worse (better) by more than the threshold
 * over the whole interval of the change's size, in the case's direction. */
static const char *verdict(const struct nb_changepoint *c, int lower_better, double thr)
{
	double lo = c->lo, hi = c->hi;

	if (!isfinite(lo) || !isfinite(hi))
		lo = hi = c->rel;     /* no interval (a value <= 0): the size alone */
	if (lower_better ? lo > thr : hi < -thr)
		return "regression";
	if (lower_better ? hi < -thr : lo > thr)
		return "improvement";
	return "below threshold";
}

static void add_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *change_json(const struct nb_hc_series *s, const struct nb_changepoint *c,
			  const struct check_opts *o)
{
	const struct nb_hc_point *p = &s->pts[c->index];
	cJSON *j = cJSON_CreateObject(), *labels = cJSON_Parse(p->labels);
	const char *v = verdict(c, strcmp(s->better, "higher") != 0, o->threshold / 100);

	cJSON_AddStringToObject(j, "tier", s->tier);
	cJSON_AddStringToObject(j, "case", s->case_key);
	cJSON_AddStringToObject(j, "unit", s->unit);
	cJSON_AddStringToObject(j, "better", s->better);
	cJSON_AddNumberToObject(j, "run", (double)p->run);
	cJSON_AddStringToObject(j, "time", p->time);
	cJSON_AddStringToObject(j, "file", p->file);
	cJSON_AddItemToObject(j, "labels", labels ? labels : cJSON_CreateObject());
	cJSON_AddNumberToObject(j, "runs_before", (double)(c->index - c->start));
	cJSON_AddNumberToObject(j, "runs_after", (double)(c->end - c->index));
	add_num(j, "median_before", c->median_before);
	add_num(j, "median_after", c->median_after);
	add_num(j, "rel", c->rel);
	add_num(j, "rel_lo", c->lo);
	add_num(j, "rel_hi", c->hi);
	cJSON_AddNumberToObject(j, "level", c->level);
	cJSON_AddNumberToObject(j, "p", c->p);
	cJSON_AddNumberToObject(j, "permutations", c->perms);
	cJSON_AddStringToObject(j, "verdict", v);
	cJSON_AddBoolToObject(j, "recent", c->index + o->last >= s->n);
	return j;
}

static void report_breaks(struct report *r, const struct nb_hc_series *s)
{
	for (size_t i = 0; i < s->n_breaks; i++) {
		const struct nb_hc_point *p = &s->pts[s->breaks[i].index];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "tier", s->tier);
		cJSON_AddStringToObject(j, "case", s->case_key);
		cJSON_AddNumberToObject(j, "run", (double)p->run);
		cJSON_AddStringToObject(j, "time", p->time);
		cJSON_AddStringToObject(j, "why", s->breaks[i].why);
		cJSON_AddItemToArray(r->breaks, j);
	}
}

static int report_series(const struct nb_hc_series *s, void *vctx)
{
	struct report *r = vctx;

	r->series++;
	r->longest = s->longest > r->longest ? s->longest : r->longest;
	report_breaks(r, s);
	if (!s->checked) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "tier", s->tier);
		cJSON_AddStringToObject(j, "case", s->case_key);
		cJSON_AddNumberToObject(j, "runs", (double)s->n);
		cJSON_AddNumberToObject(j, "longest_piece", (double)s->longest);
		cJSON_AddItemToArray(r->short_series, j);
		return 0;
	}
	r->checked++;
	for (int i = 0; i < s->n_cps; i++) {
		cJSON *j = change_json(s, &s->cps[i], r->o);

		if (cJSON_IsTrue(cJSON_GetObjectItem(j, "recent")) &&
		    strcmp(cJSON_GetObjectItem(j, "verdict")->valuestring, "regression") == 0)
			r->regressions++;
		cJSON_AddItemToArray(r->changes, j);
	}
	return 0;
}

/* ---- the report's text -------------------------------------------------------------- */

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* A Markdown table cell: '|' escaped, line breaks as spaces. */
static void md_cell(const char *s)
{
	fputs("| ", stdout);
	for (; *s; s++) {
		if (*s == '|')
			putchar('\\');
		putchar(*s == '\n' || *s == '\r' ? ' ' : *s);
	}
	putchar(' ');
}

static void labels_line(const cJSON *labels, char *buf, size_t len)
{
	const cJSON *it;
	size_t used = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, labels)
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", used ? ", " : "",
						 it->string, cJSON_IsString(it) ? it->valuestring : "");
	if (!buf[0])
		snprintf(buf, len, "-");
}

static void pct(double v, char *buf, size_t len)
{
	if (isfinite(v))
		snprintf(buf, len, "%+.1f %%", 100 * v);
	else
		snprintf(buf, len, "n/a");
}

static void md_change(const cJSON *c)
{
	char labels[1024], size[32], lo[32], hi[32], ival[80], run[32], p[32], v[64];
	int recent = cJSON_IsTrue(cJSON_GetObjectItem(c, "recent"));

	labels_line(cJSON_GetObjectItem(c, "labels"), labels, sizeof(labels));
	pct(jnum(c, "rel"), size, sizeof(size));
	pct(jnum(c, "rel_lo"), lo, sizeof(lo));
	pct(jnum(c, "rel_hi"), hi, sizeof(hi));
	snprintf(ival, sizeof(ival), isfinite(jnum(c, "rel_lo")) ? "[%s, %s]" : "n/a (a value <= 0)",
		 lo, hi);
	snprintf(run, sizeof(run), "%.0f", jnum(c, "run"));
	snprintf(p, sizeof(p), "%.3g", jnum(c, "p"));
	snprintf(v, sizeof(v), "%s%s", strcmp(jstr(c, "verdict"), "regression") == 0 && recent ?
		 "**regression**" : jstr(c, "verdict"), recent ? "" : " (older)");
	md_cell(jstr(c, "tier"));
	md_cell(jstr(c, "case"));
	md_cell(run);
	md_cell(jstr(c, "time"));
	md_cell(labels);
	md_cell(size);
	md_cell(ival);
	md_cell(p);
	md_cell(v);
	md_cell(jstr(c, "file"));
	puts("|");
}

static void md_short(const struct report *r)
{
	const cJSON *s;
	size_t n = (size_t)cJSON_GetArraySize(r->short_series), shown = 0;

	if (!n)
		return;
	printf("\n%zu series not checked: fewer than %zu runs without a break (a change is "
	       "found only with %d runs on each side of it):", n, nb_hc_runs_needed(), NB_CP_MIN_SEG);
	cJSON_ArrayForEach(s, r->short_series)
		if (shown++ < 12 && jnum(s, "runs") == 0)
			printf("%s %s / %s (no run with a median)", shown > 1 ? ";" : "",
			       jstr(s, "tier"), jstr(s, "case"));
		else if (shown <= 12)
			printf("%s %s / %s (%.0f runs, longest piece %.0f)", shown > 1 ? ";" : "",
			       jstr(s, "tier"), jstr(s, "case"), jnum(s, "runs"), jnum(s, "longest_piece"));
	printf("%s\n", n > 12 ? "; ..." : ".");
}

static int same_break(const cJSON *a, const cJSON *b)
{
	return strcmp(jstr(a, "tier"), jstr(b, "tier")) == 0 && jnum(a, "run") == jnum(b, "run") &&
	       strcmp(jstr(a, "why"), jstr(b, "why")) == 0;
}

/* A line per tier and run where series split, however many of its cases split there. */
static void md_breaks(const struct report *r)
{
	const cJSON *c, *d;

	if (cJSON_GetArraySize(r->breaks))
		puts("\nSeries split (nothing is compared across a split):\n");
	cJSON_ArrayForEach(c, r->breaks) {
		int first = 1, n = 0;

		for (d = r->breaks->child; d != c && first; d = d->next)
			first = !same_break(c, d);
		if (!first)
			continue;
		for (d = c; d; d = d->next)
			n += same_break(c, d);
		printf("- %s at run %.0f (%s), %d case%s (%s%s): %s\n", jstr(c, "tier"),
		       jnum(c, "run"), jstr(c, "time"), n, n > 1 ? "s" : "", jstr(c, "case"),
		       n > 1 ? ", ..." : "", jstr(c, "why"));
	}
}

static void print_md(const struct report *r)
{
	const struct check_opts *o = r->o;
	const cJSON *c;

	printf("## nestbench history check\n\n%zu series (tier × case), %zu checked; a "
	       "regression is a change worse by more than %g %% over its whole 95 %% interval, "
	       "reported when it is in the newest %zu runs of its series (seed %llu).\n\n",
	       r->series, r->checked, o->threshold, o->last, (unsigned long long)o->seed);
	if (cJSON_GetArraySize(r->changes) == 0) {
		puts("No change point.");
	} else {
		puts("| tier | case | run | time (UTC) | labels | change | 95 % interval | p | "
		     "verdict | file |");
		puts("| --- | --- | ---: | --- | --- | ---: | --- | ---: | --- | --- |");
		cJSON_ArrayForEach(c, r->changes)
			md_change(c);
	}
	md_breaks(r);
	md_short(r);
}

static void print_json(const struct report *r)
{
	cJSON *j = cJSON_CreateObject();
	char *s;

	cJSON_AddNumberToObject(j, "threshold_pct", r->o->threshold);
	cJSON_AddNumberToObject(j, "last", (double)r->o->last);
	cJSON_AddNumberToObject(j, "seed", (double)r->o->seed);
	cJSON_AddNumberToObject(j, "runs_needed", (double)nb_hc_runs_needed());
	cJSON_AddNumberToObject(j, "series", (double)r->series);
	cJSON_AddNumberToObject(j, "series_checked", (double)r->checked);
	cJSON_AddNumberToObject(j, "regressions", (double)r->regressions);
	cJSON_AddItemReferenceToObject(j, "changes", r->changes);
	cJSON_AddItemReferenceToObject(j, "breaks", r->breaks);
	cJSON_AddItemReferenceToObject(j, "not_checked", r->short_series);
	s = cJSON_Print(j);
	printf("%s\n", s ? s : "{}");
	free(s);
	cJSON_Delete(j);
}

/* Each recent regression on stderr, for a CI log. */
static void name_regressions(const struct report *r)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, r->changes) {
		char labels[1024], size[32];

		if (!cJSON_IsTrue(cJSON_GetObjectItem(c, "recent")) ||
		    strcmp(jstr(c, "verdict"), "regression") != 0)
			continue;
		labels_line(cJSON_GetObjectItem(c, "labels"), labels, sizeof(labels));
		pct(jnum(c, "rel"), size, sizeof(size));
		fprintf(stderr, "nestbench history check: regression: %s / %s: %s (%s is better) "
			"from run %.0f (%s, %s, %s)\n", jstr(c, "tier"), jstr(c, "case"), size,
			jstr(c, "better"), jnum(c, "run"), jstr(c, "time"), labels, jstr(c, "file"));
	}
}

/* ---- options ------------------------------------------------------------------------ */

static const char check_usage[] =
	"usage: nestbench history check [--db PATH] [--threshold PCT] [--last N] [--tier T]\n"
	"                               [--case KEY] [--format md|json] [--seed N]\n"
	"\n"
	"The change points of every series (tier x case) of the history: E-divisive means on\n"
	"the runs' medians in run-time order, split where the tier's identity or the\n"
	"nestbench-work binary changed (nothing is compared across such a break).\n"
	"\n"
	"  --threshold PCT   a regression is worse by more than PCT % over the whole interval\n"
	"                    of the change's size (default 5)\n"
	"  --last N          fail on a regression in the newest N runs of a series (default\n"
	"                    4: a change is found once 4 runs follow it)\n"
	"  --tier T, --case KEY   only this tier, this case (a key or a single-case workload)\n"
	"  --format md|json  a Markdown table (default) or JSON\n"
	"  --seed N          the permutation test's seed (default 20261206)\n"
	"\n"
	"Exit status: 0 no regression in the newest N runs, 1 a regression there (each named\n"
	"on stderr), 2 bad input (no database, unknown case or tier, bad option), 3 nothing\n"
	"could be checked (every series too short).\n";

static int check_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "nestbench history check: %s%s\n(nestbench history check --help "
		"describes the options)\n", what, arg);
	return 2;
}

static int parse_check(int argc, char **argv, struct check_opts *o)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },      { "threshold", required_argument, NULL, 'T' },
		{ "last", required_argument, NULL, 'n' },    { "tier", required_argument, NULL, 't' },
		{ "case", required_argument, NULL, 'c' },    { "format", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 's' },    { "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint64_t u;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 't': o->tier = optarg; break;
		case 'c': o->case_name = optarg; break;
		case 'T':
			o->threshold = strtod(optarg, &end);
			if (end == optarg || *end || !(o->threshold >= 0) || o->threshold > 1000)
				return check_usage_error("--threshold takes a percentage >= 0, e.g. 5: ",
							 optarg);
			break;
		case 'n':
			if (nb_parse_u64(optarg, &u) || u < 1 || u > 1000000)
				return check_usage_error("--last takes a number of runs >= 1: ", optarg);
			o->last = (size_t)u;
			break;
		case 's':
			if (nb_parse_u64(optarg, &o->seed))
				return check_usage_error("--seed takes a whole number: ", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "md") && strcmp(optarg, "json"))
				return check_usage_error("--format is md or json, not ", optarg);
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'h': fputs(check_usage, stdout); return 0;
		default: fputs(check_usage, stderr); return 2;
		}
	}
	if (optind < argc)
		return check_usage_error("check takes no arguments (name a case with --case): ",
					 argv[optind]);
	return -1;
}

/* --case resolved into key (NULL: every case); 2 with a message when unknown. */
static int check_scope(struct nb_hist *h, const struct check_opts *o, char *key, size_t len,
		       const char **out)
{
	char err[NB_ERR_LEN];

	*out = NULL;
	if (o->case_name) {
		if (nb_hist_resolve_case(h, o->case_name, o->tier, key, len, err)) {
			fprintf(stderr, "nestbench history check: %s\n", err);
			return 2;
		}
		*out = key;
	}
	return 0;
}

/* The exit status of a finished report. */
static int check_status(const struct report *r, const struct check_opts *o)
{
	char shown[1024];

	nb_hist_shown(o->db, shown, sizeof(shown));   /* no password in a message */
	if (r->series == 0 && o->tier) {
		fprintf(stderr, "nestbench history check: no tier \"%s\" in the history %s: check "
			"its name with `nestbench history list`\n", o->tier, shown);
		return 2;
	}
	o->json ? print_json(r) : print_md(r);
	if (r->series == 0) {
		fprintf(stderr, "nestbench history check: the history %s holds no runs with a "
			"median: import result files with `nestbench history add`\n", shown);
		return 3;
	}
	if (r->checked == 0) {
		fprintf(stderr, "nestbench history check: nothing could be checked: every series "
			"has fewer than %zu runs without a break (%d on each side of a change), the "
			"longest %zu: add runs%s\n", nb_hc_runs_needed(), NB_CP_MIN_SEG, r->longest,
			cJSON_GetArraySize(r->breaks) ? " (the splits listed above shorten the "
			"series)" : "");
		return 3;
	}
	if (o->last < NB_CP_MIN_SEG)
		fprintf(stderr, "nestbench history check: note: a change is found once %d runs "
			"follow it: --last %zu cannot see one in the newest %zu runs\n", NB_CP_MIN_SEG,
			o->last, o->last);
	name_regressions(r);
	return r->regressions ? 1 : 0;
}

int nb_hist_check_cmd(int argc, char **argv, const char *db)
{
	struct check_opts o = { .db = db, .threshold = 5, .last = NB_CP_MIN_SEG,
				.seed = NB_HIST_CHECK_SEED };
	struct report r = { .o = &o };
	char err[NB_ERR_LEN], key[1024];
	const char *case_key;
	struct nb_hist *h;
	int rc = parse_check(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (!(h = nb_hist_open(o.db, 0, err))) {
		fprintf(stderr, "nestbench history check: %s\n", err);
		return 2;
	}
	if ((rc = check_scope(h, &o, key, sizeof(key), &case_key))) {
		nb_hist_close(h);
		return rc;
	}
	r.changes = cJSON_CreateArray();
	r.breaks = cJSON_CreateArray();
	r.short_series = cJSON_CreateArray();
	if (nb_hc_each_series(h, case_key, o.tier, o.seed, report_series, &r, err)) {
		fprintf(stderr, "nestbench history check: %s\n", err);
		rc = 2;
	} else {
		rc = check_status(&r, &o);
	}
	cJSON_Delete(r.changes);
	cJSON_Delete(r.breaks);
	cJSON_Delete(r.short_series);
	nb_hist_close(h);
	return rc;
}
