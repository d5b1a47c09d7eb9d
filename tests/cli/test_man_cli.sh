# test_man_cli.sh - the manual pages (man/*.scd, built by mk/man.mk into $BUILD/man):
# each renders with `man --warnings` without a warning and with a real body; nestbench(1)
# has a section for every command `nestbench help` lists, nestbench-work(1) one for
# every workload family `nestbench-work list` shows and an entry for every workload,
# and nestbench-campaign(5) names every key harness/config.c accepts, so a new command,
# family, workload or key without documentation fails here.
. tests/cli/lib.sh
N="$BUILD/nestbench"
W="$BUILD/nestbench-work"
M="$BUILD/man"
PAGES="nestbench.1 nestbench-agent.8 nestbench-work.1 nestbench-campaign.5 nestbench-result.5"

# render PAGE [LOCALE]: the page as an 80-column terminal shows it, in $TMP/PAGE.txt
# (plain ASCII in the C locale, the default); groff's warnings in $TMP/PAGE.err.
render() {
	LC_ALL=${2:-C} MANWIDTH=80 MAN_KEEP_FORMATTING= man --warnings -l "$1" \
		>"$TMP/$(basename "$1").txt" 2>"$TMP/$(basename "$1").err"
}

# section PAGE TITLE: the lines of one top-level section of a rendered page (from its
# heading to the next one).
section() {
	awk -v t="$2" '/^[A-Z]/ { on = ($0 == t); next } on' "$TMP/$1.txt"
}

# keys FUNCTION ARRAY: the strings of `static const char *const ARRAY[] = { ... }` in
# FUNCTION of harness/config.c, one a line.
keys() {
	awk -v fn="$1" -v arr="$2" '
		$0 ~ "^(static )?int " fn "\\(" { infn = 1 }
		infn && /^}/ { infn = 0 }
		infn && index($0, "static const char *const " arr "[] = {") { inarr = 1 }
		inarr {
			s = $0
			while (match(s, /"[^"]*"/)) { print substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) }
			if (index($0, "NULL }")) inarr = 0
		}' harness/config.c
}

# The check itself must be able to fail: a page with an undefined character and an
# undefined macro makes man --warnings say so on stderr.
printf '.TH BAD 1\n.SH NAME\nbad \\- a page \\[nosuchchar]\n.nosuchmacro\n' >"$TMP/bad.1"
render "$TMP/bad.1"
if [ -s "$TMP/bad.1.err" ]; then ok "man --warnings reports a broken page"; else
	fail "man --warnings reports a broken page" "no warning on stderr: the render check below proves nothing"
fi

# Every page source is built, and every page this test knows has a source.
for src in man/*.scd; do
	p=$(basename "$src" .scd)
	case " $PAGES " in
	*" $p "*) ;;
	*) fail "man/$p.scd is checked here" "add it to PAGES in tests/cli/test_man_cli.sh" ;;
	esac
done

for p in $PAGES; do
	if [ ! -f "$M/$p" ]; then
		fail "$p is built" "no $M/$p (make BUILD=$BUILD man; source man/$p.scd)"
		continue
	fi
	ok "$p is built"
	# In UTF-8 first, then in ASCII, whose text the checks below read.
	for loc in C.UTF-8 C; do
		if render "$M/$p" $loc; then ok "$p renders ($loc)"; else
			fail "$p renders ($loc)" "$(head -c 300 "$TMP/$p.err")"
		fi
		if [ -s "$TMP/$p.err" ]; then
			fail "$p renders without warnings ($loc)" "$(head -c 500 "$TMP/$p.err")"
		else
			ok "$p renders without warnings ($loc)"
		fi
	done
	name=${p%.*}
	lines=$(wc -l <"$TMP/$p.txt")
	if [ "$lines" -ge 60 ] && section "$p" NAME | grep -q "^ *$name - [a-z]" &&
	   [ -n "$(section "$p" DESCRIPTION)" ] && [ -n "$(section "$p" 'SEE ALSO')" ]; then
		ok "$p has a body (NAME, DESCRIPTION, SEE ALSO; $lines lines)"
	else
		fail "$p has a body (NAME, DESCRIPTION, SEE ALSO)" "$lines lines: $(head -c 300 "$TMP/$p.txt")"
	fi
	# No line wider than the terminal (a literal block too long for 80 columns).
	wide=$(awk 'length > 80' "$TMP/$p.txt" | head -n 1)
	if [ -z "$wide" ]; then ok "$p fits 80 columns"; else fail "$p fits 80 columns" "$wide"; fi
done
for p in nestbench.1 nestbench-agent.8 nestbench-work.1; do
	[ -f "$TMP/$p.txt" ] || continue
	if [ -n "$(section "$p" 'EXIT STATUS')" ]; then ok "$p has EXIT STATUS"; else
		fail "$p has EXIT STATUS"
	fi
done

# nestbench(1): a section "nestbench CMD" for every command of `nestbench help`.
"$N" help >"$TMP/help" 2>&1
cmds=$(awk '/^Commands:/ { on = 1; next } on && /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }' \
	"$TMP/help" | sort -u)
if [ "$(echo "$cmds" | grep -c .)" -ge 5 ]; then ok "nestbench help lists commands ($(echo $cmds))"; else
	fail "nestbench help lists commands" "parsed '$cmds' from: $(head -c 300 "$TMP/help")"
fi
for c in $cmds help; do
	if grep -q "^   nestbench $c\$" "$TMP/nestbench.1.txt"; then ok "nestbench(1) documents $c"; else
		fail "nestbench(1) documents $c" "no section '## nestbench $c' in man/nestbench.1.scd"
	fi
done

# nestbench-work(1): a section "FAMILY: workloads" for every family of the list.
"$W" list >"$TMP/list" 2>&1
families=$(awk 'NR > 1 && NF > 2 { print $2 }' "$TMP/list" | sort -u)
if [ "$(echo "$families" | grep -c .)" -ge 2 ]; then ok "nestbench-work list shows families ($(echo $families))"; else
	fail "nestbench-work list shows families" "parsed '$families' from: $(head -c 300 "$TMP/list")"
fi
for f in $families; do
	if section nestbench-work.1 WORKLOADS | grep -q "^   $f: "; then ok "nestbench-work(1) documents family $f"; else
		fail "nestbench-work(1) documents family $f" "no section '## $f: ...' under WORKLOADS in man/nestbench-work.1.scd"
	fi
done

# ... and every workload by name, as an entry of that list (alone or in a group).
section nestbench-work.1 WORKLOADS >"$TMP/wl"
for w in $(awk 'NR > 1 && NF > 2 { print $1 }' "$TMP/list"); do
	re=$(printf '%s' "$w" | sed 's/\./\\./g')
	if grep -Eq "^       ([a-z0-9.]+, )*$re( |,|\$)" "$TMP/wl"; then ok "nestbench-work(1) documents $w"; else
		fail "nestbench-work(1) documents $w" "no entry '*$w* ...' under WORKLOADS in man/nestbench-work.1.scd"
	fi
done

# nestbench-campaign(5): every key the parser accepts, as an entry of its section
# (a line of the list of keys that starts with it, alone or in a "k1, k2" group).
check_keys() { # FUNCTION ARRAY SECTION
	list=$(keys "$1" "$2")
	if [ "$(echo "$list" | grep -c .)" -ge 2 ]; then ok "config.c $1 $2[] parsed ($(echo $list))"; else
		fail "config.c $1 $2[] parsed" "found '$list': has the table moved?"
		return
	fi
	section nestbench-campaign.5 "$3" >"$TMP/sect"
	for k in $list; do
		if grep -Eq "^       ([a-z_0-9]+, )*$k( |,|\$)" "$TMP/sect"; then
			ok "nestbench-campaign(5) $3 documents $k"
		else
			fail "nestbench-campaign(5) $3 documents $k" "no entry '*$k* ...' under '# $3' in man/nestbench-campaign.5.scd"
		fi
	done
}
check_keys parse_root keys "TOP-LEVEL KEYS"
check_keys parse_root run_keys "RUN SETTINGS"
check_keys parse_tier keys TIERS
check_keys parse_count_exits keys COUNT_EXITS
check_keys parse_workload keys WORKLOADS
check_keys parse_precision keys PRECISION
check_keys parse_order keys ORDER
check_keys parse_quiet keys QUIET
check_keys parse_lab keys LAB
# The guests' keys are named inside the l1 and l2 entries.
for k in $(keys parse_lab l1_keys) $(keys parse_lab l2_keys); do
	if section nestbench-campaign.5 LAB | grep -q "$k"; then ok "nestbench-campaign(5) LAB names $k"; else
		fail "nestbench-campaign(5) LAB names $k"
	fi
done

finish man-cli
