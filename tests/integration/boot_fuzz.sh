#!/bin/sh
# `kentry boot --fuzz N --seed S` on an Intel and an AMD model under QEMU
# TCG: a fixed-seed run of 20000 random ring-3 sequences per model finds no
# broken invariant; `--replay K` rebuilds one sequence exactly (the same
# lines twice); and the fuzzer bites: with a hardening step switched off
# it stops at a broken invariant and says how to reproduce it, and the
# replay reproduces it.
set -u
. "$(dirname "$0")/../lib.sh"
N=${KENTRY_FUZZ_N:-20000}
need_qemu_kernel

for cpu in intel amd; do
	t0=$(date +%s)
	"$K" boot --fuzz "$N" --seed 1 --accel tcg --cpu $cpu --no-progress --kernel "$KERNEL" >"$tmp/$cpu" 2>"$tmp/$cpu.err"
	rc=$?
	t1=$(date +%s)
	echo "# kentry boot --fuzz $N --seed 1 --cpu $cpu took $((t1 - t0)) s: $(grep 'ran ' "$tmp/$cpu")"
	check "$cpu: fuzz exits 0 (got $rc)" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/$cpu" "$tmp/$cpu.err"
	check "$cpu: all $N sequences ran, no invariant broken" sh -c "grep -q 'ran $N sequences' '$tmp/$cpu' && grep -q 'no invariant broken' '$tmp/$cpu'"
	check "$cpu: says how the sequences ended (#GP, #PF, the end) and what they entered" sh -c "grep -q 'general protection' '$tmp/$cpu' && grep -q 'page fault' '$tmp/$cpu' && grep -q 'reached the end' '$tmp/$cpu' && grep -q 'syscall' '$tmp/$cpu' && grep -q 'call gate' '$tmp/$cpu'"
done
check "Intel: sysenter from 64-bit code entered the kernel (AMD: #UD, as documented)" sh -c "[ \$(grep -c 'sysenter\$' '$tmp/intel') -ge 1 ]"

for i in 1 2; do
	"$K" boot --seed 1 --replay 77 --accel tcg --cpu intel --no-progress --kernel "$KERNEL" >"$tmp/replay$i" 2>/dev/null
	echo "# replay $i status $?"
done
check "--replay shows the sequence (code, registers, outcome)" sh -c "grep -q 'sequence 77 code at' '$tmp/replay1' && grep -q 'sequence 77 rax=' '$tmp/replay1' && grep -q 'sequence 77 outcome' '$tmp/replay1'"
check "--replay is deterministic (the same sequence and outcome twice)" sh -c "grep '^  sequence' '$tmp/replay1' > '$tmp/r1' && grep '^  sequence' '$tmp/replay2' > '$tmp/r2' && cmp '$tmp/r1' '$tmp/r2'"

# the fuzzer bites: user registers reach C when clear_regs is off
KENTRY_BOOT_APPEND="harden_off=clear_regs" "$K" boot --fuzz 200 --seed 5 --accel tcg --cpu intel --no-progress --kernel "$KERNEL" >"$tmp/broken" 2>&1
rc=$?
check "harden_off=clear_regs: the fuzzer stops with status 1 (got $rc)" test $rc -eq 1
check "... names the broken invariant and how to reproduce it" sh -c "grep -q 'BROKEN INVARIANT at sequence' '$tmp/broken' && grep -q 'reproduce: kentry boot' '$tmp/broken'"
k=$(sed -n 's/.*BROKEN INVARIANT at sequence \([0-9]*\):.*/\1/p' "$tmp/broken" | head -n 1)
KENTRY_BOOT_APPEND="harden_off=clear_regs" "$K" boot --seed 5 --replay "${k:-0}" --accel tcg --cpu intel --no-progress --kernel "$KERNEL" >"$tmp/rebroken" 2>&1
check "... and --replay $k reproduces the same broken invariant" sh -c "grep -q 'BROKEN INVARIANT at sequence ${k:-x}:' '$tmp/rebroken' && [ \"\$(sed -n 's/.*BROKEN INVARIANT at sequence [0-9]*: //p' '$tmp/broken')\" = \"\$(sed -n 's/.*BROKEN INVARIANT at sequence [0-9]*: //p' '$tmp/rebroken')\" ]"

"$K" boot --replay 3 >/dev/null 2>&1
check "--replay without --seed: usage error" test $? -eq 2
"$K" boot --fuzz 0 >/dev/null 2>&1
check "--fuzz 0: usage error" test $? -eq 2

echo "1..$n"
[ $bad -eq 0 ]
