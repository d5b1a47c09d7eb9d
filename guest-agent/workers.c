/* workers.c - kept workers (run "keep", op "workers"; PROTOCOL.md "Kept workers").
 *
 * A kept worker is `nestbench-work serve ...` for one case of one session: set up
 * once, it prints a "ready" line, then serves one batch per run command on its stdin
 * until "quit" or end of stream.  It is started and owned as a run is (exec.c,
 * reaper.c: its own process group and cgroup), and it is ended by a quit command, then
 * SIGTERM and SIGKILL to its group after a grace period, then reaped: when it is
 * evicted (--max-workers, --workers-mem-pct: least recently used idle ones first),
 * released (op "workers"), when its session ends, and when the agent stops.
 *
 * The list lives in the agent (struct nb_pool) under its lock; a worker in use by a
 * batch is busy, and nobody else ends it.  A worker leaves the list before it is ended,
 * so each is ended exactly once, by whoever unlinked it. */
#include "agent.h"
#include "../common/files.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKER_GRACE_MS 1000   /* quit to SIGTERM, SIGTERM to SIGKILL */

struct nb_worker {
	struct nb_worker *next;
	unsigned long session;
	char *key;
	char workload[NB_NAME_LEN];
	struct nb_child ch;
	struct nb_sink out;            /* stdout not yet consumed (a partial line) */
	struct nb_sink err;            /* stderr of the current batch */
	int busy;
	unsigned batches;
	uint64_t last_ns;              /* end of its last batch (or its start) */
	double setup_ms;               /* from its ready line */
	double spawn_ms;               /* this request's start-to-ready, 0 when reused */
	int evicted;                   /* by this request */
};

enum { LINES_OK, LINES_EXIT, LINES_TIMEOUT, LINES_HANGUP };

void nb_pool_init(struct nb_pool *p)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->life, NULL);
}

pid_t nb_worker_pid(const struct nb_worker *w)
{
	return w->ch.pid;
}

/* ---- memory ------------------------------------------------------------------------ */

static unsigned long long rss_kib(pid_t pid)
{
	char path[64], *text;
	unsigned long long size = 0, res = 0;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	text = nb_file_read(path, 0, NULL, NULL);
	if (!text || sscanf(text, "%llu %llu", &size, &res) != 2)
		res = 0;
	free(text);
	return res * (unsigned long long)sysconf(_SC_PAGESIZE) / 1024ull;
}

static unsigned long long mem_total_kib(void)
{
	char *text = nb_file_read("/proc/meminfo", 0, NULL, NULL);
	const char *p = text ? strstr(text, "MemTotal:") : NULL;
	unsigned long long kib = 0;

	if (p)
		kib = strtoull(p + 9, NULL, 10);
	free(text);
	return kib;
}

/* ---- ending one -------------------------------------------------------------------- */

static int exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

static void wait_exit(pid_t pid, unsigned ms)
{
	uint64_t until = nb_mono_ns() + (uint64_t)ms * 1000000ull;

	while (!exited(pid) && nb_mono_ns() < until) {
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* Ask an unlinked worker to quit: the command, then end of stream (a quit too). */
static void worker_ask_quit(struct nb_worker *w)
{
	if (w->ch.in >= 0 && !exited(w->ch.pid)) {
		static const char q[] = "{\"op\":\"quit\"}\n";
		ssize_t k = write(w->ch.in, q, sizeof(q) - 1);
		(void)k;   /* a worker that is gone already is ended by worker_end */
	}
	if (w->ch.in >= 0)
		close(w->ch.in);
	w->ch.in = -1;
}

/* End an unlinked worker: quit (when asked), SIGTERM, SIGKILL, reap it and all it
 * started; its status as waitpid gives it (-1 when unknown).  Frees w. */
static int worker_end(struct nb_agent *a, struct nb_worker *w, int quit)
{
	pid_t pid = w->ch.pid;
	int status = -1;

	if (quit)
		worker_ask_quit(w);
	if (w->ch.in >= 0)
		close(w->ch.in);
	w->ch.in = -1;
	if (quit)
		wait_exit(pid, WORKER_GRACE_MS);
	if (!exited(pid)) {
		kill(-pid, SIGTERM);
		wait_exit(pid, WORKER_GRACE_MS);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&a->pool.life);
	if (nb_reaper_end(&w->ch.rp))
		nb_log(a, 0, "kept worker %d of %s: processes still alive after 2 s of SIGKILL",
		       (int)pid, w->workload);
	pthread_mutex_unlock(&a->pool.life);
	if (w->out.fd >= 0)   /* the pipes belong to the sinks (they close at EOF) */
		close(w->out.fd);
	if (w->err.fd >= 0)
		close(w->err.fd);
	free(w->out.buf);
	free(w->err.buf);
	free(w->key);
	free(w);
	return status;
}

static void unlink_locked(struct nb_agent *a, struct nb_worker *w)
{
	for (struct nb_worker **pp = &a->pool.list; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			a->pool.n--;
			return;
		}
}

/* ---- limits ------------------------------------------------------------------------ */

/* The least recently used idle worker when the pool (with room more to come) is over
 * a limit, unlinked; NULL when within both or none is idle. */
static struct nb_worker *over_limit_locked(struct nb_agent *a, unsigned room,
					   unsigned long long budget_kib)
{
	struct nb_worker *lru = NULL;
	unsigned long long rss = 0;

	for (struct nb_worker *w = a->pool.list; w; w = w->next) {
		rss += rss_kib(w->ch.pid);
		if (!w->busy && (!lru || w->last_ns < lru->last_ns))
			lru = w;
	}
	if (a->pool.n + room <= a->o.max_workers && (!budget_kib || rss <= budget_kib))
		return NULL;
	if (lru)
		unlink_locked(a, lru);
	return lru;
}

/* Evict until within --max-workers (counting room more) and --workers-mem-pct. */
static int evict(struct nb_agent *a, unsigned room)
{
	unsigned long long budget = mem_total_kib() * a->o.workers_mem_pct / 100ull;
	struct nb_worker *w;
	int n = 0;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		w = over_limit_locked(a, room, budget);
		pthread_mutex_unlock(&a->lock);
		if (!w)
			return n;
		nb_log(a, 1, "session %lu: evicting kept worker %d of %s (limits: %u workers, "
		       "%u %% of memory)", w->session, (int)w->ch.pid, w->workload,
		       a->o.max_workers, a->o.workers_mem_pct);
		worker_end(a, w, 1);
		n++;
	}
}

/* ---- lines ------------------------------------------------------------------------- */

/* Move the complete lines of w->out into got, up to and including the first record
 * of type `until`; 1 once it came. */
static int take_lines(struct nb_worker *w, struct nb_sink *got, const char *until, cJSON **last)
{
	char *nl;

	while (w->out.len && (nl = memchr(w->out.buf, '\n', w->out.len))) {
		size_t n = (size_t)(nl - w->out.buf) + 1;
		cJSON *o = cJSON_ParseWithLength(w->out.buf, n - 1);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
		int done = cJSON_IsString(t) && strcmp(t->valuestring, until) == 0;

		if (got) {
			char *b = got->len + n > got->max ? NULL : realloc(got->buf, got->len + n + 1);
			if (!b) {
				got->truncated = 1;
			} else {
				memcpy(b + got->len, w->out.buf, n);
				got->buf = b;
				got->len += n;
				b[got->len] = '\0';
			}
		}
		memmove(w->out.buf, w->out.buf + n, w->out.len - n);
		w->out.len -= n;
		if (done) {
			*last = o;
			return 1;
		}
		cJSON_Delete(o);
	}
	return 0;
}

/* Read the worker's output until a record of type `until` (into *last), the worker's
 * end, the deadline or the client's hang-up. */
static int read_until(struct nb_worker *w, struct nb_sink *got, const char *until,
		      uint64_t deadline, int watch_fd, cJSON **last)
{
	struct nb_hangup client;

	*last = NULL;
	nb_hangup_init(&client, watch_fd);
	for (;;) {
		struct pollfd p[3];
		int n = 0, watch = -1, wait_ms;
		uint64_t now = nb_mono_ns();

		if (take_lines(w, got, until, last))
			return LINES_OK;
		if (w->out.fd < 0)
			return LINES_EXIT;   /* its stdout ended: it is gone */
		if (now >= deadline)
			return LINES_TIMEOUT;
		p[n++] = (struct pollfd){ .fd = w->out.fd, .events = POLLIN };
		if (w->err.fd >= 0)
			p[n++] = (struct pollfd){ .fd = w->err.fd, .events = POLLIN };
		wait_ms = (int)((deadline - now + 999999) / 1000000);
		if (wait_ms > 100)
			wait_ms = 100;   /* a worker whose stdout some child holds: see exited */
		if (client.fd >= 0) {
			watch = n;
			p[n++] = nb_hangup_pollfd(&client);
			wait_ms = nb_hangup_wait_ms(&client, wait_ms);
		}
		if (poll(p, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
			return LINES_EXIT;
		if (watch >= 0 && nb_hangup_check(&client, p[watch].revents))
			return LINES_HANGUP;
		nb_sink_read(&w->out);
		if (w->err.fd >= 0)
			nb_sink_read(&w->err);
		if (w->out.fd >= 0 && exited(w->ch.pid)) {
			nb_sink_read(&w->out);
			if (!take_lines(w, got, until, last)) {
				close(w->out.fd);
				w->out.fd = -1;
			} else {
				return LINES_OK;
			}
		}
	}
}

/* ---- results ----------------------------------------------------------------------- */

/* res from what was read (got) and the worker's stderr; ends and frees w when gone. */
static void fill_result(struct nb_agent *a, struct nb_worker *w, struct nb_sink *got,
			uint64_t t0, int gone, struct nb_exec_result *res)
{
	res->pgid = w->ch.pid;
	snprintf(res->owner, sizeof(res->owner), "%s", w->ch.rp.how);
	res->out = got->buf ? got->buf : strdup("");
	res->out_len = got->len;
	res->out_truncated = got->truncated;
	got->buf = NULL;
	if (gone) {
		int status;
		/* What it printed last, then its status. */
		nb_sink_drain(&w->out, &w->err, 200);
		status = worker_end(a, w, 0);
		res->exit_status = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		res->term_signal = status >= 0 && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		w = NULL;
	}
	res->elapsed_ms = (double)(nb_mono_ns() - t0) / 1e6;
	if (w) {
		res->errout = w->err.buf ? strndup(w->err.buf, w->err.len) : strdup("");
		res->err_len = w->err.len;
		res->err_truncated = w->err.truncated;
	}
}

static void drop_locked_and_end(struct nb_agent *a, struct nb_worker *w, struct nb_sink *got,
				uint64_t t0, struct nb_exec_result *res)
{
	char *errout;
	size_t len;
	int trunc;

	pthread_mutex_lock(&a->lock);
	unlink_locked(a, w);
	pthread_mutex_unlock(&a->lock);
	/* Abandoned or timed out, it is still running: SIGTERM now (it removes its scratch
	 * files), so that its output ends and the agent is free at once for the next
	 * client, as for a run; then stderr is read to its end (kept across worker_end). */
	if (!exited(w->ch.pid))
		kill(-w->ch.pid, SIGTERM);
	nb_sink_drain(&w->out, &w->err, 200);
	errout = w->err.buf ? w->err.buf : strdup("");
	len = w->err.len;
	trunc = w->err.truncated;
	w->err.buf = NULL;
	fill_result(a, w, got, t0, 1, res);
	res->errout = errout;
	res->err_len = len;
	res->err_truncated = trunc;
}

/* ---- start ------------------------------------------------------------------------- */

static struct nb_worker *worker_new(struct nb_session *s, const char *key, const char *workload)
{
	struct nb_worker *w = calloc(1, sizeof(*w));

	if (!w || !(w->key = strdup(key))) {
		free(w);
		return NULL;
	}
	w->session = s->n;
	snprintf(w->workload, sizeof(w->workload), "%s", workload);
	w->out.max = (size_t)s->a->o.max_frame;
	w->err.max = NB_STDERR_MAX;
	w->busy = 1;
	w->last_ns = nb_mono_ns();
	return w;
}

static struct nb_worker *find_locked(struct nb_agent *a, unsigned long session, const char *key)
{
	for (struct nb_worker *w = a->pool.list; w; w = w->next)
		if (w->session == session && strcmp(w->key, key) == 0)
			return w;
	return NULL;
}

/* Start a worker and wait for its ready line.  1: ready; 0: it ended first, or
 * timed out, or the client hung up (res says which); -1 after nb_op_fail. */
static int spawn(struct nb_session *s, const struct nb_exec_req *x, const char *key,
		 const char *workload, struct nb_worker **out, struct nb_exec_result *res)
{
	struct nb_agent *a = s->a;
	struct nb_sink got = { .max = (size_t)a->o.max_frame, .fd = -1 };
	struct nb_worker *w = worker_new(s, key, workload);
	uint64_t t0 = nb_mono_ns();
	char err[NB_ERR_LEN];
	cJSON *ready = NULL;
	int rc;

	if (!w)
		return nb_op_fail(s, NB_E_INTERNAL, "out of memory");
	pthread_mutex_lock(&a->pool.life);
	rc = nb_exec_start(x, 1, ++a->pool.next_id, &w->ch, err);
	pthread_mutex_unlock(&a->pool.life);
	if (rc) {
		free(w->key);
		free(w);
		return nb_op_fail(s, NB_E_INTERNAL, "cannot start the workload: %s", err);
	}
	w->out.fd = w->ch.out;
	w->err.fd = w->ch.err;
	w->ch.out = w->ch.err = -1;
	pthread_mutex_lock(&a->lock);
	w->next = a->pool.list;
	a->pool.list = w;
	a->pool.n++;
	pthread_mutex_unlock(&a->lock);
	rc = read_until(w, &got, "ready", t0 + (uint64_t)x->timeout_ms * 1000000ull, x->watch_fd,
			&ready);
	if (rc == LINES_OK) {
		w->setup_ms = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ready,
										   "setup_ms"));
		if (w->setup_ms != w->setup_ms)
			w->setup_ms = 0;   /* NaN: not given */
		w->spawn_ms = (double)(nb_mono_ns() - t0) / 1e6;
		cJSON_Delete(ready);
		free(got.buf);
		*out = w;
		nb_log(a, 1, "session %lu: kept worker %d of %s ready in %.0f ms", s->n,
		       (int)w->ch.pid, workload, w->spawn_ms);
		return 1;
	}
	/* A skip (exit 77), a setup failure: what it printed is the reply, as for a run. */
	res->timed_out = rc == LINES_TIMEOUT;
	res->abandoned = rc == LINES_HANGUP;
	drop_locked_and_end(a, w, &got, t0, res);
	return 0;
}

int nb_workers_get(struct nb_session *s, const struct nb_exec_req *x, const char *key,
		   const char *workload, struct nb_worker **w, struct nb_exec_result *res)
{
	struct nb_agent *a = s->a;
	int evicted = 0, rc;

	memset(res, 0, sizeof(*res));
	*w = NULL;
	pthread_mutex_lock(&a->lock);
	if ((*w = find_locked(a, s->n, key))) {
		(*w)->busy = 1;
		(*w)->spawn_ms = 0;
		(*w)->evicted = 0;
	}
	pthread_mutex_unlock(&a->lock);
	if (*w)
		return 1;
	evicted = evict(a, 1);
	rc = spawn(s, x, key, workload, w, res);
	if (rc == 1)
		(*w)->evicted = evicted;
	return rc;
}

/* ---- one batch --------------------------------------------------------------------- */

static void add_worker_info(const struct nb_worker *w, pid_t pid, int reused, cJSON *reply)
{
	cJSON *o = cJSON_AddObjectToObject(reply, "worker");

	cJSON_AddNumberToObject(o, "pid", pid);
	cJSON_AddNumberToObject(o, "batch", w ? w->batches : 0);
	cJSON_AddBoolToObject(o, "reused", reused);
	cJSON_AddNumberToObject(o, "spawn_ms", w ? w->spawn_ms : 0);
	cJSON_AddNumberToObject(o, "setup_ms", w ? w->setup_ms : 0);
	cJSON_AddNumberToObject(o, "evicted", w ? w->evicted : 0);
}

static const char *ended_how(const struct nb_exec_result *res, char *buf, size_t len)
{
	if (res->exit_status >= 0)
		snprintf(buf, len, "exited with status %d", res->exit_status);
	else if (res->term_signal)
		snprintf(buf, len, "was killed by signal %s", sigabbrev_np(res->term_signal)
							      ? sigabbrev_np(res->term_signal) : "?");
	else
		snprintf(buf, len, "ended");
	return buf;
}

int nb_workers_run(struct nb_session *s, struct nb_worker *w, const cJSON *cmd,
		   unsigned timeout_ms, struct nb_exec_result *res, cJSON *reply)
{
	struct nb_agent *a = s->a;
	struct nb_sink got = { .max = (size_t)a->o.max_frame, .fd = -1 };
	uint64_t t0 = nb_mono_ns();
	char *line = cJSON_PrintUnformatted(cmd), how[64];
	pid_t pid = w->ch.pid;
	int reused = w->batches > 0, rc = LINES_EXIT;
	size_t len = line ? strlen(line) : 0;
	cJSON *end = NULL;

	free(w->err.buf);   /* this batch's stderr only */
	w->err.buf = NULL;
	w->err.len = w->err.cap = 0;
	w->err.truncated = 0;
	if (line && len < 65536) {
		line[len] = '\n';   /* over the NUL: written with its length */
		if (write(w->ch.in, line, len + 1) == (ssize_t)(len + 1))
			rc = read_until(w, &got, "end", t0 + (uint64_t)timeout_ms * 1000000ull,
					s->conn.wfd, &end);
	}
	free(line);
	cJSON_Delete(end);
	if (rc == LINES_OK) {
		fill_result(a, w, &got, t0, 0, res);
		w->batches++;
		w->evicted += evict(a, 0);   /* still busy: not itself */
		add_worker_info(w, pid, reused, reply);
		pthread_mutex_lock(&a->lock);
		w->busy = 0;
		w->last_ns = nb_mono_ns();
		pthread_mutex_unlock(&a->lock);
		return 0;
	}
	/* Timed out, abandoned or gone: the worker is ended and dropped. */
	res->timed_out = rc == LINES_TIMEOUT;
	res->abandoned = rc == LINES_HANGUP;
	drop_locked_and_end(a, w, &got, t0, res);
	add_worker_info(NULL, pid, reused, reply);
	if (rc != LINES_EXIT)
		return 0;   /* the caller reports a timeout as a run's */
	return nb_op_fail(s, NB_E_WORKER, "the kept worker (pid %d) %s before its batch ended: "
			  "it was dropped, and the next request starts a new one (see \"stderr\"); "
			  "a worker killed from outside, or a failure in the workload", (int)pid,
			  ended_how(res, how, sizeof(how)));
}

/* ---- teardown and the workers op --------------------------------------------------- */

int nb_workers_end_session(struct nb_agent *a, unsigned long session, int all)
{
	struct nb_worker *ending = NULL, *w;
	int n = 0;

	/* Every one is asked to quit before any is waited for: they free their memory
	 * and scratch files side by side, not one after another. */
	for (;;) {
		w = NULL;
		pthread_mutex_lock(&a->lock);
		for (struct nb_worker *it = a->pool.list; it && !w; it = it->next)
			if (!it->busy && (all || it->session == session))
				w = it;
		if (w)
			unlink_locked(a, w);
		pthread_mutex_unlock(&a->lock);
		if (!w)
			break;
		worker_ask_quit(w);
		w->next = ending;
		ending = w;
	}
	while ((w = ending)) {
		ending = w->next;
		worker_end(a, w, 1);
		n++;
	}
	return n;
}

int nb_op_workers(struct nb_session *s, const cJSON *req, cJSON *r)
{
	struct nb_agent *a = s->a;
	const cJSON *rel = cJSON_GetObjectItemCaseSensitive(req, "release");
	uint64_t now = nb_mono_ns();
	cJSON *arr;

	if (rel && !cJSON_IsBool(rel))
		return nb_op_fail(s, NB_E_BAD_REQUEST, "\"release\" must be true or false");
	if (cJSON_IsTrue(rel)) {
		cJSON_AddNumberToObject(r, "released", nb_workers_end_session(a, s->n, 0));
		return 0;
	}
	arr = cJSON_AddArrayToObject(r, "workers");
	pthread_mutex_lock(&a->lock);
	for (struct nb_worker *w = a->pool.list; w; w = w->next) {
		if (w->session != s->n)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", w->key);
		cJSON_AddStringToObject(o, "workload", w->workload);
		cJSON_AddNumberToObject(o, "pid", w->ch.pid);
		cJSON_AddNumberToObject(o, "batches", w->batches);
		cJSON_AddNumberToObject(o, "rss_kib", (double)rss_kib(w->ch.pid));
		cJSON_AddNumberToObject(o, "idle_ms", w->busy ? 0 : (double)(now - w->last_ns) / 1e6);
		cJSON_AddItemToArray(arr, o);
	}
	pthread_mutex_unlock(&a->lock);
	cJSON_AddNumberToObject(r, "max_workers", a->o.max_workers);
	cJSON_AddNumberToObject(r, "workers_mem_pct", a->o.workers_mem_pct);
	return 0;
}
