# test_report_cli.sh - nestbench table, compare and plot on the hand-made result files
# of tests/analysis/data/ (every median a round number): each table format and compare
# against golden files in tests/analysis/golden/, exit statuses 0, 1, 2 and 3 with their
# messages, a LaTeX compile when the TeX packages are installed, and the charts.
# After an intended change of the output: UPDATE_GOLDEN=1 sh tests/cli/test_report_cli.sh,
# then read the diff before committing it.
. tests/cli/lib.sh
N="$BUILD/nestbench"
D=tests/analysis/data
G=tests/analysis/golden

# golden NAME STATUS CMD...: CMD exits with STATUS and prints exactly $G/NAME.
golden() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	[ -n "${UPDATE_GOLDEN:-}" ] && cp "$TMP/out" "$G/$name"
	if [ "$got" -ne "$want" ]; then
		fail "golden $name" "exit status $got, wanted $want; stderr: $(head -c 300 "$TMP/err")"
	elif diff -u "$G/$name" "$TMP/out" >"$TMP/diff"; then
		ok "golden $name"
	else
		fail "golden $name" "$(head -30 "$TMP/diff")"
	fi
}

# ---- tables: every format, one file and several --------------------------------------
golden table-kvm.md 0 "$N" table "$D/kvm.json"
golden table-kvm.tex 0 "$N" table --format latex "$D/kvm.json"
golden table-kvm.csv 0 "$N" table --format csv "$D/kvm.json"
golden table-kvm.json 0 "$N" table --format json "$D/kvm.json"
golden table-multi.md 0 "$N" table "$D/kvm.json" "$D/hyperv.json" "$D/tcg.json"
golden table-multi.tex 0 "$N" table -f latex "$D/kvm.json" "$D/hyperv.json" "$D/tcg.json"
golden table-baseline-hyperv.csv 0 "$N" table -f csv --baseline hyperv.json:L1 "$D/kvm.json" "$D/hyperv.json"
expect_grep "different binaries warned on stderr" "different nestbench-work binaries" "$TMP/err"
# configs/hyperv-l1.json run on a KVM guest (a version 1 file): the column says so.
golden table-mislabelled.md 0 "$N" table "$D/kvm.json" "$D/mislabelled.json"
expect_grep "a contradicted label is in the column's name" '| KVM L1 (NOT Hyper-V as labelled) |' "$TMP/out"

# Known figures, independently of the golden files.
"$N" table -f csv "$D/kvm.json" >"$TMP/kvm.csv"
expect_grep "time overhead 11 over 10" '^cpu,cpu.int,cpu.int,ns/op,lower,10,7,10.0000,' "$TMP/kvm.csv"
expect_grep "throughput overhead 1000 over 800 MB/s" '^mem,mem.bw.copy,mem.bw.copy thp=0,MB/s,higher,1000,7,25.0000,' "$TMP/kvm.csv"
expect_grep "step L2 over L1" '^mem,mem.bw.copy,.*,60.0000,[0-9.]*,[0-9.]*,,' "$TMP/kvm.csv"
expect_grep "failed case is n/a with its reason" 'n/a,n/a,n/a,n/a,n/a,n/a,\[1\] io.fsync .* failed: ' "$TMP/kvm.csv"
"$N" table "$D/kvm.json" "$D/hyperv.json" "$D/tcg.json" >"$TMP/multi.md" 2>/dev/null
expect_grep "columns per hypervisor and level" '| bare metal L0 median | KVM L1 | KVM L2 | KVM L2/L1 | Hyper-V L1 | Hyper-V L2 | Hyper-V L2/L1 | QEMU TCG L1 |' "$TMP/multi.md"
expect_grep "TCG shown as TCG" 'QEMU TCG L1: tier L1 of F3, level 1: QEMU TCG guest (signature TCGTCGTCGTCG), accelerator tcg' "$TMP/multi.md"
expect_grep "summary mean named" 'geometric mean of the per-workload ratios' "$TMP/multi.md"
expect_grep "seed printed" 'seed 1: --seed 1 reproduces it' "$TMP/multi.md"

# Reproducible bit for bit; another seed moves only the intervals.
"$N" table -f json "$D/kvm.json" >"$TMP/a.json"
"$N" table -f json "$D/kvm.json" >"$TMP/b.json"
cmp -s "$TMP/a.json" "$TMP/b.json" && ok "same seed, same table" || fail "same seed, same table"
"$N" table -f json --seed 12345 --resamples 1000 "$D/kvm.json" >"$TMP/c.json"
jq -e -s '(.[0].rows | map(.cells[1].overhead_pct)) == (.[1].rows | map(.cells[1].overhead_pct))
          and (.[0].rows | map(.cells[1].ci_lo_pct)) != (.[1].rows | map(.cells[1].ci_lo_pct))
          and .[1].seed == "12345" and .[1].resamples == 1000' "$TMP/a.json" "$TMP/c.json" >/dev/null &&
	ok "another seed, other intervals, same points" || fail "another seed, other intervals, same points"

# The LaTeX compiles where TeX with booktabs and siunitx is installed (that it fits a
# column or a page: tests/cli/test_latex_cli.sh).
if command -v pdflatex >/dev/null && kpsewhich siunitx.sty >/dev/null 2>&1 &&
   kpsewhich booktabs.sty >/dev/null 2>&1; then
	mkdir -p "$TMP/tex"
	"$N" table -f latex "$D/kvm.json" "$D/hyperv.json" "$D/tcg.json" >"$TMP/tex/t.tex" 2>/dev/null
	printf '%s\n' '\documentclass{article}' '\usepackage[a4paper,landscape,margin=1cm]{geometry}' \
		'\usepackage{booktabs}' '\usepackage{siunitx}' '\begin{document}' '\input{t.tex}' \
		'\end{document}' >"$TMP/tex/doc.tex"
	if (cd "$TMP/tex" && pdflatex -interaction=nonstopmode -halt-on-error doc.tex >log.txt 2>&1); then
		ok "LaTeX table compiles with booktabs and siunitx"
	else
		fail "LaTeX table compiles with booktabs and siunitx" "$(grep -A3 '^!' "$TMP/tex/log.txt" | head -8)"
	fi
	"$N" table -c -f latex "$D/counters.json" >"$TMP/tex/t.tex"
	if (cd "$TMP/tex" && pdflatex -interaction=nonstopmode -halt-on-error doc.tex >log.txt 2>&1); then
		ok "LaTeX table with counter columns compiles"
	else
		fail "LaTeX table with counter columns compiles" "$(grep -A3 '^!' "$TMP/tex/log.txt" | head -8)"
	fi
else
	echo "skip LaTeX compile: pdflatex with siunitx and booktabs not installed" \
	     "(apt-get install texlive-latex-base texlive-latex-recommended texlive-science)"
fi
expect_grep "LaTeX uses booktabs rules" '^\\toprule$' "$G/table-kvm.tex"
expect_grep "LaTeX uses siunitx columns" 'S\[table-format=4\.3\]' "$G/table-kvm.tex"

# ---- counter columns (--counters) ------------------------------------------------------
# counters.json: hand-made, per-op figures round; lab-exits.json: a real lab run, trimmed
# (L1 under TCG, L2 under KVM in L1, L2's exits counted by L1).
golden table-counters.md 0 "$N" table --counters "$D/counters.json"
golden table-counters.tex 0 "$N" table --counters -f latex "$D/counters.json"
golden table-counters.csv 0 "$N" table --counters -f csv "$D/counters.json"
golden table-counters.json 0 "$N" table --counters -f json "$D/counters.json"
golden table-lab-counters.md 0 "$N" table -c --baseline L1 "$D/lab-exits.json"

# Known figures, independently of the golden files.
"$N" table --counters "$D/counters.json" >"$TMP/ctr.md"
expect_grep "counter columns metric by metric" '| Workload | KVM L1 exits/op | KVM L2 exits/op | bare metal L0 IPC | KVM L1 IPC |' "$TMP/ctr.md"
expect_grep "exits/op of later visits, main reason" '| exit.cpuid | 1.043 (CPUID 1.004) | 1.35 (cpuid 1.042) |' "$TMP/ctr.md"
expect_grep "unsupported counter is n/a, never 0" '| cpu.int | 0.006 (EXTERNAL_INTERRUPT 0.004) | n/a \[3\] | 2 | n/a \[4\] | n/a \[4\] | 1 (est.) |' "$TMP/ctr.md"
expect_grep "its footnote quotes the tier's reason" '^- \[4\] cycles unsupported on this tier: not supported here (No such file or directory): no PMU exposed to this tier?$' "$TMP/ctr.md"
expect_grep "exits not countable: n/a with the reason" '^- \[11\] no exit total: tier L1 cannot count exits: no process on this tier has a KVM VM open' "$TMP/ctr.md"
expect_grep "per-visit fixed cost explained" 'so it includes a fixed cost per visit' "$TMP/ctr.md"
"$N" table "$D/counters.json" >"$TMP/plain.md"
grep -q 'Counters per operation\|exits/op' "$TMP/plain.md" && fail "default table has no counter columns" ||
	ok "default table has no counter columns"
"$N" table -f json "$D/counters.json" | jq -e 'has("counter_columns") | not' >/dev/null &&
	ok "default JSON has no counter columns" || fail "default JSON has no counter columns"
"$N" table -c -f json "$D/counters.json" >"$TMP/ctr.json"
jq -e '(.rows[] | select(.key == "exit.cpuid") | .counters[0]) as $c
       | $c.state == "ok" and $c.median == 1.043 and $c.n == 2 and $c.top_reason.name == "CPUID"
         and .counter_columns[0].metric == "exits_per_op" and .counter_columns[0].tier == "L1"' \
	"$TMP/ctr.json" >/dev/null && ok "JSON exits/op cell" || fail "JSON exits/op cell" "$(head -c 300 "$TMP/ctr.json")"
jq -e '[.rows[] | select(.key == "cpu.int") | .counters[3]][0] | .state == "n/a" and (.reason | test("no PMU")) and (has("median") | not)' \
	"$TMP/ctr.json" >/dev/null && ok "JSON n/a cell has a reason and no number" || fail "JSON n/a cell has a reason and no number"
"$N" table -c -f csv "$D/counters.json" >"$TMP/ctr.csv"
expect_grep "CSV counter headers" ',KVM L1 exits/op,KVM L1 exits/op reason,KVM L1 exits/op reason per op,KVM L2 exits/op,' "$TMP/ctr.csv"
expect_grep "CSV counter cells" '^exit,exit.cpuid,exit.cpuid,ns/op,lower,52,3,.*,1.043,CPUID,1.0042,1.35,cpuid,1.042,' "$TMP/ctr.csv"
# The lab: about one cpuid exit per cpuid at L2 (plus the start-up cost of each visit),
# about none per syscall, one page fault per pf.anon fault on both tiers.
"$N" table -c --baseline L1 "$D/lab-exits.json" >"$TMP/lab.md"
expect_grep "lab: exit.cpuid exits/op with cpuid" '| exit.cpuid leaf=0 | 2.283 (cpuid 1.141) |' "$TMP/lab.md"
expect_grep "lab: ctl.syscall about no exit" '| ctl.syscall | 0.009694 (msr 0.002681) |' "$TMP/lab.md"
expect_grep "lab: one fault per pf.anon op on each tier" '| pf.anon cold_wait_ms=3000 regime=warm | [^|]* | 1 | 1 |' "$TMP/lab.md"

# ---- compare: the gate's decisions and exit statuses ----------------------------------
golden compare.md 1 "$N" compare "$D/compare-base.json" "$D/compare-new.json"
expect_grep "regression named on stderr" 'regression: mem.bw.copy thp=0 on L0: -10.0 % \[-10.9, -9.1\] in MB/s, higher is better' "$TMP/err"
golden compare.json 1 "$N" compare --format json "$D/compare-base.json" "$D/compare-new.json"
# 15 %: the drop is within the threshold, but the case missing from NEW leaves the gate
# inconclusive (3), and says so on stderr.
golden compare-threshold.md 3 "$N" compare --threshold 15 "$D/compare-base.json" "$D/compare-new.json"
expect_grep "inconclusive case named on stderr" 'inconclusive: pf.file size=64M on L0: missing from NEW' "$TMP/err"
expect_status "compare a file with itself" 0 "$N" compare "$D/kvm.json" "$D/kvm.json"
expect_grep "no regression said" "no regression" "$TMP/out"
expect_grep "identical is no change" '| L1 | cpu.int | ns/op | 11.00 (n 7) | 11.00 (n 7) | +0.0 \[-1.0, +1.0\] | 1 | no change' "$TMP/out"
expect_grep "3 against 3 is inconclusive" 'L1 | pf.anon .* | \*inconclusive\*: too few samples: 3 against 3' "$TMP/out"
expect_grep "too few samples warned on stderr" 'warning: 3 cells inconclusive for lack of samples' "$TMP/err"
expect_status "--strict: inconclusive cells fail" 3 "$N" compare --strict "$D/kvm.json" "$D/kvm.json"
expect_status "--correction bh accepted" 0 "$N" compare --correction bh "$D/kvm.json" "$D/kvm.json"
# A changed binary or a tier whose nature changed makes the gate inconclusive (3).
sed 's/"work_sha256": "a\{64\}"/"work_sha256": "'"$(printf 'c%.0s' $(seq 64))"'"/' "$D/kvm.json" >"$TMP/other-work.json"
expect_status "changed binary is inconclusive" 3 "$N" compare "$D/kvm.json" "$TMP/other-work.json"
expect_grep "changed binary named" 'Not comparable\*\*: nestbench-work changed' "$TMP/out"
sed 's/"nature": "KVM guest (signature KVMKVMKVM)"/"nature": "QEMU TCG guest (signature TCGTCGTCGTCG)"/' "$D/kvm.json" >"$TMP/tcg-now.json"
expect_status "changed tier nature is inconclusive" 3 "$N" compare "$D/kvm.json" "$TMP/tcg-now.json"
expect_grep "changed nature named" 'Tier L1 not comparable\*\*: tier nature changed: KVM guest' "$TMP/out"

# ---- bad input: one message naming cause and fix, exit status 2 -----------------------
expect_status "other schema version" 2 "$N" table "$D/other-version.json"
expect_grep "version named" "has schema version 99; this nestbench reads versions 1 to 2" "$TMP/err"
expect_status "not JSON" 2 "$N" table "$D/not-json.json"
expect_grep "not JSON named" "not-json.json is not JSON" "$TMP/err"
expect_status "missing file" 2 "$N" compare "$D/kvm.json" "$D/no-such.json"
expect_grep "missing file named" "cannot open result file $D/no-such.json" "$TMP/err"
expect_status "unknown baseline" 2 "$N" table --baseline L9 "$D/kvm.json"
expect_grep "baseline choices listed" 'no tier "L9" in the files given: name one of kvm.json:L0, kvm.json:L1' "$TMP/err"
expect_status "ambiguous baseline" 2 "$N" table --baseline L1 "$D/kvm.json" "$D/hyperv.json"
expect_grep "ambiguous baseline explained" "name one as FILE:TIER" "$TMP/err"
expect_status "no level-0 tier" 2 "$N" table "$D/hyperv.json"
expect_grep "no level-0 tier explained" "no level-0 tier .* --baseline" "$TMP/err"
expect_status "mismatched workloads (table)" 2 "$N" table "$D/mismatch.json"
expect_grep "mismatch explained" "no workload in common between the baseline" "$TMP/err"
expect_status "mismatched workloads (compare)" 2 "$N" compare "$D/compare-base.json" "$D/mismatch.json"
expect_grep "compare mismatch explained" "no workload in common: BASE has L0 (7 cases); NEW has" "$TMP/err"
expect_status "empty samples (table)" 2 "$N" table "$D/empty-samples.json"
expect_grep "empty samples explained" "has no samples .*nestbench run --resume" "$TMP/err"
expect_status "empty samples (compare)" 2 "$N" compare "$D/empty-samples.json" "$D/empty-samples.json"
expect_status "one file to compare" 2 "$N" compare "$D/kvm.json"
expect_status "unknown format" 2 "$N" table -f xml "$D/kvm.json"
expect_grep "formats listed" "choose md, latex, csv or json" "$TMP/err"
expect_status "bad level" 2 "$N" table --level 95 "$D/kvm.json"
expect_status "bad threshold" 2 "$N" compare --threshold lots "$D/kvm.json" "$D/kvm.json"
expect_status "bad alpha" 2 "$N" compare --alpha 0 "$D/kvm.json" "$D/kvm.json"
expect_status "bad correction" 2 "$N" compare --correction bonferroni "$D/kvm.json" "$D/kvm.json"
expect_grep "corrections listed" "choose holm, bh or none" "$TMP/err"
expect_status "no files" 2 "$N" table
for c in table plot compare; do
	expect_status "$c --help" 0 "$N" "$c" --help
	expect_grep "$c --help is its usage" "usage: nestbench $c" "$TMP/out"
done
"$N" --help >"$TMP/out"
expect_grep "main usage lists table, plot, compare" 'compare BASE NEW' "$TMP/out"

# ---- plot ------------------------------------------------------------------------------
png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
if command -v gnuplot >/dev/null; then
	expect_status "plot three files" 0 "$N" plot --out "$TMP/plots" "$D/kvm.json" "$D/hyperv.json" "$D/tcg.json"
	for c in overhead mem_lat exits; do
		png "$TMP/plots/$c.png" && ok "$c.png is a PNG" || fail "$c.png is a PNG"
		[ -s "$TMP/plots/$c.gp" ] && [ -s "$TMP/plots/$c.dat" ] && ok "$c.gp and $c.dat kept" ||
			fail "$c.gp and $c.dat kept"
		expect_grep "$c.png path printed" "^$TMP/plots/$c.png\$" "$TMP/out"
	done
	expect_grep "bars from the table's figures, as slowdown factors" '^0 "cpu.int" 1.1 [0-9.]* [0-9.]* "" 1.32 ' "$TMP/plots/overhead.dat"
	expect_grep "slowdown on a log axis" 'set logscale y 2' "$TMP/plots/overhead.gp"
	expect_grep "  ... its tics say the factor and the percentage" "'×2 (+100 %%)' 2" "$TMP/plots/overhead.gp"
	# One colour per tier label in every chart of a report (the baseline's too).
	if python3 - "$TMP/plots" >"$TMP/colours" 2>&1 <<'PY'
import re, sys, os
d = sys.argv[1]
seen = {}
def note(title, colour):
    title = re.sub(r" \(.*\)$", "", title)
    if seen.setdefault(title, colour) != colour:
        sys.exit("%s: %s and %s" % (title, seen[title], colour))
for name in ("overhead", "exits"):
    gp = open(os.path.join(d, name + ".gp")).read()
    titles = re.findall(r"'((?:[^']|'')*)'", re.search(r"array titles\[\d+\] = \[(.*)\]", gp).group(1))
    colours = re.findall(r"'(#[0-9A-Fa-f]{6})'", re.search(r"array colours\[\d+\] = \[(.*)\]", gp).group(1))
    assert len(titles) == len(colours), (titles, colours)
    for t, c in zip(titles, colours):
        note(t, c)
for c, t in re.findall(r"lc rgb '(#[0-9A-Fa-f]{6})' dt \d+ title '((?:[^']|'')*)'", open(os.path.join(d, "mem_lat.gp")).read()):
    note(t.split(" thp")[0], c)
print(len(seen), "tiers,", len(set(seen.values())), "colours")
PY
	then ok "one colour per tier across the charts ($(cat "$TMP/colours"))"; else fail "one colour per tier across the charts" "$(cat "$TMP/colours")"; fi
	expect_grep "png and pdf by default" "^$TMP/plots/overhead.pdf\$" "$TMP/out"
	[ "$(head -c 4 "$TMP/plots/exits.pdf")" = "%PDF" ] && ok "  ... the pdf is a PDF" || fail "  ... the pdf is a PDF"
	expect_grep "one bar per tier and hypervisor" "array titles\[5\] = \['KVM L1', 'KVM L2', 'Hyper-V L1', 'Hyper-V L2', 'QEMU TCG L1'\]" "$TMP/plots/overhead.gp"
	expect_grep "mem.lat points" '^16384 1.5 ' "$TMP/plots/mem_lat.dat"
	expect_grep "mem.lat on a log axis" 'set logscale xy 2' "$TMP/plots/mem_lat.gp"
	expect_grep "exits on a log axis" 'set logscale y' "$TMP/plots/exits.gp"
	expect_grep "skipped exit marked" '"exit.pio (ns/op): not measured"' "$TMP/plots/exits.dat"
	expect_grep "no exits/op where none were counted" '^0 "exit.cpuid (ns/op)" [0-9.]* [0-9.]* [0-9.]* "" "" ' "$TMP/plots/exits.dat"
	expect_grep "a tier without a figure is marked n/a" '"n/a"' "$TMP/plots/exits.dat"
	expect_grep "  ... and why, under the chart" "^set label 3 'n/a: exit.pio" "$TMP/plots/exits.gp"
	# Exits per operation above the bars of the tiers whose exits were counted.
	expect_status "plot with exits counted" 0 "$N" plot -o "$TMP/cplots" "$D/counters.json"
	expect_grep "exits/op beside the latency" '^0 "exit.cpuid (ns/op)" 52 [0-9.]* [0-9.]* "" "" 1510 [0-9.]* [0-9.]* "1.043 exits/op" "" 31000 [0-9.]* [0-9.]* "1.35 exits/op" ""$' "$TMP/cplots/exits.dat"
	expect_grep "exits/op drawn as labels" 'with labels rotate by 90' "$TMP/cplots/exits.gp"
	expect_grep "exits/op explained" 'above a bar: VM exits per operation counted by the parent tier' "$TMP/cplots/exits.gp"
	png "$TMP/cplots/exits.png" && ok "exits.png with exits/op is a PNG" || fail "exits.png with exits/op is a PNG"
	# A user restyles a script and reruns it by hand in the directory.
	(cd "$TMP/plots" && rm overhead.png && sed -i 's/solid 0.85/solid 0.5/' overhead.gp && gnuplot overhead.gp 2>/dev/null) &&
		png "$TMP/plots/overhead.png" && ok "scripts rerun by hand" || fail "scripts rerun by hand"
	expect_status "plot svg" 0 "$N" plot -f svg -o "$TMP/svg" "$D/kvm.json"
	grep -q '<svg' "$TMP/svg/overhead.svg" && ok "svg written" || fail "svg written"
	mkdir -p "$TMP/r" && cp "$D/kvm.json" "$TMP/r/kvm-host-1.json"
	expect_status "plot default directory" 0 "$N" plot "$TMP/r/kvm-host-1.json"
	expect_grep "default directory beside the file" "^$TMP/r/plots/kvm-host-1/overhead.png\$" "$TMP/out"
	# A tier without mem.lat samples: the other tiers' lines are still drawn.
	jq '(.tiers[0].cases[] | select(.workload == "mem.lat")) |= (.status = "skipped" | .samples = [] | .reason = "test")' \
		"$D/kvm.json" >"$TMP/nolat.json"
	expect_status "plot with an empty first series" 0 "$N" plot -o "$TMP/nolat" "$TMP/nolat.json"
	png "$TMP/nolat/mem_lat.png" && ok "mem.lat chart without the first tier's line" ||
		fail "mem.lat chart without the first tier's line"
	expect_status "nothing to chart" 2 "$N" plot -o "$TMP/one" --baseline L1 "$D/tcg.json"
	expect_grep "nothing to chart explained" "nothing to chart in these files" "$TMP/err"
else
	echo "skip plot rendering: gnuplot not installed (apt-get install gnuplot-nox)"
fi
expect_status "plot without gnuplot" 2 env PATH=/nonexistent "$N" plot -o "$TMP/nogp" "$D/kvm.json"
expect_grep "gnuplot install named" "apt-get install gnuplot-nox" "$TMP/err"
[ -s "$TMP/nogp/overhead.gp" ] && ok "scripts kept without gnuplot" || fail "scripts kept without gnuplot"
expect_status "plot unknown format" 2 "$N" plot -f gif "$D/kvm.json"

finish report-cli
