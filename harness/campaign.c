/* campaign.c - the campaign loop: tier by tier, or all tiers at once with each case
 * visited on every tier in turn; cases in seeded interleaved rounds, each round opened
 * by the canary; every sample kept with its interference, the result file rewritten
 * atomically as it grows. */
#include "campaign.h"
#include "../common/err.h"
#include "catalog.h"
#include "config.h"
#include "env.h"
#include "exitcount.h"
#include "interfere.h"
#include "overrides.h"
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
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	int campaign_seq;          /* visits (and canary runs) so far, all tiers */
	double canary_s;           /* wall time of the canary runs */
	double quiet_wait_s;       /* waiting for the lab to be quiet */
	double exit_counting_s;    /* exit counters: started, resumed, paused, read, stopped */
	struct nb_res_time time;   /* where the visits' time went, all tiers */
	struct nb_res_time tier_time[NB_CFG_MAX_TIERS];
	int interleaved;           /* the tiers' visits alternate (campaign.order.mode) */
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
	char werr[NB_ERR_LEN];

	if (!force && nb_mono_s() - r->last_write < WRITE_EVERY_S)
		return 0;
	if (nb_result_write(r->doc, r->o->result_path, werr)) {
		snprintf(r->err, NB_ERR_LEN, "%s", werr);
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
	char sha[NB_SHA256_HEX], herr[NB_ERR_LEN];
	struct nb_res_head h = {
		.campaign = r->cfg.name, .description = r->cfg.description,
		.config_path = r->cfg.path, .config_text = r->cfg.text, .seed = (double)r->seed,
		.version = nb_version, .git_revision = nb_gitrev, .work_sha256 = r->cat.sha256,
		.work_version = r->cat.version, .work_size = (double)r->cat.size,
		.order_mode = r->interleaved ? NB_ORDER_INTERLEAVED : NB_ORDER_BY_TIER,
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
		      struct nb_run_spec *spec, char err[NB_ERR_LEN])
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
	/* Warm-up on the first visit; later visits reuse the calibrated op count.  A kept
	 * worker of a memory workload gets one warm-up repetition on its later visits too:
	 * other cases ran since its last batch and evicted its arrays and pointer chain
	 * from the caches and TLB, where a fresh process's setup had just touched them.
	 * The other families keep no data between repetitions worth warming (page faults
	 * and I/O make theirs fresh in each; cpu.fp's arrays are 8 KiB), as a fresh
	 * process's later visit had none either (workloads/README.md). */
	int warm_again = r->cfg.keep_workers && rc.warmup > 0 &&
			 strcmp(r->cat.w[cs->wl].family, "mem") == 0;
	spec->warmup = first ? rc.warmup : warm_again ? 1 : 0;
	spec->min_time_ms = (unsigned)rc.min_time_ms;
	spec->cpu = rc.cpu >= 0 ? rc.cpu : rc.cpu == -2 ? NB_RUN_CPU_NONE : -1;
	spec->timeout_ms = (unsigned)rc.timeout_s * 1000u;
	if (ops >= 1)
		spec->ops = (unsigned long long)ops;
	/* The agent keeps the case set up between visits (an agent without workers runs
	 * it afresh: it ignores the field). */
	spec->keep = r->cfg.keep_workers;
	/* Cases of one setup group with the same parameters (mem.bw.*'s four kernels on
	 * the same arrays) share one worker: one setup instead of four (an agent that does
	 * not know keep_group ignores it and keeps one per case). */
	if (spec->keep)
		snprintf(spec->keep_group, sizeof(spec->keep_group), "%s",
			 r->cat.w[cs->wl].setup_group);
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

static int regime(const struct run *r, const cJSON *tier, cJSON *cobj, const double *x, int n);

/* After a visit: NULL (visit again) or why the case stops, from its status, its
 * samples, whether they straddle a regime shift and the campaign's stopping rule. */
static const char *stop_reason(struct run *r, const cJSON *tier, int ci, cJSON *cobj,
			       struct nb_plan_state *st)
{
	enum nb_case_status status = nb_res_case_status(cobj);
	double *x = NULL;
	const char *stop;

	st->n = nb_res_case_values(cobj, &x);
	int straddles = x ? regime(r, tier, cobj, x, st->n) : 0;
	if (status == NB_CASE_SKIPPED)
		stop = NB_STOP_SKIPPED;
	else if (status == NB_CASE_FAILED)
		stop = NB_STOP_FAILED;
	else if (st->n == 0 && st->visits >= 2)
		stop = NB_STOP_FAILED;   /* two visits and not one sample: do not loop forever */
	else
		stop = nb_plan_stop(&r->cfg, nb_config_effective(&r->cfg, r->cases[ci].entry).reps, x,
				    st->n, st->spent_s, straddles);
	free(x);
	return stop;
}

/* A tier while the campaign measures it: its connection, the counting of its VM exits,
 * its cases' states and its visit numbering. */
struct tier_run {
	int t;                     /* index in the campaign */
	cJSON *tier;               /* its object in the result */
	struct nb_tier_conn tc;
	struct nb_exitcount exits;
	struct nb_exitcount *ex;   /* &exits when its parent counts them, else NULL */
	/* count_exits' further counters (e.g. L1 while L3 runs), in the same visits */
	struct nb_exitcount also[NB_CFG_MAX_EXITS_ALSO];
	struct nb_exitcount *ex_also[NB_CFG_MAX_EXITS_ALSO];
	struct nb_plan_state *st;  /* one per case */
	unsigned char *exits_tried; /* per case: its visit to count exits in has run */
	int round;                 /* the next round (restored on resume) */
	int seq;                   /* its visits so far */
	int open;                  /* connected (tc must be closed) */
	int status;                /* 0 measuring or done, 1 interrupted, 2 unusable */
	pid_t vmm_pid;             /* a lab tier: the lab's QEMU on L0; -1 otherwise */
};

/* The interference of a visit: the agent's figures (its reply's "interference"),
 * the lab VMM's CPU use on L0 for lab tiers. */
static void visit_interference(const cJSON *reply, double vmm_pct, double wall_ms,
			       struct nb_res_interference *itf)
{
	const cJSON *o = nb_json_path(reply, "interference");

	itf->vmm_cpu_pct = vmm_pct;
	itf->steal_pct = nb_json_num(o, "steal_pct", NAN);
	itf->other_busy_pct = nb_json_num(o, "other_busy_pct", NAN);
	itf->window_ms = nb_json_num(o, "window_ms", wall_ms);
	itf->unsupported = cJSON_IsObject(o) ? NULL
					     : "the tier's agent reported no interference (an agent "
					       "older than schema 2, or a visit too short to measure "
					       "it: under 10 clock ticks of the tier's CPUs)";
}

/* A run request; an agent still ending a run abandoned by an earlier client (a campaign
 * interrupted and resumed at once) answers busy for a moment: asked again for up to
 * BUSY_RETRY_S. */
#define BUSY_RETRY_S 5.0
static int run_request(struct tier_run *tr, const struct nb_run_spec *spec, cJSON **reply,
		       char err[NB_ERR_LEN])
{
	double until = nb_mono_s() + BUSY_RETRY_S;

	for (;;) {
		int rc = nb_client_run(&tr->tc.client, spec, reply, err);
		if (!rc || !*reply || strcmp(tr->tc.client.code, NB_E_BUSY) || nb_mono_s() > until ||
		    interrupted)
			return rc;
		cJSON_Delete(*reply);
		*reply = NULL;
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

/* The parent counts exits over exactly a run; further counters just outside. */
static void counters_begin(struct tier_run *tr)
{
	for (int k = 0; k < NB_CFG_MAX_EXITS_ALSO; k++)
		nb_exitcount_begin(tr->ex_also[k]);
	nb_exitcount_begin(tr->ex);
}

static void counters_end(struct tier_run *tr)
{
	nb_exitcount_end(tr->ex);
	for (int k = 0; k < NB_CFG_MAX_EXITS_ALSO; k++)
		nb_exitcount_end(tr->ex_also[k]);
}

static void counters_annotate(struct tier_run *tr, const cJSON *reply, cJSON *cobj, int first,
			      int first_visit)
{
	nb_exitcount_annotate(tr->ex, reply, cobj, first, first_visit);
	for (int k = 0; k < NB_CFG_MAX_EXITS_ALSO; k++)
		nb_exitcount_annotate(tr->ex_also[k], reply, cobj, first, first_visit);
}

/* count_exits.visits "own": a case's exits are counted once, in a visit of its own
 * shaped as a later timed visit (`reps` repetitions at the calibrated count, its
 * warm-up), so counting never slows a repetition whose time is kept and the exits per
 * operation carry the same per-visit share (the idle vCPUs' timer and halt exits) as
 * counted timed visits did.  It runs just before the case's second timed visit, when
 * the tier has been idle while the other tiers were visited (right after a visit, the
 * guest is still writing the agent's log to its serial console: hundreds of I/O exits
 * in the lab), or right after the last one when there is no second (may_count).  Its
 * records are not samples: every sample of the case gets its counts (samples[first] on
 * now; any later ones as they come).  -1 when the tier's connection failed (err set). */
static int exits_apart(struct run *r, struct tier_run *tr, int ci, cJSON *cobj, int first, int reps,
		       int may_count)
{
	struct nb_run_spec spec;
	cJSON *reply = NULL;
	char herr[NB_ERR_LEN];
	double t0 = nb_mono_s();
	int rc;

	if (nb_res_case_nsamples(cobj) == first || nb_res_case_copy_exits(cobj, first) == 0)
		return 0;
	if (!tr->ex->connected) {   /* counting unsupported: the samples say why */
		counters_annotate(tr, NULL, cobj, first, 0);
		return 0;
	}
	if (!may_count || tr->exits_tried[ci] || build_spec(r, tr->t, ci, cobj, reps, 0, &spec, herr))
		return 0;
	tr->exits_tried[ci] = 1;
	spec.timeout_ms = nb_plan_visit_timeout_ms(&tr->st[ci], spec.timeout_ms);
	counters_begin(tr);
	rc = run_request(tr, &spec, &reply, herr);
	counters_end(tr);
	r->exit_counting_s += nb_mono_s() - t0;
	if (rc && !reply) {
		snprintf(r->err, NB_ERR_LEN, "tier %s: counting exits of %s: %s",
			 r->cfg.tiers[tr->t].name, r->cases[ci].key, herr);
		return -1;
	}
	r->in_workloads_s += nb_res_reply_process_s(reply);
	/* A fresh process per visit counts its setup too, as a first visit does. */
	counters_annotate(tr, reply, cobj, 0, !r->cfg.keep_workers);
	logf_(r, NB_VERBOSE, "  %-40s exits counted by %s in a visit of their own%s%s",
	      r->cases[ci].key, tr->ex->by, rc ? ": " : "", rc ? herr : "");
	cJSON_Delete(reply);
	return 0;
}

/* One visit: run `reps` repetitions of case ci on the connected tier.  0 = the case
 * moved on (or finished), -1 = the connection failed (err set). */
static int visit(struct run *r, struct tier_run *tr, int ci, int round, int reps)
{
	struct nb_plan_state *st = &tr->st[ci];
	struct nb_run_spec spec;
	struct nb_vmm_meter vmm;
	struct nb_res_interference itf;
	cJSON *cobj = case_obj(r, tr->tier, ci), *reply = NULL;
	char herr[NB_ERR_LEN];
	double t0 = nb_mono_s();
	int first = st->visits == 0 && st->n == 0;
	int nsamples = nb_res_case_nsamples(cobj);
	int seq = ++tr->seq, cseq = ++r->campaign_seq;

	if (build_spec(r, tr->t, ci, cobj, reps, first, &spec, herr)) {
		st->done = 1;
		snprintf(st->stopped_by, sizeof(st->stopped_by), "%s", NB_STOP_FAILED);
		nb_res_case_set_status(cobj, NB_CASE_FAILED);
		nb_res_case_stop(cobj, NB_STOP_FAILED);
		nb_res_case_set_error(cobj, herr);
		r->failed_cases++;
		logf_(r, NB_NORMAL, "  %s: failed: %s", r->cases[ci].key, herr);
		return 0;
	}
	spec.timeout_ms = nb_plan_visit_timeout_ms(st, spec.timeout_ms);
	nb_vmm_meter_begin(&vmm, tr->vmm_pid);
	int timed = tr->ex && tr->ex->timed;  /* else counted in a visit of their own */
	if (tr->ex && !timed && nsamples > 0) {
		if (exits_apart(r, tr, ci, cobj, 0, reps, 1))
			return -1;
		t0 = nb_mono_s();   /* the visit's own time, for its limit and spent_s */
	}
	double xb0 = nb_mono_s();
	if (timed)
		counters_begin(tr);
	double rt0 = nb_mono_s();
	int rc = run_request(tr, &spec, &reply, herr);
	double rt = nb_mono_s() - rt0;
	if (timed) {
		double xt0 = nb_mono_s();
		counters_end(tr);
		r->exit_counting_s += (rt0 - xb0) + (nb_mono_s() - xt0);
	}
	double vmm_pct = nb_vmm_meter_end(&vmm);
	double took = nb_mono_s() - t0;   /* one reading: the total and the longest agree */
	st->spent_s += took;
	st->longest_s = took > st->longest_s ? took : st->longest_s;
	st->visits++;
	if (rc && !reply) {
		snprintf(r->err, NB_ERR_LEN, "tier %s: %s", r->cfg.tiers[tr->t].name, herr);
		return -1;
	}
	r->in_workloads_s += nb_res_reply_process_s(reply);
	nb_res_time_add_visit(&r->time, reply, rt);
	nb_res_time_add_visit(&r->tier_time[tr->t], reply, rt);
	r->in_reps_s += nb_res_case_absorb(cobj, nb_json_path(reply, "records"), st->visits, round, seq);
	visit_interference(reply, vmm_pct, (nb_mono_s() - t0) * 1e3, &itf);
	nb_res_case_mark_visit(cobj, nsamples, cseq, &itf);
	if (timed)
		counters_annotate(tr, reply, cobj, nsamples, first);
	if (rc)
		nb_res_case_fail(cobj, herr);   /* the agent answered with an error (event, timeout, busy ...) */
	else
		judge_exit(cobj, reply);
	cJSON_Delete(reply);

	const char *stop = stop_reason(r, tr->tier, ci, cobj, st);
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
	if (tr->ex && !timed && exits_apart(r, tr, ci, cobj, nsamples, reps, st->done))
		return -1;
	return 0;
}

/* ---- the canary ------------------------------------------------------------------- */

/* Short, fixed and the same on every tier and round (no calibration: a fixed op
 * count), so a change of the machine's state shows as a change of its value. */
static const struct {
	const char *label;         /* the canary's name in the result file */
	const char *workload;
	const char *param;         /* one "key=value", or NULL */
	unsigned long long ops;
} canary_wl[] = {
	{ "cpu.int", "cpu.int", NULL, 1000000 },
	{ "exit.cpuid", "exit.cpuid", NULL, 500 },
	/* The last-level cache: a neighbour outside the guest that thrashes it makes every
	 * memory-bound case slower (mem.lat 4M went from 14 to 123 ns/load between two runs
	 * of make bench-gate), which the CPU canaries do not see. */
	{ "mem.lat size=4M", "mem.lat", "size=4M", 200000 },
};
#define CANARY_REPS 3

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median ns/op of a run reply's measured repetitions, which are left in v[*n] in
 * the order measured; NaN when none. */
static double canary_median(const cJSON *reply, double v[64], int *n)
{
	const cJSON *rec;
	double s[64];

	*n = 0;
	cJSON_ArrayForEach(rec, nb_json_path(reply, "records")) {
		const char *type = nb_json_str(rec, NB_REC_TYPE_KEY, NULL);
		if (type && strcmp(type, NB_RECTYPE_REP) == 0 && !nb_json_true(rec, "warmup") && *n < 64)
			v[(*n)++] = nb_json_num(rec, "ns_per_op", NAN);
	}
	if (*n == 0)
		return NAN;
	memcpy(s, v, (size_t)*n * sizeof(v[0]));
	qsort(s, (size_t)*n, sizeof(s[0]), cmp_double);
	return *n % 2 ? s[*n / 2] : (s[*n / 2 - 1] + s[*n / 2]) / 2;
}

/* The round's canary on a tier: tiers[].canary entries.  -1 when the connection
 * failed (err set); a canary the tier cannot run is left out. */
static int canary(struct run *r, struct tier_run *tr, int round)
{
	struct nb_run_cfg rc = r->cfg.defaults;

	for (size_t i = 0; r->cfg.canary && i < sizeof(canary_wl) / sizeof(canary_wl[0]); i++) {
		struct nb_run_spec spec;
		cJSON *reply = NULL;
		char herr[NB_ERR_LEN];
		double t0 = nb_mono_s();
		int n;

		nb_run_spec_init(&spec);
		snprintf(spec.sha256, sizeof(spec.sha256), "%s", r->cat.sha256);
		snprintf(spec.workload, sizeof(spec.workload), "%s", canary_wl[i].workload);
		if (canary_wl[i].param)
			snprintf(spec.params[spec.nparams++], sizeof(spec.params[0]), "%s",
				 canary_wl[i].param);
		spec.reps = CANARY_REPS;
		spec.warmup = 1;
		spec.ops = canary_wl[i].ops;
		spec.keep = r->cfg.keep_workers;
		spec.cpu = rc.cpu >= 0 ? rc.cpu : rc.cpu == -2 ? NB_RUN_CPU_NONE : -1;
		spec.timeout_ms = (unsigned)rc.timeout_s * 1000u;
		int err = nb_client_run(&tr->tc.client, &spec, &reply, herr);
		r->canary_s += nb_mono_s() - t0;
		if (err && !reply) {
			snprintf(r->err, NB_ERR_LEN, "tier %s: canary %s: %s", r->cfg.tiers[tr->t].name,
				 canary_wl[i].label, herr);
			return -1;
		}
		double v[64], med = canary_median(reply, v, &n);
		cJSON_Delete(reply);
		if (err || n == 0) {
			logf_(r, NB_VERBOSE, "  canary %s on %s: %s", canary_wl[i].label,
			      r->cfg.tiers[tr->t].name, err ? herr : "no repetition measured");
			continue;
		}
		struct nb_res_canary c = { round, ++r->campaign_seq, canary_wl[i].label, "ns/op",
					   med, n, v };
		nb_res_tier_add_canary(tr->tier, &c);
	}
	return 0;
}

/* Whether the case's samples x[n] straddle a regime shift (plan.h): their own, or the
 * tier's canary between two of them.  Recorded in the case ("regime"), so that the
 * table can say why an adaptive case did not stop at its target. */
static int regime(const struct run *r, const cJSON *tier, cJSON *cobj, const double *x, int n)
{
	enum { K = sizeof(canary_wl) / sizeof(canary_wl[0]) };
	double *cv[K] = { 0 };
	int *cs[K] = { 0 }, cm[K] = { 0 }, m, *s = NULL;
	const char *cw[K];
	const cJSON *e, *arr = nb_res_tier_canary(tier, &m);
	struct nb_plan_regime reg = { 0 };

	for (int i = 0; i < K; i++) {
		cw[i] = canary_wl[i].label;
		cv[i] = malloc((size_t)(m ? m : 1) * sizeof(double));
		cs[i] = malloc((size_t)(m ? m : 1) * sizeof(int));
	}
	cJSON_ArrayForEach(e, arr) {
		struct nb_res_canary_view v;
		nb_res_canary_read(e, &v);
		for (int i = 0; i < K && v.workload; i++)
			if (cv[i] && cs[i] && strcmp(v.workload, cw[i]) == 0 && isfinite(v.value)) {
				cv[i][cm[i]] = v.value;
				cs[i][cm[i]++] = v.campaign_seq;
			}
	}
	if (nb_res_case_seqs(cobj, &s) == n && s)
		nb_plan_regime(x, s, n, (const double *const *)cv, (const int *const *)cs, cm, cw,
			       K, r->seed, &reg);
	else
		nb_plan_regime(x, NULL, n, NULL, NULL, NULL, NULL, 0, r->seed, &reg);
	nb_res_case_set_regime(cobj, reg.straddles ? reg.source : NULL, reg.workload, reg.rel,
			       reg.p, reg.at_seq);
	for (int i = 0; i < K; i++) {
		free(cv[i]);
		free(cs[i]);
	}
	free(s);
	return reg.straddles;
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
		st[i].longest_s = p.spent_s;   /* unknown: their total bounds the longest */
		/* Visit and round numbers continue, so (key, visit, rep) stays unique. */
		st[i].visits = p.max_visit;
		if (p.max_round + 1 > *next_round)
			*next_round = p.max_round + 1;
		if (p.max_seq > *next_seq)
			*next_seq = p.max_seq;
		if (p.max_campaign_seq > r->campaign_seq)
			r->campaign_seq = p.max_campaign_seq;
		if (p.status == NB_CASE_DONE || p.status == NB_CASE_SKIPPED || p.status == NB_CASE_FAILED) {
			st[i].done = 1;
			snprintf(st[i].stopped_by, sizeof(st[i].stopped_by), "%s", nb_case_status_name(p.status));
		}
	}
	if (nb_res_tier_canary_max_seq(tier) > r->campaign_seq)
		r->campaign_seq = nb_res_tier_canary_max_seq(tier);
}

static int deploy(struct run *r, int t, struct nb_tier_conn *tc, cJSON *tier)
{
	char sha[65], herr[NB_ERR_LEN];

	if (nb_client_put_file(&tc->client, r->cat.work_path, "nestbench-work", sha, NULL, herr)) {
		snprintf(r->err, NB_ERR_LEN, "tier %s: cannot deploy %s: %s", r->cfg.tiers[t].name,
			 r->cat.work_path, herr);
		return -1;
	}
	if (strcmp(sha, r->cat.sha256) != 0) {
		snprintf(r->err, NB_ERR_LEN, "tier %s stored %s with sha256 %s, expected %s",
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

static int is_lab_tier(const struct nb_tier_cfg *t)
{
	return strncmp(t->address, "lab:", 4) == 0;
}

/* Where the tier's case states and numbering live, from a resumed document. */
static int tier_prepare(struct run *r, struct tier_run *tr, int t)
{
	const struct nb_tier_cfg *cfg = &r->cfg.tiers[t];
	struct nb_res_tier_id id = { cfg->level, cfg->hypervisor, cfg->address, cfg->via };

	memset(tr, 0, sizeof(*tr));
	tr->t = t;
	tr->vmm_pid = -1;
	tr->tier = nb_res_tier(r->doc, cfg->name, 1);
	tr->exits_tried = calloc((size_t)r->ncases + 1, 1);
	if (!(tr->st = calloc((size_t)r->ncases, sizeof(*tr->st))) || !tr->exits_tried) {
		snprintf(r->err, NB_ERR_LEN, "out of memory");
		tr->status = 2;
		return -1;
	}
	nb_res_tier_begin(tr->tier, &id);
	restore_state(r, tr->tier, tr->st, &tr->round, &tr->seq);
	return 0;
}

/* Connect, describe and deploy: 0, or -1 with the tier's status set (and r->err). */
static int tier_open(struct run *r, struct tier_run *tr)
{
	const struct nb_tier_cfg *cfg = &r->cfg.tiers[tr->t];
	struct nb_tier_env env = { r->o->agent_path, r->o->state_dir, r->o->lab_dir };
	char herr[NB_ERR_LEN];

	logf_(r, NB_NORMAL, "tier %s (level %d): connecting to %s%s%s", cfg->name, cfg->level,
	      cfg->address, cfg->via[0] ? " via " : "", cfg->via);
	if (nb_tier_connect(&r->cfg, tr->t, &env, &tr->tc, herr)) {
		snprintf(r->err, NB_ERR_LEN, "%s", herr);
		nb_res_tier_set_status(tr->tier, NB_TIER_UNREACHABLE, herr);
		tr->status = 2;
		return -1;
	}
	tr->open = 1;
	nb_res_tier_set_reached(tr->tier, tr->tc.reached);
	tr->tc.client.conn.stop = &interrupted;   /* Ctrl-C ends a long wait at once */
	if (nb_env_capture(&tr->tc, tr->tier, herr))
		logf_(r, NB_NORMAL, "tier %s: environment incomplete: %s", cfg->name, herr);
	logf_(r, NB_NORMAL, "tier %s: %s", cfg->name, nb_res_tier_nature(tr->tier));
	if (nb_res_tier_warning(tr->tier))   /* a label the evidence contradicts: even with -q */
		logf_(r, NB_QUIET, "WARNING: tier %s: %s", cfg->name, nb_res_tier_warning(tr->tier));
	if (deploy(r, tr->t, &tr->tc, tr->tier)) {
		nb_res_tier_set_status(tr->tier, NB_TIER_FAILED, r->err);
		tr->status = 2;
		return -1;
	}
	nb_res_tier_set_status(tr->tier, NB_TIER_RUNNING, NULL);
	double xt0 = nb_mono_s();
	tr->ex = nb_exitcount_open(&tr->exits, &r->cfg, tr->t, 0, &env, tr->tier);
	if (tr->ex)
		logf_(r, NB_NORMAL, "tier %s: exits counted by tier %s: %s", cfg->name, tr->exits.by,
		      tr->exits.unsupported[0] ? tr->exits.unsupported : tr->exits.conn.reached);
	for (int k = 0; k < NB_CFG_MAX_EXITS_ALSO; k++) {
		struct nb_exitcount *x = &tr->also[k];
		if (!(tr->ex_also[k] = nb_exitcount_open(x, &r->cfg, tr->t, k + 1, &env, tr->tier)))
			continue;
		logf_(r, NB_NORMAL, "tier %s: exits also counted by tier %s: %s", cfg->name, x->by,
		      x->unsupported[0] ? x->unsupported : x->conn.reached);
	}
	r->exit_counting_s += nb_mono_s() - xt0;
	if (is_lab_tier(cfg))
		tr->vmm_pid = nb_lab_vmm_pid(r->o->lab_dir);
	nb_res_tier_started(tr->tier);
	for (int i = 0; i < r->ncases; i++)
		case_obj(r, tr->tier, i);
	save(r, 1);
	return 0;
}

/* A visit failed to come back: the tier stops (interrupted, or failed). */
static void tier_broke(struct run *r, struct tier_run *tr)
{
	if (interrupted) {
		tr->status = 1;   /* the visit was cut short: nothing to record */
		nb_res_tier_set_status(tr->tier, NB_TIER_INTERRUPTED, NULL);
	} else {
		nb_res_tier_set_status(tr->tier, NB_TIER_FAILED, r->err);
		tr->status = 2;
	}
}

/* One visit of case ci within a round, with the progress line and a periodic save.
 * 0, or -1 when the tier stopped (its status says why) or the file cannot be written. */
static int tier_visit(struct run *r, struct tier_run *tr, int ci, int round, const char *what,
		      long left)
{
	int reps = nb_plan_visit_reps(&r->cfg, nb_config_effective(&r->cfg, r->cases[ci].entry).reps,
				      &tr->st[ci]);

	nb_progress_visit(&r->prog, what, round, left);
	if (visit(r, tr, ci, round, reps)) {
		tier_broke(r, tr);
		return -1;
	}
	logf_(r, NB_VERBOSE, "  visit %-40s round %d: %d samples", r->cases[ci].key, round,
	      tr->st[ci].n);
	if (save(r, 0)) {
		tr->status = 2;
		return -1;
	}
	return 0;
}

/* The round's canary on a tier; -1 when the tier stopped. */
static int tier_canary(struct run *r, struct tier_run *tr, int round)
{
	if (canary(r, tr, round)) {
		tier_broke(r, tr);
		return -1;
	}
	return 0;
}

/* The tier's final status, its connection closed, its memory freed. */
static void tier_end(struct run *r, struct tier_run *tr)
{
	if (tr->open && tr->status == 0 && !interrupted) {
		nb_res_tier_set_status(tr->tier, NB_TIER_DONE, NULL);
		nb_res_tier_finished(tr->tier);
	} else if (tr->open && tr->status != 2) {
		tr->status = 1;
		nb_res_tier_set_status(tr->tier, NB_TIER_INTERRUPTED, NULL);
	}
	nb_progress_clear(&r->prog);
	if (tr->open) {
		double xt0 = nb_mono_s();
		nb_exitcount_close(tr->ex, interrupted != 0);
		for (int k = 0; k < NB_CFG_MAX_EXITS_ALSO; k++)
			nb_exitcount_close(tr->ex_also[k], interrupted != 0);
		r->exit_counting_s += nb_mono_s() - xt0;
		if (interrupted)
			nb_tier_abort(&tr->tc);
		else
			nb_tier_close(&tr->tc);
	}
	tr->ex = NULL;
	memset(tr->ex_also, 0, sizeof(tr->ex_also));
	tr->open = 0;
	free(tr->st);
	tr->st = NULL;
	free(tr->exits_tried);
	tr->exits_tried = NULL;
}

/* Measure every case on one tier, round by round.  0 = done, 1 = interrupted, 2 =
 * tier unusable. */
static int run_tier(struct run *r, int t)
{
	struct tier_run tr = { .t = t };
	int *order = calloc((size_t)r->ncases, sizeof(int));
	struct nb_rng rng;

	if (!order || tier_prepare(r, &tr, t) || tier_open(r, &tr)) {
		if (!order)
			snprintf(r->err, NB_ERR_LEN, "out of memory");
		tier_end(r, &tr);
		free(order);
		return 2;
	}
	nb_progress_tier(&r->prog, r->cfg.tiers[t].name, visits_left(r, tr.st));
	while (!tr.status && !interrupted) {
		/* One stream per tier and round: resuming, or adding a tier, reproduces
		 * exactly the orders an uninterrupted campaign would have used. */
		char key[NB_CFG_NAME + 16];
		snprintf(key, sizeof(key), "%s/%d", r->cfg.tiers[t].name, tr.round);
		nb_rng_seed_key(&rng, r->seed, key);
		int k = nb_plan_round(&rng, tr.st, r->ncases, r->cfg.order.interleave, order);
		if (k == 0 || tier_canary(r, &tr, tr.round))
			break;
		for (int j = 0; j < k && !interrupted; j++)
			if (tier_visit(r, &tr, order[j], tr.round, r->cases[order[j]].key,
				       visits_left(r, tr.st)))
				break;
		tr.round++;
	}
	tier_end(r, &tr);
	free(order);
	return tr.status;
}

/* ---- all tiers at once -------------------------------------------------------------- */

/* Visits left over the tiers still measuring, for the progress line. */
static long all_visits_left(struct run *r, const struct tier_run *tr, int n)
{
	long left = 0;

	for (int k = 0; k < n; k++)
		if (tr[k].open && tr[k].status == 0)
			left += visits_left(r, tr[k].st);
	return left;
}

/* A tier stopped while the others go on: say why now.  Returns 2 (the run's status). */
static int tier_failed(struct run *r, struct tier_run *tr)
{
	(void)tr;
	logf_(r, NB_QUIET, "nestbench: %s", r->err);
	r->failed_tiers++;
	return 2;
}

/* Before measuring a campaign with lab tiers: wait until the lab's QEMU on L0 is quiet
 * (its guests done booting, no leftover work), and record the wait. */
static void quiet_wait(struct run *r)
{
	struct nb_res_quiet_wait q = { 0 };
	char target[96];
	int lab = 0;
	pid_t pid;

	for (int t = 0; t < r->cfg.ntiers; t++)
		lab |= is_lab_tier(&r->cfg.tiers[t]);
	if (!lab || !r->cfg.quiet.enabled || interrupted)
		return;
	pid = nb_lab_vmm_pid(r->o->lab_dir);
	snprintf(target, sizeof(target), "lab QEMU pid %d on L0", (int)pid);
	q.target = target;
	if (pid <= 0) {
		q = (struct nb_res_quiet_wait){ "lab QEMU on L0", r->cfg.quiet.threshold_pct,
						r->cfg.quiet.window_s, r->cfg.quiet.timeout_s, 0, NAN, 0,
						"no running lab QEMU was found in the lab's state" };
		nb_res_set_quiet_wait(r->doc, &q);
		return;
	}
	logf_(r, NB_NORMAL, "waiting until the lab's QEMU (pid %d) uses less than %.0f %% of one CPU "
	      "over %.0f s (at most %.0f s)", (int)pid, r->cfg.quiet.threshold_pct,
	      r->cfg.quiet.window_s, r->cfg.quiet.timeout_s);
	nb_quiet_wait(pid, &r->cfg.quiet, &interrupted, &q);
	r->quiet_wait_s += q.waited_s;
	nb_res_set_quiet_wait(r->doc, &q);
	if (q.quiet)
		logf_(r, NB_NORMAL, "lab quiet after %.1f s (QEMU at %.1f %% of one CPU)", q.waited_s,
		      q.last_pct);
	else if (!interrupted)
		logf_(r, NB_NORMAL, "lab still busy after %.1f s (QEMU at %.1f %% of one CPU, threshold "
		      "%.0f %%): measuring anyway; see quiet_wait in the result file", q.waited_s,
		      q.last_pct, r->cfg.quiet.threshold_pct);
}

/* Every tier connected for the whole campaign; each round visits each case on every
 * tier in turn (nb_plan_round_tiers), so slow drift of the host affects all tiers
 * alike.  A tier that fails stops alone.  Returns 2 when a tier failed, else 0. */
static int run_interleaved(struct run *r, int *selected, int nsel)
{
	struct tier_run *tr = calloc((size_t)(nsel > 0 ? nsel : 1), sizeof(*tr));
	struct nb_plan_visit *plan = calloc((size_t)(nsel * r->ncases + 1), sizeof(*plan));
	const struct nb_plan_state *st[NB_CFG_MAX_TIERS];
	int idx[NB_CFG_MAX_TIERS], slot[NB_CFG_MAX_TIERS], round = 0, status = 0;

	if (!tr || !plan) {
		snprintf(r->err, NB_ERR_LEN, "out of memory");
		free(tr);
		free(plan);
		return 2;
	}
	for (int k = 0; k < nsel && !interrupted; k++) {
		if (tier_prepare(r, &tr[k], selected[k]) == 0 && tier_open(r, &tr[k]) == 0) {
			if (tr[k].round > round)
				round = tr[k].round;
			continue;
		}
		logf_(r, NB_QUIET, "nestbench: %s", r->err);
		r->failed_tiers++;
		status = 2;
	}
	quiet_wait(r);
	nb_progress_tier(&r->prog, "all tiers", all_visits_left(r, tr, nsel));
	while (!interrupted) {
		int n = 0;
		for (int k = 0; k < nsel; k++)
			if (tr[k].open && tr[k].status == 0) {
				idx[n] = tr[k].t;
				st[n] = tr[k].st;
				slot[tr[k].t] = k;
				n++;
			}
		int nv = n ? nb_plan_round_tiers(r->seed, round, idx, st, n, r->ncases, plan) : 0;
		if (nv == 0)
			break;
		for (int k = 0; k < nsel && !interrupted; k++)
			if (tr[k].open && tr[k].status == 0 && tier_canary(r, &tr[k], round) && !interrupted)
				status = tier_failed(r, &tr[k]);
		for (int j = 0; j < nv && !interrupted; j++) {
			struct tier_run *t = &tr[slot[plan[j].tier]];
			char what[NB_CFG_NAME + NB_CASE_KEY + 2];
			if (t->status)
				continue;
			snprintf(what, sizeof(what), "%s %s", r->cfg.tiers[t->t].name, r->cases[plan[j].ci].key);
			if (tier_visit(r, t, plan[j].ci, round, what, all_visits_left(r, tr, nsel)) &&
			    !interrupted)
				status = tier_failed(r, t);
		}
		round++;
	}
	for (int k = 0; k < nsel; k++)
		tier_end(r, &tr[k]);
	free(tr);
	free(plan);
	return status;
}

/* ---- the campaign ------------------------------------------------------------------- */

/* The tiers this invocation measures: not done yet, and among those --tier names. */
static int select_tiers(struct run *r, int *sel)
{
	int n = 0;

	for (int t = 0; t < r->cfg.ntiers; t++) {
		cJSON *tier = nb_res_tier(r->doc, r->cfg.tiers[t].name, 0);
		if (nb_res_tier_status(tier) == NB_TIER_DONE ||
		    !nb_tier_selected(r->o->only_tier, r->cfg.tiers[t].name))
			continue;
		sel[n++] = t;
	}
	return n;
}

/* Tiers whose connections start at the same serial port cannot stay connected together:
 * a virtio-serial port carries one session at a time (the lab's L1 without vsock, which
 * L2's relay goes through too).  1 with why, else 0. */
static int serial_conflict(struct run *r, const int *sel, int n, char *why, size_t len)
{
	struct nb_tier_env env = { r->o->agent_path, r->o->state_dir, r->o->lab_dir };
	char root[NB_CFG_MAX_TIERS][NB_CFG_TEXT + PATH_MAX], herr[NB_ERR_LEN];

	for (int k = 0; k < n; k++) {
		if (nb_tier_root_address(&r->cfg, sel[k], &env, root[k], sizeof(root[k]), herr))
			root[k][0] = '\0';   /* the tier will say so when it connects */
		for (int j = 0; j < k; j++)
			if (strncmp(root[k], "serial:", 7) == 0 && strcmp(root[k], root[j]) == 0) {
				snprintf(why, len, "tiers %s and %s are both reached through %s, a "
					 "virtio-serial port that carries one session at a time, so they "
					 "cannot stay connected together (with vsock they could: "
					 "/dev/vhost-vsock on L0)", r->cfg.tiers[sel[j]].name,
					 r->cfg.tiers[sel[k]].name, root[k]);
				return 1;
			}
	}
	return 0;
}

/* Every selected tier, interleaved or one after the other.  2 when a tier could not be
 * measured or the file not written, else 0. */
static int measure(struct run *r)
{
	int sel[NB_CFG_MAX_TIERS], n = select_tiers(r, sel), status = 0;
	char why[1024];

	if (r->interleaved && serial_conflict(r, sel, n, why, sizeof(why))) {
		logf_(r, NB_NORMAL, "tiers measured one after another, not interleaved: %s", why);
		r->interleaved = 0;
		nb_res_set_order(r->doc, NB_ORDER_BY_TIER, (double)r->seed, why);
	} else {
		nb_res_set_order(r->doc, r->interleaved ? NB_ORDER_INTERLEAVED : NB_ORDER_BY_TIER,
				 (double)r->seed, NULL);
	}
	if (r->interleaved) {
		status = run_interleaved(r, sel, n);
		if (save(r, 1))
			status = 2;
		return status;
	}
	quiet_wait(r);
	for (int k = 0; k < n && !interrupted; k++) {
		if (run_tier(r, sel[k]) == 2) {
			logf_(r, NB_QUIET, "nestbench: %s", r->err);
			r->failed_tiers++;
			status = 2;
		}
		if (save(r, 1))
			status = 2;
	}
	return status;
}

static int load_config(struct run *r)
{
	char cerr[NB_ERR_LEN];

	if (r->o->resume_path) {
		struct nb_res_head h;

		nb_res_head_read(r->doc, &h);
		if (!h.config_text || !h.has_seed) {
			snprintf(r->err, NB_ERR_LEN, "%s has no campaign configuration to resume", r->o->resume_path);
			return -1;
		}
		if (nb_config_parse(h.config_text, strlen(h.config_text),
				    h.config_path ? h.config_path : "(resumed)", &r->cfg, cerr)) {
			snprintf(r->err, NB_ERR_LEN, "%s", cerr);
			return -1;
		}
		r->seed = (uint64_t)h.seed;
		return 0;
	}
	if (nb_config_load(r->o->config_path, &r->cfg, cerr)) {
		snprintf(r->err, NB_ERR_LEN, "%s", cerr);
		return -1;
	}
	r->seed = r->cfg.order.seed_given ? r->cfg.order.seed
					  : (((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid()) & ((1ull << 53) - 1);
	return 0;
}

/* Version 1 files have no campaign-wide visit numbers: continuing one would mix
 * numbered and unnumbered visits in one file. */
static int check_resume_version(struct run *r)
{
	struct nb_res_head h;

	nb_res_head_read(r->doc, &h);
	if (h.schema_version != NB_RESULT_VERSION) {
		snprintf(r->err, NB_ERR_LEN, "%s has schema version %d, written by an older nestbench: "
					  "--resume continues only version %d files (start a new campaign "
					  "with `nestbench run %s`; the old file still reads with "
					  "`nestbench table`)", r->o->resume_path, h.schema_version,
			 NB_RESULT_VERSION, h.config_path ? h.config_path : "CONFIG");
		return -1;
	}
	return 0;
}

static int check_resume_binary(struct run *r)
{
	struct nb_res_head h;
	const char *sha;

	nb_res_head_read(r->doc, &h);
	sha = h.work_sha256;
	if (sha && strcmp(sha, r->cat.sha256) != 0) {
		snprintf(r->err, NB_ERR_LEN, "%s was measured with nestbench-work %.12s..., but %s is %.12s...: "
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

/* Where the wall time went (last_run_timing.split), in one line. */
static void log_split(struct run *r, double wall_s)
{
	const struct nb_res_time *v = &r->time;
	double rest = wall_s - v->measure_s - v->warmup_s - v->setup_s - v->process_s -
		      v->transport_s - r->canary_s - r->quiet_wait_s - r->exit_counting_s;
	char xc[64] = "";

	if (wall_s <= 0)
		return;
	if (r->exit_counting_s > 0)
		snprintf(xc, sizeof(xc), ", exit counting %.1f s", r->exit_counting_s);
	logf_(r, NB_NORMAL, "time: measured %.1f s (%.0f %%), warm-up %.1f s, workload setup %.1f s, "
	      "process starts and the rest of the workload processes %.1f s, transport %.1f s, "
	      "canary %.1f s, quiet wait %.1f s%s, harness %.1f s", v->measure_s,
	      100 * v->measure_s / wall_s, v->warmup_s, v->setup_s, v->process_s, v->transport_s,
	      r->canary_s, r->quiet_wait_s, xc, rest > 0 ? rest : 0);
}

static void finish_doc(struct run *r, enum nb_run_status status, double wall_s)
{
	const char *names[NB_CFG_MAX_TIERS];
	struct nb_res_timing t = { .wall_s = wall_s, .in_workload_processes_s = r->in_workloads_s,
				   .in_measured_reps_s = r->in_reps_s, .canary_s = r->canary_s,
				   .quiet_wait_s = r->quiet_wait_s, .exit_counting_s = r->exit_counting_s,
				   .visits = r->time, .tier_names = names, .tiers = r->tier_time,
				   .ntiers = r->cfg.ntiers };

	for (int i = 0; i < r->cfg.ntiers; i++)
		names[i] = r->cfg.tiers[i].name;
	nb_res_finish(r->doc, status, &t);
}

int nb_campaign_run(struct nb_campaign_opts *o, char err[NB_ERR_LEN])
{
	struct run r;
	struct sigaction sa;
	char cerr[NB_ERR_LEN];
	int status = 0;
	double t0 = nb_mono_s();

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.err = err;
	interrupted = 0;
	if (o->resume_path) {
		if (!(r.doc = nb_result_load(o->resume_path, cerr))) {
			snprintf(err, NB_ERR_LEN, "%s", cerr);
			return 2;
		}
		snprintf(o->result_path, sizeof(o->result_path), "%s", o->resume_path);
	}
	if (o->resume_path && check_resume_version(&r)) {
		status = 2;
		goto out;
	}
	if (load_config(&r)) {
		status = 2;
		goto out;
	}
	r.interleaved = nb_config_interleaved(&r.cfg);
	if (nb_catalog_load(&r.cat, o->work_path, cerr)) {
		snprintf(err, NB_ERR_LEN, "%s", cerr);
		status = 2;
		goto out;
	}
	if (o->resume_path && check_resume_binary(&r)) {
		status = 2;
		goto out;
	}
	if (nb_catalog_expand(&r.cat, &r.cfg, &r.cases, &r.ncases, cerr)) {
		snprintf(err, NB_ERR_LEN, "%s", cerr);
		status = 2;
		goto out;
	}
	if (nb_overrides_apply(o, &r.cfg, o->resume_path ? r.doc : NULL, err)) {
		status = 2;
		goto out;
	}
	if (!o->resume_path) {
		if (!o->out_path)
			nb_mkdirs(o->out_dir ? o->out_dir : "results");
		result_path_new(&r);
		r.doc = new_doc(&r);
		nb_overrides_record(o, r.doc);
	}
	if (save(&r, 1)) {
		status = 2;
		goto out;
	}
	logf_(&r, NB_NORMAL, "campaign %s: %d tiers (%s), %d cases, seed %llu, results in %s",
	      r.cfg.name, r.cfg.ntiers, r.interleaved ? "interleaved" : "one after the other",
	      r.ncases, (unsigned long long)r.seed, o->result_path);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;   /* no SA_RESTART: a blocked read returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);   /* a closed terminal saves like Ctrl-C */
	nb_progress_init(&r.prog, o->progress, o->log);
	if (measure(&r))
		status = 2;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (interrupted) {
		finish_doc(&r, NB_RUN_INTERRUPTED, nb_mono_s() - t0);
		snprintf(err, NB_ERR_LEN, "interrupted: what was measured is in %s; continue with "
				       "`nestbench run --resume %s`", o->result_path, o->result_path);
		status = 130;
	} else {
		finish_doc(&r, status || !all_tiers_done(&r) ? NB_RUN_PARTIAL : NB_RUN_COMPLETE, nb_mono_s() - t0);
		if (r.failed_tiers)
			snprintf(err, NB_ERR_LEN, "%d tier%s could not be measured (see above); what was "
					       "measured is in %s", r.failed_tiers, r.failed_tiers > 1 ? "s" : "",
				 o->result_path);
		else if (r.failed_cases) {
			snprintf(err, NB_ERR_LEN, "%d case%s failed (see \"error\" in %s)", r.failed_cases,
				 r.failed_cases > 1 ? "s" : "", o->result_path);
			status = 1;
		}
	}
	if (save(&r, 1))
		status = 2;   /* err now names the write that failed: that comes first */
	logf_(&r, NB_NORMAL, "results: %s (harness overhead %.1f %% of %.1f s)", o->result_path,
	      100.0 * (nb_mono_s() - t0 - r.in_workloads_s - r.canary_s) / (nb_mono_s() - t0),
	      nb_mono_s() - t0);
	log_split(&r, nb_mono_s() - t0);
out:
	cJSON_Delete(r.doc);
	free(r.cases);
	nb_catalog_free(&r.cat);
	nb_config_free(&r.cfg);
	return status;
}
