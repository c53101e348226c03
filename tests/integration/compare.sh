#!/bin/sh
# kentry compare on fixture pairs made from real runs (tests/fixtures/
# results/README.md): two quiet runs of one build show no significant
# change; the same run with one path doubled shows that path, and only it,
# as significant; instruction counts and ticks, or the bench and the boot
# worlds, are refused unless forced; the environment facts that differ
# (another kernel) are listed above the table; rows of one run only show
# that run's figure; version 1 files compare too; the exports hold the
# same verdicts.
set -u
. "$(dirname "$0")/../lib.sh"
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
FX=tests/fixtures/results
Q1=$FX/bench-quiet-1.json
Q2=$FX/bench-quiet-2.json
MEASURED=14 # the Linux paths measured in the fixtures (sysenter-32 is skipped there)

# no change: two quiet runs of the same build
"$K" compare "$Q1" "$Q2" --json "$tmp/quiet.json" >"$tmp/quiet.out" 2>"$tmp/quiet.err"
check "quiet pair: status 0 (got $?)" test $? -eq 0
check "quiet pair: every measured path 'no significant change'" sh -c "test \$(grep -c 'no significant change' '$tmp/quiet.out') -eq $MEASURED"
check "quiet pair: nothing significant" sh -c "! grep -q 'significant (' '$tmp/quiet.out'"
check "quiet pair: the JSON export agrees" jq -e "[.rows[] | select(.verdict == \"no significant change\")] | length == $MEASURED" "$tmp/quiet.json"
check "quiet pair: intervals from the saved rounds (bootstrap)" jq -e '[.rows[] | select(.interval_method != null) | .interval_method] | unique == ["rounds"]' "$tmp/quiet.json"
check "quiet pair: the environments agree" grep -q "The two environments agree" "$tmp/quiet.out"

# a real change: the documented transformation of the README (syscall's
# figures and samples doubled in the second run)
jq '(.results[] | select(.id == "syscall")) |= (
	.cycles |= with_entries(if .key == "samples" or .key == "spread" then . else .value *= 2 end) |
	.ns |= with_entries(if .key == "samples" or .key == "spread" then . else .value *= 2 end) |
	.samples |= map(. * 2) |
	.rounds |= (.medians |= map(. * 2) | .headline *= 2 | .headline_ns *= 2))' "$Q2" >"$tmp/doubled.json"
"$K" compare "$Q1" "$tmp/doubled.json" --json "$tmp/dbl.json" --csv "$tmp/dbl.csv" --markdown "$tmp/dbl.md" >"$tmp/dbl.out" 2>&1
check "doubled: status 0" test $? -eq 0
check "doubled: syscall is 'significant (slower)'" grep -q "^  syscall .*significant (slower)$" "$tmp/dbl.out"
check "doubled: about +100 %" jq -e '.rows[] | select(.id == "syscall") | .verdict == "significant" and .direction == "slower" and (.percent > 95 and .percent < 105) and (.percent_interval[0] > 90)' "$tmp/dbl.json"
check "doubled: every other path 'no significant change'" jq -e "[.rows[] | select(.verdict == \"no significant change\")] | length == $((MEASURED - 1))" "$tmp/dbl.json"
check "doubled: CSV export" grep -q "^linux,syscall,,null,tsc-ticks,.*,significant,slower," "$tmp/dbl.csv"
check "doubled: Markdown export" grep -q "^| \`syscall\` | .* | significant (slower) |$" "$tmp/dbl.md"
"$K" compare "$tmp/doubled.json" "$Q1" >"$tmp/rev.out" 2>&1
check "the other way round: 'significant (faster)'" grep -q "^  syscall .*significant (faster)$" "$tmp/rev.out"
"$K" compare "$Q1" "$tmp/doubled.json" --json - >"$tmp/stdout.json" 2>/dev/null
check "--json -: the comparison alone on standard output" jq -e '.schema == "kentry-comparison"' "$tmp/stdout.json"

# instruction counts against ticks: refused, or forced with a warning
"$K" compare $FX/boot-tcg.json $FX/boot-icount.json >"$tmp/units.out" 2>"$tmp/units.err"
check "icount vs ticks: status 2 (got $?)" test $? -eq 2
check "icount vs ticks: says why, suggests --force" grep -q "OLD counts TSC ticks, NEW counts guest instructions.*--force" "$tmp/units.err"
check "icount vs ticks: no table" test ! -s "$tmp/units.out"
"$K" compare --force $FX/boot-tcg.json $FX/boot-icount.json >"$tmp/forced.out" 2>"$tmp/forced.err"
check "forced: status 0" test $? -eq 0
check "forced: the warning in the header" sh -c "sed -n '5p' '$tmp/forced.out' | grep -q '^WARNING: in the bare-metal world'"
check "forced: the warning on stderr too" grep -q "^kentry: warning: in the bare-metal world" "$tmp/forced.err"
check "forced: no verdict on incomparable figures" sh -c "grep -q '^  syscall .*not comparable (different units)' '$tmp/forced.out' && ! grep -q 'significant (\\|no significant' '$tmp/forced.out'"
check "forced: icount and the QEMU command line differ above the table" sh -c "grep -q 'guest icount  *off -> shift=0' '$tmp/forced.out' && grep -q 'guest qemu.cmdline' '$tmp/forced.out'"

# the bench world against the boot world
"$K" compare "$Q1" $FX/boot-tcg.json >/dev/null 2>"$tmp/worlds.err"
check "bench vs boot: status 2" test $? -eq 2
check "bench vs boot: says no path is in both" grep -q "OLD holds the linux world, NEW the bare-metal world: no path is in both" "$tmp/worlds.err"

# another kernel: the facts that differ come first (a documented
# transformation of the second quiet run, see the README)
jq '.environment["kernel.release"] = "6.1.0-18-amd64" | .environment["kernel.version"] = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1" |
    .environment.kpti = true | .environment["vulnerabilities.meltdown"] = "Mitigation: PTI" |
    .environment["kernel.cmdline_mitigations"] = ["pti=on"] | .environment["cpu.microcode"] = "0x1000066"' "$Q2" >"$tmp/kernel.json"
"$K" compare "$Q1" "$tmp/kernel.json" >"$tmp/kernel.out" 2>&1
check "another kernel: status 0" test $? -eq 0
check "another kernel: the release, KPTI, mitigations and microcode listed" sh -c "grep -q '^  kernel.release  *6.18.*-> 6.1.0-18-amd64' '$tmp/kernel.out' && grep -q '^  kpti  *no -> yes' '$tmp/kernel.out' && grep -q '^  vulnerabilities.meltdown  *Not affected -> Mitigation: PTI' '$tmp/kernel.out' && grep -q '^  kernel.cmdline_mitigations' '$tmp/kernel.out' && grep -q '^  cpu.microcode  *0x1000065 -> 0x1000066' '$tmp/kernel.out'"
check "another kernel: listed above the table" sh -c "[ \$(grep -n 'kpti' '$tmp/kernel.out' | cut -d: -f1) -lt \$(grep -n '^  path' '$tmp/kernel.out' | cut -d: -f1) ]"

# rows in one run only, and a variant
jq 'del(.results[] | select(.id == "vdso")) | .results += [(.results[0] | .variant = "full")]' "$Q2" >"$tmp/rows.json"
"$K" compare "$Q1" "$tmp/rows.json" >"$tmp/rows.out" 2>&1
check "a path only in OLD shows OLD's figure" grep -q "^  vdso  *4\.80  *-  .*only in OLD$" "$tmp/rows.out"
check "a variant only in NEW shows NEW's figure" grep -q "^  syscall full  *-  *397\.1 .*only in NEW$" "$tmp/rows.out"

# a version 1 file against a version 2 file: intervals from the quartiles
"$K" compare $FX/bench-v1.json "$Q1" >"$tmp/v1.out" 2>&1
check "version 1 vs 2: status 0" test $? -eq 0
check "version 1 vs 2: intervals marked as from the quartiles" grep -q "^\* nothing to resample in a file" "$tmp/v1.out"
"$K" compare --ns "$Q1" "$Q2" >"$tmp/ns.out" 2>&1
check "--ns: figures in nanoseconds" sh -c "grep -q 'headline per call in nanoseconds' '$tmp/ns.out' && grep -q '^  syscall  *152\.' '$tmp/ns.out'"
echo "1..$n"
[ $bad -eq 0 ]
