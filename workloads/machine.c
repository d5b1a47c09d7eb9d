/* machine.c - the machine description (machine.h): reading it, emitting it, and the
 * `info` command that prints it. */
#include "machine.h"
#include "record.h"
#include "../common/files.h"
#include "../common/records.h"

#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10
#define KLOG_MAX (64u << 20)          /* a log larger than this is not read */
#define HV_DETECTED "Hypervisor detected: "

/* ---- reading --------------------------------------------------------------------------- */

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void meminfo(struct nb_machine *m)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long kb;

	m->mem_total = m->mem_available = m->hugepage = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			m->mem_total = (double)kb * 1024.0;
		else if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			m->mem_available = (double)kb * 1024.0;
		else if (sscanf(line, "Hugepagesize: %llu kB", &kb) == 1)
			m->hugepage = (double)kb * 1024.0;
	}
	fclose(f);
}

int nb_machine_kernel_hypervisor(const char *log, char *buf, size_t len)
{
	const char *p = log, *hit = NULL, *end;

	buf[0] = '\0';
	while (p && (p = strstr(p, HV_DETECTED))) {
		hit = p + strlen(HV_DETECTED);
		p = hit;
	}
	if (!hit)
		return -1;
	end = hit + strcspn(hit, "\r\n");
	while (end > hit && end[-1] == ' ')
		end--;
	snprintf(buf, len, "%.*s", (int)(end - hit), hit);
	return 0;
}

/* The kernel's own word: "Hypervisor detected: X" from its log (klogctl needs
 * CAP_SYSLOG when kernel.dmesg_restrict is 1; the line is gone once the log wrapped). */
static void kernel_view(struct nb_machine *m)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), n;
	char *log;

	if (size <= 0 || (unsigned)size > KLOG_MAX) {
		snprintf(m->kernel_log, sizeof(m->kernel_log), "not read: %s",
			 size < 0 ? strerror(errno) : "the log buffer size is unusable");
		return;
	}
	if (!(log = malloc((size_t)size + 1))) {
		snprintf(m->kernel_log, sizeof(m->kernel_log), "not read: out of memory");
		return;
	}
	n = klogctl(SYSLOG_ACTION_READ_ALL, log, size);
	if (n < 0) {
		snprintf(m->kernel_log, sizeof(m->kernel_log), "not read: %s%s", strerror(errno),
			 errno == EPERM ? " (kernel.dmesg_restrict: run as root)" : "");
	} else {
		log[n] = '\0';
		nb_machine_kernel_hypervisor(log, m->kernel_detected, sizeof(m->kernel_detected));
		snprintf(m->kernel_log, sizeof(m->kernel_log), "read");
	}
	free(log);
}

/* /sys/module/<mod>/parameters/<p> for the listed parameters that exist. */
static void module(struct nb_machine_module *mod, const char *name, const char *const *params)
{
	char path[256];

	memset(mod, 0, sizeof(*mod));
	mod->name = name;
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	mod->loaded = exists(path);
	for (; mod->loaded && *params && mod->n < NB_MACHINE_PARAMS; params++) {
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", name, *params);
		if (!exists(path))
			continue;
		mod->param[mod->n] = *params;
		nb_read_line(path, mod->value[mod->n], sizeof(mod->value[0]));
		mod->n++;
	}
}

static void modules(struct nb_machine *m)
{
	static const char *const kvm_intel[] = { "nested", "ept", "vpid", "unrestricted_guest",
						 "enable_shadow_vmcs", "enable_apicv", "pml", NULL };
	static const char *const kvm_amd[] = { "nested", "npt", "avic", "vls", "vgif", NULL };
	static const char *const kvm[] = { "tdp_mmu", "halt_poll_ns", "enable_pmu", NULL };
	static const char *const none[] = { NULL };

	module(&m->mod[NB_MOD_KVM_INTEL], "kvm_intel", kvm_intel);
	module(&m->mod[NB_MOD_KVM_AMD], "kvm_amd", kvm_amd);
	module(&m->mod[NB_MOD_KVM], "kvm", kvm);
	/* PVM's host side: this machine runs PVM guests (not: it is one). */
	module(&m->mod[NB_MOD_KVM_PVM], "kvm_pvm", none);
}

static void devices(struct nb_machine *m)
{
	DIR *d = opendir("/dev/virtio-ports");
	struct dirent *de;

	m->dev_kvm = exists("/dev/kvm");
	m->dev_vhost_vsock = exists("/dev/vhost-vsock");
	m->dev_vsock = exists("/dev/vsock");
	while (d && (de = readdir(d)) && m->n_ports < NB_MACHINE_PORTS)
		if (de->d_name[0] != '.')
			snprintf(m->ports[m->n_ports++], sizeof(m->ports[0]), "%s", de->d_name);
	if (d)
		closedir(d);
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
static void perf_state(struct nb_machine *m)
{
	struct perf_event_attr pa;
	int fd;

	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = PERF_TYPE_HARDWARE;
	pa.config = PERF_COUNT_HW_CPU_CYCLES;
	pa.disabled = 1;
	pa.exclude_kernel = 1;
	pa.exclude_hv = 1;
	fd = (int)syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0);
	m->hardware_counters = fd >= 0;
	if (fd >= 0)
		close(fd);
	else
		snprintf(m->hardware_counters_error, sizeof(m->hardware_counters_error), "%s", strerror(errno));
}

static void platform(struct nb_machine *m)
{
	nb_read_line("/proc/cmdline", m->cmdline, sizeof(m->cmdline));
	nb_read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", m->clocksource,
		     sizeof(m->clocksource));
	nb_read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver", m->cpufreq_driver,
		     sizeof(m->cpufreq_driver));
	nb_read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", m->cpufreq_governor,
		     sizeof(m->cpufreq_governor));
	m->boost = boost_state();
	nb_read_line("/sys/devices/system/cpu/cpuidle/current_driver", m->cpuidle_driver,
		     sizeof(m->cpuidle_driver));
	nb_read_line("/sys/kernel/mm/transparent_hugepage/enabled", m->thp_enabled, sizeof(m->thp_enabled));
	nb_read_line("/sys/kernel/mm/transparent_hugepage/defrag", m->thp_defrag, sizeof(m->thp_defrag));
	nb_read_line("/proc/sys/kernel/perf_event_paranoid", m->perf_event_paranoid,
		     sizeof(m->perf_event_paranoid));
	perf_state(m);
}

void nb_machine_read(struct nb_machine *m)
{
	cpu_set_t set;

	memset(m, 0, sizeof(*m));
	gethostname(m->hostname, sizeof(m->hostname) - 1);
	uname(&m->uts);
	nb_cpuinfo_read(&m->cpu);
	m->vcpus = sysconf(_SC_NPROCESSORS_ONLN);
	m->vcpus_allowed = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
	meminfo(m);
	m->page_size = sysconf(_SC_PAGESIZE);
	kernel_view(m);
	nb_read_line("/sys/hypervisor/type", m->sys_type, sizeof(m->sys_type));
	nb_read_line("/sys/class/dmi/id/sys_vendor", m->dmi_vendor, sizeof(m->dmi_vendor));
	nb_read_line("/sys/class/dmi/id/product_name", m->dmi_product, sizeof(m->dmi_product));
	nb_read_line("/sys/class/dmi/id/bios_vendor", m->dmi_bios, sizeof(m->dmi_bios));
	modules(m);
	devices(m);
	platform(m);
}

/* ---- emitting: the key names, once --------------------------------------------------- */

static void str_if(const struct nb_machine_out *o, const char *key, const char *v)
{
	if (v[0])
		o->str(o->ctx, key, v);
}

static void bytes_if(const struct nb_machine_out *o, const char *key, double v)
{
	if (v >= 0)
		o->u64(o->ctx, key, (uint64_t)v);
}

static void emit_cpu(const struct nb_machine *m, const struct nb_machine_out *o)
{
	const struct nb_cpuinfo *c = &m->cpu;

	o->obj_begin(o->ctx, "kernel");
	o->str(o->ctx, "sysname", m->uts.sysname);
	o->str(o->ctx, "release", m->uts.release);
	o->str(o->ctx, "version", m->uts.version);
	o->str(o->ctx, "machine", m->uts.machine);
	o->obj_end(o->ctx);
	o->obj_begin(o->ctx, "cpu");
	o->str(o->ctx, "vendor", c->vendor);
	o->str(o->ctx, "model", c->brand);
	o->u64(o->ctx, "family", c->family);
	o->u64(o->ctx, "model_number", c->model);
	o->u64(o->ctx, "stepping", c->stepping);
	o->flag(o->ctx, "tsc_invariant", c->tsc_invariant);
	o->flag(o->ctx, "rdtscp", c->rdtscp);
	o->obj_end(o->ctx);
	o->u64(o->ctx, "vcpus", (uint64_t)(m->vcpus > 0 ? m->vcpus : 0));
	o->u64(o->ctx, "vcpus_allowed", (uint64_t)m->vcpus_allowed);
	o->obj_begin(o->ctx, "memory");
	bytes_if(o, "total_bytes", m->mem_total);
	bytes_if(o, "available_bytes", m->mem_available);
	bytes_if(o, "hugepage_bytes", m->hugepage);
	bytes_if(o, "page_bytes", (double)m->page_size);
	o->obj_end(o->ctx);
}

/* Every piece of evidence of what this machine runs on (common/identity.h names it). */
static void emit_hypervisor(const struct nb_machine *m, const struct nb_machine_out *o)
{
	const struct nb_cpuinfo *c = &m->cpu;

	o->obj_begin(o->ctx, "hypervisor");
	o->flag(o->ctx, "bit", c->hypervisor_bit);
	o->str(o->ctx, "signature", c->hv_signature);
	o->u64(o->ctx, "max_leaf", c->hv_max_leaf);
	if (c->hv_signature_100[0]) {
		o->str(o->ctx, "signature_40000100", c->hv_signature_100);
		o->u64(o->ctx, "max_leaf_40000100", c->hv_max_leaf_100);
	}
	str_if(o, "kernel_detected", m->kernel_detected);
	o->str(o->ctx, "kernel_log", m->kernel_log);
	str_if(o, "sys_type", m->sys_type);
	o->obj_end(o->ctx);
	o->obj_begin(o->ctx, "dmi");
	str_if(o, "sys_vendor", m->dmi_vendor);
	str_if(o, "product_name", m->dmi_product);
	str_if(o, "bios_vendor", m->dmi_bios);
	o->obj_end(o->ctx);
}

static void emit_virt(const struct nb_machine *m, const struct nb_machine_out *o)
{
	o->obj_begin(o->ctx, "nested");
	for (int i = 0; i < NB_MOD_COUNT; i++) {
		const struct nb_machine_module *mod = &m->mod[i];
		if (!mod->loaded)
			continue;
		o->obj_begin(o->ctx, mod->name);
		for (int j = 0; j < mod->n; j++)
			o->str(o->ctx, mod->param[j], mod->value[j]);
		o->obj_end(o->ctx);
	}
	o->obj_end(o->ctx);
	o->obj_begin(o->ctx, "devices");
	o->flag(o->ctx, "kvm", m->dev_kvm);
	o->flag(o->ctx, "vhost_vsock", m->dev_vhost_vsock);
	o->flag(o->ctx, "vsock", m->dev_vsock);
	o->arr_begin(o->ctx, "virtio_ports");
	for (int i = 0; i < m->n_ports; i++)
		o->str(o->ctx, NULL, m->ports[i]);
	o->arr_end(o->ctx);
	o->obj_end(o->ctx);
}

static void emit_platform(const struct nb_machine *m, const struct nb_machine_out *o)
{
	o->obj_begin(o->ctx, "platform");
	o->str(o->ctx, "cmdline", m->cmdline);
	o->str(o->ctx, "clocksource", m->clocksource);
	o->str(o->ctx, "cpufreq_driver", m->cpufreq_driver);
	o->str(o->ctx, "cpufreq_governor", m->cpufreq_governor);
	o->str(o->ctx, "boost", m->boost);
	o->str(o->ctx, "cpuidle_driver", m->cpuidle_driver);
	o->str(o->ctx, "thp_enabled", m->thp_enabled);
	o->str(o->ctx, "thp_defrag", m->thp_defrag);
	o->str(o->ctx, "perf_event_paranoid", m->perf_event_paranoid);
	o->flag(o->ctx, "hardware_counters", m->hardware_counters);
	if (!m->hardware_counters)
		o->str(o->ctx, "hardware_counters_error", m->hardware_counters_error);
	o->obj_end(o->ctx);
}

void nb_machine_emit(const struct nb_machine *m, const struct nb_machine_out *o)
{
	o->str(o->ctx, "hostname", m->hostname);
	emit_cpu(m, o);
	emit_hypervisor(m, o);
	emit_virt(m, o);
	emit_platform(m, o);
}

/* ---- `nestbench-work info` ----------------------------------------------------------- */

static void rec_obj_begin(void *r, const char *k) { nb_rec_obj_begin(r, k); }
static void rec_obj_end(void *r) { nb_rec_obj_end(r); }
static void rec_arr_begin(void *r, const char *k) { nb_rec_arr_begin(r, k); }
static void rec_arr_end(void *r) { nb_rec_arr_end(r); }
static void rec_str(void *r, const char *k, const char *v) { nb_rec_str(r, k, v); }
static void rec_u64(void *r, const char *k, uint64_t v) { nb_rec_u64(r, k, v); }
static void rec_flag(void *r, const char *k, int v) { nb_rec_bool(r, k, v); }

/* Size of one sysfs cache index in bytes, 0 when absent. */
static uint64_t sysfs_cache(int index, char *type, size_t tlen, int *level)
{
	char path[128], buf[64];
	uint64_t kib;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
	if (nb_read_line(path, buf, sizeof(buf)))
		return 0;
	kib = strtoull(buf, NULL, 10);
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/type", index);
	nb_read_line(path, type, tlen);  /* "" when unreadable */
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", index);
	*level = nb_read_line(path, buf, sizeof(buf)) ? 0 : atoi(buf);
	return kib * 1024;
}

/* CPU 0's caches from sysfs, "l1d_bytes" ... (the agent reports hwloc's topology). */
static void info_caches(struct nb_rec *r)
{
	nb_rec_obj_begin(r, "caches");
	for (int i = 0; i < 8; i++) {
		char type[32], key[32];
		int level;
		uint64_t sz = sysfs_cache(i, type, sizeof(type), &level);
		if (!sz)
			continue;
		snprintf(key, sizeof(key), "l%d%s_bytes", level,
			 strcmp(type, "Data") == 0 ? "d" : strcmp(type, "Instruction") == 0 ? "i" : "");
		nb_rec_u64(r, key, sz);
	}
	nb_rec_obj_end(r);
}

int nb_info_print(int json)
{
	static struct nb_machine m;   /* 8 KiB: not on the stack */
	struct nb_rec r;
	const struct nb_machine_out out = { &r, rec_obj_begin, rec_obj_end, rec_arr_begin, rec_arr_end,
					    rec_str, rec_u64, rec_flag };

	nb_machine_read(&m);
	nb_rec_begin(&r, stdout, json);
	nb_rec_str(&r, NB_REC_TYPE_KEY, NB_RECTYPE_INFO);
	nb_machine_emit(&m, &out);
	nb_rec_double(&r, "tsc_hz", nb_tsc_measure_hz(50));
	info_caches(&r);
	nb_rec_end(&r);
	return 0;
}
