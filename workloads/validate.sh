#!/bin/sh
# validate.sh - a benchmark, not a test: nestbench-work beside established tools that
# measure the same quantity, on this machine, in one run.  Each comparison alternates
# ours and the peer ROUNDS times (drift hits both alike) and compares medians.
# Usage: BUILD=build [DIR=/var/tmp] [ROUNDS=3] sh workloads/validate.sh
set -u
BUILD=${BUILD:-build}
W="$BUILD/nestbench-work"
DIR=${DIR:-/var/tmp}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-1}
TMPF="$DIR/nestbench-validate.$$"
trap 'rm -f "$TMPF" "$TMPF".*' EXIT INT TERM

progress() { [ -t 2 ] && printf '\r\033[K%s' "$*" >&2; return 0; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ours [-x EXTRA-KEY] WORKLOAD [ARGS...]: median of the measured repetitions' value,
# or of one of their extras.
ours() {
	key=""
	if [ "$1" = "-x" ]; then key=$2; shift 2; fi
	"$W" run "$@" --reps 5 --warmup 1 --cpu "$CPU" 2>/dev/null |
		jq -r --arg x "$key" 'select(.type == "rep" and .warmup == false) |
			if $x == "" then .value else .extra[$x] end' | median
}

peer_syscall() { taskset -c "$CPU" perf bench syscall basic -l 5000000 2>/dev/null | awk '/usecs\/op/ { print $1 * 1000 }'; }
# likwid-bench's working set is all arrays together; its MByte/s is 10^6 bytes/s.
peer_likwid() { likwid-bench -t "$1" -w "S0:$2:1" 2>/dev/null | awk '/^MByte\/s/ { print $2 }'; }
peer_fio() { # DIRECT RW BS SIZE JQ-EXPR [extra fio args]
	direct=$1 rw=$2 bs=$3 size=$4 expr=$5
	shift 5
	fio --name=v --filename="$TMPF" --size="$size" --rw="$rw" --bs="$bs" --ioengine=psync \
		--iodepth=1 --direct="$direct" --runtime=4 --time_based --cpus_allowed="$CPU" \
		--output-format=json "$@" 2>/dev/null | jq -r "$expr"
}
peer_cyclictest() { cyclictest -t1 -p 1 -N --laptop -i "$1" -l 20000 -q -a "$CPU" 2>/dev/null | sed -n 's/.*Avg: *\([0-9]*\).*/\1/p'; }
peer_pipe() { taskset -c 0,1 perf bench sched pipe -T -l 200000 2>/dev/null | awk '/usecs\/op/ { print $1 * 1000 }'; }

rows=""
compare() { # LABEL UNIT "OURS-CMD" "PEER-CMD" SAME(yes/no) PEERNAME
	label=$1 unit=$2 ocmd=$3 pcmd=$4 same=$5 pname=$6
	o_all="" p_all=""
	i=1
	while [ "$i" -le "$ROUNDS" ]; do
		progress "$label: round $i/$ROUNDS"
		o_all="$o_all $(eval "$ocmd")"
		p_all="$p_all $(eval "$pcmd")"
		i=$((i + 1))
	done
	o=$(echo "$o_all" | tr ' ' '\n' | grep . | median)
	p=$(echo "$p_all" | tr ' ' '\n' | grep . | median)
	verdict=$(awk -v o="$o" -v p="$p" -v same="$same" 'BEGIN {
		if (o == "nan" || p == "nan" || p == 0 || o == "") { print "n/a | not measured"; exit }
		r = o / p; d = (r - 1) * 100
		v = (same == "yes") ? ((d <= 5 && d >= -5) ? "agree (within 5 %)" : "DIFFERS: see VALIDATION.md") : "related, not the same quantity"
		printf "%.3f | %s", r, v }')
	rows="$rows| $label | $unit | $o | $p ($pname) | $verdict |
"
	progress ""
}

[ -x "$W" ] || { echo "validate.sh: $W missing: run make first" >&2; exit 2; }
echo "nestbench validation on $(hostname), $(date -u +%Y-%m-%dT%H:%M:%SZ), CPU $CPU, $ROUNDS interleaved rounds"
echo "machine: $("$W" info --json | jq -r '"\(.cpu.model), hypervisor signature \(if .hypervisor.bit then .hypervisor.signature else "none" end) (kernel: \(.hypervisor.kernel_detected // "-")), kernel \(.kernel.release)"')"
echo "I/O directory: $DIR ($(stat -f -c %T "$DIR"))"
echo

compare "syscall (getppid)" "ns/op" "ours ctl.syscall" "peer_syscall" yes "perf bench syscall basic"
# STREAM's rule: each array at least 4x the last-level cache (and 64 MiB); likwid-bench
# gets the same bytes per array (its working set is all arrays together, in MB = 10^6).
llc=$("$W" info --json | jq '[.caches.l3_bytes // 0, .caches.l2_bytes // 0] | max')
arr=$(( (llc * 4 > 67108864 ? llc * 4 : 67108864) ))
arr_mb=$(( arr / 1048576 ))
compare "memory copy" "MB/s" "ours mem.bw.copy --param size=${arr_mb}M" "peer_likwid copy_sse $(( arr * 2 / 1000000 ))MB" yes "likwid-bench copy_sse"
compare "memory triad" "MB/s" "ours mem.bw.triad --param size=${arr_mb}M" "peer_likwid stream_sse $(( arr * 3 / 1000000 ))MB" yes "likwid-bench stream_sse"
compare "random 4 KiB read, QD1" "IOPS" "ours io.rand.read --param dir=$DIR --param size=64M" \
	"peer_fio 1 randread 4k 64M '.jobs[0].read.iops'" yes "fio psync direct"
compare "random 4 KiB write, QD1" "IOPS" "ours io.rand.write --param dir=$DIR --param size=64M" \
	"peer_fio 1 randwrite 4k 64M '.jobs[0].write.iops'" yes "fio psync direct"
compare "sequential 1 MiB read" "MB/s" "ours io.seq.read --param dir=$DIR --param size=256M" \
	"peer_fio 1 read 1M 256M '.jobs[0].read.bw_bytes / 1e6'" yes "fio psync direct"
compare "sequential 1 MiB write" "MB/s" "ours io.seq.write --param dir=$DIR --param size=256M" \
	"peer_fio 1 write 1M 256M '.jobs[0].write.bw_bytes / 1e6'" yes "fio psync direct"
compare "4 KiB write + fdatasync" "ns/op" "ours io.fsync --param dir=$DIR --param size=64M" \
	"peer_fio 0 write 4k 64M '1e9 / .jobs[0].write.iops' --fdatasync=1" yes "fio fdatasync=1"
compare "1 ms sleep: wake-up overshoot" "ns" "ours -x overshoot_ns exit.timer --param ns=1000000" \
	"peer_cyclictest 1000" yes "cyclictest -p 1 -i 1000"
compare "cross-CPU wake-up round trip" "ns" "ours exit.ipi" "peer_pipe" no "perf bench sched pipe -T"

echo "| quantity | unit | nestbench-work | peer | ratio | verdict |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '%s' "$rows"
