# harness.mk - `nestbench`, the campaign CLI, and its tests.  It links the protocol
# library (PROTO_OBJ, agent.mk), the libraries below it (LIB_OBJ, Makefile: common/,
# stats/, resultlib/) and the report commands it dispatches to (ANALYSIS_LIB_OBJ,
# analysis.mk).
HARNESS_SRC      := $(filter-out harness/main.c,$(wildcard harness/*.c))
HARNESS_OBJ      := $(HARNESS_SRC:%.c=$(BUILD)/obj/%.o)
HARNESS_TEST_SRC := $(wildcard tests/harness/*.c)
HARNESS_TEST_OBJ := $(HARNESS_TEST_SRC:%.c=$(BUILD)/obj/%.o)
HARNESS_DEPS     := $(HARNESS_OBJ) $(PROTO_OBJ) $(ANALYSIS_LIB_OBJ) $(LIB_OBJ)

$(HARNESS_OBJ) $(HARNESS_TEST_OBJ) $(BUILD)/obj/harness/main.o: CFLAGS += $(AGENT_CFLAGS)

ALL_BINS  += $(BUILD)/nestbench
TEST_BINS += $(BUILD)/tests/harness

$(BUILD)/nestbench: $(BUILD)/obj/harness/main.o $(HARNESS_DEPS)
	$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS) $(LDLIBS)

$(BUILD)/tests/harness: $(BUILD)/obj/tests/unit/main.o $(HARNESS_TEST_OBJ) $(HARNESS_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS) $(LDLIBS)

# A benchmark, not a test: the harness's own cost on a local campaign (wall time
# outside the workload processes, as a fraction; target < 5 %).
.PHONY: bench-harness
bench-harness: $(BUILD)/nestbench $(BUILD)/nestbench-agent $(BUILD)/nestbench-work
	@$(BUILD)/nestbench run -q configs/local.json -o $(BUILD)/bench-harness.json >/dev/null
	@jq -r '.last_run_timing | "campaign wall time \(.wall_s | . * 10 | round / 10) s, in workload processes \(.in_workload_processes_s | . * 10 | round / 10) s, in measured repetitions \(.in_measured_reps_s | . * 10 | round / 10) s\nharness overhead: \(.harness_overhead_fraction * 1000 | round / 10) % (target < 5 %)"' $(BUILD)/bench-harness.json
