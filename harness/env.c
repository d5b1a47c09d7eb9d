/* env.c - environment capture per tier. */
#include "env.h"
#include "../common/json.h"
#include "../resultlib/result.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ERR_LEN 512

const char *nb_env_hypervisor_name(const char *sig)
{
	static const struct { const char *sig, *name; } known[] = {
		{ "KVMKVMKVM", "KVM" },           { "Microsoft Hv", "Hyper-V" },
		{ "VMwareVMware", "VMware" },     { "XenVMMXenVMM", "Xen" },
		{ "TCGTCGTCGTCG", "QEMU TCG" },   { "bhyve bhyve ", "bhyve" },
		{ "VBoxVBoxVBox", "VirtualBox" }, { " lrpepyh  vr", "Parallels" },
		{ "ACRNACRNACRN", "ACRN" },       { "QNXQVMBSQG", "QNX" },
	};

	for (size_t i = 0; sig && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(sig, known[i].sig) == 0)
			return known[i].name;
	return NULL;
}

void nb_env_nature(const cJSON *si, char *buf, size_t len)
{
	const cJSON *bit = nb_json_path(si, "hypervisor.bit");
	const char *sig = nb_json_str(si, "hypervisor.signature", NULL);
	const char *accel = nb_json_str(si, "accelerator", NULL);
	const char *name = nb_env_hypervisor_name(sig);

	if (!cJSON_IsBool(bit))
		snprintf(buf, len, "unknown (the agent reported no CPUID hypervisor bit)");
	else if (!cJSON_IsTrue(bit))
		snprintf(buf, len, "bare metal (no hypervisor bit)");
	else if (name)
		snprintf(buf, len, "%s guest (signature %s)", name, sig);
	else if (sig && sig[0])
		snprintf(buf, len, "guest of an unknown hypervisor (signature \"%s\")", sig);
	else
		snprintf(buf, len, "guest (hypervisor bit set, no signature)");
	if (accel && accel[0]) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, ", accelerator %s", accel);
	}
}

/* A lab guest: the accelerator the lab chose (a guest cannot tell TCG from hardware
 * by itself), appended to the nature unless the agent reported one, and the lab's
 * description of the guest as the tier's "lab" object. */
static void lab_accelerator(const cJSON *lab, const cJSON *si, cJSON *tier, char *nature, size_t len)
{
	const char *accel, *why;
	size_t used = strlen(nature);

	nb_res_tier_set_lab(tier, lab);
	if (!lab)
		return;
	accel = nb_json_str(lab, "accelerator", NULL);
	why = nb_json_str(lab, "accelerator_reason", NULL);
	if (!accel || nb_json_path(si, "accelerator"))
		return;
	if (strcmp(accel, "tcg") == 0)
		snprintf(nature + used, len - used, ", accelerator TCG (QEMU emulation, not hardware-assisted)");
	else
		snprintf(nature + used, len - used, ", accelerator %s%s%s%s", strcmp(accel, "kvm") ? accel : "KVM",
			 why ? " (" : "", why ? why : "", why ? ")" : "");
}

int nb_env_capture(struct nb_tier_conn *tc, cJSON *tier, char *err)
{
	cJSON *si = NULL;
	char herr[256], nature[512], w[256] = "";

	if (tc->hello)
		nb_res_tier_set_agent(tier, cJSON_Duplicate(tc->hello, 1));
	if (nb_client_sysinfo(&tc->client, &si, herr)) {
		snprintf(err, ERR_LEN, "sysinfo failed: %s", herr);
		cJSON_Delete(si);
		nb_res_tier_set_nature(tier, "unknown (sysinfo failed)");
		nb_res_tier_set_sysinfo(tier, NULL);   /* not a stale one */
		return -1;
	}
	nb_env_nature(si, nature, sizeof(nature));
	lab_accelerator(tc->lab, si, tier, nature, sizeof(nature));
	nb_res_tier_set_nature(tier, nature);

	/* A label that contradicts what the tier reports is worth a loud note. */
	const char *label = nb_res_tier_label(tier);
	const char *detected = nb_env_hypervisor_name(nb_json_str(si, "hypervisor.signature", NULL));
	if (label && label[0] && detected && strcasecmp(label, detected) != 0 &&
	    !(strcasecmp(label, "hyperv") == 0 && strcmp(detected, "Hyper-V") == 0))
		snprintf(w, sizeof(w), "the campaign labels this tier \"%s\" but it reports %s", label, detected);
	nb_res_tier_set_warning(tier, w[0] ? w : NULL);
	nb_res_tier_set_sysinfo(tier, si);
	return 0;
}
