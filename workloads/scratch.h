/* scratch.h - the scratch file of the `io` family (io.c) and of pf.file (pf.c): a file of
 * real, stamped data in a directory the campaign names, registered for removal before it
 * exists (scratch.c).
 *
 * Format: every 4 KiB sector starts with the 8-byte stamp (its file offset ^
 * NB_SCRATCH_STAMP_MAGIC) and an 8-byte generation (0 when created); the rest is
 * pseudo-random, so compressing or deduplicating storage cannot shortcut it. */
#ifndef NB_SCRATCH_H
#define NB_SCRATCH_H

#include "workload.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct statfs;

#define NB_SCRATCH_SECTOR 4096u
#define NB_SCRATCH_STAMP_MAGIC 0x6e65737462656e63ull   /* "nestbenc" */

/* ---- the data format (inline: io.c stamps and checks inside measured loops) ------- */

static inline uint64_t nb_scratch_stamp_of(uint64_t off) { return off ^ NB_SCRATCH_STAMP_MAGIC; }

/* Stamp every sector of a buffer that will land at file offset `off`. */
static inline void nb_scratch_stamp(unsigned char *buf, size_t len, uint64_t off, uint64_t gen)
{
	for (size_t i = 0; i + 16 <= len; i += NB_SCRATCH_SECTOR) {
		uint64_t st = nb_scratch_stamp_of(off + i);
		memcpy(buf + i, &st, 8);
		memcpy(buf + i + 8, &gen, 8);
	}
}

/* 1 when buf (read from file offset `off`) starts with the stamp of `off`. */
static inline int nb_scratch_stamp_ok(const unsigned char *buf, uint64_t off)
{
	uint64_t st;

	memcpy(&st, buf, 8);
	return st == nb_scratch_stamp_of(off);
}

/* Pseudo-random contents for a whole buffer (then stamped per sector). */
void nb_scratch_fill(unsigned char *buf, size_t len, uint64_t seed);

/* ---- the file --------------------------------------------------------------------- */

/* Check `dir` (user errors: missing, not a directory, not writable, too little space
 * for `size` bytes plus a 1/16 reserve), then create <dir>/<prefix>.<pid>.tmp holding
 * `size` bytes of stamped pseudo-random data, written `wchunk` bytes (at most 1 MiB) per
 * pwrite (this sets the page-cache folio sizes) and fsynced.  The path is registered before
 * the file exists.  Returns a buffered O_RDWR descriptor with path[] (4096 bytes) and
 * *sfs filled, or -1 with c->err and nothing left behind. */
int nb_scratch_create(struct nb_ctx *c, const char *dir, const char *prefix, uint64_t size,
		      size_t wchunk, char *path, struct statfs *sfs);

/* Unlink a scratch file and drop its registration (teardown and error paths); nothing
 * when path is "". */
void nb_scratch_remove(struct nb_ctx *c, const char *path);

/* A name for statfs f_type, or "unknown filesystem 0x..." in buf. */
const char *nb_scratch_fs_name(unsigned long type, char *buf, size_t len);

/* 1 when f_type is a filesystem that keeps its data in RAM (tmpfs, ramfs). */
int nb_scratch_fs_in_ram(unsigned long type);

#endif
