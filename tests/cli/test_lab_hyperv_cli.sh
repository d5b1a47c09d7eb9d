# test_lab_hyperv_cli.sh - lab.l2.hyperv end to end (one boot, about a minute): a wrong
# value refused, then the lab with an enlightened L2: `lab up` says which Hyper-V
# enlightenments L2 got (and which L1's KVM refused), the state and the result record it,
# L2's CPUID answers "Microsoft Hv" at 0x40000000 and "KVMKVMKVM" at 0x40000100, and the
# tier is named a KVM guest with Hyper-V enlightenments, never a Hyper-V guest.
# The lab runs in its own directory and is stopped on every exit path.
. tests/cli/lib.sh
. tests/cli/lab_lib.sh
lab_need_images lab_hyperv_cli

# The integration test's lab, L1 and L2 only, two cheap workloads.
jq '.name = "lab-hyperv-small" | .lab.l2.hyperv = true | .tiers = [.tiers[1], .tiers[2]] |
    .defaults.reps = 2 | .workloads = ["cpu.int", "exit.cpuid"]' tests/lab/small.json >"$TMP/hv.json"

jq '.lab.l2.hyperv = "yes"' "$TMP/hv.json" >"$TMP/bad.json"
expect_status "lab.l2.hyperv that is not a boolean: exit 2" 2 lab up "$TMP/bad.json"
expect_grep "  ... names the key and what it takes" 'lab.l2: "hyperv" must be true or false' "$TMP/err"

expect_status "lab up with lab.l2.hyperv" 0 lab up "$TMP/hv.json"
cp "$TMP/out" "$TMP/up.out"
expect_grep "  ... says which enlightenments L2 got" "^lab: L2 with Hyper-V enlightenments: hv-" "$TMP/up.out"
jq_check "the state records what was asked for, what L2 got and what L1's KVM refused" "$LAB/state.json" \
	'.L2.hyperv | (.requested | test("hv-relaxed")) and (.enabled | length > 0) and
	 (.refused | type == "string") and (.refused_why | type == "string") and
	 ((.refused == "") == (.refused_why == ""))'
expect_status "lab status" 0 lab status
expect_grep "  ... says which enlightenments L2 has" "^  L2: Hyper-V enlightenments: hv-" "$TMP/out"
expect_grep "L1's init asked L1's KVM for them" "nestbench-init: L2: Hyper-V enlightenments on: hv-" \
	"$LAB/l1-console.log"

expect_status "a campaign on L1 and the enlightened L2" 0 \
	"$N" run -q --lab-dir "$LAB" --state-dir "$TMP/state" -o "$TMP/r.json" "$TMP/hv.json"
[ -s "$TMP/r.json" ] || echo '{}' >"$TMP/r.json"
jq_check "L2's CPUID: Microsoft Hv at 0x40000000, KVMKVMKVM at 0x40000100" "$TMP/r.json" \
	'.tiers[1].sysinfo.hypervisor | .signature == "Microsoft Hv" and .signature_40000100 == "KVMKVMKVM"'
jq_check "L2 is named KVM, presenting Hyper-V's interface" "$TMP/r.json" \
	'.tiers[1].identity | .hypervisor == "kvm" and .presents == "hyperv"'
jq_check "L2's nature: a KVM guest with Hyper-V enlightenments, never a Hyper-V guest" "$TMP/r.json" \
	'.tiers[1].nature | startswith("KVM guest with Hyper-V enlightenments (signature Microsoft Hv, KVMKVMKVM at 0x40000100)") and (test("Hyper-V guest") | not)'
jq_check "L1 stays what it was (no enlightenments asked for L1)" "$TMP/r.json" \
	'.tiers[0].nature | test("Hyper-V") | not'
jq_check "the result keeps the lab's record of them (tiers[].lab.hyperv)" "$TMP/r.json" \
	"(.tiers[1].lab.hyperv.enabled == \"$(jq -r .L2.hyperv.enabled "$LAB/state.json")\") and (.tiers[0].lab.hyperv == null)"
jq_check "both workloads ran on both tiers" "$TMP/r.json" \
	'[.tiers[].cases[] | .status == "done"] | length == 4 and all'
expect_status "a table of it, L1 the baseline" 0 "$N" table --baseline L1 "$TMP/r.json"
expect_grep "  ... names L2 a KVM guest with Hyper-V enlightenments beside its numbers" \
	"L2: .*KVM guest with Hyper-V enlightenments" "$TMP/out"

expect_status "lab down" 0 lab down
if pgrep -f "$LAB/l1.pid" >/dev/null || [ -e "$LAB/state.json" ]; then
	fail "  ... and the lab is stopped"
else
	ok "  ... and the lab is stopped"
fi
finish lab_hyperv_cli
