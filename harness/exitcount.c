/* exitcount.c - see exitcount.h. */
#include "exitcount.h"
#include "../common/err.h"
#include "../common/files.h"
#include "../common/json.h"
#include "../resultlib/result.h"
#include "libvirt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* tiers[].exits: who counts, how it was reached, and whether it works. */
static void record_tier(struct nb_exitcount *x)
{
	struct nb_res_tier_exits e = { x->by, x->target, x->reasons,
				       x->connected ? x->conn.reached : NULL, x->unsupported,
				       x->pids, x->slot, x->timed };

	nb_res_tier_set_exits(x->tier, &e);
}

static int has_op(const cJSON *hello, const char *op)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, nb_json_path(hello, "ops"))
		if (cJSON_IsString(it) && strcmp(it->valuestring, op) == 0)
			return 1;
	return 0;
}

/* A "libvirt:DOMAIN" target is that domain's QEMU on this machine (the config made sure
 * the counting tier is local), found when the tier's turn comes: 0, or -1 with the
 * reason recorded (counting never fails a tier). */
static int libvirt_pid(struct nb_exitcount *x)
{
	char err[NB_ERR_LEN];
	long pid;

	if (!nb_libvirt_is_address(x->target))
		return 0;
	if (nb_libvirt_qemu_pid(x->target, &pid, err)) {
		snprintf(x->unsupported, sizeof(x->unsupported), "count_exits target %s: %s",
			 x->target, err);
		record_tier(x);
		return -1;
	}
	snprintf(x->pids, sizeof(x->pids), "%ld", pid);
	return 0;
}

/* The lab's L1 serial ports carry one session each: a counting session gets a port of
 * its own (lab.c, addresses()).  L1 counting L2 uses L1.aux, L1 counting while L3 runs
 * L1.aux3, and L2 counting L3 reaches L2 through L1.relay3x. */
static void lab_ports(struct nb_campaign_cfg *copy, const struct nb_tier_cfg *tc, int by)
{
	int l3 = strcmp(tc->address, "lab:L3") == 0, up = copy->tiers[by].parent;

	if (strcmp(copy->tiers[by].address, "lab:L1") == 0)
		snprintf(copy->tiers[by].address, sizeof(copy->tiers[by].address), "%s",
			 l3 ? "lab:L1.aux3" : "lab:L1.aux");
	else if (l3 && strcmp(copy->tiers[by].address, "lab:L2") == 0 && up >= 0 &&
		 strcmp(copy->tiers[up].address, "lab:L1") == 0)
		snprintf(copy->tiers[up].address, sizeof(copy->tiers[up].address), "lab:L1.relay3x");
}

struct nb_exitcount *nb_exitcount_open(struct nb_exitcount *x, const struct nb_campaign_cfg *cfg,
				       int t, int slot, const struct nb_tier_env *env, cJSON *tier)
{
	const struct nb_tier_cfg *tc = &cfg->tiers[t];
	const struct nb_exits_also_cfg *also =
		slot > 0 && slot <= tc->nexits_also ? &tc->exits_also[slot - 1] : NULL;
	int by = also ? also->by : tc->exits_by;
	const char *address = also ? also->address : tc->exits_address;
	struct nb_campaign_cfg *copy;
	struct nb_tier_env env2 = *env;
	char err[NB_ERR_LEN], state[PATH_MAX];

	if (by < 0 || (slot > 0 && !also))
		return NULL;
	memset(x, 0, sizeof(*x));
	x->tier = tier;
	x->slot = slot;
	snprintf(x->by, sizeof(x->by), "%s", cfg->tiers[by].name);
	snprintf(x->target, sizeof(x->target), "%s", also ? also->target : tc->exits_target);
	x->reasons = also ? also->reasons : tc->exits_reasons;
	x->timed = tc->exits_timed;   /* further counters count in the first one's visits */
	if (libvirt_pid(x))
		return x;
	/* Its own chain to the counting tier, at count_exits.address when given; a local
	 * counting tier gets a second agent with a state directory of its own. */
	if (!(copy = malloc(sizeof(*copy)))) {
		snprintf(x->unsupported, sizeof(x->unsupported), "out of memory");
		record_tier(x);
		return x;
	}
	*copy = *cfg;
	if (address[0])
		snprintf(copy->tiers[by].address, sizeof(copy->tiers[by].address), "%s", address);
	else
		lab_ports(copy, tc, by);
	snprintf(state, sizeof(state), "%s-exits%s", env->state_dir ? env->state_dir : "nestbench-agent",
		 slot ? "-also" : "");
	nb_mkdirs(state);
	env2.state_dir = state;
	if (nb_tier_connect(copy, by, &env2, &x->conn, err)) {
		snprintf(x->unsupported, sizeof(x->unsupported), "cannot open a second session to tier "
			 "%s's agent, which counts the exits (%s)%s", x->by, err,
			 strncmp(copy->tiers[by].address, "serial:", 7) == 0
				 ? ": a serial port carries one session at a time, and the relay to this "
				   "tier holds it; give that agent a second address (another --listen) and "
				   "name it in count_exits.address"
				 : "");
	} else if (!has_op(x->conn.hello, "exits-start")) {
		snprintf(x->unsupported, sizeof(x->unsupported), "tier %s's agent (version %s) cannot count "
			 "exits (no exits-start op): install this nestbench-agent there", x->by,
			 nb_json_str(x->conn.hello, "version", "?"));
		nb_tier_close(&x->conn);
	} else {
		x->connected = 1;
		x->can_pause = has_op(x->conn.hello, "exits-pause") && has_op(x->conn.hello, "exits-resume");
	}
	free(copy);
	record_tier(x);
	return x;
}

/* A later visit: the counters opened by the first are reset and switched on again. */
static void resume(struct nb_exitcount *x)
{
	cJSON *req = cJSON_CreateObject(), *reply = NULL;
	char err[NB_ERR_LEN];

	cJSON_AddStringToObject(req, "op", "exits-resume");
	if (nb_client_call(&x->conn.client, req, &reply, err) == 0) {
		x->running = 1;
	} else {
		const char *msg = reply ? nb_proto_error_message(reply) : NULL;
		snprintf(x->unsupported, sizeof(x->unsupported), "tier %s stopped counting exits: %s",
			 x->by, msg && msg[0] ? msg : err);
		nb_exitcount_close(x, reply == NULL);
		record_tier(x);
	}
	cJSON_Delete(reply);
}

void nb_exitcount_begin(struct nb_exitcount *x)
{
	cJSON *req, *reply = NULL;
	char err[NB_ERR_LEN];

	if (!x || !x->connected)
		return;
	cJSON_Delete(x->stop);
	x->stop = NULL;
	if (x->armed) {
		resume(x);
		return;
	}
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", "exits-start");
	if (strcmp(x->target, "auto") == 0 || strcmp(x->target, "all") == 0) {
		cJSON_AddStringToObject(req, "target", x->target);
	} else {
		cJSON *arr = cJSON_AddArrayToObject(req, "target");
		for (const char *p = x->pids[0] ? x->pids : x->target; *p;) {
			char *end;
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)pid));
			p = *end == ',' ? end + 1 : end;
		}
	}
	cJSON_AddBoolToObject(req, "reasons", x->reasons);
	if (nb_client_call(&x->conn.client, req, &reply, err) == 0) {
		x->running = 1;
	} else {
		/* Unsupported there (no tracefs, no KVM, no VMM process, not root), refused or the
		 * session broke: the same would happen on every visit, so stop asking. */
		const char *msg = reply ? nb_proto_error_message(reply) : NULL;
		snprintf(x->unsupported, sizeof(x->unsupported), "tier %s cannot count exits: %s", x->by,
			 msg && msg[0] ? msg : err);
		nb_exitcount_close(x, reply == NULL);
		record_tier(x);
	}
	cJSON_Delete(reply);
}

void nb_exitcount_end(struct nb_exitcount *x)
{
	cJSON *req, *reply = NULL;
	char err[NB_ERR_LEN];

	if (!x || !x->running)
		return;
	x->running = 0;
	/* Paused, not stopped, where the agent can: the counters stay open for the next
	 * visit, so the counting tier's kernel registers its tracepoints once per campaign
	 * instead of patching its code twice per visit (0.4 s a visit in a TCG L1). */
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "op", x->can_pause ? "exits-pause" : "exits-stop");
	if (nb_client_call(&x->conn.client, req, &reply, err) == 0) {
		x->stop = reply;
		x->armed = x->can_pause;
		return;
	}
	snprintf(x->unsupported, sizeof(x->unsupported), "tier %s stopped answering %s: %s",
		 x->by, x->can_pause ? "exits-pause" : "exits-stop", err);
	cJSON_Delete(reply);
	nb_exitcount_close(x, 1);
	record_tier(x);
}

double nb_exitcount_visit_ops(const cJSON *run_reply, int *reps)
{
	const cJSON *rec;
	double ops = 0;

	*reps = 0;
	cJSON_ArrayForEach(rec, nb_json_path(run_reply, "records")) {
		const char *type = nb_json_str(rec, NB_REC_TYPE_KEY, NULL);
		const cJSON *o = nb_json_path(rec, "ops");
		if (type && strcmp(type, NB_RECTYPE_REP) == 0 && cJSON_IsNumber(o)) {
			ops += o->valuedouble;
			(*reps)++;
		}
	}
	return ops;
}

/* {name: count / ops} for a map of counts. */
static cJSON *per_op_map(const cJSON *counts, double ops)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *it;

	cJSON_ArrayForEach(it, counts)
		if (cJSON_IsNumber(it))
			cJSON_AddNumberToObject(o, it->string, it->valuedouble / ops);
	return o;
}

cJSON *nb_exitcount_sample(const cJSON *stop, double visit_ops, int visit_reps, const char *by,
			   int first_visit)
{
	static const char *const copied[] = { "method", "target", "processes", "kvm_module", "isa",
					      "elapsed_ms", "total_unsupported", "by_reason", "lost",
					      "reasons_complete", "nested", "by_handler", NULL };
	cJSON *e = cJSON_CreateObject();
	const cJSON *total = nb_json_path(stop, "total");

	cJSON_AddStringToObject(e, "counted_by", by);
	cJSON_AddStringToObject(e, "scope", "visit");
	cJSON_AddNumberToObject(e, "visit_ops", visit_ops);
	cJSON_AddNumberToObject(e, "visit_reps", visit_reps);
	cJSON_AddBoolToObject(e, "first_visit", first_visit);
	if (cJSON_IsNumber(total))
		cJSON_AddNumberToObject(e, "total", total->valuedouble);
	else
		cJSON_AddNullToObject(e, "total");
	if (cJSON_IsNumber(total) && visit_ops > 0)
		cJSON_AddNumberToObject(e, "per_op", total->valuedouble / visit_ops);
	else
		cJSON_AddNullToObject(e, "per_op");   /* unknown, never 0 */
	for (int i = 0; copied[i]; i++) {
		const cJSON *v = nb_json_path(stop, copied[i]);
		if (v)
			cJSON_AddItemToObject(e, copied[i], cJSON_Duplicate(v, 1));
	}
	if (visit_ops > 0) {
		const cJSON *br = nb_json_path(stop, "by_reason");
		const cJSON *bh = nb_json_path(stop, "by_handler");
		if (cJSON_IsObject(br))
			cJSON_AddItemToObject(e, "by_reason_per_op", per_op_map(br, visit_ops));
		if (cJSON_IsObject(bh))
			cJSON_AddItemToObject(e, "by_handler_per_op", per_op_map(bh, visit_ops));
	}
	return e;
}

void nb_exitcount_annotate(struct nb_exitcount *x, const cJSON *run_reply, cJSON *case_obj,
			   int first, int first_visit)
{
	cJSON *e = NULL;
	int reps;

	if (!x)
		return;
	if (x->stop) {
		double ops = nb_exitcount_visit_ops(run_reply, &reps);
		e = nb_exitcount_sample(x->stop, ops, reps, x->by, first_visit);
		cJSON_Delete(x->stop);
		x->stop = NULL;
	}
	if (x->slot > 0)
		nb_res_case_set_exits_also(case_obj, first, x->slot, x->by, e, x->unsupported);
	else
		nb_res_case_set_exits(case_obj, first, e, x->unsupported);
	cJSON_Delete(e);
}

void nb_exitcount_close(struct nb_exitcount *x, int abort)
{
	if (!x)
		return;
	if (x->connected) {
		if (abort)
			nb_tier_abort(&x->conn);
		else
			nb_tier_close(&x->conn);
	}
	x->connected = 0;
	x->running = 0;
	x->armed = 0;
	cJSON_Delete(x->stop);
	x->stop = NULL;
}
