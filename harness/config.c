/* config.c - reading and checking campaign files. */
#include "config.h"
#include "../common/err.h"
#include "../common/files.h"
#include "../common/transport.h"
#include "libvirt.h"
#include "suggest.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_REPS 10
#define DEFAULT_WARMUP 1
#define DEFAULT_MIN_TIME_MS 50
#define DEFAULT_TIMEOUT_S 600

/* Parsing state: where we are (for messages) and where errors go. */
struct parser {
	const char *name;
	char *err;
};

static int fail(struct parser *p, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, const char *path, const char *fmt, ...)
{
	char msg[NB_ERR_LEN - 160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, NB_ERR_LEN, "%s: %s: %s", p->name, path, msg);
	return -1;
}

/* Line and column (1-based) of byte offset off in text. */
static void line_col(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Every key of obj must be in allowed (NULL-terminated) or start with "_". */
static int check_keys(struct parser *p, const cJSON *obj, const char *path, const char *const *allowed)
{
	const cJSON *it;

	if (!cJSON_IsObject(obj))
		return fail(p, path, "expected an object");
	cJSON_ArrayForEach(it, obj) {
		for (const cJSON *later = it->next; later; later = later->next)
			if (strcmp(later->string, it->string) == 0)
				return fail(p, path, "key \"%s\" is given twice", it->string);
		int ok = it->string[0] == '_';
		for (int i = 0; !ok && allowed[i]; i++)
			ok = strcmp(it->string, allowed[i]) == 0;
		if (!ok) {
			char known[256] = "", near[96];
			size_t n = 0;
			for (int i = 0; allowed[i]; i++, n++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
					 i ? ", " : "", allowed[i]);
			nb_suggest_phrase(it->string, (const char *const *)allowed, n, near, sizeof(near));
			return fail(p, path, "unknown key \"%s\"%s (known: %s; keys starting with _ are "
				    "comments)", it->string, near, known);
		}
	}
	return 0;
}

static int get_string(struct parser *p, const cJSON *obj, const char *key, const char *path,
		      char *out, size_t len, int required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v) {
		if (required)
			return fail(p, path, "missing \"%s\"", key);
		return 0;
	}
	if (!cJSON_IsString(v))
		return fail(p, path, "\"%s\" must be a string", key);
	if (strlen(v->valuestring) >= len)
		return fail(p, path, "\"%s\" is too long (at most %zu characters)", key, len - 1);
	snprintf(out, len, "%s", v->valuestring);
	return 0;
}

/* An integer in [lo, hi]; absent leaves *out unchanged. */
static int get_int(struct parser *p, const cJSON *obj, const char *key, const char *path, int lo,
		   int hi, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
	    v->valuedouble > hi)
		return fail(p, path, "\"%s\" must be an integer between %d and %d", key, lo, hi);
	*out = (int)v->valuedouble;
	return 0;
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

/* ---- run settings (defaults and per-workload overrides) ---------------------------- */

static int parse_events(struct parser *p, const cJSON *arr, const char *path, struct nb_run_cfg *r)
{
	const cJSON *it;

	if (!cJSON_IsArray(arr))
		return fail(p, path, "\"events\" must be an array of event names");
	r->nevents = 0;
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) >= NB_CFG_TEXT)
			return fail(p, path, "\"events\" entries must be non-empty event names");
		if (r->nevents == NB_CFG_MAX_EVENTS)
			return fail(p, path, "at most %d events", NB_CFG_MAX_EVENTS);
		snprintf(r->events[r->nevents++], NB_CFG_TEXT, "%s", it->valuestring);
	}
	return 0;
}

static int parse_cpu(struct parser *p, const cJSON *v, const char *path, int *cpu)
{
	if (!v)
		return 0;
	if (cJSON_IsString(v) && strcmp(v->valuestring, "auto") == 0)
		*cpu = -1;
	else if (cJSON_IsString(v) && strcmp(v->valuestring, "none") == 0)
		*cpu = -2;
	else if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 65536 &&
		 v->valuedouble == floor(v->valuedouble))
		*cpu = (int)v->valuedouble;
	else
		return fail(p, path, "\"cpu\" must be \"auto\" (the agent picks, avoiding CPU 0), "
				     "\"none\" (not pinned) or a CPU number");
	return 0;
}

/* Fields shared by "defaults" and workload entries. */
static int parse_run(struct parser *p, const cJSON *obj, const char *path, struct nb_run_cfg *r)
{
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(obj, "events");

	if (get_int(p, obj, "reps", path, 1, 100000, &r->reps) ||
	    get_int(p, obj, "warmup", path, 0, 1000, &r->warmup) ||
	    get_int(p, obj, "min_time_ms", path, 1, 3600000, &r->min_time_ms) ||
	    get_int(p, obj, "timeout_s", path, 1, 86400, &r->timeout_s) ||
	    parse_cpu(p, cJSON_GetObjectItemCaseSensitive(obj, "cpu"), path, &r->cpu))
		return -1;
	if (ev && parse_events(p, ev, path, r))
		return -1;
	return 0;
}

static void run_inherit(struct nb_run_cfg *r)
{
	memset(r, 0, sizeof(*r));
	r->reps = r->warmup = r->min_time_ms = r->timeout_s = -1;
	r->cpu = -3;   /* inherit */
	r->nevents = -1;
}

/* ---- sections ---------------------------------------------------------------------- */

/* "count_exits": true, false, or {"by", "target", "reasons", "address", "visits"}; "by"
 * is resolved in link_tiers. */
static int parse_count_exits(struct parser *p, const cJSON *v, const char *tpath,
			     struct nb_tier_cfg *tier)
{
	static const char *const keys[] = { "by", "target", "reasons", "address", "visits", NULL };
	const cJSON *t, *r, *vis;
	char path[80], err[NB_ERR_LEN];
	struct nb_addr a;

	tier->exits_by = -1;
	snprintf(tier->exits_target, sizeof(tier->exits_target), "auto");
	tier->exits_reasons = 1;
	tier->exits_timed = 0;
	if (!v || cJSON_IsFalse(v))
		return 0;
	tier->exits_by = -2;   /* on, "by" to resolve */
	if (cJSON_IsTrue(v))
		return 0;
	snprintf(path, sizeof(path), "%s.count_exits", tpath);
	if (!cJSON_IsObject(v))
		return fail(p, tpath, "\"count_exits\" must be true, false or an object {\"by\", "
			    "\"target\", \"reasons\", \"address\", \"visits\"}");
	if (check_keys(p, v, path, keys) ||
	    get_string(p, v, "by", path, tier->exits_by_name, sizeof(tier->exits_by_name), 0) ||
	    get_string(p, v, "address", path, tier->exits_address, sizeof(tier->exits_address), 0))
		return -1;
	if ((r = cJSON_GetObjectItemCaseSensitive(v, "reasons"))) {
		if (!cJSON_IsBool(r))
			return fail(p, path, "\"reasons\" must be true or false");
		tier->exits_reasons = cJSON_IsTrue(r);
	}
	if ((vis = cJSON_GetObjectItemCaseSensitive(v, "visits"))) {
		if (!cJSON_IsString(vis) || (strcmp(vis->valuestring, "own") != 0 &&
					     strcmp(vis->valuestring, "timed") != 0))
			return fail(p, path, "\"visits\" must be \"own\" (count in one visit of its "
				    "own per case, whose times are not kept) or \"timed\" (count "
				    "during the timed visits, which makes each exit dearer)");
		tier->exits_timed = strcmp(vis->valuestring, "timed") == 0;
	}
	if ((t = cJSON_GetObjectItemCaseSensitive(v, "target"))) {
		const cJSON *it;
		if (cJSON_IsString(t) && (strcmp(t->valuestring, "auto") == 0 ||
					  strcmp(t->valuestring, "all") == 0)) {
			snprintf(tier->exits_target, sizeof(tier->exits_target), "%s", t->valuestring);
		} else if (cJSON_IsString(t) && nb_libvirt_is_address(t->valuestring)) {
			/* A domain's QEMU, found when counting starts (libvirt.h). */
			struct nb_libvirt_addr la;
			if (nb_libvirt_parse(t->valuestring, &la, err))
				return fail(p, path, "\"target\": %s", err);
			if (strlen(t->valuestring) >= sizeof(tier->exits_target))
				return fail(p, path, "\"target\": longer than %zu bytes",
					    sizeof(tier->exits_target) - 1);
			snprintf(tier->exits_target, sizeof(tier->exits_target), "%s", t->valuestring);
		} else if (cJSON_IsArray(t) && cJSON_GetArraySize(t) >= 1 && cJSON_GetArraySize(t) <= 16) {
			tier->exits_target[0] = '\0';
			cJSON_ArrayForEach(it, t) {
				if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 4194304 ||
				    it->valuedouble != floor(it->valuedouble))
					return fail(p, path, "\"target\": process ids are integers from 1 "
						    "to 4194304");
				size_t used = strlen(tier->exits_target);
				snprintf(tier->exits_target + used, sizeof(tier->exits_target) - used, "%s%d",
					 used ? "," : "", it->valueint);
			}
		} else {
			return fail(p, path, "\"target\" must be \"auto\" (the processes running KVM "
				    "VMs on the counting tier), \"all\" (every VM there), 1 to 16 "
				    "process ids or \"libvirt:DOMAIN\" (that domain's QEMU)");
		}
	}
	/* "lab:..." names an address the running lab records (resolved when connecting). */
	if (tier->exits_address[0] && strncmp(tier->exits_address, "lab:", 4) != 0 &&
	    !nb_libvirt_is_address(tier->exits_address) &&
	    nb_addr_parse(tier->exits_address, NB_ADDR_CONNECT, &a, err))
		return fail(p, path, "\"address\": %s", err);
	return 0;
}

/* "count_exits" as an array: the first entry as a single value, the later ones (each
 * with "by") counted by further tiers in the same visits, into exits_also. */
static int parse_count_exits_list(struct parser *p, const cJSON *v, const char *tpath,
				  struct nb_tier_cfg *tier)
{
	struct nb_tier_cfg *one;
	const cJSON *it;
	char path[80];
	int n = 0, rc = 0;

	if (!cJSON_IsArray(v))
		return parse_count_exits(p, v, tpath, tier);
	if (cJSON_GetArraySize(v) < 1 || cJSON_GetArraySize(v) > NB_CFG_MAX_EXITS_ALSO + 1)
		return fail(p, tpath, "\"count_exits\" as an array holds 1 to %d counters, each true or "
			    "{\"by\", ...}", NB_CFG_MAX_EXITS_ALSO + 1);
	if (!(one = malloc(sizeof(*one))))
		return fail(p, tpath, "out of memory");
	cJSON_ArrayForEach(it, v) {
		snprintf(path, sizeof(path), "%s.count_exits[%d]", tpath, n);
		if (n == 0) {
			rc = parse_count_exits(p, it, path, tier);
		} else if (!cJSON_IsObject(it) || !cJSON_GetObjectItemCaseSensitive(it, "by")) {
			rc = fail(p, path, "a further counter must be an object naming its tier in \"by\"");
		} else if (cJSON_GetObjectItemCaseSensitive(it, "visits")) {
			rc = fail(p, path, "\"visits\" belongs to the first counter (count_exits[0]): "
				  "further counters count in the same visits");
		} else if (!(rc = parse_count_exits(p, it, path, one))) {
			struct nb_exits_also_cfg *a = &tier->exits_also[tier->nexits_also++];
			a->by = -2;
			snprintf(a->by_name, sizeof(a->by_name), "%s", one->exits_by_name);
			snprintf(a->target, sizeof(a->target), "%s", one->exits_target);
			a->reasons = one->exits_reasons;
			snprintf(a->address, sizeof(a->address), "%s", one->exits_address);
		}
		if (rc)
			break;
		n++;
	}
	if (!rc && tier->nexits_also && tier->exits_by == -1)
		rc = fail(p, tpath, "\"count_exits\": the first counter is off (false): further ones "
			  "need it on");
	free(one);
	return rc;
}

static int parse_tier(struct parser *p, const cJSON *t, int i, struct nb_tier_cfg *tier)
{
	static const char *const keys[] = { "name", "level", "hypervisor", "address", "via",
					    "token_file", "io_dir", "count_exits", NULL };
	char path[64], err[NB_ERR_LEN];
	struct nb_addr a;

	snprintf(path, sizeof(path), "tiers[%d]", i);
	memset(tier, 0, sizeof(*tier));
	tier->level = -1;
	tier->parent = -1;
	if (check_keys(p, t, path, keys) ||
	    get_string(p, t, "name", path, tier->name, sizeof(tier->name), 1) ||
	    get_int(p, t, "level", path, 0, 16, &tier->level) ||
	    get_string(p, t, "hypervisor", path, tier->hypervisor, sizeof(tier->hypervisor), 0) ||
	    get_string(p, t, "address", path, tier->address, sizeof(tier->address), 1) ||
	    get_string(p, t, "via", path, tier->via, sizeof(tier->via), 0) ||
	    get_string(p, t, "token_file", path, tier->token_file, sizeof(tier->token_file), 0) ||
	    get_string(p, t, "io_dir", path, tier->io_dir, sizeof(tier->io_dir), 0) ||
	    parse_count_exits_list(p, cJSON_GetObjectItemCaseSensitive(t, "count_exits"), path, tier))
		return -1;
	if (!valid_name(tier->name))
		return fail(p, path, "tier name \"%s\" may hold only letters, digits, '.', '_' and '-'",
			    tier->name);
	if (tier->level < 0)
		return fail(p, path, "missing \"level\" (0 = bare metal, 1 = guest, 2 = nested guest)");
	if (strcmp(tier->address, "local") == 0) {
		if (tier->via[0])
			return fail(p, path, "a \"local\" tier cannot be reached \"via\" another tier");
		return 0;
	}
	if (strncmp(tier->address, "lab:", 4) == 0) {
		if (strcmp(tier->address, "lab:L1") && strcmp(tier->address, "lab:L2") &&
		    strcmp(tier->address, "lab:L3") && strcmp(tier->address, "lab:L1.aux"))
			return fail(p, path, "address \"%s\": the lab's guests are lab:L1, lab:L2 and, "
				    "with lab.l3, lab:L3 (lab:L1.aux: L1's second agent port)",
				    tier->address);
		return 0;
	}
	if (nb_libvirt_is_address(tier->address)) {
		struct nb_libvirt_addr la;   /* resolved when connecting (libvirt.h) */
		if (nb_libvirt_parse(tier->address, &la, err))
			return fail(p, path, "address: %s", err);
		return 0;
	}
	if (nb_addr_parse(tier->address, NB_ADDR_CONNECT, &a, err))
		return fail(p, path, "address: %s (or \"local\" for an agent the harness starts)", err);
	return 0;
}

/* count_exits' further counters: each names an existing tier, not this one, and no two
 * count in the same tier (their visits would be counted twice there). */
static int link_exits_also(struct parser *p, struct nb_campaign_cfg *c, int i)
{
	struct nb_tier_cfg *t = &c->tiers[i];

	for (int k = 0; k < t->nexits_also; k++) {
		struct nb_exits_also_cfg *a = &t->exits_also[k];
		char path[96];
		snprintf(path, sizeof(path), "tiers[%d].count_exits[%d]", i, k + 1);
		a->by = nb_config_tier(c, a->by_name);
		if (a->by < 0)
			return fail(p, path, "\"by\": no tier named \"%s\"", a->by_name);
		if (a->by == i)
			return fail(p, path, "a tier cannot count its own exits: \"by\" names a tier "
				    "below it that runs a VM");
		if (a->by == t->exits_by)
			return fail(p, path, "\"by\": tier \"%s\" already counts this tier's exits "
				    "(count_exits[0])", a->by_name);
		for (int j = 0; j < k; j++)
			if (t->exits_also[j].by == a->by)
				return fail(p, path, "\"by\": tier \"%s\" is named twice", a->by_name);
		if (nb_libvirt_is_address(a->target) && strcmp(c->tiers[a->by].address, "local") != 0)
			return fail(p, path, "\"target\": \"%s\" needs a \"local\" counting tier",
				    a->target);
		if (a->address[0] && strcmp(c->tiers[a->by].address, "local") == 0)
			return fail(p, path, "\"address\" is for a tier reached at an address; tier "
				    "\"%s\" is local", a->by_name);
	}
	return 0;
}

/* count_exits: "by" defaults to "via"; the counting tier must exist and differ. */
static int link_count_exits(struct parser *p, struct nb_campaign_cfg *c)
{
	for (int i = 0; i < c->ntiers; i++) {
		struct nb_tier_cfg *t = &c->tiers[i];
		char path[80];
		if (t->exits_by == -1)
			continue;
		snprintf(path, sizeof(path), "tiers[%d].count_exits", i);
		const char *by = t->exits_by_name[0] ? t->exits_by_name : t->via;
		if (!by[0])
			return fail(p, path, "name the tier that runs this tier's VM in \"by\" (this tier "
				    "has no \"via\" to default to)");
		t->exits_by = nb_config_tier(c, by);
		if (t->exits_by < 0)
			return fail(p, path, "\"by\": no tier named \"%s\"", by);
		if (t->exits_by == i)
			return fail(p, path, "a tier cannot count its own exits: \"by\" names the tier "
				    "that runs its VM");
		/* The pid comes from this machine's libvirt: the counting tier must be it. */
		if (nb_libvirt_is_address(t->exits_target) &&
		    strcmp(c->tiers[t->exits_by].address, "local") != 0)
			return fail(p, path, "\"target\": \"%s\" names a domain of the libvirt on the "
				    "machine nestbench runs on, so it needs a \"local\" counting tier; "
				    "tier \"%s\" is at %s: give its QEMU's pid instead", t->exits_target,
				    by, c->tiers[t->exits_by].address);
		if (t->exits_address[0] && strcmp(c->tiers[t->exits_by].address, "local") == 0)
			return fail(p, path, "\"address\" is for a tier reached at an address; tier "
				    "\"%s\" is local (the harness starts a second agent there)", by);
		if (link_exits_also(p, c, i))
			return -1;
	}
	return 0;
}

/* Resolve "via" names and refuse unknown parents and cycles. */
static int link_tiers(struct parser *p, struct nb_campaign_cfg *c)
{
	for (int i = 0; i < c->ntiers; i++) {
		char path[64];
		snprintf(path, sizeof(path), "tiers[%d]", i);
		for (int j = 0; j < i; j++)
			if (strcmp(c->tiers[i].name, c->tiers[j].name) == 0)
				return fail(p, path, "tier name \"%s\" is used twice", c->tiers[i].name);
		if (!c->tiers[i].via[0])
			continue;
		c->tiers[i].parent = nb_config_tier(c, c->tiers[i].via);
		if (c->tiers[i].parent < 0)
			return fail(p, path, "\"via\": no tier named \"%s\"", c->tiers[i].via);
	}
	for (int i = 0; i < c->ntiers; i++) {
		int hops = 0;
		for (int k = c->tiers[i].parent; k >= 0; k = c->tiers[k].parent)
			if (++hops > c->ntiers)
				return fail(p, "tiers", "\"via\" chain from \"%s\" loops", c->tiers[i].name);
	}
	return link_count_exits(p, c);
}

static int param_text(struct parser *p, const cJSON *v, const char *path, char *out)
{
	char val[NB_CFG_TEXT];

	if (cJSON_IsString(v))
		snprintf(val, sizeof(val), "%s", v->valuestring);
	else if (cJSON_IsBool(v))
		snprintf(val, sizeof(val), "%d", cJSON_IsTrue(v));
	else if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble == floor(v->valuedouble) &&
		 v->valuedouble < 1.8e19)
		snprintf(val, sizeof(val), "%.0f", v->valuedouble);
	else
		return fail(p, path, "parameter \"%s\" must be a string, a non-negative integer or a "
				     "boolean", v->string);
	size_t kl = strlen(v->string), vl = strlen(val);
	if (kl + vl + 2 > NB_CFG_TEXT)
		return fail(p, path, "parameter \"%s\" is too long", v->string);
	memcpy(out, v->string, kl);
	out[kl] = '=';
	memcpy(out + kl + 1, val, vl + 1);
	return 0;
}

static int parse_workload(struct parser *p, const cJSON *w, int i, struct nb_workload_cfg *wl)
{
	static const char *const keys[] = { "name", "params", "reps", "warmup", "min_time_ms",
					    "timeout_s", "cpu", "events", NULL };
	char path[64];
	const cJSON *params, *it;

	snprintf(path, sizeof(path), "workloads[%d]", i);
	memset(wl, 0, sizeof(*wl));
	run_inherit(&wl->run);
	if (cJSON_IsString(w)) {
		if (!w->valuestring[0] || strlen(w->valuestring) >= sizeof(wl->pattern))
			return fail(p, path, "expected a workload name or pattern such as \"exit.*\"");
		snprintf(wl->pattern, sizeof(wl->pattern), "%s", w->valuestring);
		return 0;
	}
	if (check_keys(p, w, path, keys) ||
	    get_string(p, w, "name", path, wl->pattern, sizeof(wl->pattern), 1) ||
	    parse_run(p, w, path, &wl->run))
		return -1;
	params = cJSON_GetObjectItemCaseSensitive(w, "params");
	if (!params)
		return 0;
	if (!cJSON_IsObject(params))
		return fail(p, path, "\"params\" must be an object such as {\"size\": \"64M\"}");
	cJSON_ArrayForEach(it, params) {
		if (wl->nparams == NB_CFG_MAX_PARAMS)
			return fail(p, path, "at most %d parameters", NB_CFG_MAX_PARAMS);
		if (param_text(p, it, path, wl->params[wl->nparams++]))
			return -1;
	}
	return 0;
}

static int parse_precision(struct parser *p, const cJSON *o, struct nb_precision_cfg *pr)
{
	static const char *const keys[] = { "mode", "target", "min_reps", "max_reps", "budget_s", NULL };
	char mode[32] = "fixed";
	const cJSON *v;

	pr->mode = NB_PRECISION_FIXED;
	pr->target = 0.01;
	pr->min_reps = 6;   /* the least n whose median CI can reach 95 % */
	pr->max_reps = 100;
	pr->budget_s = 60;
	if (!o)
		return 0;
	if (check_keys(p, o, "precision", keys) ||
	    get_string(p, o, "mode", "precision", mode, sizeof(mode), 0) ||
	    get_int(p, o, "min_reps", "precision", 6, 100000, &pr->min_reps) ||
	    get_int(p, o, "max_reps", "precision", 6, 100000, &pr->max_reps))
		return -1;
	if (strcmp(mode, "adaptive") == 0)
		pr->mode = NB_PRECISION_ADAPTIVE;
	else if (strcmp(mode, "fixed") != 0)
		return fail(p, "precision", "\"mode\" must be \"fixed\" or \"adaptive\"");
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "target"))) {
		if (!cJSON_IsNumber(v) || !(v->valuedouble > 0 && v->valuedouble <= 0.5))
			return fail(p, "precision", "\"target\" is the CI half-width relative to the "
						    "median: a number in (0, 0.5], e.g. 0.01 for 1 %%");
		pr->target = v->valuedouble;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "budget_s"))) {
		if (!cJSON_IsNumber(v) || !(v->valuedouble > 0))
			return fail(p, "precision", "\"budget_s\" must be a positive number of seconds");
		pr->budget_s = v->valuedouble;
	}
	if (pr->max_reps < pr->min_reps)
		return fail(p, "precision", "\"max_reps\" (%d) is below \"min_reps\" (%d)", pr->max_reps,
			    pr->min_reps);
	return 0;
}

static int parse_order(struct parser *p, const cJSON *o, struct nb_order_cfg *ord)
{
	static const char *const keys[] = { "interleave", "block", "seed", "tiers", NULL };
	const cJSON *v;

	ord->interleave = 1;
	ord->block = 1;
	ord->seed_given = 0;
	ord->tiers = NB_TIERS_AUTO;
	if (!o)
		return 0;
	if (check_keys(p, o, "order", keys) || get_int(p, o, "block", "order", 1, 100000, &ord->block))
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "tiers"))) {
		if (cJSON_IsString(v) && strcmp(v->valuestring, "interleaved") == 0)
			ord->tiers = NB_TIERS_INTERLEAVED;
		else if (cJSON_IsString(v) && strcmp(v->valuestring, "by-tier") == 0)
			ord->tiers = NB_TIERS_BY_TIER;
		else
			return fail(p, "order", "\"tiers\" must be \"interleaved\" (each case on every "
				    "tier in turn) or \"by-tier\" (one tier after the other)");
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "interleave"))) {
		if (!cJSON_IsBool(v))
			return fail(p, "order", "\"interleave\" must be true or false");
		ord->interleave = cJSON_IsTrue(v);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "seed"))) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740991.0 ||
		    v->valuedouble != floor(v->valuedouble))
			return fail(p, "order", "\"seed\" must be a non-negative integer below 2^53");
		ord->seed = (uint64_t)v->valuedouble;
		ord->seed_given = 1;
	}
	return 0;
}

static int get_choice(struct parser *p, const cJSON *obj, const char *key, const char *path,
		      const char *const *choices, char *out, size_t len)
{
	if (get_string(p, obj, key, path, out, len, 0))
		return -1;
	for (int i = 0; choices[i]; i++)
		if (strcmp(out, choices[i]) == 0)
			return 0;
	return fail(p, path, "\"%s\" must be one of %s, %s, %s", key, choices[0], choices[1], choices[2]);
}

/* A boolean; absent leaves *out unchanged. */
static int get_bool(struct parser *p, const cJSON *obj, const char *key, const char *path, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		return fail(p, path, "\"%s\" must be true or false", key);
	*out = cJSON_IsTrue(v);
	return 0;
}

void nb_lab_defaults(struct nb_lab_cfg *lab)
{
	*lab = (struct nb_lab_cfg){ .l1_vcpus = 2, .l1_memory_mib = 4096, .l1_accelerator = "auto",
				    .l1_transport = "auto", .l2_vcpus = 2, .l2_memory_mib = 1536,
				    .l2_cid = 42, .boot_timeout_s = 180 };
}

/* lab.l3: an L3 guest under KVM inside L2 (off without it).  L2 then holds L3's memory,
 * qemu and its own image (~180 MB unpacked, in RAM); its vsock CID differs from L2's. */
static int parse_lab_l3(struct parser *p, const cJSON *l3, struct nb_lab_cfg *lab)
{
	static const char *const keys[] = { "vcpus", "memory_mib", "cid", NULL };

	if (!cJSON_IsObject(l3))
		return fail(p, "lab.l3", "expected an object {\"vcpus\", \"memory_mib\", \"cid\"} "
			    "(leave \"l3\" out for a lab without L3)");
	lab->l3_vcpus = 1;
	lab->l3_memory_mib = 512;
	lab->l3_cid = 43;
	if (check_keys(p, l3, "lab.l3", keys) ||
	    get_int(p, l3, "vcpus", "lab.l3", 1, 64, &lab->l3_vcpus) ||
	    get_int(p, l3, "memory_mib", "lab.l3", 256, 1 << 20, &lab->l3_memory_mib) ||
	    get_int(p, l3, "cid", "lab.l3", 3, 0x7fffffff, &lab->l3_cid))
		return -1;
	if (lab->l3_cid == lab->l2_cid)
		return fail(p, "lab.l3", "cid %d is L2's too: give L3 a vsock CID of its own (e.g. %d)",
			    lab->l3_cid, lab->l2_cid + 1);
	if (lab->l2_memory_mib < lab->l3_memory_mib + 768)
		return fail(p, "lab", "l2.memory_mib (%d) must exceed l3.memory_mib (%d) by at least 768: "
			    "L2 holds L3's memory, its own image (with qemu and L3's) and qemu",
			    lab->l2_memory_mib, lab->l3_memory_mib);
	return 0;
}

/* The "lab" object: what `nestbench lab up` boots (configs/README.md, "lab"). */
static int parse_lab(struct parser *p, const cJSON *o, struct nb_lab_cfg *lab)
{
	static const char *const keys[] = { "l1", "l2", "l3", "boot_timeout_s", "kvm_unit_tests", NULL };
	static const char *const l1_keys[] = { "vcpus", "memory_mib", "accelerator", "transport", NULL };
	static const char *const l2_keys[] = { "vcpus", "memory_mib", "cid", "hyperv", NULL };
	static const char *const accels[] = { "auto", "kvm", "tcg", NULL };
	static const char *const transports[] = { "auto", "vsock", "serial", NULL };
	const cJSON *l1, *l2, *l3;

	nb_lab_defaults(lab);
	if (!o)
		return 0;
	lab->present = 1;
	l1 = cJSON_GetObjectItemCaseSensitive(o, "l1");
	l2 = cJSON_GetObjectItemCaseSensitive(o, "l2");
	l3 = cJSON_GetObjectItemCaseSensitive(o, "l3");
	if (check_keys(p, o, "lab", keys) ||
	    get_int(p, o, "boot_timeout_s", "lab", 5, 3600, &lab->boot_timeout_s) ||
	    get_string(p, o, "kvm_unit_tests", "lab", lab->kvm_unit_tests,
		       sizeof(lab->kvm_unit_tests), 0))
		return -1;
	if (l1 && (check_keys(p, l1, "lab.l1", l1_keys) ||
		   get_int(p, l1, "vcpus", "lab.l1", 1, 64, &lab->l1_vcpus) ||
		   get_int(p, l1, "memory_mib", "lab.l1", 512, 1 << 20, &lab->l1_memory_mib) ||
		   get_choice(p, l1, "accelerator", "lab.l1", accels, lab->l1_accelerator,
			      sizeof(lab->l1_accelerator)) ||
		   get_choice(p, l1, "transport", "lab.l1", transports, lab->l1_transport,
			      sizeof(lab->l1_transport))))
		return -1;
	if (l2 && (check_keys(p, l2, "lab.l2", l2_keys) ||
		   get_int(p, l2, "vcpus", "lab.l2", 1, 64, &lab->l2_vcpus) ||
		   get_int(p, l2, "memory_mib", "lab.l2", 256, 1 << 20, &lab->l2_memory_mib) ||
		   get_int(p, l2, "cid", "lab.l2", 3, 0x7fffffff, &lab->l2_cid) ||
		   get_bool(p, l2, "hyperv", "lab.l2", &lab->l2_hyperv)))
		return -1;
	if (l3 && parse_lab_l3(p, l3, lab))
		return -1;
	/* L1 holds its own image (~100 MB unpacked, in RAM), qemu and all of L2. */
	if (lab->l1_memory_mib < lab->l2_memory_mib + 512)
		return fail(p, "lab", "l1.memory_mib (%d) must exceed l2.memory_mib (%d) by at least 512: "
			    "L1 holds L2's memory, its own image and qemu", lab->l1_memory_mib,
			    lab->l2_memory_mib);
	return 0;
}

/* "quiet": true/false, or an object overriding the defaults (10 % of one CPU over 2 s
 * windows, at most 120 s). */
static int parse_quiet(struct parser *p, const cJSON *o, struct nb_quiet_cfg *q)
{
	static const char *const keys[] = { "threshold_pct", "window_s", "timeout_s", NULL };
	static const struct { const char *key; double lo, hi; } lim[] = {
		{ "threshold_pct", 0.1, 1000 }, { "window_s", 0.1, 60 }, { "timeout_s", 0, 3600 } };
	double *dst[] = { &q->threshold_pct, &q->window_s, &q->timeout_s };

	*q = (struct nb_quiet_cfg){ 1, 10.0, 2.0, 120.0 };
	if (!o)
		return 0;
	if (cJSON_IsBool(o)) {
		q->enabled = cJSON_IsTrue(o);
		return 0;
	}
	if (!cJSON_IsObject(o))
		return fail(p, "quiet", "expected true, false or an object with threshold_pct, "
			    "window_s, timeout_s");
	if (check_keys(p, o, "quiet", keys))
		return -1;
	for (int i = 0; i < 3; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, lim[i].key);
		if (!v)
			continue;
		if (!cJSON_IsNumber(v) || v->valuedouble < lim[i].lo || v->valuedouble > lim[i].hi)
			return fail(p, "quiet", "\"%s\" must be a number from %g to %g", lim[i].key,
				    lim[i].lo, lim[i].hi);
		*dst[i] = v->valuedouble;
	}
	return 0;
}

/* A top-level boolean that defaults to true ("canary", "keep_workers"). */
static int parse_flag(struct parser *p, const cJSON *root, const char *key, int *flag)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

	*flag = 1;
	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		return fail(p, key, "must be true or false");
	*flag = cJSON_IsTrue(v);
	return 0;
}

int nb_config_interleaved(const struct nb_campaign_cfg *c)
{
	if (c->order.tiers != NB_TIERS_AUTO)
		return c->order.tiers == NB_TIERS_INTERLEAVED;
	return c->lab.present;
}

/* Tiers at lab: addresses need the "lab" object, and lab:L3 its "l3". */
static int check_lab_tiers(struct parser *p, const struct nb_campaign_cfg *c)
{
	for (int i = 0; i < c->ntiers; i++) {
		char path[64];
		snprintf(path, sizeof(path), "tiers[%d]", i);
		if (strncmp(c->tiers[i].address, "lab:", 4) == 0 && !c->lab.present)
			return fail(p, path, "address \"%s\" needs a \"lab\" object describing the "
				    "guests (see configs/lab.json)", c->tiers[i].address);
		if (strcmp(c->tiers[i].address, "lab:L3") == 0 && !c->lab.l3_cid)
			return fail(p, path, "address \"lab:L3\" needs \"l3\" in the \"lab\" object "
				    "(e.g. {\"vcpus\": 1, \"memory_mib\": 512, \"cid\": 43}; see "
				    "configs/lab-l3.json)");
		/* L3 runs inside L2: the chain must cross L2's agent (tier.c picks L1's ports). */
		if (strcmp(c->tiers[i].address, "lab:L3") == 0 &&
		    (c->tiers[i].parent < 0 || strcmp(c->tiers[c->tiers[i].parent].address, "lab:L2") != 0))
			return fail(p, path, "address \"lab:L3\" is reached through L2: give it \"via\" the "
				    "tier at lab:L2");
	}
	return 0;
}

static int parse_root(struct parser *p, const cJSON *root, struct nb_campaign_cfg *c)
{
	static const char *const keys[] = { "name", "description", "tiers", "workloads", "defaults",
					    "precision", "order", "lab", "canary", "quiet",
					    "keep_workers", NULL };
	static const char *const run_keys[] = { "reps", "warmup", "min_time_ms", "timeout_s", "cpu",
						"events", NULL };
	const cJSON *tiers, *wls, *defaults, *it;

	if (check_keys(p, root, "(top level)", keys) ||
	    get_string(p, root, "name", "(top level)", c->name, sizeof(c->name), 1) ||
	    get_string(p, root, "description", "(top level)", c->description, sizeof(c->description), 0))
		return -1;
	if (!valid_name(c->name))
		return fail(p, "name", "\"%s\": use letters, digits, '.', '_' and '-' (it names result files)",
			    c->name);

	tiers = cJSON_GetObjectItemCaseSensitive(root, "tiers");
	if (!cJSON_IsArray(tiers) || cJSON_GetArraySize(tiers) == 0)
		return fail(p, "tiers", "expected a non-empty array of tiers");
	if (cJSON_GetArraySize(tiers) > NB_CFG_MAX_TIERS)
		return fail(p, "tiers", "at most %d tiers", NB_CFG_MAX_TIERS);
	cJSON_ArrayForEach(it, tiers) {
		if (parse_tier(p, it, c->ntiers, &c->tiers[c->ntiers]))
			return -1;
		c->ntiers++;
	}
	if (link_tiers(p, c))
		return -1;

	wls = cJSON_GetObjectItemCaseSensitive(root, "workloads");
	if (!cJSON_IsArray(wls) || cJSON_GetArraySize(wls) == 0)
		return fail(p, "workloads", "expected a non-empty array of workload names, patterns "
					    "(\"exit.*\") or objects");
	if (cJSON_GetArraySize(wls) > NB_CFG_MAX_WORKLOADS)
		return fail(p, "workloads", "at most %d entries", NB_CFG_MAX_WORKLOADS);
	cJSON_ArrayForEach(it, wls) {
		if (parse_workload(p, it, c->nworkloads, &c->workloads[c->nworkloads]))
			return -1;
		c->nworkloads++;
	}

	c->defaults = (struct nb_run_cfg){ .reps = DEFAULT_REPS, .warmup = DEFAULT_WARMUP,
					   .min_time_ms = DEFAULT_MIN_TIME_MS,
					   .timeout_s = DEFAULT_TIMEOUT_S, .cpu = -1, .nevents = 0 };
	defaults = cJSON_GetObjectItemCaseSensitive(root, "defaults");
	if (defaults && (check_keys(p, defaults, "defaults", run_keys) ||
			 parse_run(p, defaults, "defaults", &c->defaults)))
		return -1;
	return parse_precision(p, cJSON_GetObjectItemCaseSensitive(root, "precision"), &c->precision) ||
	       parse_order(p, cJSON_GetObjectItemCaseSensitive(root, "order"), &c->order) ||
	       parse_lab(p, cJSON_GetObjectItemCaseSensitive(root, "lab"), &c->lab) ||
	       parse_quiet(p, cJSON_GetObjectItemCaseSensitive(root, "quiet"), &c->quiet) ||
	       parse_flag(p, root, "canary", &c->canary) ||
	       parse_flag(p, root, "keep_workers", &c->keep_workers) ||
	       check_lab_tiers(p, c);
}

int nb_config_parse(const char *text, size_t len, const char *name, struct nb_campaign_cfg *c,
		    char err[NB_ERR_LEN])
{
	struct parser p = { name, err };
	const char *end = NULL;
	cJSON *root;
	int rc;

	memset(c, 0, sizeof(*c));
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		int line, col;
		size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : len;
		line_col(text, off, &line, &col);
		/* text need not be NUL-terminated: bound the excerpt by the length. */
		int show = off < len ? (int)(len - off < 20 ? len - off : 20) : 13;
		return nb_err(err, "%s:%d:%d: JSON syntax error near \"%.*s\"", name, line, col,
			 show, off < len ? text + off : "(end of file)");
	}
	rc = parse_root(&p, root, c);
	cJSON_Delete(root);
	if (rc)
		return -1;
	if (!(c->text = malloc(len + 1))) {
		return nb_err(err, "%s: out of memory", name);
	}
	memcpy(c->text, text, len);
	c->text[len] = '\0';
	c->len = len;
	snprintf(c->path, sizeof(c->path), "%s", name);
	return 0;
}

int nb_config_load(const char *path, struct nb_campaign_cfg *c, char err[NB_ERR_LEN])
{
	int open_failed, rc;
	size_t n;
	char *buf = nb_file_read(path, 1 << 20, &n, &open_failed);

	if (!buf) {
		if (open_failed)
			snprintf(err, NB_ERR_LEN, "cannot open campaign file %s: %s", path, strerror(errno));
		else if (errno == EFBIG || errno == EISDIR)
			snprintf(err, NB_ERR_LEN, "%s: not a readable campaign file (at most 1 MiB)", path);
		else
			snprintf(err, NB_ERR_LEN, "%s: read failed", path);
		return -1;
	}
	rc = nb_config_parse(buf, n, path, c, err);
	free(buf);
	return rc;
}

void nb_config_free(struct nb_campaign_cfg *c)
{
	free(c->text);
	c->text = NULL;
}

struct nb_run_cfg nb_config_effective(const struct nb_campaign_cfg *c, int workload)
{
	const struct nb_run_cfg *o = &c->workloads[workload].run;
	struct nb_run_cfg r = c->defaults;

	if (o->reps >= 0)
		r.reps = o->reps;
	if (o->warmup >= 0)
		r.warmup = o->warmup;
	if (o->min_time_ms >= 0)
		r.min_time_ms = o->min_time_ms;
	if (o->timeout_s >= 0)
		r.timeout_s = o->timeout_s;
	if (o->cpu != -3)
		r.cpu = o->cpu;
	if (o->nevents >= 0) {
		r.nevents = o->nevents;
		memcpy(r.events, o->events, sizeof(r.events));
	}
	return r;
}

int nb_config_tier(const struct nb_campaign_cfg *c, const char *name)
{
	for (int i = 0; i < c->ntiers; i++)
		if (strcmp(c->tiers[i].name, name) == 0)
			return i;
	return -1;
}

int nb_pattern_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (strcmp(pattern, "*") == 0)
		return 1;
	if (n >= 2 && strcmp(pattern + n - 2, ".*") == 0)
		return strncmp(pattern, name, n - 1) == 0;  /* "exit.*" matches "exit.cpuid" */
	return strcmp(pattern, name) == 0;
}
