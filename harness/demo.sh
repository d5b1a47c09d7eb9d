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

con=$BUILD/lab/l1-console.log
# campaign: lab up, the whole campaign, lab down; sets out and status.
campaign() {
	"$NB" lab up "$CONFIG" || { lab_down; exit 2; }
	out=$("$NB" run "$CONFIG")
	status=$?
	"$NB" lab down
}
# l1_failed: L1's kernel said on its console that it failed (a panic, a lockup); the
# first such line in bug.
l1_failed() { bug=$(grep -m 1 -e 'Kernel panic' -e 'BUG:' "$con" 2>/dev/null | tr -d '\r' | cut -c1-160); [ -n "$bug" ]; }

campaign
# A TCG L1 can fail mid-campaign: QEMU's emulation of nested virtualization, not the
# campaign (images/README.md, "Why L1 hung").  Say so from its console, keep what was
# measured, and run the campaign once more on a freshly booted lab.
if [ "$status" -ne 0 ] && l1_failed; then
	echo "demo: L1's kernel failed during the campaign ($con): $bug" >&2
	echo "demo: under TCG a known fault of QEMU's emulation of nested virtualization" \
		"(images/README.md, \"Why L1 hung\"); the partial result stays in $out;" \
		"booting the lab again for one more campaign" >&2
	cp "$con" "${out%.json}.l1-console.log" 2>/dev/null
	campaign
	if [ "$status" -ne 0 ] && l1_failed; then
		echo "demo: L1's kernel failed again ($bug); run make demo again" >&2
	fi
fi
trap - INT TERM
[ -n "$out" ] || { echo "demo: no result file was written" >&2; exit "$status"; }
[ "$status" -eq 0 ] || echo "demo: the campaign ended with status $status; what it measured is in $out" >&2

echo
"$NB" table --counters --format md "$out" || status=$?
echo
charts=$("$NB" plot "$out") || status=$?
echo "result file: $out"
[ -n "$charts" ] && printf 'charts:\n%s\n' "$charts"
echo "demo: $(( $(date +%s) - t0 )) s from lab up to the table"
exit "$status"
