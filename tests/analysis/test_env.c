/* test_env.c - what the reports say a tier was: read from the structured identity
 * (tiers[].identity), never from the prose; files written before identities were
 * recorded (version 1) keep the natures and column names they had; a label the
 * evidence contradicts is in the column's name, not only in a footnote. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../analysis/resultset.h"
#include "../../analysis/table.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define DATA "tests/analysis/data/"

static int load(struct nb_resultset *rs, const char *path)
{
	char err[NB_ERR_LEN];

	if (nb_rs_add_file(rs, path, err)) {
		printf("  load %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static int add_text(struct nb_resultset *rs, const char *json)
{
	char err[NB_ERR_LEN];
	cJSON *doc = cJSON_Parse(json);
	int rc = doc ? nb_rs_add_doc(rs, "inline.json", doc, err) : -1;

	cJSON_Delete(doc);
	return rc;
}

static int build(struct nb_table *t, const struct nb_resultset *rs, const char *baseline)
{
	struct nb_table_opts o;
	char err[NB_ERR_LEN];

	nb_table_opts_default(&o);
	o.baseline = baseline;
	o.resamples = 200;
	if (nb_table_build(t, rs, &o, err)) {
		printf("  table: %s\n", err);
		return -1;
	}
	return 0;
}

static int has_col(const struct nb_table *t, const char *label)
{
	for (size_t c = 0; c < t->n_cols; c++)
		if (strcmp(t->cols[c].label, label) == 0)
			return 1;
	return 0;
}

/* Version 1 files: the recorded nature verbatim, the hypervisor names of that time. */
TEST(env_version1_files_keep_their_natures)
{
	static const struct {
		const char *file, *tier, *nature, *hypervisor, *accelerator;
		int bare;
	} want[] = {
		{ DATA "kvm.json", "L0", "bare metal (no hypervisor bit)", "bare metal", NULL, 1 },
		{ DATA "kvm.json", "L1", "KVM guest (signature KVMKVMKVM)", "KVM", NULL, 0 },
		{ DATA "kvm.json", "L3", "unknown (no sysinfo recorded)", "KVM", NULL, 0 },  /* the label */
		{ DATA "hyperv.json", "L1", "Hyper-V guest (signature Microsoft Hv)", "Hyper-V", NULL, 0 },
		{ DATA "tcg.json", "L1", "QEMU TCG guest (signature TCGTCGTCGTCG), accelerator tcg", "QEMU TCG",
		  "tcg", 0 },
		{ DATA "lab-exits.json", "L2", "KVM guest (signature KVMKVMKVM), accelerator KVM (KVM inside "
		  "L1, L1 emulated by TCG)", "KVM", "kvm", 0 },
		{ "results/example/lab-demo.json", "L0", "KVM guest (signature KVMKVMKVM)", "KVM", NULL, 0 },
		{ "results/example/lab-demo.json", "L1", "QEMU TCG guest (signature TCGTCGTCGTCG), accelerator "
		  "TCG (QEMU emulation, not hardware-assisted)", "QEMU TCG", "tcg", 0 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct nb_resultset rs = { 0 };
		const struct nb_rs_tier *t = NULL;

		CHECK(load(&rs, want[i].file) == 0);
		for (size_t j = 0; j < rs.n_tiers; j++)
			if (strcmp(rs.tiers[j].name, want[i].tier) == 0)
				t = &rs.tiers[j];
		CHECK_MSG(t, "%s: no tier %s", want[i].file, want[i].tier);
		if (t) {
			CHECK_STR(t->env.nature, want[i].nature);
			CHECK_STR(t->env.hypervisor, want[i].hypervisor);
			CHECK_MSG(!want[i].accelerator ? !t->env.accelerator
				  : t->env.accelerator && strcmp(t->env.accelerator, want[i].accelerator) == 0,
				  "%s %s: accelerator %s", want[i].file, want[i].tier,
				  t->env.accelerator ? t->env.accelerator : "(none)");
			CHECK(t->env.bare_metal == want[i].bare && !t->env.labelled);
		}
		nb_rs_free(&rs);
	}
}

/* The hyperv-l1 campaign run on a KVM guest (as the old harness recorded it: label
 * hyperv, nature KVM, a warning): the column is named for what the tier is, and says
 * that the label is wrong; the L2 column is named for its platform, KVM. */
TEST(env_label_contradiction_in_column_name)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;

	CHECK(load(&rs, DATA "kvm.json") == 0 && load(&rs, DATA "mislabelled.json") == 0);
	CHECK_STR(rs.tiers[4].env.hypervisor, "KVM");
	CHECK_STR(rs.tiers[4].env.labelled, "Hyper-V");
	CHECK(!rs.tiers[5].env.labelled);    /* L2: labelled kvm, is KVM */
	CHECK(build(&t, &rs, NULL) == 0);
	CHECK(has_col(&t, "KVM L1 (NOT Hyper-V as labelled)"));
	CHECK(!has_col(&t, "Hyper-V L1"));
	CHECK(has_col(&t, "KVM L1"));        /* kvm.json's own column keeps its name */
	nb_table_free(&t);
	nb_rs_free(&rs);
}

/* A tier recorded with an identity: the reports use its fields, whatever the prose. */
static const char *pvm_doc =
	"{\"schema\":\"nestbench-result\",\"schema_version\":2,\"campaign\":{\"name\":\"local\",\"seed\":1},"
	"\"started_utc\":\"2026-12-01T00:00:00Z\",\"nestbench\":{\"work_sha256\":\"ab\"},\"tiers\":["
	"{\"name\":\"L0\",\"level\":0,\"hypervisor_label\":\"%s\",\"status\":\"done\","
	"\"nature\":\"bhyve guest (this prose is not read)\","
	"\"identity\":{\"kind\":\"guest\",\"hypervisor\":\"pvm\",\"name\":\"PVM\",\"beneath\":\"bhyve\","
	"\"basis\":\"kernel\",\"layer\":\"PVM guest whose host runs under bhyve\",\"evidence\":[],"
	"\"conflicts\":[]%s},"
	"\"cases\":[{\"key\":\"w.x\",\"workload\":\"w.x\",\"family\":\"cpu\",\"unit\":\"ns/op\","
	"\"better\":\"lower\",\"status\":\"done\",\"samples\":[{\"value\":1},{\"value\":1.1}]}]},"
	"{\"name\":\"L1\",\"level\":1,\"status\":\"done\",\"nature\":\"bare metal (prose again)\","
	"\"identity\":{\"kind\":\"guest\",\"hypervisor\":\"tcg\",\"name\":\"QEMU TCG\",\"accelerator\":\"tcg\","
	"\"layer\":\"QEMU TCG guest\",\"evidence\":[],\"conflicts\":[],\"label_contradicted\":false},"
	"\"cases\":[{\"key\":\"w.x\",\"workload\":\"w.x\",\"family\":\"cpu\",\"unit\":\"ns/op\","
	"\"better\":\"lower\",\"status\":\"done\",\"samples\":[{\"value\":3},{\"value\":3.3}]}]}]}";

TEST(env_reads_identity_not_prose)
{
	struct nb_resultset rs = { 0 };
	struct nb_table t;
	char doc[4096];

	snprintf(doc, sizeof(doc), pvm_doc, "", ",\"label_contradicted\":false");
	CHECK(add_text(&rs, doc) == 0);
	CHECK_STR(rs.tiers[0].env.hypervisor, "PVM");
	CHECK(!rs.tiers[0].env.bare_metal && !rs.tiers[0].env.labelled);
	CHECK_STR(rs.tiers[0].env.identity, "guest pvm over bhyve");
	CHECK(!rs.tiers[1].env.bare_metal);   /* the prose says bare metal; the identity does not */
	CHECK_STR(rs.tiers[1].env.identity, "guest tcg");
	CHECK(build(&t, &rs, NULL) == 0);
	CHECK(has_col(&t, "PVM L0 median") || has_col(&t, "PVM L0"));
	CHECK(has_col(&t, "QEMU TCG L1"));    /* not "bare metal L1", as its prose says */
	nb_table_free(&t);
	nb_rs_free(&rs);

	/* The recorded contradiction, not a comparison of prose. */
	memset(&rs, 0, sizeof(rs));
	snprintf(doc, sizeof(doc), pvm_doc, "kvm", ",\"label_hypervisor\":\"kvm\",\"label_contradicted\":true");
	CHECK(add_text(&rs, doc) == 0);
	CHECK_STR(rs.tiers[0].env.labelled, "KVM");
	CHECK(build(&t, &rs, NULL) == 0);
	CHECK(has_col(&t, "PVM L0 (NOT KVM as labelled) median") || has_col(&t, "PVM L0 (NOT KVM as labelled)"));
	nb_table_free(&t);
	nb_rs_free(&rs);
}

/* compare: a version 1 BASE and a NEW of the same machine are the same kind of tier,
 * whatever their natures say in words; another hypervisor is not. */
TEST(env_same_tier_across_versions)
{
	struct nb_resultset rs = { 0 };
	char doc[4096];

	CHECK(load(&rs, DATA "kvm.json") == 0);   /* L1: "KVM guest (signature KVMKVMKVM)" */
	CHECK(add_text(&rs, "{\"schema\":\"nestbench-result\",\"schema_version\":2,\"campaign\":{\"name\":"
			    "\"kvm-host\"},\"tiers\":[{\"name\":\"L1\",\"level\":1,\"hypervisor_label\":\"kvm\","
			    "\"nature\":\"KVM guest (CPUID signature \\\"KVMKVMKVM\\\"; kernel detected KVM)\","
			    "\"identity\":{\"kind\":\"guest\",\"hypervisor\":\"kvm\",\"name\":\"KVM\","
			    "\"label_hypervisor\":\"kvm\",\"label_contradicted\":false}}]}") == 0);
	CHECK(strcmp(rs.tiers[1].env.nature, rs.tiers[4].env.nature) != 0);
	CHECK(nb_rs_env_same(&rs.tiers[1].env, &rs.tiers[4].env));
	snprintf(doc, sizeof(doc), pvm_doc, "", "");
	CHECK(add_text(&rs, doc) == 0);
	CHECK(!nb_rs_env_same(&rs.tiers[1].env, &rs.tiers[5].env));
	CHECK(!nb_rs_env_same(&rs.tiers[0].env, &rs.tiers[1].env));
	/* KVM presenting Hyper-V's interface (lab.l2.hyperv) is not plain KVM. */
	CHECK(add_text(&rs, "{\"schema\":\"nestbench-result\",\"schema_version\":2,\"campaign\":{\"name\":"
			    "\"hv\"},\"tiers\":[{\"name\":\"L1\",\"level\":1,\"nature\":\"KVM guest with "
			    "Hyper-V enlightenments\",\"identity\":{\"kind\":\"guest\",\"hypervisor\":\"kvm\","
			    "\"name\":\"KVM\",\"presents\":\"hyperv\",\"label_contradicted\":false}}]}") == 0);
	CHECK_STR(rs.tiers[7].env.identity, "guest kvm presenting hyperv");
	CHECK(!nb_rs_env_same(&rs.tiers[4].env, &rs.tiers[7].env));
	nb_rs_free(&rs);
}
