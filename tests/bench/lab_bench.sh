#!/bin/sh
# lab_bench.sh NESTBENCH IMAGES DIR - a benchmark, not a test: bring the local nested lab
# up and down LAB_RUNS times in the scratch lab directory DIR/lab, then print the success
# rate and the distribution of the boot times (L1's agent answering, L2's agent answering,
# the whole `lab up`).  A failed `lab up` is listed with the guest it names and the first
# lines of its message; its console logs are kept in DIR/fail-N/.  Target: 20 of 20.
#
#   LAB_RUNS=20           how many up/down cycles
#   LAB_CONFIG=FILE       the campaign whose "lab" object is booted (configs/lab.json)
#   LAB_ACCEL=auto|tcg|kvm  override lab.l1.accelerator (tcg: what a host without a usable
#                         /dev/kvm gets)
#   LAB_LOAD=none|l0|demo what runs between cycles: nothing; a campaign on L0 alone after
#                         each `lab down` (LAB_L0_CONFIG, default configs/local.json); or
#                         the whole campaign on L0, L1 and L2 while the lab is up, as
#                         `make demo` does (demo after demo, where issue 11 saw failures)
set -u
N=$1 IMAGES=$2 DIR=$3
RUNS=${LAB_RUNS:-20}
CONFIG=${LAB_CONFIG:-configs/lab.json}
ACCEL=${LAB_ACCEL:-auto}
LOAD=${LAB_LOAD:-none}
L0_CONFIG=${LAB_L0_CONFIG:-configs/local.json}

case $LOAD in none|l0|demo) ;; *) echo "lab_bench: LAB_LOAD=$LOAD: none, l0 or demo" >&2; exit 2 ;; esac
case $ACCEL in auto|tcg|kvm) ;; *) echo "lab_bench: LAB_ACCEL=$ACCEL: auto, tcg or kvm" >&2; exit 2 ;; esac
rm -rf "$DIR"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)     # the agent takes only an absolute --state-dir
LAB=$DIR/lab
mkdir -p "$LAB"
jq --arg a "$ACCEL" '.lab.l1.accelerator = $a' "$CONFIG" >"$DIR/config.json" || exit 2
# Long enough for every retry of the lab itself; only a wedged `lab up` meets it.
limit=$(jq '(.lab.boot_timeout_s // 180) * 2 + 120' "$DIR/config.json")

lab() { "$N" lab "$@" --lab-dir "$LAB"; }
trap 'lab down >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM
now() { date +%s.%N; }

: >"$DIR/times"
: >"$DIR/failures"
: >"$DIR/campaigns"
: >"$DIR/retries"
echo "lab_bench: $RUNS cycles of lab up/down, config $CONFIG, L1 accelerator $ACCEL, load between cycles: $LOAD"
i=1
while [ "$i" -le "$RUNS" ]; do
	t0=$(now)
	timeout "$limit" "$N" lab up "$DIR/config.json" --lab-dir "$LAB" --images "$IMAGES" \
		>"$DIR/up.out" 2>"$DIR/up.err" </dev/null
	rc=$?
	total=$(echo "$t0 $(now)" | awk '{ printf "%.1f", $2 - $1 }')
	accel=$(sed -n 's/^lab: L1 accelerator \([A-Z]*\).*/\1/p' "$DIR/up.out")
	if [ "$rc" -eq 0 ]; then
		# "... answered after 6.3 s, L2 (...) after 12.0 s; ..."
		# shellcheck disable=SC2046 # two numbers
		set -- $(sed -n 's/.*answered after \([0-9.]*\) s, L2 .* after \([0-9.]*\) s;.*/\1 \2/p' "$DIR/up.out")
		echo "$i ${1:-0} ${2:-0} $total" >>"$DIR/times"
		# Retries that made it work: L2 attempts in L1, boots of the whole lab.
		att=$(sed -n 's/.*nestbench-init: L2: attempt \([0-9]*\) of .*/\1/p' "$LAB/l1-console.log" | tail -1)
		boots=$(($(grep -c "booting the lab again" "$DIR/up.out") + 1))
		[ "${att:-1}" -gt 1 ] || [ "$boots" -gt 1 ] && echo "$i ${att:-1} $boots" >>"$DIR/retries"
		printf 'run %2d: up (L1 %s) L1 %5s s  L2 %5s s  lab up %5s s  (L2 attempt %s, boot %d)\n' \
			"$i" "$accel" "${1:-?}" "${2:-?}" "$total" "${att:-?}" "$boots"
	else
		mkdir -p "$DIR/fail-$i"
		cp "$DIR/up.out" "$DIR/up.err" "$LAB"/*console.log "$DIR/fail-$i/" 2>/dev/null
		guest=$(sed -n 's/^nestbench lab: \(L[12]\)[: ].*/\1/p' "$DIR/up.err" | head -1)
		[ "$rc" -eq 124 ] && guest="lab up itself (killed after $limit s)"
		echo "$i ${guest:-?} $total" >>"$DIR/failures"
		printf 'run %2d: FAILED after %s s (status %d), guest %s:\n' "$i" "$total" "$rc" "${guest:-?}"
		head -40 "$DIR/up.err" | sed 's/^/    /'
	fi
	case $LOAD in
	demo)
		if [ "$rc" -eq 0 ]; then
			t0=$(now)
			"$N" run -q --lab-dir "$LAB" --state-dir "$DIR/state" -o "$DIR/run-$i.json" \
				"$DIR/config.json" >/dev/null 2>"$DIR/run-$i.err"
			echo "$i $? $(echo "$t0 $(now)" | awk '{ printf "%.0f", $2 - $1 }')" >>"$DIR/campaigns"
		fi
		lab down >/dev/null 2>&1 ;;
	l0)
		lab down >/dev/null 2>&1
		"$N" run -q --state-dir "$DIR/state" -o "$DIR/run.json" "$L0_CONFIG" >/dev/null 2>"$DIR/run.err" ;;
	none)
		lab down >/dev/null 2>&1 ;;
	esac
	i=$((i + 1))
done

# stats LABEL COLUMN: median, p90 (nearest rank), min, max of a column of $DIR/times.
stats() {
	cut -d' ' -f"$2" "$DIR/times" | sort -n | awk -v label="$1" '
		{ v[NR] = $1 }
		END {
			if (NR == 0) exit
			p90 = v[int(0.9 * NR + 0.999999)]
			med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "  %-28s median %5.1f s  p90 %5.1f s  min %5.1f s  max %5.1f s\n", label, med, p90, v[1], v[NR]
		}'
}
ok=$(grep -c . "$DIR/times")
echo
echo "lab_bench: $ok of $RUNS lab up succeeded (target $RUNS of $RUNS); L1 accelerator ${accel:-?}, load $LOAD"
stats "L1 agent answering" 2
stats "L2 agent answering" 3
stats "lab up, wall time" 4
echo "runs that needed a retry: $(grep -c . "$DIR/retries") (run, L2 attempt, lab boot: $(tr '\n' ';' <"$DIR/retries"))"
if [ -s "$DIR/campaigns" ]; then
	awk '{ n++; ok += $2 == 0; s += $3 } END { printf "campaigns between cycles: %d of %d ended with status 0, %.0f s each on average (DIR/run-N.err)\n", ok, n, s / n }' "$DIR/campaigns" | sed "s|DIR|$DIR|"
fi
if [ -s "$DIR/failures" ]; then
	echo "failures (run, guest named, seconds; logs in $DIR/fail-N/):"
	sed 's/^/  /' "$DIR/failures"
fi
[ "$ok" -eq "$RUNS" ]
