/* kentry kernel: the vDSO images (src/vdso/, built by vdso.mk), each on
 * pages of its own (user space maps and may read all of them). */
	.section .rodata.vdso, "a"
	.balign 4096
	.globl kvdso64_image, kvdso64_end, kvdso32_image, kvdso32_end
kvdso64_image:
	.incbin VDSO64_SO
kvdso64_end:
	.balign 4096
kvdso32_image:
	.incbin VDSO32_SO
kvdso32_end:
	.balign 4096
