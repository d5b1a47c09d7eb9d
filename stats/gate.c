/* gate.c - what a regression gate needs beyond one test: adjusting many cells'
 * p-values for multiplicity (Holm, Benjamini-Hochberg) and the minimum detectable
 * effect of a Δ interval.  Methods: analysis/README.md, "The gate". */
#include "stats.h"
#include "../common/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *nb_padj_name(enum nb_padj m)
{
	return m == NB_PADJ_HOLM ? "holm" : m == NB_PADJ_BH ? "bh" : "none";
}

int nb_padj_parse(const char *s, enum nb_padj *m)
{
	if (strcmp(s, "holm") == 0)
		*m = NB_PADJ_HOLM;
	else if (strcmp(s, "bh") == 0 || strcmp(s, "fdr") == 0)
		*m = NB_PADJ_BH;
	else if (strcmp(s, "none") == 0)
		*m = NB_PADJ_NONE;
	else
		return -1;
	return 0;
}

struct ranked {
	double p;
	size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;   /* stable: equal p keep their order */
}

int nb_p_adjust(const double *p, size_t m, enum nb_padj method, double *out, char err[NB_ERR_LEN])
{
	struct ranked *r;
	double run;

	if (m == 0)
		return 0;
	if (!p || !out) {
		if (err)
			snprintf(err, NB_ERR_LEN, "adjusting p-values: NULL p-values");
		return -1;
	}
	for (size_t i = 0; i < m; i++)
		if (!(p[i] >= 0 && p[i] <= 1)) {
			if (err)
				snprintf(err, NB_ERR_LEN, "adjusting p-values: p[%zu] = %g is not in [0, 1]", i, p[i]);
			return -1;
		}
	if (!(r = malloc(m * sizeof(*r)))) {
		if (err)
			snprintf(err, NB_ERR_LEN, "adjusting p-values: out of memory for %zu p-values", m);
		return -1;
	}
	for (size_t i = 0; i < m; i++)
		r[i] = (struct ranked){ p[i], i };
	qsort(r, m, sizeof(*r), cmp_ranked);
	if (method == NB_PADJ_HOLM) {
		/* R's p.adjust("holm"): cummax over ascending ranks of (m - k) p_(k). */
		run = 0;
		for (size_t k = 0; k < m; k++) {
			run = fmax(run, fmin(1, (double)(m - k) * r[k].p));
			out[r[k].i] = run;
		}
	} else if (method == NB_PADJ_BH) {
		/* R's p.adjust("BH"): cummin over descending ranks of m / k p_(k). */
		run = 1;
		for (size_t k = m; k-- > 0;) {
			run = fmin(run, fmin(1, (double)m / (double)(k + 1) * r[k].p));
			out[r[k].i] = run;
		}
	} else {
		for (size_t i = 0; i < m; i++)
			out[i] = p[i];
	}
	free(r);
	return 0;
}

double nb_stats_norm_quantile(double q)
{
	/* Bisection on the normal upper tail, erfc: 80 halvings reach double precision. */
	double lo = -40, hi = 40;

	if (!(q > 0 && q < 1))
		return q <= 0 ? -INFINITY : q >= 1 ? INFINITY : NAN;
	for (int i = 0; i < 80; i++) {
		double mid = (lo + hi) / 2;

		if (0.5 * erfc(-mid / M_SQRT2) < q)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

double nb_stats_mde(const struct nb_ratio_ci *d, double alpha, double power)
{
	double z_level, se;

	if (!d || !(d->level > 0 && d->level < 1) || !(alpha > 0 && alpha < 1) ||
	    !(power > 0 && power < 1) || !isfinite(d->lo) || !isfinite(d->hi))
		return INFINITY;
	z_level = nb_stats_norm_quantile((1 + d->level) / 2);
	se = (d->hi - d->lo) / (2 * z_level);
	return (nb_stats_norm_quantile(1 - alpha / 2) + nb_stats_norm_quantile(power)) * se;
}
