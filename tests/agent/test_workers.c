/* test_workers.c - kept workers (run "keep", op "workers"): one worker serves the
 * batches of one case, limits evict the least recently used, release, the end of a
 * session and a worker's death end and reap them (checked by pid), and a kept worker's
 * own CPU time is not counted as interference.  Most cases run tests/agent/helpers/
 * fake_serve.sh, which speaks the serve contract; the last compares medians with and
 * without keep on the real nestbench-work when it has `serve`. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "fixture.h"
#include "../../guest-agent/cpustat.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the interference of a live worker (no agent) ------------------------------------ */

TEST(workers_proc_stat_cpu_time)
{
	unsigned long long t = 0;
	/* utime 70, stime 30 (fields 14, 15); a comm holding ") (" must not shift them. */
	const char *line = "4242 (nestbench) (w) S 1 4242 4242 0 -1 4194304 100 0 0 0 70 30 0 0 "
			   "20 0 1 0 12345 1000000 200 18446744073709551615\n";

	CHECK(nb_cpustat_proc_parse(line, &t) == 0);
	CHECK_EQ_U64(t, 100);
	CHECK(nb_cpustat_proc_parse("4242 (x S 1", &t) == -1);
	CHECK(nb_cpustat_proc_parse("4242 (x) S 1 2 3", &t) == -1);
	CHECK(nb_cpustat_proc_read((int)getpid(), &t) == 0);
}

TEST(workers_interference_excludes_the_worker)
{
	/* Over the batch: 200 ticks in all, 100 busy, 100 idle.  The kept worker's own
	 * utime+stime grew from 100 to 150 ticks (50 ticks = 0.5 s at 100 ticks/s): others
	 * were busy 50 ticks, 25 %.  RUSAGE_CHILDREN would have said 0 s (the worker is
	 * alive), so 50 %: the inflation this avoids. */
	struct nb_cpustat a = { 1000, 0, 500, 9000, 0, 0, 0, 0 };
	struct nb_cpustat b = { 1070, 0, 530, 9100, 0, 0, 0, 0 };
	const char *before = "77 (nestbench-work) R 1 77 77 0 -1 0 0 0 0 0 60 40 0 0 20 0 1 0 5\n";
	const char *after = "77 (nestbench-work) R 1 77 77 0 -1 0 0 0 0 0 90 60 0 0 20 0 1 0 5\n";
	unsigned long long t0, t1;
	double steal, other;

	CHECK(nb_cpustat_proc_parse(before, &t0) == 0 && nb_cpustat_proc_parse(after, &t1) == 0);
	CHECK_EQ_U64(t1 - t0, 50);
	CHECK(nb_cpustat_interference(&a, &b, (double)(t1 - t0) / 100.0, 100, &steal, &other) == 0);
	CHECK_MSG(fabs(other - 25.0) < 1e-9, "other %g", other);
	CHECK(nb_cpustat_interference(&a, &b, 0, 100, &steal, &other) == 0);
	CHECK_MSG(fabs(other - 50.0) < 1e-9, "other %g", other);
}

/* ---- helpers ----------------------------------------------------------------------- */

/* Store fake_serve.sh (beside this source, found from the repository's root or from
 * the test binary's build directory). */
static int put_fake(struct fx *f, struct nb_client *c, char sha[65])
{
	char path[PATH_MAX], err[NB_ERR_LEN];
	const char *rel = "tests/agent/helpers/fake_serve.sh";
	const char *slash = strrchr(f->work_bin, '/');

	snprintf(path, sizeof(path), "%s", rel);
	if (access(path, R_OK))
		snprintf(path, sizeof(path), "%.*s/../../%s", (int)(slash - f->work_bin),
			 f->work_bin, rel);
	if (nb_client_put_file(c, path, "fake-serve", sha, NULL, err)) {
		printf("  put %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static void keep_spec(struct nb_run_spec *sp, const char *sha, const char *param)
{
	char err[NB_ERR_LEN];

	nb_run_spec_init(sp);
	snprintf(sp->sha256, sizeof(sp->sha256), "%s", sha);
	snprintf(sp->workload, sizeof(sp->workload), "cpu.int");
	sp->reps = 2;
	sp->warmup = 1;
	sp->keep = 1;
	sp->timeout_ms = 20000;
	if (param)
		nb_run_spec_add_param(sp, param, err);
}

/* A kept run: its reply, or NULL (err printed). */
static cJSON *keep_run(struct nb_client *c, const struct nb_run_spec *sp)
{
	char err[NB_ERR_LEN];
	cJSON *r = NULL;

	if (nb_client_run(c, sp, &r, err)) {
		printf("  run: %s\n", err);
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static pid_t worker_pid(const cJSON *r)
{
	return (pid_t)fx_num(r, "worker.pid");
}

/* Gone and reaped: kill(pid, 0) still reaches a zombie. */
static int gone(pid_t pid, int ms)
{
	for (int i = 0; i < ms / 5; i++) {
		if (kill(pid, 0) != 0 && errno == ESRCH)
			return 1;
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* The reply's keys other than "worker" and "interference" (present only when a clock
 * tick passed) are those of a run reply; record types in order too. */
static int same_shape(const cJSON *kept, const cJSON *run)
{
	const cJSON *it;
	int nk = 0, nr = 0;

	cJSON_ArrayForEach(it, kept)
		if (strcmp(it->string, "worker") && strcmp(it->string, "interference") &&
		    strcmp(it->string, "argv")) {
			nk++;
			if (!cJSON_GetObjectItemCaseSensitive(run, it->string)) {
				printf("  %s only in the kept reply\n", it->string);
				return 0;
			}
		}
	cJSON_ArrayForEach(it, run)
		nr += strcmp(it->string, "interference") && strcmp(it->string, "argv");
	if (nk != nr)
		printf("  %d keys in the kept reply, %d in the run reply\n", nk, nr);
	return nk == nr;
}

/* ---- one worker per case ------------------------------------------------------------ */

static void reuse_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	cJSON *r[3] = { NULL }, *plain = NULL, *other = NULL;
	pid_t pid = 0;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	if (!a || put_fake(f, &c, sha))
		return;
	keep_spec(&sp, sha, "size=1");
	for (int i = 0; i < 3; i++) {
		CHECK((r[i] = keep_run(&c, &sp)) != NULL);
		if (!r[i])
			goto out;
		if (i == 0)
			pid = worker_pid(r[i]);
		CHECK_MSG(worker_pid(r[i]) == pid && pid > 0, "pid %d, first %d", worker_pid(r[i]),
			  (int)pid);
		CHECK(fx_num(r[i], "worker.batch") == i + 1);
		CHECK(cJSON_IsBool(fx_field(r[i], "worker.reused")) &&
		      cJSON_IsTrue(fx_field(r[i], "worker.reused")) == (i > 0));
		CHECK(i == 0 ? fx_num(r[i], "worker.spawn_ms") > 0 : fx_num(r[i], "worker.spawn_ms") == 0);
		CHECK(fx_num(r[i], "worker.setup_ms") == 12.5 && fx_num(r[i], "worker.evicted") == 0);
		CHECK(fx_num(r[i], "exit_status") == 0 && cJSON_IsFalse(fx_field(r[i], "timed_out")));
		const cJSON *rec = fx_field(r[i], "records");
		CHECK(fx_count_type(rec, "meta") == 1 && fx_count_type(rec, "rep") == 2 &&
		      fx_count_type(rec, "end") == 1 && fx_count_type(rec, "ready") == 0);
		CHECK(fx_num(cJSON_GetArrayItem(rec, 3), "batch") == i + 1);
		CHECK(strstr(fx_str(r[i], "stderr"), "batch") != NULL);
		CHECK(fx_num(r[i], "elapsed_ms") >= 0);
		const cJSON *mode = cJSON_GetArrayItem(fx_field(r[i], "argv"), 1);
		CHECK(cJSON_IsString(mode) && strcmp(mode->valuestring, "serve") == 0);
	}
	/* The same case without keep: a run reply of the same shape. */
	sp.keep = 0;
	CHECK((plain = keep_run(&c, &sp)) != NULL);
	if (plain)
		CHECK(same_shape(r[2], plain));
	CHECK(!cJSON_GetObjectItemCaseSensitive(plain, "worker"));
	/* Different params: another worker, beside the first. */
	keep_spec(&sp, sha, "size=2");
	CHECK((other = keep_run(&c, &sp)) != NULL);
	CHECK(other && worker_pid(other) != pid && fx_num(other, "worker.batch") == 1);
	CHECK(kill(pid, 0) == 0);
	cJSON_Delete(other);
	CHECK(nb_client_workers(&c, 0, &other, err) == 0);
	CHECK(cJSON_GetArraySize(fx_field(other, "workers")) == 2);
	CHECK(fx_num(cJSON_GetArrayItem(fx_field(other, "workers"), 0), "rss_kib") > 0);
	CHECK(fx_num(cJSON_GetArrayItem(fx_field(other, "workers"), 1), "batches") >= 1);
	cJSON_Delete(other);
	other = NULL;
out:
	for (int i = 0; i < 3; i++)
		cJSON_Delete(r[i]);
	cJSON_Delete(plain);
	cJSON_Delete(other);
	nb_client_close(&c);
	CHECK_MSG(pid > 0 && gone(pid, 5000), "worker %d still there after its session", (int)pid);
}
TEST(workers_keep_reuses_one_worker_per_case) { FX_RUN(reuse_body); }

/* ---- limits, release ------------------------------------------------------------------ */

static void evict_body(struct fx *f)
{
	static const char *const extra[] = { "--max-workers", "1", NULL };
	struct fx_agent *a = fx_agent(f, "a", NULL, extra);
	struct nb_client c;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	cJSON *r1 = NULL, *r2 = NULL, *r3 = NULL, *w = NULL;
	pid_t first;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	if (!a || put_fake(f, &c, sha))
		return;
	keep_spec(&sp, sha, "size=1");
	CHECK((r1 = keep_run(&c, &sp)) != NULL);
	first = worker_pid(r1);
	keep_spec(&sp, sha, "size=2");
	CHECK((r2 = keep_run(&c, &sp)) != NULL);
	CHECK_MSG(fx_num(r2, "worker.evicted") == 1, "evicted %g", fx_num(r2, "worker.evicted"));
	CHECK_MSG(first > 0 && gone(first, 3000), "evicted worker %d not gone", (int)first);
	keep_spec(&sp, sha, "size=1");   /* re-created */
	CHECK((r3 = keep_run(&c, &sp)) != NULL);
	CHECK(r3 && worker_pid(r3) != first && fx_num(r3, "worker.batch") == 1 &&
	      fx_num(r3, "worker.evicted") == 1 && cJSON_IsFalse(fx_field(r3, "worker.reused")));
	CHECK(gone(worker_pid(r2), 3000));
	/* Release ends them all. */
	CHECK_MSG(nb_client_workers(&c, 1, &w, err) == 0, "%s", err);
	CHECK(fx_num(w, "released") == 1);
	CHECK(gone(worker_pid(r3), 3000));
	cJSON_Delete(w);
	CHECK(nb_client_workers(&c, 0, &w, err) == 0 && cJSON_GetArraySize(fx_field(w, "workers")) == 0);
	cJSON_Delete(w);
	cJSON_Delete(r1);
	cJSON_Delete(r2);
	cJSON_Delete(r3);
	nb_client_close(&c);
}
TEST(workers_max_workers_evicts_lru) { FX_RUN(evict_body); }

/* ---- the end of a session, a dead worker, a skip ------------------------------------ */

static void disconnect_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c, d;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	cJSON *r = NULL, *r2 = NULL;
	pid_t mine, theirs;

	CHECK(a && fx_connect(&c, a->addr) == 0 && fx_connect(&d, a->addr) == 0);
	if (!a || put_fake(f, &c, sha))
		return;
	keep_spec(&sp, sha, NULL);
	CHECK((r = keep_run(&c, &sp)) != NULL);
	CHECK((r2 = keep_run(&d, &sp)) != NULL);   /* another session: its own worker */
	mine = worker_pid(r);
	theirs = worker_pid(r2);
	CHECK(mine > 0 && theirs > 0 && mine != theirs);
	nb_client_close(&c);   /* no bye: a hang-up */
	CHECK_MSG(gone(mine, 5000), "worker %d outlived its session", (int)mine);
	CHECK(kill(theirs, 0) == 0);
	CHECK(fx_ping(&d));
	cJSON_Delete(r);
	cJSON_Delete(r2);
	CHECK(nb_client_bye(&d, err) == 0);
	nb_client_close(&d);
	CHECK_MSG(gone(theirs, 5000), "worker %d outlived bye", (int)theirs);
}
TEST(workers_end_with_their_session) { FX_RUN(disconnect_body); }

static void dead_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	cJSON *r = NULL;
	pid_t pid;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	if (!a || put_fake(f, &c, sha))
		return;
	keep_spec(&sp, sha, NULL);
	CHECK((r = keep_run(&c, &sp)) != NULL);
	pid = worker_pid(r);
	cJSON_Delete(r);
	r = NULL;
	CHECK(pid > 0 && kill(pid, SIGKILL) == 0);
	CHECK(nb_client_run(&c, &sp, &r, err) == -1);
	CHECK_STR(c.code, "worker");
	CHECK_MSG(strstr(err, "killed by signal KILL") && !strstr(err, "nb_"), "%s", err);
	CHECK(fx_num(r, "worker.pid") == pid);
	CHECK(gone(pid, 2000));
	cJSON_Delete(r);
	CHECK((r = keep_run(&c, &sp)) != NULL);   /* re-created */
	CHECK(r && worker_pid(r) != pid && fx_num(r, "worker.batch") == 1);
	cJSON_Delete(r);
	/* A skip at start: exactly a run's skip reply, nothing kept. */
	keep_spec(&sp, sha, "skip=1");
	CHECK((r = keep_run(&c, &sp)) != NULL);
	CHECK(fx_num(r, "exit_status") == 77 && !cJSON_GetObjectItemCaseSensitive(r, "worker"));
	CHECK(fx_count_type(fx_field(r, "records"), "skip") == 1 &&
	      fx_count_type(fx_field(r, "records"), "end") == 1);
	cJSON_Delete(r);
	/* A setup failure: its status and stderr. */
	keep_spec(&sp, sha, "fail=1");
	CHECK((r = keep_run(&c, &sp)) != NULL);
	CHECK(fx_num(r, "exit_status") == 1 && strstr(fx_str(r, "stderr"), "fake setup failure"));
	cJSON_Delete(r);
	CHECK(nb_client_workers(&c, 0, &r, err) == 0 && cJSON_GetArraySize(fx_field(r, "workers")) == 1);
	cJSON_Delete(r);
	nb_client_close(&c);
}
TEST(workers_dead_worker_reported_then_recreated) { FX_RUN(dead_body); }

/* A batch past its timeout: the run's timeout error, the worker (and what it started)
 * ended; the agent's shutdown ends the workers that are left. */
static void timeout_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	cJSON *r = NULL;
	pid_t hung, idle;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	if (!a || put_fake(f, &c, sha))
		return;
	keep_spec(&sp, sha, NULL);
	CHECK((r = keep_run(&c, &sp)) != NULL);
	idle = worker_pid(r);
	cJSON_Delete(r);
	keep_spec(&sp, sha, "hang=1");
	sp.timeout_ms = 800;
	CHECK(nb_client_run(&c, &sp, &r, err) == -1);
	CHECK_STR(c.code, "timeout");
	CHECK_MSG(strstr(err, "exceeded its timeout of 800 ms") != NULL, "%s", err);
	hung = worker_pid(r);
	CHECK(cJSON_IsTrue(fx_field(r, "timed_out")) && hung > 0 && hung != idle);
	CHECK(gone(hung, 3000));
	cJSON_Delete(r);
	CHECK(kill(idle, 0) == 0);
	CHECK(fx_agent_stop(a, 5000) == 0);   /* SIGTERM with a kept worker alive */
	CHECK_MSG(gone(idle, 3000), "worker %d outlived the agent", (int)idle);
	nb_client_close(&c);
}
TEST(workers_timeout_and_shutdown) { FX_RUN(timeout_body); }

static void bad_keep_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	cJSON *r;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	if (!a)
		return;
	r = fx_call(&c, "{\"op\":\"run\",\"id\":1,\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\",\"workload\":\"cpu.int\",\"keep\":1}");
	CHECK_STR(fx_code(r), "bad_request");
	CHECK(strstr(fx_str(r, "error.message"), "keep") != NULL);
	cJSON_Delete(r);
	/* keep_group: a string, with keep true. */
	r = fx_call(&c, "{\"op\":\"run\",\"id\":2,\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\",\"workload\":\"mem.bw.copy\",\"keep_group\":\"mem.bw\"}");
	CHECK_STR(fx_code(r), "bad_request");
	CHECK(strstr(fx_str(r, "error.message"), "keep_group") != NULL);
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"run\",\"id\":3,\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\",\"workload\":\"mem.bw.copy\",\"keep\":true,\"keep_group\":7}");
	CHECK_STR(fx_code(r), "bad_request");
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"workers\",\"id\":2,\"release\":\"yes\"}");
	CHECK_STR(fx_code(r), "bad_request");
	cJSON_Delete(r);
	nb_client_close(&c);
}
TEST(workers_bad_fields_refused) { FX_RUN(bad_keep_body); }

/* ---- the real serve mode --------------------------------------------------------------- */

/* Does this nestbench-work have `serve` (another change adds it)? */
static int has_serve(const char *work)
{
	char cmd[PATH_MAX + 64], line[512] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s serve cpu.int --ops 1000 </dev/null 2>/dev/null", work);
	if (!(p = popen(cmd, "r")))
		return 0;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	pclose(p);
	return strstr(line, "\"ready\"") != NULL;
}

/* The fixture's nestbench-work has `serve`; else says so (a SKIP line) and 0. */
static int serve_available(void)
{
	struct fx probe;

	if (fx_begin(&probe)) {
		nbt_fail(__FILE__, __LINE__, "fixture setup failed");
		return 0;
	}
	int ok = has_serve(probe.work_bin);
	if (!ok)
		printf("  SKIP: %s has no `serve` mode: nothing to compare\n", probe.work_bin);
	fx_end(&probe);
	return ok;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* The median of the rep records' ns (the warm-up excluded when marked). */
static double median_ns(const cJSON *r)
{
	double v[256];
	int n = 0;
	const cJSON *it;

	cJSON_ArrayForEach(it, fx_field(r, "records"))
		if (strcmp(fx_str(it, "type"), "rep") == 0 && n < 256 &&
		    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "warmup")) &&
		    fx_num(it, "ns") > 0)
			v[n++] = fx_num(it, "ns");
	if (!n)
		return -1;
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

static void real_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	cJSON *r = NULL, *run = NULL;
	double plain, kept;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK_MSG(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0, "%s", err);
	nb_run_spec_init(&sp);
	snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
	snprintf(sp.workload, sizeof(sp.workload), "cpu.int");
	sp.reps = 15;
	sp.warmup = 2;
	sp.ops = 200000;
	CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "%s", err);
	plain = median_ns(r);
	run = r;
	sp.keep = 1;
	for (int i = 0; i < 2; i++) {   /* the second batch is served by a reused worker */
		CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "%s", err);
		CHECK(fx_num(r, "worker.batch") == i + 1);
		kept = median_ns(r);
		if (i == 0)
			cJSON_Delete(r);
	}
	CHECK_MSG(plain > 0 && kept > 0 && fabs(kept - plain) <= 0.25 * plain,
		  "median ns: run %g, kept %g", plain, kept);
	CHECK(same_shape(r, run));   /* the same reply fields as a run's */
	CHECK(fx_count_type(fx_field(r, "records"), "rep") == fx_count_type(fx_field(run, "records"), "rep"));
	cJSON_Delete(run);
	pid_t pid = worker_pid(r);
	cJSON_Delete(r);
	nb_client_close(&c);
	CHECK(pid > 0 && gone(pid, 5000));
}

/* A setup group's cases share one worker: mem.bw.copy sets the arrays up, mem.bw.add
 * and copy again run on them (same pid, no second setup, each its own calibration);
 * mem.lat, outside the group, gets a worker of its own. */
static void group_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	const char *order[] = { "mem.bw.copy", "mem.bw.add", "mem.bw.copy" };
	cJSON *r = NULL;
	pid_t pid = 0;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK_MSG(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0, "%s", err);
	for (int i = 0; i < 3; i++) {
		nb_run_spec_init(&sp);
		snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
		snprintf(sp.workload, sizeof(sp.workload), "%s", order[i]);
		snprintf(sp.keep_group, sizeof(sp.keep_group), "mem.bw");
		sp.keep = 1;
		sp.reps = 1;
		sp.warmup = 1;
		sp.min_time_ms = 5;
		sp.timeout_ms = 60000;
		CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "%s: %s", order[i], err);
		if (!r)
			break;
		if (i == 0)
			pid = worker_pid(r);
		CHECK_MSG(pid > 0 && worker_pid(r) == pid, "%s: pid %d, first %d", order[i],
			  (int)worker_pid(r), (int)pid);
		CHECK(fx_num(r, "worker.batch") == i + 1);
		const cJSON *rec = fx_field(r, "records"), *meta = cJSON_GetArrayItem(rec, 0);
		CHECK_STR(fx_str(meta, "workload"), order[i]);
		/* add calibrates its own count; copy's second batch reuses copy's */
		CHECK_MSG((fx_num(meta, "calibration_ms") > 0) == (i < 2), "%s batch %d: calibration %g",
			  order[i], i + 1, fx_num(meta, "calibration_ms"));
		CHECK(fx_count_type(rec, "rep") == 2 && fx_num(r, "exit_status") == 0);
		cJSON_Delete(r);
		r = NULL;
	}
	nb_run_spec_init(&sp);
	snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
	snprintf(sp.workload, sizeof(sp.workload), "mem.lat");
	nb_run_spec_add_param(&sp, "size=16K", err);
	sp.keep = 1;
	sp.reps = 1;
	sp.min_time_ms = 5;
	CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "mem.lat: %s", err);
	CHECK(r && worker_pid(r) != pid && fx_num(r, "worker.batch") == 1);
	cJSON_Delete(r);
	nb_client_close(&c);
	CHECK(pid > 0 && gone(pid, 5000));
}

TEST(workers_setup_group_shares_one_worker)
{
	if (serve_available())
		FX_RUN(group_body);
}

TEST(workers_real_serve_medians_agree)
{
	if (serve_available())
		FX_RUN(real_body);
}
