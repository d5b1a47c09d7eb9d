/* hypervisors.c - the hypervisor table (hypervisors.h).  A new hypervisor is one entry
 * here: nothing else in the tree names hypervisors. */
#include "hypervisors.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define KVM_PMU "start the guest with a PMU: QEMU/KVM `-cpu host,pmu=on` (libvirt: <pmu state='on'/>), " \
		"with the host's kvm.enable_pmu=Y"
#define NO_KNOWN_PMU(who) who " has no setting known to nestbench that gives its guests a PMU: " \
			  "count on the host that runs the guest"

static const struct nb_hypervisor table[] = {
	{ .key = "kvm", .name = "KVM", .cpuid = { "KVMKVMKVM" }, .kernel = { "KVM" },
	  .dmi = { { "Google", "Google Compute Engine" } },
	  .pmu_fix = KVM_PMU },
	{ .key = "hyperv", .name = "Hyper-V", .cpuid = { "Microsoft Hv" },
	  .kernel = { "Microsoft Hyper-V" },
	  .dmi = { { "Microsoft Corporation", "Virtual Machine" } }, .labels = { "hyper-v" },
	  .offered_by_others = 1,   /* KVM's and Xen's Hyper-V enlightenments */
	  .pmu_fix = "on the Hyper-V host, with the VM off: Set-VMProcessor -VMName <vm> "
		     "-Perfmon @(\"pmu\",\"lbr\")" },
	{ .key = "vmware", .name = "VMware", .cpuid = { "VMwareVMware" }, .kernel = { "VMware" },
	  .dmi = { { "VMware, Inc.", NULL } }, .labels = { "esxi" },
	  .pmu_fix = "enable \"Virtualize CPU performance counters\" (vPMC) in the VM's CPU settings" },
	{ .key = "xen", .name = "Xen", .cpuid = { "XenVMMXenVMM" },
	  .kernel = { "Xen HVM", "Xen PV", "Xen PVH" }, .sys_type = "xen",
	  .dmi = { { "Xen", NULL } },
	  .pmu_fix = "boot Xen with `vpmu=on` on its command line (guests then see the host's PMU)" },
	{ .key = "bhyve", .name = "bhyve", .cpuid = { "bhyve bhyve " }, .kernel = { "Bhyve" },
	  .dmi = { { "FreeBSD", "BHYVE" } },
	  .pmu_fix = NO_KNOWN_PMU("bhyve") },
	{ .key = "pvm", .name = "PVM", .kernel = { "PVM" }, .cpuid_native = 1,
	  .pmu_fix = NO_KNOWN_PMU("PVM") },
	{ .key = "tcg", .name = "QEMU TCG", .cpuid = { "TCGTCGTCGTCG" }, .labels = { "qemu-tcg" },
	  .emulator = 1,
	  .pmu_fix = "QEMU TCG emulates no PMU: run the guest under KVM with `-cpu host,pmu=on`" },
	{ .key = "virtualbox", .name = "VirtualBox", .cpuid = { "VBoxVBoxVBox" },
	  .dmi = { { "innotek GmbH", "VirtualBox" } }, .labels = { "vbox" },
	  .pmu_fix = NO_KNOWN_PMU("VirtualBox") },
	{ .key = "parallels", .name = "Parallels", .cpuid = { " lrpepyh  vr" },
	  .dmi = { { "Parallels", NULL } },
	  .pmu_fix = "expose a virtual PMU to the guest in the VM's CPU settings" },
	{ .key = "acrn", .name = "ACRN", .cpuid = { "ACRNACRNACRN" }, .kernel = { "ACRN" },
	  .pmu_fix = NO_KNOWN_PMU("ACRN") },
	{ .key = "qnx", .name = "QNX", .cpuid = { "QNXQVMBSQG" },
	  .pmu_fix = NO_KNOWN_PMU("QNX's hypervisor") },
	{ .key = "jailhouse", .name = "Jailhouse", .cpuid = { "Jailhouse" }, .kernel = { "Jailhouse" },
	  .pmu_fix = NO_KNOWN_PMU("Jailhouse") },
};

#define COUNT ((int)(sizeof(table) / sizeof(table[0])))

const struct nb_hypervisor *nb_hv_all(int *n)
{
	*n = COUNT;
	return table;
}

/* s is one of the aliases (exact, or ignoring case). */
static int in(const char *const *aliases, const char *s, int icase)
{
	for (int i = 0; i < NB_HV_ALIASES && aliases[i]; i++)
		if (icase ? strcasecmp(aliases[i], s) == 0 : strcmp(aliases[i], s) == 0)
			return 1;
	return 0;
}

const struct nb_hypervisor *nb_hv_by_key(const char *key)
{
	for (int i = 0; key && i < COUNT; i++)
		if (strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
}

const struct nb_hypervisor *nb_hv_by_name(const char *name)
{
	for (int i = 0; name && i < COUNT; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const struct nb_hypervisor *nb_hv_by_cpuid(const char *sig)
{
	for (int i = 0; sig && sig[0] && i < COUNT; i++)
		if (in(table[i].cpuid, sig, 0))
			return &table[i];
	return NULL;
}

const struct nb_hypervisor *nb_hv_by_kernel(const char *name)
{
	for (int i = 0; name && name[0] && i < COUNT; i++)
		if (in(table[i].kernel, name, 1))
			return &table[i];
	return NULL;
}

const struct nb_hypervisor *nb_hv_by_sys_type(const char *type)
{
	for (int i = 0; type && type[0] && i < COUNT; i++)
		if (table[i].sys_type && strcasecmp(table[i].sys_type, type) == 0)
			return &table[i];
	return NULL;
}

const struct nb_hypervisor *nb_hv_by_label(const char *label)
{
	for (int i = 0; label && label[0] && i < COUNT; i++)
		if (strcasecmp(table[i].key, label) == 0 || strcasecmp(table[i].name, label) == 0 ||
		    in(table[i].labels, label, 1))
			return &table[i];
	return NULL;
}

static int starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

const struct nb_hypervisor *nb_hv_by_dmi(const char *vendor, const char *product, int *several)
{
	const struct nb_hypervisor *found = NULL;
	int hits = 0;

	for (int i = 0; vendor && vendor[0] && i < COUNT; i++)
		for (int j = 0; j < NB_HV_ALIASES && table[i].dmi[j].vendor; j++) {
			const struct nb_dmi_hint *h = &table[i].dmi[j];
			if (starts(vendor, h->vendor) && (!h->product || starts(product, h->product))) {
				if (found != &table[i])
					hits++;
				found = &table[i];
			}
		}
	if (several)
		*several = hits > 1;
	return hits == 1 ? found : NULL;
}

/* Device models that several hypervisors share: QEMU's runs under KVM and TCG alike. */
static const char *const shared_vendors[] = { "QEMU" };

int nb_hv_dmi_virtual(const char *vendor, const char *product)
{
	int several = 0;

	for (size_t i = 0; i < sizeof(shared_vendors) / sizeof(shared_vendors[0]); i++)
		if (starts(vendor, shared_vendors[i]))
			return 1;
	return nb_hv_by_dmi(vendor, product, &several) != NULL || several;
}

const char *nb_hv_pmu_fix(const struct nb_hypervisor *hv)
{
	return hv ? hv->pmu_fix : "expose a virtual PMU to the guest (see its hypervisor's CPU settings)";
}
