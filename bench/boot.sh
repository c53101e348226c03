#!/bin/sh
# Bare-metal world: time from `kentry boot` to a full table under TCG here
# (target < 5 s), and the run-to-run spread of each TCG median over 5 runs,
# printed beside the deterministic --icount figures.
. "$(dirname "$0")/lib.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "boot: qemu-system-x86_64 missing; skipped"; exit 0; }
echo "boot: wall time of a full 'kentry boot --accel tcg' (default samples)"
for i in 1 2 3 4 5; do
	t0=$(now)
	"$K" boot --accel tcg --no-progress --json "$BTMP/tcg$i.json" >/dev/null 2>&1 || { echo "  run $i failed"; exit 1; }
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f\n", b - a}'
done >"$BTMP/times"
worst=$(sort -n "$BTMP/times" | tail -n 1)
echo "  runs: $(tr '\n' ' ' <"$BTMP/times")s; slowest $worst s   (target < 5 s: $(verdict "$worst" "<" 5))"
t0=$(now)
"$K" boot --icount --no-progress --json "$BTMP/icount.json" >/dev/null 2>&1 || { echo "  icount run failed"; exit 1; }
t1=$(now)
echo "  --icount run: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}') s"
echo
echo "  TCG medians over 5 runs (ticks) and their spread, beside --icount (instructions)"
printf "  %-18s %10s %10s %8s %8s\n" path "mean" "sd" "CV %" icount
for id in $(jq -r '.results[] | select(.variant == null) | .id' "$BTMP/tcg1.json"); do
	for i in 1 2 3 4 5; do json_median "$BTMP/tcg$i.json" "$id"; done >"$BTMP/m"
	ic=$(json_median "$BTMP/icount.json" "$id")
	if grep -q skipped "$BTMP/m"; then
		printf "  %-18s %10s %10s %8s %8s\n" "$id" skipped - - "$ic"
	else
		set -- $(cv <"$BTMP/m")
		printf "  %-18s %10s %10s %8s %8s\n" "$id" "$1" "$2" "$3" "$ic"
	fi
done
