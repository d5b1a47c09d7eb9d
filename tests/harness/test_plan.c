/* test_plan.c - visit order (seeded, complete, excluding finished cases) and the
 * stopping rules on synthetic samples. */
#include "../unit/check.h"
#include "../../harness/plan.h"

#include <stdlib.h>

static struct nb_campaign_cfg *cfg_new(enum nb_precision_mode mode, int interleave, int block)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->precision = (struct nb_precision_cfg){ mode, 0.01, 6, 30, 10.0 };
	c->order = (struct nb_order_cfg){ interleave, block, 7, 1 };
	return c;
}

TEST(plan_round_is_a_seeded_permutation)
{
	struct nb_plan_state st[20] = { 0 };
	int a[20], b[20], d[20], seen[20] = { 0 };
	struct nb_rng r1, r2, r3;

	nb_rng_seed(&r1, 42);
	nb_rng_seed(&r2, 42);
	nb_rng_seed(&r3, 43);
	CHECK(nb_plan_round(&r1, st, 20, 1, a) == 20);
	CHECK(nb_plan_round(&r2, st, 20, 1, b) == 20);
	CHECK(nb_plan_round(&r3, st, 20, 1, d) == 20);
	CHECK(memcmp(a, b, sizeof(a)) == 0);          /* same seed, same order */
	CHECK(memcmp(a, d, sizeof(a)) != 0);          /* another seed, another order */
	for (int i = 0; i < 20; i++)
		seen[a[i]]++;
	for (int i = 0; i < 20; i++)
		CHECK_MSG(seen[i] == 1, "case %d visited %d times", i, seen[i]);
	int identity = 1;
	for (int i = 0; i < 20; i++)
		identity &= a[i] == i;
	CHECK(!identity);                              /* 1 in 20! by chance */
}

TEST(plan_round_skips_done_and_keeps_order_without_interleave)
{
	struct nb_plan_state st[6] = { 0 };
	int o[6];
	struct nb_rng r;

	nb_rng_seed(&r, 1);
	st[1].done = st[4].done = 1;
	CHECK(nb_plan_round(&r, st, 6, 0, o) == 4);
	CHECK(o[0] == 0 && o[1] == 2 && o[2] == 3 && o[3] == 5);
	CHECK(nb_plan_round(&r, st, 6, 1, o) == 4);
	for (int i = 0; i < 4; i++)
		CHECK(o[i] != 1 && o[i] != 4);
	for (int i = 0; i < 6; i++)
		st[i].done = 1;
	CHECK(nb_plan_round(&r, st, 6, 1, o) == 0);
}

TEST(plan_successive_rounds_differ)
{
	struct nb_plan_state st[8] = { 0 };
	int a[8], b[8];
	struct nb_rng r;

	nb_rng_seed(&r, 99);
	nb_plan_round(&r, st, 8, 1, a);
	nb_plan_round(&r, st, 8, 1, b);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

TEST(plan_visit_reps)
{
	struct nb_campaign_cfg *c = cfg_new(NB_PRECISION_FIXED, 1, 2);
	struct nb_plan_state st = { 0 };

	CHECK(c);
	CHECK(nb_plan_visit_reps(c, 5, &st) == 2);
	st.n = 4;
	CHECK(nb_plan_visit_reps(c, 5, &st) == 1);     /* never beyond the count */
	c->order.interleave = 0;
	st.n = 0;
	CHECK(nb_plan_visit_reps(c, 5, &st) == 5);     /* all at once */
	c->precision.mode = NB_PRECISION_ADAPTIVE;
	CHECK(nb_plan_visit_reps(c, 5, &st) == 6);     /* min_reps first */
	st.n = 6;
	CHECK(nb_plan_visit_reps(c, 5, &st) == 2);     /* then a block (2) at a time */
	free(c);
}

TEST(plan_stop_fixed)
{
	struct nb_campaign_cfg *c = cfg_new(NB_PRECISION_FIXED, 1, 1);
	double x[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

	CHECK(c);
	CHECK(nb_plan_stop(c, 10, x, 9, 100.0) == NULL);  /* budget is for adaptive only */
	CHECK_STR(nb_plan_stop(c, 10, x, 10, 0), "reps");
	free(c);
}

TEST(plan_stop_adaptive_on_synthetic_data)
{
	struct nb_campaign_cfg *c = cfg_new(NB_PRECISION_ADAPTIVE, 1, 1);
	double tight[30], wide[30];

	CHECK(c);
	for (int i = 0; i < 30; i++) {
		tight[i] = 100.0 + 0.01 * (i % 5);        /* CI far inside +-1 % */
		wide[i] = (i % 2) ? 100.0 : 150.0;        /* CI spans 50 % */
	}
	CHECK(nb_plan_stop(c, 0, tight, 5, 0) == NULL);   /* below min_reps: never */
	CHECK_STR(nb_plan_stop(c, 0, tight, 6, 0), "target");
	CHECK(nb_plan_stop(c, 0, wide, 12, 0) == NULL);
	CHECK_STR(nb_plan_stop(c, 0, wide, 12, 10.0), "budget");
	CHECK_STR(nb_plan_stop(c, 0, wide, 30, 0), "max_reps");
	c->precision.target = 0.5;                         /* loose target: wide data passes */
	CHECK_STR(nb_plan_stop(c, 0, wide, 12, 0), "target");
	free(c);
}
