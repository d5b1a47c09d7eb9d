# test_kmod_cli.sh - the kernel module of the exit.k.* workloads (kmod/): `make kmod` builds
# it against the lab kernel's headers into $BUILD/kmod/, and modinfo shows its license,
# the kernel it is for and the sha256 of its source; without the module loaded, every
# exit.k.* workload skips and says how to load it.  The module is never loaded here.
. tests/cli/lib.sh
W="$BUILD/nestbench-work"
KO="$BUILD/kmod/nestbench_exits.ko"

# A headers directory that is not there: the error names it and the fix, exit status 2.
expect_status "make kmod without headers fails" 2 make -s --no-print-directory \
	BUILD="$BUILD" KDIR="$TMP/no-headers" kmod
expect_grep "the error names the missing headers" "no kernel headers in $TMP/no-headers" "$TMP/err"
expect_grep "the error says what KDIR must be" "KDIR=/lib/modules/RELEASE/build" "$TMP/err"

# The default KDIR follows the lab's kernel: the images' manifest first, else what
# images/build.sh would fetch (NB_KERNEL_PKG here), and says which headers are missing.
mkdir -p "$TMP/b1/images"
echo '  "kernel": {"package": "linux-image-9.9.9-nb-cloud-amd64", "version": "1", "release": "9.9.9-nb-cloud-amd64"},' \
	>"$TMP/b1/images/manifest.json"
expect_status "kmod-kdir" 0 make -s --no-print-directory BUILD="$TMP/b1" kmod-kdir
expect_grep "KDIR: the release in the images' manifest" "^/usr/src/linux-headers-9.9.9-nb-cloud-amd64$" "$TMP/out"
expect_status "make kmod for a kernel without headers" 2 env NB_KERNEL_PKG=linux-image-0.0.0-nb-cloud-amd64 \
	make -s --no-print-directory BUILD="$TMP/b2" kmod
expect_grep "the error names the headers package to install" \
	"no kernel headers in /usr/src/linux-headers-0.0.0-nb-cloud-amd64: install linux-headers-0.0.0-nb-cloud-amd64 (sh mk/deps.sh test" \
	"$TMP/err"

KDIR=$(make -s --no-print-directory BUILD="$BUILD" kmod-kdir)
case "$KDIR" in
/usr/src/linux-headers-*-cloud-amd64) ok "KDIR defaults to the lab kernel's headers" ;;
*) fail "KDIR defaults to the lab kernel's headers" "got '$KDIR'" ;;
esac
if [ ! -f "$KDIR/Makefile" ]; then
	# Asserted, not assumed: the skip is for exactly this reason.
	expect_status "make kmod refuses without the lab headers" 2 make -s --no-print-directory \
		BUILD="$BUILD" kmod
	expect_grep "and says which headers to install" "install linux-headers-.* (sh mk/deps.sh test" "$TMP/err"
	echo "  (module not built: no headers in $KDIR; sh mk/deps.sh test installs them)"
else
	release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$KDIR/include/generated/utsrelease.h")
	case "$KDIR" in
	*"-$release") ok "the headers are for $release" ;;
	*) fail "the headers are for the release their directory names" "$KDIR says '$release'" ;;
	esac
	expect_status "make kmod builds the module" 0 make -s --no-print-directory BUILD="$BUILD" kmod
	if [ -f "$KO" ]; then ok "the module is $KO"; else fail "the module is $KO" "$(tail -n 5 "$TMP/err")"; fi
	expect_status "modinfo reads it" 0 modinfo "$KO"
	expect_grep "license GPL" "^license: *GPL$" "$TMP/out"
	expect_grep "vermagic is the lab kernel's ($release)" "^vermagic: *$release SMP" "$TMP/out"
	hash=$(sha256sum <kmod/nestbench_exits.c | cut -c1-64)
	expect_grep "srchash is the sha256 of nestbench_exits.c" "^srchash: *$hash$" "$TMP/out"
	expect_status "the module registers its device by name" 0 grep -q "nestbench-exits" "$KO"
	# Rebuilding an unchanged source keeps the same hash (kbuild decides what to redo).
	expect_status "make kmod again" 0 make -s --no-print-directory BUILD="$BUILD" kmod
	expect_status "modinfo after the rebuild" 0 modinfo -F srchash "$KO"
	expect_grep "the same srchash" "^$hash$" "$TMP/out"
fi

# Without the module: each exit.k.* skips (exit status 77) with the reason and the fix.
if [ -e /dev/nestbench-exits ]; then
	echo "  (/dev/nestbench-exits exists: the skips are not tested here)"
else
	for w in $("$W" list | awk '$1 ~ /^exit\.k\./ {print $1}'); do
		expect_status "$w skips without the module" 77 "$W" run "$w" --reps 1
		expect_grep "$w: the skip record names the module and the fix" \
			'"reason":"module not loaded: /dev/nestbench-exits missing (modprobe nestbench_exits; kmod/README.md)"' \
			"$TMP/out"
	done
	n=$("$W" list | grep -c '^exit\.k\.')
	if [ "$n" -eq 11 ]; then ok "11 exit.k workloads listed"; else fail "11 exit.k workloads listed" "$n"; fi
fi
finish test_kmod_cli
