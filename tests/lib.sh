# Shared by the integration scripts (sourced, not run): the kentry binary,
# a scratch directory removed on exit, and check(), which prints one TAP
# line per assertion. A script ends with `done_checks`.
BUILD=${BUILD:-build}
K="$BUILD/kentry"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
check() { # description, then a command that succeeds when it holds
	n=$((n + 1))
	d=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; bad=$((bad + 1)); fi
}

# need_qemu_kernel: what a boot test needs, the kentry binary, the kernel
# image ($KERNEL, by default the build's) and QEMU; skips (77) without
# QEMU, fails when the build is missing.
need_qemu_kernel() {
	KERNEL=${KERNEL:-$BUILD/kentry-kernel.elf}
	command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 77; }
	[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
	[ -f "$KERNEL" ] || { echo "not ok 1 - $KERNEL missing: run make"; exit 1; }
}
