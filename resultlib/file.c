/* file.c - result files on disk: written atomically, read in every schema version. */
#include "result.h"
#include "../common/err.h"
#include "../common/files.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int nb_result_write(const cJSON *doc, const char *path, char err[NB_ERR_LEN])
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	char *text = cJSON_Print(doc);
	int fd, dfd;

	if (!text) {
		return nb_err(err, "%s: out of memory serialising results", path);
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		free(text);
		return nb_err(err, "%s: path too long", path);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || nb_write_full(fd, text, strlen(text)) || nb_write_full(fd, "\n", 1) || fsync(fd)) {
		snprintf(err, NB_ERR_LEN, "cannot write %s: %s (is the results directory writable, the "
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
		snprintf(err, NB_ERR_LEN, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
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

/* The schema and a version this build reads; 0, or -1 with err. */
static int check_schema(const cJSON *doc, const char *path, char err[NB_ERR_LEN])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "schema");

	if (!cJSON_IsString(v) || strcmp(v->valuestring, NB_RESULT_SCHEMA) != 0) {
		return nb_err(err, "%s is not a nestbench result file (no \"schema\": \"%s\")", path,
			 NB_RESULT_SCHEMA);
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "schema_version");
	if (!cJSON_IsNumber(v) || v->valueint < NB_RESULT_VERSION_OLDEST ||
	    v->valueint > NB_RESULT_VERSION) {
		int got = cJSON_IsNumber(v) ? v->valueint : -1;
		if (NB_RESULT_VERSION_OLDEST == NB_RESULT_VERSION)
			snprintf(err, NB_ERR_LEN, "%s has schema version %d; this nestbench reads version %d",
				 path, got, NB_RESULT_VERSION);
		else
			snprintf(err, NB_ERR_LEN, "%s has schema version %d; this nestbench reads versions "
				 "%d to %d", path, got, NB_RESULT_VERSION_OLDEST, NB_RESULT_VERSION);
		return -1;
	}
	/* Version 2 only added fields (campaign_seq, interference, canary, order,
	 * quiet_wait, canary_s), all optional to a reader: a version 1 file already has
	 * version 2's shape without them, so nothing is converted.  A later version that
	 * changes a shape converts the older ones here, in memory, one step per version. */
	return 0;
}

cJSON *nb_result_load(const char *path, char err[NB_ERR_LEN])
{
	int open_failed;
	char *buf = nb_file_read(path, 0, NULL, &open_failed);
	cJSON *doc;

	if (!buf) {
		if (open_failed)
			snprintf(err, NB_ERR_LEN, "cannot open result file %s: %s", path, strerror(errno));
		else
			snprintf(err, NB_ERR_LEN, "cannot read result file %s", path);
		return NULL;
	}
	doc = cJSON_Parse(buf);
	free(buf);
	if (!doc) {
		snprintf(err, NB_ERR_LEN, "%s is not JSON (a result file from nestbench run?)", path);
		return NULL;
	}
	if (check_schema(doc, path, err)) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}
