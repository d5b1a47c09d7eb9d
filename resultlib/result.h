/* result.h - the campaign result file (results/SCHEMA.md): one JSON document holding
 * every sample of every tier.  This library owns its shape.  The harness writes it only
 * through the functions below (a new document, tiers, cases, the workload's records
 * folded into samples, statuses); analysis and a resumed run read it only through them
 * (typed views of the head, a tier, a case, a sample).  Files are written atomically
 * (temporary file, fsync, rename) so a reader or a crash never sees half a file, and
 * read in every schema version this build knows (schema.h).
 *
 * Objects the document carries verbatim (the agent's hello and sysinfo, the workload's
 * meta record, the lab's description, the counting agent's exits figures) are the
 * producers' formats; the library places them and reads back only what SCHEMA.md names. */
#ifndef NB_RESULT_H
#define NB_RESULT_H

#include "schema.h"
#include "../common/err.h"
#include "../common/identity.h"   /* struct nb_identity, enum nb_id_kind */

#include <cjson/cJSON.h>
#include <stdint.h>

/* ---- files -------------------------------------------------------------------------- */

/* Write doc to path atomically; 0 or -1 with err (512 bytes; the old file, if any,
 * stays whole). */
int nb_result_write(const cJSON *doc, const char *path, char err[NB_ERR_LEN]);
/* Read a result file: its schema checked, any version from NB_RESULT_VERSION_OLDEST to
 * NB_RESULT_VERSION accepted and read in this version's shape.  NULL with err (512). */
cJSON *nb_result_load(const char *path, char err[NB_ERR_LEN]);

/* ---- the head: the campaign, the binaries, the run ----------------------------------- */

struct nb_res_head {
	const char *campaign, *description, *config_path;
	const char *config_sha256;     /* NULL: not known (writing: left out) */
	const char *config_text;
	double seed;                   /* exact below 2^53 */
	int has_seed;                  /* reading: the file has a numeric seed */
	const char *version, *git_revision;           /* the harness */
	const char *work_sha256, *work_version;       /* nestbench-work */
	double work_size;
	const char *order_mode;        /* campaign.order.mode (NB_ORDER_*); NULL: absent */
	const char *started_utc;       /* reading only (a new document starts now) */
	const char *status;            /* reading only: the spelling in the file */
	int schema_version;            /* reading only: as the file says (0: absent) */
};

/* A new run's document: the head, started now, status running, no tiers yet. */
cJSON *nb_res_new(const struct nb_res_head *h);
/* The head of a document (pointers into doc; NULL, 0 where absent). */
void nb_res_head_read(const cJSON *doc, struct nb_res_head *h);

/* What the command line changed of the campaign file (campaign.overrides): --reps and
 * --min-time-ms for every case (0: not given) and the --tier selection, comma-separated
 * (NULL or "": every tier). */
struct nb_res_overrides {
	int reps, min_time_ms;
	const char *tiers;
};
/* Written only when something was given. */
void nb_res_set_overrides(cJSON *doc, const struct nb_res_overrides *ov);
/* The recorded overrides (0 where absent); the tiers into tiers[len] ("" when none). */
void nb_res_overrides_read(const cJSON *doc, struct nb_res_overrides *ov, char *tiers, size_t len);

/* The harness's own time budget of the last invocation (last_run_timing). */
/* Where a visit's (or a campaign's) time went, from the agent's reply and the round
 * trip the harness timed: the measured regions of measured repetitions, of warm-up
 * repetitions, the workload's own setup (setup(), calibration, the TSC rate; setup only
 * once for a kept worker), what else the agent timed (process start and exit, the
 * unmeasured parts of repetitions, records), and the rest of the round trip
 * (transport, relays, the agent's request handling). */
struct nb_res_time {
	double measure_s, warmup_s, setup_s, process_s, transport_s;
};
/* The time a run reply's workload process spent on the request: elapsed_ms, plus a
 * kept worker's start-up when it was started for it (worker.spawn_ms). */
double nb_res_reply_process_s(const cJSON *reply);
/* Add a visit's reply (the agent's elapsed_ms and records) over a round trip of rt_s. */
void nb_res_time_add_visit(struct nb_res_time *t, const cJSON *reply, double rt_s);

struct nb_res_timing {
	double wall_s;
	double in_workload_processes_s;
	double in_measured_reps_s;
	double canary_s;               /* wall time of the canary runs (not in the above) */
	double quiet_wait_s;           /* waiting for the lab to be quiet */
	double exit_counting_s;        /* starting, resuming, pausing, reading exit counters */
	struct nb_res_time visits;     /* the visits' split (not the canary's) */
	const char *const *tier_names; /* per tier: its visits' split (ntiers of each) */
	const struct nb_res_time *tiers;
	int ntiers;
};

/* campaign.order as used: mode (NB_ORDER_*), the seed, and note (NULL: none) saying why
 * the mode differs from the one the campaign asked for. */
void nb_res_set_order(cJSON *doc, const char *mode, double seed, const char *note);

/* The end of an invocation: finished now, with this status and timing. */
void nb_res_finish(cJSON *doc, enum nb_run_status s, const struct nb_res_timing *t);

/* ---- tiers -------------------------------------------------------------------------- */

/* The tier called name, or NULL; created (empty, last) when create is set. */
cJSON *nb_res_tier(cJSON *doc, const char *name, int create);

/* What the campaign says the tier is, recorded each time the harness starts on it. */
struct nb_res_tier_id {
	int level;
	const char *hypervisor_label, *address, *via;
};
void nb_res_tier_begin(cJSON *tier, const struct nb_res_tier_id *id);

/* The status, and error when not NULL; done also drops an error of an earlier attempt. */
void nb_res_tier_set_status(cJSON *tier, enum nb_tier_status s, const char *error);
enum nb_tier_status nb_res_tier_status(const cJSON *tier);
/* started_utc (kept from the first start) and finished_utc: now. */
void nb_res_tier_started(cJSON *tier);
void nb_res_tier_finished(cJSON *tier);
/* How the agent was reached; the sha256 it stored nestbench-work under. */
void nb_res_tier_set_reached(cJSON *tier, const char *how);
void nb_res_tier_set_work(cJSON *tier, const char *sha256);

/* The environment (captured again on every connection).  set_agent and set_sysinfo
 * take the agent's replies (owned; their protocol members id and ok are dropped),
 * sysinfo NULL removes a stale one; set_lab copies; warning NULL removes. */
void nb_res_tier_set_agent(cJSON *tier, cJSON *hello);
void nb_res_tier_set_sysinfo(cJSON *tier, cJSON *sysinfo);
void nb_res_tier_set_nature(cJSON *tier, const char *nature);
void nb_res_tier_set_warning(cJSON *tier, const char *warning);
void nb_res_tier_set_lab(cJSON *tier, const cJSON *lab);
/* A tier at a "libvirt:" address: the domain, URI and CID it resolved to (copied). */
void nb_res_tier_set_libvirt(cJSON *tier, const cJSON *libvirt);
const char *nb_res_tier_label(const cJSON *tier);    /* hypervisor_label, or NULL */
const char *nb_res_tier_nature(const cJSON *tier);   /* nature, or NULL */
const cJSON *nb_res_tier_sysinfo(const cJSON *tier); /* the agent's sysinfo, or NULL */

/* tiers[].identity (resultlib/identity.c): what the tier is, named from its evidence
 * (common/identity.h); the prose `nature` and the label's `warning` are set beside it
 * with set_nature and set_warning. */
void nb_res_tier_set_identity(cJSON *tier, const struct nb_identity *id);
const char *nb_res_tier_warning(const cJSON *tier);  /* warning, or NULL */

/* The identity as readers use it (pointers into the document or the hypervisor table).
 * A file written before identities were recorded has only the prose `nature`: the
 * fields are then derived from it as the readers of that time did (the name before
 * " guest (signature", "bare metal", the accelerator after ", accelerator "). */
struct nb_res_identity_view {
	enum nb_id_kind kind;
	const char *hypervisor;        /* table key ("kvm"), or NULL: not named */
	const char *name;              /* its display name ("KVM"), or NULL */
	const char *beneath, *presents; /* table keys, or NULL */
	const char *accelerator;       /* "tcg", "kvm", ..., or NULL */
	const char *label_hypervisor;  /* the table key the campaign label names, or NULL */
	int label_contradicted;        /* the label names another hypervisor than the evidence */
	int recorded;                  /* 1: tiers[].identity; 0: derived from `nature` */
	char buf[2][64];               /* storage for derived text */
};
void nb_res_tier_identity(const cJSON *tier, struct nb_res_identity_view *v);

/* tiers[].exits: who counts the tier's VM exits and whether that works. */
struct nb_res_tier_exits {
	const char *counted_by, *target;
	int reasons;
	const char *reached;       /* how the counting session got there; NULL: it did not */
	const char *unsupported;   /* why nothing is counted; "" or NULL: counting */
	const char *pids;          /* a "libvirt:" target: its QEMU pid; NULL: none */
	int slot;                  /* 0: "exits"; k >= 1: exits_also[k - 1], a further counter */
	int timed;                 /* counted during the timed visits, not in visits of their own */
};
void nb_res_tier_set_exits(cJSON *tier, const struct nb_res_tier_exits *e);

/* The campaign waited for the lab's guests to be quiet before measuring (quiet_wait). */
struct nb_res_quiet_wait {
	const char *target;        /* what it watched: "lab QEMU pid 1234 on L0" */
	double threshold_pct;      /* % of one CPU */
	double window_s, timeout_s;
	double waited_s;
	double last_pct;           /* the last window's use; NaN: none measured */
	int quiet;                 /* 0: the timeout came first (or nothing to watch) */
	const char *note;          /* why it could not watch, or NULL */
};
void nb_res_set_quiet_wait(cJSON *doc, const struct nb_res_quiet_wait *q);

/* A tier as analysis reads it (pointers into the document). */
struct nb_res_tier_view {
	const char *name;          /* NULL: damaged */
	int has_level, level;
	const char *via, *status, *error, *hypervisor_label, *nature, *warning; /* NULL: absent */
	/* from the recorded sysinfo: NULL, or -1, when absent */
	const char *accelerator, *kernel_release, *cpu_model;
	int vcpus;
	const cJSON *cases;        /* its cases, for cJSON_ArrayForEach; NULL when none */
	int n_cases;
};
void nb_res_tier_read(const cJSON *tier, struct nb_res_tier_view *v);
/* The document's tiers, for cJSON_ArrayForEach (NULL when none), and how many. */
const cJSON *nb_res_tiers(const cJSON *doc, int *n);

/* ---- cases -------------------------------------------------------------------------- */

/* What a case is: its join key, the workload's description, its parameters as
 * "name=value" (sorted, as in the key). */
struct nb_res_case_id {
	const char *key, *workload, *family, *unit;
	int higher_is_better;
	const char *const *params;
	int nparams;
};

/* The case of tier with this key, or NULL. */
cJSON *nb_res_case(cJSON *tier, const char *key);
/* The same, created pending with its identity when the tier has none yet. */
cJSON *nb_res_case_add(cJSON *tier, const struct nb_res_case_id *id);

enum nb_case_status nb_res_case_status(const cJSON *c);
void nb_res_case_set_status(cJSON *c, enum nb_case_status s);
/* error: why a failed case failed (replaces one recorded before), or NULL. */
void nb_res_case_set_error(cJSON *c, const char *error);
const char *nb_res_case_error(const cJSON *c);
/* Failed, because of error. */
void nb_res_case_fail(cJSON *c, const char *error);
/* It stopped (stopped_by, schema.h NB_STOP_*): done, unless it was skipped or failed. */
void nb_res_case_stop(cJSON *c, const char *stopped_by);
/* Wall seconds of all its visits so far. */
void nb_res_case_set_spent(cJSON *c, double spent_s);
/* The case's samples straddle a regime shift (the stopping rule's finding): source
 * "samples" or "canary" (then workload names it), the shift's relative size and p, and
 * at_seq where it happened; source NULL removes it. */
void nb_res_case_set_regime(cJSON *c, const char *source, const char *workload, double rel,
			    double p, int at_seq);
/* The calibrated operations per repetition (every later visit runs it); 0 when none. */
double nb_res_case_ops_per_rep(const cJSON *c);

/* Fold one visit's records (a run reply's "records": common/records.h) into the case:
 * its meta record and op count on first sight, each measured repetition as a sample
 * numbered visit, round and seq, a skip or error record as the case's outcome, an end
 * record's notes.  Returns the measured seconds of the samples it added. */
double nb_res_case_absorb(cJSON *c, const cJSON *records, int visit, int round, int seq);
/* Put the visit's parent-counted VM exits into the samples from index first on:
 * exits (copied) when counted, else the reason in unsupported ("" or NULL: neither). */
void nb_res_case_set_exits(cJSON *c, int first, const cJSON *exits, const char *unsupported);
/* Exits counted in a visit of their own (count_exits.visits "own"): samples[first..]
 * that have none of "exits", "exits_unsupported" and "exits_also" get those of the
 * case's first sample that has any.  0 when copied (or none lacked them), 1 when no
 * sample has them yet. */
int nb_res_case_copy_exits(cJSON *c, int first);
/* The same for a further counter (count_exits as an array): samples[].exits_also[slot - 1],
 * the exits object or {"counted_by", "unsupported"}. */
void nb_res_case_set_exits_also(cJSON *c, int first, int slot, const char *by, const cJSON *exits,
				const char *unsupported);

/* What else the machine did during a visit (samples[].interference): percentages of
 * all the tier's CPUs over the visit's window; NaN leaves a field out. */
struct nb_res_interference {
	double steal_pct, other_busy_pct;
	double vmm_cpu_pct;        /* % of one L0 CPU: the lab's QEMU; NaN: not a lab tier */
	double window_ms;
	const char *unsupported;   /* why the tier reported no steal/other figures, or NULL */
};
/* Number the visit's samples (from index first on) with campaign_seq and give them
 * the visit's interference (NULL: none). */
void nb_res_case_mark_visit(cJSON *c, int first, int campaign_seq,
			    const struct nb_res_interference *itf);

int nb_res_case_nsamples(const cJSON *c);
/* The samples' values (malloc'd into *x, numbers only); returns how many. */
int nb_res_case_values(const cJSON *c, double **x);
/* The campaign_seq of the same samples, in the same order (0 where absent). */
int nb_res_case_seqs(const cJSON *c, int **s);

/* Where a case stands, for resuming it: samples with a value, time spent, and the
 * highest visit, round and seq numbers (0 when none), so numbering continues. */
struct nb_res_case_progress {
	int n;
	double spent_s;
	int max_visit, max_round, max_seq;
	int max_campaign_seq;      /* 0 in version 1 files */
	enum nb_case_status status;
};
void nb_res_case_progress(const cJSON *c, struct nb_res_case_progress *p);

/* A case as analysis reads it (pointers into the document; NULL where absent). */
struct nb_res_case_view {
	const char *key, *workload, *family, *unit, *better, *status;
	const char *reason;        /* skipped: why */
	const char *error;         /* failed: why */
	const cJSON *params;       /* {name: "value"}, for cJSON_ArrayForEach; NULL: none */
	int n_params;
	const cJSON *samples;      /* for cJSON_ArrayForEach and nb_res_sample_read */
	int n_samples;
};
void nb_res_case_read(const cJSON *c, struct nb_res_case_view *v);

/* ---- samples ------------------------------------------------------------------------ */

/* One entry of samples[].counters: an event counted, one the tier cannot count, or one
 * never scheduled (perf's "not counted"); never a zero for the last two. */
enum nb_ctr_state { NB_CTR_COUNTED, NB_CTR_UNSUPPORTED, NB_CTR_NOT_COUNTED };

struct nb_res_counter {
	const char *name;          /* NULL: not a counter entry (skip it) */
	enum nb_ctr_state state;
	double scaled;             /* COUNTED: the count scaled by enabled/running time */
	int multiplexed;
	const char *why;           /* UNSUPPORTED: the tier's reason (may be NULL) */
};
void nb_res_counter_read(const cJSON *entry, struct nb_res_counter *k);

/* The sample's VM exits counted by the parent tier: not counted for this tier, a total,
 * or counting was tried and gave no total (why says why). */
enum nb_exits_state { NB_EXITS_NONE, NB_EXITS_COUNTED, NB_EXITS_UNKNOWN };

/* A sample as analysis reads it. */
struct nb_res_sample_view {
	double value;              /* NaN when absent */
	double ops;                /* -1 when absent */
	int visit;                 /* 0 when absent */
	int seq;                   /* the visit's position in the tier; 0 when absent */
	int campaign_seq;          /* its position among all visits of the campaign; 0: absent */
	/* interference over the visit (schema 2, optional): NaN when absent */
	double steal_pct, other_busy_pct, vmm_cpu_pct;
	const cJSON *counters;     /* entries for nb_res_counter_read; NULL: none */
	enum nb_exits_state exits_state;
	double exits_total;        /* COUNTED: over the whole visit */
	double exits_visit_ops;    /* the visit's operations (exits object without them: -1) */
	int exits_first_visit;     /* the visit calibrated: its exits include that */
	const char *exits_why;     /* UNKNOWN: why (may be NULL) */
	const cJSON *exits_by_reason;  /* {reason: count}, or NULL when not recorded */
};
void nb_res_sample_read(const cJSON *s, struct nb_res_sample_view *v);

/* ---- the canary (schema 2, optional): a short fixed workload measured every round ---- */

struct nb_res_canary_view {
	int round, campaign_seq;   /* -1 when absent */
	const char *workload, *unit; /* NULL when absent */
	double value;              /* NaN when absent */
	const cJSON *samples;      /* each repetition's ns/op (since 2026-12), or NULL */
};
/* Writing: one canary run of a round on a tier, appended to tiers[].canary. */
struct nb_res_canary {
	int round, campaign_seq;
	const char *workload, *unit;
	double value;              /* median ns/op of its repetitions */
	int n;                     /* repetitions */
	const double *samples;     /* the n repetitions' ns/op, or NULL */
};
void nb_res_tier_add_canary(cJSON *tier, const struct nb_res_canary *c);
/* The highest campaign_seq of the tier's canary entries (0: none). */
int nb_res_tier_canary_max_seq(const cJSON *tier);
/* The tier's canary entries, for cJSON_ArrayForEach (NULL when none), and how many. */
const cJSON *nb_res_tier_canary(const cJSON *tier, int *n);
void nb_res_canary_read(const cJSON *entry, struct nb_res_canary_view *v);

#endif
