/* env.h - what a tier really is: its agent's sysinfo, and a plain-words "nature"
 * (bare metal, KVM guest, TCG emulation ...) derived from the hypervisor signature,
 * so a table never presents emulated numbers as hardware-assisted ones. */
#ifndef NB_ENV_H
#define NB_ENV_H

#include "tier.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Ask the tier's agent for sysinfo and store it, the agent's hello and the nature in
 * tier.  0, or -1 with err (the tier is still usable). */
int nb_env_capture(struct nb_tier_conn *tc, cJSON *tier, char *err);

/* The nature of a tier from its sysinfo reply: "bare metal", "KVM guest", ... with the
 * accelerator when the sysinfo names one (the local lab adds it). */
void nb_env_nature(const cJSON *sysinfo, char *buf, size_t len);

/* The hypervisor a CPUID signature names ("KVMKVMKVM" -> "KVM"), or NULL. */
const char *nb_env_hypervisor_name(const char *signature);

#endif
