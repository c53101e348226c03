#!/bin/sh
# Bare-metal world under both emulators, side by side per path: QEMU
# -icount shift=0 and Bochs, each counting guest instructions per round
# trip (deterministic: the same figures on every run), for an Intel and an
# AMD model; where they differ, the table's notes say why (docs/boot.md,
# "Where QEMU and Bochs differ"). Also the wall time of each run.
. "$(dirname "$0")/lib.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "emulators: qemu-system-x86_64 missing; skipped"; exit 0; }
command -v bochs >/dev/null || [ -n "${KENTRY_BOCHS:-}" ] || { echo "emulators: bochs missing; skipped"; exit 0; }
echo "emulators: instructions per round trip, QEMU -icount beside Bochs (default samples)"
for v in intel amd; do
	for e in qemu bochs; do
		flags="--icount"
		[ $e = bochs ] && flags="--emulator bochs"
		t0=$(now)
		"$K" boot $flags --variant minimal --cpu $v --no-progress --json "$BTMP/$e-$v.json" >/dev/null 2>&1 ||
			{ echo "  $e $v: the run failed"; exit 1; }
		t1=$(now)
		awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}' >"$BTMP/$e-$v.s"
	done
done
printf "  %-18s %12s %12s   %12s %12s\n" "" "Intel" "" "AMD" ""
printf "  %-18s %12s %12s   %12s %12s\n" path "QEMU -icount" Bochs "QEMU -icount" Bochs
for id in $(jq -r '.results[] | select(.variant == null) | .id' "$BTMP/qemu-intel.json"); do
	row=""
	for v in intel amd; do
		q=$(json_median "$BTMP/qemu-$v.json" "$id")
		b=$(json_median "$BTMP/bochs-$v.json" "$id")
		mark=" "
		[ "$q" != "$b" ] && mark="*"
		row="$row$(printf " %12s %11s%s  " "$q" "$b" "$mark")"
	done
	printf "  %-18s%s\n" "$id" "$row"
done
echo "  (* the emulators differ: see the notes in either run, or docs/boot.md)"
for v in intel amd; do
	echo "  models ($v): QEMU $(jq -r '.guest_environment["qemu.cpu"]' "$BTMP/qemu-$v.json"), Bochs $(jq -r '.guest_environment["emulator.cpu"]' "$BTMP/bochs-$v.json"); wall time: QEMU $(cat "$BTMP/qemu-$v.s") s, Bochs $(cat "$BTMP/bochs-$v.s") s"
done
