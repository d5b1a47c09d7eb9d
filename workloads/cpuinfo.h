/* cpuinfo.h - what the workload binary sees of its CPU and hypervisor (CPUID, TSC).
 * The whole machine description (`nestbench-work info`, the agent's sysinfo) is
 * machine.h. */
#ifndef NB_CPUINFO_H
#define NB_CPUINFO_H

#include <stdint.h>

struct nb_cpuinfo {
	char vendor[13];
	char brand[49];
	unsigned family, model, stepping;
	int hypervisor_bit;        /* CPUID.1:ECX[31] */
	char hv_signature[13];     /* CPUID.0x40000000 EBX:ECX:EDX, "" when none */
	uint32_t hv_max_leaf;
	/* CPUID.0x40000100: a second hypervisor interface (KVM's or Xen's leaves when
	 * 0x40000000 offers Hyper-V's enlightenments); "" and 0 when none answers there. */
	char hv_signature_100[13];
	uint32_t hv_max_leaf_100;
	int tsc_invariant;         /* CPUID.0x80000007:EDX[8] */
	int rdtscp;                /* CPUID.0x80000001:EDX[27] */
};

static inline void nb_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t nb_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void nb_cpuinfo_read(struct nb_cpuinfo *ci);

/* TSC ticks per second measured against CLOCK_MONOTONIC_RAW over `ms` milliseconds. */
double nb_tsc_measure_hz(unsigned ms);

/* A TSC rate measured over whatever a process does anyway: stamp both clocks at its
 * start, and later take the rate over the span since, spinning only for what is
 * missing of `ms`.  A workload's setup and calibration make the span, so the rate
 * costs no time of its own. */
struct nb_tsc_stamp {
	uint64_t ns, tsc;
};
void nb_tsc_stamp(struct nb_tsc_stamp *st);
/* The rate over the span since st, at least ms long; *spun_ms the time spent waiting. */
double nb_tsc_rate_since(const struct nb_tsc_stamp *st, unsigned ms, double *spun_ms);

/* CLOCK_MONOTONIC_RAW in ns: the measurement clock, which nothing slews.  Deadlines
 * and progress outside measurements use common/clock.h (CLOCK_MONOTONIC). */
uint64_t nb_now_ns(void);

#endif
