/* kentry core: reading the time-stamp counter with the ordering the
 * vendors' manuals ask for.
 *
 * Intel SDM vol. 2B (RDTSC) and AMD APM vol. 3 (RDTSC) both say RDTSC is not
 * serializing: it may execute before earlier instructions complete and later
 * instructions may start before it. Both name LFENCE as the cheap fix:
 * "LFENCE; RDTSC" waits for every earlier instruction to complete locally,
 * and "RDTSC; LFENCE" keeps later instructions from starting before the read.
 * On AMD, LFENCE is dispatch-serializing when MSR C001_1029[1] is set, which
 * Linux does at boot and the kentry kernel does where the MSR exists.
 *
 * CPUID would serialize too, but in a virtual machine it traps to the
 * hypervisor (thousands of cycles, with jitter), so kentry never uses it in
 * a timed region. RDTSCP is not used either: QEMU's default CPU models lack
 * it, and "LFENCE; RDTSC; LFENCE" gives the same ordering everywhere.
 *
 * Both ends use the same sequence, so the cost of the timer itself is
 * symmetric and is measured and subtracted by measure.c.
 *
 * Usable from C in ring 0 and ring 3 (CR4.TSD is clear), 64- and 32-bit. */
#ifndef KENTRY_CORE_TSC_H
#define KENTRY_CORE_TSC_H

#include <stdint.h>

static inline __attribute__((always_inline)) uint64_t ktsc_read(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void kcpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

#endif
