/* interfere.h - what the lab's VMM did while a tier was measured: the CPU time of the
 * lab's QEMU process on L0 over a visit (samples[].interference.vmm_cpu_pct), and the
 * wait for the lab's guests to be quiet before a campaign measures (quiet_wait). */
#ifndef NB_INTERFERE_H
#define NB_INTERFERE_H

#include "config.h"

#include <signal.h>
#include <sys/types.h>

/* utime + stime, in clock ticks, from the text of /proc/PID/stat; 0 or -1. */
int nb_pidstat_ticks(const char *text, unsigned long long *ticks);
/* The CPU seconds pid has used so far; 0 or -1 (gone, unreadable). */
int nb_pid_cpu_s(pid_t pid, double *s);

/* The pid of the lab's QEMU from the lab's state file (lab_dir NULL: build/lab beside
 * nestbench), if that process is alive; -1 otherwise. */
pid_t nb_lab_vmm_pid(const char *lab_dir);

/* CPU use of a process over a window, as % of one CPU. */
struct nb_vmm_meter {
	pid_t pid;                 /* <= 0: nothing to measure */
	double cpu0_s, t0_s;
	int ok;
};
void nb_vmm_meter_begin(struct nb_vmm_meter *m, pid_t pid);
/* The use since begin, or NaN when it could not be measured. */
double nb_vmm_meter_end(const struct nb_vmm_meter *m);

/* The quiet wait: windows of cfg->window_s until one is below cfg->threshold_pct or
 * cfg->timeout_s has passed (or *stop is set).  Fills the result's quiet_wait fields
 * (target stays the caller's); returns 1 quiet, 0 not. */
struct nb_res_quiet_wait;
int nb_quiet_wait(pid_t pid, const struct nb_quiet_cfg *cfg, volatile sig_atomic_t *stop,
		  struct nb_res_quiet_wait *out);

#endif
