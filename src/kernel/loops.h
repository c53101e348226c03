/* kentry kernels: the shape of every ring-3 timed loop, as assembler
 * macros (included by src/kernel/user.S and src/kernel32/user32.S after
 * their layout header, which defines VEC_DONE).
 *
 * Every path has two loops with identical code except the entry
 * instruction: <name>_op and <name>_empty. kmeasure (core/measure.c) runs
 * both and subtracts the median of the empty ones, so what remains is the
 * round trip alone. Shape of each loop:
 *
 *   counter = n                       (outside the timed region)
 *   t0 = lfence; rdtsc; lfence        (ktsc_read's sequence, core/tsc.h)
 *   setup                             (path specific, e.g. sysenter's RDX/RCX)
 * 1: entry instruction                (absent in _empty)
 * 2: dec counter; jnz 1b
 *   t1 = lfence; rdtsc; lfence
 *   EDX:EAX = t1 - t0; int $VEC_DONE  (the kernel's done gate ends the excursion)
 *
 * LOOP64: 64-bit ring 3, n in RDI, counter R12, t0 in R13. LOOP32: 32-bit
 * ring 3 (compatibility mode in the long-mode kernel, legacy protected
 * mode in the legacy one), n in EDI, counter ESI, t0 in EDI:EBP. The
 * stubs never touch these registers (a task switch saves and restores
 * them). A return lands on label 2: (the return instructions use the
 * address after the entry instruction; the exception stubs advance the
 * saved instruction pointer past it; the SYSENTER loops name 2f as their
 * return address). */
#ifndef KENTRY_KERNEL_LOOPS_H
#define KENTRY_KERNEL_LOOPS_H

	.macro T0_64
	lfence
	rdtsc
	lfence
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %r13
	.endm

	.macro T1_64
	lfence
	rdtsc
	lfence
	shl $32, %rdx
	or %rdx, %rax
	sub %r13, %rax
	mov %rax, %rdx
	shr $32, %rdx
	int $VEC_DONE
	ud2                     /* never reached: kdone_entry does not return here */
	.endm

	/* Loop alignment. The back-edge pair (dec; jnz) of an _op loop and of
	 * its _empty twin must sit at the same offset modulo 64, so that both
	 * see the same fetch/decode and branch-prediction geometry (Intel's
	 * JCC erratum: a jump that crosses or ends on a 32-byte boundary is
	 * slower on Skylake-derived cores). The padding goes BEFORE each
	 * function's entry, so no extra instruction runs: the head of the
	 * function (counter, T0, setup, entry instruction) is first assembled
	 * into a discarded section to learn its length d, then the function
	 * is placed at 64k + ((-d) mod 64), which puts its dec at a 64-byte
	 * boundary: the 5-byte pair (3 in 32-bit code) neither crosses nor
	 * ends on a 32-byte boundary. <fn>_back marks the end of each jnz
	 * (tests/integration/loop_alignment.sh checks these symbols). */
	.macro ALIGNED_FN fn, head:vararg
	.pushsection .discard.loopsize, "a"
.Lhs_\fn:
	\head
.Lhe_\fn:
	.popsection
	.balign 64
	.skip (-(.Lhe_\fn - .Lhs_\fn)) & 63
	.globl \fn
\fn:
	.endm

	.macro HEAD64 setup, entry
	mov %rdi, %r12
	T0_64
	\setup
1:	\entry
	.endm

	/* One timed loop: fn (its head placed by ALIGNED_FN), the back edge
	 * (dec ctr; jnz 1b), fn_back, the end. w: 64 or 32 (HEAD<w>, T1_<w>);
	 * t: a suffix naming another head, HEAD<w><t> (the long-mode kernel's
	 * touching loops, user.S). */
	.macro LOOP_FN w, ctr, fn, setup, entry, t=
	ALIGNED_FN \fn, HEAD\w\t "\setup", "\entry"
	HEAD\w\t "\setup", "\entry"
2:	dec \ctr
	jnz 1b
	.globl \fn\()_back
\fn\()_back:
	T1_\w
	.endm

	.macro LOOP64 name, setup, entry
	LOOP_FN 64, %r12, u64_\name\()_op, "\setup", "\entry"
	LOOP_FN 64, %r12, u64_\name\()_empty, "\setup", ""
	.endm

	.macro T0_32
	lfence
	rdtsc
	lfence
	mov %eax, %edi
	mov %edx, %ebp
	.endm

	.macro T1_32
	lfence
	rdtsc
	lfence
	sub %edi, %eax
	sbb %ebp, %edx
	int $VEC_DONE
	ud2
	.endm

	.macro HEAD32 setup, entry
	mov %edi, %esi
	T0_32
	\setup
1:	\entry
	.endm

	.macro LOOP32 name, setup, entry
	LOOP_FN 32, %esi, u32_\name\()_op, "\setup", "\entry"
	LOOP_FN 32, %esi, u32_\name\()_empty, "\setup", ""
	.endm

#endif
