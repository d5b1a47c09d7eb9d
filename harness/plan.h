/* plan.h - the order of visits and when a case has enough samples.
 *
 * A campaign measures every case of a tier in rounds: each round visits the cases not
 * yet done in a fresh random order drawn from the campaign's seed, so slow drift
 * (thermal, host noise, the other vCPU's absence) spreads over all cases instead of
 * landing on whichever ran last.  No I/O here: the campaign loop drives it. */
#ifndef NB_PLAN_H
#define NB_PLAN_H

#include "config.h"
#include "../stats/stats.h"

#include <stddef.h>
#include <stdint.h>

struct nb_plan_state {
	int n;                 /* measured samples so far */
	int visits;
	double spent_s;        /* wall time of this case's visits */
	double longest_s;      /* the longest of them */
	int done;
	char stopped_by[16];   /* NB_STOP_* (resultlib/schema.h) */
};

/* A visit's time limit: the campaign's (limit_ms) for a case's first visit, which sets
 * it up and calibrates; after that NB_PLAN_VISIT_FACTOR times its longest visit so far,
 * at least NB_PLAN_VISIT_FLOOR_S and at most limit_ms.  A guest that hangs mid-campaign
 * (a TCG L1 can) then costs about a minute, not the whole limit. */
#define NB_PLAN_VISIT_FACTOR 10
#define NB_PLAN_VISIT_FLOOR_S 30
unsigned nb_plan_visit_timeout_ms(const struct nb_plan_state *st, unsigned limit_ms);

/* Fill order[] with the indices of the cases not done, shuffled (Fisher-Yates with rng)
 * when interleave is set, in index order otherwise; returns how many. */
int nb_plan_round(struct nb_rng *rng, const struct nb_plan_state *st, int n, int interleave, int *order);

/* One visit of an interleaved round: case ci on tier (an index into the campaign's
 * tiers). */
struct nb_plan_visit {
	int tier, ci;
};

/* An interleaved round over several tiers: for each case not done on every tier, in a
 * shuffled order, that case on each tier where it is not done, the tiers in a shuffled
 * order too (L0 case A, L2 case A, L1 case A, then the next case ...).  tiers[k] is a
 * tier's index and st[k] its cases' states (ncases each); the order is drawn from
 * (seed, round) alone, so a resume reproduces it.  Fills out (room for ntiers * ncases)
 * and returns how many visits; 0: every case is done on every tier. */
int nb_plan_round_tiers(uint64_t seed, int round, const int *tiers,
			const struct nb_plan_state *const *st, int ntiers, int ncases,
			struct nb_plan_visit *out);

/* Repetitions for the next visit of a case: the block size, or what is left of a
 * fixed count; without interleaving, all that is left (fixed) or max_reps (adaptive
 * then stops early through nb_plan_stop after every visit). */
int nb_plan_visit_reps(const struct nb_campaign_cfg *cfg, int reps, const struct nb_plan_state *st);

/* Whether a case's samples straddle a regime shift of the machine: their own level
 * shifts (the test and thresholds of the table and compare: NB_SERIES_*), or the
 * tier's canary shifts between two of them. */
struct nb_plan_regime {
	int straddles;
	char source[16];       /* "samples" or "canary" */
	char workload[32];     /* canary: which canary workload */
	double rel, p;         /* the shift: after / before - 1, its p-value */
	int at_seq;            /* canary: the campaign_seq from which the new level holds;
				* samples: the index of the first sample after it */
};
/* The case's samples x[n] in measurement order, with their campaign_seq s[n] (NULL:
 * unknown), and the tier's canaries: k series of cm[i] round values c[i][] with their
 * campaign_seq cs[i][] and workload names cw[i].  seed makes the permutation test
 * repeatable.  Fills *out; returns out->straddles. */
int nb_plan_regime(const double *x, const int *s, int n, const double *const *c,
		   const int *const *cs, const int *cm, const char *const *cw, int k,
		   uint64_t seed, struct nb_plan_regime *out);

/* Whether a case is done after a visit: NULL (go on) or the reason (NB_STOP_REPS,
 * _TARGET, _MAX_REPS, _BUDGET).  x holds its samples; adaptive mode stops at the target
 * CI half-width, max_reps or the budget, and not at the target while the samples
 * straddle a regime shift (an interval over two machine states is narrow for the
 * wrong reason: the case keeps being measured, to max_reps or the budget). */
const char *nb_plan_stop(const struct nb_campaign_cfg *cfg, int reps, const double *x, int n,
			 double spent_s, int straddles);

#endif
