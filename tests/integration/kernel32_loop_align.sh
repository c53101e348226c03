#!/bin/sh
# The legacy kernel's timed ring-3 loops (src/kernel32/user32.S): every _op
# loop and its _empty twin end their back-edge pair (dec; jnz) at the same
# offset modulo 64, and no pair crosses or ends on a 32-byte boundary
# (Intel's JCC erratum makes such a jump slower on Skylake-derived cores,
# which would make the op and empty loops differ by more than the entry).
# Read from the kernel ELF: the <loop>_back symbols user32.S exports right
# after each jnz, and the two instructions before each, disassembled.
set -u
. "$(dirname "$0")/../lib.sh"
ELF=${KERNEL32:-$BUILD/kentry-kernel32.elf}

command -v nm >/dev/null && command -v objdump >/dev/null || { echo "nm/objdump not installed (binutils)"; exit 77; }
[ -f "$ELF" ] || { echo "not ok 1 - $ELF missing: run make"; exit 1; }

nm "$ELF" | awk '$3 ~ /^u32_.*_(op|empty)(_back)?$/ { print $3, $1 }' | sort >"$tmp/syms"
loops=$(awk '$1 ~ /_op_back$/ { sub(/_op_back$/, "", $1); print $1 }' "$tmp/syms")
count=$(echo "$loops" | grep -c .)
check "the legacy kernel exports <loop>_back for its loops ($count op/empty pairs)" test "$count" -ge 15
addr() { awk -v s="$1" '$1 == s { print $2 }' "$tmp/syms"; }

# start address of the dec;jnz pair that ends at FN_back, after checking
# that those are the last two instructions before it
pair() {
	s=$(addr "$1") e=$(addr "${1}_back")
	[ -n "$s" ] && [ -n "$e" ] || return 1
	objdump -d -M i386 --start-address=0x$s --stop-address=0x$e "$ELF" |
		awk -F'\t' '/^ *[0-9a-f]+:\t/ { a[n] = $1; t[n] = $3; n++ }
		END {
			if (n < 2 || t[n - 2] !~ /^dec/ || t[n - 1] !~ /^(jne|jnz)/) exit 1
			sub(/:.*/, "", a[n - 2]); gsub(/ /, "", a[n - 2]); print a[n - 2]
		}'
}

for l in $loops; do
	po=$(pair "${l}_op") || po=bad
	pe=$(pair "${l}_empty") || pe=bad
	bo=$(addr "${l}_op_back") be=$(addr "${l}_empty_back")
	check "$l: op and empty back-edges are dec; jnz" test "$po" != bad -a "$pe" != bad
	check "$l: op and empty back-edges end at the same offset mod 64 (0x$bo, 0x$be)" \
		test $((0x$bo % 64)) -eq $((0x$be % 64))
	for v in op empty; do
		if [ $v = op ]; then s=$po e=$bo; else s=$pe e=$be; fi
		[ "$s" != bad ] || continue
		check "$l $v: the pair 0x$s..0x$e neither crosses nor ends on a 32-byte boundary" \
			sh -c "[ $((0x$s / 32)) -eq $(((0x$e - 1) / 32)) ] && [ $((0x$e % 32)) -ne 0 ]"
	done
done

echo "1..$n"
[ $bad -eq 0 ]
