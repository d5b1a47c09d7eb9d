/* json.c - see json.h. */
#include "json.h"

#include <string.h>

/* The member of o named by the n bytes at key. */
static const cJSON *member(const cJSON *o, const char *key, size_t n)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, o)
		if (it->string && strncmp(it->string, key, n) == 0 && it->string[n] == '\0')
			return it;
	return NULL;
}

const cJSON *nb_json_path(const cJSON *o, const char *path)
{
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		o = member(o, path, (size_t)(dot - path));
		path = dot + 1;
	}
	return o ? cJSON_GetObjectItemCaseSensitive(o, path) : NULL;
}

const char *nb_json_str(const cJSON *o, const char *path, const char *dflt)
{
	const cJSON *v = nb_json_path(o, path);

	return cJSON_IsString(v) ? v->valuestring : dflt;
}

double nb_json_num(const cJSON *o, const char *path, double dflt)
{
	const cJSON *v = nb_json_path(o, path);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

int nb_json_true(const cJSON *o, const char *path)
{
	return cJSON_IsTrue(nb_json_path(o, path));
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

void nb_json_set_item(cJSON *o, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	if (v)
		cJSON_AddItemToObject(o, key, v);
}

void nb_json_set_str(cJSON *o, const char *key, const char *v)
{
	nb_json_set_item(o, key, cJSON_CreateString(v));
}

void nb_json_set_num(cJSON *o, const char *key, double v)
{
	nb_json_set_item(o, key, cJSON_CreateNumber(v));
}
