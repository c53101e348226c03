/* kentry: the timed loops of the 32-bit (compatibility-mode) Linux paths,
 * assembled into the 32-bit helper (-m32).
 *
 * Same contract as ../loops64.S: uint64_t f(void *ctx, uint32_t n) (cdecl,
 * result in EDX:EAX); <name>_op runs n x (setup; entry), <name>_empty runs
 * n x (setup). Timer: LFENCE; RDTSC; LFENCE at both ends.
 *
 * Registers in the loop: EDI = ctx, ESI = counter (both preserved by every
 * 32-bit entry and by cdecl callees), start TSC at 0(%esp)/4(%esp). The
 * stack is 16-byte aligned at each call (i386 psABI as gcc assumes it).
 *
 * struct kl32_ctx: 0 fn, 4 nr, 8 a0, 12 a1 (all 32-bit).
 *
 * 32-bit system call ABI: number in EAX, arguments in EBX, ECX, EDX, ESI,
 * EDI, EBP; result in EAX; every other register preserved. */

#define CTX_FN 0
#define CTX_NR 4
#define CTX_A0 8
#define CTX_A1 12

#define PROLOGUE push %ebp; push %ebx; push %esi; push %edi; sub $12, %esp; \
	mov 32(%esp), %edi; mov 36(%esp), %esi
#define EPILOGUE add $12, %esp; pop %edi; pop %esi; pop %ebx; pop %ebp; ret
#define TSC_START lfence; rdtsc; lfence; mov %eax, 0(%esp); mov %edx, 4(%esp)
#define TSC_END lfence; rdtsc; lfence; sub 0(%esp), %eax; sbb 4(%esp), %edx

/* Loop alignment: as in ../loops64.S, every back edge (`dec; jnz`) ends at
 * offset KL_BACK_AT of a 64-byte line in the op loop and its empty twin,
 * padded before the function entry (never executed), and is exported as
 * <fn>_back. */
#define KL_BACK_AT 63

#define FUNC(fn, setup, entry)                                               \
	.p2align 6; .skip (KL_BACK_AT - (fn##_back - fn)) & 63, 0xcc;          \
	.globl fn; .type fn, @function; fn: PROLOGUE; TSC_START;              \
	test %esi, %esi; jz 2f; 1: setup; entry; dec %esi; jnz 1b;            \
	.globl fn##_back; fn##_back: 2: TSC_END; EPILOGUE; .size fn, . - fn

#define NOTHING
#define BATCH(name, tag) \
	FUNC(name##_op, SETUP_##tag, ENTRY_##tag); FUNC(name##_empty, SETUP_##tag, NOTHING)

#define SETUP_SYS mov CTX_NR(%edi), %eax; mov CTX_A0(%edi), %ebx; \
	mov CTX_A1(%edi), %ecx

	.text

/* int $0x80 from 32-bit code: interrupt gate to entry_INT80_compat; return
 * by IRET (or SYSRETL/SYSEXIT when Linux can prove it safe). */
#define SETUP_INT80 SETUP_SYS
#define ENTRY_INT80 int $0x80
BATCH(kl32_int80, INT80)

/* A call to __kernel_vsyscall (AT_SYSINFO), the entry 32-bit glibc uses:
 * it pushes ECX, EDX, EBP and enters with SYSENTER (Intel), SYSCALL (AMD)
 * or int $0x80, as patched by the kernel's alternatives at boot. */
#define SETUP_KVSYS SETUP_SYS
#define ENTRY_KVSYS call *CTX_FN(%edi)
BATCH(kl32_kvsys, KVSYS)

/* Raw SYSENTER. The CPU loads CS/SS from IA32_SYSENTER_CS, ESP from
 * SYSENTER_ESP, EIP from SYSENTER_EIP, and saves *nothing*: no return
 * address, no user stack pointer. Linux's convention (the only one it
 * supports, fixed by __kernel_vsyscall) is therefore: the user pushes ECX,
 * EDX, EBP, copies ESP into EBP, and executes SYSENTER; the kernel takes the
 * user ESP from EBP, reads the sixth argument (the real EBP) from [ESP], and
 * returns -- with SYSRETL or SYSEXIT -- not after the sysenter but at the
 * vDSO's int80_landing_pad, which does `pop %ebp; pop %edx; pop %ecx; ret`.
 * So the three pushes must sit just above a return address: we `call` a
 * thunk that pushes them, and the landing pad's `ret` comes back to the
 * loop, matched with the call like glibc's own calls. On AMD CPUs SYSENTER
 * is #UD in long mode, compatibility mode included: SIGILL. */
#define SETUP_SYSENTER SETUP_SYS
#define ENTRY_SYSENTER call kl32_sysenter_thunk
BATCH(kl32_sysenter, SYSENTER)

/* Raw SYSCALL from compatibility mode. The CPU puts the return EIP in ECX
 * (so the second argument travels in EBP), loads CS/SS from STAR, EIP from
 * CSTAR, and keeps the user ESP. entry_SYSCALL_compat takes ECX's argument
 * from EBP and the sixth from [ESP]; like SYSENTER it returns (SYSRETL) at
 * int80_landing_pad, not after our instruction. Same thunk trick. On Intel
 * CPUs SYSCALL outside 64-bit mode is #UD: SIGILL. */
#define SETUP_SYSCALL32 SETUP_SYS
#define ENTRY_SYSCALL32 call kl32_syscall_thunk
BATCH(kl32_syscall, SYSCALL32)

/* A cdecl call into the 32-bit vDSO: fn(a0, a1). The pushes are part of
 * the call, as in any 32-bit caller. */
#define SETUP_CALL mov CTX_A0(%edi), %eax; mov CTX_A1(%edi), %edx
#define ENTRY_CALL sub $8, %esp; push %edx; push %eax; call *CTX_FN(%edi); add $16, %esp
BATCH(kl32_call, CALL)

	.p2align 4
	.globl kl32_sysenter_thunk, kl32_syscall_thunk
	.type kl32_sysenter_thunk, @function
kl32_sysenter_thunk:
	push %ecx
	push %edx
	push %ebp
	mov %esp, %ebp
	sysenter
	/* Never reached: Linux resumes at the vDSO landing pad. A trap here
	 * (SIGTRAP) would tell a changed ABI apart from a #UD (SIGILL). */
	int3
	.size kl32_sysenter_thunk, . - kl32_sysenter_thunk

	.p2align 4
	.type kl32_syscall_thunk, @function
kl32_syscall_thunk:
	push %ecx
	push %edx
	push %ebp
	mov %ecx, %ebp
	syscall
	int3
	.size kl32_syscall_thunk, . - kl32_syscall_thunk

	.section .note.GNU-stack, "", @progbits
