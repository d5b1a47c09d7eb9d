/* changepoint.c - change points over a series of runs: E-divisive means (alpha = 1)
 * with a sequential permutation test.  Method, defaults and measured error rates:
 * analysis/README.md, "Change points over runs — E-divisive means". */
#include "stats.h"
#include "../common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One segment of the current segmentation of a piece: its best split and the best
 * statistics of the permutations drawn so far (kept: a later test of another split
 * reuses them, only new segments need new permutations). */
struct seg {
	size_t a, b;             /* x[a .. b-1] */
	size_t tau;              /* best split (index of x), 0 when too short to split */
	double q;                /* its statistic; -inf when too short */
	double *v;               /* the values, centred, permuted in place */
	uint32_t *r;             /* their ranks within the segment, permuted with them */
	double *d;               /* by rank: sum of |differences| to the segment's values */
	double S;                /* sum of |differences| over all pairs */
	double *null_q;          /* best statistic of each permutation drawn */
	unsigned n_null;
};

/* Scratch of one sweep: a Fenwick tree over ranks (count and sum of the values in it,
 * side by side for the cache) and 1/i for i < n + 1 (no division in the sweep). */
struct fen_node {
	double sum;
	double cnt;
};

struct sweep_buf {
	struct fen_node *f;
	double *inv;
};

struct iv {
	double v;
	size_t i;
};

static int cmp_iv(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sum of |v - y| over the k values already in the tree (summing to tot): those of
 * lower rank are below y, the others above or equal; then y joins them. */
static double add_dist(struct fen_node *f, size_t size, uint32_t r, double y, size_t k,
		       double tot)
{
	double cl = 0, sl = 0;

	for (uint32_t i = r; i > 0; i &= i - 1) {
		cl += f[i].cnt;
		sl += f[i].sum;
	}
	for (size_t i = (size_t)r + 1; i <= size; i += i & (~i + 1)) {
		f[i].cnt += 1;
		f[i].sum += y;
	}
	return y * cl - sl + (tot - sl) - y * ((double)k - cl);
}

/* The largest Q over the splits min_seg <= m <= T - min_seg of v[0 .. T-1] (ranks r):
 * with W(m), V(m) the sums of |differences| within the first m and the last k = T - m
 * values and B(m) the sum across,
 *   Q(m) = mk/(m+k) (2B/(mk) - 2W/(m(m-1)) - 2V/(k(k-1))).
 * One pass: W grows one value at a time (O(log T) with the trees); d[rank], the sum of
 * |differences| of that value to all T, and S, the sum over all pairs, do not depend on
 * the order, so B = sum of d over the first m - 2W and V = S - W - B. */
static double best_split(const double *v, const uint32_t *r, const double *d, double S,
			 size_t T, size_t min_seg, struct sweep_buf *w, size_t *at)
{
	double tot = 0, wsum = 0, dsum = 0, best = -INFINITY, dT = (double)T;
	const double *inv = w->inv;

	memset(w->f, 0, (T + 1) * sizeof(*w->f));
	for (size_t m = 1; m + min_seg <= T; m++) {
		wsum += add_dist(w->f, T, r[m - 1], v[m - 1], m - 1, tot);
		tot += v[m - 1];
		dsum += d[r[m - 1]];
		if (m < min_seg)
			continue;
		double dm = (double)m, dk = dT - dm, bs = dsum - 2 * wsum, vs = S - wsum - bs;
		double q = bs - wsum * dk * inv[m - 1] - vs * dm * inv[T - m - 1];

		if (q > best) {
			best = q;
			*at = m;
		}
	}
	return 2 * best * inv[T];
}

static void seg_free(struct seg *s)
{
	free(s->v);
	free(s->r);
	free(s->d);
	free(s->null_q);
	s->v = NULL;
	s->r = NULL;
	s->d = NULL;
	s->null_q = NULL;
}

/* Set up x[a .. b-1] as a segment and find its best split; -1 out of memory. */
static int seg_init(struct seg *s, const double *x, size_t a, size_t b, size_t min_seg,
		    unsigned perms, struct sweep_buf *w, struct iv *iv)
{
	size_t T = b - a, at = 0;
	double mean = 0;

	memset(s, 0, sizeof(*s));
	s->a = a;
	s->b = b;
	s->q = -INFINITY;
	if (T / 2 < min_seg)   /* not 2 min_seg: no overflow */
		return 0;
	s->v = malloc(T * sizeof(*s->v));
	s->r = malloc(T * sizeof(*s->r));
	s->d = malloc(T * sizeof(*s->d));
	s->null_q = malloc(perms * sizeof(*s->null_q));
	if (!s->v || !s->r || !s->d || !s->null_q) {
		seg_free(s);
		return -1;
	}
	for (size_t i = 0; i < T; i++)
		mean += x[a + i];
	mean /= (double)T;
	for (size_t i = 0; i < T; i++) {   /* centred: the sums of values stay small */
		s->v[i] = x[a + i] - mean;
		iv[i] = (struct iv){ s->v[i], i };
	}
	qsort(iv, T, sizeof(*iv), cmp_iv);
	for (size_t k = 0; k < T; k++)     /* ties ranked by position: |difference| = 0 */
		s->r[iv[k].i] = (uint32_t)k;
	double all = 0, below = 0;

	for (size_t k = 0; k < T; k++)
		all += iv[k].v;
	for (size_t k = 0; k < T; k++) {
		double y = iv[k].v;

		s->d[k] = y * (double)k - below + (all - below - y) - y * (double)(T - 1 - k);
		below += y;
		s->S += s->d[k] / 2;
	}
	s->q = best_split(s->v, s->r, s->d, s->S, T, min_seg, w, &at);
	s->tau = a + at;
	return 0;
}

/* Draw permutations of the segment until it has `count` null statistics. */
static void seg_fill_null(struct seg *s, unsigned count, size_t min_seg, struct nb_rng *rng,
			  struct sweep_buf *w)
{
	size_t T = s->b - s->a, at;

	while (s->n_null < count) {
		for (size_t i = T - 1; i > 0; i--) {   /* Fisher-Yates, values with ranks */
			size_t j = nb_rng_below(rng, (uint32_t)(i + 1));
			double tv = s->v[i];
			uint32_t tr = s->r[i];

			s->v[i] = s->v[j];
			s->r[i] = s->r[j];
			s->v[j] = tv;
			s->r[j] = tr;
		}
		s->null_q[s->n_null++] = best_split(s->v, s->r, s->d, s->S, T, min_seg, w, &at);
	}
}

/* Permutation test of the best split over all segments (statistic: the largest Q of
 * any segment; each permutation permutes every segment within itself), stopped at
 * `exceed` exceedances (Besag & Clifford's sequential p = exceed / permutations) or
 * after `perms` (p = (1 + #) / (1 + perms)). */
static double perm_test(struct seg *sg, size_t ns, double obs, const struct nb_cp_opts *o,
			struct nb_rng *rng, struct sweep_buf *w, unsigned *done)
{
	unsigned ge = 0;
	double tol = obs * 1e-10;   /* the same split summed in another order */

	for (unsigned k = 1; k <= o->perms; k++) {
		double mx = -INFINITY;

		for (size_t i = 0; i < ns; i++) {
			if (sg[i].q == -INFINITY)
				continue;
			seg_fill_null(&sg[i], k, o->min_seg, rng, w);
			if (sg[i].null_q[k - 1] > mx)
				mx = sg[i].null_q[k - 1];
		}
		ge += mx >= obs - tol;
		if (ge >= o->exceed) {
			*done = k;
			return (double)ge / k;
		}
	}
	*done = o->perms;
	return (double)(ge + 1) / (o->perms + 1);
}

/* Hierarchical segmentation of one piece x[a .. b-1]; appends to out (at most cap).
 * Returns the number found, -1 out of memory. */
static int segment_piece(const double *x, size_t a, size_t b, const struct nb_cp_opts *o,
			 struct nb_rng *rng, struct sweep_buf *w, struct iv *iv,
			 struct nb_changepoint *out, size_t cap)
{
	size_t max_seg = (b - a) / o->min_seg + 1, ns = 1, found = 0;
	struct seg *sg;
	int rc = 0;

	for (size_t i = a + 1; i < b && x[i] == x[a]; i++)
		if (i + 1 == b)
			return 0;   /* constant: nothing to find */
	sg = calloc(max_seg, sizeof(*sg));
	if (!sg || seg_init(&sg[0], x, a, b, o->min_seg, o->perms, w, iv)) {
		free(sg);
		return -1;
	}
	while (found < cap) {
		size_t best = 0;
		unsigned done;

		for (size_t i = 1; i < ns; i++)
			if (sg[i].q > sg[best].q)
				best = i;
		if (!(sg[best].q > 0))
			break;   /* no split, or none with any evidence */
		double obs = sg[best].q, p = perm_test(sg, ns, obs, o, rng, w, &done);

		if (p > o->alpha)
			break;
		out[found] = (struct nb_changepoint){ .index = sg[best].tau, .stat = obs, .p = p,
						      .perms = done, .order = found + 1 };
		found++;
		struct seg old = sg[best];   /* replaced by its two halves */

		seg_free(&sg[best]);
		if (seg_init(&sg[best], x, old.a, old.tau, o->min_seg, o->perms, w, iv) ||
		    seg_init(&sg[ns], x, old.tau, old.b, o->min_seg, o->perms, w, iv)) {
			ns++;
			rc = -1;
			break;
		}
		ns++;
	}
	for (size_t i = 0; i < ns; i++)
		seg_free(&sg[i]);
	free(sg);
	return rc ? -1 : (int)found;
}

static int cmp_cp(const void *a, const void *b)
{
	const struct nb_changepoint *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

static int all_positive(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0))
			return 0;
	return 1;
}

static double mean_of(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

/* Levels of the segments either side of c and the size of the change. */
static int describe(const double *x, struct nb_changepoint *c, const struct nb_cp_opts *o,
		    struct nb_rng *rng, char err[NB_ERR_LEN])
{
	const double *bx = x + c->start, *ax = x + c->index;
	size_t nb = c->index - c->start, na = c->end - c->index;
	struct nb_ratio_ci d;

	c->mean_before = mean_of(bx, nb);
	c->mean_after = mean_of(ax, na);
	c->level = o->level;
	if (all_positive(bx, nb) && all_positive(ax, na)) {
		if (nb_stats_delta(bx, nb, ax, na, o->level, o->resamples, rng, &d, err))
			return -1;
		c->median_before = d.median_b;
		c->median_after = d.median_t;
		c->rel = d.point;
		c->lo = d.lo;
		c->hi = d.hi;
		return 0;
	}
	if (nb_stats_median(bx, nb, &c->median_before, err) ||
	    nb_stats_median(ax, na, &c->median_after, err))
		return -1;
	c->rel = c->median_before != 0 ? c->median_after / c->median_before - 1 : NAN;
	c->lo = c->hi = NAN;   /* a ratio of medians needs positive values */
	return 0;
}

static int check_opts(const struct nb_cp_opts *in, struct nb_cp_opts *o,
		      char err[NB_ERR_LEN])
{
	*o = in ? *in : (struct nb_cp_opts){ 0 };
	if (o->alpha == 0)
		o->alpha = NB_CP_ALPHA;
	if (o->perms == 0)
		o->perms = NB_CP_PERMS;
	if (o->exceed == 0)
		o->exceed = NB_CP_EXCEED;
	if (o->min_seg == 0)
		o->min_seg = NB_CP_MIN_SEG;
	if (o->min_seg < 2)
		o->min_seg = 2;   /* a segment's spread needs two values */
	if (o->level == 0)
		o->level = NB_CP_LEVEL;
	if (o->resamples == 0)
		o->resamples = NB_CP_RESAMPLES;
	if (!(o->alpha > 0 && o->alpha < 1))
		return nb_err(err, "the change-point significance level must be in (0, 1), not %g",
			      o->alpha);
	if (o->perms < 19 || o->perms > 1000000)
		return nb_err(err, "the change-point test needs 19 to 1000000 permutations, not %u",
			      o->perms);
	if (!(o->level > 0 && o->level < 1))
		return nb_err(err, "the interval level must be in (0, 1), not %g", o->level);
	if (o->resamples < NB_BOOT_MIN_RESAMPLES)
		return nb_err(err, "the interval needs at least %d bootstrap resamples, not %u",
			      NB_BOOT_MIN_RESAMPLES, o->resamples);
	return 0;
}

int nb_changepoints(const double *x, size_t n, const size_t *breaks, size_t n_breaks,
		    const struct nb_cp_opts *opts, struct nb_rng *rng,
		    struct nb_changepoint *out, size_t cap, char err[NB_ERR_LEN])
{
	char dummy[NB_ERR_LEN];
	struct nb_cp_opts o;
	struct sweep_buf w;
	struct iv *iv;
	size_t found = 0, from = 0;

	if (!err)
		err = dummy;
	if (check_opts(opts, &o, err))
		return -1;
	if (!rng || (cap && !out) || (n && !x) || (n_breaks && !breaks))
		return nb_err(err, "change-point detection was given no series, output or "
			      "random generator");
	if (n > UINT32_MAX)
		return nb_err(err, "a series of %zu runs is too long for change-point detection", n);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return nb_err(err, "run %zu of the series has a NaN or infinite value: "
				      "leave out runs without a finite value", i);
	for (size_t i = 0; i < n_breaks; i++)
		if (breaks[i] > n || (i && breaks[i] < breaks[i - 1]))
			return nb_err(err, "the series' breaks must be run indexes in order, "
				      "between 0 and %zu (break %zu is %zu)", n, i, breaks[i]);
	w.f = malloc((n + 1) * sizeof(*w.f));
	w.inv = malloc((n + 1) * sizeof(*w.inv));
	iv = malloc((n + 1) * sizeof(*iv));
	if (!w.f || !w.inv || !iv)
		goto oom;
	w.inv[0] = NAN;
	for (size_t i = 1; i <= n; i++)
		w.inv[i] = 1.0 / (double)i;
	for (size_t k = 0; k <= n_breaks; k++) {
		size_t to = k < n_breaks ? breaks[k] : n;

		if (to <= from)
			continue;
		if (found == cap)
			break;   /* no room for more */
		int got = segment_piece(x, from, to, &o, rng, &w, iv, out + found, cap - found);

		if (got < 0)
			goto oom;
		/* Sort the piece's change points and bound each by its neighbours. */
		qsort(out + found, (size_t)got, sizeof(*out), cmp_cp);
		for (size_t i = found; i < found + (size_t)got; i++) {
			out[i].start = i > found ? out[i - 1].index : from;
			out[i].end = i + 1 < found + (size_t)got ? out[i + 1].index : to;
			if (describe(x, &out[i], &o, rng, err))
				goto fail;
		}
		found += (size_t)got;
		from = to;
	}
	free(w.f);
	free(w.inv);
	free(iv);
	return (int)found;
oom:
	nb_err(err, "out of memory for change-point detection over %zu runs", n);
fail:
	free(w.f);
	free(w.inv);
	free(iv);
	return -1;
}
