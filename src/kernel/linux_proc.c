/* kentry kernel: the Linux system calls about the process itself: exit,
 * ids (pid 1, its own thread 1, parent 0, root's uid and gid), signals
 * (dispositions and the mask are kept; nothing is ever delivered: a
 * signal the process sends itself that would end it ends it), TLS (FS and
 * GS bases, set_thread_area's GDT slots), the addresses the C libraries
 * register (set_tid_address, set_robust_list, rseq), resource limits,
 * scheduling on the one CPU, futexes with no other thread. */
#include "linux.h"
#include "cpu.h"
#include "kernel.h"
#include "layout.h"
#include "proc.h"
#include "uaccess.h"
#include "core/desc.h"

#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u

/* Signals whose default action is to be ignored: sending one to oneself
 * changes nothing. */
static int sig_ignored_by_default(uint64_t s)
{
	return s == 17 || s == 18 || s == 23 || s == 28; /* CHLD CONT URG WINCH */
}

static int64_t send_self(uint64_t sig)
{
	if (sig > 64)
		return -LX_EINVAL;
	if (sig == 0 || sig_ignored_by_default(sig))
		return 0;
	if (sig < 65 && kproc.sig_handler[sig] == 1) /* SIG_IGN */
		return 0;
	kproc_kill((int)sig, "killed by signal %lu (%s) it sent itself%s", sig,
		   ksig_name((int)sig),
		   kproc.sig_handler[sig] > 1 ? " (its handler was not run: kentry's kernel "
						"delivers no signals)"
					      : "");
}

/* set_thread_area: struct user_desc -> a GDT descriptor (SDM 3.4.5), as
 * Linux's fill_ldt: DPL 3, accessed preset (the kernel's convention: the
 * CPU never writes the GDT). */
static uint64_t user_desc_to_gdt(const uint32_t *u)
{
	uint32_t base = u[1], limit = u[2], fl = u[3];
	uint32_t seg32 = fl & 1, contents = (fl >> 1) & 3, rxo = (fl >> 3) & 1,
		 pages = (fl >> 4) & 1, np = (fl >> 5) & 1, usable = (fl >> 6) & 1,
		 lm = (fl >> 7) & 1;
	uint32_t type = (contents << 2) | (rxo ? 0 : 2) | 1; /* data: RW unless read-only */
	if (contents == 2)
		type = 0x8 | (rxo ? 0 : 2) | 1; /* code: readable unless exec-only */
	uint32_t flags = (pages ? KDESC_FLAG_G : 0) | (seg32 ? KDESC_FLAG_DB : 0) |
			 (usable ? 1u : 0) | (lm && contents == 2 ? KDESC_FLAG_L : 0);
	if (lm && contents == 2)
		flags &= ~(uint32_t)KDESC_FLAG_DB;
	return kdesc_segment(base, limit, type, 1, 3, !np, flags);
}

/* Linux's LDT_empty / LDT_zero: a descriptor that clears the slot */
static int user_desc_empty(const uint32_t *u)
{
	return u[1] == 0 && u[2] == 0 && ((u[3] & 0x28) == 0x28 || (u[3] & 0xff) == 0);
}

static int64_t set_thread_area(struct lxc *c, uint64_t uptr)
{
	uint32_t u[4];
	if (kuser_read(u, uptr, sizeof(u), c->lim))
		return -LX_EFAULT;
	unsigned first = SEL_TLS0 / 8;
	if (u[0] == 0xffffffffu) {
		unsigned k = 0;
		while (k < 3 && kproc.tls[k])
			k++;
		if (k == 3)
			return -LX_ESRCH; /* no free slot, as Linux */
		u[0] = first + k;
		if (kuser_write(uptr, &u[0], 4, c->lim))
			return -LX_EFAULT;
	}
	if (u[0] < first || u[0] >= first + 3)
		return -LX_EINVAL;
	uint64_t d = user_desc_empty(u) ? 0 : user_desc_to_gdt(u);
	kproc.tls[u[0] - first] = d ? d : 0;
	kgdt[u[0]] = d;
	return 0;
}

static int64_t get_thread_area(struct lxc *c, uint64_t uptr)
{
	uint32_t u[4];
	if (kuser_read(u, uptr, 4, c->lim))
		return -LX_EFAULT;
	unsigned first = SEL_TLS0 / 8;
	if (u[0] < first || u[0] >= first + 3)
		return -LX_EINVAL;
	uint64_t d = kgdt[u[0]];
	u[1] = (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 56) << 24));
	u[2] = (uint32_t)((d & 0xffff) | (((d >> 48) & 0xf) << 16));
	uint32_t type = (uint32_t)(d >> 40) & 0xf, fl = (uint32_t)(d >> 52) & 0xf;
	u[3] = ((fl >> 2) & 1) | (((type >> 2) & 3) << 1) | ((type & 2) ? 0 : 8) |
	       (((fl >> 3) & 1) << 4) | ((((d >> 47) & 1) ? 0 : 1) << 5) | ((fl & 1) << 6) |
	       (((fl >> 1) & 1) << 7);
	return kuser_write(uptr, u, sizeof(u), c->lim) ? -LX_EFAULT : 0;
}

static int64_t arch_prctl(struct lxc *c, uint64_t code, uint64_t addr)
{
	uint64_t v;
	switch (code) {
	case 0x1001: /* ARCH_SET_GS: no SWAPGS in this kernel, ring 3's GS base is GS_BASE */
	case 0x1002: /* ARCH_SET_FS */
		if (c->compat)
			return -LX_EINVAL;
		if (addr >= TASK_SIZE64)
			return -LX_EPERM;
		wrmsr(code == 0x1002 ? MSR_FS_BASE : MSR_GS_BASE, addr);
		if (code == 0x1002)
			kproc.fs_base = addr;
		else
			kproc.gs_base = addr;
		return 0;
	case 0x1003: /* ARCH_GET_FS */
	case 0x1004: /* ARCH_GET_GS */
		if (c->compat)
			return -LX_EINVAL;
		v = rdmsr(code == 0x1003 ? MSR_FS_BASE : MSR_GS_BASE);
		return kuser_write(addr, &v, 8, c->lim) ? -LX_EFAULT : 0;
	case 0x1011: /* ARCH_GET_CPUID: CPUID is not faulting */
		return 1;
	}
	return -LX_EINVAL;
}

/* Resource limits: what a process here has (RLIM_INFINITY unless said). */
static void rlimit(uint64_t res, uint64_t *cur, uint64_t *max)
{
	*cur = *max = ~0ull;
	if (res == 3)             /* RLIMIT_STACK: the stack area */
		*cur = STACK_MAX;
	if (res == 4)             /* RLIMIT_CORE: no core dumps */
		*cur = *max = 0;
	if (res == 7)             /* RLIMIT_NOFILE */
		*cur = *max = 1024;
}

static int64_t rlimit_put(struct lxc *c, uint64_t res, uint64_t uptr, int kind)
{
	if (res >= 16)
		return -LX_EINVAL;
	uint64_t cur, max;
	rlimit(res, &cur, &max);
	if (kind == 0) { /* struct rlimit64, or x86-64's struct rlimit */
		uint64_t v[2] = { cur, max };
		return kuser_write(uptr, v, sizeof(v), c->lim) ? -LX_EFAULT : 0;
	}
	/* i386: 32-bit fields; ugetrlimit's infinity is ~0, old getrlimit's 0x7fffffff */
	uint32_t inf = kind == 1 ? 0xffffffffu : 0x7fffffffu;
	uint32_t v[2] = { cur > inf ? inf : (uint32_t)cur, max > inf ? inf : (uint32_t)max };
	return kuser_write(uptr, v, sizeof(v), c->lim) ? -LX_EFAULT : 0;
}

static int64_t futex(struct lxc *c)
{
	uint64_t op = c->a[1] & 127;
	if (op == 1 || op == 10) /* FUTEX_WAKE(_BITSET): nobody waits */
		return 0;
	if (op == 0 || op == 9) { /* FUTEX_WAIT(_BITSET) */
		uint32_t v;
		if (kuser_read(&v, c->a[0], 4, c->lim))
			return -LX_EFAULT;
		if (v != (uint32_t)c->a[2])
			return -LX_EAGAIN;
		kproc_kill(9, "deadlock: futex wait at 0x%lx with no other thread to wake it",
			   c->a[0]);
	}
	return -LX_ENOSYS;
}

int64_t lx_sys_proc(struct lxc *c, unsigned what)
{
	uint64_t *a = c->a;
	switch (what) {
	case LXW_EXIT:
	case LXW_EXIT_GROUP:
		kproc_exit((int)a[0]);
	case LXW_GETPID:
	case LXW_GETTID:
		return 1;
	case LXW_GETPPID:
		return 0;
	case LXW_GETUID:
		return 0;
	case LXW_KILL:
		if ((int64_t)a[0] != 1 && a[0] != 0 && (int64_t)a[0] != -1)
			return -LX_ESRCH;
		return send_self(a[1]);
	case LXW_TGKILL:
		if (a[0] != 1 || a[1] != 1)
			return -LX_ESRCH;
		return send_self(a[2]);
	case LXW_TKILL:
		if (a[0] != 1)
			return -LX_ESRCH;
		return send_self(a[1]);
	case LXW_RT_SIGACTION: {
		if (a[3] != 8)
			return -LX_EINVAL;
		uint64_t sig = a[0];
		if (sig < 1 || sig > 64)
			return -LX_EINVAL;
		unsigned ws = c->compat ? 4 : 8;
		if (a[2]) { /* the old action: handler, flags, restorer, mask */
			uint8_t old[32];
			memset(old, 0, sizeof(old));
			memcpy(old, &kproc.sig_handler[sig], ws);
			if (kuser_write(a[2], old, c->compat ? 20 : 32, c->lim))
				return -LX_EFAULT;
		}
		if (a[1]) {
			if (sig == 9 || sig == 19)
				return -LX_EINVAL; /* SIGKILL, SIGSTOP */
			uint64_t h = 0;
			if (kuser_read(&h, a[1], ws, c->lim))
				return -LX_EFAULT;
			kproc.sig_handler[sig] = h;
		}
		return 0;
	}
	case LXW_RT_SIGPROCMASK: {
		if (a[3] != 8)
			return -LX_EINVAL;
		uint64_t old = kproc.sigmask, set = 0;
		if (a[1]) {
			if (kuser_read(&set, a[1], 8, c->lim))
				return -LX_EFAULT;
			if (a[0] == 0)
				kproc.sigmask |= set;
			else if (a[0] == 1)
				kproc.sigmask &= ~set;
			else if (a[0] == 2)
				kproc.sigmask = set;
			else
				return -LX_EINVAL;
		}
		if (a[2] && kuser_write(a[2], &old, 8, c->lim))
			return -LX_EFAULT;
		return 0;
	}
	case LXW_SIGALTSTACK:
		if (a[1]) { /* the old one: none (SS_DISABLE) */
			uint8_t ss[24];
			memset(ss, 0, sizeof(ss));
			ss[c->compat ? 4 : 8] = 2;
			if (kuser_write(a[1], ss, c->compat ? 12 : 24, c->lim))
				return -LX_EFAULT;
		}
		return 0;
	case LXW_ARCH_PRCTL:
		return arch_prctl(c, a[0], a[1]);
	case LXW_SET_THREAD_AREA:
		return set_thread_area(c, a[0]);
	case LXW_GET_THREAD_AREA:
		return get_thread_area(c, a[0]);
	case LXW_SET_TID_ADDRESS:
		kproc.tid_addr = a[0];
		return 1;
	case LXW_SET_ROBUST_LIST:
		if (a[1] != (c->compat ? 12u : 24u))
			return -LX_EINVAL;
		kproc.robust_head = a[0];
		kproc.robust_len = a[1];
		return 0;
	case LXW_RSEQ: {
		/* (rseq, len, flags, sig). Registered, and kept right for ever:
		 * one CPU (cpu_id 0, node 0), no preemption, no signals, so no
		 * critical section is ever aborted. */
		if (a[2] & 1) { /* RSEQ_FLAG_UNREGISTER */
			if (!kproc.rseq || a[0] != kproc.rseq)
				return -LX_EINVAL;
			if ((uint32_t)a[3] != kproc.rseq_sig)
				return -LX_EPERM;
			kproc.rseq = 0;
			return 0;
		}
		if (a[2])
			return -LX_EINVAL;
		if (kproc.rseq)
			return a[0] == kproc.rseq && a[1] == kproc.rseq_len ? -16 /* EBUSY */ : -LX_EINVAL;
		if (a[1] < 32 || (a[0] & 31))
			return -LX_EINVAL;
		uint32_t f[8] = { 0, 0, 0, 0, 0, 0, 0, 0 }; /* cpu_id_start, cpu_id, rseq_cs, flags, node_id, mm_cid */
		if (kuser_write(a[0], f, sizeof(f), c->lim))
			return -LX_EFAULT;
		kproc.rseq = a[0];
		kproc.rseq_len = a[1];
		kproc.rseq_sig = (uint32_t)a[3];
		return 0;
	}
	case LXW_PRLIMIT64:
		if (a[0] != 0 && a[0] != 1)
			return -LX_ESRCH;
		if (a[1] >= 16)
			return -LX_EINVAL;
		if (a[2])
			return -LX_EPERM; /* the limits are fixed */
		return a[3] ? rlimit_put(c, a[1], a[3], 0) : 0;
	case LXW_GETRLIMIT:
		return rlimit_put(c, a[0], a[1], 0);
	case LXW_UGETRLIMIT:
		return rlimit_put(c, a[0], a[1], 1);
	case LXW_OLD_GETRLIMIT:
		return rlimit_put(c, a[0], a[1], 2);
	case LXW_SCHED_YIELD:
		return 0;
	case LXW_SCHED_GETAFFINITY: {
		if (a[0] != 0 && a[0] != 1)
			return -LX_ESRCH;
		uint64_t n = c->compat ? 4 : 8;
		if (a[1] < n || (a[1] & (n - 1)))
			return -LX_EINVAL;
		uint64_t mask = 1; /* CPU 0 */
		return kuser_write(a[2], &mask, n, c->lim) ? -LX_EFAULT : (int64_t)n;
	}
	case LXW_FUTEX:
		return futex(c);
	}
	return -LX_ENOSYS;
}
