/* exit_k.c - the `exit.k.*` workloads: VM exits from kernel mode, through the
 * nestbench_exits module (kmod/, /dev/nestbench-exits): a hypercall, an intercepted MSR
 * read and write, CR8 read and write, port I/O in and out, MMIO read and write, a halt
 * woken by a self-IPI and the TSC-deadline timer — what kvm-unit-tests' x86/vmexit
 * measures, but from inside any Linux guest (Hyper-V, VMware, KVM, at any level).
 *
 * One repetition is one ioctl: the module runs the `ops` operations and then the same
 * loop without the exiting instruction (the no-exit control) `ops` times, in ~1 ms chunks
 * with preemption off, and returns the TSC cycles of each.  The meter brackets the call;
 * its readings are then restated to the operations alone (the kernel's TSC count,
 * converted with the measured TSC rate), as exit.cpuid's meter covers its loop alone.
 * Extras: loop_ns_per_op (the control, as for exit.cpuid: reported, not subtracted),
 * call_ns_per_op (the whole call: both loops, the chunking, the syscall).  Perf counters
 * run over the whole call.
 *
 * Only open(2) and ioctl(2): nestbench-work stays a static binary without libraries.  The
 * module's source hash and the kernel it was built for go into the meta record's notes,
 * since the same module bytes cannot run on every kernel. */
#include "workload.h"
#include "../common/err.h"
#include "../common/files.h"
#include "../kmod/nestbench_exits.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PCI_TESTDEV "1b36:0005"   /* QEMU's pci-testdev: vendor Red Hat, device 0x0005 */
#define TESTDEV_MMIO_TESTS 2048   /* its BAR0: the header, then one byte per test */
#define TESTDEV_PIO_TESTS (128 + 3) /* its BAR1 (I/O): the header; tests 3-5 from 128 + 3 */
#define IORESOURCE_IO 0x100
#define IORESOURCE_MEM 0x200
/* QEMU's isa-debug-exit in the lab (and kvm-unit-tests): a write there ends the VM. */
#define DEBUG_EXIT_LO 0xf4
#define DEBUG_EXIT_HI 0xf7

/* What one exit.k workload asks of the module. */
struct kspec {
	const char *name;
	uint32_t op;
	const char *insn;         /* what faults, named in the reason */
};

static const struct kspec kspecs[] = {
	{ "exit.k.hypercall", NBX_OP_HYPERCALL, "the hypercall" },
	{ "exit.k.msr.read", NBX_OP_MSR_READ, "rdmsr IA32_TSC_ADJUST" },
	{ "exit.k.msr.write", NBX_OP_MSR_WRITE, "wrmsr IA32_TSC_ADJUST" },
	{ "exit.k.cr8.read", NBX_OP_CR8_READ, "mov from cr8" },
	{ "exit.k.cr8.write", NBX_OP_CR8_WRITE, "mov to cr8" },
	{ "exit.k.pio.in", NBX_OP_PIO_IN, "inb" },
	{ "exit.k.pio.out", NBX_OP_PIO_OUT, "outb" },
	{ "exit.k.mmio.read", NBX_OP_MMIO_READ, "the MMIO read" },
	{ "exit.k.mmio.write", NBX_OP_MMIO_WRITE, "the MMIO write" },
	{ "exit.k.hlt", NBX_OP_HLT, "hlt" },
	{ "exit.k.tscdeadline", NBX_OP_TSCDEADLINE, "wrmsr IA32_TSC_DEADLINE" },
};

static const struct kspec *kspec_of(const struct nb_workload *w)
{
	for (size_t i = 0; i < sizeof(kspecs) / sizeof(kspecs[0]); i++)
		if (strcmp(kspecs[i].name, w->name) == 0)
			return &kspecs[i];
	return NULL;
}

struct kstate {
	int fd;
	struct nbx_info info;
	struct nbx_run req;       /* op, flags, arg, value: all but ops */
	uint64_t probe;           /* what the probing operation returned (RAX, value read) */
};

/* ---- the device ---------------------------------------------------------------------- */

/* Open the device and check its ABI; the fd, or -1 with the reason in why. */
static int kdev_open(struct nbx_info *info, char why[NB_ERR_LEN])
{
	int fd = open(NBX_DEVICE, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			snprintf(why, NB_ERR_LEN, "module not loaded: " NBX_DEVICE " missing "
				 "(modprobe nestbench_exits; kmod/README.md)");
		else if (errno == EACCES || errno == EPERM)
			snprintf(why, NB_ERR_LEN, "needs root: cannot open " NBX_DEVICE ": %s",
				 strerror(errno));
		else
			snprintf(why, NB_ERR_LEN, "cannot open " NBX_DEVICE ": %s", strerror(errno));
		return -1;
	}
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, NBX_IOC_INFO, info) || info->abi != NBX_ABI) {
		snprintf(why, NB_ERR_LEN, NBX_DEVICE " speaks ABI %u, nestbench-work ABI %u: build "
			 "and load the module of this nestbench version (kmod/README.md)",
			 info->abi, NBX_ABI);
		close(fd);
		return -1;
	}
	return fd;
}

/* Why the module could not run an operation: its status as a reason. */
static const char *status_reason(const struct kspec *k, const struct nbx_run *r, uint32_t hc,
				 char why[NB_ERR_LEN])
{
	const char *insn = k->op == NBX_OP_HYPERCALL ? (hc == 2 ? "vmmcall" : "vmcall") : k->insn;

	switch (r->status) {
	case NBX_E_FAULT:
		snprintf(why, NB_ERR_LEN, "%s faulted in the kernel (#UD or #GP): nothing handles it "
			 "here (no hypervisor, or one that refuses it)", insn);
		break;
	case NBX_E_VENDOR:
		snprintf(why, NB_ERR_LEN, "vendor does not have vmcall or vmmcall: the CPU is neither "
			 "Intel-like nor AMD-like, no hypercall instruction to use");
		break;
	case NBX_E_NO_MSR:
		snprintf(why, NB_ERR_LEN, "no IA32_TSC_ADJUST MSR (CPUID.7.0:EBX[1] is 0): the MSR "
			 "this workload uses is absent");
		break;
	case NBX_E_NO_DEADLINE:
		snprintf(why, NB_ERR_LEN, "no TSC-deadline timer (CPUID.1:ECX[24] is 0)");
		break;
	case NBX_E_LAPIC_MODE:
		snprintf(why, NB_ERR_LEN, "no TSC-deadline timer in use: the kernel's timer on this CPU "
			 "is not the local APIC in TSC-deadline mode (e.g. a hypervisor's synthetic "
			 "timer), so arming it would disturb the kernel");
		break;
	case NBX_E_RAM:
		snprintf(why, NB_ERR_LEN, "address 0x%llx is system RAM, not a device: give a "
			 "device register (--param addr=PHYS)", (unsigned long long)r->arg);
		break;
	case NBX_E_IOREMAP:
		snprintf(why, NB_ERR_LEN, "the kernel refused to map address 0x%llx (ioremap)",
			 (unsigned long long)r->arg);
		break;
	case NBX_E_NO_IPI:
		snprintf(why, NB_ERR_LEN, "no local APIC self-IPI on this machine");
		break;
	case NBX_E_SILENT:
		snprintf(why, NB_ERR_LEN, "the %s interrupt did not arrive within 10 ms",
			 k->op == NBX_OP_HLT ? "self-IPI" : "timer");
		break;
	case NBX_E_ARG:
		snprintf(why, NB_ERR_LEN, "the module refused the arguments (port above 0xffff, or a "
			 "TSC-deadline delay above 100 us)");
		break;
	default:
		snprintf(why, NB_ERR_LEN, "the module answered status %u (newer than this "
			 "nestbench-work?)", r->status);
	}
	return why;
}

/* One call; 0, or -1 with errno (the status is in r). */
static int kdev_run(int fd, struct nbx_run *r, uint64_t ops)
{
	r->ops = ops;
	return ioctl(fd, NBX_IOC_RUN, r);
}

/* ---- the MMIO target: --param addr, or QEMU's pci-testdev found in sysfs ---------------- */

/* BAR `nbar` (0: memory, 1: I/O, of kind `kind`) of the first pci-testdev: 0 and its
 * sysfs name in dev, or -1. */
static int find_testdev(int nbar, unsigned long long kind, uint64_t *bar, char dev[64])
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int rc = -1;

	if (!d)
		return -1;
	while (rc && (e = readdir(d))) {
		char p[512], ven[32], did[32], res[256];
		unsigned long long start, end, flags;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		if (nb_read_line(p, ven, sizeof(ven)) || strtoul(ven, NULL, 16) != 0x1b36)
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device", e->d_name);
		if (nb_read_line(p, did, sizeof(did)) || strtoul(did, NULL, 16) != 0x0005)
			continue;
		/* "resource": one line per BAR, "start end flags". */
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/resource", e->d_name);
		FILE *f = fopen(p, "r");
		int got = 0;
		for (int i = 0; f && i <= nbar && fgets(res, sizeof(res), f); i++)
			got = i == nbar && sscanf(res, "%llx %llx %llx", &start, &end, &flags) == 3;
		if (f)
			fclose(f);
		if (!got || !start || !(flags & kind))
			continue;
		*bar = start;
		snprintf(dev, 64, "%s", e->d_name);
		rc = 0;
	}
	closedir(d);
	return rc;
}

static int is_mmio(const struct kspec *k)
{
	return k->op == NBX_OP_MMIO_READ || k->op == NBX_OP_MMIO_WRITE;
}

static int is_pio(const struct kspec *k)
{
	return k->op == NBX_OP_PIO_IN || k->op == NBX_OP_PIO_OUT;
}

/* The request of a workload's parameters, without the MMIO target. */
static void base_request(const struct nb_ctx *c, const struct kspec *k, struct nbx_run *r)
{
	memset(r, 0, sizeof(*r));
	r->op = k->op;
	if (is_pio(k))
		r->arg = nb_param_u(c, "port");
	if (k->op == NBX_OP_HLT && !nb_param_u(c, "halt"))
		r->flags |= NBX_F_NOHALT;
	if (k->op == NBX_OP_TSCDEADLINE)
		r->value = nb_param_u(c, "delay_cycles");
}

/* A one-operation, unmeasured MMIO or port access at `addr`: the byte read (or -1 with
 * why). */
static int dev_once(int fd, uint32_t op, uint64_t addr, int value, char why[NB_ERR_LEN])
{
	struct nbx_run r = { .op = op, .arg = addr };

	if (value >= 0) {
		r.flags = NBX_F_VALUE;
		r.value = (uint64_t)value;
	}
	if (kdev_run(fd, &r, 1)) {
		snprintf(why, NB_ERR_LEN, NBX_DEVICE ": %s", strerror(errno));
		return -1;
	}
	if (r.status) {
		static const struct kspec any = { "device", NBX_OP_MMIO_READ, "the device access" };
		status_reason(&any, &r, 0, why);
		return -1;
	}
	return (int)(r.probe & 0xff);
}

/* Select pci-testdev's test `test` (its index at offset 0 of the BAR at `bar`, read and
 * written with rd and wr), then aim r at that test's byte with the data it matches.
 * 0, or -1 with why. */
static int testdev_test(unsigned test, int fd, uint32_t rd, uint32_t wr, uint64_t bar,
			unsigned first, const char *dev, struct nbx_run *r, char where[256],
			char why[NB_ERR_LEN])
{
	const char *kind = rd == NBX_OP_MMIO_READ ? "BAR0" : "I/O BAR";
	int off[4], data;

	if (dev_once(fd, wr, bar, (int)test, why) < 0)
		return -1;
	for (int i = 0; i < 4; i++)
		if ((off[i] = dev_once(fd, rd, bar + 4 + (unsigned)i, -1, why)) < 0)
			return -1;
	if ((data = dev_once(fd, rd, bar + 8, -1, why)) < 0)
		return -1;
	uint32_t offset = (uint32_t)off[0] | (uint32_t)off[1] << 8 | (uint32_t)off[2] << 16 |
			  (uint32_t)off[3] << 24;
	if (offset != first + test) {
		snprintf(why, NB_ERR_LEN, "pci-testdev %s: test %u reports offset 0x%x, expected 0x%x "
			 "(another program selected another test?)", dev, test, offset, first + test);
		return -1;
	}
	r->arg = bar + offset;
	r->flags |= NBX_F_VALUE;
	r->value = (uint64_t)data;
	snprintf(where, 256, "pci-testdev %s %s 0x%" PRIx64 " + 0x%x, test %u (%s), data 0x%02x",
		 dev, kind, bar, offset, test,
		 test == 0 ? "no-eventfd: QEMU user space" :
		 test == 1 ? "wildcard-eventfd: host kernel" : "datamatch-eventfd: host kernel", data);
	return 0;
}

/* Fill the MMIO target into r: --param addr, else the pci-testdev (its test selected,
 * the write aimed at that test's byte with its data).  0, or -1 with why; `where`
 * names the target for the notes. */
static int mmio_target(const struct nb_ctx *c, const struct kspec *k, int fd, struct nbx_run *r,
		       char where[256], char why[NB_ERR_LEN])
{
	uint64_t bar;
	char dev[64];

	if (nb_param_is_set(c, "addr")) {
		r->arg = nb_param_u(c, "addr");
		snprintf(where, 256, "address 0x%llx (given)%s", (unsigned long long)r->arg,
			 k->op == NBX_OP_MMIO_WRITE ? ", rewritten with the byte it holds" : "");
		return 0;
	}
	if (find_testdev(0, IORESOURCE_MEM, &bar, dev)) {
		snprintf(why, NB_ERR_LEN, "no MMIO target: no QEMU pci-testdev (PCI " PCI_TESTDEV
			 ") in /sys/bus/pci/devices; give --param addr=PHYS, a device register "
			 "safe to read and to rewrite with its own value");
		return -1;
	}
	if (k->op == NBX_OP_MMIO_READ) {
		r->arg = bar;   /* the header's first byte: reads always reach QEMU */
		snprintf(where, 256, "pci-testdev %s BAR0 0x%" PRIx64 " (read: QEMU user space)", dev,
			 bar);
		return 0;
	}
	return testdev_test((unsigned)nb_param_u(c, "test"), fd, NBX_OP_MMIO_READ, NBX_OP_MMIO_WRITE,
			    bar, TESTDEV_MMIO_TESTS, dev, r, where, why);
}

/* A write to QEMU's debug-exit ports ends the VM: refused before the device opens. */
static int pio_refused(const struct nb_ctx *c, const struct kspec *k, char why[NB_ERR_LEN])
{
	uint64_t port = k->op == NBX_OP_PIO_OUT ? nb_param_u(c, "port") : 0;

	if (port < DEBUG_EXIT_LO || port > DEBUG_EXIT_HI)
		return 0;
	snprintf(why, NB_ERR_LEN, "port 0x%llx may be QEMU's isa-debug-exit (0xf4-0xf7 in the lab "
		 "and in kvm-unit-tests): a write there ends the VM, so exit.k.pio.out never writes "
		 "to it; exit.k.pio.in may read it", (unsigned long long)port);
	return -1;
}

/* The port: --param port, or with port=0 the pci-testdev's I/O BAR (in: its header,
 * QEMU user space; out: the selected test's byte).  0, or -1 with why. */
static int pio_target(const struct nb_ctx *c, const struct kspec *k, int fd, struct nbx_run *r,
		      char where[256], char why[NB_ERR_LEN])
{
	uint64_t bar;
	char dev[64];

	if (r->arg)
		return 0;
	if (find_testdev(1, IORESOURCE_IO, &bar, dev) || bar > 0xffff) {
		snprintf(why, NB_ERR_LEN, "no port target: port=0 means QEMU pci-testdev's I/O BAR, "
			 "and there is no pci-testdev (PCI " PCI_TESTDEV ") with one in "
			 "/sys/bus/pci/devices; give --param port=PORT");
		return -1;
	}
	if (k->op == NBX_OP_PIO_IN) {
		r->arg = bar;
		snprintf(where, 256, "pci-testdev %s I/O BAR 0x%" PRIx64 " (in: QEMU user space)", dev,
			 bar);
		return 0;
	}
	/* Unset: 2, the ioeventfd (an optional parameter keeps the other ports' cases as
	 * they were). */
	unsigned test = nb_param_is_set(c, "test") ? (unsigned)nb_param_u(c, "test") : 2;
	return testdev_test(test, fd, NBX_OP_PIO_IN, NBX_OP_PIO_OUT, bar, TESTDEV_PIO_TESTS, dev, r,
			    where, why);
}

/* ---- supported / setup / run / teardown ------------------------------------------------ */

/* Open, build the request and run one operation: the fd (state filled), or -1 with why. */
static int kprepare(struct nb_ctx *c, struct kstate *s, char where[256], char why[NB_ERR_LEN])
{
	const struct kspec *k = kspec_of(c->w);

	where[0] = '\0';
	if (!k) {
		snprintf(why, NB_ERR_LEN, "%s is not a kernel-mode exit", c->w->name);
		return -1;
	}
	if (is_pio(k) && pio_refused(c, k, why))
		return -1;
	if ((s->fd = kdev_open(&s->info, why)) < 0)
		return -1;
	base_request(c, k, &s->req);
	if (is_mmio(k) && mmio_target(c, k, s->fd, &s->req, where, why))
		goto fail;
	if (is_pio(k) && pio_target(c, k, s->fd, &s->req, where, why))
		goto fail;
	struct nbx_run probe = s->req;
	if (kdev_run(s->fd, &probe, 1)) {
		if (errno == EPERM)
			snprintf(why, NB_ERR_LEN, "needs root (CAP_SYS_RAWIO) for " NBX_DEVICE);
		else
			snprintf(why, NB_ERR_LEN, NBX_DEVICE ": %s", strerror(errno));
		goto fail;
	}
	if (probe.status) {
		status_reason(k, &probe, s->info.hypercall, why);
		goto fail;
	}
	s->probe = probe.probe;
	return s->fd;
fail:
	close(s->fd);
	s->fd = -1;
	return -1;
}

static const char *k_supported(struct nb_ctx *c, char why[NB_ERR_LEN])
{
	struct kstate s;
	char where[256];

	if (kprepare(c, &s, where, why) < 0)
		return why;
	close(s.fd);
	return NULL;
}

static int k_setup(struct nb_ctx *c)
{
	struct kstate *s = calloc(1, sizeof(*s));
	char where[256], why[NB_ERR_LEN];

	if (!s)
		return nb_fail(c, 0, "out of memory");
	if (kprepare(c, s, where, why) < 0) {
		free(s);
		return nb_fail(c, 0, "%s", why);
	}
	c->priv = s;
	nb_note(c, "module nestbench_exits srchash %s, built for %s, running %s", s->info.srchash,
		s->info.built_for, s->info.running);
	if (s->req.op == NBX_OP_HYPERCALL)  /* KVM: -1000 (-KVM_ENOSYS); Xen: -38 (-ENOSYS) */
		nb_note(c, "%s returned %lld", s->info.hypercall == 2 ? "vmmcall" : "vmcall",
			(long long)s->probe);
	if (where[0])
		nb_note(c, "%s", where);
	return 0;
}

/* The meter covered the whole call: keep the operations' share of it (the kernel's TSC
 * count, in ns by the measured TSC rate, else in proportion of the call's cycles). */
static void restate_meter(struct nb_ctx *c, const struct nbx_run *r)
{
	struct nb_meter *m = &c->meter;

	if (!r->call_cycles || r->loop_cycles > r->call_cycles)
		return;
	if (c->tsc_hz > 0)
		m->ns = (uint64_t)((double)r->loop_cycles * 1e9 / c->tsc_hz + 0.5);
	else
		m->ns = (uint64_t)((double)m->ns * (double)r->loop_cycles / (double)r->call_cycles);
	m->tsc = r->loop_cycles;
}

static int k_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct kstate *s = c->priv;
	const struct kspec *k = kspec_of(c->w);
	struct nbx_run r = s->req;
	char why[NB_ERR_LEN];
	int rc;

	(void)bytes;
	nb_meter_start(c);
	rc = kdev_run(s->fd, &r, ops);
	nb_meter_stop(c);
	if (rc)
		return nb_fail(c, 0, "%s: " NBX_DEVICE ": %s", c->w->name,
			       errno == EINTR ? "interrupted by a signal" : strerror(errno));
	if (r.status || r.done != ops)
		return nb_fail(c, 0, "%s stopped after %llu of %llu operations: %s",
			       c->w->name, (unsigned long long)r.done, (unsigned long long)ops,
			       status_reason(k, &r, s->info.hypercall, why));
	double call_ns = (double)c->meter.ns, per_cycle = c->tsc_hz > 0 ? 1e9 / c->tsc_hz
			 : r.call_cycles ? call_ns / (double)r.call_cycles : 0;
	restate_meter(c, &r);
	if (ops) {
		nb_extra(c, "loop_ns_per_op", (double)r.ctl_cycles * per_cycle / (double)ops);
		nb_extra(c, "call_ns_per_op", call_ns / (double)ops);
	}
	return 0;
}

static void k_teardown(struct nb_ctx *c)
{
	struct kstate *s = c->priv;

	if (s && s->fd >= 0)
		close(s->fd);
	free(s);
	c->priv = NULL;
}

/* ---- parameters and descriptors ---------------------------------------------------------- */

/* 0x4d0: the ELCR of the PIC, emulated in KVM's kernel (kvm-unit-tests' inl_from_kernel);
 * 0x1234: no device, so QEMU's user space answers (inl_from_qemu); 0: QEMU pci-testdev's
 * I/O BAR, whose datamatch ioeventfd (test 2) the host kernel completes (pci-io). */
static const struct nb_param_spec pio_in_params[] = {
	{ "port", NB_PARAM_UINT, "0x4d0,0x1234", 0, 0xffff,
	  "I/O port (0x4d0: handled in the host kernel under KVM; 0x1234: in the VMM's user space; "
	  "0: QEMU pci-testdev's I/O BAR, user space)" },
	{ 0 }
};

static const struct nb_param_spec pio_out_params[] = {
	{ "port", NB_PARAM_UINT, "0x4d0,0x1234", 0, 0xffff,
	  "I/O port, written with the byte it reads (0x4d0: host kernel under KVM; 0x1234: VMM user "
	  "space; 0: QEMU pci-testdev's I/O BAR, test `test`; never 0xf4-0xf7, QEMU's debug exit)" },
	{ "test", NB_PARAM_UINT, NULL, 0, 2,
	  "with port=0, pci-testdev test: 0 no-eventfd (VMM user space), 2 datamatch-eventfd (host "
	  "kernel, the default); ignored otherwise" },
	{ 0 }
};

static const struct nb_param_spec mmio_read_params[] = {
	{ "addr", NB_PARAM_UINT, NULL, 0, 0,
	  "physical address of a device register (default: QEMU pci-testdev's BAR0, if present)" },
	{ 0 }
};

static const struct nb_param_spec mmio_write_params[] = {
	{ "addr", NB_PARAM_UINT, NULL, 0, 0,
	  "physical address of a device register, rewritten with its own byte (default: QEMU "
	  "pci-testdev's BAR0, if present)" },
	{ "test", NB_PARAM_UINT, "2", 0, 2,
	  "pci-testdev test: 0 no-eventfd (VMM user space), 1 wildcard-eventfd, 2 datamatch-eventfd "
	  "(host kernel); ignored with addr" },
	{ 0 }
};

static const struct nb_param_spec hlt_params[] = {
	{ "halt", NB_PARAM_BOOL, "1", 0, 1, "1: sti;hlt until the self-IPI; 0: sti;nop (the IPI alone)" },
	{ 0 }
};

static const struct nb_param_spec tscdl_params[] = {
	{ "delay_cycles", NB_PARAM_UINT, "0", 0, 1000000,
	  "TSC cycles between arming and the deadline (0: already due; at most 100 us)" },
	{ 0 }
};

#define EXIT_K(id, nm, what, prm)                                                        \
	const struct nb_workload id = {                                                  \
		.name = nm,                                                              \
		.family = "exit",                                                        \
		.unit = "ns/op",                                                         \
		.better = NB_LOWER_IS_BETTER,                                            \
		.metric = NB_METRIC_NS_PER_OP,                                           \
		.stresses = what,                                                        \
		.params = prm,                                                           \
		.supported = k_supported,                                                \
		.setup = k_setup,                                                        \
		.run = k_run,                                                            \
		.teardown = k_teardown,                                                  \
		.max_ops = NBX_MAX_OPS,                                                  \
	}

EXIT_K(nb_wl_exit_k_hypercall, "exit.k.hypercall",
       "kernel mode: hypercall (vmcall/vmmcall, unknown number) handled by the hypervisor", NULL);
EXIT_K(nb_wl_exit_k_msr_read, "exit.k.msr.read",
       "kernel mode: rdmsr of an intercepted MSR (IA32_TSC_ADJUST)", NULL);
EXIT_K(nb_wl_exit_k_msr_write, "exit.k.msr.write",
       "kernel mode: wrmsr of an intercepted MSR (IA32_TSC_ADJUST, its own value)", NULL);
EXIT_K(nb_wl_exit_k_cr8_read, "exit.k.cr8.read",
       "kernel mode: mov from cr8 (TPR; no exit with a TPR shadow)", NULL);
EXIT_K(nb_wl_exit_k_cr8_write, "exit.k.cr8.write",
       "kernel mode: mov to cr8 (TPR, its own value)", NULL);
EXIT_K(nb_wl_exit_k_pio_in, "exit.k.pio.in",
       "kernel mode: inb, a port handled in the host kernel or in the VMM's user space",
       pio_in_params);
EXIT_K(nb_wl_exit_k_pio_out, "exit.k.pio.out",
       "kernel mode: outb of the byte the port reads, host kernel or VMM user space",
       pio_out_params);
EXIT_K(nb_wl_exit_k_mmio_read, "exit.k.mmio.read",
       "kernel mode: MMIO read of a device register (VMM user space)", mmio_read_params);
EXIT_K(nb_wl_exit_k_mmio_write, "exit.k.mmio.write",
       "kernel mode: MMIO write to a device register (ioeventfd in the host kernel, or user space)",
       mmio_write_params);
EXIT_K(nb_wl_exit_k_hlt, "exit.k.hlt",
       "kernel mode: self-IPI and hlt until it arrives (interrupt delivery, halt, wake-up)",
       hlt_params);
EXIT_K(nb_wl_exit_k_tscdeadline, "exit.k.tscdeadline",
       "kernel mode: arm the TSC-deadline timer and take its interrupt", tscdl_params);
