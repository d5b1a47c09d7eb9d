/* compare_format.c - `nestbench compare` output: Markdown for a CI job summary or a
 * pull-request comment (verdict first, then benchstat's table), or JSON
 * ("schema": "nestbench-compare", version 1). */
#include "compare.h"
#include "report_json.h"
#include "report_text.h"
#include "../common/records.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <string.h>

int nb_compare_format_parse(const char *s, enum nb_compare_format *f)
{
	if (strcmp(s, "md") == 0 || strcmp(s, "markdown") == 0)
		*f = NB_CMP_MD;
	else if (strcmp(s, "json") == 0)
		*f = NB_CMP_JSON;
	else
		return -1;
	return 0;
}

/* "2.935 ± 1 %": the median and its order-statistic interval as a share of it. */
static void median_text(const struct nb_ci *ci, char *buf, size_t len)
{
	char v[NB_NUM];
	double h = fmax(ci->point - ci->lo, ci->hi - ci->point) / fabs(ci->point) * 100;

	nb_fmt_value(ci->point, v, sizeof(v));
	if (!ci->reached)
		snprintf(buf, len, "%s ± ∞", v);
	else
		snprintf(buf, len, "%s ± %.*f %%", v, h < 9.95 ? 1 : 0, h);
}

static const char *verdict_text(const struct nb_compare_row *r)
{
	int higher = nb_compare_case(r)->better == NB_STATS_HIGHER_BETTER;

	switch (r->v) {
	case NB_V_REGRESSION: return "**regression**";
	case NB_V_WORSE: return higher ? "lower throughput" : "slower";
	case NB_V_BETTER: return higher ? "higher throughput" : "faster";
	case NB_V_TOO_FEW: return "too few samples";
	case NB_V_SAME: return "";
	case NB_V_NA: break;
	}
	return "not compared";
}

static void md_regressions(const struct nb_compare *c, FILE *out)
{
	char pt[NB_NUM];

	if (!c->n_regressions) {
		fprintf(out, "### nestbench compare: no regression\n\nNo workload is significantly worse "
			"(Mann-Whitney p < %g) by more than %g %%; %zu compared.\n\n", c->o.alpha,
			c->o.threshold * 100, c->n_compared);
		return;
	}
	fprintf(out, "### nestbench compare: %zu regression%s\n\nSignificantly worse (Mann-Whitney "
		"p < %g) by more than %g %%:\n\n", c->n_regressions, c->n_regressions == 1 ? "" : "s",
		c->o.alpha, c->o.threshold * 100);
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct nb_compare_row *r = &c->rows[i];

		if (r->v != NB_V_REGRESSION)
			continue;
		nb_fmt_pct(r->d.point, pt, sizeof(pt));
		fputs("- `", out);
		nb_put_md(out, r->old_c->key);
		fputs("` on ", out);
		nb_put_md(out, r->tier);
		fprintf(out, ": %s %% in %s, %s is better (p = %.3g)\n", pt, r->old_c->unit,
			r->old_c->better == NB_STATS_HIGHER_BETTER ? NB_BETTER_HIGHER : NB_BETTER_LOWER, r->mwu.p);
	}
	fputc('\n', out);
}

static void md_row(const struct nb_compare_row *r, FILE *out)
{
	const struct nb_rs_case *k = nb_compare_case(r);
	char o[NB_NUM * 2], n[NB_NUM * 2], pt[NB_NUM], hw[NB_NUM];

	const char *lead[] = { r->tier, k->key, k->unit };

	fputs("| ", out);
	nb_put_joined(out, nb_put_md, " | ", lead, 3);
	if (r->v == NB_V_NA) {
		fputs(" | | | | | not compared: ", out);
		nb_put_md(out, r->why);
		fputs(" |\n", out);
		return;
	}
	median_text(&r->old_ci, o, sizeof(o));
	median_text(&r->new_ci, n, sizeof(n));
	nb_fmt_pct(r->d.point, pt, sizeof(pt));
	nb_fmt_halfwidth(&r->d, hw, sizeof(hw));
	fprintf(out, " | %s | %s | ", o, n);
	if (r->v == NB_V_SAME || r->v == NB_V_TOO_FEW)
		fputs("~", out);
	else
		fprintf(out, "%s %% ± %s", pt, hw);
	fprintf(out, " | %.3f | %s |\n", r->mwu.p, verdict_text(r));
}

static void md_notes(const struct nb_compare *c, FILE *out)
{
	const struct nb_resultset *rs = c->rs;
	size_t few = 0;

	fputc('\n', out);
	for (size_t f = 0; f < 2; f++) {
		fprintf(out, "- %s = ", f ? "NEW" : "BASE");
		nb_put_md(out, rs->files[f].path);
		fprintf(out, ": campaign %s, started %s, nestbench-work sha256 %s\n", rs->files[f].campaign,
			rs->files[f].started, rs->files[f].work_sha256[0] ? rs->files[f].work_sha256 : "unknown");
	}
	fprintf(out, "- Δ: median(NEW) / median(BASE) − 1, ± the larger half of its %g %% percentile-bootstrap "
		"interval (%u resamples, seed %llu); ~: no significant difference (p ≥ %g). p: two-sided "
		"Mann-Whitney U test. A median's ± is its %g %% order-statistic interval as a share of it.\n",
		c->o.level * 100, c->o.resamples, (unsigned long long)c->o.seed, c->o.alpha,
		c->o.level * 100);
	for (size_t i = 0; i < c->n_rows; i++)
		few += c->rows[i].v == NB_V_TOO_FEW;
	if (few)
		fprintf(out, "- %zu comparison%s had too few samples to ever reach p < %g (e.g. 3 against 3 "
			"cannot go below p = 0.1): run more repetitions.\n", few, few == 1 ? "" : "s",
			c->o.alpha);
}

static void md_write(const struct nb_compare *c, FILE *out)
{
	char pt[NB_NUM];

	md_regressions(c, out);
	fputs("| Tier | Workload | Unit | BASE | NEW | Δ | p | |\n"
	      "| :--- | :--- | :--- | ---: | ---: | ---: | ---: | :--- |\n", out);
	for (size_t i = 0; i < c->n_rows; i++)
		md_row(&c->rows[i], out);
	for (size_t g = 0; g < c->n_geo; g++) {
		nb_fmt_pct(c->geo[g].delta, pt, sizeof(pt));
		fputs("| ", out);
		nb_put_md(out, c->geo[g].tier);
		fprintf(out, " | **geomean** (%zu workloads) | | | | %s %% | | |\n", c->geo[g].n, pt);
	}
	md_notes(c, out);
}

/* ---- JSON --------------------------------------------------------------------------- */

static cJSON *side_json(const struct nb_rs_case *k, const struct nb_ci *ci)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "median", ci->point);
	cJSON_AddNumberToObject(o, "n", (double)k->n);
	cJSON_AddNumberToObject(o, "median_ci_lo", ci->lo);
	cJSON_AddNumberToObject(o, "median_ci_hi", ci->hi);
	cJSON_AddBoolToObject(o, "median_ci_reached", ci->reached);
	return o;
}

static cJSON *row_json(const struct nb_compare_row *r)
{
	const struct nb_rs_case *k = nb_compare_case(r);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "tier", r->tier);
	cJSON_AddStringToObject(o, "key", k->key);
	cJSON_AddStringToObject(o, "family", k->family);
	cJSON_AddStringToObject(o, "unit", k->unit);
	cJSON_AddStringToObject(o, "better", k->better == NB_STATS_HIGHER_BETTER ? NB_BETTER_HIGHER : NB_BETTER_LOWER);
	cJSON_AddStringToObject(o, "verdict", nb_verdict_name(r->v));
	if (r->v == NB_V_NA) {
		cJSON_AddStringToObject(o, "reason", r->why ? r->why : "");
		return o;
	}
	cJSON_AddItemToObject(o, "base", side_json(r->old_c, &r->old_ci));
	cJSON_AddItemToObject(o, "new", side_json(r->new_c, &r->new_ci));
	cJSON_AddNumberToObject(o, "delta_pct", r->d.point * 100);
	cJSON_AddNumberToObject(o, "ci_lo_pct", r->d.lo * 100);
	cJSON_AddNumberToObject(o, "ci_hi_pct", r->d.hi * 100);
	cJSON_AddNumberToObject(o, "p", r->mwu.p);
	cJSON_AddNumberToObject(o, "u", r->mwu.u);
	cJSON_AddStringToObject(o, "test", nb_mwu_method_name(r->mwu.method));
	cJSON_AddBoolToObject(o, "too_few", r->mwu.too_few);
	return o;
}

static int json_write(const struct nb_compare *c, FILE *out, char *err)
{
	cJSON *doc = cJSON_CreateObject(), *rows = cJSON_CreateArray(), *geo = cJSON_CreateArray();
	char seed[24];

	cJSON_AddStringToObject(doc, "schema", "nestbench-compare");
	cJSON_AddNumberToObject(doc, "schema_version", 1);
	cJSON_AddItemToObject(doc, "base", nb_json_file(&c->rs->files[0]));
	cJSON_AddItemToObject(doc, "new", nb_json_file(&c->rs->files[1]));
	cJSON_AddNumberToObject(doc, "threshold_pct", c->o.threshold * 100);
	cJSON_AddNumberToObject(doc, "alpha", c->o.alpha);
	cJSON_AddNumberToObject(doc, "level", c->o.level);
	cJSON_AddNumberToObject(doc, "resamples", c->o.resamples);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)c->o.seed);
	cJSON_AddStringToObject(doc, "seed", seed);
	cJSON_AddNumberToObject(doc, "compared", (double)c->n_compared);
	cJSON_AddNumberToObject(doc, "regressions", (double)c->n_regressions);
	for (size_t i = 0; i < c->n_rows; i++)
		cJSON_AddItemToArray(rows, row_json(&c->rows[i]));
	cJSON_AddItemToObject(doc, "rows", rows);
	for (size_t g = 0; g < c->n_geo; g++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "tier", c->geo[g].tier);
		cJSON_AddNumberToObject(o, "geomean_delta_pct", c->geo[g].delta * 100);
		cJSON_AddNumberToObject(o, "n", (double)c->geo[g].n);
		cJSON_AddItemToArray(geo, o);
	}
	cJSON_AddItemToObject(doc, "geomean", geo);
	return nb_json_print(doc, out, "the comparison", err);
}

int nb_compare_write(const struct nb_compare *c, enum nb_compare_format f, FILE *out, char *err)
{
	if (f == NB_CMP_JSON) {
		if (json_write(c, out, err))
			return -1;
	} else {
		md_write(c, out);
	}
	if (fflush(out) || ferror(out)) {
		snprintf(err, NB_RS_ERR, "cannot write the comparison: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}
