/* kentry kernel: the hardening steps, each switchable off one at a time by
 * the boot option harden_off=<name>[,<name>...]. The option exists for
 * tests only: tests/integration/boot_harden.sh switches each step off and
 * shows that the hostile case it protects against then fails. A normal
 * boot has every step on (where the CPU offers it). Included from C and
 * from .S (the bit numbers are kpatch features 0..31, kpatch.h). */
#ifndef KENTRY_KERNEL_HARDEN_H
#define KENTRY_KERNEL_HARDEN_H

#define KH_BIT_NX         0  /* EFER.NXE and NX on every page that is not code */
#define KH_BIT_WX         1  /* kernel text mapped read-only (W^X) */
#define KH_BIT_NULLPAGE   2  /* page 0 unmapped */
#define KH_BIT_SMEP       3  /* CR4.SMEP */
#define KH_BIT_SMAP       4  /* CR4.SMAP */
#define KH_BIT_UMIP       5  /* CR4.UMIP */
#define KH_BIT_IST_DB     6  /* #DB on its own IST stack */
#define KH_BIT_IST_NMI    7  /* NMI on its own IST stack */
#define KH_BIT_IST_DF     8  /* #DF on its own IST stack */
#define KH_BIT_IST_MC     9  /* #MC on its own IST stack */
#define KH_BIT_STACK      10 /* syscall entries switch to the kernel stack before any push */
#define KH_BIT_FLAGS      11 /* entries clear TF, NT, AC, DF the mechanism leaves set */
#define KH_BIT_CLEAR_REGS 12 /* user registers cleared before any C runs */
#define KH_BIT_EXIT_CANON 13 /* fast exit only to a canonical RIP (RSP) */
#define KH_BIT_EXIT_REGS  14 /* fast exit only when the registers it clobbers match the frame */
#define KH_BIT_EXIT_FLAGS 15 /* fast exit only when RFLAGS has no TF or RF */
#define KH_BIT_SYSRET_SS  16 /* AMD: a usable SS before SYSRET (Linux's SYSRET_SS_ATTRS) */
#define KH_BIT_FRED_STKLVL 17 /* FRED: #DB, NMI, #MC, #DF in ring 0 on stacks of their own levels */
#define KH_BIT_FRED_SWINT 18 /* FRED: int n refused in software unless a path serves its vector */
#define KH_BIT_UACCESS    19 /* a system call's user pointers must lie in the process's range */
#define KH_BIT_KPTI       20 /* KPTI user tables leave the kernel out (kpti.c) */
#define KH_BIT_KPTI_EXIT  21 /* KPTI: every exit switches back to the user tables (mitig.h) */
#define KH_BIT_KPTI_MIRROR 22 /* KPTI: unmap and protect of a process's pages reach its user tables (vm.c) */
#define KH_COUNT          23

#ifndef __ASSEMBLER__
#include <stdint.h>

#define KH(sym) (1u << KH_BIT_##sym)

extern uint32_t kharden_off; /* bits of the steps switched off */
static inline int kharden_on(uint32_t bit)
{
	return !(kharden_off & bit);
}
/* Parses "a,b,c" into kharden_off; returns 0, or -1 with the bad word in bad. */
int kharden_parse(const char *list, char *bad, unsigned badlen);
const char *kharden_name(unsigned bit_index);
const char *kharden_what(unsigned bit_index);
#endif

#endif
