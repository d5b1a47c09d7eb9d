/* runner.h - runs one workload: parameters, pinning, calibration, repetitions, records. */
#ifndef NB_RUNNER_H
#define NB_RUNNER_H

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

#endif
