#!/bin/sh
# The FRED mode where there is no FRED: QEMU 7.2's CPU models have none
# (CPUID.(EAX=7,ECX=1):EAX[17] = 0), so with --fred every fred-* path is
# skipped with that reason, in the same boot that measures the IDT paths;
# without --fred no fred-* id appears at all. Also the option's errors.
set -u
. "$(dirname "$0")/../lib.sh"
need_qemu_kernel

J="$tmp/f.json"
"$K" boot --fred --icount --cpu intel --quick --only syscall,fred-syscall,fred-int,fred-call-gate \
	--no-progress --kernel "$KERNEL" --json "$J" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "--fred on a CPU without FRED: exit 0 (got $rc)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
check "the kernel says the mode was asked for and why it is unavailable" jq -e '.guest_environment | .["kernel.fred"] | startswith("unavailable: no FRED on this CPU: CPUID.(EAX=7,ECX=1):EAX[17] = 0")' "$J"
check "every fred-* path, both variants, skipped with that reason" jq -e '[.results[] | select(.id | startswith("fred-"))] | length == 6 and all(.status == "skipped" and (.reason | test("no FRED on this CPU")))' "$J"
check "the IDT path of the same boot measured" jq -e '[.results[] | select(.id == "syscall")] | length == 2 and all(.status == "measured")' "$J"
check "no 'FRED beside the IDT' block without a FRED figure" sh -c "! grep -q 'FRED beside' '$tmp/out'"
jq -r '.results[] | select(.id == "fred-syscall" and .variant == null) | "# fred-syscall: \(.reason)"' "$J"

# without --fred (and no fred-* id named): the ids of the IDT only
"$K" boot --icount --cpu intel --quick --only syscall --no-progress --kernel "$KERNEL" --json "$tmp/n.json" >/dev/null 2>&1
check "without --fred: no fred-* result, the kernel's FRED mode off" jq -e '([.results[] | select(.id | startswith("fred-"))] | length == 0) and .guest_environment["kernel.fred"] == "off"' "$tmp/n.json"

# the self-test's FRED cases, asked for on a CPU without FRED: not run, saying why
"$K" boot --selftest --case 14 --accel tcg --cpu intel --no-progress --kernel "$KERNEL" --json "$tmp/st.json" >"$tmp/st.out" 2>&1
rc=$?
check "selftest --case 14 without FRED: status 0, its runs not run with the reason" sh -c "test $rc -eq 0 && jq -e '[.models[0].runs[] | select(.case == 14)] | length > 0 and all(.verdict == \"skip\" and (.observed | test(\"no FRED on this CPU\")))' '$tmp/st.json'"

# errors, before anything runs
"$K" boot --fred --mode legacy32 >/dev/null 2>"$tmp/e1"
rc=$?
check "--fred with --mode legacy32: usage error naming both (status $rc)" sh -c "test $rc -eq 2 && grep -q -- '--fred' '$tmp/e1' && grep -q legacy '$tmp/e1'"
"$K" boot --selftest --case 19 >/dev/null 2>"$tmp/e2"
rc=$?
check "--case 19: usage error naming 0 to 18 (status $rc)" sh -c "test $rc -eq 2 && grep -q '0 to 18' '$tmp/e2'"
"$K" bench --fred >/dev/null 2>&1
check "bench --fred: usage error (status $?)" test $? -eq 2

echo "1..$n"
[ $bad -eq 0 ]
