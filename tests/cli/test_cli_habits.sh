# test_cli_habits.sh - the command-line habits of issue 17: run --reps/--min-time-ms/--tier
# (obeyed, recorded, kept by --resume), check CONFIG, "did you mean" in campaign files,
# doctor --json, the summary at the end of run, --resume on a complete file, a progress
# line as wide as the terminal, and no internal function name in a user message.  Two
# local tiers with tiny repetition counts: a few seconds.
. tests/cli/lib.sh
N="$BUILD/nestbench"
ST="$TMP/state"
export XDG_CACHE_HOME="$TMP/cache"   # doctor's local agent state
# grep_out NAME PATTERN CMD...: CMD's stdout has a line matching PATTERN.
grep_out() {
	name=$1 pat=$2
	shift 2
	"$@" >"$TMP/cmd.out" 2>&1
	expect_grep "$name" "$pat" "$TMP/cmd.out"
}

# Two local tiers; defaults say 5 reps, mem.lat its own 4.
cat >"$TMP/two.json" <<'EOF'
{"name": "two",
 "tiers": [{"name": "L0", "level": 0, "address": "local"},
           {"name": "L0b", "level": 0, "address": "local"}],
 "defaults": {"reps": 5, "min_time_ms": 5},
 "workloads": ["cpu.int", {"name": "mem.lat", "params": {"size": "16K"}, "reps": 4},
               "ctl.syscall"]}
EOF
# samples FILE: "TIER KEY N" per case.
samples() {
	jq -r '.tiers[] | .name as $t | .cases[] | "\($t) \(.key) \(.samples | length)"' "$1"
}

# ---- --reps / --min-time-ms / --tier -------------------------------------------------
expect_status "run --reps 3 --min-time-ms 2" 0 "$N" run --state-dir "$ST" --reps 3 --min-time-ms 2 \
	-o "$TMP/ov.json" "$TMP/two.json"
if [ "$(samples "$TMP/ov.json" | awk '$NF != 3' | wc -l)" -eq 0 ] &&
	[ "$(samples "$TMP/ov.json" | wc -l)" -eq 6 ]; then
	ok "--reps 3 over the defaults (5) and mem.lat's own reps (4): 3 samples in each of 6 cases"
else
	fail "--reps 3: 3 samples per case" "$(samples "$TMP/ov.json")"
fi
grep_out "overrides recorded in campaign.overrides" '^{"reps":3,"min_time_ms":2}$' \
	jq -c .campaign.overrides "$TMP/ov.json"
expect_status "run without overrides" 0 "$N" run -q --state-dir "$ST" -o "$TMP/plain.json" "$TMP/two.json"
grep_out "without overrides: the file's own reps (mem.lat 4, the rest 5)" '^L0b mem.lat size=16K stride=64 thp=0 4$' \
	samples "$TMP/plain.json"
grep_out "without overrides: no campaign.overrides" '^null$' jq -c .campaign.overrides "$TMP/plain.json"

expect_status "run --tier L0b" 0 "$N" run -q --state-dir "$ST" --reps 2 --tier L0b -o "$TMP/t1.json" "$TMP/two.json"
grep_out "--tier L0b measures only L0b" '^\["L0b"\]$' jq -c '[.tiers[].name]' "$TMP/t1.json"
expect_status "run --tier L0 --tier L0b and --tier L0,L0b" 0 "$N" run -q --state-dir "$ST" --reps 2 \
	--tier L0 --tier L0b -o "$TMP/t2.json" "$TMP/two.json"
grep_out "repeated --tier: both tiers" '^\["L0","L0b"\]$' jq -c '[.tiers[].name] | sort' "$TMP/t2.json"
expect_status "an unknown --tier is refused" 2 "$N" run -q --state-dir "$ST" --tier L0,l0b -o "$TMP/t3.json" \
	"$TMP/two.json"
expect_grep "unknown --tier: did you mean, and the campaign's tiers" \
	'--tier l0b: campaign two has no such tier, did you mean "L0b"? (its tiers: L0, L0b)' "$TMP/err"
expect_status "--reps 0 is refused" 2 "$N" run --reps 0 "$TMP/two.json"
expect_grep "--reps 0: what it takes" "--reps takes an integer from 1 to 100000" "$TMP/err"
grep_out "help run: the overrides beat per-workload values" "and every workload's own \"reps\"" \
	"$N" help run

# --resume keeps the overrides: a partial file (--tier L0 --reps 3), resumed for L0b.
expect_status "partial run --tier L0 --reps 3" 0 "$N" run -q --state-dir "$ST" --tier L0 --reps 3 \
	-o "$TMP/part.json" "$TMP/two.json"
expect_status "--resume refuses a new --reps" 2 "$N" run -q --state-dir "$ST" --resume "$TMP/part.json" --reps 4
expect_grep "--resume --reps: why" "a resumed campaign keeps the settings its file started with" "$TMP/err"
expect_status "--resume --tier L0b" 0 "$N" run -q --state-dir "$ST" --resume "$TMP/part.json" --tier L0b
if [ "$(samples "$TMP/part.json" | awk '$1 == "L0b" && $NF == 3' | wc -l)" -eq 3 ]; then
	ok "--resume obeys the recorded --reps 3 on the tier it adds"
else
	fail "--resume obeys the recorded --reps" "$(samples "$TMP/part.json")"
fi

# ---- --resume on a complete file ------------------------------------------------------
before=$(sha256sum <"$TMP/part.json")
expect_status "--resume on a complete file: exit 0" 0 "$N" run --state-dir "$ST" --resume "$TMP/part.json"
expect_grep "--resume on a complete file says so" "is complete: every case of every tier was measured, nothing to resume" "$TMP/err"
expect_grep "--resume on a complete file prints its path" "^$TMP/part.json\$" "$TMP/out"
if [ "$(sha256sum <"$TMP/part.json")" = "$before" ] && ! grep -q "^campaign " "$TMP/err"; then
	ok "--resume on a complete file runs nothing and leaves it as it was"
else
	fail "--resume on a complete file runs nothing" "$(head -c 300 "$TMP/err")"
fi

# ---- the summary at the end of run ------------------------------------------------------
"$N" run --state-dir "$ST" --reps 6 -o "$TMP/sum.json" "$TMP/two.json" >/dev/null 2>"$TMP/sum.err"
sed -n '/^summary: /,$p' "$TMP/sum.err" >"$TMP/sum.txt"
if grep -q '^summary: median \[95 % CI\]' "$TMP/sum.txt" &&
	grep -qE '^  cpu\.int ns/op +[0-9.e+-]+ \[[0-9.e+-]+, [0-9.e+-]+\] +[0-9.e+-]+ \[' "$TMP/sum.txt" &&
	grep -q '^  cases: L0 3 done; L0b 3 done$' "$TMP/sum.txt" && [ "$(wc -l <"$TMP/sum.txt")" -le 15 ]; then
	ok "run ends with a summary: median [CI] per tier of each family's first case, at most 15 lines"
else
	fail "run ends with a summary" "$(cat "$TMP/sum.err")"
fi
"$N" run -q --state-dir "$ST" --reps 2 -o "$TMP/sumq.json" "$TMP/two.json" >/dev/null 2>"$TMP/sumq.err"
if [ -s "$TMP/sumq.json" ] && ! grep -q "summary" "$TMP/sumq.err"; then
	ok "no summary with -q"
else
	fail "no summary with -q" "$(cat "$TMP/sumq.err")"
fi

# ---- check ------------------------------------------------------------------------------
# Tiers that cannot be reached: check must not try.
sed 's|"address": "local"}|"address": "tcp:127.0.0.1:1"}|' "$TMP/two.json" >"$TMP/far.json"
expect_status "check a valid campaign: exit 0 without connecting" 0 "$N" check "$TMP/far.json"
expect_grep "check: the tiers" "^  L0b  *level 0  tcp:127.0.0.1:1" "$TMP/out"
expect_grep "check: the expanded cases with their plan" "^  mem.lat size=16K stride=64 thp=0 *4 reps  warm-up 1 *5 ms *4 visits" "$TMP/out"
expect_grep "check: the number of visits" "^visits: 14 per tier, 28 in all (2 tiers)" "$TMP/out"
expect_status "check --reps 2 --tier L0" 0 "$N" check --reps 2 --tier L0 "$TMP/far.json"
expect_grep "check with overrides: 3 cases x 2 visits on one tier" "^visits: 6 per tier, 6 in all (1 tier)" "$TMP/out"
expect_status "check --json" 0 "$N" check --json "$TMP/far.json"
grep_out "check --json: tiers, cases with params, visits" '^2 3 16K 28$' \
	jq -r '"\(.tiers | length) \(.cases | length) \(.cases[1].params.size) \(.visits_max)"' "$TMP/out"
expect_status "check an invalid campaign: exit 2" 2 "$N" check "$TMP/nonexistent.json"
expect_grep "check an invalid campaign: the usual message" "^nestbench: cannot open campaign file" "$TMP/err"

# ---- did you mean, in campaign files ------------------------------------------------------
# mistake NAME SED-EXPRESSION EXPECTED-MESSAGE
mistake() {
	sed "$2" "$TMP/two.json" >"$TMP/typo.json"
	if "$N" check "$TMP/typo.json" >/dev/null 2>"$TMP/typo.err"; then
		fail "$1" "check accepted it"
	elif grep -qF -- "$3" "$TMP/typo.err"; then
		ok "$1"
	else
		fail "$1" "$(cat "$TMP/typo.err")"
	fi
}
mistake "did you mean: a top-level key" 's/"workloads"/"workload"/' \
	'unknown key "workload", did you mean "workloads"?'
mistake "did you mean: a defaults key" 's/"reps": 5/"rep": 5/' 'defaults: unknown key "rep", did you mean "reps"?'
mistake "did you mean: a tier key" '0,/"address"/s//"adress"/' 'tiers[0]: unknown key "adress", did you mean "address"?'
mistake "did you mean: a workload entry key" 's/"params"/"parmas"/' \
	'workloads[1]: unknown key "parmas", did you mean "params"?'
mistake "did you mean: a workload name" 's/"cpu.int"/"cpu.itn"/' \
	'workloads[0]: no workload matches "cpu.itn", did you mean "cpu.int"?'
mistake "did you mean: a workload pattern" 's/"cpu.int"/"cpuu.*"/' 'no workload matches "cpuu.*", did you mean "cpu.*"?'
mistake "did you mean: a parameter" 's/"size"/"sise"/' \
	'workloads[1] (mem.lat): unknown parameter "sise", did you mean "size"? (known: size, thp, stride)'
mistake "no suggestion for a word far from all" 's/"cpu.int"/"zzzzzz"/' 'no workload matches "zzzzzz" (names'

# ---- doctor --json ---------------------------------------------------------------------------
expect_status "doctor --json" 0 "$N" doctor --json
if jq -e 'type == "array" and length > 5 and
	  all(.[]; has("tier") and has("name") and has("status") and has("detail") and has("fix") and
	      (.status | IN("ok", "warn", "fail", "info"))) and
	  any(.[]; .name == "reachable" and .status == "ok" and .tier == "local") and
	  any(.[]; .name == "nature") and any(.[]; .name == "counter page-faults") and
	  any(.[]; .name == "/dev/kvm")' "$TMP/out" >/dev/null; then
	ok "doctor --json: an array of {tier, name, status, detail, fix} with the text's checks"
else
	fail "doctor --json: the checks" "$(head -c 400 "$TMP/out")"
fi
expect_status "doctor --json on an unreachable tier: exit 2" 2 "$N" doctor --json "$TMP/far.json"
grep_out "doctor --json: the unreachable tier fails with a fix" '^fail true$' \
	jq -r '.[] | select(.name == "reachable" and .tier == "L0") | "\(.status) \(.fix != null)"' "$TMP/out"

# ---- the progress line ------------------------------------------------------------------------
# segments TYPESCRIPT: each progress redraw (after \r ESC[K) on a line of its own.
segments() {
	python3 -c '
import sys
t = open(sys.argv[1], "rb").read().decode(errors="replace")
for s in t.split("\r\x1b[K")[1:]:
    s = s.split("\r")[0].split("\n")[0]
    if s.startswith("["):
        print(s)' "$1"
}
# progress_fits NAME STTY-COLS COLUMNS WIDTH
progress_fits() {
	script -qec "stty cols $2; COLUMNS=$3 '$N' run --state-dir '$ST' --reps 4 -o '$TMP/prog.json' \
		'$TMP/two.json'" "$TMP/typescript" >/dev/null 2>&1
	segments "$TMP/typescript" >"$TMP/seg"
	long=$(awk -v w="$4" 'length($0) >= w' "$TMP/seg" | head -3)
	if [ -s "$TMP/seg" ] && [ -z "$long" ] && grep -q ' left$' "$TMP/seg"; then
		ok "$1 ($(wc -l <"$TMP/seg") redraws)"
	else
		fail "$1" "${long:-no progress line: $(head -c 300 "$TMP/typescript")}"
	fi
	rm -f "$TMP/prog.json"
}
progress_fits "progress line shorter than a 60-column terminal (TIOCGWINSZ)" 60 200 60
progress_fits "progress line shorter than COLUMNS=50 when the terminal gives no width" 0 50 50
"$N" run --state-dir "$ST" --reps 2 -o "$TMP/noprog.json" "$TMP/two.json" >/dev/null 2>"$TMP/noprog.err"
if grep -q "^campaign two" "$TMP/noprog.err" && ! grep -q "$(printf '\r')" "$TMP/noprog.err"; then
	ok "no progress line when stderr is not a terminal"
else
	fail "no progress line when stderr is not a terminal" "$(head -c 300 "$TMP/noprog.err" | cat -v)"
fi

# ---- no internal function name in a user message ------------------------------------------------
# A string literal in a call that builds a message (nb_err, fail, *printf, log lines,
# errors set in place) must not name an nb_ function, nor may __func__ be passed to one.
# stats/ passes its function names as `fn`, which its fail() ignores by design.
cat >"$TMP/names.py" <<'EOF'
import glob, re, sys
MSG = re.compile(r'\b(nb_err|fail|series_fail|[a-z]*printf|nb_log_[a-z]*|logf_|warn[a-z_]*|perror|fputs|puts)\s*\(')
LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
bad = []
for d in sys.argv[1:]:
    for f in sorted(glob.glob(d + "/**/*.[ch]", recursive=True)):
        src = open(f, errors="replace").read()
        src = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), src, flags=re.S)
        src = re.sub(r"//[^\n]*", "", src)
        # statements: up to ; or { or }, with their first line number
        for m in re.finditer(r"[^;{}]*[;{}]", src):
            stmt = m.group()
            line = src.count("\n", 0, m.start()) + 1 + len(stmt) - len(stmt.lstrip("\n"))
            if not MSG.search(stmt):
                continue
            if "__func__" in stmt or "__FUNCTION__" in stmt:
                bad.append("%s:%d: __func__ in a message" % (f, line))
            for lit in LIT.finditer(stmt):
                if re.search(r"\bnb_[a-z0-9_]+", lit.group(1)):
                    bad.append("%s:%d: %s" % (f, line, lit.group(0)))
for b in bad:
    print(b)
EOF
python3 "$TMP/names.py" harness analysis history common guest-agent resultlib workloads >"$TMP/names.out"
if [ ! -s "$TMP/names.out" ]; then
	ok "no message names an internal (nb_) function or prints __func__"
else
	fail "no message names an internal function" "$(head -5 "$TMP/names.out")"
fi
# The scan itself catches one.
mkdir -p "$TMP/src"
printf 'int f(char *err) { return nb_err(err,\n\t"nb_client_connect: %%s", "x"); }\n' >"$TMP/src/a.c"
printf 'void g(void) { fprintf(stderr, "%%s: failed\\n", __func__); }\n' >"$TMP/src/b.c"
if [ "$(python3 "$TMP/names.py" "$TMP/src" | wc -l)" -eq 2 ]; then
	ok "the scan flags an nb_ name and __func__ in messages"
else
	fail "the scan flags an nb_ name and __func__" "$(python3 "$TMP/names.py" "$TMP/src")"
fi

finish test_cli_habits
