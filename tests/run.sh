#!/bin/sh
# run.sh - the whole test suite: every test program in $TEST_BINS, then every
# tests/cli/test_*.sh.
# Each suite ends with "<suite>: N passed, N failed"; the last line is the total.
BUILD=${BUILD:-build}
export BUILD
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
sh tests/host.sh

TEST_BINS=${TEST_BINS:-$BUILD/tests/unit}
for b in $TEST_BINS; do
	echo "== $b"
	"$b" | tee -a "$log" || status=1
done
for t in tests/cli/test_*.sh; do
	[ -f "$t" ] || continue
	echo "== $t"
	sh "$t" | tee -a "$log" || status=1
done

passed=0
failed=0
summaries=$(grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed$' "$log")
suites=$(printf '%s\n' "$summaries" | grep -c .)
for n in $(printf '%s\n' "$summaries" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1:\2/'); do
	passed=$((passed + ${n%%:*}))
	failed=$((failed + ${n##*:}))
done
expected=$(($(echo $TEST_BINS | wc -w) + $(ls tests/cli/test_*.sh 2>/dev/null | wc -l)))
if [ "$suites" -ne "$expected" ]; then
	echo "run.sh: only $suites of $expected suites reported a summary (one crashed?)"
	failed=$((failed + expected - suites))
	status=1
fi
[ "$failed" -ne 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
