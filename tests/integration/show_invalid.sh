#!/bin/sh
# show, compare and plot read only valid result files (defect 6 of issue
# 6): each kind of invalid file is refused with the file, the field and the
# problem (status 6); strings from a file reach the terminal escaped; a
# directory or a missing file is status 3, not a malformed file; show
# --serial reads a capture the same way; version 1 files are still read and
# convert to version 2.
set -u
. "$(dirname "$0")/../lib.sh"
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
FX=tests/fixtures/results
F=$FX/bench-quiet-1.json
ESC=$(printf '\033')
BEL=$(printf '\007')

# invalid NAME JQ-FILTER EXPECTED-MESSAGE
invalid() {
	jq "$2" "$F" >"$tmp/$1.json" || { echo "not ok - jq failed for $1"; bad=$((bad + 1)); return; }
	"$K" show "$tmp/$1.json" >"$tmp/$1.out" 2>"$tmp/$1.err"
	rc=$?
	check "$1: status 6 (got $rc)" test $rc -eq 6
	check "$1: names the file, the field and the problem" grep -q "$tmp/$1.json: $3" "$tmp/$1.err"
	check "$1: one line, nothing on stdout" sh -c "test \$(wc -l <'$tmp/$1.err') -eq 1 && test ! -s '$tmp/$1.out'"
}
invalid world '.results[0].world = "mars"' "results\[0\] (syscall).world: unknown world 'mars'"
invalid negative '.results[0].cycles.median = -5' "results\[0\] (syscall).cycles.median: -5 is negative"
invalid order '.results[0].cycles.p25 = 1e6' "results\[0\] (syscall).cycles: p25 1e+06 is above median"
invalid duplicate '.results += [.results[0]]' "results\[15\] (syscall): a second result for the same world, id and variant"
invalid noversion 'del(.kentry_version)' "kentry_version: missing"
invalid nomedian 'del(.results[1].cycles.median)' "results\[1\] (syscall-enosys).cycles.median: missing"
invalid noreason 'del(.results[6].reason)' "results\[6\] (sysenter-32).reason: missing"
invalid nounit 'del(.results[0].unit)' "results\[0\] (syscall).unit: missing"
invalid badunit '.results[0].unit = "instructions"' "results\[0\] (syscall).unit: 'instructions', but"
invalid envtype '.environment["tsc.hz"] = "fast"' "environment.tsc.hz: expected a number or null, got a string"
invalid kpti '.environment.kpti = "yes"' "environment.kpti: expected true, false or null, got a string"
invalid samplecount '.results[0].samples |= .[1:]' "results\[0\] (syscall).samples: 399 values, but cycles.samples says 400"
invalid status '.results[0].status = "maybe"' "results\[0\] (syscall).status: 'maybe' is neither"
invalid future '.schema_version = 3' "schema_version: 3 is not one this kentry reads (1 to 2)"

# a number JSON cannot hold
sed '0,/"median": [0-9.]*/s//"median": 1e999/' "$F" >"$tmp/inf.json"
"$K" show "$tmp/inf.json" >/dev/null 2>"$tmp/inf.err"
check "non-finite figure: status 6 (got $?)" test $? -eq 6
check "non-finite figure: says the number overflows" grep -q "$tmp/inf.json: not valid JSON: real number overflow" "$tmp/inf.err"

# an escape sequence in an id is refused, and the message shows it escaped
jq '.results[0].id = "\u001b[31mred\u001b[0m"' "$F" >"$tmp/escid.json"
"$K" show "$tmp/escid.json" >"$tmp/escid.out" 2>"$tmp/escid.err"
check "escape sequence in an id: status 6" test $? -eq 6
check "escape sequence in an id: the message escapes it" grep -q 'results\[0\]\.id: .\\e\[31mred\\e\[0m. is not' "$tmp/escid.err"
check "escape sequence in an id: no raw ESC reaches the terminal" sh -c "! grep -q '$ESC' '$tmp/escid.err' '$tmp/escid.out'"
# ... and in free text (a reason, a note, an environment value) it is shown escaped
jq '.results[6].reason = "\u001b]0;owned\u0007 title" | .environment["cpu.name"] = "\u001b[2J wiped" | .results[0].note = "\u009b31m c1" | .kentry_version = "\u001b[5m" | .created = "\u001bc"' "$F" >"$tmp/esctext.json"
"$K" show "$tmp/esctext.json" >"$tmp/esctext.out" 2>"$tmp/esctext.err"
check "escape sequences in text: the file is valid (status 0)" test $? -eq 0
check "escape sequences in text: printed escaped" sh -c "grep -q 'skipped: \\\\e\\]0;owned\\\\x07 title' '$tmp/esctext.out' && grep -q '\\\\e\\[2J wiped' '$tmp/esctext.out' && grep -q '\\\\xc2\\\\x9b31m c1' '$tmp/esctext.out'"
check "escape sequences in text: no raw ESC, BEL or C1 on stdout" sh -c "! grep -q '$ESC\\|$BEL' '$tmp/esctext.out' && ! grep -q \"\$(printf '\\302\\233')\" '$tmp/esctext.out'"
"$K" show "$tmp/esctext.json" --csv - --markdown "$tmp/esc.md" >"$tmp/esc.csv" 2>/dev/null
check "escape sequences: CSV and Markdown views escaped too" sh -c "! grep -q '$ESC' '$tmp/esc.csv' '$tmp/esc.md'"
"$K" show "$tmp/esctext.json" --json "$tmp/back.json" >/dev/null 2>&1
check "escape sequences: kept exactly in a JSON copy" jq -e '.results[6].reason == "\u001b]0;owned\u0007 title"' "$tmp/back.json"

# not files: status 3 with the reason, not "malformed"
"$K" show "$tmp" >/dev/null 2>"$tmp/dir.err"
check "a directory: status 3 (got $?)" test $? -eq 3
check "a directory: 'is a directory'" grep -q "is a directory" "$tmp/dir.err"
"$K" show "$tmp/nosuch.json" >/dev/null 2>"$tmp/no.err"
check "a missing file: status 3 (got $?)" test $? -eq 3
check "a missing file: 'no such file'" grep -q "$tmp/nosuch.json: no such file" "$tmp/no.err"
"$K" compare "$F" "$tmp/world.json" >/dev/null 2>"$tmp/cmp.err"
check "compare refuses an invalid file too: status 6" test $? -eq 6
"$K" plot "$tmp/world.json" -o "$tmp/p.svg" >/dev/null 2>"$tmp/plot.err"
check "plot refuses an invalid file too: status 6, no chart" sh -c "test $? -eq 6 && test ! -e '$tmp/p.svg'"

# show --serial goes the same way: status 3 for what is not a file, 6 for
# a capture refused (one line, nothing on stdout), names escaped, the
# outputs planned before reading (the input is never an output), '-' is
# standard output alone
CAP=tests/fixtures/serial
"$K" show --serial "$tmp" >/dev/null 2>"$tmp/sdir.err"
check "show --serial, a directory: status 3 (got $?), 'is a directory'" sh -c "test $? -eq 3 && grep -q 'is a directory' '$tmp/sdir.err'"
"$K" show --serial "$tmp/nosuch.log" >/dev/null 2>"$tmp/sno.err"
check "show --serial, a missing file: status 3 (got $?)" test $? -eq 3
check "show --serial, a missing file: 'no such file'" grep -q "$tmp/nosuch.log: no such file" "$tmp/sno.err"
cp $CAP/capture-ovmf-corrupted.txt "$tmp/c${ESC}[31m.log"
"$K" show --serial "$tmp/c${ESC}[31m.log" >"$tmp/scor.out" 2>"$tmp/scor.err"
check "show --serial, a corrupted capture: status 6 (got $?), one line, nothing on stdout" sh -c "test $? -eq 6 && test \$(wc -l <'$tmp/scor.err') -eq 1 && test ! -s '$tmp/scor.out'"
check "show --serial: the capture's name escaped in the message" sh -c "grep -q 'c\\\\e\\[31m.log:[0-9]*: corrupted capture' '$tmp/scor.err' && ! grep -q '$ESC' '$tmp/scor.err'"
cp $CAP/capture-ovmf.txt "$tmp/cap.log"
"$K" show --serial "$tmp/cap.log" --json "$tmp/cap.log" >/dev/null 2>"$tmp/sin.err"
check "show --serial: the capture as an output is refused (status 2, got $?)" sh -c "test $? -eq 2 && grep -q 'is the input file' '$tmp/sin.err' && cmp -s '$tmp/cap.log' $CAP/capture-ovmf.txt"
"$K" show --serial "$tmp/cap.log" --json - >"$tmp/scap.json" 2>/dev/null
check "show --serial --json -: only the result file on stdout, valid" jq -e '.schema_version == 2 and ([.results[] | select(.world == "bare-metal")] | length) == 19 and (.results[] | select(.id == "syscall") | (.samples | length) == 200)' "$tmp/scap.json"
"$K" show "$tmp/scap.json" >/dev/null 2>&1
check "show --serial's result file reads back (status $?)" test $? -eq 0

# version 1 files are read, and convert to version 2
"$K" show $FX/bench-v1.json >"$tmp/v1.out" 2>&1
check "a version 1 file: shown (status 0)" test $? -eq 0
check "a version 1 file: its table" grep -q "^  syscall " "$tmp/v1.out"
"$K" show $FX/bench-v1.json --json "$tmp/v2.json" >/dev/null 2>&1
check "a version 1 file converts to version 2, typed" jq -e '.schema_version == 2 and (.environment["tsc.hz"] | type) == "number" and (.environment["cpu.invariant_tsc"] | type) == "boolean" and (.environment["kernel.cmdline_mitigations"] | type) == "array" and (.results[0].unit == "tsc-ticks")' "$tmp/v2.json"
"$K" show "$tmp/v2.json" --json "$tmp/v2b.json" >/dev/null 2>&1
check "and reads back to the same document" cmp -s "$tmp/v2.json" "$tmp/v2b.json"
echo "1..$n"
[ $bad -eq 0 ]
