/* kentry core: the checks a static ELF executable must pass before
 * kentry's kernel runs it. Built twice: hosted (kentry exec refuses a bad
 * file before booting anything) and freestanding (the kernel refuses it
 * again on its own: GRUB on real hardware hands it any file). One source,
 * so the two can never disagree.
 *
 * The image is untrusted bytes of length len: every field is checked
 * against len before it is used, and every address computation for
 * overflow. What passes is described in struct kelf; what fails gets a
 * one-line reason naming the problem (truncated, wrong machine, kernel-
 * range or overlapping segments, absurd sizes, not ELF, dynamically
 * linked). Freestanding-safe: no libc. */
#ifndef KENTRY_CORE_ELF_H
#define KENTRY_CORE_ELF_H

#include <stddef.h>
#include <stdint.h>

/* The user address range a program may occupy (the kernel's layout.h
 * repeats these as USER_MIN, MMAP_TOP64/32 and checks they agree): below
 * KELF_USER_MIN is the kernel image; from KELF_TOP up the mmap area, the
 * vDSO and the stack. Position-independent executables (ET_DYN without an
 * interpreter: static-pie) are placed at Linux's ELF_ET_DYN_BASE. */
#define KELF_USER_MIN   0x0000000000400000ull
#define KELF_TOP64      0x00007ffff7000000ull
#define KELF_TOP32      0x00000000f7000000ull
#define KELF_DYN_BASE64 0x0000555555554000ull
#define KELF_DYN_BASE32 0x0000000056555000ull
#define KELF_MAX_BYTES  (512ull << 20)  /* all segments together */
#define KELF_MAX_LOAD   16
#define KELF_MAX_PHDRS  128

struct kelf_seg {
	uint64_t vaddr, memsz;  /* load bias applied */
	uint64_t offset, filesz;
	uint32_t flags;         /* PF_X 1, PF_W 2, PF_R 4 */
};

struct kelf {
	int is64;               /* ELFCLASS64 + EM_X86_64, else ELFCLASS32 + EM_386 */
	int pie;                /* ET_DYN (static-pie) */
	uint64_t bias;          /* added to every address (ET_DYN) */
	uint64_t entry;         /* bias applied */
	uint64_t phoff;
	uint32_t phnum, phentsize;
	uint64_t phdr_vaddr;    /* the program headers in memory (AT_PHDR), 0 if not loaded */
	struct kelf_seg seg[KELF_MAX_LOAD];
	unsigned nseg;          /* PT_LOAD segments, in file order */
	uint64_t lo, hi;        /* the loaded extent, page-rounded */
	uint64_t bytes;         /* sum of the segments' page-rounded sizes */
	int exec_stack;         /* PT_GNU_STACK asks for an executable stack */
};

#define KELF_PF_X 1u
#define KELF_PF_W 2u
#define KELF_PF_R 4u

/* 0 when img[0..len) is a static x86-64 or i386 executable kentry's
 * kernel can run, filling *out; -1 with the reason in err otherwise. */
int kelf_check(const void *img, uint64_t len, struct kelf *out, char *err, size_t errlen);

#endif
