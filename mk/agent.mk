# agent.mk - nestbench-agent, the protocol library in common/ (shared with the
# harness), the agent's tests, its fuzz targets and its benchmark.
#   make                      builds $(BUILD)/nestbench-agent and $(BUILD)/agent-bench
#   make test                 runs $(BUILD)/tests/agent with the other test programs
#   make fuzz-agent           libFuzzer: frames and requests, then whole sessions, for
#                             FUZZ_TIME seconds each
#   make bench-agent          ping round trip (direct, over a 2-hop relay), put MB/s

AGENT_PKGS   := libcjson libcrypto hwloc
AGENT_CFLAGS := $(shell pkg-config --cflags $(AGENT_PKGS) 2>/dev/null)
AGENT_LIBS   := $(or $(shell pkg-config --libs $(AGENT_PKGS) 2>/dev/null),-lcjson -lcrypto -lhwloc) -lpfm

PROTO_SRC    := common/frame.c common/proto.c common/utf8.c common/client.c common/sha256.c \
                common/transport.c $(wildcard common/transport_*.c)
PROTO_OBJ    := $(PROTO_SRC:%.c=$(BUILD)/obj/%.o) $(VERSION_OBJ)
AGENT_SRC    := $(filter-out guest-agent/main.c,$(wildcard guest-agent/*.c))
AGENT_OBJ    := $(AGENT_SRC:%.c=$(BUILD)/obj/%.o)
# What the agent borrows from the workload side: the machine description that
# `nestbench-work info` prints too (machine, with CPUID decoding and the record writer
# it uses), opening perf counters (perfopen); and from common/: size parsing, the
# sysfs line reader.
AGENT_BORROW := $(BUILD)/obj/workloads/machine.o $(BUILD)/obj/workloads/cpuinfo.o \
                $(BUILD)/obj/workloads/record.o $(BUILD)/obj/workloads/perfopen.o \
                $(BUILD)/obj/common/units.o $(BUILD)/obj/common/files.o $(BUILD)/obj/common/log.o
AGENT_TEST_SRC := $(wildcard tests/agent/*.c)
AGENT_TEST_OBJ := $(AGENT_TEST_SRC:%.c=$(BUILD)/obj/%.o)

$(PROTO_OBJ) $(AGENT_OBJ) $(AGENT_TEST_OBJ) $(BUILD)/obj/guest-agent/main.o \
$(BUILD)/obj/tests/bench/agent_bench.o: CFLAGS += $(AGENT_CFLAGS)

ALL_BINS  += $(BUILD)/nestbench-agent $(BUILD)/agent-bench
TEST_BINS += $(BUILD)/tests/agent

$(BUILD)/nestbench-agent: $(BUILD)/obj/guest-agent/main.o $(AGENT_OBJ) $(PROTO_OBJ) $(AGENT_BORROW)
	$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS) $(LDLIBS)

$(BUILD)/tests/agent: $(BUILD)/obj/tests/unit/main.o $(AGENT_TEST_OBJ) $(AGENT_OBJ) $(PROTO_OBJ) \
		      $(AGENT_BORROW)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS) $(LDLIBS)

$(BUILD)/agent-bench: $(BUILD)/obj/tests/bench/agent_bench.o $(PROTO_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS) $(LDLIBS)

.PHONY: fuzz-agent bench-agent

# ---- fuzzing: libFuzzer (clang) ------------------------------------------------------
# fuzz-frame: frames, requests and the per-op decoders (pure functions).
# fuzz-session: whole agent sessions in process (every op, the store, relays), with
# connections out, workload processes and exits-start replaced at link time.
# `make fuzz-agent` runs each for FUZZ_TIME seconds (bounded, whatever happens).
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 30
FUZZ_FLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE $(WARN) -Wno-unknown-warning-option \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(AGENT_CFLAGS)
FUZZ_SRC   := tests/fuzz/fuzz_frame.c $(BUILD)/gen/version.c common/frame.c common/proto.c \
              common/utf8.c common/sha256.c common/transport.c $(wildcard common/transport_*.c)
FUZZ_SESSION_SRC  := tests/fuzz/fuzz_session.c $(BUILD)/gen/version.c $(PROTO_SRC) $(AGENT_SRC) \
                     $(patsubst $(BUILD)/obj/%.o,%.c,$(AGENT_BORROW))
FUZZ_SESSION_WRAP := -Wl,--wrap=nb_proto_send,--wrap=nb_exec_run,--wrap=nb_transport_connect \
                     -Wl,--wrap=nb_op_exits_start,--wrap=nb_exec_start
FUZZ_RUN = timeout $$(($(FUZZ_TIME) + 120)) $(1) -max_total_time=$(FUZZ_TIME) -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1

$(BUILD)/fuzz/fuzz-frame: $(FUZZ_SRC) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRC) -lcjson -lcrypto

$(BUILD)/fuzz/fuzz-session: $(FUZZ_SESSION_SRC) $(wildcard common/*.h guest-agent/*.h workloads/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SESSION_SRC) $(FUZZ_SESSION_WRAP) $(AGENT_LIBS) -lm -pthread

# New inputs go to $(BUILD)/fuzz/corpus*; the committed seeds stay as they are.
fuzz-agent:
	@sh mk/deps.sh build fuzz
	@$(MAKE) --no-print-directory $(BUILD)/fuzz/fuzz-frame $(BUILD)/fuzz/fuzz-session
	@mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/corpus-session
	$(call FUZZ_RUN,$(BUILD)/fuzz/fuzz-frame) -dict=tests/fuzz/frame.dict \
		$(BUILD)/fuzz/corpus tests/fuzz/corpus-frame
	$(call FUZZ_RUN,$(BUILD)/fuzz/fuzz-session) -max_len=65536 -dict=tests/fuzz/session.dict \
		$(BUILD)/fuzz/corpus-session tests/fuzz/corpus-session

# ---- benchmark (not a test) ---------------------------------------------------------
bench-agent: $(BUILD)/nestbench-agent $(BUILD)/agent-bench
	@$(BUILD)/agent-bench --agent $(BUILD)/nestbench-agent

# ---- a test workload that leaves a process outside its group (test_exec_tree.c) -----
# Not a test program itself: the agent tests store and run it like nestbench-work.
$(BUILD)/tests/agent-escape: tests/agent/helpers/escape.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $(WORK_LINK) -o $@ $<

$(BUILD)/tests/agent: | $(BUILD)/tests/agent-escape
