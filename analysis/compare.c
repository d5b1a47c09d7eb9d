/* compare.c - BASE against NEW, workload by workload and tier by tier (compare.h). */
#include "compare.h"
#include "table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void nb_compare_opts_default(struct nb_compare_opts *o)
{
	o->threshold = NB_COMPARE_THRESHOLD;
	o->alpha = NB_COMPARE_ALPHA;
	o->level = NB_REPORT_LEVEL;
	o->resamples = NB_REPORT_RESAMPLES;
	o->seed = NB_REPORT_SEED;
}

const char *nb_verdict_name(enum nb_verdict v)
{
	static const char *const names[] = { "same", "better", "worse", "regression", "too_few", "n/a" };

	return names[v];
}

const struct nb_rs_case *nb_compare_case(const struct nb_compare_row *r)
{
	return r->old_c ? r->old_c : r->new_c;
}

static const struct nb_rs_tier *tier_named(const struct nb_resultset *rs, size_t file,
					   const char *name)
{
	const struct nb_rs_file *f = &rs->files[file];

	for (size_t i = f->first_tier; i < f->first_tier + f->n_tiers; i++)
		if (strcmp(rs->tiers[i].name, name) == 0)
			return &rs->tiers[i];
	return NULL;
}

static struct nb_compare_row *add_row(struct nb_compare *c, const char *tier,
				      const struct nb_rs_case *o, const struct nb_rs_case *n)
{
	struct nb_compare_row *p = realloc(c->rows, (c->n_rows + 1) * sizeof(*p));

	if (!p)
		return NULL;
	c->rows = p;
	p += c->n_rows++;
	memset(p, 0, sizeof(*p));
	p->tier = tier;
	p->old_c = o;
	p->new_c = n;
	p->v = NB_V_NA;
	return p;
}

/* Why the pair cannot be compared, or NULL. */
static char *pair_problem(const struct nb_rs_case *o, const struct nb_rs_case *n)
{
	char buf[NB_RS_ERR], *s = NULL;

	if (!o)
		return strdup("only in NEW");
	if (!n)
		return strdup("missing from NEW");
	if (nb_rs_case_problem(o, buf, sizeof(buf)))
		return asprintf(&s, "BASE: %s", buf) < 0 ? NULL : s;
	if (nb_rs_case_problem(n, buf, sizeof(buf)))
		return asprintf(&s, "NEW: %s", buf) < 0 ? NULL : s;
	if (strcmp(o->unit, n->unit) != 0 || o->better != n->better)
		return asprintf(&s, "unit %s in BASE but %s in NEW: not comparable", o->unit, n->unit) < 0
		       ? NULL : s;
	return NULL;
}

static enum nb_verdict judge(const struct nb_compare *c, const struct nb_compare_row *r)
{
	/* Δ is the metric's change; which sign is worse depends on its direction. */
	double worse = nb_compare_case(r)->better == NB_STATS_HIGHER_BETTER ? -r->d.point : r->d.point;

	if (r->mwu.too_few)
		return NB_V_TOO_FEW;
	if (!(r->mwu.p < c->o.alpha))
		return NB_V_SAME;
	if (worse <= 0)
		return NB_V_BETTER;
	return worse > c->o.threshold ? NB_V_REGRESSION : NB_V_WORSE;
}

static void compare_pair(struct nb_compare *c, struct nb_compare_row *r)
{
	const struct nb_rs_case *o = r->old_c, *n = r->new_c;
	char key[NB_RS_ERR * 2], err[NB_STATS_ERR];
	struct nb_rng rng;

	if ((r->why = pair_problem(o, n)))
		return;
	snprintf(key, sizeof(key), "delta|%s|%s", r->tier, o->key);
	nb_rng_seed_key(&rng, c->o.seed, key);
	if (nb_stats_median_ci(o->values, o->n, c->o.level, &r->old_ci, err) ||
	    nb_stats_median_ci(n->values, n->n, c->o.level, &r->new_ci, err) ||
	    nb_stats_delta(o->values, o->n, n->values, n->n, c->o.level, c->o.resamples, &rng,
			   &r->d, err) ||
	    nb_mwu_test(o->values, o->n, n->values, n->n, c->o.alpha, &r->mwu, err)) {
		r->why = strdup(err);
		return;
	}
	r->v = judge(c, r);
	c->n_compared++;
	c->n_regressions += r->v == NB_V_REGRESSION;
}

/* Every case of BASE's tiers, then what only NEW has. */
static int build_rows(struct nb_compare *c, size_t *common)
{
	const struct nb_resultset *rs = c->rs;
	const struct nb_rs_file *fb = &rs->files[0], *fn = &rs->files[1];

	for (size_t i = fb->first_tier; i < fb->first_tier + fb->n_tiers; i++) {
		const struct nb_rs_tier *tb = &rs->tiers[i], *tn = tier_named(rs, 1, tb->name);

		for (size_t k = 0; k < tb->n_cases; k++) {
			const struct nb_rs_case *n = tn ? nb_rs_find_case(tn, tb->cases[k].key) : NULL;

			*common += n != NULL;
			if (!add_row(c, tb->name, &tb->cases[k], n))
				return -1;
		}
	}
	for (size_t i = fn->first_tier; i < fn->first_tier + fn->n_tiers; i++) {
		const struct nb_rs_tier *tn = &rs->tiers[i], *tb = tier_named(rs, 0, tn->name);

		for (size_t k = 0; k < tn->n_cases; k++)
			if (!(tb && nb_rs_find_case(tb, tn->cases[k].key)) &&
			    !add_row(c, tn->name, NULL, &tn->cases[k]))
				return -1;
	}
	return 0;
}

static void tier_list(const struct nb_resultset *rs, size_t file, char *buf, size_t len)
{
	const struct nb_rs_file *f = &rs->files[file];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = f->first_tier; i < f->first_tier + f->n_tiers && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s (%zu case%s)",
					 i > f->first_tier ? ", " : "", rs->tiers[i].name,
					 rs->tiers[i].n_cases, rs->tiers[i].n_cases == 1 ? "" : "s");
	if (!f->n_tiers)
		snprintf(buf, len, "no tiers");
}

static int build_geomeans(struct nb_compare *c)
{
	if (!(c->geo = calloc(c->n_rows + 1, sizeof(*c->geo))))
		return -1;
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct nb_compare_row *r = &c->rows[i];
		size_t g;

		if (r->v == NB_V_NA)
			continue;
		for (g = 0; g < c->n_geo && strcmp(c->geo[g].tier, r->tier); g++)
			;
		if (g == c->n_geo)
			c->geo[c->n_geo++].tier = r->tier;
		c->geo[g].delta += log1p(r->d.point);   /* summed here, averaged below */
		c->geo[g].n++;
	}
	for (size_t g = 0; g < c->n_geo; g++)
		c->geo[g].delta = expm1(c->geo[g].delta / (double)c->geo[g].n);
	return 0;
}

int nb_compare_build(struct nb_compare *c, const struct nb_resultset *rs,
		     const struct nb_compare_opts *o, char *err)
{
	char tb[NB_RS_ERR / 2 - 16], tn[NB_RS_ERR / 2 - 16];
	size_t common = 0;

	memset(c, 0, sizeof(*c));
	c->rs = rs;
	c->o = *o;
	if (rs->n_files != 2 || build_rows(c, &common)) {
		snprintf(err, NB_RS_ERR, "out of memory comparing the files");
		return -1;
	}
	if (!common) {
		tier_list(rs, 0, tb, sizeof(tb));
		tier_list(rs, 1, tn, sizeof(tn));
		snprintf(err, NB_RS_ERR, "no workload in common: BASE has %s; NEW has %s (cases are matched "
			 "by tier name and key): compare two runs of the same campaign", tb, tn);
		return -1;
	}
	for (size_t i = 0; i < c->n_rows; i++)
		compare_pair(c, &c->rows[i]);
	if (!c->n_compared) {
		const struct nb_compare_row *eg = NULL;

		for (size_t i = 0; i < c->n_rows && !eg; i++)
			if (c->rows[i].old_c && c->rows[i].new_c && c->rows[i].why)
				eg = &c->rows[i];
		snprintf(err, NB_RS_ERR, "no workload has samples in both files (e.g. %s on %s: %s): "
			 "finish the campaigns (nestbench run --resume FILE) before comparing",
			 eg ? eg->old_c->key : "?", eg ? eg->tier : "?", eg ? eg->why : "no samples");
		return -1;
	}
	if (build_geomeans(c)) {
		snprintf(err, NB_RS_ERR, "out of memory comparing the files");
		return -1;
	}
	return 0;
}

void nb_compare_free(struct nb_compare *c)
{
	for (size_t i = 0; i < c->n_rows; i++)
		free(c->rows[i].why);
	free(c->rows);
	free(c->geo);
	memset(c, 0, sizeof(*c));
}
