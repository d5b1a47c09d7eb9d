/* test_exec_tree.c - what a run owns, and when a client has hung up.
 *
 * A run owns every process it starts: one that leaves the workload's process group and
 * session (setsid) is killed and reaped when the run ends - by its timeout, by its
 * client hanging up, or by the workload exiting - with the run's own cgroup and
 * without one (NESTBENCH_AGENT_CGROUP=off).  The workload is tests/agent/helpers/
 * escape.c, stored with put like nestbench-work.
 *
 * A client that only half-closes its connection (shutdown(SHUT_WR)) still reads: it
 * gets its records, directly (unix, tcp) and through relays; a full close still ends
 * the run at once, directly and through relays. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../guest-agent/agent.h"
#include "fixture.h"

#include <dirent.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* ---- processes -------------------------------------------------------------------- */

/* 1 once pid has neither a process nor a zombie (/proc/<pid> gone), within ms. */
static int gone_within(pid_t pid, int ms)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	for (int waited = 0; waited <= ms; waited += 10) {
		if (kill(pid, 0) != 0 && errno == ESRCH && access(path, F_OK) != 0)
			return 1;
		sleep_ms(10);
	}
	return 0;
}

/* A failed test must not leave the escaped process running (it may have become ours). */
static void finish_off(pid_t pid)
{
	if (pid > 0 && kill(pid, SIGKILL) == 0) {
		sleep_ms(50);
		waitpid(pid, NULL, WNOHANG);
	}
}

/* Zombies whose parent is `parent`. */
static int zombies_of(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[300], buf[512], *rp, state;
		int ppid;
		FILE *fp;
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		if (fgets(buf, sizeof(buf), fp) && (rp = strrchr(buf, ')')) &&
		    sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && state == 'Z' && ppid == parent)
			n++;
		fclose(fp);
	}
	closedir(d);
	return n;
}

/* ---- the agent --------------------------------------------------------------------- */

/* An agent whose runs get a cgroup when it can make one (cgroup = 1), or never. */
static struct fx_agent *agent(struct fx *f, const char *name, int cgroup)
{
	struct fx_agent *a;

	/* --verbose: each run's end, with how its processes were found, is logged. */
	static const char *const verbose[] = { "--verbose", NULL };

	if (!cgroup)
		setenv("NESTBENCH_AGENT_CGROUP", "off", 1);
	a = fx_agent(f, name, NULL, verbose);
	unsetenv("NESTBENCH_AGENT_CGROUP");
	return a;
}

static int put_escape(struct fx *f, struct nb_client *c, char sha[65])
{
	char path[PATH_MAX], err[NB_ERR_LEN];
	const char *slash = strrchr(f->work_bin, '/');

	snprintf(path, sizeof(path), "%.*s/tests/agent-escape", (int)(slash - f->work_bin),
		 f->work_bin);
	if (access(path, X_OK)) {
		printf("  %s missing (make %s)\n", path, path);
		return -1;
	}
	if (nb_client_put_file(c, path, "agent-escape", sha, NULL, err)) {
		printf("  put %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static void spec(struct nb_run_spec *sp, const char *sha, const char *workload, unsigned timeout_ms)
{
	nb_run_spec_init(sp);
	snprintf(sp->sha256, sizeof(sp->sha256), "%s", sha);
	snprintf(sp->workload, sizeof(sp->workload), "%s", workload);
	sp->timeout_ms = timeout_ms;
}

static int send_run(struct nb_client *c, const struct nb_run_spec *sp)
{
	cJSON *req = nb_run_spec_encode(sp, 1);
	char *txt = req ? cJSON_PrintUnformatted(req) : NULL;
	int rc = txt ? fx_send_frame(c, txt) : -1;

	free(txt);
	cJSON_Delete(req);
	return rc;
}

/* The agent's busy flag (-1 when it does not answer). */
static int busy(const char *addr)
{
	struct nb_client c;
	char err[NB_ERR_LEN];
	cJSON *r = NULL;
	int b = -1;

	if (fx_connect(&c, addr))
		return -1;
	if (nb_client_ping(&c, NULL, &r, err) == 0)
		b = cJSON_IsTrue(fx_field(r, "busy"));
	cJSON_Delete(r);
	nb_client_close(&c);
	return b;
}

/* 1 once the agent is busy (want = 1) or idle (want = 0), within ms. */
static int busy_within(const char *addr, int want, int ms)
{
	for (int waited = 0; waited <= ms; waited += 20) {
		if (busy(addr) == want)
			return 1;
		sleep_ms(20);
	}
	return 0;
}

static pid_t escaped_pid(const cJSON *reply)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, fx_field(reply, "records"))
		if (strcmp(fx_str(it, "type"), "escape") == 0)
			return (pid_t)fx_num(it, "pid");
	return -1;
}

/* ---- a run owns its processes ------------------------------------------------------ */

/* Run `workload` of the escape helper; the escaped process must be gone and reaped when
 * the reply comes (within 2 s).  want_code: the run's error code, "" for success. */
static void escape_run(struct fx_agent *a, struct nb_client *c, const char *sha,
		       const char *workload, unsigned timeout_ms, const char *want_code)
{
	struct nb_run_spec sp;
	char err[NB_ERR_LEN];
	cJSON *r = NULL;
	pid_t pid;
	int rc, ok;

	spec(&sp, sha, workload, timeout_ms);
	rc = nb_client_run(c, &sp, &r, err);
	pid = escaped_pid(r);
	cJSON_Delete(r);
	ok = pid > 0 && gone_within(pid, 2000);
	finish_off(pid);
	CHECK_MSG(rc == (*want_code ? -1 : 0), "%s: %s", workload, rc ? err : "succeeded");
	CHECK_STR(c->code, want_code);
	CHECK_MSG(pid > 0, "%s: no escape record", workload);
	CHECK_MSG(ok, "%s: the escaped process %d outlived the run", workload, (int)pid);
	CHECK_MSG(zombies_of(a->pid) == 0, "%s: the agent keeps a zombie", workload);
}

/* The client hangs up during the run: the escaped process (its pid from the helper's
 * file in the agent's scratch directory) goes with the workload. */
static void escape_hangup(struct fx_agent *a, const char *sha)
{
	char file[PATH_MAX + 32];
	struct nb_run_spec sp;
	struct nb_client c;
	pid_t pid = -1;
	int ok = 0, idle = 0;

	snprintf(file, sizeof(file), "%s/work/escape.pid", a->state);
	unlink(file);
	CHECK(fx_connect(&c, a->addr) == 0);
	spec(&sp, sha, "escape.wait", 60000);
	CHECK(send_run(&c, &sp) == 0);
	for (int i = 0; i < 500 && pid <= 0; i++) {
		FILE *fp = fopen(file, "r");
		if (fp) {
			if (fscanf(fp, "%d", &pid) != 1)
				pid = -1;
			fclose(fp);
		}
		if (pid <= 0)
			sleep_ms(10);
	}
	nb_client_close(&c);
	if (pid > 0) {
		idle = busy_within(a->addr, 0, 5000);
		ok = gone_within(pid, 2000);
	}
	finish_off(pid);
	CHECK_MSG(pid > 0, "the helper never wrote %s", file);
	CHECK_MSG(idle, "the run went on after its client hung up");
	CHECK_MSG(ok, "the escaped process %d outlived the abandoned run", (int)pid);
	CHECK_MSG(zombies_of(a->pid) == 0, "the agent keeps a zombie");
}

static void escape_body(struct fx *f, int cgroup)
{
	struct fx_agent *a = agent(f, "a", cgroup);
	struct nb_client c;
	char sha[65], line[1024];

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK(put_escape(f, &c, sha) == 0);
	escape_run(a, &c, sha, "escape.wait", 1000, "timeout");
	escape_run(a, &c, sha, "escape.exit", 20000, "");
	escape_run(a, &c, sha, "escape.orphan", 20000, "");
	if (nbt_failed())
		return;
	CHECK(fx_ping(&c));
	nb_client_close(&c);
	escape_hangup(a, sha);
	if (nbt_failed())
		return;
	/* Which way the agent found them; a run's cgroup goes with the run. */
	CHECK(fx_wait_log(a, "processes:", 1000, line, sizeof(line)) == 0);
	printf("  %s\n", strstr(line, "processes:"));
	if (!cgroup)
		CHECK(strstr(line, "process tree") != NULL);
	if (strstr(line, "processes: cgroup /")) {
		const char *dir = strstr(line, "processes: cgroup ") + strlen("processes: cgroup ");
		CHECK_MSG(access(dir, F_OK) != 0, "%s is still there after the run", dir);
	}
}

static void escape_cgroup_body(struct fx *f) { escape_body(f, 1); }
static void escape_tree_body(struct fx *f) { escape_body(f, 0); }

TEST(run_owns_escaped_processes) { FX_RUN(escape_cgroup_body); }
TEST(run_owns_escaped_processes_without_cgroup) { FX_RUN(escape_tree_body); }

/* ---- half-close and full close ----------------------------------------------------- */

/* hangup.c on its own: what a half-close and a full close look like to the agent. */
static int gone_after(struct nb_hangup *h, int ms)
{
	struct pollfd p = nb_hangup_pollfd(h);

	if (poll(&p, 1, nb_hangup_wait_ms(h, ms)) < 0)
		return -1;
	return nb_hangup_check(h, p.revents);
}

static void stream_pair(int type, int sv[2])
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int l;

	sv[0] = sv[1] = -1;
	if (type == AF_UNIX) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			sv[0] = sv[1] = -1;
		return;
	}
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sl) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&sa, &sl))
		goto out;
	sv[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sv[1] < 0 || connect(sv[1], (struct sockaddr *)&sa, sl))
		goto out;
	sv[0] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
out:
	if (l >= 0)
		close(l);
}

TEST(hangup_is_a_full_close_not_a_half_close)
{
	static const int types[] = { AF_UNIX, AF_INET };

	for (int i = 0; i < 2; i++) {
		const char *name = types[i] == AF_UNIX ? "unix" : "tcp";
		struct nb_hangup h;
		int sv[2];

		stream_pair(types[i], sv);
		CHECK_MSG(sv[0] >= 0 && sv[1] >= 0, "%s: no connected pair", name);
		nb_hangup_init(&h, sv[0]);
		CHECK_MSG(gone_after(&h, 0) == 0, "%s: open", name);
		shutdown(sv[1], SHUT_WR);
		CHECK_MSG(gone_after(&h, 50) == 0 && h.half, "%s: a half-close is not a hang-up", name);
		CHECK_MSG(gone_after(&h, 300) == 0, "%s: still there a probe later", name);
		close(sv[1]);
		/* unix: seen at once; tcp: a FIN like the half-close, nothing to see */
		CHECK_MSG(gone_after(&h, 300) == (types[i] == AF_UNIX), "%s: full close", name);
		close(sv[0]);
	}
	/* A pipe (stdio): its reader gone is a hang-up. */
	{
		struct nb_hangup h;
		int p[2];
		CHECK(pipe(p) == 0);
		nb_hangup_init(&h, p[1]);
		CHECK(gone_after(&h, 0) == 0);
		close(p[0]);
		CHECK(gone_after(&h, 0) == 1);
		close(p[1]);
	}
}

/* Send a short run of the real workload, shut down the sending side, read the reply:
 * it must carry every record, and then the agent (or the chain) closes. */
/* shutdown(SHUT_WR), or closing the writing pipe (stdio). */
static int stop_sending(struct nb_client *c)
{
	if (shutdown(c->conn.wfd, SHUT_WR) == 0)
		return 0;
	if (errno != ENOTSOCK)
		return -1;
	close(c->conn.wfd);
	c->conn.wfd = -1;
	return 0;
}

static void half_closed_run(struct nb_client *c, const char *sha, const char *where)
{
	struct nb_run_spec sp;
	cJSON *r;
	int reps = 0;
	const cJSON *it;

	spec(&sp, sha, "cpu.int", 30000);
	sp.reps = 2;
	sp.min_time_ms = 100;
	CHECK(send_run(c, &sp) == 0);
	CHECK(stop_sending(c) == 0);
	r = fx_recv(c);
	CHECK_MSG(r != NULL, "%s: no reply after a half-close", where);
	cJSON_ArrayForEach(it, fx_field(r, "records"))
		reps += strcmp(fx_str(it, "type"), "rep") == 0;
	int ok = fx_ok(r), abandoned = cJSON_IsTrue(fx_field(r, "abandoned"));
	int status = cJSON_IsNumber(fx_field(r, "exit_status")) ? (int)fx_num(r, "exit_status") : -1;
	char sig[16];
	snprintf(sig, sizeof(sig), "%s", fx_str(r, "signal"));
	cJSON_Delete(r);
	CHECK_MSG(ok && !abandoned && status == 0,
		  "%s: half-closed client: ok %d, abandoned %d, exit status %d, signal \"%s\"",
		  where, ok, abandoned, status, sig);
	CHECK_MSG(reps == 3, "%s: %d rep records, not 1 warm-up + 2", where, reps);
	CHECK_MSG(fx_recv(c) == NULL, "%s: the connection stayed open", where);
}

static void half_close_body(struct fx *f)
{
	struct fx_agent *u = fx_agent(f, "u", NULL, NULL), *t = fx_agent(f, "t", "tcp:127.0.0.1:0", NULL);
	struct nb_client c;
	char sha[65], err[NB_ERR_LEN];

	CHECK(u && t);
	CHECK(fx_connect(&c, u->addr) == 0);
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
	half_closed_run(&c, sha, "unix");
	nb_client_close(&c);
	if (nbt_failed())
		return;
	CHECK(fx_connect(&c, t->addr) == 0);
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
	half_closed_run(&c, sha, "tcp");
	nb_client_close(&c);
}
TEST(half_closed_client_gets_its_records) { FX_RUN(half_close_body); }

/* stdio: the client closes the agent's stdin (half) and later its stdout (full). */
static void stdio_body(struct fx *f)
{
	struct nb_client c;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	struct fx_agent *a = fx_stdio_agent(f, NULL, &c);
	int alive;

	CHECK(a != NULL);
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
	half_closed_run(&c, sha, "stdio");
	nb_client_close(&c);
	CHECK_MSG(fx_exited_ok(a, 5000), "the --stdio agent did not exit after its session");
	if (nbt_failed())
		return;

	a = fx_stdio_agent(f, NULL, &c);
	CHECK(a != NULL);
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
	spec(&sp, sha, "cpu.int", 120000);
	sp.reps = 1000;
	sp.min_time_ms = 60;
	CHECK(send_run(&c, &sp) == 0);
	sleep_ms(300);
	CHECK(stop_sending(&c) == 0);
	sleep_ms(1500);
	alive = kill(a->pid, 0) == 0 && !fx_exited_ok(a, 0);
	nb_client_close(&c);
	CHECK_MSG(alive, "stdio: a half-close ended the run");
	CHECK_MSG(fx_exited_ok(a, 5000), "stdio: the run went on after a full close");
}
TEST(stdio_half_close_and_full_close) { FX_RUN(stdio_body); }

static void relay_half_close_body(struct fx *f)
{
	struct fx_agent *l0 = fx_agent(f, "l0", NULL, NULL), *l1 = fx_agent(f, "l1", NULL, NULL),
			*l2 = fx_agent(f, "l2", NULL, NULL);
	struct nb_client c;
	char sha[65], err[NB_ERR_LEN];

	CHECK(l0 && l1 && l2 && fx_connect(&c, l0->addr) == 0);
	CHECK_MSG(nb_client_relay(&c, l1->addr, NULL, err) == 0, "%s", err);
	CHECK_MSG(nb_client_relay(&c, l2->addr, NULL, err) == 0, "%s", err);
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
	half_closed_run(&c, sha, "L0 -> L1 -> L2");
	nb_client_close(&c);
	/* Every hop serves on. */
	CHECK(busy(l0->addr) == 0 && busy(l1->addr) == 0 && busy(l2->addr) == 0);
}
TEST(half_closed_client_gets_its_records_through_relays) { FX_RUN(relay_half_close_body); }

/* A long run (it would last a minute) on `far`, from a client talking to `near` (the
 * same agent, or a relay to it) that hangs up: with half = 1 it half-closes first, and
 * the run must go on; the full close must end it within 5 s. */
static void full_close(struct fx *f, struct fx_agent *near, struct fx_agent *far, int half,
		       const char *where)
{
	struct nb_client c;
	struct nb_run_spec sp;
	char sha[65], err[NB_ERR_LEN];
	int running, still = 1;

	CHECK(fx_connect(&c, near->addr) == 0);
	if (near != far)
		CHECK_MSG(nb_client_relay(&c, far->addr, NULL, err) == 0, "%s", err);
	CHECK(nb_client_put_file(&c, f->work_bin, "nestbench-work", sha, NULL, err) == 0);
	spec(&sp, sha, "cpu.int", 120000);
	sp.reps = 1000;
	sp.min_time_ms = 60;
	CHECK(send_run(&c, &sp) == 0);
	running = busy_within(far->addr, 1, 5000);
	if (running && half) {
		/* Past the workload's start, and past the SIGTERM-to-SIGKILL grace (1 s) an
		 * abandoned run gets. */
		sleep_ms(300);
		shutdown(c.conn.wfd, SHUT_WR);
		sleep_ms(1500);
		still = busy(far->addr) == 1;
	}
	nb_client_close(&c);
	CHECK_MSG(running, "%s: the run never started", where);
	CHECK_MSG(still, "%s: a half-close ended the run", where);
	CHECK_MSG(busy_within(far->addr, 0, 5000), "%s: the run went on after a full close", where);
}

static void full_close_body(struct fx *f)
{
	struct fx_agent *l0 = fx_agent(f, "l0", NULL, NULL), *l1 = fx_agent(f, "l1", NULL, NULL);

	CHECK(l0 && l1);
	full_close(f, l1, l1, 0, "direct");
	full_close(f, l1, l1, 1, "direct, half-close first");
	full_close(f, l0, l1, 0, "through a relay");
	full_close(f, l0, l1, 1, "through a relay, half-close first");
}
TEST(full_close_ends_the_run) { FX_RUN(full_close_body); }
