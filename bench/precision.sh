#!/bin/sh
# Precision: the median of `syscall` over 10 back-to-back runs should vary by
# less than 1% (coefficient of variation).
. "$(dirname "$0")/lib.sh"
echo "precision: syscall median over 10 back-to-back runs of 'kentry bench --only syscall'"
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$K" bench --only syscall --no-progress --json "$BTMP/p$i.json" >/dev/null 2>&1 || { echo "run $i failed"; exit 1; }
	json_median "$BTMP/p$i.json" syscall
done >"$BTMP/medians"
echo "  medians (cycles): $(tr '\n' ' ' <"$BTMP/medians")"
set -- $(cv <"$BTMP/medians")
echo "  mean $1 cycles, sd $2, CV $3 %   (target < 1 %: $(verdict "$3" "<" 1))"
