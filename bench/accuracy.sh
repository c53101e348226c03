#!/bin/sh
# Accuracy: kentry's libc-syscall (getppid through glibc's syscall(3))
# against `perf bench syscall basic` (glibc's getppid(), 10^7 times, timed
# with gettimeofday around the whole loop), interleaved five times, both
# pinned to one CPU. Target: within 5 %.
#
# The two do not measure quite the same thing, and the script shows how far
# each difference goes:
#  - perf does not subtract its loop: each of its calls carries the loop's
#    own increment, compare and branch; kentry subtracts its empty loop
#    (timer + loop + argument setup), whose per-call share is printed and
#    added back for the comparison;
#  - perf's figure is a mean over ~2 s, interrupts, preemptions and the
#    host's slower stretches included; kentry's headline is the lower
#    quartile of its round medians (the undisturbed host), so the mean of
#    all kentry samples is printed too;
#  - glibc's getppid() wrapper against the variadic syscall(3): a few
#    instructions more on kentry's side.
. "$(dirname "$0")/lib.sh"
PERF=$(command -v perf || ls /usr/bin/perf_* 2>/dev/null | head -n 1)
[ -n "$PERF" ] || { echo "accuracy: perf is missing (Debian: linux-perf); skipped"; exit 0; }
CPU=${CPU:-$(($(nproc) - 1))}
N=${N:-5}
echo "accuracy: libc-syscall against perf bench syscall basic, interleaved x $N, CPU $CPU (load $(cut -d' ' -f1-3 /proc/loadavg))"
for i in $(seq "$N"); do
	taskset -c "$CPU" "$PERF" bench syscall basic 2>/dev/null | awk '/usecs\/op/ {printf "%.1f\n", $1 * 1000}' >>"$BTMP/perf"
	"$K" bench --only libc-syscall --cpu "$CPU" --no-progress --json "$BTMP/a$i.json" >/dev/null 2>&1 ||
		{ echo "  kentry run $i failed"; exit 1; }
	jq -r '.results[] | select(.id == "libc-syscall") |
		[.rounds.headline_ns, .ns.mean, (.overhead_cycles / .batch * .ns.median / .cycles.median)] |
		map(. * 10 | round / 10) | @tsv' "$BTMP/a$i.json" >>"$BTMP/k"
done
med() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
p=$(med <"$BTMP/perf")
kh=$(cut -f1 "$BTMP/k" | med)
km=$(cut -f2 "$BTMP/k" | med)
lo=$(cut -f3 "$BTMP/k" | med)
pct() { awk -v k="$1" -v p="$2" 'BEGIN{printf "%+.1f", (k - p) / p * 100}'; }
abs() { echo "$1" | tr -d '+-'; }
echo "  perf bench ns/op:                 $(tr '\n' ' ' <"$BTMP/perf")-> median $p"
echo "  kentry headline ns:               $(cut -f1 "$BTMP/k" | tr '\n' ' ')-> median $kh"
echo "  kentry mean of all samples, ns:   $(cut -f2 "$BTMP/k" | tr '\n' ' ')-> median $km"
echo "  kentry's subtracted loop per call: $lo ns (timer share + argument setup + dec/jnz)"
d1=$(pct "$kh" "$p")
d2=$(pct "$(awk -v a="$kh" -v b="$lo" 'BEGIN{print a + b}')" "$p")
d3=$(pct "$km" "$p")
echo "  headline vs perf:                 $d1 %   (target within 5 %: $(verdict "$(abs "$d1")" "<=" 5))"
echo "  headline + its loop vs perf:      $d2 %"
echo "  mean of all samples vs perf:      $d3 %"
