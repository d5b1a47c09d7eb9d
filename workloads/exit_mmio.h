/* exit_mmio.h - finding QEMU's pci-testdev in sysfs, for exit.mmio.* (and its tests). */
#ifndef NB_EXIT_MMIO_H
#define NB_EXIT_MMIO_H

#include "../common/err.h"

#include <stdint.h>

/* The first pci-testdev (PCI 1b36:0005) with a memory BAR0 under `devices` (normally
 * /sys/bus/pci/devices): 0 with its name in dev and BAR0's size, or -1 with the reason
 * (a skip reason naming the fix) in why. */
int nb_testdev_find(const char *devices, char dev[64], uint64_t *size, char why[NB_ERR_LEN]);

#endif
