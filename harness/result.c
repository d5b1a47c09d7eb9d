/* result.c - atomic result files and small helpers over the result document. */
#include "result.h"
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ERR_LEN 512

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int nb_result_write(const cJSON *doc, const char *path, char *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	char *text = cJSON_Print(doc);
	int fd, dfd;

	if (!text) {
		snprintf(err, ERR_LEN, "%s: out of memory serialising results", path);
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		free(text);
		snprintf(err, ERR_LEN, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) || fsync(fd)) {
		snprintf(err, ERR_LEN, "cannot write %s: %s (is the results directory writable, the "
				       "disk full?)", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(text);
		return -1;
	}
	free(text);
	close(fd);
	if (rename(tmp, path)) {
		snprintf(err, ERR_LEN, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* The rename itself must survive a crash: sync the directory entry. */
	snprintf(dir, sizeof(dir), "%s", path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

cJSON *nb_result_load(const char *path, char *err)
{
	int open_failed;
	char *buf = nb_file_read(path, 0, NULL, &open_failed);
	cJSON *doc, *v;

	if (!buf) {
		if (open_failed)
			snprintf(err, ERR_LEN, "cannot open result file %s: %s", path, strerror(errno));
		else
			snprintf(err, ERR_LEN, "cannot read result file %s", path);
		return NULL;
	}
	doc = cJSON_Parse(buf);
	free(buf);
	if (!doc) {
		snprintf(err, ERR_LEN, "%s is not JSON (a result file from nestbench run?)", path);
		return NULL;
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "schema");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, NB_RESULT_SCHEMA) != 0) {
		snprintf(err, ERR_LEN, "%s is not a nestbench result file (no \"schema\": \"%s\")", path,
			 NB_RESULT_SCHEMA);
		cJSON_Delete(doc);
		return NULL;
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "schema_version");
	if (!cJSON_IsNumber(v) || v->valueint != NB_RESULT_VERSION) {
		snprintf(err, ERR_LEN, "%s has schema version %d; this nestbench reads version %d",
			 path, cJSON_IsNumber(v) ? v->valueint : -1, NB_RESULT_VERSION);
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

cJSON *nb_json_find(cJSON *parent, const char *arr, const char *key, const char *value, int create)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(parent, arr), *it;

	if (!a) {
		if (!create)
			return NULL;
		a = cJSON_AddArrayToObject(parent, arr);
	}
	cJSON_ArrayForEach(it, a) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(it, key);
		if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
			return it;
	}
	if (!create)
		return NULL;
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, key, value);
	cJSON_AddItemToArray(a, it);
	return it;
}

void nb_utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
