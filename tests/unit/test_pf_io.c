/* test_pf_io.c - the pf and io families through their setup/run/teardown: fault counts,
 * huge pages, the scratch file's life, user errors, data checks and latency extras.
 * Scratch files go to a private directory under /var/tmp, removed by every test. */
#include "check.h"
#include "../../common/err.h"
#include "../../workloads/meter.h"
#include "../../workloads/params.h"
#include "../../workloads/scratch.h"
#include "../../workloads/workload.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct nb_workload nb_wl_pf_anon, nb_wl_pf_file, nb_wl_pf_thp;
extern const struct nb_workload nb_wl_io_seq_read, nb_wl_io_seq_write, nb_wl_io_rand_read,
	nb_wl_io_rand_write, nb_wl_io_fsync;

static struct nb_ctx ctx;  /* large (scratch paths): one at a time */
static char dir[64];

/* Fill c for w with "k=v" parameters, as the runner does; 0 or -1 (printed). */
static int ctx_init(struct nb_ctx *c, const struct nb_workload *w, const char *const *given, int n)
{
	char texts[NB_MAX_PARAMS][NB_PARAM_TEXT], err[NB_ERR_LEN];

	memset(c, 0, sizeof(*c));
	c->w = w;
	c->cpu = -1;
	if (nb_params_resolve(w, given, n, texts, err) ||
	    nb_params_apply(c, texts, err)) {
		printf("  parameters: %s\n", err);
		return -1;
	}
	return 0;
}

/* One repetition as the runner's run_once does it (quiet: a failure is expected). */
static int run_ops_q(struct nb_ctx *c, uint64_t ops, uint64_t *bytes, int quiet)
{
	uint64_t b = 0;
	int rc;

	c->nextras = 0;
	nb_meter_reset(c);
	rc = c->w->run(c, ops, bytes ? bytes : &b);
	nb_meter_stop(c);
	if (rc && !quiet)
		printf("  run: %s\n", c->err);
	return rc;
}

static int run_ops(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	return run_ops_q(c, ops, bytes, 0);
}

static double extra(const struct nb_ctx *c, const char *key)
{
	for (int i = 0; i < c->nextras; i++)
		if (strcmp(c->extras[i].key, key) == 0)
			return c->extras[i].value;
	return NAN;
}

static int make_dir(void)
{
	snprintf(dir, sizeof(dir), "/var/tmp/nbt-pfio.XXXXXX");
	if (!mkdtemp(dir)) {
		snprintf(dir, sizeof(dir), "/tmp/nbt-pfio.XXXXXX");
		if (!mkdtemp(dir))
			return -1;
	}
	return 0;
}

/* Entries in dir (not . and ..). */
static int count_entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int n = 0;

	if (!dp)
		return -1;
	while ((e = readdir(dp)))
		n += e->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void remove_dir(void)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char p[512];

	if (!dp)
		return;
	chmod(dir, 0700);
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(dp);
	rmdir(dir);
}

static void scratch_path(char *buf, size_t len, const char *prefix)
{
	snprintf(buf, len, "%s/%s.%ld.tmp", dir, prefix, (long)getpid());
}

/* ---- pf -------------------------------------------------------------------------- */

TEST(pf_anon_one_fault_per_page)
{
	const char *p[] = { "regime=warm" };

	CHECK(ctx_init(&ctx, &nb_wl_pf_anon, p, 1) == 0);
	CHECK(ctx.w->setup(&ctx) == 0);
	int rc = run_ops(&ctx, 2000, NULL);
	double f = extra(&ctx, "faults_per_op");
	uint64_t ns = ctx.meter.ns;
	ctx.w->teardown(&ctx);
	CHECK(rc == 0);
	CHECK_MSG(f >= 0.98 && f <= 1.05, "faults_per_op %.4f, expected ~1 (one fault per page)", f);
	CHECK(ns > 0);
	CHECK_MSG(strstr(ctx.notes, "regime warm"), "notes: %s", ctx.notes);
}

static uint64_t minflt_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)ru.ru_minflt;
}

/* Warm: a repetition keeps its pages until the next one frees them just before its
 * measured touch, so fresh pages are touched only for what the held ones lack
 * (faults outside the measurement: n, then 0, then the 500 more, then 0); the cold
 * regime touches and frees n fresh pages every time. */
TEST(pf_anon_warm_reuses_the_last_repetitions_pages)
{
	const char *warm[] = { "regime=warm" }, *cold[] = { "regime=cold", "cold_wait_ms=1" };
	uint64_t f0, outside[4];
	const uint64_t n[4] = { 1000, 1000, 1500, 1000 };

	CHECK(ctx_init(&ctx, &nb_wl_pf_anon, warm, 1) == 0);
	CHECK(ctx.w->setup(&ctx) == 0);
	for (int i = 0; i < 4; i++) {
		f0 = minflt_self();
		CHECK(run_ops(&ctx, n[i], NULL) == 0);
		uint64_t all = minflt_self() - f0, measured = (uint64_t)(extra(&ctx, "faults_per_op") * n[i] + 0.5);
		outside[i] = all > measured ? all - measured : 0;
	}
	ctx.w->teardown(&ctx);
	/* A few faults of page tables and the run's own stack and buffers are allowed. */
	CHECK_MSG(outside[0] >= 1000 && outside[0] < 1100, "first: %llu fresh", (unsigned long long)outside[0]);
	CHECK_MSG(outside[1] < 50, "second: %llu fresh, expected none", (unsigned long long)outside[1]);
	CHECK_MSG(outside[2] >= 500 && outside[2] < 600, "third: %llu fresh, expected 500",
		  (unsigned long long)outside[2]);
	CHECK_MSG(outside[3] < 50, "fourth (fewer than held): %llu fresh", (unsigned long long)outside[3]);

	CHECK(ctx_init(&ctx, &nb_wl_pf_anon, cold, 2) == 0);
	CHECK(ctx.w->setup(&ctx) == 0);
	for (int i = 0; i < 2; i++) {
		f0 = minflt_self();
		CHECK(run_ops(&ctx, 1000, NULL) == 0);
		outside[i] = minflt_self() - f0 - (uint64_t)(extra(&ctx, "faults_per_op") * 1000 + 0.5);
		/* At least the n fresh pages (and its ballast's, which holds low free memory). */
		CHECK_MSG(outside[i] >= 1000, "cold %d: %llu fresh", i,
			  (unsigned long long)outside[i]);
	}
	ctx.w->teardown(&ctx);
}

TEST(pf_anon_cold_regime_waits_outside_measurement)
{
	const char *p[] = { "regime=cold", "cold_wait_ms=40" };

	CHECK(ctx_init(&ctx, &nb_wl_pf_anon, p, 2) == 0);
	CHECK(ctx.w->setup(&ctx) == 0);
	int rc = run_ops(&ctx, 500, NULL);
	double f = extra(&ctx, "faults_per_op"), ballast = extra(&ctx, "ballast_mb");
	uint64_t ns = ctx.meter.ns;
	ctx.w->teardown(&ctx);
	CHECK(rc == 0);
	CHECK_MSG(f >= 0.98 && f <= 1.05, "faults_per_op %.4f", f);
	CHECK_MSG(ballast >= 0, "ballast_mb %g", ballast);  /* NaN when not reported */
	/* 500 faults take ~1 ms; the 40 ms wait must not be measured. */
	CHECK_MSG(ns > 0 && ns < 40000000, "measured %llu ns", (unsigned long long)ns);
	CHECK_MSG(strstr(ctx.notes, "regime cold") && strstr(ctx.notes, "40 ms"), "notes: %s", ctx.notes);
}

TEST(pf_anon_unknown_regime_is_user_error)
{
	/* Rejected by parameter validation, before any setup (and by `cases`). */
	char texts[NB_MAX_PARAMS][NB_PARAM_TEXT], err[NB_ERR_LEN];
	const char *p[] = { "regime=hot" };

	memset(&ctx, 0, sizeof(ctx));
	ctx.w = &nb_wl_pf_anon;
	CHECK(nb_params_resolve(&nb_wl_pf_anon, p, 1, texts, err) == 0);
	CHECK(nb_params_apply(&ctx, texts, err) == -1);
	CHECK_MSG(strstr(err, "'hot' is not one of warm|cold"), "err: %s", err);
}

TEST(pf_thp_huge_pages)
{
	char why[NB_ERR_LEN] = "";
	const char *p[] = { "regime=warm" };

	CHECK(ctx_init(&ctx, &nb_wl_pf_thp, p, 1) == 0);
	const char *reason = ctx.w->supported(&ctx, why);
	if (reason) {
		printf("  (THP unavailable, not checked: %s)\n", reason);
		return;
	}
	CHECK(ctx.w->setup(&ctx) == 0);
	int rc = run_ops(&ctx, 8, NULL);
	double frac = extra(&ctx, "huge_fraction"), f = extra(&ctx, "faults_per_op");
	ctx.w->teardown(&ctx);
	CHECK(rc == 0);
	CHECK_MSG(frac >= 0.9 && frac <= 1.0, "huge_fraction %.3f (notes: %s)", frac, ctx.notes);
	/* A 4 KiB fallback would take 512 faults per op. */
	CHECK_MSG(f >= 0.98 && f <= 1.5, "faults_per_op %.3f", f);
}

TEST(pf_file_fault_around_and_remap)
{
	char pa[512], sz[128];
	const char *p[] = { sz, "size=1M" };
	struct stat st;

	CHECK(make_dir() == 0);
	snprintf(sz, sizeof(sz), "dir=%s", dir);
	scratch_path(pa, sizeof(pa), "nestbench-pf");
	CHECK(ctx_init(&ctx, &nb_wl_pf_file, p, 2) == 0);
	if (ctx.w->setup(&ctx)) {
		printf("  setup: %s\n", ctx.err);
		remove_dir();
		CHECK(0);
	}
	int exists = stat(pa, &st) == 0 && st.st_size == 1 << 20;
	int rc = run_ops(&ctx, 600, NULL);  /* 256 pages: three mappings */
	double f = extra(&ctx, "faults_per_page"), maj = extra(&ctx, "major_faults");
	ctx.w->teardown(&ctx);
	int gone = stat(pa, &st) != 0, left = count_entries(dir);
	remove_dir();
	CHECK(exists);
	CHECK(rc == 0);
	CHECK_MSG(f > 0 && f <= 1.0, "faults_per_page %.4f", f);
	CHECK_MSG(maj == 0, "major faults %g: the file was not in the page cache", maj);
	CHECK(gone && left == 0);
	CHECK(ctx.ntmpfiles == 0);
}

/* ---- io: user errors ------------------------------------------------------------- */

/* Setup of w with params must fail as a user error and leave dir empty. */
static int expect_user_error(const struct nb_workload *w, const char *const *p, int n, const char *want)
{
	if (ctx_init(&ctx, w, p, n))
		return 0;
	if (ctx.w->setup(&ctx) == 0) {
		printf("  %s: setup succeeded\n", want);
		ctx.w->teardown(&ctx);
		return 0;
	}
	if (!ctx.err_is_user || !strstr(ctx.err, want) || ctx.ntmpfiles != 0 || ctx.priv) {
		printf("  wanted a user error with '%s', got user=%d ntmpfiles=%d: %s\n", want,
		       ctx.err_is_user, ctx.ntmpfiles, ctx.err);
		return 0;
	}
	return 1;
}

TEST(io_setup_user_errors)
{
	char d[128], f[160], big[64];
	struct statvfs vfs;
	int ok = 1, fd;

	CHECK(make_dir() == 0);
	snprintf(d, sizeof(d), "dir=%s", dir);
	snprintf(f, sizeof(f), "%s/plain", dir);
	fd = open(f, O_CREAT | O_WRONLY, 0600);
	close(fd);
	snprintf(f, sizeof(f), "dir=%s/plain", dir);
	{
		const char *p[] = { "dir=/nonexistent/nestbench-test" };
		ok &= expect_user_error(&nb_wl_io_seq_read, p, 1, "does not exist");
	}
	{
		const char *p[] = { f };
		ok &= expect_user_error(&nb_wl_io_rand_read, p, 1, "is not a directory");
	}
	{
		const char *p[] = { d, "size=8K" };
		ok &= expect_user_error(&nb_wl_io_rand_read, p, 2, "too small");
	}
	{
		const char *p[] = { d, "size=2M" };  /* 4 blocks of 1M needed */
		ok &= expect_user_error(&nb_wl_io_seq_write, p, 2, "too small");
	}
	{
		const char *p[] = { d, "size=1028K", "bs=8K" };
		ok &= expect_user_error(&nb_wl_io_fsync, p, 3, "not a multiple of bs");
	}
	{
		const char *p[] = { d, "bs=6K" };
		ok &= expect_user_error(&nb_wl_io_rand_write, p, 2, "multiple of 4K");
	}
	if (statvfs(dir, &vfs) == 0) {
		uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		snprintf(big, sizeof(big), "size=%lluM", (unsigned long long)(avail >> 20) + 1024);
		const char *p[] = { d, big };
		ok &= expect_user_error(&nb_wl_io_seq_read, p, 2, "not enough free space");
	}
	{
		const char *p[] = { "dir=/nonexistent/nestbench-test" };
		ok &= expect_user_error(&nb_wl_pf_file, p, 1, "does not exist");
	}
	int left = count_entries(dir);
	remove_dir();
	CHECK(ok);
	CHECK_MSG(left == 1, "%d entries left in the directory (only 'plain' expected)", left);
}

/* Root writes anywhere, so the child drops to nobody first. */
TEST(io_unwritable_dir_is_user_error)
{
	char d[128];
	int status;

	CHECK(make_dir() == 0);
	chmod(dir, 0555);
	snprintf(d, sizeof(d), "dir=%s", dir);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		const char *p[] = { d, "size=1M" };
		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(3);
		if (ctx_init(&ctx, &nb_wl_io_rand_read, p, 2))
			_exit(4);
		if (ctx.w->setup(&ctx) == 0)
			_exit(5);
		_exit(ctx.err_is_user && strstr(ctx.err, "not writable") ? 0 : 6);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	int left = count_entries(dir);
	remove_dir();
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d (3 setuid, 5 setup ok, "
		  "6 wrong error)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	CHECK(left == 0);
}

/* ---- io: runs --------------------------------------------------------------------- */

TEST(io_seq_read_covers_bytes_and_checks_data)
{
	char d[128], pa[512];
	const char *p[] = { d, "size=4M", "bs=1M" };
	struct stat st;
	uint64_t bytes = 0, zero = 0;

	CHECK(make_dir() == 0);
	snprintf(d, sizeof(d), "dir=%s", dir);
	scratch_path(pa, sizeof(pa), "nestbench-io");
	CHECK(ctx_init(&ctx, &nb_wl_io_seq_read, p, 3) == 0);
	if (ctx.w->setup(&ctx)) {
		printf("  setup: %s\n", ctx.err);
		remove_dir();
		CHECK(0);
	}
	/* Real data, not holes: reading a hole is not I/O. */
	int real = stat(pa, &st) == 0 && st.st_size == 4 << 20 && (uint64_t)st.st_blocks * 512 >= 4u << 20;
	int rc1 = run_ops(&ctx, 10, &bytes);  /* wraps around the 4 blocks */
	double direct = extra(&ctx, "direct");
	uint64_t ns = ctx.meter.ns;
	/* Corrupt block 2, which the next repetition reads first (10 mod 4): it must notice. */
	int fd = open(pa, O_WRONLY);
	int wr = fd >= 0 && pwrite(fd, &zero, 8, 2 << 20) == 8;
	if (fd >= 0)
		close(fd);
	int rc2 = run_ops_q(&ctx, 2, NULL, 1);
	int user2 = ctx.err_is_user;
	char err2[NB_ERR_LEN];
	snprintf(err2, sizeof(err2), "%s", ctx.err);
	ctx.w->teardown(&ctx);
	int left = count_entries(dir);
	remove_dir();
	CHECK(real);
	CHECK(rc1 == 0);
	CHECK_EQ_U64(bytes, 10ull << 20);
	CHECK(ns > 0);
	CHECK_MSG(direct == 0 || direct == 1, "direct extra %g", direct);
	CHECK(wr);
	CHECK_MSG(rc2 == -1 && !user2 && strstr(err2, "data check failed"), "rc %d: %s", rc2, err2);
	CHECK(left == 0);
}

TEST(io_tmpfile_lifecycle)
{
	char d[128], pa[512];
	const char *p[] = { d, "size=1M" };
	struct stat st;

	CHECK(make_dir() == 0);
	snprintf(d, sizeof(d), "dir=%s", dir);
	scratch_path(pa, sizeof(pa), "nestbench-io");
	CHECK(ctx_init(&ctx, &nb_wl_io_rand_read, p, 2) == 0);
	if (ctx.w->setup(&ctx)) {
		printf("  setup: %s\n", ctx.err);
		remove_dir();
		CHECK(0);
	}
	int registered = ctx.ntmpfiles == 1 && strcmp(ctx.tmpfiles[0], pa) == 0;
	int during = stat(pa, &st) == 0 && run_ops(&ctx, 50, NULL) == 0 && stat(pa, &st) == 0;
	ctx.w->teardown(&ctx);
	int after = stat(pa, &st) != 0, n = ctx.ntmpfiles, left = count_entries(dir);
	remove_dir();
	CHECK_MSG(registered, "tmpfiles[0] '%s', expected '%s'", ctx.tmpfiles[0], pa);
	CHECK(during);
	CHECK(after);
	CHECK(n == 0 && left == 0);
}

static int latencies_ok(const struct nb_ctx *c, int all)
{
	double mean = extra(c, "lat_mean_ns"), p50 = extra(c, "lat_p50_ns"), p99 = extra(c, "lat_p99_ns"),
	       max = extra(c, "lat_max_ns");

	if (!(p50 > 0 && p50 <= p99) || (all && !(p99 <= max && mean > 0 && mean <= max))) {
		printf("  latencies: mean %g p50 %g p99 %g max %g\n", mean, p50, p99, max);
		return 0;
	}
	return 1;
}

TEST(io_rand_read_latencies_buffered)
{
	char d[128];
	const char *p[] = { d, "size=1M", "direct=0" };

	CHECK(make_dir() == 0);
	snprintf(d, sizeof(d), "dir=%s", dir);
	CHECK(ctx_init(&ctx, &nb_wl_io_rand_read, p, 3) == 0);
	if (ctx.w->setup(&ctx)) {
		printf("  setup: %s\n", ctx.err);
		remove_dir();
		CHECK(0);
	}
	int rc = run_ops(&ctx, 300, NULL);
	int lat = latencies_ok(&ctx, 1);
	double direct = extra(&ctx, "direct");
	/* The per-op latencies lie inside the measured time. */
	double mean = extra(&ctx, "lat_mean_ns"), ns = (double)ctx.meter.ns;
	ctx.w->teardown(&ctx);
	remove_dir();
	CHECK(rc == 0);
	CHECK(lat);
	CHECK_MSG(direct == 0, "direct %g with direct=0", direct);
	CHECK_MSG(strstr(ctx.notes, "buffered") && strstr(ctx.notes, "DONTNEED"), "notes: %s", ctx.notes);
	CHECK_MSG(mean * 300 <= ns, "mean %g x 300 > measured %g ns", mean, ns);
}

/* Writes keep every sector's stamp and really land (generation word set). */
TEST(io_rand_write_and_fsync_keep_data)
{
	char d[128], pa[512];
	const char *p[] = { d, "size=1M" };
	static unsigned char buf[1 << 20];
	int ok = 1, written = 0;

	CHECK(make_dir() == 0);
	snprintf(d, sizeof(d), "dir=%s", dir);
	scratch_path(pa, sizeof(pa), "nestbench-io");
	for (int k = 0; k < 2 && ok; k++) {
		const struct nb_workload *w = k ? &nb_wl_io_fsync : &nb_wl_io_rand_write;
		CHECK(ctx_init(&ctx, w, p, 2) == 0);
		if (ctx.w->setup(&ctx)) {
			printf("  %s setup: %s\n", w->name, ctx.err);
			remove_dir();
			CHECK(0);
		}
		ok &= run_ops(&ctx, k ? 5 : 200, NULL) == 0 && latencies_ok(&ctx, 1);
		ok &= extra(&ctx, "direct") == 0 || extra(&ctx, "direct") == 1;
		int fd = open(pa, O_RDONLY);
		ok &= fd >= 0 && pread(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf);
		if (fd >= 0)
			close(fd);
		for (uint64_t off = 0; off < sizeof(buf); off += 4096) {
			uint64_t st, gen;
			memcpy(&st, buf + off, 8);
			memcpy(&gen, buf + off + 8, 8);
			if (st != (off ^ NB_SCRATCH_STAMP_MAGIC)) {
				printf("  %s: bad stamp at %llu\n", w->name, (unsigned long long)off);
				ok = 0;
				break;
			}
			written += gen != 0;
		}
		ctx.w->teardown(&ctx);
	}
	remove_dir();
	CHECK(ok);
	CHECK_MSG(written >= 5 + 100, "only %d sectors rewritten", written);
}
