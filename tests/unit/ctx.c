/* ctx.c - a workload context for unit tests (ctx.h). */
#include "ctx.h"
#include "../../workloads/params.h"

#include <sched.h>
#include <stdlib.h>

struct nb_ctx *nbt_ctx(const struct nb_workload *w, const char *const *given, int ngiven,
		       char err[NB_ERR_LEN])
{
	char texts[NB_MAX_PARAMS][NB_PARAM_TEXT];   /* nb_params_apply copies them */
	struct nb_ctx *c = calloc(1, sizeof(*c));
	cpu_set_t set;

	err[0] = '\0';
	if (!c)
		return NULL;
	c->w = w;
	c->cpu = -1;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int i = 0; i < CPU_SETSIZE && c->nallowed < NB_MAX_CPUS; i++)
			if (CPU_ISSET(i, &set))
				c->allowed_cpus[c->nallowed++] = i;
	if (nb_params_resolve(w, given, ngiven, texts, err) || nb_params_apply(c, texts, err)) {
		free(c);
		return NULL;
	}
	return c;
}
