/* test_exit_mmio.c - exit.mmio.read and exit.mmio.write (user-mode MMIO to QEMU's
 * pci-testdev through sysfs): descriptors, parameters, finding the device in a sysfs
 * tree made here, and the skip reason without one. */
#include "check.h"
#include "ctx.h"
#include "../../common/err.h"
#include "../../workloads/exit_mmio.h"
#include "../../workloads/params.h"
#include "../../workloads/workload.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

extern const struct nb_workload nb_wl_exit_mmio_read, nb_wl_exit_mmio_write;

TEST(exit_mmio_descriptors)
{
	const struct nb_workload *ws[] = { &nb_wl_exit_mmio_read, &nb_wl_exit_mmio_write };

	for (int i = 0; i < 2; i++) {
		const struct nb_workload *w = ws[i];
		CHECK_STR(w->family, "exit");
		CHECK_STR(w->unit, "ns/op");
		CHECK(w->better == NB_LOWER_IS_BETTER && w->metric == NB_METRIC_NS_PER_OP);
		CHECK_MSG(w->stresses && strstr(w->stresses, "user mode") &&
			  strstr(w->stresses, "pci-testdev"), "%s", w->name);
		CHECK(w->supported && w->setup && w->run && w->teardown);
		CHECK_MSG(nb_workload_find(w->name) == w, "%s not registered", w->name);
	}
	CHECK_STR(nb_wl_exit_mmio_read.name, "exit.mmio.read");
	CHECK_STR(nb_wl_exit_mmio_write.name, "exit.mmio.write");
}

TEST(exit_mmio_params)
{
	char err[NB_ERR_LEN] = "";
	const char *t0[] = { "test=0" }, *t3[] = { "test=3" };
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_mmio_write, NULL, 0, err);

	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "test"), 2);  /* datamatch ioeventfd: the host kernel */
	free(c);
	c = nbt_ctx(&nb_wl_exit_mmio_write, t0, 1, err);
	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "test"), 0);
	free(c);
	CHECK(nbt_ctx(&nb_wl_exit_mmio_write, t3, 1, err) == NULL);
	CHECK_MSG(strstr(err, "'test' out of range"), "%s", err);
	CHECK(nbt_ctx(&nb_wl_exit_mmio_read, t0, 1, err) == NULL);  /* the read has none */
	CHECK_MSG(strstr(err, "unknown parameter 'test'"), "%s", err);
}

/* A file holding text: 0, or -1. */
static int put(const char *root, const char *name, const char *file, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/%s", root, name, file);
	if (!(f = fopen(p, "w")))
		return -1;
	int rc = fputs(text, f) < 0;
	return fclose(f) || rc ? -1 : 0;
}

/* One PCI device directory under root: vendor, device and "resource" (BAR0, then BAR1). */
static int fake_dev(const char *root, const char *name, const char *vendor, const char *device,
		    const char *bar0)
{
	char p[512], t[256];

	snprintf(p, sizeof(p), "%s/%s", root, name);
	if (mkdir(p, 0755))
		return -1;
	snprintf(t, sizeof(t), "%s\n0x000000000000c000 0x000000000000c0ff 0x0000000000040101\n", bar0);
	return put(root, name, "vendor", vendor) || put(root, name, "device", device) ||
	       put(root, name, "resource", t);
}

TEST(exit_mmio_finds_the_testdev_in_sysfs)
{
	char root[] = "/tmp/nb-mmio-XXXXXX", dev[64] = "", why[NB_ERR_LEN] = "", want[NB_ERR_LEN];
	const char *mem = "0x00000000fe800000 0x00000000fe800fff 0x0000000000040200",
		   *io = "0x000000000000c100 0x000000000000c17f 0x0000000000040101";
	uint64_t size = 0;

	CHECK(mkdtemp(root));
	snprintf(want, sizeof(want), "no MMIO target: no QEMU pci-testdev (PCI 1b36:0005) with a "
		 "memory BAR in %s (QEMU: -device pci-testdev; the local lab's L1 and L2 have one)", root);
	int empty = nb_testdev_find(root, dev, &size, why);
	char empty_why[NB_ERR_LEN];
	snprintf(empty_why, sizeof(empty_why), "%s", why);
	/* Another Red Hat device, and a pci-testdev whose BAR0 is not memory: not it. */
	int made = fake_dev(root, "0000:00:02.0", "0x1b36", "0x0001", mem) ||
		   fake_dev(root, "0000:00:03.0", "0x1b36", "0x0005", io);
	int other = made ? 0 : nb_testdev_find(root, dev, &size, why);
	int made2 = fake_dev(root, "0000:00:04.0", "0x1b36", "0x0005", mem);
	int found = made2 ? -1 : nb_testdev_find(root, dev, &size, why);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK(system(cmd) == 0);
	CHECK(empty == -1);
	CHECK_STR(empty_why, want);
	CHECK(!made && !made2);
	CHECK(other == -1);
	CHECK_MSG(found == 0, "%s", why);
	CHECK_STR(dev, "0000:00:04.0");
	CHECK_EQ_U64(size, 4096);
}

/* Without a pci-testdev (L0 here) both skip, naming the device and where it is. */
TEST(exit_mmio_skip_without_the_testdev)
{
	char err[NB_ERR_LEN] = "", why[NB_ERR_LEN] = "", dev[64];
	uint64_t size;

	if (nb_testdev_find("/sys/bus/pci/devices", dev, &size, why) == 0) {
		printf("  (a pci-testdev exists here (%s): the skip is not tested)\n", dev);
		return;
	}
	for (int i = 0; i < 2; i++) {
		const struct nb_workload *w = i ? &nb_wl_exit_mmio_write : &nb_wl_exit_mmio_read;
		struct nb_ctx *c = nbt_ctx(w, NULL, 0, err);
		CHECK_MSG(c, "%s", err);
		const char *r = w->supported(c, why);
		free(c);
		CHECK_MSG(r && strncmp(r, "no MMIO target: no QEMU pci-testdev (PCI 1b36:0005)", 51) == 0 &&
			  strstr(r, "/sys/bus/pci/devices"), "%s: %s", w->name, r ? r : "(supported)");
	}
}
