/* chase.h - internals of the `mem` family (mem_lat.c, mem_bw.c) that
 * tests/unit/test_mem.c checks directly: the random pointer-chase chain and STREAM test
 * hooks.  The generic memory helpers both workloads use (regions, MemAvailable,
 * last-level cache size, THP mode) are in memutil.h. */
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

/* ---- STREAM (mem_bw.c) ------------------------------------------------------------ */

/* Default bytes per array: 4 x LLC, at least 64 MiB, rounded up to a MiB. */
uint64_t nb_stream_default_bytes(uint64_t llc);

/* Test hook: array 'a', 'b' or 'c' of a set-up mem.bw.* context and its length in
 * doubles; NULL before setup. */
double *nb_stream_array(struct nb_ctx *c, char which, size_t *n);
/* What every element of array a, b or c holds by the workload's account (tests set it
 * with the arrays); NULL before setup. */
double *nb_stream_value(struct nb_ctx *c, char which);

#endif
