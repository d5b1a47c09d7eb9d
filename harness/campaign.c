/* campaign.c - the campaign loop: tier by tier, cases in seeded interleaved rounds,
 * every sample kept, the result file rewritten atomically as it grows. */
#include "campaign.h"
#include "../common/version.h"
#include "catalog.h"
#include "config.h"
#include "env.h"
#include "exits.h"
#include "plan.h"
#include "progress.h"
#include "result.h"
#include "tier.h"
#include "../common/sha256.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ERR_LEN 512
#define WRITE_EVERY_S 1.0   /* rewrite the result file at most this often mid-tier */


/* Set by SIGINT/SIGTERM; the loop stops after saving what it has. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Everything one campaign run carries around. */
struct run {
	struct nb_campaign_opts *o;
	struct nb_campaign_cfg cfg;
	struct nb_catalog cat;
	struct nb_case *cases;
	int ncases;
	cJSON *doc;
	uint64_t seed;
	double last_write;
	double in_workloads_s;     /* wall time of workload processes, per the agents */
	double in_reps_s;          /* sum of measured repetitions' ns */
	int failed_cases;
	int failed_tiers;
	struct nb_progress prog;
	struct nb_exitcount *exits;  /* the tier's VM exits counted by its parent, or NULL */
	char *err;
};

static void logf_(struct run *r, enum nb_verbosity min, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logf_(struct run *r, enum nb_verbosity min, const char *fmt, ...)
{
	va_list ap;

	if (r->o->verbosity < min || !r->o->log)
		return;
	nb_progress_clear(&r->prog);
	va_start(ap, fmt);
	vfprintf(r->o->log, fmt, ap);
	va_end(ap);
	fputc('\n', r->o->log);
	fflush(r->o->log);
}

static int save(struct run *r, int force)
{
	char werr[ERR_LEN];

	if (!force && now_s() - r->last_write < WRITE_EVERY_S)
		return 0;
	if (nb_result_write(r->doc, r->o->result_path, werr)) {
		snprintf(r->err, ERR_LEN, "%s", werr);
		return -1;
	}
	r->o->wrote = 1;
	r->last_write = now_s();
	return 0;
}

/* ---- the result document ---------------------------------------------------------- */

static void result_path_new(struct run *r)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	if (r->o->out_path) {
		snprintf(r->o->result_path, sizeof(r->o->result_path), "%s", r->o->out_path);
		return;
	}
	/* Two campaigns started in the same second must not overwrite each other. */
	for (int k = 1; k < 1000; k++) {
		const char *dir = r->o->out_dir ? r->o->out_dir : "results";
		if (k == 1)
			snprintf(r->o->result_path, sizeof(r->o->result_path), "%s/%s-%s.json", dir,
				 r->cfg.name, ts);
		else
			snprintf(r->o->result_path, sizeof(r->o->result_path), "%s/%s-%s-%d.json", dir,
				 r->cfg.name, ts, k);
		if (access(r->o->result_path, F_OK) != 0)
			return;
	}
}

static cJSON *new_doc(struct run *r)
{
	cJSON *d = cJSON_CreateObject(), *c, *n;
	char sha[NB_SHA256_HEX], herr[256], ts[32];

	cJSON_AddStringToObject(d, "schema", NB_RESULT_SCHEMA);
	cJSON_AddNumberToObject(d, "schema_version", NB_RESULT_VERSION);
	c = cJSON_AddObjectToObject(d, "campaign");
	cJSON_AddStringToObject(c, "name", r->cfg.name);
	cJSON_AddStringToObject(c, "description", r->cfg.description);
	cJSON_AddStringToObject(c, "config_path", r->cfg.path);
	if (nb_sha256_buf(r->cfg.text, r->cfg.len, sha, herr) == 0)
		cJSON_AddStringToObject(c, "config_sha256", sha);
	cJSON_AddStringToObject(c, "config_text", r->cfg.text);
	cJSON_AddNumberToObject(c, "seed", (double)r->seed);
	n = cJSON_AddObjectToObject(d, "nestbench");
	cJSON_AddStringToObject(n, "version", nb_version);
	cJSON_AddStringToObject(n, "git_revision", nb_gitrev);
	cJSON_AddStringToObject(n, "work_sha256", r->cat.sha256);
	cJSON_AddNumberToObject(n, "work_size", (double)r->cat.size);
	cJSON_AddStringToObject(n, "work_version", r->cat.version);
	nb_utc_now(ts, sizeof(ts));
	cJSON_AddStringToObject(d, "started_utc", ts);
	cJSON_AddNullToObject(d, "finished_utc");
	cJSON_AddStringToObject(d, "status", "running");
	cJSON_AddArrayToObject(d, "tiers");
	return d;
}

static void set_string(cJSON *o, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddStringToObject(o, key, v);
}

static void set_number(cJSON *o, const char *key, double v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddNumberToObject(o, key, v);
}

static void set_item(cJSON *o, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddItemToObject(o, key, v);
}

/* The result object of one case within a tier, created with its identity. */
static cJSON *case_obj(struct run *r, cJSON *tier, int ci)
{
	const struct nb_case *cs = &r->cases[ci];
	const struct nb_wl_info *w = &r->cat.w[cs->wl];
	cJSON *c = nb_json_find(tier, "cases", "key", cs->key, 0), *p;

	if (c)
		return c;
	c = nb_json_find(tier, "cases", "key", cs->key, 1);
	cJSON_AddStringToObject(c, "workload", w->name);
	cJSON_AddStringToObject(c, "family", w->family);
	cJSON_AddStringToObject(c, "unit", w->unit);
	cJSON_AddStringToObject(c, "better", w->higher_is_better ? "higher" : "lower");
	p = cJSON_AddObjectToObject(c, "params");
	for (int i = 0; i < cs->nparams; i++) {
		char k[NB_CFG_TEXT];
		snprintf(k, sizeof(k), "%s", cs->params[i]);
		char *eq = strchr(k, '=');
		*eq = '\0';
		cJSON_AddStringToObject(p, k, eq + 1);
	}
	cJSON_AddStringToObject(c, "status", "pending");
	cJSON_AddNullToObject(c, "stopped_by");
	cJSON_AddArrayToObject(c, "samples");
	return c;
}

/* ---- one visit -------------------------------------------------------------------- */

static const char *tier_dir_param(const struct nb_tier_cfg *t, const struct nb_case *cs)
{
	for (int i = 0; i < cs->nparams; i++)
		if (strncmp(cs->params[i], "dir=", 4) == 0)
			return NULL;   /* the campaign set it explicitly */
	return t->io_dir[0] ? t->io_dir : NULL;
}

static int build_spec(struct run *r, int t, int ci, const cJSON *cobj, int reps, int first,
		      struct nb_run_spec *spec, char *err)
{
	const struct nb_case *cs = &r->cases[ci];
	struct nb_run_cfg rc = nb_config_effective(&r->cfg, cs->entry);
	const char *dir = r->cat.w[cs->wl].has_dir_param ? tier_dir_param(&r->cfg.tiers[t], cs) : NULL;
	const cJSON *ops = cJSON_GetObjectItemCaseSensitive(cobj, "ops_per_rep");

	nb_run_spec_init(spec);
	snprintf(spec->sha256, sizeof(spec->sha256), "%s", r->cat.sha256);
	snprintf(spec->workload, sizeof(spec->workload), "%s", r->cat.w[cs->wl].name);
	for (int i = 0; i < cs->nparams; i++)
		if (nb_run_spec_add_param(spec, cs->params[i], err))
			return -1;
	if (dir) {
		char kv[NB_CFG_TEXT + 8];
		snprintf(kv, sizeof(kv), "dir=%s", dir);
		if (nb_run_spec_add_param(spec, kv, err))
			return -1;
	}
	for (int i = 0; i < rc.nevents; i++)
		if (nb_run_spec_add_event(spec, rc.events[i], err))
			return -1;
	spec->reps = reps;
	/* Warm-up on the first visit only: later visits reuse the calibrated op count. */
	spec->warmup = first ? rc.warmup : 0;
	spec->min_time_ms = (unsigned)rc.min_time_ms;
	spec->cpu = rc.cpu >= 0 ? rc.cpu : rc.cpu == -2 ? NB_RUN_CPU_NONE : -1;
	spec->timeout_ms = (unsigned)rc.timeout_s * 1000u;
	if (cJSON_IsNumber(ops) && ops->valuedouble >= 1)
		spec->ops = (unsigned long long)ops->valuedouble;
	return 0;
}

/* Fold one run reply into the case: meta on first sight, measured reps as samples,
 * skip and error records as the case's outcome. */
static void absorb(struct run *r, cJSON *cobj, const cJSON *reply, int visit, int round, int seq)
{
	const cJSON *rec;
	cJSON *samples = cJSON_GetObjectItemCaseSensitive(cobj, "samples");

	cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(reply, "records")) {
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "type"));
		if (!type)
			continue;
		if (strcmp(type, "meta") == 0) {
			if (!cJSON_GetObjectItemCaseSensitive(cobj, "meta"))
				cJSON_AddItemToObject(cobj, "meta", cJSON_Duplicate(rec, 1));
			const cJSON *ops = cJSON_GetObjectItemCaseSensitive(rec, "ops_per_rep");
			if (cJSON_IsNumber(ops) && !cJSON_GetObjectItemCaseSensitive(cobj, "ops_per_rep"))
				cJSON_AddNumberToObject(cobj, "ops_per_rep", ops->valuedouble);
		} else if (strcmp(type, "rep") == 0 &&
			   !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "warmup"))) {
			cJSON *s = cJSON_Duplicate(rec, 1);
			cJSON_DeleteItemFromObjectCaseSensitive(s, "type");
			cJSON_DeleteItemFromObjectCaseSensitive(s, "workload");
			cJSON_DeleteItemFromObjectCaseSensitive(s, "case");
			cJSON_DeleteItemFromObjectCaseSensitive(s, "warmup");
			cJSON_AddNumberToObject(s, "visit", visit);
			cJSON_AddNumberToObject(s, "round", round);
			cJSON_AddNumberToObject(s, "seq", seq);   /* the tier's visit order */
			const cJSON *ns = cJSON_GetObjectItemCaseSensitive(rec, "ns");
			if (cJSON_IsNumber(ns))
				r->in_reps_s += ns->valuedouble / 1e9;
			cJSON_AddItemToArray(samples, s);
		} else if (strcmp(type, "skip") == 0) {
			set_string(cobj, "status", "skipped");
			set_item(cobj, "reason", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "reason"), 1));
		} else if (strcmp(type, "error") == 0) {
			set_string(cobj, "status", "failed");
			set_item(cobj, "error", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "message"), 1));
		} else if (strcmp(type, "end") == 0) {
			const cJSON *notes = cJSON_GetObjectItemCaseSensitive(rec, "notes");
			if (cJSON_IsString(notes) && notes->valuestring[0])
				set_string(cobj, "notes", notes->valuestring);
		}
	}
}

/* A workload that ended badly without an error record of its own (killed by a
 * signal, crashed, exit 1 with only stderr) still fails its case, with a reason. */
static void judge_exit(cJSON *cobj, const cJSON *reply)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(reply, "exit_status");
	const char *sig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "signal"));
	const char *stderr_text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "stderr"));
	const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cobj, "status"));
	char msg[512];

	if (status && (strcmp(status, "failed") == 0 || strcmp(status, "skipped") == 0))
		return;   /* the records already said why */
	if (cJSON_IsNumber(st) && (st->valueint == 0 || st->valueint == 77))
		return;
	if (sig)
		snprintf(msg, sizeof(msg), "nestbench-work was killed by SIG%s", sig);
	else
		snprintf(msg, sizeof(msg), "nestbench-work exited with status %d: %.300s",
			 cJSON_IsNumber(st) ? st->valueint : -1, stderr_text ? stderr_text : "");
	set_string(cobj, "status", "failed");
	set_string(cobj, "error", msg);
}

/* Samples' values as doubles (for the stopping rule); returns the count. */
static int sample_values(const cJSON *cobj, double **x)
{
	const cJSON *samples = cJSON_GetObjectItemCaseSensitive(cobj, "samples"), *s;
	int n = 0, cap = cJSON_GetArraySize(samples);

	*x = malloc(sizeof(double) * (size_t)(cap ? cap : 1));
	cJSON_ArrayForEach(s, samples) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, "value");
		if (*x && cJSON_IsNumber(v))
			(*x)[n++] = v->valuedouble;
	}
	return n;
}

/* One visit: run `reps` repetitions of case ci on the connected tier.  0 = the case
 * moved on (or finished), -1 = the connection failed (err set). */
static int visit(struct run *r, int t, struct nb_tier_conn *tc, cJSON *tier, int ci,
		 struct nb_plan_state *st, int round, int reps, int seq)
{
	struct nb_run_spec spec;
	cJSON *cobj = case_obj(r, tier, ci), *reply = NULL;
	char herr[512];
	double t0 = now_s();
	int first = st->visits == 0 && st->n == 0;
	int nsamples = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cobj, "samples"));

	if (build_spec(r, t, ci, cobj, reps, first, &spec, herr)) {
		st->done = 1;
		snprintf(st->stopped_by, sizeof(st->stopped_by), "failed");
		set_string(cobj, "status", "failed");
		set_string(cobj, "stopped_by", "failed");
		set_string(cobj, "error", herr);
		r->failed_cases++;
		logf_(r, NB_NORMAL, "  %s: failed: %s", r->cases[ci].key, herr);
		return 0;
	}
	nb_exitcount_begin(r->exits);   /* the parent counts exits over exactly this run */
	int rc = nb_client_run(&tc->client, &spec, &reply, herr);
	nb_exitcount_end(r->exits);
	st->spent_s += now_s() - t0;
	st->visits++;
	if (rc && !reply) {
		snprintf(r->err, ERR_LEN, "tier %s: %s", r->cfg.tiers[t].name, herr);
		return -1;
	}
	const cJSON *el = cJSON_GetObjectItemCaseSensitive(reply, "elapsed_ms");
	if (cJSON_IsNumber(el))
		r->in_workloads_s += el->valuedouble / 1e3;
	absorb(r, cobj, reply, st->visits, round, seq);
	nb_exitcount_annotate(r->exits, reply, cobj, nsamples, first);
	if (rc) {
		/* The agent answered with an error (event encoding, timeout, busy ...). */
		set_string(cobj, "status", "failed");
		set_string(cobj, "error", herr);
	} else {
		judge_exit(cobj, reply);
	}
	cJSON_Delete(reply);

	const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cobj, "status"));
	double *x = NULL;
	st->n = sample_values(cobj, &x);
	const char *stop = NULL;
	if (status && (strcmp(status, "skipped") == 0 || strcmp(status, "failed") == 0))
		stop = status;
	else if (st->n == 0 && st->visits >= 2)
		stop = "failed";   /* two visits and not one sample: do not loop forever */
	else
		stop = nb_plan_stop(&r->cfg, nb_config_effective(&r->cfg, r->cases[ci].entry).reps, x,
				    st->n, st->spent_s);
	free(x);
	if (stop) {
		st->done = 1;
		if (strcmp(stop, "failed") == 0) {
			r->failed_cases++;
			if (!cJSON_GetObjectItemCaseSensitive(cobj, "error"))
				set_string(cobj, "error", "no repetition was measured in two visits");
			logf_(r, NB_NORMAL, "  %s: failed: %s", r->cases[ci].key,
			      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cobj, "error")));
		}
		snprintf(st->stopped_by, sizeof(st->stopped_by), "%s", stop);
		set_item(cobj, "stopped_by", cJSON_CreateString(stop));
		if (strcmp(stop, "skipped") && strcmp(stop, "failed"))
			set_string(cobj, "status", "done");
		logf_(r, NB_VERBOSE, "  %-40s %s after %d samples (%s)", r->cases[ci].key,
		      strcmp(stop, "skipped") == 0 ? "skipped" : "done", st->n, stop);
	} else {
		set_string(cobj, "status", "running");
	}
	set_number(cobj, "spent_s", st->spent_s);
	return 0;
}

/* ---- one tier --------------------------------------------------------------------- */

/* The largest value of a sample field in a case (0 when none). */
static double max_field(const cJSON *c, const char *key)
{
	const cJSON *s;
	double m = 0;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c, "samples")) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);
		if (cJSON_IsNumber(v) && v->valuedouble > m)
			m = v->valuedouble;
	}
	return m;
}

/* Restore per-case progress from a resumed document. */
static void restore_state(struct run *r, cJSON *tier, struct nb_plan_state *st, int *next_round,
			  int *next_seq)
{
	for (int i = 0; i < r->ncases; i++) {
		cJSON *c = nb_json_find(tier, "cases", "key", r->cases[i].key, 0);
		double *x = NULL;
		memset(&st[i], 0, sizeof(st[i]));
		if (!c)
			continue;
		st[i].n = sample_values(c, &x);
		free(x);
		const cJSON *sp = cJSON_GetObjectItemCaseSensitive(c, "spent_s");
		st[i].spent_s = cJSON_IsNumber(sp) ? sp->valuedouble : 0;
		/* Visit and round numbers continue, so (key, visit, rep) stays unique. */
		st[i].visits = (int)max_field(c, "visit");
		int rounds = (int)max_field(c, "round") + 1;
		if (rounds > *next_round)
			*next_round = rounds;
		if ((int)max_field(c, "seq") > *next_seq)
			*next_seq = (int)max_field(c, "seq");
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "status"));
		if (s && (strcmp(s, "done") == 0 || strcmp(s, "skipped") == 0 || strcmp(s, "failed") == 0)) {
			st[i].done = 1;
			snprintf(st[i].stopped_by, sizeof(st[i].stopped_by), "%s", s);
		}
	}
}

static int deploy(struct run *r, int t, struct nb_tier_conn *tc, cJSON *tier)
{
	char sha[65], herr[512];

	if (nb_client_put_file(&tc->client, r->cat.work_path, "nestbench-work", sha, NULL, herr)) {
		snprintf(r->err, ERR_LEN, "tier %s: cannot deploy %s: %s", r->cfg.tiers[t].name,
			 r->cat.work_path, herr);
		return -1;
	}
	if (strcmp(sha, r->cat.sha256) != 0) {
		snprintf(r->err, ERR_LEN, "tier %s stored %s with sha256 %s, expected %s",
			 r->cfg.tiers[t].name, r->cat.work_path, sha, r->cat.sha256);
		return -1;
	}
	set_string(tier, "work_sha256", sha);
	return 0;
}

static long visits_left(struct run *r, const struct nb_plan_state *st)
{
	long v = 0;

	for (int i = 0; i < r->ncases; i++) {
		if (st[i].done)
			continue;
		int reps = r->cfg.precision.mode == NB_PRECISION_FIXED
				   ? nb_config_effective(&r->cfg, r->cases[i].entry).reps
				   : r->cfg.precision.min_reps;
		int left = reps - st[i].n;
		int block = r->cfg.order.interleave ? r->cfg.order.block : (left > 0 ? left : 1);
		v += left > 0 ? (left + block - 1) / block : 1;
	}
	return v;
}

/* Measure every case on tier t.  0 = done, 1 = interrupted, 2 = tier unusable. */
static int run_tier(struct run *r, int t)
{
	const struct nb_tier_cfg *tc_cfg = &r->cfg.tiers[t];
	cJSON *tier = nb_json_find(r->doc, "tiers", "name", tc_cfg->name, 1);
	struct nb_tier_env env = { r->o->agent_path, r->o->state_dir, r->o->lab_dir };
	struct nb_tier_conn tc;
	struct nb_exitcount exits;
	struct nb_plan_state *st = calloc((size_t)r->ncases, sizeof(*st));
	int *order = calloc((size_t)r->ncases, sizeof(int));
	struct nb_rng rng;
	int status = 0, round = 0, seq = 0;
	char herr[512], ts[32];

	if (!st || !order) {
		snprintf(r->err, ERR_LEN, "out of memory");
		free(st);
		free(order);
		return 2;
	}
	set_number(tier, "level", tc_cfg->level);
	set_string(tier, "hypervisor_label", tc_cfg->hypervisor);
	set_string(tier, "address", tc_cfg->address);
	set_string(tier, "via", tc_cfg->via);
	restore_state(r, tier, st, &round, &seq);
	logf_(r, NB_NORMAL, "tier %s (level %d): connecting to %s%s%s", tc_cfg->name, tc_cfg->level,
	      tc_cfg->address, tc_cfg->via[0] ? " via " : "", tc_cfg->via);
	if (nb_tier_connect(&r->cfg, t, &env, &tc, herr)) {
		snprintf(r->err, ERR_LEN, "%s", herr);
		set_string(tier, "status", "unreachable");
		set_string(tier, "error", herr);
		free(st);
		free(order);
		return 2;
	}
	set_string(tier, "reached", tc.reached);
	tc.client.conn.stop = &interrupted;   /* Ctrl-C ends a long wait at once */
	if (nb_env_capture(&tc, tier, herr))
		logf_(r, NB_NORMAL, "tier %s: environment incomplete: %s", tc_cfg->name, herr);
	logf_(r, NB_NORMAL, "tier %s: %s", tc_cfg->name,
	      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tier, "nature")));
	if (deploy(r, t, &tc, tier)) {
		set_string(tier, "status", "failed");
		set_string(tier, "error", r->err);
		nb_tier_close(&tc);
		free(st);
		free(order);
		return 2;
	}
	set_string(tier, "status", "running");
	r->exits = nb_exitcount_open(&exits, &r->cfg, t, &env, tier);
	if (r->exits)
		logf_(r, NB_NORMAL, "tier %s: exits counted by tier %s: %s", tc_cfg->name, exits.by,
		      exits.unsupported[0] ? exits.unsupported : exits.conn.reached);
	nb_utc_now(ts, sizeof(ts));
	if (!cJSON_GetObjectItemCaseSensitive(tier, "started_utc"))
		cJSON_AddStringToObject(tier, "started_utc", ts);
	save(r, 1);

	for (int i = 0; i < r->ncases; i++)
		case_obj(r, tier, i);
	nb_progress_tier(&r->prog, tc_cfg->name, visits_left(r, st));
	for (;;) {
		/* One stream per tier and round: resuming, or adding a tier, reproduces
		 * exactly the orders an uninterrupted campaign would have used. */
		char key[NB_CFG_NAME + 16];
		snprintf(key, sizeof(key), "%s/%d", tc_cfg->name, round);
		nb_rng_seed_key(&rng, r->seed, key);
		int k = nb_plan_round(&rng, st, r->ncases, r->cfg.order.interleave, order);
		if (k == 0)
			break;
		for (int j = 0; j < k && !interrupted; j++) {
			int ci = order[j];
			int reps = nb_plan_visit_reps(&r->cfg, nb_config_effective(&r->cfg, r->cases[ci].entry).reps,
						      &st[ci]);
			nb_progress_visit(&r->prog, r->cases[ci].key, round, visits_left(r, st));
			if (visit(r, t, &tc, tier, ci, &st[ci], round, reps, ++seq)) {
				if (interrupted) {
					status = 1;   /* the visit was cut short: nothing to record */
					set_string(tier, "status", "interrupted");
				} else {
					set_string(tier, "status", "failed");
					set_string(tier, "error", r->err);
					status = 2;
				}
				goto out;
			}
			logf_(r, NB_VERBOSE, "  visit %-40s round %d: %d samples", r->cases[ci].key, round,
			      st[ci].n);
			if (save(r, 0)) {
				status = 2;
				goto out;
			}
		}
		if (interrupted) {
			status = 1;
			break;
		}
		round++;
	}
	if (!status) {
		set_string(tier, "status", "done");
		cJSON_DeleteItemFromObjectCaseSensitive(tier, "error");
		nb_utc_now(ts, sizeof(ts));
		set_string(tier, "finished_utc", ts);
	} else if (status == 1) {
		set_string(tier, "status", "interrupted");
	}
out:
	nb_progress_clear(&r->prog);
	nb_exitcount_close(r->exits, interrupted != 0);
	r->exits = NULL;
	if (interrupted)
		nb_tier_abort(&tc);
	else
		nb_tier_close(&tc);
	free(st);
	free(order);
	return status;
}

/* ---- the campaign ------------------------------------------------------------------- */

int nb_mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static int load_config(struct run *r)
{
	char cerr[NB_CFG_ERR];

	if (r->o->resume_path) {
		cJSON *c = cJSON_GetObjectItemCaseSensitive(r->doc, "campaign");
		const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "config_text"));
		const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "config_path"));
		const cJSON *seed = cJSON_GetObjectItemCaseSensitive(c, "seed");
		if (!text || !cJSON_IsNumber(seed)) {
			snprintf(r->err, ERR_LEN, "%s has no campaign configuration to resume", r->o->resume_path);
			return -1;
		}
		if (nb_config_parse(text, strlen(text), path ? path : "(resumed)", &r->cfg, cerr)) {
			snprintf(r->err, ERR_LEN, "%s", cerr);
			return -1;
		}
		r->seed = (uint64_t)seed->valuedouble;
		return 0;
	}
	if (nb_config_load(r->o->config_path, &r->cfg, cerr)) {
		snprintf(r->err, ERR_LEN, "%s", cerr);
		return -1;
	}
	r->seed = r->cfg.order.seed_given ? r->cfg.order.seed
					  : (((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid()) & ((1ull << 53) - 1);
	return 0;
}

static int check_resume_binary(struct run *r)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(r->doc, "nestbench");
	const char *sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n, "work_sha256"));

	if (sha && strcmp(sha, r->cat.sha256) != 0) {
		snprintf(r->err, ERR_LEN, "%s was measured with nestbench-work %.12s..., but %s is %.12s...: "
					  "resuming would mix different binaries (rebuild the original, or "
					  "start a new campaign)", r->o->resume_path, sha, r->cat.work_path,
			 r->cat.sha256);
		return -1;
	}
	return 0;
}

static int all_tiers_done(struct run *r)
{
	for (int t = 0; t < r->cfg.ntiers; t++) {
		cJSON *tier = nb_json_find(r->doc, "tiers", "name", r->cfg.tiers[t].name, 0);
		const char *ts = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tier, "status"));
		if (!ts || strcmp(ts, "done") != 0)
			return 0;
	}
	return 1;
}

static void finish_doc(struct run *r, const char *status, double wall_s)
{
	char ts[32];
	cJSON *h = cJSON_CreateObject();

	nb_utc_now(ts, sizeof(ts));
	set_string(r->doc, "finished_utc", ts);
	set_string(r->doc, "status", status);
	/* The harness's own cost: wall time outside the workload processes. */
	cJSON_AddNumberToObject(h, "wall_s", wall_s);
	cJSON_AddNumberToObject(h, "in_workload_processes_s", r->in_workloads_s);
	cJSON_AddNumberToObject(h, "in_measured_reps_s", r->in_reps_s);
	cJSON_AddNumberToObject(h, "harness_overhead_fraction",
				wall_s > 0 ? (wall_s - r->in_workloads_s) / wall_s : 0);
	set_item(r->doc, "last_run_timing", h);
}

int nb_campaign_run(struct nb_campaign_opts *o, char *err)
{
	struct run r;
	struct sigaction sa;
	char cerr[ERR_LEN];
	int status = 0;
	double t0 = now_s();

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.err = err;
	interrupted = 0;
	if (o->resume_path) {
		if (!(r.doc = nb_result_load(o->resume_path, cerr))) {
			snprintf(err, ERR_LEN, "%s", cerr);
			return 2;
		}
		snprintf(o->result_path, sizeof(o->result_path), "%s", o->resume_path);
	}
	if (load_config(&r)) {
		status = 2;
		goto out;
	}
	if (nb_catalog_load(&r.cat, o->work_path, cerr)) {
		snprintf(err, ERR_LEN, "%s", cerr);
		status = 2;
		goto out;
	}
	if (o->resume_path && check_resume_binary(&r)) {
		status = 2;
		goto out;
	}
	if (nb_catalog_expand(&r.cat, &r.cfg, &r.cases, &r.ncases, cerr)) {
		snprintf(err, ERR_LEN, "%s", cerr);
		status = 2;
		goto out;
	}
	if (o->only_tier && nb_config_tier(&r.cfg, o->only_tier) < 0) {
		snprintf(err, ERR_LEN, "--tier %s: the campaign has no such tier", o->only_tier);
		status = 2;
		goto out;
	}
	if (!o->resume_path) {
		if (!o->out_path)
			nb_mkdirs(o->out_dir ? o->out_dir : "results");
		result_path_new(&r);
		r.doc = new_doc(&r);
	}
	if (save(&r, 1)) {
		status = 2;
		goto out;
	}
	logf_(&r, NB_NORMAL, "campaign %s: %d tiers, %d cases, seed %llu, results in %s", r.cfg.name,
	      r.cfg.ntiers, r.ncases, (unsigned long long)r.seed, o->result_path);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;   /* no SA_RESTART: a blocked read returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);   /* a closed terminal saves like Ctrl-C */
	nb_progress_init(&r.prog, o->progress, o->log);
	for (int t = 0; t < r.cfg.ntiers && !interrupted; t++) {
		cJSON *tier = nb_json_find(r.doc, "tiers", "name", r.cfg.tiers[t].name, 0);
		const char *ts = tier ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tier, "status")) : NULL;
		if ((ts && strcmp(ts, "done") == 0) || (o->only_tier && strcmp(o->only_tier, r.cfg.tiers[t].name)))
			continue;
		int rc = run_tier(&r, t);
		if (rc == 2) {
			logf_(&r, NB_QUIET, "nestbench: %s", err);
			r.failed_tiers++;
			status = 2;
		}
		if (save(&r, 1))
			status = 2;
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (interrupted) {
		finish_doc(&r, "interrupted", now_s() - t0);
		snprintf(err, ERR_LEN, "interrupted: what was measured is in %s; continue with "
				       "`nestbench run --resume %s`", o->result_path, o->result_path);
		status = 130;
	} else {
		finish_doc(&r, status || !all_tiers_done(&r) ? "partial" : "complete", now_s() - t0);
		if (r.failed_tiers)
			snprintf(err, ERR_LEN, "%d tier%s could not be measured (see above); what was "
					       "measured is in %s", r.failed_tiers, r.failed_tiers > 1 ? "s" : "",
				 o->result_path);
		else if (r.failed_cases) {
			snprintf(err, ERR_LEN, "%d case%s failed (see \"error\" in %s)", r.failed_cases,
				 r.failed_cases > 1 ? "s" : "", o->result_path);
			status = 1;
		}
	}
	if (save(&r, 1))
		status = 2;   /* err now names the write that failed: that comes first */
	logf_(&r, NB_NORMAL, "results: %s (harness overhead %.1f %% of %.1f s)", o->result_path,
	      100.0 * (now_s() - t0 - r.in_workloads_s) / (now_s() - t0), now_s() - t0);
out:
	cJSON_Delete(r.doc);
	free(r.cases);
	nb_catalog_free(&r.cat);
	nb_config_free(&r.cfg);
	return status;
}
