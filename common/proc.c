/* proc.c - fork/exec with captured output: the harness runs its own helper programs
 * (nestbench-work for the catalog, nestbench-agent for the local tier), analysis runs
 * gnuplot; by path, never through a shell. */
#include "proc.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


struct buf {
	char *p;
	size_t len, cap;
};

static int buf_read(struct buf *b, int fd)
{
	if (b->cap - b->len < 4096) {
		size_t cap = b->cap ? b->cap * 2 : 8192;
		char *p = realloc(b->p, cap + 1);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	ssize_t n = read(fd, b->p + b->len, b->cap - b->len);
	if (n > 0)
		b->len += (size_t)n;
	return (int)n;
}

static char *buf_finish(struct buf *b)
{
	if (!b->p && !(b->p = malloc(1)))
		return NULL;
	b->p[b->len] = '\0';
	return b->p;
}

int nb_proc_run(char *const argv[], struct nb_proc_out *o, char err[NB_ERR_LEN])
{
	int po[2], pe[2], st;
	struct buf out = { 0 }, er = { 0 };
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		return nb_err(err, "pipe: %s", strerror(errno));
	}
	if ((pid = fork()) < 0) {
		snprintf(err, NB_ERR_LEN, "fork: %s", strerror(errno));
		close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (buf_read(i ? &er : &out, p[i].fd) <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	o->out = buf_finish(&out);
	o->out_len = out.len;
	o->err = buf_finish(&er);
	if (!o->out || !o->err) {
		nb_proc_out_free(o);
		return nb_err(err, "out of memory reading %s's output", argv[0]);
	}
	return 0;
}

void nb_proc_out_free(struct nb_proc_out *o)
{
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}

int nb_proc_spawn_pipes(char *const argv[], pid_t *pid, int *to_child, int *from_child,
			char err[NB_ERR_LEN])
{
	int in[2], out[2];

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		return nb_err(err, "pipe: %s", strerror(errno));
	}
	if ((*pid = fork()) < 0) {
		snprintf(err, NB_ERR_LEN, "fork: %s", strerror(errno));
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		return -1;
	}
	if (*pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		/* Ctrl-C goes to the harness, which stops the agent itself, in order. */
		setpgid(0, 0);
		execv(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*to_child = in[1];
	*from_child = out[0];
	return 0;
}

int nb_proc_self_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (!(slash = strrchr(buf, '/')))
		return -1;
	*slash = '\0';
	return 0;
}
