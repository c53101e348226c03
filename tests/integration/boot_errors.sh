#!/bin/sh
# `kentry boot` on its error paths, end to end through QEMU, with tiny
# stand-in Multiboot kernels assembled here (binutils) that print a canned
# serial transcript and then exit through isa-debug-exit, hang, or triple
# fault; and with a stand-in QEMU for the KVM fallback. Checks the exit
# status (docs/boot.md), the one-paragraph message, and that no QEMU is left
# running.
set -u
. "$(dirname "$0")/../lib.sh"

QEMU=$(command -v qemu-system-x86_64) || { echo "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 77; }
command -v as >/dev/null && command -v ld >/dev/null || { echo "no binutils (as, ld) to build the stand-in kernels"; exit 77; }
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }

. "$(dirname "$0")/../standin.sh"

HDR=$STANDIN_HDR
R=$STANDIN_R

printf '%s\nnot ok 2 - star msr read back\n1..2\nprogress syscall\nresult syscall %s\nend fail 1/1\n' "$HDR" "$R" >"$tmp/fail.txt"
printf '%s\n1..1\nprogress syscall\nresult syscall %s\nprogress sysenter\n' "$HDR" "$R" >"$tmp/hang.txt"
printf '%s\n1..1\nprogress syscall\nresult syscall %s\nprogress exc-pf\n' "$HDR" "$R" >"$tmp/triple.txt"
printf '%s\n1..1\nprogress syscall\nresult syscall %s\nend pass 1/1\n' "$HDR" "$R" >"$tmp/pass.txt"
mkkernel fail exit 0x11 && mkkernel hang hang 0 && mkkernel triple triple 0 && mkkernel pass exit 0x10 ||
	{ echo "not ok 1 - cannot assemble the stand-in kernels"; exit 1; }

boot() { # name, then kentry boot options; sets rc, out in $tmp/name.{json,err}
	name=$1
	shift
	"$K" boot --accel tcg --no-progress --json "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
}
no_qemu_left() { ! pgrep -f "qemu-system-x86_64 -kernel $tmp/" >/dev/null; }

boot pass --only syscall --kernel "$tmp/pass.elf"
check "stand-in passing kernel: status 0 (got $rc)" test $rc -eq 0
check "passing: syscall measured, ns from tsc.hz" jq -e '.results[] | select(.id == "syscall" and .variant == null) | .status == "measured" and .cycles.median == 72 and .ns.median == 72' "$tmp/pass.json"
check "passing: the full variant the stand-in did not print is skipped with a reason" jq -e '.results[] | select(.id == "syscall" and .variant == "full") | .status == "skipped" and (.reason | test("no result"))' "$tmp/pass.json"
check "passing: guest environment has accel, qemu.cpu, qemu.version, icount" jq -e '.guest_environment | .accel == "tcg" and (.["qemu.version"] | test("^[0-9]+\\.")) and .icount == "off" and has("qemu.cpu") and .["cpu.vendor"] == "GenuineIntel"' "$tmp/pass.json"

boot fail --only syscall --kernel "$tmp/fail.elf"
check "failing self-check: status 4 (got $rc)" test $rc -eq 4
check "failing self-check: message names it" grep -q "not ok 2 - star msr read back" "$tmp/fail.err"
check "failing self-check: results still returned" jq -e '.results[] | select(.id == "syscall" and .variant == null) | .status == "measured"' "$tmp/fail.json"

t0=$(date +%s)
KENTRY_BOOT_TIMEOUT=3 boot hang --kernel "$tmp/hang.elf"
t1=$(date +%s)
check "hang: status 4 (got $rc)" test $rc -eq 4
check "hang: killed at the time limit (took $((t1 - t0)) s)" test $((t1 - t0)) -le 15
check "hang: message names the path it hung in" grep -q "guest hung.*last path started: sysenter" "$tmp/hang.err"
check "hang: message has the last serial lines" grep -q "| progress sysenter" "$tmp/hang.err"
check "hang: no QEMU left running" no_qemu_left

boot triple --kernel "$tmp/triple.elf"
check "triple fault: status 4 (got $rc)" test $rc -eq 4
check "triple fault: says guest reset and QEMU's status" grep -q "guest reset (triple fault?).*QEMU exit status 0" "$tmp/triple.err"
check "triple fault: names the last path" grep -q "last path started: exc-pf" "$tmp/triple.err"
check "triple fault: no QEMU left running" no_qemu_left

boot nokernel --kernel "$tmp/nosuch.elf"
check "missing kernel: status 3 (got $rc)" test $rc -eq 3
check "missing kernel: names the path and says run make" grep -q "$tmp/nosuch.elf.*run make" "$tmp/nokernel.err"

KENTRY_QEMU="$tmp/no-qemu-here" boot noqemu --kernel "$tmp/pass.elf"
check "missing QEMU: status 3 (got $rc)" test $rc -eq 3
check "KENTRY_QEMU missing: names that file" grep -q "KENTRY_QEMU=$tmp/no-qemu-here: No such file or directory" "$tmp/noqemu.err"
check "KENTRY_QEMU missing: no result file" test ! -e "$tmp/noqemu.json"
PATH=/nonexistent KENTRY_QEMU= boot noqemu2 --kernel "$tmp/pass.elf"
check "no QEMU on PATH: status 3 (got $rc)" test $rc -eq 3
check "no QEMU on PATH: names the Debian package" grep -q "qemu-system-x86_64 not found: install the Debian package qemu-system-x86" "$tmp/noqemu2.err"

boot badcpu --cpu NoSuchModel --kernel "$tmp/pass.elf"
check "unknown CPU model: status 2 (got $rc)" test $rc -eq 2
check "unknown CPU model: lists the shorthands" grep -q "unknown QEMU CPU model 'NoSuchModel'.*intel, amd, host" "$tmp/badcpu.err"

boot amd --cpu amd --only syscall --kernel "$tmp/pass.elf"
check "--cpu amd runs an AMD model" jq -e '.guest_environment["qemu.cpu"] | test("EPYC|Opteron|phenom")' "$tmp/amd.json"
boot host --cpu host --only syscall --kernel "$tmp/pass.elf"
check "--cpu host under TCG runs max and says so" jq -e '.guest_environment | .["qemu.cpu"] == "max" and (.["qemu.cpu.note"] | test("needs KVM"))' "$tmp/host.json"

# The real kernel failing on purpose (crash= on its command line).
KERNEL=${KERNEL:-$BUILD/kentry-kernel.elf}
if [ -f "$KERNEL" ]; then
	KENTRY_BOOT_APPEND=crash=ud boot crashud --quick --kernel "$KERNEL"
	check "real kernel, crash=ud: status 4 (got $rc)" test $rc -eq 4
	check "crash=ud: says the kernel reported a failed run, with its FATAL line" sh -c "grep -q 'the kernel reported a failed run' '$tmp/crashud.err' && grep -q 'FATAL: #UD' '$tmp/crashud.err'"
	check "crash=ud: every id still has a result, in both variants" jq -e '[.results[] | select(.world == "bare-metal")] | length == 38' "$tmp/crashud.json"
	KENTRY_BOOT_APPEND=crash=df boot crashdf --quick --kernel "$KERNEL"
	check "real kernel, crash=df: status 4 (got $rc), a double fault, not a reset" sh -c "test $rc -eq 4 && grep -q 'FATAL: #DF' '$tmp/crashdf.err' && ! grep -q 'guest reset' '$tmp/crashdf.err'"
	# a word of this run's own on the kernel command line (the kernel
	# ignores it), so that another test's QEMU on the machine is not taken
	# for this one's
	mark="kentry-test=$(basename "$tmp")"
	KENTRY_BOOT_TIMEOUT=3 KENTRY_BOOT_APPEND="crash=hang $mark" boot crashhang --quick --kernel "$KERNEL"
	check "real kernel, crash=hang: status 4 (got $rc), hung in int-gate" sh -c "test $rc -eq 4 && grep -q 'guest hung.*last path started: int-gate' '$tmp/crashhang.err'"
	check "crash=hang: no QEMU left running" sh -c "! pgrep -f 'kentry-tes[t]=$(basename "$tmp")' >/dev/null"
else
	echo "# $KERNEL missing: the real-kernel failure checks are left out"
fi

# A CPU model without SSE2 (a stand-in QEMU masks it): the boot stub says
# so and halts; kentry stops QEMU at once and says why.
cat >"$tmp/nosse2qemu" <<EOF
#!/bin/sh
prev=""
for a in "\$@"; do
	if [ "\$prev" = -cpu ] && [ "\$a" != help ]; then a="\$a,-sse2"; fi
	set -- "\$@" "\$a"
	shift
	prev=\$a
done
exec "$QEMU" "\$@"
EOF
chmod +x "$tmp/nosse2qemu"
t0=$(date +%s)
KENTRY_QEMU="$tmp/nosse2qemu" boot nosse2 --cpu qemu64 --only syscall --kernel "${KERNEL:-$BUILD/kentry-kernel.elf}"
t1=$(date +%s)
check "no SSE2: status 4 (got $rc) at once (took $((t1 - t0)) s)" sh -c "test $rc -eq 4 && test $((t1 - t0)) -le 5"
check "no SSE2: the boot stub's reason" grep -q "the kernel could not start on this CPU model: kentry-kernel: this CPU lacks TSC, PAE, FXSR, SSE or SSE2" "$tmp/nosse2.err"

# KVM fallback with a stand-in QEMU that stops a KVM guest the way QEMU
# does on an emulation failure (the message, then the VM paused).
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	cat >"$tmp/fakeqemu" <<EOF
#!/bin/sh
for a in "\$@"; do
	if [ "\$a" = kvm ]; then
		echo "KVM internal error. Suberror: 1" >&2
		echo "emulation failure" >&2
		exec sleep 600.$$
	fi
done
exec "$QEMU" "\$@"
EOF
	chmod +x "$tmp/fakeqemu"
	KENTRY_QEMU="$tmp/fakeqemu" "$K" boot --accel auto --only syscall --no-progress \
		--kernel "$tmp/pass.elf" --json "$tmp/fb.json" >/dev/null 2>"$tmp/fb.err"
	rc=$?
	check "KVM emulation failure: falls back, status 0 (got $rc)" test $rc -eq 0
	check "KVM emulation failure: one line on stderr" grep -q "^kentry boot: KVM could not run the guest (QEMU: KVM internal error. Suberror: 1, emulation failure); falling back to TCG$" "$tmp/fb.err"
	check "KVM emulation failure: accel tcg and the reason in the guest environment" jq -e '.guest_environment | .accel == "tcg" and (.["accel.fallback"] | test("KVM internal error"))' "$tmp/fb.json"
	check "KVM emulation failure: the stopped QEMU was killed" sh -c "! pgrep -f 'sleep 600[.]$$' >/dev/null"
	KENTRY_QEMU="$tmp/fakeqemu" "$K" boot --accel kvm --no-progress \
		--kernel "$tmp/pass.elf" --json "$tmp/kvm.json" >"$tmp/kvm.out" 2>"$tmp/kvm.err"
	rc=$?
	check "--accel kvm does not fall back: status 4 (got $rc)" test $rc -eq 4
	check "--accel kvm: says KVM could not run the guest" grep -q "KVM could not run the guest" "$tmp/kvm.err"
	check "--accel kvm: no table of identical failed rows" sh -c "! grep -q 'skipped' '$tmp/kvm.out'"
	check "--accel kvm: no result file" test ! -e "$tmp/kvm.json"
fi

echo "1..$n"
[ $bad -eq 0 ]
