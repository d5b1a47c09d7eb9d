/* lab.c - `nestbench lab up|down|status`: L1 under QEMU on this machine, L2 under KVM
 * inside L1 (images/init-l1.sh boots it), an agent in each.  README.md, "The local
 * nested lab", and images/README.md say why the choices are probed rather than assumed. */
#include "lab.h"
#include "lab_kut.h"
#include "../common/clock.h"
#include "../common/files.h"
#include "../common/json.h"
#include "../common/proc.h"
#include "../resultlib/result.h"
#include "../common/client.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ERR_LEN NB_ERR_LEN        /* the one error-buffer size (common/err.h) */
#define PROBE_TIMEOUT_S 30
#define HELLO_TIMEOUT_MS 30000
#define CONSOLE_TAIL 25
#define AGENT_PORT 7420
/* L1's init starts L2 up to this many times, each attempt given boot_timeout_s / L2_TRIES
 * (images/init-l1.sh); lab up waits this much longer for L1's init to say how it ended. */
#define L2_TRIES 3
#define L2_REPORT_MARGIN_S 15
/* L1's init says something at least every 10 s while it starts L2, and its boot prints
 * its first lines within seconds: a console silent this long (or a third of
 * boot_timeout_s, if longer) means L1 may have stopped. */
#define L1_SILENT_S 30
/* Boots of the whole lab when L1 stops answering (images/README.md, "Why L1 hung"). */
#define LAB_BOOTS 2
/* What L1's init writes on its console about L2 (images/init-l1.sh). */
#define L2_MARK "nestbench-init: L2: "
/* lab.l2.hyperv: the Hyper-V enlightenments L1's init asks L1's KVM for, for L2 (it
 * drops those L1's KVM refuses, and says so on its console: HV_ON, HV_REFUSES). */
#define L2_HV_FLAGS "hv-relaxed,hv-vapic,hv-time,hv-synic,hv-stimer,hv-vpindex,hv-runtime," \
		    "hv-frequencies,hv-reset,hv-tlbflush,hv-ipi"
#define HV_ON L2_MARK "Hyper-V enlightenments on: "
#define HV_REFUSES L2_MARK "Hyper-V enlightenments: L1's KVM refuses "

extern char **environ;

/* One `lab up`: the settings, what was chosen and why. */
struct lab {
	const struct nb_lab_cfg *cfg;
	const struct nb_lab_paths *p;
	FILE *out;
	int tty;
	char qemu[PATH_MAX];
	char accel[8], accel_why[320];
	char transport[8], transport_why[320];
	char image_id[40], kernel[96];
	char l2_fail[64];           /* NB_LAB_L2_FAIL, tests only: "" or e.g. "hang,exit" */
	char l3_cmdline[96];        /* lab.l3: " nestbench.l3=... nestbench.l3_watch=...", or "" */
	/* lab.l2.hyperv, as L1's init reported it: the enlightenments L2 got and those L1's
	 * KVM refused (comma-separated, "" for none), and QEMU's word on each refusal */
	int hv_reported;
	char hv_on[256], hv_refused[256], hv_why[1024];
	struct nb_kut_disk kut;     /* lab.kvm_unit_tests, staged for L1 (lab_kut.h) */
	pid_t pid;
	double boot_s[3];
	int failed;                 /* after a failed boot: the guest at fault, 1, 2 or 3 */
	int wedged;                 /* ... and L1 stopped answering: booting again may help */
};

/* lab.l3 (its section below boot): L1's extra agent ports, and L3 in the state. */
struct args;
static void l3_l1_ports(const struct lab *l, struct args *a);
static void l3_state(const struct lab *l, cJSON *s);

static void lab_file(const struct nb_lab_paths *p, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", p->dir, name);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- files ------------------------------------------------------------------------ */

static cJSON *read_json(const char *path)
{
	char *text = nb_file_read(path, 0, NULL, NULL);
	cJSON *j = text ? cJSON_Parse(text) : NULL;

	free(text);
	return j;
}

/* The last n lines of a console log, indented, to f. */
static void print_tail(FILE *f, const char *what, const char *path, int n)
{
	size_t len;
	char *text = nb_file_read(path, 0, &len, NULL);
	const char *start;
	int lines = 0;

	if (!text || len == 0) {
		fprintf(f, "  (%s: %s is %s)\n", what, path, text ? "empty" : "missing");
		free(text);
		return;
	}
	start = text + len;
	while (start > text && lines <= n)
		if (*--start == '\n' && start + 1 < text + len)
			lines++;
	if (*start == '\n')
		start++;
	fprintf(f, "  --- last lines of %s (%s) ---\n", what, path);
	for (const char *l = start; *l;) {
		const char *e = strchr(l, '\n');
		int w = e ? (int)(e - l) : (int)strlen(l);
		fprintf(f, "  | %.*s\n", w, l);
		l += w + (e != NULL);
	}
	free(text);
}

/* ---- processes ---------------------------------------------------------------------- */

/* A program on PATH, as a full path. */
static int find_program(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX];

	for (const char *s = path ? path : "/usr/bin:/bin"; *s;) {
		size_t n = strcspn(s, ":");
		snprintf(dir, sizeof(dir), "%.*s", (int)n, s);
		snprintf(buf, len, "%s/%s", dir[0] ? dir : ".", name);
		if (access(buf, X_OK) == 0)
			return 0;
		s += n + (s[n] == ':');
	}
	return -1;
}

/* Is pid still the QEMU this lab started?  Its command line names our pid file, so a
 * recycled pid is never killed. */
static int pid_is_ours(pid_t pid, const char *pidfile)
{
	char path[64];
	size_t len;
	char *cmd;
	int ours = 0;

	if (pid <= 0 || kill(pid, 0) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	cmd = nb_file_read(path, 0, &len, NULL);
	for (size_t i = 0; cmd && i < len; i += strlen(cmd + i) + 1)
		if (strcmp(cmd + i, pidfile) == 0)
			ours = 1;
	free(cmd);
	return ours;
}

/* SIGTERM, then SIGKILL after 5 s: QEMU daemonized, so it is not our child. */
static void stop_pid(pid_t pid)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 100 && kill(pid, 0) == 0; i++) {
		waitpid(pid, NULL, WNOHANG);
		sleep_ms(50);
	}
	if (kill(pid, 0) == 0) {
		kill(pid, SIGKILL);
		for (int i = 0; i < 40 && kill(pid, 0) == 0; i++)
			sleep_ms(50);
	}
}

/* Start argv with stdout and stderr into log; -1 with err. */
static int spawn_logged(char *const argv[], const char *log, pid_t *pid, char *err)
{
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		snprintf(err, ERR_LEN, "cannot start %s: %s", argv[0], strerror(rc));
		return -1;
	}
	return 0;
}

/* The last non-empty line of a file, for "why did QEMU fail". */
static void last_line(const char *path, char *buf, size_t len)
{
	char *text = nb_file_read(path, 0, NULL, NULL);
	char *line = NULL, *save = NULL;

	buf[0] = '\0';
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
		line = l;
	if (line)
		snprintf(buf, len, "%s", line);
	free(text);
}

/* ---- probes ------------------------------------------------------------------------- */

/* Is nested virtualization on in this host's KVM module?  "" when unknown. */
static const char *host_nested(void)
{
	static const char *const files[] = { "/sys/module/kvm_amd/parameters/nested",
					     "/sys/module/kvm_intel/parameters/nested" };
	static char v[8];

	for (size_t i = 0; i < 2; i++)
		if (nb_read_line(files[i], v, sizeof(v)) == 0)
			return v;
	return "";
}

/* KVM for L1 only if /dev/kvm really boots a 64-bit guest: boot L2's image with KVM
 * and wait for its init (a broken KVM fails at once; a working one gets there in a
 * second or two), and only if L1 would be offered SVM/VMX for L2. */
static void probe_accel(struct lab *l)
{
	char kernel[PATH_MAX], initrd[PATH_MAX], console[PATH_MAX], log[PATH_MAX], conarg[PATH_MAX + 8];
	char line[256], herr[ERR_LEN];
	const char *nested = host_nested();
	pid_t pid;
	int fd;

	snprintf(l->accel, sizeof(l->accel), "tcg");
	if (strcmp(l->cfg->l1_accelerator, "tcg") == 0) {
		snprintf(l->accel_why, sizeof(l->accel_why), "the campaign asks for TCG");
		return;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(l->accel_why, sizeof(l->accel_why), "/dev/kvm: %s", strerror(errno));
		return;
	}
	close(fd);
	if (strcmp(nested, "0") == 0 || strcmp(nested, "N") == 0) {
		snprintf(l->accel_why, sizeof(l->accel_why), "KVM's nested=%s here: L1 could not run L2 "
			 "(modprobe kvm_amd nested=1 or kvm_intel nested=1 to use KVM)", nested);
		return;
	}
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", l->p->images);
	snprintf(initrd, sizeof(initrd), "%s/l2.cpio", l->p->images);
	lab_file(l->p, "probe-console.log", console, sizeof(console));
	lab_file(l->p, "probe-qemu.log", log, sizeof(log));
	snprintf(conarg, sizeof(conarg), "file:%s", console);
	unlink(console);
	char *argv[] = { l->qemu, "-name", "nestbench-kvm-probe", "-machine", "q35", "-accel", "kvm",
			 "-cpu", "host", "-smp", "1", "-m", "512", "-nodefaults", "-no-user-config",
			 "-display", "none", "-vga", "none", "-no-reboot", "-kernel", kernel,
			 "-initrd", initrd, "-append", "console=ttyS0 panic=-1", "-serial", conarg, NULL };
	if (spawn_logged(argv, log, &pid, herr)) {
		snprintf(l->accel_why, sizeof(l->accel_why), "KVM probe: %s", herr);
		return;
	}
	double end = nb_mono_s() + PROBE_TIMEOUT_S;
	int st, booted = 0, exited = 0;
	while (!booted && !exited && nb_mono_s() < end) {
		char *con = nb_file_read(console, 0, NULL, NULL);
		booted = con && strstr(con, "nestbench-init:") != NULL;
		free(con);
		exited = waitpid(pid, &st, WNOHANG) == pid;
		if (!booted && !exited)
			sleep_ms(100);
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	if (booted) {
		snprintf(l->accel, sizeof(l->accel), "kvm");
		snprintf(l->accel_why, sizeof(l->accel_why), "/dev/kvm booted a 64-bit guest");
		return;
	}
	last_line(log, line, sizeof(line));
	snprintf(l->accel_why, sizeof(l->accel_why), "/dev/kvm cannot boot a 64-bit guest here (%s)",
		 exited ? (line[0] ? line : "QEMU exited") : "no init within 30 s");
}

static void probe_transport(struct lab *l)
{
	int fd;

	snprintf(l->transport, sizeof(l->transport), "serial");
	if (strcmp(l->cfg->l1_transport, "serial") == 0) {
		snprintf(l->transport_why, sizeof(l->transport_why), "the campaign asks for serial");
		return;
	}
	fd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(l->transport_why, sizeof(l->transport_why), "/dev/vhost-vsock: %s (modprobe "
			 "vhost_vsock to use vsock)", strerror(errno));
		return;
	}
	close(fd);
	snprintf(l->transport, sizeof(l->transport), "vsock");
	snprintf(l->transport_why, sizeof(l->transport_why), "/dev/vhost-vsock is usable");
}

/* ---- state -------------------------------------------------------------------------- */

static void addresses(const struct nb_lab_paths *p, const char *transport, int cid,
		      char *l1, char *aux, char *relay, char *l2, size_t len)
{
	if (strcmp(transport, "vsock") == 0) {
		snprintf(l1, len, "vsock:%d:%d", cid, AGENT_PORT);
		aux[0] = relay[0] = '\0';
	} else {
		snprintf(l1, len, "serial:%s/l1-agent.sock", p->dir);
		snprintf(aux, len, "serial:%s/l1-agent-aux.sock", p->dir);
		snprintf(relay, len, "serial:%s/l1-agent-relay.sock", p->dir);
	}
	snprintf(l2, len, "vsock:%d:%d", cid, AGENT_PORT);
}

/* lab.l2.hyperv in the state, and so in each result's tiers[].lab: what was asked for,
 * what L2 got, what L1's KVM refused and QEMU's words for it. */
static void add_hyperv(const struct lab *l, cJSON *g)
{
	cJSON *h = cJSON_AddObjectToObject(g, "hyperv");

	cJSON_AddStringToObject(h, "requested", L2_HV_FLAGS);
	if (!l->hv_reported)
		return;             /* L2 not started yet: L1's init has not said */
	cJSON_AddStringToObject(h, "enabled", l->hv_on);
	cJSON_AddStringToObject(h, "refused", l->hv_refused);
	cJSON_AddStringToObject(h, "refused_why", l->hv_why);
}

/* A nested guest's entry in the state: KVM inside its parent, reached over vsock. */
static cJSON *add_nested(cJSON *s, const char *name, const char *addr, const char *why,
			 const char *transport, int vcpus, int memory_mib, int cid)
{
	cJSON *g = cJSON_AddObjectToObject(s, name);

	cJSON_AddStringToObject(g, "address", addr);
	cJSON_AddStringToObject(g, "accelerator", "kvm");
	cJSON_AddStringToObject(g, "accelerator_reason", why);
	cJSON_AddStringToObject(g, "transport", transport);
	cJSON_AddNumberToObject(g, "vcpus", vcpus);
	cJSON_AddNumberToObject(g, "memory_mib", memory_mib);
	cJSON_AddNumberToObject(g, "cid", cid);
	return g;
}

static int write_state(const struct lab *l, char *err)
{
	char path[PATH_MAX], l1[PATH_MAX], aux[PATH_MAX], relay[PATH_MAX], l2[PATH_MAX], now[32];
	cJSON *s = cJSON_CreateObject(), *g;
	int rc;

	addresses(l->p, l->transport, l->cfg->l2_cid, l1, aux, relay, l2, sizeof(l1));
	nb_utc_now(now, sizeof(now));
	cJSON_AddStringToObject(s, "schema", "nestbench-lab");
	cJSON_AddNumberToObject(s, "pid", l->pid);
	cJSON_AddStringToObject(s, "started_utc", now);
	cJSON_AddStringToObject(s, "image_id", l->image_id);
	cJSON_AddStringToObject(s, "kernel", l->kernel);
	g = cJSON_AddObjectToObject(s, "L1");
	cJSON_AddStringToObject(g, "address", l1);
	cJSON_AddStringToObject(g, "aux_address", aux);
	cJSON_AddStringToObject(g, "relay_address", relay);
	cJSON_AddStringToObject(g, "accelerator", l->accel);
	cJSON_AddStringToObject(g, "accelerator_reason", l->accel_why);
	cJSON_AddStringToObject(g, "transport", l->transport);
	cJSON_AddStringToObject(g, "transport_reason", l->transport_why);
	cJSON_AddNumberToObject(g, "vcpus", l->cfg->l1_vcpus);
	cJSON_AddNumberToObject(g, "memory_mib", l->cfg->l1_memory_mib);
	g = add_nested(s, "L2", l2,
		       strcmp(l->accel, "kvm") == 0 ? "KVM inside L1, L1 under KVM"
						     : "KVM inside L1, L1 emulated by TCG",
		       "vsock (vhost-vsock-pci in L1)", l->cfg->l2_vcpus, l->cfg->l2_memory_mib,
		       l->cfg->l2_cid);
	if (l->cfg->l2_hyperv)
		add_hyperv(l, g);
	if (l->cfg->kvm_unit_tests[0]) {
		g = cJSON_AddObjectToObject(s, "kvm_unit_tests");
		cJSON_AddStringToObject(g, "path", l->cfg->kvm_unit_tests);
		cJSON_AddStringToObject(g, "sha256", l->kut.sha256);
		cJSON_AddNumberToObject(g, "size", (double)l->kut.size);
	}
	l3_state(l, s);
	lab_file(l->p, "state.json", path, sizeof(path));
	rc = nb_result_write(s, path, err);
	cJSON_Delete(s);
	return rc;
}

static void remove_runtime_files(const struct nb_lab_paths *p)
{
	static const char *const names[] = { "l1-agent.sock", "l1-agent-aux.sock", "l1-agent-relay.sock",
					     "l1-monitor.sock", NB_KUT_SOCK, NB_KUT_DISK, "l1-agent-relay3.sock",
					     "l1-agent-aux3.sock", "l1-agent-relay3x.sock",
					     "l1.pid", "state.json", "l1-scratch.img", "l2-scratch.img" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		lab_file(p, names[i], path, sizeof(path));
		unlink(path);
	}
}

/* Stop whatever a previous `lab up` left running; 1 if it was stopped. */
static int stop_recorded(const struct nb_lab_paths *p)
{
	char path[PATH_MAX], pidfile[PATH_MAX];
	cJSON *s;
	pid_t pid = 0;
	int stopped = 0;

	lab_file(p, "state.json", path, sizeof(path));
	lab_file(p, "l1.pid", pidfile, sizeof(pidfile));
	s = read_json(path);
	if (s)
		pid = (pid_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "pid"));
	if (pid <= 0) {             /* crashed before the state was written: the pid file */
		char *t = nb_file_read(pidfile, 0, NULL, NULL);
		pid = t ? (pid_t)atoi(t) : 0;
		free(t);
	}
	if (pid_is_ours(pid, pidfile)) {
		stop_pid(pid);
		stopped = 1;
	}
	cJSON_Delete(s);
	remove_runtime_files(p);
	return stopped;
}

/* ---- boot --------------------------------------------------------------------------- */

static int read_manifest(struct lab *l, char *err)
{
	char path[PATH_MAX];
	cJSON *m;

	snprintf(path, sizeof(path), "%s/manifest.json", l->p->images);
	m = read_json(path);
	if (!m) {
		char how[2 * PATH_MAX + 300];
		nb_lab_images_hint(l->p->images, how, sizeof(how));
		snprintf(err, ERR_LEN, "no guest images in %s (manifest.json %s): %s", l->p->images,
			 access(path, F_OK) ? "missing" : "unreadable", how);
		return -1;
	}
	snprintf(l->image_id, sizeof(l->image_id), "%s", nb_json_str(m, "image_id", ""));
	snprintf(l->kernel, sizeof(l->kernel), "%s",
		 nb_json_str(m, "kernel.release", ""));
	cJSON_Delete(m);
	return 0;
}

/* Fresh scratch disks from the pristine image: sparse copies, so nothing measured
 * depends on what an earlier lab wrote. */
static int copy_scratch(const struct lab *l, char *err)
{
	static const char *const names[] = { "l1-scratch.img", "l2-scratch.img" };
	char src[PATH_MAX], dst[PATH_MAX], herr[NB_ERR_LEN];
	struct nb_proc_out o;

	snprintf(src, sizeof(src), "%s/scratch.img", l->p->images);
	for (int i = 0; i < 2; i++) {
		lab_file(l->p, names[i], dst, sizeof(dst));
		char *argv[] = { "/bin/cp", "--sparse=always", src, dst, NULL };
		if (nb_proc_run(argv, &o, herr) || o.status) {
			snprintf(err, ERR_LEN, "cannot copy the scratch disk to %s: %s", dst,
				 o.err && o.err[0] ? o.err : herr);
			nb_proc_out_free(&o);
			return -1;
		}
		nb_proc_out_free(&o);
	}
	return 0;
}

/* A growing argv. */
struct args {
	char *v[96];
	char buf[8192];
	size_t used;
	int n;
};

static void arg(struct args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct args *a, const char *fmt, ...)
{
	va_list ap;
	char *s = a->buf + a->used;

	va_start(ap, fmt);
	int w = vsnprintf(s, sizeof(a->buf) - a->used, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof(a->buf) - a->used || a->n >= 95)
		return;             /* cannot happen with our sizes; QEMU would then refuse */
	a->used += (size_t)w + 1;
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* A virtio-serial port of L1 backed by chardev spec (its id is `id`). */
static void port(struct args *a, const char *id, const char *spec, const char *name)
{
	arg(a, "-chardev");
	arg(a, "%s,id=%s", spec, id);
	arg(a, "-device");
	arg(a, "virtserialport,chardev=%s,name=%s", id, name);
}

/* lab.kvm_unit_tests: the binary as a read-only disk L1 finds by its serial, and the
 * port that carries requests and results (lab_kut.c; L1's side: init-l1.sh, kut_serve).
 * The disk sits in a PCI slot above the -drive if=virtio ones, which QEMU places after
 * every -device: L1's kernel names disks in slot order, and the scratch disks must stay
 * /dev/vda and /dev/vdb. */
static void kut_argv(const struct lab *l, struct args *a)
{
	char spec[PATH_MAX + 64];

	arg(a, "-drive");
	arg(a, "file=%s/%s,if=none,id=kut,format=raw,readonly=on", l->p->dir, NB_KUT_DISK);
	arg(a, "-device"); arg(a, "virtio-blk-pci,drive=kut,serial=%s,addr=0x18", NB_KUT_SERIAL);
	snprintf(spec, sizeof(spec), "socket,path=%s/%s,server=on,wait=off", l->p->dir, NB_KUT_SOCK);
	port(a, "kut", spec, "org.nestbench.kut");
}

static void l1_argv(const struct lab *l, struct args *a)
{
	const struct nb_lab_cfg *c = l->cfg;
	const char *d = l->p->dir;
	int tcg = strcmp(l->accel, "tcg") == 0;
	char spec[PATH_MAX + 64], kut[48] = "";

	if (c->kvm_unit_tests[0])
		snprintf(kut, sizeof(kut), " nestbench.kut=%llu", l->kut.size);
	arg(a, "%s", l->qemu);
	arg(a, "-name"); arg(a, "nestbench-L1");
	arg(a, "-machine"); arg(a, "q35");
	/* TCG: one host thread for all of L1's vCPUs, and a large translation cache.  With a
	 * thread per vCPU (QEMU 7.2) L1 wedged now and then when its kernel patched its own
	 * code (static keys: KVM flips some when L1 creates or destroys L2's VM): a vCPU kept
	 * running a stale translation of an int3 no longer in memory, looping in the int3
	 * handler with interrupts off (images/README.md, "Why L1 hung").  -cpu max offers
	 * SVM (or VMX) to L1, so L1 runs L2 with KVM. */
	arg(a, "-accel"); arg(a, "%s", tcg ? "tcg,thread=multi,tb-size=512" : "kvm");
	arg(a, "-cpu"); arg(a, "%s", tcg ? "max" : "host");
	arg(a, "-smp"); arg(a, "%d", c->l1_vcpus);
	arg(a, "-m"); arg(a, "%d", c->l1_memory_mib);
	arg(a, "-nodefaults"); arg(a, "-no-user-config");
	arg(a, "-display"); arg(a, "none"); arg(a, "-vga"); arg(a, "none"); arg(a, "-no-reboot");
	arg(a, "-kernel"); arg(a, "%s/vmlinuz", l->p->images);
	arg(a, "-initrd"); arg(a, "%s/l1.cpio", l->p->images);
	/* L1's init gives L2 L2_TRIES attempts of a share of boot_timeout_s each. */
	arg(a, "-append");
	arg(a, "console=ttyS0 panic=-1 loglevel=4 nestbench.l0=%s nestbench.l2=%d,%d,%d "
	    "nestbench.l2_watch=%d,%d%s%s%s%s%s", l->transport, c->l2_vcpus, c->l2_memory_mib, c->l2_cid,
	    L2_TRIES, c->boot_timeout_s / L2_TRIES > 0 ? c->boot_timeout_s / L2_TRIES : 1,
	    l->l2_fail[0] ? " nestbench.l2_fail=" : "", l->l2_fail,
	    c->l2_hyperv ? " nestbench.l2_hv=" L2_HV_FLAGS : "", kut, l->l3_cmdline);
	arg(a, "-serial"); arg(a, "file:%s/l1-console.log", d);
	arg(a, "-device"); arg(a, "virtio-serial-pci");
	if (strcmp(l->transport, "vsock") == 0) {
		arg(a, "-device"); arg(a, "vhost-vsock-pci,guest-cid=%d", c->l2_cid);
	} else {
		/* Three agent ports, as a virtio-serial port carries one session at a time:
		 * the harness's session with L1, one beside it (counting L2's exits while L2
		 * runs) and one that relays to L2, so that L1 and L2 stay connected together
		 * and a campaign can interleave them. */
		snprintf(spec, sizeof(spec), "socket,path=%s/l1-agent.sock,server=on,wait=off", d);
		port(a, "agent0", spec, "org.nestbench.agent.0");
		snprintf(spec, sizeof(spec), "socket,path=%s/l1-agent-aux.sock,server=on,wait=off", d);
		port(a, "agent1", spec, "org.nestbench.agent.1");
		snprintf(spec, sizeof(spec), "socket,path=%s/l1-agent-relay.sock,server=on,wait=off", d);
		port(a, "agent2", spec, "org.nestbench.agent.2");
	}
	l3_l1_ports(l, a);
	/* L2's console crosses L1 to a file here, so a failed L2 boot can be shown. */
	snprintf(spec, sizeof(spec), "file,path=%s/l2-console.log", d);
	port(a, "l2con", spec, "org.nestbench.console.l2");
	arg(a, "-drive"); arg(a, "file=%s/l1-scratch.img,if=virtio,format=raw,cache=none", d);
	arg(a, "-drive"); arg(a, "file=%s/l2-scratch.img,if=virtio,format=raw,cache=none", d);
	/* kvm-unit-tests' targets of MMIO and port I/O exits (exit.k.mmio.*, exit.mmio.*,
	 * exit.k.pio.*): pci-testdev (BARs with and without ioeventfds) and the ISA
	 * debug-exit port, whose reads QEMU answers; a write to 0xf4-0xf7 ends QEMU. */
	arg(a, "-device"); arg(a, "pci-testdev");
	arg(a, "-device"); arg(a, "isa-debug-exit,iobase=0xf4,iosize=0x4");
	if (c->kvm_unit_tests[0])
		kut_argv(l, a);
	/* For a post-mortem of a guest that stopped answering: `info registers -a` there
	 * shows where each vCPU is. */
	arg(a, "-monitor"); arg(a, "unix:%s/l1-monitor.sock,server=on,wait=off", d);
	arg(a, "-pidfile"); arg(a, "%s/l1.pid", d);
	arg(a, "-daemonize");
}

static int start_l1(struct lab *l, char *err)
{
	struct args a = { .n = 0 };
	struct nb_proc_out o;
	char herr[NB_ERR_LEN], pidfile[PATH_MAX], con[PATH_MAX];

	lab_file(l->p, "l1-console.log", con, sizeof(con));
	unlink(con);
	lab_file(l->p, "l2-console.log", con, sizeof(con));
	unlink(con);
	l1_argv(l, &a);
	if (nb_proc_run(a.v, &o, herr)) {
		snprintf(err, ERR_LEN, "cannot run %s: %s", l->qemu, herr);
		return -1;
	}
	if (o.status) {
		snprintf(err, ERR_LEN, "QEMU could not start L1 (status %d): %.300s", o.status,
			 o.err && o.err[0] ? o.err : "no message");
		nb_proc_out_free(&o);
		return -1;
	}
	nb_proc_out_free(&o);
	lab_file(l->p, "l1.pid", pidfile, sizeof(pidfile));
	char *t = nb_file_read(pidfile, 0, NULL, NULL);
	l->pid = t ? (pid_t)atoi(t) : 0;
	free(t);
	if (l->pid <= 0) {
		snprintf(err, ERR_LEN, "QEMU started but wrote no pid to %s", pidfile);
		return -1;
	}
	return 0;
}

/* hello with the L1 agent, then (when to_l2) relay to L2 and hello there. */
static int hello_chain(const char *l1, const char *l2, int timeout_ms, char *err)
{
	struct nb_client c;
	char herr[NB_ERR_LEN];
	cJSON *r = NULL;
	int rc = -1;

	if (nb_client_connect(&c, l1, timeout_ms, herr)) {
		snprintf(err, ERR_LEN, "L1: its agent at %s: %s", l1, herr);
		return -1;
	}
	c.timeout_ms = timeout_ms;
	if (nb_client_hello(&c, NULL, &r, herr))
		snprintf(err, ERR_LEN, "L1: its agent at %s: hello: %s", l1, herr);
	else if (l2 && nb_client_relay(&c, l2, NULL, herr))
		snprintf(err, ERR_LEN, "L2: its agent at %s, through L1: %s", l2, herr);
	else if (l2 && (cJSON_Delete(r), r = NULL, nb_client_hello(&c, NULL, &r, herr)))
		snprintf(err, ERR_LEN, "L2: its agent at %s: hello: %s", l2, herr);
	else
		rc = 0;
	cJSON_Delete(r);
	if (rc == 0)
		nb_client_bye(&c, herr);
	nb_client_close(&c);
	return rc;
}

static int file_has(const char *path, const char *needle)
{
	char *text = nb_file_read(path, 0, NULL, NULL);
	int has = text && strstr(text, needle);

	free(text);
	return has;
}

/* The last line of a file that contains needle, and after it also (NULL: anything),
 * without what precedes needle; 0 if there is none. */
static int last_line_with(const char *path, const char *needle, const char *also, char *buf,
			  size_t len)
{
	char *text = nb_file_read(path, 0, NULL, NULL);
	char *save = NULL;
	const char *found = NULL;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(l, needle);
		if (at && (!also || strstr(at, also)))
			found = at;
	}
	if (found)
		snprintf(buf, len, "%s", found);
	free(text);
	return found != NULL;
}

/* The text after prefix up to the end of its line, without the serial console's "\r". */
static void rest_of_line(const char *line, const char *prefix, char *buf, size_t len)
{
	const char *s = line + strlen(prefix);

	snprintf(buf, len, "%.*s", (int)strcspn(s, "\r\n"), s);
}

/* lab.l2.hyperv: what L1's init said about L2's enlightenments (images/init-l1.sh,
 * l2_cpu_hyperv): "HV_ON LIST; refused by L1's KVM: LIST" ("none" for an empty list),
 * after a line "HV_REFUSES FLAG (QEMU's message)" per refusal.  hv_reported stays 0 when
 * it said nothing (an image from before lab.l2.hyperv). */
static void read_hv_report(struct lab *l, const char *con1)
{
	static const char refused_by[] = "; refused by L1's KVM: ";
	char line[1024], *cut;
	char *text, *save = NULL;

	l->hv_reported = last_line_with(con1, HV_ON, NULL, line, sizeof(line));
	if (!l->hv_reported)
		return;
	rest_of_line(line, HV_ON, l->hv_on, sizeof(l->hv_on));
	l->hv_refused[0] = '\0';
	if ((cut = strstr(l->hv_on, refused_by))) {
		snprintf(l->hv_refused, sizeof(l->hv_refused), "%s", cut + strlen(refused_by));
		*cut = '\0';
	}
	if (strcmp(l->hv_on, "none") == 0)
		l->hv_on[0] = '\0';
	if (strcmp(l->hv_refused, "none") == 0)
		l->hv_refused[0] = '\0';
	l->hv_why[0] = '\0';
	text = nb_file_read(con1, 0, NULL, NULL);
	for (char *s = text ? strtok_r(text, "\n", &save) : NULL; s; s = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(s, HV_REFUSES);
		size_t n = strlen(l->hv_why);
		if (at) {
			rest_of_line(at, HV_REFUSES, line, sizeof(line));
			snprintf(l->hv_why + n, sizeof(l->hv_why) - n, "%s%s", n ? "; " : "", line);
		}
	}
	free(text);
}

/* What L1's init said about L2 (every line that starts with L2_MARK, the last n). */
static void print_l2_lines(FILE *f, const char *con1, int n)
{
	char *text = nb_file_read(con1, 0, NULL, NULL);
	char *save = NULL;
	int total = 0, i = 0;

	for (const char *c = text; c && (c = strstr(c, L2_MARK)); c++)
		total++;
	fprintf(f, "  --- what L1's init said about L2 (%s) ---\n", con1);
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		const char *at = strstr(l, L2_MARK);
		if (at && i++ >= total - n)
			fprintf(f, "  | %s\n", at);
	}
	if (total == 0)
		fprintf(f, "  | (nothing: L1's init did not get as far as starting L2)\n");
	free(text);
}

static void progress(const struct lab *l, const char *what, double t0)
{
	if (l->tty) {
		fprintf(l->out, "\rlab: booting %s ... %.0f s ", what, nb_mono_s() - t0);
		fflush(l->out);
	}
}

/* Did L1's kernel panic?  Not a line of L2's console that L1's init quoted. */
static int l1_panicked(const char *con1)
{
	char *text = nb_file_read(con1, 0, NULL, NULL);
	char *save = NULL;
	int panic = 0;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
		panic |= strstr(l, "Kernel panic") && !strstr(l, L2_MARK);
	free(text);
	return panic;
}

/* Is L1 still running, its kernel alive?  -1 with err naming L1 otherwise. */
static int l1_alive(const struct lab *l, const char *con1, const char *doing, char *err)
{
	if (l1_panicked(con1)) {
		snprintf(err, ERR_LEN, "L1: the guest kernel panicked %s", doing);
		return -1;
	}
	if (kill(l->pid, 0) != 0) {
		snprintf(err, ERR_LEN, "L1: QEMU (pid %d) exited %s", (int)l->pid, doing);
		return -1;
	}
	return 0;
}

static int silent_s(const struct nb_lab_cfg *cfg)
{
	return cfg->boot_timeout_s / 3 > L1_SILENT_S ? cfg->boot_timeout_s / 3 : L1_SILENT_S;
}

/* Has the console grown since *size?  (*since: when it last did.) */
static int console_quiet(const char *con, off_t *size, double *since, int limit_s)
{
	struct stat st;

	if (stat(con, &st) == 0 && st.st_size != *size) {
		*size = st.st_size;
		*since = nb_mono_s();
	}
	return nb_mono_s() - *since > limit_s;
}

/* Wait until L1's agent listens (its console says so), at most boot_timeout_s from t0,
 * QEMU's start. */
static int wait_l1(struct lab *l, const char *con1, double t0, char *err)
{
	double end = t0 + l->cfg->boot_timeout_s, since = t0;
	off_t size = -1;

	for (;;) {
		if (file_has(con1, "listening on"))
			return 0;
		if (l1_alive(l, con1, "during its boot", err))
			return -1;
		if (console_quiet(con1, &size, &since, silent_s(l->cfg))) {
			snprintf(err, ERR_LEN, "L1: its console was silent for %d s during its boot",
				 silent_s(l->cfg));
			l->wedged = 1;
			return -1;
		}
		if (nb_mono_s() > end) {
			snprintf(err, ERR_LEN, "L1: its agent did not start within %d s (lab.boot_timeout_s)",
				 l->cfg->boot_timeout_s);
			l->wedged = 1;
			return -1;
		}
		progress(l, "L1", t0);
		sleep_ms(200);
	}
}

/* Wait until L2's agent listens (L2's console, which crosses L1 to a file here) while
 * L1's init starts it, retrying (images/init-l1.sh).  L1's init says when its attempts
 * are spent; lab up waits at most boot_timeout_s plus a margin from t1, L1's agent
 * answering.  -1 with err naming the guest at fault. */
static int wait_l2(struct lab *l, const char *l1, const char *con1, const char *con2, double t1,
		   char *err)
{
	double end = t1 + l->cfg->boot_timeout_s + L2_REPORT_MARGIN_S, since = t1;
	char gave[200], why[200], herr[ERR_LEN];
	off_t size = -1;

	for (;;) {
		if (file_has(con2, "listening on"))
			return 0;
		if (console_quiet(con1, &size, &since, silent_s(l->cfg))) {
			if (hello_chain(l1, NULL, 10000, herr)) {
				snprintf(err, ERR_LEN, "L1: stopped answering while it started L2 (its console "
					 "silent for %d s, its agent for 10 s)", silent_s(l->cfg));
				l->wedged = 1;
				return -1;
			}
			since = nb_mono_s();
		}
		if (last_line_with(con1, L2_MARK "gave up", NULL, gave, sizeof(gave))) {
			/* "gave up after 3 attempts (12 s); ..." and "attempt 3 of 3 failed: WHY" */
			const char *w = last_line_with(con1, L2_MARK "attempt ", " failed: ", why,
						       sizeof(why)) ? strstr(why, " failed: ") : NULL;
			gave[strcspn(gave, ";")] = '\0';
			snprintf(err, ERR_LEN, "L2: its agent did not start: L1's init %s; the last "
				 "attempt: %s (each attempt may take a third of lab.boot_timeout_s)",
				 gave + strlen(L2_MARK), w ? w + 9 : "none was made");
			return -1;
		}
		if (l1_alive(l, con1, "while it was starting L2", err))
			return -1;
		if (nb_mono_s() > end) {
			snprintf(err, ERR_LEN, "L2: its agent did not start within %d s of L1's, and L1's "
				 "init reported no outcome (lab.boot_timeout_s)",
				 l->cfg->boot_timeout_s + L2_REPORT_MARGIN_S);
			return -1;
		}
		progress(l, "L2", t1);
		sleep_ms(200);
	}
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;

	for (const char *c = text; c && (c = strstr(c, needle)); c += strlen(needle))
		n++;
	return n;
}

/* Over virtio-serial L1's agent sees a relayed session end only when L2's side of the
 * relay closes: a client that connects at once could have its hello relayed into the
 * ending session, and wait for a reply that never comes.  So after a relay, wait (at
 * most 5 s) until L1's console shows every session closed. */
static void wait_sessions_closed(const char *l1, const char *con1)
{
	double end = nb_mono_s() + 5;

	while (strncmp(l1, "serial:", 7) == 0 && nb_mono_s() < end) {
		char *text = nb_file_read(con1, 0, NULL, NULL);
		int open = count_of(text, ": open from "), closed = count_of(text, ": closed");
		free(text);
		if (closed >= open)
			return;
		sleep_ms(50);
	}
}

/* L2 failed but L1 may be fine: say which, since the fix differs.  Appends to err. */
static void add_l1_health(const char *l1, char *err)
{
	char herr[ERR_LEN], msg[ERR_LEN];
	size_t n = strlen(err);

	if (hello_chain(l1, NULL, 10000, herr) == 0)
		snprintf(msg, sizeof(msg), "; L1's agent still answers");
	else
		snprintf(msg, sizeof(msg), "; L1's agent does not answer either (%s)", herr);
	snprintf(err + n, ERR_LEN - n, "%s", msg);
}

/* ---- L3 (lab.l3: KVM inside L2) ---------------------------------------------------------
 * L1's kernel command line carries nestbench.l3=cpus,mem,cid to L1's init, which passes
 * it on to L2's; L2's init boots L3 under the same watchdog as L1's boots L2
 * (images/init-common.sh) and writes what it does, and L3's console prefixed "L3| ", on
 * its own console: l2-console.log here.  Over virtio-serial L1 gets three more agent
 * ports (one session each): the relay to L3, the session counting L2's VM while L3 runs
 * and the relay to L2 of the session counting L3's VM there. */
#define L3_MARK "nestbench-init: L3: "
static const char *const l3_ports[] = { "relay3", "aux3", "relay3x" };

static void l3_port_address(const struct nb_lab_paths *p, const char *transport, int i, char *buf,
			    size_t len)
{
	if (strcmp(transport, "vsock") == 0)
		buf[0] = '\0';      /* vsock: the main address serves every session */
	else
		snprintf(buf, len, "serial:%s/l1-agent-%s.sock", p->dir, l3_ports[i]);
}

static void l3_l1_ports(const struct lab *l, struct args *a)
{
	char spec[PATH_MAX + 64], id[16], name[40];

	if (!l->cfg->l3_cid || strcmp(l->transport, "vsock") == 0)
		return;
	for (int i = 0; i < 3; i++) {
		snprintf(spec, sizeof(spec), "socket,path=%s/l1-agent-%s.sock,server=on,wait=off", l->p->dir,
			 l3_ports[i]);
		snprintf(id, sizeof(id), "agent%d", i + 3);
		snprintf(name, sizeof(name), "org.nestbench.agent.%d", i + 3);
		port(a, id, spec, name);
	}
}

/* state.json: L1's extra ports and the L3 guest. */
static void l3_state(const struct lab *l, cJSON *s)
{
	char key[32], addr[PATH_MAX];
	cJSON *g = cJSON_GetObjectItemCaseSensitive(s, "L1");

	if (!l->cfg->l3_cid)
		return;
	for (int i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "%s_address", l3_ports[i]);
		l3_port_address(l->p, l->transport, i, addr, sizeof(addr));
		cJSON_AddStringToObject(g, key, addr);
	}
	snprintf(addr, sizeof(addr), "vsock:%d:%d", l->cfg->l3_cid, AGENT_PORT);
	add_nested(s, "L3", addr,
		   strcmp(l->accel, "kvm") == 0 ? "KVM inside L2, L2 under KVM inside L1, L1 under KVM"
						 : "KVM inside L2, L2 under KVM inside L1, L1 emulated by TCG",
		   "vsock (vhost-vsock-pci in L2)", l->cfg->l3_vcpus, l->cfg->l3_memory_mib,
		   l->cfg->l3_cid);
}

/* hello with each agent along the path: the first directly, each next one relayed
 * through the previous.  -1 with err naming the guest (L1, L2, L3) that did not answer. */
static int hello_path(const char *const hops[], int n, int timeout_ms, char *err)
{
	struct nb_client c;
	char herr[NB_ERR_LEN];
	cJSON *r = NULL;
	int i = 0, rc = 0;

	if (nb_client_connect(&c, hops[0], timeout_ms, herr)) {
		snprintf(err, ERR_LEN, "L1: its agent at %s: %s", hops[0], herr);
		return -1;
	}
	c.timeout_ms = timeout_ms;
	for (; i < n && rc == 0; i++) {
		if (i > 0 && nb_client_relay(&c, hops[i], NULL, herr)) {
			snprintf(err, ERR_LEN, "L%d: its agent at %s, through L%d: %s", i + 1, hops[i], i, herr);
			rc = -1;
		} else if (nb_client_hello(&c, NULL, &r, herr)) {
			snprintf(err, ERR_LEN, "L%d: its agent at %s: hello: %s", i + 1, hops[i], herr);
			rc = -1;
		}
		cJSON_Delete(r);
		r = NULL;
	}
	if (rc == 0)
		nb_client_bye(&c, herr);
	nb_client_close(&c);
	return rc;
}

/* What L2's init wrote about L3 and L3's console (l2-console.log): the last n lines. */
static void print_l3_lines(FILE *f, const char *con2, int n)
{
	char *text = nb_file_read(con2, 0, NULL, NULL);
	char *save = NULL;
	int total = 0, i = 0;

	for (const char *c = text; c && (c = strstr(c, "nestbench-init: L3")); c++)
		total++;
	fprintf(f, "  --- what L2's init said about L3, and L3's console (%s) ---\n", con2);
	for (char *ln = text ? strtok_r(text, "\n", &save) : NULL; ln; ln = strtok_r(NULL, "\n", &save)) {
		const char *at = strstr(ln, "nestbench-init: L3");
		if (at && i++ >= total - n)
			fprintf(f, "  | %s\n", at);
	}
	if (total == 0)
		fprintf(f, "  | (nothing: L2's init did not start L3; an image without L3 support? "
			"rebuild it with `make images`)\n");
	free(text);
}

/* Wait until L2's init says L3 is up (or gave up), then hello through both relays.
 * t2: when L2 answered; L2's init gives L3 L2_TRIES attempts of a share of
 * boot_timeout_s, as L1's does L2.  -1 with err (and l->failed = 3). */
static int boot_l3(struct lab *l, const char *l2, const char *con1, const char *con2, double t2,
		   char *err)
{
	double end = t2 + l->cfg->boot_timeout_s + L2_REPORT_MARGIN_S;
	char relay3[PATH_MAX], l1[PATH_MAX], aux[PATH_MAX], relay[PATH_MAX], l2_[PATH_MAX], l3[64];
	char line[300];

	l->failed = 3;
	addresses(l->p, l->transport, l->cfg->l2_cid, l1, aux, relay, l2_, sizeof(l1));
	l3_port_address(l->p, l->transport, 0, relay3, sizeof(relay3));
	snprintf(l3, sizeof(l3), "vsock:%d:%d", l->cfg->l3_cid, AGENT_PORT);
	for (;;) {
		if (last_line_with(con2, L3_MARK "up:", NULL, line, sizeof(line)))
			break;
		if (last_line_with(con2, L3_MARK "gave up", NULL, line, sizeof(line))) {
			line[strcspn(line, "\r\n;")] = '\0';
			snprintf(err, ERR_LEN, "L3: its agent did not start: L2's init %s (each attempt "
				 "may take a third of lab.boot_timeout_s)", line + strlen(L3_MARK));
			return -1;
		}
		if (l1_alive(l, con1, "while L2 was starting L3", err)) {
			l->failed = 1;
			return -1;
		}
		if (nb_mono_s() > end) {
			snprintf(err, ERR_LEN, "L3: its agent did not start within %d s of L2's, and L2's "
				 "init reported no outcome (an image without L3 support? `make images`; "
				 "else lab.boot_timeout_s)", l->cfg->boot_timeout_s + L2_REPORT_MARGIN_S);
			return -1;
		}
		progress(l, "L3", t2);
		sleep_ms(200);
	}
	const char *const hops[] = { relay3[0] ? relay3 : l1, l2, l3 };
	if (hello_path(hops, 3, HELLO_TIMEOUT_MS, err)) {
		l->failed = strncmp(err, "L1:", 3) == 0 ? 1 : strncmp(err, "L2:", 3) == 0 ? 2 : 3;
		return -1;
	}
	wait_sessions_closed(l1, con1);
	return 0;
}

/* One boot of the lab: L1, then L2 (L1's init starts it).  -1 with err, l->failed
 * naming the guest at fault and l->wedged when L1 stopped answering. */
static int boot(struct lab *l, char *err)
{
	char l1[PATH_MAX], aux[PATH_MAX], relay[PATH_MAX], l2[PATH_MAX], con1[PATH_MAX];
	char con2[PATH_MAX];
	double t0 = nb_mono_s(), t1;

	addresses(l->p, l->transport, l->cfg->l2_cid, l1, aux, relay, l2, sizeof(l1));
	lab_file(l->p, "l1-console.log", con1, sizeof(con1));
	lab_file(l->p, "l2-console.log", con2, sizeof(con2));
	l->failed = 1;
	l->wedged = 0;
	l->hv_reported = 0;
	if (start_l1(l, err) || write_state(l, err))
		return -1;
	if (wait_l1(l, con1, t0, err))
		return -1;
	if (hello_chain(l1, NULL, HELLO_TIMEOUT_MS, err)) {
		l->wedged = 1;
		return -1;
	}
	t1 = nb_mono_s();
	l->boot_s[0] = t1 - t0;
	fprintf(l->out, "%slab: L1 answered after %.1f s; waiting for L2 (L1 starts it, at most %d "
		"times)\n", l->tty ? "\r" : "", l->boot_s[0], L2_TRIES);
	fflush(l->out);
	if (wait_l2(l, l1, con1, con2, t1, err)) {
		l->failed = strncmp(err, "L1:", 3) == 0 ? 1 : 2;
		return -1;
	}
	/* Through the port campaigns relay through, so that it is known to work. */
	if (hello_chain(relay[0] ? relay : l1, l2, HELLO_TIMEOUT_MS, err)) {
		l->failed = strncmp(err, "L1:", 3) == 0 ? 1 : 2;
		l->wedged = l->failed == 1;     /* L1's agent answered before, and now not */
		return -1;
	}
	l->boot_s[1] = nb_mono_s() - t0;
	if (l->cfg->l2_hyperv) {
		read_hv_report(l, con1);
		if (write_state(l, err))
			return -1;
	}
	wait_sessions_closed(l1, con1);
	if (l->cfg->l3_cid && boot_l3(l, l2, con1, con2, nb_mono_s(), err))
		return -1;
	l->boot_s[2] = nb_mono_s() - t0;
	if (l->tty)
		fprintf(l->out, "\r%40s\r", "");
	return 0;
}

/* The consoles of the guest at fault, and for L2 whether L1 still answers (while the
 * guests still run). */
static void report_failure(const struct lab *l, char *err)
{
	char l1[PATH_MAX], aux[PATH_MAX], relay[PATH_MAX], l2[PATH_MAX], con1[PATH_MAX];
	char con2[PATH_MAX];

	addresses(l->p, l->transport, l->cfg->l2_cid, l1, aux, relay, l2, sizeof(l1));
	lab_file(l->p, "l1-console.log", con1, sizeof(con1));
	lab_file(l->p, "l2-console.log", con2, sizeof(con2));
	if (l->tty)
		fputc('\n', l->out);
	if (l->failed == 3) {
		print_l3_lines(stderr, con2, CONSOLE_TAIL);
		add_l1_health(l1, err);
	} else if (l->failed == 2) {
		print_tail(stderr, "L2 console", con2, CONSOLE_TAIL);
		print_l2_lines(stderr, con1, 20);
		add_l1_health(l1, err);
	} else {
		print_tail(stderr, "L1 console", con1, CONSOLE_TAIL);
	}
}

/* Keep the consoles of a boot that is tried again: l1-console.boot1.log, ... */
static void keep_consoles(const struct nb_lab_paths *p, int n)
{
	static const char *const names[] = { "l1-console", "l2-console" };
	char from[PATH_MAX], to[PATH_MAX + 16];

	for (int i = 0; i < 2; i++) {
		lab_file(p, names[i], from, sizeof(from));
		snprintf(to, sizeof(to), "%s.boot%d.log", from, n);
		strcat(from, ".log");
		rename(from, to);
	}
}

/* Boot the lab, and once more when L1 stopped answering.  0, or -1 with err (the
 * guests are stopped then). */
static int boot_with_retry(struct lab *l, char *err)
{
	size_t n;

	for (int boots = 1;; boots++) {
		if (boot(l, err) == 0)
			return 0;
		if (!l->wedged || boots == LAB_BOOTS) {
			report_failure(l, err);
			stop_recorded(l->p);
			n = strlen(err);
			if (boots > 1)
				snprintf(err + n, ERR_LEN - n, " (boot %d of %d; the earlier consoles are "
					 "l1-console.boot*.log)", boots, LAB_BOOTS);
			return -1;
		}
		stop_recorded(l->p);
		keep_consoles(l->p, boots);
		fprintf(l->out, "%slab: %s; booting the lab again (%d of %d)\n", l->tty ? "\n" : "",
			err, boots + 1, LAB_BOOTS);
		if (copy_scratch(l, err))
			return -1;
	}
}

/* ---- where the lab's files are ---------------------------------------------------------
 * Run from a build tree, the lab lives beside the binary (build/lab, build/images: `make
 * images`).  Installed, the binary's directory is not writable: the lab and the images
 * go to the user's cache, and the image recipes are read from DATADIR. */

/* The DATADIR nestbench was built for (mk/install.mk passes it to this file only). */
#ifndef NB_DATADIR
#define NB_DATADIR "/usr/local/share/nestbench"
#endif

/* The binary's directory, and whether it is a build tree (make's objects, $(BUILD)/obj,
 * beside it).  Without /proc, "build" as before. */
static int self_dir(char *dir, size_t len)
{
	char obj[PATH_MAX + 8];
	struct stat st;

	if (nb_proc_self_dir(dir, len)) {
		snprintf(dir, len, "build");
		return 1;
	}
	snprintf(obj, sizeof(obj), "%s/obj", dir);
	return stat(obj, &st) == 0 && S_ISDIR(st.st_mode);
}

/* $XDG_CACHE_HOME/nestbench, ~/.cache/nestbench, or /tmp/nestbench-UID. */
static void user_cache_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%.*s/nestbench", PATH_MAX - 32, xdg);
	else if (home && home[0])
		snprintf(buf, len, "%.*s/.cache/nestbench", PATH_MAX - 32, home);
	else
		snprintf(buf, len, "/tmp/nestbench-%d", (int)getuid());
}

void nb_lab_default_paths(struct nb_lab_paths *p)
{
	char dir[PATH_MAX];

	if (!self_dir(dir, sizeof(dir)))
		user_cache_dir(dir, sizeof(dir));
	snprintf(p->dir, sizeof(p->dir), "%.*s/lab", PATH_MAX - 8, dir);
	snprintf(p->images, sizeof(p->images), "%.*s/images", PATH_MAX - 8, dir);
}

/* The installed image recipe, images/build.sh: in the share/nestbench beside the binary's
 * bin/ (also a DESTDIR or moved tree), then in the DATADIR it was built for.  0 or -1
 * (buf then names where it looked). */
static int find_recipe(const char *dir, char *buf, size_t len)
{
	const char *slash = strrchr(dir, '/');
	int prefix = slash ? (int)(slash - dir) : 0;

	snprintf(buf, len, "%.*s/share/nestbench/images/build.sh", prefix, dir);
	if (access(buf, R_OK) == 0)
		return 0;
	snprintf(buf, len, "%s/images/build.sh", NB_DATADIR);
	if (access(buf, R_OK) == 0)
		return 0;
	snprintf(buf, len, "%.*s/share/nestbench/images/build.sh nor %s/images/build.sh", prefix,
		 dir, NB_DATADIR);
	return -1;
}

void nb_lab_images_hint(const char *images, char *buf, size_t len)
{
	char dir[PATH_MAX], recipe[2 * PATH_MAX];

	if (self_dir(dir, sizeof(dir)))
		snprintf(buf, len, "build them with `make images`");
	else if (find_recipe(dir, recipe, sizeof(recipe)) == 0)
		snprintf(buf, len, "build them with `sh %s %s %s/nestbench-agent` (it needs the "
			 "packages qemu-system-x86 busybox-static cpio e2fsprogs kmod and downloads "
			 "Debian's cloud kernel)", recipe, images, dir);
	else
		snprintf(buf, len, "the image recipes are not installed (neither %s exists): "
			 "reinstall nestbench (`make install` or the nestbench package)", recipe);
}

/* ---- commands ----------------------------------------------------------------------- */

/* NB_LAB_L2_FAIL (tests only, images/README.md): what L1's init does instead of starting
 * L2 at attempt 1, 2, ... ("hang", "exit"), so a test can make L2 fail on purpose. */
static int read_l2_fail(struct lab *l, char *err)
{
	const char *v = getenv("NB_LAB_L2_FAIL");
	size_t n = v ? strlen(v) : 0;

	for (size_t i = 0; i < n;) {
		size_t w = strcspn(v + i, ",");
		if (!((w == 4 && strncmp(v + i, "hang", 4) == 0) ||
		      (w == 4 && strncmp(v + i, "exit", 4) == 0)) || n >= sizeof(l->l2_fail)) {
			snprintf(err, ERR_LEN, "NB_LAB_L2_FAIL=\"%.64s\": a test setting, a list of up "
				 "to %d words hang or exit (e.g. hang,exit); unset it to start L2 normally",
				 v, (int)(sizeof(l->l2_fail) / 5));
			return -1;
		}
		i += w + 1;
	}
	snprintf(l->l2_fail, sizeof(l->l2_fail), "%s", v ? v : "");
	return 0;
}

static int prepare(struct lab *l, char *err)
{
	char sub[PATH_MAX];

	if (read_l2_fail(l, err))
		return -1;
	if (find_program("qemu-system-x86_64", l->qemu, sizeof(l->qemu))) {
		snprintf(err, ERR_LEN, "qemu-system-x86_64 is not installed: apt-get install "
			 "qemu-system-x86 (or `sh mk/deps.sh lab` as root)");
		return -1;
	}
	if (read_manifest(l, err))
		return -1;
	nb_mkdirs(l->p->dir);
	snprintf(sub, sizeof(sub), "%s/.", l->p->dir);
	if (access(sub, W_OK)) {
		snprintf(err, ERR_LEN, "lab directory %s is not writable: %s", l->p->dir, strerror(errno));
		return -1;
	}
	if (l->cfg->kvm_unit_tests[0] && nb_lab_kut_stage(l->cfg->kvm_unit_tests, l->p->dir, &l->kut, err))
		return -1;
	return copy_scratch(l, err);
}

static int lab_running(const struct nb_lab_paths *p)
{
	char path[PATH_MAX], pidfile[PATH_MAX];
	cJSON *s;
	int up;

	lab_file(p, "state.json", path, sizeof(path));
	lab_file(p, "l1.pid", pidfile, sizeof(pidfile));
	s = read_json(path);
	up = s && pid_is_ours((pid_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "pid")),
			      pidfile);
	cJSON_Delete(s);
	return up;
}

/* lab.l2.hyperv: say what L2 got.  An L1 whose init said nothing about it runs an image
 * from before lab.l2.hyperv: L2 would run without the enlightenments the campaign asks
 * for, so that is an error (the lab is stopped).  0, or -1 with err. */
static int hv_outcome(struct lab *l, char *err)
{
	if (!l->cfg->l2_hyperv)
		return 0;
	if (!l->hv_reported) {
		snprintf(err, ERR_LEN, "L2: lab.l2.hyperv is true but L1's init did not say which Hyper-V "
			 "enlightenments L2 got: the guest images in %s are older than lab.l2.hyperv; "
			 "rebuild them with `make images`", l->p->images);
		stop_recorded(l->p);
		return -1;
	}
	fprintf(l->out, "lab: L2 with Hyper-V enlightenments: %s", l->hv_on[0] ? l->hv_on : "none");
	if (l->hv_refused[0])
		fprintf(l->out, "; refused by L1's KVM: %s (%s)", l->hv_refused, l->hv_why);
	fputc('\n', l->out);
	return 0;
}

int nb_lab_up(const struct nb_lab_cfg *cfg, const struct nb_lab_paths *p, FILE *out,
	      char err[NB_ERR_LEN])
{
	struct lab l = { .cfg = cfg, .p = p, .out = out, .tty = isatty(fileno(out)) };

	if (lab_running(p)) {
		fprintf(out, "lab: already up (nestbench lab status; nestbench lab down to stop it)\n");
		return 0;
	}
	if (stop_recorded(p))
		fprintf(out, "lab: stopped the guests a previous lab left running\n");
	if (prepare(&l, err))
		return 2;
	probe_accel(&l);
	probe_transport(&l);
	if (strcmp(cfg->l1_accelerator, "kvm") == 0 && strcmp(l.accel, "kvm")) {
		snprintf(err, ERR_LEN, "lab.l1.accelerator is \"kvm\" but %s (\"auto\" falls back "
			 "to TCG)", l.accel_why);
		return 2;
	}
	if (strcmp(cfg->l1_transport, "vsock") == 0 && strcmp(l.transport, "vsock")) {
		snprintf(err, ERR_LEN, "lab.l1.transport is \"vsock\" but %s (\"auto\" falls back "
			 "to virtio-serial)", l.transport_why);
		return 2;
	}
	fprintf(out, "lab: L1 accelerator %s (%s)\n", strcmp(l.accel, "kvm") ? "TCG" : "KVM", l.accel_why);
	fprintf(out, "lab: L0 <-> L1 over %s (%s); L1 <-> L2 over vsock, CID %d\n",
		strcmp(l.transport, "vsock") ? "virtio-serial on a UNIX socket" : "vsock",
		l.transport_why, cfg->l2_cid);
	if (cfg->l3_cid) {
		snprintf(l.l3_cmdline, sizeof(l.l3_cmdline), " nestbench.l3=%d,%d,%d nestbench.l3_watch=%d,%d",
			 cfg->l3_vcpus, cfg->l3_memory_mib, cfg->l3_cid, L2_TRIES,
			 cfg->boot_timeout_s / L2_TRIES > 0 ? cfg->boot_timeout_s / L2_TRIES : 1);
		fprintf(out, "lab: L3 under KVM inside L2, reached through L1 and L2; L2 <-> L3 over "
			"vsock, CID %d\n", cfg->l3_cid);
	}
	if (boot_with_retry(&l, err) || hv_outcome(&l, err))
		return 2;
	fprintf(out, "lab: up: L1 (%s, %d vCPUs, %d MiB) answered after %.1f s, L2 (KVM, %d vCPUs, "
		"%d MiB) after %.1f s; image %s, kernel %s\n",
		strcmp(l.accel, "kvm") ? "TCG" : "KVM", cfg->l1_vcpus, cfg->l1_memory_mib, l.boot_s[0],
		cfg->l2_vcpus, cfg->l2_memory_mib, l.boot_s[1], l.image_id, l.kernel);
	if (cfg->l3_cid)
		fprintf(out, "lab: up: L3 (KVM inside L2, %d vCPUs, %d MiB) answered after %.1f s\n",
			cfg->l3_vcpus, cfg->l3_memory_mib, l.boot_s[2]);
	return 0;
}

int nb_lab_down(const struct nb_lab_paths *p, FILE *out, char err[NB_ERR_LEN])
{
	(void)err;
	if (stop_recorded(p))
		fprintf(out, "lab: stopped (console logs kept in %s)\n", p->dir);
	else
		fprintf(out, "lab: nothing was running\n");
	return 0;
}

/* lab.l2.hyperv, as the state records it (add_hyperv); nothing when not asked for. */
static void print_hyperv(FILE *out, const cJSON *hv)
{
	const char *on = nb_json_str(hv, "enabled", NULL), *refused = nb_json_str(hv, "refused", "");

	if (!cJSON_IsObject(hv))
		return;
	fprintf(out, "  L2: Hyper-V enlightenments: %s%s%s\n",
		!on ? "not reported yet (L2 is starting)" : on[0] ? on : "none",
		refused[0] ? "; refused by L1's KVM: " : "", refused);
}

/* lab.l3 in `lab status`: 0 when there is no L3 or its agent answers through L1 and L2. */
static int status_l3(const cJSON *s, FILE *out)
{
	const cJSON *g1 = cJSON_GetObjectItemCaseSensitive(s, "L1"), *g3 = cJSON_GetObjectItemCaseSensitive(s, "L3");
	const char *via = nb_json_str(g1, "relay3_address", "");
	char herr[ERR_LEN];

	if (!g3)
		return 0;
	const char *const hops[] = { via[0] ? via : nb_json_str(g1, "address", ""),
				     nb_json_str(cJSON_GetObjectItemCaseSensitive(s, "L2"), "address", ""),
				     nb_json_str(g3, "address", "") };
	fprintf(out, "  L3: %s via L2, accelerator %s (%s)\n", hops[2], nb_json_str(g3, "accelerator", ""),
		nb_json_str(g3, "accelerator_reason", ""));
	if (hello_path(hops, 3, 10000, herr)) {
		fprintf(out, "  L3's agent does not answer: %s\n", herr);
		return 1;
	}
	fprintf(out, "  L3's agent answers (through L1 and L2)\n");
	return 0;
}

int nb_lab_status(const struct nb_lab_paths *p, FILE *out)
{
	char path[PATH_MAX], herr[ERR_LEN];
	cJSON *s, *g1, *g2;
	int rc = 1;

	lab_file(p, "state.json", path, sizeof(path));
	s = read_json(path);
	if (!s || !lab_running(p)) {
		fprintf(out, "lab: down%s\n", s ? " (a stale state file: nestbench lab down removes it)" : "");
		cJSON_Delete(s);
		return 1;
	}
	g1 = cJSON_GetObjectItemCaseSensitive(s, "L1");
	g2 = cJSON_GetObjectItemCaseSensitive(s, "L2");
	fprintf(out, "lab: up since %s, QEMU pid %d, image %s, kernel %s\n", nb_json_str(s, "started_utc", ""),
		(int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "pid")),
		nb_json_str(s, "image_id", ""), nb_json_str(s, "kernel", ""));
	fprintf(out, "  L1: %s, accelerator %s (%s)\n", nb_json_str(g1, "address", ""), nb_json_str(g1, "accelerator", ""),
		nb_json_str(g1, "accelerator_reason", ""));
	fprintf(out, "  L2: %s via L1, accelerator %s (%s)\n", nb_json_str(g2, "address", ""),
		nb_json_str(g2, "accelerator", ""), nb_json_str(g2, "accelerator_reason", ""));
	print_hyperv(out, cJSON_GetObjectItemCaseSensitive(g2, "hyperv"));
	/* Each guest on its own: a lab whose L2 failed still has an L1 worth knowing about. */
	if (hello_chain(nb_json_str(g1, "address", ""), NULL, 10000, herr)) {
		fprintf(out, "  L1's agent does not answer: %s\n", herr);
	} else {
		fprintf(out, "  L1's agent answers\n");
		const char *via = nb_json_str(g1, "relay_address", "");
		if (hello_chain(via[0] ? via : nb_json_str(g1, "address", ""),
				nb_json_str(g2, "address", ""), 10000, herr)) {
			fprintf(out, "  L2's agent does not answer: %s\n", herr);
		} else {
			fprintf(out, "  L2's agent answers (through L1): both agents answer\n");
			rc = status_l3(s, out);
		}
		lab_file(p, "l1-console.log", path, sizeof(path));
		wait_sessions_closed(nb_json_str(g1, "address", ""), path);
	}
	cJSON_Delete(s);
	return rc;
}

int nb_lab_resolve(const char *lab_dir, const char *address, char *real, size_t len,
		   cJSON **info, char err[NB_ERR_LEN])
{
	struct nb_lab_paths p;
	char path[PATH_MAX];
	char name[16], port_key[32];
	const char *key = "address";
	cJSON *s, *g;

	*info = NULL;
	snprintf(p.dir, sizeof(p.dir), "%s", lab_dir);
	lab_file(&p, "state.json", path, sizeof(path));
	s = read_json(path);
	if (!s || !lab_running(&p)) {
		snprintf(err, ERR_LEN, "the lab is not running (no live %s): start it with `nestbench "
			 "lab up CONFIG` (or `make demo`)", path);
		cJSON_Delete(s);
		return -1;
	}
	/* "lab:L1.aux": L1's second agent port, a session beside the harness's (counting
	 * L2's exits on L1 while L2 runs); "lab:L1.relay": the third, through which L2 is
	 * reached.  Over virtio-serial each port carries one session at a time. */
	snprintf(name, sizeof(name), "%s", address + 4);
	if (strncmp(name, "L1.", 3) == 0) {   /* lab.l3 adds L1.relay3, L1.aux3, L1.relay3x */
		snprintf(port_key, sizeof(port_key), "%s_address", name + 3);
		key = port_key;
		name[2] = '\0';
	}
	g = cJSON_GetObjectItemCaseSensitive(s, name);
	if (!g || !nb_json_str(g, key, "")[0]) {
		/* vsock carries any number of sessions: the main address serves as aux and
		 * relay (and a lab started before the relay port existed has none). */
		if (g && strcmp(key, "address") != 0 && nb_json_str(g, "address", "")[0])
			key = "address";
		else {
			snprintf(err, ERR_LEN, "%s: no guest %s in %s%s", address, name, path,
				 strcmp(name, "L3") == 0 ? " (this lab runs without L3: stop it with `nestbench "
				 "lab down` and start it with the campaign's lab.l3, e.g. `nestbench lab up "
				 "configs/lab-l3.json`)" : "");
			cJSON_Delete(s);
			return -1;
		}
	}
	snprintf(real, len, "%s", nb_json_str(g, key, ""));
	*info = cJSON_Duplicate(g, 1);
	cJSON_AddStringToObject(*info, "image_id", nb_json_str(s, "image_id", ""));
	cJSON_Delete(s);
	return 0;
}
