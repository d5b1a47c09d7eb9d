#!/bin/sh
# /init of the L1 guest: mount, load the modules (kvm, vhost_vsock, ...), mount the
# scratch disk, hold an empty KVM VM (see hold_kvm), serve nestbench-agent to L0, then
# boot L2 with KVM under a watchdog.
#
# The agent starts first, so L1 answers L0 whatever happens to L2 (it used to start after
# `qemu -daemonize` for L2 returned, so a hang there silenced L1 too).  L2's QEMU is a
# child of this script (no -daemonize: its pid and exit status are ours to watch); each
# attempt has a deadline for L2's agent to listen, a QEMU that misses it is shown (where
# its threads wait) and killed, and the start is retried.  Every line about L2 starts
# with "nestbench-init: L2:"; the last one is "L2: up ..." or "L2: gave up ...".
#
# `nestbench lab up` passes the settings on the kernel command line:
#   nestbench.l0=serial|vsock   how L0 reaches this agent
#   nestbench.l2=cpus,mem_mib,cid   the L2 guest (cid: its vsock address)
#   nestbench.l2_watch=tries,seconds   attempts at starting L2, and each one's deadline
#   nestbench.l2_hv=hv-relaxed,...   lab.l2.hyperv: L2's Hyper-V enlightenments (l2_cpu_hyperv)
#   nestbench.kut=SIZE          lab.kvm_unit_tests: the binary's size on the disk whose
#                               serial is nestbench-kut (kut_serve)
#   nestbench.l2_fail=hang,exit,...   tests only: what attempt 1, 2, ... does instead of
#                               starting L2 (hang: never comes up; exit: exits at once)
# The L2 console goes to the virtio-serial port org.nestbench.console.l2 when L0 gives
# one (L0 keeps it as a file), and always to /tmp/l2-console.log, which the watchdog reads.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
. /etc/nestbench/init-common.sh

L2_LOG=/tmp/l2-console.log
L2_PORT=/dev/virtio-ports/org.nestbench.console.l2

# L2's QEMU, in this process (the caller puts it in the background).  pci-testdev and
# the ISA debug-exit port are kvm-unit-tests' targets for MMIO and port I/O exits
# (exit.k.mmio.*, exit.mmio.*, exit.k.pio.*).  A WRITE to 0xf4-0xf7 ends QEMU (and L2):
# only reads may go there (exit.k.pio.out refuses those ports).
l2_qemu() {
	chardev="file,id=l2con,path=$L2_LOG"
	[ -c "$L2_PORT" ] && chardev="file,id=l2con,path=$L2_PORT,logfile=$L2_LOG"
	disk=""
	[ -b /dev/vdb ] && disk="-drive file=/dev/vdb,if=virtio,format=raw,cache=none"
	# shellcheck disable=SC2086,SC2154 # $disk is two words or none; nb_start_child sets cpus, mem, cid
	exec qemu-system-x86_64 -name L2 -machine q35,accel=kvm -cpu "$l2_cpu" -smp "$cpus" -m "$mem" \
		-nodefaults -no-user-config -display none -vga none -no-reboot \
		-kernel /boot/l2/vmlinuz -initrd /boot/l2/initrd.cpio \
		-append "console=ttyS0 panic=-1 loglevel=4$(nb_cmdline_words nestbench.l3)" \
		-chardev "$chardev" -serial chardev:l2con \
		-device "vhost-vsock-pci,guest-cid=$cid" $disk \
		-device pci-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4 </dev/null
}

# KVM flips the scheduler's preempt-notifier static key when L1's first VM is created
# and when its last one goes: a live patch of __schedule's code, which under L0's
# multi-threaded TCG now and then left L1 looping in its int3 handler for good
# (images/README.md, "Why L1 hung").  A VM without vCPUs, held from here to power-off,
# makes that the one flip, done while L1 is idle; L2's QEMU then flips nothing there.
# Does process $1 hold a KVM VM?  (fd names: ls is one process, a loop one per fd.)
# shellcheck disable=SC2010
has_vm() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -q kvm-vm
}

hold_kvm() {
	[ -c /dev/kvm ] || return
	qemu-system-x86_64 -name kvm-hold -machine none -accel kvm -nodefaults -no-user-config \
		-display none -monitor none -serial none </dev/null &
	hold=$! k=0
	# Until its VM exists, so the flip is over before anything else starts.
	while alive $hold && ! has_vm $hold && [ $k -lt 100 ]; do
		sleep 0.1
		k=$((k + 1))
	done
	if has_vm $hold; then
		nb_log "holding an empty KVM VM (pid $hold), so starting L2 patches no scheduler code"
	else
		nb_log "could not hold an empty KVM VM (pid $hold): starting L2 will patch scheduler code"
	fi
}

# L2's -cpu argument, in $l2_cpu: "host", plus the Hyper-V enlightenments of
# nestbench.l2_hv= (lab.l2.hyperv) that L1's KVM accepts.  A QEMU that is asked for one
# that L1's KVM cannot give exits at once naming it first ("... (hv-synic) is not
# supported by kernel", "... (hv-stimer) requires ... (hv-synic)"): ask again without it.
# The last line says what L2 got ("L2: Hyper-V enlightenments on: ...; refused by L1's
# KVM: ..."), which `lab up` records.
l2_cpu_hyperv() {
	l2_cpu=host
	want=$(cmdline_value nestbench.l2_hv)
	[ -n "$want" ] || return 0
	refused=''
	while [ -n "$want" ]; do
		# shellcheck disable=SC2069 # stderr to the pipe, stdout (the monitor) away
		out=$(echo quit | timeout 120 qemu-system-x86_64 -name hv-probe -machine q35,accel=kvm \
			-cpu "host,$want" -smp 1 -m 64 -nodefaults -no-user-config -display none \
			-serial none -monitor stdio -S 2>&1 >/dev/null)
		st=$?
		[ $st -eq 0 ] && break
		why=$(echo "$out" | grep -v '^ *$' | head -n 1 | sed 's/^qemu-system-x86_64: //')
		why=${why:-QEMU exited with status $st}
		bad=$(echo "$why" | grep -o '(hv-[a-z-]*)' | head -n 1 | tr -d '()')
		case ",$want," in
		*",$bad,"*) ;;
		*) bad=$want ;;   # no flag named (or not one we asked for): none of them
		esac
		nb_log "L2: Hyper-V enlightenments: L1's KVM refuses $bad ($why)"
		refused=${refused:+$refused,}$bad
		want=$(echo ",$want," | sed "s/,$bad,/,/; s/^,//; s/,\$//")
	done
	[ -n "$want" ] && l2_cpu="host,$want"
	nb_log "L2: Hyper-V enlightenments on: ${want:-none}; refused by L1's KVM: ${refused:-none}"
}

# lab.kvm_unit_tests: run kvm-unit-tests (x86/vmexit.flat, from the disk L0 gave) under
# KVM as a second L2, one run per request on the port org.nestbench.kut (`nestbench lab
# kut`; the exchange: harness/lab_kut.c).  Nothing runs until L0 asks, so the nestbench
# L2 is measured undisturbed in between.  Its -machine, -cpu and test devices are L2's.
KUT_PORT=/dev/virtio-ports/org.nestbench.kut
KUT_BIN=/tmp/kut.flat

kut_stage() {
	size=$(cmdline_value nestbench.kut)
	for f in /sys/block/vd*/serial; do
		[ "$(cat "$f" 2>/dev/null)" = nestbench-kut ] || continue
		dev=${f%/serial}
		head -c "$size" "/dev/${dev##*/}" >$KUT_BIN &&
			nb_log "kvm-unit-tests: $size bytes from /dev/${dev##*/}, sha256" \
				"$(sha256sum $KUT_BIN | cut -d' ' -f1)" && return 0
	done
	nb_log "kvm-unit-tests: no disk with serial nestbench-kut: lab kut cannot run"
	return 1
}

# One request: "run ID SMP TIMEOUT_S TEST..." (L0 checked the names; checked again).
kut_one() {
	id=$1 smp=$2 tmo=$3
	shift 3
	case "$id$smp$tmo" in *[!0-9]*|'') echo "nestbench-kut: error ${id:-0} malformed request" >&3; return ;; esac
	case "$*" in *[!A-Za-z0-9_\ -]*) echo "nestbench-kut: error $id malformed test names" >&3; return ;; esac
	if [ ! -s $KUT_BIN ]; then
		echo "nestbench-kut: error $id L1 has no kvm-unit-tests binary (see L1's console)" >&3
		return
	fi
	echo "nestbench-kut: begin $id" >&3
	: >/tmp/kut.out
	uptime_s
	# shellcheck disable=SC2154 # uptime_s (init-common.sh) sets now
	k_t0=$now
	timeout "$tmo" qemu-system-x86_64 -name kut -machine q35,accel=kvm -cpu host -smp "$smp" -m 128 \
		-nodefaults -no-user-config -display none -vga none -no-reboot \
		-serial file:/tmp/kut.out -device pci-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
		-kernel $KUT_BIN -append "$*" </dev/null >/tmp/kut.err 2>&1
	st=$?
	uptime_s
	# busybox's timeout passes on QEMU's status, and QEMU exits 0 on SIGTERM: say 124.
	[ $((now - k_t0)) -ge "$tmo" ] && [ "$st" -ne 1 ] && st=124
	# QEMU's own errors exit 1 too, like a passing test: a guest that printed nothing
	# never ran (every kvm-unit-tests binary prints as it starts).  Say 125.
	[ "$st" -ne 124 ] && [ ! -s /tmp/kut.out ] && st=125
	cat /tmp/kut.out >&3
	sed 's/^/qemu: /' /tmp/kut.err >&3
	echo "nestbench-kut: seconds $((now - k_t0))" >&3
	echo "nestbench-kut: end $id $st" >&3
}

kut_serve() {
	[ -c $KUT_PORT ] && [ -n "$(cmdline_value nestbench.kut)" ] || return 0
	kut_stage
	exec 3<>$KUT_PORT
	while :; do
		# A port whose L0 side is not connected reads as end of file: wait for one.
		# shellcheck disable=SC2086 # the request is split into its words on purpose
		if read -r verb req <&3; then
			[ "$verb" = run ] && kut_one $req
		else
			sleep 1
		fi
	done
}

# Boot L2, retrying a start that fails or hangs (init-common.sh); 0 when L2's agent
# listens, CHILD_PID its QEMU.
start_l2() {
	l2_cpu=host
	[ -c /dev/kvm ] && [ -n "$(cmdline_value nestbench.l2)" ] && l2_cpu_hyperv
	# shellcheck disable=SC2034 # read by nb_start_child (init-common.sh)
	CHILD_LOG=$L2_LOG CHILD_PORT=$L2_PORT
	nb_start_child L2 L1 l2_qemu "L0 must run L1 with -cpu max under TCG or -cpu host with nested=1 under KVM"
}

nb_mount_basics
nb_load_modules
nb_load_kmod
nb_mount_scratch /dev/vda /scratch
hostname L1
nb_banner L1
hold_kvm
# One listener per virtio-serial port (each carries one session at a time): the
# harness's session with L1, one beside it (counting L2's exits while L2 runs) and one
# that relays to L2, so that a campaign can keep L1 and L2 connected together.
listen="--listen serial:/dev/virtio-ports/org.nestbench.agent.0"
for port in 1 2 3 4 5; do   # 3-5: with lab.l3 (harness/lab.c, "L3")
	[ -c /dev/virtio-ports/org.nestbench.agent.$port ] &&
		listen="$listen --listen serial:/dev/virtio-ports/org.nestbench.agent.$port"
done
[ "$(cmdline_value nestbench.l0)" = vsock ] && listen="--listen vsock:7420"
# shellcheck disable=SC2086
nb_serve_agent $listen &
kut_serve &
if start_l2; then
	wait "$CHILD_PID"
	nb_log "L2: QEMU exited with status $? (L2 is down; L1's agent still serves L0)"
fi
# /init must never return (the kernel would panic): the agent runs until power-off.
while :; do wait; sleep 3600; done
