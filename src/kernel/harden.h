/* kentry kernel: the hardening steps, each switchable off one at a time by
 * the boot option harden_off=<name>[,<name>...]. The option exists for
 * tests only: tests/integration/boot_harden.sh switches each step off and
 * shows that the hostile case it protects against then fails. A normal
 * boot has every step on (where the CPU offers it). */
#ifndef KENTRY_KERNEL_HARDEN_H
#define KENTRY_KERNEL_HARDEN_H

#include <stdint.h>

#define KHARDEN_LIST(X)                                                                \
	X(NX, "nx", "EFER.NXE and NX on every page that is not code")                  \
	X(WX, "wx", "kernel text mapped read-only (W^X)")                              \
	X(NULLPAGE, "nullpage", "page 0 unmapped")                                     \
	X(SMEP, "smep", "CR4.SMEP: ring 0 never executes user pages")                  \
	X(SMAP, "smap", "CR4.SMAP: ring 0 reads user pages only between stac/clac")    \
	X(UMIP, "umip", "CR4.UMIP: sgdt/sidt/sldt/smsw/str #GP in ring 3")             \
	X(IST_DB, "ist_db", "#DB on its own IST stack")                                \
	X(IST_NMI, "ist_nmi", "NMI on its own IST stack")                              \
	X(IST_DF, "ist_df", "#DF on its own IST stack")                                \
	X(IST_MC, "ist_mc", "#MC on its own IST stack")                                \
	X(STACK, "stack", "syscall entry switches to the kernel stack before any push") \
	X(FLAGS, "flags", "entries clear TF, NT, AC, DF the mechanism leaves set")    \
	X(CLEAR_REGS, "clear_regs", "user registers cleared before any C runs")       \
	X(EXIT_CANON, "exit_canonical", "fast exit only to a canonical RIP")           \
	X(EXIT_REGS, "exit_regs", "fast exit only when RCX/R11 (RDX/RCX) match RIP/RFLAGS (RSP)") \
	X(EXIT_FLAGS, "exit_flags", "fast exit only when RFLAGS has no TF, RF, NT, VM") \
	X(SYSRET_SS, "sysret_ss", "AMD: a usable SS before SYSRET (Linux's SYSRET_SS_ATTRS)")

enum {
#define KH_ENUM(sym, name, what) KH_BIT_##sym,
	KHARDEN_LIST(KH_ENUM)
#undef KH_ENUM
	KH_COUNT
};
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
