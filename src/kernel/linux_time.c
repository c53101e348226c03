/* kentry kernel: the Linux time system calls, from the clock the vDSO's
 * data page holds (ktime.c): the same line through the TSC that the
 * vDSO computes in user space. Clocks: REALTIME (and its COARSE, TAI and
 * ALARM forms) is the RTC's time advanced by the TSC; MONOTONIC (RAW,
 * COARSE, BOOTTIME) counts from the RTC reading at boot; the CPU-time
 * clocks count from the process's start (its one thread never leaves the
 * CPU). Resolution 1 ns. Sleeping spins on the TSC: there is nothing else
 * to run. */
#include "linux.h"
#include "kernel.h"
#include "ktime.h"
#include "proc.h"
#include "uaccess.h"

#define NSEC 1000000000ull

/* The clock's time in ns; -EINVAL for a clock Linux does not have. */
static int64_t clock_ns(uint64_t clk, uint64_t *ns)
{
	uint64_t mono, real;
	ktime_now(&mono, &real);
	switch ((int64_t)clk) {
	case 0: case 5: case 8: case 11: /* REALTIME, _COARSE, _ALARM, TAI (no leap seconds kept) */
		*ns = real;
		return 0;
	case 1: case 4: case 6: case 7: case 9: /* MONOTONIC, _RAW, _COARSE, BOOTTIME, _ALARM */
		*ns = mono;
		return 0;
	case 2: case 3: /* PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID */
		*ns = mono - kproc.start_mono_ns;
		return 0;
	}
	return -LX_EINVAL;
}

/* A timespec (compat: two 32-bit fields; else two 64-bit ones). */
static int put_ts(struct lxc *c, uint64_t u, uint64_t ns, int compat)
{
	if (compat) {
		int32_t v[2] = { (int32_t)(ns / NSEC), (int32_t)(ns % NSEC) };
		return kuser_write(u, v, sizeof(v), c->lim);
	}
	int64_t v[2] = { (int64_t)(ns / NSEC), (int64_t)(ns % NSEC) };
	return kuser_write(u, v, sizeof(v), c->lim);
}

static int get_ts(struct lxc *c, uint64_t u, uint64_t *ns, int compat)
{
	int64_t sec, nsec;
	if (compat) {
		int32_t v[2];
		if (kuser_read(v, u, sizeof(v), c->lim))
			return -LX_EFAULT;
		sec = v[0], nsec = v[1];
	} else {
		int64_t v[2];
		if (kuser_read(v, u, sizeof(v), c->lim))
			return -LX_EFAULT;
		sec = v[0], nsec = v[1];
	}
	if (sec < 0 || nsec < 0 || nsec >= (int64_t)NSEC)
		return -LX_EINVAL;
	*ns = (uint64_t)sec > (~0ull / NSEC) - 1 ? ~0ull : (uint64_t)sec * NSEC + (uint64_t)nsec;
	return 0;
}

int64_t lx_gettimeofday(uint64_t tv, uint64_t tz, int compat, uint64_t lim)
{
	uint64_t mono, real;
	ktime_now(&mono, &real);
	if (tv) {
		int r;
		if (compat) {
			int32_t v[2] = { (int32_t)(real / NSEC), (int32_t)(real % NSEC / 1000) };
			r = kuser_write(tv, v, sizeof(v), lim);
		} else {
			int64_t v[2] = { (int64_t)(real / NSEC), (int64_t)(real % NSEC / 1000) };
			r = kuser_write(tv, v, sizeof(v), lim);
		}
		if (r)
			return -LX_EFAULT;
	}
	if (tz) { /* struct timezone: UTC, no DST */
		int32_t z[2] = { 0, 0 };
		if (kuser_write(tz, z, sizeof(z), lim))
			return -LX_EFAULT;
	}
	return 0;
}

int64_t lx_time(uint64_t tloc, int compat, uint64_t lim)
{
	uint64_t mono, real;
	ktime_now(&mono, &real);
	int64_t t = (int64_t)(real / NSEC);
	if (tloc) {
		int r;
		if (compat) {
			int32_t v = (int32_t)t;
			r = kuser_write(tloc, &v, 4, lim);
		} else {
			r = kuser_write(tloc, &t, 8, lim);
		}
		if (r)
			return -LX_EFAULT;
	}
	return compat ? (int64_t)(int32_t)t : t;
}

int64_t lx_getcpu(uint64_t cpu, uint64_t node, uint64_t lim)
{
	uint32_t zero = 0;
	if (cpu && kuser_write(cpu, &zero, 4, lim))
		return -LX_EFAULT;
	if (node && kuser_write(node, &zero, 4, lim))
		return -LX_EFAULT;
	return 0;
}

/* Spins until the clock reaches deadline (ns). */
static void sleep_until(uint64_t clk, uint64_t deadline)
{
	uint64_t now;
	while (!clock_ns(clk, &now) && now < deadline)
		__asm__ volatile("pause");
}

static int64_t do_sleep(struct lxc *c, uint64_t clk, uint64_t flags, uint64_t ureq, int compat)
{
	uint64_t req, now;
	int64_t r = clock_ns(clk, &now);
	if (r)
		return r;
	if ((r = get_ts(c, ureq, &req, compat)))
		return r;
	uint64_t deadline = (flags & 1) ? req : now + req > now ? now + req : ~0ull; /* TIMER_ABSTIME */
	sleep_until(clk, deadline);
	return 0;
}

int64_t lx_sys_time(struct lxc *c, unsigned what)
{
	uint64_t *a = c->a, ns;
	int64_t r;
	switch (what) {
	case LXW_GETTIMEOFDAY:
		return lx_gettimeofday(a[0], a[1], c->compat, c->lim);
	case LXW_TIME:
		return lx_time(a[0], c->compat, c->lim);
	case LXW_CLOCK_GETTIME:   /* i386: 32-bit timespec */
	case LXW_CLOCK_GETTIME64: /* x86-64, and i386's clock_gettime64 */
		if ((r = clock_ns(a[0], &ns)))
			return r;
		return put_ts(c, a[1], ns, what == LXW_CLOCK_GETTIME) ? -LX_EFAULT : 0;
	case LXW_CLOCK_GETRES:
	case LXW_CLOCK_GETRES64:
		if ((r = clock_ns(a[0], &ns)))
			return r;
		if (!a[1])
			return 0;
		return put_ts(c, a[1], 1, what == LXW_CLOCK_GETRES) ? -LX_EFAULT : 0;
	case LXW_NANOSLEEP:
		return do_sleep(c, 1, 0, a[0], c->compat);
	case LXW_CLOCK_NANOSLEEP:
	case LXW_CLOCK_NANOSLEEP64:
		return do_sleep(c, a[0], a[1], a[2], what == LXW_CLOCK_NANOSLEEP);
	case LXW_GETCPU:
		return lx_getcpu(a[0], a[1], c->lim);
	}
	return -LX_ENOSYS;
}
