/* interfere.c - the lab VMM's CPU time and the quiet wait (interfere.h). */
#include "interfere.h"
#include "lab.h"
#include "../common/clock.h"
#include "../common/files.h"
#include "../common/json.h"
#include "../resultlib/result.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int nb_pidstat_ticks(const char *text, unsigned long long *ticks)
{
	/* comm may hold spaces and parentheses: the fields start after the last ')'. */
	const char *p = strrchr(text, ')');
	unsigned long long ut, st;

	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	*ticks = ut + st;
	return 0;
}

int nb_pid_cpu_s(pid_t pid, double *s)
{
	char path[64];
	char *text;
	unsigned long long ticks;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(text = nb_file_read(path, 4096, NULL, NULL)))
		return -1;
	rc = nb_pidstat_ticks(text, &ticks);
	free(text);
	if (rc)
		return -1;
	*s = (double)ticks / (double)sysconf(_SC_CLK_TCK);
	return 0;
}

pid_t nb_lab_vmm_pid(const char *lab_dir)
{
	struct nb_lab_paths p;
	char path[PATH_MAX + 16];
	char *text;
	cJSON *st;
	pid_t pid = -1;

	nb_lab_default_paths(&p);
	snprintf(path, sizeof(path), "%s/state.json", lab_dir ? lab_dir : p.dir);
	if (!(text = nb_file_read(path, 1 << 20, NULL, NULL)))
		return -1;
	st = cJSON_Parse(text);
	free(text);
	double v = nb_json_num(st, "pid", -1);
	if (v > 0 && kill((pid_t)v, 0) == 0)
		pid = (pid_t)v;
	cJSON_Delete(st);
	return pid;
}

void nb_vmm_meter_begin(struct nb_vmm_meter *m, pid_t pid)
{
	m->pid = pid;
	m->ok = pid > 0 && nb_pid_cpu_s(pid, &m->cpu0_s) == 0;
	m->t0_s = nb_mono_s();
}

double nb_vmm_meter_end(const struct nb_vmm_meter *m)
{
	double cpu, dt = nb_mono_s() - m->t0_s;

	if (!m->ok || dt <= 0 || nb_pid_cpu_s(m->pid, &cpu))
		return NAN;
	return (cpu - m->cpu0_s) / dt * 100.0;
}

/* Sleep s seconds unless stop is set (checked every 100 ms). */
static void nap(double s, volatile sig_atomic_t *stop)
{
	double end = nb_mono_s() + s;

	while (!(stop && *stop) && nb_mono_s() < end) {
		double left = end - nb_mono_s();
		struct timespec ts = { 0, (long)((left < 0.1 ? left : 0.1) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

int nb_quiet_wait(pid_t pid, const struct nb_quiet_cfg *cfg, volatile sig_atomic_t *stop,
		  struct nb_res_quiet_wait *out)
{
	double t0 = nb_mono_s();
	struct nb_vmm_meter m;

	out->threshold_pct = cfg->threshold_pct;
	out->window_s = cfg->window_s;
	out->timeout_s = cfg->timeout_s;
	out->last_pct = NAN;
	out->quiet = 0;
	for (;;) {
		nb_vmm_meter_begin(&m, pid);
		nap(cfg->window_s, stop);
		out->last_pct = nb_vmm_meter_end(&m);
		out->waited_s = nb_mono_s() - t0;
		if (out->last_pct == out->last_pct && out->last_pct < cfg->threshold_pct) {
			out->quiet = 1;
			break;
		}
		if ((stop && *stop) || out->last_pct != out->last_pct ||
		    out->waited_s + cfg->window_s > cfg->timeout_s)
			break;
	}
	return out->quiet;
}
