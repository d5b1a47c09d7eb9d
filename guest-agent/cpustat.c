/* cpustat.c - steal and other processes' busy time over a run (cpustat.h). */
#include "cpustat.h"
#include "../common/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nb_cpustat_parse(const char *text, struct nb_cpustat *s)
{
	const char *p = text;

	memset(s, 0, sizeof(*s));
	/* The aggregate line comes first, but do not rely on it. */
	while (p && strncmp(p, "cpu ", 4) != 0) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	/* Older kernels stop before steal: the missing fields stay 0. */
	int n = sscanf(p + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &s->user, &s->nice,
		       &s->system, &s->idle, &s->iowait, &s->irq, &s->softirq, &s->steal);
	return n >= 4 ? 0 : -1;
}

int nb_cpustat_read(struct nb_cpustat *s)
{
	char *text = nb_file_read("/proc/stat", 0, NULL, NULL);
	int rc = text ? nb_cpustat_parse(text, s) : -1;

	free(text);
	return rc;
}

static unsigned long long busy(const struct nb_cpustat *s)
{
	return s->user + s->nice + s->system + s->irq + s->softirq;
}

/* guest and guest_nice are already part of user and nice: not added again. */
static unsigned long long total(const struct nb_cpustat *s)
{
	return busy(s) + s->idle + s->iowait + s->steal;
}

int nb_cpustat_interference(const struct nb_cpustat *a, const struct nb_cpustat *b, double self_s,
			    double ticks_per_s, double *steal_pct, double *other_busy_pct)
{
	double tot = (double)(total(b) - total(a));
	double other;

	if (total(b) < total(a) + NB_CPUSTAT_MIN_TICKS || ticks_per_s <= 0)
		return -1;
	other = (double)(busy(b) - busy(a)) - self_s * ticks_per_s;
	*steal_pct = (double)(b->steal - a->steal) / tot * 100.0;
	*other_busy_pct = other > 0 ? other / tot * 100.0 : 0.0;
	return 0;
}

int nb_cpustat_proc_parse(const char *text, unsigned long long *ticks)
{
	/* pid (comm) state ppid ... utime is field 14, stime 15; comm may hold ") ". */
	const char *p = strrchr(text, ')');
	unsigned long long ut, st;

	if (!p)
		return -1;
	p++;   /* the space before field 3 */
	for (int field = 3; field < 14 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu %llu", &ut, &st) != 2)
		return -1;
	*ticks = ut + st;
	return 0;
}

int nb_cpustat_proc_read(int pid, unsigned long long *ticks)
{
	char path[64];
	char *text;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	text = nb_file_read(path, 0, NULL, NULL);
	rc = text ? nb_cpustat_proc_parse(text, ticks) : -1;
	free(text);
	return rc;
}
