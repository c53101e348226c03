#!/bin/sh
# kentry plot writes an SVG chart of saved runs: every path name as real
# text, axes with their units, run labels, the environments; bars, --log and
# --kind dist; bad requests refused. (plot_render.sh renders the charts in
# a browser.)
set -u
. "$(dirname "$0")/../lib.sh"
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
FX=tests/fixtures/results
LINUX_IDS="syscall syscall-enosys libc-syscall int80-64 int80-32 vsyscall32-entry sysenter-32 syscall-32 vsyscall vdso vdso-32 ud2-sigill int3-sigtrap pagefault-sigsegv sud-sigsys"
BARE_IDS="int-gate trap-gate call-gate sysenter syscall compat-int80 compat-sysenter compat-syscall compat-call-gate exc-ud exc-ud-locknop exc-bp exc-pf exc-de exc-gp syscall/iretq sysenter/iretq int-gate/sysretq call-gate/iretq"
has_text() { grep -q ">$2</text>" "$1"; }

"$K" plot $FX/bench-quiet-1.json $FX/bench-quiet-2.json $FX/boot-tcg.json -o "$tmp/bars.svg" 2>"$tmp/bars.err"
check "bars: status 0" test $? -eq 0
check "bars: an SVG document" sh -c "head -2 '$tmp/bars.svg' | grep -q '<svg xmlns=\"http://www.w3.org/2000/svg\"' && tail -1 '$tmp/bars.svg' | grep -q '^</svg>$'"
for id in $LINUX_IDS $BARE_IDS; do
	check "bars: '$id' as text" has_text "$tmp/bars.svg" "$id"
done
check "bars: one bar per measured path and run (2 x 14 + 16)" sh -c "test \$(grep -c '<rect x=\"[0-9.]*\" y=\"[0-9.]*\" width=\"[0-9.]*\" height=\"12.0\"' '$tmp/bars.svg') -eq 44"
check "bars: a whisker per bar" sh -c "test \$(grep -c 'stroke-width=\"1.2\"' '$tmp/bars.svg') -eq 44"
check "bars: the unit on the axis" grep -q ">TSC ticks per call (bar: headline; whisker: 25th to 75th percentile)</text>" "$tmp/bars.svg"
check "bars: a nanosecond axis" grep -q ">ns (TSC 2.596 GHz)</text>" "$tmp/bars.svg"
check "bars: run names from the files" sh -c "grep -q '>bench-quiet-1 (kentry' '$tmp/bars.svg' && grep -q '>boot (kentry\\|>boot-tcg (kentry' '$tmp/bars.svg'"
check "bars: the environments in the caption" sh -c "grep -q '>Environments</text>' '$tmp/bars.svg' && grep -q 'KPTI no' '$tmp/bars.svg' && grep -q 'QEMU 7.* tcg, CPU model' '$tmp/bars.svg'"
check "bars: skipped paths say why" grep -q ">skipped: sysenter from 32-bit code raises #UD" "$tmp/bars.svg"

"$K" plot $FX/bench-quiet-1.json $FX/boot-icount.json --log --label "host" --label "icount" --title "A & B <test>" -o "$tmp/log.svg" 2>/dev/null
check "--log, --label, --title: status 0" test $? -eq 0
check "--log: a logarithmic axis" grep -q "logarithmic scale" "$tmp/log.svg"
check "--label: the labels" sh -c "grep -q '>host (kentry' '$tmp/log.svg' && grep -q '>icount (kentry' '$tmp/log.svg'"
check "--title: escaped for XML" grep -q ">A &amp; B &lt;test&gt;</text>" "$tmp/log.svg"
check "icount: its own unit" grep -q "guest instructions per call" "$tmp/log.svg"

# a Bochs run (its guest environment as Bochs records it): the caption names
# Bochs and its model, not QEMU
jq '.guest_environment |= (del(.accel, .["qemu.version"], .["qemu.cpu"], .["qemu.cmdline"], .["qemu.append"]) + {emulator: "bochs", "emulator.version": "2.7", "emulator.cpu": "ryzen", icount: "bochs"})' $FX/boot-icount.json >"$tmp/bochs.json"
"$K" plot "$tmp/bochs.json" -o "$tmp/bochs.svg" 2>"$tmp/bochs.err"
check "a Bochs run: status 0 (got $?)" test $? -eq 0
check "a Bochs run: the caption names Bochs, its version and model" sh -c "grep -q 'bare-metal world: Bochs 2.7, CPU model ryzen (its TSC counts instructions)' '$tmp/bochs.svg' && ! grep -q 'QEMU' '$tmp/bochs.svg'"
check "a Bochs run: instructions on the axis" grep -q "guest instructions per call" "$tmp/bochs.svg"

"$K" plot $FX/bench-quiet-1.json --kind dist --log -o "$tmp/dist.svg" 2>/dev/null
check "--kind dist: status 0" test $? -eq 0
check "--kind dist: a box per measured path" sh -c "test \$(grep -c 'fill-opacity=\"0.35\"' '$tmp/dist.svg') -eq 14"
check "--kind dist: outliers drawn" grep -q "<circle " "$tmp/dist.svg"
"$K" plot $FX/bench-v1.json --kind dist -o "$tmp/dist1.svg" 2>/dev/null
check "--kind dist of a file without samples: min to max, says so" grep -q "min-max: no samples in the file" "$tmp/dist1.svg"
"$K" plot $FX/bench-quiet-1.json --world bare-metal -o "$tmp/none.svg" >/dev/null 2>"$tmp/none.err"
check "nothing to draw: status 1, no file" sh -c "test $? -eq 1 && test ! -e '$tmp/none.svg' && grep -q 'nothing to draw' '$tmp/none.err'"
"$K" plot $FX/bench-quiet-1.json -o - >"$tmp/stdout.svg" 2>/dev/null
check "-o -: the SVG on standard output" grep -q "^<svg " "$tmp/stdout.svg"
"$K" plot $FX/bench-quiet-1.json -o "$tmp/x.png" 2>"$tmp/png.err"
check "-o x.png: status 2, says SVG" sh -c "test $? -eq 2 && grep -q 'plot writes SVG' '$tmp/png.err'"
"$K" plot $FX/bench-quiet-1.json >/dev/null 2>&1
check "no -o: status 2" test $? -eq 2
"$K" plot $FX/bench-quiet-1.json $FX/bench-quiet-2.json --label one -o "$tmp/l.svg" 2>/dev/null
check "one --label for two files: status 2" test $? -eq 2
echo "1..$n"
[ $bad -eq 0 ]
