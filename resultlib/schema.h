/* schema.h - the names of the result file (results/SCHEMA.md) that its writer (the
 * harness) and its readers (analysis, the harness resuming a run) share: the schema
 * and the versions this build reads, the run, tier and case statuses, and why a case
 * stopped.  A status is an enum in code and its spelling in the file; a spelling this
 * build does not know parses as *_UNKNOWN (readers keep the text for messages).  No
 * cJSON here: the stopping rule (harness/plan.c) uses the names alone. */
#ifndef NB_RESULT_SCHEMA_H
#define NB_RESULT_SCHEMA_H

#include "../common/records.h"   /* NB_BETTER_LOWER, NB_BETTER_HIGHER */

/* ---- the schema and its versions ---------------------------------------------------- */

#define NB_RESULT_SCHEMA "nestbench-result"
/* Version 2 added samples[].campaign_seq and .interference, tiers[].canary,
 * campaign.order and quiet_wait, last_run_timing.canary_s; version 1 files read as
 * version 2 files without them. */
#define NB_RESULT_VERSION 2          /* the version this build writes */
#define NB_RESULT_VERSION_OLDEST 1   /* the oldest version it reads */

/* ---- statuses ----------------------------------------------------------------------- */

/* The file's "status" (SCHEMA.md, "Run status"). */
enum nb_run_status { NB_RUN_RUNNING, NB_RUN_COMPLETE, NB_RUN_PARTIAL, NB_RUN_INTERRUPTED,
		     NB_RUN_UNKNOWN };
/* tiers[].status ("Tier status"). */
enum nb_tier_status { NB_TIER_UNREACHABLE, NB_TIER_FAILED, NB_TIER_RUNNING, NB_TIER_INTERRUPTED,
		      NB_TIER_DONE, NB_TIER_UNKNOWN };
/* cases[].status ("Case status"). */
enum nb_case_status { NB_CASE_PENDING, NB_CASE_RUNNING, NB_CASE_DONE, NB_CASE_SKIPPED,
		      NB_CASE_FAILED, NB_CASE_UNKNOWN };

/* The spelling in the file ("unknown" for *_UNKNOWN), and back (NULL: *_UNKNOWN). */
const char *nb_run_status_name(enum nb_run_status s);
enum nb_run_status nb_run_status_parse(const char *s);
const char *nb_tier_status_name(enum nb_tier_status s);
enum nb_tier_status nb_tier_status_parse(const char *s);
const char *nb_case_status_name(enum nb_case_status s);
enum nb_case_status nb_case_status_parse(const char *s);

/* cases[].stopped_by: the count or precision rule that ended a done case, or the
 * status of a case that ended otherwise. */
#define NB_STOP_REPS "reps"           /* fixed count reached */
#define NB_STOP_TARGET "target"       /* adaptive: the interval reached the target */
#define NB_STOP_MAX_REPS "max_reps"   /* adaptive: out of repetitions */
#define NB_STOP_BUDGET "budget"       /* adaptive: out of time */
#define NB_STOP_SKIPPED "skipped"
#define NB_STOP_FAILED "failed"

/* campaign.order.mode: how visits alternate between tiers. */
#define NB_ORDER_INTERLEAVED "interleaved"   /* each case on every tier in turn */
#define NB_ORDER_BY_TIER "by-tier"           /* one tier after the other */

#endif
