#!/bin/sh
# Path lengths of the legacy kernel under `kentry boot --icount` (QEMU TCG,
# -icount shift=0: one TSC tick is one guest instruction, so each figure is
# the exact instruction count of the round trip: the entry instruction, the
# kernel stub or handler task, the return; loop overhead subtracted). AMD
# model: there every legacy path runs as documented (SYSENTER and SYSCALL
# both exist in legacy mode). Three boots, `--mode all` (both kernels, the
# legacy paths beside their long-mode counterparts) and `--mode legacy32`
# with ring 3 at IF = 1 (the default) and at IF = 0: the counts must be
# deterministic (min = median = max, the same in the two IF = 1 boots) and
# within the budgets below (the counts measured on QEMU 7.2 when the stubs
# were written): one instruction more in a stub fails here.
# When a stub changes on purpose, update this table and docs/kernel32.md.
set -u
. "$(dirname "$0")/../lib.sh"

need_qemu_kernel "$BUILD/kentry-kernel32.elf"

# id, budget (guest instructions per round trip) with ring 3 at IF = 0 and
# at IF = 1 (the default: sysexit needs an sti before it), what they are
BUDGETS="
legacy-int-gate 2 2 int, iretd
legacy-trap-gate 2 2 int, iretd
legacy-call-gate 2 2 lcall, lret
legacy-call-gate-params 5 5 3 pushes, lcall, lret \$12
legacy-task-gate 3 3 int, iretd (task return), jmp in the handler task
legacy-task-call-tss 3 3 lcall, iretd, jmp
legacy-task-call-gate 3 3 lcall, iretd, jmp
legacy-sysenter 2 3 sysenter, (sti,) sysexit
legacy-syscall 2 2 syscall, sysret
legacy-int80 2 2 int, iretd
legacy-exc-ud 3 3 ud2, addl, iretd
legacy-exc-bp 2 2 int3, iretd
legacy-exc-pf 3 3 add, addl, iretd (the faulting mov is not counted by QEMU)
legacy-exc-de 2 2 addl, iretd (the faulting div is not counted by QEMU)
legacy-exc-gp 4 4 cli, add, addl, iretd
legacy-exc-ud-task 4 4 ud2, addl to the old TSS, iretd, jmp
legacy-exc-bp-task 3 3 int3, iretd, jmp
"

# boot NAME ARGS...: one icount boot on the AMD model, its JSON in
# $tmp/NAME.json, its legacy "id status min median max" lines in
# $tmp/counts.NAME
boot() {
	name=$1
	shift
	"$K" boot --accel tcg --cpu amd --icount --quick --no-progress --json "$tmp/$name.json" \
		"$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	check "icount boot $name ($*) exits 0 (got $rc)" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/$name.err"
	jq -r '.results[] | select(.world == "bare-metal" and (.id | startswith("legacy-"))) | "\(.id) \(.status) \(.cycles.min // "-") \(.cycles.median // "-") \(.cycles.max // "-")"' \
		"$tmp/$name.json" >"$tmp/counts.$name" 2>/dev/null
}

t0=$(date +%s)
boot all --mode all --variant minimal
boot l32 --mode legacy32
boot l32if0 --mode legacy32 --ring3-if 0
t1=$(date +%s)
echo "# three icount boots (both kernels, then the legacy one at IF = 1 and IF = 0) took $((t1 - t0)) s"
check "both kernels in one run: 19 long-mode (minimal) and 17 legacy results" jq -e '[.results[] | select(.world == "bare-metal")] | (map(select(.id | startswith("legacy-"))) | length) == 17 and length == 36' "$tmp/all.json"
check "the legacy kernel's guest facts kept apart (legacy32.kernel.mode), ring 3 at IF = 1 in both" jq -e '.guest_environment | .["kernel.mode"] == "long" and .["legacy32.kernel.mode"] == "legacy32" and .icount == "shift=0" and .["kernel.ring3_if"] == 1 and .["legacy32.kernel.ring3_if"] == 1' "$tmp/all.json"
check "--ring3-if 0 reaches the legacy kernel" jq -e '.guest_environment["kernel.ring3_if"] == 0' "$tmp/l32if0.json"
check "the legacy kernel says what it masked" jq -e '.guest_environment["kernel.interrupts"] | test("masked; local APIC globally disabled")' "$tmp/l32.json"
check "the environment names both kernels and the legacy kernel's IF and interrupt facts" sh -c "grep -q \"^Bare-metal world: kentry's kernels under QEMU\" '$tmp/all.out' && grep -Eq '^  legacy32 +the legacy 32-bit kernel too: ring 3 RFLAGS.IF = 1; 8259 PICs .*masked' '$tmp/all.out'"
check "the table puts the legacy paths beside their counterparts" grep -q "^Legacy 32-bit kernel beside long mode, per mechanism (minimal variants, headline figures, guest instructions)" "$tmp/all.out"
check "legacy-int-gate beside int-gate, ratio 1.00 (2 and 2 instructions)" grep -Eq "^  legacy-int-gate +2\.00 +int-gate +2\.00 +1\.00$" "$tmp/all.out"
check "task switches have no long-mode counterpart, and say why" grep -Eq "^  legacy-task-gate +3\.00 +none: IA-32e mode has no hardware task switching" "$tmp/all.out"
check "the same legacy counts in both boots at IF = 1" cmp "$tmp/counts.all" "$tmp/counts.l32"

# column C of the table, with the words after the two budgets
column() {
	echo "$BUDGETS" | awk -v c="$1" 'NF { w = ""; for (i = 4; i <= NF; i++) w = w " " $i; print $1, $c w }'
}
check_budgets "$tmp/counts.l32if0" "$(column 2)" "IF=0"
check_budgets "$tmp/counts.l32" "$(column 3)" "IF=1"

echo "1..$n"
[ $bad -eq 0 ]
