#!/bin/sh
# The whole host program under AddressSanitizer and UndefinedBehaviorSanitizer
# (build/kentry-san): every command, on good and bad input. Any report makes
# the program exit non-zero (-fno-sanitize-recover) or print to stderr.
set -u
. "$(dirname "$0")/../lib.sh"
S="$BUILD/kentry-san"
[ -x "$S" ] || { echo "not ok 1 - $S missing: run make test"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
clean() { ! grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error' "$1"; }

for op in null gettimeofday; do
	"$S" bench --quick --op $op --no-progress --json "$tmp/$op.json" --csv "$tmp/$op.csv" --markdown "$tmp/$op.md" >"$tmp/o" 2>"$tmp/e"
	check "bench --op $op under sanitizers exits 0" test $? -eq 0
	check "bench --op $op: no sanitizer report" clean "$tmp/e"
done
"$S" list >"$tmp/o" 2>"$tmp/e"
check "list exits 0" test $? -eq 0
check "list: no sanitizer report" clean "$tmp/e"
"$S" show "$tmp/null.json" >"$tmp/o" 2>"$tmp/e"
check "show exits 0" test $? -eq 0
"$S" compare "$tmp/null.json" "$tmp/null.json" --json "$tmp/cmp.json" --csv "$tmp/cmp.csv" --markdown "$tmp/cmp.md" >"$tmp/o" 2>>"$tmp/e"
check "compare exits 0" test $? -eq 0
"$S" compare "$tmp/null.json" "$tmp/gettimeofday.json" >"$tmp/o" 2>>"$tmp/e"
check "compare of different ops: status 2" test $? -eq 2
"$S" compare --force "$tmp/null.json" "$tmp/gettimeofday.json" >"$tmp/o" 2>>"$tmp/e"
check "compare --force exits 0" test $? -eq 0
check "show/compare: no sanitizer report" clean "$tmp/e"
FX=tests/fixtures/results
for f in $FX/*.json; do
	"$S" show "$f" --json - --csv "$tmp/f.csv" --markdown "$tmp/f.md" >"$tmp/o" 2>"$tmp/e"
	check "show $(basename "$f") and its exports: status 0, no sanitizer report" sh -c "test $? -eq 0 && ! grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error' '$tmp/e'"
done
"$S" compare $FX/bench-quiet-1.json $FX/bench-quiet-2.json --json "$tmp/c.json" --csv - >"$tmp/o" 2>"$tmp/e"
check "compare with bootstrap and exports: status 0" test $? -eq 0
"$S" compare --force $FX/boot-tcg.json $FX/boot-icount.json --markdown - >"$tmp/o" 2>>"$tmp/e"
check "compare --force: status 0" test $? -eq 0
"$S" compare $FX/bench-v1.json $FX/bench-quiet-1.json >"$tmp/o" 2>>"$tmp/e"
check "compare v1 with v2: status 0" test $? -eq 0
"$S" plot $FX/bench-quiet-1.json $FX/boot-tcg.json $FX/boot-icount.json --log -o "$tmp/p.svg" >"$tmp/o" 2>>"$tmp/e"
check "plot: status 0" test $? -eq 0
"$S" plot $FX/bench-quiet-1.json $FX/bench-v1.json --kind dist -o - >"$tmp/o" 2>>"$tmp/e"
check "plot --kind dist: status 0" test $? -eq 0
check "compare and plot: no sanitizer report" clean "$tmp/e"
head -c 300 "$tmp/null.json" >"$tmp/trunc.json"
"$S" show "$tmp/trunc.json" >"$tmp/o" 2>"$tmp/e"
check "truncated result file: status 6" test $? -eq 6
check "truncated result file: no sanitizer report" clean "$tmp/e"
for args in "bench --only x" "bench --samples 1e9" "boot --accel hvf" "--frob" "compare a"; do
	"$S" $args >"$tmp/o" 2>"$tmp/e"
	check "'$args': status 2" test $? -eq 2
	check "'$args': no sanitizer report" clean "$tmp/e"
done
F=tests/fixtures/serial
"$S" show --serial "$F/capture-ovmf.txt" --json "$tmp/cap.json" --csv "$tmp/cap.csv" >"$tmp/o" 2>"$tmp/e"
check "show --serial on a real capture exits 0" test $? -eq 0
"$S" show --serial "$F/capture-ovmf-truncated.txt" >"$tmp/o" 2>>"$tmp/e"
check "show --serial on a truncated capture: status 6" test $? -eq 6
"$S" show --serial "$F/capture-ovmf-corrupted.txt" >"$tmp/o" 2>>"$tmp/e"
check "show --serial on a corrupted capture: status 6" test $? -eq 6
check "show --serial: no sanitizer report" clean "$tmp/e"
if command -v bochs >/dev/null && command -v mformat >/dev/null && [ -f "$BUILD/kentry-kernel.iso" ]; then
	KENTRY_LIBEXEC="$BUILD" "$S" boot --emulator bochs --quick --only syscall,exc-pf --no-progress \
		--json "$tmp/bx.json" >"$tmp/o" 2>"$tmp/e"
	check "boot --emulator bochs under sanitizers exits 0" test $? -eq 0
	check "boot --emulator bochs: no sanitizer report" clean "$tmp/e"
fi
if command -v qemu-system-x86_64 >/dev/null && [ -f "$BUILD/kentry-kernel.elf" ]; then
	KENTRY_LIBEXEC="$BUILD" "$S" boot --quick --accel tcg --no-progress --json "$tmp/b.json" >"$tmp/o" 2>"$tmp/e"
	check "boot under sanitizers exits 0" test $? -eq 0
	check "boot: no sanitizer report" clean "$tmp/e"
	KENTRY_LIBEXEC="$BUILD" "$S" boot --selftest --case 2,9 --accel tcg --cpu intel,amd --no-progress \
		--json "$tmp/st.json" >"$tmp/o" 2>"$tmp/e"
	check "boot --selftest under sanitizers exits 0" test $? -eq 0
	KENTRY_LIBEXEC="$BUILD" "$S" boot --fuzz 300 --seed 3 --accel tcg --cpu amd --no-progress >"$tmp/o" 2>>"$tmp/e"
	check "boot --fuzz under sanitizers exits 0" test $? -eq 0
	KENTRY_LIBEXEC="$BUILD" "$S" boot --seed 3 --replay 12 --accel tcg --cpu intel --no-progress >"$tmp/o" 2>>"$tmp/e"
	check "boot --replay under sanitizers exits 0" test $? -eq 0
	check "selftest/fuzz/replay: no sanitizer report" clean "$tmp/e"
fi
if command -v qemu-system-x86_64 >/dev/null && [ -f "$BUILD/kentry-kernel32.elf" ]; then
	# both kernels in one run, the legacy paths beside their counterparts,
	# and that run shown again from its file
	KENTRY_LIBEXEC="$BUILD" "$S" boot --mode all --quick --accel tcg --no-progress --json "$tmp/b2.json" >"$tmp/o" 2>"$tmp/e"
	check "boot --mode all under sanitizers exits 0" test $? -eq 0
	"$S" show "$tmp/b2.json" >"$tmp/o" 2>>"$tmp/e"
	check "show of a two-kernel run exits 0, with the legacy paths beside long mode" sh -c "test $? -eq 0 && grep -q 'beside long mode' '$tmp/o'"
	check "boot --mode all, show: no sanitizer report" clean "$tmp/e"
fi
echo "1..$n"
[ $bad -eq 0 ]
