# lib.mk - the libraries below the programs (LIB_OBJ, Makefile: common/'s utilities,
# stats/, resultlib/) and their tests, $(BUILD)/tests/lib (the statistics' own tests
# are in tests/analysis).
LIB_TEST_SRC := $(wildcard tests/lib/*.c)
LIB_TEST_OBJ := $(LIB_TEST_SRC:%.c=$(BUILD)/obj/%.o)

$(LIB_OBJ) $(LIB_TEST_OBJ): CFLAGS += $(AGENT_CFLAGS)

TEST_BINS += $(BUILD)/tests/lib

$(BUILD)/tests/lib: $(BUILD)/obj/tests/unit/main.o $(LIB_TEST_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcjson $(LDLIBS)
