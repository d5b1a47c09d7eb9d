/* test_result.c - result files are written atomically and read back with their
 * schema checked; the environment's "nature" never calls a guest bare metal. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../common/json.h"
#include "../../harness/env.h"
#include "../../resultlib/result.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

TEST(result_atomic_write_and_load)
{
	char dir[] = "/tmp/nbtest-result-XXXXXX", path[128], err[NB_ERR_LEN];
	cJSON *doc = cJSON_CreateObject(), *back;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	cJSON_AddStringToObject(doc, "schema", NB_RESULT_SCHEMA);
	cJSON_AddNumberToObject(doc, "schema_version", NB_RESULT_VERSION);
	cJSON_AddNumberToObject(doc, "x", 1);
	CHECK_MSG(nb_result_write(doc, path, err) == 0, "%s", err);
	cJSON_ReplaceItemInObject(doc, "x", cJSON_CreateNumber(2));
	CHECK(nb_result_write(doc, path, err) == 0);
	CHECK(count_files(dir) == 1);                 /* no temporary file left */
	CHECK_MSG((back = nb_result_load(path, err)) != NULL, "%s", err);
	CHECK(cJSON_GetObjectItem(back, "x")->valueint == 2);
	cJSON_Delete(back);

	/* A failed write leaves the previous file whole. */
	if (geteuid() != 0) {
		chmod(dir, 0555);
		CHECK(nb_result_write(doc, path, err) == -1);
		chmod(dir, 0755);
	} else {
		char bad[160];
		snprintf(bad, sizeof(bad), "%s/missing-dir/r.json", dir);
		CHECK(nb_result_write(doc, bad, err) == -1);
		CHECK(strstr(err, "missing-dir"));
	}
	CHECK((back = nb_result_load(path, err)) != NULL);
	cJSON_Delete(back);
	cJSON_Delete(doc);
	unlink(path);
	rmdir(dir);
}

TEST(result_load_rejects_other_files)
{
	char path[] = "/tmp/nbtest-result-XXXXXX", err[NB_ERR_LEN];
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	CHECK((f = fdopen(fd, "w")));
	fputs("{\"schema\":\"nestbench-result\",\"schema_version\":99}", f);
	fclose(f);
	CHECK(nb_result_load(path, err) == NULL);
	CHECK(strstr(err, "schema version 99"));
	CHECK((f = fopen(path, "w")));
	fputs("{\"hello\":1}", f);
	fclose(f);
	CHECK(nb_result_load(path, err) == NULL);
	CHECK(strstr(err, "not a nestbench result file"));
	CHECK((f = fopen(path, "w")));
	fputs("{\"sch", f);
	fclose(f);
	CHECK(nb_result_load(path, err) == NULL);
	CHECK(strstr(err, "not JSON"));
	unlink(path);
	CHECK(nb_result_load("/nonexistent.json", err) == NULL);
}

TEST(json_find_creates_once)
{
	cJSON *doc = cJSON_CreateObject();

	CHECK(nb_json_find(doc, "tiers", "name", "l1", 0) == NULL);
	cJSON *a = nb_json_find(doc, "tiers", "name", "l1", 1);
	cJSON *b = nb_json_find(doc, "tiers", "name", "l1", 1);
	CHECK(a && a == b);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "tiers")) == 1);
	cJSON_Delete(doc);
}

static void nature_of(const char *json, char *buf, size_t len)
{
	cJSON *si = cJSON_Parse(json);
	struct nb_identity id;

	nb_env_identify(si, NULL, NULL, &id);
	nb_identity_nature(&id, buf, len);
	cJSON_Delete(si);
}

TEST(env_nature_from_sysinfo)
{
	char n[1024];

	nature_of("{\"hypervisor\":{\"bit\":false,\"signature\":\"\"}}", n, sizeof(n));
	CHECK(strstr(n, "bare metal"));
	nature_of("{\"hypervisor\":{\"bit\":true,\"signature\":\"KVMKVMKVM\"}}", n, sizeof(n));
	CHECK(strstr(n, "KVM guest"));
	nature_of("{\"hypervisor\":{\"bit\":true,\"signature\":\"Microsoft Hv\"}}", n, sizeof(n));
	CHECK(strstr(n, "Hyper-V guest"));
	nature_of("{\"hypervisor\":{\"bit\":true,\"signature\":\"TCGTCGTCGTCG\"},\"accelerator\":\"tcg\"}", n,
		  sizeof(n));
	CHECK(strstr(n, "QEMU TCG") && strstr(n, "accelerator tcg"));
	nature_of("{\"hypervisor\":{\"bit\":true,\"signature\":\"Zork\"}}", n, sizeof(n));
	CHECK(strstr(n, "unknown hypervisor") && !strstr(n, "bare metal"));
	nature_of("{}", n, sizeof(n));
	CHECK(strstr(n, "unknown") && !strstr(n, "bare metal"));
}
