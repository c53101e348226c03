#!/bin/sh
# Mitigations on kentry's kernel (docs/mitigations.md): kentry boot
# --mitigations LIST measures the full variant of every path again with each
# listed mitigation alone (full+NAME) and with the whole list (full+all).
#
# Under QEMU TCG (Intel and AMD models) every mitigation is measured or
# skipped with its reason (TCG has no PCID, no IA32_SPEC_CTRL, no
# IA32_PRED_CMD: CPUID does not enumerate them); under -icount each one's
# count is exact and within its own budget, the count of the full variant
# plus what the mitigation's code adds (the ADDS table: the instructions of
# the mitigation and one jmp or NOP per run of the mitigated stub's
# switched-off sites, docs/mitigations.md "Figures"); the full variant
# itself keeps its count (the same as in a boot without mitigations, whose
# budgets boot_icount.sh checks). The KPTI self-check passes (ring-3 reads
# of the kernel fault as not present on the user tables), --touch-pages
# leaves every icount figure as it was (the touches are in the empty loop
# too), auto picks Linux's set, compare sets full+kpti against a plain
# boot's full, the self-test and the fuzzer run with mitigations on, under
# Bochs kpti-pcid runs (its models have PCID and INVPCID), and under a
# Bochs with the wildcat_lake model ibrs and ibpb run (it has the MSRs).
set -u
. "$(dirname "$0")/../lib.sh"
need_qemu_kernel

ALL="kpti,kpti-pcid,swapgs,verw,ibrs,ibpb,rsb,bhb"
# name, instructions added on system-call-like paths, on exception paths
# (bhb clears the branch history on system-call entries only, as Linux)
ADDS="
kpti 11 11
kpti-pcid 13 13
swapgs 6 6
verw 3 3
ibrs 12 12
ibpb 8 8
rsb 86 85
bhb 109 3
"
# what TCG cannot run, and a word its reason must contain
SKIP_TCG="kpti-pcid:PCID ibrs:CPUID ibpb:CPUID"
# full+all under TCG: kpti, swapgs (no lfence: KPTI's CR3 write follows), verw, rsb, bhb
ALL_TCG="201 95"

# boot NAME ARGS...: one boot, JSON in $tmp/NAME.json, the serial console
# (--verbose) in $tmp/NAME.err, "token status min median max" in $tmp/NAME.counts
boot() {
	name=$1
	shift
	t0=$(date +%s)
	"$K" boot --accel tcg --quick --no-progress --verbose --kernel "$KERNEL" \
		--json "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	echo $rc >"$tmp/$name.rc"
	echo "# boot $name: kentry boot $* took $(( $(date +%s) - t0 )) s, status $rc"
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/$name.out" | tail -5
	jq -r '.results[] | select(.world == "bare-metal") | "\(.id)@\(.variant // "minimal") \(.status) \(.cycles.min // "-") \(.cycles.median // "-") \(.cycles.max // "-")"' \
		"$tmp/$name.json" >"$tmp/$name.counts" 2>/dev/null
}

count() { # NAME TOKEN FIELD(2 status, 4 median)
	awk -v t="$2" -v f="$3" '$1 == t { print $f }' "$tmp/$1.counts"
}

# budgets NAME: every mitigated variant of every path against its budget
budgets() {
	bn=$1
	n0=$n bad0=$bad
	for id in $(jq -r '.results[] | select(.variant == "full") | .id' "$tmp/$bn.json"); do
		full=$(count "$bn" "$id@full" 4)
		fst=$(count "$bn" "$id@full" 2)
		case $id in exc-*) col=3 ;; *) col=2 ;; esac
		echo "$ADDS" | while read -r m a_sys a_exc; do
			[ -n "$m" ] || continue
			add=$a_sys
			[ $col = 3 ] && add=$a_exc
			line=$(grep "^$id@full+$m " "$tmp/$bn.counts")
			set -- $line
			st=${2:-absent} mn=${3:--} med=${4:--} mx=${5:--}
			why=""
			for s in $SKIP_TCG; do [ "${s%%:*}" = "$m" ] && why=${s#*:}; done
			if [ "$fst" != measured ]; then
				check "$bn $id@full+$m skipped as its full variant is" test "$st" = skipped
			elif [ -n "$why" ]; then
				check "$bn $id@full+$m skipped, the reason naming $why" sh -c \
					"test '$st' = skipped && jq -e --arg id '$id' --arg v 'full+$m' '.results[] | select(.id == \$id and .variant == \$v) | .reason | test(\"$why\")' '$tmp/$bn.json'"
			else
				budget=$((full + add))
				echo "# $bn $id@full+$m: $med instructions (full $full, budget $budget)"
				check "$bn $id@full+$m measured, deterministic" sh -c "test '$st' = measured && test '$mn' = '$med' && test '$med' = '$mx'"
				check "$bn $id@full+$m within its budget: $med <= $full + $add" awk -v m="$med" -v b="$budget" 'BEGIN { exit !(m >= 1 && m <= b + 0.5) }'
				awk -v m="$med" -v b="$budget" 'BEGIN { exit !(m < b - 0.5) }' &&
					echo "# $bn $id@full+$m: $med is below its budget $budget: tighten ADDS"
			fi
		done
		if [ "$fst" = measured ]; then
			set -- $ALL_TCG
			add=$1
			[ $col = 3 ] && add=$2
			med=$(count "$bn" "$id@full+all" 4)
			check "$bn $id@full+all within its budget: $med <= $full + $add" awk -v m="$med" -v b="$((full + add))" 'BEGIN { exit !(m >= 1 && m <= b + 0.5) }'
		fi
	done >"$tmp/checks.$bn"
	cat "$tmp/checks.$bn"
	# (the checks of the pipe ran in a subshell, the others here: count them all once)
	bad=$((bad0 + $(grep -c '^not ok' "$tmp/checks.$bn")))
	n=$((n0 + $(grep -c '^ok\|^not ok' "$tmp/checks.$bn")))
}

# ---- every mitigation, every path, both vendors, -icount ----
boot plain --icount --cpu intel --variant full
boot intel --icount --cpu intel --variant full --mitigations "$ALL"
boot amd --icount --cpu amd --variant full --mitigations "$ALL"
for v in intel amd; do
	check "$v: the boot with every mitigation exits 0" test "$(cat "$tmp/$v.rc")" -eq 0
	check "$v: the guest lists the mitigations and their variants" jq -e '.guest_environment | (.["kernel.mitigations"] == "kpti,kpti-pcid,swapgs,verw,ibrs,ibpb,rsb,bhb") and (.["kernel.mitigation_variants"] | split(",") | length == 9)' "$tmp/$v.json"
	check "$v: every path has its 9 mitigated variants" jq -e '[.results[] | select(.variant != null and (.variant | startswith("full+")))] | length == 9 * 19' "$tmp/$v.json"
	check "$v: the KPTI self-check passed (no TAP line failed)" sh -c "! grep -q '^not ok' '$tmp/$v.err'"
	check "$v: ring-3 reads of kernel text, data, stack, page tables, identity memory fault NOT PRESENT on the user tables" \
		test "$(grep -c '^ok [0-9]* - kpti: ring-3 read .* user tables: NOT PRESENT' "$tmp/$v.err")" -ge 6
	check "$v: the trampoline is present (supervisor) on the user tables" \
		test "$(grep -c '^ok [0-9]* - kpti: ring-3 read .*mapped as the trampoline must be' "$tmp/$v.err")" -ge 3
	budgets "$v"
done
check "the full variant counts the same with mitigations as without (their code is a copy)" \
	cmp "$tmp/plain.counts" "$(grep '@full ' "$tmp/intel.counts" >"$tmp/intel.full"; echo "$tmp/intel.full")"

# ---- timings (TSC ticks) under TCG: measured or skipped, and what each adds ----
boot tcg --cpu intel --only syscall,exc-pf --mitigations kpti,verw,ibrs
check "TCG: kpti and verw measured in ticks, ibrs skipped" sh -c "grep -q '^syscall@full+kpti measured' '$tmp/tcg.counts' && grep -q '^exc-pf@full+verw measured' '$tmp/tcg.counts' && grep -q '^syscall@full+ibrs skipped' '$tmp/tcg.counts'"
check "TCG: the table says what each mitigation adds over full" grep -q 'full+kpti adds +.* over full' "$tmp/tcg.out"
check "TCG: the whole list with what was left out" jq -e '.guest_environment["variant.full+all"] | test("kpti,verw; left out \\(cannot run here\\): ibrs")' "$tmp/tcg.json"

# ---- auto: Linux's set on this model ----
boot autoi --icount --cpu intel --only syscall --variant full --mitigations auto
boot autoa --icount --cpu amd --only syscall --variant full --mitigations auto
check "auto on the Intel model (no RDCL_NO, MDS_NO, no PCID, no IBRS): kpti and verw" jq -e '.guest_environment | .["kernel.mitigations"] == "kpti,verw (auto)" and (.["mitig.auto.kpti"] | startswith("yes")) and (.["mitig.auto.bhb"] | startswith("no"))' "$tmp/autoi.json"
check "auto on the Intel model: measured as full+kpti, full+verw, full+all" jq -e '[.results[] | select(.status == "measured") | .variant] == ["full", "full+kpti", "full+verw", "full+all"]' "$tmp/autoi.json"
check "auto on the AMD model: nothing Linux adds at the entry" jq -e '.guest_environment["kernel.mitigations"] == "none (auto)" and ([.results[] | .variant] == ["full"])' "$tmp/autoa.json"

# ---- --touch-pages: the touches are in both loops, so counts stay ----
boot touch --icount --cpu intel --only syscall,exc-pf --variant full --mitigations kpti --touch-pages 64
check "--touch-pages 64: the guest says so" jq -e '.guest_environment["kernel.touch_pages"] == 64' "$tmp/touch.json"
for t in syscall@full syscall@full+kpti exc-pf@full+kpti; do
	check "--touch-pages 64: $t counts what it counts without touches" test "$(count touch $t 4)" = "$(count intel $t 4)"
done

# ---- compare: a boot with kpti against one without ----
"$K" compare "$tmp/plain.json" "$tmp/intel.json" --json "$tmp/cmp.json" >"$tmp/cmp.out" 2>&1
check "compare: full+kpti of one boot against full of the other" jq -e '.rows[] | select(.id == "syscall" and .variant == "full+kpti") | .old_variant == "full" and .difference == 11 and .verdict == "significant"' "$tmp/cmp.json"
check "compare: the table labels it" grep -q 'syscall full+kpti vs full' "$tmp/cmp.out"
check "compare: full against full, no change" jq -e '.rows[] | select(.id == "syscall" and .variant == "full") | .verdict == "no significant change"' "$tmp/cmp.json"

# ---- the self-test and the fuzzer with mitigations on ----
"$K" boot --selftest --case 0,2,4,13 --mitigations kpti,swapgs,verw,rsb,bhb --no-progress \
	--kernel "$KERNEL" >"$tmp/st.out" 2>&1
rc=$?
check "self-test with kpti, swapgs, verw, rsb, bhb passes on both models (status $rc)" test $rc -eq 0
check "self-test names the mitigated variant it ran" grep -q 'syscall@full+all' "$tmp/st.out"
check "self-test header lists the mitigations" grep -q 'mitigations kpti,swapgs,verw,rsb,bhb: every full path ran as full+all' "$tmp/st.out"
"$K" boot --fuzz 2000 --seed 9 --cpu intel --mitigations kpti,swapgs,verw --no-progress \
	--kernel "$KERNEL" >"$tmp/fz.out" 2>&1
rc=$?
check "fuzz with kpti, swapgs, verw: 2000 sequences, no invariant broken (status $rc)" sh -c "test $rc -eq 0 && grep -q 'no invariant broken' '$tmp/fz.out'"

# ---- kpti-pcid under Bochs (PCID and INVPCID on its Intel models) ----
if command -v bochs >/dev/null || [ -n "${KENTRY_BOCHS:-}" ]; then
	"$K" boot --emulator bochs --cpu intel --quick --only syscall,exc-pf --variant full \
		--mitigations kpti,kpti-pcid --verbose --no-progress --kernel "$KERNEL" \
		--json "$tmp/bochs.json" >"$tmp/bochs.out" 2>"$tmp/bochs.err"
	rc=$?
	check "Bochs: kpti and kpti-pcid boot (status $rc)" test $rc -eq 0
	for id in syscall exc-pf; do
		f=$(jq -r --arg id $id '.results[] | select(.id == $id and .variant == "full") | .cycles.median' "$tmp/bochs.json")
		p=$(jq -r --arg id $id '.results[] | select(.id == $id and .variant == "full+kpti-pcid") | .cycles.median' "$tmp/bochs.json")
		check "Bochs: $id@full+kpti-pcid measured: $p = $f + 13 instructions" test "$p" = "$((f + 13))"
	done
	check "Bochs: the KPTI self-check with PCID: kernel reads NOT PRESENT on the user PCID's tables" \
		test "$(grep -c '^ok [0-9]* - kpti-pcid: ring-3 read .* user tables: NOT PRESENT' "$tmp/bochs.err")" -ge 6
	check "Bochs: INVPCID is used to flush the user PCID" jq -e '.guest_environment["variant.full+kpti-pcid"] | test("INVPCID present")' "$tmp/bochs.json"
else
	echo "# Bochs not installed: kpti-pcid not run (QEMU 7.2's TCG has no PCID)"
fi

# ---- ibrs and ibpb where the CPU has the MSRs: a Bochs with the
# wildcat_lake model ($KENTRY_BOCHS, or ../shared/tools/bochs-fred as
# need_fred_bochs finds it) enumerates IBRS and IBPB; TCG and Bochs 2.7 do not ----
root=$(cd "$(dirname "$0")/../.." && pwd)
wl=""
for b in "${KENTRY_BOCHS:-}" "$root/../shared/tools/bochs-fred/bochs"; do
	[ -n "$b" ] && [ -x "$b" ] && "$b" -q --help cpu 2>&1 | grep -qx 'wildcat_lake' && { wl=$b; break; }
done
if [ -n "$wl" ]; then
	KENTRY_BOCHS=$wl "$K" boot --emulator bochs --cpu wildcat_lake --quick --only syscall,exc-pf \
		--variant full --mitigations ibrs,ibpb --no-progress --kernel "$KERNEL" \
		--json "$tmp/wl.json" >"$tmp/wl.out" 2>&1
	rc=$?
	check "Bochs wildcat_lake: ibrs and ibpb boot (status $rc)" test $rc -eq 0
	for id in syscall exc-pf; do
		f=$(jq -r --arg id $id '.results[] | select(.id == $id and .variant == "full") | .cycles.median' "$tmp/wl.json")
		for mi in ibrs:12 ibpb:8; do
			m=${mi%%:*} a=${mi#*:}
			v=$(jq -r --arg id $id --arg v "full+$m" '.results[] | select(.id == $id and .variant == $v) | .cycles.median' "$tmp/wl.json")
			check "Bochs wildcat_lake: $id@full+$m measured: $v = $f + $a instructions" test "$v" = "$((f + a))"
		done
	done
else
	echo "# no Bochs with the wildcat_lake model: ibrs and ibpb not run (no CPU model here enumerates them)"
fi

echo "1..$n"
[ $bad -eq 0 ]
