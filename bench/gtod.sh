#!/bin/sh
# The seed's gettimeofday table twice from this machine: the Linux world
# (kentry bench --op gettimeofday: this Linux's own paths) beside kentry's
# kernel (kentry boot --op gettimeofday: the same paths, served by kentry's
# Linux personality, in a process of its own), row by row with the Linux
# world's ids. The kernel runs under KVM when it can (ticks comparable with
# the Linux world's), else under QEMU TCG (ticks of an emulator: compare
# the rows with each other, not with the Linux column); its --icount run
# gives exact guest instruction counts, the same on every run. Each kernel
# run is made with --mitigations kpti, so every row comes plain and with
# KPTI from one kernel (the seed's with/without table: the vDSO rows pay
# nothing, every row that enters the kernel pays the CR3 switches; under
# TCG each switch also flushes QEMU's software TLB). The Linux world can
# only say whether this Linux runs KPTI (changing it needs a reboot). Also
# the wall time of one kernel run. Nothing here is asserted by the test
# suite.
# Usage: bench/gtod.sh [--cpu MODEL]   (the guest's model; default QEMU's)
. "$(dirname "$0")/lib.sh"
cpu=""
[ "${1:-}" = "--cpu" ] && [ -n "${2:-}" ] && cpu="--cpu $2"

echo "gtod: the seed's gettimeofday table, the Linux world beside kentry's kernel"
"$K" bench --op gettimeofday --no-progress --json "$BTMP/linux.json" >/dev/null 2>&1 ||
	{ echo "  the Linux world's run failed"; exit 1; }
t0=$(now)
# shellcheck disable=SC2086
"$K" boot --op gettimeofday $cpu --mitigations kpti --no-progress --json "$BTMP/kernel.json" >/dev/null 2>"$BTMP/kernel.err" ||
	{ echo "  the kernel run failed: $(tail -n 1 "$BTMP/kernel.err")"; exit 1; }
t1=$(now)
# shellcheck disable=SC2086
"$K" boot --op gettimeofday $cpu --mitigations kpti --accel tcg --icount --quick --no-progress --json "$BTMP/icount.json" >/dev/null 2>&1 ||
	{ echo "  the --icount run failed"; exit 1; }
accel=$(jq -r '.guest_environment.accel // "?"' "$BTMP/kernel.json")
model=$(jq -r '.guest_environment["cpu.name"] // "?"' "$BTMP/kernel.json")
lkpti=$(jq -r 'if .environment.kpti == true then "on" elif .environment.kpti == false then "off" else "unknown" end' "$BTMP/linux.json")
echo "  Linux: KPTI $lkpti (meltdown: $(jq -r '.environment["vulnerabilities.meltdown"] // "?"' "$BTMP/linux.json")); it cannot be switched without a reboot"
echo "  kernel: QEMU accel $accel, $model; wall time of one run, plain and kpti rows (default samples): $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}') s   (target < 40 s: $(verdict "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" "<" 40))"
echo

# median of one row: file id variant(or "") field
med() {
	jq -r --arg id "$2" --arg v "$3" --arg f "$4" '[.results[] | select(.id == $id and (.variant // "") == $v)][0] |
		if . == null then "-" elif .status == "measured" then (.[$f].median | . * 10 | round / 10) else "skipped" end' "$1"
}
printf "  %-18s %10s %10s   %10s %10s   %8s %8s\n" "path" "Linux" "Linux" "kentry" "kentry" "kentry" "kentry"
printf "  %-18s %10s %10s   %10s %10s   %8s %8s\n" "" "ticks" "ns" "ticks" "+kpti" "instr" "+kpti"
printf "  %-18s %10s %10s   %21s   %17s\n" "" "(KPTI $lkpti)" "" "($accel)" "(--icount)"
for row in $("$K" list --world bare-metal --op gettimeofday | awk 'NR > 1 && /^[a-z]/ { print $1 }'); do
	id=${row%@*}
	v=""
	[ "$id" != "$row" ] && v=${row#*@}
	# the Linux world has one vsyscall row: the mode this Linux booted with
	lv=""
	lt=$(med "$BTMP/linux.json" "$id" "$lv" cycles)
	ln=$(med "$BTMP/linux.json" "$id" "$lv" ns)
	if [ -n "$v" ]; then
		# Linux's xonly still emulates an executed call (only reads fault)
		mode=$(jq -r '.environment["vsyscall.mode"] // ""' "$BTMP/linux.json")
		[ "$mode" = xonly ] && mode=emulate
		[ "$mode" != "$v" ] && { lt="-"; ln="-"; }
	fi
	kv="${v:-full}+kpti"
	printf "  %-18s %10s %10s   %10s %10s   %8s %8s\n" "$row" "$lt" "$ln" \
		"$(med "$BTMP/kernel.json" "$id" "$v" cycles)" "$(med "$BTMP/kernel.json" "$id" "$kv" cycles)" \
		"$(med "$BTMP/icount.json" "$id" "$v" cycles)" "$(med "$BTMP/icount.json" "$id" "$kv" cycles)"
done
echo
echo "  Linux: this machine's kernel (its int 0x80 under a hypervisor pays an APIC"
echo "  read that exits; see its notes: kentry bench --op gettimeofday). kentry: the"
echo "  same calls served by kentry's Linux personality through its full entry paths;"
echo "  vsyscall@emulate traps and emulates the call, @native runs the page's syscall;"
echo "  the vDSO rows never enter either kernel, so KPTI costs them nothing; every"
echo "  other row pays two CR3 switches (+kpti: 11 instructions through the full"
echo "  stubs, 5 for vsyscall@emulate's #PF through trap_common; under TCG the ticks"
echo "  also pay QEMU's TLB flush). The vDSO's few ticks more under +kpti are the"
echo "  TLB refill of its pages once per batch (after the switch into ring 3 that"
echo "  starts the batch; each kpti row runs with its plain row's batch), not a cost"
echo "  per call: its --icount column does not move. Skipped rows say why in the"
echo "  result files (a vendor's #UD, or a mode this Linux was not booted with: '-')."
