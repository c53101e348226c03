/* kentry kernel: deliberate ring-0 accesses to user memory.
 *
 * With SMAP, a supervisor access to a user page faults unless RFLAGS.AC is
 * set; stac/clac set and clear it. The kernel touches user memory only
 * through these helpers (the self-tests' setup and checks, the fuzzer's
 * register blocks), so SMAP catches any other access as a bug. stac/clac
 * exist only on CPUs with SMAP (#UD otherwise). */
#ifndef KENTRY_KERNEL_UACCESS_H
#define KENTRY_KERNEL_UACCESS_H

#include <stddef.h>
#include <stdint.h>
#include "protect.h"

static inline void uaccess_begin(void)
{
	if (kprot.cpu_smap)
		__asm__ volatile("stac" : : : "memory", "cc");
}

static inline void uaccess_end(void)
{
	if (kprot.cpu_smap)
		__asm__ volatile("clac" : : : "memory", "cc");
}

static inline void kcopy_to_user(void *udst, const void *src, size_t n)
{
	volatile unsigned char *d = udst;
	const unsigned char *s = src;
	uaccess_begin();
	while (n--)
		*d++ = *s++;
	uaccess_end();
}

static inline void kcopy_from_user(void *dst, const void *usrc, size_t n)
{
	unsigned char *d = dst;
	const volatile unsigned char *s = usrc;
	uaccess_begin();
	while (n--)
		*d++ = *s++;
	uaccess_end();
}

/* Zeroes n bytes (a multiple of 8) of user memory: rep stosq, fast
 * under emulators where a byte loop is not. */
static inline void kclear_user(void *udst, size_t n)
{
	void *d = udst;
	size_t q = n / 8;
	uaccess_begin();
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(0ull) : "memory");
	uaccess_end();
}

/* System calls' copies from and to a Linux process (uaccess.S): the
 * range must lie in [USER_MIN, limit) (the process's task size), SMAP is
 * lifted for the copy only, a fault during it is recovered. 0 or -EFAULT. */
int kuser_read(void *dst, uint64_t usrc, uint64_t n, uint64_t limit);
int kuser_write(uint64_t udst, const void *src, uint64_t n, uint64_t limit);

#endif
