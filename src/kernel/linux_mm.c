/* kentry kernel: the Linux system calls about memory: brk, anonymous
 * mmap (the i386 ABI's old mmap and mmap2 too), munmap, mprotect. Memory
 * is faulted in on first touch (proc.c); there are no files to map. */
#include "linux.h"
#include "kernel.h"
#include "layout.h"
#include "proc.h"
#include "uaccess.h"

#define MAP_SHARED_    0x01
#define MAP_PRIVATE_   0x02
#define MAP_FIXED_     0x10
#define MAP_ANONYMOUS_ 0x20
#define MAP_32BIT_     0x40
#define MAP_FIXED_NOREPLACE_ 0x100000

static int64_t do_mmap(struct lxc *c, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		       int64_t fd, uint64_t off)
{
	(void)off;
	if (!len)
		return -LX_EINVAL;
	if (prot & ~7ull)
		return -LX_EINVAL;
	if (!(flags & (MAP_SHARED_ | MAP_PRIVATE_)))
		return -LX_EINVAL;
	if (!(flags & MAP_ANONYMOUS_))
		return fd >= 0 && fd < 3 && !kproc.fd_closed[fd] ? -LX_ENODEV : -LX_EBADF;
	uint64_t size = (len + 0xfff) & ~0xfffull;
	if (size < len || size > kproc.task_size)
		return -LX_ENOMEM;
	uint64_t lim = c->compat ? TASK_SIZE32 : kproc.task_size;
	uint64_t at;
	if (flags & (MAP_FIXED_ | MAP_FIXED_NOREPLACE_)) {
		if (addr & 0xfff)
			return -LX_EINVAL;
		if (addr + size < addr || addr + size > lim)
			return -LX_ENOMEM;
		if (addr < USER_MIN)
			return -LX_EPERM; /* the kernel's range, as mmap_min_addr */
		if (!kproc_range_free(addr, addr + size)) {
			if (flags & MAP_FIXED_NOREPLACE_)
				return -LX_EEXIST;
			if (kproc_unmap(addr, addr + size))
				return -LX_ENOMEM;
		}
		at = addr;
	} else {
		uint64_t top = kproc.mmap_top < lim ? kproc.mmap_top : lim;
		if ((flags & MAP_32BIT_) && !c->compat)
			top = 0x80000000ull; /* the first 2 GiB, as Linux */
		at = 0;
		if (addr && !(addr & 0xfff) && addr >= USER_MIN && addr + size > addr &&
		    addr + size <= top && kproc_range_free(addr, addr + size))
			at = addr; /* the hint is free: take it */
		if (!at)
			at = kproc_gap(size, USER_MIN, top);
		if (!at)
			return -LX_ENOMEM;
	}
	if (kproc_map(at, at + size, (uint32_t)prot, VMA_ANON))
		return -LX_ENOMEM;
	return (int64_t)at;
}

int64_t lx_sys_mm(struct lxc *c, unsigned what)
{
	uint64_t *a = c->a;
	switch (what) {
	case LXW_BRK:
		return (int64_t)kproc_brk(a[0]);
	case LXW_MMAP:
		if (a[5] & 0xfff)
			return -LX_EINVAL;
		return do_mmap(c, a[0], a[1], a[2], a[3], (int64_t)a[4], a[5]);
	case LXW_MMAP2: /* offset in pages; fd is a 32-bit int */
		return do_mmap(c, a[0], a[1], a[2], a[3], (int32_t)a[4], a[5] << 12);
	case LXW_OLD_MMAP: { /* i386 mmap: one pointer to six 32-bit arguments */
		uint32_t v[6];
		if (kuser_read(v, a[0], sizeof(v), c->lim))
			return -LX_EFAULT;
		if (v[5] & 0xfff)
			return -LX_EINVAL;
		return do_mmap(c, v[0], v[1], v[2], v[3], (int32_t)v[4], v[5]);
	}
	case LXW_MUNMAP: {
		uint64_t size = (a[1] + 0xfff) & ~0xfffull;
		if ((a[0] & 0xfff) || !a[1] || size < a[1] || a[0] + size < a[0] ||
		    a[0] + size > kproc.task_size)
			return -LX_EINVAL;
		return kproc_unmap(a[0], a[0] + size) ? -LX_ENOMEM : 0;
	}
	case LXW_MPROTECT: {
		uint64_t size = (a[1] + 0xfff) & ~0xfffull;
		if ((a[0] & 0xfff) || size < a[1] || a[0] + size < a[0])
			return -LX_EINVAL;
		if (a[2] & ~7ull)
			return -LX_EINVAL;
		if (!size)
			return 0;
		return kproc_protect(a[0], a[0] + size, (uint32_t)a[2]);
	}
	case LXW_MADVISE:
		return 0; /* advice taken, and ignored */
	}
	return -LX_ENOSYS;
}
