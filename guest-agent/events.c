/* events.c - perf event names to perf_event_attr fields with libpfm4.
 *
 * The workload opens its counters itself; it receives TYPE:CONFIG:CONFIG1:CONFIG2:NAME
 * per event (workloads/meter.c).  A name libpfm4 cannot encode is refused here, naming
 * it; an encodable event the tier cannot count is reported "unsupported" by the
 * workload in its records.  Modifiers that change other perf_event_attr fields (:u,
 * :k, :precise, :mg, :mh) cannot travel in that encoding and are refused, not dropped. */
#include "agent.h"

#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_LEN 256

int nb_events_init(char *err)
{
	int rc = pfm_initialize();

	if (rc != PFM_SUCCESS) {
		snprintf(err, ERR_LEN, "pfm_initialize: %s", pfm_strerror(rc));
		return -1;
	}
	return 0;
}

int nb_event_encode(const char *name, char *enc, size_t enclen, char *msg, size_t msglen)
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	char *fstr = NULL;
	int rc;

	if (!nb_valid_event_name(name)) {
		snprintf(msg, msglen, "perf event name '%.64s' is not valid (printable, no ',' or "
			 "spaces, under %d bytes)", name, NB_EVENT_NAME_LEN);
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	arg.fstr = &fstr;
	rc = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (rc != PFM_SUCCESS) {
		snprintf(msg, msglen, "perf event '%s' cannot be encoded by libpfm4: %s (list the "
			 "names this CPU knows with libpfm4's showevtinfo, or use generic ones "
			 "such as cycles, instructions, task-clock, page-faults)",
			 name, pfm_strerror(rc));
		free(fstr);
		return -1;
	}
	if (attr.exclude_user || attr.exclude_kernel || attr.precise_ip || attr.exclude_host) {
		snprintf(msg, msglen, "perf event '%s' (%s) uses modifiers that set perf_event_attr "
			 "fields the workload's encoding cannot carry (privilege level, precise, "
			 "guest/host): name the event without :u/:k/:precise/:mg/:mh",
			 name, fstr ? fstr : name);
		free(fstr);
		return -1;
	}
	free(fstr);
	if (snprintf(enc, enclen, "%u:%llu:%llu:%llu:%s", attr.type,
		     (unsigned long long)attr.config, (unsigned long long)attr.config1,
		     (unsigned long long)attr.config2, name) >= (int)enclen) {
		snprintf(msg, msglen, "perf event '%s': encoding too long", name);
		return -1;
	}
	return 0;
}
