/* plan.c - visit order and stopping rules. */
#include "plan.h"
#include "../common/err.h"
#include "../resultlib/schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned nb_plan_visit_timeout_ms(const struct nb_plan_state *st, unsigned limit_ms)
{
	double ms = NB_PLAN_VISIT_FACTOR * st->longest_s * 1000.0;

	if (st->visits == 0)
		return limit_ms;
	ms = ms < NB_PLAN_VISIT_FLOOR_S * 1000.0 ? NB_PLAN_VISIT_FLOOR_S * 1000.0 : ms;
	return ms < (double)limit_ms ? (unsigned)ms : limit_ms;
}

int nb_plan_round(struct nb_rng *rng, const struct nb_plan_state *st, int n, int interleave, int *order)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		if (!st[i].done)
			order[k++] = i;
	if (!interleave)
		return k;
	for (int i = k - 1; i > 0; i--) {
		int j = (int)nb_rng_below(rng, (uint32_t)(i + 1));
		int t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	return k;
}

static void shuffle(struct nb_rng *rng, int *v, int k)
{
	for (int i = k - 1; i > 0; i--) {
		int j = (int)nb_rng_below(rng, (uint32_t)(i + 1));
		int t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

int nb_plan_round_tiers(uint64_t seed, int round, const int *tiers,
			const struct nb_plan_state *const *st, int ntiers, int ncases,
			struct nb_plan_visit *out)
{
	struct nb_rng rng;
	char key[32];
	int n = 0, perm[NB_CFG_MAX_TIERS];

	if (ntiers > NB_CFG_MAX_TIERS)
		ntiers = NB_CFG_MAX_TIERS;

	snprintf(key, sizeof(key), "tiers/%d", round);
	nb_rng_seed_key(&rng, seed, key);
	int *cases = malloc((size_t)(ncases > 0 ? ncases : 1) * sizeof(int));
	int k = 0;

	if (!cases)
		return 0;
	for (int c = 0; c < ncases; c++) {
		int open = 0;
		for (int t = 0; t < ntiers; t++)
			open |= !st[t][c].done;
		if (open)
			cases[k++] = c;
	}
	shuffle(&rng, cases, k);
	for (int i = 0; i < k; i++) {
		for (int t = 0; t < ntiers; t++)
			perm[t] = t;
		shuffle(&rng, perm, ntiers);
		for (int t = 0; t < ntiers; t++)
			if (!st[perm[t]][cases[i]].done)
				out[n++] = (struct nb_plan_visit){ tiers[perm[t]], cases[i] };
	}
	free(cases);
	return n;
}

int nb_plan_visit_reps(const struct nb_campaign_cfg *cfg, int reps, const struct nb_plan_state *st)
{
	int left = cfg->precision.mode == NB_PRECISION_FIXED ? reps - st->n : cfg->precision.max_reps - st->n;
	int block = cfg->order.interleave ? cfg->order.block : left;

	/* Adaptive without interleaving still visits in blocks so it can stop early. */
	if (!cfg->order.interleave && cfg->precision.mode == NB_PRECISION_ADAPTIVE)
		block = cfg->order.block > 1 ? cfg->order.block : 1;
	/* The first adaptive visit collects min_reps at once: fewer cannot stop anyway. */
	if (cfg->precision.mode == NB_PRECISION_ADAPTIVE && st->n < cfg->precision.min_reps &&
	    block < cfg->precision.min_reps - st->n && !cfg->order.interleave)
		block = cfg->precision.min_reps - st->n;
	if (block > left)
		block = left;
	return block < 1 ? 1 : block;
}

/* A level shift of x[n] as the table and compare flag it. */
static int shifted(const double *x, int n, uint64_t seed, const char *key, struct nb_shift *sh)
{
	struct nb_rng rng;

	if (n < NB_SERIES_MIN_N)
		return 0;
	nb_rng_seed_key(&rng, seed, key);
	return nb_shift_test(x, (size_t)n, NB_SERIES_MIN_SEG, NB_SERIES_PERMS, NB_SERIES_ALPHA, &rng,
			     sh, NULL) == 0 && sh->shift && fabs(sh->rel) >= NB_SERIES_MIN_REL;
}

/* Whether the seqs s[n] hold one before `at` and one at or after it. */
static int spans(const int *s, int n, int at)
{
	int before = 0, after = 0;

	for (int i = 0; i < n; i++) {
		before |= s[i] > 0 && s[i] < at;
		after |= s[i] >= at;
	}
	return before && after;
}

int nb_plan_regime(const double *x, const int *s, int n, const double *const *c,
		   const int *const *cs, const int *cm, const char *const *cw, int k,
		   uint64_t seed, struct nb_plan_regime *out)
{
	struct nb_shift sh;

	memset(out, 0, sizeof(*out));
	if (shifted(x, n, seed, "regime/samples", &sh)) {
		*out = (struct nb_plan_regime){ 1, "samples", "", sh.rel, sh.p, (int)sh.split };
		return 1;
	}
	for (int i = 0; s && i < k; i++)
		if (shifted(c[i], cm[i], seed, cw[i], &sh) && spans(s, n, cs[i][sh.split])) {
			*out = (struct nb_plan_regime){ 1, "canary", "", sh.rel, sh.p, cs[i][sh.split] };
			snprintf(out->workload, sizeof(out->workload), "%s", cw[i]);
			return 1;
		}
	return 0;
}

const char *nb_plan_stop(const struct nb_campaign_cfg *cfg, int reps, const double *x, int n,
			 double spent_s, int straddles)
{
	const struct nb_precision_cfg *p = &cfg->precision;
	char err[NB_ERR_LEN];

	if (p->mode == NB_PRECISION_FIXED)
		return n >= reps ? NB_STOP_REPS : NULL;
	if (n >= p->min_reps && !straddles &&
	    nb_stats_ci_converged(x, (size_t)n, 0.95, p->target, NULL, err) == 1)
		return NB_STOP_TARGET;
	if (n >= p->max_reps)
		return NB_STOP_MAX_REPS;
	if (spent_s >= p->budget_s)
		return NB_STOP_BUDGET;
	return NULL;
}
