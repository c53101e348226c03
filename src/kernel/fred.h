/* kentry kernel: FRED (Flexible Return and Event Delivery), the FRED mode
 * of the kernel (fred.c; its stubs in stubs.S and full.S; docs/fred.md).
 * Included from C and from .S.
 *
 * With CR4.FRED = 1 the CPU delivers every event (exception, interrupt,
 * NMI, int n, int3, syscall, sysenter) the same way: no IDT, no TSS stack
 * switch, no IST, no SYSCALL/SYSENTER MSR target. It pushes one frame on
 * a stack chosen by stack level, clears RFLAGS, loads the kernel's CS and
 * SS and jumps to the one entry point of IA32_FRED_CONFIG (events from
 * ring 3) or 256 bytes above it (events in ring 0). ERETU returns to ring
 * 3, ERETS within ring 0. Software dispatches on the event's type and
 * vector, which the frame carries. */
#ifndef KENTRY_KERNEL_FRED_H
#define KENTRY_KERNEL_FRED_H

/* CPUID.(EAX=7,ECX=1):EAX[17] FRED, [18] LKGS: core/cpuinfo.c has_fred,
 * has_lkgs. CR4.FRED is bit 32: only a 64-bit write reaches it */
#define CR4_FRED_BIT     32

/* MSRs (Intel SDM, FRED chapter; Linux msr-index.h and Bochs msr.h agree) */
#define KMSR_FRED_RSP0    0x1cc
#define KMSR_FRED_RSP1    0x1cd
#define KMSR_FRED_RSP2    0x1ce
#define KMSR_FRED_RSP3    0x1cf
#define KMSR_FRED_STKLVLS 0x1d0
#define KMSR_FRED_SSP1    0x1d1
#define KMSR_FRED_SSP2    0x1d2
#define KMSR_FRED_SSP3    0x1d3
#define KMSR_FRED_CONFIG  0x1d4

/* IA32_FRED_CONFIG: bits 63:12 the entry point (page-aligned: events from
 * ring 3 go there, events in ring 0 to +256), bits 10:9 the stack level
 * of external interrupts taken in ring 0, bits 8:6 the red zone in
 * 64-byte lines (skipped below the interrupted RSP when an event in ring
 * 0 stays on its stack). The current stack level (CSL) is the CPU's:
 * event delivery raises it, only ERETS and ERETU lower it (ERETU needs
 * it at 0). */
#define FRED_CONFIG_REDZONE(lines) ((lines) << 6)
#define FRED_CONFIG_INTLVL(l)      ((l) << 9)
#define FRED_USER_ENTRY_OFF        0
#define FRED_KERNEL_ENTRY_OFF      256

/* Event types (the frame's SS slot, bits 51:48) */
#define FRED_EXTINT 0 /* external interrupt */
#define FRED_NMI    2
#define FRED_HWEXC  3 /* hardware exception */
#define FRED_SWINT  4 /* int n */
#define FRED_PRIVSW 5 /* int1 (icebp) */
#define FRED_SWEXC  6 /* int3, into */
#define FRED_OTHER  7 /* syscall (vector 1), sysenter (vector 2) */
#define FRED_VEC_SYSCALL  1
#define FRED_VEC_SYSENTER 2

/* An event's identity as the registry writes it (paths.def `where` of
 * the fred-* rows): type and vector. */
#define FRED_ID(type, vec) (((type) << 8) | (vec))
#define FRED_ID_TYPE(id)   (((id) >> 8) & 0xf)
#define FRED_ID_VEC(id)    ((id) & 0xff)
#define FRED_ID_NONE       0xffff /* serve nothing: every event is a trap */

/* The FRED stack frame, from RSP at the entry point (64 bytes, pushed at
 * a 64-byte aligned address): the error code (0 where the event has
 * none), then the return state ERETU/ERETS pop (RIP, CS, RFLAGS, RSP, SS,
 * 8 bytes each), the event data (CR2 for #PF, DR6 bits for #DB), 8 bytes
 * of zero. CS bits 17:16 hold the stack level the event interrupted; SS
 * bits 16, 17, 18 say STI blocking, a software-initiated event (syscall,
 * sysenter, int n: its pending single step is delivered after the
 * return) and NMI; SS bits 63:32 are the event information: vector
 * (39:32), type (51:48), 64-bit mode (57), nested exception (58),
 * instruction length (63:60). */
#define FRED_F_ERROR  0
#define FRED_F_RIP    8
#define FRED_F_CS     16
#define FRED_F_RFLAGS 24
#define FRED_F_RSP    32
#define FRED_F_SS     40
#define FRED_F_DATA   48
#define FRED_F_SIZE   64
/* The four bytes at SS + 3: SS bits 31:24 (zero), the vector, a reserved
 * zero byte, the type with 4 reserved zero bits above it. One 32-bit
 * compare there identifies an event by type and vector alone, whatever
 * its instruction length, mode and nesting bits (stubs.S FRED_MINIMAL). */
#define FRED_F_IDWORD (FRED_F_SS + 3)
#define FRED_IDWORD(type, vec) (((type) << 24) | ((vec) << 8))
#define FRED_SS_SWEVENT (1 << 17)
#define FRED_EI_64BIT   (1 << 25) /* in the event-information word (SS >> 32) */
#define FRED_EI_NESTED  (1 << 26)

/* The stack levels kentry gives the events that can arrive at any
 * instruction in ring 0 (Linux's choice: #DB 1, NMI and #MC 2, #DF 3);
 * events from ring 3 always go to level 0 (IA32_FRED_RSP0), except a #DF
 * or an exception nested in delivery. These replace the IST stacks. */
#define FRED_LVL_DB  1
#define FRED_LVL_NMI 2
#define FRED_LVL_MC  2
#define FRED_LVL_DF  3

#ifdef __ASSEMBLER__
/* binutils 2.40 (Debian 12) has no mnemonics for them (2.41 does) */
	.macro ERETU
	.byte 0xf3, 0x0f, 0x01, 0xca
	.endm
	.macro ERETS
	.byte 0xf2, 0x0f, 0x01, 0xca
	.endm
#else
#include <stdint.h>
#include "regs.h"

/* What the boot knows about FRED (fred.c). */
struct kfred_state {
	int cpu;          /* CPUID says FRED */
	int lkgs;         /* CPUID says LKGS */
	int usable;       /* the boot option asked for it and the CPU has it:
			   * the FRED paths run */
	char why[160];    /* why they do not, when !usable */
	uint64_t stklvls; /* what IA32_FRED_STKLVLS was set to */
};
extern struct kfred_state kfred;
/* 1 while CR4.FRED is set (a FRED path installed): kuser_enter (entry.S)
 * returns to ring 3 with ERETU then, as IRETQ would #GP. */
extern uint8_t kfred_active;
/* The one full entry page (full.S), its ring-0 entry (+256), its ERETU. */
void kf_fred_user(void), kf_fred_kernel(void);
extern char kfred_eretu[];

void kfred_init(void);       /* CPUID, the boot option, the MSRs */
void kfred_selfcheck(void);  /* TAP lines (only in FRED mode) */
void kfred_env(void);        /* env lines */
/* CR4.FRED on with the entry point `page` (page-aligned: its first byte
 * takes events from ring 3, +256 those in ring 0), serving the event
 * `id` (FRED_ID; FRED_ID_NONE: none; an exception's skip is kservice's);
 * CSL back to 0. */
void kfred_install(const void *page, unsigned id);
void kfred_uninstall(void);
/* ERETS back to the caller with the same RSP and stack level 0 (full.S):
 * the one way to lower the current stack level once the frames that
 * raised it were dropped (a #DF that ended a ring-3 run, a contained
 * ring-0 probe). CR4.FRED must be set. */
void kfred_level0(void);
unsigned kfred_type(const struct kregs *r);

/* The FRED user entry's frame made a struct kregs the dispatcher knows:
 * kind (and vector) from the event's type and vector (kfred_dispatch calls
 * it first). The event the installed path serves is one compare (its type
 * and vector, as the word at SS + 4 holds them, against kfred_serve_ei:
 * the kind was worked out at install); everything else goes to
 * kfred_classify_other, which does not return for ring 3's done event
 * (kuser_done) and for a syscall/sysenter no path serves (kuser_abort, a
 * stray entry). */
extern uint32_t kfred_serve_ei;
extern uint16_t kfred_serve_kind;
void kfred_classify_other(struct kregs *r);
#define FRED_EI_ID_MASK 0x000f00ffu /* type (19:16) and vector (7:0) */
static inline __attribute__((always_inline)) void kfred_classify(struct kregs *r)
{
	if (((uint32_t)(r->ss >> 32) & FRED_EI_ID_MASK) == kfred_serve_ei) {
		r->kind = kfred_serve_kind; /* r->vector is not read for these */
		return;
	}
	kfred_classify_other(r);
}
/* An event in ring 0 (kf_fred_kernel): never an entry, always a trap. */
void kfred_classify_kernel(struct kregs *r);
/* Self-test: point IA32_FRED_RSP0 at `rsp` (0: back to the entry stack). */
void kfred_set_rsp0(uint64_t rsp);
#endif

#endif
