/* identity.c - naming a tier from its evidence (identity.h). */
#include "identity.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void add(char (*list)[NB_ID_TEXT], int *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(char (*list)[NB_ID_TEXT], int *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= NB_ID_ITEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(list[(*n)++], NB_ID_TEXT, fmt, ap);
	va_end(ap);
}

#define EVIDENCE(id, ...) add((id)->evidence, &(id)->n_evidence, __VA_ARGS__)
#define CONFLICT(id, ...) add((id)->conflicts, &(id)->n_conflicts, __VA_ARGS__)

/* Append to a "; "-separated text. */
static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + 2 < len) {
		memcpy(buf + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* ---- the evidence, in words ---------------------------------------------------------- */

static void list_evidence(const struct nb_evidence *e, struct nb_identity *id)
{
	if (e->bit < 0)
		EVIDENCE(id, "CPUID.1:ECX[31] (hypervisor bit): not reported");
	else
		EVIDENCE(id, "CPUID.1:ECX[31] (hypervisor bit): %s", e->bit ? "set" : "clear");
	if (e->bit == 1)
		EVIDENCE(id, "CPUID 0x40000000: \"%s\", max leaf 0x%lx", e->signature, e->max_leaf);
	if (e->signature_100[0])
		EVIDENCE(id, "CPUID 0x40000100: \"%s\", max leaf 0x%lx", e->signature_100, e->max_leaf_100);
	if (e->kernel[0])
		EVIDENCE(id, "kernel: \"Hypervisor detected: %s\"", e->kernel);
	else if (e->kernel_read)
		EVIDENCE(id, "kernel: no \"Hypervisor detected\" line in its log");
	else
		EVIDENCE(id, "kernel log: not read%s%s", e->kernel_why[0] ? " (" : "",
			 e->kernel_why[0] ? e->kernel_why : "");
	if (e->sys_type[0])
		EVIDENCE(id, "/sys/hypervisor/type: %s", e->sys_type);
	if (e->dmi_vendor[0] || e->dmi_product[0] || e->dmi_bios[0])
		EVIDENCE(id, "DMI: vendor \"%s\", product \"%s\", BIOS \"%s\"", e->dmi_vendor, e->dmi_product,
			 e->dmi_bios);
	if (e->hosts_pvm)
		EVIDENCE(id, "this machine hosts PVM guests (kvm_pvm is loaded): a fact about its own "
			 "guests, not about what it runs on");
	if (e->accelerator[0])
		EVIDENCE(id, "%s: accelerator %s%s%s%s", strcmp(e->accelerator_from, "lab") == 0 ? "the lab" : "the agent",
			 e->accelerator, e->accelerator_why[0] ? " (" : "", e->accelerator_why,
			 e->accelerator_why[0] ? ")" : "");
}

/* ---- choosing the name --------------------------------------------------------------- */

/* What CPUID names: the 0x40000000 signature, or the hypervisor at 0x40000100 when the
 * first is an interface others offer too (Hyper-V's: KVM's or Xen's enlightenments). */
static const struct nb_hypervisor *cpuid_view(const struct nb_evidence *e, const struct nb_hypervisor **presents)
{
	const struct nb_hypervisor *c = e->bit == 1 ? nb_hv_by_cpuid(e->signature) : NULL;
	const struct nb_hypervisor *c100 = e->bit == 1 ? nb_hv_by_cpuid(e->signature_100) : NULL;

	*presents = NULL;
	if (c && c100 && c100 != c && c->offered_by_others) {
		*presents = c;
		return c100;
	}
	return c;
}

/* Neither CPUID nor the kernel names one: DMI may, when it is unambiguous. */
static void name_from_dmi(const struct nb_evidence *e, struct nb_identity *id)
{
	const struct nb_hypervisor *d = nb_hv_by_dmi(e->dmi_vendor, e->dmi_product, NULL);
	int virtual_dmi = nb_hv_dmi_virtual(e->dmi_vendor, e->dmi_product);

	if (e->bit == 1) {
		id->kind = NB_ID_GUEST;
		id->hv = d;
		id->basis = d ? "DMI" : "CPUID";
	} else if (e->bit == 0 && virtual_dmi) {
		id->kind = NB_ID_GUEST;
		id->hv = d;
		id->basis = "DMI";
		CONFLICT(id, "CPUID shows no hypervisor bit, but DMI names a virtual machine (\"%s\", \"%s\")",
			 e->dmi_vendor, e->dmi_product);
	} else if (e->bit == 0) {
		id->kind = NB_ID_BARE_METAL;
		id->basis = "CPUID";
	} else if (d || virtual_dmi) {
		id->kind = NB_ID_GUEST;
		id->hv = d;
		id->basis = "DMI";
	}
}

/* The kernel named k: it saw CPUID too, and more (PVM's own interface, Xen PV). */
static void name_from_kernel(const struct nb_evidence *e, const struct nb_hypervisor *k,
			     const struct nb_hypervisor *cpu, struct nb_identity *id)
{
	id->kind = NB_ID_GUEST;
	id->hv = k;
	id->basis = cpu == k ? "kernel and CPUID" : "kernel";
	if (!cpu || cpu == k)
		return;
	if (k->cpuid_native)
		id->beneath = cpu;   /* its guests' CPUID is answered by the layer beneath */
	else if (cpu->offered_by_others)
		id->presents = cpu;  /* k offers cpu's interface first (KVM's Hyper-V enlightenments,
				      * seen by an agent that did not read 0x40000100) */
	else
		CONFLICT(id, "the kernel says %s, CPUID says %s (\"%s\")", e->kernel, cpu->name, e->signature);
}

/* Who told the accelerator. */
static const char *by(const struct nb_evidence *e)
{
	return strcmp(e->accelerator_from, "agent") == 0 ? "the agent" : "the lab";
}

/* "CPUID says", "the kernel says", "the kernel and CPUID say": the basis as a subject. */
static void says(const char *basis, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s %s", strncmp(basis, "kernel", 6) == 0 ? "the " : "", basis,
		 strstr(basis, " and ") ? "say" : "says");
}

/* The lab started the guest (or the agent says how it runs): its accelerator. */
static void weigh_accelerator(const struct nb_evidence *e, struct nb_identity *id)
{
	const struct nb_hypervisor *tcg = nb_hv_by_key("tcg");
	char who[64];

	says(id->basis ? id->basis : "the evidence", who, sizeof(who));
	snprintf(id->accelerator, sizeof(id->accelerator), "%s", e->accelerator);
	snprintf(id->accelerator_why, sizeof(id->accelerator_why), "%s", e->accelerator_why);
	snprintf(id->accelerator_from, sizeof(id->accelerator_from), "%s", e->accelerator_from);
	if (strcasecmp(e->accelerator, "tcg") == 0) {
		if (id->hv && id->hv != tcg)
			CONFLICT(id, "%s %s, but %s runs this guest under TCG", who, id->hv->name, by(e));
		id->kind = NB_ID_GUEST;
		id->hv = tcg;
		id->beneath = NULL;
		id->basis = strcmp(e->accelerator_from, "agent") == 0 ? "agent" : "lab";
	} else if (strcasecmp(e->accelerator, "kvm") == 0) {
		if (id->hv == tcg)
			CONFLICT(id, "%s QEMU TCG, but %s runs this guest under KVM", who, by(e));
		if (id->hv && id->hv->offered_by_others) {
			/* KVM runs it: the interface CPUID (or a kernel that took it) shows is KVM's
			 * Hyper-V enlightenments, not Hyper-V */
			id->presents = id->hv;
			id->hv = nb_hv_by_key("kvm");
			id->basis = strcmp(e->accelerator_from, "agent") == 0 ? "agent" : "lab";
		}
		if (!id->hv) {
			id->kind = NB_ID_GUEST;
			id->hv = nb_hv_by_key("kvm");
			id->basis = strcmp(e->accelerator_from, "agent") == 0 ? "agent" : "lab";
		}
	} else if (!id->accelerator[0] && id->hv == tcg) {
		snprintf(id->accelerator, sizeof(id->accelerator), "tcg");   /* TCG is its own accelerator */
		snprintf(id->accelerator_from, sizeof(id->accelerator_from), "cpuid");
	}
}

/* ---- words --------------------------------------------------------------------------- */

/* The layer in words, and the evidence that supports its name (what contradicts it is
 * in conflicts; everything is in evidence). */
static void describe(const struct nb_evidence *e, const struct nb_hypervisor *kernel,
		     const struct nb_hypervisor *cpu, struct nb_identity *id)
{
	if (id->kind == NB_ID_UNKNOWN)
		snprintf(id->layer, sizeof(id->layer), "unknown (the agent reported no CPUID hypervisor bit)");
	else if (id->kind == NB_ID_BARE_METAL)
		snprintf(id->layer, sizeof(id->layer), "bare metal");
	else if (id->hv && id->beneath)
		snprintf(id->layer, sizeof(id->layer), "%s guest whose host runs under %s", id->hv->name,
			 id->beneath->name);
	else if (id->hv && id->presents)
		snprintf(id->layer, sizeof(id->layer), "%s guest with %s enlightenments", id->hv->name,
			 id->presents->name);
	else if (id->hv)
		snprintf(id->layer, sizeof(id->layer), "%s guest", id->hv->name);
	else if (e->bit == 1 && e->signature[0])
		snprintf(id->layer, sizeof(id->layer), "guest of an unknown hypervisor (signature \"%s\")",
			 e->signature);
	else if (e->bit == 1)
		snprintf(id->layer, sizeof(id->layer), "guest (hypervisor bit set, no signature)");
	else if (e->bit == 0)
		snprintf(id->layer, sizeof(id->layer), "guest of a hidden hypervisor");
	else
		snprintf(id->layer, sizeof(id->layer), "guest (no CPUID evidence reported)");

	if (id->kind == NB_ID_BARE_METAL)
		append(id->cpuid_support, sizeof(id->cpuid_support), "no hypervisor bit");
	if (id->kind != NB_ID_GUEST || (!id->hv && e->bit == 1))
		return;   /* the layer says it all */
	if (e->bit == 1 && e->signature[0] &&
	    (cpu == id->hv || (cpu && (cpu == id->beneath || cpu == id->presents))))
		append(id->cpuid_support, sizeof(id->cpuid_support), "signature %s%s", e->signature,
		       id->beneath ? " of its host" : "");
	if (id->presents && cpu == id->hv)
		snprintf(id->cpuid_support + strlen(id->cpuid_support),
			 sizeof(id->cpuid_support) - strlen(id->cpuid_support), ", %s at 0x40000100",
			 e->signature_100);
	if (kernel)
		append(id->other_support, sizeof(id->other_support), "kernel detected %s",
		       e->kernel[0] ? e->kernel : e->sys_type);
	if (id->basis && strcmp(id->basis, "DMI") == 0)
		append(id->other_support, sizeof(id->other_support), "DMI: %s %s", e->dmi_vendor, e->dmi_product);
}

void nb_identify(const struct nb_evidence *e, struct nb_identity *id)
{
	const struct nb_hypervisor *presents, *cpu = cpuid_view(e, &presents);
	const struct nb_hypervisor *kernel = nb_hv_by_kernel(e->kernel);

	memset(id, 0, sizeof(*id));
	list_evidence(e, id);
	if (!kernel)
		kernel = nb_hv_by_sys_type(e->sys_type);
	if (kernel) {
		name_from_kernel(e, kernel, cpu, id);
		if (cpu == kernel)
			id->presents = presents;
	} else if (cpu) {
		id->kind = NB_ID_GUEST;
		id->hv = cpu;
		id->presents = presents;
		id->basis = presents ? "CPUID 0x40000100" : "CPUID";
	} else {
		name_from_dmi(e, id);
	}
	if (e->kernel[0] && !kernel)
		EVIDENCE(id, "the kernel's name \"%s\" is not in nestbench's table", e->kernel);
	weigh_accelerator(e, id);
	if (id->hv != kernel)
		kernel = NULL;   /* the kernel's word supports only the name it agrees with */
	describe(e, kernel, cpu, id);
}

/* ---- the label ----------------------------------------------------------------------- */

void nb_identity_check_label(struct nb_identity *id, const char *label)
{
	const char *says = id->kind == NB_ID_BARE_METAL ? "bare metal" : id->hv ? id->hv->name : NULL;

	snprintf(id->label, sizeof(id->label), "%s", label ? label : "");
	id->labelled = nb_hv_by_label(id->label);
	id->label_contradicted = id->labelled && says && id->labelled != id->hv;
	id->warning[0] = '\0';
	if (id->label_contradicted)
		snprintf(id->warning, sizeof(id->warning), "the campaign labels this tier \"%s\" (%s) but the "
			 "evidence says %s (%s%s%s)", id->label, id->labelled->name, id->layer, id->cpuid_support,
			 id->cpuid_support[0] && id->other_support[0] ? "; " : "",
			 id->cpuid_support[0] || id->other_support[0] ? id->other_support
			 : strcmp(id->accelerator_from, "lab") == 0 ? "as the lab runs it" : "see identity.evidence");
}

void nb_identity_nature(const struct nb_identity *id, char *buf, size_t len)
{
	size_t used;

	snprintf(buf, len, "%s", id->layer);
	if (id->cpuid_support[0] && id->kind != NB_ID_UNKNOWN) {
		used = strlen(buf);
		snprintf(buf + used, len - used, " (%s)", id->cpuid_support);
	}
	used = strlen(buf);
	if (strcmp(id->accelerator_from, "lab") == 0 && strcasecmp(id->accelerator, "tcg") == 0)
		snprintf(buf + used, len - used, ", accelerator TCG (QEMU emulation, not hardware-assisted)");
	else if (strcmp(id->accelerator_from, "lab") == 0 || strcmp(id->accelerator_from, "agent") == 0)
		snprintf(buf + used, len - used, ", accelerator %s%s%s%s",
			 strcasecmp(id->accelerator, "kvm") == 0 ? "KVM" : id->accelerator,
			 id->accelerator_why[0] ? " (" : "", id->accelerator_why,
			 id->accelerator_why[0] ? ")" : "");
	if (id->other_support[0]) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "; %s", id->other_support);
	}
	for (int i = 0; i < id->n_conflicts; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? "; " : "; conflicting evidence: ", id->conflicts[i]);
	}
}

/* ---- kinds --------------------------------------------------------------------------- */

static const char *const kind_names[] = { "unknown", "bare metal", "guest" };

const char *nb_id_kind_name(enum nb_id_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "unknown";
}

enum nb_id_kind nb_id_kind_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (enum nb_id_kind)i;
	return NB_ID_UNKNOWN;
}
