/* kentry kernels: the first instructions after a Multiboot 1 loader, as
 * assembler macros shared by src/kernel/boot.S and src/kernel32/boot32.S
 * (both start in 32-bit protected mode: EAX = 0x2BADB002, EBX = the
 * Multiboot info, paging off, EFLAGS.IF = 0, ESP undefined). */
#ifndef KENTRY_KERNEL_MBENTRY_H
#define KENTRY_KERNEL_MBENTRY_H

	/* MB_ENTRY: interrupts and the direction flag off, the loader's EAX
	 * (magic) and EBX (info) kept in ESI and EBP across the .bss wipe,
	 * .bss zeroed (well-behaved loaders do it; GRUB, QEMU and
	 * hand-rolled loaders differ; no stack is in use yet), then the boot
	 * stack (boot_stack_top). */
	.macro MB_ENTRY
	cli
	cld
	mov %eax, %esi
	mov %ebx, %ebp
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl
	mov $boot_stack_top, %esp
	.endm

	/* MB_SAY: the NUL-terminated string at ESI to COM1, before anything
	 * is set up: no UART init (none is needed under QEMU; real UARTs
	 * keep the firmware's setting). Clobbers EAX, EDX, ESI. */
	.macro MB_SAY
.Lsay\@:
	lodsb
	test %al, %al
	jz .Lsaid\@
	mov $0x3f8, %dx
	outb %al, %dx
	jmp .Lsay\@
.Lsaid\@:
	.endm

#endif
