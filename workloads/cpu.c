/* cpu.c - the `cpu` family: in-core integer and floating-point work.  Nested
 * virtualization should cost ~0 % here (no exits, no memory traffic): a non-zero
 * overhead points at timer/interrupt noise or vCPU scheduling, not at the CPU. */
#include "workload.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- cpu.int: four independent 64-bit LCG streams ---------------------------------
 * One op = one step of each stream (4 multiplies, 4 adds, xor/rotate mixing).  The
 * result is checked against the closed-form skip-ahead of the same LCG, so the work
 * is both unoptimizable and verified. */

#define LCG_A 6364136223846793005ull
#define LCG_C 1442695040888963407ull

struct int_state {
	uint64_t seed[4];
	uint64_t mix;
};

/* x_n = A^n x_0 + C (A^n - 1)/(A - 1) mod 2^64, by repeated squaring (Brown, 1994). */
uint64_t nb_lcg_skip(uint64_t x, uint64_t n)
{
	uint64_t acc_mult = 1, acc_plus = 0, cur_mult = LCG_A, cur_plus = LCG_C;

	while (n) {
		if (n & 1) {
			acc_mult *= cur_mult;
			acc_plus = acc_plus * cur_mult + cur_plus;
		}
		cur_plus = (cur_mult + 1) * cur_plus;
		cur_mult *= cur_mult;
		n >>= 1;
	}
	return acc_mult * x + acc_plus;
}

static int int_setup(struct nb_ctx *c)
{
	struct int_state *s = calloc(1, sizeof(*s));

	if (!s)
		return nb_fail(c, 0, "out of memory");
	for (int i = 0; i < 4; i++)
		s->seed[i] = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
	c->priv = s;
	return 0;
}

static int int_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct int_state *s = c->priv;
	uint64_t a = s->seed[0], b = s->seed[1], d = s->seed[2], e = s->seed[3], mix = 0;

	(void)bytes;
	nb_meter_start(c);
	for (uint64_t i = 0; i < ops; i++) {
		a = a * LCG_A + LCG_C;
		b = b * LCG_A + LCG_C;
		d = d * LCG_A + LCG_C;
		e = e * LCG_A + LCG_C;
		mix ^= (a >> 29) + (b << 7) + ((d >> 17) | (e << 47));
	}
	nb_meter_stop(c);
	nb_consume_u64(mix);
	if (a != nb_lcg_skip(s->seed[0], ops) || b != nb_lcg_skip(s->seed[1], ops) ||
	    d != nb_lcg_skip(s->seed[2], ops) || e != nb_lcg_skip(s->seed[3], ops))
		return nb_fail(c, 0, "result check failed (CPU or emulator arithmetic error)");
	s->mix ^= mix;
	return 0;
}

static void free_priv(struct nb_ctx *c)
{
	free(c->priv);
	c->priv = NULL;
}

/* ---- cpu.fp: y = 0.5 y + x over an L1-resident array ------------------------------
 * One op = one pass over `elems` doubles (2 flops each).  y converges geometrically
 * to 2x; after n passes y = 2x + (y0 - 2x) 2^-n, which is checked. */

static const struct nb_param_spec fp_params[] = {
	{ "elems", NB_PARAM_UINT, "1024", 16, 1 << 20, "doubles per array (two arrays; keep in L1)" },
	{ 0 }
};

struct fp_state {
	double *x, *y;
	size_t n;
};

static int fp_setup(struct nb_ctx *c)
{
	struct fp_state *s = calloc(1, sizeof(*s));
	size_t n = (size_t)nb_param_u(c, "elems");

	if (!s || !(s->x = aligned_alloc(64, n * sizeof(double))) ||
	    !(s->y = aligned_alloc(64, n * sizeof(double)))) {
		if (s) {
			free(s->x);
			free(s);
		}
		return nb_fail(c, 0, "out of memory");
	}
	s->n = n;
	c->priv = s;
	return 0;
}

static int fp_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct fp_state *s = c->priv;
	double *restrict x = s->x, *restrict y = s->y;
	size_t n = s->n;

	(void)bytes;
	for (size_t i = 0; i < n; i++) {
		x[i] = 1.0 + (double)(i % 7);
		y[i] = 0.0;
	}
	nb_meter_start(c);
	for (uint64_t k = 0; k < ops; k++) {
		for (size_t i = 0; i < n; i++)
			y[i] = 0.5 * y[i] + x[i];
		nb_consume_ptr(y);
	}
	nb_meter_stop(c);
	/* Expected: y = 2x (1 - 2^-ops); ldexp keeps this exact for the check. */
	for (size_t i = 0; i < n; i += n / 16) {
		double want = 2.0 * x[i] * (1.0 - ldexp(1.0, -(int)(ops > 1000 ? 1000 : ops)));
		if (fabs(y[i] - want) > 1e-12 * want)
			return nb_fail(c, 0, "result check failed (y[%zu]=%.17g, expected %.17g)",
				       i, y[i], want);
	}
	nb_extra(c, "flops_per_op", 2.0 * (double)n);
	return 0;
}

static void fp_teardown(struct nb_ctx *c)
{
	struct fp_state *s = c->priv;

	if (s) {
		free(s->x);
		free(s->y);
	}
	free_priv(c);
}

const struct nb_workload nb_wl_cpu_int = {
	.name = "cpu.int",
	.family = "cpu",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "none: in-core integer multiply/add, no exits or memory traffic (expect ~0 %)",
	.setup = int_setup,
	.run = int_run,
	.teardown = free_priv,
};

const struct nb_workload nb_wl_cpu_fp = {
	.name = "cpu.fp",
	.family = "cpu",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "none: L1-resident floating point (one op = a pass of 2-flop updates)",
	.params = fp_params,
	.setup = fp_setup,
	.run = fp_run,
	.teardown = fp_teardown,
};
