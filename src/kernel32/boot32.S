/* kentry legacy kernel: Multiboot 1 entry. The kernel stays in 32-bit
 * protected mode: no long mode, no PAE.
 *
 * The loader (QEMU -kernel, GRUB `multiboot`) loads the ELF32 image at its
 * physical addresses and jumps to _start with (Multiboot spec 3.2):
 *   EAX = 0x2BADB002, EBX = physical address of the multiboot info,
 *   CS = flat 32-bit code, DS/ES/SS = flat data, CR0.PE = 1, CR0.PG = 0,
 *   EFLAGS.IF = 0 (and VM = 0), ESP undefined, GDTR/IDTR undefined.
 * Here: a stack, zeroed .bss, the CPU features the kernel cannot do
 * without (checked, else a line on COM1 and a halt), SSE on (the
 * statistics use doubles, the timer LFENCE), then kmain32(magic, info).
 * The C code installs the GDT/IDT/TSSes (arch32.c) and turns paging on
 * (vm32.c). */
#include "layout32.h"
#include "mbentry.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000000

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	MB_ENTRY                    /* magic in ESI, info in EBP, .bss zeroed, a stack */

	/* CPUID.1:EDX: FPU (0), TSC (4), PSE (3, the 4 MiB kernel pages),
	 * SSE (25) and SSE2 (26: LFENCE orders the TSC reads, doubles in
	 * SSE registers). Every model kentry runs (QEMU, Bochs, any CPU
	 * since the Pentium 4) has them; say so and halt otherwise. CPUID
	 * itself is assumed (every CPU since the late 486s). */
	mov $1, %eax
	cpuid
	and $((1 << 0) | (1 << 3) | (1 << 4) | (1 << 25) | (1 << 26)), %edx
	cmp $((1 << 0) | (1 << 3) | (1 << 4) | (1 << 25) | (1 << 26)), %edx
	jne no_features

	/* CR4: OSFXSR (9), OSXMMEXCPT (10). CR0: MP (1) set, EM (2) and
	 * TS (3) clear, NE (5) set: x87/SSE usable, errors as exceptions;
	 * CD (30) and NW (29) clear: caches on. Firmware normally leaves them
	 * so; Bochs's BIOS does not (CR0 0x60000010 at reset), and a CPU
	 * with caches off would time something else than the entry paths. */
	mov %cr4, %eax
	or $((1 << 9) | (1 << 10)), %eax
	mov %eax, %cr4
	mov %cr0, %eax
	or $((1 << 1) | (1 << 5)), %eax
	and $~((1 << 2) | (1 << 3) | (1 << 29) | (1 << 30)), %eax
	mov %eax, %cr0
	fninit

	push %ebp                   /* info */
	push %esi                   /* magic */
	call kmain32
1:	cli
	hlt
	jmp 1b

no_features:
	mov $msg_features, %esi
	MB_SAY
	mov $0x11, %al              /* isa-debug-exit: fail (QEMU exits 35); nothing on hardware */
	mov $0xf4, %dx
	outb %al, %dx
4:	cli
	hlt
	jmp 4b

	.section .rodata
msg_features:
	.asciz "kentry-kernel: this CPU lacks FPU, TSC, PSE, SSE or SSE2 (CPUID.1:EDX bits 0, 4, 3, 25, 26; the legacy 32-bit kernel)\n"

	.bss
	.balign 16
	.globl boot_stack_top
boot_stack:	.skip 65536
boot_stack_top:
