#!/bin/sh
# KPTI for Linux programs (docs/mitigations.md, docs/linux-programs.md):
# kentry exec --mitigations kpti gives the process user page tables of its
# own, checked by the kernel before the program runs, and a program
# behaves exactly as without: the seed's Hello, world! through int 0x80 and
# syscall, a C program's arguments and exit status, and memstale, whose
# memory changes under it (mmap, mprotect, munmap, brk): the same output,
# and a read after munmap or a write after mprotect(PROT_READ) dies of
# SIGSEGV; and xmmkeep: the SSE registers survive every system call and a
# page fault (the kernel's code on those paths is built without SSE; it
# keeps no FPU state for the program). Each hardening claim fails with its
# step off: harden_off=kpti
# (the process's user tables map the kernel image: its self-check fails,
# the program does not run) and harden_off=kpti_mirror (unmap and protect
# do not reach the user tables: the stale page is read and written).
# QEMU TCG, Intel model. About 5 s.
. tests/lib.sh
need_qemu_kernel
. tests/programs/build.sh
export KENTRY_BOOT_TIMEOUT=60
build_asm hello_int80 32 >"$tmp/why" 2>&1 && build_asm hello_syscall 64 >>"$tmp/why" 2>&1 || { tail -1 "$tmp/why"; exit 77; }
build_c memstale glibc64 >"$tmp/why" 2>&1 || { echo "cannot build memstale: $(cat "$tmp/why")"; exit 1; }
build_c ktime glibc64 >"$tmp/why" 2>&1 || { echo "cannot build ktime: $(cat "$tmp/why")"; exit 1; }
build_c xmmkeep glibc64 >"$tmp/why" 2>&1 || { echo "cannot build xmmkeep: $(cat "$tmp/why")"; exit 1; }

run() { # name [exec options] program args...: $tmp/name.{out,err,rc}
	name=$1
	shift
	"$K" exec --accel tcg --cpu Skylake-Client "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
rc() { [ "$(cat "$tmp/$1.rc")" = "$2" ]; }
same() { # a b: the same output and status
	cmp -s "$tmp/$1.out" "$tmp/$2.out" && [ "$(cat "$tmp/$1.rc")" = "$(cat "$tmp/$2.rc")" ]
}

# plain and with kpti, side by side (in parallel: two CPUs)
for m in plain kpti; do
	opt=
	[ $m = kpti ] && opt="--mitigations kpti"
	(
		run "$m-h32" $opt "$tmp/hello_int80-32"
		run "$m-h64" $opt "$tmp/hello_syscall-64"
		run "$m-work" $opt --verbose "$tmp/memstale-glibc64" work
		run "$m-unmap" $opt "$tmp/memstale-glibc64" unmap
		run "$m-protect" $opt "$tmp/memstale-glibc64" protect
		run "$m-kt" $opt "$tmp/ktime-glibc64" 17 "two words"
		run "$m-xmm" $opt "$tmp/xmmkeep-glibc64"
	) &
done
wait
for p in h32 h64; do
	check "kpti: $p prints Hello, world! and exits 0, as without" eval 'printf "Hello, world!\n" | cmp -s - "$tmp/kpti-$p.out" && rc kpti-$p 0 && same plain-$p kpti-$p'
done
check "kpti: the process's user tables hold only user pages and the trampoline (self-check)" \
	grep -q "^ok .* KPTI process (exec): user tables map only user pages and the entry trampoline: .* 0 else" "$tmp/kpti-work.err"
check "kpti: their user half is the process's (self-check)" \
	grep -q "^ok .* KPTI process (exec): the user tables' user half is the process's: [1-9][0-9]* user pages in both, 0 differ" "$tmp/kpti-work.err"
check "plain: no KPTI tables for the process" eval '! grep -q "KPTI process" "$tmp/plain-work.err"'
check "kpti: memstale work: the same checksum as without, status 0" eval 'grep -q "^work done: checksum" "$tmp/kpti-work.out" && same plain-work kpti-work && rc kpti-work 0'
check "kpti: a read after munmap dies of SIGSEGV (139), as without" eval 'rc kpti-unmap 139 && same plain-unmap kpti-unmap && ! grep -q "^stale" "$tmp/kpti-unmap.out"'
check "kpti: a write after mprotect(PROT_READ) dies of SIGSEGV (139), as without" eval 'rc kpti-protect 139 && same plain-protect kpti-protect && ! grep -q "^stale" "$tmp/kpti-protect.out"'
check "kpti: ktime: arguments and status 17 as without" eval 'rc kpti-kt 17 && grep -qxF "arg 2 [two words]" "$tmp/kpti-kt.out"'
for m in plain kpti; do
	check "$m: XMM0-15 kept across system calls and a page fault (xmmkeep)" \
		eval 'rc $m-xmm 0 && [ "$(grep -c "xmm kept" "$tmp/$m-xmm.out")" -eq 7 ]'
done

# kpti-pcid under TCG (no PCID): skipped, never faked: the program runs
# without it and kentry says so
run pcid --mitigations kpti-pcid "$tmp/hello_syscall-64"
check "kpti-pcid under TCG: the program runs, told it ran without (no PCID)" \
	eval 'rc pcid 0 && grep -q "^kentry exec: --mitigations kpti-pcid: the program ran without them (skipped: no PCID" "$tmp/pcid.err"'
check "kpti: no such note when the set runs" eval '! grep -q "ran without them" "$tmp/kpti-h64.err"'

# the hardening steps off (tests only)
(KENTRY_BOOT_APPEND="harden_off=kpti_mirror" run mirror-unmap --mitigations kpti "$tmp/memstale-glibc64" unmap) &
(KENTRY_BOOT_APPEND="harden_off=kpti_mirror" run mirror-protect --mitigations kpti "$tmp/memstale-glibc64" protect) &
wait
check "harden_off=kpti_mirror: the unmapped page is still read through the user tables (status 3)" \
	eval 'rc mirror-unmap 3 && grep -q "^stale read 0x5a5a000000000008" "$tmp/mirror-unmap.out"'
check "harden_off=kpti_mirror: the read-only page is still written through the user tables (status 4)" \
	eval 'rc mirror-protect 4 && grep -q "^stale write" "$tmp/mirror-protect.out"'
KENTRY_BOOT_APPEND="harden_off=kpti" run leak --mitigations kpti --verbose "$tmp/hello_syscall-64"
check "harden_off=kpti: the process's self-check finds kernel pages in its user tables; the program does not run (status 4)" \
	eval 'rc leak 4 && grep -q "^not ok .* KPTI process (exec): user tables map only user pages and the entry trampoline: .* [1-9][0-9]* else" "$tmp/leak.err" && ! grep -q "Hello" "$tmp/leak.out"'
echo "1..$n"
[ $bad -eq 0 ]
