# test_ci_recipe.sh - the CI recipes' shell steps (examples/ci/nightly.sh) run locally,
# without GitHub or GitLab, on the tiny local campaign examples/ci/tiny.json (cpu.int and
# ctl.syscall, 5 reps; about a second a call): three nightly calls into one temporary
# history (a run more per call, labelled with its commit, ref and LABELS; the artifacts
# where the script says; exit 0 while the history is too short to check); 8 earlier
# runs (copies of a real result, small deterministic noise) that does not change: exit 0
# and the check's Markdown in the summary; one whose cpu.int got 30 % slower: exit 1 with
# the regression in the summary's table; missing inputs: exit 2; and both recipe files
# parse as YAML and call the script.  About 5 s.
. tests/cli/lib.sh
N="$BUILD/nestbench"
NIGHTLY=${NIGHTLY:-examples/ci/nightly.sh}
CONFIG=examples/ci/tiny.json

expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', wanted '$3'"; fi; }
expect_file() { if [ -s "$2" ]; then ok "$1"; else fail "$1" "no file $2"; fi; }
runs() { "$N" history list --db "$1" | grep -c '^[0-9]'; }

# nightly DB OUT COMMIT [VAR=VALUE...]: one call of the recipe's script, its status in $st.
nightly() {
	db=$1 out=$2 commit=$3
	shift 3
	env NESTBENCH="$N" CONFIG="$CONFIG" DB="$db" OUT="$out" COMMIT="$commit" REF=main \
		SUMMARY="$out.md" STATE_DIR="$TMP/state" "$@" sh "$NIGHTLY" >"$TMP/out" 2>"$TMP/err"
	st=$?
}

# ---- three nightly calls into one history ---------------------------------------------
DB=$TMP/cache/history.sqlite
for i in 1 2 3; do
	nightly "$DB" "$TMP/n$i" "c$i" LABELS="seq=$i"
	expect_eq "call $i: exit 0 (too few runs to check is not a failure)" "$st" 0
	[ "$st" -eq 0 ] || echo "  stderr: $(head -c 400 "$TMP/err")"
	expect_eq "call $i: the history holds $i runs" "$(runs "$DB")" "$i"
	expect_grep "call $i: the new run labelled commit=c$i, ref=main and LABELS' seq=$i" \
		"^$i .*commit=c$i, ref=main, seq=$i " "$("$N" history list --db "$DB" >"$TMP/list"; echo "$TMP/list")"
	expect_file "call $i: OUT/result.json" "$TMP/n$i/result.json"
	expect_file "call $i: OUT/check.md" "$TMP/n$i/check.md"
	expect_file "call $i: OUT/check.json" "$TMP/n$i/check.json"
	expect_eq "call $i: OUT/history.sqlite, a copy of DB with $i runs" "$(runs "$TMP/n$i/history.sqlite")" "$i"
	expect_file "call $i: last-result.json kept beside DB" "$TMP/cache/last-result.json"
	expect_grep "call $i: the summary names the commit" "^## nestbench: tiny.json at c$i (main)" "$TMP/n$i.md"
	expect_grep "call $i: the summary says the history is too short" "^Not checked yet: .* so far: $i\." "$TMP/n$i.md"
	expect_grep "call $i: the summary holds the check's Markdown" "^## nestbench history check" "$TMP/n$i.md"
	if command -v gnuplot >/dev/null && command -v jq >/dev/null; then
		expect_file "call $i: OUT/plots/cpu.int.png" "$TMP/n$i/plots/cpu.int.png"
		expect_file "call $i: OUT/plots/ctl.syscall.png" "$TMP/n$i/plots/ctl.syscall.png"
	else
		echo "skip call $i: the charts (gnuplot or jq not installed)"
	fi
done
if [ -s "$TMP/n1/compare.md" ]; then fail "call 1: no compare without a previous run"; else ok "call 1: no compare without a previous run"; fi
expect_file "call 2: OUT/compare.md against call 1's result" "$TMP/n2/compare.md"
expect_grep "call 2: the comparison in the summary, base = call 1's result" \
	"^- BASE = .*/cache/last-result.json: campaign ci-tiny" "$TMP/n2.md"
expect_eq "call 3: the same file added again is not a new run" \
	"$("$N" history add --db "$DB" "$TMP/n3/result.json" >/dev/null; runs "$DB")" 3

# ---- earlier runs: copies of call 1's result, a day apart, within +-0.8 % -------------
# history NAME FACTOR: $TMP/NAME/history.sqlite with 8 runs (FACTOR 1) or 12 runs whose
# cpu.int is multiplied by FACTOR from run 7 on.
history() {
	name=$1 factor=$2 count=8
	[ "$factor" = 1 ] || count=12
	mkdir -p "$TMP/$name"
	for i in $(seq 1 "$count"); do
		f=1; [ "$i" -ge 7 ] && f=$factor
		e=$(awk -v i="$i" 'BEGIN { printf "%.4f", 1 + 0.004 * ((i * 7) % 5 - 2) }')
		jq --arg t "$(printf '2026-11-%02dT03:00:00Z' "$i")" --argjson f "$f" --argjson e "$e" '
			.started_utc = $t
			| .tiers[].cases |= map(.samples |= map(.value *= $e | .ns_per_op *= $e)
				| if .key == "cpu.int" then .samples |= map(.value *= $f | .ns_per_op *= $f) else . end)' \
			"$TMP/n1/result.json" >"$TMP/$name/p$i.json"
		"$N" history add --db "$TMP/$name/history.sqlite" --label "commit=p$i" "$TMP/$name/p$i.json" >/dev/null
	done
}

if command -v jq >/dev/null; then
	history flat 1
	nightly "$TMP/flat/history.sqlite" "$TMP/flat-out" c9
	expect_eq "flat: 8 earlier runs and an unchanged one: exit 0" "$st" 0
	expect_eq "flat: the history holds 9 runs" "$(runs "$TMP/flat/history.sqlite")" 9
	expect_grep "flat: the summary holds the check: no change point" "^No change point\." "$TMP/flat-out.md"
	if grep -q "^Not checked yet" "$TMP/flat-out.md"; then fail "flat: the series were checked"; else ok "flat: the series were checked"; fi

	history shift 1.3
	nightly "$TMP/shift/history.sqlite" "$TMP/shift-out" c13 LAST=8
	expect_eq "shift: cpu.int 30 % slower from run 7: exit 1" "$st" 1
	expect_grep "shift: the summary holds the check's Markdown table header" \
		'^| tier | case | run | time (UTC) | labels | change |' "$TMP/shift-out.md"
	expect_grep "shift: the regression at run 7 (commit=p7) in the summary" \
		'^| L0 | cpu.int | 7 | .* | commit=p7 | +[23][0-9]\.[0-9] % | .*\*\*regression\*\*' "$TMP/shift-out.md"
	expect_grep "shift: the regression named on stderr" "regression: L0 / cpu.int" "$TMP/err"
	expect_grep "shift: check.json counts it" '"regressions":[[:space:]]*1' "$TMP/shift-out/check.json"
else
	echo "skip the flat and shifted histories: jq is not installed"
fi

# ---- inputs that are missing: exit 2 with the fix ---------------------------------------
nightly "$TMP/x.sqlite" "$TMP/x" cx CONFIG="$TMP/none.json"
expect_eq "no campaign file: exit 2" "$st" 2
expect_grep "no campaign file: the message says to set CONFIG" "no campaign file at .*none.json: set CONFIG" "$TMP/err"
nightly "$TMP/x.sqlite" "$TMP/x" cx NESTBENCH="$TMP/none"
expect_eq "no nestbench: exit 2" "$st" 2
expect_grep "no nestbench: the message says to run make" "no nestbench at .*none: run make, or set NESTBENCH" "$TMP/err"
if [ -e "$TMP/x.sqlite" ]; then fail "a failed call creates no history"; else ok "a failed call creates no history"; fi

# ---- the recipe files: YAML that calls the script -----------------------------------------
for y in examples/ci/github-actions.yml examples/ci/gitlab-ci.yml; do
	if python3 -c 'import yaml' 2>/dev/null; then
		if python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); sys.exit(not isinstance(d, dict))' "$y" 2>"$TMP/yerr"; then
			ok "$y: parses as YAML (PyYAML)"
		else
			fail "$y: parses as YAML (PyYAML)" "$(head -c 300 "$TMP/yerr")"
		fi
	else
		echo "skip $y: YAML parse skipped (PyYAML not installed: Debian's python3-yaml); structure checked by grep only"
		if grep -q "$(printf '\t')" "$y"; then fail "$y: no tab characters"; else ok "$y: no tab characters"; fi
	fi
	expect_grep "$y: runs examples/ci/nightly.sh" "sh examples/ci/nightly.sh" "$y"
	expect_grep "$y: labels the commit" "COMMIT:" "$y"
	expect_grep "$y: history check's status reaches the job" "--last\|LAST:" "$y"
done
python3 -c 'import yaml' 2>/dev/null && python3 - examples/ci/github-actions.yml examples/ci/gitlab-ci.yml >"$TMP/ystruct" 2>&1 <<'EOF'
import sys, yaml
gh = yaml.safe_load(open(sys.argv[1]))
gl = yaml.safe_load(open(sys.argv[2]))
job = next(iter(gh["jobs"].values()))
steps = " ".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in job["steps"])
glj = [v for k, v in gl.items() if isinstance(v, dict) and "script" in v][0]
ok = ("self-hosted" in job["runs-on"] and "nightly.sh" in steps and "upload-artifact" in steps
      and "GITHUB_STEP_SUMMARY" in str(job) and "nightly.sh" in " ".join(glj["script"])
      and "artifacts" in glj and "cache" in glj)
print("ok" if ok else "bad")
EOF
if python3 -c 'import yaml' 2>/dev/null; then
	expect_grep "recipes: a self-hosted job that runs the script, uploads artifacts, caches the history" "^ok$" "$TMP/ystruct"
fi
finish test_ci_recipe
