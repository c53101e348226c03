#!/bin/sh
# Every hardening claim has a test that fails without it: each step is
# switched off on its own (boot option harden_off=<step>, for tests only),
# and the self-test case that it protects against must then fail (with it
# on, boot_selftest.sh shows the same case passing). One boot per step,
# only the case that matters (--case), QEMU TCG -icount.
#
# exit_flags is shown through the call gate's LRETQ exit: the popfq before
# it single-steps the kernel when TF is let through. (Through SYSEXIT the
# same popfq traps at the sti after it, whose shadow QEMU extends to the
# trap.) Steps whose failure QEMU 7.2 cannot show are said so and checked
# as far as the emulator allows: sysret_ss (QEMU loads full SS attributes on
# SYSRET, AMD's behaviour is not modelled: shown under Bochs, which keeps a
# null SS's attributes), ist_mc (no #MC can be raised under TCG: the IDT
# self-check fails), ist_df (a double fault without its IST stack: the
# guest resets). The two KPTI steps are shown at the end, with
# --mitigations kpti.
set -u
. "$(dirname "$0")/../lib.sh"
need_qemu_kernel

# step case cpu path-regexp: the case's runs through matching paths must fail
STEPS="
nx 12 intel syscall
wx 12 intel syscall
nullpage 12 intel syscall
smep 12 intel syscall
smap 12 intel syscall
umip 8 max -
ist_db 5 intel syscall
ist_nmi 10 intel syscall
stack 4 intel syscall
flags 3 intel sysenter
clear_regs 0 intel int-gate
exit_canonical 2 intel syscall
exit_regs 11 intel syscall
exit_flags 1 intel call-gate
"

echo "$STEPS" | while read -r step case cpu path; do
	[ -n "$step" ] || continue
	J="$tmp/$step.json"
	KENTRY_BOOT_APPEND="harden_off=$step" "$K" boot --selftest --case "$case" --accel tcg \
		--cpu "$cpu" --no-progress --kernel "$KERNEL" --json "$J" >"$tmp/$step.out" 2>&1
	rc=$?
	fails=$(jq -r --arg p "$path" '[.models[0].runs[] | select(.verdict == "fail" and (($p == "-") or (.path | startswith($p))))] | length' "$J" 2>/dev/null)
	echo "# harden_off=$step: case $case on $cpu: status $rc, $fails failing run(s) through $path"
	jq -r --arg p "$path" '.models[0].runs[] | select(.verdict == "fail" and (($p == "-") or (.path | startswith($p)))) | "#   \(.path): \(.observed)"' "$J" 2>/dev/null | head -n 2 | cut -c1-300
	check "harden_off=$step: the self-test reports the failure (status 1, got $rc)" test "$rc" -eq 1
	check "harden_off=$step: case $case fails through $path" test "${fails:-0}" -ge 1
	check "harden_off=$step: the report says the step was off" grep -q "HARDENING SWITCHED OFF: $step" "$tmp/$step.out"
done >"$tmp/checks"
cat "$tmp/checks"
bad=$((bad + $(grep -c '^not ok' "$tmp/checks")))
n=$((n + $(grep -c '^ok\|^not ok' "$tmp/checks")))

# ist_df: a double fault on a broken stack, without its IST stack, becomes
# a triple fault (the guest resets); with it, it is reported (boot_errors.sh)
KENTRY_BOOT_APPEND="crash=df harden_off=ist_df" KENTRY_BOOT_TIMEOUT=30 "$K" boot --quick --only syscall \
	--accel tcg --cpu intel --no-progress --kernel "$KERNEL" >"$tmp/df.out" 2>"$tmp/df.err"
rc=$?
check "harden_off=ist_df: crash=df resets the guest (status $rc)" sh -c "test $rc -eq 4 && grep -q 'guest reset' '$tmp/df.err'"

# ist_mc: nothing raises #MC under TCG; the IDT self-check catches it
KENTRY_BOOT_APPEND="harden_off=ist_mc" "$K" boot --quick --only syscall --accel tcg --cpu intel \
	--no-progress --kernel "$KERNEL" >/dev/null 2>"$tmp/mc.err"
rc=$?
check "harden_off=ist_mc: the IDT self-check fails (status $rc)" sh -c "test $rc -eq 4 && grep -q 'IST stacks' '$tmp/mc.err'"

# sysret_ss: QEMU's SYSRET always loads SS's attributes, so the kernel's
# probe leaves the fix-up out there (env cpu.sysret_ss). Bochs keeps a null
# SS's attributes, as AMD documents (for its Intel models too): under Bochs
# case 9 passes with the fix-up and fails without it.
if [ -n "${KENTRY_BOCHS:-}" ] || command -v bochs >/dev/null; then
	for h in "" "harden_off=sysret_ss"; do
		KENTRY_BOOT_APPEND="$h" "$K" boot --emulator bochs --selftest --case 9 --cpu amd \
			--no-progress --kernel "$KERNEL" --json "$tmp/ss$h.json" >"$tmp/ss.out" 2>&1
		v=$(jq -r '.models[0].runs[0].verdict' "$tmp/ss$h.json" 2>/dev/null)
		echo "# Bochs, case 9 on the AMD model${h:+ with $h}: $v ($(jq -r '.models[0].runs[0].observed' "$tmp/ss$h.json" 2>/dev/null | cut -c1-120))"
		if [ -z "$h" ]; then
			check "Bochs: the SYSRET SS probe finds the null SS kept and case 9 passes with the fix-up" test "$v" = pass
		else
			check "Bochs: harden_off=sysret_ss makes case 9 fail" test "$v" = fail
		fi
	done
else
	echo "# Bochs not installed: the sysret_ss step is checked under QEMU only by its probe"
fi
KENTRY_BOOT_APPEND="harden_off=sysret_ss" "$K" boot --selftest --case 9 --accel tcg --cpu amd \
	--no-progress --kernel "$KERNEL" --json "$tmp/ssq.json" >"$tmp/ss.q" 2>&1
v=$(jq -r '.models[0].runs[0].verdict' "$tmp/ssq.json" 2>/dev/null)
check "QEMU: SYSRET loads SS's attributes, case 9 passes even without the fix-up ($v)" test "$v" = pass

# The KPTI steps (docs/mitigations.md), with --mitigations kpti:
# kpti      the user page tables also map the kernel image: the KPTI
#           self-check must see kernel text, data and stacks present from
#           ring 3 (a protection fault, not a not-present one) and fail;
# kpti_exit the exits do not switch back to the user tables: ring 3 runs on
#           the kernel's, which the check after every excursion must catch,
#           in a measurement and in the self-test.
KENTRY_BOOT_APPEND="harden_off=kpti" "$K" boot --quick --only syscall --variant full \
	--mitigations kpti --accel tcg --cpu intel --no-progress --kernel "$KERNEL" \
	>/dev/null 2>"$tmp/kpti.err"
rc=$?
check "harden_off=kpti: the KPTI self-check fails (status $rc)" sh -c "test $rc -eq 4 && grep -q 'kpti: ring-3 read of kernel text' '$tmp/kpti.err' && grep -q 'KPTI user tables map only user pages and the entry trampoline: .* [1-9][0-9]* else' '$tmp/kpti.err'"
KENTRY_BOOT_APPEND="harden_off=kpti_exit" "$K" boot --quick --only syscall --variant full \
	--mitigations kpti --accel tcg --cpu intel --no-progress --kernel "$KERNEL" \
	--json "$tmp/kx.json" >/dev/null 2>"$tmp/kx.err"
rc=$?
check "harden_off=kpti_exit: the measurement catches ring 3 on the kernel's tables (status $rc)" \
	jq -e '.results[] | select(.variant == "full+kpti") | .status == "skipped" and (.reason | test("ring 3 ran on CR3"))' "$tmp/kx.json"
KENTRY_BOOT_APPEND="harden_off=kpti_exit" "$K" boot --selftest --case 0 --cpu intel \
	--mitigations kpti --no-progress --kernel "$KERNEL" >"$tmp/kxs.out" 2>&1
rc=$?
check "harden_off=kpti_exit: the self-test fails case 0 (status $rc)" sh -c "test $rc -eq 1 && grep -q 'MITIGATION STATE BROKEN: ring 3 ran on CR3' '$tmp/kxs.out' && grep -q 'HARDENING SWITCHED OFF: kpti_exit' '$tmp/kxs.out'"

echo "1..$n"
[ $bad -eq 0 ]
