#!/bin/sh
# The bare-metal world's two variants side by side: what the full kernel
# side of every path (docs/kernel.md, "The full paths") costs beside the
# minimal one. Under QEMU TCG (TSC ticks, the emulator's cost, one Intel
# model, default samples) and under -icount (exact guest instructions,
# Intel and AMD models), each with the difference full - minimal. Then the
# fuzzer's rate on a long run per model (sequences per second of the
# emulator's run: the fuzzer runs under -icount, where guest time counts
# instructions), beside the target that lets `make check` run its fixed-seed fuzz
# (20000 sequences per model) in well under a minute.
. "$(dirname "$0")/lib.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "full: qemu-system-x86_64 missing; skipped"; exit 0; }
FUZZ_N=${KENTRY_BENCH_FUZZ:-200000}

# full_median FILE ID: the full variant's median
full_median() { jq -r --arg id "$2" '.results[] | select(.id == $id and .variant == "full") | if .status == "measured" then .cycles.median else "skipped" end' "$1"; }
delta() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "+%.1f", b - a; else print "-" }'; }

"$K" boot --accel tcg --cpu intel --no-progress --json "$BTMP/tcg.json" >/dev/null 2>&1 ||
	{ echo "  full: the TCG run failed"; exit 1; }
for v in intel amd; do
	"$K" boot --accel tcg --icount --cpu $v --no-progress --json "$BTMP/ic-$v.json" >/dev/null 2>&1 ||
		{ echo "  full: the icount run ($v) failed"; exit 1; }
done
echo "full: minimal vs full per path (QEMU $(jq -r '.guest_environment["qemu.version"]' "$BTMP/tcg.json"), ring 3 at IF = $(jq -r '.guest_environment["kernel.ring3_if"]' "$BTMP/tcg.json"))"
printf "  %-18s %27s   %20s   %20s\n" "" "TCG, Intel: TSC ticks" "icount, Intel: instr" "icount, AMD: instr"
printf "  %-18s %8s %8s %9s   %6s %6s %6s   %6s %6s %6s\n" path minimal full "+full" min full "+" min full "+"
for id in $(jq -r '.results[] | select(.variant == null) | .id' "$BTMP/tcg.json"); do
	tm=$(json_median "$BTMP/tcg.json" "$id") tf=$(full_median "$BTMP/tcg.json" "$id")
	im=$(json_median "$BTMP/ic-intel.json" "$id") if=$(full_median "$BTMP/ic-intel.json" "$id")
	am=$(json_median "$BTMP/ic-amd.json" "$id") af=$(full_median "$BTMP/ic-amd.json" "$id")
	printf "  %-18s %8s %8s %9s   %6s %6s %6s   %6s %6s %6s\n" "$id" "$tm" "$tf" "$(delta "$tm" "$tf")" \
		"$im" "$if" "$(delta "$im" "$if")" "$am" "$af" "$(delta "$am" "$af")"
done
echo "  (TCG ticks measure QEMU's emulation, not a CPU; icount figures are exact and"
echo "   budgeted per path in tests/integration/boot_icount.sh)"

echo
echo "fuzz: $FUZZ_N random ring-3 sequences per model through the full paths, seed 1"
for v in intel amd; do
	"$K" boot --accel tcg --cpu $v --fuzz "$FUZZ_N" --seed 1 --no-progress >"$BTMP/fuzz-$v" 2>&1
	rc=$?
	rate=$(sed -n 's/.*(\([0-9]*\) sequences\/s).*/\1/p' "$BTMP/fuzz-$v")
	res=$(grep -q 'no invariant broken' "$BTMP/fuzz-$v" && echo "no invariant broken" || echo "STOPPED (status $rc): $(grep 'BROKEN' "$BTMP/fuzz-$v")")
	printf "  %-6s %8s sequences/s (QEMU -icount)   target >= 700 (20000 in under 30 s): %s; %s\n" \
		"$v" "${rate:-?}" "$(verdict "${rate:-0}" ">=" 700 | sed 's/meets/meets/')" "$res"
done
