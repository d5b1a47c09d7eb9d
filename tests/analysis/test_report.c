/* test_report.c - the report model on hand-made result files with known answers
 * (tests/analysis/data/, written so that every median is a round number): the reader,
 * the overhead table (signs for both metric kinds, grouping, steps, matching across
 * files, n/a cells and their notes, the summary means), compare's verdicts, and the
 * text helpers.  The rendered formats are checked against golden files by
 * tests/cli/test_report_cli.sh. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "helpers.h"
#include "../../analysis/compare.h"
#include "../../analysis/report_text.h"
#include "../../analysis/resultset.h"
#include "../../analysis/table.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#define DATA "tests/analysis/data/"

/* ---- helpers ------------------------------------------------------------------------ */

static int load(struct nb_resultset *rs, const char *name)
{
	char path[256], err[NB_ERR_LEN];

	snprintf(path, sizeof(path), DATA "%s.json", name);
	if (nb_rs_add_file(rs, path, err)) {
		printf("  load %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static int add_text(struct nb_resultset *rs, const char *json, char err[NB_ERR_LEN])
{
	cJSON *doc = cJSON_Parse(json);
	int rc;

	if (!doc) {
		return nb_err(err, "test JSON does not parse");
	}
	rc = nb_rs_add_doc(rs, "inline.json", doc, err);
	cJSON_Delete(doc);
	return rc;
}

static long col_of(const struct nb_table *t, const char *label)
{
	for (size_t c = 0; c < t->n_cols; c++)
		if (strcmp(t->cols[c].label, label) == 0)
			return (long)c;
	return -1;
}

static const struct nb_table_cell *cell_at(const struct nb_table *t, const char *key,
					   const char *label)
{
	long r = nbt_row_of(t, key), c = col_of(t, label);

	return r < 0 || c < 0 ? NULL : nb_table_cell(t, (size_t)r, (size_t)c);
}

static int has_remark(const struct nb_table *t, enum nb_remark_kind kind, const char *text)
{
	for (size_t i = 0; i < t->n_remarks; i++)
		if (t->remarks[i].kind == kind && strstr(t->remarks[i].text, text))
			return 1;
	return 0;
}

static int build_default(struct nb_table *t, const struct nb_resultset *rs, const char *baseline,
			 char err[NB_ERR_LEN])
{
	struct nb_table_opts o;

	nb_table_opts_default(&o);
	o.baseline = baseline;
	o.resamples = 500;   /* enough for the checks, fast under the sanitizers */
	return nb_table_build(t, rs, &o, err);
}

/* A one-tier-pair document: L0 and L1 with one case each, values given as JSON arrays. */
static void pair_doc(char *buf, size_t len, const char *unit, const char *better,
		     const char *l0, const char *l1)
{
	snprintf(buf, len,
		 "{\"schema\":\"nestbench-result\",\"schema_version\":1,"
		 "\"campaign\":{\"name\":\"pair\",\"seed\":3},\"started_utc\":\"2026-01-01T00:00:00Z\","
		 "\"nestbench\":{\"work_sha256\":\"cc\"},\"tiers\":["
		 "{\"name\":\"L0\",\"level\":0,\"nature\":\"bare metal (no hypervisor bit)\",\"status\":\"done\","
		 "\"cases\":[{\"key\":\"w.x\",\"workload\":\"w.x\",\"family\":\"mem\",\"unit\":\"%s\","
		 "\"better\":\"%s\",\"status\":\"done\",\"samples\":%s}]},"
		 "{\"name\":\"L1\",\"level\":1,\"hypervisor_label\":\"kvm\",\"status\":\"done\","
		 "\"cases\":[{\"key\":\"w.x\",\"workload\":\"w.x\",\"family\":\"mem\",\"unit\":\"%s\","
		 "\"better\":\"%s\",\"status\":\"done\",\"samples\":%s}]}]}",
		 unit, better, l0, unit, better, l1);
}

/* ---- the reader --------------------------------------------------------------------- */

TEST(reader_loads_tiers_cases_and_environment)
{
	struct nb_resultset rs = { 0 };
	const struct nb_rs_case *c;

	CHECK(load(&rs, "kvm") == 0);
	CHECK_EQ_U64(rs.n_files, 1);
	CHECK_EQ_U64(rs.n_tiers, 4);
	CHECK_STR(rs.files[0].campaign, "kvm-host");
	CHECK(rs.files[0].has_seed && rs.files[0].seed == 42);
	CHECK_EQ_U64(strlen(rs.files[0].work_sha256), 64);
	CHECK(rs.tiers[0].env.bare_metal);
	CHECK_STR(rs.tiers[0].env.hypervisor, "bare metal");
	CHECK_STR(rs.tiers[1].env.hypervisor, "KVM");           /* the label "kvm", normalised */
	CHECK_STR(rs.tiers[1].env.kernel, "6.1.0-13-amd64");
	CHECK_STR(rs.tiers[2].env.cpu, "Intel Xeon Processor (Skylake)");
	CHECK(rs.tiers[2].env.vcpus == 2);
	CHECK_STR(rs.tiers[2].via, "L1");
	CHECK_EQ_U64(rs.tiers[3].n_cases, 0);
	CHECK_STR(rs.tiers[3].status, "unreachable");
	CHECK(rs.tiers[3].error && strstr(rs.tiers[3].error, "timed out"));
	CHECK_STR(rs.tiers[3].env.nature, "unknown (no sysinfo recorded)");

	c = nb_rs_find_case(&rs.tiers[0], "mem.bw.copy thp=0");
	CHECK(c && c->better == NB_STATS_HIGHER_BETTER && c->n == 7);
	CHECK_STR(c->unit, "MB/s");
	CHECK_NEAR(c->values[3], 1000, 0);
	c = nb_rs_find_case(&rs.tiers[0], "mem.lat size=16K stride=64 thp=0");
	CHECK(c && c->better == NB_STATS_LOWER_BETTER);
	CHECK_STR(nb_rs_param(c, "size"), "16K");
	CHECK(nb_rs_param(c, "dir") == NULL);
	c = nb_rs_find_case(&rs.tiers[1], "exit.pio port=0x80");
	CHECK(c && c->n == 0);
	CHECK_STR(c->status, "skipped");
	CHECK(c->reason && strstr(c->reason, "ioperm"));
	c = nb_rs_find_case(&rs.tiers[2], "io.fsync bs=4K direct=1 size=64M");
	CHECK(c && strcmp(c->status, "failed") == 0 && c->reason && strstr(c->reason, "Input/output"));
	CHECK(nb_rs_find_case(&rs.tiers[0], "no.such") == NULL);
	nb_rs_free(&rs);
}

TEST(reader_keeps_unsupported_counters_as_unsupported)
{
	struct nb_resultset rs = { 0 };
	const struct nb_rs_case *c;
	const struct nb_derive_in *in;
	char err[NB_ERR_LEN] = "";

	CHECK(load(&rs, "kvm") == 0);
	c = nb_rs_find_case(&rs.tiers[1], "exit.cpuid leaf=0");
	CHECK(c && c->n == 7 && c->samples);
	for (size_t i = 0; c && i < c->n; i++) {
		in = &c->samples[i].in;
		CHECK(in->nctr == 1);
		CHECK_STR(in->ctr[0].name, "cycles");
		CHECK(in->ctr[0].state == NB_CTR_UNSUPPORTED);   /* never a zero */
		CHECK(in->ctr[0].why && strstr(in->ctr[0].why, "PMU"));
		CHECK(c->samples[i].visit == (int)i + 1);
	}
	/* Each text is stored once per case, however many samples name it. */
	CHECK(c && c->n_strs == 2 && c->samples[0].in.ctr[0].name == c->samples[6].in.ctr[0].name);
	nb_rs_free(&rs);

	/* Counted events keep their scaled values and flags; a sample that did not count is
	 * NOT_COUNTED; exits, their reasons and the visit come along, with the document's
	 * strings copied (the document is gone when they are read). */
	CHECK(add_text(&rs, "{\"tiers\":[{\"name\":\"L0\",\"level\":0,\"cases\":[{\"key\":\"k\","
		       "\"unit\":\"ns/op\",\"better\":\"lower\",\"status\":\"done\",\"samples\":["
		       "{\"value\":1,\"ops\":10,\"visit\":3,\"counters\":[{\"name\":\"cycles\",\"scaled\":100,"
		       "\"multiplexed\":true}],\"exits\":{\"visit_ops\":20,\"total\":30,\"first_visit\":true,"
		       "\"by_reason\":{\"cpuid\":25,\"hlt\":5}}},"
		       "{\"value\":2,\"counters\":[{\"name\":\"cycles\",\"scaled\":null}],"
		       "\"exits_unsupported\":\"no KVM here\"}]}]}]}",
		       err) == 0);
	c = &rs.tiers[0].cases[0];
	in = &c->samples[0].in;
	CHECK(c->n == 2 && in->nctr == 1 && in->ctr[0].state == NB_CTR_COUNTED);
	CHECK_NEAR(in->ctr[0].value, 100, 0);
	CHECK(in->ctr[0].multiplexed && in->ops == 10 && c->samples[0].visit == 3);
	CHECK(in->exits_state == NB_EXITS_COUNTED && in->exits == 30 && in->exits_ops == 20);
	CHECK(in->exits_first_visit && in->exits_reasons && in->nreasons == 2);
	CHECK_STR(in->reasons[0].name, "cpuid");
	CHECK_NEAR(in->reasons[1].count, 5, 0);
	in = &c->samples[1].in;
	CHECK(in->nctr == 1 && in->ctr[0].state == NB_CTR_NOT_COUNTED && c->samples[1].visit == 0);
	CHECK(in->exits_state == NB_EXITS_UNKNOWN && !in->exits_reasons);
	CHECK_STR(in->exits_why, "no KVM here");
	nb_rs_free(&rs);
}

TEST(reader_names_hypervisors_from_label_or_nature)
{
	struct nb_resultset rs = { 0 };
	char err[NB_ERR_LEN] = "";

	CHECK(add_text(&rs, "{\"tiers\":["
		       "{\"name\":\"a\",\"level\":1,\"hypervisor_label\":\"hyperv\"},"
		       "{\"name\":\"b\",\"level\":1,\"nature\":\"VMware guest (signature VMwareVMware)\"},"
		       "{\"name\":\"c\",\"level\":1,\"nature\":\"QEMU TCG guest (signature TCGTCGTCGTCG), accelerator tcg\"},"
		       "{\"name\":\"d\",\"level\":1,\"nature\":\"guest of an unknown hypervisor (signature \\\"xx\\\")\"},"
		       "{\"name\":\"e\",\"level\":1,\"hypervisor_label\":\"my-hv\"}]}", err) == 0);
	CHECK_STR(rs.tiers[0].env.hypervisor, "Hyper-V");
	CHECK_STR(rs.tiers[1].env.hypervisor, "VMware");
	CHECK_STR(rs.tiers[2].env.hypervisor, "QEMU TCG");
	CHECK_STR(rs.tiers[2].env.accelerator, "tcg");
	CHECK_STR(rs.tiers[3].env.hypervisor, "unknown hypervisor");
	CHECK_STR(rs.tiers[4].env.hypervisor, "my-hv");
	CHECK(rs.tiers[4].env.vcpus == -1 && rs.tiers[4].env.kernel == NULL);
	nb_rs_free(&rs);
}

TEST(reader_refuses_other_schemas_and_damaged_files)
{
	struct nb_resultset rs = { 0 };
	char err[NB_ERR_LEN] = "";

	CHECK(nb_rs_add_file(&rs, DATA "other-version.json", err) == -1);
	CHECK_MSG(strstr(err, "schema version 99") && strstr(err, "versions 1 to 2"), "%s", err);
	CHECK(nb_rs_add_file(&rs, DATA "not-json.json", err) == -1);
	CHECK_MSG(strstr(err, "not JSON"), "%s", err);
	CHECK(nb_rs_add_file(&rs, DATA "missing.json", err) == -1);
	CHECK_MSG(strstr(err, "cannot open") && strstr(err, "missing.json"), "%s", err);
	CHECK(add_text(&rs, "{\"tiers\":[{\"name\":\"L0\",\"level\":0,\"cases\":[{\"key\":\"k\","
		       "\"unit\":\"ns/op\",\"better\":\"faster\"}]}]}", err) == -1);
	CHECK_MSG(strstr(err, "better"), "%s", err);
	nb_rs_free(&rs);
}

TEST(reader_resolves_baseline_names)
{
	struct nb_resultset rs = { 0 };
	char err[NB_ERR_LEN] = "";

	CHECK(load(&rs, "kvm") == 0 && load(&rs, "hyperv") == 0);
	CHECK(nb_rs_find_tier(&rs, "L0", err) == 0);
	CHECK(nb_rs_find_tier(&rs, "hyperv.json:L1", err) == 4);
	CHECK(nb_rs_find_tier(&rs, DATA "kvm.json:L2", err) == 2);
	CHECK(nb_rs_find_tier(&rs, "L1", err) == -1);
	CHECK_MSG(strstr(err, "several files") && strstr(err, "hyperv.json:L1"), "%s", err);
	CHECK(nb_rs_find_tier(&rs, "L7", err) == -1);
	CHECK_MSG(strstr(err, "no tier \"L7\"") && strstr(err, "kvm.json:L0"), "%s", err);
	CHECK(nb_rs_find_tier(&rs, "other.json:L0", err) == -1);
	nb_rs_free(&rs);
}

/* ---- the table ---------------------------------------------------------------------- */

TEST(table_columns_rows_and_known_overheads)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	const struct nb_table_cell *c;
	char err[NB_ERR_LEN] = "";
	static const char *const families[] = { "cpu", "mem", "mem", "mem", "pf", "io", "exit",
						 "exit", "ctl" };

	CHECK(load(&rs, "kvm") == 0);
	CHECK_MSG(build_default(&t, &rs, NULL, err) == 0, "%s", err);
	CHECK_EQ_U64(t.n_cols, 4);
	CHECK_STR(t.cols[0].label, "bare metal L0");
	CHECK(t.cols[0].kind == NB_COL_BASELINE);
	CHECK_STR(t.cols[1].label, "KVM L1");
	CHECK_STR(t.cols[2].label, "KVM L2");
	CHECK_STR(t.cols[3].label, "KVM L2/L1");
	CHECK(t.cols[3].kind == NB_COL_STEP && t.cols[3].ref == 1);
	CHECK_EQ_U64(t.n_rows, 9);
	for (size_t r = 0; r < t.n_rows; r++)
		CHECK_STR(t.rows[r].family, families[r]);
	/* Time: t/b - 1.  11 over 10, 13.2 over 10, 13.2 over 11. */
	CHECK((c = cell_at(&t, "cpu.int", "KVM L1")) && c->state == NB_CELL_OK);
	CHECK_NEAR(c->r.point, 0.10, 1e-12);
	CHECK(c->r.lo < c->r.point && c->r.point < c->r.hi && !c->r.few_samples);
	CHECK_NEAR(cell_at(&t, "cpu.int", "KVM L2")->r.point, 0.32, 1e-12);
	CHECK_NEAR(cell_at(&t, "cpu.int", "KVM L2/L1")->r.point, 0.20, 1e-12);
	/* Throughput: b/t - 1, so fewer MB/s is a positive (slower) overhead too. */
	CHECK_NEAR(cell_at(&t, "mem.bw.copy thp=0", "KVM L1")->r.point, 0.25, 1e-12);
	CHECK_NEAR(cell_at(&t, "mem.bw.copy thp=0", "KVM L2")->r.point, 1.00, 1e-12);
	CHECK_NEAR(cell_at(&t, "mem.bw.copy thp=0", "KVM L2/L1")->r.point, 0.60, 1e-12);
	CHECK_NEAR(cell_at(&t, "exit.cpuid leaf=0", "KVM L2")->r.point, 199, 1e-9);
	/* The baseline column holds the median itself. */
	c = cell_at(&t, "mem.bw.copy thp=0", "bare metal L0");
	CHECK(c->state == NB_CELL_OK && c->r.median_b == 1000 && c->r.n_b == 7);
	/* Three samples cannot give a 95 % interval: marked, still computed. */
	c = cell_at(&t, "pf.anon cold_wait_ms=3000 regime=warm", "KVM L1");
	CHECK(c->state == NB_CELL_OK && c->r.few_samples);
	CHECK_NEAR(c->r.point, 0.20, 1e-12);
	CHECK(has_remark(&t, NB_REM_FEW, "pf.anon cold_wait_ms=3000 regime=warm (n = 3 vs 3)"));
	nb_table_free(&t);
	nb_rs_free(&rs);
}

TEST(table_na_cells_have_notes_never_numbers)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	const struct nb_table_cell *c;
	char err[NB_ERR_LEN] = "";

	CHECK(load(&rs, "kvm") == 0);
	CHECK(build_default(&t, &rs, NULL, err) == 0);
	c = cell_at(&t, "exit.pio port=0x80", "bare metal L0");
	CHECK(c->state == NB_CELL_NA && c->note >= 1);
	CHECK_MSG(strstr(t.notes[c->note - 1], "on the baseline bare metal L0: skipped: ioperm"), "%s",
		  t.notes[c->note - 1]);
	c = cell_at(&t, "exit.pio port=0x80", "KVM L1");
	CHECK(c->state == NB_CELL_NA && strstr(t.notes[c->note - 1], "on KVM L1: skipped"));
	c = cell_at(&t, "io.fsync bs=4K direct=1 size=64M", "KVM L2");
	CHECK(c->state == NB_CELL_NA && strstr(t.notes[c->note - 1], "on KVM L2: failed: nestbench-work"));
	/* The step over a failed L2 is n/a with the same note, not a made-up figure. */
	CHECK(cell_at(&t, "io.fsync bs=4K direct=1 size=64M", "KVM L2/L1")->note == c->note);
	CHECK(cell_at(&t, "io.fsync bs=4K direct=1 size=64M", "KVM L1")->state == NB_CELL_OK);
	CHECK(has_remark(&t, NB_REM_TIER, "Tier L3 of F1 has no measured cases (status unreachable"));

	/* Rendered: "n/a [k]" in every format, the note's text below the table. */
	char *md = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&md, &len);
	CHECK(nb_table_write(&t, NB_FMT_MD, m, err) == 0);
	fclose(m);
	CHECK_MSG(strstr(md, "| exit.pio port=0x80 | ns/op | n/a [2] | n/a [3] | n/a [4] | n/a [4] |"),
		  "%s", md);
	CHECK(strstr(md, "- [2] exit.pio port=0x80 on the baseline bare metal L0: skipped"));
	free(md);
	nb_table_free(&t);
	nb_rs_free(&rs);
}

TEST(table_overhead_signs_for_both_metric_kinds)
{
	/* Positive always means slower: time halves -50 %, doubles +100 %; throughput
	 * doubles 100 / 200 - 1 = -50 %, halves +100 %. */
	static const struct {
		const char *unit, *better, *l0, *l1;
		double want;
	} cases[] = {
		{ "ns/op", "lower", "[{\"value\":10},{\"value\":10}]", "[{\"value\":5},{\"value\":5}]", -0.5 },
		{ "ns/op", "lower", "[{\"value\":5}]", "[{\"value\":10}]", 1.0 },
		{ "MB/s", "higher", "[{\"value\":100}]", "[{\"value\":200}]", -0.5 },
		{ "MB/s", "higher", "[{\"value\":200}]", "[{\"value\":100}]", 1.0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nb_resultset rs = { 0 };
		struct nb_table t;
		char doc[2048], err[NB_ERR_LEN] = "";

		pair_doc(doc, sizeof(doc), cases[i].unit, cases[i].better, cases[i].l0, cases[i].l1);
		CHECK(add_text(&rs, doc, err) == 0);
		CHECK_MSG(build_default(&t, &rs, NULL, err) == 0, "%s", err);
		CHECK_NEAR(nb_table_cell(&t, 0, 1)->r.point, cases[i].want, 1e-12);
		/* One or two samples each: computed, but flagged. */
		CHECK(nb_table_cell(&t, 0, 1)->r.few_samples);
		nb_table_free(&t);
		nb_rs_free(&rs);
	}
}

TEST(table_values_that_break_a_ratio_are_na)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	char doc[2048], err[NB_ERR_LEN] = "";

	pair_doc(doc, sizeof(doc), "IOPS", "higher", "[{\"value\":100},{\"value\":90}]",
		 "[{\"value\":0},{\"value\":80}]");
	CHECK(add_text(&rs, doc, err) == 0);
	/* The only ratio cannot be computed: a user error, not a table of n/a. */
	CHECK(build_default(&t, &rs, NULL, err) == -1);
	CHECK_MSG(strstr(err, "no overhead could be computed") && strstr(err, "a ratio needs values > 0"),
		  "%s", err);
	nb_table_free(&t);
	nb_rs_free(&rs);
}

TEST(table_summary_is_the_geometric_mean)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	char err[NB_ERR_LEN] = "";
	long l1, l2;

	CHECK(load(&rs, "kvm") == 0 && build_default(&t, &rs, NULL, err) == 0);
	l1 = col_of(&t, "KVM L1");
	l2 = col_of(&t, "KVM L2");
	CHECK_EQ_U64(t.n_summary, 7);   /* six families and all workloads */
	CHECK_STR(t.summary[1].family, "mem");
	/* mem on L1: ratios 1.25, 1.0, 1.2 */
	CHECK_NEAR(t.summary[1].mean[l1], cbrt(1.25 * 1.0 * 1.2) - 1, 1e-12);
	CHECK_EQ_U64(t.summary[1].n[l1], 3);
	/* I/O on L2 failed: no mean rather than 0. */
	CHECK_STR(t.summary[3].family, "io");
	CHECK(t.summary[3].n[l2] == 0 && isnan(t.summary[3].mean[l2]));
	/* All workloads on L1: cpu 1.1, mem 1.25 1.0 1.2, pf 1.2, io 1.1, ctl 1.0; exit.cpuid
	 * (x10 over bare metal, which takes no exit) has no meaningful ratio and stays out,
	 * but keeps its family's row. */
	CHECK(t.summary[6].family == NULL);
	CHECK_EQ_U64(t.summary[6].n[l1], 7);
	CHECK_NEAR(t.summary[6].mean[l1], pow(1.1 * 1.25 * 1.0 * 1.2 * 1.2 * 1.1 * 1.0, 1.0 / 7) - 1,
		   1e-12);
	CHECK_STR(t.summary[4].family, "exit");
	CHECK_EQ_U64(t.summary[4].n[l1], 1);
	CHECK_NEAR(t.summary[4].mean[l1], 9, 1e-12);
	CHECK(nb_table_cell(&t, (size_t)nbt_row_of(&t, "exit.cpuid leaf=0"), (size_t)l1)->no_ratio);
	/* Every computed cell rests on 7 samples except pf.anon's 3: n is in the caption,
	 * and in the cells that differ. */
	CHECK_EQ_U64(t.n_common, 7);
	CHECK(!t.n_uniform);
	nb_table_free(&t);
	nb_rs_free(&rs);
}

TEST(table_matches_workloads_across_files)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	const struct nb_table_cell *c;
	char err[NB_ERR_LEN] = "";

	CHECK(load(&rs, "kvm") == 0 && load(&rs, "hyperv") == 0 && load(&rs, "tcg") == 0);
	CHECK_MSG(build_default(&t, &rs, NULL, err) == 0, "%s", err);
	CHECK_EQ_U64(t.n_cols, 8);
	CHECK(col_of(&t, "Hyper-V L1") > 0 && col_of(&t, "Hyper-V L2/L1") > 0);
	/* The L2 inside Hyper-V runs KVM, but its column is named for the platform. */
	CHECK(col_of(&t, "Hyper-V L2") > 0);
	CHECK(col_of(&t, "QEMU TCG L1") > 0);
	CHECK_NEAR(cell_at(&t, "cpu.int", "Hyper-V L1")->r.point, 0.05, 1e-12);
	CHECK_NEAR(cell_at(&t, "cpu.int", "Hyper-V L2")->r.point, 0.26, 1e-12);
	CHECK_NEAR(cell_at(&t, "mem.bw.copy thp=0", "Hyper-V L2/L1")->r.point, 0.5, 1e-12);
	/* Only Hyper-V has cpu.fp: absent elsewhere, n/a against the baseline, fine as a step. */
	CHECK(cell_at(&t, "cpu.fp elems=64", "bare metal L0")->state == NB_CELL_ABSENT);
	CHECK(cell_at(&t, "cpu.fp elems=64", "KVM L1")->state == NB_CELL_ABSENT);
	c = cell_at(&t, "cpu.fp elems=64", "Hyper-V L1");
	CHECK(c->state == NB_CELL_NA && strstr(t.notes[c->note - 1], "not measured on the baseline"));
	CHECK_NEAR(cell_at(&t, "cpu.fp elems=64", "Hyper-V L2/L1")->r.point, 0.25, 1e-12);
	CHECK(cell_at(&t, "mem.lat size=64M stride=64 thp=0", "Hyper-V L1")->state == NB_CELL_ABSENT);
	CHECK(has_remark(&t, NB_REM_WORK, "WARNING: the files ran different nestbench-work binaries"));
	CHECK(has_remark(&t, NB_REM_ENV, "QEMU TCG L1: tier L1 of F3, level 1: QEMU TCG guest "
			 "(signature TCGTCGTCGTCG), accelerator tcg; kernel"));
	CHECK(has_remark(&t, NB_REM_ABSENT, "not in that tier's campaign"));
	nb_table_free(&t);
	nb_rs_free(&rs);
}

TEST(table_baseline_from_another_file)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	char err[NB_ERR_LEN] = "";

	CHECK(load(&rs, "kvm") == 0 && load(&rs, "hyperv") == 0);
	CHECK_MSG(build_default(&t, &rs, "hyperv.json:L1", err) == 0, "%s", err);
	CHECK_STR(t.cols[0].label, "Hyper-V L1");
	/* The bare-metal tier is now a column: 10 over 10.5, faster than the baseline. */
	CHECK_NEAR(cell_at(&t, "cpu.int", "bare metal L0")->r.point, 10 / 10.5 - 1, 1e-12);
	/* Over its own file's L0 (not the baseline), KVM L1 keeps a step column. */
	CHECK(col_of(&t, "KVM L1/L0") > 0);
	CHECK_NEAR(cell_at(&t, "cpu.int", "KVM L1/L0")->r.point, 0.10, 1e-12);
	/* The baseline's own step would repeat its overhead column: none. */
	CHECK(col_of(&t, "Hyper-V L2/L1") < 0);
	CHECK(has_remark(&t, NB_REM_BASELINE, "Baseline: Hyper-V L1 = tier L1 of F2."));
	nb_table_free(&t);
	nb_rs_free(&rs);
}

TEST(table_same_names_are_told_apart)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	char err[NB_ERR_LEN] = "";

	CHECK(load(&rs, "kvm") == 0 && load(&rs, "kvm") == 0);
	/* The same file twice: even FILE:TIER is ambiguous, and says so. */
	CHECK(build_default(&t, &rs, "kvm.json:L0", err) == -1);
	CHECK_MSG(strstr(err, "several files"), "%s", err);
	nb_table_free(&t);
	CHECK_MSG(build_default(&t, &rs, NULL, err) == 0, "%s", err);
	CHECK_STR(t.cols[0].label, "bare metal L0 F1");
	CHECK(col_of(&t, "bare metal L0 F2") > 0);
	CHECK(col_of(&t, "KVM L1 F1") > 0 && col_of(&t, "KVM L1 F2") > 0);
	CHECK(col_of(&t, "KVM L2 F2/L1") > 0);
	/* The same data twice: L0 over itself is exactly 0. */
	CHECK_NEAR(cell_at(&t, "cpu.int", "bare metal L0 F2")->r.point, 0, 0);
	CHECK(has_remark(&t, NB_REM_BASELINE, "the first of several level-0 tiers"));
	nb_table_free(&t);
	nb_rs_free(&rs);
}

/* n distinct values around `mid` as a JSON samples array (a fixed scramble). */
static void spread_json(char *buf, size_t len, double mid, int n)
{
	size_t used = (size_t)snprintf(buf, len, "[");

	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s{\"value\":%.4f}", i ? "," : "",
					 mid * (1 + 0.01 * ((i * 7) % n - n / 2) / n));
	snprintf(buf + used, len - used, "]");
}

TEST(table_seed_changes_only_the_interval)
{
	struct nb_resultset rs = { 0 };
	struct nb_table a, b;
	struct nb_table_opts o;
	char l0[2048], l1[2048], doc[6144], err[NB_ERR_LEN] = "";

	spread_json(l0, sizeof(l0), 100, 40);
	spread_json(l1, sizeof(l1), 110, 40);
	pair_doc(doc, sizeof(doc), "ns/op", "lower", l0, l1);
	CHECK_MSG(add_text(&rs, doc, err) == 0, "%s", err);
	nb_table_opts_default(&o);
	o.resamples = 500;
	CHECK(nb_table_build(&a, &rs, &o, err) == 0);
	o.seed = 99;
	CHECK(nb_table_build(&b, &rs, &o, err) == 0);
	CHECK(nb_table_cell(&a, 0, 1)->r.point == nb_table_cell(&b, 0, 1)->r.point);
	CHECK(nb_table_cell(&a, 0, 1)->r.lo != nb_table_cell(&b, 0, 1)->r.lo ||
	      nb_table_cell(&a, 0, 1)->r.hi != nb_table_cell(&b, 0, 1)->r.hi);
	CHECK(has_remark(&b, NB_REM_METHOD, "seed 99"));
	nb_table_free(&a);
	nb_table_free(&b);
	nb_rs_free(&rs);
}

TEST(table_is_reproducible_and_independent_of_file_order)
{
	struct nb_resultset a = { 0 }, b = { 0 };
	struct nb_table ta, tb;
	char err[NB_ERR_LEN] = "";
	const struct nb_table_cell *x, *y;

	CHECK(load(&a, "kvm") == 0 && load(&a, "hyperv") == 0);
	CHECK(load(&b, "hyperv") == 0 && load(&b, "kvm") == 0);
	CHECK(build_default(&ta, &a, "kvm.json:L0", err) == 0);
	CHECK(build_default(&tb, &b, "kvm.json:L0", err) == 0);
	x = cell_at(&ta, "mem.bw.copy thp=0", "KVM L2");
	y = cell_at(&tb, "mem.bw.copy thp=0", "KVM L2");
	CHECK(x && y);
	CHECK(x->r.lo == y->r.lo && x->r.hi == y->r.hi);   /* bit for bit */
	nb_table_free(&ta);
	nb_table_free(&tb);
	nb_rs_free(&a);
	nb_rs_free(&b);
}

TEST(table_user_errors)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	char err[NB_ERR_LEN] = "";

	CHECK(load(&rs, "mismatch") == 0);
	CHECK(build_default(&t, &rs, NULL, err) == -1);
	CHECK_MSG(strstr(err, "no workload in common between the baseline bare metal L0"), "%s", err);
	nb_table_free(&t);
	nb_rs_free(&rs);

	CHECK(load(&rs, "empty-samples") == 0);
	CHECK(build_default(&t, &rs, NULL, err) == -1);
	CHECK_MSG(strstr(err, "has no samples") && strstr(err, "no samples (status done)"), "%s", err);
	nb_table_free(&t);
	nb_rs_free(&rs);

	CHECK(load(&rs, "hyperv") == 0);
	CHECK(build_default(&t, &rs, NULL, err) == -1);
	CHECK_MSG(strstr(err, "no level-0 tier") && strstr(err, "--baseline"), "%s", err);
	nb_table_free(&t);
	nb_rs_free(&rs);

	CHECK(load(&rs, "kvm") == 0);
	CHECK(build_default(&t, &rs, "L3", err) == -1);
	CHECK_MSG(strstr(err, "has no cases (status unreachable"), "%s", err);
	nb_table_free(&t);
	CHECK(build_default(&t, &rs, "L9", err) == -1);
	CHECK_MSG(strstr(err, "no tier \"L9\""), "%s", err);
	nb_table_free(&t);
	nb_rs_free(&rs);
}

/* ---- what every format says about a cell -------------------------------------------- */

/* Bare metal L0 and KVM L1, each with mem.x and exit.cpuid: samples given as JSON arrays. */
static void weigh_doc(char *buf, size_t len, const char *mem0, const char *mem1, const char *exit0,
		      const char *exit1)
{
	static const char *const tier =
		"{\"name\":\"L%d\",\"level\":%d,\"hypervisor_label\":\"%s\",\"status\":\"done\","
		"\"nature\":\"%s\",\"cases\":["
		"{\"key\":\"mem.x\",\"workload\":\"mem.x\",\"family\":\"mem\",\"unit\":\"ns/op\","
		"\"better\":\"lower\",\"status\":\"done\",\"samples\":%s},"
		"{\"key\":\"exit.cpuid\",\"workload\":\"exit.cpuid\",\"family\":\"exit\",\"unit\":\"ns/op\","
		"\"better\":\"lower\",\"status\":\"done\",\"samples\":%s}]}";
	size_t used = (size_t)snprintf(buf, len,
		"{\"schema\":\"nestbench-result\",\"schema_version\":1,"
		"\"campaign\":{\"name\":\"weigh\",\"seed\":3},\"started_utc\":\"2026-01-01T00:00:00Z\","
		"\"nestbench\":{\"work_sha256\":\"cc\"},\"tiers\":[");

	used += (size_t)snprintf(buf + used, len - used, tier, 0, 0, "", "bare metal (no hypervisor bit)", mem0,
				 exit0);
	used += (size_t)snprintf(buf + used, len - used, ",");
	used += (size_t)snprintf(buf + used, len - used, tier, 1, 1, "kvm", "KVM guest (signature KVMKVMKVM)",
				 mem1, exit1);
	snprintf(buf + used, len - used, "]}");
}

/* The field of CSV column `col` in the row whose key is `key` ("" when there is none);
 * the rows of these tests have no quoted field. */
static void csv_field(const char *csv, const char *key, const char *col, char *buf, size_t len)
{
	char *copy = strdup(csv), *save = NULL, *heads = strtok_r(copy, "\n", &save), *line;
	long want = -1, i = 0;
	char *f, *fsave = NULL;

	buf[0] = '\0';
	for (f = strtok_r(heads, ",", &fsave); f && want < 0; f = strtok_r(NULL, ",", &fsave), i++)
		if (strcmp(f, col) == 0)
			want = i;
	while (want >= 0 && (line = strtok_r(NULL, "\n", &save))) {
		const char *p = line;

		for (i = 0; i < 2 && (p = strchr(p, ',')); i++)
			p++;
		if (!p || strncmp(p, key, strlen(key)) != 0 || p[strlen(key)] != ',')
			continue;
		p = line;
		for (i = 0; i < want && p; i++)
			if ((p = strchr(p, ',')))
				p++;
		if (p)
			snprintf(buf, len, "%.*s", (int)strcspn(p, ",\n"), p);
		break;
	}
	free(copy);
}

static char *table_text(const struct nb_table *t, enum nb_table_format f)
{
	char *buf = NULL, err[NB_ERR_LEN];
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (nb_table_write(t, f, m, err))
		printf("  write: %s\n", err);
	fclose(m);
	return buf;
}

TEST(table_formats_carry_n_outliers_and_no_ratio)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	const struct nb_table_cell *mem, *ex;
	char m0[2048], m1[2048], e0[2048], e1[2048], doc[12288], f[64], err[NB_ERR_LEN] = "";
	char *csv, *p;
	static const char heads[] =
		"family,workload,key,unit,better,bare metal L0 median,bare metal L0 n,KVM L1 overhead %,"
		"KVM L1 ci lo %,KVM L1 ci hi %,notes,bare metal L0 outliers,KVM L1 n,KVM L1 n reference,"
		"KVM L1 outliers,KVM L1 no ratio,KVM L1 unstable\n";

	/* mem.x: 10 vs 9 samples, L1 +10 % with one sample at twice the rest (an outlier);
	 * exit.cpuid: x10 over bare metal, which takes no exit: no meaningful ratio. */
	spread_json(m0, sizeof(m0), 100, 10);
	spread_json(m1, sizeof(m1), 110, 8);
	strcpy(m1 + strlen(m1) - 1, ",{\"value\":220}]");
	spread_json(e0, sizeof(e0), 100, 10);
	spread_json(e1, sizeof(e1), 1000, 10);
	weigh_doc(doc, sizeof(doc), m0, m1, e0, e1);
	CHECK_MSG(add_text(&rs, doc, err) == 0, "%s", err);
	CHECK_MSG(build_default(&t, &rs, NULL, err) == 0, "%s", err);
	mem = cell_at(&t, "mem.x", "KVM L1");
	ex = cell_at(&t, "exit.cpuid", "KVM L1");
	CHECK(mem && ex);
	if (!mem || !ex)
		goto out;
	CHECK_EQ_U64(mem->outliers, 1);
	CHECK(!mem->no_ratio);
	CHECK(ex->no_ratio);
	CHECK_EQ_U64(ex->outliers, 0);

	csv = table_text(&t, NB_FMT_CSV);
	/* The older columns keep their places; the new ones follow `notes`. */
	CHECK_MSG(strncmp(csv, heads, strlen(heads)) == 0, "%s", csv);
	csv_field(csv, "mem.x", "KVM L1 n", f, sizeof(f));
	CHECK_STR(f, "9");
	csv_field(csv, "mem.x", "KVM L1 n reference", f, sizeof(f));
	CHECK_STR(f, "10");
	csv_field(csv, "mem.x", "KVM L1 outliers", f, sizeof(f));
	CHECK_STR(f, "1");
	csv_field(csv, "mem.x", "KVM L1 no ratio", f, sizeof(f));
	CHECK_STR(f, "0");
	csv_field(csv, "mem.x", "bare metal L0 outliers", f, sizeof(f));
	CHECK_STR(f, "0");
	csv_field(csv, "exit.cpuid", "KVM L1 no ratio", f, sizeof(f));
	CHECK_STR(f, "1");
	csv_field(csv, "exit.cpuid", "KVM L1 overhead %", f, sizeof(f));
	CHECK_STR(f, "900.0000");
	nb_fmt_pct(t.summary[t.n_summary - 1].mean[1], m0, sizeof(m0));   /* mem.x alone */
	snprintf(doc, sizeof(doc), "# mean overhead (geometric), all workloads (VM exits over bare "
		 "metal left out): KVM L1 %s %% (n = 1)\n", m0);
	CHECK_MSG(strstr(csv, doc), "%s not in %s", doc, csv);
	free(csv);

	/* LaTeX: the summary in the cells' form (x10 as "×10.0", in a text column, not
	 * +900 % in an S column) and a float of its own, saying what "all workloads" leaves
	 * out; the per-cell interval as it is, [lo, hi], its ends without "+". */
	p = table_text(&t, NB_FMT_LATEX);
	CHECK_MSG(strstr(p, "VM exits & $\\times$10.0 & {\\scriptsize (1)} \\\\\n"), "%s", p);
	CHECK(!strstr(p, "+900"));
	CHECK_MSG(strstr(p, "\\end{tabular}\n\\end{table*}\n\\begin{table*}[tbp]\n\\centering\n\\footnotesize\n"
			 "\\setlength\\tabcolsep{3pt}\n\\caption{Mean overhead over bare metal L0 per family"), "%s", p);
	CHECK_MSG(strstr(p, "\\begin{tabular}{@{}lr@{\\,}l@{}}"), "%s", p);
	CHECK_MSG(strstr(p, "all workloads leaves out VM exits over bare metal"), "%s", p);
	snprintf(doc, sizeof(doc), "all workloads & %s & {\\scriptsize (1)}", m0);
	CHECK_MSG(strstr(p, doc), "%s not in %s", doc, p);
	nb_fmt_pct(mem->r.lo, m0, sizeof(m0));
	nb_fmt_pct(mem->r.hi, m1, sizeof(m1));
	snprintf(doc, sizeof(doc), "{\\scriptsize [%s, %s] (n 9 vs 10)}", m0 + (m0[0] == '+'),
		 m1 + (m1[0] == '+'));
	CHECK_MSG(strstr(p, doc), "%s not in %s", doc, p);
	CHECK(!strstr(p, "$\\pm$"));
	/* Nothing but figures in the floats: the notes follow the last one. */
	CHECK_MSG(strstr(p, "\\end{table*}\n% nestbench table notes"), "%s", p);
	free(p);
out:
	nb_table_free(&t);
	nb_rs_free(&rs);
}

/* ---- compare ------------------------------------------------------------------------ */

static const struct nb_compare_row *cmp_row(const struct nb_compare *c, const char *key)
{
	for (size_t i = 0; i < c->n_rows; i++)
		if (strcmp(nb_compare_case(&c->rows[i])->key, key) == 0)
			return &c->rows[i];
	return NULL;
}

TEST(compare_verdicts)
{
	struct nb_resultset rs = { 0 };
	struct nb_compare c;
	struct nb_compare_opts o;
	const struct nb_compare_row *r;
	char err[NB_ERR_LEN] = "";

	CHECK(load(&rs, "compare-base") == 0 && load(&rs, "compare-new") == 0);
	nb_compare_opts_default(&o);
	o.g.resamples = 500;
	CHECK_MSG(nb_compare_build(&c, &rs, &o, err) == 0, "%s", err);
	CHECK_EQ_U64(c.n_rows, 8);
	CHECK_EQ_U64(c.n_compared, 5);
	CHECK_EQ_U64(c.m, 5);
	CHECK_EQ_U64(c.n_regressions, 1);
	CHECK((r = cmp_row(&c, "cpu.int")) && r->g.dec == NB_D_NO_CHANGE);
	CHECK_NEAR(r->g.d.point, 0, 0);
	CHECK_NEAR(r->g.mwu.p, 1, 1e-12);
	/* 900 against 1000 MB/s: -10 %, worse for a throughput, the whole interval beyond
	 * 5 %; p 2 / C(18, 9), times 5 by Holm (all five share the smallest p... up to 5). */
	CHECK((r = cmp_row(&c, "mem.bw.copy thp=0")) && r->g.dec == NB_D_REGRESSION);
	CHECK_NEAR(r->g.d.point, -0.10, 1e-12);
	CHECK_NEAR(r->g.mwu.p, 2.0 / 48620, 1e-15);   /* 9 vs 9 fully separated, exact */
	CHECK_NEAR(r->g.p_adj, 5 * 2.0 / 48620, 1e-15);
	CHECK(r->g.worse_lo > 0.05);
	/* +2 %, significant, but inside the threshold: no change, said to be worse. */
	CHECK((r = cmp_row(&c, "mem.lat size=64M stride=64 thp=0")) && r->g.dec == NB_D_NO_CHANGE);
	CHECK_MSG(strstr(r->g.why, "worse, within the threshold"), "%s", r->g.why);
	CHECK_NEAR(r->g.d.point, 0.02, 1e-12);
	CHECK((r = cmp_row(&c, "ctl.syscall")) && r->g.dec == NB_D_IMPROVEMENT);
	CHECK_NEAR(r->g.d.point, -0.10, 1e-12);
	CHECK((r = cmp_row(&c, "exit.cpuid leaf=0")) && r->g.dec == NB_D_INCONCLUSIVE && r->g.mwu.too_few);
	CHECK(r->g.why_class == NB_WHY_POWER);
	/* Skipped on both sides: nothing lost, n/a. */
	CHECK((r = cmp_row(&c, "exit.pio port=0x80")) && r->g.dec == NB_D_NA);
	CHECK_MSG(strstr(r->g.why, "BASE: skipped: ioperm"), "%s", r->g.why);
	CHECK((r = cmp_row(&c, "pf.file size=64M")) && r->g.dec == NB_D_INCONCLUSIVE &&
	      r->g.why_class == NB_WHY_SETUP && strcmp(r->g.why, "missing from NEW") == 0);
	CHECK((r = cmp_row(&c, "cpu.fp elems=64")) && r->g.dec == NB_D_NA && strstr(r->g.why, "only in NEW"));
	/* Direction-aware geomean over the five compared, worse-ratios 1, 1/0.9, 1.02, 0.9,
	 * 1.5 (the throughput's 0.9 turned into 1/0.9). */
	CHECK_EQ_U64(c.n_geo, 1);
	CHECK_NEAR(c.geo[0].worse, pow(1 / 0.9 * 1.02 * 0.9 * 1.5, 0.2) - 1, 1e-12);
	CHECK(nb_compare_status(&c) == NB_CMP_REGRESSION);
	nb_compare_free(&c);

	/* A 15 % threshold tolerates the 10 % drop: no change; the case missing from NEW
	 * still makes the whole gate inconclusive. */
	o.g.threshold = 0.15;
	CHECK(nb_compare_build(&c, &rs, &o, err) == 0);
	CHECK_EQ_U64(c.n_regressions, 0);
	CHECK(cmp_row(&c, "mem.bw.copy thp=0")->g.dec == NB_D_NO_CHANGE);
	CHECK(nb_compare_status(&c) == NB_CMP_INCONCLUSIVE);
	nb_compare_free(&c);
	nb_rs_free(&rs);
}

TEST(compare_user_errors)
{
	struct nb_resultset rs = { 0 };
	struct nb_compare c;
	struct nb_compare_opts o;
	char err[NB_ERR_LEN] = "";

	nb_compare_opts_default(&o);
	CHECK(load(&rs, "compare-base") == 0 && load(&rs, "mismatch") == 0);
	CHECK(nb_compare_build(&c, &rs, &o, err) == -1);
	CHECK_MSG(strstr(err, "no workload in common: BASE has L0 (7 cases); NEW has L0 (1 case)"),
		  "%s", err);
	nb_compare_free(&c);
	nb_rs_free(&rs);
	CHECK(load(&rs, "empty-samples") == 0 && load(&rs, "empty-samples") == 0);
	CHECK(nb_compare_build(&c, &rs, &o, err) == -1);
	CHECK_MSG(strstr(err, "no workload has samples in both files (e.g. cpu.int on L1"), "%s", err);
	nb_compare_free(&c);
	nb_rs_free(&rs);
}

/* ---- text helpers ------------------------------------------------------------------- */

static char *render(void (*put)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	put(m, s);
	fclose(m);
	return buf;
}

TEST(text_formats_and_escapes)
{
	char b[NB_NUM], *s;
	struct nb_ratio_ci r = { .point = 0.10, .lo = 0.08, .hi = 0.13 };
	enum nb_table_format f;
	enum nb_compare_format cf;

	nb_fmt_value(2.935091, b, sizeof(b));
	CHECK_STR(b, "2.935");
	nb_fmt_value(840.60105, b, sizeof(b));
	CHECK_STR(b, "840.6");
	nb_fmt_value(26135.6, b, sizeof(b));
	CHECK_STR(b, "26136");
	nb_fmt_value(0.0123, b, sizeof(b));
	CHECK_STR(b, "0.01230");
	nb_fmt_value(NAN, b, sizeof(b));
	CHECK_STR(b, "n/a");
	nb_fmt_pct(0.1234, b, sizeof(b));
	CHECK_STR(b, "+12.3");
	nb_fmt_pct(-0.05, b, sizeof(b));
	CHECK_STR(b, "-5.0");
	nb_fmt_pct(12.345, b, sizeof(b));
	CHECK_STR(b, "+1234");
	nb_fmt_halfwidth(&r, b, sizeof(b));
	CHECK_STR(b, "3.0");                       /* the larger side: 13 - 10 */
	s = render(nb_put_tex, "a_b 5% #1 & {x} ± † – --seed");
	CHECK_STR(s, "a\\_b 5\\% \\#1 \\& \\{x\\} $\\pm$ \\textdagger{} -- -{}-seed");
	free(s);
	s = render(nb_put_md, "a|b\nc");
	CHECK_STR(s, "a\\|b c");
	free(s);
	s = render(nb_put_csv, "plain");
	CHECK_STR(s, "plain");
	free(s);
	s = render(nb_put_csv, "a, \"b\"");
	CHECK_STR(s, "\"a, \"\"b\"\"\"");
	free(s);
	CHECK(nb_table_format_parse("latex", &f) == 0 && f == NB_FMT_LATEX);
	CHECK(nb_table_format_parse("csv", &f) == 0 && f == NB_FMT_CSV);
	CHECK(nb_table_format_parse("xml", &f) == -1);
	CHECK(nb_compare_format_parse("json", &cf) == 0 && cf == NB_CMP_JSON);
	CHECK(nb_compare_format_parse("csv", &cf) == -1);
	CHECK_EQ_U64(nb_family_rank("cpu"), 0);
	CHECK_EQ_U64(nb_family_rank("ctl"), 5);
	CHECK_STR(nb_family_title("pf"), "page faults");
	CHECK_STR(nb_family_title("gpu"), "gpu");
}

/* ---- the long (tidy) form ----------------------------------------------------------- */

/* The line of text that holds both a and b, or NULL. */
static const char *line_with(const char *text, const char *a, const char *b)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		size_t n = strcspn(p, "\n");
		const char *x = strstr(p, a), *y = strstr(p, b);

		if (x && y && x < p + n && y < p + n)
			return p;
	}
	return NULL;
}

TEST(table_long_csv_is_a_row_per_case_and_column)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	enum nb_table_format f;
	char err[NB_ERR_LEN] = "", *csv = NULL;
	size_t len = 0, lines = 0;
	FILE *m;

	CHECK(nb_table_format_parse("long-csv", &f) == 0 && f == NB_FMT_LONG_CSV);
	CHECK(nb_table_format_parse("long-json", &f) == 0 && f == NB_FMT_LONG_JSON);
	CHECK(load(&rs, "kvm") == 0);
	CHECK_MSG(build_default(&t, &rs, NULL, err) == 0, "%s", err);
	m = open_memstream(&csv, &len);
	CHECK(nb_table_write(&t, NB_FMT_LONG_CSV, m, err) == 0);
	fclose(m);
	for (const char *p = csv; (p = strchr(p, '\n')); p++)
		lines++;
	CHECK_EQ_U64(lines, 1 + t.n_rows * t.n_cols);
	CHECK(strncmp(csv, "workload,case,params,family,unit,better,tier,tier_name,file,", 60) == 0);
	/* 11 over 10 ns/op: +10 %, the ratio 1.1; the baseline's row references itself. */
	CHECK_MSG(line_with(csv, "cpu.int,cpu.int,,cpu,ns/op,lower,KVM L1,L1,",
			    ",bare metal L0,overhead,11,7,10,7,10,"), "%s", csv);
	CHECK(line_with(csv, "cpu.int,cpu.int,,cpu,ns/op,lower,KVM L1,L1,", ",1.1,"));
	CHECK(line_with(csv, "cpu.int,cpu.int,,cpu,ns/op,lower,bare metal L0,L0,",
			",bare metal L0,baseline,10,7,10,7,,,,,"));
	/* Three samples against three: few_samples set, the figure still there. */
	CHECK_MSG(line_with(csv, "pf.anon,pf.anon cold_wait_ms=3000 regime=warm,cold_wait_ms=3000;regime=warm,",
			    ",bare metal L0,overhead,1200,3,1000,3,20,"), "%s", csv);
	CHECK(line_with(csv, ",bare metal L0,overhead,1200,3,1000,3,20,", ",1.2,0.01,0,1,0,0,0,ok,\n"));
	/* Skipped on the baseline: n/a with its note, every figure and flag empty. */
	CHECK_MSG(line_with(csv, "exit.pio,exit.pio port=0x80,port=0x80,exit,",
			    ",bare metal L0,baseline,,,,,,,,,,,,,,,n/a,"), "%s", csv);
	CHECK(line_with(csv, "exit.pio,exit.pio port=0x80,", "on the baseline bare metal L0: skipped"));
	free(csv);
	nb_table_free(&t);
	nb_rs_free(&rs);
}
