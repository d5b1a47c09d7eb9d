/* chase.h - internals of the `mem` family (mem_lat.c, mem_bw.c) that the two files
 * share and that tests/unit/test_mem.c checks directly: the random pointer-chase chain,
 * memory regions with an honest page size, the machine limits both workloads obey
 * (MemAvailable, last-level cache size, THP mode), and STREAM test hooks. */
#ifndef NB_CHASE_H
#define NB_CHASE_H

#include "workload.h"

#include <stddef.h>
#include <stdint.h>

/* ---- the pointer chase (mem_lat.c) ------------------------------------------------ */

/* Lay out bytes / stride nodes, one every `stride` bytes from `region` (stride a
 * multiple of sizeof(void *)), and link them into ONE random cycle through every node:
 * Sattolo's algorithm over the node indices, driven by a splitmix64 stream from `seed`
 * (same seed, same chain).  Each node's first word points to the next node.  Returns
 * node 0.  The region is written in order (first touch happens here). */
void **nb_chase_build(void *region, size_t bytes, size_t stride, uint64_t seed);

/* Follow the chain from `start` until it comes back to `start`: the cycle length, or
 * 0 when it has not come back within `limit` steps. */
uint64_t nb_chase_cycle_len(void *const *start, uint64_t limit);

/* Reference walk: follow `steps` pointers one at a time. */
void **nb_chase_walk(void **p, uint64_t steps);

/* The measured chase: `loads` dependent loads, unrolled x16; returns where it ends
 * (the same node nb_chase_walk reaches). */
void **nb_chase_run(void **p, uint64_t loads);

/* The node a mem.lat context will continue from (the end of its last run). */
void **nb_mem_lat_cursor(const struct nb_ctx *c);

/* ---- memory regions (mem_lat.c) --------------------------------------------------- */

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
int nb_region_map(struct nb_region *r, size_t bytes, int thp, char *err, size_t errlen);
void nb_region_unmap(struct nb_region *r);

/* AnonHugePages (bytes) of the mappings overlapping [p, p+len) in /proc/self/smaps;
 * -1 when smaps cannot be read. */
int64_t nb_anon_huge_bytes(const void *p, size_t len);

/* AnonHugePages of the region / its length; -1 when unknown. */
double nb_region_huge_fraction(const struct nb_region *r);

/* ---- machine limits (mem_lat.c) --------------------------------------------------- */

/* MemAvailable from /proc/meminfo in bytes; 0 when unknown. */
uint64_t nb_mem_available(void);

/* What a workload leaves free for everything else: 64 MiB + 1/16 of MemAvailable. */
uint64_t nb_mem_margin(uint64_t avail);

/* Size of the last-level data/unified cache of `cpu` (-1: CPU 0) from sysfs; 0 when
 * unknown. */
uint64_t nb_llc_bytes(int cpu);

/* System THP mode from /sys/kernel/mm/transparent_hugepage/enabled: 'a' always,
 * 'm' madvise, 'n' never, 0 unknown (no THP support). */
int nb_thp_mode(void);

/* Shared supported() test for a thp parameter: NULL, or why thp=1 cannot be honoured. */
const char *nb_thp_unsupported(int thp, char *why, size_t len);

/* ---- STREAM (mem_bw.c) ------------------------------------------------------------ */

/* Default bytes per array: 4 x LLC, at least 64 MiB, rounded up to a MiB. */
uint64_t nb_stream_default_bytes(uint64_t llc);

/* Test hook: array 'a', 'b' or 'c' of a set-up mem.bw.* context and its length in
 * doubles; NULL before setup. */
double *nb_stream_array(struct nb_ctx *c, char which, size_t *n);

#endif
