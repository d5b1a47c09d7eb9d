/* cpustat.h - what else a tier's CPUs did during a run (the run reply's
 * "interference"): steal time and the busy time of processes other than the workload,
 * from two /proc/stat snapshots around the run and the workload's own CPU time. */
#ifndef NB_CPUSTAT_H
#define NB_CPUSTAT_H

/* The aggregate "cpu" line of /proc/stat, in clock ticks (USER_HZ). */
struct nb_cpustat {
	unsigned long long user, nice, system, idle, iowait, irq, softirq, steal;
};

/* Parse the text of /proc/stat; 0, or -1 when it has no "cpu " line. */
int nb_cpustat_parse(const char *text, struct nb_cpustat *s);
/* Read /proc/stat now; 0 or -1. */
int nb_cpustat_read(struct nb_cpustat *s);

/* Over the window from a to b, as % of all CPUs' time: steal, and busy time minus
 * self_s (the workload's CPU seconds, ticks_per_s from sysconf(_SC_CLK_TCK)), never
 * below 0.  -1 when fewer than NB_CPUSTAT_MIN_TICKS ticks passed over all CPUs: a
 * share of a handful of ticks reads 0, 50 or 100 % by rounding alone (a kept worker's
 * visit can last 6 ms), and would pass for a change of the machine's load. */
#define NB_CPUSTAT_MIN_TICKS 10
int nb_cpustat_interference(const struct nb_cpustat *a, const struct nb_cpustat *b, double self_s,
			    double ticks_per_s, double *steal_pct, double *other_busy_pct);

/* A process's own CPU time, utime + stime in clock ticks, from the text of its
 * /proc/PID/stat (a kept worker is alive: RUSAGE_CHILDREN does not count it yet).
 * 0, or -1 when the text is not such a line. */
int nb_cpustat_proc_parse(const char *text, unsigned long long *ticks);
/* The same read now for pid; 0 or -1. */
int nb_cpustat_proc_read(int pid, unsigned long long *ticks);

#endif
