/* resultset.h - result files (results/SCHEMA.md) read into a flat model for the reports:
 * every tier of every file, each with its cases' sample values, unit, direction and
 * status, and the environment that says what the tier really was.  The JSON is parsed
 * once and dropped; the model owns copies of what the tables, charts and verdicts need.
 */
#ifndef NB_RESULTSET_H
#define NB_RESULTSET_H

#include "derived.h"
#include "../common/err.h"
#include "../stats/stats.h"

#include <stddef.h>
#include <stdint.h>


/* ---- data types --------------------------------------------------------------------- */

/* One sample's perf counters, operations and parent-counted VM exits, in the model the
 * derived metrics are computed from (derived.h: one model for the reader and the
 * metrics).  An event the tier cannot count stays NB_CTR_UNSUPPORTED with its reason,
 * one never scheduled NB_CTR_NOT_COUNTED: never a zero. */
struct nb_rs_sample {
	int visit;               /* samples[].visit (1-based); 0 when absent */
	int seq;                 /* samples[].seq: the visit's position in the tier; 0: absent */
	int campaign_seq;        /* samples[].campaign_seq (schema 2); 0 when absent */
	/* samples[].interference over the visit (schema 2): % of the tier's CPUs that
	 * were stolen or busy with other work; NaN when absent */
	double steal_pct, other_busy_pct;
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

/* What a tier was, for one footnote line and the column names: read from the structured
 * identity (resultlib's nb_res_tier_identity), never from the prose. */
struct nb_rs_env {
	char *nature;            /* `nature` (for people), or "unknown (no sysinfo recorded)" */
	char *warning;           /* the label contradicts the evidence, in words; or NULL */
	char *hypervisor;        /* the hypervisor the evidence names ("KVM", ...), else the
				  * label's, else "bare metal", "unknown hypervisor", "unknown" */
	char *labelled;          /* the label's hypervisor when it contradicts the evidence
				  * ("Hyper-V"), else NULL */
	char *identity;          /* kind, hypervisor, layer beneath, accelerator: one text to
				  * compare ("guest kvm", "guest pvm over bhyve") */
	char *accelerator;       /* "tcg", "kvm" (the lab's or the agent's), or NULL */
	char *kernel;            /* sysinfo.kernel.release, or NULL */
	char *cpu;               /* sysinfo.cpu.model, or NULL */
	int vcpus;               /* sysinfo.vcpus, or -1 */
	int bare_metal;          /* the evidence says bare metal */
	char *exits_counted_by;  /* tiers[].exits.counted_by when its exits were counted
				  * while it was measured (that makes each exit dearer), or NULL */
};

/* tiers[].canary (schema 2, optional): one series per canary workload, in round order. */
struct nb_rs_canary {
	char *workload, *unit;
	double *values;          /* each round's median */
	int *rounds;
	int *seqs;               /* each round's campaign_seq (0: absent) */
	size_t n;
	double *reps;            /* every repetition of every round (files before 2026-12
				  * recorded only the medians: then the medians) */
	size_t n_reps;
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
	struct nb_rs_canary *canary; /* NULL, n_canary 0: the file recorded none */
	size_t n_canary;
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
int nb_rs_add_file(struct nb_resultset *rs, const char *path, char err[NB_ERR_LEN]);
/* Append an already parsed document (cJSON *; void * keeps cJSON out of this header),
 * as read from `path`.  The schema is not checked here. */
int nb_rs_add_doc(struct nb_resultset *rs, const char *path, const void *doc, char err[NB_ERR_LEN]);
void nb_rs_free(struct nb_resultset *rs);

/* The two tiers are the same kind of thing (identity and column hypervisor). */
int nb_rs_env_same(const struct nb_rs_env *a, const struct nb_rs_env *b);
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
long nb_rs_find_tier(const struct nb_resultset *rs, const char *spec, char err[NB_ERR_LEN]);
/* The file's name without directories (for labels). */
const char *nb_rs_basename(const char *path);

#endif
