/* perfopen.c - see perfopen.h. */
#include "perfopen.h"
#include "../common/files.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int nb_perf_paranoid(void)
{
	char buf[32];
	int v;

	if (nb_read_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf)) ||
	    sscanf(buf, "%d", &v) != 1)
		return -99;
	return v;
}

static int open_one(uint32_t type, uint64_t config, uint64_t config1, uint64_t config2, pid_t pid,
		    int exclude_kernel)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	a.config1 = config1;
	a.config2 = config2;
	a.disabled = 1;
	a.exclude_hv = 1;
	a.exclude_kernel = (unsigned)exclude_kernel;
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	return (int)syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

int nb_perf_open_counter(uint32_t type, uint64_t config, uint64_t config1, uint64_t config2,
			 pid_t pid, int *user_only)
{
	int fd = open_one(type, config, config1, config2, pid, 0);

	*user_only = 0;
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		int saved = errno;
		fd = open_one(type, config, config1, config2, pid, 1);
		if (fd >= 0)
			*user_only = 1;
		else if (errno == EACCES || errno == EPERM)
			errno = saved;
	}
	return fd;
}

void nb_perf_why(int err, char *buf, size_t len)
{
	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		snprintf(buf, len, "not supported here (%s): no PMU exposed to this tier?", strerror(err));
		break;
	case EACCES:
	case EPERM:
		snprintf(buf, len, "permission denied (perf_event_paranoid=%d): run as root or lower it",
			 nb_perf_paranoid());
		break;
	default:
		snprintf(buf, len, "perf_event_open: %s", strerror(err));
	}
}
