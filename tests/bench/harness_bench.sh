#!/bin/sh
# harness_bench.sh BUILD DIR - a benchmark, not a test (make bench-harness): where a
# campaign's wall time goes.  Runs configs/local.json on this machine and, with LAB=1,
# configs/lab.json on the local nested lab (booted in DIR/lab and stopped afterwards),
# then prints for each the share of the wall time in measured repetitions and the
# harness overhead (time outside the workload processes), with the split of
# last_run_timing.  Targets (issue 14): at least 50 % measured; harness overhead under
# 2 % locally and under 5 % in the lab.
#
#   LAB=1                 also the lab campaign (boots QEMU: a few minutes)
#   KEEP_WORKERS=0|1      override the campaigns' keep_workers (default: as they say)
#   LOCAL_CONFIG=F, LAB_CONFIG=F   measure these campaigns instead of configs/local.json
#                         and configs/lab.json (e.g. an earlier case list, to compare)
set -u
B=$1 DIR=$2
N=$B/nestbench
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

# CONFIG NAME: the campaign, as it is or with keep_workers overridden, into DIR/NAME.json
config() {
	if [ -n "${KEEP_WORKERS:-}" ]; then
		flag=$([ "$KEEP_WORKERS" = 1 ] && echo true || echo false)
		jq ".keep_workers = $flag" "$1" >"$DIR/$2.config.json"
	else
		cp "$1" "$DIR/$2.config.json"
	fi
}

report() {
	jq -r --arg name "$1" --argjson target "$2" '.last_run_timing as $t | $t.split as $s |
	  "\($name): wall \($t.wall_s | . * 10 | round / 10) s; measured \($s.measurement_s | . * 10 | round / 10) s = \($s.measurement_fraction * 1000 | round / 10) % (target >= 50 %); harness overhead \($t.harness_overhead_fraction * 1000 | round / 10) % (target < \($target) %)\n  split: warm-up \($s.warmup_s | . * 10 | round / 10) s, workload setup \($s.workload_setup_s | . * 10 | round / 10) s, process \($s.process_s | . * 10 | round / 10) s, transport \($s.transport_s | . * 10 | round / 10) s, canary \($s.canary_s | . * 10 | round / 10) s, quiet wait \($s.quiet_wait_s | . * 10 | round / 10) s, exit counting \($s.exit_counting_s // 0 | . * 10 | round / 10) s, harness \($s.harness_s | . * 10 | round / 10) s"' "$DIR/$1.json"
}

echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
config "${LOCAL_CONFIG:-configs/local.json}" local
timeout 900 "$N" run -q --state-dir "$DIR/state" -o "$DIR/local.json" "$DIR/local.config.json" >/dev/null ||
	echo "harness_bench: the local campaign ended with status $?" >&2
report local 2
[ "${LAB:-0}" = 1 ] || exit 0

config "${LAB_CONFIG:-configs/lab.json}" lab
LABDIR=$DIR/lab
trap '"$N" lab down --lab-dir "$LABDIR" >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM
timeout 400 "$N" lab up --lab-dir "$LABDIR" "$DIR/lab.config.json" >/dev/null || {
	echo "harness_bench: lab up failed (see $LABDIR)" >&2
	exit 2
}
timeout 900 "$N" run -q --lab-dir "$LABDIR" --state-dir "$DIR/state" -o "$DIR/lab.json" \
	"$DIR/lab.config.json" >/dev/null || echo "harness_bench: the lab campaign ended with status $?" >&2
report lab 5
