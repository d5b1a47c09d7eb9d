/* check.c - `nestbench check`: what a run of the campaign would do. */
#include "check.h"
#include "catalog.h"
#include "config.h"
#include "overrides.h"
#include "plan.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Canary workloads a round opens with on every tier (campaign.c's canary table). */
#define CANARY_RUNS 3

/* A case's repetitions and visits: fixed, or the adaptive range (first visit to
 * max_reps); the visits as the campaign's plan hands out repetitions. */
struct case_plan {
	struct nb_run_cfg rc;
	int reps_min, reps_max, visits_min, visits_max;
};

static int visits_for(const struct nb_campaign_cfg *cfg, int reps, int upto)
{
	struct nb_plan_state st;
	int v = 0;

	memset(&st, 0, sizeof(st));
	while (st.n < upto) {
		st.n += nb_plan_visit_reps(cfg, reps, &st);
		v++;
	}
	return v;
}

static void plan_case(const struct nb_campaign_cfg *cfg, const struct nb_case *cs, struct case_plan *p)
{
	p->rc = nb_config_effective(cfg, cs->entry);
	if (cfg->precision.mode == NB_PRECISION_FIXED) {
		p->reps_min = p->reps_max = p->rc.reps;
	} else {
		p->reps_min = cfg->precision.min_reps;
		p->reps_max = cfg->precision.max_reps;
	}
	p->visits_min = visits_for(cfg, p->rc.reps, p->reps_min);
	p->visits_max = visits_for(cfg, p->rc.reps, p->reps_max);
}

static const char *order_text(const struct nb_campaign_cfg *cfg)
{
	return nb_config_interleaved(cfg) ? "interleaved" : "by-tier";
}

static void print_text(const struct nb_campaign_opts *o, const struct nb_campaign_cfg *cfg,
		       const struct nb_case *cases, int ncases,
		       const int *sel, int nsel, FILE *out)
{
	long vmin = 0, vmax = 0, rounds = 0;
	int adaptive = cfg->precision.mode == NB_PRECISION_ADAPTIVE;

	fprintf(out, "campaign %s (%s): valid\n", cfg->name, cfg->path);
	fprintf(out, "tiers (%d of %d measured%s):\n", nsel, cfg->ntiers,
		o->only_tier ? ", --tier" : "");
	for (int k = 0; k < nsel; k++) {
		const struct nb_tier_cfg *t = &cfg->tiers[sel[k]];
		fprintf(out, "  %-10s level %d  %s%s%s%s%s%s%s\n", t->name, t->level, t->address,
			t->via[0] ? " via " : "", t->via, t->hypervisor[0] ? "  label " : "",
			t->hypervisor, t->exits_by >= 0 ? "  exits counted by " : "",
			t->exits_by >= 0 ? cfg->tiers[t->exits_by].name : "");
	}
	fprintf(out, "cases (%d, the same on every tier): reps, warm-up, min time per rep, visits\n",
		ncases);
	for (int i = 0; i < ncases; i++) {
		struct case_plan p;
		plan_case(cfg, &cases[i], &p);
		char reps[32], visits[32];
		snprintf(reps, sizeof(reps), adaptive ? "%d-%d" : "%d", p.reps_min, p.reps_max);
		snprintf(visits, sizeof(visits), adaptive ? "%d-%d" : "%d", p.visits_min, p.visits_max);
		fprintf(out, "  %-44s %6s reps  warm-up %d  %4d ms  %5s visits\n", cases[i].key, reps,
			p.rc.warmup, p.rc.min_time_ms, visits);
		vmin += p.visits_min;
		vmax += p.visits_max;
		rounds = p.visits_max > rounds ? p.visits_max : rounds;
	}
	if (adaptive)
		fprintf(out, "plan: adaptive, each case until its 95 %% CI is within %g %% of the median "
			"(%d to %d reps, at most %g s per case and tier)\n", cfg->precision.target * 100,
			cfg->precision.min_reps, cfg->precision.max_reps, cfg->precision.budget_s);
	else
		fprintf(out, "plan: fixed repetitions\n");
	fprintf(out, "order: %s; cases %s, %d repetition%s per visit; seed %s\n",
		nb_config_interleaved(cfg) ? "tiers interleaved (each case on every tier in turn)"
					   : "one tier after the other",
		cfg->order.interleave ? "in seeded shuffled rounds" : "one after another",
		cfg->order.block, cfg->order.block > 1 ? "s" : "",
		cfg->order.seed_given ? "from the file" : "picked at run time");
	if (vmin == vmax)
		fprintf(out, "visits: %ld per tier, %ld in all (%d tier%s)", vmin, vmin * nsel, nsel,
			nsel == 1 ? "" : "s");
	else
		fprintf(out, "visits: %ld to %ld per tier, %ld to %ld in all (%d tier%s)", vmin, vmax,
			vmin * nsel, vmax * nsel, nsel, nsel == 1 ? "" : "s");
	if (cfg->canary)
		fprintf(out, ", plus %d canary runs per round and tier (up to %ld rounds)\n", CANARY_RUNS,
			rounds);
	else
		fputs("\n", out);
}

static void print_json(const struct nb_campaign_opts *o, const struct nb_campaign_cfg *cfg,
		       const struct nb_case *cases, int ncases, const int *sel, int nsel, FILE *out)
{
	cJSON *d = cJSON_CreateObject(), *arr;
	long vmin = 0, vmax = 0;

	cJSON_AddStringToObject(d, "campaign", cfg->name);
	cJSON_AddStringToObject(d, "config", cfg->path);
	cJSON_AddStringToObject(d, "precision",
				cfg->precision.mode == NB_PRECISION_FIXED ? "fixed" : "adaptive");
	cJSON *ord = cJSON_AddObjectToObject(d, "order");
	cJSON_AddStringToObject(ord, "tiers", order_text(cfg));
	cJSON_AddBoolToObject(ord, "interleave", cfg->order.interleave);
	cJSON_AddNumberToObject(ord, "block", cfg->order.block);
	arr = cJSON_AddArrayToObject(d, "tiers");
	for (int k = 0; k < nsel; k++) {
		const struct nb_tier_cfg *t = &cfg->tiers[sel[k]];
		cJSON *o2 = cJSON_CreateObject();
		cJSON_AddStringToObject(o2, "name", t->name);
		cJSON_AddNumberToObject(o2, "level", t->level);
		cJSON_AddStringToObject(o2, "address", t->address);
		if (t->via[0])
			cJSON_AddStringToObject(o2, "via", t->via);
		if (t->exits_by >= 0)
			cJSON_AddStringToObject(o2, "exits_counted_by", cfg->tiers[t->exits_by].name);
		cJSON_AddItemToArray(arr, o2);
	}
	arr = cJSON_AddArrayToObject(d, "cases");
	for (int i = 0; i < ncases; i++) {
		struct case_plan p;
		cJSON *c = cJSON_CreateObject(), *params;
		plan_case(cfg, &cases[i], &p);
		cJSON_AddStringToObject(c, "key", cases[i].key);
		char wl[NB_CFG_NAME];   /* the key's first word */
		snprintf(wl, sizeof(wl), "%.*s", (int)strcspn(cases[i].key, " "), cases[i].key);
		cJSON_AddStringToObject(c, "workload", wl);
		params = cJSON_AddObjectToObject(c, "params");
		for (int j = 0; j < cases[i].nparams; j++) {
			char kv[NB_CFG_TEXT];
			snprintf(kv, sizeof(kv), "%s", cases[i].params[j]);
			char *eq = strchr(kv, '=');
			if (eq) {
				*eq = '\0';
				cJSON_AddStringToObject(params, kv, eq + 1);
			}
		}
		cJSON_AddNumberToObject(c, "reps_min", p.reps_min);
		cJSON_AddNumberToObject(c, "reps_max", p.reps_max);
		cJSON_AddNumberToObject(c, "warmup", p.rc.warmup);
		cJSON_AddNumberToObject(c, "min_time_ms", p.rc.min_time_ms);
		cJSON_AddNumberToObject(c, "timeout_s", p.rc.timeout_s);
		cJSON_AddNumberToObject(c, "visits_min", p.visits_min);
		cJSON_AddNumberToObject(c, "visits_max", p.visits_max);
		cJSON_AddItemToArray(arr, c);
		vmin += p.visits_min;
		vmax += p.visits_max;
	}
	cJSON_AddNumberToObject(d, "visits_min", (double)(vmin * nsel));
	cJSON_AddNumberToObject(d, "visits_max", (double)(vmax * nsel));
	if (o->only_tier)
		cJSON_AddStringToObject(d, "only_tiers", o->only_tier);
	char *text = cJSON_Print(d);
	if (text)
		fprintf(out, "%s\n", text);
	cJSON_free(text);
	cJSON_Delete(d);
}

int nb_check(struct nb_campaign_opts *o, int json, FILE *out)
{
	static struct nb_campaign_cfg cfg;   /* large: not on the stack */
	struct nb_catalog cat;
	struct nb_case *cases = NULL;
	char err[NB_ERR_LEN];
	int ncases = 0, sel[NB_CFG_MAX_TIERS], nsel = 0, rc = 2;

	if (nb_config_load(o->config_path, &cfg, err)) {
		fprintf(stderr, "nestbench: %s\n", err);
		return 2;
	}
	memset(&cat, 0, sizeof(cat));
	if (nb_overrides_apply(o, &cfg, NULL, err) || nb_catalog_load(&cat, o->work_path, err) ||
	    nb_catalog_expand(&cat, &cfg, &cases, &ncases, err)) {
		fprintf(stderr, "nestbench: %s\n", err);
		goto out;
	}
	for (int t = 0; t < cfg.ntiers; t++)
		if (nb_tier_selected(o->only_tier, cfg.tiers[t].name))
			sel[nsel++] = t;
	if (json)
		print_json(o, &cfg, cases, ncases, sel, nsel, out);
	else
		print_text(o, &cfg, cases, ncases, sel, nsel, out);
	rc = 0;
out:
	free(cases);
	nb_catalog_free(&cat);
	nb_config_free(&cfg);
	return rc;
}
