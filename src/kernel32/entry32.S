/* kentry legacy kernel: generic trap entry, ring-3 entry and return, the
 * #DF task's entry, fixups, stacks.
 *
 * Everything here is infrastructure around the measured paths; the stubs
 * under test are in stubs32.S and the ring-3 loops in user32.S.
 *
 * Single CPU, interrupts never taken: the 8259s are masked and the local
 * APIC is globally disabled (arch32.c); EFLAGS.IF is 0 in ring 0 and, by
 * default (ring3_if=1), 1 in ring 3, as in a real kernel (with ring3_if=0
 * it is 0 there except after a legacy SYSRET, which sets it). One kernel
 * task (TSS_MAIN) whose ring-3 loops enter the kernel. */
#include "layout32.h"

/* struct kurun32 (kernel32.h) */
#define URUN_KERNEL_ESP 0
#define URUN_RESULT     4
#define URUN_ACTIVE     12
#define URUN_USER_EFLAGS 36

	.text
	.code32

/* ---- 256 generic vector stubs -------------------------------------------
 * Arrival (SDM 6.12.1, interrupt or trap gate in protected mode): the CPU
 * loaded CS = SEL_KCODE from the gate; from ring 3 it switched to
 * SS0:ESP0 of the current TSS (TSS_MAIN: kentry_stack32) and pushed the
 * old SS and ESP; then EFLAGS, CS, EIP and, for vectors 8, 10-14, 17, 21,
 * 29, 30, an error code. From ring 0 nothing is switched and SS/ESP are
 * not pushed. IF, TF, NT, RF cleared (interrupt gates).
 * Each stub pushes a 0 error code when the CPU did not, then the vector,
 * and joins trap_common32; 16 bytes each (kernel32.ld checks). */
	.balign 16
	.globl ktrap_stubs32
ktrap_stubs32:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl $0                /* no CPU error code: keep the frame uniform */
	.endif
	pushl $vec
	jmp trap_common32
	.set vec, vec + 1
	.endr
	.balign 16
	.globl ktrap_stubs32_end
ktrap_stubs32_end:

/* trap_common32: ESP points at [vector, error, EIP, CS, EFLAGS(, ESP, SS)].
 * PUSHAL completes struct ktrap_frame32; trap_dispatch32(frame) may edit
 * EIP (fixups) and return, or end a ring-3 excursion and never return.
 * DS/ES are flat in every context this kernel has (USER_DS during an
 * excursion is a flat DPL 3 data segment, usable at CPL 0), so they are
 * not reloaded. */
trap_common32:
	pushal
	mov %esp, %ebx          /* callee-saved: the frame */
	cld
	push %ebx
	call trap_dispatch32
	mov %ebx, %esp
	popal
	add $8, %esp            /* vector and error code */
	iret

/* ---- Ring 3 excursions ----------------------------------------------------
 * uint32_t kuser_enter32(uint32_t eip, uint32_t cs, uint32_t esp, uint32_t n)
 * cdecl: [ESP+4] ring-3 EIP, [+8] CS (USER_CS), [+12] ring-3 ESP,
 * [+16] the loop's iteration count.
 * Saves the callee-saved registers and ESP in kurun32, clears EFLAGS
 * (NT above all: an IRET with NT = 1 would be a task return, not a return
 * to ring 3), loads DS = ES = USER_DS (the ring-3 loops address memory
 * through DS; IRET would null a data selector with DPL < 3), FS = GS = 0,
 * and IRETs to ring 3 with EDI = n, every other GPR 0, EFLAGS =
 * kuser32_eflags (USER_EFLAGS_IF, or USER_EFLAGS with ring3_if=0), SS =
 * USER_DS. We stay in the kernel's task (TSS_MAIN): its
 * SS0:ESP0 is the stack every interrupt gate from ring 3 lands on.
 * Returns through kuser_resume32 with the status: 0 when the loop reached
 * VEC_DONE (kurun32.result holds its TSC delta), otherwise a KURUN_* code. */
	.globl kuser_enter32
kuser_enter32:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov %esp, kurun32+URUN_KERNEL_ESP
	movl $1, kurun32+URUN_ACTIVE
	pushl $0x2
	popfl
	mov 20(%esp), %esi      /* eip */
	mov 24(%esp), %edx      /* cs */
	mov 28(%esp), %ecx      /* esp */
	mov 32(%esp), %edi      /* n */
	mov $USER_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	pushl $USER_DS          /* SS */
	push %ecx               /* ESP */
	pushl kuser32_eflags    /* EFLAGS */
	push %edx               /* CS */
	push %esi               /* EIP */
	xor %ebx, %ebx
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %ebp, %ebp
	iret

/* kdone_entry32: IDT vector VEC_DONE, 32-bit interrupt gate, DPL 3.
 * Arrival: from a ring-3 loop that executed `int $VEC_DONE` with its TSC
 * delta in EDX:EAX; CPL 0 on TSS_MAIN's ESP0 with [EIP, CS, EFLAGS, ESP,
 * SS] pushed. The frame is abandoned: the excursion is over, except for
 * ring 3's EFLAGS, kept to check that every round trip gave ring 3 its IF
 * back. */
	.globl kdone_entry32
kdone_entry32:
	mov %eax, kurun32+URUN_RESULT
	mov %edx, kurun32+URUN_RESULT+4
	mov 8(%esp), %eax
	mov %eax, kurun32+URUN_USER_EFLAGS
	xor %eax, %eax          /* status 0: done */
	jmp kuser_resume32

/* void kuser_abort32(uint32_t status): ends the excursion from anywhere
 * in ring 0 (trap_dispatch32, a stray fast-call stub), whatever stack and
 * whatever task we are on (task32_recover repairs TR afterwards). */
	.globl kuser_abort32
kuser_abort32:
	mov 4(%esp), %eax
kuser_resume32:
	/* EAX = status. Flat kernel SS first (a MOV to SS holds off
	 * interrupts for one instruction), then the stack kuser_enter32
	 * saved; DS/ES flat kernel data. EFLAGS = 2: IF off (SYSRET may have
	 * set it in ring 3, a stray entry keeps it) and NT off (an excursion
	 * that ended inside the handler task left NT set). CLTS: every task
	 * switch sets CR0.TS, and the C code uses SSE. */
	mov $SEL_KDATA, %ecx
	mov %ecx, %ss
	mov kurun32+URUN_KERNEL_ESP, %esp
	mov %ecx, %ds
	mov %ecx, %es
	pushl $0x2
	popfl
	clts
	movl $0, kurun32+URUN_ACTIVE
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret

/* ---- Stray fast-call entries ------------------------------------------------
 * STAR[31:0] (legacy-mode SYSCALL's EIP) and SYSENTER_EIP point here
 * whenever no path that uses them runs, so a stray SYSCALL/SYSENTER ends
 * the excursion with a status instead of running a stale handler.
 * kstray_syscall32: CPL 0, CS = SEL_KCODE, SS = SEL_KDATA, ECX = user EIP,
 * ESP still the user's. kstray_sysenter32: CS = SEL_KCODE, SS = SEL_KDATA,
 * ESP = SYSENTER_ESP. kuser_abort32 drops all of it. */
	.globl kstray_syscall32, kstray_sysenter32
kstray_syscall32:
	mov $SEL_KDATA, %eax    /* the user's flat DS works too; be explicit */
	mov %eax, %ds
	pushl $0x200            /* KURUN_STRAY_SYSCALL */
	call kuser_abort32
kstray_sysenter32:
	pushl $0x202            /* KURUN_STRAY_SYSENTER */
	call kuser_abort32

/* ---- The #DF task -------------------------------------------------------------
 * IDT vector 8 is a task gate to SEL_TSS_DF (as i386 Linux and Windows
 * do): a double fault, typically from a broken kernel stack, cannot be
 * delivered through a gate on that stack, so the CPU switches to a task
 * with its own. Arrival (SDM 8.3, 6.15 #DF): a task switch of the CALL
 * kind: the interrupted state was saved in the old TSS, whose selector is
 * in ktss_df.link; TR = SEL_TSS_DF (busy), EFLAGS.NT = 1; registers,
 * segments and ESP from ktss_df (kdf_stack_top, CR3 the kernel's); the
 * error code (0) pushed on this stack. CR0.TS is set (clear it: the report
 * formats doubles). Never returns: kdf_report32 prints and ends the run. */
	.globl kdf_task_entry32
kdf_task_entry32:
	clts
	call kdf_report32
1:	cli
	hlt
	jmp 1b

/* ---- #GP-safe MSR access ---------------------------------------------------
 * int rdmsr_safe(uint32_t msr, uint64_t *val), int wrmsr_safe(msr, val)
 * (the prototypes of src/kernel/cpu.h, cdecl here): 0, or -1 when the
 * instruction raised #GP (MSR absent, reserved bits). trap_dispatch32
 * resumes at the paired fixup address of kfixup_table32. */
	.globl rdmsr_safe, wrmsr_safe
rdmsr_safe:
	mov 4(%esp), %ecx
kfix32_rdmsr:
	rdmsr
	mov 8(%esp), %ecx
	mov %eax, (%ecx)
	mov %edx, 4(%ecx)
	xor %eax, %eax
	ret
kfix32_rdmsr_out:
	mov $-1, %eax
	ret

wrmsr_safe:
	mov 4(%esp), %ecx
	mov 8(%esp), %eax
	mov 12(%esp), %edx
kfix32_wrmsr:
	wrmsr
	xor %eax, %eax
	ret
kfix32_wrmsr_out:
	mov $-1, %eax
	ret

	.section .rodata
	.balign 4
	.globl kfixup_table32
kfixup_table32:
	.long kfix32_rdmsr, kfix32_rdmsr_out
	.long kfix32_wrmsr, kfix32_wrmsr_out
	.long 0, 0

/* ---- Stacks ------------------------------------------------------------------
 * kentry_stack32: TSS_MAIN's ESP0 and SYSENTER_ESP, where every entry from
 * ring 3 through a gate or SYSENTER lands (the kernel's C code runs on
 * boot_stack, saved in kurun32 while ring 3 runs). ktask_stack: the
 * handler task's own (ktss_task.esp); kdf_stack: the #DF task's. */
	.bss
	.balign 4096
	.globl kentry_stack32_top, ktask_stack_top, kdf_stack_top
	.skip 16384
kentry_stack32_top:
	.skip 8192
ktask_stack_top:
	.skip 8192
kdf_stack_top:
