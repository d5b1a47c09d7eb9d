# test_history_check_cli.sh - nestbench history check and history plot on synthetic
# series with known answers: 12 copies of tests/analysis/data/kvm.json a day apart, each
# with its own small deterministic noise (within +-0.8 %), one case shifted from run 7 on,
# imported with --label commit=cN.  A 20 % slowdown must be found at run 7 and fail the
# check; an unchanged series must pass; a change of the tier's identity or of the binary
# at run 7 splits the series (nothing compared across it); too few runs exit 3 saying how
# many are needed; the direction of higher-is-better cases; bad input exits 2; the trend
# chart's data has a point per run and its script marks the change.
. tests/cli/lib.sh
N="$BUILD/nestbench"

expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', wanted '$3'"; fi; }
# hdb NAME: the history NAME: $TMP/NAME.sqlite, or with $NB_TEST_PG (a PostgreSQL URI
# without the database, tests/cli/test_history_pg_cli.sh) database NAME on that server;
# hdb_new NAME creates that database.
hdb() { if [ -n "${NB_TEST_PG:-}" ]; then echo "$NB_TEST_PG/$1"; else echo "$TMP/$1.sqlite"; fi; }
hdb_new() { [ -z "${NB_TEST_PG:-}" ] || psql -q "$NB_TEST_PG/postgres" -c "CREATE DATABASE \"$1\"" >/dev/null; }

# series NAME [FACTOR [CASE [NATURE [WORK [RUNS]]]]]: $TMP/NAME.sqlite holding RUNS (12)
# runs; tier L2's CASE (cpu.int) multiplied by FACTOR from run 7 on, and from run 7 on
# tier L2's nature set to NATURE and the binary's sha256 to WORK when given.
series() {
	name=$1 factor=${2:-1} case=${3:-cpu.int} nature=${4:-} work=${5:-} runs=${6:-12}
	mkdir -p "$TMP/$name"
	hdb_new "$name"
	for i in $(seq 1 "$runs"); do
		f=1; [ "$i" -ge 7 ] && f=$factor
		noise=$(awk -v i="$i" 'BEGIN { printf "%.4f", 1 + 0.004 * ((i * 7) % 5 - 2) }')
		file=$(printf '%s/%s/r%02d.json' "$TMP" "$name" "$i")
		jq --arg t "$(printf '2026-11-%02dT03:00:00Z' "$i")" --argjson f "$f" \
		   --argjson e "$noise" --arg case "$case" --arg nat "$nature" --arg work "$work" \
		   --argjson i "$i" '
			.started_utc = $t
			| .tiers[2].cases |= map(if .key == $case
				then .samples |= map(.value *= $f | .ns_per_op *= $f) else . end)
			| .tiers |= map(.cases |= map(.samples |= map(.value *= $e | .ns_per_op *= $e)))
			| if $nat != "" and $i >= 7 then .tiers[2].nature = $nat else . end
			| if $work != "" and $i >= 7 then .nestbench.work_sha256 = $work else . end' \
			tests/analysis/data/kvm.json >"$file"
		"$N" history add --db "$(hdb "$name")" --label "commit=c$i" "$file" >/dev/null ||
			fail "series $name: history add of run $i" "$("$N" history add --db "$(hdb "$name")" "$file" 2>&1)"
	done
}

# ---- a 20 % slowdown of L2 cpu.int at run 7 -------------------------------------------
series shift 1.2
expect_status "shift: check --last 6 finds a regression: exit 1" 1 \
	"$N" history check --db "$(hdb shift)" --last 6
cp "$TMP/out" "$TMP/shift.md"
expect_grep "shift: the change at run 7 with its commit, a regression" \
	'^| L2 | cpu.int | 7 | 2026-11-07T03:00:00Z | commit=c7 | +2[01]\.[0-9] % | \[+1[0-9]\.[0-9] %, +2[0-9]\.[0-9] %\] | .* | \*\*regression\*\* | .*/shift/r07.json |$' "$TMP/shift.md"
expect_eq "shift: the only change point (no false alarm in the 22 other series)" \
	"$(grep -c '^| L' "$TMP/shift.md")" 1
expect_grep "shift: the regression named on stderr" \
	"regression: L2 / cpu.int: +2[01].[0-9] % (lower is better) from run 7 (2026-11-07T03:00:00Z, commit=c7" "$TMP/err"
expect_status "shift: JSON, exit 1" 1 "$N" history check --db "$(hdb shift)" --last 6 --format json
cat >"$TMP/check_json.py" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["changes"]
ok = (len(c) == 1 and c[0]["run"] == 7 and c[0]["labels"] == {"commit": "c7"}
      and c[0]["verdict"] == "regression" and c[0]["recent"] is True
      and 0.18 < c[0]["rel"] < 0.22 and c[0]["rel_lo"] > 0.05 and c[0]["p"] <= 0.05
      and c[0]["runs_before"] == 6 and c[0]["runs_after"] == 6 and r["regressions"] == 1
      and r["runs_needed"] == 8)
print("ok" if ok else "bad %r" % r)
EOF
expect_eq "shift: JSON has the change, its size, interval, p and labels" \
	"$(python3 "$TMP/check_json.py" "$TMP/out")" ok
cp "$TMP/out" "$TMP/shift1.json"
"$N" history check --db "$(hdb shift)" --last 6 --format json >"$TMP/shift2.json" 2>/dev/null
cmp -s "$TMP/shift1.json" "$TMP/shift2.json" && ok "shift: the same seed, the same answer" ||
	fail "shift: the same seed, the same answer"
expect_status "shift: --case cpu.int --tier L2: exit 1" 1 \
	"$N" history check --db "$(hdb shift)" --last 6 --case cpu.int --tier L2
expect_status "shift: another tier has no regression: exit 0" 0 \
	"$N" history check --db "$(hdb shift)" --last 6 --tier L1
expect_status "shift: --last 4 (the default): run 7 is older, exit 0" 0 \
	"$N" history check --db "$(hdb shift)"
expect_grep "shift: the default still lists it, as older" "regression (older)" "$TMP/out"
expect_status "shift: --threshold 25: below it, exit 0" 0 \
	"$N" history check --db "$(hdb shift)" --last 6 --threshold 25
expect_grep "shift: --threshold 25: called below the threshold" "| below threshold |" "$TMP/out"
expect_status "shift: --last 2: exit 0 with a note that a change needs 4 runs after it" 0 \
	"$N" history check --db "$(hdb shift)" --last 2
expect_grep "shift: --last 2: the note" "a change is found once 4 runs follow it" "$TMP/err"

# ---- unchanged: no regression ----------------------------------------------------------
series flat 1
expect_status "unchanged: exit 0" 0 "$N" history check --db "$(hdb flat)" --last 6
expect_grep "unchanged: no change point" "^No change point" "$TMP/out"

# ---- higher is better: mem.bw.copy (MB/s) ------------------------------------------------
series faster 1.2 "mem.bw.copy thp=0"
expect_status "MB/s up 20 %: an improvement, exit 0" 0 \
	"$N" history check --db "$(hdb faster)" --last 6
expect_grep "MB/s up 20 %: called an improvement" "| L2 | mem.bw.copy thp=0 | 7 | .* | improvement |" "$TMP/out"
series slower 0.8 "mem.bw.copy thp=0"
expect_status "MB/s down 20 %: a regression, exit 1" 1 \
	"$N" history check --db "$(hdb slower)" --last 6
expect_grep "MB/s down 20 %: called a regression" "| L2 | mem.bw.copy thp=0 | 7 | .* | \*\*regression\*\* |" "$TMP/out"

# ---- breaks: the tier's identity or the binary changed at run 7 --------------------------
series nature 1.2 cpu.int "bare metal (no hypervisor bit)"
expect_status "identity change at run 7: no regression across it, exit 0" 0 \
	"$N" history check --db "$(hdb nature)" --last 6
expect_grep "identity change: the split named" "L2 at run 7 (2026-11-07T03:00:00Z), 7 cases (cpu.int, ...): the tier is now bare metal (it was guest kvm)" "$TMP/out"
expect_grep "identity change: L2 cpu.int not checked, with why" "L2 / cpu.int (12 runs, longest piece 6)" "$TMP/out"
grep -q '^| L2 | cpu.int' "$TMP/out" && fail "identity change: no change reported at the split" ||
	ok "identity change: no change reported at the split"
expect_status "identity change, that series alone: exit 3" 3 \
	"$N" history check --db "$(hdb nature)" --last 6 --case cpu.int --tier L2
expect_grep "identity change, alone: says how many runs are needed" "fewer than 8 runs without a break .* the longest 6: add runs (the splits listed above" "$TMP/err"
series binary 1.2 cpu.int "" bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
expect_status "binary change at run 7: no regression across it, exit 3" 3 \
	"$N" history check --db "$(hdb binary)" --last 6
expect_grep "binary change: the split named" "another nestbench-work binary (sha256 bbbbbbbbbbbb, it was aaaaaaaaaaaa)" "$TMP/out"

# ---- too few runs ----------------------------------------------------------------------
series short 1.2 cpu.int "" "" 7
expect_status "7 runs: nothing can be checked, exit 3" 3 "$N" history check --db "$(hdb short)"
expect_grep "7 runs: says 8 are needed" "every series has fewer than 8 runs without a break (4 on each side of a change), the longest 7: add runs$" "$TMP/err"

# ---- bad input --------------------------------------------------------------------------
expect_status "no database: exit 2" 2 "$N" history check --db "$(hdb none)"
expect_grep "no database: how to make one" "history add" "$TMP/err"
expect_status "an unknown case: exit 2" 2 "$N" history check --db "$(hdb shift)" --case no.such
expect_grep "an unknown case: named" 'no case "no.such"' "$TMP/err"
expect_status "an unknown tier: exit 2" 2 "$N" history check --db "$(hdb shift)" --tier L9
expect_grep "an unknown tier: named" 'no tier "L9"' "$TMP/err"
expect_status "a bad --format: exit 2" 2 "$N" history check --db "$(hdb shift)" --format csv
expect_status "a bad --threshold: exit 2" 2 "$N" history check --db "$(hdb shift)" --threshold x
expect_status "a bad --last: exit 2" 2 "$N" history check --db "$(hdb shift)" --last 0
expect_status "check --help: exit 0" 0 "$N" history check --help
expect_grep "check --help: the exit statuses" "3 nothing" "$TMP/out"

# ---- history plot --------------------------------------------------------------------------
P="$TMP/plots"
if command -v gnuplot >/dev/null 2>&1; then want=0; else want=2; fi
expect_status "plot: exit $want (gnuplot installed: $((1 - want / 2)))" $want \
	"$N" history plot --db "$(hdb shift)" --out "$P" --tier L2 cpu.int
expect_eq "plot: a data line per run" "$(grep -c '^ [0-9]' "$P/cpu.int.dat")" 12
expect_grep "plot: the script reads the data by its relative name" "'cpu.int.dat' index 0 using 1:2:3:4" "$P/cpu.int.gp"
expect_grep "plot: the change point marked, dashed" "set arrow from .* nohead dt 2" "$P/cpu.int.gp"
expect_grep "plot: with its size" "'L2 +2[01].[0-9] %'" "$P/cpu.int.gp"
expect_grep "plot: L2 in its tier colour" "lc rgb '#D55E00' title 'L2'" "$P/cpu.int.gp"
if [ $want -eq 0 ]; then
	[ -s "$P/cpu.int.png" ] && [ -s "$P/cpu.int.pdf" ] && ok "plot: PNG and PDF written" ||
		fail "plot: PNG and PDF written" "$(ls "$P")"
	expect_grep "plot: their paths printed" "cpu.int.png" "$TMP/out"
fi
expect_status "plot --x label:commit: exit $want" $want \
	"$N" history plot --db "$(hdb nature)" --out "$P/label" --x label:commit "cpu.int"
expect_grep "plot --x label:commit: the commits as tic text" '"2026-11-12T03:00:00Z" "c12"$' "$P/label/cpu.int.dat"
expect_grep "plot --x label:commit: tics from the data" "xtic(6)" "$P/label/cpu.int.gp"
expect_grep "plot: a split leaves a gap in the line" "^# split: the tier is now bare metal" "$P/label/cpu.int.dat"
grep -q "set arrow" "$P/label/cpu.int.gp" && fail "plot: no change marked across a split" ||
	ok "plot: no change marked across a split"
expect_status "plot: a case key with spaces" $want \
	"$N" history plot --db "$(hdb shift)" --out "$P" "mem.lat size=64M stride=64 thp=0"
[ -s "$P/mem.lat_size-64M_stride-64_thp-0.gp" ] && ok "plot: its file name" ||
	fail "plot: its file name" "$(ls "$P")"
expect_status "plot: an unknown case: exit 2" 2 "$N" history plot --db "$(hdb shift)" --out "$P" no.such
expect_status "plot: no case given: exit 2" 2 "$N" history plot --db "$(hdb shift)"
expect_status "plot: a bad --x: exit 2" 2 "$N" history plot --db "$(hdb shift)" --x run cpu.int

finish test_history_check_cli
