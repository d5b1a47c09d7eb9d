/* test_identity.c - a tier's identity from recorded evidence (tests/harness/data/identity:
 * the sysinfo an agent reports and, for lab guests, the lab's description): each
 * fixture names the hypervisor the evidence supports, and only that; a campaign label
 * the evidence contradicts is caught. */
#include "../unit/check.h"
#include "../../common/files.h"
#include "../../common/hypervisors.h"
#include "../../harness/env.h"

#include <stdlib.h>
#include <string.h>

#define DATA "tests/harness/data/identity/"

/* The identity of a fixture, judged against label (NULL: none). 0, or -1 when the
 * fixture cannot be read. */
static int identify(const char *name, const char *label, struct nb_identity *id, char *nature, size_t len)
{
	char path[256];
	char *text;
	cJSON *fx;

	snprintf(path, sizeof(path), DATA "%s.json", name);
	if (!(text = nb_file_read(path, 0, NULL, NULL)))
		return -1;
	fx = cJSON_Parse(text);
	free(text);
	if (!fx)
		return -1;
	nb_env_identify(cJSON_GetObjectItem(fx, "sysinfo"), cJSON_GetObjectItem(fx, "lab"), label, id);
	nb_identity_nature(id, nature, len);
	cJSON_Delete(fx);
	return 0;
}

static const char *key(const struct nb_hypervisor *hv)
{
	return hv ? hv->key : "-";
}

struct expect {
	const char *fixture;
	enum nb_id_kind kind;
	const char *hv, *beneath, *presents;   /* table keys, "-" for none */
	const char *nature_has, *nature_lacks; /* substrings of the nature ("" / NULL: none) */
	int conflicts;
};

static const struct expect cases[] = {
	{ "bare-metal", NB_ID_BARE_METAL, "-", "-", "-", "bare metal (no hypervisor bit)", "guest", 0 },
	{ "kvm", NB_ID_GUEST, "kvm", "-", "-", "KVM guest (signature KVMKVMKVM); kernel detected KVM", NULL, 0 },
	{ "kvm-hyperv-enlightened", NB_ID_GUEST, "kvm", "-", "hyperv",
	  "KVM guest with Hyper-V enlightenments (signature Microsoft Hv, KVMKVMKVM at 0x40000100); "
	  "kernel detected KVM", "Hyper-V guest", 0 },
	{ "hyperv", NB_ID_GUEST, "hyperv", "-", "-", "Hyper-V guest (signature Microsoft Hv); "
	  "kernel detected Microsoft Hyper-V", NULL, 0 },
	{ "vmware", NB_ID_GUEST, "vmware", "-", "-", "VMware guest (signature VMwareVMware); kernel detected VMware",
	  NULL, 0 },
	{ "xen-hvm", NB_ID_GUEST, "xen", "-", "-", "Xen guest (signature XenVMMXenVMM); kernel detected Xen HVM",
	  NULL, 0 },
	{ "bhyve", NB_ID_GUEST, "bhyve", "-", "-", "bhyve guest (signature bhyve bhyve )", NULL, 0 },
	{ "pvm-under-bhyve", NB_ID_GUEST, "pvm", "bhyve", "-", "PVM guest whose host runs under bhyve "
	  "(signature bhyve bhyve  of its host); kernel detected PVM", "bhyve guest", 0 },
	{ "tcg-lab-l1", NB_ID_GUEST, "tcg", "-", "-",
	  "QEMU TCG guest (signature TCGTCGTCGTCG), accelerator TCG (QEMU emulation, not "
	  "hardware-assisted)", NULL, 0 },
	{ "kvm-lab-l2-in-tcg", NB_ID_GUEST, "kvm", "-", "-",
	  "KVM guest (signature KVMKVMKVM), accelerator KVM (KVM inside L1, L1 emulated by TCG); "
	  "kernel detected KVM", NULL, 0 },
	{ "kvm-firecracker-pvm-host", NB_ID_GUEST, "kvm", "-", "-", "KVM guest (signature KVMKVMKVM); "
	  "kernel detected KVM", "PVM", 0 },
	{ "lab-says-tcg-cpuid-kvm", NB_ID_GUEST, "tcg", "-", "-", "QEMU TCG guest, accelerator TCG (QEMU "
	  "emulation, not hardware-assisted); conflicting evidence: CPUID says KVM, but the lab runs this "
	  "guest under TCG", "signature KVMKVMKVM", 1 },
	{ "hidden-hypervisor", NB_ID_GUEST, "-", "-", "-", "guest of a hidden hypervisor; DMI: QEMU Standard PC",
	  "bare metal", 1 },
	{ "kvm-log-unreadable", NB_ID_GUEST, "kvm", "-", "-", "KVM guest (signature KVMKVMKVM)", "kernel:", 0 },
	/* The CPUID evidence of a version 1 agent: the nature reads as version 1 wrote it. */
	{ "version1-sysinfo", NB_ID_GUEST, "hyperv", "-", "-", "Hyper-V guest (signature Microsoft Hv)", NULL, 0 },
};

TEST(identity_from_recorded_evidence)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct expect *x = &cases[i];
		struct nb_identity id;
		char n[1024];

		CHECK_MSG(identify(x->fixture, NULL, &id, n, sizeof(n)) == 0, "cannot read fixture %s", x->fixture);
		CHECK_MSG(id.kind == x->kind, "%s: kind %s", x->fixture, nb_id_kind_name(id.kind));
		CHECK_MSG(strcmp(key(id.hv), x->hv) == 0, "%s: hypervisor %s, expected %s", x->fixture,
			  key(id.hv), x->hv);
		CHECK_MSG(strcmp(key(id.beneath), x->beneath) == 0, "%s: beneath %s", x->fixture, key(id.beneath));
		CHECK_MSG(strcmp(key(id.presents), x->presents) == 0, "%s: presents %s", x->fixture,
			  key(id.presents));
		CHECK_MSG(strncmp(n, x->nature_has, strlen(x->nature_has)) == 0, "%s: nature \"%s\" does not "
			  "begin \"%s\"", x->fixture, n, x->nature_has);
		CHECK_MSG(!x->nature_lacks || !strstr(n, x->nature_lacks), "%s: nature \"%s\" has \"%s\"",
			  x->fixture, n, x->nature_lacks);
		CHECK_MSG(id.n_conflicts == x->conflicts, "%s: %d conflicts (%s)", x->fixture, id.n_conflicts,
			  id.n_conflicts ? id.conflicts[0] : "");
		CHECK_MSG(id.n_evidence >= 1 && !id.label_contradicted && !id.warning[0], "%s", x->fixture);
	}
}

/* Every piece of evidence is listed, named as what it is. */
TEST(identity_lists_all_evidence)
{
	struct nb_identity id;
	char n[1024], all[NB_ID_ITEMS * NB_ID_TEXT] = "";

	CHECK(identify("pvm-under-bhyve", NULL, &id, n, sizeof(n)) == 0);
	for (int i = 0; i < id.n_evidence; i++)
		strcat(all, id.evidence[i]);
	CHECK_MSG(strstr(all, "hypervisor bit): set") && strstr(all, "CPUID 0x40000000: \"bhyve bhyve \"") &&
		  strstr(all, "Hypervisor detected: PVM") && strstr(all, "hosts PVM guests"), "%s", all);
	CHECK_STR(id.basis, "kernel");

	CHECK(identify("kvm-hyperv-enlightened", NULL, &id, n, sizeof(n)) == 0);
	all[0] = '\0';
	for (int i = 0; i < id.n_evidence; i++)
		strcat(all, id.evidence[i]);
	CHECK_MSG(strstr(all, "CPUID 0x40000100: \"KVMKVMKVM\"") && strstr(all, "DMI: vendor \"QEMU\""), "%s", all);

	CHECK(identify("kvm-log-unreadable", NULL, &id, n, sizeof(n)) == 0);
	CHECK_STR(id.basis, "CPUID");
	CHECK_MSG(strstr(id.evidence[2], "not read") && strstr(id.evidence[2], "dmesg_restrict"), "%s",
		  id.evidence[2]);
}

/* The CLI's hyperv-l1 campaign run on a KVM guest: the label is named as contradicted. */
TEST(identity_label_contradiction)
{
	static const struct {
		const char *fixture, *label;
		int contradicted;
	} labels[] = {
		{ "kvm", "hyperv", 1 },              { "kvm", "KVM", 0 },
		{ "hyperv", "hyperv", 0 },           { "hyperv", "Hyper-V", 0 },
		{ "kvm-hyperv-enlightened", "hyperv", 1 }, { "kvm-hyperv-enlightened", "kvm", 0 },
		{ "bare-metal", "kvm", 1 },          { "tcg-lab-l1", "kvm", 1 },
		{ "tcg-lab-l1", "tcg", 0 },          { "pvm-under-bhyve", "pvm", 0 },
		{ "pvm-under-bhyve", "bhyve", 1 },   { "pvm-under-bhyve", "kvm", 1 },
		{ "vmware", "my-own-hypervisor", 0 }, { "hidden-hypervisor", "kvm", 0 },
		{ "xen-hvm", "xen", 0 },             { "vmware", "vmware", 0 },
	};
	struct nb_identity id;
	char n[1024];

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		CHECK(identify(labels[i].fixture, labels[i].label, &id, n, sizeof(n)) == 0);
		CHECK_MSG(id.label_contradicted == labels[i].contradicted, "%s labelled %s: contradicted %d",
			  labels[i].fixture, labels[i].label, id.label_contradicted);
		CHECK_MSG(!id.warning[0] == !labels[i].contradicted, "%s: warning \"%s\"", labels[i].fixture,
			  id.warning);
	}
	CHECK(identify("kvm", "hyperv", &id, n, sizeof(n)) == 0);
	CHECK_STR(id.warning, "the campaign labels this tier \"hyperv\" (Hyper-V) but the evidence says KVM "
		  "guest (signature KVMKVMKVM; kernel detected KVM)");
	CHECK(id.labelled && strcmp(id.labelled->key, "hyperv") == 0);
	/* An unknown label is kept, not judged. */
	CHECK(identify("vmware", "my-own-hypervisor", &id, n, sizeof(n)) == 0);
	CHECK(!id.labelled && strcmp(id.label, "my-own-hypervisor") == 0);
}

/* Without any evidence nothing is named; a failed sysinfo is not bare metal. */
TEST(identity_without_evidence)
{
	struct nb_identity id;
	char n[1024];

	nb_env_identify(NULL, NULL, "kvm", &id);
	nb_identity_nature(&id, n, sizeof(n));
	CHECK(id.kind == NB_ID_UNKNOWN && !id.hv && !id.label_contradicted);
	CHECK_STR(n, "unknown (the agent reported no CPUID hypervisor bit)");
}

/* Evidence that disagrees is named as such; the kernel's word names the tier. */
TEST(identity_kernel_and_cpuid_disagree)
{
	struct nb_evidence e = { .bit = 1, .signature = "KVMKVMKVM", .kernel = "VMware", .kernel_read = 1 };
	struct nb_identity id;
	char n[1024];

	nb_identify(&e, &id);
	nb_identity_nature(&id, n, sizeof(n));
	CHECK(id.hv == nb_hv_by_key("vmware") && !id.beneath && id.n_conflicts == 1);
	CHECK_STR(n, "VMware guest; kernel detected VMware; conflicting evidence: the kernel says VMware, "
		  "CPUID says KVM (\"KVMKVMKVM\")");

	/* A PVM guest on a bare-metal host: its CPUID shows no hypervisor at all. */
	struct nb_evidence p = { .bit = 0, .kernel = "PVM", .kernel_read = 1 };
	nb_identify(&p, &id);
	nb_identity_nature(&id, n, sizeof(n));
	CHECK(id.kind == NB_ID_GUEST && id.hv == nb_hv_by_key("pvm") && !id.beneath && !id.n_conflicts);
	CHECK_STR(n, "PVM guest; kernel detected PVM");
}

/* KVM with Hyper-V enlightenments (lab.l2.hyperv): "Microsoft Hv" at 0x40000000 while
 * 0x40000100 (or the kernel, or the lab) says KVM is KVM presenting Hyper-V's interface,
 * never Hyper-V; "Microsoft Hv" alone is Hyper-V; "KVMKVMKVM" alone plain KVM. */
TEST(identity_kvm_with_hyperv_enlightenments)
{
	static const struct {
		const char *what;
		struct nb_evidence e;
		const char *hv, *presents, *nature;
	} hv_cases[] = {
		{ "both signatures, the kernel says KVM",
		  { .bit = 1, .signature = "Microsoft Hv", .signature_100 = "KVMKVMKVM", .kernel = "KVM",
		    .kernel_read = 1 }, "kvm", "hyperv",
		  "KVM guest with Hyper-V enlightenments (signature Microsoft Hv, KVMKVMKVM at 0x40000100); "
		  "kernel detected KVM" },
		{ "both signatures, no kernel log",
		  { .bit = 1, .signature = "Microsoft Hv", .signature_100 = "KVMKVMKVM" }, "kvm", "hyperv",
		  "KVM guest with Hyper-V enlightenments (signature Microsoft Hv, KVMKVMKVM at 0x40000100)" },
		{ "both signatures, the lab runs it under KVM",
		  { .bit = 1, .signature = "Microsoft Hv", .signature_100 = "KVMKVMKVM", .kernel = "KVM",
		    .kernel_read = 1, .accelerator = "kvm", .accelerator_from = "lab",
		    .accelerator_why = "KVM inside L1, L1 emulated by TCG" }, "kvm", "hyperv",
		  "KVM guest with Hyper-V enlightenments (signature Microsoft Hv, KVMKVMKVM at 0x40000100), "
		  "accelerator KVM (KVM inside L1, L1 emulated by TCG); kernel detected KVM" },
		{ "only Microsoft Hv, the kernel says KVM (an agent that did not read 0x40000100)",
		  { .bit = 1, .signature = "Microsoft Hv", .kernel = "KVM", .kernel_read = 1 }, "kvm", "hyperv",
		  "KVM guest with Hyper-V enlightenments (signature Microsoft Hv); kernel detected KVM" },
		{ "only Microsoft Hv, the lab runs it under KVM",
		  { .bit = 1, .signature = "Microsoft Hv", .accelerator = "kvm", .accelerator_from = "lab" },
		  "kvm", "hyperv", "KVM guest with Hyper-V enlightenments (signature Microsoft Hv), accelerator KVM" },
		{ "only Microsoft Hv: real Hyper-V",
		  { .bit = 1, .signature = "Microsoft Hv", .kernel = "Microsoft Hyper-V", .kernel_read = 1 },
		  "hyperv", "-", "Hyper-V guest (signature Microsoft Hv); kernel detected Microsoft Hyper-V" },
		{ "only Microsoft Hv, no kernel log: real Hyper-V",
		  { .bit = 1, .signature = "Microsoft Hv" }, "hyperv", "-", "Hyper-V guest (signature Microsoft Hv)" },
		{ "only KVMKVMKVM: plain KVM",
		  { .bit = 1, .signature = "KVMKVMKVM", .kernel = "KVM", .kernel_read = 1 }, "kvm", "-",
		  "KVM guest (signature KVMKVMKVM); kernel detected KVM" },
	};
	struct nb_identity id;
	char n[1024];

	for (size_t i = 0; i < sizeof(hv_cases) / sizeof(hv_cases[0]); i++) {
		nb_identify(&hv_cases[i].e, &id);
		nb_identity_nature(&id, n, sizeof(n));
		CHECK_MSG(id.kind == NB_ID_GUEST && strcmp(key(id.hv), hv_cases[i].hv) == 0 &&
			  strcmp(key(id.presents), hv_cases[i].presents) == 0, "%s: hypervisor %s, presents %s",
			  hv_cases[i].what, key(id.hv), key(id.presents));
		CHECK_MSG(strcmp(n, hv_cases[i].nature) == 0, "%s: nature \"%s\"", hv_cases[i].what, n);
		CHECK_MSG(id.n_conflicts == 0, "%s: %s", hv_cases[i].what, id.conflicts[0]);
		/* labelled Hyper-V: right only for real Hyper-V */
		nb_identity_check_label(&id, "hyperv");
		CHECK_MSG(id.label_contradicted == (strcmp(hv_cases[i].hv, "hyperv") != 0), "%s: label hyperv %s",
			  hv_cases[i].what, id.label_contradicted ? "contradicted" : "accepted");
	}
}

/* One table: every key, name, signature and label finds its own entry. */
TEST(hypervisor_table_lookups)
{
	int n;
	const struct nb_hypervisor *all = nb_hv_all(&n);

	CHECK(n >= 10);
	for (int i = 0; i < n; i++) {
		CHECK(nb_hv_by_key(all[i].key) == &all[i]);
		CHECK(nb_hv_by_name(all[i].name) == &all[i]);
		CHECK(nb_hv_by_label(all[i].key) == &all[i] && nb_hv_by_label(all[i].name) == &all[i]);
		CHECK_MSG(all[i].pmu_fix && all[i].pmu_fix[0], "%s has no PMU fix", all[i].key);
		for (int j = 0; j < NB_HV_ALIASES && all[i].cpuid[j]; j++)
			CHECK(nb_hv_by_cpuid(all[i].cpuid[j]) == &all[i]);
	}
	CHECK(nb_hv_by_label("HyperV") == nb_hv_by_key("hyperv") && nb_hv_by_label("hyper-v"));
	CHECK(nb_hv_by_kernel("microsoft hyper-v") == nb_hv_by_key("hyperv"));
	CHECK(nb_hv_by_kernel("Xen PVH") == nb_hv_by_key("xen") && nb_hv_by_sys_type("xen"));
	CHECK(nb_hv_by_cpuid("") == NULL && nb_hv_by_label(NULL) == NULL && nb_hv_by_label("") == NULL);
	/* A DMI vendor several hypervisors share names none. */
	int several = 0;
	CHECK(nb_hv_by_dmi("QEMU", "Standard PC (Q35 + ICH9, 2009)", &several) == NULL);
	CHECK(nb_hv_dmi_virtual("QEMU", "Standard PC (Q35 + ICH9, 2009)"));
	CHECK(nb_hv_by_dmi("Microsoft Corporation", "Surface Laptop 5", NULL) == NULL);
	CHECK(nb_hv_by_dmi("Microsoft Corporation", "Virtual Machine", NULL) == nb_hv_by_key("hyperv"));
	/* Each hypervisor's PMU setting has its own spelling. */
	CHECK(strstr(nb_hv_pmu_fix(nb_hv_by_key("kvm")), "pmu=on"));
	CHECK(strstr(nb_hv_pmu_fix(nb_hv_by_key("hyperv")), "Perfmon"));
	CHECK(strstr(nb_hv_pmu_fix(nb_hv_by_key("vmware")), "vPMC"));
	CHECK(strstr(nb_hv_pmu_fix(nb_hv_by_key("tcg")), "emulates no PMU"));
	CHECK(strstr(nb_hv_pmu_fix(NULL), "PMU"));
}
