#!/bin/sh
# `kentry bench --quick --json` on this machine: the document has the
# schema, and every Linux path id is present, measured with sane statistics
# or skipped with a reason. Then the saved file reads back (show, compare).
set -u
. "$(dirname "$0")/../lib.sh"

IDS="syscall syscall-enosys libc-syscall int80-64 int80-32 vsyscall32-entry sysenter-32 syscall-32 vsyscall vdso vdso-32 ud2-sigill int3-sigtrap pagefault-sigsegv sud-sigsys"

for op in null gettimeofday; do
	J="$tmp/$op.json"
	"$K" bench --quick --op "$op" --no-progress --json "$J" >"$tmp/$op.out" 2>"$tmp/$op.err"
	rc=$?
	check "bench --op $op exits 0 (got $rc)" test $rc -eq 0
	check "$op: JSON written" test -s "$J"
	check "$op: schema and version" jq -e '.schema == "kentry-results" and .schema_version == 2 and (.kentry_version|type) == "string"' "$J"
	check "$op: environment has the facts" jq -e '.environment | has("cpu.vendor") and has("kernel.release") and has("kpti") and has("vsyscall.mode") and has("tsc.hz") and has("tsc.method") and has("hypervisor") and has("cpu.invariant_tsc") and has("kernel.cmdline_mitigations")' "$J"
	check "$op: one result per id, nothing else" jq -e --arg ids "$IDS" '([.results[].id] | sort) == ($ids | split(" ") | sort)' "$J"
	for id in $IDS; do
		check "$op: $id measured with stats or skipped with a reason" jq -e --arg id "$id" '
			.results[] | select(.id == $id) |
			(.world == "linux") and (.op == $ARGS.named.op) and
			(if .status == "measured" then
				(.cycles | (.min <= .median) and (.median <= .p99) and (.stddev >= 0) and (.samples >= 10) and (.mean > 0))
				and (.ns == null or (.ns.median > 0))
			 elif .status == "skipped" then (.reason | type == "string" and length > 10)
			 else false end)' --arg op "$op" "$J"
	done
	check "$op: syscall was measured" jq -e '.results[] | select(.id == "syscall") | .status == "measured"' "$J"
	check "$op: every measured path in rounds (>= 3 of them, a median each), with its mode and flag" jq -e '
		[.results[] | select(.status == "measured")] | all(
			(.rounds.count >= 3) and ((.rounds.medians | length) == .rounds.count) and
			(.rounds.headline >= .cycles.min) and (.rounds.headline <= .cycles.max) and
			(.rounds.spread >= 0) and (.rounds.switched <= .rounds.count) and
			(.rounds.slow + .rounds.fast <= .rounds.count) and
			(.mode == (if .batch == 1 then "per-call" else "per-batch" end)) and
			(.disturbed | type == "boolean") and
			(if .disturbed then (.disturbance | type == "string") else .disturbance == null end))' "$J"
	check "$op: the table is in ticks and labels batch means" sh -c "grep -q 'per-batch statistics' '$tmp/$op.out' && grep -q 'batch means' '$tmp/$op.out' && grep -q ' ticks ' '$tmp/$op.out' && ! grep -q cycles '$tmp/$op.out'"
	check "$op: table printed every id" sh -c "for i in $IDS; do grep -q \"^  \$i \" '$tmp/$op.out' || exit 1; done"
done
check "gettimeofday: exception paths skipped as not offering it" jq -e '.results[] | select(.id == "ud2-sigill") | .status == "skipped"' "$tmp/gettimeofday.json"
check "gettimeofday: vdso measured" jq -e '.results[] | select(.id == "vdso") | .status == "measured"' "$tmp/gettimeofday.json"

# the saved file reads back and converts
check "show reads the file back" "$K" show "$tmp/null.json" --csv "$tmp/null.csv"
check "show's CSV has every id" sh -c "for i in $IDS; do grep -q \",\$i,null,\" '$tmp/null.csv' || exit 1; done"
check "compare runs on two saved runs" "$K" compare "$tmp/null.json" "$tmp/null.json"

# bad input: clear one-line errors, status 2, no file created
"$K" bench --only nosuch --json "$tmp/x.json" >/dev/null 2>"$tmp/e1"
rc=$?
check "unknown id: status 2 (got $rc)" test $rc -eq 2
check "unknown id: one line naming valid ids" sh -c "test \$(wc -l <'$tmp/e1') -eq 1 && grep -q 'valid ids are' '$tmp/e1'"
check "unknown id: no output file" test ! -e "$tmp/x.json"
"$K" bench --quick --json "$tmp/nodir/x.json" >/dev/null 2>"$tmp/e2"
rc=$?
check "unwritable output found before measuring: status 5 (got $rc)" test $rc -eq 5
check "unwritable output: nothing measured" sh -c "! grep -q measured '$tmp/e2'"
printf '{"schema":"kentry-results","schema_version":1}' >"$tmp/bad.json"
"$K" show "$tmp/bad.json" >/dev/null 2>"$tmp/e3"
rc=$?
check "malformed result file: status 6 (got $rc)" test $rc -eq 6
check "malformed result file: says what is wrong" grep -q "kentry_version" "$tmp/e3"

echo "1..$n"
[ $bad -eq 0 ]
