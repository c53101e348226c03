#!/bin/sh
# kentry's test runner: every unit test (plain and under ASan+UBSan), then
# every integration script in tests/integration/. A unit test is a TAP
# program that exits 0 when every check passed. An integration script exits
# 0 (pass), 77 (skipped: it prints why) or anything else (fail).
# The last line is "N passed, N failed, N skipped".
set -u
BUILD=${BUILD:-build}
export BUILD
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 skip=0
failed=""
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

run_one() { # name command...
	name=$1
	shift
	out="$log/$(echo "$name" | tr '/' '_')"
	"$@" >"$out" 2>&1
	rc=$?
	checks=$(grep -c '^ok ' "$out")
	bad=$(grep -c '^not ok ' "$out")
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "PASS  $name ($checks checks)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1))
		echo "SKIP  $name: $(tail -n 1 "$out")"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "FAIL  $name (exit $rc, $bad failing checks)"
		grep -A3 '^not ok ' "$out" | head -n 40 | sed 's/^/      /'
		tail -n 15 "$out" | sed 's/^/    | /'
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
for t in "$BUILD"/tests-san/test_*; do
	[ -x "$t" ] || continue
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		run_one "asan+ubsan/$(basename "$t")" "$t"
done
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	run_one "integration/$(basename "$t" .sh)" sh "$t"
done
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
