/* kentry kernel: the kernel side of every measured path.
 *
 * Each stub is the whole kernel handler of one round trip: entry
 * instruction in ring 3 -> this stub -> return instruction -> ring 3. They
 * are empty on purpose: only what the hardware makes unavoidable is here.
 * paths.c installs a stub (IDT gate, GDT call gate or MSR) only while its
 * path runs; at other times the generic handlers or the kstray_* stubs
 * hold those places.
 *
 * Contract with the ring-3 loops (user.S), which is what lets the stubs
 * be this small:
 *   - the loops keep their state in R12 (counter) and R13 (t0) in 64-bit
 *     code, ESI (counter) and EDI:EBP (t0) in 32-bit code; no stub touches
 *     those registers;
 *   - a stub may clobber RCX and R11 (SYSCALL already does);
 *   - the SYSENTER loops put their return RIP in RDX and their RSP in RCX
 *     once, before the loop: SYSENTER does not modify any GPR other than
 *     RSP (and RIP), so the values are still there for SYSEXIT;
 *   - RFLAGS is 0x202 (IF = 1, IOPL = 0; 0x2 with ring3_if=0) plus
 *     arithmetic flags in ring 3; the loops do not depend on flags across
 *     the entry instruction. Every interrupt source is masked (apic.c), so
 *     IF = 1 lets nothing in; where an exit does not restore IF (sysexit,
 *     a frame built with pushfq after sysenter) the IF = 1 mode uses the
 *     *_sti_* / *_if_* stubs, which put it back.
 * Nothing here switches CR3 or saves registers: a KPTI variant or a
 * Linux-ABI dispatcher is a different stub registered for a different
 * path id (docs/kernel.md). */
#include "layout.h"
#include "fred.h"

	.text
	.balign 64

/* ---- int n -> IDT gate -> IRETQ ---------------------------------------------
 * Arrival (SDM 6.12.1, 6.14.2): `int n` from CPL 3 through a DPL 3 gate.
 * CS = SEL_KCODE (gate selector), CPL 0; RSP = TSS.RSP0 (kentry_stack_top,
 * 16-byte aligned); SS = null selector (IA-32e: new SS is null, RPL 0);
 * stack: [RSP+0] RIP after the int, [+8] CS (USER_CS64 or USER_CS32),
 * [+16] RFLAGS, [+24] RSP, [+32] SS. No error code for software
 * interrupts. Interrupt gate: IF cleared (was 0 already); trap gate: IF
 * unchanged. GPRs are the user's.
 * Exit: IRETQ pops the five slots, reloads CS/SS from the GDT (privilege
 * change to 3) and resumes after the `int`, in 64-bit or compatibility
 * mode as the popped CS says: the same stub serves both. */
	.globl kp_intgate_iretq, kp_trapgate_iretq, kp_int80_iretq
kp_intgate_iretq:               /* vector VEC_INTGATE, interrupt gate */
	iretq
	.balign 16
kp_trapgate_iretq:              /* vector VEC_TRAPGATE, trap gate */
	iretq
	.balign 16
kp_int80_iretq:                 /* vector VEC_INT80 (compat-int80), interrupt gate */
	iretq

/* ---- far call -> 64-bit call gate -> LRETQ ----------------------------------
 * Arrival (SDM 5.8.5, 5.8.6 "IA-32e mode"): `lcall *m16:32` naming selector
 * SEL_CGATE|3. Call gate DPL 3 >= CPL and RPL; target CS SEL_KCODE, DPL 0:
 * privilege change. The CPU loaded RSP = TSS.RSP0, SS = null, and pushed
 * four 8-byte slots whatever the caller's mode: [RSP+0] RIP after the
 * call (zero-extended from 32-bit code), [+8] caller CS, [+16] caller RSP,
 * [+24] caller SS. No parameters are copied (64-bit gates have no count).
 * RFLAGS is not saved and not changed.
 * Exit: LRETQ (REX.W far return): pops 8-byte RIP and CS; CS.RPL = 3 > CPL
 * so it also pops 8-byte RSP and SS. That is exactly the frame the gate
 * built, so it returns both to 64-bit code (CS = USER_CS64) and to
 * compatibility mode (CS = USER_CS32, compat-call-gate): the frame format
 * of a 64-bit gate does not depend on the caller. A 32-bit `lret` would
 * pop 4-byte slots and return to RIP = low half of the RIP slot with
 * CS = its high half (0): #GP. */
	.balign 16
	.globl kp_callgate_lretq
kp_callgate_lretq:
	lretq

/* ---- SYSENTER -> SYSEXIT ------------------------------------------------------
 * Arrival (SDM SYSENTER, IA-32e mode, 64-bit or compatibility caller):
 * CS = SYSENTER_CS (0x08) with fixed flat 64-bit attributes, SS = 0x10,
 * RIP = SYSENTER_EIP (this stub), RSP = SYSENTER_ESP (kentry_stack_top),
 * CPL 0; RFLAGS.IF, VM and RF cleared. Nothing is pushed; no GPR other
 * than RSP changes, so RDX/RCX still hold what the loop preloaded: return
 * RIP and user RSP. AMD: #UD in long mode instead (APM SYSENTER); the
 * kernel's probe sees that and never installs this stub there.
 * Exit, 64-bit caller (path sysenter): SYSEXITQ (REX.W): CS = SYSENTER_CS
 * + 32 | 3 = USER_CS64, SS = SYSENTER_CS + 40 | 3 = USER_DS64,
 * RIP = RDX, RSP = RCX (both must be canonical, or #GP in ring 0). */
	.balign 16
	.globl kp_sysenter_sysexitq
kp_sysenter_sysexitq:
	sysexitq

/* Exit, 32-bit caller (compat-sysenter): SYSEXIT without REX.W:
 * CS = SYSENTER_CS + 16 | 3 = USER_CS32, SS = SYSENTER_CS + 24 | 3 =
 * USER_DS, EIP = EDX, ESP = ECX: back in compatibility mode. */
	.balign 16
	.globl kp_sysenter_sysexitl
kp_sysenter_sysexitl:
	sysexitl

/* The same with ring 3 at IF = 1 (the default; ring3_if=0 selects the
 * stubs above). SYSENTER cleared IF and SYSEXIT does not restore RFLAGS,
 * so IF is set again here, as Linux did before its SYSEXIT: STI's
 * one-instruction interrupt shadow covers SYSEXIT, so no interrupt can be
 * taken in ring 0 after it; the first one lands in ring 3. */
	.balign 16
	.globl kp_sysenter_sti_sysexitq
kp_sysenter_sti_sysexitq:
	sti
	sysexitq

	.balign 16
	.globl kp_sysenter_sti_sysexitl
kp_sysenter_sti_sysexitl:
	sti
	sysexitl

/* ---- SYSCALL -> SYSRET ----------------------------------------------------------
 * Arrival (SDM/APM SYSCALL, 64-bit caller, via LSTAR): CS = STAR[47:32]
 * (0x08), SS = +8 (0x10), fixed flat attributes, CPL 0; RCX = RIP of the
 * next instruction, R11 = RFLAGS, RFLAGS &= ~FMASK (IF, TF, DF, AC, NT
 * cleared); RSP is NOT changed: we run on the user's stack, so this stub
 * must not push anything (it does not).
 * Exit: SYSRETQ (REX.W): RIP = RCX, RFLAGS = R11 (RF cleared, bit 1 set),
 * CS = STAR[63:48] + 16 | 3 = USER_CS64, SS = STAR[63:48] + 8 | 3 = USER_DS.
 * RCX is canonical (it came from SYSCALL), so the Intel #GP-in-ring-0
 * case of SYSRET cannot happen here. */
	.balign 16
	.globl kp_syscall_sysretq
kp_syscall_sysretq:
	sysretq

/* Compatibility-mode caller (compat-syscall, via CSTAR; AMD documents it,
 * Intel documents #UD): same arrival, RCX = next EIP zero-extended.
 * Exit: SYSRET without REX.W: CS = STAR[63:48] | 3 = USER_CS32,
 * SS = STAR[63:48] + 8 | 3 = USER_DS, EIP = ECX, EFLAGS = R11D. */
	.balign 16
	.globl kp_syscall_sysretl
kp_syscall_sysretl:
	sysretl

/* ---- Exceptions as entries (exc-* paths) ------------------------------------------
 * Arrival (SDM 6.12.1, 6.14.2): fault raised in ring 3 by the loop's
 * fixed-length instruction. CPL 0, CS = SEL_KCODE, RSP = TSS.RSP0,
 * SS = null; stack [RSP+0] RIP of the FAULTING instruction (faults) or
 * of the next one (#BP, a trap), [+8] CS, [+16] RFLAGS, [+24] RSP,
 * [+32] SS; #GP and #PF push an error code first, below RIP.
 * Each stub moves the saved RIP past the instruction (lengths fixed by
 * user.S: ud2 0F 0B, lock nop F0 90, mov (%rsi),%eax 8B 06, div %ecx
 * F7 F1: 2 bytes; cli FA: 1 byte), drops the error code and IRETQs.
 * paths.c installs them in the IDT only for the duration of one batch. */
	.balign 16
	.globl kp_exc_ud_skip
kp_exc_ud_skip:                 /* #UD (6): no error code */
	addq $2, (%rsp)
	iretq

	.balign 16
	.globl kp_exc_bp
kp_exc_bp:                      /* #BP (3): a trap, RIP already after int3 */
	iretq

	.balign 16
	.globl kp_exc_pf_skip
kp_exc_pf_skip:                 /* #PF (14): error code; CR2 = faulting address (not read) */
	add $8, %rsp
	addq $2, (%rsp)
	iretq

	.balign 16
	.globl kp_exc_de_skip
kp_exc_de_skip:                 /* #DE (0): no error code */
	addq $2, (%rsp)
	iretq

	.balign 16
	.globl kp_exc_gp_skip
kp_exc_gp_skip:                 /* #GP (13): error code 0 for cli at CPL 3 > IOPL */
	add $8, %rsp
	addq $1, (%rsp)
	iretq

/* ---- Crossed paths: one mechanism's entry, another's exit ------------------------
 * They separate entry cost from exit cost: e.g. syscall/iretq minus
 * syscall shows what IRETQ costs over SYSRETQ. The frame building each
 * needs is part of the figure and is kept to plain moves and pushes. */

/* syscall/iretq. Arrival as kp_syscall_sysretq (RCX = user RIP,
 * R11 = user RFLAGS, RSP = user RSP, CS 0x08, SS 0x10). IRETQ needs an
 * interrupt frame on a kernel stack: the user RSP goes to a scratch slot
 * (single CPU, IF = 0: no reentry), RSP = kentry_stack_top, then push SS,
 * RSP, RFLAGS, CS, RIP. IRETQ: CPL 3, 64-bit, after the syscall. */
	.balign 16
	.globl kp_syscall_iretq
kp_syscall_iretq:
	mov %rsp, ksyscall_user_rsp(%rip)
	mov $kentry_stack_top, %rsp
	pushq $USER_DS
	pushq ksyscall_user_rsp(%rip)
	push %r11
	pushq $USER_CS64
	push %rcx
	iretq

/* sysenter/iretq. Arrival as kp_sysenter_sysexitq (RSP = SYSENTER_ESP =
 * kentry_stack_top, RDX = return RIP, RCX = user RSP preloaded by the
 * loop). SYSENTER saved no RFLAGS; it only cleared IF/VM/RF, which were 0
 * in ring 3 with ring3_if=0, so PUSHFQ gives the user's flags. */
	.balign 16
	.globl kp_sysenter_iretq
kp_sysenter_iretq:
	pushq $USER_DS
	push %rcx
	pushfq
	pushq $USER_CS64
	push %rdx
	iretq

/* The same with ring 3 at IF = 1: SYSENTER cleared IF, so PUSHFQ shows
 * IF = 0; set it in the frame so that IRETQ gives ring 3 its IF back. */
	.balign 16
	.globl kp_sysenter_if_iretq
kp_sysenter_if_iretq:
	pushq $USER_DS
	push %rcx
	pushfq
	orq $RFLAGS_IF, (%rsp)
	pushq $USER_CS64
	push %rdx
	iretq

/* int-gate/sysretq. Arrival as kp_intgate_iretq (vector VEC_INT_SYSRET):
 * [RSP+0] RIP, [+8] CS, [+16] RFLAGS, [+24] RSP, [+32] SS on
 * kentry_stack. SYSRETQ wants RCX = RIP, R11 = RFLAGS and the user RSP
 * already in RSP (it does not touch RSP); the interrupt frame is then
 * simply abandoned (TSS.RSP0 is fixed, the next entry reuses the stack).
 * CS/SS after SYSRETQ are USER_CS64/USER_DS, what the frame held. */
	.balign 16
	.globl kp_intgate_sysretq
kp_intgate_sysretq:
	mov 0(%rsp), %rcx
	mov 16(%rsp), %r11
	mov 24(%rsp), %rsp
	sysretq

/* call-gate/iretq. Arrival as kp_callgate_lretq (selector SEL_CGATE_IRET):
 * [RSP+0] RIP, [+8] CS, [+16] RSP, [+24] SS. IRETQ wants RFLAGS between CS
 * and RSP: open one slot below, move RIP and CS down, and store the
 * current RFLAGS (a far call leaves RFLAGS as the user had it) in the
 * freed slot: [RIP, CS, RFLAGS, RSP, SS]. */
	.balign 16
	.globl kp_callgate_iretq
kp_callgate_iretq:
	sub $8, %rsp
	mov 8(%rsp), %rcx
	mov %rcx, 0(%rsp)
	mov 16(%rsp), %rcx
	mov %rcx, 8(%rsp)
	pushfq
	pop %rcx
	mov %rcx, 16(%rsp)
	iretq

/* ---- FRED: the minimal handler of each fred-* path ------------------------------------
 * With CR4.FRED = 1 every event from ring 3 arrives at one place, the
 * page IA32_FRED_CONFIG names (fred.c installs one of these pages for a
 * minimal batch). Arrival (fred.h; full.S kf_fred_user has the whole
 * state): CPL 0, RSP = IA32_FRED_RSP0 - 64, RFLAGS = 0x2, the CPU's
 * frame at [RSP]: error code, RIP, CS, RFLAGS, RSP, SS (event type and
 * vector in its upper half), event data. The hardware does not dispatch:
 * the ring-3 loop's done event (int $VEC_DONE) and any fault land here as
 * well, so the least a FRED handler can do is one compare of the event's
 * type and vector (the dword at SS + 3: fred.h FRED_F_IDWORD) and a
 * branch: every other event goes to the full entry, whose dispatcher
 * handles it (the done event, a fault that ends the run). Then ERETU:
 * RIP, CS, RFLAGS, RSP, SS from the frame (the error-code slot is
 * stepped over), back in 64-bit or compatibility mode as CS says. The
 * exceptions move the saved RIP past the faulting instruction first, as
 * the IDT's exc-* stubs do. A ring-0 event while a minimal page is
 * installed (its +256 entry) goes to the full kernel entry. Each handler
 * is a page of its own: the entry point's address is the only thing
 * IA32_FRED_CONFIG can say. */
	.macro FRED_MINIMAL name, type, vec, exit:vararg
	.balign 4096
	.globl \name
\name:
	cmpl $FRED_IDWORD(\type, \vec), FRED_F_IDWORD(%rsp)
	jne kf_fred_user                /* not this path's event: the full dispatcher */
	\exit
	.org \name + FRED_KERNEL_ENTRY_OFF, 0xcc
	jmp kf_fred_kernel
	.endm
	.macro FRED_SKIP n
	addq $\n, FRED_F_RIP(%rsp)
	ERETU
	.endm
	/* syscall and sysenter: RIP is the next instruction; ERETU restores
	 * every register (under FRED syscall does not touch RCX and R11). */
	FRED_MINIMAL kp_fred_syscall, FRED_OTHER, FRED_VEC_SYSCALL, ERETU
	FRED_MINIMAL kp_fred_sysenter, FRED_OTHER, FRED_VEC_SYSENTER, ERETU
	/* int n (any vector: no gate, no DPL check), int3: RIP after them */
	FRED_MINIMAL kp_fred_int, FRED_SWINT, VEC_INTGATE, ERETU
	FRED_MINIMAL kp_fred_int80, FRED_SWINT, VEC_INT80, ERETU
	FRED_MINIMAL kp_fred_int3, FRED_SWEXC, VEC_BP, ERETU
	/* faults: RIP of the faulting instruction, skipped (lengths: user.S) */
	FRED_MINIMAL kp_fred_exc_ud, FRED_HWEXC, VEC_UD, FRED_SKIP 2
	FRED_MINIMAL kp_fred_exc_pf, FRED_HWEXC, VEC_PF, FRED_SKIP 2
	FRED_MINIMAL kp_fred_exc_gp, FRED_HWEXC, VEC_GP, FRED_SKIP 1
	FRED_MINIMAL kp_fred_exc_de, FRED_HWEXC, VEC_DE, FRED_SKIP 2

	/* The legacy returns after a syscall event (fred-syscall/iretq,
	 * fred-syscall/sysretq): above its error code the FRED frame is an
	 * IRET frame; SYSRET takes RIP in RCX, RFLAGS in R11. With CR4.FRED
	 * = 1 neither may return to ring 3: #GP (IRETQ, a privilege change)
	 * and #UD (SYSRET) in ring 0. RSP stays the kernel's for SYSRET
	 * (ring 3's loop does not use its stack): a fault in ring 0 at stack
	 * level 0 is pushed on the current RSP, and on the user's stack the
	 * #UD would not even be delivered (SMAP: #PF, then #DF). */
	.macro FRED_IRETQ
	add $8, %rsp
	iretq
	.endm
	.macro FRED_SYSRETQ
	mov FRED_F_RIP(%rsp), %rcx
	mov FRED_F_RFLAGS(%rsp), %r11
	sysretq
	.endm
	FRED_MINIMAL kp_fred_syscall_iretq, FRED_OTHER, FRED_VEC_SYSCALL, FRED_IRETQ
	FRED_MINIMAL kp_fred_syscall_sysretq, FRED_OTHER, FRED_VEC_SYSCALL, FRED_SYSRETQ

	.bss
	.balign 8
ksyscall_user_rsp:
	.quad 0
