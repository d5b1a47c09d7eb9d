# test_history_pg_cli.sh - the result history on a real PostgreSQL server that this test
# starts itself: initdb into a temporary directory as the system user nobody (initdb
# refuses root; runuser, else setpriv), listening only on a UNIX socket in that
# directory, stopped by its pid at the end.  Checks: the schema (tables, mapped types,
# foreign keys, schema version), idempotence, labels, one transaction per file, the
# CSV exports and `history list` equal to the SQLite store's for the same files, the
# URI forms, clear messages for a server that is not there; then the whole of
# test_history_check_cli.sh against the server.  Skips (exit 0, with the reason) only
# where the server binaries are not installed (mk/deps.sh test installs postgresql).
. tests/cli/lib.sh
N="$BUILD/nestbench"
D=tests/analysis/data

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
	echo "skip test_history_pg_cli: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb); install them with: apt-get install postgresql"
	exit 0
fi
PATH="$PGBIN:$PATH"
export PATH

# as_pg CMD...: run CMD as the server's user (nobody when we are root, else ourselves).
PGUSER_OS=$(id -un)
as_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	PGUSER_OS=nobody
	if command -v runuser >/dev/null 2>&1; then as_pg() { runuser -u nobody -- "$@"; }
	else as_pg() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }; fi
fi

PGDIR="$TMP/pg"
mkdir -p "$PGDIR"
chmod 755 "$TMP"
chown "$PGUSER_OS" "$PGDIR" 2>/dev/null || true
if ! as_pg initdb -D "$PGDIR/data" -U "$PGUSER_OS" --auth=trust --locale=C -E UTF8 >"$TMP/initdb.log" 2>&1; then
	fail "initdb" "$(tail -5 "$TMP/initdb.log")"
	finish test_history_pg_cli
	exit 1
fi
if ! as_pg pg_ctl -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-c listen_addresses='' -c unix_socket_directories=$PGDIR -c fsync=off" start >"$TMP/pgctl.log" 2>&1; then
	fail "the server starts" "$(tail -5 "$PGDIR/log")"
	finish test_history_pg_cli
	exit 1
fi
PGPID=$(head -n 1 "$PGDIR/data/postmaster.pid")
# Stop the server by its pid, then remove the temporary directory.
# (A signal exits, so that the EXIT trap runs then too.)
trap 'kill -INT "$PGPID" 2>/dev/null; i=0; while kill -0 "$PGPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done; rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM PIPE
ok "a PostgreSQL server started (pid $PGPID, socket in $PGDIR, user $PGUSER_OS)"

HOSTENC=$(printf '%s' "$PGDIR" | sed 's|/|%2F|g')
BASE="postgresql://$PGUSER_OS@$HOSTENC"
createdb -h "$PGDIR" -U "$PGUSER_OS" hist
DB="$BASE/hist"
SQ="$TMP/h.sqlite"
GOOD="$D/compare-base.json $D/compare-new.json $D/counters.json $D/empty-samples.json
      $D/hyperv.json $D/kvm.json $D/lab-exits.json $D/mislabelled.json $D/mismatch.json
      $D/tcg.json results/example/lab-demo.json"

q() { psql -X -A -t -q "$DB" -c "$1"; }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', wanted '$3'"; fi; }

# ---- add: the same files into PostgreSQL and SQLite -----------------------------------
expect_status "add: exit 0" 0 "$N" history add --db "$DB" --label commit=abc123 --label kernel=6.8 $GOOD
expect_eq "add: the 11 result files are stored" "$(grep -c ': stored as run ' "$TMP/out")" 11
"$N" history add --db "$SQ" --label commit=abc123 --label kernel=6.8 $GOOD >/dev/null
expect_eq "add: 11 runs" "$(q 'SELECT count(*) FROM runs')" 11
expect_eq "add: every case of every tier stored" "$(q 'SELECT count(*) FROM results')" \
	"$(for f in $GOOD; do jq '[.tiers[].cases[]] | length' "$f"; done | awk '{s += $1} END {print s}')"
expect_eq "schema: the tables" "$(q "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")" \
	"meta,results,run_labels,runs,tiers"
expect_eq "schema: types mapped (median, n, id)" \
	"$(q "SELECT string_agg(column_name || ':' || data_type || ':' || is_identity, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'results' AND column_name IN ('id', 'n', 'median', 'note')")" \
	"id:bigint:YES,median:double precision:NO,n:bigint:NO,note:text:NO"
expect_eq "schema: foreign keys of results" \
	"$(q "SELECT count(*) FROM information_schema.table_constraints WHERE table_name = 'results' AND constraint_type = 'FOREIGN KEY'")" 2
expect_eq "schema: the store's schema version" "$(q "SELECT value FROM meta WHERE key = 'schema_version'")" 1
expect_eq "labels stored" "$(q "SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM run_labels l JOIN runs r ON r.id = l.run WHERE r.path LIKE '%/kvm.json'")" \
	"commit=abc123,kernel=6.8"
expect_eq "samples kept as JSON" \
	"$(q "SELECT json_array_length(samples::json) FROM results x JOIN runs r ON r.id = x.run WHERE r.path LIKE '%/kvm.json' AND x.case_key = 'cpu.int' LIMIT 1")" 7

# ---- idempotence ---------------------------------------------------------------------
expect_status "add again: exit 0" 0 "$N" history add --db "$DB" $D/kvm.json
expect_grep "add again: says already stored" "kvm.json: already stored as run" "$TMP/out"
cp $D/kvm.json "$TMP/copy-of-kvm.json"
expect_status "a copy: exit 0" 0 "$N" history add --db "$DB" "$TMP/copy-of-kvm.json"
expect_grep "a copy: already stored" "already stored as run" "$TMP/out"
expect_eq "still 11 runs" "$(q 'SELECT count(*) FROM runs')" 11
jq '.schema_version = 1 | .started_utc = "2026-12-01T00:00:00Z"' results/example/lab-demo.json >"$TMP/v1.json"
jq '.status = "partial" | .started_utc = "2026-12-01T00:00:00Z"' results/example/lab-demo.json >"$TMP/v1-resumed.json"
for db in "$DB" "$SQ"; do
	"$N" history add --db "$db" --label commit=def456 "$TMP/v1.json" >/dev/null
done
expect_eq "a schema version 1 file imports" "$(q "SELECT schema_version FROM runs WHERE path LIKE '%/v1.json'")" 1
expect_status "another version of a stored run imports" 0 "$N" history add --db "$DB" "$TMP/v1-resumed.json"
expect_grep "and is said to be another version of one" "another version of the same run" "$TMP/out"
"$N" history add --db "$SQ" "$TMP/v1-resumed.json" >/dev/null

# ---- the same answers as SQLite --------------------------------------------------------
for cmd in "export --csv" "export --csv --wide" "list" "show cpu.int --tier L2 --json" \
	   "show exit.pio --tier L0" "check --last 2 --format json"; do
	# shellcheck disable=SC2086
	"$N" history $cmd --db "$DB" >"$TMP/pg.out" 2>"$TMP/pg.err"; a=$?
	# shellcheck disable=SC2086
	"$N" history $cmd --db "$SQ" >"$TMP/sq.out" 2>"$TMP/sq.err"; b=$?
	sed -i "s|$SQ|DB|g" "$TMP/sq.out" "$TMP/sq.err"
	sed -i "s|$DB|DB|g" "$TMP/pg.out" "$TMP/pg.err"
	if [ $a = $b ] && cmp -s "$TMP/pg.out" "$TMP/sq.out" && [ -s "$TMP/pg.out" ]; then
		ok "history $cmd: the same as on SQLite (exit $a)"
	else
		fail "history $cmd: the same as on SQLite" "exit $a vs $b; $(diff "$TMP/pg.out" "$TMP/sq.out" | head -5) $(head -c 300 "$TMP/pg.err")"
	fi
done
expect_status "show: an unknown case: exit 2" 2 "$N" history show --db "$DB" no.such
expect_grep "show: an unknown case: named" 'no case "no.such"' "$TMP/err"
expect_status "show: a workload with several cases: exit 2" 2 "$N" history show --db "$DB" mem.lat
expect_grep "show: lists the cases to choose from" '"mem.lat size=64M stride=64 thp=0"' "$TMP/err"

# ---- one transaction per file ---------------------------------------------------------
before=$(q 'SELECT count(*) FROM runs'):$(q 'SELECT count(*) FROM tiers'):$(q 'SELECT count(*) FROM results')
jq '.tiers[1].name = "L0" | .started_utc = "2026-12-04T00:00:00Z"' $D/kvm.json >"$TMP/twotiers.json"
expect_status "two tiers of one name: exit 2" 2 "$N" history add --db "$DB" "$TMP/twotiers.json"
expect_grep "two tiers of one name: nothing of it stored, the server's reason" \
	"cannot store .*twotiers.json (nothing of it was stored): .*duplicate key" "$TMP/err"
expect_eq "two tiers of one name: no run, tier or case of it stored" \
	"$(q 'SELECT count(*) FROM runs'):$(q 'SELECT count(*) FROM tiers'):$(q 'SELECT count(*) FROM results')" "$before"
expect_status "a file that is not a result file: exit 2" 2 "$N" history add --db "$DB" $D/not-json.json
expect_grep "a file that is not a result file: named" "not-json.json is not JSON" "$TMP/err"

# ---- URI forms, $NESTBENCH_HISTORY, and databases that cannot be used ---------------------
expect_status "postgres:// works too" 0 "$N" history list --db "postgres://$PGUSER_OS@$HOSTENC/hist"
expect_status "a key=value connection string works" 0 \
	"$N" history list --db "host=$PGDIR user=$PGUSER_OS dbname=hist"
expect_status "NESTBENCH_HISTORY names the server" 0 env NESTBENCH_HISTORY="$DB" "$N" history list
expect_grep "NESTBENCH_HISTORY: the runs are there" "kvm-host" "$TMP/out"
expect_status "a database that does not exist: exit 2" 2 "$N" history list --db "$BASE/nosuch"
expect_grep "a database that does not exist: names it, and the fix" \
	"cannot connect to the history's PostgreSQL server (postgresql://.*/nosuch): .*\"nosuch\" does not exist.*createdb" "$TMP/err"
expect_status "no server there: exit 2" 2 "$N" history list --db "postgresql://u:secret@%2Fnonexistent/x"
expect_grep "no server there: says so" "cannot connect to the history's PostgreSQL server" "$TMP/err"
grep -q secret "$TMP/err" && fail "no server there: the password is not shown" ||
	ok "no server there: the password is not shown"
createdb -h "$PGDIR" -U "$PGUSER_OS" empty
expect_status "list on an empty database: exit 2" 2 "$N" history list --db "$BASE/empty"
expect_grep "list on an empty database: how to make a history" "no history in PostgreSQL database empty.*history add" "$TMP/err"
expect_eq "list creates no tables" "$(psql -X -A -t -q "$BASE/empty" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
createdb -h "$PGDIR" -U "$PGUSER_OS" other
psql -X -q "$BASE/other" -c "CREATE TABLE t (x int)"
expect_status "another program's database: exit 2" 2 "$N" history add --db "$BASE/other" $D/tcg.json
expect_grep "another program's database: left alone" "other tables but no nestbench history" "$TMP/err"

# ---- history check and plot: the whole SQLite suite against this server -------------------
NB_TEST_PG="$BASE" BUILD="$BUILD" sh tests/cli/test_history_check_cli.sh >"$TMP/check.log" 2>&1
c=$?
grep '^FAIL' -A1 "$TMP/check.log"
summary=$(tail -n 1 "$TMP/check.log")
if [ $c -eq 0 ]; then ok "test_history_check_cli.sh on PostgreSQL: $summary"; else
	fail "test_history_check_cli.sh on PostgreSQL" "$summary"; fi

# ---- the CI recipe's script with a PostgreSQL history ---------------------------------------
createdb -h "$PGDIR" -U "$PGUSER_OS" ci
for i in 1 2; do
	DB="$BASE/ci" NESTBENCH="$N" CONFIG=examples/ci/tiny.json OUT="$TMP/ci/out$i" KEEP="$TMP/ci" \
		COMMIT="c$i" STATE_DIR="$TMP/ci-state" sh examples/ci/nightly.sh >"$TMP/ci$i.log" 2>&1
	expect_eq "nightly.sh on PostgreSQL, call $i: exit 0" "$?" 0
done
expect_eq "nightly.sh on PostgreSQL: one run per call, with its commit" \
	"$(psql -X -A -t -q "$BASE/ci" -c "SELECT string_agg(value, ',' ORDER BY run) FROM run_labels WHERE key = 'commit'")" "c1,c2"
[ -s "$TMP/ci/last-result.json" ] && [ ! -e "$TMP/ci/out2/history.sqlite" ] &&
	ok "nightly.sh on PostgreSQL: the previous result kept in KEEP, no database copy" ||
	fail "nightly.sh on PostgreSQL: KEEP and no copy" "$(ls -R "$TMP/ci" | head -20)"

finish test_history_pg_cli
