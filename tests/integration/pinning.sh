#!/bin/sh
# Pinning: a CPU asked for with --cpu that this process may not use is a
# clear error (status 2, nothing measured, no file); by default kentry pins
# to a CPU it may use and says which. (Children that cannot be pinned are
# recorded as "not pinned": tests/unit/test_paths.c, under a seccomp filter.)
set -u
. "$(dirname "$0")/../lib.sh"
command -v taskset >/dev/null || { echo "taskset (util-linux) missing: cannot restrict the CPUs"; exit 77; }
ncpu=$(nproc)
first=$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')

taskset -c "$first" "$K" bench --quick --only syscall --no-progress --json "$tmp/a.json" >"$tmp/a.out" 2>"$tmp/a.err"
rc=$?
check "restricted to CPU $first, default pinning: status 0 (got $rc)" test $rc -eq 0
check "the environment names the CPU it pinned to" jq -e --arg c "$first" '.environment["cpu.pinned"] == ($c | tonumber)' "$tmp/a.json"
check "the table says pinned to CPU $first" grep -q "pinned to CPU $first" "$tmp/a.out"

if [ "$ncpu" -ge 2 ]; then
	other=$(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' | sed 's/-.*//' | grep -vx "$first" | head -n 1)
	[ -n "$other" ] || other=$((first + 1))
	taskset -c "$first" "$K" bench --quick --only syscall --cpu "$other" --no-progress --json "$tmp/b.json" >"$tmp/b.out" 2>"$tmp/b.err"
	rc=$?
	check "--cpu $other outside the allowed CPUs ($first): status 2 (got $rc)" test $rc -eq 2
	check "the error names the CPU and the allowed ones" grep -q "cannot pin to CPU $other: CPU $other is not among the CPUs this process may use ($first" "$tmp/b.err"
	check "the error is one line" test "$(wc -l <"$tmp/b.err")" -eq 1
	check "nothing measured, no file written" sh -c "! grep -q '^  syscall ' '$tmp/b.out' && test ! -e '$tmp/b.json'"
else
	echo "# one CPU only: the refused --cpu case needs two"
fi
"$K" bench --quick --only syscall --cpu 4095 --no-progress >"$tmp/c.out" 2>"$tmp/c.err"
rc=$?
check "--cpu 4095 (no such CPU): status 2 (got $rc)" test $rc -eq 2
check "--cpu 4095: says why" grep -q "cannot pin to CPU 4095" "$tmp/c.err"
echo "1..$n"
[ $bad -eq 0 ]
