/* kentry legacy kernel: the ring-3 timed loops (section .user.text,
 * mapped U/S), 32-bit protected mode.
 *
 * Every path has two loops with identical code except the entry: <name>_op
 * and <name>_empty. kmeasure (core/measure.c) runs both and subtracts the
 * median of the empty ones, so what remains is the round trip alone:
 *
 *   counter = n                       (outside the timed region)
 *   t0 = lfence; rdtsc; lfence        (ktsc_read's sequence, core/tsc.h)
 *   setup                             (path specific, e.g. sysenter's EDX/ECX)
 * 1: entry                            (absent in _empty)
 * 2: dec counter; jnz 1b
 *   t1 = lfence; rdtsc; lfence
 *   EDX:EAX = t1 - t0; int $VEC_DONE  (kdone_entry32 ends the excursion)
 *
 * Entered by kuser_enter32 (entry32.S) with EDI = n >= 1, ESP = user
 * stack, EFLAGS = 0x2, CS = USER_CS, SS = DS = ES = USER_DS. Registers
 * that must survive the entry: ESI (counter), EDI:EBP (t0); the stubs in
 * stubs32.S never touch them and a task switch saves and restores them.
 * A return lands on label 2 (IRET/LRET/SYSRET use the address after the
 * instruction; the exception stubs step the saved EIP past it; SYSEXIT
 * returns to EDX = 2f). */
#include "layout32.h"

	.macro T0
	lfence
	rdtsc
	lfence
	mov %eax, %edi
	mov %edx, %ebp
	.endm

	.macro T1
	lfence
	rdtsc
	lfence
	sub %edi, %eax
	sbb %ebp, %edx
	int $U_VEC_DONE
	ud2                     /* never reached: kdone_entry32 does not return here */
	.endm

	/* Alignment: the back-edge pair (dec; jnz, 3 bytes) of an _op loop
	 * and of its _empty twin sit at the same offset modulo 64, so that
	 * both loops see the same fetch, decode and branch-prediction
	 * geometry, and the pair neither crosses nor ends on a 32-byte
	 * boundary (Intel's JCC erratum makes such a jump slower on
	 * Skylake-derived cores). The padding goes before the function, so
	 * no instruction is added: the head (counter, T0, setup, entry) is
	 * first assembled into a discarded section to learn its length d,
	 * then the function starts at 64k + ((-d) mod 64), which puts its dec
	 * on a 64-byte boundary. <fn>_back marks the end of the jnz
	 * (tests/integration/loop_alignment.sh checks these symbols). */
	.macro HEAD setup, entry
	mov %edi, %esi
	T0
	\setup
1:	\entry
	.endm

	.macro ALIGNED fn, setup, entry
	.pushsection .discard.loophead, "a"
.Lhs_\fn:
	HEAD "\setup", "\entry"
.Lhe_\fn:
	.popsection
	.balign 64
	.skip (-(.Lhe_\fn - .Lhs_\fn)) & 63
	.globl \fn
\fn:
	HEAD "\setup", "\entry"
2:	dec %esi
	jnz 1b
	.globl \fn\()_back
\fn\()_back:
	T1
	.endm

	.macro LOOP name, setup, entry
	ALIGNED u32_\name\()_op, "\setup", "\entry"
	ALIGNED u32_\name\()_empty, "\setup", ""
	.endm

	/* Aliases: macro arguments below are quoted strings, which the C
	 * preprocessor does not expand. */
	.equ U_VEC_DONE, VEC_DONE
	.equ U_VEC_INTGATE, VEC_INTGATE
	.equ U_VEC_TRAPGATE, VEC_TRAPGATE
	.equ U_VEC_TASKGATE, VEC_TASKGATE
	.equ U_VEC_INT80, VEC_INT80
	.equ U_NP_PAGE, USER_NP_PAGE
	.equ U_TSS_TASK, SEL_TSS_TASK | RPL3
	.equ U_TASKGATE, SEL_TASKGATE | RPL3

	.section .user.text, "ax"
	.code32

	/* int n through the 32-bit gates of VEC_INTGATE / VEC_TRAPGATE */
	LOOP int_gate, "", "int $U_VEC_INTGATE"
	LOOP trap_gate, "", "int $U_VEC_TRAPGATE"
	/* i386 Linux's system call: EAX = 20 (__NR_getpid on i386), int $0x80 */
	LOOP int80, "mov $20, %eax", "int $U_VEC_INT80"
	/* far call through a call gate: m16:32 pointer, the offset is ignored */
	LOOP call_gate, "", "lcall *far_cgate"
	/* the caller pushes the parameters each time; LRET $12 releases them */
	LOOP call_gate_params, "", "pushl $3; pushl $2; pushl $1; lcall *far_cgate_params"
	/* hardware task switches: int n through an IDT task gate, far call
	 * to the TSS descriptor itself, far call to a GDT task gate (the
	 * offset of a far call to a TSS or task gate is ignored) */
	LOOP task_gate, "", "int $U_VEC_TASKGATE"
	LOOP task_call_tss, "", "lcall $U_TSS_TASK, $0"
	LOOP task_call_gate, "", "lcall $U_TASKGATE, $0"
	/* SYSEXIT returns to EDX with ESP = ECX: set once, SYSENTER keeps them */
	LOOP sysenter, "mov $2f, %edx; mov %esp, %ecx", "sysenter"
	LOOP syscall, "", "syscall"
	/* exceptions: fixed-length instructions, see stubs32.S */
	LOOP exc_ud, "", "ud2"
	LOOP exc_bp, "", "int3"
	LOOP exc_pf, "mov $U_NP_PAGE, %ebx", "mov (%ebx), %eax"
	LOOP exc_de, "xor %ecx, %ecx", "div %ecx"
	LOOP exc_gp, "", "cli"                          /* CPL 3 > IOPL 0: #GP(0) */

	.section .user.data, "aw"
	.balign 16
	/* far pointers m16:32: offset (ignored through a gate), selector|RPL 3 */
far_cgate:
	.long 0
	.word SEL_CGATE | RPL3
	.balign 8
far_cgate_params:
	.long 0
	.word SEL_CGATE_PARAM | RPL3

	.section .user.stack, "aw", @nobits
	.balign 4096
	.skip 16384
	.globl user32_stack_top
user32_stack_top:
