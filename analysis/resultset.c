/* resultset.c - result files into the report model (resultset.h).  Reading is lenient
 * about optional fields (an interrupted run, an unreachable tier, an older agent) and
 * strict about what a figure depends on: schema, version, key, unit and direction. */
#include "resultset.h"
#include "../common/err.h"
#include "../common/hypervisors.h"
#include "../resultlib/result.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- small helpers ------------------------------------------------------------------ */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A copy of s, or of dflt when s is NULL (NULL when both are). */
static char *copy_or(const char *s, const char *dflt)
{
	return dup_or_null(s ? s : dflt);
}

static void *grow(void *p, size_t n, size_t size)
{
	return realloc(p, (n ? n : 1) * size);
}

const char *nb_rs_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ---- environment -------------------------------------------------------------------- */

/* The campaign's label in the table's spelling ("kvm" -> "KVM"), so that a labelled and
 * a detected tier of the same hypervisor get the same column name; a label the table
 * does not know is kept as written. */
static char *hypervisor_from_label(const char *label)
{
	const struct nb_hypervisor *hv = nb_hv_by_label(label);

	return strdup(hv ? hv->name : label);
}

/* The column's hypervisor: the one the evidence names (tiers[].identity, or for older
 * files the name in `nature`), else the label, else what kind of tier it is. */
static char *hypervisor_name(const struct nb_res_identity_view *id, const char *label)
{
	if (id->name)
		return strdup(id->name);
	if (id->kind == NB_ID_BARE_METAL)
		return strdup("bare metal");
	if (label && label[0])
		return hypervisor_from_label(label);
	return strdup(id->kind == NB_ID_GUEST ? "unknown hypervisor" : "unknown");
}

/* What the tier is, as one comparable text: kind, hypervisor, the interface it
 * presents when another (KVM with Hyper-V enlightenments), the layer beneath, and the
 * accelerator where it is not implied by the hypervisor (TCG is its own). */
static char *identity_key(const struct nb_res_identity_view *id)
{
	char buf[320];
	const char *hv = id->hypervisor ? id->hypervisor : id->name;
	int other = id->presents && (!hv || strcmp(id->presents, hv) != 0);

	snprintf(buf, sizeof(buf), "%s%s%s%s%s%s%s%s%s", nb_id_kind_name(id->kind), hv ? " " : "", hv ? hv : "",
		 other ? " presenting " : "", other ? id->presents : "",
		 id->beneath ? " over " : "", id->beneath ? id->beneath : "",
		 id->accelerator && !(hv && strcmp(hv, "tcg") == 0) ? ", accelerator " : "",
		 id->accelerator && !(hv && strcmp(hv, "tcg") == 0) ? id->accelerator : "");
	return strdup(buf);
}

static void read_env(const cJSON *o, const struct nb_res_tier_view *t, struct nb_rs_env *e)
{
	struct nb_res_identity_view id;
	const struct nb_hypervisor *labelled;

	nb_res_tier_identity(o, &id);
	labelled = nb_hv_by_key(id.label_hypervisor);
	e->nature = copy_or(t->nature, "unknown (no sysinfo recorded)");
	e->warning = dup_or_null(t->warning);
	e->hypervisor = hypervisor_name(&id, t->hypervisor_label);
	e->labelled = id.label_contradicted && labelled ? strdup(labelled->name) : NULL;
	e->identity = identity_key(&id);
	e->accelerator = dup_or_null(id.accelerator);
	e->kernel = dup_or_null(t->kernel_release);
	e->cpu = dup_or_null(t->cpu_model);
	e->vcpus = t->vcpus;
	e->bare_metal = id.kind == NB_ID_BARE_METAL;
	/* Counted during the timed visits: every file before count_exits.visits, and
	 * "visits": "timed" since. */
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, "exits");
	const cJSON *by = x ? cJSON_GetObjectItemCaseSensitive(x, "counted_by") : NULL;
	const cJSON *st = x ? cJSON_GetObjectItemCaseSensitive(x, "status") : NULL;
	const cJSON *vis = x ? cJSON_GetObjectItemCaseSensitive(x, "visits") : NULL;
	e->exits_counted_by = cJSON_IsString(by) && cJSON_IsString(st) &&
				      strcmp(st->valuestring, "counting") == 0 &&
				      !(cJSON_IsString(vis) && strcmp(vis->valuestring, "own") == 0)
				      ? strdup(by->valuestring) : NULL;
}

int nb_rs_env_same(const struct nb_rs_env *a, const struct nb_rs_env *b)
{
	return strcmp(a->identity, b->identity) == 0 && strcmp(a->hypervisor, b->hypervisor) == 0;
}

static void free_env(struct nb_rs_env *e)
{
	free(e->nature);
	free(e->warning);
	free(e->exits_counted_by);
	free(e->hypervisor);
	free(e->labelled);
	free(e->identity);
	free(e->accelerator);
	free(e->kernel);
	free(e->cpu);
}

/* ---- cases -------------------------------------------------------------------------- */

/* The case's copy of a string of the document, each text stored once; NULL stays NULL.
 * -1 when out of memory. */
static int intern(struct nb_rs_case *c, const char **s)
{
	char **p;

	if (!*s)
		return 0;
	for (size_t i = 0; i < c->n_strs; i++)
		if (strcmp(c->strs[i], *s) == 0) {
			*s = c->strs[i];
			return 0;
		}
	if (!(p = realloc(c->strs, (c->n_strs + 1) * sizeof(*p))))
		return -1;
	c->strs = p;
	if (!(p[c->n_strs] = strdup(*s)))
		return -1;
	*s = p[c->n_strs++];
	return 0;
}

/* Each sample's counters, operations and exits, parsed by derived.c (pointers into the
 * document) and then given the case's own copies of the strings. */
static int read_samples(const cJSON *samples, struct nb_rs_case *c)
{
	const cJSON *s;
	size_t n_ctr = 0, n_rsn = 0, used_ctr = 0, used_rsn = 0, i = 0;

	cJSON_ArrayForEach(s, samples) {
		struct nb_res_sample_view v;

		nb_res_sample_read(s, &v);
		n_ctr += (size_t)cJSON_GetArraySize(v.counters);
		n_rsn += (size_t)cJSON_GetArraySize(v.exits_by_reason);
	}
	c->samples = calloc(c->n ? c->n : 1, sizeof(*c->samples));
	c->ctr_store = calloc(n_ctr ? n_ctr : 1, sizeof(*c->ctr_store));
	c->reason_store = calloc(n_rsn ? n_rsn : 1, sizeof(*c->reason_store));
	if (!c->samples || !c->ctr_store || !c->reason_store)
		return -1;
	cJSON_ArrayForEach(s, samples) {
		struct nb_rs_sample *x = &c->samples[i++];
		struct nb_ctr *k = c->ctr_store + used_ctr;
		struct nb_exit_reason *r = c->reason_store + used_rsn;
		struct nb_res_sample_view v;

		nb_res_sample_read(s, &v);
		c->values[i - 1] = v.value;
		x->visit = v.visit;
		x->seq = v.seq;
		x->campaign_seq = v.campaign_seq;
		x->steal_pct = v.steal_pct;
		x->other_busy_pct = v.other_busy_pct;
		if (nb_derive_from_view(&v, &x->in, k, (int)(n_ctr - used_ctr)) ||
		    nb_derive_reasons_from_view(&v, &x->in, r, (int)(n_rsn - used_rsn)) ||
		    intern(c, &x->in.exits_why))
			return -1;
		used_ctr += (size_t)x->in.nctr;
		used_rsn += (size_t)x->in.nreasons;
		for (int j = 0; j < x->in.nctr; j++)
			if (intern(c, &k[j].name) || intern(c, &k[j].why))
				return -1;
		for (int j = 0; j < x->in.nreasons; j++)
			if (intern(c, &r[j].name))
				return -1;
	}
	return 0;
}

static int read_params(const struct nb_res_case_view *v, struct nb_rs_case *c)
{
	const cJSON *it;
	size_t i = 0;

	c->n_params = (size_t)v->n_params;
	if (!c->n_params)
		return 0;
	if (!(c->params = calloc(c->n_params, sizeof(*c->params))))
		return -1;
	cJSON_ArrayForEach(it, v->params) {
		c->params[i].name = strdup(it->string);
		c->params[i].value = strdup(cJSON_IsString(it) ? it->valuestring : "");
		i++;
	}
	return 0;
}

static int read_case(const cJSON *o, struct nb_rs_case *c, const char *where, char err[NB_ERR_LEN])
{
	struct nb_res_case_view v;

	nb_res_case_read(o, &v);
	if (!v.key || !v.unit || !v.better ||
	    (strcmp(v.better, NB_BETTER_LOWER) && strcmp(v.better, NB_BETTER_HIGHER))) {
		return nb_err(err, "%s: a case lacks its key, unit or better (\"%s\"/\"%s\"): "
			 "the file is damaged; rerun the campaign or restore the file", where,
			 NB_BETTER_LOWER, NB_BETTER_HIGHER);
	}
	c->key = strdup(v.key);
	c->workload = copy_or(v.workload, c->key);
	c->family = copy_or(v.family, "other");
	c->unit = strdup(v.unit);
	c->status = copy_or(v.status, nb_case_status_name(NB_CASE_PENDING));
	c->better = strcmp(v.better, NB_BETTER_HIGHER) == 0 ? NB_STATS_HIGHER_BETTER : NB_STATS_LOWER_BETTER;
	c->reason = dup_or_null(nb_case_status_parse(c->status) == NB_CASE_FAILED ? v.error : v.reason);
	c->n = (size_t)v.n_samples;
	if (!(c->values = calloc(c->n ? c->n : 1, sizeof(double))))
		return -1;
	return read_params(&v, c) || read_samples(v.samples, c) ? -1 : 0;
}

static void free_case(struct nb_rs_case *c)
{
	free(c->key);
	free(c->workload);
	free(c->family);
	free(c->unit);
	free(c->status);
	free(c->reason);
	free(c->values);
	for (size_t i = 0; i < c->n_params; i++) {
		free(c->params[i].name);
		free(c->params[i].value);
	}
	free(c->params);
	free(c->samples);
	free(c->ctr_store);
	free(c->reason_store);
	for (size_t i = 0; i < c->n_strs; i++)
		free(c->strs[i]);
	free(c->strs);
}

/* ---- tiers and files ---------------------------------------------------------------- */

/* A canary entry's repetitions appended to k->reps (its median when the file has only
 * that). */
static int add_canary_reps(struct nb_rs_canary *k, const struct nb_res_canary_view *v)
{
	int m = v->samples ? cJSON_GetArraySize(v->samples) : 0;
	double *grown = realloc(k->reps, (k->n_reps + (size_t)(m ? m : 1)) * sizeof(*grown));
	const cJSON *s;

	if (!grown)
		return -1;
	k->reps = grown;
	if (!m)
		k->reps[k->n_reps++] = v->value;
	cJSON_ArrayForEach(s, v->samples)
		if (cJSON_IsNumber(s) && isfinite(s->valuedouble))
			k->reps[k->n_reps++] = s->valuedouble;
	return 0;
}

/* The canary entries grouped by workload, kept in file (round) order. */
static int read_canary(const cJSON *o, struct nb_rs_tier *t)
{
	int n;
	const cJSON *arr = nb_res_tier_canary(o, &n), *e;

	if (!n)
		return 0;
	if (!(t->canary = calloc((size_t)n, sizeof(*t->canary))))
		return -1;
	cJSON_ArrayForEach(e, arr) {
		struct nb_res_canary_view v;
		struct nb_rs_canary *k = NULL;

		nb_res_canary_read(e, &v);
		if (!v.workload || !isfinite(v.value))
			continue;
		for (size_t i = 0; i < t->n_canary && !k; i++)
			if (strcmp(t->canary[i].workload, v.workload) == 0)
				k = &t->canary[i];
		if (!k) {
			k = &t->canary[t->n_canary++];
			k->workload = strdup(v.workload);
			k->unit = strdup(v.unit ? v.unit : "");
			k->values = calloc((size_t)n, sizeof(*k->values));
			k->rounds = calloc((size_t)n, sizeof(*k->rounds));
			k->seqs = calloc((size_t)n, sizeof(*k->seqs));
			if (!k->workload || !k->unit || !k->values || !k->rounds || !k->seqs)
				return -1;
		}
		k->rounds[k->n] = v.round;
		k->seqs[k->n] = v.campaign_seq > 0 ? v.campaign_seq : 0;
		k->values[k->n++] = v.value;
		if (add_canary_reps(k, &v))
			return -1;
	}
	return 0;
}

static int read_tier(const cJSON *o, struct nb_rs_tier *t, const char *path, char err[NB_ERR_LEN])
{
	struct nb_res_tier_view v;
	const cJSON *c;
	char where[NB_ERR_LEN / 2];

	nb_res_tier_read(o, &v);
	if (!v.name || !v.has_level) {
		return nb_err(err, "%s: a tier lacks its name or level: the file is damaged; "
			 "rerun the campaign or restore the file", path);
	}
	t->name = strdup(v.name);
	t->level = v.level;
	t->via = copy_or(v.via, "");
	t->status = copy_or(v.status, nb_tier_status_name(NB_TIER_UNKNOWN));
	t->error = dup_or_null(v.error);
	read_env(o, &v, &t->env);
	snprintf(where, sizeof(where), "%s, tier %s", path, t->name);
	t->n_cases = (size_t)v.n_cases;
	if (!(t->cases = calloc(t->n_cases ? t->n_cases : 1, sizeof(*t->cases))))
		return -1;
	size_t i = 0;
	cJSON_ArrayForEach(c, v.cases) {
		if (read_case(c, &t->cases[i++], where, err))
			return -1;
	}
	return read_canary(o, t);
}

static void free_tier(struct nb_rs_tier *t)
{
	for (size_t i = 0; i < t->n_canary; i++) {
		free(t->canary[i].workload);
		free(t->canary[i].unit);
		free(t->canary[i].values);
		free(t->canary[i].rounds);
		free(t->canary[i].reps);
		free(t->canary[i].seqs);
	}
	free(t->canary);
	free(t->name);
	free(t->via);
	free(t->status);
	free(t->error);
	free_env(&t->env);
	for (size_t i = 0; i < t->n_cases; i++)
		free_case(&t->cases[i]);
	free(t->cases);
}

static void read_file_head(const cJSON *doc, const char *path, struct nb_rs_file *f)
{
	struct nb_res_head h;

	nb_res_head_read(doc, &h);
	f->path = strdup(path);
	f->campaign = copy_or(h.campaign, "?");
	f->started = copy_or(h.started_utc, "");
	f->work_sha256 = copy_or(h.work_sha256, "");
	f->has_seed = h.has_seed && h.seed >= 0;
	f->seed = f->has_seed ? (uint64_t)h.seed : 0;
}

int nb_rs_add_doc(struct nb_resultset *rs, const char *path, const void *docv, char err[NB_ERR_LEN])
{
	const cJSON *doc = docv, *t;
	int nt;
	const cJSON *tiers = nb_res_tiers(doc, &nt);
	size_t n = (size_t)nt;
	struct nb_rs_file *f;
	void *p;

	err[0] = '\0';
	if (!(p = grow(rs->files, rs->n_files + 1, sizeof(*rs->files))))
		goto oom;
	rs->files = p;
	if (!(p = grow(rs->tiers, rs->n_tiers + n, sizeof(*rs->tiers))))
		goto oom;
	rs->tiers = p;
	f = &rs->files[rs->n_files++];
	memset(f, 0, sizeof(*f));
	read_file_head(doc, path, f);
	f->first_tier = rs->n_tiers;
	cJSON_ArrayForEach(t, tiers) {
		struct nb_rs_tier *tier = &rs->tiers[rs->n_tiers++];

		memset(tier, 0, sizeof(*tier));
		tier->file = rs->n_files - 1;
		f->n_tiers++;
		if (read_tier(t, tier, path, err)) {
			if (!err[0])
				snprintf(err, NB_ERR_LEN, "%s: out of memory", path);
			return -1;
		}
	}
	return 0;
oom:
	return nb_err(err, "%s: out of memory", path);
}

int nb_rs_add_file(struct nb_resultset *rs, const char *path, char err[NB_ERR_LEN])
{
	char lerr[NB_ERR_LEN] = "";
	cJSON *doc = nb_result_load(path, lerr);
	int rc;

	if (!doc) {
		return nb_err(err, "%s: give result files written by nestbench run "
			 "(schema nestbench-result, version %d)", lerr, NB_RESULT_VERSION);
	}
	rc = nb_rs_add_doc(rs, path, doc, err);
	cJSON_Delete(doc);
	return rc;
}

void nb_rs_free(struct nb_resultset *rs)
{
	for (size_t i = 0; i < rs->n_tiers; i++)
		free_tier(&rs->tiers[i]);
	for (size_t i = 0; i < rs->n_files; i++) {
		free(rs->files[i].path);
		free(rs->files[i].campaign);
		free(rs->files[i].started);
		free(rs->files[i].work_sha256);
	}
	free(rs->tiers);
	free(rs->files);
	memset(rs, 0, sizeof(*rs));
}

/* ---- look-ups ----------------------------------------------------------------------- */

const struct nb_rs_case *nb_rs_find_case(const struct nb_rs_tier *tier, const char *key)
{
	for (size_t i = 0; i < tier->n_cases; i++)
		if (strcmp(tier->cases[i].key, key) == 0)
			return &tier->cases[i];
	return NULL;
}

const char *nb_rs_param(const struct nb_rs_case *c, const char *name)
{
	for (size_t i = 0; i < c->n_params; i++)
		if (strcmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}

const char *nb_rs_case_problem(const struct nb_rs_case *c, char *buf, size_t len)
{
	/* SCHEMA.md: only `done` cases are compared; samples of a failed case stay aside. */
	if (nb_case_status_parse(c->status) != NB_CASE_DONE) {
		if (c->reason)
			snprintf(buf, len, "%s: %s", c->status, c->reason);
		else
			snprintf(buf, len, "not measured to the end (status %s)", c->status);
		return buf;
	}
	if (c->n == 0) {
		snprintf(buf, len, "no samples (status done)");
		return buf;
	}
	return NULL;
}

void nb_rs_tier_id(const struct nb_resultset *rs, const struct nb_rs_tier *t, char *buf,
		   size_t len)
{
	const struct nb_rs_file *f = &rs->files[t->file];

	snprintf(buf, len, "%s@%s/%s", f->campaign, f->started, t->name);
}

static int file_matches(const struct nb_rs_file *f, const char *name, size_t len)
{
	const char *base = nb_rs_basename(f->path);

	return (strlen(f->path) == len && strncmp(f->path, name, len) == 0) ||
	       (strlen(base) == len && strncmp(base, name, len) == 0);
}

static void list_tiers(const struct nb_resultset *rs, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < rs->n_tiers && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s:%s", i ? ", " : "",
					 nb_rs_basename(rs->files[rs->tiers[i].file].path),
					 rs->tiers[i].name);
}

long nb_rs_find_tier(const struct nb_resultset *rs, const char *spec, char err[NB_ERR_LEN])
{
	const char *colon = strrchr(spec, ':'), *tier = colon ? colon + 1 : spec;
	long found = -1;
	size_t hits = 0;
	char names[NB_ERR_LEN / 2];

	for (size_t i = 0; i < rs->n_tiers; i++) {
		const struct nb_rs_tier *t = &rs->tiers[i];

		if (strcmp(t->name, tier) != 0)
			continue;
		if (colon && !file_matches(&rs->files[t->file], spec, (size_t)(colon - spec)))
			continue;
		if (!hits++)
			found = (long)i;
	}
	list_tiers(rs, names, sizeof(names));
	if (hits == 1)
		return found;
	if (hits > 1)
		snprintf(err, NB_ERR_LEN, "baseline tier \"%s\" is in several files: name one as "
			 "FILE:TIER (the tiers: %s)", spec, names);
	else
		snprintf(err, NB_ERR_LEN, "no tier \"%s\" in the files given: name one of %s "
			 "(as TIER or FILE:TIER)", spec, names);
	return -1;
}
