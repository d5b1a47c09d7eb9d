/* exec.c - run a stored binary: its own process group, stdin from /dev/null, stdout
 * and stderr captured (bounded), a timeout that ends the whole group (SIGTERM, then
 * SIGKILL after a grace period), and the group's stragglers killed when it exits. */
#include "agent.h"

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

#define ERR_LEN 256

static char *const clean_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LC_ALL=C",
	"HOME=/",
	NULL,
};

struct sink {
	char *buf;
	size_t len, cap, max;
	int truncated;
	int fd;
};

static void sink_add(struct sink *s, const char *p, size_t n)
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
static void sink_read(struct sink *s)
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

static void child(const struct nb_exec_req *r, int devnull, int out, int errfd)
{
	sigset_t none;
	struct sigaction dfl;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);   /* the agent ignores it; the workload must not */
	if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
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

int nb_exec_run(const struct nb_exec_req *r, struct nb_exec_result *res, char *err)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, devnull, pidfd, status = 0;
	struct sink so = { .max = r->max_out, .fd = -1 }, se = { .max = r->max_err, .fd = -1 };
	uint64_t t0 = nb_mono_ns(), deadline, kill_at = 0;
	int watch_fd = r->watch_fd;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		snprintf(err, ERR_LEN, "pipe2//dev/null: %s", strerror(errno));
		goto fail_fds;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, ERR_LEN, "fork: %s", strerror(errno));
		goto fail_fds;
	}
	if (pid == 0)
		child(r, devnull, outp[1], errp[1]);
	setpgid(pid, pid); /* also here: no race with a kill before the child ran */
	res->pgid = pid;
	if (r->started)
		r->started(r->arg, pid);
	close(devnull);
	close(outp[1]);
	close(errp[1]);
	so.fd = outp[0];
	se.fd = errp[0];
	fcntl(so.fd, F_SETFL, O_NONBLOCK);
	fcntl(se.fd, F_SETFL, O_NONBLOCK);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	deadline = t0 + (uint64_t)r->timeout_ms * 1000000ull;

	for (;;) {
		struct pollfd p[4];   /* stdout, stderr, pidfd, the client's connection */
		int n = 0, wait_ms;
		uint64_t now = nb_mono_ns();

		if (exited(pid))
			break;
		if (!res->timed_out && !res->abandoned && now >= deadline) {
			res->timed_out = 1;
			kill(-pid, SIGTERM);
			kill_at = now + (uint64_t)r->grace_ms * 1000000ull;
		}
		if (kill_at && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill_at = 0;
		}
		if (so.fd >= 0)
			p[n++] = (struct pollfd){ .fd = so.fd, .events = POLLIN };
		if (se.fd >= 0)
			p[n++] = (struct pollfd){ .fd = se.fd, .events = POLLIN };
		if (pidfd >= 0)
			p[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		int watch = watch_fd >= 0 ? n : -1;
		if (watch_fd >= 0)
			p[n++] = (struct pollfd){ .fd = watch_fd, .events = POLLRDHUP };
		uint64_t next = res->timed_out || res->abandoned ? (kill_at ? kill_at : now + 100000000ull)
								 : deadline;
		wait_ms = next > now ? (int)((next - now + 999999) / 1000000) : 0;
		if (pidfd < 0 && wait_ms > 10)
			wait_ms = 10; /* no pidfd (kernel < 5.3): poll for the exit */
		if (poll(p, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
			break;
		if (watch >= 0 && (p[watch].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			/* The client is gone: end the group as a timeout would. */
			res->abandoned = 1;
			watch_fd = -1;
			kill(-pid, SIGTERM);
			kill_at = nb_mono_ns() + (uint64_t)r->grace_ms * 1000000ull;
		}
		if (so.fd >= 0)
			sink_read(&so);
		if (se.fd >= 0)
			sink_read(&se);
	}
	/* The workload is a zombie: end anything it left in its group, then collect
	 * what is still in the pipes. */
	kill(-pid, SIGKILL);
	{
		uint64_t until = nb_mono_ns() + 200000000ull;
		while ((so.fd >= 0 || se.fd >= 0) && nb_mono_ns() < until) {
			struct pollfd p[2];
			int n = 0;
			if (so.fd >= 0)
				p[n++] = (struct pollfd){ .fd = so.fd, .events = POLLIN };
			if (se.fd >= 0)
				p[n++] = (struct pollfd){ .fd = se.fd, .events = POLLIN };
			if (poll(p, (nfds_t)n, 20) < 0 && errno != EINTR)
				break;
			if (so.fd >= 0)
				sink_read(&so);
			if (se.fd >= 0)
				sink_read(&se);
		}
	}
	if (so.fd >= 0)
		close(so.fd);
	if (se.fd >= 0)
		close(se.fd);
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Group members orphaned by the leader were reparented to the agent (a child
	 * subreaper): collect them, so no zombie keeps the group alive. */
	for (uint64_t until = nb_mono_ns() + 500000000ull; nb_mono_ns() < until;) {
		pid_t k = waitpid(-pid, NULL, WNOHANG);
		if (k < 0 && errno != EINTR)
			break;   /* ECHILD: none left */
		if (k == 0) {
			struct timespec ts = { 0, 2 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
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

fail_fds:
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return -1;
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
