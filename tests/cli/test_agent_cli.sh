#!/bin/sh
# test_agent_cli.sh - nestbench-agent's command line: --help covers every option,
# user errors exit 2 with a message naming the cause and the fix, and one --stdio
# session answers a ping written with printf.
. tests/cli/lib.sh
AGENT=${BUILD:-build}/nestbench-agent

# Agents started here are stopped by PID whatever happens.
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

expect_status help 0 "$AGENT" --help
for opt in --listen --stdio --token-file --state-dir --max-frame --max-put --max-sessions \
	   --run-timeout --busy-poll --max-workers --workers-mem-pct --verbose --quiet --version --help vsock:PORT serial:PATH \
	   tcp:HOST:PORT unix:PATH vmw_vsock_virtio_transport hv_sock vmw_vsock_vmci_transport \
	   vhost_vsock "Exit status"; do
	expect_grep "help mentions $opt" "$opt" "$TMP/out"
done
expect_status version 0 "$AGENT" --version
expect_grep "version names the protocol" "protocol 1" "$TMP/out"

expect_status "unknown option" 2 "$AGENT" --frobnicate
expect_grep "unknown option named" "frobnicate" "$TMP/err"
expect_status "missing value" 2 "$AGENT" --listen
expect_status "bad listen address" 2 "$AGENT" --listen tcp:nohostport --state-dir "$TMP/s"
expect_grep "bad address names the forms" "expected vsock:PORT" "$TMP/err"
expect_status "unknown transport" 2 "$AGENT" --listen ftp:host:1 --state-dir "$TMP/s"
expect_status "bad max-frame" 2 "$AGENT" --max-frame 12Q --stdio
expect_grep "max-frame message" "max-frame" "$TMP/err"
expect_status "bad busy-poll" 2 "$AGENT" --busy-poll -3 --stdio
expect_status "bad max-workers" 2 "$AGENT" --max-workers 0 --stdio
expect_grep "max-workers message" "max-workers" "$TMP/err"
expect_status "bad workers-mem-pct" 2 "$AGENT" --workers-mem-pct 101 --stdio
expect_grep "workers-mem-pct message" "percentage" "$TMP/err"

expect_status "unreadable token file" 2 "$AGENT" --token-file "$TMP/nope" --stdio --state-dir "$TMP/s"
expect_grep "token file named" "$TMP/nope" "$TMP/err"
expect_grep "token option named" "token-file" "$TMP/err"
: >"$TMP/empty-token"
expect_status "empty token file" 2 "$AGENT" --token-file "$TMP/empty-token" --stdio --state-dir "$TMP/s"
expect_grep "empty token explained" "openssl rand" "$TMP/err"

: >"$TMP/file"
expect_status "state dir not usable" 2 "$AGENT" --stdio --state-dir "$TMP/file/sub"
expect_grep "state dir message names the option" "state-dir" "$TMP/err"
expect_status "state dir relative" 2 "$AGENT" --stdio --state-dir relative/dir
expect_status "serial port missing" 2 "$AGENT" --listen serial:"$TMP/no-such-port" --state-dir "$TMP/s"
expect_grep "serial hint" "virtio_console" "$TMP/err"

# A UNIX socket in use by a live agent is refused; a stale one is replaced.
"$AGENT" --listen unix:"$TMP/a.sock" --state-dir "$TMP/s1" 2>"$TMP/a.log" &
apid=$!
PIDS="$PIDS $apid"
i=0
while [ ! -S "$TMP/a.sock" ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i + 1)); done
expect_status "socket in use" 2 "$AGENT" --listen unix:"$TMP/a.sock" --state-dir "$TMP/s2"
expect_grep "socket in use explained" "another process is listening" "$TMP/err"

# vsock: where AF_VSOCK is missing the error names the modules; where it exists the
# agent listens (this is as far as a machine without vsock loopback can go).
"$AGENT" --listen vsock:$((30000 + $$ % 20000)) --state-dir "$TMP/s3" 2>"$TMP/v.log" &
vpid=$!
PIDS="$PIDS $vpid"
sleep 0.3
if kill -0 "$vpid" 2>/dev/null; then
	expect_grep "vsock listens" "listening on vsock" "$TMP/v.log"
	kill "$vpid"
	wait "$vpid"
	st=$?
	if [ "$st" -eq 0 ]; then ok "vsock agent exits 0 on SIGTERM"; else fail "vsock agent exits 0 on SIGTERM" "status $st"; fi
else
	wait "$vpid"
	st=$?
	if [ "$st" -eq 2 ]; then ok "vsock unavailable: status 2"; else fail "vsock unavailable: status 2" "status $st"; fi
	expect_grep "vsock unavailable names the modules" "vmw_vsock_virtio_transport" "$TMP/v.log"
fi

# One session on stdin/stdout: frames written with printf (4-byte length, JSON).
printf '\000\000\000\024{"op":"ping","id":1}\000\000\000\023{"op":"bye","id":2}' |
	"$AGENT" --stdio --state-dir "$TMP/s4" >"$TMP/stdio.out" 2>"$TMP/stdio.err"
st=$?
if [ "$st" -eq 0 ]; then ok "stdio session exits 0"; else fail "stdio session exits 0" "status $st: $(cat "$TMP/stdio.err")"; fi
expect_grep "stdio ping answered" '"id":1,"ok":true' "$TMP/stdio.out"
expect_grep "stdio bye answered" '"id":2,"ok":true' "$TMP/stdio.out"
printf '\000\000\000\004{bad' | "$AGENT" --stdio --state-dir "$TMP/s4" >"$TMP/stdio.out" 2>/dev/null
expect_grep "stdio invalid JSON answered" '"bad_json"' "$TMP/stdio.out"

# SIGTERM: exit status 0, the socket file removed.
kill "$apid" 2>/dev/null
wait "$apid"
st=$?
if [ "$st" -eq 0 ]; then ok "SIGTERM exits 0"; else fail "SIGTERM exits 0" "status $st"; fi
if [ ! -e "$TMP/a.sock" ]; then ok "socket removed at exit"; else fail "socket removed at exit"; fi
expect_grep "shutdown logged" "SIGTERM: shutting down" "$TMP/a.log"

for f in guest-agent/PROTOCOL.md guest-agent/README.md guest-agent/nestbench-agent.service.in; do
	if [ -s "$f" ]; then ok "$f present"; else fail "$f present"; fi
done
expect_grep "unit runs the agent" "ExecStart=.*nestbench-agent" guest-agent/nestbench-agent.service.in

# ---- deadlines and limits against stalled clients (issue 11, items 3 and 4) --------
expect_status help 0 "$AGENT" --help
for opt in --hello-timeout --frame-timeout --put-timeout --max-unauth --max-exits-fds; do
	expect_grep "help mentions $opt" "$opt" "$TMP/out"
done
expect_status "bad hello-timeout" 2 "$AGENT" --hello-timeout 5s --stdio
expect_grep "hello-timeout message names the option" "hello-timeout" "$TMP/err"
expect_status "frame-timeout above a day" 2 "$AGENT" --frame-timeout 86401 --stdio
expect_grep "frame-timeout message gives the range" "between 0" "$TMP/err"
expect_status "bad put-timeout" 2 "$AGENT" --put-timeout -1 --stdio
expect_status "max-unauth 0" 2 "$AGENT" --max-unauth 0 --stdio
expect_grep "max-unauth message names the option" "max-unauth" "$TMP/err"
expect_status "bad max-exits-fds" 2 "$AGENT" --max-exits-fds many --stdio
# stdio: two bytes of a frame, then silence: a timeout reply 1 s later, and the session
# (so the --stdio agent) ends although the writer still holds the pipe open.
(printf '\000\000'; sleep 4) | timeout 20 "$AGENT" --stdio --frame-timeout 1 \
	--state-dir "$TMP/s5" >"$TMP/stdio.out" 2>"$TMP/stdio.err"
st=$?
if [ "$st" -eq 0 ]; then ok "stdio frame deadline: exit 0"; else fail "stdio frame deadline: exit 0" "status $st"; fi
expect_grep "stdio frame deadline answered" '"code":"timeout"' "$TMP/stdio.out"
expect_grep "stdio frame deadline names the option" "frame-timeout" "$TMP/stdio.out"

finish agent-cli
