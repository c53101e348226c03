/* kentry: entries through exceptions, delivered to user space as signals.
 *
 * What one round trip costs: the CPU's exception entry (IDT gate, stack
 * switch), Linux's trap handler, building the signal frame on the user
 * stack (general registers, the XSAVE image of the FPU/vector state,
 * siginfo, ucontext), the return to the handler, the handler itself (a few
 * instructions here), its `ret` to the SA_RESTORER stub, rt_sigreturn(2)
 * (XRSTOR, register restore) and the exit to the interrupted code. Each
 * handler recognises only its own entry instruction (by the global labels
 * in loops64.S) and otherwise restores the default action, so a stray fault
 * kills the child, which the runner reports, instead of looping. */
#include "linux/paths.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "linux/vdso.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#ifndef PR_SYS_DISPATCH_OFF
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#endif
#ifndef SYSCALL_DISPATCH_FILTER_ALLOW
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif
#define KSA_RESTORER 0x04000000ul

static void restore_default(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
}

/* #UD is a fault: RIP is the ud2 itself; resume 2 bytes later. */
static void on_sigill(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	ucontext_t *uc = ucv;
	greg_t *rip = &uc->uc_mcontext.gregs[REG_RIP];
	if ((uintptr_t)*rip == (uintptr_t)kl_ud2_site)
		*rip += 2;
	else
		restore_default(sig);
}

/* #BP is a trap: RIP is already past the 1-byte int3. */
static void on_sigtrap(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	ucontext_t *uc = ucv;
	if ((uintptr_t)uc->uc_mcontext.gregs[REG_RIP] != (uintptr_t)kl_int3_site + 1)
		restore_default(sig);
}

/* #PF is a fault: RIP is the load; skip to the label after it. */
static void on_sigsegv(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	ucontext_t *uc = ucv;
	greg_t *rip = &uc->uc_mcontext.gregs[REG_RIP];
	if ((uintptr_t)*rip == (uintptr_t)kl_pf_site)
		*rip = (greg_t)(uintptr_t)kl_pf_resume;
	else
		restore_default(sig);
}

static int install(int sig, void (*h)(int, siginfo_t *, void *), char *why,
		   size_t whylen)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0) {
		snprintf(why, whylen, "sigaction(%s): %s", strsignal(sig), strerror(errno));
		return -1;
	}
	return 0;
}

int kpath_prep_ud2(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	(void)op;
	r->op = kl_ud2_op;
	r->empty = kl_ud2_empty;
	return install(SIGILL, on_sigill, why, whylen);
}

int kpath_prep_int3(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	(void)op;
	r->op = kl_int3_op;
	r->empty = kl_int3_empty;
	return install(SIGTRAP, on_sigtrap, why, whylen);
}

int kpath_prep_pf(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	(void)op;
	/* A PROT_NONE anonymous page: the VMA exists, so the fault is an access
	 * error (SEGV_ACCERR) decided without touching page tables further. */
	void *p = kpath_map_page(r, PROT_NONE, 0, why, whylen);
	if (!p)
		return -1;
	r->ctx.a0 = (uint64_t)(uintptr_t)p;
	r->op = kl_pf_op;
	r->empty = kl_pf_empty;
	return install(SIGSEGV, on_sigsegv, why, whylen);
}

/* ---- Syscall User Dispatch (Linux 5.11+) ----------------------------------
 *
 * prctl(PR_SET_SYSCALL_USER_DISPATCH, ON, start, len, &selector): from then
 * on, a system call made from outside [start, start+len) while the selector
 * byte reads BLOCK is not executed; syscall_user_dispatch() rolls RAX back
 * to the number and sends SIGSYS (si_code SYS_USER_DISPATCH, si_syscall the
 * number, RIP after the syscall). The handler "serves" the call and returns;
 * its rt_sigreturn comes from kl_sud_restorer, inside the allowed region,
 * so it is executed although the selector says BLOCK. The selector is
 * BLOCK only inside a timed batch (no library call happens there) and
 * ALLOW otherwise; finish() turns the whole mechanism off.
 *
 * The handler itself runs with the selector at ALLOW and sets it back to
 * BLOCK just before it returns, as the kernel's documentation of the
 * mechanism suggests (Documentation/admin-guide/syscall-user-dispatch.rst:
 * the selector is how user space lets its own handlers make system calls):
 * emulating gettimeofday through the vDSO makes a real system call
 * whenever the clocksource cannot be read from user space (hpet, acpi_pm),
 * and such a call with the selector at BLOCK would raise a second SIGSYS
 * while SIGSYS is blocked in its own handler, which the kernel turns into
 * a kill. */

static volatile char sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
static long sud_ppid;
static int (*sud_gtod)(struct timeval *, void *);
static struct timeval sud_tv;
static int sud_gtod_by_syscall;

void kpath_sud_emulate_by_syscall(int on)
{
	sud_gtod_by_syscall = on;
}

/* gettimeofday emulated by a real system call: what the vDSO does when the
 * clocksource has no user-space reader. */
static int gtod_syscall(struct timeval *tv, void *tz)
{
	return (int)syscall(SYS_gettimeofday, tv, tz);
}

struct ksigaction { /* the kernel's struct sigaction on x86-64 */
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	if (si->si_code != SYS_USER_DISPATCH) {
		/* Not ours (a seccomp SECCOMP_RET_TRAP): let it kill us. */
		sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
		struct ksigaction ksa = { SIG_DFL, 0, NULL, 0 };
		syscall(SYS_rt_sigaction, sig, &ksa, NULL, 8);
		return;
	}
	/* System calls from here on (the emulation's own) are executed. */
	sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	switch (si->si_syscall) {
	case SYS_getppid:
		g[REG_RAX] = sud_ppid;
		break;
	case SYS_gettimeofday:
		/* Emulated through the vDSO, as a SUD user (Wine, an emulator)
		 * would do. */
		g[REG_RAX] = sud_gtod ? sud_gtod((struct timeval *)g[REG_RDI],
						 (void *)g[REG_RSI])
				      : -ENOSYS;
		break;
	default:
		g[REG_RAX] = -ENOSYS;
	}
	/* Back to BLOCK for the rest of the batch. rt_sigreturn, made from
	 * kl_sud_restorer inside the allowed region, is executed anyway. */
	sud_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
}

static uint64_t sud_op(void *ctx, uint32_t n)
{
	sud_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	uint64_t c = kl_syscall_op(ctx, n);
	sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	return c;
}

static uint64_t sud_empty(void *ctx, uint32_t n)
{
	sud_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	uint64_t c = kl_syscall_empty(ctx, n);
	sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	return c;
}

static void sud_finish(struct kpath_run *r)
{
	(void)r;
	sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
	restore_default(SIGSYS);
}

int kpath_prep_sud(struct kpath_run *r, enum klinux_op op, char *why, size_t whylen)
{
	sud_ppid = getppid();
	if (op == KOP_GETTIMEOFDAY) {
		struct kvdso v;
		char err[128];
		if (kvdso_open_live(&v, err, sizeof err) == 0)
			sud_gtod = (int (*)(struct timeval *, void *))kvdso_sym(
				&v, "__vdso_gettimeofday", "LINUX_2.6");
		if (sud_gtod_by_syscall)
			sud_gtod = gtod_syscall;
		if (!sud_gtod) {
			snprintf(why, whylen, "no __vdso_gettimeofday to emulate with");
			return -1;
		}
	}
	struct ksigaction ksa = { (void *)on_sigsys, SA_SIGINFO | KSA_RESTORER,
				  (void *)kl_sud_restorer, 0 };
	if (syscall(SYS_rt_sigaction, SIGSYS, &ksa, NULL, 8) != 0) {
		snprintf(why, whylen, "rt_sigaction(SIGSYS): %s", strerror(errno));
		return -1;
	}
	sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	unsigned long start = (unsigned long)kl_sud_region_start;
	unsigned long len = (unsigned long)(kl_sud_region_end - kl_sud_region_start);
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, start, len,
		  (unsigned long)&sud_selector) != 0) {
		int e = errno;
		restore_default(SIGSYS);
		if (e == EINVAL)
			snprintf(why, whylen,
				 "Syscall User Dispatch needs Linux >= 5.11 (prctl: EINVAL)");
		else
			snprintf(why, whylen, "prctl(PR_SET_SYSCALL_USER_DISPATCH): %s",
				 strerror(e));
		return -1;
	}
	r->ctx.nr = op == KOP_GETTIMEOFDAY ? SYS_gettimeofday : SYS_getppid;
	r->ctx.a0 = op == KOP_GETTIMEOFDAY ? (uint64_t)(uintptr_t)&sud_tv : 0;
	r->ctx.a1 = 0;
	r->tv = op == KOP_GETTIMEOFDAY ? &sud_tv : NULL;
	r->op = sud_op;
	r->empty = sud_empty;
	r->finish = sud_finish;
	return 0;
}
