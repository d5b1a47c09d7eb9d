/* tracepoints.c - a child VM's exits counted from the tier that runs it.  See tracepoints.h for
 * the method and PROTOCOL.md (exits-start, exits-stop, events-probe) for the fields. */
#include "agent.h"
#include "../common/err.h"
#include "tracepoints.h"
#include "../workloads/memutil.h"   /* nb_read_line */
#include "../workloads/perfopen.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS 512            /* per request, over all target processes */
#define MAX_REASONS 256            /* distinct (isa, reason) pairs kept per tracepoint */
#define RING_PAGES_THREAD 32       /* data pages of a per-thread sample ring (128 KiB) */
#define RING_PAGES_CPU 128         /* ... of a per-CPU one (512 KiB) */
#define DRAIN_POLL_MS 20

/* The tracepoints: the two exit records (sampled for their reasons when asked) and
 * the handler tracepoints (counted). */
enum { TP_EXIT, TP_NESTED, NTP_SAMPLED = 2 };
static const struct {
	const char *name;          /* events/kvm/<name> */
	const char *key;           /* in by_handler / nested */
} tps[] = {
	{ "kvm_exit", "total" },
	{ "kvm_nested_vmexit", "total" },
	{ "kvm_nested_vmexit_inject", "reflected" },
	{ "kvm_pio", "pio" },
	{ "kvm_cpuid", "cpuid" },
	{ "kvm_msr", "msr" },
	{ "kvm_mmio", "mmio" },
	{ "kvm_hypercall", "hypercall" },
	{ "kvm_page_fault", "page_fault" },
	{ "kvm_userspace_exit", "userspace_exit" },
};
#define NTP ((int)(sizeof(tps) / sizeof(tps[0])))
#define TP_INJECT 2

/* Tests count another tracepoint as the exit record (nb_exits_use_tracepoint). */
static const char *exit_tp = "kvm_exit", *exit_field;

void nb_exits_use_tracepoint(const char *name, const char *field)
{
	exit_tp = name ? name : "kvm_exit";
	exit_field = name ? field : NULL;
}

static const char *tp_name(int i)
{
	return i == TP_EXIT ? exit_tp : tps[i].name;
}

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

/* ---- small helpers ------------------------------------------------------------------ */

/* A whole small file into buf (NUL-terminated); its length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got + 1 < cap) {
		ssize_t n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The tracefs directory holding events/ (mounting tracefs once when none is there
 * and we are root).  0 with dir and *mounted, or -1 with why. */
static int find_tracefs(char *dir, size_t len, int *mounted, char *why, size_t wlen)
{
	char p[PATH_MAX];

	*mounted = 0;
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/events", tracefs_dirs[i]);
		if (is_dir(p)) {
			snprintf(dir, len, "%s", tracefs_dirs[i]);
			return 0;
		}
	}
	if (geteuid() == 0 && mount("nodev", tracefs_dirs[0], "tracefs", 0, NULL) == 0 &&
	    is_dir("/sys/kernel/tracing/events")) {
		snprintf(dir, len, "%s", tracefs_dirs[0]);
		*mounted = 1;
		return 0;
	}
	snprintf(why, wlen, "tracefs is not mounted (no %s/events)%s: mount it with `mount -t "
		 "tracefs nodev %s`%s", tracefs_dirs[0],
		 geteuid() == 0 ? " and mounting it failed" : "", tracefs_dirs[0],
		 geteuid() == 0 ? "" : " and run the agent as root");
	return -1;
}

/* Loaded KVM vendor modules, e.g. "kvm_amd", comma-separated; "" when none. */
static void kvm_modules(char *buf, size_t len)
{
	static const char *const mods[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };
	char p[64];

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(p, sizeof(p), "/sys/module/%s", mods[i]);
		if (is_dir(p))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "", mods[i]);
	}
}

/* ---- the format file ---------------------------------------------------------------- */

/* "field:unsigned int exit_reason;	offset:8;	size:4;	signed:0;" */
static int parse_field(const char *line, char *name, size_t nlen, int *off, int *size)
{
	const char *f = strstr(line, "field:"), *semi, *e, *b, *o, *s;

	if (!f || !(semi = strchr(f, ';')))
		return -1;
	e = semi;
	if (e > f && e[-1] == ']')
		while (e > f && *e != '[')
			e--;
	b = e;
	while (b > f && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
		b--;
	if (b == e || (size_t)(e - b) >= nlen)
		return -1;
	memcpy(name, b, (size_t)(e - b));
	name[e - b] = '\0';
	if (!(o = strstr(semi, "offset:")) || !(s = strstr(semi, "size:")))
		return -1;
	*off = atoi(o + 7);
	*size = atoi(s + 5);
	return 0;
}

/* "0x040 + 14", "-1", "48" */
static int eval_sum(const char *p, const char *end, uint64_t *v)
{
	long long sum = 0;
	int terms = 0;

	while (p < end) {
		char *q;
		while (p < end && (*p == ' ' || *p == '+' || *p == '\t'))
			p++;
		if (p >= end)
			break;
		long long t = strtoll(p, &q, 0);
		if (q == p || q > end)
			return -1;
		sum += t;
		terms++;
		p = q;
	}
	*v = (uint64_t)sum & 0xffffffffull;
	return terms ? 0 : -1;
}

/* The __print_symbolic tables of the print fmt.  With "REC->isa == 1" the first
 * table is VMX's (isa 1) and the second SVM's (isa 2); a lone table serves any isa. */
static void parse_symbolic(const char *fmt, struct nb_tp_format *f)
{
	static const char key[] = "__print_symbolic(";
	int has_isa = strstr(fmt, "isa == 1") != NULL;
	const char *p = fmt;

	while (f->ntables < 2 && (p = strstr(p, key))) {
		const char *q;
		int depth = 0, t = f->ntables;
		p += sizeof(key) - 1;
		for (q = p; *q && !(depth == 0 && *q == ','); q++)
			depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
		if (!*q)
			return;
		f->table[t].mask = ~0ull;
		const char *amp = memchr(p, '&', (size_t)(q - p));
		if (amp)
			f->table[t].mask = strtoull(amp + 1, NULL, 0);
		f->table[t].isa = has_isa ? (unsigned)(t + 1) : 0;
		f->table[t].first = f->nsyms;
		for (p = q + 1;;) {
			const char *comma, *n0, *n1;
			while (*p == ' ' || *p == ',' || *p == '\t')
				p++;
			if (*p != '{')
				break;
			p++;
			if (!(comma = strchr(p, ',')) || !(n0 = strchr(comma, '"')) ||
			    !(n1 = strchr(n0 + 1, '"')))
				break;
			struct nb_tp_sym sym;
			size_t l = 0;
			/* The name may be adjacent literals: "KVM_EXIT_" "IO". */
			for (;;) {
				size_t k = (size_t)(n1 - n0 - 1);
				if (l + k >= sizeof(sym.name))
					k = sizeof(sym.name) - 1 - l;
				memcpy(sym.name + l, n0 + 1, k);
				l += k;
				const char *nx = n1 + 1;
				while (*nx == ' ' || *nx == '\t')
					nx++;
				if (*nx != '"' || !(n1 = strchr(nx + 1, '"')))
					break;
				n0 = nx;
			}
			sym.name[l] = '\0';
			/* "DE excp" -> "DE_excp": names become JSON keys people type */
			for (char *c = sym.name; *c; c++)
				if (*c == ' ')
					*c = '_';
			if (eval_sum(p, comma, &sym.value) == 0 && f->nsyms < NB_TP_MAX_SYMS)
				f->syms[f->nsyms++] = sym;
			if (!(p = strchr(n1, '}')))
				return;
			p++;
		}
		f->table[t].n = f->nsyms - f->table[t].first;
		f->ntables++;
	}
}

int nb_tp_parse_format(const char *text, const char *field, struct nb_tp_format *f,
		       char err[NB_ERR_LEN])
{
	const char *line = text;

	memset(f, 0, sizeof(*f));
	f->id = -1;
	f->reason_off = f->isa_off = -1;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char name[64];
		int off, size;
		if (strncmp(line, "ID:", 3) == 0)
			f->id = atoi(line + 3);
		else if (strncmp(line, "print fmt:", 10) == 0)
			parse_symbolic(line + 10, f);   /* the rest of the file */
		else if (parse_field(line, name, sizeof(name), &off, &size) == 0) {
			if ((field ? strcmp(name, field) == 0
				   : strcmp(name, "exit_reason") == 0 || strcmp(name, "exit_code") == 0) &&
			    (size == 4 || size == 8)) {
				f->reason_off = off;
				f->reason_size = size;
			} else if (strcmp(name, "isa") == 0 && size == 4) {
				f->isa_off = off;
			}
		}
		if (strncmp(line, "print fmt:", 10) == 0)
			break;
		line = nl ? nl + 1 : NULL;
	}
	if (f->id < 0 || f->reason_off < 0) {
		return nb_err(err, "tracepoint format without %s", f->id < 0 ? "an ID" :
			      "a 4- or 8-byte exit reason field");
	}
	return 0;
}

/* Architectural exit codes (AMD APM vol. 2 appendix C, Intel SDM vol. 3 appendix C),
 * for kernels whose print fmt has no table we can read. */
static const struct {
	unsigned isa;
	uint64_t value;
	const char *name;
} builtin_reasons[] = {
	{ 2, 0x060, "interrupt" }, { 2, 0x061, "nmi" },     { 2, 0x064, "vintr" },
	{ 2, 0x06e, "rdtsc" },     { 2, 0x072, "cpuid" },   { 2, 0x077, "pause" },
	{ 2, 0x078, "hlt" },       { 2, 0x07b, "io" },      { 2, 0x07c, "msr" },
	{ 2, 0x07f, "shutdown" },  { 2, 0x080, "vmrun" },   { 2, 0x081, "hypercall" },
	{ 2, 0x087, "rdtscp" },    { 2, 0x04e, "PF_excp" }, { 2, 0x400, "npf" },
	{ 1, 0, "EXCEPTION_NMI" }, { 1, 1, "EXTERNAL_INTERRUPT" }, { 1, 7, "INTERRUPT_WINDOW" },
	{ 1, 10, "CPUID" },        { 1, 12, "HLT" },        { 1, 18, "VMCALL" },
	{ 1, 20, "VMLAUNCH" },     { 1, 24, "VMRESUME" },   { 1, 28, "CR_ACCESS" },
	{ 1, 30, "IO_INSTRUCTION" }, { 1, 31, "MSR_READ" }, { 1, 32, "MSR_WRITE" },
	{ 1, 40, "PAUSE_INSTRUCTION" }, { 1, 48, "EPT_VIOLATION" }, { 1, 49, "EPT_MISCONFIG" },
	{ 1, 52, "PREEMPTION_TIMER" },
};

const char *nb_tp_reason_name(const struct nb_tp_format *f, unsigned isa, uint64_t reason,
			      char *buf, size_t len)
{
	for (int t = 0; f && t < f->ntables; t++) {
		if (f->table[t].isa && f->table[t].isa != isa)
			continue;
		uint64_t r = reason & f->table[t].mask;
		for (int i = f->table[t].first; i < f->table[t].first + f->table[t].n; i++)
			if (f->syms[i].value == r) {
				snprintf(buf, len, "%s", f->syms[i].name);
				return buf;
			}
	}
	if (!f || f->ntables == 0) {
		uint64_t r = isa == 1 ? reason & 0xffff : reason;
		for (size_t i = 0; i < sizeof(builtin_reasons) / sizeof(builtin_reasons[0]); i++)
			if (builtin_reasons[i].isa == isa && builtin_reasons[i].value == r) {
				snprintf(buf, len, "%s", builtin_reasons[i].name);
				return buf;
			}
	}
	snprintf(buf, len, "0x%llx", (unsigned long long)reason);
	return buf;
}

/* ---- the request ------------------------------------------------------------------- */

int nb_exits_decode(const cJSON *req, enum nb_exits_target *target, int *pids, int *npids,
		    int *reasons, char msg[NB_ERR_LEN])
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(req, "target");
	const cJSON *rs = cJSON_GetObjectItemCaseSensitive(req, "reasons"), *it;

	*target = NB_EXITS_AUTO;
	*npids = 0;
	*reasons = 1;
	if (rs) {
		if (!cJSON_IsBool(rs)) {
			return nb_err(msg, "\"reasons\" must be true or false");
		}
		*reasons = cJSON_IsTrue(rs);
	}
	if (!t || (cJSON_IsString(t) && strcmp(t->valuestring, "auto") == 0))
		return 0;
	if (cJSON_IsString(t) && strcmp(t->valuestring, "all") == 0) {
		*target = NB_EXITS_ALL;
		return 0;
	}
	if (!cJSON_IsArray(t) || cJSON_GetArraySize(t) == 0 ||
	    cJSON_GetArraySize(t) > NB_EXITS_MAX_PIDS) {
		return nb_err(msg, "\"target\" must be \"auto\" (the processes running KVM VMs "
			 "here), \"all\" (every VM, per CPU) or a list of 1 to %d process ids",
			 NB_EXITS_MAX_PIDS);
	}
	cJSON_ArrayForEach(it, t) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 4194304 ||
		    it->valuedouble != (double)(int)it->valuedouble) {
			return nb_err(msg, "\"target\": process ids are integers from 1 to 4194304");
		}
		pids[(*npids)++] = it->valueint;
	}
	*target = NB_EXITS_PIDS;
	return 0;
}

/* ---- targets: the VMM processes and their threads -------------------------------------- */

struct vmm {
	int pid;
	char comm[32];
	int vcpus;                 /* kvm-vcpu file descriptors */
	int vm;                    /* holds a kvm-vm file descriptor */
};

static void proc_comm(int pid, char *buf, size_t len)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/%d/comm", pid);
	if (nb_read_line(p, buf, len))
		snprintf(buf, len, "?");
}

/* Look at one process's descriptors for KVM's anonymous inodes. */
static void inspect(int pid, struct vmm *v)
{
	char dir[64], p[PATH_MAX], link[128];
	struct dirent *de;
	DIR *d;

	memset(v, 0, sizeof(*v));
	v->pid = pid;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		ssize_t n;
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if ((n = readlink(p, link, sizeof(link) - 1)) <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:kvm-vm") == 0)
			v->vm = 1;
		else if (strncmp(link, "anon_inode:kvm-vcpu:", 20) == 0)
			v->vcpus++;
	}
	closedir(d);
	proc_comm(pid, v->comm, sizeof(v->comm));
}

/* Every process (but us) that holds a KVM VM; count returned, at most max. */
static int scan_vmms(struct vmm *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0, self = (int)getpid();

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		inspect((int)pid, &out[n]);
		if (out[n].vm)
			n++;
	}
	closedir(d);
	return n;
}

/* The thread ids of pid, appended to tids (at most max in all); -1 when it is gone. */
static int threads_of(int pid, int *tids, int *n, int max)
{
	char dir[64];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	if (!(d = opendir(dir)))
		return -1;
	while ((de = readdir(d)) && *n < max) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		if (!*end && tid > 0)
			tids[(*n)++] = (int)tid;
	}
	closedir(d);
	return 0;
}

/* ---- the counting ------------------------------------------------------------------- */

struct slot {
	int fd;
	int tp;
	void *ring;                /* header page + data; NULL for a counting-only slot */
	size_t ring_len;
};

struct reason_count {
	uint32_t isa;
	uint64_t reason;
	uint64_t n;
};

struct nb_exits {
	enum nb_exits_target target;
	int reasons;
	struct slot *slots;
	int nslots, cap;
	int have[NTP];             /* tracepoint present and opened */
	struct nb_tp_format *fmt[NTP_SAMPLED];
	struct reason_count agg[NTP_SAMPLED][MAX_REASONS];
	int nagg[NTP_SAMPLED];
	uint64_t unsorted[NTP_SAMPLED];   /* samples beyond MAX_REASONS distinct reasons */
	uint64_t sampled[NTP_SAMPLED], lost[NTP_SAMPLED];
	uint64_t t0_ns;
	size_t page;
	pthread_t drainer;
	int drainer_up;
	int stop;
	int paused;                /* exits-pause: counters off until exits-resume */
	cJSON *describe;           /* target, processes, threads, tracepoints, method */
	char modules[64];
};

/* A disabled counter on tracepoint id for thread pid or CPU cpu; ring_bytes > 0
 * samples every hit (raw record) into a ring of that many data bytes. */
static int tracepoint_open(int id, int pid, int cpu, size_t ring_bytes)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = (uint64_t)id;
	a.disabled = 1;
	if (ring_bytes) {
		a.sample_period = 1;
		a.sample_type = PERF_SAMPLE_RAW;
		a.watermark = 1;
		a.wakeup_watermark = (uint32_t)(ring_bytes / 4);
	}
	return (int)syscall(SYS_perf_event_open, &a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static int tp_open(const struct nb_exits *x, int tp, int id, int pid, int cpu)
{
	size_t ring = tp < NTP_SAMPLED && x->reasons
			      ? (size_t)(cpu >= 0 ? RING_PAGES_CPU : RING_PAGES_THREAD) * x->page : 0;

	return tracepoint_open(id, pid, cpu, ring);
}

static int add_slot(struct nb_exits *x, int fd, int tp, int cpu_wide)
{
	struct slot *s;

	if (x->nslots == x->cap) {
		int cap = x->cap ? 2 * x->cap : 64;
		struct slot *n = realloc(x->slots, sizeof(*n) * (size_t)cap);
		if (!n)
			return -1;
		x->slots = n;
		x->cap = cap;
	}
	s = &x->slots[x->nslots];
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->tp = tp;
	if (tp < NTP_SAMPLED && x->reasons) {
		s->ring_len = (size_t)((cpu_wide ? RING_PAGES_CPU : RING_PAGES_THREAD) + 1) * x->page;
		s->ring = mmap(NULL, s->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (s->ring == MAP_FAILED) {
			s->ring = NULL;
			return -1;
		}
	}
	x->nslots++;
	return 0;
}

/* Bytes at ring offset pos (wrapping) into out. */
static void ring_copy(const unsigned char *data, uint64_t size, uint64_t pos, void *out, size_t n)
{
	uint64_t at = pos % size;
	size_t first = (size_t)(size - at < n ? size - at : n);

	memcpy(out, data + at, first);
	if (first < n)
		memcpy((unsigned char *)out + first, data, n - first);
}

static void account(struct nb_exits *x, int k, const unsigned char *rec, size_t len)
{
	const struct nb_tp_format *f = x->fmt[k];
	uint32_t isa = 0;
	uint64_t reason = 0;

	x->sampled[k]++;
	if (!f || (size_t)f->reason_off + (size_t)f->reason_size > len)
		return;
	if (f->reason_size == 4) {
		uint32_t r32;
		memcpy(&r32, rec + f->reason_off, 4);
		reason = r32;
	} else {
		memcpy(&reason, rec + f->reason_off, 8);
	}
	if (f->isa_off >= 0 && (size_t)f->isa_off + 4 <= len)
		memcpy(&isa, rec + f->isa_off, 4);
	for (int i = 0; i < x->nagg[k]; i++)
		if (x->agg[k][i].reason == reason && x->agg[k][i].isa == isa) {
			x->agg[k][i].n++;
			return;
		}
	if (x->nagg[k] == MAX_REASONS) {
		x->unsorted[k]++;
		return;
	}
	x->agg[k][x->nagg[k]++] = (struct reason_count){ isa, reason, 1 };
}

static void drain(struct nb_exits *x, struct slot *s)
{
	struct perf_event_mmap_page *m = s->ring;
	const unsigned char *data;
	uint64_t size, head, tail;
	unsigned char rec[512];

	if (!m)
		return;
	data = (const unsigned char *)s->ring + (m->data_offset ? m->data_offset : x->page);
	size = m->data_size ? m->data_size : s->ring_len - x->page;
	head = __atomic_load_n(&m->data_head, __ATOMIC_ACQUIRE);
	tail = m->data_tail;
	while (tail + sizeof(struct perf_event_header) <= head) {
		struct perf_event_header h;
		ring_copy(data, size, tail, &h, sizeof(h));
		if (h.size < sizeof(h))
			break;
		if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof(h) + 4) {
			uint32_t raw;
			ring_copy(data, size, tail + sizeof(h), &raw, 4);
			size_t n = raw < sizeof(rec) ? raw : sizeof(rec);
			if (n > h.size - sizeof(h) - 4)
				n = h.size - sizeof(h) - 4;
			ring_copy(data, size, tail + sizeof(h) + 4, rec, n);
			account(x, s->tp, rec, n);
		} else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			uint64_t lost;
			ring_copy(data, size, tail + sizeof(h) + 8, &lost, 8);
			x->lost[s->tp] += lost;
		}
		tail += h.size;
	}
	__atomic_store_n(&m->data_tail, tail, __ATOMIC_RELEASE);
}

static void *drainer(void *arg)
{
	struct nb_exits *x = arg;
	struct pollfd *p = calloc((size_t)x->nslots, sizeof(*p));
	int n = 0;

	for (int i = 0; p && i < x->nslots; i++)
		if (x->slots[i].ring)
			p[n++] = (struct pollfd){ .fd = x->slots[i].fd, .events = POLLIN };
	while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
		if (p && poll(p, (nfds_t)n, DRAIN_POLL_MS) > 0) {
			/* A counter whose thread exited reports POLLHUP for good: stop polling
			 * it (its ring is still drained below), or this loop would spin. */
			for (int i = 0; i < n; i++)
				if (p[i].revents & (POLLHUP | POLLERR | POLLNVAL))
					p[i].fd = -1;
		} else if (!p) {
			usleep(DRAIN_POLL_MS * 1000);
		}
		for (int i = 0; i < x->nslots; i++)
			drain(x, &x->slots[i]);
	}
	free(p);
	return NULL;
}

void nb_exits_free(struct nb_exits *x)
{
	if (!x)
		return;
	if (x->drainer_up) {
		__atomic_store_n(&x->stop, 1, __ATOMIC_RELEASE);
		pthread_join(x->drainer, NULL);
	}
	for (int i = 0; i < x->nslots; i++) {
		if (x->slots[i].ring)
			munmap(x->slots[i].ring, x->slots[i].ring_len);
		close(x->slots[i].fd);
	}
	free(x->slots);
	for (int k = 0; k < NTP_SAMPLED; k++)
		free(x->fmt[k]);
	cJSON_Delete(x->describe);
	free(x);
}

/* The id (and, for the exit records, the format) of each kvm tracepoint. */
static int load_tracepoints(struct nb_exits *x, const char *tracefs, int *ids, char msg[NB_ERR_LEN])
{
	char p[PATH_MAX], buf[32768];

	for (int i = 0; i < NTP; i++) {
		ids[i] = -1;
		snprintf(p, sizeof(p), "%s/events/kvm/%s/id", tracefs, tp_name(i));
		if (nb_read_line(p, buf, sizeof(buf)) == 0)
			ids[i] = atoi(buf);
		if (i >= NTP_SAMPLED || ids[i] < 0 || !x->reasons)
			continue;
		snprintf(p, sizeof(p), "%s/events/kvm/%s/format", tracefs, tp_name(i));
		char err[NB_ERR_LEN];
		if (!(x->fmt[i] = malloc(sizeof(*x->fmt[i])))) {
			return nb_err(msg, "out of memory");
		}
		if (read_small(p, buf, sizeof(buf)) < 0 ||
		    nb_tp_parse_format(buf, i == TP_EXIT ? exit_field : NULL, x->fmt[i], err)) {
			free(x->fmt[i]);
			x->fmt[i] = NULL;   /* counted, but not split by reason */
		}
	}
	if (ids[TP_EXIT] < 0) {
		return nb_err(msg, "no kvm tracepoints in %s/events/kvm: KVM is not loaded on this "
			 "tier (modprobe kvm_intel or kvm_amd); is this the tier that runs the child "
			 "VM?", tracefs);
	}
	return 0;
}

static const char *target_name(enum nb_exits_target t)
{
	return t == NB_EXITS_ALL ? "all" : t == NB_EXITS_PIDS ? "pids" : "auto";
}

/* Open every tracepoint on thread tid (or per CPU when tid < 0 and cpu >= 0).
 * 0, 1 when the thread is gone, -1 with errno. */
static int open_target(struct nb_exits *x, const int *ids, int tid, int cpu)
{
	for (int i = 0; i < NTP; i++) {
		if (ids[i] < 0)
			continue;
		int fd = tp_open(x, i, ids[i], tid, cpu);
		if (fd < 0) {
			if (errno == ESRCH)
				return 1;
			if (i != TP_EXIT && errno == ENOENT)
				continue;   /* an optional tracepoint this kernel cannot attach */
			return -1;
		}
		if (add_slot(x, fd, i, cpu >= 0)) {
			int e = errno ? errno : ENOMEM;
			close(fd);
			errno = e;
			return -1;
		}
		x->have[i] = 1;
	}
	return 0;
}

static void open_failed(int err, char *msg, size_t msglen)
{
	if (err == EACCES || err == EPERM)
		snprintf(msg, msglen, "permission denied opening kvm tracepoints (perf_event_paranoid=%d): "
			 "run the agent as root (or with CAP_PERFMON)", nb_perf_paranoid());
	else if (err == EMFILE || err == ENFILE)
		snprintf(msg, msglen, "too many open files for one counter per thread and tracepoint: "
			 "raise the agent's file limit (ulimit -n) or name fewer processes");
	else if (err == ENOMEM)
		snprintf(msg, msglen, "cannot map the sample buffers (%s): raise the locked-memory "
			 "limit, or send \"reasons\": false to count totals only", strerror(err));
	else
		snprintf(msg, msglen, "perf_event_open on a kvm tracepoint: %s", strerror(err));
}

static int cpu_online(int c)
{
	char online[64], v[8];

	snprintf(online, sizeof(online), "/sys/devices/system/cpu/cpu%d/online", c);
	return !(nb_read_line(online, v, sizeof(v)) == 0 && v[0] == '0');
}

/* More descriptors are allowed than the default soft limit when the hard one permits. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Descriptors this process has open. */
static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long n = -1;   /* the directory's own */

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Refuse, before opening anything, a counting that would open more descriptors than
 * lim allows: one per present tracepoint and target (thread or CPU).  0 or -1 with
 * *code and msg. */
static int within_limits(const struct nb_exits_limits *lim, const int *ids, int targets,
			 const char *unit, const char **code, char msg[NB_ERR_LEN])
{
	struct rlimit rl;
	long need, ntp = 0, left;

	for (int i = 0; i < NTP; i++)
		ntp += ids[i] >= 0;
	need = ntp * targets;
	if (need > (long)lim->max_fds) {
		*code = NB_E_TOO_LARGE;
		return nb_err(msg, "exits-start would open up to %ld perf descriptors (%d %s x %ld "
			 "tracepoints), more than one exits-start may open here (%u, --max-exits-fds): "
			 "count fewer processes, or raise --max-exits-fds", need, targets, unit, ntp,
			 lim->max_fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	left = (long)rl.rlim_cur - open_fds() - (long)lim->keep_free;
	if (need > left) {
		*code = NB_E_UNSUPPORTED;
		return nb_err(msg, "exits-start would open up to %ld perf descriptors (%d %s x %ld "
			 "tracepoints), but the agent's file limit (ulimit -n %llu) leaves %ld once %u "
			 "are kept for sessions: raise its file limit (ulimit -n, LimitNOFILE=) or "
			 "count fewer processes", need, targets, unit, ntp,
			 (unsigned long long)rl.rlim_cur, left > 0 ? left : 0, lim->keep_free);
	}
	return 0;
}

int nb_exits_start(const cJSON *req, struct nb_exits **out, cJSON *reply, const char **code,
		   char msg[NB_ERR_LEN])
{
	static const struct nb_exits_limits lim = { NB_EXITS_MAX_FDS_DEFAULT,
						    NB_EXITS_KEEP_FREE_DEFAULT };

	return nb_exits_start_limited(req, &lim, out, reply, code, msg);
}

int nb_exits_start_limited(const cJSON *req, const struct nb_exits_limits *lim,
			   struct nb_exits **out, cJSON *reply, const char **code, char msg[NB_ERR_LEN])
{
	struct nb_exits *x;
	int pids[NB_EXITS_MAX_PIDS], npids, ids[NTP], mounted, rc = 0;
	char tracefs[PATH_MAX], why[320];
	cJSON *procs, *arr;

	*out = NULL;
	*code = NB_E_BAD_REQUEST;
	if (!(x = calloc(1, sizeof(*x)))) {
		*code = NB_E_INTERNAL;
		return nb_err(msg, "out of memory");
	}
	if (nb_exits_decode(req, &x->target, pids, &npids, &x->reasons, msg))
		goto fail;
	x->page = (size_t)sysconf(_SC_PAGESIZE);
	kvm_modules(x->modules, sizeof(x->modules));
	*code = NB_E_UNSUPPORTED;
	if (find_tracefs(tracefs, sizeof(tracefs), &mounted, why, sizeof(why))) {
		snprintf(msg, NB_ERR_LEN, "%s", why);
		goto fail;
	}
	if (load_tracepoints(x, tracefs, ids, msg))
		goto fail;
	x->describe = cJSON_CreateObject();
	cJSON_AddStringToObject(x->describe, "target", target_name(x->target));
	procs = cJSON_AddArrayToObject(x->describe, "processes");
	raise_nofile();

	if (x->target == NB_EXITS_ALL) {
		long ncpu = sysconf(_SC_NPROCESSORS_CONF);
		int nonline = 0;
		for (int c = 0; c < ncpu; c++)
			nonline += cpu_online(c);
		if (within_limits(lim, ids, nonline, "CPUs", code, msg))
			goto fail;
		for (int c = 0; c < ncpu; c++) {
			if (!cpu_online(c))
				continue;
			if (open_target(x, ids, -1, c) < 0) {
				open_failed(errno, msg, NB_ERR_LEN);
				goto fail;
			}
		}
		cJSON_AddNumberToObject(x->describe, "cpus", (double)ncpu);
	} else {
		struct vmm v[64];
		int nv = 0, *tids = malloc(sizeof(int) * MAX_THREADS), ntids = 0;
		if (!tids) {
			*code = NB_E_INTERNAL;
			snprintf(msg, NB_ERR_LEN, "out of memory");
			goto fail;
		}
		if (x->target == NB_EXITS_AUTO) {
			nv = scan_vmms(v, (int)(sizeof(v) / sizeof(v[0])));
			if (nv == 0) {
				free(tids);
				snprintf(msg, NB_ERR_LEN, "no process on this tier has a KVM VM open (no "
					 "/proc/*/fd/* is anon_inode:kvm-vm%s): the child's hypervisor "
					 "(QEMU with KVM) does not run here; count from the tier that runs "
					 "it, or name its process ids in \"target\"",
					 geteuid() == 0 ? "" : "; the agent is not root, so it sees only its own "
					 "user's processes");
				goto fail;
			}
		} else {
			for (int i = 0; i < npids; i++)
				inspect(pids[i], &v[nv++]);
		}
		for (int i = 0; i < nv; i++) {
			int before = ntids;
			if (threads_of(v[i].pid, tids, &ntids, MAX_THREADS)) {
				free(tids);
				*code = NB_E_BAD_REQUEST;
				snprintf(msg, NB_ERR_LEN, "\"target\": no process %d on this tier", v[i].pid);
				goto fail;
			}
			cJSON *p = cJSON_CreateObject();
			cJSON_AddNumberToObject(p, "pid", v[i].pid);
			cJSON_AddStringToObject(p, "comm", v[i].comm);
			cJSON_AddNumberToObject(p, "vcpus", v[i].vcpus);
			cJSON_AddNumberToObject(p, "threads", ntids - before);
			cJSON_AddItemToArray(procs, p);
		}
		if (within_limits(lim, ids, ntids, "threads", code, msg)) {
			free(tids);
			goto fail;
		}
		for (int i = 0; i < ntids && rc >= 0; i++)
			if ((rc = open_target(x, ids, tids[i], -1)) < 0)
				open_failed(errno, msg, NB_ERR_LEN);
		free(tids);
		if (rc < 0)
			goto fail;
		cJSON_AddNumberToObject(x->describe, "threads", ntids);
	}
	if (!x->have[TP_EXIT]) {
		snprintf(msg, NB_ERR_LEN, "the target processes have no threads left to count");
		goto fail;
	}
	arr = cJSON_AddArrayToObject(x->describe, "tracepoints");
	for (int i = 0; i < NTP; i++)
		if (x->have[i]) {
			char n[64];
			snprintf(n, sizeof(n), "kvm:%s", tp_name(i));
			cJSON_AddItemToArray(arr, cJSON_CreateString(n));
		}
	snprintf(why, sizeof(why), "perf_event_open on kvm tracepoints (%s), %s%s%s",
		 x->target == NB_EXITS_ALL ? "per CPU: every VM on this tier" : "per thread of the VMM processes",
		 x->reasons ? "reasons from kvm:kvm_exit raw samples" : "totals only (no reasons)",
		 mounted ? "; the agent mounted tracefs at /sys/kernel/tracing" : "",
		 x->modules[0] ? "" : "; no KVM vendor module found in /sys/module");
	cJSON_AddStringToObject(x->describe, "method", why);
	cJSON_AddStringToObject(x->describe, "kvm_module", x->modules);
	cJSON_AddBoolToObject(x->describe, "reasons", x->reasons);

	if (x->reasons && pthread_create(&x->drainer, NULL, drainer, x) == 0)
		x->drainer_up = 1;
	else if (x->reasons) {
		*code = NB_E_INTERNAL;
		snprintf(msg, NB_ERR_LEN, "pthread_create: %s", strerror(errno));
		goto fail;
	}
	x->t0_ns = nb_mono_ns();
	for (int i = 0; i < x->nslots; i++)
		ioctl(x->slots[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	for (cJSON *it = x->describe->child; it; it = it->next)
		cJSON_AddItemToObject(reply, it->string, cJSON_Duplicate(it, 1));
	*out = x;
	return 0;
fail:
	nb_exits_free(x);
	return -1;
}

static const char *isa_name(uint32_t isa)
{
	return isa == 1 ? "vmx" : isa == 2 ? "svm" : "";
}

/* by_reason of one exit tracepoint, sorted by count (largest first). */
static cJSON *reasons_obj(struct nb_exits *x, int k, const char **isa)
{
	cJSON *o = cJSON_CreateObject();
	int order[MAX_REASONS];

	for (int i = 0; i < x->nagg[k]; i++)
		order[i] = i;
	for (int i = 1; i < x->nagg[k]; i++)   /* insertion sort: a few dozen entries */
		for (int j = i; j > 0 && x->agg[k][order[j]].n > x->agg[k][order[j - 1]].n; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (int i = 0; i < x->nagg[k]; i++) {
		const struct reason_count *rc = &x->agg[k][order[i]];
		char name[48];
		nb_tp_reason_name(x->fmt[k], rc->isa, rc->reason, name, sizeof(name));
		cJSON *prev = cJSON_GetObjectItemCaseSensitive(o, name);
		if (prev)   /* two raw codes with one name (VMX flags masked off) */
			cJSON_SetNumberValue(prev, prev->valuedouble + (double)rc->n);
		else
			cJSON_AddNumberToObject(o, name, (double)rc->n);
		if (!(*isa)[0])
			*isa = isa_name(rc->isa);
	}
	if (x->unsorted[k])
		cJSON_AddNumberToObject(o, "other", (double)x->unsorted[k]);
	return o;
}

/* Counters off, the drainer stopped: the counts and samples hold still. */
static void halt(struct nb_exits *x)
{
	for (int i = 0; i < x->nslots; i++)
		ioctl(x->slots[i].fd, PERF_EVENT_IOC_DISABLE, 0);
	if (x->drainer_up) {
		__atomic_store_n(&x->stop, 1, __ATOMIC_RELEASE);
		pthread_join(x->drainer, NULL);
		x->drainer_up = 0;
	}
}

/* The reply of exits-stop and exits-pause: what was counted since the counters were
 * last enabled (x halted). */
static void report(struct nb_exits *x, cJSON *r)
{
	uint64_t count[NTP] = { 0 }, handlers = 0;
	const char *isa = "";
	cJSON *h, *n;
	double ms = (double)(nb_mono_ns() - x->t0_ns) / 1e6;

	for (int i = 0; i < x->nslots; i++) {
		uint64_t v = 0;
		drain(x, &x->slots[i]);
		if (read(x->slots[i].fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
			count[x->slots[i].tp] += v;
	}
	for (int i = 3; i < NTP; i++)
		handlers += count[i];
	for (cJSON *it = x->describe->child; it; it = it->next)
		cJSON_AddItemToObject(r, it->string, cJSON_Duplicate(it, 1));
	cJSON_AddNumberToObject(r, "elapsed_ms", ms);
	/* Some KVM vendor modules (kvm_pvm) handle exits without tracing kvm_exit: then
	 * only the handler tracepoints below say what happened, and no total is known. */
	if (count[TP_EXIT] == 0 && handlers > 0) {
		cJSON_AddNullToObject(r, "total");
		char why[300];
		snprintf(why, sizeof(why), "kvm:kvm_exit did not fire while KVM's handler tracepoints "
			 "fired %llu times (by_handler): this tier's KVM (%s) does not trace exits, so "
			 "there is no total and no split by reason", (unsigned long long)handlers,
			 x->modules[0] ? x->modules : "module unknown");
		cJSON_AddStringToObject(r, "total_unsupported", why);
	} else {
		cJSON_AddNumberToObject(r, "total", (double)count[TP_EXIT]);
		if (x->reasons) {
			cJSON_AddItemToObject(r, "by_reason", reasons_obj(x, TP_EXIT, &isa));
			cJSON_AddNumberToObject(r, "lost", (double)x->lost[TP_EXIT]);
			/* Complete when every counted exit was seen as a sample. */
			cJSON_AddBoolToObject(r, "reasons_complete", x->sampled[TP_EXIT] == count[TP_EXIT] &&
					      !x->unsorted[TP_EXIT] && x->fmt[TP_EXIT]);
		}
	}
	if (x->have[TP_NESTED] || x->have[TP_INJECT]) {
		n = cJSON_AddObjectToObject(r, "nested");
		if (x->have[TP_NESTED]) {
			cJSON_AddNumberToObject(n, "total", (double)count[TP_NESTED]);
			if (x->reasons) {
				const char *nisa = "";
				cJSON_AddItemToObject(n, "by_reason", reasons_obj(x, TP_NESTED, &nisa));
				cJSON_AddNumberToObject(n, "lost", (double)x->lost[TP_NESTED]);
			}
		}
		if (x->have[TP_INJECT])
			cJSON_AddNumberToObject(n, "reflected", (double)count[TP_INJECT]);
	}
	cJSON_AddStringToObject(r, "isa", isa);
	h = cJSON_AddObjectToObject(r, "by_handler");
	for (int i = 3; i < NTP; i++)
		if (x->have[i])
			cJSON_AddNumberToObject(h, tps[i].key, (double)count[i]);
}

void nb_exits_stop(struct nb_exits *x, cJSON *r)
{
	halt(x);
	report(x, r);
	nb_exits_free(x);
}

void nb_exits_pause(struct nb_exits *x, cJSON *r)
{
	halt(x);
	report(x, r);
	x->paused = 1;
}

int nb_exits_resume(struct nb_exits *x, char msg[NB_ERR_LEN])
{
	if (!x->paused) {
		snprintf(msg, NB_ERR_LEN, "exit counting is running, not paused: send exits-pause "
			 "first");
		return -1;
	}
	/* Counts and samples start again from zero; the counters stay open, so no
	 * tracepoint is registered again (no kernel code is patched per visit). */
	for (int i = 0; i < x->nslots; i++)
		ioctl(x->slots[i].fd, PERF_EVENT_IOC_RESET, 0);
	memset(x->nagg, 0, sizeof(x->nagg));
	memset(x->unsorted, 0, sizeof(x->unsorted));
	memset(x->sampled, 0, sizeof(x->sampled));
	memset(x->lost, 0, sizeof(x->lost));
	__atomic_store_n(&x->stop, 0, __ATOMIC_RELEASE);
	if (x->reasons) {
		if (pthread_create(&x->drainer, NULL, drainer, x)) {
			snprintf(msg, NB_ERR_LEN, "cannot start the sample reader: %s", strerror(errno));
			return -1;
		}
		x->drainer_up = 1;
	}
	x->paused = 0;
	x->t0_ns = nb_mono_ns();
	for (int i = 0; i < x->nslots; i++)
		ioctl(x->slots[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	return 0;
}

/* ---- what this tier can count, for events-probe ----------------------------------------- */

cJSON *nb_exits_probe(void)
{
	cJSON *o = cJSON_CreateObject(), *tp, *arr;
	char tracefs[PATH_MAX], why[320] = "", p[PATH_MAX], v[32], mods[64];
	struct vmm vm[16];
	int mounted, nv, kvm_exit_id = -1;

	cJSON_AddBoolToObject(o, "root", geteuid() == 0);
	kvm_modules(mods, sizeof(mods));
	cJSON_AddStringToObject(o, "kvm_module", mods);
	if (find_tracefs(tracefs, sizeof(tracefs), &mounted, why, sizeof(why))) {
		cJSON_AddStringToObject(o, "tracefs", "");
	} else {
		cJSON_AddStringToObject(o, "tracefs", tracefs);
		if (mounted)
			cJSON_AddBoolToObject(o, "tracefs_mounted_by_agent", 1);
		tp = cJSON_AddObjectToObject(o, "tracepoints");
		for (int i = 0; i < NTP; i++) {
			snprintf(p, sizeof(p), "%s/events/kvm/%s/id", tracefs, tps[i].name);
			if (nb_read_line(p, v, sizeof(v)) == 0) {
				cJSON_AddNumberToObject(tp, tps[i].name, atoi(v));
				if (i == TP_EXIT)
					kvm_exit_id = atoi(v);
			}
		}
		if (kvm_exit_id < 0) {
			snprintf(why, sizeof(why), "no kvm tracepoints (%s/events/kvm): KVM is not loaded "
				 "here (modprobe kvm_intel or kvm_amd)", tracefs);
		} else {
			int fd = tracepoint_open(kvm_exit_id, 0, -1, 0);
			if (fd >= 0)
				close(fd);
			else
				open_failed(errno, why, sizeof(why));
		}
	}
	cJSON_AddBoolToObject(o, "supported", why[0] == '\0');
	if (why[0])
		cJSON_AddStringToObject(o, "reason", why);
	/* kvm_pvm handles exits without the kvm_exit tracepoint: kinds only. */
	int traced = strstr(mods, "kvm_amd") || strstr(mods, "kvm_intel");
	cJSON_AddStringToObject(o, "kvm_exit_traced", traced ? "yes" : mods[0] ? "no" : "unknown");
	if (!traced && mods[0])
		cJSON_AddStringToObject(o, "note", "this KVM module does not trace kvm:kvm_exit: exits "
				       "are counted by kind only (by_handler), without a total");
	nv = scan_vmms(vm, (int)(sizeof(vm) / sizeof(vm[0])));
	arr = cJSON_AddArrayToObject(o, "vmm_processes");
	for (int i = 0; i < nv; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "pid", vm[i].pid);
		cJSON_AddStringToObject(e, "comm", vm[i].comm);
		cJSON_AddNumberToObject(e, "vcpus", vm[i].vcpus);
		cJSON_AddItemToArray(arr, e);
	}
	return o;
}

/* ---- the ops ----------------------------------------------------------------------- */

int nb_op_exits_start(struct nb_session *s, const cJSON *req, cJSON *r)
{
	const char *code;

	if (s->exits)
		return nb_op_fail(s, NB_E_BAD_REQUEST, "exit counting is already running on this "
				  "session: send exits-stop first");
	/* Room for every session's descriptors is kept (a connection, a run's pipes, a
	 * put's file, a relay's child); one counting opens its counters at a time, so
	 * two cannot both take what is left. */
	struct nb_exits_limits lim = { s->a->o.max_exits_fds, 4 * s->a->o.max_sessions + 64 };
	pthread_mutex_lock(&s->a->exits_lock);
	int rc = nb_exits_start_limited(req, &lim, &s->exits, r, &code, s->msg);
	pthread_mutex_unlock(&s->a->exits_lock);
	if (rc)
		return nb_op_fail(s, code, "%s", s->msg);
	nb_log(s->a, 2, "session %lu: counting exits (%s)", s->n,
	       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "target")));
	return 0;
}

int nb_op_exits_pause(struct nb_session *s, const cJSON *req, cJSON *r)
{
	(void)req;
	if (!s->exits)
		return nb_op_fail(s, NB_E_BAD_REQUEST, "no exit counting on this session: send "
				  "exits-start first");
	if (s->exits->paused)
		return nb_op_fail(s, NB_E_BAD_REQUEST, "exit counting is already paused: send "
				  "exits-resume first");
	nb_exits_pause(s->exits, r);
	return 0;
}

int nb_op_exits_resume(struct nb_session *s, const cJSON *req, cJSON *r)
{
	(void)req;
	(void)r;
	if (!s->exits)
		return nb_op_fail(s, NB_E_BAD_REQUEST, "no exit counting on this session: send "
				  "exits-start first");
	if (nb_exits_resume(s->exits, s->msg))
		return nb_op_fail(s, NB_E_BAD_REQUEST, "%s", s->msg);
	return 0;
}

int nb_op_exits_stop(struct nb_session *s, const cJSON *req, cJSON *r)
{
	(void)req;
	if (!s->exits)
		return nb_op_fail(s, NB_E_BAD_REQUEST, "no exit counting on this session: send "
				  "exits-start first");
	nb_exits_stop(s->exits, r);
	s->exits = NULL;
	return 0;
}
