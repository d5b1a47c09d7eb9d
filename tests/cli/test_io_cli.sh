# test_io_cli.sh - the pf and io families through nestbench-work: user errors (exit
# status 2, one clear line), scratch-file removal on SIGTERM, and a normal run's records.
. tests/cli/lib.sh
BIN=${BUILD:-build}/nestbench-work

# leftovers DIR: scratch files still in DIR
leftovers() { ls "$1" 2>/dev/null | grep -c '^nestbench-' ; }

# ---- user errors -------------------------------------------------------------------
expect_status io-missing-dir 2 "$BIN" run io.seq.read --param dir=/nonexistent --reps 1
expect_grep io-missing-dir-message "directory '/nonexistent' does not exist" "$TMP/err"
expect_grep io-missing-dir-record '"type":"error"' "$TMP/out"

expect_status pf-file-missing-dir 2 "$BIN" run pf.file --param dir=/nonexistent --reps 1
expect_grep pf-file-missing-dir-message "does not exist" "$TMP/err"

expect_status pf-unknown-regime 2 "$BIN" run pf.anon --param regime=tepid --reps 1
expect_grep pf-unknown-regime-message "'tepid' is not one of warm|cold" "$TMP/err"

mkdir "$TMP/small"
expect_status io-size-too-small 2 "$BIN" run io.rand.read --param dir="$TMP/small" --param size=8K --reps 1
expect_grep io-size-too-small-message "size 8K is too small" "$TMP/err"
if [ "$(wc -l <"$TMP/err")" -eq 1 ]; then ok io-error-one-line; else fail io-error-one-line "$(cat "$TMP/err")"; fi

expect_status io-size-not-multiple 2 "$BIN" run io.seq.write --param dir="$TMP/small" --param size=9M --param bs=2M --reps 1
expect_grep io-size-not-multiple-message "not a multiple of bs" "$TMP/err"
n=$(leftovers "$TMP/small")
if [ "$n" -eq 0 ]; then ok io-errors-leave-nothing; else fail io-errors-leave-nothing "$n files left"; fi

# ---- SIGTERM mid-run removes the scratch file ----------------------------------------
mkdir "$TMP/sig"
"$BIN" run io.seq.read --param dir="$TMP/sig" --param size=8M --min-time-ms 1000 --reps 50 \
	>"$TMP/sig.out" 2>"$TMP/sig.err" &
pid=$!
seen=0
for _ in $(seq 100); do
	if [ "$(leftovers "$TMP/sig")" -gt 0 ]; then seen=1; break; fi
	sleep 0.05
done
sleep 0.3
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
st=$?
if [ "$seen" -eq 1 ]; then ok io-sigterm-file-existed; else fail io-sigterm-file-existed "no scratch file appeared"; fi
if [ "$st" -eq 143 ]; then ok io-sigterm-status; else fail io-sigterm-status "exit status $st, wanted 143 (SIGTERM)"; fi
n=$(leftovers "$TMP/sig")
if [ "$n" -eq 0 ]; then ok io-sigterm-no-leftover; else fail io-sigterm-no-leftover "$(ls "$TMP/sig")"; fi

# ---- a normal run --------------------------------------------------------------------
mkdir "$TMP/ok"
expect_status io-rand-read-run 0 "$BIN" run io.rand.read --param dir="$TMP/ok" --param size=4M \
	--reps 2 --warmup 0 --min-time-ms 20
reps=$(grep '"type":"rep"' "$TMP/out" | grep -c '"direct":[01]')
if [ "$reps" -eq 2 ]; then ok io-rand-read-direct-extra; else fail io-rand-read-direct-extra "$reps rep records with direct"; fi
expect_grep io-rand-read-latency '"lat_p99_ns":' "$TMP/out"
expect_grep io-rand-read-note '"notes":"[^"]*O_DIRECT' "$TMP/out"
n=$(leftovers "$TMP/ok")
if [ "$n" -eq 0 ]; then ok io-run-leaves-nothing; else fail io-run-leaves-nothing "$(ls "$TMP/ok")"; fi

# ---- O_DIRECT refused: ramfs in a private mount namespace (root only) ----------------
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 &&
	mkdir "$TMP/ram" && unshare -m sh -c "mount -t ramfs none '$TMP/ram' 2>/dev/null" 2>/dev/null; then
	unshare -m sh -c "mount -t ramfs none '$TMP/ram' && exec '$BIN' run io.rand.read \
		--param dir='$TMP/ram' --param size=1M --reps 1 --warmup 0 --min-time-ms 10" \
		>"$TMP/out" 2>"$TMP/err"
	expect_grep io-fallback-direct-0 '"direct":0' "$TMP/out"
	expect_grep io-fallback-note 'ramfs: O_DIRECT refused (EINVAL), buffered' "$TMP/out"
else
	echo "skip io-fallback (needs root, unshare and ramfs)"
fi

finish io-cli
