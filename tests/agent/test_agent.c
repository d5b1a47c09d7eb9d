/* test_agent.c - real nestbench-agent processes driven through the client library
 * and through raw frames: transports, put/run of the real nestbench-work, every
 * error the protocol promises, relays, tokens, busy, timeouts, SIGTERM. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "fixture.h"
#include "../../common/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* hello, ping, sysinfo and bye over one client. */
static void basic_session(struct nb_client *c)
{
	char err[NB_ERR_LEN];
	cJSON *r = NULL;
	uint64_t rtt = 0;

	CHECK_MSG(nb_client_hello(c, NULL, &r, err) == 0, "%s", err);
	CHECK(fx_num(r, "protocol") == NB_PROTO_VERSION);
	CHECK_STR(fx_str(r, "auth"), "none");
	cJSON_Delete(r);
	CHECK_MSG(nb_client_ping(c, &rtt, &r, err) == 0, "%s", err);
	CHECK(rtt > 0 && fx_num(r, "t_agent_ns") > 0 && cJSON_IsFalse(fx_field(r, "busy")));
	cJSON_Delete(r);
	CHECK_MSG(nb_client_sysinfo(c, &r, err) == 0, "%s", err);
	CHECK(fx_str(r, "kernel.release")[0] != '\0');
	CHECK(fx_num(r, "vcpus") >= 1 && fx_num(r, "memory.total_bytes") > 0);
	CHECK(cJSON_IsBool(fx_field(r, "hypervisor.bit")));
	CHECK(cJSON_IsString(fx_field(r, "hypervisor.signature")));
	CHECK(cJSON_IsBool(fx_field(r, "devices.kvm")) && cJSON_IsBool(fx_field(r, "devices.vhost_vsock")));
	CHECK(fx_num(r, "topology.pus") >= 1 && fx_num(r, "topology.cores") >= 1);
	CHECK(cJSON_IsArray(fx_field(r, "topology.caches")));
	cJSON_Delete(r);
	CHECK_MSG(nb_client_bye(c, err) == 0, "%s", err);
}

/* ---- transports ------------------------------------------------------------------ */

static void unix_body(struct fx *f)
{
	struct nb_client c;
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);

	CHECK(a != NULL);
	CHECK(fx_connect(&c, a->addr) == 0);
	basic_session(&c);
	nb_client_close(&c);
}
TEST(roundtrip_unix) { FX_RUN(unix_body); }

static void tcp_body(struct fx *f)
{
	struct nb_client c;
	struct fx_agent *a = fx_agent(f, "t", "tcp:127.0.0.1:0", NULL);

	CHECK(a != NULL);
	CHECK_MSG(strncmp(a->addr, "tcp:127.0.0.1:", 14) == 0 && strcmp(a->addr + 14, "0") != 0,
		  "no port in %s", a->addr);
	CHECK(fx_connect(&c, a->addr) == 0);
	basic_session(&c);
	nb_client_close(&c);
}
TEST(roundtrip_tcp) { FX_RUN(tcp_body); }

static void stdio_body(struct fx *f)
{
	struct nb_client c;
	struct fx_agent *a = fx_stdio_agent(f, NULL, &c);

	CHECK(a != NULL);
	basic_session(&c);
	nb_client_close(&c);
	/* The session is over: the agent exits 0 by itself. */
	CHECK_MSG(fx_exited_ok(a, 3000), "the --stdio agent did not exit 0 after its session");
}
TEST(roundtrip_stdio) { FX_RUN(stdio_body); }

/* serial: a pty stands in for the virtio-serial port. */
static void serial_body(struct fx *f)
{
	int master = -1, slave = -1;
	char name[128], listen[160];
	struct termios t;
	struct nb_client c;
	struct fx_agent *a;

	CHECK(openpty(&master, &slave, name, NULL, NULL) == 0);
	/* Raw before any byte flows; the agent sets it too, but must not race us. */
	tcgetattr(slave, &t);
	cfmakeraw(&t);
	tcsetattr(slave, TCSANOW, &t);
	snprintf(listen, sizeof(listen), "serial:%s", name);
	a = fx_agent(f, "s", listen, NULL);
	if (!a) {
		close(master);
		close(slave);
		CHECK(a != NULL);
	}
	nb_client_from_fds(&c, master, dup(master), "pty");
	c.timeout_ms = 30000;
	basic_session(&c);
	nb_client_close(&c);
	close(slave);
}
TEST(roundtrip_serial_pty) { FX_RUN(serial_body); }

static void vsock_body(struct fx *f)
{
	int s = socket(AF_VSOCK, SOCK_STREAM, 0);
	char listen[64], addr[64], err[NB_ERR_LEN];
	struct nb_client c;
	struct fx_agent *a;

	if (s < 0) {
		printf("  note: no AF_VSOCK here (%s): vsock listen not tested\n", strerror(errno));
		return;
	}
	close(s);
	int port = 20000 + (int)(getpid() % 20000);
	snprintf(listen, sizeof(listen), "vsock:%d", port);
	a = fx_agent(f, "v", listen, NULL);
	CHECK_MSG(a != NULL, "agent did not listen on %s", listen);
	/* Loopback CID 1 needs vsock_loopback; without it only listening is tested. */
	snprintf(addr, sizeof(addr), "vsock:1:%d", port);
	if (nb_client_connect(&c, addr, 1000, err)) {
		printf("  note: %s: listen tested, round trip not (no vsock loopback)\n", err);
		return;
	}
	c.timeout_ms = 10000;
	basic_session(&c);
	nb_client_close(&c);
}
TEST(vsock_listen) { FX_RUN(vsock_body); }

/* Where AF_VSOCK is missing: simulated with a seccomp filter that fails
 * socket(AF_VSOCK, ...) with EAFNOSUPPORT, as a kernel without the module does. */
static void no_vsock_body(struct fx *f)
{
	struct sock_filter filt[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_VSOCK, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(filt) / sizeof(filt[0]), filt };
	struct fx_agent *a = &f->ag[f->nag];
	char state[PATH_MAX];
	int status = 0;
	pid_t pid;

	snprintf(state, sizeof(state), "%.4000s/nv.state", f->dir);
	memcpy(a->log, state, sizeof(a->log));
	strcpy(strrchr(a->log, '.'), ".log");
	snprintf(a->addr, sizeof(a->addr), "vsock:7420");
	pid = fork();
	if (pid == 0) {
		int log = open(a->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(log, 2);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(99);
		execl(f->agent_bin, "nestbench-agent", "--listen", "vsock:7420", "--state-dir", state,
		      (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0);
	a->pid = pid;
	f->nag++;
	CHECK(waitpid(pid, &status, 0) == pid);
	a->pid = 0;
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d", status);
	CHECK(fx_wait_log(a, "vmw_vsock_virtio_transport", 100, NULL, 0) == 0);
	CHECK(fx_wait_log(a, "hv_sock", 100, NULL, 0) == 0);
	CHECK(fx_wait_log(a, "vhost_vsock", 100, NULL, 0) == 0);
	{
		char line[512];
		fx_wait_log(a, "AF_VSOCK", 100, line, sizeof(line));
		printf("  (%s)\n", line);
	}
}
TEST(vsock_unavailable_names_modules) { FX_RUN(no_vsock_body); }

/* ---- put and run ------------------------------------------------------------------- */

static void put_run_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char err[NB_ERR_LEN], sha[65], want[NB_SHA256_HEX], path[PATH_MAX * 2];
	cJSON *r = NULL;
	struct stat st;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK_MSG(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, &r, err) == 0, "%s", err);
	CHECK(cJSON_IsTrue(fx_field(r, "stored")) && cJSON_IsFalse(fx_field(r, "exists")));
	cJSON_Delete(r);
	CHECK(nb_sha256_file(f->work_bin, want, NULL, err) == 0);
	CHECK_STR(sha, want);
	/* Stored under its hash, executable, same bytes. */
	snprintf(path, sizeof(path), "%s/store/%s", a->state, sha);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0755);
	CHECK(nb_sha256_file(path, want, NULL, err) == 0);
	CHECK_STR(want, sha);
	/* Again: the agent already has it, no body is sent. */
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, &r, err) == 0);
	CHECK(cJSON_IsTrue(fx_field(r, "exists")));
	cJSON_Delete(r);

	nb_run_spec_init(&sp);
	snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
	snprintf(sp.workload, sizeof(sp.workload), "cpu.int");
	sp.reps = 2;
	sp.min_time_ms = 5;
	CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "%s", err);
	CHECK(fx_num(r, "exit_status") == 0 && cJSON_IsFalse(fx_field(r, "timed_out")));
	const cJSON *rec = fx_field(r, "records");
	CHECK(fx_count_type(rec, "meta") == 1 && fx_count_type(rec, "end") == 1);
	CHECK(fx_count_type(rec, "rep") == 3); /* 1 warm-up + 2 */
	CHECK_STR(fx_str(cJSON_GetArrayItem(rec, 0), "workload"), "cpu.int");
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		CHECK_MSG(fx_num(r, "cpu") != 0, "pinned to CPU 0 (%s)", fx_str(r, "cpu_choice"));
		CHECK(fx_num(cJSON_GetArrayItem(rec, 0), "cpu") == fx_num(r, "cpu"));
	}
	cJSON_Delete(r);

	/* A fixed op count instead of calibration (--ops). */
	sp.ops = 1000;
	sp.min_time_ms = 0;
	CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "%s", err);
	CHECK(fx_num(cJSON_GetArrayItem(fx_field(r, "records"), 0), "ops_per_rep") == 1000);
	cJSON_Delete(r);
	sp.ops = 0;

	/* A workload's own failure is a successful run with its exit status. */
	sp.nparams = 0;
	CHECK(nb_run_spec_add_param(&sp, "nosuchparam=1", err) == 0);
	CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "%s", err);
	CHECK(fx_num(r, "exit_status") == 2);
	CHECK(strstr(fx_str(r, "stderr"), "nosuchparam") != NULL);
	cJSON_Delete(r);

	/* Unknown binary. */
	snprintf(sp.sha256, sizeof(sp.sha256), "%064d", 0);
	CHECK(nb_client_run(&c, &sp, &r, err) == -1);
	CHECK_STR(c.code, "not_found");
	cJSON_Delete(r);
	CHECK(fx_ping(&c));
	nb_client_close(&c);
}
TEST(put_and_run_real_workload) { FX_RUN(put_run_body); }

static int tmp_files(const char *state)
{
	char dir[PATH_MAX + 16];
	snprintf(dir, sizeof(dir), "%.4000s/store", state);
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || strncmp(de->d_name, ".tmp-", 5) == 0;
	closedir(d);
	return n;
}

static void wrong_hash_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	char err[NB_ERR_LEN], sha[65], other[NB_SHA256_HEX];
	static char data[300000];
	cJSON *r = NULL;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	memset(data, 'x', sizeof(data));
	CHECK(nb_sha256_buf("something else", 14, other, err) == 0);
	CHECK(nb_client_put_buf(&c, data, sizeof(data), "blob", other, sha, &r, err) == -1);
	CHECK_STR(c.code, "hash_mismatch");
	CHECK(strstr(err, sha) != NULL);   /* the message names the real hash */
	cJSON_Delete(r);
	CHECK(tmp_files(a->state) == 0);   /* neither stored nor left behind */
	CHECK(fx_ping(&c));
	nb_client_close(&c);
}
TEST(put_wrong_hash) { FX_RUN(wrong_hash_body); }

static void truncated_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	char hdr[256], sha[NB_SHA256_HEX], err[NB_ERR_LEN];
	static char data[100000];
	cJSON *r;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	memset(data, 'y', sizeof(data));
	CHECK(nb_sha256_buf(data, sizeof(data), sha, err) == 0);
	snprintf(hdr, sizeof(hdr), "{\"op\":\"put\",\"id\":1,\"name\":\"b\",\"sha256\":\"%s\","
		 "\"size\":%zu}", sha, sizeof(data));
	/* Ended early with the empty frame: an error, the session goes on. */
	r = fx_call(&c, hdr);
	CHECK(fx_ok(r) && cJSON_IsTrue(fx_field(r, "ready")));
	cJSON_Delete(r);
	CHECK(nb_frame_write(&c.conn, data, sizeof(data) / 2, err) == 0);
	CHECK(nb_frame_write(&c.conn, "", 0, err) == 0);
	r = fx_recv(&c);
	CHECK_STR(fx_code(r), "truncated");
	cJSON_Delete(r);
	CHECK(fx_ping(&c));
	/* Cut by a closed connection: nothing stored, no temporary file. */
	r = fx_call(&c, hdr);
	CHECK(fx_ok(r));
	cJSON_Delete(r);
	CHECK(nb_frame_write(&c.conn, data, 1000, err) == 0);
	nb_client_close(&c);
	CHECK(fx_connect(&c, a->addr) == 0);
	CHECK(fx_ping(&c));
	for (int i = 0; i < 100 && tmp_files(a->state) != 0; i++)
		usleep(10000);
	CHECK(tmp_files(a->state) == 0);
	/* Longer than declared: too_large. */
	r = fx_call(&c, hdr);
	CHECK(fx_ok(r));
	cJSON_Delete(r);
	CHECK(nb_frame_write(&c.conn, data, sizeof(data), err) == 0);
	CHECK(nb_frame_write(&c.conn, data, 10, err) == 0);
	r = fx_recv(&c);
	CHECK_STR(fx_code(r), "too_large");
	cJSON_Delete(r);
	nb_client_close(&c);
	/* Over --max-put: refused before the body. */
	CHECK(fx_connect(&c, a->addr) == 0);
	r = fx_call(&c, "{\"op\":\"put\",\"id\":2,\"name\":\"b\",\"sha256\":\"e3b0c44298fc1c149afb"
			"f4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":1099511627776}");
	CHECK_STR(fx_code(r), "too_large");
	cJSON_Delete(r);
	CHECK(fx_ping(&c));
	nb_client_close(&c);
}
TEST(put_truncated_body) { FX_RUN(truncated_body); }

/* ---- malformed input --------------------------------------------------------------- */

static void bad_frames_body(struct fx *f)
{
	const char *const extra[] = { "--max-frame", "64K", NULL };
	struct fx_agent *a = fx_agent(f, "a", NULL, extra);
	struct nb_client c;
	unsigned char hdr[4];
	char err[NB_ERR_LEN];
	cJSON *r;

	CHECK(a != NULL);
	/* Invalid JSON, JSON that is no object, no op, unknown op: errors, session goes on. */
	CHECK(fx_connect(&c, a->addr) == 0);
	r = fx_call(&c, "{\"op\": \"ping\", ");
	CHECK_STR(fx_code(r), "bad_json");
	cJSON_Delete(r);
	CHECK(fx_ping(&c));
	r = fx_call(&c, "[\"ping\"]");
	CHECK_STR(fx_code(r), "bad_json");
	cJSON_Delete(r);
	r = fx_call(&c, "{\"id\":3}");
	CHECK_STR(fx_code(r), "bad_request");
	CHECK(fx_num(r, "id") == 3);
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"format-disk\",\"id\":4}");
	CHECK_STR(fx_code(r), "unknown_op");
	CHECK(fx_num(r, "id") == 4 && strstr(nb_proto_error_message(r), "format-disk"));
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"run\",\"id\":5,\"workload\":\"cpu.int\"}");
	CHECK_STR(fx_code(r), "bad_request");
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"hello\",\"id\":6,\"protocol\":2}");
	CHECK_STR(fx_code(r), "version");
	cJSON_Delete(r);
	CHECK(fx_ping(&c));

	/* Oversized frame: too_large, that connection closes, the agent goes on. */
	nb_frame_put_len(hdr, 100u << 20);
	CHECK(fx_send_raw(&c, hdr, 4) == 0);
	CHECK(fx_send_raw(&c, "{\"op\":\"ping\"", 12) == 0);
	r = fx_recv(&c);
	CHECK_STR(fx_code(r), "too_large");
	cJSON_Delete(r);
	CHECK(fx_recv(&c) == NULL);   /* closed */
	nb_client_close(&c);

	/* Empty frame outside a put: bad_frame, closed. */
	CHECK(fx_connect(&c, a->addr) == 0);
	CHECK(nb_frame_write(&c.conn, "", 0, err) == 0);
	r = fx_recv(&c);
	CHECK_STR(fx_code(r), "bad_frame");
	cJSON_Delete(r);
	nb_client_close(&c);

	/* A frame cut short by the sender's half-close: bad_frame. */
	CHECK(fx_connect(&c, a->addr) == 0);
	nb_frame_put_len(hdr, 100);
	CHECK(fx_send_raw(&c, hdr, 4) == 0 && fx_send_raw(&c, "{\"op\"", 5) == 0);
	shutdown(c.conn.wfd, SHUT_WR);
	r = fx_recv(&c);
	CHECK_STR(fx_code(r), "bad_frame");
	cJSON_Delete(r);
	nb_client_close(&c);

	/* Garbage bytes then a hang-up. */
	CHECK(fx_connect(&c, a->addr) == 0);
	CHECK(fx_send_raw(&c, "GET / HTTP/1.1\r\n\r\n", 18) == 0);
	r = fx_recv(&c);
	CHECK(!fx_ok(r));
	cJSON_Delete(r);
	nb_client_close(&c);

	CHECK(fx_connect(&c, a->addr) == 0);
	CHECK(fx_ping(&c));
	nb_client_close(&c);
}
TEST(malformed_input_and_recovery) { FX_RUN(bad_frames_body); }

static void max_sessions_body(struct fx *f)
{
	const char *const extra[] = { "--max-sessions", "1", NULL };
	struct fx_agent *a = fx_agent(f, "a", NULL, extra);
	struct nb_client c1, c2;
	cJSON *r;

	CHECK(a && fx_connect(&c1, a->addr) == 0 && fx_ping(&c1));
	CHECK(fx_connect(&c2, a->addr) == 0);
	r = fx_recv(&c2);    /* refused at once */
	CHECK_STR(fx_code(r), "busy");
	cJSON_Delete(r);
	nb_client_close(&c2);
	CHECK(fx_ping(&c1));
	nb_client_close(&c1);
	for (int i = 0; i < 100; i++) {   /* the slot frees when the session ends */
		CHECK(fx_connect(&c2, a->addr) == 0);
		int ok = fx_ping(&c2);
		nb_client_close(&c2);
		if (ok)
			return;
		usleep(10000);
	}
	CHECK_MSG(0, "no session accepted after the first one closed");
}
TEST(max_sessions_refused_busy) { FX_RUN(max_sessions_body); }

/* ---- token ------------------------------------------------------------------------- */

static void token_body(struct fx *f)
{
	char tok[PATH_MAX], err[NB_ERR_LEN];
	const char *extra[] = { "--token-file", tok, NULL };
	struct nb_client c;
	struct fx_agent *a;
	cJSON *r;
	FILE *fp;

	snprintf(tok, sizeof(tok), "%.4000s/token", f->dir);
	CHECK((fp = fopen(tok, "w")) != NULL);
	fputs("0123456789abcdef0123456789abcdef\n", fp);
	fclose(fp);
	a = fx_agent(f, "a", NULL, extra);
	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK(!fx_ping(&c));
	CHECK_STR(c.code, "auth");
	CHECK(nb_client_sysinfo(&c, NULL, err) == -1 && strcmp(c.code, "auth") == 0);
	CHECK(nb_client_hello(&c, NULL, NULL, err) == -1 && strcmp(c.code, "auth") == 0);
	CHECK(nb_client_hello(&c, "0123456789abcdef0123456789abcdeF", NULL, err) == -1);
	CHECK_STR(c.code, "auth");
	CHECK(!fx_ping(&c));
	CHECK_MSG(nb_client_hello(&c, "0123456789abcdef0123456789abcdef", &r, err) == 0, "%s", err);
	CHECK_STR(fx_str(r, "auth"), "token");
	cJSON_Delete(r);
	CHECK(fx_ping(&c));
	nb_client_close(&c);
	/* Each session authenticates itself. */
	CHECK(fx_connect(&c, a->addr) == 0);
	CHECK(!fx_ping(&c));
	nb_client_close(&c);
}
TEST(token_required) { FX_RUN(token_body); }

/* ---- one run at a time, timeouts ---------------------------------------------------- */

struct long_run {
	const char *addr;
	const char *sha;
	int rc;
	char err[NB_ERR_LEN];
	cJSON *reply;
};

static void *long_run_thread(void *arg)
{
	struct long_run *lr = arg;
	struct nb_client c;
	struct nb_run_spec sp;

	lr->rc = -1;
	if (fx_connect(&c, lr->addr))
		return NULL;
	nb_run_spec_init(&sp);
	snprintf(sp.sha256, sizeof(sp.sha256), "%s", lr->sha);
	snprintf(sp.workload, sizeof(sp.workload), "cpu.int");
	sp.reps = 3;
	sp.warmup = 0;
	sp.min_time_ms = 250;
	lr->rc = nb_client_run(&c, &sp, &lr->reply, lr->err);
	nb_client_close(&c);
	return NULL;
}

static void busy_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char err[NB_ERR_LEN], sha[65];
	struct long_run lr;
	pthread_t t;
	cJSON *r = NULL;
	int busy = 0;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
	memset(&lr, 0, sizeof(lr));
	lr.addr = a->addr;
	lr.sha = sha;
	CHECK(pthread_create(&t, NULL, long_run_thread, &lr) == 0);
	for (int i = 0; i < 500 && !busy; i++) {
		CHECK(nb_client_ping(&c, NULL, &r, err) == 0);
		busy = cJSON_IsTrue(fx_field(r, "busy"));
		cJSON_Delete(r);
		if (!busy)
			usleep(5000);
	}
	if (busy) {
		nb_run_spec_init(&sp);
		snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
		snprintf(sp.workload, sizeof(sp.workload), "cpu.int");
		sp.reps = 1;
		sp.min_time_ms = 1;
		nb_client_run(&c, &sp, &r, err);
		cJSON_Delete(r);
	}
	pthread_join(t, NULL);
	CHECK_MSG(busy, "the agent never reported a run in progress");
	CHECK_STR(c.code, "busy");
	CHECK(strstr(err, "cpu.int") != NULL);  /* names what is running */
	CHECK(fx_ping(&c));
	CHECK_MSG(lr.rc == 0, "the first run failed: %s", lr.err);
	CHECK(fx_num(lr.reply, "exit_status") == 0);
	cJSON_Delete(lr.reply);
	nb_client_close(&c);
}
TEST(concurrent_run_is_busy) { FX_RUN(busy_body); }

static void timeout_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char err[NB_ERR_LEN], sha[65];
	cJSON *r = NULL;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
	nb_run_spec_init(&sp);
	snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
	snprintf(sp.workload, sizeof(sp.workload), "cpu.int");
	sp.reps = 1000;
	sp.min_time_ms = 50;     /* calibrated well within the timeout, even under ASan */
	sp.timeout_ms = 1000;
	int rc = nb_client_run(&c, &sp, &r, err);
	int timed_out = cJSON_IsTrue(fx_field(r, "timed_out"));
	double ms = fx_num(r, "elapsed_ms");
	int metas = fx_count_type(fx_field(r, "records"), "meta");
	char sig[16];
	snprintf(sig, sizeof(sig), "%s", fx_str(r, "signal"));
	cJSON_Delete(r);
	CHECK(rc == -1);
	CHECK_STR(c.code, "timeout");
	CHECK(timed_out);
	CHECK_MSG(ms >= 1000 && ms < 6000, "elapsed %.0f ms", ms);
	CHECK(metas == 1); /* what it printed before the timeout */
	/* SIGTERM reached the workload (its handler removes scratch files, then dies of it):
	 * the agent's blocked signals must not be inherited. */
	CHECK_STR(sig, "TERM");
	CHECK(fx_ping(&c));
	/* Not busy any more. */
	sp.reps = 1;
	sp.min_time_ms = 1;
	sp.timeout_ms = 0;
	CHECK_MSG(nb_client_run(&c, &sp, NULL, err) == 0, "%s", err);
	nb_client_close(&c);
}
TEST(run_timeout_kills_workload) { FX_RUN(timeout_body); }

/* ---- perf events -------------------------------------------------------------------- */

static int can_count_cycles(void)
{
	struct perf_event_attr at;
	int fd;

	memset(&at, 0, sizeof(at));
	at.size = sizeof(at);
	at.type = PERF_TYPE_HARDWARE;
	at.config = PERF_COUNT_HW_CPU_CYCLES;
	at.disabled = 1;
	at.exclude_hv = 1;
	fd = (int)syscall(SYS_perf_event_open, &at, 0, -1, -1, 0);
	if (fd < 0) {
		at.exclude_kernel = 1;
		fd = (int)syscall(SYS_perf_event_open, &at, 0, -1, -1, 0);
	}
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static void events_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char err[NB_ERR_LEN], sha[65];
	const cJSON *ev;
	cJSON *r = NULL;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
	nb_run_spec_init(&sp);
	snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
	snprintf(sp.workload, sizeof(sp.workload), "cpu.int");
	sp.reps = 1;
	sp.min_time_ms = 2;
	CHECK(nb_run_spec_add_event(&sp, "task-clock", err) == 0);
	CHECK(nb_run_spec_add_event(&sp, "no-such-event-xyz", err) == 0);
	CHECK(nb_client_run(&c, &sp, &r, err) == -1);
	CHECK_STR(c.code, "event");
	CHECK(strstr(err, "'no-such-event-xyz'") && strstr(err, "libpfm4"));
	CHECK_STR(fx_str(r, "event"), "no-such-event-xyz");
	cJSON_Delete(r);

	sp.nevents = 0;
	CHECK(nb_run_spec_add_event(&sp, "cycles", err) == 0);
	CHECK(nb_run_spec_add_event(&sp, "task-clock", err) == 0);
	CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "%s", err);
	ev = fx_field(cJSON_GetArrayItem(fx_field(r, "records"), 0), "events");
	CHECK(cJSON_GetArraySize(ev) == 2);
	CHECK_STR(fx_str(cJSON_GetArrayItem(ev, 0), "name"), "cycles");
	if (can_count_cycles())
		CHECK(cJSON_IsTrue(fx_field(cJSON_GetArrayItem(ev, 0), "supported")));
	else
		CHECK_MSG(fx_str(cJSON_GetArrayItem(ev, 0), "unsupported")[0],
			  "cycles cannot be counted here but is not reported unsupported");
	CHECK(cJSON_IsTrue(fx_field(cJSON_GetArrayItem(ev, 1), "supported")));
	CHECK_STR(fx_str(cJSON_GetArrayItem(fx_field(r, "events"), 1), "encoding"), "1:1:0:0:task-clock");
	cJSON_Delete(r);
	nb_client_close(&c);
}
TEST(perf_events_encoded_or_refused) { FX_RUN(events_body); }

/* ---- relay ---------------------------------------------------------------------------- */

static void relay_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "l0", NULL, NULL), *b = fx_agent(f, "l1", NULL, NULL),
			*d = fx_agent(f, "l2", NULL, NULL);
	struct nb_client c;
	struct nb_run_spec sp;
	char err[NB_ERR_LEN], sha[65], bad[PATH_MAX];
	cJSON *r = NULL;

	CHECK(a && b && d && fx_connect(&c, a->addr) == 0);
	/* An unreachable child: an error, and this hop still answers. */
	snprintf(bad, sizeof(bad), "unix:%.200s/nobody.sock", f->dir);
	CHECK(nb_client_relay(&c, bad, &r, err) == -1);
	CHECK_STR(c.code, "connect");
	cJSON_Delete(r);
	CHECK(nb_client_relay(&c, "tcp:nohost", NULL, err) == -1);
	CHECK_STR(c.code, "bad_request");
	CHECK(fx_ping(&c));
	/* L0 -> L1 -> L2 */
	CHECK_MSG(nb_client_relay(&c, b->addr, NULL, err) == 0, "%s", err);
	CHECK_MSG(nb_client_relay(&c, d->addr, NULL, err) == 0, "%s", err);
	CHECK_MSG(nb_client_hello(&c, NULL, NULL, err) == 0, "%s", err);
	CHECK(nb_client_sysinfo(&c, &r, err) == 0);
	CHECK_MSG(fx_num(r, "agent.pid") == d->pid, "sysinfo came from pid %.0f, not the far end %d",
		  fx_num(r, "agent.pid"), (int)d->pid);
	cJSON_Delete(r);
	CHECK_MSG(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0, "%s",
		  err);
	nb_run_spec_init(&sp);
	snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
	snprintf(sp.workload, sizeof(sp.workload), "cpu.int");
	sp.reps = 2;
	sp.min_time_ms = 5;
	CHECK_MSG(nb_client_run(&c, &sp, &r, err) == 0, "%s", err);
	CHECK(fx_num(r, "exit_status") == 0 && fx_count_type(fx_field(r, "records"), "rep") == 3);
	cJSON_Delete(r);
	/* The binary landed at the far end only. */
	{
		char p0[PATH_MAX * 2], p2[PATH_MAX * 2];
		snprintf(p0, sizeof(p0), "%s/store/%s", a->state, sha);
		snprintf(p2, sizeof(p2), "%s/store/%s", d->state, sha);
		CHECK(access(p2, X_OK) == 0 && access(p0, F_OK) != 0);
	}
	CHECK(fx_ping(&c));
	CHECK(nb_client_bye(&c, err) == 0);
	CHECK(fx_recv(&c) == NULL);   /* the whole chain closed */
	nb_client_close(&c);
	/* Every hop still serves new sessions. */
	CHECK(fx_connect(&c, a->addr) == 0 && fx_ping(&c));
	nb_client_close(&c);
	CHECK(fx_connect(&c, b->addr) == 0 && fx_ping(&c));
	nb_client_close(&c);
}
TEST(relay_chain_of_three) { FX_RUN(relay_body); }

/* ---- shutdown ------------------------------------------------------------------------- */

static void sigterm_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	char sock[PATH_MAX];

	/* An open session that has used the store (and so libcrypto): it must be ended
	 * cleanly too (under ASan, fx_end fails on any leak report at exit). */
	char err[NB_ERR_LEN], sha[65];
	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK(nb_client_put_buf(&c, "abc", 3, "tiny", NULL, sha, NULL, err) == 0);
	{
		struct nb_run_spec sp;
		CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
		nb_run_spec_init(&sp);
		snprintf(sp.sha256, sizeof(sp.sha256), "%s", sha);
		snprintf(sp.workload, sizeof(sp.workload), "cpu.int");
		sp.reps = 1;
		sp.min_time_ms = 1;
		CHECK(nb_client_run(&c, &sp, NULL, err) == 0);
	}
	snprintf(sock, sizeof(sock), "%s", a->addr + 5);
	CHECK(access(sock, F_OK) == 0);
	CHECK(fx_agent_stop(a, 3000) == 0);
	CHECK_MSG(access(sock, F_OK) != 0, "socket file %s left behind", sock);
	CHECK(fx_recv(&c) == NULL);
	nb_client_close(&c);
	CHECK(fx_wait_log(a, "SIGTERM: shutting down", 100, NULL, 0) == 0);
}
TEST(sigterm_ends_cleanly) { FX_RUN(sigterm_body); }
