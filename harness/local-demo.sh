#!/bin/sh
# local-demo.sh - until the nested lab lands (issue 5): run configs/local.json with
# nestbench on this machine (tier L0) and print each case's median beside the tier's
# nature.  The overhead tables arrive with the analysis issue.
set -u
BUILD=${BUILD:-build}
out=$("$BUILD/nestbench" run configs/local.json) || exit $?
echo
echo "result file: $out"
jq -r '.tiers[] | "tier \(.name) (level \(.level)): \(.nature); kernel \(.sysinfo.kernel.release); \(.sysinfo.cpu.model), \(.sysinfo.vcpus) vCPUs",
	(.cases[] | [.key, (if .status == "done" then ([.samples[].value] | sort | .[length / 2 | floor] | tostring) else "-" end),
		     .unit, (if .status == "done" then "n=\(.samples | length)" else "\(.status): \(.reason // .error // "")" end)] | @tsv)' "$out" |
	awk -F'\t' 'NF == 1 { print; next } { printf "  %-52s %14s %-12s %s\n", $1, $2, $3, $4 }'
