/* test_config.c - campaign files: a valid file in full, and each kind of invalid one
 * rejected with a message that names where and what. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../harness/config.h"

#include <stdlib.h>
#include <unistd.h>

static const char *valid =
	"{\n"
	"  \"name\": \"kvm-host\", \"_comment\": \"ignored\",\n"
	"  \"tiers\": [\n"
	"    {\"name\": \"l0\", \"level\": 0, \"address\": \"local\"},\n"
	"    {\"name\": \"l1\", \"level\": 1, \"hypervisor\": \"kvm\", \"address\": \"vsock:3:7420\",\n"
	"     \"token_file\": \"/etc/tok\", \"io_dir\": \"/mnt/scratch\"},\n"
	"    {\"name\": \"l2\", \"level\": 2, \"address\": \"vsock:4:7420\", \"via\": \"l1\"}\n"
	"  ],\n"
	"  \"defaults\": {\"reps\": 7, \"warmup\": 2, \"min_time_ms\": 20, \"cpu\": \"none\",\n"
	"                \"events\": [\"page-faults\"]},\n"
	"  \"precision\": {\"mode\": \"adaptive\", \"target\": 0.02, \"max_reps\": 40, \"budget_s\": 5},\n"
	"  \"order\": {\"seed\": 42, \"block\": 2},\n"
	"  \"workloads\": [\"exit.*\",\n"
	"    {\"name\": \"mem.lat\", \"params\": {\"size\": \"16K..1M\", \"thp\": true, \"stride\": 128},\n"
	"     \"reps\": 3, \"cpu\": 1, \"events\": []}]\n"
	"}\n";

static int parse(const char *text, struct nb_campaign_cfg *c, char err[NB_ERR_LEN])
{
	return nb_config_parse(text, strlen(text), "t.json", c, err);
}

TEST(config_valid_file_in_full)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];

	CHECK(c);
	CHECK_MSG(parse(valid, c, err) == 0, "%s", err);
	CHECK_STR(c->name, "kvm-host");
	CHECK(c->ntiers == 3);
	CHECK_STR(c->tiers[1].hypervisor, "kvm");
	CHECK_STR(c->tiers[1].io_dir, "/mnt/scratch");
	CHECK(c->tiers[2].parent == 1 && c->tiers[0].parent == -1);
	CHECK(c->nworkloads == 2);
	CHECK_STR(c->workloads[0].pattern, "exit.*");
	CHECK(c->workloads[1].nparams == 3);
	CHECK_STR(c->workloads[1].params[0], "size=16K..1M");
	CHECK_STR(c->workloads[1].params[1], "thp=1");
	CHECK_STR(c->workloads[1].params[2], "stride=128");
	CHECK(c->precision.mode == NB_PRECISION_ADAPTIVE);
	CHECK_NEAR(c->precision.target, 0.02, 1e-12);
	CHECK(c->precision.max_reps == 40 && c->precision.min_reps == 6);
	CHECK(c->order.interleave == 1 && c->order.block == 2);
	CHECK(c->order.seed_given && c->order.seed == 42);
	CHECK(c->text && c->len == strlen(valid));

	struct nb_run_cfg r0 = nb_config_effective(c, 0), r1 = nb_config_effective(c, 1);
	CHECK(r0.reps == 7 && r0.warmup == 2 && r0.min_time_ms == 20 && r0.cpu == -2);
	CHECK(r0.nevents == 1);
	CHECK_STR(r0.events[0], "page-faults");
	CHECK(r1.reps == 3 && r1.warmup == 2 && r1.cpu == 1 && r1.nevents == 0);
	nb_config_free(c);
	free(c);
}

TEST(config_defaults_when_absent)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];

	CHECK(c);
	CHECK(parse("{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
		    "\"workloads\":[\"*\"]}", c, err) == 0);
	struct nb_run_cfg r = nb_config_effective(c, 0);
	CHECK(r.reps == 10 && r.warmup == 1 && r.min_time_ms == 50 && r.cpu == -1 && r.nevents == 0);
	CHECK(c->precision.mode == NB_PRECISION_FIXED);
	CHECK(c->order.interleave == 1 && !c->order.seed_given);
	nb_config_free(c);
	free(c);
}

TEST(config_syntax_error_has_line_and_column)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];

	CHECK(c);
	CHECK(parse("{\n  \"name\": \"x\",\n  \"tiers\": [,]\n}", c, err) == -1);
	CHECK_MSG(strstr(err, "t.json:3:") != NULL, "%s", err);
	CHECK(strstr(err, "syntax"));
	CHECK(parse("{\"name\": \"x\"", c, err) == -1);
	CHECK_MSG(strstr(err, "t.json:1:") != NULL, "%s", err);
	free(c);
}

/* Each invalid variant and a fragment its message must contain. */
static const struct { const char *text, *want; } invalid[] = {
	{ "[]", "expected an object" },
	{ "{\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],\"workloads\":[\"*\"]}",
	  "missing \"name\"" },
	{ "{\"name\":\"x\",\"tierz\":[]}", "unknown key \"tierz\"" },
	{ "{\"name\":\"a b\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],\"workloads\":[\"*\"]}",
	  "name" },
	{ "{\"name\":\"x\",\"tiers\":[],\"workloads\":[\"*\"]}", "non-empty array of tiers" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"address\":\"local\"}],\"workloads\":[\"*\"]}",
	  "tiers[0]: missing \"level\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":-1,\"address\":\"local\"}],\"workloads\":[\"*\"]}",
	  "\"level\" must be an integer" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"ftp:x\"}],\"workloads\":[\"*\"]}",
	  "tiers[0]: address" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"vsock:3\"}],\"workloads\":[\"*\"]}",
	  "tiers[0]: address" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"},"
	  "{\"name\":\"h\",\"level\":1,\"address\":\"unix:/s\"}],\"workloads\":[\"*\"]}", "used twice" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":1,\"address\":\"unix:/s\",\"via\":\"nope\"}],"
	  "\"workloads\":[\"*\"]}", "no tier named \"nope\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"a\",\"level\":1,\"address\":\"unix:/s\",\"via\":\"b\"},"
	  "{\"name\":\"b\",\"level\":1,\"address\":\"unix:/t\",\"via\":\"a\"}],\"workloads\":[\"*\"]}", "loops" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\",\"via\":\"h\"}],"
	  "\"workloads\":[\"*\"]}", "cannot be reached \"via\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],\"workloads\":[]}",
	  "workloads" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[{\"name\":\"cpu.int\",\"params\":{\"size\":-1}}]}", "parameter \"size\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[{\"name\":\"cpu.int\",\"repz\":3}]}", "workloads[0]: unknown key \"repz\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"defaults\":{\"reps\":0}}", "\"reps\" must be an integer between 1" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"defaults\":{\"cpu\":\"first\"}}", "\"cpu\" must be" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"defaults\":{\"events\":\"cycles\"}}", "array of event names" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"precision\":{\"mode\":\"fast\"}}", "\"fixed\" or \"adaptive\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"precision\":{\"target\":1}}", "(0, 0.5]" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"precision\":{\"min_reps\":20,\"max_reps\":10}}", "below \"min_reps\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"order\":{\"seed\":-5}}", "\"seed\" must be" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"order\":{\"interleave\":\"yes\"}}", "true or false" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"order\":{\"tiers\":\"alternate\"}}", "\"by-tier\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"canary\":\"no\"}", "canary: must be true or false" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"keep_workers\":1}", "keep_workers: must be true or false" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"quiet\":{\"threshold_pct\":0}}", "\"threshold_pct\" must be" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"quiet\":{\"wait\":1}}", "wait" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"lab\":{\"l2\":{\"hyperv\":\"yes\"}}}",
	  "lab.l2: \"hyperv\" must be true or false" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"lab\":{\"l2\":{\"hyperv\":1}}}", "lab.l2: \"hyperv\" must be true or false" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"lab\":{\"l1\":{\"hyperv\":true}}}", "lab.l1: unknown key \"hyperv\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"lab\":{\"l2\":{\"hyper-v\":true}}}", "unknown key \"hyper-v\"" },
	{ "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,\"address\":\"local\"}],"
	  "\"workloads\":[\"*\"],\"lab\":{\"kvm_unit_tests\":true}}", "lab: \"kvm_unit_tests\" must be a string" },
};

TEST(config_each_kind_of_invalid_file)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];

	CHECK(c);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		err[0] = '\0';
		CHECK_MSG(parse(invalid[i].text, c, err) == -1, "case %zu accepted: %s", i, invalid[i].text);
		CHECK_MSG(strstr(err, invalid[i].want) != NULL, "case %zu: '%s' lacks '%s'", i, err,
			  invalid[i].want);
		CHECK_MSG(strncmp(err, "t.json", 6) == 0, "case %zu: '%s' does not name the file", i, err);
	}
	free(c);
}

/* lab.l2.hyperv: off unless the campaign says true (the refused values are in invalid[]). */
TEST(config_lab_l2_hyperv)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN], text[512];
	const char *head = "{\"name\":\"x\",\"tiers\":[{\"name\":\"L2\",\"level\":2,"
			   "\"address\":\"lab:L2\"}],\"workloads\":[\"*\"],\"lab\":";
	static const struct { const char *lab; int want; } cases[] = {
		{ "{}", 0 }, { "{\"l2\":{}}", 0 }, { "{\"l2\":{\"hyperv\":false}}", 0 },
		{ "{\"l2\":{\"hyperv\":true}}", 1 },
		{ "{\"l2\":{\"vcpus\":1,\"memory_mib\":768,\"cid\":43,\"hyperv\":true}}", 1 },
	};
	struct nb_lab_cfg d;

	CHECK(c);
	nb_lab_defaults(&d);
	CHECK(d.l2_hyperv == 0);
	CHECK(d.kvm_unit_tests[0] == '\0');
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s}", head, cases[i].lab);
		CHECK_MSG(parse(text, c, err) == 0, "%s: %s", cases[i].lab, err);
		CHECK_MSG(c->lab.present && c->lab.l2_hyperv == cases[i].want, "%s: l2_hyperv %d", cases[i].lab,
			  c->lab.l2_hyperv);
		nb_config_free(c);
	}
	free(c);
}

/* lab.kvm_unit_tests: the path as given (lab up checks the file). */
TEST(config_lab_kvm_unit_tests)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];
	const char *text = "{\"name\":\"x\",\"tiers\":[{\"name\":\"L2\",\"level\":2,"
			   "\"address\":\"lab:L2\"}],\"workloads\":[\"*\"],"
			   "\"lab\":{\"kvm_unit_tests\":\"build/kut/src/x86/vmexit.flat\"}}";

	CHECK(c);
	CHECK_MSG(parse(text, c, err) == 0, "%s", err);
	CHECK_STR(c->lab.kvm_unit_tests, "build/kut/src/x86/vmexit.flat");
	nb_config_free(c);
	free(c);
}

/* lab.l3: off without it; its defaults; lab:L3 needs it; its refusals. */
TEST(config_lab_l3)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN], text[768];
	const char *head = "{\"name\":\"x\",\"tiers\":[{\"name\":\"L2\",\"level\":2,"
			   "\"address\":\"lab:L2\"}%s],\"workloads\":[\"*\"],\"lab\":%s}";
	const char *l3tier = ",{\"name\":\"L3\",\"level\":3,\"address\":\"lab:L3\",\"via\":\"L2\"}";
	static const struct { const char *lab, *want; } bad[] = {
		{ "{\"l3\":true}", "lab.l3: expected an object" },
		{ "{\"l3\":{\"cpus\":1}}", "lab.l3: unknown key \"cpus\"" },
		{ "{\"l3\":{\"vcpus\":0}}", "lab.l3: \"vcpus\"" },
		{ "{\"l3\":{\"memory_mib\":128}}", "lab.l3: \"memory_mib\"" },
		{ "{\"l3\":{\"cid\":42}}", "cid 42 is L2's too" },
		{ "{\"l2\":{\"memory_mib\":1024},\"l3\":{\"memory_mib\":512}}",
		  "l2.memory_mib (1024) must exceed l3.memory_mib (512) by at least 768" },
	};
	struct nb_lab_cfg d;

	CHECK(c);
	nb_lab_defaults(&d);
	CHECK(d.l3_cid == 0);
	snprintf(text, sizeof(text), head, "", "{}");
	CHECK_MSG(parse(text, c, err) == 0, "%s", err);
	CHECK(c->lab.l3_cid == 0);
	nb_config_free(c);
	snprintf(text, sizeof(text), head, l3tier, "{\"l3\":{}}");
	CHECK_MSG(parse(text, c, err) == 0, "%s", err);
	CHECK(c->lab.l3_vcpus == 1 && c->lab.l3_memory_mib == 512 && c->lab.l3_cid == 43);
	CHECK(c->tiers[1].parent == 0);
	nb_config_free(c);
	snprintf(text, sizeof(text), head, l3tier,
		 "{\"l2\":{\"memory_mib\":2048},\"l3\":{\"vcpus\":2,\"memory_mib\":1024,\"cid\":50}}");
	CHECK_MSG(parse(text, c, err) == 0, "%s", err);
	CHECK(c->lab.l3_vcpus == 2 && c->lab.l3_memory_mib == 1024 && c->lab.l3_cid == 50);
	nb_config_free(c);
	/* lab:L3 without lab.l3 */
	snprintf(text, sizeof(text), head, l3tier, "{}");
	CHECK(parse(text, c, err) == -1);
	CHECK_MSG(strstr(err, "tiers[1]: address \"lab:L3\" needs \"l3\" in the \"lab\" object"), "%s", err);
	/* lab:L3 not via the lab:L2 tier */
	snprintf(text, sizeof(text), head, ",{\"name\":\"L3\",\"level\":3,\"address\":\"lab:L3\"}",
		 "{\"l3\":{}}");
	CHECK(parse(text, c, err) == -1);
	CHECK_MSG(strstr(err, "tiers[1]: address \"lab:L3\" is reached through L2: give it \"via\""), "%s", err);
	/* lab:L4 is no guest of the lab */
	snprintf(text, sizeof(text), head, ",{\"name\":\"L4\",\"level\":4,\"address\":\"lab:L4\"}",
		 "{\"l3\":{}}");
	CHECK(parse(text, c, err) == -1);
	CHECK_MSG(strstr(err, "lab:L1, lab:L2 and, with lab.l3, lab:L3"), "%s", err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), head, "", bad[i].lab);
		CHECK_MSG(parse(text, c, err) == -1, "%s accepted", bad[i].lab);
		CHECK_MSG(strstr(err, bad[i].want) != NULL, "%s: '%s' lacks '%s'", bad[i].lab, err, bad[i].want);
	}
	free(c);
}

TEST(config_missing_file)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];

	CHECK(c);
	CHECK(nb_config_load("/nonexistent/campaign.json", c, err) == -1);
	CHECK(strstr(err, "/nonexistent/campaign.json") && strstr(err, "No such file"));
	free(c);
}

TEST(config_patterns)
{
	CHECK(nb_pattern_match("exit.*", "exit.cpuid"));
	CHECK(!nb_pattern_match("exit.*", "ctl.syscall"));
	CHECK(nb_pattern_match("mem.*", "mem.bw.copy"));
	CHECK(nb_pattern_match("mem.bw.*", "mem.bw.copy"));
	CHECK(!nb_pattern_match("mem.bw.*", "mem.lat"));
	CHECK(nb_pattern_match("*", "io.fsync"));
	CHECK(nb_pattern_match("cpu.int", "cpu.int"));
	CHECK(!nb_pattern_match("cpu.int", "cpu.int2"));
	CHECK(!nb_pattern_match("exit", "exit.cpuid"));
}

TEST(config_syntax_error_from_file)
{
	/* Regression: the file buffer was not NUL-terminated and the error excerpt read
	 * past it (found by AddressSanitizer). */
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char path[] = "/tmp/nbtest-config-XXXXXX", err[NB_ERR_LEN];
	int fd = mkstemp(path);

	CHECK(c && fd >= 0);
	CHECK(write(fd, "{\n \"name\": \"x\",\n \"tiers\": [,", 28) == 28);
	close(fd);
	CHECK(nb_config_load(path, c, err) == -1);
	CHECK_MSG(strstr(err, ":3:") && strstr(err, "syntax"), "%s", err);
	unlink(path);
	free(c);
}

TEST(config_tiers_order_canary_and_quiet)
{
	struct nb_campaign_cfg *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];
	const char *local = "{\"name\":\"x\",\"tiers\":[{\"name\":\"h\",\"level\":0,"
			    "\"address\":\"local\"}],\"workloads\":[\"*\"]";
	char text[512];

	CHECK(c);
	/* defaults: one tier after the other, canary on, quiet wait 10 % / 2 s / 120 s */
	snprintf(text, sizeof(text), "%s}", local);
	CHECK_MSG(parse(text, c, err) == 0, "%s", err);
	CHECK(!nb_config_interleaved(c) && c->canary == 1 && c->keep_workers == 1);
	CHECK(c->quiet.enabled && c->quiet.threshold_pct == 10 && c->quiet.window_s == 2 &&
	      c->quiet.timeout_s == 120);
	nb_config_free(c);
	snprintf(text, sizeof(text), "%s,\"order\":{\"tiers\":\"interleaved\"},\"canary\":false,"
		 "\"keep_workers\":false,"
		 "\"quiet\":{\"threshold_pct\":25,\"timeout_s\":30}}", local);
	CHECK_MSG(parse(text, c, err) == 0, "%s", err);
	CHECK(nb_config_interleaved(c) && c->canary == 0 && c->keep_workers == 0);
	CHECK(c->quiet.threshold_pct == 25 && c->quiet.window_s == 2 && c->quiet.timeout_s == 30);
	nb_config_free(c);
	/* a lab campaign interleaves unless it says by-tier */
	snprintf(text, sizeof(text), "{\"name\":\"x\",\"tiers\":[{\"name\":\"L1\",\"level\":1,"
		 "\"address\":\"lab:L1\"}],\"workloads\":[\"*\"],\"lab\":{},\"quiet\":false}");
	CHECK_MSG(parse(text, c, err) == 0, "%s", err);
	CHECK(nb_config_interleaved(c) && !c->quiet.enabled);
	nb_config_free(c);
	snprintf(text, sizeof(text), "{\"name\":\"x\",\"tiers\":[{\"name\":\"L1\",\"level\":1,"
		 "\"address\":\"lab:L1\"}],\"workloads\":[\"*\"],\"lab\":{},"
		 "\"order\":{\"tiers\":\"by-tier\"}}");
	CHECK_MSG(parse(text, c, err) == 0, "%s", err);
	CHECK(!nb_config_interleaved(c));
	nb_config_free(c);
	free(c);
}
