/* sysinfo.c - what a tier is: kernel, CPU and hypervisor (CPUID), memory, nested-virt
 * parameters, virtualization devices, and the hwloc topology (also used to choose
 * the CPU a workload is pinned to). */
#include "agent.h"
#include "../common/version.h"
#include "../workloads/cpuinfo.h"
#include "../workloads/memutil.h"   /* nb_read_line */

#include <dirent.h>
#include <hwloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <sys/stat.h>
#include <sys/utsname.h>
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

/* ---- the rest of sysinfo --------------------------------------------------------- */

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void meminfo(cJSON *o)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long kb;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			cJSON_AddNumberToObject(o, "total_bytes", (double)kb * 1024.0);
		else if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			cJSON_AddNumberToObject(o, "available_bytes", (double)kb * 1024.0);
		else if (sscanf(line, "Hugepagesize: %llu kB", &kb) == 1)
			cJSON_AddNumberToObject(o, "hugepage_bytes", (double)kb * 1024.0);
	}
	fclose(f);
}

/* /sys/module/<mod>/parameters/<p> for the listed parameters that exist. */
static void module_params(cJSON *parent, const char *mod, const char *const *params)
{
	char dir[128], path[256], val[64];
	cJSON *o;

	snprintf(dir, sizeof(dir), "/sys/module/%s", mod);
	if (!exists(dir))
		return;
	o = cJSON_AddObjectToObject(parent, mod);
	for (; *params; params++) {
		snprintf(path, sizeof(path), "%s/parameters/%s", dir, *params);
		if (!exists(path))
			continue;
		nb_read_line(path, val, sizeof(val));
		cJSON_AddStringToObject(o, *params, val);
	}
}

static void virtio_ports(cJSON *o)
{
	DIR *d = opendir("/dev/virtio-ports");
	cJSON *arr = cJSON_AddArrayToObject(o, "virtio_ports");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			cJSON_AddItemToArray(arr, cJSON_CreateString(de->d_name));
	closedir(d);
}

static void cpus_allowed(cJSON *o)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	cJSON_AddNumberToObject(o, "vcpus_allowed", n);
}

/* A sysfs/proc line as a string member, "" when unreadable. */
static void add_line(cJSON *o, const char *key, const char *path)
{
	char buf[1024];

	nb_read_line(path, buf, sizeof(buf));
	cJSON_AddStringToObject(o, key, buf);
}

/* Turbo/boost: cpufreq's generic switch, else intel_pstate's inverted one. */
static const char *boost_state(void)
{
	char v[16];

	nb_read_line("/sys/devices/system/cpu/cpufreq/boost", v, sizeof(v));
	if (v[0])
		return v[0] == '1' ? "on" : "off";
	nb_read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", v, sizeof(v));
	if (v[0])
		return v[0] == '1' ? "off" : "on";
	return "unknown";
}

/* Can this tier count hardware events at all?  Try cycles on ourselves. */
static void perf_state(cJSON *o)
{
	struct perf_event_attr pa;
	char v[16];
	int fd;

	nb_read_line("/proc/sys/kernel/perf_event_paranoid", v, sizeof(v));
	cJSON_AddStringToObject(o, "perf_event_paranoid", v);
	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = PERF_TYPE_HARDWARE;
	pa.config = PERF_COUNT_HW_CPU_CYCLES;
	pa.disabled = 1;
	pa.exclude_kernel = 1;
	pa.exclude_hv = 1;
	fd = (int)syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0);
	cJSON_AddBoolToObject(o, "hardware_counters", fd >= 0);
	if (fd >= 0)
		close(fd);
	else
		cJSON_AddStringToObject(o, "hardware_counters_error", strerror(errno));
}

/* What changes timings without changing the code: the kernel command line, clock
 * source, frequency governor and boost, idle driver, THP and perf access. */
static void platform(cJSON *r)
{
	cJSON *o = cJSON_AddObjectToObject(r, "platform");

	add_line(o, "cmdline", "/proc/cmdline");
	add_line(o, "clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	add_line(o, "cpufreq_driver", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver");
	add_line(o, "cpufreq_governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	cJSON_AddStringToObject(o, "boost", boost_state());
	add_line(o, "cpuidle_driver", "/sys/devices/system/cpu/cpuidle/current_driver");
	add_line(o, "thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
	add_line(o, "thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag");
	perf_state(o);
}

void nb_sysinfo_fill(struct nb_agent *a, cJSON *r)
{
	static const char *const kvm_intel[] = { "nested", "ept", "vpid", "unrestricted_guest",
						 "enable_shadow_vmcs", "enable_apicv", "pml", NULL };
	static const char *const kvm_amd[] = { "nested", "npt", "avic", "vls", "vgif", NULL };
	static const char *const kvm[] = { "tdp_mmu", "halt_poll_ns", NULL };
	struct nb_cpuinfo ci;
	struct utsname u;
	char host[256] = "";
	cJSON *o;
	struct timespec rt;

	gethostname(host, sizeof(host) - 1);
	cJSON_AddStringToObject(r, "hostname", host);
	uname(&u);
	o = cJSON_AddObjectToObject(r, "kernel");
	cJSON_AddStringToObject(o, "sysname", u.sysname);
	cJSON_AddStringToObject(o, "release", u.release);
	cJSON_AddStringToObject(o, "version", u.version);
	cJSON_AddStringToObject(o, "machine", u.machine);

	nb_cpuinfo_read(&ci);
	o = cJSON_AddObjectToObject(r, "cpu");
	cJSON_AddStringToObject(o, "vendor", ci.vendor);
	cJSON_AddStringToObject(o, "model", ci.brand);
	cJSON_AddNumberToObject(o, "family", ci.family);
	cJSON_AddNumberToObject(o, "model_number", ci.model);
	cJSON_AddNumberToObject(o, "stepping", ci.stepping);
	cJSON_AddBoolToObject(o, "tsc_invariant", ci.tsc_invariant);
	cJSON_AddNumberToObject(r, "vcpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
	cpus_allowed(r);

	o = cJSON_AddObjectToObject(r, "memory");
	meminfo(o);

	o = cJSON_AddObjectToObject(r, "hypervisor");
	cJSON_AddBoolToObject(o, "bit", ci.hypervisor_bit);
	cJSON_AddStringToObject(o, "signature", ci.hv_signature);
	cJSON_AddNumberToObject(o, "max_leaf", ci.hv_max_leaf);

	o = cJSON_AddObjectToObject(r, "nested");
	module_params(o, "kvm_intel", kvm_intel);
	module_params(o, "kvm_amd", kvm_amd);
	module_params(o, "kvm", kvm);

	o = cJSON_AddObjectToObject(r, "devices");
	cJSON_AddBoolToObject(o, "kvm", exists("/dev/kvm"));
	cJSON_AddBoolToObject(o, "vhost_vsock", exists("/dev/vhost-vsock"));
	cJSON_AddBoolToObject(o, "vsock", exists("/dev/vsock"));
	virtio_ports(o);

	cJSON_AddItemToObject(r, "topology", nb_topo_summary(&a->topo));
	platform(r);

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
