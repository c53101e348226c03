#!/bin/sh
# Loop alignment of every timed loop, checked on the built code.
#
# Each path has an op loop and an empty twin whose cost is subtracted; both
# export <loop>_back, the address right after the loop's closing jcc
# (src/linux/loops64.S, src/linux/compat32/loops32.S, the kernel's
# src/kernel/user.S and the legacy kernel's src/kernel32/user32.S). Two rules:
#   1. <x>_op_back and <x>_empty_back sit at the same offset modulo 64 (the
#      same place in a cache line: same fetch, decode and predictor
#      boundaries for the loop and its calibration);
#   2. the back-edge branch, fused with the dec/sub/cmp/test before it,
#      neither crosses nor ends on a 32-byte boundary (the Skylake JCC
#      erratum microcode update makes such a branch miss the decoded-uop
#      cache, so it costs more there).
# A small hand-made object with a misaligned pair must be rejected, so that
# the checker itself is known to bite.
set -u
. "$(dirname "$0")/../lib.sh"
command -v nm >/dev/null && command -v objdump >/dev/null ||
	{ echo "nm/objdump (binutils) missing: cannot check loop alignment"; exit 77; }

not() { ! "$@"; }

# loops_ok FILE: prints one line per problem (and a summary), returns 1 on any.
loops_ok() {
	f=$1
	nm -n "$f" >"$tmp/nm" 2>/dev/null || { echo "nm failed on $f"; return 1; }
	grep -E ' [Tt] .*_(op|empty)_back$' "$tmp/nm" >"$tmp/backs" || true
	[ -s "$tmp/backs" ] || { echo "$f: no <loop>_back symbols"; return 1; }
	errs=0 pairs=0
	for opb in $(awk '/_op_back$/ {print $3}' "$tmp/backs"); do
		x=${opb%_op_back}
		oa=$(awk -v s="$opb" '$3 == s {print $1}' "$tmp/backs")
		ea=$(awk -v s="${x}_empty_back" '$3 == s {print $1}' "$tmp/backs")
		if [ -z "$ea" ]; then
			echo "$f: $opb has no ${x}_empty_back twin"
			errs=$((errs + 1))
			continue
		fi
		pairs=$((pairs + 1))
		om=$(( 0x$oa % 64 ))
		em=$(( 0x$ea % 64 ))
		if [ $om -ne $em ]; then
			echo "$f: $x: op back edge at $om mod 64, empty at $em"
			errs=$((errs + 1))
		fi
	done
	for emb in $(awk '/_empty_back$/ {print $3}' "$tmp/backs"); do
		grep -q " ${emb%_empty_back}_op_back\$" "$tmp/backs" ||
			{ echo "$f: $emb has no op twin"; errs=$((errs + 1)); }
	done
	# rule 2, for every back edge: disassemble from the nearest symbol
	# before it (an instruction boundary) up to it
	while read -r addr _ sym; do
		end=$(( 0x$addr ))
		start=$(awk -v e="$addr" '$3 !~ /_back$/ && $2 ~ /^[Tt]$/ && ($1 "") < (e "") {s = $1} END {print s}' "$tmp/nm")
		[ -n "$start" ] || { echo "$f: $sym: no symbol before it"; errs=$((errs + 1)); continue; }
		# the two instructions before the back edge; 32-bit loops in a
		# 64-bit image (compatibility-mode ring 3) decode only as i386
		jcc_ok=0
		for mode in "" "-Mi386"; do
			objdump -d $mode --no-show-raw-insn --start-address=0x$start --stop-address=$end "$f" |
				awk -F'\t' '/^ *[0-9a-f]+:\t/ {sub(/^ */, "", $1); sub(/:$/, "", $1); print $1 "\t" $2}' |
				tail -n 2 >"$tmp/last2"
			jcc=$(sed -n 2p "$tmp/last2")
			prev=$(sed -n 1p "$tmp/last2")
			case "$(echo "$jcc" | cut -f2)" in
			jmp*) ;;
			j*) jcc_ok=1; break ;;
			esac
		done
		if [ $jcc_ok -ne 1 ]; then
			echo "$f: $sym does not follow a conditional branch ($(echo "$jcc" | cut -f2))"
			errs=$((errs + 1))
			continue
		fi
		ps=$(( 0x$(echo "$jcc" | cut -f1) ))
		case "$(echo "$prev" | cut -f2)" in
		dec*|inc*|sub*|add*|cmp*|test*|and*) ps=$(( 0x$(echo "$prev" | cut -f1) )) ;;
		esac
		if [ $((end % 32)) -eq 0 ]; then
			echo "$f: $sym: the back-edge branch ends on a 32-byte boundary"
			errs=$((errs + 1))
		elif [ $((ps / 32)) -ne $(((end - 1) / 32)) ]; then
			echo "$f: $sym: the fused back edge [$ps, $end) crosses a 32-byte boundary"
			errs=$((errs + 1))
		fi
	done <"$tmp/backs"
	echo "$f: $pairs op/empty pairs, $errs problems"
	[ $errs -eq 0 ]
}

# check_loops FILE WHAT: one TAP line for the file, its report as comments
check_loops() {
	loops_ok "$1" >"$tmp/out"
	rc=$?
	sed 's/^/# /' "$tmp/out"
	check "$2 in $1: twins aligned alike, no back edge on a 32-byte boundary" test $rc -eq 0
}

for f in "$BUILD/host/src/linux/loops64.o" "$BUILD/kentry"; do
	if [ -f "$f" ]; then
		check_loops "$f" "64-bit Linux loops"
	else
		check "$f was built" false
	fi
done
if [ -f "$BUILD/kentry-helper32" ]; then
	check_loops "$BUILD/kentry-helper32" "32-bit helper loops"
else
	echo "# no 32-bit helper built (no gcc-multilib): its loops are not checked"
fi
KELF="$BUILD/kernel/kentry-kernel64.elf"
if [ -f "$KELF" ] && nm "$KELF" | grep -qE '_(op|empty)_back$'; then
	check_loops "$KELF" "kernel ring-3 loops"
else
	echo "# kernel loops skipped: $KELF has no <loop>_back symbols (src/kernel/user.S does not export them yet)"
fi
K32ELF="$BUILD/kentry-kernel32.elf"
if [ -f "$K32ELF" ]; then
	check_loops "$K32ELF" "legacy kernel ring-3 loops"
else
	echo "# legacy kernel not built (no gcc-multilib): its loops are not checked"
fi

# The checker bites: a pair whose back edges differ modulo 64, one ending
# on a 32-byte boundary, one branch straddling it, an op loop without twin.
cat >"$tmp/bad.S" <<'EOF'
	.text
	.p2align 6
	.skip 28
x_op: dec %ecx
	jnz x_op
	.globl x_op_back
x_op_back: ret
	.p2align 6
	.skip 40
x_empty: dec %ecx
	jnz x_empty
	.globl x_empty_back
x_empty_back: ret
	.p2align 6
	.skip 30
y_op: dec %ecx
	jnz y_op
	.globl y_op_back
y_op_back: ret
EOF
if cc -c "$tmp/bad.S" -o "$tmp/bad.o" 2>/dev/null; then
	loops_ok "$tmp/bad.o" >"$tmp/out"
	sed 's/^/# fixture: /' "$tmp/out"
	check "fixture: a misaligned pair is rejected" not loops_ok "$tmp/bad.o"
	check "fixture: the mod-64 mismatch is named" grep -q "x: op back edge at 32 mod 64, empty at 44" "$tmp/out"
	check "fixture: the branch ending on a 32-byte boundary is named" grep -q "x_op_back: the back-edge branch ends on a 32-byte boundary" "$tmp/out"
	check "fixture: the fused pair across a boundary is named" grep -q "y_op_back: the fused back edge .* crosses" "$tmp/out"
	check "fixture: the missing twin is named" grep -q "y_op_back has no y_empty_back twin" "$tmp/out"
else
	check "the fixture assembles" false
fi
echo "1..$n"
[ $bad -eq 0 ]
