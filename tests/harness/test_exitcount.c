/* test_exitcount.c - the campaign key count_exits (parsing, defaults, every refusal) and
 * the sample's "exits" object built from an exits-stop reply (per-op figures, null —
 * never 0 — when there is no total). */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../harness/config.h"
#include "../../harness/exitcount.h"

#include <stdlib.h>

/* A campaign whose tier C has `count` as its count_exits value ("" = none). */
static int parse_with(const char *count, struct nb_campaign_cfg *c, char err[NB_ERR_LEN])
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "{\"name\":\"x\",\"tiers\":["
		 "{\"name\":\"L0\",\"level\":0,\"address\":\"local\"},"
		 "{\"name\":\"L1\",\"level\":1,\"address\":\"vsock:3:7420\"},"
		 "{\"name\":\"C\",\"level\":2,\"address\":\"vsock:4:7420\",\"via\":\"L1\"%s%s}],"
		 "\"workloads\":[\"cpu.int\"]}",
		 count[0] ? ",\"count_exits\":" : "", count);
	return nb_config_parse(text, strlen(text), "t.json", c, err);
}

/* A count_exits value and what its refusal must say. */
struct refusal {
	const char *value, *want;
};

/* Each value refused, its message naming the problem and the tier's path. */
static void check_refusals(struct nb_campaign_cfg *c, const struct refusal *bad, size_t n)
{
	char err[NB_ERR_LEN];

	for (size_t i = 0; i < n; i++) {
		CHECK_MSG(parse_with(bad[i].value, c, err) == -1, "%s accepted", bad[i].value);
		CHECK_MSG(strstr(err, bad[i].want) && strstr(err, "tiers[2]"), "%s: %s", bad[i].value, err);
	}
}

TEST(count_exits_parsed_with_defaults)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];

	CHECK(c);
	CHECK_MSG(parse_with("", c, err) == 0, "%s", err);
	CHECK(c->tiers[2].exits_by == -1 && c->tiers[0].exits_by == -1);
	nb_config_free(c);
	CHECK(parse_with("false", c, err) == 0 && c->tiers[2].exits_by == -1);
	nb_config_free(c);
	/* true: counted by the via tier, every VMM there, split by reason */
	CHECK_MSG(parse_with("true", c, err) == 0, "%s", err);
	CHECK(c->tiers[2].exits_by == 1 && c->tiers[2].exits_reasons == 1);
	CHECK_STR(c->tiers[2].exits_target, "auto");
	CHECK_STR(c->tiers[2].exits_address, "");
	CHECK(c->tiers[2].exits_timed == 0);   /* counted in visits of their own */
	nb_config_free(c);
	CHECK_MSG(parse_with("{\"visits\":\"timed\"}", c, err) == 0, "%s", err);
	CHECK(c->tiers[2].exits_timed == 1);
	nb_config_free(c);
	CHECK_MSG(parse_with("[{\"visits\":\"own\"},{\"by\":\"L0\"}]", c, err) == 0, "%s", err);
	CHECK(c->tiers[2].exits_timed == 0 && c->tiers[2].nexits_also == 1);
	nb_config_free(c);
	CHECK_MSG(parse_with("{\"by\":\"L1\",\"target\":[812,813],\"reasons\":false,"
			     "\"address\":\"unix:/tmp/l1-b.sock\",\"_note\":\"ok\"}", c, err) == 0, "%s", err);
	CHECK(c->tiers[2].exits_by == 1 && c->tiers[2].exits_reasons == 0);
	CHECK_STR(c->tiers[2].exits_target, "812,813");
	CHECK_STR(c->tiers[2].exits_address, "unix:/tmp/l1-b.sock");
	nb_config_free(c);
	CHECK(parse_with("{\"by\":\"L0\"}", c, err) == 0 && c->tiers[2].exits_by == 0);
	nb_config_free(c);
	CHECK(parse_with("{\"target\":\"all\"}", c, err) == 0);
	CHECK_STR(c->tiers[2].exits_target, "all");
	CHECK(c->tiers[2].exits_by == 1);
	nb_config_free(c);
	free(c);
}

TEST(count_exits_refusals_name_the_problem)
{
	static const struct refusal bad[] = {
		{ "1", "must be true, false or an object" },
		{ "{\"by\":\"L9\"}", "\"by\": no tier named \"L9\"" },
		{ "{\"by\":\"C\"}", "cannot count its own exits" },
		{ "{\"target\":\"qemu\"}", "\"target\" must be" },
		{ "{\"target\":[]}", "\"target\" must be" },
		{ "{\"target\":[0]}", "process ids are integers" },
		{ "{\"target\":[1.5]}", "process ids are integers" },
		{ "{\"reasons\":\"yes\"}", "\"reasons\" must be true or false" },
		{ "{\"visits\":\"some\"}", "\"visits\" must be \"own\"" },
		{ "{\"visits\":true}", "\"visits\" must be \"own\"" },
		{ "{\"adress\":\"x\"}", "unknown key \"adress\"" },
		{ "{\"address\":\"nowhere\"}", "\"address\":" },
		{ "{\"by\":\"L0\",\"address\":\"unix:/x\"}", "is local" },
	};
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];

	CHECK(c);
	check_refusals(c, bad, sizeof(bad) / sizeof(bad[0]));
	/* No via and no by: nothing to default to. */
	static const char *novia = "{\"name\":\"x\",\"tiers\":[{\"name\":\"L0\",\"level\":0,"
				   "\"address\":\"local\",\"count_exits\":true}],\"workloads\":[\"cpu.int\"]}";
	CHECK(nb_config_parse(novia, strlen(novia), "t.json", c, err) == -1);
	CHECK_MSG(strstr(err, "name the tier that runs this tier's VM"), "%s", err);
	free(c);
}

static const char stop_reply[] =
	"{\"id\":7,\"ok\":true,\"target\":\"auto\",\"processes\":[{\"pid\":812,\"comm\":\"qemu-system-x86\","
	"\"vcpus\":2,\"threads\":9}],\"method\":\"perf_event_open on kvm tracepoints\","
	"\"kvm_module\":\"kvm_amd\",\"elapsed_ms\":61.5,\"total\":10450,\"isa\":\"svm\","
	"\"by_reason\":{\"cpuid\":10000,\"hlt\":300,\"interrupt\":150},\"lost\":0,"
	"\"reasons_complete\":true,\"by_handler\":{\"pio\":12,\"cpuid\":10000}}";

TEST(exits_sample_per_op_and_reasons)
{
	cJSON *stop = cJSON_Parse(stop_reply);
	cJSON *run = cJSON_Parse("{\"records\":[{\"type\":\"meta\",\"ops_per_rep\":5000},"
				 "{\"type\":\"rep\",\"ops\":5000,\"warmup\":true},"
				 "{\"type\":\"rep\",\"ops\":5000},{\"type\":\"end\"}]}");
	int reps;
	double ops = nb_exitcount_visit_ops(run, &reps);
	cJSON *e;

	CHECK(stop && run);
	CHECK(ops == 10000 && reps == 2);   /* the warm-up ran inside the bracket too */
	e = nb_exitcount_sample(stop, ops, reps, "L1", 1);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "counted_by")), "L1");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "scope")), "visit");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(e, "first_visit")));
	CHECK_NEAR(cJSON_GetObjectItem(e, "per_op")->valuedouble, 1.045, 1e-12);
	CHECK_NEAR(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "by_reason_per_op"), "cpuid")->valuedouble, 1.0, 1e-12);
	CHECK_NEAR(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "by_handler_per_op"), "pio")->valuedouble, 0.0012, 1e-12);
	CHECK(cJSON_GetObjectItem(e, "processes") && cJSON_GetObjectItem(e, "method"));
	CHECK(!cJSON_GetObjectItem(e, "id") && !cJSON_GetObjectItem(e, "ok"));
	cJSON_Delete(e);
	/* No operations: the per-op figures are null, not 0 or infinite. */
	e = nb_exitcount_sample(stop, 0, 0, "L1", 0);
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(e, "per_op")));
	CHECK(!cJSON_GetObjectItem(e, "by_reason_per_op"));
	cJSON_Delete(e);
	cJSON_Delete(stop);
	cJSON_Delete(run);
}

TEST(exits_sample_without_a_total)
{
	cJSON *stop = cJSON_Parse("{\"total\":null,\"total_unsupported\":\"kvm:kvm_exit did not fire\","
				  "\"by_handler\":{\"pio\":3000,\"cpuid\":0}}");
	cJSON *e = nb_exitcount_sample(stop, 3000, 1, "L0", 0);

	CHECK(cJSON_IsNull(cJSON_GetObjectItem(e, "total")));
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(e, "per_op")));
	CHECK(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(e, "total_unsupported")), "did not fire"));
	CHECK_NEAR(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "by_handler_per_op"), "pio")->valuedouble, 1.0, 1e-12);
	cJSON_Delete(e);
	cJSON_Delete(stop);
}

TEST(exits_annotate_marks_only_the_visits_samples)
{
	struct nb_exitcount x;
	cJSON *c = cJSON_Parse("{\"samples\":[{\"rep\":0},{\"rep\":0},{\"rep\":1}]}");
	cJSON *run = cJSON_Parse("{\"records\":[{\"type\":\"rep\",\"ops\":10},{\"type\":\"rep\",\"ops\":10}]}");

	memset(&x, 0, sizeof(x));
	snprintf(x.by, sizeof(x.by), "L1");
	x.stop = cJSON_Parse(stop_reply);
	nb_exitcount_annotate(&x, run, c, 1, 0);
	cJSON *s = cJSON_GetObjectItem(c, "samples");
	CHECK(!cJSON_GetObjectItem(cJSON_GetArrayItem(s, 0), "exits"));
	CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(s, 1), "exits"));
	CHECK_NEAR(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(s, 2), "exits"), "per_op")->valuedouble,
		   522.5, 1e-9);
	CHECK(x.stop == NULL);
	/* Counting impossible: the next visit's samples say why. */
	snprintf(x.unsupported, sizeof(x.unsupported), "tier L1 cannot count exits: no KVM");
	nb_exitcount_annotate(&x, run, c, 2, 0);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(s, 2), "exits_unsupported")),
		  "tier L1 cannot count exits: no KVM");
	CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(s, 2), "exits"));   /* kept from before */
	nb_exitcount_annotate(NULL, run, c, 0, 0);                       /* not configured */
	cJSON_Delete(c);
	cJSON_Delete(run);
}

/* count_exits as an array: the first entry as before, the others into exits_also, each
 * counted by another tier in the same visits (lab.l3: L3's by L2, and by L1). */
TEST(count_exits_array_adds_further_counters)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];

	CHECK(c);
	CHECK_MSG(parse_with("[true]", c, err) == 0, "%s", err);
	CHECK(c->tiers[2].exits_by == 1 && c->tiers[2].nexits_also == 0);
	nb_config_free(c);
	CHECK_MSG(parse_with("[true,{\"by\":\"L0\",\"target\":\"all\",\"reasons\":false}]", c, err) == 0,
		  "%s", err);
	CHECK(c->tiers[2].exits_by == 1 && c->tiers[2].nexits_also == 1);
	CHECK(c->tiers[2].exits_also[0].by == 0 && c->tiers[2].exits_also[0].reasons == 0);
	CHECK_STR(c->tiers[2].exits_also[0].target, "all");
	CHECK_STR(c->tiers[2].exits_also[0].by_name, "L0");
	nb_config_free(c);
	/* the first entry may be an object too, and further ones default to all reasons */
	CHECK_MSG(parse_with("[{\"by\":\"L0\"},{\"by\":\"L1\"}]", c, err) == 0, "%s", err);
	CHECK(c->tiers[2].exits_by == 0 && c->tiers[2].exits_also[0].by == 1);
	CHECK(c->tiers[2].exits_also[0].reasons == 1);
	CHECK_STR(c->tiers[2].exits_also[0].target, "auto");
	nb_config_free(c);
	free(c);
}

TEST(count_exits_array_refusals_name_the_problem)
{
	static const struct refusal bad[] = {
		{ "[]", "holds 1 to 4 counters" },
		{ "[true,{\"by\":\"L0\"},{\"by\":\"L0\"},{\"by\":\"L0\"},{\"by\":\"L0\"}]", "holds 1 to 4" },
		{ "[true,true]", "count_exits[1]: a further counter must be an object naming its tier" },
		{ "[true,{\"target\":\"all\"}]", "naming its tier in \"by\"" },
		{ "[true,{\"by\":\"L9\"}]", "count_exits[1]: \"by\": no tier named \"L9\"" },
		{ "[true,{\"by\":\"C\"}]", "cannot count its own exits" },
		{ "[true,{\"by\":\"L1\"}]", "already counts this tier's exits" },
		{ "[true,{\"by\":\"L0\"},{\"by\":\"L0\"}]", "count_exits[2]: \"by\": tier \"L0\" is named twice" },
		{ "[false,{\"by\":\"L0\"}]", "the first counter is off" },
		{ "[true,{\"by\":\"L0\",\"reasons\":1}]", "\"reasons\" must be true or false" },
		{ "[true,{\"by\":\"L0\",\"visits\":\"timed\"}]", "\"visits\" belongs to the first counter" },
		{ "[true,{\"by\":\"L0\",\"address\":\"unix:/x\"}]", "is local" },
	};
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));

	CHECK(c);
	check_refusals(c, bad, sizeof(bad) / sizeof(bad[0]));
	free(c);
}

/* A further counter's figures go to samples[].exits_also, never to "exits". */
TEST(exits_annotate_further_counter_into_exits_also)
{
	struct nb_exitcount x;
	cJSON *c = cJSON_Parse("{\"samples\":[{\"rep\":0},{\"rep\":1}]}");
	cJSON *run = cJSON_Parse("{\"records\":[{\"type\":\"rep\",\"ops\":10},{\"type\":\"rep\",\"ops\":10}]}");
	cJSON *s, *also;

	memset(&x, 0, sizeof(x));
	snprintf(x.by, sizeof(x.by), "L1");
	x.slot = 1;
	x.stop = cJSON_Parse(stop_reply);
	nb_exitcount_annotate(&x, run, c, 0, 0);
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "samples"), 1);
	CHECK(!cJSON_GetObjectItem(s, "exits"));
	also = cJSON_GetObjectItem(s, "exits_also");
	CHECK(cJSON_IsArray(also) && cJSON_GetArraySize(also) == 1);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(also, 0), "counted_by")), "L1");
	CHECK_NEAR(cJSON_GetObjectItem(cJSON_GetArrayItem(also, 0), "per_op")->valuedouble, 522.5, 1e-9);
	/* slot 2 unsupported: its place says why, slot 1 stays */
	x.slot = 2;
	snprintf(x.by, sizeof(x.by), "L0");
	snprintf(x.unsupported, sizeof(x.unsupported), "tier L0 cannot count exits: no KVM");
	nb_exitcount_annotate(&x, run, c, 1, 0);
	also = cJSON_GetObjectItem(s, "exits_also");
	CHECK(cJSON_GetArraySize(also) == 2);
	CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(also, 0), "per_op"));
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(also, 1), "unsupported")),
		  "tier L0 cannot count exits: no KVM");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(also, 1), "counted_by")), "L0");
	cJSON_Delete(c);
	cJSON_Delete(run);
}
