/* mem_bw.c - the `mem.bw` workloads: the four STREAM kernels (McCalpin) on one CPU,
 *   copy  c = a          scale b = s c          add c = a + b          triad a = b + s c
 * over double arrays far larger than the last-level cache (STREAM's rule: each array
 * at least 4 x the LLC), so every pass streams from and to DRAM.  One op = one full pass
 * of the kernel; bytes are counted as STREAM counts them (2 or 3 arrays x 8 bytes x N).
 * Nested paging adds little to streaming once the TLB is warm, but second-level TLB
 * reach and host page size show here, hence the thp parameter.
 *
 * The four descriptors share everything but the kernel: one state, one setup, one run
 * that dispatches on the kernel table, one check. */
#include "chase.h"
#include "../common/err.h"
#include "memutil.h"
#include "../common/units.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct nb_workload nb_wl_mem_bw_copy, nb_wl_mem_bw_scale, nb_wl_mem_bw_add,
	nb_wl_mem_bw_triad;

#define STREAM_SCALAR 3.0
#define MIN_DEFAULT (64ull << 20)
#define NSAMPLES 1024
#define POISON (-1.0)
/* Arrays start at different offsets modulo 4 KiB so that a[i], b[i] and c[i] do not
 * alias in the caches and the store-to-load forwarding check (STREAM's OFFSET). */
#define ARRAY_SKEW 1088u

enum kernel_op { K_COPY, K_SCALE, K_ADD, K_TRIAD };

/* Arrays a, b, c start as 1, 2, 0.5, every element alike.  A kernel writes one of them
 * from the two it reads and never changes those, so each array stays uniform and its
 * value is known exactly after any sequence of passes, of any kernels (bw_state.val). */
static const double initial[3] = { 1.0, 2.0, 0.5 };
/* Passes of alternating kernels grow the values (triad, copy, scale: a becomes 6 a);
 * a rebind starts again from `initial` before they could overflow. */
#define VAL_LIMIT 1e100

static const struct kernel {
	const struct nb_workload *w;
	enum kernel_op op;
	unsigned arrays;   /* arrays STREAM counts per pass (reads + writes) */
	int dst;           /* 0 = a, 1 = b, 2 = c */
} kernels[] = {
	{ &nb_wl_mem_bw_copy, K_COPY, 2, 2 },    /* c = a      */
	{ &nb_wl_mem_bw_scale, K_SCALE, 2, 1 },  /* b = 3 c    */
	{ &nb_wl_mem_bw_add, K_ADD, 3, 2 },      /* c = a + b  */
	{ &nb_wl_mem_bw_triad, K_TRIAD, 3, 0 },  /* a = b + 3c */
};

struct bw_state {
	const struct kernel *k;
	struct nb_region reg[3];
	double *arr[3];
	double val[3];     /* what every element of a, b, c holds */
	size_t n;
	uint64_t runs;
	size_t pos[NSAMPLES];
};

static const struct nb_param_spec bw_params[] = {
	{ "size", NB_PARAM_SIZE, NULL, 8, 0,
	  "bytes per array (3 arrays); default 4 x last-level cache, at least 64M" },
	{ "thp", NB_PARAM_BOOL, "0", 0, 1,
	  "1: transparent huge pages (MADV_HUGEPAGE); 0: 4 KiB pages (MADV_NOHUGEPAGE)" },
	{ 0 }
};

/* ---- kernels ---------------------------------------------------------------------
 * Blocks of 8 elements, unrolled: -O2's "very cheap" vectorizer then emits SSE2
 * (packed loads/stores, same code on every tier) without needing an epilogue, and the
 * copy loop is not turned into a memcpy call (whose non-temporal stores would make copy
 * a different experiment from the other three). */

#define BLK 8
#define KERNEL(name, params, body)                                                   \
	static void name params                                                      \
	{                                                                            \
		size_t i = 0, m = n & ~(size_t)(BLK - 1), j;                         \
		for (; i < m; i += BLK) {                                            \
			_Pragma("GCC unroll 8")                                      \
			for (size_t u = 0; u < BLK; u++) {                           \
				j = i + u;                                           \
				body;                                                \
			}                                                            \
		}                                                                    \
		for (j = m; j < n; j++) {  /* < 8 left; the barrier keeps it a loop */ \
			body;                                                        \
			__asm__ volatile("" : : : "memory");                         \
		}                                                                    \
	}

KERNEL(k_copy, (double *restrict c, const double *restrict a, size_t n), c[j] = a[j])
KERNEL(k_scale, (double *restrict b, const double *restrict c, size_t n), b[j] = STREAM_SCALAR * c[j])
KERNEL(k_add, (double *restrict c, const double *restrict a, const double *restrict b, size_t n),
       c[j] = a[j] + b[j])
KERNEL(k_triad, (double *restrict a, const double *restrict b, const double *restrict c, size_t n),
       a[j] = b[j] + STREAM_SCALAR * c[j])

/* ---- shared setup / run / teardown ------------------------------------------------ */

uint64_t nb_stream_default_bytes(uint64_t llc)
{
	uint64_t v = 4 * llc;

	if (v < MIN_DEFAULT)
		v = MIN_DEFAULT;
	return (v + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
}

static const struct kernel *kernel_of(const struct nb_workload *w)
{
	for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
		if (kernels[i].w == w)
			return &kernels[i];
	return NULL;
}

double *nb_stream_array(struct nb_ctx *c, char which, size_t *n)
{
	struct bw_state *s = c->priv;

	if (!s || which < 'a' || which > 'c')
		return NULL;
	*n = s->n;
	return s->arr[which - 'a'];
}

double *nb_stream_value(struct nb_ctx *c, char which)
{
	struct bw_state *s = c->priv;

	return s && which >= 'a' && which <= 'c' ? &s->val[which - 'a'] : NULL;
}

static void bw_teardown(struct nb_ctx *c)
{
	struct bw_state *s = c->priv;

	if (s) {
		for (int i = 0; i < 3; i++)
			nb_region_unmap(&s->reg[i]);
		free(s);
	}
	c->priv = NULL;
}

static double huge_fraction(const struct bw_state *s)
{
	double huge = 0, len = 0;

	for (int i = 0; i < 3; i++) {
		double f = nb_region_huge_fraction(&s->reg[i]);
		if (f < 0)
			return -1;
		huge += f * (double)s->reg[i].len;
		len += (double)s->reg[i].len;
	}
	return huge / len;
}

static const char *bw_supported(struct nb_ctx *c, char why[NB_ERR_LEN])
{
	return nb_thp_unsupported((int)nb_param_u(c, "thp"), why);
}

/* The size per array: given (checked against STREAM's rule) or computed. */
static int bw_size(struct nb_ctx *c, uint64_t *size)
{
	uint64_t llc = nb_llc_bytes(c->cpu);
	char a[32], b[32], m[32];

	nb_format_size(llc, b, sizeof(b));
	if (!nb_param_is_set(c, "size")) {
		*size = nb_stream_default_bytes(llc);
		nb_format_size(*size, a, sizeof(a));
		if (llc)
			nb_note(c, "size: %s per array, computed as 4 x the %s last-level cache "
				   "(at least 64M, rounded up to a MiB)", a, b);
		else
			nb_note(c, "size: %s per array (last-level cache size unknown: no "
				   "/sys/devices/system/cpu/cpu*/cache)", a);
		return 0;
	}
	*size = nb_param_u(c, "size");
	nb_format_size(*size, a, sizeof(a));
	if (*size % sizeof(double))
		return nb_fail(c, 1, "size %s is not a multiple of 8 bytes (arrays of doubles)", a);
	if (llc && *size < 4 * llc) {
		nb_format_size(4 * llc, m, sizeof(m));
		return nb_fail(c, 1, "size %s per array is too small: STREAM requires each array to be "
			       "at least 4 x the last-level cache (%s here), i.e. size >= %s, so that "
			       "no pass is served from cache", a, b, m);
	}
	if (!llc)
		nb_note(c, "last-level cache size unknown (no /sys/devices/system/cpu/cpu*/cache): "
			   "STREAM's 4 x LLC rule not checked");
	return 0;
}

static void set_initial(struct bw_state *s)
{
	for (int i = 0; i < 3; i++) {
		for (size_t j = 0; j < s->n; j++)
			s->arr[i][j] = initial[i];
		s->val[i] = initial[i];
	}
}

static int bw_setup(struct nb_ctx *c)
{
	const struct kernel *k = kernel_of(c->w);
	int thp = (int)nb_param_u(c, "thp");
	uint64_t size, avail, margin;
	struct bw_state *s;
	char err[NB_ERR_LEN], a[32];

	if (!k)
		return nb_fail(c, 0, "%s is not a mem.bw kernel", c->w->name);
	if (bw_size(c, &size))
		return -1;
	nb_format_size(size, a, sizeof(a));
	avail = nb_mem_available();
	margin = nb_mem_margin(avail);
	if (avail && (avail <= margin || size > (avail - margin) / 3))
		return nb_fail(c, 1, "3 arrays of %s (%.0f MiB in all) do not fit in memory: "
			       "MemAvailable is %.0f MiB and %.0f MiB (64 MiB + 1/16) is left free, "
			       "so at most %.0f MiB per array", a, 3.0 * (double)size / 1048576.0,
			       avail / 1048576.0, margin / 1048576.0,
			       avail > margin ? (double)((avail - margin) / 3) / 1048576.0 : 0.0);
	if (!avail)
		nb_note(c, "MemAvailable unknown: memory fit not checked");
	if (!(s = calloc(1, sizeof(*s))))
		return nb_fail(c, 0, "out of memory");
	c->priv = s;
	s->k = k;
	s->n = (size_t)(size / sizeof(double));
	for (int i = 0; i < 3; i++) {
		if (nb_region_map(&s->reg[i], (size_t)size + i * ARRAY_SKEW, thp, err)) {
			bw_teardown(c);
			return nb_fail(c, 0, "%s", err);
		}
		s->arr[i] = (double *)((char *)s->reg[i].base + i * ARRAY_SKEW);
	}
	/* First touch here, outside every measured region. */
	set_initial(s);
	if (thp) {
		double f = huge_fraction(s);
		if (f >= 0 && f < 0.9)
			nb_note(c, "thp=1 but only %.0f%% of the arrays are on transparent huge pages "
				   "(THP could not be allocated, e.g. fragmented memory)", 100 * f);
	}
	return 0;
}

/* Sample positions for this run: first and last element always, the rest one per
 * 1/NSAMPLES of the array at an offset that moves from run to run. */
static void pick_samples(struct bw_state *s)
{
	size_t seg = s->n / NSAMPLES;
	uint64_t salt = s->runs++ * 0x9e3779b97f4a7c15ull;

	for (size_t k = 0; k < NSAMPLES; k++) {
		if (seg == 0)
			s->pos[k] = k % s->n;
		else
			s->pos[k] = k * seg + (size_t)((salt + k * 2654435761u) % seg);
	}
	s->pos[0] = 0;
	s->pos[NSAMPLES - 1] = s->n - 1;
}

/* One pass of kernel op over arrays of n elements. */
static void pass(enum kernel_op op, double *const arr[3], size_t n)
{
	switch (op) {
	case K_COPY:
		k_copy(arr[2], arr[0], n);
		break;
	case K_SCALE:
		k_scale(arr[1], arr[2], n);
		break;
	case K_ADD:
		k_add(arr[2], arr[0], arr[1], n);
		break;
	case K_TRIAD:
		k_triad(arr[0], arr[1], arr[2], n);
		break;
	}
}

/* What a pass of k writes into its destination, from the arrays' values: the same
 * kernel code on one element, so the rounding is the pass's own. */
static double predict(const struct kernel *k, const double val[3])
{
	double one[3] = { val[0], val[1], val[2] };
	double *const p[3] = { &one[0], &one[1], &one[2] };

	pass(k->op, p, 1);
	return one[k->dst];
}

static int bw_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct bw_state *s = c->priv;
	const struct kernel *k = s->k;
	double *dst = s->arr[k->dst], result = predict(k, s->val);
	size_t n = s->n;

	/* Poison the sampled destination elements: the check below then proves that a
	 * pass of this run wrote them. */
	pick_samples(s);
	for (size_t i = 0; i < NSAMPLES && ops; i++)
		dst[s->pos[i]] = POISON;
	nb_meter_start(c);
	for (uint64_t p = 0; p < ops; p++) {
		pass(k->op, s->arr, n);
		nb_consume_ptr(dst);  /* the compiler must assume the pass was observed */
	}
	nb_meter_stop(c);
	*bytes = ops * k->arrays * sizeof(double) * (uint64_t)n;

	for (size_t i = 0; i < NSAMPLES && ops; i++) {
		size_t j = s->pos[i];
		for (int arr = 0; arr < 3; arr++) {
			double want = arr == k->dst ? result : s->val[arr];
			if (s->arr[arr][j] != want)
				return nb_fail(c, 0, "result check failed: %c[%zu] = %.17g after %" PRIu64
					       " passes, expected %.17g (a pass was skipped or memory is "
					       "corrupted)", 'a' + arr, j, s->arr[arr][j], ops,
					       want);
		}
	}
	if (ops)
		s->val[k->dst] = result;
	double f = huge_fraction(s);
	if (f >= 0)
		nb_extra(c, "huge_fraction", f);
	nb_extra(c, "array_bytes", (double)n * sizeof(double));
	return 0;
}

/* A kept worker of one kernel now runs another on the same arrays.  Its results are
 * predicted from the values the arrays hold (val), so nothing is rewritten, unless
 * alternating kernels have grown them near VAL_LIMIT: then a pass sets them back. */
static int bw_rebind(struct nb_ctx *c)
{
	struct bw_state *s = c->priv;
	const struct kernel *k = kernel_of(c->w);

	if (!s || !k)
		return nb_fail(c, 0, "%s is not a mem.bw kernel", c->w->name);
	s->k = k;
	for (int i = 0; i < 3; i++)
		if (!(s->val[i] < VAL_LIMIT))
			set_initial(s);
	return 0;
}

/* One op is one pass over the arrays. */
static uint64_t bw_pass_ops(const struct nb_ctx *c)
{
	(void)c;
	return 1;
}

#define BW_WORKLOAD(sym, kname, what)                                                \
	const struct nb_workload sym = {                                             \
		.name = "mem.bw." kname,                                             \
		.family = "mem",                                                     \
		.unit = "MB/s",                                                      \
		.better = NB_HIGHER_IS_BETTER,                                       \
		.metric = NB_METRIC_MB_PER_S,                                        \
		.stresses = "memory bandwidth (STREAM " kname ": " what "); TLB reach, "  \
			    "host page size",                                        \
		.params = bw_params,                                                 \
		.supported = bw_supported,                                           \
		.setup = bw_setup,                                                   \
		.run = bw_run,                                                       \
		.teardown = bw_teardown,                                             \
		.pass_ops = bw_pass_ops,                                             \
		.setup_group = "mem.bw",                                             \
		.rebind = bw_rebind,                                                 \
	}

BW_WORKLOAD(nb_wl_mem_bw_copy, "copy", "c = a");
BW_WORKLOAD(nb_wl_mem_bw_scale, "scale", "b = 3 c");
BW_WORKLOAD(nb_wl_mem_bw_add, "add", "c = a + b");
BW_WORKLOAD(nb_wl_mem_bw_triad, "triad", "a = b + 3 c");
