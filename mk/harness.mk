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

# A benchmark, not a test: where a campaign's wall time goes (measured repetitions,
# harness overhead and the split of last_run_timing) for configs/local.json and, with
# LAB=1, configs/lab.json on the local lab (tests/bench/harness_bench.sh).
.PHONY: bench-harness
bench-harness: $(BUILD)/nestbench $(BUILD)/nestbench-agent $(BUILD)/nestbench-work
	@if [ "$(LAB)" = 1 ]; then $(MAKE) --no-print-directory images BUILD=$(BUILD); fi
	@sh tests/bench/harness_bench.sh $(BUILD) $(BUILD)/bench-harness
