/* cpuinfo.c - CPUID decoding and the TSC rate. */
#include "cpuinfo.h"

#include <string.h>
#include <time.h>

uint64_t nb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void regs_to_str(char *dst, const uint32_t *regs, int n)
{
	memcpy(dst, regs, (size_t)n * 4);
	dst[n * 4] = '\0';
}

/* A hypervisor leaf: its signature (EBX ECX EDX, NUL-padded as in "KVMKVMKVM\0\0\0":
 * the printable part, "" when any other byte is not) and its max leaf (EAX). */
static void hv_leaf(uint32_t leaf, char sig[13], uint32_t *max)
{
	uint32_t r[4];
	int end = 12;

	nb_cpuid(leaf, 0, r);
	*max = r[0];
	regs_to_str(sig, &r[1], 3);
	while (end > 0 && sig[end - 1] == '\0')
		end--;
	for (int i = 0; i < end; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e) {
			sig[0] = '\0';   /* not a signature: data of another leaf */
			return;
		}
}

void nb_cpuinfo_read(struct nb_cpuinfo *ci)
{
	uint32_t r[4], sig[3];

	memset(ci, 0, sizeof(*ci));
	nb_cpuid(0, 0, r);
	sig[0] = r[1];
	sig[1] = r[3];
	sig[2] = r[2];
	regs_to_str(ci->vendor, sig, 3);

	nb_cpuid(1, 0, r);
	ci->stepping = r[0] & 0xf;
	ci->model = (r[0] >> 4) & 0xf;
	ci->family = (r[0] >> 8) & 0xf;
	if (ci->family == 0xf)
		ci->family += (r[0] >> 20) & 0xff;
	if (ci->family >= 6)
		ci->model |= ((r[0] >> 16) & 0xf) << 4;
	ci->hypervisor_bit = (r[2] >> 31) & 1;

	if (ci->hypervisor_bit) {
		hv_leaf(0x40000000, ci->hv_signature, &ci->hv_max_leaf);
		/* Linux scans every 0x100 for KVM's leaves the same way (hypervisor_cpuid_base). */
		hv_leaf(0x40000100, ci->hv_signature_100, &ci->hv_max_leaf_100);
		if (!ci->hv_signature_100[0])
			ci->hv_max_leaf_100 = 0;
	}

	nb_cpuid(0x80000000, 0, r);
	uint32_t ext = r[0];
	if (ext >= 0x80000001) {
		nb_cpuid(0x80000001, 0, r);
		ci->rdtscp = (r[3] >> 27) & 1;
	}
	if (ext >= 0x80000004) {
		uint32_t b[12];
		for (uint32_t i = 0; i < 3; i++)
			nb_cpuid(0x80000002 + i, 0, &b[i * 4]);
		regs_to_str(ci->brand, b, 12);
		/* trim leading blanks */
		char *p = ci->brand;
		while (*p == ' ')
			p++;
		memmove(ci->brand, p, strlen(p) + 1);
	}
	if (ext >= 0x80000007) {
		nb_cpuid(0x80000007, 0, r);
		ci->tsc_invariant = (r[3] >> 8) & 1;
	}
}

void nb_tsc_stamp(struct nb_tsc_stamp *st)
{
	st->ns = nb_now_ns();
	st->tsc = nb_rdtsc();
}

double nb_tsc_rate_since(const struct nb_tsc_stamp *st, unsigned ms, double *spun_ms)
{
	uint64_t target = st->ns + (uint64_t)ms * 1000000ull, t1, c1, waited = nb_now_ns();

	do {
		t1 = nb_now_ns();
		c1 = nb_rdtsc();
	} while (t1 < target);
	*spun_ms = t1 > waited ? (double)(t1 - waited) / 1e6 : 0;
	return (double)(c1 - st->tsc) * 1e9 / (double)(t1 - st->ns);
}

double nb_tsc_measure_hz(unsigned ms)
{
	struct nb_tsc_stamp st;
	double spun;

	nb_tsc_stamp(&st);
	return nb_tsc_rate_since(&st, ms, &spun);
}
