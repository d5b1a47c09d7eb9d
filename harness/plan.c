/* plan.c - visit order and stopping rules. */
#include "plan.h"
#include "../resultlib/schema.h"

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

const char *nb_plan_stop(const struct nb_campaign_cfg *cfg, int reps, const double *x, int n,
			 double spent_s)
{
	const struct nb_precision_cfg *p = &cfg->precision;
	char err[NB_STATS_ERR];

	if (p->mode == NB_PRECISION_FIXED)
		return n >= reps ? NB_STOP_REPS : NULL;
	if (n >= p->min_reps && nb_stats_ci_converged(x, (size_t)n, 0.95, p->target, NULL, err) == 1)
		return NB_STOP_TARGET;
	if (n >= p->max_reps)
		return NB_STOP_MAX_REPS;
	if (spent_s >= p->budget_s)
		return NB_STOP_BUDGET;
	return NULL;
}
