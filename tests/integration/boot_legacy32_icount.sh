#!/bin/sh
# Path lengths of the legacy kernel under `kentry boot --icount` (QEMU TCG,
# -icount shift=0: one TSC tick is one guest instruction, so each figure is
# the exact instruction count of the round trip: the entry instruction, the
# kernel stub or handler task, the return; loop overhead subtracted). AMD
# model: there every legacy path runs as documented (SYSENTER and SYSCALL
# both exist in legacy mode). Two boots, `--mode all` (both kernels, the
# legacy paths beside their long-mode counterparts) and `--mode legacy32`:
# the counts must be deterministic (min = median = max, the same in both
# boots) and within the budgets below (the counts measured on QEMU 7.2 when
# the stubs were written): one instruction more in a stub fails here.
# When a stub changes on purpose, update this table and docs/kernel32.md.
set -u
. "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 77; }
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
for f in "$BUILD/kentry-kernel.elf" "$BUILD/kentry-kernel32.elf"; do
	[ -f "$f" ] || { echo "not ok 1 - $f missing: run make"; exit 1; }
done

# id budget (guest instructions per round trip) and what they are
BUDGETS="
legacy-int-gate 2 int, iretd
legacy-trap-gate 2 int, iretd
legacy-call-gate 2 lcall, lret
legacy-call-gate-params 5 3 pushes, lcall, lret \$12
legacy-task-gate 3 int, iretd (task return), jmp in the handler task
legacy-task-call-tss 3 lcall, iretd, jmp
legacy-task-call-gate 3 lcall, iretd, jmp
legacy-sysenter 2 sysenter, sysexit
legacy-syscall 2 syscall, sysret
legacy-int80 2 int, iretd
legacy-exc-ud 3 ud2, addl, iretd
legacy-exc-bp 2 int3, iretd
legacy-exc-pf 3 add, addl, iretd (the faulting mov is not counted by QEMU)
legacy-exc-de 2 addl, iretd (the faulting div is not counted by QEMU)
legacy-exc-gp 4 cli, add, addl, iretd
legacy-exc-ud-task 4 ud2, addl to the old TSS, iretd, jmp
legacy-exc-bp-task 3 int3, iretd, jmp
"

t0=$(date +%s)
"$K" boot --mode all --accel tcg --cpu amd --icount --quick --no-progress \
	--json "$tmp/all.json" >"$tmp/out1" 2>"$tmp/err1"
rc1=$?
"$K" boot --mode legacy32 --accel tcg --cpu amd --icount --quick --no-progress \
	--json "$tmp/l32.json" >"$tmp/out2" 2>"$tmp/err2"
rc2=$?
t1=$(date +%s)
echo "# two icount boots (both kernels, then the legacy one) took $((t1 - t0)) s"
check "icount boot of both kernels exits 0 (got $rc1)" test $rc1 -eq 0
check "icount boot of the legacy kernel exits 0 (got $rc2)" test $rc2 -eq 0
[ $rc1 -eq 0 ] || sed 's/^/# /' "$tmp/err1"
[ $rc2 -eq 0 ] || sed 's/^/# /' "$tmp/err2"
check "both kernels in one run: 19 long-mode and 17 legacy results" jq -e '[.results[] | select(.world == "bare-metal")] | (map(select(.id | startswith("legacy-"))) | length) == 17 and length == 36' "$tmp/all.json"
check "the legacy kernel's guest facts kept apart (legacy32.kernel.mode)" jq -e '.guest_environment | .["kernel.mode"] == "long" and .["legacy32.kernel.mode"] == "legacy32" and .icount == "shift=0"' "$tmp/all.json"
check "the table puts the legacy paths beside their counterparts" grep -q "^Legacy 32-bit kernel beside long mode, per mechanism (headline figures, guest instructions)" "$tmp/out1"
check "legacy-int-gate beside int-gate, ratio 1.00 (2 and 2 instructions)" grep -Eq "^  legacy-int-gate +2\.00 +int-gate +2\.00 +1\.00$" "$tmp/out1"
check "task switches have no long-mode counterpart, and say why" grep -Eq "^  legacy-task-gate +3\.00 +none: IA-32e mode has no hardware task switching" "$tmp/out1"
for f in all l32; do
	jq -r '.results[] | select(.world == "bare-metal" and (.id | startswith("legacy-"))) | "\(.id) \(.status) \(.cycles.min // "-") \(.cycles.median // "-") \(.cycles.max // "-")"' \
		"$tmp/$f.json" >"$tmp/counts.$f" 2>/dev/null
done
check "the same legacy counts in both boots" cmp "$tmp/counts.all" "$tmp/counts.l32"

check_budgets "$tmp/counts.l32" "$BUDGETS"

echo "1..$n"
[ $bad -eq 0 ]
