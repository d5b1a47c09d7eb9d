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

# Modules in dependency order, resolved at build time from the kernel's modules.dep.
# A module the hardware has no use for (kvm-intel on AMD) fails to load: say so only.
nb_load_modules() {
	skip=kvm-intel.ko
	grep -q '^flags.* vmx' /proc/cpuinfo && skip=kvm-amd.ko
	while read -r m; do
		[ -n "$m" ] && [ "${m##*/}" != "$skip" ] || continue
		insmod "/lib/modules/$m" || nb_log "module ${m##*/} not loaded"
	done </etc/nestbench/modules.load
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
