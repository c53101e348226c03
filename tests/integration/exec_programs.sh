#!/bin/sh
# kentry exec: real programs on kentry's kernel under QEMU TCG, on an
# Intel and an AMD model: the seed's "Hello, world!" in assembly through
# int 0x80 (32- and 64-bit code), sysenter (32-bit, Intel), syscall (64-bit)
# and syscall from 32-bit code (AMD); static C programs (musl and glibc,
# 64- and 32-bit; the i386 musl is fetched by scripts/musl32.sh) that
# print their arguments and the time through gettimeofday, clock_gettime, time, the system call, the vsyscall page
# and the vDSO, and exit with a chosen status; the time they print is the
# host's within a tolerance; the C libraries took the time from the vDSO
# (the kernel counted no time system call of theirs). About 4 s.
. tests/lib.sh
need_qemu_kernel
. tests/programs/build.sh
export KENTRY_BOOT_TIMEOUT=60
for p in hello_int80:32 hello_int80:64 hello_sysenter:32 hello_syscall:64 hello_syscall32:32; do
	build_asm "${p%:*}" "${p#*:}" || exit 77
done
for c in musl64 musl32 glibc64 glibc32; do
	build_c ktime $c >"$tmp/why-$c" 2>&1 || { echo "skip $c: $(cat "$tmp/why-$c")"; rm -f "$tmp/ktime-$c"; }
done
[ -f "$tmp/ktime-glibc64" ] || { echo "cannot build the C test program with glibc: $(cat "$tmp/why-glibc64")"; exit 1; }

has_times() { # file how...: a time line for each
	f=$1
	shift
	for w in "$@"; do
		grep -q "^time $w " "$f" || return 1
	done
}
hello_ok() { # file: exactly the seed's output
	printf 'Hello, world!\n' | cmp -s - "$1"
}
# within TOL seconds of the host's clock, every time line of $1
times_ok() {
	now=$(date +%s)
	awk -v now="$now" -v tol=10 '/^time / { n++; s = $3 + 0; if (s < now - tol || s > now + tol) bad++ }
		END { exit !(n >= 5 && !bad) }' "$1"
}

for vendor in intel:Skylake-Client amd:EPYC; do
	v=${vendor%%:*} cpu=${vendor#*:}
	run() { # name program args...: stdout, stderr, status in $tmp/$v-name.{out,err,rc}
		name=$1
		shift
		"$K" exec --accel tcg --cpu "$cpu" "$@" >"$tmp/$v-$name.out" 2>"$tmp/$v-$name.err"
		echo $? >"$tmp/$v-$name.rc"
	}
	rc() { [ "$(cat "$tmp/$v-$1.rc")" = "$2" ]; }

	for p in hello_int80-32 hello_int80-64 hello_syscall-64; do
		run "$p" "$tmp/$p"
		check "$v: $p prints Hello, world! and exits 0" eval 'hello_ok "$tmp/$v-$p.out" && rc "$p" 0'
	done
	# sysenter from 32-bit code: Intel's; AMD documents #UD, QEMU's AMD
	# models run it (docs/boot.md): either way nothing else
	run sysenter "$tmp/hello_sysenter-32"
	if [ "$v" = intel ]; then
		check "$v: raw sysenter from 32-bit code prints Hello, world!" eval 'hello_ok "$tmp/$v-sysenter.out" && rc sysenter 0'
	else
		check "$v: raw sysenter: Hello, world! (QEMU departs from AMD's #UD) or SIGILL" \
			eval 'hello_ok "$tmp/$v-sysenter.out" && rc sysenter 0 || { rc sysenter 132 && grep -q SIGILL "$tmp/$v-sysenter.err"; }'
	fi
	run syscall32 "$tmp/hello_syscall32-32"
	if [ "$v" = amd ]; then
		check "$v: raw syscall from 32-bit code prints Hello, world!" eval 'hello_ok "$tmp/$v-syscall32.out" && rc syscall32 0'
	else
		check "$v: raw 32-bit syscall: Hello, world! (QEMU departs from Intel's #UD) or SIGILL" \
			eval 'hello_ok "$tmp/$v-syscall32.out" && rc syscall32 0 || { rc syscall32 132 && grep -q SIGILL "$tmp/$v-syscall32.err"; }'
	fi

	for c in musl64 musl32 glibc64 glibc32; do
		[ -f "$tmp/ktime-$c" ] || continue
		# --verbose: the kernel's console on stderr, with its count of system calls
		run "kt-$c" --verbose "$tmp/ktime-$c" 17 "two words" 'a"quote' '' --not-an-option
		o="$tmp/$v-kt-$c.out" e="$tmp/$v-kt-$c.err"
		check "$v $c: exits with the chosen status 17" rc "kt-$c" 17
		check "$v $c: arguments arrive intact (spaces, quotes, empty, dashes)" eval '
			grep -qxF "arg 1 [17]" "$o" && grep -qxF "arg 2 [two words]" "$o" &&
			grep -qxF "arg 3 [a\"quote]" "$o" && grep -qxF "arg 4 []" "$o" &&
			grep -qxF "arg 5 [--not-an-option]" "$o" && grep -qxF "arg 0 [$tmp/ktime-$c]" "$o"'
		check "$v $c: gettimeofday, clock_gettime, time, the system call and the vDSO give the host's time (10 s)" \
			eval 'has_times "$o" gettimeofday clock_gettime time syscall vdso-gettimeofday vdso-time && times_ok "$o"'
		check "$v $c: CLOCK_MONOTONIC does not go backwards" grep -qx "monotonic ok" "$o"
		check "$v $c: the vDSO found through AT_SYSINFO_EHDR by kentry's reader; getcpu gives CPU 0" \
			eval 'grep -q "^vdso at 0x" "$o" && grep -qx "vdso-getcpu cpu 0 node 0" "$o"'
		check "$v $c: the C library read the time from the vDSO (one gettimeofday system call: the explicit one)" eval '
			l=$(grep "system calls made:" "$e") && echo "$l" | grep -q "gettimeofday 1\(,\|$\)" &&
			! echo "$l" | grep -q "clock_gettime" && ! echo "$l" | grep -q "time [0-9]"'
		check "$v $c: nothing logged as not implemented" eval '! grep -q "not implemented" "$e"'
		case $c in
		*64) check "$v $c: the vsyscall page's gettimeofday and time (xonly: emulated)" eval '
			grep -q "^time vsyscall-gettimeofday " "$o" && grep -q "^time vsyscall-time " "$o"' ;;
		*32) check "$v $c: AT_SYSINFO is the vDSO's __kernel_vsyscall" grep -qx "AT_SYSINFO is __kernel_vsyscall" "$o" ;;
		esac
	done
done
for c in musl64 musl32; do
	[ -f "$tmp/ktime-$c" ] || echo "# $c not run: $(cat "$tmp/why-$c")"
done
echo "1..$n"
[ $bad -eq 0 ]
