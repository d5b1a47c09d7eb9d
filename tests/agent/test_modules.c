/* test_modules.c - the agent's store, exec, events and CPU choice, called directly. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../guest-agent/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int rm_one(const char *p, const struct stat *st, int fl, struct FTW *ftw)
{
	(void)st;
	(void)fl;
	(void)ftw;
	return remove(p);
}

static void rm_rf(const char *dir) { nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS); }

static int tmp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strncmp(de->d_name, ".tmp-", 5) == 0;
	closedir(d);
	return n;
}

static void store_body(const char *dir)
{
	struct nb_store st;
	struct nb_store_put p;
	char err[NB_ERR_LEN], msg[NB_ERR_LEN], hex[NB_SHA256_HEX], path[PATH_MAX], state[PATH_MAX];
	const char *code;
	struct stat sb;

	snprintf(state, sizeof(state), "%s/state", dir);
	CHECK(nb_store_open(&st, "relative/dir", err) == -1 && strstr(err, "absolute"));
	CHECK(nb_store_open(&st, state, err) == 0);
	CHECK(nb_sha256_buf("hello", 5, hex, err) == 0);

	/* wrong content: nothing stored, no temporary file left */
	CHECK(nb_store_put_begin(&st, &p, err) == 0);
	nb_store_put_write(&p, "hellO", 5);
	CHECK(nb_store_put_finish(&st, &p, hex, &code, msg) == -1);
	CHECK_STR(code, NB_E_HASH_MISMATCH);
	CHECK(!nb_store_has(&st, hex, NULL));
	CHECK(tmp_files(st.dir) == 0);

	CHECK(nb_store_put_begin(&st, &p, err) == 0);
	nb_store_put_write(&p, "hel", 3);
	nb_store_put_write(&p, "lo", 2);
	CHECK(nb_store_put_finish(&st, &p, hex, &code, msg) == 0);
	uint64_t size = 0;
	CHECK(nb_store_has(&st, hex, &size) && size == 5);
	nb_store_path(&st, hex, path, sizeof(path));
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0755);
	CHECK(nb_store_verify(&st, hex, path, sizeof(path), &code, msg) == 0);

	/* Hashed again while its timestamps are too recent to trust; once they are two
	 * seconds old, found intact once and then trusted while unchanged. */
	CHECK(nb_store_verify(&st, hex, path, sizeof(path), &code, msg) == 0);
	unsigned long hashed = st.verified.hashed;
	CHECK(hashed >= 2);
	sleep(2);
	CHECK(nb_store_verify(&st, hex, path, sizeof(path), &code, msg) == 0);
	CHECK(nb_store_verify(&st, hex, path, sizeof(path), &code, msg) == 0);
	CHECK_MSG(st.verified.hashed == hashed + 1, "hashed %lu times, %lu before", st.verified.hashed,
		  hashed);
	/* The same size rewritten and its mtime put back: the ctime moved, so it is hashed. */
	struct timespec times[2] = { sb.st_atim, sb.st_mtim };
	FILE *g = fopen(path, "r+");
	CHECK(g != NULL);
	fputs("HELLO", g);
	fclose(g);
	CHECK(utimensat(AT_FDCWD, path, times, 0) == 0);
	CHECK(nb_store_verify(&st, hex, path, sizeof(path), &code, msg) == -1);
	CHECK_STR(code, NB_E_HASH_MISMATCH);
	CHECK(nb_store_put_begin(&st, &p, err) == 0);   /* stored again for what follows */
	nb_store_put_write(&p, "hello", 5);
	CHECK(nb_store_put_finish(&st, &p, hex, &code, msg) == 0);

	/* changed on disk: refused and removed */
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("evil", f);
	fclose(f);
	CHECK(nb_store_verify(&st, hex, path, sizeof(path), &code, msg) == -1);
	CHECK_STR(code, NB_E_HASH_MISMATCH);
	CHECK(!nb_store_has(&st, hex, NULL));
	CHECK(nb_store_verify(&st, hex, path, sizeof(path), &code, msg) == -1);
	CHECK_STR(code, NB_E_NOT_FOUND);

	/* an interrupted put's temporary file is removed at the next start */
	CHECK(nb_store_put_begin(&st, &p, err) == 0);
	close(p.fd);
	nb_sha256_free(&p.h);
	CHECK(tmp_files(st.dir) == 1);
	CHECK(nb_store_open(&st, state, err) == 0);
	CHECK(tmp_files(st.dir) == 0);
}

TEST(store_verifies_and_cleans_up)
{
	char dir[] = "/tmp/nbt-store.XXXXXX";

	CHECK(mkdtemp(dir) != NULL);
	store_body(dir);
	rm_rf(dir);
}

TEST(store_dir_not_writable)
{
	char dir[] = "/tmp/nbt-store.XXXXXX", file[PATH_MAX], err[NB_ERR_LEN];
	struct nb_store st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(file, sizeof(file), "%s/file", dir);
	FILE *f = fopen(file, "w");
	CHECK(f != NULL);
	fclose(f);
	strcat(file, "/sub");
	CHECK(nb_store_open(&st, file, err) == -1);
	CHECK(strstr(err, "--state-dir") != NULL);
	rm_rf(dir);
}

static struct nb_exec_req sh_req(char *const *argv, unsigned timeout_ms)
{
	struct nb_exec_req x;

	memset(&x, 0, sizeof(x));
	x.path = "/bin/sh";
	x.argv = argv;
	x.cwd = "/";
	x.timeout_ms = timeout_ms;
	x.max_out = 1 << 20;
	x.max_err = 4096;
	x.grace_ms = 300;
	x.watch_fd = -1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);   /* as the agent does */
	return x;
}

static void *close_later(void *arg)
{
	usleep(150000);
	close(*(int *)arg);
	return NULL;
}

TEST(exec_ends_the_workload_when_the_client_hangs_up)
{
	/* Nobody will read the result: the group is ended at once, not at its timeout. */
	char *argv[] = { "sh", "-c", "sleep 30", NULL };
	struct nb_exec_req x = sh_req(argv, 20000);
	struct nb_exec_result r;
	char err[NB_ERR_LEN];
	int pfd[2];
	pthread_t th;

	CHECK(pipe(pfd) == 0);
	x.watch_fd = pfd[0];
	CHECK(pthread_create(&th, NULL, close_later, &pfd[1]) == 0);
	CHECK(nb_exec_run(&x, &r, err) == 0);
	pthread_join(th, NULL);
	close(pfd[0]);
	CHECK(r.abandoned && !r.timed_out);
	CHECK_MSG(r.elapsed_ms < 5000, "took %.0f ms", r.elapsed_ms);
	nb_exec_result_free(&r);
}

TEST(exec_captures_output_and_status)
{
	char *argv[] = { "sh", "-c",
			 "echo '{\"type\":\"meta\"}'; echo plain; echo oops >&2; "
			 "printf '{\"type\":\"end\"}'; exit 3",
			 NULL };
	struct nb_exec_req x = sh_req(argv, 5000);
	struct nb_exec_result r;
	char err[NB_ERR_LEN];

	CHECK(nb_exec_run(&x, &r, err) == 0);
	CHECK(r.exit_status == 3 && !r.timed_out);
	CHECK_STR(r.errout, "oops\n");
	cJSON *rec = cJSON_CreateArray(), *other = cJSON_CreateArray();
	nb_exec_parse_lines(r.out, r.out_len, rec, other);
	CHECK(cJSON_GetArraySize(rec) == 2 && cJSON_GetArraySize(other) == 1);
	CHECK_STR(cJSON_GetArrayItem(other, 0)->valuestring, "plain");
	cJSON_Delete(rec);
	cJSON_Delete(other);
	nb_exec_result_free(&r);
}

TEST(exec_bounds_output)
{
	char *argv[] = { "sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo 0123456789; "
				      "i=$((i+1)); done", NULL };
	struct nb_exec_req x = sh_req(argv, 10000);
	struct nb_exec_result r;
	char err[NB_ERR_LEN];

	x.max_out = 1000;
	CHECK(nb_exec_run(&x, &r, err) == 0);
	CHECK(r.exit_status == 0 && r.out_truncated && r.out_len == 1000);
	nb_exec_result_free(&r);
}

TEST(exec_timeout_kills_the_whole_group)
{
	/* A grandchild in the same group, and a shell that ignores SIGTERM. */
	char *argv[] = { "sh", "-c", "trap '' TERM; sleep 30 & sleep 30; wait", NULL };
	struct nb_exec_req x = sh_req(argv, 200);
	struct nb_exec_result r;
	char err[NB_ERR_LEN];

	CHECK(nb_exec_run(&x, &r, err) == 0);
	CHECK(r.timed_out);
	CHECK(r.exit_status == -1 && r.term_signal == SIGKILL);
	CHECK(r.elapsed_ms >= 200 && r.elapsed_ms < 5000);
	/* Nothing of its process group is left. */
	for (int i = 0; i < 100 && kill(-r.pgid, 0) == 0; i++)
		usleep(10000);
	CHECK(kill(-r.pgid, 0) == -1 && errno == ESRCH);
	nb_exec_result_free(&r);
}

TEST(exec_stragglers_killed_when_leader_exits)
{
	char *argv[] = { "sh", "-c", "sleep 30 >/dev/null 2>&1 & echo started", NULL };
	struct nb_exec_req x = sh_req(argv, 5000);
	struct nb_exec_result r;
	char err[NB_ERR_LEN];

	CHECK(nb_exec_run(&x, &r, err) == 0);
	CHECK(r.exit_status == 0 && !r.timed_out && r.elapsed_ms < 2000);
	for (int i = 0; i < 100 && kill(-r.pgid, 0) == 0; i++)
		usleep(10000);
	CHECK(kill(-r.pgid, 0) == -1 && errno == ESRCH);
	nb_exec_result_free(&r);
}

TEST(events_encode_or_explain)
{
	char enc[160], msg[NB_ERR_LEN], err[NB_ERR_LEN];

	CHECK(nb_events_init(err) == 0);
	CHECK(nb_event_encode("cycles", enc, sizeof(enc), msg) == 0);
	CHECK_STR(enc, "0:0:0:0:cycles");
	CHECK(nb_event_encode("task-clock", enc, sizeof(enc), msg) == 0);
	CHECK_STR(enc, "1:1:0:0:task-clock");
	CHECK(nb_event_encode("no-such-event-xyz", enc, sizeof(enc), msg) == -1);
	CHECK(strstr(msg, "'no-such-event-xyz'") && strstr(msg, "libpfm4"));
	CHECK(nb_event_encode("cycles:u", enc, sizeof(enc), msg) == -1);
	CHECK(strstr(msg, "modifiers") != NULL);
	CHECK(nb_event_encode("cycles,instructions", enc, sizeof(enc), msg) == -1);
}

TEST(cpu_choice_avoids_cpu0)
{
	struct nb_topo t;
	char why[128];
	cpu_set_t set;
	int cpu;

	CHECK(nb_topo_load(&t) == 0);
	cpu = nb_topo_choose_cpu(&t, why, sizeof(why));
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	CHECK(CPU_ISSET(cpu, &set));
	if (CPU_COUNT(&set) > 1)
		CHECK_MSG(cpu != 0, "chose CPU 0 (%s)", why);
	cJSON *s = nb_topo_summary(&t);
	CHECK(cJSON_GetObjectItem(s, "pus")->valuedouble >= 1);
	cJSON_Delete(s);
	nb_topo_free(&t);
}
