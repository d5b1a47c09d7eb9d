/* fixture.c - starting, reaching and always stopping agents for the tests. */
#include "fixture.h"
#include "../../common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every live fixture, so an exit or a fatal signal still stops its agents. */
static struct fx *live[8];

static void stop_all(void)
{
	for (int i = 0; i < 8; i++)
		if (live[i])
			fx_end(live[i]);
}

static void on_fatal(int sig)
{
	for (int i = 0; i < 8; i++)
		for (int k = 0; live[i] && k < live[i]->nag; k++)
			if (live[i]->ag[k].pid > 0)
				kill(live[i]->ag[k].pid, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int fx_begin(struct fx *f)
{
	static int hooked;
	char exe[PATH_MAX], *d;
	ssize_t n;

	memset(f, 0, sizeof(*f));
	if (!hooked) {
		atexit(stop_all);
		signal(SIGINT, on_fatal);
		signal(SIGTERM, on_fatal);
		signal(SIGSEGV, on_fatal);
		signal(SIGABRT, on_fatal);
		signal(SIGPIPE, SIG_IGN);
		hooked = 1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	d = dirname(dirname(exe)); /* $(BUILD)/tests/agent -> $(BUILD) */
	snprintf(f->agent_bin, sizeof(f->agent_bin), "%.4000s/nestbench-agent", d);
	snprintf(f->work_bin, sizeof(f->work_bin), "%.4000s/nestbench-work", d);
	if (access(f->agent_bin, X_OK) || access(f->work_bin, X_OK)) {
		printf("  fixture: %s or %s missing (make all)\n", f->agent_bin, f->work_bin);
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/nbt-agent.XXXXXX");
	if (!mkdtemp(f->dir)) {
		printf("  fixture: mkdtemp: %s\n", strerror(errno));
		f->dir[0] = '\0';
		return -1;
	}
	for (int i = 0; i < 8; i++)
		if (!live[i]) {
			live[i] = f;
			break;
		}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int fx_agent_stop(struct fx_agent *a, int ms)
{
	int status = 0;

	if (a->pid <= 0)
		return -1;
	kill(a->pid, SIGTERM);
	for (int waited = 0;; waited += 10) {
		pid_t r = waitpid(a->pid, &status, WNOHANG);
		if (r == a->pid)
			break;
		if (r < 0) {
			a->pid = 0;
			return -1;
		}
		if (waited >= ms) {
			kill(a->pid, SIGKILL);
			waitpid(a->pid, &status, 0);
			a->pid = 0;
			return -1;
		}
		sleep_ms(10);
	}
	a->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Print sanitizer reports from an agent's log; 1 when there were any. */
static int sanitizer_report(const struct fx_agent *a)
{
	FILE *fp = fopen(a->log, "r");
	char buf[1024];
	int bad = 0;

	if (!fp)
		return 0;
	while (fgets(buf, sizeof(buf), fp)) {
		if (strstr(buf, "Sanitizer") || strstr(buf, "runtime error:"))
			bad = 1;
		if (bad)
			printf("  agent log %s: %s", a->log, buf);
	}
	fclose(fp);
	return bad;
}

int fx_end(struct fx *f)
{
	int rc = 0;

	for (int i = 0; i < f->nag; i++) {
		if (f->ag[i].pid > 0) {
			int st = fx_agent_stop(&f->ag[i], 3000);
			if (st != 0) {
				printf("  agent %s: exit status %d after SIGTERM\n", f->ag[i].addr, st);
				rc = -1;
			}
		}
		if (sanitizer_report(&f->ag[i]))
			rc = -1;
	}
	f->nag = 0;
	if (f->dir[0])
		nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	f->dir[0] = '\0';
	for (int i = 0; i < 8; i++)
		if (live[i] == f)
			live[i] = NULL;
	return rc;
}

int fx_wait_log(const struct fx_agent *a, const char *needle, int ms, char *line, size_t len)
{
	for (int waited = 0; waited <= ms; waited += 10) {
		FILE *fp = fopen(a->log, "r");
		char buf[1024];
		if (fp) {
			while (fgets(buf, sizeof(buf), fp)) {
				if (!strstr(buf, needle))
					continue;
				buf[strcspn(buf, "\n")] = '\0';
				if (line)
					snprintf(line, len, "%s", buf);
				fclose(fp);
				return 0;
			}
			fclose(fp);
		}
		sleep_ms(10);
	}
	return -1;
}

struct fx_agent *fx_agent(struct fx *f, const char *name, const char *listen,
			  const char *const *extra)
{
	struct fx_agent *a;
	const char *argv[32];
	char listen_buf[200];
	int n = 0, logfd;
	pid_t pid;

	if (f->nag >= FX_MAX_AGENTS)
		return NULL;
	a = &f->ag[f->nag];
	memset(a, 0, sizeof(*a));
	if (!listen) {
		snprintf(listen_buf, sizeof(listen_buf), "unix:%.150s/%s.sock", f->dir, name);
		listen = listen_buf;
	}
	snprintf(a->addr, sizeof(a->addr), "%s", listen);
	char dir[256];
	snprintf(dir, sizeof(dir), "%.200s", f->dir);
	snprintf(a->log, sizeof(a->log), "%s/%s.log", dir, name);
	snprintf(a->state, sizeof(a->state), "%s/%s.state", dir, name);
	argv[n++] = f->agent_bin;
	argv[n++] = "--listen";
	argv[n++] = a->addr;
	argv[n++] = "--state-dir";
	argv[n++] = a->state;
	for (int i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	logfd = open(a->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0)
		return NULL;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(logfd, 2);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(logfd);
	if (pid < 0)
		return NULL;
	a->pid = pid;
	f->nag++;
	/* Ready when it says it listens on everything (one line per listener). */
	if (fx_wait_log(a, "listening on", 5000, NULL, 0)) {
		printf("  fixture: agent %s did not start; its log: %s\n", name, a->log);
		return NULL;
	}
	if (strncmp(listen, "tcp:", 4) == 0) {
		/* Port 0: learn the real port from the log. */
		char line[512], *p;
		if (fx_wait_log(a, "listening on tcp:", 1000, line, sizeof(line)) == 0 &&
		    (p = strstr(line, "tcp:")))
			snprintf(a->addr, sizeof(a->addr), "%s", p);
	}
	return a;
}

int fx_connect(struct nb_client *c, const char *addr)
{
	char err[NB_ERR_LEN];

	for (int i = 0; i < 200; i++) {
		if (nb_client_connect(c, addr, 2000, err) == 0) {
			c->timeout_ms = 30000;
			c->conn.timeout_ms = 30000;   /* for the raw frames too */
			return 0;
		}
		sleep_ms(10);
	}
	printf("  fx_connect: %s\n", err);
	return -1;
}

int fx_send_raw(struct nb_client *c, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };

	return nb_conn_write_all(&c->conn, &iov, 1);
}

int fx_send_frame(struct nb_client *c, const char *json)
{
	char err[NB_ERR_LEN];

	return nb_frame_write(&c->conn, json, strlen(json), err);
}

cJSON *fx_recv(struct nb_client *c)
{
	char err[NB_ERR_LEN];
	cJSON *r = NULL;

	if (nb_proto_recv(&c->conn, NB_FRAME_MAX_CLIENT, &r, err) != NB_FRAME_OK)
		return NULL;
	return r;
}

cJSON *fx_call(struct nb_client *c, const char *json)
{
	if (fx_send_frame(c, json))
		return NULL;
	return fx_recv(c);
}

const char *fx_code(const cJSON *reply) { return reply ? nb_proto_error_code(reply) : "(none)"; }

int fx_ok(const cJSON *reply)
{
	return reply && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok"));
}

int fx_ping(struct nb_client *c)
{
	char err[NB_ERR_LEN];

	return nb_client_ping(c, NULL, NULL, err) == 0;
}

const cJSON *fx_field(const cJSON *o, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = cJSON_GetObjectItemCaseSensitive(o, k);
	return o;
}

double fx_num(const cJSON *o, const char *path)
{
	const cJSON *v = fx_field(o, path);
	return cJSON_IsNumber(v) ? v->valuedouble : -1e300;
}

const char *fx_str(const cJSON *o, const char *path)
{
	const cJSON *v = fx_field(o, path);
	return cJSON_IsString(v) ? v->valuestring : "";
}

struct fx_agent *fx_stdio_agent(struct fx *f, const char *const *extra, struct nb_client *c)
{
	struct fx_agent *a = &f->ag[f->nag];
	const char *argv[32];
	char dir[PATH_MAX];
	int in[2], out[2], n = 0, k = f->nag;
	pid_t pid;

	if (f->nag >= FX_MAX_AGENTS)
		return NULL;
	snprintf(dir, sizeof(dir), "%.4000s", f->dir);   /* a, inside f, is written below */
	memset(a, 0, sizeof(*a));
	snprintf(a->state, sizeof(a->state), "%.4000s/stdio%d.state", dir, k);
	snprintf(a->log, sizeof(a->log), "%.4000s/stdio%d.log", dir, k);
	snprintf(a->addr, sizeof(a->addr), "stdio");
	argv[n++] = "nestbench-agent";
	argv[n++] = "--stdio";
	argv[n++] = "--state-dir";
	argv[n++] = a->state;
	for (int i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return NULL;
	pid = fork();
	if (pid == 0) {
		int log = open(a->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(log, 2);
		execv(f->agent_bin, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (pid < 0)
		return NULL;
	a->pid = pid;   /* fx_end stops it should a check fail */
	f->nag++;
	nb_client_from_fds(c, out[0], in[1], "stdio-test");
	c->timeout_ms = 30000;
	c->conn.timeout_ms = 30000;
	return a;
}

int fx_exited_ok(struct fx_agent *a, int ms)
{
	int status;

	for (int waited = 0; waited <= ms; waited += 10) {
		if (waitpid(a->pid, &status, WNOHANG) == a->pid) {
			a->pid = 0;
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return 0;
}

int fx_count_type(const cJSON *records, const char *type)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, records)
		n += strcmp(fx_str(it, "type"), type) == 0;
	return n;
}
