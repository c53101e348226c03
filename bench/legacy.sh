#!/bin/sh
# Legacy 32-bit kernel vs long mode, per mechanism: each legacy path beside
# its long-mode counterpart (the same mechanism or instructions in IA-32e
# mode), as QEMU TCG times them (emulator ticks, median of 3 runs, Intel
# and AMD models) and as --icount counts them (exact guest instructions).
# Mechanisms that exist only in legacy mode (task switches, call gates with
# parameters) are printed alone. Also the wall time of a two-kernel run.
. "$(dirname "$0")/lib.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "legacy: qemu-system-x86_64 missing; skipped"; exit 0; }
[ -f "$BUILD/kentry-kernel32.elf" ] || { echo "legacy: $BUILD/kentry-kernel32.elf missing (no gcc-multilib?); skipped"; exit 0; }

echo "legacy: the 32-bit legacy kernel beside the long-mode one (kentry boot --mode all"
echo "        --variant minimal: the legacy kernel has the minimal variant only)"
for cpu in intel amd; do
	for i in 1 2 3; do
		t0=$(now)
		"$K" boot --mode all --variant minimal --accel tcg --cpu $cpu --no-progress --json "$BTMP/tcg-$cpu$i.json" >/dev/null 2>&1 ||
			{ echo "  TCG run $i ($cpu) failed"; exit 1; }
		t1=$(now)
		awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f\n", b - a}' >>"$BTMP/wall"
	done
	"$K" boot --mode all --variant minimal --accel tcg --cpu $cpu --icount --no-progress --json "$BTMP/ic-$cpu.json" >/dev/null 2>&1 ||
		{ echo "  icount run ($cpu) failed"; exit 1; }
done
echo "  wall time of one two-kernel TCG run (default samples): $(sort -n "$BTMP/wall" | tr '\n' ' ')s   (target < 5 s: $(verdict "$(sort -n "$BTMP/wall" | tail -n 1)" "<" 5))"

# median over the 3 TCG runs of one id's median
tcg3() { for i in 1 2 3; do json_median "$BTMP/tcg-$1$i.json" "$2"; done | sort -n | sed -n 2p; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }

for cpu in intel amd; do
	model=$(jq -r '.guest_environment["qemu.cpu"]' "$BTMP/ic-$cpu.json")
	echo
	echo "  $cpu ($model)            QEMU TCG ticks (median of 3)         --icount instructions"
	printf "  %-24s %-16s %8s %8s %6s   %6s %6s %6s\n" "legacy path" "long-mode path" legacy long ratio legacy long ratio
	for id in $(jq -r '.results[] | select(.id | startswith("legacy-")) | .id' "$BTMP/ic-$cpu.json"); do
		cp=$("$K" list --world bare-metal | awk -v id="$id" '$1 == id { f = 1; next } f && /^ +long-mode counterpart: / { print $NF; exit } f && /^[a-z]/ { exit }')
		lt=$(tcg3 $cpu "$id")
		li=$(json_median "$BTMP/ic-$cpu.json" "$id")
		if [ -z "$cp" ]; then
			printf "  %-24s %-16s %8s %8s %6s   %6s %6s %6s\n" "$id" "(none)" "$lt" - - "$li" - -
			continue
		fi
		ct=$(tcg3 $cpu "$cp")
		ci=$(json_median "$BTMP/ic-$cpu.json" "$cp")
		printf "  %-24s %-16s %8s %8s %6s   %6s %6s %6s\n" "$id" "$cp" "$lt" "$ct" "$(ratio "$lt" "$ct")" "$li" "$ci" "$(ratio "$li" "$ci")"
	done
done
echo
echo "  TCG ticks are QEMU's cost of emulating each path, not a CPU's; --icount"
echo "  figures are exact instruction counts (the same on every run)."
