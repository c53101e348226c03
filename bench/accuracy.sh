#!/bin/sh
# Accuracy: kentry's libc-syscall (getppid through syscall(2)) against
# `perf bench syscall basic` (the same call, timed by perf with
# gettimeofday around 10^7 calls), measured in the same script; target:
# agree within 10 %.
. "$(dirname "$0")/lib.sh"
PERF=$(command -v perf || ls /usr/bin/perf_* 2>/dev/null | head -n 1)
[ -n "$PERF" ] || { echo "accuracy: perf is missing (Debian: linux-perf); skipped"; exit 0; }
echo "accuracy: libc-syscall (getppid) against perf bench syscall basic"
"$PERF" bench syscall basic >"$BTMP/perf1" 2>&1 || { echo "  perf bench failed: $(tail -n 1 "$BTMP/perf1")"; exit 0; }
"$K" bench --only libc-syscall --no-progress --json "$BTMP/a.json" >/dev/null 2>&1
"$PERF" bench syscall basic >"$BTMP/perf2" 2>&1
p1=$(awk '/usecs\/op/ {print $1 * 1000}' "$BTMP/perf1")
p2=$(awk '/usecs\/op/ {print $1 * 1000}' "$BTMP/perf2")
med=$(json_median "$BTMP/a.json" libc-syscall ns)
mean=$(jq -r '.results[] | select(.id == "libc-syscall") | .ns.mean' "$BTMP/a.json")
perf_ns=$(awk -v a="$p1" -v b="$p2" 'BEGIN{print (a + b) / 2}')
diff=$(awk -v k="$med" -v p="$perf_ns" 'BEGIN{d = (k - p) / p * 100; if (d < 0) d = -d; printf "%.1f", d}')
echo "  perf bench: $p1 ns/op before, $p2 ns/op after kentry (mean $perf_ns ns)"
echo "  kentry libc-syscall: median $med ns, mean $mean ns"
echo "  difference of the medians: $diff %   (target < 10 %: $(verdict "$diff" "<" 10))"
