/* machine.h - the machine description: what a tier is, seen from inside (kernel, CPU,
 * memory, the hypervisor evidence, DMI, virtualization modules and devices, the
 * platform settings that change timings).  One producer for `nestbench-work info` and
 * the agent's `sysinfo`: nb_machine_read fills the struct, nb_machine_emit walks it
 * through an emitter, so both print the same keys (documented once:
 * workloads/README.md, "The machine description").  Plain C, no JSON library: the
 * static nestbench-work links it; the agent emits into cJSON. */
#ifndef NB_MACHINE_H
#define NB_MACHINE_H

#include "cpuinfo.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/utsname.h>

/* ---- data types --------------------------------------------------------------------- */

#define NB_MACHINE_PARAMS 8
#define NB_MACHINE_PORTS 16

/* A virtualization module: loaded or not, and the listed parameters that exist. */
struct nb_machine_module {
	const char *name;
	int loaded;
	int n;
	const char *param[NB_MACHINE_PARAMS];
	char value[NB_MACHINE_PARAMS][64];
};

enum { NB_MOD_KVM_INTEL, NB_MOD_KVM_AMD, NB_MOD_KVM, NB_MOD_KVM_PVM, NB_MOD_COUNT };

struct nb_machine {
	char hostname[256];
	struct utsname uts;
	struct nb_cpuinfo cpu;
	long vcpus, vcpus_allowed;
	/* bytes; -1 where /proc/meminfo does not say */
	double mem_total, mem_available, hugepage;
	long page_size;
	/* the kernel's own view of its hypervisor */
	char kernel_detected[64];      /* "Hypervisor detected: X" in its log; "" none */
	char kernel_log[160];          /* "read", or why the log could not be read */
	char sys_type[32];             /* /sys/hypervisor/type, "" when absent */
	/* DMI (/sys/class/dmi/id), "" when absent */
	char dmi_vendor[128], dmi_product[128], dmi_bios[128];
	struct nb_machine_module mod[NB_MOD_COUNT];
	int dev_kvm, dev_vhost_vsock, dev_vsock;
	char ports[NB_MACHINE_PORTS][64];  /* /dev/virtio-ports */
	int n_ports;
	/* the platform: first lines of /proc and sysfs files, "" when absent */
	char cmdline[1024], clocksource[64], cpufreq_driver[64], cpufreq_governor[64];
	char cpuidle_driver[64], thp_enabled[128], thp_defrag[128], perf_event_paranoid[16];
	const char *boost;             /* "on", "off", "unknown" */
	int hardware_counters;         /* a user-space cycles counter opens here */
	char hardware_counters_error[128];
};

/* Where the description goes: objects and arrays nest (key NULL inside an array). */
struct nb_machine_out {
	void *ctx;
	void (*obj_begin)(void *ctx, const char *key);
	void (*obj_end)(void *ctx);
	void (*arr_begin)(void *ctx, const char *key);
	void (*arr_end)(void *ctx);
	void (*str)(void *ctx, const char *key, const char *v);
	void (*u64)(void *ctx, const char *key, uint64_t v);
	void (*flag)(void *ctx, const char *key, int v);
};

/* ---- prototypes --------------------------------------------------------------------- */

void nb_machine_read(struct nb_machine *m);
void nb_machine_emit(const struct nb_machine *m, const struct nb_machine_out *out);

/* The kernel's "Hypervisor detected: X" in a kernel log text: X into buf, 0; or -1
 * with buf "" when no such line. */
int nb_machine_kernel_hypervisor(const char *log, char *buf, size_t len);

/* Print `nestbench-work info`: the machine description, then what only the workload
 * binary measures (tsc_hz, caches); human-readable, or one JSON object. */
int nb_info_print(int json);

#endif
