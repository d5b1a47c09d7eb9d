/* test_mem.c - the `mem` family: the pointer chase is one cycle through every node and
 * the unrolled chase ends where a plain walk does; STREAM counts its bytes as STREAM
 * does, its result check passes and catches corruption; bad sizes are user errors;
 * the page size of a region is the one asked for. */
#include "check.h"
#include "ctx.h"
#include "../../common/err.h"
#include "../../common/units.h"
#include "../../workloads/chase.h"
#include "../../workloads/memutil.h"
#include "../../workloads/params.h"
#include "../../workloads/runner.h"

#include <stdlib.h>

extern const struct nb_workload nb_wl_mem_lat, nb_wl_mem_bw_copy, nb_wl_mem_bw_scale,
	nb_wl_mem_bw_add, nb_wl_mem_bw_triad;

static void free_ctx(struct nb_ctx *c)
{
	if (c && c->priv && c->w->teardown)
		c->w->teardown(c);
	free(c);
}

static double extra(const struct nb_ctx *c, const char *key)
{
	for (int i = 0; i < c->nextras; i++)
		if (strcmp(c->extras[i].key, key) == 0)
			return c->extras[i].value;
	return NAN;
}

static int thp_usable(void)
{
	int m = nb_thp_mode();

	return m == 'a' || m == 'm';
}

/* ---- the chase ---------------------------------------------------------------------- */

TEST(mem_chase_visits_every_node_once)
{
	static const struct { size_t bytes, stride; } cases[] = {
		{ 4096, 8 }, { 4096, 64 }, { 4096, 4096 }, { 8192, 4096 }, { 96 * 1024, 96 },
		{ 64 * 1024, 4096 }, { 2u << 20, 64 }, { 3u << 20, 8 },
	};
	struct nb_region r;
	char err[NB_ERR_LEN];

	CHECK_MSG(nb_region_map(&r, 3u << 20, 0, err) == 0, "%s", err);
	unsigned char *seen = malloc((3u << 20) / 8);
	CHECK(seen);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		size_t bytes = cases[k].bytes, stride = cases[k].stride, n = bytes / stride;
		void **start = nb_chase_build(r.base, bytes, stride, 42 + k);
		char *lo = r.base;

		CHECK_MSG((char *)start == lo, "case %zu: start is not node 0", k);
		CHECK_MSG(nb_chase_cycle_len(start, n + 1) == n, "case %zu (%zu/%zu): cycle of %llu, %zu nodes",
			  k, bytes, stride, (unsigned long long)nb_chase_cycle_len(start, n + 1), n);
		/* And directly: n steps land on n distinct nodes, each inside the region on a
		 * node boundary, and the n-th step is back at the start. */
		memset(seen, 0, n);
		void **p = start;
		for (size_t i = 0; i < n; i++) {
			p = *p;
			size_t off = (size_t)((char *)p - lo);
			CHECK_MSG((char *)p >= lo && off < bytes && off % stride == 0,
				  "case %zu: step %zu left the chain (offset %zu)", k, i, off);
			CHECK_MSG(!seen[off / stride], "case %zu: node %zu visited twice", k, off / stride);
			seen[off / stride] = 1;
		}
		CHECK_MSG(p == start, "case %zu: not back at the start after %zu steps", k, n);
	}
	free(seen);

	/* Deterministic for a seed, different across seeds. */
	size_t bytes = 64 * 1024, stride = 64, n = bytes / stride;
	void **first = malloc(n * sizeof(void *));
	CHECK(first);
	void **s = nb_chase_build(r.base, bytes, stride, 7);
	for (size_t i = 0; i < n; i++)
		first[i] = *(void **)((char *)s + i * stride);
	nb_chase_build(r.base, bytes, stride, 7);
	int same = 1, differ = 0;
	for (size_t i = 0; i < n; i++)
		same &= first[i] == *(void **)((char *)s + i * stride);
	nb_chase_build(r.base, bytes, stride, 8);
	for (size_t i = 0; i < n; i++)
		differ |= first[i] != *(void **)((char *)s + i * stride);
	free(first);
	nb_region_unmap(&r);
	CHECK_MSG(same, "same seed gave a different chain");
	CHECK_MSG(differ, "another seed gave the same chain");
}

TEST(mem_chase_run_matches_walk)
{
	static const uint64_t steps[] = { 0, 1, 15, 16, 17, 31, 32, 33, 1000, 1024, 5003 };
	struct nb_region r;
	char err[NB_ERR_LEN];

	CHECK_MSG(nb_region_map(&r, 64 * 1024, 0, err) == 0, "%s", err);
	void **start = nb_chase_build(r.base, 64 * 1024, 64, 1);
	int ok = 1;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (nb_chase_run(start, steps[i]) != nb_chase_walk(start, steps[i])) {
			ok = 0;
			nbt_fail(__FILE__, __LINE__, "run(%llu) != walk(%llu)",
				 (unsigned long long)steps[i], (unsigned long long)steps[i]);
		}
	}
	CHECK(ok);
	CHECK(nb_chase_run(start, 1024) == start);            /* one full cycle */
	CHECK(nb_chase_run(start, 1) != start);
	nb_region_unmap(&r);

	/* The workload: each run continues where the last one stopped. */
	const char *given[] = { "size=64K", "stride=64", "thp=0" };
	struct nb_ctx *c = nbt_ctx(&nb_wl_mem_lat, given, 3, err);
	uint64_t bytes = 0;
	CHECK_MSG(c, "%s", err);
	CHECK_MSG(c->w->setup(c) == 0, "%s", c->err);
	void **at = nb_mem_lat_cursor(c);
	CHECK(at != NULL);
	for (uint64_t ops = 1; ops < 3000; ops = ops * 3 + 1) {
		void **want = nb_chase_walk(at, ops);
		CHECK_MSG(c->w->run(c, ops, &bytes) == 0, "%s", c->err);
		at = nb_mem_lat_cursor(c);
		CHECK_MSG(at == want, "after %llu loads the chase is not where a walk gets",
			  (unsigned long long)ops);
	}
	CHECK_NEAR(extra(c, "nodes"), 1024, 0);
	CHECK_NEAR(extra(c, "huge_fraction"), 0, 0);
	free_ctx(c);
}

TEST(mem_lat_calibrates)
{
	const char *given[] = { "size=256K" };
	char err[NB_ERR_LEN];
	struct nb_ctx *c = nbt_ctx(&nb_wl_mem_lat, given, 1, err);
	uint64_t ops = 0, ns = 0;

	CHECK_MSG(c, "%s", err);
	CHECK(c->w->supported(c, err) == NULL);
	CHECK_MSG(c->w->setup(c) == 0, "%s", c->err);
	CHECK_MSG(nb_calibrate(c, 2000000, &ops, &ns) == 0, "%s", c->err);
	CHECK(ns >= 2000000);
	double v = nb_primary_value(c->w, ops, ns, 0);
	/* A dependent load takes at least a few tenths of a ns and, for 256K, far less
	 * than a DRAM access under any sane hypervisor. */
	CHECK_MSG(v > 0.2 && v < 500, "%.3f ns/load", v);
	free_ctx(c);
}

TEST(mem_lat_rejects_bad_sizes)
{
	static const struct { const char *size, *stride, *msg; } bad[] = {
		{ "size=8K", "stride=16K", "larger than size" },
		{ "size=12K", "stride=8K", "not a multiple of stride" },
		{ "size=16K", "stride=12", "multiple of 8" },
	};
	char err[NB_ERR_LEN];
	struct nb_ctx *c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *given[] = { bad[i].size, bad[i].stride };
		CHECK_MSG((c = nbt_ctx(&nb_wl_mem_lat, given, 2, err)), "%s", err);
		CHECK_MSG(c->w->setup(c) == -1, "%s %s accepted", bad[i].size, bad[i].stride);
		CHECK_EQ_U64(c->err_is_user, 1);
		CHECK_MSG(strstr(c->err, bad[i].msg), "'%s' lacks '%s'", c->err, bad[i].msg);
		CHECK(c->priv == NULL);
		free_ctx(c);
	}
	/* Below one page: refused by the parameter bounds, and by setup if it gets there. */
	const char *tiny[] = { "size=2K" };
	CHECK(nbt_ctx(&nb_wl_mem_lat, tiny, 1, err) == NULL);
	CHECK_MSG(strstr(err, "at least 4K"), "%s", err);
	const char *ok[] = { "size=4K" };
	CHECK_MSG((c = nbt_ctx(&nb_wl_mem_lat, ok, 1, err)), "%s", err);
	c->params[0].u = 2048;
	CHECK(c->w->setup(c) == -1);
	CHECK_EQ_U64(c->err_is_user, 1);
	CHECK_MSG(strstr(c->err, "too small"), "%s", c->err);
	free_ctx(c);
	/* More than the machine has: skipped with the numbers, before any allocation. */
	const char *huge[] = { "size=64T" };
	CHECK_MSG((c = nbt_ctx(&nb_wl_mem_lat, huge, 1, err)), "%s", err);
	const char *why = c->w->supported(c, err);
	CHECK_MSG(why && strstr(why, "MemAvailable"), "%s", why ? why : "(supported)");
	free_ctx(c);
}

/* ---- STREAM ------------------------------------------------------------------------- */

TEST(mem_bw_default_size_rule)
{
	CHECK_EQ_U64(nb_stream_default_bytes(32u << 20), 128u << 20);
	CHECK_EQ_U64(nb_stream_default_bytes(0), 64u << 20);
	CHECK_EQ_U64(nb_stream_default_bytes(1u << 20), 64u << 20);
	CHECK_EQ_U64(nb_stream_default_bytes((20u << 20) + 1), 81u << 20);
	CHECK_EQ_U64(nb_stream_default_bytes(256u << 20), 1024u << 20);
}

TEST(mem_bw_kernels_count_bytes_and_check_results)
{
	static const struct {
		const struct nb_workload *w;
		unsigned arrays;
		char dst, src;      /* an array the kernel writes and one it reads */
		double result;
	} k[] = {
		{ &nb_wl_mem_bw_copy, 2, 'c', 'a', 1.0 },
		{ &nb_wl_mem_bw_scale, 2, 'b', 'c', 1.5 },
		{ &nb_wl_mem_bw_add, 3, 'c', 'b', 3.0 },
		{ &nb_wl_mem_bw_triad, 3, 'a', 'c', 3.5 },
	};
	uint64_t llc = nb_llc_bytes(-1);
	/* Huge pages make the 3 x 4 x LLC of first touch cheap; 4K pages are tested below. */
	const char *given[] = { thp_usable() ? "thp=1" : "thp=0" };
	char err[NB_ERR_LEN];

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct nb_ctx *c = nbt_ctx(k[i].w, given, 1, err);
		uint64_t bytes = 0;
		size_t n = 0;

		CHECK_MSG(c, "%s", err);
		CHECK_MSG(c->w->setup(c) == 0, "%s: %s", k[i].w->name, c->err);
		CHECK_MSG(strstr(c->notes, "computed") || !llc, "%s", c->notes);
		double *dst = nb_stream_array(c, k[i].dst, &n), *src = nb_stream_array(c, k[i].src, &n);
		CHECK(dst && src);
		/* Default size: STREAM's rule, at least 64M, whole MiB. */
		CHECK_MSG(n * 8 >= 4 * llc && n * 8 >= (64u << 20) && (n * 8) % (1u << 20) == 0,
			  "%zu bytes per array for a %llu-byte LLC", n * 8, (unsigned long long)llc);

		CHECK_MSG(c->w->run(c, 2, &bytes) == 0, "%s: %s", k[i].w->name, c->err);
		CHECK_EQ_U64(bytes, 2ull * k[i].arrays * 8 * n);
		CHECK_NEAR(extra(c, "array_bytes"), (double)n * 8, 0);
		CHECK_NEAR(dst[n / 3], k[i].result, 0);
		CHECK_NEAR(dst[n - 2], k[i].result, 0);
		c->nextras = 0;
		CHECK_MSG(c->w->run(c, 1, &bytes) == 0, "%s: %s", k[i].w->name, c->err);
		CHECK_EQ_U64(bytes, 1ull * k[i].arrays * 8 * n);

		/* An input element that is not what it should be must fail the check
		 * (element 0 is always among the sampled ones). */
		src[0] = 1e300;
		CHECK(c->w->run(c, 1, &bytes) == -1);
		CHECK_EQ_U64(c->err_is_user, 0);
		CHECK_MSG(strstr(c->err, "result check failed"), "%s", c->err);
		free_ctx(c);
	}
}

/* A kept worker switches kernels on the same arrays without rewriting them: each
 * kernel's result is predicted from what the arrays hold after the kernels before it,
 * the check still catches a wrong element, and values grown near the limit are set
 * back to the start by the next switch. */
TEST(mem_bw_kernel_switches_keep_arrays_and_predict_results)
{
	static const struct {
		const struct nb_workload *w;
		char dst;
		double a, b, c;     /* the arrays after the pass, worked out by hand */
	} seq[] = {
		{ &nb_wl_mem_bw_triad, 'a', 3.5, 2.0, 0.5 },   /* a = b + 3c   */
		{ &nb_wl_mem_bw_copy, 'c', 3.5, 2.0, 3.5 },    /* c = a        */
		{ &nb_wl_mem_bw_scale, 'b', 3.5, 10.5, 3.5 },  /* b = 3c       */
		{ &nb_wl_mem_bw_triad, 'a', 21.0, 10.5, 3.5 }, /* a = b + 3c   */
		{ &nb_wl_mem_bw_add, 'c', 21.0, 10.5, 31.5 },  /* c = a + b    */
	};
	const char *given[] = { thp_usable() ? "thp=1" : "thp=0" };
	char err[NB_ERR_LEN];
	struct nb_ctx *c = nbt_ctx(seq[0].w, given, 1, err);
	uint64_t bytes;
	size_t n = 0;

	CHECK_MSG(c, "%s", err);
	CHECK_MSG(c->w->setup(c) == 0, "%s", c->err);
	double *arr[3] = { nb_stream_array(c, 'a', &n), nb_stream_array(c, 'b', &n),
			   nb_stream_array(c, 'c', &n) };
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		c->w = seq[i].w;
		CHECK_MSG(c->w->rebind(c) == 0, "%s", c->err);
		c->nextras = 0;
		CHECK_MSG(c->w->run(c, 1, &bytes) == 0, "step %zu %s: %s", i, c->w->name, c->err);
		const double want[3] = { seq[i].a, seq[i].b, seq[i].c };
		for (int k = 0; k < 3; k++) {
			CHECK_NEAR(*nb_stream_value(c, (char)('a' + k)), want[k], 0);
			CHECK_NEAR(arr[k][0], want[k], 0);
			CHECK_NEAR(arr[k][n / 2 + 1], want[k], 0);
			CHECK_NEAR(arr[k][n - 1], want[k], 0);
		}
	}
	/* A source element that differs from the account fails the next kernel's check. */
	c->w = &nb_wl_mem_bw_copy;
	CHECK(c->w->rebind(c) == 0);
	arr[0][n - 1] = 1.0;
	CHECK(c->w->run(c, 1, &bytes) == -1);
	CHECK_MSG(strstr(c->err, "result check failed"), "%s", c->err);

	/* Values at the limit: the switch writes the start values back. */
	for (int k = 0; k < 3; k++) {
		for (size_t j = 0; j < n; j++)
			arr[k][j] = 1e150;
		*nb_stream_value(c, (char)('a' + k)) = 1e150;
	}
	c->err[0] = '\0';
	c->w = &nb_wl_mem_bw_scale;
	CHECK(c->w->rebind(c) == 0);
	CHECK_NEAR(arr[0][n / 3], 1.0, 0);
	CHECK_NEAR(arr[1][n / 3], 2.0, 0);
	CHECK_NEAR(arr[2][n / 3], 0.5, 0);
	CHECK_MSG(c->w->run(c, 1, &bytes) == 0, "%s", c->err);
	CHECK_NEAR(arr[1][n - 1], 1.5, 0);
	c->w = seq[0].w;
	free_ctx(c);
}

TEST(mem_bw_rejects_bad_sizes)
{
	uint64_t llc = nb_llc_bytes(-1);
	char err[NB_ERR_LEN], arg[64];
	struct nb_ctx *c;

	if (llc) {
		/* Below 4 x LLC: STREAM's rule, named with the minimum. */
		char min[32];
		nb_format_size(4 * llc, min, sizeof(min));
		snprintf(arg, sizeof(arg), "size=%llu", (unsigned long long)(4 * llc - 4096));
		const char *given[] = { arg };
		CHECK_MSG((c = nbt_ctx(&nb_wl_mem_bw_triad, given, 1, err)), "%s", err);
		CHECK(c->w->setup(c) == -1);
		CHECK_EQ_U64(c->err_is_user, 1);
		CHECK_MSG(strstr(c->err, "4 x the last-level cache") && strstr(c->err, min), "%s", c->err);
		CHECK(c->priv == NULL);
		free_ctx(c);
	}
	snprintf(arg, sizeof(arg), "size=%llu", (unsigned long long)(4 * llc + (64u << 20) + 4));
	const char *odd[] = { arg };
	CHECK_MSG((c = nbt_ctx(&nb_wl_mem_bw_copy, odd, 1, err)), "%s", err);
	CHECK(c->w->setup(c) == -1);
	CHECK_EQ_U64(c->err_is_user, 1);
	CHECK_MSG(strstr(c->err, "multiple of 8"), "%s", c->err);
	free_ctx(c);

	const char *huge[] = { "size=16T" };
	CHECK_MSG((c = nbt_ctx(&nb_wl_mem_bw_add, huge, 1, err)), "%s", err);
	CHECK(c->w->setup(c) == -1);
	CHECK_EQ_U64(c->err_is_user, 1);
	CHECK_MSG(strstr(c->err, "do not fit") && strstr(c->err, "MemAvailable"), "%s", c->err);
	CHECK(c->priv == NULL);
	free_ctx(c);
}

/* ---- page size ---------------------------------------------------------------------- */

TEST(mem_region_page_size_is_honest)
{
	struct nb_region small, huge;
	char err[NB_ERR_LEN];
	int thp = thp_usable();

	/* thp=0: 4 KiB pages even where the kernel would use huge ones, and counted alone
	 * even while a huge-page region (thp=1) is mapped beside it. */
	CHECK_MSG(nb_region_map(&small, 8u << 20, 0, err) == 0, "%s", err);
	CHECK_MSG(nb_region_map(&huge, 8u << 20, thp, err) == 0, "%s", err);
	CHECK_EQ_U64((uintptr_t)small.base % NB_HUGE_PAGE, 0);
	CHECK_EQ_U64((uintptr_t)huge.base % NB_HUGE_PAGE, 0);
	CHECK_EQ_U64(small.len, 8u << 20);
	memset(small.base, 1, small.len);
	memset(huge.base, 1, huge.len);
	int64_t small_huge = nb_anon_huge_bytes(small.base, small.len);
	double small_f = nb_region_huge_fraction(&small), huge_f = nb_region_huge_fraction(&huge);
	nb_region_unmap(&small);
	nb_region_unmap(&huge);
	CHECK_EQ_U64(small_huge, 0);
	CHECK_NEAR(small_f, 0, 0);
	if (!thp)
		return;
	/* The same probe sees the huge pages (so the checks above can fail). */
	CHECK_MSG(huge_f >= 0.5, "thp=1 region: only %.2f on huge pages", huge_f);

	/* And what mem.lat reports for either. */
	for (int t = 0; t < 2; t++) {
		const char *given[] = { "size=4M", t ? "thp=1" : "thp=0" };
		struct nb_ctx *c = nbt_ctx(&nb_wl_mem_lat, given, 2, err);
		uint64_t bytes;
		CHECK_MSG(c, "%s", err);
		CHECK_MSG(c->w->setup(c) == 0, "%s", c->err);
		CHECK_MSG(c->w->run(c, 100, &bytes) == 0, "%s", c->err);
		double hf = extra(c, "huge_fraction");
		free_ctx(c);
		CHECK_MSG(t ? hf >= 0.5 : hf == 0, "thp=%d: huge_fraction %.2f", t, hf);
	}
}
