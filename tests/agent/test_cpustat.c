/* test_cpustat.c - the run reply's interference from two /proc/stat snapshots: known
 * answers, and a real run through the agent carries it. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "fixture.h"
#include "../../guest-agent/cpustat.h"

#include <math.h>
#include <stdio.h>

TEST(cpustat_parse_aggregate_line)
{
	struct nb_cpustat s;

	CHECK(nb_cpustat_parse("cpu  10 2 30 400 5 6 7 8 9 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n", &s) == 0);
	CHECK(s.user == 10 && s.nice == 2 && s.system == 30 && s.idle == 400 && s.iowait == 5 &&
	      s.irq == 6 && s.softirq == 7 && s.steal == 8);
	/* an old kernel without steal: the rest is 0 */
	CHECK(nb_cpustat_parse("intr 5\ncpu  1 2 3 4\n", &s) == 0 && s.idle == 4 && s.steal == 0);
	CHECK(nb_cpustat_parse("cpu0 1 2 3 4\n", &s) == -1);
	CHECK(nb_cpustat_parse("", &s) == -1);
}

TEST(cpustat_interference_known_answers)
{
	/* Over the window: 200 ticks in all; 100 busy (user 60, nice 0, system 30, irq 4,
	 * softirq 6), 80 idle, 0 iowait, 20 steal.  The workload used 0.5 s = 50 ticks at
	 * 100 ticks/s, so others were busy 50 ticks: 25 % of all CPUs; steal 10 %. */
	struct nb_cpustat a = { 1000, 5, 500, 9000, 10, 40, 60, 100 };
	struct nb_cpustat b = { 1060, 5, 530, 9080, 10, 44, 66, 120 };
	double steal, other;

	CHECK(nb_cpustat_interference(&a, &b, 0.5, 100, &steal, &other) == 0);
	CHECK_MSG(fabs(steal - 10.0) < 1e-9, "steal %g", steal);
	CHECK_MSG(fabs(other - 25.0) < 1e-9, "other %g", other);
	/* The workload's time counted by rusage can exceed the ticks (rounding): never < 0. */
	CHECK(nb_cpustat_interference(&a, &b, 2.0, 100, &steal, &other) == 0 && other == 0);
	/* No tick passed, or too few to make a share of: nothing to say. */
	CHECK(nb_cpustat_interference(&a, &a, 0, 100, &steal, &other) == -1);
	struct nb_cpustat c = a;
	c.user += 5;
	c.idle += NB_CPUSTAT_MIN_TICKS - 6;   /* one tick short */
	CHECK(nb_cpustat_interference(&a, &c, 0, 100, &steal, &other) == -1);
	c.idle++;
	CHECK(nb_cpustat_interference(&a, &c, 0, 100, &steal, &other) == 0 && other == 50);
}

TEST(cpustat_reads_this_machine)
{
	struct nb_cpustat s;

	CHECK(nb_cpustat_read(&s) == 0);
	CHECK(s.user + s.system + s.idle > 0);
}

/* A run's reply carries "interference" over its window (long enough for ticks). */
static void run_interference_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "itf", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	cJSON *r = NULL;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK_MSG(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0, "%s", err);
	nb_run_spec_init(&sp);
	snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
	snprintf(sp.workload, sizeof(sp.workload), "cpu.int");
	sp.reps = 3;
	sp.min_time_ms = 50;
	CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "%s", err);
	double steal = fx_num(r, "interference.steal_pct"), other = fx_num(r, "interference.other_busy_pct");
	double ms = fx_num(r, "interference.window_ms");
	CHECK_MSG(steal >= 0 && steal <= 100, "steal_pct %g", steal);
	CHECK_MSG(other >= 0 && other <= 100, "other_busy_pct %g", other);
	CHECK_MSG(ms >= fx_num(r, "elapsed_ms") * 0.9 && ms < 60000, "window_ms %g, elapsed_ms %g", ms,
		  fx_num(r, "elapsed_ms"));
	cJSON_Delete(r);
	nb_client_close(&c);
}

TEST(cpustat_run_reply_carries_interference) { FX_RUN(run_interference_body); }
