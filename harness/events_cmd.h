/* events_cmd.h - `nestbench events`: what each tier can count — every generic perf event
 * and the page-walk events libpfm4 knows for its CPU, opened or not and why, the
 * hypervisor setting that would expose a PMU, and whether the tier can count its
 * children's VM exits (the agent's events-probe). */
#ifndef NB_EVENTS_CMD_H
#define NB_EVENTS_CMD_H

#include <stdio.h>

struct nb_events_opts {
	const char *config;        /* NULL: this machine through a local agent */
	const char *only_tier;     /* NULL: every tier */
	const char *agent;         /* nestbench-agent for local tiers */
	const char *state_dir;
	const char *lab_dir;       /* NULL: the default lab directory */
	int json;                  /* print the probes as JSON instead of text */
};

/* 0 when every tier was probed, 2 otherwise (a message on stderr or in out). */
int nb_events_cmd(const struct nb_events_opts *o, FILE *out);

#endif
