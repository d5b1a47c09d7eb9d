/* write.c - building and updating the result document (result.h): the head, tiers,
 * cases and the samples folded from the workload's records.  A member that changes is
 * replaced, so it moves to the end of its object (SCHEMA.md: order is not meaningful). */
#include "result.h"
#include "../common/clock.h"
#include "../common/json.h"

#include <stdio.h>
#include <string.h>

#define UTC_LEN 32

/* ---- the head ----------------------------------------------------------------------- */

cJSON *nb_res_new(const struct nb_res_head *h)
{
	cJSON *d = cJSON_CreateObject(), *c, *n;
	char ts[UTC_LEN];

	cJSON_AddStringToObject(d, "schema", NB_RESULT_SCHEMA);
	cJSON_AddNumberToObject(d, "schema_version", NB_RESULT_VERSION);
	c = cJSON_AddObjectToObject(d, "campaign");
	cJSON_AddStringToObject(c, "name", h->campaign);
	cJSON_AddStringToObject(c, "description", h->description);
	cJSON_AddStringToObject(c, "config_path", h->config_path);
	if (h->config_sha256)
		cJSON_AddStringToObject(c, "config_sha256", h->config_sha256);
	cJSON_AddStringToObject(c, "config_text", h->config_text);
	cJSON_AddNumberToObject(c, "seed", h->seed);
	if (h->order_mode) {
		cJSON *o = cJSON_AddObjectToObject(c, "order");
		cJSON_AddStringToObject(o, "mode", h->order_mode);
		cJSON_AddNumberToObject(o, "seed", h->seed);
	}
	n = cJSON_AddObjectToObject(d, "nestbench");
	cJSON_AddStringToObject(n, "version", h->version);
	cJSON_AddStringToObject(n, "git_revision", h->git_revision);
	cJSON_AddStringToObject(n, "work_sha256", h->work_sha256);
	cJSON_AddNumberToObject(n, "work_size", h->work_size);
	cJSON_AddStringToObject(n, "work_version", h->work_version);
	nb_utc_now(ts, sizeof(ts));
	cJSON_AddStringToObject(d, "started_utc", ts);
	cJSON_AddNullToObject(d, "finished_utc");
	cJSON_AddStringToObject(d, "status", nb_run_status_name(NB_RUN_RUNNING));
	cJSON_AddArrayToObject(d, "tiers");
	return d;
}

void nb_res_set_overrides(cJSON *doc, const struct nb_res_overrides *ov)
{
	cJSON *o;
	char names[1024];

	if (ov->reps <= 0 && ov->min_time_ms <= 0 && !(ov->tiers && ov->tiers[0]))
		return;
	o = cJSON_CreateObject();
	if (ov->reps > 0)
		cJSON_AddNumberToObject(o, "reps", ov->reps);
	if (ov->min_time_ms > 0)
		cJSON_AddNumberToObject(o, "min_time_ms", ov->min_time_ms);
	if (ov->tiers && ov->tiers[0]) {
		cJSON *a = cJSON_AddArrayToObject(o, "tiers");
		char *save = NULL;
		snprintf(names, sizeof(names), "%s", ov->tiers);
		for (char *t = strtok_r(names, ",", &save); t; t = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(a, cJSON_CreateString(t));
	}
	nb_json_set_item(cJSON_GetObjectItemCaseSensitive(doc, "campaign"), "overrides", o);
}

void nb_res_set_order(cJSON *doc, const char *mode, double seed, const char *note)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "mode", mode);
	cJSON_AddNumberToObject(o, "seed", seed);
	if (note)
		cJSON_AddStringToObject(o, "note", note);
	nb_json_set_item(cJSON_GetObjectItemCaseSensitive(doc, "campaign"), "order", o);
}

static double sum_ns(const cJSON *records, int warmup)
{
	const cJSON *rec;
	double s = 0;

	cJSON_ArrayForEach(rec, records) {
		const char *type = nb_json_str(rec, NB_REC_TYPE_KEY, NULL);
		if (type && strcmp(type, NB_RECTYPE_REP) == 0 && nb_json_true(rec, "warmup") == warmup)
			s += nb_json_num(rec, "ns", 0) / 1e9;
	}
	return s;
}

double nb_res_reply_process_s(const cJSON *reply)
{
	/* A kept worker's batch: elapsed_ms is the batch's; a worker started for this
	 * request spent spawn_ms (start, setup, calibration-free ready) before it. */
	return (nb_json_num(reply, "elapsed_ms", 0) + nb_json_num(reply, "worker.spawn_ms", 0)) / 1e3;
}

void nb_res_time_add_visit(struct nb_res_time *t, const cJSON *reply, double rt_s)
{
	const cJSON *records = nb_json_path(reply, "records"), *rec, *end = NULL;
	double elapsed = nb_res_reply_process_s(reply), m, w, s;

	cJSON_ArrayForEach(rec, records)
		if (strcmp(nb_json_str(rec, NB_REC_TYPE_KEY, ""), NB_RECTYPE_END) == 0)
			end = rec;
	m = sum_ns(records, 0);
	w = sum_ns(records, 1);
	/* A kept worker reports its one-time setup and TSC measurement on every batch:
	 * count them once. */
	s = (nb_json_true(end, "reused") ? 0 : nb_json_num(end, "setup_ms", 0) +
						nb_json_num(end, "tsc_ms", 0)) +
	    nb_json_num(end, "calibration_ms", 0);
	s /= 1e3;
	t->measure_s += m;
	t->warmup_s += w;
	t->setup_s += s;
	t->process_s += elapsed > m + w + s ? elapsed - m - w - s : 0;
	t->transport_s += rt_s > elapsed ? rt_s - elapsed : 0;
}

/* last_run_timing's split: each part in s and as a share of the wall time (whole run
 * only: with `all` the canary, the quiet wait and the harness's rest too). */
static void add_split(cJSON *parent, const char *name, const struct nb_res_time *v,
		      const struct nb_res_timing *all)
{
	cJSON *o = cJSON_AddObjectToObject(parent, name);
	double parts = v->measure_s + v->warmup_s + v->setup_s + v->process_s + v->transport_s;

	cJSON_AddNumberToObject(o, "measurement_s", v->measure_s);
	cJSON_AddNumberToObject(o, "warmup_s", v->warmup_s);
	cJSON_AddNumberToObject(o, "workload_setup_s", v->setup_s);
	cJSON_AddNumberToObject(o, "process_s", v->process_s);
	cJSON_AddNumberToObject(o, "transport_s", v->transport_s);
	if (!all)
		return;
	double rest = all->wall_s - parts - all->canary_s - all->quiet_wait_s - all->exit_counting_s;
	cJSON_AddNumberToObject(o, "canary_s", all->canary_s);
	cJSON_AddNumberToObject(o, "quiet_wait_s", all->quiet_wait_s);
	cJSON_AddNumberToObject(o, "exit_counting_s", all->exit_counting_s);
	cJSON_AddNumberToObject(o, "harness_s", rest > 0 ? rest : 0);
	cJSON_AddNumberToObject(o, "measurement_fraction",
				all->wall_s > 0 ? v->measure_s / all->wall_s : 0);
}

void nb_res_finish(cJSON *doc, enum nb_run_status s, const struct nb_res_timing *t)
{
	char ts[UTC_LEN];
	cJSON *h = cJSON_CreateObject();

	nb_utc_now(ts, sizeof(ts));
	nb_json_set_str(doc, "finished_utc", ts);
	nb_json_set_str(doc, "status", nb_run_status_name(s));
	/* The harness's own cost: wall time outside the workload processes. */
	cJSON_AddNumberToObject(h, "wall_s", t->wall_s);
	cJSON_AddNumberToObject(h, "in_workload_processes_s", t->in_workload_processes_s);
	cJSON_AddNumberToObject(h, "in_measured_reps_s", t->in_measured_reps_s);
	cJSON_AddNumberToObject(h, "canary_s", t->canary_s);
	/* The canary is measuring, not overhead, though no sample comes of it. */
	cJSON_AddNumberToObject(h, "harness_overhead_fraction",
				t->wall_s > 0 ? (t->wall_s - t->in_workload_processes_s - t->canary_s) /
							t->wall_s
					      : 0);
	add_split(h, "split", &t->visits, t);
	if (t->ntiers > 0) {
		cJSON *tiers = cJSON_AddObjectToObject(h, "tiers");
		for (int i = 0; i < t->ntiers; i++)
			add_split(tiers, t->tier_names[i], &t->tiers[i], NULL);
	}
	nb_json_set_item(doc, "last_run_timing", h);
}

void nb_res_set_quiet_wait(cJSON *doc, const struct nb_res_quiet_wait *q)
{
	cJSON *w = cJSON_CreateObject();

	cJSON_AddStringToObject(w, "target", q->target);
	cJSON_AddNumberToObject(w, "threshold_pct", q->threshold_pct);
	cJSON_AddNumberToObject(w, "window_s", q->window_s);
	cJSON_AddNumberToObject(w, "timeout_s", q->timeout_s);
	cJSON_AddNumberToObject(w, "waited_s", q->waited_s);
	if (q->last_pct == q->last_pct)
		cJSON_AddNumberToObject(w, "last_pct", q->last_pct);
	else
		cJSON_AddNullToObject(w, "last_pct");
	cJSON_AddBoolToObject(w, "quiet", q->quiet);
	if (q->note)
		cJSON_AddStringToObject(w, "note", q->note);
	nb_json_set_item(doc, "quiet_wait", w);
}

/* ---- tiers -------------------------------------------------------------------------- */

cJSON *nb_res_tier(cJSON *doc, const char *name, int create)
{
	return nb_json_find(doc, "tiers", "name", name, create);
}

void nb_res_tier_begin(cJSON *tier, const struct nb_res_tier_id *id)
{
	nb_json_set_num(tier, "level", id->level);
	nb_json_set_str(tier, "hypervisor_label", id->hypervisor_label);
	nb_json_set_str(tier, "address", id->address);
	nb_json_set_str(tier, "via", id->via);
}

void nb_res_tier_set_status(cJSON *tier, enum nb_tier_status s, const char *error)
{
	nb_json_set_str(tier, "status", nb_tier_status_name(s));
	if (error)
		nb_json_set_str(tier, "error", error);
	else if (s == NB_TIER_DONE)
		cJSON_DeleteItemFromObjectCaseSensitive(tier, "error");
}

void nb_res_tier_started(cJSON *tier)
{
	char ts[UTC_LEN];

	if (cJSON_GetObjectItemCaseSensitive(tier, "started_utc"))
		return;
	nb_utc_now(ts, sizeof(ts));
	cJSON_AddStringToObject(tier, "started_utc", ts);
}

void nb_res_tier_finished(cJSON *tier)
{
	char ts[UTC_LEN];

	nb_utc_now(ts, sizeof(ts));
	nb_json_set_str(tier, "finished_utc", ts);
}

void nb_res_tier_set_reached(cJSON *tier, const char *how)
{
	nb_json_set_str(tier, "reached", how);
}

void nb_res_tier_set_work(cJSON *tier, const char *sha256)
{
	nb_json_set_str(tier, "work_sha256", sha256);
}

/* An agent's reply without the protocol's own members. */
static cJSON *without_protocol(cJSON *reply)
{
	cJSON_DeleteItemFromObjectCaseSensitive(reply, "id");
	cJSON_DeleteItemFromObjectCaseSensitive(reply, "ok");
	return reply;
}

void nb_res_tier_set_agent(cJSON *tier, cJSON *hello)
{
	nb_json_set_item(tier, "agent", hello ? without_protocol(hello) : NULL);
}

void nb_res_tier_set_sysinfo(cJSON *tier, cJSON *sysinfo)
{
	nb_json_set_item(tier, "sysinfo", sysinfo ? without_protocol(sysinfo) : NULL);
}

void nb_res_tier_set_nature(cJSON *tier, const char *nature)
{
	nb_json_set_str(tier, "nature", nature);
}

void nb_res_tier_set_warning(cJSON *tier, const char *warning)
{
	nb_json_set_item(tier, "warning", warning ? cJSON_CreateString(warning) : NULL);
}

void nb_res_tier_set_lab(cJSON *tier, const cJSON *lab)
{
	nb_json_set_item(tier, "lab", lab ? cJSON_Duplicate(lab, 1) : NULL);
}

void nb_res_tier_set_libvirt(cJSON *tier, const cJSON *libvirt)
{
	nb_json_set_item(tier, "libvirt", libvirt ? cJSON_Duplicate(libvirt, 1) : NULL);
}

/* obj's "exits_also"[slot - 1] = e (owned), the array grown with nulls as needed. */
static void set_also(cJSON *obj, int slot, cJSON *e)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "exits_also");

	if (!cJSON_IsArray(a)) {
		a = cJSON_CreateArray();
		nb_json_set_item(obj, "exits_also", a);
	}
	while (cJSON_GetArraySize(a) < slot)
		cJSON_AddItemToArray(a, cJSON_CreateNull());
	cJSON_ReplaceItemInArray(a, slot - 1, e);
}

void nb_res_tier_set_exits(cJSON *tier, const struct nb_res_tier_exits *x)
{
	cJSON *e = cJSON_CreateObject();
	int unsupported = x->unsupported && x->unsupported[0];

	cJSON_AddStringToObject(e, "counted_by", x->counted_by);
	cJSON_AddStringToObject(e, "target", x->target);
	cJSON_AddBoolToObject(e, "reasons", x->reasons);
	if (x->pids && x->pids[0])
		cJSON_AddStringToObject(e, "pids", x->pids);
	if (x->reached)
		cJSON_AddStringToObject(e, "reached", x->reached);
	cJSON_AddStringToObject(e, "status", unsupported ? "unsupported" : "counting");
	cJSON_AddStringToObject(e, "visits", x->timed ? "timed" : "own");
	if (unsupported)
		cJSON_AddStringToObject(e, "reason", x->unsupported);
	if (x->slot > 0)
		set_also(tier, x->slot, e);
	else
		nb_json_set_item(tier, "exits", e);
}

/* ---- cases -------------------------------------------------------------------------- */

cJSON *nb_res_case(cJSON *tier, const char *key)
{
	return nb_json_find(tier, "cases", "key", key, 0);
}

cJSON *nb_res_case_add(cJSON *tier, const struct nb_res_case_id *id)
{
	cJSON *c = nb_res_case(tier, id->key), *p;

	if (c)
		return c;
	c = nb_json_find(tier, "cases", "key", id->key, 1);
	cJSON_AddStringToObject(c, "workload", id->workload);
	cJSON_AddStringToObject(c, "family", id->family);
	cJSON_AddStringToObject(c, "unit", id->unit);
	cJSON_AddStringToObject(c, "better", id->higher_is_better ? NB_BETTER_HIGHER : NB_BETTER_LOWER);
	p = cJSON_AddObjectToObject(c, "params");
	for (int i = 0; i < id->nparams; i++) {
		const char *eq = strchr(id->params[i], '=');
		char name[128];

		if (!eq)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(eq - id->params[i]), id->params[i]);
		cJSON_AddStringToObject(p, name, eq + 1);
	}
	cJSON_AddStringToObject(c, "status", nb_case_status_name(NB_CASE_PENDING));
	cJSON_AddNullToObject(c, "stopped_by");
	cJSON_AddArrayToObject(c, "samples");
	return c;
}

void nb_res_case_set_status(cJSON *c, enum nb_case_status s)
{
	nb_json_set_str(c, "status", nb_case_status_name(s));
}

void nb_res_case_set_error(cJSON *c, const char *error)
{
	nb_json_set_item(c, "error", error ? cJSON_CreateString(error) : NULL);
}

void nb_res_case_fail(cJSON *c, const char *error)
{
	nb_res_case_set_status(c, NB_CASE_FAILED);
	nb_res_case_set_error(c, error);
}

void nb_res_case_stop(cJSON *c, const char *stopped_by)
{
	nb_json_set_item(c, "stopped_by", cJSON_CreateString(stopped_by));
	if (strcmp(stopped_by, NB_STOP_SKIPPED) && strcmp(stopped_by, NB_STOP_FAILED))
		nb_res_case_set_status(c, NB_CASE_DONE);
}

void nb_res_case_set_regime(cJSON *c, const char *source, const char *workload, double rel,
			    double p, int at_seq)
{
	cJSON *g = NULL;

	if (source) {
		g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "source", source);
		if (workload && workload[0])
			cJSON_AddStringToObject(g, "workload", workload);
		cJSON_AddNumberToObject(g, "rel", rel);
		cJSON_AddNumberToObject(g, "p", p);
		cJSON_AddNumberToObject(g, strcmp(source, "canary") == 0 ? "at_campaign_seq"
									  : "at_sample", at_seq);
	}
	nb_json_set_item(c, "regime", g);
}

void nb_res_case_set_spent(cJSON *c, double spent_s)
{
	nb_json_set_num(c, "spent_s", spent_s);
}

/* A measured repetition as a sample: the rep record without what the case already
 * says (type, workload, case) and the warm-up flag, numbered by visit, round and seq. */
static cJSON *sample_of(const cJSON *rec, int visit, int round, int seq)
{
	cJSON *s = cJSON_Duplicate(rec, 1);

	cJSON_DeleteItemFromObjectCaseSensitive(s, NB_REC_TYPE_KEY);
	cJSON_DeleteItemFromObjectCaseSensitive(s, "workload");
	cJSON_DeleteItemFromObjectCaseSensitive(s, "case");
	cJSON_DeleteItemFromObjectCaseSensitive(s, "warmup");
	cJSON_AddNumberToObject(s, "visit", visit);
	cJSON_AddNumberToObject(s, "round", round);
	cJSON_AddNumberToObject(s, "seq", seq);   /* the tier's visit order */
	return s;
}

/* The meta record is kept from the case's first visit, with the op count it chose. */
static void absorb_meta(cJSON *c, const cJSON *rec)
{
	const cJSON *ops = cJSON_GetObjectItemCaseSensitive(rec, "ops_per_rep");

	if (!cJSON_GetObjectItemCaseSensitive(c, "meta"))
		cJSON_AddItemToObject(c, "meta", cJSON_Duplicate(rec, 1));
	if (cJSON_IsNumber(ops) && !cJSON_GetObjectItemCaseSensitive(c, "ops_per_rep"))
		cJSON_AddNumberToObject(c, "ops_per_rep", ops->valuedouble);
}

double nb_res_case_absorb(cJSON *c, const cJSON *records, int visit, int round, int seq)
{
	const cJSON *rec;
	cJSON *samples = cJSON_GetObjectItemCaseSensitive(c, "samples");
	double measured_s = 0;

	cJSON_ArrayForEach(rec, records) {
		const char *type = nb_json_str(rec, NB_REC_TYPE_KEY, NULL);

		if (!type)
			continue;
		if (strcmp(type, NB_RECTYPE_META) == 0) {
			absorb_meta(c, rec);
		} else if (strcmp(type, NB_RECTYPE_REP) == 0 && !nb_json_true(rec, "warmup")) {
			measured_s += nb_json_num(rec, "ns", 0) / 1e9;
			cJSON_AddItemToArray(samples, sample_of(rec, visit, round, seq));
		} else if (strcmp(type, NB_RECTYPE_SKIP) == 0) {
			nb_res_case_set_status(c, NB_CASE_SKIPPED);
			nb_json_set_item(c, "reason", cJSON_Duplicate(nb_json_path(rec, "reason"), 1));
		} else if (strcmp(type, NB_RECTYPE_ERROR) == 0) {
			nb_res_case_set_status(c, NB_CASE_FAILED);
			nb_json_set_item(c, "error", cJSON_Duplicate(nb_json_path(rec, "message"), 1));
		} else if (strcmp(type, NB_RECTYPE_END) == 0) {
			const char *notes = nb_json_str(rec, "notes", NULL);
			if (notes && notes[0])
				nb_json_set_str(c, "notes", notes);
		}
	}
	return measured_s;
}

void nb_res_case_set_exits(cJSON *c, int first, const cJSON *exits, const char *unsupported)
{
	cJSON *s;
	int i = 0;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c, "samples")) {
		if (i++ < first)
			continue;
		if (exits)
			nb_json_set_item(s, "exits", cJSON_Duplicate(exits, 1));
		else if (unsupported && unsupported[0])
			nb_json_set_item(s, "exits_unsupported", cJSON_CreateString(unsupported));
	}
}

int nb_res_case_copy_exits(cJSON *c, int first)
{
	static const char *const keys[] = { "exits", "exits_unsupported", "exits_also" };
	const cJSON *from = NULL, *s;
	cJSON *t;
	int i = 0;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c, "samples"))
		for (size_t k = 0; !from && k < sizeof(keys) / sizeof(keys[0]); k++)
			if (cJSON_GetObjectItemCaseSensitive(s, keys[k]))
				from = s;
	if (!from)
		return 1;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(c, "samples")) {
		int has = 0;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			has |= cJSON_GetObjectItemCaseSensitive(t, keys[k]) != NULL;
		if (i++ < first || has)
			continue;   /* copied by an earlier visit: not again */
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, keys[k]);
			if (v)
				nb_json_set_item(t, keys[k], cJSON_Duplicate(v, 1));
		}
	}
	return 0;
}

void nb_res_case_set_exits_also(cJSON *c, int first, int slot, const char *by, const cJSON *exits,
				const char *unsupported)
{
	cJSON *s, *e;
	int i = 0;

	if (!exits && !(unsupported && unsupported[0]))
		return;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c, "samples")) {
		if (i++ < first)
			continue;
		if (exits) {
			e = cJSON_Duplicate(exits, 1);
		} else {
			e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "counted_by", by);
			cJSON_AddStringToObject(e, "unsupported", unsupported);
		}
		set_also(s, slot, e);
	}
}

static cJSON *interference_obj(const struct nb_res_interference *itf)
{
	cJSON *o = cJSON_CreateObject();

	/* NaN is "not measured": left out rather than written as a number. */
	if (itf->steal_pct == itf->steal_pct)
		cJSON_AddNumberToObject(o, "steal_pct", itf->steal_pct);
	if (itf->other_busy_pct == itf->other_busy_pct)
		cJSON_AddNumberToObject(o, "other_busy_pct", itf->other_busy_pct);
	if (itf->vmm_cpu_pct == itf->vmm_cpu_pct)
		cJSON_AddNumberToObject(o, "vmm_cpu_pct", itf->vmm_cpu_pct);
	cJSON_AddNumberToObject(o, "window_ms", itf->window_ms);
	if (itf->unsupported)
		cJSON_AddStringToObject(o, "unsupported", itf->unsupported);
	return o;
}

void nb_res_case_mark_visit(cJSON *c, int first, int campaign_seq,
			    const struct nb_res_interference *itf)
{
	cJSON *s, *o = itf ? interference_obj(itf) : NULL;
	int i = 0;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c, "samples")) {
		if (i++ < first)
			continue;
		nb_json_set_num(s, "campaign_seq", campaign_seq);
		if (o)
			nb_json_set_item(s, "interference", cJSON_Duplicate(o, 1));
	}
	cJSON_Delete(o);
}

/* ---- the canary --------------------------------------------------------------------- */

void nb_res_tier_add_canary(cJSON *tier, const struct nb_res_canary *c)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(tier, "canary"), *e = cJSON_CreateObject();

	if (!cJSON_IsArray(a))
		a = cJSON_AddArrayToObject(tier, "canary");
	cJSON_AddNumberToObject(e, "round", c->round);
	cJSON_AddNumberToObject(e, "campaign_seq", c->campaign_seq);
	cJSON_AddStringToObject(e, "workload", c->workload);
	cJSON_AddStringToObject(e, "unit", c->unit);
	cJSON_AddNumberToObject(e, "value", c->value);
	cJSON_AddNumberToObject(e, "n", c->n);
	if (c->samples)
		cJSON_AddItemToObject(e, "samples", cJSON_CreateDoubleArray(c->samples, c->n));
	cJSON_AddItemToArray(a, e);
}
