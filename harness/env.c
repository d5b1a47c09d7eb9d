/* env.c - environment capture per tier. */
#include "env.h"

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

static const cJSON *get(const cJSON *o, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = cJSON_GetObjectItemCaseSensitive(o, k);
	return o;
}

void nb_env_nature(const cJSON *si, char *buf, size_t len)
{
	const cJSON *bit = get(si, "hypervisor.bit");
	const char *sig = cJSON_GetStringValue(get(si, "hypervisor.signature"));
	const char *accel = cJSON_GetStringValue(get(si, "accelerator"));
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

	cJSON_DeleteItemFromObjectCaseSensitive(tier, "lab");
	if (!lab)
		return;
	cJSON_AddItemToObject(tier, "lab", cJSON_Duplicate(lab, 1));
	accel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(lab, "accelerator"));
	why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(lab, "accelerator_reason"));
	if (!accel || get(si, "accelerator"))
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
	char herr[256], nature[512];

	if (tc->hello) {
		cJSON *h = cJSON_Duplicate(tc->hello, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(h, "id");
		cJSON_DeleteItemFromObjectCaseSensitive(h, "ok");
		cJSON_DeleteItemFromObjectCaseSensitive(tier, "agent");
		cJSON_AddItemToObject(tier, "agent", h);
	}
	if (nb_client_sysinfo(&tc->client, &si, herr)) {
		snprintf(err, ERR_LEN, "sysinfo failed: %s", herr);
		cJSON_Delete(si);
		cJSON_DeleteItemFromObjectCaseSensitive(tier, "nature");
		cJSON_AddStringToObject(tier, "nature", "unknown (sysinfo failed)");
		cJSON_DeleteItemFromObjectCaseSensitive(tier, "sysinfo");   /* not a stale one */
		return -1;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(si, "id");
	cJSON_DeleteItemFromObjectCaseSensitive(si, "ok");
	nb_env_nature(si, nature, sizeof(nature));
	lab_accelerator(tc->lab, si, tier, nature, sizeof(nature));
	cJSON_DeleteItemFromObjectCaseSensitive(tier, "nature");
	cJSON_AddStringToObject(tier, "nature", nature);

	/* A label that contradicts what the tier reports is worth a loud note. */
	const char *label = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tier, "hypervisor_label"));
	const char *detected = nb_env_hypervisor_name(cJSON_GetStringValue(get(si, "hypervisor.signature")));
	cJSON_DeleteItemFromObjectCaseSensitive(tier, "warning");
	if (label && label[0] && detected && strcasecmp(label, detected) != 0 &&
	    !(strcasecmp(label, "hyperv") == 0 && strcmp(detected, "Hyper-V") == 0)) {
		char w[256];
		snprintf(w, sizeof(w), "the campaign labels this tier \"%s\" but it reports %s", label, detected);
		cJSON_AddStringToObject(tier, "warning", w);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(tier, "sysinfo");
	cJSON_AddItemToObject(tier, "sysinfo", si);
	return 0;
}
