/* config.h - campaign files (configs/NAME.json): tiers, workloads, precision, order.
 *
 * Parsing is strict: an unknown key is an error (a typo must not silently change a
 * campaign), keys starting with "_" are comments.  Syntax errors name the line and
 * column; semantic errors name the JSON path (tiers[1].via). */
#ifndef NB_CONFIG_H
#define NB_CONFIG_H

#include "../common/err.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* ---- data types ------------------------------------------------------------------ */

#define NB_CFG_NAME 64
#define NB_CFG_MAX_TIERS 16
#define NB_CFG_MAX_WORKLOADS 64
#define NB_CFG_MAX_PARAMS 16
#define NB_CFG_MAX_EVENTS 8
#define NB_CFG_TEXT 256
#define NB_CFG_MAX_EXITS_ALSO 3

enum nb_precision_mode { NB_PRECISION_FIXED, NB_PRECISION_ADAPTIVE };

/* A further tier counting a tier's VM exits in the same visits ("count_exits" as an
 * array: its second and later entries), e.g. L1 counting L2's exits while L3 runs. */
struct nb_exits_also_cfg {
	int by;                            /* index of the counting tier */
	char by_name[NB_CFG_NAME];
	char target[NB_CFG_TEXT];          /* as exits_target */
	int reasons;
	char address[NB_CFG_TEXT];         /* as exits_address */
};

/* How to reach a tier: an agent the harness starts itself ("local"), a direct
 * address, or a child address relayed through another tier's agent (via). */
struct nb_tier_cfg {
	char name[NB_CFG_NAME];
	int level;
	char hypervisor[NB_CFG_NAME];      /* label the user gives, "" = none */
	char address[NB_CFG_TEXT];         /* "local", vsock:CID:PORT, unix:, tcp:, serial:,
					    * lab:L1, lab:L2 */
	char via[NB_CFG_NAME];             /* parent tier, "" = direct */
	char token_file[PATH_MAX];
	char io_dir[PATH_MAX];             /* dir parameter for io.* and pf.file, "" = default */
	int parent;                        /* index of via, -1 = direct */
	/* "count_exits": the tier whose agent counts this tier's VM exits during each visit
	 * (the one that runs this tier's VMM), -1 = off. */
	int exits_by;
	char exits_by_name[NB_CFG_NAME];   /* as written; "" = via */
	char exits_target[NB_CFG_TEXT];    /* "auto", "all" or pids "812,813" */
	int exits_reasons;                 /* split by exit reason (raw samples) */
	char exits_address[NB_CFG_TEXT];   /* another address of that tier's agent, "" = its own */
	/* count_exits.visits "timed": count during the timed visits, which makes each exit
	 * dearer; otherwise ("own", the default) in one visit of its own per case */
	int exits_timed;
	struct nb_exits_also_cfg exits_also[NB_CFG_MAX_EXITS_ALSO];
	int nexits_also;                   /* 0 unless count_exits is an array of 2 or more */
};

/* Settings a workload entry may override; -1 / 0 / "" mean "inherit". */
struct nb_run_cfg {
	int reps;
	int warmup;
	int min_time_ms;
	int timeout_s;
	int cpu;                           /* -1 auto (agent picks with hwloc), -2 unpinned */
	char events[NB_CFG_MAX_EVENTS][NB_CFG_TEXT];
	int nevents;                       /* -1: inherit */
};

struct nb_workload_cfg {
	char pattern[NB_CFG_NAME];         /* "cpu.int", "exit.*", "mem.bw.*", "*" */
	char params[NB_CFG_MAX_PARAMS][NB_CFG_TEXT];  /* "key=value" */
	int nparams;
	struct nb_run_cfg run;
};

struct nb_precision_cfg {
	enum nb_precision_mode mode;
	double target;                     /* adaptive: CI half-width / median, e.g. 0.01 */
	int min_reps, max_reps;            /* adaptive bounds */
	double budget_s;                   /* adaptive: time budget per workload case and tier */
};

/* order.tiers: whether the tiers' visits alternate (nb_config_interleaved). */
enum nb_tiers_order { NB_TIERS_AUTO, NB_TIERS_INTERLEAVED, NB_TIERS_BY_TIER };

struct nb_order_cfg {
	int interleave;                    /* 1: visits in seeded random order, round by round */
	int block;                         /* repetitions per visit */
	uint64_t seed;
	int seed_given;                    /* 0: the harness picks one and records it */
	enum nb_tiers_order tiers;         /* AUTO: interleaved for lab campaigns */
};

/* The local nested lab (`nestbench lab up`): the guests it boots.  Tiers reach them
 * with the addresses "lab:L1", "lab:L2" (and "lab:L3" with lab.l3), resolved from the
 * running lab's state. */
struct nb_lab_cfg {
	int present;                       /* the campaign has a "lab" object */
	int l1_vcpus, l1_memory_mib;
	char l1_accelerator[16];           /* "auto" (try KVM, else TCG), "kvm", "tcg" */
	char l1_transport[16];             /* L0 <-> L1: "auto" (vsock, else serial), ... */
	int l2_vcpus, l2_memory_mib, l2_cid;
	int l2_hyperv;                     /* start L2 with KVM's Hyper-V enlightenments */
	int l3_vcpus, l3_memory_mib, l3_cid;  /* lab.l3: KVM inside L2; l3_cid 0 = no L3 */
	int boot_timeout_s;                /* per guest, until its agent answers hello */
	/* A kvm-unit-tests binary (x86/vmexit.flat) that L1 runs as a second L2 on request
	 * (`nestbench lab kut`, make validate); "" = none. */
	char kvm_unit_tests[PATH_MAX];
};

/* "quiet": before measuring a lab campaign, wait until the lab's QEMU uses less than
 * threshold_pct of one CPU over a window of window_s, for at most timeout_s. */
struct nb_quiet_cfg {
	int enabled;
	double threshold_pct, window_s, timeout_s;
};

struct nb_campaign_cfg {
	char name[NB_CFG_NAME];
	char description[NB_CFG_TEXT * 2];
	struct nb_tier_cfg tiers[NB_CFG_MAX_TIERS];
	int ntiers;
	struct nb_workload_cfg workloads[NB_CFG_MAX_WORKLOADS];
	int nworkloads;
	struct nb_run_cfg defaults;        /* fully resolved: no "inherit" values */
	struct nb_precision_cfg precision;
	struct nb_order_cfg order;
	struct nb_lab_cfg lab;
	struct nb_quiet_cfg quiet;
	int canary;                        /* measure the canary every round (default 1) */
	int keep_workers;                  /* agents keep a case's worker across visits (1) */
	char path[PATH_MAX];
	char *text;                        /* the file as read, recorded in results */
	size_t len;
};

/* ---- prototypes ------------------------------------------------------------------ */

/* Read and parse a campaign file.  0, or -1 with err "PATH:LINE:COL: message" for
 * syntax errors and "PATH: tiers[1].via: message" for the rest. */
int nb_config_load(const char *path, struct nb_campaign_cfg *c, char err[NB_ERR_LEN]);
/* The same from memory (name is used in messages). */
int nb_config_parse(const char *text, size_t len, const char *name, struct nb_campaign_cfg *c,
		    char err[NB_ERR_LEN]);
void nb_config_free(struct nb_campaign_cfg *c);

/* The lab settings when a campaign has no "lab" object (`nestbench lab up` without
 * a CONFIG): 2 vCPUs and 4 GiB for L1, 2 vCPUs and 1.5 GiB for L2, automatic choices. */
void nb_lab_defaults(struct nb_lab_cfg *lab);

/* The settings for one workload entry: its overrides on top of the defaults. */
struct nb_run_cfg nb_config_effective(const struct nb_campaign_cfg *c, int workload);

/* Whether the tiers' visits alternate: order.tiers, or by default for a campaign
 * with a "lab" object (its tiers are all reachable at once). */
int nb_config_interleaved(const struct nb_campaign_cfg *c);

/* Index of a tier by name, -1 if none. */
int nb_config_tier(const struct nb_campaign_cfg *c, const char *name);

/* Does a workload name match a pattern ("exit.*", "mem.bw.*", "*", or exact)? */
int nb_pattern_match(const char *pattern, const char *name);

#endif
