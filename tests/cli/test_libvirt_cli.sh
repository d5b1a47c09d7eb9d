# test_libvirt_cli.sh - libvirt domains as tiers, against a real libvirt daemon this
# test starts itself: libvirtd in session mode with every directory in a temporary one
# (XDG_*, its own socket; as the system user nobody when we are root, so that nothing
# of the machine's own libvirt is touched), stopped by its pid at the end.  Through that
# daemon: libvirt's test driver (a node file with a running domain that has a vsock
# device, one without, one shut off) and the QEMU driver (qemu:///session) with TCG
# domains this test defines and removes.  Checks: `nestbench libvirt vsock` prints the
# device, --apply adds it (dumpxml shows it), `libvirt list`; a "libvirt:" tier
# resolves to the domain's CID (the vsock connect then fails here, and the error names
# the CID); one clear message and exit 2 for an unknown domain, one not running, one
# without vsock and an unreachable URI; count_exits "target": "libvirt:DOMAIN" counts
# that domain's QEMU process (its pid, from libvirt's pid file).  Skips (exit 0, with
# the reason) only where libvirtd or virsh are not installed (mk/deps.sh test).
. tests/cli/lib.sh
N="$BUILD/nestbench"
AGENT="$BUILD/nestbench-agent"

if ! command -v libvirtd >/dev/null 2>&1 && [ ! -x /usr/sbin/libvirtd ] || ! command -v virsh >/dev/null 2>&1; then
	echo "skip test_libvirt_cli: no libvirt daemon or virsh; install them with: apt-get install libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients"
	exit 0
fi
LIBVIRTD=$(command -v libvirtd || echo /usr/sbin/libvirtd)
# No client may start a daemon of its own (libvirt does for session URIs).
LIBVIRT_AUTOSTART=0
export LIBVIRT_AUTOSTART

# as_lv CMD...: run CMD as the daemon's user (nobody when we are root, else ourselves).
LV_USER=$(id -un)
as_lv() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	LV_USER=nobody
	if command -v setpriv >/dev/null 2>&1; then
		as_lv() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
	else as_lv() { runuser -u nobody -- "$@"; }; fi
fi

LV="$TMP/lv"
mkdir -p "$LV/home" "$LV/run" "$LV/cfg/libvirt" "$LV/cache"
chmod 755 "$TMP" "$LV"
chmod 700 "$LV/run"
cat >"$LV/cfg/libvirt/libvirtd.conf" <<EOF
unix_sock_dir = "$LV/run"
EOF
# QEMU's output to a file: no virtlogd to start (and stop).
cat >"$LV/cfg/libvirt/qemu.conf" <<EOF
stdio_handler = "file"
EOF
chown -R "$LV_USER" "$LV/home" "$LV/run" "$LV/cfg" "$LV/cache" 2>/dev/null || true
S="$LV/run/libvirt-sock"
QU="qemu+unix:///session?socket=$S"
LVPID=""
LVJOB=""
APID=""
QPID=""

cleanup() {
	[ -n "$APID" ] && kill "$APID" 2>/dev/null
	if [ -n "$LVPID" ]; then
		for d in nbtcg nbvs; do
			virsh -q -c "$QU" destroy "$d" >/dev/null 2>&1
			virsh -q -c "$QU" undefine "$d" >/dev/null 2>&1
		done
		kill "$LVPID" 2>/dev/null
		i=0; while kill -0 "$LVPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	[ -n "$LVJOB" ] && kill "$LVJOB" 2>/dev/null
	# A QEMU outlives its daemon: stop the one we started if destroy could not.
	[ -n "$QPID" ] && { tr '\0' ' ' <"/proc/$QPID/cmdline"; } 2>/dev/null | grep -q "guest=nbtcg" &&
		kill "$QPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE


# The daemon: started in the background, then known by the pid it writes.
(cd "$LV" && as_lv env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$LV/home" \
	XDG_RUNTIME_DIR="$LV/run" XDG_CONFIG_HOME="$LV/cfg" XDG_CACHE_HOME="$LV/cache" \
	LIBVIRT_AUTOSTART=0 "$LIBVIRTD" -f "$LV/cfg/libvirt/libvirtd.conf" \
	-p "$LV/run/libvirtd.pid" >"$TMP/libvirtd.log" 2>&1) &
LVJOB=$!
i=0
while { [ ! -S "$S" ] || [ ! -s "$LV/run/libvirtd.pid" ]; } && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
LVPID=$(cat "$LV/run/libvirtd.pid" 2>/dev/null)
if [ -z "$LVPID" ] || ! kill -0 "$LVPID" 2>/dev/null || ! virsh -q -c "$QU" list --all >/dev/null 2>"$TMP/virsh.err"; then
	fail "a libvirt daemon starts" "$(tail -5 "$TMP/libvirtd.log" "$TMP/virsh.err" 2>/dev/null)"
	finish test_libvirt_cli
	exit 1
fi
ok "a libvirt daemon started (libvirtd pid $LVPID, user $LV_USER, socket $S)"

# ---- the test driver: three domains the daemon reads from a node file ----------------
cat >"$LV/node.xml" <<'XML'
<node>
  <cpu><mhz>2000</mhz><model>i686</model><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads></cpu>
  <memory>2097152</memory>
  <domain type='test'>
    <name>withvsock</name><memory>8192</memory><os><type>hvm</type></os>
    <devices><vsock model='virtio'><cid auto='no' address='5'/></vsock></devices>
  </domain>
  <domain type='test'>
    <name>novsock</name><memory>8192</memory><os><type>hvm</type></os>
  </domain>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>off</name><memory>8192</memory><os><type>hvm</type></os>
    <devices><vsock model='virtio'><cid auto='no' address='6'/></vsock></devices>
    <test:runstate>5</test:runstate>
  </domain>
</node>
XML
chmod 644 "$LV/node.xml"
TU="test+unix://$LV/node.xml?socket=$S"
BADU="qemu+unix:///system?socket=$TMP/no-such-daemon.sock"

# one_line NAME: stderr is one line (no libvirt error printed beside ours).
one_line() {
	[ "$(grep -c . "$TMP/err")" -eq 1 ] && ok "$1: one line" || fail "$1: one line" "$(cat "$TMP/err")"
}

expect_status "libvirt list (test driver)" 0 "$N" libvirt list --uri "$TU"
grep -q "^withvsock  *running  *5  *libvirt:withvsock?uri=test+unix://" "$TMP/out" &&
	grep -q "^off  *shut off  *6 " "$TMP/out" && grep -q "^novsock  *running  *- " "$TMP/out" &&
	ok "libvirt list: state, CID and tier address of each domain" || fail "libvirt list" "$(cat "$TMP/out")"

expect_status "libvirt vsock prints the device" 0 "$N" libvirt vsock novsock --uri "$TU"
[ "$(cat "$TMP/out")" = "<vsock model='virtio'><cid auto='yes'/></vsock>" ] &&
	ok "libvirt vsock: the XML is exactly the device" || fail "libvirt vsock XML" "$(cat "$TMP/out")"
expect_grep "libvirt vsock: says where it goes and how to apply it" "nestbench libvirt vsock novsock --uri .* --apply" "$TMP/err"
expect_status "libvirt vsock --cid 7" 0 "$N" libvirt vsock novsock --uri "$TU" --cid 7
[ "$(cat "$TMP/out")" = "<vsock model='virtio'><cid auto='no' address='7'/></vsock>" ] &&
	ok "libvirt vsock --cid: a fixed address" || fail "libvirt vsock --cid XML" "$(cat "$TMP/out")"
expect_status "libvirt vsock --cid 2 (reserved) is refused" 2 "$N" libvirt vsock novsock --uri "$TU" --cid 2
expect_grep "--cid 2: message" "0-2 are reserved" "$TMP/err"
expect_status "libvirt vsock on a domain that has one" 2 "$N" libvirt vsock withvsock --uri "$TU"
expect_grep "already has a vsock device: names its CID" "already has a vsock device (CID 5)" "$TMP/err"
expect_status "libvirt vsock --apply where the driver cannot attach" 2 "$N" libvirt vsock novsock --uri "$TU" --apply
expect_grep "--apply, no support: names the fix" "cannot add devices to a domain: add the device by hand with .virsh -c '$TU' edit novsock" "$TMP/err"
one_line "--apply, no support"

# ---- errors: one message, exit 2 -----------------------------------------------------
expect_status "libvirt vsock: unknown domain" 2 "$N" libvirt vsock nosuch --uri "$TU"
expect_grep "unknown domain: message" "has no domain named 'nosuch': .virsh -c '$TU' list --all. lists its domains" "$TMP/err"
one_line "unknown domain"
expect_status "libvirt list: unreachable URI" 2 "$N" libvirt list --uri "$BADU"
expect_grep "unreachable URI: message" "cannot reach libvirt at $BADU: .*is its daemon (libvirtd or virtqemud) running" "$TMP/err"
one_line "unreachable URI"
expect_status "libvirt: unknown action" 2 "$N" libvirt frobnicate
expect_grep "unknown action: message" "unknown action 'frobnicate' (vsock or list)" "$TMP/err"

# ---- "libvirt:" tiers: resolved to the CID before connecting ------------------------------
campaign() { # FILE ADDRESS
	cat >"$1" <<JSON
{ "name": "lv", "tiers": [ { "name": "vm", "level": 1, "address": "$2" } ],
  "defaults": { "reps": 1, "warmup": 0, "min_time_ms": 5 }, "workloads": [ "ctl.syscall" ] }
JSON
}
run_tier() { # NAME ADDRESS: a campaign with one tier at ADDRESS
	campaign "$TMP/c.json" "$2"
	expect_status "$1: exit 2" 2 "$N" run -q --state-dir "$TMP/state" "$TMP/c.json" -o "$TMP/r.json"
}
# No agent at that CID here (no vsock to a guest): the connect fails, naming the CID.
run_tier "a running domain with vsock" "libvirt:withvsock?port=7431&uri=$TU"
expect_grep "the tier is reached at the domain's CID and the given port" "tier vm unreachable at vsock:5:7431 (the vsock CID of libvirt:withvsock?port=7431&uri=" "$TMP/err"
jq -e '.tiers[0].status == "unreachable" and (.tiers[0].error | test("vsock:5:7431"))
       and (.tiers[0].address | startswith("libvirt:withvsock?"))' "$TMP/r.json" >/dev/null &&
	ok "the result keeps the address as written, the error the CID" || fail "result of a libvirt tier" "$(jq -c '.tiers[0]' "$TMP/r.json")"
run_tier "a shut-off domain" "libvirt:off?uri=$TU"
expect_grep "shut off: the state and the fix" "tier vm (libvirt:off?uri=.*): libvirt domain 'off' is shut off, not running: start it with .virsh -c '$TU' start off." "$TMP/err"
run_tier "a domain without vsock" "libvirt:novsock?uri=$TU"
expect_grep "no vsock: the fix" "libvirt domain 'novsock' has no vsock device.*nestbench libvirt vsock novsock --uri '$TU' --apply" "$TMP/err"
run_tier "an unknown domain" "libvirt:nosuch?uri=$TU"
expect_grep "unknown domain in an address: message" "libvirt at $TU has no domain named 'nosuch'" "$TMP/err"
run_tier "an unreachable URI" "libvirt:withvsock?uri=$BADU"
expect_grep "unreachable URI in an address: message" "cannot reach libvirt at $BADU: .*name the right libvirt with libvirt:DOMAIN?uri=URI" "$TMP/err"
campaign "$TMP/c.json" "libvirt:?uri=$TU"
expect_status "an address without a domain is refused at load" 2 "$N" run -q "$TMP/c.json"
expect_grep "no domain: message" "bad address 'libvirt:?uri=.*': no domain name; expected libvirt:DOMAIN" "$TMP/err"
campaign "$TMP/c.json" "libvirt:x?colour=red"
expect_status "an unknown address parameter is refused at load" 2 "$N" run -q "$TMP/c.json"
expect_grep "unknown parameter: message" "unknown parameter (port= and uri=, uri= last)" "$TMP/err"

# ---- count_exits by domain: configuration -------------------------------------------------
cat >"$TMP/far.json" <<JSON
{ "name": "far", "tiers": [ { "name": "L1", "level": 1, "address": "unix:$TMP/l1.sock" },
    { "name": "L2", "level": 2, "address": "unix:$TMP/l2.sock", "via": "L1",
      "count_exits": { "target": "libvirt:l2" } } ],
  "workloads": [ "ctl.syscall" ] }
JSON
expect_status "count_exits libvirt: a counting tier that is not local is refused" 2 "$N" run -q "$TMP/far.json"
expect_grep "not local: message" 'needs a "local" counting tier; tier "L1" is at unix:.*give its QEMU.s pid instead' "$TMP/err"

# ---- the QEMU driver: domains this test defines (TCG, no disk) ---------------------------
QEMU=$(command -v qemu-system-x86_64 || true)
if [ -z "$QEMU" ]; then
	echo "  (no qemu-system-x86_64: the QEMU-domain checks are left out; apt-get install qemu-system-x86)"
	finish test_libvirt_cli
	exit $?
fi
domain_xml() { # NAME
	cat <<XML
<domain type='qemu'>
  <name>$1</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><emulator>$QEMU</emulator><video><model type='none'/></video><memballoon model='none'/></devices>
</domain>
XML
}
domain_xml nbvs >"$TMP/nbvs.xml"
domain_xml nbtcg >"$TMP/nbtcg.xml"
virsh -q -c "$QU" define "$TMP/nbvs.xml" >/dev/null 2>"$TMP/virsh.err" &&
	virsh -q -c "$QU" define "$TMP/nbtcg.xml" >/dev/null 2>>"$TMP/virsh.err" &&
	ok "two QEMU domains defined" || fail "QEMU domains defined" "$(cat "$TMP/virsh.err")"

expect_status "libvirt vsock --apply on a shut-off QEMU domain" 0 "$N" libvirt vsock nbvs --uri "$QU" --apply
expect_grep "--apply: says what it added" "added to libvirt domain 'nbvs', in its configuration" "$TMP/out"
virsh -c "$QU" dumpxml --inactive nbvs >"$TMP/dump.xml" 2>&1
grep -q "<vsock model='virtio'>" "$TMP/dump.xml" && grep -q "<cid auto='yes'/>" "$TMP/dump.xml" &&
	ok "--apply: virsh dumpxml shows the vsock device" || fail "--apply: dumpxml" "$(grep -A3 devices "$TMP/dump.xml" | head -20)"
expect_status "--apply again" 2 "$N" libvirt vsock nbvs --uri "$QU" --apply
expect_grep "--apply again: already there" "already has a vsock device (CID chosen when it starts)" "$TMP/err"
expect_status "libvirt list (QEMU driver)" 0 "$N" libvirt list --uri "$QU"
grep -q "^nbvs  *shut off  *auto  *libvirt:nbvs?uri=qemu+unix:///session" "$TMP/out" &&
	ok "libvirt list: a shut-off domain with an automatic CID" || fail "libvirt list (QEMU)" "$(cat "$TMP/out")"

if ! virsh -q -c "$QU" start nbtcg >/dev/null 2>"$TMP/virsh.err"; then
	fail "a QEMU TCG domain starts" "$(cat "$TMP/virsh.err")"
	finish test_libvirt_cli
	exit 1
fi
QPID=$(cat "$LV/run/libvirt/qemu/run/nbtcg.pid" 2>/dev/null)
[ -n "$QPID" ] && tr '\0' ' ' <"/proc/$QPID/cmdline" | grep -q "guest=nbtcg" &&
	ok "a QEMU TCG domain runs (pid $QPID)" || fail "the QEMU domain's pid file" "$QPID"
run_tier "a running QEMU domain without vsock" "libvirt:nbtcg?uri=$QU"
expect_grep "QEMU domain without vsock: the fix" "libvirt domain 'nbtcg' has no vsock device" "$TMP/err"

# count_exits "target": "libvirt:nbtcg": the harness finds the QEMU's pid; the counting
# agent (a second local agent) counts that process.  The measured tier is an agent on a
# UNIX socket (the domain has no agent to reach).
mkdir -p "$TMP/state-a"
"$AGENT" --listen "unix:$TMP/a.sock" --state-dir "$TMP/state-a" --quiet 2>"$TMP/a.log" &
APID=$!
i=0; while [ ! -S "$TMP/a.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
exits_campaign() { # TARGET
	cat >"$TMP/x.json" <<JSON
{ "name": "lvx", "tiers": [ { "name": "L0", "level": 0, "address": "local" },
    { "name": "vm", "level": 1, "address": "unix:$TMP/a.sock",
      "count_exits": { "by": "L0", "target": "$1" } } ],
  "defaults": { "reps": 1, "warmup": 0, "min_time_ms": 20 }, "workloads": [ "ctl.syscall" ] }
JSON
}
exits_campaign "libvirt:nbtcg?uri=$QU"
# The session daemon keeps its pid files under its XDG_RUNTIME_DIR: the harness shares it.
expect_status "count_exits by libvirt domain" 0 env XDG_RUNTIME_DIR="$LV/run" "$N" run -q --tier vm --state-dir "$TMP/state" "$TMP/x.json" -o "$TMP/x.r.json"
jq -e --arg pid "$QPID" '.tiers[] | select(.name == "vm") | .exits.pids == $pid
       and (.exits.target | startswith("libvirt:nbtcg?uri="))' "$TMP/x.r.json" >/dev/null &&
	ok "tiers[].exits.pids is the domain's QEMU pid" || fail "exits.pids" "$(jq -c '.tiers[] | select(.name == "vm") | .exits' "$TMP/x.r.json")"
if jq -e '.tiers[] | select(.name == "vm") | .exits.status == "counting"' "$TMP/x.r.json" >/dev/null; then
	jq -e --argjson pid "$QPID" 'all(.tiers[] | select(.name == "vm") | .cases[].samples[];
	       .exits.target == "pids" and [.exits.processes[].pid] == [$pid])' "$TMP/x.r.json" >/dev/null &&
		ok "the counting agent counted exactly that QEMU process" ||
		fail "counted process" "$(jq -c '.tiers[] | select(.name == "vm") | .cases[0].samples[0].exits.processes' "$TMP/x.r.json")"
else
	echo "  (this machine cannot count exits: $(jq -r '.tiers[] | select(.name == "vm") | .exits.reason' "$TMP/x.r.json" | head -c 200))"
fi
# Without the daemon's runtime directory the pid file is not found: said, not guessed.
expect_status "count_exits: pid file elsewhere" 0 env XDG_RUNTIME_DIR="$TMP/elsewhere" "$N" run -q --tier vm --state-dir "$TMP/state" "$TMP/x.json" -o "$TMP/x1.r.json"
jq -e '.tiers[] | select(.name == "vm") | .status == "done" and .exits.status == "unsupported"
       and (.exits.reason | test("cannot read .*/elsewhere/libvirt/qemu/run/nbtcg.pid, where libvirt keeps the pid of the QEMU of domain .nbtcg."))' "$TMP/x1.r.json" >/dev/null &&
	ok "count_exits: no pid file: the path and the fix" || fail "count_exits no pid file" "$(jq -c '.tiers[] | select(.name == "vm") | .exits' "$TMP/x1.r.json")"
# Where libvirt cannot give a pid, the tier is still measured and says why.
exits_campaign "libvirt:withvsock?uri=$TU"
expect_status "count_exits: a test-driver domain (no QEMU)" 0 "$N" run -q --tier vm --state-dir "$TMP/state" "$TMP/x.json" -o "$TMP/x2.r.json"
jq -e '.tiers[] | select(.name == "vm") | .status == "done" and .exits.status == "unsupported"
       and (.exits.reason | test("runs under libvirt.s TEST driver, which has no QEMU process"))
       and all(.cases[].samples[]; (.exits_unsupported | test("no QEMU process")))' "$TMP/x2.r.json" >/dev/null &&
	ok "count_exits: no QEMU process: recorded, the tier measured" || fail "count_exits test driver" "$(jq -c '.tiers[] | select(.name == "vm") | .exits' "$TMP/x2.r.json")"
exits_campaign "libvirt:nbvs?uri=$QU"
expect_status "count_exits: a shut-off domain" 0 env XDG_RUNTIME_DIR="$LV/run" "$N" run -q --tier vm --state-dir "$TMP/state" "$TMP/x.json" -o "$TMP/x3.r.json"
jq -e '.tiers[] | select(.name == "vm") | .exits.status == "unsupported"
       and (.exits.reason | test("libvirt domain .nbvs. is shut off, not running: start it with .virsh -c .* start nbvs."))' "$TMP/x3.r.json" >/dev/null &&
	ok "count_exits: a shut-off domain: the state and the fix" || fail "count_exits shut off" "$(jq -c '.tiers[] | select(.name == "vm") | .exits' "$TMP/x3.r.json")"

# --apply on the running domain: into its configuration, and live where the host has
# /dev/vhost-vsock (where it has not, the message says why not live).
expect_status "libvirt vsock --apply on a running QEMU domain" 0 "$N" libvirt vsock nbtcg --uri "$QU" --apply
if grep -q "in its configuration only: not live" "$TMP/out"; then
	expect_grep "--apply, running: why not live and how to make it take effect" "not live (.*); it takes effect when the domain is shut down and started again" "$TMP/out"
else
	expect_grep "--apply, running: attached live, with its CID" "^CID [0-9]* now: the tier address" "$TMP/out"
fi
virsh -c "$QU" dumpxml --inactive nbtcg | grep -q "<vsock model='virtio'>" &&
	ok "--apply, running: the configuration has the device" || fail "--apply, running: dumpxml --inactive"

finish test_libvirt_cli
