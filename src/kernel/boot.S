/* kentry kernel: Multiboot 1 entry, 32-bit protected mode -> long mode.
 *
 * The loader (QEMU -kernel, GRUB `multiboot`) loads the ELF32 image at its
 * physical addresses and jumps to _start with (Multiboot spec 3.2):
 *   EAX = 0x2BADB002, EBX = physical address of the multiboot info,
 *   CS = flat 32-bit code, DS/ES/SS = flat data, CR0.PE = 1, CR0.PG = 0,
 *   EFLAGS.IF = 0, ESP undefined, GDTR/IDTR undefined (must not be used).
 * We need: a stack, zeroed .bss, PAE page tables identity-mapping 1 GiB,
 * CR4.PAE, EFER.LME, CR0.PG, then a far jump through a 64-bit code
 * descriptor. SSE is enabled here too because the C code uses doubles.
 * The C code (arch.c) later installs the real GDT/IDT/TSS and page tables. */
#include "layout.h"
#include "mbentry.h"

#define MB_MAGIC 0x1BADB002
#define NEED_EDX1 ((1 << 4) | (1 << 6) | (1 << 24) | (1 << 25) | (1 << 26))
/* Bit 2: video mode information wanted (Multiboot 1, 3.1.2): the loader
 * fills the info's framebuffer fields (flags bit 12), which the screen
 * uses (screen.c). The preference below is EGA text, 80 x 25: GRUB keeps
 * VGA text mode under BIOS and, where there is none (UEFI), sets a
 * graphics mode and hands over its framebuffer instead. (GRUB's
 * `multiboot` command sets gfxpayload from these fields, overriding any
 * earlier setting.) The command line comes without asking. */
#define MB_FLAGS 0x00000004

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long 0, 0, 0, 0, 0         /* address fields: unused (flags bit 16 clear) */
	.long 1                     /* mode_type 1: EGA text */
	.long 80, 25, 0             /* columns, rows; depth 0 (text) */

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	MB_ENTRY                    /* magic in ESI, info in EBP, .bss zeroed, a stack */
	mov %esi, mb_magic
	mov %ebp, mb_info

	/* What the kernel needs before it can run C, probed rather than
	 * assumed (any hypervisor may hide a feature from a guest model):
	 * CPUID.1:EDX TSC (4), PAE (6), FXSR (24), SSE (25), SSE2 (26) for
	 * rdtsc, the page tables, and the doubles and lfence of the C code
	 * (AMD64 makes SSE2 architectural, but a -cpu model can still mask
	 * it); then long mode, CPUID 0x80000001 EDX[29]. Without one, a line
	 * on COM1 (no init needed under QEMU; real UARTs keep the firmware's
	 * setting) and a halt. (The EFLAGS.ID test for CPUID itself is left
	 * out: a Multiboot loader only runs on CPUs that have it.) */
	xor %eax, %eax
	cpuid
	test %eax, %eax
	jz no_features
	mov $1, %eax
	cpuid
	and $NEED_EDX1, %edx
	cmp $NEED_EDX1, %edx
	jne no_features
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode

	/* Boot page tables: PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = 2 MiB
	 * page i (P | W | PS), 0..1 GiB. Supervisor only; vm.c replaces them. */
	mov $boot_pdpt, %eax
	or $0x3, %eax
	mov %eax, boot_pml4
	mov $boot_pd, %eax
	or $0x3, %eax
	mov %eax, boot_pdpt
	mov $boot_pd, %edi
	mov $0x83, %eax             /* P | W | PS */
	mov $512, %ecx
1:	mov %eax, (%edi)
	movl $0, 4(%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 1b

	/* CR4: PAE (5), OSFXSR (9), OSXMMEXCPT (10). */
	mov %cr4, %eax
	or $((1 << 5) | (1 << 9) | (1 << 10)), %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	/* EFER.LME */
	mov $0xC0000080, %ecx
	rdmsr
	or $(1 << 8), %eax
	wrmsr
	/* CR0: PG (31), WP (16), MP (1) set; EM (2), TS (3) clear: SSE usable. */
	mov %cr0, %eax
	or $((1 << 31) | (1 << 16) | (1 << 1)), %eax
	and $~((1 << 2) | (1 << 3)), %eax
	mov %eax, %cr0
	/* Now in IA-32e compatibility mode (LMA = 1) with the loader's CS.
	 * Load a GDT with a 64-bit code descriptor and jump through it. */
	lgdt boot_gdtr
	ljmp $SEL_KCODE, $long_entry

no_features:
	mov $msg_nofeat, %esi
	jmp 2f
no_long_mode:
	mov $msg_nolm, %esi
2:	MB_SAY
3:	cli
	hlt
	jmp 3b

	.code64
long_entry:
	/* 64-bit mode, CPL 0, CS = 0x08 (boot GDT). Data selectors still hold
	 * the loader's values; in 64-bit mode only SS matters, give it a flat
	 * data descriptor and clear the others. */
	mov $SEL_KDATA, %ax
	mov %ax, %ss
	mov %ax, %ds
	mov %ax, %es
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp   /* 16-byte aligned: the call pushes 8 */
	xor %ebp, %ebp
	mov mb_magic(%rip), %edi
	mov mb_info(%rip), %esi
	call kmain
4:	cli
	hlt
	jmp 4b

	.section .rodata
msg_nolm:
	.asciz "kentry-kernel: this CPU has no long mode (CPUID 0x80000001 EDX[29] = 0)\n"
msg_nofeat:
	.asciz "kentry-kernel: this CPU lacks TSC, PAE, FXSR, SSE or SSE2 (CPUID.1:EDX bits 4, 6, 24, 25, 26)\n"

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9b000000ffff    /* 0x08: 64-bit code, DPL 0 (= kdesc_code64(0)) */
	.quad 0x00cf93000000ffff    /* 0x10: data, DPL 0 (= kdesc_data(0)) */
boot_gdt_end:
boot_gdtr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.data
	.globl mb_magic, mb_info
mb_magic:	.long 0
mb_info:	.long 0

	.bss
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4096
	.balign 16
	.globl boot_stack_top
boot_stack:	.skip 65536
boot_stack_top:
