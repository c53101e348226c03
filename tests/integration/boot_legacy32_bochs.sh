#!/bin/sh
# The legacy 32-bit kernel under Bochs (`kentry boot --emulator bochs
# --mode legacy32 --quick`) with an Intel (corei7_skylake_x) and an AMD
# (ryzen) model, beside QEMU --icount on the same vendors. Bochs: status 0
# (every self-check, the task-state checks after each task switch
# included), every legacy id measured with a deterministic count or skipped
# with a reason, the vendors' documented outcomes (legacy SYSCALL: #UD on
# Intel, a round trip on AMD; SYSENTER a round trip on both); both: every
# place where the two emulators disagree has its notes on both sides, and
# today these are legacy-exc-pf and legacy-exc-de (Bochs counts the
# faulting instruction) and, on Intel, legacy-syscall (QEMU lets it run).
set -u
. "$(dirname "$0")/../lib.sh"
KERNEL=${KERNEL32:-$BUILD/kentry-kernel32.elf}
need_bochs_iso

IDS="legacy-int-gate legacy-trap-gate legacy-call-gate legacy-call-gate-params legacy-task-gate legacy-task-call-tss legacy-task-call-gate legacy-sysenter legacy-syscall legacy-int80 legacy-exc-ud legacy-exc-bp legacy-exc-pf legacy-exc-de legacy-exc-gp legacy-exc-ud-task legacy-exc-bp-task"

bochs_and_qemu --mode legacy32 --kernel "$KERNEL"

for v in intel amd; do
	J="$tmp/bochs-$v.json" Q="$tmp/qemu-$v.json"
	rc=$(cat "$tmp/bochs-$v.rc")
	check "bochs $v: exit 0, every self-check passed (got $rc)" test "$rc" -eq 0
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/bochs-$v.err"
	check "bochs $v: the legacy kernel ran (kernel.mode legacy32) under Bochs" jq -e '.guest_environment | .emulator == "bochs" and .["kernel.mode"] == "legacy32" and .icount == "bochs"' "$J"
	check "bochs $v: one result per legacy id" jq -e --arg ids "$IDS" '([.results[] | select(.world == "bare-metal") | .id] | sort) == ($ids | split(" ") | sort)' "$J"
	check "bochs $v: every id measured (min = median = max) or skipped with a reason" jq -e '
		[.results[] | if .status == "measured" then
			(.cycles | .min == .median and .median == .max and .median >= 1)
		 else (.reason | length) > 5 end] | all' "$J"
	check "bochs $v: a task switch round trip is 3 instructions (int, iretd, jmp)" jq -e '.results[] | select(.id == "legacy-task-gate") | .cycles.median == 3' "$J"
	check "bochs $v: legacy sysenter is a round trip of 3 (sysenter, sti, sysexit: both vendors document it in legacy mode)" jq -e '.results[] | select(.id == "legacy-sysenter") | .status == "measured" and .cycles.median == 3' "$J"
	check "qemu --icount $v: exit 0" test "$(cat "$tmp/qemu-$v.rc")" -eq 0
	check_emulator_notes "$J" "$Q" "$v" "$IDS"
done
check "bochs intel: legacy syscall #UD, as Intel documents" jq -e '.results[] | select(.id == "legacy-syscall") | .status == "skipped" and (.reason | test("#UD, as Intel documents"))' "$tmp/bochs-intel.json"
check "bochs amd: legacy syscall is a round trip of 2 instructions, as AMD documents" jq -e '.results[] | select(.id == "legacy-syscall") | .status == "measured" and .cycles.median == 2' "$tmp/bochs-amd.json"
check_differ_only intel "$IDS" "legacy-syscall legacy-exc-pf legacy-exc-de"
check_differ_only amd "$IDS" "legacy-exc-pf legacy-exc-de"

echo "1..$n"
[ $bad -eq 0 ]
