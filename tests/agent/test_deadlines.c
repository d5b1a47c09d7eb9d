/* test_deadlines.c - clients that connect and stall must not starve the agent: the
 * hello deadline, the frame deadline, the put-chunk deadline, the cap on sessions that
 * have not authenticated, accept under descriptor exhaustion (EMFILE), and the cap on
 * the descriptors one exits-start may open.  PROTOCOL.md, "Deadlines and limits". */
#include "../unit/check.h"
#include "../../common/err.h"
#include "fixture.h"
#include "../../common/clock.h"
#include "../../common/sha256.h"
#include "../../guest-agent/tracepoints.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "0123456789abcdef0123456789abcdef"

static uint64_t now_ms(void)
{
	return nb_mono_ns() / 1000000u;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* <dir>/token holding TOKEN; path in buf. */
static int write_token(const struct fx *f, char *buf, size_t len)
{
	FILE *fp;

	snprintf(buf, len, "%.4000s/token", f->dir);
	if (!(fp = fopen(buf, "w")))
		return -1;
	fputs(TOKEN "\n", fp);
	return fclose(fp);
}

static int hello(struct nb_client *c, const char *token)
{
	char err[NB_ERR_LEN];
	int rc = nb_client_hello(c, token, NULL, err);

	if (rc)
		printf("  hello: %s\n", err);
	return rc;
}

/* The next thing on c is an error reply with `code`, then the end of the stream, all
 * within ms; how long it took in *took_ms.  1 when so. */
static int closed_with(struct nb_client *c, const char *code, int ms, uint64_t *took_ms)
{
	uint64_t t0 = now_ms();
	cJSON *r;
	int ok;

	c->conn.timeout_ms = ms;
	r = fx_recv(c);
	ok = r && strcmp(fx_code(r), code) == 0;
	if (!ok)
		printf("  expected a %s error, got %s%s%s\n", code, r ? fx_code(r) : "nothing",
		       r ? ": " : "", r ? nb_proto_error_message(r) : "");
	cJSON_Delete(r);
	if (ok && (r = fx_recv(c)) != NULL) {
		printf("  the connection stayed open after the %s error\n", code);
		cJSON_Delete(r);
		ok = 0;
	}
	if (took_ms)
		*took_ms = now_ms() - t0;
	c->conn.timeout_ms = 30000;
	return ok;
}

/* Readable now (a reply or the end of the stream arrived). */
static int readable(const struct nb_client *c)
{
	struct pollfd p = { .fd = c->conn.rfd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* Entries of dir named prefix..., or (prefix NULL) all but . and .. */
static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += prefix ? strncmp(de->d_name, prefix, strlen(prefix)) == 0 : de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int tmp_files(const struct fx_agent *a)
{
	char dir[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%.4000s/store", a->state);
	return count_entries(dir, ".tmp-");
}

/* RLIMIT_NOFILE bounds descriptor numbers: the limit under which exactly k more
 * descriptors fit in pid (descriptors it inherited above it stay usable). */
static int limit_for(pid_t pid, int k)
{
	static unsigned char used[65536];
	char dir[64];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(dir)))
		return -1;
	memset(used, 0, sizeof(used));
	while ((de = readdir(d))) {
		long fd = strtol(de->d_name, NULL, 10);
		if (de->d_name[0] != '.' && fd >= 0 && fd < (long)sizeof(used))
			used[fd] = 1;
	}
	closedir(d);
	for (int fd = 0; fd < (int)sizeof(used); fd++)
		if (!used[fd] && --k == 0)
			return fd + 1;
	return -1;
}

static int open_fds(pid_t pid)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	return count_entries(dir, NULL);
}

/* utime + stime of a process, in seconds. */
static double cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(fp = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long log_lines(const struct fx_agent *a)
{
	FILE *fp = fopen(a->log, "r");
	long n = 0;
	int ch;

	if (!fp)
		return -1;
	while ((ch = getc(fp)) != EOF)
		n += ch == '\n';
	fclose(fp);
	return n;
}

static int set_nofile(pid_t pid, rlim_t n)
{
	struct rlimit rl = { n, n };

	return prlimit(pid, RLIMIT_NOFILE, &rl, NULL);
}

/* ---- sessions that never authenticate ------------------------------------------------ */

/* The case, with the default options: 64 idle connections (--max-sessions) and
 * then a client with the token.  It gets in at once: sessions that have not
 * authenticated are capped (--max-unauth), the oldest is evicted with `busy`. */
static void idle_lockout_body(struct fx *f)
{
	char tok[PATH_MAX];
	const char *extra[] = { "--token-file", tok, NULL };
	static struct nb_client idle[64];
	struct nb_client c;
	struct fx_agent *a;
	int n = 0, closed = 0;

	CHECK(write_token(f, tok, sizeof(tok)) == 0);
	CHECK((a = fx_agent(f, "a", NULL, extra)) != NULL);
	for (n = 0; n < 64; n++)
		if (fx_connect(&idle[n], a->addr))
			break;
	CHECK(n == 64);
	sleep_ms(300);   /* all accepted */
	CHECK(fx_connect(&c, a->addr) == 0);
	CHECK_MSG(hello(&c, TOKEN) == 0, "a client with the token was locked out by 64 idle "
		  "connections");
	CHECK(fx_ping(&c));
	sleep_ms(300);
	for (int i = 0; i < 64; i++)
		closed += readable(&idle[i]);
	printf("  %d of 64 idle connections evicted at once\n", closed);
	CHECK_MSG(closed >= 64 - 16, "only %d idle connections were closed", closed);
	CHECK(closed_with(&idle[0], "busy", 1000, NULL));   /* the oldest went first */
	for (int i = 0; i < 64; i++)
		nb_client_close(&idle[i]);
	nb_client_close(&c);
}
TEST(idle_connections_do_not_lock_out_the_token) { FX_RUN(idle_lockout_body); }

/* --max-unauth 2: the third idle connection evicts the first; authenticated sessions
 * do not count. */
static void max_unauth_body(struct fx *f)
{
	char tok[PATH_MAX];
	const char *extra[] = { "--token-file", tok, "--max-unauth", "2", NULL };
	struct nb_client c[3], ok1, ok2;
	struct fx_agent *a;

	CHECK(write_token(f, tok, sizeof(tok)) == 0);
	CHECK((a = fx_agent(f, "a", NULL, extra)) != NULL);
	CHECK(fx_connect(&ok1, a->addr) == 0 && hello(&ok1, TOKEN) == 0);
	CHECK(fx_connect(&ok2, a->addr) == 0 && hello(&ok2, TOKEN) == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(fx_connect(&c[i], a->addr) == 0);
		sleep_ms(50);
	}
	CHECK(closed_with(&c[0], "busy", 2000, NULL));
	sleep_ms(100);
	CHECK(!readable(&c[1]) && !readable(&c[2]));
	CHECK(fx_ping(&ok1) && fx_ping(&ok2));
	/* The evicted client learns why. */
	CHECK(fx_wait_log(a, "--max-unauth", 1000, NULL, 0) == 0);
	for (int i = 0; i < 3; i++)
		nb_client_close(&c[i]);
	nb_client_close(&ok1);
	nb_client_close(&ok2);
}
TEST(unauthenticated_sessions_capped) { FX_RUN(max_unauth_body); }

/* --hello-timeout 1: an idle connection, two header bytes, a header and part of a
 * payload, a wrong token: each gets `timeout` and is closed about 1 s after it
 * connected.  An authenticated session may stay idle longer. */
static void hello_deadline_body(struct fx *f)
{
	char tok[PATH_MAX];
	const char *extra[] = { "--token-file", tok, "--hello-timeout", "1", NULL };
	struct nb_client idle, two, part, wrong, good;
	unsigned char hdr[4];
	struct fx_agent *a;
	uint64_t took;

	CHECK(write_token(f, tok, sizeof(tok)) == 0);
	CHECK((a = fx_agent(f, "a", NULL, extra)) != NULL);
	CHECK(fx_connect(&good, a->addr) == 0 && hello(&good, TOKEN) == 0);
	CHECK(fx_connect(&idle, a->addr) == 0 && fx_connect(&two, a->addr) == 0);
	CHECK(fx_connect(&part, a->addr) == 0 && fx_connect(&wrong, a->addr) == 0);
	nb_frame_put_len(hdr, 40);
	CHECK(fx_send_raw(&two, hdr, 2) == 0);
	CHECK(fx_send_raw(&part, hdr, 4) == 0 && fx_send_raw(&part, "{\"op\":", 6) == 0);
	CHECK(hello(&wrong, "not-the-token") != 0);
	CHECK_STR(wrong.code, "auth");
	CHECK(closed_with(&idle, "timeout", 5000, &took));
	CHECK_MSG(took >= 700 && took <= 3000, "idle connection closed after %llu ms",
		  (unsigned long long)took);
	CHECK(closed_with(&two, "timeout", 3000, NULL));
	CHECK(closed_with(&part, "timeout", 3000, NULL));
	CHECK(closed_with(&wrong, "timeout", 3000, NULL));
	CHECK(fx_wait_log(a, "--hello-timeout", 1000, NULL, 0) == 0);
	sleep_ms(1000);   /* good has been idle for more than 2 s now */
	CHECK_MSG(fx_ping(&good), "an authenticated idle session was cut");
	nb_client_close(&idle);
	nb_client_close(&two);
	nb_client_close(&part);
	nb_client_close(&wrong);
	nb_client_close(&good);
}
TEST(hello_deadline_closes_idle_and_partial_sessions) { FX_RUN(hello_deadline_body); }

/* --frame-timeout 1 after hello: idle between frames is fine, a frame whose first
 * byte came must be complete within 1 s. */
static void frame_deadline_body(struct fx *f)
{
	const char *const extra[] = { "--frame-timeout", "1", "--hello-timeout", "1", NULL };
	struct fx_agent *a = fx_agent(f, "a", NULL, extra);
	const char *ping = "{\"op\":\"ping\",\"id\":7}";
	struct nb_client c;
	unsigned char hdr[4];
	uint64_t took;
	cJSON *r;

	CHECK(a && fx_connect(&c, a->addr) == 0 && hello(&c, NULL) == 0);
	sleep_ms(1500);
	CHECK_MSG(fx_ping(&c), "an idle session between frames was cut");
	/* slow but in time */
	nb_frame_put_len(hdr, (uint32_t)strlen(ping));
	CHECK(fx_send_raw(&c, hdr, 3) == 0);
	sleep_ms(300);
	CHECK(fx_send_raw(&c, hdr + 3, 1) == 0 && fx_send_raw(&c, ping, 5) == 0);
	sleep_ms(300);
	CHECK(fx_send_raw(&c, ping + 5, strlen(ping) - 5) == 0);
	r = fx_recv(&c);
	CHECK(fx_ok(r) && fx_num(r, "id") == 7);
	cJSON_Delete(r);
	/* two header bytes, then nothing */
	CHECK(fx_send_raw(&c, hdr, 2) == 0);
	CHECK(closed_with(&c, "timeout", 5000, &took));
	CHECK_MSG(took >= 700 && took <= 3000, "closed after %llu ms", (unsigned long long)took);
	nb_client_close(&c);
	/* a header and part of the payload */
	CHECK(fx_connect(&c, a->addr) == 0 && hello(&c, NULL) == 0);
	CHECK(fx_send_raw(&c, hdr, 4) == 0 && fx_send_raw(&c, ping, 6) == 0);
	CHECK(closed_with(&c, "timeout", 5000, NULL));
	nb_client_close(&c);
	CHECK(fx_wait_log(a, "--frame-timeout", 1000, NULL, 0) == 0);
	CHECK(fx_connect(&c, a->addr) == 0 && fx_ping(&c));
	nb_client_close(&c);
}
TEST(frame_deadline_closes_a_stalled_frame) { FX_RUN(frame_deadline_body); }

/* --put-timeout 1: a put whose body stalls (mid-chunk, or between chunks) is
 * abandoned at the deadline: its temporary file is removed, its buffers freed. */
static void stalled_put_body(struct fx *f)
{
	const char *const extra[] = { "--put-timeout", "1", NULL };
	struct fx_agent *a = fx_agent(f, "a", NULL, extra);
	static char data[3 << 20];
	char hdr[256], sha[NB_SHA256_HEX], err[NB_ERR_LEN];
	struct nb_client c;
	unsigned char fh[4];
	uint64_t took;
	cJSON *r;

	CHECK(a != NULL);
	memset(data, 'z', sizeof(data));
	CHECK(nb_sha256_buf(data, sizeof(data), sha, err) == 0);
	snprintf(hdr, sizeof(hdr), "{\"op\":\"put\",\"id\":1,\"name\":\"b\",\"sha256\":\"%s\","
		 "\"size\":%zu}", sha, sizeof(data));
	for (int stall_mid_chunk = 1; stall_mid_chunk >= 0; stall_mid_chunk--) {
		CHECK(fx_connect(&c, a->addr) == 0 && hello(&c, NULL) == 0);
		r = fx_call(&c, hdr);
		CHECK(fx_ok(r) && cJSON_IsTrue(fx_field(r, "ready")));
		cJSON_Delete(r);
		CHECK(nb_frame_write(&c.conn, data, 1 << 20, err) == 0);
		if (stall_mid_chunk) {
			nb_frame_put_len(fh, 1 << 20);
			CHECK(fx_send_raw(&c, fh, 4) == 0 && fx_send_raw(&c, data, 100) == 0);
		}
		for (int i = 0; i < 100 && tmp_files(a) != 1; i++)
			sleep_ms(10);
		CHECK_MSG(tmp_files(a) == 1, "no temporary file while the put is under way");
		CHECK(closed_with(&c, "timeout", 5000, &took));
		CHECK_MSG(took <= 3000, "put abandoned after %llu ms", (unsigned long long)took);
		for (int i = 0; i < 100 && tmp_files(a) != 0; i++)
			sleep_ms(10);
		CHECK_MSG(tmp_files(a) == 0, "the stalled put's temporary file is still there");
		nb_client_close(&c);
	}
	CHECK(fx_wait_log(a, "--put-timeout", 1000, NULL, 0) == 0);
	/* A put that keeps up is not affected. */
	CHECK(fx_connect(&c, a->addr) == 0);
	CHECK_MSG(nb_client_put_buf(&c, data, sizeof(data), "b", NULL, sha, NULL, err) == 0, "%s", err);
	nb_client_close(&c);
}
TEST(stalled_put_released_at_deadline) { FX_RUN(stalled_put_body); }

/* A relay passes frames for a long campaign: neither hop's deadlines cut it while
 * the client is idle. */
static void relay_body(struct fx *f)
{
	const char *const extra[] = { "--frame-timeout", "1", "--hello-timeout", "1",
				      "--put-timeout", "1", NULL };
	struct fx_agent *a = fx_agent(f, "a", NULL, extra), *b = fx_agent(f, "b", NULL, extra);
	char err[NB_ERR_LEN], sha[NB_SHA256_HEX];
	struct nb_client c;
	cJSON *r = NULL;

	CHECK(a && b && fx_connect(&c, a->addr) == 0 && hello(&c, NULL) == 0);
	CHECK_MSG(nb_client_relay(&c, b->addr, NULL, err) == 0, "%s", err);
	CHECK(hello(&c, NULL) == 0);   /* the far end's hello deadline runs from the relay */
	sleep_ms(2500);
	CHECK(nb_client_sysinfo(&c, &r, err) == 0);
	CHECK(fx_num(r, "agent.pid") == b->pid);
	cJSON_Delete(r);
	CHECK(nb_client_put_buf(&c, "abc", 3, "tiny", NULL, sha, NULL, err) == 0);
	nb_client_close(&c);
}
TEST(relay_not_cut_by_deadlines) { FX_RUN(relay_body); }

/* serial: a timed-out session ends, the port stays open and the next session is
 * served (a pty stands in for the virtio-serial port). */
static void serial_body(struct fx *f)
{
	const char *const extra[] = { "--frame-timeout", "1", NULL };
	int master = -1, slave = -1;
	char name[128], listen[160];
	unsigned char hdr[4];
	struct termios t;
	struct nb_client c;
	struct fx_agent *a;
	cJSON *r;

	CHECK(openpty(&master, &slave, name, NULL, NULL) == 0);
	tcgetattr(slave, &t);
	cfmakeraw(&t);
	tcsetattr(slave, TCSANOW, &t);
	snprintf(listen, sizeof(listen), "serial:%s", name);
	a = fx_agent(f, "s", listen, extra);
	if (!a) {
		close(master);
		close(slave);
		CHECK(a != NULL);
	}
	nb_client_from_fds(&c, master, dup(master), "pty");
	c.timeout_ms = 5000;
	c.conn.timeout_ms = 5000;
	CHECK(hello(&c, NULL) == 0);
	nb_frame_put_len(hdr, 30);
	CHECK(fx_send_raw(&c, hdr, 2) == 0);
	c.conn.timeout_ms = 5000;
	r = fx_recv(&c);
	CHECK_STR(fx_code(r), "timeout");
	cJSON_Delete(r);
	CHECK(fx_wait_log(a, "session 1: closed", 2000, NULL, 0) == 0);
	CHECK_MSG(hello(&c, NULL) == 0 && fx_ping(&c), "the next session on the port was not served");
	nb_client_close(&c);
	close(slave);
}
TEST(serial_session_after_a_deadline) { FX_RUN(serial_body); }

/* stdio: its peer started the agent, and nobody else can reach it: no hello deadline. */
static void stdio_body(struct fx *f)
{
	const char *extra[] = { "--hello-timeout", "1", NULL };
	struct nb_client c;
	struct fx_agent *a = fx_stdio_agent(f, extra, &c);

	CHECK(a != NULL);
	c.timeout_ms = 10000;
	sleep_ms(1500);
	CHECK_MSG(hello(&c, NULL) == 0 && fx_ping(&c), "the stdio session was cut before hello");
	nb_client_close(&c);
	CHECK_MSG(fx_exited_ok(a, 3000), "the --stdio agent did not exit 0 after its session");
}
TEST(stdio_has_no_hello_deadline) { FX_RUN(stdio_body); }

/* ---- descriptor exhaustion ------------------------------------------------------------- */

/* The agent's descriptor limit lowered (soft and hard) so that three sessions use it
 * up; three more clients wait in the backlog.  accept() fails with EMFILE: the agent
 * must neither spin nor flood its log, and serves again once descriptors free up. */
static void emfile_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client held[3], extra[3], c;
	double cpu0, cpu;
	long lines0, lines;
	int lim, got_busy = 0;

	CHECK(a != NULL);
	CHECK(fx_connect(&c, a->addr) == 0 && fx_ping(&c));   /* libraries loaded, threads up */
	nb_client_close(&c);
	sleep_ms(100);
	lim = limit_for(a->pid, 3);
	CHECK(lim > 0);
	CHECK_MSG(set_nofile(a->pid, (rlim_t)lim) == 0, "prlimit: %s", strerror(errno));
	for (int i = 0; i < 3; i++)
		CHECK(fx_connect(&held[i], a->addr) == 0 && fx_ping(&held[i]));
	for (int i = 0; i < 3; i++)
		CHECK(fx_connect(&extra[i], a->addr) == 0);
	sleep_ms(300);
	lines0 = log_lines(a);
	cpu0 = cpu_s(a->pid);
	sleep_ms(2000);
	cpu = cpu_s(a->pid) - cpu0;
	lines = log_lines(a);
	printf("  descriptors exhausted (limit %d): agent CPU %.2f s in 2 s, %ld log lines "
	       "(%ld in the 2 s)\n", lim, cpu, lines, lines - lines0);
	CHECK_MSG(cpu >= 0 && cpu < 0.4, "the agent used %.2f s of CPU in 2 s", cpu);
	CHECK_MSG(lines < 40, "%ld log lines", lines);
	CHECK(fx_wait_log(a, "Too many open files", 100, NULL, 0) == 0);
	for (int i = 0; i < 3; i++) {
		cJSON *r;
		extra[i].conn.timeout_ms = 500;
		r = fx_recv(&extra[i]);
		got_busy += r && strcmp(fx_code(r), "busy") == 0;
		if (!r || strcmp(fx_code(r), "busy"))
			printf("  client %d beyond the limit: %s\n", i, r ? fx_code(r) : "no reply");
		cJSON_Delete(r);
		nb_client_close(&extra[i]);
	}
	CHECK_MSG(got_busy == 3, "%d of 3 clients beyond the limit were answered busy", got_busy);
	for (int i = 0; i < 3; i++) {
		CHECK(fx_ping(&held[i]));
		nb_client_close(&held[i]);
	}
	for (int i = 0; i < 200; i++) {   /* served again once descriptors are free */
		CHECK(fx_connect(&c, a->addr) == 0);
		int ok = fx_ping(&c);
		nb_client_close(&c);
		if (ok)
			return;
		sleep_ms(10);
	}
	CHECK_MSG(0, "no session served after the descriptors were freed");
}
TEST(emfile_does_not_spin) { FX_RUN(emfile_body); }

/* ---- exits-start's descriptors --------------------------------------------------------- */

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* A process with n threads that sleep; its pid, or -1. */
static pid_t spawn_threads(int n)
{
	char path[64], line[256];
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (int i = 1; i < n; i++) {
			pthread_t t;
			pthread_create(&t, NULL, sleeper, NULL);
		}
		for (;;)
			pause();
	}
	if (pid < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (int i = 0; i < 500; i++) {
		FILE *fp = fopen(path, "r");
		int threads = 0;
		while (fp && fgets(line, sizeof(line), fp))
			sscanf(line, "Threads: %d", &threads);
		if (fp)
			fclose(fp);
		if (threads >= n)
			return pid;
		sleep_ms(10);
	}
	return pid;
}

static void reap(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
}

/* exits-start on 16 processes of 32 threads each: with the default cap it is refused
 * (naming the cap and its option) instead of opening thousands of descriptors. */
static void exits_cap_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	char req[512];
	pid_t pids[16] = { 0 };
	struct nb_client c;
	int fds0, fds;
	size_t n;
	cJSON *r;

	CHECK(a && fx_connect(&c, a->addr) == 0 && hello(&c, NULL) == 0);
	n = (size_t)snprintf(req, sizeof(req), "{\"op\":\"exits-start\",\"reasons\":false,\"target\":[");
	for (int i = 0; i < 16; i++) {
		pids[i] = spawn_threads(32);
		if (pids[i] < 0) {
			reap(pids, i);
			CHECK_MSG(0, "fork: %s", strerror(errno));
		}
		n += (size_t)snprintf(req + n, sizeof(req) - n, "%s%d", i ? "," : "", (int)pids[i]);
	}
	snprintf(req + n, sizeof(req) - n, "]}");
	fds0 = open_fds(a->pid);
	r = fx_call(&c, req);
	fds = open_fds(a->pid);
	printf("  exits-start on 16 x 32 threads: %s%s%s; the agent holds %d descriptors (%d before)\n",
	       fx_ok(r) ? "ok" : fx_code(r), fx_ok(r) ? "" : ": ",
	       fx_ok(r) ? "" : nb_proto_error_message(r), fds, fds0);
	int refused = !fx_ok(r) && strcmp(fx_code(r), "too_large") == 0 &&
		      strstr(nb_proto_error_message(r), "--max-exits-fds");
	cJSON_Delete(r);
	if (!refused) {
		reap(pids, 16);
		CHECK_MSG(0, "exits-start opened %d descriptors for one request", fds - fds0);
	}
	CHECK(fds - fds0 < 16);
	/* one process is within the cap */
	snprintf(req, sizeof(req), "{\"op\":\"exits-start\",\"reasons\":false,\"target\":[%d]}",
		 (int)pids[0]);
	r = fx_call(&c, req);
	int ok = fx_ok(r);
	cJSON_Delete(r);
	r = fx_call(&c, "{\"op\":\"exits-stop\"}");
	ok = ok && fx_ok(r);
	cJSON_Delete(r);
	/* With the agent's own descriptor limit lowered, what one counting may open
	 * leaves room for sessions: refused, naming the file limit. */
	if (ok && set_nofile(a->pid, (rlim_t)limit_for(a->pid, 400)) == 0) {
		r = fx_call(&c, req);
		printf("  exits-start under a low file limit: %s: %s\n", fx_code(r),
		       nb_proto_error_message(r));
		ok = !fx_ok(r) && strstr(nb_proto_error_message(r), "ulimit -n");
		cJSON_Delete(r);
	}
	reap(pids, 16);
	CHECK_MSG(ok, "exits-start on one process (or the file-limit check) failed");
	CHECK(fx_ping(&c));
	nb_client_close(&c);
}

TEST(exits_start_descriptor_cap)
{
	cJSON *p = nb_exits_probe();
	const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "reason"));

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "supported"))) {
		printf("  (skipped: exit counting unavailable here: %s)\n", why ? why : "?");
		cJSON_Delete(p);
		return;
	}
	cJSON_Delete(p);
	FX_RUN(exits_cap_body);
}
