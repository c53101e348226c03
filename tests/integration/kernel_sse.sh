#!/bin/sh
# The kernel keeps no FPU/SSE state for a Linux program, so the code its
# system calls, faults and interrupts run through must leave XMM0-15 alone,
# as Linux's kernel (built without SSE) does: docs/linux-programs.md "The
# SSE registers", KERNEL_NOSSE in src/kernel/kernel.mk. The test program
# xmmkeep checks the paths a program takes (exec_kpti); this checks every
# object of the long-mode kernel, so that a path no program takes in the
# tests cannot start using SSE unseen: only the files that never run on a
# program's behalf may hold a vector instruction. A new file that does has
# to be put on one side or the other. Under a second.
. tests/lib.sh
command -v objdump >/dev/null || { echo "objdump not installed (Debian: binutils)"; exit 77; }
OBJ="$BUILD/kernel/src/kernel $BUILD/kernel/src/core"
ls "$BUILD"/kernel/src/kernel/*.o >/dev/null 2>&1 || { echo "not ok 1 - the kernel's objects are missing: run make"; exit 1; }

# May use SSE: the measurement, statistics and report code (doubles), the
# boot-time CPU description and self-checks, the self-test and fuzzer
# (which run ring 3 of their own, not a program), FRED's measurements.
# console: kprintf's %f only (a program's calls print integers; a
# variadic prologue stores XMM0-7 but changes none).
SSE_OK="arch console fred fuzz gtod paths protect report selftest cpuinfo measure stats"

vector() { objdump -d "$1" | grep -Eq '%[xyz]mm[0-9]'; }
uses=""
outside=""
for d in $OBJ; do
	for o in "$d"/*.o; do
		b=$(basename "$o" .o)
		vector "$o" || continue
		uses="$uses $b"
		case " $SSE_OK " in
		*" $b "*) ;;
		*) outside="$outside $b" ;;
		esac
	done
done
echo "# objects with vector instructions:$uses"
# the detector sees what is there (stats.c computes in doubles)
check "the check finds SSE where it is (stats.o)" eval 'case " $uses " in *" stats "*) true ;; *) false ;; esac'
check "no kernel object a program's calls, faults or interrupts run through holds SSE${outside:+ (found in:$outside)}" \
	test -z "$outside"
# and none of them is one kernel.mk builds without SSE (a list kept in two places
# must not disagree)
nosse=$(sed -n '/^KERNEL_NOSSE :=/,/[^\\]$/p' src/kernel/kernel.mk | sed 's/^KERNEL_NOSSE :=//; s/\\//g' | tr -s ' \n\t' ' ')
both=""
for f in $nosse; do
	case " $SSE_OK " in *" $f "*) both="$both $f" ;; esac
done
check "KERNEL_NOSSE read from kernel.mk (linux among it)" eval 'case " $nosse " in *" linux "*) true ;; *) false ;; esac'
check "no file is both built without SSE and allowed it${both:+ ($both)}" test -z "$both"
echo "1..$n"
[ $bad -eq 0 ]
