/* verdict.c - the gate's rule, cell by cell (verdict.h). */
#include "verdict.h"
#include "../common/err.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nb_gate_opts_default(struct nb_gate_opts *o)
{
	o->threshold = NB_GATE_THRESHOLD;
	o->alpha = NB_GATE_ALPHA;
	o->power = NB_GATE_POWER;
	o->level = 0.95;
	o->resamples = 2000;
	o->correction = NB_PADJ_HOLM;
}

const char *nb_decision_name(enum nb_decision d)
{
	static const char *const names[] = { "no_change", "improvement", "regression",
					     "inconclusive", "n/a" };

	return names[d];
}

void nb_gate_set(struct nb_gate_cell *c, enum nb_decision d, enum nb_why_class k,
		 const char *fmt, ...)
{
	va_list ap;

	c->dec = d;
	c->why_class = k;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

static size_t outliers(const double *x, size_t n)
{
	struct nb_summary s;

	return nb_stats_summary(x, n, 0, 1, NULL, &s, NULL) ? 0 : s.n_outliers;
}

int nb_gate_measure(const double *old_x, size_t n_old, const double *new_x, size_t n_new,
		    enum nb_stats_better better, const struct nb_gate_opts *o, struct nb_rng *rng,
		    struct nb_gate_cell *c, char err[NB_ERR_LEN])
{
	memset(c, 0, sizeof(*c));
	if (nb_stats_median_ci(old_x, n_old, o->level, &c->old_ci, err) ||
	    nb_stats_median_ci(new_x, n_new, o->level, &c->new_ci, err) ||
	    nb_stats_delta(old_x, n_old, new_x, n_new, o->level, o->resamples, rng, &c->d, err) ||
	    nb_mwu_test(old_x, n_old, new_x, n_new, o->alpha, &c->mwu, err))
		return -1;
	c->measured = 1;
	c->old_outliers = outliers(old_x, n_old);
	c->new_outliers = outliers(new_x, n_new);
	c->p_adj = c->mwu.p;
	c->m = 1;
	/* Positive = worse: a time up, a throughput down.  The threshold applies to the
	 * change of the metric itself, in its worse direction. */
	if (better == NB_STATS_HIGHER_BETTER) {
		c->worse = -c->d.point;
		c->worse_lo = -c->d.hi;
		c->worse_hi = -c->d.lo;
	} else {
		c->worse = c->d.point;
		c->worse_lo = c->d.lo;
		c->worse_hi = c->d.hi;
	}
	c->mde = nb_stats_mde(&c->d, o->alpha, o->power);
	return 0;
}

int nb_gate_adjust(struct nb_gate_cell *const *cells, size_t n, const struct nb_gate_opts *o)
{
	double *p = calloc(n ? n : 1, sizeof(*p)), *adj = calloc(n ? n : 1, sizeof(*adj));
	size_t m = 0;

	if (!p || !adj) {
		free(p);
		free(adj);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (cells[i]->measured)
			p[m++] = cells[i]->mwu.p;
	if (nb_p_adjust(p, m, o->correction, adj, NULL)) {
		free(p);
		free(adj);
		return -1;
	}
	/* The MDE at the strictest level a cell may face: alpha / m under either correction
	 * (the first step of Holm, the smallest p of BH). */
	double a = o->correction == NB_PADJ_NONE || !m ? o->alpha : o->alpha / (double)m;

	for (size_t i = 0, k = 0; i < n; i++)
		if (cells[i]->measured) {
			cells[i]->p_adj = adj[k++];
			cells[i]->m = m;
			cells[i]->mde = nb_stats_mde(&cells[i]->d, a, o->power);
		}
	free(p);
	free(adj);
	return 0;
}

void nb_gate_decide(struct nb_gate_cell *c, const struct nb_gate_opts *o)
{
	double t = o->threshold;
	int sig = c->p_adj < o->alpha;

	if (!c->measured)
		return;
	if (c->mwu.too_few) {
		nb_gate_set(c, NB_D_INCONCLUSIVE, NB_WHY_POWER, "too few samples: %zu against %zu "
			    "cannot reach p < %g (at best p = %.3g); minimum detectable effect unknown",
			    c->mwu.n1, c->mwu.n2, o->alpha, c->mwu.min_p);
	} else if (sig && c->worse_lo > t) {
		nb_gate_set(c, NB_D_REGRESSION, NB_WHY_NONE, "worse by more than %g %% over the "
			    "whole interval", t * 100);
	} else if (sig && c->worse_hi < 0 && c->worse < -t) {
		nb_gate_set(c, NB_D_IMPROVEMENT, NB_WHY_NONE, "better by %.1f %%", -c->worse * 100);
	} else if (c->worse_lo >= -t && c->worse_hi <= t) {
		nb_gate_set(c, NB_D_NO_CHANGE, NB_WHY_NONE, "%s", !sig ? "interval within the threshold" :
			    c->worse > 0 ? "worse, within the threshold" : "better, within the threshold");
	} else if (sig && c->worse_hi < 0) {
		nb_gate_set(c, NB_D_NO_CHANGE, NB_WHY_NONE, "better, less than the threshold for certain");
	} else if (sig && c->worse_lo > 0) {
		nb_gate_set(c, NB_D_INCONCLUSIVE, NB_WHY_POWER, "worse, but the interval [%+.1f %%, "
			    "%+.1f %%] straddles the %g %% threshold: more samples would settle it",
			    c->worse_lo * 100, c->worse_hi * 100, t * 100);
	} else if (c->mde <= t) {
		nb_gate_set(c, NB_D_NO_CHANGE, NB_WHY_NONE, "no significant change; a %.1f %% change "
			    "would have been detected", c->mde * 100);
	} else {
		nb_gate_set(c, NB_D_INCONCLUSIVE, NB_WHY_POWER, "minimum detectable effect %.1f %% "
			    "exceeds the %g %% threshold: too few samples or too much noise", c->mde * 100,
			    t * 100);
	}
}
