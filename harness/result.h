/* result.h - the campaign result file (results/SCHEMA.md): one JSON document holding
 * every sample of every tier, written atomically (temporary file, fsync, rename) so a
 * reader or a crash never sees half a file. */
#ifndef NB_RESULT_H
#define NB_RESULT_H

#include <cjson/cJSON.h>
#include <limits.h>

#define NB_RESULT_SCHEMA "nestbench-result"
#define NB_RESULT_VERSION 1

/* Write doc to path atomically; 0 or -1 with err (the old file, if any, stays whole). */
int nb_result_write(const cJSON *doc, const char *path, char *err);
/* Read a result file and check its schema and version; NULL with err. */
cJSON *nb_result_load(const char *path, char *err);

/* The object in array `arr` of `parent` whose member `key` equals `value`; created
 * (with that member) when create is set and none exists. */
cJSON *nb_json_find(cJSON *parent, const char *arr, const char *key, const char *value, int create);

/* Current UTC time as "2026-11-21T08:24:18Z". */
void nb_utc_now(char *buf, size_t len);

#endif
