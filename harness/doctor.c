/* doctor.c - a tier-by-tier health report with fixes for what is missing. */
#include "doctor.h"
#include "../common/err.h"
#include "catalog.h"
#include "config.h"
#include "env.h"
#include "tier.h"
#include "../common/hypervisors.h"
#include "../common/json.h"
#include "../common/records.h"
#include "../resultlib/result.h"

#include <stdio.h>
#include <string.h>

/* Counters the reports in this project lean on; names libpfm4 knows on x86. */
static const char *const probe_events[] = { "cycles", "instructions", "dTLB-load-misses",
					    "page-faults", "context-switches" };

static const char *local_config =
	"{\"name\":\"doctor\",\"tiers\":[{\"name\":\"local\",\"level\":0,\"address\":\"local\"}],"
	"\"workloads\":[\"ctl.syscall\"]}";

int nb_config_load_or_local(const char *config, struct nb_campaign_cfg *cfg, char err[NB_ERR_LEN])
{
	return config ? nb_config_load(config, cfg, err)
		      : nb_config_parse(local_config, strlen(local_config), "(this machine)", cfg, err);
}

static void report_counters(struct nb_tier_conn *tc, const char *sha, const struct nb_identity *id,
			    FILE *out)
{
	struct nb_run_spec spec;
	cJSON *reply = NULL;
	char err[NB_ERR_LEN];
	const cJSON *rec, *ctr;
	int shown = 0;

	nb_run_spec_init(&spec);
	snprintf(spec.sha256, sizeof(spec.sha256), "%s", sha);
	snprintf(spec.workload, sizeof(spec.workload), "ctl.syscall");
	for (size_t i = 0; i < sizeof(probe_events) / sizeof(probe_events[0]); i++)
		nb_run_spec_add_event(&spec, probe_events[i], err);
	spec.reps = 1;
	spec.warmup = 0;
	spec.min_time_ms = 1;
	if (nb_client_run(&tc->client, &spec, &reply, err)) {
		fprintf(out, "  counters:   could not probe: %s\n", err);
		cJSON_Delete(reply);
		return;
	}
	cJSON_ArrayForEach(rec, nb_json_path(reply, "records")) {
		const char *type = nb_json_str(rec, NB_REC_TYPE_KEY, NULL);
		if (!type || strcmp(type, NB_RECTYPE_REP) != 0 || shown)
			continue;
		shown = 1;
		int missing_hw = 0;
		cJSON_ArrayForEach(ctr, nb_json_path(rec, "counters")) {
			const char *name = nb_json_str(ctr, "name", NULL);
			const char *why = nb_json_str(ctr, "unsupported", NULL);
			fprintf(out, "  counter %-18s %s\n", name ? name : "?", why ? why : "works");
			if (why && name && (strcmp(name, "cycles") == 0 || strcmp(name, "instructions") == 0))
				missing_hw = 1;
		}
		if (missing_hw && id->kind == NB_ID_BARE_METAL)
			fprintf(out, "  fix:        no hardware counters on bare metal: check that the "
				"kernel has a PMU driver for this CPU (dmesg | grep -i perf) and "
				"perf_event_paranoid\n");
		else if (missing_hw)
			fprintf(out, "  fix:        no hardware counters here; %s\n", nb_hv_pmu_fix(id->hv));
	}
	if (!shown)
		fprintf(out, "  counters:   the probe workload printed no repetition (exit %s)\n",
			cJSON_IsNumber(nb_json_path(reply, "exit_status")) ? "non-zero" : "by signal");
	cJSON_Delete(reply);
}

/* What the evidence says and whether the campaign's label agrees: a contradiction is
 * also a loud line on stderr. */
static void report_identity(const struct nb_tier_cfg *tcfg, const struct nb_identity *id, FILE *out)
{
	for (int i = 0; i < id->n_evidence; i++)
		fprintf(out, "  %-11s %s\n", i ? "" : "evidence:", id->evidence[i]);
	if (!tcfg->hypervisor[0])
		return;
	if (id->label_contradicted) {
		fprintf(out, "  label:      \"%s\" CONTRADICTED by the evidence (see the warning)\n",
			tcfg->hypervisor);
		fflush(out);
		fprintf(stderr, "WARNING: tier %s: %s\n", tcfg->name, id->warning);
	} else {
		fprintf(out, "  label:      \"%s\" (%s)\n", tcfg->hypervisor,
			!id->labelled ? "not a hypervisor nestbench knows: not checked"
			: id->hv || id->kind == NB_ID_BARE_METAL ? "agrees with the evidence"
			: "the evidence names no hypervisor to check it against");
	}
}

static void report_tier(const struct nb_campaign_cfg *cfg, int t, const struct nb_tier_env *env,
			const struct nb_catalog *cat, FILE *out, int *failed)
{
	const struct nb_tier_cfg *tcfg = &cfg->tiers[t];
	struct nb_res_tier_id rid = { tcfg->level, tcfg->hypervisor, tcfg->address, tcfg->via };
	struct nb_tier_conn tc;
	struct nb_identity id;
	cJSON *tier = cJSON_CreateObject();
	char err[NB_ERR_LEN], sha[65];

	fprintf(out, "tier %s (level %d, %s%s%s)\n", tcfg->name, tcfg->level,
		tcfg->address, tcfg->via[0] ? " via " : "", tcfg->via);
	if (nb_tier_connect(cfg, t, env, &tc, err)) {
		fprintf(out, "  reachable:  NO: %s\n", err);
		*failed = 1;
		cJSON_Delete(tier);
		return;
	}
	fprintf(out, "  reachable:  yes (%s), agent %s\n", tc.reached,
		nb_json_str(tc.hello, "version", "?"));
	nb_res_tier_begin(tier, &rid);
	if (nb_env_capture(&tc, tier, err) == 0) {
		const cJSON *si = nb_res_tier_sysinfo(tier);
		/* The nature capture wrote, with a lab guest's accelerator; the identity the
		 * same evidence gives, for the report. */
		nb_env_identify(si, tc.lab, tcfg->hypervisor, &id);
		fprintf(out, "  nature:     %s\n", nb_res_tier_nature(tier) ?: "?");
		report_identity(tcfg, &id, out);
		fprintf(out, "  kernel:     %s\n", nb_json_str(si, "kernel.release", "?"));
		fprintf(out, "  cpu:        %s, %d vCPUs\n", nb_json_str(si, "cpu.model", "?"),
			cJSON_IsNumber(nb_json_path(si, "vcpus")) ? nb_json_path(si, "vcpus")->valueint : 0);
		const cJSON *pl = nb_json_path(si, "platform");
		fprintf(out, "  platform:   clocksource %s, governor %s, boost %s, idle %s, THP %s\n",
			nb_json_str(pl, "clocksource", "?"),
			*(nb_json_str(pl, "cpufreq_governor", "")) ?
				nb_json_str(pl, "cpufreq_governor", NULL) : "none (no cpufreq)",
			nb_json_str(pl, "boost", "?"),
			nb_json_str(pl, "cpuidle_driver", "?"),
			nb_json_str(pl, "thp_enabled", "?"));
		const cJSON *kvm = nb_json_path(si, "devices.kvm"), *vv = nb_json_path(si, "devices.vhost_vsock");
		fprintf(out, "  can nest:   /dev/kvm %s, /dev/vhost-vsock %s\n",
			cJSON_IsTrue(kvm) ? "present" : "absent (load kvm_intel or kvm_amd; nested=1 on its parent)",
			cJSON_IsTrue(vv) ? "present" : "absent (modprobe vhost_vsock to give children vsock)");
		if (nb_client_put_file(&tc.client, cat->work_path, "nestbench-work", sha, NULL, err) == 0)
			report_counters(&tc, sha, &id, out);
		else
			fprintf(out, "  counters:   cannot deploy %s: %s\n", cat->work_path, err);
	} else {
		fprintf(out, "  sysinfo:    %s\n", err);
	}
	nb_tier_close(&tc);
	cJSON_Delete(tier);
}

int nb_doctor(const char *config, const char *work, const char *agent, const char *state_dir, FILE *out)
{
	static struct nb_campaign_cfg cfg;
	struct nb_catalog cat;
	struct nb_tier_env env = { agent, state_dir };
	char err[NB_ERR_LEN];
	int failed = 0;

	if (nb_config_load_or_local(config, &cfg, err)) {
		fprintf(stderr, "nestbench: %s\n", err);
		return 2;
	}
	if (nb_catalog_load(&cat, work, err)) {
		fprintf(stderr, "nestbench: %s\n", err);
		nb_config_free(&cfg);
		return 2;
	}
	fprintf(out, "nestbench-work %s (sha256 %.16s...)\n", cat.version, cat.sha256);
	for (int t = 0; t < cfg.ntiers; t++)
		report_tier(&cfg, t, &env, &cat, out, &failed);
	nb_catalog_free(&cat);
	nb_config_free(&cfg);
	return failed ? 2 : 0;
}
