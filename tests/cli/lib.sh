# lib.sh - helpers for command-line tests: each check prints "ok  NAME" or "FAIL NAME",
# and `finish` prints "<suite>: N passed, N failed".
PASSED=0
FAILED=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok()   { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "  $2"; return 0; }

# expect_status NAME STATUS CMD...: run CMD (stdout/stderr kept in $TMP/out, $TMP/err).
expect_status() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		fail "$name" "exit status $got, wanted $want; stderr: $(head -c 300 "$TMP/err")"
	fi
}

# expect_grep NAME PATTERN FILE
expect_grep() {
	if grep -q -- "$2" "$3"; then ok "$1"; else fail "$1" "no '$2' in $(head -c 300 "$3")"; fi
}

finish() {
	echo "$1: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
