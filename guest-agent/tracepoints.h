/* tracepoints.h - counting a child VM's exits from the tier that runs it (the parent):
 * the `exits-start` / `exits-stop` ops and the exit-counting part of `events-probe`.
 *
 * Method: perf_event_open on the kvm tracepoints (config = the id tracefs gives in
 * events/kvm/<name>/id), attached to every thread of the VMM processes (the processes
 * holding a kvm-vm file descriptor, or the pids the request names), or per CPU for
 * every VM on the tier.  kvm:kvm_exit (and kvm:kvm_nested_vmexit where present) give
 * the totals from their counts, and the split by exit reason from raw samples, decoded
 * with the offsets of the tracepoint's `format` file and named with the symbolic
 * tables of its `print fmt`.  The handler tracepoints (kvm_pio, kvm_cpuid, kvm_msr,
 * kvm_mmio, kvm_hypercall, kvm_page_fault, kvm_userspace_exit) are counted too: they
 * fire on every KVM, including vendor modules that do not trace kvm_exit.
 * See PROTOCOL.md (exits-start, exits-stop). */
#ifndef NB_TRACEPOINTS_H
#define NB_TRACEPOINTS_H

#include "../common/err.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define NB_EXITS_MAX_PIDS 16
#define NB_EXITS_MAX_FDS_DEFAULT 2048  /* perf descriptors per exits-start (--max-exits-fds) */
#define NB_EXITS_KEEP_FREE_DEFAULT 64
#define NB_TP_MAX_SYMS 512

/* One entry of a __print_symbolic table. */
struct nb_tp_sym {
	uint64_t value;
	char name[40];
};

/* What the tracepoint's format file says about an exit record. */
struct nb_tp_format {
	int id;                        /* events/kvm/<name>/id */
	int reason_off, reason_size;   /* exit_reason (kvm_exit) or exit_code (inject) */
	int isa_off;                   /* -1 when the record has no isa field */
	/* The symbolic tables: per isa (1 = VMX, 2 = SVM; 0 = any), a mask applied to the
	 * reason before lookup (VMX: 0xffff, the basic exit reason). */
	struct {
		unsigned isa;
		uint64_t mask;
		int first, n;          /* entries in syms */
	} table[2];
	int ntables;
	struct nb_tp_sym syms[NB_TP_MAX_SYMS];
	int nsyms;
};

/* A counting in progress, owned by the session that started it. */
struct nb_exits;

/* exits-start: decode the request, find the targets, open and enable the counters.
 * 0 with *out set and reply filled, or -1 with *code (NB_E_BAD_REQUEST,
 * NB_E_UNSUPPORTED, NB_E_INTERNAL) and msg. */
int nb_exits_start(const cJSON *req, struct nb_exits **out, cJSON *reply, const char **code,
		   char msg[NB_ERR_LEN]);
/* The same within limits: at most max_fds perf descriptors (NB_E_TOO_LARGE past it),
 * and never so many that fewer than keep_free stay under the process's descriptor
 * limit, for sessions (NB_E_UNSUPPORTED).  Checked before anything is opened.
 * nb_exits_start uses NB_EXITS_MAX_FDS_DEFAULT and NB_EXITS_KEEP_FREE_DEFAULT. */
struct nb_exits_limits {
	unsigned max_fds;
	unsigned keep_free;
};
int nb_exits_start_limited(const cJSON *req, const struct nb_exits_limits *lim,
			   struct nb_exits **out, cJSON *reply, const char **code, char msg[NB_ERR_LEN]);
/* exits-stop: disable, collect, fill reply, free x. */
void nb_exits_stop(struct nb_exits *x, cJSON *reply);
/* exits-pause: the counters off and read, reply as nb_exits_stop, but kept open;
 * exits-resume: reset and on again.  Pausing between visits instead of stopping keeps
 * the tracepoints registered, so the kernel does not patch its code twice per visit
 * (slow, and the trigger of the TCG freeze in images/README.md). */
void nb_exits_pause(struct nb_exits *x, cJSON *reply);
int nb_exits_resume(struct nb_exits *x, char msg[NB_ERR_LEN]);
void nb_exits_free(struct nb_exits *x);

/* What exit counting can do on this tier (for events-probe): {"supported", "reason",
 * "tracefs", "tracepoints", "kvm_module", "vmm_processes", "root"}. */
cJSON *nb_exits_probe(void);

/* ---- pure helpers (tested on their own) ----------------------------------------------- */

/* Parse the text of events/kvm/<name>/format; the reason is the field named `field`
 * (NULL: exit_reason or exit_code).  0, or -1 with err. */
int nb_tp_parse_format(const char *text, const char *field, struct nb_tp_format *f,
		       char err[NB_ERR_LEN]);
/* The name of exit reason `reason` under isa (1 VMX, 2 SVM), from the parsed tables or
 * a built-in table; "0x..." when unknown.  Returns buf. */
const char *nb_tp_reason_name(const struct nb_tp_format *f, unsigned isa, uint64_t reason,
			      char *buf, size_t len);
/* exits-start's target: "auto", "all" or a list of pids.  0 or -1 with msg. */
enum nb_exits_target { NB_EXITS_AUTO, NB_EXITS_ALL, NB_EXITS_PIDS };
int nb_exits_decode(const cJSON *req, enum nb_exits_target *target, int *pids, int *npids,
		    int *reasons, char msg[NB_ERR_LEN]);

/* For tests: count tracepoint kvm:<name> as the exit record, its reason in `field`
 * (e.g. "kvm_userspace_exit", "reason", which fires on any KVM); NULL restores
 * kvm_exit.  Not thread-safe: call before nb_exits_start. */
void nb_exits_use_tracepoint(const char *name, const char *field);

#endif
