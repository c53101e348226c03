#!/bin/sh
# `kentry boot --accel tcg --cpu intel --quick` (or the vendor given as $1:
# boot_amd.sh runs this with amd): the real kernel boots under QEMU TCG,
# its self-checks pass (status 0), every bare-metal id is in the JSON and
# the CSV, measured with sane statistics or skipped with a reason.
set -u
. "$(dirname "$0")/../lib.sh"
KERNEL=${KERNEL:-$BUILD/kentry-kernel.elf}
VENDOR=${1:-intel}

command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 77; }
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
[ -f "$KERNEL" ] || { echo "not ok 1 - $KERNEL missing: run make"; exit 1; }

IDS="int-gate trap-gate call-gate sysenter syscall compat-int80 compat-sysenter compat-syscall compat-call-gate exc-ud exc-ud-locknop exc-bp exc-pf exc-de exc-gp syscall/iretq sysenter/iretq int-gate/sysretq call-gate/iretq"
case $VENDOR in
intel) CPUID_VENDOR=GenuineIntel MODEL='Skylake-Client|Haswell|Nehalem|core2duo' ;;
amd) CPUID_VENDOR=AuthenticAMD MODEL='EPYC|Opteron_G5|phenom' ;;
*) echo "not ok 1 - unknown vendor $VENDOR"; exit 1 ;;
esac

J="$tmp/boot.json"
C="$tmp/boot.csv"
t0=$(date +%s)
"$K" boot --accel tcg --cpu "$VENDOR" --quick --no-progress --kernel "$KERNEL" \
	--json "$J" --csv "$C" >"$tmp/out" 2>"$tmp/err"
rc=$?
t1=$(date +%s)
echo "# kentry boot --accel tcg --cpu $VENDOR --quick took $((t1 - t0)) s"
check "boot exits 0: the kernel's self-checks passed (got $rc)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
check "JSON written" test -s "$J"
check "schema version 2" jq -e '.schema_version == 2 and (.kentry_version | type) == "string"' "$J"
check "guest environment: accel tcg, icount off, QEMU version" jq -e '.guest_environment | .accel == "tcg" and .icount == "off" and (.["qemu.version"] | test("^[0-9]+\\.[0-9]+"))' "$J"
check "guest environment: a $VENDOR QEMU model" jq -e --arg m "^($MODEL)" '.guest_environment["qemu.cpu"] | test($m)' "$J"
check "guest environment: the guest saw $CPUID_VENDOR" jq -e --arg v "$CPUID_VENDOR" '.guest_environment["cpu.vendor"] == $v' "$J"
check "guest environment: kernel protocol 1, tsc facts" jq -e '.guest_environment | .["kernel.protocol"] == 1 and has("tsc.hz") and has("tsc.method")' "$J"
check_results "$J" "$C" "$IDS" "minimal full"
check "guest environment: both variants ran, each described" jq -e '.guest_environment | .["kernel.variants"] == "minimal,full" and (.["variant.minimal"] | test("not safe against hostile user state")) and (.["variant.full"] | test("dispatcher"))' "$J"
check "full syscall measured and dearer than minimal" jq -e '([.results[] | select(.id == "syscall" and .variant == null)][0].cycles.median) < ([.results[] | select(.id == "syscall" and .variant == "full")][0].cycles.median)' "$J"
check "the table says what full adds over minimal" grep -q "full adds +" "$tmp/out"
check "syscall measured" jq -e '[.results[] | select(.id == "syscall")] | all(.status == "measured")' "$J"
check "int-gate measured" jq -e '[.results[] | select(.id == "int-gate")] | all(.status == "measured")' "$J"
check "CSV header names the columns" sh -c "head -n 1 '$C' | grep -q '^world,id,op,status,reason,samples,min_cycles,median_cycles'"
jq -r '.results[] | select(.world == "bare-metal") | "# \(.id)\(if .variant then "@" + .variant else "" end) \(.status) \(.cycles.median // "") \(.reason // "") \(.note // "")"' "$J" 2>/dev/null

echo "1..$n"
[ $bad -eq 0 ]
