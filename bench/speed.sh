#!/bin/sh
# Speed: the full default suite (every path in rounds spread over ~3 s) under
# 5 s of wall time, --quick under 2 s.
. "$(dirname "$0")/lib.sh"
echo "speed: wall time of kentry bench"
for mode in default quick; do
	flag=""
	[ $mode = quick ] && flag="--quick"
	t0=$(now)
	"$K" bench $flag --no-progress >/dev/null 2>&1
	t1=$(now)
	s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')
	target=5
	[ $mode = quick ] && target=2
	echo "  $mode: $s s   (target < $target s: $(verdict "$s" "<" $target))"
done
