/* campaign.c - the campaign loop: tier by tier, cases in seeded interleaved rounds,
 * every sample kept, the result file rewritten atomically as it grows. */
#include "campaign.h"
#include "catalog.h"
#include "config.h"
#include "env.h"
#include "exits.h"
#include "plan.h"
#include "progress.h"
#include "tier.h"
#include "../common/clock.h"
#include "../common/files.h"
#include "../common/json.h"
#include "../common/log.h"
#include "../common/sha256.h"
#include "../common/version.h"
#include "../resultlib/result.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	nb_log_vline(r->o->log, NULL, fmt, ap);
	va_end(ap);
}

static int save(struct run *r, int force)
{
	char werr[ERR_LEN];

	if (!force && nb_mono_s() - r->last_write < WRITE_EVERY_S)
		return 0;
	if (nb_result_write(r->doc, r->o->result_path, werr)) {
		snprintf(r->err, ERR_LEN, "%s", werr);
		return -1;
	}
	r->o->wrote = 1;
	r->last_write = nb_mono_s();
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
	char sha[NB_SHA256_HEX], herr[256];
	struct nb_res_head h = {
		.campaign = r->cfg.name, .description = r->cfg.description,
		.config_path = r->cfg.path, .config_text = r->cfg.text, .seed = (double)r->seed,
		.version = nb_version, .git_revision = nb_gitrev, .work_sha256 = r->cat.sha256,
		.work_version = r->cat.version, .work_size = (double)r->cat.size,
	};

	if (nb_sha256_buf(r->cfg.text, r->cfg.len, sha, herr) == 0)
		h.config_sha256 = sha;
	return nb_res_new(&h);
}

/* The result object of one case within a tier, created with its identity. */
static cJSON *case_obj(struct run *r, cJSON *tier, int ci)
{
	const struct nb_case *cs = &r->cases[ci];
	const struct nb_wl_info *w = &r->cat.w[cs->wl];
	const char *params[NB_CFG_MAX_PARAMS];
	struct nb_res_case_id id = { cs->key, w->name, w->family, w->unit, w->higher_is_better,
				     params, cs->nparams };

	for (int i = 0; i < cs->nparams; i++)
		params[i] = cs->params[i];
	return nb_res_case_add(tier, &id);
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
	double ops = nb_res_case_ops_per_rep(cobj);

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
	if (ops >= 1)
		spec->ops = (unsigned long long)ops;
	return 0;
}

/* A workload that ended badly without an error record of its own (killed by a
 * signal, crashed, exit 1 with only stderr) still fails its case, with a reason. */
static void judge_exit(cJSON *cobj, const cJSON *reply)
{
	const cJSON *st = nb_json_path(reply, "exit_status");
	const char *sig = nb_json_str(reply, "signal", NULL);
	const char *stderr_text = nb_json_str(reply, "stderr", NULL);
	enum nb_case_status status = nb_res_case_status(cobj);
	char msg[512];

	if (status == NB_CASE_FAILED || status == NB_CASE_SKIPPED)
		return;   /* the records already said why */
	if (cJSON_IsNumber(st) && (st->valueint == 0 || st->valueint == 77))
		return;
	if (sig)
		snprintf(msg, sizeof(msg), "nestbench-work was killed by SIG%s", sig);
	else
		snprintf(msg, sizeof(msg), "nestbench-work exited with status %d: %.300s",
			 cJSON_IsNumber(st) ? st->valueint : -1, stderr_text ? stderr_text : "");
	nb_res_case_fail(cobj, msg);
}

/* After a visit: NULL (visit again) or why the case stops, from its status, its
 * samples and the campaign's stopping rule. */
static const char *stop_reason(struct run *r, int ci, cJSON *cobj, struct nb_plan_state *st)
{
	enum nb_case_status status = nb_res_case_status(cobj);
	double *x = NULL;
	const char *stop;

	st->n = nb_res_case_values(cobj, &x);
	if (status == NB_CASE_SKIPPED)
		stop = NB_STOP_SKIPPED;
	else if (status == NB_CASE_FAILED)
		stop = NB_STOP_FAILED;
	else if (st->n == 0 && st->visits >= 2)
		stop = NB_STOP_FAILED;   /* two visits and not one sample: do not loop forever */
	else
		stop = nb_plan_stop(&r->cfg, nb_config_effective(&r->cfg, r->cases[ci].entry).reps, x,
				    st->n, st->spent_s);
	free(x);
	return stop;
}

/* One visit: run `reps` repetitions of case ci on the connected tier.  0 = the case
 * moved on (or finished), -1 = the connection failed (err set). */
static int visit(struct run *r, int t, struct nb_tier_conn *tc, cJSON *tier, int ci,
		 struct nb_plan_state *st, int round, int reps, int seq)
{
	struct nb_run_spec spec;
	cJSON *cobj = case_obj(r, tier, ci), *reply = NULL;
	char herr[512];
	double t0 = nb_mono_s();
	int first = st->visits == 0 && st->n == 0;
	int nsamples = nb_res_case_nsamples(cobj);

	if (build_spec(r, t, ci, cobj, reps, first, &spec, herr)) {
		st->done = 1;
		snprintf(st->stopped_by, sizeof(st->stopped_by), "%s", NB_STOP_FAILED);
		nb_res_case_set_status(cobj, NB_CASE_FAILED);
		nb_res_case_stop(cobj, NB_STOP_FAILED);
		nb_res_case_set_error(cobj, herr);
		r->failed_cases++;
		logf_(r, NB_NORMAL, "  %s: failed: %s", r->cases[ci].key, herr);
		return 0;
	}
	nb_exitcount_begin(r->exits);   /* the parent counts exits over exactly this run */
	int rc = nb_client_run(&tc->client, &spec, &reply, herr);
	nb_exitcount_end(r->exits);
	st->spent_s += nb_mono_s() - t0;
	st->visits++;
	if (rc && !reply) {
		snprintf(r->err, ERR_LEN, "tier %s: %s", r->cfg.tiers[t].name, herr);
		return -1;
	}
	r->in_workloads_s += nb_json_num(reply, "elapsed_ms", 0) / 1e3;
	r->in_reps_s += nb_res_case_absorb(cobj, nb_json_path(reply, "records"), st->visits, round, seq);
	nb_exitcount_annotate(r->exits, reply, cobj, nsamples, first);
	if (rc)
		nb_res_case_fail(cobj, herr);   /* the agent answered with an error (event, timeout, busy ...) */
	else
		judge_exit(cobj, reply);
	cJSON_Delete(reply);

	const char *stop = stop_reason(r, ci, cobj, st);
	if (stop) {
		st->done = 1;
		if (strcmp(stop, NB_STOP_FAILED) == 0) {
			r->failed_cases++;
			if (!nb_res_case_error(cobj))
				nb_res_case_set_error(cobj, "no repetition was measured in two visits");
			logf_(r, NB_NORMAL, "  %s: failed: %s", r->cases[ci].key, nb_res_case_error(cobj));
		}
		snprintf(st->stopped_by, sizeof(st->stopped_by), "%s", stop);
		nb_res_case_stop(cobj, stop);
		logf_(r, NB_VERBOSE, "  %-40s %s after %d samples (%s)", r->cases[ci].key,
		      nb_case_status_name(strcmp(stop, NB_STOP_SKIPPED) == 0 ? NB_CASE_SKIPPED : NB_CASE_DONE),
		      st->n, stop);
	} else {
		nb_res_case_set_status(cobj, NB_CASE_RUNNING);
	}
	nb_res_case_set_spent(cobj, st->spent_s);
	return 0;
}

/* ---- one tier --------------------------------------------------------------------- */

/* Restore per-case progress from a resumed document. */
static void restore_state(struct run *r, cJSON *tier, struct nb_plan_state *st, int *next_round,
			  int *next_seq)
{
	for (int i = 0; i < r->ncases; i++) {
		cJSON *c = nb_res_case(tier, r->cases[i].key);
		struct nb_res_case_progress p;

		memset(&st[i], 0, sizeof(st[i]));
		if (!c)
			continue;
		nb_res_case_progress(c, &p);
		st[i].n = p.n;
		st[i].spent_s = p.spent_s;
		/* Visit and round numbers continue, so (key, visit, rep) stays unique. */
		st[i].visits = p.max_visit;
		if (p.max_round + 1 > *next_round)
			*next_round = p.max_round + 1;
		if (p.max_seq > *next_seq)
			*next_seq = p.max_seq;
		if (p.status == NB_CASE_DONE || p.status == NB_CASE_SKIPPED || p.status == NB_CASE_FAILED) {
			st[i].done = 1;
			snprintf(st[i].stopped_by, sizeof(st[i].stopped_by), "%s", nb_case_status_name(p.status));
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
	nb_res_tier_set_work(tier, sha);
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
	cJSON *tier = nb_res_tier(r->doc, tc_cfg->name, 1);
	struct nb_res_tier_id id = { tc_cfg->level, tc_cfg->hypervisor, tc_cfg->address, tc_cfg->via };
	struct nb_tier_env env = { r->o->agent_path, r->o->state_dir, r->o->lab_dir };
	struct nb_tier_conn tc;
	struct nb_exitcount exits;
	struct nb_plan_state *st = calloc((size_t)r->ncases, sizeof(*st));
	int *order = calloc((size_t)r->ncases, sizeof(int));
	struct nb_rng rng;
	int status = 0, round = 0, seq = 0;
	char herr[512];

	if (!st || !order) {
		snprintf(r->err, ERR_LEN, "out of memory");
		free(st);
		free(order);
		return 2;
	}
	nb_res_tier_begin(tier, &id);
	restore_state(r, tier, st, &round, &seq);
	logf_(r, NB_NORMAL, "tier %s (level %d): connecting to %s%s%s", tc_cfg->name, tc_cfg->level,
	      tc_cfg->address, tc_cfg->via[0] ? " via " : "", tc_cfg->via);
	if (nb_tier_connect(&r->cfg, t, &env, &tc, herr)) {
		snprintf(r->err, ERR_LEN, "%s", herr);
		nb_res_tier_set_status(tier, NB_TIER_UNREACHABLE, herr);
		free(st);
		free(order);
		return 2;
	}
	nb_res_tier_set_reached(tier, tc.reached);
	tc.client.conn.stop = &interrupted;   /* Ctrl-C ends a long wait at once */
	if (nb_env_capture(&tc, tier, herr))
		logf_(r, NB_NORMAL, "tier %s: environment incomplete: %s", tc_cfg->name, herr);
	logf_(r, NB_NORMAL, "tier %s: %s", tc_cfg->name, nb_res_tier_nature(tier));
	if (deploy(r, t, &tc, tier)) {
		nb_res_tier_set_status(tier, NB_TIER_FAILED, r->err);
		nb_tier_close(&tc);
		free(st);
		free(order);
		return 2;
	}
	nb_res_tier_set_status(tier, NB_TIER_RUNNING, NULL);
	r->exits = nb_exitcount_open(&exits, &r->cfg, t, &env, tier);
	if (r->exits)
		logf_(r, NB_NORMAL, "tier %s: exits counted by tier %s: %s", tc_cfg->name, exits.by,
		      exits.unsupported[0] ? exits.unsupported : exits.conn.reached);
	nb_res_tier_started(tier);
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
					nb_res_tier_set_status(tier, NB_TIER_INTERRUPTED, NULL);
				} else {
					nb_res_tier_set_status(tier, NB_TIER_FAILED, r->err);
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
		nb_res_tier_set_status(tier, NB_TIER_DONE, NULL);
		nb_res_tier_finished(tier);
	} else if (status == 1) {
		nb_res_tier_set_status(tier, NB_TIER_INTERRUPTED, NULL);
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

static int load_config(struct run *r)
{
	char cerr[NB_CFG_ERR];

	if (r->o->resume_path) {
		struct nb_res_head h;

		nb_res_head_read(r->doc, &h);
		if (!h.config_text || !h.has_seed) {
			snprintf(r->err, ERR_LEN, "%s has no campaign configuration to resume", r->o->resume_path);
			return -1;
		}
		if (nb_config_parse(h.config_text, strlen(h.config_text),
				    h.config_path ? h.config_path : "(resumed)", &r->cfg, cerr)) {
			snprintf(r->err, ERR_LEN, "%s", cerr);
			return -1;
		}
		r->seed = (uint64_t)h.seed;
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
	struct nb_res_head h;
	const char *sha;

	nb_res_head_read(r->doc, &h);
	sha = h.work_sha256;
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
		if (nb_res_tier_status(nb_res_tier(r->doc, r->cfg.tiers[t].name, 0)) != NB_TIER_DONE)
			return 0;
	}
	return 1;
}

static void finish_doc(struct run *r, enum nb_run_status status, double wall_s)
{
	struct nb_res_timing t = { wall_s, r->in_workloads_s, r->in_reps_s };

	nb_res_finish(r->doc, status, &t);
}

int nb_campaign_run(struct nb_campaign_opts *o, char *err)
{
	struct run r;
	struct sigaction sa;
	char cerr[ERR_LEN];
	int status = 0;
	double t0 = nb_mono_s();

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
		cJSON *tier = nb_res_tier(r.doc, r.cfg.tiers[t].name, 0);
		if (nb_res_tier_status(tier) == NB_TIER_DONE ||
		    (o->only_tier && strcmp(o->only_tier, r.cfg.tiers[t].name)))
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
		finish_doc(&r, NB_RUN_INTERRUPTED, nb_mono_s() - t0);
		snprintf(err, ERR_LEN, "interrupted: what was measured is in %s; continue with "
				       "`nestbench run --resume %s`", o->result_path, o->result_path);
		status = 130;
	} else {
		finish_doc(&r, status || !all_tiers_done(&r) ? NB_RUN_PARTIAL : NB_RUN_COMPLETE, nb_mono_s() - t0);
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
	      100.0 * (nb_mono_s() - t0 - r.in_workloads_s) / (nb_mono_s() - t0), nb_mono_s() - t0);
out:
	cJSON_Delete(r.doc);
	free(r.cases);
	nb_catalog_free(&r.cat);
	nb_config_free(&r.cfg);
	return status;
}
