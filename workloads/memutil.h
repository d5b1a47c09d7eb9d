/* memutil.h - memory and system helpers that several workload families share (mem_lat.c,
 * mem_bw.c, pf.c, io.c, cpuinfo.c): memory regions with an honest page size, smaps
 * AnonHugePages, MemAvailable, last-level cache size, THP mode and the splitmix64 PRNG.
 * One implementation each, so that every workload reads the machine the same way
 * (memutil.c).  The one-line file reader, nb_read_line, is common/files.h's. */
#ifndef NB_MEMUTIL_H
#define NB_MEMUTIL_H

/* nb_read_line: guest-agent/tracepoints.c and sysinfo.c still find it here. */
#include "../common/files.h"
#include "../common/err.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- small helpers (inline) ------------------------------------------------------- */

/* splitmix64: the PRNG of the pointer-chase layout (mem_lat.c) and of the scratch file's
 * data and offsets (scratch.c, io.c).  Inline: io.c calls it inside measured loops. */
static inline uint64_t nb_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- memory regions --------------------------------------------------------------- */

#define NB_HUGE_PAGE (2u << 20)

/* A private anonymous mapping of `len` bytes (a multiple of 2 MiB) at a 2 MiB boundary,
 * with PROT_NONE guard pages on both sides so that the kernel never merges it with a
 * neighbour: its page size is exactly what nb_region_map asked for and /proc/self/smaps
 * reports it alone. */
struct nb_region {
	void *base;
	size_t len;
	void *resv;        /* the whole reservation, guards included */
	size_t resv_len;
};

/* Map at least `bytes` (rounded up to 2 MiB) and madvise it MADV_HUGEPAGE (thp=1) or
 * MADV_NOHUGEPAGE (thp=0), whatever the system THP mode.  Nothing is touched.  0, or
 * -1 with a message in err. */
int nb_region_map(struct nb_region *r, size_t bytes, int thp, char err[NB_ERR_LEN]);
void nb_region_unmap(struct nb_region *r);

/* AnonHugePages (bytes) of the mappings overlapping [p, p+len) in /proc/self/smaps;
 * -1 when smaps cannot be read. */
int64_t nb_anon_huge_bytes(const void *p, size_t len);

/* AnonHugePages of the region / its length; -1 when unknown. */
double nb_region_huge_fraction(const struct nb_region *r);

/* ---- machine limits --------------------------------------------------------------- */

/* MemAvailable from /proc/meminfo in bytes; 0 when unknown. */
uint64_t nb_mem_available(void);

/* What a workload leaves free for everything else: 64 MiB + 1/16 of MemAvailable. */
uint64_t nb_mem_margin(uint64_t avail);

/* Size of the last-level data/unified cache of `cpu` (-1: CPU 0) from sysfs; 0 when
 * unknown. */
uint64_t nb_llc_bytes(int cpu);

/* ---- transparent huge pages ------------------------------------------------------- */

#define NB_THP_DIR "/sys/kernel/mm/transparent_hugepage/"
#define NB_THP_ENABLED NB_THP_DIR "enabled"

/* The mode a line of NB_THP_ENABLED selects ("always [madvise] never"): 'a' always,
 * 'm' madvise, 'n' never, 0 none recognised.  For callers that keep the line itself. */
int nb_thp_mode_of(const char *enabled);

/* System THP mode from NB_THP_ENABLED, as nb_thp_mode_of; 0 also when the file cannot
 * be read (no THP support). */
int nb_thp_mode(void);

/* Shared supported() test for a thp parameter: NULL, or why thp=1 cannot be honoured. */
const char *nb_thp_unsupported(int thp, char why[NB_ERR_LEN]);

#endif
