#!/bin/sh
# The FRED mode under a Bochs with FRED (its wildcat_lake model; found by
# need_fred_bochs: $KENTRY_BOCHS, else ../shared/tools/bochs-fred beside the
# repository; skipped, saying so, where there is none):
#   - kentry boot --fred: every fred-* path and its IDT counterpart in one
#     boot, deterministic instruction counts within their budgets (minimal
#     and full), the legacy transitions refused as FRED says, the FRED
#     MSRs and ring-0 delivery checked by the kernel's TAP lines, the
#     table's "FRED beside the IDT" blocks;
#   - kentry boot --selftest --fred: every case passes, the FRED cases
#     14 to 18 among them;
#   - each FRED hardening step switched off makes its case fail;
#   - with --mitigations kpti the fred-* paths are skipped (no mitigated
#     copy) and the self-test runs them unmitigated, named so.
# About 10 s here.
set -u
. "$(dirname "$0")/../lib.sh"
need_fred_bochs
KERNEL=${KERNEL:-$BUILD/kentry-kernel.elf}
B="--emulator bochs --cpu wildcat_lake --no-progress --kernel $KERNEL"
echo "# the FRED Bochs: $FRED_BOCHS"

J="$tmp/fred.json"
KENTRY_BOCHS=$FRED_BOCHS "$K" boot $B --fred --quick --verbose --json "$J" --csv "$tmp/fred.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "boot --fred under Bochs wildcat_lake: exit 0 (got $rc)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err" | tail -20
check "the guest had FRED and the kernel ran its FRED mode" jq -e '.guest_environment | .["cpu.fred"] == true and .["kernel.fred"] == "on" and (.["fred.stack_levels"] | test("#DB 1, NMI 2, #MC 2, #DF 3"))' "$J"

FRED_IDS="fred-syscall fred-sysenter fred-int fred-int3 fred-int80 fred-compat-int80 fred-compat-sysenter fred-compat-syscall fred-exc-ud fred-exc-pf fred-exc-gp fred-exc-de fred-call-gate fred-syscall/iretq fred-syscall/sysretq"
IDT_IDS="int-gate trap-gate call-gate sysenter syscall compat-int80 compat-sysenter compat-syscall compat-call-gate exc-ud exc-ud-locknop exc-bp exc-pf exc-de exc-gp syscall/iretq sysenter/iretq int-gate/sysretq call-gate/iretq"
check_results "$J" "$tmp/fred.csv" "$IDT_IDS $FRED_IDS" "minimal full"

# Budgets: Bochs counts every instruction, the event's one included (a
# faulting one too). Minimal: the event, the compare of its type and
# vector, the branch, ERETU (+ the RIP skip of a fault); the IDT's are 2
# and 3. Full: the one FRED entry (vector/kind push, 15 pushes, 15 clears,
# the C dispatcher with its classification, 15 pops) and ERETU.
jq -r '.results[] | select(.world == "bare-metal") | "\(.id)\(if .variant then "@" + .variant else "" end) \(.status) \(.cycles.min // "-") \(.cycles.median // "-") \(.cycles.max // "-")"' "$J" >"$tmp/counts"
check_budgets "$tmp/counts" "
fred-syscall 4 syscall, compare, branch, eretu
fred-sysenter 4
fred-int 4
fred-int3 4
fred-int80 4
fred-compat-int80 4
fred-compat-sysenter 4
fred-compat-syscall - Intel documents #UD outside 64-bit mode
fred-exc-ud 5 the faulting ud2, compare, branch, addq, eretu
fred-exc-pf 5
fred-exc-gp 5
fred-exc-de 5
fred-call-gate -
fred-syscall/iretq -
fred-syscall/sysretq -
fred-syscall@full 71
fred-sysenter@full 71
fred-int@full 71
fred-int3@full 72 an exception: RIP moved past it (skip 0), no RAX
fred-int80@full 71
fred-compat-int80@full 71
fred-compat-sysenter@full 71
fred-exc-ud@full 72
fred-exc-pf@full 72
fred-exc-gp@full 72
fred-exc-de@full 72
syscall 2
int-gate 2
syscall@full 100
int-gate@full 73
" "wildcat_lake"
check "the call gate is refused under FRED: #GP(0x48) in ring 3" jq -e '[.results[] | select(.id == "fred-call-gate") | .reason | test("general protection \\(error 0x48\\) in ring 3")] | all' "$J"
check "iretq back to ring 3 after a FRED event: #GP in ring 0" jq -e '[.results[] | select(.id == "fred-syscall/iretq") | .reason | test("iretq to ring 3.*general protection.*in ring 0")] | all' "$J"
check "sysretq after a FRED event: #UD in ring 0" jq -e '[.results[] | select(.id == "fred-syscall/sysretq") | .reason | test("sysretq.*invalid opcode.*in ring 0")] | all' "$J"
check "the minimal FRED rows say what the handler does (FRED has one entry point)" jq -e '[.results[] | select(.id == "fred-syscall" and .variant == null) | .note | test("compare the event.s type and vector")] | all' "$J"
check "the table: FRED beside the IDT, minimal and full, with the difference" sh -c "grep -q 'FRED beside the IDT on this CPU model, minimal variants' '$tmp/out' && grep -q 'FRED beside the IDT on this CPU model, full variants' '$tmp/out' && grep -Eq '^  fred-syscall +4.00 +syscall +2.00 +\\+2.00 +2.00' '$tmp/out'"
for t in "FRED MSRs read back" "CR4.FRED set while a FRED path is installed" "with CR4.FRED set, IRETQ within ring 0 still returns" \
	"ud2 in ring 0 under FRED: event type 3 vector 6 at the ring-0 entry .*: yes" \
	"int1 in ring 0 under FRED: #DB \(type 5\) raised to stack level 1: on the #DB stack \(IA32_FRED_RSP1\): yes"; do
	check "the kernel's FRED self-check passed: $t" grep -Eq "^ok [0-9]+ - $t" "$tmp/err"
done
grep -E "FRED beside|^  fred-(syscall|int) " "$tmp/out" | sed 's/^/# /'

# the self-test with the FRED cases
KENTRY_BOCHS=$FRED_BOCHS "$K" boot --emulator bochs --selftest --fred --cpu wildcat_lake --no-progress \
	--kernel "$KERNEL" --json "$tmp/st.json" >"$tmp/st.out" 2>&1
rc=$?
echo "# $(grep -E '^wildcat_lake: ' "$tmp/st.out")"
check "selftest --fred: every case passes (status $rc)" test $rc -eq 0
[ $rc -eq 0 ] || grep -B1 -A3 ' fail ' "$tmp/st.out" | head -30 | sed 's/^/# /'
for c in 14 15 16 17 18; do
	check "FRED case $c ran and passed" jq -e --argjson c "$c" '[.models[0].runs[] | select(.case == $c)] | length > 0 and all(.verdict == "pass")' "$tmp/st.json"
done
for c in 0 3 4 10 13; do
	check "case $c ran through fred-syscall@full too, and passed" jq -e --argjson c "$c" '[.models[0].runs[] | select(.case == $c and .path == "fred-syscall@full")] | length > 0 and all(.verdict == "pass")' "$tmp/st.json"
done
check "case 0: fred-compat-syscall not run (#UD, as Intel documents), nothing else skipped among the FRED runs" jq -e '[.models[0].runs[] | select((.path | startswith("fred-")) and .verdict == "skip") | .path] | unique == ["fred-compat-syscall@full"]' "$tmp/st.json"
check "case 17: a single step right after the syscall, none in ring 0" jq -e '[.models[0].runs[] | select(.case == 17) | .observed | test("one right after the entry instruction.*#DB in ring 0: 0")] | all' "$tmp/st.json"
check "case 16: the #DF on its own stack level" jq -e '[.models[0].runs[] | select(.case == 16) | .observed | test("on the #DF stack \\(level 3\\): yes")] | all' "$tmp/st.json"

# FRED with mitigations (docs/mitigations.md): the IDT and MSR paths get
# their mitigated variants, the fred-* ones have no mitigated copy and say
# so; the self-test runs the fred-* paths unmitigated and names them so
KENTRY_BOCHS=$FRED_BOCHS "$K" boot $B --fred --quick --mitigations kpti --only syscall,fred-syscall \
	--json "$tmp/fm.json" >"$tmp/fm.out" 2>&1
rc=$?
check "boot --fred --mitigations kpti: exit 0 (got $rc)" test $rc -eq 0
check "syscall@full+kpti measured beside fred-syscall@full" jq -e '[.results[] | select((.id == "syscall" or .id == "fred-syscall") and (.variant == "full" or .variant == "full+kpti")) | "\(.id)@\(.variant) \(.status)"] | sort == ["fred-syscall@full measured", "fred-syscall@full+kpti skipped", "syscall@full measured", "syscall@full+kpti measured"]' "$tmp/fm.json"
check "fred-syscall@full+kpti: skipped, no mitigated copy of FRED's entry" jq -e '[.results[] | select(.id == "fred-syscall" and .variant == "full+kpti") | .reason | test("no mitigated copy")] | length == 1 and all' "$tmp/fm.json"
KENTRY_BOCHS=$FRED_BOCHS "$K" boot --emulator bochs --selftest --fred --mitigations kpti --case 0,13 \
	--cpu wildcat_lake --no-progress --kernel "$KERNEL" --json "$tmp/stm.json" >"$tmp/stm.out" 2>&1
rc=$?
check "selftest --fred --mitigations kpti: every case passes (status $rc)" test $rc -eq 0
check "selftest with kpti: the IDT paths ran as full+kpti, the fred-* ones as full" jq -e '[.models[0].runs[] | .path] | (map(select(startswith("syscall@"))) | unique == ["syscall@full+kpti"]) and (map(select(startswith("fred-syscall@"))) | unique == ["fred-syscall@full"])' "$tmp/stm.json"

# every FRED hardening step shown to matter: off, its case fails
for hc in fred_stklvl:15 fred_swint:18; do
	h=${hc%:*} c=${hc#*:}
	KENTRY_BOOT_APPEND="harden_off=$h" KENTRY_BOCHS=$FRED_BOCHS "$K" boot --emulator bochs --selftest \
		--case "$c" --cpu wildcat_lake --no-progress --kernel "$KERNEL" --json "$tmp/$h.json" >"$tmp/$h.out" 2>&1
	rc=$?
	echo "# harden_off=$h: case $c: status $rc: $(jq -r '.models[0].runs[0].observed' "$tmp/$h.json" 2>/dev/null | cut -c1-200)"
	check "harden_off=$h: case $c fails (status 1, got $rc)" sh -c "test $rc -eq 1 && jq -e '[.models[0].runs[] | .verdict == \"fail\"] | all' '$tmp/$h.json'"
done
# without stack levels a #DF on a broken event stack has nowhere to go
KENTRY_BOOT_APPEND="harden_off=fred_stklvl" KENTRY_BOCHS=$FRED_BOCHS KENTRY_BOOT_TIMEOUT=60 "$K" boot --emulator bochs \
	--selftest --case 16 --cpu wildcat_lake --no-progress --kernel "$KERNEL" >"$tmp/df.out" 2>&1
rc=$?
check "harden_off=fred_stklvl: case 16's #DF finds no stack: the guest resets (status $rc)" sh -c "test $rc -eq 4 && grep -q 'triple fault' '$tmp/df.out'"

echo "1..$n"
[ $bad -eq 0 ]
