/* mem_lat.c - the `mem.lat` workload: a dependent random pointer chase across working
 * sets from L1-sized to far beyond the last-level cache.  Once the working set outgrows
 * the TLB reach every load walks the page tables, and under nested paging that walk is
 * two-dimensional (guest tables translated through the host's): this is where nesting
 * shows in memory latency, so the page size must be exactly the one asked for.
 *
 * Regions, MemAvailable, THP mode and the PRNG come from memutil.h. */
#include "chase.h"
#include "../common/err.h"
#include "memutil.h"
#include "../common/units.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the chain ----------------------------------------------------------------------- */

/* Uniform in [0, bound), bound > 0 (Lemire's multiply-shift with rejection). */
static uint64_t rand_below(uint64_t *s, uint64_t bound)
{
	__uint128_t m = (__uint128_t)nb_splitmix64(s) * bound;
	uint64_t low = (uint64_t)m;

	if (low < bound) {
		uint64_t floor = -bound % bound;
		while (low < floor) {
			m = (__uint128_t)nb_splitmix64(s) * bound;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

void **nb_chase_build(void *region, size_t bytes, size_t stride, uint64_t seed)
{
	char *base = region;
	size_t n = bytes / stride;
	uint64_t s = seed;

#define NODE(i) ((void **)(base + (size_t)(i) * stride))
	/* Node i first holds its own index; Sattolo's shuffle (swap with a strictly
	 * earlier slot) turns the identity into a uniformly random single n-cycle
	 * i -> slot[i]; the indices then become addresses in place. */
	for (size_t i = 0; i < n; i++)
		*NODE(i) = (void *)(uintptr_t)i;
	for (size_t i = n - 1; i > 0 && n > 1; i--) {
		size_t j = (size_t)rand_below(&s, i);
		void *t = *NODE(i);
		*NODE(i) = *NODE(j);
		*NODE(j) = t;
	}
	for (size_t i = 0; i < n; i++)
		*NODE(i) = NODE((uintptr_t)*NODE(i));
	return NODE(0);
#undef NODE
}

uint64_t nb_chase_cycle_len(void *const *start, uint64_t limit)
{
	void *const *p = start;

	for (uint64_t k = 1; k <= limit; k++) {
		p = *p;
		if (p == start)
			return k;
	}
	return 0;
}

void **nb_chase_walk(void **p, uint64_t steps)
{
	while (steps--)
		p = *p;
	return p;
}

#define STEP p = *p
#define STEP4 STEP; STEP; STEP; STEP

void **nb_chase_run(void **p, uint64_t loads)
{
	for (uint64_t k = loads / 16; k; k--) {
		STEP4; STEP4; STEP4; STEP4;
	}
	for (uint64_t k = loads % 16; k; k--)
		STEP;
	return p;
}

/* ---- mem.lat ----------------------------------------------------------------------- */

#define LAT_MIN_SIZE 4096u
#define LAT_SEED 0x6e65737462656e63ull   /* "nestbenc" */

static const struct nb_param_spec lat_params[] = {
	{ "size", NB_PARAM_SIZE, "16K..1G", LAT_MIN_SIZE, 0,
	  "working set (a range sweeps doubling sizes)" },
	{ "thp", NB_PARAM_BOOL, "0", 0, 1,
	  "1: transparent huge pages (MADV_HUGEPAGE); 0: 4 KiB pages (MADV_NOHUGEPAGE)" },
	{ "stride", NB_PARAM_SIZE, "64", 8, 0,
	  "bytes between nodes (64: one node per cache line; 4K: one per page)" },
	{ 0 }
};

struct lat_state {
	struct nb_region r;
	uint64_t nodes;
	int thp;
	void **cur;        /* where the next run continues */
};

void **nb_mem_lat_cursor(const struct nb_ctx *c)
{
	const struct lat_state *s = c->priv;

	return s ? s->cur : NULL;
}

static size_t lat_region_bytes(uint64_t size)
{
	return (size_t)((size + NB_HUGE_PAGE - 1) / NB_HUGE_PAGE * NB_HUGE_PAGE);
}

static const char *lat_supported(struct nb_ctx *c, char why[NB_ERR_LEN])
{
	uint64_t size = nb_param_u(c, "size"), need = lat_region_bytes(size);
	uint64_t avail = nb_mem_available(), margin = nb_mem_margin(avail);

	if (nb_thp_unsupported((int)nb_param_u(c, "thp"), why))
		return why;
	if (avail && need + margin > avail) {
		snprintf(why, NB_ERR_LEN, "working set of %.0f MiB does not fit: MemAvailable is %.0f MiB and "
			 "%.0f MiB (64 MiB + 1/16) is left free", need / 1048576.0, avail / 1048576.0,
			 margin / 1048576.0);
		return why;
	}
	return NULL;
}

static void lat_teardown(struct nb_ctx *c)
{
	struct lat_state *s = c->priv;

	if (s) {
		nb_region_unmap(&s->r);
		free(s);
	}
	c->priv = NULL;
}

static int lat_setup(struct nb_ctx *c)
{
	uint64_t size = nb_param_u(c, "size"), stride = nb_param_u(c, "stride");
	int thp = (int)nb_param_u(c, "thp");
	struct lat_state *s;
	char a[32], b[32], err[NB_ERR_LEN];

	nb_format_size(size, a, sizeof(a));
	nb_format_size(stride, b, sizeof(b));
	if (size < LAT_MIN_SIZE)
		return nb_fail(c, 1, "size %s is too small: the working set must be at least 4K "
			       "(one page)", a);
	if (stride < sizeof(void *) || stride % sizeof(void *))
		return nb_fail(c, 1, "stride %s must be a multiple of 8 bytes (each node holds a "
			       "pointer)", b);
	if (stride > size)
		return nb_fail(c, 1, "stride %s is larger than size %s: the chain needs at least "
			       "one node", b, a);
	if (size % stride)
		return nb_fail(c, 1, "size %s is not a multiple of stride %s (every node must "
			       "fit in the working set)", a, b);
	if (!(s = calloc(1, sizeof(*s))))
		return nb_fail(c, 0, "out of memory");
	if (nb_region_map(&s->r, (size_t)size, thp, err)) {
		free(s);
		return nb_fail(c, 0, "%s", err);
	}
	c->priv = s;
	s->thp = thp;
	s->nodes = size / stride;
	s->cur = nb_chase_build(s->r.base, (size_t)size, (size_t)stride, LAT_SEED);
	if (thp) {
		double f = nb_region_huge_fraction(&s->r);
		if (f >= 0 && f < 0.9)
			nb_note(c, "thp=1 but only %.0f%% of the %s region is on transparent huge pages "
				   "(THP could not be allocated, e.g. fragmented memory): results mix "
				   "4K and 2M pages", 100 * f, a);
		else if (f < 0)
			nb_note(c, "thp=1: cannot read /proc/self/smaps to check huge pages");
	}
	return 0;
}

static int lat_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct lat_state *s = c->priv;
	void **p = s->cur;
	uintptr_t lo = (uintptr_t)s->r.base, off;

	(void)bytes;
	nb_meter_start(c);
	p = nb_chase_run(p, ops);
	nb_meter_stop(c);
	nb_consume_ptr(p);
	/* The chain only ever links nodes to nodes: anything else is corruption. */
	off = (uintptr_t)p - lo;
	if ((uintptr_t)p < lo || off / (uintptr_t)nb_param_u(c, "stride") >= s->nodes ||
	    off % (uintptr_t)nb_param_u(c, "stride"))
		return nb_fail(c, 0, "the chase left the chain (pointer %p outside the %" PRIu64
			       " nodes at %p): memory corrupted", (void *)p, s->nodes, s->r.base);
	s->cur = p;
	double f = nb_region_huge_fraction(&s->r);
	if (f >= 0)
		nb_extra(c, "huge_fraction", f);
	nb_extra(c, "nodes", (double)s->nodes);
	return 0;
}

/* One op is one load: the chain's length loads visit every node once. */
static uint64_t lat_pass_ops(const struct nb_ctx *c)
{
	const struct lat_state *s = c->priv;

	return s ? s->nodes : 0;
}

const struct nb_workload nb_wl_mem_lat = {
	.name = "mem.lat",
	.family = "mem",
	.unit = "ns/load",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "memory latency and TLB misses: nested paging makes each page walk 2-D",
	.params = lat_params,
	.supported = lat_supported,
	.setup = lat_setup,
	.run = lat_run,
	.teardown = lat_teardown,
	.pass_ops = lat_pass_ops,
};
