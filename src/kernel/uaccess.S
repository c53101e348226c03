/* kentry kernel: copies between a Linux process's memory and the kernel,
 * for system calls (linux_*.c through uaccess.h).
 *
 * What the caller can assume: the copy happens with SMAP lifted (stac)
 * for exactly the copy, and AC is clear again on every way out; a user
 * address outside [USER_MIN, limit) is refused before anything is touched
 * (-EFAULT), so no pointer a program passes can reach the kernel's image
 * below USER_MIN or the upper half; a page fault during the copy (an
 * unmapped or read-only page, a page the process has not faulted in and
 * that is not its memory) is recovered by the exception table: trap.c
 * resumes at the fixup with the registers as the fault left them, here
 * RCX = the bytes rep movsb had still to copy, and the call returns
 * -EFAULT. rep movsb is restartable: a fault leaves RSI, RDI and RCX at
 * the first byte not copied. DF is clear in the kernel (every entry
 * clears it).
 *
 * int kuser_read(void *dst, uint64_t usrc, uint64_t n, uint64_t limit)
 * int kuser_write(uint64_t udst, const void *src, uint64_t n, uint64_t limit)
 * Return 0 or -EFAULT (-14). */
#include "kpatch.h"
#include "harden.h"
#include "layout.h"
#include "regs.h"

#define EFAULT 14

/* RAX = the user address: refuse [addr, addr + n) unless it lies in
 * [USER_MIN, limit) (RDX = n, RCX = limit). A patch site of the
 * "uaccess" hardening step (harden_off=uaccess, tests only: the test
 * shows a program then reads kernel memory through write()). */
	.macro RANGE_CHECK_INSNS
	cmp $USER_MIN, %rax
	jb 9f
	add %rdx, %rax
	jc 9f
	cmp %rcx, %rax
	ja 9f
	.endm

	.macro ASM_STAC
	KPATCH_IF KF_SMAP, stac
	.endm

	.text
	.globl kuser_read, kuser_write
kuser_read:
	mov %rsi, %rax
	jmp 1f
kuser_write:
	mov %rdi, %rax
1:	KPATCH_IF KH_BIT_UACCESS, RANGE_CHECK_INSNS
	mov %rdx, %rcx
	ASM_STAC
2:	rep movsb
	ASM_CLAC
	xor %eax, %eax
	ret
3:	ASM_CLAC                        /* a fault in the copy: RCX bytes were left */
9:	mov $-EFAULT, %eax
	ret
	KFIXUP 2b, 3b
