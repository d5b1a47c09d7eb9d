/* sysinfo.c - what a tier is: the machine description that `nestbench-work info`
 * prints too (workloads/machine.h: kernel, CPU, memory, the hypervisor evidence, DMI,
 * virtualization modules and devices, the platform), plus what only the agent knows:
 * the hwloc topology (also used to choose the CPU a workload is pinned to) and the
 * agent itself. */
#include "agent.h"
#include "../common/version.h"
#include "../workloads/machine.h"

#include <hwloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- topology -------------------------------------------------------------------- */

int nb_topo_load(struct nb_topo *t)
{
	hwloc_topology_t topo;

	t->t = NULL;
	t->err[0] = '\0';
	if (hwloc_topology_init(&topo)) {
		snprintf(t->err, sizeof(t->err), "hwloc_topology_init failed");
		return -1;
	}
	/* CPUs, caches and NUMA nodes only: skip I/O devices (slow, needs more plugins). */
	hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
	if (hwloc_topology_load(topo)) {
		snprintf(t->err, sizeof(t->err), "hwloc_topology_load failed");
		hwloc_topology_destroy(topo);
		return -1;
	}
	t->t = topo;
	return 0;
}

void nb_topo_free(struct nb_topo *t)
{
	if (t->t)
		hwloc_topology_destroy((hwloc_topology_t)t->t);
	t->t = NULL;
}

/* CPUs this process may run on: hwloc's allowed set and our affinity mask. */
static hwloc_bitmap_t allowed_set(hwloc_topology_t topo)
{
	hwloc_bitmap_t set = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
	hwloc_bitmap_t bound = hwloc_bitmap_alloc();

	if (set && bound && hwloc_get_cpubind(topo, bound, HWLOC_CPUBIND_PROCESS) == 0 &&
	    !hwloc_bitmap_iszero(bound))
		hwloc_bitmap_and(set, set, bound);
	hwloc_bitmap_free(bound);
	return set;
}

static int choose_without_hwloc(char *why, size_t len)
{
	cpu_set_t set;
	int first = -1;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int i = 0; i < CPU_SETSIZE; i++) {
			if (!CPU_ISSET(i, &set))
				continue;
			if (first < 0)
				first = i;
			if (i != 0) {
				snprintf(why, len, "first allowed CPU other than 0 (hwloc unavailable)");
				return i;
			}
		}
	snprintf(why, len, "the only allowed CPU (hwloc unavailable)");
	return first < 0 ? 0 : first;
}

int nb_topo_choose_cpu(const struct nb_topo *t, char *why, size_t len)
{
	hwloc_topology_t topo = (hwloc_topology_t)t->t;
	hwloc_bitmap_t set, cand;
	hwloc_obj_t pu0, core0;
	int cpu;

	if (!topo || !(set = allowed_set(topo)))
		return choose_without_hwloc(why, len);
	if (hwloc_bitmap_weight(set) <= 1) {
		cpu = hwloc_bitmap_first(set);
		hwloc_bitmap_free(set);
		snprintf(why, len, "the only allowed CPU");
		return cpu < 0 ? 0 : cpu;
	}
	cand = hwloc_bitmap_dup(set);
	pu0 = hwloc_get_pu_obj_by_os_index(topo, 0);
	core0 = pu0 ? hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu0) : NULL;
	if (core0 && core0->cpuset)
		hwloc_bitmap_andnot(cand, cand, core0->cpuset);
	if (!hwloc_bitmap_iszero(cand)) {
		cpu = hwloc_bitmap_first(cand);
		snprintf(why, len, "hwloc: first allowed CPU on a core other than CPU 0's");
	} else {
		hwloc_bitmap_clr(set, 0);
		cpu = hwloc_bitmap_first(set);
		snprintf(why, len, "hwloc: first allowed CPU other than 0 (all share CPU 0's core)");
	}
	hwloc_bitmap_free(cand);
	hwloc_bitmap_free(set);
	return cpu < 0 ? 0 : cpu;
}

static void add_cpuset(cJSON *o, const char *key, hwloc_const_bitmap_t set)
{
	char *s = NULL;

	if (set && hwloc_bitmap_list_asprintf(&s, set) >= 0 && s) {
		cJSON_AddStringToObject(o, key, s);
		free(s);
	}
}

cJSON *nb_topo_summary(const struct nb_topo *t)
{
	static const struct {
		hwloc_obj_type_t type;
		int level;
		const char *kind;
	} caches[] = {
		{ HWLOC_OBJ_L1CACHE, 1, "data" },        { HWLOC_OBJ_L1ICACHE, 1, "instruction" },
		{ HWLOC_OBJ_L2CACHE, 2, "unified" },     { HWLOC_OBJ_L2ICACHE, 2, "instruction" },
		{ HWLOC_OBJ_L3CACHE, 3, "unified" },     { HWLOC_OBJ_L3ICACHE, 3, "instruction" },
		{ HWLOC_OBJ_L4CACHE, 4, "unified" },     { HWLOC_OBJ_L5CACHE, 5, "unified" },
	};
	hwloc_topology_t topo = (hwloc_topology_t)t->t;
	cJSON *o = cJSON_CreateObject(), *arr;

	if (!o)
		return NULL;
	if (!topo) {
		cJSON_AddStringToObject(o, "error", t->err[0] ? t->err : "hwloc unavailable");
		return o;
	}
	cJSON_AddStringToObject(o, "source", "hwloc " HWLOC_VERSION);
	cJSON_AddNumberToObject(o, "packages", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE));
	cJSON_AddNumberToObject(o, "cores", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE));
	cJSON_AddNumberToObject(o, "pus", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU));
	cJSON_AddNumberToObject(o, "numa_nodes", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE));
	{
		hwloc_bitmap_t set = allowed_set(topo);
		add_cpuset(o, "allowed_cpus", set);
		hwloc_bitmap_free(set);
	}
	arr = cJSON_AddArrayToObject(o, "caches");
	for (size_t i = 0; arr && i < sizeof(caches) / sizeof(caches[0]); i++) {
		int n = hwloc_get_nbobjs_by_type(topo, caches[i].type);
		hwloc_obj_t c = n > 0 ? hwloc_get_obj_by_type(topo, caches[i].type, 0) : NULL;
		if (!c || !c->attr)
			continue;
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "level", caches[i].level);
		cJSON_AddStringToObject(e, "type", c->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? "data"
						   : c->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION
							   ? "instruction"
							   : caches[i].kind);
		cJSON_AddNumberToObject(e, "size_bytes", (double)c->attr->cache.size);
		cJSON_AddNumberToObject(e, "line_bytes", c->attr->cache.linesize);
		cJSON_AddNumberToObject(e, "count", n);
		cJSON_AddItemToArray(arr, e);
	}
	arr = cJSON_AddArrayToObject(o, "numa");
	for (int i = 0; arr && i < hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE); i++) {
		hwloc_obj_t nn = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)i);
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "os_index", nn->os_index);
		if (nn->attr)
			cJSON_AddNumberToObject(e, "memory_bytes", (double)nn->attr->numanode.local_memory);
		add_cpuset(e, "cpus", nn->cpuset);
		cJSON_AddItemToArray(arr, e);
	}
	return o;
}

/* ---- the machine description, as cJSON ------------------------------------------ */

/* The emitter's state: the objects open from the reply down (machine.h nests <= 4). */
struct json_out {
	cJSON *stack[8];
	int depth;
};

static cJSON *top(struct json_out *j)
{
	return j->stack[j->depth];
}

/* Add item under key (or to the array on top); it becomes the top when open is set. */
static void put(struct json_out *j, const char *key, cJSON *item, int open)
{
	cJSON *parent = top(j);

	if (!item)
		return;
	if (cJSON_IsArray(parent))
		cJSON_AddItemToArray(parent, item);
	else
		cJSON_AddItemToObject(parent, key, item);
	if (open && j->depth + 1 < (int)(sizeof(j->stack) / sizeof(j->stack[0])))
		j->stack[++j->depth] = item;
}

static void js_obj_begin(void *c, const char *k) { put(c, k, cJSON_CreateObject(), 1); }
static void js_arr_begin(void *c, const char *k) { put(c, k, cJSON_CreateArray(), 1); }
static void js_end(void *c)
{
	struct json_out *j = c;

	if (j->depth > 0)
		j->depth--;
}
static void js_str(void *c, const char *k, const char *v) { put(c, k, cJSON_CreateString(v), 0); }
static void js_u64(void *c, const char *k, uint64_t v) { put(c, k, cJSON_CreateNumber((double)v), 0); }
static void js_flag(void *c, const char *k, int v) { put(c, k, cJSON_CreateBool(v), 0); }

static void machine(cJSON *r)
{
	struct nb_machine *m = malloc(sizeof(*m));
	struct json_out j = { .stack = { r }, .depth = 0 };
	const struct nb_machine_out out = { &j, js_obj_begin, js_end, js_arr_begin, js_end,
					    js_str, js_u64, js_flag };

	if (!m) {
		cJSON_AddStringToObject(r, "error", "out of memory reading the machine description");
		return;
	}
	nb_machine_read(m);
	nb_machine_emit(m, &out);
	free(m);
}

void nb_sysinfo_fill(struct nb_agent *a, cJSON *r)
{
	cJSON *o;
	struct timespec rt;

	machine(r);
	cJSON_AddItemToObject(r, "topology", nb_topo_summary(&a->topo));
	o = cJSON_AddObjectToObject(r, "agent");
	cJSON_AddStringToObject(o, "version", nb_version);
	cJSON_AddStringToObject(o, "gitrev", nb_gitrev);
	cJSON_AddNumberToObject(o, "protocol", NB_PROTO_VERSION);
	cJSON_AddNumberToObject(o, "pid", (double)getpid());
	cJSON_AddStringToObject(o, "state_dir", a->store.state);
	cJSON_AddNumberToObject(o, "uptime_s", (double)(nb_mono_ns() - a->start_ns) / 1e9);
	pthread_mutex_lock(&a->lock);
	cJSON_AddBoolToObject(o, "busy", a->running);
	cJSON_AddNumberToObject(o, "sessions", a->sessions);
	pthread_mutex_unlock(&a->lock);
	clock_gettime(CLOCK_REALTIME, &rt);
	cJSON_AddNumberToObject(r, "time_unix_us",
				(double)((uint64_t)rt.tv_sec * 1000000u + (uint64_t)rt.tv_nsec / 1000u));
}
