/* test_gate.c - the gate of `nestbench compare` on synthetic result documents: a true
 * shift is a regression (exit 1), equal distributions are no change (exit 0), too few
 * samples, a changed tier nature, a missing tier, a changed binary and a moved canary
 * are inconclusive (exit 3) with their reasons, the correction and the
 * direction-aware geomean behave as documented, and samples that shift level in
 * measurement order are flagged. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../analysis/compare.h"
#include "../../analysis/table.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

/* ---- synthetic documents ------------------------------------------------------------ */

static double gauss(struct nb_rng *r)
{
	double u1 = 1 - nb_rng_uniform(r), u2 = nb_rng_uniform(r);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static cJSON *doc_new(const char *sha)
{
	cJSON *d = cJSON_CreateObject(), *c = cJSON_AddObjectToObject(d, "campaign");
	cJSON *nb = cJSON_AddObjectToObject(d, "nestbench");

	cJSON_AddStringToObject(d, "schema", "nestbench-result");
	cJSON_AddNumberToObject(d, "schema_version", 1);
	cJSON_AddStringToObject(c, "name", "synthetic");
	cJSON_AddNumberToObject(c, "seed", 1);
	cJSON_AddStringToObject(nb, "work_sha256", sha);
	cJSON_AddStringToObject(d, "started_utc", "2026-12-01T00:00:00Z");
	cJSON_AddArrayToObject(d, "tiers");
	return d;
}

static cJSON *tier_add(cJSON *doc, const char *name, int level, const char *nature)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "name", name);
	cJSON_AddNumberToObject(t, "level", level);
	cJSON_AddStringToObject(t, "nature", nature);
	cJSON_AddStringToObject(t, "status", "done");
	cJSON_AddArrayToObject(t, "cases");
	cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "tiers"), t);
	return t;
}

/* n samples median*(1 + noise N(0, 1)), seq 1..n; step: from sample n/2 on, times step. */
static void case_add(cJSON *tier, const char *key, int higher, double median, double noise,
		     size_t n, double step, struct nb_rng *r)
{
	cJSON *c = cJSON_CreateObject(), *s = cJSON_AddArrayToObject(c, "samples");

	cJSON_AddStringToObject(c, "key", key);
	cJSON_AddStringToObject(c, "workload", key);
	cJSON_AddStringToObject(c, "family", "cpu");
	cJSON_AddStringToObject(c, "unit", higher ? "MB/s" : "ns/op");
	cJSON_AddStringToObject(c, "better", higher ? "higher" : "lower");
	cJSON_AddStringToObject(c, "status", "done");
	for (size_t i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject();

		cJSON_AddNumberToObject(x, "value", median * (1 + noise * gauss(r)) * (i >= n / 2 ? step : 1));
		cJSON_AddNumberToObject(x, "visit", (double)i + 1);
		cJSON_AddNumberToObject(x, "seq", (double)i + 1);
		cJSON_AddItemToArray(s, x);
	}
	cJSON_AddItemToArray(cJSON_GetObjectItem(tier, "cases"), c);
}

static void canary_add(cJSON *tier, double median, size_t rounds, struct nb_rng *r)
{
	cJSON *a = cJSON_AddArrayToObject(tier, "canary");

	for (size_t i = 0; i < rounds; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddNumberToObject(e, "round", (double)i);
		cJSON_AddNumberToObject(e, "campaign_seq", (double)i * 10);
		cJSON_AddStringToObject(e, "workload", "cpu.int");
		cJSON_AddStringToObject(e, "unit", "ns/op");
		cJSON_AddNumberToObject(e, "value", median * (1 + 0.01 * gauss(r)));
		cJSON_AddItemToArray(a, e);
	}
}

struct pair {
	struct nb_resultset rs;
	struct nb_compare c;
	char err[NB_ERR_LEN];
};

/* Compare the two documents (consumed); 0 built, -1 not (err). */
static int run(struct pair *p, cJSON *base, cJSON *new_, const struct nb_compare_opts *o)
{
	struct nb_compare_opts d;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!o) {
		nb_compare_opts_default(&d);
		d.g.resamples = 500;
		o = &d;
	}
	rc = nb_rs_add_doc(&p->rs, "base.json", base, p->err) ||
	     nb_rs_add_doc(&p->rs, "new.json", new_, p->err) ||
	     nb_compare_build(&p->c, &p->rs, o, p->err) ? -1 : 0;
	cJSON_Delete(base);
	cJSON_Delete(new_);
	return rc;
}

static void done(struct pair *p)
{
	nb_compare_free(&p->c);
	nb_rs_free(&p->rs);
}

static const struct nb_compare_row *row(const struct pair *p, const char *tier, const char *key)
{
	for (size_t i = 0; i < p->c.n_rows; i++)
		if (!strcmp(p->c.rows[i].tier, tier) && !strcmp(nb_compare_case(&p->c.rows[i])->key, key))
			return &p->c.rows[i];
	return NULL;
}

#define KVM "KVM guest (signature KVMKVMKVM)"
#define SHA "aaaa"

/* Two files of one tier with `cells` workloads, NEW's first one times `factor`. */
static int pair_of(struct pair *p, size_t cells, size_t n, double noise, double factor, uint64_t seed)
{
	struct nb_rng r;
	cJSON *b = doc_new(SHA), *nw = doc_new(SHA);
	cJSON *tb = tier_add(b, "L1", 1, KVM), *tn = tier_add(nw, "L1", 1, KVM);
	char key[32];

	nb_rng_seed(&r, seed);
	for (size_t i = 0; i < cells; i++) {
		snprintf(key, sizeof(key), "w%02zu", i);
		case_add(tb, key, 0, 100 + (double)i, noise, n, 1, &r);
		case_add(tn, key, 0, (100 + (double)i) * (i == 0 ? factor : 1), noise, n, 1, &r);
	}
	return run(p, b, nw, NULL);
}

/* ---- decisions and exit statuses ---------------------------------------------------- */

TEST(gate_true_shift_is_a_regression)
{
	struct pair p;
	const struct nb_compare_row *r;

	CHECK_MSG(pair_of(&p, 10, 20, 0.01, 1.10, 1) == 0, "%s", p.err);
	CHECK((r = row(&p, "L1", "w00")) && r->g.dec == NB_D_REGRESSION);
	CHECK_MSG(r->g.worse_lo > 0.05, "interval %g .. %g", r->g.worse_lo, r->g.worse_hi);
	CHECK_EQ_U64(p.c.n_regressions, 1);
	CHECK_EQ_U64(p.c.m, 10);
	CHECK(nb_compare_status(&p.c) == NB_CMP_REGRESSION);
	done(&p);
}

TEST(gate_no_shift_is_no_change)
{
	struct pair p;

	CHECK_MSG(pair_of(&p, 10, 20, 0.01, 1.0, 2) == 0, "%s", p.err);
	CHECK_EQ_U64(p.c.n_same, 10);
	CHECK_EQ_U64(p.c.n_regressions + p.c.n_inconclusive, 0);
	CHECK(nb_compare_status(&p.c) == NB_CMP_OK);
	done(&p);
}

TEST(gate_too_few_samples_is_inconclusive)
{
	struct pair p;
	const struct nb_compare_row *r;

	/* 3 against 3: p >= 0.1 whatever the values, even for a 10 % shift. */
	CHECK_MSG(pair_of(&p, 2, 3, 0.01, 1.10, 3) == 0, "%s", p.err);
	CHECK((r = row(&p, "L1", "w00")) && r->g.dec == NB_D_INCONCLUSIVE && r->g.why_class == NB_WHY_POWER);
	CHECK_MSG(strstr(r->g.why, "too few samples: 3 against 3"), "%s", r->g.why);
	/* Nothing decided at all: the gate as a whole is inconclusive. */
	CHECK(nb_compare_status(&p.c) == NB_CMP_INCONCLUSIVE);
	done(&p);
}

TEST(gate_noisy_cells_report_the_minimum_detectable_effect)
{
	struct pair p;
	const struct nb_compare_row *r;

	/* 20 % noise, 10 samples: a 5 % change cannot be shown; the cell says how large a
	 * change could.  One quiet cell decides, so only --strict fails. */
	struct nb_rng g;
	cJSON *b = doc_new(SHA), *nw = doc_new(SHA);
	cJSON *tb = tier_add(b, "L1", 1, KVM), *tn = tier_add(nw, "L1", 1, KVM);

	nb_rng_seed(&g, 4);
	case_add(tb, "noisy", 0, 100, 0.20, 10, 1, &g);
	case_add(tn, "noisy", 0, 100, 0.20, 10, 1, &g);
	case_add(tb, "quiet", 0, 100, 0.005, 10, 1, &g);
	case_add(tn, "quiet", 0, 100, 0.005, 10, 1, &g);
	CHECK_MSG(run(&p, b, nw, NULL) == 0, "%s", p.err);
	CHECK((r = row(&p, "L1", "noisy")) && r->g.dec == NB_D_INCONCLUSIVE);
	CHECK_MSG(strstr(r->g.why, "minimum detectable effect") && r->g.mde > 0.05, "%s", r->g.why);
	CHECK(row(&p, "L1", "quiet")->g.dec == NB_D_NO_CHANGE);
	CHECK(nb_compare_status(&p.c) == NB_CMP_OK);
	p.c.o.strict = 1;
	CHECK(nb_compare_status(&p.c) == NB_CMP_INCONCLUSIVE);
	done(&p);
}

TEST(gate_nature_changed_is_inconclusive)
{
	struct pair p;
	struct nb_rng g;
	cJSON *b = doc_new(SHA), *nw = doc_new(SHA);
	cJSON *tb = tier_add(b, "L1", 1, KVM), *tn = tier_add(nw, "L1", 1, "QEMU TCG guest (signature TCGTCGTCGTCG)");
	const struct nb_compare_row *r;

	nb_rng_seed(&g, 5);
	case_add(tb, "w", 0, 100, 0.01, 20, 1, &g);
	case_add(tn, "w", 0, 300, 0.01, 20, 1, &g);
	CHECK_MSG(run(&p, b, nw, NULL) == 0, "%s", p.err);
	CHECK((r = row(&p, "L1", "w")) && r->g.dec == NB_D_INCONCLUSIVE && r->g.why_class == NB_WHY_SETUP);
	CHECK_MSG(strstr(r->g.why, "tier nature changed: KVM guest"), "%s", r->g.why);
	CHECK_EQ_U64(p.c.n_regressions, 0);
	CHECK(nb_compare_status(&p.c) == NB_CMP_INCONCLUSIVE);
	done(&p);
}

TEST(gate_missing_tier_is_inconclusive)
{
	struct pair p;
	struct nb_rng g;
	cJSON *b = doc_new(SHA), *nw = doc_new(SHA);
	cJSON *b0 = tier_add(b, "L0", 0, "bare metal (no hypervisor bit)"), *b1 = tier_add(b, "L1", 1, KVM);
	cJSON *n0 = tier_add(nw, "L0", 0, "bare metal (no hypervisor bit)");
	const struct nb_compare_row *r;

	nb_rng_seed(&g, 6);
	case_add(b0, "w", 0, 100, 0.01, 20, 1, &g);
	case_add(n0, "w", 0, 100, 0.01, 20, 1, &g);
	case_add(b1, "w", 0, 120, 0.01, 20, 1, &g);
	CHECK_MSG(run(&p, b, nw, NULL) == 0, "%s", p.err);
	CHECK(row(&p, "L0", "w")->g.dec == NB_D_NO_CHANGE);
	CHECK((r = row(&p, "L1", "w")) && r->g.dec == NB_D_INCONCLUSIVE && r->g.why_class == NB_WHY_SETUP);
	CHECK_MSG(strcmp(r->g.why, "tier L1 missing from NEW") == 0, "%s", r->g.why);
	CHECK(nb_compare_status(&p.c) == NB_CMP_INCONCLUSIVE);
	done(&p);
}

TEST(gate_changed_binary_is_inconclusive)
{
	struct pair p;
	struct nb_rng g;
	cJSON *b = doc_new(SHA), *nw = doc_new("bbbb");
	cJSON *tb = tier_add(b, "L1", 1, KVM), *tn = tier_add(nw, "L1", 1, KVM);

	nb_rng_seed(&g, 7);
	case_add(tb, "w", 0, 100, 0.01, 20, 1, &g);
	case_add(tn, "w", 0, 120, 0.01, 20, 1, &g);
	CHECK_MSG(run(&p, b, nw, NULL) == 0, "%s", p.err);
	CHECK(row(&p, "L1", "w")->g.dec == NB_D_INCONCLUSIVE);
	CHECK_MSG(strstr(p.c.binary, "nestbench-work changed"), "%s", p.c.binary);
	CHECK(nb_compare_status(&p.c) == NB_CMP_INCONCLUSIVE);
	done(&p);
}

/* A canary of two rounds of `reps` repetitions each (the lab campaign's shape), with the
 * repetitions recorded (samples) or only the round medians (files before 2026-12). */
static void canary_reps_add(cJSON *tier, double median, int reps, int with_samples,
			    struct nb_rng *r)
{
	cJSON *a = cJSON_AddArrayToObject(tier, "canary");

	for (int i = 0; i < 2; i++) {
		cJSON *e = cJSON_CreateObject(), *s = cJSON_CreateArray();
		double v[16];

		for (int k = 0; k < reps; k++) {
			v[k] = median * (1 + 0.01 * gauss(r));
			cJSON_AddItemToArray(s, cJSON_CreateNumber(v[k]));
		}
		cJSON_AddNumberToObject(e, "round", i);
		cJSON_AddNumberToObject(e, "campaign_seq", i * 10 + 1);
		cJSON_AddStringToObject(e, "workload", "cpu.int");
		cJSON_AddStringToObject(e, "unit", "ns/op");
		cJSON_AddNumberToObject(e, "value", v[reps / 2]);
		cJSON_AddNumberToObject(e, "n", reps);
		if (with_samples)
			cJSON_AddItemToObject(e, "samples", s);
		else
			cJSON_Delete(s);
		cJSON_AddItemToArray(a, e);
	}
}

/* Two rounds per file: two medians against two can never be significant, their six
 * repetitions can, so a 30 % canary move is seen only when the file keeps them. */
TEST(gate_canary_of_two_rounds_uses_its_repetitions)
{
	struct pair p;
	struct nb_rng g;

	for (int with = 0; with < 2; with++) {
		cJSON *b = doc_new(SHA), *nw = doc_new(SHA);
		cJSON *tb = tier_add(b, "L1", 1, KVM), *tn = tier_add(nw, "L1", 1, KVM);

		nb_rng_seed(&g, 9);
		case_add(tb, "w", 0, 100, 0.01, 20, 1, &g);
		case_add(tn, "w", 0, 130, 0.01, 20, 1, &g);
		canary_reps_add(tb, 10, 6, with, &g);
		canary_reps_add(tn, 13, 6, with, &g);
		CHECK_MSG(run(&p, b, nw, NULL) == 0, "%s", p.err);
		const struct nb_compare_row *r = row(&p, "L1", "w");
		if (with) {
			CHECK(r->g.dec == NB_D_INCONCLUSIVE && r->g.why_class == NB_WHY_SETUP);
			CHECK_MSG(strstr(r->g.why, "environment changed: canary cpu.int moved +"), "%s",
				  r->g.why);
		} else {
			CHECK_MSG(r->g.dec == NB_D_REGRESSION, "decision %d: %s", (int)r->g.dec, r->g.why);
		}
		done(&p);
	}
}

TEST(gate_moved_canary_means_environment_changed)
{
	struct pair p;
	struct nb_rng g;
	const struct nb_compare_row *r;

	for (int moved = 0; moved < 2; moved++) {
		cJSON *b = doc_new(SHA), *nw = doc_new(SHA);
		cJSON *tb = tier_add(b, "L1", 1, KVM), *tn = tier_add(nw, "L1", 1, KVM);

		nb_rng_seed(&g, 8);
		/* The workload and the canary both 30 % slower: the machine, not the system. */
		case_add(tb, "w", 0, 100, 0.01, 20, 1, &g);
		case_add(tn, "w", 0, moved ? 130 : 100, 0.01, 20, 1, &g);
		canary_add(tb, 10, 12, &g);
		canary_add(tn, moved ? 13 : 10, 12, &g);
		CHECK_MSG(run(&p, b, nw, NULL) == 0, "%s", p.err);
		CHECK(p.c.canary_seen);
		r = row(&p, "L1", "w");
		if (moved) {
			CHECK(r->g.dec == NB_D_INCONCLUSIVE && r->g.why_class == NB_WHY_SETUP);
			CHECK_MSG(strstr(r->g.why, "environment changed: canary cpu.int moved +"), "%s", r->g.why);
			CHECK(nb_compare_status(&p.c) == NB_CMP_INCONCLUSIVE);
		} else {
			CHECK(r->g.dec == NB_D_NO_CHANGE);
			CHECK(nb_compare_status(&p.c) == NB_CMP_OK);
		}
		done(&p);
	}
}

/* The table: L1's canary jumps by 50 % from round 8 of 16; a case measured across it
 * is marked as mixing two machine states and the tier's shift is said below the
 * table; with a steady canary neither. */
TEST(table_marks_cases_across_a_canary_shift)
{
	for (int shift = 0; shift < 2; shift++) {
		struct nb_resultset rs = { 0 };
		struct nb_table t;
		struct nb_table_opts o;
		struct nb_rng g;
		char err[NB_ERR_LEN];
		cJSON *d = doc_new(SHA);
		cJSON *t0 = tier_add(d, "L0", 0, "bare metal"), *t1 = tier_add(d, "L1", 1, KVM);
		cJSON *a = cJSON_AddArrayToObject(t1, "canary");

		nb_rng_seed(&g, 10);
		case_add(t0, "w", 0, 100, 0.01, 16, 1, &g);
		case_add(t1, "w", 0, 120, 0.01, 16, 1, &g);
		cJSON *s, *c1 = cJSON_GetArrayItem(cJSON_GetObjectItem(t1, "cases"), 0);
		int i = 0;
		cJSON_ArrayForEach(s, cJSON_GetObjectItem(c1, "samples"))
			cJSON_AddNumberToObject(s, "campaign_seq", 10 * i++ + 5);   /* 5 .. 155 */
		for (i = 0; i < 16; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "round", i);
			cJSON_AddNumberToObject(e, "campaign_seq", 10 * i + 1);
			cJSON_AddStringToObject(e, "workload", "cpu.int");
			cJSON_AddNumberToObject(e, "value", (shift && i >= 8 ? 1.5 : 1.0) *
							    (1 + 0.005 * gauss(&g)));
			cJSON_AddItemToArray(a, e);
		}
		CHECK_MSG(nb_rs_add_doc(&rs, "one.json", d, err) == 0, "%s", err);
		cJSON_Delete(d);
		nb_table_opts_default(&o);
		o.resamples = 200;
		CHECK_MSG(nb_table_build(&t, &rs, &o, err) == 0, "%s", err);
		int said = 0;
		for (size_t k = 0; k < t.n_remarks; k++)
			said |= strstr(t.remarks[k].text, "L1's canary cpu.int shifted level") != NULL;
		CHECK_MSG(said == shift, "shift %d: remark %d", shift, said);
		CHECK_MSG(nb_table_cell(&t, 0, 1)->unstable == shift, "shift %d: cell unstable %d",
			  shift, nb_table_cell(&t, 0, 1)->unstable);
		nb_table_free(&t);
		nb_rs_free(&rs);
	}
}

TEST(gate_correction_controls_many_cells)
{
	struct pair p;
	struct nb_compare_opts o;
	const double pv[] = { 0.001, 0.02, 0.03, 0.04 };
	double adj[4];

	/* Holm keeps only what survives alpha / m, m / (m - 1) ...; none keeps all four. */
	CHECK(nb_p_adjust(pv, 4, NB_PADJ_HOLM, adj, NULL) == 0);
	CHECK(adj[0] < 0.05 && adj[1] >= 0.05);
	/* On documents: a 40-cell A/A pair has no regression under Holm. */
	CHECK_MSG(pair_of(&p, 40, 12, 0.02, 1.0, 9) == 0, "%s", p.err);
	CHECK_EQ_U64(p.c.n_regressions, 0);
	CHECK_EQ_U64(p.c.m, 40);
	for (size_t i = 0; i < p.c.n_rows; i++)
		CHECK(p.c.rows[i].g.p_adj >= p.c.rows[i].g.mwu.p);
	done(&p);
	nb_compare_opts_default(&o);
	CHECK(o.g.correction == NB_PADJ_HOLM);
}

TEST(gate_geomean_is_direction_aware)
{
	struct pair p;
	struct nb_rng g;
	cJSON *b = doc_new(SHA), *nw = doc_new(SHA);
	cJSON *tb = tier_add(b, "L1", 1, KVM), *tn = tier_add(nw, "L1", 1, KVM);
	const struct nb_compare_row *r;

	/* Every workload 10 % worse: times up 10 %, the throughput down 10 %.  benchstat's
	 * mean of new/old would mix them; here both count as worse. */
	nb_rng_seed(&g, 10);
	case_add(tb, "t", 0, 100, 0.001, 20, 1, &g);
	case_add(tn, "t", 0, 110, 0.001, 20, 1, &g);
	case_add(tb, "bw", 1, 1000, 0.001, 20, 1, &g);
	case_add(tn, "bw", 1, 1000 / 1.1, 0.001, 20, 1, &g);
	CHECK_MSG(run(&p, b, nw, NULL) == 0, "%s", p.err);
	CHECK_EQ_U64(p.c.n_geo, 1);
	CHECK_NEAR(p.c.geo[0].worse, 0.10, 0.005);
	CHECK((r = row(&p, "L1", "bw")) && r->g.dec == NB_D_REGRESSION);
	CHECK_NEAR(r->g.worse, 1 - 1 / 1.1, 0.005);
	done(&p);
}

TEST(gate_flags_a_regime_shift_in_measurement_order)
{
	struct pair p;
	struct nb_rng g;
	cJSON *b = doc_new(SHA), *nw = doc_new(SHA);
	cJSON *tb = tier_add(b, "L1", 1, KVM), *tn = tier_add(nw, "L1", 1, KVM);
	const struct nb_compare_row *r;

	nb_rng_seed(&g, 11);
	case_add(tb, "w", 0, 100, 0.005, 30, 1, &g);
	case_add(tn, "w", 0, 100, 0.005, 30, 1.08, &g);  /* +8 % from sample 15 on */
	CHECK_MSG(run(&p, b, nw, NULL) == 0, "%s", p.err);
	r = row(&p, "L1", "w");
	CHECK(!r->old_f.shift && !r->old_f.drift);
	CHECK(r->new_f.shift);
	CHECK_EQ_U64(r->new_f.s.split, 15);
	CHECK_EQ_U64(p.c.n_flagged, 1);
	done(&p);
}

/* ---- honest intervals --------------------------------------------------------------- */

#include "../../analysis/report_text.h"

TEST(intervals_print_as_they_are)
{
	struct nb_ratio_ci r = { 0 };
	char buf[NB_NUM * 3];

	/* The example: +448.9 ± 490.7 hid [+39.6, +939.5]; asymmetric is shown. */
	r.point = 0.166;
	r.lo = 0.125;
	r.hi = 0.380;
	nb_fmt_ratio_ci(&r, buf, sizeof(buf));
	CHECK_STR(buf, "+16.6 [+12.5, +38.0]");
	/* From 2x on as a ratio, never +544501 %. */
	r.point = 5445;
	r.lo = 5299;
	r.hi = 5599;
	nb_fmt_ratio_ci(&r, buf, sizeof(buf));
	CHECK_STR(buf, "×5446 [×5300, ×5600]");
	r.point = 4.489;
	r.lo = 0.396;
	r.hi = 9.395;
	nb_fmt_ratio_ci(&r, buf, sizeof(buf));
	CHECK_STR(buf, "×5.49 [×1.40, ×10.4]");
	nb_fmt_ratio(-0.5, buf, sizeof(buf));
	CHECK_STR(buf, "-50.0");
	nb_fmt_ratio(1.0, buf, sizeof(buf));
	CHECK_STR(buf, "×2.00");
}

/* Every sample of the tier's last case gets interference {other_busy_pct: busy}. */
static void set_busy(cJSON *tier, double busy)
{
	cJSON *cases = cJSON_GetObjectItem(tier, "cases"), *c = cJSON_GetArrayItem(cases,
		cJSON_GetArraySize(cases) - 1), *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItem(c, "samples")) {
		cJSON *i = cJSON_AddObjectToObject(s, "interference");

		cJSON_AddNumberToObject(i, "steal_pct", 0);
		cJSON_AddNumberToObject(i, "other_busy_pct", busy);
	}
}

TEST(gate_busier_machine_means_environment_changed)
{
	struct pair p;
	struct nb_rng g;
	const struct nb_compare_row *r;

	for (int busier = 0; busier < 2; busier++) {
		cJSON *b = doc_new(SHA), *nw = doc_new(SHA);
		cJSON *tb = tier_add(b, "L1", 1, KVM), *tn = tier_add(nw, "L1", 1, KVM);

		nb_rng_seed(&g, 12);
		/* 30 % slower while other work took 60 % of the CPUs instead of 20 %. */
		case_add(tb, "w", 0, 100, 0.01, 20, 1, &g);
		set_busy(tb, 20);
		case_add(tn, "w", 0, 130, 0.01, 20, 1, &g);
		set_busy(tn, busier ? 60 : 22);
		CHECK_MSG(run(&p, b, nw, NULL) == 0, "%s", p.err);
		r = row(&p, "L1", "w");
		if (busier) {
			CHECK(r->g.dec == NB_D_INCONCLUSIVE && r->g.why_class == NB_WHY_SETUP);
			CHECK_MSG(strstr(r->g.why, "environment changed: other work used 20 % of the CPUs "
					 "during BASE's samples, 60 %"), "%s", r->g.why);
		} else {
			CHECK(r->g.dec == NB_D_REGRESSION);   /* 2 points more: the same machine */
		}
		done(&p);
	}
}
