/* test_derived.c - derived metrics (analysis/derived.c): values where the inputs exist,
 * "n/a" with the reason everywhere else (unsupported, not requested, not counted,
 * zero denominators), never 0; the multiplexed flag; reading result samples. */
#include "../unit/check.h"
#include "../../analysis/derived.h"

#include <stdlib.h>

static struct nb_derive_in in_of(const struct nb_ctr *c, int n, double ops)
{
	struct nb_derive_in in;

	memset(&in, 0, sizeof(in));
	in.ctr = c;
	in.nctr = n;
	in.ops = ops;
	return in;
}

TEST(derived_ipc_and_mpki_from_counted_inputs)
{
	struct nb_ctr c[] = {
		{ "cycles", NB_CTR_COUNTED, 2000000, 0, NULL },
		{ "instructions", NB_CTR_COUNTED, 3000000, 0, NULL },
		{ "dTLB-load-misses", NB_CTR_COUNTED, 4500, 0, NULL },
		{ "L1_DTLB_MISS:TLB_RELOAD_4K_L2_MISS", NB_CTR_COUNTED, 300, 0, NULL },
	};
	struct nb_derive_in in = in_of(c, 4, 1000);
	struct nb_metric m;
	char buf[64];

	CHECK(nb_derive_ipc(&in, &m) == 0 && m.ok);
	CHECK_NEAR(m.value, 1.5, 1e-12);
	CHECK_STR(m.name, "ipc");
	CHECK_STR(nb_metric_text(&m, buf, sizeof(buf)), "1.5");
	CHECK(nb_derive_mpki(&in, "dTLB-load-misses", &m) == 0);
	CHECK_NEAR(m.value, 1.5, 1e-12);                 /* 4500 per 3e6 instructions */
	CHECK_STR(m.name, "dTLB-load-misses_pki");
	CHECK(nb_derive_mpki(&in, "L1_DTLB_MISS:TLB_RELOAD_4K_L2_MISS", &m) == 0);
	CHECK_NEAR(m.value, 0.1, 1e-12);
	CHECK(!m.estimated);
}

TEST(derived_na_when_an_input_is_unsupported)
{
	struct nb_ctr c[] = {
		{ "cycles", NB_CTR_UNSUPPORTED, 0, 0, "not supported here (No such file or directory): no PMU exposed to this tier?" },
		{ "instructions", NB_CTR_UNSUPPORTED, 0, 0, "not supported here (No such file or directory): no PMU exposed to this tier?" },
		{ "page-faults", NB_CTR_COUNTED, 10000, 0, NULL },
	};
	struct nb_derive_in in = in_of(c, 3, 10000);
	struct nb_metric m;
	char buf[64];

	CHECK(nb_derive_ipc(&in, &m) == -1 && !m.ok);
	CHECK(isnan(m.value));                            /* never 0 */
	CHECK_STR(nb_metric_text(&m, buf, sizeof(buf)), "n/a");
	CHECK(strstr(m.why, "unsupported on this tier") && strstr(m.why, "no PMU"));
	CHECK(nb_derive_mpki(&in, "dTLB-load-misses", &m) == -1);
	CHECK(strstr(m.why, "dTLB-load-misses was not counted"));   /* not requested */
	CHECK(nb_derive_per_op(&in, "page-faults", "faults_per_op", &m) == 0);
	CHECK_NEAR(m.value, 1.0, 1e-12);                 /* pf.anon: one fault per op */
}

TEST(derived_na_for_zero_denominators_and_not_counted)
{
	struct nb_ctr c[] = {
		{ "cycles", NB_CTR_COUNTED, 0, 0, NULL },
		{ "instructions", NB_CTR_COUNTED, 0, 0, NULL },
		{ "cache-misses", NB_CTR_COUNTED, 5, 0, NULL },
		{ "context-switches", NB_CTR_NOT_COUNTED, 0, 0, NULL },
		{ "page-faults", NB_CTR_COUNTED, 7, 0, NULL },
	};
	struct nb_derive_in in = in_of(c, 5, 0);
	struct nb_metric m;

	CHECK(nb_derive_ipc(&in, &m) == -1);
	CHECK(strstr(m.why, "cycles is 0"));
	CHECK(nb_derive_mpki(&in, "cache-misses", &m) == -1);
	CHECK(strstr(m.why, "instructions is 0"));
	CHECK(nb_derive_per_op(&in, "context-switches", "cs_per_op", &m) == -1);
	CHECK(strstr(m.why, "not counted"));
	CHECK(nb_derive_per_op(&in, "page-faults", "faults_per_op", &m) == -1);
	CHECK(strstr(m.why, "operation count is unknown"));
}

TEST(derived_estimated_when_multiplexed)
{
	struct nb_ctr c[] = {
		{ "cycles", NB_CTR_COUNTED, 1000, 1, NULL },
		{ "instructions", NB_CTR_COUNTED, 500, 0, NULL },
	};
	struct nb_derive_in in = in_of(c, 2, 1);
	struct nb_metric m;
	char buf[64];

	CHECK(nb_derive_ipc(&in, &m) == 0 && m.estimated);
	CHECK_STR(nb_metric_text(&m, buf, sizeof(buf)), "0.5 (est.)");
}

TEST(derived_walk_share_and_event_classes)
{
	struct nb_ctr c[] = {
		{ "cycles", NB_CTR_COUNTED, 1e6, 0, NULL },
		{ "DTLB_LOAD_MISSES:WALK_ACTIVE", NB_CTR_COUNTED, 2.5e5, 0, NULL },
	};
	struct nb_derive_in in = in_of(c, 2, 1);
	struct nb_metric m;

	CHECK(nb_derive_walk_share(&in, "DTLB_LOAD_MISSES:WALK_ACTIVE", &m) == 0);
	CHECK_NEAR(m.value, 0.25, 1e-12);
	CHECK_STR(m.name, "walk_share[DTLB_LOAD_MISSES:WALK_ACTIVE]");
	CHECK(nb_is_walk_cycles_event("DTLB_LOAD_MISSES:WALK_DURATION"));
	CHECK(nb_is_walk_cycles_event("walk-cycles"));
	CHECK(!nb_is_walk_cycles_event("dTLB-load-misses"));
	CHECK(nb_is_miss_event("dTLB-load-misses") && nb_is_miss_event("iTLB-load-misses"));
	CHECK(nb_is_miss_event("branch-misses") && nb_is_miss_event("L1_DTLB_MISS:TLB_RELOAD_4K_L2_MISS"));
	CHECK(!nb_is_miss_event("DTLB_LOAD_MISSES:WALK_ACTIVE"));   /* cycles, not misses */
	CHECK(!nb_is_miss_event("page-faults") && !nb_is_miss_event("cycles"));
}

TEST(derived_exits_per_op)
{
	struct nb_derive_in in = in_of(NULL, 0, 1000);
	struct nb_metric m;

	CHECK(nb_derive_exits_per_op(&in, &m) == -1);
	CHECK(strstr(m.why, "count_exits"));
	in.exits_state = NB_EXITS_COUNTED;
	in.exits = 10350;
	in.exits_ops = 10000;
	CHECK(nb_derive_exits_per_op(&in, &m) == 0);
	CHECK_NEAR(m.value, 1.035, 1e-12);
	in.exits_ops = 0;
	CHECK(nb_derive_exits_per_op(&in, &m) == -1);
	in.exits_state = NB_EXITS_UNKNOWN;
	in.exits_why = "kvm:kvm_exit did not fire";
	CHECK(nb_derive_exits_per_op(&in, &m) == -1);
	CHECK(strstr(m.why, "kvm_exit did not fire"));
	CHECK(isnan(m.value));
}

TEST(derived_all_and_from_result_sample)
{
	static const char sample[] =
		"{\"rep\":0,\"ops\":10000,\"ns\":33868664,\"value\":3386.8664,"
		"\"counters\":["
		"{\"name\":\"cycles\",\"unsupported\":\"not supported here (No such file or directory): no PMU exposed to this tier?\"},"
		"{\"name\":\"instructions\",\"unsupported\":\"not supported here: no PMU exposed\"},"
		"{\"name\":\"dTLB-load-misses\",\"unsupported\":\"not supported here\"},"
		"{\"name\":\"page-faults\",\"value\":10000,\"enabled_ns\":1,\"running_ns\":1,\"scaled\":10000,\"multiplexed\":false},"
		"{\"name\":\"context-switches\",\"value\":0,\"enabled_ns\":0,\"running_ns\":0,\"scaled\":null,\"multiplexed\":false}],"
		"\"exits\":{\"counted_by\":\"L1\",\"visit_ops\":20000,\"total\":21000}}";
	cJSON *s = cJSON_Parse(sample);
	struct nb_ctr ctr[8];
	struct nb_derive_in in;
	struct nb_metric m[16];
	int n;

	CHECK(s);
	CHECK(nb_derive_from_sample(s, &in, ctr, 8) == 0);
	CHECK(in.nctr == 5 && in.ops == 10000);
	CHECK(in.ctr[0].state == NB_CTR_UNSUPPORTED && in.ctr[3].state == NB_CTR_COUNTED);
	CHECK(in.ctr[4].state == NB_CTR_NOT_COUNTED);
	n = nb_derive_all(&in, m, 16);
	/* ipc, dTLB-load-misses_pki, faults_per_op, cs_per_op, exits_per_op */
	CHECK_MSG(n == 5, "%d metrics", n);
	CHECK_STR(m[0].name, "ipc");
	CHECK(!m[0].ok && strstr(m[0].why, "no PMU"));
	CHECK_STR(m[1].name, "dTLB-load-misses_pki");
	CHECK(!m[1].ok);
	CHECK_STR(m[2].name, "faults_per_op");
	CHECK(m[2].ok && m[2].value == 1.0);
	CHECK_STR(m[3].name, "cs_per_op");
	CHECK(!m[3].ok);
	CHECK_STR(m[4].name, "exits_per_op");
	CHECK(m[4].ok && fabs(m[4].value - 1.05) < 1e-12);
	CHECK(nb_derive_from_sample(s, &in, ctr, 4) == -1);   /* no room */
	cJSON_Delete(s);

	s = cJSON_Parse("{\"ops\":5,\"counters\":[],\"exits_unsupported\":\"tier L1 cannot count exits: no KVM\"}");
	CHECK(nb_derive_from_sample(s, &in, ctr, 8) == 0);
	n = nb_derive_all(&in, m, 16);
	CHECK(n == 1 && !m[0].ok && strstr(m[0].why, "no KVM"));
	cJSON_Delete(s);
	s = cJSON_Parse("{\"ops\":5,\"exits\":{\"total\":null,\"visit_ops\":5,"
			"\"total_unsupported\":\"kvm:kvm_exit did not fire\"}}");
	CHECK(nb_derive_from_sample(s, &in, ctr, 8) == 0);
	CHECK(nb_derive_all(&in, m, 16) == 1 && !m[0].ok && strstr(m[0].why, "did not fire"));
	cJSON_Delete(s);
}

/* A counted event of a result sample. */
#define EV(name, n) "{\"name\":\"" name "\",\"enabled_ns\":1,\"running_ns\":1,\"scaled\":" #n "}"

TEST(derived_metric_by_name_and_title)
{
	cJSON *s = cJSON_Parse("{\"ops\":10,\"counters\":[" EV("cycles", 1000) "," EV("instructions", 2000) ","
			       EV("dTLB-load-misses", 4) "," EV("DTLB_LOAD_MISSES:WALK_ACTIVE", 100) ","
			       EV("page-faults", 30) "," EV("context-switches", 3) "],"
			       "\"exits\":{\"visit_ops\":20,\"total\":50}}");
	struct nb_ctr ctr[6];
	struct nb_derive_in in;
	struct nb_metric m;
	char buf[96];

	CHECK(s && nb_derive_from_sample(s, &in, ctr, 6) == 0);
	CHECK(nb_derive_metric(&in, "ipc", &m) == 0 && m.value == 2);
	CHECK(nb_derive_metric(&in, "dTLB-load-misses_pki", &m) == 0 && m.value == 2);
	CHECK(nb_derive_metric(&in, "walk_share[DTLB_LOAD_MISSES:WALK_ACTIVE]", &m) == 0);
	CHECK_NEAR(m.value, 0.1, 1e-15);
	CHECK(nb_derive_metric(&in, "faults_per_op", &m) == 0 && m.value == 3);
	CHECK(nb_derive_metric(&in, "cs_per_op", &m) == 0);
	CHECK_NEAR(m.value, 0.3, 1e-15);
	CHECK(nb_derive_metric(&in, "exits_per_op", &m) == 0 && m.value == 2.5);
	CHECK(nb_derive_metric(&in, "branchy", &m) == -1 && strstr(m.why, "no metric is called branchy"));
	CHECK(isnan(m.value));
	CHECK(nb_derive_metric(&in, "walk_share[]", &m) == -1);

	CHECK_STR(nb_metric_title("ipc", buf, sizeof(buf)), "IPC");
	CHECK_STR(nb_metric_title("exits_per_op", buf, sizeof(buf)), "exits/op");
	CHECK_STR(nb_metric_title("exits_per_op[cpuid]", buf, sizeof(buf)), "cpuid exits/op");
	CHECK_STR(nb_metric_title("faults_per_op", buf, sizeof(buf)), "faults/op");
	CHECK_STR(nb_metric_title("cs_per_op", buf, sizeof(buf)), "ctx switches/op");
	CHECK_STR(nb_metric_title("dTLB-load-misses_pki", buf, sizeof(buf)), "dTLB-load-misses per 1k instr");
	CHECK_STR(nb_metric_title("walk_share[X:WALK_ACTIVE]", buf, sizeof(buf)), "X:WALK_ACTIVE share of cycles");
	CHECK_STR(nb_metric_title("other", buf, sizeof(buf)), "other");
	cJSON_Delete(s);
}

TEST(derived_ipc_names_the_unsupported_input)
{
	/* No PMU: cycles unsupported, instructions not even requested.  The footnote must
	 * say the tier cannot count, not only that the campaign did not ask. */
	struct nb_ctr c[] = {
		{ "cycles", NB_CTR_UNSUPPORTED, 0, 0, "not supported here: no PMU exposed to this tier?" },
	};
	struct nb_derive_in in = in_of(c, 1, 10);
	struct nb_metric m;

	CHECK(nb_derive_ipc(&in, &m) == -1);
	CHECK_MSG(strstr(m.why, "cycles unsupported on this tier") && strstr(m.why, "no PMU"), "%s", m.why);
}

TEST(derived_exits_by_reason)
{
	static const char sample[] =
		"{\"ops\":1000,\"counters\":[],\"exits\":{\"visit_ops\":2000,\"total\":2600,"
		"\"first_visit\":true,\"by_reason\":{\"cpuid\":2084,\"msr\":300,\"io\":216,\"bad\":\"x\"}}}";
	cJSON *s = cJSON_Parse(sample);
	struct nb_ctr ctr[2];
	struct nb_exit_reason r[4];
	struct nb_derive_in in;
	struct nb_metric m;

	CHECK(s);
	CHECK(nb_derive_from_sample(s, &in, ctr, 2) == 0);
	CHECK(in.exits_first_visit && in.exits_state == NB_EXITS_COUNTED);
	/* Before the reasons are read: n/a, not 0. */
	CHECK(nb_derive_exit_reason_per_op(&in, "cpuid", &m) == -1);
	CHECK(strstr(m.why, "exit reasons were not recorded"));
	CHECK(nb_derive_reasons_from_sample(s, &in, r, 2) == -1);     /* no room */
	CHECK(nb_derive_reasons_from_sample(s, &in, r, 4) == 0);
	CHECK(in.exits_reasons && in.nreasons == 3);                  /* the string is skipped */
	CHECK(nb_derive_exit_reason_per_op(&in, "cpuid", &m) == 0);
	CHECK_NEAR(m.value, 1.042, 1e-12);
	CHECK_STR(m.name, "exits_per_op[cpuid]");
	CHECK(nb_derive_metric(&in, "exits_per_op[io]", &m) == 0);
	CHECK_NEAR(m.value, 0.108, 1e-12);
	/* A reason the visit never saw: a true 0, since every reason seen is listed. */
	CHECK(nb_derive_exit_reason_per_op(&in, "hlt", &m) == 0 && m.value == 0);
	cJSON_Delete(s);

	s = cJSON_Parse("{\"ops\":5,\"exits_unsupported\":\"no KVM\"}");
	CHECK(nb_derive_from_sample(s, &in, ctr, 2) == 0 && nb_derive_reasons_from_sample(s, &in, r, 4) == 0);
	CHECK(!in.exits_reasons && in.nreasons == 0);
	CHECK(nb_derive_exit_reason_per_op(&in, "cpuid", &m) == -1 && strstr(m.why, "no KVM"));
	cJSON_Delete(s);
}
