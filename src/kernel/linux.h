/* kentry kernel: the Linux system-call personality (linux*.c), served
 * from the one dispatcher (dispatch.c kentry_dispatch_linux), through
 * every entry Linux offers: syscall from 64-bit code (the x86-64 ABI),
 * int $0x80 from 64- and 32-bit code, sysenter from 32-bit code and
 * syscall from 32-bit code (the i386 ABI, the last two in the convention
 * of the vDSO's __kernel_vsyscall: they return to its landing pad). */
#ifndef KENTRY_KERNEL_LINUX_H
#define KENTRY_KERNEL_LINUX_H

#include <stdint.h>
#include "regs.h"
#include "lxnr.h" /* LX64_<name>, LX32_<name>: generated from <asm/unistd_*.h> */

/* errno values (asm-generic/errno-base.h, errno.h) */
#define LX_EPERM   1
#define LX_ENOENT  2
#define LX_ESRCH   3
#define LX_EINTR   4
#define LX_EBADF   9
#define LX_EAGAIN  11
#define LX_ENOMEM  12
#define LX_EFAULT  14
#define LX_EEXIST  17
#define LX_ENODEV  19
#define LX_EINVAL  22
#define LX_ENOTTY  25
#define LX_ESPIPE  29
#define LX_ERANGE  34
#define LX_ENOSYS  38
#define LX_ETIMEDOUT 110

/* One system call in progress. */
struct lxc {
	struct kregs *r;
	int compat;          /* the i386 ABI: 32-bit longs and pointers in structures */
	uint64_t a[6];       /* the arguments (32-bit ABI: zero-extended) */
	uint64_t lim;        /* user pointers must stay below this */
};

/* The personality: serves the system call in the frame of a syscall,
 * int $0x80, sysenter or 32-bit syscall entry and prepares the frame for
 * the mechanism's exit (dispatch.c decides which). */
void klinux_serve(struct kregs *r);
/* A console line per ABI: every system call the process made, by name,
 * with its count (the tests read it: a libc that finds the vDSO makes no
 * time system call). */
void klinux_print_counts(void);

/* Implementations, by area. Each returns the result or -errno. */
int64_t lx_sys_io(struct lxc *c, unsigned what);
int64_t lx_sys_mm(struct lxc *c, unsigned what);
int64_t lx_sys_time(struct lxc *c, unsigned what);
int64_t lx_sys_proc(struct lxc *c, unsigned what);

/* What each implementation serves: one number per call, whatever the ABI
 * numbers it (linux.c maps both ABIs' numbers onto these). */
enum lx_what {
	/* io (linux_io.c) */
	LXW_READ, LXW_WRITE, LXW_READV, LXW_WRITEV, LXW_CLOSE, LXW_IOCTL, LXW_FCNTL,
	LXW_LSEEK, LXW_LLSEEK, LXW_FSTAT, LXW_FSTAT64, LXW_NEWFSTATAT, LXW_FSTATAT64,
	LXW_STAT, LXW_STAT64, LXW_STATX, LXW_OPEN, LXW_OPENAT, LXW_ACCESS, LXW_FACCESSAT,
	LXW_READLINK, LXW_READLINKAT, LXW_GETCWD, LXW_UNAME, LXW_GETRANDOM,
	/* memory (linux_mm.c) */
	LXW_BRK, LXW_MMAP, LXW_MMAP2, LXW_OLD_MMAP, LXW_MUNMAP, LXW_MPROTECT, LXW_MADVISE,
	/* time (linux_time.c) */
	LXW_GETTIMEOFDAY, LXW_TIME, LXW_CLOCK_GETTIME, LXW_CLOCK_GETTIME64, LXW_CLOCK_GETRES,
	LXW_CLOCK_GETRES64, LXW_NANOSLEEP, LXW_CLOCK_NANOSLEEP, LXW_CLOCK_NANOSLEEP64,
	LXW_GETCPU,
	/* the process (linux_proc.c) */
	LXW_EXIT, LXW_EXIT_GROUP, LXW_GETPID, LXW_GETPPID, LXW_GETTID, LXW_GETUID,
	LXW_KILL, LXW_TGKILL, LXW_TKILL, LXW_RT_SIGACTION, LXW_RT_SIGPROCMASK,
	LXW_SIGALTSTACK, LXW_ARCH_PRCTL, LXW_SET_THREAD_AREA, LXW_GET_THREAD_AREA,
	LXW_SET_TID_ADDRESS, LXW_SET_ROBUST_LIST, LXW_RSEQ, LXW_PRLIMIT64, LXW_GETRLIMIT,
	LXW_UGETRLIMIT, LXW_OLD_GETRLIMIT, LXW_SCHED_YIELD, LXW_SCHED_GETAFFINITY,
	LXW_FUTEX,
};

/* Used by the vsyscall page's emulation (vsyscall.c) too. */
int64_t lx_gettimeofday(uint64_t tv, uint64_t tz, int compat, uint64_t lim);
int64_t lx_time(uint64_t tloc, int compat, uint64_t lim);
int64_t lx_getcpu(uint64_t cpu, uint64_t node, uint64_t lim);

/* The program's output (progout.c): `out <fd> <hex>` records on COM1. */
void kprogout(int fd, const void *buf, uint64_t n);

/* Random bytes (random.c): RDRAND where the CPU has it, else a
 * generator seeded from the TSC and the RTC (not cryptographic). */
void krandom_init(void);
void krandom_bytes(void *buf, uint64_t n);
const char *krandom_source(void);

#endif
