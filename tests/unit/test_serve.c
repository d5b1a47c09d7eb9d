/* test_serve.c - `nestbench-work serve`: the command parser, and the worker driven with
 * a fake workload that counts its setup, run and teardown calls, fails on request and
 * can declare itself unsupported, so every path runs on any host. */
#include "check.h"
#include "../../workloads/cpuinfo.h"
#include "../../workloads/serve.h"

#include <stdlib.h>

/* ---- the parser ------------------------------------------------------------------- */

TEST(serve_parse_accepts_the_two_forms)
{
	struct nb_serve_cmd c;
	char err[NB_ERR_LEN];

	CHECK(nb_serve_parse("{\"op\":\"run\",\"reps\":5,\"warmup\":1}\n", &c, err) == 0);
	CHECK(c.op == NB_SERVE_RUN && c.reps == 5 && c.warmup == 1 && c.ops == 0 && c.min_time_ms == 0);
	CHECK_MSG(nb_serve_parse(" { \"min_time_ms\" : 20 , \"ops\":123456789012, \"warmup\":0,"
				 "\"reps\":1000000,\"op\":\"run\"}\r\n", &c, err) == 0, "%s", err);
	CHECK(c.reps == 1000000 && c.warmup == 0 && c.ops == 123456789012ull && c.min_time_ms == 20);
	CHECK(nb_serve_parse("{\"op\":\"quit\"}", &c, err) == 0);
	CHECK(c.op == NB_SERVE_QUIT);
	/* As `run`, reps and warmup have defaults: -1 says "not given". */
	CHECK(nb_serve_parse("{\"op\":\"run\"}", &c, err) == 0);
	CHECK(c.op == NB_SERVE_RUN && c.reps == -1 && c.warmup == -1 && c.ops == 0);
	CHECK(nb_serve_parse("{\"op\":\"run\",\"warmup\":0}", &c, err) == 0);
	CHECK(c.reps == -1 && c.warmup == 0);
}

TEST(serve_parse_rejects_malformed_lines)
{
	static const struct { const char *line, *want; } bad[] = {
		{ "", "one JSON object" },
		{ "[1]", "one JSON object" },
		{ "{}", "\"op\" is missing" },
		{ "{\"reps\":1,\"warmup\":0}", "\"op\" is missing" },
		{ "{\"op\":\"run\",\"reps\":0,\"warmup\":0}", "not between 1 and 1000000" },
		{ "{\"op\":\"run\",\"reps\":-1,\"warmup\":0}", "whole number" },
		{ "{\"op\":\"run\",\"reps\":1e3,\"warmup\":0}", "whole number" },
		{ "{\"op\":\"run\",\"reps\":01,\"warmup\":0}", "leading zero" },
		{ "{\"op\":\"run\",\"reps\":\"1\",\"warmup\":0}", "whole number" },
		{ "{\"op\":\"run\",\"reps\":1,\"warmup\":0,\"ops\":99999999999999999999}", "too large" },
		{ "{\"op\":\"run\",\"reps\":1,\"warmup\":0,\"min_time_ms\":3600001}", "not between 1 and 3600000" },
		{ "{\"op\":\"run\",\"reps\":1,\"warmup\":0,\"ops\":0}", "\"ops\" is 0" },
		{ "{\"op\":\"run\",\"reps\":1,\"warmup\":0,\"fast\":1}", "unknown member \"fast\"" },
		{ "{\"op\":\"run\",\"op\":\"run\",\"reps\":1,\"warmup\":0}", "given twice" },
		{ "{\"op\":\"run\" \"reps\":1,\"warmup\":0}", "expected ',' or '}'" },
		{ "{\"op\" \"run\"}", "expected ':'" },
		{ "{\"op\":\"run\",\"reps\":1,\"warmup\":0", "expected ',' or '}'" },
		{ "{\"op\":\"run\",\"reps\":1,\"warmup\":0}{}", "text after the object" },
		{ "{\"op\":\"ru", "unterminated string" },
		{ "{\"op\":\"r\\u0075n\"}", "escapes" },
		{ "{\"op\":\"stop\"}", "unknown op \"stop\"" },
		{ "{\"op\":\"quit\",\"warmup\":0}", "quit takes no \"warmup\"" },
	};
	struct nb_serve_cmd c;
	char err[NB_ERR_LEN];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = nb_serve_parse(bad[i].line, &c, err);
		CHECK_MSG(rc == -1 && strstr(err, bad[i].want) && strstr(err, "malformed command: ") == err &&
			  strstr(err, "{\"op\":\"quit\"}"),
			  "'%s': rc %d, err '%s', wanted '%s'", bad[i].line, rc, rc ? err : "", bad[i].want);
	}
}

TEST(serve_parse_bounds_the_line)
{
	char *line = malloc(NB_SERVE_LINE_MAX + 64), err[NB_ERR_LEN];
	struct nb_serve_cmd c;

	CHECK(line);
	memset(line, ' ', NB_SERVE_LINE_MAX + 63);
	line[NB_SERVE_LINE_MAX + 63] = '\0';
	memcpy(line, "{\"op\":\"quit\"}", 13);
	int rc = nb_serve_parse(line, &c, err);
	free(line);
	CHECK(rc == -1 && strstr(err, "longer than 4096 bytes"));
}

/* ---- the worker, with a fake workload --------------------------------------------- */

static struct fake {
	int fail_run;          /* the run call that fails (1-based), 0: none */
	int fail_setup;        /* 1: setup fails with a user error */
	int unsupported;       /* 1: supported() gives a reason */
	uint64_t max_ops;
	int setups, runs, teardowns;  /* counted */
	uint64_t last_ops;
} fk;

/* Each op lasts 1 us of measured time, so calibration converges quickly. */
static int fake_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	(void)bytes;
	fk.last_ops = ops;
	if (++fk.runs == fk.fail_run)
		return nb_fail(c, 0, "fake failure in run %d", fk.runs);
	nb_meter_start(c);
	for (uint64_t t0 = nb_now_ns(); nb_now_ns() - t0 < ops * 1000;)
		;
	nb_meter_stop(c);
	return 0;
}

static int fake_setup(struct nb_ctx *c)
{
	fk.setups++;
	if (fk.fail_setup)
		return nb_fail(c, 1, "fake setup refused: bad directory");
	nb_note(c, "fake set up");
	return 0;
}

static void fake_teardown(struct nb_ctx *c)
{
	(void)c;
	fk.teardowns++;
}

static const char *fake_unsupported(struct nb_ctx *c, char why[NB_ERR_LEN])
{
	(void)c;
	(void)why;
	return "fake: not on this host";
}

static struct nb_workload fake_wl = {
	.name = "test.fake",
	.family = "test",
	.unit = "ns/op",
	.better = NB_LOWER_IS_BETTER,
	.metric = NB_METRIC_NS_PER_OP,
	.stresses = "nothing",
	.setup = fake_setup,
	.run = fake_run,
	.teardown = fake_teardown,
};

/* Serve `cmds` with the fake configured as cfg and start-up ops `ops`; the records
 * land in *out (caller frees), the calls are counted in fk. */
static int serve_fake(struct fake cfg, const char *cmds, uint64_t ops, char **out)
{
	struct nb_run_opts o;
	size_t len = 0;
	FILE *in = fmemopen((void *)cmds, strlen(cmds), "r"), *f = open_memstream(out, &len);
	int status;

	fk = cfg;
	fake_wl.supported = cfg.unsupported ? fake_unsupported : NULL;
	fake_wl.max_ops = cfg.max_ops;
	*out = NULL;
	nb_run_opts_default(&o);
	o.ops = ops;
	o.min_time_ns = 2000000;   /* 2 ms: about 2000 ops of the fake */
	o.out = f;
	o.err = fopen("/dev/null", "w");
	status = in && f && o.err ? nb_serve(&fake_wl, &o, in) : -1;
	if (in)
		fclose(in);
	if (f)
		fclose(f);
	if (o.err)
		fclose(o.err);
	return status;
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text ? strstr(text, needle) : NULL; p; p = strstr(p + 1, needle))
		n++;
	return n;
}

#define RUN_2_1 "{\"op\":\"run\",\"reps\":2,\"warmup\":1}\n"

TEST(serve_sets_up_once_for_many_batches)
{
	char *out;

	int st = serve_fake((struct fake){ 0 }, RUN_2_1 RUN_2_1 RUN_2_1 "{\"op\":\"quit\"}\n" RUN_2_1, 100, &out);
	CHECK_MSG(st == 0, "status %d: %s", st, out);
	CHECK(fk.setups == 1 && fk.teardowns == 1 && fk.runs == 9);
	CHECK(count(out, "\"type\":\"ready\"") == 1 && count(out, "\"type\":\"meta\"") == 3);
	CHECK(count(out, "\"type\":\"end\"") == 3 && count(out, "\"status\":0") == 3);
	CHECK(strstr(out, "\"batch\":1,\"reused\":false") && strstr(out, "\"batch\":3,\"reused\":true"));
	CHECK(count(out, "\"notes\":\"fake set up\"") == 6);   /* 3 meta and 3 end records */
	free(out);
}

TEST(serve_calibrates_in_the_first_batch_only)
{
	char *out;

	int st = serve_fake((struct fake){ 0 }, RUN_2_1 RUN_2_1, 0, &out);
	CHECK_MSG(st == 0, "status %d: %s", st, out);
	int first = fk.runs - 3;   /* batch 2 runs exactly warmup + reps times */
	CHECK_MSG(first > 3, "batch 1 made %d run calls: no calibration", first);
	CHECK(fk.last_ops >= 1000 && count(out, "\"calibrated\":true") == 2);
	CHECK(count(out, "\"calibration_ms\":0,") == 2);  /* batch 2: its meta and end records */
	free(out);
}

TEST(serve_ends_after_a_failed_repetition)
{
	char *out;

	/* Fail batch 2's second run call. */
	int st = serve_fake((struct fake){ .fail_run = 5 }, RUN_2_1 RUN_2_1 RUN_2_1, 100, &out);
	CHECK_MSG(st == NB_EXIT_FAIL, "status %d", st);
	CHECK(fk.runs == 5 && fk.teardowns == 1);   /* batch 3 never ran */
	CHECK(strstr(out, "{\"type\":\"error\",\"workload\":\"test.fake\",\"message\":\"fake failure in run 5\"}"));
	CHECK(strstr(out, "\"status\":1,") && strstr(out, "\"batch\":2,\"reused\":true}\n") &&
	      !strstr(out, "\"batch\":3"));
	free(out);
}

TEST(serve_skips_an_unsupported_case)
{
	char *out;

	int st = serve_fake((struct fake){ .unsupported = 1 }, RUN_2_1, 100, &out);
	CHECK_MSG(st == NB_EXIT_SKIP, "status %d", st);
	CHECK(fk.setups == 0 && fk.runs == 0 && fk.teardowns == 0);
	CHECK(strstr(out, "{\"type\":\"skip\",\"workload\":\"test.fake\",\"reason\":\"fake: not on this host\"}\n"
			  "{\"type\":\"end\",\"workload\":\"test.fake\",\"cases\":1,\"skipped\":1,\"status\":77,") == out);
	CHECK(!strstr(out, "ready") && !strstr(out, "\"batch\""));
	free(out);
}

TEST(serve_reports_a_failed_setup)
{
	char *out;

	int st = serve_fake((struct fake){ .fail_setup = 1 }, RUN_2_1, 100, &out);
	CHECK_MSG(st == NB_EXIT_USAGE, "status %d", st);
	CHECK(fk.setups == 1 && fk.runs == 0 && fk.teardowns == 0);
	CHECK(strstr(out, "\"message\":\"fake setup refused: bad directory\"") && strstr(out, "\"status\":2,"));
	CHECK(!strstr(out, "ready"));
	free(out);
}

TEST(serve_refuses_an_op_count_over_the_limit_and_keeps_serving)
{
	char *out;

	int st = serve_fake((struct fake){ .max_ops = 500 },
			    "{\"op\":\"run\",\"reps\":1,\"warmup\":0,\"ops\":501}\n" RUN_2_1, 100, &out);
	CHECK_MSG(st == 0, "status %d", st);
	CHECK(strstr(out, "501 ops per repetition exceed this workload's limit of 500 ops"));
	CHECK(strstr(out, "\"cases\":0,\"skipped\":0,\"status\":2,") && strstr(out, "\"batch\":1,\"reused\":false"));
	CHECK(fk.runs == 3);
	free(out);
}
