/* read.c - typed views of the result document (result.h): what the readers (analysis,
 * a resumed run) get instead of member names. */
#include "result.h"
#include "../common/json.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a view's string members are in the document: one table per object, so that each
 * field's name in the file is written once. */
struct str_field {
	const char *path;          /* nb_json_path's "a.b" */
	size_t offset;             /* of the const char * in the view */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Each string of the table, or NULL where absent or not a string. */
static void read_strings(const cJSON *o, void *view, const struct str_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*(const char **)((char *)view + f[i].offset) = nb_json_str(o, f[i].path, NULL);
}

/* An integer member, or dflt. */
static int int_or(const cJSON *o, const char *path, int dflt)
{
	const cJSON *v = nb_json_path(o, path);

	return cJSON_IsNumber(v) ? v->valueint : dflt;
}

/* ---- the head ----------------------------------------------------------------------- */

#define HEAD(path, member) { path, offsetof(struct nb_res_head, member) }
static const struct str_field head_strings[] = {
	HEAD("campaign.name", campaign),         HEAD("campaign.description", description),
	HEAD("campaign.config_path", config_path), HEAD("campaign.config_sha256", config_sha256),
	HEAD("campaign.config_text", config_text), HEAD("nestbench.version", version),
	HEAD("nestbench.git_revision", git_revision), HEAD("nestbench.work_sha256", work_sha256),
	HEAD("nestbench.work_version", work_version), HEAD("started_utc", started_utc),
	HEAD("status", status),                  HEAD("campaign.order.mode", order_mode),
};

void nb_res_head_read(const cJSON *doc, struct nb_res_head *h)
{
	const cJSON *seed = nb_json_path(doc, "campaign.seed");

	memset(h, 0, sizeof(*h));
	read_strings(doc, h, head_strings, COUNT(head_strings));
	h->has_seed = cJSON_IsNumber(seed);
	h->seed = h->has_seed ? seed->valuedouble : 0;
	h->work_size = nb_json_num(doc, "nestbench.work_size", 0);
	h->schema_version = int_or(doc, "schema_version", 0);
}

void nb_res_overrides_read(const cJSON *doc, struct nb_res_overrides *ov, char *tiers, size_t len)
{
	const cJSON *t;
	size_t used = 0;

	memset(ov, 0, sizeof(*ov));
	ov->reps = int_or(doc, "campaign.overrides.reps", 0);
	ov->min_time_ms = int_or(doc, "campaign.overrides.min_time_ms", 0);
	if (len)
		tiers[0] = '\0';
	cJSON_ArrayForEach(t, nb_json_path(doc, "campaign.overrides.tiers"))
		if (cJSON_IsString(t) && used < len)
			used += (size_t)snprintf(tiers + used, len - used, "%s%s", used ? "," : "",
						 t->valuestring);
	ov->tiers = tiers;
}

/* ---- tiers -------------------------------------------------------------------------- */

const cJSON *nb_res_tiers(const cJSON *doc, int *n)
{
	const cJSON *t = nb_json_path(doc, "tiers");

	if (!cJSON_IsArray(t))
		t = NULL;
	*n = t ? cJSON_GetArraySize(t) : 0;
	return t;
}

enum nb_tier_status nb_res_tier_status(const cJSON *tier)
{
	return nb_tier_status_parse(nb_json_str(tier, "status", NULL));
}

const char *nb_res_tier_label(const cJSON *tier)
{
	return nb_json_str(tier, "hypervisor_label", NULL);
}

const char *nb_res_tier_nature(const cJSON *tier)
{
	return nb_json_str(tier, "nature", NULL);
}

const cJSON *nb_res_tier_sysinfo(const cJSON *tier)
{
	return nb_json_path(tier, "sysinfo");
}

#define TIER(path, member) { path, offsetof(struct nb_res_tier_view, member) }
static const struct str_field tier_strings[] = {
	TIER("name", name),         TIER("via", via),         TIER("status", status),
	TIER("error", error),       TIER("nature", nature),   TIER("warning", warning),
	TIER("hypervisor_label", hypervisor_label),
	TIER("sysinfo.accelerator", accelerator), TIER("sysinfo.kernel.release", kernel_release),
	TIER("sysinfo.cpu.model", cpu_model),
};

void nb_res_tier_read(const cJSON *tier, struct nb_res_tier_view *v)
{
	const cJSON *cases = nb_json_path(tier, "cases");

	memset(v, 0, sizeof(*v));
	read_strings(tier, v, tier_strings, COUNT(tier_strings));
	v->has_level = cJSON_IsNumber(nb_json_path(tier, "level"));
	v->level = int_or(tier, "level", 0);
	v->vcpus = int_or(tier, "sysinfo.vcpus", -1);
	v->cases = cJSON_IsArray(cases) ? cases : NULL;
	v->n_cases = v->cases ? cJSON_GetArraySize(cases) : 0;
}

/* ---- cases -------------------------------------------------------------------------- */

enum nb_case_status nb_res_case_status(const cJSON *c)
{
	return nb_case_status_parse(nb_json_str(c, "status", NULL));
}

const char *nb_res_case_error(const cJSON *c)
{
	return nb_json_str(c, "error", NULL);
}

double nb_res_case_ops_per_rep(const cJSON *c)
{
	return nb_json_num(c, "ops_per_rep", 0);
}

int nb_res_case_nsamples(const cJSON *c)
{
	return cJSON_GetArraySize(nb_json_path(c, "samples"));
}

int nb_res_case_values(const cJSON *c, double **x)
{
	const cJSON *samples = nb_json_path(c, "samples"), *s;
	int n = 0, cap = cJSON_GetArraySize(samples);

	*x = malloc(sizeof(double) * (size_t)(cap ? cap : 1));
	cJSON_ArrayForEach(s, samples) {
		const cJSON *v = nb_json_path(s, "value");
		if (*x && cJSON_IsNumber(v))
			(*x)[n++] = v->valuedouble;
	}
	return n;
}

int nb_res_case_seqs(const cJSON *c, int **s)
{
	const cJSON *samples = nb_json_path(c, "samples"), *e;
	int n = 0, cap = cJSON_GetArraySize(samples);

	*s = malloc(sizeof(int) * (size_t)(cap ? cap : 1));
	cJSON_ArrayForEach(e, samples)
		if (*s && cJSON_IsNumber(nb_json_path(e, "value")))
			(*s)[n++] = (int)nb_json_num(e, "campaign_seq", 0);
	return n;
}

/* The largest value of a sample field in a case (0 when none). */
static double max_field(const cJSON *c, const char *key)
{
	const cJSON *s;
	double m = 0;

	cJSON_ArrayForEach(s, nb_json_path(c, "samples")) {
		double v = nb_json_num(s, key, 0);
		if (v > m)
			m = v;
	}
	return m;
}

void nb_res_case_progress(const cJSON *c, struct nb_res_case_progress *p)
{
	double *x = NULL;

	memset(p, 0, sizeof(*p));
	p->n = nb_res_case_values(c, &x);
	free(x);
	p->spent_s = nb_json_num(c, "spent_s", 0);
	p->max_visit = (int)max_field(c, "visit");
	p->max_round = (int)max_field(c, "round");
	p->max_seq = (int)max_field(c, "seq");
	p->max_campaign_seq = (int)max_field(c, "campaign_seq");
	p->status = nb_res_case_status(c);
}

#define CASE(path, member) { path, offsetof(struct nb_res_case_view, member) }
static const struct str_field case_strings[] = {
	CASE("key", key),       CASE("workload", workload), CASE("family", family),
	CASE("unit", unit),     CASE("better", better),     CASE("status", status),
	CASE("reason", reason), CASE("error", error),
};

void nb_res_case_read(const cJSON *c, struct nb_res_case_view *v)
{
	const cJSON *params = nb_json_path(c, "params"), *samples = nb_json_path(c, "samples");

	memset(v, 0, sizeof(*v));
	read_strings(c, v, case_strings, COUNT(case_strings));
	v->params = cJSON_IsObject(params) ? params : NULL;
	v->n_params = v->params ? cJSON_GetArraySize(params) : 0;
	v->samples = cJSON_IsArray(samples) ? samples : NULL;
	v->n_samples = v->samples ? cJSON_GetArraySize(samples) : 0;
}

/* ---- samples ------------------------------------------------------------------------ */

void nb_res_counter_read(const cJSON *entry, struct nb_res_counter *k)
{
	const cJSON *why = nb_json_path(entry, "unsupported");
	const cJSON *scaled = nb_json_path(entry, "scaled");

	memset(k, 0, sizeof(*k));
	k->name = nb_json_str(entry, "name", NULL);
	if (why) {
		k->state = NB_CTR_UNSUPPORTED;
		k->why = cJSON_GetStringValue(why);
	} else if (cJSON_IsNumber(scaled)) {
		k->state = NB_CTR_COUNTED;
		k->scaled = scaled->valuedouble;
		k->multiplexed = nb_json_true(entry, "multiplexed");
	} else {
		k->state = NB_CTR_NOT_COUNTED;   /* "scaled": null */
	}
}

/* samples[].exits, or the reason in exits_unsupported. */
static void read_exits(const cJSON *s, struct nb_res_sample_view *v)
{
	const cJSON *ex = nb_json_path(s, "exits"), *by;
	const char *unsupported = nb_json_str(s, "exits_unsupported", NULL);

	if (cJSON_IsObject(ex)) {
		const cJSON *total = nb_json_path(ex, "total");
		if (cJSON_IsNumber(total)) {
			v->exits_state = NB_EXITS_COUNTED;
			v->exits_total = total->valuedouble;
		} else {
			v->exits_state = NB_EXITS_UNKNOWN;
			v->exits_why = nb_json_str(ex, "total_unsupported", NULL);
		}
		v->exits_visit_ops = nb_json_num(ex, "visit_ops", -1);
		v->exits_first_visit = nb_json_true(ex, "first_visit");
	} else if (unsupported) {
		v->exits_state = NB_EXITS_UNKNOWN;
		v->exits_why = unsupported;
	}
	by = nb_json_path(ex, "by_reason");
	v->exits_by_reason = cJSON_IsObject(by) ? by : NULL;
}

void nb_res_sample_read(const cJSON *s, struct nb_res_sample_view *v)
{
	const cJSON *counters = nb_json_path(s, "counters");

	memset(v, 0, sizeof(*v));
	v->value = nb_json_num(s, "value", NAN);
	v->ops = nb_json_num(s, "ops", -1);
	v->visit = int_or(s, "visit", 0);
	v->seq = int_or(s, "seq", 0);
	v->campaign_seq = int_or(s, "campaign_seq", 0);
	v->steal_pct = nb_json_num(s, "interference.steal_pct", NAN);
	v->other_busy_pct = nb_json_num(s, "interference.other_busy_pct", NAN);
	v->vmm_cpu_pct = nb_json_num(s, "interference.vmm_cpu_pct", NAN);
	v->counters = cJSON_IsArray(counters) ? counters : NULL;
	read_exits(s, v);
}

/* ---- the canary ---------------------------------------------------------------------- */

const cJSON *nb_res_tier_canary(const cJSON *tier, int *n)
{
	const cJSON *c = nb_json_path(tier, "canary");

	*n = cJSON_IsArray(c) ? cJSON_GetArraySize(c) : 0;
	return cJSON_IsArray(c) ? c : NULL;
}

int nb_res_tier_canary_max_seq(const cJSON *tier)
{
	const cJSON *e;
	int m = 0;

	cJSON_ArrayForEach(e, nb_json_path(tier, "canary")) {
		int v = int_or(e, "campaign_seq", 0);
		if (v > m)
			m = v;
	}
	return m;
}

void nb_res_canary_read(const cJSON *entry, struct nb_res_canary_view *v)
{
	v->round = int_or(entry, "round", -1);
	v->campaign_seq = int_or(entry, "campaign_seq", -1);
	v->workload = nb_json_str(entry, "workload", NULL);
	v->unit = nb_json_str(entry, "unit", NULL);
	v->value = nb_json_num(entry, "value", NAN);
	v->samples = cJSON_IsArray(nb_json_path(entry, "samples")) ? nb_json_path(entry, "samples")
								    : NULL;
}
