/* reaper.c - the processes a run owns, and ending them (exec.c says when).
 *
 * A run owns every process its workload starts, whatever it does with its process
 * group or session (setsid), found two ways:
 *   - its cgroup, when the agent can make one: cgroup v2 mounted, the agent's own
 *     cgroup writable and enabling no controller for its children (so the workload's
 *     accounting - memory charging, CPU group scheduling - is exactly what it would be
 *     beside the agent).  The run gets <agent's cgroup>/nestbench-run.<agent pid>; the
 *     workload joins it before exec, so everything it forks is born in it, and
 *     cgroup.kill ends them all at once, forks in flight too.  NESTBENCH_AGENT_CGROUP=off
 *     in the agent's environment turns this off.
 *   - the agent's process tree: the agent is a child subreaper (server.c) and starts no
 *     process but the workload, one run at a time, so every process below the agent
 *     that started no earlier than the workload is the run's, wherever it was
 *     reparented.  Each gets SIGKILL, again until none is left (this also catches a
 *     process that moved itself out of the cgroup).
 * Kept workers (workers.c) live across runs: older than any run, they are not its; a
 * worker's own reaper (worker > 0) takes only its cgroup and its own tree, and its leader
 * is collected by the pool.
 * What was reparented to the agent is then reaped, with waitpid on each such pid (never
 * waitpid(-1)); the cgroup is removed.  When the agent has no child left once the
 * workload is collected, nothing of the run is left either: that common case costs one
 * waitid, no scan of /proc. */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILL_WAIT_MS 2000   /* how long the processes of a run may take to die */
#define REAP_WAIT_MS 1000

#define RUN_CGROUP_PREFIX "nestbench-run."

struct proc {
	pid_t pid, ppid;
	char state;                 /* 'Z': a zombie */
	unsigned long long start;   /* clock ticks after boot */
};

static void nap_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* ---- /proc ------------------------------------------------------------------------- */

static int read_stat(pid_t pid, struct proc *p)
{
	char path[64], buf[1024], *s;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* pid (comm) state ppid ... starttime is field 22; comm may hold ") ". */
	s = strrchr(buf, ')');
	if (!s || sscanf(s + 1, " %c %d", &p->state, &p->ppid) != 2)
		return -1;
	s += 2;
	for (int field = 3; field < 22 && s; field++)
		if ((s = strchr(s, ' ')))
			s++;
	if (!s)
		return -1;
	p->pid = pid;
	p->start = strtoull(s, NULL, 10);
	return 0;
}

/* Every process; NULL when /proc cannot be read. */
static struct proc *scan(size_t *n)
{
	DIR *d = opendir("/proc");
	struct proc *v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (pid <= 0 || *end)
			continue;
		if (*n == cap) {
			struct proc *w = realloc(v, (cap = cap ? 2 * cap : 256) * sizeof(*v));
			if (!w)
				break;
			v = w;
		}
		if (read_stat((pid_t)pid, &v[*n]) == 0)
			(*n)++;
	}
	closedir(d);
	return v;
}

/* Mark the run's processes in v: the agent's children that started no earlier than the
 * workload, and everything below them. */
static void mark_run(const struct nb_reaper *rp, const struct proc *v, size_t n, char *mine)
{
	int more = 1;

	/* A kept worker is not alone below the agent: only its own tree is its. */
	for (size_t i = 0; i < n; i++)
		mine[i] = rp->worker ? v[i].pid == rp->leader
				     : v[i].ppid == rp->self && v[i].start >= rp->start;
	while (more) {
		more = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; !mine[i] && k < n; k++)
				if (mine[k] && v[i].ppid == v[k].pid)
					mine[i] = more = 1;
	}
}

/* SIGKILL every live process of the run in the process tree; how many were alive. */
static int kill_tree(const struct nb_reaper *rp)
{
	size_t n;
	struct proc *v = scan(&n);
	char *mine = calloc(n ? n : 1, 1);
	int alive = 0;

	if (v && mine) {
		mark_run(rp, v, n, mine);
		for (size_t i = 0; i < n; i++)
			if (mine[i] && v[i].state != 'Z' && v[i].state != 'X') {
				kill(v[i].pid, SIGKILL);
				alive++;
			}
	}
	free(mine);
	free(v);
	return alive;
}

/* ---- the run's cgroup -------------------------------------------------------------- */

static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The agent's cgroup v2 directory; 0, or -1 with why. */
static int own_cgroup(char *dir, size_t len, char *why, size_t wlen)
{
	char line[PATH_MAX * 2 + 256], rel[PATH_MAX] = "", root[PATH_MAX], mnt[PATH_MAX];
	FILE *fp = fopen("/proc/self/cgroup", "re");
	int found = 0;

	while (fp && fgets(line, sizeof(line), fp))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(rel, sizeof(rel), "%s", line + 3);
		}
	if (fp)
		fclose(fp);
	if (!rel[0]) {
		snprintf(why, wlen, "no cgroup v2 hierarchy (/proc/self/cgroup has no 0:: line)");
		return -1;
	}
	fp = fopen("/proc/self/mountinfo", "re");
	while (fp && !found && fgets(line, sizeof(line), fp)) {
		const char *dash = strstr(line, " - cgroup2 ");
		size_t rl;
		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    strchr(mnt, '\\'))
			continue;
		rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if (strncmp(rel, root, rl) != 0 || (rel[rl] != '/' && rel[rl] != '\0'))
			continue;   /* a cgroup2 mount that does not show the agent's cgroup */
		snprintf(dir, len, "%s%s", mnt, strcmp(rel + rl, "/") == 0 ? "" : rel + rl);
		found = 1;
	}
	if (fp)
		fclose(fp);
	if (!found)
		snprintf(why, wlen, "cgroup2 is not mounted (mount -t cgroup2 none /sys/fs/cgroup)");
	return found ? 0 : -1;
}

/* Remove the run cgroups of agents that are gone (a crash leaves its empty one). */
static void remove_stale(const char *dir, pid_t self)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX + 300];

	while (d && (de = readdir(d))) {
		long pid;
		if (strncmp(de->d_name, RUN_CGROUP_PREFIX, strlen(RUN_CGROUP_PREFIX)) != 0)
			continue;
		pid = strtol(de->d_name + strlen(RUN_CGROUP_PREFIX), NULL, 10);
		if (pid <= 0 || pid == self || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rmdir(path);   /* fails, harmlessly, while something is still in it */
	}
	if (d)
		closedir(d);
}

static int make_cgroup(struct nb_reaper *rp, char *why, size_t wlen)
{
	char dir[PATH_MAX], ctl[256], path[PATH_MAX + 64];

	if (own_cgroup(dir, sizeof(dir), why, wlen))
		return -1;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (read_small(path, ctl, sizeof(ctl)) == 0 && ctl[strspn(ctl, " \n")]) {
		ctl[strcspn(ctl, "\n")] = '\0';
		snprintf(why, wlen, "the agent's cgroup %s enables controllers for its children (%s): "
			 "a run cgroup would change the workload's accounting", dir, ctl);
		return -1;
	}
	remove_stale(dir, rp->self);
	if (rp->worker)   /* beside the run's and the other workers' */
		snprintf(rp->cg, sizeof(rp->cg), "%s/" RUN_CGROUP_PREFIX "%d.w%lu", dir,
			 (int)rp->self, rp->worker);
	else
		snprintf(rp->cg, sizeof(rp->cg), "%s/" RUN_CGROUP_PREFIX "%d", dir, (int)rp->self);
	rmdir(rp->cg);   /* an empty one left by this agent */
	if (mkdir(rp->cg, 0755) != 0) {
		snprintf(why, wlen, "cannot create %s: %s", rp->cg, strerror(errno));
		rp->cg[0] = '\0';
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", rp->cg);
	rp->procs_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (rp->procs_fd < 0) {
		snprintf(why, wlen, "cannot open %s: %s", path, strerror(errno));
		rmdir(rp->cg);
		rp->cg[0] = '\0';
		return -1;
	}
	return 0;
}

/* Processes still in the run's cgroup (each gets SIGKILL without cgroup.kill). */
static int cgroup_alive(const struct nb_reaper *rp)
{
	char path[PATH_MAX + 64], buf[4096];
	int fd, alive = 0;
	ssize_t n;
	size_t keep = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", rp->cg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while ((n = read(fd, buf + keep, sizeof(buf) - 1 - keep)) > 0) {
		char *p = buf, *nl;
		buf[keep + (size_t)n] = '\0';
		while ((nl = strchr(p, '\n'))) {
			alive++;
			if (!rp->has_kill)
				kill((pid_t)strtol(p, NULL, 10), SIGKILL);
			p = nl + 1;
		}
		keep = strlen(p);   /* a pid cut by the buffer's end */
		memmove(buf, p, keep);
	}
	close(fd);
	return alive;
}

static void cgroup_kill(struct nb_reaper *rp)
{
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.kill", rp->cg);
	fd = open(path, O_WRONLY | O_CLOEXEC);   /* Linux 5.14 and later */
	rp->has_kill = fd >= 0 && write(fd, "1", 1) == 1;
	if (fd >= 0)
		close(fd);
}

static void cgroup_remove(struct nb_reaper *rp)
{
	if (rp->procs_fd >= 0)
		close(rp->procs_fd);
	rp->procs_fd = -1;
	if (!rp->cg[0])
		return;
	/* Emptied a moment ago: the kernel may still count the last exits. */
	for (int i = 0; i < 250 && rmdir(rp->cg) != 0 && errno == EBUSY; i++)
		nap_ms(2);
	rp->cg[0] = '\0';
}

/* ---- a run ------------------------------------------------------------------------- */

void nb_reaper_init(struct nb_reaper *rp, unsigned long worker)
{
	const char *env = getenv("NESTBENCH_AGENT_CGROUP");
	char why[PATH_MAX + 160];

	memset(rp, 0, sizeof(*rp));
	rp->self = getpid();
	rp->worker = worker;
	rp->procs_fd = -1;
	if (env && strcmp(env, "off") == 0)
		snprintf(why, sizeof(why), "cgroup turned off (NESTBENCH_AGENT_CGROUP=off)");
	else if (make_cgroup(rp, why, sizeof(why)) == 0) {
		snprintf(rp->how, sizeof(rp->how), "cgroup %s", rp->cg);
		return;
	}
	snprintf(rp->how, sizeof(rp->how), "process tree; no cgroup: %s", why);
}

void nb_reaper_child(const struct nb_reaper *rp)
{
	/* Before exec, so that everything the workload forks is born in the cgroup.  A
	 * failure shows in the parent's own write (nb_reaper_started). */
	ssize_t n = rp->procs_fd >= 0 ? write(rp->procs_fd, "0", 1) : 0;

	(void)n;
}

void nb_reaper_started(struct nb_reaper *rp, pid_t leader)
{
	struct proc p;

	rp->leader = leader;
	if (read_stat(leader, &p) == 0)
		rp->start = p.start;
	if (rp->procs_fd < 0)
		return;
	/* The child moved itself; this tells whether it could (a no-op then). */
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)leader);
	if (write(rp->procs_fd, buf, (size_t)n) != n) {
		snprintf(rp->how, sizeof(rp->how), "process tree; no cgroup: cannot move the "
			 "workload into %s: %s", rp->cg, strerror(errno));
		cgroup_remove(rp);
		return;
	}
	close(rp->procs_fd);
	rp->procs_fd = -1;
}

/* The agent has a child (a process of the run: the agent starts no other). */
static int has_children(void)
{
	siginfo_t si;
	int rc;

	memset(&si, 0, sizeof(si));
	while ((rc = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT)) != 0 && errno == EINTR)
		;
	return rc == 0;   /* -1 with ECHILD: none */
}

/* SIGKILL everything left until nothing is; how many outlived KILL_WAIT_MS. */
static int kill_all(struct nb_reaper *rp)
{
	uint64_t until = nb_mono_ns() + KILL_WAIT_MS * 1000000ull;
	int alive;

	if (rp->cg[0])
		cgroup_kill(rp);
	for (;;) {
		alive = kill_tree(rp) + (rp->cg[0] ? cgroup_alive(rp) : 0);
		if (!alive || nb_mono_ns() >= until)
			return alive;
		nap_ms(2);
	}
}

/* Reap the run's zombies found in /proc. */
static void reap_scanned(const struct nb_reaper *rp)
{
	size_t n;
	struct proc *v = scan(&n);

	for (size_t i = 0; v && i < n; i++)
		if (v[i].ppid == rp->self && v[i].start >= rp->start && v[i].state == 'Z')
			waitpid(v[i].pid, NULL, WNOHANG);
	free(v);
}

/* The agent's children that belong to the run (started no earlier than it). */
static int run_children(const struct nb_reaper *rp)
{
	size_t n;
	struct proc *v = scan(&n);
	int k = 0;

	for (size_t i = 0; v && i < n; i++)
		k += v[i].ppid == rp->self && v[i].start >= rp->start;
	free(v);
	return v ? k : 1;
}

/* Reap the run's zombies, each by its pid: peek at the next waitable child, and
 * collect it when it started no earlier than the workload. */
static void reap(const struct nb_reaper *rp)
{
	uint64_t until = nb_mono_ns() + REAP_WAIT_MS * 1000000ull;

	for (;;) {
		siginfo_t si;
		struct proc p;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0) {
			if (errno == EINTR)
				continue;
			return;   /* ECHILD: no child left */
		}
		if (si.si_pid == 0) {
			/* Children, none waitable yet: dying, or stuck (kill_all said so), or
			 * kept workers, which are not the run's. */
			if (nb_mono_ns() >= until || !run_children(rp))
				return;
			nap_ms(2);
			continue;
		}
		if (read_stat(si.si_pid, &p) == 0 && p.start < rp->start) {
			/* Older than the run: not ours to collect, and it hides the rest from
			 * waitid. */
			reap_scanned(rp);
			return;
		}
		waitpid(si.si_pid, NULL, WNOHANG);
	}
}

int nb_reaper_end(struct nb_reaper *rp)
{
	int left = 0;

	if (rp->leader > 0 && has_children()) {
		left = kill_all(rp);
		if (!rp->worker)   /* a worker's leader is collected by its pool */
			reap(rp);
	}
	cgroup_remove(rp);
	return left;
}
