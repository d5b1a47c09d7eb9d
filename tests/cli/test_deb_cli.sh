# test_deb_cli.sh - the Debian packages: dpkg-buildpackage -us -uc -b in a copy of the
# tree (tracked and untracked-not-ignored files, not build/), lintian without errors,
# each package's files (and none of the other's), the conffile and the service
# scripts, then the programs unpacked with dpkg-deb -x: nestbench --version and doctor,
# nestbench-work --version and list, nestbench-work statically linked.  Without
# dpkg-buildpackage it says why and skips (checked below with a PATH that lacks it).
. tests/cli/lib.sh

if ! command -v dpkg-buildpackage >/dev/null 2>&1; then
	echo "skip: dpkg-buildpackage is missing (apt-get install dpkg-dev debhelper lintian," \
		"or sh mk/deps.sh test as root)"
	ok "skipped: no dpkg-buildpackage"
	finish test_deb_cli
	exit
fi

# The skip itself: this script under a PATH with a shell and no dpkg-buildpackage.
mkdir -p "$TMP/skipbin"
for t in sh mktemp rm; do ln -s "$(command -v $t)" "$TMP/skipbin/$t"; done
PATH="$TMP/skipbin" sh tests/cli/test_deb_cli.sh >"$TMP/skip.out" 2>&1
st=$?
if [ $st -eq 0 ] && grep -q '^skip: dpkg-buildpackage is missing (apt-get install dpkg-dev' "$TMP/skip.out" &&
	grep -q '^test_deb_cli: 1 passed, 0 failed$' "$TMP/skip.out"; then
	ok "without dpkg-buildpackage: skips, saying why"
else
	fail "without dpkg-buildpackage: skips, saying why" "status $st: $(head -c 300 "$TMP/skip.out")"
fi

VER=$(cat VERSION)
SRC=$TMP/src/nestbench-$VER
OUT=$TMP/src
mkdir -p "$SRC"
# What a clone with the uncommitted work would have: no build/, nothing ignored.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$SRC"
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$SRC"
fi
[ -f "$SRC/debian/rules" ] && [ ! -e "$SRC/build" ] && ok "tree copied without build/" ||
	fail "tree copied without build/"

[ "$(cd "$SRC" && dpkg-parsechangelog -S Version)" = "$VER" ] &&
	ok "debian/changelog has VERSION ($VER)" || fail "debian/changelog has VERSION ($VER)"

# The packages are built as a user would, not with this suite's make settings: `make
# test-asan` exports SAN=1 (no -static) and BUILD through MAKEFLAGS to every make below it.
(cd "$SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SAN -u BUILD -u CC \
	DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -us -uc -b) \
	>"$TMP/build.log" 2>&1
st=$?
[ $st -eq 0 ] && ok "dpkg-buildpackage -us -uc -b" ||
	fail "dpkg-buildpackage -us -uc -b" "status $st: $(tail -n 15 "$TMP/build.log")"
grep -q -- '-D_FORTIFY_SOURCE=2 .*-fstack-protector-strong' "$TMP/build.log" &&
	grep -q -- '-Wl,-z,relro -Wl,-z,now' "$TMP/build.log" &&
	ok "built with Debian's hardening flags (CPPFLAGS, CFLAGS, LDFLAGS)" ||
	fail "built with Debian's hardening flags (CPPFLAGS, CFLAGS, LDFLAGS)"

H=$OUT/nestbench_${VER}_amd64.deb
A=$OUT/nestbench-agent_${VER}_amd64.deb
[ -f "$H" ] && [ -f "$A" ] && ok "both packages built" ||
	fail "both packages built" "$(ls "$OUT")"

if command -v lintian >/dev/null 2>&1; then
	lintian "$OUT/nestbench_${VER}_amd64.changes" >"$TMP/lintian" 2>&1
	st=$?
	# lintian exits 1 on an error tag (--fail-on error), 2 when it could not check.
	if [ $st -eq 0 ] && ! grep -q '^E:' "$TMP/lintian"; then
		ok "lintian: no errors ($(grep -c '^W:' "$TMP/lintian") warnings)"
	else
		fail "lintian: no errors" "status $st: $(grep '^E:' "$TMP/lintian" | head -n 10)"
	fi
else
	fail "lintian is installed" "apt-get install lintian (sh mk/deps.sh test)"
fi

dpkg-deb -c "$H" 2>/dev/null | awk '{print $6}' | sed 's|^\./|/|' >"$TMP/h.files"
dpkg-deb -c "$A" 2>/dev/null | awk '{print $6}' | sed 's|^\./|/|' >"$TMP/a.files"
# has NAME LIST PATH...: every PATH is in LIST
has() {
	name=$1 list=$2
	shift 2
	miss=""
	for p in "$@"; do grep -qx "$p" "$list" || miss="$miss $p"; done
	[ -z "$miss" ] && ok "$name" || fail "$name" "missing:$miss"
}
# lacks NAME LIST REGEX: no path in LIST matches
lacks() {
	if grep -E "$3" "$2" >"$TMP/lacks"; then fail "$1" "$(head -n 5 "$TMP/lacks")"; else ok "$1"; fi
}
has "nestbench: harness, lab recipes, configs, man pages" "$TMP/h.files" \
	/usr/bin/nestbench /usr/share/nestbench/images/build.sh /usr/share/nestbench/images/init-l1.sh \
	/usr/share/nestbench/images/init-l2.sh /usr/share/nestbench/images/init-common.sh \
	/usr/share/nestbench/configs/local.json /usr/share/nestbench/configs/lab.json \
	/usr/share/man/man1/nestbench.1.gz /usr/share/man/man5/nestbench-campaign.5.gz \
	/usr/share/man/man5/nestbench-result.5.gz /usr/share/doc/nestbench/copyright
lacks "nestbench: none of the agent's files" "$TMP/h.files" \
	'nestbench-agent|nestbench-work|systemd|udev|^/etc/'
has "nestbench-agent: agent, static workloads, units, udev rule, env file, man pages" "$TMP/a.files" \
	/usr/bin/nestbench-agent /usr/bin/nestbench-work /lib/systemd/system/nestbench-agent.service \
	/lib/udev/rules.d/60-nestbench-agent.rules /etc/default/nestbench-agent \
	/usr/share/man/man8/nestbench-agent.8.gz /usr/share/man/man1/nestbench-work.1.gz \
	/usr/share/doc/nestbench-agent/copyright
lacks "nestbench-agent: none of the harness's files" "$TMP/a.files" \
	'^/usr/bin/nestbench$|^/usr/share/nestbench/|man1/nestbench\.1|man5/'
lacks "neither has the kernel module (kmod/, GPL-2.0)" "$TMP/h.files" 'kmod|\.ko$'
lacks "... nor the agent package" "$TMP/a.files" 'kmod/|\.ko$'

dpkg-deb -I "$A" conffiles >"$TMP/conffiles" 2>&1
expect_grep "the env file is a conffile" "^/etc/default/nestbench-agent$" "$TMP/conffiles"
dpkg-deb -I "$A" postinst >"$TMP/postinst" 2>&1
expect_grep "dh_installsystemd: postinst enables the vsock unit" \
	"deb-systemd-helper.*enable.*nestbench-agent.service" "$TMP/postinst"
if grep -q 'enable.*nestbench-agent-serial.service' "$TMP/postinst"; then
	fail "... not the serial unit (udev starts it)"
else ok "... not the serial unit (udev starts it)"; fi
dpkg-deb -f "$H" Depends >"$TMP/depends"
expect_grep "nestbench depends on the same nestbench-agent" "nestbench-agent (= $VER)" "$TMP/depends"

# ---- the programs, unpacked --------------------------------------------------------------
X=$TMP/x
dpkg-deb -x "$H" "$X" && dpkg-deb -x "$A" "$X"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/cache"
mkdir -p "$HOME"
grep -q '^ExecStart=/usr/bin/nestbench-agent ' "$X/lib/systemd/system/nestbench-agent.service" &&
	ok "the packaged unit runs /usr/bin/nestbench-agent" ||
	fail "the packaged unit runs /usr/bin/nestbench-agent"
expect_status "unpacked nestbench --version" 0 "$X/usr/bin/nestbench" --version
expect_grep "... says $VER" "^nestbench $VER " "$TMP/out"
expect_status "unpacked nestbench doctor" 0 "$X/usr/bin/nestbench" doctor
expect_grep "... through the unpacked agent" "reachable: *yes" "$TMP/out"
sha=$(sha256sum "$X/usr/bin/nestbench-work" | cut -c1-16)
expect_grep "... deploying the unpacked nestbench-work" "^nestbench-work .*sha256 $sha" "$TMP/out"
expect_status "unpacked nestbench-work --version" 0 "$X/usr/bin/nestbench-work" --version
expect_grep "... says $VER" "$VER" "$TMP/out"
expect_status "unpacked nestbench-work list" 0 "$X/usr/bin/nestbench-work" list
expect_grep "... lists the workloads" "cpu.int" "$TMP/out"
file "$X/usr/bin/nestbench-work" >"$TMP/file" 2>&1
expect_grep "nestbench-work is statically linked" "statically linked" "$TMP/file"

finish test_deb_cli
