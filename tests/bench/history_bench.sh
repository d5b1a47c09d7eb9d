#!/bin/sh
# history_bench.sh NESTBENCH DIR [ADD_FILES [RUNS]] - a benchmark, not a test: nestbench
# history on synthetic result files of 30 cases x 3 tiers (tests/bench/history_gen.py,
# seeded, from tests/analysis/data/kvm.json's shape).  Prints
#   (a) history add throughput, files per second: ADD_FILES (200) files into a new database;
#   (b) history add of RUNS (1000) files in one call, the 1000 x 30 x 3 store;
#   (c) history check --last 4 on that store: target < 2 s on SQLite.
# Everything is generated into DIR (removed first), nothing into the repository.
set -eu
N=$1 DIR=$2 ADDS=${3:-200} RUNS=${4:-1000}
GEN=$(dirname "$0")/history_gen.py
TEMPLATE=$(dirname "$0")/../analysis/data/kvm.json
rm -rf "$DIR"
mkdir -p "$DIR/add" "$DIR/store"

now() { date +%s.%N; }
since() { echo "$1 $(now)" | awk '{ printf "%.3f", $2 - $1 }'; }

t0=$(now)
python3 "$GEN" "$TEMPLATE" "$DIR/add" "$ADDS" 30 17
python3 "$GEN" "$TEMPLATE" "$DIR/store" "$RUNS" 30 16
echo "generated $ADDS + $RUNS files of 30 cases x 3 tiers x 7 samples in $(since "$t0") s"

# (a) the files one call at a time, as a nightly job adds them.
t0=$(now)
for f in "$DIR"/add/r*.json; do
	"$N" history add --db "$DIR/add.sqlite" --label commit=bench "$f" >/dev/null
done
t=$(since "$t0")
echo "history add, a call per file:  $ADDS files in $t s: $(echo "$ADDS $t" | awk '{ printf "%.1f", $1 / $2 }') files/s"

# (b) the big store in one call.
t0=$(now)
"$N" history add --db "$DIR/store.sqlite" "$DIR"/store/r*.json >/dev/null
t=$(since "$t0")
echo "history add, one call:         $RUNS files in $t s: $(echo "$RUNS $t" | awk '{ printf "%.1f", $1 / $2 }') files/s ($(du -k "$DIR/store.sqlite" | cut -f1) KiB database)"

# (c) check: exit 0 (no regression) or 1 (one found) are both a finished check.
t0=$(now)
status=0
"$N" history check --db "$DIR/store.sqlite" --last 4 >"$DIR/check.md" 2>"$DIR/check.err" || status=$?
t=$(since "$t0")
[ "$status" -le 1 ] || { echo "history check failed (exit $status): $(head -c 300 "$DIR/check.err")" >&2; exit 1; }
verdict=$(echo "$t" | awk '{ print ($1 < 2) ? "met" : "NOT met" }')
echo "history check --last 4:        $RUNS runs x 30 workloads x 3 tiers in $t s (target < 2 s: $verdict; exit $status, $(grep -c '^| L' "$DIR/check.md" || true) change points)"
