/* meter.h - the runner's side of the meter and perf counters (workload.h has the
 * start/stop calls that workloads use). */
#ifndef NB_METER_H
#define NB_METER_H

#include "workload.h"
#include "../common/err.h"

void nb_meter_reset(struct nb_ctx *c);
void nb_meter_read_events(struct nb_ctx *c);

/* Count scaled by enabled/running; -1 when the event never ran (perf's <not counted>). */
double nb_event_scaled(const struct nb_event *e);

/* Parse a comma-separated --events list, appending to ev[*n]. 0 or -1 with err. */
int nb_events_parse(const char *spec, struct nb_event *ev, int *n, int max, char err[NB_ERR_LEN]);
void nb_events_open(struct nb_ctx *c);
void nb_events_close(struct nb_ctx *c);

#endif
