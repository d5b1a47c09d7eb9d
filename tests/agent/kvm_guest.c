/* kvm_guest.c - see kvm_guest.h.  The guest runs in real mode at 0x1000:
 *	mov cx, N ; mov dx, 0x3f8
 * L:	out dx, al            (or: push bx/cx/dx; xor eax, eax; cpuid; pop dx/cx/bx)
 *	dec cx ; jnz L
 *	hlt */
#include "kvm_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define CODE_GPA 0x1000u
#define PAGE 0x1000u

static size_t emit(uint8_t *c, enum kvm_guest_op op, unsigned n)
{
	size_t i = 0, loop;

	c[i++] = 0xb9;                          /* mov cx, imm16 */
	c[i++] = (uint8_t)(n & 0xff);
	c[i++] = (uint8_t)(n >> 8);
	c[i++] = 0xba;                          /* mov dx, 0x3f8 */
	c[i++] = 0xf8;
	c[i++] = 0x03;
	loop = i;
	if (op == KVM_GUEST_CPUID) {
		c[i++] = 0x53;                  /* push bx */
		c[i++] = 0x51;                  /* push cx */
		c[i++] = 0x52;                  /* push dx */
		c[i++] = 0x66;                  /* xor eax, eax */
		c[i++] = 0x31;
		c[i++] = 0xc0;
		c[i++] = 0x0f;                  /* cpuid */
		c[i++] = 0xa2;
		c[i++] = 0x5a;                  /* pop dx */
		c[i++] = 0x59;                  /* pop cx */
		c[i++] = 0x5b;                  /* pop bx */
	} else {
		c[i++] = 0xee;                  /* out dx, al */
	}
	c[i++] = 0x49;                          /* dec cx */
	c[i++] = 0x75;                          /* jnz loop */
	c[i] = (uint8_t)(int8_t)((int)loop - (int)(i + 1));
	i++;
	c[i++] = 0xf4;                          /* hlt */
	return i;
}

int kvm_guest_create(struct kvm_guest *g, enum kvm_guest_op op, unsigned n, char *why, size_t len)
{
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int sz;

	memset(g, 0, sizeof(*g));
	g->kvm = g->vm = g->vcpu = -1;
	if (n == 0 || n > 0xffff) {
		snprintf(why, len, "n must be 1..65535");
		return -1;
	}
	if ((g->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return -1;
	}
	if ((g->vm = ioctl(g->kvm, KVM_CREATE_VM, 0)) < 0) {
		snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	g->mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		snprintf(why, len, "mmap: %s", strerror(errno));
		goto fail;
	}
	emit(g->mem, op, n);
	memset(&region, 0, sizeof(region));
	region.guest_phys_addr = CODE_GPA;
	region.memory_size = PAGE;
	region.userspace_addr = (uint64_t)(uintptr_t)g->mem;
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &region)) {
		snprintf(why, len, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		goto fail;
	}
	if ((g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0)) < 0) {
		snprintf(why, len, "KVM_CREATE_VCPU: %s", strerror(errno));
		goto fail;
	}
	if ((sz = ioctl(g->kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) <= 0) {
		snprintf(why, len, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		goto fail;
	}
	g->run_size = (size_t)sz;
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED) {
		g->run = NULL;
		snprintf(why, len, "mmap kvm_run: %s", strerror(errno));
		goto fail;
	}
	if (ioctl(g->vcpu, KVM_GET_SREGS, &sregs)) {
		snprintf(why, len, "KVM_GET_SREGS: %s", strerror(errno));
		goto fail;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ss.base = 0;
	sregs.ss.selector = 0;
	if (ioctl(g->vcpu, KVM_SET_SREGS, &sregs)) {
		snprintf(why, len, "KVM_SET_SREGS: %s", strerror(errno));
		goto fail;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rsp = CODE_GPA + PAGE - 16;        /* the stack at the top of the code page */
	regs.rflags = 2;
	if (ioctl(g->vcpu, KVM_SET_REGS, &regs)) {
		snprintf(why, len, "KVM_SET_REGS: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	kvm_guest_destroy(g);
	return -1;
}

int kvm_guest_run(struct kvm_guest *g, unsigned long *io_exits, char *why, size_t len)
{
	struct kvm_run *run = g->run;

	*io_exits = 0;
	for (;;) {
		if (ioctl(g->vcpu, KVM_RUN, 0)) {
			if (errno == EINTR)
				continue;
			snprintf(why, len, "KVM_RUN: %s", strerror(errno));
			return -1;
		}
		if (run->exit_reason == KVM_EXIT_IO) {
			(*io_exits)++;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			return 0;
		snprintf(why, len, "unexpected KVM exit %u", run->exit_reason);
		return -1;
	}
}

void kvm_guest_destroy(struct kvm_guest *g)
{
	if (g->run)
		munmap(g->run, g->run_size);
	if (g->mem)
		munmap(g->mem, PAGE);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->vm >= 0)
		close(g->vm);
	if (g->kvm >= 0)
		close(g->kvm);
	memset(g, 0, sizeof(*g));
	g->kvm = g->vm = g->vcpu = -1;
}
