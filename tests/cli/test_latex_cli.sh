# test_latex_cli.sh - `nestbench table -f latex` in a paper: both layouts (overhead,
# absolute) at column (252 pt) and page (516 pt) width, with and without --counters and
# --notes, from results/example/lab-demo.json and the fixtures of tests/analysis/data/,
# compiled with pdflatex in a minimal article of that text width; an error, an
# "Overfull \hbox" or a "Float too large" in the log fails.  Without pdflatex, booktabs
# and siunitx the compiles are skipped (`make test` installs them: mk/deps.sh test); the
# checks of the output's structure run everywhere.
. tests/cli/lib.sh
N="$BUILD/nestbench"
D=tests/analysis/data
EX=results/example/lab-demo.json

# ---- structure: short labels, a legend, nothing but figures inside the floats ----------
"$N" table -f latex "$EX" >"$TMP/ex.tex" 2>"$TMP/err"
expect_grep "short label: the parameter that varies" '\\texttt{mem.lat 64M}' "$TMP/ex.tex"
expect_grep "short label: constant parameters dropped" '^\\texttt{io.rand.read} &' "$TMP/ex.tex"
expect_grep "legend maps the label to the key" '\\texttt{mem.lat 64M} = \\texttt{mem.lat size=64M stride=64 thp=0}' "$TMP/ex.tex"
expect_grep "page width is table*" '^\\begin{table\*}\[tbp\]$' "$TMP/ex.tex"
# Inside the floats: no path, hash, kernel or footnote text.
sed -n '/^\\begin{table/,/^\\end{table/p' "$TMP/ex.tex" >"$TMP/floats.tex"
grep -q 'sha256\|results/example\|kernel\|campaign\|Baseline:' "$TMP/floats.tex" &&
	fail "no notes inside the floats" "$(grep -m3 'sha256\|results/example\|kernel\|campaign\|Baseline:' "$TMP/floats.tex")" ||
	ok "no notes inside the floats"
sed -n '/^\\end{table\*}/,$p' "$TMP/ex.tex" | grep -q 'nestbench-work sha256' &&
	ok "notes after the floats" || fail "notes after the floats"
grep -q 'resizebox' "$TMP/ex.tex" && fail "no \\resizebox" || ok "no \\resizebox"
# The family summary is a float of its own, without the workloads.
awk '/^\\begin\{table/ { f = ""; in_f = 1 } in_f { f = f $0 "\n" }
     /^\\end\{table/ { in_f = 0; if (f ~ /Mean overhead/ && f !~ /Workload/) n++ }
     END { exit !(n >= 1) }' "$TMP/ex.tex" && ok "summary in a float of its own" || fail "summary in a float of its own"

"$N" table -f latex --width column --notes "$TMP/notes.tex" "$EX" >"$TMP/col.tex" 2>"$TMP/err"
expect_grep "column width is table" '^\\begin{table}\[tbp\]$' "$TMP/col.tex"
expect_grep "--notes FILE has the notes" 'nestbench-work sha256' "$TMP/notes.tex"
expect_grep "--notes FILE has the legend" '\\texttt{io.rand.write} = \\texttt{io.rand.write bs=4K direct=1 seed=1 size=32M}' "$TMP/notes.tex"
grep -q 'sha256\|Workloads:' "$TMP/col.tex" && fail "--notes: none left in the table" || ok "--notes: none left in the table"
expect_grep "long hex breakable in the notes" '[0-9a-f]\{16\}\\allowbreak{}[0-9a-f]' "$TMP/notes.tex"
# Columns that do not fit a column go to further floats, label columns repeated.
[ "$(grep -c '^\\begin{table}' "$TMP/col.tex")" -gt "$(grep -c '^\\begin{table\*}' "$TMP/ex.tex")" ] &&
	ok "column width: more, narrower floats" || fail "column width: more, narrower floats"
expect_grep "further floats refer to the first" 'Table~\\ref{tab:nestbench}, continued' "$TMP/col.tex"

# Known figures (kvm.json: cpu.int 10 ns on L0, 11 on L1, 13.2 on L2).
"$N" table -f latex --layout absolute "$D/kvm.json" >"$TMP/abs.tex"
expect_grep "absolute: medians, step and overhead" '^\\texttt{cpu.int} & ns/op & 10.00 & 11.00 & +10.0 & 13.20 & +20.0 & +32.0 \\\\$' "$TMP/abs.tex"
expect_grep "absolute: column heads" 'Workload & Unit & median & median & vs base & median & vs L1 & vs base' "$TMP/abs.tex"
expect_grep "absolute: geometric mean per family" 'multicolumn{8}{@{}l}{\\textit{geometric mean}}' "$TMP/abs.tex"
expect_grep "absolute: its caption says what it is" 'Geometric mean: per family, that of the per-workload ratios' "$TMP/abs.tex"
expect_grep "absolute: summary line" '^memory & & & & +14.5 & & +26.0 & +44.2 \\\\$' "$TMP/abs.tex"

# Options: one message with the fix, exit status 2.
expect_status "bad --width" 2 "$N" table -f latex --width narrow "$D/kvm.json"
expect_grep "widths listed" 'choose page (516 pt) or column (252 pt)' "$TMP/err"
expect_status "bad --layout" 2 "$N" table -f latex --layout wide "$D/kvm.json"
expect_grep "layouts listed" 'choose overhead or absolute' "$TMP/err"
expect_status "--width without latex" 2 "$N" table --width column "$D/kvm.json"
expect_grep "latex-only option explained" '--width is for --format latex: add -f latex' "$TMP/err"
expect_status "--notes unwritable" 2 "$N" table -f latex --notes /nonexistent/dir/n.tex "$D/kvm.json"
expect_grep "unwritable notes named" 'cannot write --notes /nonexistent/dir/n.tex' "$TMP/err"

# ---- compiles: every layout and width fits ---------------------------------------------
if ! command -v pdflatex >/dev/null || ! kpsewhich siunitx.sty >/dev/null 2>&1 ||
   ! kpsewhich booktabs.sty >/dev/null 2>&1; then
	echo "skip LaTeX width checks: pdflatex with siunitx and booktabs not installed" \
	     "(apt-get install texlive-latex-base texlive-latex-recommended texlive-science)"
	finish latex-cli
	exit $?
fi
mkdir -p "$TMP/tex"

# fits NAME WIDTH NOTES [HEIGHT]: t.tex (and notes.tex when NOTES is 1) in an article
# whose text is WIDTH pt wide and HEIGHT (650) pt high: no error, no overfull line, no
# float too large.
fits() {
	notes=''
	[ "$3" = 1 ] && notes='\input{notes.tex}'
	printf '%s\n' '\documentclass{article}' \
		"\\usepackage[paperwidth=$(($2 + 100))pt,paperheight=800pt,textwidth=$2pt,textheight=${4:-650}pt]{geometry}" \
		'\usepackage{booktabs}' '\usepackage{siunitx}' '\begin{document}' 'Text before.' \
		'\input{t.tex}' "$notes" 'Text after.' '\end{document}' >"$TMP/tex/doc.tex"
	rm -f "$TMP/tex/doc.log"
	if ! (cd "$TMP/tex" && pdflatex -interaction=nonstopmode -halt-on-error doc.tex >/dev/null 2>&1); then
		fail "$1" "$(grep -A3 '^!' "$TMP/tex/doc.log" | head -8)"
	elif grep -q 'Overfull \\hbox\|Float too large' "$TMP/tex/doc.log"; then
		fail "$1" "$(grep -A2 'Overfull \\hbox\|Float too large' "$TMP/tex/doc.log" | head -9)"
	else
		ok "$1"
	fi
}

# check NAME ARGS...: both layouts at both widths, notes after the floats; HEIGHT, when
# set, the text's height.
check() {
	name=$1
	shift
	for layout in overhead absolute; do
		for width in column page; do
			if "$N" table -f latex --layout $layout --width $width "$@" >"$TMP/tex/t.tex" 2>"$TMP/err"; then
				case $width in column) w=252 ;; *) w=516 ;; esac
				fits "$name: $layout at $width width fits ${w} pt" "$w" 0 "${HEIGHT:-650}"
			else
				fail "$name: $layout at $width width" "$(head -c 300 "$TMP/err")"
			fi
		done
	done
}

check lab-demo "$EX"
check "lab-demo --counters" -c "$EX"
check multi "$D/kvm.json" "$D/hyperv.json" "$D/tcg.json"
check "multi --counters" -c "$D/kvm.json" "$D/hyperv.json" "$D/tcg.json"
check mislabelled "$D/kvm.json" "$D/mislabelled.json"
check "lab-exits --counters" -c --baseline L1 "$D/lab-exits.json"
# Every fixture that makes a table on its own (the others are there to fail).
for f in "$D"/*.json; do
	"$N" table "$f" >/dev/null 2>&1 || continue
	check "$(basename "$f" .json)" "$f"
	check "$(basename "$f" .json) --counters" -c "$f"
done

# Three times the workloads: rows that do not fit a plain article's 550 pt go to further
# floats.
jq '.tiers |= map(.cases |= [.[] as $c | range(3) as $k | $c | .params.rep = ($k | tostring)
     | .key = (.workload + " " + (.params | to_entries | sort_by(.key) | map("\(.key)=\(.value)") | join(" ")))])' \
	"$EX" >"$TMP/big.json"
HEIGHT=550 check "lab-demo x3" -c "$TMP/big.json"
"$N" table -f latex --width column "$TMP/big.json" >"$TMP/big.tex"
[ "$(grep -c '^\\label{tab:nestbench' "$TMP/big.tex")" -ge 5 ] && ok "lab-demo x3: split down the page too" ||
	fail "lab-demo x3: split down the page too" "$(grep -c '^\\label' "$TMP/big.tex") floats"

# --notes FILE, \input after the table at column width.
"$N" table -f latex --width column --notes "$TMP/tex/notes.tex" -c "$EX" >"$TMP/tex/t.tex"
fits "lab-demo --notes: table and notes fit 252 pt" 252 1
"$N" table -f latex --layout absolute --notes "$TMP/tex/notes.tex" "$D/kvm.json" "$D/hyperv.json" "$D/tcg.json" >"$TMP/tex/t.tex" 2>/dev/null
fits "multi --notes: table and notes fit 516 pt" 516 1

finish latex-cli
