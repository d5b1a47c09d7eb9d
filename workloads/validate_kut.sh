#!/bin/sh
# validate_kut.sh - a benchmark, not a test: nestbench's VM exits on the lab's L2 beside
# kvm-unit-tests' x86/vmexit, which the same L1 runs under KVM as a second L2 (lab
# kut).  ROUNDS rounds alternate the two (kvm-unit-tests first in odd rounds, nestbench
# first in even ones), so the lab's drift hits both alike; medians are compared.
# kvm-unit-tests prints TSC cycles per operation: they become ns with the TSC rate that
# nestbench-work measured in L2 (the same L1 KVM, so the same guest TSC rate).
# Usage: BUILD=build [ROUNDS=5] [KUT_SRC=DIR | KUT_URL=URL] sh workloads/validate_kut.sh
#        REPORT=1 BUILD=build sh workloads/validate_kut.sh   (the table again, from the
#        last run's files in $BUILD/kut, without running anything)
set -u
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-5}
KUT_URL=${KUT_URL:-https://gitlab.com/kvm-unit-tests/kvm-unit-tests.git}
NB="$BUILD/nestbench"
OUT="$BUILD/kut"
LAB="$OUT/lab"
CFG=configs/validate-kut.json

progress() { [ -t 2 ] && printf '\r\033[K%s' "$*" >&2; return 0; }
say() { progress ""; echo "validate (kvm-unit-tests): $*"; }
fmt3() { awk '{ if ($1 == "nan" || $1 == "") print "-"; else printf "%.3f\n", $1 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The source: KUT_SRC (a checkout), else a clone of KUT_URL; built in $OUT/src, never in
# the user's checkout.  No source (no network, no KUT_SRC) skips this part, saying so.
get_source() {
	if [ -d "$OUT/src/x86" ] && [ -z "${KUT_SRC:-}" ]; then return 0; fi
	rm -rf "$OUT/src"
	mkdir -p "$OUT"
	if [ -n "${KUT_SRC:-}" ]; then
		[ -f "$KUT_SRC/x86/vmexit.c" ] || { echo "validate_kut.sh: KUT_SRC=$KUT_SRC is not a kvm-unit-tests checkout (no x86/vmexit.c)" >&2; exit 2; }
		git clone -q "$KUT_SRC" "$OUT/src" 2>/dev/null || cp -R "$KUT_SRC" "$OUT/src"
	elif ! git clone -q --depth 1 "$KUT_URL" "$OUT/src" 2>"$OUT/clone.err"; then
		say "SKIPPED: cannot clone $KUT_URL ($(tail -n 1 "$OUT/clone.err")): give a kvm-unit-tests checkout with KUT_SRC=DIR"
		exit 0
	fi
}

build_vmexit() {
	( cd "$OUT/src" && ./configure --arch=x86_64 >../configure.log 2>&1 &&
		make -j2 x86/vmexit.flat >../make.log 2>&1 ) ||
		{ echo "validate_kut.sh: kvm-unit-tests did not build: see $OUT/configure.log and $OUT/make.log" >&2; exit 2; }
	git -C "$OUT/src" log -1 --format='%h (%cs)' >"$OUT/kut-rev.txt" 2>/dev/null ||
		echo "(unknown revision)" >"$OUT/kut-rev.txt"
}

# kvm-unit-tests' tests: output "NAME CYCLES", and for pci-mem and pci-io "DEVTEST:pci-mem
# CYCLES", one line per pci-testdev test.  One boot of the guest per test (a boot takes
# 1-2 s here), so a test that hangs (self_ipi_sti_hlt: VALIDATION.md) costs only itself
# and the exits counted around a boot are that test's; "none" (no such test) is the boot
# alone, subtracted from the others' counts.
KUT_TESTS="cpuid vmcall mov_from_cr8 mov_to_cr8 inl_from_kernel inl_from_qemu outl_to_kernel rd_tsc_adjust_msr wr_tsc_adjust_msr pci-mem pci-io tscdeadline_immed tscdeadline self_ipi_sti_nop"
kut_one() { # ROUND SMP TIMEOUT TEST [--count-exits]
	"$NB" lab kut --lab-dir "$LAB" --smp "$2" --timeout-s "$3" ${5:-} "$4" >"$OUT/kut.$1.$4.txt" 2>"$OUT/kut.$1.$4.err" ||
		{ echo "validate_kut.sh: round $1: kvm-unit-tests $4: $(tail -n 1 "$OUT/kut.$1.$4.err")" >&2; }
}
kut_round() { # ROUND [--count-exits]
	for t in none $KUT_TESTS; do
		kut_one "$1" 1 120 "$t" ${2:-}
	done
	kut_one "$1" 1 20 self_ipi_sti_hlt ${2:-}
	kut_one "$1" 2 120 ipi ${2:-}
}
nb_round() { # ROUND [CONFIG]
	"$NB" run "${2:-$RUNCFG}" --tier L2 --lab-dir "$LAB" -q -o "$OUT/nb.$1.json" >"$OUT/nb.$1.log" 2>&1 ||
		{ echo "validate_kut.sh: the nestbench run of round $1 failed:" >&2; tail -n 5 "$OUT/nb.$1.log" >&2; }
}

# Times come from the rounds, which count nothing: counting every exit (L1's agent takes
# a perf sample per exit, emulated under TCG) makes each exit dearer, measured in
# VALIDATION.md.  Exits per operation come from one more pass of each, counted
# ("count": nb.count.json, kut.count.*).
# Medians over the rounds: kvm-unit-tests' cycles of one test, nestbench's measured
# repetitions of one case key on L2, L2's TSC rate.
kut_cycles() { cat "$OUT"/kut.[0-9]*.txt 2>/dev/null | awk -v t="$1" '$1 == t && $2 ~ /^[0-9]+$/ { print $2 }' | median; }
nb_values() { # KEY
	for f in "$OUT"/nb.[0-9]*.json; do
		[ -s "$f" ] || continue
		jq -r --arg k "$1" '.tiers[] | select(.name == "L2") | .cases[] | select(.key == $k) |
			.samples[] | select(.warmup != true) | .value' "$f"
	done | median
}
# nestbench's exits per operation (L1's count in the counted pass): all, or of one reason.
nb_exits() { # KEY [REASON]
	[ -s "$OUT/nb.count.json" ] || { echo nan; return; }
	jq -r --arg k "$1" --arg r "${2:-}" '.tiers[] | select(.name == "L2") | .cases[] | select(.key == $k) |
		.samples[] | select(.warmup != true) | if $r == "" then .exits.per_op else .exits.by_reason_per_op[$r] // 0 end // empty' \
		"$OUT/nb.count.json" | median
}
# kvm-unit-tests' exits per operation of test T (all, or of one reason) in the counted
# pass: (exits of its boot - exits of the bare boot) / its operations.  It prints cycles
# per operation of its last pass only, which ran the smallest power of two (at least 64)
# of operations that took 2^30 cycles, after passes of half as many down to 64: 2N - 64
# operations in all.  An estimate: a pass near the limit may have stopped one earlier.
# The exits (all, or of one reason) a counted request's output reports.
kut_count() { # FILE [REASON]
	sed -n 's/^nestbench-kut: exits //p' "$1" | jq -r --arg r "${2:-}" 'if $r == "" then .total else .by_reason[$r] // 0 end // empty'
}
kut_exits() { # TEST [REASON]
	f="$OUT/kut.count.$1.txt" base="$OUT/kut.count.none.txt"
	[ -s "$f" ] && [ -s "$base" ] || { echo nan; return; }
	ops=$(awk -v goal=1073741824 '$2 ~ /^[0-9]+$/ && $1 !~ /^nestbench/ { n = 64; while (n * $2 < goal) n *= 2; ops += 2 * n - 64 }
		END { print ops + 0 }' "$f")
	awk -v t="$(kut_count "$f" "${2:-}")" -v b="$(kut_count "$base" "${2:-}")" -v ops="$ops" \
		'BEGIN { if (t == "" || b == "" || ops == 0) print "nan"; else printf "%.3f\n", (t - b) / ops }'
}

tsc_hz() {
	for f in "$OUT"/nb.[0-9]*.json; do
		[ -s "$f" ] && jq -r '.tiers[] | select(.name == "L2") | .cases[].meta.tsc_hz // empty' "$f"
	done | median
}

rows="" rows2=""
REASONS="cpuid hypercall io msr npf interrupt vintr hlt"
compare() { # LABEL NESTBENCH-KEY KUT-TEST SAME(yes/no)
	c=$(kut_cycles "$3")
	o=$(nb_values "$2")
	x=$(nb_exits "$2")
	kx=$(kut_exits "${3#*:}")   # pci-mem's and pci-io's tests share one boot
	row=$(awk -v c="$c" -v o="$o" -v x="$x" -v kx="$kx" -v hz="$HZ" -v same="$4" 'BEGIN {
		k = (c == "nan" || hz == "nan" || hz == 0) ? "nan" : c / hz * 1e9
		ex = (x == "nan") ? "-" : sprintf("%.2f", x)
		kex = (kx == "nan") ? "-" : sprintf("%.2f", kx)
		if (k == "nan" || o == "nan" || k == 0) { printf "%s | %s | %s | %s | - | - | not measured", (o == "nan" ? "-" : sprintf("%.0f", o)), ex, (k == "nan" ? "-" : sprintf("%.0f (%s cycles)", k, c)), kex; exit }
		r = o / k; d = (r - 1) * 100
		# Per exit: only where both sides exit (a loop without exits costs its instructions).
		pe = (x != "nan" && kx != "nan" && x >= 0.5 && kx >= 0.5) ? sprintf("%.3f", r * kx / x) : "-"
		if (x != "nan" && kx != "nan" && x < 0.01 && kx < 0.01) v = "no exit on either side: loop costs, not compared"
		else if (same != "yes") v = "related, not the same quantity"
		else if (d <= 5 && d >= -5) v = "agree (within 5 %)"
		else v = "DIFFERS: see VALIDATION.md"
		printf "%.0f | %s | %.0f (%s cycles) | %s | %.3f | %s | %s", o, ex, k, c, kex, r, pe, v }')
	rows="$rows| $1 | \`$2\` | \`$3\` | $row |
"
	[ "$4" = yes ] || return 0
	rows2="$rows2| $1 | nestbench | $(echo "$x" | fmt3) |"
	for r in $REASONS; do rows2="$rows2 $(nb_exits "$2" "$r" | fmt3) |"; done
	rows2="$rows2
| $1 | kvm-unit-tests | $(echo "$kx" | fmt3) |"
	for r in $REASONS; do rows2="$rows2 $(kut_exits "${3#*:}" "$r" | fmt3) |"; done
	rows2="$rows2
"
}

measure() {
	[ -f "$BUILD/images/manifest.json" ] || { echo "validate_kut.sh: no guest images in $BUILD/images: run make images" >&2; exit 2; }
	get_source
	build_vmexit
	RUNCFG="$OUT/validate-kut.json"
	jq --arg f "$FLAT" '.lab.kvm_unit_tests = $f' "$CFG" >"$RUNCFG"
	# The counted pass exists to count, its times are not used: count during its visits
	# (per-visit exits per op, as before count_exits.visits).
	jq '.tiers[0].count_exits = {"visits": "timed"}' "$RUNCFG" >"$OUT/validate-kut-count.json"
	rm -f "$OUT"/kut.*.txt "$OUT"/kut.*.err "$OUT"/nb.*.json "$OUT"/nb.*.log "$OUT/lab-state.json"
	trap '"$NB" lab down --lab-dir "$LAB" >/dev/null 2>&1' EXIT INT TERM
	progress "booting the lab (L1, L2) with kvm-unit-tests ..."
	"$NB" lab up "$RUNCFG" --lab-dir "$LAB" --images "$BUILD/images" >"$OUT/lab-up.log" 2>&1 ||
		{ say "the lab did not come up:"; tail -n 15 "$OUT/lab-up.log"; exit 2; }
	cp "$LAB/state.json" "$OUT/lab-state.json"
	i=1
	while [ "$i" -le "$ROUNDS" ]; do
		progress "round $i/$ROUNDS"
		if [ $((i % 2)) -eq 1 ]; then kut_round "$i"; nb_round "$i"; else nb_round "$i"; kut_round "$i"; fi
		i=$((i + 1))
	done
	progress "counting exits (one more pass of each)"
	kut_round count --count-exits
	nb_round count "$OUT/validate-kut-count.json"
	progress ""
}

[ -x "$NB" ] || { echo "validate_kut.sh: $NB missing: run make first" >&2; exit 2; }
FLAT="$OUT/src/x86/vmexit.flat"
[ "${REPORT:-0}" = 1 ] || measure
ls "$OUT"/kut.*.txt >/dev/null 2>&1 || { echo "validate_kut.sh: no measurements in $OUT: run it without REPORT=1" >&2; exit 2; }
HZ=$(tsc_hz)

compare "CPUID" "exit.cpuid leaf=0" cpuid yes
compare "hypercall" "exit.k.hypercall" vmcall yes
compare "mov from cr8" "exit.k.cr8.read" mov_from_cr8 yes
compare "mov to cr8" "exit.k.cr8.write" mov_to_cr8 yes
compare "in, port 0x4d0 (L1's kernel)" "exit.k.pio.in port=0x4d0" inl_from_kernel yes
compare "in, port 0x1234 (L1's QEMU)" "exit.k.pio.in port=0x1234" inl_from_qemu yes
compare "out, port 0x4d0 (L1's kernel)" "exit.k.pio.out port=0x4d0" outl_to_kernel yes
compare "rdmsr TSC_ADJUST" "exit.k.msr.read" rd_tsc_adjust_msr yes
compare "wrmsr TSC_ADJUST" "exit.k.msr.write" wr_tsc_adjust_msr yes
compare "MMIO write, no eventfd" "exit.k.mmio.write test=0" mmio-no-eventfd:pci-mem yes
compare "MMIO write, wildcard eventfd" "exit.k.mmio.write test=1" mmio-wildcard-eventfd:pci-mem yes
compare "MMIO write, datamatch eventfd" "exit.k.mmio.write test=2" mmio-datamatch-eventfd:pci-mem yes
compare "PIO write, no eventfd" "exit.k.pio.out port=0 test=0" portio-no-eventfd:pci-io yes
compare "PIO write, datamatch eventfd" "exit.k.pio.out port=0 test=2" portio-datamatch-eventfd:pci-io yes
compare "TSC deadline, due at once" "exit.k.tscdeadline delay_cycles=0" tscdeadline_immed yes
compare "TSC deadline, 3000 cycles" "exit.k.tscdeadline delay_cycles=3000" tscdeadline yes
compare "self-IPI, sti; nop" "exit.k.hlt halt=0" self_ipi_sti_nop yes
compare "self-IPI, sti; hlt" "exit.k.hlt halt=1" self_ipi_sti_hlt yes
compare "IPI to the other vCPU" "exit.ipi spin=0" ipi no

echo "nestbench beside kvm-unit-tests $(cat "$OUT/kut-rev.txt") x86/vmexit, both as L2 in the local lab ($(jq -r '"L1: \(.L1.accelerator), \(.L1.accelerator_reason)"' "$OUT/lab-state.json" 2>/dev/null)),"
echo "$(date -u -r "$OUT/lab-state.json" +%Y-%m-%dT%H:%M:%SZ), $(ls "$OUT"/nb.[0-9]*.json | wc -l) interleaved rounds; L2's TSC $(awk -v h="$HZ" 'BEGIN { printf "%.1f MHz", h / 1e6 }') (nestbench-work's measure)"
echo "vmexit.flat sha256 $(sha256sum "$FLAT" | cut -d' ' -f1); raw output in $OUT/"
echo
echo "| exit | nestbench case | kvm-unit-tests test | nestbench ns/op | exits/op (L1's count) | kvm-unit-tests ns/op | exits/op (L1's count, estimate) | ratio | ratio per exit | verdict |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s' "$rows"
echo
echo "Exits per operation by reason, counted by L1's agent in the counted pass (nestbench: its"
echo "L1 count; kvm-unit-tests: the boot with the test less a bare boot, over estimated operations):"
echo
echo "| exit | side | all $(for r in $REASONS; do printf '| %s ' "$r"; done)|"
echo "| --- | --- | --- $(for r in $REASONS; do printf '| --- '; done)|"
printf '%s' "$rows2"
