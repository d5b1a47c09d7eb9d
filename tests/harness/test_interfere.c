/* test_interfere.c - the lab VMM's CPU time (/proc/PID/stat) and the quiet wait. */
#include "../unit/check.h"
#include "../../harness/interfere.h"
#include "../../resultlib/result.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

TEST(interfere_pidstat_ticks_after_the_command_name)
{
	unsigned long long t;

	/* comm with a space and a parenthesis; utime 1500 and stime 250 (fields 14, 15) */
	CHECK(nb_pidstat_ticks("4242 (qemu (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 0 0 "
			       "20 0 9 0 100 0 0", &t) == 0);
	CHECK_MSG(t == 1750, "%llu", t);
	CHECK(nb_pidstat_ticks("4242 (qemu) S 1 2", &t) == -1);
	CHECK(nb_pidstat_ticks("garbage", &t) == -1);
}

TEST(interfere_meter_on_this_process)
{
	struct nb_vmm_meter m;
	volatile double x = 0;
	double s, pct;

	CHECK(nb_pid_cpu_s(getpid(), &s) == 0 && s >= 0);
	nb_vmm_meter_begin(&m, getpid());
	for (long i = 0; i < 60000000; i++)   /* busy: some ticks of CPU time */
		x += (double)i;
	pct = nb_vmm_meter_end(&m);
	CHECK_MSG(pct >= 0 && pct <= 200, "%g", pct);
	nb_vmm_meter_begin(&m, -1);
	CHECK(isnan(nb_vmm_meter_end(&m)));
	CHECK(nb_lab_vmm_pid("/nonexistent-lab-dir") == -1);
}

TEST(interfere_quiet_wait_stops_when_quiet_or_at_timeout)
{
	struct nb_quiet_cfg quiet = { 1, 50.0, 0.2, 5.0 }, busy = { 1, 0.1, 0.2, 0.5 };
	struct nb_res_quiet_wait q = { 0 };
	pid_t parent = getppid();   /* an idle process (the shell or make): quiet at once */

	CHECK(nb_quiet_wait(parent, &quiet, NULL, &q) == 1);
	CHECK(q.quiet && q.waited_s < 1.0 && q.last_pct < 50.0);
	/* a gone process: not quiet, no waiting until the timeout */
	CHECK(nb_quiet_wait(999999999, &busy, NULL, &q) == 0 && isnan(q.last_pct));
	CHECK(q.waited_s < 0.5);
}
