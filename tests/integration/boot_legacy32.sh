#!/bin/sh
# `kentry boot --mode legacy32 --accel tcg --cpu intel --quick` (or the
# vendor given as $1: boot_legacy32_amd.sh runs this with amd): the legacy
# 32-bit kernel boots under QEMU TCG, its self-checks pass (status 0,
# including the task-state checks after every task switch round trip),
# every legacy id is in the JSON and the CSV, measured with sane
# statistics or skipped with a reason, and each vendor's documented
# differences show: legacy SYSENTER runs on both (AMD documents it outside
# long mode), legacy SYSCALL runs on AMD and is #UD on Intel, or runs on
# QEMU's Intel models with a note saying QEMU departs from the SDM.
set -u
. "$(dirname "$0")/../lib.sh"
KERNEL=${KERNEL32:-$BUILD/kentry-kernel32.elf}
VENDOR=${1:-intel}
need_qemu_kernel

IDS="legacy-int-gate legacy-trap-gate legacy-call-gate legacy-call-gate-params legacy-task-gate legacy-task-call-tss legacy-task-call-gate legacy-sysenter legacy-syscall legacy-int80 legacy-exc-ud legacy-exc-bp legacy-exc-pf legacy-exc-de legacy-exc-gp legacy-exc-ud-task legacy-exc-bp-task"
case $VENDOR in
intel) CPUID_VENDOR=GenuineIntel ;;
amd) CPUID_VENDOR=AuthenticAMD ;;
*) echo "not ok 1 - unknown vendor $VENDOR"; exit 1 ;;
esac

J="$tmp/boot.json"
C="$tmp/boot.csv"
t0=$(date +%s)
"$K" boot --mode legacy32 --accel tcg --cpu "$VENDOR" --quick --no-progress \
	--kernel "$KERNEL" --json "$J" --csv "$C" >"$tmp/out" 2>"$tmp/err"
rc=$?
t1=$(date +%s)
echo "# kentry boot --mode legacy32 --accel tcg --cpu $VENDOR --quick took $((t1 - t0)) s"
check "boot exits 0: the legacy kernel's self-checks passed (got $rc)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
check "guest environment: kernel.mode legacy32, the guest saw $CPUID_VENDOR" jq -e --arg v "$CPUID_VENDOR" '.guest_environment | .["kernel.mode"] == "legacy32" and .["cpu.vendor"] == $v and .accel == "tcg"' "$J"
check_results "$J" "$C" "$IDS"
for id in legacy-int-gate legacy-trap-gate legacy-call-gate legacy-call-gate-params legacy-task-gate legacy-task-call-tss legacy-task-call-gate legacy-sysenter legacy-int80 legacy-exc-ud legacy-exc-bp legacy-exc-pf legacy-exc-de legacy-exc-gp legacy-exc-ud-task legacy-exc-bp-task; do
	check "$id measured on $VENDOR" jq -e --arg id "$id" '.results[] | select(.id == $id) | .status == "measured"' "$J"
done
if [ "$VENDOR" = amd ]; then
	check "legacy-syscall measured on AMD, as the APM documents, without a note" jq -e '.results[] | select(.id == "legacy-syscall") | .status == "measured" and (.note == null or (.note | test("departs") | not))' "$J"
else
	check "legacy-syscall on Intel: #UD as the SDM documents, or measured with a note that the model departs" jq -e '.results[] | select(.id == "legacy-syscall") |
		(.status == "skipped" and (.reason | test("#UD, as Intel documents"))) or
		(.status == "measured" and (.note | test("departs from the vendor")))' "$J"
fi
check "task switches are flagged with QEMU's CR3/TLB cost when flagged at all" jq -e '[.results[] | select(.id | test("^legacy-task-|-task$")) | .anomaly // "" | select(length > 0) | test("CR3")] | all' "$J"
check "the table names the legacy paths" grep -q "legacy-task-call-gate" "$tmp/out"
check "no long-mode result (this run booted the legacy kernel only)" jq -e '[.results[] | select(.world == "bare-metal" and (.id | startswith("legacy-") | not))] | length == 0' "$J"
jq -r '.results[] | select(.world == "bare-metal") | "# \(.id) \(.status) \(.cycles.median // "") \(.reason // "") \(.note // "")"' "$J" 2>/dev/null

echo "1..$n"
[ $bad -eq 0 ]
