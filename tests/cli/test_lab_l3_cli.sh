# test_lab_l3_cli.sh - lab.l3 end to end (one boot, about a minute): a wrong lab.l3
# refused, then L1, L2 and L3 (KVM inside L2) up, `lab status` reaching L3 through two
# relays, the state recording L3 and L1's extra ports, L3's console crossing L2's to
# L0, and exit.k.hypercall on L3 with its exits counted by L2 (about one per op) and,
# in the same visits, by L1 (more than L2 counts: the exit multiplication).
# Where this host cannot boot L3 (no KVM in L2, or L3 too slow to start), the lab up
# error must name L3 and the cause; the rest is skipped, saying so.
# The lab runs in its own directory and is stopped on every exit path.
. tests/cli/lib.sh
. tests/cli/lab_lib.sh
CFG=tests/lab/l3.json
lab_need_images lab_l3_cli
# L2's image carries qemu and L3 (images/build.sh): /boot/l3 in l2.cpio.
if cpio -t --quiet <"$IMAGES/l2.cpio" 2>/dev/null | grep -qx 'boot/l3/initrd.cpio'; then
	ok "L2's image carries L3's kernel and initramfs"
else
	fail "L2's image carries L3's kernel and initramfs" "images older than lab.l3: make images"
	finish lab_l3_cli
	exit 1
fi

# ---- a wrong lab.l3 is refused before anything boots ------------------------------------
jq '.lab.l3.cid = 42' "$CFG" >"$TMP/cid.json"
expect_status "lab.l3 with L2's vsock CID: exit 2" 2 lab up "$TMP/cid.json"
expect_grep "  ... says to give L3 a CID of its own" "cid 42 is L2's too" "$TMP/err"
jq 'del(.lab.l3)' "$CFG" >"$TMP/nol3.json"
expect_status "a lab:L3 tier without lab.l3: exit 2" 2 "$N" check "$TMP/nol3.json"
expect_grep "  ... names the missing key" "needs \"l3\" in the \"lab\" object" "$TMP/err"

# ---- the lab with L3 ------------------------------------------------------------------
lab up "$CFG" >"$TMP/up.out" 2>"$TMP/up.err"
up=$?
if [ $up -ne 0 ]; then
	# The host may not give L2 a KVM (no SVM/VMX for L2) or L3 may be too slow: the
	# error must say that it is L3 and why.
	if grep -q "^nestbench lab: L3: its agent did not start" "$TMP/up.err" &&
		grep -q "/dev/kvm is missing in L2\|no agent listening within\|did not start within" "$TMP/up.err"; then
		ok "L3 cannot boot on this host: lab up names L3 and why (the rest is skipped): $(head -n 1 "$TMP/up.err")"
		finish lab_l3_cli
		exit 0
	fi
	fail "lab up with lab.l3" "exit $up: $(head -c 600 "$TMP/up.err")"
	finish lab_l3_cli
	exit 1
fi
ok "lab up with lab.l3"
expect_grep "  ... says L3 answered" "^lab: up: L3 (KVM inside L2, 1 vCPUs, 512 MiB) answered after" "$TMP/up.out"
expect_status "lab status: exit 0" 0 lab status
expect_grep "  ... L3's agent answers through L1 and L2" "L3's agent answers (through L1 and L2)" "$TMP/out"
jq_check "the state records L3 and L1's ports for it" "$LAB/state.json" \
	'.L3.address == "vsock:43:7420" and .L3.cid == 43 and .L3.accelerator == "kvm" and
	 ([.L1.relay3_address, .L1.aux3_address, .L1.relay3x_address] | map(. != null) | all)'
expect_grep "L2's init booted L3 (L2's console)" "^nestbench-init: L3: up: its agent listens" "$LAB/l2-console.log"
expect_grep "L3's console reached L0 through L2's" "^nestbench-init: L3| nestbench-agent\[[0-9]*\]: listening on vsock:7420" \
	"$LAB/l2-console.log"
expect_grep "L3 is named L3 in its banner" "^nestbench-init: L3| nestbench-init: L3 up: kernel" "$LAB/l2-console.log"

X="$TMP/x.json"
expect_status "exit.k.hypercall on L2 and L3 (tests/lab/l3.json)" 0 \
	"$N" run -q --lab-dir "$LAB" --state-dir "$TMP/state" -o "$X" "$CFG"
[ -s "$X" ] || echo '{}' >"$X"
jq_check "L2 and L3 are done" "$X" '[.tiers[1, 2].status] == ["done", "done"]'
jq_check "L3 was reached through two relays" "$X" \
	'.tiers[2].reached | test(" -> relay vsock:42:7420 -> relay vsock:43:7420$")'
jq_check "L3 is a KVM guest" "$X" '.tiers[2].nature | startswith("KVM guest (signature KVMKVMKVM)")'
jq_check "L3's session, L2's and their counters use distinct L1 ports" "$X" \
	'[.tiers[1].reached, .tiers[1].exits.reached, .tiers[2].reached, .tiers[2].exits.reached,
	  .tiers[2].exits_also[0].reached] | map(split(" -> ")[0]) | unique | length == 5'
jq_check "L3's exits are counted by L2, and also by L1" "$X" \
	'.tiers[2].exits.counted_by == "L2" and .tiers[2].exits.status == "counting" and
	 .tiers[2].exits_also[0].counted_by == "L1" and .tiers[2].exits_also[0].status == "counting"'
# After the first visit (which calibrated): one hypercall exit per op at the parent (a
# visit adds a few of its own), and at L1 the exits of L2 while it handles them.
hc='[.by_reason_per_op // {} | to_entries[] | select(.key | IN("hypercall", "vmmcall", "VMCALL")) | .value] | add // 0'
jq_check "exit.k.hypercall on L3: one hypercall exit per op, counted by L2" "$X" \
	"[.tiers[2].cases[0].samples[].exits | select(.first_visit == false) | $hc] |
	 length > 0 and all(. >= 0.95 and . <= 1.25)"
jq_check "  ... and more exits per op than that counted by L1 in the same visits" "$X" \
	'[.tiers[2].cases[0].samples[] | select(.exits.first_visit == false) |
	  .exits_also[0].per_op > 2 * .exits.per_op] | length > 0 and all'
jq_check "exit.k.hypercall on L2: one hypercall exit per op, counted by L1" "$X" \
	"[.tiers[1].cases[0].samples[].exits | select(.first_visit == false) | $hc] |
	 length > 0 and all(. >= 0.95 and . <= 1.25)"

expect_status "lab down" 0 lab down
if [ -e "$LAB/state.json" ] || [ -e "$LAB/l1-agent-relay3.sock" ]; then
	fail "  ... removes the state and L1's extra sockets"
else
	ok "  ... removes the state and L1's extra sockets"
fi
finish lab_l3_cli
