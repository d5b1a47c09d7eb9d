#!/bin/sh
# kmod_boot.sh - boot the lab's kernel in a throwaway QEMU VM, load nestbench_exits.ko and
# run every kernel-mode exit (and exit.pause, exit.cpuid) with nestbench-work; print what
# each printed on the guest's serial console.  A smoke test of the module on the kernel it
# was built for, not a benchmark (not part of `make test`).
#
#   sh tests/bench/kmod_boot.sh BUILD IMAGES [tcg|nested|kvm]
#
# BUILD holds nestbench-work and kmod/nestbench_exits.ko (make kmod); IMAGES the lab's
# images (make images: vmlinuz, and l1.cpio for `nested`).
#   tcg     one VM under TCG (-cpu max): nothing exits, the figures are emulation costs
#   nested  an L1 under TCG made of the lab's l1.cpio (its QEMU and KVM modules) runs the
#           test VM as its L2 under KVM: real exits, handled by L1's KVM (as in the lab)
#   kvm     one VM under KVM (-cpu host), where this machine's /dev/kvm can run one
# The test VM has a pci-testdev (the MMIO target); the whole run gets at most 300 s.
# Needs busybox-static, cpio and qemu-system-x86.
set -eu

usage="usage: kmod_boot.sh BUILD IMAGES [tcg|nested|kvm]"
BUILD=${1:?$usage}
IMAGES=${2:?$usage}
MODE=${3:-tcg}
KO=$BUILD/kmod/nestbench_exits.ko
WORK=$BUILD/nestbench-work
need="$KO $WORK $IMAGES/vmlinuz /bin/busybox"
[ "$MODE" = nested ] && need="$need $IMAGES/l1.cpio"
for f in $need; do
	[ -f "$f" ] || { echo "kmod_boot: $f is missing (make kmod; make images)" >&2; exit 2; }
done
case "$MODE" in tcg|nested|kvm) ;; *) echo "kmod_boot: $usage" >&2; exit 2 ;; esac

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
# The test VM's serial console, on QEMU's stdio (nested) or in a file (the others).
QEMU_TEST="-nodefaults -vga none -nic none -display none -monitor none -no-reboot \
-device pci-testdev -append 'console=ttyS0 panic=-1 quiet'"

# The test VM's initramfs: busybox, the module, nestbench-work and an init that runs them.
test_root() {
	root=$TMPD/test
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
	cp /bin/busybox "$root/bin/busybox"
	for a in sh mount insmod dmesg poweroff cat grep sort tr; do ln -s busybox "$root/bin/$a"; done
	cp "$KO" "$WORK" "$root/"
	cat >"$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "== insmod"
insmod /nestbench_exits.ko && dmesg | grep nestbench_exits
echo "== cpu flags: $(grep -ow 'hypervisor\|tsc_adjust\|tsc_deadline_timer\|x2apic' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "== clockevent: $(cat /sys/devices/system/clockevents/clockevent0/current_device)"
run() { echo "== $*"; /nestbench-work run "$@" --reps 3 --min-time-ms 20 --cpu 0 2>&1; echo "== status $?"; }
for w in exit.k.hypercall exit.k.msr.read exit.k.msr.write exit.k.cr8.read exit.k.cr8.write \
	exit.k.pio.in exit.k.pio.out exit.k.mmio.read exit.k.mmio.write exit.k.hlt \
	exit.k.tscdeadline exit.pause exit.cpuid; do
	run "$w"
done
run exit.k.hlt --param halt=0
run exit.k.tscdeadline --param delay_cycles=3000
run exit.k.mmio.write --param test=0
dmesg | grep -i 'oops\|bug\|warn' || true
echo "== done"
poweroff -f
INIT
	chmod 755 "$root/init"
	(cd "$root" && find . | cpio --quiet -o -H newc) >"$1"
}

# L1 for `nested`: the lab's L1 image with another init, which loads KVM and runs the
# test VM, its console on L1's.
nested_l1() {
	l1=$TMPD/l1
	mkdir -p "$l1"
	(cd "$l1" && cpio -idm --quiet) <"$IMAGES/l1.cpio"
	test_root "$l1/test.cpio"
	cat >"$l1/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in \$(grep -E 'irqbypass|/kvm' /etc/nestbench/modules.load); do
	insmod "/lib/modules/\$m" 2>/dev/null || true   # kvm-amd or kvm-intel: one of them
done
echo "== L1: starting the test VM under KVM"
qemu-system-x86_64 -accel kvm -cpu host -smp 1 -m 256 -serial stdio \
	-kernel /boot/l2/vmlinuz -initrd /test.cpio $QEMU_TEST </dev/null
echo "== L1: the test VM exited with status \$?"
poweroff -f
INIT
	chmod 755 "$l1/init"
	(cd "$l1" && find . | cpio --quiet -o -H newc) >"$1"
}

case "$MODE" in
tcg) accel=tcg cpu=max mem=512 smp=2; test_root "$TMPD/initrd.cpio" ;;
kvm) accel=kvm cpu=host mem=512 smp=2; test_root "$TMPD/initrd.cpio" ;;
nested) accel=tcg cpu=max mem=1536 smp=1; nested_l1 "$TMPD/initrd.cpio" ;;
esac
# shellcheck disable=SC2086
eval timeout 300 qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem" \
	-kernel "$IMAGES/vmlinuz" -initrd "$TMPD/initrd.cpio" -serial "file:$TMPD/console.log" \
	$QEMU_TEST </dev/null || echo "kmod_boot: QEMU ended with status $? (124: the 300 s ran out)" >&2
cat "$TMPD/console.log"
grep -q '^== done' "$TMPD/console.log"
