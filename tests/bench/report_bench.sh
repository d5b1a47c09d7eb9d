#!/bin/sh
# report_bench.sh NESTBENCH GENERATOR DIR - a benchmark, not a test: nestbench table over
# 20 result files x 30 workloads x 50 samples (19 overhead columns, 570 bootstrap
# cells of 2000 resamples), and nestbench compare over two files of 20 tiers with the
# same 600 cells.  Prints the best of three wall times of each; target < 1 s.
set -eu
N=$1 GEN=$2 DIR=$3
mkdir -p "$DIR"
"$GEN" "$DIR"

now() { date +%s.%N; }

# best_of_3 LABEL CMD...: the fastest of three runs (compare exits 1 on a regression).
best_of_3() {
	label=$1
	shift
	times=""
	for i in 1 2 3; do
		t0=$(now)
		"$@" >"$DIR/out" 2>"$DIR/err" || [ $? -eq 1 ]
		times="$times $(echo "$t0 $(now)" | awk '{ printf "%.3f", $2 - $1 }')"
	done
	best=$(echo $times | tr ' ' '\n' | sort -n | head -1)
	echo "$label: $best s (best of 3:$times; target < 1 s)"
}

best_of_3 "table   20 files x 30 workloads x 50 samples" "$N" table "$DIR"/f*.json
best_of_3 "table   the same as JSON" "$N" table -f json "$DIR"/f*.json
best_of_3 "compare 2 files x 20 tiers x 30 workloads x 50 samples" "$N" compare "$DIR/base.json" "$DIR/new.json"
