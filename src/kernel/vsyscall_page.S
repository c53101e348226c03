/* kentry kernel: the vsyscall page's contents (vsyscall.c maps it at
 * 0xffffffffff600000): at +0, +1024 and +2048 the x86-64 system call
 * gettimeofday (96), time (201) and getcpu (309), each `mov $nr, %rax;
 * syscall; ret`, the code Linux's native mode ran; int3 everywhere else,
 * so a jump into the middle traps. A page of its own: user space may
 * read (emulate) or run (native) all of it. */
	.section .rodata.vsyscall, "a"
	.balign 4096
	.globl kvsyscall_page
kvsyscall_page:
	.macro VCALL nr, at
	.fill (\at) - (. - kvsyscall_page), 1, 0xcc
	mov $\nr, %rax
	syscall
	ret
	.endm
	VCALL 96, 0
	VCALL 201, 1024
	VCALL 309, 2048
	.fill 4096 - (. - kvsyscall_page), 1, 0xcc
