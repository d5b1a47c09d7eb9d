/* escape.c - a "workload" that leaves a process behind outside its process group, for
 * the agent's tests (tests/agent/test_exec_tree.c).  The agent runs it as it runs
 * nestbench-work: `escape run <mode> [options...]`; options are ignored.
 *
 *   escape.wait    a child calls setsid() and sleeps; the workload sleeps too (until
 *                  its timeout, or until the client hangs up)
 *   escape.exit    the same child; the workload exits 0 at once
 *   escape.orphan  a child forks a grandchild that calls setsid() and sleeps, then the
 *                  child exits (the grandchild is reparented to the agent); the
 *                  workload exits 0 a little later
 *
 * The escaped process's pid goes to stdout as {"type":"escape","pid":N} and to the file
 * escape.pid in the working directory.  It sleeps at most 60 s, so a failing test leaves
 * nothing behind for long. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* In the escaped process: leave the group and the session, tell the pid, sleep. */
static void escape(int tell)
{
	char line[64];
	int n;
	FILE *f;

	setsid();
	n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	f = fopen("escape.pid.tmp", "w");
	if (f) {
		fputs(line, f);
		fclose(f);
		rename("escape.pid.tmp", "escape.pid");
	}
	if (write(tell, line, (size_t)n) != n)
		_exit(1);
	close(tell);
	for (int i = 0; i < 600; i++)
		nap_ms(100);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	int orphan = strcmp(mode, "escape.orphan") == 0;
	char buf[64] = "";
	int p[2];
	pid_t child;

	if (argc < 3 || strcmp(argv[1], "run") != 0 ||
	    (!orphan && strcmp(mode, "escape.wait") != 0 && strcmp(mode, "escape.exit") != 0)) {
		fprintf(stderr, "usage: escape run escape.wait|escape.exit|escape.orphan\n");
		return 2;
	}
	if (pipe(p))
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		close(p[0]);
		if (!orphan)
			escape(p[1]);
		if (fork() == 0)
			escape(p[1]);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], buf, sizeof(buf) - 1) <= 0)
		return 1;
	if (orphan)
		waitpid(child, NULL, 0);   /* the grandchild is now the agent's */
	printf("{\"type\":\"escape\",\"pid\":%d}\n", atoi(buf));
	fflush(stdout);
	if (orphan) {
		nap_ms(200);
		return 0;
	}
	if (strcmp(mode, "escape.exit") == 0)
		return 0;
	for (int i = 0; i < 600; i++)
		nap_ms(100);
	return 0;
}
