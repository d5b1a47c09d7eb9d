/* lab_kut.h - kvm-unit-tests in the local lab (`lab.kvm_unit_tests`, `nestbench lab kut`).
 *
 * L1 runs a kvm-unit-tests binary (x86/vmexit.flat) under KVM as a second L2 on request,
 * beside the nestbench L2, so that `make validate` can interleave kvm-unit-tests' vmexit
 * and nestbench's exits in one lab (workloads/VALIDATION.md).  `lab up` hands the binary
 * to L1 as a read-only virtio disk; requests and what the test printed cross a
 * virtio-serial port (org.nestbench.kut, a UNIX socket here); L1's init serves them
 * (images/init-l1.sh, kut_serve). */
#ifndef NB_LAB_KUT_H
#define NB_LAB_KUT_H

#include "../common/err.h"
#include "../common/sha256.h"

#include <limits.h>
#include <stdio.h>

#define NB_KUT_SOCK "l1-kut.sock"     /* in the lab directory */
#define NB_KUT_DISK "kut.img"
#define NB_KUT_SERIAL "nestbench-kut" /* the disk's virtio serial, how L1 finds it */

struct nb_kut_disk {
	unsigned long long size;            /* of the binary; the disk is padded to sectors */
	char sha256[NB_SHA256_HEX];
};

/* Copy the binary flat to NB_KUT_DISK in lab_dir, padded with zeros to whole 512-byte
 * sectors (a disk's size is whole sectors; L1 reads back d->size bytes).  0, or -1 with
 * err naming the file and the fix. */
int nb_lab_kut_stage(const char *flat, const char *lab_dir, struct nb_kut_disk *d,
		     char err[NB_ERR_LEN]);

/* Have L1 boot the binary with the tests (kvm-unit-tests' arguments, e.g. "cpuid"), smp
 * vCPUs, for at most timeout_s, and copy what it printed to out.  *status is L1's QEMU's
 * exit status (kvm-unit-tests exits through the ISA debug port: 1 means its main
 * returned 0; 124 the timeout; 125 it printed nothing, so it never ran).  count_exits: L1's agent counts all of L1's VM exits
 * over the run, printed last as "nestbench-kut: exits {exits-stop reply}".  0, or 2
 * with err (lab not up, no kvm_unit_tests, ...). */
int nb_lab_kut_run(const char *lab_dir, int smp, int timeout_s, char *const tests[], int ntests,
		   int count_exits, FILE *out, int *status, char err[NB_ERR_LEN]);

#endif
