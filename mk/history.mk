# history.mk - history/: the result history in SQLite (`nestbench history`), linked into
# nestbench (harness.mk's rule; harness/main.c dispatches to it) with libsqlite3
# (Debian's libsqlite3-dev, mk/deps.sh build) and, for histories on a PostgreSQL server
# (history/store_pg.c), libpq (libpq-dev).  It reads result files through
# resultlib/ and the report model (analysis/resultset.c, already in nestbench).
HISTORY_SRC := $(wildcard history/*.c)
HISTORY_OBJ := $(HISTORY_SRC:%.c=$(BUILD)/obj/%.o)
HISTORY_LIBS := $(or $(shell pkg-config --libs sqlite3 2>/dev/null),-lsqlite3) \
		$(or $(shell pkg-config --libs libpq 2>/dev/null),-lpq)

$(HISTORY_OBJ): CFLAGS += $(AGENT_CFLAGS) $(shell pkg-config --cflags sqlite3 2>/dev/null) \
		$(or $(shell pkg-config --cflags libpq 2>/dev/null),-I/usr/include/postgresql)

$(BUILD)/nestbench: $(HISTORY_OBJ)
$(BUILD)/nestbench: LDLIBS += $(HISTORY_LIBS)

# ---- benchmark (not a test) ---------------------------------------------------------
#   make bench-history     history add files/s and history check on 1000 runs x 30 x 3
BENCH_HISTORY_DIR := $(BUILD)/bench-history

.PHONY: bench-history
bench-history: $(BUILD)/nestbench
	@sh tests/bench/history_bench.sh $(BUILD)/nestbench $(BENCH_HISTORY_DIR)
