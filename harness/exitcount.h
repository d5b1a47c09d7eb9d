/* exitcount.h - a tier's VM exits counted by the tier that runs its VMM (the campaign's
 * per-tier "count_exits"): a second session to that tier's agent brackets a visit with
 * exits-start / exits-stop (one visit of its own per case, or every timed visit), and
 * the case's samples get an "exits" object (or "exits_unsupported" with the reason).  The relay that reaches a child occupies its
 * own session, so this one is separate: a new chain to the counting tier (a second
 * agent for a local one), or its count_exits.address.  Counting never fails a tier:
 * when it cannot be done the samples say why.  Fields: results/SCHEMA.md. */
#ifndef NB_EXITS_COUNT_H
#define NB_EXITS_COUNT_H

#include "config.h"
#include "tier.h"

#include <cjson/cJSON.h>

struct nb_exitcount {
	struct nb_tier_conn conn;  /* the session to the counting tier's agent */
	int connected;
	int running;               /* between exits-start (or -resume) and exits-stop (or -pause) */
	int armed;                 /* counters open on the agent, paused between visits */
	int can_pause;             /* the agent has exits-pause and exits-resume */
	char by[NB_CFG_NAME];      /* the counting tier */
	char target[NB_CFG_TEXT];  /* as configured: "auto", "all", pids or "libvirt:DOMAIN" */
	char pids[24];             /* a "libvirt:" target's QEMU pid, "" otherwise */
	int reasons;
	char unsupported[640];     /* why nothing is counted for this tier, "" */
	cJSON *stop;               /* the last visit's exits-stop reply */
	cJSON *tier;               /* the measured tier's result object (not owned) */
	int slot;                  /* 0: count_exits' first counter; k: its exits_also[k - 1] */
	int timed;                 /* counting during the timed visits (count_exits.visits) */
};

/* Start counting for tier t if its campaign entry asks for it: NULL when it does not;
 * otherwise x, connected or with x->unsupported set (and tiers[].exits recording
 * either).  slot 0 is count_exits' first counter, k >= 1 its exits_also[k - 1] (recorded
 * as exits_also).  env: how local agents are started; err of a connection goes to log. */
struct nb_exitcount *nb_exitcount_open(struct nb_exitcount *x, const struct nb_campaign_cfg *cfg,
				       int t, int slot, const struct nb_tier_env *env, cJSON *tier);
/* Around one visit's run request (both NULL-safe). */
void nb_exitcount_begin(struct nb_exitcount *x);
void nb_exitcount_end(struct nb_exitcount *x);
/* Put the visit's figures into its samples: samples[first..] of the case object. */
void nb_exitcount_annotate(struct nb_exitcount *x, const cJSON *run_reply, cJSON *case_obj,
			   int first, int first_visit);
/* Close the session (abort: without bye, after Ctrl-C). */
void nb_exitcount_close(struct nb_exitcount *x, int abort);

/* Pure: the sample's "exits" object from an exits-stop reply, the visit's operations
 * and repetitions, the counting tier's name and whether the visit calibrated. */
cJSON *nb_exitcount_sample(const cJSON *stop, double visit_ops, int visit_reps, const char *by,
			   int first_visit);
/* Operations and repetitions of a run reply's "rep" records, warm-up included. */
double nb_exitcount_visit_ops(const cJSON *run_reply, int *reps);

#endif
