#!/bin/sh
# Path lengths under `kentry boot --icount` (QEMU TCG, -icount shift=0):
# one TSC tick is one guest instruction, so each round trip's figure is an
# exact instruction count (the entry instruction, the kernel stub, the return
# instruction; the loop overhead is subtracted by the kernel). The counts
# must be deterministic (min = median = max, and the same in two boots) and
# within the budgets below: budget = the count measured on QEMU 7.2 when the
# stubs were written, so one instruction added to an entry stub fails here.
# When a stub changes on purpose, update the table here and in docs/boot.md.
#
# Budgets are per ring-3 interrupt mode: ring3_if=0 is the mode the
# minimal budgets were first set in (unchanged since); with IF = 1 (the
# default) the sysenter stubs need an sti (sysexit) or an orq of IF into the
# frame they build (sysenter/iretq).
#
# The full variant (<id>@full, src/kernel/full.S and dispatch.c) has its
# own budget per path and vendor model: the same in both IF modes (a patch
# site is an sti/orq or a NOP of one instruction); AMD differs where its
# exit differs (compat-sysenter returns with iretq there, SYSEXIT being #UD
# in long mode). The SYSRET SS fix-up is patched in only where the CPU
# keeps a null SS's attributes (probed): not under QEMU, either vendor.
set -u
. "$(dirname "$0")/../lib.sh"
need_qemu_kernel

# id, then the budget (guest instructions per round trip) with ring 3 at
# IF = 0 and at IF = 1, minimal variant, Intel model under TCG
MINIMAL="
int-gate 2 2
trap-gate 2 2
call-gate 2 2
sysenter 2 3
syscall 2 2
compat-int80 2 2
compat-sysenter 2 3
compat-syscall 2 2
compat-call-gate 2 2
exc-ud 3 3
exc-ud-locknop 3 3
exc-bp 2 2
exc-pf 3 3
exc-de 2 2
exc-gp 4 4
syscall/iretq 9 9
sysenter/iretq 7 8
int-gate/sysretq 5 5
call-gate/iretq 10 10
"

# id, then the full variant's budget on the Intel model and on the AMD
# model ("-": skipped there, as the vendor documents)
FULL="
int-gate 73 73
trap-gate 73 73
call-gate 115 115
sysenter 117 -
syscall 100 100
compat-int80 73 73
compat-sysenter 114 95
compat-syscall 100 100
compat-call-gate 112 112
exc-ud 69 69
exc-ud-locknop 69 69
exc-bp 69 69
exc-pf 67 67
exc-de 68 68
exc-gp 68 68
syscall/iretq 78 78
sysenter/iretq 79 -
int-gate/sysretq 97 97
call-gate/iretq 78 78
"

# boot NAME ARGS...: one icount boot, its JSON in $tmp/NAME.json and
# "id status min median max" lines in $tmp/NAME.counts
boot() {
	name=$1
	shift
	t0=$(date +%s)
	"$K" boot --accel tcg --icount --quick --no-progress --kernel "$KERNEL" \
		--json "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	t1=$(date +%s)
	echo "# boot $name: kentry boot --icount --quick $* took $((t1 - t0)) s"
	check "icount boot $name exits 0 (got $rc)" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/$name.err"
	jq -r '.results[] | select(.world == "bare-metal") | "\(.id)\(if .variant then "@" + .variant else "" end) \(.status) \(.cycles.min // "-") \(.cycles.median // "-") \(.cycles.max // "-")"' \
		"$tmp/$name.json" >"$tmp/$name.counts" 2>/dev/null
}

# budgets NAME TABLE COLUMN [SUFFIX]: checks every row of TABLE against the
# counts of boot NAME (column 2 or 3 of the table; SUFFIX e.g. @full)
budgets() {
	check_budgets "$tmp/$1.counts" "$(echo "$2" | awk -v c="$3" -v s="${4:-}" 'NF { print $1 s, $c }')" "$1"
}

boot if0a --cpu intel --ring3-if 0
boot if0b --cpu intel --ring3-if 0
boot if1 --cpu intel --ring3-if 1
boot amd1 --cpu amd --ring3-if 1 --variant full
check "guest environment says icount shift=0, accel tcg" jq -e '.guest_environment | .icount == "shift=0" and .accel == "tcg"' "$tmp/if0a.json"
check "guest environment says ring 3 ran with IF = 0" jq -e '.guest_environment["kernel.ring3_if"] == 0' "$tmp/if0a.json"
check "guest environment says ring 3 ran with IF = 1" jq -e '.guest_environment["kernel.ring3_if"] == 1' "$tmp/if1.json"
check "the same counts in both boots" cmp "$tmp/if0a.counts" "$tmp/if0b.counts"
check "no ns under icount, and a note on the unit" jq -e '[.results[] | select(.world == "bare-metal" and .status == "measured")] | length > 0 and all(.ns == null and (.note | test("instructions")))' "$tmp/if0a.json"
check "the table states the unit once, above its rows, not on each" sh -c "test \$(grep -c 'instructions per round trip' '$tmp/if0a.out') -eq 1 && grep -q '^  unit: QEMU -icount shift=0: figures are guest instructions' '$tmp/if0a.out'"

budgets if0a "$MINIMAL" 2
budgets if1 "$MINIMAL" 3
budgets if0a "$FULL" 2 @full
budgets if1 "$FULL" 2 @full
budgets amd1 "$FULL" 3 @full
check "--variant full measures the full variant only" jq -e '[.results[] | select(.world == "bare-metal") | .variant] | all(. == "full")' "$tmp/amd1.json"

echo "1..$n"
[ $bad -eq 0 ]
