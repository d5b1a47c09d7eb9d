#!/bin/sh
# /init of the L2 guest (and of L3, which boots the same image's leaf copy): mount, load
# the modules the image lists, mount the scratch disk, serve nestbench-agent on vsock
# port 7420 for as long as the guest runs.  With lab.l3 (nestbench.l3=cpus,mem_mib,cid
# on the command line, passed on by L1's init) it then loads KVM and boots L3 under the
# watchdog L1 uses for L2 (init-common.sh); L3's console goes to /tmp/l3-console.log and,
# each line prefixed "nestbench-init: L3| ", to this console.
# Messages go to the console (ttyS0), which the L1 init keeps as L2's console log.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
. /etc/nestbench/init-common.sh

L3_LOG=/tmp/l3-console.log

# L3's QEMU, in this process (the caller puts it in the background), with the same
# MMIO and port I/O targets as L2 (init-l1.sh, l2_qemu).  No scratch disk: io.* in L3
# run on tmpfs.
l3_qemu() {
	# shellcheck disable=SC2154 # nb_start_child sets cpus, mem, cid
	exec qemu-system-x86_64 -name L3 -machine q35,accel=kvm -cpu host -smp "$cpus" -m "$mem" \
		-nodefaults -no-user-config -display none -vga none -no-reboot \
		-kernel /boot/l3/vmlinuz -initrd /boot/l3/initrd.cpio \
		-append "console=ttyS0 panic=-1 loglevel=4" \
		-chardev "file,id=l3con,path=$L3_LOG" -serial chardev:l3con \
		-device "vhost-vsock-pci,guest-cid=$cid" \
		-device pci-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4 </dev/null
}

# Boot L3 when asked: KVM's modules first (only then: a plain L2 stays as it was).
start_l3() {
	[ -n "$(cmdline_value nestbench.l3)" ] || return 1
	if [ ! -f /etc/nestbench/modules-vmm.load ] || [ ! -f /boot/l3/vmlinuz ]; then
		nb_log "L3: gave up: this L2 image has no qemu or L3 image (rebuild it: make images)"
		return 1
	fi
	nb_load_modules /etc/nestbench/modules-vmm.load
	: >"$L3_LOG"
	tail -f "$L3_LOG" 2>/dev/null | while IFS= read -r l; do echo "nestbench-init: L3| $l"; done &
	# shellcheck disable=SC2034 # read by nb_start_child (init-common.sh)
	CHILD_LOG=$L3_LOG CHILD_PORT=
	nb_start_child L3 L2 l3_qemu "L1 must run L2 with -cpu host, kvm_amd/kvm_intel nested=1"
}

nb_mount_basics
nb_load_modules
nb_load_kmod
nb_mount_scratch /dev/vda /scratch
hostname "$( [ -f /boot/l3/vmlinuz ] && echo L2 || echo L3)"
nb_banner "$(hostname)"
nb_serve_agent --listen vsock:7420 &
if start_l3; then
	wait "$CHILD_PID"
	nb_log "L3: QEMU exited with status $? (L3 is down; L2's agent still serves)"
fi
# /init must never return (the kernel would panic): the agent runs until power-off.
while :; do wait; sleep 3600; done
