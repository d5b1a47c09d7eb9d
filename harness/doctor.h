/* doctor.h - `nestbench doctor`: is every tier reachable, what is it, what works. */
#ifndef NB_DOCTOR_H
#define NB_DOCTOR_H

#include "../common/err.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* config NULL = this machine through a local agent; json: one JSON array of checks
 * ({tier, name, status: ok|warn|fail|info, detail, fix}) instead of the text.  Returns 0
 * when every tier was reached, 2 otherwise. */
int nb_doctor(const char *config, const char *work, const char *agent, const char *state_dir,
	      int json, FILE *out);

struct nb_campaign_cfg;

/* The campaign file config, or (NULL) one tier: this machine through a local agent. */
int nb_config_load_or_local(const char *config, struct nb_campaign_cfg *cfg, char err[NB_ERR_LEN]);

#endif
