/* kentry: the timed loops of the 64-bit Linux paths.
 *
 * Every path has two batch functions with the C type kbatch_fn
 * (core/measure.h):   uint64_t f(void *ctx, uint32_t n)
 *   <name>_op      n iterations of: register setup, then the entry
 *   <name>_empty   the same loop, same setup, without the entry
 * so that the calibrated cost of `_empty` (timer + loop + setup) is all that
 * measure.c subtracts. They are written in assembly so that the compiler can
 * neither hoist nor drop anything, and so that the loop a reader sees in
 * `objdump -d build/kentry` is exactly the loop that was timed.
 *
 * Timer: LFENCE; RDTSC; LFENCE at both ends (core/tsc.h explains why).
 *
 * Register use inside the loop (all callee-saved, so they survive both the
 * kernel entries and the called vDSO/vsyscall/libc functions):
 *   r13 = ctx (struct kl_ctx, paths.h), r14 = start TSC, r15d = counter,
 *   rbx = argument register of int $0x80 and the faulting pointer.
 * The stack is 16-byte aligned at every `call` (SysV ABI), and being our own
 * frame there is no red zone below it for a call or a signal frame to hit.
 *
 * struct kl_ctx: 0 fn, 8 nr, 16 a0, 24 a1, 32 a2 (all 64-bit). */

#define CTX_FN 0
#define CTX_NR 8
#define CTX_A0 16
#define CTX_A1 24
#define CTX_A2 32

#define PROLOGUE push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15; \
	sub $8, %rsp; mov %rdi, %r13; mov %esi, %r15d
#define EPILOGUE add $8, %rsp; pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; \
	pop %rbx; ret
#define TSC_START lfence; rdtsc; lfence; shl $32, %rdx; or %rdx, %rax; mov %rax, %r14
#define TSC_END lfence; rdtsc; lfence; shl $32, %rdx; or %rdx, %rax; sub %r14, %rax

/* Loop alignment. The back edge of every loop (`dec; jnz`, which the CPU
 * fuses into one branch) ends at the same offset, KL_BACK_AT, within a
 * 64-byte cache line, in the op loop and in its empty twin alike, so that
 * both meet the same fetch, decode and branch-prediction boundaries. The
 * offset keeps the pair from crossing or ending on a 32-byte boundary (on
 * CPUs with the Skylake JCC erratum such a branch falls out of the decoded
 * uop cache and costs more) and leaves room for the loop body before it in
 * the same 32-byte half line (every body here is under 32 bytes).
 * The alignment is bought with padding *before* the function's entry
 * (int3 bytes, never executed; gas sizes them once the code after them is
 * laid out), so neither loop executes an extra instruction for it. Each
 * back edge is exported as <fn>_back, the address right after the jnz;
 * tests/integration/loop_alignment.sh checks both rules on the built code. */
#define KL_BACK_AT 63

#define FUNC(fn, setup, entry)                                               \
	.p2align 6; .skip (KL_BACK_AT - (fn##_back - fn)) & 63, 0xcc;          \
	.globl fn; .type fn, @function; fn: PROLOGUE; TSC_START;              \
	test %r15d, %r15d; jz 2f; 1: setup; entry; dec %r15d; jnz 1b;         \
	.globl fn##_back; fn##_back: 2: TSC_END; EPILOGUE; .size fn, . - fn

/* The setup and entry are named by a tag (SETUP_<tag>, ENTRY_<tag>) so that
 * their commas reach FUNC as single, unsplit arguments. */
#define NOTHING
#define BATCH(name, tag) \
	FUNC(name##_op, SETUP_##tag, ENTRY_##tag); FUNC(name##_empty, SETUP_##tag, NOTHING)

	.text

/* syscall from 64-bit mode. The CPU saves RIP in RCX and RFLAGS in R11,
 * loads CS/SS from STAR, RIP from LSTAR, masks RFLAGS with FMASK, and stays
 * on the user stack (entry_SYSCALL_64 switches it). Linux returns with
 * SYSRET when it can (canonical RCX, R11 == RFLAGS...), else IRET; either
 * way RAX holds the result, RCX and R11 are clobbered, every other GPR is
 * preserved. Arguments: rdi, rsi, rdx, r10, r8, r9. */
#define SETUP_SYSCALL mov CTX_NR(%r13), %rax; mov CTX_A0(%r13), %rdi; \
	mov CTX_A1(%r13), %rsi
#define ENTRY_SYSCALL syscall
BATCH(kl_syscall, SYSCALL)

/* int $0x80 from 64-bit mode: an interrupt gate (DPL 3) to entry_INT80_compat,
 * since Linux 6.7 asm_int80_emulation (which also reads the APIC ISR to
 * reject a forged external vector 0x80: a VM exit in most guests).
 * The CPU pushes SS, RSP, RFLAGS, CS, RIP on the kernel stack (from TSS.RSP0)
 * and Linux runs the *32-bit* system call table: number in EAX, arguments in
 * EBX, ECX, EDX, ESI, EDI, EBP, of which only the low 32 bits are used (a
 * pointer above 4 GiB cannot be passed). Return by IRET; RAX holds the
 * result; since Linux 4.17 R8-R11 are preserved too (they were zeroed
 * before), every other register is preserved. */
#define SETUP_INT80 mov CTX_NR(%r13), %rax; mov CTX_A0(%r13), %rbx; \
	mov CTX_A1(%r13), %rcx
#define ENTRY_INT80 int $0x80
BATCH(kl_int80, INT80)

/* A call to a function: the vDSO, the vsyscall page, libc's syscall(3).
 * Three arguments from the context, AL = 0 (no vector registers for a
 * variadic callee). The callee may clobber every caller-saved register. */
#define SETUP_CALL mov CTX_A0(%r13), %rdi; mov CTX_A1(%r13), %rsi; \
	mov CTX_A2(%r13), %rdx; xor %eax, %eax
#define ENTRY_CALL call *CTX_FN(%r13)
BATCH(kl_call, CALL)

/* Exceptions delivered as signals. Each entry instruction carries a global
 * label so that the handler (paths_signal.c) recognises its own fault and
 * knows exactly where to resume; any other fault is not touched.
 *
 * ud2: #UD, a fault: the saved RIP points at the ud2 (2 bytes). Linux
 * delivers SIGILL (ILL_ILLOPN); the handler sets RIP past it. */
#define ENTRY_UD2 .globl kl_ud2_site; kl_ud2_site: ud2
#define SETUP_UD2
BATCH(kl_ud2, UD2)

/* int3: #BP, a trap: the saved RIP already points after the 1-byte 0xCC.
 * Linux delivers SIGTRAP (SI_KERNEL); the handler has nothing to change. */
#define ENTRY_INT3 .globl kl_int3_site; kl_int3_site: int3
#define SETUP_INT3
BATCH(kl_int3, INT3)

/* A load from a PROT_NONE page: #PF, a fault: the saved RIP points at the
 * load. Linux finds a VMA without read permission and delivers SIGSEGV
 * (SEGV_ACCERR); the handler moves RIP to kl_pf_resume. */
#define SETUP_PF mov CTX_A0(%r13), %rbx
#define ENTRY_PF .globl kl_pf_site; kl_pf_site: mov (%rbx), %eax; \
	.globl kl_pf_resume; kl_pf_resume:
BATCH(kl_pf, PF)

/* Syscall User Dispatch: the only code from which a system call is always
 * executed, whatever the selector byte says. Linux compares the RIP *after*
 * the syscall instruction with [start, start + len), so the region extends
 * past the instruction. The SIGSYS handler returns here (SA_RESTORER), and
 * rt_sigreturn is then allowed although the selector says BLOCK. */
	.p2align 4
	.globl kl_sud_region_start, kl_sud_region_end, kl_sud_restorer
kl_sud_region_start:
kl_sud_restorer:
	mov $15, %eax /* __NR_rt_sigreturn */
	syscall
	ud2
kl_sud_region_end:

	.section .note.GNU-stack, "", @progbits
