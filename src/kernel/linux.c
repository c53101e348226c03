/* kentry kernel: the Linux personality: which entry carries which ABI,
 * where its arguments are, which call a number names, and what the frame
 * must hold for the mechanism's exit. The calls themselves are in
 * linux_io.c, linux_mm.c, linux_time.c and linux_proc.c.
 *
 * Entries (Linux arch/x86/entry/common.c and entry_64_compat.S define the
 * same conventions; kentry's code is its own):
 *   syscall, 64-bit code (KK_SYSCALL64): the x86-64 ABI, number in RAX,
 *     arguments RDI RSI RDX R10 R8 R9; RCX and R11 come back as RIP and
 *     RFLAGS (the SYSRET exit needs them so, and the ABI says they are
 *     clobbered).
 *   int $0x80 (KK_INT, from 64- or 32-bit code): the i386 ABI, number in
 *     EAX, arguments EBX ECX EDX ESI EDI EBP, 32 bits each; every other
 *     register comes back as it was (IRETQ).
 *   sysenter, 32-bit code (KK_SYSENTER32): as __kernel_vsyscall enters:
 *     it pushed ECX, EDX, EBP and put ESP in EBP; SYSENTER saved nothing,
 *     so the user stack is EBP, the sixth argument is the EBP it pushed
 *     (at [EBP]), the other five are in EBX ECX EDX ESI EDI. The return
 *     goes to the vDSO's landing pad, which pops EBP, EDX, ECX and returns
 *     to __kernel_vsyscall's caller; SYSEXIT takes EIP in EDX and ESP in
 *     ECX, so those are what the frame holds.
 *   syscall, 32-bit code (KK_SYSCALL32): as __kernel_vsyscall enters on
 *     AMD: ECX is lost to the return EIP, so the second argument is in
 *     EBP (it moved ECX there), the sixth at [ESP]; the return also goes to
 *     the landing pad (SYSRETL: RCX = EIP, R11 = EFLAGS).
 * The full stubs (full.S) build the frame for every one of them; the
 * SYSENTER stub's own convention (RDX = return RIP, RCX = RSP) is undone
 * here, so the measured paths keep theirs. */
#include "linux.h"
#include "kernel.h"
#include "layout.h"
#include "proc.h"
#include "uaccess.h"

extern const char *const klx_names64[], *const klx_names32[];
extern const unsigned klx_names64_n, klx_names32_n;

/* ---- -ENOSYS, logged once per call; every call counted ------------------------ */

#define LOGGED_MAX 1024
static uint8_t logged[2][LOGGED_MAX / 8];
static uint32_t counts[2][LOGGED_MAX];

static void count(int compat, uint64_t nr)
{
	if (nr < LOGGED_MAX)
		counts[compat][nr]++;
}

void klinux_print_counts(void)
{
	for (int compat = 0; compat < 2; compat++) {
		char line[900];
		unsigned used = 0;
		for (unsigned nr = 0; nr < LOGGED_MAX; nr++) {
			if (!counts[compat][nr])
				continue;
			const char *name = 0;
			if (!compat && nr < klx_names64_n)
				name = klx_names64[nr];
			if (compat && nr < klx_names32_n)
				name = klx_names32[nr];
			int n = ksnprintf(line + used, sizeof(line) - used, "%s%s %u",
					  used ? ", " : "", name ? name : "?", counts[compat][nr]);
			if (n > 0 && used + (unsigned)n < sizeof(line))
				used += (unsigned)n;
		}
		if (used)
			kprintf("# linux: %s system calls made: %s\n", compat ? "i386" : "x86-64", line);
	}
}

static int64_t enosys(int compat, uint64_t nr)
{
	const char *name = 0;
	if (!compat && nr < klx_names64_n)
		name = klx_names64[nr];
	if (compat && nr < klx_names32_n)
		name = klx_names32[nr];
	if (nr < LOGGED_MAX && !(logged[compat][nr / 8] & (1u << (nr % 8)))) {
		logged[compat][nr / 8] |= (uint8_t)(1u << (nr % 8));
		kprintf("# linux: %s system call %lu (%s) is not implemented: -ENOSYS\n",
			compat ? "i386" : "x86-64", nr, name ? name : "unknown");
	} else if (nr >= LOGGED_MAX) {
		kprintf("# linux: %s system call %lu does not exist: -ENOSYS\n",
			compat ? "i386" : "x86-64", nr);
	}
	return -LX_ENOSYS;
}

/* ---- numbers ------------------------------------------------------------------------- */

#define C(nr, area, what)                                                                     \
	case nr:                                                                              \
		return lx_sys_##area(c, LXW_##what);

static int64_t call64(struct lxc *c, uint64_t nr)
{
	count(0, nr);
	switch (nr) {
		C(LX64_read, io, READ)
		C(LX64_write, io, WRITE)
		C(LX64_readv, io, READV)
		C(LX64_writev, io, WRITEV)
		C(LX64_close, io, CLOSE)
		C(LX64_ioctl, io, IOCTL)
		C(LX64_fcntl, io, FCNTL)
		C(LX64_lseek, io, LSEEK)
		C(LX64_fstat, io, FSTAT)
		C(LX64_newfstatat, io, NEWFSTATAT)
		C(LX64_stat, io, STAT)
		C(LX64_lstat, io, STAT)
		C(LX64_statx, io, STATX)
		C(LX64_open, io, OPEN)
		C(LX64_openat, io, OPENAT)
		C(LX64_access, io, ACCESS)
		C(LX64_faccessat, io, FACCESSAT)
		C(LX64_readlink, io, READLINK)
		C(LX64_readlinkat, io, READLINKAT)
		C(LX64_getcwd, io, GETCWD)
		C(LX64_uname, io, UNAME)
		C(LX64_getrandom, io, GETRANDOM)
		C(LX64_brk, mm, BRK)
		C(LX64_mmap, mm, MMAP)
		C(LX64_munmap, mm, MUNMAP)
		C(LX64_mprotect, mm, MPROTECT)
		C(LX64_madvise, mm, MADVISE)
		C(LX64_gettimeofday, time, GETTIMEOFDAY)
		C(LX64_time, time, TIME)
		C(LX64_clock_gettime, time, CLOCK_GETTIME64)
		C(LX64_clock_getres, time, CLOCK_GETRES64)
		C(LX64_nanosleep, time, NANOSLEEP)
		C(LX64_clock_nanosleep, time, CLOCK_NANOSLEEP64)
		C(LX64_getcpu, time, GETCPU)
		C(LX64_exit, proc, EXIT)
		C(LX64_exit_group, proc, EXIT_GROUP)
		C(LX64_getpid, proc, GETPID)
		C(LX64_getppid, proc, GETPPID)
		C(LX64_gettid, proc, GETTID)
		C(LX64_getuid, proc, GETUID)
		C(LX64_geteuid, proc, GETUID)
		C(LX64_getgid, proc, GETUID)
		C(LX64_getegid, proc, GETUID)
		C(LX64_kill, proc, KILL)
		C(LX64_tgkill, proc, TGKILL)
		C(LX64_tkill, proc, TKILL)
		C(LX64_rt_sigaction, proc, RT_SIGACTION)
		C(LX64_rt_sigprocmask, proc, RT_SIGPROCMASK)
		C(LX64_sigaltstack, proc, SIGALTSTACK)
		C(LX64_arch_prctl, proc, ARCH_PRCTL)
		C(LX64_set_thread_area, proc, SET_THREAD_AREA)
		C(LX64_get_thread_area, proc, GET_THREAD_AREA)
		C(LX64_set_tid_address, proc, SET_TID_ADDRESS)
		C(LX64_set_robust_list, proc, SET_ROBUST_LIST)
		C(LX64_rseq, proc, RSEQ)
		C(LX64_prlimit64, proc, PRLIMIT64)
		C(LX64_getrlimit, proc, GETRLIMIT)
		C(LX64_sched_yield, proc, SCHED_YIELD)
		C(LX64_sched_getaffinity, proc, SCHED_GETAFFINITY)
		C(LX64_futex, proc, FUTEX)
	}
	return enosys(0, nr);
}

static int64_t call32(struct lxc *c, uint64_t nr)
{
	count(1, nr);
	switch (nr) {
		C(LX32_read, io, READ)
		C(LX32_write, io, WRITE)
		C(LX32_readv, io, READV)
		C(LX32_writev, io, WRITEV)
		C(LX32_close, io, CLOSE)
		C(LX32_ioctl, io, IOCTL)
		C(LX32_fcntl, io, FCNTL)
		C(LX32_fcntl64, io, FCNTL)
		C(LX32_lseek, io, LSEEK)
		C(LX32__llseek, io, LLSEEK)
		C(LX32_fstat64, io, FSTAT64)
		C(LX32_fstatat64, io, FSTATAT64)
		C(LX32_stat64, io, STAT64)
		C(LX32_lstat64, io, STAT64)
		C(LX32_statx, io, STATX)
		C(LX32_open, io, OPEN)
		C(LX32_openat, io, OPENAT)
		C(LX32_access, io, ACCESS)
		C(LX32_faccessat, io, FACCESSAT)
		C(LX32_readlink, io, READLINK)
		C(LX32_readlinkat, io, READLINKAT)
		C(LX32_getcwd, io, GETCWD)
		C(LX32_uname, io, UNAME)
		C(LX32_getrandom, io, GETRANDOM)
		C(LX32_brk, mm, BRK)
		C(LX32_mmap, mm, OLD_MMAP)
		C(LX32_mmap2, mm, MMAP2)
		C(LX32_munmap, mm, MUNMAP)
		C(LX32_mprotect, mm, MPROTECT)
		C(LX32_madvise, mm, MADVISE)
		C(LX32_gettimeofday, time, GETTIMEOFDAY)
		C(LX32_time, time, TIME)
		C(LX32_clock_gettime, time, CLOCK_GETTIME)
		C(LX32_clock_gettime64, time, CLOCK_GETTIME64)
		C(LX32_clock_getres, time, CLOCK_GETRES)
		C(LX32_clock_getres_time64, time, CLOCK_GETRES64)
		C(LX32_nanosleep, time, NANOSLEEP)
		C(LX32_clock_nanosleep, time, CLOCK_NANOSLEEP)
		C(LX32_clock_nanosleep_time64, time, CLOCK_NANOSLEEP64)
		C(LX32_getcpu, time, GETCPU)
		C(LX32_exit, proc, EXIT)
		C(LX32_exit_group, proc, EXIT_GROUP)
		C(LX32_getpid, proc, GETPID)
		C(LX32_getppid, proc, GETPPID)
		C(LX32_gettid, proc, GETTID)
		C(LX32_getuid, proc, GETUID)
		C(LX32_geteuid, proc, GETUID)
		C(LX32_getgid, proc, GETUID)
		C(LX32_getegid, proc, GETUID)
		C(LX32_getuid32, proc, GETUID)
		C(LX32_geteuid32, proc, GETUID)
		C(LX32_getgid32, proc, GETUID)
		C(LX32_getegid32, proc, GETUID)
		C(LX32_kill, proc, KILL)
		C(LX32_tgkill, proc, TGKILL)
		C(LX32_tkill, proc, TKILL)
		C(LX32_rt_sigaction, proc, RT_SIGACTION)
		C(LX32_rt_sigprocmask, proc, RT_SIGPROCMASK)
		C(LX32_sigaltstack, proc, SIGALTSTACK)
		C(LX32_arch_prctl, proc, ARCH_PRCTL)
		C(LX32_set_thread_area, proc, SET_THREAD_AREA)
		C(LX32_get_thread_area, proc, GET_THREAD_AREA)
		C(LX32_set_tid_address, proc, SET_TID_ADDRESS)
		C(LX32_set_robust_list, proc, SET_ROBUST_LIST)
		C(LX32_rseq, proc, RSEQ)
		C(LX32_prlimit64, proc, PRLIMIT64)
		C(LX32_getrlimit, proc, OLD_GETRLIMIT)
		C(LX32_ugetrlimit, proc, UGETRLIMIT)
		C(LX32_sched_yield, proc, SCHED_YIELD)
		C(LX32_sched_getaffinity, proc, SCHED_GETAFFINITY)
		C(LX32_futex, proc, FUTEX)
	}
	return enosys(1, nr);
}

/* ---- entries ------------------------------------------------------------------------- */

static uint64_t lo32(uint64_t v)
{
	return v & 0xffffffffull;
}

/* The i386 ABI with arguments 1-5 as given and the sixth read from the
 * user stack (sysenter, 32-bit syscall); -EFAULT when it cannot be read,
 * as Linux does. */
static int64_t call32_stack(struct lxc *c, uint64_t nr, uint64_t sp)
{
	uint32_t a5 = 0;
	if (kuser_read(&a5, sp, 4, c->lim))
		return -LX_EFAULT;
	c->a[5] = a5;
	c->r->rbp = a5; /* Linux's regs->bp: the landing pad pops it anyway */
	return call32(c, nr);
}

void klinux_serve(struct kregs *r)
{
	struct lxc c;
	c.r = r;
	c.lim = kproc.task_size ? kproc.task_size : USER_MIN;
	int64_t ret;
	switch (r->kind) {
	case KK_SYSCALL64:
	case KK_SYSCALL_IRET:
		c.compat = 0;
		c.a[0] = r->rdi, c.a[1] = r->rsi, c.a[2] = r->rdx;
		c.a[3] = r->r10, c.a[4] = r->r8, c.a[5] = r->r9;
		r->rax = (uint64_t)call64(&c, r->rax);
		r->rcx = r->rip; /* the ABI's clobbers, and what SYSRET loads */
		r->r11 = r->rflags;
		return;
	case KK_INT:
		c.compat = 1;
		c.a[0] = lo32(r->rbx), c.a[1] = lo32(r->rcx), c.a[2] = lo32(r->rdx);
		c.a[3] = lo32(r->rsi), c.a[4] = lo32(r->rdi), c.a[5] = lo32(r->rbp);
		r->rax = (uint64_t)call32(&c, lo32(r->rax));
		return;
	case KK_SYSENTER32:
	case KK_SYSENTER64:
	case KK_SYSCALL32: {
		int se = r->kind != KK_SYSCALL32;
		c.compat = 1;
		/* SYSENTER: the user stack is in EBP (kentry's stub took RCX
		 * as RSP and RDX as RIP: both are arguments here) */
		uint64_t sp = se ? lo32(r->rbp) : lo32(r->rsp);
		r->rsp = sp;
		c.a[0] = lo32(r->rbx), c.a[1] = se ? lo32(r->rcx) : lo32(r->rbp);
		c.a[2] = lo32(r->rdx), c.a[3] = lo32(r->rsi), c.a[4] = lo32(r->rdi);
		if (!kproc.landing)
			kproc_kill(11, "%s from 32-bit code without a 32-bit vDSO to return to "
				   "(its landing pad)", se ? "sysenter" : "syscall");
		ret = call32_stack(&c, lo32(r->rax), sp);
		r->rax = (uint64_t)ret;
		r->cs = USER_CS32;
		r->rip = kproc.landing;
		if (se) {
			r->rdx = r->rip; /* what SYSEXIT loads */
			r->rcx = r->rsp;
		} else {
			r->rcx = r->rip; /* what SYSRETL loads */
			r->r11 = r->rflags;
		}
		return;
	}
	default:
		/* no other entry is installed for a process */
		kproc_kill(11, "entry of kind %u is not a Linux system call", r->kind);
	}
}
