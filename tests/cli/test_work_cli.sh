# test_work_cli.sh - nestbench-work as a user meets it: static, listing, records, and
# one clear line with exit status 2 for every bad input.
. tests/cli/lib.sh
W="$BUILD/nestbench-work"

if [ "${SAN:-0}" = 1 ]; then
	# Sanitizer runtimes cannot be linked statically: the release build checks this.
	ok "static linking (not checked in a sanitizer build)"
else
	case $(file -b "$W") in
	*"statically linked"*) ok "binary is statically linked" ;;
	*) fail "binary is statically linked" "$(file -b "$W")" ;;
	esac
	if ldd "$W" 2>&1 | grep -Eq 'not a dynamic|statically'; then ok "no shared libraries"; else
		fail "no shared libraries" "$(ldd "$W" 2>&1)"
	fi
fi

expect_status "list" 0 "$W" list
n=$("$W" list --json | jq -s 'length')
[ "$n" -ge 21 ] && ok "list shows 21+ workloads ($n)" || fail "list shows 21+ workloads" "only $n"
for fam in cpu mem pf io exit ctl; do
	"$W" list --json | jq -se --arg f "$fam" 'any(.family == $f)' >/dev/null &&
		ok "family $fam listed" || fail "family $fam listed"
done
"$W" list --json | jq -se 'all((.better == "lower" or .better == "higher") and .stresses != "")' >/dev/null &&
	ok "every workload declares better and what it stresses" || fail "every workload declares better and what it stresses"

expect_status "info --json" 0 "$W" info --json
jq -e '(.hypervisor.bit | type) == "boolean" and (.hypervisor.signature | type) == "string"
       and (.hypervisor.kernel_log | type) == "string" and (.cpu.tsc_invariant | type) == "boolean"
       and .memory.page_bytes > 0 and .tsc_hz > 0 and (.dmi | type) == "object"' "$TMP/out" >/dev/null &&
	ok "info reports hypervisor evidence, TSC, page size" ||
	fail "info reports hypervisor evidence, TSC, page size" "$(cat "$TMP/out")"
# The hypervisor bit info reports is the one the kernel sees (flag "hypervisor").
bit=$(jq -r '.hypervisor.bit' "$TMP/out")
if grep -qw hypervisor /proc/cpuinfo; then kernel_bit=true; else kernel_bit=false; fi
[ "$bit" = "$kernel_bit" ] && ok "info: hypervisor bit $bit, as /proc/cpuinfo says" ||
	fail "info: hypervisor bit" "info says $bit, /proc/cpuinfo says $kernel_bit"
expect_status "info (for people)" 0 "$W" info
expect_grep "info for people: nested keys, indented" '^  signature: ' "$TMP/out"

# Record format: meta, warm-up and measured reps, end; every line valid JSON.
expect_status "run cpu.int" 0 "$W" run cpu.int --reps 3 --warmup 1 --min-time-ms 5
jq -e . "$TMP/out" >/dev/null && ok "every record is JSON" || fail "every record is JSON"
[ "$(jq -r .type "$TMP/out" | tr '\n' ' ')" = "meta rep rep rep rep end " ] &&
	ok "record sequence meta, 4 rep, end" || fail "record sequence" "$(jq -r .type "$TMP/out" | tr '\n' ' ')"
[ "$(jq -s '[.[] | select(.type=="rep" and .warmup==false)] | length' "$TMP/out")" = 3 ] &&
	ok "3 measured reps" || fail "3 measured reps"
# The calibration's last run (warm-up 1) lasted the minimum time by construction; the
# later ones, at its count, can be shorter only if the machine sped up meanwhile (a
# busy CI host changes speed up to 3x within seconds).
jq -se 'map(select(.type=="rep")) | length == 4 and .[0].calibration and .[0].ns >= 5000000 and
	all(.ns >= 5000000 / 3 and .value > 0 and .ops > 0 and ((.ns_per_op - .ns/.ops) | fabs) < 1e-6)' "$TMP/out" >/dev/null &&
	ok "reps last >= min time (the calibration's) and value = ns/ops" ||
	fail "reps last >= min time and value = ns/ops" "$(jq -c 'select(.type == "rep") | [.warmup, .calibration, .ops, .ns]' "$TMP/out")"

expect_status "sweep prints one meta per case" 0 "$W" run cpu.fp --param elems=16,64 --reps 1 --warmup 0 --min-time-ms 2
[ "$(jq -s '[.[] | select(.type=="meta") | .params.elems] | join(",")' "$TMP/out")" = '"16,64"' ] &&
	ok "sweep cases 16,64" || fail "sweep cases" "$(cat "$TMP/out")"
# Where a run's time went: the end record sums setup and calibration over the cases.
jq -se '(map(select(.type == "meta") | .calibration_ms) | add) as $cal | map(select(.type == "end"))[0] |
	.calibration_ms > 0 and ((.calibration_ms - $cal) | fabs) < 0.01 and .setup_ms > 0 and
	.tsc_ms >= 0 and .tsc_ms < 1000' \
	"$TMP/out" >/dev/null && ok "end record: setup_ms, calibration_ms (sum of the cases'), tsc_ms" ||
	fail "end record: setup_ms, calibration_ms, tsc_ms" "$(grep -e meta -e end "$TMP/out")"

expect_status "--ops skips calibration" 0 "$W" run cpu.int --ops 1234 --reps 2 --warmup 0
jq -se 'map(select(.type == "meta"))[0] | .calibrated == false and .ops_per_rep == 1234' "$TMP/out" >/dev/null &&
	jq -se 'map(select(.type == "rep")) | length == 2 and all(.ops == 1234)' "$TMP/out" >/dev/null &&
	ok "--ops: every rep does exactly N ops" || fail "--ops: every rep does exactly N ops" "$(cat "$TMP/out")"
expect_status "--ops 0 rejected" 2 "$W" run cpu.int --ops 0

expect_status "cases expands a sweep without running" 0 "$W" cases mem.lat --param size=16K..64K --param thp=1
[ "$(jq -sc '[.[] | .params.size]' "$TMP/out")" = '["16K","32K","64K"]' ] &&
	jq -se 'all(.type == "case" and .params.thp == "1")' "$TMP/out" >/dev/null &&
	ok "cases: 16K 32K 64K, thp kept" || fail "cases: 16K 32K 64K, thp kept" "$(cat "$TMP/out")"
expect_status "cases rejects bad parameters" 2 "$W" cases mem.lat --param size=1K
expect_status "cases rejects a value not among the choices" 2 "$W" cases pf.anon --param regime=tepid
expect_grep "choices named" "not one of warm|cold" "$TMP/err"

# Bad input: exit 2, one line naming the problem.
expect_status "no command" 2 "$W"
expect_status "unknown command" 2 "$W" frobnicate
expect_status "unknown workload" 2 "$W" run cpu.nope
expect_grep "unknown workload named" "unknown workload 'cpu.nope'" "$TMP/err"
expect_status "run without name" 2 "$W" run
expect_status "unknown parameter" 2 "$W" run cpu.fp --param bogus=1
expect_grep "unknown parameter named" "unknown parameter 'bogus'" "$TMP/err"
expect_status "malformed parameter" 2 "$W" run cpu.fp --param elems
expect_status "out-of-range parameter" 2 "$W" run cpu.fp --param elems=1
expect_grep "out-of-range names bounds" "between 16 and" "$TMP/err"
expect_status "non-numeric parameter" 2 "$W" run cpu.fp --param elems=lots
expect_status "CPU that does not exist" 2 "$W" run cpu.int --cpu 4095
expect_grep "bad CPU named" "CPU 4095 does not exist" "$TMP/err"
expect_status "zero reps" 2 "$W" run cpu.int --reps 0
expect_status "missing option value" 2 "$W" run cpu.int --reps
expect_status "unknown option" 2 "$W" run cpu.int --fast
expect_status "malformed events" 2 "$W" run cpu.int --events cycles
expect_grep "malformed events explained" "TYPE:CONFIG:CONFIG1:CONFIG2:NAME" "$TMP/err"
[ "$(wc -l < "$TMP/err")" -eq 1 ] && ok "one error line" || fail "one error line" "$(cat "$TMP/err")"

# An unsupported counter is reported as such, never as a zero count.
expect_status "unsupported event still runs" 0 "$W" run cpu.int --reps 1 --warmup 0 --min-time-ms 2 --events 2147483647:0:0:0:bogus
jq -se 'map(select(.type=="rep") | .counters[0]) | length == 1 and all(has("unsupported") and (has("value") | not))' "$TMP/out" >/dev/null &&
	ok "unsupported counter has a reason and no value" || fail "unsupported counter reported" "$(cat "$TMP/out")"

# Every workload runs here, or says why it is skipped.  Small sizes keep this quick.
quick_params() {
	case "$1" in
	mem.lat) echo "--param size=64K" ;;
	mem.bw.*) echo "" ;;
	io.*|pf.file) echo "--param dir=$TMP --param size=8M" ;;
	exit.timer) echo "--param ns=20000" ;;
	*) echo "" ;;
	esac
}
# Whether this host must run a workload ("run"), must skip it ("skip:PATTERN", the
# reason that must be given), or may do either ("any:PATTERN", when only running it can
# tell), judged here from the host's own evidence, independently of the workload's probe.
thp_mode=$(sed -n 's/.*\[\([a-z]*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
expected_outcome() {
	case "$1" in
	ctl.rdtscp)
		if grep -qw rdtscp /proc/cpuinfo; then echo run; else echo "skip:RDTSCP not available"; fi ;;
	exit.ipi)
		if [ "$(nproc)" -ge 2 ]; then echo run; else echo "skip:needs two CPUs"; fi ;;
	pf.thp)
		case "$thp_mode" in
		always|madvise) echo run ;;
		never) echo "skip:transparent huge pages are disabled" ;;
		*) echo "skip:transparent huge pages are not available" ;;
		esac ;;
	exit.pio) echo "any:ioperm\|inb" ;;   # CONFIG_X86_IOPL_IOPERM, root, and the platform
	exit.mmio.*)   # QEMU's pci-testdev (1b36:0005): the lab's guests have one
		if grep -qs 0x1b36 /sys/bus/pci/devices/*/vendor &&
			grep -qs 0x0005 /sys/bus/pci/devices/*/device; then echo "any:."; else
			echo "skip:no MMIO target: no QEMU pci-testdev"; fi ;;
	exit.k.*)   # the kmod/ module; with it, what the hypervisor handles decides
		if [ -e /dev/nestbench-exits ]; then echo "any:."; else
			echo "skip:module not loaded: /dev/nestbench-exits missing"; fi ;;
	*) echo run ;;
	esac
}
for w in $("$W" list --json | jq -r .name); do
	# shellcheck disable=SC2046
	"$W" run "$w" --reps 1 --warmup 0 --min-time-ms 5 $(quick_params "$w") >"$TMP/out" 2>"$TMP/err"
	st=$?
	want=$(expected_outcome "$w")
	reason=$(jq -r 'select(.type=="skip") | .reason' "$TMP/out" 2>/dev/null | head -1)
	if [ $st -eq 0 ] && [ "${want%%:*}" != skip ] &&
	   jq -se 'map(select(.type=="rep")) | length > 0 and all(.value > 0)' "$TMP/out" >/dev/null; then
		ok "run $w"
	elif [ $st -eq 77 ] && [ "${want%%:*}" != run ] && printf '%s' "$reason" | grep -q "${want#*:}"; then
		ok "run $w (skipped as this host requires: $reason)"
	else
		fail "run $w (this host: $want)" "status $st, skip reason '$reason': $(head -c 300 "$TMP/err")"
	fi
done
[ -z "$(ls "$TMP" | grep -v -e '^out$' -e '^err$')" ] && ok "no files left behind" || fail "no files left behind" "$(ls "$TMP")"

finish work-cli
