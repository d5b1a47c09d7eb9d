#!/bin/sh
# local-demo.sh - until the harness and the nested lab land: run every workload on this
# machine (the L0 tier) with short settings and print the median of each.
set -u
BUILD=${BUILD:-build}
W="$BUILD/nestbench-work"
DIR=${DIR:-/var/tmp}
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM

quick() {
	case "$1" in
	mem.lat) echo "--param size=16K,1M,64M,256M" ;;
	io.*|pf.file) echo "--param dir=$DIR" ;;
	*) echo "" ;;
	esac
}

echo "tier L0 (this machine): $("$W" info --json | jq -r '"\(.cpu_model); hypervisor signature: \(if .hypervisor_signature == "" then "none (bare metal)" else .hypervisor_signature end); kernel \(.kernel)"')"
printf '%-14s %-22s %14s %-10s %s\n' WORKLOAD CASE MEDIAN UNIT "REPS (status)"
for w in $("$W" list --json | jq -r .name); do
	[ -t 1 ] && printf '%s ...\r' "$w"
	# shellcheck disable=SC2046
	"$W" run "$w" --reps 5 --warmup 1 --min-time-ms 20 $(quick "$w") >"$out" 2>/dev/null
	jq -rs --arg w "$w" '
		. as $all |
		($all | map(select(.type == "skip")) | .[] | [$w, "-", "-", "-", "skipped: " + .reason]),
		($all | map(select(.type == "meta")) | .[] | . as $m |
		 ([$all[] | select(.type == "rep" and .warmup == false and .case == $m.case) | .value] | sort) as $v |
		 [$w, ($m.params | to_entries | map(select(.value != null) | "\(.key)=\(.value)") | join(",") | if . == "" then "-" else . end),
		  (if ($v | length) == 0 then "-" else ($v[(($v | length) / 2 | floor)] | tostring) end),
		  $m.unit, "\($v | length) ok"]),
		($all | map(select(.type == "error")) | .[] | [$w, "-", "-", "-", "error: " + .message])
		| @tsv' "$out" |
		awk -F'\t' '{ printf "%-14s %-22s %14.6g %-10s %s\n", $1, $2, $3, $4, $5 }'
done
