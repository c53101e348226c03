/* kentry kernel: the fuzzer's ring-3 prologues (section .user.text).
 *
 * Each sequence starts here (kuser_enter), loads the state the fuzzer
 * chose from fz_blk (fuzz.h): segment selectors (which may fault: that is
 * an outcome too), RFLAGS, every general register, RSP, then jumps to the
 * random code on the fuzz page. Memory operands use RIP-relative (64-bit)
 * or SS-relative (32-bit: DS is loaded last) addressing so that a hostile
 * selector cannot stop the prologue before it is meant to. */
#include "layout.h"
#include "fuzz.h"

	.section .user.text, "ax"
	.code64
	.balign 16
	.globl fz_prologue64
fz_prologue64:
	mov fz_blk+FZ_ES(%rip), %es
	mov fz_blk+FZ_FS(%rip), %fs
	mov fz_blk+FZ_GS(%rip), %gs
	mov fz_blk+FZ_DS(%rip), %ds
	pushq fz_blk+FZ_FLAGS(%rip)
	popfq
	mov fz_blk+FZ_REGS+0(%rip), %rax
	mov fz_blk+FZ_REGS+8(%rip), %rbx
	mov fz_blk+FZ_REGS+16(%rip), %rcx
	mov fz_blk+FZ_REGS+24(%rip), %rdx
	mov fz_blk+FZ_REGS+32(%rip), %rsi
	mov fz_blk+FZ_REGS+40(%rip), %rdi
	mov fz_blk+FZ_REGS+48(%rip), %rbp
	mov fz_blk+FZ_REGS+56(%rip), %r8
	mov fz_blk+FZ_REGS+64(%rip), %r9
	mov fz_blk+FZ_REGS+72(%rip), %r10
	mov fz_blk+FZ_REGS+80(%rip), %r11
	mov fz_blk+FZ_REGS+88(%rip), %r12
	mov fz_blk+FZ_REGS+96(%rip), %r13
	mov fz_blk+FZ_REGS+104(%rip), %r14
	mov fz_blk+FZ_REGS+112(%rip), %r15
	mov fz_blk+FZ_RSP(%rip), %rsp
	jmp *fz_blk+FZ_TARGET(%rip)

	.code32
	.balign 16
	.globl fz_prologue32
fz_prologue32:
	mov %ss:fz_blk+FZ_ES, %es
	mov %ss:fz_blk+FZ_FS, %fs
	mov %ss:fz_blk+FZ_GS, %gs
	pushl %ss:fz_blk+FZ_FLAGS
	popfl
	mov %ss:fz_blk+FZ_REGS+0, %eax
	mov %ss:fz_blk+FZ_REGS+8, %ebx
	mov %ss:fz_blk+FZ_REGS+16, %ecx
	mov %ss:fz_blk+FZ_REGS+24, %edx
	mov %ss:fz_blk+FZ_REGS+32, %esi
	mov %ss:fz_blk+FZ_REGS+40, %edi
	mov %ss:fz_blk+FZ_REGS+48, %ebp
	mov %ss:fz_blk+FZ_DS, %ds
	mov %ss:fz_blk+FZ_RSP, %esp
	jmp *%ss:fz_blk+FZ_TARGET
	.code64

	.section .user.data, "aw"
	.balign 4096
	.globl fz_blk
fz_blk:
	.skip FZ_SIZE
