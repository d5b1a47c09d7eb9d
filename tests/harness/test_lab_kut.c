/* test_lab_kut.c - kvm-unit-tests in the lab (harness/lab_kut.c): the binary staged as a
 * whole-sector disk, and the request/answer exchange with L1, here a fake L1 on the UNIX
 * socket that QEMU would give. */
#include "../unit/check.h"
#include "../../harness/lab_kut.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void tmp_dir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/nb-test-kut.XXXXXX");
	if (!mkdtemp(buf))
		buf[0] = '\0';
}

static void rm_dir(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* 1000 bytes become a 1024-byte disk: the bytes, then zeros; size and hash the file's. */
TEST(lab_kut_stage_pads_to_sectors)
{
	char dir[64], src[PATH_MAX], img[PATH_MAX], want[NB_SHA256_HEX], err[NB_ERR_LEN];
	unsigned char data[1000], back[1100];
	struct nb_kut_disk d;
	struct stat st;

	tmp_dir(dir, sizeof(dir));
	CHECK(dir[0]);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 1);
	snprintf(src, sizeof(src), "%s/vmexit.flat", dir);
	FILE *f = fopen(src, "wb");
	CHECK(f && fwrite(data, 1, sizeof(data), f) == sizeof(data) && fclose(f) == 0);
	CHECK(nb_sha256_file(src, want, NULL, err) == 0);
	CHECK_MSG(nb_lab_kut_stage(src, dir, &d, err) == 0, "%s", err);
	CHECK_EQ_U64(d.size, 1000);
	CHECK_STR(d.sha256, want);
	snprintf(img, sizeof(img), "%s/%s", dir, NB_KUT_DISK);
	CHECK(stat(img, &st) == 0 && st.st_size == 1024);
	f = fopen(img, "rb");
	CHECK(f && fread(back, 1, sizeof(back), f) == 1024 && fclose(f) == 0);
	CHECK(memcmp(back, data, sizeof(data)) == 0);
	for (int i = 1000; i < 1024; i++)
		CHECK_MSG(back[i] == 0, "padding byte %d is %d", i, back[i]);
	/* A missing or empty binary: one message naming it and the fix. */
	CHECK(nb_lab_kut_stage("/nonexistent/vmexit.flat", dir, &d, err) == -1);
	CHECK_MSG(strstr(err, "/nonexistent/vmexit.flat") && strstr(err, "No such file") &&
		  strstr(err, "make validate"), "%s", err);
	f = fopen(src, "wb");
	CHECK(f && fclose(f) == 0);
	CHECK(nb_lab_kut_stage(src, dir, &d, err) == -1);
	CHECK_MSG(strstr(err, "empty"), "%s", err);
	rm_dir(dir);
}

/* The fake L1: reads one request, answers with script (where "%u" is the request's id). */
struct fake_l1 {
	int lfd;
	const char *script;
	char request[512];
};

static void *fake_l1(void *arg)
{
	struct fake_l1 *f = arg;
	int fd = accept(f->lfd, NULL, NULL);
	char answer[1024];
	unsigned id = 0;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	while (n < sizeof(f->request) - 1 && read(fd, f->request + n, 1) == 1 && f->request[n] != '\n')
		n++;
	f->request[n] = '\0';
	sscanf(f->request, "run %u", &id);
	snprintf(answer, sizeof(answer), f->script, id, id, id);
	/* The client may have hung up already (it refused to go on): no SIGPIPE. */
	if (send(fd, answer, strlen(answer), MSG_NOSIGNAL) < 0 && errno != EPIPE)
		perror("fake L1");
	close(fd);
	return NULL;
}

static int listen_at(const char *dir)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", dir, NB_KUT_SOCK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		return -1;
	return fd;
}

/* Runs tests against a fake L1 answering script; the output in out (caller frees). */
static int run_fake(struct fake_l1 *f, char *const tests[], int n, int count_exits, char **out,
		    int *status, char err[NB_ERR_LEN])
{
	char dir[64];
	size_t len = 0;
	pthread_t th;
	FILE *o;
	int rc = -1;

	*out = NULL;
	tmp_dir(dir, sizeof(dir));
	if (!dir[0] || (f->lfd = listen_at(dir)) < 0 || pthread_create(&th, NULL, fake_l1, f))
		return -1;
	o = open_memstream(out, &len);
	if (o) {
		rc = nb_lab_kut_run(dir, 2, 30, tests, n, count_exits, o, status, err);
		fclose(o);
	}
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(f->lfd);
	rm_dir(dir);
	return rc;
}

/* What kvm-unit-tests printed between begin and end is copied, nothing before (an
 * abandoned earlier request's tail) or after; the status is QEMU's. */
TEST(lab_kut_run_copies_the_answer)
{
	struct fake_l1 f = { .script = "old line\nnestbench-kut: end 7 1\n"
				       "nestbench-kut: begin %u\ncpuid 81234\n"
				       "no-eventfd:pci-mem 95000\nnestbench-kut: end %u 1\nafter\n" };
	char *tests[] = { "cpuid", "pci-mem" }, err[NB_ERR_LEN] = "", *out;
	int status = -1;

	CHECK_MSG(run_fake(&f, tests, 2, 0, &out, &status, err) == 0, "%s", err);
	CHECK_STR(out, "cpuid 81234\nno-eventfd:pci-mem 95000\n");
	CHECK(status == 1);
	unsigned id;
	int smp, tmo;
	char t1[16], t2[16];
	CHECK_MSG(sscanf(f.request, "run %u %d %d %15s %15s", &id, &smp, &tmo, t1, t2) == 5, "%s", f.request);
	CHECK(smp == 2 && tmo == 30 && strcmp(t1, "cpuid") == 0 && strcmp(t2, "pci-mem") == 0);
	free(out);
}

/* L1's refusal, a port closed mid-run, bad names and no lab: exit 2, one clear message. */
TEST(lab_kut_run_errors)
{
	struct fake_l1 refuse = { .script = "nestbench-kut: error %u L1 has no kvm-unit-tests binary\n" };
	struct fake_l1 cut = { .script = "nestbench-kut: begin %u\ncpuid 1\n" };
	char *tests[] = { "cpuid" }, *bad[] = { "cpuid;reboot" }, err[NB_ERR_LEN], *out;
	int status;

	CHECK(run_fake(&refuse, tests, 1, 0, &out, &status, err) == 2);
	CHECK_MSG(strstr(err, "L1 cannot run kvm-unit-tests: L1 has no kvm-unit-tests binary"), "%s", err);
	free(out);
	CHECK(run_fake(&cut, tests, 1, 0, &out, &status, err) == 2);
	CHECK_MSG(strstr(err, "closed during the run"), "%s", err);
	free(out);
	/* Counting exits needs the lab's state (L1's second agent port): none here. */
	CHECK(run_fake(&cut, tests, 1, 1, &out, &status, err) == 2);
	CHECK_MSG(strstr(err, "the lab is not running"), "%s", err);
	free(out);
	CHECK(nb_lab_kut_run("/nonexistent", 1, 30, bad, 1, 0, stdout, &status, err) == 2);
	CHECK_MSG(strstr(err, "'cpuid;reboot' is not a kvm-unit-tests test name"), "%s", err);
	CHECK(nb_lab_kut_run("/nonexistent", 1, 30, tests, 0, 0, stdout, &status, err) == 2);
	CHECK_MSG(strstr(err, "name 1 to"), "%s", err);
	CHECK(nb_lab_kut_run("/nonexistent", 0, 30, tests, 1, 0, stdout, &status, err) == 2);
	CHECK_MSG(strstr(err, "--smp"), "%s", err);
	CHECK(nb_lab_kut_run("/nonexistent", 1, 30, tests, 1, 0, stdout, &status, err) == 2);
	CHECK_MSG(strstr(err, "no lab with kvm-unit-tests runs in /nonexistent") &&
		  strstr(err, "kvm_unit_tests"), "%s", err);
}
