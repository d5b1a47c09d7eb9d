# nestbench - nested-virtualization overhead benchmarks.
# `make` builds into build/; `make test` installs what is missing, builds and tests;
# `make test-asan` does the same with AddressSanitizer and UBSan in build/asan/.

BUILD    ?= build
CC       ?= cc
SAN      ?= 0

# snprintf truncating a long path in a message is intended, not a bug.
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers \
            -Wno-format-truncation
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -D_GNU_SOURCE
LDLIBS   := -lm -pthread

ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
WORK_LINK :=            # sanitizers cannot link statically
else
WORK_LINK := -static
endif

# ---- sources ------------------------------------------------------------------------
# The layers (README.md, "Where things live"): common/ below everything; workloads/,
# stats/ and resultlib/ on it; analysis above those; the agent and the harness on top.
WORK_LIB_SRC := $(filter-out workloads/main.c,$(wildcard workloads/*.c)) common/units.c \
                common/files.c
WORK_LIB_OBJ := $(WORK_LIB_SRC:%.c=$(BUILD)/obj/%.o)
# What the harness and analysis link below themselves: common/'s utilities (sizes,
# files, JSON accessors, log lines, processes, the hypervisor table and the identity
# of a tier from its evidence), the statistics and the result library.
LIB_SRC      := common/units.c common/files.c common/json.c common/log.c common/proc.c \
                common/hypervisors.c common/identity.c \
                $(wildcard stats/*.c) $(wildcard resultlib/*.c)
LIB_OBJ      := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# The version and git revision, regenerated when they change (common/version.h).
VERSION_OBJ  := $(BUILD)/obj/gen/version.o
UNIT_SRC     := $(wildcard tests/unit/*.c)
UNIT_OBJ     := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all deps test test-asan validate clean demo
.DEFAULT_GOAL := all
# Fragments in mk/*.mk add programs to ALL_BINS and test programs to TEST_BINS.
ALL_BINS  := $(BUILD)/nestbench-work
TEST_BINS := $(BUILD)/tests/unit
include $(wildcard mk/*.mk)

all: $(ALL_BINS)

deps:
	@sh mk/deps.sh build

# CPPFLAGS and LDFLAGS from the environment too (Debian's dpkg-buildflags: hardening).
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

.PHONY: FORCE
$(BUILD)/gen/version.c: FORCE
	@sh mk/version.sh $@

$(VERSION_OBJ): $(BUILD)/gen/version.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/nestbench-work: $(BUILD)/obj/workloads/main.o $(WORK_LIB_OBJ) $(VERSION_OBJ)
	$(CC) $(LDFLAGS) $(WORK_LINK) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit: $(UNIT_OBJ) $(WORK_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The test suite: unit tests, then command-line tests; the last line is the total.
test:
	@sh mk/deps.sh build test lab plot
	@$(MAKE) --no-print-directory all $(TEST_BINS) images
	@BUILD=$(BUILD) SAN=$(SAN) TEST_BINS="$(TEST_BINS)" sh tests/run.sh

test-asan:
	@sh mk/deps.sh build test
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 CC=gcc test

# A benchmark, not a test: our workloads beside established tools, in one run; then
# (unless LAB=0) our exits on the lab's L2 beside kvm-unit-tests' x86/vmexit as a second
# L2 of the same L1 (workloads/validate_kut.sh: KUT_SRC=DIR or a clone of KUT_URL).
validate: all
	@sh mk/deps.sh validate
	@BUILD=$(BUILD) sh workloads/validate.sh
	@if [ "$(LAB)" != 0 ]; then $(MAKE) --no-print-directory images BUILD=$(BUILD) && \
		BUILD=$(BUILD) sh workloads/validate_kut.sh; fi

# The quick start: build, guest images, the local nested lab (L0, L1, L2), the default
# campaign, the overhead table and the charts (harness/demo.sh).
demo:
	@sh mk/deps.sh build test lab plot
	@$(MAKE) --no-print-directory all images
	@BUILD=$(BUILD) sh harness/demo.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
