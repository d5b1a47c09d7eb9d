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

#include <stdarg.h>
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

/* Where the report goes: text lines on out, or (--json) one object per check, kept in
 * checks until the end. */
struct report {
	FILE *out;
	cJSON *checks;     /* --json, else NULL */
	const char *tier;  /* the tier being checked, NULL for the harness's own checks */
};

static void text(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->checks)
		return;
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
}

/* A check for --json: status "ok", "warn" (works, with less), "fail" or "info"; fix NULL
 * when there is nothing to do. */
static void check(struct report *r, const char *name, const char *status, const char *detail,
		  const char *fix)
{
	cJSON *o;

	if (!r->checks)
		return;
	o = cJSON_CreateObject();
	if (r->tier)
		cJSON_AddStringToObject(o, "tier", r->tier);
	else
		cJSON_AddNullToObject(o, "tier");
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddStringToObject(o, "detail", detail ? detail : "");
	if (fix)
		cJSON_AddStringToObject(o, "fix", fix);
	else
		cJSON_AddNullToObject(o, "fix");
	cJSON_AddItemToArray(r->checks, o);
}

static void report_counters(struct report *r, struct nb_tier_conn *tc, const char *sha,
			    const struct nb_identity *id)
{
	struct nb_run_spec spec;
	cJSON *reply = NULL;
	char err[NB_ERR_LEN], name[64];
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
		text(r, "  counters:   could not probe: %s\n", err);
		check(r, "counters", "fail", err, NULL);
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
			const char *cname = nb_json_str(ctr, "name", NULL);
			const char *why = nb_json_str(ctr, "unsupported", NULL);
			text(r, "  counter %-18s %s\n", cname ? cname : "?", why ? why : "works");
			snprintf(name, sizeof(name), "counter %s", cname ? cname : "?");
			check(r, name, why ? "warn" : "ok", why ? why : "works", NULL);
			if (why && cname && (strcmp(cname, "cycles") == 0 || strcmp(cname, "instructions") == 0))
				missing_hw = 1;
		}
		const char *fix = !missing_hw ? NULL
				  : id->kind == NB_ID_BARE_METAL
					  ? "no hardware counters on bare metal: check that the kernel has a "
					    "PMU driver for this CPU (dmesg | grep -i perf) and "
					    "perf_event_paranoid"
					  : nb_hv_pmu_fix(id->hv);
		if (fix && id->kind == NB_ID_BARE_METAL)
			text(r, "  fix:        %s\n", fix);
		else if (fix)
			text(r, "  fix:        no hardware counters here; %s\n", fix);
		check(r, "hardware counters", missing_hw ? "warn" : "ok",
		      missing_hw ? "cycles or instructions cannot be counted" : "cycles and instructions count",
		      fix);
	}
	if (!shown) {
		snprintf(err, sizeof(err), "the probe workload printed no repetition (exit %s)",
			 cJSON_IsNumber(nb_json_path(reply, "exit_status")) ? "non-zero" : "by signal");
		text(r, "  counters:   %s\n", err);
		check(r, "counters", "fail", err, NULL);
	}
	cJSON_Delete(reply);
}

/* What the evidence says and whether the campaign's label agrees: a contradiction is
 * also a loud line on stderr. */
static void report_identity(struct report *r, const struct nb_tier_cfg *tcfg,
			    const struct nb_identity *id)
{
	char all[2048] = "", detail[NB_ERR_LEN];

	for (int i = 0; i < id->n_evidence; i++) {
		text(r, "  %-11s %s\n", i ? "" : "evidence:", id->evidence[i]);
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", i ? "; " : "",
			 id->evidence[i]);
	}
	check(r, "evidence", "info", all, NULL);
	if (!tcfg->hypervisor[0])
		return;
	if (id->label_contradicted) {
		text(r, "  label:      \"%s\" CONTRADICTED by the evidence (see the warning)\n",
		     tcfg->hypervisor);
		snprintf(detail, sizeof(detail), "\"%s\" contradicted by the evidence: %s",
			 tcfg->hypervisor, id->warning);
		check(r, "label", "fail", detail, "correct the tier's \"hypervisor\" in the campaign file");
		fflush(r->out);
		fprintf(stderr, "WARNING: tier %s: %s\n", tcfg->name, id->warning);
	} else {
		const char *how = !id->labelled ? "not a hypervisor nestbench knows: not checked"
				  : id->hv || id->kind == NB_ID_BARE_METAL ? "agrees with the evidence"
				  : "the evidence names no hypervisor to check it against";
		text(r, "  label:      \"%s\" (%s)\n", tcfg->hypervisor, how);
		snprintf(detail, sizeof(detail), "\"%s\" (%s)", tcfg->hypervisor, how);
		check(r, "label", "ok", detail, NULL);
	}
}

/* /dev/kvm and /dev/vhost-vsock: what a tier needs to run a child VM. */
static void report_nesting(struct report *r, const cJSON *si)
{
	static const char kvm_fix[] = "load kvm_intel or kvm_amd; nested=1 on its parent";
	static const char vv_fix[] = "modprobe vhost_vsock to give children vsock";
	const cJSON *kvm = nb_json_path(si, "devices.kvm"), *vv = nb_json_path(si, "devices.vhost_vsock");

	text(r, "  can nest:   /dev/kvm %s, /dev/vhost-vsock %s\n",
	     cJSON_IsTrue(kvm) ? "present" : "absent (load kvm_intel or kvm_amd; nested=1 on its parent)",
	     cJSON_IsTrue(vv) ? "present" : "absent (modprobe vhost_vsock to give children vsock)");
	check(r, "/dev/kvm", cJSON_IsTrue(kvm) ? "ok" : "warn", cJSON_IsTrue(kvm) ? "present" : "absent",
	      cJSON_IsTrue(kvm) ? NULL : kvm_fix);
	check(r, "/dev/vhost-vsock", cJSON_IsTrue(vv) ? "ok" : "warn",
	      cJSON_IsTrue(vv) ? "present" : "absent", cJSON_IsTrue(vv) ? NULL : vv_fix);
}

static void report_system(struct report *r, const cJSON *si)
{
	char detail[1024];
	const cJSON *pl = nb_json_path(si, "platform");

	snprintf(detail, sizeof(detail), "%s", nb_json_str(si, "kernel.release", "?"));
	text(r, "  kernel:     %s\n", detail);
	check(r, "kernel", "info", detail, NULL);
	snprintf(detail, sizeof(detail), "%s, %d vCPUs", nb_json_str(si, "cpu.model", "?"),
		 cJSON_IsNumber(nb_json_path(si, "vcpus")) ? nb_json_path(si, "vcpus")->valueint : 0);
	text(r, "  cpu:        %s\n", detail);
	check(r, "cpu", "info", detail, NULL);
	snprintf(detail, sizeof(detail), "clocksource %s, governor %s, boost %s, idle %s, THP %s",
		 nb_json_str(pl, "clocksource", "?"),
		 *(nb_json_str(pl, "cpufreq_governor", "")) ?
			 nb_json_str(pl, "cpufreq_governor", NULL) : "none (no cpufreq)",
		 nb_json_str(pl, "boost", "?"),
		 nb_json_str(pl, "cpuidle_driver", "?"),
		 nb_json_str(pl, "thp_enabled", "?"));
	text(r, "  platform:   %s\n", detail);
	check(r, "platform", "info", detail, NULL);
}

static void report_tier(struct report *r, const struct nb_campaign_cfg *cfg, int t,
			const struct nb_tier_env *env, const struct nb_catalog *cat, int *failed)
{
	const struct nb_tier_cfg *tcfg = &cfg->tiers[t];
	struct nb_res_tier_id rid = { tcfg->level, tcfg->hypervisor, tcfg->address, tcfg->via };
	struct nb_tier_conn tc;
	struct nb_identity id;
	cJSON *tier = cJSON_CreateObject();
	char err[NB_ERR_LEN], sha[65], detail[NB_ERR_LEN + 64];

	r->tier = tcfg->name;
	text(r, "tier %s (level %d, %s%s%s)\n", tcfg->name, tcfg->level,
	     tcfg->address, tcfg->via[0] ? " via " : "", tcfg->via);
	if (nb_tier_connect(cfg, t, env, &tc, err)) {
		text(r, "  reachable:  NO: %s\n", err);
		check(r, "reachable", "fail", err, "start nestbench-agent there, or correct the tier's "
		      "\"address\" (the detail names the hop that failed)");
		*failed = 1;
		cJSON_Delete(tier);
		return;
	}
	snprintf(detail, sizeof(detail), "yes (%s), agent %s", tc.reached,
		 nb_json_str(tc.hello, "version", "?"));
	text(r, "  reachable:  %s\n", detail);
	check(r, "reachable", "ok", detail, NULL);
	nb_res_tier_begin(tier, &rid);
	if (nb_env_capture(&tc, tier, err) == 0) {
		const cJSON *si = nb_res_tier_sysinfo(tier);
		/* The nature capture wrote, with a lab guest's accelerator; the identity the
		 * same evidence gives, for the report. */
		nb_env_identify(si, tc.lab, tcfg->hypervisor, &id);
		text(r, "  nature:     %s\n", nb_res_tier_nature(tier) ?: "?");
		check(r, "nature", "info", nb_res_tier_nature(tier) ?: "?", NULL);
		report_identity(r, tcfg, &id);
		report_system(r, si);
		report_nesting(r, si);
		if (nb_client_put_file(&tc.client, cat->work_path, "nestbench-work", sha, NULL, err) == 0) {
			check(r, "deploy", "ok", cat->work_path, NULL);
			report_counters(r, &tc, sha, &id);
		} else {
			text(r, "  counters:   cannot deploy %s: %s\n", cat->work_path, err);
			snprintf(detail, sizeof(detail), "cannot deploy %s: %s", cat->work_path, err);
			check(r, "deploy", "fail", detail, NULL);
		}
	} else {
		text(r, "  sysinfo:    %s\n", err);
		check(r, "sysinfo", "fail", err, NULL);
	}
	nb_tier_close(&tc);
	cJSON_Delete(tier);
	r->tier = NULL;
}

int nb_doctor(const char *config, const char *work, const char *agent, const char *state_dir,
	      int json, FILE *out)
{
	static struct nb_campaign_cfg cfg;
	struct nb_catalog cat;
	struct nb_tier_env env = { agent, state_dir };
	struct report r = { out, json ? cJSON_CreateArray() : NULL, NULL };
	char err[NB_ERR_LEN], detail[256];
	int failed = 0;

	if (nb_config_load_or_local(config, &cfg, err)) {
		fprintf(stderr, "nestbench: %s\n", err);
		cJSON_Delete(r.checks);
		return 2;
	}
	if (nb_catalog_load(&cat, work, err)) {
		fprintf(stderr, "nestbench: %s\n", err);
		nb_config_free(&cfg);
		cJSON_Delete(r.checks);
		return 2;
	}
	text(&r, "nestbench-work %s (sha256 %.16s...)\n", cat.version, cat.sha256);
	snprintf(detail, sizeof(detail), "%s %s (sha256 %.16s...)", cat.work_path, cat.version, cat.sha256);
	check(&r, "nestbench-work", "ok", detail, NULL);
	for (int t = 0; t < cfg.ntiers; t++)
		report_tier(&r, &cfg, t, &env, &cat, &failed);
	if (r.checks) {
		char *s = cJSON_Print(r.checks);
		if (s)
			fprintf(out, "%s\n", s);
		cJSON_free(s);
		cJSON_Delete(r.checks);
	}
	nb_catalog_free(&cat);
	nb_config_free(&cfg);
	return failed ? 2 : 0;
}
