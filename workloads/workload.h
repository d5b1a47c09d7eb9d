/* workload.h - the descriptor every nestbench workload exports, and the services
 * (parameters, meter, scratch-file cleanup) the runner gives it.
 *
 * One family per file (cpu.c, mem_bw.c, ...); each file ends with its descriptors and
 * registers them in workloads/registry.c.  The runner calibrates the operation count,
 * runs warm-up and measured repetitions and prints one record per repetition.
 */
#ifndef NB_WORKLOAD_H
#define NB_WORKLOAD_H

#include "../common/err.h"

#include <stddef.h>
#include <stdint.h>

/* ---- data types ------------------------------------------------------------------ */

enum nb_better { NB_LOWER_IS_BETTER, NB_HIGHER_IS_BETTER };

/* How the primary value of a repetition is derived from its meter readings. */
enum nb_metric {
	NB_METRIC_NS_PER_OP,   /* elapsed ns / ops                    (unit e.g. "ns/op")  */
	NB_METRIC_MB_PER_S,    /* bytes / elapsed, 1 MB = 1e6 bytes   (unit "MB/s")        */
	NB_METRIC_OPS_PER_S,   /* ops / elapsed s                      (unit e.g. "IOPS")  */
};

enum nb_param_type { NB_PARAM_SIZE, NB_PARAM_UINT, NB_PARAM_BOOL, NB_PARAM_STRING };

struct nb_param_spec {
	const char *name;
	enum nb_param_type type;
	const char *def;      /* default as text; NULL = no default (optional / computed) */
	uint64_t min, max;    /* bounds for SIZE and UINT (max 0 = unbounded) */
	const char *help;
	const char *choices;  /* STRING: the allowed values, "a|b"; NULL = any */
};

#define NB_MAX_PARAMS 8
#define NB_MAX_EVENTS 8
#define NB_MAX_EXTRAS 12
#define NB_MAX_TMPFILES 4
#define NB_MAX_CPUS 256

/* A parsed parameter value; exactly one member is meaningful, per the spec's type. */
struct nb_param_value {
	int set;              /* 1 when given on the command line or defaulted */
	uint64_t u;           /* SIZE (bytes), UINT, BOOL (0/1) */
	char s[256];          /* STRING */
};

/* One perf counter the workload opens itself (encoded elsewhere, by the agent). */
struct nb_event {
	char name[64];
	uint32_t type;
	uint64_t config, config1, config2;
	int fd;               /* -1 when it could not be opened */
	char unsupported[128];/* reason when fd < 0 */
	uint64_t value, enabled, running;      /* this repetition */
	uint64_t base_value, base_enabled, base_running; /* readings at its start */
};

/* Extra per-repetition figures a workload reports beside the primary value. */
struct nb_extra {
	const char *key;      /* static string, includes the unit, e.g. "lat_p99_ns" */
	double value;
};

/* The meter: time (CLOCK_MONOTONIC_RAW), TSC cycles and perf counters over the
 * measured region only.  start/stop pairs may repeat within one repetition; the
 * readings accumulate. */
struct nb_meter {
	uint64_t ns;
	uint64_t tsc;
	uint64_t t0_ns, t0_tsc;
	int running;
	struct nb_event *events;
	int nevents;
};

struct nb_ctx;

struct nb_workload {
	const char *name;      /* "exit.cpuid" */
	const char *family;    /* "exit" */
	const char *unit;      /* "ns/op", "MB/s", "ns/fault", "IOPS", ... */
	enum nb_better better;
	enum nb_metric metric;
	const char *stresses;  /* one line: the virtualization path it stresses */
	const struct nb_param_spec *params;
	/* NULL, or a reason (static or written to why) the workload cannot run here. */
	const char *(*supported)(struct nb_ctx *c, char why[NB_ERR_LEN]);
	/* Allocate and prepare state (c->priv). 0, or -1 with c->err filled (a user error
	 * such as an unwritable directory gets exit status 2).  On failure setup frees
	 * what it allocated: teardown is called only after a successful setup. */
	int (*setup)(struct nb_ctx *c);
	/* Perform exactly `ops` operations, bracketing what is measured with
	 * nb_meter_start/stop.  Fill *bytes for MB/s metrics.  0, or -1 with c->err. */
	int (*run)(struct nb_ctx *c, uint64_t ops, uint64_t *bytes);
	void (*teardown)(struct nb_ctx *c);
	uint64_t max_ops;      /* calibration ceiling (0 = none); e.g. memory bounded */
	/* NULL, or the ops that touch the case's working set once (mem.*): what a kept
	 * case's warm-up needs to bring its data back into the caches (nb_run_opts.rewarm). */
	uint64_t (*pass_ops)(const struct nb_ctx *c);
	/* NULL, or a name shared by workloads whose setup is the same for the same
	 * parameters (mem.bw.*: the three arrays): one kept worker serves them all
	 * (serve's "workload"), after rebind adapts the state to the workload now in c->w. */
	const char *setup_group;
	int (*rebind)(struct nb_ctx *c);   /* 0, or -1 with c->err */
};

/* Everything a workload sees.  No globals: the runner owns one of these. */
struct nb_ctx {
	const struct nb_workload *w;
	struct nb_param_value params[NB_MAX_PARAMS];
	struct nb_meter meter;
	struct nb_event events[NB_MAX_EVENTS];
	int nevents;
	int cpu;               /* CPU the runner pinned to, -1 if not pinned */
	int allowed_cpus[NB_MAX_CPUS]; /* CPUs allowed before pinning */
	int nallowed;
	double tsc_hz;         /* measured TSC rate, 0 if the TSC is not usable */
	void *priv;            /* the workload's own state */
	struct nb_extra extras[NB_MAX_EXTRAS];
	int nextras;
	/* Notes printed once in the meta record, e.g. "O_DIRECT refused; buffered I/O". */
	char notes[512];
	/* Scratch files removed on teardown, exit and SIGINT/SIGTERM. */
	char tmpfiles[NB_MAX_TMPFILES][4096];
	int ntmpfiles;
	char err[NB_ERR_LEN];
	int err_is_user;       /* 1: the user can fix it (bad dir ...), exit status 2 */
};

/* ---- services for workloads ------------------------------------------------------ */

uint64_t nb_param_u(const struct nb_ctx *c, const char *name);
const char *nb_param_s(const struct nb_ctx *c, const char *name);
int nb_param_is_set(const struct nb_ctx *c, const char *name);

void nb_meter_start(struct nb_ctx *c);
void nb_meter_stop(struct nb_ctx *c);

/* Report an extra figure for the current repetition (replaces one with the same key). */
void nb_extra(struct nb_ctx *c, const char *key, double value);
void nb_note(struct nb_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int nb_fail(struct nb_ctx *c, int user, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Another CPU the process may use than `not` (two-thread workloads); -1 if none. */
int nb_other_cpu(const struct nb_ctx *c, int not);
/* Pin the calling thread to `cpu`; 0 or -1 with a message naming the allowed CPUs. */
int nb_pin_cpu(int cpu, char err[NB_ERR_LEN]);

/* Register a scratch path for removal at teardown/exit/signal; returns its slot or -1. */
int nb_tmpfile_add(struct nb_ctx *c, const char *path);
void nb_tmpfile_remove_all(struct nb_ctx *c);

/* Consume a value so the compiler cannot drop the computation that produced it. */
static inline void nb_consume_u64(uint64_t v) { __asm__ volatile("" : : "r"(v) : "memory"); }
static inline void nb_consume_ptr(const void *p) { __asm__ volatile("" : : "r"(p) : "memory"); }
static inline void nb_consume_double(double v) { __asm__ volatile("" : : "x"(v) : "memory"); }

/* ---- registry -------------------------------------------------------------------- */

const struct nb_workload *nb_workload_find(const char *name);
const struct nb_workload *const *nb_workloads(size_t *n);

#endif
