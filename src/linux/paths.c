/* kentry: the registry of Linux entry paths and the 64-bit ones' setup.
 *
 * Table order and ids are stable (they are the result ids). The 32-bit
 * paths are listed here too; their loops live in compat32/. */
#include "linux/paths.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "linux/vdso.h"

/* Where gettimeofday writes (64-bit paths other than int80-64). */
static struct timeval tv64;

#define VSYSCALL_BASE 0xffffffffff600000ull

/* gettimeofday's buffer for op, or NULL for the null op. */
static void *gtod_buf(enum klinux_op op)
{
	return op == KOP_GETTIMEOFDAY ? &tv64 : NULL;
}

/* A `syscall` loop making system call nr(a0, 0); tv is where a
 * gettimeofday result lands (NULL for other calls). */
static void use_syscall(struct kpath_run *r, uint64_t nr, void *tv)
{
	r->ctx.nr = nr;
	r->ctx.a0 = (uint64_t)(uintptr_t)tv;
	r->ctx.a1 = 0;
	r->tv = tv;
	r->op = kl_syscall_op;
	r->empty = kl_syscall_empty;
}

/* A `call` loop calling fn(a0, a1, 0); tv as for use_syscall. */
static void use_call(struct kpath_run *r, uint64_t fn, uint64_t a0, uint64_t a1, void *tv)
{
	r->ctx.fn = fn;
	r->ctx.a0 = a0;
	r->ctx.a1 = a1;
	r->ctx.a2 = 0;
	r->tv = tv;
	r->op = kl_call_op;
	r->empty = kl_call_empty;
}

static void finish_unmap(struct kpath_run *r)
{
	if (r->mem)
		munmap(r->mem, r->memlen);
	r->mem = NULL;
}

void *kpath_map_page(struct kpath_run *r, int prot, int flags, char *why, size_t whylen)
{
	void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(why, whylen, "mmap of a scratch page failed: %s", strerror(errno));
		return NULL;
	}
	r->mem = p;
	r->memlen = 4096;
	r->finish = finish_unmap;
	return p;
}

/* syscall: a cheap real system call, getppid(2) (no locks, no user memory,
 * one pointer chase under RCU), or gettimeofday(2) (96) into tv64. */
static int prep_syscall(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	(void)why, (void)whylen;
	use_syscall(r, op == KOP_GETTIMEOFDAY ? SYS_gettimeofday : SYS_getppid, gtod_buf(op));
	return 0;
}

/* syscall-enosys: number -1. do_syscall_64() treats -1 specially: no table
 * lookup, not even sys_ni_syscall; RAX keeps the -ENOSYS the entry code
 * preloaded. What remains is the entry and exit work alone (the audit/
 * seccomp/ptrace hooks are not armed here). */
static int prep_enosys(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	(void)op, (void)why, (void)whylen;
	use_syscall(r, (uint64_t)-1, NULL);
	return 0;
}

/* libc-syscall: glibc's syscall(3), a variadic function that shuffles its
 * arguments into the kernel's registers and checks the result for errno. */
static int prep_libc(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	(void)why, (void)whylen;
	void *tv = gtod_buf(op);
	use_call(r, (uint64_t)(uintptr_t)syscall,
		 op == KOP_GETTIMEOFDAY ? SYS_gettimeofday : SYS_getppid,
		 (uint64_t)(uintptr_t)tv, tv);
	return 0;
}

/* int80-64: the 32-bit system call table from a 64-bit process. Only the
 * low 32 bits of each argument reach the kernel, so the timeval must live
 * below 4 GiB: MAP_32BIT. 32-bit numbers: getppid 64, gettimeofday 78 (the
 * kernel writes a compat timeval, two 32-bit fields). */
static int prep_int80(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	r->ctx.nr = op == KOP_GETTIMEOFDAY ? 78 : 64;
	if (op == KOP_GETTIMEOFDAY) {
		void *p = kpath_map_page(r, PROT_READ | PROT_WRITE, MAP_32BIT, why, whylen);
		if (!p)
			return -1;
		r->ctx.a0 = (uint64_t)(uintptr_t)p;
		r->tv = p;
		r->tv_compat = 1;
	}
	r->op = kl_int80_op;
	r->empty = kl_int80_empty;
	return 0;
}

/* vsyscall: a call into the fixed page at 0xffffffffff600000. In "xonly"
 * and "emulate" modes the page holds no executable code for user mode: the
 * instruction fetch faults (#PF), and the page-fault handler recognises the
 * address (emulate_vsyscall), runs the system call, and emulates the `ret`
 * by popping the return address. "xonly" (the default since Linux 5.3)
 * maps the page execute-only for this purpose; "emulate" also lets user
 * space read it. The old "native" mode (real `mov $nr, %rax; syscall; ret`
 * code in the page) was dropped in Linux 4.20. With vsyscall=none the page
 * is not mapped at all and the call dies with SIGSEGV.
 * Null: +1024 time(NULL). gettimeofday: +0 (tv, NULL). */
static int prep_vsyscall(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	(void)why, (void)whylen;
	void *tv = gtod_buf(op);
	use_call(r, VSYSCALL_BASE + (op == KOP_GETTIMEOFDAY ? 0 : 1024),
		 (uint64_t)(uintptr_t)tv, 0, tv);
	return 0;
}

/* vdso: a plain call into the vDSO, found by our own ELF reader (vdso.c),
 * never entering the kernel while the clocksource is readable from user
 * space. Null: __vdso_time(NULL), the cheapest function it exports (one
 * load of the coarse seconds, no seqcount retry loop, no RDTSC), cheaper
 * than __vdso_clock_gettime(CLOCK_*_COARSE) which still loops on the
 * seqcount. gettimeofday: __vdso_gettimeofday(tv, NULL). */
static int prep_vdso(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	struct kvdso v;
	char err[128];
	if (kvdso_open_live(&v, err, sizeof err)) {
		snprintf(why, whylen, "vDSO unusable: %s", err);
		return -1;
	}
	const char *name = op == KOP_GETTIMEOFDAY ? "__vdso_gettimeofday" : "__vdso_time";
	void *f = kvdso_sym(&v, name, "LINUX_2.6");
	if (!f) {
		snprintf(why, whylen, "vDSO has no %s (LINUX_2.6)", name);
		return -1;
	}
	void *tv = gtod_buf(op);
	use_call(r, (uint64_t)(uintptr_t)f, (uint64_t)(uintptr_t)tv, 0, tv);
	return 0;
}

const struct kpath kpaths[] = {
	{ "syscall", "syscall instruction from 64-bit code (getppid)", 0,
	  KOPS(1, 1), prep_syscall },
	{ "syscall-enosys", "syscall with number -1: the bare entry and exit", 0,
	  KOPS(1, 0), prep_enosys },
	{ "libc-syscall", "the same call through glibc's syscall(3)", 0,
	  KOPS(1, 1), prep_libc },
	{ "int80-64", "int $0x80 from a 64-bit process (32-bit ABI)", 0,
	  KOPS(1, 1), prep_int80 },
	{ "int80-32", "int $0x80 from a 32-bit process", 1, KOPS(1, 1), NULL },
	{ "vsyscall32-entry", "__kernel_vsyscall (AT_SYSINFO) in a 32-bit process", 1,
	  KOPS(1, 1), NULL },
	{ "sysenter-32", "raw sysenter from a 32-bit process (Intel)", 1,
	  KOPS(1, 1), NULL },
	{ "syscall-32", "raw syscall from a 32-bit process (AMD)", 1,
	  KOPS(1, 1), NULL },
	{ "vsyscall", "the legacy vsyscall page at 0xffffffffff600000", 0,
	  KOPS(1, 1), prep_vsyscall },
	{ "vdso", "the 64-bit vDSO (__vdso_time, __vdso_gettimeofday)", 0,
	  KOPS(1, 1), prep_vdso },
	{ "vdso-32", "the 32-bit vDSO in a 32-bit process", 1, KOPS(1, 1), NULL },
	{ "ud2-sigill", "ud2 (#UD) delivered as SIGILL and back", 0, KOPS(1, 0),
	  kpath_prep_ud2 },
	{ "int3-sigtrap", "int3 (#BP) delivered as SIGTRAP and back", 0, KOPS(1, 0),
	  kpath_prep_int3 },
	{ "pagefault-sigsegv", "load from a PROT_NONE page (#PF) as SIGSEGV and back",
	  0, KOPS(1, 0), kpath_prep_pf },
	{ "sud-sigsys", "Syscall User Dispatch: a syscall turned into SIGSYS and back",
	  0, KOPS(1, 1), kpath_prep_sud },
};
const size_t kpaths_n = sizeof kpaths / sizeof kpaths[0];

size_t klinux_path_count(void)
{
	return kpaths_n;
}

const char *klinux_path_id(size_t i)
{
	return i < kpaths_n ? kpaths[i].id : NULL;
}

const char *klinux_path_summary(size_t i)
{
	return i < kpaths_n ? kpaths[i].summary : NULL;
}

int klinux_path_index(const char *id)
{
	if (!id)
		return -1;
	for (size_t i = 0; i < kpaths_n; i++)
		if (strcmp(kpaths[i].id, id) == 0)
			return (int)i;
	return -1;
}
