# init-common.sh - shell functions shared by the L1 and L2 /init scripts (busybox sh).
# Installed in both images as /etc/nestbench/init-common.sh.

nb_log() { echo "nestbench-init: $*"; }

# /proc, /sys, /dev, /tmp, and tracefs/debugfs for perf tracepoints and KVM stats.
nb_mount_basics() {
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev
	mkdir -p /dev/pts /dev/shm /tmp /run /var/lib/nestbench
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmp /tmp
	mount -t tmpfs run /run
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	ln -sf /proc/self/fd /dev/fd
	ip link set lo up 2>/dev/null
}

# udev's /dev/virtio-ports/<name> links, which the agent's serial addresses use.
nb_virtio_ports() {
	mkdir -p /dev/virtio-ports
	for p in /sys/class/virtio-ports/*; do
		[ -f "$p/name" ] || continue
		ln -sf "../${p##*/}" "/dev/virtio-ports/$(cat "$p/name")"
	done
}

# Modules in dependency order, resolved at build time from the kernel's modules.dep:
# the list $1 (default modules.load; L2's image has modules-vmm.load too, for lab.l3).
# A module the hardware has no use for (kvm-intel on AMD) fails to load: say so only.
nb_load_modules() {
	skip=kvm-intel.ko
	grep -q '^flags.* vmx' /proc/cpuinfo && skip=kvm-amd.ko
	while read -r m; do
		[ -n "$m" ] && [ "${m##*/}" != "$skip" ] || continue
		insmod "/lib/modules/$m" || nb_log "module ${m##*/} not loaded"
	done <"${1:-/etc/nestbench/modules.load}"
	nb_virtio_ports
}

# nestbench_exits.ko (kmod/), for the exit.k.* workloads: loaded before the agent starts,
# and the console says whether it was.  A failure is not fatal: the exit.k.* workloads
# then skip, naming the missing device.
nb_load_kmod() {
	ko=/lib/modules/nestbench/nestbench_exits.ko
	if [ ! -f $ko ]; then
		nb_log "nestbench_exits not loaded: the image has no $ko (make images builds it)"
	elif out=$(insmod $ko 2>&1); then
		nb_log "nestbench_exits loaded: /dev/nestbench-exits, srchash" \
			"$(cat /etc/nestbench/kmod.srchash 2>/dev/null)"
	else
		nb_log "nestbench_exits not loaded: ${out:-insmod failed}; exit.k.* will skip"
	fi
}

# The scratch disk: a virtio-blk device with ext4, so io.* measure a virtual block
# device, not tmpfs.  Wait for it briefly: virtio probing is asynchronous.
nb_mount_scratch() {
	dev=$1 dir=$2 i=0
	mkdir -p "$dir"
	while [ ! -b "$dev" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	if [ ! -b "$dev" ]; then
		nb_log "no scratch disk $dev: io.* will run on tmpfs"
		return 1
	fi
	mount -t ext4 -o noatime "$dev" "$dir" || { nb_log "cannot mount $dev"; return 1; }
	nb_log "scratch disk $dev mounted on $dir"
}

nb_banner() {
	nb_log "$1 up: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPUs," \
		"$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB," \
		"image $(cat /etc/nestbench/image-id 2>/dev/null)"
}

# The agent as the guest's service: restarted if it ever exits.  The state directory
# (stored nestbench-work, workloads' working directory) is on tmpfs: nothing persists.
nb_serve_agent() {
	while :; do
		/usr/bin/nestbench-agent --state-dir /var/lib/nestbench "$@"
		nb_log "nestbench-agent exited with status $?; restarting in 1 s"
		sleep 1
	done
}

# ---- booting a child guest under a watchdog (L1 boots L2, L2 boots L3 with lab.l3) ----

cmdline_value() {
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1="*) echo "${w#*=}"; return ;; esac
	done
}

# The words of the kernel command line that start with $1, each after a space: what a
# guest passes on to its child's command line (nestbench.l3 from L1 to L2).
nb_cmdline_words() {
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1"*) printf ' %s' "$w" ;; esac
	done
}

# Field $1 of the comma-separated list $2 ("" past its end).
nth() {
	echo "$2" | awk -F, -v n="$1" '{ print $n }'
}

# Seconds since boot, in $now.  The watchdog's loop forks as little as it can: under
# TCG every process it starts takes CPU time from the child's boot.
uptime_s() {
	read -r now _ </proc/uptime
	now=${now%.*}
}

# Is pid $1 a live process (not gone, not a zombie)?
alive() {
	line=
	read -r line 2>/dev/null <"/proc/$1/stat"
	line=${line##*) }
	[ -n "$line" ] && [ "${line%% *}" != Z ]
}

# Where each thread of a stuck QEMU waits: the cause of a hang, on the console.
child_where() {
	for t in /proc/"$1"/task/*; do
		[ -r "$t/stat" ] || continue
		nb_log "$C:   thread ${t##*/} ($(cat "$t/comm" 2>/dev/null)): state" \
			"$(sed 's/.*) //' "$t/stat" | cut -d' ' -f1), waiting in $(cat "$t/wchan" 2>/dev/null)"
		head -n 6 "$t/stack" 2>/dev/null | sed "s/^/nestbench-init: $C:     /"
	done
}

# SIGKILL, and wait (at most 10 s: a process stuck in the kernel may not go at once).
child_kill() {
	kill -9 "$1" 2>/dev/null
	k=0
	while alive "$1" && [ $k -lt 50 ]; do sleep 0.2; k=$((k + 1)); done
	if alive "$1"; then
		nb_log "$C: QEMU (pid $1) is still there 10 s after SIGKILL"
	else
		wait "$1" 2>/dev/null
	fi
}

# Attempt $1 at booting the child $C with $child_qemu (in the background): 0 once its
# agent listens (CHILD_PID is its QEMU), 1 when QEMU exits first or the deadline passes
# (QEMU is shown and killed then).  Its console is $CHILD_LOG, also $CHILD_PORT if set.
child_attempt() {
	a=$1
	mode=$(nth "$a" "$fail")
	: >"$CHILD_LOG"
	[ -c "$CHILD_PORT" ] && echo "=== nestbench-init ($PARENT): $C, attempt $a of $tries ===" >"$CHILD_PORT"
	nb_log "$C: attempt $a of $tries: starting QEMU: KVM, $cpus vCPUs, $mem MiB, vsock CID $cid," \
		"deadline $deadline s${mode:+ (test: this attempt will $mode)}"
	case $mode in
	hang) sleep 100000 & ;;
	exit) sh -c 'echo "qemu-system-x86_64: (test) exiting at once" >&2; exit 1' & ;;
	*) $child_qemu & ;;
	esac
	pid=$! said=0
	uptime_s
	a_t0=$now
	while :; do
		if grep -q "listening on" "$CHILD_LOG" 2>/dev/null; then
			# shellcheck disable=SC2034 # the caller waits for it
			CHILD_PID=$pid
			return 0
		fi
		if ! alive "$pid"; then
			wait "$pid"
			nb_log "$C: attempt $a of $tries failed: QEMU exited with status $? before $C's agent listened"
			tail -n 5 "$CHILD_LOG" | sed "s/^/nestbench-init: $C:   | /"
			return 1
		fi
		uptime_s
		waited=$((now - a_t0))
		# A sign of life every 10 s: lab up takes a silent console for a stopped guest.
		if [ $((waited / 10)) -gt $said ]; then
			said=$((waited / 10))
			nb_log "$C: attempt $a of $tries: waiting for $C's agent ($waited s)"
		fi
		if [ "$waited" -ge "$deadline" ]; then
			nb_log "$C: attempt $a of $tries failed: no agent listening within $deadline s;" \
				"killing QEMU (pid $pid), whose threads wait here:"
			child_where "$pid"
			tail -n 5 "$CHILD_LOG" | sed "s/^/nestbench-init: $C:   | /"
			child_kill "$pid"
			return 1
		fi
		sleep 0.5
	done
}

# Boot child $1 (L2, L3) of this guest $2 (L1, L2) with the QEMU of function $3, retrying
# a start that fails or hangs; 0 when its agent listens (CHILD_PID: its QEMU).  Settings
# from this guest's command line: nestbench.l2=cpus,mem_mib,cid (l3 for L3), its _watch=
# tries,seconds and, tests only, its _fail=.  $4: how to give this guest KVM.  Every line
# starts with "nestbench-init: $1:"; the last one is "$1: up: ..." or "$1: gave up ...".
nb_start_child() {
	C=$1 PARENT=$2 child_qemu=$3
	key=nestbench.$(echo "$C" | tr L l)
	settings=$(cmdline_value "$key")
	[ -n "$settings" ] || { nb_log "$C: gave up: no $key= on the command line"; return 1; }
	cpus=$(nth 1 "$settings") mem=$(nth 2 "$settings") cid=$(nth 3 "$settings")
	watch=$(cmdline_value "${key}_watch")
	tries=$(nth 1 "${watch:-3,60}") deadline=$(nth 2 "${watch:-3,60}")
	fail=$(cmdline_value "${key}_fail")
	if [ ! -c /dev/kvm ]; then
		nb_log "$C: gave up: /dev/kvm is missing in $PARENT (no SVM/VMX offered to $PARENT? $4)"
		return 1
	fi
	uptime_s
	began=$now
	n=1
	while [ "$n" -le "$tries" ]; do
		if child_attempt $n; then
			uptime_s
			nb_log "$C: up: its agent listens (attempt $n of $tries, $((now - began)) s)"
			return 0
		fi
		n=$((n + 1))
	done
	uptime_s
	nb_log "$C: gave up after $tries attempts ($((now - began)) s); $PARENT's agent still serves"
	return 1
}
