/* tier.h - reaching a campaign tier: an agent the harness starts (local), a direct
 * address, or a chain of relays through parent tiers (via), then hello with tokens. */
#ifndef NB_TIER_H
#define NB_TIER_H

#include "config.h"
#include "../common/err.h"
#include "../common/client.h"

#include <sys/types.h>

#define NB_CONNECT_TIMEOUT_MS 10000

struct nb_tier_conn {
	struct nb_client client;
	int connected;
	pid_t local_pid;           /* an agent the harness started, -1 otherwise */
	char reached[512];         /* how: "local agent (stdio)", "unix:/s -> relay vsock:4:7420" */
	cJSON *hello;              /* the target agent's hello reply */
	cJSON *lab;                /* a lab guest: what the lab made it (accelerator ...) */
	cJSON *libvirt;            /* a "libvirt:" tier: the domain, URI and CID it resolved to */
};

struct nb_tier_env {
	const char *agent_path;    /* nestbench-agent for local tiers */
	const char *state_dir;     /* its --state-dir */
	const char *lab_dir;       /* for "lab:" addresses; NULL: build/lab beside nestbench */
};

/* Connect to tier t (following via), hello at every hop.  0, or -1 with err naming
 * the hop that failed and what to check. */
int nb_tier_connect(const struct nb_campaign_cfg *cfg, int t, const struct nb_tier_env *env,
		    struct nb_tier_conn *tc, char err[NB_ERR_LEN]);
/* The address the connection to tier t starts at: its root's ("local", or a lab
 * address resolved to the running lab's).  0, or -1 with err. */
int nb_tier_root_address(const struct nb_campaign_cfg *cfg, int t, const struct nb_tier_env *env,
			 char *buf, size_t len, char err[NB_ERR_LEN]);
/* Say bye, close, stop a local agent (SIGTERM, then wait). */
void nb_tier_close(struct nb_tier_conn *tc);
/* Close without bye (after Ctrl-C: the agent may be busy; hanging up tells it to end
 * the running workload). */
void nb_tier_abort(struct nb_tier_conn *tc);

#endif
