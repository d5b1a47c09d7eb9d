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

TEST(plan_visit_timeout_bounds_later_visits)
{
	struct nb_plan_state st = { 0 };

	CHECK_EQ_U64(nb_plan_visit_timeout_ms(&st, 300000), 300000);   /* first visit */
	st.visits = 1;
	st.longest_s = 0.4;
	CHECK_EQ_U64(nb_plan_visit_timeout_ms(&st, 300000), 30000);    /* the floor */
	st.longest_s = 12.5;
	CHECK_EQ_U64(nb_plan_visit_timeout_ms(&st, 300000), 125000);   /* 10 x the longest */
	st.longest_s = 40;
	CHECK_EQ_U64(nb_plan_visit_timeout_ms(&st, 300000), 300000);   /* never above the limit */
	CHECK_EQ_U64(nb_plan_visit_timeout_ms(&st, 20000), 20000);     /* nor a lower limit */
	st.longest_s = 0.1;
	CHECK_EQ_U64(nb_plan_visit_timeout_ms(&st, 20000), 20000);
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
	CHECK(nb_plan_stop(c, 10, x, 9, 100.0, 0) == NULL);  /* budget is for adaptive only */
	CHECK_STR(nb_plan_stop(c, 10, x, 10, 0, 0), "reps");
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
	CHECK(nb_plan_stop(c, 0, tight, 5, 0, 0) == NULL);   /* below min_reps: never */
	CHECK_STR(nb_plan_stop(c, 0, tight, 6, 0, 0), "target");
	CHECK(nb_plan_stop(c, 0, wide, 12, 0, 0) == NULL);
	CHECK_STR(nb_plan_stop(c, 0, wide, 12, 10.0, 0), "budget");
	CHECK_STR(nb_plan_stop(c, 0, wide, 30, 0, 0), "max_reps");
	c->precision.target = 0.5;                         /* loose target: wide data passes */
	CHECK_STR(nb_plan_stop(c, 0, wide, 12, 0, 0), "target");
	free(c);
}

/* A case whose samples straddle a regime shift does not stop at its target: tight
 * samples that jump by 20 % half way would otherwise stop with a narrow interval. */
TEST(plan_stop_not_at_target_across_a_regime_shift)
{
	struct nb_campaign_cfg *c = cfg_new(NB_PRECISION_ADAPTIVE, 1, 1);
	double x[16], flat[16];
	int seq[16];
	struct nb_plan_regime reg;

	CHECK(c);
	c->precision.target = 0.2;
	for (int i = 0; i < 16; i++) {
		x[i] = (i < 8 ? 100.0 : 120.0) + (i % 4) * 0.1;
		flat[i] = 100.0 + ((i * 7) % 5) * 0.1;
		seq[i] = 10 * (i + 1);
	}
	CHECK(nb_plan_regime(x, seq, 16, NULL, NULL, NULL, NULL, 0, 1, &reg) == 1);
	CHECK_STR(reg.source, "samples");
	CHECK_MSG(reg.at_seq == 8, "split at %d", reg.at_seq);
	CHECK_MSG(reg.rel > 0.19 && reg.rel < 0.21, "rel %g", reg.rel);
	CHECK_STR(nb_plan_stop(c, 0, x, 16, 0, 0), "target");          /* without the check */
	CHECK(nb_plan_stop(c, 0, x, 16, 0, reg.straddles) == NULL);    /* with it: go on */
	CHECK_STR(nb_plan_stop(c, 0, x, 30, 0, 1), "max_reps");         /* still bounded */
	CHECK(nb_plan_regime(flat, seq, 16, NULL, NULL, NULL, NULL, 0, 1, &reg) == 0);
	CHECK(!reg.straddles);
	free(c);
}

/* The tier's canary shifts at campaign_seq 135: a case with samples on both sides of it
 * straddles the shift, one measured wholly before it does not. */
TEST(plan_regime_from_the_canary)
{
	double canary[16], flat[16];
	int cseq[16], across[16], before[16];
	const double *cv[1] = { canary };
	const int *cs[1] = { cseq };
	const int cm[1] = { 16 };
	const char *cw[1] = { "cpu.int" };
	struct nb_plan_regime reg;

	for (int i = 0; i < 16; i++) {
		canary[i] = (i < 8 ? 1.0 : 1.9) + (i % 3) * 0.001;
		cseq[i] = 15 * (i + 1);      /* the shift: from the 9th entry, seq 135 */
	}
	for (int i = 0; i < 16; i++) {
		flat[i] = 100.0 + ((i * 7) % 5) * 0.1;
		across[i] = 10 * (i + 1);    /* 10 .. 160 */
		before[i] = 1 + i;           /* 1 .. 16 */
	}
	CHECK(nb_plan_regime(flat, across, 16, cv, cs, cm, cw, 1, 1, &reg) == 1);
	CHECK_STR(reg.source, "canary");
	CHECK_STR(reg.workload, "cpu.int");
	CHECK_MSG(reg.at_seq == 135, "at %d", reg.at_seq);
	CHECK(nb_plan_regime(flat, before, 16, cv, cs, cm, cw, 1, 1, &reg) == 0);
	/* Without the samples' seqs (an old file) only their own series counts. */
	CHECK(nb_plan_regime(flat, NULL, 16, cv, cs, cm, cw, 1, 1, &reg) == 0);
}

/* ---- tiers interleaved ------------------------------------------------------------- */

static int plan_tiers(uint64_t seed, int round, struct nb_plan_state st[3][5],
		      struct nb_plan_visit *out)
{
	static const int tiers[3] = { 0, 2, 1 };   /* tier indices need not be in order */
	const struct nb_plan_state *sp[3] = { st[0], st[1], st[2] };

	return nb_plan_round_tiers(seed, round, tiers, sp, 3, 5, out);
}

TEST(plan_tiers_cover_every_tier_and_case_case_by_case)
{
	struct nb_plan_state st[3][5] = { { { 0 } } };
	struct nb_plan_visit a[15], b[15], c[15];
	int seen[3][5] = { { 0 } };

	CHECK(plan_tiers(7, 0, st, a) == 15);
	for (int j = 0; j < 15; j++)
		seen[a[j].tier][a[j].ci]++;
	for (int t = 0; t < 3; t++)
		for (int ci = 0; ci < 5; ci++)
			CHECK_MSG(seen[t][ci] == 1, "tier %d case %d visited %d times", t, ci, seen[t][ci]);
	/* each case on every tier in turn: A on all tiers, then the next case */
	for (int j = 0; j < 15; j += 3)
		CHECK(a[j].ci == a[j + 1].ci && a[j].ci == a[j + 2].ci);
	/* seeded: reproducible; another seed or round, another order */
	CHECK(plan_tiers(7, 0, st, b) == 15 && memcmp(a, b, sizeof(a)) == 0);
	CHECK(plan_tiers(8, 0, st, c) == 15 && memcmp(a, c, sizeof(a)) != 0);
	CHECK(plan_tiers(7, 1, st, c) == 15 && memcmp(a, c, sizeof(a)) != 0);
	/* the tier order is shuffled too, not always the campaign's */
	int same = 1;
	for (int j = 3; j < 15; j += 3)
		same &= a[j].tier == a[0].tier && a[j + 1].tier == a[1].tier;
	CHECK(!same);
}

TEST(plan_tiers_skip_what_is_done)
{
	struct nb_plan_state st[3][5] = { { { 0 } } };
	struct nb_plan_visit v[15];
	int n;

	for (int ci = 0; ci < 5; ci++)
		st[1][ci].done = 1;          /* the second tier (index 2) finished */
	st[0][3].done = st[2][3].done = 1;   /* case 3 finished everywhere */
	n = plan_tiers(3, 0, st, v);
	CHECK(n == 8);
	for (int j = 0; j < n; j++)
		CHECK(v[j].tier != 2 && v[j].ci != 3);
	for (int t = 0; t < 3; t++)
		for (int ci = 0; ci < 5; ci++)
			st[t][ci].done = 1;
	CHECK(plan_tiers(3, 0, st, v) == 0);
}

TEST(plan_by_tier_round_unchanged_by_tiers_plan)
{
	/* The by-tier order (one stream per tier and round) is what it was. */
	struct nb_plan_state st[8] = { 0 };
	int a[8], b[8];
	struct nb_rng r1, r2;

	nb_rng_seed_key(&r1, 99, "L1/0");
	nb_rng_seed_key(&r2, 99, "L1/0");
	CHECK(nb_plan_round(&r1, st, 8, 1, a) == 8);
	CHECK(nb_plan_round(&r2, st, 8, 1, b) == 8);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	CHECK(nb_plan_round(&r1, st, 8, 0, a) == 8);
	for (int i = 0; i < 8; i++)
		CHECK(a[i] == i);
}
