#!/bin/sh
# noisy-neighbour.sh [BUILD] - the series behind README.md's "Tracking regressions over
# time": examples/history/trend.json run 10 times on this machine; from run 6 on, a busy
# loop shares CPU 1 with the workloads (a deliberate change: a noisy neighbour).  Every
# run goes into a history with labels seq=N and load=none|busy, then history check and
# history plot.  Writes into results/trend/; about a minute.
set -u
B=${1:-build}
N=$B/nestbench
D=results/trend
rm -rf "$D"
mkdir -p "$D"
D=$(cd "$D" && pwd)
for i in 1 2 3 4 5 6 7 8 9 10; do
	load=none
	bp=
	if [ "$i" -ge 6 ]; then
		load=busy
		taskset -c 1 sh -c 'while :; do :; done' &
		bp=$!
	fi
	timeout 300 "$N" run -q --state-dir "$D/state" -o "$D/run$i.json" examples/history/trend.json >/dev/null
	[ -n "$bp" ] && kill "$bp"
	"$N" history add --db "$D/history.sqlite" --label seq="$i" --label load="$load" "$D/run$i.json" >/dev/null
done
"$N" history check --db "$D/history.sqlite" --last 6
status=$?
"$N" history plot --db "$D/history.sqlite" --out "$D/plots" --x label:seq cpu.int ctl.syscall
exit $status
