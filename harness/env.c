/* env.c - environment capture per tier: the evidence of what the tier is (env.h). */
#include "env.h"
#include "../common/err.h"
#include "../common/json.h"
#include "../resultlib/result.h"

#include <stdio.h>
#include <string.h>


static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* The accelerator: the agent's own word, else what the lab chose for its guest. */
static void accelerator(const cJSON *si, const cJSON *lab, struct nb_evidence *e)
{
	const char *agent = nb_json_str(si, "accelerator", NULL);

	if (agent) {
		copy(e->accelerator, sizeof(e->accelerator), agent);
		copy(e->accelerator_from, sizeof(e->accelerator_from), "agent");
	} else if (nb_json_str(lab, "accelerator", NULL)) {
		copy(e->accelerator, sizeof(e->accelerator), nb_json_str(lab, "accelerator", NULL));
		copy(e->accelerator_why, sizeof(e->accelerator_why), nb_json_str(lab, "accelerator_reason", NULL));
		copy(e->accelerator_from, sizeof(e->accelerator_from), "lab");
	}
}

void nb_env_evidence(const cJSON *si, const cJSON *lab, struct nb_evidence *e)
{
	const cJSON *bit = nb_json_path(si, "hypervisor.bit");
	const char *log = nb_json_str(si, "hypervisor.kernel_log", NULL);

	memset(e, 0, sizeof(*e));
	e->bit = cJSON_IsBool(bit) ? cJSON_IsTrue(bit) : -1;
	copy(e->signature, sizeof(e->signature), nb_json_str(si, "hypervisor.signature", NULL));
	e->max_leaf = (unsigned long)nb_json_num(si, "hypervisor.max_leaf", 0);
	copy(e->signature_100, sizeof(e->signature_100), nb_json_str(si, "hypervisor.signature_40000100", NULL));
	e->max_leaf_100 = (unsigned long)nb_json_num(si, "hypervisor.max_leaf_40000100", 0);
	copy(e->kernel, sizeof(e->kernel), nb_json_str(si, "hypervisor.kernel_detected", NULL));
	e->kernel_read = log && strcmp(log, "read") == 0;
	copy(e->kernel_why, sizeof(e->kernel_why), log && !e->kernel_read ? log : "the agent did not report it");
	copy(e->sys_type, sizeof(e->sys_type), nb_json_str(si, "hypervisor.sys_type", NULL));
	copy(e->dmi_vendor, sizeof(e->dmi_vendor), nb_json_str(si, "dmi.sys_vendor", NULL));
	copy(e->dmi_product, sizeof(e->dmi_product), nb_json_str(si, "dmi.product_name", NULL));
	copy(e->dmi_bios, sizeof(e->dmi_bios), nb_json_str(si, "dmi.bios_vendor", NULL));
	e->hosts_pvm = cJSON_IsObject(nb_json_path(si, "nested.kvm_pvm"));
	accelerator(si, lab, e);
}

void nb_env_identify(const cJSON *si, const cJSON *lab, const char *label, struct nb_identity *id)
{
	struct nb_evidence e;

	nb_env_evidence(si, lab, &e);
	nb_identify(&e, id);
	nb_identity_check_label(id, label);
}

int nb_env_capture(struct nb_tier_conn *tc, cJSON *tier, char err[NB_ERR_LEN])
{
	cJSON *si = NULL;
	char herr[NB_ERR_LEN], nature[1024];
	struct nb_identity id;
	int rc = 0;

	if (tc->hello)
		nb_res_tier_set_agent(tier, cJSON_Duplicate(tc->hello, 1));
	nb_res_tier_set_lab(tier, tc->lab);
	nb_res_tier_set_libvirt(tier, tc->libvirt);
	if (nb_client_sysinfo(&tc->client, &si, herr)) {
		snprintf(err, NB_ERR_LEN, "sysinfo failed: %s", herr);
		cJSON_Delete(si);
		si = NULL;
		rc = -1;
	}
	nb_env_identify(si, tc->lab, nb_res_tier_label(tier), &id);
	if (rc && id.kind == NB_ID_UNKNOWN)
		snprintf(id.layer, sizeof(id.layer), "unknown (sysinfo failed)");
	nb_identity_nature(&id, nature, sizeof(nature));
	nb_res_tier_set_identity(tier, &id);
	nb_res_tier_set_nature(tier, nature);
	nb_res_tier_set_warning(tier, id.warning[0] ? id.warning : NULL);
	nb_res_tier_set_sysinfo(tier, si);   /* NULL removes a stale one */
	return rc;
}
