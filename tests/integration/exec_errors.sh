#!/bin/sh
# kentry exec when things go wrong: malformed executables refused with a
# message naming the problem (status 6), by the host before anything boots
# and by the kernel on its own (KENTRY_EXEC_NOCHECK=1 skips the host's
# check), the file untouched and no run directory left; a program killed
# by a fault (128 + signal, the fault on stderr); every user pointer checked
# (-EFAULT, the program goes on), and with the check switched off
# (harden_off=uaccess) the same program reads the kernel's memory; the
# vsyscall page in each mode, and what its emulation refuses (a misaligned
# entry, an unreadable or kernel return address, xonly's reads); usage
# errors. About 4 s.
. tests/lib.sh
need_qemu_kernel
. tests/programs/build.sh
export KENTRY_BOOT_TIMEOUT=60
build_asm hello_syscall 64 || exit 77
build_c badptr glibc64 || { echo "not ok 1 - cannot build badptr.c"; exit 1; }
build_c ktime glibc64 || { echo "not ok 1 - cannot build ktime.c"; exit 1; }
build_c vsysbad glibc64 || { echo "not ok 1 - cannot build vsysbad.c"; exit 1; }
H="$tmp/hello_syscall-64"
X="$K exec --accel tcg --cpu Skylake-Client"
mkdir "$tmp/t"
export TMPDIR="$tmp/t" # the run directories go here: none may be left

# ---- malformed executables ------------------------------------------------
patch() { # file offset bytes(printf octal escapes)
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
mk() { cp "$H" "$tmp/$1"; }
printf 'just some text\n' >"$tmp/text"
printf '#!/bin/sh\necho hi\n' >"$tmp/script"
head -c 40 "$H" >"$tmp/trunc-header"
head -c 300 "$H" >"$tmp/trunc-phdrs"    # the headers, not the segments
mk machine; patch "$tmp/machine" 18 '\267\000'          # e_machine = 183 (AArch64)
mk class; patch "$tmp/class" 4 '\003'                   # EI_CLASS 3
mk bigend; patch "$tmp/bigend" 5 '\002'                 # EI_DATA big-endian
mk object; patch "$tmp/object" 16 '\001'                # e_type ET_REL
# program header 1 (file offset 64 + 56) p_vaddr = 0x400000: onto segment 0
mk overlap; patch "$tmp/overlap" 136 '\000\000\100\000\000\000\000\000'
# program header 1 at 0x200000: the kernel's range
mk kernelrange; patch "$tmp/kernelrange" 136 '\000\020\040\000\000\000\000\000'
# program header 1 p_memsz = 2^40
mk absurd; patch "$tmp/absurd" 160 '\000\000\000\000\000\001\000\000'
# program header 1 at the top of the user range
mk toohigh; patch "$tmp/toohigh" 136 '\000\000\000\000\000\200\000\000'
sum_before=$(cat "$tmp"/machine "$tmp"/overlap | cksum)

refused() { # file, text the message must hold: host refusal, status 6
	$X "$tmp/$1" >"$tmp/$1.out" 2>"$tmp/$1.err"
	[ $? -eq 6 ] && grep -q "kentry exec: $tmp/$1: .*$2" "$tmp/$1.err" && [ ! -s "$tmp/$1.out" ]
}
check "not ELF: refused, 'not an ELF file'" refused text "not an ELF file"
check "a script: refused, 'script'" refused script "script (#!)"
check "truncated in the ELF header: refused, 'truncated'" refused trunc-header "truncated"
check "truncated in the segments: refused, 'truncated'" refused trunc-phdrs "truncated: segment"
check "wrong machine: refused, names AArch64" refused machine "wrong machine: a 64-bit program for AArch64"
check "unknown class: refused" refused class "unknown ELF class 3"
check "big-endian: refused" refused bigend "not little-endian"
check "an object file: refused" refused object "object file"
check "overlapping segments: refused, both named" refused overlap "segments 0 and 1 overlap"
check "a segment in the kernel's range: refused" refused kernelrange "lies in the kernel's range"
check "an absurd segment size: refused" refused absurd "absurd size"
check "a segment beyond the user range: refused" refused toohigh "beyond the program's part"
cp /bin/true "$tmp/dyn" 2>/dev/null && check "dynamically linked: refused, names the interpreter" refused dyn "dynamically linked (it asks for the interpreter"

# the kernel refuses on its own: the same reasons, from the guest
krefused() { # file, text
	KENTRY_EXEC_NOCHECK=1 $X "$tmp/$1" >"$tmp/$1.kout" 2>"$tmp/$1.kerr"
	[ $? -eq 6 ] && grep -q "refused by kentry's kernel: .*$2" "$tmp/$1.kerr"
}
check "kernel alone: truncated refused" krefused trunc-phdrs "truncated: segment"
check "kernel alone: wrong machine refused" krefused machine "wrong machine"
check "kernel alone: overlapping segments refused" krefused overlap "overlap"
check "kernel alone: a kernel-range segment refused" krefused kernelrange "kernel's range"
check "kernel alone: not ELF refused" krefused text "not an ELF file"
check "the refused files are untouched" test "$(cat "$tmp"/machine "$tmp"/overlap | cksum)" = "$sum_before"

$X "$tmp/nonexistent" 2>"$tmp/missing.err"; rc=$?
check "a missing program: status 3, named" eval '[ $rc -eq 3 ] && grep -q "nonexistent: No such file" "$tmp/missing.err"'
$X "$tmp" 2>"$tmp/dir.err"; rc=$?
check "a directory: status 3" test $rc -eq 3

# ---- usage -------------------------------------------------------------------
"$K" exec 2>"$tmp/u1.err"; rc=$?
check "no program: status 2, says what is needed" eval '[ $rc -eq 2 ] && grep -q "exec needs a program" "$tmp/u1.err"'
"$K" exec --vsyscall sometimes "$H" 2>"$tmp/u2.err"; rc=$?
check "--vsyscall sometimes: status 2, the modes named" eval '[ $rc -eq 2 ] && grep -q "none, xonly, emulate, native" "$tmp/u2.err"'
"$K" exec --env NOEQUALS "$H" 2>"$tmp/u3.err"; rc=$?
check "--env without =: status 2" test $rc -eq 2

# ---- a program killed ------------------------------------------------------------
cat >"$tmp/fault.asm" <<'ASM'
section .text
global _start
_start:
	mov rax, [0x10]     ; nothing mapped there: SIGSEGV
ASM
cat >"$tmp/ill.asm" <<'ASM'
section .text
global _start
_start:
	ud2                 ; SIGILL
ASM
for p in fault ill; do nasm -f elf64 "$tmp/$p.asm" -o "$tmp/$p.o" && ld "$tmp/$p.o" -o "$tmp/$p"; done
$X "$tmp/fault" 2>"$tmp/fault.err"; rc=$?
check "a NULL-page read: 139 (SIGSEGV), the fault on stderr" eval '[ $rc -eq 139 ] &&
	grep -q "killed by signal 11 (SIGSEGV): #PF page fault at rip 0x401000: read of address 0x10" "$tmp/fault.err"'
$X "$tmp/ill" 2>"$tmp/ill.err"; rc=$?
check "ud2: 132 (SIGILL), the fault on stderr" eval '[ $rc -eq 132 ] && grep -q "killed by signal 4 (SIGILL): #UD" "$tmp/ill.err"'

# ---- every user pointer checked ---------------------------------------------------
$X "$tmp/badptr-glibc64" >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?
check "bad pointers: status 0, the program went on to its end" eval '[ $rc -eq 0 ] && grep -qx "still running" "$tmp/bad.out"'
check "bad pointers: every call returned -EFAULT (11 calls)" eval '[ "$(grep -c ": EFAULT$" "$tmp/bad.out")" -eq 11 ] && ! grep -q "NOT EFAULT" "$tmp/bad.out"'
# the check bites: without it write() hands out the kernel image, whose
# first bytes are the Multiboot header's magic 0x1BADB002
KENTRY_BOOT_APPEND=harden_off=uaccess $X "$tmp/badptr-glibc64" >"$tmp/bad0.out" 2>/dev/null
check "harden_off=uaccess: the same program reads the kernel (Multiboot magic in its output)" \
	eval 'od -An -tx1 -v "$tmp/bad0.out" | tr -d " \n" | grep -q 02b0ad1b && grep -q "NOT EFAULT" "$tmp/bad0.out"'

# ---- the vsyscall page's modes ------------------------------------------------------
for m in native emulate xonly; do
	$X --vsyscall "$m" "$tmp/ktime-glibc64" >"$tmp/v-$m.out" 2>&1; rc=$?
	check "vsyscall=$m: the page's gettimeofday and time work" eval '[ $rc -eq 0 ] &&
		grep -q "^time vsyscall-gettimeofday 1" "$tmp/v-$m.out" && grep -q "^time vsyscall-time 1" "$tmp/v-$m.out"'
done
$X --vsyscall none "$tmp/ktime-glibc64" >"$tmp/v-none.out" 2>"$tmp/v-none.err"; rc=$?
check "vsyscall=none: a call into the page is a SIGSEGV (139) at 0xffffffffff600000" eval '[ $rc -eq 139 ] &&
	grep -q "rip 0xffffffffff600000" "$tmp/v-none.err"'
$X --vsyscall none --env NO_VSYSCALL=1 "$tmp/ktime-glibc64" 5 >"$tmp/v-none2.out" 2>&1; rc=$?
check "vsyscall=none: a program that does not use the page runs (and gets its --env)" eval '[ $rc -eq 5 ] &&
	grep -q "^time vdso-gettimeofday" "$tmp/v-none2.out"'
# what the emulation refuses, as Linux's emulate_vsyscall does: each is a
# SIGSEGV with its reason (without the checks, each call would be served)
for c in misaligned:"misaligned vsyscall: a call to vsyscall page offset 8" \
	badstack:"vsyscall with bad stack: the return address at 0x1000 cannot be read" \
	kernelret:"vsyscall returning to 0xffffffff80000000, outside user space"; do
	$X --vsyscall emulate "$tmp/vsysbad-glibc64" "${c%%:*}" >"$tmp/vb.out" 2>"$tmp/vb.err"; rc=$?
	check "vsyscall=emulate, ${c%%:*}: SIGSEGV (139), '${c#*:}'" eval '[ $rc -eq 139 ] && grep -qF "${c#*:}" "$tmp/vb.err" && [ ! -s "$tmp/vb.out" ]'
done
# a read of the page: emulate maps it readable, xonly does not
$X --vsyscall emulate "$tmp/vsysbad-glibc64" read >"$tmp/vr.out" 2>&1; rc=$?
check "vsyscall=emulate: the page can be read" eval '[ $rc -eq 0 ] && grep -qx "read 0x[0-9a-f][0-9a-f]" "$tmp/vr.out"'
$X --vsyscall xonly "$tmp/vsysbad-glibc64" read >"$tmp/vx.out" 2>"$tmp/vx.err"; rc=$?
check "vsyscall=xonly: reading the page is a SIGSEGV (139), a read of 0xffffffffff600000" eval '[ $rc -eq 139 ] &&
	grep -q "read of address 0xffffffffff600000" "$tmp/vx.err"'

check "no run directory left in TMPDIR" test -z "$(ls -A "$tmp/t")"
echo "1..$n"
[ $bad -eq 0 ]
