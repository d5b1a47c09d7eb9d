/* serve.c - `nestbench-work serve`: a kept worker.  It sets one case up once (the TSC
 * rate, the counters, the workload's setup: arrays, files, pointer chains), prints a
 * ready record and then answers run commands on stdin, each with the records `run`
 * prints for one case, until quit or end of input.  A harness that visits a case many
 * times pays setup and calibration once instead of on every visit.
 *
 * Commands are parsed here by hand, strictly: the static binary links no JSON library. */
#include "serve.h"
#include "record.h"
#include "../common/records.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- parsing a command line ------------------------------------------------------ */

#define CMD_FORMS "commands are {\"op\":\"run\"} with optional \"reps\":R, \"warmup\":W, " \
		  "\"ops\":N, \"min_time_ms\":T, \"workload\":W, and {\"op\":\"quit\"}, one per line"

/* The integer members, with the bounds `run` gives the same options. */
/* Members before M_OP belong to run only; M_WORKLOAD and M_OP are strings. */
enum { M_REPS, M_WARMUP, M_OPS, M_MIN_TIME, M_WORKLOAD, M_OP, M_COUNT };
static const struct member {
	const char *name;
	uint64_t min, max;
} members[M_COUNT] = {
	[M_REPS] = { "reps", 1, 1000000 },
	[M_WARMUP] = { "warmup", 0, 1000000 },
	[M_OPS] = { "ops", 1, UINT64_MAX / 2 },
	[M_MIN_TIME] = { "min_time_ms", 1, 3600000 },
	[M_WORKLOAD] = { "workload", 0, 0 },
	[M_OP] = { "op", 0, 0 },
};

struct scan {
	const char *p;
	int seen[M_COUNT];
	uint64_t num[M_COUNT];
	char op[16];
	char workload[48];
};

static void skip_ws(struct scan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n')
		s->p++;
}

/* Step over ch if it is next (never past the end of the line). */
static int accept(struct scan *s, char ch)
{
	if (*s->p != ch)
		return 0;
	s->p++;
	return 1;
}

/* A string without escapes (no member name or value needs one) into buf. */
static int scan_string(struct scan *s, char *buf, size_t len, char err[NB_ERR_LEN])
{
	const char *start;

	if (*s->p != '"')
		return nb_err(err, "expected a string at '%.20s'", s->p);
	start = ++s->p;
	for (; *s->p != '"'; s->p++) {
		if (!*s->p)
			return nb_err(err, "unterminated string");
		if (*s->p == '\\' || (unsigned char)*s->p < 0x20)
			return nb_err(err, "escapes and control characters are not accepted in strings");
	}
	if ((size_t)(s->p - start) >= len)
		return nb_err(err, "unknown member or value \"%.*s\"", (int)(s->p - start > 40 ? 40 : s->p - start),
			      start);
	memcpy(buf, start, (size_t)(s->p - start));
	buf[s->p - start] = '\0';
	s->p++;
	return 0;
}

/* A whole number in [m->min, m->max]: no sign, fraction, exponent or leading zero. */
static int scan_uint(struct scan *s, const struct member *m, uint64_t *v, char err[NB_ERR_LEN])
{
	const char *start = s->p;
	uint64_t x = 0;

	if (*s->p < '0' || *s->p > '9')
		return nb_err(err, "\"%s\" must be a whole number, not '%.20s'", m->name, start);
	if (*s->p == '0' && s->p[1] >= '0' && s->p[1] <= '9')
		return nb_err(err, "\"%s\": leading zero in '%.20s'", m->name, start);
	for (; *s->p >= '0' && *s->p <= '9'; s->p++) {
		unsigned d = (unsigned)(*s->p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return nb_err(err, "\"%s\": '%.30s' is too large", m->name, start);
		x = x * 10 + d;
	}
	if (*s->p == '.' || *s->p == 'e' || *s->p == 'E')
		return nb_err(err, "\"%s\" must be a whole number, not '%.20s'", m->name, start);
	if (x < m->min || x > m->max)
		return nb_err(err, "\"%s\" is %llu, not between %llu and %llu", m->name,
			      (unsigned long long)x, (unsigned long long)m->min,
			      (unsigned long long)m->max);
	*v = x;
	return 0;
}

/* One "name": value member. */
static int scan_member(struct scan *s, char err[NB_ERR_LEN])
{
	char name[32];
	int i;

	if (scan_string(s, name, sizeof(name), err))
		return -1;
	for (i = 0; i < M_COUNT && strcmp(name, members[i].name) != 0; i++)
		;
	if (i == M_COUNT)
		return nb_err(err, "unknown member \"%s\"", name);
	if (s->seen[i])
		return nb_err(err, "member \"%s\" given twice", name);
	s->seen[i] = 1;
	skip_ws(s);
	if (!accept(s, ':'))
		return nb_err(err, "expected ':' after \"%s\"", name);
	skip_ws(s);
	if (i == M_OP)
		return scan_string(s, s->op, sizeof(s->op), err);
	if (i == M_WORKLOAD)
		return scan_string(s, s->workload, sizeof(s->workload), err);
	return scan_uint(s, &members[i], &s->num[i], err);
}

/* A flat object of members, and nothing after it but white space. */
static int scan_object(struct scan *s, char err[NB_ERR_LEN])
{
	skip_ws(s);
	if (!accept(s, '{'))
		return nb_err(err, "a command is one JSON object");
	skip_ws(s);
	if (*s->p == '}')
		return nb_err(err, "empty object: \"op\" is missing");
	for (;;) {
		skip_ws(s);
		if (scan_member(s, err))
			return -1;
		skip_ws(s);
		if (accept(s, '}'))
			break;
		if (!accept(s, ','))
			return nb_err(err, "expected ',' or '}' after a member");
	}
	skip_ws(s);
	return *s->p ? nb_err(err, "text after the object: '%.20s'", s->p) : 0;
}

/* Which members each op takes. */
static int check_members(const struct scan *s, struct nb_serve_cmd *cmd, char err[NB_ERR_LEN])
{
	if (!s->seen[M_OP])
		return nb_err(err, "\"op\" is missing");
	if (strcmp(s->op, "quit") == 0) {
		for (int i = 0; i < M_OP; i++)
			if (s->seen[i])
				return nb_err(err, "quit takes no \"%s\"", members[i].name);
		cmd->op = NB_SERVE_QUIT;
		return 0;
	}
	if (strcmp(s->op, "run") != 0)
		return nb_err(err, "unknown op \"%s\"", s->op);
	cmd->op = NB_SERVE_RUN;
	cmd->reps = s->seen[M_REPS] ? (int)s->num[M_REPS] : -1;
	cmd->warmup = s->seen[M_WARMUP] ? (int)s->num[M_WARMUP] : -1;
	cmd->ops = s->seen[M_OPS] ? s->num[M_OPS] : 0;
	cmd->min_time_ms = s->seen[M_MIN_TIME] ? s->num[M_MIN_TIME] : 0;
	memcpy(cmd->workload, s->workload, sizeof(cmd->workload));
	return 0;
}

int nb_serve_parse(const char *line, struct nb_serve_cmd *cmd, char err[NB_ERR_LEN])
{
	struct scan s = { .p = line };
	char why[NB_ERR_LEN];

	memset(cmd, 0, sizeof(*cmd));
	if (strlen(line) > NB_SERVE_LINE_MAX)
		return nb_err(err, "malformed command: longer than %d bytes; " CMD_FORMS,
			      NB_SERVE_LINE_MAX);
	if (scan_object(&s, why) || check_members(&s, cmd, why))
		return nb_err(err, "malformed command: %s; " CMD_FORMS, why);
	return 0;
}

/* ---- serving ----------------------------------------------------------------------- */

#define GROUP_MAX 8   /* workloads of one setup group (mem.bw: 4) */

struct worker {
	struct nb_session *s;
	const struct nb_run_opts *o;
	double setup_ms;
	unsigned batches;      /* run commands served */
	/* Per workload served (the first is the one set up): the op count calibrated by an
	 * earlier batch, 0 if none. */
	struct {
		const struct nb_workload *w;
		uint64_t ops;
	} cal[GROUP_MAX];
	int ncal;
};

/* The calibrated-count slot of the workload being served now (a new one when first). */
static uint64_t *calibrated_of(struct worker *wk)
{
	const struct nb_workload *w = wk->s->w;
	int i;

	for (i = 0; i < wk->ncal && wk->cal[i].w != w; i++)
		;
	if (i == wk->ncal) {
		wk->cal[i].w = w;
		wk->cal[i].ops = 0;
		wk->ncal++;
	}
	return &wk->cal[i].ops;
}

/* Serve `name` from now on, on the state set up for another workload of its setup
 * group.  0; -1 with err (nothing changed) when it cannot share; -2 when rebind failed
 * (error record printed: the state is unknown). */
static int switch_workload(struct worker *wk, const char *name, char err[NB_ERR_LEN])
{
	const struct nb_workload *cur = wk->s->w, *w = nb_workload_find(name);
	struct nb_ctx *c = wk->s->c;

	if (w == cur)
		return 0;
	if (!w)
		return nb_err(err, "unknown workload \"%s\" ('nestbench-work list' shows them)", name);
	if (!cur->setup_group || !w->setup_group || strcmp(cur->setup_group, w->setup_group) != 0 ||
	    cur->params != w->params || !w->rebind)
		return nb_err(err, "%s cannot be served by this worker of %s: they do not share a "
			      "setup (start a worker of %s)", name, cur->name, name);
	if (wk->ncal == GROUP_MAX)
		return nb_err(err, "this worker already served %d workloads", GROUP_MAX);
	wk->s->w = c->w = w;
	if (w->rebind(c))
		return -2;
	return 0;
}

static void print_ready(const struct worker *wk)
{
	struct nb_rec r;

	nb_rec_begin(&r, wk->o->out, 1);
	nb_rec_str(&r, NB_REC_TYPE_KEY, NB_RECTYPE_READY);
	nb_rec_str(&r, "workload", wk->s->w->name);
	nb_rec_i64(&r, "pid", (int64_t)getpid());
	nb_rec_double(&r, "setup_ms", wk->setup_ms);
	nb_rec_end(&r);
}

/* The end record of a reply: a batch's (cases 1) or a refused command's (cases 0). */
static void print_reply_end(const struct worker *wk, int cases, int status, double calib_ms)
{
	struct nb_end e = {
		.cases = cases,
		.status = status,
		.setup_ms = wk->setup_ms,
		.calibration_ms = calib_ms,
		.served = 1,
		.batch = wk->batches,
		.reused = cases && wk->batches > 1,
	};

	nb_print_end(wk->o->out, wk->s, &e);
}

/* A command that cannot be run: say why and keep serving (the state is untouched). */
static void refuse(const struct worker *wk, const char *why)
{
	nb_usage_error(wk->o, wk->s->w->name, why);
	print_reply_end(wk, 0, NB_EXIT_USAGE, 0);
}

/* One run command; NB_EXIT_OK, or the status of a failed repetition. */
static int serve_batch(struct worker *wk, const struct nb_serve_cmd *cmd)
{
	struct nb_run_opts b = *wk->o;
	char err[NB_ERR_LEN];
	double calib_ms = 0;
	int status;

	if (cmd->reps >= 0)
		b.reps = (unsigned)cmd->reps;
	if (cmd->warmup >= 0)
		b.warmup = (unsigned)cmd->warmup;
	if (cmd->ops)
		b.ops = cmd->ops;  /* a given count always wins */
	if (cmd->min_time_ms)
		b.min_time_ns = cmd->min_time_ms * 1000000ull;
	if (b.ops && nb_ops_check(wk->s->w, b.ops, err)) {
		refuse(wk, err);
		return NB_EXIT_OK;
	}
	if (cmd->workload[0] && (status = switch_workload(wk, cmd->workload, err)) != 0) {
		if (status == -1) {
			refuse(wk, err);
			return NB_EXIT_OK;
		}
		wk->batches++;
		status = nb_fail_status(wk->s->c, &b);
		print_reply_end(wk, 1, status, 0);
		return status;
	}
	wk->batches++;
	b.rewarm = wk->batches > 1;
	status = nb_batch(wk->s, &b, 0, calibrated_of(wk), &calib_ms);
	print_reply_end(wk, 1, status, calib_ms);
	return status;
}

static int serve_loop(struct worker *wk, FILE *in)
{
	struct nb_serve_cmd cmd;
	char *line = NULL, err[NB_ERR_LEN];
	size_t cap = 0;
	ssize_t n;
	int status = NB_EXIT_OK;

	while (status == NB_EXIT_OK && (n = getline(&line, &cap, in)) >= 0) {
		if ((size_t)n != strlen(line))
			refuse(wk, "malformed command: a NUL byte in the line; " CMD_FORMS);
		else if (nb_serve_parse(line, &cmd, err))
			refuse(wk, err);
		else if (cmd.op == NB_SERVE_QUIT)
			break;
		else
			status = serve_batch(wk, &cmd);
	}
	free(line);
	return status;
}

int nb_serve(const struct nb_workload *w, const struct nb_run_opts *o, FILE *in)
{
	struct worker wk = { .o = o };
	char err[NB_ERR_LEN];
	int status;

	if (o->ops && nb_ops_check(w, o->ops, err))
		return nb_usage_error(o, w->name, err);
	if (!(wk.s = nb_session_open(w, o, 1, &status)))
		return status;
	status = nb_case_open(wk.s, o, 0, &wk.setup_ms);
	if (status == NB_EXIT_OK) {
		print_ready(&wk);
		status = serve_loop(&wk, in);
		nb_case_close(wk.s);
	} else {
		/* Skipped or set-up failed: the end record `run` prints. */
		struct nb_end e = { .cases = 1, .skipped = status == NB_EXIT_SKIP, .status = status,
				    .setup_ms = wk.setup_ms };
		nb_print_end(o->out, wk.s, &e);
	}
	nb_session_close(wk.s);
	return status;
}
