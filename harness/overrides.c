/* overrides.c - the command line over the campaign file (--reps, --min-time-ms, --tier). */
#include "overrides.h"
#include "campaign.h"
#include "suggest.h"
#include "../resultlib/result.h"

#include <stdio.h>
#include <string.h>

int nb_tier_selected(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list || !list[0])
		return 1;
	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',') {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* Every name of the --tier list must be a tier of the campaign. */
static int check_tiers(const char *list, const struct nb_campaign_cfg *cfg, char err[NB_ERR_LEN])
{
	const char *names[NB_CFG_MAX_TIERS];
	char known[NB_CFG_MAX_TIERS * (NB_CFG_NAME + 2)] = "", near[NB_CFG_NAME + 32];

	for (int t = 0; t < cfg->ntiers; t++) {
		names[t] = cfg->tiers[t].name;
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", t ? ", " : "",
			 cfg->tiers[t].name);
	}
	for (const char *p = list; p && *p; p += strcspn(p, ","), p += *p == ',') {
		char name[NB_CFG_NAME];
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(p, ","), p);
		if (nb_config_tier(cfg, name) >= 0)
			continue;
		nb_suggest_phrase(name, names, (size_t)cfg->ntiers, near, sizeof(near));
		return nb_err(err, "--tier %s: campaign %s has no such tier%s (its tiers: %s)",
			      name[0] ? name : "\"\"", cfg->name, near, known);
	}
	return 0;
}

int nb_overrides_apply(struct nb_campaign_opts *o, struct nb_campaign_cfg *cfg, const cJSON *doc,
		       char err[NB_ERR_LEN])
{
	if (doc) {
		struct nb_res_overrides rec;
		if (o->reps || o->min_time_ms)
			return nb_err(err, "--reps and --min-time-ms are not for --resume: a resumed "
				      "campaign keeps the settings its file started with");
		nb_res_overrides_read(doc, &rec, o->recorded_tiers, sizeof(o->recorded_tiers));
		o->reps = rec.reps;
		o->min_time_ms = rec.min_time_ms;
		if (!o->only_tier && o->recorded_tiers[0])
			o->only_tier = o->recorded_tiers;
	}
	if (check_tiers(o->only_tier, cfg, err))
		return -1;
	if (o->reps && cfg->precision.mode == NB_PRECISION_ADAPTIVE)
		return nb_err(err, "--reps: campaign %s stops each case by its precision target "
			      "(\"precision\": adaptive, %d to %d repetitions); --reps is for fixed "
			      "campaigns (change precision.min_reps and max_reps instead)", cfg->name,
			      cfg->precision.min_reps, cfg->precision.max_reps);
	/* Over the defaults and every entry: the command line wins over the whole file. */
	if (o->reps)
		cfg->defaults.reps = o->reps;
	if (o->min_time_ms)
		cfg->defaults.min_time_ms = o->min_time_ms;
	for (int w = 0; w < cfg->nworkloads; w++) {
		if (o->reps)
			cfg->workloads[w].run.reps = o->reps;
		if (o->min_time_ms)
			cfg->workloads[w].run.min_time_ms = o->min_time_ms;
	}
	return 0;
}

void nb_overrides_record(const struct nb_campaign_opts *o, cJSON *doc)
{
	struct nb_res_overrides ov = { o->reps, o->min_time_ms, o->only_tier };

	nb_res_set_overrides(doc, &ov);
}
