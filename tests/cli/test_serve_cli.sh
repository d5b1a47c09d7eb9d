# test_serve_cli.sh - `nestbench-work serve`, the kept worker: one case set up once,
# batches of repetitions on request with the records `run` prints, a strict command
# parser that keeps serving after a bad line, and the same cleanup as `run`.
. tests/cli/lib.sh
W="$BUILD/nestbench-work"

RUN3='{"op":"run","reps":2,"warmup":1}'
QUIT='{"op":"quit"}'

# types FILE: the record types, space-separated.
types() { jq -r .type "$1" | tr '\n' ' '; }
# keys FILE TYPE: the sorted member names of every record of TYPE, one line each, deduplicated.
keys() { jq -c --arg t "$2" 'select(.type == $t) | keys' "$1" | sort -u; }

# ---- three batches with a fixed op count: run's records, batch 1 2 3, set up once ----
expect_status "run cpu.int for reference" 0 "$W" run cpu.int --ops 200000 --reps 2 --warmup 1
cp "$TMP/out" "$TMP/run.jsonl"
printf '%s\n%s\n%s\n' "$RUN3" "$RUN3" "$RUN3" >"$TMP/cmds"
expect_status "serve three batches" 0 sh -c "'$W' serve cpu.int --ops 200000 <'$TMP/cmds'"
cp "$TMP/out" "$TMP/serve.jsonl"
want="ready $(printf 'meta rep rep rep end %.0s' 1 2 3)"
[ "$(types "$TMP/serve.jsonl")" = "$want" ] && ok "ready once, then meta, 3 rep, end per batch" ||
	fail "ready once, then meta, 3 rep, end per batch" "$(types "$TMP/serve.jsonl")"
for t in meta rep; do
	[ "$(keys "$TMP/serve.jsonl" $t)" = "$(keys "$TMP/run.jsonl" $t)" ] && ok "$t records have run's members" ||
		fail "$t records have run's members" "serve $(keys "$TMP/serve.jsonl" $t), run $(keys "$TMP/run.jsonl" $t)"
done
run_end=$(jq -c 'select(.type == "end") | keys + ["batch", "reused"] | sort' "$TMP/run.jsonl")
[ "$(keys "$TMP/serve.jsonl" end)" = "$run_end" ] && ok "end records: run's members plus batch, reused" ||
	fail "end records: run's members plus batch, reused" "serve $(keys "$TMP/serve.jsonl" end), want $run_end"
[ "$(jq -sc 'map(select(.type == "end") | [.batch, .reused, .status, .cases])' "$TMP/serve.jsonl")" = \
  '[[1,false,0,1],[2,true,0,1],[3,true,0,1]]' ] && ok "batch 1 2 3, reused false true true, status 0" ||
	fail "batch 1 2 3, reused false true true" "$(jq -c 'select(.type == "end")' "$TMP/serve.jsonl")"
# The TSC rate is taken once, at the first batch, over the time since the worker began
# (its setup): the wait tops that span up to 20 ms (longer only when preempted).
jq -se '(map(select(.type == "ready"))[0]) as $r | (map(select(.type == "end"))[0].tsc_ms) as $t |
	($r.setup_ms >= 0 and $r.pid > 0 and $r.workload == "cpu.int" and $t >= 0 and $t < 1000) and
	all(.[] | select(.type == "end"); .setup_ms == $r.setup_ms and .tsc_ms == $t and
	.calibration_ms == 0) and ([.[] | select(.type == "meta") | .tsc_hz] | unique | length == 1 and
	.[0] > 1e8)' "$TMP/serve.jsonl" >/dev/null &&
	ok "one setup and TSC measurement, reported on every end record" ||
	fail "one setup and TSC measurement" "$(grep -e ready -e end "$TMP/serve.jsonl")"
# A later batch's warm-up re-warms with a quarter of the count (cpu.int has no working set).
jq -se 'map(select(.type == "rep")) | length == 9 and all(.value > 0) and
	all(.[] | select(.warmup | not); .ops == 200000) and
	([.[] | select(.warmup) | .ops] == [200000, 50000, 50000])' "$TMP/serve.jsonl" >/dev/null &&
	ok "every measured repetition does the --ops count; later warm-ups a quarter" ||
	fail "every measured repetition does the --ops count" "$(jq -c 'select(.type == "rep") | [.warmup, .ops]' "$TMP/serve.jsonl")"
jq -se 'map(select(.type == "end"))[0] | .setup_ms >= 0 and .calibration_ms == 0 and .tsc_ms > 0' \
	"$TMP/run.jsonl" >/dev/null && ok "run's end record: setup_ms, calibration_ms, tsc_ms" ||
	fail "run's end record: setup_ms, calibration_ms, tsc_ms" "$(tail -1 "$TMP/run.jsonl")"

# ---- calibration in the first batch only; a given ops wins but does not replace it --
printf '%s\n%s\n%s\n%s\n%s\n' '{"op":"run","reps":1,"warmup":0}' "$RUN3" ' { "warmup" : 0, "op" : "run", "reps" : 1 } ' \
	'{"op":"run","reps":1,"warmup":0,"ops":1234}' '{"op":"run","reps":1,"warmup":0,"min_time_ms":50}' >"$TMP/cmds"
expect_status "serve, calibrating" 0 sh -c "'$W' serve cpu.int --min-time-ms 5 <'$TMP/cmds'"
[ "$(jq -sc 'map(select(.type == "end") | .calibration_ms > 0)' "$TMP/out")" = '[true,false,false,false,false]' ] &&
	ok "calibration_ms > 0 in batch 1 only" || fail "calibration_ms > 0 in batch 1 only" \
	"$(jq -c 'select(.type == "end") | .calibration_ms' "$TMP/out" | tr '\n' ' ')"
jq -se 'map(select(.type == "meta")) | .[0].ops_per_rep > 1 and .[0].calibrated and .[0].calibration_ms > 0 and
	([.[0,1,2,4] | .ops_per_rep] | unique | length == 1) and all(.[1,2,4]; .calibration_ms == 0 and .calibrated) and
	.[3].ops_per_rep == 1234 and (.[3].calibrated | not)' "$TMP/out" >/dev/null &&
	ok "the calibrated count is reused; a given ops wins for its batch only" ||
	fail "the calibrated count is reused" "$(jq -c 'select(.type == "meta") | [.ops_per_rep, .calibrated, .calibration_ms]' "$TMP/out")"
jq -se '(map(select(.type == "meta"))[0].ops_per_rep) as $n |
	[.[] | select(.type == "rep") | .ops] == [$n, (($n + 3) / 4 | floor), $n, $n, $n, 1234, $n]' "$TMP/out" >/dev/null &&
	ok "repetitions do the meta record's count (batch 2's warm-up a quarter)" ||
	fail "repetitions do the meta record's count" "$(jq -c 'select(.type == "rep") | [.warmup, .ops]' "$TMP/out")"

# ---- usage errors at start-up ---------------------------------------------------------
expect_status "serve: a sweep is refused" 2 sh -c "'$W' serve cpu.fp --param elems=16,64 </dev/null"
expect_grep "sweep: the message says one case" "serve measures one case, but --param elems gives 2 values" "$TMP/err"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && [ "$(types "$TMP/out")" = "error " ] && ok "sweep: one line, one error record" ||
	fail "sweep: one line, one error record" "$(cat "$TMP/err" "$TMP/out")"
expect_status "serve: --reps belongs in the command" 2 "$W" serve cpu.int --reps 3
expect_status "serve: unknown workload" 2 "$W" serve cpu.nope
expect_status "serve: --ops over the workload's limit" 2 sh -c "'$W' serve io.rand.read --ops 99999999 </dev/null"
expect_grep "ops limit named" "limit of 4194304 ops" "$TMP/err"

# ---- malformed command lines: error + end status 2, and the worker keeps serving -------
cat >"$TMP/cmds" <<'EOF'
not json
{"op":"run","ops":1e6}
{"op":"run","reps":0,"warmup":0}
{"op":"run","reps":1.5,"warmup":0}
{"op":"run","reps":1,"warmup":0,"turbo":1}
{"op":"run","reps":1,"reps":2,"warmup":0}
{"op":"run","reps":1,"warmup":0} x
{"op":"jump"}
{"op":"quit","reps":1}

{"op":"run","reps":1,"warmup":0,"ops":1000}
EOF
expect_status "serve: malformed lines do not end the worker" 0 sh -c "'$W' serve cpu.int <'$TMP/cmds'"
[ "$(jq -sc '[.[] | select(.type == "end") | .status]' "$TMP/out")" = '[2,2,2,2,2,2,2,2,2,2,0]' ] &&
	[ "$(jq -s 'map(select(.type == "error")) | length' "$TMP/out")" = 10 ] &&
	ok "10 malformed lines: error + end status 2 each; the next run is served" ||
	fail "malformed lines: error + end status 2 each" "$(jq -c 'select(.type != "rep")' "$TMP/out")"
[ "$(jq -sc '[.[] | select(.type == "end") | [.cases, .batch]] | .[9:]' "$TMP/out")" = '[[0,0],[1,1]]' ] &&
	ok "a refused line is no batch (cases 0); the run after it is batch 1" ||
	fail "a refused line is no batch" "$(jq -c 'select(.type == "end")' "$TMP/out" | tail -2)"
jq -r 'select(.type == "error") | .message' "$TMP/out" >"$TMP/messages"
while IFS= read -r m; do
	grep -qF -- "$m" "$TMP/messages" && ok "error names: $m" || fail "error names: $m" "$(cat "$TMP/messages")"
done <<'EOF'
a command is one JSON object
"ops" must be a whole number, not '1e6
"reps" is 0, not between 1 and 1000000
"reps" must be a whole number, not '1.5
unknown member "turbo"
member "reps" given twice
text after the object: 'x
unknown op "jump"
quit takes no "reps"
EOF

# ---- quit and end of input ------------------------------------------------------------
printf '%s\n%s\n' "$QUIT" "$RUN3" >"$TMP/cmds"
expect_status "serve: quit exits 0" 0 sh -c "'$W' serve cpu.int --ops 1000 <'$TMP/cmds'"
[ "$(types "$TMP/out")" = "ready " ] && ok "nothing is served after quit" || fail "nothing is served after quit" "$(types "$TMP/out")"
expect_status "serve: end of input exits 0" 0 sh -c "'$W' serve cpu.int --ops 1000 </dev/null"
echo '{"op":"run"}' >"$TMP/cmds"
expect_status "serve: a run without reps and warmup" 0 sh -c "'$W' serve cpu.int --ops 1000 <'$TMP/cmds'"
jq -se 'map(select(.type == "rep")) | (map(select(.warmup)) | length) == 1 and (map(select(.warmup | not)) | length) == 5' \
	"$TMP/out" >/dev/null && ok "run's defaults: 1 warm-up, 5 repetitions" || fail "run's defaults: 1 warm-up, 5 repetitions" "$(types "$TMP/out")"
printf '%s' "$RUN3" >"$TMP/cmds"   # a last line without its newline is still a command
expect_status "serve: last line without newline" 0 sh -c "'$W' serve cpu.int --ops 1000 <'$TMP/cmds'"
[ "$(types "$TMP/out")" = "ready meta rep rep rep end " ] && ok "the unterminated last line is served" ||
	fail "the unterminated last line is served" "$(types "$TMP/out")"

# ---- mem.bw: the arrays are set up once; a later batch neither sets up nor calibrates --
# The default size (4 x the last-level cache, at least 64M): STREAM's rule refuses
# smaller arrays on a machine whose cache size is known.
R1='{"op":"run","reps":1,"warmup":0}'
printf '%s\n%s\n' "$R1" "$R1" >"$TMP/cmds"
expect_status "serve mem.bw.copy" 0 sh -c "'$W' serve mem.bw.copy --min-time-ms 5 <'$TMP/cmds'"
jq -se 'map(select(.type == "ready"))[0].setup_ms > 0' "$TMP/out" >/dev/null &&
	ok "mem.bw: setup_ms > 0 on the ready record" || fail "mem.bw: setup_ms > 0" "$(head -1 "$TMP/out")"
jq -se 'map(select(.type == "end")) | length == 2 and .[1].batch == 2 and .[1].reused and
	.[1].calibration_ms == 0 and .[0].calibration_ms > 0 and .[1].status == 0' "$TMP/out" >/dev/null &&
	ok "mem.bw: batch 2 reused the arrays and the calibration" ||
	fail "mem.bw: batch 2 reused" "$(jq -c 'select(.type == "end")' "$TMP/out")"
jq -se 'map(select(.type == "rep")) | length == 2 and all(.value > 0 and .extra.array_bytes >= 67108864) and
	.[0].extra.array_bytes == .[1].extra.array_bytes' "$TMP/out" >/dev/null &&
	ok "mem.bw: both batches stream the same arrays" || fail "mem.bw: both batches stream the same arrays"

# ---- kept and fresh workers measure the same thing (loose: a noisy host) ---------------
B5='{"op":"run","reps":5,"warmup":1}'
printf '%s\n%s\n%s\n' "$B5" "$B5" "$B5" >"$TMP/cmds"
"$W" serve cpu.int --ops 3000000 <"$TMP/cmds" >"$TMP/kept" 2>/dev/null
: >"$TMP/fresh"
for i in 1 2 3; do "$W" run cpu.int --ops 3000000 --reps 5 --warmup 1 >>"$TMP/fresh" 2>/dev/null; done
median='[.[] | select(.type == "rep" and .warmup == false) | .ns_per_op] | sort | if length == 15 then .[7] else null end'
mk=$(jq -s "$median" "$TMP/kept")
mf=$(jq -s "$median" "$TMP/fresh")
jq -ne --argjson a "$mk" --argjson b "$mf" '$a > 0 and $b > 0 and ([$a, $b] | max) <= 1.25 * ([$a, $b] | min)' >/dev/null &&
	ok "cpu.int median ns/op: kept $mk, fresh $mf (within 25 %)" ||
	fail "cpu.int median ns/op kept vs fresh within 25 %" "kept $mk, fresh $mf"

# ---- a case this host cannot run: run's skip and end records, exit 77 ------------------
expect_status "serve: unsupported case exits 77" 77 sh -c "'$W' serve mem.lat --param size=1T </dev/null"
[ "$(types "$TMP/out")" = "skip end " ] && jq -se '.[1] | .status == 77 and .skipped == 1 and (has("batch") | not)' "$TMP/out" >/dev/null &&
	ok "unsupported: skip + run's end record, no ready" || fail "unsupported: skip + end" "$(cat "$TMP/out")"
"$W" run exit.pio --reps 1 --warmup 0 --min-time-ms 1 >"$TMP/run.jsonl" 2>/dev/null
if [ $? -eq 77 ]; then
	expect_status "serve exit.pio skipped as run is" 77 sh -c "'$W' serve exit.pio </dev/null"
	[ "$(jq -c 'select(.type == "skip")' "$TMP/out")" = "$(jq -c 'select(.type == "skip")' "$TMP/run.jsonl")" ] &&
		ok "exit.pio: the same skip record as run" || fail "exit.pio: the same skip record as run"
else
	ok "exit.pio runs on this host (unsupported path covered by mem.lat size=1T and the unit test)"
fi

# ---- scratch files: removed at end of input and on SIGTERM -----------------------------
mkdir "$TMP/scratch"
expect_status "serve pf.file, end of input" 0 sh -c "'$W' serve pf.file --param dir='$TMP/scratch' --param size=1M </dev/null"
[ -z "$(ls "$TMP/scratch")" ] && ok "scratch file removed at end of input" || fail "scratch file removed at end of input" "$(ls "$TMP/scratch")"
mkfifo "$TMP/fifo"
"$W" serve io.fsync --param dir="$TMP/scratch" --param size=1M <"$TMP/fifo" >"$TMP/out" 2>"$TMP/err" &
pid=$!
exec 3>"$TMP/fifo"   # keep the worker's stdin open: it waits for commands
for _ in $(seq 100); do grep -q ready "$TMP/out" && break; sleep 0.1; done
[ -n "$(ls "$TMP/scratch")" ] && ok "io.fsync: scratch file while serving" || fail "io.fsync: scratch file while serving"
kill -TERM "$pid"
{ wait "$pid"; st=$?; } 2>/dev/null
exec 3>&-
[ "$st" -eq 143 ] && [ -z "$(ls "$TMP/scratch")" ] && ok "SIGTERM: worker ends, scratch file removed" ||
	fail "SIGTERM: worker ends, scratch file removed" "status $st, left: $(ls "$TMP/scratch")"

# ---- a setup group: one mem.bw worker serves the four kernels -------------------------
# copy sets the arrays up; add runs on them (its own calibration, the arrays' values set
# back so its result check holds); mem.lat and an unknown name are refused without
# harm; copy again reuses its own count.
printf '%s\n' '{"op":"run","reps":1,"warmup":0}' '{"op":"run","reps":1,"warmup":0,"workload":"mem.bw.add"}' \
	'{"op":"run","reps":1,"warmup":0,"workload":"mem.lat"}' '{"op":"run","reps":1,"warmup":0,"workload":"mem.bw.nope"}' \
	'{"op":"run","reps":1,"warmup":0,"workload":"mem.bw.copy"}' >"$TMP/cmds"
expect_status "serve mem.bw.copy, then add, a refused mem.lat, copy" 0 sh -c "'$W' serve mem.bw.copy --min-time-ms 5 <'$TMP/cmds'"
jq -se '[.[] | select(.type == "end") | [.workload, .status, .batch, .reused, (.calibration_ms > 0)]] ==
	[["mem.bw.copy",0,1,false,true],["mem.bw.add",0,2,true,true],["mem.bw.add",2,2,false,false],
	 ["mem.bw.add",2,2,false,false],["mem.bw.copy",0,3,true,false]]' "$TMP/out" >/dev/null &&
	ok "group: one worker runs copy, add, copy; refusals keep serving" ||
	fail "group: copy, add, copy on one worker" "$(jq -c 'select(.type == "end" or .type == "error")' "$TMP/out")"
jq -se '[.[] | select(.type == "rep") | .workload] == ["mem.bw.copy","mem.bw.add","mem.bw.copy"] and
	([.[] | select(.type == "error") | .message] | (.[0] | test("mem.lat cannot be served by this worker of mem.bw.add")) and
	 (.[1] | test("unknown workload \"mem.bw.nope\""))) and ([.[] | select(.type == "ready")] | length == 1)' \
	"$TMP/out" >/dev/null && ok "group: records name the kernel run; refusals say why" ||
	fail "group: records and refusals" "$(cat "$TMP/out")"

# ---- the calibration's last run is the first warm-up; later batches re-warm -----------
# Batch 1 calibrates: its one warm-up record is the calibration's last run, at the chosen
# count.  Batch 2 re-warms: mem.lat (16K: 256 nodes) runs max(one pass, a quarter of a
# repetition), cpu.int (no working set) a quarter of one.
RW='{"op":"run","reps":1,"warmup":1}'
printf '%s\n%s\n' "$RW" "$RW" >"$TMP/cmds"
expect_status "serve mem.lat 16K, two batches" 0 sh -c "'$W' serve mem.lat --param size=16K --min-time-ms 5 <'$TMP/cmds'"
jq -se '(map(select(.type == "meta"))[0].ops_per_rep) as $n | map(select(.type == "rep")) |
	length == 4 and .[0].warmup and .[0].calibration and .[0].ops == $n and .[0].ns >= 5e6 and
	(.[1] | .warmup | not) and .[1].ops == $n and (.[2] | .warmup and (has("calibration") | not)) and
	.[2].ops == ([256, (($n + 3) / 4 | floor)] | max) and .[2].ops < $n and .[3].ops == $n' \
	"$TMP/out" >/dev/null && ok "mem.lat: calibration's run is warm-up 1; batch 2 re-warms with one pass or a quarter" ||
	fail "mem.lat: calibration as warm-up, re-warm" "$(jq -c 'select(.type == "rep") | [.warmup, .calibration, .ops, .ns]' "$TMP/out")"
printf '%s\n%s\n' "$RW" "$RW" >"$TMP/cmds"
expect_status "serve cpu.int, two batches" 0 sh -c "'$W' serve cpu.int --min-time-ms 5 <'$TMP/cmds'"
jq -se '(map(select(.type == "meta"))[0].ops_per_rep) as $n | map(select(.type == "rep")) |
	length == 4 and .[0].calibration and .[0].ops == $n and .[1].ops == $n and
	(.[2] | .warmup and .ops == (($n + 3) / 4 | floor)) and .[3].ops == $n and (.[3].warmup | not)' \
	"$TMP/out" >/dev/null &&
	ok "cpu.int: no working set, a later warm-up is a quarter of a repetition" ||
	fail "cpu.int: later warm-up is a quarter of a repetition" "$(jq -c 'select(.type == "rep") | [.warmup, .ops]' "$TMP/out")"
expect_status "run cpu.int --warmup 0 after calibrating" 0 "$W" run cpu.int --reps 2 --warmup 0 --min-time-ms 5
jq -se 'map(select(.type == "rep")) | length == 2 and all(.warmup | not)' "$TMP/out" >/dev/null &&
	ok "--warmup 0: the calibration's run is not reported" || fail "--warmup 0: no warm-up record" "$(cat "$TMP/out")"

finish serve-cli
