/* test_resultlib.c - the result library: status names, a document built the way the
 * harness builds it (a case's identity, a visit's records folded into samples, stops,
 * tier statuses) and read back through the views analysis uses. */
#include "../unit/check.h"
#include "../../resultlib/result.h"

#include <stdlib.h>

TEST(resultlib_status_names_round_trip)
{
	for (int s = 0; s <= NB_RUN_UNKNOWN; s++)
		CHECK(nb_run_status_parse(nb_run_status_name((enum nb_run_status)s)) == (enum nb_run_status)s);
	for (int s = 0; s <= NB_TIER_UNKNOWN; s++)
		CHECK(nb_tier_status_parse(nb_tier_status_name((enum nb_tier_status)s)) == (enum nb_tier_status)s);
	for (int s = 0; s <= NB_CASE_UNKNOWN; s++)
		CHECK(nb_case_status_parse(nb_case_status_name((enum nb_case_status)s)) == (enum nb_case_status)s);
	CHECK_STR(nb_case_status_name(NB_CASE_DONE), "done");
	CHECK_STR(nb_tier_status_name(NB_TIER_UNREACHABLE), "unreachable");
	CHECK_STR(nb_run_status_name(NB_RUN_PARTIAL), "partial");
	CHECK(nb_case_status_parse("finished") == NB_CASE_UNKNOWN);
	CHECK(nb_case_status_parse(NULL) == NB_CASE_UNKNOWN);
}

/* A document with one tier and one case, as the harness creates them. */
static cJSON *new_case(cJSON **doc, cJSON **tier)
{
	static const char *const params[] = { "size=16K", "stride=64" };
	struct nb_res_head h = { .campaign = "t", .description = "", .config_path = "t.json",
				 .config_text = "{}", .seed = 42, .version = "v", .git_revision = "g",
				 .work_sha256 = "abc", .work_version = "w", .work_size = 1 };
	struct nb_res_case_id id = { "mem.lat size=16K stride=64", "mem.lat", "mem", "ns/load", 0,
				     params, 2 };

	*doc = nb_res_new(&h);
	*tier = nb_res_tier(*doc, "L0", 1);
	return nb_res_case_add(*tier, &id);
}

TEST(resultlib_case_identity_once)
{
	cJSON *doc, *tier, *c = new_case(&doc, &tier);
	struct nb_res_case_view v;

	CHECK(c && nb_res_case(tier, "mem.lat size=16K stride=64") == c);
	CHECK(nb_res_tier(doc, "L0", 1) == tier);
	nb_res_case_read(c, &v);
	CHECK_STR(v.workload, "mem.lat");
	CHECK_STR(v.better, NB_BETTER_LOWER);
	CHECK_STR(v.status, "pending");
	CHECK(v.n_params == 2 && v.n_samples == 0);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(v.params, "size")), "16K");
	cJSON_Delete(doc);
}

TEST(resultlib_absorb_folds_records_into_samples)
{
	cJSON *doc, *tier, *c = new_case(&doc, &tier);
	cJSON *recs = cJSON_Parse(
		"[{\"type\":\"meta\",\"ops_per_rep\":100},"
		" {\"type\":\"rep\",\"warmup\":true,\"ns\":1000000000,\"value\":9},"
		" {\"type\":\"rep\",\"workload\":\"mem.lat\",\"case\":0,\"warmup\":false,\"rep\":0,"
		"  \"ops\":100,\"ns\":2000000000,\"value\":20000000},"
		" {\"type\":\"end\",\"notes\":\"capped\"}]");
	cJSON *again = cJSON_Parse("[{\"type\":\"meta\",\"ops_per_rep\":500}]");
	struct nb_res_sample_view sv;
	struct nb_res_case_progress p;
	const cJSON *s;
	double *x = NULL;

	CHECK(recs && again);
	CHECK(nb_res_case_absorb(c, recs, 1, 0, 7) == 2.0);   /* the warm-up is not measured */
	CHECK(nb_res_case_absorb(c, again, 2, 1, 9) == 0);
	CHECK(nb_res_case_ops_per_rep(c) == 100);              /* kept from the first meta */
	CHECK(nb_res_case_nsamples(c) == 1);
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "samples"), 0);
	CHECK(!cJSON_GetObjectItem(s, "type") && !cJSON_GetObjectItem(s, "workload") &&
	      !cJSON_GetObjectItem(s, "case") && !cJSON_GetObjectItem(s, "warmup"));
	nb_res_sample_read(s, &sv);
	CHECK(sv.value == 20000000 && sv.ops == 100 && sv.visit == 1 && sv.exits_state == NB_EXITS_NONE);
	CHECK(nb_res_case_values(c, &x) == 1 && x[0] == 20000000);
	free(x);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(c, "notes")), "capped");
	nb_res_case_progress(c, &p);
	CHECK(p.n == 1 && p.max_visit == 1 && p.max_round == 0 && p.max_seq == 7);
	CHECK(p.status == NB_CASE_PENDING);
	cJSON_Delete(recs);
	cJSON_Delete(again);
	cJSON_Delete(doc);
}

TEST(resultlib_skip_error_and_stop)
{
	cJSON *doc, *tier, *c = new_case(&doc, &tier);
	cJSON *skip = cJSON_Parse("[{\"type\":\"skip\",\"reason\":\"no ioperm\"}]");
	cJSON *err = cJSON_Parse("[{\"type\":\"error\",\"message\":\"bad dir\"}]");
	struct nb_res_case_view v;

	nb_res_case_absorb(c, skip, 1, 0, 1);
	CHECK(nb_res_case_status(c) == NB_CASE_SKIPPED);
	nb_res_case_stop(c, NB_STOP_SKIPPED);                  /* stays skipped */
	CHECK(nb_res_case_status(c) == NB_CASE_SKIPPED);
	nb_res_case_read(c, &v);
	CHECK_STR(v.reason, "no ioperm");
	nb_res_case_absorb(c, err, 2, 1, 2);
	CHECK(nb_res_case_status(c) == NB_CASE_FAILED);
	CHECK_STR(nb_res_case_error(c), "bad dir");
	nb_res_case_set_status(c, NB_CASE_RUNNING);
	nb_res_case_stop(c, NB_STOP_REPS);                     /* a rule stopped it: done */
	CHECK(nb_res_case_status(c) == NB_CASE_DONE);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(c, "stopped_by")), "reps");
	cJSON_Delete(skip);
	cJSON_Delete(err);
	cJSON_Delete(doc);
}

TEST(resultlib_tier_status_and_views)
{
	cJSON *doc, *tier;
	struct nb_res_tier_id id = { 1, "kvm", "vsock:3:7420", "" };
	struct nb_res_tier_view v;
	struct nb_res_head h;
	int n;

	new_case(&doc, &tier);
	nb_res_tier_begin(tier, &id);
	nb_res_tier_set_status(tier, NB_TIER_UNREACHABLE, "no agent");
	CHECK(nb_res_tier_status(tier) == NB_TIER_UNREACHABLE);
	nb_res_tier_set_sysinfo(tier, cJSON_Parse("{\"id\":3,\"ok\":true,\"vcpus\":2,"
						  "\"kernel\":{\"release\":\"6.1\"}}"));
	nb_res_tier_read(tier, &v);
	CHECK_STR(v.name, "L0");
	CHECK(v.has_level && v.level == 1 && v.vcpus == 2 && v.n_cases == 1);
	CHECK_STR(v.error, "no agent");
	CHECK_STR(v.kernel_release, "6.1");
	CHECK(!cJSON_GetObjectItem(nb_res_tier_sysinfo(tier), "id"));   /* protocol members dropped */
	nb_res_tier_set_status(tier, NB_TIER_DONE, NULL);      /* done drops an old error */
	nb_res_tier_read(tier, &v);
	CHECK(!v.error && nb_res_tier_status(tier) == NB_TIER_DONE);
	CHECK(nb_res_tiers(doc, &n) && n == 1);
	nb_res_head_read(doc, &h);
	CHECK_STR(h.campaign, "t");
	CHECK(h.has_seed && h.seed == 42);
	CHECK_STR(h.status, "running");
	cJSON_Delete(doc);
}

TEST(resultlib_sample_exits_view)
{
	cJSON *s = cJSON_Parse("{\"exits\":{\"total\":30,\"visit_ops\":10,\"first_visit\":true,"
			       "\"by_reason\":{\"cpuid\":10}}}");
	cJSON *u = cJSON_Parse("{\"exits_unsupported\":\"no KVM\"}");
	struct nb_res_sample_view v;

	nb_res_sample_read(s, &v);
	CHECK(v.exits_state == NB_EXITS_COUNTED && v.exits_total == 30 && v.exits_visit_ops == 10);
	CHECK(v.exits_first_visit && cJSON_GetArraySize(v.exits_by_reason) == 1);
	CHECK(v.ops == -1 && v.visit == 0 && v.value != v.value);   /* absent: -1, 0, NaN */
	nb_res_sample_read(u, &v);
	CHECK(v.exits_state == NB_EXITS_UNKNOWN && !v.exits_by_reason);
	CHECK_STR(v.exits_why, "no KVM");
	cJSON_Delete(s);
	cJSON_Delete(u);
}
