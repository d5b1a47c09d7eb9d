# lab_lib.sh - what the lab tests that boot a lab of their own share (after lib.sh):
# $N, $IMAGES, a lab directory in $TMP that is stopped on every exit path, lab() for
# `nestbench lab` there and jq_check.  lab_need_images SUITE ends the suite with one
# failure when the guest images are missing.
N="$BUILD/nestbench"
IMAGES="$BUILD/images"
LAB="$TMP/lab"
cleanup() {
	"$N" lab down --lab-dir "$LAB" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
lab() { "$N" lab "$@" --lab-dir "$LAB" --images "$IMAGES"; }
jq_check() { # NAME FILE FILTER: prints "true" or the failing detail
	if [ "$(jq -r "$3" "$2" 2>&1)" = true ]; then ok "$1"; else
		fail "$1" "$(jq -c "$3" "$2" 2>&1 | head -c 400)"
	fi
}
lab_need_images() {
	[ -f "$IMAGES/manifest.json" ] && return 0
	fail "guest images exist in $IMAGES" "build them with: make images"
	finish "$1"
	exit 1
}
