#!/bin/sh
# Bad input refused before anything runs, with one whole line (defects 4,
# 5 and 7 of issue 6): QEMU models asked of QEMU, real ranges for numbers,
# the CPUs kentry may run on, numeric environment variables, unknown help
# topics, long arguments shortened with the reason kept.
set -u
. "$(dirname "$0")/../lib.sh"
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }

one_line() { test "$(wc -l <"$1")" -eq 1; }

if command -v qemu-system-x86_64 >/dev/null; then
	"$K" boot --cpu foo --json "$tmp/cpu.json" >"$tmp/cpu.out" 2>"$tmp/cpu.err"
	check "boot --cpu foo: status 2 (got $?)" test $? -eq 2
	check "boot --cpu foo: one line naming how to list the models" sh -c "one() { test \$(wc -l <\$1) -eq 1; }; one '$tmp/cpu.err' && grep -q \"unknown QEMU CPU model 'foo'.*-cpu help\" '$tmp/cpu.err'"
	check "boot --cpu foo: nothing ran, no file" sh -c "test ! -s '$tmp/cpu.out' && test ! -e '$tmp/cpu.json'"
	"$K" --guest-cpu foo --json "$tmp/g.json" >"$tmp/g.out" 2>"$tmp/g.err"
	check "kentry --guest-cpu foo: status 2 (got $?)" test $? -eq 2
	check "kentry --guest-cpu foo: the Linux world did not run" sh -c "test ! -s '$tmp/g.out' && test ! -e '$tmp/g.json'"
	check "kentry --guest-cpu foo: one line" one_line "$tmp/g.err"
	"$K" boot --cpu epyc --only syscall --quick --accel tcg --no-progress --json "$tmp/epyc.json" >/dev/null 2>&1
	check "a model is matched without regard to case (epyc)" jq -e '.guest_environment["qemu.cpu"] == "EPYC"' "$tmp/epyc.json"
fi
"$K" boot --kernel "$tmp/none.elf" --json "$tmp/k.json" >"$tmp/k.out" 2>"$tmp/k.err"
check "missing kernel image: status 3" test $? -eq 3
check "missing kernel image: one line, no table, no file" sh -c "test \$(wc -l <'$tmp/k.err') -eq 1 && test ! -s '$tmp/k.out' && test ! -e '$tmp/k.json'"

"$K" boot --samples 1000000 >/dev/null 2>"$tmp/s.err"
check "boot --samples 1000000: status 2" test $? -eq 2
check "boot --samples: names the real range and why" grep -q "from 10 to 10000 (the bare-metal kernel keeps at most 10000" "$tmp/s.err"
"$K" --samples 20000 >/dev/null 2>"$tmp/s2.err"
check "kentry --samples 20000 (both worlds): status 2" test $? -eq 2
"$K" bench --samples 2000000 >/dev/null 2>"$tmp/s3.err"
check "bench --samples 2000000: status 2, range 10 to 1000000" sh -c "grep -q 'from 10 to 1000000' '$tmp/s3.err'"
"$K" bench --cpu 999 >"$tmp/c.out" 2>"$tmp/c.err"
check "bench --cpu 999: status 2" test $? -eq 2
check "bench --cpu 999: names the CPUs kentry may run on" grep -q "cannot pin to CPU 999: CPU 999 is not among the CPUs this process may use ([0-9]" "$tmp/c.err"
check "bench --cpu 999: nothing measured" test ! -s "$tmp/c.out"
"$K" help foo >/dev/null 2>"$tmp/h.err"
check "help foo: status 2" test $? -eq 2
check "help foo: an unknown command" grep -q "unknown command 'foo'" "$tmp/h.err"
"$K" help plot >"$tmp/h.out"
check "help plot: status 0, the plot options" sh -c "test $? -eq 0 && grep -q -- '--kind bars|dist' '$tmp/h.out'"
for v in abc 0 -5 1e3 99999999; do
	KENTRY_BOOT_TIMEOUT=$v "$K" boot >/dev/null 2>"$tmp/t.err"
	check "KENTRY_BOOT_TIMEOUT=$v: status 2 (got $?)" test $? -eq 2
done
check "KENTRY_BOOT_TIMEOUT: names the variable and the range" grep -q "bad KENTRY_BOOT_TIMEOUT='99999999': give a number from 1 to 86400 seconds" "$tmp/t.err"

# long arguments: shortened in the middle, the reason kept
long=$(printf 'x%.0s' $(seq 1 900))
"$K" bench --only "$long" >/dev/null 2>"$tmp/l.err"
check "a 900-character id: status 2" test $? -eq 2
check "a 900-character id: shortened with '...', the valid ids still named" sh -c "grep -q \"unknown id 'xx*\\.\\.\\.xx*' in --only: valid ids are syscall\" '$tmp/l.err' && test \$(wc -c <'$tmp/l.err') -lt 1000"
mid=$(printf 'x%.0s' $(seq 1 200))
"$K" show "$tmp/$mid/$mid/$mid.json" >/dev/null 2>"$tmp/l2.err"
check "a long missing file: the reason is at the end" grep -q "\.\.\.xx*\.json: no such file$" "$tmp/l2.err"
"$K" bench --json "$tmp/nodir/$long/r.json" >/dev/null 2>"$tmp/l3.err"
check "a long unwritable output: status 5, reason kept" sh -c "test $? -eq 5 && grep -q 'No such file or directory$' '$tmp/l3.err'"
esc=$(printf 'bad\033[31mred')
"$K" bench --only "$esc" >/dev/null 2>"$tmp/e.err"
check "an escape sequence in an argument is shown escaped" sh -c "grep -q 'bad\\\\e\\[31mred' '$tmp/e.err' && ! grep -q \"\$(printf '\\033')\" '$tmp/e.err'"
echo "1..$n"
[ $bad -eq 0 ]
