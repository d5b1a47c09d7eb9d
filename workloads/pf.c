/* pf.c - the `pf` family: first-touch page faults.  Under nested paging a guest fault
 * that needs fresh memory can also fault on the host (and, nested, on the L1 host), and
 * every page walk is two-dimensional; these workloads count the faults they cause with
 * getrusage(RUSAGE_THREAD) ru_minflt around the measured region, so a figure never
 * hides how many faults it really took.
 *
 * Regimes (workloads/README.md, "Measurement traps"): memory freed a few seconds ago may have
 * been handed back to the host by free page reporting (virtio-balloon), so its next
 * first touch also faults on the host.  pf.anon and pf.thp therefore measure one regime,
 * chosen by `regime` and kept for every repetition:
 *   warm  immediately before the measured touch, as many touched pages were freed, so
 *         the guest reuses memory its host still backs: the guest-only fault cost.  A
 *         repetition that fits one chunk keeps its measured pages mapped until the next
 *         one frees them (so a kept worker holds them between visits) and touches fresh
 *         pages only for what it lacks: a first touch on a VM is the host's fault too
 *         (2 ms per huge page here, 25x the measured fault), and it is the same free
 *         list either way;
 *   cold  the same touch-and-free, then `cold_wait_ms` (default 3000) of sleep before
 *         the measured touch, so free page reporting can hand the memory back first:
 *         guest + host fault cost.  Free page reporting only reports free blocks of
 *         pageblock order (2 MiB) and up, and the allocator serves 4 KiB pages from the
 *         smallest free blocks first, so without care pf.anon's cold touch would mostly
 *         land on never-reported low-order fragments (measured here: 1.2x warm for a
 *         120 MB region, 2x for 2 GB).  pf.anon cold therefore first touches and holds a
 *         "ballast" as large as the free memory in blocks below pageblock order
 *         (/proc/buddyinfo, capped like a chunk), so the measured pages must come from
 *         the 2 MiB blocks that were freed and reported.  pf.thp needs no ballast: a
 *         huge page always comes from such a block.
 * The meta note names the regime and whether virtio-balloon free page reporting is on.
 *
 * Workloads (one op, unit):
 *   pf.anon  one op = the first write to one 4 KiB page of a fresh private anonymous
 *            mapping (MADV_NOHUGEPAGE): one minor fault that allocates and zeroes a page
 *            (and, every 512 pages, a page-table page); ns/fault.  Extra faults_per_op
 *            (~1.0).
 *   pf.thp   one op = the first write to one 2 MiB-aligned huge page of a MADV_HUGEPAGE
 *            mapping: one huge-page fault, zeroing 2 MiB included; ns/fault.  Extras
 *            huge_fraction (AnonHugePages of the region in /proc/self/smaps / its size)
 *            and faults_per_op (512 per op when the kernel fell back to 4 KiB pages).
 *   pf.file  one op = one page of a `size` file (default 64M, in `dir`, kept in the page
 *            cache) made readable by read-touching one byte of it through a fresh
 *            read-only MAP_PRIVATE mapping; ns/page.  The kernel's fault-around maps up
 *            to fault_around_bytes (64 KiB by default) per read fault, so one fault
 *            serves several pages: extra faults_per_page reports that ratio (about 1/16)
 *            and major_faults must be 0 (the page cache is refilled before a repetition
 *            if it was evicted).  The file is written (and refilled) one page per call
 *            so the page cache holds 4 KiB folios: recent kernels map a whole large
 *            folio per fault (ext4 large folios, 6.16+: ~1/200 faults per page), which
 *            would change what one fault covers from kernel to kernel.  A repetition of
 *            more pages than the file has maps the file again (mmap/munmap outside the
 *            measurement) until `ops` pages are done.
 *
 * Memory bound: a repetition touches its pages in chunks of at most min(MemAvailable/4,
 * 1 GiB) (read at setup), each chunk its own mapping (and, cold, its own wait), so the
 * calibration cannot exhaust memory; max_ops bounds the time. */
#include "workload.h"
#include "../common/err.h"
#include "memutil.h"
#include "scratch.h"
#include "../common/files.h"
#include "../common/units.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_MAX (1ull << 30)

/* Touch loops are not instrumented: an ASan shadow check would add its own faults. */
#define NB_NO_ASAN __attribute__((no_sanitize_address))

static NB_NO_ASAN void touch_write(volatile char *p, uint64_t n, size_t stride)
{
	for (uint64_t i = 0; i < n; i++)
		p[i * stride] = 1;
}

static NB_NO_ASAN uint64_t touch_read(const volatile char *p, uint64_t n, size_t stride)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += (unsigned char)p[i * stride];
	return sum;
}

static uint64_t minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)ru.ru_minflt;
}

static uint64_t majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)ru.ru_majflt;
}

static uint64_t chunk_bytes(void)
{
	uint64_t avail = nb_mem_available(), b = avail ? avail / 4 : 256ull << 20;

	return b > CHUNK_MAX ? CHUNK_MAX : b < (4ull << 20) ? 4ull << 20 : b;
}

/* 1: a virtio-balloon device offers free page reporting (feature bit 5); 0: a balloon
 * without it; -1: no virtio-balloon seen. */
static int free_page_reporting(void)
{
	DIR *d = opendir("/sys/bus/virtio/devices");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char p[512], buf[160];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/bus/virtio/devices/%s/device", e->d_name);
		if (nb_read_line(p, buf, sizeof(buf)) || strtoul(buf, NULL, 0) != 5)
			continue;   /* not a balloon (device id 5) */
		snprintf(p, sizeof(p), "/sys/bus/virtio/devices/%s/features", e->d_name);
		/* One character per feature bit; bit 5 is free page reporting. */
		if (nb_read_line(p, buf, sizeof(buf)) == 0 && strlen(buf) > 5)
			found = found == 1 || buf[5] == '1';
	}
	closedir(d);
	return found;
}

/* Free pages in blocks below pageblock order (2 MiB), which free page reporting never
 * reports, over every zone of /proc/buddyinfo; 0 if unreadable. */
static uint64_t lowfree_pages(size_t page)
{
	FILE *f = fopen("/proc/buddyinfo", "re");
	char line[512];
	uint64_t pages = 0;
	unsigned order_max = 0;

	if (!f)
		return 0;
	while ((NB_HUGE_PAGE / page) >> (order_max + 1))
		order_max++;  /* pageblock order: 9 for 4 KiB pages */
	while (fgets(line, sizeof(line), f)) {
		char *z = strstr(line, "zone"), *end;
		if (!z)
			continue;
		z += 4;
		while (*z == ' ')
			z++;
		while (*z && *z != ' ')
			z++;  /* the zone name */
		for (unsigned o = 0; o <= order_max; o++) {
			unsigned long long n = strtoull(z, &end, 10);
			if (end == z)
				break;
			if (o < order_max)
				pages += (uint64_t)n << o;
			z = end;
		}
	}
	fclose(f);
	return pages;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A private anonymous mapping of len bytes aligned to `align` (a power of two). */
static char *map_anon(size_t len, size_t align)
{
	size_t span = len + (align > 4096 ? align : 0);
	char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (raw == MAP_FAILED)
		return NULL;
	if (span == len)
		return raw;
	uintptr_t a = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
	size_t head = a - (uintptr_t)raw, tail = span - head - len;
	if (head)
		munmap(raw, head);
	if (tail)
		munmap((char *)a + len, tail);
	return (char *)a;
}

/* ---- pf.anon and pf.thp ------------------------------------------------------------ */

struct anon_state {
	uint64_t ballast_max; /* pages, cold pf.anon */
	uint64_t ballast_last;
	int huge;             /* pf.thp */
	int cold;
	uint64_t wait_ms;
	size_t page;          /* bytes one op touches: the page size or 2 MiB */
	uint64_t chunk;       /* ops per mapping */
	char *held;           /* warm: the last repetition's pages, still mapped */
	uint64_t held_n;
	int noted_chunk, noted_fallback;
};

static int anon_setup_common(struct nb_ctx *c, int huge)
{
	const char *regime = nb_param_s(c, "regime");
	struct anon_state *s;

	/* regime is "warm" or "cold": the parameter's choices are checked before setup. */
	if (!(s = calloc(1, sizeof(*s))))
		return nb_fail(c, 0, "out of memory");
	s->huge = huge;
	s->cold = regime[0] == 'c';
	s->wait_ms = nb_param_u(c, "cold_wait_ms");
	s->page = huge ? NB_HUGE_PAGE : (size_t)sysconf(_SC_PAGESIZE);
	s->chunk = chunk_bytes() / s->page;
	if (!s->chunk)
		s->chunk = 1;
	s->ballast_max = s->cold && !huge ? s->chunk : 0;
	c->priv = s;

	if (s->cold)
		nb_note(c, "regime cold: the pages were touched, freed and left %llu ms before the "
			   "measured touch (free page reporting may have returned them to the host)%s",
			(unsigned long long)s->wait_ms,
			huge ? "" : "; a ballast held the free memory in blocks below 2 MiB, which is "
				    "never reported, so the measured pages come from reported blocks");
	else
		nb_note(c, "regime warm: as many touched pages were freed just before the measured "
			   "touch (the host still backs them: guest-only fault cost)");
	int fpr = free_page_reporting();
	nb_note(c, "%s", fpr == 1 ? "virtio-balloon free page reporting: on"
		       : fpr == 0 ? "virtio-balloon free page reporting: off (cold ~ warm expected)"
				  : "no virtio-balloon (free page reporting of other hypervisors not detected)");
	return 0;
}

static int anon_setup(struct nb_ctx *c) { return anon_setup_common(c, 0); }
static int thp_setup(struct nb_ctx *c) { return anon_setup_common(c, 1); }

static char *map_region(struct nb_ctx *c, struct anon_state *s, uint64_t n)
{
	size_t len = (size_t)(n * s->page);
	char *p = map_anon(len, s->page);
	char a[32];

	if (!p) {
		nb_format_size(len, a, sizeof(a));
		nb_fail(c, 0, "%s: mmap of %s: %s", c->w->name, a, strerror(errno));
		return NULL;
	}
	/* NOHUGEPAGE failing (a kernel without THP) changes nothing; HUGEPAGE must work. */
	if (madvise(p, len, s->huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) && s->huge) {
		nb_fail(c, 0, "pf.thp: madvise(MADV_HUGEPAGE): %s", strerror(errno));
		munmap(p, len);
		return NULL;
	}
	return p;
}

static void release_held(struct anon_state *s)
{
	if (s->held)
		munmap(s->held, (size_t)(s->held_n * s->page));
	s->held = NULL;
	s->held_n = 0;
}

/* Warm, one chunk: at least n touched pages freed just now, fresh ones touched only for
 * what the held pages lack; the caller maps and measures.  -1 on a mapping error. */
static int warm_from_held(struct nb_ctx *c, struct anon_state *s, uint64_t n)
{
	if (s->held_n < n) {
		uint64_t more = n - s->held_n;
		char *p = map_region(c, s, more);
		if (!p)
			return -1;
		touch_write(p, more, s->page);
		munmap(p, (size_t)(more * s->page));
	}
	release_held(s);
	return 0;
}

static int anon_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct anon_state *s = c->priv;
	uint64_t faults = 0, huge = 0;
	int hold = !s->cold && ops <= s->chunk;

	(void)bytes;
	if (ops > s->chunk && !s->noted_chunk) {
		char a[32];
		nb_format_size(s->chunk * s->page, a, sizeof(a));
		nb_note(c, "repetitions touch at most %s per mapping (min(MemAvailable/4, 1G)): more ops "
			   "use several mappings%s", a, s->cold ? ", each after its own wait" : ", "
			   "each after its own touch-and-free of as many fresh pages");
		s->noted_chunk = 1;
	}
	if (!hold)
		release_held(s);
	for (uint64_t done = 0; done < ops;) {
		uint64_t n = ops - done < s->chunk ? ops - done : s->chunk;
		size_t len = (size_t)(n * s->page);
		char *p;

		/* The regime: (cold 4 KiB: hold the low-order free memory,) touch and free as
		 * many pages, then (cold) wait. */
		char *ballast = NULL;
		size_t blen = 0;
		if (hold && warm_from_held(c, s, n))
			return -1;
		if (!hold && s->ballast_max) {
			uint64_t b = lowfree_pages(s->page);
			b = b > s->ballast_max ? s->ballast_max : b;
			s->ballast_last = b;
			blen = (size_t)(b * s->page);
			if (b && !(ballast = map_region(c, s, b)))
				return -1;
			if (b)
				touch_write(ballast, b, s->page);
		}
		if (!hold) {
			if (!(p = map_region(c, s, n))) {
				if (ballast)
					munmap(ballast, blen);
				return -1;
			}
			touch_write(p, n, s->page);
			munmap(p, len);
			if (s->cold)
				sleep_ms(s->wait_ms);
		}

		p = map_region(c, s, n);
		if (!p) {
			if (ballast)
				munmap(ballast, blen);
			return -1;
		}
		uint64_t f0 = minflt();
		nb_meter_start(c);
		touch_write(p, n, s->page);
		nb_meter_stop(c);
		faults += minflt() - f0;
		if (s->huge) {
			/* Unreadable smaps (-1) counts as no huge pages: huge_fraction 0. */
			int64_t h = nb_anon_huge_bytes(p, len);
			huge += h > 0 ? (uint64_t)h : 0;
		}
		if (hold) {
			s->held = p;  /* the next repetition frees them */
			s->held_n = n;
		} else {
			munmap(p, len);
		}
		if (ballast)
			munmap(ballast, blen);
		done += n;
	}
	nb_extra(c, "faults_per_op", (double)faults / (double)ops);
	if (s->ballast_max)
		nb_extra(c, "ballast_mb", (double)(s->ballast_last * s->page) / 1e6);
	if (s->huge) {
		double frac = (double)huge / ((double)ops * (double)NB_HUGE_PAGE);
		nb_extra(c, "huge_fraction", frac);
		if (frac < 0.99 && !s->noted_fallback) {
			nb_note(c, "huge pages could not be allocated for %.1f %% of the touched memory "
				   "(fragmentation or THP defrag setting): those ops faulted 4 KiB pages",
				100.0 * (1.0 - frac));
			s->noted_fallback = 1;
		}
	}
	return 0;
}

static void free_priv(struct nb_ctx *c)
{
	free(c->priv);
	c->priv = NULL;
}

static void anon_teardown(struct nb_ctx *c)
{
	if (c->priv)
		release_held(c->priv);
	free_priv(c);
}

/* Not nb_thp_unsupported (mem family): pf.thp has no thp parameter, keeps its own
 * messages, also checks the PMD size and notes the enabled and defrag lines. */
static const char *thp_supported(struct nb_ctx *c, char why[NB_ERR_LEN])
{
	char en[128], defrag[128], sz[64];

	if (nb_read_line(NB_THP_ENABLED, en, sizeof(en)))
		return "transparent huge pages are not available (no /sys/kernel/mm/transparent_hugepage)";
	if (nb_thp_mode_of(en) == 'n')
		return "transparent huge pages are disabled ([never] in "
		       "/sys/kernel/mm/transparent_hugepage/enabled)";
	if (!nb_read_line(NB_THP_DIR "hpage_pmd_size", sz, sizeof(sz)) &&
	    strtoull(sz, NULL, 10) != NB_HUGE_PAGE) {
		snprintf(why, NB_ERR_LEN, "the PMD huge page size is %s bytes, not 2 MiB", sz);
		return why;
	}
	if (nb_read_line(NB_THP_DIR "defrag", defrag, sizeof(defrag)))
		snprintf(defrag, sizeof(defrag), "unknown");
	nb_note(c, "THP enabled: %s; defrag: %s", en, defrag);
	return NULL;
}

/* ---- pf.file ----------------------------------------------------------------------- */

struct file_state {
	int fd;
	uint64_t pages;
	size_t page;
	unsigned char *vec;   /* mincore vector of the whole file */
	int noted_refill;
	char path[4096];
};

static void file_teardown(struct nb_ctx *c)
{
	struct file_state *s = c->priv;

	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	nb_scratch_remove(c, s->path);
	free(s->vec);
	free_priv(c);
}

static int file_setup(struct nb_ctx *c)
{
	uint64_t size = nb_param_u(c, "size");
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct file_state *s;
	struct statfs sfs;
	char a[32], fsbuf[48], fab[64];

	nb_format_size(size, a, sizeof(a));
	if (size % page)
		return nb_fail(c, 1, "size %s is not a multiple of the page size (%zu)", a, page);
	if (!(s = calloc(1, sizeof(*s))))
		return nb_fail(c, 0, "out of memory");
	s->page = page;
	s->pages = size / page;
	if (!(s->vec = malloc(s->pages))) {
		free(s);
		return nb_fail(c, 0, "out of memory");
	}
	c->priv = s;
	s->fd = nb_scratch_create(c, nb_param_s(c, "dir"), "nestbench-pf", size, page, s->path, &sfs);
	if (s->fd < 0) {
		file_teardown(c);
		return -1;
	}
	if (nb_read_line("/sys/kernel/debug/fault_around_bytes", fab, sizeof(fab)))
		snprintf(fab, sizeof(fab), "64K by default");
	nb_note(c, "a %s file on %s, in the page cache as 4 KiB folios (written a page at a time); "
		   "fault-around maps up to fault_around_bytes (%s) per read fault, so faults_per_page "
		   "< 1; more ops than its %llu pages remap it (outside the measurement); no page is "
		   "allocated (page tables aside), so the warm/cold regimes do not apply",
		a, nb_scratch_fs_name((unsigned long)sfs.f_type, fsbuf, sizeof(fsbuf)), fab,
		(unsigned long long)s->pages);
	return 0;
}

/* Make sure the first n pages are in the page cache (outside the measurement). */
static int file_refill(struct nb_ctx *c, struct file_state *s, void *p, uint64_t n)
{
	uint64_t missing = 0;
	char buf[65536];  /* >= one page */

	if (mincore(p, (size_t)(n * s->page), s->vec))
		return nb_fail(c, 0, "pf.file: mincore: %s", strerror(errno));
	for (uint64_t i = 0; i < n; i++)
		missing += !(s->vec[i] & 1);
	if (!missing)
		return 0;
	if (!s->noted_refill) {
		nb_note(c, "page cache had been evicted (%llu pages): re-read before the repetition",
			(unsigned long long)missing);
		s->noted_refill = 1;
	}
	/* Page by page without readahead, so the cache again holds 4 KiB folios. */
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_RANDOM);
	for (uint64_t i = 0; i < n; i++)
		if (!(s->vec[i] & 1) && pread(s->fd, buf, s->page, (off_t)(i * s->page)) < 0)
			return nb_fail(c, 0, "pf.file: re-reading %s: %s", s->path, strerror(errno));
	return 0;
}

static int file_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct file_state *s = c->priv;
	uint64_t faults = 0, major = 0, sum = 0;

	(void)bytes;
	for (uint64_t done = 0; done < ops;) {
		uint64_t n = ops - done < s->pages ? ops - done : s->pages;
		size_t len = (size_t)(n * s->page);
		char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, s->fd, 0);

		if (p == MAP_FAILED)
			return nb_fail(c, 0, "pf.file: mmap of %s: %s", s->path, strerror(errno));
		if (file_refill(c, s, p, n)) {
			munmap(p, len);
			return -1;
		}
		uint64_t f0 = minflt(), m0 = majflt();
		nb_meter_start(c);
		sum += touch_read(p, n, s->page);
		nb_meter_stop(c);
		faults += minflt() - f0;
		major += majflt() - m0;
		munmap(p, len);
		done += n;
	}
	nb_consume_u64(sum);
	nb_extra(c, "faults_per_page", (double)faults / (double)ops);
	nb_extra(c, "major_faults", (double)major);
	return 0;
}

/* ---- descriptors ----------------------------------------------------------------- */

#define REGIME_PARAMS                                                                    \
	{ "regime", NB_PARAM_STRING, "warm", 0, 0,                                       \
	  "warm: pages freed just before (guest-only cost); cold: freed cold_wait_ms before "  \
	  "(host may have reclaimed them)", "warm|cold" },                                \
	{ "cold_wait_ms", NB_PARAM_UINT, "3000", 0, 600000,                              \
	  "cold regime: sleep between freeing and the measured touch" }

static const struct nb_param_spec anon_params[] = { REGIME_PARAMS, { 0 } };

static const struct nb_param_spec file_params[] = {
	{ "dir", NB_PARAM_STRING, "/var/tmp", 0, 0, "directory for the file nestbench-pf.<pid>.tmp" },
	{ "size", NB_PARAM_SIZE, "64M", 64 << 10, 0, "file size (kept in the page cache)" },
	{ 0 }
};

const struct nb_workload nb_wl_pf_anon = {
	.name = "pf.anon",
	.family = "pf",
	.unit = "ns/fault",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "anonymous first-touch fault: guest page allocation + zeroing, host/EPT faults "
		    "in the cold regime (2-D page walks)",
	.params = anon_params,
	.setup = anon_setup,
	.run = anon_run,
	.teardown = anon_teardown,
	.max_ops = 1ull << 24,  /* 64 GiB of touches in chunks: bounds time, not memory */
};

const struct nb_workload nb_wl_pf_thp = {
	.name = "pf.thp",
	.family = "pf",
	.unit = "ns/fault",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "2 MiB transparent huge page fault: allocation (maybe compaction) + zeroing 2 MiB; "
		    "host backing of huge pages",
	.params = anon_params,
	.supported = thp_supported,
	.setup = thp_setup,
	.run = anon_run,
	.teardown = anon_teardown,
	.max_ops = 1u << 16,    /* 128 GiB of touches in chunks */
};

const struct nb_workload nb_wl_pf_file = {
	.name = "pf.file",
	.family = "pf",
	.unit = "ns/page",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "page-cache read fault with fault-around: PTE setup and 2-D page walks, no "
		    "allocation",
	.params = file_params,
	.setup = file_setup,
	.run = file_run,
	.teardown = file_teardown,
	.max_ops = 1ull << 28,
};
