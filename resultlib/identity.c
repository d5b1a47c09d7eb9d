/* identity.c - tiers[].identity (result.h): written from the evidence's verdict
 * (common/identity.h), read as typed fields, and derived from the prose `nature` for
 * files written before identities were recorded. */
#include "result.h"
#include "../common/json.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- writing -------------------------------------------------------------------------- */

static void add_list(cJSON *o, const char *key, const char (*items)[NB_ID_TEXT], int n)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);

	for (int i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
}

void nb_res_tier_set_identity(cJSON *tier, const struct nb_identity *id)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "kind", nb_id_kind_name(id->kind));
	if (id->hv) {
		cJSON_AddStringToObject(o, "hypervisor", id->hv->key);
		cJSON_AddStringToObject(o, "name", id->hv->name);
	}
	if (id->beneath)
		cJSON_AddStringToObject(o, "beneath", id->beneath->key);
	if (id->presents)
		cJSON_AddStringToObject(o, "presents", id->presents->key);
	if (id->basis)
		cJSON_AddStringToObject(o, "basis", id->basis);
	cJSON_AddStringToObject(o, "layer", id->layer);
	if (id->accelerator[0]) {
		cJSON_AddStringToObject(o, "accelerator", id->accelerator);
		cJSON_AddStringToObject(o, "accelerator_from", id->accelerator_from);
		if (id->accelerator_why[0])
			cJSON_AddStringToObject(o, "accelerator_reason", id->accelerator_why);
	}
	add_list(o, "evidence", (const char (*)[NB_ID_TEXT])id->evidence, id->n_evidence);
	add_list(o, "conflicts", (const char (*)[NB_ID_TEXT])id->conflicts, id->n_conflicts);
	if (id->labelled)
		cJSON_AddStringToObject(o, "label_hypervisor", id->labelled->key);
	cJSON_AddBoolToObject(o, "label_contradicted", id->label_contradicted);
	nb_json_set_item(tier, "identity", o);
}

const char *nb_res_tier_warning(const cJSON *tier)
{
	return nb_json_str(tier, "warning", NULL);
}

/* ---- reading -------------------------------------------------------------------------- */

/* The table key of a key string in the document, or NULL when the table lacks it. */
static const char *key_of(const cJSON *o, const char *path)
{
	const struct nb_hypervisor *hv = nb_hv_by_key(nb_json_str(o, path, NULL));

	return hv ? hv->key : NULL;
}

static void read_recorded(const cJSON *id, struct nb_res_identity_view *v)
{
	const struct nb_hypervisor *hv = nb_hv_by_key(nb_json_str(id, "hypervisor", NULL));

	v->recorded = 1;
	v->kind = nb_id_kind_parse(nb_json_str(id, "kind", NULL));
	v->hypervisor = hv ? hv->key : NULL;
	/* A key this build's table lacks still has its recorded display name. */
	v->name = hv ? hv->name : nb_json_str(id, "name", NULL);
	v->beneath = key_of(id, "beneath");
	v->presents = key_of(id, "presents");
	v->accelerator = nb_json_str(id, "accelerator", NULL);
	v->label_hypervisor = key_of(id, "label_hypervisor");
	v->label_contradicted = nb_json_true(id, "label_contradicted");
}

/* The hypervisor named before " guest (signature " in a nature (the table's display
 * names; another name is kept as written). */
static void derive_name(const char *nature, const char *g, struct nb_res_identity_view *v)
{
	size_t n = (size_t)(g - nature);
	int count;
	const struct nb_hypervisor *all = nb_hv_all(&count);

	for (int i = 0; i < count; i++)
		if (strlen(all[i].name) == n && strncmp(all[i].name, nature, n) == 0) {
			v->hypervisor = all[i].key;
			v->name = all[i].name;
			return;
		}
	snprintf(v->buf[0], sizeof(v->buf[0]), "%.*s", (int)n, nature);
	v->name = v->buf[0];
}

/* The accelerator the agent reported, else the first word after ", accelerator " in
 * the nature, in lower case ("TCG (QEMU emulation, ...)" -> "tcg"). */
static void derive_accelerator(const cJSON *tier, const char *nature, struct nb_res_identity_view *v)
{
	const char *a = nb_json_str(tier, "sysinfo.accelerator", NULL), *p;
	size_t i = 0;

	if (a) {
		v->accelerator = a;
		return;
	}
	if (!(p = strstr(nature, ", accelerator ")))
		return;
	for (p += 14; p[i] && !isspace((unsigned char)p[i]) && p[i] != ',' && i + 1 < sizeof(v->buf[1]); i++)
		v->buf[1][i] = (char)tolower((unsigned char)p[i]);
	v->buf[1][i] = '\0';
	v->accelerator = i ? v->buf[1] : NULL;
}

static void derive_from_nature(const cJSON *tier, struct nb_res_identity_view *v)
{
	const char *nature = nb_json_str(tier, "nature", NULL), *g;

	v->kind = NB_ID_UNKNOWN;
	if (!nature)
		return;
	g = strstr(nature, " guest (signature ");
	if (strncmp(nature, "bare metal", 10) == 0) {
		v->kind = NB_ID_BARE_METAL;
	} else if (g && g > nature) {
		v->kind = NB_ID_GUEST;
		derive_name(nature, g, v);
	} else if (strncmp(nature, "guest", 5) == 0) {
		v->kind = NB_ID_GUEST;
	}
	derive_accelerator(tier, nature, v);
}

void nb_res_tier_identity(const cJSON *tier, struct nb_res_identity_view *v)
{
	const cJSON *id = nb_json_path(tier, "identity");
	const struct nb_hypervisor *labelled;

	memset(v, 0, sizeof(*v));
	if (cJSON_IsObject(id)) {
		read_recorded(id, v);
		return;
	}
	derive_from_nature(tier, v);
	labelled = nb_hv_by_label(nb_res_tier_label(tier));
	v->label_hypervisor = labelled ? labelled->key : NULL;
	v->label_contradicted = labelled && (v->kind == NB_ID_BARE_METAL || v->hypervisor) &&
				(!v->hypervisor || strcmp(labelled->key, v->hypervisor) != 0);
}
