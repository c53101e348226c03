/* kentry: the vDSO's data page ("vvar"), the one page the kernel writes
 * and every process reads: the clock as a straight line through the TSC.
 * Shared by the kernel (src/kernel/ktime.c keeps it current and serves
 * the time system calls from it) and both vDSO images (src/vdso/vdso.c,
 * built 64- and 32-bit), so a time read in user space and one through a
 * system call are the same computation on the same numbers.
 *
 *   ns(tsc) = base_ns + (tsc - tsc_base) * mult >> shift
 *
 * The product is taken in two 32-bit halves of (tsc - tsc_base), so it
 * never overflows for any delta a machine can reach (mult < 2^32, see
 * ktime.c), in 32-bit code too. A reader takes seq (odd: an update is under
 * way), the fields, then seq again, and retries if it moved: the kernel
 * rebases the line (tsc_base, the two base values) from time to time. */
#ifndef KENTRY_VDSO_DATA_H
#define KENTRY_VDSO_DATA_H

#include <stdint.h>

struct kvdso_data {
	volatile uint32_t seq;
	uint32_t clock_ok;      /* 0: no TSC frequency: callers take the system call */
	uint64_t tsc_base;      /* TSC at the base point */
	uint64_t mono_ns;       /* CLOCK_MONOTONIC at tsc_base (ns since the RTC reading) */
	uint64_t real_ns;       /* CLOCK_REALTIME at tsc_base (ns since 1970) */
	uint32_t mult, shift;
	uint64_t tsc_hz;
	uint32_t cpu, node;     /* getcpu: one CPU */
};

#define KVDSO_PAGE 4096
_Static_assert(sizeof(struct kvdso_data) <= KVDSO_PAGE, "vvar page");

/* ns since the base: (delta * mult) >> shift, delta in two halves so no
 * product exceeds 64 bits (shift <= 32, mult < 2^32). */
static inline uint64_t kvdso_scale(uint64_t delta, uint32_t mult, uint32_t shift)
{
	uint64_t lo = (uint64_t)(uint32_t)delta * mult;
	uint64_t hi = (delta >> 32) * mult;
	return (hi << (32 - shift)) + (lo >> shift);
}

static inline uint64_t kvdso_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* The two clocks now; 0, or -1 when the page has no usable clock. */
static inline int kvdso_now(const struct kvdso_data *d, uint64_t *mono, uint64_t *real)
{
	uint32_t s;
	uint64_t m, r;
	do {
		while ((s = d->seq) & 1)
			__asm__ volatile("pause");
		__asm__ volatile("" : : : "memory");
		if (!d->clock_ok)
			return -1;
		uint64_t ns = kvdso_scale(kvdso_rdtsc() - d->tsc_base, d->mult, d->shift);
		m = d->mono_ns + ns;
		r = d->real_ns + ns;
		__asm__ volatile("" : : : "memory");
	} while (d->seq != s);
	*mono = m;
	*real = r;
	return 0;
}

#endif
