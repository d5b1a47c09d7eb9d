# test_harness_cli.sh - nestbench run end to end on this machine: a local tier and a
# relay chain of agents on unix sockets, seeded order, errors with exit status 2,
# and a campaign killed mid-way then resumed without losing or repeating a sample.
. tests/cli/lib.sh
N="$BUILD/nestbench"
AGENT="$BUILD/nestbench-agent"
WORK="$BUILD/nestbench-work"
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	# Agents a killed harness left behind (their state dir is ours).
	pkill -f "$TMP/state" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

start_agent() { # NAME [agent options...]
	name=$1
	shift
	mkdir -p "$TMP/state-$name"
	"$AGENT" --listen "unix:$TMP/$name.sock" --state-dir "$TMP/state-$name" --quiet "$@" 2>"$TMP/$name.log" &
	PIDS="$PIDS $!"
	i=0
	while [ ! -S "$TMP/$name.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
run() { "$N" run --state-dir "$TMP/state" "$@"; }

echo "tok-$$-secret" >"$TMP/tokA"
start_agent a --token-file "$TMP/tokA"
start_agent b
start_agent c

cat >"$TMP/chain.json" <<JSON
{ "name": "chain",
  "tiers": [
    { "name": "L0", "level": 0, "address": "local" },
    { "name": "L1", "level": 1, "address": "unix:$TMP/a.sock", "token_file": "$TMP/tokA" },
    { "name": "L2", "level": 2, "address": "unix:$TMP/b.sock", "via": "L1" },
    { "name": "L3", "level": 3, "address": "unix:$TMP/c.sock", "via": "L2" } ],
  "defaults": { "reps": 3, "warmup": 0, "min_time_ms": 2 },
  "order": { "seed": 5 },
  "workloads": [ "cpu.int", "ctl.syscall", { "name": "cpu.fp", "params": { "elems": "64,128" } } ] }
JSON

expect_status "relay chain campaign" 0 run "$TMP/chain.json" -o "$TMP/r1.json" -q
R="$TMP/r1.json"
jq -e '.status == "complete" and (.tiers | length) == 4 and all(.tiers[]; .status == "done")' "$R" >/dev/null &&
	ok "4 tiers done" || fail "4 tiers done" "$(jq -c '[.status, [.tiers[] | [.name, .status, .error]]]' "$R")"
sha=$(sha256sum "$WORK" | cut -d' ' -f1)
jq -e --arg s "$sha" '.nestbench.work_sha256 == $s and all(.tiers[]; .work_sha256 == $s)' "$R" >/dev/null &&
	ok "same nestbench-work sha256 on every tier" || fail "same sha256 on every tier"
jq -e --arg t "$TMP" '.tiers[3].reached == "unix:\($t)/a.sock -> relay unix:\($t)/b.sock -> relay unix:\($t)/c.sock"' "$R" >/dev/null &&
	ok "L3 reached through two relays" || fail "L3 reached through two relays" "$(jq -r '.tiers[3].reached' "$R")"
jq -e 'all(.tiers[].cases[]; .status == "done" and (.samples | length) == 3 and all(.samples[]; .value > 0))' "$R" >/dev/null &&
	ok "every case has its 3 samples" || fail "every case has its 3 samples"
jq -e 'all(.tiers[]; (.cases | length) == 4)' "$R" >/dev/null && ok "sweep expanded into cases" || fail "sweep expanded into cases"
jq -e 'all(.tiers[]; .nature | test("guest|bare metal"))' "$R" >/dev/null && ok "each tier's nature recorded" || fail "nature recorded"
# Interleaving: every round visits each case once; the seed fixes the order.
order() { jq -r '.tiers[0].cases | map(.key as $k | .samples[] | {k: $k, s: .seq}) | sort_by(.s) | map(.k) | join(",")' "$1"; }
jq -e 'all(.tiers[].cases[]; [.samples[].round] == [0,1,2])' "$R" >/dev/null &&
	ok "one visit per case per round" || fail "one visit per case per round"
[ "$(order "$R" | tr ',' '\n' | head -4 | sort -u | wc -l)" -eq 4 ] && ok "round 0 visits all 4 cases first" || fail "round 0 visits all 4 cases first"
expect_status "same seed again" 0 run "$TMP/chain.json" -o "$TMP/r2.json" -q --tier L0
[ "$(order "$R")" = "$(order "$TMP/r2.json")" ] && ok "same seed, same order" || fail "same seed, same order"
sed 's/"seed": 5/"seed": 6/' "$TMP/chain.json" >"$TMP/chain6.json"
expect_status "another seed" 0 run "$TMP/chain6.json" -o "$TMP/r3.json" -q --tier L0
[ "$(order "$R")" != "$(order "$TMP/r3.json")" ] && ok "another seed, another order" || fail "another seed, another order"

# Errors a user can cause: one line, exit status 2.
printf '{\n  "name": "x",\n  "tiers": [,]\n}\n' >"$TMP/syntax.json"
expect_status "config syntax error" 2 run "$TMP/syntax.json"
expect_grep "syntax error has line and column" "syntax.json:3:" "$TMP/err"
sed 's/"cpu.int"/"cpu.nope"/' "$TMP/chain.json" >"$TMP/unknown.json"
expect_status "unknown workload" 2 run "$TMP/unknown.json"
expect_grep "unknown workload named" 'no workload matches "cpu.nope"' "$TMP/err"
sed 's/"cpu.int"/{ "name": "cpu.fp", "params": { "elems": 1 } }/' "$TMP/chain.json" >"$TMP/badparam.json"
expect_status "bad parameter caught before measuring" 2 run "$TMP/badparam.json"
expect_grep "bad parameter named" "elems" "$TMP/err"
sed "s|unix:$TMP/a.sock|unix:$TMP/nobody.sock|" "$TMP/chain.json" >"$TMP/unreach.json"
expect_status "unreachable tier" 2 run "$TMP/unreach.json" -o "$TMP/unreach-r.json" -q
expect_grep "unreachable tier named" "tier L1 unreachable" "$TMP/err"
jq -e '.tiers[0].status == "done" and .tiers[1].status == "unreachable"' "$TMP/unreach-r.json" >/dev/null &&
	ok "reachable tiers still measured and kept" || fail "reachable tiers still measured and kept"
echo "wrong" >"$TMP/tokBad"
sed "s|$TMP/tokA|$TMP/tokBad|" "$TMP/chain.json" >"$TMP/badtok.json"
expect_status "token refused" 2 run "$TMP/badtok.json" --tier L1 -q
expect_grep "token refusal explained" "refused the token" "$TMP/err"
expect_status "no config" 2 "$N" run
expect_status "unknown command" 2 "$N" frobnicate
expect_grep "  ... says where the commands are listed" "unknown command 'frobnicate': .nestbench help. lists the commands" "$TMP/err"
expect_status "a mistyped command" 2 "$N" tabel
expect_grep "  ... did you mean" "unknown command 'tabel': did you mean 'table'?" "$TMP/err"
expect_status "  ... a unique prefix" 2 "$N" hist
expect_grep "  ... names the command it begins" "did you mean 'history'?" "$TMP/err"
expect_status "help CMD" 0 "$N" help compare
expect_grep "  ... is the command's own help" "usage: nestbench compare" "$TMP/out"
expect_status "help of a mistyped command" 2 "$N" help tble
expect_grep "  ... did you mean" "help: no command 'tble': did you mean 'table'?" "$TMP/err"
expect_status "help alone" 0 "$N" help
expect_grep "  ... lists the commands" "history add|list|show" "$TMP/out"
expect_status "help" 0 "$N" run --help
expect_grep "help documents --resume" "resume" "$TMP/out"
expect_status "version" 0 "$N" --version

# A tier's io_dir is where its I/O happens; cpu "none" leaves workloads unpinned.
mkdir -p "$TMP/iodir"
cat >"$TMP/io.json" <<JSON
{ "name": "io", "tiers": [ { "name": "L0", "level": 0, "address": "local", "io_dir": "$TMP/iodir" } ],
  "defaults": { "reps": 2, "warmup": 0, "min_time_ms": 2, "cpu": "none" },
  "workloads": [ { "name": "pf.file", "params": { "size": "1M" } } ] }
JSON
expect_status "io_dir campaign" 0 run "$TMP/io.json" -o "$TMP/io-r.json" -q
jq -e --arg d "$TMP/iodir" '.tiers[0].cases[0] | .meta.params.dir == $d and (.key | test("dir=") | not)' "$TMP/io-r.json" >/dev/null &&
	ok "io_dir used, and not part of the case key" || fail "io_dir used" "$(jq -c '.tiers[0].cases[0] | [.key, .meta.params.dir]' "$TMP/io-r.json")"
jq -e '.tiers[0].cases[0].meta.cpu == -1' "$TMP/io-r.json" >/dev/null && ok "cpu none: not pinned" || fail "cpu none: not pinned"
sed "s|$TMP/iodir|$TMP/no-such-dir|" "$TMP/io.json" >"$TMP/io-bad.json"
expect_status "a failed case: exit status 1" 1 run "$TMP/io-bad.json" -o "$TMP/io-bad-r.json" -q
jq -e '.tiers[0].cases[0] | .status == "failed" and .stopped_by == "failed" and (.error | test("no-such-dir"))' "$TMP/io-bad-r.json" >/dev/null &&
	ok "failed case names its cause" || fail "failed case names its cause" "$(jq -c '.tiers[0].cases[0] | [.status, .stopped_by, .error]' "$TMP/io-bad-r.json")"
printf '{"name":"x","name":"y","tiers":[{"name":"L0","level":0,"address":"local"}],"workloads":["cpu.int"]}' >"$TMP/dup.json"
expect_status "duplicate key refused" 2 run "$TMP/dup.json"
expect_grep "duplicate key named" 'key "name" is given twice' "$TMP/err"
jq -e '.status == "partial"' "$TMP/r2.json" >/dev/null && ok "--tier: file is partial, not complete" || fail "--tier: file is partial"

# Killed mid-campaign, then resumed: nothing measured is lost or measured twice.  The
# workloads are ones every x86-64 Linux host runs (no RDTSCP, THP, ioperm or second CPU
# needed), so every case must end with all 25 samples.
cat >"$TMP/long.json" <<JSON
{ "name": "long", "tiers": [ { "name": "L0", "level": 0, "address": "local" } ],
  "defaults": { "reps": 25, "warmup": 0, "min_time_ms": 5 },
  "workloads": [ "cpu.int", "ctl.syscall", "cpu.fp" ] }
JSON
"$N" run --state-dir "$TMP/state" -q "$TMP/long.json" -o "$TMP/long.json.out" >/dev/null 2>&1 &
hp=$!
i=0
while [ $i -lt 400 ]; do
	n=$(jq '[.tiers[]?.cases[]?.samples[]?] | length' "$TMP/long.json.out" 2>/dev/null || echo 0)
	[ "${n:-0}" -ge 12 ] && break
	sleep 0.05
	i=$((i + 1))
done
kill -9 $hp 2>/dev/null
wait $hp 2>/dev/null
cp "$TMP/long.json.out" "$TMP/before.json"
before=$(jq '[.tiers[].cases[].samples[]] | length' "$TMP/before.json")
[ "$before" -ge 1 ] && [ "$before" -lt 75 ] && ok "killed mid-campaign with $before samples saved" ||
	fail "killed mid-campaign" "$before samples"
expect_status "resume" 0 run --resume "$TMP/long.json.out" -q
ids() { jq -r '.tiers[].cases[] | .key as $k | .samples[] | "\($k)|\(.visit)|\(.rep)|\(.value)"' "$1" | sort; }
ids "$TMP/before.json" >"$TMP/ids-before"
ids "$TMP/long.json.out" >"$TMP/ids-after"
[ -z "$(comm -23 "$TMP/ids-before" "$TMP/ids-after")" ] && ok "no saved sample lost" || fail "no saved sample lost"
[ "$(cut -d'|' -f1-3 "$TMP/ids-after" | sort | uniq -d | wc -l)" -eq 0 ] && ok "no sample repeated" || fail "no sample repeated"
jq -e '.status == "complete" and all(.tiers[].cases[]; (.samples | length) == 25)' "$TMP/long.json.out" >/dev/null &&
	ok "resumed campaign complete: 25 samples per case" || fail "resumed campaign complete" "$(jq -c '[.tiers[].cases[] | (.samples|length)]' "$TMP/long.json.out")"
jq -e 'all(.tiers[].cases[]; (.ops_per_rep as $o | all(.samples[]; .ops == $o)))' "$TMP/long.json.out" >/dev/null &&
	ok "resumed visits repeat the calibrated op count" || fail "resumed visits repeat the calibrated op count"

# Interrupted with SIGINT: exit 130, the file says so and stays valid JSON.
"$N" run --state-dir "$TMP/state" -q "$TMP/long.json" -o "$TMP/int.json" >/dev/null 2>"$TMP/int.err" &
hp=$!
i=0
while [ $i -lt 400 ] && [ "$(jq '[.tiers[]?.cases[]?.samples[]?] | length' "$TMP/int.json" 2>/dev/null || echo 0)" -lt 3 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -INT $hp
wait $hp
st=$?
[ $st -eq 130 ] && ok "SIGINT: exit status 130" || fail "SIGINT: exit status 130" "got $st"
jq -e '.status == "interrupted"' "$TMP/int.json" >/dev/null && ok "SIGINT: file marked interrupted" || fail "SIGINT: file marked interrupted"
expect_grep "SIGINT: tells how to resume" "nestbench run --resume" "$TMP/int.err"

# Ctrl-C in the middle of a long visit on a socket agent: the harness stops at once,
# the agent ends the abandoned workload, and a resume can start straight away.
cat >"$TMP/slow.json" <<JSON
{ "name": "slow", "tiers": [ { "name": "L1", "level": 1, "address": "unix:$TMP/b.sock" } ],
  "defaults": { "reps": 2, "warmup": 0, "min_time_ms": 4000 },
  "workloads": [ "cpu.int" ] }
JSON
"$N" run -q "$TMP/slow.json" -o "$TMP/slow-r.json" >/dev/null 2>&1 &
hp=$!
sleep 1.5
t0=$(date +%s%N)
kill -INT $hp
wait $hp
st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $st -eq 130 ] && [ $ms -lt 2500 ] && ok "SIGINT mid-visit: exit 130 after $ms ms" ||
	fail "SIGINT mid-visit: prompt exit 130" "status $st after $ms ms"
jq -e '.tiers[0].status == "interrupted" and (.tiers[0] | has("error") | not)' "$TMP/slow-r.json" >/dev/null &&
	ok "SIGINT mid-visit: tier interrupted, not failed" || fail "tier interrupted" "$(jq -c '.tiers[0] | [.status, .error]' "$TMP/slow-r.json")"
expect_status "resume right after: agent not busy" 0 run --resume "$TMP/slow-r.json" -q
jq -e '.status == "complete" and (.tiers[0].cases[0].samples | length) == 2' "$TMP/slow-r.json" >/dev/null &&
	ok "resumed slow campaign complete" || fail "resumed slow campaign complete"

# Interleaved tiers (issue 13): two agents on unix sockets visited case by case, each
# case on both tiers in turn; every sample numbered campaign-wide with its interference,
# a canary per round on every tier (visits of 3 x 60 ms: 10 clock ticks or more even on one CPU, enough for the interference).
cat >"$TMP/ilv.json" <<JSON
{ "name": "ilv",
  "tiers": [ { "name": "A", "level": 1, "address": "unix:$TMP/b.sock" },
             { "name": "B", "level": 1, "address": "unix:$TMP/c.sock" } ],
  "defaults": { "reps": 3, "warmup": 0, "min_time_ms": 120 },
  "order": { "tiers": "interleaved", "seed": 11 },
  "workloads": [ "cpu.int", "exit.cpuid" ] }
JSON
expect_status "interleaved campaign" 0 run -q "$TMP/ilv.json" -o "$TMP/ilv-r.json"
I="$TMP/ilv-r.json"
jq -e '.schema_version == 2 and .campaign.order == {"mode": "interleaved", "seed": 11} and .status == "complete"' "$I" >/dev/null &&
	ok "interleaved: order recorded" || fail "interleaved: order recorded" "$(jq -c '[.schema_version, .campaign.order, .status]' "$I")"
# every sample in campaign order: tier, case, campaign_seq, round
jq -c '[.tiers[] | .name as $t | .cases[] | .key as $k | .samples[] | {t: $t, k: $k, c: .campaign_seq, r: .round}] | sort_by(.c)' "$I" >"$TMP/visits.json"
jq -e '(map(.c) | unique | length) == 12 and length == 12' "$TMP/visits.json" >/dev/null &&
	ok "interleaved: 12 visits, campaign_seq unique" || fail "interleaved: campaign_seq unique" "$(cat "$TMP/visits.json")"
# consecutive visits pair up: the same case on tier A and tier B, in a seeded tier order
jq -e '[range(0; length; 2) as $i | .[$i:$i+2] | (.[0].k == .[1].k and .[0].t != .[1].t and .[0].r == .[1].r)] | all' "$TMP/visits.json" >/dev/null &&
	ok "interleaved: each case on every tier in turn" || fail "interleaved: each case on every tier in turn" "$(cat "$TMP/visits.json")"
# Each visit is a repetition of at least 120 ms (a loaded host runs a calibrated count
# faster or slower): enough clock ticks for the interference to be measured.
jq -e '[.tiers[].cases[].samples[] | .interference | (.steal_pct >= 0 and .steal_pct <= 100 and .other_busy_pct >= 0 and .other_busy_pct <= 100 and .window_ms > 0 and (has("vmm_cpu_pct") | not))] | length == 12 and all' "$I" >/dev/null &&
	ok "interleaved: interference on every sample" || fail "interference on every sample" "$(jq -c '[.tiers[].cases[].samples[].interference]' "$I")"
jq -e '[.tiers[] | .canary | (length == 9 and ([.[] | "\(.round) \(.workload)"] | unique | length) == 9 and all(.value > 0 and .n == 3 and .unit == "ns/op"))] | (all and length == 2)' "$I" >/dev/null &&
	ok "canary: each round on every tier" || fail "canary: each round on every tier" "$(jq -c '[.tiers[].canary]' "$I")"
jq -e '[.tiers[].canary[].campaign_seq, .tiers[].cases[].samples[].campaign_seq] | (unique | length) == length' "$I" >/dev/null &&
	ok "canary runs have their own campaign_seq" || fail "canary campaign_seq" "$(jq -c '[.tiers[].canary[].campaign_seq]' "$I")"
jq -e '.last_run_timing.canary_s > 0' "$I" >/dev/null && ok "canary time reported apart" || fail "canary_s" "$(jq -c .last_run_timing "$I")"
# by-tier is the default outside the lab; the canary can be turned off
sed -e 's/"tiers": "interleaved", //' -e 's/"workloads"/"canary": false, "workloads"/' "$TMP/ilv.json" >"$TMP/bt.json"
expect_status "by-tier campaign without canary" 0 run -q "$TMP/bt.json" -o "$TMP/bt-r.json"
jq -e '.campaign.order.mode == "by-tier" and ([.tiers[] | has("canary")] | any | not)' "$TMP/bt-r.json" >/dev/null &&
	ok "by-tier default, canary off" || fail "by-tier default, canary off" "$(jq -c '[.campaign.order, [.tiers[] | has("canary")]]' "$TMP/bt-r.json")"
jq -e '[.tiers[] | .name as $t | .cases[].samples[] | {t: $t, c: .campaign_seq}] | sort_by(.c) | map(.t) | . == (map(select(. == "A")) + map(select(. == "B")))' "$TMP/bt-r.json" >/dev/null &&
	ok "by-tier: all of A, then all of B" || fail "by-tier: all of A, then all of B" ""
# a version 1 file is read, but not continued
jq '.schema_version = 1 | .status = "interrupted"' "$I" >"$TMP/v1.json"
expect_status "resume of a version 1 file refused" 2 run --resume "$TMP/v1.json" -q
expect_grep "v1 resume: says why and what to do" "schema version 1.*start a new campaign" "$TMP/err"

# Interleaved, one tier unreachable: the other is measured all the same.
sed "s|unix:$TMP/c.sock|unix:$TMP/nobody.sock|" "$TMP/ilv.json" >"$TMP/ilv-bad.json"
expect_status "interleaved, a tier unreachable: exit 2" 2 run -q "$TMP/ilv-bad.json" -o "$TMP/ilv-bad-r.json"
jq -e '.status == "partial" and (.tiers[] | select(.name == "A") | .status == "done" and (.cases | all(.status == "done"))) and (.tiers[] | select(.name == "B") | .status == "unreachable" and (.error | test("nobody")))' "$TMP/ilv-bad-r.json" >/dev/null &&
	ok "interleaved: an unreachable tier does not stop the other" || fail "interleaved: unreachable tier alone" "$(jq -c '[.status, [.tiers[] | [.name, .status, .error]]]' "$TMP/ilv-bad-r.json")"
# Interrupted mid-campaign and resumed: numbering goes on, nothing lost or repeated.
sed -e 's/"reps": 3, "warmup": 0, "min_time_ms": 120/"reps": 4, "warmup": 0, "min_time_ms": 150/' "$TMP/ilv.json" >"$TMP/ilv-long.json"
"$N" run -q --state-dir "$TMP/state" "$TMP/ilv-long.json" -o "$TMP/ilv-int.json" >/dev/null 2>&1 &
hp=$!
sleep 2.5
kill -INT $hp
wait $hp
jq -e '.status == "interrupted" and ([.tiers[].cases[].samples[]] | length) < 16' "$TMP/ilv-int.json" >/dev/null &&
	ok "interleaved: interrupted mid-campaign" || fail "interleaved: interrupted mid-campaign" "$(jq -c '[.status, ([.tiers[].cases[].samples[]] | length)]' "$TMP/ilv-int.json")"
expect_status "interleaved resume" 0 run --resume "$TMP/ilv-int.json" -q
jq -e '.status == "complete" and ([.tiers[].cases[].samples[]] | length) == 16 and ([.tiers[].cases[].samples[].campaign_seq, .tiers[].canary[].campaign_seq] | (unique | length) == length)' "$TMP/ilv-int.json" >/dev/null &&
	ok "interleaved resume: 16 samples, campaign_seq unique" || fail "interleaved resume" "$(jq -c '[.status, [.tiers[].cases[].samples[] | .campaign_seq]]' "$TMP/ilv-int.json")"

# What a tier is, from all its evidence: a structured identity beside the prose nature.
jq -e 'all(.tiers[]; (.identity.kind | IN("guest", "bare metal", "unknown")) and (.identity.evidence | length) >= 2
       and (.sysinfo.hypervisor.kernel_log | type) == "string" and (.identity.label_contradicted == false))' "$R" >/dev/null &&
	ok "each tier's identity recorded with its evidence" || fail "identity recorded" "$(jq -c '.tiers[0].identity' "$R")"

# A label the evidence contradicts is named loudly: on stderr even with -q, in the
# result as a structured field, by doctor, and in the table's column name.
"$WORK" info --json >"$TMP/info.json"
label=hyperv
[ "$(jq -r .hypervisor.signature "$TMP/info.json")" = "Microsoft Hv" ] && label=vmware
cat >"$TMP/label.json" <<JSON
{ "name": "label", "tiers": [ { "name": "L0", "level": 0, "address": "local" },
    { "name": "L1", "level": 1, "hypervisor": "$label", "address": "unix:$TMP/b.sock" } ],
  "defaults": { "reps": 2, "warmup": 0, "min_time_ms": 2 }, "workloads": [ "ctl.syscall" ] }
JSON
run -q "$TMP/label.json" -o "$TMP/label-r.json" >/dev/null 2>"$TMP/label.err"
if ! jq -e '.tiers[1].identity | .hypervisor != null or .kind == "bare metal"' "$TMP/label-r.json" >/dev/null; then
	echo "skip contradicted label: this machine's evidence names no hypervisor to contradict ($(jq -r '.tiers[1].nature' "$TMP/label-r.json"))"
else
	expect_grep "run: a contradicted label is a WARNING on stderr, even with -q" \
		"^WARNING: tier L1: the campaign labels this tier \"$label\"" "$TMP/label.err"
	jq -e --arg l "$label" '.tiers[1] | .identity.label_contradicted == true and .identity.label_hypervisor == $l
	       and (.warning | test("but the evidence says"))' "$TMP/label-r.json" >/dev/null &&
		ok "run: the contradiction recorded as a field" || fail "contradiction recorded" "$(jq -c '.tiers[1].identity' "$TMP/label-r.json")"
	name=$(jq -r --arg l "$label" 'if $l == "hyperv" then "Hyper-V" else "VMware" end' -n)
	"$N" table "$TMP/label-r.json" >"$TMP/label.md" 2>/dev/null
	expect_grep "table: the column names the contradicted label" "L1 (NOT $name as labelled) |" "$TMP/label.md"
	"$N" doctor "$TMP/label.json" >"$TMP/doctor.out" 2>"$TMP/doctor.err"
	expect_grep "doctor: the contradiction is a WARNING on stderr" "^WARNING: tier L1: the campaign labels" "$TMP/doctor.err"
	expect_grep "doctor: the label line says CONTRADICTED" "label: .*CONTRADICTED" "$TMP/doctor.out"
fi

# Two tiers behind one virtio-serial port (the lab's L1 without vsock) cannot stay connected
# together: the campaign falls back to one tier after the other and says why.
cat >"$TMP/ser.json" <<JSON
{ "name": "ser",
  "tiers": [ { "name": "S1", "level": 1, "address": "serial:$TMP/no-such-port" },
             { "name": "S2", "level": 2, "address": "unix:$TMP/c.sock", "via": "S1" } ],
  "order": { "tiers": "interleaved" }, "defaults": { "reps": 1 }, "workloads": [ "cpu.int" ] }
JSON
expect_status "serial-shared tiers: unreachable, exit 2" 2 run "$TMP/ser.json" -o "$TMP/ser-r.json"
expect_grep "serial-shared tiers: says why they are not interleaved" "one after another, not interleaved: tiers S1 and S2 are both reached through serial:" "$TMP/err"
jq -e '.campaign.order.mode == "by-tier" and (.campaign.order.note | test("one session at a time"))' "$TMP/ser-r.json" >/dev/null &&
	ok "serial-shared tiers: by-tier recorded with the reason" || fail "serial-shared: order recorded" "$(jq -c .campaign.order "$TMP/ser-r.json")"

finish harness-cli
