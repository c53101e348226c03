/* kentry: the vDSO's functions, built twice by the project: 64-bit
 * (linux-vdso.so.1) and 32-bit (linux-gate.so.1), both mapped into every
 * process of the matching kind by kentry's kernel and found through the
 * auxiliary vector (AT_SYSINFO_EHDR). They read the time from the data
 * page the kernel keeps (vdso_data.h, mapped read-only one page below the
 * image) without entering the kernel, and fall back to the system call
 * for what the page cannot answer (another clock, no TSC frequency).
 *
 * Exported as Linux's vDSOs export them (version LINUX_2.6, with and
 * without the __vdso_ prefix): clock_gettime, gettimeofday, time, getcpu,
 * clock_getres; the 32-bit image also clock_gettime64 and
 * clock_getres_time64 (64-bit time_t), and __kernel_vsyscall
 * (vsyscall32.S). Position-independent, no relocations, no libc, no
 * libgcc (no 64-bit division in 32-bit code: div1e9 below). */
#include <stdint.h>
#include <asm/unistd.h>
#include "vdso_data.h"

#define NSEC 1000000000u
#define VDSO_FN __attribute__((visibility("default")))

/* The data page: one page below the image (vdso.lds). */
extern const struct kvdso_data vvar_data __attribute__((visibility("hidden")));

/* ns / 1e9 and ns % 1e9 without libgcc: x86's divl divides EDX:EAX by 32
 * bits when the quotient fits, which (hi mod d):lo always does. */
static inline uint64_t div1e9(uint64_t ns, uint32_t *rem)
{
#ifdef __x86_64__
	*rem = (uint32_t)(ns % NSEC);
	return ns / NSEC;
#else
	uint32_t hi = (uint32_t)(ns >> 32), lo = (uint32_t)ns, d = NSEC;
	uint32_t qhi = hi / d, r = hi % d, qlo, r2;
	__asm__("divl %4" : "=a"(qlo), "=d"(r2) : "a"(lo), "d"(r), "rm"(d));
	*rem = r2;
	return (uint64_t)qhi << 32 | qlo;
#endif
}

static inline long sys2(long nr, long a, long b)
{
	long ret;
#ifdef __x86_64__
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
#else
	/* EBX is the PIC register: swap it in and out around int $0x80 */
	__asm__ volatile("xchg %%ebx, %2\n\tint $0x80\n\txchg %%ebx, %2"
			 : "=a"(ret) : "a"(nr), "r"(a), "c"(b) : "memory");
#endif
	return ret;
}

static inline long sys3(long nr, long a, long b, long c)
{
	long ret;
#ifdef __x86_64__
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11",
			 "memory");
#else
	__asm__ volatile("xchg %%ebx, %2\n\tint $0x80\n\txchg %%ebx, %2"
			 : "=a"(ret) : "a"(nr), "r"(a), "c"(b), "d"(c) : "memory");
#endif
	return ret;
}

/* The clock in ns for the clocks the page has; -1 for the others. */
static inline int clock_ns(long clk, uint64_t *ns)
{
	uint64_t mono, real;
	if (kvdso_now(&vvar_data, &mono, &real))
		return -1;
	switch (clk) {
	case 0: case 5: case 11: /* REALTIME, REALTIME_COARSE, TAI */
		*ns = real;
		return 0;
	case 1: case 4: case 6: case 7: /* MONOTONIC, _RAW, _COARSE, BOOTTIME */
		*ns = mono;
		return 0;
	}
	return -1;
}

struct ts64 {
	int64_t sec, nsec;
};
struct ts32 {
	int32_t sec, nsec;
};

VDSO_FN int __vdso_clock_gettime64(long clk, struct ts64 *ts);
VDSO_FN int __vdso_clock_gettime(long clk, void *ts);
VDSO_FN int __vdso_gettimeofday(void *tv, void *tz);
VDSO_FN long __vdso_time(void *t);
VDSO_FN long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused);
VDSO_FN int __vdso_clock_getres(long clk, void *ts);
VDSO_FN int __vdso_clock_getres_time64(long clk, struct ts64 *ts);

#ifdef __x86_64__
#define NR_CLOCK_GETTIME64 __NR_clock_gettime
#define NR_CLOCK_GETRES64 __NR_clock_getres
#else
#define NR_CLOCK_GETTIME64 __NR_clock_gettime64
#define NR_CLOCK_GETRES64 __NR_clock_getres_time64
#endif

int __vdso_clock_gettime64(long clk, struct ts64 *ts)
{
	uint64_t ns;
	uint32_t rem;
	if (clock_ns(clk, &ns))
		return (int)sys2(NR_CLOCK_GETTIME64, clk, (long)ts);
	ts->sec = (int64_t)div1e9(ns, &rem);
	ts->nsec = rem;
	return 0;
}

int __vdso_clock_gettime(long clk, void *ts)
{
#ifdef __x86_64__
	return __vdso_clock_gettime64(clk, ts);
#else
	uint64_t ns;
	uint32_t rem;
	if (clock_ns(clk, &ns))
		return (int)sys2(__NR_clock_gettime, clk, (long)ts);
	struct ts32 *t = ts;
	t->sec = (int32_t)div1e9(ns, &rem);
	t->nsec = (int32_t)rem;
	return 0;
#endif
}

int __vdso_gettimeofday(void *tv, void *tz)
{
	uint64_t ns;
	uint32_t rem;
	if (clock_ns(0, &ns))
		return (int)sys2(__NR_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		uint64_t sec = div1e9(ns, &rem);
#ifdef __x86_64__
		int64_t *v = tv;
		v[0] = (int64_t)sec;
		v[1] = rem / 1000;
#else
		int32_t *v = tv;
		v[0] = (int32_t)sec;
		v[1] = (int32_t)(rem / 1000);
#endif
	}
	if (tz) { /* UTC, no DST */
		int32_t *z = tz;
		z[0] = 0;
		z[1] = 0;
	}
	return 0;
}

long __vdso_time(void *t)
{
	uint64_t ns;
	uint32_t rem;
	if (clock_ns(0, &ns))
		return sys2(__NR_time, (long)t, 0);
	long sec = (long)div1e9(ns, &rem);
	if (t)
		*(long *)t = sec;
	return sec;
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	(void)unused;
	if (cpu)
		*cpu = vvar_data.cpu;
	if (node)
		*node = vvar_data.node;
	return 0;
}

int __vdso_clock_getres_time64(long clk, struct ts64 *ts)
{
	uint64_t ns;
	if (clock_ns(clk, &ns))
		return (int)sys2(NR_CLOCK_GETRES64, clk, (long)ts);
	if (ts) {
		ts->sec = 0;
		ts->nsec = 1;
	}
	return 0;
}

int __vdso_clock_getres(long clk, void *ts)
{
#ifdef __x86_64__
	return __vdso_clock_getres_time64(clk, ts);
#else
	uint64_t ns;
	if (clock_ns(clk, &ns))
		return (int)sys2(__NR_clock_getres, clk, (long)ts);
	if (ts) {
		struct ts32 *t = ts;
		t->sec = 0;
		t->nsec = 1;
	}
	return 0;
#endif
}

/* The names without the prefix, as Linux exports them too. */
int clock_gettime(long, void *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(void *, void *) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(void *) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
int clock_getres(long, void *) __attribute__((weak, alias("__vdso_clock_getres")));
