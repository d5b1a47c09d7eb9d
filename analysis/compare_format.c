/* compare_format.c - `nestbench compare` output: Markdown for a CI job summary or a
 * pull-request comment (the gate's outcome first, then every cell with its interval,
 * n, outliers, decision and why), or JSON ("schema": "nestbench-compare", version 2). */
#include "compare.h"
#include "../common/err.h"
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

static const char *better_name(const struct nb_rs_case *k)
{
	return k->better == NB_STATS_HIGHER_BETTER ? NB_BETTER_HIGHER : NB_BETTER_LOWER;
}

/* "10.00 (n 9)", "10.00 (n 9, 1 outlier)": the median with what it rests on. */
static void side_text(const struct nb_ci *ci, size_t n, size_t outliers, char *buf, size_t len)
{
	char v[NB_NUM];

	nb_fmt_value(ci->point, v, sizeof(v));
	if (outliers)
		snprintf(buf, len, "%s (n %zu, %zu outlier%s)", v, n, outliers, outliers == 1 ? "" : "s");
	else
		snprintf(buf, len, "%s (n %zu)", v, n);
}

static const char *decision_text(const struct nb_compare_row *r)
{
	switch (r->g.dec) {
	case NB_D_REGRESSION: return "**regression**";
	case NB_D_IMPROVEMENT: return "improvement";
	case NB_D_NO_CHANGE: return "no change";
	case NB_D_INCONCLUSIVE: return "*inconclusive*";
	case NB_D_NA: break;
	}
	return "n/a";
}

static void flag_text(const struct nb_series_flag *f, const char *side, char *buf, size_t len)
{
	size_t used = strlen(buf);

	if (f->shift && used < len)
		used += (size_t)snprintf(buf + used, len - used, "%sregime shift in %s (%+.1f %% after "
					 "sample %zu of %zu)", used ? "; " : "", side, f->s.rel * 100,
					 f->s.split, f->s.n);
	if (f->drift && used < len)
		snprintf(buf + used, len - used, "%sdrift in %s (%+.1f %% across the run, Mann-Kendall "
			 "p = %.2g)", used ? "; " : "", side, f->d.rel * 100, f->d.p);
}

static void row_flags(const struct nb_compare_row *r, char *buf, size_t len)
{
	buf[0] = '\0';
	flag_text(&r->old_f, "BASE", buf, len);
	flag_text(&r->new_f, "NEW", buf, len);
}

static void md_key(FILE *out, const struct nb_compare_row *r)
{
	fputs("`", out);
	nb_put_md(out, nb_compare_case(r)->key);
	fputs("` on ", out);
	nb_put_md(out, r->tier);
}

static void md_head(const struct nb_compare *c, FILE *out)
{
	enum nb_compare_status st = nb_compare_status(c);
	char ci[NB_NUM * 3];

	if (st == NB_CMP_REGRESSION)
		fprintf(out, "### nestbench compare: %zu regression%s\n\n", c->n_regressions,
			c->n_regressions == 1 ? "" : "s");
	else if (st == NB_CMP_INCONCLUSIVE)
		fputs("### nestbench compare: inconclusive\n\n", out);
	else
		fputs("### nestbench compare: no regression\n\n", out);
	fprintf(out, "%zu compared: %zu regression%s, %zu improvement%s, %zu no change, %zu "
		"inconclusive (%zu for the files' setup)%s.  A regression is worse by more than %g %% over "
		"its whole %g %% interval, with p < %g after %s adjustment over the %zu cells.\n\n",
		c->n_compared, c->n_regressions, c->n_regressions == 1 ? "" : "s", c->n_improvements,
		c->n_improvements == 1 ? "" : "s", c->n_same, c->n_inconclusive, c->n_setup,
		c->o.strict ? "; --strict: inconclusive cells fail the gate" : "",
		c->o.g.threshold * 100, c->o.g.level * 100, c->o.g.alpha,
		c->o.g.correction == NB_PADJ_HOLM ? "Holm" : c->o.g.correction == NB_PADJ_BH ?
		"Benjamini-Hochberg" : "no", c->m);
	if (c->binary[0])
		fprintf(out, "**Not comparable**: %s.\n\n", c->binary);
	for (size_t i = 0; i < c->n_tiers; i++)
		if (c->tiers[i].setup) {
			fputs("**Tier ", out);
			nb_put_md(out, c->tiers[i].tier);
			fputs(" not comparable**: ", out);
			nb_put_md(out, c->tiers[i].note);
			fputs(".\n\n", out);
		}
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct nb_compare_row *r = &c->rows[i];

		if (r->g.dec != NB_D_REGRESSION)
			continue;
		nb_fmt_ratio_ci(&r->g.d, ci, sizeof(ci));
		fputs("- regression: ", out);
		md_key(out, r);
		fprintf(out, ": %s %% in %s, %s is better (p = %.3g, adjusted %.3g)\n", ci,
			r->old_c->unit, better_name(r->old_c), r->g.mwu.p, r->g.p_adj);
	}
	if (c->n_regressions)
		fputc('\n', out);
}

static void md_row(const struct nb_compare_row *r, FILE *out)
{
	const struct nb_rs_case *k = nb_compare_case(r);
	char o[NB_NUM * 2], n[NB_NUM * 2], ci[NB_NUM * 3], flags[NB_GATE_WHY * 2];
	const char *lead[] = { r->tier, k->key, k->unit };

	fputs("| ", out);
	nb_put_joined(out, nb_put_md, " | ", lead, 3);
	row_flags(r, flags, sizeof(flags));
	if (!r->g.measured) {
		fprintf(out, " | | | | | %s: ", decision_text(r));
		nb_put_md(out, r->g.why);
		fputs(" |\n", out);
		return;
	}
	side_text(&r->g.old_ci, r->old_c->n, r->g.old_outliers, o, sizeof(o));
	side_text(&r->g.new_ci, r->new_c->n, r->g.new_outliers, n, sizeof(n));
	nb_fmt_ratio_ci(&r->g.d, ci, sizeof(ci));
	fprintf(out, " | %s | %s | %s | %.3g | %s", o, n, ci, r->g.p_adj, decision_text(r));
	if (r->g.why[0] && r->g.dec != NB_D_REGRESSION) {
		fputs(": ", out);
		nb_put_md(out, r->g.why);
	}
	if (flags[0]) {
		fputs(" ⚠ ", out);
		nb_put_md(out, flags);
	}
	fputs(" |\n", out);
}

static void md_notes(const struct nb_compare *c, FILE *out)
{
	const struct nb_resultset *rs = c->rs;

	fputc('\n', out);
	for (size_t f = 0; f < 2; f++) {
		fprintf(out, "- %s = ", f ? "NEW" : "BASE");
		nb_put_md(out, rs->files[f].path);
		fprintf(out, ": campaign %s, started %s, nestbench-work sha256 %s\n", rs->files[f].campaign,
			rs->files[f].started, rs->files[f].work_sha256[0] ? rs->files[f].work_sha256 : "unknown");
	}
	fprintf(out, "- Δ: median(NEW) / median(BASE) − 1 in %%, then its %g %% percentile-bootstrap "
		"interval as it is, [low, high] (%u resamples, seed %llu); from +100 %% up as a ratio "
		"(×2.00 = twice the time). n: samples; outliers: beyond %g MADs of the median (kept). "
		"p: two-sided Mann-Whitney U, %s-adjusted over the %zu compared cells.\n",
		c->o.g.level * 100, c->o.g.resamples, (unsigned long long)c->o.seed, NB_STATS_OUTLIER_K,
		nb_padj_name(c->o.g.correction), c->m);
	fprintf(out, "- Decisions: regression and improvement need p < %g and the whole interval "
		"beyond ±%g %%; no change: the interval inside ±%g %%, or no significant change where "
		"one of %g %% would have been detected (minimum detectable effect at power %g); "
		"inconclusive otherwise, with why. Geomean: per tier, of the ratios turned so that "
		"positive is worse for every metric.\n", c->o.g.alpha, c->o.g.threshold * 100,
		c->o.g.threshold * 100, c->o.g.threshold * 100, c->o.g.power);
	for (size_t i = 0; i < c->n_tiers; i++)
		if (c->tiers[i].note[0] && !c->tiers[i].setup) {
			fputs("- Tier ", out);
			nb_put_md(out, c->tiers[i].tier);
			fputs(": ", out);
			nb_put_md(out, c->tiers[i].note);
			fputs(".\n", out);
		}
	if (!c->canary_seen)
		fputs("- No canary in both files (result schema 1, or an older harness): a change of the "
		      "machine between the runs cannot be told from a change of the system under test.\n", out);
	if (c->n_flagged)
		fprintf(out, "- ⚠: %zu cell%s whose samples, in measurement order, shift level or drift "
			"(permutation test of the best split, Mann-Kendall trend; p < %g and %g %% or more): "
			"their medians mix machine states.\n", c->n_flagged, c->n_flagged == 1 ? "" : "s",
			NB_SERIES_ALPHA, NB_SERIES_MIN_REL * 100);
}

static void md_write(const struct nb_compare *c, FILE *out)
{
	char pt[NB_NUM];

	md_head(c, out);
	fprintf(out, "| Tier | Workload | Unit | BASE | NEW | Δ %% [%g %% CI] | p (adj.) | Decision |\n"
		"| :--- | :--- | :--- | ---: | ---: | ---: | ---: | :--- |\n", c->o.g.level * 100);
	for (size_t i = 0; i < c->n_rows; i++)
		md_row(&c->rows[i], out);
	for (size_t g = 0; g < c->n_geo; g++) {
		nb_fmt_ratio(c->geo[g].worse, pt, sizeof(pt));
		fputs("| ", out);
		nb_put_md(out, c->geo[g].tier);
		fprintf(out, " | **geomean, positive = worse** (%zu workloads) | | | | %s | | |\n",
			c->geo[g].n, pt);
	}
	md_notes(c, out);
}

/* ---- JSON --------------------------------------------------------------------------- */

static cJSON *side_json(const struct nb_rs_case *k, const struct nb_ci *ci, size_t outliers,
			const struct nb_series_flag *f)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "median", ci->point);
	cJSON_AddNumberToObject(o, "n", (double)k->n);
	cJSON_AddNumberToObject(o, "outliers", (double)outliers);
	cJSON_AddNumberToObject(o, "median_ci_lo", ci->lo);
	cJSON_AddNumberToObject(o, "median_ci_hi", ci->hi);
	cJSON_AddBoolToObject(o, "median_ci_reached", ci->reached);
	cJSON_AddBoolToObject(o, "regime_shift", f->shift);
	cJSON_AddNumberToObject(o, "shift_p", f->s.p);
	cJSON_AddBoolToObject(o, "drift", f->drift);
	cJSON_AddNumberToObject(o, "drift_p", f->d.p);
	cJSON_AddNumberToObject(o, "drift_pct", isfinite(f->d.rel) ? f->d.rel * 100 : 0);
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
	cJSON_AddStringToObject(o, "better", better_name(k));
	cJSON_AddStringToObject(o, "decision", nb_decision_name(r->g.dec));
	cJSON_AddStringToObject(o, "reason", r->g.why);
	cJSON_AddStringToObject(o, "reason_class", r->g.why_class == NB_WHY_SETUP ? "setup" :
				r->g.why_class == NB_WHY_POWER ? "power" : "");
	if (!r->g.measured)
		return o;
	cJSON_AddItemToObject(o, "base", side_json(r->old_c, &r->g.old_ci, r->g.old_outliers, &r->old_f));
	cJSON_AddItemToObject(o, "new", side_json(r->new_c, &r->g.new_ci, r->g.new_outliers, &r->new_f));
	cJSON_AddNumberToObject(o, "delta_pct", r->g.d.point * 100);
	cJSON_AddNumberToObject(o, "ci_lo_pct", r->g.d.lo * 100);
	cJSON_AddNumberToObject(o, "ci_hi_pct", r->g.d.hi * 100);
	cJSON_AddNumberToObject(o, "p", r->g.mwu.p);
	cJSON_AddNumberToObject(o, "p_adjusted", r->g.p_adj);
	cJSON_AddNumberToObject(o, "mde_pct", isfinite(r->g.mde) ? r->g.mde * 100 : -1);
	cJSON_AddNumberToObject(o, "u", r->g.mwu.u);
	cJSON_AddStringToObject(o, "test", nb_mwu_method_name(r->g.mwu.method));
	cJSON_AddBoolToObject(o, "too_few", r->g.mwu.too_few);
	return o;
}

static cJSON *counts_json(const struct nb_compare *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "compared", (double)c->n_compared);
	cJSON_AddNumberToObject(o, "regression", (double)c->n_regressions);
	cJSON_AddNumberToObject(o, "improvement", (double)c->n_improvements);
	cJSON_AddNumberToObject(o, "no_change", (double)c->n_same);
	cJSON_AddNumberToObject(o, "inconclusive", (double)c->n_inconclusive);
	cJSON_AddNumberToObject(o, "inconclusive_setup", (double)c->n_setup);
	cJSON_AddNumberToObject(o, "n/a", (double)c->n_na);
	cJSON_AddNumberToObject(o, "flagged", (double)c->n_flagged);
	return o;
}

static int json_write(const struct nb_compare *c, FILE *out, char err[NB_ERR_LEN])
{
	static const char *const status[] = { "no_regression", "regression", "bad_input", "inconclusive" };
	cJSON *doc = cJSON_CreateObject(), *rows = cJSON_CreateArray(), *geo = cJSON_CreateArray();
	cJSON *tiers = cJSON_CreateArray();
	char seed[24];

	cJSON_AddStringToObject(doc, "schema", "nestbench-compare");
	cJSON_AddNumberToObject(doc, "schema_version", 2);
	cJSON_AddItemToObject(doc, "base", nb_json_file(&c->rs->files[0]));
	cJSON_AddItemToObject(doc, "new", nb_json_file(&c->rs->files[1]));
	cJSON_AddStringToObject(doc, "outcome", status[nb_compare_status(c)]);
	cJSON_AddNumberToObject(doc, "exit_status", nb_compare_status(c));
	cJSON_AddNumberToObject(doc, "threshold_pct", c->o.g.threshold * 100);
	cJSON_AddNumberToObject(doc, "alpha", c->o.g.alpha);
	cJSON_AddStringToObject(doc, "correction", nb_padj_name(c->o.g.correction));
	cJSON_AddNumberToObject(doc, "power", c->o.g.power);
	cJSON_AddBoolToObject(doc, "strict", c->o.strict);
	cJSON_AddNumberToObject(doc, "level", c->o.g.level);
	cJSON_AddNumberToObject(doc, "resamples", c->o.g.resamples);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)c->o.seed);
	cJSON_AddStringToObject(doc, "seed", seed);
	cJSON_AddItemToObject(doc, "counts", counts_json(c));
	cJSON_AddStringToObject(doc, "binary_changed", c->binary);
	cJSON_AddBoolToObject(doc, "canary_compared", c->canary_seen);
	for (size_t i = 0; i < c->n_tiers; i++) {
		cJSON *t = cJSON_CreateObject();

		cJSON_AddStringToObject(t, "tier", c->tiers[i].tier);
		cJSON_AddStringToObject(t, "note", c->tiers[i].note);
		cJSON_AddBoolToObject(t, "comparable", !c->tiers[i].setup);
		cJSON_AddItemToArray(tiers, t);
	}
	cJSON_AddItemToObject(doc, "tiers", tiers);
	for (size_t i = 0; i < c->n_rows; i++)
		cJSON_AddItemToArray(rows, row_json(&c->rows[i]));
	cJSON_AddItemToObject(doc, "rows", rows);
	for (size_t g = 0; g < c->n_geo; g++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "tier", c->geo[g].tier);
		cJSON_AddNumberToObject(o, "geomean_worse_pct", c->geo[g].worse * 100);
		cJSON_AddNumberToObject(o, "n", (double)c->geo[g].n);
		cJSON_AddItemToArray(geo, o);
	}
	cJSON_AddItemToObject(doc, "geomean", geo);
	return nb_json_print(doc, out, "the comparison", err);
}

int nb_compare_write(const struct nb_compare *c, enum nb_compare_format f, FILE *out,
		     char err[NB_ERR_LEN])
{
	if (f == NB_CMP_JSON) {
		if (json_write(c, out, err))
			return -1;
	} else {
		md_write(c, out);
	}
	if (fflush(out) || ferror(out)) {
		return nb_err(err, "cannot write the comparison: %s", strerror(errno ? errno : EIO));
	}
	return 0;
}
