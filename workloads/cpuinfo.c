/* cpuinfo.c - CPUID decoding, TSC rate and the `info` command. */
#include "cpuinfo.h"
#include "memutil.h"
#include "record.h"
#include "../common/files.h"
#include "../common/records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

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
		nb_cpuid(0x40000000, 0, r);
		ci->hv_max_leaf = r[0];
		regs_to_str(ci->hv_signature, &r[1], 3);
		/* Signatures are NUL-padded ("KVMKVMKVM\0\0\0"); keep printable part. */
		for (int i = 0; i < 12; i++)
			if (ci->hv_signature[i] < 0x20 || ci->hv_signature[i] > 0x7e)
				ci->hv_signature[i] = '\0';
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

double nb_tsc_measure_hz(unsigned ms)
{
	uint64_t t0 = nb_now_ns(), c0 = nb_rdtsc();
	uint64_t target = t0 + (uint64_t)ms * 1000000ull, t1, c1;

	do {
		t1 = nb_now_ns();
		c1 = nb_rdtsc();
	} while (t1 < target);
	return (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
}

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

/* The bracketed choice of a sysfs selector such as "always [madvise] never". */
static void selected_choice(const char *line, char *out, size_t len)
{
	const char *a = strchr(line, '['), *b = a ? strchr(a, ']') : NULL;

	if (!a || !b || (size_t)(b - a - 1) >= len) {
		snprintf(out, len, "%s", line[0] ? "unknown" : "unavailable");
		return;
	}
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = '\0';
}

int nb_info_print(int json)
{
	struct nb_cpuinfo ci;
	struct utsname u;
	char thp_line[128], thp[32];
	struct nb_rec r;
	double hz;

	nb_cpuinfo_read(&ci);
	uname(&u);
	hz = nb_tsc_measure_hz(50);
	nb_read_line(NB_THP_ENABLED, thp_line, sizeof(thp_line));  /* "" when unreadable */
	selected_choice(thp_line, thp, sizeof(thp));

	nb_rec_begin(&r, stdout, json);
	nb_rec_str(&r, NB_REC_TYPE_KEY, NB_RECTYPE_INFO);
	nb_rec_str(&r, "cpu_vendor", ci.vendor);
	nb_rec_str(&r, "cpu_model", ci.brand);
	nb_rec_u64(&r, "cpu_family", ci.family);
	nb_rec_u64(&r, "cpu_model_number", ci.model);
	nb_rec_u64(&r, "cpu_stepping", ci.stepping);
	nb_rec_u64(&r, "online_cpus", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	nb_rec_bool(&r, "hypervisor_bit", ci.hypervisor_bit);
	nb_rec_str(&r, "hypervisor_signature", ci.hv_signature);
	nb_rec_u64(&r, "hypervisor_max_leaf", ci.hv_max_leaf);
	nb_rec_bool(&r, "tsc_invariant", ci.tsc_invariant);
	nb_rec_bool(&r, "rdtscp", ci.rdtscp);
	nb_rec_double(&r, "tsc_hz", hz);
	nb_rec_u64(&r, "page_size", (uint64_t)sysconf(_SC_PAGESIZE));
	nb_rec_str(&r, "thp_enabled", thp);
	for (int i = 0; i < 8; i++) {
		char type[32], key[32];
		int level;
		uint64_t sz = sysfs_cache(i, type, sizeof(type), &level);
		if (!sz)
			continue;
		snprintf(key, sizeof(key), "cache_l%d%s", level,
			 strcmp(type, "Data") == 0 ? "d" : strcmp(type, "Instruction") == 0 ? "i" : "");
		nb_rec_u64(&r, key, sz);
	}
	nb_rec_str(&r, "kernel", u.release);
	nb_rec_str(&r, "machine", u.machine);
	nb_rec_end(&r);
	return 0;
}
