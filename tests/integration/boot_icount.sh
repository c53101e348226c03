#!/bin/sh
# Path lengths under `kentry boot --icount` (QEMU TCG, -icount shift=0):
# one TSC tick is one guest instruction, so each round trip's figure is an
# exact instruction count (the entry instruction, the kernel stub, the return
# instruction; the loop overhead is subtracted by the kernel). The counts
# must be deterministic (min = median = max, and the same in two boots) and
# within the budgets below: budget = the count measured on QEMU 7.2 when the
# stubs were written, so one instruction added to an entry stub fails here.
# When a stub changes on purpose, update the table here and in docs/boot.md.
set -u
. "$(dirname "$0")/../lib.sh"
KERNEL=${KERNEL:-$BUILD/kentry-kernel.elf}

command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 77; }
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
[ -f "$KERNEL" ] || { echo "not ok 1 - $KERNEL missing: run make"; exit 1; }

# id budget (guest instructions per round trip), Intel model under TCG
BUDGETS="
int-gate 2
trap-gate 2
call-gate 2
sysenter 2
syscall 2
compat-int80 2
compat-sysenter 2
compat-syscall 2
compat-call-gate 2
exc-ud 3
exc-ud-locknop 3
exc-bp 2
exc-pf 3
exc-de 2
exc-gp 4
syscall/iretq 9
sysenter/iretq 7
int-gate/sysretq 5
call-gate/iretq 10
"

for run in 1 2; do
	t0=$(date +%s)
	"$K" boot --accel tcg --cpu intel --icount --quick --no-progress --kernel "$KERNEL" \
		--json "$tmp/ic$run.json" >"$tmp/out$run" 2>"$tmp/err$run"
	rc=$?
	t1=$(date +%s)
	echo "# boot $run: kentry boot --accel tcg --cpu intel --icount --quick took $((t1 - t0)) s"
	check "icount boot $run exits 0 (got $rc)" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err$run"
	jq -r '.results[] | select(.world == "bare-metal") | "\(.id) \(.status) \(.cycles.min // "-") \(.cycles.median // "-") \(.cycles.max // "-")"' \
		"$tmp/ic$run.json" >"$tmp/counts$run" 2>/dev/null
done
check "guest environment says icount shift=0, accel tcg" jq -e '.guest_environment | .icount == "shift=0" and .accel == "tcg"' "$tmp/ic1.json"
check "the same counts in both boots" cmp "$tmp/counts1" "$tmp/counts2"
check "no ns under icount, and a note on the unit" jq -e '[.results[] | select(.world == "bare-metal" and .status == "measured")] | length > 0 and all(.ns == null and (.note | test("instructions")))' "$tmp/ic1.json"
check "the table states the unit once, above its rows, not on each" sh -c "test \$(grep -c 'instructions per round trip' '$tmp/out1') -eq 1 && grep -q '^  unit: QEMU -icount shift=0: figures are guest instructions' '$tmp/out1'"

echo "$BUDGETS" | while read -r id budget; do
	[ -n "$id" ] || continue
	line=$(grep "^$id " "$tmp/counts1")
	set -- $line
	status=${2:-absent} min=${3:--} med=${4:--} max=${5:--}
	echo "# $id: $status min $min median $med max $max, budget $budget"
	check "$id measured under icount" test "$status" = measured
	check "$id deterministic within the boot (min = median = max)" awk -v a="$min" -v b="$med" -v c="$max" 'BEGIN { exit !(a == b && b == c) }'
	check "$id within its budget: $med <= $budget instructions" awk -v m="$med" -v b="$budget" 'BEGIN { exit !(m >= 1 && m <= b + 0.5) }'
	awk -v m="$med" -v b="$budget" 'BEGIN { exit !(m >= 1 && m < b - 0.5) }' &&
		echo "# $id: $med is below its budget $budget: tighten the table"
done >"$tmp/checks"
cat "$tmp/checks"
bad=$((bad + $(grep -c '^not ok' "$tmp/checks")))
n=$((n + $(grep -c '^ok\|^not ok' "$tmp/checks")))

echo "1..$n"
[ $bad -eq 0 ]
