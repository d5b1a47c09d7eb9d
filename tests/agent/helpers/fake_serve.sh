#!/bin/sh
# fake_serve.sh - a stand-in for nestbench-work in the kept-worker tests
# (test_workers.c): `run` prints one case's records and exits; `serve` speaks the
# serve contract (a ready line, then one batch per {"op":"run"} line on stdin, until
# {"op":"quit"} or end of stream).  --param skip=1: skip + end, exit 77 (no ready);
# --param fail=1: error + end, exit 1; --param hang=1: each batch hangs (a timeout).
# Batches print `reps` rep records (default 3).
mode=$1 wl=$2
shift 2
case " $* " in
*" skip=1 "*)
	printf '{"type":"skip","workload":"%s","reason":"fake skip"}\n' "$wl"
	printf '{"type":"end","workload":"%s","status":77}\n' "$wl"
	exit 77 ;;
*" fail=1 "*)
	printf '{"type":"error","workload":"%s","message":"fake setup failure"}\n' "$wl"
	printf '{"type":"end","workload":"%s","status":1}\n' "$wl"
	echo "fake setup failure" >&2
	exit 1 ;;
esac

# One case's records: reps, batch number ("" for run).
records() {
	printf '{"type":"meta","workload":"%s","pid":%d,"ops_per_rep":1000}\n' "$wl" $$
	i=0
	while [ "$i" -lt "$1" ]; do
		printf '{"type":"rep","workload":"%s","i":%d,"ns":%d}\n' "$wl" "$i" $((1000 + i))
		i=$((i + 1))
	done
	if [ -n "$2" ]; then
		reused=false
		[ "$2" -gt 1 ] && reused=true
		printf '{"type":"end","workload":"%s","status":0,"batch":%d,"reused":%s,"setup_ms":12.5,"calibration_ms":0}\n' \
			"$wl" "$2" "$reused"
	else
		printf '{"type":"end","workload":"%s","status":0}\n' "$wl"
	fi
}

if [ "$mode" = run ]; then
	records 3 ""
	exit 0
fi
[ "$mode" = serve ] || exit 2
printf '{"type":"ready","workload":"%s","pid":%d,"setup_ms":12.5,"tsc_ms":0}\n' "$wl" $$
batch=0
while IFS= read -r line; do
	case $line in
	*'"op":"quit"'*) exit 0 ;;
	*'"op":"run"'*)
		batch=$((batch + 1))
		reps=${line#*\"reps\":}
		reps=${reps%%[!0-9]*}
		[ "$line" = "${line#*\"reps\":}" ] && reps=3
		echo "batch $batch" >&2
		case " $* " in *" hang=1 "*) sleep 60 ;; esac
		records "${reps:-3}" "$batch" ;;
	*)
		printf '{"type":"error","workload":"%s","message":"bad command"}\n' "$wl"
		printf '{"type":"end","workload":"%s","status":2}\n' "$wl" ;;
	esac
done
exit 0
