/* runner.h - runs one workload: parameters, pinning, calibration, repetitions, records. */
#ifndef NB_RUNNER_H
#define NB_RUNNER_H

#include "cpuinfo.h"
#include "params.h"
#include "workload.h"

#include <stdio.h>

/* Exit statuses of `nestbench-work run`. */
enum { NB_EXIT_OK = 0, NB_EXIT_FAIL = 1, NB_EXIT_USAGE = 2, NB_EXIT_SKIP = 77 };

#define NB_MAX_GIVEN 32

struct nb_run_opts {
	unsigned reps;           /* measured repetitions */
	unsigned warmup;         /* discarded repetitions after calibration */
	uint64_t min_time_ns;    /* each repetition lasts at least this long */
	uint64_t ops;            /* 0: calibrate; else this op count (same as an earlier run) */
	int rewarm;              /* the case ran before in this process (serve): warm-ups
				  * re-warm its working set (nb_rewarm_ops), not a full rep */
	int cpu;                 /* -1: do not pin */
	const char *params[NB_MAX_GIVEN];
	int nparams;
	const char *events[NB_MAX_GIVEN];  /* --events values, each a comma list */
	int nevents;
	FILE *out;               /* records */
	FILE *err;               /* one-line error messages */
};

void nb_run_opts_default(struct nb_run_opts *o);

/* Run and print records; returns one of the NB_EXIT_* statuses. */
int nb_run(const struct nb_workload *w, const struct nb_run_opts *o);

/* Print the cases a run would measure (sweeps expanded, parameters validated), one
 * "case" record each, without running anything; NB_EXIT_OK or NB_EXIT_USAGE. */
int nb_cases(const struct nb_workload *w, const struct nb_run_opts *o);

/* Calibrate the operation count (exposed for tests): doubles or extrapolates until one
 * run lasts at least min_ns.  0 or -1 (c->err). */
int nb_calibrate(struct nb_ctx *c, uint64_t min_ns, uint64_t *ops, uint64_t *last_ns);


/* Primary value of a repetition from its readings, per the workload's metric. */
double nb_primary_value(const struct nb_workload *w, uint64_t ops, uint64_t ns, uint64_t bytes);

/* ---- shared by `run` (runner.c) and `serve` (serve.c) ------------------------------ */

/* One process's measurement context, from start-up to exit: the cases its parameters
 * expand to, the pinned CPU, the open perf counters, the measured TSC rate. */
struct nb_session {
	const struct nb_workload *w;
	struct nb_ctx *c;
	char texts[NB_MAX_PARAMS][NB_PARAM_TEXT];
	char values[NB_MAX_SWEEP][NB_PARAM_TEXT];
	int sweep;             /* index of the swept parameter, -1 when none */
	int ncases;
	int tsc_ok;            /* the TSC is invariant: cycles are reported */
	double tsc_ms;         /* time spent waiting for the TSC rate (see tsc_since) */
	struct nb_tsc_stamp tsc_since;  /* the rate is taken over setup and calibration */
	char notes[512];       /* notes of the start-up (counters): every case starts with them */
};

/* Validate every case's parameters (one_case: a sweep is a usage error), pin, parse
 * and open the counters, measure the TSC rate, remove scratch files on SIGINT/SIGTERM.
 * NULL after a usage error (message and error record printed, *status set). */
struct nb_session *nb_session_open(const struct nb_workload *w, const struct nb_run_opts *o,
				   int one_case, int *status);
void nb_session_close(struct nb_session *s);

/* Prepare case k for batches: its parameters, supported() (skip record, NB_EXIT_SKIP)
 * and setup() (error record, its status); adds setup's time to *setup_ms.  After
 * NB_EXIT_OK, nb_case_close ends it. */
int nb_case_open(struct nb_session *s, const struct nb_run_opts *o, int k, double *setup_ms);
void nb_case_close(struct nb_session *s);   /* teardown, scratch files removed */

/* 0, or -1 with err when ops exceeds the workload's ceiling. */
int nb_ops_check(const struct nb_workload *w, uint64_t ops, char err[NB_ERR_LEN]);

/* One batch on an open case: o->ops when given, else *calibrated (calibrating first
 * when it is 0, *calib_ms the time that took); then the meta record and the warm-up
 * and measured rep records.  NB_EXIT_OK or the failure's status (error record printed). */
/* The ops of a re-warm-up of a case that ran before: one pass over its working set
 * (the workload's pass_ops, if it has one) and at least a quarter of a repetition,
 * which keeps a CPU's clock up; never more than a repetition. */
uint64_t nb_rewarm_ops(const struct nb_ctx *c, uint64_t ops);

int nb_batch(struct nb_session *s, const struct nb_run_opts *o, int k, uint64_t *calibrated,
	     double *calib_ms);

/* The fields of an `end` record. */
struct nb_end {
	int cases, skipped, status;
	double setup_ms, calibration_ms;
	int served;            /* serve's reply: batch and reused are printed */
	unsigned batch;        /* run commands served, this one included */
	int reused;            /* the case was set up (and run) before this batch */
};
void nb_print_end(FILE *out, const struct nb_session *s, const struct nb_end *e);

/* c->err as a failure: one line on o->err and an error record; its exit status. */
int nb_fail_status(const struct nb_ctx *c, const struct nb_run_opts *o);

/* A usage error: one line on o->err and an error record; returns NB_EXIT_USAGE. */
int nb_usage_error(const struct nb_run_opts *o, const char *wname, const char *msg);

#endif
