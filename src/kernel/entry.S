/* kentry kernel: generic trap entry, ring-3 entry and return, fixups.
 *
 * Everything here is infrastructure around the measured paths; the stubs
 * under test are in stubs.S and the ring-3 loops in user.S.
 *
 * Single CPU, interrupts never enabled in ring 0 (ring 3 runs with IF = 1
 * but every interrupt source is masked, apic.c), so no SWAPGS and no
 * per-CPU data: globals are per-CPU data.
 *
 * KPTI (mitig.c, kpti.c): while a configuration with kpti runs, ring 3
 * runs on its space's user page tables (the twin: CR3 | KVM_TWIN_BIT, and
 * with PCID the user PCID bit), which map only the user's pages and the
 * entry trampoline: .entry.text and .entry.data/.entry.bss. So everything
 * that ring 3 can reach while those tables are loaded is here in
 * .entry.text and switches to the kernel's tables before it touches
 * anything else: the generic vector stubs and trap_common (any exception
 * or interrupt from ring 3, and NMIs/#DBs in the few instructions of an
 * exit after its switch to the user tables), the done entry, the stray
 * fast-call stubs, the spurious-interrupt stub, and the end of
 * kuser_enter, which switches to the user tables right before its IRETQ.
 * Outside those configurations kpti_user_bits is 0, CR3 never has a
 * twin bit and every switch below is skipped: the minimal and full paths
 * run exactly as without KPTI. */
#include "layout.h"
#include "kpatch.h"
#include "regs.h"
#include "fred.h"

/* struct kurun (trap.h): the one ring-3 excursion in progress. */
#define URUN_KERNEL_RSP 0
#define URUN_RESULT     8
#define URUN_ACTIVE     16
#define URUN_RFLAGS     24

/* struct kprobe_state (trap.h) */
#define KPROBE_ARMED    0
#define KPROBE_RSP      8

/* The CR3 bits that select a space's KPTI twin and its user PCID. */
#define CR3_USER_BITS   0x1800

/* KERNEL_CR3 scratch: back on the kernel's page tables of the running
 * space when CR3 holds its twin (the twin bit and the user PCID bit
 * cleared; with PCID the no-flush bit set, kpti_kernel_noflush), else
 * nothing (a compare and a taken branch). Flags are clobbered. */
	.macro KERNEL_CR3 scratch
	mov %cr3, \scratch
	test $CR3_USER_BITS, \scratch
	jz .Lkcr3_\@
	and $~CR3_USER_BITS, \scratch
	or kpti_kernel_noflush, \scratch
	mov \scratch, %cr3
.Lkcr3_\@:
	.endm

	.section .entry.text, "ax"

/* ---- 256 generic vector stubs -------------------------------------------
 * Arrival (SDM 6.14.2, interrupt/exception in IA-32e mode): the CPU has
 * loaded CS = SEL_KCODE from the gate, switched to TSS.RSP0 if it came from
 * ring 3 (or to an IST stack if the gate names one), aligned RSP down to 16
 * bytes and pushed SS, RSP, RFLAGS, CS, RIP and, for vectors 8, 10-14, 17,
 * 21, 29, 30, an error code. IF is clear (every gate the kernel installs
 * for these is an interrupt gate, and IF was 0 anyway).
 * Each stub makes the frame uniform: pushes a 0 error code when the CPU
 * did not, then the vector number, and joins trap_common. Each stub is 16
 * bytes, so stub n is at ktrap_stubs + 16 * n (arch.c relies on it). */
	.balign 16
	.globl ktrap_stubs
ktrap_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0                /* no CPU error code: keep the frame uniform */
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr
	.balign 16
	.globl ktrap_stubs_end
ktrap_stubs_end:                /* kernel.ld asserts 256 * 16 bytes: no stub overflowed */

/* trap_common: RSP points at [vector|kind, error, RIP, CS, RFLAGS, RSP,
 * SS]. Saves every GPR (struct kregs in regs.h, the frame every entry
 * builds, lowest address first: r15 ... rax, vector/kind, error, iret
 * frame), calls the one dispatcher, kentry_dispatch(frame), on a 16-byte
 * aligned stack (the C code may use SSE), restores and iretq's to the
 * frame, which the dispatcher may have edited (fixups, RIP skips). The
 * generic stubs' kind is KK_IDT (0), which the dispatcher hands to
 * trap_dispatch. If the trap ends a ring-3 excursion, trap_dispatch does
 * not return: it calls kuser_abort, which drops this stack altogether. */
/* With KPTI the trap may come from ring 3 on the user tables, or from
 * ring 0 between an exit's switch to the user tables and its return
 * instruction (an NMI, a #DB, a faulting IRETQ): the CR3 it found is kept
 * in R12 (callee-saved) and put back before the IRETQ, as Linux's
 * paranoid entries save and restore CR3. The stack (the entry stack or an
 * IST stack) is mapped in both tables. */
	.globl trap_common
trap_common:
	ASM_CLAC                /* ring 3 may have left AC set: SMAP on again */
	SAVE_REGS
	mov %cr3, %r12          /* the tables the trap arrived on */
	testb $3, KR_CS(%rsp)
	jz 1f
	mov %r12, kpti_cr3_at_trap(%rip) /* from ring 3: where it ran (mitig.c checks) */
1:	KERNEL_CR3 %rax
	mov %rsp, %rdi
	mov %rsp, %rbx          /* callee-saved: survives the call */
	and $-16, %rsp
	cld
	call kentry_dispatch    /* the one dispatcher (KK_IDT: trap_dispatch) */
	mov %rbx, %rsp
	test $CR3_USER_BITS, %r12
	jz 1f                   /* it arrived on the kernel's tables: stay */
	or kpti_kernel_noflush, %r12 /* with PCID: keep the user PCID's entries */
	mov %r12, %cr3          /* back to the twin it arrived on */
1:	POP_REGS
	add $16, %rsp           /* vector and error code */
	iretq

/* ---- Ring 3 excursions ----------------------------------------------------
 * uint32_t kuser_enter(uint64_t rip, uint64_t cs, uint64_t rsp, uint64_t n)
 * SysV call from C: RDI = ring-3 RIP, RSI = ring-3 CS (USER_CS64 or
 * USER_CS32), RDX = ring-3 RSP, RCX = iteration count for the loop.
 * Saves the callee-saved registers and RSP in kurun, then IRETQs to ring
 * 3 with RDI = n, every other GPR 0, RFLAGS = kuser_rflags (USER_RFLAGS_IF
 * by default, USER_RFLAGS with ring3_if=0; IOPL = 0 either way),
 * SS = DS = ES = USER_DS (compatibility-mode code addresses
 * memory through DS/ES/SS, which must therefore be valid DPL 3 data
 * selectors; IRET would null any with DPL < 3).
 * Returns (through kuser_resume) the status: 0 when the loop reached
 * VEC_DONE (kurun.result holds its TSC delta), otherwise a KURUN_* code. */
/* A ring-3 excursion begins: the callee-saved registers and this RSP
 * kept in kurun (kuser_resume comes back to them), DS = ES = USER_DS. */
	.macro KURUN_START
	PUSH_CALLEE_SAVED
	mov %rsp, kurun+URUN_KERNEL_RSP(%rip)
	movq $1, kurun+URUN_ACTIVE(%rip)
	mov $USER_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	.endm

/* The IRETQ frame goes on the entry stack (nothing lives there between
 * entries: the next entry from ring 3 lands on the same slots), which the
 * user tables map: with KPTI the switch to them comes after the pushes and
 * the IRETQ still reads its frame. kpti_user_bits is 0 outside a KPTI
 * configuration (no switch, CR3 untouched), else the twin bit, with PCID
 * the user PCID bit and the no-flush bit too (mitig.c). */
	.globl kuser_enter
kuser_enter:
	KURUN_START
	mov $kentry_stack_top, %rsp
	pushq $USER_DS          /* SS */
	push %rdx               /* RSP */
	pushq kuser_rflags(%rip) /* RFLAGS: IF as the boot option says */
	push %rsi               /* CS: selects 64-bit or compatibility mode */
	push %rdi               /* RIP */
	mov %rcx, %rdi
	cmpb $0, kfred_active(%rip)
	jne 1f
	mov kpti_user_bits(%rip), %rax
	test %rax, %rax
	jz 2f
	mov %cr3, %rbx
	or %rbx, %rax
	mov %rax, %cr3          /* the user tables: only the trampoline from here */
2:
	CLEAR_REGS_EXCEPT edi      /* RDI = n */
	iretq
	/* CR4.FRED is set (a fred-* path is installed): IRETQ may not change
	 * the privilege level any more (#GP); ERETU takes the same five slots
	 * above an error-code slot it steps over, at stack level 0 (the
	 * install started there), and swaps GS as FRED's entry from ring 3
	 * will swap it back. RFLAGS has IOPL 0, which ERETU requires. */
1:	pushq $0                /* the error-code slot */
	CLEAR_REGS_EXCEPT edi
	ERETU

/* uint32_t ksysret_ss_probe(uint64_t eip, uint64_t esp): a ring-3
 * excursion (kurun, like kuser_enter) entered with SYSRETL while SS holds
 * a null selector, as after an interrupt from ring 3 (arch.c says why).
 * RCX = EIP, R11 = ring 3's RFLAGS, RSP = ESP; CS and SS come from STAR.
 * Returns 0 when the 32-bit probe ended normally, else how it faulted. */
	.globl ksysret_ss_probe
ksysret_ss_probe:
	KURUN_START
	mov %rdi, %rcx
	mov kuser_rflags(%rip), %r11
	xor %eax, %eax
	mov %eax, %ss                   /* null SS at CPL 0 (allowed in 64-bit mode) */
	mov %rsi, %rsp
	sysretl

/* kdone_entry: IDT vector VEC_DONE, interrupt gate, DPL 3.
 * Arrival: from a ring-3 loop (64-bit or compatibility mode) that
 * executed `int $VEC_DONE` with its TSC delta in EDX:EAX (both modes use
 * EDX:EAX so this stub does not need to know the mode). CPL 0,
 * CS = SEL_KCODE, RSP = TSS.RSP0 with [RIP, CS, RFLAGS, RSP, SS] pushed;
 * the frame is abandoned: the excursion is over. */
	.globl kdone_entry
kdone_entry:
	mov %cr3, %rsi          /* the tables ring 3 ended on (kpti: its twin) */
	mov %rsi, kpti_cr3_at_done(%rip)
	KERNEL_CR3 %rsi
	mov 16(%rsp), %rcx      /* the loop's RFLAGS: did its IF survive every round trip? */
	mov %rcx, kurun+URUN_RFLAGS(%rip)
	mov %eax, %eax          /* upper halves are undefined after compatibility mode */
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, kurun+URUN_RESULT(%rip)
	xor %eax, %eax          /* status 0: done */
	jmp kuser_resume

/* void kuser_done(uint64_t result, uint64_t rflags): the same for the
 * done event under FRED, which arrives at the one FRED entry like every
 * other event and is recognised by its type and vector (fred.c). */
	.globl kuser_done
kuser_done:
	mov %rsi, kurun+URUN_RFLAGS(%rip)
	mov %rdi, kurun+URUN_RESULT(%rip)
	xor %eax, %eax          /* status 0: done */
	jmp kuser_resume

/* void kuser_abort(uint32_t status): ends the excursion from anywhere in
 * ring 0 (trap_dispatch on a fault, a stray entry stub) by returning from
 * kuser_enter with `status`. Whatever stack we are on is dropped. */
	.globl kuser_abort
kuser_abort:
	mov %edi, %eax
kuser_resume:
	/* EAX = status. On the kernel's tables (a stray fast call arrives on
	 * the user tables under KPTI); back on the stack kuser_enter saved;
	 * restore a flat kernel SS (an interrupt from ring 3 loaded a null
	 * SS) and DS/ES. DF and AC clear: kuser_enter returns to C, which the
	 * ABI lets assume DF = 0 (a string instruction would run backwards),
	 * and SMAP holds only with AC = 0; ring 3 may have set both, and the
	 * done vector's interrupt gate and a stray SYSENTER clear neither
	 * (the fuzzer's `int 0x8f` with DF set left the kernel's rep stosq
	 * writing downwards over user data). */
	cld
	ASM_CLAC
	KERNEL_CR3 %rcx
	mov kurun+URUN_KERNEL_RSP(%rip), %rsp
	movq $0, kurun+URUN_ACTIVE(%rip)
	mov $SEL_KDATA, %ecx
	mov %ecx, %ss
	mov %ecx, %ds
	mov %ecx, %es
	cmpb $0, kfred_active(%rip)
	je 1f
	/* FRED: the frames just dropped may have raised the stack level
	 * (a #DF at level 3); ERETU would refuse to run above level 0 */
	push %rax               /* the status */
	call kfred_level0
	pop %rax
1:	POP_CALLEE_SAVED
	ret

/* kspurious_entry: the local APIC's spurious vector (VEC_APIC_SPURIOUS).
 * A spurious interrupt needs no EOI and means nothing: return to whatever
 * ran (ring 3 with IF = 1 is the only place one can be taken). */
	.globl kspurious_entry
kspurious_entry:
	iretq

/* ---- Stray fast-call entries ------------------------------------------------
 * LSTAR, CSTAR and SYSENTER_EIP point here whenever no path that uses them
 * is being run, so a ring-3 program that executes syscall/sysenter when
 * it should not ends its excursion with a status instead of running
 * whatever the MSR last held.
 * kstray_syscall (LSTAR) / kstray_syscall32 (CSTAR): CPL 0, CS = 0x08,
 * SS = 0x10, RCX = user RIP, R11 = user RFLAGS, RSP still the user's.
 * kstray_sysenter (SYSENTER_EIP): CPL 0, CS = 0x08, SS = 0x10,
 * RSP = SYSENTER_ESP. None of that state is needed: kuser_abort drops it. */
	.globl kstray_syscall, kstray_syscall32, kstray_sysenter
kstray_syscall:
	mov $0x200, %edi        /* KURUN_STRAY_SYSCALL */
	jmp kuser_abort
kstray_syscall32:
	mov $0x201, %edi        /* KURUN_STRAY_SYSCALL32 */
	jmp kuser_abort
kstray_sysenter:
	mov $0x202, %edi        /* KURUN_STRAY_SYSENTER */
	jmp kuser_abort

/* void kpti_flush_pcid(uint64_t user_cr3, uint64_t kernel_cr3): kpti-pcid
 * without INVPCID (mitig.c): one load of the user tables without the
 * no-flush bit drops the user PCID's TLB entries, then straight back.
 * Here because the instruction after the first write runs on the user
 * tables, which map only the trampoline; nothing else is touched in
 * between (the ret reads the stack on the kernel's tables again). */
	.globl kpti_flush_pcid
kpti_flush_pcid:
	mov %rdi, %cr3
	mov %rsi, %cr3
	ret

/* The page-table state a KPTI run leaves for the C side to check (kpti.c,
 * mitig.c), and the switches' parameters: per-CPU entry data, mapped in
 * the user tables because the trampoline reads them there. */
	.section .entry.data, "aw"
	.balign 8
	.globl kpti_user_bits, kpti_kernel_noflush, kpti_cr3_at_done, kpti_cr3_at_trap
kpti_user_bits:                 /* OR-ed into CR3 for ring 3: 0 (no KPTI), twin | user PCID | no-flush */
	.quad 0
kpti_kernel_noflush:            /* OR-ed into CR3 on a switch back: 0, or bit 63 with PCID */
	.quad 0
kpti_cr3_at_done:               /* CR3 ring 3 had when its loop ended (kdone_entry) */
	.quad 0
kpti_cr3_at_trap:               /* CR3 ring 3 had at its last trap into trap_common */
	.quad 0

	.text
/* ---- #GP-safe MSR access ---------------------------------------------------
 * int rdmsr_safe(uint32_t msr, uint64_t *val), int wrmsr_safe(msr, val):
 * 0 on success, -1 when the instruction raised #GP (MSR absent). The
 * faulting RIPs are listed in the fixup table (KFIXUP, regs.h);
 * trap_dispatch resumes at the paired fixup address. */
	.globl rdmsr_safe, wrmsr_safe
rdmsr_safe:
	mov %edi, %ecx
kfix_rdmsr:
	rdmsr
	shl $32, %rdx
	mov %eax, %eax
	or %rdx, %rax
	mov %rax, (%rsi)
	xor %eax, %eax
	ret
kfix_rdmsr_out:
	mov $-1, %eax
	ret

wrmsr_safe:
	mov %edi, %ecx
	mov %esi, %eax
	mov %rsi, %rdx
	shr $32, %rdx
kfix_wrmsr:
	wrmsr
	xor %eax, %eax
	ret
kfix_wrmsr_out:
	mov $-1, %eax
	ret

	KFIXUP kfix_rdmsr, kfix_rdmsr_out
	KFIXUP kfix_wrmsr, kfix_wrmsr_out

/* ---- Contained ring-0 probes -------------------------------------------------
 * uint32_t kprobe_run(void (*fn)(void *), void *arg): calls fn(arg) with a
 * net under it. A fault in ring 0 while the probe runs does not kill the
 * kernel: trap_dispatch records it in kprobe and calls kprobe_abort, which
 * returns from kprobe_run with KURUN_FAULT(vector) on the stack saved here.
 * 0 when fn returned. Used to show that a protection stops what it exists
 * to stop (protect.c) and by the self-test's kernel-bug cases. */
	.text
	.globl kprobe_run, kprobe_abort
kprobe_run:
	PUSH_CALLEE_SAVED
	mov %rsp, kprobe+KPROBE_RSP(%rip)
	movq $1, kprobe+KPROBE_ARMED(%rip)
	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
	xor %eax, %eax
kprobe_out:
	movq $0, kprobe+KPROBE_ARMED(%rip)
	POP_CALLEE_SAVED
	ret
/* void kprobe_abort(uint32_t status): from trap_dispatch; drops its stack */
kprobe_abort:
	mov kprobe+KPROBE_RSP(%rip), %rsp
	mov %edi, %eax
	jmp kprobe_out

/* ---- Stacks ------------------------------------------------------------------
 * kentry_stack: TSS.RSP0 and SYSENTER_ESP, the stack every entry from ring
 * 3 lands on (and the syscall stubs switch to by hand). The kernel's own C
 * code runs on boot_stack (boot.S), saved in kurun while ring 3 runs, so
 * an entry never overwrites live kernel state. IST stacks for #DF, NMI,
 * #MC and #DB: a fault on a broken stack is reported, not a triple fault,
 * and none of them ever pushes onto a stack ring 3 controls. They are
 * per-CPU entry data (.entry.bss): a KPTI user page table maps them. */
	.section .entry.bss, "aw", @nobits
	.balign 4096
	.globl kentry_stack, kentry_stack_top, kist_df_top, kist_nmi_top, kist_mc_top
	.globl kist_db_top, kist_stacks, kist_stacks_end
kentry_stack:
	.skip 16384
kentry_stack_top:
kist_stacks:
	.skip 8192
kist_df_top:
	.skip 8192
kist_nmi_top:
	.skip 8192
kist_mc_top:
	.skip 8192
kist_db_top:
kist_stacks_end:
