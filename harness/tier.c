/* tier.c - connecting to a tier, through as many relays as its "via" chain has. */
#include "tier.h"
#include "../common/err.h"
#include "lab.h"
#include "libvirt.h"
#include "../common/proc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


/* The token in a tier's token file, parsed exactly as the agent parses its own
 * (nb_token_read_file), so both sides agree on whitespace; "" when none is set. */
static int read_token(const struct nb_tier_cfg *t, char *tok, size_t len, char err[NB_ERR_LEN])
{
	char herr[NB_ERR_LEN];

	tok[0] = '\0';
	if (!t->token_file[0])
		return 0;
	if (nb_token_read_file(t->token_file, tok, len, herr)) {
		return nb_err(err, "tier %s: %s", t->name, herr);
	}
	return 0;
}

static int start_local(const struct nb_tier_env *env, struct nb_tier_conn *tc, char err[NB_ERR_LEN])
{
	char *argv[] = { (char *)env->agent_path, "--stdio", "--quiet", "--state-dir",
			 (char *)env->state_dir, NULL };
	int to, from;
	char herr[NB_ERR_LEN];

	if (access(env->agent_path, X_OK)) {
		return nb_err(err, "local tier: agent %s is missing (build it with `make`, install the "
			 "nestbench-agent package, or give --agent PATH)", env->agent_path);
	}
	if (nb_proc_spawn_pipes(argv, &tc->local_pid, &to, &from, herr)) {
		return nb_err(err, "local tier: cannot start %s: %s", env->agent_path, herr);
	}
	nb_client_from_fds(&tc->client, from, to, "local agent (stdio)");
	tc->client.timeout_ms = NB_CONNECT_TIMEOUT_MS;
	snprintf(tc->reached, sizeof(tc->reached), "local agent (stdio)");
	return 0;
}

static int hello(const struct nb_tier_cfg *t, struct nb_tier_conn *tc, char err[NB_ERR_LEN])
{
	char tok[512], herr[NB_ERR_LEN];

	if (read_token(t, tok, sizeof(tok), err))
		return -1;
	cJSON_Delete(tc->hello);
	tc->hello = NULL;
	if (nb_client_hello(&tc->client, tok[0] ? tok : NULL, &tc->hello, herr) == 0)
		return 0;
	if (strcmp(tc->client.code, "auth") == 0)
		snprintf(err, NB_ERR_LEN, "tier %s: the agent refused the token (%s): set \"token_file\" to "
				       "the file the agent was started with (--token-file)", t->name, herr);
	else if (strcmp(tc->client.code, "version") == 0)
		snprintf(err, NB_ERR_LEN, "tier %s: the agent speaks another protocol version (%s): "
				       "install the matching nestbench-agent in that tier", t->name, herr);
	else
		snprintf(err, NB_ERR_LEN, "tier %s: hello failed: %s", t->name, herr);
	return -1;
}

/* "libvirt:DOMAIN" becomes the running domain's "vsock:CID:PORT" (libvirt.h); what it
 * resolved to is kept for the target tier's result. */
static int libvirt_address(const struct nb_tier_cfg *t, int target, struct nb_tier_conn *tc,
			   char *buf, size_t len, char err[NB_ERR_LEN])
{
	char herr[NB_ERR_LEN];
	cJSON *info = NULL;

	if (nb_libvirt_resolve(t->address, buf, len, &info, herr))
		return nb_err(err, "tier %s (%s): %s", t->name, t->address, herr);
	if (target && tc) {
		cJSON_Delete(tc->libvirt);
		tc->libvirt = info;
	} else {
		cJSON_Delete(info);
	}
	return 0;
}

/* A tier's address as the transport needs it: "lab:L1" becomes what the running lab
 * recorded (the target tier's lab description is kept for the result file).  A lab
 * guest reached only to relay deeper (not the target) is reached at its relay port, so
 * that its own session and the relay can stay open together: L1's port to L3 (l3) is
 * not the one to L2.  L2 has no such ports: vsock carries any number of sessions. */
static int real_address(const struct nb_tier_env *env, const struct nb_tier_cfg *t, int target,
			int l3, struct nb_tier_conn *tc, char *buf, size_t len, char err[NB_ERR_LEN])
{
	struct nb_lab_paths p;
	char herr[NB_ERR_LEN], lab_addr[NB_CFG_TEXT + 8];
	cJSON *info = NULL;

	if (nb_libvirt_is_address(t->address))
		return libvirt_address(t, target, tc, buf, len, err);
	if (strncmp(t->address, "lab:", 4) != 0) {
		snprintf(buf, len, "%s", t->address);
		return 0;
	}
	snprintf(lab_addr, sizeof(lab_addr), "%s%s", t->address,
		 target || strchr(t->address, '.') || strcmp(t->address, "lab:L2") == 0 ? ""
		 : l3 ? ".relay3" : ".relay");
	nb_lab_default_paths(&p);
	if (nb_lab_resolve(env->lab_dir ? env->lab_dir : p.dir, lab_addr, buf, len, &info, herr)) {
		return nb_err(err, "tier %s (%s): %s", t->name, t->address, herr);
	}
	if (target && tc) {
		cJSON_Delete(tc->lab);
		tc->lab = info;
	} else {
		cJSON_Delete(info);
	}
	return 0;
}

int nb_tier_root_address(const struct nb_campaign_cfg *cfg, int t, const struct nb_tier_env *env,
			 char *buf, size_t len, char err[NB_ERR_LEN])
{
	int k = t;

	while (cfg->tiers[k].parent >= 0)
		k = cfg->tiers[k].parent;
	return real_address(env, &cfg->tiers[k], k == t, 0, NULL, buf, len, err);
}

int nb_tier_connect(const struct nb_campaign_cfg *cfg, int t, const struct nb_tier_env *env,
		    struct nb_tier_conn *tc, char err[NB_ERR_LEN])
{
	int chain[NB_CFG_MAX_TIERS], n = 0;
	char herr[NB_ERR_LEN];

	memset(tc, 0, sizeof(*tc));
	tc->local_pid = -1;
	for (int k = t; k >= 0 && n < NB_CFG_MAX_TIERS; k = cfg->tiers[k].parent)
		chain[n++] = k;
	/* chain[n-1] is the root: local or a direct address. */
	const struct nb_tier_cfg *root = &cfg->tiers[chain[n - 1]];
	int l3 = strcmp(cfg->tiers[t].address, "lab:L3") == 0;
	char addr[NB_CFG_TEXT + PATH_MAX];
	if (strcmp(root->address, "local") == 0) {
		if (start_local(env, tc, err))
			return -1;
	} else {
		if (real_address(env, root, n == 1, l3, tc, addr, sizeof(addr), err))
			return -1;
		if (nb_client_connect(&tc->client, addr, NB_CONNECT_TIMEOUT_MS, herr)) {
			snprintf(err, NB_ERR_LEN, "tier %s unreachable at %s%s%s%s: %s", root->name, addr,
				 tc->libvirt ? " (the vsock CID of " : "",
				 tc->libvirt ? root->address : "", tc->libvirt ? ")" : "", herr);
			nb_tier_close(tc);
			return -1;
		}
		/* A hung guest must not stall the campaign: every reply has a deadline
		 * (a run's own timeout is added to it). */
		tc->client.timeout_ms = NB_CONNECT_TIMEOUT_MS;
		snprintf(tc->reached, sizeof(tc->reached), "%s", addr);
	}
	tc->connected = 1;
	if (hello(root, tc, err))
		goto fail;
	for (int i = n - 2; i >= 0; i--) {
		const struct nb_tier_cfg *hop = &cfg->tiers[chain[i]];
		if (real_address(env, hop, i == 0, l3, tc, addr, sizeof(addr), err))
			goto fail;
		if (nb_client_relay(&tc->client, addr, NULL, herr)) {
			snprintf(err, NB_ERR_LEN, "tier %s unreachable at %s through tier %s's agent: %s",
				 hop->name, addr, cfg->tiers[chain[i + 1]].name, herr);
			goto fail;
		}
		size_t used = strlen(tc->reached);
		snprintf(tc->reached + used, sizeof(tc->reached) - used, " -> relay %s", addr);
		if (hello(hop, tc, err))
			goto fail;
	}
	return 0;
fail:
	nb_tier_close(tc);
	return -1;
}

void nb_tier_abort(struct nb_tier_conn *tc)
{
	if (tc->connected) {
		nb_client_close(&tc->client);
		tc->connected = 0;
	}
	nb_tier_close(tc);
}

void nb_tier_close(struct nb_tier_conn *tc)
{
	char herr[NB_ERR_LEN];

	if (tc->connected) {
		nb_client_bye(&tc->client, herr);
		nb_client_close(&tc->client);
		tc->connected = 0;
	}
	if (tc->local_pid > 0) {
		int st;
		/* The stdio agent exits at end of session; TERM only if it lingers. */
		for (int i = 0; i < 50 && waitpid(tc->local_pid, &st, WNOHANG) == 0; i++)
			usleep(10000);
		if (waitpid(tc->local_pid, &st, WNOHANG) == 0) {
			kill(tc->local_pid, SIGTERM);
			waitpid(tc->local_pid, &st, 0);
		}
		tc->local_pid = -1;
	}
	cJSON_Delete(tc->hello);
	tc->hello = NULL;
	cJSON_Delete(tc->lab);
	tc->lab = NULL;
	cJSON_Delete(tc->libvirt);
	tc->libvirt = NULL;
}
