/* agent_bench.c - `make bench-agent`: how fast the agent protocol is on this machine.
 * Not a test: it prints figures against the targets and always exits 0 once measured.
 *
 *   ping round trip over a UNIX socket (median of N)          target < 50 us
 *   extra per relay hop, from a 2-hop relay chain            target < 50 us per hop
 *   put throughput of a 64 MiB file (median of 3)            target >= 200 MB/s
 *
 * put is measured twice: into a store on tmpfs (/dev/shm; the lab's initramfs guests
 * keep their state in RAM), which is the agent's own throughput, and into a store on
 * the disk under /tmp, which the fsync bounds to what the disk absorbs.
 *
 * The agents listen on UNIX sockets in a temporary directory and are always stopped
 * (by PID) and removed at the end, with the tmpfs store. */
#include "../../common/clock.h"
#include "../../common/err.h"
#include "../../common/client.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* 0-2: the relay chain; 3: store on tmpfs; 4: no busy-polling (the VM's wake-up cost) */
#define NAGENTS 5

static pid_t pids[NAGENTS];
static char dir[128], shm[128];

static void cleanup(void)
{
	for (int i = 0; i < NAGENTS; i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGTERM);
			waitpid(pids[i], NULL, 0);
			pids[i] = 0;
		}
	for (char *d = dir; d; d = d == dir ? shm : NULL) {
		char cmd[256];
		if (!d[0])
			continue;
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
		if (system(cmd) != 0)
			fprintf(stderr, "agent-bench: could not remove %s\n", d);
		d[0] = '\0';
	}
}

static void on_signal(int sig)
{
	for (int i = 0; i < NAGENTS; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int start_agent(const char *bin, int i, const char *root, char *addr, size_t len)
{
	char state[256], sock[256];
	pid_t pid;

	snprintf(state, sizeof(state), "%s/state%d", root, i);
	snprintf(sock, sizeof(sock), "unix:%s/a%d.sock", dir, i);
	snprintf(addr, len, "%s", sock);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(bin, "nestbench-agent", "--quiet", "--listen", sock, "--state-dir", state,
		      "--busy-poll", i == 4 ? "0" : "50", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	pids[i] = pid;
	return 0;
}

static int connect_retry(struct nb_client *c, const char *addr, char err[NB_ERR_LEN])
{
	for (int i = 0; i < 500; i++) {
		if (nb_client_connect(c, addr, 2000, err) == 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* Median and 90th percentile of n pings, in microseconds. */
static int pings(struct nb_client *c, int n, double *med, double *p90, char err[NB_ERR_LEN])
{
	uint64_t *v = calloc((size_t)n, sizeof(*v));

	if (!v)
		return -1;
	for (int i = 0; i < 200; i++)          /* warm-up */
		if (nb_client_ping(c, NULL, NULL, err)) {
			free(v);
			return -1;
		}
	for (int i = 0; i < n; i++)
		if (nb_client_ping(c, &v[i], NULL, err)) {
			free(v);
			return -1;
		}
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	*med = (double)v[n / 2] / 1e3;
	*p90 = (double)v[n * 9 / 10] / 1e3;
	free(v);
	return 0;
}

/* reps puts of mb MiB of fresh content (so the agent cannot answer "exists"), each
 * timed here around the whole call; sorted MB/s in out. */
static int puts_mbps(struct nb_client *c, int mb, int reps, double *out, char err[NB_ERR_LEN])
{
	size_t len = (size_t)mb << 20;
	unsigned char *buf = malloc(len);
	uint64_t x = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() ^ nb_mono_ns();

	if (!buf) {
		snprintf(err, 256, "out of memory");
		return -1;
	}
	for (size_t i = 0; i + 8 <= len; i += 8) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(buf + i, &x, 8);
	}
	for (int r = 0; r < reps; r++) {
		char sha[65];
		buf[0] = (unsigned char)r;
		uint64_t t0 = nb_mono_ns();
		if (nb_client_put_buf(c, buf, len, "bench-blob", NULL, sha, NULL, err)) {
			free(buf);
			return -1;
		}
		out[r] = (double)len / 1e6 / ((double)(nb_mono_ns() - t0) / 1e9);
	}
	free(buf);
	qsort(out, (size_t)reps, sizeof(out[0]), cmp_d);
	return 0;
}

static const char *verdict(int ok) { return ok ? "ok" : "MISSED"; }

int main(int argc, char **argv)
{
	const char *bin = NULL;
	int n = 5000, mb = 64, reps = 3;
	char addr[NAGENTS][256], err[NB_ERR_LEN];
	struct nb_client c;
	double nospin, nospin90, direct, direct90, relay2, relay290, relay1, relay190, disk_mbps[8], shm_mbps[8];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--agent") == 0 && i + 1 < argc)
			bin = argv[++i];
		else if (strcmp(argv[i], "--pings") == 0 && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (strcmp(argv[i], "--put-mb") == 0 && i + 1 < argc)
			mb = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: agent-bench --agent PATH [--pings N] [--put-mb MB]\n");
			return 2;
		}
	}
	if (!bin || n < 10 || mb < 1) {
		fprintf(stderr, "usage: agent-bench --agent PATH [--pings N>=10] [--put-mb MB>=1]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "/tmp/nb-agent-bench.XXXXXX");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "agent-bench: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	snprintf(shm, sizeof(shm), "/dev/shm/nb-agent-bench.XXXXXX");
	if (!mkdtemp(shm)) {
		fprintf(stderr, "agent-bench: no tmpfs at /dev/shm (%s): put on disk only\n",
			strerror(errno));
		shm[0] = '\0';
	}
	for (int i = 0; i < NAGENTS; i++) {
		if (i == 3 && !shm[0])
			continue;
		if (start_agent(bin, i, i == 3 ? shm : dir, addr[i], sizeof(addr[i]))) {
			fprintf(stderr, "agent-bench: cannot start %s\n", bin);
			return 1;
		}
	}

	/* Direct. */
	if (connect_retry(&c, addr[0], err) || pings(&c, n, &direct, &direct90, err))
		goto fail;
	if (puts_mbps(&c, mb, reps, disk_mbps, err))
		goto fail;
	nb_client_close(&c);
	if (shm[0] && (connect_retry(&c, addr[3], err) || puts_mbps(&c, mb, reps, shm_mbps, err)))
		goto fail;
	nb_client_close(&c);
	if (connect_retry(&c, addr[4], err))
		goto fail;
	c.conn.spin_us = 0;
	if (pings(&c, n, &nospin, &nospin90, err))
		goto fail;
	nb_client_close(&c);

	/* One hop, then two. */
	if (connect_retry(&c, addr[0], err) || nb_client_relay(&c, addr[1], NULL, err) ||
	    pings(&c, n, &relay1, &relay190, err) || nb_client_relay(&c, addr[2], NULL, err) ||
	    pings(&c, n, &relay2, &relay290, err))
		goto fail;
	nb_client_close(&c);

	double hop = (relay2 - direct) / 2;
	printf("nestbench-agent benchmark: UNIX sockets, %d pings each, %ld CPUs\n", n,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("  ping round trip, direct        median %7.1f us  (p90 %7.1f)   target < 50 us      %s\n",
	       direct, direct90, verdict(direct < 50));
	printf("  ping round trip, no busy-poll  median %7.1f us  (p90 %7.1f)   (both sides sleep: the\n"
	       "                                 VM's cross-CPU wake-up cost; --busy-poll 0)\n",
	       nospin, nospin90);
	printf("  ping round trip, 1-hop relay   median %7.1f us  (p90 %7.1f)\n", relay1, relay190);
	printf("  ping round trip, 2-hop relay   median %7.1f us  (p90 %7.1f)\n", relay2, relay290);
	printf("  extra per relay hop            %14.1f us  ((2-hop - direct) / 2)  target < 50 us  %s\n",
	       hop, verdict(hop < 50));
	if (shm[0])
		printf("  put %d MiB, store on tmpfs     median %7.0f MB/s (min %.0f, max %.0f)  target >= 200 MB/s  %s\n",
		       mb, shm_mbps[reps / 2], shm_mbps[0], shm_mbps[reps - 1],
		       verdict(shm_mbps[reps / 2] >= 200));
	printf("  put %d MiB, store on disk       median %7.0f MB/s (min %.0f, max %.0f)  (fsync: bounded by the disk)\n",
	       mb, disk_mbps[reps / 2], disk_mbps[0], disk_mbps[reps - 1]);
	printf("  (put: the whole call as the harness sees it: hashing here, sending, hashing\n"
	       "   and writing there, fsync, rename)\n");
	return 0;
fail:
	fprintf(stderr, "agent-bench: %s\n", err);
	return 1;
}
