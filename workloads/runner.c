/* runner.c - the measurement loop shared by every workload.
 *
 * Per case (one value of a swept parameter): setup, calibrate the op count so a run
 * lasts min_time (calibration runs double as warm-up), then `warmup` discarded and
 * `reps` measured repetitions with that same op count, one record each.  `serve`
 * (serve.c) uses the same pieces: a session, one case opened once, many batches. */
#include "runner.h"
#include "../common/err.h"
#include "cpuinfo.h"
#include "meter.h"
#include "params.h"
#include "record.h"
#include "../common/records.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one piece of global state: a signal handler can reach nothing else, and it must
 * remove the active run's scratch files on SIGINT/SIGTERM. */
static struct nb_ctx *volatile active_ctx;

/* ---- services for workloads ------------------------------------------------------ */

static int param_index(const struct nb_ctx *c, const char *name)
{
	for (int i = 0; i < NB_MAX_PARAMS && c->w->params && c->w->params[i].name; i++)
		if (strcmp(c->w->params[i].name, name) == 0)
			return i;
	return -1;
}

uint64_t nb_param_u(const struct nb_ctx *c, const char *name)
{
	int i = param_index(c, name);

	return i < 0 ? 0 : c->params[i].u;
}

const char *nb_param_s(const struct nb_ctx *c, const char *name)
{
	int i = param_index(c, name);

	return i < 0 ? "" : c->params[i].s;
}

int nb_param_is_set(const struct nb_ctx *c, const char *name)
{
	int i = param_index(c, name);

	return i >= 0 && c->params[i].set;
}

void nb_extra(struct nb_ctx *c, const char *key, double value)
{
	for (int i = 0; i < c->nextras; i++) {
		if (strcmp(c->extras[i].key, key) == 0) {
			c->extras[i].value = value;
			return;
		}
	}
	if (c->nextras < NB_MAX_EXTRAS)
		c->extras[c->nextras++] = (struct nb_extra){ key, value };
}

void nb_note(struct nb_ctx *c, const char *fmt, ...)
{
	size_t used = strlen(c->notes);
	va_list ap;

	if (used && used + 2 < sizeof(c->notes)) {
		strcat(c->notes, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(c->notes + used, sizeof(c->notes) - used, fmt, ap);
	va_end(ap);
}

int nb_fail(struct nb_ctx *c, int user, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->err_is_user = user;
	return -1;
}

int nb_tmpfile_add(struct nb_ctx *c, const char *path)
{
	if (c->ntmpfiles >= NB_MAX_TMPFILES || strlen(path) >= sizeof(c->tmpfiles[0]))
		return -1;
	strcpy(c->tmpfiles[c->ntmpfiles], path);
	return c->ntmpfiles++;
}

void nb_tmpfile_remove_all(struct nb_ctx *c)
{
	for (int i = 0; i < c->ntmpfiles; i++)
		unlink(c->tmpfiles[i]);
	c->ntmpfiles = 0;
}

static void on_signal(int sig)
{
	struct nb_ctx *c = active_ctx;

	if (c)
		for (int i = 0; i < c->ntmpfiles; i++)
			unlink(c->tmpfiles[i]);  /* async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- CPU pinning ------------------------------------------------------------------ */

static void allowed_list(const cpu_set_t *set, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, set))
			continue;
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%d", used ? "," : "", i);
	}
}

int nb_pin_cpu(int cpu, char err[NB_ERR_LEN])
{
	cpu_set_t allowed, one;
	char list[256];

	if (sched_getaffinity(0, sizeof(allowed), &allowed)) {
		return nb_err(err, "sched_getaffinity: %s", strerror(errno));
	}
	if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed)) {
		allowed_list(&allowed, list, sizeof(list));
		return nb_err(err, "CPU %d does not exist or is not available here (allowed: %s)",
			 cpu, list);
	}
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one)) {
		return nb_err(err, "cannot pin to CPU %d: sched_setaffinity: %s", cpu, strerror(errno));
	}
	return 0;
}

int nb_other_cpu(const struct nb_ctx *c, int not)
{
	for (int i = 0; i < c->nallowed; i++)
		if (c->allowed_cpus[i] != not)
			return c->allowed_cpus[i];
	return -1;
}

/* Record the CPUs the process may use before pinning narrows the mask. */
static void save_allowed(struct nb_ctx *c)
{
	cpu_set_t set;

	c->nallowed = 0;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (int i = 0; i < CPU_SETSIZE && c->nallowed < NB_MAX_CPUS; i++)
		if (CPU_ISSET(i, &set))
			c->allowed_cpus[c->nallowed++] = i;
}

/* ---- measurement ------------------------------------------------------------------ */

double nb_primary_value(const struct nb_workload *w, uint64_t ops, uint64_t ns, uint64_t bytes)
{
	if (ns == 0 || ops == 0)
		return NAN;
	switch (w->metric) {
	case NB_METRIC_NS_PER_OP:
		return (double)ns / (double)ops;
	case NB_METRIC_MB_PER_S:
		return (double)bytes * 1e3 / (double)ns;
	case NB_METRIC_OPS_PER_S:
		return (double)ops * 1e9 / (double)ns;
	}
	return NAN;
}

static int run_once(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	*bytes = 0;
	c->nextras = 0;
	nb_meter_reset(c);
	if (c->w->run(c, ops, bytes))
		return -1;
	nb_meter_stop(c);  /* harmless if the workload already stopped it */
	nb_meter_read_events(c);
	return 0;
}

/* nb_calibrate, also giving the last run's bytes: that run, at the chosen op count,
 * can stand as a warm-up repetition (nb_batch). */
static int calibrate(struct nb_ctx *c, uint64_t min_ns, uint64_t *ops, uint64_t *last_ns,
		     uint64_t *last_bytes)
{
	uint64_t n = 1, bytes;

	for (int round = 0; round < 64; round++) {
		if (run_once(c, n, &bytes))
			return -1;
		*ops = n;
		*last_ns = c->meter.ns;
		*last_bytes = bytes;
		if (c->meter.ns >= min_ns)
			return 0;
		if (c->w->max_ops && n >= c->w->max_ops) {
			nb_note(c, "calibration capped at %llu ops (memory or file size): a repetition "
				   "lasts %.1f ms, less than the %.1f ms asked",
				(unsigned long long)n, c->meter.ns / 1e6, min_ns / 1e6);
			return 0;
		}
		/* Extrapolate with 20 % margin, but never more than 100x nor less than 2x. */
		double f = c->meter.ns ? 1.2 * (double)min_ns / (double)c->meter.ns : 100.0;
		f = f < 2.0 ? 2.0 : f > 100.0 ? 100.0 : f;
		double next = ceil((double)n * f);
		n = next >= 1e18 ? (uint64_t)1e18 : (uint64_t)next;
		if (c->w->max_ops && n > c->w->max_ops)
			n = c->w->max_ops;
	}
	return nb_fail(c, 0, "calibration did not converge");
}

int nb_calibrate(struct nb_ctx *c, uint64_t min_ns, uint64_t *ops, uint64_t *last_ns)
{
	uint64_t bytes;

	return calibrate(c, min_ns, ops, last_ns, &bytes);
}

static const char *metric_name(enum nb_metric m)
{
	return m == NB_METRIC_NS_PER_OP ? "ns_per_op" : m == NB_METRIC_MB_PER_S ? "mb_per_s" : "ops_per_s";
}

static void print_params(struct nb_rec *r, const struct nb_ctx *c)
{
	nb_rec_obj_begin(r, "params");
	for (int i = 0; i < nb_params_count(c->w); i++) {
		const struct nb_param_spec *p = &c->w->params[i];
		const struct nb_param_value *v = &c->params[i];
		if (!v->set)
			nb_rec_null(r, p->name);
		else if (p->type == NB_PARAM_STRING)
			nb_rec_str(r, p->name, v->s);
		else if (p->type == NB_PARAM_BOOL)
			nb_rec_bool(r, p->name, (int)v->u);
		else
			nb_rec_u64(r, p->name, v->u);
	}
	nb_rec_obj_end(r);
}

static void print_meta(FILE *out, const struct nb_ctx *c, const struct nb_run_opts *o, int ci,
		       uint64_t ops, double calib_ms, int tsc_ok)
{
	struct nb_rec r;

	nb_rec_begin(&r, out, 1);
	nb_rec_str(&r, NB_REC_TYPE_KEY, NB_RECTYPE_META);
	nb_rec_u64(&r, "format", 1);
	nb_rec_str(&r, "workload", c->w->name);
	nb_rec_str(&r, "family", c->w->family);
	nb_rec_u64(&r, "case", (uint64_t)ci);
	print_params(&r, c);
	nb_rec_str(&r, "unit", c->w->unit);
	nb_rec_str(&r, "better", c->w->better == NB_LOWER_IS_BETTER ? NB_BETTER_LOWER : NB_BETTER_HIGHER);
	nb_rec_str(&r, "metric", metric_name(c->w->metric));
	nb_rec_i64(&r, "cpu", c->cpu);
	nb_rec_double(&r, "tsc_hz", c->tsc_hz);
	nb_rec_bool(&r, "tsc_cycles", tsc_ok);
	nb_rec_u64(&r, "ops_per_rep", ops);
	nb_rec_bool(&r, "calibrated", o->ops == 0);  /* in this batch or an earlier one */
	nb_rec_double(&r, "calibration_ms", calib_ms);   /* this batch's */
	nb_rec_double(&r, "min_time_ms", o->min_time_ns / 1e6);
	nb_rec_u64(&r, "reps", o->reps);
	nb_rec_u64(&r, "warmup", o->warmup);
	nb_rec_str(&r, "notes", c->notes);
	nb_rec_arr_begin(&r, "events");
	for (int i = 0; i < c->nevents; i++) {
		nb_rec_obj_begin(&r, NULL);
		nb_rec_str(&r, "name", c->events[i].name);
		if (c->events[i].fd < 0)
			nb_rec_str(&r, "unsupported", c->events[i].unsupported);
		else
			nb_rec_bool(&r, "supported", 1);
		nb_rec_obj_end(&r);
	}
	nb_rec_arr_end(&r);
	nb_rec_end(&r);
}

static void print_counters(struct nb_rec *r, const struct nb_ctx *c)
{
	nb_rec_arr_begin(r, "counters");
	for (int i = 0; i < c->nevents; i++) {
		const struct nb_event *e = &c->events[i];
		nb_rec_obj_begin(r, NULL);
		nb_rec_str(r, "name", e->name);
		if (e->fd < 0) {
			nb_rec_str(r, "unsupported", e->unsupported);
		} else {
			double s = nb_event_scaled(e);
			nb_rec_u64(r, "value", e->value);
			nb_rec_u64(r, "enabled_ns", e->enabled);
			nb_rec_u64(r, "running_ns", e->running);
			if (s < 0)
				nb_rec_null(r, "scaled");  /* never ran: perf's <not counted> */
			else
				nb_rec_double(r, "scaled", s);
			nb_rec_bool(r, "multiplexed", e->running < e->enabled);
		}
		nb_rec_obj_end(r);
	}
	nb_rec_arr_end(r);
}

static void print_rep(FILE *out, const struct nb_ctx *c, int ci, unsigned rep, int warm,
		      uint64_t ops, uint64_t bytes, int tsc_ok)
{
	const struct nb_meter *m = &c->meter;
	struct nb_rec r;

	nb_rec_begin(&r, out, 1);
	nb_rec_str(&r, NB_REC_TYPE_KEY, NB_RECTYPE_REP);
	nb_rec_str(&r, "workload", c->w->name);
	nb_rec_u64(&r, "case", (uint64_t)ci);
	nb_rec_u64(&r, "rep", rep);
	nb_rec_bool(&r, "warmup", warm != 0);
	if (warm == 2)
		nb_rec_bool(&r, "calibration", 1);  /* the calibration's last run */
	nb_rec_u64(&r, "ops", ops);
	nb_rec_u64(&r, "ns", m->ns);
	if (bytes)
		nb_rec_u64(&r, "bytes", bytes);
	nb_rec_double(&r, "value", nb_primary_value(c->w, ops, m->ns, bytes));
	nb_rec_double(&r, "ns_per_op", (double)m->ns / (double)ops);
	if (tsc_ok) {
		nb_rec_u64(&r, "tsc_cycles", m->tsc);
		nb_rec_double(&r, "cycles_per_op", (double)m->tsc / (double)ops);
	}
	nb_rec_obj_begin(&r, "extra");
	for (int i = 0; i < c->nextras; i++)
		nb_rec_double(&r, c->extras[i].key, c->extras[i].value);
	nb_rec_obj_end(&r);
	print_counters(&r, c);
	nb_rec_end(&r);
}

static void print_simple(FILE *out, const char *type, const char *wname, const char *key,
			 const char *msg)
{
	struct nb_rec r;

	nb_rec_begin(&r, out, 1);
	nb_rec_str(&r, NB_REC_TYPE_KEY, type);
	nb_rec_str(&r, "workload", wname);
	nb_rec_str(&r, key, msg);
	nb_rec_end(&r);
}

/* Status for a failed step: user errors (bad directory...) are usage errors. */
int nb_fail_status(const struct nb_ctx *c, const struct nb_run_opts *o)
{
	fprintf(o->err, "nestbench-work: %s: %s\n", c->w->name, c->err);
	print_simple(o->out, NB_RECTYPE_ERROR, c->w->name, "message", c->err);
	return c->err_is_user ? NB_EXIT_USAGE : NB_EXIT_FAIL;
}

int nb_ops_check(const struct nb_workload *w, uint64_t ops, char err[NB_ERR_LEN])
{
	if (w->max_ops && ops > w->max_ops)
		return nb_err(err, "%llu ops per repetition exceed this workload's limit of %llu ops",
			      (unsigned long long)ops, (unsigned long long)w->max_ops);
	return 0;
}

/* The op count of a batch: given, calibrated earlier, or calibrated now; *cal_bytes is
 * then the calibration's last run's bytes and *calib_ms leaves that run out (it is
 * reported as the first warm-up repetition: it ran at the chosen count just now). */
static int batch_ops(struct nb_ctx *c, const struct nb_run_opts *o, uint64_t *calibrated,
		     uint64_t *ops, double *calib_ms, int *cal_run, uint64_t *cal_bytes)
{
	char err[NB_ERR_LEN];
	uint64_t t0, last_ns;

	*calib_ms = 0;
	*cal_run = 0;
	if (o->ops) {
		/* A fixed count lets a harness interleave short visits with identical work. */
		*ops = o->ops;
		return nb_ops_check(c->w, o->ops, err) ? nb_fail(c, 1, "%s", err) : 0;
	}
	if (!*calibrated) {
		t0 = nb_now_ns();
		if (calibrate(c, o->min_time_ns, calibrated, &last_ns, cal_bytes)) {
			*calibrated = 0;
			return -1;
		}
		*calib_ms = (double)(nb_now_ns() - t0 - last_ns) / 1e6;
		*cal_run = 1;
	}
	*ops = *calibrated;
	return 0;
}

uint64_t nb_rewarm_ops(const struct nb_ctx *c, uint64_t ops)
{
	uint64_t pass, quarter = (ops + 3) / 4;

	/* Without a working set (CPU loops, exits, I/O, faults on fresh pages), what went
	 * cold since the last batch is the caches, TLBs and predictors: a quarter of a
	 * repetition is millions of their operations, thousands at the least. */
	pass = c->w->pass_ops ? c->w->pass_ops(c) : 0;
	pass = pass > quarter ? pass : quarter;
	return pass < ops ? pass : ops;
}

int nb_batch(struct nb_session *s, const struct nb_run_opts *o, int k, uint64_t *calibrated,
	     double *calib_ms)
{
	struct nb_ctx *c = s->c;
	uint64_t ops, bytes, cal_bytes = 0;
	int cal_run;

	if (batch_ops(c, o, calibrated, &ops, calib_ms, &cal_run, &cal_bytes))
		return nb_fail_status(c, o);
	/* The TSC rate over the session so far (setup, calibration): 20 ms at least. */
	if (c->tsc_hz == 0)
		c->tsc_hz = nb_tsc_rate_since(&s->tsc_since, 20, &s->tsc_ms);
	print_meta(o->out, c, o, k, ops, *calib_ms, s->tsc_ok);
	for (unsigned i = 0; i < o->warmup + o->reps; i++) {
		int warm = i < o->warmup;
		/* The calibration's last run, still in the meter, is the first warm-up. */
		if (i == 0 && warm && cal_run) {
			print_rep(o->out, c, k, 0, 2, ops, cal_bytes, s->tsc_ok);
			continue;
		}
		uint64_t n = warm && o->rewarm ? nb_rewarm_ops(c, ops) : ops;
		if (run_once(c, n, &bytes))
			return nb_fail_status(c, o);
		print_rep(o->out, c, k, warm ? i : i - o->warmup, warm, n, bytes, s->tsc_ok);
	}
	return NB_EXIT_OK;
}

int nb_case_open(struct nb_session *s, const struct nb_run_opts *o, int k, double *setup_ms)
{
	struct nb_ctx *c = s->c;
	char err[NB_ERR_LEN], why[NB_ERR_LEN];
	const char *reason;
	uint64_t t0;
	int failed;

	if (s->sweep >= 0)
		memcpy(s->texts[s->sweep], s->values[k], NB_PARAM_TEXT);
	nb_params_apply(c, s->texts, err);  /* validated by nb_session_open */
	memcpy(c->notes, s->notes, sizeof(c->notes));
	why[0] = '\0';
	reason = s->w->supported ? s->w->supported(c, why) : NULL;
	if (reason) {
		fprintf(o->err, "nestbench-work: %s skipped: %s\n", s->w->name, reason);
		print_simple(o->out, NB_RECTYPE_SKIP, s->w->name, "reason", reason);
		return NB_EXIT_SKIP;
	}
	t0 = nb_now_ns();
	failed = s->w->setup && s->w->setup(c);
	*setup_ms += (double)(nb_now_ns() - t0) / 1e6;
	if (failed) {
		nb_tmpfile_remove_all(c);  /* safety net: setup should have removed them */
		return nb_fail_status(c, o);
	}
	return NB_EXIT_OK;
}

void nb_case_close(struct nb_session *s)
{
	if (s->w->teardown)
		s->w->teardown(s->c);
	nb_tmpfile_remove_all(s->c);
}

void nb_print_end(FILE *out, const struct nb_session *s, const struct nb_end *e)
{
	struct nb_rec r;

	nb_rec_begin(&r, out, 1);
	nb_rec_str(&r, NB_REC_TYPE_KEY, NB_RECTYPE_END);
	nb_rec_str(&r, "workload", s->w->name);
	nb_rec_u64(&r, "cases", (uint64_t)e->cases);
	nb_rec_u64(&r, "skipped", (uint64_t)e->skipped);
	nb_rec_i64(&r, "status", e->status);
	/* Notes added during the repetitions (after the meta record was printed). */
	nb_rec_str(&r, "notes", s->c->notes);
	/* Where a visit's time went besides the measured repetitions. */
	nb_rec_double(&r, "setup_ms", e->setup_ms);
	nb_rec_double(&r, "calibration_ms", e->calibration_ms);
	nb_rec_double(&r, "tsc_ms", s->tsc_ms);
	if (e->served) {
		nb_rec_u64(&r, "batch", e->batch);
		nb_rec_bool(&r, "reused", e->reused);
	}
	nb_rec_end(&r);
}

void nb_run_opts_default(struct nb_run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->reps = 5;
	o->warmup = 1;
	o->min_time_ns = 50 * 1000000ull;
	o->cpu = -1;
	o->out = stdout;
	o->err = stderr;
}

int nb_usage_error(const struct nb_run_opts *o, const char *wname, const char *msg)
{
	fprintf(o->err, "nestbench-work: %s\n", msg);
	print_simple(o->out, NB_RECTYPE_ERROR, wname, "message", msg);
	return NB_EXIT_USAGE;
}

/* Validate every case's parameters before measuring anything: fail fast. */
static int prepare_cases(const struct nb_workload *w, const struct nb_run_opts *o,
			 char texts[NB_MAX_PARAMS][NB_PARAM_TEXT], int *sweep,
			 char values[NB_MAX_SWEEP][NB_PARAM_TEXT], int *ncases, char err[NB_ERR_LEN])
{
	struct nb_ctx probe;

	if (nb_params_resolve(w, o->params, o->nparams, texts, err))
		return -1;
	*sweep = nb_params_sweep_index(w, texts, err);
	if (*sweep == -2)
		return -1;
	*ncases = 1;
	if (*sweep >= 0) {
		*ncases = nb_param_expand(&w->params[*sweep], texts[*sweep], values, err);
		if (*ncases < 0)
			return -1;
	}
	for (int i = 0; i < *ncases; i++) {
		memset(&probe, 0, sizeof(probe));
		probe.w = w;
		if (*sweep >= 0)
			memcpy(texts[*sweep], values[i], NB_PARAM_TEXT);
		if (nb_params_apply(&probe, texts, err))
			return -1;
	}
	return 0;
}

int nb_cases(const struct nb_workload *w, const struct nb_run_opts *o)
{
	static char texts[NB_MAX_PARAMS][NB_PARAM_TEXT], values[NB_MAX_SWEEP][NB_PARAM_TEXT];
	char err[NB_ERR_LEN + 128];
	int sweep, ncases;

	if (prepare_cases(w, o, texts, &sweep, values, &ncases, err))
		return nb_usage_error(o, w->name, err);
	for (int k = 0; k < ncases; k++) {
		struct nb_rec r;
		if (sweep >= 0)
			memcpy(texts[sweep], values[k], NB_PARAM_TEXT);
		nb_rec_begin(&r, o->out, 1);
		nb_rec_str(&r, NB_REC_TYPE_KEY, NB_RECTYPE_CASE);
		nb_rec_str(&r, "workload", w->name);
		nb_rec_u64(&r, "case", (uint64_t)k);
		/* As text, exactly what `run --param` accepts; unset ones are left to setup. */
		nb_rec_obj_begin(&r, "params");
		for (int i = 0; i < nb_params_count(w); i++)
			if (texts[i][0])
				nb_rec_str(&r, w->params[i].name, texts[i]);
		nb_rec_obj_end(&r);
		nb_rec_end(&r);
	}
	return NB_EXIT_OK;
}

/* Parameters, CPU and counters: every usage error before anything is measured. */
static int session_check(struct nb_session *s, const struct nb_run_opts *o, int one_case,
			 char err[NB_ERR_LEN])
{
	if (prepare_cases(s->w, o, s->texts, &s->sweep, s->values, &s->ncases, err))
		return -1;
	if (one_case && s->ncases > 1)
		return nb_err(err, "serve measures one case, but --param %s gives %d values (%s ... %s): "
			      "give one value and start one worker per case",
			      s->w->params[s->sweep].name, s->ncases, s->values[0],
			      s->values[s->ncases - 1]);
	if (o->cpu >= 0 && nb_pin_cpu(o->cpu, err))
		return -1;
	for (int i = 0; i < o->nevents; i++)
		if (nb_events_parse(o->events[i], s->c->events, &s->c->nevents, NB_MAX_EVENTS, err))
			return -1;
	return 0;
}

static void session_free(struct nb_session *s)
{
	if (s)
		free(s->c);
	free(s);
}

struct nb_session *nb_session_open(const struct nb_workload *w, const struct nb_run_opts *o,
				   int one_case, int *status)
{
	struct nb_session *s = calloc(1, sizeof(*s));
	struct nb_cpuinfo ci;
	char err[NB_ERR_LEN];

	*status = NB_EXIT_USAGE;
	if (!s || !(s->c = calloc(1, sizeof(*s->c)))) {
		session_free(s);
		nb_usage_error(o, w->name, "out of memory");
		return NULL;
	}
	s->w = s->c->w = w;
	s->c->cpu = o->cpu;
	save_allowed(s->c);
	if (session_check(s, o, one_case, err)) {
		session_free(s);
		nb_usage_error(o, w->name, err);
		return NULL;
	}
	nb_cpuinfo_read(&ci);
	s->tsc_ok = ci.tsc_invariant;
	nb_tsc_stamp(&s->tsc_since);  /* the rate: at the first batch (nb_batch) */
	active_ctx = s->c;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	nb_events_open(s->c);
	memcpy(s->notes, s->c->notes, sizeof(s->notes));  /* every case starts with these */
	*status = NB_EXIT_OK;
	return s;
}

void nb_session_close(struct nb_session *s)
{
	nb_events_close(s->c);
	active_ctx = NULL;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	session_free(s);
}

/* One case of `run`: set up, one batch, torn down; a skip is counted, not a failure. */
static int run_case(struct nb_session *s, const struct nb_run_opts *o, int k, struct nb_end *e)
{
	uint64_t calibrated = 0;
	double calib_ms = 0;
	int status = nb_case_open(s, o, k, &e->setup_ms);

	if (status == NB_EXIT_SKIP) {
		e->skipped++;
		return NB_EXIT_OK;
	}
	if (status != NB_EXIT_OK)
		return status;
	status = nb_batch(s, o, k, &calibrated, &calib_ms);
	e->calibration_ms += calib_ms;
	nb_case_close(s);
	return status;
}

int nb_run(const struct nb_workload *w, const struct nb_run_opts *o)
{
	struct nb_end e = { 0 };
	struct nb_session *s = nb_session_open(w, o, 0, &e.status);

	if (!s)
		return e.status;
	e.cases = s->ncases;
	for (int k = 0; k < s->ncases && e.status == NB_EXIT_OK; k++)
		e.status = run_case(s, o, k, &e);
	if (e.status == NB_EXIT_OK && e.skipped == s->ncases)
		e.status = NB_EXIT_SKIP;
	nb_print_end(o->out, s, &e);
	nb_session_close(s);
	return e.status;
}
