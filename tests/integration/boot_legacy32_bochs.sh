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
KERNEL32=${KERNEL32:-$BUILD/kentry-kernel32.elf}
ISO=${ISO:-$BUILD/kentry-kernel.iso}

command -v bochs >/dev/null || [ -n "${KENTRY_BOCHS:-}" ] || { echo "bochs not installed (Debian: bochs bochsbios vgabios bochs-term)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 77; }
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
[ -f "$KERNEL32" ] && [ -f "$ISO" ] || { echo "not ok 1 - $KERNEL32 or $ISO missing: run make"; exit 1; }

IDS="legacy-int-gate legacy-trap-gate legacy-call-gate legacy-call-gate-params legacy-task-gate legacy-task-call-tss legacy-task-call-gate legacy-sysenter legacy-syscall legacy-int80 legacy-exc-ud legacy-exc-bp legacy-exc-pf legacy-exc-de legacy-exc-gp legacy-exc-ud-task legacy-exc-bp-task"

run() { # name, then kentry boot options
	name=$1
	shift
	t0=$(date +%s)
	"$K" boot --mode legacy32 "$@" --quick --no-progress --kernel "$KERNEL32" \
		--json "$tmp/$name.json" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
	echo "# $name: kentry boot --mode legacy32 $* --quick took $(($(date +%s) - t0)) s"
}
run bochs-intel --emulator bochs --cpu intel &
run bochs-amd --emulator bochs --cpu amd &
run qemu-intel --icount --cpu intel &
run qemu-amd --icount --cpu amd
wait

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
for v in intel amd; do
	want="legacy-exc-pf legacy-exc-de "
	[ $v = intel ] && want="legacy-syscall $want"
	check "$v: bochs and qemu differ on ${want}only" sh -c "
		for id in $IDS; do
			b=\$(jq -r --arg id \$id '.results[] | select(.id == \$id) | .cycles.median // \"skipped\"' '$tmp/bochs-$v.json')
			q=\$(jq -r --arg id \$id '.results[] | select(.id == \$id) | .cycles.median // \"skipped\"' '$tmp/qemu-$v.json')
			[ \"\$b\" = \"\$q\" ] || echo \$id
		done | tr '\n' ' ' | grep -qx '$want'"
done

echo "1..$n"
[ $bad -eq 0 ]
