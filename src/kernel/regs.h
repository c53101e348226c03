/* kentry kernel: the one register frame every entry builds (like Linux's
 * pt_regs), and the kinds of entry. Included from C and from .S.
 *
 * Lowest address first: the 15 general registers as saved, the vector and
 * entry kind, the error code, then the interrupt frame the CPU pushes on an
 * IDT entry (RIP, CS, RFLAGS, RSP, SS). Entries that push nothing (syscall,
 * sysenter) or something else (a call gate) build the same frame by hand,
 * so that one C dispatcher, one exit decision and one IRETQ exit serve all
 * of them. The generic vector stubs (entry.S trap_common) build it too.
 *
 * The frame sits at the top of the stack the entry ran on: for every entry
 * from ring 3 that is kentry_stack_top - KREGS_SIZE (the self-test checks
 * it); 176 bytes keep RSP 16-byte aligned for the C call.
 *
 * FRED's event frame (fred.h) is this layout from the error code up: the
 * CPU pushes error code, RIP, CS, RFLAGS, RSP, SS (and 16 bytes of event
 * data above them), so a FRED stub pushes only the vector/kind slot and
 * the registers, and its frame ends 16 bytes below the stack top. CS and
 * SS then carry FRED's extra bits above the selector (stack level, event
 * type and vector), which ERETU reads back. */
#ifndef KENTRY_KERNEL_REGS_H
#define KENTRY_KERNEL_REGS_H

#define KR_R15     0
#define KR_R14     8
#define KR_R13     16
#define KR_R12     24
#define KR_R11     32
#define KR_R10     40
#define KR_R9      48
#define KR_R8      56
#define KR_RBP     64
#define KR_RDI     72
#define KR_RSI     80
#define KR_RDX     88
#define KR_RCX     96
#define KR_RBX     104
#define KR_RAX     112
#define KR_VECKIND 120 /* vector (16 bits) | kind << 16 */
#define KR_ERROR   128
#define KR_RIP     136
#define KR_CS      144
#define KR_RFLAGS  152
#define KR_RSP     160
#define KR_SS      168
#define KREGS_SIZE 176

/* Kinds of entry (kregs.kind). The stub knows its mechanism and says so;
 * the exit decision (dispatch.c) needs it to know which fast exit the
 * stub would take. */
#define KK_IDT           0  /* generic vector stub: fault, trap or interrupt, any ring */
#define KK_INT           1  /* int n from ring 3 through a full gate: iretq */
#define KK_EXC           2  /* exception from ring 3 through a full gate: iretq */
#define KK_SYSCALL64     3  /* syscall (LSTAR): sysretq when safe */
#define KK_SYSCALL32     4  /* syscall from compatibility mode (CSTAR): sysretl when safe */
#define KK_SYSENTER64    5  /* sysenter from 64-bit code: sysexitq when safe */
#define KK_SYSENTER32    6  /* sysenter from compatibility mode: sysexitl when safe */
#define KK_CALLGATE      7  /* far call through a call gate: lretq when safe */
#define KK_INT_SYSRET    8  /* int n in, sysretq/sysretl out when safe */
#define KK_SYSCALL_IRET  9  /* syscall in, always iretq */
#define KK_SYSENTER_IRET 10 /* sysenter in, always iretq */
#define KK_CALLGATE_IRET 11 /* call gate in, always iretq */
/* FRED (fred.h): one entry point for every event. Its stubs push KK_FRED;
 * kfred_classify (fred.c) reads type and vector from the frame and turns
 * it into KK_IDT (a trap: trap_dispatch) or one of the kinds below, all
 * leaving through ERETU, FRED's one return to ring 3. */
#define KK_FRED          12 /* a FRED event, not yet classified */
#define KK_FRED_SYSCALL  13 /* syscall (type other, vector 1) */
#define KK_FRED_SYSENTER 14 /* sysenter (type other, vector 2) */
#define KK_FRED_INT      15 /* int n (type software interrupt) */
#define KK_FRED_EXC      16 /* an exception a fred-exc-* path serves, or int3 */
#define KK_COUNT         17

#define KK_VECKIND(kind, vec) (((kind) << 16) | (vec))

/* RFLAGS bits the entries and exits care about */
#define RF_CF   0x1
#define RF_TF   0x100
#define RF_IF   0x200
#define RF_DF   0x400
#define RF_IOPL 0x3000
#define RF_NT   0x4000
#define RF_RF   0x10000
#define RF_VM   0x20000
#define RF_AC   0x40000

#ifdef __ASSEMBLER__
/* Push every general register, RAX first: the lower part of the frame
 * (full.S entries, entry.S trap_common). */
	.macro SAVE_REGS
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	.endm

/* Restore the general registers from the frame at RSP, except up to two
 * that the exit instruction loads itself (sysret: rcx, r11; sysexit: rcx,
 * rdx): their slots are stepped over, adjacent ones with one add. */
	.macro POP_REGS_EXCEPT a=none, b=none
	.set .Lkr_skip, 0
	.irp r, r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax
	.ifc \r,\a
	.set .Lkr_skip, .Lkr_skip + 8
	.else
	.ifc \r,\b
	.set .Lkr_skip, .Lkr_skip + 8
	.else
	.if .Lkr_skip
	add $.Lkr_skip, %rsp
	.set .Lkr_skip, 0
	.endif
	pop %\r
	.endif
	.endif
	.endr
	.if .Lkr_skip
	add $.Lkr_skip, %rsp
	.endif
	.endm

	.macro POP_REGS
	POP_REGS_EXCEPT
	.endm

/* Zero every general register (32-bit xors: shorter, and they clear the
 * upper halves), except the one named by its 32-bit name (e.g. edi). */
	.macro CLEAR_REGS_EXCEPT keep=none
	.irp r, eax, ebx, ecx, edx, esi, edi, ebp, r8d, r9d, r10d, r11d, r12d, r13d, r14d, r15d
	.ifnc \r,\keep
	xor %\r, %\r
	.endif
	.endr
	.endm

/* An exception-table entry: a ring-0 #GP or #PF at `insn` resumes at
 * `fixup` (trap.c), registers as the fault left them. The linker gathers
 * the entries between __kfixup_start and __kfixup_end (kernel.ld). */
	.macro KFIXUP insn, fixup
	.pushsection .kfixup, "a"
	.balign 8
	.quad \insn, \fixup
	.popsection
	.endm

/* The SysV callee-saved registers, around code that leaves this stack
 * and comes back to it (ring-3 excursions, contained probes). */
	.macro PUSH_CALLEE_SAVED
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	.endm
	.macro POP_CALLEE_SAVED
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	.endm
#endif

#ifndef __ASSEMBLER__
#include <stdint.h>

struct kregs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint16_t vector; /* IDT vector (IDT entries), FRED event vector, else 0 */
	uint16_t kind;   /* KK_* */
	uint32_t pad;
	uint64_t error;  /* CPU error code, or 0 */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct kregs) == KREGS_SIZE, "kregs size");
_Static_assert(__builtin_offsetof(struct kregs, rax) == KR_RAX, "kregs rax");
_Static_assert(__builtin_offsetof(struct kregs, vector) == KR_VECKIND, "kregs vector");
_Static_assert(__builtin_offsetof(struct kregs, error) == KR_ERROR, "kregs error");
_Static_assert(__builtin_offsetof(struct kregs, rip) == KR_RIP, "kregs rip");
_Static_assert(__builtin_offsetof(struct kregs, ss) == KR_SS, "kregs ss");

/* The one C dispatcher: every entry calls it with the frame; it may change
 * any field (a return value in RAX, a new RIP or RSP) and returns 1 when
 * the stub may leave through its mechanism's own fast exit, 0 for IRETQ
 * (dispatch.c). For KK_IDT the return value is ignored. */
uint64_t kentry_dispatch(struct kregs *r);
/* The same for FRED's frames (full.S kf_fred_user, kf_fred_kernel):
 * classified first (fred.h kfred_classify); always ERETU, returns 0. */
uint64_t kfred_dispatch(struct kregs *r);
uint64_t kfred_dispatch_kernel(struct kregs *r); /* kf_fred_kernel: events in ring 0 */

#endif
#endif
