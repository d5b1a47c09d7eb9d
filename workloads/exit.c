/* exit.c - the `exit` family (operations that leave the guest: CPUID, port I/O, a
 * cross-CPU wake-up, a short timer sleep, a PAUSE spin) and the `ctl` family (a syscall
 * and RDTSCP, which normally do not exit: the controls that show what is *not*
 * virtualization).  The kernel-mode exits (exit.k.*) are in exit_k.c.
 *
 * On bare metal none of these exits; in L1 each exit is one trip to L0; in L2 every
 * exit first goes to L0, which reflects it to L1 and back (Turtles), so these are
 * where nesting costs most.  Modelled on kvm-unit-tests x86/vmexit.c.
 *
 * The tight loops (cpuid, pio, pause, syscall, rdtscp) report their own loop overhead,
 * not hide it: after the measured loop, outside the meter, the same loop without the
 * instruction runs the same number of times; its time per iteration is the extra
 * "loop_ns_per_op".  Each pair of loops is two small noinline functions with the same
 * asm constraints, so the compiler cannot move work across the meter calls. */
#include "workload.h"
#include "../common/err.h"
#include "cpuinfo.h"
#include "memutil.h"
#include "../common/files.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

/* Time the empty twin of a measured loop and report it as "loop_ns_per_op". */
static void report_loop(struct nb_ctx *c, uint64_t ops, uint64_t t0, uint64_t t1)
{
	if (ops)
		nb_extra(c, "loop_ns_per_op", (double)(t1 - t0) / (double)ops);
}

static void free_priv(struct nb_ctx *c)
{
	free(c->priv);
	c->priv = NULL;
}

/* ---- exit.cpuid: CPUID in a loop, the canonical exit ----------------------------
 * One op = one CPUID of leaf `leaf` (subleaf 0); unit ns/op.  CPUID exits
 * unconditionally under VMX and SVM (KVM intercepts it), so this is the round trip
 * guest -> hypervisor -> guest with the least work inside the hypervisor. */

static const struct nb_param_spec cpuid_params[] = {
	{ "leaf", NB_PARAM_UINT, "0", 0, 0xffffffffull, "CPUID leaf (EAX); subleaf (ECX) is 0" },
	{ 0 }
};

static NOINLINE uint64_t cpuid_loop(uint32_t leaf, uint64_t ops)
{
	uint64_t acc = 0;
	uint32_t r[4];

	for (uint64_t i = 0; i < ops; i++) {
		nb_cpuid(leaf, 0, r);
		acc += r[0] ^ r[1] ^ r[2] ^ r[3];
	}
	return acc;
}

static NOINLINE uint64_t cpuid_empty_loop(uint32_t leaf, uint64_t ops)
{
	uint64_t acc = 0;
	uint32_t r[4];

	for (uint64_t i = 0; i < ops; i++) {
		__asm__ volatile(""
				 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
				 : "a"(leaf), "c"(0));
		acc += r[0] ^ r[1] ^ r[2] ^ r[3];
	}
	return acc;
}

static int cpuid_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	uint32_t leaf = (uint32_t)nb_param_u(c, "leaf");
	uint64_t t0;

	(void)bytes;
	nb_meter_start(c);
	uint64_t acc = cpuid_loop(leaf, ops);
	nb_meter_stop(c);
	nb_consume_u64(acc);

	t0 = nb_now_ns();
	nb_consume_u64(cpuid_empty_loop(leaf, ops));
	report_loop(c, ops, t0, nb_now_ns());
	return 0;
}

/* ---- exit.pio: IN from an unused ISA port ---------------------------------------
 * One op = one `inb` from `port` (default 0x80, the POST-code port, whose reads have
 * no effect); unit ns/op.  Port I/O to a device model exits and is usually handled in
 * the VMM's user space (QEMU), the longest common exit path.  Needs ioperm(), i.e.
 * root (CAP_SYS_RAWIO) and a kernel with CONFIG_X86_IOPL_IOPERM. */

static const struct nb_param_spec pio_params[] = {
	{ "port", NB_PARAM_UINT, "0x80", 0, 0x3ff, "I/O port to read (an unused ISA port)" },
	{ 0 }
};

static NOINLINE uint64_t pio_loop(uint16_t port, uint64_t ops)
{
	uint64_t acc = 0;
	uint8_t v;

	for (uint64_t i = 0; i < ops; i++) {
		__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
		acc += v;
	}
	return acc;
}

static NOINLINE uint64_t pio_empty_loop(uint16_t port, uint64_t ops)
{
	uint64_t acc = 0;
	uint8_t v;

	for (uint64_t i = 0; i < ops; i++) {
		__asm__ volatile("" : "=a"(v) : "Nd"(port));
		acc += v;
	}
	return acc;
}

/* A signal handler can only reach file scope: the jump back from a faulting probe. */
static sigjmp_buf pio_probe_jmp;

static void pio_probe_fault(int sig)
{
	siglongjmp(pio_probe_jmp, sig);
}

/* One inb with the permission granted: some platforms still raise #GP (seen: L2 under
 * KVM inside a TCG-emulated L1), which must be a skip with its reason, not a crash. */
static int pio_probe_inb(uint16_t port)
{
	struct sigaction sa = { .sa_handler = pio_probe_fault }, old_segv, old_bus;
	volatile int sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	sig = sigsetjmp(pio_probe_jmp, 1);
	if (sig == 0)
		nb_consume_u64(pio_loop(port, 1));
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return sig;
}

/* Probe ioperm and one inb on the port, then give the permission back; NULL when
 * it works. */
static const char *pio_supported(struct nb_ctx *c, char why[NB_ERR_LEN])
{
	unsigned port = (unsigned)nb_param_u(c, "port");

	if (ioperm(port, 1, 1) == 0) {
		int sig = pio_probe_inb((uint16_t)port);
		ioperm(port, 1, 0);
		if (sig == 0)
			return NULL;
		snprintf(why, NB_ERR_LEN, "inb from port 0x%x raised %s although ioperm() granted it: this "
			 "platform delivers a fault instead of an I/O exit (seen with L2 under KVM "
			 "inside a TCG-emulated L1)", port, strsignal(sig));
		return why;
	}
	if (errno == EPERM && geteuid() != 0)
		snprintf(why, NB_ERR_LEN, "needs root for ioperm(0x%x): %s", port, strerror(errno));
	else if (errno == EPERM)
		snprintf(why, NB_ERR_LEN, "ioperm(0x%x) refused although running as root: %s "
			 "(kernel lockdown or missing CAP_SYS_RAWIO?)", port, strerror(errno));
	else
		snprintf(why, NB_ERR_LEN, "ioperm(0x%x): %s (kernel without CONFIG_X86_IOPL_IOPERM?)", port,
			 strerror(errno));
	return why;
}

static int pio_setup(struct nb_ctx *c)
{
	unsigned port = (unsigned)nb_param_u(c, "port");

	/* ioperm is per thread; the runner runs setup, run and teardown on one thread. */
	if (ioperm(port, 1, 1))
		return nb_fail(c, 0, "ioperm(0x%x): %s", port, strerror(errno));
	return 0;
}

static int pio_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	uint16_t port = (uint16_t)nb_param_u(c, "port");
	uint64_t t0;

	(void)bytes;
	nb_meter_start(c);
	uint64_t acc = pio_loop(port, ops);
	nb_meter_stop(c);
	nb_consume_u64(acc);

	t0 = nb_now_ns();
	nb_consume_u64(pio_empty_loop(port, ops));
	report_loop(c, ops, t0, nb_now_ns());
	return 0;
}

static void pio_teardown(struct nb_ctx *c)
{
	ioperm((unsigned)nb_param_u(c, "port"), 1, 0);
}

/* ---- exit.ipi: cross-CPU wake-up ping-pong --------------------------------------
 * Two threads on two different CPUs: this one (the runner's CPU, or the current one
 * when the runner did not pin) and a partner on nb_other_cpu().  They share one word:
 * this side writes an odd value (ping) and FUTEX_WAKEs the partner; the partner,
 * blocked in FUTEX_WAIT, wakes, writes the next even value (pong) and FUTEX_WAKEs this
 * side, blocked in FUTEX_WAIT meanwhile.  A blocked thread leaves its vCPU idle (HLT,
 * an exit), so every wake-up is a reschedule IPI to a halted vCPU: interrupt delivery
 * and vCPU wake-up through the hypervisor(s).  One op = one round trip = two
 * cross-CPU wake-ups; unit ns/roundtrip.
 *
 * spin=1 is the control without IPIs: both sides spin on the word (no syscalls), so
 * an op is two cache-line transfers between the CPUs.  futex minus spin ~ the cost of
 * two IPI wake-ups.  A guest idle driver that polls before halting (cpuidle-haltpoll
 * with guest_halt_poll_ns > 0) shortens the futex figure, so the notes name the idle
 * driver and its poll time.
 *
 * The partner thread lives from setup to teardown and counts its answers; a run fails
 * unless the partner answered exactly `ops` pings inside the measured region. */

static const struct nb_param_spec ipi_params[] = {
	{ "spin", NB_PARAM_BOOL, "0", 0, 1, "1: spin-wait instead of futex (no-IPI control)" },
	{ 0 }
};

#define IPI_TIMEOUT_NS (10 * 1000000000ull)   /* a silent partner fails the run */
#define IPI_IDLE_SPIN_NS (10 * 1000000ull)    /* spin mode: partner sleeps after this */

struct ipi_state {
	uint32_t word;            /* odd: ping outstanding; even: answered */
	uint32_t partner_sleeping;/* spin mode: the partner fell back to FUTEX_WAIT */
	uint32_t stop;
	uint32_t ready;
	uint64_t answered;        /* pings the partner answered (written by it only) */
	int partner_cpu_seen;     /* sched_getcpu() in the partner at start */
	int spin;
	int cpu, partner_cpu;
	int restore_mask;         /* setup pinned this thread: teardown restores `mask` */
	cpu_set_t mask;
	pthread_t thread;
	int thread_started;
};

static long futex_wait(uint32_t *addr, uint32_t val, const struct timespec *timeout)
{
	return syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, timeout, NULL, 0);
}

static void futex_wake(uint32_t *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static inline uint32_t load32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void store32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

/* Partner: wait while the word equals `last`; in spin mode spin first, and block
 * only after IPI_IDLE_SPIN_NS without news (between repetitions and cases), telling
 * the other side through partner_sleeping that a FUTEX_WAKE is needed. */
static void partner_wait(struct ipi_state *s, uint32_t last)
{
	if (s->spin) {
		uint64_t t0 = 0;
		for (unsigned n = 1; load32(&s->word) == last; n++) {
			__builtin_ia32_pause();
			if (n % 4096)
				continue;
			if (!t0)
				t0 = nb_now_ns();
			else if (nb_now_ns() - t0 > IPI_IDLE_SPIN_NS)
				break;
		}
		if (load32(&s->word) != last)
			return;
		store32(&s->partner_sleeping, 1);
	}
	/* Dekker with the waker: it stores the word then reads partner_sleeping; we
	 * store partner_sleeping then FUTEX_WAIT rechecks the word atomically. */
	while (load32(&s->word) == last)
		futex_wait(&s->word, last, NULL);
	store32(&s->partner_sleeping, 0);
}

static void *ipi_partner(void *arg)
{
	struct ipi_state *s = arg;
	uint32_t last = 0;

	__atomic_store_n(&s->partner_cpu_seen, sched_getcpu(), __ATOMIC_RELEASE);
	store32(&s->ready, 1);
	for (;;) {
		partner_wait(s, last);
		if (load32(&s->stop))
			break;
		uint32_t ping = load32(&s->word);
		/* Only this thread writes `answered`: no locked add needed. */
		__atomic_store_n(&s->answered, __atomic_load_n(&s->answered, __ATOMIC_RELAXED) + 1,
				 __ATOMIC_RELEASE);
		last = ping + 1;
		store32(&s->word, last);
		if (!s->spin)
			futex_wake(&s->word);
	}
	return NULL;
}

static const char *ipi_supported(struct nb_ctx *c, char why[NB_ERR_LEN])
{
	if (c->nallowed < 2) {
		snprintf(why, NB_ERR_LEN, "needs two CPUs for a cross-CPU wake-up, but only %d %s allowed",
			 c->nallowed, c->nallowed == 1 ? "is" : "are");
		return why;
	}
	return NULL;
}

static void ipi_teardown(struct nb_ctx *c)
{
	struct ipi_state *s = c->priv;

	if (!s)
		return;
	if (s->thread_started) {
		store32(&s->stop, 1);
		store32(&s->word, load32(&s->word) + 1);
		futex_wake(&s->word);
		pthread_join(s->thread, NULL);
	}
	if (s->restore_mask)
		sched_setaffinity(0, sizeof(s->mask), &s->mask);
	free_priv(c);
}

/* Whether an idle vCPU really halts decides whether a wake-up needs an exit. */
static void note_idle_driver(struct nb_ctx *c)
{
	char drv[64], poll[32];

	if (nb_read_line("/sys/devices/system/cpu/cpuidle/current_driver", drv, sizeof(drv)))
		return;
	if (strcmp(drv, "haltpoll") == 0 &&
	    nb_read_line("/sys/module/haltpoll/parameters/guest_halt_poll_ns", poll, sizeof(poll)) == 0)
		nb_note(c, "cpuidle driver haltpoll, guest_halt_poll_ns=%s", poll);
	else
		nb_note(c, "cpuidle driver %s", drv);
}

static int ipi_start(struct nb_ctx *c)
{
	struct ipi_state *s = calloc(1, sizeof(*s));
	char err[NB_ERR_LEN];
	pthread_attr_t attr;
	cpu_set_t one;
	sigset_t all, old;
	int rc;

	if (!s)
		return nb_fail(c, 0, "out of memory");
	c->priv = s;
	s->spin = (int)nb_param_u(c, "spin");
	s->cpu = c->cpu;
	if (s->cpu < 0) {
		/* Not pinned by the runner: stay where we are, or the scheduler may put both
		 * threads on one CPU and the wake-up would need no IPI. */
		s->cpu = sched_getcpu();
		if (s->cpu < 0 || sched_getaffinity(0, sizeof(s->mask), &s->mask))
			return nb_fail(c, 0, "sched_getcpu/sched_getaffinity: %s", strerror(errno));
		if (nb_pin_cpu(s->cpu, err))
			return nb_fail(c, 0, "%s", err);
		s->restore_mask = 1;
	}
	s->partner_cpu = nb_other_cpu(c, s->cpu);
	if (s->partner_cpu < 0)
		return nb_fail(c, 0, "no CPU other than %d is allowed for the partner thread", s->cpu);

	/* Pin the partner at creation (it inherits our one-CPU mask otherwise) and keep
	 * signals on the runner's thread. */
	CPU_ZERO(&one);
	CPU_SET(s->partner_cpu, &one);
	sigfillset(&all);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, &attr, ipi_partner, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc)
		return nb_fail(c, 0, "cannot start the partner thread on CPU %d: %s", s->partner_cpu,
			       strerror(rc));
	s->thread_started = 1;
	while (!load32(&s->ready))
		sched_yield();
	int seen = __atomic_load_n(&s->partner_cpu_seen, __ATOMIC_ACQUIRE);
	if (seen != s->partner_cpu)
		return nb_fail(c, 0, "partner thread runs on CPU %d, not on CPU %d as pinned", seen,
			       s->partner_cpu);
	nb_note(c, "ping-pong between CPU %d and CPU %d (%s)", s->cpu, s->partner_cpu,
		s->spin ? "spin: no IPI" : "futex: IPI wake-ups");
	note_idle_driver(c);
	return 0;
}

/* The runner does not call teardown after a failed setup: undo what was done here. */
static int ipi_setup(struct nb_ctx *c)
{
	if (ipi_start(c) == 0)
		return 0;
	ipi_teardown(c);
	return -1;
}

/* One round trip: ping, wait for the pong.  0, or -1 when the partner is silent. */
static inline int ipi_round_trip(struct ipi_state *s, uint32_t ping)
{
	store32(&s->word, ping);
	if (!s->spin) {
		static const struct timespec slice = { 1, 0 };
		futex_wake(&s->word);
		for (unsigned waited = 0; load32(&s->word) == ping;)
			if (futex_wait(&s->word, ping, &slice) && errno == ETIMEDOUT &&
			    ++waited * 1000000000ull >= IPI_TIMEOUT_NS)
				return -1;
		return 0;
	}
	if (load32(&s->partner_sleeping))
		futex_wake(&s->word);  /* only after an idle gap; see partner_wait */
	uint64_t t0 = 0;
	for (unsigned n = 1; load32(&s->word) == ping; n++) {
		__builtin_ia32_pause();
		if (n % (1u << 16))
			continue;
		if (!t0)
			t0 = nb_now_ns();
		else if (nb_now_ns() - t0 > IPI_TIMEOUT_NS)
			return -1;
	}
	return 0;
}

static int ipi_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct ipi_state *s = c->priv;
	uint32_t ping = load32(&s->word) + 1;
	int rc = 0;

	(void)bytes;
	/* One unmeasured round trip: the partner is awake (spin mode: spinning) and
	 * known to answer before the meter starts. */
	if (ipi_round_trip(s, ping))
		goto silent;
	ping += 2;
	uint64_t before = __atomic_load_n(&s->answered, __ATOMIC_ACQUIRE);
	nb_meter_start(c);
	for (uint64_t i = 0; i < ops && rc == 0; i++, ping += 2)
		rc = ipi_round_trip(s, ping);
	nb_meter_stop(c);
	if (rc)
		goto silent;
	uint64_t done = __atomic_load_n(&s->answered, __ATOMIC_ACQUIRE) - before;
	if (done != ops)
		return nb_fail(c, 0, "exit.ipi: partner answered %llu pings, expected %llu",
			       (unsigned long long)done, (unsigned long long)ops);
	return 0;
silent:
	return nb_fail(c, 0, "exit.ipi: partner thread on CPU %d did not answer within %llu s "
			     "(is that vCPU running?)", s->partner_cpu, IPI_TIMEOUT_NS / 1000000000ull);
}

/* Pings the partner thread has answered since setup (for tests). */
uint64_t nb_exit_ipi_answered(const struct nb_ctx *c)
{
	const struct ipi_state *s = c->priv;

	return s ? __atomic_load_n(&s->answered, __ATOMIC_ACQUIRE) : 0;
}

/* ---- exit.timer: a short relative sleep ------------------------------------------
 * One op = one clock_nanosleep(CLOCK_MONOTONIC, relative, `ns`); unit ns/sleep.  The
 * path: arm the (virtual) local APIC timer (TSC-deadline MSR write: an exit unless
 * the hypervisor offers a preemption-timer or posted path), halt, timer interrupt,
 * wake-up.  Timer slack is set to 1 ns for the duration (the default 50 us would
 * dominate) and restored at teardown.  Extra: overshoot_ns = ns/op - requested. */

static const struct nb_param_spec timer_params[] = {
	{ "ns", NB_PARAM_UINT, "50000", 1000, 1000000000ull, "requested sleep per op (ns)" },
	{ 0 }
};

struct timer_state {
	int old_slack;
};

static int timer_setup(struct nb_ctx *c)
{
	struct timer_state *s = calloc(1, sizeof(*s));

	if (!s)
		return nb_fail(c, 0, "out of memory");
	c->priv = s;
	s->old_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	if (s->old_slack < 0 || prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0)) {
		nb_fail(c, 0, "prctl(PR_SET_TIMERSLACK): %s", strerror(errno));
		free_priv(c);  /* the runner does not call teardown after a failed setup */
		return -1;
	}
	nb_note(c, "timer slack 1 ns (was %d ns)", s->old_slack);
	return 0;
}

static int timer_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	uint64_t ns = nb_param_u(c, "ns");
	const struct timespec req = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
	struct timespec left;
	int rc = 0;

	(void)bytes;
	nb_meter_start(c);
	for (uint64_t i = 0; i < ops && rc == 0; i++) {
		rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &left);
		/* A signal that did not kill us: sleep the rest, the op stays one full sleep. */
		while (rc == EINTR)
			rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &left, &left);
	}
	nb_meter_stop(c);
	if (rc)
		return nb_fail(c, 0, "clock_nanosleep: %s", strerror(rc));
	if (ops)
		nb_extra(c, "overshoot_ns", (double)c->meter.ns / (double)ops - (double)ns);
	return 0;
}

static void timer_teardown(struct nb_ctx *c)
{
	struct timer_state *s = c->priv;

	if (s && s->old_slack > 0)
		prctl(PR_SET_TIMERSLACK, (unsigned long)s->old_slack, 0, 0, 0);
	free_priv(c);
}

/* ---- exit.pause: a long spin of PAUSE (pause-loop exiting) ------------------------
 * One op = `pauses` back-to-back PAUSE instructions; unit ns/spin.  A spin-wait longer
 * than the hypervisor's pause-loop window exits (Intel PLE: PAUSEs at most ple_gap, 128
 * cycles, apart for more than ple_window, 4096 cycles by default in KVM; AMD pause
 * filter: pause_filter_count, 3000, PAUSEs), so the hypervisor can run another vCPU.
 * The default, 16384 PAUSEs, lasts well over 4096 cycles on any CPU (a PAUSE takes 10 to
 * 140 cycles).  KVM grows a vCPU's window after each such exit (and shrinks it again
 * when the vCPU is scheduled in), so the exits per op depend on history: count them.
 * The empty twin (loop_ns_per_op) is the same loop without PAUSE; ns_per_pause is
 * (ns/op - loop) / pauses. */

static const struct nb_param_spec pause_params[] = {
	{ "pauses", NB_PARAM_UINT, "16384", 1, 1u << 24, "PAUSE instructions per spin (one op)" },
	{ 0 }
};

static NOINLINE uint64_t pause_loop(uint64_t pauses, uint64_t ops)
{
	uint64_t acc = 0;

	for (uint64_t i = 0; i < ops; i++)
		for (uint64_t j = 0; j < pauses; j++) {
			__asm__ volatile("pause" : "+r"(acc) : : "memory");
			acc++;
		}
	return acc;
}

static NOINLINE uint64_t pause_empty_loop(uint64_t pauses, uint64_t ops)
{
	uint64_t acc = 0;

	for (uint64_t i = 0; i < ops; i++)
		for (uint64_t j = 0; j < pauses; j++) {
			__asm__ volatile("" : "+r"(acc) : : "memory");
			acc++;
		}
	return acc;
}

static int pause_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	uint64_t pauses = nb_param_u(c, "pauses"), t0, t1;

	(void)bytes;
	nb_meter_start(c);
	uint64_t acc = pause_loop(pauses, ops);
	nb_meter_stop(c);
	nb_consume_u64(acc);

	t0 = nb_now_ns();
	nb_consume_u64(pause_empty_loop(pauses, ops));
	t1 = nb_now_ns();
	report_loop(c, ops, t0, t1);
	if (ops)
		nb_extra(c, "ns_per_pause", ((double)c->meter.ns - (double)(t1 - t0)) /
					    ((double)ops * (double)pauses));
	return 0;
}

/* ---- ctl.syscall: getppid() -------------------------------------------------------
 * One op = one syscall(SYS_getppid) (glibc does not cache it); unit ns/op.  A kernel
 * entry and exit without a VM exit: any overhead under nesting comes from mitigations
 * or from host interference, not from exits.  The empty twin has no libc call either,
 * so loop_ns_per_op is the loop alone and ns/op includes the syscall() wrapper. */

static NOINLINE uint64_t syscall_loop(uint64_t ops)
{
	uint64_t acc = 0;

	for (uint64_t i = 0; i < ops; i++)
		acc += (uint64_t)syscall(SYS_getppid);
	return acc;
}

static NOINLINE uint64_t syscall_empty_loop(uint64_t ops)
{
	uint64_t acc = 0;
	long v;

	for (uint64_t i = 0; i < ops; i++) {
		__asm__ volatile("" : "=r"(v));
		acc += (uint64_t)v;
	}
	return acc;
}

static int syscall_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	uint64_t t0;

	(void)bytes;
	nb_meter_start(c);
	uint64_t acc = syscall_loop(ops);
	nb_meter_stop(c);
	nb_consume_u64(acc);

	t0 = nb_now_ns();
	nb_consume_u64(syscall_empty_loop(ops));
	report_loop(c, ops, t0, nb_now_ns());
	return 0;
}

/* ---- ctl.rdtscp: RDTSCP ------------------------------------------------------------
 * One op = one RDTSCP; unit ns/op.  No exit unless the hypervisor traps RDTSCP (e.g.
 * for TSC scaling or migration), which is exactly what this control reveals. */

static const char *rdtscp_supported(struct nb_ctx *c, char why[NB_ERR_LEN])
{
	uint32_t r[4];

	(void)c;
	nb_cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000001) {
		nb_cpuid(0x80000001, 0, r);
		if (r[3] & (1u << 27))
			return NULL;
	}
	snprintf(why, NB_ERR_LEN, "RDTSCP not available (CPUID.80000001H:EDX[27] is 0)");
	return why;
}

static NOINLINE uint64_t rdtscp_loop(uint64_t ops)
{
	uint64_t acc = 0;
	uint32_t lo, hi, aux;

	for (uint64_t i = 0; i < ops; i++) {
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
		acc += lo ^ hi ^ aux;
	}
	return acc;
}

static NOINLINE uint64_t rdtscp_empty_loop(uint64_t ops)
{
	uint64_t acc = 0;
	uint32_t lo, hi, aux;

	for (uint64_t i = 0; i < ops; i++) {
		__asm__ volatile("" : "=a"(lo), "=d"(hi), "=c"(aux));
		acc += lo ^ hi ^ aux;
	}
	return acc;
}

static int rdtscp_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	uint64_t t0;

	(void)bytes;
	nb_meter_start(c);
	uint64_t acc = rdtscp_loop(ops);
	nb_meter_stop(c);
	nb_consume_u64(acc);

	t0 = nb_now_ns();
	nb_consume_u64(rdtscp_empty_loop(ops));
	report_loop(c, ops, t0, nb_now_ns());
	return 0;
}

/* ---- descriptors ------------------------------------------------------------------ */

const struct nb_workload nb_wl_exit_cpuid = {
	.name = "exit.cpuid",
	.family = "exit",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "unconditional VM exit (CPUID): the bare exit/entry round trip",
	.params = cpuid_params,
	.run = cpuid_run,
};

const struct nb_workload nb_wl_exit_pio = {
	.name = "exit.pio",
	.family = "exit",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "port I/O exit (inb of an unused ISA port), usually handled in VMM user space",
	.params = pio_params,
	.supported = pio_supported,
	.setup = pio_setup,
	.run = pio_run,
	.teardown = pio_teardown,
};

const struct nb_workload nb_wl_exit_ipi = {
	.name = "exit.ipi",
	.family = "exit",
	.unit = "ns/roundtrip",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "cross-CPU wake-up: IPI delivery to a halted vCPU (futex ping-pong)",
	.params = ipi_params,
	.supported = ipi_supported,
	.setup = ipi_setup,
	.run = ipi_run,
	.teardown = ipi_teardown,
};

const struct nb_workload nb_wl_exit_timer = {
	.name = "exit.timer",
	.family = "exit",
	.unit = "ns/sleep",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "timer: arm the APIC timer, halt, timer interrupt, wake-up (short sleep)",
	.params = timer_params,
	.setup = timer_setup,
	.run = timer_run,
	.teardown = timer_teardown,
};

const struct nb_workload nb_wl_exit_pause = {
	.name = "exit.pause",
	.family = "exit",
	.unit = "ns/spin",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "pause-loop exiting: a PAUSE spin longer than the hypervisor's window "
		    "(KVM: 4096 cycles)",
	.params = pause_params,
	.run = pause_run,
};

const struct nb_workload nb_wl_ctl_syscall = {
	.name = "ctl.syscall",
	.family = "ctl",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "control, no exit: a syscall (getppid) enters and leaves the guest kernel",
	.run = syscall_run,
};

const struct nb_workload nb_wl_ctl_rdtscp = {
	.name = "ctl.rdtscp",
	.family = "ctl",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "control: RDTSCP, no exit unless the hypervisor traps it",
	.supported = rdtscp_supported,
	.run = rdtscp_run,
};
