#!/bin/sh
# test_unit_cli.sh - the agent as a service (guest-agent/*.service.in, 60-nestbench-agent.rules):
# (a) the units as `make install` substitutes them score an exposure of at most 5 by
# `systemd-analyze security` and `systemd-analyze verify` finds nothing; (b) without systemd
# as PID 1, the agent under the units' capability bounding set (setpriv, no_new_privs, in a
# cgroup of its own as Delegate=yes gives it) runs a campaign of every workload family and
# counts a KVM VM's exits exactly as an unbounded agent does: no case failed, the same
# statuses and skip reasons, the same kernel-log and cgroup access - and an agent without
# CAP_SYS_PTRACE or CAP_SYSLOG is told apart, so the comparison can fail; under strace, none
# of the system calls the units deny is made; (c) the udev rule matches the port and wants a
# unit that exists and is bound to that port's device.
. tests/cli/lib.sh
N="$BUILD/nestbench"
AGENT="$BUILD/nestbench-agent"
ABS_BUILD=$(cd "$BUILD" && pwd)
UNITS="nestbench-agent nestbench-agent-serial"
PIDS=""
CGS=""
CGROOT=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for c in $CGS $CGROOT; do rmdir "$c" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$TMP/units"

# The substitution `make install` does (mk/install.mk): BINDIR and SYSCONFDIR.
subst() { # UNIT BINDIR
	sed 's|@BINDIR@|'"$2"'|g; s|@SYSCONFDIR@|/etc|g' "guest-agent/$1.service.in" >"$TMP/units/$1.service"
}

# ---- (a) the unit files ---------------------------------------------------------------
[ ! -e guest-agent/nestbench-agent.service ] && ok "the unit ships as nestbench-agent.service.in only" ||
	fail "the unit ships as nestbench-agent.service.in only" "guest-agent/nestbench-agent.service is back"
for u in $UNITS; do
	ph=$(grep -o '@[A-Z_]*@' "guest-agent/$u.service.in" | sort -u | tr '\n' ' ')
	[ "$ph" = "@BINDIR@ @SYSCONFDIR@ " ] && ok "$u: placeholders are @BINDIR@ and @SYSCONFDIR@" ||
		fail "$u: placeholders are @BINDIR@ and @SYSCONFDIR@" "found: $ph"
	subst "$u" /usr/bin
	grep -q '@[A-Z_]*@' "$TMP/units/$u.service" && fail "$u: nothing left to substitute" ||
		ok "$u: nothing left to substitute"
	for d in 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'StateDirectory=nestbench-agent' \
		 'CapabilityBoundingSet=CAP_' 'NoNewPrivileges=yes' 'Delegate=yes' \
		 'EnvironmentFile=-/etc/default/nestbench-agent' 'ExecStart=/usr/bin/nestbench-agent ' 'RuntimeDirectory=nestbench-agent'; do
		expect_grep "$u: $d" "^$d" "$TMP/units/$u.service"
	done
done
expect_grep "modprobe runs outside the sandbox ('+')" '^ExecStartPre=-+/sbin/modprobe' "$TMP/units/nestbench-agent.service"
expect_grep "the vsock unit has no .socket (listens itself)" '^ExecStart=.*\$NESTBENCH_AGENT_OPTS$' "$TMP/units/nestbench-agent.service"
# The serial unit's sandbox is the vsock unit's, line for line, as its header says.
sandbox() { sed -n '/^# ---- capabilities/,$p' "guest-agent/$1.service.in" | grep -v '^\[Install\]\|^WantedBy='; }
sandbox nestbench-agent >"$TMP/sb1"
sandbox nestbench-agent-serial >"$TMP/sb2"
[ -s "$TMP/sb1" ] && cmp -s "$TMP/sb1" "$TMP/sb2" && ok "both units have the same sandbox" ||
	fail "both units have the same sandbox" "$(diff "$TMP/sb1" "$TMP/sb2" | head -5)"
for v in NESTBENCH_AGENT_OPTS NESTBENCH_AGENT_SERIAL_OPTS --token-file --listen ReadWritePaths=; do
	expect_grep "nestbench-agent.default documents $v" "$v" guest-agent/nestbench-agent.default
done
grep -v '^#' guest-agent/nestbench-agent.default | grep -q . &&
	fail "nestbench-agent.default sets nothing (every option commented)" "$(grep -v '^#' guest-agent/nestbench-agent.default | grep . | head -2)" ||
	ok "nestbench-agent.default sets nothing (every option commented)"

exposure() { # FILE: the figure systemd-analyze gives
	systemd-analyze security --offline=true "$1" 2>&1 | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}
if command -v systemd-analyze >/dev/null 2>&1; then
	ver=$(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
	for u in $UNITS; do
		e=$(exposure "$TMP/units/$u.service")
		awk -v e="$e" 'BEGIN { exit !(e != "" && e + 0 <= 5) }' && ok "$u: exposure $e <= 5 (systemd $ver)" ||
			fail "$u: exposure at most 5" "systemd-analyze says '$e'"
		# The figure written down is the one measured (by the systemd the README names).
		if [ "$ver" = 252 ]; then
			grep -q "exposure $e " "guest-agent/$u.service.in" && grep -qF "| $u.service | $e " guest-agent/README.md &&
				ok "$u: the unit and the README give the measured $e" ||
				fail "$u: the unit and the README give the measured $e" "$(grep -h 'exposure [0-9]' "guest-agent/$u.service.in" guest-agent/README.md | head -3)"
		fi
	done
	# The scoring tells a bare unit apart: the figure above is not a constant.
	printf '[Service]\nExecStart=/usr/bin/nestbench-agent\n' >"$TMP/units/bare.service"
	e=$(exposure "$TMP/units/bare.service")
	awk -v e="$e" 'BEGIN { exit !(e + 0 > 5) }' && ok "a unit without the sandbox scores $e > 5" ||
		fail "a unit without the sandbox scores above 5" "systemd-analyze says '$e'"
	# verify: with BINDIR the build directory (it checks ExecStart), man pages not looked up.
	for u in $UNITS; do
		subst "$u" "$ABS_BUILD"
		systemd-analyze verify --man=no "$TMP/units/$u.service" >"$TMP/verify.out" 2>&1
		st=$?
		[ "$st" -eq 0 ] && [ ! -s "$TMP/verify.out" ] && ok "$u: systemd-analyze verify finds nothing" ||
			fail "$u: systemd-analyze verify finds nothing" "status $st: $(head -c 300 "$TMP/verify.out")"
	done
else
	echo "skip systemd-analyze security and verify: systemd-analyze is not installed (apt-get install systemd)"
fi

# ---- (c) the udev rule ----------------------------------------------------------------------
R=guest-agent/60-nestbench-agent.rules
grep -v '^#' "$R" | grep . >"$TMP/rule"
[ "$(wc -l <"$TMP/rule")" -eq 1 ] && ok "the udev rule is one line" || fail "the udev rule is one line" "$(cat "$TMP/rule")"
# Every key is KEY OP "VALUE" with a known key and an operator its kind allows.
bad=$(sed 's/", */"\n/g' "$TMP/rule" | grep -v -E '^(SUBSYSTEM|KERNEL|ACTION|ATTR\{[a-z_]+\}|ENV\{[A-Z_]+\})(==|!=)"[^"]*"$' |
	grep -v -E '^(TAG|ENV\{[A-Z_]+\}|SYMLINK)(\+?=)"[^"]*"$')
[ -z "$bad" ] && ok "every key of the udev rule is KEY OP \"VALUE\"" || fail "udev rule syntax" "bad: $bad"
for k in 'SUBSYSTEM=="virtio-ports"' 'ATTR{name}=="org.nestbench.agent.0"' 'TAG+="systemd"'; do
	expect_grep "udev rule has $k" "$k" "$TMP/rule"
done
wants=$(sed -n 's/.*ENV{SYSTEMD_WANTS}+*="\([^"]*\)".*/\1/p' "$TMP/rule")
[ -n "$wants" ] && [ -f "guest-agent/$wants.in" ] && ok "SYSTEMD_WANTS names a unit that exists ($wants)" ||
	fail "SYSTEMD_WANTS names a unit that exists" "'$wants': no guest-agent/$wants.in"
port=$(sed -n 's/.*ATTR{name}=="\([^"]*\)".*/\1/p' "$TMP/rule")
dev='dev-virtio\x2dports-'"$port"'.device'
command -v systemd-escape >/dev/null 2>&1 && dev="$(systemd-escape --path "/dev/virtio-ports/$port").device"
for k in BindsTo After; do
	grep -qxF "$k=$dev" "guest-agent/$wants.in" && ok "$wants: $k= the port's device ($dev)" ||
		fail "$wants: $k= the port's device" "no '$k=$dev' in guest-agent/$wants.in"
done
expect_grep "$wants listens on that port" "ExecStart=.*--listen serial:/dev/virtio-ports/$port " "guest-agent/$wants.in"
if command -v udevadm >/dev/null 2>&1 && udevadm verify --help >/dev/null 2>&1; then
	expect_status "udevadm verify" 0 udevadm verify "$R"
else
	echo "skip udevadm verify: no udevadm with verify here (systemd >= 253)"
fi

# ---- (b) the agent under the units' capabilities ----------------------------------------------
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
	echo "skip systemd-run: not implemented; the setpriv checks below stand for it"
else
	echo "skip systemd-run: PID 1 is $(cat /proc/1/comm 2>/dev/null), not systemd: setpriv stands in"
fi
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' guest-agent/nestbench-agent.service.in | tr 'A-Z' 'a-z' |
	sed 's/cap_/+/g; s/  */,/g')
if [ "$(id -u)" -ne 0 ]; then
	echo "skip the agent under the bounding set: not root (the unit runs the agent as root)"
	finish unit-cli
	exit $?
fi
if ! command -v setpriv >/dev/null 2>&1 || ! setpriv --bounding-set=-all,"$CAPS" true 2>"$TMP/err"; then
	fail "setpriv knows the unit's capabilities ($CAPS)" "$(cat "$TMP/err") (util-linux's setpriv)"
	finish unit-cli
	exit $?
fi
without() { echo "$CAPS" | tr ',' '\n' | grep -v -x -- "+$1" | paste -sd, -; }

# Delegate=yes: systemd gives the agent a cgroup of its own, owned by root, for the runs'
# cgroups.  Stand in with one per agent below ours (none when cgroup v2 is not writable).
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
mnt=$(findmnt -n -t cgroup2 -o TARGET 2>/dev/null | head -1)
[ -n "$own" ] && [ -n "$mnt" ] && mkdir "$mnt${own%/}/nestbench-unit.$$" 2>/dev/null && CGROOT="$mnt${own%/}/nestbench-unit.$$"
[ -n "$CGROOT" ] || echo "  (no writable cgroup v2 here: the agents run without a cgroup of their own)"

start_agent() { # NAME BOUNDING-SET ("" = unbounded): an agent on unix:$TMP/NAME.sock
	mkdir -p "$TMP/state-$1" "$TMP/io/$1"
	cg=""
	if [ -n "$CGROOT" ] && mkdir "$CGROOT/$1"; then cg="$CGROOT/$1"; CGS="$cg $CGS"; fi
	if [ -n "$2" ]; then set -- "$1" setpriv --bounding-set=-all,"$2" --inh-caps=-all --no-new-privs --; else set -- "$1"; fi
	name=$1
	shift
	sh -c '[ -z "$0" ] || echo $$ >"$0/cgroup.procs" || exit 1; exec "$@"' "$cg" "$@" \
		"$AGENT" --verbose --listen "unix:$TMP/$name.sock" --state-dir "$TMP/state-$name" 2>"$TMP/$name.log" &
	PIDS="$PIDS $!"
	eval "PID_$name=$!"
	i=0
	while [ ! -S "$TMP/$name.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
start_agent B "$CAPS"                       # as the unit bounds it
start_agent F ""                            # unbounded
start_agent NP "$(without sys_ptrace)"      # controls: one capability less
start_agent NS "$(without syslog)"
start_agent E ""                            # the tier whose exits are counted

status() { grep "^$1:" "/proc/$2/status" | cut -f2; }
[ "$(status CapEff "$PID_B")" = "$(status CapBnd "$PID_B")" ] && [ "$(status CapBnd "$PID_B")" != "$(status CapBnd $$)" ] &&
	[ "$(status NoNewPrivs "$PID_B")" = 1 ] && ok "the bounded agent has exactly the unit's capabilities, no_new_privs" ||
	fail "the bounded agent has exactly the unit's capabilities" "$(grep -E '^(Cap|NoNew)' "/proc/$PID_B/status" | tr '\n' ' ')"

# Every workload family, tiny.  io_dir differs only by the tier's name (skip reasons compared).
cat >"$TMP/all.json" <<JSON
{ "name": "unit-all",
  "tiers": [ { "name": "B", "level": 0, "address": "unix:$TMP/B.sock", "io_dir": "$TMP/io/B" },
             { "name": "F", "level": 0, "address": "unix:$TMP/F.sock", "io_dir": "$TMP/io/F" } ],
  "defaults": { "reps": 2, "warmup": 0, "min_time_ms": 2 },
  "order": { "seed": 1 },
  "workloads": [ "cpu.*", "mem.bw.*", { "name": "mem.lat", "params": { "size": "64K" } },
    { "name": "mem.lat", "params": { "size": "4M", "thp": 1 } },
    { "name": "pf.anon", "params": { "regime": "warm" } },
    { "name": "pf.anon", "params": { "regime": "cold", "cold_wait_ms": 5 } },
    { "name": "pf.thp", "params": { "regime": "warm" } },
    { "name": "pf.thp", "params": { "regime": "cold", "cold_wait_ms": 5 } },
    { "name": "pf.file", "params": { "size": "1M" } },
    { "name": "io.*", "params": { "size": "4M" } }, "exit.*", "ctl.*" ] }
JSON
"$N" run --state-dir "$TMP/state" -q "$TMP/all.json" -o "$TMP/all.r.json" >"$TMP/out" 2>"$TMP/err"
R="$TMP/all.r.json"
jq -e '.status == "complete" and all(.tiers[]; .status == "done")' "$R" >/dev/null &&
	ok "every workload family: campaign complete" || fail "every workload family: campaign complete" "$(head -c 300 "$TMP/err")"
fams=$(jq -r '[.tiers[0].cases[].key | split(".")[0]] | unique | join(",")' "$R")
[ "$fams" = "cpu,ctl,exit,io,mem,pf" ] && ok "the campaign ran cpu, ctl, exit, io, mem, pf" || fail "every family ran" "$fams"
for t in B F; do
	jq -e --arg t "$t" '.tiers[] | select(.name == $t) | (.cases | length) > 20 and all(.cases[]; .status != "failed")' "$R" >/dev/null &&
		ok "tier $t: no case failed" ||
		fail "tier $t: no case failed" "$(jq -c --arg t "$t" '[.tiers[] | select(.name == $t) | .cases[] | select(.status == "failed") | [.key, .error]]' "$R" | head -c 400)"
done
# Each case: the same status under the bounding set, a skip for the same reason.
cases() { jq -r --arg t "$1" '.tiers[] | select(.name == $t) | .cases[] | [.key, .status, (.reason // "")] | @tsv' "$R" |
	sed "s|$TMP/io/$1|IO_DIR|g"; }
cases B >"$TMP/B.cases"
cases F >"$TMP/F.cases"
cmp -s "$TMP/B.cases" "$TMP/F.cases" && ok "the bounding set loses nothing: same statuses, same skip reasons ($(grep -c . "$TMP/B.cases") cases, $(grep -c '	skipped	' "$TMP/B.cases") skipped)" ||
	fail "the bounding set loses nothing" "$(diff "$TMP/F.cases" "$TMP/B.cases" | head -6)"
jq -e '[.tiers[] | .sysinfo.hypervisor | [.kernel_log, .kernel_detected]] | .[0] == .[1]' "$R" >/dev/null &&
	ok "the kernel log reads the same ($(jq -r '.tiers[0].sysinfo.hypervisor.kernel_log' "$R"))" ||
	fail "the kernel log reads the same" "$(jq -c '[.tiers[].sysinfo.hypervisor.kernel_log]' "$R")"
# The reaper finds a run's processes the same way (a cgroup of the run's own where it can).
ways() { sed -n 's/.*its processes: //p' "$TMP/$1.log" | sed 's|[^ ]*nestbench-run[^ :]*|RUN|g' | sort -u; }
ways B >"$TMP/B.ways"
ways F >"$TMP/F.ways"
[ -s "$TMP/F.ways" ] && cmp -s "$TMP/B.ways" "$TMP/F.ways" && ok "the reaper works the same way: $(head -1 "$TMP/B.ways")" ||
	fail "the reaper works the same way" "bounded: $(cat "$TMP/B.ways"); unbounded: $(cat "$TMP/F.ways")"

# SystemCallFilter=: the system calls an agent under the bounding set makes through the
# campaign (strace -f, the agent and its workloads) include none the units deny.
deny=$(sed -n 's/^SystemCallFilter=~//p' guest-agent/nestbench-agent.service.in)
if command -v strace >/dev/null 2>&1 && command -v systemd-analyze >/dev/null 2>&1 && [ -n "$deny" ]; then
	mkdir -p "$TMP/state-S" "$TMP/io/S"
	strace -f -c -o "$TMP/strace.out" setpriv --bounding-set=-all,"$CAPS" --inh-caps=-all --no-new-privs -- \
		"$AGENT" --listen "unix:$TMP/S.sock" --state-dir "$TMP/state-S" --quiet 2>"$TMP/S.log" &
	spid=$!
	PIDS="$PIDS $spid"
	i=0
	while [ ! -S "$TMP/S.sock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	sed "s|$TMP/B.sock|$TMP/S.sock|; s|$TMP/io/B|$TMP/io/S|" "$TMP/all.json" |
		jq '.tiers |= [.[0]] | .tiers[0].name = "S"' >"$TMP/s.json"
	"$N" run --state-dir "$TMP/state" -q "$TMP/s.json" -o "$TMP/s.r.json" >/dev/null 2>&1
	child=$(cat "/proc/$spid/task/$spid/children" 2>/dev/null)
	kill ${child:-$spid} 2>/dev/null   # the agent; strace then writes its summary
	wait "$spid"
	awk 'NF >= 5 && $NF ~ /^[a-z0-9_]+$/ && $NF != "syscall" && $NF != "total" { print $NF }' "$TMP/strace.out" |
		sort -u >"$TMP/used"
	systemd-analyze syscall-filter $deny | sed -n 's/^ *\([a-z0-9_]*\)$/\1/p' | sort -u >"$TMP/denied"
	hit=$(comm -12 "$TMP/used" "$TMP/denied" | tr '\n' ' ')
	jq -e '.status == "complete" and all(.tiers[0].cases[]; .status != "failed")' "$TMP/s.r.json" >/dev/null &&
		ok "under strace too, every workload family ran" || fail "under strace too, every workload family ran"
	[ "$(grep -c . "$TMP/used")" -gt 30 ] && [ -z "$hit" ] &&
		ok "no system call the units deny is made ($(grep -c . "$TMP/used") used, $(grep -c . "$TMP/denied") denied)" ||
		fail "no system call the units deny is made" "used and denied: '$hit' ($(grep -c . "$TMP/used") used)"
else
	echo "skip the system-call check: strace or systemd-analyze is not installed"
fi

# Exits of a KVM VM (a stand-in VMM doing port I/O, a new VM every 65535 exits) counted
# by each agent, "target": "auto": the VMM's /proc/PID/fd and its threads' kvm
# tracepoints.
LOOP=""
if ${CC:-cc} -O2 -o "$TMP/kvm_loop" tests/cli/kvm_loop.c tests/agent/kvm_guest.c 2>"$TMP/cc.err"; then
	# A VM descriptor held across exec: "auto" finds the process between two VMs too.
	python3 -c 'import fcntl, os, sys
vm = fcntl.ioctl(os.open("/dev/kvm", os.O_RDWR), 0xAE01, 0)   # KVM_CREATE_VM
os.set_inheritable(vm, True)
os.execv(sys.argv[1], sys.argv[1:])' "$TMP/kvm_loop" 65535 120 >"$TMP/loop.out" 2>"$TMP/loop.err" &
	LOOP=$!
	PIDS="$PIDS $LOOP"
	i=0
	while ! grep -q ready "$TMP/loop.out" 2>/dev/null && kill -0 "$LOOP" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1)); done
fi
cat >"$TMP/exits.json" <<JSON
{ "name": "unit-exits",
  "tiers": [ { "name": "B", "level": 0, "address": "unix:$TMP/B.sock" },
    { "name": "F", "level": 0, "address": "unix:$TMP/F.sock" },
    { "name": "NP", "level": 0, "address": "unix:$TMP/NP.sock" },
    { "name": "NS", "level": 0, "address": "unix:$TMP/NS.sock" },
    { "name": "EB", "level": 1, "address": "unix:$TMP/E.sock", "via": "B", "count_exits": { "target": "auto" } },
    { "name": "EF", "level": 1, "address": "unix:$TMP/E.sock", "via": "F", "count_exits": { "target": "auto" } },
    { "name": "ENP", "level": 1, "address": "unix:$TMP/E.sock", "via": "NP", "count_exits": { "target": "auto" } } ],
  "defaults": { "reps": 2, "warmup": 0, "min_time_ms": 50 },
  "workloads": [ "ctl.syscall" ] }
JSON
expect_status "exit counting campaign" 0 "$N" run --state-dir "$TMP/state" -q "$TMP/exits.json" -o "$TMP/x.json"
X="$TMP/x.json"
ex() { jq -c --arg t "$1" '.tiers[] | select(.name == $t) | [.exits.status, (.exits.reason // "" | sub("tier [A-Z]+ "; "tier T "))]' "$X"; }
[ -n "$(ex EF)" ] && [ "$(ex EB)" = "$(ex EF)" ] && ok "exit counting under the bounding set as without: $(ex EB | head -c 60)" ||
	fail "exit counting under the bounding set as without" "bounded $(ex EB), unbounded $(ex EF)"
if [ -n "$LOOP" ] && grep -q ready "$TMP/loop.out" && jq -e '.tiers[] | select(.name == "EF") | .exits.status == "counting"' "$X" >/dev/null; then
	jq -e '.tiers[] | select(.name == "EB") | all(.cases[].samples[]; .exits.by_handler.pio > 0)' "$X" >/dev/null &&
		ok "the bounded agent counted the VMM's port I/O exits in every visit" ||
		fail "the bounded agent counted the exits" "$(jq -c '.tiers[] | select(.name == "EB") | .cases[0].samples[0].exits' "$X" | head -c 300)"
	jq -e '.tiers[] | select(.name == "ENP") | .exits.status == "unsupported" and (.exits.reason | test("KVM VM"))' "$X" >/dev/null &&
		ok "control: without CAP_SYS_PTRACE the VMM's KVM VM is not found (so the comparison can fail)" ||
		fail "control: without CAP_SYS_PTRACE exits are not counted" "$(ex ENP)"
else
	echo "skip exit counting of a VM: no KVM guest here ($(cat "$TMP/cc.err" "$TMP/loop.err" 2>/dev/null | head -c 200)); compared unsupported reasons only"
fi
if [ "$(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null)" = 1 ] && jq -e '.tiers[] | select(.name == "B") | .sysinfo.hypervisor.kernel_log == "read"' "$R" >/dev/null; then
	jq -e '.tiers[] | select(.name == "NS") | .sysinfo.hypervisor.kernel_log | test("not permitted")' "$X" >/dev/null &&
		ok "control: without CAP_SYSLOG the kernel log is not read (dmesg_restrict)" ||
		fail "control: without CAP_SYSLOG the kernel log is not read" "$(jq -c '.tiers[] | select(.name == "NS") | .sysinfo.hypervisor' "$X")"
else
	echo "skip the CAP_SYSLOG control: kernel.dmesg_restrict is not 1 or the log is not readable here"
fi

finish unit-cli
