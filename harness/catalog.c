/* catalog.c - the workload list and case expansion, asked of nestbench-work itself. */
#include "catalog.h"
#include "../common/err.h"
#include "../common/json.h"
#include "../common/proc.h"
#include "../common/records.h"
#include "../common/sha256.h"
#include "suggest.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Parse newline-separated JSON objects, calling fn for each; -1 on a bad line. */
static int each_line(char *text, int (*fn)(const cJSON *o, void *arg), void *arg)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(line);
		int rc = o ? fn(o, arg) : -1;
		cJSON_Delete(o);
		if (rc)
			return -1;
	}
	return 0;
}

static int add_workload(const cJSON *o, void *arg)
{
	struct nb_catalog *cat = arg;
	struct nb_wl_info *w, *grown = realloc(cat->w, (size_t)(cat->n + 1) * sizeof(*cat->w));
	const cJSON *p;

	if (!grown)
		return -1;
	cat->w = grown;
	w = &cat->w[cat->n];
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", nb_json_str(o, "name", ""));
	snprintf(w->family, sizeof(w->family), "%s", nb_json_str(o, "family", ""));
	snprintf(w->unit, sizeof(w->unit), "%s", nb_json_str(o, "unit", ""));
	w->higher_is_better = strcmp(nb_json_str(o, "better", ""), NB_BETTER_HIGHER) == 0;
	snprintf(w->setup_group, sizeof(w->setup_group), "%.31s", nb_json_str(o, "setup_group", ""));
	cJSON_ArrayForEach(p, nb_json_path(o, "params")) {
		if (strcmp(nb_json_str(p, "name", ""), "dir") == 0)
			w->has_dir_param = 1;
		if (w->nparams < NB_CFG_MAX_PARAMS)
			snprintf(w->params[w->nparams++], sizeof(w->params[0]), "%.31s",
				 nb_json_str(p, "name", ""));
	}
	if (!w->name[0])
		return -1;
	cat->n++;
	return 0;
}

int nb_catalog_load(struct nb_catalog *cat, const char *work_path, char err[NB_ERR_LEN])
{
	char *list_argv[] = { (char *)work_path, "list", "--json", NULL };
	char *ver_argv[] = { (char *)work_path, "--version", NULL };
	struct nb_proc_out o;
	char herr[NB_ERR_LEN];

	memset(cat, 0, sizeof(*cat));
	snprintf(cat->work_path, sizeof(cat->work_path), "%s", work_path);
	if (nb_sha256_file(work_path, cat->sha256, &cat->size, herr)) {
		return nb_err(err, "workload binary %s: %s (build it with `make`, install the "
			 "nestbench-agent package, or give --work PATH)", work_path, herr);
	}
	if (nb_proc_run(ver_argv, &o, herr) || o.status != 0) {
		snprintf(err, NB_ERR_LEN, "cannot run %s --version: %s", work_path,
			 o.err && o.err[0] ? o.err : herr);
		nb_proc_out_free(&o);
		return -1;
	}
	sscanf(o.out, "nestbench-work %63s", cat->version);
	nb_proc_out_free(&o);
	if (nb_proc_run(list_argv, &o, herr) || o.status != 0 || each_line(o.out, add_workload, cat) ||
	    cat->n == 0) {
		snprintf(err, NB_ERR_LEN, "%s list --json failed or printed no workloads", work_path);
		nb_proc_out_free(&o);
		nb_catalog_free(cat);
		return -1;
	}
	nb_proc_out_free(&o);
	return 0;
}

void nb_catalog_free(struct nb_catalog *cat)
{
	free(cat->w);
	cat->w = NULL;
	cat->n = 0;
}

/* ---- expansion --------------------------------------------------------------------- */

struct expand {
	struct nb_case **cases;
	int *n, cap, wl, entry;
	int explicit_dir;   /* the entry sets dir=: it is then part of the case */
};

static int cmp_param(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void make_key(struct nb_case *c, const char *name)
{
	size_t used = (size_t)snprintf(c->key, sizeof(c->key), "%s", name);

	for (int i = 0; i < c->nparams && used < sizeof(c->key); i++)
		used += (size_t)snprintf(c->key + used, sizeof(c->key) - used, " %s", c->params[i]);
}

static int add_case(const cJSON *o, void *arg)
{
	struct expand *x = arg;
	struct nb_case *c;
	const cJSON *p;

	if (*x->n == x->cap) {
		int cap = x->cap ? x->cap * 2 : 64;
		struct nb_case *grown = realloc(*x->cases, (size_t)cap * sizeof(**x->cases));
		if (!grown)
			return -1;
		*x->cases = grown;
		x->cap = cap;
	}
	c = &(*x->cases)[*x->n];
	memset(c, 0, sizeof(*c));
	c->wl = x->wl;
	c->entry = x->entry;
	cJSON_ArrayForEach(p, nb_json_path(o, "params")) {
		if (!cJSON_IsString(p) || c->nparams == NB_CFG_MAX_PARAMS)
			return -1;
		/* Where a tier does its I/O is the tier's io_dir, not part of what is
		 * measured: keep it out of the case so tiers stay comparable. */
		if (!x->explicit_dir && strcmp(p->string, "dir") == 0)
			continue;
		snprintf(c->params[c->nparams++], NB_CFG_TEXT, "%.63s=%.180s", p->string, p->valuestring);
	}
	qsort(c->params, (size_t)c->nparams, sizeof(c->params[0]), cmp_param);
	make_key(c, nb_json_str(o, "workload", ""));
	(*x->n)++;
	return 0;
}

/* An entry's parameter the workload does not take, named with the closest it does
 * (nestbench-work would refuse it too, without the suggestion).  0 when all are known. */
static int check_params(const struct nb_wl_info *w, const struct nb_workload_cfg *e, int entry,
			char err[NB_ERR_LEN])
{
	const char *names[NB_CFG_MAX_PARAMS];
	char known[NB_CFG_MAX_PARAMS * 34] = "", near[96];

	for (int i = 0; i < w->nparams; i++) {
		names[i] = w->params[i];
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? ", " : "",
			 w->params[i]);
	}
	for (int i = 0; i < e->nparams; i++) {
		char key[NB_CFG_TEXT];
		int found = 0;
		snprintf(key, sizeof(key), "%.*s", (int)strcspn(e->params[i], "="), e->params[i]);
		for (int k = 0; k < w->nparams && !found; k++)
			found = strcmp(key, w->params[k]) == 0;
		if (found)
			continue;
		nb_suggest_phrase(key, names, (size_t)w->nparams, near, sizeof(near));
		return nb_err(err, "workloads[%d] (%s): unknown parameter \"%s\"%s (%s%s)", entry,
			      w->name, key, near, w->nparams ? "known: " : "it takes none",
			      known);
	}
	return 0;
}

/* The workload names and the patterns ("exit.*", "mem.bw.*") closest to an entry's
 * pattern that matches none, as ", did you mean ...?" or "". */
static void suggest_pattern(const struct nb_catalog *cat, const char *pattern, char *buf, size_t len)
{
	const char **names = calloc((size_t)cat->n * 4 + 1, sizeof(*names));
	size_t n = 0;

	if (!names) {
		buf[0] = '\0';
		return;
	}
	char (*pats)[NB_CFG_NAME] = calloc((size_t)cat->n * 4 + 1, sizeof(*pats));
	for (int w = 0; w < cat->n && pats && n < (size_t)cat->n * 4; w++) {
		names[n++] = cat->w[w].name;
		/* every "prefix.*" of the name, once */
		for (const char *dot = strchr(cat->w[w].name, '.'); dot; dot = strchr(dot + 1, '.')) {
			char pat[NB_CFG_NAME];
			int seen = 0;
			snprintf(pat, sizeof(pat), "%.*s.*", (int)(dot - cat->w[w].name), cat->w[w].name);
			for (size_t k = 0; k < n && !seen; k++)
				seen = strcmp(names[k], pat) == 0;
			if (!seen && n < (size_t)cat->n * 4) {
				snprintf(pats[n], sizeof(pats[n]), "%s", pat);
				names[n] = pats[n];
				n++;
			}
		}
	}
	nb_suggest_phrase(pattern, names, n, buf, len);
	free(pats);
	free(names);
}

/* Ask `nestbench-work cases` for one workload of one entry. */
static int expand_one(const struct nb_catalog *cat, const struct nb_workload_cfg *e, struct expand *x,
		      char err[NB_ERR_LEN])
{
	char *argv[4 + 2 * NB_CFG_MAX_PARAMS];
	struct nb_proc_out o;
	char herr[NB_ERR_LEN];
	int argc = 0;

	x->explicit_dir = 0;
	for (int i = 0; i < e->nparams; i++)
		if (strncmp(e->params[i], "dir=", 4) == 0)
			x->explicit_dir = 1;
	if (check_params(&cat->w[x->wl], e, x->entry, err))
		return -1;
	argv[argc++] = (char *)cat->work_path;
	argv[argc++] = "cases";
	argv[argc++] = cat->w[x->wl].name;
	for (int i = 0; i < e->nparams; i++) {
		argv[argc++] = "--param";
		argv[argc++] = (char *)e->params[i];
	}
	argv[argc] = NULL;
	if (nb_proc_run(argv, &o, herr)) {
		return nb_err(err, "workloads[%d]: %s", x->entry, herr);
	}
	if (o.status != 0) {
		/* nestbench-work already printed one line naming the problem. */
		o.err[strcspn(o.err, "\n")] = '\0';
		snprintf(err, NB_ERR_LEN, "workloads[%d] (%s): %s", x->entry, cat->w[x->wl].name,
			 strncmp(o.err, "nestbench-work: ", 16) == 0 ? o.err + 16 : o.err);
		nb_proc_out_free(&o);
		return -1;
	}
	int rc = each_line(o.out, add_case, x);
	nb_proc_out_free(&o);
	if (rc)
		snprintf(err, NB_ERR_LEN, "workloads[%d]: unreadable output from %s cases", x->entry,
			 cat->work_path);
	return rc;
}

int nb_catalog_expand(const struct nb_catalog *cat, const struct nb_campaign_cfg *cfg,
		      struct nb_case **cases, int *ncases, char err[NB_ERR_LEN])
{
	struct expand x = { cases, ncases, 0, 0, 0 };

	*cases = NULL;
	*ncases = 0;
	for (int e = 0; e < cfg->nworkloads; e++) {
		const struct nb_workload_cfg *entry = &cfg->workloads[e];
		int matched = 0;
		for (int w = 0; w < cat->n; w++) {
			if (!nb_pattern_match(entry->pattern, cat->w[w].name))
				continue;
			matched++;
			x.wl = w;
			x.entry = e;
			if (expand_one(cat, entry, &x, err))
				goto fail;
		}
		if (!matched) {
			char near[96];
			suggest_pattern(cat, entry->pattern, near, sizeof(near));
			snprintf(err, NB_ERR_LEN, "workloads[%d]: no workload matches \"%s\"%s (names and "
					       "patterns such as \"exit.*\": see `nestbench-work list`)", e,
				 entry->pattern, near);
			goto fail;
		}
	}
	for (int i = 0; i < *ncases; i++)
		for (int j = 0; j < i; j++)
			if (strcmp((*cases)[i].key, (*cases)[j].key) == 0) {
				snprintf(err, NB_ERR_LEN, "workloads[%d] and workloads[%d] both measure \"%s\"",
					 (*cases)[j].entry, (*cases)[i].entry, (*cases)[i].key);
				goto fail;
			}
	return 0;
fail:
	free(*cases);
	*cases = NULL;
	*ncases = 0;
	return -1;
}
