/* kentry kernel: the ring-3 timed loops (section .user.text, mapped U/S),
 * one LOOP64 or LOOP32 line per path (their shape: loops.h, shared with
 * the legacy kernel).
 *
 * Entered by kuser_enter (entry.S) with RDI = n >= 1, RSP = user stack,
 * RFLAGS = 0x2 (0x202 with ring 3 at IF = 1), CS = USER_CS64 or
 * USER_CS32, SS = DS = ES = USER_DS. Registers that must survive the entry
 * instruction: R12, R13 (64-bit), ESI, EDI, EBP (32-bit); the stubs in
 * stubs.S never touch them. RCX and R11 are fair game for the stubs
 * (SYSCALL/SYSRET use them).
 *
 * Every loop pair also has a touching twin pair, <name>_touch_op and
 * <name>_touch_empty (boot option touch_pages=N, kentry boot
 * --touch-pages N): after the return, still inside the timed loop, ring 3
 * reads one byte of each of N distinct pages (USER_TOUCH_BASE on,
 * kuser_touch_end the first page not touched). The touches are in the
 * empty loop as well, so the subtraction removes their instructions and
 * what stays is what the entry and exit did to them: a flushing CR3
 * switch (kpti) leaves their TLB entries gone and each touch then walks
 * the page tables; with PCID and the no-flush bit they survive. Both
 * loops touch the pages once more before the clock starts, so that the
 * empty loop's timed touches hit the TLB whatever the batch (kuser_enter's
 * own switch to the user tables flushes it). Registers: R14 in 64-bit
 * code, EBX in 32-bit code (no stub touches them). */
#include "layout.h"
#include "loops.h"

	/* --touch-pages: one byte of each page from USER_TOUCH_BASE up to
	 * kuser_touch_end (none when they are equal) */
	.macro TOUCH64
	mov $USER_TOUCH_BASE, %r14d
	jmp 4f
3:	cmpb $0, (%r14)
	add $4096, %r14
4:	cmp kuser_touch_end(%rip), %r14
	jb 3b
	.endm
	.macro TOUCH32
	mov $USER_TOUCH_BASE, %ebx
	jmp 4f
3:	cmpb $0, (%ebx)
	add $4096, %ebx
4:	cmp kuser_touch_end, %ebx
	jb 3b
	.endm

	/* HEAD64/HEAD32 (loops.h) with the touches: once before the clock
	 * starts (so that in the empty loop every timed touch finds its TLB
	 * entry, even with a batch of one after kuser_enter's switch of
	 * tables), then after each return (the return lands on the first 2:,
	 * before the touches; LOOP_FN's own 2: before the back edge is then
	 * never a target) */
	.macro HEAD64T setup, entry
	mov %rdi, %r12
	TOUCH64
	T0_64
	\setup
1:	\entry
2:	TOUCH64
	.endm
	.macro HEAD32T setup, entry
	mov %edi, %esi
	TOUCH32
	T0_32
	\setup
1:	\entry
2:	TOUCH32
	.endm

	/* This kernel's LOOP64 and LOOP32: loops.h's pair and its touching
	 * twin pair (<name>_touch_op, <name>_touch_empty); w, ctr and the
	 * prefix as loops.h has them for each mode; touch=0: no twin (the
	 * gettimeofday loops, which --touch-pages does not apply to) */
	.macro LOOPS4 w, ctr, pre, name, setup, entry, touch=1
	LOOP_FN \w, \ctr, \pre\()_\name\()_op, "\setup", "\entry"
	LOOP_FN \w, \ctr, \pre\()_\name\()_empty, "\setup", ""
	.if \touch
	LOOP_FN \w, \ctr, \pre\()_\name\()_touch_op, "\setup", "\entry", T
	LOOP_FN \w, \ctr, \pre\()_\name\()_touch_empty, "\setup", "", T
	.endif
	.endm
	.purgem LOOP64
	.macro LOOP64 name, setup, entry, touch=1
	LOOPS4 64, %r12, u64, \name, "\setup", "\entry", \touch
	.endm
	.purgem LOOP32
	.macro LOOP32 name, setup, entry, touch=1
	LOOPS4 32, %esi, u32, \name, "\setup", "\entry", \touch
	.endm

	/* Aliases: macro arguments below are quoted strings, which the C
	 * preprocessor does not expand. */
	.equ U_VEC_INTGATE, VEC_INTGATE
	.equ U_VEC_TRAPGATE, VEC_TRAPGATE
	.equ U_VEC_INT_SYSRET, VEC_INT_SYSRET
	.equ U_VEC_INT80, VEC_INT80
	.equ U_NP_PAGE, USER_NP_PAGE

	.section .user.text, "ax"

	.code64
	/* int n through the gates of VEC_INTGATE / VEC_TRAPGATE / VEC_INT_SYSRET */
	LOOP64 int_gate, "", "int $U_VEC_INTGATE"
	LOOP64 trap_gate, "", "int $U_VEC_TRAPGATE"
	LOOP64 int_sysret, "", "int $U_VEC_INT_SYSRET"
	/* int 0x80 from 64-bit code (fred-int80: under FRED any vector is an
	 * event, with no gate and no DPL) */
	LOOP64 int80, "", "int $U_VEC_INT80"
	/* far call through a call gate: m16:32 pointer (no REX.W, which AMD
	 * would not honour); the offset is ignored for a gate. */
	LOOP64 call_gate, "", "lcall *far_cgate(%rip)"
	LOOP64 call_gate_iret, "", "lcall *far_cgate_iret(%rip)"
	/* SYSEXIT returns to RDX with RSP = RCX: set once, SYSENTER keeps them */
	LOOP64 sysenter, "lea 2f(%rip), %rdx; mov %rsp, %rcx", "sysenter"
	LOOP64 syscall, "", "syscall"
	/* exceptions: fixed-length instructions, see stubs.S */
	LOOP64 exc_ud, "", "ud2"
	LOOP64 exc_ud_locknop, "", ".byte 0xf0, 0x90"   /* lock nop: #UD (LOCK on a non-lockable insn) */
	LOOP64 exc_bp, "", "int3"
	LOOP64 exc_pf, "mov $U_NP_PAGE, %esi", "mov (%rsi), %eax"
	LOOP64 exc_de, "xor %ecx, %ecx", "div %ecx"
	LOOP64 exc_gp, "", "cli"                        /* CPL 3 > IOPL 0: #GP(0) */

	.code32
	LOOP32 int80, "", "int $U_VEC_INT80"
	LOOP32 sysenter, "mov $2f, %edx; mov %esp, %ecx", "sysenter"
	LOOP32 syscall, "", "syscall"
	LOOP32 call_gate, "", "lcall *far_cgate"
	.code64

	/* Probes of the protections (protect.c). kuser_ret: ring 0 calls it to
	 * show that SMEP stops it. u64_umip_probe: sgdt in ring 3, the GDT
	 * base back in EDX:EAX (UMIP makes the sgdt #GP instead). */
	.balign 16
	.globl kuser_ret
kuser_ret:
	ret

	.balign 16
	.globl u64_umip_probe
u64_umip_probe:
	sub $16, %rsp
	sgdt 6(%rsp)            /* limit at +6, base at +8 */
	mov 8(%rsp), %rax
	mov %rax, %rdx
	shr $32, %rdx
	int $VEC_DONE
	ud2

	/* KPTI's self-check (kpti.c): one read of the address in RDI; a #PF
	 * is the expected end, the done entry only if the read went through */
	.balign 16
	.globl u64_kread_probe
u64_kread_probe:
	movb (%rdi), %al
	xor %eax, %eax
	xor %edx, %edx
	int $VEC_DONE
	ud2

	/* arch.c's SYSRET SS probe: a push and a pop with the SS SYSRETL left */
	.code32
	.balign 16
	.globl u32_sysret_ss_probe
u32_sysret_ss_probe:
	push %eax
	pop %eax
	xor %eax, %eax
	xor %edx, %edx
	int $VEC_DONE
	ud2
	.code64

	.section .user.data, "aw"
	.balign 8
	.globl kuser_touch_end
kuser_touch_end:                /* --touch-pages: USER_TOUCH_BASE + N pages (paths.c) */
	.quad USER_TOUCH_BASE
	.balign 16
	.globl kuser_probe_word
kuser_probe_word:               /* ring 0 reads it to show that SMAP stops it */
	.quad 0x6b656e7472790a00
	/* far pointers m16:32: offset (ignored through a gate), selector|RPL 3 */
	.globl far_cgate, far_cgate_iret
far_cgate:
	.long 0
	.word SEL_CGATE | RPL3
	.balign 8
far_cgate_iret:
	.long 0
	.word SEL_CGATE_IRET | RPL3

	.section .user.stack, "aw", @nobits
	.balign 4096
	.globl user_stack
user_stack:
	.skip 16384
	.globl user_stack_top
user_stack_top:

/* ---- The Linux gettimeofday paths (gtod.c, gtod.def) ------------------------
 * Run in a Linux process's address space (the measurement process: this
 * window, both vDSOs, the vsyscall page) through the Linux personality.
 * Every loop calls gettimeofday(lx_tv, NULL) once per iteration as a
 * program would: the number or the call's arguments loaded, the entry.
 * Registers the calls keep: 64-bit code R12, R13 (callee-saved in the
 * SysV ABI, untouched by syscall), RBX (the tv pointer); 32-bit code ESI,
 * EDI, EBP (cdecl callee-saved; int $0x80 keeps every register but EAX;
 * the raw sysenter and syscall push EBP and the vDSO's landing pad pops
 * it), EBX (the tv pointer). lx_* in .user.data hold what the kernel
 * found: the vDSO functions' addresses. RSP is 16-byte aligned at each
 * call (the ABIs' rule; kuser_enter starts there). */
	.code64
	.section .user.text, "ax"
	LOOP64 lx_syscall, "lea lx_tv(%rip), %rdi; xor %esi, %esi", "mov $96, %eax; syscall", 0
	LOOP64 lx_int80, "lea lx_tv(%rip), %rbx; xor %ecx, %ecx", "mov $78, %eax; int $0x80", 0
	LOOP64 lx_vsyscall, "lea lx_tv(%rip), %rbx; mov $0xffffffffff600000, %rbp", "mov %rbx, %rdi; xor %esi, %esi; call *%rbp", 0
	LOOP64 lx_vdso, "lea lx_tv(%rip), %rbx", "mov %rbx, %rdi; xor %esi, %esi; call *lx_vdso64(%rip)", 0
	.code32
	LOOP32 lx_int80, "mov $lx_tv, %ebx; xor %ecx, %ecx", "mov $78, %eax; int $0x80", 0
	LOOP32 lx_kvsys, "mov $lx_tv, %ebx; xor %ecx, %ecx", "mov $78, %eax; call *lx_kvsys", 0
	LOOP32 lx_sysenter, "mov $lx_tv, %ebx; xor %ecx, %ecx", "mov $78, %eax; push $2f; push %ecx; push %edx; push %ebp; mov %esp, %ebp; sysenter", 0
	LOOP32 lx_syscall, "mov $lx_tv, %ebx; xor %ecx, %ecx", "mov $78, %eax; push $2f; push %ecx; push %edx; push %ebp; mov %ecx, %ebp; syscall", 0
	LOOP32 lx_vdso, "mov $lx_tv, %ebx", "sub $8, %esp; push $0; push %ebx; call *lx_vdso32; add $16, %esp", 0
	.code64

	.section .user.data, "aw"
	.balign 16
	.globl lx_tv, lx_vdso64, lx_vdso32, lx_kvsys
lx_tv:                          /* the timeval every call writes */
	.quad 0, 0
lx_vdso64:                      /* __vdso_gettimeofday, 64-bit vDSO */
	.quad 0
lx_vdso32:                      /* __vdso_gettimeofday, 32-bit vDSO */
	.long 0
lx_kvsys:                       /* __kernel_vsyscall (AT_SYSINFO) */
	.long 0
