#!/bin/sh
# KVM that starts the kernel and then resets it (a triple fault before the
# kernel's self-checks end): how a nested KVM that cannot run the guest
# shows when QEMU reports no emulation failure. A stand-in QEMU (a shell
# script named by KENTRY_QEMU) prints the kernel's header line and exits 0,
# as QEMU does with -no-reboot on a triple fault, whenever it is asked for
# KVM; otherwise it runs the real QEMU.
#   --accel auto: falls back to TCG, says why once, measures;
#   --accel kvm:  one message, exit 4, no table of failed rows, no file.
# Both need a /dev/kvm that opens (kentry tries KVM only then): skipped
# without one.
set -u
. "$(dirname "$0")/../lib.sh"
need_qemu_kernel
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "no usable /dev/kvm here: kentry would not try KVM"; exit 77; }
REAL=$(command -v qemu-system-x86_64)

cat >"$tmp/qemu" <<EOF
#!/bin/sh
for a in "\$@"; do
	if [ "\$a" = kvm ]; then
		echo "kentry-kernel 0.0.0 protocol 1"
		exit 0
	fi
done
exec "$REAL" "\$@"
EOF
chmod +x "$tmp/qemu"

KENTRY_QEMU="$tmp/qemu" boot_run auto --accel auto --only syscall
echo "# stderr (auto):"
sed 's/^/#   /' "$tmp/auto.err"
check "--accel auto: exit 0" test "$(cat "$tmp/auto.rc")" -eq 0
check "--accel auto: one line saying KVM reset the guest, then TCG" \
	sh -c "test \$(grep -c '^kentry boot: KVM reset the guest before its self-checks completed.*falling back to TCG$' '$tmp/auto.err') -eq 1"
check "--accel auto: ran under TCG" jq -e '.guest_environment.accel == "tcg"' "$tmp/auto.json"
check "--accel auto: the reason in the guest environment" \
	jq -e '.guest_environment["accel.fallback"] | test("reset the guest")' "$tmp/auto.json"
check "--accel auto: syscall measured" \
	jq -e '[.results[] | select(.id == "syscall" and .status == "measured")] | length == 2' "$tmp/auto.json"

KENTRY_QEMU="$tmp/qemu" boot_run kvm --accel kvm --only syscall,int-gate
echo "# stderr (kvm):"
sed 's/^/#   /' "$tmp/kvm.err"
check "--accel kvm: exit 4" test "$(cat "$tmp/kvm.rc")" -eq 4
check "--accel kvm: the message says KVM reset the guest" grep -q 'KVM reset the guest before its self-checks completed' "$tmp/kvm.err"
check "--accel kvm: no table of failed rows" sh -c "! grep -q 'skipped' '$tmp/kvm.out' '$tmp/kvm.err'"
check "--accel kvm: no result file" test ! -e "$tmp/kvm.json"

echo "1..$n"
[ $bad -eq 0 ]
