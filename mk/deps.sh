#!/bin/sh
# deps.sh GROUP... - install the Debian packages a make target needs, or say exactly how.
# Groups: build (compile everything), test (run the test suite), validate (peer tools
# for `make validate`), lab (guest images and the local QEMU lab), fuzz.
set -eu

# libFuzzer and the sanitizer runtimes of the clang that `clang` is (or will be):
# libclang-rt-N-dev for clang N (14 on Debian 12).
clang_rt() {
	v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9]*\).*/\1/p' | head -n 1)
	[ -n "$v" ] || v=$(apt-cache depends clang 2>/dev/null |
		sed -n 's/.*Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
	echo "libclang-rt-${v:-14}-dev"
}

# The headers of the kernel images/build.sh puts in the lab (the same metapackage, resolved
# the same way: NB_KERNEL_PKG or NB_KERNEL_META), to build kmod/ for it (make kmod).
lab_headers() {
	k=${NB_KERNEL_PKG:-$(apt-cache depends "${NB_KERNEL_META:-linux-image-cloud-amd64}" 2>/dev/null |
		awk '/Depends: linux-image-/ {print $2; exit}')}
	if [ -n "$k" ]; then echo "linux-headers-${k#linux-image-}"; fi
}

pkgs_for() {
	case "$1" in
	build)    echo "gcc make libc6-dev pkg-config libcjson-dev libpfm4-dev libhwloc-dev libssl-dev libsqlite3-dev libpq-dev libvirt-dev scdoc" ;;
	# pdflatex with booktabs (latex-recommended) and siunitx (science): the LaTeX tables
	# are compiled at a column's and a page's width (tests/cli/test_latex_cli.sh).
	# postgresql: a real server for the history tests (tests/cli/test_history_pg_cli.sh).
	# libvirt-*: a real libvirt daemon for tests/cli/test_libvirt_cli.sh (its QEMU domain: lab).
	# debhelper lintian dpkg-dev: the packages are built and checked (tests/cli/test_deb_cli.sh).
	test)     echo "file procps jq strace systemd texlive-latex-base texlive-latex-recommended texlive-science postgresql libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients man-db groff-base debhelper lintian dpkg-dev $(lab_headers)" ;;
	validate) echo "jq fio linux-perf likwid rt-tests git" ;;
	# the kernel's headers: make images builds kmod/ for the lab's kernel (make kmod).
	lab)      echo "qemu-system-x86 busybox-static cpio e2fsprogs kmod jq make gcc $(lab_headers)" ;;
	plot)     echo "gnuplot-nox" ;;
	fuzz)     echo "clang $(clang_rt)" ;;
	*)        echo "deps.sh: unknown group '$1'" >&2; exit 2 ;;
	esac
}

missing=""
for group in "$@"; do
	for p in $(pkgs_for "$group"); do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$status" in
		*"install ok installed"*) ;;
		*) case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac ;;
		esac
	done
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "nestbench: missing Debian packages:$missing" >&2
	echo "Install them as root, then run make again:" >&2
	echo "    apt-get install -y$missing" >&2
	exit 1
fi
echo "nestbench: installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have empty package lists; refresh only when install fails.
if ! apt-get install -y -q $missing; then
	apt-get update -q && apt-get install -y -q $missing
fi
