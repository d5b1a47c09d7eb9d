/* memutil.c - the memory and system helpers of memutil.h.  They used to exist twice
 * (mem_lat.c for the `mem` family, pf.c for the `pf` family); one copy each now, so a
 * fix in how MemAvailable, smaps or the THP mode is read reaches every workload. */
#include "memutil.h"
#include "../common/err.h"
#include "../common/files.h"
#include "../common/units.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- machine limits -------------------------------------------------------------- */

uint64_t nb_mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long kb;
	uint64_t bytes = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			bytes = (uint64_t)kb * 1024;
			break;
		}
	fclose(f);
	return bytes;
}

uint64_t nb_mem_margin(uint64_t avail)
{
	return (64ull << 20) + avail / 16;
}

uint64_t nb_llc_bytes(int cpu)
{
	unsigned best_level = 0;
	uint64_t best = 0;

	if (cpu < 0)
		cpu = 0;
	for (int i = 0; i < 16; i++) {
		char path[160], text[64];
		uint64_t size;
		unsigned level;
		int n = snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index%d/", cpu, i);
		size_t dir = (size_t)n;

		snprintf(path + dir, sizeof(path) - dir, "type");
		if (nb_read_line(path, text, sizeof(text)))
			continue;  /* indices may be sparse; stop at 16 */
		if (strcmp(text, "Unified") != 0 && strcmp(text, "Data") != 0)
			continue;
		snprintf(path + dir, sizeof(path) - dir, "level");
		if (nb_read_line(path, text, sizeof(text)) || sscanf(text, "%u", &level) != 1)
			continue;
		snprintf(path + dir, sizeof(path) - dir, "size");
		if (nb_read_line(path, text, sizeof(text)) || nb_parse_size(text, &size) || !size)
			continue;
		if (level > best_level || (level == best_level && size > best)) {
			best_level = level;
			best = size;
		}
	}
	return best;
}

/* ---- transparent huge pages ------------------------------------------------------ */

int nb_thp_mode_of(const char *enabled)
{
	const char *sel = strchr(enabled, '[');

	if (!sel)
		return 0;
	return strncmp(sel, "[always]", 8) == 0 ? 'a' : strncmp(sel, "[madvise]", 9) == 0 ? 'm'
	     : strncmp(sel, "[never]", 7) == 0 ? 'n' : 0;
}

int nb_thp_mode(void)
{
	char text[128];

	if (nb_read_line(NB_THP_ENABLED, text, sizeof(text)))
		return 0;
	return nb_thp_mode_of(text);
}

const char *nb_thp_unsupported(int thp, char why[NB_ERR_LEN])
{
	int mode;

	if (!thp)
		return NULL;
	mode = nb_thp_mode();
	if (mode == 'n') {
		snprintf(why, NB_ERR_LEN, "thp=1 asks for transparent huge pages, but "
			 "/sys/kernel/mm/transparent_hugepage/enabled is [never]");
		return why;
	}
	if (mode == 0) {
		snprintf(why, NB_ERR_LEN, "thp=1 asks for transparent huge pages, but this kernel has none "
			 "(no /sys/kernel/mm/transparent_hugepage/enabled)");
		return why;
	}
	return NULL;
}

/* ---- regions ---------------------------------------------------------------------- */

int nb_region_map(struct nb_region *r, size_t bytes, int thp, char err[NB_ERR_LEN])
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (bytes + NB_HUGE_PAGE - 1) / NB_HUGE_PAGE * NB_HUGE_PAGE;
	char want[32];

	memset(r, 0, sizeof(*r));
	nb_format_size(len, want, sizeof(want));
	if (len == 0 || len < bytes) {
		return nb_err(err, "cannot map %zu bytes", bytes);
	}
	/* Reserve room for 2 MiB alignment plus a guard page on each side; only the
	 * aligned middle becomes accessible, so it is a mapping of its own. */
	r->resv_len = len + NB_HUGE_PAGE + 2 * page;
	r->resv = mmap(NULL, r->resv_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->resv == MAP_FAILED) {
		snprintf(err, NB_ERR_LEN, "cannot reserve %s of address space: %s", want, strerror(errno));
		r->resv = NULL;
		return -1;
	}
	uintptr_t start = ((uintptr_t)r->resv + page + NB_HUGE_PAGE - 1) & ~(uintptr_t)(NB_HUGE_PAGE - 1);
	r->base = (void *)start;
	r->len = len;
	if (mprotect(r->base, len, PROT_READ | PROT_WRITE)) {
		snprintf(err, NB_ERR_LEN, "cannot map %s of memory: %s", want, strerror(errno));
		nb_region_unmap(r);
		return -1;
	}
	if (madvise(r->base, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		snprintf(err, NB_ERR_LEN, "madvise(%s) on %s: %s", thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
			 want, strerror(errno));
		nb_region_unmap(r);
		return -1;
	}
	return 0;
}

void nb_region_unmap(struct nb_region *r)
{
	if (r->resv)
		munmap(r->resv, r->resv_len);
	memset(r, 0, sizeof(*r));
}

/* getline, not a fixed buffer: a mapping header with a long path must not be split into
 * pieces that could be read as headers of their own. */
int64_t nb_anon_huge_bytes(const void *p, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	uintptr_t lo = (uintptr_t)p, hi = lo + len;
	char *line = NULL;
	size_t cap = 0;
	int in = 0;
	int64_t total = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		uintmax_t s, e, kb;
		/* Mapping headers start with a lower-case hex address; fields with a name. */
		if (isdigit((unsigned char)line[0]) || (line[0] >= 'a' && line[0] <= 'f')) {
			if (sscanf(line, "%jx-%jx", &s, &e) == 2)
				in = s < hi && e > lo;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ju kB", &kb) == 1)
			total += (int64_t)kb * 1024;
	}
	free(line);
	fclose(f);
	return total;
}

double nb_region_huge_fraction(const struct nb_region *r)
{
	int64_t huge = nb_anon_huge_bytes(r->base, r->len);

	return huge < 0 || !r->len ? -1.0 : (double)huge / (double)r->len;
}
