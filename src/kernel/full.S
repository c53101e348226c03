/* kentry kernel: the full, hardened kernel side of every path.
 *
 * stubs.S holds the minimal stubs: only what the hardware makes
 * unavoidable, and not safe against hostile user state. These are what a
 * real kernel does on the same entry (Linux arch/x86/entry/entry_64.S and
 * entry_64_compat.S do the same things for their mechanisms):
 *
 *   1. get onto a kernel stack before anything is pushed (SYSCALL is the
 *      one entry that arrives on the user's stack);
 *   2. build one register frame, struct kregs (regs.h), the same layout
 *      for every mechanism, at the top of the entry stack;
 *   3. clear what ring 3 may have left in RFLAGS that the mechanism did
 *      not (AC would switch SMAP off, DF would run string instructions
 *      backwards, NT would make a kernel IRET #GP, TF single-steps the
 *      kernel), and every general register, before any C runs;
 *   4. call the one C dispatcher, kentry_dispatch(frame) (dispatch.c),
 *      which serves the entry, may change any field of the frame, and
 *      decides the exit;
 *   5. leave through the mechanism's own fast exit only when it can
 *      reproduce the frame exactly and safely (the decision table is in
 *      docs/kernel.md), otherwise through kexit_iret (IRETQ), which can.
 *
 * Layout for what comes next (docs/kernel.md, "Sections"): all of this is
 * in .entry.text, on pages of its own, and the per-CPU data it touches
 * (kentry_scratch, the entry and IST stacks, GDT, IDT, TSS) is in
 * .entry.data/.entry.bss, so a KPTI user page table can map only those.
 * Each stub has exactly one ENTERED_FROM_USER point and each exit one
 * LEAVING_KERNEL and one EXIT_TO_USER point, where the per-entry
 * mitigations go. Switchable pieces are boot-time patch sites (kpatch.h):
 * clac where the CPU has SMAP, sti/IF where ring 3 runs with IF = 1, the
 * AMD SYSRET SS fix-up, and each hardening step (harden.h), which a test
 * may switch off.
 *
 * This file is assembled twice. As itself (kf_*: the full variant) the
 * three hook points are empty and assemble to nothing. As
 * full_mitig.S (KENTRY_MITIGATED: every global renamed kf_X -> kf_X_mitig,
 * the variants full+<mitigation>) they hold the mitigations of mitig.h,
 * each a patch site switched per measured set, in Linux's order. */
#include "layout.h"
#include "regs.h"
#include "kpatch.h"
#include "harden.h"
#include "dispatch.h"
#include "fred.h"

#ifdef KENTRY_MITIGATED
#include "mitig.h"
#else
/* The hook points, empty in the full variant:
 *   ENTERED_FROM_USER sys  on the entry stack, frame saved (so every
 *                          general register is free), flags clean, right
 *                          before the registers are cleared; sys = 1 for
 *                          the system-call-like mechanisms (not
 *                          exceptions);
 *   LEAVING_KERNEL         the exit's first instruction: C has returned
 *                          (EAX = its decision, already acted on), the
 *                          frame is at RSP, every register is free;
 *   EXIT_TO_USER           registers restored, on the entry stack; the
 *                          return instruction follows, or (SYSEXIT, LRETQ)
 *                          the popfq that loads ring 3's flags before it. */
	.macro ENTERED_FROM_USER sys=1
	.endm
	.macro LEAVING_KERNEL
	.endm
	.macro EXIT_TO_USER
	.endm
#endif

/* SAVE_REGS, POP_REGS and POP_REGS_EXCEPT are in regs.h (shared with
 * entry.S's generic stubs). */

/* Ring 3 chose every one of these values: none reaches C, where it could
 * steer a speculative load (Linux's PUSH_AND_CLEAR_REGS). */
	.macro CLEAR_REGS_INSNS
	CLEAR_REGS_EXCEPT
	.endm
	.macro CLEAR_REGS
	KPATCH_IF KH_BIT_CLEAR_REGS, CLEAR_REGS_INSNS
	.endm

/* RSP = the frame, 16-byte aligned. Self-test and fuzzer boots retarget
 * the call to the observing wrapper, boots that run Linux programs to the
 * Linux personality (dispatch.c; `personality` = none: no such retargeting, as
 * for FRED's entry, which no Linux process reaches: CR4.FRED is set only
 * around the fred-* batches). Returns the exit decision in EAX. */
	.macro CALL_DISPATCH dispatch=kentry_dispatch, observe=kentry_observe, personality=kentry_dispatch_linux
	mov %rsp, %rdi
	.ifc \personality,none
	KPATCH_CALL_SITE \dispatch, KF_OBSERVE, \observe
	.else
	KPATCH_CALL_SITE \dispatch, KF_OBSERVE, \observe, KF_LINUX, \personality
	.endif
	.endm

/* The rest of every entry once the frame's top (vector/kind and up) is
 * built: the registers below it, the hook (whatever the mitigations leave
 * in registers is cleared with ring 3's values), cleared, C (FRED's frames
 * go to the dispatcher's FRED entry, kfred_dispatch). */
	.macro SAVE_CLEAR_DISPATCH sys=1, dispatch=kentry_dispatch, observe=kentry_observe, personality=kentry_dispatch_linux
	SAVE_REGS
	ENTERED_FROM_USER \sys
	CLEAR_REGS
	CALL_DISPATCH \dispatch, \observe, \personality
	.endm

/* The end of an entry that keeps ring 3's TF (sysenter, call gates): the
 * frame's error and vector/kind slots, the flags cleaned, which closes the
 * single-step region the #DB handler tolerates, then the rest. */
	.macro STEPPED_ENTRY_END kind, region
	pushq $0
	pushq $KK_VECKIND(\kind, 0)
	CLEAN_FLAGS
\region\()_end:
	STEP_REGION \region\()_begin, \region\()_end
	SAVE_CLEAR_DISPATCH
	.endm

/* Entries through IDT gates leave AC and DF as ring 3 had them (the CPU
 * clears TF, NT, RF and, for an interrupt gate, IF). */
	.macro IDT_FLAGS
	KPATCH_IF KF_CLAC, clac
	KPATCH_IF KH_BIT_FLAGS, cld
	.endm

/* SYSENTER and call gates clear nothing useful: load clean flags
 * (bit 1 only: TF NT AC DF IF IOPL all 0). With TF set, every instruction
 * up to and including this popfq raises a single-step #DB in ring 0; the
 * stub lists that range in kentry_step_regions for the #DB handler. */
	.macro CLEAN_FLAGS_INSNS
	pushq $2
	popfq
	.endm
	.macro CLEAN_FLAGS
	KPATCH_IF KH_BIT_FLAGS, CLEAN_FLAGS_INSNS
	.endm

	.macro STEP_REGION begin, end
	.pushsection .rodata.kstep, "a"
	.quad \begin, \end
	.popsection
	.endm

#ifdef KENTRY_MITIGATED
	.section .entry.text.mitig, "ax"   /* patched again for each measured set */
#else
	.section .entry.text, "ax"
#endif

/* ---- The one IRETQ exit ------------------------------------------------------
 * Reached with RSP = a complete frame (any kind). IRETQ restores RIP, CS,
 * RFLAGS (TF, NT, AC, DF, RF as the frame says: every flag ring 3 may
 * hold), RSP and SS: it reproduces any frame, so it is the exit whenever a
 * fast one cannot. It faults in ring 0, on this stack, when the frame is
 * not a valid return (non-canonical RIP, bad CS/SS after a dispatcher
 * change): kexit_iretq is where trap_dispatch recognises that and reports
 * it as a fault on the way back to user space, as Linux's bad_iret does. */
	.balign 16
	.globl kexit_iret, kexit_iretq
kexit_iret:
	LEAVING_KERNEL
	POP_REGS
	add $16, %rsp                   /* vector/kind, error code */
	EXIT_TO_USER
kexit_iretq:
	iretq

/* ---- int n / exceptions through IDT gates -------------------------------------
 * Arrival (SDM 6.12.1, 6.14.2): from CPL 3 through a gate of DPL 3 (int n)
 * or any exception gate: CS = SEL_KCODE, CPL 0, RSP = TSS.RSP0 =
 * kentry_stack_top (16-byte aligned), SS = null; pushed SS, RSP, RFLAGS,
 * CS, RIP and, for #GP/#PF, an error code. TF, NT, RF cleared; IF cleared
 * by an interrupt gate, kept (1) by a trap gate. AC and DF are ring 3's.
 * The stack is the kernel's from the first instruction. */
	.macro INT_STUB name, vec, kind=KK_INT
	.balign 16
	.globl \name
\name:
	pushq $0                        /* no error code */
	pushq $KK_VECKIND(\kind, \vec)
	IDT_FLAGS
	SAVE_CLEAR_DISPATCH
	.endm

	INT_STUB kf_intgate, VEC_INTGATE    /* int-gate: interrupt gate */
	jmp kexit_iret
	INT_STUB kf_trapgate, VEC_TRAPGATE  /* trap-gate: trap gate, IF stays 1 in here */
	jmp kexit_iret
	INT_STUB kf_int80, VEC_INT80        /* compat-int80: from compatibility mode */
	jmp kexit_iret

/* Exceptions. These vectors can also be raised in ring 0 while the full
 * gate is installed (a kernel fault, a faulting IRETQ): those go to the
 * generic path (trap_common), as Linux's idtentry checks CS first. The
 * dispatcher's service for the exc-* paths moves RIP past the faulting
 * instruction (its length is the path's `skip`), like the minimal stubs. */
	.macro EXC_STUB name, vec, has_error
	.balign 16
	.globl \name
\name:
	.if !\has_error
	pushq $0
	.endif
	pushq $KK_VECKIND(KK_EXC, \vec)
	testb $3, (KR_CS - KR_VECKIND)(%rsp)
	jz trap_common                  /* raised in ring 0: not an entry from user space */
	IDT_FLAGS
	SAVE_CLEAR_DISPATCH 0
	jmp kexit_iret
	.endm

	EXC_STUB kf_exc_de, VEC_DE, 0
	EXC_STUB kf_exc_bp, VEC_BP, 0       /* a trap: RIP is already past int3 */
	EXC_STUB kf_exc_ud, VEC_UD, 0
	EXC_STUB kf_exc_gp, VEC_GP, 1
	EXC_STUB kf_exc_pf, VEC_PF, 1       /* CR2 = the faulting address */

/* ---- SYSCALL ------------------------------------------------------------------
 * Arrival (SDM/APM SYSCALL): CS = STAR[47:32] (0x08), SS = +8 (0x10),
 * fixed flat attributes, CPL 0; RCX = RIP of the next instruction, R11 =
 * RFLAGS, then RFLAGS &= ~FMASK (TF IF DF IOPL NT AC now clear: no #DB,
 * no interrupt, clean flags from the first instruction). RSP is STILL THE
 * USER'S: any value ring 3 chose (non-canonical, unmapped, pointing at the
 * GDT). It is never used as a stack: it goes to the per-CPU scratch slot
 * and the entry stack is loaded. An NMI, #MC or MOV SS-delayed #DB that
 * arrives before that lands on its own IST stack (arch.c).
 * From 64-bit code (LSTAR): RCX is a 64-bit RIP. From compatibility mode
 * (CSTAR): RCX is the next EIP zero-extended, RSP's upper half is not
 * defined (zero-extended in the frame). */
	.macro SYSCALL_ENTRY kind, cs, compat
	mov %rsp, kentry_scratch(%rip)
	KPATCH_IF KH_BIT_STACK, mov $kentry_stack_top, %rsp
	pushq $USER_DS                  /* frame.ss: what SYSRET loads */
	pushq kentry_scratch(%rip)      /* frame.rsp */
	.if \compat
	movl $0, 4(%rsp)                /* ESP only: the upper half is undefined */
	.endif
	push %r11                       /* frame.rflags (SYSCALL saved them there) */
	pushq $\cs                      /* frame.cs */
	push %rcx                       /* frame.rip */
	pushq $0
	pushq $KK_VECKIND(\kind, 0)
	SAVE_CLEAR_DISPATCH
	.endm

/* Fast exit through SYSRET. RIP from frame.rip into RCX and RFLAGS from
 * frame.rflags into R11 (never frame.r11: a register ring 3 controls must
 * not become RFLAGS, IOPL included); the exit decision has checked that
 * the frame's RCX and R11 are exactly those values, that RIP is canonical
 * (Intel raises SYSRET's #GP in ring 0, on the user's RSP: CVE-2012-0217)
 * and that RFLAGS has no TF or RF (SYSRET cannot restore RF and traps at
 * once on TF). RSP is the user's from the mov to the sysret: an NMI or #MC
 * in between is on its IST stack. SYSRET loads CS/SS from STAR (the
 * decision checked the frame has those values). */
	.macro SYSRET_EXIT insn
	LEAVING_KERNEL
	mov KR_RIP(%rsp), %rcx
	mov KR_RFLAGS(%rsp), %r11
	POP_REGS_EXCEPT r11, rcx         /* their values: frame.rflags, frame.rip */
	EXIT_TO_USER
	mov (KR_RSP - KR_VECKIND)(%rsp), %rsp
	\insn
	.endm

	.balign 16
	.globl kf_syscall64
kf_syscall64:                   /* syscall: LSTAR */
	SYSCALL_ENTRY KK_SYSCALL64, USER_CS64, 0
	test %eax, %eax
	jz kexit_iret
	SYSRET_EXIT sysretq

	.balign 16
	.globl kf_syscall32
kf_syscall32:                   /* compat-syscall: CSTAR */
	SYSCALL_ENTRY KK_SYSCALL32, USER_CS32, 1
	test %eax, %eax
	jz kexit_iret
	SYSRET_EXIT sysretl

	.balign 16
	.globl kf_syscall64_iret
kf_syscall64_iret:              /* syscall/iretq: always the IRETQ exit */
	SYSCALL_ENTRY KK_SYSCALL_IRET, USER_CS64, 0
	jmp kexit_iret

/* ---- SYSENTER -------------------------------------------------------------------
 * Arrival (SDM SYSENTER, IA-32e mode): CS = SYSENTER_CS (0x08), SS = 0x10,
 * RIP = SYSENTER_EIP, RSP = SYSENTER_ESP = kentry_stack_top, CPL 0; only
 * IF, VM and RF are cleared: TF, NT, AC, DF are ring 3's. SYSENTER saves
 * no return address at all: kentry's convention (the kernel defines it, as
 * Linux does with the vDSO for its 32-bit sysenter) is that ring 3 puts
 * the RIP to return to in RDX and its RSP in RCX before SYSENTER, which is
 * what SYSEXIT takes; the stub saves them as frame.rip and frame.rsp. So
 * on return RDX = RIP and RCX = RSP (they are clobbered, like RCX/R11 by
 * SYSCALL). With TF set, each instruction up to the popfq that clears it
 * raises a single-step #DB in ring 0 (on its IST stack): the #DB handler
 * sees the RIP in this stub's step region and returns, as Linux does. AMD:
 * SYSENTER is #UD in long mode; the probe finds that and skips the path. */
	.macro SYSENTER_ENTRY kind, cs, ss, compat, region
\region\()_begin:
	.if \compat
	mov %edx, %edx                  /* EIP, ESP: 32-bit values */
	mov %ecx, %ecx
	.endif
	pushq $\ss                      /* frame.ss: what SYSEXIT loads */
	push %rcx                       /* frame.rsp (convention) */
	pushfq                          /* frame.rflags: ring 3's, IF cleared by SYSENTER */
	KPATCH_IF KF_IF1, orq $RF_IF, (%rsp) /* ring 3 runs with IF = 1 */
	pushq $\cs                      /* frame.cs */
	push %rdx                       /* frame.rip (convention) */
	STEPPED_ENTRY_END \kind, \region
	.endm

/* Fast exit through SYSEXIT: RIP = RDX, RSP = RCX, CS/SS from SYSENTER_CS;
 * RFLAGS is not restored by SYSEXIT, so the frame's flags are loaded with
 * popfq first, IF cleared, and sti right before SYSEXIT sets IF again
 * under its one-instruction shadow (as Linux's 32-bit kernels did): no
 * interrupt can arrive in ring 0 in between. The decision checked RDX and
 * RCX of the frame equal its RIP and RSP, both canonical (Intel: SYSEXIT
 * #GPs in ring 0 otherwise), no TF (popfq would trap in ring 0) or RF. */
	.macro SYSEXIT_EXIT insn
	LEAVING_KERNEL
	mov KR_RIP(%rsp), %rdx
	mov KR_RSP(%rsp), %rcx
	andq $~RF_IF, KR_RFLAGS(%rsp)
	POP_REGS_EXCEPT rdx, rcx         /* their values: frame.rip, frame.rsp */
	add $32, %rsp                   /* vector/kind, error, rip, cs */
	EXIT_TO_USER                    /* before popfq: verw writes ZF */
	popfq                           /* ring 3's flags, IF = 0 */
	KPATCH_IF KF_IF1, sti
	\insn
	.endm

	.balign 16
	.globl kf_sysenter64
kf_sysenter64:                  /* sysenter from 64-bit code */
	SYSENTER_ENTRY KK_SYSENTER64, USER_CS64, USER_DS64, 0, .Lstep_se64
	test %eax, %eax
	jz kexit_iret
	SYSEXIT_EXIT sysexitq

	.balign 16
	.globl kf_sysenter32
kf_sysenter32:                  /* sysenter from compatibility mode */
	SYSENTER_ENTRY KK_SYSENTER32, USER_CS32, USER_DS, 1, .Lstep_se32
	test %eax, %eax
	jz kexit_iret
	SYSEXIT_EXIT sysexitl

	.balign 16
	.globl kf_sysenter64_iret
kf_sysenter64_iret:             /* sysenter/iretq */
	SYSENTER_ENTRY KK_SYSENTER_IRET, USER_CS64, USER_DS64, 0, .Lstep_se64i
	jmp kexit_iret

/* ---- Far call through a call gate ---------------------------------------------
 * Arrival (SDM 5.8.5, 5.8.6 IA-32e mode): lcall through a DPL 3, 64-bit
 * call gate to CS = SEL_KCODE: CPL 0, RSP = TSS.RSP0, SS = null, pushed
 * four 8-byte slots whatever the caller's mode: [RSP] RIP, [+8] CS,
 * [+16] RSP, [+24] SS (compat-call-gate comes here too: the frame's CS
 * says which mode to return to). RFLAGS is untouched: IF = 1 (an interrupt
 * can be taken from the first instruction, on this stack, below what is
 * pushed), and TF, NT, AC, DF are ring 3's (single-step #DBs up to the
 * popfq, ignored by the #DB handler as for SYSENTER).
 * The frame needs RFLAGS between CS and RSP: five push/pop moves rotate
 * RIP and CS down one slot and put the flags in between, without touching
 * a general register. */
	.macro CALLGATE_ENTRY kind, region
\region\()_begin:
	pushq (%rsp)                    /* [-8] = RIP */
	pushq 16(%rsp)                  /* [-16] = CS */
	popq 8(%rsp)                    /* [0] = CS */
	pushfq                          /* [-16] = RFLAGS (ring 3's) */
	popq 16(%rsp)                   /* [+8] = RFLAGS: RSP -> RIP, CS, RFLAGS, RSP, SS */
	STEPPED_ENTRY_END \kind, \region
	.endm

/* Fast exit through LRETQ: it pops RIP, CS, RSP, SS (8-byte slots) but no
 * RFLAGS, so the frame's flags go back with popfq (IF cleared, sti under
 * its shadow right before LRETQ), after rotating RIP and CS up over the
 * flags slot. The decision checked: no TF or RF, canonical RIP. */
	.macro LRET_EXIT
	LEAVING_KERNEL
	andq $~RF_IF, KR_RFLAGS(%rsp)
	POP_REGS
	add $16, %rsp                   /* vector/kind, error: RSP -> RIP */
	pushq 16(%rsp)                  /* [-8] = RFLAGS */
	pushq 16(%rsp)                  /* [-16] = CS */
	popq 24(%rsp)                   /* [+16] = CS */
	pushq 8(%rsp)                   /* [-16] = RIP */
	popq 16(%rsp)                   /* [+8] = RIP */
	EXIT_TO_USER                    /* before popfq: verw writes ZF */
	popfq                           /* ring 3's flags, IF = 0 */
	add $8, %rsp                    /* RSP -> RIP, CS, RSP, SS */
	KPATCH_IF KF_IF1, sti
	lretq
	.endm

	.balign 16
	.globl kf_callgate
kf_callgate:                    /* call-gate and compat-call-gate */
	CALLGATE_ENTRY KK_CALLGATE, .Lstep_cg
	test %eax, %eax
	jz kexit_iret
	LRET_EXIT

	.balign 16
	.globl kf_callgate_iret
kf_callgate_iret:               /* call-gate/iretq */
	CALLGATE_ENTRY KK_CALLGATE_IRET, .Lstep_cgi
	jmp kexit_iret

	.macro SS_FIXUP_INSNS
	mov $SEL_KDATA, %ecx
	mov %ecx, %ss
	.endm

/* ---- int n in, SYSRET out (int-gate/sysretq) ------------------------------------
 * Arrival as INT_STUB (vector VEC_INT_SYSRET). The convention of this
 * entry, as for SYSCALL, is that RCX and R11 come back as RIP and RFLAGS
 * (the dispatcher records that in the frame), so SYSRET can return; to
 * 64-bit callers with SYSRETQ, to compatibility-mode callers with SYSRETL.
 * The interrupt entry left SS = null: on AMD, SYSRET loads the SS selector
 * but not its attributes, so ring 3 would get an unusable SS (fatal for
 * 32-bit code); the fix-up (AMD only, Linux's X86_BUG_SYSRET_SS_ATTRS)
 * loads a valid kernel SS first. */
	INT_STUB kf_intgate_sysret, VEC_INT_SYSRET, KK_INT_SYSRET
	test %eax, %eax
	jz kexit_iret
	KPATCH_IF KF_SYSRET_SS, SS_FIXUP_INSNS
	cmp $2, %eax
	je 1f
	SYSRET_EXIT sysretq
1:	SYSRET_EXIT sysretl

#ifndef KENTRY_MITIGATED
/* What both assemblies share is defined once, by this one. FRED's entry
 * is here too: it is measured without mitigations (no full+<mitigation>
 * variant of a fred-* path; docs/mitigations.md). */

/* ---- FRED: one entry point for every event ---------------------------------------
 * With CR4.FRED = 1 (fred.c switches it on while a fred-* path runs) the
 * CPU delivers every event the same way, whatever it is: syscall,
 * sysenter, int n, int3, an exception, an NMI, an interrupt. There is
 * no IDT gate, no SYSCALL target MSR and no TSS stack switch; software
 * learns what happened from the frame (fred.h) and dispatches on it.
 * Arrival from ring 3 (FRED event delivery, the SDM's FRED chapter):
 *   RIP = IA32_FRED_CONFIG[63:12] (this page: kfred_install),
 *   CS = IA32_STAR[47:32] (SEL_KCODE), SS = that + 8 (SEL_KDATA), CPL 0,
 *   RSP = IA32_FRED_RSP0 = kentry_stack_top (a stack level 0 event:
 *   every event from ring 3 is, but a #DF or an exception nested in
 *   delivery), GS base swapped with IA32_KERNEL_GS_BASE (no SWAPGS),
 *   RFLAGS = 0x2: TF, IF, DF, AC, NT, IOPL all clear from the first
 *   instruction (no clac, no cld, no popf, no single-step region),
 *   [RSP] error code (0 where the event has none), [+8] RIP (after the
 *   instruction for syscall, sysenter, int n, int3; of the faulting one
 *   for a fault), [+16] CS, [+24] RFLAGS, [+32] RSP, [+40] SS with the
 *   event's type and vector in bits 63:32, [+48] event data (CR2 for #PF),
 *   [+56] 0. General registers are ring 3's, untouched (syscall leaves
 *   RCX and R11 alone under FRED).
 * That is struct kregs from the error code up: one push of the
 * vector/kind slot and the registers make the frame the dispatcher
 * takes. kfred_classify (fred.h, first thing kfred_dispatch does) reads
 * type and vector and decides what the event is; the exit is ERETU,
 * which restores RIP, CS, RFLAGS (IF, and TF with its pending step),
 * RSP and SS from the frame and swaps GS back: the one exit, from any
 * frame. It checks the frame before changing anything: a non-canonical
 * RIP, a CS or SS that is not ring 3's, reserved RFLAGS bits or IOPL > 0
 * raise #GP(0) in ring 0, on this stack (kfred_eretu is where
 * trap_dispatch recognises it), as a faulting IRETQ does. */
	.macro FRED_USER_ENTRY
	pushq $KK_VECKIND(KK_FRED, 0)
	SAVE_CLEAR_DISPATCH 1, kfred_dispatch, kfred_observe, none
	.endm

	.section .entry.text, "ax"
	.balign 4096
	.globl kf_fred_user, kfred_eretu
kf_fred_user:                   /* every event from ring 3 (fred-* @full) */
	FRED_USER_ENTRY
	POP_REGS
	add $8, %rsp                    /* vector/kind: RSP -> the CPU's frame */
	EXIT_TO_USER
kfred_eretu:
	ERETU

/* Events in ring 0 (IA32_FRED_CONFIG page + 256): an NMI, a #DB, a
 * timer tick while the self-test runs, a fault of the kernel or of an
 * ERETU. CS = SEL_KCODE, SS unchanged, RFLAGS = 0x2. The stack: at the
 * same stack level, the interrupted RSP less the red zone, aligned down
 * to 64 bytes (kentry's red zone is 0: the kernel is built with
 * -mno-red-zone); at a higher level, IA32_FRED_RSPn, where n is the
 * event's level in IA32_FRED_STKLVLS (#DB 1, NMI and #MC 2, #DF 3: the
 * IST stacks' role), and the current stack level (IA32_FRED_CONFIG[1:0])
 * becomes n. The frame is the same; CS bits 17:16 hold the level the
 * event interrupted. These are not entries from user space: the generic
 * path of trap_dispatch, then ERETS, which returns within ring 0 and
 * puts the stack level back to the frame's. */
	.org kf_fred_user + FRED_KERNEL_ENTRY_OFF, 0xcc
	.globl kf_fred_kernel, kfred_erets
kf_fred_kernel:
	pushq $KK_VECKIND(KK_FRED, 0)
	SAVE_REGS
	mov %rsp, %rdi                  /* 16-byte aligned: frame at 64n - 64 - 128 */
	call kfred_dispatch_kernel      /* a trap: trap_dispatch */
	POP_REGS
	add $8, %rsp
kfred_erets:
	ERETS

/* void kfred_level0(void): lowers the current stack level to 0 and
 * returns to the caller, RSP as after a ret. Only ERETS (and ERETU)
 * lower a stack level: this one returns within ring 0 to the caller,
 * with CS (the current one) carrying level 0 in bits 17:16; ERETS checks
 * that CS and SS are the current ones and that RFLAGS has no reserved
 * bit, and makes the level min(current, 0). Called once the frames
 * that raised the level were dropped (kuser_resume, kfred_install). */
	.globl kfred_level0
kfred_level0:
	pop %rdx                        /* the return address */
	mov %rsp, %rcx
	xor %eax, %eax
	mov %ss, %eax
	push %rax                       /* SS: the current selector */
	push %rcx                       /* RSP after the return */
	pushfq
	pushq $SEL_KCODE                /* CS, level 0 in bits 17:16 */
	push %rdx                       /* RIP */
	pushq $0                        /* the error-code slot */
	ERETS

/* The legacy returns after a FRED event, for fred-syscall/iretq and
 * fred-syscall/sysretq: the same entry and dispatcher, then IRETQ (the
 * FRED frame above the error code is an IRET frame) or SYSRET. With
 * CR4.FRED = 1 neither may change the privilege level: IRETQ to ring 3
 * raises #GP, SYSRET #UD, in ring 0 (the probe reports which). */
	.balign 4096
	.globl kf_fred_user_iret
kf_fred_user_iret:
	FRED_USER_ENTRY
	POP_REGS
	add $16, %rsp                   /* vector/kind, error code: RSP -> RIP */
	EXIT_TO_USER
	iretq
	.org kf_fred_user_iret + FRED_KERNEL_ENTRY_OFF, 0xcc
	jmp kf_fred_kernel

	.balign 4096
	.globl kf_fred_user_sysret
kf_fred_user_sysret:
	FRED_USER_ENTRY
	mov KR_RIP(%rsp), %rcx
	mov KR_RFLAGS(%rsp), %r11
	POP_REGS_EXCEPT r11, rcx
	EXIT_TO_USER
	sysretq                         /* on the kernel stack: see stubs.S FRED_SYSRETQ */
	.org kf_fred_user_sysret + FRED_KERNEL_ENTRY_OFF, 0xcc
	jmp kf_fred_kernel

/* ---- Per-CPU entry data ------------------------------------------------------------ */
	.section .entry.data, "aw"
	.balign 64
	.globl kentry_scratch
kentry_scratch:                 /* SYSCALL: the user's RSP, until it is in the frame */
	.quad 0

/* ---- The observing wrapper (self-test and fuzzer boots only) -------------------
 * Every CALL_DISPATCH site calls this instead of kentry_dispatch when the
 * boot patched them (KF_OBSERVE). Entered with RDI = the frame and RSP =
 * frame - 8 (the call's return address): records RFLAGS and the registers
 * the stub handed to C (struct kobs, dispatch.h), calls the observed
 * dispatcher, then poisons every general register but RAX (the decision):
 * the exits must restore all of them from the frame, and ring 3 checks
 * that no KPOISON came back. */
	.macro OBSERVE_WRAPPER name, observed
	.globl \name
\name:
	pushfq
	popq kobs+KOBS_RFLAGS(%rip)
	mov %rax, kobs+KOBS_REGS+0(%rip)
	mov %rbx, kobs+KOBS_REGS+8(%rip)
	mov %rcx, kobs+KOBS_REGS+16(%rip)
	mov %rdx, kobs+KOBS_REGS+24(%rip)
	mov %rsi, kobs+KOBS_REGS+32(%rip)
	mov %rbp, kobs+KOBS_REGS+40(%rip)
	mov %r8, kobs+KOBS_REGS+48(%rip)
	mov %r9, kobs+KOBS_REGS+56(%rip)
	mov %r10, kobs+KOBS_REGS+64(%rip)
	mov %r11, kobs+KOBS_REGS+72(%rip)
	mov %r12, kobs+KOBS_REGS+80(%rip)
	mov %r13, kobs+KOBS_REGS+88(%rip)
	mov %r14, kobs+KOBS_REGS+96(%rip)
	mov %r15, kobs+KOBS_REGS+104(%rip)
	mov %rsp, kobs+KOBS_RSP(%rip)
	sub $8, %rsp                    /* 16-byte alignment for C */
	call \observed
	add $8, %rsp
	movabs $KPOISON, %rcx
	mov %rcx, %rbx
	mov %rcx, %rdx
	mov %rcx, %rsi
	mov %rcx, %rdi
	mov %rcx, %rbp
	mov %rcx, %r8
	mov %rcx, %r9
	mov %rcx, %r10
	mov %rcx, %r11
	mov %rcx, %r12
	mov %rcx, %r13
	mov %rcx, %r14
	mov %rcx, %r15
	ret
	.endm

	.text
	OBSERVE_WRAPPER kentry_observe, kentry_dispatch_observed
	OBSERVE_WRAPPER kfred_observe, kfred_dispatch_observed  /* FRED's entry (kfred_dispatch) */
#endif
