/* catalog.h - what the local nestbench-work offers, and the campaign's cases.
 *
 * The harness asks the same binary it deploys: `list --json` for the workloads,
 * `cases NAME --param ...` to expand sweeps and validate parameters before any tier
 * is touched, so a typo fails in a second, not after an hour of measuring. */
#ifndef NB_CATALOG_H
#define NB_CATALOG_H

#include "config.h"
#include "../common/err.h"

#include <limits.h>

#define NB_CASE_KEY 512

struct nb_wl_info {
	char name[NB_CFG_NAME];
	char family[NB_CFG_NAME];
	char unit[32];
	int higher_is_better;
	int has_dir_param;      /* takes dir=PATH (io.*, pf.file): the tier's io_dir applies */
	char setup_group[32];   /* "" or the group whose cases share a kept worker (mem.bw) */
	char params[NB_CFG_MAX_PARAMS][32];  /* its parameters' names ("did you mean") */
	int nparams;
};

struct nb_catalog {
	char work_path[PATH_MAX];
	char sha256[65];
	unsigned long long size;
	char version[64];
	struct nb_wl_info *w;
	int n;
};

/* One measured unit of a campaign: a workload with fully resolved parameters. */
struct nb_case {
	int wl;                             /* index in the catalog */
	int entry;                          /* index of the campaign's workload entry */
	char params[NB_CFG_MAX_PARAMS][NB_CFG_TEXT];  /* "key=value", sorted by key */
	int nparams;
	char key[NB_CASE_KEY];              /* "mem.lat size=16K stride=64 thp=0" */
};

int nb_catalog_load(struct nb_catalog *cat, const char *work_path, char err[NB_ERR_LEN]);
void nb_catalog_free(struct nb_catalog *cat);

/* Expand every workload entry (patterns, sweeps) into cases, in entry order;
 * duplicates (same key) are refused.  0, or -1 with err naming the entry. */
int nb_catalog_expand(const struct nb_catalog *cat, const struct nb_campaign_cfg *cfg,
		      struct nb_case **cases, int *ncases, char err[NB_ERR_LEN]);

#endif
