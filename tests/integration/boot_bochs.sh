#!/bin/sh
# `kentry boot --emulator bochs --quick` with an Intel (corei7_skylake_x)
# and an AMD (ryzen) model, beside `kentry boot --icount --quick` (QEMU) on
# the same vendors. Bochs: status 0, every id measured or skipped with a
# reason, the emulator, its version and model in the guest environment,
# counts deterministic (its TSC counts instructions) and labelled as such.
# Both: wherever the two emulators disagree (a count, a skip), each side's
# table says so in a note naming the other, and no such note stands where
# they agree (src/emu/differences.c). About 5 s here (the four runs at once).
set -u
. "$(dirname "$0")/../lib.sh"
need_bochs_iso

IDS="int-gate trap-gate call-gate sysenter syscall compat-int80 compat-sysenter compat-syscall compat-call-gate exc-ud exc-ud-locknop exc-bp exc-pf exc-de exc-gp syscall/iretq sysenter/iretq int-gate/sysretq call-gate/iretq"

# the minimal variant: the hardware's own counts, compared across emulators
bochs_and_qemu --variant minimal --kernel "$KERNEL"

for v in intel amd; do
	J="$tmp/bochs-$v.json"
	rc=$(cat "$tmp/bochs-$v.rc")
	check "bochs $v: exit 0 (got $rc)" test "$rc" -eq 0
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/bochs-$v.err"
	check "bochs $v: one result per id" jq -e --arg ids "$IDS" '([.results[] | select(.world == "bare-metal") | .id] | sort) == ($ids | split(" ") | sort)' "$J"
	check "bochs $v: every id measured (min = median = max, no ns) or skipped with a reason" jq -e '
		[.results[] | if .status == "measured" then
			(.cycles | .min == .median and .median == .max and .median >= 1) and .ns == null
		 else (.reason | length) > 5 end] | all' "$J"
	check "bochs $v: emulator, version, model and the counting unit in the guest environment" jq -e --arg v "$v" '
		.guest_environment | .emulator == "bochs" and (.["emulator.version"] | test("^[0-9]")) and
		.["emulator.cpu"] == (if $v == "intel" then "corei7_skylake_x" else "ryzen" end) and
		.icount == "bochs" and .["kernel.protocol"] == 1' "$J"
	check "bochs $v: the guest saw the model's vendor" jq -e --arg v "$v" '.guest_environment["cpu.vendor"] == (if $v == "intel" then "GenuineIntel" else "AuthenticAMD" end)' "$J"
	check "bochs $v: measured figures are labelled as instruction counts" jq -e '[.results[] | select(.status == "measured") | .note | test("instructions per round trip")] | all' "$J"
	check "bochs $v: the table's unit is instructions" grep -q ' instr ' "$tmp/bochs-$v.out"
	check "bochs $v: the table says what an instruction count is once, above the rows" sh -c "test \$(grep -c 'instructions per round trip' '$tmp/bochs-$v.out') -eq 1 && grep -q '^  unit: Bochs: figures are guest instructions per round trip' '$tmp/bochs-$v.out'"
	check "bochs $v: syscall is 2 instructions (syscall, sysretq)" jq -e '.results[] | select(.id == "syscall") | .cycles.median == 2' "$J"

	# the two emulators side by side
	Q="$tmp/qemu-$v.json"
	check "qemu --icount $v: exit 0" test "$(cat "$tmp/qemu-$v.rc")" -eq 0
	check_emulator_notes "$J" "$Q" "$v" "$IDS"
done
# the differences this pair of emulators has today (docs/boot.md)
check_differ_only intel "$IDS" "compat-syscall exc-pf exc-de"
check "exc-pf: 4 instructions under Bochs, 3 under QEMU -icount" jq -e -s '(.[0].results[] | select(.id == "exc-pf") | .cycles.median == 4) and (.[1].results[] | select(.id == "exc-pf") | .cycles.median == 3)' "$tmp/bochs-intel.json" "$tmp/qemu-intel.json"

echo "1..$n"
[ $bad -eq 0 ]
