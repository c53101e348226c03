#!/bin/sh
# `kentry boot --accel auto` on this machine: KVM when it can run the
# guest, otherwise TCG with one stderr line saying why and the reason in the
# guest environment ("accel.fallback"). Where /dev/kvm exists but KVM cannot
# run the guest (nested virtualisation without the needed support), this is
# the fallback test on the real kernel.
set -u
. "$(dirname "$0")/../lib.sh"
KERNEL=${KERNEL:-$BUILD/kentry-kernel.elf}

command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 77; }
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
[ -f "$KERNEL" ] || { echo "not ok 1 - $KERNEL missing: run make"; exit 1; }
# An absolute path, so that "no QEMU left" cannot see another tree's QEMU.
KERNEL=$(realpath "$KERNEL")

J="$tmp/auto.json"
t0=$(date +%s)
# a word of this run's own on the kernel command line (the kernel ignores
# it): another test's QEMU on the machine is not taken for this one's
KENTRY_BOOT_APPEND="kentry-test=$(basename "$tmp")" \
	"$K" boot --accel auto --quick --only syscall,int-gate --no-progress --kernel "$KERNEL" \
	--json "$J" >"$tmp/out" 2>"$tmp/err"
rc=$?
t1=$(date +%s)
echo "# kentry boot --accel auto --quick --only syscall,int-gate took $((t1 - t0)) s"
sed 's/^/# stderr: /' "$tmp/err"
check "boot --accel auto exits 0 (got $rc)" test $rc -eq 0
accel=$(jq -r '.guest_environment.accel' "$J" 2>/dev/null)
echo "# accel: $accel"
check "accel is kvm or tcg" sh -c "test '$accel' = kvm || test '$accel' = tcg"
if [ "$accel" = tcg ]; then
	check "fallback: exactly one stderr line saying why" sh -c "test \$(grep -c '^kentry boot: KVM .*; falling back to TCG$' '$tmp/err') -eq 1"
	check "fallback: the reason in the guest environment" jq -e '.guest_environment["accel.fallback"] | type == "string" and length > 5' "$J"
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		check "fallback with a usable /dev/kvm: QEMU's complaint or no sign of life" jq -e '.guest_environment["accel.fallback"] | test("could not run|failed to start|no sign of life")' "$J"
	else
		check "fallback without a usable /dev/kvm: says so" jq -e '.guest_environment["accel.fallback"] | test("/dev/kvm")' "$J"
	fi
else
	check "KVM ran the guest: no fallback" sh -c "! grep -q 'falling back' '$tmp/err'"
fi
check "syscall measured" jq -e '.results[] | select(.id == "syscall") | .status == "measured"' "$J"
no_qemu_left() { ! pgrep -f "kentry-tes[t]=$(basename "$tmp")" >/dev/null; }
check "no QEMU left running" no_qemu_left

echo "1..$n"
[ $bad -eq 0 ]
