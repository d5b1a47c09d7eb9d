/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* nestbench_exits.h - the ioctl interface of /dev/nestbench-exits, shared by the kernel
 * module (kmod/nestbench_exits.c) and nestbench-work (workloads/exit_k.c).
 *
 * NBX_IOC_RUN runs one operation `ops` times in kernel mode and then its no-exit control
 * loop `ops` times, in chunks with preemption disabled, and returns the TSC cycles of
 * each.  NBX_IOC_INFO says what the module is: its ABI, its source hash, the kernel it
 * was built for and the one running.  Change NBX_ABI with any change to these structs. */
#ifndef NESTBENCH_EXITS_H
#define NESTBENCH_EXITS_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define NBX_DEVICE "/dev/nestbench-exits"
#define NBX_ABI 1

enum nbx_op {
	NBX_OP_HYPERCALL = 1, /* vmcall (Intel, Centaur, Zhaoxin) or vmmcall (AMD, Hygon) */
	NBX_OP_MSR_READ,      /* rdmsr IA32_TSC_ADJUST */
	NBX_OP_MSR_WRITE,     /* wrmsr IA32_TSC_ADJUST with the value it holds */
	NBX_OP_CR8_READ,      /* mov %cr8, reg */
	NBX_OP_CR8_WRITE,     /* mov reg, %cr8 with the value it holds */
	NBX_OP_PIO_IN,        /* inb from port `arg` */
	NBX_OP_PIO_OUT,       /* outb to port `arg`: `value` (NBX_F_VALUE) or what inb read */
	NBX_OP_MMIO_READ,     /* readb at physical address `arg` */
	NBX_OP_MMIO_WRITE,    /* writeb at `arg`: `value` (NBX_F_VALUE) or what readb read */
	NBX_OP_HLT,           /* self-IPI, then sti;hlt (NBX_F_NOHALT: sti;nop) */
	NBX_OP_TSCDEADLINE,   /* arm IA32_TSC_DEADLINE `value` TSC cycles ahead, wait for it */
	NBX_OP_MAX
};

#define NBX_F_VALUE  (1u << 0) /* write `value`, not the value read first */
#define NBX_F_NOHALT (1u << 1) /* NBX_OP_HLT: sti;nop, the IPI without the halt */

/* Why an operation cannot run here (nbx_run.status); 0 = it ran. */
enum nbx_status {
	NBX_OK = 0,
	NBX_E_FAULT,        /* the instruction faulted (#UD/#GP): nothing handles it here */
	NBX_E_VENDOR,       /* CPU vendor with neither vmcall nor vmmcall */
	NBX_E_NO_MSR,       /* the CPU does not have the MSR (CPUID says so) */
	NBX_E_NO_DEADLINE,  /* no TSC-deadline timer (CPUID.1:ECX[24]) */
	NBX_E_LAPIC_MODE,   /* the kernel's timer is not the local APIC in TSC-deadline mode */
	NBX_E_RAM,          /* the address is system RAM */
	NBX_E_IOREMAP,      /* ioremap refused the address */
	NBX_E_NO_IPI,       /* no local APIC self-IPI (irq_work has no interrupt) */
	NBX_E_SILENT,       /* the interrupt did not arrive within 10 ms */
	NBX_E_ARG,          /* a bad argument: port above 0xffff, unknown op or flag */
	NBX_E_MAX
};

struct nbx_run {
	/* in */
	__u32 op;
	__u32 flags;
	__u64 ops;          /* 1 .. NBX_MAX_OPS */
	__u64 arg;          /* port (PIO) or physical address (MMIO) */
	__u64 value;        /* value to write (NBX_F_VALUE); TSC cycles ahead (TSCDEADLINE) */
	/* out */
	__u64 loop_cycles;  /* TSC cycles of the `ops` operations */
	__u64 ctl_cycles;   /* TSC cycles of the control loop, same count and shape */
	__u64 call_cycles;  /* TSC cycles of the whole call, from entry to return */
	__u64 done;         /* operations completed (== ops unless status != 0) */
	__u64 probe;        /* HYPERCALL: RAX after the first call; MSR/CR8/PIO/MMIO: the
			     * first value read */
	__u32 status;       /* enum nbx_status */
	__u32 cpu;          /* the CPU the last chunk ran on */
};

#define NBX_MAX_OPS (1ull << 32)

struct nbx_info {
	__u32 abi;          /* NBX_ABI */
	__u32 hypercall;    /* 0 none, 1 vmcall, 2 vmmcall */
	char srchash[72];   /* sha256 of nestbench_exits.c at build time, hex */
	char built_for[65]; /* UTS_RELEASE of the headers it was built against */
	char running[65];   /* utsname()->release of the running kernel */
	char pad[6];
};

#define NBX_IOC_MAGIC 0xb7
#define NBX_IOC_INFO _IOR(NBX_IOC_MAGIC, 1, struct nbx_info)
#define NBX_IOC_RUN _IOWR(NBX_IOC_MAGIC, 2, struct nbx_run)

#endif
