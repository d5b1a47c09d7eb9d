# test_install_cli.sh - make install into a DESTDIR with PREFIX=/usr, then the installed
# programs on their own: --version, doctor and a run of the installed configs/local.json
# with the installed nestbench-work and agent (not build/'s), table on its result, the
# lab's per-user directories and its installed image recipe; the directory variables;
# make uninstall removing exactly what install put.
. tests/cli/lib.sh
ROOT=$TMP/root                       # the DESTDIR
B=$ROOT/usr/bin
S=$ROOT/usr/share/nestbench
RUNDIR=$TMP/run
SRCDIR=$PWD
mkdir -p "$RUNDIR" "$TMP/home"
# The installed programs' per-user places (agent state, lab, images) go to $TMP.
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/cache"

case $BUILD in /*) BA=$BUILD ;; *) BA=$PWD/$BUILD ;; esac
mk() { make --no-print-directory BUILD="$BUILD" "$@"; }

expect_status "make install DESTDIR PREFIX=/usr" 0 mk install DESTDIR="$ROOT" PREFIX=/usr
cp "$TMP/err" "$TMP/install.err"

missing=""
for f in usr/bin/nestbench usr/bin/nestbench-agent usr/bin/nestbench-work \
	usr/share/nestbench/configs/local.json usr/share/nestbench/configs/lab.json \
	usr/share/nestbench/images/build.sh usr/share/nestbench/images/init-l1.sh \
	usr/share/nestbench/images/init-l2.sh usr/share/nestbench/images/init-common.sh; do
	[ -f "$ROOT/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "programs, recipes and configs installed" ||
	fail "programs, recipes and configs installed" "missing:$missing"
[ -x "$B/nestbench" ] && [ -x "$B/nestbench-agent" ] && [ -x "$B/nestbench-work" ] &&
	ok "programs executable" || fail "programs executable"
# Each man page built into $BUILD/man goes to its section's directory.
pages=$(ls "$BUILD"/man/*.[0-9] 2>/dev/null)
mp_missing=""
for m in $pages; do
	n=${m##*/}
	[ -f "$ROOT/usr/share/man/man${n##*.}/$n" ] || mp_missing="$mp_missing $n"
done
[ -z "$mp_missing" ] && ok "man pages installed ($(echo $pages | wc -w))" ||
	fail "man pages installed" "missing:$mp_missing"
# The agent's unit files with their paths filled in, the udev rule, the environment file.
if [ -f guest-agent/nestbench-agent.service.in ]; then
	u=$ROOT/lib/systemd/system/nestbench-agent.service
	if [ -f "$u" ] && grep -q '^ExecStart=/usr/bin/nestbench-agent' "$u" &&
		grep -q '^EnvironmentFile=-/etc/default/nestbench-agent' "$u" &&
		! grep -q '@BINDIR@\|@SYSCONFDIR@' "$ROOT"/lib/systemd/system/*.service; then
		ok "systemd units installed, @BINDIR@ and @SYSCONFDIR@ substituted"
	else
		fail "systemd units installed, @BINDIR@ and @SYSCONFDIR@ substituted" \
			"$(ls "$ROOT"/lib/systemd/system 2>&1; grep -n '@BINDIR@\|@SYSCONFDIR@\|ExecStart' "$u")"
	fi
fi
if [ -f guest-agent/60-nestbench-agent.rules ]; then
	[ -f "$ROOT/lib/udev/rules.d/60-nestbench-agent.rules" ] && ok "udev rule installed" ||
		fail "udev rule installed"
fi
if [ -f guest-agent/nestbench-agent.default ]; then
	cmp -s guest-agent/nestbench-agent.default "$ROOT/etc/default/nestbench-agent" &&
		ok "environment file in SYSCONFDIR=/etc/default" || fail "environment file in SYSCONFDIR=/etc/default"
fi

# ---- the installed programs, run from elsewhere ---------------------------------------
cd "$RUNDIR" || exit 1
expect_status "installed nestbench --version" 0 "$B/nestbench" --version
expect_grep "--version says VERSION" "^nestbench $(cat "$SRCDIR/VERSION") " "$TMP/out"
expect_status "installed nestbench-work --version" 0 "$B/nestbench-work" --version

expect_status "installed doctor" 0 "$B/nestbench" doctor
sha=$(sha256sum "$B/nestbench-work" | cut -c1-16)
expect_grep "doctor deploys the installed nestbench-work" "^nestbench-work .*sha256 $sha" "$TMP/out"
expect_grep "doctor reaches the installed agent" "reachable: *yes" "$TMP/out"
[ -d "$XDG_CACHE_HOME/nestbench/agent" ] && ok "agent state in \$XDG_CACHE_HOME/nestbench/agent" ||
	fail "agent state in \$XDG_CACHE_HOME/nestbench/agent"

# Companions are looked up beside the installed binary: without them there, it says so.
mv "$B/nestbench-work" "$TMP/work.away"
expect_status "doctor without the installed nestbench-work fails" 2 "$B/nestbench" doctor
expect_grep "... naming the installed path" "$B/nestbench-work" "$TMP/err"
mv "$TMP/work.away" "$B/nestbench-work"

expect_status "installed run of the installed configs/local.json" 0 \
	"$B/nestbench" run -q -o "$RUNDIR/local.json" "$S/configs/local.json"
if jq -e '.status == "complete" and .tiers[0].status == "done" and
	([.tiers[0].cases[]] | length) > 0' local.json >/dev/null 2>&1; then
	ok "the run finished with cases measured"
else
	fail "the run finished with cases measured" "$(jq -c '{status, t: [.tiers[] | {status, n: (.cases | length)}]}' local.json 2>&1 | head -c 300)"
fi
wsha=$(sha256sum "$B/nestbench-work" | cut -d' ' -f1)
[ "$(jq -r '.tiers[0].work_sha256' local.json 2>/dev/null)" = "$wsha" ] &&
	ok "the run used the installed nestbench-work" || fail "the run used the installed nestbench-work"
expect_status "installed table on the result" 0 "$B/nestbench" table local.json
expect_grep "table has the workloads" "cpu.int" "$TMP/out"

# The lab: per-user directories and the installed recipe named in the fix.
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	expect_status "installed lab up without images fails" 2 "$B/nestbench" lab up
	expect_grep "... images expected in \$XDG_CACHE_HOME/nestbench/images" \
		"no guest images in $XDG_CACHE_HOME/nestbench/images" "$TMP/err"
	expect_grep "... the fix names the installed recipe" \
		"sh $S/images/build.sh $XDG_CACHE_HOME/nestbench/images $B/nestbench-agent" "$TMP/err"
	mv "$S/images" "$TMP/images.away"
	"$B/nestbench" lab up --images "$TMP/none" >"$TMP/out" 2>"$TMP/err"
	if [ -e /usr/share/nestbench/images/build.sh ]; then
		expect_grep "without the installed recipe: the system's" "/usr/share/nestbench/images/build.sh" "$TMP/err"
	else
		expect_grep "without the installed recipe: says it is not installed, and where it looked" \
			"recipes are not installed (neither $S/images/build.sh nor /usr/share/nestbench/images/build.sh exists)" "$TMP/err"
	fi
	mv "$TMP/images.away" "$S/images"
	# In the build tree the fix is still `make images` (--images: its own images may exist).
	"$BA/nestbench" lab up --images "$TMP/none" --lab-dir "$TMP/lab" >"$TMP/out" 2>"$TMP/err"
	expect_grep "build tree: the fix is make images" "no guest images in $TMP/none .*\`make images\`" "$TMP/err"
else
	expect_status "lab up without QEMU says so" 2 "$B/nestbench" lab up
	expect_grep "... and how to install it" "apt-get install qemu-system-x86" "$TMP/err"
fi
[ "$(ls "$B" | tr '\n' ' ')" = "nestbench nestbench-agent nestbench-work " ] &&
	ok "nothing written beside the installed programs" ||
	fail "nothing written beside the installed programs" "$(ls "$B")"
cd "$SRCDIR" || exit 1

# ---- the directory variables -------------------------------------------------------------
mk -n install DESTDIR=/x PREFIX=/opt/nb MANDIR=/m >"$TMP/dry" 2>&1
expect_grep "PREFIX=/opt/nb: BINDIR" "install -m 0755 .* /x/opt/nb/bin/" "$TMP/dry"
expect_grep "PREFIX=/opt/nb: DATADIR" "/x/opt/nb/share/nestbench/configs/local.json" "$TMP/dry"
if [ -f guest-agent/nestbench-agent.default ]; then
	expect_grep "PREFIX=/opt/nb: SYSCONFDIR is PREFIX/etc" "/x/opt/nb/etc/default/nestbench-agent" "$TMP/dry"
fi
if [ -f guest-agent/nestbench-agent.service.in ]; then
	expect_grep "PREFIX=/opt/nb: unit dir PREFIX/lib/systemd/system" "/x/opt/nb/lib/systemd/system/nestbench-agent.service" "$TMP/dry"
	expect_grep "PREFIX=/opt/nb: @BINDIR@ is /opt/nb/bin" "s|@BINDIR@|/opt/nb/bin|g" "$TMP/dry"
fi
if [ -n "$pages" ]; then
	expect_grep "MANDIR=/m" " /x/m/man1/" "$TMP/dry"
fi

# ---- uninstall: exactly what install put --------------------------------------------------
mkdir -p "$S/configs"
echo mine >"$ROOT/usr/bin/not-ours"
echo '{}' >"$S/configs/mine.json"
keep="./usr/bin/not-ours ./usr/share/nestbench/configs/mine.json "
E=$ROOT/etc/default/nestbench-agent
if [ -f guest-agent/nestbench-agent.default ]; then
	echo 'NESTBENCH_AGENT_OPTS="--quiet"' >>"$E"
	expect_status "install again over an edited environment file" 0 mk install DESTDIR="$ROOT" PREFIX=/usr
	expect_grep "... keeps it, saying so" "keeping your $E" "$TMP/out"
	grep -q '^NESTBENCH_AGENT_OPTS="--quiet"' "$E" && ok "... with the edit" || fail "... with the edit"
	keep="./etc/default/nestbench-agent $keep"
fi
expect_status "make uninstall" 0 mk uninstall DESTDIR="$ROOT" PREFIX=/usr
left=$(cd "$ROOT" && find . -type f | sort | tr '\n' ' ')
[ "$left" = "$keep" ] && ok "uninstall removes its files, keeps others and an edited env file" ||
	fail "uninstall removes its files, keeps others and an edited env file" "left: $left"
rm -f "$ROOT/usr/bin/not-ours" "$S/configs/mine.json" "$E"
expect_status "make uninstall again (nothing to remove)" 0 mk uninstall DESTDIR="$ROOT" PREFIX=/usr
left=$(find "$ROOT" -type f | wc -l)
[ "$left" -eq 0 ] && [ ! -e "$S" ] && ok "no files left, share/nestbench removed" ||
	fail "no files left, share/nestbench removed" "$(find "$ROOT" | head)"

finish test_install_cli
