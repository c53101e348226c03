/* kentry legacy kernel: the ring-3 timed loops (section .user.text,
 * mapped U/S), 32-bit protected mode: one LOOP32 line per path, the loop
 * shape (src/kernel/loops.h) shared with the long-mode kernel's
 * compatibility-mode loops.
 *
 * Entered by kuser_enter32 (entry32.S) with EDI = n >= 1, ESP = user
 * stack, EFLAGS = 0x202 (0x2 with ring3_if=0), CS = USER_CS, SS = DS = ES
 * = USER_DS. Registers that must survive the entry: ESI (counter),
 * EDI:EBP (t0); the stubs in stubs32.S never touch them and a task switch
 * saves and restores them. A return lands on label 2 (IRET/LRET/SYSRET
 * use the address after the instruction; the exception stubs step the
 * saved EIP past it; SYSEXIT returns to EDX = 2f). */
#include "layout32.h"
#include "loops.h"

	/* Aliases: macro arguments below are quoted strings, which the C
	 * preprocessor does not expand. */
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
	LOOP32 int_gate, "", "int $U_VEC_INTGATE"
	LOOP32 trap_gate, "", "int $U_VEC_TRAPGATE"
	/* i386 Linux's system call: EAX = 20 (__NR_getpid on i386), int $0x80 */
	LOOP32 int80, "mov $20, %eax", "int $U_VEC_INT80"
	/* far call through a call gate: m16:32 pointer, the offset is ignored */
	LOOP32 call_gate, "", "lcall *far_cgate"
	/* the caller pushes the parameters each time; LRET $12 releases them */
	LOOP32 call_gate_params, "", "pushl $3; pushl $2; pushl $1; lcall *far_cgate_params"
	/* hardware task switches: int n through an IDT task gate, far call
	 * to the TSS descriptor itself, far call to a GDT task gate (the
	 * offset of a far call to a TSS or task gate is ignored) */
	LOOP32 task_gate, "", "int $U_VEC_TASKGATE"
	LOOP32 task_call_tss, "", "lcall $U_TSS_TASK, $0"
	LOOP32 task_call_gate, "", "lcall $U_TASKGATE, $0"
	/* SYSEXIT returns to EDX with ESP = ECX: set once, SYSENTER keeps them */
	LOOP32 sysenter, "mov $2f, %edx; mov %esp, %ecx", "sysenter"
	LOOP32 syscall, "", "syscall"
	/* exceptions: fixed-length instructions, see stubs32.S */
	LOOP32 exc_ud, "", "ud2"
	LOOP32 exc_bp, "", "int3"
	LOOP32 exc_pf, "mov $U_NP_PAGE, %ebx", "mov (%ebx), %eax"
	LOOP32 exc_de, "xor %ecx, %ecx", "div %ecx"
	LOOP32 exc_gp, "", "cli"                          /* CPL 3 > IOPL 0: #GP(0) */

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
