#!/bin/sh
# kentry boot --op gettimeofday: the seed's table on kentry's kernel, under
# QEMU TCG on an Intel and an AMD model: every row measured (or skipped as
# the vendor documents), the Linux world's ids, op "gettimeofday", the
# vsyscall page's two modes as variants, __kernel_vsyscall's entry named;
# under --icount the counts are exact and the vDSO never enters the kernel
# (a fraction of any system call's count); --only and the usage errors.
# About 3 s.
. tests/lib.sh
need_qemu_kernel
export KENTRY_BOOT_TIMEOUT=60
ROWS="syscall int80-64 int80-32 vsyscall32-entry sysenter-32 syscall-32 vsyscall@emulate vsyscall@native vdso vdso-32"
tokens() { # json: id[@variant] status, one per line
	jq -r '.results[] | select(.world == "bare-metal") | "\(.id)\(if .variant then "@" + .variant else "" end) \(.status) \(.op)"' "$1"
}
for v in intel amd; do
	"$K" boot --op gettimeofday --accel tcg --cpu $v --quick --no-progress --json "$tmp/$v.json" >"$tmp/$v.out" 2>"$tmp/$v.err"
	rc=$?
	check "$v: status 0" test $rc -eq 0
	tokens "$tmp/$v.json" >"$tmp/$v.tok"
	check "$v: the ten rows, in the registry's order" test "$(cut -d' ' -f1 "$tmp/$v.tok" | tr '\n' ' ')" = "$ROWS "
	check "$v: every row op gettimeofday" eval '! grep -qv " gettimeofday$" "$tmp/$v.tok"'
	check "$v: every row measured (TCG runs the vendors' #UD cases, with a note)" eval '! grep -q " skipped " "$tmp/$v.tok"'
	check "$v: the table's title" grep -q "gettimeofday through every Linux path on kentry's kernel" "$tmp/$v.out"
	check "$v: the vDSO is an order of magnitude below a system call" \
		jq -e '([.results[] | select(.id == "vdso")][0].cycles.median * 5) < ([.results[] | select(.id == "syscall")][0].cycles.median)' "$tmp/$v.json"
done
check "intel: __kernel_vsyscall enters with sysenter" jq -e '.results[] | select(.id == "vsyscall32-entry") | .note | test("enters with sysenter")' "$tmp/intel.json"
check "amd: __kernel_vsyscall enters with syscall" jq -e '.results[] | select(.id == "vsyscall32-entry") | .note | test("enters with syscall")' "$tmp/amd.json"
check "amd: raw sysenter noted as departing from AMD's #UD" jq -e '.results[] | select(.id == "sysenter-32") | .note | test("AMD documents #UD")' "$tmp/amd.json"
check "intel: raw 32-bit syscall noted as departing from Intel's #UD" jq -e '.results[] | select(.id == "syscall-32") | .note | test("Intel documents #UD")' "$tmp/intel.json"

# exact counts
"$K" boot --op gettimeofday --accel tcg --cpu intel --icount --quick --no-progress --json "$tmp/ic.json" >/dev/null 2>&1
rc=$?
check "--icount: status 0" test $rc -eq 0
check "--icount: every row deterministic (min = max)" jq -e '[.results[] | select(.world == "bare-metal") | .cycles.min == .cycles.max] | all' "$tmp/ic.json"
check "--icount: the vDSO's gettimeofday under half the cheapest system call's instructions" \
	jq -e '([.results[] | select(.id | test("^vdso")) | .cycles.median] | max) * 2 < ([.results[] | select(.id | test("^vdso") | not) | .cycles.median] | min)' "$tmp/ic.json"
jq -r '.results[] | "# icount \(.id)\(if .variant then "@" + .variant else "" end) \(.cycles.median)"' "$tmp/ic.json"

# --only, by the Linux world's ids; a path of the other op refused
"$K" boot --op gettimeofday --accel tcg --cpu intel --quick --no-progress --only vdso,vsyscall --json "$tmp/only.json" >/dev/null 2>&1
check "--only vdso,vsyscall: vdso and both vsyscall modes" test "$(tokens "$tmp/only.json" | cut -d' ' -f1 | tr '\n' ' ')" = "vsyscall@emulate vsyscall@native vdso "
"$K" boot --op gettimeofday --only int-gate 2>"$tmp/u1.err"
rc=$?
check "--op gettimeofday --only int-gate: status 2, the gettimeofday ids listed" eval '[ $rc -eq 2 ] && grep -q "vsyscall32-entry" "$tmp/u1.err"'
"$K" boot --op gettimeofday --variant full 2>"$tmp/u2.err"
rc=$?
check "--op gettimeofday --variant full: status 2" eval '[ $rc -eq 2 ] && grep -q "always the full ones" "$tmp/u2.err"'
"$K" boot --op gettimeofday --mode legacy32 2>"$tmp/u3.err"
rc=$?
check "--op gettimeofday --mode legacy32: status 2 (the legacy kernel runs no programs)" eval '[ $rc -eq 2 ] && grep -q "runs no programs" "$tmp/u3.err"'
"$K" boot --op gettimeofday --fred 2>"$tmp/u4.err"
rc=$?
check "--op gettimeofday --fred: status 2" eval '[ $rc -eq 2 ] && grep -q "drop --fred" "$tmp/u4.err"'
"$K" list --world bare-metal --op gettimeofday >"$tmp/list.out"
check "list --op gettimeofday: the rows with their variants" eval 'grep -q "^vsyscall@native " "$tmp/list.out" && grep -q "^vdso-32 " "$tmp/list.out"'
echo "1..$n"
[ $bad -eq 0 ]
