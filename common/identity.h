/* identity.h - what a tier really is, from all the evidence: the CPUID hypervisor bit and
 * the signatures at 0x40000000 and 0x40000100, the kernel's own view ("Hypervisor
 * detected: X", /sys/hypervisor), DMI, and how the local lab started the guest.  CPUID
 * alone can name the wrong layer (a PVM guest's CPUID reaches the hypervisor beneath
 * it; KVM with Hyper-V enlightenments answers "Microsoft Hv" first), so the name is
 * chosen from everything and only what the evidence supports is named.  The prose
 * "nature" is rendered from these structured fields; readers use the fields.
 * Plain C: the evidence comes from the machine description (workloads/machine.h) as the
 * agent reports it, read by the harness (harness/env.c). */
#ifndef NB_IDENTITY_H
#define NB_IDENTITY_H

#include "hypervisors.h"

#include <stddef.h>

/* ---- data types --------------------------------------------------------------------- */

/* What the tier reported and what the lab knows ("" / 0 where absent). */
struct nb_evidence {
	int bit;                     /* CPUID.1:ECX[31]: 1, 0; -1 when not reported */
	char signature[16];          /* CPUID 0x40000000 EBX ECX EDX, printable part */
	unsigned long max_leaf;
	char signature_100[16];      /* CPUID 0x40000100 (KVM or Xen behind Hyper-V's) */
	unsigned long max_leaf_100;
	char kernel[64];             /* the X of the kernel's "Hypervisor detected: X" */
	int kernel_read;             /* its log was read: an empty kernel means it printed none */
	char kernel_why[128];        /* why the log could not be read ("" when not told) */
	char sys_type[32];           /* /sys/hypervisor/type */
	char dmi_vendor[64], dmi_product[96], dmi_bios[64];
	int hosts_pvm;               /* kvm_pvm is loaded: this machine runs PVM guests */
	char accelerator[32];        /* how the guest is run, by the lab or the agent: "tcg", "kvm" */
	char accelerator_why[160];
	char accelerator_from[8];    /* "lab" or "agent" */
};

enum nb_id_kind { NB_ID_UNKNOWN, NB_ID_BARE_METAL, NB_ID_GUEST };

#define NB_ID_ITEMS 10
#define NB_ID_TEXT 200

struct nb_identity {
	enum nb_id_kind kind;
	const struct nb_hypervisor *hv;        /* GUEST: what it runs under; NULL: not named */
	const struct nb_hypervisor *beneath;   /* the layer under hv that CPUID shows (PVM's host) */
	const struct nb_hypervisor *presents;  /* hv also presents this one's interface (Hyper-V) */
	const char *basis;                     /* the evidence that named it (static text) */
	char accelerator[32], accelerator_why[160], accelerator_from[8];
	char layer[NB_ID_TEXT];                /* "PVM guest whose host runs under bhyve" */
	/* what supports the name, for the nature: CPUID's word, in the form natures have
	 * always had ("signature KVMKVMKVM", "no hypervisor bit"), and the rest ("kernel
	 * detected KVM", "DMI: ...") */
	char cpuid_support[NB_ID_TEXT], other_support[NB_ID_TEXT];
	char evidence[NB_ID_ITEMS][NB_ID_TEXT];   /* everything considered, in words */
	int n_evidence;
	char conflicts[NB_ID_ITEMS][NB_ID_TEXT];  /* evidence that disagrees with the name */
	int n_conflicts;
	/* the campaign's label (nb_identity_check_label) */
	char label[64];
	const struct nb_hypervisor *labelled;  /* the label's hypervisor; NULL: none or unknown */
	int label_contradicted;
	char warning[2 * NB_ID_TEXT];          /* the contradiction in words, "" when none */
};

/* ---- prototypes --------------------------------------------------------------------- */

void nb_identify(const struct nb_evidence *e, struct nb_identity *id);

/* Judge the campaign's label against the identity: a label naming a hypervisor other
 * than the one the evidence names (or naming one where the evidence shows bare metal)
 * contradicts it, and warning says so.  An unknown label, or an identity that names no
 * hypervisor, cannot be judged. */
void nb_identity_check_label(struct nb_identity *id, const char *label);

/* The nature: the layer, CPUID's support in parentheses, the lab's accelerator, the
 * other support and any conflicting evidence: "KVM guest (signature KVMKVMKVM); kernel
 * detected KVM", "bare metal (no hypervisor bit)", "QEMU TCG guest (signature TCGTCGTCGTCG),
 * accelerator TCG (QEMU emulation, not hardware-assisted)", "PVM guest whose host runs
 * under bhyve (signature bhyve bhyve  of its host); kernel detected PVM".  With only the CPUID
 * evidence of earlier agents it reads as natures always did. */
void nb_identity_nature(const struct nb_identity *id, char *buf, size_t len);

/* The kind's spelling in results ("guest", "bare metal", "unknown") and back. */
const char *nb_id_kind_name(enum nb_id_kind k);
enum nb_id_kind nb_id_kind_parse(const char *s);

#endif
