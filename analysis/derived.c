/* derived.c - see derived.h. */
#include "derived.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct nb_ctr *find(const struct nb_derive_in *in, const char *name)
{
	for (int i = 0; i < in->nctr; i++)
		if (in->ctr[i].name && strcmp(in->ctr[i].name, name) == 0)
			return &in->ctr[i];
	return NULL;
}

static int na(struct nb_metric *m, const char *fmt, const char *a, const char *b)
{
	m->ok = 0;
	m->value = NAN;
	snprintf(m->why, sizeof(m->why), fmt, a, b ? b : "");
	return -1;
}

/* A usable count of event, or -1 with m explaining why not. */
static int input(const struct nb_derive_in *in, const char *event, struct nb_metric *m, double *v)
{
	const struct nb_ctr *c = find(in, event);

	if (!c)
		return na(m, "%s was not counted (add it to the campaign's events)%s", event, NULL);
	if (c->state == NB_CTR_UNSUPPORTED)
		return na(m, "%s unsupported on this tier: %s", event, c->why ? c->why : "no reason given");
	if (c->state == NB_CTR_NOT_COUNTED || !isfinite(c->value) || c->value < 0)
		return na(m, "%s was never scheduled (perf: not counted)%s", event, NULL);
	m->estimated |= c->multiplexed;
	*v = c->value;
	return 0;
}

static void begin(struct nb_metric *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->value = NAN;
	snprintf(m->name, sizeof(m->name), "%s", name);
}

static int ratio(struct nb_metric *m, double num, double den, double scale, const char *den_name)
{
	if (den == 0)
		return na(m, "%s is 0: no ratio%s", den_name, NULL);
	m->ok = 1;
	m->value = num / den * scale;
	return 0;
}

/* num_event / den_event x scale, named name; why not, the inputs checked in that order
 * (den_first: the denominator's first). */
static int event_ratio(const struct nb_derive_in *in, const char *name, const char *num_event,
		       const char *den_event, double scale, int den_first, struct nb_metric *m)
{
	double num, den;

	begin(m, name);
	if (den_first ? input(in, den_event, m, &den) || input(in, num_event, m, &num)
		      : input(in, num_event, m, &num) || input(in, den_event, m, &den))
		return -1;
	return ratio(m, num, den, scale, den_event);
}

/* cycles first: where a tier has no PMU, "cycles unsupported" says more than
 * "instructions was not requested". */
int nb_derive_ipc(const struct nb_derive_in *in, struct nb_metric *m)
{
	return event_ratio(in, "ipc", "instructions", "cycles", 1, 1, m);
}

int nb_derive_mpki(const struct nb_derive_in *in, const char *miss_event, struct nb_metric *m)
{
	char name[NB_METRIC_NAME];

	snprintf(name, sizeof(name), "%s_pki", miss_event);
	return event_ratio(in, name, miss_event, "instructions", 1000, 0, m);
}

int nb_derive_walk_share(const struct nb_derive_in *in, const char *walk_event, struct nb_metric *m)
{
	char name[NB_METRIC_NAME];

	snprintf(name, sizeof(name), "walk_share[%s]", walk_event);
	return event_ratio(in, name, walk_event, "cycles", 1, 0, m);
}

int nb_derive_per_op(const struct nb_derive_in *in, const char *event, const char *name,
		     struct nb_metric *m)
{
	double v;

	begin(m, name);
	if (input(in, event, m, &v))
		return -1;
	if (!(in->ops > 0))
		return na(m, "the sample's operation count is unknown%s%s", "", NULL);
	return ratio(m, v, in->ops, 1, "ops");
}

/* Named event-per-operation metrics: nb_derive_all's and nb_derive_metric's. */
static const char *const per_op_events[][2] = {
	{ "faults_per_op", "page-faults" }, { "cs_per_op", "context-switches" },
};
#define N_PER_OP (sizeof(per_op_events) / sizeof(per_op_events[0]))

/* 0 when the visit's exits were counted and its operations are known. */
static int exits_counted(const struct nb_derive_in *in, struct nb_metric *m)
{
	if (in->exits_state == NB_EXITS_NONE)
		return na(m, "exits were not counted (the campaign tier has no count_exits)%s%s", "", NULL);
	if (in->exits_state == NB_EXITS_UNKNOWN)
		return na(m, "no exit total: %s%s", in->exits_why ? in->exits_why : "no reason given", NULL);
	if (!(in->exits_ops > 0))
		return na(m, "the visit's operation count is unknown%s%s", "", NULL);
	return 0;
}

int nb_derive_exits_per_op(const struct nb_derive_in *in, struct nb_metric *m)
{
	begin(m, "exits_per_op");
	if (exits_counted(in, m))
		return -1;
	return ratio(m, in->exits, in->exits_ops, 1, "ops");
}

int nb_derive_exit_reason_per_op(const struct nb_derive_in *in, const char *reason,
				 struct nb_metric *m)
{
	char name[NB_METRIC_NAME];
	double count = 0;

	snprintf(name, sizeof(name), "exits_per_op[%s]", reason);
	begin(m, name);
	if (exits_counted(in, m))
		return -1;
	if (!in->exits_reasons)
		return na(m, "exit reasons were not recorded (count_exits has \"reasons\": false)%s%s", "", NULL);
	/* by_reason lists every reason seen over the visit: one not listed had no exit. */
	for (int i = 0; i < in->nreasons; i++)
		if (in->reasons[i].name && strcmp(in->reasons[i].name, reason) == 0)
			count = in->reasons[i].count;
	return ratio(m, count, in->exits_ops, 1, "ops");
}

/* "walk_share[X]" -> X in buf; NULL when name is not prefix[...]. */
static const char *bracketed(const char *name, const char *prefix, char *buf, size_t len)
{
	size_t p = strlen(prefix), n = strlen(name);

	if (strncmp(name, prefix, p) != 0 || name[p] != '[' || n < p + 3 || name[n - 1] != ']')
		return NULL;
	snprintf(buf, len, "%.*s", (int)(n - p - 2), name + p + 1);
	return buf;
}

/* "X_pki" -> X in buf; NULL otherwise. */
static const char *pki_event(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	if (n < 5 || strcmp(name + n - 4, "_pki") != 0)
		return NULL;
	snprintf(buf, len, "%.*s", (int)(n - 4), name);
	return buf;
}

int nb_derive_metric(const struct nb_derive_in *in, const char *name, struct nb_metric *m)
{
	char ev[NB_METRIC_NAME];

	if (strcmp(name, "ipc") == 0)
		return nb_derive_ipc(in, m);
	if (strcmp(name, "exits_per_op") == 0)
		return nb_derive_exits_per_op(in, m);
	if (bracketed(name, "exits_per_op", ev, sizeof(ev)))
		return nb_derive_exit_reason_per_op(in, ev, m);
	if (bracketed(name, "walk_share", ev, sizeof(ev)))
		return nb_derive_walk_share(in, ev, m);
	if (pki_event(name, ev, sizeof(ev)))
		return nb_derive_mpki(in, ev, m);
	for (size_t i = 0; i < N_PER_OP; i++)
		if (strcmp(name, per_op_events[i][0]) == 0)
			return nb_derive_per_op(in, per_op_events[i][1], name, m);
	begin(m, name);
	return na(m, "no metric is called %s%s", name, NULL);
}

const char *nb_metric_title(const char *name, char *buf, size_t len)
{
	static const char *const titles[][2] = {
		{ "ipc", "IPC" }, { "exits_per_op", "exits/op" }, { "faults_per_op", "faults/op" },
		{ "cs_per_op", "ctx switches/op" },
	};
	char ev[NB_METRIC_NAME];

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(name, titles[i][0]) == 0) {
			snprintf(buf, len, "%s", titles[i][1]);
			return buf;
		}
	if (bracketed(name, "exits_per_op", ev, sizeof(ev)))
		snprintf(buf, len, "%s exits/op", ev);
	else if (bracketed(name, "walk_share", ev, sizeof(ev)))
		snprintf(buf, len, "%s share of cycles", ev);
	else if (pki_event(name, ev, sizeof(ev)))
		snprintf(buf, len, "%s per 1k instr", ev);
	else
		snprintf(buf, len, "%s", name);
	return buf;
}

int nb_is_walk_cycles_event(const char *name)
{
	static const char *const keys[] = { "WALK_DURATION", "WALK_ACTIVE", "WALK_PENDING",
					    "walk-cycles", "WALK_CYCLES" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcasestr(name, keys[i]))
			return 1;
	return 0;
}

int nb_is_miss_event(const char *name)
{
	size_t n = strlen(name);

	if (nb_is_walk_cycles_event(name))
		return 0;
	return (n > 7 && strcasecmp(name + n - 7, "-misses") == 0) || strstr(name, "MISS") != NULL;
}

int nb_derive_all(const struct nb_derive_in *in, struct nb_metric *out, int max)
{
	int n = 0;

	if (n < max && (find(in, "cycles") || find(in, "instructions")))
		nb_derive_ipc(in, &out[n++]);
	for (int i = 0; i < in->nctr && n < max; i++) {
		const char *e = in->ctr[i].name;
		if (!e)
			continue;
		if (nb_is_miss_event(e))
			nb_derive_mpki(in, e, &out[n++]);
		else if (nb_is_walk_cycles_event(e))
			nb_derive_walk_share(in, e, &out[n++]);
	}
	for (size_t i = 0; i < N_PER_OP; i++)
		if (n < max && find(in, per_op_events[i][1]))
			nb_derive_per_op(in, per_op_events[i][1], per_op_events[i][0], &out[n++]);
	if (n < max && in->exits_state != NB_EXITS_NONE)
		nb_derive_exits_per_op(in, &out[n++]);
	return n;
}

const char *nb_metric_text(const struct nb_metric *m, char *buf, size_t len)
{
	if (!m->ok)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.4g%s", m->value, m->estimated ? " (est.)" : "");
	return buf;
}

int nb_derive_from_view(const struct nb_res_sample_view *v, struct nb_derive_in *in,
			struct nb_ctr *ctr, int max)
{
	const cJSON *c;

	memset(in, 0, sizeof(*in));
	in->ctr = ctr;
	in->ops = v->ops;
	cJSON_ArrayForEach(c, v->counters) {
		struct nb_res_counter rc;
		struct nb_ctr *k;

		nb_res_counter_read(c, &rc);
		if (!rc.name)
			continue;
		if (in->nctr == max)
			return -1;
		k = &ctr[in->nctr++];
		memset(k, 0, sizeof(*k));
		k->name = rc.name;
		k->state = rc.state;
		k->why = rc.why;
		if (rc.state == NB_CTR_COUNTED) {
			k->value = rc.scaled;
			k->multiplexed = rc.multiplexed;
		}
	}
	in->exits_state = v->exits_state;
	in->exits = v->exits_total;
	in->exits_ops = v->exits_visit_ops;
	in->exits_why = v->exits_why;
	in->exits_first_visit = v->exits_first_visit;
	return 0;
}

int nb_derive_from_sample(const cJSON *sample, struct nb_derive_in *in, struct nb_ctr *ctr, int max)
{
	struct nb_res_sample_view v;

	nb_res_sample_read(sample, &v);
	return nb_derive_from_view(&v, in, ctr, max);
}

int nb_derive_reasons_from_view(const struct nb_res_sample_view *v, struct nb_derive_in *in,
				struct nb_exit_reason *r, int max)
{
	const cJSON *it;

	in->reasons = r;
	in->nreasons = 0;
	in->exits_reasons = v->exits_by_reason != NULL;
	cJSON_ArrayForEach(it, v->exits_by_reason) {
		if (!cJSON_IsNumber(it))
			continue;
		if (in->nreasons == max)
			return -1;
		r[in->nreasons].name = it->string;
		r[in->nreasons++].count = it->valuedouble;
	}
	return 0;
}

int nb_derive_reasons_from_sample(const cJSON *sample, struct nb_derive_in *in,
				  struct nb_exit_reason *r, int max)
{
	struct nb_res_sample_view v;

	nb_res_sample_read(sample, &v);
	return nb_derive_reasons_from_view(&v, in, r, max);
}
