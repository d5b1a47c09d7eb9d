#!/bin/sh
# /init of the L1 guest: mount, load the modules (kvm, vhost_vsock, ...), mount the
# scratch disk, boot L2 with KVM, then serve nestbench-agent to L0.
#
# `nestbench lab up` passes the settings on the kernel command line:
#   nestbench.l0=serial|vsock   how L0 reaches this agent
#   nestbench.l2=cpus,mem_mib,cid   the L2 guest (cid: its vsock address)
# The L2 console goes to the virtio-serial port org.nestbench.console.l2 when L0 gives
# one (L0 keeps it as a file), else to /tmp/l2-console.log.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
. /etc/nestbench/init-common.sh

cmdline_value() {
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1="*) echo "${w#*=}"; return ;; esac
	done
}

start_l2() {
	l2=$(cmdline_value nestbench.l2)
	[ -n "$l2" ] || { nb_log "no nestbench.l2= on the command line: L2 not started"; return; }
	cpus=${l2%%,*} rest=${l2#*,}
	mem=${rest%%,*} cid=${rest#*,}
	if [ ! -c /dev/kvm ]; then
		nb_log "L2 not started: /dev/kvm is missing in L1 (no SVM/VMX offered to L1?" \
			"L0 must run L1 with -cpu max under TCG or -cpu host with nested=1 under KVM)"
		return
	fi
	console=/dev/virtio-ports/org.nestbench.console.l2
	[ -c "$console" ] || console=/tmp/l2-console.log
	disk=""
	[ -b /dev/vdb ] && disk="-drive file=/dev/vdb,if=virtio,format=raw,cache=none"
	nb_log "starting L2: KVM, $cpus vCPUs, $mem MiB, vsock CID $cid, console $console"
	# shellcheck disable=SC2086 # $disk is two words or none
	qemu-system-x86_64 -name L2 -machine q35,accel=kvm -cpu host -smp "$cpus" -m "$mem" \
		-nodefaults -no-user-config -display none -vga none -no-reboot \
		-kernel /boot/l2/vmlinuz -initrd /boot/l2/initrd.cpio \
		-append "console=ttyS0 panic=-1 loglevel=4" \
		-serial "file:$console" -device "vhost-vsock-pci,guest-cid=$cid" $disk \
		-pidfile /run/l2.pid -daemonize ||
		nb_log "qemu-system-x86_64 for L2 failed (status $?)"
}

nb_mount_basics
nb_load_modules
nb_mount_scratch /dev/vda /scratch
hostname L1
nb_banner L1
start_l2
# One listener per virtio-serial port: the harness's session and a second one for
# work beside it (counting L2's exits while the first relays to L2).
listen="--listen serial:/dev/virtio-ports/org.nestbench.agent.0"
[ -c /dev/virtio-ports/org.nestbench.agent.1 ] &&
	listen="$listen --listen serial:/dev/virtio-ports/org.nestbench.agent.1"
[ "$(cmdline_value nestbench.l0)" = vsock ] && listen="--listen vsock:7420"
# shellcheck disable=SC2086
nb_serve_agent $listen
