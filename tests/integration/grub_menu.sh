#!/bin/sh
# The GRUB menu of the boot image (src/kernel/grub.cfg) offers only words
# the kernels read: each entry's multiboot line names a kernel the build
# makes and carries words (or word= prefixes) that a kernel's command-line
# parser compares against. A kernel ignores a word it does not know, so a
# misspelt menu entry would otherwise boot the default run without a sign.
set -u
. "$(dirname "$0")/../lib.sh"
CFG=src/kernel/grub.cfg
[ -f "$CFG" ] || { echo "not ok 1 - $CFG missing"; exit 1; }

# Every word of every multiboot line, as "kernel word" pairs.
grep -E '^[[:space:]]*multiboot ' "$CFG" | while read -r _ kernel words; do
	echo "$kernel -"
	for w in $words; do echo "$kernel $w"; done
done >"$tmp/words"
check "the menu has multiboot entries" test -s "$tmp/words"

while read -r kernel w; do
	case $kernel in
	/boot/kentry-kernel.elf) src="src/kernel" ;;
	/boot/kentry-kernel32.elf) src="src/kernel src/kernel32" ;;
	*) src="" ;;
	esac
	check "$kernel is a kernel the image holds" test -n "$src"
	[ "$w" = - ] && continue
	# shellcheck disable=SC2086 # $src is a list of directories
	cat $(find $src -name '*.c') >"$tmp/src"
	# A word the parser compares whole ("variant=full"), or key= with a
	# value the parser reads (samples=1000): then the source has "key=
	# and no other literal starting with it (a key with named values).
	whole="\"$w\""
	key="\"${w%%=*}="
	case $w in
	*=*) check "$kernel reads the word $w" sh -c \
		"grep -qF -e '$whole' '$tmp/src' ||
		 { grep -qF -e '$key\"' '$tmp/src' && ! grep -qE -e '$key[^\"]' '$tmp/src'; }" ;;
	*) check "$kernel reads the word $w" grep -qF -e "$whole" "$tmp/src" ;;
	esac
done <"$tmp/words"
echo "1..$n"
[ $bad -eq 0 ]
