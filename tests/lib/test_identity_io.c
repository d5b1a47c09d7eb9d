/* test_identity_io.c - tiers[].identity: written from the evidence's verdict, read back
 * as typed fields, and derived from the prose nature of files written before it existed
 * (version 1) the way readers of that time did. */
#include "../unit/check.h"
#include "../../common/json.h"
#include "../../resultlib/result.h"

#include <string.h>

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

TEST(identity_written_and_read_back)
{
	struct nb_evidence e = { .bit = 1, .signature = "bhyve bhyve ", .max_leaf = 0x40000001,
				 .kernel = "PVM", .kernel_read = 1, .hosts_pvm = 1 };
	struct nb_identity id;
	struct nb_res_identity_view v;
	cJSON *tier = cJSON_CreateObject();

	nb_identify(&e, &id);
	nb_identity_check_label(&id, "bhyve");
	nb_res_tier_set_identity(tier, &id);
	CHECK_STR(nb_json_str(tier, "identity.kind", ""), "guest");
	CHECK_STR(nb_json_str(tier, "identity.hypervisor", ""), "pvm");
	CHECK_STR(nb_json_str(tier, "identity.beneath", ""), "bhyve");
	CHECK_STR(nb_json_str(tier, "identity.layer", ""), "PVM guest whose host runs under bhyve");
	CHECK(cJSON_GetArraySize(nb_json_path(tier, "identity.evidence")) >= 3);
	CHECK(cJSON_IsArray(nb_json_path(tier, "identity.conflicts")));
	CHECK(nb_json_true(tier, "identity.label_contradicted"));

	nb_res_tier_identity(tier, &v);
	CHECK(v.recorded && v.kind == NB_ID_GUEST);
	CHECK_STR(str(v.hypervisor), "pvm");
	CHECK_STR(str(v.name), "PVM");
	CHECK_STR(str(v.beneath), "bhyve");
	CHECK_STR(str(v.label_hypervisor), "bhyve");
	CHECK(v.label_contradicted && !v.presents && !v.accelerator);
	cJSON_Delete(tier);
}

/* A hypervisor this build's table lacks keeps its recorded name. */
TEST(identity_unknown_key_keeps_its_name)
{
	cJSON *tier = cJSON_Parse("{\"identity\":{\"kind\":\"guest\",\"hypervisor\":\"zork\",\"name\":\"Zork\"}}");
	struct nb_res_identity_view v;

	nb_res_tier_identity(tier, &v);
	CHECK(v.recorded && v.kind == NB_ID_GUEST && !v.hypervisor);
	CHECK_STR(str(v.name), "Zork");
	cJSON_Delete(tier);
}

TEST(identity_derived_from_version1_nature)
{
	static const struct {
		const char *tier;
		enum nb_id_kind kind;
		const char *hypervisor, *name, *accelerator, *label;
		int contradicted;
	} want[] = {
		{ "{\"nature\":\"bare metal (no hypervisor bit)\"}", NB_ID_BARE_METAL, NULL, NULL, NULL, NULL, 0 },
		{ "{\"nature\":\"KVM guest (signature KVMKVMKVM)\",\"hypervisor_label\":\"kvm\"}", NB_ID_GUEST,
		  "kvm", "KVM", NULL, "kvm", 0 },
		{ "{\"nature\":\"KVM guest (signature KVMKVMKVM)\",\"hypervisor_label\":\"hyperv\","
		  "\"warning\":\"the campaign labels this tier \\\"hyperv\\\" but it reports KVM\"}", NB_ID_GUEST,
		  "kvm", "KVM", NULL, "hyperv", 1 },
		{ "{\"nature\":\"QEMU TCG guest (signature TCGTCGTCGTCG), accelerator TCG (QEMU emulation, "
		  "not hardware-assisted)\"}", NB_ID_GUEST, "tcg", "QEMU TCG", "tcg", NULL, 0 },
		{ "{\"nature\":\"QEMU TCG guest (signature TCGTCGTCGTCG), accelerator tcg\","
		  "\"sysinfo\":{\"accelerator\":\"tcg\"}}", NB_ID_GUEST, "tcg", "QEMU TCG", "tcg", NULL, 0 },
		{ "{\"nature\":\"KVM guest (signature KVMKVMKVM), accelerator KVM (KVM inside L1, L1 emulated "
		  "by TCG)\"}", NB_ID_GUEST, "kvm", "KVM", "kvm", NULL, 0 },
		{ "{\"nature\":\"guest of an unknown hypervisor (signature \\\"xx\\\")\",\"hypervisor_label\":\"kvm\"}",
		  NB_ID_GUEST, NULL, NULL, NULL, "kvm", 0 },
		{ "{\"nature\":\"unknown (sysinfo failed)\"}", NB_ID_UNKNOWN, NULL, NULL, NULL, NULL, 0 },
		{ "{\"hypervisor_label\":\"kvm\"}", NB_ID_UNKNOWN, NULL, NULL, NULL, "kvm", 0 },
		{ "{\"nature\":\"bare metal (no hypervisor bit)\",\"hypervisor_label\":\"vmware\"}", NB_ID_BARE_METAL,
		  NULL, NULL, NULL, "vmware", 1 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cJSON *tier = cJSON_Parse(want[i].tier);
		struct nb_res_identity_view v;

		CHECK_MSG(tier, "fixture %zu does not parse", i);
		nb_res_tier_identity(tier, &v);
		CHECK_MSG(!v.recorded && v.kind == want[i].kind, "%s: kind %d", want[i].tier, (int)v.kind);
		CHECK_MSG(strcmp(str(v.hypervisor), str(want[i].hypervisor)) == 0, "%s: %s", want[i].tier,
			  str(v.hypervisor));
		CHECK_MSG(strcmp(str(v.name), str(want[i].name)) == 0, "%s: %s", want[i].tier, str(v.name));
		CHECK_MSG(strcmp(str(v.accelerator), str(want[i].accelerator)) == 0, "%s: %s", want[i].tier,
			  str(v.accelerator));
		CHECK_MSG(strcmp(str(v.label_hypervisor), str(want[i].label)) == 0, "%s", want[i].tier);
		CHECK_MSG(v.label_contradicted == want[i].contradicted, "%s", want[i].tier);
		cJSON_Delete(tier);
	}
}
