/* hypervisors.h - what nestbench knows about each hypervisor, in one table: its key
 * (recorded in results), its display name (table columns, natures), how it shows itself
 * (CPUID 0x40000000 signature, the name the Linux kernel prints in "Hypervisor detected:
 * X", DMI strings), the campaign labels that mean it, and how to give its guests a PMU.
 * The environment capture, `doctor`, `events` and the analysis all look it up here.
 * Plain C, no dependencies. */
#ifndef NB_HYPERVISORS_H
#define NB_HYPERVISORS_H

/* ---- data types --------------------------------------------------------------------- */

/* A DMI hint: sys_vendor starts with vendor and (when product is not NULL)
 * product_name starts with product. */
struct nb_dmi_hint {
	const char *vendor, *product;
};

#define NB_HV_ALIASES 3

struct nb_hypervisor {
	const char *key;                      /* "kvm": identity.hypervisor in results */
	const char *name;                     /* "KVM": columns and natures */
	const char *cpuid[NB_HV_ALIASES];     /* CPUID 0x40000000 signatures (printable part) */
	const char *kernel[NB_HV_ALIASES];    /* Linux's "Hypervisor detected: <name>" */
	const char *sys_type;                 /* /sys/hypervisor/type, or NULL */
	struct nb_dmi_hint dmi[NB_HV_ALIASES];
	const char *labels[NB_HV_ALIASES];    /* campaign labels (case-insensitive) besides key */
	const char *pmu_fix;                  /* how its guests get a PMU */
	unsigned emulator : 1;                /* runs guests by emulation (QEMU TCG) */
	unsigned cpuid_native : 1;            /* its guests' CPUID reaches the layer beneath (PVM) */
	unsigned offered_by_others : 1;       /* others present its interface at 0x40000000 and
					       * their own signature at 0x40000100 (Hyper-V) */
};

/* ---- prototypes --------------------------------------------------------------------- */

/* The table entry by key ("kvm"), display name ("KVM"), CPUID signature ("KVMKVMKVM"),
 * the kernel's name ("Microsoft Hyper-V", case-insensitive), /sys/hypervisor/type
 * ("xen"), or campaign label ("hyperv", "Hyper-V", "kvm"; case-insensitive; the key
 * and the display name count as labels too).  NULL when none (or s is NULL or ""). */
const struct nb_hypervisor *nb_hv_by_key(const char *key);
const struct nb_hypervisor *nb_hv_by_name(const char *name);
const struct nb_hypervisor *nb_hv_by_cpuid(const char *signature);
const struct nb_hypervisor *nb_hv_by_kernel(const char *name);
const struct nb_hypervisor *nb_hv_by_sys_type(const char *type);
const struct nb_hypervisor *nb_hv_by_label(const char *label);

/* The one hypervisor whose DMI hints match; NULL when none or several match (*several
 * set then, may be NULL). */
const struct nb_hypervisor *nb_hv_by_dmi(const char *sys_vendor, const char *product_name,
					 int *several);

/* The DMI strings are a virtual machine's: a table hint matches, or a device model
 * that several hypervisors share (QEMU). */
int nb_hv_dmi_virtual(const char *sys_vendor, const char *product_name);

/* How to give a guest of hv a PMU; hv NULL: a guest of an unnamed hypervisor. */
const char *nb_hv_pmu_fix(const struct nb_hypervisor *hv);

/* Every entry, for listing (n set to the count). */
const struct nb_hypervisor *nb_hv_all(int *n);

#endif
