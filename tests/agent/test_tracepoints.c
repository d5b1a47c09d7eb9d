/* test_tracepoints.c - exit counting from the parent tier (exits-start / exits-stop) and
 * events-probe: the tracepoint format parser and reason names, request decoding, and
 * real counts at L0 — a tiny KVM guest (kvm_guest.c) executes N `out` or `cpuid`
 * instructions while an agent counts its exits; the counts must come out at N.
 * Skipped, with the reason printed, where /dev/kvm, tracefs or root is missing. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "fixture.h"
#include "kvm_guest.h"
#include "../../guest-agent/tracepoints.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_EXITS 3000

/* ---- the format file and reason names --------------------------------------------- */

/* kvm:kvm_exit's format as Linux 6.x prints it, tables cut short. */
static const char kvm_exit_format[] =
	"name: kvm_exit\n"
	"ID: 103\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned int exit_reason;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long guest_rip;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u32 isa;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\tfield:char comm[16];\toffset:28;\tsize:16;\tsigned:0;\n"
	"\n"
	"print fmt: \"vcpu %u reason %s%s%s rip 0x%lx\", REC->vcpu_id, (REC->isa == 1) ? "
	"__print_symbolic(REC->exit_reason & 0xffff, { 0, \"EXCEPTION_NMI\" }, { 10, \"CPUID\" }, "
	"{ 30, \"IO_INSTRUCTION\" }, { 48, \"EPT_VIOLATION\" }) : __print_symbolic(REC->exit_reason, "
	"{ 0x040 + 14, \"PF excp\" }, { 0x072, \"cpuid\" }, { 0x07b, \"io\" }, { 0x400, \"npf\" }, "
	"{ -1, \"invalid_guest_state\" }), (REC->isa == 1 && REC->exit_reason & ~0xffff) ? \" \" : \"\", "
	"REC->guest_rip\n";

TEST(exits_format_parsed_and_reasons_named)
{
	struct nb_tp_format *f = calloc(1, sizeof(*f));
	char err[NB_ERR_LEN], name[48];

	CHECK(f);
	CHECK_MSG(nb_tp_parse_format(kvm_exit_format, NULL, f, err) == 0, "%s", err);
	CHECK(f->id == 103 && f->reason_off == 8 && f->reason_size == 4 && f->isa_off == 24);
	CHECK(f->ntables == 2 && f->table[0].isa == 1 && f->table[1].isa == 2);
	CHECK_EQ_U64(f->table[0].mask, 0xffff);
	CHECK_STR(nb_tp_reason_name(f, 2, 0x72, name, sizeof(name)), "cpuid");
	CHECK_STR(nb_tp_reason_name(f, 2, 0x7b, name, sizeof(name)), "io");
	CHECK_STR(nb_tp_reason_name(f, 2, 0x400, name, sizeof(name)), "npf");
	CHECK_STR(nb_tp_reason_name(f, 2, 0x4e, name, sizeof(name)), "PF_excp");   /* 0x040 + 14 */
	CHECK_STR(nb_tp_reason_name(f, 2, 0xffffffffu, name, sizeof(name)), "invalid_guest_state");
	CHECK_STR(nb_tp_reason_name(f, 1, 10, name, sizeof(name)), "CPUID");
	/* VMX: the failed-entry flag in bit 31 is masked off before the lookup */
	CHECK_STR(nb_tp_reason_name(f, 1, 0x80000030u, name, sizeof(name)), "EPT_VIOLATION");
	CHECK_STR(nb_tp_reason_name(f, 1, 0x72, name, sizeof(name)), "0x72");      /* not VMX's */
	CHECK_STR(nb_tp_reason_name(f, 2, 0x999, name, sizeof(name)), "0x999");
	/* Without a table (an old kernel's print fmt): the built-in architectural names. */
	CHECK_STR(nb_tp_reason_name(NULL, 2, 0x78, name, sizeof(name)), "hlt");
	CHECK_STR(nb_tp_reason_name(NULL, 1, 30, name, sizeof(name)), "IO_INSTRUCTION");
	/* Another field as the reason (tests count kvm_userspace_exit this way). */
	CHECK(nb_tp_parse_format(kvm_exit_format, "guest_rip", f, err) == 0);
	CHECK(f->reason_off == 16 && f->reason_size == 8);
	CHECK(nb_tp_parse_format(kvm_exit_format, "vcpu_id", f, err) == -1);
	CHECK(nb_tp_parse_format("name: x\n", NULL, f, err) == -1);
	free(f);
}

TEST(exits_adjacent_literals_in_names)
{
	static const char fmt[] =
		"ID: 42\n\tfield:__u32 reason;\toffset:8;\tsize:4;\tsigned:0;\n"
		"print fmt: \"reason %s\", __print_symbolic(REC->reason, { 2, \"KVM_EXIT_\" \"IO\" }, "
		"{ 5, \"KVM_EXIT_\" \"HLT\" })\n";
	struct nb_tp_format *f = calloc(1, sizeof(*f));
	char err[NB_ERR_LEN], name[48];

	CHECK(f);
	CHECK(nb_tp_parse_format(fmt, "reason", f, err) == 0);
	CHECK(f->ntables == 1 && f->table[0].isa == 0 && f->isa_off == -1);
	CHECK_STR(nb_tp_reason_name(f, 0, 2, name, sizeof(name)), "KVM_EXIT_IO");
	CHECK_STR(nb_tp_reason_name(f, 0, 5, name, sizeof(name)), "KVM_EXIT_HLT");
	free(f);
}

TEST(exits_request_decoded)
{
	enum nb_exits_target t;
	int pids[NB_EXITS_MAX_PIDS], n, reasons;
	char msg[NB_ERR_LEN];
	cJSON *r;

	r = cJSON_Parse("{}");
	CHECK(nb_exits_decode(r, &t, pids, &n, &reasons, msg) == 0);
	CHECK(t == NB_EXITS_AUTO && reasons == 1 && n == 0);
	cJSON_Delete(r);
	r = cJSON_Parse("{\"target\":\"all\",\"reasons\":false}");
	CHECK(nb_exits_decode(r, &t, pids, &n, &reasons, msg) == 0);
	CHECK(t == NB_EXITS_ALL && reasons == 0);
	cJSON_Delete(r);
	r = cJSON_Parse("{\"target\":[12,345]}");
	CHECK(nb_exits_decode(r, &t, pids, &n, &reasons, msg) == 0);
	CHECK(t == NB_EXITS_PIDS && n == 2 && pids[0] == 12 && pids[1] == 345);
	cJSON_Delete(r);
	static const char *const bad[] = { "{\"target\":\"qemu-x\"}", "{\"target\":[]}",
					   "{\"target\":[0]}", "{\"target\":[1.5]}", "{\"target\":[\"1\"]}",
					   "{\"reasons\":1}", "{\"target\":5}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = cJSON_Parse(bad[i]);
		CHECK_MSG(nb_exits_decode(r, &t, pids, &n, &reasons, msg) == -1, "%s accepted",
			  bad[i]);
		CHECK(msg[0]);
		cJSON_Delete(r);
	}
}

/* ---- a guest in a child process ------------------------------------------------------ */

struct child {
	pid_t pid;
	int go;                    /* write a byte: run the guest */
	int done;                  /* the child writes its io exit count here */
};

/* Fork a child that creates the guest, says "ready", waits for "go", runs it, reports.
 * 0, or -1 with why (the guest could not be created). */
static int spawn_guest(struct child *c, enum kvm_guest_op op, unsigned n, char *why, size_t len)
{
	int go[2], back[2];
	char buf[256];
	ssize_t got;

	if (pipe(go) || pipe(back)) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return -1;
	}
	c->pid = fork();
	if (c->pid == 0) {
		struct kvm_guest g;
		unsigned long io = 0;
		char w[200], x;
		close(go[1]);
		close(back[0]);
		if (kvm_guest_create(&g, op, n, w, sizeof(w))) {
			dprintf(back[1], "E%s", w);
			_exit(1);
		}
		if (write(back[1], "R", 1) != 1 || read(go[0], &x, 1) != 1)
			_exit(1);
		if (kvm_guest_run(&g, &io, w, sizeof(w))) {
			dprintf(back[1], "E%s", w);
			_exit(1);
		}
		dprintf(back[1], "%lu", io);
		kvm_guest_destroy(&g);
		_exit(0);
	}
	close(go[0]);
	close(back[1]);
	c->go = go[1];
	c->done = back[0];
	got = read(c->done, buf, sizeof(buf) - 1);
	if (got == 1 && buf[0] == 'R')
		return 0;
	buf[got > 0 ? got : 0] = '\0';
	snprintf(why, len, "%s", got > 1 ? buf + 1 : "the guest process died");
	close(c->go);
	close(c->done);
	waitpid(c->pid, NULL, 0);
	return -1;
}

/* Let it run to its hlt; its io exit count, or -1. */
static long finish_guest(struct child *c)
{
	char buf[64] = "";
	ssize_t got;
	int st = 0;

	if (write(c->go, "g", 1) != 1)
		return -1;
	got = read(c->done, buf, sizeof(buf) - 1);
	buf[got > 0 ? got : 0] = '\0';
	close(c->go);
	close(c->done);
	waitpid(c->pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? atol(buf) : -1;
}

/* Why exit counting cannot be tested here, or NULL. */
static const char *cannot_count(char *why, size_t len)
{
	cJSON *p = nb_exits_probe();
	const cJSON *sup = cJSON_GetObjectItemCaseSensitive(p, "supported");

	if (access("/dev/kvm", R_OK | W_OK)) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
	} else if (!cJSON_IsTrue(sup)) {
		snprintf(why, len, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "reason")));
	} else {
		cJSON_Delete(p);
		return NULL;
	}
	cJSON_Delete(p);
	return why;
}

/* exits-start on pid, the guest runs, exits-stop: the reply (caller frees). */
static cJSON *count_guest(struct nb_client *c, enum kvm_guest_op op, unsigned n, long *io,
			  char *why, size_t len)
{
	struct child ch;
	char req[128];
	cJSON *r;

	if (spawn_guest(&ch, op, n, why, len))
		return NULL;
	snprintf(req, sizeof(req), "{\"op\":\"exits-start\",\"target\":[%d]}", (int)ch.pid);
	r = fx_call(c, req);
	if (!fx_ok(r)) {
		snprintf(why, len, "exits-start: %s", r ? nb_proto_error_message(r) : "no reply");
		cJSON_Delete(r);
		finish_guest(&ch);
		return NULL;
	}
	cJSON_Delete(r);
	*io = finish_guest(&ch);
	return fx_call(c, "{\"op\":\"exits-stop\"}");
}

/* The guest's N exits, counted through a real agent: with kvm_exit (kvm_amd, kvm_intel)
 * the total and the reason; on a KVM that does not trace kvm_exit (kvm_pvm) the
 * handler tracepoint and a stated reason for the missing total. */
static void count_body(struct fx *f, enum kvm_guest_op op)
{
	struct fx_agent *a = fx_agent(f, "parent", NULL, NULL);
	struct nb_client c;
	char why[512];
	long io = -1;
	cJSON *r;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	r = count_guest(&c, op, N_EXITS, &io, why, sizeof(why));
	CHECK_MSG(r, "%s", why);
	CHECK_MSG(fx_ok(r), "exits-stop: %s", nb_proto_error_message(r));
	CHECK(io == (op == KVM_GUEST_OUT ? N_EXITS : 0));
	CHECK_STR(cJSON_GetStringValue(fx_field(r, "target")), "pids");
	CHECK(fx_num(r, "threads") == 1 && fx_num(r, "elapsed_ms") > 0);
	const char *handler = op == KVM_GUEST_OUT ? "by_handler.pio" : "by_handler.cpuid";
	double kind = fx_num(r, handler);
	if (cJSON_IsNumber(fx_field(r, "total"))) {
		double total = fx_num(r, "total");
		const char *isa = cJSON_GetStringValue(fx_field(r, "isa"));
		char reason[64];
		snprintf(reason, sizeof(reason), "by_reason.%s",
			 strcmp(isa ? isa : "", "vmx") == 0 ? (op == KVM_GUEST_OUT ? "IO_INSTRUCTION" : "CPUID")
							    : (op == KVM_GUEST_OUT ? "io" : "cpuid"));
		printf("  L0 %s loop: kvm_exit total %.0f, %s %.0f, %s %.0f, expected %d\n",
		       op == KVM_GUEST_OUT ? "out" : "cpuid", total, reason, fx_num(r, reason), handler, kind,
		       N_EXITS);
		CHECK_MSG(total >= N_EXITS && total <= N_EXITS + 200, "total %.0f", total);
		CHECK_MSG(fx_num(r, reason) >= N_EXITS && fx_num(r, reason) <= N_EXITS + 2, "%s %.0f", reason,
			  fx_num(r, reason));
		CHECK(cJSON_IsTrue(fx_field(r, "reasons_complete")) && fx_num(r, "lost") == 0);
	} else {
		const char *tu = cJSON_GetStringValue(fx_field(r, "total_unsupported"));
		printf("  L0 %s loop: no kvm_exit total (%s); %s %.0f, expected %d\n",
		       op == KVM_GUEST_OUT ? "out" : "cpuid", cJSON_GetStringValue(fx_field(r, "kvm_module")),
		       handler, kind, N_EXITS);
		CHECK(tu && strstr(tu, "kvm_exit"));
	}
	CHECK_MSG(kind >= N_EXITS && kind <= N_EXITS + 2, "%s %.0f, expected %d", handler, kind, N_EXITS);
	cJSON_Delete(r);
	/* The session is free for another counting. */
	r = count_guest(&c, op, 100, &io, why, sizeof(why));
	CHECK_MSG(r && fx_ok(r), "second counting: %s", r ? nb_proto_error_message(r) : why);
	CHECK(fx_num(r, handler) >= 100 && fx_num(r, handler) <= 102);
	cJSON_Delete(r);
	nb_client_close(&c);
}

static void count_out_body(struct fx *f) { count_body(f, KVM_GUEST_OUT); }
static void count_cpuid_body(struct fx *f) { count_body(f, KVM_GUEST_CPUID); }

/* body with an agent, or the reason it cannot run here. */
static void with_kvm(void (*body)(struct fx *))
{
	char why[512];

	if (cannot_count(why, sizeof(why))) {
		printf("  (skipped: %s)\n", why);
		return;
	}
	FX_RUN(body);
}

TEST(exits_counted_at_L0_port_io)
{
	with_kvm(count_out_body);
}

TEST(exits_counted_at_L0_cpuid)
{
	with_kvm(count_cpuid_body);
}

/* CPU time of this process, all threads. */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The raw-sample path (ring buffers, format offsets, symbolic names, lost records), on
 * a tracepoint that fires on every KVM: kvm_userspace_exit, reason KVM_EXIT_IO per
 * `out` and KVM_EXIT_HLT at the end, counted in this process as the exit record. */
TEST(exits_reasons_from_raw_samples)
{
	struct nb_exits *x = NULL;
	struct child ch;
	char why[512], req[96], msg[NB_ERR_LEN];
	const char *code;
	cJSON *q, *r;
	long io;

	if (geteuid() != 0)
		snprintf(why, sizeof(why), "not root: this test opens the tracepoints itself");
	if (geteuid() != 0 || cannot_count(why, sizeof(why))) {
		printf("  (skipped: %s)\n", why);
		return;
	}
	CHECK_MSG(spawn_guest(&ch, KVM_GUEST_OUT, N_EXITS, why, sizeof(why)) == 0, "%s", why);
	nb_exits_use_tracepoint("kvm_userspace_exit", "reason");
	snprintf(req, sizeof(req), "{\"target\":[%d]}", (int)ch.pid);
	q = cJSON_Parse(req);
	r = cJSON_CreateObject();
	int rc = nb_exits_start(q, &x, r, &code, msg);
	nb_exits_use_tracepoint(NULL, NULL);
	cJSON_Delete(q);
	if (rc) {
		finish_guest(&ch);
		cJSON_Delete(r);
		CHECK_MSG(0, "%s: %s", code, msg);
	}
	io = finish_guest(&ch);
	/* The guest's thread is gone: the drain thread must not spin on its counters. */
	double cpu0 = cpu_seconds();
	usleep(300 * 1000);
	double spent = cpu_seconds() - cpu0;
	nb_exits_stop(x, r);
	CHECK_MSG(spent < 0.1, "%.3f s of CPU while idle for 0.3 s", spent);
	printf("  raw samples: total %.0f, KVM_EXIT_IO %.0f, KVM_EXIT_HLT %.0f, lost %.0f (io exits %ld)\n",
	       fx_num(r, "total"), fx_num(r, "by_reason.KVM_EXIT_IO"), fx_num(r, "by_reason.KVM_EXIT_HLT"),
	       fx_num(r, "lost"), io);
	CHECK(io == N_EXITS);
	CHECK_MSG(fx_num(r, "total") == N_EXITS + 1, "total %.0f", fx_num(r, "total"));
	CHECK(fx_num(r, "by_reason.KVM_EXIT_IO") == N_EXITS);
	CHECK(fx_num(r, "by_reason.KVM_EXIT_HLT") == 1);
	CHECK(cJSON_IsTrue(fx_field(r, "reasons_complete")) && fx_num(r, "lost") == 0);
	/* by_reason is ordered by count, largest first */
	CHECK_STR(fx_field(r, "by_reason")->child->string, "KVM_EXIT_IO");
	cJSON_Delete(r);
}

/* A guest of n port writes run to its end while the counting is as it is; its io exits. */
static long run_guest(unsigned n, char *why, size_t len)
{
	struct child ch;

	if (spawn_guest(&ch, KVM_GUEST_OUT, n, why, len))
		return -1;
	return finish_guest(&ch);
}

/* exits-pause and exits-resume: the counters stay open between windows; a window
 * counts only what ran in it (a guest that runs while paused is not counted), and
 * counts start again from zero.  target "all" (per CPU), so that guests of different
 * processes come and go under one counting. */
static void pause_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "parent", NULL, NULL);
	struct nb_client c;
	char why[512];
	cJSON *r;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	r = fx_call(&c, "{\"op\":\"exits-resume\"}");
	CHECK(r && !fx_ok(r) && strstr(nb_proto_error_message(r), "exits-start"));
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"exits-start\",\"target\":\"all\",\"reasons\":false}");
	CHECK_MSG(fx_ok(r), "exits-start: %s", nb_proto_error_message(r));
	cJSON_Delete(r);
	CHECK_MSG(run_guest(300, why, sizeof(why)) == 300, "%s", why);
	r = fx_call(&c, "{\"op\":\"exits-pause\"}");
	CHECK_MSG(fx_ok(r), "exits-pause: %s", nb_proto_error_message(r));
	/* other VMs on this machine may add to it, never subtract */
	CHECK_MSG(fx_num(r, "by_handler.pio") >= 300, "window 1: pio %.0f", fx_num(r, "by_handler.pio"));
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"exits-pause\"}");
	CHECK(r && !fx_ok(r) && strstr(nb_proto_error_message(r), "already paused"));
	cJSON_Delete(r);
	CHECK_MSG(run_guest(500, why, sizeof(why)) == 500, "%s", why);   /* while paused */
	r = fx_call(&c, "{\"op\":\"exits-resume\"}");
	CHECK_MSG(fx_ok(r), "exits-resume: %s", nb_proto_error_message(r));
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"exits-pause\"}");
	CHECK_MSG(fx_ok(r) && fx_num(r, "by_handler.pio") < 300, "window 2 (the guest ran while "
		  "paused, and counts restart at zero): pio %.0f", fx_num(r, "by_handler.pio"));
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"exits-resume\"}");
	cJSON_Delete(r);
	CHECK_MSG(run_guest(100, why, sizeof(why)) == 100, "%s", why);
	r = fx_call(&c, "{\"op\":\"exits-stop\"}");
	CHECK_MSG(fx_ok(r) && fx_num(r, "by_handler.pio") >= 100 && fx_num(r, "by_handler.pio") < 300,
		  "window 3: pio %.0f", fx_num(r, "by_handler.pio"));
	cJSON_Delete(r);
	nb_client_close(&c);
}

TEST(exits_pause_and_resume_keep_the_counters)
{
	with_kvm(pause_body);
}

/* "auto" finds the process holding a KVM VM (and says how many vCPUs it has). */
static void auto_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "parent", NULL, NULL);
	struct nb_client c;
	struct child ch;
	char why[512];
	const cJSON *p;
	int found = 0;
	cJSON *r;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK_MSG(spawn_guest(&ch, KVM_GUEST_OUT, 500, why, sizeof(why)) == 0, "%s", why);
	r = fx_call(&c, "{\"op\":\"exits-start\",\"target\":\"auto\",\"reasons\":false}");
	cJSON_ArrayForEach(p, fx_field(r, "processes"))
		if (fx_num(p, "pid") == ch.pid)
			found = fx_num(p, "vcpus") == 1 && fx_num(p, "threads") == 1;
	int ok = fx_ok(r);
	cJSON_Delete(r);
	long io = finish_guest(&ch);
	CHECK_MSG(ok && found, "the guest's process was not among the targets");
	r = fx_call(&c, "{\"op\":\"exits-stop\"}");
	CHECK(fx_ok(r) && io == 500);
	/* other VMs on this machine may add to it, never subtract */
	CHECK_MSG(fx_num(r, "by_handler.pio") >= 500, "pio %.0f", fx_num(r, "by_handler.pio"));
	CHECK(!fx_field(r, "by_reason"));   /* "reasons": false: totals only */
	cJSON_Delete(r);
	nb_client_close(&c);
}

TEST(exits_auto_target_finds_the_vmm)
{
	with_kvm(auto_body);
}

/* Misuse gets clear errors and leaves the session usable. */
static void errors_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "parent", NULL, NULL);
	struct nb_client c;
	cJSON *r;
	char req[96];

	CHECK(a && fx_connect(&c, a->addr) == 0);
	r = fx_call(&c, "{\"op\":\"exits-stop\"}");
	CHECK_STR(fx_code(r), "bad_request");
	CHECK(strstr(nb_proto_error_message(r), "exits-start"));
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"exits-start\",\"target\":\"everything\"}");
	CHECK_STR(fx_code(r), "bad_request");
	cJSON_Delete(r);
	/* A process that does not exist (pid_max is at most 4194304). */
	r = fx_call(&c, "{\"op\":\"exits-start\",\"target\":[4194304]}");
	CHECK_MSG(strcmp(fx_code(r), "bad_request") == 0 || strcmp(fx_code(r), "unsupported") == 0,
		  "code %s", fx_code(r));
	cJSON_Delete(r);
	if (!cannot_count(req, sizeof(req))) {
		/* Counting ourselves (no VM, a valid target): start twice is refused. */
		snprintf(req, sizeof(req), "{\"op\":\"exits-start\",\"target\":[%d]}", (int)getpid());
		r = fx_call(&c, req);
		CHECK_MSG(fx_ok(r), "%s", nb_proto_error_message(r));
		cJSON_Delete(r);
		r = fx_call(&c, req);
		CHECK_STR(fx_code(r), "bad_request");
		CHECK(strstr(nb_proto_error_message(r), "already"));
		cJSON_Delete(r);
		r = fx_call(&c, "{\"op\":\"exits-stop\"}");
		CHECK(fx_ok(r) && fx_num(r, "total") == 0);
		cJSON_Delete(r);
	} else {
		printf("  (counting part skipped: %s)\n", req);
	}
	CHECK(fx_ping(&c));
	/* A counting left running when the session ends is released (the agent's log and
	 * the sanitizers would tell otherwise). */
	if (!cannot_count(req, sizeof(req))) {
		snprintf(req, sizeof(req), "{\"op\":\"exits-start\",\"target\":[%d]}", (int)getpid());
		r = fx_call(&c, req);
		CHECK(fx_ok(r));
		cJSON_Delete(r);
	}
	nb_client_close(&c);
	CHECK(fx_connect(&c, a->addr) == 0 && fx_ping(&c));
	nb_client_close(&c);
}

TEST(exits_errors)
{
	FX_RUN(errors_body);
}

/* events-probe: every generic event with a verdict, software events open, the
 * exit-counting section present; hello lists the new ops. */
static void probe_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "parent", NULL, NULL);
	struct nb_client c;
	const cJSON *e;
	int n = 0, pf = 0, cycles = 0;
	char err[NB_ERR_LEN];
	cJSON *r = NULL;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK(nb_client_hello(&c, NULL, &r, err) == 0);
	int ops = 0;
	cJSON_ArrayForEach(e, fx_field(r, "ops"))
		ops += strcmp(e->valuestring, "events-probe") == 0 || strcmp(e->valuestring, "exits-start") == 0 ||
		       strcmp(e->valuestring, "exits-stop") == 0;
	CHECK(ops == 3);
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"events-probe\",\"events\":[\"task-clock\",\"no-such-event-xyz\"]}");
	CHECK_MSG(fx_ok(r), "%s", nb_proto_error_message(r));
	cJSON_ArrayForEach(e, fx_field(r, "events")) {
		const char *name = cJSON_GetStringValue(fx_field(e, "name"));
		const char *group = cJSON_GetStringValue(fx_field(e, "group"));
		n++;
		CHECK(name && group && cJSON_IsBool(fx_field(e, "supported")));
		if (cJSON_IsFalse(fx_field(e, "supported")))
			CHECK_MSG(cJSON_GetStringValue(fx_field(e, "reason")), "%s: no reason", name);
		if (strcmp(name, "page-faults") == 0)
			pf = cJSON_IsTrue(fx_field(e, "supported"));
		if (strcmp(name, "cycles") == 0)
			cycles = 1;
		if (strcmp(name, "no-such-event-xyz") == 0) {
			CHECK_STR(group, "requested");
			CHECK(cJSON_IsFalse(fx_field(e, "supported")));
			CHECK(strstr(cJSON_GetStringValue(fx_field(e, "reason")), "libpfm4"));
		}
	}
	CHECK(n >= 12 && pf && cycles);
	CHECK(cJSON_IsBool(fx_field(r, "hardware_pmu")) && cJSON_IsNumber(fx_field(r, "perf_event_paranoid")));
	CHECK(cJSON_IsBool(fx_field(r, "exits.supported")) && cJSON_IsArray(fx_field(r, "exits.vmm_processes")));
	if (cJSON_IsFalse(fx_field(r, "exits.supported")))
		CHECK(cJSON_GetStringValue(fx_field(r, "exits.reason")));
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"events-probe\",\"events\":\"cycles\"}");
	CHECK_STR(fx_code(r), "bad_request");
	cJSON_Delete(r);
	nb_client_close(&c);
}

TEST(events_probe_reports_each_event)
{
	FX_RUN(probe_body);
}
