#!/bin/sh
# Accuracy: kentry's libc-syscall (getppid through syscall(2)) against
# `perf bench syscall basic` (the same call, 10^7 times, timed by perf with
# gettimeofday around the whole loop). Target: within 10 %.
# The two are interleaved three times each so that a change in the machine's
# state during the script affects both alike; the medians of the three are
# compared. perf's figure is a mean over the loop, so kentry's mean is shown
# beside its median.
. "$(dirname "$0")/lib.sh"
PERF=$(command -v perf || ls /usr/bin/perf_* 2>/dev/null | head -n 1)
[ -n "$PERF" ] || { echo "accuracy: perf is missing (Debian: linux-perf); skipped"; exit 0; }
echo "accuracy: libc-syscall (getppid) against perf bench syscall basic, interleaved x3"
for i in 1 2 3; do
	"$PERF" bench syscall basic >"$BTMP/perf$i" 2>&1 || { echo "  perf bench failed: $(tail -n 1 "$BTMP/perf$i")"; exit 0; }
	awk '/usecs\/op/ {print $1 * 1000}' "$BTMP/perf$i" >>"$BTMP/perf_ns"
	"$K" bench --only libc-syscall --no-progress --json "$BTMP/a$i.json" >/dev/null 2>&1
	json_median "$BTMP/a$i.json" libc-syscall ns >>"$BTMP/k_med"
	jq -r '.results[] | select(.id == "libc-syscall") | .ns.mean' "$BTMP/a$i.json" >>"$BTMP/k_mean"
done
med3() { sort -n "$1" | sed -n 2p; }
p=$(med3 "$BTMP/perf_ns")
km=$(med3 "$BTMP/k_med")
ka=$(med3 "$BTMP/k_mean")
echo "  perf bench ns/op:       $(tr '\n' ' ' <"$BTMP/perf_ns")-> median $p"
echo "  kentry median ns:       $(tr '\n' ' ' <"$BTMP/k_med")-> median $km"
echo "  kentry mean ns:         $(tr '\n' ' ' <"$BTMP/k_mean")-> median $ka"
for what in median mean; do
	v=$km
	[ $what = mean ] && v=$ka
	d=$(awk -v k="$v" -v p="$p" 'BEGIN{d = (k - p) / p * 100; if (d < 0) d = -d; printf "%.1f", d}')
	echo "  kentry $what vs perf: $d %   (target < 10 %: $(verdict "$d" "<" 10))"
done
