/* check.h - `nestbench check CONFIG`: the campaign parsed and expanded, shown without
 * connecting to any tier or running anything (fio's --parse-only). */
#ifndef NB_CHECK_H
#define NB_CHECK_H

#include "campaign.h"

#include <stdio.h>

/* Load o->config_path, apply o's --reps, --min-time-ms and --tier, expand the
 * workloads with o->work_path, and print the tiers, the cases with their repetition
 * plan and the number of visits to out (JSON when json).  0 valid, 2 (message on
 * stderr) when not. */
int nb_check(struct nb_campaign_opts *o, int json, FILE *out);

#endif
