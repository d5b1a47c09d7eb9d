/* ops.c - one handler per protocol operation, in one table.  See PROTOCOL.md. */
#include "agent.h"
#include "../common/err.h"
#include "cpustat.h"
#include "../common/utf8.h"
#include "../common/version.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>


int nb_op_fail(struct nb_session *s, const char *code, const char *fmt, ...)
{
	char tmp[sizeof(s->msg)];
	va_list ap;

	s->code = code;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);   /* the arguments may point into s->msg */
	va_end(ap);
	nb_utf8_trim(tmp);                      /* cut short: never inside a character */
	memcpy(s->msg, tmp, sizeof(tmp));
	return -1;
}

int nb_session_send(struct nb_session *s, const cJSON *msg)
{
	char err[NB_ERR_LEN];

	if (nb_proto_send(&s->conn, msg, err)) {
		nb_log(s->a, 1, "session %lu: %s", s->n, err);
		s->after = NB_AFTER_CLOSE;
		return -1;
	}
	return 0;
}

/* ---- hello ----------------------------------------------------------------------- */

static int op_hello(struct nb_session *s, const cJSON *req, cJSON *r)
{
	struct nb_agent *a = s->a;
	const char *token;
	int proto;
	cJSON *lim;

	/* A session is authenticated by its last hello: one that fails ends it. */
	if (a->has_token)
		s->authed = 0;
	if (nb_hello_decode(req, &proto, &token, s->msg))
		return nb_op_fail(s, NB_E_BAD_REQUEST, "%s", s->msg);
	if (proto != NB_PROTO_VERSION)
		return nb_op_fail(s, NB_E_VERSION, "this agent speaks protocol %d, the client asked "
				  "for %d: use matching nestbench and nestbench-agent versions",
				  NB_PROTO_VERSION, proto);
	if (a->has_token) {
		if (!token)
			return nb_op_fail(s, NB_E_AUTH, "this agent requires a token (its --token-file): "
					  "send it in hello's \"token\"");
		if (nb_auth_turn(s))
			return -1;
		if (!nb_token_equal(token, a->token))
			return nb_auth_wrong_token(s);
	}
	s->authed = 1;
	cJSON_AddNumberToObject(r, "protocol", NB_PROTO_VERSION);
	cJSON_AddStringToObject(r, "agent", "nestbench-agent");
	cJSON_AddStringToObject(r, "version", nb_version);
	cJSON_AddStringToObject(r, "gitrev", nb_gitrev);
	cJSON_AddStringToObject(r, "auth", a->has_token ? "token" : "none");
	nb_ops_names(cJSON_AddArrayToObject(r, "ops"));
	lim = cJSON_AddObjectToObject(r, "limits");
	cJSON_AddNumberToObject(lim, "max_frame", (double)a->o.max_frame);
	cJSON_AddNumberToObject(lim, "max_chunk", NB_CHUNK_MAX);
	cJSON_AddNumberToObject(lim, "max_put", (double)a->o.max_put);
	cJSON_AddNumberToObject(lim, "max_params", NB_RUN_MAX_PARAMS);
	cJSON_AddNumberToObject(lim, "max_events", NB_RUN_MAX_EVENTS);
	cJSON_AddNumberToObject(r, "session", s->n);
	cJSON_AddStringToObject(r, "peer", s->conn.desc);
	return 0;
}

/* ---- sysinfo, ping, bye ---------------------------------------------------------- */

static int op_sysinfo(struct nb_session *s, const cJSON *req, cJSON *r)
{
	(void)req;
	nb_sysinfo_fill(s->a, r);
	return 0;
}

static int op_ping(struct nb_session *s, const cJSON *req, cJSON *r)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(req, "t_client_ns");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(req, "data");
	struct timespec rt;
	int busy;

	if (t)
		cJSON_AddItemToObject(r, "t_client_ns", cJSON_Duplicate(t, 1));
	if (data)
		cJSON_AddItemToObject(r, "data", cJSON_Duplicate(data, 1));
	clock_gettime(CLOCK_REALTIME, &rt);
	cJSON_AddNumberToObject(r, "t_agent_ns", (double)nb_mono_ns());
	cJSON_AddNumberToObject(r, "t_agent_unix_us",
				(double)((uint64_t)rt.tv_sec * 1000000u + (uint64_t)rt.tv_nsec / 1000u));
	pthread_mutex_lock(&s->a->lock);
	busy = s->a->running;
	pthread_mutex_unlock(&s->a->lock);
	cJSON_AddBoolToObject(r, "busy", busy);
	return 0;
}

static int op_bye(struct nb_session *s, const cJSON *req, cJSON *r)
{
	(void)req;
	(void)r;
	s->after = NB_AFTER_CLOSE;
	return 0;
}

/* ---- put ------------------------------------------------------------------------- */

/* The body is received and hashed here while a writer thread puts the previous
 * chunks on disk: a ring of NB_PUT_RING chunk buffers between the two. */
#define NB_PUT_RING 4

struct put_ring {
	pthread_mutex_t m;
	pthread_cond_t cv;
	unsigned char *buf[NB_PUT_RING];
	size_t len[NB_PUT_RING];
	unsigned head, tail;           /* filled / written chunks */
	int done;
	struct nb_store_put *p;
};

static void *put_writer(void *arg)
{
	struct put_ring *q = arg;

	pthread_mutex_lock(&q->m);
	for (;;) {
		while (q->tail == q->head && !q->done)
			pthread_cond_wait(&q->cv, &q->m);
		if (q->tail == q->head)
			break;
		unsigned i = q->tail % NB_PUT_RING;
		pthread_mutex_unlock(&q->m);
		nb_store_put_data(q->p, q->buf[i], q->len[i]);
		pthread_mutex_lock(&q->m);
		q->tail++;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->m);
	return NULL;
}

/* Receive the chunks into the ring until the empty frame; 0, or -1 after nb_op_fail. */
static int put_receive(struct nb_session *s, struct put_ring *q, const struct nb_put_spec *spec)
{
	uint64_t got = 0;
	char err[NB_ERR_LEN];

	for (;;) {
		size_t n;
		unsigned i;
		int fr;

		pthread_mutex_lock(&q->m);
		while (q->head - q->tail == NB_PUT_RING)
			pthread_cond_wait(&q->cv, &q->m);
		i = q->head % NB_PUT_RING;
		pthread_mutex_unlock(&q->m);
		/* Each chunk within --put-timeout of being awaited: a stalled body must not
		 * hold the ring and the temporary file. */
		s->conn.deadline_ns = s->a->o.put_timeout_ms
			? nb_mono_ns() + s->a->o.put_timeout_ms * 1000000ull : 0;
		fr = nb_frame_read_into(&s->conn, q->buf[i], NB_CHUNK_MAX, &n, err);
		s->conn.deadline_ns = 0;
		if (fr == NB_FRAME_TIMEOUT) {
			s->after = NB_AFTER_CLOSE;
			s->linger = s->socket;
			s->conn.deadline_ns = nb_mono_ns() + 1000000000ull;   /* for the reply */
			return nb_op_fail(s, NB_E_TIMEOUT, "put body stalled: no complete chunk within "
					  "%u s (--put-timeout) after %llu of %llu bytes; not stored, "
					  "closing", s->a->o.put_timeout_ms / 1000,
					  (unsigned long long)got, (unsigned long long)spec->size);
		}
		if (fr == NB_FRAME_TOO_LARGE) {
			s->after = NB_AFTER_CLOSE;
			s->linger = 1;
			return nb_op_fail(s, NB_E_TOO_LARGE, "body chunk of %zu bytes exceeds %u bytes",
					  n, NB_CHUNK_MAX);
		}
		if (fr != NB_FRAME_OK) {
			s->after = NB_AFTER_CLOSE;
			return nb_op_fail(s, NB_E_BAD_FRAME, "put body broken after %llu of %llu "
					  "bytes: %s", (unsigned long long)got,
					  (unsigned long long)spec->size,
					  fr == NB_FRAME_EOF ? "connection closed" : err);
		}
		if (n == 0)
			break;
		if (got + n > spec->size) {
			s->after = NB_AFTER_CLOSE;
			s->linger = 1;
			return nb_op_fail(s, NB_E_TOO_LARGE, "body is longer than the declared %llu "
					  "bytes", (unsigned long long)spec->size);
		}
		got += n;
		nb_store_put_hash(q->p, q->buf[i], n);
		pthread_mutex_lock(&q->m);
		q->len[i] = n;
		q->head++;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->m);
	}
	if (got < spec->size)
		return nb_op_fail(s, NB_E_TRUNCATED, "body ended after %llu of the declared %llu "
				  "bytes: not stored", (unsigned long long)got,
				  (unsigned long long)spec->size);
	return 0;
}

static int op_put(struct nb_session *s, const cJSON *req, cJSON *r)
{
	struct nb_agent *a = s->a;
	struct nb_put_spec spec;
	struct nb_store_put p;
	struct put_ring q;
	uint64_t have, t0 = nb_mono_ns();
	char err[NB_ERR_LEN];
	const char *code;
	pthread_t writer;
	cJSON *ready;
	int rc;

	if (nb_put_spec_decode(req, &spec, s->msg))
		return nb_op_fail(s, NB_E_BAD_REQUEST, "%s", s->msg);
	cJSON_AddStringToObject(r, "name", spec.name);
	cJSON_AddStringToObject(r, "sha256", spec.sha256);
	cJSON_AddNumberToObject(r, "size", (double)spec.size);
	if (spec.size > a->o.max_put)
		return nb_op_fail(s, NB_E_TOO_LARGE, "file of %llu bytes exceeds this agent's limit of "
				  "%llu bytes (--max-put)", (unsigned long long)spec.size,
				  (unsigned long long)a->o.max_put);
	if (nb_store_has(&a->store, spec.sha256, &have) && have == spec.size) {
		cJSON_AddBoolToObject(r, "exists", 1);
		return 0; /* content-addressed: the same bytes are already here */
	}
	if (nb_store_put_begin(&a->store, &p, err))
		return nb_op_fail(s, NB_E_IO, "cannot store: %s", err);
	memset(&q, 0, sizeof(q));
	q.p = &p;
	for (int i = 0; i < NB_PUT_RING; i++)
		if (!(q.buf[i] = malloc(NB_CHUNK_MAX))) {
			for (int k = 0; k < i; k++)
				free(q.buf[k]);
			nb_store_put_abort(&p);
			return nb_op_fail(s, NB_E_INTERNAL, "out of memory");
		}
	pthread_mutex_init(&q.m, NULL);
	pthread_cond_init(&q.cv, NULL);
	if (pthread_create(&writer, NULL, put_writer, &q)) {
		rc = nb_op_fail(s, NB_E_INTERNAL, "pthread_create: %s", strerror(errno));
		goto free_ring;
	}
	/* Ready: the client may send the body now. */
	ready = nb_proto_reply(req);
	cJSON_AddBoolToObject(ready, "ready", 1);
	cJSON_AddNumberToObject(ready, "max_chunk", NB_CHUNK_MAX);
	if (nb_session_send(s, ready))
		rc = nb_op_fail(s, NB_E_IO, "connection lost");
	else
		rc = put_receive(s, &q, &spec);
	cJSON_Delete(ready);
	pthread_mutex_lock(&q.m);
	q.done = 1;
	pthread_cond_broadcast(&q.cv);
	pthread_mutex_unlock(&q.m);
	pthread_join(writer, NULL);
	if (rc == 0 && nb_store_put_finish(&a->store, &p, spec.sha256, &code, s->msg)) {
		s->code = code;
		rc = -1; /* finish cleaned up */
	} else if (rc == 0) {
		double ms = (double)(nb_mono_ns() - t0) / 1e6;
		cJSON_AddBoolToObject(r, "exists", 0);
		cJSON_AddBoolToObject(r, "stored", 1);
		cJSON_AddNumberToObject(r, "elapsed_ms", ms);
		cJSON_AddNumberToObject(r, "mb_per_s", ms > 0 ? (double)spec.size / 1e3 / ms : 0);
		nb_log(a, 1, "session %lu: stored %s (%s, %llu bytes) in %.1f ms", s->n, spec.name,
		       spec.sha256, (unsigned long long)spec.size, ms);
	} else {
		nb_store_put_abort(&p);
	}
free_ring:
	pthread_cond_destroy(&q.cv);
	pthread_mutex_destroy(&q.m);
	for (int i = 0; i < NB_PUT_RING; i++)
		free(q.buf[i]);
	if (rc && p.fd >= 0)
		nb_store_put_abort(&p);
	return rc;
}

/* ---- run ------------------------------------------------------------------------- */

static void run_started(void *arg, pid_t pgid)
{
	struct nb_agent *a = arg;
	int stopping;

	pthread_mutex_lock(&a->lock);
	a->run_pgid = pgid;   /* 0: the workload has been collected */
	stopping = a->stopping;
	pthread_mutex_unlock(&a->lock);
	if (stopping && pgid > 0)
		kill(-pgid, SIGTERM);
}

/* argv for `nestbench-work run ...`, or `serve` for a kept worker (the batch's reps,
 * warmup and ops go in its run command); strings are the caller's to free. */
static int build_argv(const struct nb_run_spec *sp, const char *path, const char *events,
		      int cpu, char **argv, int max)
{
	int n = 0;
	char buf[64];

#define ARG(s)                                                                       \
	do {                                                                         \
		if (n >= max - 1 || !(argv[n++] = strdup(s)))                        \
			return -1;                                                   \
	} while (0)
	ARG(path);
	ARG(sp->keep ? "serve" : "run");
	ARG(sp->workload);
	for (int i = 0; i < sp->nparams; i++) {
		ARG("--param");
		ARG(sp->params[i]);
	}
	if (sp->reps >= 0 && !sp->keep) {
		snprintf(buf, sizeof(buf), "%d", sp->reps);
		ARG("--reps");
		ARG(buf);
	}
	if (sp->warmup >= 0 && !sp->keep) {
		snprintf(buf, sizeof(buf), "%d", sp->warmup);
		ARG("--warmup");
		ARG(buf);
	}
	if (sp->min_time_ms) {
		snprintf(buf, sizeof(buf), "%u", sp->min_time_ms);
		ARG("--min-time-ms");
		ARG(buf);
	}
	if (sp->ops && !sp->keep) {
		snprintf(buf, sizeof(buf), "%llu", sp->ops);
		ARG("--ops");
		ARG(buf);
	}
	if (cpu >= 0) {
		snprintf(buf, sizeof(buf), "%d", cpu);
		ARG("--cpu");
		ARG(buf);
	}
	if (events[0]) {
		ARG("--events");
		ARG(events);
	}
#undef ARG
	argv[n] = NULL;
	return n;
}

/* The reply's "interference": what the tier's CPUs did besides the workload over the
 * run (cpustat.h).  The workload's CPU time is the growth of the agent's reaped
 * children's, as one run at a time is the agent's rule; a kept worker is alive, not
 * reaped: its own (pid), from /proc/PID/stat. */
struct run_interference {
	struct nb_cpustat before;
	struct rusage self;
	pid_t pid;
	unsigned long long ticks;
	uint64_t t0_ns;
	int ok;
};

static double rusage_s(const struct rusage *u)
{
	return (double)(u->ru_utime.tv_sec + u->ru_stime.tv_sec) +
	       (double)(u->ru_utime.tv_usec + u->ru_stime.tv_usec) / 1e6;
}

static void run_interference_begin(struct run_interference *ri, pid_t pid)
{
	ri->pid = pid;
	ri->ok = nb_cpustat_read(&ri->before) == 0 &&
		 (pid > 0 ? nb_cpustat_proc_read(pid, &ri->ticks)
			  : getrusage(RUSAGE_CHILDREN, &ri->self)) == 0;
	ri->t0_ns = nb_mono_ns();
}

/* The workload's CPU seconds since begin; 0 or -1. */
static int run_interference_self(const struct run_interference *ri, double *self_s)
{
	struct rusage u;
	unsigned long long ticks;

	if (ri->pid > 0) {
		if (nb_cpustat_proc_read(ri->pid, &ticks))
			return -1;
		*self_s = (double)(ticks - ri->ticks) / (double)sysconf(_SC_CLK_TCK);
		return 0;
	}
	if (getrusage(RUSAGE_CHILDREN, &u))
		return -1;
	*self_s = rusage_s(&u) - rusage_s(&ri->self);
	return 0;
}

static void run_interference_end(const struct run_interference *ri, cJSON *r)
{
	struct nb_cpustat after;
	double steal, other, self, ms = (double)(nb_mono_ns() - ri->t0_ns) / 1e6;
	cJSON *o;

	if (!ri->ok || nb_cpustat_read(&after) || run_interference_self(ri, &self) ||
	    nb_cpustat_interference(&ri->before, &after, self, (double)sysconf(_SC_CLK_TCK),
				    &steal, &other))
		return;   /* no /proc/stat, or a run shorter than a clock tick */
	o = cJSON_AddObjectToObject(r, "interference");
	cJSON_AddNumberToObject(o, "steal_pct", steal);
	cJSON_AddNumberToObject(o, "other_busy_pct", other);
	cJSON_AddNumberToObject(o, "window_ms", ms);
}

/* What a kept worker serves: the case (PROTOCOL.md, "keep"). */
static void case_key(const struct nb_run_spec *sp, char *key, size_t len)
{
	/* A group's workloads share one worker (same parameters): the group stands for
	 * the workload in the key. */
	size_t n = (size_t)snprintf(key, len, "%s sha256=%s params=",
				    sp->keep_group[0] ? sp->keep_group : sp->workload, sp->sha256);

	for (int i = 0; i < sp->nparams && n < len; i++)
		n += (size_t)snprintf(key + n, len - n, "%s%s", i ? "," : "", sp->params[i]);
	if (n < len)
		n += (size_t)snprintf(key + n, len - n, " events=");
	for (int i = 0; i < sp->nevents && n < len; i++)
		n += (size_t)snprintf(key + n, len - n, "%s%s", i ? "," : "", sp->events[i]);
	if (n >= len)
		return;
	if (sp->cpu >= 0)
		n += (size_t)snprintf(key + n, len - n, " cpu=%d", sp->cpu);
	else
		n += (size_t)snprintf(key + n, len - n, " cpu=%s",
				      sp->cpu == NB_RUN_CPU_NONE ? "none" : "auto");
	if (n < len)
		snprintf(key + n, len - n, " min_time_ms=%u", sp->min_time_ms);
}

/* The batch's command to the worker. */
static cJSON *batch_command(const struct nb_run_spec *sp)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "op", "run");
	if (sp->reps >= 0)
		cJSON_AddNumberToObject(c, "reps", sp->reps);
	if (sp->warmup >= 0)
		cJSON_AddNumberToObject(c, "warmup", sp->warmup);
	if (sp->ops)
		cJSON_AddNumberToObject(c, "ops", (double)sp->ops);
	if (sp->keep_group[0])   /* the group's worker may have served another workload */
		cJSON_AddStringToObject(c, "workload", sp->workload);
	return c;
}

static void set_run_pgid(struct nb_agent *a, pid_t pgid)
{
	pthread_mutex_lock(&a->lock);
	a->run_pgid = pgid;
	pthread_mutex_unlock(&a->lock);
}

/* Serve the run from this session's kept worker for its case (workers.c); res filled
 * unless -1 after nb_op_fail without it. */
static int run_kept(struct nb_session *s, const struct nb_run_spec *sp, const struct nb_exec_req *x,
		    struct run_interference *itf, struct nb_exec_result *res, cJSON *r)
{
	char key[NB_RUN_MAX_PARAMS * NB_RUN_PARAM_LEN + NB_RUN_MAX_EVENTS * NB_EVENT_NAME_LEN + 256];
	struct nb_worker *w;
	cJSON *cmd;
	int rc;

	case_key(sp, key, sizeof(key));
	run_interference_begin(itf, 0);   /* a worker that ends before it is ready */
	rc = nb_workers_get(s, x, key, sp->workload, &w, res);
	if (rc <= 0)
		return rc;
	if (!(cmd = batch_command(sp)))
		return nb_op_fail(s, NB_E_INTERNAL, "out of memory");
	run_interference_begin(itf, nb_worker_pid(w));
	set_run_pgid(s->a, nb_worker_pid(w));   /* the agent's shutdown stops it */
	rc = nb_workers_run(s, w, cmd, x->timeout_ms, res, r);
	set_run_pgid(s->a, 0);
	cJSON_Delete(cmd);
	return rc;
}

static int run_locked(struct nb_session *s, const struct nb_run_spec *sp, cJSON *r)
{
	struct nb_agent *a = s->a;
	char path[PATH_MAX], events[NB_RUN_MAX_EVENTS * 160] = "", why[128], err[NB_ERR_LEN];
	char *argv[2 * NB_RUN_MAX_PARAMS + 20] = { NULL };
	const char *code;
	struct nb_exec_result res;
	struct nb_exec_req x;
	struct run_interference itf;
	cJSON *ev, *arr, *other;
	int cpu, nargs, rc = 0, kept = 0;

	if (nb_store_verify(&a->store, sp->sha256, path, sizeof(path), &code, s->msg))
		return nb_op_fail(s, code, "%s", s->msg);
	ev = cJSON_AddArrayToObject(r, "events");
	for (int i = 0; i < sp->nevents; i++) {
		char enc[160];
		if (nb_event_encode(sp->events[i], enc, sizeof(enc), s->msg)) {
			cJSON_AddStringToObject(r, "event", sp->events[i]);
			return nb_op_fail(s, NB_E_EVENT, "%s", s->msg);
		}
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", sp->events[i]);
		cJSON_AddStringToObject(e, "encoding", enc);
		cJSON_AddItemToArray(ev, e);
		size_t used = strlen(events);
		snprintf(events + used, sizeof(events) - used, "%s%s", used ? "," : "", enc);
	}
	if (sp->cpu >= 0) {
		cpu = sp->cpu;
		snprintf(why, sizeof(why), "requested");
	} else if (sp->cpu == NB_RUN_CPU_NONE) {
		cpu = -1;
		snprintf(why, sizeof(why), "not pinned (requested)");
	} else {
		cpu = nb_topo_choose_cpu(&a->topo, why, sizeof(why));
	}
	if (cpu >= 0)
		cJSON_AddNumberToObject(r, "cpu", cpu);
	else
		cJSON_AddNullToObject(r, "cpu");
	cJSON_AddStringToObject(r, "cpu_choice", why);
	nargs = build_argv(sp, path, events, cpu, argv, (int)(sizeof(argv) / sizeof(argv[0])));
	if (nargs < 0) {
		rc = nb_op_fail(s, NB_E_INTERNAL, "out of memory");
		goto out;
	}
	arr = cJSON_AddArrayToObject(r, "argv");
	cJSON_AddItemToArray(arr, cJSON_CreateString("nestbench-work"));
	for (int i = 1; i < nargs; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(argv[i]));

	memset(&x, 0, sizeof(x));
	x.path = path;
	x.argv = argv;
	x.cwd = a->store.work;
	x.timeout_ms = sp->timeout_ms ? sp->timeout_ms : a->o.run_timeout_ms;
	x.max_out = (size_t)a->o.max_frame;
	x.max_err = NB_STDERR_MAX;
	x.grace_ms = 1000;
	x.started = run_started;
	x.arg = a;
	x.watch_fd = s->conn.wfd;   /* its closing means nobody reads the reply */
	if (sp->keep) {
		x.started = NULL;   /* between batches the worker is not the run */
		memset(&res, 0, sizeof(res));
		kept = run_kept(s, sp, &x, &itf, &res, r);
		if (kept < 0 && !res.out) {
			rc = -1;   /* nothing ran */
			goto out;
		}
	} else {
		run_interference_begin(&itf, 0);
		if (nb_exec_run(&x, &res, err)) {
			rc = nb_op_fail(s, NB_E_INTERNAL, "cannot start the workload: %s", err);
			goto out;
		}
	}
	set_run_pgid(a, 0);

	cJSON_AddNumberToObject(r, "timeout_ms", x.timeout_ms);
	if (res.exit_status >= 0)
		cJSON_AddNumberToObject(r, "exit_status", res.exit_status);
	else
		cJSON_AddNullToObject(r, "exit_status");
	if (res.term_signal)
		cJSON_AddStringToObject(r, "signal", sigabbrev_np(res.term_signal)
							 ? sigabbrev_np(res.term_signal) : "?");
	cJSON_AddBoolToObject(r, "timed_out", res.timed_out);
	cJSON_AddBoolToObject(r, "abandoned", res.abandoned);
	cJSON_AddNumberToObject(r, "elapsed_ms", res.elapsed_ms);
	run_interference_end(&itf, r);
	arr = cJSON_AddArrayToObject(r, "records");
	other = cJSON_CreateArray();
	nb_exec_parse_lines(res.out, res.out_len, arr, other);
	if (cJSON_GetArraySize(other) > 0)
		cJSON_AddItemToObject(r, "stdout_other", other);
	else
		cJSON_Delete(other);
	cJSON_AddBoolToObject(r, "stdout_truncated", res.out_truncated);
	cJSON_AddStringToObject(r, "stderr", res.errout);
	cJSON_AddBoolToObject(r, "stderr_truncated", res.err_truncated);
	/* Per run, so --verbose only: a guest's log goes to its serial console, where each
	 * character is a VM exit or two (about 300 I/O exits per run in the lab's L2), and
	 * the console drains into whatever runs next. */
	nb_log(a, 2, "session %lu: run %s on CPU %d: %s %d in %.0f ms", s->n, sp->workload, cpu,
	       res.exit_status >= 0 ? "exit status" : "killed by signal",
	       res.exit_status >= 0 ? res.exit_status : res.term_signal, res.elapsed_ms);
	nb_log(a, 2, "session %lu: run %s%s: its processes: %s", s->n, sp->workload,
	       res.abandoned ? " (abandoned: the client hung up)" : "", res.owner);
	if (res.left)
		nb_log(a, 0, "session %lu: %d process(es) of run %s still alive after 2 s of SIGKILL "
		       "(stuck in the kernel?)", s->n, res.left, sp->workload);
	if (kept < 0)
		rc = -1;   /* the worker ended: run_kept said how */
	else if (res.timed_out)
		rc = nb_op_fail(s, NB_E_TIMEOUT, "workload %s exceeded its timeout of %u ms: it "
				"was killed (process group %d), with every process it started",
				sp->workload, x.timeout_ms, (int)res.pgid);
	else if (res.out_truncated)
		nb_log(a, 0, "session %lu: %s printed more than %llu bytes: records truncated", s->n,
		       sp->workload, (unsigned long long)a->o.max_frame);
	nb_exec_result_free(&res);
out:
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
	return rc;
}

static int op_run(struct nb_session *s, const cJSON *req, cJSON *r)
{
	struct nb_agent *a = s->a;
	struct nb_run_spec *sp = malloc(sizeof(*sp));
	int rc;

	if (!sp)
		return nb_op_fail(s, NB_E_INTERNAL, "out of memory");
	if (nb_run_spec_decode(req, sp, s->msg)) {
		free(sp);
		return nb_op_fail(s, NB_E_BAD_REQUEST, "%s", s->msg);
	}
	cJSON_AddStringToObject(r, "workload", sp->workload);
	cJSON_AddStringToObject(r, "sha256", sp->sha256);
	pthread_mutex_lock(&a->lock);
	if (a->running) {
		double secs = (double)(nb_mono_ns() - a->run_start_ns) / 1e9;
		rc = nb_op_fail(s, NB_E_BUSY, "another run is in progress (%s, session %lu, for "
				"%.1f s): one benchmark at a time; retry when it ends",
				a->run_workload, a->run_session, secs);
		pthread_mutex_unlock(&a->lock);
		free(sp);
		return rc;
	}
	__atomic_store_n(&a->running, 1, __ATOMIC_RELAXED);
	a->run_pgid = 0;
	a->run_session = s->n;
	a->run_start_ns = nb_mono_ns();
	snprintf(a->run_workload, sizeof(a->run_workload), "%s", sp->workload);
	pthread_mutex_unlock(&a->lock);

	rc = run_locked(s, sp, r);

	pthread_mutex_lock(&a->lock);
	__atomic_store_n(&a->running, 0, __ATOMIC_RELAXED);
	a->run_pgid = 0;
	pthread_mutex_unlock(&a->lock);
	free(sp);
	return rc;
}

/* ---- relay ----------------------------------------------------------------------- */

static int op_relay(struct nb_session *s, const cJSON *req, cJSON *r)
{
	char to[NB_ADDR_LEN], err[NB_ERR_LEN];
	int timeout_ms;

	if (nb_relay_decode(req, to, sizeof(to), &timeout_ms, s->msg))
		return nb_op_fail(s, NB_E_BAD_REQUEST, "%s", s->msg);
	cJSON_AddStringToObject(r, "to", to);
	{
		struct nb_addr addr;
		if (nb_addr_parse(to, NB_ADDR_CONNECT, &addr, err))
			return nb_op_fail(s, NB_E_BAD_REQUEST, "relay: %s", err);
	}
	if (nb_transport_connect(&s->child, to, timeout_ms, err))
		return nb_op_fail(s, NB_E_CONNECT, "relay: %s", err);
	s->child.spin_us = s->a->o.spin_us;
	s->child.spin_off = &s->a->running;
	cJSON_AddStringToObject(r, "peer", s->child.desc);
	s->after = NB_AFTER_RELAY;
	return 0;
}

/* ---- the table ------------------------------------------------------------------- */

static const struct nb_op ops[] = {
	{ "hello", NB_OP_NOAUTH, op_hello },
	{ "sysinfo", 0, op_sysinfo },
	{ "put", 0, op_put },
	{ "run", 0, op_run },
	{ "relay", 0, op_relay },
	{ "ping", 0, op_ping },
	{ "events-probe", 0, nb_op_events_probe },
	{ "exits-start", 0, nb_op_exits_start },
	{ "exits-stop", 0, nb_op_exits_stop },
	{ "exits-pause", 0, nb_op_exits_pause },
	{ "exits-resume", 0, nb_op_exits_resume },
	{ "workers", 0, nb_op_workers },
	{ "bye", NB_OP_NOAUTH, op_bye },
};

const struct nb_op *nb_op_find(const char *name)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

void nb_ops_names(cJSON *array)
{
	for (size_t i = 0; array && i < sizeof(ops) / sizeof(ops[0]); i++)
		cJSON_AddItemToArray(array, cJSON_CreateString(ops[i].name));
}

/* ---- one request ------------------------------------------------------------------ */

void nb_session_request(struct nb_session *s, const char *buf, size_t len)
{
	const struct nb_op *op;
	const char *code;
	cJSON *req = NULL, *reply;
	char msg[NB_ERR_LEN];
	uint64_t t0 = nb_mono_ns();
	int rc;

	s->code = NULL;
	s->msg[0] = '\0';
	if (nb_proto_parse_request(buf, len, &req, &code, msg)) {
		reply = nb_proto_error(req, code, "%s", msg);
		nb_log(s->a, 1, "session %lu: %s: %s", s->n, code, msg);
		nb_session_send(s, reply);
		cJSON_Delete(reply);
		cJSON_Delete(req);
		return;
	}
	const char *name = cJSON_GetObjectItemCaseSensitive(req, "op")->valuestring;
	reply = nb_proto_reply(req);
	op = nb_op_find(name);
	if (!op) {
		char shown[65];
		rc = nb_op_fail(s, NB_E_UNKNOWN_OP, "unknown op '%s' (this agent knows hello, "
				"sysinfo, put, run, relay, ping, events-probe, exits-start, exits-stop, "
				"exits-pause, exits-resume, workers, bye)", nb_utf8_clip(shown, sizeof(shown), name, 64));
	} else if (s->a->has_token && !s->authed && !(op->flags & NB_OP_NOAUTH)) {
		rc = nb_op_fail(s, NB_E_AUTH, "%s refused: this agent requires a token; send hello "
				"with \"token\" first", op->name);
	} else {
		rc = op->handle(s, req, reply);
	}
	if (rc) {
		cJSON *e;
		cJSON_ReplaceItemInObjectCaseSensitive(reply, "ok", cJSON_CreateFalse());
		e = cJSON_AddObjectToObject(reply, "error");
		cJSON_AddStringToObject(e, "code", s->code ? s->code : NB_E_INTERNAL);
		cJSON_AddStringToObject(e, "message", s->msg);
		nb_log(s->a, 1, "session %lu: %s: %s: %s", s->n, name, s->code, s->msg);
	} else {
		nb_log(s->a, 2, "session %lu: %s ok (%.3f ms)", s->n, name,
		       (double)(nb_mono_ns() - t0) / 1e6);
	}
	if (nb_session_send(s, reply) == 0 && s->after == NB_AFTER_RELAY)
		nb_log(s->a, 1, "session %lu: relaying to %s", s->n, s->child.desc);
	cJSON_Delete(reply);
	cJSON_Delete(req);
}
