/* clock.h - the one clock for deadlines, timeouts, progress and the harness's own
 * durations (CLOCK_MONOTONIC: it never jumps when the wall clock is set), and the UTC
 * time of day that files record.
 *
 * Not for measurements: a workload times its measured region with CLOCK_MONOTONIC_RAW
 * (nb_now_ns, workloads/cpuinfo.h), which NTP's frequency slewing cannot stretch, and
 * the TSC for cycles.  Keep the two apart: a deadline wants the clock the kernel's own
 * timeouts use, a measurement the one nothing adjusts.
 *
 * Inline, so that any program (the static nestbench-work included) uses it without
 * linking anything. */
#ifndef NB_CLOCK_H
#define NB_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t nb_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CLOCK_MONOTONIC in seconds. */
static inline double nb_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The current UTC time as "2026-11-21T08:24:18Z" (results/SCHEMA.md). */
static inline void nb_utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

#endif
