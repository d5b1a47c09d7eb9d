/* events_cmd.c - `nestbench events`: the agent's events-probe for each tier, in words. */
#include "events_cmd.h"
#include "../common/err.h"
#include "config.h"
#include "doctor.h"     /* nb_config_load_or_local */
#include "env.h"
#include "tier.h"
#include "../common/hypervisors.h"
#include "../common/json.h"

#include <stdio.h>
#include <string.h>

static void print_events(const cJSON *probe, const char *group, FILE *out)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, nb_json_path(probe, "events")) {
		if (strcmp(nb_json_str(e, "group", ""), group) != 0)
			continue;
		int ok = cJSON_IsTrue(nb_json_path(e, "supported"));
		const char *why = nb_json_str(e, "reason", "");
		fprintf(out, "  %-40s %-4s %s\n", nb_json_str(e, "name", ""), ok ? "yes" : "no", why);
	}
}

/* The exit-counting verdict and what to do about it. */
static void print_exits(const cJSON *x, FILE *out)
{
	const cJSON *tp = nb_json_path(x, "tracepoints"), *p;
	int nvmm = cJSON_GetArraySize(nb_json_path(x, "vmm_processes"));

	if (cJSON_IsTrue(nb_json_path(x, "supported"))) {
		fprintf(out, "  exits:      this tier can count its children's VM exits: tracefs %s",
			nb_json_str(x, "tracefs", ""));
		if (cJSON_IsNumber(nb_json_path(tp, "kvm_exit")))
			fprintf(out, ", kvm:kvm_exit (id %d)", nb_json_path(tp, "kvm_exit")->valueint);
		if (cJSON_IsNumber(nb_json_path(tp, "kvm_nested_vmexit")))
			fprintf(out, ", kvm:kvm_nested_vmexit (id %d)", nb_json_path(tp, "kvm_nested_vmexit")->valueint);
		fprintf(out, ", KVM module %s, agent %s\n", nb_json_str(x, "kvm_module", "")[0] ? nb_json_str(x, "kvm_module", "") : "?",
			cJSON_IsTrue(nb_json_path(x, "root")) ? "root" : "not root");
		if (cJSON_IsTrue(nb_json_path(x, "tracefs_mounted_by_agent")))
			fprintf(out, "              (the agent mounted tracefs for this)\n");
	} else {
		fprintf(out, "  exits:      this tier cannot count its children's VM exits: %s\n",
			nb_json_str(x, "reason", ""));
	}
	if (nb_json_str(x, "note", "")[0])
		fprintf(out, "              note: %s\n", nb_json_str(x, "note", ""));
	fprintf(out, "              VMM processes here now:");
	cJSON_ArrayForEach(p, nb_json_path(x, "vmm_processes"))
		fprintf(out, " %s (pid %d, %d vCPUs)", nb_json_str(p, "comm", ""),
			cJSON_IsNumber(nb_json_path(p, "pid")) ? nb_json_path(p, "pid")->valueint : 0,
			cJSON_IsNumber(nb_json_path(p, "vcpus")) ? nb_json_path(p, "vcpus")->valueint : 0);
	fprintf(out, "%s\n", nvmm ? "" : " none (no process here holds a KVM VM)");
}

static void print_text(const char *nature, const struct nb_identity *id, const cJSON *probe, FILE *out)
{
	int hw = cJSON_IsTrue(nb_json_path(probe, "hardware_pmu"));

	fprintf(out, "  nature:     %s\n", nature);
	fprintf(out, "  perf:       perf_event_paranoid %d, agent %s, libpfm4 core PMU %s, hardware "
		"counters %s\n", cJSON_IsNumber(nb_json_path(probe, "perf_event_paranoid"))
				 ? nb_json_path(probe, "perf_event_paranoid")->valueint : -99,
		cJSON_IsTrue(nb_json_path(probe, "root")) ? "root" : "not root",
		nb_json_str(probe, "pmu", "")[0] ? nb_json_str(probe, "pmu", "") : "none detected",
		hw ? "work" : "do not open");
	fprintf(out, "  %-40s %-4s %s\n", "generic event", "open", "why not");
	print_events(probe, "generic", out);
	if (nb_json_str(probe, "pmu", "")[0]) {
		fprintf(out, "  %-40s\n", "page-walk and TLB-miss events (libpfm4):");
		print_events(probe, "page-walk", out);
	}
	print_events(probe, "requested", out);
	if (!hw) {
		if (id->kind == NB_ID_BARE_METAL)
			fprintf(out, "  fix:        bare metal without usable hardware counters: check that "
				"the kernel has a PMU driver for this CPU (dmesg | grep -i perf) and "
				"perf_event_paranoid\n");
		else
			fprintf(out, "  fix:        no PMU exposed to this guest; %s\n", nb_hv_pmu_fix(id->hv));
	}
	print_exits(nb_json_path(probe, "exits"), out);
}

static int probe_tier(const struct nb_campaign_cfg *cfg, int t, const struct nb_tier_env *env,
		      int json, cJSON *all, FILE *out)
{
	struct nb_tier_conn tc;
	cJSON *si = NULL, *probe = NULL, *req;
	char err[NB_ERR_LEN], nature[1024] = "unknown (sysinfo failed)";
	struct nb_identity id;
	int rc = 0;

	if (!json)
		fprintf(out, "tier %s (level %d, %s%s%s)\n", cfg->tiers[t].name, cfg->tiers[t].level,
			cfg->tiers[t].address, cfg->tiers[t].via[0] ? " via " : "", cfg->tiers[t].via);
	if (nb_tier_connect(cfg, t, env, &tc, err)) {
		if (json) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "tier", cfg->tiers[t].name);
			cJSON_AddStringToObject(e, "error", err);
			cJSON_AddItemToArray(all, e);
		} else {
			fprintf(out, "  reachable:  NO: %s\n", err);
		}
		return 2;
	}
	if (nb_client_sysinfo(&tc.client, &si, err) == 0) {
		nb_env_identify(si, tc.lab, cfg->tiers[t].hypervisor, &id);
		nb_identity_nature(&id, nature, sizeof(nature));
	} else {
		nb_env_identify(NULL, tc.lab, cfg->tiers[t].hypervisor, &id);
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", "events-probe");
	if (nb_client_call(&tc.client, req, &probe, err)) {
		if (strcmp(tc.client.code, "unknown_op") == 0)
			snprintf(err, sizeof(err), "the agent (version %s) has no events-probe: install this "
				 "nestbench-agent in the tier", nb_json_str(tc.hello, "version", ""));
		rc = 2;
	}
	if (json) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "tier", cfg->tiers[t].name);
		cJSON_AddStringToObject(e, "nature", nature);
		if (rc) {
			cJSON_AddStringToObject(e, "error", err);
		} else {
			cJSON_DeleteItemFromObjectCaseSensitive(probe, "id");
			cJSON_DeleteItemFromObjectCaseSensitive(probe, "ok");
			cJSON_AddItemToObject(e, "probe", probe);
			probe = NULL;
		}
		cJSON_AddItemToArray(all, e);
	} else if (rc) {
		fprintf(out, "  probe:      %s\n", err);
	} else {
		print_text(nature, &id, probe, out);
	}
	cJSON_Delete(si);
	cJSON_Delete(probe);
	nb_tier_close(&tc);
	return rc;
}

int nb_events_cmd(const struct nb_events_opts *o, FILE *out)
{
	static struct nb_campaign_cfg cfg;
	struct nb_tier_env env = { o->agent, o->state_dir, o->lab_dir };
	char err[NB_ERR_LEN];
	cJSON *all = cJSON_CreateArray();
	int status = 0, only = -1;

	if (nb_config_load_or_local(o->config, &cfg, err)) {
		fprintf(stderr, "nestbench: %s\n", err);
		cJSON_Delete(all);
		return 2;
	}
	if (o->only_tier && (only = nb_config_tier(&cfg, o->only_tier)) < 0) {
		fprintf(stderr, "nestbench events: --tier %s: the campaign has no such tier\n", o->only_tier);
		nb_config_free(&cfg);
		cJSON_Delete(all);
		return 2;
	}
	for (int t = 0; t < cfg.ntiers; t++)
		if (only < 0 || t == only)
			status |= probe_tier(&cfg, t, &env, o->json, all, out);
	if (o->json) {
		char *s = cJSON_Print(all);
		if (s)
			fprintf(out, "%s\n", s);
		cJSON_free(s);
	}
	cJSON_Delete(all);
	nb_config_free(&cfg);
	return status ? 2 : 0;
}
