#!/bin/sh
# `kentry boot --emulator bochs` on its error paths, end to end: refusals
# before anything runs (unknown model, --cpu host, QEMU's --accel, a
# missing Bochs, boot image or kernel), then stand-in kernels (standin.sh)
# booted through GRUB from the run disk: one that passes, one that triple
# faults, one that halts, one that hangs (killed at a 3 s limit), and a file
# GRUB cannot boot. Checks the exit status (docs/boot.md), the message, and
# that no Bochs and no run directory is left behind. About 4 s here.
set -u
. "$(dirname "$0")/../lib.sh"
ISO=${ISO:-$BUILD/kentry-kernel.iso}

command -v bochs >/dev/null || [ -n "${KENTRY_BOCHS:-}" ] || { echo "bochs not installed (Debian: bochs bochsbios vgabios bochs-term)"; exit 77; }
command -v as >/dev/null && command -v ld >/dev/null || { echo "no binutils (as, ld) to build the stand-in kernels"; exit 77; }
command -v mformat >/dev/null || { echo "mtools not installed (Debian: mtools)"; exit 77; }
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
[ -f "$ISO" ] || { echo "not ok 1 - $ISO missing: run make"; exit 1; }
. "$(dirname "$0")/../standin.sh"

HDR=$STANDIN_HDR
R=$STANDIN_R
printf '%s\n1..1\nprogress syscall\nresult syscall %s\nend pass 1/1\n' "$HDR" "$R" >"$tmp/pass.txt"
printf '%s\n1..1\nprogress syscall\nresult syscall %s\nprogress exc-pf\n' "$HDR" "$R" >"$tmp/triple.txt"
printf '%s\n1..1\nprogress syscall\n' "$HDR" >"$tmp/halt.txt"
printf '%s\n1..1\nprogress syscall\nresult syscall %s\nprogress sysenter\n' "$HDR" "$R" >"$tmp/hang.txt"
mkkernel pass exit 0x10 && mkkernel triple triple 0 && mkkernel halt halt 0 && mkkernel hang hang 0 ||
	{ echo "not ok 1 - cannot assemble the stand-in kernels"; exit 1; }
echo "not a kernel" >"$tmp/bogus.elf"

# run directories kentry makes (kentry-bochs-*) go under $TMPDIR: ours
export TMPDIR="$tmp/tmpdir"
mkdir -p "$TMPDIR"

boot() { # name, then kentry boot options; sets rc (and $tmp/name.rc)
	name=$1
	shift
	"$K" boot --emulator bochs --no-progress --json "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	echo $rc >"$tmp/$name.rc"
}
no_bochs_left() { ! pgrep -f "$TMPDIR/kentry-bochs" >/dev/null; }
no_rundir_left() { test -z "$(ls "$TMPDIR")"; }

# refused before anything runs
boot badcpu --cpu skylake --kernel "$tmp/pass.elf"
check "unknown Bochs model: status 2 (got $rc)" test $rc -eq 2
check "unknown Bochs model: names the valid ones" grep -q "unknown Bochs CPU model 'skylake': valid values are intel, amd, auto, or one of .*corei7_skylake_x" "$tmp/badcpu.err"
boot host --cpu host --kernel "$tmp/pass.elf"
check "--cpu host: status 2 (got $rc), needs QEMU with KVM" sh -c "test $rc -eq 2 && grep -q 'needs QEMU with KVM' '$tmp/host.err'"
boot accel --accel kvm --kernel "$tmp/pass.elf"
check "--accel kvm with Bochs: status 2 (got $rc)" test $rc -eq 2
KENTRY_BOCHS="$tmp/no-bochs-here" boot nobochs --kernel "$tmp/pass.elf"
check "KENTRY_BOCHS missing: status 3 (got $rc), names that file" sh -c "test $rc -eq 3 && grep -q 'KENTRY_BOCHS=$tmp/no-bochs-here: No such file or directory' '$tmp/nobochs.err'"
check "KENTRY_BOCHS missing: no result file" test ! -e "$tmp/nobochs.json"
KENTRY_ISO="$tmp/nosuch.iso" boot noiso --kernel "$tmp/pass.elf"
check "boot image missing: status 3 (got $rc), says what builds it" sh -c "test $rc -eq 3 && grep -q 'boot image $tmp/nosuch.iso not found: run make' '$tmp/noiso.err'"
boot nokernel --kernel "$tmp/nosuch.elf"
check "kernel missing: status 3 (got $rc)" test $rc -eq 3
check "nothing left in the run directory's parent" no_rundir_left

# stand-in kernels through GRUB, two at a time
export KENTRY_ISO="$ISO"
t0=$(date +%s)
KENTRY_BOOT_TIMEOUT=3 boot hang --kernel "$tmp/hang.elf" &
boot pass --only syscall --kernel "$tmp/pass.elf"
boot triple --kernel "$tmp/triple.elf"
wait
t1=$(date +%s)
boot halt --kernel "$tmp/halt.elf" &
boot bogus --kernel "$tmp/bogus.elf"
wait

rc=$(cat "$tmp/pass.rc")
check "passing stand-in: status 0 (got $rc)" test $rc -eq 0
check "passing: its result read (instructions, no ns)" jq -e '.results[] | select(.id == "syscall" and .variant == null) | .status == "measured" and .cycles.median == 72 and .ns == null' "$tmp/pass.json"
check "passing: emulator bochs, its version and model" jq -e '.guest_environment | .emulator == "bochs" and (.["emulator.version"] | length > 0) and (.["emulator.cpu"] | length > 0)' "$tmp/pass.json"

rc=$(cat "$tmp/triple.rc")
check "triple fault: status 4 (got $rc)" test $rc -eq 4
check "triple fault: reported as such, with Bochs's words and the last path" grep -q "guest reset (triple fault): Bochs reported 'exception(): 3rd (13) exception with no resolution' (last path started: exc-pf)" "$tmp/triple.err"

rc=$(cat "$tmp/halt.rc")
check "halt without an end line: status 4 (got $rc)" sh -c "test $rc -eq 4 && grep -q 'the guest halted for good without an end line (Bochs: HLT with interrupts off; last path started: syscall)' '$tmp/halt.err'"

rc=$(cat "$tmp/hang.rc")
check "hang: status 4 (got $rc), killed at the limit (the pair took $((t1 - t0)) s)" sh -c "test $rc -eq 4 && test $((t1 - t0)) -le 10"
check "hang: names the path it hung in" grep -q "guest hung: no end line within 3 s (last path started: sysenter); Bochs was killed" "$tmp/hang.err"

rc=$(cat "$tmp/bogus.rc")
check "a file GRUB cannot boot: status 4 (got $rc), GRUB's words" sh -c "test $rc -eq 4 && grep -q 'GRUB could not boot /kernel.elf' '$tmp/bogus.err'"
check "a file GRUB cannot boot: the boot image's own kernel did not run instead" sh -c "! grep -q 'kentry-kernel' '$tmp/bogus.err'"

check "no Bochs left running" no_bochs_left
check "every run directory removed" no_rundir_left

echo "1..$n"
[ $bad -eq 0 ]
