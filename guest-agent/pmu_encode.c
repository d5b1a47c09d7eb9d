/* pmu_encode.c - perf event names to perf_event_attr fields with libpfm4.
 *
 * The workload opens its counters itself; it receives TYPE:CONFIG:CONFIG1:CONFIG2:NAME
 * per event (workloads/meter.c).  A name libpfm4 cannot encode is refused here, naming
 * it; an encodable event the tier cannot count is reported "unsupported" by the
 * workload in its records.  Modifiers that change other perf_event_attr fields (:u,
 * :k, :precise, :mg, :mh) cannot travel in that encoding and are refused, not dropped. */
#include "agent.h"
#include "../common/err.h"
#include "tracepoints.h"
#include "../common/utf8.h"
#include "../workloads/perfopen.h"

#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>


int nb_events_init(char err[NB_ERR_LEN])
{
	int rc = pfm_initialize();

	if (rc != PFM_SUCCESS) {
		return nb_err(err, "pfm_initialize: %s", pfm_strerror(rc));
	}
	return 0;
}

int nb_event_encode(const char *name, char *enc, size_t enclen, char msg[NB_ERR_LEN])
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	char *fstr = NULL;
	int rc;

	if (!nb_valid_event_name(name)) {
		char shown[65];
		return nb_err(msg, "perf event name '%s' is not valid (printable, no ',' or "
			 "spaces, under %d bytes)", nb_utf8_clip(shown, sizeof(shown), name, 64),
			 NB_EVENT_NAME_LEN);
	}
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	arg.fstr = &fstr;
	rc = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (rc != PFM_SUCCESS) {
		snprintf(msg, NB_ERR_LEN, "perf event '%s' cannot be encoded by libpfm4: %s (list the "
			 "names this CPU knows with libpfm4's showevtinfo, or use generic ones "
			 "such as cycles, instructions, task-clock, page-faults)",
			 name, pfm_strerror(rc));
		free(fstr);
		return -1;
	}
	if (attr.exclude_user || attr.exclude_kernel || attr.precise_ip || attr.exclude_host) {
		snprintf(msg, NB_ERR_LEN, "perf event '%s' (%s) uses modifiers that set perf_event_attr "
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
		return nb_err(msg, "perf event '%s': encoding too long", name);
	}
	return 0;
}

/* ---- events-probe: what this tier can count ------------------------------------------ */

/* The generic events the reports lean on (libpfm4's perf PMU names them). */
static const char *const generic_events[] = {
	"cycles", "instructions", "cache-misses", "dTLB-load-misses", "iTLB-load-misses",
	"branch-misses", "page-faults", "context-switches", "cpu-migrations", "task-clock",
};

#define MAX_WALK_EVENTS 16

/* Is a libpfm4 event or umask name about TLB misses or page walks? */
static int walk_like(const char *name)
{
	return strcasestr(name, "WALK") || strcasestr(name, "TLB");
}

/* One libpfm4 event's page-walk entries: its umasks about walks ("EVENT:UMASK"); else,
 * for an event about TLB misses, the event itself, or when it needs a unit mask, one
 * entry per miss umask (e.g. per page size).  Hits and flushes are not walks. */
static void add_walk_event(int e, const pfm_event_info_t *ei, char names[][NB_EVENT_NAME_LEN],
			   int *n, int max)
{
	char um[32][NB_EVENT_NAME_LEN];
	int nu = 0, walks = 0, dfl = 0, miss = 0;

	for (int a = 0; a < ei->nattrs && nu < 32; a++) {
		pfm_event_attr_info_t ai;
		memset(&ai, 0, sizeof(ai));
		ai.size = sizeof(ai);
		if (pfm_get_event_attr_info(e, a, PFM_OS_PERF_EVENT_EXT, &ai) != PFM_SUCCESS ||
		    ai.type != PFM_ATTR_UMASK || strlen(ei->name) + strlen(ai.name) + 2 > NB_EVENT_NAME_LEN)
			continue;
		dfl |= ai.is_dfl;
		walks += strcasestr(ai.name, "WALK") != NULL;
		miss += strcasestr(ai.name, "MISS") && !strcasestr(ai.name, "HIT");
		snprintf(um[nu++], NB_EVENT_NAME_LEN, "%s", ai.name);
	}
	if (!walks && (!walk_like(ei->name) || strcasestr(ei->name, "FLUSH") || strcasestr(ei->name, "HIT")))
		return;
	if (!walks && (nu == 0 || dfl)) {
		if (*n < max)
			snprintf(names[(*n)++], NB_EVENT_NAME_LEN, "%s", ei->name);
		return;
	}
	for (int i = 0; i < nu && *n < max; i++) {
		int take = walks ? strcasestr(um[i], "WALK") != NULL
				 : !miss || (strcasestr(um[i], "MISS") && !strcasestr(um[i], "HIT"));
		if (take)
			snprintf(names[(*n)++], NB_EVENT_NAME_LEN, "%.31s:%.31s", ei->name, um[i]);
	}
}

/* The core PMU libpfm4 detected for this CPU and its page-walk / TLB-miss events
 * ("EVENT" or "EVENT:UMASK" when only a umask is about walks). */
static int walk_events(char names[][NB_EVENT_NAME_LEN], int max, char *pmu, size_t pmulen)
{
	pfm_pmu_t p;
	int n = 0;

	pmu[0] = '\0';
	pfm_for_all_pmus(p) {
		pfm_pmu_info_t pi;
		memset(&pi, 0, sizeof(pi));
		pi.size = sizeof(pi);
		if (pfm_get_pmu_info(p, &pi) != PFM_SUCCESS || !pi.is_present ||
		    pi.type != PFM_PMU_TYPE_CORE)
			continue;
		if (!pmu[0])
			snprintf(pmu, pmulen, "%s", pi.name);
		for (int e = pi.first_event; e != -1 && n < max; e = pfm_get_event_next(e)) {
			pfm_event_info_t ei;
			memset(&ei, 0, sizeof(ei));
			ei.size = sizeof(ei);
			if (pfm_get_event_info(e, PFM_OS_PERF_EVENT_EXT, &ei) != PFM_SUCCESS)
				continue;
			add_walk_event(e, &ei, names, &n, max);
		}
	}
	return n;
}

/* Encode and try to open one event on this thread; one entry of the reply. */
static cJSON *probe_one(const char *name, const char *group, int *hw)
{
	cJSON *e = cJSON_CreateObject();
	char enc[160], msg[NB_ERR_LEN], why[160];
	unsigned type;
	unsigned long long config, config1, config2;
	int user_only, fd;

	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddStringToObject(e, "group", group);
	if (nb_event_encode(name, enc, sizeof(enc), msg)) {
		cJSON_AddBoolToObject(e, "supported", 0);
		cJSON_AddStringToObject(e, "reason", msg);
		return e;
	}
	cJSON_AddStringToObject(e, "encoding", enc);
	if (sscanf(enc, "%u:%llu:%llu:%llu:", &type, &config, &config1, &config2) != 4) {
		cJSON_AddBoolToObject(e, "supported", 0);
		cJSON_AddStringToObject(e, "reason", "unexpected encoding");
		return e;
	}
	fd = nb_perf_open_counter(type, config, config1, config2, 0, &user_only);
	cJSON_AddBoolToObject(e, "supported", fd >= 0);
	if (fd >= 0) {
		close(fd);
		if (user_only)
			cJSON_AddStringToObject(e, "reason", "user space only (perf_event_paranoid): "
						"run the agent as root to count the kernel too");
		if (type == PERF_TYPE_HARDWARE || type == PERF_TYPE_RAW)
			*hw = 1;
	} else {
		nb_perf_why(errno, why, sizeof(why));
		cJSON_AddStringToObject(e, "reason", why);
	}
	return e;
}

int nb_op_events_probe(struct nb_session *s, const cJSON *req, cJSON *r)
{
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(req, "events"), *it;
	char walk[MAX_WALK_EVENTS][NB_EVENT_NAME_LEN], pmu[64];
	int nwalk, hw = 0;
	cJSON *arr;

	if (extra && (!cJSON_IsArray(extra) || cJSON_GetArraySize(extra) > 32))
		return nb_op_fail(s, NB_E_BAD_REQUEST, "\"events\" must be an array of at most 32 "
				  "event names");
	cJSON_ArrayForEach(it, extra)
		if (!cJSON_IsString(it))
			return nb_op_fail(s, NB_E_BAD_REQUEST, "\"events\" entries must be strings");
	nwalk = walk_events(walk, MAX_WALK_EVENTS, pmu, sizeof(pmu));
	arr = cJSON_AddArrayToObject(r, "events");
	for (size_t i = 0; i < sizeof(generic_events) / sizeof(generic_events[0]); i++)
		cJSON_AddItemToArray(arr, probe_one(generic_events[i], "generic", &hw));
	for (int i = 0; i < nwalk; i++)
		cJSON_AddItemToArray(arr, probe_one(walk[i], "page-walk", &hw));
	cJSON_ArrayForEach(it, extra)
		cJSON_AddItemToArray(arr, probe_one(it->valuestring, "requested", &hw));
	cJSON_AddStringToObject(r, "pmu", pmu);
	cJSON_AddBoolToObject(r, "hardware_pmu", hw);
	cJSON_AddNumberToObject(r, "perf_event_paranoid", nb_perf_paranoid());
	cJSON_AddBoolToObject(r, "root", geteuid() == 0);
	cJSON_AddItemToObject(r, "exits", nb_exits_probe());
	return 0;
}
