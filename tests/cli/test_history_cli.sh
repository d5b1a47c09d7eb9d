# test_history_cli.sh - nestbench history add, list, show and export on the hand-made
# result files of tests/analysis/data/ and results/example/lab-demo.json, in a temporary
# database: what is stored (read back with Python's sqlite3 module), idempotence, schema
# versions 1 and 2, labels, every stored median equal to what `nestbench table -f json`
# says for the same file and its interval the order-statistic interval recomputed here,
# the CSV exports read with Python's csv module with default options, and the exit
# status and message for files that are not result files and databases that cannot be
# written.
. tests/cli/lib.sh
N="$BUILD/nestbench"
D=tests/analysis/data
DB="$TMP/h.sqlite"
GOOD="$D/compare-base.json $D/compare-new.json $D/counters.json $D/empty-samples.json
      $D/hyperv.json $D/kvm.json $D/lab-exits.json $D/mislabelled.json $D/mismatch.json
      $D/tcg.json results/example/lab-demo.json"

# q SQL: one value from the database.
q() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }
# expect_eq NAME GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', wanted '$3'"; fi; }

# ---- add: every fixture, two of which are not result files ---------------------------
expect_status "add: files that are not result files make exit 2" 2 \
	"$N" history add --db "$DB" --label commit=abc123 --label kernel=6.8 $D/*.json \
	results/example/lab-demo.json
cp "$TMP/out" "$TMP/add.out"
expect_grep "add: not-json.json named with the reason" "not-json.json is not JSON" "$TMP/err"
expect_grep "add: other-version.json named with the reason" "other-version.json has schema version 99" "$TMP/err"
expect_eq "add: one message per bad file" "$(grep -c . "$TMP/err")" 2
expect_eq "add: the 11 result files are stored" "$(grep -c ': stored as run ' "$TMP/add.out")" 11
expect_eq "add: 11 runs in the database" "$(q 'SELECT count(*) FROM runs')" 11
expect_eq "add: nothing from the bad files" \
	"$(q "SELECT count(*) FROM runs WHERE path LIKE '%not-json%' OR path LIKE '%other-version%'")" 0
expect_eq "add: tiers of kvm.json (identity, level)" \
	"$(q "SELECT group_concat(name || ':' || level || ':' || identity, ';') FROM (SELECT t.name, t.level, t.identity FROM tiers t JOIN runs r ON r.id = t.run WHERE r.path LIKE '%kvm.json' ORDER BY t.name)")" \
	"L0:0:bare metal;L1:1:guest kvm;L2:2:guest kvm;L3:3:unknown"
expect_eq "add: every case of every tier stored" "$(q 'SELECT count(*) FROM results')" \
	"$(for f in $GOOD; do jq '[.tiers[].cases[]] | length' "$f"; done | awk '{s += $1} END {print s}')"
expect_eq "add: samples kept as JSON" \
	"$(q "SELECT json_array_length(samples) FROM results x JOIN runs r ON r.id = x.run WHERE r.path LIKE '%kvm.json' AND x.case_key = 'cpu.int' LIMIT 1")" 7
expect_eq "add: foreign keys enforced by the schema" "$(q "SELECT count(*) FROM pragma_foreign_key_list('results')")" 2
expect_eq "add: the store's schema version" "$(q "SELECT value FROM meta WHERE key = 'schema_version'")" 1

# ---- idempotence --------------------------------------------------------------------
expect_status "add again: exit 0" 0 "$N" history add --db "$DB" $D/kvm.json
expect_grep "add again: says already stored" "kvm.json: already stored as run" "$TMP/out"
cp $D/kvm.json "$TMP/copy-of-kvm.json"
expect_status "a copy (same bytes, other path): exit 0" 0 "$N" history add --db "$DB" "$TMP/copy-of-kvm.json"
expect_grep "a copy: already stored" "already stored as run" "$TMP/out"
expect_eq "still 11 runs" "$(q 'SELECT count(*) FROM runs')" 11

# ---- schema versions 1 and 2 ---------------------------------------------------------
jq '.schema_version = 1 | .started_utc = "2026-12-01T00:00:00Z"' results/example/lab-demo.json >"$TMP/v1.json"
jq '.schema_version = 2 | .started_utc = "2026-12-02T00:00:00Z"' results/example/lab-demo.json >"$TMP/v2.json"
expect_status "a schema version 1 file imports" 0 "$N" history add --db "$DB" --label commit=def456 "$TMP/v1.json"
expect_status "a schema version 2 file imports" 0 "$N" history add --db "$DB" --label commit=0a1b2c "$TMP/v2.json"
expect_eq "schema versions recorded" \
	"$(q "SELECT group_concat(schema_version) FROM (SELECT schema_version FROM runs WHERE path LIKE '$TMP/v%' ORDER BY started_utc)")" "1,2"
# The same run resumed later: another file, same campaign and start.
jq '.status = "partial"' "$TMP/v2.json" >"$TMP/v2-resumed.json"
expect_status "another version of a stored run imports" 0 "$N" history add --db "$DB" "$TMP/v2-resumed.json"
expect_grep "and is said to be another version of one" "another version of the same run" "$TMP/out"

# ---- labels ---------------------------------------------------------------------------
expect_eq "labels stored" "$(q "SELECT group_concat(key || '=' || value) FROM (SELECT key, value FROM run_labels l JOIN runs r ON r.id = l.run WHERE r.path LIKE '%kvm.json' ORDER BY key)")" \
	"commit=abc123,kernel=6.8"
expect_status "list: exit 0" 0 "$N" history list --db "$DB"
expect_grep "list: labels shown" "commit=abc123, kernel=6.8" "$TMP/out"
expect_grep "list: tiers shown" "L0 (bare metal), L1 (KVM), L2 (KVM), L3 (KVM)" "$TMP/out"
expect_eq "list: a line per run and a header" "$(grep -c . "$TMP/out")" 15
expect_status "a label without =: exit 2" 2 "$N" history add --db "$DB" --label kernel "$TMP/v1.json"
expect_grep "a label without =: says how" "give KEY=VALUE" "$TMP/err"
expect_status "a label named like an export column: exit 2" 2 "$N" history add --db "$DB" --label time=now "$TMP/v1.json"
expect_status "a label given twice: exit 2" 2 "$N" history add --db "$DB" --label a=1 --label a=2 "$TMP/v1.json"
expect_grep "a label given twice: says so" "given twice" "$TMP/err"

# ---- show: the series, and every median equal to the table's --------------------------
expect_status "show by workload: exit 0" 0 "$N" history show --db "$DB" cpu.int --tier L2
expect_grep "show: the case and unit" "cpu.int (workload cpu.int; ns/op, lower is better)" "$TMP/out"
expect_grep "show: a run with its labels" "kvm-host .* 13.2  \[13.068, 13.332\] .*commit=abc123, kernel=6.8" "$TMP/out"
expect_grep "show: labels of a later run" "commit=def456" "$TMP/out"
expect_status "show: a workload with several cases: exit 2" 2 "$N" history show --db "$DB" mem.lat
expect_grep "show: lists the cases to choose from" '"mem.lat size=64M stride=64 thp=0"' "$TMP/err"
expect_status "show: an unknown case: exit 2" 2 "$N" history show --db "$DB" no.such
expect_grep "show: an unknown case: named" 'no case "no.such"' "$TMP/err"
expect_status "show: a skipped case" 0 "$N" history show --db "$DB" "exit.pio port=0x80" --tier L0
expect_grep "show: n/a with the reason" "n/a: skipped: ioperm" "$TMP/out"

cat >"$TMP/check_show.py" <<'EOF'
# For every file, tier and case of the table: `history show --json` has the same median
# for that run, and an interval that is the order-statistic interval of the samples.
import json, math, re, subprocess, sys

nb, db, add_out = sys.argv[1:4]
runs = dict(re.findall(r"^(\S+): stored as run (\d+)", open(add_out).read(), re.M))
checked, bad = 0, []


def ranks(n, level=0.95):
    # 1 - 2 P(Bin(n, 1/2) <= l - 1) >= level, the largest such l; else the full range
    cdf = lambda k: sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    best = None
    for l in range(1, n // 2 + 1):
        if 1 - 2 * cdf(l - 1) >= level:
            best = l
    return (best, n + 1 - best, True) if best else (1, n, False)


def series(key, tier):
    out = subprocess.run([nb, "history", "show", "--db", db, "--json", "--tier", tier, key],
                         capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 else None


cache, files = {}, 0
for path, run in runs.items():
    # the first tier as the baseline, so files without a level-0 tier have a table too
    first = json.load(open(path))["tiers"][0]["name"]
    out = subprocess.run([nb, "table", "-f", "json", "--baseline", first, path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        continue       # no table for it (no samples on the baseline, nothing in common)
    files += 1
    table = json.loads(out.stdout)
    for row in table["rows"]:
        for col, cell in zip(table["columns"], row["cells"]):
            if col["kind"] == "step" or cell["state"] != "ok":
                continue
            k = (row["key"], col["tier"])
            if k not in cache:
                cache[k] = series(*k)
            pts = [p for p in cache[k] or [] if p["run"] == int(run)]
            if len(pts) != 1 or pts[0]["median"] != cell["median"] or pts[0]["n"] != cell["n"]:
                bad.append((path, k, cell["median"], pts))
                continue
            checked += 1
print("checked", checked, "cells of", files, "files")
# the interval, from the samples stored
import sqlite3
con = sqlite3.connect(db)
intervals = 0
for n, med, lo, hi, reached, samples in con.execute(
        "SELECT n, median, ci_lo, ci_hi, ci_reached, samples FROM results WHERE median IS NOT NULL"):
    x = sorted(json.loads(samples))
    l, u, level_reached = ranks(len(x))
    m = (x[(n - 1) // 2] + x[n // 2]) / 2
    if not (math.isclose(med, m, rel_tol=1e-12) and lo == x[l - 1] and hi == x[u - 1]
            and reached == level_reached):
        bad.append(("interval", x, med, lo, hi, reached))
    intervals += 1
print("intervals", intervals)
print("bad", len(bad), bad[:3])
EOF
python3 "$TMP/check_show.py" "$N" "$DB" "$TMP/add.out" >"$TMP/show.check" 2>&1
expect_grep "show: the medians of 9 files against the table" "^checked [1-9][0-9][0-9] cells of 9 files" "$TMP/show.check"
expect_grep "show: the intervals of every stored case checked" "^intervals [1-9][0-9][0-9]" "$TMP/show.check"
expect_grep "show: every median the table's, every interval the order statistics'" "^bad 0 " "$TMP/show.check"

# ---- export ----------------------------------------------------------------------------
expect_status "export --csv: exit 0" 0 "$N" history export --csv --db "$DB"
cp "$TMP/out" "$TMP/long.csv"
expect_status "export --csv --wide: exit 0" 0 "$N" history export --csv --wide --db "$DB"
cp "$TMP/out" "$TMP/wide.csv"
cat >"$TMP/check_csv.py" <<'EOF'
import csv, datetime, sqlite3, sys

db, long_csv, wide_csv = sys.argv[1:4]
con = sqlite3.connect(db)
one = lambda sql: con.execute(sql).fetchone()[0]


def check(name, cond, detail=""):
    print("%s\t%s\t%s" % ("ok" if cond else "FAIL", name, detail))


rows = list(csv.DictReader(open(long_csv, newline="")))
head = next(csv.reader(open(long_csv, newline="")))
check("long: a row per run, tier and case", len(rows) == one("SELECT count(*) FROM results"), len(rows))
check("long: time and label columns", head[:5] == ["run", "time", "campaign", "commit", "kernel"], head[:6])
check("long: every row has the header's columns", all(None not in r and None not in r.values() for r in rows))
check("long: times in order", [r["time"] for r in rows] == sorted(r["time"] for r in rows))
bad = [r for r in rows if r["median"] and not float(r["ci_lo"]) <= float(r["median"]) <= float(r["ci_hi"])]
check("long: medians parse and sit in their interval", not bad, bad[:1])
m = {(r["run"], r["tier"], r["case"]): r["median"] for r in rows}
db_m = {(str(a), b, c): d for a, b, c, d in con.execute(
    "SELECT x.run, t.name, x.case_key, x.median FROM results x JOIN tiers t ON t.id = x.tier")}
check("long: every median the stored one, exactly",
      all((m[k] == "" and v is None) or (m[k] != "" and float(m[k]) == v) for k, v in db_m.items()))
check("long: labels per run", {r["commit"] for r in rows} == {"abc123", "def456", "0a1b2c", ""})
check("long: a note for a skipped case", any(r["note"].startswith("skipped: ") and r["median"] == "" for r in rows))

wide = list(csv.reader(open(wide_csv, newline="")))
wh, wr = wide[0], wide[1:]
check("wide: a row per run", len(wr) == one("SELECT count(*) FROM runs"), len(wr))
check("wide: time first, then run, campaign, labels", wh[:5] == ["time", "run", "campaign", "commit", "kernel"], wh[:5])
check("wide: no row shorter than the header", all(len(r) == len(wh) for r in wr))
ts = [datetime.datetime.fromisoformat(r[0]) for r in wr]
check("wide: times parse and are in order", ts == sorted(ts))
cols = wh[5:]
check("wide: a column per tier/case with a median", len(cols) == one(
    "SELECT count(DISTINCT t.name || '/' || x.case_key) FROM results x JOIN tiers t ON t.id = x.tier WHERE x.median IS NOT NULL"), len(cols))
i = wh.index("L2/cpu.int")
kvm = [r for r in wr if r[2] == "kvm-host"][0]
check("wide: the cell is the median", float(kvm[i]) == 13.2, kvm[i])
check("wide: cells are numbers or empty", all(c == "" or float(c) == float(c) for r in wr for c in r[5:]))
EOF
python3 "$TMP/check_csv.py" "$DB" "$TMP/long.csv" "$TMP/wide.csv" >"$TMP/csv.check" 2>&1
while IFS="$(printf '\t')" read -r st name detail; do
	if [ "$st" = ok ]; then ok "export: $name"; else fail "export: $name" "$detail"; fi
done <"$TMP/csv.check"
grep -q Traceback "$TMP/csv.check" && fail "export: the check ran" "$(tail -3 "$TMP/csv.check")"
expect_status "export without --csv: exit 2" 2 "$N" history export --db "$DB"

# ---- damaged files: exit 2, one message, nothing stored --------------------------------
before=$(q 'SELECT count(*) FROM runs'):$(q 'SELECT count(*) FROM tiers'):$(q 'SELECT count(*) FROM results')
head -c 2000 $D/kvm.json >"$TMP/truncated.json"
jq 'del(.tiers[1].cases[2].unit)' $D/hyperv.json | jq '.started_utc = "2026-12-03T00:00:00Z"' >"$TMP/nounit.json"
# two tiers of one name: found by the database after the run row is written
jq '.tiers[1].name = "L0" | .started_utc = "2026-12-04T00:00:00Z"' $D/kvm.json >"$TMP/twotiers.json"
expect_status "a truncated file: exit 2" 2 "$N" history add --db "$DB" "$TMP/truncated.json"
expect_grep "a truncated file: named, not JSON" "truncated.json is not JSON" "$TMP/err"
expect_status "a case without its unit: exit 2" 2 "$N" history add --db "$DB" "$TMP/nounit.json"
expect_grep "a case without its unit: says the file is damaged" "nounit.json, tier L2: a case lacks its key, unit or better" "$TMP/err"
expect_status "two tiers of one name: exit 2, the good file beside it stored" 2 \
	"$N" history add --db "$DB" "$TMP/twotiers.json" "$TMP/v1.json"
expect_grep "two tiers of one name: nothing of it stored" "cannot store .*twotiers.json (nothing of it was stored)" "$TMP/err"
expect_eq "damaged files: one message each" "$(grep -c . "$TMP/err")" 1
expect_eq "damaged files: no run, tier or case of them stored" \
	"$(q 'SELECT count(*) FROM runs'):$(q 'SELECT count(*) FROM tiers'):$(q 'SELECT count(*) FROM results')" "$before"

# ---- databases that cannot be used -----------------------------------------------------
echo "not a directory" >"$TMP/afile"
expect_status "an unwritable --db: exit 2" 2 "$N" history add --db "$TMP/afile/h.sqlite" $D/kvm.json
expect_grep "an unwritable --db: names the path and the fix" "$TMP/afile/h.sqlite.*writable --db PATH" "$TMP/err"
expect_status "a --db that is not a database: exit 2" 2 "$N" history add --db $D/kvm.json $D/tcg.json
expect_grep "a --db that is not a database: says so" "kvm.json is not a nestbench history" "$TMP/err"
python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("CREATE TABLE t (x)")' "$TMP/other.sqlite"
expect_status "another program's SQLite database: exit 2" 2 "$N" history add --db "$TMP/other.sqlite" $D/tcg.json
expect_grep "another program's SQLite database: left alone" "not a nestbench history" "$TMP/err"
expect_status "list without a history: exit 2" 2 "$N" history list --db "$TMP/none.sqlite"
expect_grep "list without a history: how to make one" "no history at .*none.sqlite.*history add" "$TMP/err"
[ -e "$TMP/none.sqlite" ] && fail "list creates no database" || ok "list creates no database"

# ---- the default database: $NESTBENCH_HISTORY -------------------------------------------
NESTBENCH_HISTORY="$TMP/env/h.sqlite" "$N" history add $D/tcg.json >"$TMP/out" 2>&1
expect_eq "NESTBENCH_HISTORY: add creates it (and its directory)" "$(ls "$TMP/env")" h.sqlite
expect_status "NESTBENCH_HISTORY: list reads it" 0 env NESTBENCH_HISTORY="$TMP/env/h.sqlite" "$N" history list
expect_grep "NESTBENCH_HISTORY: the run is there" "tcg-l1" "$TMP/out"
expect_status "an unknown action: exit 2" 2 "$N" history frobnicate
expect_status "history --help: exit 0" 0 "$N" history --help
expect_grep "history --help: names the default database" "NESTBENCH_HISTORY" "$TMP/out"

finish test_history_cli
