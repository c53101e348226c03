#!/bin/sh
# The kernel's timed ring-3 loops (src/kernel/user.S): every _op loop and its
# _empty twin end their back-edge pair (dec; jnz) at the same offset modulo
# 64, and no pair crosses or ends on a 32-byte boundary (Intel's JCC
# erratum makes such a jump slower on Skylake-derived cores, which would
# make the op and empty loops differ by more than the entry instruction).
# Read from the kernel ELF: the <loop>_back symbols user.S exports right
# after each jnz, and the two instructions before each one, disassembled in
# the loop's own mode (u32_ loops are compatibility-mode code).
set -u
. "$(dirname "$0")/../lib.sh"
ELF=${KERNEL_ELF64:-$BUILD/kernel/kentry-kernel64.elf}

command -v nm >/dev/null && command -v objdump >/dev/null || { echo "nm/objdump not installed (binutils)"; exit 77; }
[ -f "$ELF" ] || { echo "not ok 1 - $ELF missing: run make"; exit 1; }

nm "$ELF" >"$tmp/nm"
# name address of every loop function and its _back label
awk '$3 ~ /^u(32|64)_.*_(op|empty)(_back)?$/ { print $3, $1 }' "$tmp/nm" | sort >"$tmp/syms"
loops=$(awk '$1 ~ /_op_back$/ { sub(/_op_back$/, "", $1); print $1 }' "$tmp/syms")
count=$(echo "$loops" | grep -c .)
check "the kernel exports <loop>_back for its loops ($count op/empty pairs)" test "$count" -ge 17

addr() { awk -v s="$1" '$1 == s { print $2 }' "$tmp/syms"; }

# pair FN: prints "start end" of the dec;jnz pair that ends at FN_back,
# after checking that those really are the two instructions before it
pair() {
	fn=$1
	s=$(addr "$fn") e=$(addr "${fn}_back")
	[ -n "$s" ] && [ -n "$e" ] || return 1
	case $fn in u32_*) m=i386 ;; *) m=x86-64 ;; esac
	objdump -d -M "$m" --start-address=0x$s --stop-address=0x$e "$ELF" |
		awk -F'\t' '/^ *[0-9a-f]+:\t/ { a[n] = $1; t[n] = $3; n++ }
		END {
			if (n < 2) exit 1
			d = t[n - 2]; j = t[n - 1]
			if (d !~ /^dec/ || j !~ /^(jne|jnz)/) { print "bad", d, "/", j; exit 1 }
			sub(/:.*/, "", a[n - 2]); gsub(/ /, "", a[n - 2]); print a[n - 2]
		}'
}

for l in $loops; do
	po=$(pair "${l}_op") || po="bad"
	pe=$(pair "${l}_empty") || pe="bad"
	bo=$(addr "${l}_op_back")
	be=$(addr "${l}_empty_back")
	check "$l: op and empty back-edges are dec; jnz (op $po, empty $pe)" sh -c "[ '$po' != bad ] && [ '$pe' != bad ] && echo '$po' | grep -qv ' ' && echo '$pe' | grep -qv ' '"
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
