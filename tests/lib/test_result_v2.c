/* test_result_v2.c - schema version 2: a visit's campaign-wide number and interference
 * on its samples, the canary of each round, the visit order and the quiet wait, written
 * by the harness's writers and read back through the views analysis uses; version 1
 * files still load. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../common/json.h"
#include "../../resultlib/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static cJSON *v2_doc(cJSON **tier, cJSON **c)
{
	struct nb_res_head h = { .campaign = "t", .description = "", .config_path = "t.json",
				 .config_text = "{}", .seed = 42, .version = "v", .git_revision = "g",
				 .work_sha256 = "abc", .work_version = "w", .work_size = 1,
				 .order_mode = NB_ORDER_INTERLEAVED };
	struct nb_res_case_id id = { "cpu.int", "cpu.int", "cpu", "ns/op", 0, NULL, 0 };
	cJSON *doc = nb_res_new(&h);

	*tier = nb_res_tier(doc, "L1", 1);
	*c = nb_res_case_add(*tier, &id);
	return doc;
}

TEST(result_v2_visit_numbers_and_interference)
{
	cJSON *tier, *c, *doc = v2_doc(&tier, &c);
	cJSON *v1 = cJSON_Parse("[{\"type\":\"rep\",\"ns\":10,\"ops\":1,\"value\":10},"
				" {\"type\":\"rep\",\"ns\":12,\"ops\":1,\"value\":12}]");
	cJSON *v2 = cJSON_Parse("[{\"type\":\"rep\",\"ns\":11,\"ops\":1,\"value\":11}]");
	struct nb_res_interference a = { 1.5, 20.25, 101.0, 40.0, NULL };
	struct nb_res_interference b = { 0.0, 3.0, NAN, 30.0, NULL };
	struct nb_res_sample_view sv;
	struct nb_res_case_progress p;
	struct nb_res_head h;
	const cJSON *s;
	int i = 0;

	CHECK(v1 && v2);
	nb_res_case_absorb(c, v1, 1, 0, 1);
	nb_res_case_mark_visit(c, 0, 3, &a);
	nb_res_case_absorb(c, v2, 2, 1, 2);
	nb_res_case_mark_visit(c, 2, 8, &b);   /* only the second visit's sample */
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(c, "samples")) {
		nb_res_sample_read(s, &sv);
		if (i++ < 2) {
			CHECK(sv.campaign_seq == 3 && sv.seq == 1);
			CHECK(sv.steal_pct == 1.5 && sv.other_busy_pct == 20.25 && sv.vmm_cpu_pct == 101.0);
		} else {
			CHECK(sv.campaign_seq == 8 && sv.seq == 2);
			CHECK(sv.steal_pct == 0 && sv.other_busy_pct == 3.0);
			CHECK(isnan(sv.vmm_cpu_pct));                       /* not a lab tier */
			CHECK(!cJSON_GetObjectItem(cJSON_GetObjectItem(s, "interference"), "vmm_cpu_pct"));
			CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "interference"), "window_ms")
				      ->valuedouble == 30.0);
		}
	}
	CHECK(i == 3);
	nb_res_case_progress(c, &p);
	CHECK(p.max_campaign_seq == 8 && p.max_seq == 2);
	nb_res_head_read(doc, &h);
	CHECK(h.schema_version == 2 && NB_RESULT_VERSION == 2);
	CHECK_STR(h.order_mode, "interleaved");
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "campaign"), "order"),
				  "seed")->valuedouble == 42);
	cJSON_Delete(v1);
	cJSON_Delete(v2);
	cJSON_Delete(doc);
}

TEST(result_v2_interference_unsupported_keeps_window)
{
	cJSON *tier, *c, *doc = v2_doc(&tier, &c);
	cJSON *v1 = cJSON_Parse("[{\"type\":\"rep\",\"ns\":10,\"ops\":1,\"value\":10}]");
	struct nb_res_interference a = { NAN, NAN, NAN, 12.0, "old agent" };
	struct nb_res_sample_view sv;
	const cJSON *s;

	nb_res_case_absorb(c, v1, 1, 0, 1);
	nb_res_case_mark_visit(c, 0, 1, &a);
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "samples"), 0);
	nb_res_sample_read(s, &sv);
	CHECK(isnan(sv.steal_pct) && isnan(sv.other_busy_pct));
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "interference"),
							   "unsupported")), "old agent");
	cJSON_Delete(v1);
	cJSON_Delete(doc);
}

TEST(result_v2_canary_written_and_read)
{
	cJSON *tier, *c, *doc = v2_doc(&tier, &c);
	const double reps[3] = { 4.4, 4.5, 4.7 };
	struct nb_res_canary a = { 0, 1, "cpu.int", "ns/op", 4.5, 3, reps };
	struct nb_res_canary b = { 1, 9, "exit.cpuid", "ns/op", 1200.0, 3 };
	struct nb_res_canary_view v;
	const cJSON *e, *arr;
	int n, i = 0;

	CHECK(nb_res_tier_canary(tier, &n) == NULL && n == 0);
	nb_res_tier_add_canary(tier, &a);
	nb_res_tier_add_canary(tier, &b);
	CHECK((arr = nb_res_tier_canary(tier, &n)) && n == 2);
	CHECK(nb_res_tier_canary_max_seq(tier) == 9);
	cJSON_ArrayForEach(e, arr) {
		nb_res_canary_read(e, &v);
		if (i++ == 0) {
			CHECK(v.round == 0 && v.campaign_seq == 1 && v.value == 4.5);
			CHECK_STR(v.workload, "cpu.int");
			/* every repetition kept, so that two rounds still give six values */
			CHECK(v.samples && cJSON_GetArraySize(v.samples) == 3);
			CHECK(cJSON_GetArrayItem(v.samples, 2)->valuedouble == 4.7);
		} else {
			CHECK(v.round == 1 && v.campaign_seq == 9 && v.value == 1200.0);
			CHECK_STR(v.unit, "ns/op");
			CHECK(v.samples == NULL);   /* written without them: read as absent */
		}
		CHECK(cJSON_GetObjectItem(e, "n")->valueint == 3);
	}
	cJSON_Delete(doc);
}

/* The stopping rule's finding on a case: written, replaced, removed; with seqs that
 * follow the samples that have a value. */
TEST(result_v2_case_regime_and_seqs)
{
	cJSON *tier, *c, *doc = v2_doc(&tier, &c);
	int *s = NULL, n;

	nb_res_case_set_regime(c, "canary", "exit.cpuid", 0.4, 0.005, 37);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "regime"), "workload")->valuestring,
		  "exit.cpuid");
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "regime"), "at_campaign_seq")->valueint == 37);
	nb_res_case_set_regime(c, "samples", NULL, -0.1, 0.001, 4);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "regime"), "at_sample")->valueint == 4);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "regime"), "workload") == NULL);
	nb_res_case_set_regime(c, NULL, NULL, 0, 1, 0);
	CHECK(cJSON_GetObjectItem(c, "regime") == NULL);
	/* a sample without a value (a failed repetition) has no seq in the list either */
	cJSON *arr = cJSON_GetObjectItem(c, "samples");
	for (int i = 0; i < 3; i++) {
		cJSON *e = cJSON_CreateObject();
		if (i != 1)
			cJSON_AddNumberToObject(e, "value", 10 + i);
		cJSON_AddNumberToObject(e, "campaign_seq", 5 + i);
		cJSON_AddItemToArray(arr, e);
	}
	n = nb_res_case_seqs(c, &s);
	double *x = NULL;
	CHECK(n == 2 && n == nb_res_case_values(c, &x));
	CHECK(s[0] == 5 && s[1] == 7 && x[0] == 10 && x[1] == 12);
	free(x);
	free(s);
	cJSON_Delete(doc);
}

/* A visit's time split from a reply with known figures: 2 measured repetitions of
 * 100 ms, one warm-up of 50 ms, setup 300 ms, calibration 40 ms and the TSC 20 ms,
 * 700 ms elapsed in the agent, 750 ms round trip; then a kept worker's second batch
 * (reused: its setup is not counted again). */
TEST(result_time_split_of_a_visit)
{
	const char *first = "{\"elapsed_ms\":700,\"records\":["
		"{\"type\":\"meta\"},"
		"{\"type\":\"rep\",\"warmup\":true,\"ns\":50000000},"
		"{\"type\":\"rep\",\"ns\":100000000},{\"type\":\"rep\",\"ns\":100000000},"
		"{\"type\":\"end\",\"setup_ms\":300,\"calibration_ms\":40,\"tsc_ms\":20}]}";
	const char *again = "{\"elapsed_ms\":210,\"records\":["
		"{\"type\":\"rep\",\"ns\":100000000},{\"type\":\"rep\",\"ns\":100000000},"
		"{\"type\":\"end\",\"setup_ms\":300,\"calibration_ms\":0,\"tsc_ms\":20,"
		"\"reused\":true}]}";
	cJSON *a = cJSON_Parse(first), *b = cJSON_Parse(again);
	struct nb_res_time t = { 0 };

	CHECK(a && b);
	nb_res_time_add_visit(&t, a, 0.75);
	CHECK(fabs(t.measure_s - 0.2) < 1e-9 && fabs(t.warmup_s - 0.05) < 1e-9);
	CHECK(fabs(t.setup_s - 0.36) < 1e-9);
	CHECK_MSG(fabs(t.process_s - 0.09) < 1e-9, "process %g", t.process_s);
	CHECK(fabs(t.transport_s - 0.05) < 1e-9);
	nb_res_time_add_visit(&t, b, 0.21);      /* a round trip no longer than the agent's */
	CHECK(fabs(t.measure_s - 0.4) < 1e-9 && fabs(t.setup_s - 0.36) < 1e-9);
	CHECK_MSG(fabs(t.process_s - 0.10) < 1e-9, "process %g", t.process_s);
	CHECK(fabs(t.transport_s - 0.05) < 1e-9);
	/* A kept worker started for this request: its start-up (spawn_ms) is the workload
	 * process's time too, not transport. */
	cJSON *c = cJSON_Parse("{\"elapsed_ms\":100,\"worker\":{\"spawn_ms\":400},\"records\":["
			       "{\"type\":\"rep\",\"ns\":100000000},"
			       "{\"type\":\"end\",\"setup_ms\":300,\"reused\":false}]}");
	struct nb_res_time u = { 0 };
	CHECK(c && fabs(nb_res_reply_process_s(c) - 0.5) < 1e-9);
	nb_res_time_add_visit(&u, c, 0.52);
	CHECK_MSG(fabs(u.setup_s - 0.3) < 1e-9 && fabs(u.process_s - 0.1) < 1e-9 &&
		  fabs(u.transport_s - 0.02) < 1e-9, "setup %g process %g transport %g", u.setup_s,
		  u.process_s, u.transport_s);
	cJSON_Delete(c);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

TEST(result_v2_timing_and_quiet_wait)
{
	cJSON *tier, *c, *doc = v2_doc(&tier, &c);
	struct nb_res_timing t = { .wall_s = 10.0, .in_workload_processes_s = 6.0,
				   .in_measured_reps_s = 5.0, .canary_s = 1.0, .quiet_wait_s = 0.5,
				   .exit_counting_s = 0.75 };
	struct nb_res_quiet_wait q = { "lab QEMU pid 7 on L0", 10, 2, 120, 4.1, 3.5, 1, NULL };
	const cJSON *lt, *w, *sp;

	t.visits.measure_s = 5.0;
	t.visits.process_s = 1.0;
	nb_res_finish(doc, NB_RUN_COMPLETE, &t);
	nb_res_set_quiet_wait(doc, &q);
	lt = cJSON_GetObjectItem(doc, "last_run_timing");
	CHECK(cJSON_GetObjectItem(lt, "canary_s")->valuedouble == 1.0);
	/* Exit counting is its own part of the split, not the harness's rest:
	 * 10 - 5 - 1 - 1 (canary) - 0.5 (quiet) - 0.75 = 1.75. */
	sp = cJSON_GetObjectItem(lt, "split");
	CHECK(cJSON_GetObjectItem(sp, "exit_counting_s")->valuedouble == 0.75);
	CHECK(fabs(cJSON_GetObjectItem(sp, "harness_s")->valuedouble - 1.75) < 1e-12);
	/* the canary is measuring: (10 - 6 - 1) / 10 */
	CHECK(fabs(cJSON_GetObjectItem(lt, "harness_overhead_fraction")->valuedouble - 0.3) < 1e-12);
	w = cJSON_GetObjectItem(doc, "quiet_wait");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(w, "quiet")));
	CHECK(cJSON_GetObjectItem(w, "waited_s")->valuedouble == 4.1);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(w, "target")), "lab QEMU pid 7 on L0");
	cJSON_Delete(doc);
}

/* Exits counted in a visit of their own: the samples from `first` on get the first
 * counted sample's exits fields; nothing to copy before any sample has them. */
TEST(result_case_copy_exits_from_the_counted_sample)
{
	cJSON *c = cJSON_Parse("{\"samples\":[{\"value\":1},{\"value\":2,\"exits\":{\"total\":7},"
			       "\"exits_also\":[{\"total\":9}]},{\"value\":3},{\"value\":4}]}");
	cJSON *none = cJSON_Parse("{\"samples\":[{\"value\":1},{\"value\":2}]}");
	const cJSON *s;
	int i = 0;

	CHECK(c && none);
	CHECK(nb_res_case_copy_exits(none, 0) == 1);
	CHECK(nb_res_case_copy_exits(c, 2) == 0);
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(c, "samples")) {
		double total = nb_json_num(s, "exits.total", -1);
		CHECK_MSG(i == 0 ? total == -1 : total == 7, "sample %d: total %g", i, total);
		if (i >= 1)
			CHECK(nb_json_num(cJSON_GetArrayItem(cJSON_GetObjectItem(s, "exits_also"), 0), "total", 0) == 9);
		i++;
	}
	cJSON_Delete(c);
	cJSON_Delete(none);
}

TEST(result_v1_file_still_loads)
{
	char path[] = "/tmp/nbtest-v1-XXXXXX", err[NB_ERR_LEN];
	int fd = mkstemp(path);
	FILE *f;
	cJSON *doc;
	struct nb_res_head h;
	struct nb_res_sample_view sv;
	int n;

	CHECK(fd >= 0 && (f = fdopen(fd, "w")));
	fputs("{\"schema\":\"nestbench-result\",\"schema_version\":1,"
	      "\"campaign\":{\"name\":\"old\",\"seed\":5},\"status\":\"complete\","
	      "\"tiers\":[{\"name\":\"L0\",\"status\":\"done\",\"cases\":[{\"key\":\"cpu.int\","
	      "\"status\":\"done\",\"samples\":[{\"value\":4,\"visit\":1,\"round\":0,\"seq\":1}]}]}]}",
	      f);
	fclose(f);
	CHECK_MSG((doc = nb_result_load(path, err)) != NULL, "%s", err);
	nb_res_head_read(doc, &h);
	CHECK(h.schema_version == 1 && h.order_mode == NULL);
	const cJSON *tier = cJSON_GetArrayItem(nb_res_tiers(doc, &n), 0);
	CHECK(n == 1 && nb_res_tier_canary(tier, &n) == NULL && n == 0);
	const cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(tier, "cases"), 0), "samples"), 0);
	nb_res_sample_read(s, &sv);
	CHECK(sv.value == 4 && sv.seq == 1 && sv.campaign_seq == 0 && isnan(sv.steal_pct));
	cJSON_Delete(doc);
	unlink(path);
}
