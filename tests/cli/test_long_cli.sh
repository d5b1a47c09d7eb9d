# test_long_cli.sh - nestbench table --format long-csv and long-json (tidy data) on
# results/example/lab-demo.json and the hand-made files of tests/analysis/data/: read
# back with Python's csv module with default options (and R's read.csv when R is
# installed), a row per case and tier column, every figure what --format json says for
# that cell, n/a cells with their reason and no number, and the JSON form row for row
# the same.
. tests/cli/lib.sh
N="$BUILD/nestbench"
D=tests/analysis/data
COLS=workload,case,params,family,unit,better,tier,tier_name,file,level,nature,accelerator,reference,kind,median,n,median_reference,n_reference,overhead_pct,ci_lo_pct,ci_hi_pct,ratio,cv,outliers,few_samples,high_cv,no_ratio,unstable,state,note

# check.py TAG LONG.csv LONG.json TABLE.json COLS NA-CASE NA-NOTE: one line per check,
# "ok<TAB>name" or "FAIL<TAB>name<TAB>detail".
cat >"$TMP/check.py" <<'EOF'
import csv, json, math, sys

tag, long_csv, long_json, table_json, cols, na_case, na_note = sys.argv[1:8]
cols = cols.split(",")
NUMS = ["level", "median", "n", "median_reference", "n_reference", "overhead_pct",
        "ci_lo_pct", "ci_hi_pct", "ratio", "cv", "outliers"]
FLAGS = ["few_samples", "high_cv", "no_ratio", "unstable"]
FIGURES = [c for c in NUMS if c != "level"] + FLAGS


def check(name, cond, detail=""):
    print("%s\t%s: %s\t%s" % ("ok" if cond else "FAIL", tag, name, detail))


def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


with open(long_csv, newline="") as f:
    text = f.read()
with open(long_csv, newline="") as f:
    reader = csv.DictReader(f)
    rows = list(reader)
    header = reader.fieldnames
table = json.load(open(table_json))
long = json.load(open(long_json))

check("header is the documented columns", header == cols, str(header))
lines = text.split("\n")
check("no comment lines", not any(l.startswith("#") for l in lines))
n_lines = len([l for l in lines if l])
check("one line per row (no multi-line cell)", n_lines == len(rows) + 1,
      "%d lines, %d rows" % (n_lines, len(rows)))
ragged = [r for r in rows if None in r or None in r.values()]
check("every row has the header's columns", not ragged, str(ragged[:1]))
rows = [{k: v or "" for k, v in r.items() if k is not None} for r in rows]   # go on checking

bad = []
for r in rows:
    for c in NUMS:
        if r[c] != "":
            try:
                float(r[c])
            except ValueError:
                bad.append((c, r[c]))
    bad += [(c, r[c]) for c in FLAGS if r[c] not in ("", "0", "1")]
    bad += [("state", r["state"])] if r["state"] not in ("ok", "n/a", "absent") else []
    bad += [("kind", r["kind"])] if r["kind"] not in ("baseline", "overhead", "step") else []
    bad += [("better", r["better"])] if r["better"] not in ("lower", "higher") else []
check("numbers parse as floats, flags 0/1, states and kinds known", not bad, str(bad[:3]))

n_cases, n_cols = len(table["rows"]), len(table["columns"])
check("a row per case and column (%d x %d)" % (n_cases, n_cols), len(rows) == n_cases * n_cols,
      "%d rows" % len(rows))

# Every cell against the table's JSON, found by case key and column label.
by_cell = {(r["case"], r["tier"]): r for r in rows}
check("case and tier identify a row", len(by_cell) == len(rows))
wrong, n_ok, n_na = [], 0, 0
for tr in table["rows"]:
    for col, cell in zip(table["columns"], tr["cells"]):
        r = by_cell.get((tr["key"], col["label"]))
        if r is None:
            wrong.append(("missing", tr["key"], col["label"]))
            continue
        if r["state"] != cell["state"] or r["kind"] != col["kind"] or r["unit"] != tr["unit"]:
            wrong.append(("state/kind/unit", tr["key"], col["label"]))
            continue
        if cell["state"] == "n/a":
            n_na += 1
            if r["note"] != (cell.get("reason") or "").replace("\r", " ").replace("\n", " "):
                wrong.append(("note", r["note"], cell.get("reason")))
        if cell["state"] != "ok":
            if any(r[c] != "" for c in FIGURES):
                wrong.append(("a figure without a measurement", tr["key"], col["label"]))
            continue
        n_ok += 1
        keys = ["median", "n"] if col["kind"] == "baseline" else \
            ["median", "n", "median_reference", "n_reference", "overhead_pct", "ci_lo_pct", "ci_hi_pct"]
        for k in keys:
            if r[k] == "" or not close(r[k], cell[k]):
                wrong.append((k, tr["key"], col["label"], r[k], cell[k]))
        if col["kind"] == "baseline":
            if r["overhead_pct"] != "" or r["ratio"] != "" or r["reference"] != r["tier"]:
                wrong.append(("baseline references itself, no overhead", tr["key"]))
        elif not close(r["ratio"], 1 + float(r["overhead_pct"]) / 100) or \
                r["reference"] == r["tier"]:
            wrong.append(("ratio or reference", tr["key"], col["label"], r["ratio"]))
        if r["tier_name"] != col["tier"] or int(r["level"]) != col["level"]:
            wrong.append(("tier name or level", tr["key"], col["label"]))
check("every figure as -f json has it (%d cells with figures, %d n/a)" % (n_ok, n_na),
      not wrong and n_ok > 0, str(wrong[:3]))

# The skipped case: n/a with the reason on every tier that has it (absent on the others).
na = [r for r in rows if r["case"] == na_case and r["state"] != "absent"]
check("%s: n/a with its reason on every tier" % na_case,
      na and all(r["state"] == "n/a" and na_note in r["note"] and r["median"] == "" for r in na),
      str([(r["tier"], r["state"], r["note"]) for r in na]))

check("JSON form: schema and version",
      long.get("schema") == "nestbench-long" and long.get("version") == 1)
diff = []
for r, j in zip(rows, long.get("rows", [])):
    if list(j.keys()) != cols:
        diff.append(("keys", list(j.keys())))
        continue
    for c in cols:
        v, s = j[c], r[c]
        same = (s == "" if v is None else s == ("1" if v else "0") if isinstance(v, bool)
                else s != "" and close(s, v) if isinstance(v, (int, float)) else s == v)
        if not same:
            diff.append((r["case"], r["tier"], c, s, v))
check("JSON form has the same rows", len(long.get("rows", [])) == len(rows) and not diff,
      str(diff[:3]))
EOF

# long_forms TAG NA-CASE NA-NOTE FILE...: the three forms of the table of FILE..., then the checks.
long_forms() {
	tag=$1 na_case=$2 na_note=$3
	shift 3
	expect_status "$tag: long-csv" 0 "$N" table -f long-csv "$@"
	cp "$TMP/out" "$TMP/$tag.csv"
	expect_status "$tag: long-json" 0 "$N" table -f long-json "$@"
	cp "$TMP/out" "$TMP/$tag.long.json"
	"$N" table -f json "$@" >"$TMP/$tag.json" 2>/dev/null
	if python3 "$TMP/check.py" "$tag" "$TMP/$tag.csv" "$TMP/$tag.long.json" "$TMP/$tag.json" \
		"$COLS" "$na_case" "$na_note" >"$TMP/py.out" 2>"$TMP/py.err"; then
		ok "$tag: the Python checks ran"
	else
		fail "$tag: the Python checks ran" "$(tail -3 "$TMP/py.err")"
	fi
	while IFS='	' read -r st name detail; do
		if [ "$st" = ok ]; then ok "$name"; else fail "$name" "$detail"; fi
	done <"$TMP/py.out"
}

long_forms lab-demo "exit.pio port=0x80" "skipped" results/example/lab-demo.json
long_forms kvm "exit.pio port=0x80" "skipped" "$D/kvm.json"
long_forms multi "exit.pio port=0x80" "skipped" "$D/kvm.json" "$D/hyperv.json" "$D/tcg.json"
# A reason over two lines, with a comma and quotes: one line, quoted as RFC 4180 says.
jq '(.tiers[].cases[] | select(.workload == "exit.pio")) |= (.reason = "no port\nsecond line, \"quoted\"")' \
	"$D/kvm.json" >"$TMP/nl.json"
long_forms two-line-reason "exit.pio port=0x80" 'skipped: no port second line, "quoted"' "$TMP/nl.json"
expect_grep "two-line reason: one quoted field" ',n/a,"exit.pio port=0x80 on KVM L1: skipped: no port second line, ""quoted"""$' \
	"$TMP/two-line-reason.csv"

# Known cells, independently of the other formats: a time and a throughput overhead, a
# step, the baseline, a tier's nature and accelerator, a failed case, absent workloads.
expect_grep "time overhead 11 over 10" \
	'^cpu.int,cpu.int,,cpu,ns/op,lower,KVM L1,L1,tests/analysis/data/kvm.json,1,KVM guest (signature KVMKVMKVM),[a-z]*,bare metal L0,overhead,11,7,10,7,10,' \
	"$TMP/kvm.csv"
expect_grep "throughput overhead 1000 over 800 MB/s" \
	'^mem.bw.copy,mem.bw.copy thp=0,thp=0,mem,MB/s,higher,KVM L1,L1,[^,]*,1,[^,]*,[a-z]*,bare metal L0,overhead,800,7,1000,7,25,.*,1.25,' \
	"$TMP/kvm.csv"
expect_grep "step L2 over L1" ',KVM L2/L1,L2,[^,]*,2,.*,KVM L1,step,.*,60,' "$TMP/kvm.csv"
expect_grep "baseline row references itself" \
	'^cpu.int,cpu.int,,cpu,ns/op,lower,bare metal L0,L0,[^,]*,0,[^,]*,,bare metal L0,baseline,10,7,10,7,,,,,' \
	"$TMP/kvm.csv"
expect_grep "TCG tier: nature quoted, accelerator tcg" \
	',QEMU TCG L1,L1,tests/analysis/data/tcg.json,1,"QEMU TCG guest ([^"]*), accelerator tcg",tcg,' \
	"$TMP/multi.csv"
expect_grep "failed on L2: n/a with its reason" \
	'^io.fsync,io.fsync bs=4K direct=1 size=64M,bs=4K;direct=1;size=64M,io,.*,KVM L2,L2,.*,n/a,.*on KVM L2: failed: ' \
	"$TMP/kvm.csv"
expect_grep "failed on L2: L1 still ok" '^io.fsync,io.fsync bs=4K direct=1 size=64M,.*,KVM L1,L1,.*,ok,$' "$TMP/kvm.csv"
# Files of campaigns with other workloads: absent cells (their emptiness is checked above).
expect_grep "absent cells in the long form" ',absent,$' "$TMP/multi.csv"

# R's read.csv with its defaults, where R is installed.
if command -v Rscript >/dev/null; then
	rows=$(($(wc -l <"$TMP/lab-demo.csv") - 1))
	if Rscript -e 'd <- read.csv(commandArgs(TRUE)[1]);
		stopifnot(nrow(d) == as.integer(commandArgs(TRUE)[2]), ncol(d) == 30,
			  is.numeric(d$overhead_pct), is.numeric(d$median), any(d$state == "n/a"))' \
		"$TMP/lab-demo.csv" "$rows" >"$TMP/r.out" 2>&1; then
		ok "R read.csv loads it with its defaults"
	else
		fail "R read.csv loads it with its defaults" "$(tail -3 "$TMP/r.out")"
	fi
else
	echo "skip R read.csv: R not installed (apt-get install r-base-core)"
fi

# The formats are named in the help and in the error for an unknown one.
expect_status "table --help" 0 "$N" table --help
expect_grep "help names long-csv and long-json" 'long-csv or long-json: tidy data' "$TMP/out"
expect_status "unknown format" 2 "$N" table -f long-xml "$D/kvm.json"
expect_grep "error lists the long formats" 'or long-csv or long-json (a row per workload and tier)' "$TMP/err"

finish long-cli
