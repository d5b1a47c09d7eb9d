/* campaign.h - `nestbench run`: a campaign over its tiers, into one result file. */
#ifndef NB_CAMPAIGN_H
#define NB_CAMPAIGN_H

#include "../common/err.h"

#include <limits.h>
#include <stdio.h>

enum nb_verbosity { NB_QUIET, NB_NORMAL, NB_VERBOSE };

struct nb_campaign_opts {
	const char *config_path;   /* NULL when resuming */
	const char *resume_path;   /* a result file to continue, or NULL */
	const char *out_dir;       /* where new result files go (default "results") */
	const char *out_path;      /* exact result path, overrides out_dir */
	const char *work_path;     /* nestbench-work to deploy */
	const char *agent_path;    /* nestbench-agent for local tiers */
	const char *state_dir;     /* the local agent's --state-dir */
	const char *lab_dir;       /* the lab's state for "lab:" tiers; NULL = build/lab */
	const char *only_tier;     /* --tier: measure just these, "L0,L2" (others stay as they are) */
	int reps, min_time_ms;     /* --reps, --min-time-ms over every case; 0: the campaign's */
	char recorded_tiers[512];  /* resuming: the --tier selection the file recorded */
	enum nb_verbosity verbosity;
	int progress;              /* a live progress line (stderr is a terminal) */
	FILE *log;                 /* plain log lines (stderr) */
	char result_path[PATH_MAX];/* out: the file written */
	int wrote;                 /* out: this run wrote it at least once */
};

/* Run (or resume) a campaign.  Returns the exit status: 0 all measured, 1 some
 * workloads failed, 2 a user error (bad config, unreachable tier, refused token...),
 * 130 interrupted.  err holds the message for statuses 1 and 2. */
int nb_campaign_run(struct nb_campaign_opts *o, char err[NB_ERR_LEN]);

#endif
