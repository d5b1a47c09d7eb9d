/* resultset.h - result files (results/SCHEMA.md) read into a flat model for the reports:
 * every tier of every file, each with its cases' sample values, unit, direction and
 * status, and the environment that says what the tier really was.  The JSON is parsed
 * once and dropped; the model owns copies of what the tables, charts and verdicts need.
 */
#ifndef NB_RESULTSET_H
#define NB_RESULTSET_H

#include "derived.h"
#include "../stats/stats.h"

#include <stddef.h>
#include <stdint.h>

#define NB_RS_ERR 512           /* messages name a path and the fix */

/* ---- data types --------------------------------------------------------------------- */

/* One sample's perf counters, operations and parent-counted VM exits, in the model the
 * derived metrics are computed from (derived.h: one model for the reader and the
 * metrics).  An event the tier cannot count stays NB_CTR_UNSUPPORTED with its reason,
 * one never scheduled NB_CTR_NOT_COUNTED: never a zero. */
struct nb_rs_sample {
	int visit;               /* samples[].visit (1-based); 0 when absent */
	struct nb_derive_in in;  /* in.ctr, in.reasons and their strings belong to the case */
};

struct nb_rs_param {
	char *name, *value;      /* as in the file's `params`: strings ("64M") */
};

struct nb_rs_case {
	char *key;               /* the join key: workload and parameters */
	char *workload, *family, *unit, *status;
	char *reason;            /* skipped: `reason`; failed: `error`; otherwise NULL */
	enum nb_stats_better better;
	double *values;          /* samples[].value in file order */
	struct nb_rs_sample *samples; /* the same samples' counters and exits */
	size_t n;
	struct nb_rs_param *params;
	size_t n_params;
	/* storage behind samples[].in */
	struct nb_ctr *ctr_store;
	struct nb_exit_reason *reason_store;
	char **strs;             /* event names, reasons: each text once */
	size_t n_strs;
};

/* What a tier was, for one footnote line and the column names. */
struct nb_rs_env {
	char *nature;            /* `nature`, or "unknown (no sysinfo recorded)" */
	char *warning;           /* the label contradicts the detected hypervisor; or NULL */
	char *hypervisor;        /* hypervisor_label, else the name in `nature` ("KVM", ...) */
	char *accelerator;       /* sysinfo.accelerator, or NULL */
	char *kernel;            /* sysinfo.kernel.release, or NULL */
	char *cpu;               /* sysinfo.cpu.model, or NULL */
	int vcpus;               /* sysinfo.vcpus, or -1 */
	int bare_metal;          /* the nature says no hypervisor bit */
};

struct nb_rs_tier {
	char *name;
	int level;
	char *via;               /* the relaying parent tier, "" when direct */
	char *status, *error;    /* error: why unreachable/failed, or NULL */
	struct nb_rs_env env;
	struct nb_rs_case *cases;
	size_t n_cases;
	size_t file;             /* index into nb_resultset.files */
};

struct nb_rs_file {
	char *path;              /* as given */
	char *campaign;          /* campaign.name */
	char *started;           /* started_utc */
	char *work_sha256;       /* nestbench.work_sha256, "" when absent */
	uint64_t seed;           /* campaign.seed */
	int has_seed;
	size_t first_tier, n_tiers; /* its tiers in nb_resultset.tiers */
};

/* Every tier of every file, in file order then the file's tier order. */
struct nb_resultset {
	struct nb_rs_file *files;
	size_t n_files;
	struct nb_rs_tier *tiers;
	size_t n_tiers;
};

/* ---- prototypes --------------------------------------------------------------------- */

/* Read a result file (schema and version checked by nb_result_load) and append it;
 * 0, or -1 with err naming the file, the problem and the fix. */
int nb_rs_add_file(struct nb_resultset *rs, const char *path, char *err);
/* Append an already parsed document (cJSON *; void * keeps cJSON out of this header),
 * as read from `path`.  The schema is not checked here. */
int nb_rs_add_doc(struct nb_resultset *rs, const char *path, const void *doc, char *err);
void nb_rs_free(struct nb_resultset *rs);

/* The case of `tier` with this key, or NULL. */
const struct nb_rs_case *nb_rs_find_case(const struct nb_rs_tier *tier, const char *key);
/* A parameter's value, or NULL. */
const char *nb_rs_param(const struct nb_rs_case *c, const char *name);
/* Why the case has no usable sample ("skipped: <reason>", "no samples", ...), or NULL
 * when it has at least one. */
const char *nb_rs_case_problem(const struct nb_rs_case *c, char *buf, size_t len);
/* A stable identity of a tier for seeding bootstrap streams: the campaign, its start
 * time and the tier name, so a copied or renamed file gives the same intervals. */
void nb_rs_tier_id(const struct nb_resultset *rs, const struct nb_rs_tier *t, char *buf,
		   size_t len);
/* Resolve "TIER" or "FILE:TIER" (FILE: the path as given or its base name) to a tier
 * index; -1 with err listing the tiers there are. */
long nb_rs_find_tier(const struct nb_resultset *rs, const char *spec, char *err);
/* The file's name without directories (for labels). */
const char *nb_rs_basename(const char *path);

#endif
