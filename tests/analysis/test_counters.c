/* test_counters.c - the counter columns of the table (analysis/table_counters.c) on the
 * hand-made tests/analysis/data/counters.json, whose per-op figures are round numbers:
 * medians over samples (odd and even counts), exits/op one figure per visit with first
 * visits left out, the main exit reason, "n/a" with the reason and never 0, the
 * estimated flag, the columns chosen and their order, and the default table without
 * them.  The rendered formats: golden files in tests/cli/test_report_cli.sh. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "helpers.h"
#include "../../analysis/report_text.h"
#include "../../analysis/table.h"
#include "../../common/json.h"
#include "../../resultlib/result.h"

#include <stdlib.h>

#define COUNTERS "tests/analysis/data/counters.json"

/* The case `key` of tier `tier` in counters.json (loaded into rs). */
static const struct nb_rs_case *case_of(struct nb_resultset *rs, size_t tier, const char *key)
{
	char err[NB_ERR_LEN];

	if (!rs->n_tiers && nb_rs_add_file(rs, COUNTERS, err)) {
		printf("  %s\n", err);
		return NULL;
	}
	return tier < rs->n_tiers ? nb_rs_find_case(&rs->tiers[tier], key) : NULL;
}

/* The cell of `metric` for a case; -1 when n/a. */
static int cell_of(struct nb_resultset *rs, size_t tier, const char *key, const char *metric,
		   struct nb_ctr_cell *cell, char *why)
{
	const struct nb_rs_case *c = case_of(rs, tier, key);

	if (!c) {
		snprintf(why, NB_ERR_LEN, "no case %s on tier %zu", key, tier);
		memset(cell, 0, sizeof(*cell));
		return -2;
	}
	return nb_ctr_cell_compute(c, metric, cell, why, NB_ERR_LEN);
}

TEST(counter_median_over_samples)
{
	struct nb_resultset rs = { 0 };
	struct nb_ctr_cell cell;
	char why[NB_ERR_LEN], buf[128];

	/* IPC 2.0, 2.2, 2.0: the median of the samples' own ratios, not of the sums. */
	CHECK_MSG(cell_of(&rs, 0, "cpu.int", "ipc", &cell, why) == 0, "%s", why);
	CHECK(cell.state == NB_CELL_OK && cell.n == 3 && cell.n_na == 0);
	CHECK_NEAR(cell.median, 2.0, 1e-12);
	CHECK(!cell.estimated && cell.reason == NULL && !cell.first_visits);
	/* 2.0, 0.909, 1.0 misses per 1000 instructions; one count was multiplexed. */
	CHECK(cell_of(&rs, 0, "cpu.int", "dTLB-load-misses_pki", &cell, why) == 0);
	CHECK_NEAR(cell.median, 1.0, 1e-12);
	CHECK(cell.estimated);
	CHECK_STR(nb_ctr_cell_text(&cell, buf, sizeof(buf)), "1 (est.)");
	/* 500, 500, 510 faults over 500 operations. */
	CHECK(cell_of(&rs, 0, "pf.anon", "faults_per_op", &cell, why) == 0);
	CHECK_NEAR(cell.median, 1.0, 1e-12);
	/* An even count: 0 and 2/500, the sample perf did not schedule left out (not 0). */
	CHECK(cell_of(&rs, 1, "pf.anon", "cs_per_op", &cell, why) == 0);
	CHECK(cell.n == 2 && cell.n_na == 1);
	CHECK_NEAR(cell.median, 0.002, 1e-15);
	/* A true zero stays a zero. */
	CHECK(cell_of(&rs, 0, "cpu.int", "faults_per_op", &cell, why) == 0);
	CHECK(cell.median == 0 && cell.n == 3);
	CHECK_STR(nb_ctr_cell_text(&cell, buf, sizeof(buf)), "0");
	nb_rs_free(&rs);
}

TEST(counter_exits_per_visit_with_main_reason)
{
	struct nb_resultset rs = { 0 };
	struct nb_ctr_cell cell;
	char why[NB_ERR_LEN], buf[128];

	/* Visits 2 and 3: 10420 and 10440 exits over 10000 ops; visit 1 (20900 over 20000,
	 * calibration included) is left out.  CPUID: 10042 in each, the 42 of the start. */
	CHECK_MSG(cell_of(&rs, 1, "exit.cpuid", "exits_per_op", &cell, why) == 0, "%s", why);
	CHECK(cell.n == 2 && cell.n_na == 0 && !cell.first_visits);
	CHECK_NEAR(cell.median, 1.043, 1e-12);
	CHECK_STR(cell.reason, "CPUID");
	CHECK_NEAR(cell.reason_median, 1.0042, 1e-12);
	CHECK_STR(nb_ctr_cell_text(&cell, buf, sizeof(buf)), "1.043 (CPUID 1.004)");
	/* Visit 2 ran two repetitions: its one count enters once.  Visits: 1.0 and 2.0
	 * (three figures 1, 1, 2 would give 1).  npf has the most exits: 0.8 and 1.2. */
	CHECK(cell_of(&rs, 2, "pf.anon", "exits_per_op", &cell, why) == 0);
	CHECK(cell.n == 2);
	CHECK_NEAR(cell.median, 1.5, 1e-12);
	CHECK_STR(cell.reason, "npf");
	CHECK_NEAR(cell.reason_median, 1.0, 1e-12);
	/* The per-reason metric on its own, as derived.c names it. */
	CHECK(cell_of(&rs, 2, "pf.anon", "exits_per_op[interrupt]", &cell, why) == 0);
	CHECK_NEAR(cell.median, 0.5, 1e-12);          /* 0.2 and 0.8 */
	CHECK(cell.reason == NULL);
	/* One visit of three samples, a first visit: used, and said so. */
	CHECK(cell_of(&rs, 1, "mem.lat size=64M", "exits_per_op", &cell, why) == 0);
	CHECK(cell.n == 1 && cell.first_visits);
	CHECK_NEAR(cell.median, 0.001, 1e-15);
	CHECK_STR(cell.reason, "EPT_VIOLATION");
	nb_rs_free(&rs);
}

TEST(counter_na_has_its_reason_never_a_zero)
{
	struct nb_resultset rs = { 0 };
	struct nb_ctr_cell cell;
	char why[NB_ERR_LEN];

	CHECK(cell_of(&rs, 2, "cpu.int", "ipc", &cell, why) == -1);
	CHECK(cell.state == NB_CELL_NA && cell.n == 0 && cell.n_na == 3);
	CHECK(isnan(cell.median));
	CHECK_MSG(strstr(why, "cycles unsupported on this tier") && strstr(why, "no PMU exposed"), "%s", why);
	CHECK(cell_of(&rs, 2, "cpu.int", "dTLB-load-misses_pki", &cell, why) == -1);
	CHECK(strstr(why, "dTLB-load-misses unsupported"));
	CHECK(cell_of(&rs, 2, "cpu.int", "exits_per_op", &cell, why) == -1);
	CHECK_MSG(strstr(why, "no exit total: kvm:kvm_exit did not fire"), "%s", why);
	CHECK(isnan(cell.median) && cell.reason == NULL);
	CHECK(cell_of(&rs, 2, "ctl.syscall", "exits_per_op", &cell, why) == -1);
	CHECK(strstr(why, "no process on this tier has a KVM VM open"));
	CHECK(cell_of(&rs, 0, "ctl.syscall", "faults_per_op", &cell, why) == -1);
	CHECK(strstr(why, "page-faults was not counted"));
	CHECK(cell_of(&rs, 0, "cpu.int", "exits_per_op", &cell, why) == -1);
	CHECK(strstr(why, "count_exits"));
	nb_rs_free(&rs);
}

static const struct nb_ctr_cell *ctr_at(const struct nb_table *t, const char *key, const char *label)
{
	long r = nbt_row_of(t, key);

	for (size_t c = 0; r >= 0 && c < t->n_ctr_cols; c++)
		if (strcmp(t->ctr_cols[c].label, label) == 0)
			return nb_table_ctr_cell(t, (size_t)r, c);
	return NULL;
}

static int build(struct nb_table *t, struct nb_resultset *rs, const char *path, int counters)
{
	struct nb_table_opts o;
	char err[NB_ERR_LEN];

	nb_table_opts_default(&o);
	o.resamples = 200;
	o.counters = counters;
	if (nb_rs_add_file(rs, path, err) || nb_table_build(t, rs, &o, err)) {
		printf("  %s\n", err);
		return -1;
	}
	return 0;
}

TEST(table_counter_columns)
{
	static const char *const want[] = {
		"KVM L1 exits/op", "KVM L2 exits/op", "bare metal L0 IPC", "KVM L1 IPC", "KVM L2 IPC",
		"bare metal L0 dTLB-load-misses per 1k instr", "KVM L1 dTLB-load-misses per 1k instr",
		"KVM L2 dTLB-load-misses per 1k instr", "bare metal L0 faults/op", "KVM L1 faults/op",
		"KVM L2 faults/op", "bare metal L0 ctx switches/op", "KVM L1 ctx switches/op",
	};
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	const struct nb_ctr_cell *cell;
	long main_note;
	int method = 0;

	CHECK(build(&t, &rs, COUNTERS, 1) == 0);
	/* Metric by metric, a column per tier that has its inputs (L2 counted no
	 * context switches), exits first. */
	CHECK_EQ_U64(t.n_ctr_cols, sizeof(want) / sizeof(want[0]));
	for (size_t c = 0; c < t.n_ctr_cols; c++)
		CHECK_STR(t.ctr_cols[c].label, want[c]);
	CHECK(t.ctr_cols[0].with_reason && !t.ctr_cols[2].with_reason);
	CHECK_STR(t.ctr_cols[1].metric, "exits_per_op");
	CHECK_STR(t.ctr_cols[1].title, "exits/op");
	cell = ctr_at(&t, "exit.cpuid", "KVM L2 exits/op");
	CHECK(cell && cell->state == NB_CELL_OK && cell->note == 0);
	CHECK_NEAR(cell->median, 1.35, 1e-12);        /* 1.3 and 1.4: visits 2 and 3 */
	CHECK_STR(cell->reason, "cpuid");
	/* The workload that L2's campaign did not have. */
	cell = ctr_at(&t, "mem.lat size=64M", "KVM L2 faults/op");
	CHECK(cell && cell->state == NB_CELL_ABSENT);
	/* A skipped case: the same footnote as its overhead cell. */
	cell = ctr_at(&t, "exit.pio", "KVM L1 exits/op");
	main_note = (long)nb_table_cell(&t, (size_t)nbt_row_of(&t, "exit.pio"), 1)->note;
	CHECK(cell && cell->state == NB_CELL_NA && main_note > 0 && (long)cell->note == main_note);
	/* Unsupported: n/a with a footnote quoting the tier, one footnote per reason. */
	cell = ctr_at(&t, "cpu.int", "KVM L1 IPC");
	CHECK(cell && cell->state == NB_CELL_NA && cell->note > 0);
	CHECK(strstr(t.notes[cell->note - 1], "cycles unsupported on this tier: not supported here"));
	CHECK(ctr_at(&t, "cpu.int", "KVM L2 IPC")->note == cell->note);
	/* A figure from first visits only carries a footnote too. */
	cell = ctr_at(&t, "mem.lat size=64M", "KVM L1 exits/op");
	CHECK(cell && cell->state == NB_CELL_OK && cell->first_visits && cell->note > 0);
	CHECK(strstr(t.notes[cell->note - 1], "first visits only"));
	for (size_t i = 0; i < t.n_remarks; i++)
		method |= t.remarks[i].kind == NB_REM_COUNTERS && strstr(t.remarks[i].text, "fixed cost per visit") &&
			  strstr(t.remarks[i].text, "(est.)");
	CHECK(method);
	nb_table_free(&t);
	nb_rs_free(&rs);
}

/* A tier whose exits were counted while it was measured says so next to its nature:
 * counting makes each exit dearer.  L0 was not counted. */
TEST(table_says_which_tiers_were_counted_while_measured)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	int l1 = 0, l2 = 0, l0 = 0;

	CHECK(build(&t, &rs, COUNTERS, 0) == 0);
	for (size_t i = 0; i < t.n_remarks; i++) {
		const char *x = t.remarks[i].text;
		if (t.remarks[i].kind != NB_REM_ENV)
			continue;
		int counted = strstr(x, "its VM exits were counted by ") && strstr(x, "makes each exit dearer");
		if (strstr(x, "tier L0 of F1"))
			l0 = !counted;
		if (strstr(x, "tier L1 of F1"))
			l1 = counted && strstr(x, "counted by L0 while it was measured");
		if (strstr(x, "tier L2 of F1"))
			l2 = counted && strstr(x, "counted by L1 while it was measured");
	}
	CHECK(l0 && l1 && l2);
	nb_table_free(&t);
	nb_rs_free(&rs);
}

/* Exits counted in visits of their own ("visits": "own") left the timed visits alone:
 * no caveat for that tier; "timed" keeps it. */
TEST(table_no_caveat_for_exits_counted_in_their_own_visits)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	char err[NB_ERR_LEN];
	cJSON *doc = nb_result_load(COUNTERS, err);
	const cJSON *tier;
	int l1 = -1, l2 = -1;

	CHECK_MSG(doc, "%s", err);
	cJSON_ArrayForEach(tier, cJSON_GetObjectItemCaseSensitive(doc, "tiers")) {
		cJSON *x = cJSON_GetObjectItemCaseSensitive(tier, "exits");
		const char *name = nb_json_str(tier, "name", "");
		if (x)
			cJSON_AddStringToObject(x, "visits", strcmp(name, "L2") == 0 ? "own" : "timed");
	}
	struct nb_table_opts o;
	nb_table_opts_default(&o);
	o.resamples = 200;
	CHECK_MSG(nb_rs_add_doc(&rs, "F1", doc, err) == 0 && nb_table_build(&t, &rs, &o, err) == 0, "%s", err);
	for (size_t i = 0; i < t.n_remarks; i++) {
		const char *x = t.remarks[i].text;
		if (t.remarks[i].kind != NB_REM_ENV)
			continue;
		int counted = strstr(x, "while it was measured") != NULL;
		if (strstr(x, "tier L1 of"))
			l1 = counted;
		if (strstr(x, "tier L2 of"))
			l2 = counted;
	}
	CHECK_MSG(l1 == 1 && l2 == 0, "L1 caveat %d, L2 caveat %d", l1, l2);
	nb_table_free(&t);
	nb_rs_free(&rs);
	cJSON_Delete(doc);
}

TEST(table_without_counters_is_unchanged)
{
	struct nb_resultset rs = { 0 }, rs2 = { 0 };
	struct nb_table t, t2;

	/* Default: no counter columns, no counter footnotes. */
	CHECK(build(&t, &rs, COUNTERS, 0) == 0);
	CHECK(t.n_ctr_cols == 0 && t.ctr_cells == NULL);
	for (size_t i = 0; i < t.n_remarks; i++)
		CHECK(t.remarks[i].kind != NB_REM_COUNTERS);
	/* With them, the overhead cells and their notes keep their numbers. */
	CHECK(build(&t2, &rs2, COUNTERS, 1) == 0);
	CHECK(t2.n_cols == t.n_cols && t2.n_rows == t.n_rows && t2.n_notes > t.n_notes);
	for (size_t i = 0; i < t.n_notes; i++)
		CHECK_STR(t2.notes[i], t.notes[i]);
	for (size_t i = 0; i < t.n_rows * t.n_cols; i++)
		CHECK(t2.cells[i].state == t.cells[i].state && t2.cells[i].note == t.cells[i].note &&
		      t2.cells[i].r.point == t.cells[i].r.point);
	nb_table_free(&t);
	nb_table_free(&t2);
	nb_rs_free(&rs);
	nb_rs_free(&rs2);

	/* Files without any counter: no columns, a remark that says so. */
	CHECK(build(&t, &rs, "tests/analysis/data/compare-base.json", 1) == 0);
	CHECK(t.n_ctr_cols == 0);
	CHECK(t.n_remarks > 0 && t.remarks[t.n_remarks - 1].kind == NB_REM_COUNTERS &&
	      strstr(t.remarks[t.n_remarks - 1].text, "none"));
	nb_table_free(&t);
	nb_rs_free(&rs);
}

TEST(counter_figures_are_printed_without_trailing_zeros)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0.006, "0.006" }, { 1.0, "1" }, { 2.2828, "2.283" }, { 129.125, "129.1" },
		{ 12000, "12000" }, { 0.00046, "0.00046" }, { 0, "0" }, { NAN, "n/a" },
	};
	char buf[NB_NUM];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nb_fmt_count(cases[i].v, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].want);
	}
}
