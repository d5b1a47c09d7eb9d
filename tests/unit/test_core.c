/* test_core.c - the runner's machinery: units, parameters and sweeps, calibration,
 * the meter's counter scaling, --events parsing and the record writer. */
#include "check.h"
#include "../../common/err.h"
#include "../../common/units.h"
#include "../../workloads/meter.h"
#include "../../workloads/perfopen.h"
#include "../../workloads/params.h"
#include "../../workloads/record.h"
#include "../../workloads/runner.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

TEST(units_parse_size)
{
	uint64_t v;

	CHECK(nb_parse_size("0", &v) == 0 && v == 0);
	CHECK(nb_parse_size("4096", &v) == 0 && v == 4096);
	CHECK(nb_parse_size("16K", &v) == 0 && v == 16384);
	CHECK(nb_parse_size("16KiB", &v) == 0 && v == 16384);
	CHECK(nb_parse_size("2m", &v) == 0 && v == 2u << 20);
	CHECK(nb_parse_size("1G", &v) == 0 && v == 1u << 30);
	CHECK(nb_parse_size("3T", &v) == 0 && v == 3ull << 40);
	CHECK(nb_parse_size("", &v) == -1);
	CHECK(nb_parse_size("K", &v) == -1);
	CHECK(nb_parse_size("-1", &v) == -1);
	CHECK(nb_parse_size("12Q", &v) == -1);
	CHECK(nb_parse_size("1.5G", &v) == -1);
	CHECK(nb_parse_size("99999999999T", &v) == -1);  /* overflows 64 bits */
}

TEST(units_parse_u64_and_bool)
{
	uint64_t v;
	int b;

	CHECK(nb_parse_u64("0x80", &v) == 0 && v == 0x80);
	CHECK(nb_parse_u64("42", &v) == 0 && v == 42);
	CHECK(nb_parse_u64("010", &v) == 0 && v == 10);   /* not octal */
	CHECK(nb_parse_u64("0x", &v) == -1);
	CHECK(nb_parse_u64("42x", &v) == -1);
	CHECK(nb_parse_u64("-3", &v) == -1);
	CHECK(nb_parse_u64(" 3", &v) == -1);
	CHECK(nb_parse_bool("yes", &b) == 0 && b == 1);
	CHECK(nb_parse_bool("OFF", &b) == 0 && b == 0);
	CHECK(nb_parse_bool("2", &b) == -1);
}

TEST(units_format_size)
{
	char buf[32];

	nb_format_size(16384, buf, sizeof(buf));
	CHECK_STR(buf, "16K");
	nb_format_size(1u << 30, buf, sizeof(buf));
	CHECK_STR(buf, "1G");
	nb_format_size(1536, buf, sizeof(buf));
	CHECK_STR(buf, "1536");
	nb_format_size(3 << 20, buf, sizeof(buf));
	CHECK_STR(buf, "3M");
}

/* ---- a synthetic workload for the runner's machinery ------------------------------ */

static const struct nb_param_spec fake_params[] = {
	{ "size", NB_PARAM_SIZE, "16K..1M", 4096, 1 << 30, "working set" },
	{ "n", NB_PARAM_UINT, "3", 1, 10, "a count" },
	{ "flag", NB_PARAM_BOOL, "0", 0, 0, "a switch" },
	{ "mode", NB_PARAM_STRING, "fast", 0, 0, "a word", "fast|slow" },
	{ 0 }
};

/* One op = 2 microseconds of sleeping: calibration must reach the asked time. */
static int sleepy_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	struct timespec ts = { 0, 2000 };

	*bytes = ops * 100;
	nb_meter_start(c);
	for (uint64_t i = 0; i < ops; i++)
		nanosleep(&ts, NULL);
	nb_meter_stop(c);
	return 0;
}

static const struct nb_workload fake = {
	.name = "fake.sleep", .family = "fake", .unit = "ns/op",
	.better = NB_LOWER_IS_BETTER, .metric = NB_METRIC_NS_PER_OP,
	.stresses = "test", .params = fake_params, .run = sleepy_run,
};

TEST(params_defaults_and_given)
{
	char texts[NB_MAX_PARAMS][NB_PARAM_TEXT], err[NB_ERR_LEN];
	const char *given[] = { "n=7", "mode=slow" };
	struct nb_ctx *c = calloc(1, sizeof(*c));

	CHECK(c);
	c->w = &fake;
	CHECK(nb_params_resolve(&fake, given, 2, texts, err) == 0);
	CHECK_STR(texts[0], "16K..1M");
	CHECK_STR(texts[1], "7");
	CHECK_STR(texts[3], "slow");
	snprintf(texts[0], NB_PARAM_TEXT, "64K");
	CHECK(nb_params_apply(c, texts, err) == 0);
	CHECK_EQ_U64(nb_param_u(c, "size"), 65536);
	CHECK_EQ_U64(nb_param_u(c, "n"), 7);
	CHECK_EQ_U64(nb_param_u(c, "flag"), 0);
	CHECK_STR(nb_param_s(c, "mode"), "slow");
	CHECK(nb_param_is_set(c, "flag"));
	CHECK(!nb_param_is_set(c, "nonexistent"));
	free(c);
}

TEST(params_errors_name_the_problem)
{
	char texts[NB_MAX_PARAMS][NB_PARAM_TEXT], err[NB_ERR_LEN];
	const char *unknown[] = { "bogus=1" }, *malformed[] = { "n" }, *twice[] = { "n=1", "n=2" };
	struct nb_ctx *c = calloc(1, sizeof(*c));

	CHECK(c);
	c->w = &fake;
	CHECK(nb_params_resolve(&fake, unknown, 1, texts, err) == -1);
	CHECK(strstr(err, "unknown parameter 'bogus'") && strstr(err, "known: size, n, flag, mode"));
	CHECK(nb_params_resolve(&fake, malformed, 1, texts, err) == -1);
	CHECK(strstr(err, "KEY=VALUE"));
	CHECK(nb_params_resolve(&fake, twice, 2, texts, err) == -1);
	CHECK(strstr(err, "twice"));

	const char *bad[][2] = { { "size", "1K" }, { "size", "12Q" }, { "n", "11" },
				 { "n", "0" }, { "n", "x" }, { "flag", "maybe" }, { "mode", "medium" },
				 { "mode", "fas" } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char kv[64];
		const char *g[1] = { kv };
		snprintf(kv, sizeof(kv), "%s=%s", bad[i][0], bad[i][1]);
		CHECK(nb_params_resolve(&fake, g, 1, texts, err) == 0);
		if (strcmp(bad[i][0], "size") != 0)
			snprintf(texts[0], NB_PARAM_TEXT, "64K");
		CHECK_MSG(nb_params_apply(c, texts, err) == -1, "%s accepted", kv);
		CHECK_MSG(strstr(err, bad[i][0]) != NULL, "message '%s' does not name %s", err, bad[i][0]);
	}
	free(c);
}

TEST(params_sweeps)
{
	char texts[NB_MAX_PARAMS][NB_PARAM_TEXT], vals[NB_MAX_SWEEP][NB_PARAM_TEXT], err[NB_ERR_LEN];
	const char *two[] = { "size=4K,8K", "n=1,2" };

	CHECK(nb_params_resolve(&fake, NULL, 0, texts, err) == 0);
	CHECK(nb_params_sweep_index(&fake, texts, err) == 0);
	CHECK(nb_param_expand(&fake_params[0], "16K..1M", vals, err) == 7);
	CHECK_STR(vals[0], "16K");
	CHECK_STR(vals[6], "1M");
	CHECK(nb_param_expand(&fake_params[0], "4K,64K,1G", vals, err) == 3);
	CHECK_STR(vals[2], "1G");
	CHECK(nb_param_expand(&fake_params[1], "1..5", vals, err) == 3); /* 1 2 4 */
	CHECK_STR(vals[2], "4");
	CHECK(nb_param_expand(&fake_params[0], "1M..16K", vals, err) == -1);
	CHECK(nb_param_expand(&fake_params[0], "0..1M", vals, err) == -1);
	CHECK(nb_param_expand(&fake_params[0], "1..1T", vals, err) == 41);
	char many[NB_PARAM_TEXT] = "1";
	for (int i = 2; i <= 70; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), ",%d", i);
	CHECK(nb_param_expand(&fake_params[1], many, vals, err) == -1);
	CHECK(strstr(err, "more than 64"));
	CHECK(nb_params_resolve(&fake, two, 2, texts, err) == 0);
	CHECK(nb_params_sweep_index(&fake, texts, err) == -2);
	CHECK(strstr(err, "only one parameter"));
}

TEST(calibration_reaches_min_time)
{
	struct nb_ctx *c = calloc(1, sizeof(*c));
	uint64_t ops, ns, bytes = 0;

	CHECK(c);
	c->w = &fake;
	CHECK(nb_calibrate(c, 20 * 1000000ull, &ops, &ns) == 0);
	CHECK_MSG(ns >= 20 * 1000000ull, "calibration ended at %llu ns", (unsigned long long)ns);
	CHECK(ops > 1);
	/* A repetition with the calibrated count lasts about as long.  Not "at least the
	 * minimum": on a loaded host the calibration's last run may have been preempted
	 * and the repetition run undisturbed (seen: 8 ms after a 20 ms calibration). */
	c->meter.ns = 0;
	CHECK(fake.run(c, ops, &bytes) == 0);
	CHECK_MSG(c->meter.ns >= 5 * 1000000ull, "rep lasted %llu ns", (unsigned long long)c->meter.ns);
	CHECK_EQ_U64(bytes, ops * 100);
	free(c);
}

static int capped_run(struct nb_ctx *c, uint64_t ops, uint64_t *bytes)
{
	(void)bytes;
	nb_meter_start(c);
	for (volatile uint64_t i = 0; i < ops; i++)
		;
	nb_meter_stop(c);
	return 0;
}

TEST(calibration_respects_max_ops_and_says_so)
{
	static const struct nb_workload capped = {
		.name = "fake.capped", .family = "fake", .unit = "ns/op", .run = capped_run,
		.max_ops = 1000,
	};
	struct nb_ctx *c = calloc(1, sizeof(*c));
	uint64_t ops, ns;

	CHECK(c);
	c->w = &capped;
	CHECK(nb_calibrate(c, 1000 * 1000000ull, &ops, &ns) == 0);
	CHECK_EQ_U64(ops, 1000);
	CHECK(strstr(c->notes, "capped at 1000 ops"));
	free(c);
}

TEST(primary_value_per_metric)
{
	struct nb_workload w = fake;

	w.metric = NB_METRIC_NS_PER_OP;
	CHECK_NEAR(nb_primary_value(&w, 1000, 5000, 0), 5.0, 1e-12);
	w.metric = NB_METRIC_MB_PER_S;      /* 1e9 bytes in 1 s = 1000 MB/s */
	CHECK_NEAR(nb_primary_value(&w, 1, 1000000000ull, 1000000000ull), 1000.0, 1e-9);
	w.metric = NB_METRIC_OPS_PER_S;     /* 5000 ops in 0.5 s */
	CHECK_NEAR(nb_primary_value(&w, 5000, 500000000ull, 0), 10000.0, 1e-9);
	CHECK(isnan(nb_primary_value(&w, 0, 10, 0)));
}

TEST(events_parse)
{
	struct nb_event ev[4];
	int n = 0;
	char err[NB_ERR_LEN];

	CHECK(nb_events_parse("1:0x2:0:0:page-faults,4:0x412e:0:0:cpu/r412e/", ev, &n, 4, err) == 0);
	CHECK(n == 2);
	CHECK_STR(ev[0].name, "page-faults");
	CHECK(ev[0].type == 1 && ev[0].config == 2);
	CHECK(ev[1].type == 4 && ev[1].config == 0x412e);
	/* libpfm4 names contain ':' and '=': everything after the 4th ':' is the name. */
	CHECK(nb_events_parse("4:1:2:3:INST_RETIRED:ANY_P:c=1", ev, &n, 4, err) == 0);
	CHECK(n == 3);
	CHECK_STR(ev[2].name, "INST_RETIRED:ANY_P:c=1");
	CHECK(ev[2].config1 == 2 && ev[2].config2 == 3);
	CHECK(nb_events_parse("cycles", ev, &n, 4, err) == -1);
	CHECK(strstr(err, "TYPE:CONFIG:CONFIG1:CONFIG2:NAME"));
	CHECK(nb_events_parse("1:x:0:0:foo", ev, &n, 4, err) == -1);
	CHECK(nb_events_parse("1:2:0:0:", ev, &n, 4, err) == -1);
	CHECK(nb_events_parse("1:2:0:0:a,1:2:0:0:b", ev, &n, 4, err) == -1);
	CHECK(strstr(err, "too many"));
}

TEST(event_scaling)
{
	struct nb_event e = { .value = 1000, .enabled = 200, .running = 100 };

	CHECK_NEAR(nb_event_scaled(&e), 2000.0, 1e-9);  /* multiplexed half the time */
	e.running = 200;
	CHECK_NEAR(nb_event_scaled(&e), 1000.0, 1e-9);
	e.running = 0;
	CHECK(nb_event_scaled(&e) < 0);                 /* never ran: not counted, not 0 */
}

TEST(event_scaling_edges)
{
	/* Multiplexed a tenth of the time: the count is extrapolated ten times. */
	struct nb_event e = { .value = 123456789, .enabled = 1000000000, .running = 100000000 };

	CHECK_NEAR(nb_event_scaled(&e), 1234567890.0, 1e-3);
	/* Large counts do not overflow (doubles, not 64-bit products). */
	e.value = 1ull << 62;
	e.enabled = 3ull << 40;
	e.running = 1ull << 40;
	CHECK_NEAR(nb_event_scaled(&e) / (double)(1ull << 62), 3.0, 1e-12);
	/* running ahead of enabled (rounding between the two reads): not scaled down. */
	e.value = 500;
	e.enabled = 99;
	e.running = 100;
	CHECK_NEAR(nb_event_scaled(&e), 500.0, 1e-12);
	/* Never enabled and never running (an empty region): the raw count, 0 here, is exact. */
	e.value = 0;
	e.enabled = e.running = 0;
	CHECK_NEAR(nb_event_scaled(&e), 0.0, 1e-12);
}

TEST(perf_open_and_reasons)
{
	char why[160];
	int user_only, fd;

	/* A software event opens on any Linux; a PMU type that exists nowhere does not. */
	fd = nb_perf_open_counter(1 /* PERF_TYPE_SOFTWARE */, 2 /* page faults */, 0, 0, 0, &user_only);
	CHECK_MSG(fd >= 0, "page-faults: %s", strerror(errno));
	close(fd);
	fd = nb_perf_open_counter(0x7fffffff, 0, 0, 0, 0, &user_only);
	CHECK(fd < 0);
	nb_perf_why(errno, why, sizeof(why));
	CHECK_MSG(why[0] != '\0', "no reason");
	nb_perf_why(ENOENT, why, sizeof(why));
	CHECK(strstr(why, "no PMU exposed"));
	nb_perf_why(EACCES, why, sizeof(why));
	CHECK(strstr(why, "perf_event_paranoid=") && strstr(why, "root"));
	nb_perf_why(EINVAL, why, sizeof(why));
	CHECK(strstr(why, "perf_event_open"));
	CHECK(nb_perf_paranoid() != -99 || access("/proc/sys/kernel/perf_event_paranoid", R_OK) != 0);
}

TEST(software_event_counts_measured_region_only)
{
	struct nb_ctx *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	CHECK(c);
	c->w = &fake;
	CHECK(nb_events_parse("1:2:0:0:page-faults", c->events, &c->nevents, NB_MAX_EVENTS, err) == 0);
	nb_events_open(c);
	CHECK_MSG(c->events[0].fd >= 0, "page-faults unsupported: %s", c->events[0].unsupported);
	char *outside = malloc(64 * pg), *inside = malloc(64 * pg);
	CHECK(outside && inside);
	nb_meter_reset(c);
	for (size_t i = 0; i < 64; i++)
		outside[i * pg] = 1;                    /* not measured */
	nb_meter_start(c);
	for (size_t i = 0; i < 64; i++)
		inside[i * pg] = 1;                     /* measured */
	nb_meter_stop(c);
	nb_meter_read_events(c);
	CHECK_MSG(c->events[0].value >= 60 && c->events[0].value <= 70, "counted %llu faults",
		  (unsigned long long)c->events[0].value);
	CHECK(c->events[0].running > 0);
	free(outside);
	free(inside);
	nb_events_close(c);
	free(c);
}

TEST(unsupported_event_is_reported_not_zero)
{
	struct nb_ctx *c = calloc(1, sizeof(*c));
	char err[NB_ERR_LEN];

	CHECK(c);
	/* PMU type 0x7fffffff does not exist anywhere. */
	CHECK(nb_events_parse("2147483647:0:0:0:bogus", c->events, &c->nevents, NB_MAX_EVENTS, err) == 0);
	nb_events_open(c);
	CHECK(c->events[0].fd < 0);
	CHECK(c->events[0].unsupported[0] != '\0');
	free(c);
}

TEST(record_writer_json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct nb_rec r;

	CHECK(f);
	nb_rec_begin(&r, f, 1);
	nb_rec_str(&r, "type", "rep");
	nb_rec_str(&r, "quote", "a\"b\\c\nd\x01");
	nb_rec_u64(&r, "ops", 18446744073709551615ull);
	nb_rec_i64(&r, "cpu", -1);
	nb_rec_double(&r, "value", 2.5);
	nb_rec_double(&r, "nan", NAN);
	nb_rec_bool(&r, "warmup", 0);
	nb_rec_obj_begin(&r, "extra");
	nb_rec_double(&r, "x", 1);
	nb_rec_obj_end(&r);
	nb_rec_arr_begin(&r, "counters");
	nb_rec_obj_begin(&r, NULL);
	nb_rec_str(&r, "name", "a");
	nb_rec_obj_end(&r);
	nb_rec_obj_begin(&r, NULL);
	nb_rec_null(&r, "scaled");
	nb_rec_obj_end(&r);
	nb_rec_arr_end(&r);
	nb_rec_end(&r);
	fclose(f);
	CHECK_STR(buf, "{\"type\":\"rep\",\"quote\":\"a\\\"b\\\\c\\nd\\u0001\","
		       "\"ops\":18446744073709551615,\"cpu\":-1,\"value\":2.5,\"nan\":null,"
		       "\"warmup\":false,\"extra\":{\"x\":1},"
		       "\"counters\":[{\"name\":\"a\"},{\"scaled\":null}]}\n");
	free(buf);
}

TEST(registry_lookup)
{
	size_t n;
	const struct nb_workload *const *t = nb_workloads(&n);

	CHECK(n >= 2);
	CHECK(nb_workload_find("cpu.int") != NULL);
	CHECK(nb_workload_find("cpu.nope") == NULL);
	for (size_t i = 0; i < n; i++) {
		CHECK(t[i]->name && t[i]->family && t[i]->unit && t[i]->stresses && t[i]->run);
		CHECK_MSG(strncmp(t[i]->name, t[i]->family, strlen(t[i]->family)) == 0,
			  "%s is not in family %s", t[i]->name, t[i]->family);
		CHECK(nb_workload_find(t[i]->name) == t[i]);   /* names are unique */
	}
}

TEST(cpu_int_checks_its_result)
{
	extern uint64_t nb_lcg_skip(uint64_t x, uint64_t n);
	uint64_t x = 12345;

	for (int i = 0; i < 1000; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	CHECK_EQ_U64(nb_lcg_skip(12345, 1000), x);
	CHECK_EQ_U64(nb_lcg_skip(12345, 0), 12345);
}
