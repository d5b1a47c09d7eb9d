#!/bin/sh
# build.sh - the guest images of the local nested lab, from Debian packages only.
#
#   sh images/build.sh OUT_DIR AGENT [KMOD]
#
# KMOD: nestbench_exits.ko (make kmod), built for the images' kernel; both guests load it
# before their agent starts (the exit.k.* workloads).  Without it the images carry none.
#
# OUT_DIR/ gets:
#   vmlinuz             Debian's linux-image-*-cloud-amd64 kernel (L1 and L2 boot it)
#   l1.cpio             L1's initramfs: busybox, the agent, qemu-system-x86_64 and its
#                       firmware, and L2's kernel and initramfs under /boot/l2/
#   l2.cpio             L2's initramfs: busybox, the agent and nestbench_exits.ko; and,
#                       for lab.l3, qemu-system-x86_64, KVM's modules and L3's kernel
#                       and initramfs under /boot/l3/ (the leaf: l2.cpio without them)
#   scratch.img         a pristine sparse ext4 disk; `nestbench lab up` copies it per guest
#   manifest.json       the packages and versions the images were built from, and
#                       the sha256 of every output
#   cache/              the downloaded kernel package (kept: a rebuild needs no network)
#
# Reproducible: file times are SOURCE_DATE_EPOCH (default: the kernel image's own
# time in its package), the archives are sorted, uid/gid 0, so the same package
# versions and agent give the same bytes.  Nothing is rebuilt when the inputs (package
# versions, agent, these recipes) are unchanged.  Progress goes to a terminal only.
set -eu

OUT=${1:?usage: build.sh OUT_DIR AGENT}
AGENT=${2:?usage: build.sh OUT_DIR AGENT [KMOD]}
KMOD=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)
KERNEL_META=${NB_KERNEL_META:-linux-image-cloud-amd64}
SCRATCH_MIB=${NB_SCRATCH_MIB:-1024}
NEED_MIB=${NB_NEED_MIB:-1000}   # kernel package, three unpacked trees and the archives
# Modules both guests load (dependencies are added from modules.dep), then L1's.
MODS_COMMON="virtio_pci virtio_blk virtio_console vmw_vsock_virtio_transport"
MODS_L1="kvm-amd kvm-intel vhost_vsock"   # L2's too, loaded only to boot L3 (modules-vmm.load)

if [ -t 1 ]; then step() { printf 'images: %s\n' "$*"; }; else step() { :; }; fi
die() { printf 'images: %s\n' "$*" >&2; exit 2; }

need_tools() {
	for t in apt-get apt-cache dpkg-deb dpkg-query depmod modinfo cpio busybox qemu-system-x86_64 \
		mkfs.ext4 sha256sum; do
		command -v "$t" >/dev/null 2>&1 ||
			die "'$t' is missing: install the lab's packages (sh mk/deps.sh lab, as root)"
	done
	[ -x "$AGENT" ] || die "agent $AGENT is missing: build it first (make)"
	[ -z "$KMOD" ] || [ -f "$KMOD" ] || die "kernel module $KMOD is missing: build it first (make kmod)"
}

# The module's field $1 (vermagic, srchash) as modinfo reads it from the file.
kmod_info() { modinfo -F "$1" "$KMOD" 2>/dev/null | head -n1; }

# A module built for another kernel would not load in the guests: refuse it here.
check_kmod() {
	[ -n "$KMOD" ] || return 0
	built=$(kmod_info vermagic | cut -d' ' -f1)
	[ "$built" = "$KREL" ] || die "$KMOD was built for kernel '${built:-?}', the images boot $KREL:" \
		"rebuild it for the images' kernel (make kmod KDIR=/usr/src/linux-headers-$KREL)"
}

need_space() {
	mkdir -p "$OUT" || die "cannot create $OUT"
	free=$(df -Pm "$OUT" | awk 'NR == 2 {print $4}')
	[ "$free" -ge "$NEED_MIB" ] ||
		die "no space for the images: $free MiB free under $OUT, $NEED_MIB MiB needed;" \
			"free some space or build elsewhere (make BUILD=/other/dir images)"
}

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
# The Debian package that installed a file, and its version: "pkg=version".
# dpkg knows a file by the path its package shipped (/lib or /usr/lib: try both).
file_pkg() {
	real=$(readlink -f "$1")
	for f in "$1" "$real" "/usr$real" "${real#/usr}"; do
		p=$(dpkg-query -S "$f" 2>/dev/null | head -n1 | cut -d: -f1)
		[ -n "$p" ] && { echo "$p=$(pkg_version "$p")"; return; }
	done
	echo "unpackaged:$1"
}

# The kernel package the metapackage points to now, and its candidate version.
resolve_kernel() {
	KPKG=${NB_KERNEL_PKG:-$(apt-cache depends "$KERNEL_META" 2>/dev/null |
		awk '/Depends: linux-image-/ {print $2; exit}')}
	[ -n "$KPKG" ] || die "cannot resolve $KERNEL_META to a kernel package: is the package" \
		"list current? (apt-get update) It must name Debian's main archive."
	KVER=$(apt-cache policy "$KPKG" 2>/dev/null | awk '/Candidate:/ {print $2}')
}

fetch_kernel() {
	mkdir -p "$OUT/cache"
	KDEB=$(ls "$OUT/cache/${KPKG}_"*.deb 2>/dev/null | head -n1 || true)
	[ -n "$KDEB" ] && return
	step "downloading $KPKG $KVER"
	log=$OUT/cache/apt-download.log
	if ! (cd "$OUT/cache" && apt-get -o APT::Sandbox::User=root download "$KPKG") >"$log" 2>&1; then
		die "cannot fetch the kernel package $KPKG: $(tail -n1 "$log")." \
			"Check that apt reaches Debian's mirror (apt-get update), or copy" \
			"${KPKG}_*.deb into $OUT/cache/"
	fi
	KDEB=$(ls "$OUT/cache/${KPKG}_"*.deb | head -n1)
}

# Everything that decides the images' bytes, one line each; its sha256 is the image id.
inputs() {
	echo "kernel $KPKG=$KVER $(sha256sum <"$KDEB" | cut -c1-64)"
	for p in busybox-static qemu-system-x86 qemu-system-data seabios; do
		echo "package $p=$(pkg_version "$p")"
	done
	for f in $(libs_of "$AGENT" /usr/bin/qemu-system-x86_64); do echo "lib $(file_pkg "$f")"; done |
		sort -u
	echo "agent $(sha256sum <"$AGENT" | cut -c1-64)"
	[ -z "$KMOD" ] || echo "kmod $(sha256sum <"$KMOD" | cut -c1-64) srchash $(kmod_info srchash)"
	for f in "$HERE"/build.sh "$HERE"/init-*.sh; do
		echo "recipe ${f##*/} $(sha256sum <"$f" | cut -c1-64)"
	done
	echo "scratch_mib $SCRATCH_MIB epoch ${SOURCE_DATE_EPOCH:-kernel}"
}

up_to_date() {
	[ -f "$OUT/manifest.json" ] && [ -f "$OUT/inputs.txt" ] || return 1
	cmp -s "$OUT/inputs.txt" "$1" || return 1
	for f in vmlinuz l1.cpio l2.cpio scratch.img; do [ -f "$OUT/$f" ] || return 1; done
}

# Shared libraries of the programs, with the dynamic loader, as real paths.
libs_of() {
	for prog in "$@"; do ldd "$prog"; done |
		awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}' | sort -u
}

unpack_kernel() {
	rm -rf "$WORK/kernel"
	dpkg-deb -x "$KDEB" "$WORK/kernel"
	KREL=$(ls "$WORK/kernel/lib/modules")
	depmod -b "$WORK/kernel" "$KREL"
	cp "$WORK/kernel/boot/vmlinuz-$KREL" "$WORK/vmlinuz"
	: "${SOURCE_DATE_EPOCH:=$(stat -c %Y "$WORK/kernel/boot/vmlinuz-$KREL")}"
}

# modules.dep lists a module's dependencies, the last to be loaded first: reverse
# them, then the module; keep each module's first appearance.
module_order() {
	dep=$WORK/kernel/lib/modules/$KREL/modules.dep
	for m in "$@"; do
		line=$(grep -E "/$m\.ko(\.[a-z]+)?:" "$dep") || die "module $m is not in $KPKG"
		for d in ${line#*:}; do echo "$d"; done | awk '{a[NR] = $0} END {for (i = NR; i; i--) print a[i]}'
		echo "${line%%:*}"
	done | awk '!seen[$0]++'
}

copy_file() {   # copy_file SRC ROOT [DEST]: keep the path, follow symlinks
	dest=$2${3:-$1}
	mkdir -p "$(dirname "$dest")"
	cp -L "$1" "$dest"
}

# The root both guests share: busybox with its applets, the agent and its libraries,
# the modules in load order, and the init functions.
base_root() {
	root=$1
	shift
	rm -rf "$root"
	mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin "$root"/etc/nestbench \
		"$root"/proc "$root"/sys "$root"/dev "$root"/tmp "$root"/run "$root"/var/lib \
		"$root"/lib/modules "$root"/root
	cp /bin/busybox "$root/bin/busybox"
	for a in $(busybox --list-full); do
		[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
	done
	copy_file "$AGENT" "$root" /usr/bin/nestbench-agent
	for f in $(libs_of "$AGENT" "$@"); do copy_file "$f" "$root"; done
	module_order $MODS_COMMON ${L1_MODS:-} >"$root/etc/nestbench/modules.load"
	while read -r m; do
		copy_file "$WORK/kernel/lib/modules/$KREL/$m" "$root" "/lib/modules/$m"
	done <"$root/etc/nestbench/modules.load"
	# A guest that can boot a child but does not always: those modules on their own list.
	if [ -n "${VMM_MODS:-}" ]; then
		module_order $MODS_COMMON $VMM_MODS | grep -vxF -f "$root/etc/nestbench/modules.load" \
			>"$root/etc/nestbench/modules-vmm.load" || true
		while read -r m; do
			copy_file "$WORK/kernel/lib/modules/$KREL/$m" "$root" "/lib/modules/$m"
		done <"$root/etc/nestbench/modules-vmm.load"
	fi
	# Not in modules.load: init-common.sh loads it on its own and says whether it did.
	if [ -n "$KMOD" ]; then
		copy_file "$KMOD" "$root" /lib/modules/nestbench/nestbench_exits.ko
		kmod_info srchash >"$root/etc/nestbench/kmod.srchash"
	fi
	cp "$HERE/init-common.sh" "$root/etc/nestbench/init-common.sh"
	cp "$INPUTS" "$root/etc/nestbench/inputs.txt"
	echo "$IMAGE_ID" >"$root/etc/nestbench/image-id"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
}

# A newc archive of the tree, byte for byte reproducible.  Not compressed: the L1
# kernel unpacks it under TCG, where gunzip of ~100 MB would cost many seconds.
archive() {
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --reproducible --quiet -o -H newc -R 0:0) >"$2.tmp"
	mv "$2.tmp" "$2"
}

# L3's image (lab.l3): the agent and nothing to boot a child with.
build_l3() {
	step "assembling the L3 image"
	L1_MODS="" base_root "$WORK/l3"
	cp "$HERE/init-l2.sh" "$WORK/l3/init"
	chmod 755 "$WORK/l3/init"
	archive "$WORK/l3" "$WORK/l3.cpio"
}

# L2's image: L3's, plus qemu, KVM's modules (loaded only for lab.l3) and L3 under
# /boot/l3.  Always so: one set of images for labs with and without L3 (about 75 MB
# more in l1.cpio; L1's and L2's boots measured no slower, images/README.md).
build_l2() {
	step "assembling the L2 image (qemu-system-x86_64 and L3 inside)"
	L1_MODS="" VMM_MODS=$MODS_L1 base_root "$WORK/l2" /usr/bin/qemu-system-x86_64
	copy_qemu "$WORK/l2"
	mkdir -p "$WORK/l2/boot/l3"
	cp "$WORK/vmlinuz" "$WORK/l2/boot/l3/vmlinuz"
	cp "$WORK/l3.cpio" "$WORK/l2/boot/l3/initrd.cpio"
	cp "$HERE/init-l2.sh" "$WORK/l2/init"
	chmod 755 "$WORK/l2/init"
	archive "$WORK/l2" "$WORK/l2.cpio"
}

# qemu's firmware for a direct kernel boot without display or network.
QEMU_DATA="/usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin \
/usr/share/qemu/kvmvapic.bin /usr/share/qemu/multiboot_dma.bin"

copy_qemu() {
	copy_file /usr/bin/qemu-system-x86_64 "$1"
	for f in $QEMU_DATA; do copy_file "$f" "$1"; done
}

build_l1() {
	step "assembling the L1 image (qemu-system-x86_64 and L2 inside)"
	L1_MODS=$MODS_L1 base_root "$WORK/l1" /usr/bin/qemu-system-x86_64
	copy_qemu "$WORK/l1"
	mkdir -p "$WORK/l1/boot/l2"
	cp "$WORK/vmlinuz" "$WORK/l1/boot/l2/vmlinuz"
	cp "$WORK/l2.cpio" "$WORK/l1/boot/l2/initrd.cpio"
	cp "$HERE/init-l1.sh" "$WORK/l1/init"
	chmod 755 "$WORK/l1/init"
	archive "$WORK/l1" "$WORK/l1.cpio"
}

# A sparse ext4 file system, made reproducible (fixed UUID, hash seed and times).
build_scratch() {
	step "making the scratch disk ($SCRATCH_MIB MiB, sparse ext4)"
	mkdir -p "$WORK/scratch-root"
	rm -f "$WORK/scratch.img"
	truncate -s "${SCRATCH_MIB}M" "$WORK/scratch.img"
	E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L nb-scratch \
		-U 6e657374-6265-6e63-6800-736372617463 -E hash_seed=6e657374-6265-6e63-6800-000000000000,root_owner=0:0 \
		-d "$WORK/scratch-root" "$WORK/scratch.img" ||
		die "mkfs.ext4 failed on $WORK/scratch.img"
}

write_manifest() {
	{
		printf '{\n  "image_id": "%s",\n  "kernel": {"package": "%s", "version": "%s", "release": "%s"},\n' \
			"$IMAGE_ID" "$KPKG" "$KVER" "$KREL"
		printf '  "source_date_epoch": %s,\n' "$SOURCE_DATE_EPOCH"
		if [ -n "$KMOD" ]; then
			printf '  "kmod": {"file": "nestbench_exits.ko", "srchash": "%s", "vermagic": "%s", "sha256": "%s"},\n' \
				"$(kmod_info srchash)" "$(kmod_info vermagic | sed "s/ *$//")" "$(sha256sum <"$KMOD" | cut -c1-64)"
		fi
		printf '  "inputs": [\n'
		sed 's/\\/\\\\/g; s/"/\\"/g; s/^/    "/; s/$/",/; $ s/,$//' "$INPUTS"
		printf '  ],\n  "files": {\n'
		n=0
		for f in vmlinuz l1.cpio l2.cpio scratch.img; do
			[ $n -eq 0 ] || printf ',\n'
			n=1
			printf '    "%s": {"sha256": "%s", "bytes": %s}' "$f" \
				"$(sha256sum <"$WORK/$f" | cut -c1-64)" "$(stat -c %s "$WORK/$f")"
		done
		printf '\n  }\n}\n'
	} >"$WORK/manifest.json"
}

need_tools
need_space
resolve_kernel
fetch_kernel
INPUTS=$OUT/inputs.new
inputs >"$INPUTS"
IMAGE_ID=$(sha256sum <"$INPUTS" | cut -c1-16)
if up_to_date "$INPUTS"; then
	rm -f "$INPUTS"
	step "up to date (image $IMAGE_ID, $KPKG $KVER)"
	exit 0
fi
WORK=$OUT/work
rm -rf "$WORK"
mkdir -p "$WORK"
step "building image $IMAGE_ID from $KPKG $KVER"
unpack_kernel
check_kmod
build_l3
build_l2
build_l1
build_scratch
write_manifest
for f in vmlinuz l1.cpio l2.cpio scratch.img manifest.json; do mv "$WORK/$f" "$OUT/$f"; done
mv "$INPUTS" "$OUT/inputs.txt"
rm -rf "$WORK"
step "done: $OUT ($(du -sm "$OUT" --exclude=cache | cut -f1) MiB)"
