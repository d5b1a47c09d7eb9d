# analysis.mk - the statistics library (analysis/) and its unit-test program.
# Further analysis sources (tables, charts, compare) go into ANALYSIS_LIB_SRC here.
ANALYSIS_LIB_SRC  := analysis/stats.c
ANALYSIS_LIB_OBJ  := $(ANALYSIS_LIB_SRC:%.c=$(BUILD)/obj/%.o)
ANALYSIS_TEST_SRC := $(wildcard tests/analysis/*.c)
ANALYSIS_TEST_OBJ := $(ANALYSIS_TEST_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/unit/main.o

TEST_BINS += $(BUILD)/tests/analysis

$(BUILD)/tests/analysis: $(ANALYSIS_TEST_OBJ) $(ANALYSIS_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm
