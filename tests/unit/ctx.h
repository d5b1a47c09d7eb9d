/* ctx.h - a workload context for unit tests, built as the runner builds one. */
#ifndef NBT_CTX_H
#define NBT_CTX_H

#include "../../workloads/workload.h"
#include "../../common/err.h"

/* A context of one case of w (unpinned, the CPUs this process may use allowed) with
 * the parameters given ("name=value") resolved and applied as the runner does; NULL
 * with err when they are rejected.  Free with free(). */
struct nb_ctx *nbt_ctx(const struct nb_workload *w, const char *const *given, int ngiven,
		       char err[NB_ERR_LEN]);

#endif
