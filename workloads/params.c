/* params.c - parsing and checking workload parameters. */
#include "params.h"
#include "../common/err.h"
#include "../common/units.h"

#include <stdio.h>
#include <string.h>

int nb_params_count(const struct nb_workload *w)
{
	int n = 0;

	while (w->params && w->params[n].name && n < NB_MAX_PARAMS)
		n++;
	return n;
}

static int find_param(const struct nb_workload *w, const char *name, size_t len)
{
	for (int i = 0; i < nb_params_count(w); i++)
		if (strlen(w->params[i].name) == len && strncmp(w->params[i].name, name, len) == 0)
			return i;
	return -1;
}

static void known_list(const struct nb_workload *w, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < nb_params_count(w); i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? ", " : "", w->params[i].name);
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

int nb_params_resolve(const struct nb_workload *w, const char *const *given, int ngiven,
		      char texts[NB_MAX_PARAMS][NB_PARAM_TEXT], char err[NB_ERR_LEN])
{
	int seen[NB_MAX_PARAMS] = { 0 };
	int n = nb_params_count(w);

	for (int i = 0; i < n; i++)
		snprintf(texts[i], NB_PARAM_TEXT, "%s", w->params[i].def ? w->params[i].def : "");
	for (int g = 0; g < ngiven; g++) {
		const char *eq = strchr(given[g], '=');
		char known[256];
		if (!eq || eq == given[g]) {
			return nb_err(err, "malformed parameter '%s': expected KEY=VALUE", given[g]);
		}
		int i = find_param(w, given[g], (size_t)(eq - given[g]));
		if (i < 0) {
			known_list(w, known, sizeof(known));
			return nb_err(err, "unknown parameter '%.*s' for %s (known: %s)",
				 (int)(eq - given[g]), given[g], w->name, known);
		}
		if (seen[i]++) {
			return nb_err(err, "parameter '%s' given twice", w->params[i].name);
		}
		if (strlen(eq + 1) >= NB_PARAM_TEXT) {
			return nb_err(err, "value of parameter '%s' too long", w->params[i].name);
		}
		snprintf(texts[i], NB_PARAM_TEXT, "%s", eq + 1);
	}
	return 0;
}

static int is_sweep(const struct nb_param_spec *p, const char *t)
{
	if (p->type != NB_PARAM_SIZE && p->type != NB_PARAM_UINT)
		return 0;
	return strstr(t, "..") || strchr(t, ',');
}

int nb_params_sweep_index(const struct nb_workload *w, char texts[NB_MAX_PARAMS][NB_PARAM_TEXT],
			  char err[NB_ERR_LEN])
{
	int found = -1;

	for (int i = 0; i < nb_params_count(w); i++) {
		if (!is_sweep(&w->params[i], texts[i]))
			continue;
		if (found >= 0) {
			snprintf(err, NB_ERR_LEN, "only one parameter may sweep values (%s and %s both do)",
				 w->params[found].name, w->params[i].name);
			return -2;
		}
		found = i;
	}
	return found;
}

static int parse_number(const struct nb_param_spec *p, const char *t, uint64_t *v)
{
	return p->type == NB_PARAM_SIZE ? nb_parse_size(t, v) : nb_parse_u64(t, v);
}

int nb_param_expand(const struct nb_param_spec *p, const char *text,
		    char out[NB_MAX_SWEEP][NB_PARAM_TEXT], char err[NB_ERR_LEN])
{
	const char *dots = strstr(text, "..");
	int n = 0;

	if (!dots) {
		char buf[NB_PARAM_TEXT], *save = NULL;
		snprintf(buf, sizeof(buf), "%s", text);
		for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (n == NB_MAX_SWEEP) {
				return nb_err(err, "sweep of '%s' has more than %d values", p->name,
					 NB_MAX_SWEEP);
			}
			snprintf(out[n++], NB_PARAM_TEXT, "%s", tok);
		}
		if (n == 0) {
			return nb_err(err, "empty value list for parameter '%s'", p->name);
		}
		return n;
	}

	char lo_s[64];
	uint64_t lo, hi;
	size_t l = (size_t)(dots - text);
	if (l >= sizeof(lo_s) || (memcpy(lo_s, text, l), lo_s[l] = '\0', parse_number(p, lo_s, &lo)) ||
	    parse_number(p, dots + 2, &hi) || lo == 0 || hi < lo) {
		snprintf(err, NB_ERR_LEN,
			 "malformed range '%s' for parameter '%s': expected LOW..HIGH with 0 < LOW <= HIGH "
			 "(values double from LOW)", text, p->name);
		return -1;
	}
	for (uint64_t v = lo; v <= hi; v *= 2) {
		if (n == NB_MAX_SWEEP) {
			return nb_err(err, "range '%s' has more than %d values", text, NB_MAX_SWEEP);
		}
		if (p->type == NB_PARAM_SIZE)
			nb_format_size(v, out[n++], NB_PARAM_TEXT);
		else
			snprintf(out[n++], NB_PARAM_TEXT, "%llu", (unsigned long long)v);
		if (v > UINT64_MAX / 2)
			break;
	}
	return n;
}

/* Is v one of the '|'-separated words in choices? */
static int in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return 1;
		p += len + (bar ? 1 : 0);
	}
	return 0;
}

static int check_bounds(const struct nb_param_spec *p, uint64_t v, char err[NB_ERR_LEN])
{
	char a[32], b[32];

	if (v >= p->min && (p->max == 0 || v <= p->max))
		return 0;
	if (p->type == NB_PARAM_SIZE) {
		nb_format_size(p->min, a, sizeof(a));
		nb_format_size(p->max, b, sizeof(b));
	} else {
		snprintf(a, sizeof(a), "%llu", (unsigned long long)p->min);
		snprintf(b, sizeof(b), "%llu", (unsigned long long)p->max);
	}
	if (p->max)
		snprintf(err, NB_ERR_LEN, "parameter '%s' out of range: must be between %s and %s", p->name, a, b);
	else
		snprintf(err, NB_ERR_LEN, "parameter '%s' out of range: must be at least %s", p->name, a);
	return -1;
}

int nb_params_apply(struct nb_ctx *c, char texts[NB_MAX_PARAMS][NB_PARAM_TEXT],
		    char err[NB_ERR_LEN])
{
	const struct nb_workload *w = c->w;

	for (int i = 0; i < nb_params_count(w); i++) {
		const struct nb_param_spec *p = &w->params[i];
		struct nb_param_value *v = &c->params[i];
		int b;

		memset(v, 0, sizeof(*v));
		if (!texts[i][0])
			continue;
		v->set = 1;
		snprintf(v->s, sizeof(v->s), "%s", texts[i]);
		switch (p->type) {
		case NB_PARAM_SIZE:
		case NB_PARAM_UINT:
			if (parse_number(p, texts[i], &v->u)) {
				return nb_err(err, "parameter '%s': '%s' is not %s", p->name, texts[i],
					 p->type == NB_PARAM_SIZE ? "a size (e.g. 64K, 16M, 1G)"
								  : "a non-negative integer");
			}
			if (check_bounds(p, v->u, err))
				return -1;
			break;
		case NB_PARAM_BOOL:
			if (nb_parse_bool(texts[i], &b)) {
				return nb_err(err, "parameter '%s': '%s' is not a boolean (0/1)", p->name,
					 texts[i]);
			}
			v->u = (uint64_t)b;
			break;
		case NB_PARAM_STRING:
			if (p->choices && !in_choices(p->choices, texts[i])) {
				return nb_err(err, "parameter '%s': '%s' is not one of %s", p->name,
					 texts[i], p->choices);
			}
			break;
		}
	}
	return 0;
}
