/* meter.c - timing and perf counters over a workload's measured region.
 *
 * Time is CLOCK_MONOTONIC_RAW (immune to NTP slewing); the TSC only gives cycle
 * counts.  Counters are opened here with perf_event_open from encodings the agent
 * prepared with libpfm4, enabled only between nb_meter_start and nb_meter_stop, and
 * read with time_enabled/time_running so multiplexed counts can be scaled. */
#include "meter.h"
#include "../common/err.h"
#include "cpuinfo.h"
#include "perfopen.h"
#include "../common/units.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

void nb_meter_start(struct nb_ctx *c)
{
	struct nb_meter *m = &c->meter;

	for (int i = 0; i < m->nevents; i++)
		if (m->events[i].fd >= 0)
			ioctl(m->events[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	m->running = 1;
	m->t0_ns = nb_now_ns();
	m->t0_tsc = nb_rdtsc();
}

void nb_meter_stop(struct nb_ctx *c)
{
	struct nb_meter *m = &c->meter;
	uint64_t tsc = nb_rdtsc(), ns = nb_now_ns();

	if (!m->running)
		return;
	m->ns += ns - m->t0_ns;
	m->tsc += tsc - m->t0_tsc;
	m->running = 0;
	for (int i = 0; i < m->nevents; i++)
		if (m->events[i].fd >= 0)
			ioctl(m->events[i].fd, PERF_EVENT_IOC_DISABLE, 0);
}

/* Read value/enabled/running of one counter; 0 on success. */
static int read_event(const struct nb_event *e, uint64_t out[3])
{
	return read(e->fd, out, 3 * sizeof(uint64_t)) == (ssize_t)(3 * sizeof(uint64_t)) ? 0 : -1;
}

/* RESET zeroes the count but not time_enabled/time_running, so each repetition keeps
 * a baseline of all three and reports differences. */
void nb_meter_reset(struct nb_ctx *c)
{
	struct nb_meter *m = &c->meter;

	m->ns = m->tsc = 0;
	m->running = 0;
	for (int i = 0; i < m->nevents; i++) {
		struct nb_event *e = &m->events[i];
		uint64_t now[3] = { 0, 0, 0 };
		if (e->fd >= 0)
			read_event(e, now);
		e->base_value = now[0];
		e->base_enabled = now[1];
		e->base_running = now[2];
		e->value = e->enabled = e->running = 0;
	}
}

void nb_meter_read_events(struct nb_ctx *c)
{
	for (int i = 0; i < c->meter.nevents; i++) {
		struct nb_event *e = &c->meter.events[i];
		uint64_t now[3];
		if (e->fd < 0 || read_event(e, now))
			continue;
		e->value = now[0] - e->base_value;
		e->enabled = now[1] - e->base_enabled;
		e->running = now[2] - e->base_running;
	}
}

double nb_event_scaled(const struct nb_event *e)
{
	if (e->running == 0)
		return e->enabled ? -1.0 : (double)e->value; /* -1: not counted */
	if (e->running >= e->enabled)
		return (double)e->value;
	return (double)e->value * (double)e->enabled / (double)e->running;
}

/* One "TYPE:CONFIG:CONFIG1:CONFIG2:NAME" item; NAME may itself contain ':'. */
static int parse_one(const char *item, struct nb_event *e, char err[NB_ERR_LEN])
{
	char buf[256], *fields[4], *p = buf;
	uint64_t v[4];

	if (strlen(item) >= sizeof(buf)) {
		return nb_err(err, "event encoding too long: '%.40s...'", item);
	}
	strcpy(buf, item);
	for (int i = 0; i < 4; i++) {
		fields[i] = p;
		p = strchr(p, ':');
		if (!p || nb_parse_u64((*p = '\0', fields[i]), &v[i])) {
			snprintf(err, NB_ERR_LEN,
				 "malformed event encoding '%s': expected TYPE:CONFIG:CONFIG1:CONFIG2:NAME "
				 "with numeric fields (the agent prepares these with libpfm4)", item);
			return -1;
		}
		p++;
	}
	if (!*p || strlen(p) >= sizeof(e->name) || v[0] > UINT32_MAX) {
		return nb_err(err, "malformed event encoding '%s': missing or too long name, or bad type",
			 item);
	}
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", p);
	e->type = (uint32_t)v[0];
	e->config = v[1];
	e->config1 = v[2];
	e->config2 = v[3];
	e->fd = -1;
	return 0;
}

int nb_events_parse(const char *spec, struct nb_event *ev, int *n, int max, char err[NB_ERR_LEN])
{
	char buf[2048], *save = NULL;

	if (strlen(spec) >= sizeof(buf)) {
		return nb_err(err, "--events list too long");
	}
	strcpy(buf, spec);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n >= max) {
			return nb_err(err, "too many events (at most %d)", max);
		}
		if (parse_one(tok, &ev[*n], err))
			return -1;
		(*n)++;
	}
	return 0;
}

void nb_events_open(struct nb_ctx *c)
{
	c->meter.events = c->events;
	c->meter.nevents = c->nevents;
	for (int i = 0; i < c->nevents; i++) {
		struct nb_event *e = &c->events[i];
		int user_only;
		e->fd = nb_perf_open_counter(e->type, e->config, e->config1, e->config2, 0, &user_only);
		if (e->fd >= 0 && user_only)
			/* Unprivileged under perf_event_paranoid >= 2: user space only. */
			nb_note(c, "event %s counts user space only (perf_event_paranoid=%d)", e->name,
				nb_perf_paranoid());
		else if (e->fd < 0)
			nb_perf_why(errno, e->unsupported, sizeof(e->unsupported));
	}
}

void nb_events_close(struct nb_ctx *c)
{
	for (int i = 0; i < c->nevents; i++) {
		if (c->events[i].fd >= 0)
			close(c->events[i].fd);
		c->events[i].fd = -1;
	}
}
