/* params.h - workload parameters: defaults, validation, and sweeps ("16K..1G"). */
#ifndef NB_PARAMS_H
#define NB_PARAMS_H

#include "workload.h"
#include "../common/err.h"

#define NB_MAX_SWEEP 64
#define NB_PARAM_TEXT 256

/* Resolve the text of every declared parameter from `given` ("k=v" strings) and the
 * defaults.  Unknown or repeated keys are errors.  texts[i] is "" when unset. */
int nb_params_resolve(const struct nb_workload *w, const char *const *given, int ngiven,
		      char texts[NB_MAX_PARAMS][NB_PARAM_TEXT], char err[NB_ERR_LEN]);

/* Index of the one parameter whose text is a sweep (list "a,b" or range "a..b",
 * ranges doubling); -1 when none; -2 (with err) when more than one. */
int nb_params_sweep_index(const struct nb_workload *w, char texts[NB_MAX_PARAMS][NB_PARAM_TEXT],
			  char err[NB_ERR_LEN]);

/* Expand a sweep text into values; returns the count or -1 with err. */
int nb_param_expand(const struct nb_param_spec *p, const char *text,
		    char out[NB_MAX_SWEEP][NB_PARAM_TEXT], char err[NB_ERR_LEN]);

/* Parse every text into c->params, checking type and bounds. 0 or -1 with err. */
int nb_params_apply(struct nb_ctx *c, char texts[NB_MAX_PARAMS][NB_PARAM_TEXT],
		    char err[NB_ERR_LEN]);

int nb_params_count(const struct nb_workload *w);

#endif
