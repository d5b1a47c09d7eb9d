/* report_json.h - JSON pieces the reports share (table_json.c). */
#ifndef NB_REPORT_JSON_H
#define NB_REPORT_JSON_H

#include "resultset.h"
#include "../common/err.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* A result file's identity: path, campaign, started_utc, work_sha256. */
cJSON *nb_json_file(const struct nb_rs_file *f);
/* Print doc (indented) and a newline to out, then delete it; -1 with err naming `what`
 * when out of memory. */
int nb_json_print(cJSON *doc, FILE *out, const char *what, char err[NB_ERR_LEN]);

#endif
