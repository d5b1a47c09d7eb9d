/* test_exit.c - the exit and ctl families: each workload does its ops, reports a
 * per-op time and its loop overhead, and the supported()/param checks say why not. */
#include "check.h"
#include "ctx.h"
#include "../../common/err.h"
#include "../../workloads/cpuinfo.h"
#include "../../workloads/meter.h"
#include "../../workloads/params.h"
#include "../../workloads/workload.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct nb_workload nb_wl_exit_cpuid, nb_wl_exit_pio, nb_wl_exit_ipi, nb_wl_exit_timer,
	nb_wl_ctl_syscall, nb_wl_ctl_rdtscp;
uint64_t nb_exit_ipi_answered(const struct nb_ctx *c);

/* One repetition as the runner's run_once does it; returns the workload's status. */
static int run_ops(struct nb_ctx *c, uint64_t ops)
{
	uint64_t bytes = 0;

	c->nextras = 0;
	nb_meter_reset(c);
	if (c->w->run(c, ops, &bytes))
		return -1;
	nb_meter_stop(c);
	return 0;
}

static double extra(const struct nb_ctx *c, const char *key)
{
	for (int i = 0; i < c->nextras; i++)
		if (strcmp(c->extras[i].key, key) == 0)
			return c->extras[i].value;
	return NAN;
}

static double ns_per_op(const struct nb_ctx *c, uint64_t ops)
{
	return (double)c->meter.ns / (double)ops;
}

/* Run a tight-loop workload and check the per-op time beats its empty loop. */
static void check_loop_workload(const struct nb_workload *w, const char *const *given, int n,
				uint64_t ops)
{
	char err[NB_ERR_LEN] = "";
	struct nb_ctx *c = nbt_ctx(w, given, n, err);

	CHECK_MSG(c, "%s: %s", w->name, err);
	if (w->setup && w->setup(c)) {
		if (w->teardown)
			w->teardown(c);
		CHECK_MSG(0, "%s setup: %s", w->name, c->err);
	}
	int rc = run_ops(c, ops);
	if (w->teardown)
		w->teardown(c);
	double per = ns_per_op(c, ops), loop = extra(c, "loop_ns_per_op");
	free(c);
	CHECK_MSG(rc == 0, "%s run failed", w->name);
	CHECK_MSG(per > 0, "%s: %g ns/op", w->name, per);
	CHECK_MSG(loop >= 0, "%s: loop_ns_per_op missing or negative (%g)", w->name, loop);
	CHECK_MSG(loop < per, "%s: empty loop %g ns/iter not below %g ns/op", w->name, loop, per);
}

TEST(exit_descriptors_are_complete)
{
	const struct nb_workload *all[] = { &nb_wl_exit_cpuid, &nb_wl_exit_pio, &nb_wl_exit_ipi,
					    &nb_wl_exit_timer, &nb_wl_ctl_syscall, &nb_wl_ctl_rdtscp };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const struct nb_workload *w = all[i];
		size_t fl = strlen(w->family);
		CHECK_MSG(strncmp(w->name, w->family, fl) == 0 && w->name[fl] == '.', "%s", w->name);
		CHECK(w->unit && w->stresses && w->run);
		CHECK(w->better == NB_LOWER_IS_BETTER && w->metric == NB_METRIC_NS_PER_OP);
		CHECK(nb_workload_find(w->name) == w);
	}
	CHECK_STR(nb_wl_exit_ipi.unit, "ns/roundtrip");
	CHECK_STR(nb_wl_exit_timer.unit, "ns/sleep");
}

TEST(exit_cpuid_costs_more_than_its_loop)
{
	const char *leaf1[] = { "leaf=1" };

	check_loop_workload(&nb_wl_exit_cpuid, NULL, 0, 500);
	check_loop_workload(&nb_wl_exit_cpuid, leaf1, 1, 200);
}

TEST(exit_pio_supported_matches_ioperm)
{
	char err[NB_ERR_LEN] = "", why[NB_ERR_LEN] = "";
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_pio, NULL, 0, err);

	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "port"), 0x80);
	int ok = ioperm(0x80, 1, 1) == 0, e = errno;
	if (ok)
		ioperm(0x80, 1, 0);
	const char *reason = nb_wl_exit_pio.supported(c, why);
	free(c);
	CHECK_MSG(ok == (reason == NULL), "ioperm %s but supported() says %s", ok ? "works" : "fails",
		  reason ? reason : "(supported)");
	if (!ok) {
		/* the reason names the call and its error, and root when that is the cause */
		CHECK_MSG(strstr(reason, "ioperm(0x80)") && strstr(reason, strerror(e)), "%s", reason);
		if (e == EPERM && geteuid() != 0)
			CHECK_MSG(strstr(reason, "needs root for ioperm(0x80): "), "%s", reason);
		if (e == ENOSYS)
			CHECK_MSG(strstr(reason, "CONFIG_X86_IOPL_IOPERM"), "%s", reason);
		printf("  (exit.pio not runnable here: %s)\n", reason);
		return;
	}
	check_loop_workload(&nb_wl_exit_pio, NULL, 0, 200);
}

/* As root, drop to nobody in a child: supported() must then refuse, and say it needs
 * root unless ioperm is missing altogether (ENOSYS: no CONFIG_X86_IOPL_IOPERM). */
TEST(exit_pio_reason_without_root)
{
	if (geteuid() != 0)
		return;  /* the test above covered the unprivileged path */
	fflush(stdout);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char err[NB_ERR_LEN] = "", why[NB_ERR_LEN] = "";
		if (setgid(65534) || setuid(65534))
			_exit(3);
		int enosys = ioperm(0x80, 1, 1) && errno == ENOSYS;
		struct nb_ctx *c = nbt_ctx(&nb_wl_exit_pio, NULL, 0, err);
		const char *r = c ? nb_wl_exit_pio.supported(c, why) : NULL;
		const char *want = enosys ? "ioperm(0x80): Function not implemented"
					  : "needs root for ioperm(0x80): Operation not permitted";
		_exit(r && strstr(r, want) ? 0 : r ? 1 : 2);
	}
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "unprivileged supported(): status %d (1 wrong text, 2 said supported, 3 setuid)",
		  WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

TEST(exit_pio_port_bounds)
{
	char err[NB_ERR_LEN] = "";
	const char *hi[] = { "port=0x400" }, *top[] = { "port=0x3ff" };
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_pio, hi, 1, err);

	CHECK(c == NULL);
	CHECK_MSG(strstr(err, "'port' out of range"), "%s", err);
	c = nbt_ctx(&nb_wl_exit_pio, top, 1, err);
	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "port"), 0x3ff);
	free(c);
}

TEST(exit_ipi_needs_two_cpus)
{
	char err[NB_ERR_LEN] = "", why[NB_ERR_LEN] = "";
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_ipi, NULL, 0, err);
	cpu_set_t before, after;

	CHECK_MSG(c, "%s", err);
	c->nallowed = 1;
	const char *r = nb_wl_exit_ipi.supported(c, why);
	CHECK_MSG(r && strstr(r, "needs two CPUs") && strstr(r, "only 1 is allowed"), "%s",
		  r ? r : "(supported)");
	c->allowed_cpus[0] = 0;
	c->allowed_cpus[1] = 1;
	c->nallowed = 2;
	CHECK(nb_wl_exit_ipi.supported(c, why) == NULL);

	/* Setup without a partner CPU fails cleanly and, as the runner calls no teardown
	 * after a failed setup, frees its state and gives the thread its mask back itself.
	 * Pin first so that setup's "current CPU" is the one we name as the only one. */
	cpu_set_t orig, pinned;
	CHECK(sched_getaffinity(0, sizeof(orig), &orig) == 0);
	int cpu = sched_getcpu();
	CHECK(nb_pin_cpu(cpu, err) == 0);
	CHECK(sched_getaffinity(0, sizeof(before), &before) == 0);
	c->allowed_cpus[0] = cpu;
	c->nallowed = 1;
	int rc = nb_wl_exit_ipi.setup(c);
	CHECK(sched_getaffinity(0, sizeof(after), &after) == 0);
	CHECK(sched_setaffinity(0, sizeof(orig), &orig) == 0);
	CHECK_MSG(rc == -1 && strstr(c->err, "no CPU other than"), "rc %d: %s", rc, c->err);
	CHECK(c->priv == NULL);
	free(c);
	CPU_ZERO(&pinned);
	CPU_SET(cpu, &pinned);
	CHECK(CPU_EQUAL(&before, &pinned) && CPU_EQUAL(&after, &pinned));
}

static void check_ipi(const char *mode, uint64_t ops)
{
	char err[NB_ERR_LEN] = "", why[NB_ERR_LEN] = "";
	const char *given[] = { mode };
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_ipi, given, 1, err);
	cpu_set_t before, after;

	CHECK_MSG(c, "%s", err);
	if (nb_wl_exit_ipi.supported(c, why)) {
		printf("  (skipped: %s)\n", why);
		free(c);
		return;
	}
	CHECK(sched_getaffinity(0, sizeof(before), &before) == 0);
	if (nb_wl_exit_ipi.setup(c)) {
		nb_wl_exit_ipi.teardown(c);
		CHECK_MSG(0, "setup: %s", c->err);
	}
	int rc1 = run_ops(c, ops);
	double per = ns_per_op(c, ops);
	int rc2 = run_ops(c, ops);
	uint64_t answered = nb_exit_ipi_answered(c);
	nb_wl_exit_ipi.teardown(c);
	CHECK(sched_getaffinity(0, sizeof(after), &after) == 0);
	CHECK_MSG(rc1 == 0 && rc2 == 0, "%s: %s", mode, c->err);
	CHECK_MSG(strstr(c->notes, "ping-pong between CPU"), "notes: %s", c->notes);
	free(c);
	/* each run: one unmeasured round trip, then `ops` measured ones */
	CHECK_EQ_U64(answered, 2 * (ops + 1));
	CHECK_MSG(per > 0, "%s: %g ns/roundtrip", mode, per);
	CHECK(CPU_EQUAL(&before, &after));
}

TEST(exit_ipi_futex_partner_answers_every_op) { check_ipi("spin=0", 50); }
TEST(exit_ipi_spin_partner_answers_every_op) { check_ipi("spin=1", 2000); }

TEST(exit_timer_sleeps_at_least_requested)
{
	char err[NB_ERR_LEN] = "";
	const char *given[] = { "ns=200000" };
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_timer, given, 1, err);
	int slack0 = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);

	CHECK_MSG(c, "%s", err);
	CHECK_MSG(nb_wl_exit_timer.setup(c) == 0, "setup: %s", c->err);
	int slack_in = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	int rc = run_ops(c, 10);
	nb_wl_exit_timer.teardown(c);
	int slack1 = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	double per = ns_per_op(c, 10), over = extra(c, "overshoot_ns");
	free(c);
	CHECK(rc == 0);
	CHECK_EQ_U64(slack_in, 1);
	CHECK_EQ_U64(slack1, slack0);
	/* Each sleep lasts >= 200 us of CLOCK_MONOTONIC; the meter's MONOTONIC_RAW may run
	 * up to 500 ppm apart under NTP slewing, hence the 0.1 % margin. */
	CHECK_MSG(per >= 200000 * 0.999, "%g ns/sleep for a 200000 ns sleep", per);
	CHECK_NEAR(over, per - 200000, 1e-6);
}

TEST(exit_timer_rejects_sleeps_below_1us)
{
	char err[NB_ERR_LEN] = "";
	const char *low[] = { "ns=999" }, *min[] = { "ns=1000" };
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_timer, low, 1, err);

	CHECK(c == NULL);
	CHECK_MSG(strstr(err, "'ns' out of range"), "%s", err);
	c = nbt_ctx(&nb_wl_exit_timer, min, 1, err);
	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "ns"), 1000);
	free(c);
	c = nbt_ctx(&nb_wl_exit_timer, NULL, 0, err);
	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "ns"), 50000);
	free(c);
}

TEST(exit_ctl_syscall_costs_more_than_its_loop)
{
	check_loop_workload(&nb_wl_ctl_syscall, NULL, 0, 2000);
}

TEST(exit_ctl_rdtscp_supported_matches_cpuid)
{
	char err[NB_ERR_LEN] = "", why[NB_ERR_LEN] = "";
	struct nb_ctx *c = nbt_ctx(&nb_wl_ctl_rdtscp, NULL, 0, err);
	struct nb_cpuinfo ci;

	CHECK_MSG(c, "%s", err);
	nb_cpuinfo_read(&ci);
	const char *r = nb_wl_ctl_rdtscp.supported(c, why);
	free(c);
	CHECK_MSG(ci.rdtscp == (r == NULL), "cpuinfo rdtscp=%d, supported(): %s", ci.rdtscp,
		  r ? r : "(supported)");
	if (r)
		return;
	check_loop_workload(&nb_wl_ctl_rdtscp, NULL, 0, 2000);
}
