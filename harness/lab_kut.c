/* lab_kut.c - kvm-unit-tests in the local lab: stage the binary for L1, ask L1 to run it
 * (lab_kut.h).  The request and its answer, one line each way plus the output:
 *
 *   L0: run ID SMP TIMEOUT_S TEST...
 *   L1: nestbench-kut: begin ID
 *       ... what kvm-unit-tests printed on its serial port, then QEMU's stderr ...
 *       nestbench-kut: end ID STATUS
 *
 * or "nestbench-kut: error ID MESSAGE".  The ID lets L0 skip what an earlier request,
 * abandoned half-way, left in the port.  With count_exits, L1's agent counts every VM
 * exit in L1 over the request (exits-start "all", the campaigns' method), printed after
 * the output as "nestbench-kut: exits {the exits-stop reply}". */
#include "lab_kut.h"
#include "lab.h"

#include "../common/client.h"
#include "../common/clock.h"
#include "../common/files.h"
#include "../common/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ERR_LEN NB_ERR_LEN
#define SECTOR 512
#define MAX_TESTS 64
/* L1 (under TCG, perhaps) must start QEMU and firmware before the test's own time runs. */
#define START_MARGIN_S 120

static int copy_padded(int in, int out, unsigned long long *size)
{
	char buf[65536];
	ssize_t n;

	*size = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (nb_write_full(out, buf, (size_t)n))
			return -1;
		*size += (unsigned long long)n;
	}
	if (n < 0)
		return -1;
	static const char zeros[SECTOR];
	size_t pad = (size_t)((SECTOR - *size % SECTOR) % SECTOR);
	return nb_write_full(out, zeros, pad);
}

int nb_lab_kut_stage(const char *flat, const char *lab_dir, struct nb_kut_disk *d,
		     char err[NB_ERR_LEN])
{
	char dst[PATH_MAX], herr[NB_ERR_LEN];
	struct stat st;

	const char *why = stat(flat, &st) ? strerror(errno)
			  : !S_ISREG(st.st_mode) || st.st_size == 0 ? "empty or not a file" : NULL;
	if (why) {
		snprintf(err, ERR_LEN, "lab.kvm_unit_tests: %s is not a kvm-unit-tests binary (%s): build "
			 "x86/vmexit.flat in a kvm-unit-tests checkout (make validate does) and give its path",
			 flat, why);
		return -1;
	}
	if (nb_sha256_file(flat, d->sha256, NULL, herr)) {
		snprintf(err, ERR_LEN, "lab.kvm_unit_tests: cannot read %s: %s", flat, herr);
		return -1;
	}
	snprintf(dst, sizeof(dst), "%s/%s", lab_dir, NB_KUT_DISK);
	int in = open(flat, O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int bad = in < 0 || out < 0 || copy_padded(in, out, &d->size);
	int e = errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out))
		bad = 1, e = errno;
	if (bad) {
		snprintf(err, ERR_LEN, "lab.kvm_unit_tests: cannot copy %s to %s: %s", flat, dst, strerror(e));
		return -1;
	}
	return 0;
}

/* kvm-unit-tests names its tests with letters, digits, '_' and '-' (x86/vmexit.c); L1's
 * init splits the request on spaces, so nothing else may pass. */
static int valid_test(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 64)
		return 0;
	return strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static int build_request(char *buf, size_t len, unsigned id, int smp, int timeout_s,
			 char *const tests[], int ntests, char *err)
{
	int w = snprintf(buf, len, "run %u %d %d", id, smp, timeout_s);

	if (ntests < 1 || ntests > MAX_TESTS) {
		snprintf(err, ERR_LEN, "name 1 to %d kvm-unit-tests tests (e.g. cpuid vmcall)", MAX_TESTS);
		return -1;
	}
	for (int i = 0; i < ntests; i++) {
		if (!valid_test(tests[i])) {
			snprintf(err, ERR_LEN, "'%.80s' is not a kvm-unit-tests test name: they are made of "
				 "letters, digits, '_' and '-' (e.g. cpuid, inl_from_qemu, pci-mem)", tests[i]);
			return -1;
		}
		w += snprintf(buf + w, len - (size_t)w, " %s", tests[i]);
		if ((size_t)w >= len - 2) {
			snprintf(err, ERR_LEN, "too many tests in one request: split them");
			return -1;
		}
	}
	snprintf(buf + w, len - (size_t)w, "\n");
	return 0;
}

/* The port's UNIX socket (QEMU's end of org.nestbench.kut). */
static int connect_port(const char *lab_dir, struct nb_conn *c, char *err)
{
	char addr[PATH_MAX + 8], herr[NB_ERR_LEN];

	snprintf(addr, sizeof(addr), "unix:%s/%s", lab_dir, NB_KUT_SOCK);
	if (nb_transport_connect(c, addr, 5000, herr) == 0)
		return 0;
	snprintf(err, ERR_LEN, "no lab with kvm-unit-tests runs in %s (%s): start one with "
		 "`nestbench lab up CONFIG` whose \"lab\" object names kvm_unit_tests (make validate "
		 "does)", lab_dir, herr);
	return -1;
}

/* Lines from a connection, one at a time, until its deadline. */
struct line_reader {
	struct nb_conn *c;
	char buf[8192];
	char line[8192];            /* the line next_line returns */
	size_t len;
};

/* The next line (without its newline) in *line; 0, -1 at end of stream, -2 on timeout. */
static int next_line(struct line_reader *r, char **line)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		if (nl || r->len == sizeof(r->buf) - 1) {
			char *out = r->line;
			size_t n = nl ? (size_t)(nl - r->buf) : r->len;
			memcpy(out, r->buf, n);
			out[n] = '\0';
			if (n && out[n - 1] == '\r')
				out[n - 1] = '\0';
			r->len -= nl ? n + 1 : n;
			memmove(r->buf, r->buf + (nl ? n + 1 : n), r->len);
			*line = out;
			return 0;
		}
		ssize_t n = nb_conn_read(r->c, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
		if (n <= 0)
			return n < 0 && errno == ETIMEDOUT ? -2 : -1;
		r->len += (size_t)n;
	}
}

/* Copy the answer to request id to out; 0 with *status, or -1 with err. */
static int read_answer(struct line_reader *r, unsigned id, const char *lab_dir, FILE *out,
		       int *status, char *err)
{
	char begin[64], end[64], fail[64], *line;
	int started = 0, rc;

	snprintf(begin, sizeof(begin), "nestbench-kut: begin %u", id);
	snprintf(end, sizeof(end), "nestbench-kut: end %u ", id);
	snprintf(fail, sizeof(fail), "nestbench-kut: error %u ", id);
	while ((rc = next_line(r, &line)) == 0) {
		if (strncmp(line, fail, strlen(fail)) == 0) {
			snprintf(err, ERR_LEN, "L1 cannot run kvm-unit-tests: %s", line + strlen(fail));
			return -1;
		}
		if (!started) {
			started = strcmp(line, begin) == 0;
			continue;
		}
		if (strncmp(line, end, strlen(end)) == 0) {
			*status = atoi(line + strlen(end));
			return 0;
		}
		fprintf(out, "%s\n", line);
	}
	snprintf(err, ERR_LEN, rc == -2 ? "L1 did not finish the kvm-unit-tests run in time (see %s/l1-console.log; "
		 "is L1 still up? nestbench lab status)" : "L1's kvm-unit-tests port closed during the run "
		 "(see %s/l1-console.log)", lab_dir);
	return -1;
}

/* count_exits: a session to L1's second agent port (the campaigns' counting session),
 * counting all of L1's VMs per CPU with exit reasons. */
static int exits_start(const char *lab_dir, struct nb_client *c, char *err)
{
	char addr[PATH_MAX], herr[NB_ERR_LEN];
	cJSON *info = NULL, *req;

	if (nb_lab_resolve(lab_dir, "lab:L1.aux", addr, sizeof(addr), &info, herr)) {
		snprintf(err, ERR_LEN, "%s", herr);
		return -1;
	}
	cJSON_Delete(info);
	if (nb_client_connect(c, addr, 30000, herr) || nb_client_hello(c, NULL, NULL, herr)) {
		snprintf(err, ERR_LEN, "cannot reach L1's agent at %s to count exits: %s", addr, herr);
		return -1;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", "exits-start");
	cJSON_AddStringToObject(req, "target", "all");
	if (nb_client_call(c, req, NULL, herr)) {
		snprintf(err, ERR_LEN, "L1 cannot count its VM exits: %s", herr);
		nb_client_close(c);
		return -1;
	}
	return 0;
}

static void exits_stop(struct nb_client *c, FILE *out)
{
	char herr[NB_ERR_LEN];
	cJSON *req = cJSON_CreateObject(), *reply = NULL;

	cJSON_AddStringToObject(req, "op", "exits-stop");
	if (nb_client_call(c, req, &reply, herr) == 0) {
		char *text = cJSON_PrintUnformatted(reply);
		fprintf(out, "nestbench-kut: exits %s\n", text ? text : "{}");
		free(text);
	} else {
		fprintf(out, "nestbench-kut: exits not counted: %s\n", herr);
	}
	cJSON_Delete(reply);
	nb_client_bye(c, herr);
	nb_client_close(c);
}

int nb_lab_kut_run(const char *lab_dir, int smp, int timeout_s, char *const tests[], int ntests,
		   int count_exits, FILE *out, int *status, char err[NB_ERR_LEN])
{
	struct nb_client c;
	struct nb_conn port;
	char req[2048];
	unsigned id = (unsigned)getpid() ^ (unsigned)time(NULL);
	struct line_reader *r;
	int rc;

	if (smp < 1 || smp > 64 || timeout_s < 1 || timeout_s > 3600) {
		snprintf(err, ERR_LEN, "--smp takes 1 to 64 vCPUs and --timeout-s 1 to 3600 seconds");
		return 2;
	}
	if (build_request(req, sizeof(req), id, smp, timeout_s, tests, ntests, err))
		return 2;
	if (connect_port(lab_dir, &port, err))
		return 2;
	if (count_exits && exits_start(lab_dir, &c, err)) {
		nb_conn_close(&port);
		return 2;
	}
	struct iovec iov = { req, strlen(req) };
	r = calloc(1, sizeof(*r));
	if (!r || nb_conn_write_all(&port, &iov, 1)) {
		snprintf(err, ERR_LEN, "cannot send the request to L1: %s", r ? strerror(errno) : "out of memory");
		rc = 2;
	} else {
		r->c = &port;
		port.deadline_ns = nb_mono_ns() + (uint64_t)(timeout_s + START_MARGIN_S) * 1000000000ull;
		rc = read_answer(r, id, lab_dir, out, status, err) ? 2 : 0;
	}
	if (count_exits)
		exits_stop(&c, out);
	free(r);
	nb_conn_close(&port);
	return rc;
}
