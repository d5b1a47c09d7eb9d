#!/bin/sh
# gate_bench.sh BUILD DIR - a benchmark, not a test (make bench-gate): runs the short
# campaign tests/bench/gate_campaign.json (one local tier, 9 workloads x 20 samples)
# RUNS times (default 3, about 20 s each on an idle 2-core host) back to back, then
# gate-bench prints the false-alarm rate of the compare gate on A/A pairs of those real
# samples and its power against a synthetic 10 % slowdown.  Set GATE_RUNS_FROM=DIR to
# reuse earlier runs (DIR/run*.json) instead of measuring.
set -eu
B=$1 DIR=$2
RUNS=${RUNS:-3}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)   # the local agent wants an absolute state directory
echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${GATE_RUNS_FROM:-}" ]; then
	files=$(ls "$GATE_RUNS_FROM"/run*.json)
else
	files=""
	i=1
	while [ "$i" -le "$RUNS" ]; do
		timeout 600 "$B/nestbench" run -q --state-dir "$DIR/state" -o "$DIR/run$i.json" \
			tests/bench/gate_campaign.json >/dev/null
		files="$files $DIR/run$i.json"
		i=$((i + 1))
	done
fi
echo "runs: $(echo $files | wc -w); load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
"$B/gate-bench" $files
