# test_lab_cli.sh - the local nested lab end to end (a few minutes): the errors a user
# can cause, an L2 made to fail on purpose (the error names L2, L1 answers meanwhile),
# then a real boot of L1 (QEMU) and L2 (KVM inside L1), a small campaign on L0, L1 and
# L2 through the relay, checks of what came back, the VM exits of L2 counted by L1 (the
# kernel module, pci-testdev, PAUSE) on the same boot, a killed lab cleaned up.
# The lab runs in its own directory and is stopped on every exit path.
. tests/cli/lib.sh
N="$BUILD/nestbench"
IMAGES="$BUILD/images"
LAB="$TMP/lab"
SMALL=tests/lab/small.json
cleanup() {
	"$N" lab down --lab-dir "$LAB" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
lab() { "$N" lab "$@" --lab-dir "$LAB"; }
# Is a QEMU of this test's lab still running?
qemu_left() { pgrep -f "$LAB/l1.pid" >/dev/null; }
# jq over the result file (default: the small campaign's); prints "true" or the failing detail.
jq_check() { # NAME FILTER [FILE]
	if [ "$(jq -r "$2" "${3:-$TMP/r.json}" 2>&1)" = true ]; then ok "$1"; else
		fail "$1" "$(jq -c "$2" "${3:-$TMP/r.json}" 2>&1 | head -c 300)"
	fi
}

if [ ! -f "$IMAGES/manifest.json" ]; then
	fail "guest images exist in $IMAGES" "build them with: make images"
	finish lab_cli
	exit 1
fi

# ---- errors a user can cause -------------------------------------------------------
expect_status "images: no space: exit 2" 2 env NB_NEED_MIB=999999999 sh images/build.sh "$TMP/img" "$BUILD/nestbench-agent"
expect_grep "  ... names the free space and the fix" "no space for the images: .* MiB free" "$TMP/err"
expect_status "images: a kernel metapackage that does not resolve: exit 2" 2 \
	env NB_KERNEL_META=nestbench-no-such-kernel sh images/build.sh "$TMP/img" "$BUILD/nestbench-agent"
expect_grep "  ... says so and what to check" "cannot resolve nestbench-no-such-kernel" "$TMP/err"
expect_status "images: a kernel package that cannot be fetched: exit 2" 2 \
	env NB_KERNEL_PKG=linux-image-0.0.0-nestbench-none sh images/build.sh "$TMP/img" "$BUILD/nestbench-agent"
expect_grep "  ... names the package and the fix" "cannot fetch the kernel package linux-image-0.0.0-nestbench-none" "$TMP/err"
expect_status "lab up without images: exit 2" 2 lab up --images "$TMP/none"
expect_grep "  ... and says to run make images" "make images" "$TMP/err"
expect_status "lab up without QEMU: exit 2" 2 env PATH=/nonexistent "$N" lab up --lab-dir "$LAB"
expect_grep "  ... and names the package" "apt-get install qemu-system-x86" "$TMP/err"
expect_status "lab down with nothing running: exit 0" 0 lab down
expect_status "lab status when down: exit 1" 1 lab status
expect_status "a lab tier while the lab is down: exit 2" 2 \
	"$N" run -q --lab-dir "$LAB" --tier L1 -o "$TMP/down.json" "$SMALL"
expect_grep "  ... and says to start the lab" "nestbench lab up" "$TMP/down.json"
jq '.lab.boot_timeout_s = 5' "$SMALL" >"$TMP/slow.json"
expect_status "a guest that does not come up in time: exit 2" 2 lab up "$TMP/slow.json"
expect_grep "  ... names the guest and lab.boot_timeout_s" "^nestbench lab: L[12]: .*lab.boot_timeout_s" "$TMP/err"
expect_grep "  ... shows (or names) that guest's console log" "L[12] console" "$TMP/err"
if qemu_left || [ -e "$LAB/state.json" ]; then
	fail "  ... and stops the guest it started"
else
	ok "  ... and stops the guest it started"
fi
jq '.lab.l1.memory_mib = 1000 | .lab.l2.memory_mib = 900' "$SMALL" >"$TMP/mem.json"
expect_status "L1 memory too small for L2: exit 2" 2 lab up "$TMP/mem.json"
expect_grep "  ... explains why" "must exceed l2.memory_mib" "$TMP/err"
expect_status "NB_LAB_L2_FAIL with an unknown word: exit 2" 2 env NB_LAB_L2_FAIL=hang,crash "$N" lab up --lab-dir "$LAB"
expect_grep "  ... says what it takes" "NB_LAB_L2_FAIL=\"hang,crash\": a test setting" "$TMP/err"

# ---- L2 fails to start: the error names L2, and L1 answers all along -------------------
# L1's init is told (NB_LAB_L2_FAIL, a test setting) that its first two attempts at
# starting L2 hang and the third exits at once.  boot_timeout_s 30: 10 s per attempt, so
# L1's agent answers for about 20 s while L2 fails, even when L1 was slow to answer.
jq '.lab.boot_timeout_s = 30' "$SMALL" >"$TMP/l2fail.json"
NB_LAB_L2_FAIL=hang,hang,exit timeout 200 "$N" lab up "$TMP/l2fail.json" --lab-dir "$LAB" \
	>"$TMP/l2fail.out" 2>"$TMP/l2fail.err" &
up=$!
i=0
while [ $i -lt 600 ] && kill -0 $up 2>/dev/null && ! grep -q "L1 answered" "$TMP/l2fail.out"; do
	sleep 0.2
	i=$((i + 1))
done
expect_status "L2 failing to start: lab status meanwhile exits 1" 1 lab status
expect_grep "  ... and says L1's agent answers" "L1's agent answers" "$TMP/out"
expect_grep "  ... and L2's does not" "L2's agent does not answer" "$TMP/out"
wait $up
st=$?
if [ $st -eq 2 ]; then ok "  ... then lab up exits 2"; else
	fail "  ... then lab up exits 2" "status $st; stderr: $(tail -c 400 "$TMP/l2fail.err")"
fi
expect_grep "  ... its error names L2" "^nestbench lab: L2: its agent did not start: L1's init gave up after 3 attempts" "$TMP/l2fail.err"
expect_grep "  ... and says L1's agent still answers" "^nestbench lab: L2: .*; L1's agent still answers$" "$TMP/l2fail.err"
expect_grep "  ... shows L2's console" "last lines of L2 console" "$TMP/l2fail.err"
expect_grep "  ... and what L1's init said about L2" "what L1's init said about L2" "$TMP/l2fail.err"
expect_grep "  ... the attempt that hung was killed after its deadline" \
	"L2: attempt 1 of 3 failed: no agent listening within 10 s; killing QEMU" "$TMP/l2fail.err"
expect_grep "  ... and retried" "L2: attempt 3 of 3: starting QEMU" "$TMP/l2fail.err"
# L1's agent served L0 before L1's init gave up on L2 (the console's line numbers).
served=$(grep -n "nestbench-agent.*session [0-9]*: open" "$LAB/l1-console.log" | head -1 | cut -d: -f1)
gave=$(grep -n "nestbench-init: L2: gave up" "$LAB/l1-console.log" | head -1 | cut -d: -f1)
if [ -n "$served" ] && [ -n "$gave" ] && [ "$served" -lt "$gave" ]; then
	ok "  ... L1's agent served L0 while L1's init was still trying L2"
else
	fail "  ... L1's agent served L0 while L1's init was still trying L2" \
		"$(grep -v '^\[' "$LAB/l1-console.log" | head -20)"
fi
if qemu_left || [ -e "$LAB/state.json" ]; then
	fail "  ... and the lab is stopped afterwards"
else
	ok "  ... and the lab is stopped afterwards"
fi

# ---- the real lab --------------------------------------------------------------------
# With lab.kvm_unit_tests (make validate's kvm-unit-tests binary; here 4000 bytes that
# are no kernel): L1 must get it intact and still see its scratch disks where they were.
head -c 4000 "$BUILD/nestbench-work" >"$TMP/fake.flat"
fsha=$(sha256sum "$TMP/fake.flat" | cut -c1-64)
jq --arg f "$TMP/fake.flat" '.lab.kvm_unit_tests = $f' "$SMALL" >"$TMP/small-kut.json"
SMALL="$TMP/small-kut.json"
expect_status "lab up" 0 lab up "$SMALL"
cp "$TMP/out" "$TMP/up.out"
expect_grep "  ... says which accelerator L1 got" "L1 accelerator \(KVM\|TCG\)" "$TMP/up.out"
expect_grep "  ... says how L0 reaches L1" "L0 <-> L1 over" "$TMP/up.out"
expect_status "lab up again: leaves the running lab alone" 0 lab up "$SMALL"
expect_grep "  ... and says so" "already up" "$TMP/out"
expect_status "lab status: both agents answer" 0 lab status
expect_status "a small campaign on L0, L1 and L2" 0 \
	"$N" run -q --lab-dir "$LAB" --state-dir "$TMP/state" -o "$TMP/r.json" "$SMALL"
[ -s "$TMP/r.json" ] || echo '{}' >"$TMP/r.json"

sha=$(sha256sum "$BUILD/nestbench-work" | cut -c1-64)
jq_check "every tier is done" '[.tiers[].status] == ["done", "done", "done"]'
jq_check "every tier ran the same nestbench-work (sha256)" \
	"[.nestbench.work_sha256, .tiers[].work_sha256] | unique == [\"$sha\"]"
jq_check "L1 says what it is and its accelerator" \
	'.tiers[1].nature | test("guest \\(signature (TCGTCGTCGTCG|KVMKVMKVM)\\), accelerator (TCG|KVM)")'
jq_check "L2 is a KVM guest (signature KVMKVMKVM)" \
	'.tiers[2].nature | startswith("KVM guest (signature KVMKVMKVM), accelerator KVM")'
jq_check "L2 was reached through L1's relay over vsock" \
	'.tiers[2].reached | test(" -> relay vsock:42:7420$")'
jq_check "L1 and L2 stay connected together: their visits interleave" \
	'.campaign.order.mode == "interleaved"'
jq_check "L2's relay leaves L1's own session alone (its own port, or vsock)" \
	'(.tiers[2].reached | split(" -> ")[0]) as $via |
	 ($via | startswith("vsock:")) or ($via != .tiers[1].reached and ($via | endswith("l1-agent-relay.sock")))'
jq_check "the tiers record the lab's choices" \
	'.tiers[1].lab.accelerator_reason != "" and .tiers[2].lab.cid == 42'
jq_check "every measured value is positive" \
	'[.tiers[].cases[].samples[].value | . > 0] | all'
jq_check "every case is done, or skipped with a reason" \
	'[.tiers[].cases[] | .status == "done" or (.status == "skipped" and (.reason | length) > 0)] | all'
jq_check "cpu.int is between 0.1 and 100 ns per op on every tier" \
	'[.tiers[].cases[] | select(.workload == "cpu.int") | .samples[].value | . > 0.1 and . < 100] | all'
jq_check "pf.anon: one page fault per op on every tier (workload and perf counter)" \
	'[.tiers[].cases[] | select(.workload == "pf.anon") | .samples[] |
	  .extra.faults_per_op == 1 and ((.counters[0].value / .ops) | . > 0.99 and . < 1.01)] | all and length == 9'
jq_check "exit.cpuid costs more at L2 than at L0 (its exits cross L1)" \
	'[.tiers[0, 2].cases[] | select(.workload == "exit.cpuid") | [.samples[].value] | min] | .[1] > .[0]'
jq_check "io.fsync ran on each guest's scratch disk (ext4, not tmpfs)" \
	'[.tiers[1, 2].cases[] | select(.workload == "io.fsync") |
	  .meta.params.dir == "/scratch" and (.notes | test("ext2/3/4"))] | all'

# ---- lab.kvm_unit_tests (the same boot) ------------------------------------------------
expect_grep "L1's init read the kvm-unit-tests binary: its size and sha256" \
	"^nestbench-init: kvm-unit-tests: 4000 bytes from /dev/vd[c-z], sha256 $fsha" "$LAB/l1-console.log"
timeout 300 "$N" lab kut --lab-dir "$LAB" --timeout-s 60 cpuid >"$TMP/kut.out" 2>"$TMP/kut.err"
st=$?
if [ $st -eq 1 ]; then ok "lab kut with a binary that is no kernel: exit 1"; else
	fail "lab kut with a binary that is no kernel: exit 1" "status $st; $(cat "$TMP/kut.err")"; fi
expect_grep "  ... saying QEMU could not load it" "QEMU could not load it as a kernel" "$TMP/kut.err"
expect_grep "  ... with QEMU's own words from L1" "^qemu: qemu-system-x86_64: " "$TMP/kut.out"
expect_grep "  ... and how long L1 ran it" "^nestbench-kut: seconds [0-9]" "$TMP/kut.out"
expect_status "lab kut with a name that is no test name: exit 2" 2 lab kut "cpuid;x"
expect_status "lab status: both agents still answer" 0 lab status

# ---- VM exits of L2, counted by L1 (same boot) ----------------------------------------
# Both inits load nestbench_exits.ko before their agent starts and say so on the console.
for g in 1 2; do
	expect_grep "L$g's init loaded nestbench_exits.ko before its agent" \
		"^nestbench-init: nestbench_exits loaded: /dev/nestbench-exits, srchash [0-9a-f]\{64\}" \
		"$LAB/l$g-console.log"
done
X="$TMP/x.json"
expect_status "the exit campaign on L1 and L2 (tests/lab/exits.json)" 0 \
	"$N" run -q --lab-dir "$LAB" --state-dir "$TMP/state" -o "$X" tests/lab/exits.json
[ -s "$X" ] || echo '{}' >"$X"
src=$(jq -r '.kmod.srchash // "none"' "$IMAGES/manifest.json")
jq_check "every exit case ran on L2" '[.tiers[1].cases[] | .status] | length == 5 and all(. == "done")' "$X"
jq_check "... with the images' module (its source hash in the notes)" \
	"[.tiers[1].cases[] | select(.workload | startswith(\"exit.k.\")) | .notes | contains(\"srchash $src\")] | length == 3 and all" "$X"
# One exit of the operation's own reason per operation, over the visits after the first
# (which calibrated); a visit adds a few of its own (timer MSR writes, starting the
# workload), so 0.95 to 1.25.  Reasons: AMD's names, then Intel's.
per_reason() { # WORKLOAD REASON...
	printf '[.tiers[1].cases[] | select(.workload == "%s") | .samples[].exits |
	 select(.first_visit == false) | [.by_reason_per_op // {} | to_entries[] |
	 select(.key | IN(%s)) | .value] | add // 0]' "$1" "$2"
}
one_per_op='length > 0 and all(. >= 0.95 and . <= 1.25)'
jq_check "exit.k.hypercall on L2: one hypercall exit per op, counted by L1" \
	"$(per_reason exit.k.hypercall '"hypercall", "vmmcall", "VMCALL"') | $one_per_op" "$X"
jq_check "exit.k.msr.read on L2: one MSR exit per op" \
	"$(per_reason exit.k.msr.read '"msr", "MSR_READ"') | $one_per_op" "$X"
for w in exit.k.mmio.read exit.mmio.read; do
	jq_check "$w on L2: one nested page fault (MMIO) exit per op" \
		"$(per_reason $w '"npf", "EPT_MISCONFIG", "EPT_VIOLATION"') | $one_per_op" "$X"
	# At least one: the visit's own exits to user space (console, vsock) come on top.
	jq_check "  ... each read answered by L1's QEMU (a return to user space per op)" \
		"[.tiers[1].cases[] | select(.workload == \"$w\") | .samples[].exits |
		  select(.first_visit == false) | .by_handler_per_op.userspace_exit] |
		  length > 0 and all(. >= 0.95)" "$X"
done
# PAUSE exits only where L1's hypervisor enables pause-loop exiting for L2.  Under TCG,
# L1's emulated SVM has no pause filter (QEMU's TCG offers NPT, VGIF and SVME_ADDR_CHK
# only), so L1's KVM does not intercept PAUSE: no pause exits at all, what this checks.
if grep -q "L1 accelerator TCG" "$TMP/up.out"; then
	jq_check "exit.pause on L2 under a TCG L1: no pause exits (no pause filter offered to L1)" \
		"$(per_reason exit.pause '"pause", "PAUSE_INSTRUCTION"') | length > 0 and all(. == 0)" "$X"
else
	jq_check "exit.pause on L2: its exits were counted" \
		'[.tiers[1].cases[] | select(.workload == "exit.pause") | .samples[].exits.total] | all(. != null)' "$X"
fi

# ---- a killed lab is cleaned up by the next command ----------------------------------
pid=$(jq -r .pid "$LAB/state.json" 2>/dev/null)
[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
sleep 0.5
expect_status "lab status after QEMU was killed: exit 1" 1 lab status
expect_status "lab down after QEMU was killed: exit 0" 0 lab down
if [ -e "$LAB/state.json" ] || [ -e "$LAB/l1-agent.sock" ] || qemu_left; then
	fail "  ... and removes its state and sockets"
else
	ok "  ... and removes its state and sockets"
fi
expect_grep "console logs are kept for a post-mortem" "listening on" "$LAB/l1-console.log"
finish lab_cli
