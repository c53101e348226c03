/* kentry kernel: the dispatcher's personalities and observation
 * (dispatch.c, observe.c). */
#ifndef KENTRY_KERNEL_DISPATCH_H
#define KENTRY_KERNEL_DISPATCH_H

#include "regs.h"

#define KPOISON 0x6b65726e656c2121 /* "kernel!!": what the handlers leave in registers */
#define KOBS_RFLAGS 0
#define KOBS_REGS   8   /* rax rbx rcx rdx rsi rbp r8 r9 r10 r11 r12 r13 r14 r15 */
#define KOBS_RSP    120

#ifndef __ASSEMBLER__
#include <stdint.h>

/* What the dispatcher does for an entry from ring 3 (one personality at a
 * time; paths.c, selftest.c and fuzz.c set it before running ring 3). */
struct kservice {
	uint64_t skip;                  /* exc-* paths: bytes to skip (measurement) */
	void (*serve)(struct kregs *r); /* NULL: the measurement's null service */
};
extern struct kservice kservice;
extern int kexit_sysexit_ud;

/* The exit decision alone (observed variant: honours harden_off=exit_*). */
uint64_t kexit_decide(const struct kregs *r);

/* The observing wrapper's record of the state at the C boundary (full.S
 * kentry_observe writes the first fields by offset, KOBS_*). */
struct kobs {
	uint64_t rflags;   /* RFLAGS when C was called */
	uint64_t regs[14]; /* the registers C was called with (all must be 0) */
	uint64_t rsp;
	/* kept by observe.c */
	uint64_t entries[KK_COUNT], fast[KK_COUNT], iret[KK_COUNT];
	uint64_t violations;
	char first[200];   /* the first violation, in words */
};
extern struct kobs kobs;

void kobserve_entry(struct kregs *r);
void kobserve_exit(struct kregs *r, uint64_t decision);
void kobserve_reset(void);
const char *kentry_kind_name(unsigned kind);
#endif

#endif
