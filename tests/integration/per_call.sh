#!/bin/sh
# Single-call mode (--batch 1): one fenced call per sample, so min, median,
# p99 and max are single-call figures, and the table and the file say so.
# In the kernel under --icount a single syscall/sysretq round trip is still
# exactly its 2 instructions once the single empty loop is subtracted.
set -u
. "$(dirname "$0")/../lib.sh"

"$K" bench --quick --batch 1 --only syscall,vdso,int80-64 --no-progress --json "$tmp/a.json" >"$tmp/a.out" 2>"$tmp/a.err"
rc=$?
check "bench --batch 1: status 0 (got $rc)" test $rc -eq 0
check "every measured path took single calls, mode per-call" jq -e '[.results[] | select(.status == "measured")] | length >= 2 and all(.batch == 1 and .mode == "per-call")' "$tmp/a.json"
check "the table says its figures are single calls" grep -q "per-call statistics: each sample is one fenced call" "$tmp/a.out"
check "syscall: single calls cost more than nothing and less than a millisecond" jq -e '.results[] | select(.id == "syscall") | .cycles.median > 0 and .cycles.median < 3000000' "$tmp/a.json"
"$K" bench --quick --batch 7 --only syscall --no-progress --json "$tmp/b.json" >/dev/null 2>&1
check "bench --batch 7: batches of 7, per-batch" jq -e '.results[0] | .batch == 7 and .mode == "per-batch"' "$tmp/b.json"

if command -v qemu-system-x86_64 >/dev/null && [ -f "$BUILD/kentry-kernel.elf" ]; then
	KENTRY_LIBEXEC="$BUILD" "$K" boot --icount --quick --batch 1 --variant minimal --only syscall,int-gate --no-progress --json "$tmp/k.json" >"$tmp/k.out" 2>"$tmp/k.err"
	rc=$?
	check "boot --icount --batch 1: status 0 (got $rc)" test $rc -eq 0
	check "the kernel was told batch=1" jq -e '.guest_environment["kernel.batch"] == 1' "$tmp/k.json"
	check "kernel: every sample a single round trip" jq -e '[.results[] | select(.status == "measured")] | length == 2 and all(.batch == 1)' "$tmp/k.json"
	check "kernel: a single syscall/sysretq is exactly 2 instructions" jq -e '.results[] | select(.id == "syscall") | .cycles.min == 2 and .cycles.max == 2' "$tmp/k.json"
else
	echo "# qemu-system-x86_64 or the kernel missing: the kernel's single-call mode is not tested"
fi
echo "1..$n"
[ $bad -eq 0 ]
