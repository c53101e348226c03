#!/bin/sh
# Single-call mode against seed 001's method, in the same run: the minimum
# of 1000 single gettimeofday system calls, each timed with two
# clock_gettime(CLOCK_MONOTONIC) calls (bench/seed001.c, written from the
# seed's description), beside `kentry bench --batch 1 --op gettimeofday
# --only syscall`: one fenced call per sample, the empty call subtracted.
# Interleaved three times, pinned to one CPU. The seed's figure includes
# its clock's own cost (two vDSO clock_gettime calls, one of which lands
# inside the interval) and is quantized to the clock's nanoseconds; kentry's
# subtracts the timer and is quantized to the TSC's resolution.
. "$(dirname "$0")/lib.sh"
CPU=${CPU:-$(($(nproc) - 1))}
CC=${CC:-cc}
"$CC" -O2 -o "$BTMP/seed001" "$(dirname "$0")/seed001.c" || { echo "single: cannot build seed001.c"; exit 1; }
echo "single calls: gettimeofday by syscall, kentry --batch 1 against the seed's min of 1000 (CPU $CPU, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf "  %-4s %12s %12s %12s %14s %14s\n" run "seed min ns" "kentry min" "kentry med" "kentry headl." "timer resol."
for i in 1 2 3; do
	s=$(taskset -c "$CPU" "$BTMP/seed001")
	"$K" bench --batch 1 --op gettimeofday --only syscall --cpu "$CPU" --no-progress --json "$BTMP/k$i.json" >/dev/null 2>&1 ||
		{ echo "  kentry run $i failed"; exit 1; }
	set -- $(jq -r '[(.results[0] | .ns.min, .ns.median, .rounds.headline_ns), (.environment["tsc.resolution"] | tonumber) * 1e9 / (.environment["tsc.hz"] | tonumber)] | @tsv' "$BTMP/k$i.json")
	printf "  %-4s %12s %12.1f %12.1f %14.1f %11.1f ns\n" "$i" "$s" "$1" "$2" "$3" "$4"
done
t=$("$BTMP/seed001" clock)
echo "  the seed's clock: two back-to-back clock_gettime(CLOCK_MONOTONIC) differ by at least $t ns"
