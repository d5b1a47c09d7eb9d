/* kvm_guest.h - a tiny KVM guest for the exit-counting tests: real-mode code that
 * executes N `out` (or `cpuid`) instructions, then `hlt`, run through the /dev/kvm
 * ioctl API in the calling thread. */
#ifndef NB_TEST_KVM_GUEST_H
#define NB_TEST_KVM_GUEST_H

#include <stddef.h>

enum kvm_guest_op { KVM_GUEST_OUT, KVM_GUEST_CPUID };

struct kvm_guest {
	int kvm, vm, vcpu;
	void *mem;
	void *run;
	size_t run_size;
};

/* Create the VM with its code: 0, or -1 with why (e.g. no /dev/kvm). */
int kvm_guest_create(struct kvm_guest *g, enum kvm_guest_op op, unsigned n, char *why,
		     size_t len);
/* Run to the hlt; *io_exits gets the port I/O exits seen by user space.  0 or -1. */
int kvm_guest_run(struct kvm_guest *g, unsigned long *io_exits, char *why, size_t len);
void kvm_guest_destroy(struct kvm_guest *g);

#endif
