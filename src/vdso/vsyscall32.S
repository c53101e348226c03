/* kentry: __kernel_vsyscall, the 32-bit vDSO's system-call entry
 * (AT_SYSINFO). A 32-bit program calls it with the i386 ABI's registers
 * (EAX number, EBX ECX EDX ESI EDI EBP arguments) instead of executing
 * int $0x80 itself, so the kernel can choose the fastest entry the CPU
 * has: SYSENTER on Intel, SYSCALL on AMD (whose long mode has no
 * SYSENTER), int $0x80 otherwise. Linux's has the same shape; kentry's
 * kernel patches the 4-byte site below at boot, as Linux's alternatives
 * do (src/kernel/kvdso.c):
 *
 *   sysenter:  movl %esp, %ebp; sysenter   (89 e5 0f 34)
 *   syscall:   movl %ecx, %ebp; syscall    (89 cd 0f 05)
 *   int $0x80: four NOPs, then the int $0x80 below
 *
 * SYSENTER saves no return address and SYSCALL from 32-bit code loses
 * ECX, so both save ECX, EDX and EBP first and the kernel returns to the
 * landing pad (after the int $0x80) for either, with the user stack in
 * EBP (sysenter) or ESP (syscall) and the sixth argument in the EBP
 * pushed at [ESP]; the pad restores the three and returns. int $0x80
 * keeps every register but EAX and falls through to the same pad. */
	.text
	.code32
	.globl __kernel_vsyscall
	.type __kernel_vsyscall, @function
	.balign 32
__kernel_vsyscall:
	push %ecx
	push %edx
	push %ebp
	.globl __kentry_vsyscall_site
	.hidden __kentry_vsyscall_site
__kentry_vsyscall_site:
	.byte 0x90, 0x90, 0x90, 0x90    /* patched at boot (kvdso.c) */
	int $0x80
	.globl __kentry_landing_pad
	.hidden __kentry_landing_pad
__kentry_landing_pad:
	pop %ebp
	pop %edx
	pop %ecx
	ret
	.size __kernel_vsyscall, . - __kernel_vsyscall
	.section .note.GNU-stack, "", @progbits
