/* perfopen.h - opening one perf counter and saying plainly why it could not be opened.
 * Shared by the workloads' meter (workloads/meter.c) and the agent's `events-probe`
 * (guest-agent/pmu_encode.c), so both report the same reasons. */
#ifndef NB_PERFOPEN_H
#define NB_PERFOPEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* /proc/sys/kernel/perf_event_paranoid, -99 when unreadable. */
int nb_perf_paranoid(void);

/* A disabled counting event (time enabled/running in its read format) on thread pid
 * (0 = the caller), any CPU.  When the kernel refuses it with EACCES/EPERM (an
 * unprivileged caller under perf_event_paranoid >= 2), it retries counting user space
 * only and sets *user_only.  Returns the fd, or -1 with errno. */
int nb_perf_open_counter(uint32_t type, uint64_t config, uint64_t config1, uint64_t config2,
			 pid_t pid, int *user_only);

/* Why perf_event_open failed with errno err, for people: "not supported here (...): no
 * PMU exposed to this tier?", "permission denied (perf_event_paranoid=2): ...". */
void nb_perf_why(int err, char *buf, size_t len);

#endif
