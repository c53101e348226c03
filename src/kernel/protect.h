/* kentry kernel: protections (protect.c). */
#ifndef KENTRY_KERNEL_PROTECT_H
#define KENTRY_KERNEL_PROTECT_H

struct kprot {
	int cpu_smep, cpu_smap, cpu_umip; /* CPUID offers it */
	int smep, smap, umip;             /* in force (CR4) */
	char smep_s[48], smap_s[48], umip_s[48];
};
extern struct kprot kprot;

/* After vm_init: CR4.SMEP/SMAP/UMIP where CPUID offers them and no
 * harden_off says otherwise. */
void protect_init(void);
void protect_env(void);        /* env prot.* lines */
void protect_selfcheck(void);  /* TAP: every protection exercised */
unsigned kbug_run(unsigned which); /* a contained kernel bug (KBUG_*, selftest.h) */

#endif
