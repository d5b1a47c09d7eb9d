#!/bin/sh
# demo.sh - `make demo` after the build: boot the local nested lab, run configs/lab.json
# on L0, L1 and L2, stop the lab (also on failure or Ctrl-C), then print the overhead
# table and write the charts.  Results measured before a failure are kept and named.
set -u
BUILD=${BUILD:-build}
NB=$BUILD/nestbench
CONFIG=${CONFIG:-configs/lab.json}

lab_down() { "$NB" lab down >/dev/null 2>&1; }
trap 'lab_down; exit 130' INT TERM
t0=$(date +%s)

"$NB" lab up "$CONFIG" || { lab_down; exit 2; }
out=$("$NB" run "$CONFIG")
status=$?
"$NB" lab down
trap - INT TERM
[ -n "$out" ] || { echo "demo: no result file was written" >&2; exit "$status"; }
[ "$status" -eq 0 ] || echo "demo: the campaign ended with status $status; what it measured is in $out" >&2
# A guest kernel that died mid-campaign says so on its console: name it, not only the
# broken connection the run saw.
con=$BUILD/lab/l1-console.log
if [ "$status" -ne 0 ] && bug=$(grep -m 1 -e 'Kernel panic' -e 'BUG:' "$con" 2>/dev/null); then
	echo "demo: L1's kernel failed during the campaign ($con): $(echo "$bug" | tr -d '\r' | cut -c1-160)" >&2
	echo "demo: under TCG this is a known fault of QEMU's emulation of nested virtualization" \
		"(images/README.md, \"Why L1 hung\"); run make demo again" >&2
fi

echo
"$NB" table --counters --format md "$out" || status=$?
echo
charts=$("$NB" plot "$out") || status=$?
echo "result file: $out"
[ -n "$charts" ] && printf 'charts:\n%s\n' "$charts"
echo "demo: $(( $(date +%s) - t0 )) s from lab up to the table"
exit "$status"
