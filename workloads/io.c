/* io.c - the `io` family: storage I/O on a scratch file in a directory the campaign
 * names (param `dir`), by default O_DIRECT so the page cache is out of the way and
 * every operation reaches the (virtual) block device: in a guest that is a virtio or
 * emulated disk, in a nested guest a disk whose backing file lives on another guest's
 * disk, so each level adds its own I/O path.
 *
 * The scratch file is <dir>/nestbench-io.<pid>.tmp, `size` bytes of real data (not
 * fallocate holes: reading a hole is no I/O), written and fsynced in setup, outside the
 * measurement.  Its path is registered with nb_tmpfile_add before it is created, so
 * teardown, exit and SIGINT/SIGTERM remove it; every setup error path removes it too.
 * Every 4 KiB sector starts with a stamp of its own file offset (the rest is
 * pseudo-random, so compressing or deduplicating storage cannot shortcut it); reads
 * check the stamp of every block they read and writes keep the stamps right.
 *
 * O_DIRECT uses 4096-aligned buffers (posix_memalign) and bs-aligned offsets.  A
 * filesystem that refuses O_DIRECT (EINVAL, e.g. tmpfs before Linux 6.6) falls back to
 * buffered I/O: the meta note names the filesystem (statfs f_type) and the fallback,
 * the page cache of the file is dropped (POSIX_FADV_DONTNEED) before each repetition,
 * buffered writes end the measured region with fdatasync, and every repetition reports
 * the extra `direct` (1 = O_DIRECT, 0 = buffered).  `--param direct=0` asks for
 * buffered I/O on purpose.
 *
 * Workloads (one op, unit):
 *   io.seq.read / io.seq.write   one op = one pread/pwrite of `bs` (default 1 MiB) at
 *                                the next block, wrapping around the file; MB/s
 *                                (1e6 bytes/s), bytes = ops * bs.
 *   io.rand.read / io.rand.write one op = one pread/pwrite of `bs` (default 4 KiB) at a
 *                                bs-aligned offset from a seeded PRNG (splitmix64),
 *                                queue depth 1; IOPS = ops per second; each op is timed
 *                                with CLOCK_MONOTONIC_RAW: extras lat_mean_ns, lat_p50_ns,
 *                                lat_p99_ns, lat_max_ns.
 *   io.fsync                     one op = one pwrite of `bs` (default 4 KiB) at the next
 *                                block (rotating through the file) + fdatasync; ns/op;
 *                                extras lat_p50_ns, lat_p99_ns (and mean, max).
 *
 * User errors (exit status 2, nothing left behind): dir missing, not a directory, not
 * writable, not enough free space, size too small (below 1M or 4 blocks) or not a
 * multiple of bs, bs not a multiple of 4K.  An I/O error or short transfer during the
 * run is a runtime failure.
 *
 * The scratch file (creation, stamps, removal) is scratch.c, shared with pf.c (pf.file). */
#include "workload.h"
#include "cpuinfo.h"
#include "memutil.h"
#include "scratch.h"
#include "../common/units.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

/* ---- state shared by the io workloads --------------------------------------------- */

enum io_kind { IO_SEQ_READ, IO_SEQ_WRITE, IO_RAND_READ, IO_RAND_WRITE, IO_FSYNC };

struct io_state {
	enum io_kind kind;
	int fd;               /* the descriptor I/O uses: O_DIRECT when direct */
	int bfd;              /* buffered descriptor (setup, fadvise) */
	int direct;
	uint64_t size, bs, nblocks;
	uint64_t cursor;      /* seq and fsync: next block */
	uint64_t rng;         /* rand: PRNG state, continues across repetitions */
	uint64_t gen;         /* written into every sector, changes per repetition */
	unsigned char *buf;
	uint64_t *lat;        /* per-op latencies of one repetition */
	uint64_t latcap;
	char path[4096];
};

static int is_write(enum io_kind k) { return k == IO_SEQ_WRITE || k == IO_RAND_WRITE || k == IO_FSYNC; }

static void io_free(struct nb_ctx *c, struct io_state *s)
{
	if (s->fd >= 0 && s->fd != s->bfd)
		close(s->fd);
	if (s->bfd >= 0)
		close(s->bfd);
	nb_scratch_remove(c, s->path);
	free(s->buf);
	free(s->lat);
	free(s);
}

/* One block transfer at `off`; 0, or -1 with c->err (runtime failure). */
static int xfer(struct nb_ctx *c, struct io_state *s, uint64_t off)
{
	ssize_t r;

	if (is_write(s->kind)) {
		nb_scratch_stamp(s->buf, s->bs, off, s->gen);
		r = pwrite(s->fd, s->buf, s->bs, (off_t)off);
	} else {
		r = pread(s->fd, s->buf, s->bs, (off_t)off);
	}
	if (r < 0)
		return nb_fail(c, 0, "%s: %s at offset %llu of %s: %s", c->w->name,
			       is_write(s->kind) ? "pwrite" : "pread", (unsigned long long)off, s->path,
			       strerror(errno));
	if ((uint64_t)r != s->bs)
		return nb_fail(c, 0, "%s: short %s at offset %llu of %s: %zd of %llu bytes", c->w->name,
			       is_write(s->kind) ? "write" : "read", (unsigned long long)off, s->path, r,
			       (unsigned long long)s->bs);
	if (!is_write(s->kind) && !nb_scratch_stamp_ok(s->buf, off))
		return nb_fail(c, 0, "%s: data check failed at offset %llu of %s: read back other data "
				     "than was written (storage or emulation error)",
			       c->w->name, (unsigned long long)off, s->path);
	return 0;
}

/* One O_DIRECT transfer of the kind the workload does (block 0, rewritten with the
 * data it holds); 0, or -1 with errno. */
static int direct_probe(struct io_state *s)
{
	if (pread(s->fd, s->buf, s->bs, 0) < 0)
		return -1;
	if (!is_write(s->kind))
		return 0;
	nb_scratch_stamp(s->buf, s->bs, 0, 0);
	return pwrite(s->fd, s->buf, s->bs, 0) < 0 ? -1 : 0;
}

static int io_setup(struct nb_ctx *c, enum io_kind kind)
{
	const char *dir = nb_param_s(c, "dir");
	uint64_t size = nb_param_u(c, "size"), bs = nb_param_u(c, "bs");
	uint64_t min = 4 * bs > (1u << 20) ? 4 * bs : 1u << 20;
	char a[32], b[32], fsbuf[48];
	struct statfs sfs;
	struct io_state *s;

	nb_format_size(size, a, sizeof(a));
	nb_format_size(bs, b, sizeof(b));
	if (bs % NB_SCRATCH_SECTOR)
		return nb_fail(c, 1, "bs %s is not a multiple of 4K (O_DIRECT alignment)", b);
	if (size < min) {
		char m[32];
		nb_format_size(min, m, sizeof(m));
		return nb_fail(c, 1, "size %s is too small: at least %s (1M and 4 blocks of bs=%s)", a, m, b);
	}
	if (size % bs)
		return nb_fail(c, 1, "size %s is not a multiple of bs %s", a, b);
	if (!(s = calloc(1, sizeof(*s))))
		return nb_fail(c, 0, "out of memory");
	s->kind = kind;
	s->fd = s->bfd = -1;
	s->size = size;
	s->bs = bs;
	s->nblocks = size / bs;
	s->rng = nb_param_u(c, "seed");
	if (posix_memalign((void **)&s->buf, NB_SCRATCH_SECTOR, bs)) {
		s->buf = NULL;
		io_free(c, s);
		return nb_fail(c, 0, "out of memory (a %s buffer)", b);
	}
	nb_scratch_fill(s->buf, bs, 0xb10cull ^ bs);
	if ((s->bfd = nb_scratch_create(c, dir, "nestbench-io", size, 1u << 20, s->path, &sfs)) < 0) {
		io_free(c, s);
		return -1;
	}
	posix_fadvise(s->bfd, 0, 0, POSIX_FADV_DONTNEED);  /* setup's data is clean now */

	const char *fs = nb_scratch_fs_name((unsigned long)sfs.f_type, fsbuf, sizeof(fsbuf));
	int in_ram = nb_scratch_fs_in_ram((unsigned long)sfs.f_type);
	if (nb_param_u(c, "direct")) {
		s->fd = open(s->path, O_RDWR | O_DIRECT | O_CLOEXEC);
		if (s->fd < 0 && errno != EINVAL) {
			nb_fail(c, 0, "open %s with O_DIRECT: %s", s->path, strerror(errno));
			io_free(c, s);
			return -1;
		}
		/* Some filesystems accept the flag at open and refuse the transfer. */
		if (s->fd >= 0 && direct_probe(s)) {
			if (errno != EINVAL) {
				nb_fail(c, 0, "O_DIRECT probe on %s: %s", s->path, strerror(errno));
				io_free(c, s);
				return -1;
			}
			close(s->fd);
			s->fd = -1;
		}
		s->direct = s->fd >= 0;
		if (s->direct)
			nb_note(c, "%s on %s: O_DIRECT, 4 KiB-aligned buffers%s", dir, fs,
				in_ram ? " (but this filesystem keeps data in RAM: no device I/O)" : "");
		else
			nb_note(c, "%s on %s: O_DIRECT refused (EINVAL), buffered I/O instead", dir, fs);
	} else {
		nb_note(c, "%s on %s: buffered I/O (direct=0)", dir, fs);
	}
	if (!s->direct) {
		s->fd = s->bfd;
		nb_note(c, "page cache dropped (POSIX_FADV_DONTNEED) before each repetition%s%s",
			is_write(kind) && kind != IO_FSYNC ? ", writes end with fdatasync inside the measurement" : "",
			in_ram ? "; this filesystem ignores DONTNEED and keeps data in RAM: memory copies, not a device" : "");
	}
	if (kind == IO_SEQ_READ || kind == IO_SEQ_WRITE)
		nb_note(c, "%s blocks, offsets wrap around the %s file", b, a);
	else if (kind == IO_FSYNC)
		nb_note(c, "one op = %s pwrite at rotating offsets of a %s file + fdatasync", b, a);
	else
		nb_note(c, "%s at random %s-aligned offsets of a %s file (seed %llu), queue depth 1", b, b, a,
			(unsigned long long)nb_param_u(c, "seed"));
	c->priv = s;
	return 0;
}

static int setup_seq_read(struct nb_ctx *c) { return io_setup(c, IO_SEQ_READ); }
static int setup_seq_write(struct nb_ctx *c) { return io_setup(c, IO_SEQ_WRITE); }
static int setup_rand_read(struct nb_ctx *c) { return io_setup(c, IO_RAND_READ); }
static int setup_rand_write(struct nb_ctx *c) { return io_setup(c, IO_RAND_WRITE); }
static int setup_fsync(struct nb_ctx *c) { return io_setup(c, IO_FSYNC); }

static void io_teardown(struct nb_ctx *c)
{
	if (c->priv)
		io_free(c, c->priv);
	c->priv = NULL;
}

/* Before a repetition (outside the measurement). */
static void io_prepare(struct io_state *s)
{
	s->gen++;
	if (!s->direct)
		posix_fadvise(s->bfd, 0, 0, POSIX_FADV_DONTNEED);
}

/* Buffered writes end in fdatasync so the figure includes writeback. */
static int io_finish(struct nb_ctx *c, struct io_state *s)
{
	if (!s->direct && (s->kind == IO_SEQ_WRITE || s->kind == IO_RAND_WRITE) && fdatasync(s->fd))
		return nb_fail(c, 0, "%s: fdatasync of %s: %s", c->w->name, s->path, strerror(errno));
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const uint64_t *v, uint64_t n, double p)
{
	uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)n);

	return (double)v[rank ? rank - 1 : 0];
}

static void report_latencies(struct nb_ctx *c, uint64_t *lat, uint64_t n)
{
	double sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += (double)lat[i];
	qsort(lat, n, sizeof(lat[0]), cmp_u64);
	nb_extra(c, "lat_mean_ns", sum / (double)n);
	nb_extra(c, "lat_p50_ns", pct(lat, n, 50));
	nb_extra(c, "lat_p99_ns", pct(lat, n, 99));
	nb_extra(c, "lat_max_ns", (double)lat[n - 1]);
}

static int seq_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct io_state *s = c->priv;
	int rc = 0;

	io_prepare(s);
	nb_meter_start(c);
	for (uint64_t i = 0; i < ops && !rc; i++) {
		rc = xfer(c, s, s->cursor * s->bs);
		s->cursor = s->cursor + 1 == s->nblocks ? 0 : s->cursor + 1;
	}
	if (!rc)
		rc = io_finish(c, s);
	nb_meter_stop(c);
	*bytes = ops * s->bs;
	nb_extra(c, "direct", s->direct);
	return rc;
}

static int lat_reserve(struct nb_ctx *c, struct io_state *s, uint64_t ops)
{
	if (ops <= s->latcap)
		return 0;
	uint64_t *p = realloc(s->lat, ops * sizeof(*p));
	if (!p)
		return nb_fail(c, 0, "out of memory (latencies of %llu ops)", (unsigned long long)ops);
	s->lat = p;
	s->latcap = ops;
	return 0;
}

static int rand_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct io_state *s = c->priv;
	int rc = 0;
	uint64_t i;

	if (lat_reserve(c, s, ops))
		return -1;
	io_prepare(s);
	nb_meter_start(c);
	for (i = 0; i < ops && !rc; i++) {
		uint64_t off = (nb_splitmix64(&s->rng) % s->nblocks) * s->bs;
		uint64_t t0 = nb_now_ns();
		rc = xfer(c, s, off);
		s->lat[i] = nb_now_ns() - t0;
	}
	if (!rc)
		rc = io_finish(c, s);
	nb_meter_stop(c);
	(void)bytes;  /* IOPS: the runner divides ops by time */
	nb_extra(c, "direct", s->direct);
	if (!rc)
		report_latencies(c, s->lat, ops);
	return rc;
}

static int fsync_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct io_state *s = c->priv;
	int rc = 0;

	(void)bytes;
	if (lat_reserve(c, s, ops))
		return -1;
	io_prepare(s);
	nb_meter_start(c);
	for (uint64_t i = 0; i < ops && !rc; i++) {
		uint64_t t0 = nb_now_ns();
		rc = xfer(c, s, s->cursor * s->bs);
		if (!rc && fdatasync(s->fd))
			rc = nb_fail(c, 0, "io.fsync: fdatasync of %s: %s", s->path, strerror(errno));
		s->lat[i] = nb_now_ns() - t0;
		s->cursor = s->cursor + 1 == s->nblocks ? 0 : s->cursor + 1;
	}
	nb_meter_stop(c);
	nb_extra(c, "direct", s->direct);
	if (!rc)
		report_latencies(c, s->lat, ops);
	return rc;
}

/* ---- descriptors ----------------------------------------------------------------- */

#define DIR_PARAM { "dir", NB_PARAM_STRING, "/var/tmp", 0, 0, \
		    "directory for the scratch file nestbench-io.<pid>.tmp (the disk under test)" }
#define DIRECT_PARAM { "direct", NB_PARAM_BOOL, "1", 0, 1, \
		       "1: O_DIRECT (buffered if the filesystem refuses it); 0: buffered I/O" }

static const struct nb_param_spec seq_params[] = {
	DIR_PARAM,
	{ "size", NB_PARAM_SIZE, "256M", 4096, 0, "scratch file size (at least 1M and 4 blocks)" },
	{ "bs", NB_PARAM_SIZE, "1M", 4096, 64 << 20, "block size, one op (multiple of 4K)" },
	DIRECT_PARAM,
	{ 0 }
};

static const struct nb_param_spec rand_params[] = {
	DIR_PARAM,
	{ "size", NB_PARAM_SIZE, "64M", 4096, 0, "scratch file size (at least 1M and 4 blocks)" },
	{ "bs", NB_PARAM_SIZE, "4K", 4096, 64 << 20, "block size, one op (multiple of 4K)" },
	{ "seed", NB_PARAM_UINT, "1", 0, 0, "PRNG seed of the offsets" },
	DIRECT_PARAM,
	{ 0 }
};

static const struct nb_param_spec fsync_params[] = {
	DIR_PARAM,
	{ "size", NB_PARAM_SIZE, "64M", 4096, 0, "scratch file size (writes rotate through it)" },
	{ "bs", NB_PARAM_SIZE, "4K", 4096, 64 << 20, "bytes written before each fdatasync (multiple of 4K)" },
	DIRECT_PARAM,
	{ 0 }
};

const struct nb_workload nb_wl_io_seq_read = {
	.name = "io.seq.read",
	.family = "io",
	.unit = "MB/s",
	.better = NB_HIGHER_IS_BETTER,
	.metric = NB_METRIC_MB_PER_S,
	.stresses = "virtual disk read path: O_DIRECT 1 MiB sequential reads (virtio-blk/emulated disk)",
	.params = seq_params,
	.setup = setup_seq_read,
	.run = seq_run,
	.teardown = io_teardown,
};

const struct nb_workload nb_wl_io_seq_write = {
	.name = "io.seq.write",
	.family = "io",
	.unit = "MB/s",
	.better = NB_HIGHER_IS_BETTER,
	.metric = NB_METRIC_MB_PER_S,
	.stresses = "virtual disk write path: O_DIRECT 1 MiB sequential writes",
	.params = seq_params,
	.setup = setup_seq_write,
	.run = seq_run,
	.teardown = io_teardown,
};

const struct nb_workload nb_wl_io_rand_read = {
	.name = "io.rand.read",
	.family = "io",
	.unit = "IOPS",
	.better = NB_HIGHER_IS_BETTER,
	.metric = NB_METRIC_OPS_PER_S,
	.stresses = "per-request disk latency: O_DIRECT 4 KiB random reads, queue depth 1 (exits per I/O)",
	.params = rand_params,
	.setup = setup_rand_read,
	.run = rand_run,
	.teardown = io_teardown,
	.max_ops = 1u << 22,  /* per-op latency array: 32 MiB */
};

const struct nb_workload nb_wl_io_rand_write = {
	.name = "io.rand.write",
	.family = "io",
	.unit = "IOPS",
	.better = NB_HIGHER_IS_BETTER,
	.metric = NB_METRIC_OPS_PER_S,
	.stresses = "per-request disk latency: O_DIRECT 4 KiB random writes, queue depth 1",
	.params = rand_params,
	.setup = setup_rand_write,
	.run = rand_run,
	.teardown = io_teardown,
	.max_ops = 1u << 22,
};

const struct nb_workload nb_wl_io_fsync = {
	.name = "io.fsync",
	.family = "io",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "write + cache flush round trip through every level (fdatasync after a 4 KiB write)",
	.params = fsync_params,
	.setup = setup_fsync,
	.run = fsync_run,
	.teardown = io_teardown,
	.max_ops = 1u << 20,
};
