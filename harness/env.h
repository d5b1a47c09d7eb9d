/* env.h - what a tier really is: its agent's sysinfo (the machine description,
 * workloads/machine.h), the evidence in it and the lab's knowledge of how it started
 * the guest, named by common/identity.c, and recorded in the result (identity, nature,
 * warning), so a table never presents emulated numbers as hardware-assisted ones nor
 * names the wrong layer. */
#ifndef NB_ENV_H
#define NB_ENV_H

#include "tier.h"
#include "../common/err.h"
#include "../common/identity.h"

#include <cjson/cJSON.h>

/* Ask the tier's agent for sysinfo and store it, the agent's hello, the lab's
 * description, the identity, the nature and (when the campaign label contradicts the
 * evidence) the warning in tier.  0, or -1 with err (the tier is still usable). */
int nb_env_capture(struct nb_tier_conn *tc, cJSON *tier, char err[NB_ERR_LEN]);

/* The evidence in a sysinfo reply (NULL: none) and a lab guest's description (NULL:
 * not a lab guest). */
void nb_env_evidence(const cJSON *sysinfo, const cJSON *lab, struct nb_evidence *e);

/* The identity from that evidence, judged against the campaign label (NULL or "":
 * none). */
void nb_env_identify(const cJSON *sysinfo, const cJSON *lab, const char *label, struct nb_identity *id);

#endif
