#!/bin/sh
# nightly.sh - the shell steps of the CI recipes (github-actions.yml, gitlab-ci.yml): build
# nothing, run one campaign, add its result to the history with the commit as a label,
# check the history for regressions, write a Markdown summary and leave every artifact in
# OUT.  Runs the same on a CI runner and by hand (tests/cli/test_ci_recipe.sh does).
#
# Inputs (environment variables; defaults in brackets):
#   NESTBENCH   the nestbench binary                          [build/nestbench]
#   CONFIG      the campaign file                             [configs/local.json]
#   DB          the history database, kept between runs       [results/history.sqlite]
#               (an SQLite file: keep its directory in a CI cache or on the runner's
#               disk; or a PostgreSQL database, postgresql://USER@HOST/DATABASE)
#   KEEP        PostgreSQL only: where last-result.json is kept  [OUT's parent]
#   COMMIT      the commit measured, label commit=COMMIT      [git rev-parse HEAD, else unknown]
#   REF         the branch or tag, label ref=REF              [none]
#   LABELS      more labels, "KEY=VALUE KEY=VALUE"            [none]
#   OUT         the artifact directory (created)             [nightly-out]
#   SUMMARY     the Markdown summary, appended to             [OUT/summary.md]
#               (GitHub: $GITHUB_STEP_SUMMARY)
#   LAST        history check --last                          [4]
#   THRESHOLD   history check --threshold, percent            [5]
#   PLOT_CASES  case keys to chart, one per line              [every case of the result (jq)]
#   STATE_DIR   the local agent's state directory             [nestbench's default]
#
# Artifacts in OUT: result.json (this run), check.md, check.json and check.err (history
# check), compare.md and compare.err (nestbench compare with the previous run, when there
# was one), plots/ (the trend charts, history plot), history.sqlite (a copy of DB after
# the add; SQLite only), summary.md (when SUMMARY is not set; rewritten by each call).
# Beside an SQLite DB (in KEEP for PostgreSQL): last-result.json, the previous run's
# result file for the next compare (keep it with DB).
#
# Exit status:
#   0  the run is stored and no regression in the newest LAST runs of any series (also
#      while the history is too short to check: fewer than 8 runs, said in the summary)
#   1  history check found a regression in the newest LAST runs (named in the summary
#      and on stderr): fail the job
#   2  a problem to fix: a missing input, the campaign wrote no result file, the history
#      could not be written or read
#   3  the campaign ran but some of its measurements failed (nestbench run exited 1 or 2
#      yet wrote a result file); the result is stored and checked, and a regression
#      still gives 1
set -u

NESTBENCH=${NESTBENCH:-build/nestbench}
CONFIG=${CONFIG:-configs/local.json}
DB=${DB:-results/history.sqlite}
OUT=${OUT:-nightly-out}
LAST=${LAST:-4}
THRESHOLD=${THRESHOLD:-5}
COMMIT=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
REF=${REF:-}
LABELS=${LABELS:-}

die() { echo "nightly.sh: $*" >&2; exit 2; }

[ -x "$NESTBENCH" ] || die "no nestbench at $NESTBENCH: run make, or set NESTBENCH"
[ -r "$CONFIG" ] || die "no campaign file at $CONFIG: set CONFIG to one (configs/README.md)"
# A PostgreSQL history (postgresql://..., postgres://..., or key=value) lives on its
# server: nothing to create beside it, nothing to copy; the previous result is kept in
# KEEP (default: OUT's parent) instead.
case $DB in
postgresql://* | postgres://* | *=*) PG=1 ;;
*) PG=0 ;;
esac
if [ "$PG" = 1 ]; then
	KEEP=${KEEP:-$(dirname "$OUT")}
	mkdir -p "$OUT" "$KEEP" || die "cannot create $OUT or $KEEP"
else
	KEEP=$(dirname "$DB")
	mkdir -p "$OUT" "$KEEP" || die "cannot create $OUT or the directory of $DB"
fi
# A summary of our own starts empty; one given (GitHub's) is appended to.
[ -n "${SUMMARY:-}" ] || { SUMMARY=$OUT/summary.md; : >"$SUMMARY"; }
STATE_DIR=${STATE_DIR:-}
RESULT=$OUT/result.json
PREVIOUS=$KEEP/last-result.json

say() { printf '%s\n' "$*" >>"$SUMMARY"; }

# ---- the campaign -------------------------------------------------------------------
status=0
rm -f "$RESULT"
"$NESTBENCH" run -q ${STATE_DIR:+--state-dir "$STATE_DIR"} -o "$RESULT" "$CONFIG" >/dev/null
run=$?
[ -s "$RESULT" ] || die "the campaign $CONFIG wrote no result (nestbench run exit $run): see its messages above"
[ "$run" -eq 0 ] || status=3

say "## nestbench: $(basename "$CONFIG") at ${COMMIT}${REF:+ ($REF)}"
say ""
[ "$status" -eq 3 ] && say "Some measurements of the campaign failed (nestbench run exit $run); what was measured is stored."

# ---- into the history ---------------------------------------------------------------
set -- --label "commit=$COMMIT"
[ -n "$REF" ] && set -- "$@" --label "ref=$REF"
set -f
for l in $LABELS; do set -- "$@" --label "$l"; done
set +f
"$NESTBENCH" history add --db "$DB" "$@" "$RESULT" ||
	die "history add into $DB failed: see the message above"
if [ "$PG" = 0 ]; then
	cp "$DB" "$OUT/history.sqlite" || die "cannot copy $DB into $OUT"
fi

# ---- history check: its exit status decides the job ----------------------------------
"$NESTBENCH" history check --db "$DB" --last "$LAST" --threshold "$THRESHOLD" \
	--format json >"$OUT/check.json" 2>/dev/null
"$NESTBENCH" history check --db "$DB" --last "$LAST" --threshold "$THRESHOLD" \
	>"$OUT/check.md" 2>"$OUT/check.err"
check=$?
case $check in
0|1) cat "$OUT/check.err" >&2 ;;
3) ;;
*) cat "$OUT/check.err" >&2; die "history check of $DB failed (exit $check): see the message above" ;;
esac
cat "$OUT/check.md" >>"$SUMMARY"
say ""
[ "$check" -eq 3 ] && say "Not checked yet: a series needs 8 runs without a break; runs in the history so far: $("$NESTBENCH" history list --db "$DB" | grep -c '^[0-9]')." && say ""
[ "$check" -eq 1 ] && status=1

# ---- compare with the previous run: information, not the verdict -------------------------
rm -f "$OUT/compare.md"
if [ -s "$PREVIOUS" ]; then
	"$NESTBENCH" compare "$PREVIOUS" "$RESULT" >"$OUT/compare.md" 2>"$OUT/compare.err"
	say "Compared with the previous run (\`nestbench compare\`, exit $?: information, the history check decides):"
	say ""
	cat "$OUT/compare.md" >>"$SUMMARY"
	say ""
fi
cp "$RESULT" "$PREVIOUS" || die "cannot keep $RESULT as $PREVIOUS"

# ---- trend charts: a missing gnuplot or jq costs the charts, not the job ----------------
cases=${PLOT_CASES:-$(jq -r '[.tiers[].cases[].key] | unique | .[]' "$RESULT" 2>/dev/null)}
if [ -n "$cases" ]; then
	old_ifs=$IFS
	IFS='
'
	set -f
	set -- $cases
	set +f
	IFS=$old_ifs
	if "$NESTBENCH" history plot --db "$DB" --out "$OUT/plots" --x label:commit "$@" >/dev/null; then
		say "Trend charts: \`plots/\` in the artifacts."
	else
		say "No trend charts: history plot failed (is gnuplot installed?)."
	fi
else
	say "No trend charts: set PLOT_CASES, or install jq to chart every case."
fi

case $status in
0) echo "nightly.sh: stored, no regression in the newest $LAST runs; artifacts in $OUT" ;;
1) echo "nightly.sh: a regression in the newest $LAST runs: $OUT/check.md" >&2 ;;
3) echo "nightly.sh: some measurements failed; stored and checked; artifacts in $OUT" >&2 ;;
esac
exit $status
