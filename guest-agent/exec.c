/* exec.c - run a stored binary: its own process group, stdin from /dev/null, stdout
 * and stderr captured (bounded), default signal dispositions, a clean environment.
 *
 * What a run owns: the workload and every process it starts, whatever they do with
 * their process group or session: all in the run's cgroup when the agent can make one,
 * and every process below the agent (a child subreaper) that started no earlier than
 * the workload (reaper.c).
 *
 * How a run ends:
 *   - the workload exits: what it left behind is killed (SIGKILL), at once;
 *   - its timeout passes, or its client hangs up (a full close: a half-close is not a
 *     hang-up, hangup.c): SIGTERM to the workload's process group (the workload
 *     removes its scratch files), SIGKILL to the group after a grace period;
 *   then, once the workload is gone, SIGKILL to everything else the run owns until
 *   none is left (at most 2 s), and what was reparented to the agent is reaped (no
 *   zombie stays behind).  Then stdout and stderr are read to their end. */
#include "agent.h"
#include "../common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


static char *const clean_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LC_ALL=C",
	"HOME=/",
	NULL,
};

static void sink_add(struct nb_sink *s, const char *p, size_t n)
{
	if (s->len + n > s->max) {
		s->truncated = 1;
		n = s->max > s->len ? s->max - s->len : 0;
	}
	if (!n)
		return;
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 8192;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (!b) {
			s->truncated = 1;
			return;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

/* Read what is there; close the fd at end of stream. */
void nb_sink_read(struct nb_sink *s)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = read(s->fd, buf, sizeof(buf));
		if (n > 0) {
			sink_add(s, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			close(s->fd);
			s->fd = -1;
		}
		return;
	}
}

static int exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	/* WNOWAIT: keep the zombie, so the process group id cannot be reused yet. */
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

static void child(const struct nb_exec_req *r, const struct nb_reaper *rp, int in, int out,
		  int errfd)
{
	sigset_t none;
	struct sigaction dfl;

	setpgid(0, 0);
	nb_reaper_child(rp);
	/* The agent's handlers (SIGTERM, SIGINT) stay installed until execve: a signal that
	 * came in between would run them and be lost.  Defaults first, then unblock. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);   /* SIGPIPE too: the agent ignores it */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	if (r->cwd && chdir(r->cwd) != 0)
		_exit(127);
	execve(r->path, r->argv, clean_env);
	{
		static const char m[] = "nestbench-agent: execve of the stored binary failed\n";
		ssize_t k = write(2, m, sizeof(m) - 1);
		(void)k;
	}
	_exit(127);
}

/* End the workload's group: SIGTERM now, SIGKILL when the grace period is over. */
static void terminate(pid_t pid, unsigned grace_ms, uint64_t *kill_at)
{
	kill(-pid, SIGTERM);
	*kill_at = nb_mono_ns() + (uint64_t)grace_ms * 1000000ull;
}

/* Until the workload exits: collect its output, enforce the timeout, watch the client. */
static void supervise(const struct nb_exec_req *r, pid_t pid, struct nb_sink *so, struct nb_sink *se,
		      uint64_t deadline, struct nb_exec_result *res)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	uint64_t kill_at = 0;
	struct nb_hangup client;

	nb_hangup_init(&client, r->watch_fd);
	for (;;) {
		struct pollfd p[4];   /* stdout, stderr, pidfd, the client's connection */
		int n = 0, wait_ms, watch = -1;
		uint64_t now = nb_mono_ns();

		if (exited(pid))
			break;
		if (!res->timed_out && !res->abandoned && now >= deadline) {
			res->timed_out = 1;
			terminate(pid, r->grace_ms, &kill_at);
		}
		if (kill_at && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill_at = 0;
		}
		if (so->fd >= 0)
			p[n++] = (struct pollfd){ .fd = so->fd, .events = POLLIN };
		if (se->fd >= 0)
			p[n++] = (struct pollfd){ .fd = se->fd, .events = POLLIN };
		if (pidfd >= 0)
			p[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		uint64_t next = res->timed_out || res->abandoned ? (kill_at ? kill_at : now + 100000000ull)
								 : deadline;
		wait_ms = next > now ? (int)((next - now + 999999) / 1000000) : 0;
		if (pidfd < 0 && wait_ms > 10)
			wait_ms = 10; /* no pidfd (kernel < 5.3): poll for the exit */
		if (client.fd >= 0 && !res->abandoned && !res->timed_out) {
			watch = n;
			p[n++] = nb_hangup_pollfd(&client);
			wait_ms = nb_hangup_wait_ms(&client, wait_ms);
		}
		if (poll(p, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
			break;
		if (watch >= 0 && nb_hangup_check(&client, p[watch].revents)) {
			/* Nobody will read the result: end the group as a timeout would. */
			res->abandoned = 1;
			terminate(pid, r->grace_ms, &kill_at);
		}
		if (so->fd >= 0)
			nb_sink_read(so);
		if (se->fd >= 0)
			nb_sink_read(se);
	}
	if (pidfd >= 0)
		close(pidfd);
}

/* Read stdout and stderr to their end (their writers are gone), for at most ms. */
void nb_sink_drain(struct nb_sink *so, struct nb_sink *se, unsigned ms)
{
	uint64_t until = nb_mono_ns() + (uint64_t)ms * 1000000ull;

	while ((so->fd >= 0 || se->fd >= 0) && nb_mono_ns() < until) {
		struct pollfd p[2];
		int n = 0;
		if (so->fd >= 0)
			p[n++] = (struct pollfd){ .fd = so->fd, .events = POLLIN };
		if (se->fd >= 0)
			p[n++] = (struct pollfd){ .fd = se->fd, .events = POLLIN };
		if (poll(p, (nfds_t)n, 20) < 0 && errno != EINTR)
			break;
		if (so->fd >= 0)
			nb_sink_read(so);
		if (se->fd >= 0)
			nb_sink_read(se);
	}
	if (so->fd >= 0)
		close(so->fd);
	if (se->fd >= 0)
		close(se->fd);
	so->fd = se->fd = -1;
}

int nb_exec_start(const struct nb_exec_req *r, int with_stdin, unsigned long worker,
		  struct nb_child *ch, char err[NB_ERR_LEN])
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };

	ch->pid = -1;
	ch->in = ch->out = ch->err = -1;
	if (with_stdin ? pipe2(inp, O_CLOEXEC) != 0
		       : (inp[0] = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		snprintf(err, NB_ERR_LEN, "cannot make the workload's stdin: %s", strerror(errno));
		goto fail_fds;
	}
	if (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		snprintf(err, NB_ERR_LEN, "cannot make the workload's output pipes: %s",
			 strerror(errno));
		goto fail_fds;
	}
	nb_reaper_init(&ch->rp, worker);
	ch->pid = fork();
	if (ch->pid < 0) {
		snprintf(err, NB_ERR_LEN, "fork: %s", strerror(errno));
		nb_reaper_end(&ch->rp);   /* removes its cgroup */
		goto fail_fds;
	}
	if (ch->pid == 0)
		child(r, &ch->rp, inp[0], outp[1], errp[1]);
	setpgid(ch->pid, ch->pid); /* also here: no race with a kill before the child ran */
	nb_reaper_started(&ch->rp, ch->pid);
	if (r->started)
		r->started(r->arg, ch->pid);
	close(inp[0]);
	close(outp[1]);
	close(errp[1]);
	ch->in = inp[1];
	ch->out = outp[0];
	ch->err = errp[0];
	fcntl(ch->out, F_SETFL, O_NONBLOCK);
	fcntl(ch->err, F_SETFL, O_NONBLOCK);
	return 0;

fail_fds:
	for (int i = 0; i < 2; i++) {
		if (inp[i] >= 0)
			close(inp[i]);
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return -1;
}

int nb_exec_run(const struct nb_exec_req *r, struct nb_exec_result *res, char err[NB_ERR_LEN])
{
	struct nb_sink so = { .max = r->max_out, .fd = -1 }, se = { .max = r->max_err, .fd = -1 };
	uint64_t t0 = nb_mono_ns();
	struct nb_child ch;
	int status = 0;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (nb_exec_start(r, 0, 0, &ch, err))
		return -1;
	pid = ch.pid;
	res->pgid = pid;
	so.fd = ch.out;
	se.fd = ch.err;

	supervise(r, pid, &so, &se, t0 + (uint64_t)r->timeout_ms * 1000000ull, res);
	/* The workload is a zombie (kept so far, so that its process group id could not
	 * be reused): end the rest of its group, collect it, then end everything else the
	 * run owns, and read what is left in the pipes (their writers are gone). */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r->started)
		r->started(r->arg, 0);
	res->left = nb_reaper_end(&ch.rp);
	snprintf(res->owner, sizeof(res->owner), "%s", ch.rp.how);
	nb_sink_drain(&so, &se, 200);
	res->elapsed_ms = (double)(nb_mono_ns() - t0) / 1e6;
	if (WIFEXITED(status)) {
		res->exit_status = WEXITSTATUS(status);
	} else {
		res->exit_status = -1;
		res->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	res->out = so.buf ? so.buf : strdup("");
	res->out_len = so.len;
	res->out_truncated = so.truncated;
	res->errout = se.buf ? se.buf : strdup("");
	res->err_len = se.len;
	res->err_truncated = se.truncated;
	return 0;
}

void nb_exec_result_free(struct nb_exec_result *res)
{
	free(res->out);
	free(res->errout);
	res->out = res->errout = NULL;
}

void nb_exec_parse_lines(const char *out, size_t len, cJSON *records, cJSON *other)
{
	const char *p = out, *end = out + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0) {
			cJSON *o = cJSON_ParseWithLength(p, n);
			if (cJSON_IsObject(o)) {
				cJSON_AddItemToArray(records, o);
			} else {
				cJSON_Delete(o);
				char *line = strndup(p, n);
				if (line) {
					cJSON_AddItemToArray(other, cJSON_CreateString(line));
					free(line);
				}
			}
		}
		p += n + 1;
	}
}
