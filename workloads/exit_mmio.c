/* exit_mmio.c - `exit.mmio.read` and `exit.mmio.write`: MMIO exits from user mode, to
 * QEMU's pci-testdev (PCI 1b36:0005, what kvm-unit-tests' x86/vmexit uses), whose BAR0
 * is mapped through sysfs (/sys/bus/pci/devices/DEV/resource0, needs root).  The local
 * lab gives L1 and L2 one; elsewhere these skip with the reason.
 *
 * One op = one byte load from (read) or store to (write) the device.  The read is of the
 * BAR's header, which QEMU answers in user space; the write goes to the byte of the
 * selected test (`test`): 0 no-eventfd, counted by QEMU in user space, 2 datamatch
 * ioeventfd, which the host kernel (KVM) completes without going to user space.  The
 * no-exit control (loop_ns_per_op) is the same loop, the very same function, on a byte
 * of ordinary memory: the difference is the exit alone.  Kernel-mode twins: exit.k.mmio.* */
#include "workload.h"
#include "exit_mmio.h"
#include "cpuinfo.h"
#include "../common/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))
#define DEVICES "/sys/bus/pci/devices"
#define TESTDEV_MMIO_TESTS 2048   /* BAR0: the header, then one byte per test from here */
#define IORESOURCE_MEM 0x200

static int hex_is(const char *dir, const char *dev, const char *file, unsigned long want)
{
	char p[512], v[32];

	snprintf(p, sizeof(p), "%s/%s/%s", dir, dev, file);
	return nb_read_line(p, v, sizeof(v)) == 0 && strtoul(v, NULL, 16) == want;
}

int nb_testdev_find(const char *devices, char dev[64], uint64_t *size, char why[NB_ERR_LEN])
{
	DIR *d = opendir(devices);
	struct dirent *e;
	int rc = -1;

	while (d && rc && (e = readdir(d))) {
		char p[512], res[256];
		unsigned long long start, end, flags;
		if (e->d_name[0] == '.' || strlen(e->d_name) >= 64 ||
		    !hex_is(devices, e->d_name, "vendor", 0x1b36) ||
		    !hex_is(devices, e->d_name, "device", 0x0005))
			continue;
		/* "resource": one line per BAR, "start end flags"; BAR0 first. */
		snprintf(p, sizeof(p), "%s/%s/resource", devices, e->d_name);
		if (nb_read_line(p, res, sizeof(res)) ||
		    sscanf(res, "%llx %llx %llx", &start, &end, &flags) != 3 || !start ||
		    end <= start || !(flags & IORESOURCE_MEM))
			continue;
		snprintf(dev, 64, "%s", e->d_name);
		*size = end - start + 1;
		rc = 0;
	}
	if (d)
		closedir(d);
	if (rc)
		snprintf(why, NB_ERR_LEN, "no MMIO target: no QEMU pci-testdev (PCI 1b36:0005) with a "
			 "memory BAR in %s (QEMU: -device pci-testdev; the local lab's L1 and L2 have one)",
			 devices);
	return rc;
}

struct mstate {
	volatile uint8_t *bar;     /* BAR0, mapped */
	size_t len;
	volatile uint8_t *target;  /* the device byte each op touches */
	uint8_t value;             /* what a write stores */
	uint8_t *plain;            /* the control's byte of ordinary memory */
};

static int is_write(const struct nb_ctx *c)
{
	return strcmp(c->w->name, "exit.mmio.write") == 0;
}

/* Map BAR0 of the pci-testdev: 0, or -1 with the reason in why. */
static int map_bar(struct mstate *s, char dev[64], char why[NB_ERR_LEN])
{
	uint64_t size;
	char p[512];

	if (nb_testdev_find(DEVICES, dev, &size, why))
		return -1;
	snprintf(p, sizeof(p), DEVICES "/%s/resource0", dev);
	int fd = open(p, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, NB_ERR_LEN, "%scannot open %s: %s", errno == EACCES || errno == EPERM ?
			 "needs root: " : "", p, strerror(errno));
		return -1;
	}
	long page = sysconf(_SC_PAGESIZE);
	s->len = (size_t)((size + (uint64_t)page - 1) & ~((uint64_t)page - 1));
	void *m = mmap(NULL, s->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int err = errno;
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(why, NB_ERR_LEN, "the kernel refused to map pci-testdev %s BAR0 (%s): %s "
			 "(kernel lockdown?)", dev, p, strerror(err));
		return -1;
	}
	s->bar = m;
	return 0;
}

/* Select pci-testdev's test `test` and aim the write at its byte, with the data it
 * matches (its header: test at 0, offset at 4, data at 8).  0, or -1 with why. */
static int select_test(struct mstate *s, unsigned test, const char *dev, char why[NB_ERR_LEN])
{
	s->bar[0] = (uint8_t)test;
	uint32_t off = (uint32_t)s->bar[4] | (uint32_t)s->bar[5] << 8 | (uint32_t)s->bar[6] << 16 |
		       (uint32_t)s->bar[7] << 24;
	if (off != TESTDEV_MMIO_TESTS + test || off >= s->len) {
		snprintf(why, NB_ERR_LEN, "pci-testdev %s: test %u reports offset 0x%x, expected 0x%x "
			 "(another program selected another test?)", dev, test, off,
			 TESTDEV_MMIO_TESTS + test);
		return -1;
	}
	s->target = s->bar + off;
	s->value = s->bar[8];
	return 0;
}

static void mstate_free(struct mstate *s)
{
	if (s->bar)
		munmap((void *)s->bar, s->len);
	free(s->plain);
	free(s);
}

/* Map, select and aim: the state, or NULL with why (where: the target, for the notes). */
static struct mstate *mprepare(const struct nb_ctx *c, char where[256], char why[NB_ERR_LEN])
{
	struct mstate *s = calloc(1, sizeof(*s));
	char dev[64];

	if (!s || !(s->plain = calloc(1, 64))) {
		snprintf(why, NB_ERR_LEN, "out of memory");
		free(s);
		return NULL;
	}
	if (map_bar(s, dev, why))
		goto fail;
	if (!is_write(c)) {
		s->target = s->bar;   /* the header's first byte: reads always reach QEMU */
		snprintf(where, 256, "pci-testdev %s BAR0 + 0 (read: QEMU user space), mapped from "
			 "sysfs", dev);
		return s;
	}
	unsigned test = (unsigned)nb_param_u(c, "test");
	if (select_test(s, test, dev, why))
		goto fail;
	snprintf(where, 256, "pci-testdev %s BAR0 + 0x%x, test %u (%s), data 0x%02x, mapped from "
		 "sysfs", dev, (unsigned)(s->target - s->bar), test,
		 test == 0 ? "no-eventfd: QEMU user space" :
		 test == 1 ? "wildcard-eventfd: host kernel" : "datamatch-eventfd: host kernel",
		 s->value);
	return s;
fail:
	mstate_free(s);
	return NULL;
}

static const char *m_supported(struct nb_ctx *c, char why[NB_ERR_LEN])
{
	char where[256];
	struct mstate *s = mprepare(c, where, why);

	if (!s)
		return why;
	mstate_free(s);
	return NULL;
}

static int m_setup(struct nb_ctx *c)
{
	char where[256], why[NB_ERR_LEN];
	struct mstate *s = mprepare(c, where, why);

	if (!s)
		return nb_fail(c, 0, "%s", why);
	c->priv = s;
	nb_note(c, "%s", where);
	return 0;
}

/* The loops: one function each, run on the device and, as the control, on memory. */
static NOINLINE uint64_t read_loop(const volatile uint8_t *p, uint64_t ops)
{
	uint64_t acc = 0;

	for (uint64_t i = 0; i < ops; i++)
		acc += *p;
	return acc;
}

static NOINLINE void write_loop(volatile uint8_t *p, uint8_t v, uint64_t ops)
{
	for (uint64_t i = 0; i < ops; i++)
		*p = v;
}

static int m_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct mstate *s = c->priv;
	int w = is_write(c);
	uint64_t t0, t1;

	(void)bytes;
	nb_meter_start(c);
	if (w)
		write_loop(s->target, s->value, ops);
	else
		nb_consume_u64(read_loop(s->target, ops));
	nb_meter_stop(c);

	t0 = nb_now_ns();
	if (w)
		write_loop(s->plain, s->value, ops);
	else
		nb_consume_u64(read_loop(s->plain, ops));
	t1 = nb_now_ns();
	if (ops)
		nb_extra(c, "loop_ns_per_op", (double)(t1 - t0) / (double)ops);
	return 0;
}

static void m_teardown(struct nb_ctx *c)
{
	if (c->priv)
		mstate_free(c->priv);
	c->priv = NULL;
}

static const struct nb_param_spec write_params[] = {
	{ "test", NB_PARAM_UINT, "2", 0, 2,
	  "pci-testdev test: 0 no-eventfd (VMM user space), 1 wildcard-eventfd, 2 datamatch-eventfd "
	  "(host kernel)" },
	{ 0 }
};

const struct nb_workload nb_wl_exit_mmio_read = {
	.name = "exit.mmio.read",
	.family = "exit",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "user mode: MMIO read of pci-testdev's BAR (VMM user space), mapped via sysfs",
	.supported = m_supported,
	.setup = m_setup,
	.run = m_run,
	.teardown = m_teardown,
};

const struct nb_workload nb_wl_exit_mmio_write = {
	.name = "exit.mmio.write",
	.family = "exit",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "user mode: MMIO write to pci-testdev's BAR (ioeventfd in the host kernel, or "
		    "user space), mapped via sysfs",
	.params = write_params,
	.supported = m_supported,
	.setup = m_setup,
	.run = m_run,
	.teardown = m_teardown,
};
