# analysis.mk - analysis/: the report model (result files read through resultlib/,
# tables, comparisons and their formats), the report commands (table, plot, compare;
# linked into nestbench by harness.mk), their unit tests (stats/'s too:
# tests/analysis/test_stats.c) and a benchmark.  Analysis includes nothing of the harness.
#   make bench-report      table and compare over 20 files x 30 workloads x 50 samples
ANALYSIS_MODEL_SRC := analysis/resultset.c analysis/table.c \
                      analysis/table_format.c analysis/table_json.c analysis/compare.c \
                      analysis/compare_format.c analysis/report_text.c analysis/derived.c \
                      analysis/table_counters.c analysis/verdict.c
ANALYSIS_MODEL_SRC += analysis/table_latex.c
ANALYSIS_MODEL_SRC += analysis/table_long.c
ANALYSIS_LIB_SRC  := $(ANALYSIS_MODEL_SRC) analysis/plot.c analysis/gnuplot.c analysis/report_cli.c
ANALYSIS_LIB_OBJ  := $(ANALYSIS_LIB_SRC:%.c=$(BUILD)/obj/%.o)
ANALYSIS_MODEL_OBJ := $(ANALYSIS_MODEL_SRC:%.c=$(BUILD)/obj/%.o) $(LIB_OBJ)
ANALYSIS_TEST_SRC := $(wildcard tests/analysis/*.c)
ANALYSIS_TEST_OBJ := $(ANALYSIS_TEST_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/unit/main.o

$(ANALYSIS_LIB_OBJ) $(ANALYSIS_TEST_OBJ): CFLAGS += $(AGENT_CFLAGS)

TEST_BINS += $(BUILD)/tests/analysis

$(BUILD)/tests/analysis: $(ANALYSIS_TEST_OBJ) $(ANALYSIS_MODEL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcjson $(LDLIBS) -lm

# ---- benchmark (not a test) ---------------------------------------------------------
BENCH_REPORT_DIR := $(BUILD)/bench-report

$(BUILD)/report-bench-gen: $(BUILD)/obj/tests/bench/report_gen.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: bench-report
bench-report: $(BUILD)/nestbench $(BUILD)/report-bench-gen
	@sh tests/bench/report_bench.sh $(BUILD)/nestbench $(BUILD)/report-bench-gen $(BENCH_REPORT_DIR)

# ---- gate benchmark (not a test): false alarms and power on this machine's samples ----
#   make bench-gate        runs tests/bench/gate_campaign.json a few times (~1 min each
#                          on a 2-core host), then prints the gate's A/A false-alarm rate
#                          and its power against a 10 % slowdown (tests/bench/gate_bench.sh)
BENCH_GATE_DIR := $(BUILD)/bench-gate

$(BUILD)/obj/tests/bench/gate_bench.o: CFLAGS += $(AGENT_CFLAGS)

$(BUILD)/gate-bench: $(BUILD)/obj/tests/bench/gate_bench.o $(ANALYSIS_MODEL_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ -lcjson $(LDLIBS) -lm

.PHONY: bench-gate
bench-gate: $(BUILD)/nestbench $(BUILD)/nestbench-work $(BUILD)/nestbench-agent $(BUILD)/gate-bench
	@sh tests/bench/gate_bench.sh $(BUILD) $(BENCH_GATE_DIR)

# ---- change-point benchmark (not a test): E-divisive over series of 1000 runs ----------
#   make bench-changepoint   ms per series (stationary, one shift, six shifts) and the
#                            estimate for history check's 30 workloads x 3 tiers
$(BUILD)/changepoint-bench: $(BUILD)/obj/tests/bench/changepoint_bench.o \
                            $(filter $(BUILD)/obj/stats/%,$(LIB_OBJ))
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: bench-changepoint
bench-changepoint: $(BUILD)/changepoint-bench
	@$(BUILD)/changepoint-bench
