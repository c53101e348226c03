#!/bin/sh
# `kentry boot --fuzz N --seed S` on an Intel and an AMD model under QEMU
# TCG: a fixed-seed run of 20000 random ring-3 sequences per model finds no
# broken invariant; `--replay K` rebuilds sequences exactly (the same lines
# in every run, on a slow host too, alone or in a replayed range); and the
# fuzzer bites: with a hardening step switched off
# it stops at a broken invariant and says how to reproduce it, and the
# replay reproduces it.
set -u
. "$(dirname "$0")/../lib.sh"
N=${KENTRY_FUZZ_N:-20000}
need_qemu_kernel

# both models at once (each under -icount, the default under TCG)
t0=$(date +%s)
for cpu in intel amd; do
	("$K" boot --fuzz "$N" --seed 1 --accel tcg --cpu $cpu --no-progress --kernel "$KERNEL" >"$tmp/$cpu" 2>"$tmp/$cpu.err"
	 echo $? >"$tmp/$cpu.rc") &
done
wait
echo "# kentry boot --fuzz $N --seed 1 --cpu intel and amd, side by side, took $(($(date +%s) - t0)) s"
for cpu in intel amd; do
	rc=$(cat "$tmp/$cpu.rc")
	echo "# $cpu: $(grep 'ran ' "$tmp/$cpu")"
	check "$cpu: fuzz exits 0 (got $rc)" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/$cpu" "$tmp/$cpu.err"
	check "$cpu: all $N sequences ran, no invariant broken" sh -c "grep -q 'ran $N sequences' '$tmp/$cpu' && grep -q 'no invariant broken' '$tmp/$cpu'"
	check "$cpu: says how the sequences ended (#GP, #PF, the end) and what they entered" sh -c "grep -q 'general protection' '$tmp/$cpu' && grep -q 'page fault' '$tmp/$cpu' && grep -q 'reached the end' '$tmp/$cpu' && grep -q 'syscall' '$tmp/$cpu' && grep -q 'call gate' '$tmp/$cpu'"
done
check "Intel: sysenter from 64-bit code entered the kernel (AMD: #UD, as documented)" sh -c "[ \$(grep -c 'sysenter\$' '$tmp/intel') -ge 1 ]"

# --replay is a replay: the same lines (code, registers, outcome, entries)
# in every run, whatever the host does meanwhile. Sequence 77 page-faults
# (it once came back "still running at the watchdog" under load: the
# watchdog's period was host time); 6616 is a loop (int 0x82; jmp), ended
# by the watchdog at an instruction that must not vary; 4323 enters the
# done vector with DF set, 4391 follows it; in a replayed range 4300-4399
# each one must behave as it does alone. The slow host: QEMU logging every
# block it translates and runs (to /dev/null), which makes each guest
# instruction cost the host many times more, as on a loaded machine: with
# the watchdog on host time 77 ended at the watchdog in 4 of 4 such runs.
rp() { # NAME K [N]: replay K (K to K+N-1), the sequence lines in $tmp/NAME
	"$K" boot --seed 1 --replay "$2" ${3:+--fuzz "$3"} --accel tcg --cpu intel --no-progress --kernel "$KERNEL" >"$tmp/$1.out" 2>"$tmp/$1.err"
	echo "$?" >"$tmp/$1.rc"
	grep '^  sequence' "$tmp/$1.out" >"$tmp/$1"
}
qemu=${KENTRY_QEMU:-$(command -v qemu-system-x86_64)}
printf '#!/bin/sh\nexec "%s" "$@" -d in_asm,op,out_asm,exec,cpu -D /dev/null\n' "$qemu" >"$tmp/slow-qemu"
chmod +x "$tmp/slow-qemu"
t0=$(date +%s)
rp r77a 77 & rp r6616a 6616 & wait
rp r77b 77 & rp r6616b 6616 & wait
(KENTRY_QEMU="$tmp/slow-qemu" rp r77slow 77) & rp range 4300 100 & wait
rp r4323 4323 & rp r4391 4391 & wait
echo "# 9 replays took $(($(date +%s) - t0)) s; sequence 77: $(sed -n 's/.*77 outcome: //p' "$tmp/r77a"); 6616: $(sed -n 's/.*6616 outcome: //p' "$tmp/r6616a")"
check "--replay shows the sequence (code, registers, outcome)" sh -c "grep -q 'sequence 77 code at' '$tmp/r77a' && grep -q 'sequence 77 rax=' '$tmp/r77a' && grep -q 'sequence 77 outcome' '$tmp/r77a'"
check "--replay 77 is deterministic (the same lines twice)" sh -c "test -s '$tmp/r77a' && cmp '$tmp/r77a' '$tmp/r77b'"
check "--replay 77 gives the same lines on a slow host (QEMU logging every block)" sh -c "test -s '$tmp/r77slow' && cmp '$tmp/r77a' '$tmp/r77slow'"
check "--replay 77 page-faults (the outcome the flaky runs lost to the watchdog)" grep -q 'sequence 77 outcome: #PF page fault' "$tmp/r77a"
check "--replay 6616 (a loop) ends at the watchdog, at the same instruction after the same entries twice" sh -c "grep -q 'sequence 6616 outcome: still running at the watchdog: its tick found ring 3 at rip' '$tmp/r6616a' && cmp '$tmp/r6616a' '$tmp/r6616b'"
check "--replay 4300 --fuzz 100: 100 sequences, each shown, status 0 (got $(cat "$tmp/range.rc"))" sh -c "test \$(cat '$tmp/range.rc') -eq 0 && test \$(grep -c ' outcome: ' '$tmp/range') -eq 100"
check "... sequences 4323 (int 0x8f with DF set) and 4391 behave there as they do alone" sh -c "grep '^  sequence 4323 ' '$tmp/range' | cmp - '$tmp/r4323' && grep '^  sequence 4391 ' '$tmp/range' | cmp - '$tmp/r4391'"

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
