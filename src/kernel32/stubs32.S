/* kentry legacy kernel: the kernel side of every measured path.
 *
 * Each stub is the whole kernel handler of one round trip: entry
 * instruction in ring 3 -> this stub -> return instruction -> ring 3.
 * Only what the hardware makes unavoidable is here. paths32.c installs a
 * stub (IDT gate, GDT gate, TSS entry point or MSR) only while its path
 * runs; at other times the resting gates, empty GDT slots and kstray_*
 * stubs hold those places.
 *
 * Contract with the ring-3 loops (user32.S):
 *   - the loops keep their state in ESI (counter) and EDI:EBP (t0); no
 *     stub touches them (a task switch saves and restores every GPR);
 *   - a stub may clobber ECX (legacy SYSCALL puts the return EIP there);
 *   - the SYSENTER loop puts its return EIP in EDX and its ESP in ECX
 *     once, before the loop: SYSENTER changes no GPR but ESP;
 *   - the loops run with IOPL = 0 and NT = 0, and IF = 1 by default
 *     (ring3_if=1; every interrupt source is masked where it starts, so
 *     nothing comes); with ring3_if=0 IF = 0, except that a legacy SYSRET
 *     sets it. Every round trip must give ring 3 its IF back (paths32.c
 *     checks): iretd restores it, sysexit needs the sti stub.
 * All in 32-bit protected mode: no REX forms, 4-byte stack slots. */
#include "layout32.h"

	.text
	.code32
	.balign 64

/* ---- int n -> 32-bit interrupt / trap gate -> IRETD --------------------------
 * Arrival (SDM 6.12.1): `int n` from CPL 3 through a DPL 3 gate whose
 * target is SEL_KCODE (DPL 0): privilege change, so the CPU loaded
 * SS:ESP = TSS_MAIN's SS0:ESP0 (SEL_KDATA:kentry_stack32_top) and pushed
 * [ESP+16] user SS, [+12] user ESP, [+8] EFLAGS, [+4] user CS, [+0] EIP
 * after the int, 4 bytes each (a 32-bit gate). No error code. Interrupt
 * gate: IF cleared; trap gate: IF unchanged (nothing can arrive: every
 * source is masked). TF, NT, RF, VM
 * cleared. DS/ES still hold USER_DS: flat and usable at CPL 0.
 * Exit: IRETD (NT = 0, so not a task return): pops EIP, CS (RPL 3 > CPL:
 * inter-privilege return), EFLAGS, ESP, SS, and nulls any data segment
 * register with DPL < 3 (none: DS/ES are USER_DS). */
	.globl kp32_intgate_iret, kp32_trapgate_iret, kp32_int80_iret
kp32_intgate_iret:              /* VEC_INTGATE, interrupt gate */
	iret
	.balign 16
kp32_trapgate_iret:             /* VEC_TRAPGATE, trap gate */
	iret
	.balign 16
/* int $0x80 the way i386 Linux installed it for most of its history
 * (set_system_trap_gate(SYSCALL_VECTOR, &system_call): a DPL 3 trap gate,
 * EAX = syscall number). Arrival and exit as above; the figure is the
 * hardware's part of the i386 system call, before Linux's SAVE_ALL. */
kp32_int80_iret:                /* VEC_INT80, trap gate */
	iret

/* ---- far call -> 32-bit call gate -> LRET -------------------------------------
 * Arrival (SDM 5.8.5, figure 5-13): `lcall *m16:32` naming SEL_CGATE|3
 * (gate DPL 3 >= CPL and RPL; target SEL_KCODE, DPL 0 < CPL: privilege
 * change). The CPU loaded SS:ESP from TSS_MAIN's SS0:ESP0 and pushed
 * [ESP+12] caller SS, [+8] caller ESP, [+4] caller CS, [+0] EIP after the
 * call. EFLAGS untouched and not saved.
 * Exit: LRET (32-bit far return): pops EIP, CS; RPL 3 > CPL, so it also
 * pops ESP and SS: exactly the gate's frame. */
	.balign 16
	.globl kp32_callgate_lret
kp32_callgate_lret:
	lret

/* Call gate with parameters (SEL_CGATE_PARAM, count CGATE_NPARAM).
 * Arrival: as above, but between the caller's SS:ESP and CS:EIP the CPU
 * copied CGATE_NPARAM dwords from the caller's stack (the count field,
 * SDM 5.8.5: after pushing SS and ESP it reads the parameters from the
 * old stack, starting at the highest address, so they keep their order):
 * [ESP+4*(2+N)+4] SS, [+4*(2+N)] ESP, [+8 .. +4*(2+N)-4] the parameters,
 * [+4] CS, [+0] EIP.
 * Exit: LRET $4N: pops EIP and CS, releases the N copied dwords on this
 * stack, pops ESP and SS, and releases N dwords on the caller's stack
 * too: the parameters the caller pushed are gone (SDM RET, "n" applies to
 * both stacks on an inter-privilege return). */
	.balign 16
	.globl kp32_callgate_params_lret
kp32_callgate_params_lret:
	lret $(4 * CGATE_NPARAM)

/* ---- SYSENTER -> SYSEXIT ------------------------------------------------------
 * Arrival (SDM SYSENTER, protected mode; AMD documents it in legacy mode
 * too): CS = SYSENTER_CS (SEL_KCODE) with flat 32-bit attributes forced,
 * SS = SYSENTER_CS + 8, ESP = SYSENTER_ESP (kentry_stack32_top), EIP =
 * SYSENTER_EIP (this stub), CPL 0; EFLAGS.IF, VM, RF cleared. Nothing
 * pushed; EDX/ECX still hold the loop's return EIP and ESP.
 * Exit: SYSEXIT: CS = SYSENTER_CS + 16 | 3 (USER_CS), SS = SYSENTER_CS +
 * 24 | 3 (USER_DS), EIP = EDX, ESP = ECX, CPL 3; EFLAGS unchanged, so IF
 * stays 0 as SYSENTER left it: the stub for ring 3 at IF = 0. */
	.balign 16
	.globl kp32_sysenter_sysexit
kp32_sysenter_sysexit:
	sysexit

/* The same with ring 3 at IF = 1 (ring3_if=1, the default): STI first,
 * whose one-instruction shadow covers SYSEXIT, so no interrupt can be
 * taken in ring 0 on the SYSENTER stack between them (Linux: sti;
 * sysexit in its 32-bit entry). */
	.balign 16
	.globl kp32_sysenter_sti_sysexit
kp32_sysenter_sti_sysexit:
	sti
	sysexit

/* ---- legacy-mode SYSCALL -> SYSRET (AMD) -----------------------------------
 * Arrival (AMD APM vol. 3 SYSCALL, legacy mode; EFER.SCE = 1): ECX = EIP
 * of the next instruction, CS = STAR[47:32] (SEL_KCODE), SS = +8, flat
 * attributes forced, EIP = STAR[31:0] (this stub; LSTAR/CSTAR and FMASK
 * do not exist for legacy mode), EFLAGS.VM, IF, RF cleared, CPL 0.
 * ESP is NOT changed (we run on the user's stack: push nothing) and
 * EFLAGS is not saved anywhere. Intel: #UD outside 64-bit mode.
 * Exit: SYSRET (legacy mode): CS = STAR[63:48] | 3 (USER_CS), SS =
 * STAR[63:48] + 8 | 3 (USER_DS), EIP = ECX, and EFLAGS.IF = 1: ring 3
 * continues with interrupts enabled, which is why the 8259s are masked. */
	.balign 16
	.globl kp32_syscall_sysret
kp32_syscall_sysret:
	sysret

/* ---- Exceptions through 32-bit interrupt gates (legacy-exc-*) --------------
 * Arrival (SDM 6.12.1): as kp32_intgate_iret, with [ESP+0] the EIP of the
 * FAULTING instruction (faults) or of the next one (#BP, a trap); #PF and
 * #GP push an error code below it. Each stub moves the saved EIP past the
 * instruction (fixed lengths in user32.S: ud2 0F 0B, mov (%ebx),%eax
 * 8B 03, div %ecx F7 F1: 2 bytes; cli FA: 1 byte), drops the error code
 * and IRETDs. */
	.balign 16
	.globl kp32_exc_ud_skip
kp32_exc_ud_skip:               /* #UD (6): no error code */
	addl $2, (%esp)
	iret

	.balign 16
	.globl kp32_exc_bp
kp32_exc_bp:                    /* #BP (3): a trap, EIP already after int3 */
	iret

	.balign 16
	.globl kp32_exc_pf_skip
kp32_exc_pf_skip:               /* #PF (14): error code; CR2 = the address (not read) */
	add $4, %esp
	addl $2, (%esp)
	iret

	.balign 16
	.globl kp32_exc_de_skip
kp32_exc_de_skip:               /* #DE (0): no error code */
	addl $2, (%esp)
	iret

	.balign 16
	.globl kp32_exc_gp_skip
kp32_exc_gp_skip:               /* #GP (13): error code 0 for cli at CPL 3 > IOPL */
	add $4, %esp
	addl $1, (%esp)
	iret

/* ---- Hardware task switches (legacy-task-*) --------------------------------
 * These stubs are not called: they are the code of the handler task
 * (TSS_TASK), whose EIP paths32.c sets to the stub when the path is
 * installed. Reached by `int n` through an IDT task gate, a far call to
 * the TSS descriptor, a far call to a GDT task gate, or an exception
 * whose IDT entry is a task gate.
 * Arrival (SDM 8.3, table 8-2, CALL/INT kind): the CPU saved the ring-3
 * loop's whole state (EIP after the int/call, or of the faulting
 * instruction, EFLAGS, all GPRs, segment selectors) in TSS_MAIN; checked
 * that TSS_TASK is available and marked it busy; wrote SEL_TSS_MAIN into
 * TSS_TASK's back-link; loaded CR3, LDT, EFLAGS (with NT set), the GPRs,
 * segments (CS = SEL_KCODE: CPL 0) and EIP from TSS_TASK; TR = SEL_TSS_TASK;
 * CR0.TS set. TSS_MAIN stays busy. No stack switch through SS0:ESP0:
 * ESP is TSS_TASK's own (ktask_stack_top); nothing is pushed (no error
 * code for #UD and #BP).
 * Exit: IRETD with NT = 1 is a task return (SDM IRET): the CPU saves
 * this task's state in TSS_TASK (EIP = the instruction after the iret,
 * EFLAGS with NT cleared), clears TSS_TASK's busy bit, and switches to
 * the back-link task TSS_MAIN (which must be busy), restoring the ring-3
 * loop exactly as saved. The next entry therefore resumes AFTER the
 * iret: each stub is a loop, and every round trip after the first runs
 * the `jmp` too (the first starts at the top). */
	.balign 16
	.globl kt32_task_iret, kt32_task_iret_resume
kt32_task_iret:
1:	iret
kt32_task_iret_resume:
	jmp 1b

/* #UD through a task gate (legacy-exc-ud-task): the faulting EIP was
 * saved in TSS_MAIN (the interrupted task is always the kernel's task in
 * this kernel); step it over the 2-byte ud2 there, then return. */
	.balign 16
	.globl kt32_task_ud_skip, kt32_task_ud_resume
kt32_task_ud_skip:
1:	addl $2, ktss_main + TSS_EIP
	iret
kt32_task_ud_resume:
	jmp 1b

/* Not a measured path: the handler task of the containment self-check
 * (paths32.c): it faults at once, inside the task (TR = TSS_TASK, NT set,
 * both TSSes busy), to show that the excursion ends with the fault and
 * that the task state is repaired for the next path. */
	.balign 16
	.globl kt32_task_fault
kt32_task_fault:
	ud2
