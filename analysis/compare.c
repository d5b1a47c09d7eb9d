/* compare.c - BASE against NEW, workload by workload and tier by tier (compare.h). */
#include "compare.h"
#include "../common/err.h"
#include "table.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void nb_compare_opts_default(struct nb_compare_opts *o)
{
	nb_gate_opts_default(&o->g);
	o->g.level = NB_REPORT_LEVEL;
	o->g.resamples = NB_REPORT_RESAMPLES;
	o->seed = NB_REPORT_SEED;
	o->strict = 0;
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
	p->g.dec = NB_D_NA;
	return p;
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

/* ---- what makes a pair, a tier or the files incomparable ----------------------------- */

/* 1 when the pair cannot be measured (the row's decision and why are set). */
static int pair_problem(const struct nb_compare *c, struct nb_compare_row *r)
{
	const struct nb_rs_case *o = r->old_c, *n = r->new_c;
	char bo[NB_ERR_LEN], bn[NB_ERR_LEN];
	const char *po, *pn;

	if (!o) {
		nb_gate_set(&r->g, NB_D_NA, NB_WHY_NONE, "only in NEW: nothing to compare it with");
		return 1;
	}
	if (!n) {
		if (!tier_named(c->rs, 1, r->tier))
			nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "tier %s missing from NEW", r->tier);
		else
			nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "missing from NEW");
		return 1;
	}
	po = nb_rs_case_problem(o, bo, sizeof(bo));
	pn = nb_rs_case_problem(n, bn, sizeof(bn));
	if (po && pn) {   /* not measured in either (e.g. skipped on this host): nothing lost */
		nb_gate_set(&r->g, NB_D_NA, NB_WHY_NONE, "BASE: %s; NEW: %s", po, pn);
		return 1;
	}
	if (po || pn) {
		nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "%s: %s", po ? "BASE" : "NEW",
			    po ? po : pn);
		return 1;
	}
	if (strcmp(o->unit, n->unit) != 0 || o->better != n->better) {
		nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "unit %s in BASE but %s in NEW: "
			    "not comparable", o->unit, n->unit);
		return 1;
	}
	return 0;
}

static struct nb_compare_tier *tier_note(struct nb_compare *c, const char *tier)
{
	for (size_t i = 0; i < c->n_tiers; i++)
		if (strcmp(c->tiers[i].tier, tier) == 0)
			return &c->tiers[i];
	return NULL;
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 3 >= len)
		return;
	if (used)
		used += (size_t)snprintf(buf + used, len - used, "; ");
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* The canaries of a tier pair: a significant change beyond the threshold means the
 * machine changed between the files (returns 1 with the note).  Every repetition of
 * every round counts, so that a campaign of two rounds still has a canary that can
 * show a change (repetitions of one round are alike, which errs towards "environment
 * changed": inconclusive, never a false regression). */
static int canary_changed(struct nb_compare *c, const struct nb_rs_tier *tb,
			  const struct nb_rs_tier *tn, struct nb_compare_tier *t)
{
	int changed = 0;

	for (size_t i = 0; i < tb->n_canary; i++)
		for (size_t j = 0; j < tn->n_canary; j++) {
			const struct nb_rs_canary *a = &tb->canary[i], *b = &tn->canary[j];
			struct nb_ratio_ci d;
			struct nb_mwu m;
			struct nb_rng rng;
			char key[NB_ERR_LEN];

			if (strcmp(a->workload, b->workload) || !a->n_reps || !b->n_reps)
				continue;
			c->canary_seen = 1;
			snprintf(key, sizeof(key), "canary|%s|%s", tb->name, a->workload);
			nb_rng_seed_key(&rng, c->o.seed, key);
			if (nb_stats_delta(a->reps, a->n_reps, b->reps, b->n_reps, c->o.g.level,
					   c->o.g.resamples, &rng, &d, NULL) ||
			    nb_mwu_test(a->reps, a->n_reps, b->reps, b->n_reps, c->o.g.alpha, &m, NULL))
				continue;
			if (m.p < c->o.g.alpha && fabs(d.point) > c->o.g.threshold) {
				append(t->note, sizeof(t->note), "environment changed: canary %s moved "
				       "%+.1f %% [%+.1f, %+.1f] (p = %.2g)", a->workload, d.point * 100,
				       d.lo * 100, d.hi * 100, m.p);
				changed = 1;
			}
		}
	return changed;
}

/* A regime shift of a tier's canary inside one file: noted, the cells stay decided. */
static void canary_shift(struct nb_compare *c, const struct nb_rs_tier *t, const char *side,
			 struct nb_compare_tier *ct)
{
	for (size_t i = 0; i < t->n_canary; i++) {
		const struct nb_rs_canary *k = &t->canary[i];
		struct nb_shift s;
		struct nb_rng rng;
		char key[NB_ERR_LEN];

		snprintf(key, sizeof(key), "canary-shift|%s|%s|%s", side, t->name, k->workload);
		nb_rng_seed_key(&rng, c->o.seed, key);
		if (nb_shift_test(k->values, k->n, NB_SERIES_MIN_SEG, NB_SERIES_PERMS, NB_SERIES_ALPHA,
				  &rng, &s, NULL) == 0 && s.shift && fabs(s.rel) >= NB_SERIES_MIN_REL)
			append(ct->note, sizeof(ct->note), "the canary %s shifted by %+.1f %% in %s at "
			       "round %d: samples on both sides of it mix two regimes", k->workload,
			       s.rel * 100, side, k->rounds[s.split]);
	}
}

static int check_tiers(struct nb_compare *c)
{
	const struct nb_resultset *rs = c->rs;
	const struct nb_rs_file *fb = &rs->files[0];

	if (!(c->tiers = calloc(fb->n_tiers + 1, sizeof(*c->tiers))))
		return -1;
	for (size_t i = fb->first_tier; i < fb->first_tier + fb->n_tiers; i++) {
		const struct nb_rs_tier *tb = &rs->tiers[i], *tn = tier_named(rs, 1, tb->name);
		struct nb_compare_tier *t = &c->tiers[c->n_tiers++];

		t->tier = tb->name;
		if (!tn)
			continue;
		if (!nb_rs_env_same(&tb->env, &tn->env)) {
			append(t->note, sizeof(t->note), "tier nature changed: %s in BASE, %s in NEW",
			       tb->env.nature, tn->env.nature);
			t->setup = 1;
		}
		if (canary_changed(c, tb, tn, t))
			t->setup = 1;
		canary_shift(c, tb, "BASE", t);
		canary_shift(c, tn, "NEW", t);
	}
	return 0;
}

static void check_binary(struct nb_compare *c)
{
	const char *a = c->rs->files[0].work_sha256, *b = c->rs->files[1].work_sha256;

	if (a[0] && b[0] && strcmp(a, b))
		snprintf(c->binary, sizeof(c->binary), "nestbench-work changed (sha256 %.12s… in BASE, "
			 "%.12s… in NEW): a difference may be the workload's own", a, b);
}

/* ---- one pair ----------------------------------------------------------------------- */

/* Each sample's stolen plus other-busy CPU share; 0 unless every sample has it. */
static size_t interference(const struct nb_rs_case *k, double *x)
{
	for (size_t i = 0; i < k->n; i++) {
		const struct nb_rs_sample *s = &k->samples[i];

		if (!isfinite(s->other_busy_pct))
			return 0;
		x[i] = s->other_busy_pct + (isfinite(s->steal_pct) ? s->steal_pct : 0);
	}
	return k->n;
}

/* The machine was busier with other work during one side's samples than the other's
 * (schema 2's samples[].interference): 1 with the row set inconclusive. */
static int interference_changed(const struct nb_compare *c, struct nb_compare_row *r)
{
	double *a = malloc(r->old_c->n * sizeof(*a)), *b = malloc(r->new_c->n * sizeof(*b));
	double ma, mb;
	size_t na, nb;
	struct nb_mwu m;
	int changed = 0;

	if (!a || !b)
		goto out;
	na = interference(r->old_c, a);
	nb = interference(r->new_c, b);
	if (!na || !nb || nb_stats_median(a, na, &ma, NULL) || nb_stats_median(b, nb, &mb, NULL) ||
	    nb_mwu_test(a, na, b, nb, c->o.g.alpha, &m, NULL))
		goto out;
	if (m.p < c->o.g.alpha && fabs(mb - ma) >= NB_INTERFERENCE_MIN_PTS) {
		nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "environment changed: other work "
			    "used %.0f %% of the CPUs during BASE's samples, %.0f %% during NEW's (p = %.2g)",
			    ma, mb, m.p);
		changed = 1;
	}
out:
	free(a);
	free(b);
	return changed;
}

struct seq_val {
	int seq;
	size_t i;
	double v;
};

static int cmp_seq(const void *a, const void *b)
{
	const struct seq_val *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The case's samples in measurement order (seq, then file order), tested for a regime
 * shift and a drift. */
static void series_flags(const struct nb_compare *c, const struct nb_rs_case *k,
			 const char *tier, const char *side, struct nb_series_flag *f)
{
	struct seq_val *sv;
	double *x;
	struct nb_rng rng;
	char key[NB_ERR_LEN * 2];

	if (k->n < NB_SERIES_MIN_N)
		return;
	sv = malloc(k->n * sizeof(*sv));
	x = malloc(k->n * sizeof(*x));
	if (!sv || !x)
		goto out;
	for (size_t i = 0; i < k->n; i++)
		sv[i] = (struct seq_val){ k->samples ? k->samples[i].seq : 0, i, k->values[i] };
	qsort(sv, k->n, sizeof(*sv), cmp_seq);
	for (size_t i = 0; i < k->n; i++)
		x[i] = sv[i].v;
	snprintf(key, sizeof(key), "series|%s|%s|%s", side, tier, k->key);
	nb_rng_seed_key(&rng, c->o.seed, key);
	if (nb_shift_test(x, k->n, NB_SERIES_MIN_SEG, NB_SERIES_PERMS, NB_SERIES_ALPHA, &rng, &f->s,
			  NULL) == 0)
		f->shift = f->s.shift && fabs(f->s.rel) >= NB_SERIES_MIN_REL;
	if (nb_drift_test(x, k->n, NB_SERIES_ALPHA, &f->d, NULL) == 0)
		f->drift = f->d.drift && fabs(f->d.rel) >= NB_SERIES_MIN_REL;
out:
	free(sv);
	free(x);
}

/* Measure the pair, or set it aside with its reason (invalid samples included). */
static void measure_pair(struct nb_compare *c, struct nb_compare_row *r)
{
	char key[NB_ERR_LEN * 2], serr[NB_ERR_LEN];
	struct nb_rng rng;
	const struct nb_compare_tier *t = tier_note(c, r->tier);

	if (pair_problem(c, r))
		return;
	snprintf(key, sizeof(key), "delta|%s|%s", r->tier, r->old_c->key);
	nb_rng_seed_key(&rng, c->o.seed, key);
	if (nb_gate_measure(r->old_c->values, r->old_c->n, r->new_c->values, r->new_c->n,
			    r->old_c->better, &c->o.g, &rng, &r->g, serr)) {
		nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "%s", serr);
		r->g.measured = 0;
		return;
	}
	series_flags(c, r->old_c, r->tier, "BASE", &r->old_f);
	series_flags(c, r->new_c, r->tier, "NEW", &r->new_f);
	if (c->binary[0])
		nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "%s", c->binary);
	else if (t && t->setup)
		nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "%s", t->note);
	else if (!interference_changed(c, r))
		r->g.dec = NB_D_NO_CHANGE;   /* to be decided after the correction */
}

/* A change found in samples that mix two machine states (a regime shift or a drift on
 * either side) cannot be told from the machine's own: inconclusive, for the setup. */
static void distrust_unstable(struct nb_compare_row *r)
{
	const struct nb_series_flag *f = r->old_f.shift || r->old_f.drift ? &r->old_f : &r->new_f;
	const char *side = f == &r->old_f ? "BASE" : "NEW";

	if ((r->g.dec != NB_D_REGRESSION && r->g.dec != NB_D_IMPROVEMENT) || !(f->shift || f->drift))
		return;
	if (f->shift)
		nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "would be a%s %s, but the %s samples "
			    "shift level by %+.1f %% after sample %zu of %zu: the machine changed during "
			    "the run", r->g.dec == NB_D_REGRESSION ? "" : "n", nb_decision_name(r->g.dec),
			    side, f->s.rel * 100, f->s.split, f->s.n);
	else
		nb_gate_set(&r->g, NB_D_INCONCLUSIVE, NB_WHY_SETUP, "would be a%s %s, but the %s samples "
			    "drift by %+.1f %% across the run (Mann-Kendall p = %.2g)",
			    r->g.dec == NB_D_REGRESSION ? "" : "n", nb_decision_name(r->g.dec), side,
			    f->d.rel * 100, f->d.p);
}

/* Adjust the p-values of the cells to decide, then decide them. */
static int decide_all(struct nb_compare *c)
{
	struct nb_gate_cell **cells = calloc(c->n_rows + 1, sizeof(*cells));
	size_t n = 0;

	if (!cells)
		return -1;
	for (size_t i = 0; i < c->n_rows; i++)
		if (c->rows[i].g.measured && c->rows[i].g.why_class != NB_WHY_SETUP)
			cells[n++] = &c->rows[i].g;
	c->m = n;
	if (nb_gate_adjust(cells, n, &c->o.g)) {
		free(cells);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		nb_gate_decide(cells[i], &c->o.g);
	free(cells);
	for (size_t i = 0; i < c->n_rows; i++)
		distrust_unstable(&c->rows[i]);
	return 0;
}

static void count(struct nb_compare *c)
{
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct nb_compare_row *r = &c->rows[i];

		c->n_compared += r->g.measured;
		c->n_regressions += r->g.dec == NB_D_REGRESSION;
		c->n_improvements += r->g.dec == NB_D_IMPROVEMENT;
		c->n_same += r->g.dec == NB_D_NO_CHANGE;
		c->n_inconclusive += r->g.dec == NB_D_INCONCLUSIVE;
		c->n_setup += r->g.dec == NB_D_INCONCLUSIVE && r->g.why_class == NB_WHY_SETUP;
		c->n_na += r->g.dec == NB_D_NA;
		c->n_flagged += r->old_f.shift || r->old_f.drift || r->new_f.shift || r->new_f.drift;
	}
}

enum nb_compare_status nb_compare_status(const struct nb_compare *c)
{
	size_t conclusive = c->n_regressions + c->n_improvements + c->n_same;

	if (c->n_regressions)
		return NB_CMP_REGRESSION;
	if (c->n_setup || !conclusive || (c->o.strict && c->n_inconclusive))
		return NB_CMP_INCONCLUSIVE;
	return NB_CMP_OK;
}

/* ---- summaries and messages --------------------------------------------------------- */

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

/* Direction-aware: each cell's ratio turned so that > 1 is worse, then averaged in logs;
 * cells the files cannot compare (setup) stay out. */
static int build_geomeans(struct nb_compare *c)
{
	if (!(c->geo = calloc(c->n_rows + 1, sizeof(*c->geo))))
		return -1;
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct nb_compare_row *r = &c->rows[i];
		double l;
		size_t g;

		if (!r->g.measured || r->g.why_class == NB_WHY_SETUP)
			continue;
		l = log1p(r->g.d.point);
		for (g = 0; g < c->n_geo && strcmp(c->geo[g].tier, r->tier); g++)
			;
		if (g == c->n_geo)
			c->geo[c->n_geo++].tier = r->tier;
		c->geo[g].worse += r->old_c->better == NB_STATS_HIGHER_BETTER ? -l : l;
		c->geo[g].n++;
	}
	for (size_t g = 0; g < c->n_geo; g++)
		c->geo[g].worse = expm1(c->geo[g].worse / (double)c->geo[g].n);
	return 0;
}

int nb_compare_build(struct nb_compare *c, const struct nb_resultset *rs,
		     const struct nb_compare_opts *o, char err[NB_ERR_LEN])
{
	char tb[NB_ERR_LEN / 2 - 16], tn[NB_ERR_LEN / 2 - 16];
	size_t common = 0;

	memset(c, 0, sizeof(*c));
	c->rs = rs;
	c->o = *o;
	if (rs->n_files != 2 || build_rows(c, &common) || check_tiers(c)) {
		return nb_err(err, "out of memory comparing the files");
	}
	if (!common) {
		tier_list(rs, 0, tb, sizeof(tb));
		tier_list(rs, 1, tn, sizeof(tn));
		return nb_err(err, "no workload in common: BASE has %s; NEW has %s (cases are matched "
			 "by tier name and key): compare two runs of the same campaign", tb, tn);
	}
	check_binary(c);
	for (size_t i = 0; i < c->n_rows; i++)
		measure_pair(c, &c->rows[i]);
	if (decide_all(c)) {
		return nb_err(err, "out of memory comparing the files");
	}
	count(c);
	if (!c->n_compared) {
		const struct nb_compare_row *eg = NULL;

		for (size_t i = 0; i < c->n_rows && !eg; i++)
			if (c->rows[i].old_c && c->rows[i].new_c)
				eg = &c->rows[i];
		return nb_err(err, "no workload has samples in both files (e.g. %s on %s: %s): "
			 "finish the campaigns (nestbench run --resume FILE) before comparing",
			 eg ? eg->old_c->key : "?", eg ? eg->tier : "?", eg ? eg->g.why : "no samples");
	}
	if (build_geomeans(c)) {
		return nb_err(err, "out of memory comparing the files");
	}
	return 0;
}

void nb_compare_free(struct nb_compare *c)
{
	free(c->rows);
	free(c->geo);
	free(c->tiers);
	memset(c, 0, sizeof(*c));
}
