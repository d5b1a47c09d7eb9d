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

# libvirt's C API (Debian's libvirt-dev, mk/deps.sh build), for "libvirt:" addresses,
# `nestbench libvirt` and count_exits by domain (harness/libvirt.c): the harness only,
# never the agent, which runs in guests.
LIBVIRT_LIBS := $(or $(shell pkg-config --libs libvirt 2>/dev/null),-lvirt)
$(HARNESS_OBJ) $(HARNESS_TEST_OBJ): CFLAGS += $(shell pkg-config --cflags libvirt 2>/dev/null)
$(BUILD)/nestbench $(BUILD)/tests/harness: LDLIBS += $(LIBVIRT_LIBS)

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
