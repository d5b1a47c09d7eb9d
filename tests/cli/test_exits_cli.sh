# test_exits_cli.sh - `nestbench events` on this machine, and campaigns whose tiers have
# their VM exits counted by a parent tier ("count_exits"): a stand-in VMM (kvm_loop, a
# tiny KVM guest doing port I/O in a loop) runs on this machine while the measured
# tiers' visits are bracketed by exits-start / exits-stop on the counting tier's agent —
# a second local agent, or a second session to an agent reached at an address.
. tests/cli/lib.sh
N="$BUILD/nestbench"
AGENT="$BUILD/nestbench-agent"
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

start_agent() { # NAME
	mkdir -p "$TMP/state-$1"
	"$AGENT" --listen "unix:$TMP/$1.sock" --state-dir "$TMP/state-$1" --quiet 2>"$TMP/$1.log" &
	PIDS="$PIDS $!"
	i=0
	while [ ! -S "$TMP/$1.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}

# ---- nestbench events ----------------------------------------------------------------
expect_status "events on this machine" 0 "$N" events
expect_grep "events lists page-faults as countable" "page-faults  *yes" "$TMP/out"
expect_grep "events lists cycles with a verdict" "^  cycles  " "$TMP/out"
expect_grep "events says whether exits can be counted" "^  exits: " "$TMP/out"
if grep -q "^  cycles  *no" "$TMP/out"; then
	# Each hypervisor's setting has its own spelling (pmu=on, Perfmon, vPMC, "a PMU").
	grep -qi "fix: .*\(pmu\|perfmon\|vpmc\)" "$TMP/out" && ok "no PMU: the setting to change is named" ||
		fail "no PMU: the setting to change is named" "$(grep -i 'fix:' "$TMP/out" | head -3)"
fi
expect_status "events --json" 0 "$N" events --json
jq -e 'length == 1 and .[0].tier == "local" and (.[0].probe.events | length) >= 10
       and all(.[0].probe.events[]; (.supported | type) == "boolean" and (.supported or (.reason | length) > 0))
       and (.[0].probe.exits.supported | type) == "boolean"' "$TMP/out" >/dev/null &&
	ok "events --json: every event has a verdict, a reason when not" ||
	fail "events --json" "$(head -c 400 "$TMP/out")"
expect_status "events --tier naming no tier" 2 "$N" events --tier nosuch
expect_grep "events --tier: message" "no such tier" "$TMP/err"

# ---- count_exits in campaign files --------------------------------------------------------
cat >"$TMP/bad.json" <<JSON
{ "name": "bad", "tiers": [ { "name": "L0", "level": 0, "address": "local" },
    { "name": "L1", "level": 1, "address": "unix:$TMP/x.sock", "count_exits": true } ],
  "workloads": [ "ctl.syscall" ] }
JSON
expect_status "count_exits without via or by is refused" 2 "$N" run --tier nosuch "$TMP/bad.json"
expect_grep "count_exits: the message names the fix" 'count_exits: name the tier that runs' "$TMP/err"
sed -i 's/"count_exits": true/"count_exits": { "by": "L0", "target": "qemu" }/' "$TMP/bad.json"
expect_status "count_exits: a bad target is refused" 2 "$N" run --tier nosuch "$TMP/bad.json"
expect_grep "count_exits: target message" '"target" must be' "$TMP/err"

# ---- a campaign with exits counted by L0 (local) and by P (an address) ------------------------
start_agent p
start_agent c
start_agent d
LOOP_PID=""
if ${CC:-cc} -O2 -o "$TMP/kvm_loop" tests/cli/kvm_loop.c tests/agent/kvm_guest.c 2>"$TMP/cc.err"; then
	"$TMP/kvm_loop" 200 120 >"$TMP/loop.out" 2>"$TMP/loop.err" &
	LOOP_PID=$!
	PIDS="$PIDS $LOOP_PID"
	i=0
	while ! grep -q ready "$TMP/loop.out" 2>/dev/null && kill -0 "$LOOP_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1)); done
fi
if [ -n "$LOOP_PID" ] && grep -q ready "$TMP/loop.out"; then TARGET="[$LOOP_PID]"; else
	echo "  (no KVM guest here: $(cat "$TMP/cc.err" "$TMP/loop.err" 2>/dev/null | head -c 200); counting a plain process)"
	sleep 600 & LOOP_PID=$!; PIDS="$PIDS $LOOP_PID"; TARGET="[$LOOP_PID]"
fi

cat >"$TMP/exits.json" <<JSON
{ "name": "exits",
  "tiers": [
    { "name": "L0", "level": 0, "address": "local" },
    { "name": "P", "level": 1, "address": "unix:$TMP/p.sock" },
    { "name": "C", "level": 1, "address": "unix:$TMP/c.sock", "via": "L0",
      "count_exits": { "target": $TARGET } },
    { "name": "D", "level": 2, "address": "unix:$TMP/d.sock", "via": "P",
      "count_exits": { "target": $TARGET, "reasons": false, "visits": "timed" } } ],
  "defaults": { "reps": 2, "warmup": 0, "min_time_ms": 80 },
  "order": { "seed": 3 },
  "workloads": [ "ctl.syscall", "cpu.int" ] }
JSON
expect_status "campaign with count_exits" 0 "$N" run --state-dir "$TMP/state" -q "$TMP/exits.json" -o "$TMP/r.json"
R="$TMP/r.json"
jq -e '.status == "complete"' "$R" >/dev/null && ok "exits campaign complete" || fail "exits campaign complete" "$(jq -c '[.tiers[] | [.name, .status, .error]]' "$R")"
jq -e '(.tiers[] | select(.name == "L0" or .name == "P") | .cases[].samples[] | has("exits") or has("exits_unsupported")) | not' "$R" >/dev/null &&
	ok "tiers without count_exits have no exit fields" || fail "tiers without count_exits have no exit fields"
jq -e '[.tiers[] | select(.name == "C" or .name == "D")] | length == 2 and all(.[]; .exits.counted_by != null)' "$R" >/dev/null &&
	ok "tiers[].exits names the counting tier" || fail "tiers[].exits" "$(jq -c '[.tiers[] | .exits]' "$R")"
# C counts in a visit of its own per case (the default), D during its timed visits: the
# counted visit adds no sample, and its time is exit counting's, not the measurement's.
jq -e '(.tiers[] | select(.name == "C") | .exits.visits == "own" and all(.cases[]; (.samples | length) == 2))
       and (.tiers[] | select(.name == "D") | .exits.visits == "timed")
       and .last_run_timing.split.exit_counting_s > 0' "$R" >/dev/null &&
	ok "C: exits counted in visits of their own, which add no samples; D: in the timed ones" ||
	fail "visits own and timed" "$(jq -c '[.tiers[] | [.name, .exits.visits, [.cases[].samples | length]]], .last_run_timing.split' "$R")"
if jq -e '.tiers[] | select(.name == "C") | .exits.status == "counting"' "$R" >/dev/null; then
	jq -e '.tiers[] | select(.name == "C") | .cases[].samples[]
	       | .exits.counted_by == "L0" and .exits.scope == "visit" and .exits.visit_ops == .ops
	         and .exits.visit_reps == 1 and (.exits.by_handler | type) == "object"
	         and ((.exits.total | type) == "number" or (.exits.total_unsupported | length) > 0)' "$R" >/dev/null &&
		ok "C: every sample has the exits of its case's counted visit, counted by L0 (a second local agent)" ||
		fail "C: exits in samples" "$(jq -c '.tiers[] | select(.name == "C") | .cases[0].samples[0].exits' "$R")"
	# One counted visit per case: its samples share it; D's two timed visits each have their own.
	jq -e '(.tiers[] | select(.name == "C") | all(.cases[]; [.samples[].exits | tojson] | unique | length == 1))
	       and (.tiers[] | select(.name == "D") | all(.cases[]; [.samples[].exits.elapsed_ms] | unique | length == 2))' \
		"$R" >/dev/null && ok "C: one counted visit per case; D: each timed visit counted" ||
		fail "one counted visit per case" "$(jq -c '[.tiers[] | select(.name == "C" or .name == "D") | [.name, [.cases[].samples[].exits.elapsed_ms]]]' "$R")"
	jq -e '.tiers[] | select(.name == "D") | .cases[].samples[]
	       | .exits.counted_by == "P" and (.exits | has("by_reason") | not)' "$R" >/dev/null &&
		ok "D: counted by P through a second session, totals only" ||
		fail "D: exits in samples" "$(jq -c '.tiers[] | select(.name == "D") | .cases[0].samples[0]' "$R")"
	if grep -q ready "$TMP/loop.out"; then
		# The stand-in VMM ran port I/O throughout: every bracket saw some.  A kept
		# worker's visit is only its repetitions (2 x 80 ms here): long enough that the
		# stand-in, which makes a new VM every 200 exits, is caught in each even on a
		# loaded 2-CPU host.
		jq -e 'all(.tiers[] | select(.name == "C" or .name == "D") | .cases[].samples[];
		           .exits.by_handler.pio > 0 and (.exits.total == null or .exits.total >= .exits.by_handler.pio))' "$R" >/dev/null &&
			ok "the VMM's port I/O exits were counted in every visit" ||
			fail "port I/O exits counted" "$(jq -c '[.tiers[] | select(.name == "C") | .cases[].samples[].exits.by_handler.pio]' "$R")"
	fi
else
	# No tracefs, KVM or root here: every sample says why, nothing fails.
	jq -e 'all(.tiers[] | select(.name == "C") | .cases[].samples[]; (.exits_unsupported | length) > 0)' "$R" >/dev/null &&
		ok "C: samples say why exits were not counted" || fail "C: exits_unsupported"
fi

# A counting tier whose agent cannot be reached: the tier is still measured.
cat >"$TMP/gone.json" <<JSON
{ "name": "gone",
  "tiers": [ { "name": "P", "level": 1, "address": "unix:$TMP/p.sock" },
    { "name": "C", "level": 2, "address": "unix:$TMP/c.sock", "via": "P",
      "count_exits": { "address": "unix:$TMP/nobody.sock" } } ],
  "defaults": { "reps": 1, "warmup": 0, "min_time_ms": 5 },
  "workloads": [ "ctl.syscall" ] }
JSON
expect_status "unreachable counting session: the tier is still measured" 0 "$N" run --state-dir "$TMP/state" -q --tier C "$TMP/gone.json" -o "$TMP/g.json"
jq -e '.tiers[0].status == "done" and .tiers[0].exits.status == "unsupported"
       and (.tiers[0].exits.reason | test("second session"))
       and all(.tiers[0].cases[].samples[]; (.exits_unsupported | test("second session")))' "$TMP/g.json" >/dev/null &&
	ok "samples say the counting session could not be opened" || fail "unreachable counting session" "$(jq -c '.tiers[0].exits' "$TMP/g.json")"

finish exits-cli
