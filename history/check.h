/* check.h - `nestbench history check` and `history plot` (check.c, plot.c;
 * history/README.md).  Both walk the history a series at a time: one tier (by name)
 * and one case, its runs with a median in run-time order, split where the tier's
 * identity or the nestbench-work binary changed (a break: nothing is compared across
 * it), with the change points E-divisive finds in it (stats/changepoint.c). */
#ifndef NB_HIST_CHECK_H
#define NB_HIST_CHECK_H

#include "store.h"
#include "../stats/stats.h"
#include "../common/err.h"

#include <stddef.h>
#include <stdint.h>

#define NB_HIST_CHECK_SEED 20261206u  /* the permutations' default seed */

/* One run of a series (strings owned by the series). */
struct nb_hc_point {
	long long run;
	char *time, *labels, *file;   /* labels: JSON object text */
	char *identity, *work;        /* what the tier is, the binary's sha256 */
	double median, lo, hi;
};

/* A run where a new piece begins, and why. */
struct nb_hc_break {
	size_t index;
	char why[320];
};

struct nb_hc_series {
	char *tier, *case_key, *unit, *better;
	int level;
	struct nb_hc_point *pts;
	size_t n, cap;
	struct nb_hc_break *breaks;
	size_t n_breaks;
	size_t longest;               /* runs in its longest piece */
	int checked;                  /* a piece has 2 min_seg runs: change points sought */
	struct nb_changepoint *cps;
	int n_cps;
	size_t skipped;               /* runs without a median (left out) */
};

typedef int (*nb_hc_series_cb)(const struct nb_hc_series *s, void *ctx);

/* Every series of case_key (NULL: every case) on tier (NULL: every tier), by tier
 * name then case key, with its breaks and change points (the permutations seeded
 * from seed and the series' own tier and case, so a series' answer does not depend
 * on which others are checked).  cb returns 0 to go on.  -1 with err. */
int nb_hc_each_series(struct nb_hist *h, const char *case_key, const char *tier,
		      uint64_t seed, nb_hc_series_cb cb, void *ctx, char err[NB_ERR_LEN]);

/* The runs a piece needs before a change can be found in it (2 min_seg). */
size_t nb_hc_runs_needed(void);

/* The commands: argv[0] = "check" / "plot"; db = the default database (--db may
 * override).  Exit statuses: history/README.md. */
int nb_hist_check_cmd(int argc, char **argv, const char *db);
int nb_hist_plot_cmd(int argc, char **argv, const char *db);

#endif
