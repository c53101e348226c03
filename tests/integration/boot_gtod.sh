#!/bin/sh
# kentry boot --op gettimeofday: the seed's table on kentry's kernel, under
# QEMU TCG on an Intel and an AMD model: every row measured (or skipped as
# the vendor documents), the Linux world's ids, op "gettimeofday", the
# vsyscall page's two modes as variants, __kernel_vsyscall's entry named;
# under --icount the counts are exact and the vDSO never enters the kernel
# (a fraction of any system call's count); with --mitigations kpti every
# row plain and with KPTI, the vDSO paying nothing and every entering row
# kpti's budget, and compare's with/without table; --only and the usage
# errors. About 6 s.
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

# With and without KPTI from one kernel (docs/mitigations.md): every row
# plain and full+kpti (vsyscall's emulate+kpti, native+kpti), the plain
# counts those of a boot without mitigations; the vDSO rows do not enter
# the kernel and pay nothing; every row that enters pays kpti's budget: 11
# instructions through the full stubs (3 + 3 for the two CR3 switches, 5
# for the selection: mitigations.md "Figures"), 5 for vsyscall@emulate,
# whose #PF enters through trap_common (its switch back to the kernel's
# tables is 3 instructions more when taken, the one back to the twin 2:
# entry.S). kpti-pcid: skipped under TCG (no PCID), run under Bochs
# (exec_bochs). The process's own KPTI self-check passes (--verbose: the
# console).
"$K" boot --op gettimeofday --accel tcg --cpu intel --icount --quick --no-progress --verbose \
	--mitigations kpti,kpti-pcid --json "$tmp/kp.json" >"$tmp/kp.out" 2>"$tmp/kp.err"
rc=$?
check "--mitigations kpti,kpti-pcid --icount: status 0" test $rc -eq 0
check "kpti: the process's user tables hold only user pages and the trampoline (self-check)" \
	grep -q "^ok .* KPTI process (gettimeofday): user tables map only user pages and the entry trampoline: .* 0 else" "$tmp/kp.err"
check "kpti: the process's user tables' user half is the process's (self-check)" \
	grep -q "^ok .* KPTI process (gettimeofday): the user tables' user half is the process's" "$tmp/kp.err"
cnt() { # json id variant-or-empty: the median count
	jq -r --arg id "$2" --arg v "$3" '.results[] | select(.world == "bare-metal" and .id == $id and ((.variant // "") == $v)) | .cycles.median' "$1"
}
for r in $ROWS; do
	id=${r%@*} form=
	[ "$id" = "$r" ] || form=${r#*@}
	plain=$(cnt "$tmp/kp.json" "$id" "$form") kp=$(cnt "$tmp/kp.json" "$id" "${form:-full}+kpti")
	echo "# icount $r plain $plain kpti $kp"
	check "$r: plain count as without mitigations ($plain)" test "$plain" = "$(cnt "$tmp/ic.json" "$id" "$form")"
	case $r in
	vdso|vdso-32) want=0 ;;       # no entry: nothing to switch
	vsyscall@emulate) want=5 ;;   # trap_common's switches
	*) want=11 ;;                 # the full stubs' kpti budget
	esac
	check "$r: full+kpti adds $want instructions ($plain -> $kp)" \
		awk -v a="$plain" -v b="$kp" -v w="$want" 'BEGIN { exit !(b - a == w) }'
done
check "kpti-pcid: every row skipped under TCG, saying why (no PCID)" \
	jq -e '[.results[] | select(.variant // "" | test("kpti-pcid$")) | .status == "skipped" and (.reason | test("no PCID"))] | (length == 10 and all)' "$tmp/kp.json"
# the seed's with/without table from two saved boots
"$K" compare "$tmp/ic.json" "$tmp/kp.json" >"$tmp/cmp.out" 2>&1
rc=$?
check "compare plain vs kpti: the with/without table (status $rc)" eval '[ $rc -le 1 ] &&
	grep -Eq "^  syscall full\+kpti +[0-9.]+ +[0-9.]+ +\+11\.00 .*significant \(slower\)" "$tmp/cmp.out" &&
	grep -Eq "^  vdso full\+kpti +51\.00 +51\.00 +\+0\.00 .*no significant change" "$tmp/cmp.out" &&
	grep -Eq "^  vsyscall emulate\+kpti vs emulate .*\+5\.00" "$tmp/cmp.out"'
# A set with more than KPTI: vsyscall@emulate's #PF enters through
# trap_common, which has KPTI's switch only, so its row is skipped saying
# so (not measured without the mitigation); @native enters through the
# full syscall stub and pays swapgs's budget (6: mitigations.md).
"$K" boot --op gettimeofday --accel tcg --cpu intel --icount --quick --no-progress \
	--only vsyscall --mitigations kpti,swapgs --json "$tmp/sw.json" >/dev/null 2>&1
check "kpti,swapgs: vsyscall@emulate+swapgs and +all skipped (trap_common has only KPTI's switch), +kpti measured" \
	jq -e '([.results[] | select(.id == "vsyscall" and (.variant == "emulate+swapgs" or .variant == "emulate+all")) |
		.status == "skipped" and (.reason | test("trap_common.*swapgs would not run"))] | length == 2 and all) and
		([.results[] | select(.variant == "emulate+kpti") | .status] == ["measured"])' "$tmp/sw.json"
check "kpti,swapgs: vsyscall@native+swapgs adds 6 instructions" \
	awk -v a="$(cnt "$tmp/sw.json" vsyscall native)" -v b="$(cnt "$tmp/sw.json" vsyscall native+swapgs)" 'BEGIN { exit !(b - a == 6) }'
# harden_off=kpti_exit: the exits leave ring 3 on the process's kernel tables:
# each entering row's check catches it, the vDSO's (no exit) does not
KENTRY_BOOT_APPEND="harden_off=kpti_exit" "$K" boot --op gettimeofday --accel tcg --cpu intel --icount \
	--quick --no-progress --only syscall,vdso --mitigations kpti --json "$tmp/kx.json" >/dev/null 2>&1
check "harden_off=kpti_exit: syscall@full+kpti fails: ring 3 ran on the process's kernel tables" \
	jq -e '.results[] | select(.id == "syscall" and .variant == "full+kpti") | .status == "skipped" and (.reason | test("ring 3 ran on CR3"))' "$tmp/kx.json"

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
"$K" boot --op gettimeofday --touch-pages 8 2>"$tmp/u5.err"
rc=$?
check "--op gettimeofday --touch-pages: status 2" eval '[ $rc -eq 2 ] && grep -q "touch no pages" "$tmp/u5.err"'
"$K" list --world bare-metal --op gettimeofday >"$tmp/list.out"
check "list --op gettimeofday: the rows with their variants" eval 'grep -q "^vsyscall@native " "$tmp/list.out" && grep -q "^vdso-32 " "$tmp/list.out"'
echo "1..$n"
[ $bad -eq 0 ]
