/* overrides.h - `nestbench run --reps N --min-time-ms T --tier NAME`: the command line
 * over the campaign file, checked against it and recorded in the result
 * (campaign.overrides), so that --resume obeys them and the file says what changed. */
#ifndef NB_OVERRIDES_H
#define NB_OVERRIDES_H

#include "../common/err.h"
#include "config.h"

#include <cjson/cJSON.h>

struct nb_campaign_opts;

/* Check o's --tier names against cfg's tiers (an unknown one: an error listing them,
 * with the closest), then set --reps and --min-time-ms on the defaults and on every
 * workload entry.  Resuming (doc: the result file), the overrides recorded there
 * apply and new --reps/--min-time-ms are refused; a --tier given now replaces the
 * recorded selection for this invocation.  0, or -1 with err. */
int nb_overrides_apply(struct nb_campaign_opts *o, struct nb_campaign_cfg *cfg, const cJSON *doc,
		       char err[NB_ERR_LEN]);

/* Record o's overrides in a new result document (nothing when none). */
void nb_overrides_record(const struct nb_campaign_opts *o, cJSON *doc);

/* Whether tier name is in a --tier list ("L0,L2"); NULL or "" selects every tier. */
int nb_tier_selected(const char *list, const char *name);

#endif
