/* kentry kernel: the fuzzer (fuzz.c, fuzz_progs.S). Included from C and .S. */
#ifndef KENTRY_KERNEL_FUZZ_H
#define KENTRY_KERNEL_FUZZ_H

/* The block the ring-3 prologues load their state from (fz_blk, .user.data) */
#define FZ_REGS   0    /* 15 registers, rax rbx rcx rdx rsi rdi rbp r8..r15 */
#define FZ_RSP    120
#define FZ_FLAGS  128
#define FZ_DS     136  /* 16-bit selectors */
#define FZ_ES     138
#define FZ_FS     140
#define FZ_GS     142
#define FZ_TARGET 144  /* where the random code starts (m32 for 32-bit code) */
#define FZ_FAR    160  /* four m16:32 far pointers, 8 bytes apart */
#define FZ_SCRATCH 256 /* scratch memory for random memory operands */
#define FZ_SIZE   4096

#ifndef __ASSEMBLER__
void fuzz_run(void); /* boot options fuzz=N seed=S [replay=K] */
#endif

#endif
