/* doctor.h - `nestbench doctor`: is every tier reachable, what is it, what works. */
#ifndef NB_DOCTOR_H
#define NB_DOCTOR_H

#include <stdio.h>

/* config NULL = this machine through a local agent.  Returns 0 when every tier was
 * reached, 2 otherwise. */
int nb_doctor(const char *config, const char *work, const char *agent, const char *state_dir, FILE *out);

#endif
