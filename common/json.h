/* json.h - reading and updating cJSON objects without repeating the type checks:
 * members by dotted path ("hypervisor.signature"), typed values with a default, the
 * object of an array that has a given name, and members replaced in place.  One set
 * for every program (the harness, analysis, the result library). */
#ifndef NB_JSON_H
#define NB_JSON_H

#include <cjson/cJSON.h>

/* The member at path: "a" is o.a, "a.b" is o.a.b (keys without dots); NULL when o is
 * NULL or a step is missing. */
const cJSON *nb_json_path(const cJSON *o, const char *path);
/* The string at path, or dflt when it is absent or not a string. */
const char *nb_json_str(const cJSON *o, const char *path, const char *dflt);
/* The number at path, or dflt when it is absent or not a number. */
double nb_json_num(const cJSON *o, const char *path, double dflt);
/* The member at path is JSON true. */
int nb_json_true(const cJSON *o, const char *path);

/* The object in array `arr` of `parent` whose string member `key` equals `value`;
 * created (with that member, the array too) when create is set and none exists. */
cJSON *nb_json_find(cJSON *parent, const char *arr, const char *key, const char *value, int create);

/* Replace o.key (the new member goes last; v NULL for nb_json_set_item only removes). */
void nb_json_set_str(cJSON *o, const char *key, const char *v);
void nb_json_set_num(cJSON *o, const char *key, double v);
void nb_json_set_item(cJSON *o, const char *key, cJSON *v);

#endif
