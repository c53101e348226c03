#!/bin/sh
# Precision: the coefficient of variation (CV) of kentry's `syscall`
# headline over 10 runs, beside `perf bench syscall basic` in the same runs
# (interleaved: kentry, perf, kentry, perf...), both pinned to one CPU:
#   quiet:     target CV <= 0.5 % and below perf bench's;
#   competing: a CPU-bound process pinned to the same CPU; target CV <= 2 %,
#              or every disturbed figure flagged.
# Beside the headline (the lower quartile of the round medians) it prints
# the CV the other candidate statistics of the same runs would have had:
# the pooled median, the median, the mean and the minimum of the round
# medians.
# RUNS=n (default 10), CPU=n (default the last), KEEP=dir keeps the JSON.
. "$(dirname "$0")/lib.sh"
PERF=$(command -v perf || ls /usr/bin/perf_* 2>/dev/null | head -n 1)
RUNS=${RUNS:-10}
CPU=${CPU:-$(($(nproc) - 1))}
hog=""
stop_hog() { [ -n "$hog" ] && kill "$hog" 2>/dev/null; hog=""; }
trap 'stop_hog; rm -rf "$BTMP"' EXIT INT TERM

series() { # name: runs kentry and perf $RUNS times, interleaved
	name=$1
	: >"$BTMP/$name.perf"
	for i in $(seq "$RUNS"); do
		"$K" bench --only syscall --cpu "$CPU" --no-progress --json "$BTMP/$name.$i.json" >/dev/null 2>&1 ||
			{ echo "  kentry run $i failed"; return 1; }
		if [ -n "$PERF" ]; then
			taskset -c "$CPU" "$PERF" bench syscall basic 2>/dev/null |
				awk '/usecs\/op/ {printf "%.1f\n", $1 * 1000}' >>"$BTMP/$name.perf"
		fi
	done
	hz=$(jq -r '.environment["tsc.hz"]' "$BTMP/$name.1.json")
	[ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$BTMP/$name".*.json "$KEEP/"
	for stat in headline pooled-median median-of-rounds mean-of-rounds min-of-rounds; do
		for i in $(seq "$RUNS"); do
			jq -r --arg s "$stat" '.results[] | select(.id == "syscall") |
				if $s == "headline" then .rounds.headline
				elif $s == "pooled-median" then .cycles.median
				elif $s == "median-of-rounds" then (.rounds.medians | sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end)
				elif $s == "min-of-rounds" then (.rounds.medians | min)
				else (.rounds.medians | add / length) end' "$BTMP/$name.$i.json"
		done >"$BTMP/$name.$stat"
	done
	flagged=$(for i in $(seq "$RUNS"); do jq -r '.results[] | select(.id == "syscall") | .disturbed' "$BTMP/$name.$i.json"; done | grep -c true)
	echo "  kentry headline (ticks): $(tr '\n' ' ' <"$BTMP/$name.headline")"
	set -- $(cv <"$BTMP/$name.headline")
	k_cv=$3
	echo "  kentry headline: mean $1 ticks ($(awk -v t="$1" -v h="$hz" 'BEGIN{printf "%.1f", t * 1e9 / h}') ns), CV $3 %; flagged disturbed in $flagged of $RUNS runs"
	for i in $(seq "$RUNS"); do
		jq -r '.results[] | select(.id == "syscall") | select(.disturbed | not) | .rounds.headline' "$BTMP/$name.$i.json"
	done >"$BTMP/$name.clean"
	if [ "$(wc -l <"$BTMP/$name.clean")" -ge 2 ]; then
		set -- $(cv <"$BTMP/$name.clean")
		echo "    (over the $(wc -l <"$BTMP/$name.clean") runs not flagged: CV $3 %)"
	fi
	for stat in pooled-median median-of-rounds mean-of-rounds min-of-rounds; do
		set -- $(cv <"$BTMP/$name.$stat")
		printf "    (had it been the %-16s CV %s %%)\n" "$stat:" "$3"
	done
	if [ -s "$BTMP/$name.perf" ]; then
		echo "  perf bench ns/op:        $(tr '\n' ' ' <"$BTMP/$name.perf")"
		set -- $(cv <"$BTMP/$name.perf")
		p_cv=$3
		echo "  perf bench: mean $1 ns, CV $3 %"
	else
		p_cv=""
		echo "  perf bench: not installed (Debian: linux-perf), not compared"
	fi
}

echo "precision: 'kentry bench --only syscall' x $RUNS, interleaved with 'perf bench syscall basic', CPU $CPU"
echo "quiet (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
series quiet || exit 1
echo "  quiet: CV $k_cv %   (target <= 0.5 %: $(verdict "$k_cv" "<=" 0.5)${p_cv:+; perf bench $p_cv %: $(verdict "$k_cv" "<" "$p_cv") below it})"

echo "competing: a CPU-bound loop pinned to CPU $CPU as well"
taskset -c "$CPU" sh -c 'while :; do :; done' &
hog=$!
series busy || exit 1
stop_hog
if [ "$flagged" -eq "$RUNS" ]; then fl="every figure flagged: meets target"; else fl="$flagged of $RUNS flagged"; fi
echo "  competing: CV $k_cv %   (target <= 2 %: $(verdict "$k_cv" "<=" 2), or every disturbed figure flagged: $fl)"
