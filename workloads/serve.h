/* serve.h - `nestbench-work serve`: one case set up once, repetitions on request.
 * Commands and replies: workloads/README.md, "A kept worker (serve)". */
#ifndef NB_SERVE_H
#define NB_SERVE_H

#include "runner.h"

#include <stdio.h>

/* Longest command line accepted (they are some 80 bytes). */
#define NB_SERVE_LINE_MAX 4096

enum nb_serve_op { NB_SERVE_RUN, NB_SERVE_QUIT };

/* One command line: {"op":"run","reps":R,"warmup":W[,"ops":N][,"min_time_ms":T]
 * [,"workload":W]} or
 * {"op":"quit"}.  A run without reps or warmup gets run's defaults, as `run` does. */
struct nb_serve_cmd {
	enum nb_serve_op op;
	int reps, warmup;      /* -1: not given */
	uint64_t ops;          /* 0: not given */
	uint64_t min_time_ms;  /* 0: not given */
	char workload[48];     /* "": the worker's own; else one of its setup group */
};

/* Parse one command line strictly (a flat JSON object, known members only, each once,
 * whole numbers in their bounds).  0, or -1 with err naming what is wrong. */
int nb_serve_parse(const char *line, struct nb_serve_cmd *cmd, char err[NB_ERR_LEN]);

/* Set the case up, print the ready record, then serve commands from `in` until quit
 * or end of input.  o carries the start-up options (its reps and warmup: a command's
 * defaults); returns the exit status. */
int nb_serve(const struct nb_workload *w, const struct nb_run_opts *o, FILE *in);

#endif
