/* derived.h - metrics derived from one sample's perf counters, its operations and the
 * VM exits its parent tier counted (results/SCHEMA.md, samples[].counters and
 * samples[].exits):
 *
 *	ipc                     instructions / cycles
 *	<event>_pki             misses per 1000 instructions, for every *-misses / *MISS* event
 *	walk_share[<event>]     page-walk cycles / cycles, for walk-cycle events
 *	                        (*WALK_DURATION*, *WALK_ACTIVE*, *WALK_PENDING*, *walk-cycles*)
 *	faults_per_op           page-faults / ops
 *	cs_per_op               context-switches / ops
 *	exits_per_op            the parent-counted exits / the visit's ops
 *	exits_per_op[<reason>]  the exits of one reason (exits.by_reason) / the visit's ops
 *
 * Each metric is either a value or "n/a" with the reason — an input unsupported on the
 * tier (its reason quoted), not requested, never scheduled (perf's "not counted"), or a
 * zero denominator — never 0 for something unknown.  A value computed from a
 * multiplexed (scaled) count is flagged `estimated`.  struct nb_derive_in is also the
 * result reader's model of a sample (resultset.h): the table's counter columns
 * (table_counters.c) compute from what the reader kept. */
#ifndef NB_DERIVED_H
#define NB_DERIVED_H

#include "../resultlib/result.h"   /* enum nb_ctr_state, enum nb_exits_state */

#include <cjson/cJSON.h>
#include <stddef.h>

/* One entry of samples[].counters. */
struct nb_ctr {
	const char *name;
	enum nb_ctr_state state;
	double value;              /* the scaled count when COUNTED */
	int multiplexed;
	const char *why;           /* UNSUPPORTED: the tier's reason */
};

/* One entry of exits.by_reason. */
struct nb_exit_reason {
	const char *name;          /* the tracepoint's spelling: "cpuid" (AMD), "CPUID" (Intel) */
	double count;
};

struct nb_derive_in {
	const struct nb_ctr *ctr;
	int nctr;
	double ops;                /* the sample's operations (<= 0: unknown) */
	enum nb_exits_state exits_state;   /* NONE: not counted for this tier */
	double exits;              /* COUNTED: the total over the visit */
	double exits_ops;          /* the operations of that visit */
	const char *exits_why;     /* UNKNOWN: why there is no total */
	int exits_first_visit;     /* the visit calibrated the op count: its exits include that */
	int exits_reasons;         /* exits.by_reason was recorded (reasons: nreasons, maybe 0) */
	const struct nb_exit_reason *reasons;
	int nreasons;
};

#define NB_METRIC_NAME 80
#define NB_METRIC_WHY 256

struct nb_metric {
	char name[NB_METRIC_NAME];
	int ok;                    /* 1: value holds it; 0: "n/a", why says why */
	double value;
	int estimated;             /* an input was multiplexed (scaled by enabled/running) */
	char why[NB_METRIC_WHY];
};

/* Each returns 0 with m->ok set, or -1 with m->ok clear and m->why. */
int nb_derive_ipc(const struct nb_derive_in *in, struct nb_metric *m);
int nb_derive_mpki(const struct nb_derive_in *in, const char *miss_event, struct nb_metric *m);
int nb_derive_walk_share(const struct nb_derive_in *in, const char *walk_event, struct nb_metric *m);
/* event / ops, named `name` (faults_per_op, cs_per_op, or any event). */
int nb_derive_per_op(const struct nb_derive_in *in, const char *event, const char *name,
		     struct nb_metric *m);
int nb_derive_exits_per_op(const struct nb_derive_in *in, struct nb_metric *m);
/* One reason's exits / the visit's ops; a reason the visit did not see is 0 when the
 * reasons were recorded, and n/a when they were not. */
int nb_derive_exit_reason_per_op(const struct nb_derive_in *in, const char *reason,
				 struct nb_metric *m);
/* The metric named as nb_derive_all names them ("ipc", "<event>_pki", "walk_share[<event>]",
 * "faults_per_op", "cs_per_op", "exits_per_op", "exits_per_op[<reason>]"). */
int nb_derive_metric(const struct nb_derive_in *in, const char *name, struct nb_metric *m);
/* A column heading for a metric name: "IPC", "exits/op", "faults/op", "ctx switches/op",
 * "<event> per 1k instr", "<event> share of cycles"; other names unchanged. */
const char *nb_metric_title(const char *name, char *buf, size_t len);

/* Every metric that applies to what the sample asked for (an IPC when cycles or
 * instructions were requested, an MPKI per miss event, ...): the number written to
 * out (at most max). */
int nb_derive_all(const struct nb_derive_in *in, struct nb_metric *out, int max);

/* "1.234" (4 significant digits, " (est.)" when estimated) or "n/a". */
const char *nb_metric_text(const struct nb_metric *m, char *buf, size_t len);

int nb_is_walk_cycles_event(const char *name);
int nb_is_miss_event(const char *name);

/* Fill in from a result sample (read through resultlib: its counters, ops and exits);
 * ctr (room for max) holds pointers into sample.  0, or -1 when
 * the sample has more counters than max. */
int nb_derive_from_sample(const cJSON *sample, struct nb_derive_in *in, struct nb_ctr *ctr, int max);
/* Add the sample's exits.by_reason to in (after nb_derive_from_sample); r (room for max)
 * holds pointers into sample.  0, or -1 when there are more reasons than max. */
int nb_derive_reasons_from_sample(const cJSON *sample, struct nb_derive_in *in,
				  struct nb_exit_reason *r, int max);
/* The same two from a sample already read (resultset.c reads each sample once). */
int nb_derive_from_view(const struct nb_res_sample_view *v, struct nb_derive_in *in,
			struct nb_ctr *ctr, int max);
int nb_derive_reasons_from_view(const struct nb_res_sample_view *v, struct nb_derive_in *in,
				struct nb_exit_reason *r, int max);

#endif
