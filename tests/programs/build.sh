# Builds the programs of tests/programs into $tmp (sourced by the exec
# tests, after tests/lib.sh): build_asm NAME BITS gives $tmp/NAME-BITS;
# build_c NAME COMPILER gives $tmp/NAME-COMPILER (musl64, musl32,
# glibc64, glibc32), linked with kentry's own vDSO reader. Each prints why it
# cannot (a missing tool) and returns 1.
P=tests/programs
build_asm() { # name bits
	command -v nasm >/dev/null || { echo "nasm not installed (Debian: nasm)"; return 1; }
	if [ "$2" = 32 ]; then
		nasm -f elf "$P/$1.asm" -o "$tmp/$1-32.o" && ld -melf_i386 "$tmp/$1-32.o" -o "$tmp/$1-32"
	else
		nasm -f elf64 "$P/$1.asm" -o "$tmp/$1-64.o" && ld "$tmp/$1-64.o" -o "$tmp/$1-64"
	fi
}
build_c() { # name musl64|musl32|glibc64|glibc32
	src="$P/$1.c src/linux/vdso.c"
	case $2 in
	musl64)
		command -v musl-gcc >/dev/null || { echo "musl-gcc not installed (Debian: musl-tools)"; return 1; }
		musl-gcc -static -O2 -iquote src $src -o "$tmp/$1-$2" ;;
	musl32) # Debian's i386 musl, fetched into build/ (scripts/musl32.sh)
		spec=$(scripts/musl32.sh build/musl-i386) || { echo "$spec"; return 1; }
		cc -m32 -static -specs "$spec" -O2 -iquote src $src -o "$tmp/$1-$2" ;;
	glibc64) cc -static -O2 -iquote src $src -o "$tmp/$1-$2" ;;
	glibc32) cc -m32 -static -O2 -iquote src $src -o "$tmp/$1-$2" 2>/dev/null ||
		{ echo "no static 32-bit glibc (Debian: gcc-multilib)"; return 1; } ;;
	esac
}
